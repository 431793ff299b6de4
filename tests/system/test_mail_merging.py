"""One interview however its copies arrive: a mailed invitation that ages out of the mail
window, a mailed cancellation, a merged block against per-session calendar events, and a
calendar copy that appears after the mailed one was drafted. Through the CLI on Maildir."""

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
    NAMES,
    calendar,
    cli,
    deliver,
    greenhouse_mail,
    interviews,
)
from tests.system.test_timeline_maildir import drafts

CANCEL_EVENT = """\
BEGIN:VEVENT\r
UID:gh-9931-block@greenhouse.io\r
DTSTAMP:20261120T150000Z\r
SEQUENCE:1\r
STATUS:CANCELLED\r
DTSTART:20261124T190000Z\r
DTEND:20261124T220000Z\r
SUMMARY:Canceled: Interview with Acme – Senior Data Engineer\r
END:VEVENT\r
"""


def session(uid: str, start: str, end: str, title: str, name: str, email: str) -> str:
    return f"""\
BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20261118T150000Z\r
DTSTART:{start}\r
DTEND:{end}\r
SUMMARY:{title}\r
ORGANIZER;CN=Acme Recruiting:mailto:recruiting@acme.com\r
ATTENDEE;CN=Alex Rivera;PARTSTAT=ACCEPTED:mailto:alex.rivera@example.com\r
ATTENDEE;CN={name};PARTSTAT=ACCEPTED:mailto:{email}\r
END:VEVENT\r
"""


