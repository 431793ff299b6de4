"""The OAuth scopes afterword asks Google for: one constant per need, each the narrowest
scope that covers every call made for that need.

Consent asks only for the scopes of the backends configured (`scopes_for`), and each
backend checks that the saved token carries its scope before it calls anything.
"""

from __future__ import annotations

GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"
"""The Gmail mailbox. No narrower scope covers all of its calls together: drafts.create,
drafts.get/list, reading Sent (messages.list/get: gmail.compose cannot), starring a draft
(messages.modify: only gmail.modify or full access), the `afterword` label
(labels.list/create) and warnings (messages.insert).
`https://mail.google.com/` (what IMAP's XOAUTH2 needs) would add permanent deletion.
Like every Gmail scope that can create drafts it also permits sending: afterword never
calls a send method (a test greps the code and checks every request it makes)."""

CALENDAR_EVENTS_READONLY = "https://www.googleapis.com/auth/calendar.events.readonly"
"""The Google Calendar source: events.list on each configured calendar. Narrower than
`calendar.readonly` (which also reads calendar settings and sharing lists): the calendar's
name and time zone come back in the events.list answer, so nothing else is needed."""

GMAIL_IMAP = "https://mail.google.com/"
"""Gmail over IMAP with XOAUTH2 (`[mailbox] backend = "imap"`, `auth = "xoauth2"`): Google
accepts no narrower scope for IMAP, so the `gmail` backend (gmail.modify) is the better
choice; this one is asked for only when IMAP with XOAUTH2 is configured."""

MAILBOX_SCOPES: tuple[str, ...] = (GMAIL_MODIFY,)
CALENDAR_SCOPES: tuple[str, ...] = (CALENDAR_EVENTS_READONLY,)


def scopes_for(*, gmail: bool, calendar: bool, imap_xoauth2: bool = False) -> tuple[str, ...]:
    """What `afterword auth google` should ask for, given the configured backends."""
    wanted: list[str] = []
    if gmail:
        wanted += MAILBOX_SCOPES
    if imap_xoauth2:
        wanted.append(GMAIL_IMAP)
    if calendar:
        wanted += CALENDAR_SCOPES
    return tuple(wanted)


def short_name(scope: str) -> str:
    """`gmail.modify` for messages; the full URL is noise to a reader."""
    prefix = "https://www.googleapis.com/auth/"
    return scope[len(prefix):] if scope.startswith(prefix) else scope
