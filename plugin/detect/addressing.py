"""Addresses for the interviewers an invite names without one.

An address learned from the mail I exchanged with the company (address_book.py) goes into
the note, since that mail says who the person is. A guess from the company's address
pattern never does: it is offered in the warning and in `status`, for the user to check.
Both look only at the employer's own domains, so a namesake elsewhere is never picked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from afterword.plugin.config import Application
from afterword.plugin.detect.address_book import AddressBook, KnownAddress, suggest_address
from afterword.plugin.detect.addresses import (
    domain_of,
    is_public_provider,
    is_scheduling_tool,
    within_any,
)
from afterword.plugin.detect.merge import same_company
from afterword.plugin.model import CalendarEvent, Interview


def conversation_domains(book: AddressBook, event: CalendarEvent) -> list[str]:
    """The company domains in the conversation around the mail `event` was read from: a
    platform's confirmation names the employer only there, in its Reply-To and Cc and in
    the replies to it."""
    if event.mail is None or not event.mail.message_id:
        return []
    return book.employer_domains(event.mail.message_id)


def employer_domains(interview: Interview, applications: Sequence[Application],
                     work_domains: Iterable[str], seen_in_mail: Iterable[str] = ()
                     ) -> tuple[str, ...]:
    """The employer's domains: those of `[[applications]]` for the company, of the
    interviewers' known addresses, and `seen_in_mail` (conversation_domains of its mailed
    invitations); never a mail provider's, a scheduling platform's or my organisation's."""
    mine = tuple(work_domains)
    found: list[str] = [d for app in applications if same_company(app.company, interview.company)
                        for d in app.domains]
    found += [domain_of(p.email) for p in interview.interviewers if p.email]
    found += seen_in_mail
    result: list[str] = []
    for domain in found:
        domain = domain.lower()
        if (domain and domain not in result and not is_public_provider(domain)
                and not is_scheduling_tool(domain) and not within_any(domain, mine)):
            result.append(domain)
    return tuple(result)


def address_interviewers(interview: Interview, ids: Sequence[str], book: AddressBook,
                         domains: Sequence[str]) -> tuple[Interview, dict[str, str]]:
    """The interview with addresses the mail vouches for filled in, and a guessed address
    for each note still without one (by note id)."""
    if not domains or all(p.email for p in interview.interviewers):
        return interview, {}
    taken = {p.email.lower() for p in interview.interviewers if p.email}
    people = list(interview.interviewers)
    for i, person in enumerate(people):
        if person.email:
            continue
        found = book.address_for(person.name, domains)
        if found and found.lower() not in taken:
            people[i] = replace(person, email=found.lower())
            taken.add(found.lower())
    known = [KnownAddress(name=p.name, email=p.email.lower()) for p in people if p.email
             and within_any(domain_of(p.email), tuple(domains))]
    known += [k for k in book.known_at(domains) if k.email not in taken]
    guesses: dict[str, str] = {}
    for note_id, person in zip(ids, people, strict=True):
        if not person.email:
            guess = suggest_address(person.name, known)
            if guess and guess.lower() not in taken:
                guesses[note_id] = guess
    return replace(interview, interviewers=tuple(people)), guesses
