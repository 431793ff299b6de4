"""The one interface every mailbox backend implements.

The engine never learns whether it talks to a Maildir, an IMAP server or Gmail. Every
method is safe to call again after a crash: saving is the only step that creates
something, and the engine looks for a draft's `X-Afterword-Note` header before saving.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from afterword.plugin.model import DraftInfo, SentMessage

NOTE_HEADER = "X-Afterword-Note"
WARNING_HEADER = "X-Afterword-Warning"
MAX_MESSAGE_BYTES = 2 * 1024 * 1024  # recent_messages skips anything larger
RECENT_FOLDERS = ("inbox", "sent")


class Mailbox(Protocol):
    kind: str  # the config value: "maildir", "imap", "gmail"

    def drafts(self) -> list[DraftInfo]:
        """Every message in the Drafts folder, ours (with NOTE_HEADER) and the user's."""
        ...

    def save_draft(self, message: EmailMessage) -> str:
        """Store `message` as a draft (marked as a draft) and return its ref."""
        ...

    def flag_draft(self, ref: str) -> bool:
        """Flag (star) the draft `ref`; False when it no longer exists."""
        ...

    def sent_to(self, addresses: Iterable[str], since: datetime) -> list[SentMessage]:
        """Messages in Sent addressed (To/Cc/Bcc) to any of `addresses`, dated at or after
        `since`. Backends narrow the search on the server where they can."""
        ...

    def warnings_delivered(self) -> set[str]:
        """The WARNING_HEADER values of the warnings already in the inbox."""
        ...

    def deliver_warning(self, message: EmailMessage) -> None:
        """Put `message` into the inbox, unread. Never sends it anywhere."""
        ...

    def recent_messages(self, folder: str, since: datetime, limit: int = 200
                        ) -> list[EmailMessage]:
        """Whole messages of `folder` ("inbox" or "sent") that arrived at or after `since`
        (the store's arrival time: IMAP INTERNALDATE, the Maildir file's mtime, Gmail's
        internalDate), newest first, at most `limit`, parsed with email.policy.default.
        Messages over MAX_MESSAGE_BYTES are skipped; nothing is marked seen."""
        ...

    def describe(self) -> list[str]:
        """Lines for `afterword check`: the folders it will use. Writes nothing."""
        ...

    def close(self) -> None: ...
