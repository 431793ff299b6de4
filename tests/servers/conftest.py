"""Fixtures for the real-server tests: fresh IMAP accounts and an `ImapMailbox` whose IMAP
commands are counted. The Dovecot servers themselves are session fixtures in
tests/conftest.py, shared with the contract suite."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from imapclient import IMAPClient

from afterword.plugin.mailbox.imap import ImapMailbox, connect_imap
from tests.servers.dovecot_server import Dovecot


@dataclass(frozen=True)
class Account:
    server: Dovecot
    user: str
    password: str

    def client(self) -> IMAPClient:
        """A separate, plain connection: the user's mail client or the test's inspector."""
        client = IMAPClient("127.0.0.1", port=self.server.port, ssl=False, timeout=5)
        client.login(self.user, self.password)
        return client


@pytest.fixture
def account(dovecot: Dovecot) -> Account:
    """A fresh, empty account on the session server, so tests never share mail."""
    return Account(dovecot, *dovecot.new_user())


@dataclass
class CountingConnect:
    """A connection factory recording the name of every IMAP command sent, to show what
    each mailbox operation costs on the wire."""

    commands: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # without tags; LOGIN arguments hidden
    connections: int = 0

    def __call__(self, host: str, port: int, use_ssl: bool, timeout: float) -> IMAPClient:
        client = connect_imap(host, port, use_ssl, timeout)
        self.connections += 1
        imap = client._imap
        send = imap.send
        tag = imap.tagpre

        def counting_send(data: bytes) -> None:
            if data.startswith(tag):
                words = data.split(b"\r\n", 1)[0].split(b" ")
                name = words[1] if len(words) > 1 else b"?"
                if name.upper() == b"UID" and len(words) > 2:
                    name = b"UID " + words[2]
                command = name.decode().upper()
                self.commands.append(command)
                line = b" ".join(words[1:]).decode(errors="replace")
                self.lines.append("LOGIN ***" if command == "LOGIN" else line)
            send(data)

        imap.send = counting_send
        return client

    def take(self) -> list[str]:
        """The commands since the last call."""
        taken, self.commands, self.lines = self.commands, [], []
        return taken


@pytest.fixture
def counting() -> CountingConnect:
    return CountingConnect()


@pytest.fixture
def mailbox(account: Account, counting: CountingConnect) -> Iterator[ImapMailbox]:
    """An `ImapMailbox` on the fresh account, closed after the test."""
    box = ImapMailbox("127.0.0.1", account.server.port, "none", account.user,
                      password=account.password, timeout=5, connect=counting)
    try:
        yield box
    finally:
        box.close()
