"""The drafts to a reference: the request, the thank-you at once, and the thank-you with
the news when the offer comes.

A sibling of the thank-you Composer (plugin/compose/render.py): the same Jinja2 environment
(the user's templates_dir first), the same deterministic phrase picks from a hash of the
note id and an attempt counter, and the same uniqueness rule (word-trigram overlap at most
0.5 with names removed), checked here against every earlier draft of the same kind.

The request gives the reference what they need and never what they should say: the role,
the company, the people I met, who to contact, two or three things they could speak to and
the timing. Writing the recommendation for them would defeat the point.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

from afterword.plugin.compose.message import BODY_CTE, POLICY, address, header_text
from afterword.plugin.compose.render import (
    GREETINGS,
    SIGN_OFFS,
    Templates,
    clean,
    clip,
    tidy_body,
)
from afterword.plugin.compose.uniqueness import UNIQUE_LIMIT, overlap_sets, trigrams
from afterword.plugin.config import Reference
from afterword.plugin.mailbox.base import WARNING_HEADER
from afterword.plugin.model import ComposedNote, Identity, stable_id
from afterword.plugin.references.facts import CompanyFacts

REQUEST_TEMPLATE = "reference_request.txt.j2"
THANKS_TEMPLATE = "reference_thanks.txt.j2"
OFFER_THANKS_TEMPLATE = "reference_offer_thanks.txt.j2"
MAX_POINTS = 3
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
NOTE_POINTS = 2  # of the reference's own notes, at most

# --- the phrase pools ---------------------------------------------------------------------
# Placeholders: {company}, {position} ("the Senior Data Engineer role"), {name} (the
# reference's first name), {who} (the contact, "Hannah Berg, the hiring manager"),
# {address}, {relationship} ("my manager at Initech"), {by} and {last} (days).

OPENINGS = (
    "I have just finished the interviews for {position} at {company}, and I think this is "
    "the one I have been looking for.",
    "I am in the last stage of the process for {position} at {company}; of everything I "
    "have looked at, it is the job I want most.",
    "My final round with {company} for {position} is behind me now, and I would really "
    "love to land this one.",
    "After a full set of interviews at {company}, I am convinced that {position} is the "
    "right next step for me.",
    "Things have gone well with {company}: I have met the team for {position}, and I am "
    "hoping an offer follows.",
    "The process at {company} for {position} is nearly over, and it is the opportunity I "
    "care about most right now.",
)

ASKS = (
    "Would you be willing to call or email them and tell them, in your own words, what "
    "working with me was like?",
    "Could I ask a favour? A short call or email from you to the team there, saying what you "
    "know of my work, could make a real difference.",
    "I wondered whether you might reach out to them directly, by phone or by email, and "
    "share your honest view of me.",
    "If you are comfortable with it, a quick note or call from you to the people there "
    "would mean a great deal.",
    "Would you consider getting in touch with them yourself, with a call or a brief email "
    "about our time working together?",
    "I am hoping you might be willing to contact them and vouch for me, in whatever way "
    "feels natural to you.",
)

NO_PRESSURE = (
    "Please feel free to say no if the timing is bad; I will understand completely.",
    "It is entirely fine to decline, of course.",
    "No pressure at all if now is not a good moment.",
    "If it is not something you want to do, just tell me: there are no hard feelings.",
    "Only if you have the time and feel you can; a no is perfectly fine.",
    "Please don't feel obliged, as I know this is a real ask.",
)

PEOPLE_INTROS = (
    "These are the people I met at {company}:",
    "For context, here is who interviewed me:",
    "The people I spoke with were:",
    "My interviewers at {company} were:",
    "In case it helps, I met:",
    "Here is the panel I saw:",
)

CONTACTS = (
    "The best person to reach is {who}, at {address}.",
    "If you do get in touch, {who} is the one to contact: {address}.",
    "{who} would be the right person to hear from you; the address is {address}.",
    "The contact I would suggest is {who}, reachable at {address}.",
    "You could write to {who} directly at {address}.",
    "Whoever you reach first, {who} ({address}) is the person who decides.",
)

CONTACTS_NO_ADDRESS = (
    "The best person to reach is {who}; I don't have a direct address yet and will send "
    "it to you.",
    "{who} is the one to contact; I will forward the address as soon as I have it.",
    "I would suggest contacting {who}; I am still finding the address and will pass it on.",
    "The right person to hear from you is {who}, and I will send you the details "
    "separately.",
    "It would be best to reach {who}; let me get you the address first.",
    "{who} is the person to talk to, and I'll send an address shortly.",
)

NO_CONTACTS = (
    "I don't know yet who is best to contact there, and I will send you a name and an "
    "address.",
    "I will find out who the right person to contact is and send you the details.",
    "Let me check who you should reach there; I'll follow up with a name and an address.",
    "I am confirming who the decision maker is and will send you their details.",
    "Once I know who is deciding, I'll pass their name and address on to you.",
    "I'll send you the name and address of the right person as soon as I have them.",
)

POINTS_INTROS = (
    "If it helps, a few things you could speak to, only if they ring true to you:",
    "Some things you know first-hand and could mention, if you agree with them:",
    "A few things you have seen yourself, should you want a starting place:",
    "Things you could talk about, as far as they match what you saw:",
    "Where I think your view would count most:",
    "If useful, these are the things you are best placed to speak to:",
)

RELATIONSHIP_POINTS = (
    "what I was like to work with when you were {relationship}",
    "how I handled the day-to-day work while you were {relationship}",
    "the way I worked with you and the team, from your time as {relationship}",
    "what you saw of my work back when you were {relationship}",
    "how I dealt with setbacks during the time you were {relationship}",
    "what kind of colleague I was while you were {relationship}",
)

ROLE_POINTS = (
    "why you think I would do well in {position}",
    "how my strengths fit {position} at {company}",
    "the parts of my experience that matter most for {position}",
    "what makes you confident I could take on {position}",
    "which of the things you saw me do would carry over to {position}",
    "why {company} could count on me in {position}",
)

GENERIC_POINTS = (
    "how I take ownership of a problem and see it through",
    "how I work with people across a team",
    "how I learn when something is new to me",
    "how I keep going when a project gets hard",
    "how I communicate when plans change",
    "how reliable I am when a deadline is close",
)

TIMINGS = (
    "They expect to decide soon, so the coming week matters most: ideally before {by}.",
    "A decision is likely within the next week, so anything before {by} would come at "
    "the right moment.",
    "My last interview was on {last}, and they plan to decide in the next week; before "
    "{by} would be ideal.",
    "If you can, please reach out in the next week (by {by}), while they are still "
    "deciding.",
    "The timing matters: they are deciding now, so the next few days, and no later than "
    "{by}, would be best.",
    "They told me to expect news within a week or so, so reaching them before {by} would "
    "help most.",
)

OWN_WORDS = (
    "I won't presume to tell you what to say: your own words will carry far more weight "
    "than anything I could write.",
    "I haven't drafted anything for you on purpose; what matters is that it comes from you.",
    "Please say it your way, as an honest word from you is worth more than any polished "
    "script.",
    "Whatever you say should be yours; I trust your judgement completely.",
    "I'd rather not put words in your mouth, so please speak to it as you see it.",
    "There is no script here: a few sincere sentences from you are exactly right.",
)

CLOSINGS = (
    "Thank you for considering it, and for everything you have done for me already.",
    "Either way, thank you for your support over the years.",
    "I really appreciate you thinking about it.",
    "Thank you; I know how precious your time is.",
    "Whatever you decide, I am grateful to have you in my corner.",
    "Thanks for reading this far, and for being someone I can ask.",
)

REQUEST_SUBJECTS = (
    "Could you put in a word for me at {company}?",
    "A favour: a call or email to {company}?",
    "{company}: would you speak up for me?",
    "A request about my {company} interviews",
    "Would you vouch for me with {company}?",
    "Asking a favour about {company}",
)

THANKS_OPENINGS = (
    "Thank you for being willing to speak up for me with {company}.",
    "I wanted to thank you straight away for reaching out to {company} on my behalf.",
    "Thank you so much for putting in a word for me at {company}.",
    "Thanks for vouching for me with {company}; it means a lot.",
    "I am very grateful that you got in touch with {company} for me.",
    "Thank you for taking the time to talk to {company} about me.",
)

THANKS_MIDDLES = (
    "Whatever they decide, I know it took time and goodwill, and I don't take it lightly.",
    "I will let you know how it turns out.",
    "It was generous of you, and I will keep you posted on what happens.",
    "Knowing you are in my corner makes a real difference.",
    "I owe you one, and I will tell you the moment I hear back.",
    "It is a kindness I won't forget, whatever the outcome.",
)

THANKS_SUBJECTS = (
    "Thank you",
    "Thank you for vouching for me",
    "Thanks for your help with {company}",
    "Thank you for speaking up for me",
    "Grateful for your help",
    "Thanks, {name}",
)

NEWS = (
    "I have good news: {company} has offered me {position}.",
    "I wanted you to be among the first to know that I got the offer from {company} for "
    "{position}.",
    "The news came in today: {company} made me an offer for {position}.",
    "I am delighted to tell you that {company} offered me {position}.",
    "It worked out: {company} has made me an offer for {position}.",
    "Some happy news to share: the offer from {company} for {position} arrived.",
)

CREDITS = (
    "Your word with them made a difference, and I am truly grateful.",
    "I am sure hearing from you helped, so thank you again.",
    "Thank you for backing me when it counted.",
    "You helped make this happen, and I won't forget it.",
    "Having you speak up for me mattered more than I can say.",
    "I know your call carried weight, and I am very thankful for it.",
)

FOLLOWS = (
    "I would love to catch up soon and thank you properly.",
    "Let me know when you are free; the coffee is on me.",
    "I hope I can return the favour one day.",
    "I will keep you posted as I settle in.",
    "Let's celebrate together soon, if you have time.",
    "I'll tell you all about it once I start.",
)

OFFER_SUBJECTS = (
    "Good news from {company}",
    "I got the offer at {company}",
    "{company} said yes: thank you",
    "Some good news, and thanks",
    "The {company} offer came through",
    "Thank you, {name}: good news",
)


# --- what a template receives -------------------------------------------------------------


@dataclass(frozen=True)
class DraftContext:
    """One draft to one reference about one company."""

    note_id: str
    reference: Reference
    facts: CompanyFacts
    me: Identity
    signature: str
    zone: ZoneInfo  # mine: days are named in it
    decision_by: datetime  # the end of the window in which a reference's word still counts


def first_name(name: str) -> str:
    words = clean(name).split()
    return clip(words[0], (40, 1)) if words else "there"


def company_text(company: str) -> str:
    """The company as a draft quotes it: one line, at most 60 characters or 6 words."""
    return clip(clean(company), (60, 6))


def relationship_phrase(relationship: str) -> str:
    """'my manager at Initech' stays; 'manager at Initech' becomes 'my manager at
    Initech', so that "when you were …" reads."""
    text = clip(clean(relationship), (80, 12))
    if not text:
        return ""
    if re.match(r"(?i)(my|our|a|an|the)\b", text):
        return text
    return f"my {text}"


