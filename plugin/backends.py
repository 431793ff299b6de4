"""The one place that turns config into backend objects, importing each library lazily so a
Maildir user never loads Google's or CalDAV's code."""

from __future__ import annotations

from collections.abc import Callable

from afterword.plugin.config import Config
from afterword.plugin.errors import UserError
from afterword.plugin.mailbox.base import Mailbox
from afterword.plugin.sources.base import CalendarSource
from afterword.plugin.sources.parse import PARSE_HERE, CalendarParser


def open_source(config: Config, parse: CalendarParser = PARSE_HERE) -> CalendarSource:
    """`parse` serves the .ics source; CalDAV parses in process (its budget allows it, and
    its objects are parsed again on every cycle, which a helper process would make dear)."""
    cal = config.calendar
    if cal.source == "ics":
        from afterword.plugin.sources.ics import IcsSource

        cache = config.state_path.parent / "ics-cache" if cal.url else None
        return IcsSource(path=cal.path, url=cal.url, default_zone=config.zone, cache_dir=cache,
                         parse=parse)
    if cal.source == "caldav":
        from afterword.plugin.sources.caldav import CalDavSource

        return CalDavSource.from_config(cal, config.zone)
    if cal.source == "google":
        from afterword.plugin.sources.google import GoogleCalendarSource

        return GoogleCalendarSource.from_config(cal, config.zone)
    raise UserError(
        f"{config.path}: [calendar.source] {cal.source!r} is not a calendar source; "
        'fix: use "ics", "caldav" or "google"'
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

        return ImapMailbox.from_config(box, oauth2_token=_xoauth2_token(config))
    if box.backend == "gmail":
        from afterword.plugin.mailbox.gmail import GmailMailbox

        return GmailMailbox.from_config(box)
    raise UserError(
        f"{config.path}: [mailbox.backend] {box.backend!r} is not a mailbox backend; "
        'fix: use "maildir", "imap" or "gmail"'
    )


def _xoauth2_token(config: Config) -> Callable[[], str] | None:
    """For Gmail's IMAP: an access token from the same Google token file, refreshed as
    needed. None unless `auth = "xoauth2"`."""
    box = config.mailbox
    if box.auth != "xoauth2":
        return None
    assert box.token_file is not None  # the config gives it a default
    from afterword.auth.token_store import TokenStore

    store = TokenStore(box.token_file)

    def token() -> str:
        return str(store.fresh().token)

    return token
