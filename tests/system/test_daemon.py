"""`afterword run` as a user runs it: a real subprocess on the real clock, a Maildir and an
ICS file. It must wake for an interview's end rather than wait for the next sync, pick up a
changed config on SIGHUP (and keep running on a broken one), say nothing on idle cycles and
stop within a second of SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses
from pathlib import Path

from tests.system.conftest import write_config
from tests.system.test_edge_cases import JOSE, MARCUS, PRIYA, calendar, event
from tests.system.test_fixtures_end_to_end import read_drafts

DAEMON = "from afterword.plugin.cli import main\nmain()"


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def interview(uid: str, end: datetime, person: str) -> str:
    return event(uid, stamp(end - timedelta(hours=1)), stamp(end), "Acme interview", [person],
                 zone=None)


def recipients(folder: Path) -> set[str]:
    return {address for draft in read_drafts(folder)
            for _name, address in getaddresses(draft.message.get_all("To", []))}


def wait_for(predicate: Callable[[], bool], timeout: float, proc: subprocess.Popen[bytes]
             ) -> float:
    """Poll until `predicate` holds; the moment it did (time.time())."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, "the daemon exited"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return time.time()


def test_daemon_wakes_for_the_end_reloads_on_sighup_is_quiet_and_stops(tmp_path: Path) -> None:
    first_end = datetime.now(UTC) + timedelta(seconds=2.5)
    config = write_config(tmp_path, calendar(interview("one@acme.com", first_end, MARCUS)),
                          "[daemon]\nsync_interval = 3600\n")
    stderr = tmp_path / "stderr.txt"

    def lines() -> list[str]:
        return stderr.read_text(encoding="utf-8").splitlines()

    with stderr.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen([sys.executable, "-c", DAEMON, "--config", str(config), "run"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    try:
        # 1. Asleep for an hour by the sync interval, it still wakes for the end.
        seen = wait_for(lambda: recipients(tmp_path) == {"marcus.oneil@acme.com"}, 10, proc)
        assert seen - first_end.timestamp() <= 3.0
        time.sleep(0.2)  # the cycle's log line follows the draft
        [line] = lines()  # the first cycle, before the end, said nothing
        assert "cycle: drafts=1 " in line and "level=info" in line

        # 2. SIGHUP: another calendar file and a one-second sync interval.
        earlier = datetime.now(UTC) - timedelta(minutes=10)
        other = tmp_path / "other.ics"
        other.write_text(calendar(interview("one@acme.com", first_end, MARCUS),
                                  interview("two@acme.com", earlier, PRIYA)), encoding="utf-8")
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace('path = "calendar.ics"', 'path = "other.ics"')
                          .replace("sync_interval = 3600", "sync_interval = 1"),
                          encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "priya.shah@acme.com" in recipients(tmp_path), 3, proc)
        time.sleep(0.2)
        assert "config reloaded from" in lines()[1] and "cycle: drafts=1 " in lines()[2]

        # 3. Idle cycles every second say nothing; the next change is found within one.
        time.sleep(1.5)
        assert len(lines()) == 3
        other.write_text(calendar(interview("one@acme.com", first_end, MARCUS),
                                  interview("two@acme.com", earlier, PRIYA),
                                  interview("three@acme.com", earlier, JOSE)), encoding="utf-8")
        wait_for(lambda: "jose.alvarez@acme.com" in recipients(tmp_path), 3, proc)

        # 4. A broken config on SIGHUP: one error line, and the daemon runs on.
        config.write_text(config.read_text(encoding="utf-8") + "\n[daemon.typo]\n",
                          encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: any("reload failed" in line for line in lines()), 3, proc)
        assert proc.poll() is None

        # 5. SIGTERM mid-sleep: exit 0 within a second.
        time.sleep(0.3)
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=5)
        assert time.monotonic() - began < 1.0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0
    text = stderr.read_text(encoding="utf-8")
    assert "Traceback" not in text
    assert [line for line in lines() if "level=error" in line] == [lines()[-1]]
    assert len(lines()) == 5  # three useful cycles, one reload, one failed reload
