"""ImapMailbox across connections, as the daemon uses it: one STATUS per folder when nothing
changed and no SEARCH or FETCH, yet every change made by someone else is seen, and our own
drafts, flags and warnings never make it read a folder again."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from imapclient import IMAPClient

from afterword.plugin.mailbox.imap import ImapMailbox
from tests.servers.conftest import Account, CountingConnect
from tests.servers.test_imap_mailbox import JORG, PRIYA, START, note, sent, warning

servers = pytest.mark.servers


def cycle(mailbox: ImapMailbox) -> tuple[list[str], list[str], set[str]]:
    """What the engine asks in a cycle, then the daemon's close()."""
    try:
        drafts = sorted(d.note_id or d.ref for d in mailbox.drafts())
        sent_ids = sorted(m.message_id for m in mailbox.sent_to([JORG, PRIYA], START))
        return drafts, sent_ids, mailbox.warnings_delivered()
    finally:
        mailbox.close()


def commands(counting: CountingConnect) -> list[str]:
    return [c for c in counting.take() if c not in ("LOGIN", "LOGOUT", "CAPABILITY")]


@pytest.fixture
def seeded(mailbox: ImapMailbox, account: Account, counting: CountingConnect) -> ImapMailbox:
    with account.client() as client:
        client.append("Sent", sent(JORG).as_bytes(), [b"\\Seen"])
    mailbox.save_draft(note("note-1"))
    mailbox.deliver_warning(warning("iv-1:nudge"))
    mailbox.close()
    cycle(mailbox)
    counting.take()
    return mailbox


@servers
def test_an_unchanged_mailbox_costs_one_status_per_folder(
    seeded: ImapMailbox, counting: CountingConnect
) -> None:
    first = cycle(seeded)
    assert commands(counting) == ["STATUS", "STATUS", "STATUS"]
    assert cycle(seeded) == first
    assert commands(counting) == ["STATUS", "STATUS", "STATUS"]
    drafts, sent_ids, warnings = first
    assert (drafts, len(sent_ids), warnings) == (["note-1"], 1, {"iv-1:nudge"})


@servers
def test_our_own_writes_are_remembered_without_reading_again(
    seeded: ImapMailbox, counting: CountingConnect
) -> None:
    [ours] = seeded.drafts()  # as the engine does: look before writing
    ref = seeded.save_draft(note("note-2", to=PRIYA))
    assert seeded.flag_draft(ours.ref)
    assert seeded.warnings_delivered() == {"iv-1:nudge"}
    seeded.deliver_warning(warning("iv-1:final"))
    seeded.close()
    counting.take()

    drafts, _sent, warnings = cycle(seeded)

    assert "UID SEARCH" not in counting.take()
    assert drafts == ["note-1", "note-2"]
    assert warnings == {"iv-1:nudge", "iv-1:final"}
    flagged = {d.ref: d.flagged for d in seeded.drafts()}
    assert flagged == {ours.ref: True, ref: False}
    seeded.close()


@servers
def test_changes_by_others_are_seen(seeded: ImapMailbox, account: Account,
                                    counting: CountingConnect) -> None:
    later = sent(PRIYA, START + timedelta(hours=5))
    with account.client() as client:
        client.append("Sent", later.as_bytes(), [b"\\Seen"])  # the user sent a note
        client.select_folder("Drafts")
        [uid] = client.search("ALL")
        client.add_flags([uid], [b"\\Flagged"])  # starred by the user: only the modseq moves

    drafts, sent_ids, _warnings = cycle(seeded)

    assert later["Message-ID"] in sent_ids
    assert [d.flagged for d in seeded.drafts()] == [True]
    seeded.close()
    with account.client() as client:
        client.select_folder("Drafts")
        client.delete_messages(client.search("ALL"))
        client.expunge()  # the user deleted our draft

    assert cycle(seeded)[0] == []
    assert drafts == ["note-1"]
    counting.take()


@servers
def test_sent_to_with_new_arguments_searches_again(
    seeded: ImapMailbox, counting: CountingConnect
) -> None:
    assert seeded.sent_to([JORG], START + timedelta(days=1)) == []
    assert "UID SEARCH" in counting.take()
    assert len(seeded.sent_to([JORG, PRIYA], START)) == 1
    assert "UID SEARCH" not in counting.take()
    seeded.close()


# --- recent_messages (the engine's invitation read) behind the same STATUS ---------------


def arrive(account: Account, folder: str, subject: str, when: datetime) -> None:
    """Mail arriving from elsewhere (or a mail client storing what it sent) at `when`."""
    message = sent(PRIYA, when, msgid=f"<{subject}@acme.com>")
    message.replace_header("Subject", subject)
    with account.client() as client:
        client.append(folder, message.as_bytes(), [], when)


def recent(mailbox: ImapMailbox, folder: str, since: datetime) -> list[str]:
    return [str(m["Subject"]) for m in mailbox.recent_messages(folder, since)]


