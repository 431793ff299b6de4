"""References end to end through the real CLI with `--now`: `recommend` after the PANEL
interview, the cooldown and the per-quarter limit, an offer email noticed by `run --once`,
`offer COMPANY` and its reminder, on Maildir, on the demo data and on a real Dovecot."""

from __future__ import annotations

import email
import email.policy
import mailbox
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from afterword.plugin.compose.uniqueness import overlap
from tests.servers.dovecot_server import Dovecot
from tests.system.conftest import Result, write_config
from tests.system.test_timeline_maildir import PANEL
from tests.system.test_timeline_servers import Mail

ME = "alex.rivera@example.com"
DANA, SAM = "dana@example.org", "sam.okafor@example.net"
REFERENCES = f"""
[[references]]
name = "Dana Whitfield"
email = "{DANA}"
relationship = "my manager at Initech"
notes = "led the warehouse migration with me; saw me run the on-call rotation"
[[references]]
name = "Sam Okafor"
email = "{SAM}"
relationship = "tech lead on the payments team at Globex"
"""
NAMES = ["Marcus", "O'Neil", "Priya", "Shah", "José", "Álvarez", "Hannah", "Berg", "Alex",
         "Rivera", "Dana", "Whitfield", "Sam", "Okafor"]
FINISHED = "2026-11-24T17:05:00-05:00"
ASKED = "2026-11-25T10:00:00-05:00"


def parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def folder(tmp: Path, name: str) -> list[tuple[EmailMessage, str]]:
    """(message, Maildir flags) of every message in a folder."""
    box = mailbox.Maildir(tmp / "mail" / name, factory=None, create=False)
    return [(parse(box.get_bytes(key)), box.get_message(key).get_flags())
            for key in box.iterkeys()]


def to(message: EmailMessage) -> str:
    return str(message["To"] or "")


def to_references(tmp: Path) -> list[EmailMessage]:
    return [m for m, _ in folder(tmp, "Drafts") if DANA in to(m) or SAM in to(m)]


