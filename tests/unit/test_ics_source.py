"""The ICS source: hand-written exports in, exact CalendarEvents out."""

from __future__ import annotations

import base64
import http.server
import logging
import socket
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from afterword.plugin.errors import ServiceError, UserError
from afterword.plugin.model import Attendee, CalendarEvent
from afterword.plugin.sources.ical import MAX_DESCRIPTION, parse_calendar
from afterword.plugin.sources.ics import IcsSource, redact_url
from tests.fixtures import ics_fixture

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
NOV_START = datetime(2026, 11, 1, tzinfo=NY)
DEC_START = datetime(2026, 12, 1, tzinfo=NY)
LOGGER = "afterword.sources.ics"
ME = Attendee("alex.rivera@example.com", "Alex Rivera", "ACCEPTED", "REQ-PARTICIPANT",
              "INDIVIDUAL")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def fixture_events(name: str, start: datetime = NOV_START, end: datetime = DEC_START,
                   zone: ZoneInfo = NY) -> list[CalendarEvent]:
    return IcsSource(path=ics_fixture(name), default_zone=zone).events(start, end)


def only(events: list[CalendarEvent]) -> CalendarEvent:
    assert len(events) == 1, [e.summary for e in events]
    return events[0]


def calendar(*events: str, head: str = "") -> bytes:
    body = "".join(events)
    text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n{head}{body}END:VCALENDAR\r\n"
    return text.encode()


def vevent(uid: str, *lines: str) -> str:
    return f"BEGIN:VEVENT\r\nUID:{uid}\r\n" + "".join(f"{line}\r\n" for line in lines) + (
        "END:VEVENT\r\n")


def parse(data: bytes, zone: ZoneInfo = NY) -> list[CalendarEvent]:
    return parse_calendar(data, NOV_START, DEC_START, zone, "test")


# --------------------------------------------------------------------------- fixtures


def test_panel_onsite_keeps_every_attendee_and_the_organizer_apart() -> None:
    event = only(fixture_events("panel_onsite.ics"))
    assert event.uid == "3q7k9v2m1c8d0f5h6j4l2n0p9r@google.com"
    assert event.start == utc(2026, 11, 24, 19, 0) and event.end == utc(2026, 11, 24, 22, 0)
    assert event.start.tzinfo == NY and event.start.hour == 14
    assert (event.timezone, event.all_day, event.status) == ("America/New_York", False,
                                                             "CONFIRMED")
    assert event.recurrence_id == ""
    assert event.summary == "Acme – Senior Data Engineer onsite (panel)"
    assert event.location == "Acme HQ, 200 Hudson St, New York, NY 10013 – Conf Room 4B"
    assert event.organizer == Attendee("recruiting@acme.com", "Acme Recruiting")
    assert event.attendees == (
        Attendee("marcus.oneil@acme.com", "Marcus O'Neil", "ACCEPTED", "REQ-PARTICIPANT",
                 "INDIVIDUAL"),
        Attendee("jose.alvarez@acme.com", "José Álvarez", "ACCEPTED", "REQ-PARTICIPANT",
                 "INDIVIDUAL"),
        Attendee("zoe.ng@acme.com", "Zoë Ng", "TENTATIVE", "REQ-PARTICIPANT", "INDIVIDUAL"),
        ME,
        Attendee("conf-room-4b@resource.calendar.google.com", "NYC-4-Conf Room 4B (8)",
                 "ACCEPTED", "NON-PARTICIPANT", "ROOM"),
        Attendee("acme.com_3830313435363731@resource.calendar.google.com",
                 "NYC-4-Video Cart 2", "ACCEPTED", "REQ-PARTICIPANT", "INDIVIDUAL"),
    )
    schedule = [
        "2:00 PM Marcus O'Neil (Principal Engineer) – Systems design",
        "3:00 PM José Álvarez (Engineering Manager) – Data modeling & SQL",
        "4:00 PM Zoë Ng (Staff Data Engineer) – Pipelines and behavioral",
    ]
    lines = event.description.split("\n")
    assert [line for line in lines if line[:1].isdigit()] == schedule
    assert event.source == f"ics file {ics_fixture('panel_onsite.ics')}"


