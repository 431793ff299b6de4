"""Reading an email's text and the schedule it states (plugin/sources/mail_body.py): each
date, time and zone layout, itinerary tables, quoted replies, broken and huge bodies, and
headers built to inject."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from afterword.plugin.sources import mail_body
from afterword.plugin.sources.mail_body import Schedule, body_text, dates_in, find_schedules

NEW_YORK = ZoneInfo("America/New_York")
SENT = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("UTC"))


def schedules(text: str, reference: datetime = SENT) -> list[Schedule]:
    return find_schedules(text, NEW_YORK, reference)


def span(text: str, reference: datetime = SENT) -> tuple[str, str, str | None] | None:
    """The one schedule's start and end (ISO, in their own offset) and its zone."""
    found = schedules(text, reference)
    if not found:
        return None
    assert len(found) == 1, found
    return found[0].start.isoformat(), found[0].end.isoformat(), found[0].zone


def html_message(html: str, plain: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Acme via Greenhouse <no-reply@greenhouse-mail.io>"
    msg["Subject"] = "Interview confirmation"
    if plain is not None:
        msg.set_content(plain)
        msg.add_alternative(html, subtype="html")
    else:
        msg.set_content(html, subtype="html")
    return msg


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "expected"), [
    ("Tuesday, December 1, 2026", date(2026, 12, 1)),
    ("Tue, Dec 1, 2026 10:00 AM", date(2026, 12, 1)),
    ("December 1st 2026", date(2026, 12, 1)),
    ("Tuesday 1 December 2026", date(2026, 12, 1)),
    ("Mon 7 Dec", date(2026, 12, 7)),
    ("on the 8th of December", date(2026, 12, 8)),
    ("2026-12-01", date(2026, 12, 1)),
    ("Thursday 12/3", date(2026, 12, 3)),  # the weekday settles month/day order
    ("25/12/2026", date(2026, 12, 25)),  # only one order is a date
    ("01.12.2026", date(2026, 12, 1)),  # dotted dates are day first
    ("Wednesday, Dec. 2", date(2026, 12, 2)),
])
def test_date_layouts(line: str, expected: date) -> None:
    assert [f.value for f in dates_in(line, SENT.date())] == [expected]


@pytest.mark.parametrize("line", [
    "Monday, December 1, 2026",  # December 1, 2026 is a Tuesday: which one is meant?
    "12/01/2026",  # December 1 or January 12
    "you may 2 weeks",  # the verb
    "February 30, 2026",
    "Room 12/4B",
])
def test_uncertain_or_impossible_dates_are_not_read(line: str) -> None:
    assert dates_in(line, SENT.date()) == []


def test_a_missing_year_is_the_next_one_after_the_message() -> None:
    december = datetime(2026, 12, 20, tzinfo=ZoneInfo("UTC"))
    assert [f.value for f in dates_in("Tuesday, January 5", december.date())] == [
        date(2027, 1, 5)]
    # a recap a few days later still means the recent date, not next year's
    assert [f.value for f in dates_in("December 1", date(2026, 12, 4))] == [date(2026, 12, 1)]


