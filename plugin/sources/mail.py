"""Invitations that arrive by mail → CalendarEvents.

Candidates are often not on the employer's calendar event: an ATS (Greenhouse, Lever…) mails
a confirmation with an `.ics` attached, and the candidate's own acceptance leaves an iTIP
REPLY in Sent. Both are calendar data the engine would otherwise never see. Only the shapes
that describe *my* interviews are read: invitations and published events from INBOX (others'
replies there are answers to invites I sent), my own replies from Sent (my own requests
there are meetings I organised). Cancellations from INBOX are kept so they can withdraw an
invitation read earlier.

The mail around the calendar data counts too: each event carries the message's sender,
Reply-To, subject and body text (MailFacts), where confirmations name the employer and the
panel. An INBOX message with no calendar part at all becomes an event when its text states a
date and a time range (plugin/sources/mail_body.py); detection then decides, as for any
event, whether it is an interview, with rules of its own for mail (plugin/detect/from_mail.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage, Message
from zoneinfo import ZoneInfo

from afterword.plugin.errors import CalendarDataError, ServiceError
from afterword.plugin.mailbox.base import NOTE_HEADER, WARNING_HEADER
from afterword.plugin.model import Attendee, CalendarEvent, MailFacts, stable_id
from afterword.plugin.sources import mail_body
from afterword.plugin.sources.parse import PARSE_HERE, CalendarParser

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
    parse: CalendarParser = PARSE_HERE,
) -> list[CalendarEvent]:
    """The events of every calendar part of `messages` (read from `folder`, "inbox" or
    "sent") overlapping [start, end), each with its message's MailFacts; and, from INBOX
    messages without any calendar part, the events their text states. One event per
    occurrence: the first message listing it wins (messages come newest first), except that
    a cancellation always wins. A message that cannot be read is skipped; a parser that
    fails (the daemon's helper process) raises its ServiceError, so the cycle fails and
    the same mail is read again."""
    found: dict[str, CalendarEvent] = {}
    for message in messages:
        if _written_by_us(message):
            continue
        try:
            events = _message_events(message, start, end, default_zone, folder, parse)
        except Exception as exc:  # one odd message must not hide the other invitations
            if parser_failed(exc):
                raise
            log.warning("mail message skipped: %s", _source(message), exc_info=True)
            continue
        for event in events:
            known = found.get(event.interview_id)
            cancels = event.status == "CANCELLED" and known is not None and (
                known.status != "CANCELLED")
            if known is None or cancels:
                found[event.interview_id] = event
    return sorted(found.values(), key=lambda e: (e.start, e.uid, e.recurrence_id))


def _message_events(
    message: EmailMessage, start: datetime, end: datetime, zone: ZoneInfo, folder: str,
    parse: CalendarParser,
) -> list[CalendarEvent]:
    wanted = METHODS[folder]
    source = _source(message)
    parts = list(calendar_parts(message))
    if not parts:
        return body_events(message, start, end, zone) if folder == "inbox" else []
    events: list[CalendarEvent] = []
    for data in parts:
        method = method_of(data)
        if method not in wanted:
            continue
        for event in _parse(parse, data, start, end, zone, source):
            events.append(with_organizer_attending(event) if method == "REPLY" else event)
    return with_mail_facts(events, message, zone) if events else []


def _source(message: Message) -> str:
    return f"mail {mail_body.header_text(message, 'Message-ID') or '(no Message-ID)'}"


def _written_by_us(message: Message) -> bool:
    """afterword's own warnings (in INBOX) and drafts list interviews with their times:
    reading them back would invent interviews."""
    try:
        return message.get(WARNING_HEADER) is not None or message.get(NOTE_HEADER) is not None
    except Exception:
        return False


def mail_facts(message: Message, text: str = "", *, body_only: bool = False) -> MailFacts:
    """What the message says about itself: sender, Reply-To, subject, date, list headers."""
    senders = mail_body.header_people(message, "From")
    sender = senders[0] if senders else None
    replies = tuple(a for a in mail_body.header_people(message, "Reply-To")
                    if sender is None or a.email != sender.email)
    return MailFacts(
        sender=sender,
        reply_to=replies,
        subject=mail_body.header_text(message, "Subject"),
        text=text,
        sent_at=mail_body.sent_at(message),
        bulk=mail_body.is_bulk(message),
        body_only=body_only,
        message_id=mail_body.header_text(message, "Message-ID"),
    )


def with_mail_facts(
    events: list[CalendarEvent], message: Message, zone: ZoneInfo
) -> list[CalendarEvent]:
    """The events of one message, each with its MailFacts. The body's text goes to an event
    only when it is about that event: the message holds one occurrence, or the body's
    schedule for the event's day can be told apart from the others'."""
    text = mail_body.body_text(message)
    occurrences = {e.interview_id for e in events}
    result = []
    schedules: list[mail_body.Schedule] | None = None
    for event in events:
        own = text
        if len(occurrences) > 1 and text:
            if schedules is None:
                reference = mail_body.sent_at(message) or event.start
                schedules = mail_body.find_schedules(text, zone, reference)
            own = _section_for(event, schedules)
        result.append(replace(event, mail=mail_facts(message, own)))
    return result


def _section_for(event: CalendarEvent, schedules: list[mail_body.Schedule]) -> str:
    same_day = [s for s in schedules
                if event.start.astimezone(s.start.tzinfo).date() == s.start.date()]
    return same_day[0].text if len(same_day) == 1 and len(schedules) > 1 else ""


def body_events(
    message: Message, start: datetime, end: datetime, zone: ZoneInfo
) -> list[CalendarEvent]:
    """The events a message without calendar data states in its text ("Tuesday, December 1,
    2026, 10:00 AM - 1:00 PM EST"), one per day it gives times for, overlapping [start, end).
    The sender organizes, the subject is the title, the text about that day is the
    description (the whole text stays in MailFacts, for what it says of the message). Bulk mail
    is not read: nobody books an interview through a mailing list, and newsletters are the
    largest HTML an inbox holds."""
    if mail_body.is_bulk(message) or not mail_body.may_state_a_time(mail_body.raw_text(message)):
        return []
    text = mail_body.body_text(message)
    facts = mail_facts(message, text, body_only=True)
    schedules = mail_body.find_schedules(text, zone, facts.sent_at or start)
    if not schedules:
        log.debug("%s: no date and time range in its text", _source(message))
        return []
    key = mail_body.header_text(message, "Message-ID") or "\x1f".join(
        (facts.sender.email if facts.sender else "", facts.subject,
         mail_body.header_text(message, "Date")))
    events = []
    for schedule in schedules:
        event = CalendarEvent(
            uid=f"mail-{stable_id('mail body', key, schedule.start.date().isoformat())}"
                "@afterword.invalid",
            start=schedule.start,
            end=schedule.end,
            summary=facts.subject,
            description=schedule.text,
            location=mail_body.location_in(schedule.text),
            timezone=schedule.zone,
            organizer=facts.sender,
            source=_source(message),
            mail=facts,
        )
        if event.overlaps(start, end):
            events.append(event)
    return events


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
    parse: CalendarParser, data: bytes, start: datetime, end: datetime, zone: ZoneInfo,
    source: str,
) -> list[CalendarEvent]:
    try:
        return parse(data, start, end, zone, source)
    except Exception as exc:  # one broken attachment must not hide the other invitations
        if parser_failed(exc):
            raise
        log.warning("calendar part skipped: %s: %s", source, exc)
        return []


def parser_failed(exc: Exception) -> bool:
    """A failure of the parser itself (its helper process died, say), not of the data: the
    cycle must fail, since a skipped message is not read again."""
    return isinstance(exc, ServiceError) and not isinstance(exc, CalendarDataError)
