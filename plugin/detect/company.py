"""Which company an interview is with and for which role, so notes can name them.

Sources, most trusted first: the user's own `[[applications]]` (found by a domain or by its
name in the title), the display name of a platform's sender ("Acme via Greenhouse", "Acme
Recruiting <no-reply@hire.lever.co>", "Acme Candidate Calendar"), the event title, the
subject of the mail it came in, that mail's body ("your interview with Acme"), and the mail
domain of the employer's people (Reply-To and sender first: Greenhouse mails come from its
own domain with Reply-To at the employer's). A scheduling platform ("Greenhouse", "GoodTime")
is never taken for the employer.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from afterword.plugin.config import Application
from afterword.plugin.detect.addresses import (
    domain_of,
    is_automated,
    is_public_provider,
    is_scheduling_tool,
    is_valid_address,
    organisation_label,
    within_any,
)
from afterword.plugin.detect.itinerary import MAX_DESCRIPTION, looks_like_person
from afterword.plugin.detect.lexicon import (
    COMPANY_SUFFIXES,
    LEGAL_FORMS,
    NON_NAME_WORDS,
    is_job_word,
)
from afterword.plugin.detect.merge import company_key
from afterword.plugin.detect.names import is_uncased, name_key, same_person
from afterword.plugin.detect.settings import DetectionSettings
from afterword.plugin.model import CalendarEvent, Interviewer

PLATFORM_NAMES = frozenset({
    "greenhouse", "goodtime", "good time", "ashby", "lever", "modernloop", "modern loop",
    "guide", "calendly", "gem", "yello", "paradox", "prelude", "icims", "workday",
    "smartrecruiters", "jobvite", "hirevue", "recruitee", "workable", "teamtailor", "breezy",
    "jazzhr", "bamboohr", "coderpad", "hackerrank", "codesignal", "zoom", "webex", "personio",
    "pinpoint", "comeet", "wellfound", "breezy hr", "recruiterbox",
    "google meet", "microsoft teams", "teams", "hangouts", "google calendar", "outlook",
    "trac", "jobtrain", "interfolio", "softgarden", "taleo", "successfactors", "indeed",
    "linkedin", "welcome to the jungle", "join", "microsoft outlook",
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
    "case", "critique", "whiteboard",
    "team", "greet", "for", "with", "the", "a", "an", "and", "&", "+", "of", "your", "my",
    "our", "to", "position", "role", "opening", "job", "candidate", "on", "in", "via",
    "hiring", "rescheduled", "confirmed", "tentative", "confirmation", "scheduled",
    "schedule", "scheduling", "itinerary", "details", "invitation", "invite", "reminder",
    "update", "updated", "request", "upcoming", "booked", "guide", "interviewing",
    # the same words in the languages invites from Europe come in
    "entrevista", "entrevistas", "técnica", "tecnica", "técnico", "tecnico", "entretien",
    "entretiens", "technique", "vorstellungsgespräch", "bewerbungsgespräch", "gespräch",
    "interviewtermin", "einladung", "zum", "zur", "colloquio", "colloqui", "sollicitatiegesprek",
    "gesprek", "avec", "con", "mit", "bei", "chez", "pour", "para", "für", "invitación",
    "confirmación", "confirmé", "confirmée", "bestätigung", "videollamada",
    "visioconférence", "votre", "vos", "ihr", "ihre", "ihren", "su", "tu", "tus", "sus",
    "uitnodiging", "sollicitatie", "kennismakingsgesprek", "invito", "convocation",
    "convocatoria", "bewerbung", "termin",
    # academia and care: what kind of visit or post, not who offers it
    "postdoc", "postdoctoral", "faculty", "search", "campus", "visit", "locum",
})
# What platforms and team mailboxes add to an employer's name in a sender's display name.
_SENDER_DECORATION = re.compile(
    r"\s+(?:recruiting|recruitment|talent(?:\s+(?:team|acquisition|partners?))?|careers?"
    r"|hiring(?:\s+team)?|jobs|people(?:\s+team)?|hr|candidate\s+experience|interviews?"
    r"|scheduling|notifications?|team)(?:\s+team)?$",
    re.IGNORECASE,
)
# Where a mail's body names the employer: "your interview with Acme", "the role at Acme".
_BODY_COMPANY = re.compile(
    r"\b(?:interviews?|onsite|on-site|final\s+round|screen|conversations?|loop|role|position"
    r"|opening|opportunity|interest\s+in(?:\s+joining)?|on\s+behalf\s+of|greetings\s+from"
    r"|bei|chez|(?:entrevista|entretien|gespräch)\s+(?:con|avec|mit))"
    r"\s+(?:with|at|from|of)?\s*"  # not "in": "a position in Electrical Engineering"
    r"(?P<co>[A-ZÀ-ÖØ-Þ][\w&'’.-]*(?:\s+(?:&\s+)?[A-ZÀ-ÖØ-Þ][\w&'’.-]*){0,3})",
)
_STORE_NUMBER = re.compile(r"\s*(?:#\s?\d+|\b(?:store|branch|location)\s+#?\d+)\b.*$",
                           re.IGNORECASE)
_WORKS_AT = re.compile(
    r"\b(?:GM|general\s+manager|store\s+manager|owner|co-?founder|founder|CEO|CTO)\s+at\s+"
    r"(?P<co>[A-ZÀ-ÖØ-Þ][\w&'’.-]*(?:\s+(?:&\s+)?[A-ZÀ-ÖØ-Þ][\w&'’.-]*){0,3})",
)
_BODY_ROLE = re.compile(
    r"\bfor\s+(?:the|our|a|an|your)\s+(?P<a>[A-Z][^.,;:!?\n()]{2,70}?)\s+"
    r"(?:role|position|opening|interviews?)\b"
    r"|\b(?:position|role)\s+of\s+(?P<b>[A-Z][^.,;:!?\n()]{2,70})"
    r"|^(?:role|position|job|job\s+title)\s*:\s*(?P<c>[^\n]{2,80})$",
    re.MULTILINE,
)
MAX_BODY_SCAN = 4_000  # of a mail's text searched for the company and role
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
# What a charity's, a school's or a public body's name ends in, after a word of its own.
_BODIES = frozenset({
    "network", "foundation", "trust", "alliance", "partnership", "collective", "cooperative",
    "association", "society", "council", "academy", "school", "schools", "district", "college",
    "hospital", "institute", "centre", "center", "services", "coalition", "fund", "project",
    "initiative", "university", "polytechnic", "laboratory", "observatory", "museum",
})
_DEVOTED_TO = re.compile(r"[ \t]+(?:for|of)(?:[ \t]+(?:the[ \t]+)?[A-Z][\w'’-]*){1,4}")
_OF_WORDS = frozenset({"of", "de", "du", "des", "del", "di", "für"})
_TRAILING_UNITS = frozenset({"ED", "ER", "A&E", "ICU", "NICU", "PICU", "HDU"})
_CARE_UNITS = frozenset({"ward", "icu", "nicu", "picu", "hdu", "a&e", "theatres", "unit"})
_JOINING = frozenset({"of", "for", "and", "the", "de", "du", "des", "del", "der", "für"})
_NOT_COMPANIES = frozenset({
    "hq", "office", "headquarters", "home", "cafe", "lobby", "us", "you", "me", "team",
    "tbd", "tba", "online", "remote",
    "server",  # a restaurant's job ("server interview"); in tech a topic word, no job word
})
_PREFIX = re.compile(
    r"^\s*(?:(?:updated\s+|new\s+)?invitation|invite|reminder|rescheduled|confirmed"
    r"|confirmation|fwd?|re|accepted|tentative|external"
    # a government's or a firm's marking of the mail, not its subject
    r"|official(?:[\s-]+sensitive)?|unclassified|confidential|internal|restricted)\s*:\s*",
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
    r"^(?P<co>.+?)\s+(?:via\s+(?P<platform>[\w .]+)|candidate\s+calendar"
    r"|\((?P<tool>[\w .]+)\))$", re.IGNORECASE
)
_EMPLOYER_LINE = re.compile(
    r"^[ \t]*(?:client|company|employer|hiring\s+(?:company|organi[sz]ation)|organi[sz]ation)"
    r"[ \t]*(?::|\|)[ \t|]*\n?[ \t|]*(?P<co>[^\n|]{2,80})", re.IGNORECASE | re.MULTILINE)
# A name spelled out: capitalised words, joined by "for", "of", "and", "the".
_SPELLED_OUT = re.compile(
    r"\b[A-Z][\w'’-]*(?:[ \t]+(?:(?:for|of|and|the|&)[ \t]+)*[A-Z][\w'’-]*)+")
_SPEAKING_FOR = re.compile(r"^(?P<who>\S+(?:\s+\S+)?)\s+(?:from|at|@)\s+(?P<co>.+)$",
                           re.IGNORECASE)
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w&'’-]*(?:\s+[A-Z&][\w&'’-]*)*")


def company_and_role(
    event: CalendarEvent, interviewers: Sequence[Interviewer], settings: DetectionSettings
) -> tuple[str, str]:
    """(company, role); either is "" when nothing trustworthy names it."""
    title = clean_title(event.summary)
    subject = _mail_subject(event)
    domains = _organisation_domains(event, interviewers, settings)
    people = [i.name for i in interviewers]
    names = [settings.me.name, *people]
    sender = _company_of_sender(event, names)
    title_company, title_role = parse_title(title, settings.me.name, people)
    subject_company, subject_role = (
        parse_title(subject, settings.me.name, people) if subject else ("", ""))
    role = title_role or subject_role or _role_in_body(event)
    named = " | ".join(t for t in (title, subject, sender) if t)
    application = _application_for(domains, named, settings.applications)
    if application is not None:
        company = application.company
        role = application.role or role
    else:
        company = (
            _employer_field(event, names)
            or _fuller(sender, (title_company, subject_company))
            or title_company
            or subject_company
            or _company_in_body(event, names)
            or _spelled_as_written(_company_from_domains(domains), domains, event)
        )
        company = _expanded(company, event)
    return company, _without_company(role, company)


def _fuller(company: str, spellings: Sequence[str]) -> str:
    """The longer spelling of the same company: "Ridgeway Interviews" names "Ridgeway",
    the title says "Ridgeway Systems"."""
    for other in spellings:
        if company and other.casefold().startswith(company.casefold() + " "):
            return other
    return company


def _mail_subject(event: CalendarEvent) -> str:
    """The subject of the mail the event came in, when it is not the event's own title."""
    if event.mail is None or not event.mail.subject:
        return ""
    subject = clean_title(event.mail.subject)
    return "" if subject.casefold() == clean_title(event.summary).casefold() else subject


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
    """Domains that may name the employer: the mail's Reply-To and sender first (a platform's
    mail is answered at the employer), then the interviewers', then everyone else's, without
    mail providers, scheduling tools or my own organisation's."""
    addresses = []
    if event.mail is not None:
        addresses += [a.email for a in event.mail.reply_to if a.email]
        if event.mail.sender is not None and event.mail.sender.email:
            addresses.append(event.mail.sender.email)
    addresses += [i.email for i in interviewers if i.email]
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
    """The employer a scheduling platform or a team mailbox writes for: "Acme via
    Greenhouse", "Acme Candidate Calendar" (GoodTime), "Acme Recruiting", or plain "Acme"
    as the display name of a platform's address. The organizer's name first, then the
    mail's sender's (a calendar organizer's team name says less: "Ridgeway Interviews" is a
    mailbox of Ridgeway Systems)."""
    replies = [domain_of(a.email) for a in event.mail.reply_to] if event.mail else []
    spellers = [*replies, *(domain_of(a.email) for a in event.attendees if a.email)]
    organizer = event.organizer
    if organizer is not None:
        company = _employer_via_platform(organizer.name, names, spellers)
        if company is not None:
            return company
        company = _team_of(organizer.name, names)  # "Bayview Health Talent Acquisition"
        if company:
            return company
    sender = event.mail.sender if event.mail is not None else None
    if sender is None:
        return ""
    via = _employer_via_platform(sender.name, names, spellers)
    if via is not None:  # "" for "Jane Doe via Personio": a person, no company named
        return via
    return _employer_in_display_name(sender.name, sender.email, names, replies)


