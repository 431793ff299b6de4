"""One environment per mailbox backend for the contract suite.

Each environment wraps a `Mailbox` and plays the other side of it: the user's mail client
(sending mail, editing and deleting drafts) and an inspector reading the store directly,
so a test states behaviour once and every backend must show it.

Adding a backend (e.g. IMAP against Dovecot, or Gmail against the emulator):
1. write a class with the `MailboxEnv` attributes and methods below, talking to the
   server directly (imapclient / HTTP) for the client-side helpers;
2. write a generator `def _imap_env(request: pytest.FixtureRequest, tmp_path: Path)
   -> Iterator[MailboxEnv]` that gets its server from a session fixture
   (`request.getfixturevalue("dovecot")`), yields a fresh env on an empty account, and
   closes the mailbox after the `yield`;
3. register it: `BACKENDS["imap"] = Backend(_imap_env, marks=(pytest.mark.servers,))`.
   The `mailbox_env` fixture then runs every contract test against it too
   (select one backend with `pytest tests/contract -k imap`).
"""

from __future__ import annotations

import email
import mailbox
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Literal, Protocol

import pytest

from afterword.plugin.mailbox.base import NOTE_HEADER, Mailbox
from afterword.plugin.mailbox.maildir import MaildirMailbox
from afterword.plugin.mailbox.memory import MemoryMailbox
from tests.servers.dovecot_server import Dovecot

FLAG_NAMES = {"D": "draft", "F": "flagged", "S": "seen"}


class MailboxEnv(Protocol):
    @property
    def mailbox(self) -> Mailbox:
        """The backend under test."""
        ...

    def add_sent(self, message: EmailMessage) -> None:
        """Put a message the user sent into the Sent folder."""
        ...

    def user_edits_draft(self, ref: str, new_body: str) -> None:
        """What a mail client does on saving an edit: the old draft is removed and a new
        one, to the same recipients but without our X-Afterword-Note header, is saved."""
        ...

    def user_deletes_draft(self, ref: str) -> None: ...

    def draft_bytes(self, ref: str) -> bytes | None:
        """The stored draft as the server keeps it; None once it is gone."""
        ...

    def inbox_messages(self) -> list[EmailMessage]:
        """The inbox in arrival order, parsed with email.policy.default."""
        ...

    def inbox_flags(self) -> list[set[str]]:
        """Flags of each inbox message, as in `inbox_messages`; an empty set is unread."""
        ...

    def draft_flags(self, ref: str) -> set[str]:
        """Of "draft", "flagged", "seen"."""
        ...


def parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, _class=EmailMessage, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def edited_copy(original: EmailMessage, new_body: str) -> EmailMessage:
    """The draft a mail client saves after the user rewrote the body."""
    edited = EmailMessage()
    for name in ("From", "To", "Cc", "Subject"):
        if original[name] is not None:
            edited[name] = str(original[name])
    edited.set_content(new_body)
    assert edited[NOTE_HEADER] is None
    return edited


# -- Maildir files, for the Maildir env and Maildir-specific tests --------------------


def maildir_files(folder: Path) -> dict[str, Path]:
    """Key → file for every message in folder/new and folder/cur."""
    files: dict[str, Path] = {}
    for sub in ("new", "cur"):
        for path in sorted((folder / sub).iterdir()):
            if not path.name.startswith("."):
                files[path.name.split(":", 1)[0]] = path
    return files


def maildir_flags(path: Path) -> str:
    """The flag letters in a Maildir file name ("" for files without `:2,` info)."""
    _, _, info = path.name.partition(":2,")
    return info


def maildir_write(
    folder: Path, data: bytes, *, subdir: Literal["new", "cur"] = "cur", flags: str = "S"
) -> str:
    """Deliver raw bytes the way a mail client would (tmp/ then rename); returns the key."""
    message = mailbox.MaildirMessage(data)
    message.set_subdir(subdir)
    if flags:
        message.set_flags(flags)
    return mailbox.Maildir(str(folder), factory=None, create=False).add(message)


def _as_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=message.policy.clone(linesep="\n"))


