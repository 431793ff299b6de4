"""A local Maildir tree: Drafts, Sent and INBOX, each a Maildir directly below one path.

This is what the demo uses and what users with a local mail client (mutt, aerc, an
mbsync/offlineimap mirror) can point afterword at. Folders can hold thousands of messages
the user wrote, so only header blocks are read, and what they yield is cached per file
name and mtime: a cycle re-reads only the files that changed since the last one.
"""

from __future__ import annotations

import logging
import mailbox
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Generic, Literal, TypeVar

from afterword.plugin.errors import ServiceError
from afterword.plugin.mailbox import headers
from afterword.plugin.mailbox.base import MAX_MESSAGE_BYTES
from afterword.plugin.model import DraftInfo, SentMessage

log = logging.getLogger("afterword.mailbox.maildir")

T = TypeVar("T")

_SUBDIRS = ("cur", "new", "tmp")
_READ_CHUNK = 8192


@dataclass(frozen=True)
class _Entry:
    """One message file as the directory listing shows it."""

    key: str
    path: Path
    flags: str  # Maildir info flags ("DS", "FS", …), "" for files in new/
    mtime_ns: int

    @property
    def mtime(self) -> datetime:
        """When the file arrived: the stand-in for a missing Date header."""
        try:
            return datetime.fromtimestamp(self.mtime_ns / 1e9, tz=UTC)
        except (OverflowError, OSError, ValueError):  # a nonsense timestamp on disk
            return datetime.now(UTC)


