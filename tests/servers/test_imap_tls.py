"""IMAP over real TLS, as users connect: implicit TLS (`security = "ssl"`, the tls_port)
and STARTTLS on the plain port, against Dovecot's certificate from a throwaway CA.

The client trusts the system CA store (ssl.create_default_context), so the tests trust the
test CA the way a user's machine would trust a real one: $SSL_CERT_FILE names a bundle of
the system's CAs plus the test CA. The context is cached per process (`tls_context`), so
in-process tests clear that cache around the changed environment; the refusals run the CLI
in a fresh interpreter whose $SSL_CERT_FILE holds the system CAs only.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from afterword.plugin.errors import ServiceError
from afterword.plugin.mailbox.imap import ImapMailbox, connect_imap, tls_context
from afterword.plugin.mailbox.imap_idle import IdleWatcher
from tests.servers.conftest import Account
from tests.servers.dovecot_server import Dovecot, system_ca_file, wait_for
from tests.servers.test_imap_idle import idling
from tests.system.conftest import Result, afterword, run_subprocess
from tests.system.test_timeline_maildir import PANEL, PEOPLE

pytestmark = pytest.mark.servers
__all__ = ["afterword"]  # the in-process CLI fixture, imported so pytest finds it

IMAP_ENV = "AFTERWORD_TEST_IMAP_PASSWORD"
AFTER_THE_PANEL = "2026-11-24T17:05:00-05:00"


@pytest.fixture
def trusting(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process trusts the test CA (and the system's); the cached context is rebuilt
    now and dropped afterwards, so no other test inherits the test CA or misses it."""
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.trust_file))
    tls_context.cache_clear()
    yield
    tls_context.cache_clear()


def write_config(folder: Path, account: Account, host: str, port: int, security: str
                 ) -> Path:
    """The panel in an ICS file; the mailbox is the account over `security`."""
    (folder / "calendar.ics").write_text(PANEL, encoding="utf-8", newline="")
    path = folder / "config.toml"
    path.write_text(f"""
[me]
name = "Alex Rivera"
email = "alex.rivera@example.com"
aliases = ["alex@rivera.dev"]
timezone = "America/New_York"
[calendar]
source = "ics"
path = "calendar.ics"
[mailbox]
backend = "imap"
host = "{host}"
port = {port}
security = "{security}"
username = "{account.user}"
password_env = "{IMAP_ENV}"
[state]
path = "state.sqlite3"
[[applications]]
company = "Acme"
role = "Senior Data Engineer"
domains = ["acme.com"]
""", encoding="utf-8")
    return path


def drafts(account: Account) -> list[tuple[str, set[bytes]]]:
    """(To, flags) of every message in Drafts, read by a separate plain connection."""
    with account.client() as client:
        client.select_folder("Drafts", readonly=True)
        fetched = client.fetch(client.search("ALL"), ["FLAGS", "BODY.PEEK[HEADER.FIELDS (TO)]"])
        return [(item[b"BODY[HEADER.FIELDS (TO)]"].decode(), set(item[b"FLAGS"]))
                for item in fetched.values()]


def tls_logins(dovecot: Dovecot, user: str) -> int:
    """Dovecot's log marks a login over TLS with ", TLS" (a plain loopback login says only
    "secured")."""
    return sum(1 for line in dovecot.log().splitlines()
               if "Login: " in line and f"user=<{user}>" in line and ", TLS" in line)


# --------------------------------------------------------------------------- trusted


@pytest.mark.parametrize(("security", "host"), [("ssl", "127.0.0.1"),
                                                ("starttls", "localhost")])
