"""GoogleCalendarSource against the emulator, through the real Google client."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from afterword.plugin.config import CalendarConfig
from afterword.plugin.errors import UserError
from afterword.plugin.model import Attendee
from afterword.plugin.sources.google import GoogleCalendarSource
from tests.emulators.google_api import GoogleEmulator

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
WINDOW = (datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 10, tzinfo=UTC))


def timed(start: str, end: str, zone: str | None = None, **fields: object) -> dict[str, object]:
    event: dict[str, object] = {
        "summary": "Interview: Data Engineer", "start": {"dateTime": start},
        "end": {"dateTime": end}, **fields}
    if zone:
        event["start"] = {"dateTime": start, "timeZone": zone}
        event["end"] = {"dateTime": end, "timeZone": zone}
    return event


def test_events_are_read_from_the_calendar_path(calendar: GoogleCalendarSource,
                                                google: GoogleEmulator) -> None:
    google.add_event("primary", timed("2024-03-05T10:00:00-05:00", "2024-03-05T11:00:00-05:00"))

    [event] = calendar.events(*WINDOW)

    [call] = google.calls
    assert call.path == "/calendar/v3/calendars/primary/events"
    assert call.method_id == "calendar.events.list"
    assert call.query["singleEvents"] == ["true"]
    assert call.query["showDeleted"] == ["false"]
    assert call.query["timeMin"] == ["2024-03-01T00:00:00Z"]
    assert call.query["timeMax"] == ["2024-04-09T00:00:00Z"]  # 30 days more: see HORIZON
    assert event.start == datetime(2024, 3, 5, 15, 0, tzinfo=UTC)
    assert event.source == "google:primary"


def test_pages_are_followed(google: GoogleEmulator, calendar: GoogleCalendarSource) -> None:
    calendar.page_size = 2
    for day in range(1, 6):
        google.add_event("primary", timed(f"2024-03-0{day}T10:00:00Z", f"2024-03-0{day}T11:00:00Z",
                                          id=f"ev{day}"))

    events = calendar.events(*WINDOW)

    assert [e.uid for e in events] == [f"ev{day}@google.com" for day in range(1, 6)]
    calls = google.calls_to("calendar.events.list")
    assert len(calls) == 3
    assert [c.query.get("pageToken") for c in calls] == [None, ["2"], ["4"]]


def test_attendees_are_mapped(google: GoogleEmulator, calendar: GoogleCalendarSource) -> None:
    google.add_event("primary", timed(
        "2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z",
        organizer={"email": "Recruiter@Acme.com", "displayName": "Rita Recruiter"},
        attendees=[
            {"email": "alex.rivera@example.com", "self": True, "responseStatus": "accepted"},
            {"email": "Jorg@Acme.com", "displayName": "Jörg  Müller",
             "responseStatus": "needsAction", "organizer": True},
            {"email": "dana@acme.com", "displayName": "dana@acme.com",
             "responseStatus": "tentative", "optional": True},
            {"email": "lee@acme.com", "responseStatus": "declined"},
            {"email": "c_123@resource.calendar.google.com", "displayName": "Room 4",
             "resource": True, "responseStatus": "accepted"},
            {"email": "jorg@acme.com", "responseStatus": "accepted"},  # a duplicate
        ]))

    [event] = calendar.events(*WINDOW)

    assert event.organizer == Attendee("recruiter@acme.com", "Rita Recruiter", "",
                                       "REQ-PARTICIPANT", "INDIVIDUAL")
    assert event.attendees == (
        Attendee("alex.rivera@example.com", "", "ACCEPTED", "REQ-PARTICIPANT", "INDIVIDUAL"),
        Attendee("jorg@acme.com", "Jörg Müller", "NEEDS-ACTION", "REQ-PARTICIPANT",
                 "INDIVIDUAL"),
        Attendee("dana@acme.com", "", "TENTATIVE", "OPT-PARTICIPANT", "INDIVIDUAL"),
        Attendee("lee@acme.com", "", "DECLINED", "REQ-PARTICIPANT", "INDIVIDUAL"),
        Attendee("c_123@resource.calendar.google.com", "Room 4", "ACCEPTED",
                 "REQ-PARTICIPANT", "RESOURCE"),
    )


def test_cancelled_events_are_left_out(google: GoogleEmulator,
                                       calendar: GoogleCalendarSource) -> None:
    google.add_event("primary", timed("2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z",
                                      status="cancelled", id="gone"))
    google.add_event("primary", timed("2024-03-06T10:00:00Z", "2024-03-06T11:00:00Z",
                                      status="tentative", id="maybe"))

    [event] = calendar.events(*WINDOW)

    assert (event.uid, event.status) == ("maybe@google.com", "TENTATIVE")


def test_a_cancelled_event_google_still_returns_is_marked(google: GoogleEmulator) -> None:
    from afterword.plugin.sources.google import to_event

    item = timed("2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z", status="cancelled", id="x")
    assert to_event(item, None, BERLIN, "google:primary").status == "CANCELLED"


def test_all_day_events_run_midnight_to_midnight_in_the_calendars_zone(
    google: GoogleEmulator, calendar: GoogleCalendarSource
) -> None:
    google.add_event("primary", {"summary": "Onsite", "start": {"date": "2024-03-05"},
                                 "end": {"date": "2024-03-06"}})

    [event] = calendar.events(*WINDOW)

    assert event.all_day is True
    assert event.start == datetime(2024, 3, 5, tzinfo=NEW_YORK)  # the calendar's zone
    assert event.end == datetime(2024, 3, 6, tzinfo=NEW_YORK)
    assert event.timezone is None


def test_the_events_own_zone_wins_over_the_calendars(
    google: GoogleEmulator, calendar: GoogleCalendarSource
) -> None:
    google.add_event("primary", timed("2024-03-05T14:00:00Z", "2024-03-05T15:00:00Z",
                                      zone="Europe/London", id="london"))
    google.add_event("primary", timed("2024-03-06T10:00:00-05:00", "2024-03-06T11:00:00-05:00",
                                      id="calendar-zone"))

    london, home = calendar.events(*WINDOW)

    assert london.timezone == "Europe/London"
    assert london.start == datetime(2024, 3, 5, 14, 0, tzinfo=LONDON)
    assert london.start.tzinfo == LONDON
    assert home.timezone == "America/New_York"
    assert home.start == datetime(2024, 3, 6, 10, 0, tzinfo=NEW_YORK)


def test_a_utc_calendar_gives_no_zone(google: GoogleEmulator,
                                      calendar: GoogleCalendarSource) -> None:
    google.calendars["primary"].time_zone = "UTC"
    google.add_event("primary", timed("2024-03-05T14:00:00Z", "2024-03-05T15:00:00Z"))

    [event] = calendar.events(*WINDOW)

    assert event.timezone is None
    assert event.start == datetime(2024, 3, 5, 14, 0, tzinfo=UTC)


def test_recurring_instances_carry_their_original_start(
    google: GoogleEmulator, calendar: GoogleCalendarSource
) -> None:
    for day, moved in ((4, None), (5, "2024-03-05T16:00:00+01:00")):
        start = moved or f"2024-03-0{day}T14:00:00+01:00"
        end = start.replace("T14", "T15").replace("T16", "T17")
        google.add_event("primary", timed(
            start, end, zone="Europe/Berlin", id=f"series_2024030{day}T130000Z",
            iCalUID="series@google.com", recurringEventId="series",
            originalStartTime={"dateTime": f"2024-03-0{day}T14:00:00+01:00",
                               "timeZone": "Europe/Berlin"}))
    google.add_event("primary", {"summary": "Daily", "id": "allday_20240307",
                                 "iCalUID": "allday@google.com", "recurringEventId": "allday",
                                 "start": {"date": "2024-03-07"}, "end": {"date": "2024-03-08"},
                                 "originalStartTime": {"date": "2024-03-07"}})

    first, moved, daily = calendar.events(*WINDOW)

    assert (first.uid, first.recurrence_id) == ("series@google.com", "2024-03-04T13:00:00+00:00")
    assert (moved.uid, moved.recurrence_id) == ("series@google.com", "2024-03-05T13:00:00+00:00")
    assert moved.start == datetime(2024, 3, 5, 16, 0, tzinfo=BERLIN)
    assert (daily.uid, daily.recurrence_id) == ("allday@google.com", "2024-03-07")


def test_single_events_have_no_recurrence_id(google: GoogleEmulator,
                                             calendar: GoogleCalendarSource) -> None:
    google.add_event("primary", timed("2024-03-05T14:00:00Z", "2024-03-05T15:00:00Z",
                                      description="Zoom: https://x\r\nAgenda", location="HQ"))

    [event] = calendar.events(*WINDOW)

    assert event.recurrence_id == ""
    assert (event.description, event.location) == ("Zoom: https://x\nAgenda", "HQ")


def test_a_malformed_event_is_skipped_with_a_warning(
    google: GoogleEmulator, calendar: GoogleCalendarSource, caplog: pytest.LogCaptureFixture
) -> None:
    google.add_event("primary", timed("2024-03-05T14:00:00Z", "2024-03-05T15:00:00Z", id="ok"))
    google.add_event("primary", {"id": "broken", "start": {"dateTime": "2024-03-05T16:00:00Z"},
                                 "end": {"dateTime": "not a time"}})
    google.add_event("primary", timed("2024-03-06T14:00:00Z", "2024-03-06T13:00:00Z",
                                      id="backwards"))

    with caplog.at_level(logging.WARNING, logger="afterword.sources.google"):
        events = calendar.events(*WINDOW)

    assert [e.uid for e in events] == ["ok@google.com"]
    assert "skipping event broken" in caplog.text
    assert "skipping event backwards" in caplog.text


def test_several_calendars_are_merged_in_time_order(
    google: GoogleEmulator, calendar: GoogleCalendarSource
) -> None:
    google.add_calendar("jobs@group.calendar.google.com", summary="Job hunt",
                        time_zone="Europe/Berlin")
    google.add_event("jobs@group.calendar.google.com",
                     timed("2024-03-05T09:00:00Z", "2024-03-05T10:00:00Z", id="early"))
    google.add_event("primary", timed("2024-03-05T14:00:00Z", "2024-03-05T15:00:00Z", id="late"))
    calendar.calendar_ids = ("primary", "jobs@group.calendar.google.com")

    early, late = calendar.events(*WINDOW)

    assert (early.uid, early.source) == ("early@google.com",
                                         "google:jobs@group.calendar.google.com")
    assert early.timezone == "Europe/Berlin"
    assert late.uid == "late@google.com"
    assert google.calls[1].path == "/calendar/v3/calendars/jobs%40group.calendar.google.com/events"


def test_an_unknown_calendar_id_is_a_config_error(calendar: GoogleCalendarSource) -> None:
    calendar.calendar_ids = ("nope@group.calendar.google.com",)

    with pytest.raises(UserError, match=r"calendar\.calendar_ids.*nope@group"):
        calendar.events(*WINDOW)


def test_describe_names_each_calendar(google: GoogleEmulator,
                                      calendar: GoogleCalendarSource) -> None:
    soon = datetime.now(UTC) + timedelta(days=2)
    google.add_event("primary", timed(soon.isoformat(), (soon + timedelta(hours=1)).isoformat()))

    lines = calendar.describe()

    assert "primary (alex.rivera@example.com, America/New_York): 1 event(s)" in lines[1]
    assert google.violations == []


def test_from_config_uses_the_calendar_scope_only(google: GoogleEmulator,
                                                  tmp_path: Path) -> None:
    from afterword.auth.scopes import CALENDAR_SCOPES

    token = google.write_token(tmp_path / "t.json", scopes=CALENDAR_SCOPES)
    config = CalendarConfig(source="google", token_file=token, api_endpoint=google.base_url,
                            calendar_ids=("primary",))
    source = GoogleCalendarSource.from_config(config, BERLIN)
    try:
        assert source.events(*WINDOW) == []
    finally:
        source.close()
    assert google.violations == []  # events.list accepts calendar.events.readonly
