"""Which company an interview is with and for which role, so notes can name them.

Sources, most trusted first: the user's own `[[applications]]`, the event title, the
interviewers' mail domain. A scheduling platform ("Greenhouse", "GoodTime") is never taken
for the employer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from afterword.plugin.config import Application
from afterword.plugin.detect.addresses import (
    domain_of,
    is_public_provider,
    is_scheduling_tool,
    is_valid_address,
    organisation_label,
    within_any,
)
from afterword.plugin.detect.itinerary import MAX_DESCRIPTION, looks_like_person
from afterword.plugin.detect.lexicon import COMPANY_SUFFIXES, JOB_WORDS
from afterword.plugin.detect.names import name_key, same_person
from afterword.plugin.detect.settings import DetectionSettings
from afterword.plugin.model import CalendarEvent, Interviewer

PLATFORM_NAMES = frozenset({
    "greenhouse", "goodtime", "good time", "ashby", "lever", "modernloop", "modern loop",
    "guide", "calendly", "gem", "yello", "paradox", "prelude", "icims", "workday",
    "smartrecruiters", "jobvite", "hirevue", "recruitee", "workable", "teamtailor", "breezy",
    "jazzhr", "bamboohr", "coderpad", "hackerrank", "codesignal", "zoom", "webex",
    "google meet", "microsoft teams", "teams", "hangouts", "google calendar", "outlook",
})
# Words that describe the meeting, not the company ("Acme Virtual Onsite" → "Acme").
_KIND_WORDS = frozenset({
    "interview", "interviews", "onsite", "on-site", "site", "virtual", "final", "round",
    "phone", "screen", "screening", "technical", "tech", "panel", "call", "chat", "loop",
    "superday", "recruiter", "initial", "intro", "introductory", "first", "second", "third",
    "1st", "2nd", "3rd", "next", "steps", "follow-up", "followup", "meeting", "video",
    "zoom", "teams", "webex", "meet", "hangout", "session", "conversation", "coffee",
    "lunch", "coding", "behavioral", "behavioural",
    "presentation", "take-home", "review", "exercise", "assessment", "values",
    "team", "greet", "for", "with", "the", "a", "an", "and", "&", "+", "of", "your", "my",
    "our", "to", "position", "role", "opening", "job", "candidate", "on", "in", "via",
    "hiring", "rescheduled", "confirmed", "tentative",
})
# Multi-word slot names whose words could also be part of a company's name ("Kaito Systems").
_KIND_PHRASES = re.compile(
    r"\b(?:systems?\s+design|case\s+study|deep\s+dive|pair(?:ing)?\s+programming|pairing"
    r"|culture\s+fit|meet\s+(?:and|&)\s+greet|portfolio\s+review|product\s+sense"
    r"|take\s+home|q\s*&\s*a)\b",
    re.IGNORECASE,
)
_WHEN_TOKEN = re.compile(
    r"^(?:\d+(?:[:.]\d+)?(?:\s*[ap]\.?m\.?)?|(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)"
    r"(?:day)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|jan|feb|mar|apr|jun"
    r"|jul|aug|sep|sept|oct|nov|dec|january|february|september|october|november|december"
    r"|today|tomorrow)$",
    re.IGNORECASE,
)
_NOT_COMPANIES = frozenset({
    "hq", "office", "headquarters", "home", "cafe", "lobby", "us", "you", "me", "team",
    "tbd", "tba", "online", "remote",
})
_PREFIX = re.compile(
    r"^\s*(?:(?:updated\s+|new\s+)?invitation|invite|reminder|rescheduled|confirmed"
    r"|confirmation|fwd?|re|accepted|tentative|external)\s*:\s*",
    re.IGNORECASE,
)
_TAGS = re.compile(r"\[[^\]]*\]")
_PAIR = re.compile(r"\s*(?:<>|<->|↔|\s[x×]\s)\s*")
_AT = re.compile(r"^(?P<pre>.*?)\s+(?:at|@)\s+(?P<co>.+)$", re.IGNORECASE)
_FOR = re.compile(r"\bfor\s+(?:the\s+|a\s+|an\s+)?(?P<what>.+)$", re.IGNORECASE)
_CLAUSE_END = re.compile(r"\s+(?:for|about|re|regarding|at|@|on)\s+", re.IGNORECASE)
_AT_WHEN = re.compile(r"\s+@\s+.*$")
_WITH = re.compile(r"\b(?:with|w/)\s+(?P<who>.+)$", re.IGNORECASE)
_PARTS = re.compile(r"\s+[-–—]\s+|\s*[–—|:·/]\s*")
_PARENS = re.compile(r"\(([^()]*)\)")
_HIRING_MANAGER = re.compile(r"\bhiring\s+manager\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$")
_ODD_CHARACTERS = re.compile(r"[^\w\s&.,'’+!-]")
_EDGE = " \t.,;:!?-–—|'\"*()[]"
_VIA = re.compile(
    r"^(?P<co>.+?)\s+(?:via\s+(?P<platform>[\w .]+)|candidate\s+calendar)$", re.IGNORECASE
)
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w&'’-]*(?:\s+[A-Z&][\w&'’-]*)*")


def company_and_role(
    event: CalendarEvent, interviewers: Sequence[Interviewer], settings: DetectionSettings
) -> tuple[str, str]:
    """(company, role); either is "" when nothing trustworthy names it."""
    title = clean_title(event.summary)
    domains = _organisation_domains(event, interviewers, settings)
    people = [i.name for i in interviewers]
    application = _application_for(domains, title, settings.applications)
    title_company, title_role = parse_title(title, settings.me.name, people)
    if application is not None:
        company = application.company
        role = application.role or title_role
    else:
        names = [settings.me.name, *people]
        company = (
            _company_of_sender(event, names)
            or title_company
            or _spelled_as_written(_company_from_domains(domains), domains, event)
        )
        role = title_role
    return company, _without_company(role, company)


def company_from_domain(domain: str) -> str:
    """A company name from its mail domain: "acme.com" → "Acme", "data-corp.co.uk" →
    "Data Corp", "ibm.com" → "IBM"."""
    label = organisation_label(domain)
    if not label:
        return ""
    if len(label) <= 3 and label.isalpha():
        return label.upper()
    return " ".join(w.capitalize() for w in re.split(r"[-_]+", label) if w)


def clean_title(summary: str) -> str:
    title = " ".join(summary[:300].split())
    for _ in range(3):
        title = _PREFIX.sub("", title)
    return " ".join(_TAGS.sub(" ", title).split())


# --- applications and domains -----------------------------------------------------------


def _organisation_domains(
    event: CalendarEvent, interviewers: Sequence[Interviewer], settings: DetectionSettings
) -> list[str]:
    """Domains that may name the employer: the interviewers' first, then everyone else's,
    without mail providers, scheduling tools or my own organisation's."""
    addresses = [i.email for i in interviewers if i.email]
    addresses += [a.email for a in event.attendees if a.email]
    if event.organizer is not None and event.organizer.email:
        addresses.append(event.organizer.email)
    domains: list[str] = []
    for address in addresses:
        if address.casefold() in settings.me.addresses or not is_valid_address(address):
            continue
        domain = domain_of(address)
        if not domain or is_public_provider(domain) or is_scheduling_tool(domain):
            continue
        if within_any(domain, settings.work_domains) or domain.endswith("calendar.google.com"):
            continue
        domains.append(domain)
    return domains


