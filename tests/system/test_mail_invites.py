"""Interviews that reach the candidate by mail (a Greenhouse confirmation with a merged
.ics, my own accepted invitation in Sent), driven through the CLI on Maildir."""

from __future__ import annotations

import mailbox
import os
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from tests.system.conftest import Result, write_config
from tests.system.test_timeline_maildir import drafts

EMPTY = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"
BEFORE = "2026-11-24T13:00:00-05:00"
AFTER = "2026-11-24T17:05:00-05:00"
NAMES = {"Marcus O'Neil", "Priya Shah", "Hannah Berg"}

GREENHOUSE_EVENT = """\
BEGIN:VEVENT\r
UID:gh-9931-block@greenhouse.io\r
DTSTAMP:20261118T150000Z\r
DTSTART:20261124T190000Z\r
DTEND:20261124T220000Z\r
SUMMARY:Interview with Acme – Senior Data Engineer\r
LOCATION:Acme HQ\\, 4th floor\r
DESCRIPTION:Your interview schedule:\\n2:00 PM Marcus O'Neil (Principal Engine\r
 er) – Systems design\\n3:00 PM Priya Shah (Engineering Manager) – Behavioral\\\r
 n4:00 PM Hannah Berg (Director of Data) – Hiring manager conversation\\n\r
END:VEVENT\r
"""


def calendar(*events: str, method: str = "REQUEST", prodid: str = "-//Greenhouse//EN") -> str:
    head = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{prodid}\r\nMETHOD:{method}\r\n"
    return head + "".join(events) + "END:VCALENDAR\r\n"


def deliver(tmp: Path, folder: str, message: EmailMessage, when: str = "2026-11-18") -> None:
    (tmp / "mail").mkdir(exist_ok=True)
    box = mailbox.Maildir(tmp / "mail" / folder, create=True)
    key = box.add(mailbox.MaildirMessage(message))
    stamp = datetime.fromisoformat(when + "T10:00:00+00:00").timestamp()
    sub = "new" if (tmp / "mail" / folder / "new" / key).exists() else "cur"
    os.utime(tmp / "mail" / folder / sub / key, (stamp, stamp))


def greenhouse_mail(ics: str, *, content_type: str = "application/octet-stream") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Acme via Greenhouse <no-reply@greenhouse-mail.io>"
    msg["To"] = "Alex Rivera <alex.rivera@example.com>"
    msg["Subject"] = "Interview confirmation: Senior Data Engineer at Acme"
    msg["Date"] = format_datetime(datetime.fromisoformat("2026-11-18T10:00:00+00:00"))
    msg["Message-ID"] = "<gh-confirm-9931@greenhouse-mail.io>"
    msg.set_content("Your interview with Acme is confirmed.")
    msg.add_alternative(
        "<html><body><p>Hi Alex,</p><p>Your interview with <b>Acme</b> is confirmed.</p>"
        "<table><tr><td>2:00 PM</td><td>Marcus O'Neil, Principal Engineer</td></tr>"
        "<tr><td>3:00 PM</td><td>Priya Shah, Engineering Manager</td></tr>"
        "<tr><td>4:00 PM</td><td>Hannah Berg, Director of Data</td></tr></table>"
        "</body></html>", subtype="html")
    maintype, subtype = content_type.split("/")
    msg.add_attachment(ics.encode("utf-8"), maintype=maintype, subtype=subtype,
                       filename="invite.ics")
    return msg


def cli(afterword: Any, config: Path, *args: str) -> Result:
    result: Result = afterword("--config", str(config), *args)
    assert result.code == 0, result.err
    return result