class MaildirEnv:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.mailbox = MaildirMailbox(root)
        self.drafts_dir = root / "Drafts"
        self.sent_dir = root / "Sent"
        self.inbox_dir = root / "INBOX"

    def add_sent(self, message: EmailMessage) -> None:
        maildir_write(self.sent_dir, _as_bytes(message), flags="S")

    def user_edits_draft(self, ref: str, new_body: str) -> None:
        path = maildir_files(self.drafts_dir)[ref]
        edited = edited_copy(parse(path.read_bytes()), new_body)
        path.unlink()
        maildir_write(self.drafts_dir, _as_bytes(edited), flags="DS")

    def user_deletes_draft(self, ref: str) -> None:
        maildir_files(self.drafts_dir)[ref].unlink()

    def draft_bytes(self, ref: str) -> bytes | None:
        path = maildir_files(self.drafts_dir).get(ref)
        return None if path is None else path.read_bytes()

    def _inbox_files(self) -> list[Path]:
        files = maildir_files(self.inbox_dir).values()
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def inbox_messages(self) -> list[EmailMessage]:
        return [parse(path.read_bytes()) for path in self._inbox_files()]

    def inbox_flags(self) -> list[set[str]]:
        return [_flag_names(maildir_flags(path)) for path in self._inbox_files()]

    def draft_flags(self, ref: str) -> set[str]:
        return _flag_names(maildir_flags(maildir_files(self.drafts_dir)[ref]))


def _flag_names(letters: str) -> set[str]:
    return {FLAG_NAMES[letter] for letter in letters if letter in FLAG_NAMES}


class MemoryEnv:
    def __init__(self) -> None:
        self.fake = MemoryMailbox()
        self.mailbox: Mailbox = self.fake

    def add_sent(self, message: EmailMessage) -> None:
        self.fake.add_sent(message)

    def user_edits_draft(self, ref: str, new_body: str) -> None:
        self.fake.replace_draft(ref, edited_copy(self.fake.draft_message(ref), new_body))

    def user_deletes_draft(self, ref: str) -> None:
        self.fake.delete_draft(ref)

    def draft_bytes(self, ref: str) -> bytes | None:
        return self.fake.draft_bytes(ref)

    def inbox_messages(self) -> list[EmailMessage]:
        return self.fake.inbox

    def inbox_flags(self) -> list[set[str]]:
        return self.fake.inbox_flags()

    def draft_flags(self, ref: str) -> set[str]:
        return self.fake.draft_flags(ref)


IMAP_FLAGS = {b"\\draft": "draft", b"\\flagged": "flagged", b"\\seen": "seen"}


class ImapEnv:
    """An `ImapMailbox` on a fresh Dovecot account; the mail client and the inspector are
    a second, plain imapclient connection to the same account."""

    def __init__(self, server: Dovecot) -> None:
        from imapclient import IMAPClient

        from afterword.plugin.mailbox.imap import ImapMailbox

        user, password = server.new_user()
        self.mailbox = ImapMailbox("127.0.0.1", server.port, "none", user, password=password,
                                   timeout=10)
        self.client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=10)
        self.client.login(user, password)

    def close(self) -> None:
        self.mailbox.close()
        self.client.logout()

    def _select(self, folder: str, readonly: bool = True) -> None:
        self.client.select_folder(folder, readonly=readonly)

    def _uid(self, ref: str) -> int:
        return int(ref.split(":")[1])

    def add_sent(self, message: EmailMessage) -> None:
        # A mail client stores what it sent with the send time as the internal date.
        date = message["Date"]
        when = date.datetime if date is not None else None
        self.client.append("Sent", message.as_bytes(), [b"\\Seen"], when)

    def user_edits_draft(self, ref: str, new_body: str) -> None:
        data = self.draft_bytes(ref)
        assert data is not None
        self.user_deletes_draft(ref)
        edited = edited_copy(parse(data), new_body)
        self.client.append("Drafts", edited.as_bytes(), [b"\\Draft", b"\\Seen"])

    def user_deletes_draft(self, ref: str) -> None:
        self._select("Drafts", readonly=False)
        self.client.delete_messages([self._uid(ref)])
        self.client.uid_expunge([self._uid(ref)])

    def draft_bytes(self, ref: str) -> bytes | None:
        self._select("Drafts")
        item = self.client.fetch([self._uid(ref)], ["BODY.PEEK[]"]).get(self._uid(ref))
        return None if item is None else _local_lines(item[b"BODY[]"])

    def _inbox(self) -> list[tuple[set[str], bytes]]:
        self._select("INBOX")
        items = self.client.fetch(self.client.search("ALL"), ["FLAGS", "BODY.PEEK[]"])
        return [(_imap_flag_names(items[uid][b"FLAGS"]), _local_lines(items[uid][b"BODY[]"]))
                for uid in sorted(items)]

    def inbox_messages(self) -> list[EmailMessage]:
        return [parse(data) for _flags, data in self._inbox()]

    def inbox_flags(self) -> list[set[str]]:
        return [flags for flags, _data in self._inbox()]

    def draft_flags(self, ref: str) -> set[str]:
        self._select("Drafts")
        return _imap_flag_names(self.client.get_flags([self._uid(ref)])[self._uid(ref)])