def _application_for(
    domains: Sequence[str], title: str, applications: Iterable[Application]
) -> Application | None:
    applications = tuple(applications)
    for domain in domains:
        for app in applications:
            if within_any(domain, app.domains):
                return app
    for app in applications:
        if app.company and _contains_phrase(title, app.company):
            return app
    return None


def _contains_phrase(text: str, phrase: str) -> bool:
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _company_of_sender(event: CalendarEvent, names: Sequence[str]) -> str:
    """The employer a scheduling platform writes for: "Acme via Greenhouse", "Acme Candidate
    Calendar" (GoodTime)."""
    sender = event.organizer.name if event.organizer is not None else ""
    found = _VIA.match(" ".join(sender[:200].split()))
    if found is None or (found["platform"] and found["platform"].casefold() not in PLATFORM_NAMES):
        return ""
    if looks_like_person(found["co"], min_tokens=2):
        return ""  # "Jane Doe via Calendly": a person booking through a tool, not an employer
    return _company_phrase(found["co"], names)


def _spelled_as_written(guess: str, domains: Sequence[str], event: CalendarEvent) -> str:
    """The company as the invite spells it when a domain gave only its letters:
    "cobaltlabs.com" is "Cobalt Labs" when the description says "at Cobalt Labs"."""
    source = next((d for d in domains if company_from_domain(d) == guess), None)
    label = re.sub(r"[^a-z0-9]", "", organisation_label(source)) if source else ""
    if not label:
        return guess
    organizer = event.organizer.name if event.organizer is not None else ""
    text = " ".join((event.summary[:300], organizer[:200], event.description[:MAX_DESCRIPTION]))
    for run in _CAPITALISED_RUN.finditer(text):
        words = run.group(0).split()
        for i in range(len(words)):
            for j in range(i + 1, min(i + 4, len(words)) + 1):
                phrase = " ".join(words[i:j])
                if re.sub(r"[^a-z0-9]", "", phrase.casefold()) == label:
                    while j < len(words) and words[j].casefold().strip(_EDGE) in COMPANY_SUFFIXES:
                        j += 1  # "Brackenridge Capital" for brackenridge.com
                    return " ".join(words[i:j]).strip(_EDGE)
    return guess


def _company_from_domains(domains: Sequence[str]) -> str:
    if not domains:
        return ""
    counts = Counter(organisation_label(d) for d in domains)
    best = max(counts.values())
    for domain in domains:  # the most frequent, ties to the first seen
        if counts[organisation_label(domain)] == best:
            return company_from_domain(domain)
    return ""


# --- the title ----------------------------------------------------------------------------