def test_declined_outlook_invite_maps_the_windows_zone() -> None:
    event = only(fixture_events("declined.ics"))
    assert event.start == utc(2026, 11, 18, 16, 0) and event.end == utc(2026, 11, 18, 16, 45)
    assert event.timezone == "America/New_York"
    assert event.start.tzinfo == NY  # the Exchange VTIMEZONE became the IANA zone
    assert event.summary == "Interview: Initech – Data Platform Engineer (hiring manager)"
    assert event.organizer == Attendee("priya.shah@initech.io", "Priya Shah")
    assert event.attendees == (
        Attendee("alex.rivera@example.com", "Alex Rivera", "DECLINED", "REQ-PARTICIPANT"),
        Attendee("tom.becker@initech.io", "Tom Becker", "NEEDS-ACTION", "OPT-PARTICIPANT"),
    )


def test_cancelled_event_in_utc_has_no_zone_and_drops_an_address_used_as_name() -> None:
    event = only(fixture_events("cancelled.ics"))
    assert event.status == "CANCELLED"
    assert event.start == utc(2026, 11, 20, 18, 0) and event.end == utc(2026, 11, 20, 19, 0)
    assert event.start.utcoffset() == timedelta(0)
    assert event.timezone is None
    # Google writes the address as CN when it knows no name
    assert event.attendees[1] == Attendee("alex.rivera@example.com", "", "ACCEPTED",
                                          "REQ-PARTICIPANT", "INDIVIDUAL")


@pytest.mark.parametrize(("head", "status_line", "expected"), [
    ("METHOD:CANCEL\r\n", "", "CANCELLED"),
    ("", "STATUS:CANCELED", "CANCELLED"),
    ("", "STATUS:tentative", "TENTATIVE"),
    ("", "STATUS:SOMETHING-ELSE", "CONFIRMED"),
    ("", "", "CONFIRMED"),
])
def test_status(head: str, status_line: str, expected: str) -> None:
    lines = ["DTSTART:20261110T150000Z", "DTEND:20261110T160000Z"]
    if status_line:
        lines.append(status_line)
    assert only(parse(calendar(vevent("s", *lines), head=head))).status == expected


def test_recurring_series_applies_exdate_rdate_and_the_moved_occurrence() -> None:
    events = fixture_events("recurring_exception.ics")
    assert [e.start for e in events] == [
        utc(2026, 11, 2, 15, 0),
        utc(2026, 11, 16, 20, 0),  # moved from 10:00 to 15:00 the same day
        utc(2026, 11, 19, 21, 0),  # RDATE, a Thursday
        utc(2026, 11, 23, 15, 0),
        utc(2026, 11, 30, 15, 0),
    ]  # 9 November is excluded
    assert {e.uid for e in events} == {"8F0C6A1E-3B7D-4C52-9E11-2A6D5B4F7C90"}
    assert all(e.timezone == "America/New_York" for e in events)
    assert [e.end - e.start for e in events] == [timedelta(minutes=30)] * 5
    moved = events[1]
    assert moved.summary == "Data Guild weekly sync (moved to 3 PM)"
    assert (moved.start.hour, moved.end.hour, moved.end.minute) == (15, 15, 30)
    assert moved.recurrence_id == "2026-11-16T15:00:00+00:00"
    assert [a.email for a in moved.attendees] == ["sam.okafor@example.com",
                                                  "alex.rivera@example.com"]
    assert [e.recurrence_id for e in events] == [
        "2026-11-02T15:00:00+00:00", "2026-11-16T15:00:00+00:00",
        "2026-11-19T21:00:00+00:00", "2026-11-23T15:00:00+00:00",
        "2026-11-30T15:00:00+00:00"]
    assert events[0].summary == "Data Guild weekly sync" and len(events[0].attendees) == 3


