"""ImapMailbox against a real Dovecot: what lands on the server, what is found again, and
how it behaves when the connection drops or the login fails."""

from __future__ import annotations

import logging
import re
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import pytest
from imapclient import IMAPClient

from afterword.auth import secrets
from afterword.plugin.config import MailboxConfig
from afterword.plugin.errors import ServiceError, UserError
from afterword.plugin.mailbox.base import NOTE_HEADER, WARNING_HEADER
from afterword.plugin.mailbox.imap import ImapMailbox
from tests.servers.conftest import Account, CountingConnect
from tests.servers.dovecot_server import Dovecot

ME = "Alex Rivera <alex.rivera@example.com>"
JORG = "jorg.muller@example.de"
PRIYA = "priya@acme.com"
START = datetime(2024, 3, 5, 14, 0, tzinfo=UTC)  # the interview started
DRAFTS_PATTERN = re.compile(r"^\d+:\d+$")

servers = pytest.mark.servers


def note(note_id: str = "note-1", to: str = f"Jörg Müller <{JORG}>") -> EmailMessage:
    message = EmailMessage()
    message["From"] = ME
    message["To"] = to
    message["Subject"] = "Danke für das Gespräch"
    message["Date"] = format_datetime(START + timedelta(hours=2))
    message[NOTE_HEADER] = note_id
    message.set_content("Hallo Jörg,\n\ndanke für das Gespräch.\n\nAlex\n")
    return message


def sent(to: str = JORG, when: datetime = START + timedelta(hours=3), *, cc: str = "",
         bcc: str = "", msgid: str = "") -> EmailMessage:
    message = EmailMessage()
    message["From"] = ME
    message["To"] = to
    if cc:
        message["Cc"] = cc
    if bcc:
        message["Bcc"] = bcc
    message["Date"] = format_datetime(when)
    message["Subject"] = "Thank you"
    message["Message-ID"] = msgid or f"<{to}.{when.timestamp():.0f}@example.com>"
    message.set_content("Thanks!\n")
    return message


