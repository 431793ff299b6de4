"""The full life of one interview on the default backends (ICS + Maildir + SQLite), driven
through the real CLI with `--now`, asserting what the user sees in the mailbox."""

from __future__ import annotations

import email
import email.policy
import mailbox
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import Any

from afterword.plugin.compose.uniqueness import overlap
from tests.system.conftest import Result, run_subprocess, write_config

PANEL = """\
BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
BEGIN:VTIMEZONE\r
TZID:America/New_York\r
BEGIN:STANDARD\r
DTSTART:19701101T020000\r
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
TZNAME:EST\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:19700308T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
TZNAME:EDT\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:panel-7731@acme.com\r
DTSTAMP:20261120T150000Z\r
DTSTART;TZID=America/New_York:20261124T140000\r
DTEND;TZID=America/New_York:20261124T170000\r
SUMMARY:Onsite interview: Senior Data Engineer – Alex Rivera\r
LOCATION:Acme HQ\\, 4th floor\r
DESCRIPTION:Your schedule:\\n2:00 PM Marcus O'Neil (Principal Engineer) – Syst\r
 ems design\\n2:45 PM Priya Shah (Engineering Manager) – Behavioral\\n3:30 PM J\r
 osé Álvarez (Staff Data Engineer) – SQL and data modelling\\n4:15 PM Hannah \r
 Berg (Director of Data) – Hiring manager conversation\\n\r
ORGANIZER;CN=Acme Recruiting:mailto:recruiting@acme.com\r
ATTENDEE;CN=Alex Rivera;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:alex@rivera.dev\r
ATTENDEE;CN=Marcus O'Neil;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:marcus.oneil@acme.com\r
ATTENDEE;CN=Priya Shah;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:priya.shah@acme.com\r
ATTENDEE;CN="José Álvarez";PARTSTAT=TENTATIVE;ROLE=REQ-PARTICIPANT:mailto:jose.alvarez@acme.com\r
ATTENDEE;CN=Conf Room 4B;CUTYPE=ROOM;PARTSTAT=ACCEPTED:mailto:c_188@resource.calendar.google.com\r
END:VEVENT\r
END:VCALENDAR\r
"""

PEOPLE = {"marcus.oneil@acme.com", "priya.shah@acme.com", "jose.alvarez@acme.com"}


def drafts(tmp: Path) -> list[tuple[str, EmailMessage, str]]:
    box = mailbox.Maildir(tmp / "mail" / "Drafts", factory=None, create=False)
    result = []
    for key in box.iterkeys():
        msg = box.get_message(key)
        parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        result.append((key, parsed, msg.get_flags()))
    return result


def inbox(tmp: Path) -> list[EmailMessage]:
    box = mailbox.Maildir(tmp / "mail" / "INBOX", factory=None, create=False)
    out = []
    for key in box.iterkeys():
        parsed = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        out.append(parsed)
    return out


def send(tmp: Path, to: str, when: str, sender: str = "alex.rivera@example.com") -> None:
    from datetime import datetime

    msg = EmailMessage()
    msg["From"] = f"Alex Rivera <{sender}>"
    msg["To"] = to
    msg["Subject"] = "Thanks!"
    msg["Date"] = format_datetime(datetime.fromisoformat(when))
    msg.set_content("Thank you.")
    box = mailbox.Maildir(tmp / "mail" / "Sent", create=True)
    box.add(mailbox.MaildirMessage(msg))


def states(result: Result) -> dict[str, str]:
    data = result.json()
    (interview,) = data["interviews"]
    return {n["interviewer"]["name"]: n["state"] for n in interview["notes"]}


def by_name(result: Result) -> dict[str, dict[str, Any]]:
    (interview,) = result.json()["interviews"]
    return {n["interviewer"]["name"]: n for n in interview["notes"]}