def test_recurring_series_keeps_local_time_across_dst() -> None:
    events = fixture_events("recurring_exception.ics", start=datetime(2026, 10, 20, tzinfo=NY))
    assert len(events) == 6
    first, second = events[0], events[1]
    assert first.start == utc(2026, 10, 26, 14, 0)  # 10:00 EDT
    assert second.start == utc(2026, 11, 2, 15, 0)  # 10:00 EST
    assert first.start.hour == second.start.hour == 10


def test_other_timezone_keeps_london() -> None:
    event = only(fixture_events("other_timezone.ics"))
    assert event.start == utc(2026, 11, 23, 16, 30) and event.end == utc(2026, 11, 23, 17, 30)
    assert event.timezone == "Europe/London"
    assert event.start.tzinfo == LONDON
    assert [a.name for a in event.attendees] == ["Harriet Cole", "Oliver Bennett",
                                                 "Alex Rivera"]


def test_dst_end_ambiguous_start_is_the_first_one_and_the_span_is_real_time() -> None:
    round2, wrap_up = fixture_events("dst_end.ics", start=datetime(2026, 10, 31, tzinfo=NY))
    # 01:30 happens twice on 1 November 2026; RFC 5545 means the first (EDT). Python's ==
    # between zones is always False for an ambiguous time (PEP 495), so compare in UTC.
    assert round2.start.astimezone(UTC) == utc(2026, 11, 1, 5, 30)
    assert (round2.start.hour, round2.start.minute, round2.start.fold) == (1, 30, 0)
    assert round2.start.utcoffset() == timedelta(hours=-4)
    assert round2.end.astimezone(UTC) == utc(2026, 11, 1, 7, 30)  # 02:30 EST
    assert round2.end.utcoffset() == timedelta(hours=-5)
    assert round2.end.astimezone(UTC) - round2.start.astimezone(UTC) == timedelta(hours=2)
    assert round2.timezone == "America/New_York"
    assert wrap_up.start == utc(2026, 11, 1, 7, 45) and wrap_up.end == utc(2026, 11, 1, 8, 15)
    assert wrap_up.timezone is None
    assert wrap_up.start.astimezone(NY).strftime("%H:%M %Z") == "02:45 EST"


def test_all_day_events_start_at_midnight_in_the_default_zone() -> None:
    onsite, offer = fixture_events("all_day.ics")
    assert onsite.summary == "Onsite day – Acme"
    assert onsite.all_day is True and onsite.timezone is None
    assert onsite.start == datetime(2026, 11, 24, tzinfo=NY)
    assert onsite.end == datetime(2026, 11, 25, tzinfo=NY)
    assert onsite.location == "Acme HQ\n200 Hudson St, New York, NY 10013"
    assert onsite.attendees == (
        Attendee("recruiting@acme.com", "Acme Recruiting", "ACCEPTED", "CHAIR", "INDIVIDUAL"),
        Attendee("marcus.oneil@acme.com", "Marcus O'Neil", "ACCEPTED", "REQ-PARTICIPANT",
                 "INDIVIDUAL"),
        Attendee("priya.raman@acme.com", "Priya Raman", "NEEDS-ACTION", "REQ-PARTICIPANT",
                 "INDIVIDUAL"),
        # Apple's urn:uuid attendee: the address comes from the EMAIL parameter
        Attendee("alex@rivera.dev", "Alex Rivera", "ACCEPTED", "REQ-PARTICIPANT",
                 "INDIVIDUAL"),
    )
    assert offer.summary == "Offer decision due – Acme"
    assert offer.all_day and offer.attendees == () and offer.organizer is None
    assert offer.start == datetime(2026, 11, 30, tzinfo=NY)
    assert offer.end == datetime(2026, 12, 1, tzinfo=NY)  # no DTEND: one day


