"""Addresses for interviewers an invite names but does not address.

A Greenhouse confirmation or a recruiter-typed Lever name gives "Priya Raman" and no address.
The mail I exchanged with the company often holds it: the recruiter Cc'd her, I replied to
all. `AddressBook` learns (name, address) pairs from the headers of that mail and answers
"Priya Raman's address at acme.com" only when the answer is unambiguous, because a note sent
to the wrong person is worse than a note without `To:`. Failing that, `suggest_address`
guesses from the company's address pattern; the caller shows it as a guess and never fills
it in.

Whose word counts: my own messages (I chose the recipients), messages a recruiting platform
sent for the company (its Reply-To and Cc name the company's people), and a person's message
for addresses at the sender's own organisation (the recruiter Cc'ing the hiring manager).
Anything else (a stranger's Cc list, a newsletter or mailing list, which rewrite senders
and name strangers) is held until an In-Reply-To/References chain ties it to one of my
messages or to a platform confirmation, i.e. until it is part of the company's conversation.

Pure (no I/O, nothing logged) and bounded, since the engine keeps one book for months and
every header comes from strangers.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from itertools import islice

from afterword.plugin.detect.addresses import (
    domain_of,
    is_automated,
    is_public_provider,
    is_scheduling_tool,
    is_valid_address,
    local_part,
    organisation_label,
    within_any,
)
from afterword.plugin.detect.lexicon import PARTICLES
from afterword.plugin.detect.names import (
    clean_name,
    first_name,
    matches_address,
    name_key,
    name_tokens,
    same_person,
)
from afterword.plugin.model import Identity

# Work and memory limits: headers are hostile input and the book lives for months.
MAX_MESSAGES = 500  # read per from_messages call (the newest, as recent_messages orders them)
MAX_ADDRESSES_PER_MESSAGE = 200  # over all five address headers of one message
MAX_ADDRESSES_PER_BATCH = 20_000  # over one from_messages call: a second or two at worst
MAX_PEOPLE = 4000  # addresses kept, newest first
MAX_TRACES = 2000  # messages remembered for In-Reply-To/References chains
MAX_HELD = 2000  # pairs waiting for a chain to vouch for them
_MAX_NAMES = 4  # display names kept per address
_MAX_HEADER_LINES = 1000
_MAX_HEADER_CHARS = 32_000
_MAX_ENTRY_CHARS = 500
_MAX_LINKS = 12  # References: the thread's root and the last few
_MAX_DOMAINS = 10

_ADDRESS_HEADERS = ("from", "sender", "reply-to", "to", "cc")
_SENDER_HEADERS = ("from", "sender")
_LIST_HEADERS = frozenset({"list-id", "list-unsubscribe", "list-post"})
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
_WANTED_HEADERS = frozenset({
    *_ADDRESS_HEADERS, *_LIST_HEADERS, "precedence", "message-id", "in-reply-to",
    "references", "date",
})

# Relays that put other people's names on their own addresses: mailing lists, bulk senders,
# social networks, calendar and document notifications.
_RELAY_DOMAINS = (
    "googlegroups.com", "groups.io", "calendar.google.com", "docs.google.com",
    "sendgrid.net", "mailgun.org", "amazonses.com", "mandrillapp.com", "mcsv.net",
    "mcdlv.net", "rsgsv.net", "sparkpostmail.com", "mktomail.com", "hubspotemail.net",
    "linkedin.com", "facebookmail.com", "lever.co", "greenhouse.io", "greenhouse-mail.io",
    "bounce.google.com", "zoom.us",
)
# Shared mailboxes: a local part made only of these words (and the company's own name)
# reaches a team, never the interviewer ("recruiting-team", "talent.acquisition").
_GROUP_LOCAL_WORDS = frozenset({
    "career", "careers", "job", "jobs", "recruit", "recruiting", "recruitment", "recruiter",
    "recruiters", "talent", "acquisition", "ta", "hiring", "hire", "hr", "people", "peopleops",
    "ops", "team", "teams", "interview", "interviews", "interviewing", "candidate",
    "candidates", "staffing", "university", "campus", "grad", "graduates", "intern",
    "internships", "info", "hello", "contact", "admin", "support", "office", "all",
    "everyone", "staff", "eng", "engineering", "noreply", "reply", "list", "group", "hq",
    "resumes", "cv", "apply", "applications", "workwithus", "joinus", "join", "scheduling",
    "coordinator", "coordinators", "coordination", "us", "eu", "uk", "emea", "apac", "amer",
    "na", "latam", "global", "intl",
})
# Words in a display name that make it a team or a relay ("Acme Recruiting", "Talent Team",
# "Acme Candidate Calendar", "Priya Raman via Platform Team").
_GROUP_NAME_WORDS = frozenset({
    "via", "team", "recruiting", "recruitment", "recruiters", "talent", "careers", "jobs",
    "hiring", "candidate", "candidates", "calendar", "noreply", "reply", "notification",
    "notifications", "support", "staffing", "acquisition", "interviews", "scheduling",
    "department", "group", "inc", "llc", "ltd", "gmbh", "corp", "corporation", "company",
})
_GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv"})
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|\((?:[^()\\]|\\.)*\)?|<[^<>]*>?|[^",(<]+|,|.', re.S)
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,250})>")
_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bq]\?", re.IGNORECASE)
_FOLDED_BREAK = re.compile(r"\r?\n(?=[ \t])")
_LINE_BREAK = re.compile(r"[\r\n]")
_PLAIN_ADDRESS = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[a-z0-9-]+(?:\.[a-z0-9-]+)+")


@dataclass(frozen=True)
class KnownAddress:
    """A person's address as mail showed it; `name` is "" when the header gave none."""

    name: str
    email: str


