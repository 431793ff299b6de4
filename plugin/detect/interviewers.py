"""Who on an event interviewed me: people, not rooms, robots, colleagues or myself.

Each attendee gets a verdict; the itinerary (schedule in the description) then adds the
people it names, matched to attendees by name or address so they keep their address and gain
a title and topic. A named person nobody matches becomes an interviewer without an address.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from afterword.plugin.detect.addresses import (
    domain_of,
    is_automated,
    is_public_provider,
    is_room_or_resource,
    is_scheduling_tool,
    is_valid_address,
    same_organisation,
    within_any,
)
from afterword.plugin.detect.itinerary import (
    ScheduledPerson,
    is_coordination_title,
    is_full_name,
)
from afterword.plugin.detect.lexicon import (
    AGENCY_CLIENT,
    FORWARDED_SUBJECT,
    FORWARDED_TEXT,
    HOST_SPEAKS,
    ORGANIZER_ABSENT,
)
from afterword.plugin.detect.names import (
    clean_name,
    display_name,
    greeting_for,
    matches_address,
    name_key,
    name_tokens,
    same_person,
)
from afterword.plugin.detect.settings import DetectionSettings
from afterword.plugin.model import Attendee, CalendarEvent, Interviewer


class Verdict(enum.Enum):
    INTERVIEWER = "interviewer"
    ME = "me"
    COLLEAGUE = "colleague"  # from my own organisation's domain
    DECLINED = "declined"
    OPTIONAL = "optional"  # OPT-PARTICIPANT while optional attendees do not count
    NOT_PARTICIPATING = "not participating"  # NON-PARTICIPANT: copied for information
    MACHINE = "machine"  # room, resource, group, scheduling tool, no-reply, team mailbox


# Verdicts of people outside my organisation who take part: potential interviewers, or the
# candidate when I am the one interviewing.
OUTSIDERS = frozenset({Verdict.INTERVIEWER, Verdict.OPTIONAL, Verdict.NOT_PARTICIPATING})


@dataclass(frozen=True)
class Roster:
    """Every attendee with its verdict, and the organizer with theirs."""

    entries: tuple[tuple[Attendee, Verdict], ...]
    organizer: tuple[Attendee, Verdict] | None = None
    organizer_listed: bool = False  # the organizer is also among the attendees

    def with_verdict(self, *verdicts: Verdict) -> list[Attendee]:
        return [a for a, v in self.entries if v in verdicts]

    @property
    def me_listed(self) -> list[Attendee]:
        return self.with_verdict(Verdict.ME)

    @property
    def organizer_verdict(self) -> Verdict | None:
        return self.organizer[1] if self.organizer is not None else None

    @property
    def everyone(self) -> tuple[tuple[Attendee, Verdict], ...]:
        """Attendees, then the organizer when not one of them."""
        if self.organizer is None or self.organizer_listed:
            return self.entries
        return (*self.entries, self.organizer)


def is_me(name: str, email: str | None, settings: DetectionSettings) -> bool:
    """My address, or my full name under an address I did not configure."""
    if email and email.casefold() in settings.me.addresses:
        return True
    return bool(name) and len(name_tokens(settings.me.name)) >= 2 and (
        name_key(name) == name_key(settings.me.name)
    )


def verdict_for(attendee: Attendee, settings: DetectionSettings) -> Verdict:
    email = attendee.email.strip().casefold()
    if is_me(attendee.name, email, settings):
        return Verdict.ME
    if _is_machine(attendee, email, settings):
        return Verdict.MACHINE
    if attendee.partstat.upper() == "DECLINED":
        return Verdict.DECLINED
    if attendee.role.upper() == "NON-PARTICIPANT":
        return Verdict.NOT_PARTICIPATING
    if _is_colleague(email, settings):
        return Verdict.COLLEAGUE
    if attendee.role.upper() == "OPT-PARTICIPANT" and not settings.include_optional:
        return Verdict.OPTIONAL
    return Verdict.INTERVIEWER


def _is_machine(attendee: Attendee, email: str, settings: DetectionSettings) -> bool:
    if attendee.cutype.upper() == "GROUP" or is_room_or_resource(attendee):
        return True
    if not _attendee_name(attendee):
        return True  # no usable address and no name: nothing to write to or greet
    if not email:
        return False
    domain = domain_of(email)
    if within_any(domain, settings.application_domains):
        return is_automated(email)
    return is_scheduling_tool(domain) or is_automated(email)


def _is_colleague(email: str, settings: DetectionSettings) -> bool:
    domain = domain_of(email)
    if not domain or within_any(domain, settings.application_domains):
        return False
    return any(same_organisation(domain, mine) for mine in settings.work_domains)


def roster(event: CalendarEvent, settings: DetectionSettings) -> Roster:
    entries = tuple((a, verdict_for(a, settings)) for a in event.attendees)
    organizer = event.organizer
    if organizer is None or not (organizer.email or organizer.name):
        return Roster(entries)
    listed = bool(organizer.email) and organizer.email.casefold() in {
        a.email.casefold() for a in event.attendees if a.email
    }
    # The organizer's own partstat/role say nothing about attendance: judge the address.
    bare = Attendee(email=organizer.email, name=organizer.name, cutype=organizer.cutype)
    return Roster(entries, (organizer, verdict_for(bare, settings)), listed)


def find_interviewers(
    people: Roster, settings: DetectionSettings, schedule: Sequence[ScheduledPerson] = ()
) -> tuple[Interviewer, ...]:
    """Interviewers in schedule order, then the remaining attendees in attendee order. An
    attendee the invite calls a coordinator or recruiter ("Mina Park (Recruiting
    Coordinator) will open the room") is left out when the schedule lists the panel."""
    found: list[Interviewer] = []
    claimed: set[int] = set()
    pool = people.everyone
    for person in schedule:
        if not person.listed or is_me(person.name, person.email, settings):
            continue
        index = _match(person, pool)
        if index is None:
            loose = _unmatched(person, settings)
            if loose is not None:
                found.append(loose)
            continue
        claimed.add(index)
        attendee, verdict = pool[index]
        if verdict in OUTSIDERS:  # being in the schedule outweighs "optional" or "FYI"
            found.append(_from_both(person, attendee))
    mentioned = _mentions(schedule, pool, claimed)
    panel = bool(found)
    for index, (attendee, verdict) in enumerate(people.entries):
        if index not in claimed and verdict is Verdict.INTERVIEWER:
            extra = mentioned.get(index)
            if extra is not None and panel and is_coordination_title(extra.title):
                continue  # the coordinator who opens the room for the listed panel
            found.append(_from_both(extra, attendee) if extra else _from_attendee(attendee))
    return _deduplicated(found)