def test_all_day_follows_the_default_zone() -> None:
    onsite = fixture_events("all_day.ics", zone=LONDON)[0]
    assert onsite.start == datetime(2026, 11, 24, tzinfo=LONDON) == utc(2026, 11, 24)


def test_non_ascii_names_survive_folds_inside_utf8_characters() -> None:
    raw = ics_fixture("non_ascii.ics").read_bytes()
    assert b"\xe6\x9d\x8e\xe5\xb0\r\n \x8f" in raw  # 李小: the fold splits 小
    event = only(fixture_events("non_ascii.ics"))
    assert [a.name for a in event.attendees] == ["Søren Kierkegård", "李小龙",
                                                 "Zoë Ångström", "Alex Rivera"]
    assert event.attendees[2].partstat == "TENTATIVE"
    assert event.organizer == Attendee("soren.kierkegard@nordlys.dk", "Søren Kierkegård")
    assert "– 李小龙 (数据工程师 / Data Engineer)\n– Zoë Ångström (Analytics Lead)" in (
        event.description)
    assert event.summary.endswith("(samtale med Søren, 李小龙 & Zoë)")
    text = event.summary + event.description + event.location
    assert "\ufffd" not in text + "".join(a.name for a in event.attendees)
    assert event.start == utc(2026, 11, 17, 14, 0) and event.timezone == "Europe/Copenhagen"


def test_rfc6868_escapes_in_cn_are_decoded_once() -> None:
    event = only(fixture_events("rfc6868_cn.ics"))
    assert event.organizer == Attendee("recruiting@acme.com", "Acme Talent Recruiting Ops")
    assert event.attendees == (
        Attendee("marcus.oneil@acme.com", "Marcus \"Mac\" O'Neil Principal Engineer",
                 "ACCEPTED", "REQ-PARTICIPANT", "INDIVIDUAL"),
        Attendee("dana.whitfield@acme.com", "Dana Whitfield ^ Recruiting", "ACCEPTED",
                 "OPT-PARTICIPANT", "INDIVIDUAL"),
        ME,
    )


def test_me_as_interviewer() -> None:
    event = only(fixture_events("me_as_interviewer.ics"))
    assert event.summary == "Interview: Candidate Jordan Lee"
    assert event.start == utc(2026, 11, 19, 19, 0) and event.end == utc(2026, 11, 19, 20, 0)
    assert event.organizer == Attendee("recruiting@example.com", "Example Co Recruiting")
    assert [(a.email, a.name) for a in event.attendees] == [
        ("jordan.lee.dev@gmail.com", "Jordan Lee"),
        ("alex.rivera@example.com", "Alex Rivera"),
        ("sam.okafor@example.com", "Sam Okafor"),
    ]


def test_malformed_event_is_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        events = fixture_events("malformed.ics")
    assert [e.summary for e in events] == ["Coffee chat – Globex data team",
                                           "Acme – recruiter call"]
    assert [e.start for e in events] == [utc(2026, 11, 16, 14, 0), utc(2026, 11, 18, 17, 0)]
    warnings = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "broken-dtstart-7731@google.com" in warnings[0].getMessage()
    assert "DTSTART" in warnings[0].getMessage()


