"""afterword never sends mail: no send endpoint is referenced in the code, none is called
while every mailbox operation runs, and the emulator would refuse one loudly."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from afterword.plugin.mailbox.base import NOTE_HEADER, WARNING_HEADER
from afterword.plugin.mailbox.gmail import GmailMailbox
from tests.emulators.google_api import GoogleEmulator

ROOT = Path(__file__).resolve().parents[2]
SEND_CALLS = re.compile(r"\.send\(|messages\(\)\.send|drafts\(\)\.send|/send\b|"
                        r"send_message|sendmail|send_draft|users\.messages\.send|"
                        r"users\.drafts\.send")


def source_files() -> list[Path]:
    files = sorted((ROOT / "plugin").rglob("*.py")) + sorted((ROOT / "auth").rglob("*.py"))
    assert len(files) > 20  # the scan really covers the tree
    return files


def test_no_send_call_is_referenced_in_the_code() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in source_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SEND_CALLS.search(line)
    ]
    assert offenders == []


def test_the_scan_would_catch_a_send_call() -> None:
    for line in ("service.users().messages().send(userId='me', body=b)",
                 "users.drafts().send(userId='me', body={'id': ref})",
                 "smtp.sendmail(a, b, data)", "sock.send(data)"):
        assert SEND_CALLS.search(line), line


def test_every_mailbox_operation_stays_away_from_send(gmail: GmailMailbox,
                                                      google: GoogleEmulator) -> None:
    note = EmailMessage()
    note["From"] = "alex.rivera@example.com"
    note["To"] = "jorg@example.de"
    note["Subject"] = "Thank you"
    note[NOTE_HEADER] = "n1"
    note.set_content("Thanks!\n")
    warning = EmailMessage()
    warning["From"] = warning["To"] = "alex.rivera@example.com"
    warning[WARNING_HEADER] = "iv:nudge"
    warning.set_content("Unsent.\n")

    ref = gmail.save_draft(note)
    gmail.drafts()
    gmail.flag_draft(ref)
    gmail.sent_to(["jorg@example.de"], datetime.now(UTC) - timedelta(days=1))
    gmail.deliver_warning(warning)
    gmail.warnings_delivered()
    gmail.describe()

    assert google.calls
    assert not [c for c in google.calls if "send" in c.path.split("/")
                or c.method_id.endswith(".send")]
    assert google.violations == []
    assert google.drafts and ref in google.drafts  # the draft is still a draft
    assert not [m for m in google.messages.values() if "SENT" in m.label_ids]


def test_the_emulator_refuses_a_send_loudly(gmail: GmailMailbox,
                                            google: GoogleEmulator) -> None:
    from googleapiclient.errors import HttpError

    users = gmail.api.service("gmail").users()
    request = users.messages().send(userId="me", body={"raw": "eA"})  # test code only

    with pytest.raises(HttpError) as caught:
        request.execute()

    assert caught.value.resp.status == 400
    assert google.violations == ["POST /gmail/v1/users/me/messages/send: afterword must "
                                 "never send mail"]
    google.violations.clear()  # seen; the fixture checks for others
