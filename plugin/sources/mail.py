"""Invitations that arrive by mail → CalendarEvents.

Candidates are often not on the employer's calendar event: an ATS (Greenhouse, Lever…) mails
a confirmation with an `.ics` attached, and the candidate's own acceptance leaves an iTIP
REPLY in Sent. Both are calendar data the engine would otherwise never see. Only the shapes
that describe *my* interviews are read: invitations and published events from INBOX (others'
replies there are answers to invites I sent), my own replies from Sent (my own requests
there are meetings I organised). Cancellations from INBOX are kept so they can withdraw an
invitation read earlier.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage, Message
from zoneinfo import ZoneInfo

from afterword.plugin.model import Attendee, CalendarEvent
from afterword.plugin.sources.ics import parse_calendar

log = logging.getLogger("afterword.sources.mail")

MAX_PART_BYTES = 1024 * 1024  # a calendar part larger than this is not an invitation
MAX_PARTS = 20  # calendar parts read per message, so a crafted message costs little
ICS_TYPES = frozenset({"text/calendar", "application/ics", "application/octet-stream"})
# Which iTIP methods each folder contributes; "" is an .ics with no METHOD (a plain export).
METHODS = {
    "inbox": frozenset({"REQUEST", "PUBLISH", "CANCEL", "ADD", ""}),
    "sent": frozenset({"REPLY"}),
}
_METHOD = re.compile(rb"^METHOD\s*:\s*([A-Za-z-]+)\s*$", re.MULTILINE)


def invite_events(
    messages: Iterable[EmailMessage],
    start: datetime,
    end: datetime,
    default_zone: ZoneInfo,
    *,
    folder: str = "inbox",
) -> list[CalendarEvent]:
    """The events of every calendar part of `messages` (read from `folder`, "inbox" or
    "sent") overlapping [start, end). One event per occurrence: the first message listing
    it wins (messages come newest first), except that a cancellation always wins."""
    wanted = METHODS[folder]
    found: dict[str, CalendarEvent] = {}
    for message in messages:
        source = f"mail {message.get('Message-ID', '').strip() or '(no Message-ID)'}"
        for data in calendar_parts(message):
            method = method_of(data)
            if method not in wanted:
                continue
            for event in _parse(data, start, end, default_zone, source):
                if method == "REPLY":
                    event = with_organizer_attending(event)
                known = found.get(event.interview_id)
                cancels = event.status == "CANCELLED" and known is not None and (
                    known.status != "CANCELLED")
                if known is None or cancels:
                    found[event.interview_id] = event
    return sorted(found.values(), key=lambda e: (e.start, e.uid, e.recurrence_id))


def with_organizer_attending(event: CalendarEvent) -> CalendarEvent:
    """An iTIP REPLY lists only the person replying (me); the organizer, who invited me to
    their own meeting, is the one other participant it still names. Detection then judges
    that address as it would any attendee (coordinators and shared calendars stay out)."""
    organizer = event.organizer
    if organizer is None or not organizer.email or any(
            a.email == organizer.email for a in event.attendees):
        return event
    host = Attendee(email=organizer.email, name=organizer.name, partstat="ACCEPTED",
                    role="REQ-PARTICIPANT", cutype=organizer.cutype)
    return replace(event, attendees=(*event.attendees, host))


def calendar_parts(message: Message) -> Iterator[bytes]:
    """The raw bytes of each `text/calendar` part and `.ics` attachment, at most MAX_PARTS,
    none over MAX_PART_BYTES."""
    count = 0
    for part in message.walk():
        if part.is_multipart() or not _is_calendar(part):
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # a broken transfer encoding: skip the part, not the message
            log.warning("calendar part skipped: cannot decode it (%s)", part.get_content_type())
            continue
        if not isinstance(payload, bytes) or not payload:
            continue
        if len(payload) > MAX_PART_BYTES:
            log.warning("calendar part skipped: %d bytes is too large", len(payload))
            continue
        count += 1
        if count > MAX_PARTS:
            return
        yield payload


def method_of(data: bytes) -> str:
    """The calendar's iTIP METHOD, upper-cased, "" when it has none."""
    match = _METHOD.search(data.replace(b"\r\n", b"\n"))
    return match.group(1).decode("ascii").upper() if match else ""


def _is_calendar(part: Message) -> bool:
    kind = part.get_content_type()
    if kind not in ICS_TYPES:
        return False
    if kind == "text/calendar":
        return True
    name = part.get_filename() or ""
    return kind == "application/ics" or name.lower().endswith(".ics")


def _parse(
    data: bytes, start: datetime, end: datetime, zone: ZoneInfo, source: str
) -> list[CalendarEvent]:
    try:
        return parse_calendar(data, start, end, zone, source)
    except Exception as exc:  # one broken attachment must not hide the other invitations
        log.warning("calendar part skipped: %s: %s", source, exc)
        return []