def warning(key: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = ME
    message["To"] = ME
    message["Subject"] = "Thank-you notes due"
    message[WARNING_HEADER] = key
    message.set_content("Unsent: Jörg Müller, due 2024-03-06 23:59.\n")
    return message


def folder_messages(account: Account, folder: str) -> dict[int, dict[bytes, Any]]:
    """UID → FLAGS and full message, read over a separate connection."""
    with account.client() as client:
        client.select_folder(folder, readonly=True)
        return client.fetch(client.search("ALL"), ["FLAGS", "BODY.PEEK[]"])  # type: ignore[no-any-return]


def uid_of(ref: str) -> int:
    return int(ref.split(":")[1])


# -- drafts ----------------------------------------------------------------------------


@servers
def test_save_draft_appends_a_draft_and_lists_it(mailbox: ImapMailbox, account: Account) -> None:
    ref = mailbox.save_draft(note("note-1"))

    assert DRAFTS_PATTERN.match(ref)
    stored = folder_messages(account, "Drafts")
    assert list(stored) == [uid_of(ref)]
    flags = set(stored[uid_of(ref)][b"FLAGS"])
    assert {b"\\Draft", b"\\Seen"} <= flags and b"\\Flagged" not in flags
    assert b"X-Afterword-Note: note-1" in stored[uid_of(ref)][b"BODY[]"]

    [draft] = mailbox.drafts()
    assert (draft.ref, draft.note_id, draft.to, draft.flagged) == (ref, "note-1", (JORG,), False)
    assert draft.subject == "Danke für das Gespräch"


@servers
def test_flag_draft_sets_flagged_on_the_server(mailbox: ImapMailbox, account: Account) -> None:
    ref = mailbox.save_draft(note("note-1"))
    other = mailbox.save_draft(note("note-2", to=PRIYA))

    assert mailbox.flag_draft(ref) is True
    assert mailbox.flag_draft(ref) is True  # again: still fine

    stored = folder_messages(account, "Drafts")
    assert b"\\Flagged" in stored[uid_of(ref)][b"FLAGS"]
    assert b"\\Flagged" not in stored[uid_of(other)][b"FLAGS"]
    assert {d.note_id: d.flagged for d in mailbox.drafts()} == {"note-1": True, "note-2": False}


@servers
def test_flag_draft_is_false_once_the_user_deleted_it(mailbox: ImapMailbox,
                                                      account: Account) -> None:
    expunged = mailbox.save_draft(note("note-1"))
    marked = mailbox.save_draft(note("note-2"))
    with account.client() as client:
        client.select_folder("Drafts")
        client.delete_messages([uid_of(expunged)])
        client.uid_expunge([uid_of(expunged)])
        client.delete_messages([uid_of(marked)])  # \Deleted, not yet expunged

    assert mailbox.flag_draft(expunged) is False
    assert mailbox.flag_draft(marked) is False
    assert mailbox.drafts() == []


@servers
def test_a_draft_the_user_edited_is_listed_as_theirs(mailbox: ImapMailbox,
                                                     account: Account) -> None:
    ref = mailbox.save_draft(note("note-1"))
    # A mail client saving an edit: the old draft goes, a new one without our header comes.
    edited = note()
    del edited[NOTE_HEADER]
    edited.set_content("Rewritten by hand.\n")
    with account.client() as client:
        client.select_folder("Drafts")
        client.delete_messages([uid_of(ref)])
        client.expunge()
        client.append("Drafts", edited.as_bytes(), [b"\\Draft", b"\\Seen"])

    [draft] = mailbox.drafts()
    assert draft.note_id is None
    assert draft.to == (JORG,)
    assert draft.ref != ref
    assert mailbox.flag_draft(ref) is False


@servers
def test_a_draft_is_found_again_after_uidvalidity_changed(mailbox: ImapMailbox,
                                                          account: Account) -> None:
    ref = mailbox.save_draft(note("note-1"))
    mailbox.close()
    old_validity = int(ref.split(":")[0])
    account.server.doveadm("mailbox", "update", "-u", account.user,
                           "--uid-validity", str(old_validity + 7), "Drafts")

    assert mailbox.flag_draft(ref) is True  # relocated by its X-Afterword-Note header
    [draft] = mailbox.drafts()
    assert draft.flagged and draft.ref.startswith(f"{old_validity + 7}:")
    stranger = ImapMailbox("127.0.0.1", account.server.port, "none", account.user,
                           password=account.password, timeout=5)
    try:  # a mailbox that never saw the draft cannot tell which one the stale ref meant
        assert stranger.flag_draft(ref) is False
        assert stranger.flag_draft(draft.ref) is True
    finally:
        stranger.close()


# -- sent mail ---------------------------------------------------------------------------


@servers
def test_sent_to_finds_mail_to_the_interviewer_after_the_start(
    mailbox: ImapMailbox, account: Account, counting: CountingConnect
) -> None:
    seeded = {
        "to": sent(JORG, START + timedelta(hours=3)),
        "cc": sent(PRIYA, START + timedelta(hours=4), cc=f"Jörg <{JORG.upper()}>"),
        "bcc": sent("someone@example.org", START + timedelta(days=1), bcc=JORG),
        "same day, before the start": sent(JORG, START - timedelta(hours=1)),
        "the day before": sent(JORG, START - timedelta(days=1, hours=1)),
        "last month": sent(JORG, START - timedelta(days=30)),
        "someone else": sent("dana@example.org", START + timedelta(hours=5)),
        "a longer address": sent("xjorg.muller@example.de", START + timedelta(hours=5)),
    }
    with account.client() as client:
        for message in seeded.values():
            when = datetime.fromisoformat(message["Date"].datetime.isoformat())
            client.append("Sent", message.as_bytes(), [b"\\Seen"], when)
    mailbox.describe()  # connect and find the folders first: count sent_to alone
    counting.take()

    found = mailbox.sent_to([JORG, "Nobody@Example.com"], START)

    by_id = {m.message_id: m for m in found}
    wanted = {seeded[k]["Message-ID"] for k in ("to", "cc", "bcc")}
    assert set(by_id) == wanted
    cc = by_id[seeded["cc"]["Message-ID"]]
    assert cc.sender == "alex.rivera@example.com"
    assert cc.to == frozenset({PRIYA, JORG})
    assert cc.date == START + timedelta(hours=4)
    # What it costs: the folder's STATUS, one EXAMINE, one SEARCH, one FETCH of a few
    # header fields of the hits.
    lines = counting.lines
    assert counting.take() == ["STATUS", "EXAMINE", "UID SEARCH", "UID FETCH"]
    assert "SINCE 04-Mar-2024" in lines[2]
    fetched = re.search(r"UID FETCH (\S+)", lines[3])
    assert fetched is not None
    assert len(fetched.group(1).split(",")) < len(seeded)  # not the whole folder
    assert "HEADER.FIELDS" in lines[3]


@servers
def test_sent_to_fetches_nothing_when_nothing_matches(
    mailbox: ImapMailbox, account: Account, counting: CountingConnect
) -> None:
    with account.client() as client:
        client.append("Sent", sent("dana@example.org").as_bytes(), [b"\\Seen"])
    mailbox.describe()
    counting.take()

    assert mailbox.sent_to([JORG], START) == []
    assert mailbox.sent_to([], START) == []
    assert counting.take() == ["STATUS", "EXAMINE", "UID SEARCH"]


# -- warnings ------------------------------------------------------------------------------


@servers
def test_warnings_land_unread_in_the_inbox_and_are_found_again(
    mailbox: ImapMailbox, account: Account
) -> None:
    with account.client() as client:
        client.append("INBOX", sent(ME).as_bytes())  # ordinary mail: not a warning
    mailbox.deliver_warning(warning("interview-1:nudge"))
    mailbox.deliver_warning(warning("interview-1:final"))

    inbox = folder_messages(account, "INBOX")
    assert len(inbox) == 3
    assert all(b"\\Seen" not in item[b"FLAGS"] for item in inbox.values())
    assert mailbox.warnings_delivered() == {"interview-1:nudge", "interview-1:final"}
    # Reading them did not mark them read.
    assert all(b"\\Seen" not in item[b"FLAGS"]
               for item in folder_messages(account, "INBOX").values())


# -- folders -----------------------------------------------------------------------------


@servers
def test_describe_names_the_special_use_folders(
    mailbox: ImapMailbox, account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox.save_draft(note())
    caplog.set_level(logging.INFO, logger="afterword.mailbox.imap")

    lines = mailbox.describe()

    assert lines == [
        f"IMAP 127.0.0.1:{account.server.port} (none) as {account.user}",
        "drafts: 'Drafts' (special-use), 1 messages",
        "sent: 'Sent' (special-use), 0 messages",
        "inbox: 'INBOX' (default), 0 messages",
    ]
    chosen = [r.getMessage() for r in caplog.records if "folder on" in r.getMessage()]
    assert chosen == ["IMAP sent folder on 127.0.0.1: 'Sent' (special-use)",
                      "IMAP inbox folder on 127.0.0.1: 'INBOX' (default)"]


@servers
def test_folders_without_special_use_are_found_by_name(dovecot_plain: Dovecot) -> None:
    user, password = dovecot_plain.new_user()
    box = ImapMailbox("127.0.0.1", dovecot_plain.port, "none", user, password=password,
                      timeout=5)
    account = Account(dovecot_plain, user, password)
    try:
        with account.client() as client:
            client.append("Sent Items", sent(JORG).as_bytes(), [b"\\Seen"])
        assert box.describe()[1:3] == ["drafts: 'Drafts' (fallback), 0 messages",
                                       "sent: 'Sent Items' (fallback), 1 messages"]
        assert [m.to for m in box.sent_to([JORG], START)] == [frozenset({JORG})]
        ref = box.save_draft(note())
        assert list(folder_messages(account, "Drafts")) == [uid_of(ref)]
    finally:
        box.close()


@servers
def test_a_configured_folder_wins_over_special_use(account: Account) -> None:
    with account.client() as client:
        client.create_folder("Brouillons")
    box = ImapMailbox("127.0.0.1", account.server.port, "none", account.user,
                      password=account.password, drafts="Brouillons", timeout=5)
    try:
        ref = box.save_draft(note())
        assert box.describe()[1] == "drafts: 'Brouillons' (configured), 1 messages"
        assert list(folder_messages(account, "Brouillons")) == [uid_of(ref)]
        assert folder_messages(account, "Drafts") == {}
    finally:
        box.close()


@servers
def test_a_configured_folder_that_does_not_exist_is_a_user_error(account: Account) -> None:
    box = ImapMailbox("127.0.0.1", account.server.port, "none", account.user,
                      password=account.password, sent="Gesendet", timeout=5)
    try:
        with pytest.raises(UserError, match=r"\[mailbox.sent\] the folder 'Gesendet' does not"):
            box.sent_to([JORG], START)
    finally:
        box.close()


# -- login and connection failures -----------------------------------------------------------


@servers
def test_a_wrong_password_is_one_line_without_the_password(
    account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "hunter2-wrong"
    box = ImapMailbox("127.0.0.1", account.server.port, "none", account.user, password=wrong,
                      timeout=5)

    with pytest.raises(ServiceError) as failure:
        box.drafts()

    message = str(failure.value)
    assert message.startswith(
        f"IMAP login to 127.0.0.1:{account.server.port} as {account.user} failed: ")
    assert "uthentication failed" in message
    assert "\n" not in message
    assert wrong not in message and wrong not in caplog.text
    box.close()


@servers
def test_the_password_never_reaches_the_log(
    account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    box = ImapMailbox("127.0.0.1", account.server.port, "none", account.user,
                      password=account.password, timeout=5)
    try:
        box.save_draft(note())
        box.drafts()
    finally:
        box.close()

    assert caplog.records  # the folder choice, at least
    assert account.password not in caplog.text
    assert not [r for r in caplog.records if r.name.startswith("imapclient")]


def test_a_silent_server_times_out_instead_of_hanging() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    box = ImapMailbox("127.0.0.1", port, "none", "alex", password="pw", timeout=0.3)
    try:
        with pytest.raises(ServiceError, match=f"cannot reach the IMAP server 127.0.0.1:{port}"):
            box.drafts()
    finally:
        thread.join(2)
        for conn in accepted:
            conn.close()
        listener.close()


@servers
def test_a_server_restart_between_operations_is_survived(
    mailbox: ImapMailbox, account: Account, counting: CountingConnect, dovecot: Dovecot
) -> None:
    ref = mailbox.save_draft(note("note-1"))
    dovecot.stop()
    dovecot.start()

    assert [d.ref for d in mailbox.drafts()] == [ref]
    assert mailbox.flag_draft(ref) is True
    assert counting.connections == 2


@servers
def test_a_drop_before_the_append_reaches_the_server_appends_once(
    mailbox: ImapMailbox, account: Account, counting: CountingConnect, dovecot: Dovecot
) -> None:
    mailbox.drafts()  # connected, Drafts selected
    dovecot.kick(account.user)

    ref = mailbox.save_draft(note("note-1"))

    assert list(folder_messages(account, "Drafts")) == [uid_of(ref)]
    assert counting.connections == 2


def lose_first_append_response(counting: CountingConnect) -> Callable[..., IMAPClient]:
    """A factory whose first connection drops right after the server stored an APPEND,
    before its reply is read: the worst moment for a retry."""
    state = {"dropped": False}

    def connect(host: str, port: int, use_ssl: bool, timeout: float) -> IMAPClient:
        client = counting(host, port, use_ssl, timeout)
        real_append = client.append

        def append(*args: Any, **kwargs: Any) -> Any:
            result = real_append(*args, **kwargs)
            if not state["dropped"]:
                state["dropped"] = True
                client.shutdown()
                raise IMAPClient.AbortError("socket error: EOF")
            return result

        client.append = append
        return client

    return connect


@servers
@pytest.mark.parametrize("kind", ["draft", "warning"])
def test_an_append_whose_reply_was_lost_is_not_duplicated(
    account: Account, counting: CountingConnect, kind: str
) -> None:
    box = ImapMailbox("127.0.0.1", account.server.port, "none", account.user,
                      password=account.password, timeout=5,
                      connect=lose_first_append_response(counting))
    try:
        if kind == "draft":
            ref = box.save_draft(note("note-1"))
            assert list(folder_messages(account, "Drafts")) == [uid_of(ref)]
            assert [d.note_id for d in box.drafts()] == ["note-1"]
        else:
            box.deliver_warning(warning("interview-1:nudge"))
            assert len(folder_messages(account, "INBOX")) == 1
            assert box.warnings_delivered() == {"interview-1:nudge"}
    finally:
        box.close()
    assert counting.connections == 2
    assert counting.commands.count("APPEND") == 1  # counted on the second connection only


# -- config and secrets ------------------------------------------------------------------------


def test_from_config_takes_the_password_from_the_env_var(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFTERWORD_TEST_IMAP_PW", "from-env")
    monkeypatch.setattr("keyring.get_password", lambda service, user: "from-keyring")
    cfg = MailboxConfig(backend="imap", host="imap.example.com", port=993,
                        username="alex@example.com", password_env="AFTERWORD_TEST_IMAP_PW",
                        drafts="Entwürfe")

    box = ImapMailbox.from_config(cfg)

    assert box._password == "from-env"
    assert (box.host, box.port, box.security) == ("imap.example.com", 993, "ssl")
    assert "from-env" not in repr(box)


def test_the_keyring_is_used_when_the_env_var_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, str]] = []

    def get_password(service: str, user: str) -> str:
        asked.append((service, user))
        return "from-keyring"

    monkeypatch.delenv("AFTERWORD_TEST_IMAP_PW", raising=False)
    monkeypatch.setattr("keyring.get_password", get_password)

    assert secrets.get_password("AFTERWORD_TEST_IMAP_PW", "alex", "imap.example.com") \
        == "from-keyring"
    assert asked == [("afterword", "alex@imap.example.com")]


def test_a_missing_password_names_the_key_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AFTERWORD_TEST_IMAP_PW", raising=False)
    monkeypatch.setattr("keyring.get_password", lambda service, user: None)
    cfg = MailboxConfig(backend="imap", host="imap.example.com", username="alex",
                        password_env="AFTERWORD_TEST_IMAP_PW")

    with pytest.raises(UserError) as failure:
        ImapMailbox.from_config(cfg)

    message = str(failure.value)
    assert "[mailbox.password_env]" in message
    assert "AFTERWORD_TEST_IMAP_PW is not set" in message
    assert "export AFTERWORD_TEST_IMAP_PW=" in message
    assert "keyring set afterword alex@imap.example.com" in message


def test_xoauth2_without_a_token_provider_points_to_auth_google() -> None:
    cfg = MailboxConfig(backend="imap", host="imap.gmail.com", username="alex@gmail.com",
                        auth="xoauth2")

    with pytest.raises(UserError, match="afterword auth google"):
        ImapMailbox.from_config(cfg)


@pytest.fixture(autouse=True)
def _no_real_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Never read the developer's real keyring from a test."""
    monkeypatch.setattr("keyring.get_password", lambda service, user: None)
    yield



@servers
def test_sent_to_an_address_with_a_non_ascii_local_part(
    mailbox: ImapMailbox, account: Account
) -> None:
    raw = ("From: Alex Rivera <alex.rivera@example.com>\r\nTo: Tomás <tomás@example.es>\r\n"
           "Subject: Gracias\r\nDate: Tue, 05 Mar 2024 17:00:00 +0000\r\n"
           "Message-ID: <utf8@example.com>\r\n\r\nGracias!\r\n").encode()
    with account.client() as client:
        client.append("Sent", raw, [b"\\Seen"])
        client.append("Sent", sent(JORG).as_bytes(), [b"\\Seen"])

    found = mailbox.sent_to(["tomás@example.es", JORG], START)

    assert "<utf8@example.com>" in {m.message_id for m in found}
    assert len(found) == 2