# --- times and zones -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Tuesday, December 1, 2026\n10:00 AM - 1:00 PM EST",
     ("2026-12-01T10:00:00-05:00", "2026-12-01T13:00:00-05:00", "America/New_York")),
    ("Dec 1, 2026 10:00 AM - 1:00 PM EST",
     ("2026-12-01T10:00:00-05:00", "2026-12-01T13:00:00-05:00", "America/New_York")),
    ("Wednesday, December 2, 2026, 10:00 – 10:45 AM (Eastern Time)",
     ("2026-12-02T10:00:00-05:00", "2026-12-02T10:45:00-05:00", "America/New_York")),
    ("Date: Wednesday, December 2, 2026\n"
     "Time: 11:30 AM – 2:00 PM (GMT-05:00) Eastern Time - New York",
     ("2026-12-02T11:30:00-05:00", "2026-12-02T14:00:00-05:00", "America/New_York")),
    ("Monday 7 December 2026, 14:00-15:30 (UK time)",
     ("2026-12-07T14:00:00+00:00", "2026-12-07T15:30:00+00:00", "Europe/London")),
    ("Friday, December 4, 2026 · 9:30 AM - 12:00 PM PT",
     ("2026-12-04T09:30:00-08:00", "2026-12-04T12:00:00-08:00", "America/Los_Angeles")),
    ("Thursday 12/3, 11am-12:30pm ET",
     ("2026-12-03T11:00:00-05:00", "2026-12-03T12:30:00-05:00", "America/New_York")),
    ("Thursday, December 3 from 2:00 to 3:00 PM ET",
     ("2026-12-03T14:00:00-05:00", "2026-12-03T15:00:00-05:00", "America/New_York")),
    ("December 3, 2026: 11:30 - 12:15 PM ET",
     ("2026-12-03T11:30:00-05:00", "2026-12-03T12:15:00-05:00", "America/New_York")),
    ("December 3, 2026, 10-11am CT",
     ("2026-12-03T10:00:00-06:00", "2026-12-03T11:00:00-06:00", "America/Chicago")),
    ("December 3, 2026, 12 noon - 1:30 PM ET",
     ("2026-12-03T12:00:00-05:00", "2026-12-03T13:30:00-05:00", "America/New_York")),
    ("Date: Tuesday, 8 December 2026\nTime: 10:30 AM - 12:00 PM IST (India Standard Time)",
     ("2026-12-08T10:30:00+05:30", "2026-12-08T12:00:00+05:30", "Asia/Kolkata")),
    ("Tuesday, 8 December 2026, 10:30 - 11:15 IST\nRegards, Tarang Systems, Bengaluru, India",
     ("2026-12-08T10:30:00+05:30", "2026-12-08T11:15:00+05:30", "Asia/Kolkata")),
    ("December 8, 2026 at 14:00-15:00\nTime zone: Europe/Berlin",
     ("2026-12-08T14:00:00+01:00", "2026-12-08T15:00:00+01:00", "Europe/Berlin")),
    ("December 8, 2026, 09:00 - 10:00 GMT, at our London office",
     ("2026-12-08T09:00:00+00:00", "2026-12-08T10:00:00+00:00", "Europe/London")),
    ("December 8, 2026, 15:00 - 16:00 (UTC+05:30)",
     ("2026-12-08T15:00:00+05:30", "2026-12-08T16:00:00+05:30", None)),
    # an Indian system's layout: a day-month-year with dashes, "hrs", and the reader's time
    ("Date       : 24-Nov-2026 (Tuesday)\n"
     "Time       : 19:30 hrs - 20:30 hrs IST (09:00 AM - 10:00 AM EST)",
     ("2026-11-24T09:00:00-05:00", "2026-11-24T10:00:00-05:00", "America/New_York")),
    ("Date: 24-Nov-2026\nTime: 19:30 hrs - 20:30 hrs IST\nMobile: +91 98450 12345",
     ("2026-11-24T19:30:00+05:30", "2026-11-24T20:30:00+05:30", "Asia/Kolkata")),
])
def test_date_time_and_zone_layouts(text: str, expected: tuple[str, str, str | None]) -> None:
    assert span(text) == expected


def test_without_a_stated_zone_times_are_mine_and_the_event_names_no_zone() -> None:
    assert span("Thursday, December 3, 2026, 10:00 - 11:00 AM") == (
        "2026-12-03T10:00:00-05:00", "2026-12-03T11:00:00-05:00", None)


def test_a_zone_stated_once_for_the_whole_schedule() -> None:
    text = ("All times are listed in Pacific Time.\n\nFriday, December 4, 2026\n"
            "9:30 AM - 10:15 AM  Arjun Nair\n10:15 AM - 11:00 AM  Lena Fischer")
    assert span(text) == ("2026-12-04T09:30:00-08:00", "2026-12-04T11:00:00-08:00",
                          "America/Los_Angeles")


def test_the_same_times_converted_for_another_zone_are_not_a_second_schedule() -> None:
    text = "Tuesday, December 1, 2026: 10:00 AM - 11:00 AM ET / 7:00 AM - 8:00 AM PT"
    assert span(text) == ("2026-12-01T10:00:00-05:00", "2026-12-01T11:00:00-05:00",
                          "America/New_York")


