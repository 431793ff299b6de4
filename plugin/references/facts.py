"""What a reference needs to know about one company, taken from its finished interviews.

Pure: the people I met (the hiring manager first), the role, who to contact, and when the
decision falls. A reference who calls the wrong person, or a week too late, helps no one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from afterword.plugin.compose.render import clean, clip
from afterword.plugin.errors import UserError
from afterword.plugin.model import Interview, stable_id

_HIRING_MANAGER = re.compile(r"\bhiring[\s_-]*manager\b", re.IGNORECASE)
_RECRUITER = re.compile(r"\b(?:recruit\w*|talent\s+(?:acquisition|partner)\w*)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Person:
    """Someone I met at the company, as a reference would be told about them."""

    name: str
    email: str | None
    title: str  # "" when unknown
    hiring_manager: bool = False
    recruiter: bool = False

    @property
    def described(self) -> str:
        """'Hannah Berg, Director of Data (the hiring manager)'."""
        text = f"{self.name}, {self.title}" if self.title else self.name
        if self.hiring_manager and not _HIRING_MANAGER.search(self.title):
            text += " (the hiring manager)"
        elif self.recruiter and not _RECRUITER.search(self.title):
            text += " (the recruiter)"
        return text

    @property
    def role_word(self) -> str:
        """'Hannah Berg, the hiring manager': how the contact line names them."""
        if self.hiring_manager:
            return f"{self.name}, the hiring manager"
        if self.recruiter:
            return f"{self.name}, the recruiter"
        return f"{self.name}, {self.title}" if self.title else self.name


@dataclass(frozen=True)
class CompanyFacts:
    company: str  # as the interviews spell it (drafts quote it cleaned and clipped)
    role: str  # "" when no interview named it
    people: tuple[Person, ...]  # the hiring manager(s) first, then in the order I met them
    contact: Person | None  # who a reference should reach, None when nobody fits
    last_interview_end: datetime

    @property
    def position(self) -> str:
        """'the Senior Data Engineer role', or 'the role' when it is unknown."""
        if not self.role:
            return "the role"
        if self.role.lower().endswith(("role", "position")):
            return f"the {self.role}"
        return f"the {self.role} role"


def company_id(company: str) -> str:
    """The id of a company in our own headers (`offer:<id>`): stable whatever the case."""
    return stable_id("company", " ".join(company.casefold().split()))


def _key(company: str) -> str:
    return " ".join(company.casefold().split())


def match_company(wanted: str, interviews: Iterable[Interview]) -> str:
    """The company of a known interview that `wanted` names (case-insensitively), spelled
    as the interviews spell it; UserError listing the known companies otherwise."""
    known: dict[str, str] = {}
    for iv in interviews:
        if iv.company.strip():
            known.setdefault(_key(iv.company), iv.company.strip())
    found = known.get(_key(wanted))
    if found is not None:
        return found
    if not known:
        raise UserError("no interview is known yet, so there is no company to name; fix: run "
                        "`afterword run --once` after your interviews first")
    listed = ", ".join(sorted(known.values(), key=str.casefold))
    raise UserError(f"no known interview is with {wanted!r}; fix: use one of: {listed}")


def interviews_with(company: str, interviews: Iterable[Interview]) -> list[Interview]:
    return sorted((iv for iv in interviews if _key(iv.company) == _key(company)),
                  key=lambda iv: (iv.start, iv.id))


def _person(name: str, email: str | None, title: str | None, topic: str | None) -> Person:
    about = f"{title or ''} {topic or ''}"
    return Person(
        name=clip(clean(name), (60, 6)),
        email=email or None,
        title=clip(clean(title), (80, 10)),
        hiring_manager=bool(_HIRING_MANAGER.search(about)),
        recruiter=bool(_RECRUITER.search(about)),
    )


def company_facts(company: str, finished: Sequence[Interview]) -> CompanyFacts:
    """Facts from the company's finished interviews (at least one, oldest first)."""
    if not finished:
        raise ValueError("company_facts needs at least one finished interview")
    people: dict[str, Person] = {}
    for iv in finished:
        for who in iv.interviewers:
            found = _person(who.name, who.email, who.title, who.topic)
            known = people.get(who.key)
            if known is None:
                people[who.key] = found
            else:  # met twice: keep what either meeting told
                people[who.key] = Person(
                    known.name, known.email or found.email, known.title or found.title,
                    known.hiring_manager or found.hiring_manager,
                    known.recruiter or found.recruiter)
    ordered = sorted(people.values(), key=lambda p: not p.hiring_manager)
    role = next((clip(clean(iv.role), (80, 10)) for iv in reversed(finished) if iv.role), "")
    return CompanyFacts(company=company, role=role,
                        people=tuple(ordered), contact=choose_contact(ordered),
                        last_interview_end=max(iv.end for iv in finished))


def choose_contact(people: Sequence[Person]) -> Person | None:
    """The hiring manager, else the recruiter; someone with a known address first."""
    ranked = [(not p.email, not p.hiring_manager, i) for i, p in enumerate(people)
              if p.hiring_manager or p.recruiter]
    return people[min(ranked)[2]] if ranked else None
