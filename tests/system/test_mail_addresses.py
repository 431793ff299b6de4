"""Addresses for interviewers a confirmation names without one: taken from the mail I
exchanged with the company when it says who they are, otherwise offered as a guess from the
company's address pattern and never put in To:. Through the CLI on Maildir."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from tests.system.conftest import write_config
from tests.system.test_mail_invites import (
    AFTER,
    EMPTY,
    GREENHOUSE_EVENT,
    calendar,
    cli,
    deliver,
    greenhouse_mail,
    interviews,
)
from tests.system.test_timeline_maildir import drafts, inbox

NUDGE = "2026-11-25T09:30:00-05:00"


def message(sender: str, to: str, subject: str, message_id: str, when: str, *,
            cc: str = "", reply_to: str = "") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    if reply_to:
        msg["In-Reply-To"] = reply_to
        msg["References"] = reply_to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.fromisoformat(when))
    msg["Message-ID"] = message_id
    msg.set_content("Looking forward to it.")
    return msg


def recruiter_thread(tmp: Path) -> None:
    """The recruiter wrote me, copying the hiring manager; I answered all."""
    deliver(tmp, "INBOX", message(
        "Dana Kim <dana.kim@acme.com>", "Alex Rivera <alex.rivera@example.com>",
        "Next steps with Acme", "<dana-1@acme.com>", "2026-11-16T10:00:00-05:00",
        cc="Hannah Berg <hannah.berg@acme.com>"), when="2026-11-16")
    deliver(tmp, "Sent", message(
        "Alex Rivera <alex.rivera@example.com>", "Dana Kim <dana.kim@acme.com>",
        "Re: Next steps with Acme", "<alex-1@example.com>", "2026-11-16T12:00:00-05:00",
        cc="Hannah Berg <hannah.berg@acme.com>", reply_to="<dana-1@acme.com>"),
        when="2026-11-16")


def test_address_from_my_thread_with_the_recruiter_goes_into_the_draft(
    tmp_path: Path, afterword: Any
) -> None:
    config = write_config(tmp_path, EMPTY)
    recruiter_thread(tmp_path)
    deliver(tmp_path, "INBOX", greenhouse_mail(calendar(GREENHOUSE_EVENT)))
    cli(afterword, config, "run", "--once", "--now", AFTER)

    to = sorted(str(msg["To"] or "") for _, msg, _ in drafts(tmp_path))
    assert to == ["", "", "Hannah Berg <hannah.berg@acme.com>"]
    (interview,) = interviews(afterword, config, AFTER)
    notes = {n["interviewer"]["name"]: n for n in interview["notes"]}
    assert notes["Hannah Berg"]["needs_address"] is False
    # The others get a guess from the pattern first.last@acme.com, shown, never used.
    assert notes["Priya Shah"]["needs_address"] is True
    assert notes["Priya Shah"]["suggested_address"] == "priya.shah@acme.com"
    assert notes["Marcus O'Neil"]["suggested_address"] == "marcus.oneil@acme.com"
    assert notes["Hannah Berg"]["suggested_address"] is None

    cli(afterword, config, "run", "--once", "--now", NUDGE)
    (warning,) = [m for m in inbox(tmp_path) if m["X-Afterword-Warning"]]
    text = warning.get_content()
    assert "Priya Shah (no address: suggested priya.shah@acme.com, a guess)" in text
    assert "Hannah Berg <hannah.berg@acme.com>" in text
    assert len(drafts(tmp_path)) == 3


def test_a_stranger_naming_someone_is_not_trusted(tmp_path: Path, afterword: Any) -> None:
    # A newsletter from another organisation names "Hannah Berg" at its own address: not
    # the company's conversation, so no address and no pattern from it.
    config = write_config(tmp_path, EMPTY)
    news = message("Hannah Berg <hannah@talentweekly.io>", "alex.rivera@example.com",
                   "This week in data hiring", "<tw-88@talentweekly.io>",
                   "2026-11-17T08:00:00-05:00")
    news["List-Unsubscribe"] = "<mailto:unsubscribe@talentweekly.io>"
    deliver(tmp_path, "INBOX", news, when="2026-11-17")
    deliver(tmp_path, "INBOX", greenhouse_mail(calendar(GREENHOUSE_EVENT)))
    cli(afterword, config, "run", "--once", "--now", AFTER)

    assert [msg["To"] for _, msg, _ in drafts(tmp_path)] == [None, None, None]
    (interview,) = interviews(afterword, config, AFTER)
    assert all(n["needs_address"] and n["suggested_address"] is None
               for n in interview["notes"])