@dataclass(frozen=True)
class _Person:
    names: tuple[str, ...]  # cleaned display names, newest first
    rank: int  # higher is newer


@dataclass(frozen=True)
class _Trace:
    """What a message leaves behind for chains: its ids, the company domains it showed and
    the pairs still waiting for a chain to vouch for them."""

    key: str  # hashed Message-ID, "" when it had none
    links: frozenset[str]  # hashed In-Reply-To and References ids
    anchor: bool  # mine or a platform's: a chain to it makes a message part of the conversation
    domains: tuple[str, ...]
    held: tuple[KnownAddress, ...]
    rank: int

    @property
    def ids(self) -> frozenset[str]:
        return self.links | {self.key} if self.key else self.links


@dataclass(frozen=True)
class _Me:
    addresses: frozenset[str]
    domains: frozenset[str]
    name: str

    @classmethod
    def of(cls, me: Identity) -> _Me:
        addresses = frozenset(_plain(a) for a in me.addresses if a)
        domains = frozenset(
            d for d in (domain_of(a) for a in addresses) if d and not is_public_provider(d))
        full = clean_name(me.name)
        return cls(addresses, domains, full if len(name_tokens(full)) >= 2 else "")

    def is_me(self, email: str, name: str) -> bool:
        """My address, or my full name on an alias I never configured."""
        return _plain(email) in self.addresses or bool(
            self.name and name and same_person(self.name, name, first_only=False))


@dataclass(frozen=True)
class _Reading:
    """One message's contribution before ranks are known."""

    direct: tuple[KnownAddress, ...]
    held: tuple[KnownAddress, ...]
    key: str
    links: frozenset[str]
    anchor: bool
    domains: tuple[str, ...]
    timestamp: float | None


