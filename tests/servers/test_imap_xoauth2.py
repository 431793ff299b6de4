"""Gmail's IMAP with XOAUTH2: the access token comes from the same Google token file as
the Gmail backend, refreshed when stale, and never reaches the log. Dovecot offers no
XOAUTH2 without an OAuth server, so a small loopback IMAP server checks the SASL exchange."""

from __future__ import annotations

import base64
import logging
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from afterword.plugin.backends import open_mailbox
from afterword.plugin.config import load_config
from afterword.plugin.errors import UserError
from tests.emulators.google_api import GoogleEmulator


class XOAuth2Imap(socketserver.StreamRequestHandler):
    """Accepts AUTHENTICATE XOAUTH2 for one bearer token, then lists no folders."""

    tokens: ClassVar[dict[str, object]] = {}  # the access tokens the emulator has issued
    seen: ClassVar[list[str]] = []

    def handle(self) -> None:
        caps = "IMAP4rev1 AUTH=XOAUTH2 SASL-IR"
        self.wfile.write(f"* OK [CAPABILITY {caps}] ready\r\n".encode())
        for raw in self.rfile:
            tag, _, rest = raw.decode().strip().partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if command == "CAPABILITY":
                reply = f"* CAPABILITY {caps}\r\n{tag} OK done\r\n"
            elif command == "AUTHENTICATE":
                mechanism, _, payload = args.partition(" ")
                if not payload:
                    self.wfile.write(b"+ \r\n")
                    payload = self.rfile.readline().decode().strip()
                decoded = base64.b64decode(payload).decode()
                type(self).seen.append(decoded)
                ok = mechanism.upper() == "XOAUTH2" and any(
                    f"auth=Bearer {t}\x01" in decoded for t in self.tokens)
                reply = f"{tag} OK [CAPABILITY {caps}] welcome\r\n" if ok else \
                    f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials\r\n"
            elif command == "LIST":
                reply = f'* LIST (\\HasNoChildren) "/" INBOX\r\n{tag} OK done\r\n'
            elif command == "LOGOUT":
                self.wfile.write(f"* BYE\r\n{tag} OK bye\r\n".encode())
                return
            else:
                reply = f"{tag} BAD not here\r\n"
            self.wfile.write(reply.encode())


@pytest.fixture
def imap_server() -> Iterator[int]:
    XOAuth2Imap.seen = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), XOAuth2Imap)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def config_for(tmp_path: Path, port: int, token: Path) -> Path:
    (tmp_path / "calendar.ics").write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    path = tmp_path / "config.toml"
    path.write_text(f"""
[me]
name = "Alex Rivera"
email = "alex.rivera@gmail.com"
[calendar]
source = "ics"
path = "calendar.ics"
[mailbox]
backend = "imap"
host = "127.0.0.1"
port = {port}
security = "none"
username = "alex.rivera@gmail.com"
auth = "xoauth2"
token_file = "{token}"
""")
    return path


@pytest.mark.parametrize("expired", [False, True], ids=["fresh", "refreshed"])
def test_xoauth2_uses_the_google_token(tmp_path: Path, imap_server: int, expired: bool,
                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with GoogleEmulator() as google:
        token = google.write_token(tmp_path / "google-token.json", expired=expired)
        saved = google.access_token
        XOAuth2Imap.tokens = google.access_tokens
        mailbox = open_mailbox(load_config(config_for(tmp_path, imap_server, token)))
        try:
            with pytest.raises(UserError, match="no Drafts folder"):
                mailbox.drafts()  # logs in, then finds no Drafts folder on this server
        finally:
            mailbox.close()
        refreshed = [c for c in google.calls if c.path.endswith("/token")]
    (exchange,) = XOAuth2Imap.seen
    assert exchange.startswith("user=alex.rivera@gmail.com\x01auth=Bearer ")
    assert exchange.endswith("\x01\x01")
    bearer = exchange.split("auth=Bearer ", 1)[1].rstrip("\x01")
    assert (len(refreshed) == 1) is expired
    assert (bearer != saved) is expired  # a stale token is renewed before it is used
    assert bearer not in caplog.text and saved not in caplog.text