def _mentions(
    schedule: Sequence[ScheduledPerson], pool: Sequence[tuple[Attendee, Verdict]],
    claimed: set[int],
) -> dict[int, ScheduledPerson]:
    """Attendees the prose mentions, with what it says about them."""
    found: dict[int, ScheduledPerson] = {}
    for person in schedule:
        if person.listed:
            continue
        index = _match(person, pool)
        if index is not None and index not in claimed:
            found.setdefault(index, person)
    return found


def _match(person: ScheduledPerson, pool: Sequence[tuple[Attendee, Verdict]]) -> int | None:
    """The attendee a schedule entry names: by address, else by full name or an address
    built from it, else by first name when exactly one attendee has it."""
    if person.email:
        for i, (attendee, _) in enumerate(pool):
            if attendee.email.casefold() == person.email:
                return i
    names = [person.name, *([person.aka] if person.aka else [])]
    full = [
        i for i, (a, _) in enumerate(pool)
        if any(same_person(name, _attendee_name(a), first_only=False)
               or matches_address(name, a.email) for name in names)
    ]
    if full:
        return full[0]
    partial = [
        i for i, (a, _) in enumerate(pool)
        if same_person(person.name, _attendee_name(a))
    ]
    return partial[0] if len(partial) == 1 else None


def _unmatched(person: ScheduledPerson, settings: DetectionSettings) -> Interviewer | None:
    """A person only the schedule names: kept without an address unless the schedule gave
    one that is usable (not mine, a colleague's or a robot's)."""
    email = person.email
    if email is not None:
        probe = Attendee(email=email, name=person.name)
        verdict = verdict_for(probe, settings)
        if verdict in {Verdict.ME, Verdict.COLLEAGUE}:
            return None
        if verdict is Verdict.MACHINE or not is_valid_address(email):
            email = None
    return Interviewer(name=person.name, email=email, title=person.title, topic=person.topic,
                       greeting=person.greeting)