def _employer_via_platform(
    display: str, names: Sequence[str], domains: Sequence[str] = ()
) -> str | None:
    """"Acme via Greenhouse" or "Acme (Recruitee)" → "Acme"; "" for a person booking
    through a tool ("Jane Doe via Calendly"); None when the name has neither shape. A name
    that could be a person's ("Tramontana Pagos") counts when one of `domains` spells it."""
    found = _VIA.match(" ".join(display[:200].split()))
    if found is None:
        return None
    if found["tool"] and found["tool"].casefold() not in PLATFORM_NAMES:
        return None  # "Jane Doe (she/her)", "Acme (EMEA)": not a platform's sender name
    if found["platform"] and found["platform"].casefold() not in PLATFORM_NAMES:
        return ""
    letters = _letters(found["co"])
    if looks_like_person(found["co"], min_tokens=2) and not any(
            _letters(organisation_label(d)) == letters for d in domains if d):
        return ""
    return _company_phrase(found["co"], names)


def _employer_in_display_name(
    display: str, email: str, names: Sequence[str], reply_domains: Sequence[str] = ()
) -> str:
    """"Acme Recruiting" (a team), or "Acme" as the name of a platform's address; a name
    that could be a person's ("Jordan Blake", "Lattice Point") only when a Reply-To domain
    spells it ("latticepoint.com")."""
    display = " ".join(display[:200].split())
    team = _team_of(display, names)
    if team or _SPEAKING_FOR.match(display) or _SENDER_DECORATION.search(display):
        return team
    domain = domain_of(email)
    if is_automated(email) and not looks_like_person(display, min_tokens=2):
        return _company_phrase(display, names)  # "Riverside Hospitals NHS Trust <no-reply@…>"
    if not domain or not is_scheduling_tool(domain):
        return ""
    letters = _letters(display)
    spelled = any(_letters(organisation_label(d)) == letters for d in reply_domains if d)
    if spelled or not looks_like_person(display, min_tokens=2):
        return _company_phrase(display, names)  # "Acme <no-reply@ashbyhq.com>"
    return ""


