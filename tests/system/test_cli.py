"""The command line as a user meets it: exit codes, the one-line messages, what `check`,
`status` and `demo` print, the daemon's clean shutdown, and no secret in any output."""

from __future__ import annotations

import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.system.conftest import run_subprocess, write_config
from tests.system.test_edge_cases import MARCUS, PRIYA, calendar, event
from tests.system.test_fixtures_end_to_end import read_drafts

PANEL = calendar(event("panel@acme.com", "20261124T140000", "20261124T150000",
                       "Acme – Senior Data Engineer interview", [MARCUS, PRIYA]))


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def make_maildir(root: Path) -> None:
    for folder in ("Drafts", "Sent", "INBOX"):
        for sub in ("cur", "new", "tmp"):
            (root / "mail" / folder / sub).mkdir(parents=True, exist_ok=True)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# --------------------------------------------------------------------------- usage and config


@pytest.mark.parametrize(("extra", "key"), [
    ('[deadline]\nfinal_warning_hours = "four"\n', "deadline.final_warning_hours"),
    ('[deadline]\nnudge_att = "09:00"\n', "deadline.nudge_att"),
    ('[deadline]\nnudge_at = "25:99"\n', "deadline.nudge_at"),
])
def test_bad_config_exits_2_naming_file_key_and_fix(tmp_path: Path, afterword: Any,
                                                    extra: str, key: str) -> None:
    config = write_config(tmp_path, PANEL, extra)
    for command in (["status"], ["run", "--once"], ["check"]):
        result = afterword("--config", str(config), *command)
        assert result.code == 2
        line = one_line(result.err)
        assert str(config) in line and key in line and "fix" in line
        assert result.out == ""
    assert not (tmp_path / "state.sqlite3").exists() and not (tmp_path / "mail").exists()


def test_missing_config_file_exits_2(tmp_path: Path, afterword: Any) -> None:
    missing = tmp_path / "nowhere" / "config.toml"
    result = afterword("--config", str(missing), "status")
    assert result.code == 2
    line = one_line(result.err)
    assert str(missing) in line and "fix" in line


def test_now_without_an_offset_exits_2(tmp_path: Path, afterword: Any) -> None:
    config = str(write_config(tmp_path, PANEL))
    for command in (["run", "--once"], ["status"]):
        result = afterword("--config", config, *command, "--now", "2026-11-24T15:00:00")
        assert result.code == 2
        assert "offset" in result.err and "Traceback" not in result.err
    result = afterword("--config", config, "status", "--now", "yesterday")
    assert result.code == 2 and "ISO 8601" in result.err
    assert not (tmp_path / "state.sqlite3").exists()


def test_now_without_once_exits_2(tmp_path: Path, afterword: Any) -> None:
    config = str(write_config(tmp_path, PANEL))
    result = afterword("--config", config, "run", "--now", "2026-11-24T15:05:00-05:00")
    assert result.code == 2
    assert "--once" in one_line(result.err)
    assert read_drafts(tmp_path) == []


def test_missing_calendar_file_exits_1_with_one_line(tmp_path: Path) -> None:
    config = str(write_config(tmp_path, PANEL))
    (tmp_path / "calendar.ics").unlink()
    result = run_subprocess("--config", config, "run", "--once", "--now",
                            "2026-11-24T15:05:00-05:00")
    assert result.code == 1
    line = one_line(result.err)
    assert "calendar.ics" in line and "not found" in line


# --------------------------------------------------------------------------- check and status


def test_check_prints_each_service_and_writes_nothing(tmp_path: Path, afterword: Any) -> None:
    config = str(write_config(tmp_path, PANEL))
    make_maildir(tmp_path)
    before = files_under(tmp_path)
    result = afterword("--config", config, "check")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert any(line.startswith("calendar:") and "calendar.ics" in line and "1 event" in line
               for line in lines)
    for folder in ("Drafts", "Sent", "INBOX"):
        assert any(line.startswith("mailbox:") and folder in line for line in lines)
    assert any("will be created" in line for line in lines)
    assert files_under(tmp_path) == before
    assert not (tmp_path / "state.sqlite3").exists()


def test_check_on_a_missing_maildir_fails_and_creates_nothing(tmp_path: Path,
                                                             afterword: Any) -> None:
    config = str(write_config(tmp_path, PANEL))
    before = files_under(tmp_path)
    result = afterword("--config", config, "check")
    assert result.code == 1
    assert "calendar:" in result.out  # what could be checked was
    line = one_line(result.err)
    assert str(tmp_path / "mail" / "Drafts") in line and "missing" in line
    assert files_under(tmp_path) == before


def test_status_before_any_run(tmp_path: Path, afterword: Any) -> None:
    config = str(write_config(tmp_path, PANEL))
    table = afterword("--config", config, "status")
    assert table.code == 0 and "No interviews known yet" in table.out
    data = afterword("--config", config, "status", "--json").json()
    assert data["interviews"] == []
    assert not (tmp_path / "state.sqlite3").exists()


# --------------------------------------------------------------------------- demo


