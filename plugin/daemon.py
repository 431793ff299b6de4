"""The long-running loop: a cycle, then sleep until the next interview ends, the next
warning stage falls or the next sync is due (`[daemon] sync_interval`), whichever comes
first. Where the mailbox can tell (IMAP IDLE on INBOX and Sent, plugin/mailbox/watch.py),
new mail wakes it too: a note the user just sent is seen within seconds, not at the next
sync. The wake-up waits MAIL_SETTLE seconds after the first change, so a burst of mail (or
a mail client saving to Sent in steps) costs one cycle.

Signals: SIGTERM and SIGINT end it within a second, even mid-sleep (a cycle under way is
finished first, so nothing is left half done); SIGHUP reads the config again and reopens
the backends, keeping the running ones when the new config is bad. At the default log
level it prints one line per cycle that did something and nothing otherwise.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from afterword.plugin.config import Config
from afterword.plugin.engine import CycleReport, Engine
from afterword.plugin.errors import AfterwordError, ServiceError
from afterword.plugin.mailbox.base import Mailbox
from afterword.plugin.mailbox.watch import ChangeWatcher, watcher_for
from afterword.plugin.runtime import open_engine

log = logging.getLogger("afterword.daemon")

MAX_BACKOFF = timedelta(minutes=30)
# The longest single wait: the wall clock is read again at least this often, so a laptop
# that slept through an interview's end catches up within a minute of waking.
MAX_NAP = 60.0
# Cycles after a start or reload that read everything afresh: memory is released after them.
SETTLING_CYCLES = 3
# Seconds between the first sign of new mail and the cycle it triggers.
MAIL_SETTLE = 2.0

EngineOpener = Callable[[Config], AbstractContextManager[Engine]]
Watch = Callable[[Mailbox], ChangeWatcher | None]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Daemon:
    """Runs cycles of the engine built from `config` until stopped.

    `load` reads the config again on SIGHUP (without it SIGHUP is ignored); `opener` builds
    an engine and closes it on exit, as `runtime.open_engine` does; `watch` gives the
    mailbox's change watcher, if it has one.
    """

    def __init__(self, config: Config, *, load: Callable[[], Config] | None = None,
                 clock: Callable[[], datetime] = utcnow,
                 opener: EngineOpener = open_engine, watch: Watch = watcher_for) -> None:
        self.config = config
        self.load = load
        self.clock = clock
        self.opener = opener
        self.watch = watch
        self.mail_changed_at: float | None = None  # time.monotonic() of the first change
        self.stopping = threading.Event()
        self.wakeup = threading.Event()
        self.reload_requested = False
        self.failures = 0
        self.cycles = 0  # since the start or the last reload
        self._stack = ExitStack()
        self._engine: Engine | None = None

    @property
    def sync_interval(self) -> timedelta:
        return timedelta(seconds=self.config.daemon.sync_interval)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise RuntimeError("the daemon is not running")
        return self._engine

    # --- signals -------------------------------------------------------------------------

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        log.debug("stopping: signal=%s", signum)
        self.stopping.set()
        self.wakeup.set()

    def request_reload(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self.reload_requested = True
        self.wakeup.set()

    def mail_changed(self) -> None:
        """From a watcher's thread: mail landed in a watched folder."""
        if self.mail_changed_at is None:
            self.mail_changed_at = time.monotonic()
            log.debug("new mail in a watched folder: a cycle in %.0f s", MAIL_SETTLE)
        self.wakeup.set()

    def _install_handlers(self) -> dict[int, Any]:
        handlers: dict[int, Callable[[int, FrameType | None], None]] = {
            signal.SIGTERM: self.stop, signal.SIGINT: self.stop}
        if hasattr(signal, "SIGHUP"):  # not on Windows
            handlers[signal.SIGHUP] = self.request_reload
        return {sig: signal.signal(sig, handler) for sig, handler in handlers.items()}

    # --- the loop ------------------------------------------------------------------------

    def run(self) -> None:
        if log.getEffectiveLevel() > logging.INFO:
            log.setLevel(logging.INFO)  # the one line per useful cycle shows by default
        previous = self._install_handlers()
        share_one_arena()
        try:
            self._engine = self._stack.enter_context(self.opener(self.config))
            self._watch(self._stack, self._engine)
            while not self.stopping.is_set():
                if self.reload_requested:
                    self._reload()
                if self.mail_changed_at is not None:
                    self.engine.mail_arrived()
                self.mail_changed_at = None  # this cycle reads whatever arrived so far
                self._sleep_until(self._cycle(self.clock()))
        finally:
            self._engine = None
            self._stack.close()  # the engine running now, whichever config it came from
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _cycle(self, now: datetime) -> datetime:
        """One cycle; when to wake for the next."""
        try:
            report = self.engine.cycle(now)
        except AfterwordError as exc:
            if isinstance(exc, ServiceError) and not exc.retryable:
                raise  # a refused login: exit 1 with the reason, as `run --once`
            # A daemon outlives network blips: say it, back off, try again.
            self.failures += 1
            delay: timedelta = min(self.sync_interval * (2 ** (self.failures - 1)),
                                   MAX_BACKOFF)
            log.error("cycle failed: %s (retry in %ds)", exc, delay.total_seconds())
            retry: datetime = min(now + delay, self.wake_time(now))
            return retry
        finally:
            self.engine.mailbox.close()  # drops the connection; the backend's caches stay
        self.failures = 0
        self.cycles += 1
        wake = self.wake_time(now)
        if report.did_something:
            log.info("cycle: %s", summary(report))
        else:
            log.debug("cycle: nothing to do; next at %s", wake.isoformat(timespec="seconds"))
        if report.did_something or self.cycles <= SETTLING_CYCLES:
            release_memory()
        return wake

    def _sleep_until(self, wake: datetime) -> None:
        """Wait for `wake` by the wall clock, until a signal asks for something, or until
        MAIL_SETTLE seconds after new mail was announced."""
        while not self.stopping.is_set() and not self.reload_requested:
            left = (wake - self.clock()).total_seconds()
            changed_at = self.mail_changed_at
            if changed_at is not None:
                left = min(left, changed_at + MAIL_SETTLE - time.monotonic())
            if left <= 0:
                return
            self.wakeup.wait(min(left, MAX_NAP))
            self.wakeup.clear()

    def _watch(self, stack: ExitStack, engine: Engine) -> None:
        """Start the mailbox's change watcher, stopped when `stack` closes (before the
        engine it watches)."""
        watcher = self.watch(engine.mailbox)
        if watcher is not None:
            watcher.start(self.mail_changed)
            stack.callback(watcher.stop)

    def _reload(self) -> None:
        """Swap in the engine of the config as it now reads; keep the old one on failure."""
        self.reload_requested = False
        if self.load is None:
            return
        stack = ExitStack()
        try:
            config = self.load()
            engine = stack.enter_context(self.opener(config))
            self._watch(stack, engine)
        except (AfterwordError, OSError) as exc:
            stack.close()
            log.error("config reload failed, still running the previous config: %s", exc)
            return
        old, self._stack = self._stack, stack
        self.config, self._engine = config, engine
        self.failures = self.cycles = 0
        old.close()
        log.info("config reloaded from %s", config.path)

    def wake_time(self, now: datetime) -> datetime:
        wake = now + self.sync_interval
        nxt = self.engine.next_event(now)
        if nxt is not None and nxt < wake:
            wake = nxt + timedelta(seconds=1)
        return wake