def _team_of(display: str, names: Sequence[str]) -> str:
    """The employer a team's or a bot's display name speaks for: "Acme Recruiting",
    "Olivia from Brightwell Careers"; "" for any other name."""
    display = " ".join(display[:200].split())
    speaking = _SPEAKING_FOR.match(display)
    if speaking is not None:  # a person or a bot, for them
        return _company_phrase(_SENDER_DECORATION.sub("", speaking["co"]), names)
    bare = _SENDER_DECORATION.sub("", display)
    if bare != display:  # a team, whatever its words look like
        return _company_phrase(bare, names)
    return ""


def _letters(text: str) -> str:
    """Only the letters and digits, accents dropped: "Bastide Énergie" spells
    "bastide-energie"."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in plain if not unicodedata.combining(c)))


def _company_in_body(event: CalendarEvent, names: Sequence[str]) -> str:
    """The employer a mail's body names: "your interview with Acme", "Greetings from Acme",
    or its writer's job there ("Marco, GM at Basil & Ember")."""
    text = _mail_body(event)
    for found in (*_BODY_COMPANY.finditer(text), *_WORKS_AT.finditer(text)):
        candidate = found["co"].rstrip(".")
        if looks_like_person(candidate, min_tokens=2):
            continue
        company = _company_phrase(candidate, names)
        if company:
            return company
    return ""


