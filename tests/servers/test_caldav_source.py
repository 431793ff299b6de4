"""CalDavSource against a real Radicale: discovery, conversion, recurrence, errors, requests."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from afterword.plugin.errors import ServiceError, UserError
from afterword.plugin.model import Attendee
from afterword.plugin.sources.caldav import CalDavSource
from tests.servers.radicale_server import Radicale, radicale, start_radicale, stop_radicale

pytestmark = pytest.mark.servers
__all__ = ["radicale"]  # the session fixture, imported so pytest finds it here

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
MARCH = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))


def vcalendar(*components: str) -> str:
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//afterword tests//EN\r\n"
    return head + "".join(components) + "END:VCALENDAR\r\n"


def vevent(uid: str, start: str, end: str, summary: str, *extra: str) -> str:
    lines = [f"UID:{uid}", "DTSTAMP:20250101T000000Z", f"DTSTART{start}", f"DTEND{end}",
             f"SUMMARY:{summary}", *extra]
    return "BEGIN:VEVENT\r\n" + "".join(f"{x}\r\n" for x in lines) + "END:VEVENT\r\n"


INTERVIEW = vcalendar(vevent(
    "interview-1@acme.com", ":20250312T150000Z", ":20250312T160000Z",
    "Interview: Senior Data Engineer",
    "ORGANIZER;CN=Acme Recruiting:mailto:recruiting@acme.com",
    "ATTENDEE;CN=Alex Rivera;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:alex@example.com",
    'ATTENDEE;CN="Müller, José";PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;CUTYPE=INDIVIDUAL'
    ":mailto:Jose.Mueller@Acme.com",
    "ATTENDEE;CN=Zoë Ångström;PARTSTAT=TENTATIVE;ROLE=OPT-PARTICIPANT:mailto:zoe@acme.com",
    "ATTENDEE;CN=Room 4.01 Fjord;CUTYPE=ROOM;ROLE=NON-PARTICIPANT;PARTSTAT=NEEDS-ACTION"
    ":mailto:room-401@resource.acme.com",
    "LOCATION:Acme HQ\\, Room 4.01",
))

# Mondays 10:00 New York; the 10th is cut by EXDATE, the 17th moved to 14:00.
WEEKLY = vcalendar(
    vevent("weekly-1@acme.com", ";TZID=America/New_York:20250303T100000",
           ";TZID=America/New_York:20250303T110000", "Weekly sync",
           "RRULE:FREQ=WEEKLY;BYDAY=MO", "EXDATE;TZID=America/New_York:20250310T100000"),
    vevent("weekly-1@acme.com", ";TZID=America/New_York:20250317T140000",
           ";TZID=America/New_York:20250317T150000", "Weekly sync (moved)",
           "RECURRENCE-ID;TZID=America/New_York:20250317T100000"),
)

LONDON_TZ = """BEGIN:VTIMEZONE\r
TZID:Europe/London\r
BEGIN:DAYLIGHT\r
TZNAME:BST\r
TZOFFSETFROM:+0000\r
TZOFFSETTO:+0100\r
DTSTART:19810329T010000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZNAME:GMT\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0000\r
DTSTART:19961027T020000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
"""
IN_LONDON = vcalendar(LONDON_TZ, vevent(
    "london-1@globex.co.uk", ";TZID=Europe/London:20250610T140000",
    ";TZID=Europe/London:20250610T150000", "Interview with Globex (London)",
    "ATTENDEE;CN=Priya Shah;PARTSTAT=ACCEPTED:mailto:priya@globex.co.uk",
))

CANCELLED = vcalendar(vevent(
    "cancelled-1@acme.com", ":20250314T170000Z", ":20250314T180000Z",
    "Interview (cancelled)", "STATUS:CANCELLED",
    "ATTENDEE;CN=Kim Lee;PARTSTAT=ACCEPTED:mailto:kim@acme.com",
))


class Account:
    """A fresh Radicale user with helpers to seed its calendars."""

    def __init__(self, server: Radicale) -> None:
        import caldav

        self.server = server
        self.user, self.password = server.new_user()
        self.client = caldav.DAVClient(url=server.url, username=self.user,
                                       password=self.password)
        self.principal = self.client.principal()
        self.calendars: dict[str, Any] = {}

    def calendar(self, name: str, cal_id: str | None = None) -> Any:
        if name not in self.calendars:
            self.calendars[name] = self.principal.make_calendar(
                name=name, cal_id=cal_id or name.lower().replace(" ", "-"))
        return self.calendars[name]

    def save(self, name: str, ics: str) -> None:
        self.calendar(name).save_event(ics)

    def source(self, calendars: tuple[str, ...] = (), password: str | None = None,
               url: str | None = None) -> CalDavSource:
        return CalDavSource(url or self.server.url, self.user,
                            self.password if password is None else password,
                            calendars, default_zone=NEW_YORK, timeout=5)


@pytest.fixture
def account(radicale: Radicale) -> Iterator[Account]:
    acc = Account(radicale)
    yield acc
    acc.client.close()


@pytest.fixture
def count_requests(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every HTTP request the CalDAV source sends, as (method, url)."""
    from afterword.plugin.sources.caldav import _Dav

    sent: list[tuple[str, str]] = []
    original: Callable[..., Any] = _Dav.request

    def counting(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        sent.append((method, url))
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(_Dav, "request", counting)
    return sent


def by_uid(events: list[Any], uid: str) -> list[Any]:
    return [e for e in events if e.uid == uid]


def test_discovers_calendars_and_applies_the_filter(account: Account) -> None:
    account.save("Work", INTERVIEW)
    account.save("Personal", CANCELLED)

    everything = account.source()
    assert sorted(c.name for c in everything.calendars_in_use()) == ["Personal", "Work"]
    assert {e.uid for e in everything.events(*MARCH)} == {
        "interview-1@acme.com", "cancelled-1@acme.com"}

    work_only = account.source(calendars=("Work",))
    [work] = work_only.calendars_in_use()
    assert (work.name, work.id) == ("Work", "work")
    assert work.url.endswith("/work/")
    events = work_only.events(*MARCH)
    assert [e.uid for e in events] == ["interview-1@acme.com"]
    assert events[0].source == "caldav:Work"

    by_id = account.source(calendars=("personal",))  # the URL id works too
    assert [c.name for c in by_id.calendars_in_use()] == ["Personal"]


def test_unknown_calendar_name_is_a_user_error_listing_what_exists(account: Account) -> None:
    account.calendar("Work")
    account.calendar("Personal")
    with pytest.raises(UserError) as caught:
        account.source(calendars=("Work", "Interviews")).events(*MARCH)
    message = str(caught.value)
    assert "calendar.calendars" in message
    assert "'Interviews'" in message
    assert "'Work'" in message and "'Personal'" in message


def test_interview_with_attendees_reads_back(account: Account) -> None:
    account.save("Work", INTERVIEW)
    [event] = account.source().events(*MARCH)

    assert event.summary == "Interview: Senior Data Engineer"
    assert event.start == datetime(2025, 3, 12, 15, 0, tzinfo=UTC)
    assert event.end == datetime(2025, 3, 12, 16, 0, tzinfo=UTC)
    assert event.location == "Acme HQ, Room 4.01"
    assert event.status == "CONFIRMED"
    assert event.organizer is not None and event.organizer.email == "recruiting@acme.com"
    assert set(event.attendees) == {
        Attendee("alex@example.com", "Alex Rivera", "ACCEPTED", "REQ-PARTICIPANT", ""),
        Attendee("jose.mueller@acme.com", "Müller, José", "ACCEPTED", "REQ-PARTICIPANT",
                 "INDIVIDUAL"),
        Attendee("zoe@acme.com", "Zoë Ångström", "TENTATIVE", "OPT-PARTICIPANT", ""),
        Attendee("room-401@resource.acme.com", "Room 4.01 Fjord", "NEEDS-ACTION",
                 "NON-PARTICIPANT", "ROOM"),
    }


def test_weekly_event_with_exdate_and_moved_occurrence(account: Account) -> None:
    account.save("Work", WEEKLY)
    window = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 29, tzinfo=UTC))
    events = by_uid(account.source().events(*window), "weekly-1@acme.com")

    starts = [e.start for e in events]
    assert starts == [
        datetime(2025, 3, 3, 10, 0, tzinfo=NEW_YORK),
        datetime(2025, 3, 17, 14, 0, tzinfo=NEW_YORK),  # moved, the 10th is excluded
        datetime(2025, 3, 24, 10, 0, tzinfo=NEW_YORK),
    ]
    moved = events[1]
    assert moved.summary == "Weekly sync (moved)"
    assert moved.end - moved.start == timedelta(hours=1)
    assert datetime.fromisoformat(moved.recurrence_id) == datetime(
        2025, 3, 17, 10, 0, tzinfo=NEW_YORK)
    assert all(e.timezone == "America/New_York" for e in events)