def interviews(afterword: Any, config: Path, now: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = cli(afterword, config, "status", "--json", "--now",
                                      now).json()["interviews"]
    return found


def test_greenhouse_confirmation_gives_one_draft_per_named_interviewer(
    tmp_path: Path, afterword: Any
) -> None:
    config = write_config(tmp_path, EMPTY)
    deliver(tmp_path, "INBOX", greenhouse_mail(calendar(GREENHOUSE_EVENT)))
    cli(afterword, config, "run", "--once", "--now", BEFORE)
    assert drafts(tmp_path) == []
    cli(afterword, config, "run", "--once", "--now", AFTER)

    saved = drafts(tmp_path)
    assert len(saved) == 3
    assert all(msg["To"] is None for _, msg, _ in saved)
    openings = sorted(msg.get_content().splitlines()[0] for _, msg, _ in saved)
    assert [any(first in line for line in openings) for first in ("Marcus", "Priya", "Hannah")
            ] == [True, True, True]
    (interview,) = interviews(afterword, config, AFTER)
    assert interview["company"] == "Acme"
    notes = {n["interviewer"]["name"]: n for n in interview["notes"]}
    assert set(notes) == NAMES
    assert all(n["needs_address"] is True for n in notes.values())


def test_same_invite_in_calendar_and_mail_is_one_interview(
    tmp_path: Path, afterword: Any
) -> None:
    config = write_config(tmp_path, calendar(GREENHOUSE_EVENT, method="PUBLISH"))
    deliver(tmp_path, "INBOX",
            greenhouse_mail(calendar(GREENHOUSE_EVENT), content_type="text/calendar"))
    cli(afterword, config, "run", "--once", "--now", AFTER)
    (interview,) = interviews(afterword, config, AFTER)
    assert {n["interviewer"]["name"] for n in interview["notes"]} == NAMES
    assert len(drafts(tmp_path)) == 3


def test_my_accepted_reply_in_sent_is_an_interview(tmp_path: Path, afterword: Any) -> None:
    reply = calendar("""\
BEGIN:VEVENT\r
UID:7f3a9c0e21@google.com\r
DTSTAMP:20261119T090000Z\r
DTSTART:20261124T190000Z\r
DTEND:20261124T200000Z\r
SUMMARY:Interview: Alex Rivera / Priya Shah (Acme)\r
ORGANIZER;CN=Priya Shah:mailto:priya.shah@acme.com\r
ATTENDEE;CN=Alex Rivera;PARTSTAT=ACCEPTED:mailto:alex.rivera@example.com\r
END:VEVENT\r
""", method="REPLY", prodid="-//Google Inc//Google Calendar 70.9054//EN")
    msg = EmailMessage()
    msg["From"] = "Alex Rivera <alex.rivera@example.com>"
    msg["To"] = "priya.shah@acme.com"
    msg["Subject"] = "Accepted: Interview: Alex Rivera / Priya Shah (Acme)"
    msg["Message-ID"] = "<reply-1@example.com>"
    msg.set_content("Alex Rivera has accepted this invitation.")
    msg.add_alternative(reply, subtype="calendar", params={"method": "REPLY"})
    config = write_config(tmp_path, EMPTY)
    deliver(tmp_path, "Sent", msg, when="2026-11-19")
    cli(afterword, config, "run", "--once", "--now", AFTER)

    (interview,) = interviews(afterword, config, AFTER)
    assert interview["company"] == "Acme"
    assert [n["interviewer"]["email"] for n in interview["notes"]] == ["priya.shah@acme.com"]
    ((_, draft, _),) = drafts(tmp_path)
    assert draft["To"].addresses[0].addr_spec == "priya.shah@acme.com"


def test_newsletter_without_calendar_part_is_nothing(tmp_path: Path, afterword: Any) -> None:
    msg = EmailMessage()
    msg["From"] = "Acme Careers <careers@acme.com>"
    msg["To"] = "alex.rivera@example.com"
    msg["Subject"] = "Interview tips: how to ace your onsite at Acme"
    msg["Message-ID"] = "<news-5@acme.com>"
    msg.set_content("Our interviewers Marcus O'Neil (Principal Engineer) share their tips.")
    config = write_config(tmp_path, EMPTY)
    deliver(tmp_path, "INBOX", msg)
    cli(afterword, config, "run", "--once", "--now", AFTER)
    assert interviews(afterword, config, AFTER) == []
    assert drafts(tmp_path) == []


def test_broken_attachment_is_skipped_and_others_still_read(
    tmp_path: Path, afterword: Any
) -> None:
    broken = greenhouse_mail("BEGIN:VCALENDAR\r\nthis is not ical\r\n")
    broken.replace_header("Message-ID", "<broken@greenhouse-mail.io>")
    config = write_config(tmp_path, EMPTY)
    deliver(tmp_path, "INBOX", broken, when="2026-11-19")
    deliver(tmp_path, "INBOX", greenhouse_mail(calendar(GREENHOUSE_EVENT)))
    cli(afterword, config, "run", "--once", "--now", AFTER)
    (interview,) = interviews(afterword, config, AFTER)
    assert len(interview["notes"]) == 3


def test_calendar_copy_with_other_uid_wins_and_gains_mail_only_interviewer(
    tmp_path: Path, afterword: Any
) -> None:
    company_event = """\
BEGIN:VEVENT\r
UID:acme-onsite-55@acme.com\r
DTSTAMP:20261118T150000Z\r
DTSTART:20261124T190200Z\r
DTEND:20261124T220000Z\r
SUMMARY:Onsite interview – Senior Data Engineer\r
ORGANIZER;CN=Acme Recruiting:mailto:recruiting@acme.com\r
ATTENDEE;CN=Alex Rivera;PARTSTAT=ACCEPTED:mailto:alex.rivera@example.com\r
ATTENDEE;CN=Marcus O'Neil;PARTSTAT=ACCEPTED:mailto:marcus.oneil@acme.com\r
ATTENDEE;CN=Priya Shah;PARTSTAT=ACCEPTED:mailto:priya.shah@acme.com\r
END:VEVENT\r
"""
    config = write_config(tmp_path, calendar(company_event, method="PUBLISH"))
    deliver(tmp_path, "INBOX", greenhouse_mail(calendar(GREENHOUSE_EVENT)))
    cli(afterword, config, "run", "--once", "--now", AFTER)

    (interview,) = interviews(afterword, config, AFTER)
    emails = {n["interviewer"]["name"]: n["interviewer"]["email"] for n in interview["notes"]}
    assert emails == {"Marcus O'Neil": "marcus.oneil@acme.com",
                      "Priya Shah": "priya.shah@acme.com", "Hannah Berg": None}
    assert len(drafts(tmp_path)) == 3


def test_invite_declined_in_the_calendar_stays_declined(tmp_path: Path, afterword: Any) -> None:
    declined = GREENHOUSE_EVENT.replace(
        "END:VEVENT", "ATTENDEE;CN=Alex Rivera;PARTSTAT=DECLINED:mailto:alex.rivera@example.com"
        "\r\nEND:VEVENT")
    config = write_config(tmp_path, calendar(declined, method="PUBLISH"))
    deliver(tmp_path, "INBOX", greenhouse_mail(calendar(GREENHOUSE_EVENT)))
    cli(afterword, config, "run", "--once", "--now", AFTER)
    assert interviews(afterword, config, AFTER) == []
    assert drafts(tmp_path) == []


def test_a_running_engine_reads_only_new_mail(tmp_path: Path) -> None:
    # In the daemon the engine lives on: after the first read it asks the mailbox only for
    # what arrived since, and an invitation delivered later still becomes an interview.
    from afterword.plugin.config import load_config
    from afterword.plugin.runtime import open_engine

    config = load_config(write_config(tmp_path, EMPTY))
    (tmp_path / "mail").mkdir(exist_ok=True)
    first = datetime.fromisoformat("2026-11-19T09:00:00-05:00")
    later = datetime.fromisoformat("2026-11-19T09:20:00-05:00")
    with open_engine(config) as engine:
        asked: list[tuple[str, datetime]] = []
        read = engine.mailbox.recent_messages

        def spy(folder: str, since: datetime, limit: int = 200) -> list[EmailMessage]:
            asked.append((folder, since))
            return read(folder, since, limit)

        engine.mailbox.recent_messages = spy  # type: ignore[method-assign]
        engine.cycle(first)
        assert engine.state.interviews() == []
        box = mailbox.Maildir(tmp_path / "mail" / "INBOX", create=True)
        key = box.add(mailbox.MaildirMessage(greenhouse_mail(calendar(GREENHOUSE_EVENT))))
        arrived = (first + timedelta(minutes=10)).timestamp()  # between the two reads
        os.utime(tmp_path / "mail" / "INBOX" / "new" / key, (arrived, arrived))
        engine.cycle(first + timedelta(minutes=5))  # within MAIL_EVERY: no read
        engine.cycle(later)
        assert [s for _, s in asked] == [first - timedelta(days=30)] * 2 + [
            first - timedelta(minutes=5)] * 2
    (row,) = load_engine_interviews(config)
    assert {p.name for p in row.interview.interviewers} == NAMES


def load_engine_interviews(config: Any) -> list[Any]:
    from afterword.plugin.state import State

    state = State(config.state_path)
    try:
        return state.interviews()
    finally:
        state.close()