def offer_email(sender: str = "Hannah Berg <hannah.berg@acme.com>",
                subject: str = "Your offer from Acme", extra: dict[str, str] | None = None,
                body: str = "Hi Alex,\n\nWe are delighted to offer you the Senior Data "
                            "Engineer role. Your offer letter is attached.\n\nHannah\n",
                when: str = "2026-11-27T09:00:00-05:00") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = f"Alex Rivera <{ME}>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.fromisoformat(when))
    msg["Message-ID"] = f"<{abs(hash((sender, subject)))}@mail.example>"
    for name, value in (extra or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg


def key_of(message: EmailMessage) -> str:
    return str(message["X-Afterword-Warning"] or "")


def offer_keys(tmp: Path) -> list[str]:
    """Our offer messages in the inbox: guesses and reminders (not the notes' warnings)."""
    return sorted(key_of(m) for m, _ in folder(tmp, "INBOX") if key_of(m).startswith("offer"))


def deliver(tmp: Path, message: EmailMessage) -> None:
    """Mail arriving in INBOX/new, unread, as a delivery agent puts it."""
    mailbox.Maildir(tmp / "mail" / "INBOX", create=False).add(mailbox.MaildirMessage(message))


class Cli:
    def __init__(self, afterword: Any, config: Path) -> None:
        self.afterword, self.config = afterword, str(config)

    def __call__(self, *args: str, code: int = 0) -> Result:
        result: Result = self.afterword("--config", self.config, *args)
        assert result.code == code, result.out + result.err
        return result

    def status(self, now: str) -> dict[str, Any]:
        data: dict[str, Any] = self("status", "--json", "--now", now).json()
        return data

    def references(self, now: str) -> dict[str, dict[str, Any]]:
        return {r["name"]: r for r in self.status(now)["references"]}


@pytest.fixture
def cli(tmp_path: Path, afterword: Any) -> Cli:
    """PANEL finished and its thank-you notes drafted; two references configured."""
    run = Cli(afterword, write_config(tmp_path, PANEL, REFERENCES))
    run("run", "--once", "--now", FINISHED)
    assert len(folder(tmp_path, "Drafts")) == 4
    return run


def check_requests(requests: list[EmailMessage]) -> None:
    """One request per reference, naming the role and the hiring manager first, telling
    them whom to reach and when, and unlike each other."""
    assert sorted(m["To"].addresses[0].addr_spec for m in requests) == [DANA, SAM]
    bodies = []
    for msg in requests:
        body = msg.get_content()
        bodies.append(body)
        assert msg["From"].addresses[0].addr_spec == ME
        assert msg["X-Afterword-Note"] and msg["Message-ID"] and "Acme" in msg["Subject"]
        assert "Senior Data Engineer" in body and "Acme" in body
        people = [body.index(n) for n in ("Hannah Berg, Director of Data (the hiring manager)",
                                           "Marcus O'Neil, Principal Engineer",
                                           "Priya Shah, Engineering Manager",
                                           "José Álvarez, Staff Data Engineer")]
        assert people == sorted(people)  # the hiring manager first
        assert "Hannah Berg, the hiring manager" in body  # the contact, address unknown
        assert "Wednesday 2 December" in body  # the decision window: the next week
        assert "Alex Rivera" in body and "+1 555 0100" in body
    dana = next(b for m, b in zip(requests, bodies, strict=True) if DANA in to(m))
    assert "led the warehouse migration with me" in dana  # from their notes
    assert overlap(bodies[0], bodies[1], NAMES) <= 0.5


def test_recommend_drafts_a_unique_request_and_a_thank_you_per_reference(
    cli: Cli, tmp_path: Path,
) -> None:
    out = cli("recommend", "acme", "--now", ASKED).out
    assert "2 reference(s) asked" in out and "nothing was sent" in out
    drafts = to_references(tmp_path)
    assert len(drafts) == 4
    assert all("D" in flags for m, flags in folder(tmp_path, "Drafts"))
    requests = [m for m in drafts if "thank" not in m["Subject"].lower()]
    thanks = [m for m in drafts if m not in requests]
    check_requests(requests)
    assert sorted(m["To"].addresses[0].addr_spec for m in thanks) == [DANA, SAM]
    for msg in thanks:
        assert "Acme" in msg.get_content() and len(msg.get_content().split()) < 80
    assert len({str(m["X-Afterword-Note"]) for m in drafts}) == 4
    assert folder(tmp_path, "INBOX") == [] and folder(tmp_path, "Sent") == []

    refs = cli.references(ASKED)
    assert [r["company"] for r in refs["Dana Whitfield"]["requests"]] == ["Acme"]
    assert refs["Dana Whitfield"]["requests"][0]["draft_state"] == "saved"
    assert refs["Dana Whitfield"]["requests"][0]["asked_at"] == ASKED
    assert [t["kind"] for t in refs["Sam Okafor"]["thanked"]] == ["asked"]
    assert refs["Sam Okafor"]["may_ask_now"] is False
    assert refs["Sam Okafor"]["next_ask_at"].startswith("2026-12-25")
    table = cli("status", "--now", ASKED).out
    assert "references" in table and "Dana Whitfield" in table and "Sam Okafor" in table


def test_the_cooldown_refuses_a_second_ask_unless_forced(cli: Cli, tmp_path: Path) -> None:
    cli("recommend", "Acme", "--now", ASKED)
    refused = cli("recommend", "Acme", "--now", "2026-11-26T10:00:00-05:00", code=2)
    assert "Dana Whitfield was asked 24 hours ago" in refused.err
    assert "cooldown is 30 days" in refused.err and "--force" in refused.err
    assert len(to_references(tmp_path)) == 4

    forced = cli("recommend", "Acme", "--reference", "dana whitfield", "--force", "--now",
                 "2026-11-26T10:00:00-05:00").out
    assert "--force: asking although Dana Whitfield was asked" in forced
    drafts = to_references(tmp_path)
    assert len(drafts) == 6
    dana = [m.get_content() for m in drafts
            if DANA in to(m) and "thank" not in m["Subject"].lower()]
    assert len(dana) == 2 and overlap(dana[0], dana[1], NAMES) <= 0.5
    refs = cli.references("2026-11-26T10:00:00-05:00")
    assert len(refs["Dana Whitfield"]["requests"]) == 2
    assert len(refs["Sam Okafor"]["requests"]) == 1


def test_the_per_quarter_limit(tmp_path: Path, afterword: Any) -> None:
    policy = "[recommendations]\ncooldown_days = 1\nmax_requests_per_quarter = 2\n"
    cli = Cli(afterword, write_config(tmp_path, PANEL, REFERENCES + policy))
    cli("run", "--once", "--now", FINISHED)
    dana = ("recommend", "Acme", "--reference", "Dana Whitfield", "--now")
    cli(*dana, "2026-11-25T10:00:00-05:00")
    cli(*dana, "2026-11-27T10:00:00-05:00")
    refused = cli(*dana, "2026-11-30T10:00:00-05:00", code=2)
    assert "asked 2 times in the last 91 days" in refused.err
    assert "max_requests_per_quarter" in refused.err and "Wed 24 Feb 2027" in refused.err
    cli(*dana, "2027-02-24T10:00:00-05:00")
    assert len(cli.references("2027-02-24T10:00:00-05:00")["Dana Whitfield"]["requests"]) == 3


def test_bad_company_or_reference_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    unknown = cli("recommend", "Initech", "--now", ASKED, code=2)
    assert "'Initech'" in unknown.err and "Acme" in unknown.err
    nobody = cli("recommend", "Acme", "--reference", "Jo Nobody", "--now", ASKED, code=2)
    assert "Dana Whitfield, Sam Okafor" in nobody.err
    early = cli("recommend", "Acme", "--now", "2026-11-24T15:00:00-05:00", code=2)
    assert "has finished yet" in early.err
    assert to_references(tmp_path) == []


def test_an_offer_noticed_then_confirmed_thanks_the_references(cli: Cli,
                                                              tmp_path: Path) -> None:
    cli("recommend", "Acme", "--now", ASKED)
    drafts_before = len(folder(tmp_path, "Drafts"))
    asked = {str(m["X-Afterword-Note"]) for m in to_references(tmp_path)}
    # Only the last of these is an offer from Acme.
    deliver(tmp_path, offer_email(sender="Acme Careers <news@acme.com>",
                                  subject="Job offer of the week: join Acme!",
                                  extra={"List-Unsubscribe": "<mailto:unsub@acme.com>"}))
    deliver(tmp_path, offer_email(sender="Priya Shah <priya.shah@acme.com>",
                                  subject="Update", body="Unfortunately we will not be "
                                  "extending an offer at this time.\n"))
    deliver(tmp_path, offer_email(sender="Deals <deals@shop.example>",
                                  subject="We are pleased to offer you 20% off"))
    deliver(tmp_path, offer_email())

    out = cli("run", "--once", "--now", "2026-11-27T10:00:00-05:00").out
    assert "offer? Acme" in out
    guesses = [m for m, _ in folder(tmp_path, "INBOX") if m["X-Afterword-Warning"]
               and str(m["X-Afterword-Warning"]).startswith("offer-noticed:")]
    assert len(guesses) == 1
    text = guesses[0].get_content()
    assert "afterword offer Acme" in text and "Your offer from Acme" in text
    assert "Dana Whitfield" in text and "Sam Okafor" in text
    assert len(folder(tmp_path, "Drafts")) == drafts_before  # a guess drafts nothing
    cli("run", "--once", "--now", "2026-11-27T11:00:00-05:00")
    assert offer_keys(tmp_path) == [key_of(guesses[0])]
    offers = cli.status("2026-11-27T11:00:00-05:00")["offers"]
    assert offers == [{"company": "Acme", "noticed_at": "2026-11-27T10:00:00-05:00",
                       "confirmed_at": None, "reminded_at": None}]

    out = cli("offer", "ACME", "--now", "2026-11-27T12:00:00-05:00").out
    assert "offer from Acme recorded" in out and "card and a small gift" in out
    reminders = [m for m, flags in folder(tmp_path, "INBOX")
                 if str(m["X-Afterword-Warning"] or "").startswith("offer:")]
    assert len(reminders) == 1
    reminder = reminders[0].get_content()
    assert "card" in reminder and "small gift" in reminder
    assert DANA in reminder and SAM in reminder
    news = [m for m in to_references(tmp_path) if str(m["X-Afterword-Note"]) not in asked]
    assert sorted(m["To"].addresses[0].addr_spec for m in news) == [DANA, SAM]
    for msg in news:
        assert "Acme" in msg.get_content() and "Senior Data Engineer" in msg.get_content()
    assert len(folder(tmp_path, "Drafts")) == drafts_before + 2

    again = cli("offer", "Acme", "--now", "2026-11-27T13:00:00-05:00").out
    assert "already recorded" in again and "nothing new to do" in again
    cli("run", "--once", "--now", "2026-11-27T14:00:00-05:00")
    assert len(folder(tmp_path, "Drafts")) == drafts_before + 2
    assert len(offer_keys(tmp_path)) == 2
    (offer,) = cli.status("2026-11-27T14:00:00-05:00")["offers"]
    assert offer["confirmed_at"] == "2026-11-27T12:00:00-05:00"
    refs = cli.references("2026-11-27T14:00:00-05:00")
    assert [t["kind"] for t in refs["Dana Whitfield"]["thanked"]] == ["asked", "offer"]


def test_an_offer_with_nobody_asked_records_it_and_nothing_else(cli: Cli,
                                                               tmp_path: Path) -> None:
    out = cli("offer", "acme", "--now", ASKED).out
    assert "nobody to thank" in out
    assert folder(tmp_path, "INBOX") == [] and to_references(tmp_path) == []
    assert cli.status(ASKED)["offers"][0]["confirmed_at"] == ASKED


def test_sent_and_deleted_drafts_to_references_are_followed(cli: Cli, tmp_path: Path) -> None:
    cli("recommend", "Acme", "--now", ASKED)
    drafts = mailbox.Maildir(tmp_path / "mail" / "Drafts", factory=None, create=False)
    keys = {(DANA if DANA in to(parse(drafts.get_bytes(k))) else SAM,
             "thank" in str(parse(drafts.get_bytes(k))["Subject"]).lower()): k
            for k in drafts.iterkeys() if DANA in to(parse(drafts.get_bytes(k)))
            or SAM in to(parse(drafts.get_bytes(k)))}
    # The user sends Dana's request (the client moves it to Sent) and deletes Sam's thanks.
    sent = parse(drafts.get_bytes(keys[(DANA, False)]))
    del sent["Date"]
    sent["Date"] = format_datetime(datetime.fromisoformat("2026-11-25T10:30:00-05:00"))
    mailbox.Maildir(tmp_path / "mail" / "Sent", create=False).add(mailbox.MaildirMessage(sent))
    drafts.remove(keys[(DANA, False)])
    drafts.remove(keys[(SAM, True)])
    cli("run", "--once", "--now", "2026-11-25T11:00:00-05:00")
    refs = cli.references("2026-11-25T11:00:00-05:00")
    dana, sam = refs["Dana Whitfield"], refs["Sam Okafor"]
    assert dana["requests"][0]["draft_state"] == "sent"
    assert dana["requests"][0]["sent_at"] == "2026-11-25T10:30:00-05:00"
    assert dana["thanked"][0]["draft_state"] == "saved"
    assert sam["requests"][0]["draft_state"] == "saved"
    assert sam["thanked"][0]["draft_state"] == "deleted"
    cli("run", "--once", "--now", "2026-11-25T12:00:00-05:00")
    assert len(to_references(tmp_path)) == 2  # nothing recreated


def test_recommend_on_the_demo_data(tmp_path: Path, afterword: Any) -> None:
    now = "2026-11-25T18:00:00-05:00"
    demo = afterword("demo", "--dir", str(tmp_path), "--now", now)
    assert demo.code == 0, demo.err
    assert "recommend Acme" in demo.out
    cli = Cli(afterword, tmp_path / "config.toml")
    out = cli("recommend", "Acme", "--now", now).out
    assert "1 reference(s) asked" in out
    (request,) = [m for m in to_references(tmp_path) if "thank" not in m["Subject"].lower()]
    body = request.get_content()
    assert "Hannah Berg" in body and "the hiring manager" in body
    assert "Senior Data Engineer" in body
    cli("recommend", "Acme", "--now", now, code=2)


# --- the same on a real IMAP server -------------------------------------------------------


IMAP_ENV = "AFTERWORD_TEST_IMAP_PASSWORD"


@pytest.mark.servers
def test_references_on_dovecot(dovecot: Dovecot, tmp_path: Path, afterword: Any,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    user, password = dovecot.new_user()
    monkeypatch.setenv(IMAP_ENV, password)
    mail = Mail(dovecot, user, password)
    config = write_config(tmp_path, PANEL, REFERENCES)
    text = config.read_text(encoding="utf-8").replace(
        '[mailbox]\nbackend = "maildir"\npath = "mail"\n',
        f'[mailbox]\nbackend = "imap"\nhost = "127.0.0.1"\nport = {dovecot.port}\n'
        f'security = "none"\nusername = "{user}"\npassword_env = "{IMAP_ENV}"\n')
    config.write_text(text, encoding="utf-8")
    cli = Cli(afterword, config)
    cli("run", "--once", "--now", FINISHED)
    assert len(mail.drafts()) == 4

    cli("recommend", "Acme", "--now", ASKED)
    ours = [d for d in mail.drafts() if DANA in d.to or SAM in d.to]
    assert len(ours) == 4 and all("\\Draft" in d.flags for d in ours)
    check_requests([d.message for d in ours if "thank" not in d.message["Subject"].lower()])
    before = mail.snapshot()
    refused = cli("recommend", "Acme", "--now", "2026-11-25T11:00:00-05:00", code=2)
    assert "cooldown" in refused.err
    assert mail.snapshot() == before

    when = datetime.fromisoformat("2026-11-27T09:00:00-05:00")
    mail.append("INBOX", offer_email(), (), when)
    cli("run", "--once", "--now", "2026-11-27T10:00:00-05:00")
    inbox = mail.inbox()
    offer = next(s for s in inbox if s.message["X-Afterword-Warning"] is None)
    assert "\\Seen" not in offer.flags  # read with PEEK: still unread
    guesses = [s for s in inbox if str(s.message["X-Afterword-Warning"] or "")
               .startswith("offer-noticed:")]
    assert len(guesses) == 1 and "afterword offer Acme" in guesses[0].message.get_content()
    assert len(mail.drafts()) == 8

    cli("offer", "Acme", "--now", "2026-11-27T12:00:00-05:00")
    assert len(mail.drafts()) == 10
    reminders = [s for s in mail.inbox()
                 if str(s.message["X-Afterword-Warning"] or "").startswith("offer:")]
    assert len(reminders) == 1 and "small gift" in reminders[0].message.get_content()
    before = mail.snapshot()
    cli("offer", "Acme", "--now", "2026-11-27T13:00:00-05:00")
    cli("run", "--once", "--now", "2026-11-27T14:00:00-05:00")
    assert mail.snapshot() == before