class AddressBook:
    """(name, address) pairs learned from mail exchanged with companies; immutable.

    Build one per batch of mail with `from_messages` and fold batches together with
    `merge`, newest last.
    """

    def __init__(self) -> None:
        self._people: dict[str, _Person] = {}
        self._traces: tuple[_Trace, ...] = ()
        self._next_rank = 0

    def __len__(self) -> int:
        return len(self._people)

    @classmethod
    def from_messages(cls, messages: Iterable[EmailMessage], me: Identity) -> AddressBook:
        """The pairs in the headers of `messages` (at most MAX_MESSAGES of them, taken in the
        given order, so newest first as `Mailbox.recent_messages` returns them)."""
        reader = _Reader(_Me.of(me), MAX_ADDRESSES_PER_BATCH)
        readings = [r for m in islice(messages, MAX_MESSAGES)
                    if (r := _read(m, reader)) is not None]
        order = sorted(range(len(readings)), key=lambda i: _age_key(readings[i], i))
        people: dict[str, _Person] = {}
        traces: list[_Trace] = []
        for rank, index in enumerate(order):
            reading = readings[index]
            for known in reading.direct:
                _remember(people, known, rank)
            if reading.key or reading.links:
                traces.append(_Trace(reading.key, reading.links, reading.anchor,
                                     reading.domains, reading.held, rank))
        return cls._settled(people, traces, len(readings))

    def merge(self, newer: AddressBook) -> AddressBook:
        """This book and `newer` (read later) together; on overflow the oldest go first."""
        shift = self._next_rank
        people = dict(self._people)
        for email, person in sorted(newer._people.items(), key=lambda kv: kv[1].rank):
            for name in reversed(person.names or ("",)):
                _remember(people, KnownAddress(name, email), person.rank + shift)
        seen = {t.key: t for t in self._traces if t.key}
        traces = [t for t in self._traces if not t.key]
        for trace in newer._traces:
            moved = _Trace(trace.key, trace.links, trace.anchor, trace.domains, trace.held,
                           trace.rank + shift)
            if trace.key:
                seen[trace.key] = moved  # the same message read twice: keep the later reading
            else:
                traces.append(moved)
        return AddressBook._settled(people, [*seen.values(), *traces],
                                    shift + newer._next_rank)

    def address_for(self, name: str, domains: Iterable[str]) -> str | None:
        """The address of the person called `name` at `domains` (the company's domains and
        their subdomains), or None when nobody or more than one address fits.

        A full name matches a display name of the same person (initials and middle names
        allowed), else an address without a full display name whose local part is built
        from it. A first name alone matches only when exactly one address at `domains`
        could belong to someone of that first name.
        """
        wanted = clean_name(name)
        tokens = name_tokens(wanted)
        parents = _normalised_domains(domains)
        if not tokens or not parents:
            return None
        people = [(e, p) for e, p in self._people.items() if within_any(domain_of(e), parents)]
        if len(tokens) == 1:
            found = {e for e, p in people if _may_be_called(tokens[0], e, p.names)}
        else:
            found = {e for e, p in people if _named_match(wanted, p.names)}
            if not found:
                found = {e for e, p in people if _local_match(wanted, tokens[0], e, p.names)}
        return next(iter(found)) if len(found) == 1 else None

    def known_at(self, domains: Iterable[str]) -> list[KnownAddress]:
        """People with a display name at `domains` (or their subdomains), newest first, each
        under their newest name: the examples `suggest_address` learns a pattern from."""
        parents = _normalised_domains(domains)
        if not parents:
            return []
        found = [(p.rank, KnownAddress(p.names[0], e)) for e, p in self._people.items()
                 if p.names and within_any(domain_of(e), parents)]
        return [k for _, k in sorted(found, key=lambda rk: (-rk[0], rk[1].email))]

    def employer_domains(self, message_id: str) -> list[str]:
        """Company domains seen in the conversation of `message_id` (a confirmation's own
        Reply-To and Cc, and every message linked to it by In-Reply-To/References), most
        frequent first; me, mail providers, platforms and relays left out. For a platform
        confirmation this names the employer, which the platform's own domain does not."""
        keys = {_hash_id(i) for i in _MESSAGE_ID.findall(message_id)} or (
            {_hash_id(message_id.strip())} if message_id.strip() else set())
        start = [i for i, t in enumerate(self._traces) if t.key and t.key in keys]
        if not start:
            return []
        counts = Counter(d for i in _connected(self._traces, start)
                         for d in self._traces[i].domains)
        return [d for d, _ in sorted(counts.items(), key=lambda dc: (-dc[1], dc[0]))]

    @classmethod
    def _settled(cls, people: dict[str, _Person], traces: list[_Trace],
                 next_rank: int) -> AddressBook:
        """Release held pairs now chained to an anchor, then trim to the limits."""
        anchors = [i for i, t in enumerate(traces) if t.anchor]
        for i in sorted(_connected(traces, anchors), key=lambda i: traces[i].rank):
            trace = traces[i]
            if trace.held:
                for known in trace.held:
                    _remember(people, known, trace.rank)
                traces[i] = _Trace(trace.key, trace.links, trace.anchor, trace.domains, (),
                                   trace.rank)
        book = cls()
        book._people = _newest_people(people)
        book._traces = _newest_traces(traces)
        book._next_rank = next_rank
        return book


# --- reading one message --------------------------------------------------------------------


