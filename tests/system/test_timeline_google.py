"""The Maildir timeline again, on Gmail and Google Calendar: the real CLI with
`backend = "gmail"` and `source = "google"`, the real google-api-python-client pointed at
the local emulator with `api_endpoint`, and everything the user would see read back from
the emulator's mailbox, the way Gmail's web UI shows it. The emulator's request log is the
proof that reruns create nothing and that no send method is ever called.

Also through the CLI: a 429 waited out, a 500 storm, a revoked token (refused by the
emulator's token endpoint, and by Google's, played by `responses`), and `check`.

Retry pauses: the CLI builds its backends with the modules' DEFAULT_RETRY, which the
`pauses` fixture swaps for the same policy recording its pauses instead of sleeping them.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import Any, cast

import pytest
import responses
from google.oauth2.credentials import Credentials

from afterword.auth.token_store import RefreshFailed, TokenStore
from afterword.plugin.compose.uniqueness import overlap
from afterword.plugin.config import load_config
from afterword.plugin.google_api import RetryPolicy
from afterword.plugin.mailbox import gmail as gmail_module
from afterword.plugin.runtime import open_engine
from afterword.plugin.sources import google as google_source_module
from tests.emulators.google_api import GoogleEmulator
from tests.system.conftest import Result, run_subprocess
from tests.system.test_timeline_maildir import PEOPLE, by_name, states

ME = "alex.rivera@example.com"
REVOKED = ("afterword: Google refused the saved token (revoked or expired): "
           "run `afterword auth google` again")
# Every Gmail method that changes the mailbox: a rerun must call none of them.
WRITES = frozenset({
    "gmail.users.drafts.create", "gmail.users.drafts.update", "gmail.users.drafts.delete",
    "gmail.users.drafts.send", "gmail.users.messages.insert", "gmail.users.messages.modify",
    "gmail.users.messages.send", "gmail.users.messages.import", "gmail.users.messages.trash",
    "gmail.users.messages.delete", "gmail.users.labels.create",
})

# The system tests' panel (tests/system/test_timeline_maildir.py PANEL) as Google Calendar
# returns it from events.list.
PANEL_EVENT: dict[str, Any] = {
    "id": "panel7731acme",
    "iCalUID": "panel-7731@acme.com",
    "summary": "Onsite interview: Senior Data Engineer – Alex Rivera",
    "location": "Acme HQ, 4th floor",
    "description": (
        "Your schedule:\n"
        "2:00 PM Marcus O'Neil (Principal Engineer) – Systems design\n"
        "2:45 PM Priya Shah (Engineering Manager) – Behavioral\n"
        "3:30 PM José Álvarez (Staff Data Engineer) – SQL and data modelling\n"
        "4:15 PM Hannah Berg (Director of Data) – Hiring manager conversation\n"),
    "start": {"dateTime": "2026-11-24T14:00:00-05:00", "timeZone": "America/New_York"},
    "end": {"dateTime": "2026-11-24T17:00:00-05:00", "timeZone": "America/New_York"},
    "organizer": {"email": "recruiting@acme.com", "displayName": "Acme Recruiting"},
    "attendees": [
        {"email": "alex@rivera.dev", "displayName": "Alex Rivera", "self": True,
         "responseStatus": "accepted"},
        {"email": "marcus.oneil@acme.com", "displayName": "Marcus O'Neil",
         "responseStatus": "accepted"},
        {"email": "priya.shah@acme.com", "displayName": "Priya Shah",
         "responseStatus": "accepted"},
        {"email": "jose.alvarez@acme.com", "displayName": "José Álvarez",
         "responseStatus": "tentative"},
        {"email": "c_188@resource.calendar.google.com", "displayName": "Conf Room 4B",
         "resource": True, "responseStatus": "accepted"},
    ],
}


@dataclass(frozen=True)
class Seen:
    """One message as Gmail's web UI shows it: its content and its labels."""

    ref: str  # the draft id for drafts, else the message id
    message_id: str
    raw: bytes
    labels: frozenset[str]

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def to(self) -> str:
        return str(self.message["To"] or "")


