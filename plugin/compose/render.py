"""Thank-you notes rendered from Jinja2 templates with a pool of phrasings.

Every part of a note (greeting, thanks, the remark about the interviewer, the renewed
interest, the closing, the sign-off) has several genuinely different sentences. A note's
choices come from a hash of its id and an attempt counter, so the same note renders the
same text on every run, and another attempt gives other choices when the note is too much
like one already written to the same company (see uniqueness.py).

Data from calendars (names, titles, topics) reaches templates only as variables and is never
parsed as template source, so "{{ 7*7 }}" in a name stays literal.
"""

from __future__ import annotations

import importlib.resources
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from afterword.plugin.compose.topics import topic_phrase
from afterword.plugin.compose.uniqueness import UNIQUE_LIMIT, overlap_sets, trigrams
from afterword.plugin.errors import UserError
from afterword.plugin.model import ComposedNote, Identity, Interview, Interviewer, stable_id

if TYPE_CHECKING:
    import jinja2

log = logging.getLogger("afterword.compose")

BODY_TEMPLATE = "thank_you.txt.j2"
SUBJECT_TEMPLATE = "subject.txt.j2"
MIN_WORDS = 60  # whole body, greeting to signature
MAX_WORDS = 180

_PACKAGE = __name__.rpartition(".")[0]

# Longest pieces of calendar data a note quotes; longer ones are cut at a word with "…".
TOPIC_LIMIT = (120, 18)  # characters, words
TITLE_LIMIT = (120, 10)
ROLE_LIMIT = (80, 10)
COMPANY_LIMIT = (60, 6)
OTHERS_NAMED = 3  # more panelists than this become "the rest of the panel"

# --- the phrase pools ---------------------------------------------------------------------
# Placeholders: {name} first name, {company}, {position} ("the Data Engineer role" or
# "this role"), {topic}, {title}, {others}. Each pool's sentences share as few word
# sequences as possible with one another, so two notes differ wherever their choices do.

GREETINGS = (
    "Hi {name},",
    "Dear {name},",
    "Hello {name},",
    "{name},",
    "Hi {name}, I hope your week is going well.",
    "Hello {name}, I hope this note finds you well.",
)

THANKS = (
    "Thank you for taking the time to meet with me. I really enjoyed our conversation and "
    "appreciated how openly you answered my questions.",
    "Many thanks for the time you spent with me during the interview. It was a genuine "
    "pleasure to talk with you, and the hour went by quickly.",
    "I wanted to say thank you for our conversation. You made the interview feel relaxed "
    "and engaging, and I learned a lot from it.",
    "Thanks so much for meeting with me. I know how busy your schedule must be, so I am "
    "grateful you set aside the time.",
    "I am grateful for the chance to speak with you about the work being done at "
    "{company}. Our discussion was one of the highlights of my week.",
    "I appreciate you taking part in my interview. Your questions were thoughtful, and "
    "answering them helped me think more clearly about what the job involves.",
    "Thank you again for the interview. I left our meeting with plenty to reflect on and "
    "a real sense of how you approach your work.",
    "It was kind of you to give me your time, and I wanted to send a quick note of thanks "
    "for a conversation I enjoyed from start to finish.",
)

TOPIC_REMARKS = (
    "I especially enjoyed our discussion of {topic}, and the way you framed the "
    "trade-offs has stayed with me since.",
    "Talking through {topic} with you was the part I keep coming back to; your questions "
    "pushed me to think harder about it.",
    "Your perspective on {topic} was particularly valuable, and it gave me a clearer sense "
    "of the problems the team is solving.",
    "I found our exchange on {topic} very useful, and I have already been reading more "
    "about some of the points you raised.",
    "The time we spent on {topic} was a highlight for me, since it showed how carefully "
    "your team thinks about details.",
    "The depth you brought to {topic} impressed me; exploring it with someone so "
    "experienced was a real treat.",
    "Our conversation about {topic} was a great example of the kind of work I hope to do, "
    "and I enjoyed every minute of it.",
    "What stood out most was {topic}: the examples you shared made those challenges "
    "concrete and very interesting.",
)

TITLE_REMARKS = (
    "It was insightful to hear how you approach things as {title} and how that shapes "
    "the way the team works.",
    "Hearing about your day-to-day as {title} gave me a much better picture of how "
    "decisions get made.",
    "Your experience as {title} came through in every question, and I learned from how you "
    "described the team's priorities.",
    "I valued learning about your responsibilities as {title} and how closely they connect "
    "with this position.",
    "Getting the view of someone working as {title} was especially helpful for "
    "understanding where the group is headed.",
    "The way you described your work as {title} made it clear how much ownership people "
    "are given there.",
    "It meant a lot to hear from you, as {title}, what success looks like in the first months.",
    "Learning how your job as {title} fits into the wider organisation helped me see where "
    "I could contribute.",
)

