"""The IMAP IDLE watcher against a real Dovecot: new mail in INBOX or Sent is reported
within moments, other changes are not, a kicked connection comes back, stop() is quick,
and a server without IDLE gets no watching at all (a loopback fake server)."""

from __future__ import annotations

import logging
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from afterword.plugin.backends import open_mailbox
from afterword.plugin.config import load_config
from afterword.plugin.mailbox import imap_idle
from afterword.plugin.mailbox.imap import ImapMailbox
from afterword.plugin.mailbox.imap_idle import IdleWatcher
from afterword.plugin.mailbox.maildir import MaildirMailbox
from afterword.plugin.mailbox.watch import watcher_for
from tests.emulators.google_api import GoogleEmulator
from tests.servers.conftest import Account
from tests.servers.test_imap_mailbox import PRIYA, sent
from tests.servers.test_imap_xoauth2 import XOAuth2Imap, config_for, imap_server

__all__ = ["imap_server"]  # the fake XOAUTH2 server's fixture, imported so pytest finds it

servers = pytest.mark.servers


class Changes:
    """The watcher's callback: counts calls and lets a test wait for the next one."""

    def __init__(self) -> None:
        self.count = 0
        self._cond = threading.Condition()

    def __call__(self) -> None:
        with self._cond:
            self.count += 1
            self._cond.notify_all()

    def wait_beyond(self, count: int, timeout: float = 5.0) -> float:
        """Seconds until more than `count` calls were made; fails after `timeout`."""
        began = time.monotonic()
        with self._cond:
            assert self._cond.wait_for(lambda: self.count > count, timeout), \
                f"no change reported within {timeout} s"
        return time.monotonic() - began


def idling(caplog: pytest.LogCaptureFixture, roles: int = 2, timeout: float = 5.0) -> None:
    """Wait until the watcher's threads have entered IDLE."""
    deadline = time.monotonic() + timeout
    while sum("IMAP IDLE on" in r.getMessage() for r in caplog.records) < roles:
        assert time.monotonic() < deadline, "the watcher never started IDLE"
        time.sleep(0.02)


@pytest.fixture
def watched(account: Account, caplog: pytest.LogCaptureFixture,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[IdleWatcher, Changes]]:
    monkeypatch.setattr(imap_idle, "FIRST_RETRY", 0.1)  # a kicked connection is back at once
    caplog.set_level(logging.DEBUG, logger="afterword.mailbox.imap_idle")
    mailbox = ImapMailbox("127.0.0.1", account.server.port, "none", account.user,
                          password=account.password, timeout=5)
    watcher = watcher_for(mailbox)
    assert isinstance(watcher, IdleWatcher)
    changes = Changes()
    watcher.start(changes)
    idling(caplog)
    try:
        yield watcher, changes
    finally:
        watcher.stop()


def append(account: Account, folder: str, flags: tuple[bytes, ...] = ()) -> None:
    with account.client() as client:
        client.append(folder, sent(PRIYA).as_bytes(), flags)


@servers
def test_new_mail_in_inbox_or_sent_is_reported_at_once(
    watched: tuple[IdleWatcher, Changes], account: Account
) -> None:
    _watcher, changes = watched
    append(account, "Sent", (b"\\Seen",))  # a mail client storing what it sent
    assert changes.wait_beyond(0) < 1.0
    append(account, "INBOX")
    assert changes.wait_beyond(1) < 1.0

    seen = changes.count
    append(account, "Drafts", (b"\\Draft",))  # not watched
    with account.client() as client:
        client.select_folder("INBOX")
        client.add_flags(client.search("ALL"), [b"\\Seen"])  # read by the user: no work
    time.sleep(0.5)
    assert changes.count == seen