def _ensure_maildir(path: Path, create: bool) -> None:
    """Make (or insist on) cur/new/tmp; the stdlib only creates them for a new path."""
    if create:
        try:
            for sub in _SUBDIRS:
                (path / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ServiceError(f"cannot create Maildir folder {path}: {exc.strerror}") from exc
        return
    missing = [sub for sub in _SUBDIRS if not (path / sub).is_dir()]
    if missing:
        raise ServiceError(
            f"Maildir folder {path} is missing (no {'/'.join(missing)} inside); "
            "create it or fix [mailbox] path"
        )


def _read_head(path: Path) -> bytes:
    """The file's bytes up to the blank line after the headers, never the whole body."""
    chunks: list[bytes] = []
    size = 0
    with path.open("rb") as fh:
        while size < headers.MAX_HEADER_BYTES:
            chunk = fh.read(_READ_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            # look across the chunk boundary too
            window = b"".join(chunks[-2:])
            if b"\n\n" in window or b"\r\n\r\n" in window:
                break
    return b"".join(chunks)


def _read_whole(path: Path) -> bytes | None:
    """The message's bytes; None when it is gone, unreadable or over MAX_MESSAGE_BYTES."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_MESSAGE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("skipping unreadable message %s: %s", path, exc.strerror)
        return None
    if len(data) > MAX_MESSAGE_BYTES:
        log.debug("skipping message %s: over %d bytes", path, MAX_MESSAGE_BYTES)
        return None
    return data


class _Folder(Generic[T]):
    """One Maildir, with what `derive` extracted from each file's headers cached."""

    def __init__(self, path: Path, create: bool, derive: Callable[[_Entry, Message], T]) -> None:
        _ensure_maildir(path, create)
        self.path = path
        self.maildir = mailbox.Maildir(str(path), factory=None, create=False)
        self._derive = derive
        self._cache: dict[str, tuple[str, int, T]] = {}

    @property
    def colon(self) -> str:
        return self.maildir.colon

    def entries(self) -> list[_Entry]:
        """Every message file in new/ and cur/; a key seen in both (a client mid-move)
        counts once, as its cur/ copy."""
        found: dict[str, _Entry] = {}
        for sub in ("new", "cur"):
            for entry in self._list(sub):
                found[entry.key] = entry
        return sorted(found.values(), key=lambda e: (e.mtime_ns, e.key))

    def _list(self, sub: str) -> Iterable[_Entry]:
        directory = self.path / sub
        try:
            with os.scandir(directory) as listing:
                items = list(listing)
        except OSError as exc:
            raise ServiceError(f"cannot read Maildir folder {directory}: {exc.strerror}") from exc
        for item in items:
            if item.name.startswith("."):
                continue
            try:
                if not item.is_file():
                    continue
                mtime_ns = item.stat().st_mtime_ns
            except OSError:  # removed by a mail client while we listed
                continue
            key, _, info = item.name.partition(self.colon)
            flags = info[2:] if info.startswith("2,") else ""
            yield _Entry(key, Path(item.path), flags, mtime_ns)

    def find(self, key: str) -> _Entry | None:
        return next((e for e in self.entries() if e.key == key), None)

    def items(self) -> list[tuple[_Entry, T]]:
        """(file, derived value) for every readable message, re-parsing changed files only."""
        result: list[tuple[_Entry, T]] = []
        seen: set[str] = set()
        for entry in self.entries():
            seen.add(entry.key)
            value = self._value(entry)
            if value is not None:
                result.append((entry, value[0]))
        for stale in self._cache.keys() - seen:
            del self._cache[stale]
        return result

    def _value(self, entry: _Entry) -> tuple[T] | None:
        cached = self._cache.get(entry.key)
        if cached is not None and cached[:2] == (entry.path.name, entry.mtime_ns):
            return (cached[2],)
        try:
            head = _read_head(entry.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("skipping unreadable message %s: %s", entry.path, exc.strerror)
            return None
        value = self._derive(entry, headers.parse_headers(head))
        self._cache[entry.key] = (entry.path.name, entry.mtime_ns, value)
        return (value,)

    def add(self, message: EmailMessage, subdir: Literal["new", "cur"], flags: str) -> str:
        """Store `message` atomically (tmp/ then a rename) and return its key."""
        data = message.as_bytes(policy=message.policy.clone(linesep="\n"))
        stored = mailbox.MaildirMessage(data)
        stored.set_subdir(subdir)
        if flags:  # an empty info would still add ":2," to the name
            stored.set_flags(flags)
        try:
            return self.maildir.add(stored)
        except OSError as exc:
            raise ServiceError(f"cannot write to Maildir folder {self.path}: {exc}") from exc


def _draft(entry: _Entry, parsed: Message) -> DraftInfo:
    return headers.draft_info(entry.key, parsed, flagged="F" in entry.flags)


def _sent(entry: _Entry, parsed: Message) -> SentMessage:
    message = headers.sent_message(parsed, entry.mtime)
    if not message.to:
        log.debug("no recipients in sent message %s; it can never match", entry.path)
    return message


def _warning(entry: _Entry, parsed: Message) -> str:
    return headers.warning_key(parsed) or ""


class MaildirMailbox:
    """Drafts, Sent and INBOX as Maildirs below `path` (the names are config values)."""

    kind = "maildir"

    def __init__(
        self,
        path: Path,
        drafts: str = "Drafts",
        sent: str = "Sent",
        inbox: str = "INBOX",
        create: bool = True,
    ) -> None:
        self.path = Path(path)
        self._drafts = _Folder(self.path / drafts, create, _draft)
        self._sent = _Folder(self.path / sent, create, _sent)
        self._inbox = _Folder(self.path / inbox, create, _warning)

    @property
    def drafts_path(self) -> Path:
        return self._drafts.path

    @property
    def sent_path(self) -> Path:
        return self._sent.path

    @property
    def inbox_path(self) -> Path:
        return self._inbox.path

    def drafts(self) -> list[DraftInfo]:
        return [info for _entry, info in self._drafts.items()]

    def save_draft(self, message: EmailMessage) -> str:
        """Saved straight into cur/ flagged Draft and Seen, as mail clients store drafts."""
        key = self._drafts.add(message, "cur", "DS")
        log.debug("saved draft %s in %s", key, self._drafts.path)
        return key

    def flag_draft(self, ref: str) -> bool:
        """Add F by renaming the file in cur/, keeping its other flags."""
        entry = self._drafts.find(ref)
        if entry is None:
            return False
        if "F" in entry.flags:
            return True
        flags = "".join(sorted(set(entry.flags) | {"F"}))
        target = self._drafts.path / "cur" / f"{ref}{self._drafts.colon}2,{flags}"
        try:
            os.rename(entry.path, target)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ServiceError(f"cannot flag draft {entry.path}: {exc.strerror}") from exc
        return True

    def sent_to(self, addresses: Iterable[str], since: datetime) -> list[SentMessage]:
        wanted = headers.normalize(addresses)
        if not wanted:
            return []
        found = [m for _entry, m in self._sent.items() if headers.matches(m, wanted, since)]
        return sorted(found, key=lambda m: m.date)

    def warnings_delivered(self) -> set[str]:
        return {key for _entry, key in self._inbox.items() if key}

    def deliver_warning(self, message: EmailMessage) -> None:
        """Into INBOX new/ with no flags: the user's client shows it as new and unread."""
        key = self._inbox.add(message, "new", "")
        log.debug("delivered warning %s to %s", key, self._inbox.path)

    def recent_messages(self, folder: str, since: datetime, limit: int = 200
                        ) -> list[EmailMessage]:
        """By file mtime, the time the message was delivered into the folder."""
        chosen = self._inbox if headers.recent_folder(folder) == "inbox" else self._sent
        floor = since.timestamp() * 1e9
        entries = [e for e in chosen.entries() if e.mtime_ns >= floor]
        found: list[EmailMessage] = []
        for entry in sorted(entries, key=lambda e: (e.mtime_ns, e.key), reverse=True):
            if len(found) >= limit:
                break
            data = _read_whole(entry.path)
            if data is not None:
                found.append(headers.whole_message(data))
        return found

    def describe(self) -> list[str]:
        return [
            f"{role}: {folder.path} ({len(folder.entries())} messages)"
            for role, folder in (
                ("drafts", self._drafts),
                ("sent", self._sent),
                ("inbox", self._inbox),
            )
        ]

    def close(self) -> None:
        """Nothing is held open between calls."""