COMPANY_REMARKS = (
    "I came away with a much clearer picture of how the team at {company} works and what "
    "it values.",
    "Learning more about the projects ahead at {company} made the opportunity feel even "
    "more concrete to me.",
    "Your description of the culture at {company} matched what I had hoped to find, which "
    "was very encouraging.",
    "The conversation gave me a real feel for the people at {company} and the care they put "
    "into their work.",
    "It was refreshing to get an honest look at both the opportunities and the challenges "
    "{company} is facing right now.",
    "It was great to hear what a typical week looks like at {company} and how colleagues "
    "collaborate across functions.",
    "Your answers about growth and learning at {company} were exactly what I was hoping "
    "to hear from someone inside.",
    "Everything we covered gave me a better sense of where {company} is going and why the "
    "work matters.",
)

INTERESTS = (
    "Our talk left me even more excited about {position} at {company} and about the "
    "chance to contribute from day one.",
    "I am still very enthusiastic about joining {company}, and everything I heard "
    "confirmed that {position} is a strong match for my experience.",
    "More than ever, I would love to bring my skills to {company} in {position} and help "
    "the team reach its goals.",
    "I remain keen on {position}, and I believe my background would let me make a useful "
    "difference at {company} quickly.",
    "Seeing how things work at {company} up close strengthened my interest in {position} "
    "considerably.",
    "I want to reaffirm how much I would like to join {company}; {position} is exactly the "
    "kind of challenge I have been looking for.",
    "The interview made me more certain that {position} at {company} is where I would "
    "like to take the next step in my career.",
    "Please count me as a very motivated candidate for {position}: the more I learn about "
    "{company}, the more I want to be part of it.",
)

TEAM_MENTIONS = (
    "Please also pass my thanks to {others} for their time.",
    "It was a pleasure to meet {others} as well.",
    "I also enjoyed meeting {others} during the interview.",
    "Meeting {others} too gave me a good sense of the people I would be working with.",
    "I am grateful to {others} as well for joining the conversation.",
    "Speaking with {others} was a great part of the day, too.",
)

CLOSINGS = (
    "If there is anything else you need from me, please do not hesitate to ask.",
    "Please let me know if I can provide any further information to help with the next steps.",
    "I look forward to hearing from you about the next stage of the process.",
    "Should any further questions come up, I would be happy to answer them at any time.",
    "I hope we have the chance to work together, and I look forward to staying in touch.",
    "Thanks once more, and I hope to speak with you again soon.",
    "If it would be helpful, I am glad to share work samples or references.",
    "Wishing you a great rest of the week, and I hope our paths cross again soon.",
)

SIGN_OFFS = (
    "Best regards,",
    "Kind regards,",
    "Best,",
    "Warm regards,",
    "With thanks,",
    "Sincerely,",
    "All the best,",
    "Many thanks,",
)

SUBJECTS = (
    "Thank you for the conversation",
    "Thank you for your time",
    "Thanks for meeting with me",
    "Thank you for the interview",
    "Thank you for the {company} interview",
    "Thank you: {company} interview",
    "Following up with thanks",
    "Thank you for your time and insights",
)


# --- what a template receives -------------------------------------------------------------


@dataclass(frozen=True)
class NoteContext:
    """Everything a template may use about one note."""

    note_id: str
    interviewer: Interviewer
    greeting_name: str  # first name to greet with (the engine passes it in)
    interview: Interview
    me: Identity
    signature: str
    others: tuple[str, ...] = ()  # other interviewers' names in the same interview


@dataclass(frozen=True)
class Phrases:
    """The sentences chosen for one note; each is plain text with the data filled in."""

    greeting: str
    thanks: str
    topic_remark: str  # "" when the topic is unknown
    title_remark: str  # "" when the title is unknown or dropped for length
    company_remark: str  # "" when a topic or title is known
    interest: str
    team: str  # "" when there are no other interviewers or it was dropped for length
    closing: str
    sign_off: str
    subject: str

    @property
    def specific(self) -> str:
        """The remark about this interviewer: topic and title, else about the company."""
        parts = (
            (self.topic_remark, self.title_remark)
            if (self.topic_remark or self.title_remark)
            else (self.company_remark,)
        )
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Facts:
    """Calendar data cleaned for quoting: one line each, control characters gone, clipped."""

    first_name: str
    company: str  # "" when unknown
    role: str  # "" when unknown
    position: str  # "the Senior Data Engineer role", or "this role"
    topic: str  # a phrase for a sentence (compose/topics.py); "" when it names no subject
    title: str
    others: str  # "Ann, Bob and Chen", "" when alone

    @property
    def company_or_generic(self) -> str:
        return self.company or "your company"