@dataclass
class Account:
    """The user's Google account (the emulator) and the config pointing afterword at it."""

    google: GoogleEmulator
    config: Path
    token: Path

    def drafts(self) -> list[Seen]:
        found = []
        for ref in list(self.google.drafts):
            stored = self.google.draft_message(ref)
            assert stored is not None
            found.append(Seen(ref, stored.id, stored.raw, frozenset(stored.label_ids)))
        return found

    def inbox(self) -> list[Seen]:
        return [Seen(m.id, m.id, m.raw, frozenset(m.label_ids))
                for m in self.google.with_label("INBOX")]

    def label(self) -> str:
        found = self.google.label_id("afterword")
        assert found is not None, "the afterword label was never created"
        return found

    def snapshot(self) -> tuple[Any, ...]:
        """Everything a rerun could change: every draft and message with its labels."""
        return (tuple(sorted(self.google.drafts.items())),
                tuple(sorted((m.id, tuple(sorted(m.label_ids)))
                             for m in self.google.messages.values())),
                tuple(sorted(self.google.labels.items())))

    def count(self, method_id: str) -> int:
        return sum(1 for c in self.google.calls
                   if c.method_id == f"gmail.users.{method_id}" and c.status == 200)

    def send_draft(self, ref: str, when: str) -> None:
        """What Gmail does when the user presses Send on a draft: the draft is gone and
        a copy, dated when it went, is in Sent under a new message id."""
        stored = self.google.draft_message(ref)
        assert stored is not None
        sent = email.message_from_bytes(stored.raw, policy=email.policy.default)
        assert isinstance(sent, EmailMessage)
        del sent["Date"]
        sent["Date"] = format_datetime(datetime.fromisoformat(when))
        self.google.delete_draft(ref)
        self.google.add_sent(sent)

    def send_new(self, to: str, when: str, sender: str = ME) -> None:
        """A message the user wrote from scratch and sent."""
        msg = EmailMessage()
        msg["From"] = f"Alex Rivera <{sender}>"
        msg["To"] = to
        msg["Subject"] = "Thanks!"
        msg["Date"] = format_datetime(datetime.fromisoformat(when))
        msg.set_content("Thank you.")
        self.google.add_sent(msg)