def _local_lines(data: bytes) -> bytes:
    """IMAP messages travel with CRLF line ends (RFC 3501); a mail client reads them as
    local text, as the other environments store them."""
    return bytes(data).replace(b"\r\n", b"\n")


def _imap_flag_names(flags: tuple[bytes, ...]) -> set[str]:
    return {IMAP_FLAGS[f.lower()] for f in flags if f.lower() in IMAP_FLAGS}


class GmailEnv:
    """A `GmailMailbox` on a fresh emulated Gmail account (tests/emulators/google_api.py),
    through the real Google client; the mail client and the inspector work on the
    emulator's state directly. Editing plays an IMAP-style client (delete, then save a new
    draft); Gmail's own editor keeps the draft id (tests/google covers that)."""

    def __init__(self, tmp_path: Path) -> None:
        from afterword.auth.scopes import MAILBOX_SCOPES
        from afterword.auth.token_store import TokenStore
        from afterword.plugin.google_api import GoogleApi, RetryPolicy
        from afterword.plugin.mailbox.gmail import GmailMailbox
        from tests.emulators.google_api import GoogleEmulator

        self.google = GoogleEmulator().start()
        # gmail.modify only: the emulator enforces each method's scopes
        token = self.google.write_token(tmp_path / "google-token.json", scopes=MAILBOX_SCOPES)
        api = GoogleApi(TokenStore(token), MAILBOX_SCOPES, endpoint=self.google.base_url,
                        retry=RetryPolicy(sleep=lambda _s: None), timeout=10)
        self.mailbox = GmailMailbox(api)

    def close(self) -> None:
        self.mailbox.close()
        self.google.stop()
        assert self.google.violations == []

    def add_sent(self, message: EmailMessage) -> None:
        self.google.add_sent(message)

    def user_edits_draft(self, ref: str, new_body: str) -> None:
        data = self.draft_bytes(ref)
        assert data is not None
        self.google.delete_draft(ref)
        self.google.create_draft(edited_copy(parse(data), new_body).as_bytes())

    def user_deletes_draft(self, ref: str) -> None:
        self.google.delete_draft(ref)

    def draft_bytes(self, ref: str) -> bytes | None:
        stored = self.google.draft_message(ref)
        return None if stored is None else _local_lines(stored.raw)

    def _inbox(self) -> list[tuple[set[str], bytes]]:
        return [(_gmail_flag_names(m.label_ids), _local_lines(m.raw))
                for m in self.google.messages.values() if "INBOX" in m.label_ids]

    def inbox_messages(self) -> list[EmailMessage]:
        return [parse(data) for _flags, data in self._inbox()]

    def inbox_flags(self) -> list[set[str]]:
        return [flags for flags, _data in self._inbox()]

    def draft_flags(self, ref: str) -> set[str]:
        stored = self.google.draft_message(ref)
        assert stored is not None
        return _gmail_flag_names(stored.label_ids)


def _gmail_flag_names(labels: list[str]) -> set[str]:
    names = {"draft"} if "DRAFT" in labels else set()
    if "STARRED" in labels:
        names.add("flagged")
    if "UNREAD" not in labels:
        names.add("seen")
    return names


# -- the backend registry -------------------------------------------------------------

EnvFactory = Callable[[pytest.FixtureRequest, Path], Iterator[MailboxEnv]]


@dataclass(frozen=True)
class Backend:
    factory: EnvFactory  # a generator: set up, yield the env, clean up
    marks: tuple[pytest.MarkDecorator, ...] = ()


def _memory_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MailboxEnv]:
    env = MemoryEnv()
    yield env
    env.mailbox.close()


def _maildir_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MailboxEnv]:
    env = MaildirEnv(tmp_path / "mail")
    yield env
    env.mailbox.close()


def _imap_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MailboxEnv]:
    env = ImapEnv(request.getfixturevalue("dovecot"))  # tests/conftest.py: one per session
    yield env
    env.close()


def _gmail_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MailboxEnv]:
    env = GmailEnv(tmp_path)
    yield env
    env.close()


# Name → backend; add one entry per backend (see the module docstring).
BACKENDS: dict[str, Backend] = {
    "memory": Backend(_memory_env),
    "maildir": Backend(_maildir_env),
    "imap": Backend(_imap_env, marks=(pytest.mark.servers,)),
    "gmail": Backend(_gmail_env),
}


@pytest.fixture(
    params=[pytest.param(name, marks=backend.marks) for name, backend in BACKENDS.items()]
)
def mailbox_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MailboxEnv]:
    yield from BACKENDS[request.param].factory(request, tmp_path)


@pytest.fixture
def maildir_env(tmp_path: Path) -> MaildirEnv:
    """The Maildir environment alone, for tests of Maildir-only behaviour."""
    return MaildirEnv(tmp_path / "mail")