def test_whole_timeline(tmp_path: Path, afterword: Any) -> None:
    config = str(write_config(tmp_path, PANEL))

    def run(now: str) -> Result:
        result = afterword("--config", config, "run", "--once", "--now", now)
        assert result.code == 0, result.err
        return result

    def status(now: str) -> Result:
        result = afterword("--config", config, "status", "--json", "--now", now)
        assert result.code == 0, result.err
        return result

    # Before the interview: known, pending, nothing in the mailbox.
    run("2026-11-24T13:00:00-05:00")
    assert set(states(status("2026-11-24T13:00:00-05:00")).values()) == {"pending"}
    assert drafts(tmp_path) == []

    # Just after it ends: one draft per interviewer, the named one without an address.
    run("2026-11-24T17:05:00-05:00")
    saved = drafts(tmp_path)
    assert len(saved) == 4
    recipients = set()
    bodies = []
    for _key, msg, flags in saved:
        assert "D" in flags and "F" not in flags
        assert msg["From"].addresses[0].addr_spec == "alex.rivera@example.com"
        assert msg["X-Afterword-Note"]
        assert msg["Message-ID"] and msg["Date"] and "thank" in msg["Subject"].lower()
        assert msg.get_content_type() == "text/plain"
        assert msg.get_content_charset() == "utf-8"
        tos = getaddresses(msg.get_all("To", []))
        recipients.update(addr for _, addr in tos)
        body = msg.get_content()
        assert "Alex Rivera" in body and "+1 555 0100" in body
        assert 60 <= len(body.split()) <= 180
        bodies.append(body)
    assert recipients == PEOPLE
    assert sum(1 for _, m, _ in saved if m["To"] is None) == 1
    names = ["Marcus", "O'Neil", "Priya", "Shah", "José", "Álvarez", "Hannah", "Berg", "Alex",
             "Rivera"]
    for i, a in enumerate(bodies):
        for b in bodies[i + 1:]:
            assert overlap(a, b, names) <= 0.5
    jose = next(m for _, m, _ in saved if "jose.alvarez@acme.com" in str(m["To"]))
    assert "José" in jose.get_content()
    notes = by_name(status("2026-11-24T17:05:00-05:00"))
    assert notes["Hannah Berg"]["needs_address"] is True
    assert notes["Hannah Berg"]["interviewer"]["email"] is None
    assert {n["state"] for n in notes.values()} == {"drafted"}
    assert notes["Marcus O'Neil"]["draft_saved_at"].startswith("2026-11-24T17:05")

    # Rerun: nothing repeated.
    run("2026-11-24T17:10:00-05:00")
    assert len(drafts(tmp_path)) == 4

    # Marcus's note goes out that evening; an earlier scheduling mail to Priya does not count.
    send(tmp_path, "Marcus O'Neil <marcus.oneil@acme.com>", "2026-11-24T19:00:00-05:00")
    send(tmp_path, "priya.shah@acme.com", "2026-11-20T10:00:00-05:00")
    send(tmp_path, "jose.alvarez@acme.com", "2026-11-24T19:00:00-05:00",
         sender="someone.else@example.com")
    run("2026-11-24T20:00:00-05:00")
    s = states(status("2026-11-24T20:00:00-05:00"))
    assert s["Marcus O'Neil"] == "sent"
    assert s["Priya Shah"] == "drafted" and s["José Álvarez"] == "drafted"

    # Next morning at nudge_at: unsent drafts flagged, one warning listing them.
    run("2026-11-25T09:05:00-05:00")
    flagged = {str(m["To"]) for _, m, f in drafts(tmp_path) if "F" in f}
    assert len(flagged) == 3 and not any("marcus" in t for t in flagged)
    (warning,) = inbox(tmp_path)
    key = warning["X-Afterword-Warning"]
    assert key.endswith(":nudge")
    text = warning.get_content()
    assert "Priya Shah" in text and "José Álvarez" in text and "Hannah Berg" in text
    assert "Marcus" not in text
    assert warning["From"].addresses[0].addr_spec == "alex.rivera@example.com"
    assert warning["To"].addresses[0].addr_spec == "alex.rivera@example.com"
    run("2026-11-25T09:30:00-05:00")
    assert len(inbox(tmp_path)) == 1

    # The user edits José's draft in their mail client: the client saves a new message
    # without our header. afterword notices and never recreates or overwrites it.
    box = mailbox.Maildir(tmp_path / "mail" / "Drafts", factory=None, create=False)
    (jose_key,) = [k for k, m, _ in drafts(tmp_path) if "jose.alvarez" in str(m["To"])]
    edited = EmailMessage()
    edited["From"] = "Alex Rivera <alex.rivera@example.com>"
    edited["To"] = "José Álvarez <jose.alvarez@acme.com>"
    edited["Subject"] = "Thank you!"
    edited.set_content("Hola José, my own words.")
    box.remove(jose_key)
    entry = mailbox.MaildirMessage(edited)
    entry.set_flags("DS")
    box.add(entry)
    run("2026-11-25T12:00:00-05:00")
    current = drafts(tmp_path)
    assert len(current) == 4
    mine = [m for _, m, _ in current if "jose.alvarez" in str(m["To"])]
    assert len(mine) == 1 and mine[0]["X-Afterword-Note"] is None
    assert "my own words" in mine[0].get_content()
    assert by_name(status("2026-11-25T12:00:00-05:00"))["José Álvarez"]["draft"] == "user_edited"

    # Final warning four hours before the due time, then overdue at the due time.
    run("2026-11-25T20:00:00-05:00")
    stages = sorted(m["X-Afterword-Warning"].split(":")[1] for m in inbox(tmp_path))
    assert stages == ["final", "nudge"]
    run("2026-11-26T00:00:30-05:00")
    run("2026-11-26T00:05:00-05:00")
    stages = sorted(m["X-Afterword-Warning"].split(":")[1] for m in inbox(tmp_path))
    assert stages == ["final", "nudge", "overdue"]
    s = states(status("2026-11-26T00:05:00-05:00"))
    assert s == {"Marcus O'Neil": "sent", "Priya Shah": "overdue", "José Álvarez": "overdue",
                 "Hannah Berg": "overdue"}

    # Priya's note goes out the day after the due time: late.
    send(tmp_path, "Priya Shah <priya.shah@acme.com>", "2026-11-26T10:00:00-05:00")
    run("2026-11-26T10:30:00-05:00")
    final = status("2026-11-26T10:30:00-05:00")
    s = states(final)
    assert s["Priya Shah"] == "late" and s["Marcus O'Neil"] == "sent"
    notes = by_name(final)
    assert notes["Priya Shah"]["sent_at"].startswith("2026-11-26T10:00")
    (interview,) = final.json()["interviews"]
    assert interview["company"] == "Acme" and interview["role"] == "Senior Data Engineer"
    assert interview["due"] == "2026-11-25T23:59:59-05:00"
    assert len(drafts(tmp_path)) == 4 and len(inbox(tmp_path)) == 3

    # The human view says the same.
    table = afterword("--config", config, "status", "--now", "2026-11-26T10:30:00-05:00")
    assert table.code == 0 and "Priya Shah" in table.out and "late" in table.out