def _read(message: EmailMessage, reader: _Reader) -> _Reading | None:
    """The pairs one message vouches for and the ones it only holds; None if unreadable."""
    me = reader.me
    try:
        headers = _raw_headers(message)
    except Exception:  # a broken message object: nothing to learn from it
        return None
    parties = _parties(headers, min(MAX_ADDRESSES_PER_MESSAGE, reader.budget))
    reader.budget -= len(parties)
    senders = [email for header, _, email in parties if header in _SENDER_HEADERS]
    mine = any(_plain(e) in me.addresses for e in senders)
    bulk = not mine and _is_bulk(headers)
    platform = any(is_scheduling_tool(domain_of(e)) for e in senders)
    sender_orgs = {_org(domain_of(e)) for e in senders if reader.company_domain(domain_of(e))}
    direct: list[KnownAddress] = []
    held: list[KnownAddress] = []
    domains: dict[str, None] = {}
    for _, raw_name, email in parties:
        domain = domain_of(email)
        if reader.company_domain(domain) and _plain(email) not in me.addresses:
            domains.setdefault(domain)
        known = _person(raw_name, email, reader)
        if known is None:
            continue
        vouched = mine or (platform and not bulk) or (
            not bulk and _org(domain) in sender_orgs)
        (direct if vouched else held).append(known)
    return _Reading(
        direct=tuple(direct), held=tuple(dict.fromkeys(held)),
        key=next((_hash_id(i) for i in _ids(headers.get("message-id", []))), ""),
        links=frozenset(_links(headers)), anchor=mine or (platform and not bulk),
        domains=tuple(islice(domains, _MAX_DOMAINS)), timestamp=_timestamp(headers),
    )


def _raw_headers(message: EmailMessage) -> dict[str, list[str]]:
    """The headers this module reads, unparsed (the registry's parser is slow on long
    address lists and raises on some malformed ones), unfolded and capped in length."""
    found: dict[str, list[str]] = {}
    for name, value in islice(message.raw_items(), _MAX_HEADER_LINES):
        key = str(name).strip().lower()
        if key in _WANTED_HEADERS:
            text = _FOLDED_BREAK.sub("", _clipped(key, str(value)))
            found.setdefault(key, []).append(_LINE_BREAK.sub(" ", text))
    return found


def _clipped(key: str, value: str) -> str:
    """A header cut to _MAX_HEADER_CHARS; a long References keeps its start (the thread's
    root) and its end (the latest replies), which are what links a reply to its thread."""
    if len(value) <= _MAX_HEADER_CHARS:
        return value
    if key == "references":
        return f"{value[:1000]} {value[-(_MAX_HEADER_CHARS - 1001):]}"
    return value[:_MAX_HEADER_CHARS]


def _parties(headers: dict[str, list[str]], limit: int) -> list[tuple[str, str, str]]:
    """(header, raw display name, lower-cased address) for every valid address, at most
    `limit`; an unparsable header is skipped, never fatal."""
    found: list[tuple[str, str, str]] = []
    for header in _ADDRESS_HEADERS:
        for value in headers.get(header, []):
            budget = limit - len(found)
            if budget <= 0:
                return found
            try:
                pairs = getaddresses([", ".join(_entries(value, budget))])
            except Exception:  # the legacy parser has raised on crafted input before
                continue
            for raw_name, raw_email in pairs[:budget]:
                email = raw_email.strip().lower()
                if _usable_address(email):
                    found.append((header, raw_name, email))
    return found


def _entries(value: str, limit: int) -> list[str]:
    """The first `limit` comma-separated entries of an address list (commas inside quotes,
    comments and angle brackets kept), so a 10,000-address Cc costs no more than 200."""
    entries: list[str] = []
    current: list[str] = []
    for count, match in enumerate(_TOKEN.finditer(value)):
        if count > limit * 8 or len(entries) >= limit:
            return entries
        if match.group() == ",":
            _close_entry(entries, current)
            current = []
        else:
            current.append(match.group())
    _close_entry(entries, current)
    return entries[:limit]


def _close_entry(entries: list[str], parts: list[str]) -> None:
    entry = "".join(parts).strip()
    if entry and len(entry) <= _MAX_ENTRY_CHARS:
        entries.append(entry)


def _person(raw_name: str, email: str, reader: _Reader) -> KnownAddress | None:
    """The pair for one address, or None when it is mine, a robot's, a team's, a relay's,
    a platform's or a public mail provider's."""
    domain = domain_of(email)
    if not reader.company_domain(domain) or is_automated(email) or reader.is_group_local(email):
        return None
    name = "" if _name_is_address(raw_name, email) else reader.display_name(raw_name)
    if reader.me.is_me(email, name) or (name and _is_group_name(name, domain)):
        return None
    return KnownAddress(name, email)