def test_demo_prints_drafts_a_warning_and_the_status_table(tmp_path: Path,
                                                           afterword: Any) -> None:
    target = tmp_path / "demo"
    result = afterword("demo", "--dir", str(target), "--now", "2026-11-25T18:00:00-05:00")
    assert result.code == 0, result.err
    assert result.out.count("draft saved") == 6
    assert "warning" in result.out and "overdue" in result.out
    assert "afterword status" in result.out and "Nothing was sent" in result.out
    drafts = read_drafts(target)
    assert len(drafts) == 6
    assert sum(1 for d in drafts if d.to_address is None) == 1  # the named, address-less one
    assert len(list((target / "mail" / "INBOX" / "new").iterdir())) == 1
    # Her colleagues' addresses show Acme's pattern: a guess is offered, never used.
    status = afterword("--config", str(target / "config.toml"), "status", "--json", "--now",
                       "2026-11-25T18:00:00-05:00")
    (hannah,) = [n for iv in status.json()["interviews"] for n in iv["notes"]
                 if n["needs_address"]]
    assert hannah["suggested_address"] == "hannah.berg@acme.com"
    assert hannah["interviewer"]["email"] is None


# --------------------------------------------------------------------------- the daemon


def test_daemon_stops_cleanly_on_sigterm_after_its_first_cycle(tmp_path: Path) -> None:
    now = datetime.now(UTC)

    def stamp(when: datetime) -> str:
        return when.strftime("%Y%m%dT%H%M%SZ")

    ics = calendar(event("daemon@acme.com", stamp(now - timedelta(hours=2)),
                         stamp(now - timedelta(hours=1)), "Acme interview", [MARCUS, PRIYA],
                         zone=None))
    config = str(write_config(tmp_path, ics))
    proc = subprocess.Popen(
        [sys.executable, "-c", "from afterword.plugin.cli import main\nmain()",
         "--config", config, "run"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while len(read_drafts(tmp_path)) < 2:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no drafts from the daemon's first cycle"
            time.sleep(0.05)
        time.sleep(0.2)  # let the cycle finish writing its state
        proc.send_signal(signal.SIGTERM)
        began = time.monotonic()
        _out, err = proc.communicate(timeout=2)
        assert time.monotonic() - began < 2
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert len(read_drafts(tmp_path)) == 2


# --------------------------------------------------------------------------- secrets


SECRET = "Hunter2-very-secret-Pa55"


class EchoingImap(socketserver.StreamRequestHandler):
    """Just enough IMAP to refuse a LOGIN the careless way: quoting the password back."""

    def handle(self) -> None:
        self.wfile.write(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] test server ready\r\n")
        for raw in self.rfile:
            tag, _, rest = raw.decode("utf-8", "replace").strip().partition(" ")
            command, _, args = rest.partition(" ")
            if command.upper() == "CAPABILITY":
                reply = f"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n"
            elif command.upper() == "LOGIN":
                reply = f"{tag} NO [AUTHENTICATIONFAILED] rejected: {args}\r\n"
            elif command.upper() == "LOGOUT":
                self.wfile.write(f"* BYE\r\n{tag} OK bye\r\n".encode())
                return
            else:
                reply = f"{tag} BAD unknown\r\n"
            self.wfile.write(reply.encode())


@pytest.fixture
def echoing_imap() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), EchoingImap)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def imap_config(tmp_path: Path, port: int) -> Path:
    config = write_config(tmp_path, PANEL)
    text = config.read_text(encoding="utf-8").replace('backend = "maildir"\npath = "mail"', (
        f'backend = "imap"\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'username = "alex"\npassword_env = "AFTERWORD_TEST_IMAP_PASSWORD"'))
    assert "imap" in text
    config.write_text(text, encoding="utf-8")
    return config


RUN_AFTER_THE_END = ["run", "--once", "--now", "2026-11-24T15:05:00-05:00"]


@pytest.mark.parametrize("command", [RUN_AFTER_THE_END, ["check"]], ids=["run", "check"])
def test_password_never_printed_even_at_debug_level(tmp_path: Path,
                                                    command: list[str]) -> None:
    config = imap_config(tmp_path, 1)  # nothing listens on port 1
    env = {"AFTERWORD_TEST_IMAP_PASSWORD": SECRET}
    result = run_subprocess("-vv", "--config", str(config), *command, env=env)
    assert result.code == 1, result.err
    assert "127.0.0.1:1" in result.err
    assert "Traceback" not in result.err
    assert SECRET not in result.out and SECRET not in result.err
    assert os.environ.get("AFTERWORD_TEST_IMAP_PASSWORD") is None


def test_password_echoed_by_the_server_is_not_printed(tmp_path: Path,
                                                      echoing_imap: int) -> None:
    config = imap_config(tmp_path, echoing_imap)
    env = {"AFTERWORD_TEST_IMAP_PASSWORD": SECRET}
    result = run_subprocess("-vv", "--config", str(config), *RUN_AFTER_THE_END, env=env)
    assert result.code == 1, result.err
    line = result.err.strip().splitlines()[-1]
    assert "login" in line.lower() and "alex" in line and "Traceback" not in result.err
    assert SECRET not in result.out and SECRET not in result.err


def test_daemon_stops_with_exit_1_when_the_login_is_refused(tmp_path: Path,
                                                            echoing_imap: int) -> None:
    # Retrying a refused password cannot help: the daemon says so once and exits 1,
    # instead of knocking on the server every few minutes.
    config = imap_config(tmp_path, echoing_imap)
    env = {"AFTERWORD_TEST_IMAP_PASSWORD": SECRET}
    result = run_subprocess("--config", str(config), "run", env=env)
    assert result.code == 1, result.err
    assert result.err.strip().count("\n") == 0 and "login" in result.err.lower()
    assert SECRET not in result.err
