"""IMAP IDLE (RFC 2177) on INBOX and Sent: the daemon wakes when mail lands there.

A note the user sent shows up in Sent (its state becomes sent, and a warning may no longer
be due); an invitation shows up in INBOX. Without IDLE both wait for the next sync.

One daemon thread per folder, each with its own connection opened by the mailbox
(`ImapMailbox.open_connection`: same server, TLS, password or XOAUTH2 token and timeout;
secrets never reach a log). It EXAMINEs the folder (read-only: nothing is marked seen) and
IDLEs. A `* n EXISTS` (a message arrived) calls `changed()`; flag changes and expunges do
not, since they never give afterword work. The thread sleeps in `select()` on the socket
and on a wake-up socket that `stop()` closes, so an idle daemon makes no periodic
wake-ups and still stops within a second.

- IDLE is renewed (DONE, IDLE) every RENEW seconds: servers may end an IDLE after 30
  minutes, and the renewal is also what finds a connection that died silently.
- A dropped connection is opened again after FIRST_RETRY seconds, doubling up to
  MAX_RETRY; `changed()` follows every reconnection, as mail may have landed meanwhile.
- A server without IDLE, or without the folder, gets no watching at all (one debug line).

These connections are not the cycle's: they issue no command per cycle, only LOGIN,
LIST (for Sent), EXAMINE and IDLE once, then DONE/IDLE every RENEW seconds. Everything here
logs at debug: the cycle that follows a change says what it found.
"""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from imapclient import IMAPClient

from afterword.plugin.errors import UserError
from afterword.plugin.mailbox.imap import ImapMailbox

log = logging.getLogger("afterword.mailbox.imap_idle")

ROLES = ("inbox", "sent")
RENEW = 25 * 60.0
FIRST_RETRY, MAX_RETRY = 5.0, 300.0
LEAVE_TIMEOUT = 0.5  # seconds for DONE and LOGOUT on the way out
JOIN_TIMEOUT = 1.5  # stop() waits this long in all for the threads


class _Gone(Exception):
    """The server ended the session (BYE) or the connection is closed."""


class IdleWatcher:
    """A ChangeWatcher (watch.py) for an ImapMailbox; started once, stopped once."""

    def __init__(self, mailbox: ImapMailbox, roles: Sequence[str] = ROLES) -> None:
        self.mailbox = mailbox
        self.roles = tuple(roles)
        self._stop = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._threads: list[threading.Thread] = []
        self._told_no_idle = False

    def start(self, changed: Callable[[], None]) -> None:
        for role in self.roles:
            thread = threading.Thread(target=self._run, args=(role, changed),
                                      name=f"afterword-idle-{role}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self._wake_w.close()  # the other end turns readable (end of file) for good
        deadline = time.monotonic() + JOIN_TIMEOUT
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if not any(thread.is_alive() for thread in self._threads):
            self._wake_r.close()  # else a thread still connecting may yet select on it
        self._threads = []

    @property
    def watching(self) -> int:
        """Threads still running: 0 once stopped, or when the server offers no IDLE."""
        return sum(1 for thread in self._threads if thread.is_alive())

    # --- one folder ---------------------------------------------------------------------

    def _run(self, role: str, changed: Callable[[], None]) -> None:
        """Connect, IDLE until stopped or dropped, and after a drop back off and again."""
        retry, connected_before = FIRST_RETRY, False
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                client = self._session(role)
            except Exception as exc:  # unreachable, refused, dropped while starting
                log.debug("IMAP IDLE on %s: cannot start (%s); again in %.0f s", role,
                          exc, retry)
            else:
                if client is None:
                    return  # nothing to watch on this server
                if connected_before:
                    changed()  # mail may have landed while we were away
                connected_before = True
                try:
                    self._idle(client, role, changed)
                except Exception as exc:
                    log.debug("IMAP IDLE on %s dropped (%s); again in %.0f s", role, exc,
                              retry)
                finally:
                    _leave(client)
                if time.monotonic() - began >= MAX_RETRY:
                    retry = FIRST_RETRY  # it had been up a good while: not a flapping server
            if self._stop.wait(retry):
                return
            retry = min(retry * 2, MAX_RETRY)

    def _session(self, role: str) -> IMAPClient | None:
        """A connection with the role's folder EXAMINEd; None when there is nothing to
        watch (no IDLE, no such folder)."""
        client = self.mailbox.open_connection()
        try:
            if not client.has_capability("IDLE"):
                if not self._told_no_idle:
                    self._told_no_idle = True
                    log.debug("IMAP server %s offers no IDLE: new mail waits for the next "
                              "sync", self.mailbox.host)
                _leave(client)
                return None
            try:
                name = self.mailbox.folder_name(client, role)
            except UserError as exc:
                log.debug("IMAP IDLE on %s: no folder to watch (%s)", role, exc)
                _leave(client)
                return None
            client.select_folder(name, readonly=True)
            client.idle()
            log.debug("IMAP IDLE on %s (%r) at %s", role, name, self.mailbox.host)
            return client
        except BaseException:
            _leave(client)
            raise

    def _idle(self, client: IMAPClient, role: str, changed: Callable[[], None]) -> None:
        """Wait in IDLE until stopped; raises when the connection goes."""
        sock = client.socket()
        renew_at = time.monotonic() + RENEW
        while True:
            left = renew_at - time.monotonic()
            readable: list[Any] = []
            if left > 0:
                readable, _, _ = select.select([sock, self._wake_r], [], [], left)
            if self._stop.is_set():
                client.socket().settimeout(LEAVE_TIMEOUT)
                client.idle_done()
                return
            if left <= 0:
                _note(client.idle_done()[1], changed)
                client.idle()
                renew_at = time.monotonic() + RENEW
            elif sock in readable:
                responses = client.idle_check(timeout=0)
                if not responses:
                    # Readable, yet no whole line: the server closed the connection (or
                    # sent half a line). Ending IDLE tells which: it raises on a closed one.
                    _note(client.idle_done()[1], changed)
                    client.idle()
                else:
                    _note(responses, changed)


def _note(responses: list[Any], changed: Callable[[], None]) -> None:
    """Call `changed()` once if the responses announce a new message; raise on BYE."""
    arrived = False
    for response in responses:
        if isinstance(response, tuple) and len(response) >= 2:
            if response[0] == b"BYE":
                raise _Gone("the server said BYE")
            arrived = arrived or response[1] == b"EXISTS"
    if arrived:
        changed()


def _leave(client: IMAPClient) -> None:
    """Log out quickly; a connection that is gone is just closed."""
    try:
        client.socket().settimeout(LEAVE_TIMEOUT)
        client.logout()
    except Exception:  # gone, or still idling after a failure
        try:
            client.shutdown()
        except Exception:  # already closed
            log.debug("IMAP IDLE socket already closed", exc_info=True)