def _role_in_body(event: CalendarEvent) -> str:
    """The job a mail's body names: "for the Senior Data Engineer role", "Role: …"."""
    for found in _BODY_ROLE.finditer(_mail_body(event)):
        role = _role_words(next(g for g in found.groups() if g))
        if role:
            return role
    return ""


def _mail_body(event: CalendarEvent) -> str:
    if event.mail is None:
        return ""
    return (event.mail.text or event.description)[:MAX_BODY_SCAN]


def _spelled_as_written(guess: str, domains: Sequence[str], event: CalendarEvent) -> str:
    """The company as the invite spells it when a domain gave only its letters:
    "cobaltlabs.com" is "Cobalt Labs" when the description says "at Cobalt Labs". Of the
    spellings found, the fullest: "Harrowgate University" in the signature, not the
    "Harrowgate" of "welcome to Harrowgate"."""
    source = next((d for d in domains if company_from_domain(d) == guess), None)
    label = re.sub(r"[^a-z0-9]", "", organisation_label(source)) if source else ""
    if not label:
        return guess
    organizer = event.organizer.name if event.organizer is not None else ""
    text = " ".join((event.summary[:300], organizer[:200], event.description[:MAX_DESCRIPTION]))
    found = [name for run in _CAPITALISED_RUN.finditer(text)
             if (name := _spelling_in(run, label, text))]
    return max(found, key=lambda name: len(name.split()), default=guess)