def write_google_config(folder: Path, endpoint: str) -> Path:
    path = folder / "config.toml"
    path.write_text(f"""
[me]
name = "Alex Rivera"
email = "{ME}"
aliases = ["alex@rivera.dev"]
timezone = "America/New_York"
[calendar]
source = "google"
calendar_ids = ["primary"]
token_file = "google-token.json"
api_endpoint = "{endpoint}"
[mailbox]
backend = "gmail"
token_file = "google-token.json"
api_endpoint = "{endpoint}"
[state]
path = "state.sqlite3"
[notes]
signature = "Alex Rivera\\n+1 555 0100"
[[applications]]
company = "Acme"
role = "Senior Data Engineer"
domains = ["acme.com"]
""", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retry pauses the CLI's backends asked for, recorded instead of slept."""
    asked: list[float] = []
    policy = RetryPolicy(sleep=asked.append, jitter=lambda: 0.5)
    monkeypatch.setattr(gmail_module, "DEFAULT_RETRY", policy)
    monkeypatch.setattr(google_source_module, "DEFAULT_RETRY", policy)
    return asked


@pytest.fixture
def account(tmp_path: Path) -> Iterator[Account]:
    """The panel in the primary calendar, an empty mailbox, and a token file holding a
    refresh token and an access token that has already expired."""
    with GoogleEmulator(email_address=ME) as google:
        google.add_event("primary", PANEL_EVENT)
        config = write_google_config(tmp_path, google.base_url)
        token = google.write_token(tmp_path / "google-token.json", expired=True)
        yield Account(google, config, token)
        assert google.violations == []
        assert not [c for c in google.calls if "send" in c.path.split("/")
                    or c.method_id.endswith(".send")]


def cli(afterword: Any, account: Account, *args: str) -> Result:
    result: Result = afterword("--config", str(account.config), *args)
    return result


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_whole_timeline_on_gmail_and_google_calendar(account: Account, afterword: Any) -> None:
    google = account.google

    def run(now: str) -> Result:
        result = cli(afterword, account, "run", "--once", "--now", now)
        assert result.code == 0, result.err
        return result

    def status(now: str) -> Result:
        result = cli(afterword, account, "status", "--json", "--now", now)
        assert result.code == 0, result.err
        return result

    def rerun_creates_nothing(now: str) -> None:
        before, logged = account.snapshot(), len(google.calls)
        run(now)
        assert account.snapshot() == before
        assert [c.method_id for c in google.calls[logged:] if c.method_id in WRITES] == []

    # Before the interview: known, pending, nothing in the mailbox. The expired access
    # token was renewed once against the token file's own token_uri and saved privately.
    old_token = json.loads(account.token.read_text())["token"]
    run("2026-11-24T13:00:00-05:00")
    assert set(states(status("2026-11-24T13:00:00-05:00")).values()) == {"pending"}
    assert account.drafts() == [] and google.messages == {}
    assert [c.status for c in google.calls if c.method_id == "token"] == [200]
    saved = json.loads(account.token.read_text())
    assert saved["token"] != old_token and saved["refresh_token"] == google.refresh_token
    assert stat.S_IMODE(account.token.stat().st_mode) == 0o600
    events = google.calls_to("calendar.events.list")
    assert events and events[0].query["singleEvents"] == ["true"]

    # Just after it ends: one Gmail draft per interviewer, labelled afterword, the named
    # interviewer's without an address.
    run("2026-11-24T17:05:00-05:00")
    saved_drafts = account.drafts()
    assert len(saved_drafts) == 4 and account.count("drafts.create") == 4
    label = account.label()
    recipients: set[str] = set()
    bodies = []
    for draft in saved_drafts:
        msg = draft.message
        assert draft.labels == {"DRAFT", label}
        assert msg["From"].addresses[0].addr_spec == ME
        assert msg["X-Afterword-Note"]
        assert msg["Message-ID"] and msg["Date"] and "thank" in msg["Subject"].lower()
        assert msg.get_content_type() == "text/plain"
        assert msg.get_content_charset() == "utf-8"
        assert b"\r\n" in draft.raw  # what Gmail's raw wants: CRLF line ends
        recipients.update(addr for _, addr in getaddresses(msg.get_all("To", [])))
        body = msg.get_content()
        assert "Alex Rivera" in body and "+1 555 0100" in body
        assert 60 <= len(body.split()) <= 180
        bodies.append(body)
    assert recipients == PEOPLE
    assert sum(1 for d in saved_drafts if d.message["To"] is None) == 1
    assert len({str(d.message["X-Afterword-Note"]) for d in saved_drafts}) == 4
    names = ["Marcus", "O'Neil", "Priya", "Shah", "José", "Álvarez", "Hannah", "Berg", "Alex",
             "Rivera"]
    for i, a in enumerate(bodies):
        for b in bodies[i + 1:]:
            assert overlap(a, b, names) <= 0.5
    jose = next(d for d in saved_drafts if "jose.alvarez@acme.com" in d.to)
    assert "José Álvarez" in jose.to and "José" in jose.message.get_content()
    notes = by_name(status("2026-11-24T17:05:00-05:00"))
    assert notes["Hannah Berg"]["needs_address"] is True
    assert notes["Hannah Berg"]["interviewer"]["email"] is None
    assert {n["state"] for n in notes.values()} == {"drafted"}
    assert {n["draft"] for n in notes.values()} == {"saved"}
    rerun_creates_nothing("2026-11-24T17:10:00-05:00")

    # Marcus's note goes out that evening: the user presses Send on the draft in Gmail.
    # An earlier scheduling mail to Priya and a mail to José from another address do not
    # count.
    (marcus,) = [d for d in account.drafts() if "marcus.oneil" in d.to]
    account.send_draft(marcus.ref, "2026-11-24T19:00:00-05:00")
    account.send_new("priya.shah@acme.com", "2026-11-20T10:00:00-05:00")
    account.send_new("jose.alvarez@acme.com", "2026-11-24T19:00:00-05:00",
                     sender="someone.else@example.com")
    run("2026-11-24T20:00:00-05:00")
    s = states(status("2026-11-24T20:00:00-05:00"))
    assert s["Marcus O'Neil"] == "sent"
    assert s["Priya Shah"] == "drafted" and s["José Álvarez"] == "drafted"
    searches = [c.query["q"][0] for c in google.calls_to("gmail.users.messages.list")
                if "q" in c.query and "in:sent" in c.query["q"][0]
                and not re.fullmatch(r"in:sent after:\d+", c.query["q"][0])]  # invitations
    assert searches and all("to:priya.shah@acme.com" in q and "after:" in q
                            for q in searches)
    rerun_creates_nothing("2026-11-24T20:30:00-05:00")

    # Next morning at nudge_at: the unsent drafts STARRED, one warning inserted into the
    # INBOX as unread.
    run("2026-11-25T09:05:00-05:00")
    remaining = account.drafts()
    assert len(remaining) == 3 and all("STARRED" in d.labels for d in remaining)
    (warning,) = account.inbox()
    assert warning.labels == {"INBOX", "UNREAD", label}
    assert str(warning.message["X-Afterword-Warning"]).endswith(":nudge")
    text = warning.message.get_content()
    assert "Priya Shah" in text and "José Álvarez" in text and "Hannah Berg" in text
    assert "Marcus" not in text
    assert warning.message["From"].addresses[0].addr_spec == ME
    assert warning.message["To"].addresses[0].addr_spec == ME
    assert account.count("messages.insert") == 1
    rerun_creates_nothing("2026-11-25T09:30:00-05:00")

    # The user edits José's draft in Gmail: the draft keeps its id, its message is
    # replaced by one without our header. afterword recognises it and leaves it alone.
    (old,) = [d for d in account.drafts() if "jose.alvarez" in d.to]
    edited = EmailMessage()
    edited["From"] = f"Alex Rivera <{ME}>"
    edited["To"] = "José Álvarez <jose.alvarez@acme.com>"
    edited["Subject"] = "Thank you!"
    edited.set_content("Hola José, my own words.")
    google.user_updates_draft(old.ref, edited.as_bytes(policy=email.policy.SMTP))
    (mine,) = [d for d in account.drafts() if d.ref == old.ref]
    run("2026-11-25T12:00:00-05:00")
    current = account.drafts()
    assert len(current) == 3
    (jose_now,) = [d for d in current if "jose.alvarez" in d.to]
    assert (jose_now.ref, jose_now.raw) == (mine.ref, mine.raw)
    assert jose_now.message["X-Afterword-Note"] is None
    assert by_name(status("2026-11-25T12:00:00-05:00"))["José Álvarez"]["draft"] == "user_edited"
    rerun_creates_nothing("2026-11-25T12:30:00-05:00")

    # Final warning four hours before the due time: every unsent draft STARRED, the user's
    # own included (starred, never rewritten); then overdue at the due time.
    run("2026-11-25T20:00:00-05:00")
    assert sorted(str(w.message["X-Afterword-Warning"]).rsplit(":", 1)[1]
                  for w in account.inbox()) == ["final", "nudge"]
    unsent = account.drafts()
    assert len(unsent) == 3 and all("STARRED" in d.labels for d in unsent)
    rerun_creates_nothing("2026-11-25T20:30:00-05:00")
    run("2026-11-26T00:00:30-05:00")
    rerun_creates_nothing("2026-11-26T00:05:00-05:00")
    warnings = account.inbox()
    assert sorted(str(w.message["X-Afterword-Warning"]).rsplit(":", 1)[1]
                  for w in warnings) == ["final", "nudge", "overdue"]
    assert all("UNREAD" in w.labels for w in warnings)
    assert states(status("2026-11-26T00:05:00-05:00")) == {
        "Marcus O'Neil": "sent", "Priya Shah": "overdue", "José Álvarez": "overdue",
        "Hannah Berg": "overdue"}

    # Priya's note goes out the day after the due time: late.
    (priya,) = [d for d in account.drafts() if "priya.shah" in d.to]
    account.send_draft(priya.ref, "2026-11-26T10:00:00-05:00")
    run("2026-11-26T10:30:00-05:00")
    rerun_creates_nothing("2026-11-26T11:00:00-05:00")
    final = status("2026-11-26T11:00:00-05:00")
    assert states(final) == {"Marcus O'Neil": "sent", "Priya Shah": "late",
                             "José Álvarez": "overdue", "Hannah Berg": "overdue"}
    notes = by_name(final)
    assert notes["Priya Shah"]["sent_at"].startswith("2026-11-26T10:00")
    assert notes["Marcus O'Neil"]["sent_at"].startswith("2026-11-24T19:00")
    (interview,) = final.json()["interviews"]
    assert interview["company"] == "Acme" and interview["role"] == "Senior Data Engineer"
    assert interview["due"] == "2026-11-25T23:59:59-05:00"

    # The whole life cost four drafts and three warnings, the user's draft was never
    # rewritten, and the request log holds no send and no rewrite at all.
    assert account.count("drafts.create") == 4 and account.count("messages.insert") == 3
    assert [d.raw for d in account.drafts() if d.ref == mine.ref] == [mine.raw]
    assert len(account.drafts()) == 2 and len(account.inbox()) == 3
    called = {c.method_id for c in google.calls}
    assert not {m for m in called if m.endswith((".send", ".update", ".delete", ".import"))}
    assert [c.status for c in google.calls if c.method_id == "token"] == [200]
    assert google.calls_to("gmail.users.labels.create") and \
        len(google.calls_to("gmail.users.labels.create")) == 1


def test_a_draft_deleted_in_gmail_is_not_recreated(account: Account, afterword: Any) -> None:
    assert cli(afterword, account, "run", "--once", "--now",
               "2026-11-24T17:05:00-05:00").code == 0
    (priya,) = [d for d in account.drafts() if "priya.shah" in d.to]
    account.google.delete_draft(priya.ref)

    for now in ("2026-11-24T18:00:00-05:00", "2026-11-25T09:05:00-05:00"):
        assert cli(afterword, account, "run", "--once", "--now", now).code == 0

    assert len(account.drafts()) == 3 and account.count("drafts.create") == 4
    notes = by_name(cli(afterword, account, "status", "--json", "--now",
                        "2026-11-25T09:05:00-05:00"))
    assert notes["Priya Shah"]["draft"] == "deleted"


def test_a_429_with_retry_after_is_waited_out_and_the_cycle_succeeds(
    account: Account, afterword: Any, pauses: list[float]
) -> None:
    account.google.fail(429, times=1, retry_after="7", match="/gmail/")

    result = cli(afterword, account, "run", "--once", "--now", "2026-11-24T17:05:00-05:00")

    assert result.code == 0, result.err
    assert pauses == [7.0]  # Retry-After honoured (longer than the 0.75 s backoff)
    throttled = [c for c in account.google.calls if c.status == 429]
    assert len(throttled) == 1 and throttled[0].method_id.startswith("gmail.")
    assert len(account.drafts()) == 4 and account.count("drafts.create") == 4


def test_a_storm_of_500s_ends_in_exit_1_with_one_line_then_recovers(
    account: Account, afterword: Any, pauses: list[float]
) -> None:
    account.google.fail(500, times=1000, match="/gmail/")

    result = cli(afterword, account, "run", "--once", "--now", "2026-11-24T17:05:00-05:00")

    assert result.code == 1
    line = one_line(result.err)
    assert line.startswith("afterword: gmail.users.")
    assert "HTTP 500" in line and "gave up after 5 tries" in line
    assert "Traceback" not in result.err
    assert pauses == [0.75, 1.5, 3.0, 6.0]  # bounded, doubling, jittered
    assert account.drafts() == []

    account.google.faults.clear()
    again = cli(afterword, account, "run", "--once", "--now", "2026-11-24T17:10:00-05:00")
    assert again.code == 0, again.err
    assert len(account.drafts()) == 4 and account.count("drafts.create") == 4


def test_a_token_revoked_in_google_ends_in_one_line_naming_the_fix(
    account: Account, afterword: Any
) -> None:
    assert cli(afterword, account, "run", "--once", "--now",
               "2026-11-24T17:05:00-05:00").code == 0
    before = account.snapshot()
    account.google.revoke()  # the user removed afterword at myaccount.google.com

    result = cli(afterword, account, "run", "--once", "--now", "2026-11-25T09:05:00-05:00")

    assert result.code == 1
    assert one_line(result.err) == REVOKED
    assert account.snapshot() == before  # nothing starred, no warning
    refused = [c for c in account.google.calls if c.method_id == "token" and c.status == 400]
    assert len(refused) == 1  # invalid_grant is never retried


@responses.activate
def test_a_refresh_google_refuses_ends_in_one_line_naming_the_fix(
    account: Account, afterword: Any
) -> None:
    """The token file names Google's own token endpoint (as `auth google` writes it),
    played by `responses`: the access token has expired and the refresh is refused."""
    google_token_uri = "https://oauth2.googleapis.com/token"
    info = json.loads(account.token.read_text())
    account.token.write_text(json.dumps({**info, "token_uri": google_token_uri}))
    responses.post(google_token_uri, status=400, json={
        "error": "invalid_grant", "error_description": "Token has been expired or revoked."})

    result = cli(afterword, account, "run", "--once", "--now", "2026-11-24T17:05:00-05:00")

    assert result.code == 1
    assert one_line(result.err) == REVOKED
    assert len(responses.calls) == 1  # never retried
    assert account.google.calls == []  # stopped before any API call
    assert info["refresh_token"] not in result.err + result.out


def test_check_prints_the_gmail_and_calendar_lines_and_creates_nothing(
    account: Account, afterword: Any, tmp_path: Path
) -> None:
    google = account.google
    account.token.write_text(json.dumps(google.authorized_user_info()))  # a valid token
    token_before = account.token.read_bytes()
    account.send_new("marcus.oneil@acme.com", "2026-11-24T19:00:00-05:00")
    before = account.snapshot()

    result = cli(afterword, account, "check")

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    where = google.base_url.removeprefix("http://").rstrip("/")
    calendar = [line for line in lines if line.startswith("calendar: ")]
    assert calendar[0].startswith(f"calendar: Google Calendar at {where}: 1 calendar(s) used")
    assert any(line.startswith(f"calendar:   primary ({ME}, America/New_York): ")
               for line in calendar), result.out
    assert f"mailbox: Gmail at {where}: {ME}, 1 messages" in lines
    assert "mailbox: label 'afterword': created with the first draft" in lines
    assert any(line.startswith("mailbox: token: ") and "gmail.modify" in line
               for line in lines), result.out
    assert any(line.endswith("will be created on first run") for line in lines)
    assert account.snapshot() == before and google.labels == {}
    assert [c.method_id for c in google.calls if c.method_id in WRITES] == []
    assert {c.method_id for c in google.calls} == {
        "calendar.events.list", "gmail.users.getProfile", "gmail.users.labels.list"}
    assert account.token.read_bytes() == token_before
    assert not (tmp_path / "state.sqlite3").exists()
    assert google.refresh_token not in result.out + result.err


@pytest.mark.parametrize(("hook", "now", "drafts", "warnings"), [
    ("record_draft", "2026-11-24T17:05:00-05:00", 1, 0),
    ("record_warning", "2026-11-25T09:05:00-05:00", 4, 1),
])
def test_a_crash_between_gmail_and_the_state_leaves_no_duplicate(
    account: Account, afterword: Any, hook: str, now: str, drafts: int, warnings: int
) -> None:
    """Killed (SIGKILL, no cleanup) right after Gmail took a draft or a warning and before
    the state recorded it: the next run finds it in Gmail by its header."""
    if hook == "record_warning":
        assert cli(afterword, account, "run", "--once", "--now",
                   "2026-11-24T17:05:00-05:00").code == 0
    crash = ("import os, signal\n"
             "from afterword.plugin import state\n"
             "def die(*a, **k):\n"
             "    os.kill(os.getpid(), signal.SIGKILL)\n"
             f"state.State.{hook} = die\n")
    args = ("--config", str(account.config), "run", "--once", "--now", now)

    assert run_subprocess(*args, script=crash).code == -9
    assert (len(account.drafts()), len(account.inbox())) == (drafts, warnings)
    again = run_subprocess(*args)

    assert again.code == 0, again.err
    assert len(account.drafts()) == 4 and account.count("drafts.create") == 4
    assert len(account.inbox()) == warnings
    assert len({str(d.message["X-Afterword-Note"]) for d in account.drafts()}) == 4


def test_a_running_daemon_picks_up_a_new_consent_without_a_restart(account: Account) -> None:
    """The daemon keeps one engine: after the refusal the user does what the line says,
    and the very next cycle works with the new token file."""
    google = account.google
    with open_engine(load_config(account.config)) as engine:
        assert len(engine.cycle(datetime.fromisoformat("2026-11-24T17:05:00-05:00")).drafts) == 4
        engine.mailbox.close()  # as the daemon does after every cycle
        google.revoke()
        with pytest.raises(RefreshFailed, match="run `afterword auth google` again"):
            engine.cycle(datetime.fromisoformat("2026-11-25T09:05:00-05:00"))
        engine.mailbox.close()

        # `afterword auth google`: a new grant, saved the way consent saves it.
        google.revoked, google.refresh_token = False, "1//second-grant"
        TokenStore(account.token).save(cast(Any, Credentials)(
            token=None, refresh_token=google.refresh_token, token_uri=google.base_url + "token",
            client_id=google.client_id, client_secret=google.client_secret,
            scopes=list(google.scopes)))

        nudge = engine.cycle(datetime.fromisoformat("2026-11-25T09:05:00-05:00"))
        engine.mailbox.close()
    assert nudge.flagged == 4 and len(nudge.warnings) == 1
    assert len(account.inbox()) == 1 and account.count("drafts.create") == 4
