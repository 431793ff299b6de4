"""What an address says about who is behind it: a person, a room, a robot, a mail provider.

Calendars list rooms, mailing lists, scheduling tools and no-reply senders as attendees just
like people; thanking a conference room is the error this module exists to prevent.
"""

from __future__ import annotations

import re

from afterword.plugin.model import Attendee

# Mail providers anyone can sign up to: sharing one says nothing about working together.
PUBLIC_PROVIDERS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "ymail.com", "rocketmail.com", "icloud.com", "me.com", "mac.com",
    "proton.me", "protonmail.com", "protonmail.ch", "pm.me", "fastmail.com", "fastmail.fm",
    "aol.com", "mail.com", "zoho.com", "zohomail.com", "hey.com", "tutanota.com", "tuta.io",
    "tutamail.com", "web.de", "t-online.de", "qq.com", "163.com", "126.com", "naver.com",
    "mail.ru", "inbox.ru", "free.fr", "orange.fr", "laposte.net", "libero.it", "seznam.cz",
    "wp.pl", "o2.pl", "duck.com", "hushmail.com", "mailbox.org", "posteo.de", "posteo.net",
    "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "btinternet.com",
})
# Providers with a domain per country (gmx.de, yahoo.co.uk, hotmail.fr, yandex.ru...).
_PUBLIC_PROVIDER_LABELS = frozenset({"gmx", "yahoo", "hotmail", "outlook", "live", "yandex"})

# Recruiting and interview-scheduling platforms: their presence makes an event an interview.
RECRUITING_TOOL_DOMAINS = frozenset({
    "greenhouse.io", "greenhouse-mail.io", "goodtime.io", "ashbyhq.com", "ashby.com",
    "hire.lever.co", "jobs.lever.co", "lever-mail.co", "modernloop.io", "guide.co",
    "gem.com", "yello.co", "paradox.ai", "prelude.co", "icims.com", "myworkday.com",
    "workday.com", "smartrecruiters.com", "jobvite.com", "hirevue.com", "recruitee.com",
    "workable.com", "teamtailor.com", "breezy.hr", "jazzhr.com", "applytojob.com",
    "bamboohr.com", "rippling-ats.com", "pinpointhq.com", "personio.de", "comeet.co",
    "recruiterbox.com", "dover.com", "wellfound.com", "hired.com", "workablemail.com",
    "personio.com", "myworkdayjobs.com",
    # the public sector's, academia's and Europe's
    "trac.jobs", "jobtrain.co.uk", "healthjobsuk.com", "interfolio.com",
    "academicjobsonline.org", "softgarden.io", "softgarden.de", "welcometothejungle.com",
    "taleo.net", "successfactors.com", "successfactors.eu", "join.com",
    "indeedemail.com", "indeed.com",  # Indeed relays the employer through an alias
})
# General-purpose booking tools: never a person, but not a sign of an interview either.
BOOKING_TOOL_DOMAINS = frozenset({
    "calendly.com", "youcanbook.me", "doodle.com", "cal.com", "savvycal.com", "cronofy.com",
    "x.ai", "reclaim.ai", "zcal.co", "acuityscheduling.com", "hubspot.com", "chilipiper.com",
})
_CALENDAR_SYSTEM_DOMAINS = frozenset({
    "resource.calendar.google.com", "group.calendar.google.com",
    "group.v.calendar.google.com", "import.calendar.google.com",
})
_AUTOMATED_LOCAL = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|notifications?|notify|calendar|calendars"
    r"|calendar[-_.]notification|scheduling|scheduler|schedule|invites?|invitations?"
    r"|mailer[-_.]daemon|postmaster|bounces?|automated|robot|bot|system|alerts?"
    r"|interviews?[-_.]?(?:scheduling|noreply)?)(?:$|[-_.+\d])"
)
# Shared team mailboxes: a list, not the person who interviewed me.
_ROLE_LOCAL = frozenset({
    "careers", "jobs", "recruiting", "recruitment", "talent", "talentacquisition", "hiring",
    "hr", "people", "interviews", "interview", "team", "info", "hello", "admin", "support",
    "office", "contact", "staffing", "ta", "recruiters", "candidates", "engineering",
    "humanresources", "personnel", "vacancies", "employment", "applications", "admissions",
    "resourcing",
})
# Words that make "<word> room" a room ("Interview Room 4", "Huddle Room"), not a person.
_ROOM_KINDS = (r"conf(?:erence)?|meeting|mtg|interview|huddle|focus|board|training|phone"
               r"|quiet|war|video|vc|team|collaboration|workshop")