def _usable_email(attendee: Attendee) -> str | None:
    email = attendee.email.strip().casefold()
    return email if is_valid_address(email) else None


def _attendee_name(attendee: Attendee) -> str:
    """The cleaned CN, else a name from the address, else the bare address itself."""
    email = _usable_email(attendee)
    return display_name(attendee.name, email or "") or (email or "")


def _from_attendee(attendee: Attendee) -> Interviewer:
    return Interviewer(name=_attendee_name(attendee), email=_usable_email(attendee),
                       greeting=greeting_for(attendee.name or ""))


def _from_both(person: ScheduledPerson, attendee: Attendee) -> Interviewer:
    email = _usable_email(attendee)
    listed = _attendee_name(attendee)
    name = person.name
    named = bool(clean_name(attendee.name or ""))  # not a name made up from the address
    fuller = not is_full_name(name) or len(listed) > len(name)
    tokens, theirs = name_tokens(listed), name_tokens(name)
    reordered = tokens != theirs and sorted(tokens) == sorted(theirs)  # "Kenji Sato"
    if listed and "@" not in listed and (fuller or reordered) and (
            named or not is_full_name(name)):
        name = listed  # the calendar's "Marcus James O'Neil" over the schedule's "Marcus"
    return Interviewer(name=name, email=email, title=person.title, topic=person.topic,
                       greeting=person.greeting or greeting_for(attendee.name or ""))


def _deduplicated(found: list[Interviewer]) -> tuple[Interviewer, ...]:
    """One entry per address or normalised name (one person invited under two addresses
    gets one note, at the first address); the first title and topic seen are kept."""
    result: list[Interviewer] = []
    for person in found:
        for i, seen in enumerate(result):
            same_address = person.email is not None and person.email == seen.email
            if same_address or name_key(person.name) == name_key(seen.name):
                result[i] = Interviewer(
                    name=seen.name,
                    email=seen.email or person.email,
                    title=seen.title or person.title,
                    topic=seen.topic or person.topic,
                    greeting=seen.greeting or person.greeting,
                )
                break
        else:
            result.append(person)
    return tuple(result)


def outsiders_use_public_mail(people: Roster) -> bool:
    """Every outside participant writes from gmail.com & co. (the usual candidate)."""
    outsiders = people.with_verdict(*OUTSIDERS)
    return all(is_public_provider(domain_of(a.email)) for a in outsiders if a.email)


# --- people who arrange the interview without taking part ------------------------------------


def without_bystanders(people: Roster, event: CalendarEvent, text: str) -> Roster:
    """The roster with those who arrange the interview but do not hold it set aside (as
    NOT_PARTICIPATING, so a schedule naming them still counts them): the organizer who writes
    that they will not be on the call, or who writes for "my client" while the client's own
    people attend (an agency recruiter); whoever forwarded the invitation to me; and the
    other candidates of a group interview."""
    organizer = people.organizer
    forwarder = _forwarder(event)
    aside: set[str] = set()
    body_only = event.mail is not None and event.mail.body_only  # the sender "organizes" it
    if forwarder is not None and (body_only or organizer is None
                                  or organizer[0].email.casefold() != forwarder):
        aside.add(forwarder)  # but one's own meeting forwarded is still one's own
    if forwarder is None and organizer is not None and organizer[0].email and (
            organizer[1] is Verdict.INTERVIEWER):  # the organizer wrote the description
        address = organizer[0].email.casefold()
        if ORGANIZER_ABSENT.search(text) or (
                AGENCY_CLIENT.search(text) and _others_elsewhere(people, address)):
            aside.add(address)
    aside |= _fellow_candidates(people, text)
    if not aside:
        return people
    entries = tuple((a, _set_aside(a, v, aside)) for a, v in people.entries)
    if organizer is not None:
        organizer = (organizer[0], _set_aside(organizer[0], organizer[1], aside))
    return Roster(entries, organizer, people.organizer_listed)