def note_points(notes: str) -> list[str]:
    """The reference's own notes, one point per line or ';'-separated part."""
    parts = re.split(r"[;\n]+", notes or "")
    return [clip(clean(p), (140, 24)) for p in parts if clean(p)][:NOTE_POINTS]


def day_text(moment: datetime, zone: ZoneInfo) -> str:
    """'Wednesday 2 December', in English whatever the locale."""
    local = moment.astimezone(zone)
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"


def _pick(note_id: str, attempt: int, part: str, pool: Sequence[str]) -> str:
    return pool[int(stable_id(note_id, str(attempt), part), 16) % len(pool)]


# --- rendering ----------------------------------------------------------------------------


class ReferenceComposer:
    """Renders the three kinds of draft, each unlike every earlier one of its kind."""

    def __init__(self, templates_dir: Path | None = None, max_attempts: int = 40) -> None:
        self._templates = Templates(templates_dir)
        self.max_attempts = max_attempts

    def request(self, ctx: DraftContext, existing: Sequence[str], names: Iterable[str]
                ) -> ComposedNote:
        return self._compose(ctx, REQUEST_TEMPLATE, self._request_parts, REQUEST_SUBJECTS,
                             existing, names)

    def thanks(self, ctx: DraftContext, existing: Sequence[str], names: Iterable[str]
               ) -> ComposedNote:
        parts = {"greeting": GREETINGS, "thanks": THANKS_OPENINGS, "middle": THANKS_MIDDLES,
                 "sign_off": SIGN_OFFS}
        return self._compose(ctx, THANKS_TEMPLATE, _pools(parts), THANKS_SUBJECTS,
                             existing, names)

    def offer_thanks(self, ctx: DraftContext, existing: Sequence[str], names: Iterable[str]
                     ) -> ComposedNote:
        parts = {"greeting": GREETINGS, "news": NEWS, "credit": CREDITS, "follow": FOLLOWS,
                 "sign_off": SIGN_OFFS}
        return self._compose(ctx, OFFER_THANKS_TEMPLATE, _pools(parts), OFFER_SUBJECTS,
                             existing, names)

    # -- the request's own parts --

    @staticmethod
    def _request_parts(ctx: DraftContext, attempt: int) -> tuple[dict[str, str], dict[str, object]]:
        values = _values(ctx)
        contact = ctx.facts.contact
        if contact is None:
            contact_pool = NO_CONTACTS
        elif contact.email:
            contact_pool = CONTACTS
        else:
            contact_pool = CONTACTS_NO_ADDRESS
        pools = {"greeting": GREETINGS, "opening": OPENINGS, "ask": ASKS,
                 "no_pressure": NO_PRESSURE, "people_intro": PEOPLE_INTROS,
                 "contact": contact_pool, "points_intro": POINTS_INTROS, "timing": TIMINGS,
                 "own_words": OWN_WORDS, "closing": CLOSINGS, "sign_off": SIGN_OFFS}
        phrases = {k: _pick(ctx.note_id, attempt, k, pool).format(**values)
                   for k, pool in pools.items()}
        # Their own notes first, then what the relationship lets them judge; the role
        # always closes the list, since it is what the employer is deciding on.
        known = note_points(ctx.reference.notes)
        if values["relationship"]:
            known.append(_pick(ctx.note_id, attempt, "rel", RELATIONSHIP_POINTS)
                         .format(**values))
        if not known:
            known.append(_pick(ctx.note_id, attempt, "gen", GENERIC_POINTS))
        role = _pick(ctx.note_id, attempt, "role", ROLE_POINTS).format(**values)
        points = [*known[: MAX_POINTS - 1], role]
        return phrases, {"points": points,
                         "people_lines": [p.described for p in ctx.facts.people]}

    # -- the shared loop --

    def _compose(
        self, ctx: DraftContext, template_name: str,
        parts: Callable[[DraftContext, int], tuple[dict[str, str], dict[str, object]]],
        subjects: Sequence[str], existing: Sequence[str], names: Iterable[str],
    ) -> ComposedNote:
        """The first attempt whose body shares at most half its word trigrams with every
        body in `existing` (names removed); else the least alike, with unique=False."""
        ignore = (ctx.reference.name, ctx.me.name, *ctx.signature.splitlines(),
                  *(p.name for p in ctx.facts.people), *names)
        others = [trigrams(body, ignore) for body in existing]
        best: tuple[float, str, str, str] | None = None
        for attempt in range(self.max_attempts):
            phrases, extra = parts(ctx, attempt)
            body = tidy_body(self._templates.render(template_name,
                                                    _variables(ctx, phrases, extra)))
            mine = trigrams(body, ignore)
            worst = max((overlap_sets(mine, o) for o in others), default=0.0)
            subject = _pick(ctx.note_id, attempt, "subject", subjects).format(**_values(ctx))
            if best is None or worst < best[0]:
                best = (worst, subject, body, f"a{attempt}")
            if worst <= UNIQUE_LIMIT:
                break
        assert best is not None
        worst, subject, body, variant = best
        return ComposedNote(subject=clean(subject), body=body, variant=variant,
                            unique=worst <= UNIQUE_LIMIT, overlap=round(worst, 4))