def release_memory() -> None:
    """Hand freed heap back to the system. Parsing a calendar and composing notes leave
    megabytes free but resident, which a daemon idling for months would hold for nothing;
    glibc returns them only when asked (elsewhere this just collects garbage)."""
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)


def share_one_arena() -> None:
    """Ask glibc for one malloc arena for all threads. By default each thread that
    allocates gets an arena of its own; the IMAP IDLE watchers' threads sleep for hours
    and would keep theirs, out of reach of release_memory (about 0.3 MB measured). The
    threads allocate little and rarely, so sharing costs nothing. Call before threads
    start; elsewhere than glibc it does nothing."""
    if _glibc is not None:
        _glibc.mallopt(_M_ARENA_MAX, 1)


def _find_glibc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None)
    except OSError:
        return None
    # musl has no malloc_trim; only glibc knows M_ARENA_MAX.
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


_M_ARENA_MAX = -8  # glibc's mallopt parameter number
_glibc = _find_glibc()
_malloc_trim: Callable[[int], int] | None = _glibc.malloc_trim if _glibc is not None else None


def summary(report: CycleReport) -> str:
    return (f"drafts={len(report.drafts)} sent={len(report.sent)} flagged={report.flagged} "
            f"warnings={len(report.warnings)} user_changes={len(report.user_changes)} "
            f"offers={len(report.offers)}")
