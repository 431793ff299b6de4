"""An in-memory mailbox with the Maildir backend's behaviour, for engine and CLI tests.

Messages are stored as the bytes a real server would keep and parsed back on reading, so
what the engine sees here (encoded headers, lost Python objects) matches a real backend.
The helpers below the protocol methods play the user's mail client.
"""

from __future__ import annotations

import email
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage

from afterword.plugin.errors import ServiceError
from afterword.plugin.mailbox import headers
from afterword.plugin.mailbox.base import MAX_MESSAGE_BYTES, NOTE_HEADER
from afterword.plugin.model import DraftInfo, SentMessage

DRAFT = "draft"
FLAGGED = "flagged"
SEEN = "seen"


def _stored(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=message.policy.clone(linesep="\n"))


def _parsed(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, _class=EmailMessage, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@dataclass
class _Stored:
    data: bytes
    flags: set[str] = field(default_factory=set)
    received: datetime = field(default_factory=lambda: datetime.now(UTC))


class MemoryMailbox:
    """The fake: drafts, sent mail and the inbox live in dicts and lists."""

    kind = "memory"

    def __init__(self) -> None:
        self._drafts: dict[str, _Stored] = {}
        self._sent: list[_Stored] = []
        self._inbox: list[_Stored] = []
        self._refs = itertools.count(1)
        self._failures: dict[str, ServiceError] = {}
        self.closed = False

    # -- the Mailbox protocol ---------------------------------------------------------

    def drafts(self) -> list[DraftInfo]:
        self._maybe_fail("drafts")
        return [
            headers.draft_info(ref, headers.parse_headers(item.data), flagged=FLAGGED in item.flags)
            for ref, item in self._drafts.items()
        ]

    def save_draft(self, message: EmailMessage) -> str:
        self._maybe_fail("save_draft")
        return self._add_draft(message)

    def flag_draft(self, ref: str) -> bool:
        self._maybe_fail("flag_draft")
        item = self._drafts.get(ref)
        if item is None:
            return False
        item.flags.add(FLAGGED)
        return True

    def sent_to(self, addresses: Iterable[str], since: datetime) -> list[SentMessage]:
        self._maybe_fail("sent_to")
        wanted = headers.normalize(addresses)
        found = [
            message
            for item in self._sent
            if headers.matches(
                message := headers.sent_message(headers.parse_headers(item.data), item.received),
                wanted,
                since,
            )
        ]
        return sorted(found, key=lambda m: m.date)

    def warnings_delivered(self) -> set[str]:
        self._maybe_fail("warnings_delivered")
        keys = (headers.warning_key(headers.parse_headers(item.data)) for item in self._inbox)
        return {key for key in keys if key}

    def deliver_warning(self, message: EmailMessage) -> None:
        self._maybe_fail("deliver_warning")
        self._inbox.append(_Stored(_stored(message)))

    def recent_messages(self, folder: str, since: datetime, limit: int = 200
                        ) -> list[EmailMessage]:
        self._maybe_fail("recent_messages")
        items = self._inbox if headers.recent_folder(folder) == "inbox" else self._sent
        recent = [item for item in items
                  if item.received >= since and len(item.data) <= MAX_MESSAGE_BYTES]
        recent.sort(key=lambda item: item.received, reverse=True)
        return [_parsed(item.data) for item in recent[:limit]]

    def describe(self) -> list[str]:
        return [
            f"drafts: memory ({len(self._drafts)} messages)",
            f"sent: memory ({len(self._sent)} messages)",
            f"inbox: memory ({len(self._inbox)} messages)",
        ]

    def close(self) -> None:
        self.closed = True

    # -- test helpers: what the user and their mail client do -------------------------

    @property
    def inbox(self) -> list[EmailMessage]:
        """The delivered messages, parsed back from their stored bytes."""
        return [_parsed(item.data) for item in self._inbox]

    def add_inbox(self, message: EmailMessage, received: datetime | None = None) -> None:
        """Mail from someone else arriving, unread; `received` is its arrival time."""
        stored = _Stored(_stored(message))
        if received is not None:
            stored.received = received
        self._inbox.append(stored)

    def inbox_flags(self) -> list[set[str]]:
        """Flags of each inbox message, in `inbox` order ({} = unread)."""
        return [set(item.flags) for item in self._inbox]

    def add_sent(self, message: EmailMessage, received: datetime | None = None) -> None:
        """A message the user sent; `received` stands in for a missing Date header."""
        stored = _Stored(_stored(message), {SEEN})
        if received is not None:
            stored.received = received
        self._sent.append(stored)

    def draft_message(self, ref: str) -> EmailMessage:
        """The stored draft, parsed; KeyError when it was deleted."""
        return _parsed(self._drafts[ref].data)

    def draft_bytes(self, ref: str) -> bytes | None:
        item = self._drafts.get(ref)
        return None if item is None else item.data

    def draft_flags(self, ref: str) -> set[str]:
        """Of "draft", "flagged", "seen"; KeyError when it was deleted."""
        return set(self._drafts[ref].flags)

    def delete_draft(self, ref: str) -> None:
        del self._drafts[ref]

    def replace_draft(self, ref: str, message: EmailMessage) -> str:
        """A mail client saving the user's edit: a new draft replaces the old one and our
        header does not survive. Returns the new ref."""
        del self._drafts[ref]
        edited = _parsed(_stored(message))
        del edited[NOTE_HEADER]
        return self._add_draft(edited)

    def fail_next(self, method: str, error: ServiceError | None = None) -> None:
        """Make the next call of `method` (e.g. "save_draft") raise, as an unreachable
        server would; for crash and retry tests."""
        if not callable(getattr(self, method, None)):
            raise AttributeError(f"MemoryMailbox has no method {method!r}")
        self._failures[method] = error or ServiceError(f"{method} failed (injected)")

    def _maybe_fail(self, method: str) -> None:
        error = self._failures.pop(method, None)
        if error is not None:
            raise error

    def _add_draft(self, message: EmailMessage) -> str:
        ref = f"draft-{next(self._refs)}"
        self._drafts[ref] = _Stored(_stored(message), {DRAFT, SEEN})
        return ref
