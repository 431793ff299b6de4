"""The daemon parses .ics calendars and mailed invitations in its helper process
(plugin/worker.py, WorkerParser), so it never loads icalendar (about 3 MB resident for the
rest of its life). The helper must give exactly the events an in-process parse gives, say
which data is unreadable the way the parser does, keep its warnings on the daemon's stderr,
and never let a failure of its own pass for a bad calendar (which would be skipped, and a
skipped invitation is never read again)."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from afterword.plugin import worker
from afterword.plugin.config import load_config
from afterword.plugin.errors import CalendarDataError, ServiceError
from afterword.plugin.model import CalendarEvent
from afterword.plugin.runtime import open_engine
from afterword.plugin.sources.ical import parse_calendar
from afterword.plugin.sources.mail import invite_events
from afterword.plugin.worker import Worker, WorkerParser
from tests.system.conftest import write_config
from tests.system.test_mail_invites import (
    AFTER,
    EMPTY,
    GREENHOUSE_EVENT,
    calendar,
    deliver,
    greenhouse_mail,
)
from tests.system.test_timeline_maildir import drafts
from tests.system.test_worker import children, daemon_until_drafts

ROOT = Path(__file__).resolve().parents[1]
NY = ZoneInfo("America/New_York")
WIDE = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC))
ICALENDAR = {"icalendar", "recurring_ical_events", "dateutil", "x_wr_timezone",
             "afterword.plugin.sources.ical"}
BROKEN_EVENT = """\
BEGIN:VEVENT\r
UID:broken-times@acme.com\r
DTSTAMP:20261118T150000Z\r
DTSTART:not-a-time\r
SUMMARY:Interview with Acme\r
END:VEVENT\r
"""


@pytest.fixture
def parser() -> Iterator[WorkerParser]:
    found = WorkerParser(Worker(timeout=10), timeout=20)
    yield found
    found.close()


def ics_files() -> list[Path]:
    return sorted([*(ROOT / "fixtures").rglob("*.ics"), *(ROOT / "corpus").glob("*.ics")])


def here(data: bytes, source: str) -> list[CalendarEvent] | str:
    try:
        return parse_calendar(data, *WIDE, NY, source)
    except CalendarDataError as exc:
        return f"unreadable: {exc}"


def there(parser: WorkerParser, data: bytes, source: str) -> list[CalendarEvent] | str:
    try:
        return parser(data, *WIDE, NY, source)
    except CalendarDataError as exc:
        return f"unreadable: {exc}"


def test_the_helper_gives_every_calendar_the_events_this_process_gives(
        parser: WorkerParser) -> None:
    files = ics_files()
    assert len(files) > 100  # the fixtures and the detection corpus
    pid = None
    for path in files:
        data = path.read_bytes()
        assert there(parser, data, path.name) == here(data, path.name), path.name
        pid = pid or parser.worker.pid
        assert parser.worker.pid == pid  # one helper serves a whole cycle's calendars
    assert pid is not None and pid in children(os.getpid())


def test_unreadable_data_is_a_calendar_data_error_and_the_helper_lives_on(
        parser: WorkerParser) -> None:
    for data in (b"", b"hello", b"BEGIN:VCARD\r\nFN:Someone\r\nEND:VCARD\r\n",
                 b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n\xff\xfe" * 1000):
        with pytest.raises(CalendarDataError) as remote:
            parser(data, *WIDE, NY, "mail <x@y>")
        with pytest.raises(CalendarDataError) as local:
            parse_calendar(data, *WIDE, NY, "mail <x@y>")
        assert str(remote.value) == str(local.value)
    pid = parser.worker.pid
    assert pid is not None
    assert parser(calendar(GREENHOUSE_EVENT).encode(), *WIDE, NY, "ok")[0].uid == (
        "gh-9931-block@greenhouse.io")
    assert parser.worker.pid == pid


def test_a_skipped_events_warning_reaches_the_daemons_stderr(
        parser: WorkerParser, capfd: pytest.CaptureFixture[str]) -> None:
    data = calendar(BROKEN_EVENT, GREENHOUSE_EVENT).encode()
    events = parser(data, *WIDE, NY, "ics file calendar.ics")
    assert [e.uid for e in events] == ["gh-9931-block@greenhouse.io"]
    parser.close()  # the helper's output is flushed by the time it has ended
    err = capfd.readouterr().err
    assert "level=warning" in err and "broken-times@acme.com" in err
    assert "ics file calendar.ics" in err


def test_a_stalled_helper_is_a_retryable_failure_never_bad_data() -> None:
    parser = WorkerParser(Worker(timeout=10), timeout=0.5)
    try:
        parser(calendar(GREENHOUSE_EVENT).encode(), *WIDE, NY, "first")
        stalled = parser.worker.pid
        assert stalled is not None
        os.kill(stalled, signal.SIGSTOP)
        with pytest.raises(ServiceError, match=r"calendar parsing failed: .*in time") as caught:
            parser(calendar(GREENHOUSE_EVENT).encode(), *WIDE, NY, "second")
        assert caught.value.retryable and not isinstance(caught.value, CalendarDataError)
        assert parser.worker.pid is None
        assert len(parser(calendar(GREENHOUSE_EVENT).encode(), *WIDE, NY, "third")) == 1
    finally:
        parser.close()


# A helper that dies on the one calendar that carries the Greenhouse invitation's UID, and
# serves every other request as the real one does.
DIES_ON_GREENHOUSE = """
import sys
from afterword.plugin import worker
real = worker._serve
def serve(composer, request):
    if request[:1] == ("parse",) and b"gh-9931-block" in request[1]:
        sys.exit(3)
    return real(composer, request)