def notes_by_name(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {n["interviewer"]["name"]: n for iv in found for n in iv["notes"]}


def test_mailed_interview_outlives_the_mail_window(tmp_path: Path, afterword: Any) -> None:
    # Booked five weeks ahead: by the week of the interview the invitation is older than the
    # 30 days of mail a fresh run reads, yet the interview must stay and get its drafts.
    config = write_config(tmp_path, EMPTY)
    deliver(tmp_path, "INBOX", greenhouse_mail(calendar(GREENHOUSE_EVENT)), when="2026-10-20")
    cli(afterword, config, "run", "--once", "--now", "2026-11-18T09:00:00-05:00")
    assert len(interviews(afterword, config, "2026-11-18T09:00:00-05:00")) == 1

    cli(afterword, config, "run", "--once", "--now", "2026-11-21T09:00:00-05:00")
    assert len(interviews(afterword, config, "2026-11-21T09:00:00-05:00")) == 1
    cli(afterword, config, "run", "--once", "--now", AFTER)
    assert len(drafts(tmp_path)) == 3


def test_mailed_cancellation_withdraws_a_mailed_interview(
    tmp_path: Path, afterword: Any
) -> None:
    config = write_config(tmp_path, EMPTY)
    deliver(tmp_path, "INBOX", greenhouse_mail(calendar(GREENHOUSE_EVENT)))
    cli(afterword, config, "run", "--once", "--now", "2026-11-19T09:00:00-05:00")
    assert len(interviews(afterword, config, "2026-11-19T09:00:00-05:00")) == 1

    cancel = greenhouse_mail(calendar(CANCEL_EVENT, method="CANCEL"))
    cancel.replace_header("Message-ID", "<gh-cancel-9931@greenhouse-mail.io>")
    cancel.replace_header("Subject", "Interview cancelled: Senior Data Engineer at Acme")
    deliver(tmp_path, "INBOX", cancel, when="2026-11-20")
    cli(afterword, config, "run", "--once", "--now", "2026-11-21T09:00:00-05:00")
    assert interviews(afterword, config, "2026-11-21T09:00:00-05:00") == []
    cli(afterword, config, "run", "--once", "--now", AFTER)
    assert drafts(tmp_path) == []


def test_mailed_block_is_shared_out_among_the_calendars_sessions(
    tmp_path: Path, afterword: Any
) -> None:
    # The confirmation mails one 2–5 PM block naming three people; the calendar holds the
    # first two sessions as events of their own, with addresses. One note each, never two.
    sessions = calendar(
        session("acme-s1@acme.com", "20261124T190000Z", "20261124T200000Z",
                "Interview with Acme: Systems design", "Marcus O'Neil",
                "marcus.oneil@acme.com"),
        session("acme-s2@acme.com", "20261124T200000Z", "20261124T210000Z",
                "Interview with Acme: Behavioral", "Priya Shah", "priya.shah@acme.com"),
        method="PUBLISH", prodid="-//Acme//EN")
    config = write_config(tmp_path, sessions)
    deliver(tmp_path, "INBOX", greenhouse_mail(calendar(GREENHOUSE_EVENT)))
    cli(afterword, config, "run", "--once", "--now", AFTER)

    found = interviews(afterword, config, AFTER)
    assert len(found) == 2
    notes = notes_by_name(found)
    assert set(notes) == NAMES
    assert notes["Marcus O'Neil"]["interviewer"]["email"] == "marcus.oneil@acme.com"
    assert notes["Priya Shah"]["interviewer"]["email"] == "priya.shah@acme.com"
    assert notes["Hannah Berg"]["needs_address"] is True
    saved = drafts(tmp_path)
    assert len(saved) == 3
    assert sorted(str(msg["To"] or "") for _, msg, _ in saved) == [
        "", "Marcus O'Neil <marcus.oneil@acme.com>", "Priya Shah <priya.shah@acme.com>"]
    cli(afterword, config, "run", "--once", "--now", "2026-11-24T18:00:00-05:00")
    assert len(drafts(tmp_path)) == 3


def test_calendar_copy_after_the_drafts_adds_addresses_not_drafts(
    tmp_path: Path, afterword: Any
) -> None:
    config = write_config(tmp_path, EMPTY)
    deliver(tmp_path, "INBOX", greenhouse_mail(calendar(GREENHOUSE_EVENT)))
    cli(afterword, config, "run", "--once", "--now", AFTER)
    assert len(drafts(tmp_path)) == 3

    # The recruiter adds me to the company's own event (another UID, same slot) and the
    # mailed invitation is no longer read: still one interview, still three drafts.
    company_event = session("acme-onsite-55@acme.com", "20261124T190000Z", "20261124T220000Z",
                            "Onsite interview – Senior Data Engineer", "Marcus O'Neil",
                            "marcus.oneil@acme.com")
    (tmp_path / "calendar.ics").write_text(calendar(company_event, method="PUBLISH"),
                                           encoding="utf-8", newline="")
    later = "2026-11-24T19:00:00-05:00"
    cli(afterword, config, "run", "--once", "--now", later)
    (interview,) = interviews(afterword, config, later)
    notes = notes_by_name([interview])
    assert set(notes) == NAMES
    assert notes["Marcus O'Neil"]["interviewer"]["email"] == "marcus.oneil@acme.com"
    assert notes["Marcus O'Neil"]["needs_address"] is False
    assert len(drafts(tmp_path)) == 3

    # Now that his address is known, my note to him (typed into the draft) counts as sent.
    sent = EmailMessage()
    sent["From"] = "Alex Rivera <alex.rivera@example.com>"
    sent["To"] = "Marcus O'Neil <marcus.oneil@acme.com>"
    sent["Subject"] = "Thank you"
    sent["Date"] = format_datetime(datetime.fromisoformat("2026-11-24T19:30:00-05:00"))
    sent["Message-ID"] = "<thanks-marcus@example.com>"
    sent.set_content("Thank you for the systems design conversation.")
    deliver(tmp_path, "Sent", sent, when="2026-11-25")
    after_send = "2026-11-24T20:00:00-05:00"
    cli(afterword, config, "run", "--once", "--now", after_send)
    notes = notes_by_name(interviews(afterword, config, after_send))
    assert notes["Marcus O'Neil"]["state"] == "sent"
    assert notes["Priya Shah"]["state"] == "drafted"
