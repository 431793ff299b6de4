"""An interviewer's topic, as scheduling tools label it, turned into words for a sentence.

Itineraries label sessions the way a schedule does: "Behavioral", "System Design: Streaming
Pipelines", "Hiring manager conversation", "Past projects & collaboration". Dropped as
written into "I especially enjoyed our discussion of {topic}", a label reads like a form
letter ("our discussion of Behavioral"), which is what a thank-you note must never do.
`topic_phrase` makes a phrase of it:

- a label made only of who and what kind of talk it was ("Hiring manager conversation",
  "Executive interview", "Technical discussion") is no topic at all: "" (the note then
  speaks of the title or the company instead);
- "Round: subject" keeps the subject ("Coding: APIs" → "APIs");
- words of a schedule's Title Case become lower case when they are ordinary words of the
  trade; acronyms (SQL, ML) and any capitalised word not known to be ordinary (Spark,
  Python, a German noun) keep their capitals, since a wrongly lowered name reads worse
  than a capital too many;
- "what kind of talk with whom" is no topic either ("Lunch with the team");
- "&" reads "and"; a bare "Behavioral" becomes "behavioral questions";
- a session that is a thing done together ("Portfolio review", "Architecture deep dive",
  "Take-home review") gets "the"; "Paper discussion" is "the paper".
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())

# Words that only say how or with whom the talk happened.
_FORMAT = _words("""
interview interviews conversation conversations chat call discussion session meeting
meetings round screen screening intro introduction introductions sync catch-up catchup
onsite on-site virtual video phone panel final first second third initial follow-up
with the a an and of hiring manager managers executive exec leadership-team technical
team-member recruiter 1:1 one-on-one 1-on-1 part lunch breakfast dinner coffee break
tour office debrief wrap-up wrapup welcome closing q&a
""")

# Session kinds done together: "the portfolio review".
_ACTIVITIES = ("review", "deep dive", "deep-dive", "exercise", "walkthrough", "walk-through",
               "presentation", "case study", "case", "assignment", "challenge", "problem",
               "take-home", "whiteboard", "pairing exercise", "work sample")

# Ordinary words of the trade that a Title Case label capitalises only for show.
_ORDINARY = _words("""
a an and the of for on in with to at by or vs about from into your our my their
system systems design designs architecture architectures architectural review reviews
coding code live pair pairing programming algorithms algorithm data structures structure
modeling modelling model models pipeline pipelines streaming stream batch distributed
behavioral behavioural questions values value culture cultural fit add team teams
working work style ways collaboration collaborative communication leadership principles
principle stakeholder stakeholders management manager product products strategy
strategic roadmap roadmaps metrics metric analytics analysis analytical experimentation
experiment experiments past projects project experience experiences career goals growth
reliability incident incidents response on-call operations infrastructure platform
platforms security privacy performance scalability scaling testing quality frontend
front-end backend back-end full-stack mobile web service services microservices apis
deep dive dive fundamentals basics advanced applied practical technical problem problems
solving case study studies scenario scenarios exercise exercises challenge challenges
take-home homework assignment presentation portfolio walkthrough whiteboard sample
machine learning statistics statistical probability math mathematics research paper
papers reading payments payment graphics rendering networking network networks storage
database databases query queries modeling search ranking recommendation recommendations
partnership partnerships partners partner customer customers user users ux ui research
visual interaction prototyping prototype craft critique writing content marketing sales
growth finance operations people hiring mentoring mentorship coaching feedback conflict
ownership impact decisions decision making prioritization planning execution delivery
process processes tooling tools developer experience component components patterns
debugging troubleshooting concurrency caching migration migrations integration ops
foundations core general domain knowledge skills skill competencies competency motivation
background resume story stories journey vision mission opportunities opportunity role
lesson lessons teaching learning curriculum classroom behaviour behavior pupil pupils student
students safeguarding pastoral care wellbeing well-being assessment assessments inclusion
budget budgets budgeting forecasting forecast financial accounting audit auditing risk
compliance regulatory governance policy policies valuation modelling investment investments
banking credit lending portfolio client clients patient patients clinical health safety
improvement service delivery community outreach fundraising programme programmes program
programs volunteer volunteers legal litigation contracts contract drafting due diligence
retail store stores merchandising inventory staffing scheduling training recruitment
customer public sector case cases casework logistics supply chain procurement
""")

_SPACED_AMPERSAND = re.compile(r"\s+&\s+")  # "R&D" and "Q&A" keep theirs
_ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9&/+.-]*[A-Z0-9]s?$")
_ORDINARY_ENDING = re.compile(
    r"(?:ing|tion|sion|ment|ness|ity|ance|ence|ship|ics|ism|ology|ure|al)$")
_BEHAVIORAL = re.compile(r"\b(behaviou?ral)\b(?!\s+(?:questions?|interview|skills?|"
                         r"competenc\w*|scenarios?|examples?)\b)", re.IGNORECASE)


def topic_phrase(topic: str) -> str:
    """The topic as words for "our discussion of …", or "" when it names no subject."""
    text = " ".join(_SPACED_AMPERSAND.sub(" and ", topic).split()).strip(" .;:,-–—")
    if ":" in text:
        head, _, tail = text.partition(":")
        tail = tail.strip(" .;:,-–—")
        text = tail if _has_subject(tail) else head.strip()
    before, with_, _after = f" {text}".partition(" with ")
    if with_ and not _has_subject(before):  # "Lunch with the team", "Chat with Dana"
        return ""
    if not _has_subject(text):
        return ""
    words = [_lowered(word) for word in text.split()]
    words[0] = _sentence_start(words[0], words[1:])
    text = _without_trailing_format(" ".join(words))
    text = _BEHAVIORAL.sub(lambda m: f"{m.group(1)} questions", text)
    lowered = text.lower()
    if lowered == "paper":
        return "the paper"
    if any(lowered.endswith(kind) for kind in _ACTIVITIES) and not lowered.startswith("the "):
        return f"the {text}"
    return text


def _has_subject(text: str) -> bool:
    """Whether some word says what was talked about, not just how or with whom."""
    return any(word.lower().strip("(),") not in _FORMAT for word in text.split())


def _lowered(word: str) -> str:
    """An ordinary Title Case word in lower case; acronyms and names as written."""
    bare = word.strip("(),")
    if not bare or bare.lower() not in _ORDINARY:
        return word
    shouted = bare.isupper() and len(bare) > 3  # "SYSTEM DESIGN", not "API" or "UX"
    if shouted or (not _ACRONYM.match(bare) and bare[1:] == bare[1:].lower()):
        return word.replace(bare, bare.lower(), 1)
    return word


def _sentence_start(first: str, rest: list[str]) -> str:
    """A label in sentence case ("Safeguarding and pastoral care") capitalises its first word
    only because it comes first: lowered when it reads as an ordinary noun (-ing, -tion,
    -ment…) and nothing after it is capitalised. "Spark and streaming" keeps its name."""
    if not first[:1].isupper() or first[1:] != first[1:].lower():
        return first
    if any(word[:1].isupper() for word in rest):
        return first
    return first.lower() if _ORDINARY_ENDING.search(first) else first


def _without_trailing_format(text: str) -> str:
    """"Paper discussion" → "paper", "Architecture interview" → "architecture": the
    talk's kind says nothing the sentence does not already say."""
    words = text.split()
    while len(words) > 1 and words[-1].lower() in {"discussion", "conversation", "interview",
                                                   "chat", "session", "call", "round"}:
        words.pop()
    return " ".join(words)