def test_drafts_are_saved_over_tls(security: str, host: str, account: Account,
                                   afterword: Any, trusting: None, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The certificate names both the IP address and `localhost`: either name passes."""
    dovecot = account.server
    port = dovecot.tls_port if security == "ssl" else dovecot.port
    config = str(write_config(tmp_path, account, host, port, security))
    monkeypatch.setenv(IMAP_ENV, account.password)

    checked: Result = afterword("--config", config, "check")
    assert checked.code == 0, checked.err
    assert f"mailbox: IMAP {host}:{port} ({security}) as {account.user}" in checked.out

    ran: Result = afterword("--config", config, "run", "--once", "--now", AFTER_THE_PANEL)
    assert ran.code == 0, ran.err
    saved = drafts(account)
    assert len(saved) == 4  # three addressed interviewers and Hannah Berg, no address
    assert all(b"\\Draft" in flags for _, flags in saved)
    assert {address for to, _ in saved for address in PEOPLE if address in to} == PEOPLE

    again: Result = afterword("--config", config, "run", "--once", "--now",
                              "2026-11-24T17:10:00-05:00")
    assert again.code == 0, again.err
    assert len(drafts(account)) == 4
    wait_for(lambda: tls_logins(dovecot, account.user) >= 3)  # check, and each run


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_the_cycle_and_idle_connections_share_one_context(
    security: str, account: Account, trusting: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The daemon's three connections (the cycle's, IDLE on INBOX and on Sent) load the
    system CA store once between them, and the shared context still checks everything."""
    caplog.set_level(logging.DEBUG, logger="afterword.mailbox.imap_idle")
    clients: list[IMAPClient] = []

    def connect(host: str, port: int, use_ssl: bool, timeout: float) -> IMAPClient:
        client = connect_imap(host, port, use_ssl, timeout)
        clients.append(client)
        return client

    dovecot = account.server
    port = dovecot.tls_port if security == "ssl" else dovecot.port
    mailbox = ImapMailbox("127.0.0.1", port, security, account.user,
                          password=account.password, timeout=5, connect=connect)
    watcher = IdleWatcher(mailbox)
    try:
        assert mailbox.drafts() == []
        watcher.start(lambda: None)
        idling(caplog)
        assert watcher.watching == 2
        assert len(clients) == 3
        sockets = [client.socket() for client in clients]
        assert all(isinstance(sock, ssl.SSLSocket) for sock in sockets)
        context = tls_context()
        assert all(sock.context is context for sock in sockets)
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    finally:
        watcher.stop()
        mailbox.close()


# --------------------------------------------------------------------------- refused


def refused(config: Path, account: Account, trust: Path, *command: str) -> str:
    """Run the CLI in a fresh process trusting the CAs in `trust`; the one line it
    printed, after checking that it failed cleanly."""
    result = run_subprocess("--config", str(config), *command,
                            env={IMAP_ENV: account.password, "SSL_CERT_FILE": str(trust)})
    output = result.out + result.err
    assert result.code == 1, output
    assert "Traceback" not in output and account.password not in output
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_a_certificate_from_an_unknown_ca_is_refused(security: str, account: Account,
                                                     tmp_path: Path) -> None:
    dovecot = account.server
    port = dovecot.tls_port if security == "ssl" else dovecot.port
    config = write_config(tmp_path, account, "127.0.0.1", port, security)
    for command in (("check",), ("run", "--once", "--now", AFTER_THE_PANEL)):
        line = refused(config, account, system_ca_file(), *command)
        assert line.startswith("afterword: ")
        assert f"127.0.0.1:{port}" in line
        assert "unable to get local issuer certificate" in line  # OpenSSL's verify message
        assert "certificate that cannot be trusted" in line and "fix:" in line
    assert drafts(account) == []
    assert tls_logins(dovecot, account.user) == 0


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_a_certificate_for_another_name_is_refused(security: str, account: Account,
                                                   tmp_path: Path) -> None:
    """Dovecot also listens on an address its certificate does not name: the CA is
    trusted (the test bundle), the host name check alone refuses it."""
    dovecot = account.server
    if dovecot.unnamed_address is None:
        pytest.skip("this machine has no second loopback address")
    port = dovecot.tls_port if security == "ssl" else dovecot.port
    config = write_config(tmp_path, account, dovecot.unnamed_address, port, security)
    line = refused(config, account, dovecot.trust_file, "check")
    assert f"{dovecot.unnamed_address}:{port}" in line
    assert f"certificate is not valid for '{dovecot.unnamed_address}'" in line
    assert "fix: set mailbox.host to the name on the server's certificate" in line
    assert tls_logins(dovecot, account.user) == 0


def test_ssl_on_the_plain_port_says_which_port_it_needs(account: Account,
                                                        tmp_path: Path) -> None:
    dovecot = account.server
    config = write_config(tmp_path, account, "127.0.0.1", dovecot.port, "ssl")
    line = refused(config, account, dovecot.trust_file, "check")
    assert f"TLS handshake with the IMAP server 127.0.0.1:{dovecot.port} failed" in line
    assert 'security = "ssl" needs the server\'s TLS port' in line


def test_cas_are_looked_up_lazily_in_a_hashed_folder(
    account: Account, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without $SSL_CERT_FILE, and with the CAs in OpenSSL's hashed folder (as Debian keeps
    /etc/ssl/certs), the context loads no CA up front, only the one a server needs: the
    daemon does not hold the whole system store for months. Verification still happens."""
    import subprocess

    dovecot = account.server
    folder = tmp_path / "certs"
    folder.mkdir()
    digest = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", str(dovecot.ca_file)],
                            capture_output=True, text=True, check=True).stdout.strip()
    (folder / f"{digest}.0").symlink_to(dovecot.ca_file)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("SSL_CERT_DIR", str(folder))
    tls_context.cache_clear()
    try:
        context = tls_context()
        assert context.cert_store_stats()["x509_ca"] == 0  # nothing loaded yet
        mailbox = ImapMailbox("127.0.0.1", dovecot.tls_port, "ssl", account.user,
                              password=account.password, timeout=5)
        try:
            assert mailbox.drafts() == []
        finally:
            mailbox.close()
        assert context.cert_store_stats()["x509_ca"] == 1  # the test CA, when it was needed
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname

        # A hashed folder without the test CA (only some other CA): refused.
        (folder / f"{digest}.0").unlink()
        system = Path(ssl.get_default_verify_paths().openssl_capath)
        other = next((p for p in (system.iterdir() if system.is_dir() else ())
                      if len(p.name) == 10 and p.name[8] == "." and p.name[:8] != digest),
                     None)
        if other is None:
            pytest.skip(f"no hashed CA folder at {system} to borrow a CA from")
        (folder / other.name).symlink_to(other.resolve())
        tls_context.cache_clear()
        refused = ImapMailbox("127.0.0.1", dovecot.tls_port, "ssl", account.user,
                              password=account.password, timeout=5)
        with pytest.raises(ServiceError, match="cannot be trusted"):
            refused.drafts()
    finally:
        tls_context.cache_clear()
