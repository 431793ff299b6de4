"""What detection needs to know about me and what counts as an interview."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from afterword.plugin.config import Application, Config
from afterword.plugin.detect.addresses import domain_of, is_public_provider
from afterword.plugin.model import Identity

DEFAULT_INTERVIEW_KEYWORDS: tuple[str, ...] = (
    "interview", "onsite", "on-site", "on site", "phone screen", "phone screening",
    "technical screen", "tech screen", "recruiter screen", "recruiter call", "screening call",
    "hiring manager", "panel", "final round", "superday", "chat with", "meet the team",
    "system design", "pair programming", "coding exercise", "technical round",
    "portfolio review", "case study", "coffee chat", "take-home", "take home",
    "design critique", "portfolio presentation", "app critique", "whiteboard challenge",
    "design exercise", "case interview",
    # academia's: a campus visit is the interview, its talks and meetings the panel
    "campus visit", "candidate visit", "faculty search", "job talk", "chalk talk",
    "teaching demonstration",
)
# Generic enough to appear in any invite's prose: they count only in the title.
TITLE_ONLY_KEYWORDS = frozenset({
    "panel", "chat with", "meet the team", "on site", "system design", "pair programming",
    "case study", "portfolio review", "coffee chat", "take-home", "take home",
    "design critique", "portfolio presentation", "app critique", "whiteboard challenge",
    "design exercise",
})
DEFAULT_EXCLUDE_KEYWORDS: tuple[str, ...] = (
    "[hold]", "(hold)", "hold:", "hold -", "hold –", "hold —", "hold for", "placeholder",
    "interview prep", "interview preparation", "prep for", "prep session", "prep call", "prep:",
    "mock", "mock interview", "practice interview", "interview practice", "webinar",
    "career fair", "job fair", "hiring event", "info session", "information session",
    "interviewer training", "interview training", "debrief", "office hours", "meetup",
    "meet-up", "panel discussion", "fireside chat", "networking event", "podcast",
    "user research", "user interview", "research interview", "research session",
    "customer interview", "usability",
    # after the offer: the first day is no interview, whoever from the panel attends (as
    # phrases: "Onboarding Specialist" is a job one interviews for)
    "new hire orientation", "new-hire orientation", "orientation day", "orientation session",
    "onboarding day", "onboarding session", "first day",
)
# My own work reviewed with the team: "Take-home debrief" is an interview, though a
# "debrief" alone is the panel's meeting about a candidate.
MY_WORK_REVIEWED = re.compile(
    r"\b(?:take[- ]?home|assignment|case[- ]study|coding\s+exercise|homework|work\s+sample)"
    r"(?:\s+(?:project|exercise|assignment))?\s+(?:debrief|review|walk-?through|discussion)\b",
    re.IGNORECASE,
)
# Social enough to name a chat with a friend: they count only when an employer takes part
# (someone from an organisation's domain, a recruiting platform or an [[applications]] domain).
CASUAL_KEYWORDS = frozenset({"coffee chat", "chat with"})


@dataclass(frozen=True)
class DetectionSettings:
    me: Identity
    applications: tuple[Application, ...] = ()
    include_optional: bool = False  # do ROLE=OPT-PARTICIPANT attendees count as interviewers?
    interview_keywords: tuple[str, ...] = DEFAULT_INTERVIEW_KEYWORDS
    exclude_keywords: tuple[str, ...] = DEFAULT_EXCLUDE_KEYWORDS

    @property
    def work_domains(self) -> frozenset[str]:
        """Domains of my addresses that belong to an organisation (not gmail.com & co.):
        people there are my colleagues."""
        domains = (domain_of(a) for a in self.me.addresses)
        return frozenset(d for d in domains if d and not is_public_provider(d))

    @property
    def application_domains(self) -> frozenset[str]:
        return frozenset(d for app in self.applications for d in app.domains if d)


def detection_settings(config: Config) -> DetectionSettings:
    """The settings every detector runs with, from `[me]`, `[[applications]]` and
    `[detection]`: the one place the engine gets them, so no detector misses the config.

    The user's words are added to the built-in lists (or replace them when
    use_default_keywords is false). A word of the user's beats the same built-in word on
    the other side: "user research" in interview_keywords stops being a look-alike, "coffee
    chat" in not_interview_keywords stops being an interview. The user's words count in the
    title and in the description; the few built-in generic phrases (TITLE_ONLY_KEYWORDS,
    CASUAL_KEYWORDS) keep their narrower rule whoever lists them, since "panel" or "chat
    with" in an invite's prose says nothing.
    """
    detection = config.detection
    defaults = detection.use_default_keywords
    return DetectionSettings(
        me=config.me,
        applications=config.applications,
        include_optional=detection.include_optional,
        interview_keywords=merged_keywords(
            DEFAULT_INTERVIEW_KEYWORDS if defaults else (), detection.interview_keywords,
            overruled=detection.not_interview_keywords),
        exclude_keywords=merged_keywords(
            DEFAULT_EXCLUDE_KEYWORDS if defaults else (), detection.not_interview_keywords,
            overruled=detection.interview_keywords),
    )


def merged_keywords(
    builtin: tuple[str, ...], added: tuple[str, ...], *, overruled: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Built-in words minus those the user put on the other side, then the user's own;
    each once, compared ignoring case and spacing."""
    def key(keyword: str) -> str:
        return " ".join(keyword.casefold().split())

    dropped = {key(k) for k in overruled}
    result: dict[str, str] = {}
    for keyword in (*builtin, *added):
        if key(keyword) not in dropped:
            result.setdefault(key(keyword), keyword)
    return tuple(result.values())


@lru_cache(maxsize=64)
def keyword_pattern(keywords: tuple[str, ...], inflected: bool = False) -> re.Pattern[str] | None:
    """One case-insensitive regex for a keyword list, matching whole words ("panel" not in
    "panelling"); with `inflected`, common endings too ("interviewers", "screening")."""
    alternatives = []
    for keyword in keywords:
        words = keyword.casefold().split()
        if not words:
            continue
        text = " ".join(words)
        body = r"\s+".join(re.escape(w) for w in words)
        left = r"(?<!\w)" if text[0].isalnum() else ""
        right = ""
        if text[-1].isalnum():
            right = r"(?:s|es|er|ers|ing|ed)?(?!\w)" if inflected else r"(?!\w)"
        alternatives.append(left + body + right)
    if not alternatives:
        return None
    return re.compile("|".join(alternatives), re.IGNORECASE)


def mentions(keywords: tuple[str, ...], text: str, *, inflected: bool = False) -> bool:
    pattern = keyword_pattern(keywords, inflected)
    return pattern is not None and pattern.search(text) is not None
