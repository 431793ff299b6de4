"""A throwaway Dovecot IMAP server for tests, run from a private config on a free port.

It runs as root from a world-traversable temporary folder and stores mail as `nobody`,
never touches /etc/dovecot, and is stopped by the PID in its own master.pid only (another
Dovecot may run on the machine). Users are lines in a passwd-file that Dovecot re-reads
when it changes, so each test can get an empty account while the server runs.

TLS as a real provider offers it: implicit TLS on `tls_port` (993's role) and STARTTLS on
the plain port, with a server certificate for `localhost` / 127.0.0.1 issued at start by a
throwaway CA (`ca_file`). `ssl = yes`, not `required`: the plain port keeps accepting
LOGIN without TLS, as the tests that need no TLS expect. Clients trust the CA through
`trust_file` (the system bundle plus that CA) named by $SSL_CERT_FILE.
"""

from __future__ import annotations

import contextlib
import grp
import itertools
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CONFIG = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
instance_name = dovecot-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{dir}/tls/server.pem
ssl_key = <{dir}/tls/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = nobody
default_internal_group = {group}
default_login_user = nobody
first_valid_uid = 1
mail_fsync = never
mail_max_userip_connections = 1000
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/mail/%d/%n
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
{mailboxes}
}}
service imap-login {{
  inet_listener imap {{
    address = {addresses}
    port = {port}
  }}
  inet_listener imaps {{
    address = {addresses}
    port = {tls_port}
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""

# The usual layout: folders marked with RFC 6154 SPECIAL-USE flags, created at login.
SPECIAL_USE = """\
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }"""

# A server that marks nothing: clients must find folders by name (older servers, some
# hosting providers). "Sent Items" is Outlook's name for Sent.
NO_SPECIAL_USE = """\
  mailbox Drafts {
    auto = subscribe
  }
  mailbox "Sent Items" {
    auto = subscribe
  }"""


POOL = 100  # accounts written before start, enough for a session without waiting

# Where the server certificate is valid; UNNAMED is a loopback address it does not name.
CERT_NAMES = "DNS:localhost,IP:127.0.0.1"
UNNAMED = "127.0.0.2"
SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt"  # Debian's; OpenSSL's default file


def account(n: int) -> tuple[str, str]:
    return f"user{n}@example.com", f"secret{n}"


@dataclass
class Dovecot:
    """A server this test session started: where it listens and how to manage it."""

    directory: Path
    port: int  # plain IMAP, STARTTLS offered
    tls_port: int  # implicit TLS
    unnamed_address: str | None = None  # also listened on; not in the certificate
    pid: int | None = None
    _serial: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    @property
    def config(self) -> Path:
        return self.directory / "dovecot.conf"

    @property
    def ca_file(self) -> Path:
        """The throwaway CA that issued the server certificate (PEM)."""
        return self.directory / "tls" / "ca.pem"

    @property
    def trust_file(self) -> Path:
        """The system's CA bundle plus `ca_file`: for $SSL_CERT_FILE, so that a client
        trusting the system store (ssl.create_default_context) trusts this server too."""
        return self.directory / "tls" / "trust.pem"

    @property
    def pidfile(self) -> Path:
        return self.directory / "run" / "master.pid"

    def new_user(self) -> tuple[str, str]:
        """A fresh, empty account (`userN@example.com`, `secretN`).

        The first POOL accounts are written before the server starts: Dovecot re-reads its
        passwd-file when it changes, but at most about once a second, so a line appended
        now may not log in yet. Past the pool, the line is appended and awaited."""
        n = next(self._serial)
        user, password = account(n)
        if n > POOL:
            with open(self.directory / "users", "a") as users:
                users.write(f"{user}:{{PLAIN}}{password}\n")
            wait_for(lambda: self._can_log_in(user, password))
        return user, password

    def _can_log_in(self, user: str, password: str) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            reader = s.makefile("rb")
            reader.readline()
            s.sendall(f'a LOGIN "{user}" "{password}"\r\n'.encode())
            while not (line := reader.readline()).startswith(b"a "):
                if not line:
                    return False
            return line.startswith(b"a OK")

    def start(self) -> None:
        """Start the daemon and wait until it greets; a bind failure fails at once."""
        # Output goes to a file: the daemon's children inherit it, and a pipe held open by
        # them would make subprocess.run wait forever.
        output = self.directory / "start.out"
        with open(output, "wb") as out:
            run = subprocess.run(["dovecot", "-c", str(self.config)], stdout=out,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if run.returncode != 0:
            raise RuntimeError(f"dovecot did not start: {output.read_text().strip()}\n"
                               f"{self.log()}")
        pidfile = self.pidfile
        wait_for(lambda: pidfile.exists() and pidfile.read_text().strip() != "")
        self.pid = int(pidfile.read_text())
        wait_for(self._greets)
        wait_for(lambda: self._listens(self.tls_port))

    def stop(self) -> None:
        """Stop the master and every process of its session, and wait until all are gone.

        The master calls setsid, so its session id is its PID. Its children do not all exit
        with it: an imap process serving a client (with the log and stats processes it
        talks to) outlives the master and would keep serving the old connection. So the
        whole session gets SIGTERM; the children exit at once, while the master idles
        about a second before exiting, so once they are gone it is killed outright (it
        holds no mail)."""
        if self.pid is None:
            return
        master, self.pid = self.pid, None
        children = session_members(master) - {master}
        for pid in (master, *children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not any(alive(pid) for pid in children), timeout=15)
        with contextlib.suppress(TimeoutError):
            wait_for(lambda: not alive(master), timeout=0.2)
        for pid in session_members(master):  # the master, and anything forked meanwhile
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not session_members(master), timeout=15)
        self.pidfile.unlink(missing_ok=True)

    def doveadm(self, *args: str, stdin: bytes | None = None) -> str:
        run = subprocess.run(["doveadm", "-c", str(self.config), *args], input=stdin,
                             capture_output=True, check=True, timeout=30)
        return run.stdout.decode()

    def kick(self, user: str) -> None:
        """Drop every IMAP connection of `user`, as a server restart or idle timeout does."""
        self.doveadm("kick", user)

    def log(self) -> str:
        try:
            return (self.directory / "dovecot.log").read_text(errors="replace")
        except OSError:
            return ""

    def _greets(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            return s.recv(100).startswith(b"* OK")

    def _listens(self, port: int) -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def can_listen_on(address: str) -> bool:
    """Whether this machine has `address` (127.0.0.2 is on Linux's loopback, not macOS's)."""
    try:
        with socket.socket() as s:
            s.bind((address, 0))
        return True
    except OSError:
        return False


def system_ca_file() -> Path:
    """The CA bundle OpenSSL reads by default, found without $SSL_CERT_FILE (which may
    already point at a test bundle)."""
    default = ssl.get_default_verify_paths().openssl_cafile
    for candidate in (default, SYSTEM_CA_FILE):
        if candidate and os.path.isfile(candidate):
            return Path(candidate)
    raise RuntimeError(f"no system CA bundle at {default} or {SYSTEM_CA_FILE}")


def issue_certificates(folder: Path) -> None:
    """A throwaway CA (ca.pem) and a server certificate it signed for CERT_NAMES
    (server.pem, server.key), EC P-256 keys for speed, valid two days; and trust.pem, the
    system bundle plus the CA. Keys stay in `folder` (0700)."""
    folder.mkdir(mode=0o700)
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    (folder / "server.ext").write_text(
        f"subjectAltName = {CERT_NAMES}\n"
        "basicConstraints = critical, CA:FALSE\n"
        "keyUsage = critical, digitalSignature\n"
        "extendedKeyUsage = serverAuth\n"
        "subjectKeyIdentifier = hash\n"
        "authorityKeyIdentifier = keyid\n")
    for command in (
        ["req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
         "-subj", "/CN=afterword test CA",
         "-addext", "basicConstraints = critical, CA:TRUE",
         "-addext", "keyUsage = critical, keyCertSign, cRLSign"],
        ["req", "-new", *curve, "-keyout", "server.key", "-out", "server.csr",
         "-subj", "/CN=localhost"],
        ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-set_serial", "2", "-days", "2", "-extfile", "server.ext", "-out", "server.pem"],
    ):
        run = subprocess.run(["openssl", *command], cwd=folder, capture_output=True,
                             stdin=subprocess.DEVNULL, timeout=30)
        if run.returncode != 0:
            raise RuntimeError(f"openssl {command[0]} failed: {run.stderr.decode().strip()}")
    system = system_ca_file().read_bytes()
    (folder / "trust.pem").write_bytes(system.rstrip(b"\n") + b"\n"
                                       + (folder / "ca.pem").read_bytes())


def session_members(sid: int) -> set[int]:
    """Live processes whose session id is `sid` (fields after the command name in
    /proc/PID/stat: state, ppid, pgrp, session)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # gone meanwhile
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running and not a zombie (a slow init may leave one briefly)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone, or going while being read
        return False


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll every 0.05 s; an OSError counts as "not yet"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.05)


def unavailable_reason() -> str | None:
    if shutil.which("dovecot") is None:
        return "dovecot is not installed (run scripts/install-test-servers as root)"
    if os.geteuid() != 0:
        return "the Dovecot tests run as root (Dovecot stores mail as nobody)"
    return None


def require_dovecot() -> None:
    """Skip locally, but fail in CI, where a missing server must not pass silently."""
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def start_dovecot(mailboxes: str = SPECIAL_USE) -> Dovecot:
    # mkdtemp in the system temp dir (not pytest's 0700 tree): every parent must be
    # traversable by nobody, and the UNIX socket paths below it must stay short.
    directory = Path(tempfile.mkdtemp(prefix="dovecot-"))
    directory.chmod(0o755)
    nobody = pwd.getpwnam("nobody")
    group = grp.getgrgid(nobody.pw_gid).gr_name
    (directory / "mail").mkdir()
    os.chown(directory / "mail", nobody.pw_uid, nobody.pw_gid)
    (directory / "users").write_text(
        "".join(f"{u}:{{PLAIN}}{p}\n" for u, p in map(account, range(1, POOL + 1))))
    unnamed = UNNAMED if can_listen_on(UNNAMED) else None
    port = free_port()
    while (tls_port := free_port()) == port:
        pass
    server = Dovecot(directory, port, tls_port, unnamed)
    addresses = ", ".join(a for a in ("127.0.0.1", unnamed) if a)
    server.config.write_text(CONFIG.format(
        dir=directory, port=server.port, tls_port=server.tls_port, addresses=addresses,
        uid=nobody.pw_uid, gid=nobody.pw_gid, group=group, mailboxes=mailboxes))
    try:
        issue_certificates(directory / "tls")
        server.start()
    except BaseException:
        stop_dovecot(server)
        raise
    return server


def stop_dovecot(server: Dovecot) -> None:
    server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)
