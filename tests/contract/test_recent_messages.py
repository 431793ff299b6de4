"""`recent_messages`: every backend returns whole parsed messages that arrived since a
moment, newest first, at most `limit`, skipping any over 2 MB and marking nothing seen."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from afterword.plugin.mailbox.base import MAX_MESSAGE_BYTES
from afterword.plugin.mailbox.maildir import MaildirMailbox

from .conftest import (
    GmailEnv,
    ImapEnv,
    MailboxEnv,
    MaildirEnv,
    MemoryEnv,
    maildir_files,
    maildir_write,
)

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def incoming(n: int, body: str = "Hello, Alex.\n") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Sender {n} <sender{n}@acme.com>"
    msg["To"] = "Alex Rivera <alex.rivera@example.com>"
    msg["Subject"] = f"Message {n} – größer"
    msg["Date"] = format_datetime(T0 + timedelta(days=n))
    msg["Message-ID"] = f"<m{n}@acme.com>"
    msg.set_content(body)
    return msg


def arrive(env: MailboxEnv, folder: str, message: EmailMessage, when: datetime) -> None:
    """Mail arriving from elsewhere at `when` (the store's arrival time), unread."""
    raw = message.as_bytes(policy=policy.SMTP)
    if isinstance(env, MemoryEnv):
        (env.fake.add_inbox if folder == "inbox" else env.fake.add_sent)(message, when)
    elif isinstance(env, MaildirEnv):
        target = env.inbox_dir if folder == "inbox" else env.sent_dir
        key = maildir_write(target, raw.replace(b"\r\n", b"\n"), subdir="new", flags="")
        os.utime(maildir_files(target)[key], (when.timestamp(), when.timestamp()))
    elif isinstance(env, ImapEnv):
        env.client.append("INBOX" if folder == "inbox" else "Sent", raw, [], when)
    elif isinstance(env, GmailEnv):
        env.google.add_message(raw, ["INBOX", "UNREAD"] if folder == "inbox" else ["SENT"],
                               received=when)
    else:  # a new backend: teach this helper how mail arrives there
        raise NotImplementedError(type(env).__name__)


def subjects(messages: list[EmailMessage]) -> list[str]:
    return [str(m["Subject"]) for m in messages]


def test_recent_inbox_messages_newest_first(mailbox_env: MailboxEnv) -> None:
    for n in range(4):
        arrive(mailbox_env, "inbox", incoming(n), T0 + timedelta(days=n))
    box = mailbox_env.mailbox
    found = box.recent_messages("inbox", T0 + timedelta(days=1))
    assert subjects(found) == ["Message 3 – größer", "Message 2 – größer",
                               "Message 1 – größer"]
    assert all(isinstance(m, EmailMessage) for m in found)
    assert found[0].get_content() == "Hello, Alex.\n"
    assert found[0]["From"].addresses[0].addr_spec == "sender3@acme.com"
    assert subjects(box.recent_messages("inbox", T0, limit=2)) == ["Message 3 – größer",
                                                                   "Message 2 – größer"]
    assert box.recent_messages("inbox", T0 + timedelta(days=10)) == []
    assert mailbox_env.inbox_flags() == [set()] * 4  # still unread


def test_recent_sent_messages(mailbox_env: MailboxEnv) -> None:
    arrive(mailbox_env, "sent", incoming(1), T0 + timedelta(days=1))
    arrive(mailbox_env, "inbox", incoming(2), T0 + timedelta(days=2))
    assert subjects(mailbox_env.mailbox.recent_messages("sent", T0)) == ["Message 1 – größer"]


def test_messages_over_2_mb_are_skipped(mailbox_env: MailboxEnv) -> None:
    arrive(mailbox_env, "inbox", incoming(1), T0 + timedelta(days=1))
    huge = incoming(2, ("x" * 99 + "\n") * (MAX_MESSAGE_BYTES // 100 + 10))
    arrive(mailbox_env, "inbox", huge, T0 + timedelta(days=2))
    assert subjects(mailbox_env.mailbox.recent_messages("inbox", T0)) == ["Message 1 – größer"]


def test_only_the_inbox_or_sent(mailbox_env: MailboxEnv) -> None:
    with pytest.raises(ValueError, match="inbox or sent"):
        mailbox_env.mailbox.recent_messages("drafts", T0)


def test_maildir_uses_the_delivery_time(maildir_env: MaildirEnv) -> None:
    """A file's mtime is when it was delivered; the Date header may say anything."""
    late = incoming(0)  # dated T0, delivered a week later
    arrive(maildir_env, "inbox", late, T0 + timedelta(days=7))
    box = maildir_env.mailbox
    assert isinstance(box, MaildirMailbox)
    assert subjects(box.recent_messages("inbox", T0 + timedelta(days=6))) == [
        "Message 0 – größer"]