_ROOM_LOCAL = re.compile(
    rf"^(?:(?:{_ROOM_KINDS})[-_.]?rooms?|rooms?|rm|boardroom|resource)(?:$|[-_.\d])"
)
_ROOM_NAME = re.compile(
    rf"(?:^|\s)(?:(?:{_ROOM_KINDS})\.?\s*rooms?|rooms?\s+[\w.-]*\d)\b|^board\s*room\b",
    re.IGNORECASE,
)
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "gv"})


def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[1].casefold() if "@" in email else ""


def local_part(email: str) -> str:
    return email.rsplit("@", 1)[0].casefold() if "@" in email else email.casefold()


def is_valid_address(email: str) -> bool:
    """A single plain address: one "@", no spaces or control characters (so it cannot carry
    a header injection into `To:`)."""
    if email.count("@") != 1 or len(email) > 254:
        return False
    local, domain = email.split("@")
    if not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        return False
    return not any(c.isspace() or ord(c) < 32 or c in "<>,;\"()[]\\" for c in email)


def within(domain: str, parent: str) -> bool:
    """`domain` is `parent` or one of its subdomains."""
    return bool(domain) and (domain == parent or domain.endswith("." + parent))


def within_any(domain: str, parents: frozenset[str] | tuple[str, ...]) -> bool:
    return any(within(domain, p) for p in parents)


def is_public_provider(domain: str) -> bool:
    domain = domain.casefold()
    if within_any(domain, PUBLIC_PROVIDERS):
        return True
    labels = domain.split(".")
    return len(labels) >= 2 and labels[0] in _PUBLIC_PROVIDER_LABELS


def is_recruiting_tool(domain: str) -> bool:
    return within_any(domain, RECRUITING_TOOL_DOMAINS)


def is_scheduling_tool(domain: str) -> bool:
    """Recruiting platforms and general booking tools alike."""
    return is_recruiting_tool(domain) or within_any(domain, BOOKING_TOOL_DOMAINS)


def is_automated(email: str) -> bool:
    """No-reply senders, notification robots and shared team mailboxes."""
    local = local_part(email)
    if _AUTOMATED_LOCAL.match(local):
        return True
    local = local.split("+", 1)[0]
    if re.sub(r"[-_.]", "", local) in _ROLE_LOCAL:
        return True
    words = [w for w in re.split(r"[-_.]", local) if w]
    return bool(words) and all(w in _ROLE_LOCAL for w in words)  # "hr-recruitment"


def is_room_or_resource(attendee: Attendee) -> bool:
    """Rooms and equipment, whether the calendar says so (CUTYPE) or only the address or
    name gives it away."""
    if attendee.cutype.upper() in {"ROOM", "RESOURCE"}:
        return True
    domain = domain_of(attendee.email)
    if within_any(domain, _CALENDAR_SYSTEM_DOMAINS):
        return True
    if attendee.email and _ROOM_LOCAL.match(local_part(attendee.email)):
        return True
    return bool(_ROOM_NAME.search(attendee.name.strip()))


def organisation_label(domain: str) -> str:
    """The part of a domain that names the organisation: "mail.acme.com" → "acme",
    "data-corp.co.uk" → "data-corp"."""
    labels = [label for label in domain.casefold().split(".") if label]
    if len(labels) < 2:
        return labels[0] if labels else ""
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2]


def same_organisation(a: str, b: str) -> bool:
    """Two domains of one organisation: equal, or one a subdomain of the other."""
    return within(a, b) or within(b, a)