def _display_name(raw: str) -> str:
    """The cleaned display name; "" when it cannot be decoded (an unknown charset, bytes
    that are not UTF-8) rather than a name with holes in it."""
    text = raw.strip()
    if not text or len(text) > _MAX_ENTRY_CHARS:
        return ""
    if any("\udc80" <= c <= "\udcff" for c in text):  # raw 8-bit bytes kept by the parser
        try:
            text = text.encode("utf-8", "surrogateescape").decode("utf-8")
        except UnicodeError:
            return ""
    if _ENCODED_WORD.search(text):
        try:
            text = str(make_header(decode_header(text)))
        except Exception:  # LookupError, UnicodeError, HeaderParseError...
            return ""
        if _ENCODED_WORD.search(text):
            return ""
    if "\ufffd" in text:
        return ""
    return clean_name(text)


def _name_is_address(raw_name: str, email: str) -> bool:
    """A display name that only repeats the address or its local part ("priya.raman",
    "jsmith") names nobody; "Priya Raman" spelled out does."""
    text = raw_name.strip().strip("'\"").strip().casefold()
    return text in {email, local_part(email)}


def _is_group_name(name: str, domain: str) -> bool:
    """A team or relay ("Acme Recruiting", "Priya via Acme Eng") or the company itself."""
    tokens = name_tokens(name)
    if any(t in _GROUP_NAME_WORDS for t in tokens):
        return True
    label = _compact(organisation_label(domain))
    return bool(tokens) and bool(label) and (tokens[0] == label or "".join(tokens) == label)


def _is_group_local(email: str) -> bool:
    """"recruiting-team@", "acme.careers@", "talentacquisition@": only team words and the
    company's own name, however joined."""
    label = _compact(organisation_label(domain_of(email)))
    tokens = [t for t in re.split(r"[-_.+\d]+", local_part(email)) if t]
    return bool(tokens) and all(_segments(t, label) for t in tokens)


_LONG_GROUP_WORDS = tuple(w for w in _GROUP_LOCAL_WORDS if len(w) >= 4)


def _segments(text: str, label: str) -> bool:
    """Whether `text` is a team word or the company's name, or a concatenation of those of
    four letters or more ("recruitingteam"), short ones ("ta", "us") only whole, so "tana"
    stays a name."""
    if text in _GROUP_LOCAL_WORDS or text == label:
        return True
    if not text.startswith(_LONG_GROUP_WORDS) and not (len(label) >= 4 and
                                                       text.startswith(label)):
        return False  # most local parts, quickly
    long_words = (*_LONG_GROUP_WORDS, label) if len(label) >= 4 else _LONG_GROUP_WORDS
    starts, seen = [0], {0}
    while starts:
        start = starts.pop()
        for word in long_words:
            end = start + len(word)
            if end not in seen and text.startswith(word, start):
                if end == len(text):
                    return True
                seen.add(end)
                starts.append(end)
    return False


def _is_bulk(headers: dict[str, list[str]]) -> bool:
    """Mailing lists, newsletters and campaigns: they rewrite senders and name strangers."""
    if any(h in headers for h in _LIST_HEADERS):
        return True
    return any(v.strip().lower() in _BULK_PRECEDENCE for v in headers.get("precedence", []))


def _links(headers: dict[str, list[str]]) -> list[str]:
    replies = _ids(headers.get("in-reply-to", []))[:2]
    references = _ids(headers.get("references", []))
    if len(references) > _MAX_LINKS:  # the thread's root and the latest replies
        references = [references[0], *references[-(_MAX_LINKS - 1):]]
    return list(dict.fromkeys(_hash_id(i) for i in [*replies, *references]))


def _ids(values: list[str]) -> list[str]:
    return [i for v in values for i in _MESSAGE_ID.findall(v)]


def _hash_id(message_id: str) -> str:
    """Message-IDs are compared, never shown: a short digest keeps chains cheap to hold."""
    raw = message_id.strip().strip("<>").lower().encode("utf-8", "surrogateescape")
    return hashlib.blake2b(raw, digest_size=8).hexdigest()