def test_window_cuts_recurrences(account: Account) -> None:
    account.save("Work", WEEKLY)
    window = (datetime(2025, 3, 17, 18, 0, tzinfo=UTC), datetime(2025, 3, 24, 14, 0, tzinfo=UTC))
    events = account.source().events(*window)
    # the moved occurrence (18:00-19:00 UTC) overlaps; the 24th starts at 14:00 UTC exactly
    assert [e.start for e in events] == [datetime(2025, 3, 17, 14, 0, tzinfo=NEW_YORK)]


def test_london_event_keeps_its_instant_and_zone(account: Account) -> None:
    account.save("Work", IN_LONDON)
    window = (datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC))
    [event] = account.source().events(*window)
    assert event.start == datetime(2025, 6, 10, 13, 0, tzinfo=UTC)  # 14:00 BST
    assert event.end == datetime(2025, 6, 10, 14, 0, tzinfo=UTC)
    assert event.timezone == "Europe/London"
    assert event.start == datetime(2025, 6, 10, 14, 0, tzinfo=LONDON)
    assert event.start.utcoffset() == timedelta(hours=1)


def test_cancelled_event_is_returned_as_cancelled(account: Account) -> None:
    account.save("Work", CANCELLED)
    [event] = account.source().events(*MARCH)
    assert event.uid == "cancelled-1@acme.com"
    assert event.status == "CANCELLED"


