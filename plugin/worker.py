"""The daemon's helper process: notes rendered and calendars parsed outside the daemon.

Python cannot unload a module. A daemon that rendered one note in its own process would hold
Jinja2 and MarkupSafe (about 2 MB resident) for the months it then idles; one that parsed one
.ics would hold icalendar, recurring-ical-events and dateutil (about 3 MB). Both are over
issue 7's memory budget, so the daemon (`afterword run` without --once) hands that work to a
short-lived child, `python -P -m afterword.plugin.worker TEMPLATES_DIR LEVEL`: a Worker
starts it on the cycle's first request, the cycle's other requests reuse it, and Engine.cycle
closes it when the cycle's work is done, so no helper lingers while the daemon sleeps. A
cycle that finds nothing changed starts none. One-shot commands (`run --once`, `demo`,
`check`) work in process: they have no memory budget, and a process start would only slow
them.

Two views of one Worker serve the engine: WorkerComposer (render.NoteComposer) and
WorkerParser (sources/parse.CalendarParser). The child keeps nothing between requests but
its loaded templates. The engine still composes one note at a time and reads the company's
other bodies from the state before each, so every note's uniqueness check sees the ones
composed just before it, exactly as in process.

Wire format, both ways: a 4-byte big-endian length, then a pickle. Each side unpickles only
what its own counterpart wrote (the parent the child it started, the child its parent).
The child first says ("ready", None), then answers
- ("compose", ctx, existing, names) with ("ok", ComposedNote), ("error", message) for a
  template problem (raised here as the UserError Composer would raise);
- ("parse", data, start, end, zone, source) with ("ok", [CalendarEvent, ...]) or
  ("unreadable", message) when the data is no calendar or breaks the parser (raised here as
  the CalendarDataError an in-process parse raises, so one bad attachment is skipped as
  before);
and ("failed", message) for a bug (its traceback goes to stderr). A child that dies, says
nothing in time or answers garbage is a retryable ServiceError, never a CalendarDataError:
the daemon's cycle fails and is tried again, it never hangs and never takes a broken helper
for a broken calendar. The next request starts a new child, as it does when a child died
between two requests.

A user's own templates_dir is checked when the Worker is made, by starting the child (it
loads those templates before saying ready): a broken template still stops the daemon at
start with exit 2, and a SIGHUP reload onto one keeps the running config. That child then
serves the first cycle.

The child writes its log lines (a skipped event's warning, say) to the daemon's stderr, at
the level the daemon's afterword logger has; it is never given a secret (calendar sources
are named by their redacted labels). It ignores SIGINT and SIGTERM, which a Ctrl-C or a
service manager's stop sends to the whole process group: the daemon finishes its cycle, with
the helper's help, before it stops; the child ends when its stdin closes, which also happens
when the daemon is killed. Timeouts wait with poll() on the pipes, so the helper is POSIX
only (`SUPPORTED`); elsewhere the daemon works in process.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import struct
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from zoneinfo import ZoneInfo

from afterword.plugin.compose.render import Composer, NoteContext
from afterword.plugin.errors import CalendarDataError, ServiceError, UserError
from afterword.plugin.model import CalendarEvent, ComposedNote

if TYPE_CHECKING:
    import subprocess

log = logging.getLogger("afterword.worker")

MODULE = "afterword.plugin.worker"
SUPPORTED = os.name == "posix" and hasattr(select, "poll")
TIMEOUT = 30.0  # seconds for the child to start, or to render one note
# seconds to parse one calendar: a feed of many thousand events takes seconds, not minutes
PARSE_TIMEOUT = 300.0
CLOSE_WAIT = 2.0  # seconds a closed child has to exit before it is killed
# A longer reply is garbage: a note is kilobytes, a calendar's events in the engine's window
# at most a few times the 64 MiB an .ics may have.
MAX_FRAME = 256 * 1024 * 1024
_HEADER = struct.Struct("!I")


def worker_command(templates_dir: Path | None, level: int) -> list[str]:
    """The child's command line. -P keeps the working folder off its sys.path, so a stray
    `jinja2` or `afterword` folder there cannot stand in for the real one."""
    return [sys.executable, "-P", "-m", MODULE,
            "" if templates_dir is None else str(templates_dir), str(level)]


def failure(what: str, reason: object) -> ServiceError:
    return ServiceError(f"{what} failed: {reason}", retryable=True)


# pickle and subprocess load when the first worker starts (half a megabyte resident
# together), so a daemon that has had nothing to write does not carry them.


def _frame(message: object) -> bytes:
    import pickle

    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(payload)) + payload


def _unpickle(data: bytes) -> object:
    import pickle

    message: object = pickle.loads(data)
    return message


# --- the daemon's side ----------------------------------------------------------------------


class _Broken(Exception):
    """The child is gone, silent past its deadline, or talking nonsense."""


class _Child:
    """One worker process and non-blocking pipes to it, every wait bounded by a deadline."""

    def __init__(self, command: list[str]) -> None:
        import subprocess

        self.proc: subprocess.Popen[bytes] = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._to, self._from = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        os.set_blocking(self._to, False)
        os.set_blocking(self._from, False)
        self._writable, self._readable = select.poll(), select.poll()
        self._writable.register(self._to, select.POLLOUT)
        self._readable.register(self._from, select.POLLIN)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def ask(self, request: tuple[object, ...], timeout: float) -> tuple[str, object]:
        deadline = time.monotonic() + timeout
        self._write(_frame(request), deadline)
        return self.receive(deadline)

    def receive(self, deadline: float) -> tuple[str, object]:
        (size,) = _HEADER.unpack(self._read(_HEADER.size, deadline))
        if size > MAX_FRAME:
            raise _Broken(f"the worker announced a reply of {size} bytes")
        data = self._read(size, deadline)
        try:
            reply = _unpickle(data)
        except Exception as exc:  # garbage can fail to unpickle in many ways
            raise _Broken(f"the worker's reply is unreadable ({exc})") from exc
        if not (isinstance(reply, tuple) and len(reply) == 2 and isinstance(reply[0], str)):
            raise _Broken(f"unexpected reply from the worker: {reply!r:.80}")
        tag, value = reply
        return tag, value

    def end(self, wait: float) -> None:
        """Close its stdin (it exits at end of input); kill it if it is still there after
        `wait` seconds."""
        import subprocess

        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()  # unbuffered: nothing to flush, so nothing to fail
        try:
            self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()

    def _write(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            self._wait(self._writable, deadline)
            try:
                written = os.write(self._to, view)
            except BlockingIOError:
                continue
            except OSError as exc:  # a broken pipe: it exited
                raise _Broken(self._gone()) from exc
            view = view[written:]

    def _read(self, size: int, deadline: float) -> bytes:
        data = bytearray()
        while len(data) < size:
            self._wait(self._readable, deadline)
            try:
                chunk = os.read(self._from, size - len(data))
            except BlockingIOError:
                continue
            if not chunk:
                raise _Broken(self._gone())
            data += chunk
        return bytes(data)

    def _wait(self, poller: select.poll, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0 or not poller.poll(max(1, int(left * 1000))):
            raise _Broken("the worker did not answer in time")

    def _gone(self) -> str:
        import subprocess

        try:
            code = self.proc.wait(1)
        except subprocess.TimeoutExpired:
            return "the worker closed its output"
        if code < 0:
            return f"the worker was killed by signal {-code}"
        return f"the worker exited with code {code}"


class Worker:
    """One child process that lives from the first request to close(); the next request
    after close() starts another."""

    def __init__(self, templates_dir: Path | None = None, *, timeout: float = TIMEOUT) -> None:
        self.templates_dir = templates_dir
        self.timeout = timeout
        self._child: _Child | None = None
        if templates_dir is not None:
            self._started()  # the user's templates: a broken one is reported now

    @property
    def pid(self) -> int | None:
        """The running child's process id, if one is running."""
        return None if self._child is None else self._child.proc.pid

    def ask(self, request: tuple[object, ...], timeout: float, what: str) -> tuple[str, object]:
        """The child's answer to `request`. A child that fails to answer is killed and the
        failure is a retryable ServiceError naming `what` was being done; a ("failed", …)
        answer is one too. Every other answer is the caller's to read."""
        try:
            child = self._started()
        except _Broken as exc:
            raise failure(what, exc) from exc
        try:
            tag, value = child.ask(request, timeout)
        except _Broken as exc:
            self._drop()
            raise failure(what, exc) from exc
        if tag == "failed":
            self._drop()
            raise failure(what, value)
        return tag, value

    def unexpected(self, what: str, tag: str) -> ServiceError:
        """An answer of the wrong kind: the child is not trusted again."""
        self._drop()
        return failure(what, f"unexpected reply from the worker: {tag!r}")

    def close(self) -> None:
        """End the child, if one is running."""
        child, self._child = self._child, None
        if child is not None:
            child.end(CLOSE_WAIT)

    def _drop(self) -> None:
        """Kill a child that failed; never reuse it."""
        child, self._child = self._child, None
        if child is not None:
            child.end(0)

    def _started(self) -> _Child:
        """The running child, or a new one once it said it is ready."""
        if self._child is not None:
            if self._child.alive():
                return self._child
            self._drop()  # died while idle between two requests: start afresh
        level = logging.getLogger("afterword").getEffectiveLevel()
        try:
            child = _Child(worker_command(self.templates_dir, level))
        except OSError as exc:
            raise _Broken(f"could not start the worker: {exc}") from exc
        try:
            tag, value = child.receive(time.monotonic() + self.timeout)
        except _Broken:
            child.end(0)
            raise
        if tag == "error":
            child.end(CLOSE_WAIT)
            raise UserError(str(value))
        if tag != "ready":
            child.end(0)
            raise _Broken(f"unexpected greeting from the worker: {tag!r}")
        self._child = child
        return child


