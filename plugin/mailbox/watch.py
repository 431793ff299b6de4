"""How the daemon hears that mail arrived between two syncs, whatever the backend.

A backend that the server can tell about new mail (IMAP with IDLE) offers a
`ChangeWatcher`; the daemon starts it with a callback, stops it, and knows nothing else
about it. Maildir, Gmail and the in-memory mailbox offer none: what changes there waits for
the next sync. The IMAP code is imported only for an IMAP mailbox, so a Maildir daemon
never loads imapclient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from afterword.plugin.mailbox.base import Mailbox


class ChangeWatcher(Protocol):
    def start(self, changed: Callable[[], None]) -> None:
        """Watch in the background; call `changed()` (from another thread, so it must be
        thread-safe and quick) soon after a message lands in a watched folder."""
        ...

    def stop(self) -> None:
        """Stop within about a second and let go of every connection."""
        ...


def watcher_for(mailbox: Mailbox) -> ChangeWatcher | None:
    """The watcher `mailbox` offers, or None."""
    if mailbox.kind != "imap":
        return None
    from afterword.plugin.mailbox.imap import ImapMailbox
    from afterword.plugin.mailbox.imap_idle import IdleWatcher

    return IdleWatcher(mailbox) if isinstance(mailbox, ImapMailbox) else None
