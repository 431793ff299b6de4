"""The long-running loop: a cycle, then sleep until the next interview ends, the next
warning stage falls or the next sync is due, whichever comes first."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import FrameType

from afterword.plugin.engine import Engine
from afterword.plugin.errors import AfterwordError, ServiceError

log = logging.getLogger("afterword.daemon")

SYNC_INTERVAL = timedelta(minutes=5)
MAX_BACKOFF = timedelta(minutes=30)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Daemon:
    def __init__(self, engine: Engine, sync_interval: timedelta = SYNC_INTERVAL,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.sync_interval = sync_interval
        self.clock = clock
        self.stopping = threading.Event()

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        log.info("stopping: signal=%s", signum)
        self.stopping.set()

    def run(self) -> None:
        previous = {s: signal.signal(s, self.stop) for s in (signal.SIGTERM, signal.SIGINT)}
        failures = 0
        try:
            while not self.stopping.is_set():
                now = self.clock()
                try:
                    report = self.engine.cycle(now)
                    failures = 0
                    if report.did_something:
                        log.info("cycle: drafts=%d sent=%d flagged=%d warnings=%d",
                                 len(report.drafts), len(report.sent), report.flagged,
                                 len(report.warnings))
                    wake = self.wake_time(now)
                except AfterwordError as exc:
                    if isinstance(exc, ServiceError) and not exc.retryable:
                        raise  # a refused login: exit 1 with the reason, as `run --once`
                    # A daemon outlives network blips: say it once, back off, try again.
                    failures += 1
                    delay = min(self.sync_interval * (2 ** (failures - 1)), MAX_BACKOFF)
                    log.error("cycle failed: %s (retry in %ds)", exc, delay.total_seconds())
                    wake = now + delay
                finally:
                    self.engine.mailbox.close()
                self.stopping.wait(max(0.0, (wake - self.clock()).total_seconds()))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def wake_time(self, now: datetime) -> datetime:
        wake = now + self.sync_interval
        nxt = self.engine.next_event(now)
        if nxt is not None and nxt < wake:
            wake = nxt + timedelta(seconds=1)
        return wake