def clean(text: str | None) -> str:
    """One line of plain text: control and line-separator characters become spaces."""
    if not text:
        return ""
    chars = (" " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c for c in text)
    return " ".join("".join(chars).split())


def clip(text: str, limit: tuple[int, int]) -> str:
    """Cut `text` at a word so it fits `limit` (characters, words), marking the cut."""
    max_chars, max_words = limit
    text = text.rstrip(" .;:,")
    if len(text) <= max_chars and len(text.split()) <= max_words:
        return text
    kept: list[str] = []
    for word in text.split()[:max_words]:
        if len(" ".join([*kept, word])) > max_chars - 1:
            break
        kept.append(word)
    if not kept:  # one enormous word
        return text[: max_chars - 1] + "…"
    return " ".join(kept).rstrip(" .;:,-–—") + "…"


def _first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def _others_phrase(greeting_name: str, others: Sequence[str]) -> str:
    """Other panelists by first name, by full name where a first name is ambiguous."""
    names = [clean(o) for o in others if clean(o)]
    firsts = [_first_name(n) for n in names]
    taken = [greeting_name.lower(), *(f.lower() for f in firsts)]
    shown = [
        clip(n if taken.count(f.lower()) > 1 else f, (40, 4))
        for n, f in zip(names, firsts, strict=True)
    ]
    if not shown:
        return ""
    if len(shown) > OTHERS_NAMED:
        return ", ".join(shown[:OTHERS_NAMED]) + " and the rest of the panel"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def facts_for(ctx: NoteContext) -> Facts:
    role = clip(clean(ctx.interview.role), ROLE_LIMIT)
    if not role:
        position = "this role"
    elif role.lower().endswith(("role", "position")):
        position = f"the {role}"
    else:
        position = f"the {role} role"
    first = clean(ctx.greeting_name) or _first_name(clean(ctx.interviewer.name)) or "there"
    return Facts(
        first_name=clip(first, (40, 3)),
        company=clip(clean(ctx.interview.company), COMPANY_LIMIT),
        role=role,
        position=position,
        topic=clip(topic_phrase(clean(ctx.interviewer.topic)), TOPIC_LIMIT),
        title=clip(clean(ctx.interviewer.title), TITLE_LIMIT),
        others=_others_phrase(first, ctx.others),
    )


# --- choosing phrasings -------------------------------------------------------------------


def _pick(note_id: str, attempt: int, part: str, pool: Sequence[str]) -> tuple[int, str]:
    """A deterministic choice from `pool` for this note, attempt and part."""
    index = int(stable_id(note_id, str(attempt), part), 16) % len(pool)
    return index, pool[index]


@dataclass(frozen=True)
class Choice:
    """One attempt's phrasing: the indexes picked, before optional parts are dropped."""

    attempt: int
    picks: dict[str, int]

    def describe(self, dropped: Iterable[str]) -> str:
        parts = "-".join(f"{k}{v}" for k, v in self.picks.items())
        drops = "".join(f"-no_{d}" for d in dropped)
        return f"a{self.attempt}:{parts}{drops}"


_POOLS: dict[str, tuple[str, ...]] = {
    "g": GREETINGS,
    "t": THANKS,
    "p": TOPIC_REMARKS,
    "r": TITLE_REMARKS,
    "c": COMPANY_REMARKS,
    "i": INTERESTS,
    "m": TEAM_MENTIONS,
    "e": CLOSINGS,
    "s": SIGN_OFFS,
}


def choose(note_id: str, attempt: int, facts: Facts) -> Choice:
    """Pick one sentence index per part that applies to this note."""
    wanted = ["g", "t"]
    if facts.topic:
        wanted.append("p")
    if facts.title:
        wanted.append("r")
    if not (facts.topic or facts.title):
        wanted.append("c")
    wanted.append("i")
    if facts.others:
        wanted.append("m")
    wanted += ["e", "s"]
    picks = {k: _pick(note_id, attempt, k, _POOLS[k])[0] for k in wanted}
    picks["j"] = _pick(note_id, attempt, "j", _subjects(facts))[0]
    return Choice(attempt, picks)