def _spelling_in(run: re.Match[str], label: str, text: str) -> str:
    """The company in one run of capitalised words, with the words that complete its name
    ("Brackenridge Capital", "Riverstone Literacy Project", "Kessler Institute for
    Biomedical Research"); "" when the run does not spell `label`."""
    spans = [(m.start() + run.start(), m.end() + run.start(), m.group(0))
             for m in re.finditer(r"\S+", run.group(0))]
    words = [word for _start, _end, word in spans]
    for i in range(len(words)):
        for j in range(i + 1, min(i + 5, len(words)) + 1):
            if not _spells(words[i:j], label):
                continue
            while j < len(words) and words[j].casefold().strip(_EDGE) in COMPANY_SUFFIXES:
                j += 1  # "Brackenridge Capital" for brackenridge.com
            ahead = [w.casefold().strip(_EDGE) for w in words[j:j + 2]]
            if ahead[:1] and ahead[0] in _BODIES:
                j += 1  # "Riverstone Literacy Project" for riverstoneliteracy.org
            elif len(ahead) == 2 and ahead[1] in _BODIES:
                j += 2  # "Harvest Commons Food Network" for harvestcommons.org
            name = " ".join(words[i:j]).strip(_EDGE)
            if words[j - 1].casefold().strip(_EDGE) in _BODIES:
                name += _devoted_to(text, spans[j - 1][1])
            return name
    return ""


def _devoted_to(text: str, at: int) -> str:
    """" for Biomedical Research" after "Kessler Institute": what a body is for, when the
    text goes on to say it in capitals."""
    found = _DEVOTED_TO.match(text, at)
    return found.group(0).rstrip(_EDGE) if found else ""


def _spells(words: Sequence[str], label: str) -> bool:
    """The words spell the domain label: whole ("Cobalt Labs" for cobaltlabs), or their
    first words whole and each of the rest cut short, to its initial or more ("Juniper
    Ridge Credit Union" for juniperridgecu, "Tamarack Insurance" for tamarackins)."""
    for whole in range(len(words), 0, -1):
        head = _letters(" ".join(words[:whole]))
        if label.startswith(head) and _abbreviates(
                [x for x in map(_letters, words[whole:]) if x], label[len(head):]):
            return True
    return False