def parse_title(title: str, my_name: str, people: Sequence[str] = ()) -> tuple[str, str]:
    """(company, role) as the title states them, "" where it does not.

    Handles "Senior Data Engineer at Acme", "Acme – Onsite (Data Engineer)",
    "Acme <> Alex Rivera", "Phone screen with Acme", "Interview with Acme for Data Engineer",
    "Alex Rivera - Senior Data Engineer - Acme".
    """
    title = clean_title(title)
    names = [n for n in (my_name, *people) if n]
    role = _role_in_parens(title)
    plain = _strip_parens(title)
    at = _AT.match(plain)
    if at is not None:
        company = _company_phrase(_CLAUSE_END.split(_PARTS.split(at["co"])[0])[0], names)
        if company:
            return company, role or _role_in_parts(_PARTS.split(at["pre"]), names)
        plain = _AT_WHEN.sub("", plain)  # Google's "Invitation: X @ Tue Nov 24, 2pm"
    parts = [p for side in _PAIR.split(plain) for p in _PARTS.split(side) if p.strip()]
    company = ""
    for part in parts:
        with_clause = _WITH.search(part)
        if with_clause is not None:
            who = _CLAUSE_END.split(with_clause["who"], maxsplit=1)[0]
            if not _names_someone(who, names) and not looks_like_person(who, min_tokens=2):
                company = company or _company_phrase(who, names)
            part = part[: with_clause.start()]
        if _names_someone(part, names) or _job_words(part):
            continue
        company = company or _company_phrase(part, names)
    return company, role or _role_in_parts(parts, names)


def _strip_parens(text: str) -> str:
    return " ".join(_PARENS.sub(" ", text).split())


def _names_someone(text: str, names: Sequence[str]) -> bool:
    """The fragment is one of these people ("Priya" for Priya Shah) or contains a full name
    of theirs ("Interview with Alex Rivera")."""
    text = text.strip(_EDGE)
    if not text:
        return False
    padded = f" {name_key(text)} "
    for name in names:
        key = name_key(name)
        if same_person(text, name) or (" " in key and f" {key} " in padded):
            return True
    return False


def _company_phrase(text: str, names: Sequence[str]) -> str:
    """What is left of a title fragment once the meeting words are gone, if it can be a
    company name: not a time, a person, a place word or a scheduling platform."""
    text = _KIND_PHRASES.sub(" ", text)
    if any(_WHEN_TOKEN.match(w.strip(_EDGE)) for w in text.split()):
        return ""  # a date or time: "@ Tue Nov 24, 2pm", "at 3pm"
    words = [w for w in text.strip(_EDGE).split() if w.casefold().strip(_EDGE) not in _KIND_WORDS]
    if words and words[0][:1].isupper():  # "Globex data team" → "Globex"
        while len(words) > 1 and words[-1].islower():
            words.pop()
    phrase = _POSSESSIVE.sub("", " ".join(words).strip(_EDGE)).strip(_EDGE)
    if not phrase or len(phrase) > 60 or len(phrase.split()) > 6:
        return ""
    if _ODD_CHARACTERS.search(phrase) or not any(c.isalpha() for c in phrase):
        return ""
    lowered = phrase.casefold()
    if lowered in PLATFORM_NAMES or lowered in _NOT_COMPANIES or _names_someone(phrase, names):
        return ""
    if phrase == phrase.lower():
        phrase = " ".join(w.capitalize() for w in phrase.split())
    return phrase


def _job_words(text: str) -> bool:
    return any(w.casefold().strip(_EDGE) in JOB_WORDS for w in text.split())


def _role_phrase(text: str) -> str:
    """A job title from a fragment: "Onsite interview for Senior Data Engineer role" →
    "Senior Data Engineer"; "" when no job word survives."""
    wanted = _FOR.search(text)
    if wanted is not None:
        role = _role_words(_CLAUSE_END.split(wanted["what"], maxsplit=1)[0])
        if role:
            return role
    return _role_words(text)


def _role_words(text: str) -> str:
    words = _HIRING_MANAGER.sub(" ", text).split()
    while words and words[0].casefold().strip(_EDGE) in _KIND_WORDS:
        words.pop(0)
    while words and words[-1].casefold().strip(_EDGE) in _KIND_WORDS:
        words.pop()
    phrase = " ".join(words).strip(_EDGE)
    if not phrase or _ODD_CHARACTERS.search(phrase) or len(phrase) > 80:
        return ""
    return phrase if _job_words(phrase) else ""


def _role_in_parens(title: str) -> str:
    for inside in _PARENS.findall(title):
        role = _role_phrase(inside)
        if role:
            return role
    return ""


def _role_in_parts(parts: Iterable[str], names: Sequence[str]) -> str:
    for part in parts:
        part = _strip_parens(part)
        if _names_someone(part, names):
            continue
        role = _role_phrase(part)
        if role:
            return role
    return ""


def _without_company(role: str, company: str) -> str:
    """"Acme Tech Lead" → "Tech Lead" when the company is Acme."""
    if company and role.casefold().startswith(company.casefold() + " "):
        return role[len(company) + 1:].strip()
    return role