def _timestamp(headers: dict[str, list[str]]) -> float | None:
    for value in headers.get("date", [])[:1]:
        try:
            return parsedate_to_datetime(value[:200]).timestamp()
        except Exception:  # absent, malformed or out of range: the message ranks oldest
            return None
    return None


def _age_key(reading: _Reading, index: int) -> tuple[bool, float, int]:
    """Oldest first by Date; undated messages first of all, in reverse of the newest-first
    input order."""
    return (reading.timestamp is not None, reading.timestamp or 0.0, -index)


# --- helpers --------------------------------------------------------------------------------


def _plain(email: str) -> str:
    """An address without its "+tag", lower-cased, for recognising my own aliases."""
    local, _, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}" if local else email.strip().lower()


def _usable_address(email: str) -> bool:
    """A plain dot-atom address (no quoting, no colon, no IP literal): it may end up in a
    `To:` header, so anything a crafted header could smuggle through is refused."""
    return bool(_PLAIN_ADDRESS.fullmatch(email)) and is_valid_address(email)


def _company_domain(domain: str, me: _Me) -> bool:
    """A domain that can be an employer's: not a mail provider, platform, relay or mine."""
    return bool(domain) and not (
        is_public_provider(domain) or is_scheduling_tool(domain)
        or within_any(domain, _RELAY_DOMAINS) or domain in me.domains)


@dataclass
class _Reader:
    """Me, and what one batch of mail has already worked out: a batch repeats the same
    names and domains, and each check scans a list of a hundred domains."""

    me: _Me
    budget: int  # addresses this batch may still parse
    _names: dict[str, str] = field(default_factory=dict)
    _domains: dict[str, bool] = field(default_factory=dict)
    _groups: dict[str, bool] = field(default_factory=dict)

    def company_domain(self, domain: str) -> bool:
        if domain not in self._domains:
            self._domains[domain] = _company_domain(domain, self.me)
        return self._domains[domain]

    def display_name(self, raw: str) -> str:
        if raw not in self._names:
            self._names[raw] = _display_name(raw)
        return self._names[raw]

    def is_group_local(self, email: str) -> bool:
        if email not in self._groups:
            self._groups[email] = _is_group_local(email)
        return self._groups[email]


def _org(domain: str) -> str:
    return organisation_label(domain)


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _normalised_domains(domains: Iterable[str]) -> tuple[str, ...]:
    found = (d.strip().lower().lstrip("@").rstrip(".") for d in domains if isinstance(d, str))
    return tuple(dict.fromkeys(d for d in found if "." in d))


def _remember(people: dict[str, _Person], known: KnownAddress, rank: int) -> None:
    """Add a sighting; its name goes first unless an earlier-read, newer one is there."""
    person = people.get(known.email)
    if person is None:
        people[known.email] = _Person((known.name,) if known.name else (), rank)
        return
    names = person.names
    if known.name and rank >= person.rank:
        names = (known.name, *(n for n in names if n != known.name))
    elif known.name and known.name not in names:
        names = (*names, known.name)
    people[known.email] = _Person(names[:_MAX_NAMES], max(rank, person.rank))


def _newest_people(people: dict[str, _Person]) -> dict[str, _Person]:
    if len(people) <= MAX_PEOPLE:
        return people
    kept = sorted(people.items(), key=lambda kv: kv[1].rank, reverse=True)[:MAX_PEOPLE]
    return dict(kept)


def _newest_traces(traces: list[_Trace]) -> tuple[_Trace, ...]:
    """The newest MAX_TRACES messages; held pairs only for the newest MAX_HELD of them."""
    kept = sorted(traces, key=lambda t: t.rank, reverse=True)[:MAX_TRACES]
    budget = MAX_HELD
    result = []
    for trace in kept:
        held = trace.held[:max(budget, 0)]
        budget -= len(held)
        if held != trace.held:
            trace = _Trace(trace.key, trace.links, trace.anchor, trace.domains, held, trace.rank)
        result.append(trace)
    return tuple(reversed(result))


def _connected(traces: Sequence[_Trace], start: Iterable[int]) -> set[int]:
    """Indexes of the traces sharing a Message-ID chain with those at `start`."""
    by_id: dict[str, list[int]] = {}
    for i, trace in enumerate(traces):
        for key in trace.ids:
            by_id.setdefault(key, []).append(i)
    seen = set(start)
    queue = list(seen)
    while queue:
        for key in traces[queue.pop()].ids:
            for j in by_id.pop(key, []):
                if j not in seen:
                    seen.add(j)
                    queue.append(j)
    return seen


