"""The one place that turns config into backend objects, importing each library lazily so a
Maildir user never loads Google's or CalDAV's code."""

from __future__ import annotations

from afterword.plugin.config import Config
from afterword.plugin.errors import UserError
from afterword.plugin.mailbox.base import Mailbox
from afterword.plugin.sources.base import CalendarSource


def open_source(config: Config) -> CalendarSource:
    cal = config.calendar
    if cal.source == "ics":
        from afterword.plugin.sources.ics import IcsSource

        cache = config.state_path.parent / "ics-cache" if cal.url else None
        return IcsSource(path=cal.path, url=cal.url, default_zone=config.zone, cache_dir=cache)
    if cal.source == "caldav":
        from afterword.plugin.sources.caldav import CalDavSource

        return CalDavSource.from_config(cal, config.zone)
    raise UserError(
        f"{config.path}: [calendar.source] {cal.source!r} is not available in this version; "
        'fix: use "ics" or "caldav"'
    )


def open_mailbox(config: Config, create: bool = True) -> Mailbox:
    """`create=False` (for `check`) makes no missing folder."""
    box = config.mailbox
    if box.backend == "maildir":
        from afterword.plugin.mailbox.maildir import MaildirMailbox

        assert box.path is not None  # the config requires it for maildir
        return MaildirMailbox(box.path, drafts=box.drafts or "Drafts", sent=box.sent or "Sent",
                              inbox=box.inbox or "INBOX", create=create)
    if box.backend == "imap":
        from afterword.plugin.mailbox.imap import ImapMailbox

        return ImapMailbox.from_config(box)
    raise UserError(
        f"{config.path}: [mailbox.backend] {box.backend!r} is not available in this version; "
        'fix: use "maildir" or "imap"'
    )