@pytest.mark.parametrize("text", [
    "Tuesday, December 8, 2026, 10:30 AM - 12:00 PM IST",  # India, Ireland or Israel?
    "Thursday, December 3, 2026, 2:00 - 3:00",  # 2 pm to an American, 2 am in 24-hour text
    "Thursday, December 3, 2026 at 2:00 PM ET",  # a start and no end
    "Please send your availability for next week, 10:00 AM - 1:00 PM works best",  # no date
    "Tuesday, December 1, 2026, 6:00 AM - 9:00 PM ET",  # fifteen hours is not an interview
])
def test_uncertain_schedules_give_nothing(text: str) -> None:
    assert schedules(text) == []


def test_unmarked_early_hours_are_literal_in_24_hour_text() -> None:
    text = "Dienstag\nDecember 8, 2026\n09:00-09:45 Anna Weber\n13:00-14:00 Jonas Keller"
    assert span(text) == ("2026-12-08T09:00:00-05:00", "2026-12-08T14:00:00-05:00", None)


def test_a_start_with_a_duration() -> None:
    text = "Let's talk on Thursday, December 3, 2026 at 2:00 PM ET.\nIt'll be a 45-minute call."
    assert span(text) == ("2026-12-03T14:00:00-05:00", "2026-12-03T14:45:00-05:00",
                          "America/New_York")


def test_an_itinerary_table_spans_its_first_start_to_its_last_end() -> None:
    text = ("Tuesday, December 1, 2026\n"
            "10:00 AM - 10:45 AM | Ngozi Adeyemi | Staff Data Engineer |\n"
            "10:45 AM - 11:30 AM | Henrik Solberg | Engineering Manager |\n"
            "12:00 PM - 1:00 PM | Carla Mendes | Principal Engineer |\n"
            "Questions? Call me at (646) 555-0148.")
    assert span(text) == ("2026-12-01T10:00:00-05:00", "2026-12-01T13:00:00-05:00", None)


def test_two_days_are_two_schedules_each_with_its_own_part_of_the_text() -> None:
    text = ("Hi Alex, here is your onsite:\n\n"
            "Monday, December 7, 2026\n1:00 PM - 1:45 PM Priya Desai, Engineer\n\n"
            "Tuesday, December 8, 2026\n10:00 AM - 11:00 AM Gabe Okafor, Manager\n")
    first, second = schedules(text)
    assert (first.start.date(), second.start.date()) == (date(2026, 12, 7), date(2026, 12, 8))
    assert "Priya" in first.text and "Gabe" not in first.text
    assert "Gabe" in second.text and "Priya" not in second.text
    assert "here is your onsite" in first.text and "here is your onsite" in second.text


def test_dates_and_phone_numbers_are_not_read_as_times() -> None:
    text = ("Tuesday, December 1, 2026\nCall 414-555-0192 or +1 (917) 555-0134.\n"
            "Meeting ID: 955 1123 0087, passcode 402215, 2026-12-01")
    assert schedules(text) == []


# --- the body's text -------------------------------------------------------------------------


def test_html_is_preferred_and_keeps_table_rows_as_lines() -> None:
    msg = html_message(
        "<html><head><style>td{color:red}</style></head><body><p>Hi Alex,</p><table>"
        "<tr><td>10:00 AM - 10:45 AM</td><td>Ngozi Adeyemi, Staff Data Engineer</td></tr>"
        "<tr><td>10:45 AM - 11:30 AM</td><td>Henrik Solberg, Engineering Manager</td></tr>"
        "</table></body></html>", plain="Hi Alex, see the HTML version for your schedule.")
    text = body_text(msg)
    lines = [line for line in text.split("\n") if "AM" in line]
    assert len(lines) == 2
    assert "Ngozi Adeyemi" in lines[0] and "Henrik Solberg" in lines[1]
    assert "color:red" not in text


def test_a_line_break_inside_a_schedule_row_stays_in_the_row() -> None:
    msg = html_message(
        "<p>Who you'll meet</p><table>"
        "<tr><td>10:00 &ndash; 10:45 AM</td><td><b>Gwendolyn Mbeki</b><br>"
        '<span style="color:#6b778c">Staff Engineer</span></td><td>Systems design</td></tr>'
        "</table><p>Looking forward to it,<br>Talia Brennan<br>Recruiting Coordinator</p>")
    lines = body_text(msg).split("\n")
    row = next(line for line in lines if "Gwendolyn" in line)
    assert "Staff Engineer" in row and "Systems design" in row
    assert "Talia Brennan" in lines  # outside a table, a break is still a new line