def _abbreviates(words: Sequence[str], rest: str) -> bool:
    """`rest` is the words in order, each cut to a prefix of at least one letter."""
    if not words:
        return not rest
    first = words[0]
    return any(first[:size] == rest[:size] and _abbreviates(words[1:], rest[size:])
               for size in range(1, min(len(first), len(rest)) + 1))


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
    store = _store_in_parens(title, names)
    plain = _strip_parens(title)
    at = _AT.match(plain)
    if at is not None:
        company = _company_phrase(_CLAUSE_END.split(_PARTS.split(at["co"])[0])[0], names)
        if company:
            return company, role or _role_in_parts(_PARTS.split(at["pre"]), names)
        plain = _AT_WHEN.sub("", plain)  # Google's "Invitation: X @ Tue Nov 24, 2pm"
    parts = [p for side in _PAIR.split(plain) for p in _PARTS.split(side) if p.strip()]
    company = store
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


def _store_in_parens(title: str, names: Sequence[str]) -> str:
    """"Group Interview – Sales Associates (Thistle & Pine #214)": a shop or a branch,
    named by its number, is the employer."""
    for inside in _PARENS.findall(title):
        found = _STORE_NUMBER.search(inside)
        if found is not None:
            company = _company_phrase(inside[:found.start()], names)
            if company:
                return company
    return ""


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
    words = _without_kind_words(text.strip(_EDGE).split())
    if words and words[0][:1].isupper():  # "Globex data team" → "Globex"
        while len(words) > 1 and words[-1].islower():
            words.pop()
    words = _joined_by_ampersand(_without_uncased_qualifiers(words))
    if (len(words) > 1 and words[-1].strip(_EDGE) in _TRAILING_UNITS
            and _POSSESSIVE.sub("", words[-2].casefold().strip(_EDGE)) in _BODIES):
        words.pop()  # "St Aldhelm's Hospital ED": the hospital, not its department
    phrase = _POSSESSIVE.sub("", " ".join(words).strip(_EDGE)).strip(_EDGE)
    if not phrase or len(phrase) > 60 or len(phrase.split()) > 6:
        return ""
    if _ODD_CHARACTERS.search(phrase) or not any(c.isalpha() for c in phrase):
        return ""
    lowered = phrase.casefold()
    if lowered in PLATFORM_NAMES or lowered in _NOT_COMPANIES or _names_someone(phrase, names):
        return ""
    if all(word in NON_NAME_WORDS for word in lowered.split()):
        return ""  # slot and topic words only: "Product interview", "Product Design Case"
    words = lowered.split()
    if _job_words(words[-1]) or (len(words) > 2 and _job_words(words[0])
                                 and words[1] in _OF_WORDS):
        return ""  # a job, not its employer: "Science Teacher", "Chef de projet Data"
    if any(word.strip(_EDGE) in _CARE_UNITS for word in words):
        return ""  # a hospital's ward or unit: "Ward 7B Acute Medicine", "Cardiovascular ICU"
    if sum(c.isdigit() for c in phrase) >= 3:
        return ""  # a reference: "284-RUH-7781", "R-0044127"
    if phrase == phrase.lower():
        phrase = " ".join(w.capitalize() for w in phrase.split())
    return phrase


def _without_kind_words(words: list[str]) -> list[str]:
    """The words that can belong to a name: meeting words go, but a joining word between
    two capitalised words of the name stays ("Bank of America", "Department for Education")."""
    def kind(word: str) -> bool:
        return word.casefold().strip(_EDGE) in _KIND_WORDS

    kept: list[str] = []
    for i, word in enumerate(words):
        joins = (word.casefold() in _JOINING and bool(kept) and kept[-1] == words[i - 1]
                 and i + 1 < len(words) and words[i + 1][:1].isupper() and not kind(words[i + 1]))
        if word == "&" or joins or not kind(word):
            kept.append(word)
    return kept


def _without_uncased_qualifiers(words: list[str]) -> list[str]:
    """"Kumori Systems 最終面接" → "Kumori Systems": in a name written in Latin letters, words
    at its edges in a script without case are the title's words in another language ("final
    interview"), not part of the name. A name written wholly in such a script stays."""
    if not any(c.isupper() or c.islower() for w in words for c in w):
        return words
    start, end = 0, len(words)
    while start < end and is_uncased(words[start]):
        start += 1
    while end > start and is_uncased(words[end - 1]):
        end -= 1
    return words[start:end]