FELLOW_CANDIDATES = re.compile(
    r"\b(?:fellow|other)\s+(?:applicants|candidates|interviewees)\b|\bgroup\s+interview\b",
    re.IGNORECASE)


def _fellow_candidates(people: Roster, text: str) -> set[str]:
    """In a group interview ("the other people on this invite are fellow applicants"), the
    attendees writing from personal mailboxes while the employer writes from its own
    domain: other candidates, not a panel."""
    organizer = people.organizer
    if organizer is None or not FELLOW_CANDIDATES.search(text):
        return set()
    if not organizer[0].email or is_public_provider(domain_of(organizer[0].email)):
        return set()
    return {a.email.casefold() for a, v in people.entries
            if v is Verdict.INTERVIEWER and a.email and is_public_provider(domain_of(a.email))}


def _set_aside(attendee: Attendee, verdict: Verdict, aside: set[str]) -> Verdict:
    if verdict is Verdict.INTERVIEWER and attendee.email.casefold() in aside:
        return Verdict.NOT_PARTICIPATING
    return verdict


def _others_elsewhere(people: Roster, organizer: str) -> bool:
    """Someone else taking part writes from another organisation than the organizer."""
    home = domain_of(organizer)
    return any(
        v is Verdict.INTERVIEWER and a.email and not is_public_provider(domain_of(a.email))
        and not same_organisation(domain_of(a.email), home)
        for a, v in people.entries
    )


def _forwarder(event: CalendarEvent) -> str | None:
    """The address of whoever forwarded the mail the event came in ("FW: Interview…", an
    "-----Original Appointment-----" block), or None when it was not forwarded."""
    mail = event.mail
    if mail is None or mail.sender is None or not mail.sender.email:
        return None
    forwarded = FORWARDED_SUBJECT.match(mail.subject) or FORWARDED_TEXT.search(
        event.description[:20_000])
    return mail.sender.email.casefold() if forwarded else None


def organizer_named_in_title(
    people: Roster, settings: DetectionSettings, named: Sequence[ScheduledPerson]
) -> tuple[Interviewer, ...]:
    """The organizer off the attendee list whom the title names as the other party: a
    booking tool's host ("Second Interview between Amara Nwosu-Diallo and Alex Rivera")."""
    organizer = people.organizer
    if organizer is None or people.organizer_listed or organizer[1] is not Verdict.INTERVIEWER:
        return ()
    host = organizer[0]
    if not any(same_person(p.name, _attendee_name(host), first_only=False) for p in named):
        return ()
    return find_interviewers(Roster((*people.entries, organizer), organizer, True), settings,
                             ())


def speaking_organizer(
    people: Roster, settings: DetectionSettings, schedule: Sequence[ScheduledPerson], text: str
) -> tuple[Interviewer, ...]:
    """The organizer a calendar leaves off the attendee list (Outlook does), when the
    invite they wrote speaks as one of the people I will talk to ("I'll call you at the
    number on your résumé", "Owen and I would like to talk with you"). Coordinators write
    about the panel, not as part of it."""
    organizer = people.organizer
    if organizer is None or people.organizer_listed or organizer[1] is not Verdict.INTERVIEWER:
        return ()
    if not HOST_SPEAKS.search(text) or ORGANIZER_ABSENT.search(text):
        return ()
    return find_interviewers(Roster((*people.entries, organizer), organizer, True), settings,
                             schedule)
