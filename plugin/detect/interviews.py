"""Is this calendar event one of my job interviews, and who interviewed me?

An interview is an event that I attend and have not declined, that is neither cancelled nor
an all-day marker ("Onsite day" blocks a date, it is not a meeting), that is not a look-alike
(a "[Hold]", prep, a mock interview, a webinar, a career fair, a debrief, a podcast's
"interview recording", a reporter's on-the-record interview, a call about an offer, a friend
on Gmail whose note only asks how my interviews are going), that looks like an interview
(title or description keywords, in English or another language, a recruiting platform,
someone from a company I applied to), that my own company is not holding with me as the
interviewer, and that has at least one interviewer: never whoever only arranges it (an
organizer who writes they will not be on the call, an agency recruiter writing for "my
client", whoever forwarded the invitation), but the organizer a calendar leaves off the
attendee list when they write as the one I will talk to. Events read from email pass the
mail's own checks too (from_mail.py).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

from afterword.plugin.detect import from_mail
from afterword.plugin.detect.addresses import (
    RECRUITING_TOOL_DOMAINS,
    domain_of,
    is_public_provider,
    is_recruiting_tool,
    within_any,
)
from afterword.plugin.detect.company import company_and_role, without_employer
from afterword.plugin.detect.interviewers import (
    OUTSIDERS,
    Roster,
    Verdict,
    find_interviewers,
    is_me,
    organizer_named_in_title,
    outsiders_use_public_mail,
    roster,
    speaking_organizer,
    without_bystanders,
)
from afterword.plugin.detect.itinerary import (
    MAX_DESCRIPTION,
    description_text,
    looks_like_person,
    named_in_title,
    parse_itinerary,
    tidy_title,
)
from afterword.plugin.detect.lexicon import (
    FOREIGN_INTERVIEW_WORDS,
    FOREIGN_LOOKALIKE_WORDS,
    INTERVIEW_TITLE_WORDS,
    JOB_CONTEXT,
    MEDIA_PROSE,
    MEDIA_TITLE,
    OFFER_TITLE,
    REGISTRATION,
    ROLE_TALK,
)
from afterword.plugin.detect.names import same_person
from afterword.plugin.detect.settings import (
    CASUAL_KEYWORDS,
    MY_WORK_REVIEWED,
    TITLE_ONLY_KEYWORDS,
    DetectionSettings,
    mentions,
)
from afterword.plugin.model import Attendee, CalendarEvent, Interview, Interviewer

log = logging.getLogger("afterword.detect")

MAX_SUMMARY = 500
_CANCELLED_TITLE = re.compile(r"^\s*(?:cancel(?:l)?ed|canceled event)\s*[:\-–]", re.IGNORECASE)
_CANDIDATE = re.compile(r"\bcandidate\b\s*[:\-–—]?\s*(?P<rest>.*)", re.IGNORECASE)
_CANDIDATE_NAME_END = re.compile(r"\s+(?:for|at|with|on|re|x)\b|[\-–—|(),/:<>]", re.IGNORECASE)
_TOOL_LINK = re.compile(
    r"(?<![\w.-])(?:[\w-]+\.)*(?:"
    + "|".join(re.escape(d) for d in sorted(RECRUITING_TOOL_DOMAINS))
    + r")(?![\w-])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Signals:
    """Why an event looks like an interview."""

    title: bool = False  # an interview keyword in the title
    description: bool = False  # ... or in the description
    tool: bool = False  # a recruiting platform sent it or is linked from it
    application: bool = False  # someone from an [[applications]] domain attends

    @property
    def any(self) -> bool:
        return self.title or self.description or self.tool or self.application

    @property
    def strong(self) -> bool:
        """Enough on its own, without an attendee list to show it is mine."""
        return self.title or self.tool or self.application


def classify_event(event: CalendarEvent, settings: DetectionSettings) -> Interview | None:
    """The Interview this event is for me, or None (see the module docstring for the rules)."""
    summary = " ".join(event.summary[:MAX_SUMMARY].split())
    if _cancelled(event, summary) or event.all_day:
        return None
    if (mentions(settings.exclude_keywords, summary) and not MY_WORK_REVIEWED.search(summary)
            ) or mentions(FOREIGN_LOOKALIKE_WORDS, summary):
        return None
    if _offer_call(summary):
        return None
    reason = from_mail.lookalike_reason(event, settings)
    if reason is not None:
        log.debug("not an interview: uid=%s (%s, %s)", event.uid, event.source, reason)
        return None
    people = roster(event, settings)
    listed = people.me_listed
    if listed and all(a.partstat.upper() == "DECLINED" for a in listed):
        return None
    text = description_text(event.description)
    signals = detect_signals(event, summary, text, people, settings)
    if not signals.any or not _mine(people, signals):
        return None
    if not signals.strong and mentions(settings.exclude_keywords, text):
        return None  # only the prose says "interview", and it says "practice interview"
    if not people.entries and REGISTRATION.search(text):
        return None  # a published webinar I registered for ("Webinar ID: …"), no attendees
    if _media_appearance(summary, text, signals) or _social(text, people, signals):
        return None
    if i_am_interviewing(summary, people, settings) or _named_as_interviewer(text, settings):
        return None
    schedule = from_mail.mail_schedule(event, parse_itinerary(text))
    people = without_bystanders(people, event, text)
    interviewers = find_interviewers(people, settings, schedule)
    if not interviewers and not people.with_verdict(Verdict.INTERVIEWER):
        named = [p for p in named_in_title(summary) if not is_me(p.name, None, settings)]
        interviewers = find_interviewers(people, settings, named)
    interviewers = _with_sender(from_mail.sender_interviewer(event, people, schedule),
                                interviewers)
    hosted = speaking_organizer(people, settings, schedule, text) or (
        () if interviewers else organizer_named_in_title(people, settings,
                                                         named_in_title(summary)))
    interviewers = (*interviewers, *(h for h in hosted
                                     if not any(h.key == i.key for i in interviewers)))
    if not interviewers:
        return None
    company, role = company_and_role(event, interviewers, settings)
    interviewers = tuple(replace(i, title=tidy_title(without_employer(i.title, company)))
                         for i in interviewers)
    return Interview(
        id=event.interview_id,
        title=event.summary,
        company=company,
        role=role,
        start=event.start,
        end=event.end,
        interviewers=interviewers,
        timezone=event.timezone,
        source_uid=event.uid,
        location=event.location,
    )


def _with_sender(
    sender: Interviewer | None, interviewers: tuple[Interviewer, ...]
) -> tuple[Interviewer, ...]:
    """The person who wrote a body-only invitation first, unless already found."""
    if sender is None or any(
            i.key == sender.key or same_person(i.name, sender.name, first_only=False)
            for i in interviewers):
        return interviewers
    return (sender, *interviewers)


def _offer_call(summary: str) -> bool:
    """A call to present or discuss an offer ("Acme – Offer Discussion"): the interviews
    are over. A title that still names an interview ("Final interview & offer") is one."""
    return OFFER_TITLE.search(summary) is not None and not mentions(
        INTERVIEW_TITLE_WORDS + FOREIGN_INTERVIEW_WORDS, summary, inflected=True)


def _cancelled(event: CalendarEvent, summary: str) -> bool:
    """STATUS:CANCELLED, or the "Canceled: …" copy Outlook leaves in the calendar."""
    return event.status.upper() == "CANCELLED" or bool(_CANCELLED_TITLE.match(summary))


def _mine(people: Roster, signals: Signals) -> bool:
    """I attend: I am listed or organised it. An event listing nobody at all is my own copy
    (a candidate typing the interview into their calendar) when the signals are strong."""
    if people.me_listed or people.organizer_verdict is Verdict.ME:
        return True
    return not people.entries and signals.strong


def detect_signals(
    event: CalendarEvent, summary: str, text: str, people: Roster, settings: DetectionSettings
) -> Signals:
    keywords = settings.interview_keywords
    prose_keywords = tuple(k for k in keywords if k.casefold() not in TITLE_ONLY_KEYWORDS)
    formal = tuple(k for k in keywords if k.casefold() not in CASUAL_KEYWORDS)
    casual = tuple(k for k in keywords if k.casefold() in CASUAL_KEYWORDS)
    domains = [domain_of(a.email) for a, _ in people.everyone if a.email]
    domains += [domain_of(a.email) for a in _mail_senders(event)]
    return Signals(
        title=mentions(formal, summary, inflected=True)
        or mentions(FOREIGN_INTERVIEW_WORDS, summary, inflected=True)
        or (mentions(casual, summary, inflected=True) and _employer_attends(people)),
        description=mentions(prose_keywords, text, inflected=True)
        or mentions(FOREIGN_INTERVIEW_WORDS, text, inflected=True)
        or ROLE_TALK.search(text) is not None,
        tool=any(is_recruiting_tool(d) for d in domains)
        or _TOOL_LINK.search(event.description[:MAX_DESCRIPTION]) is not None,
        application=any(within_any(d, settings.application_domains) for d in domains),
    )


def _mail_senders(event: CalendarEvent) -> list[Attendee]:
    """Who sent the mail an event came in, and where replies go: a recruiting platform or
    an employer I applied to there is as telling as on the attendee list."""
    if event.mail is None:
        return []
    people = [event.mail.sender] if event.mail.sender is not None else []
    return [a for a in (*people, *event.mail.reply_to) if a.email]


def _media_appearance(summary: str, text: str, signals: Signals) -> bool:
    """A podcast, show or stream I am the guest of ("ep. 118 – interview recording"): the
    title says so, or the prose does when no recruiting platform or employer takes part."""
    if MEDIA_TITLE.search(summary):
        return True
    return not (signals.tool or signals.application) and MEDIA_PROSE.search(text) is not None


def _social(text: str, people: Roster, signals: Signals) -> bool:
    """Only the prose says "interview", everyone else writes from gmail.com & co., and
    nothing speaks of a job: a friend asking how my interviews are going, not a founder
    inviting me to a first interview for a role."""
    if signals.strong:
        return False
    outsiders = [a for a in people.with_verdict(*OUTSIDERS) if a.email]
    if not outsiders or not outsiders_use_public_mail(people):
        return False
    return JOB_CONTEXT.search(text) is None


def _employer_attends(people: Roster) -> bool:
    """Someone outside my organisation writes from an organisation's domain: a "coffee chat"
    with them may be an interview, one with a friend on Gmail is not."""
    return any(
        verdict in OUTSIDERS and not is_public_provider(domain_of(a.email))
        for a, verdict in people.everyone
        if a.email
    )


def _named_as_interviewer(text: str, settings: DetectionSettings) -> bool:
    """The invite's own "Interviewer: Alex Rivera": I hold this interview (a student
    ambassador's admissions interview, a hiring panel I sit on)."""
    for found in _INTERVIEWER_FIELD.finditer(text[:MAX_DESCRIPTION]):
        names = re.split(r"\s*(?:,|;|&|\band\b)\s*", found["who"])
        if any(name and same_person(name.strip(" .:|"), settings.me.name, first_only=False)
               for name in names):
            return True
    return False


