"""Plain domain objects shared by every stage of the pipeline.

Backends convert their own shapes (icalendar components, IMAP responses, Google JSON) into
these at the edge, so nothing downstream depends on where an event or a message came from.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class NoteState(enum.StrEnum):
    PENDING = "pending"
    DRAFTED = "drafted"
    SENT = "sent"
    LATE = "late"
    OVERDUE = "overdue"
    SKIPPED = "skipped"


class Stage(enum.StrEnum):
    """Warning stages, in the order they fall."""

    NUDGE = "nudge"
    FINAL = "final"
    OVERDUE = "overdue"

    @property
    def rank(self) -> int:
        return list(Stage).index(self)


@dataclass(frozen=True)
class Attendee:
    """A person or resource on a calendar event, as the calendar describes them."""

    email: str  # lower-cased address without "mailto:"; "" when unknown
    name: str = ""  # display name (CN, RFC 6868 decoded), "" when absent
    partstat: str = ""  # ACCEPTED, DECLINED, TENTATIVE, NEEDS-ACTION or ""
    role: str = ""  # REQ-PARTICIPANT, OPT-PARTICIPANT, CHAIR, NON-PARTICIPANT or ""
    cutype: str = ""  # INDIVIDUAL, GROUP, RESOURCE, ROOM, UNKNOWN or ""


@dataclass(frozen=True)
class MailFacts:
    """What the email that carried an event says besides its calendar data: confirmation
    mails name the employer, the role and the panel in their sender, subject and body far
    more often than in the attached .ics (and some attach none)."""

    sender: Attendee | None = None  # From, with its display name ("Acme via Greenhouse")
    reply_to: tuple[Attendee, ...] = ()  # Reply-To (Greenhouse: the recruiter at the employer)
    subject: str = ""  # one line, control characters removed
    text: str = ""  # the body as plain text (HTML flattened, quoted replies dropped), capped
    sent_at: datetime | None = None  # the Date header
    bulk: bool = False  # sent to a list: List-Id, List-Unsubscribe or Precedence bulk/list
    body_only: bool = False  # no calendar part: the event's time was read from the text
    message_id: str = ""  # the Message-ID, "" when it has none: its thread names the employer


@dataclass(frozen=True)
class CalendarEvent:
    """One occurrence of a calendar event, recurrences already expanded."""

    uid: str
    start: datetime  # timezone-aware
    end: datetime  # timezone-aware
    summary: str = ""
    description: str = ""
    location: str = ""
    recurrence_id: str = ""  # the occurrence's original start (ISO) for recurring events
    all_day: bool = False
    timezone: str | None = None  # the event's own IANA zone, when it names one
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE or CANCELLED
    organizer: Attendee | None = None
    attendees: tuple[Attendee, ...] = ()
    source: str = ""  # which calendar it came from, for logs and status
    mail: MailFacts | None = None  # set when the event was read from an email

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """[start, end) overlap by instants (never by wall clocks, which repeat when DST
        ends); a zero-length event counts at its start."""
        s, e = self.start.astimezone(UTC), self.end.astimezone(UTC)
        lo, hi = start.astimezone(UTC), end.astimezone(UTC)
        if s == e:
            return lo <= s < hi
        return s < hi and e > lo

    @property
    def interview_id(self) -> str:
        """The id an interview from this occurrence gets: stable when the event moves."""
        return stable_id(self.uid, self.recurrence_id)


@dataclass(frozen=True)
class Interviewer:
    name: str
    email: str | None = None  # None when only the name is known (needs_address)
    title: str | None = None  # job title, from an itinerary or signature
    topic: str | None = None  # what the slot with them was about
    # The word(s) after "Hi": the user's own ([[corrections]]), else what the invite says to
    # call them ("Bobby", "Dr. O'Brien"); None greets by first name.
    greeting: str | None = None

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name

    @property
    def key(self) -> str:
        """Identity of this interviewer within an interview: address, else the name."""
        return (self.email or self.name).strip().lower()


@dataclass(frozen=True)
class Interview:
    id: str
    title: str
    company: str
    role: str
    start: datetime
    end: datetime
    interviewers: tuple[Interviewer, ...]
    timezone: str | None = None  # the event's own zone, used for the due time
    source_uid: str = ""
    location: str = ""

    def finished(self, now: datetime) -> bool:
        return self.end <= now


@dataclass(frozen=True)
class Identity:
    """Who "me" is: the user whose interviews these are."""

    name: str
    email: str
    aliases: tuple[str, ...] = ()

    @property
    def addresses(self) -> frozenset[str]:
        return frozenset(a.lower() for a in (self.email, *self.aliases))


@dataclass(frozen=True)
class DraftInfo:
    """A message found in the Drafts folder."""

    ref: str  # backend's handle: Maildir key, IMAP UID, Gmail draft id
    note_id: str | None  # our X-Afterword-Note header, None for the user's own drafts
    to: tuple[str, ...] = ()  # lower-cased recipient addresses
    flagged: bool = False
    subject: str = ""


@dataclass(frozen=True)
class SentMessage:
    """A message found in the Sent folder."""

    sender: str  # lower-cased From address
    to: frozenset[str]  # lower-cased To, Cc and Bcc addresses
    date: datetime  # timezone-aware
    message_id: str = ""


@dataclass(frozen=True)
class ComposedNote:
    """A rendered note body before it becomes a MIME message."""

    subject: str
    body: str
    variant: str = ""  # which phrasing choices produced it, for the log
    unique: bool = True  # False when the uniqueness rule could not be met
    overlap: float = 0.0  # highest trigram overlap with another note to the company


def stable_id(*parts: str, length: int = 16) -> str:
    """Deterministic id from its parts, so the same interview or note gets the same id on
    every run and every machine."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def distinct_attendees(people: Iterable[Attendee]) -> tuple[Attendee, ...]:
    """Each address once (the first listing wins); people without an address all kept."""
    seen: set[str] = set()
    result: list[Attendee] = []
    for person in people:
        if person.email and person.email in seen:
            continue
        seen.add(person.email)
        result.append(person)
    return tuple(result)


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA zone of that name, or None for an empty or unknown name."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