def _subjects(facts: Facts) -> tuple[str, ...]:
    if facts.company:
        return SUBJECTS
    return tuple(s for s in SUBJECTS if "{company}" not in s)


def phrases_for(facts: Facts, choice: Choice, dropped: frozenset[str] = frozenset()) -> Phrases:
    """Fill the chosen sentences with the note's data (str.format never evaluates values)."""
    values = {
        "name": facts.first_name,
        "company": facts.company_or_generic,
        "position": facts.position,
        "topic": facts.topic,
        "title": facts.title,
        "others": facts.others,
    }

    def fill(key: str) -> str:
        if key not in choice.picks or key in dropped:
            return ""
        pool = _subjects(facts) if key == "j" else _POOLS[key]
        return pool[choice.picks[key]].format(**values)

    return Phrases(
        greeting=fill("g"),
        thanks=fill("t"),
        topic_remark=fill("p"),
        title_remark=fill("r"),
        company_remark=fill("c"),
        interest=fill("i"),
        team=fill("m"),
        closing=fill("e"),
        sign_off=fill("s"),
        subject=fill("j"),
    )


# --- templates ----------------------------------------------------------------------------


def _packaged_template(name: str) -> tuple[str, str | None, Callable[[], bool]] | None:
    """Load a default template through importlib.resources, so a wheel or zip works."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    resource = importlib.resources.files(_PACKAGE).joinpath("templates", name)
    if not resource.is_file():
        return None
    filename = str(resource) if isinstance(resource, Path) else None
    return resource.read_text(encoding="utf-8"), filename, lambda: True


def template_environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """Plain-text Jinja2: the user's folder first, then the packaged defaults."""
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates_dir), encoding="utf-8"))
    loaders.append(jinja2.FunctionLoader(_packaged_template))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class Templates:
    """The templates of one folder (and the packaged defaults), loaded on first use: an idle
    daemon with nothing to write never imports Jinja2 (about 2 MB resident). A folder of
    the user's own is loaded at once, so a broken template is reported at start-up."""

    def __init__(self, templates_dir: Path | None) -> None:
        self.templates_dir = templates_dir
        self._env: jinja2.Environment | None = None
        self._loaded: dict[str, jinja2.Template] = {}

    def load(self, *names: str) -> None:
        for name in names:
            self._template(name)

    def render(self, name: str, variables: Mapping[str, object]) -> str:
        import jinja2

        try:
            return self._template(name).render(variables)
        except jinja2.TemplateError as err:
            raise template_problem(name, err, self.templates_dir) from err

    def _template(self, name: str) -> jinja2.Template:
        import jinja2

        if name not in self._loaded:
            if self._env is None:
                self._env = template_environment(self.templates_dir)
            try:
                self._loaded[name] = self._env.get_template(name)
            except jinja2.TemplateError as err:
                raise template_problem(name, err, self.templates_dir) from err
        return self._loaded[name]


def template_problem(
    name: str, err: Exception, templates_dir: Path | None
) -> UserError:
    where = getattr(err, "filename", None) or name
    line = getattr(err, "lineno", None)
    at = f" line {line}" if line else ""
    fix = "fix the template"
    if templates_dir is not None:
        fix += f" or remove it from {templates_dir} to use the default"
    message = getattr(err, "message", None) or err
    return UserError(f"template {where}{at}: {message}; {fix}")


