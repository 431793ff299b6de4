"""The Maildir timeline again, on real servers: the interview lives in a Radicale calendar,
the mailbox is a Dovecot account, and everything the user would see is read back through a
separate IMAP connection, the way a mail client sees it. Also `check` against both servers,
a wrong password, and a Dovecot restart between two cycles."""

from __future__ import annotations

import email
import email.policy
import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from afterword.plugin.compose.uniqueness import overlap
from afterword.plugin.config import load_config
from afterword.plugin.runtime import open_engine
from afterword.plugin.sources.caldav import CalDavSource
from tests.servers.dovecot_server import Dovecot
from tests.servers.radicale_server import Radicale, radicale
from tests.system.conftest import Result
from tests.system.test_timeline_maildir import PANEL, PEOPLE, by_name, states

pytestmark = pytest.mark.servers
__all__ = ["radicale"]  # the session fixture, imported so pytest finds it here

ME = "alex.rivera@example.com"
IMAP_ENV = "AFTERWORD_TEST_IMAP_PASSWORD"
CALDAV_ENV = "AFTERWORD_TEST_CALDAV_PASSWORD"
FOLDERS = ("Drafts", "Sent", "INBOX")


@dataclass(frozen=True)
class Seen:
    """One message as a mail client sees it."""

    uid: int
    message: EmailMessage
    flags: frozenset[str]

    @property
    def to(self) -> str:
        return str(self.message["To"] or "")


@dataclass
class Mail:
    """The user's mail client: its own connection for every look, so that nothing afterword
    does can be hidden by a stale selection."""

    server: Dovecot
    user: str
    password: str

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.server.port, ssl=False, timeout=5)
        client.login(self.user, self.password)
        return client

    def read(self, folder: str) -> list[Seen]:
        client = self.client()
        try:
            client.select_folder(folder, readonly=True)
            uids = client.search(["NOT", "DELETED"])
            found = []
            for uid, item in sorted(client.fetch(uids, ["FLAGS", "BODY.PEEK[]"]).items()):
                parsed = email.message_from_bytes(item[b"BODY[]"], policy=email.policy.default)
                assert isinstance(parsed, EmailMessage)
                # \Recent only says which session saw it first: not the user's business.
                flags = frozenset(f.decode() for f in item[b"FLAGS"]) - {"\\Recent"}
                found.append(Seen(uid, parsed, flags))
            return found
        finally:
            client.logout()

    def drafts(self) -> list[Seen]:
        return self.read("Drafts")

    def inbox(self) -> list[Seen]:
        return self.read("INBOX")

    def counts(self) -> dict[str, int]:
        client = self.client()
        try:
            return {f: int(client.folder_status(f, ["MESSAGES"])[b"MESSAGES"]) for f in FOLDERS}
        finally:
            client.logout()

    def snapshot(self) -> tuple[Any, ...]:
        """Everything a rerun could change: every message's UID and flags, per folder."""
        return tuple((s.uid, s.flags) for f in FOLDERS for s in self.read(f))

    def append(self, folder: str, message: EmailMessage, flags: tuple[bytes, ...],
               when: datetime | None = None) -> None:
        client = self.client()
        try:
            client.append(folder, message.as_bytes(), flags, when)
        finally:
            client.logout()

    def send(self, to: str, when: str, sender: str = ME) -> None:
        """What a mail client does after sending: a copy into Sent, dated when it went."""
        moment = datetime.fromisoformat(when)
        msg = EmailMessage()
        msg["From"] = f"Alex Rivera <{sender}>"
        msg["To"] = to
        msg["Subject"] = "Thanks!"
        msg["Date"] = format_datetime(moment)
        msg["Message-ID"] = f"<{moment.timestamp():.0f}.{to.split('<')[-1].strip('>')}>"
        msg.set_content("Thank you.")
        self.append("Sent", msg, (rb"\Seen",), moment)

    def replace_draft(self, old_uid: int, edited: EmailMessage) -> None:
        """A mail client saving an edited draft: a new message, then the old one removed."""
        self.append("Drafts", edited, (rb"\Draft", rb"\Seen"))
        client = self.client()
        try:
            client.select_folder("Drafts")
            client.add_flags([old_uid], [rb"\Deleted"])
            client.expunge()
        finally:
            client.logout()


@dataclass
class Servers:
    mail: Mail
    config: Path
    calendar_user: str
    imap_password: str