class WorkerComposer:
    """Composer's interface (render.NoteComposer), rendering in the worker."""

    what = "note rendering"

    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    def compose(
        self, ctx: NoteContext, existing: Sequence[str], names: Iterable[str] = ()
    ) -> ComposedNote:
        """As Composer.compose, rendered in the child."""
        tag, value = self.worker.ask(("compose", ctx, tuple(existing), tuple(names)),
                                     self.worker.timeout, self.what)
        if tag == "ok" and isinstance(value, ComposedNote):
            return value
        if tag == "error":
            raise UserError(str(value))
        raise self.worker.unexpected(self.what, tag)

    def close(self) -> None:
        """End the worker (the engine does at the end of each cycle)."""
        self.worker.close()


class WorkerParser:
    """parse_calendar's interface (sources/parse.CalendarParser), parsing in the worker."""

    what = "calendar parsing"

    def __init__(self, worker: Worker, *, timeout: float = PARSE_TIMEOUT) -> None:
        self.worker = worker
        self.timeout = timeout

    def __call__(self, data: bytes, start: datetime, end: datetime, default_zone: ZoneInfo,
                 source: str) -> list[CalendarEvent]:
        tag, value = self.worker.ask(("parse", data, start, end, default_zone, source),
                                     self.timeout, self.what)
        if tag == "ok" and isinstance(value, list) and all(
                isinstance(event, CalendarEvent) for event in value):
            return value
        if tag == "unreadable":
            raise CalendarDataError(str(value))
        raise self.worker.unexpected(self.what, tag)

    def close(self) -> None:
        """End the worker (the engine does at the end of each cycle)."""
        self.worker.close()


