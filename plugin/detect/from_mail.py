"""What detection does differently for an event read from an email (CalendarEvent.mail).

Mail is where the look-alikes live: newsletters, job alerts, webinar registrations, prep
tips, rejections that recall the interview, requests for my availability. An event that came
with calendar data is judged like any calendar event, except that bulk mail counts all its
words against it. An event read from the body alone (no calendar part) is a guess from prose,
so it must also survive the mail's own tells: a subject that announces something else, a
message written after the time it states, a text that asks me to pick a time or announces an
outcome. Its interviewers come from the body; the sender is one of them only when nobody else
is named or they write as a participant ("join us", "with me").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from afterword.plugin.detect.interviewers import Roster, Verdict
from afterword.plugin.detect.itinerary import (
    ScheduledPerson,
    description_text,
    looks_like_title,
    merge_people,
    parse_itinerary,
)
from afterword.plugin.detect.lexicon import COORDINATION_WORDS, FORWARDED_SUBJECT
from afterword.plugin.detect.names import display_name, name_tokens
from afterword.plugin.detect.settings import DetectionSettings, mentions
from afterword.plugin.model import CalendarEvent, Interviewer

# Subjects of mail that carries a date and time but is not an invitation to my interview.
LOOKALIKE_SUBJECT_WORDS: tuple[str, ...] = (
    "newsletter", "digest", "job alert", "jobs for you", "new jobs", "recommended jobs",
    "jobs you may", "tips", "prepare for", "preparing for", "get ready for", "how to prepare",
    "survey", "feedback", "how was your", "availability", "hold", "tentative", "cancelled",
    "canceled", "cancellation", "you're interviewing", "you’re interviewing",
    "you are interviewing", "interview kit", "scorecard", "registered", "registration",
    "workshop", "webinar", "career fair", "job fair", "info session", "open house",
)
# A text that asks me to choose a time: nothing is scheduled yet.
PROPOSAL_PHRASES: tuple[str, ...] = (
    "share your availability", "send your availability", "send me your availability",
    "send over your availability", "let me know your availability",
    "provide your availability", "what times work", "which times work", "what time works",
    "which time works", "which of these times", "any of these times", "the following windows",
    "the following times", "the following slots", "following time slots",
    "the option that works", "pick a time", "choose a time", "select a time", "book a time",
    "grab a time", "schedule a time", "propose a time", "when are you available",
    "when would you be available", "are you free", "are you available",
    "would you be available", "would you be free", "work for you?", "works for you?",
)
# A text that announces how it went: written after the interview, not before.
OUTCOME_PHRASES: tuple[str, ...] = (
    "other candidates", "not to move forward", "not be moving forward",
    "not moving forward with your", "decided not to proceed", "not to proceed with your",
    "no longer under consideration", "position has been filled", "role has been filled",
)
# A calendar's own alert about an event it holds: the calendar source reads the event itself.
_CALENDAR_ALERT = re.compile(r"^\s*(?:notification|event\s+reminder|updated\s+event)\s*:",
                             re.IGNORECASE)
_FIRST_PERSON = re.compile(
    r"\b(?:with\s+me|join\s+(?:me|us)|me\s+and|and\s+me|let['’]s\s+(?:do|meet|chat|talk"
    r"|connect|have|set|find)|i['’]ll\s+be\s+(?:interviewing|meeting|speaking|chatting|talking)"
    r"|i\s+will\s+be\s+(?:interviewing|meeting|speaking|chatting|talking)"
    r"|i['’](?:ll|d)\s+(?:love|like)\s+to\s+(?:meet|chat|talk|speak))\b",
    re.IGNORECASE,
)


def lookalike_reason(event: CalendarEvent, settings: DetectionSettings) -> str | None:
    """Why an event read from mail is not an invitation to one of my interviews; None when
    nothing about the mail says so (and for calendar events)."""
    mail = event.mail
    if mail is None:
        return None
    subject = mail.subject or event.summary
    if mail.bulk:
        if mail.body_only:
            return "bulk mail"
        words = " ".join((subject, event.summary, description_text(event.description),
                          mail.text))
        if mentions(settings.exclude_keywords, words) or mentions(
                LOOKALIKE_SUBJECT_WORDS, subject, inflected=True):
            return "bulk mail about something else"
    if not mail.body_only:
        return None
    if mentions(settings.exclude_keywords, subject):
        return "subject names a look-alike"
    if mentions(LOOKALIKE_SUBJECT_WORDS, subject, inflected=True):
        return "subject announces something else"
    if _CALENDAR_ALERT.match(subject):
        return "a calendar's alert about its own event"
    if mail.sent_at is not None and mail.sent_at >= event.start:
        return "written after the time it states"
    text = mail.text or event.description
    if mentions(PROPOSAL_PHRASES, text):
        return "asks for a time"
    if mentions(OUTCOME_PHRASES, text):
        return "announces an outcome"
    return None


def mail_schedule(
    event: CalendarEvent, schedule: Sequence[ScheduledPerson]
) -> tuple[ScheduledPerson, ...]:
    """The people the description names, completed by the mail's body: its schedule when the
    description lists nobody (a merged Greenhouse block, a boilerplate Zoom invite), else
    only what the body says about the same people (titles, topics)."""
    mail = event.mail
    if mail is None or mail.body_only or not mail.text or mail.text == event.description:
        return tuple(schedule)  # a body-only event's description is its part of the body
    body = parse_itinerary(mail.text)
    if any(p.listed for p in schedule):
        return merge_people(list(schedule), [replace(p, listed=False) for p in body])
    return merge_people(list(body), list(schedule))


def sender_interviewer(
    event: CalendarEvent, people: Roster, schedule: Sequence[ScheduledPerson]
) -> Interviewer | None:
    """The person who wrote a body-only invitation, when they take part: nobody else is
    named, or they write as a participant ("Let's do…", "join us"). Coordinators (a
    recruiting title in their signature), robots, team mailboxes and whoever forwards the
    invitation ("FW: Interview…") never."""
    mail = event.mail
    if mail is None or not mail.body_only or mail.sender is None:
        return None
    if FORWARDED_SUBJECT.match(mail.subject):
        return None  # who forwards an invitation passes it on: they do not hold it
    if people.organizer is None or people.organizer_verdict is not Verdict.INTERVIEWER:
        return None
    sender = mail.sender
    name = display_name(sender.name, sender.email)
    if not name or "@" in name:
        return None
    text = event.description
    named = [p for p in schedule if p.listed]
    if named and not _FIRST_PERSON.search(text):
        return None
    if _signs_as_coordinator(text, name):
        return None
    return Interviewer(name=name, email=sender.email)


def _signs_as_coordinator(text: str, name: str) -> bool:
    """The sender's signature (their name, then a title) names a recruiting role."""
    tokens = name_tokens(name)
    if not tokens:
        return False
    lines = [line.strip() for line in text.split("\n")]
    for index, line in enumerate(lines):
        if not line or name_tokens(line)[:1] != tokens[:1]:
            continue
        for after in (line, *lines[index + 1: index + 3]):
            words = {w.strip(".,|()").casefold() for w in after.split()}
            if words & COORDINATION_WORDS and (after is line or looks_like_title(
                    after.split("|")[0].split(",")[0])):
                return True
    return False
