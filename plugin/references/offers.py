"""Offers: noticed in the inbox as a guess, confirmed by the user, then the references
thanked.

A guess never triggers anything but one warning per company asking for confirmation
(`afterword offer COMPANY`): an email only counts when it comes from the company (its own
domain, or a recruiting platform's sender that names the company), is no newsletter, and
says the offer plainly in its subject or first lines without any sign of a refusal. Only
the confirmation drafts a note with the news to each reference asked for that company and
puts a reminder in the inbox to send each of them a card and a small gift.
"""

from __future__ import annotations

import html
import logging
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage, Message
from email.utils import getaddresses

from afterword.plugin.compose.message import local_time
from afterword.plugin.compose.render import clean, clip
from afterword.plugin.config import Config, Reference
from afterword.plugin.detect.addresses import (
    domain_of,
    is_public_provider,
    is_recruiting_tool,
    within_any,
)
from afterword.plugin.mailbox import headers
from afterword.plugin.mailbox.base import NOTE_HEADER, WARNING_HEADER, Mailbox
from afterword.plugin.model import stable_id
from afterword.plugin.references.ask import DECISION_WINDOW, draft_for, names_to_ignore
from afterword.plugin.references.compose import DraftContext, ReferenceComposer, inbox_note
from afterword.plugin.references.facts import (
    company_facts,
    company_id,
    interviews_with,
    match_company,
)
from afterword.plugin.references.store import DraftRow, ReferenceStore
from afterword.plugin.references.tracking import track_drafts
from afterword.plugin.state import State

log = logging.getLogger("afterword.references")

OFFER_WINDOW = timedelta(days=60)  # after the last ask of a company, its offer is looked for
SCAN_EVERY = timedelta(minutes=15)  # the inbox is read at most this often for offers
OVERLAP = timedelta(days=1)  # each scan reads back this far before the previous one
EARLY = timedelta(days=2)  # and an offer may be dated this long before the first ask
OPENING_LINES = 20
OPENING_CHARS = 2000

_OFFER = re.compile(
    r"\b(?:offer\s+letter"
    r"|(?:pleased|happy|delighted|excited|thrilled|glad)\s+to\s+(?:formally\s+)?"
    r"(?:offer|extend)\s+you"
    r"|extend(?:ing)?\s+(?:you\s+)?(?:an?|the|our)\s+(?:formal\s+|verbal\s+|written\s+)?offer"
    r"|offer\s+of\s+employment|employment\s+offer|job\s+offer"
    r"|(?:your|an?)\s+(?:formal\s+|written\s+|official\s+)?offer\s+(?:from|with|to\s+join)"
    r"|(?:like|love)\s+to\s+offer\s+you"
    r"|offer\s+you\s+the\s+(?:position|role|job))\b",
    re.IGNORECASE,
)
_REFUSAL = re.compile(
    r"\b(?:not\s+(?:be\s+)?(?:able\s+to\s+)?(?:extend|extending|offer|offering)"
    r"|unable\s+to\s+(?:offer|extend)"
    r"|(?:won'?t|will\s+not|cannot|can'?t)\s+be\s+(?:extending|offering|moving)"
    r"|decided\s+not\s+to|not\s+(?:to\s+)?mov(?:e|ing)\s+forward|move\s+forward\s+with\s+other"
    r"|regret\s+to|unfortunately|other\s+candidates?|been\s+filled|rescind\w*)\b",
    re.IGNORECASE,
)
_TAG = re.compile(r"<(?:script|style)\b.*?</(?:script|style)\s*>|<[^>]*>", re.I | re.S)
_BULK = frozenset({"bulk", "list", "junk"})


# --- what makes an email an offer (pure) --------------------------------------------------


def is_newsletter(message: Message) -> bool:
    """Mailing-list and bulk mail: an offer is never sent that way."""
    if any(message.get(h) is not None for h in ("List-Id", "List-Unsubscribe", "List-Post")):
        return True
    return str(message.get("Precedence", "")).strip().lower() in _BULK