worker._serve = serve
sys.exit(worker.main(sys.argv[1:]))
"""


def dying_on_greenhouse(templates_dir: Path | None, level: int) -> list[str]:
    return [sys.executable, "-c", DIES_ON_GREENHOUSE, str(templates_dir or ""), str(level)]


def test_mail_skips_a_broken_attachment_but_not_a_failed_helper(
        monkeypatch: pytest.MonkeyPatch) -> None:
    broken = greenhouse_mail("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nnonsense")
    del broken["Message-ID"]
    broken["Message-ID"] = "<broken@greenhouse-mail.io>"
    good = greenhouse_mail(calendar(GREENHOUSE_EVENT))
    parser = WorkerParser(Worker(timeout=10), timeout=20)
    try:
        found = invite_events([broken, good], *WIDE, NY, parse=parser)
        assert [e.uid for e in found] == ["gh-9931-block@greenhouse.io"]
        parser.close()
        monkeypatch.setattr(worker, "worker_command", dying_on_greenhouse)
        with pytest.raises(ServiceError, match="exited with code 3") as caught:
            invite_events([broken, good], *WIDE, NY, parse=parser)
        assert not isinstance(caught.value, CalendarDataError)
    finally:
        parser.close()


def test_a_cycle_whose_helper_died_reads_the_mailed_invitation_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(write_config(tmp_path, EMPTY))
    deliver(tmp_path, "INBOX", greenhouse_mail(calendar(GREENHOUSE_EVENT)))
    now = datetime.fromisoformat(AFTER)
    with open_engine(config, in_worker=True) as engine:
        assert isinstance(engine.parse, WorkerParser)
        monkeypatch.setattr(worker, "worker_command", dying_on_greenhouse)
        with pytest.raises(ServiceError, match="calendar parsing failed"):
            engine.cycle(now)
        assert drafts(tmp_path) == []
        monkeypatch.undo()
        report = engine.cycle(now + timedelta(minutes=1))
        assert engine.parse.worker.pid is None  # ended with the cycle
    assert len(report.drafts) == 3 and len(drafts(tmp_path)) == 3


# --- the daemon ---------------------------------------------------------------------------


def invitation(end: datetime) -> str:
    stamp = "%Y%m%dT%H%M%SZ"
    return calendar(GREENHOUSE_EVENT.replace(
        "DTSTART:20261124T190000Z", f"DTSTART:{(end - timedelta(hours=3)).strftime(stamp)}")
        .replace("DTEND:20261124T220000Z", f"DTEND:{end.strftime(stamp)}"))


def test_the_daemon_reads_calendar_and_mail_without_loading_icalendar(
        tmp_path: Path) -> None:
    end = (datetime.now(UTC) - timedelta(minutes=10)).replace(microsecond=0)
    config = write_config(tmp_path, EMPTY, "[daemon]\nsync_interval = 3600\n")
    mail = greenhouse_mail(invitation(end))
    del mail["Date"]
    mail["Date"] = format_datetime(end - timedelta(days=2))
    deliver(tmp_path, "INBOX", mail, when=(end - timedelta(days=2)).date().isoformat())

    run = daemon_until_drafts(tmp_path, config, 3)
    assert "afterword.plugin.worker" in run.loaded
    assert "afterword.plugin.sources.ics" in run.loaded
    assert not ICALENDAR & run.loaded
    openings = [msg.get_content().splitlines()[0] for _, msg, _ in drafts(tmp_path)]
    assert sorted(first for first in ("Marcus", "Priya", "Hannah")
                  if any(first in line for line in openings)) == ["Hannah", "Marcus", "Priya"]