def test_plain_text_wins_when_the_html_is_a_stub() -> None:
    plain = "Your schedule:\n10:00 AM Priya Raman, Staff Engineer\n11:00 AM Tom Lee, Manager\n"
    msg = html_message("<p>View online</p>", plain=plain)
    assert "Priya Raman" in body_text(msg)


def test_broken_html_never_raises() -> None:
    broken = ("<html><body><table><tr><td>10:00 AM - 11:00 AM<td>Jane Doe, Engineer"
              "</tr <p>unclosed <b><i>nested</b></i> &bogus; <!-- never closed <td>"
              "<script>if (a < b) {</script>\x00\x01 <div")
    text = body_text(html_message(broken))
    assert "Jane Doe, Engineer" in text
    assert "\x00" not in text


def test_a_huge_body_is_capped_and_fast() -> None:
    html = "<html><body>" + "<p>Lorem ipsum dolor sit amet 10:00 AM - 11:00 AM</p>" * 100_000
    msg = html_message(html)
    started = time.perf_counter()
    text = body_text(msg)
    found = find_schedules(text, NEW_YORK, SENT)
    elapsed = time.perf_counter() - started
    assert len(html) > 5_000_000
    assert len(text) <= mail_body.MAX_TEXT
    assert found == []  # no date anywhere
    assert elapsed < 3.0


@pytest.mark.parametrize("evil", [
    "<a " * 150_000,  # unclosed tags: the stdlib parser's lookahead made this take minutes
    "<" * 400_000,
    "<![CDATA[x>" * 30_000,
    '<a href="x>' * 40_000,
    "<!--" * 100_000,
    "<style>" * 100_000,
    "<tr><td>a<td>b<br>" * 40_000,
    "<tr " + "<" * 300_000,
])
def test_crafted_markup_stays_fast(evil: str) -> None:
    started = time.perf_counter()
    body_text(html_message("<p>Tuesday, December 1, 2026</p>" + evil))
    assert time.perf_counter() - started < 2.0


def test_comments_styles_and_scripts_are_not_text() -> None:
    markup = ("<p>Jane Doe</p><!-- hidden 10:00 AM --><style>p{x:1}</style>"
              "<script>var t='11:00 AM'</script><p>Staff Engineer</p><!-- unclosed")
    text = body_text(html_message(markup))
    assert "Jane Doe" in text and "Staff Engineer" in text
    assert "AM" not in text and "x:1" not in text


def test_quoted_replies_are_dropped_but_forwarded_messages_kept() -> None:
    reply = ("Let's meet Thursday, December 3 from 2:00 to 3:00 PM ET.\n\nRosa\n\n"
             "On Mon, Nov 23, 2026 at 9:14 AM Alex Rivera <\nalex@rivera.dev> wrote:\n"
             "> I'm free Friday, December 4, 9:00 - 11:00 AM.\n")
    kept = mail_body.drop_quoted(reply)
    assert "Thursday" in kept and "Friday" not in kept and "wrote" not in kept
    outlook = ("Confirmed for Dec 3.\n\n________________________________\n"
               "From: Alex Rivera <alex@rivera.dev>\nSent: Monday, November 23, 2026 9:14 AM\n"
               "To: Rosa\nSubject: Re: next steps\n\nFriday works too.")
    assert "Friday works" not in mail_body.drop_quoted(outlook)
    forward = ("FYI\n\n---------- Forwarded message ---------\nFrom: Acme via Greenhouse\n"
               "Date: Mon, Nov 23, 2026\nSubject: Interview confirmation\nTo: Alex\n\n"
               "Tuesday, December 1, 2026, 10:00 AM - 1:00 PM EST\n")
    assert "10:00 AM - 1:00 PM" in mail_body.drop_quoted(forward)


APPOINTMENT = ("Forwarding Chidi's invite so it lands on your calendar.\n\nBea\n\n"
               "-----Original Appointment-----\n"
               "From: Okonkwo, Chidi <chidi.okonkwo@saltmarshhealth.com>\n"
               "Sent: Monday, November 30, 2026 4:12 PM\n"
               "To: Okonkwo, Chidi; Adeyemi-Hart, Ruth\n"
               "Subject: Interview: Alex Rivera - Staff Data Engineer\n"
               "When: Wednesday, December 9, 2026 11:00 AM-12:00 PM (UTC-05:00) Eastern Time\n")