def tidy_body(text: str) -> str:
    """Unix newlines, no trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return body + "\n"


def word_count(text: str) -> int:
    return len(text.split())


# --- the composer -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Attempt:
    subject: str
    body: str
    variant: str
    overlap: float
    words: int

    @property
    def unique(self) -> bool:
        return self.overlap <= UNIQUE_LIMIT

    @property
    def fits(self) -> bool:
        return MIN_WORDS <= self.words <= MAX_WORDS


class NoteComposer(Protocol):
    """What the engine needs to write notes. Composer renders in this process; the daemon
    uses WorkerComposer (plugin/worker.py), which renders in a short-lived child so the
    long-running process never loads Jinja2."""

    def compose(
        self, ctx: NoteContext, existing: Sequence[str], names: Iterable[str] = ()
    ) -> ComposedNote: ...

    def close(self) -> None:
        """Release what composing holds between cycles (a worker process, say)."""


class Composer:
    """Renders notes and keeps each one unlike the others written to the same company."""

    def __init__(self, templates_dir: Path | None = None, max_attempts: int = 40) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.templates_dir = templates_dir
        self.max_attempts = max_attempts
        self._templates = Templates(templates_dir)
        if templates_dir is not None:
            self._templates.load(BODY_TEMPLATE, SUBJECT_TEMPLATE)

    def compose(
        self, ctx: NoteContext, existing: Sequence[str], names: Iterable[str] = ()
    ) -> ComposedNote:
        """The note for `ctx`, unlike every body in `existing` (the company's other notes).

        `names` adds names to ignore when comparing (the interviewers of the company's
        other interviews); this note's people, me and the signature are always ignored.
        Returns the first attempt that is unique and 60–180 words long, else the best one
        with unique=False.
        """
        ignore = names_to_ignore(ctx, names)
        others = [trigrams(body, ignore) for body in existing]
        facts = facts_for(ctx)
        best: _Attempt | None = None
        for attempt in range(self.max_attempts):
            subject, body, variant = self._render(ctx, facts, choose(ctx.note_id, attempt, facts))
            mine = trigrams(body, ignore)
            worst = max((overlap_sets(mine, o) for o in others), default=0.0)
            current = _Attempt(subject, body, variant, worst, word_count(body))
            if current.unique and current.fits:
                best = current
                break
            if best is None or _rank(current) < _rank(best):
                best = current
        assert best is not None  # max_attempts >= 1
        self._report(ctx, best)
        return ComposedNote(
            subject=best.subject,
            body=best.body,
            variant=best.variant,
            unique=best.unique,
            overlap=round(best.overlap, 4),
        )

    def close(self) -> None:
        """Nothing to release: the templates stay loaded for the next note."""

    def _render(self, ctx: NoteContext, facts: Facts, choice: Choice) -> tuple[str, str, str]:
        """Render one choice, dropping the optional sentences while the body is too long."""
        dropped: list[str] = []
        # the team mention first, then the title remark when a topic remark remains
        optional = [k for k in ("m", "r") if k in choice.picks]
        if not facts.topic and "r" in optional:
            optional.remove("r")
        while True:
            phrases = phrases_for(facts, choice, frozenset(dropped))
            variables = self._variables(ctx, facts, phrases)
            body = tidy_body(self._templates.render(BODY_TEMPLATE, variables))
            if word_count(body) <= MAX_WORDS or not optional:
                break
            dropped.append(optional.pop(0))
        subject = clean(self._templates.render(SUBJECT_TEMPLATE, variables)) or "Thank you"
        names = {"m": "team", "r": "title"}
        return subject, body, choice.describe(names[d] for d in dropped)

    def _variables(self, ctx: NoteContext, facts: Facts, phrases: Phrases) -> dict[str, object]:
        """What a template sees; documented at the top of the default thank_you.txt.j2."""
        return {
            "phrases": phrases,
            "first_name": facts.first_name,
            "company": facts.company,
            "role": facts.role,
            "position": facts.position,
            "topic": facts.topic,
            "title": facts.title,
            "others": tuple(clean(o) for o in ctx.others),
            "others_phrase": facts.others,
            "interviewer": ctx.interviewer,
            "interview": ctx.interview,
            "me": ctx.me,
            "signature": ctx.signature.strip("\n") or ctx.me.name,
            "note_id": ctx.note_id,
        }

    def _report(self, ctx: NoteContext, chosen: _Attempt) -> None:
        if not chosen.unique:
            log.warning(
                "note %s: every phrasing shares %.0f%% of its word trigrams with another "
                "note to %s (limit %.0f%%); edit the draft before sending",
                ctx.note_id,
                chosen.overlap * 100,
                ctx.interview.company or "the company",
                UNIQUE_LIMIT * 100,
            )
        if not chosen.fits:
            log.warning(
                "note %s has %d words, outside %d–%d",
                ctx.note_id,
                chosen.words,
                MIN_WORDS,
                MAX_WORDS,
            )


def _rank(attempt: _Attempt) -> tuple[bool, bool, float]:
    """Sort key for the fallback: unique first, then within the length bounds, then least alike."""
    return (not attempt.unique, not attempt.fits, attempt.overlap)


def names_to_ignore(ctx: NoteContext, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """Names the uniqueness check removes: the people, me, and the signature's lines."""
    return (
        ctx.interviewer.name,
        ctx.greeting_name,
        *ctx.others,
        ctx.me.name,
        *ctx.signature.splitlines(),
        *extra,
    )
