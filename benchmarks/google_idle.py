"""What a cycle costs on Gmail and Google Calendar when nothing has changed: the HTTP
requests, the API calls inside batches, and Gmail's quota units, measured from the local
emulator's request log (tests/emulators/google_api.py) with the real Google client.

Run: .venv/bin/python benchmarks/google_idle.py [--runs N]

It seeds one finished interview (the system tests' panel: four interviewers) into the
primary calendar, runs one cycle (four drafts saved), then runs no-change cycles until two
in a row make the same requests, and prints one of them:
  - as the daemon runs them: one engine kept between cycles, the mailbox closed after
    each (its caches of message headers survive, its HTTP connections do not);
  - as `afterword run --once` runs them: a fresh engine each time.

Gmail units are the per-method figures of Google's quota table (shared recipe
google-api.md); messages.get costs 5 units, or 20 in projects created after 2026-05-01,
so both totals are shown. Calendar has no unit table: its quota counts requests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the emulator and the panel live in tests/

from afterword.plugin.config import Config, load_config  # noqa: E402
from afterword.plugin.engine import CycleReport, Engine  # noqa: E402
from afterword.plugin.runtime import open_engine  # noqa: E402
from tests.emulators.google_api import Call, GoogleEmulator  # noqa: E402
from tests.system.test_timeline_google import (  # noqa: E402
    ME,
    PANEL_EVENT,
    write_google_config,
)

FINISHED = datetime.fromisoformat("2026-11-24T17:05:00-05:00")  # the panel ended at 17:00
STEADY_AFTER = 2  # identical no-change cycles in a row that count as steady
MAX_CYCLES = 20

# Gmail's per-method quota units (recipes/google-api.md, "Quota").
GMAIL_UNITS = {
    "gmail.users.history.list": 2, "gmail.users.getProfile": 1,
    "gmail.users.messages.list": 5, "gmail.users.messages.get": 5,
    "gmail.users.drafts.create": 10, "gmail.users.drafts.update": 15,
    "gmail.users.drafts.get": 5, "gmail.users.drafts.list": 5,
    "gmail.users.messages.insert": 25, "gmail.users.messages.modify": 5,
    "gmail.users.labels.list": 1, "gmail.users.labels.create": 5, "gmail.users.watch": 100,
}
NEW_PROJECT_UNITS = {**GMAIL_UNITS, "gmail.users.messages.get": 20}

Cycle = Callable[[datetime], CycleReport]
Shape = tuple[tuple[str, str, str, bool], ...]


def shape(calls: Sequence[Call]) -> Shape:
    """What makes two cycles the same: each call's method, path shape and id."""
    return tuple((c.method, _path_shape(c.path), c.method_id, c.in_batch) for c in calls)


def _path_shape(path: str) -> str:
    """Ids vary from run to run (draft and message ids); the shape does not."""
    parts = path.split("/")  # "", "gmail", "v1", "users", "me", "drafts", ID, ...
    if len(parts) > 6 and parts[1] == "gmail" and parts[5] in ("drafts", "messages"):
        parts[6] = "{id}"
    return "/".join(parts)


def units(calls: Sequence[Call], table: dict[str, int]) -> int:
    unknown = {c.method_id for c in calls if c.method_id.startswith("gmail.")
               and c.method_id not in table}
    assert not unknown, f"no quota figure for {unknown}"
    return sum(table.get(c.method_id, 0) for c in calls)


def _query(call: Call) -> str:
    """The parameters that tell one list call from another."""
    shown = [f"{k}={','.join(v)}" for k, v in sorted(call.query.items())
             if k in ("q", "labelIds", "format", "singleEvents", "maxResults")]
    return "  " + " ".join(shown) if shown else ""


def print_api(title: str, calls: Sequence[Call]) -> None:
    http = [c for c in calls if not c.in_batch]
    api = [c for c in calls if c.method_id not in ("batch", "token")]
    print(f"  {title}: {len(http)} HTTP {'request' if len(http) == 1 else 'requests'}, "
          f"{len(api)} API {'call' if len(api) == 1 else 'calls'}")
    for call in calls:
        indent = "      " if call.in_batch else "    "
        label = "(batch)" if call.method_id == "batch" else call.method_id
        print(f"{indent}{call.method} {_path_shape(call.path)}  {label}{_query(call)}")