def test_a_forwarded_outlook_appointment_is_kept_in_a_forward_only() -> None:
    forwarded = mail_body.drop_quoted(APPOINTMENT, forwarded=True)
    assert "When: Wednesday, December 9, 2026" in forwarded and "Bea" in forwarded
    replied = mail_body.drop_quoted(APPOINTMENT)
    assert "When:" not in replied and "Bea" in replied


@pytest.mark.parametrize(("subject", "kept"), [
    ("FW: Interview: Alex Rivera - Staff Data Engineer", True),
    ("Fwd: Interview: Alex Rivera", True),
    ("RE: Interview: Alex Rivera - Staff Data Engineer", False),
])
def test_the_subject_says_whether_the_original_is_the_content(subject: str, kept: bool) -> None:
    msg = EmailMessage()
    msg["From"] = "Lindqvist, Beatrix <beatrix.lindqvist@saltmarshhealth.com>"
    msg["Subject"] = subject
    msg.set_content(APPOINTMENT)
    assert ("December 9, 2026" in body_text(msg)) is kept


def test_an_unknown_charset_is_read_as_utf8() -> None:
    raw = (b"From: a@acme.com\r\nSubject: x\r\nContent-Type: text/plain; charset=x-klingon\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\nJos\xc3\xa9 N\xc3\xba\xc3\xb1ez, Engineer\r\n")
    msg = message_from_bytes(raw, policy=policy.default)
    assert "José Núñez" in body_text(msg)


def test_attachments_are_not_the_body() -> None:
    msg = html_message("<p>Your interview is confirmed.</p>")
    msg.add_attachment(b"Tuesday, December 1, 2026 10:00 AM - 1:00 PM", maintype="text",
                       subtype="plain", filename="notes.txt")
    assert "December" not in body_text(msg)


# --- headers -----------------------------------------------------------------------------------


def test_injected_line_breaks_in_subject_and_display_names_are_flattened() -> None:
    raw = (b"From: =?utf-8?q?Acme_via_Greenhouse=0D=0ABcc:_victim@evil.example?= "
           b"<no-reply@greenhouse-mail.io>\r\n"
           b"Reply-To: \"Jo\\r\\nTo: x\" <jo@acme.com>, bad address <a b@c d>\r\n"
           b"Subject: =?utf-8?q?Interview_confirmation=0D=0ABcc:_victim@evil.example?=\r\n"
           b"\r\nbody\r\n")
    msg = message_from_bytes(raw, policy=policy.default)
    subject = mail_body.header_text(msg, "Subject")
    assert "\r" not in subject and "\n" not in subject
    assert subject.startswith("Interview confirmation")
    (sender,) = mail_body.header_people(msg, "From")
    assert sender.email == "no-reply@greenhouse-mail.io"
    assert "\n" not in sender.name and "\r" not in sender.name
    replies = mail_body.header_people(msg, "Reply-To")
    assert [a.email for a in replies] == ["jo@acme.com"]


def test_an_overlong_subject_is_capped() -> None:
    msg = EmailMessage()
    msg["Subject"] = "Interview " * 500
    assert len(mail_body.header_text(msg, "Subject")) <= mail_body.MAX_HEADER_CHARS


def test_bulk_mail_is_recognised_by_its_list_headers() -> None:
    msg = EmailMessage()
    assert not mail_body.is_bulk(msg)
    msg["List-Unsubscribe"] = "<https://news.example/u>"
    assert mail_body.is_bulk(msg)
    other = EmailMessage()
    other["Precedence"] = "bulk"
    assert mail_body.is_bulk(other)


def test_date_header() -> None:
    msg = EmailMessage()
    msg["Date"] = "Mon, 23 Nov 2026 16:12:04 -0500"
    assert mail_body.sent_at(msg) == datetime(2026, 11, 23, 16, 12, 4,
                                              tzinfo=timezone(timedelta(hours=-5)))
    broken = EmailMessage()
    broken["Date"] = "yesterday-ish"
    assert mail_body.sent_at(broken) is None


def test_location_line() -> None:
    assert mail_body.location_in("Date: x\nLocation: Google Meet (link below)\n") == (
        "Google Meet (link below)")
    assert mail_body.location_in("no location here") == ""