def test_several_stages_at_once_deliver_only_the_latest(tmp_path: Path, afterword: Any) -> None:
    config = str(write_config(tmp_path, PANEL))
    assert afterword("--config", config, "run", "--once", "--now",
                     "2026-11-24T17:05:00-05:00").code == 0
    # The daemon was off until after the final-warning time: only "final" is delivered.
    assert afterword("--config", config, "run", "--once", "--now",
                     "2026-11-25T21:00:00-05:00").code == 0
    assert [m["X-Afterword-Warning"].split(":")[1] for m in inbox(tmp_path)] == ["final"]


def test_deleted_draft_is_not_recreated(tmp_path: Path, afterword: Any) -> None:
    config = str(write_config(tmp_path, PANEL))
    afterword("--config", config, "run", "--once", "--now", "2026-11-24T17:05:00-05:00")
    box = mailbox.Maildir(tmp_path / "mail" / "Drafts", factory=None, create=False)
    (key,) = [k for k, m, _ in drafts(tmp_path) if "priya" in str(m["To"])]
    box.remove(key)
    afterword("--config", config, "run", "--once", "--now", "2026-11-24T18:00:00-05:00")
    afterword("--config", config, "run", "--once", "--now", "2026-11-24T19:00:00-05:00")
    assert len(drafts(tmp_path)) == 3
    notes = by_name(afterword("--config", config, "status", "--json", "--now",
                              "2026-11-24T19:00:00-05:00"))
    assert notes["Priya Shah"]["draft"] == "deleted"


