"""ImapMailbox across connections, as the daemon uses it: one STATUS per folder when nothing
changed and no SEARCH or FETCH, yet every change made by someone else is seen, and our own
drafts, flags and warnings never make it read a folder again."""

from __future__ import annotations

from datetime import timedelta

import pytest

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
