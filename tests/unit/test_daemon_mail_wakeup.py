"""The daemon and a mailbox's change watcher: a burst of new mail wakes it for one cycle
after a short settling pause, long before the next sync; the watcher lives as long as the
engine it watches (a SIGHUP reload swaps both) and is stopped on the way out."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from afterword.plugin import daemon as daemon_module
from afterword.plugin.config import Config, load_config
from afterword.plugin.daemon import Daemon
from afterword.plugin.engine import CycleReport
from tests.system.conftest import write_config
from tests.system.test_edge_cases import calendar


class FakeMailbox:
    kind = "imap"

    def close(self) -> None:
        pass


class FakeEngine:
    """Counts cycles; nothing is ever due, so only the sync interval (an hour) or new mail
    can wake the daemon."""

    def __init__(self) -> None:
        self.mailbox = FakeMailbox()
        self.cycles: list[float] = []  # time.monotonic() of each
        self.told: list[int] = []  # cycles before which the daemon said mail arrived
        self.closed = False

    def mail_arrived(self) -> None:
        self.told.append(len(self.cycles))

    def cycle(self, now: datetime) -> CycleReport:
        self.cycles.append(time.monotonic())
        return CycleReport()

    def next_event(self, now: datetime) -> datetime | None:
        return None


class FakeWatcher:
    def __init__(self) -> None:
        self.changed: Callable[[], None] | None = None
        self.stopped = False

    def start(self, changed: Callable[[], None]) -> None:
        self.changed = changed

    def stop(self) -> None:
        self.stopped = True


class Harness:
    def __init__(self, config: Config) -> None:
        self.engines: list[FakeEngine] = []
        self.watchers: list[FakeWatcher] = []
        self.daemon = Daemon(config, load=lambda: config, opener=self.open,
                             watch=self.watch)

    @contextmanager
    def open(self, config: Config) -> Iterator[FakeEngine]:
        engine = FakeEngine()
        self.engines.append(engine)
        try:
            yield engine
        finally:
            engine.closed = True

    def watch(self, mailbox: FakeMailbox) -> FakeWatcher:
        assert mailbox is self.engines[-1].mailbox
        self.watchers.append(FakeWatcher())
        return self.watchers[-1]

    def run_while(self, drive: Callable[[], None]) -> None:
        """The daemon in this (the main) thread, as signals need; `drive` beside it, then
        a stop."""
        failure: list[BaseException] = []

        def driver() -> None:
            try:
                drive()
            except BaseException as exc:  # reported in the test's thread
                failure.append(exc)
            finally:
                self.daemon.stop()

        thread = threading.Thread(target=driver)
        thread.start()
        self.daemon.run()
        thread.join()
        if failure:
            raise failure[0]


def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Harness:
    monkeypatch.setattr(daemon_module, "MAIL_SETTLE", 0.3)
    config = load_config(write_config(tmp_path, calendar(), "[daemon]\nsync_interval = 3600\n"))
    return Harness(config)


def test_a_burst_of_new_mail_wakes_the_daemon_for_one_cycle(harness: Harness) -> None:
    def drive() -> None:
        until(lambda: bool(harness.engines and harness.engines[0].cycles))
        [engine] = harness.engines
        [watcher] = harness.watchers
        assert watcher.changed is not None
        first = time.monotonic()
        for _ in range(3):  # a mail client storing a message in steps
            watcher.changed()
            time.sleep(0.05)
        until(lambda: len(engine.cycles) == 2)
        assert 0.3 <= engine.cycles[1] - first < 1.0
        time.sleep(0.6)
        assert len(engine.cycles) == 2  # one cycle for the burst, then an hour's sleep
        assert engine.told == [1]  # told before that cycle, so it reads the new mail

    harness.run_while(drive)
    [watcher] = harness.watchers
    assert watcher.stopped and harness.engines[0].closed


def test_a_reload_swaps_the_watcher_with_the_engine(harness: Harness) -> None:
    def drive() -> None:
        until(lambda: bool(harness.engines and harness.engines[0].cycles))
        harness.daemon.request_reload()
        until(lambda: len(harness.engines) == 2 and bool(harness.engines[1].cycles))
        old, new = harness.watchers
        assert old.stopped and harness.engines[0].closed
        assert not new.stopped and new.changed is not None
        new.changed()
        until(lambda: len(harness.engines[1].cycles) == 2)

    harness.run_while(drive)
    assert all(w.stopped for w in harness.watchers)
