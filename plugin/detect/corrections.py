"""Names the user fixed once in `[[corrections]]`, applied to every interview found after.

Invites spell the same person many ways ("ALVAREZ, JOSE", "José Álvarez 🎉", a bare
address), so a correction's `match` is compared as a person, not as a string: an address
matches the interviewer's address ignoring case; a name matches the interviewer's name
ignoring case, accents, punctuation, titles and word order, then (when only one correction
fits) with a middle name or initial more or less. A wrong greeting is worse than a missed
correction, so a bare initial never stands for a first name here.

The engine applies corrections after computing note ids from the uncorrected interviewers,
so a correction never turns one note into another; the interviewers keep their order and
number for the same reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from afterword.plugin.config import Correction
from afterword.plugin.detect.names import clean_name, formal_address, name_tokens, same_person
from afterword.plugin.model import Interview, Interviewer


@lru_cache(maxsize=512)
def correction_key(match: str) -> str:
    """What two ways of writing one person (or one address) share; "" when the text holds
    no name. "ALVAREZ, JOSE", "José Álvarez" and "Dr. Jose Alvarez" share a key."""
    text = " ".join(match.split())
    if "@" in text:
        return text.casefold()
    return " ".join(sorted(name_tokens(clean_name(text))))


def apply_corrections(interview: Interview, corrections: Sequence[Correction]) -> Interview:
    """The interview with each interviewer corrected by the entry that matches them."""
    if not corrections:
        return interview
    taken = {p.email.casefold() for p in interview.interviewers if p.email}
    fixed = []
    for person in interview.interviewers:
        correction = correction_for(person, corrections)
        fixed.append(person if correction is None else _corrected(person, correction, taken))
    if tuple(fixed) == interview.interviewers:
        return interview
    return replace(interview, interviewers=tuple(fixed))


def correction_for(person: Interviewer, corrections: Sequence[Correction]) -> Correction | None:
    """The entry for this person: by address first, then by the same name, then by a name
    differing only in middle names (when exactly one entry fits that way)."""
    address = (person.email or "").strip().casefold()
    if address:
        for correction in corrections:
            if correction.by_address and correction.match.casefold() == address:
                return correction
    by_name = [c for c in corrections if not c.by_address]
    key = correction_key(person.name)
    if not key:
        return None
    for correction in by_name:
        if correction_key(correction.match) == key:
            return correction
    loose = [c for c in by_name if _same_given_and_family(c.match, person.name)]
    return loose[0] if len(loose) == 1 else None


def _same_given_and_family(a: str, b: str) -> bool:
    """Same first name in full and the same family name; middle names may differ
    ("José Álvarez" and "José M. Álvarez García"), initials never stand for first names."""
    ca, cb = clean_name(a), clean_name(b)
    ta, tb = name_tokens(ca), name_tokens(cb)
    if len(ta) < 2 or len(tb) < 2 or ta[0] != tb[0] or len(ta[0]) < 2:
        return False
    return same_person(ca, cb, first_only=False)


def _corrected(person: Interviewer, correction: Correction, taken: set[str]) -> Interviewer:
    """Name and greeting as the user wrote them; the address only where the invite gave
    none, and never one another interviewer of the interview already has (two notes to
    one person)."""
    email = person.email
    wanted = (correction.email or "").casefold()
    if wanted and not person.email and not correction.by_address and wanted not in taken:
        email = wanted
        taken.add(wanted)
    greeting = correction.greeting or person.greeting
    if not correction.greeting and correction.name and person.greeting:
        # the invite's "Dr. Alvarez", with the surname as the user spells it
        title = person.greeting.split()[0]
        greeting = formal_address(f"{title} {correction.name}") or person.greeting
    return replace(
        person,
        name=correction.name or person.name,
        greeting=greeting,
        email=email,
    )
