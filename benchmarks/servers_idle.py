"""What a cycle costs on real servers when nothing has changed: IMAP commands, CalDAV HTTP
requests and wall time, against a throwaway Dovecot and Radicale on loopback.

NEEDS ROOT and Dovecot installed (scripts/install-test-servers): Dovecot runs from a private
config on a free port and stores mail as `nobody`. Radicale comes from the venv.

Run: .venv/bin/python benchmarks/servers_idle.py [--runs N]

It seeds one finished interview (the system tests' panel: four interviewers) into a CalDAV
calendar, runs one cycle (four drafts saved), then measures cycles in which nothing changed,
STEP apart so that every one also reads INBOX and Sent for mailed invitations (the engine
does that at most every 15 minutes):
  - as the daemon runs them: one engine kept between cycles, the IMAP connection closed
    after each (the CalDAV source keeps its discovery and its calendar data in memory);
  - as `afterword run --once` runs them: a fresh engine each time.
The daemon also keeps two IMAP IDLE connections (INBOX and Sent) open between cycles; they
send no command per cycle and are not counted here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the test-server helpers live in tests/

from afterword.plugin.config import Config, load_config  # noqa: E402
from afterword.plugin.engine import CycleReport, Engine  # noqa: E402
from afterword.plugin.mailbox.imap import ImapMailbox  # noqa: E402
from afterword.plugin.sources.caldav import CalDavSource  # noqa: E402
from afterword.plugin.state import State  # noqa: E402
from tests.servers.conftest import CountingConnect  # noqa: E402
from tests.servers.dovecot_server import (  # noqa: E402
    Dovecot,
    start_dovecot,
    stop_dovecot,
    unavailable_reason,
)
from tests.servers.radicale_server import Radicale, start_radicale, stop_radicale  # noqa: E402
from tests.system.test_timeline_maildir import PANEL  # noqa: E402

IMAP_ENV = "AFTERWORD_BENCH_IMAP_PASSWORD"
CALDAV_ENV = "AFTERWORD_BENCH_CALDAV_PASSWORD"
FINISHED = datetime.fromisoformat("2026-11-24T17:05:00-05:00")  # the panel ended at 17:00
STEP = timedelta(minutes=16)  # past the engine's 15 minutes between invitation reads


class Requests:
    """Every HTTP request the CalDAV source sends, by method: wraps its WebDAV client."""

    def __init__(self) -> None:
        self.methods: list[str] = []

    @contextmanager
    def counting(self) -> Iterator[None]:
        from afterword.plugin.sources.caldav import _Dav

        original: Callable[..., Any] = _Dav.request

        def request(client: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            self.methods.append(method.upper())
            return original(client, method, url, *args, **kwargs)

        setattr(_Dav, "request", request)  # noqa: B010 (mypy: no method assignment)
        try:
            yield
        finally:
            setattr(_Dav, "request", original)  # noqa: B010

    def take(self) -> list[str]:
        taken, self.methods = self.methods, []
        return taken


def seed(dovecot: Dovecot, radicale: Radicale, folder: Path) -> Config:
    """A fresh account on each server, the panel in "Work", and a config for both."""
    import caldav

    dav: Any = caldav  # its DAVClient is a lazily resolved name mypy cannot call
    user, password = dovecot.new_user()
    cal_user, cal_password = radicale.new_user()
    client = dav.DAVClient(url=radicale.url, username=cal_user, password=cal_password)
    try:
        client.principal().make_calendar(name="Work", cal_id="work").save_event(PANEL)
    finally:
        client.close()
    os.environ[IMAP_ENV], os.environ[CALDAV_ENV] = password, cal_password
    path = folder / "config.toml"
    path.write_text(f"""
