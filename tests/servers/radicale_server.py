"""A throwaway Radicale CalDAV server for tests, started from the venv's own Python.

Radicale runs as a plain child process on a free loopback port with plain-text htpasswd
users, so the CalDAV source is tested against a real server's parsing, storage and REPORT
handling rather than a mock. It is stopped by its PID only.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CONFIG = """\
[server]
hosts = 127.0.0.1:{port}
max_connections = 32

[auth]
type = htpasswd
htpasswd_filename = {dir}/users
htpasswd_encryption = plain
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = {dir}/collections

[web]
type = none

[logging]
level = warning
"""

USERS = {"alice@example.com": "alice-secret", "bob@example.com": "bob-secret"}


@dataclass
class Radicale:
    """A running server: where it listens, who may log in, and how to stop it."""

    url: str
    port: int
    users: dict[str, str]
    directory: Path
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _serial: Iterator[int] = field(default_factory=itertools.count, repr=False)

    def new_user(self) -> tuple[str, str]:
        """A fresh account, so each test sees only its own calendars. Radicale re-reads
        the htpasswd file on every login, so this works while it runs."""
        n = next(self._serial)
        user, password = f"user{n}@example.com", f"pw-{n}-s3cret"
        with open(self.directory / "users", "a") as f:
            f.write(f"{user}:{password}\n")
        self.users[user] = password
        return user, password

    def log_text(self) -> str:
        try:
            return (self.directory / "radicale.log").read_text(errors="replace")
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll every 0.1 s; an OSError counts as "not yet"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.1)


def radicale_available() -> bool:
    return importlib.util.find_spec("radicale") is not None


def require_radicale() -> None:
    """Skip locally, but fail in CI, where a missing server must not pass silently."""
    if radicale_available():
        return
    reason = "radicale is not installed (pip install radicale)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def start_radicale() -> Radicale:
    directory = Path(tempfile.mkdtemp(prefix="radicale-"))
    port = free_port()
    (directory / "users").write_text("".join(f"{u}:{p}\n" for u, p in USERS.items()))
    (directory / "config").write_text(CONFIG.format(port=port, dir=directory))
    server = Radicale(f"http://127.0.0.1:{port}/", port, dict(USERS), directory)
    with open(directory / "radicale.log", "wb") as log:
        server.proc = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(directory / "config")],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    proc = server.proc

    def answering() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"radicale exited at start:\n{server.log_text()}")
        with contextlib.suppress(urllib.error.HTTPError):  # any HTTP status: serving
            urllib.request.urlopen(server.url, timeout=2).close()
        return True

    try:
        wait_for(answering)
    except BaseException:
        stop_radicale(server)
        raise
    return server


def stop_radicale(server: Radicale) -> None:
    if server.proc is not None and server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(5)
    shutil.rmtree(server.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def radicale() -> Iterator[Radicale]:
    """One Radicale for the whole session; tests use distinct users or calendars."""
    require_radicale()
    server = start_radicale()
    try:
        yield server
    finally:
        stop_radicale(server)