def _pools(pools: Mapping[str, Sequence[str]]
           ) -> Callable[[DraftContext, int], tuple[dict[str, str], dict[str, object]]]:
    def parts(ctx: DraftContext, attempt: int) -> tuple[dict[str, str], dict[str, object]]:
        values = _values(ctx)
        return {k: _pick(ctx.note_id, attempt, k, pool).format(**values)
                for k, pool in pools.items()}, {}

    return parts


def _values(ctx: DraftContext) -> dict[str, str]:
    """What the phrase placeholders are filled with (str.format never evaluates values)."""
    contact = ctx.facts.contact
    return {
        "name": first_name(ctx.reference.name),
        "company": company_text(ctx.facts.company) or "the company",
        "position": ctx.facts.position,
        "who": contact.role_word if contact else "",
        "address": clean(contact.email) if contact and contact.email else "",
        "relationship": relationship_phrase(ctx.reference.relationship),
        "by": day_text(ctx.decision_by, ctx.zone),
        "last": day_text(ctx.facts.last_interview_end, ctx.zone),
    }


def _variables(ctx: DraftContext, phrases: Mapping[str, str], extra: Mapping[str, object]
               ) -> dict[str, object]:
    """What a template sees; documented at the top of each default template."""
    values = _values(ctx)
    return {
        "phrases": dict(phrases),
        "points": [], "people_lines": [],
        **extra,
        "first_name": values["name"],
        "company": company_text(ctx.facts.company),
        "role": ctx.facts.role,
        "position": ctx.facts.position,
        "people": ctx.facts.people,
        "contact": ctx.facts.contact,
        "reference": ctx.reference,
        "decision_by": values["by"],
        "me": ctx.me,
        "signature": ctx.signature.strip("\n") or ctx.me.name,
        "note_id": ctx.note_id,
    }


# --- our own messages in the inbox --------------------------------------------------------


def inbox_note(*, me: Identity, key: str, subject: str, body: str, now: datetime
               ) -> EmailMessage:
    """A reminder from me to me for the inbox, tagged `X-Afterword-Warning: key` so it is
    delivered once. `key` is ours ("offer:<company id>"), never calendar or mail text."""
    if not re.fullmatch(r"[A-Za-z0-9._:@+-]{1,200}", key):
        raise ValueError(f"not a warning key: {key!r}")
    msg = EmailMessage(policy=POLICY)
    msg["From"] = address(me.name, me.email)
    msg["To"] = address(me.name, me.email)
    msg["Date"] = format_datetime(now)
    domain = me.email.rpartition("@")[2].strip().lower()
    msg["Message-ID"] = make_msgid(idstring="afterword",
                                   domain=domain if re.fullmatch(r"[a-z0-9.-]+", domain)
                                   else "afterword.invalid")
    msg["Subject"] = header_text(subject)
    msg[WARNING_HEADER] = key
    msg.set_content(body, charset="utf-8", cte=BODY_CTE)
    return msg

