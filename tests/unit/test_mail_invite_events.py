"""plugin/sources/mail.py on whole messages: events from confirmation texts without any
calendar part, and the mail's facts (sender, Reply-To, subject, body) carried by the events
of calendar parts."""

from __future__ import annotations

from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from afterword.plugin.mailbox.base import WARNING_HEADER
from afterword.plugin.model import CalendarEvent
from afterword.plugin.sources.mail import invite_events

NEW_YORK = ZoneInfo("America/New_York")
START = datetime(2026, 10, 1, tzinfo=NEW_YORK)
END = datetime(2027, 2, 1, tzinfo=NEW_YORK)
TEXT = """Hi Alex,

Your interview with Acme is confirmed.

Date: Tuesday, December 1, 2026
Time: 10:00 AM - 11:30 AM EST
Location: Zoom

10:00 AM - 10:45 AM: Ngozi Adeyemi (Staff Data Engineer)
10:45 AM - 11:30 AM: Henrik Solberg (Engineering Manager)
"""
EVENT = """BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20261120T150000Z\r
DTSTART:{start}\r
DTEND:{end}\r
SUMMARY:Interview with Acme\r
DESCRIPTION:See the confirmation email.\r
ORGANIZER:mailto:no-reply@greenhouse-mail.io\r
ATTENDEE;CN=Alex Rivera;PARTSTAT=NEEDS-ACTION:mailto:alex.rivera@example.com\r
END:VEVENT\r
"""


def calendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\n"
            + "".join(events) + "END:VCALENDAR\r\n").encode()


def event(uid: str, start: str, end: str) -> str:
    return EVENT.format(uid=uid, start=start, end=end)


def confirmation(text: str = TEXT, *, message_id: str | None = "<c-1@greenhouse-mail.io>",
                 ics: bytes | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Acme via Greenhouse <no-reply@greenhouse-mail.io>"
    msg["Reply-To"] = "Maya Goldberg <maya.goldberg@acme.com>"
    msg["To"] = "alex.rivera@example.com"
    msg["Subject"] = "Interview Confirmation - Acme"
    msg["Date"] = "Fri, 20 Nov 2026 15:00:00 +0000"
    if message_id:
        msg["Message-ID"] = message_id
    msg.set_content(text)
    if ics is not None:
        msg.add_attachment(ics, maintype="text", subtype="calendar", filename="invite.ics")
    return msg


def read(*messages: EmailMessage, folder: str = "inbox") -> list[CalendarEvent]:
    return invite_events(list(messages), START, END, NEW_YORK, folder=folder)


def test_a_confirmation_without_calendar_data_becomes_an_event() -> None:
    (found,) = read(confirmation())
    assert (found.start.isoformat(), found.end.isoformat()) == (
        "2026-12-01T10:00:00-05:00", "2026-12-01T11:30:00-05:00")
    assert found.timezone == "America/New_York"
    assert found.summary == "Interview Confirmation - Acme"
    assert found.organizer is not None and found.organizer.name == "Acme via Greenhouse"
    assert found.attendees == ()
    assert "Ngozi Adeyemi" in found.description
    assert found.location == "Zoom"
    assert found.mail is not None and found.mail.body_only
    assert [a.email for a in found.mail.reply_to] == ["maya.goldberg@acme.com"]


def test_its_uid_is_stable_and_comes_from_the_message_id() -> None:
    (first,) = read(confirmation())
    (again,) = read(confirmation())
    (other,) = read(confirmation(message_id="<c-2@greenhouse-mail.io>"))
    assert first.uid == again.uid and first.uid != other.uid
    (no_id,) = read(confirmation(message_id=None))
    (no_id_again,) = read(confirmation(message_id=None))
    assert no_id.uid == no_id_again.uid != first.uid


def test_text_without_a_usable_time_gives_no_event() -> None:
    assert read(confirmation("Your interview is on Tuesday, December 1. Details soon.")) == []
    assert read(confirmation("Time: 10:00 AM - 11:30 AM EST, date to be confirmed.")) == []


def test_bulk_mail_sent_mail_and_our_own_warnings_are_not_read_for_times() -> None:
    bulk = confirmation()
    bulk["List-Unsubscribe"] = "<https://acme.example/u>"
    assert read(bulk) == []
    assert read(confirmation(), folder="sent") == []
    ours = confirmation()
    ours[WARNING_HEADER] = "abc:nudge"
    assert read(ours) == []


def test_an_ics_event_carries_the_mail_and_its_body() -> None:
    ics = calendar(event("gh-1@greenhouse.io", "20261201T150000Z", "20261201T163000Z"))
    (found,) = read(confirmation(ics=ics))
    assert found.uid == "gh-1@greenhouse.io"  # the calendar data's own event, not the text's
    assert found.mail is not None and not found.mail.body_only
    assert found.mail.subject == "Interview Confirmation - Acme"
    assert found.mail.sender is not None and found.mail.sender.email == (
        "no-reply@greenhouse-mail.io")
    assert "Henrik Solberg" in found.mail.text
    assert found.mail.sent_at == datetime.fromisoformat("2026-11-20T15:00:00+00:00")


def test_a_reply_from_someone_else_does_not_fall_back_to_the_text() -> None:
    reply = calendar(event("x@acme.com", "20261201T150000Z", "20261201T163000Z")).replace(
        b"METHOD:REQUEST", b"METHOD:REPLY")
    assert read(confirmation(ics=reply)) == []


def test_one_message_with_several_events_gives_each_only_its_days_text() -> None:
    text = ("Your onsite with Acme:\n\nMonday, December 7, 2026\n"
            "1:00 PM - 1:45 PM Priya Desai, Staff Engineer\n\nTuesday, December 8, 2026\n"
            "10:00 AM - 11:00 AM Gabriel Okafor, Engineering Manager\n")
    ics = calendar(event("day-1@modernloop.io", "20261207T180000Z", "20261207T184500Z"),
                   event("day-2@modernloop.io", "20261208T150000Z", "20261208T160000Z"))
    first, second = read(confirmation(text, ics=ics))
    assert first.mail is not None and second.mail is not None
    assert "Priya" in first.mail.text and "Gabriel" not in first.mail.text
    assert "Gabriel" in second.mail.text and "Priya" not in second.mail.text


def test_several_events_the_body_cannot_tell_apart_get_no_body() -> None:
    ics = calendar(event("slot-1@modernloop.io", "20261201T150000Z", "20261201T154500Z"),
                   event("slot-2@modernloop.io", "20261201T154500Z", "20261201T163000Z"))
    found = read(confirmation(ics=ics))
    assert len(found) == 2
    assert all(e.mail is not None and e.mail.text == "" for e in found)


def test_a_proposal_gives_one_event_per_day_for_detection_to_judge() -> None:
    text = ("Could you share your availability? Options (all ET):\n"
            "* Tuesday, December 15, 2026: 9:30 AM - 1:30 PM\n"
            "* Wednesday, December 16, 2026: 12:00 PM - 4:00 PM\n")
    found = read(confirmation(text))
    assert [e.start.day for e in found] == [15, 16]
    assert len({e.uid for e in found}) == 2


def test_a_broken_message_is_skipped_not_fatal() -> None:
    raw = (b"From: x\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
           b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
           b"\r\n!!!not base64 <table><tr><td>\r\n--b")
    broken = message_from_bytes(raw, _class=EmailMessage, policy=policy.default)
    assert isinstance(broken, EmailMessage)
    (found,) = read(broken, confirmation())
    assert found.mail is not None and found.mail.body_only