def test_crash_after_draft_before_state_leaves_no_duplicate(tmp_path: Path) -> None:
    config = str(write_config(tmp_path, PANEL))
    # Kill the process (SIGKILL, no cleanup) the moment the first draft is in the mailbox
    # and before the state records it.
    crash = (
        "import os, signal\n"
        "from afterword.plugin import state\n"
        "def die(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "state.State.record_draft = die\n"
    )
    args = ("--config", config, "run", "--once", "--now", "2026-11-24T17:05:00-05:00")
    killed = run_subprocess(*args, script=crash)
    assert killed.code == -9
    assert len(drafts(tmp_path)) == 1
    again = run_subprocess(*args)
    assert again.code == 0, again.err
    saved = drafts(tmp_path)
    assert len(saved) == 4
    assert len({m["X-Afterword-Note"] for _, m, _ in saved}) == 4
    third = run_subprocess("--config", config, "run", "--once", "--now",
                           "2026-11-24T18:00:00-05:00")
    assert third.code == 0 and len(drafts(tmp_path)) == 4


def test_crash_after_warning_before_state_leaves_no_duplicate(tmp_path: Path,
                                                              afterword: Any) -> None:
    config = str(write_config(tmp_path, PANEL))
    afterword("--config", config, "run", "--once", "--now", "2026-11-24T17:05:00-05:00")
    crash = (
        "import os, signal\n"
        "from afterword.plugin import state\n"
        "def die(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "state.State.record_warning = die\n"
    )
    args = ("--config", config, "run", "--once", "--now", "2026-11-25T09:05:00-05:00")
    assert run_subprocess(*args, script=crash).code == -9
    assert len(inbox(tmp_path)) == 1
    assert run_subprocess(*args).code == 0
    assert len(inbox(tmp_path)) == 1


def test_a_draft_edited_in_place_is_the_users(tmp_path: Path, afterword: Any) -> None:
    # Some clients rewrite the draft where it is (same file, same Gmail draft id), dropping
    # our header; here the user adds the address afterword did not know.
    config = str(write_config(tmp_path, PANEL))
    afterword("--config", config, "run", "--once", "--now", "2026-11-24T17:05:00-05:00")
    box = mailbox.Maildir(tmp_path / "mail" / "Drafts", factory=None, create=False)
    (key,) = [k for k, m, _ in drafts(tmp_path) if m["To"] is None]
    path = tmp_path / "mail" / "Drafts" / box._lookup(key)  # type: ignore[attr-defined]
    edited = EmailMessage()
    edited["From"] = "Alex Rivera <alex.rivera@example.com>"
    edited["To"] = "Hannah Berg <hannah.berg@acme.com>"
    edited["Subject"] = "Thank you, Hannah"
    edited.set_content("Dear Hannah, thank you. My own words.")
    path.write_bytes(edited.as_bytes())
    afterword("--config", config, "run", "--once", "--now", "2026-11-25T09:05:00-05:00")
    notes = by_name(afterword("--config", config, "status", "--json", "--now",
                              "2026-11-25T09:05:00-05:00"))
    assert notes["Hannah Berg"]["draft"] == "user_edited"
    mine = [(m, f) for _, m, f in drafts(tmp_path) if "hannah" in str(m["To"])]
    assert len(mine) == 1 and "My own words" in mine[0][0].get_content()
    assert "F" in mine[0][1]  # still flagged at the nudge, as the user's own draft
    assert len(drafts(tmp_path)) == 4