# --- matching a name ------------------------------------------------------------------------


def _named_match(wanted: str, names: Sequence[str]) -> bool:
    return any(len(name_tokens(n)) >= 2 and same_person(wanted, n, first_only=False)
               for n in names)


def _local_match(wanted: str, first: str, email: str, names: Sequence[str]) -> bool:
    """An address whose display names, if any, are only the wanted first name, and whose
    local part is built from the wanted name ("Priya Raman" → praman@)."""
    if any(name_tokens(n) != [first] for n in names):
        return False
    return matches_address(wanted, email)


def _may_be_called(first: str, email: str, names: Sequence[str]) -> bool:
    """Whether someone of this first name could own `email`; generous on purpose, since
    every candidate counted makes a first-name-only match less likely to be wrong."""
    for name in names:
        tokens = name_tokens(name)
        if tokens and (tokens[0] == first or name_key(first_name(name)) == first):
            return True
    local = name_key(re.sub(r"[._+\-]+", " ", local_part(email)))
    return first in local.split() or _compact(local) == first


# --- guessing from the company's pattern ----------------------------------------------------

# Local-part patterns: {first}/{last} whole (compound parts joined), {f}/{l} their initials.
PATTERNS: dict[str, str] = {
    "first.last": "{first}.{last}",
    "first_last": "{first}_{last}",
    "first-last": "{first}-{last}",
    "firstlast": "{first}{last}",
    "flast": "{f}{last}",
    "f.last": "{f}.{last}",
    "f_last": "{f}_{last}",
    "firstl": "{first}{l}",
    "first.l": "{first}.{l}",
    "lastf": "{last}{f}",
    "last.f": "{last}.{f}",
    "last.first": "{last}.{first}",
    "last_first": "{last}_{first}",
    "lastfirst": "{last}{first}",
    "first": "{first}",
    "last": "{last}",
}
_JOINERS = ("", "-", ".", "_")  # how "de la Cruz" or "Smith-Jones" is written, preferred first
_FOLDS = str.maketrans({
    "ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l",
    "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i",
    "ħ": "h", "Ħ": "h",
})
_AGREEMENT = 0.75


@dataclass(frozen=True)
class _Parts:
    """A name's first and last name, folded to ASCII, each as its words ("de", "la",
    "cruz"); `last` is empty for a one-word name."""

    first: tuple[str, ...]
    last: tuple[str, ...]


def suggest_address(name: str, known: Sequence[KnownAddress]) -> str | None:
    """A guess at `name`'s address from the company's pattern, or None without agreement.

    Learned at the domain with the most full-name examples. An example fits a pattern when
    the pattern rebuilds its local part from its name; examples that fit none (nicknames,
    numbered addresses) are set aside but must not be the majority. The pattern must fit at
    least three quarters of the fitting examples, rounded up (so with three or fewer, all of
    them; one outlier is tolerated from four). Accents are folded (José → jose), apostrophes
    dropped (O'Neil → oneil); compound names are joined as the examples join theirs, else
    without a separator (de la Cruz → delacruz). Full names only, unless the pattern is
    `first`. The result is a guess for the user to confirm, never a `To:` address.
    """
    target = _target_parts(name)
    domain, examples = _best_domain(known)
    if target is None or not examples:
        return None
    fits = [_fits(readings, local) for readings, local in examples]
    fitting = [f for f in fits if f]
    if not fitting or 2 * len(fitting) < len(examples):
        return None
    need = math.ceil(_AGREEMENT * len(fitting))
    support = Counter(p for f in fitting for p in f)
    chosen = sorted(p for p, n in support.items() if n >= need)
    locals_ = {_render(p, target, _joiner(p, fitting)) for p in chosen}
    if len(locals_) != 1 or None in locals_:
        return None
    address = f"{locals_.pop()}@{domain}"
    if not _usable_address(address) or _taken(address, name, known):
        return None
    return address


def _best_domain(known: Sequence[KnownAddress]) -> tuple[str, list[tuple[list[_Parts], str]]]:
    """The domain with the most full-name examples (ties: the shorter, then alphabetical),
    with each example's readings and local part."""
    by_domain: dict[str, list[tuple[list[_Parts], str]]] = {}
    for item in known:
        email = item.email.strip().lower()
        if not item.name or not _usable_address(email):
            continue
        readings = [r for r in _readings(item.name) if r.last]
        if readings:
            local = local_part(email).split("+", 1)[0]
            by_domain.setdefault(domain_of(email), []).append((readings, local))
    if not by_domain:
        return "", []
    domain = min(by_domain, key=lambda d: (-len(by_domain[d]), len(d), d))
    return domain, by_domain[domain]