def test_wrong_password_is_a_service_error_without_the_password(account: Account) -> None:
    wrong = "Wr0ng-Pa55word-xyz"
    source = account.source(password=wrong)
    with pytest.raises(ServiceError) as caught:
        source.events(*MARCH)
    message = str(caught.value)
    assert message == (f"CalDAV login to {account.server.url} as {account.user} failed; "
                       "check the username and password")
    assert wrong not in message and wrong not in repr(source)


def test_stopped_server_is_a_service_error() -> None:
    server = start_radicale()
    try:
        acc = Account(server)
        acc.save("Work", INTERVIEW)
        source = acc.source()
        assert len(source.events(*MARCH)) == 1
        acc.client.close()
    finally:
        stop_radicale(server)
    with pytest.raises(ServiceError) as caught:
        source.events(*MARCH)
    message = str(caught.value)
    assert message.startswith(f"cannot reach CalDAV server {server.url}: ")
    assert "\n" not in message and acc.password not in message


def test_requests_per_call_and_answers_from_memory(
    account: Account, count_requests: list[tuple[str, str]],
) -> None:
    account.save("Work", INTERVIEW)
    account.save("Personal", CANCELLED)
    source = account.source()
    count_requests.clear()

    first = source.events(*MARCH)
    first_requests = [m for m, _ in count_requests]
    # discovery (401 challenge, principal, home set), the listing, one REPORT per calendar
    assert first_requests.count("REPORT") == 2
    assert len(first_requests) <= 6, first_requests

    count_requests.clear()
    later = datetime(2025, 3, 1, 6, 0, tzinfo=UTC), datetime(2025, 4, 1, 18, tzinfo=UTC)
    second = source.events(*later)  # the window moved a few hours with the clock
    assert [m for m, _ in count_requests] == ["PROPFIND"]  # both calendars unchanged
    assert second == first

    account.save("Work", WEEKLY)  # changes Work's tag only
    count_requests.clear()
    third = source.events(*MARCH)
    assert [m for m, _ in count_requests] == ["PROPFIND", "REPORT"]
    assert len(by_uid(third, "weekly-1@acme.com")) == 4  # 3, 17 (moved), 24, 31

    count_requests.clear()
    source.events(datetime(2025, 3, 20, tzinfo=UTC), datetime(2025, 4, 20, tzinfo=UTC))
    assert [m for m, _ in count_requests] == ["PROPFIND", "REPORT", "REPORT"]  # beyond memory
    print(f"\nrequests: first events() {len(first_requests)} {first_requests}, "
          "unchanged 1, one calendar changed 2")


def test_describe_lists_calendars_and_writes_nothing(
    account: Account, count_requests: list[tuple[str, str]],
) -> None:
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    stamp = "%Y%m%dT%H%M%SZ"
    account.save("Work", vcalendar(vevent(
        "soon-1@acme.com", f":{soon:{stamp}}", f":{soon + timedelta(hours=1):{stamp}}",
        "Interview soon")))
    account.calendar("Personal")
    count_requests.clear()

    lines = account.source(calendars=("Work",)).describe()

    assert account.user in lines[0] and account.server.url in lines[0]
    assert len(lines) == 2
    assert "Work" in lines[1] and "/work/" in lines[1] and "1 event(s)" in lines[1]
    assert {m for m, _ in count_requests} <= {"PROPFIND", "REPORT"}


def test_silent_server_times_out_as_a_service_error() -> None:
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        source = CalDavSource(url, "u@example.com", "password-1", default_zone=NEW_YORK,
                              timeout=0.2)
        with pytest.raises(ServiceError) as caught:
            source.events(*MARCH)
    assert str(caught.value) == f"cannot reach CalDAV server {url}: no answer within 0.2 s"


def test_from_config_takes_the_password_from_the_named_variable(
    account: Account, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from afterword.plugin.config import CalendarConfig

    account.save("Work", INTERVIEW)
    monkeypatch.setenv("AFTERWORD_TEST_CALDAV_PW", account.password)
    cfg = CalendarConfig(source="caldav", url=account.server.url, username=account.user,
                         password_env="AFTERWORD_TEST_CALDAV_PW", calendars=("Work",))
    source = CalDavSource.from_config(cfg, NEW_YORK)
    assert source.kind == "caldav"
    assert [e.uid for e in source.events(*MARCH)] == ["interview-1@acme.com"]
    assert account.password not in repr(source)