_INTERVIEWER_FIELD = re.compile(
    r"^[ \t|]*(?:your\s+)?interviewers?(?:\(s\))?[ \t]*:[ \t|]*(?P<who>[^\n]{2,200})$",
    re.IGNORECASE | re.MULTILINE)


def i_am_interviewing(summary: str, people: Roster, settings: DetectionSettings) -> bool:
    """The event is my own company's interview of a candidate, with me on the panel.

    Told by a title naming a candidate other than me ("Interview: Candidate Jordan Lee"), a
    bare "Candidate interview" when I write from a company domain, a colleague organising
    it, or colleagues attending with only outsiders on personal mail (the candidate).
    Someone from a company I applied to taking part rules all of this out.
    """
    domains = [domain_of(a.email) for a, _ in people.everyone if a.email]
    if any(within_any(d, settings.application_domains) for d in domains):
        return False
    candidate = _CANDIDATE.search(summary)
    if candidate is not None:
        name = _CANDIDATE_NAME_END.split(candidate["rest"], maxsplit=1)[0].strip()
        if name and looks_like_person(name):
            return not same_person(name, settings.me.name)
        if settings.work_domains:
            return True
    if not settings.work_domains:
        return False
    if people.organizer_verdict is Verdict.COLLEAGUE or _organised_by_my_company(people, settings):
        return True
    return bool(people.with_verdict(Verdict.COLLEAGUE)) and outsiders_use_public_mail(people)


def _organised_by_my_company(people: Roster, settings: DetectionSettings) -> bool:
    """The organizer writes from my organisation's domain, even as a shared recruiting
    calendar or team mailbox ("recruiting@" where I work books me onto a screen)."""
    if people.organizer is None or people.organizer_verdict is Verdict.ME:
        return False
    domain = domain_of(people.organizer[0].email)
    return bool(domain) and within_any(domain, settings.work_domains)
