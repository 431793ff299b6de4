"""One interview, however many copies of it arrive.

The same interview reaches afterword more than once: the calendar's event, the scheduling
tool's confirmation in INBOX, my own acceptance in Sent. A tool may also mail one merged
block ("10:00–13:00, four sessions") while the calendar holds one event per session. These
rules decide which copies are one interview, so each interviewer gets one note, never two.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from afterword.plugin.detect.lexicon import LEGAL_FORMS
from afterword.plugin.detect.names import same_person
from afterword.plugin.model import Interview, Interviewer

SAME_SLOT = timedelta(minutes=5)  # copies this close in start and end are one interview


def company_key(company: str) -> str:
    """A company name with case, punctuation and legal suffixes ignored ("Acme, Inc." is
    "acme"), so two sources spelling one employer differently still match."""
    words = re.sub(r"[^\w&]+", " ", company.casefold()).split()
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def same_company(a: str, b: str) -> bool:
    ka, kb = company_key(a), company_key(b)
    return bool(ka) and ka == kb


def same_slot(a: Interview, b: Interview) -> bool:
    """Two copies of one interview: the same company at the same time, give or take."""
    return (abs(a.start - b.start) <= SAME_SLOT and abs(a.end - b.end) <= SAME_SLOT
            and same_company(a.company, b.company))


def within_block(block: Interview, session: Interview) -> bool:
    """`session` is one part of the merged `block`: same company, and the session lies in
    the block's span (a minute's slack each side), the block being the longer of the two."""
    slack = timedelta(minutes=1)
    return (same_company(block.company, session.company)
            and block.end - block.start > session.end - session.start
            and block.start - slack <= session.start and session.end <= block.end + slack)


def same_interviewer(a: Interviewer, b: Interviewer) -> bool:
    """One person: the same address, or the same full name (one interview never has two
    people of one name; one person may appear under two addresses)."""
    return a.key == b.key or same_person(a.name, b.name, first_only=False)


def with_interviewers_of(kept: Interview, other: Interview) -> Interview:
    """`kept`, plus the interviewers only `other` names; a person `kept` knows by name only
    gains the address (and title, topic, form of address) `other` gives."""
    people = list(kept.interviewers)
    for person in other.interviewers:
        match = next((i for i, p in enumerate(people) if same_interviewer(p, person)), None)
        if match is None:
            people.append(person)
        else:
            people[match] = fill_in(people[match], person)
    return replace(kept, interviewers=tuple(people))


def fill_in(person: Interviewer, other: Interviewer) -> Interviewer:
    """`person` with the facts only `other` knows."""
    return replace(person, email=person.email or other.email,
                   title=person.title or other.title, topic=person.topic or other.topic,
                   greeting=person.greeting or other.greeting)


def split_block(block: Interview, sessions: Sequence[Interview]) -> list[Interview]:
    """The sessions, each with the block's interviewers it does not list yet: a person
    already in some session is left there; anyone else joins the session their slot fell in
    when the block says so (their topic names that session's title), else the first one."""
    result = list(sessions)
    for person in block.interviewers:
        if any(same_interviewer(p, person) for s in result for p in s.interviewers):
            continue
        target = _session_for(person, result)
        result[target] = replace(result[target],
                                 interviewers=(*result[target].interviewers, person))
    return result


def _session_for(person: Interviewer, sessions: Sequence[Interview]) -> int:
    topic = (person.topic or "").casefold()
    if topic:
        for i, session in enumerate(sessions):
            if topic in session.title.casefold():
                return i
    return 0


def rescheduled(copies: Sequence[tuple[Interview, datetime | None]]) -> set[str]:
    """Ids of mailed interviews a later mail moved: the same company and a person in common,
    another slot, and the later mail written before the earlier interview began (after it,
    the later mail is the next round). Each copy comes with its mail's Date (None: unknown,
    never judged). A tool that moves an interview by sending a new confirmation, without a
    cancellation or the old event's UID, leaves the old one in the inbox: it must not get
    notes for an interview that never took place."""
    dated = [(iv, sent) for iv, sent in copies if sent is not None]
    moved: set[str] = set()
    for old, old_sent in dated:
        for new, new_sent in dated:
            if (new_sent > old_sent and new_sent < old.start and new.id != old.id
                    and same_company(old.company, new.company) and not same_slot(old, new)
                    and any(same_interviewer(p, q) for p in old.interviewers
                            for q in new.interviewers)):
                moved.add(old.id)
                break
    return moved