def test_huge_description_is_truncated(tmp_path: Path) -> None:
    words = "Agenda\\, notes\\; and a long list of things to discuss. "
    line = ("DESCRIPTION:" + words * (1_000_000 // len(words))).encode()
    folded = b"\r\n ".join(line[i:i + 74] for i in range(0, len(line), 74))
    path = tmp_path / "huge_description.ics"
    path.write_bytes(calendar(vevent("huge", "DTSTART:20261110T150000Z",
                                     "DTEND:20261110T160000Z", "SUMMARY:Big agenda",
                                     folded.decode())))
    assert path.stat().st_size > 1_000_000
    event = only(IcsSource(path=path, default_zone=NY).events(NOV_START, DEC_START))
    assert event.summary == "Big agenda"
    assert len(event.description) == MAX_DESCRIPTION
    assert event.description.startswith("Agenda, notes; and a long list")


# --------------------------------------------------------------------------- parsing rules


@pytest.mark.parametrize("broken", [
    ("SUMMARY:no start at all",),
    ("DTSTART:not-a-date",),
    ("DTSTART:20261110T150000Z", "RRULE:FREQ=SOMETIMES"),
    ("DTSTART:20261110T150000Z", "RRULE:FREQ=WEEKLY;INTERVAL=0"),  # would loop forever
    ("DTSTART:20261110T150000Z", "RRULE:FREQ=SECONDLY"),
    ("DTSTART:20261110T150000Z", "DTEND:20261110T160000Z", "EXDATE:garbage"),
])
def test_each_kind_of_broken_event_is_skipped_alone(
    broken: tuple[str, ...], caplog: pytest.LogCaptureFixture
) -> None:
    data = calendar(vevent("good-1", "DTSTART:20261110T150000Z"), vevent("bad-1", *broken),
                    vevent("good-2", "DTSTART:20261111T150000Z"))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        events = parse(data)
    assert [e.uid for e in events] == ["good-1", "good-2"]
    assert any("bad-1" in r.getMessage() for r in caplog.records if r.name == LOGGER)


def test_library_failure_on_one_series_falls_back_to_event_by_event(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # parses fine, but expanding it fails: the period ends before it starts
    bad = vevent("bad-period", "DTSTART:20261110T150000Z", "DTEND:20261110T160000Z",
                 "RDATE;VALUE=PERIOD:20261112T150000Z/20261112T140000Z")
    data = calendar(vevent("good-1", "DTSTART:20261110T150000Z"), bad,
                    vevent("good-2", "DTSTART:20261111T150000Z"))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        events = parse(data)
    assert [e.uid for e in events] == ["good-1", "good-2"]
    assert any("bad-period" in r.getMessage() for r in caplog.records)


def test_a_broken_override_drops_its_whole_series() -> None:
    """Dropping only the override would bring back the occurrence it moved."""
    master = vevent("series", "DTSTART:20261102T150000Z", "DTEND:20261102T160000Z",
                    "RRULE:FREQ=WEEKLY;COUNT=3")
    override = vevent("series", "RECURRENCE-ID:20261109T150000Z", "DTSTART:garbage")
    assert parse(calendar(master, override, vevent("other", "DTSTART:20261110T150000Z"))) == [
        only(parse(calendar(vevent("other", "DTSTART:20261110T150000Z"))))]


def test_floating_time_is_read_in_the_default_zone_even_with_x_wr_timezone() -> None:
    data = calendar(vevent("f", "DTSTART:20261110T090000", "DTEND:20261110T100000"),
                    head="X-WR-TIMEZONE:Europe/Berlin\r\n")
    event = only(parse(data))
    assert event.start == datetime(2026, 11, 10, 9, tzinfo=NY) and event.start.tzinfo == NY
    assert event.timezone is None
    assert only(parse(data, zone=LONDON)).start == utc(2026, 11, 10, 9)


def test_utc_series_repeats_at_the_same_instant_ignoring_x_wr_timezone() -> None:
    data = calendar(vevent("u", "DTSTART:20261026T140000Z", "DTEND:20261026T143000Z",
                           "RRULE:FREQ=WEEKLY;COUNT=3"), head="X-WR-TIMEZONE:America/New_York\r\n")
    events = parse_calendar(data, datetime(2026, 10, 1, tzinfo=NY), DEC_START, NY, "t")
    assert [e.start for e in events] == [utc(2026, 10, 26, 14), utc(2026, 11, 2, 14),
                                         utc(2026, 11, 9, 14)]
    assert {e.timezone for e in events} == {None}


@pytest.mark.parametrize(("tzid", "zone"), [
    ("GMT Standard Time", "Europe/London"),
    ("Eastern Standard Time", "America/New_York"),
    ("/freeassociation.sourceforge.net/Europe/Paris", "Europe/Paris"),
])
def test_zone_names_without_vtimezone(tzid: str, zone: str) -> None:
    event = only(parse(calendar(vevent("w", f"DTSTART;TZID=\"{tzid}\":20261110T090000",
                                       f"DTEND;TZID=\"{tzid}\":20261110T100000"))))
    assert event.timezone == zone
    assert event.start == datetime(2026, 11, 10, 9, tzinfo=ZoneInfo(zone))


def test_end_from_duration_else_zero_length() -> None:
    data = calendar(vevent("d", "DTSTART:20261110T150000Z", "DURATION:PT45M"),
                    vevent("z", "DTSTART:20261110T170000Z"),
                    vevent("a", "DTSTART;VALUE=DATE:20261112", "DURATION:P2D"))
    duration, zero, days = parse(data)
    assert duration.end == utc(2026, 11, 10, 15, 45)
    assert zero.start == zero.end == utc(2026, 11, 10, 17)
    assert days.all_day and days.end == datetime(2026, 11, 14, tzinfo=NY)


def test_window_is_half_open_by_instant() -> None:
    data = calendar(
        vevent("ends-at-start", "DTSTART:20261101T030000Z", "DTEND:20261101T040000Z"),
        vevent("straddles-start", "DTSTART:20261101T033000Z", "DTEND:20261101T043000Z"),
        vevent("starts-at-end", "DTSTART:20261201T050000Z", "DTEND:20261201T060000Z"),
        vevent("point-at-start", "DTSTART:20261101T040000Z"),
        vevent("point-at-end", "DTSTART:20261201T050000Z"),
    )  # the window is [2026-11-01 04:00Z, 2026-12-01 05:00Z)
    assert [e.uid for e in parse(data)] == ["straddles-start", "point-at-start"]


def test_all_day_recurrence_ids_are_dates() -> None:
    data = calendar(vevent("daily", "DTSTART;VALUE=DATE:20261110", "RRULE:FREQ=DAILY;COUNT=2"))
    assert [e.recurrence_id for e in parse(data)] == ["2026-11-10", "2026-11-11"]


def test_attendee_addresses_and_duplicates() -> None:
    data = calendar(vevent(
        "a", "DTSTART:20261110T150000Z",
        "ATTENDEE;CN=Kim:MAILTO:Kim.Park@Example.ORG",
        "ATTENDEE;CN=Kim again:mailto:kim.park@example.org",
        "ATTENDEE;CN=No Address:urn:uuid:0b5c2a3e-1111-2222-3333-444455556666",
        "ATTENDEE;CN=\"Ng, Zoë\";PARTSTAT=accepted;cutype=individual:mailto:zoe@example.org",
    ))
    assert only(parse(data)).attendees == (
        Attendee("kim.park@example.org", "Kim"),
        Attendee("", "No Address"),
        Attendee("zoe@example.org", "Ng, Zoë", "ACCEPTED", "", "INDIVIDUAL"),
    )


def test_concatenated_calendars_are_all_read() -> None:
    data = calendar(vevent("one", "DTSTART:20261110T150000Z")) + calendar(
        vevent("two", "DTSTART:20261111T150000Z"))
    assert [e.uid for e in parse(data)] == ["one", "two"]


def test_event_without_uid_gets_a_stable_one() -> None:
    data = calendar("BEGIN:VEVENT\r\nDTSTART:20261110T150000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\n")
    first, again = only(parse(data)), only(parse(data))
    assert first.uid.startswith("no-uid-") and first.uid == again.uid


def test_naive_window_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_calendar(calendar(), datetime(2026, 11, 1), DEC_START, NY, "t")


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("content", [
    b"<html><body>Please sign in</body></html>",
    b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alex Rivera\r\nEND:VCARD\r\n",
    b"",
])
def test_not_a_calendar_names_the_path(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "calendar.ics"
    path.write_bytes(content)
    with pytest.raises(ServiceError, match="not an iCalendar calendar") as caught:
        IcsSource(path=path, default_zone=NY).events(NOV_START, DEC_START)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "calendar.ics"
    source = IcsSource(path=path, default_zone=NY)
    with pytest.raises(ServiceError, match="not found") as caught:
        source.events(NOV_START, DEC_START)
    assert str(path) in str(caught.value)
    with pytest.raises(ServiceError):
        source.describe()


def test_describe_file() -> None:
    path = ics_fixture("recurring_exception.ics")
    assert IcsSource(path=path, default_zone=NY).describe() == [f"ics file {path}: 1 event"]
    path = ics_fixture("malformed.ics")
    assert IcsSource(path=path, default_zone=NY).describe() == [f"ics file {path}: 3 events"]


def test_source_needs_exactly_one_of_path_and_url() -> None:
    with pytest.raises(UserError):
        IcsSource(default_zone=NY)
    with pytest.raises(UserError):
        IcsSource(path=Path("a.ics"), url="https://example.com/a.ics", default_zone=NY)
    with pytest.raises(UserError, match="http"):
        IcsSource(url="ftp://example.com/a.ics", default_zone=NY)
    assert IcsSource(path=Path("a.ics")).kind == "ics"


# --------------------------------------------------------------------------- url


class _Server:
    """A tiny loopback calendar server that honours conditional GETs."""

    def __init__(self, body: bytes, etag: str = '"v1"') -> None:
        self.body = body
        self.etag = etag
        self.status = 200
        self.requests: list[dict[str, str]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append({k.lower(): v for k, v in self.headers.items()})
                if server.status != 200:
                    self.send_error(server.status)
                    return
                if self.headers.get("If-None-Match") == server.etag:
                    self.send_response(304)
                    self.send_header("ETag", server.etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("ETag", server.etag)
                self.send_header("Last-Modified", "Tue, 24 Nov 2026 12:00:00 GMT")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)

    def url(self, path: str = "/cal/basic.ics", auth: str = "") -> str:
        return f"http://{auth}127.0.0.1:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(ics_fixture("panel_onsite.ics").read_bytes())
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def test_url_second_fetch_is_answered_304_from_the_cache(server: _Server, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = IcsSource(url=server.url(), default_zone=NY, cache_dir=cache, timeout=5)
    events = first.events(NOV_START, DEC_START)
    assert [e.summary for e in events] == ["Acme – Senior Data Engineer onsite (panel)"]
    assert events[0].source == f"ics url {server.url()}"
    assert "if-none-match" not in server.requests[0]
    files = sorted(cache.iterdir())
    assert len(files) == 2 and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)

    # a new process (new source object) revalidates with the cached validators
    second = IcsSource(url=server.url(), default_zone=NY, cache_dir=cache, timeout=5)
    assert second.events(NOV_START, DEC_START) == events
    assert server.requests[1]["if-none-match"] == '"v1"'
    assert server.requests[1]["if-modified-since"] == "Tue, 24 Nov 2026 12:00:00 GMT"
    assert second.describe() == [f"ics url {server.url()}: 1 event (304 not modified)"]


def test_url_changed_calendar_is_fetched_again(server: _Server, tmp_path: Path) -> None:
    source = IcsSource(url=server.url(), default_zone=NY, cache_dir=tmp_path, timeout=5)
    assert source.describe() == [f"ics url {server.url()}: 1 event (200 OK)"]
    server.body, server.etag = ics_fixture("declined.ics").read_bytes(), '"v2"'
    (event,) = source.events(NOV_START, DEC_START)
    assert event.summary.startswith("Interview: Initech")
    assert server.requests[1]["if-none-match"] == '"v1"'


def test_url_without_cache_dir_still_revalidates_in_memory(server: _Server) -> None:
    source = IcsSource(url=server.url(), default_zone=NY, timeout=5)
    source.events(NOV_START, DEC_START)
    assert len(source.events(NOV_START, DEC_START)) == 1
    assert server.requests[1]["if-none-match"] == '"v1"'


def test_url_credentials_are_sent_but_never_shown(server: _Server) -> None:
    url = server.url(auth="alex:s3cr%40t@")
    source = IcsSource(url=url, default_zone=NY, timeout=5)
    (line,) = source.describe()
    expected = base64.b64encode(b"alex:s3cr@t").decode()
    assert server.requests[0]["authorization"] == f"Basic {expected}"
    assert "s3cr" not in line and "alex:" not in line
    server.status = 401
    with pytest.raises(ServiceError, match="HTTP 401") as caught:
        IcsSource(url=url, default_zone=NY, timeout=5).events(NOV_START, DEC_START)
    assert "s3cr" not in str(caught.value) and "127.0.0.1" in str(caught.value)


def test_url_http_error(server: _Server) -> None:
    server.status = 404
    with pytest.raises(ServiceError, match=r"ics url http://127\.0\.0\.1:\d+/cal/basic\.ics: "
                       r"HTTP 404"):
        IcsSource(url=server.url(), default_zone=NY, timeout=5).events(NOV_START, DEC_START)


def test_url_html_login_page_is_not_a_calendar(server: _Server) -> None:
    server.body = b"<html><body>Sign in</body></html>"
    with pytest.raises(ServiceError, match="not an iCalendar calendar"):
        IcsSource(url=server.url(), default_zone=NY, timeout=5).events(NOV_START, DEC_START)


def test_url_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://user:hunter2@127.0.0.1:{port}/calendar.ics"
    with pytest.raises(ServiceError, match="cannot fetch") as caught:
        IcsSource(url=url, default_zone=NY, timeout=2).events(NOV_START, DEC_START)
    message = str(caught.value)
    assert f"127.0.0.1:{port}/calendar.ics" in message
    assert "hunter2" not in message and "user" not in message and "\n" not in message


def test_url_timeout() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/calendar.ics"
        with pytest.raises(ServiceError, match="timed out"):
            IcsSource(url=url, default_zone=NY, timeout=0.3).events(NOV_START, DEC_START)


def test_redact_url() -> None:
    assert redact_url("https://u:p@calendar.google.com/calendar/ical/a%40b.com/"
                      "private-0123abcd/basic.ics") == (
        "https://calendar.google.com/calendar/ical/a%40b.com/private-…/basic.ics")
    assert redact_url("https://host:8443/feed.ics?token=abc#x") == "https://host:8443/feed.ics?…"


def test_text_escaped_twice_by_its_exporter_is_read_once_more() -> None:
    data = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//twice//EN\r\nBEGIN:VEVENT\r\n"
        "UID:twice@acme.com\r\nDTSTAMP:20261101T120000Z\r\n"
        "DTSTART:20261124T190000Z\r\nDTEND:20261124T200000Z\r\n"
        "SUMMARY:Interview – Acme\\\\, Inc.\r\n"
        "DESCRIPTION:Panel:\\\\n2:00 PM Marcus O'Neil (Principal Engineer)\\\\n"
        "3:00 PM Priya Shah (Engineering Manager)\\\\nPath: C:\\\\\\\\share\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()
    (event,) = parse_calendar(data, NOV_START, DEC_START, NY, "twice.ics")
    assert event.summary == "Interview – Acme, Inc."
    assert event.description.splitlines() == [
        "Panel:", "2:00 PM Marcus O'Neil (Principal Engineer)",
        "3:00 PM Priya Shah (Engineering Manager)", "Path: C:\\share"]
