"""`afterword run` on IMAP + ICS with an hour between syncs: a note the user sends (a mail
client stores it in Sent) is seen within seconds, which only an IMAP IDLE wake-up can
explain, and SIGTERM still ends the daemon at once with its IDLE connections open."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from tests.servers.dovecot_server import Dovecot
from tests.system.conftest import write_config
from tests.system.test_daemon import DAEMON, interview
from tests.system.test_edge_cases import MARCUS, PRIYA, calendar
from tests.system.test_timeline_maildir import states

pytestmark = pytest.mark.servers

ME = "alex.rivera@example.com"
IMAP_ENV = "AFTERWORD_TEST_IMAP_PASSWORD"


def imap_config(tmp_path: Path, dovecot: Dovecot, user: str) -> Path:
    """Two interviewers, an interview that ended an hour ago (nothing else is due for
    hours), a sync every hour, and the mailbox on Dovecot."""
    ended = datetime.now(UTC) - timedelta(hours=1)
    config = write_config(tmp_path, calendar(interview("idle@acme.com", ended, MARCUS)
                                             .replace(MARCUS, f"{MARCUS}\r\n{PRIYA}")),
                          "[daemon]\nsync_interval = 3600\n")
    text = config.read_text(encoding="utf-8").replace(
        '[mailbox]\nbackend = "maildir"\npath = "mail"\n',
        f'[mailbox]\nbackend = "imap"\nhost = "127.0.0.1"\nport = {dovecot.port}\n'
        f'security = "none"\nusername = "{user}"\npassword_env = "{IMAP_ENV}"\n')
    assert 'backend = "imap"' in text
    config.write_text(text, encoding="utf-8")
    return config


def note_sent(to: str) -> EmailMessage:
    """What a mail client stores in Sent after sending."""
    now = datetime.now(UTC)
    message = EmailMessage()
    message["From"] = f"Alex Rivera <{ME}>"
    message["To"] = to
    message["Subject"] = "Thank you!"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<{now.timestamp():.0f}.thanks@example.com>"
    message.set_content("Thank you for your time today.")
    return message


def start_daemon(config: Path, stderr: Path, password: str) -> subprocess.Popen[bytes]:
    """`afterword run -vv` in a subprocess, its log in `stderr`."""
    with stderr.open("w", encoding="utf-8") as err:
        return subprocess.Popen(
            [sys.executable, "-c", DAEMON, "-vv", "--config", str(config), "run"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
            env={**os.environ, IMAP_ENV: password})


def until(predicate: Callable[[], bool], timeout: float, proc: subprocess.Popen[bytes]
          ) -> float:
    """Poll until `predicate` holds; when it did (time.monotonic())."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, "the daemon exited"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return time.monotonic()


def test_a_sent_note_wakes_the_daemon_and_sigterm_still_stops_it(
    tmp_path: Path, dovecot: Dovecot, afterword: Any
) -> None:
    user, password = dovecot.new_user()
    config = imap_config(tmp_path, dovecot, user)
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False, timeout=5)
    client.login(user, password)
    stderr = tmp_path / "stderr.txt"

    def log() -> str:
        return stderr.read_text(encoding="utf-8")

    def drafts() -> int:
        return int(client.folder_status("Drafts", ["MESSAGES"])[b"MESSAGES"])

    def marcus() -> str:
        result = afterword("--config", str(config), "status", "--json")
        assert result.code == 0, result.err
        return states(result)["Marcus O'Neil"]

    proc = start_daemon(config, stderr, password)
    try:
        until(lambda: drafts() == 2 and log().count("IMAP IDLE on ") == 2, 20, proc)
        assert marcus() == "drafted"
        time.sleep(0.5)  # the first cycle's own writes have settled

        client.append("Sent", note_sent("Marcus O'Neil <marcus.oneil@acme.com>").as_bytes(),
                      [b"\\Seen"])
        stored = time.monotonic()
        seen = until(lambda: marcus() == "sent", 15, proc)

        assert seen - stored < 6.0  # IDLE, the 2 s settling pause, one cycle
        assert "new mail in a watched folder" in log()
        assert states(afterword("--config", str(config), "status", "--json"))[
            "Priya Shah"] == "drafted"

        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=5)
        assert time.monotonic() - began < 1.5
    finally:
        client.logout()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0
    text = log()
    assert "Traceback" not in text and "level=error" not in text
    assert password not in text
    print(f"APPEND to Sent -> note sent: {seen - stored:.2f} s")


def test_a_mailed_invitation_wakes_the_daemon(
    tmp_path: Path, dovecot: Dovecot, afterword: Any
) -> None:
    # The invitation read normally waits for its 15-minute turn; new mail in INBOX, announced
    # by IDLE, makes the next cycle read it at once.
    from tests.system.test_mail_invites import calendar as itip
    from tests.system.test_mail_invites import greenhouse_mail

    user, password = dovecot.new_user()
    config = imap_config(tmp_path, dovecot, user)
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False, timeout=5)
    client.login(user, password)
    stderr = tmp_path / "stderr.txt"
    start = (datetime.now(UTC) + timedelta(hours=3)).strftime("%Y%m%dT%H0000Z")
    end = (datetime.now(UTC) + timedelta(hours=4)).strftime("%Y%m%dT%H0000Z")
    invite = greenhouse_mail(itip(
        "BEGIN:VEVENT\r\nUID:gh-idle-1@greenhouse.io\r\nDTSTAMP:20261118T150000Z\r\n"
        f"DTSTART:{start}\r\nDTEND:{end}\r\n"
        "SUMMARY:Interview with Acme – Senior Data Engineer\r\n"
        "DESCRIPTION:Your schedule:\\nHannah Berg (Director of Data) – Hiring manager\\n\r\n"
        "END:VEVENT\r\n"))

    def titles() -> list[str]:
        result = afterword("--config", str(config), "status", "--json")
        assert result.code == 0, result.err
        return [iv["title"] for iv in result.json()["interviews"]]

    proc = start_daemon(config, stderr, password)
    try:
        until(lambda: stderr.read_text(encoding="utf-8").count("IMAP IDLE on ") == 2, 20,
              proc)
        time.sleep(0.5)
        client.append("INBOX", invite.as_bytes())
        stored = time.monotonic()
        seen = until(lambda: "Interview with Acme – Senior Data Engineer" in titles(), 15,
                     proc)
        assert seen - stored < 6.0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
    finally:
        client.logout()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