def _joined_by_ampersand(words: list[str]) -> list[str]:
    """"&" stays only between two words of the name ("Whitlock & Hale"), not at its edges
    or where a meeting word was dropped ("Acme & Alex" was "Acme &")."""
    kept: list[str] = []
    for i, word in enumerate(words):
        inside = bool(kept) and kept[-1] != "&" and i + 1 < len(words) and words[i + 1] != "&"
        if word != "&" or inside:
            kept.append(word)
    return kept


def _job_words(text: str) -> bool:
    """A job word, also in a title written for every gender ("Ingeniero/a", "Ingénieur·e")."""
    return any(is_job_word(part) for w in text.split()
               for part in re.split(r"[/·]", w.casefold().strip(_EDGE)))


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
    if not phrase or _ODD_CHARACTERS.search(re.sub(r"(?<=\w)[/·](?=\w)", "", phrase)):
        return ""  # "Ingeniero/a" and "Ingénieur·e" are titles, other symbols are not
    return phrase if len(phrase) <= 80 and _job_words(phrase) else ""


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
    """"Acme Tech Lead" → "Tech Lead", "Paralegal, Acme LLP" → "Paralegal" when the
    company is Acme (LLP)."""
    if not company:
        return role
    if role.casefold().startswith(company.casefold() + " "):
        return role[len(company) + 1:].strip()
    head, comma, tail = role.rpartition(",")
    if comma and company_key(tail) == company_key(company):
        return head.strip()
    return role


def _employer_field(event: CalendarEvent, names: Sequence[str]) -> str:
    """The employer an agency's or a platform's mail names in a field of its own ("Client:
    Ashcombe Whitfield LLP"): said outright, it beats every guess from senders and domains."""
    text = event.description[:MAX_BODY_SCAN]
    if event.mail is not None and event.mail.text:
        text += "\n" + event.mail.text[:MAX_BODY_SCAN]
    for found in _EMPLOYER_LINE.finditer(text):
        company = _company_phrase(found["co"].split("|")[0], names)
        if company:
            return company
    return ""


def _expanded(company: str, event: CalendarEvent) -> str:
    """"DIW" as the invite writes it out ("Department for Inland Waterways"), when it does:
    an acronym from a domain or a title reads oddly in a thank-you note."""
    if not (2 <= len(company) <= 6 and company.isupper() and company.isalpha()):
        return company
    organizer = event.organizer.name if event.organizer is not None else ""
    text = " ".join((event.summary[:300], organizer[:200], event.description[:MAX_DESCRIPTION],
                     event.mail.text[:MAX_BODY_SCAN] if event.mail is not None else ""))
    for run in _SPELLED_OUT.finditer(text):
        words = run.group(0).split()
        for i, first in enumerate(words):
            if first[:1] != company[0]:
                continue
            capitals = 0
            for j in range(i, len(words)):
                if words[j][:1].isupper():
                    if words[j][0] != company[capitals]:
                        break
                    capitals += 1
                    if capitals == len(company):
                        return " ".join(words[i:j + 1])
    return company


# --- titles --------------------------------------------------------------------------------

_TITLE_TAIL = re.compile(
    r"^(?P<head>.+?)\s*(?:,|\||·|\s[-–—]\s|\s+at\s+|\s+@\s+)\s*(?P<tail>[^,|·]+)$")


def without_employer(title: str | None, company: str) -> str | None:
    """A job title without the employer a signature puts after it: "Head of Engineering,
    Sundial Cartography" → "Head of Engineering" at Sundial Cartography, while "Engineering
    Manager, Data Platform" keeps its team."""
    if not title or not company:
        return title
    found = _TITLE_TAIL.match(title)
    if found is None:
        return title
    tail, employer = name_key(found["tail"]).split(), name_key(company).split()
    if not employer or tail[: len(employer)] != employer:
        return title
    if any(w not in COMPANY_SUFFIXES and w not in LEGAL_FORMS for w in tail[len(employer):]):
        return title
    return found["head"].strip(_EDGE) or title