def _target_parts(name: str) -> _Parts | None:
    readings = _readings(name)
    return readings[0] if len(readings) == 1 else None


def _readings(name: str) -> list[_Parts]:
    """Ways to split a name into first and last name. "Priya K. Raman" and "Maria de la
    Cruz" have one; "José Álvarez García" has two (a middle name, or a two-word surname),
    which an example may try but a target must not guess between."""
    words = clean_name(name).split()
    while len(words) > 1 and words[-1].casefold().rstrip(".") in _GENERATIONAL:
        words.pop()
    folded = [_fold(w) for w in words]
    if not folded or any(f is None for f in folded):
        return []
    parts = [f for f in folded if f is not None]
    if len(parts) == 1:
        return [_Parts(parts[0], ())]
    first, rest = parts[0], [p for p in parts[1:-1] if len("".join(p)) > 1] + [parts[-1]]
    particle = next((i for i, p in enumerate(rest[:-1]) if p[0] in PARTICLES), None)
    if particle is not None:
        return [_Parts(first, tuple(w for p in rest[particle:] for w in p))]
    if len(rest) == 1:
        return [_Parts(first, rest[0])]
    return [_Parts(first, rest[-1]), _Parts(first, tuple(w for p in rest for w in p))]


def _fold(word: str) -> tuple[str, ...] | None:
    """"Álvarez" → ("alvarez",), "O'Neil" → ("oneil",), "Smith-Jones" → ("smith", "jones");
    None for a word that has no ASCII spelling (李, Иван)."""
    text = unicodedata.normalize("NFKD", word.translate(_FOLDS))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    pieces = tuple(p for p in re.split(r"-+", re.sub(r"['’`.]", "", text)) if p)
    if not pieces or not all(re.fullmatch(r"[a-z]+", p) for p in pieces):
        return None
    return pieces


def _fits(readings: list[_Parts], local: str) -> dict[str, set[str | None]]:
    """Patterns that rebuild `local` from some reading, each with the joiners of compound
    parts that did it (None: no compound part involved)."""
    found: dict[str, set[str | None]] = {}
    for parts in readings:
        for pattern in PATTERNS:
            for joiner in _joiners_for(pattern, parts):
                if _render(pattern, parts, joiner or "") == local:
                    found.setdefault(pattern, set()).add(joiner)
    return found


def _joiners_for(pattern: str, parts: _Parts) -> tuple[str | None, ...]:
    fields = PATTERNS[pattern]
    compound = ("{first}" in fields and len(parts.first) > 1) or (
        "{last}" in fields and len(parts.last) > 1)
    return _JOINERS if compound else (None,)


def _render(pattern: str, parts: _Parts, joiner: str | None) -> str | None:
    """The local part `pattern` makes of a name; None when the name lacks a needed part or
    its compound spelling is unknown (the examples disagreed)."""
    fields = PATTERNS[pattern]
    needs_last = "{last}" in fields or "{l}" in fields
    unknown_spelling = joiner is None and _joiners_for(pattern, parts) != (None,)
    if (needs_last and not parts.last) or unknown_spelling:
        return None
    glue = joiner or ""
    return fields.format(
        first=glue.join(parts.first), last=glue.join(parts.last), f=parts.first[0][0],
        l=parts.last[0][0] if parts.last else "")


def _joiner(pattern: str, fitting: list[dict[str, set[str | None]]]) -> str | None:
    """How the examples fitting `pattern` join compound parts: the joiner every compound
    example allows, "" when none shows it, None when they disagree."""
    evidence = [f[pattern] for f in fitting if pattern in f and None not in f[pattern]]
    if not evidence:
        return ""
    common = set.intersection(*evidence)
    return next((j for j in _JOINERS if j in common), None)


def _taken(address: str, name: str, known: Sequence[KnownAddress]) -> bool:
    """The guess is someone else's known address: the company must spell this name another
    way, so the guess would reach the wrong person."""
    return any(k.email.strip().lower() == address and k.name and not same_person(k.name, name)
               for k in known)