def report(title: str, calls: Sequence[Call], walls: Sequence[float]) -> None:
    gmail = [c for c in calls if c.path.startswith(("/gmail/", "/batch/gmail/"))]
    calendar = [c for c in calls if c.path.startswith(("/calendar/", "/batch/calendar/"))]
    other = [c for c in calls if c not in gmail and c not in calendar]
    print(f"{title}:")
    print_api("Gmail", gmail)
    legacy, new = units(gmail, GMAIL_UNITS), units(gmail, NEW_PROJECT_UNITS)
    print(f"    quota: {legacy} units" + (f" ({new} in a project created after 2026-05-01)"
                                          if new != legacy else " (no messages.get)"))
    print_api("Google Calendar", calendar)
    api = [c for c in calendar if c.method_id != "batch"]
    print(f"    quota: {len(api)} {'query' if len(api) == 1 else 'queries'} "
          "(Calendar counts requests per minute, not units)")
    if other:
        print(f"  other: {', '.join(f'{c.method} {c.path}' for c in other)}")
    wall = statistics.median(walls) * 1000
    print(f"  wall time: {wall:.1f} ms (median of {len(walls)} cycles)")


def until_steady(google: GoogleEmulator, cycle: Cycle, start: datetime, runs: int
                 ) -> tuple[list[Call], list[float]]:
    """No-change cycles until STEADY_AFTER in a row call the same; the last one's log."""
    shapes: list[Shape] = []
    walls: list[float] = []
    for i in range(1, MAX_CYCLES + runs + 1):
        google.clear_log()
        began = time.perf_counter()
        done = cycle(start + timedelta(minutes=i))
        walls.append(time.perf_counter() - began)
        assert not done.did_something, f"a no-change cycle changed something: {done}"
        shapes.append(shape(google.calls))
        steady = len(shapes) >= STEADY_AFTER and len(set(shapes[-STEADY_AFTER:])) == 1
        if steady and len(walls) >= runs:
            return list(google.calls), walls[-runs:]
    raise SystemExit(f"google_idle: cycles never settled: {shapes[-3:]}")


def daemon_cycles(engine: Engine) -> Cycle:
    def cycle(now: datetime) -> CycleReport:
        try:
            return engine.cycle(now)
        finally:
            engine.mailbox.close()  # as the daemon does after every cycle

    return cycle


def fresh_cycles(config: Config) -> Cycle:
    def cycle(now: datetime) -> CycleReport:
        with open_engine(config) as engine:
            return engine.cycle(now)

    return cycle


def measure(google: GoogleEmulator, config: Config, runs: int) -> None:
    with open_engine(config) as engine:
        google.clear_log()
        first = daemon_cycles(engine)(FINISHED)
        assert len(first.drafts) == 4, "the seeding cycle saved no drafts"
        seeded = google.calls
        print(f"first cycle: {len(first.drafts)} drafts saved; "
              f"{sum(1 for c in seeded if not c.in_batch)} HTTP requests, "
              f"{units(seeded, GMAIL_UNITS)} Gmail units")
        calls, walls = until_steady(google, daemon_cycles(engine), FINISHED, runs)
        report("no-change cycle, daemon (engine kept between cycles)", calls, walls)
    later = FINISHED + timedelta(minutes=MAX_CYCLES + runs + 1)
    calls, walls = until_steady(google, fresh_cycles(config), later, runs)
    report("no-change cycle, `run --once` (fresh engine)", calls, walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="steady cycles timed per kind")
    args = parser.parse_args()
    with GoogleEmulator(email_address=ME) as google, tempfile.TemporaryDirectory() as tmp:
        google.add_event("primary", PANEL_EVENT)
        path = write_google_config(Path(tmp), google.base_url)
        google.write_token(Path(tmp) / "google-token.json")
        print(f"python {sys.version.split()[0]}; Google API emulator on {google.base_url}; "
              "one finished interview, 4 interviewers")
        measure(google, load_config(path), max(1, args.runs))
        assert google.violations == [], google.violations


if __name__ == "__main__":
    main()