def opening_text(message: EmailMessage) -> str:
    """The first lines of the body (plain text preferred, else HTML without its tags)."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        text = str(part.get_content())
    except Exception:  # unknown charsets, broken encodings: no opening to read
        return ""
    if part.get_content_subtype() == "html":
        text = html.unescape(_TAG.sub(" ", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    kept = [line for line in lines if line and not line.startswith(">")][:OPENING_LINES]
    return "\n".join(kept)[:OPENING_CHARS]


def looks_like_offer(subject: str, opening: str) -> bool:
    """The subject or the first lines say "offer" plainly, and nothing says no."""
    text = f"{subject}\n{opening}"
    return bool(_OFFER.search(text)) and not _REFUSAL.search(text)


@dataclass(frozen=True)
class CompanySenders:
    company: str
    domains: frozenset[str]  # its own mail domains: applications' and interviewers'


def _names(company: str, text: str) -> bool:
    pattern = r"(?<![\w])" + r"\s+".join(map(re.escape, company.split())) + r"(?![\w])"
    return bool(re.search(pattern, text, re.IGNORECASE))


def sender_company(sender: str, display: str, subject: str, opening: str,
                   companies: Sequence[CompanySenders]) -> str | None:
    """The company an email comes from: its own domain, or a recruiting platform's sender
    whose name, subject or first lines name exactly one of the companies."""
    domain = domain_of(sender)
    if not domain or is_public_provider(domain):
        return None
    own = [c.company for c in companies if within_any(domain, tuple(c.domains))]
    if len(own) == 1:
        return own[0]
    if is_recruiting_tool(domain):
        text = f"{display}\n{subject}\n{opening}"
        named = [c.company for c in companies if _names(c.company, text)]
        if len(named) == 1:
            return named[0]
    return None


def company_senders(config: Config, state: State, companies: Iterable[str]
                    ) -> list[CompanySenders]:
    interviews = [row.interview for row in state.interviews()]
    mine = {domain_of(a) for a in config.me.addresses}
    result = []
    for company in companies:
        domains = {d for a in config.applications if a.company.casefold() == company.casefold()
                   for d in a.domains}
        for iv in interviews_with(company, interviews):
            for person in iv.interviewers:
                domain = domain_of(person.email or "")
                if domain and not is_public_provider(domain) and not is_recruiting_tool(domain):
                    domains.add(domain)
        result.append(CompanySenders(company, frozenset(domains - mine)))
    return result


# --- each cycle ---------------------------------------------------------------------------


def follow_up(config: Config, mailbox: Mailbox, state: State, now: datetime) -> list[str]:
    """The engine's hook: track the drafts to references, then look for offers. Returns
    the companies whose offer was noticed in this cycle. Nothing at all without
    [[references]] or without a request yet."""
    if not config.references:
        return []
    store = ReferenceStore(state)
    if not store.requests():
        return []
    track_drafts(store, mailbox, config.me, now)
    return notice_offers(config, store, state, mailbox, now)


def notice_offers(config: Config, store: ReferenceStore, state: State, mailbox: Mailbox,
                  now: datetime) -> list[str]:
    """One warning per company whose offer seems to have arrived; no drafts."""
    first_ask: dict[str, datetime] = {}
    last_ask: dict[str, datetime] = {}
    for row in store.requests():
        key = row.company.casefold()
        first_ask.setdefault(key, row.drafted_at)
        last_ask[key] = row.drafted_at
    spelled = {row.company.casefold(): row.company for row in store.requests()}
    open_keys = [k for k in spelled if store.offer(spelled[k]) is None
                 and last_ask[k] <= now <= last_ask[k] + OFFER_WINDOW]
    if not open_keys:
        return []
    scanned = store.meta("offers_scanned_at")
    last_scan = datetime.fromisoformat(scanned) if scanned else None
    if last_scan is not None and last_scan <= now < last_scan + SCAN_EVERY:
        return []
    since = max(min(first_ask[k] for k in open_keys) - EARLY, now - OFFER_WINDOW)
    if last_scan is not None and last_scan <= now:
        since = max(since, last_scan - OVERLAP)
    senders = company_senders(config, state, [spelled[k] for k in open_keys])
    found: dict[str, tuple[EmailMessage, str]] = {}
    for message in mailbox.recent_messages("inbox", since):
        try:
            company = _offer_from(message, config, senders, since, now)
        except Exception:  # one odd message must never stop the cycle
            log.debug("inbox message skipped while looking for offers", exc_info=True)
            continue
        if company is not None and company not in found:
            found[company] = (message, headers.message_id(message))
    noticed = []
    delivered = mailbox.warnings_delivered() if found else set()
    for company, (message, message_id) in found.items():
        key = f"offer-noticed:{company_id(company)}"
        if key not in delivered:
            mailbox.deliver_warning(_guess_warning(config, store, company, message, key, now))
            noticed.append(company)
            log.info("offer noticed: company=%s message=%s", company, message_id)
        store.notice_offer(company, now, message_id)
    store.set_meta("offers_scanned_at", now.isoformat())
    return noticed


def _offer_from(message: EmailMessage, config: Config, senders: Sequence[CompanySenders],
                since: datetime, now: datetime) -> str | None:
    if message.get(NOTE_HEADER) is not None or message.get(WARNING_HEADER) is not None:
        return None
    sender = headers.sender(message)
    if not sender or sender in config.me.addresses or is_newsletter(message):
        return None
    date = headers.message_date(message, now)
    if not since <= date <= now:
        return None
    subject = headers.subject(message)
    opening = opening_text(message)
    if not looks_like_offer(subject, opening):
        return None
    display = " ".join(name for name, _ in getaddresses([str(message.get("From", ""))]))
    return sender_company(sender, display, subject, opening, senders)


def _guess_warning(config: Config, store: ReferenceStore, company: str,
                   message: EmailMessage, key: str, now: datetime) -> EmailMessage:
    asked = sorted({r.reference for r in store.requests(company)})
    date = headers.message_date(message, now)
    company = clean(company)  # one line, as any calendar text quoted here
    body = "\n".join([
        f"A message in your inbox looks like an offer from {company}:",
        "",
        f"  From:    {clip(clean(str(message.get('From', ''))), (120, 20))}",
        f"  Subject: {clip(headers.subject(message), (160, 30))}",
        f"  Date:    {local_time(date, config.zone)}",
        "",
        "If it is one, congratulations! Confirm it with:",
        "",
        f"  afterword offer {shlex.quote(company)}",
        "",
        f"afterword will then remind you to thank the references you asked about {company} "
        f"({', '.join(asked)}) with a card and a small gift, and draft a note telling each "
        "of them the news. Until you confirm, nothing else happens: this is only a guess.",
        "",
        "afterword never sends anything: it only saves drafts and puts reminders in your "
        "inbox.",
    ]) + "\n"
    return inbox_note(me=config.me, key=key, subject=f"afterword: an offer from {company}? "
                      "Please confirm", body=body, now=now)


# --- `afterword offer COMPANY` ------------------------------------------------------------


@dataclass
class OfferOutcome:
    company: str
    newly_confirmed: bool
    asked: list[tuple[str, str]] = field(default_factory=list)  # (name, email) thanked
    drafted: list[DraftRow] = field(default_factory=list)
    reminded: bool = False


def confirm_offer(config: Config, state: State, mailbox: Mailbox, company: str,
                  now: datetime, composer: ReferenceComposer | None = None) -> OfferOutcome:
    """Record the offer; then, once each, a news-and-thanks draft to every reference asked
    for this company and the card-and-gift reminder in the inbox."""
    interviews = [row.interview for row in state.interviews()]
    name = match_company(company, interviews)
    store = ReferenceStore(state)
    outcome = OfferOutcome(name, store.confirm_offer(name, now))
    people: dict[str, tuple[str, str, datetime]] = {}
    order = [r.email.casefold() for r in config.references]
    for row in sorted(store.requests(name), key=lambda r: (
            order.index(r.email.casefold()) if r.email.casefold() in order else len(order))):
        people.setdefault(row.email.casefold(), (row.reference, row.email, row.drafted_at))
    outcome.asked = [(n, e) for n, e, _ in people.values()]
    if not people:
        return outcome
    ivs = interviews_with(name, interviews)
    facts = company_facts(name, [iv for iv in ivs if iv.finished(now)] or ivs)
    composer = composer or ReferenceComposer(config.notes.templates_dir)
    ignore = names_to_ignore(config, state, store)
    bodies = store.bodies("offer")
    ours = {d.note_id: d.ref for d in mailbox.drafts() if d.note_id}
    for ref_name, email, _asked in people.values():
        note_id = stable_id("reference-offer-thanks", email.casefold(), name.casefold())
        if store.draft(note_id) is not None:  # drafted before: never again, even if deleted
            continue
        reference = _reference(config, ref_name, email)
        ctx = DraftContext(note_id=note_id, reference=reference, facts=facts, me=config.me,
                           signature=config.notes.signature, zone=config.zone,
                           decision_by=now + DECISION_WINDOW)
        composed = composer.offer_thanks(ctx, bodies, ignore)
        bodies.append(composed.body)
        row = DraftRow(table="reference_thanks", note_id=note_id, kind="offer",
                       reference=reference.name, email=email, company=name, drafted_at=now,
                       subject=composed.subject, body=composed.body,
                       unique_ok=composed.unique, overlap=composed.overlap, draft_ref=None,
                       draft_status="saved")
        message = draft_for(config, row, now)
        saved = replace(row, draft_ref=ours.get(note_id) or mailbox.save_draft(message))
        store.record_thanks(saved)
        outcome.drafted.append(saved)
    offer = store.offer(name)
    if offer is not None and offer.reminded_at is None:
        key = f"offer:{company_id(name)}"
        if key not in mailbox.warnings_delivered():
            mailbox.deliver_warning(_reminder(config, name, list(people.values()), key, now))
            outcome.reminded = True
        store.record_reminded(name, now)
    return outcome


def _reference(config: Config, name: str, email: str) -> Reference:
    """The configured reference with this address (its name may have changed), else one
    made from the history."""
    for ref in config.references:
        if ref.email.casefold() == email.casefold():
            return ref
    return Reference(name=name, email=email)


def _reminder(config: Config, company: str, people: Sequence[tuple[str, str, datetime]],
              key: str, now: datetime) -> EmailMessage:
    lines = [f"  - {clean(n)} <{clean(e)}>: asked on {local_time(at, config.zone)}"
             for n, e, at in people]
    company = clean(company)
    body = "\n".join([
        f"Congratulations on the offer from {company}!",
        "",
        "These people spoke up for you. An email is not enough for that: send each of them "
        "a handwritten card and a small gift (a book they would like, good coffee or tea, "
        "flowers, a donation in their name), and tell them the news yourself.",
        "",
        *lines,
        "",
        "A note telling each of them the news is in your Drafts folder: read it, make it "
        "yours and send it. The card and the gift are up to you.",
        "",
        "afterword never sends anything: it only saves drafts and puts reminders in your "
        "inbox.",
    ]) + "\n"
    return inbox_note(me=config.me, key=key, subject=f"afterword: an offer from {company}: "
                      "thank your references with a card and a small gift", body=body, now=now)