@servers
def test_recent_messages_of_an_unchanged_folder_come_from_memory(
    mailbox: ImapMailbox, account: Account, counting: CountingConnect
) -> None:
    arrive(account, "INBOX", "invitation", START)
    arrive(account, "Sent", "my reply", START + timedelta(minutes=1))
    assert recent(mailbox, "inbox", START - timedelta(days=30)) == ["invitation"]
    assert recent(mailbox, "sent", START - timedelta(days=30)) == ["my reply"]
    mailbox.close()
    assert "UID SEARCH" in commands(counting)

    # The engine's next read, 15 minutes later, with a few minutes' overlap.
    assert recent(mailbox, "inbox", START - timedelta(minutes=5)) == ["invitation"]
    assert recent(mailbox, "sent", START - timedelta(minutes=5)) == ["my reply"]
    assert recent(mailbox, "inbox", START + timedelta(minutes=10)) == []
    mailbox.close()
    assert commands(counting) == ["STATUS", "STATUS"]


@servers
def test_only_new_mail_is_read(
    mailbox: ImapMailbox, account: Account, counting: CountingConnect
) -> None:
    arrive(account, "INBOX", "old", START)
    assert recent(mailbox, "inbox", START - timedelta(days=1)) == ["old"]
    mailbox.close()
    counting.take()
    arrive(account, "INBOX", "invitation", START + timedelta(hours=1))

    assert recent(mailbox, "inbox", START + timedelta(minutes=30)) == ["invitation"]
    mailbox.close()
    sent = commands(counting)
    assert sent == ["STATUS", "EXAMINE", "UID SEARCH", "UID FETCH", "UID FETCH"]
    assert "SINCE" not in " ".join(counting.lines)  # what is new, then its size and body
    # The window has moved on and dropped what came before it (a daemon's memory stays
    # small for months); asking for earlier mail again reads the folder afresh.
    assert recent(mailbox, "inbox", START - timedelta(hours=1)) == ["invitation", "old"]
    mailbox.close()
    assert "SINCE" in " ".join(counting.lines)


@servers
def test_deleted_and_expunged_mail_leaves_the_answer(
    mailbox: ImapMailbox, account: Account, counting: CountingConnect
) -> None:
    for n in range(3):
        arrive(account, "INBOX", f"m{n}", START + timedelta(minutes=n))
    assert recent(mailbox, "inbox", START) == ["m2", "m1", "m0"]
    mailbox.close()
    with account.client() as client:
        client.select_folder("INBOX")
        first, second, _third = sorted(client.search("ALL"))
        client.add_flags([first], [b"\\Deleted"])  # deleted, not yet expunged
    counting.take()

    assert recent(mailbox, "inbox", START) == ["m2", "m1"]
    mailbox.close()
    assert "SINCE" not in " ".join(counting.lines)  # CONDSTORE: only the re-flagged one
    with account.client() as client:
        client.select_folder("INBOX")
        client.delete_messages([second])
        client.expunge()

    assert recent(mailbox, "inbox", START) == ["m2"]
    mailbox.close()


@servers
def test_our_own_warning_is_among_the_recent_inbox_messages(
    mailbox: ImapMailbox, account: Account, counting: CountingConnect
) -> None:
    arrive(account, "INBOX", "invitation", START)
    assert recent(mailbox, "inbox", START) == ["invitation"]
    assert mailbox.warnings_delivered() == set()  # the engine looks before it delivers
    mailbox.deliver_warning(warning("iv-1:nudge"))
    assert recent(mailbox, "inbox", START) == ["Thank-you notes due", "invitation"]
    mailbox.close()
    counting.take()

    assert recent(mailbox, "inbox", START) == ["Thank-you notes due", "invitation"]
    assert mailbox.warnings_delivered() == {"iv-1:nudge"}
    mailbox.close()
    assert commands(counting) == ["STATUS"]


@servers
def test_without_condstore_new_mail_is_found_by_uid(
    account: Account, counting: CountingConnect
) -> None:
    def connect(host: str, port: int, use_ssl: bool, timeout: float) -> IMAPClient:
        client = counting(host, port, use_ssl, timeout)
        offered = client.has_capability
        client.has_capability = lambda name: name != "CONDSTORE" and offered(name)  # type: ignore[method-assign]
        return client

    mailbox = ImapMailbox("127.0.0.1", account.server.port, "none", account.user,
                          password=account.password, timeout=5, connect=connect)
    arrive(account, "INBOX", "m0", START)
    assert recent(mailbox, "inbox", START) == ["m0"]
    mailbox.close()
    arrive(account, "INBOX", "m1", START + timedelta(minutes=1))
    counting.take()

    assert recent(mailbox, "inbox", START) == ["m1", "m0"]
    mailbox.close()
    searches = [line for line in counting.lines if line.startswith("UID SEARCH")]
    assert len(searches) == 1 and searches[0].startswith("UID SEARCH UID ")
    with account.client() as client:
        client.select_folder("INBOX")
        client.delete_messages([min(client.search("ALL"))])
        client.expunge()
    counting.take()

    assert recent(mailbox, "inbox", START) == ["m1"]  # expunged: read afresh
    mailbox.close()
    assert any("SINCE" in line for line in counting.lines)