# --- the worker's side ----------------------------------------------------------------------


def _read_request(stream: BinaryIO) -> object | None:
    """The next request, or None at end of input (the daemon closed the pipe)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    return _unpickle(data)


def _reply(stream: BinaryIO, reply: tuple[str, object]) -> None:
    stream.write(_frame(reply))
    stream.flush()


def _serve(composer: Composer, request: object) -> tuple[str, object]:
    try:
        parts: tuple[Any, ...] = request if isinstance(request, tuple) else ()
        if parts[:1] == ("compose",) and len(parts) == 4:
            return "ok", composer.compose(parts[1], parts[2], parts[3])
        if parts[:1] == ("parse",) and len(parts) == 6:
            return _parse(*parts[1:])
        raise ValueError(f"unknown request {request!r:.80}")
    except UserError as exc:
        return "error", str(exc)
    except Exception as exc:
        log.exception("the worker failed")
        return "failed", f"{type(exc).__name__}: {exc}"


def _parse(data: bytes, start: datetime, end: datetime, zone: ZoneInfo,
           source: str) -> tuple[str, object]:
    """Events, or why the data cannot be read: as in process, where a calendar that breaks
    the parser is one unreadable calendar, not a failed cycle."""
    from afterword.plugin.sources.ical import parse_calendar

    try:
        return "ok", parse_calendar(data, start, end, zone, source)
    except CalendarDataError as exc:
        return "unreadable", str(exc)
    except Exception as exc:
        log.debug("%s: the parser failed", source, exc_info=True)
        return "unreadable", f"{source}: cannot be parsed ({type(exc).__name__}: {exc})"


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the daemon's requests on stdin/stdout until stdin ends."""
    from afterword.plugin import logs

    args = list(sys.argv[1:] if argv is None else argv)
    templates_dir = Path(args[0]) if args and args[0] else None
    level = int(args[1]) if len(args) > 1 else logging.WARNING
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)  # the daemon ends this process, by closing stdin
    logs.setup()
    logging.getLogger("afterword").setLevel(level)
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print cannot garble a reply
    try:
        composer = Composer(templates_dir)
    except UserError as exc:
        _reply(replies, ("error", str(exc)))
        return 2
    _reply(replies, ("ready", None))
    while (request := _read_request(requests)) is not None:
        _reply(replies, _serve(composer, request))
    return 0


if __name__ == "__main__":
    sys.exit(main())