[me]
name = "Alex Rivera"
email = "alex.rivera@example.com"
aliases = ["alex@rivera.dev"]
timezone = "America/New_York"
[calendar]
source = "caldav"
url = "{radicale.url}"
username = "{cal_user}"
password_env = "{CALDAV_ENV}"
[mailbox]
backend = "imap"
host = "127.0.0.1"
port = {dovecot.port}
security = "none"
username = "{user}"
password_env = "{IMAP_ENV}"
[state]
path = "state.sqlite3"
[notes]
signature = "Alex Rivera"
[[applications]]
company = "Acme"
role = "Senior Data Engineer"
domains = ["acme.com"]
""", encoding="utf-8")
    return load_config(path)


def engine_for(config: Config, imap: CountingConnect) -> Engine:
    """What runtime.open_engine builds, with the IMAP connection factory counted."""
    box = config.mailbox
    assert box.host and box.username and box.password_env
    mailbox = ImapMailbox(box.host, box.port or 143, box.security, box.username,
                          password=os.environ[box.password_env], connect=imap)
    source = CalDavSource.from_config(config.calendar, config.zone)
    return Engine(config, source, mailbox, State(config.state_path))


def shut(engine: Engine) -> None:
    engine.mailbox.close()
    engine.state.close()
    if isinstance(engine.source, CalDavSource):
        engine.source.close()


def timed_cycle(engine: Engine, now: datetime) -> tuple[float, CycleReport]:
    """One cycle and the IMAP logout after it, as the daemon does them."""
    start = time.perf_counter()
    report = engine.cycle(now)
    engine.mailbox.close()
    return time.perf_counter() - start, report


def describe(label: str, imap: list[str], http: list[str], walls: list[float]) -> None:
    noun = "command" if len(imap) == 1 else "commands"
    req = "request" if len(http) == 1 else "requests"
    print(f"{label}:")
    print(f"  IMAP: {len(imap)} {noun}: {', '.join(imap)}")
    print(f"  CalDAV: {len(http)} {req}: {', '.join(http)}")
    wall = statistics.median(walls) * 1000
    print(f"  wall time: {wall:.1f} ms (median of {len(walls)}; "
          f"min {min(walls) * 1000:.1f}, max {max(walls) * 1000:.1f})")


def measure(config: Config, runs: int) -> None:
    imap, http = CountingConnect(), Requests()
    with http.counting():
        engine = engine_for(config, imap)
        try:
            wall, report = timed_cycle(engine, FINISHED)
            assert len(report.drafts) == 4, "the seeding cycle saved no drafts"
            print(f"first cycle: {len(report.drafts)} drafts saved in {wall * 1000:.1f} ms; "
                  f"IMAP {len(imap.take())} commands, CalDAV {len(http.take())} requests")

            walls, seen = [], set()
            for i in range(1, runs + 1):
                wall, report = timed_cycle(engine, FINISHED + STEP * i)
                assert not report.did_something, "an idle cycle changed something"
                walls.append(wall)
                seen.add((tuple(imap.take()), tuple(http.take())))
            assert len(seen) == 1, f"idle cycles differ: {seen}"
            ((commands, requests),) = seen
            describe("idle cycle, daemon (engine kept, IMAP reconnected)", list(commands),
                     list(requests), walls)
            print("  (plus two IMAP IDLE connections on INBOX and Sent, kept open by the "
                  "daemon: no command per cycle)")
        finally:
            shut(engine)

        walls, seen = [], set()
        for i in range(1, runs + 1):
            engine = engine_for(config, imap)
            try:
                wall, report = timed_cycle(engine, FINISHED + STEP * (runs + i))
            finally:
                shut(engine)
            assert not report.did_something, "an idle cycle changed something"
            walls.append(wall)
            seen.add((tuple(imap.take()), tuple(http.take())))
        assert len(seen) == 1, f"idle cycles differ: {seen}"
        ((commands, requests),) = seen
        describe("idle cycle, `run --once` (fresh engine)", list(commands), list(requests),
                 walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="idle cycles per kind")
    args = parser.parse_args()
    reason = unavailable_reason()
    if reason is not None:
        sys.exit(f"servers_idle: {reason}")
    dovecot = start_dovecot()
    try:
        radicale = start_radicale()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                config = seed(dovecot, radicale, Path(tmp))
                print(f"python {sys.version.split()[0]}; Dovecot on :{dovecot.port}, "
                      f"Radicale on :{radicale.port}; one finished interview, 4 interviewers")
                measure(config, args.runs)
        finally:
            stop_radicale(radicale)
    finally:
        stop_dovecot(dovecot)


if __name__ == "__main__":
    main()