@servers
def test_a_dropped_connection_comes_back_and_says_so(
    watched: tuple[IdleWatcher, Changes], account: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _watcher, changes = watched
    caplog.clear()
    account.server.kick(account.user)  # as a server restart or an idle timeout does

    changes.wait_beyond(0)  # after reconnecting: mail may have landed meanwhile
    idling(caplog)
    seen = changes.count
    append(account, "Sent")
    assert changes.wait_beyond(seen) < 1.0
    assert any("dropped" in r.getMessage() for r in caplog.records)


@servers
def test_stop_ends_the_threads_within_a_second(account: Account,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="afterword.mailbox.imap_idle")
    mailbox = ImapMailbox("127.0.0.1", account.server.port, "none", account.user,
                          password=account.password, timeout=5)
    watcher = IdleWatcher(mailbox)
    watcher.start(Changes())
    idling(caplog)
    assert watcher.watching == 2

    began = time.monotonic()
    watcher.stop()

    assert time.monotonic() - began < 1.0
    assert watcher.watching == 0
    assert not [t for t in threading.enumerate() if t.name.startswith("afterword-idle")]
    assert account.password not in caplog.text


class NoIdleImap(socketserver.StreamRequestHandler):
    """An IMAP server that offers no IDLE: logs every command it gets."""

    commands: ClassVar[list[str]] = []

    def handle(self) -> None:
        caps = "IMAP4rev1 AUTH=PLAIN"
        self.wfile.write(f"* OK [CAPABILITY {caps}] ready\r\n".encode())
        for raw in self.rfile:
            tag, _, rest = raw.decode().strip().partition(" ")
            command = rest.split(" ", 1)[0].upper()
            type(self).commands.append(command)
            if command == "LOGOUT":
                self.wfile.write(f"* BYE\r\n{tag} OK bye\r\n".encode())
                return
            if command == "CAPABILITY":
                self.wfile.write(f"* CAPABILITY {caps}\r\n".encode())
            reply = "OK done" if command in ("CAPABILITY", "LOGIN") else "BAD not here"
            self.wfile.write(f"{tag} {reply}\r\n".encode())


@pytest.fixture
def no_idle_server() -> Iterator[int]:
    NoIdleImap.commands = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), NoIdleImap)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_without_idle_gets_no_watching(no_idle_server: int,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="afterword.mailbox.imap_idle")
    mailbox = ImapMailbox("127.0.0.1", no_idle_server, "none", "alex@example.com",
                          password="not-logged-anywhere", timeout=5)
    watcher = IdleWatcher(mailbox)
    watcher.start(Changes())
    deadline = time.monotonic() + 5
    while watcher.watching and time.monotonic() < deadline:
        time.sleep(0.02)

    assert watcher.watching == 0  # both threads gave up without a retry loop
    time.sleep(0.2)
    assert NoIdleImap.commands.count("LOGIN") == 2  # once per folder, never again
    assert NoIdleImap.commands.count("LOGOUT") == 2
    assert "IDLE" not in NoIdleImap.commands
    assert [r.getMessage() for r in caplog.records if "offers no IDLE" in r.getMessage()]
    assert "not-logged-anywhere" not in caplog.text
    watcher.stop()


def test_only_imap_mailboxes_have_a_watcher(tmp_path: Path) -> None:
    assert watcher_for(MaildirMailbox(tmp_path / "mail")) is None


def test_the_watcher_logs_in_like_the_mailbox_with_xoauth2(
    tmp_path: Path, imap_server: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Gmail's IMAP: the watcher's own connections authenticate with the Google token
    through the mailbox's login path (this fake server offers no IDLE, so they stop)."""
    caplog.set_level(logging.DEBUG)
    with GoogleEmulator() as google:
        token = google.write_token(tmp_path / "google-token.json")
        XOAuth2Imap.tokens = google.access_tokens
        mailbox = open_mailbox(load_config(config_for(tmp_path, imap_server, token)))
        watcher = watcher_for(mailbox)
        assert watcher is not None
        watcher.start(Changes())
        deadline = time.monotonic() + 5
        while len(XOAuth2Imap.seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        watcher.stop()
    assert len(XOAuth2Imap.seen) == 2  # one login per watched folder
    bearers = {seen.split("auth=Bearer ", 1)[1].rstrip("\x01") for seen in XOAuth2Imap.seen}
    assert bearers == {google.access_token}
    assert google.access_token not in caplog.text