@pytest.fixture
def servers(dovecot: Dovecot, radicale: Radicale, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Servers:
    """A fresh Dovecot account and Radicale user: PANEL in the "Work" calendar, an empty
    "Personal" one, and a config that reads "Work" only."""
    import caldav

    dav: Any = caldav  # its DAVClient is a lazily resolved name mypy cannot call
    user, password = dovecot.new_user()
    cal_user, cal_password = radicale.new_user()
    client = dav.DAVClient(url=radicale.url, username=cal_user, password=cal_password)
    try:
        principal = client.principal()
        principal.make_calendar(name="Work", cal_id="work").save_event(PANEL)
        principal.make_calendar(name="Personal", cal_id="personal")
    finally:
        client.close()
    monkeypatch.setenv(IMAP_ENV, password)
    monkeypatch.setenv(CALDAV_ENV, cal_password)
    config = tmp_path / "config.toml"
    config.write_text(f"""
[me]
name = "Alex Rivera"
email = "{ME}"
aliases = ["alex@rivera.dev"]
timezone = "America/New_York"
[calendar]
source = "caldav"
url = "{radicale.url}"
username = "{cal_user}"
password_env = "{CALDAV_ENV}"
calendars = ["Work"]
[mailbox]
backend = "imap"
host = "127.0.0.1"
port = {dovecot.port}
security = "none"
username = "{user}"
password_env = "{IMAP_ENV}"
[state]
path = "state.sqlite3"
[notes]
signature = "Alex Rivera\\n+1 555 0100"
[[applications]]
company = "Acme"
role = "Senior Data Engineer"
domains = ["acme.com"]
""", encoding="utf-8")
    return Servers(Mail(dovecot, user, password), config, cal_user, password)


def calendar_tags(servers: Servers) -> list[tuple[str, str]]:
    """Every calendar of the account with its change tag: a write anywhere changes one."""
    config = load_config(servers.config)
    source = CalDavSource.from_config(config.calendar, config.zone)
    try:
        return sorted((c.id, c.tag) for c in source.list_calendars())
    finally:
        source.close()


def stage_of(warning: Seen) -> str:
    return str(warning.message["X-Afterword-Warning"]).rsplit(":", 1)[1]


def test_whole_timeline_on_dovecot_and_radicale(servers: Servers, afterword: Any) -> None:
    mail, config = servers.mail, str(servers.config)

    def run(now: str) -> Result:
        result: Result = afterword("--config", config, "run", "--once", "--now", now)
        assert result.code == 0, result.err
        return result

    def status(now: str) -> Result:
        result: Result = afterword("--config", config, "status", "--json", "--now", now)
        assert result.code == 0, result.err
        return result

    def rerun_changes_nothing(now: str) -> None:
        before = mail.snapshot()
        run(now)
        assert mail.snapshot() == before

    # Before the interview: known, pending, nothing in the mailbox.
    run("2026-11-24T13:00:00-05:00")
    assert set(states(status("2026-11-24T13:00:00-05:00")).values()) == {"pending"}
    assert mail.counts() == {"Drafts": 0, "Sent": 0, "INBOX": 0}

    # Just after it ends: one \Draft per interviewer, the named one without an address.
    run("2026-11-24T17:05:00-05:00")
    saved = mail.drafts()
    assert len(saved) == 4
    recipients: set[str] = set()
    bodies = []
    for draft in saved:
        msg = draft.message
        assert "\\Draft" in draft.flags and "\\Flagged" not in draft.flags
        assert msg["From"].addresses[0].addr_spec == ME
        assert msg["X-Afterword-Note"]
        assert msg["Message-ID"] and msg["Date"] and "thank" in msg["Subject"].lower()
        assert msg.get_content_type() == "text/plain"
        assert msg.get_content_charset() == "utf-8"
        recipients.update(addr for _, addr in getaddresses(msg.get_all("To", [])))
        body = msg.get_content()
        assert "Alex Rivera" in body and "+1 555 0100" in body
        assert 60 <= len(body.split()) <= 180
        bodies.append(body)
    assert recipients == PEOPLE
    assert sum(1 for d in saved if d.message["To"] is None) == 1
    assert len({str(d.message["X-Afterword-Note"]) for d in saved}) == 4
    names = ["Marcus", "O'Neil", "Priya", "Shah", "José", "Álvarez", "Hannah", "Berg", "Alex",
             "Rivera"]
    for i, a in enumerate(bodies):
        for b in bodies[i + 1:]:
            assert overlap(a, b, names) <= 0.5
    jose = next(d for d in saved if "jose.alvarez@acme.com" in d.to)
    assert "José Álvarez" in str(jose.message["To"]) and "José" in jose.message.get_content()
    notes = by_name(status("2026-11-24T17:05:00-05:00"))
    assert notes["Hannah Berg"]["needs_address"] is True
    assert notes["Hannah Berg"]["interviewer"]["email"] is None
    assert {n["state"] for n in notes.values()} == {"drafted"}
    rerun_changes_nothing("2026-11-24T17:10:00-05:00")

    # Marcus's note goes out that evening; an earlier scheduling mail to Priya and a mail to
    # José from another address do not count.
    mail.send("Marcus O'Neil <marcus.oneil@acme.com>", "2026-11-24T19:00:00-05:00")
    mail.send("priya.shah@acme.com", "2026-11-20T10:00:00-05:00")
    mail.send("jose.alvarez@acme.com", "2026-11-24T19:00:00-05:00",
              sender="someone.else@example.com")
    run("2026-11-24T20:00:00-05:00")
    s = states(status("2026-11-24T20:00:00-05:00"))
    assert s["Marcus O'Neil"] == "sent"
    assert s["Priya Shah"] == "drafted" and s["José Álvarez"] == "drafted"
    rerun_changes_nothing("2026-11-24T20:30:00-05:00")

    # Next morning at nudge_at: unsent drafts \Flagged, one unseen warning in INBOX.
    run("2026-11-25T09:05:00-05:00")
    flagged = {d.to for d in mail.drafts() if "\\Flagged" in d.flags}
    assert len(flagged) == 3 and not any("marcus" in t for t in flagged)
    (warning,) = mail.inbox()
    assert "\\Seen" not in warning.flags
    assert stage_of(warning) == "nudge"
    text = warning.message.get_content()
    assert "Priya Shah" in text and "José Álvarez" in text and "Hannah Berg" in text
    assert "Marcus" not in text
    assert warning.message["From"].addresses[0].addr_spec == ME
    assert warning.message["To"].addresses[0].addr_spec == ME
    rerun_changes_nothing("2026-11-25T09:30:00-05:00")

    # The user edits José's draft in a mail client: a new draft without our header, then the
    # old one deleted and expunged. afterword never recreates or overwrites it.
    edited = EmailMessage()
    edited["From"] = f"Alex Rivera <{ME}>"
    edited["To"] = "José Álvarez <jose.alvarez@acme.com>"
    edited["Subject"] = "Thank you!"
    edited.set_content("Hola José, my own words.")
    (old,) = [d for d in mail.drafts() if "jose.alvarez" in d.to]
    mail.replace_draft(old.uid, edited)
    run("2026-11-25T12:00:00-05:00")
    current = mail.drafts()
    assert len(current) == 4
    (mine,) = [d for d in current if "jose.alvarez" in d.to]
    assert mine.message["X-Afterword-Note"] is None
    assert "my own words" in mine.message.get_content()
    assert by_name(status("2026-11-25T12:00:00-05:00"))["José Álvarez"]["draft"] == "user_edited"
    rerun_changes_nothing("2026-11-25T12:30:00-05:00")

    # Final warning four hours before the due time: every unsent draft flagged, the user's
    # own included; then overdue at the due time.
    run("2026-11-25T20:00:00-05:00")
    assert sorted(stage_of(w) for w in mail.inbox()) == ["final", "nudge"]
    unsent = [d for d in mail.drafts() if "marcus" not in d.to]
    assert len(unsent) == 3 and all("\\Flagged" in d.flags for d in unsent)
    rerun_changes_nothing("2026-11-25T20:30:00-05:00")
    run("2026-11-26T00:00:30-05:00")
    rerun_changes_nothing("2026-11-26T00:05:00-05:00")
    warnings = mail.inbox()
    assert sorted(stage_of(w) for w in warnings) == ["final", "nudge", "overdue"]
    assert all("\\Seen" not in w.flags for w in warnings)
    assert states(status("2026-11-26T00:05:00-05:00")) == {
        "Marcus O'Neil": "sent", "Priya Shah": "overdue", "José Álvarez": "overdue",
        "Hannah Berg": "overdue"}

    # Priya's note goes out the day after the due time: late.
    mail.send("Priya Shah <priya.shah@acme.com>", "2026-11-26T10:00:00-05:00")
    run("2026-11-26T10:30:00-05:00")
    rerun_changes_nothing("2026-11-26T11:00:00-05:00")
    final = status("2026-11-26T11:00:00-05:00")
    assert states(final) == {"Marcus O'Neil": "sent", "Priya Shah": "late",
                             "José Álvarez": "overdue", "Hannah Berg": "overdue"}
    notes = by_name(final)
    assert notes["Priya Shah"]["sent_at"].startswith("2026-11-26T10:00")
    assert notes["Marcus O'Neil"]["sent_at"].startswith("2026-11-24T19:00")
    (interview,) = final.json()["interviews"]
    assert interview["company"] == "Acme" and interview["role"] == "Senior Data Engineer"
    assert interview["due"] == "2026-11-25T23:59:59-05:00"
    assert mail.counts() == {"Drafts": 4, "Sent": 4, "INBOX": 3}


def test_check_reaches_both_servers_and_writes_nothing(servers: Servers,
                                                       afterword: Any) -> None:
    mail = servers.mail
    mail.send("marcus.oneil@acme.com", "2026-11-24T19:00:00-05:00")
    before = mail.counts()
    calendars_before = calendar_tags(servers)
    assert len(calendars_before) == 2 and all(tag for _, tag in calendars_before)
    state = servers.config.parent / "state.sqlite3"

    result = afterword("--config", str(servers.config), "check")

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert any(line.startswith("mailbox: drafts: 'Drafts' (special-use), 0 messages")
               for line in lines), result.out
    assert any(line.startswith("mailbox: sent: 'Sent' (special-use), 1 messages")
               for line in lines), result.out
    assert any(line.startswith("mailbox: inbox: 'INBOX' (default), 0 messages")
               for line in lines), result.out
    calendars = [line for line in lines if line.startswith("calendar: ")]
    assert servers.calendar_user in calendars[0] and "1 calendar(s) used" in calendars[0]
    assert any("Work" in line and "/work/" in line for line in calendars[1:])
    assert not any("Personal" in line for line in calendars)
    assert "will be created on first run" in result.out
    assert servers.imap_password not in result.out + result.err
    assert mail.counts() == before
    assert calendar_tags(servers) == calendars_before
    assert not state.exists()


def test_wrong_imap_password_is_one_line_without_the_password(
    servers: Servers, afterword: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = "not-the-right-password-42"
    monkeypatch.setenv(IMAP_ENV, wrong)

    result = afterword("--config", str(servers.config), "run", "--once", "--now",
                       "2026-11-24T17:05:00-05:00")

    assert result.code == 1
    (line,) = result.err.splitlines()
    assert "IMAP login" in line and servers.mail.user in line
    assert wrong not in result.err + result.out
    assert servers.mail.counts() == {"Drafts": 0, "Sent": 0, "INBOX": 0}


def test_dovecot_restart_between_cycles(servers: Servers, dovecot: Dovecot, afterword: Any,
                                        caplog: pytest.LogCaptureFixture) -> None:
    """The daemon's engine outlives a server restart: its connection is stale, the next
    cycle reconnects and carries on, and nothing is saved twice."""
    mail = servers.mail
    caplog.set_level(logging.INFO, logger="afterword.mailbox.imap")
    with open_engine(load_config(servers.config)) as engine:
        first = engine.cycle(datetime.fromisoformat("2026-11-24T17:05:00-05:00"))
        assert len(first.drafts) == 4
        dovecot.stop()
        dovecot.start()
        # The nudge cycle, on the connection the restart cut.
        nudge = engine.cycle(datetime.fromisoformat("2026-11-25T09:05:00-05:00"))
        assert not nudge.drafts and nudge.flagged == 4 and len(nudge.warnings) == 1
        assert "reconnecting" in caplog.text  # the cut connection was noticed and replaced
    assert len(mail.drafts()) == 4 and len(mail.inbox()) == 1
    assert all("\\Flagged" in d.flags for d in mail.drafts())

    dovecot.stop()
    dovecot.start()
    before = mail.snapshot()
    again = afterword("--config", str(servers.config), "run", "--once", "--now",
                      "2026-11-25T09:30:00-05:00")
    assert again.code == 0, again.err
    assert mail.snapshot() == before
    assert len({str(d.message["X-Afterword-Note"]) for d in mail.drafts()}) == 4
