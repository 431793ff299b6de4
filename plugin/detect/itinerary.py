"""Who an invite's description says I will meet: schedules, panel lists, "Name (Title)".

Descriptions are written by people and by tools, in plain text or HTML, and are padded with
dial-in boilerplate. The parser is line based and conservative: a line outside a schedule
must carry a name *and* a job title to count, so "Meeting ID: 123", "Join by phone" or a
recruiter's signature never become interviewers. Only the first MAX_DESCRIPTION characters
are read, so a megabyte of pasted text costs no more than a normal invite.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field, replace

from afterword.plugin.detect.addresses import is_automated
from afterword.plugin.detect.lexicon import (
    COORDINATION_WORDS,
    CREDENTIALS,
    GENERIC_TOPICS,
    NON_NAME_WORDS,
    PARTICLES,
    TOPIC_MARKERS,
    is_job_word,
)
from afterword.plugin.detect.names import (
    clean_name,
    formal_address,
    greeting_for,
    is_uncased,
    matches_address,
    name_key,
    nickname,
)
from afterword.plugin.html_text import parse_html

MAX_DESCRIPTION = 20_000
MAX_LINES = 2_000
MAX_LINE_LENGTH = 300
MAX_TITLE_LENGTH = 80
MAX_TOPIC_LENGTH = 120


@dataclass(frozen=True)
class ScheduledPerson:
    """Someone an invite names as an interviewer, with what it says about them."""

    name: str
    title: str | None = None
    topic: str | None = None
    email: str | None = None
    # False for a person merely mentioned in prose ("a deep dive with Haruto Sato"): used only
    # to give a matching attendee a title or topic, never to add an interviewer.
    listed: bool = True
    greeting: str | None = None  # "Dr. O'Brien" when the invite names them by title
    # "Bobby Tran" for Robert "Bobby" Tran, the name a calendar may use; only for matching
    aka: str | None = field(default=None, compare=False)


# --- description → text ------------------------------------------------------------------

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?\s*>")
_HTML_BREAK = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
_HTML_CELL_END = re.compile(r"<\s*/\s*t[dh]\s*>", re.IGNORECASE)
# A table row up to the next row tag; a row of several cells holding only inline markup is
# one schedule entry ("10:00 | <b>Name</b><br>Title | Topic"), a row holding blocks or a
# nested table is page layout.
_HTML_ROW = re.compile(r"<\s*tr\b(?:(?!<\s*/?\s*tr\b).)*", re.IGNORECASE | re.DOTALL)
_HTML_CELL = re.compile(r"<\s*t[dh]\b", re.IGNORECASE)
_FIRST_CELL = re.compile(r"<\s*t[dh]\b[^<>]*>(.*?)<\s*/\s*t[dh]\s*>", re.IGNORECASE | re.DOTALL)
MAX_LABEL = 40  # characters of a field row's label cell ("Interviewers:")
_HTML_LAYOUT = re.compile(
    r"<\s*(?:p|div|table|ul|ol|li|h[1-6]|blockquote|pre|section|article|hr)\b", re.IGNORECASE)
_HTML_BLOCK = re.compile(
    r"<\s*/?\s*(?:p|div|li|ul|ol|tr|table|h[1-6]|blockquote|pre|section|article|header"
    r"|footer|dt|dd|hr)\b[^<>]*>",
    re.IGNORECASE,
)


def description_text(description: str, limit: int = MAX_DESCRIPTION) -> str:
    """The description as plain text lines, HTML flattened, at most `limit` characters read."""
    text = description[:limit]
    if _TAG.search(text):
        text = _html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _row_on_one_line(row: re.Match[str]) -> str:
    """A data row's line breaks as cell separators, so "Name<br>Title" stays in its row.
    A field row ("Interviewers: | Ann (Designer)<br>Bo (Head of Product)") keeps them: its
    value cell is a list, one entry per line."""
    markup = row.group(0)
    if len(_HTML_CELL.findall(markup)) < 2 or _HTML_LAYOUT.search(markup):
        return markup
    first = _FIRST_CELL.search(markup)
    label = _TAG.sub("", first.group(1)).strip() if first else ""
    if (first is not None and label.endswith(":") and len(label) <= MAX_LABEL
            and not any(c.isdigit() for c in label)):  # "2:00 PM:" heads a slot, not a list
        return markup[:first.end()] + "<br>" + markup[first.end():]  # label, then its list
    return _HTML_BREAK.sub(" | ", markup)


def _html_to_text(html: str) -> str:
    """Line structure is marked in the markup before parsing (one regex pass): editing the
    parsed tree tag by tag is quadratic on a description made of thousands of paragraphs."""
    marked = _HTML_ROW.sub(_row_on_one_line, html)
    marked = _HTML_BREAK.sub("\n", marked)
    marked = _HTML_CELL_END.sub(lambda m: " | " + m.group(0), marked)
    marked = _HTML_BLOCK.sub(lambda m: "\n" + m.group(0) + "\n", marked)
    soup = parse_html(marked)  # bs4, loaded on the first HTML description and lean
    for tag in soup(["script", "style", "head", "title"]):
        tag.decompose()
    return soup.get_text()


# --- line patterns -----------------------------------------------------------------------

_CLOCK = r"(?:\d{1,2}[:.h]\d{2}(?:\s*[ap]\.?\s?m\.?(?![a-z]))?|\d{1,2}\s*[ap]\.?\s?m\.?(?![a-z]))"
_ZONE = (
    r"(?:\(?\b(?:PT|PST|PDT|MT|MST|MDT|CT|CST|CDT|ET|EST|EDT|GMT|UTC|BST|CET|CEST|IST|JST"
    r"|AEST|AEDT|SGT|HKT|WET|EET|EEST)\b(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?\)?)"
)
_TIME_PREFIX = re.compile(
    rf"^\(?{_CLOCK}(?:\s*(?:-|–|—|to|until)\s*{_CLOCK})?\)?\s*{_ZONE}?\s*[:\-–—|,.)·•]*\s*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[-*•·◦▪▫■□●○►▶➤→–—>]+|\d{1,2}[.)](?!\d))\s*")
_WHEN = r"(?:'ll|\s+will)"
_WITH_WORD = r"(?:with|w/)"
_LABEL = re.compile(
    r"^(?:your\s+|the\s+|ihre?\s+|vos\s+|votre\s+|tus\s+|sus\s+|los\s+|les\s+)?"
    r"(?:interviewer(?:s|e|es|\(s\))?|interview\s+(?:panel|team|engineers?)|panel(?:ists)?"
    r"|je\s+spreekt\s+met"  # Dutch: "you speak with"
    # other languages' "interviewers" and "with:" (the latter only before a colon)
    r"|entrevistador(?:a|es|as|\(a\))?|intervistator(?:e|i)|gespr[äa]chspartner(?:in|innen)?"
    r"|interlocut(?:eur|eurs|rice|rices)|(?:avec|con|mit)(?=\s*:)"
    rf"|interviewing\s+{_WITH_WORD}|you{_WHEN}\s+(?:be\s+)?meet(?:ing)?(?:\s+{_WITH_WORD})?"
    rf"|you{_WHEN}\s+be\s+{_WITH_WORD}"
    rf"|(?:you{_WHEN}\s+)?(?:be\s+)?(?:meeting|speaking|talking)\s+{_WITH_WORD}"
    rf"|meet(?:ing)?\s+{_WITH_WORD}|people\s+you{_WHEN}\s+meet"
    rf"|who\s+you{_WHEN}\s+(?:be\s+)?meet(?:ing)?(?:\s+{_WITH_WORD})?)"
    r"(?:\s*\(in\s+order\))?\s*[:\-–—]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# Labels naming one person: a comma after the name continues their title.
_SINGULAR_LABEL = re.compile(
    r"^(?:your\s+|the\s+)?(?:interviewer|entrevistador(?:a)?|intervistatore|interlocut(?:eur|rice))"
    r"\s*[:\-–—]", re.IGNORECASE)
# A line saying who booked the interview: the coordinator, not a title for the line above.
_BOOKED_BY = re.compile(
    r"^(?:scheduled|organi[sz]ed|booked|arranged|coordinated|set\s+up|sent)\s+by\s*:?\s*"
    r"(?P<rest>\S.*)$", re.IGNORECASE)
# A lone first name signing a note ("— Wren", "Inês"), the title on the line after it.
_SIGNER = re.compile(r"^[^\W\d_][^\s,;:]*$")
_EMPTY_PARENS = re.compile(r"\(\s*\)")
# A list item that opens with a name and goes on in prose ("Ruth for the full hour").
_NAME_THEN_PROSE = re.compile(
    r"^(?P<name>[^\W\d_]\S*(?:\s+[^\W\d_]\S*){0,3}?)\s+(?=(?:for|from|at|on|in|during|who"
    r"|to|about|until|after|before|then)\s)")
# "their Head of Data": a possessive before a title in prose.
_DETERMINER = re.compile(r"^(?:their|our|his|her|my|the|your)\s+", re.IGNORECASE)
_LABEL_VERB = re.compile(r"^(?:will\s+be|are|is|include|includes)\s+", re.IGNORECASE)
_HEADING = re.compile(
    r"^[#*=\s]*(?:your\s+|the\s+|today's\s+)?(?:interview\s+|onsite\s+|final\s+round\s+)?"
    r"(?:schedule|itinerary|agenda|line-?up|panel|interviewer(?:s|e|es)?|interview\s+team)\b"
    r"[^:]{0,40}:?\s*$",
    re.IGNORECASE,
)
_SIGNOFF = re.compile(
    r"^(?:thanks|thank\s+you|many\s+thanks|best|best\s+regards|kind\s+regards|warm\s+regards"
    r"|regards|cheers|sincerely|warmly|all\s+the\s+best|talk\s+soon|--|—"
    # the same in the other languages invites come in
    r"|(?:un\s+)?saludos?|(?:bien\s+)?cordialement|mit\s+freundlichen\s+gr(?:ü|ue)(?:ß|ss)en"
    r"|(?:viele|beste|liebe)\s+gr(?:ü|ue)(?:ß|ss)e|cordiali\s+saluti|met\s+vriendelijke\s+groet)"
    r"\s*[,!.]?$",
    re.IGNORECASE,
)
_BOILERPLATE_MARKER = "-::~:~"
_SENTENCE_END = re.compile(
    r"(?:(?<=[^\W\d_]{2}[.!?])|(?<=[^\W\d_]\)[.!?]))\s+(?=[^\W\d_\s\"“(])")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:dr|mr|mrs|ms|mx|prof|st|jr|sr|vs|approx|etc)\.$", re.I)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"(?:mailto:)?<?([A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})>?")
_LIST_SPLIT = re.compile(r"\s*(?:,|;|\b(?:and|und|et)\b|&|\s\+\s)\s*", re.IGNORECASE)
_PART_SPLIT = re.compile(r"\s+[-–—]\s+|\s*[–—]\s*|\s*\|\s*|:\s+|\s+·\s+|\s+/\s+|\t+")
_PIPE_SPLIT = re.compile(r"\s*\|\s*")
_PAREN_GROUP = re.compile(r"\(([^()]{2,80})\)")
_WITH = re.compile(r"\b(?:with|w/)\s+(?P<rest>.+)$", re.IGNORECASE)
# "with Marcus about the roadmap": who, then what it was about.
_SUBJECT = re.compile(
    r"\s+(?:about|on|regarding|re:|to\s+discuss|to\s+talk\s+about|discussing)\s+",
    re.IGNORECASE,
)
_PAREN = re.compile(r"^(?P<head>[^()]*)\((?P<paren>[^()]*)\)(?P<after>.*)$")
# Where a name in a title ends: "Hana Sato @ Brightwater", "Marcus at Acme", "Priya (Acme)".
_TITLE_CLAUSE_END = re.compile(r"\s+(?:@|at|from|of|for|on)\s+|\s*[(\[|]", re.IGNORECASE)
_PRONOUNS = re.compile(r"^(?:she|he|they|ze|xe)\s*/\s*\w+(?:\s*/\s*\w+)?$", re.IGNORECASE)
_ELIDED_PARTICLE = re.compile(r"^(?:d|l|dell|dall|degl|sull)['’][^\W\d_]")
_NAME_TOKEN = re.compile(r"^[^\W\d_](?:[^\W\d_]|['\-.](?=[^\W\d_]|$))*\.?$")
_WHEN_WORDS = re.compile(
    r"^(?:\d|(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
    r"|today|tomorrow|next|this)\w*\b)",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^[\"“'‘][^\s\"“”]+[\"”'’]$")
_INITIAL_TOKEN = re.compile(r"^[^\W\d_]\.?$")
_JUNK = " \t.,;:-–—|'\"*"
# "Host: Jane Doe" names who runs the call or the process, not who interviews.
_NOT_INTERVIEWING = frozenset({
    "host", "organizer", "organiser", "contact", "point of contact", "poc", "recruiter",
    "coordinator", "recruiting coordinator", "scheduler", "from", "sent by", "reply to", "cc",
    "questions", "contact person", "your recruiter", "your coordinator",
})
_SPACES = re.compile(r"[^\S\n]+")
# A quotation on its own line, and the line signing it ("— Ottilie Brandvold, CEO"), or both
# on one line. A quotation is a sentence: a quoted slot name ('"Systems design" – Jane Doe')
# is not one.
_QUOTATION = re.compile(r"^[\"“„«](?P<quote>[^\"“”„«»]+)[\"”“»](?P<after>.*)$")
_ATTRIBUTION = re.compile(r"^(?:[-–—―~]{1,2})\s*\S")
MIN_QUOTATION_WORDS = 6
# Lower-case words of prose that a lower-case name pattern would otherwise take for a name
# ("you'll meet me first (I'm the hiring manager)").
_PROSE_WORDS = frozenset({
    "i", "me", "my", "you", "your", "we", "us", "our", "he", "him", "his", "she", "her",
    "they", "them", "their", "it", "first", "then", "next", "later", "after", "before",
    "everyone", "all", "both", "folks", "someone", "a", "an", "the", "this", "that", "some",
    "few", "two", "three", "is", "are", "will", "be", "who", "which",
})
# Words of a line under a schedule entry that is not its subject: dial-in boilerplate, a break.
_NOT_TOPIC_WORDS = frozenset({
    "zoom", "join", "joining", "link", "dial", "dial-in", "passcode", "password", "teams",
    "webex", "meet.google.com", "click", "download", "lunch", "break", "breakfast", "tour",
    "office", "room", "floor", "lobby", "reception", "directions", "parking",
})
# "Title: Lead Data Engineer", "Focus: Spark" under an "Interviewer: Name" line.
_FIELD = re.compile(r"^(?P<key>[A-Za-z][A-Za-z ]{1,20}?)\s*:\s*(?P<value>\S.*)$")
# A field is named by its last word: "Job Title", "Interview Focus", "Focus Areas".
# "Role:" and "Position:" are left out: they often give the job I applied for.
_TITLE_FIELDS = frozenset({"title"})
_SESSION_KEYS = frozenset({"session", "topic", "focus"})
_TOPIC_FIELDS = frozenset({
    "focus", "topic", "topics", "subject", "area", "areas", "type", "session", "module",
    "interview", "competency", "competencies",
})
_OTHER_FIELDS = frozenset({
    "time", "when", "duration", "length", "date", "format", "location", "where", "room",
    "email", "e-mail", "phone", "linkedin", "team", "department", "pronouns", "role",
    "position", "level",
})
# Prose that puts the one "Name (Title)" it mentions in the interview.
_TAKES_PART = re.compile(
    r"\b(?:join(?:s|ing)?|interview(?:s|ing)?|meet(?:s|ing)?|speak(?:s|ing)?|chat(?:s|ting)?"
    r"|talk(?:s|ing)?)\b",
    re.IGNORECASE,
)
# A date or a time in a sentence: "Wed, Dec 9 at 3:00 PM EST (45 min)".
_WHEN_SPAN = re.compile(
    rf"{_CLOCK}|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{{1,2}}"
    r"(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\(\d{1,3}\s*(?:min|mins|minutes)\)",
    re.IGNORECASE,
)
_PROSE_START = re.compile(r"^(?:your|you|we|our|this|it|i|please|the\s+interview)\b",
                          re.IGNORECASE)
_LOWER_NAME = re.compile(
    r"^(?P<name>[^\W\d_A-Z][^\W\d_]*(?:['’-][^\W\d_]+)?(?:\s+[^\W\d_A-Z][^\W\d_]*"
    r"(?:['’-][^\W\d_]+)?){1,2})(?P<rest>\s*(?:,|\(|\s[-–—]\s).*)$"
)


# --- words -------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return [w.strip(".,;:()'\"").casefold() for w in text.split()]


_NOT_IN_A_TITLE = re.compile(rf"{_CLOCK}|\d{{3,}}|\d[:./-]\d", re.IGNORECASE)


def looks_like_title(text: str) -> bool:
    """A job title ("Principal Engineer", "Hiring Manager"), not a slot ("Hiring manager
    interview") or a topic."""
    words = _words(text)
    if not words or len(words) > 8 or _NOT_IN_A_TITLE.search(text):
        return False  # a time or a long number: "Head of Year 9" and "L5" are titles
    # "Ingeniero/a", "Ingénieur·e": a title written for every gender is still a title
    stems = [w for word in words for w in re.split(r"[/·]", word) if w]
    return any(map(is_job_word, stems)) and not any(w in TOPIC_MARKERS for w in words)


def looks_like_person(text: str, min_tokens: int = 1) -> bool:
    """A capitalised personal name of up to five words, none of them a topic, boilerplate or
    company word ("Systems Design", "Meeting ID" and "Data Corp" are not people)."""
    text = text.strip(_JUNK)
    tokens = text.split()
    if not min_tokens <= len(tokens) <= 5 or len(text) > 60:
        return False
    if any(c.isdigit() for c in text):
        return False
    tokens = [t for t in tokens if not _QUOTED.match(t)]  # "Mac" in Marcus "Mac" O'Neil
    if len(tokens) < min_tokens:
        return False
    for i, token in enumerate(tokens):
        key = token.casefold().strip(".,")
        if key in NON_NAME_WORDS or not _NAME_TOKEN.match(token):
            return False
        if i > 0 and (key in PARTICLES or _ELIDED_PARTICLE.match(token)):
            continue  # "van der Berg", "d'Almeida", "dell'Acqua"
        if token[0].islower():
            return False
    if len(tokens) > 1 and " ".join(tokens).casefold() in _zone_cities():
        return False  # "2:00 PM EST (New York)": the zone's city, not a person
    return not all(_INITIAL_TOKEN.match(t) for t in tokens)


@functools.cache
def _zone_cities() -> frozenset[str]:
    """Cities of more than one word that name time zones ("new york", "los angeles",
    "buenos aires"): schedules print them beside the time, and they look like names."""
    cities = (zone.rsplit("/", 1)[-1].replace("_", " ").casefold()
              for zone in zoneinfo.available_timezones() if "/" in zone)
    return frozenset(c for c in cities if " " in c)


def is_full_name(name: str) -> bool:
    """Given and family name: two words, or one word in a script without case or spaces
    between names ("李小龙")."""
    tokens = name.split()
    if len(tokens) >= 2:
        return True
    return len(tokens) == 1 and len(name) >= 2 and not any(c.isupper() or c.islower() for c in name)


def _is_generic_topic(text: str) -> bool:
    """Says nothing about the subject: "Interview", "Video call", or a degree ("PhD")."""
    return all(w in GENERIC_TOPICS or w.replace(".", "") in CREDENTIALS for w in _words(text))


def tidy_title(title: str | None) -> str | None:
    """A job title as a note would quote it: "a Senior Software Engineer" and "our Head of
    Data" lose the article prose put before them, "Design Manager for our Canvas team" the
    sentence's tail, "Engagement Manager (Healthcare)" the aside on practice or panel role."""
    if not title:
        return title
    tidy = _TEAM_TAIL.sub("", _LEADING_ARTICLE.sub("", title)).strip()
    bare = _TRAILING_ASIDE.sub("", tidy).strip()
    if bare != tidy and looks_like_title(bare):
        tidy = bare  # "Principal (Financial Institutions)", "… Policy (Panel Chair)"
    return tidy or title


_TRAILING_ASIDE = re.compile(r"\s*\([^()]{1,60}\)$")
_LEADING_ARTICLE = re.compile(r"^(?:a|an|the|our|their)\s+(?=\S)", re.IGNORECASE)
# "Design Manager for our Canvas & Collaboration team": prose placing the job in a team.
_TEAM_TAIL = re.compile(r"\s+(?:for|on|in|with)\s+(?:our|the|their)\s+[^,;]{1,60}?\s+team$",
                        re.IGNORECASE)


def is_coordination_title(title: str | None) -> bool:
    return title is not None and any(w in COORDINATION_WORDS for w in _words(title))


# --- one segment → one person ------------------------------------------------------------


def parse_person(segment: str, *, allow_single: bool = False) -> ScheduledPerson | None:
    """The person one schedule line or list item names, with their title and topic.

    Layouts: "Name (Title) – Topic", "Name, Title — Topic", "Name – Title – Topic",
    "Topic: Name, Title", "Topic with Name (Title)", "Topic (Name)". A one-word name counts
    only with a job title or when `allow_single` (a list after "Interviewers:").
    """
    table = segment.count("|") >= 2  # counted before the row's edge cells are stripped
    segment = segment.strip(_JUNK)
    if not segment:
        return None
    found = _WITH.search(segment)
    if found:
        rest = found.group("rest")
        about = _SUBJECT.search(rest)
        who, subject = (rest[: about.start()], rest[about.end():]) if about else (rest, "")
        person = _person_in_parts(who, allow_single)
        if person is not None:
            topic = subject.strip(_JUNK) or _last_part(segment[: found.start()])
            topic = re.sub(r"^(?:a|an)\s+", "", topic, flags=re.IGNORECASE)
            if person.topic is None and _is_specific_topic(topic):
                person = replace(person, topic=_cap(topic, MAX_TOPIC_LENGTH))
            return person
    return _person_in_parts(segment, allow_single, table=table)


def _is_specific_topic(topic: str) -> bool:
    """Says what was discussed: not "Interview", not "Tuesday", not a clause of prose
    ("Your interview has been scheduled for Wed, Dec 9")."""
    return (bool(topic) and not _is_generic_topic(topic) and not _WHEN_WORDS.match(topic)
            and not _PROSE_START.match(topic))


def _last_part(text: str) -> str:
    """"Round 2 (Tokyo): data platform deep dive" → "data platform deep dive"."""
    parts = [p.strip(_JUNK) for p in _split_outside_parens(text)]
    parts = [p for p in parts if p]
    return re.sub(r"\([^()]*\)", " ", parts[-1]).strip(_JUNK) if parts else ""


def _person_in_parts(
    segment: str, allow_single: bool, *, table: bool = False
) -> ScheduledPerson | None:
    # A table row or pipe-separated line: its cells are the units ("Coding: APIs" is one).
    table = table or segment.count("|") >= 2
    separators = _PIPE_SPLIT if table else _PART_SPLIT
    parts = [p.strip(_JUNK) for p in _split_outside_parens(segment, separators)]
    parts = [p for p in parts if p]
    for i, part in enumerate(parts):
        found = _name_in_part(part)
        if found is None:
            continue
        name, extras = found
        if any(p.casefold() in _NOT_INTERVIEWING for p in parts[:i]):
            return None
        title, topic = _title_and_topic([*extras, *parts[i + 1:], *parts[:i]])
        cleaned = clean_name(name)
        if not cleaned or (not is_full_name(cleaned) and not allow_single and title is None):
            return None
        return ScheduledPerson(cleaned, title, topic, greeting=greeting_for(name),
                               aka=_nickname_form(name, cleaned))
    return None


def _nickname_form(raw: str, cleaned: str) -> str | None:
    """"Bobby Tran" for 'Robert "Bobby" Tran': the name a calendar may list them under."""
    called = nickname(raw)
    tokens = cleaned.split()
    return f"{called} {tokens[-1]}" if called and len(tokens) >= 2 else None


def _name_in_part(part: str) -> tuple[str, list[str]] | None:
    paren_match = _PAREN.match(part)
    head, paren, after = (
        (paren_match["head"], paren_match["paren"], paren_match["after"])
        if paren_match else (part, "", "")
    )
    if after.strip()[:1].islower():
        after = ""  # "Name (Title) will take you through…": prose, not a topic
    name, _, comma_rest = head.partition(",")
    if _is_surname_first(name, comma_rest):  # "Chen, Wei": clean_name reorders it
        return head, [paren, after]
    if paren and is_uncased(name) and looks_like_person(paren, min_tokens=2):
        return paren, [comma_rest, after]  # "王芳 (Fang Wang)": greeted by the Latin spelling
    if looks_like_person(name):
        return name, [comma_rest, paren, after]
    if paren and not any(c.isdigit() for c in head) and looks_like_person(paren):
        return paren, [head, after]
    return None


def _is_surname_first(surname: str, rest: str) -> bool:
    """"Chen, Wei" or "O'Neil, Marcus James" (directory order), not "Wei Chen, Engineer"
    or "Chen, PhD": one word before the comma, given names and nothing else after it."""
    given = rest.strip(_JUNK)
    return (
        len(surname.split()) == 1
        and 1 <= len(given.split()) <= 2
        and looks_like_person(surname)
        and looks_like_person(given)
        and not looks_like_title(given)
    )


def _title_and_topic(candidates: list[str]) -> tuple[str | None, str | None]:
    title: str | None = None
    topic: str | None = None
    for raw in candidates:
        text = raw.strip(_JUNK)
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1].strip(_JUNK)
        if not text or _PRONOUNS.match(text):
            continue
        if title is None and looks_like_title(text):
            title = _cap(text, MAX_TITLE_LENGTH)
        elif title is not None and topic is None and _is_department(text):
            title = _cap(f"{title} - {text}", MAX_TITLE_LENGTH)  # "AVP - Engineering"
        elif topic is None and not _is_generic_topic(text):
            topic = _cap(text, MAX_TOPIC_LENGTH)
    return title, topic


def _is_department(text: str) -> bool:
    """The part of the organisation a title continues into after a dash ("Engineering",
    "FP&A", "Commercial Lending Finance"), not what the session is about."""
    words = text.split()
    return 0 < len(words) <= 3 and words[-1].casefold() in _DEPARTMENTS and all(
        w[:1].isupper() or w.isupper() for w in words)


# The names of departments, as titles end in them; "design" and "data" name sessions too.
_DEPARTMENTS = frozenset({
    "engineering", "finance", "fp&a", "marketing", "sales", "operations", "hr", "it", "legal",
    "technology", "risk", "compliance", "procurement", "treasury", "accounting", "audit",
    "lending", "payments", "infrastructure", "platform", "security",
})


def _cap(text: str, limit: int) -> str:
    """A title or topic fit for a note: one line, no emoji ("Designer 🎨"), at most `limit`."""
    text = "".join(c for c in text if not _is_symbol(c))
    text = " ".join(text.split()).strip(_JUNK)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]


def _is_symbol(c: str) -> bool:
    return c in "\ufe0e\ufe0f\u200d" or unicodedata.category(c) in {"So", "Cs", "Co", "Cn"}


def _split_outside_parens(segment: str, separators: re.Pattern[str] = _PART_SPLIT) -> list[str]:
    """Split on separators, leaving "(Director, Engineering)" whole."""
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        held.append(match.group(0))
        return f"\x00{len(held) - 1}\x00"

    masked = re.sub(r"\([^()]*\)", hold, segment.replace("\x00", ""))
    parts = separators.split(masked)
    return [re.sub(r"\x00(\d+)\x00", lambda m: held[int(m.group(1))], p) for p in parts]


# --- the whole description ---------------------------------------------------------------


@dataclass
class _Scan:
    people: list[ScheduledPerson]
    in_schedule: bool = False  # after a "Schedule:" or "You'll meet with:" heading
    schedule_entries: int = 0
    gap: bool = False  # a blank line since the last schedule entry
    signed_off: bool = False  # past "Thanks," / "Best," : the signature follows
    # The person the last line that named anyone named alone, while the lines after it may
    # still describe them: a bio card's title line, a "Title:"/"Focus:" field, a topic line.
    card: int | None = None
    card_gap: bool = False  # a blank line since that person's line
    card_scheduled: bool = False  # named by a schedule entry (then a bare line is a topic)
    quoted: bool = False  # the last line was a quotation: a "— Name, Title" after it signs it
    signer: str | None = None  # a first name alone on the last line ("— Wren"): a signature
    # The topic line of a block "time / topic / person" the line being read closes.
    slot_topic: str | None = None

    def describe(self, index: int | None, scheduled: bool) -> None:
        self.card, self.card_gap, self.card_scheduled = index, False, scheduled

    def open_schedule(self) -> None:
        self.in_schedule, self.schedule_entries, self.gap = not self.signed_off, 0, False


def parse_itinerary(text: str) -> tuple[ScheduledPerson, ...]:
    """Everyone the (already plain-text) description names as an interviewer, in the order
    it names them, duplicates merged; people it only mentions come with listed=False."""
    scan = _Scan(people=[])
    skipping = False
    lines = [_normalise(raw) for raw in text[:MAX_DESCRIPTION].split("\n")[:MAX_LINES]]
    topics = _slot_topics(lines)
    for index, line in enumerate(lines):
        if line.startswith(_BOILERPLATE_MARKER):
            skipping = not skipping
            continue
        if skipping or _is_quotation(line, scan):
            continue
        if index in topics:  # "System Design: Streaming Pipelines" names the slot, no one
            scan.gap = False
            scan.describe(None, False)
            continue
        scan.slot_topic = topics.get(index - 1)
        for sentence in _sentences(line):
            if len(sentence) <= MAX_LINE_LENGTH:
                _scan_line(sentence, scan)
    return _with_addresses_in(_merge(scan.people), text[:MAX_DESCRIPTION])


def _with_addresses_in(
    people: tuple[ScheduledPerson, ...], text: str
) -> tuple[ScheduledPerson, ...]:
    """A listed person without an address gets the one the text writes elsewhere ("contact
    Seán directly at sean.obriain@…"), when exactly one address there is built from their
    name: never someone else's, never a team mailbox."""
    if not any(p.listed and p.email is None for p in people):
        return people
    found = {m.group(1).casefold() for m in _EMAIL.finditer(text)}
    taken = {p.email for p in people if p.email}
    result = []
    for person in people:
        if person.listed and person.email is None:
            theirs = [a for a in found - taken if _their_address(person, a)]
            if len(theirs) == 1:
                person = replace(person, email=theirs[0])
        result.append(person)
    return tuple(result)


def _slot_topics(lines: list[str]) -> dict[int, str]:
    """Blocks of three lines, a time alone, a short topic, then the person ("10:00 AM -
    10:45 AM" / "Data Modeling" / "Jane Doe, Staff Engineer"): the topic of each block by
    its line's index. The person line is what makes the middle line a topic, so a topic
    with a colon ("System Design: Streaming Pipelines") is not read as "Topic: Name". A
    topic that could be a name ("Accessibility Audit") counts only when another block's
    topic could not: the description is then known to use the layout."""
    topics: dict[int, str] = {}
    name_like: dict[int, str] = {}
    for i in range(1, len(lines) - 1):
        before, middle, after = (_BULLET.sub("", lines[j], count=1) for j in (i - 1, i, i + 1))
        timed = _TIME_PREFIX.match(before)
        if (timed is None or before[timed.end():].strip(_JUNK) or not middle
                or _TIME_PREFIX.match(middle) or looks_like_title(middle)
                or not _is_slot_topic(middle) or not _names_one_person(after)):
            continue
        found = name_like if looks_like_person(middle) else topics
        found[i] = _cap(middle, MAX_TOPIC_LENGTH)
    fields = _session_fields(lines)
    return {**fields, **topics, **name_like} if topics else fields


def _session_fields(lines: list[str]) -> dict[int, str]:
    """A "Session: Coding" line right above the line naming the interviewer (GoodTime's
    layout): the session is that person's topic."""
    found: dict[int, str] = {}
    for i in range(len(lines) - 1):
        field = _FIELD.match(_BULLET.sub("", lines[i], count=1))
        if field is None or field["key"].casefold().split()[-1] not in _SESSION_KEYS:
            continue
        value = field["value"].strip(_JUNK)
        after = _LABEL.match(_BULLET.sub("", lines[i + 1], count=1))
        if value and _is_specific_topic(value) and after is not None and after["rest"]:
            found[i] = _cap(value, MAX_TOPIC_LENGTH)
    return found


def _is_slot_topic(line: str) -> bool:
    """A topic line, or a line of capitalised words that may be a topic or a name."""
    return _is_topic_line(line) or (
        looks_like_person(line) and _is_specific_topic(line) and "," not in line)


def _names_one_person(line: str) -> bool:
    """A block's person line: one full name, with a job title or alone."""
    if not line or _TIME_PREFIX.match(line) or len(_paired_people(line)) >= 2:
        return False
    person = _person_on_line(line)
    if person is None or not is_full_name(person.name):
        return False
    return person.title is not None or looks_like_person(line, min_tokens=2)


def _is_quotation(line: str, scan: _Scan) -> bool:
    """A quotation on its own line, the "— Name, Title" line signing it, or both on one
    line: a founder's words in a welcome mail, not a panel."""
    if not line:
        return False
    found = _QUOTATION.match(line)
    quotation = found is not None and len(found["quote"].split()) >= MIN_QUOTATION_WORDS
    after = found["after"].strip() if found is not None else ""
    signed = quotation and bool(_ATTRIBUTION.match(after))
    quoted, scan.quoted = scan.quoted, quotation and not after
    if scan.quoted or signed or (quoted and _ATTRIBUTION.match(line)):
        scan.describe(None, False)
        return True
    return False


def _sentences(line: str) -> list[str]:
    """A prose line cut into sentences, so "…deep dive with Haruto Sato. Bring a laptop."
    names Haruto Sato alone; "Dr. Ng" and initials stay whole."""
    if len(line) <= 60:
        return [line]
    pieces = _SENTENCE_END.split(line)
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return sentences


def _normalise(line: str) -> str:
    line = "".join(" " if not c.isprintable() else c for c in line)
    line = line.replace("’", "'").replace("‘", "'").replace("\u2010", "-").replace("\u2011", "-")
    return _SPACES.sub(" ", line).strip()


def _scan_line(line: str, scan: _Scan) -> None:
    """One line: a schedule entry, a label list, a heading, or prose that may still name
    someone with their title. A schedule block ends at the first line after a blank that
    names nobody (HTML lists put blank lines between entries)."""
    if not line:
        scan.gap = scan.card_gap = True
        return
    if _SIGNOFF.match(line):
        scan.signed_off, scan.in_schedule = True, False
        scan.describe(None, False)
        return
    body = _BULLET.sub("", line, count=1)
    signer, scan.signer = scan.signer, None
    slot, scan.slot_topic = scan.slot_topic, None
    note = _BOOKED_BY.match(body)
    if note is not None:  # "Scheduled by Whitney Gallo, Recruiting Coordinator"
        _note_coordinator(note["rest"], scan)
        return
    timed = _TIME_PREFIX.match(body)
    if timed:
        body = body[timed.end():]
    elif _scan_label(body, scan, slot):
        return
    if not timed and len(body) < 60 and _HEADING.match(body):
        scan.open_schedule()
        return
    if not timed and _signature_line(body, scan):
        return  # "Talent Acquisition Specialist | Juniper Ridge Credit Union" under a name
    pair = _paired_people(body, minimum=1)
    if len(pair) < 2:
        pair = _row_people(body) or pair
    person = _person_on_line(body) if len(pair) < 2 else pair[0]
    if person is None and len(pair) == 1:
        if _TAKES_PART.search(body):
            person = pair[0]  # "My colleague Tom Becker (Staff Engineer) will join us"
        elif not (timed or scan.in_schedule):  # "… so Ana Ruiz (Staff Engineer) will run it"
            scan.people.append(replace(pair[0], listed=False))
    if person is None and (timed or scan.in_schedule):
        person = _typed_in_lower_case(body)
    if person is None:
        if not timed and (_describes_card(body, scan) or _signed(signer, body, scan)):
            return
        if scan.gap and scan.schedule_entries:
            scan.in_schedule = False
        scan.gap = False
        scan.describe(None, False)
        if not timed and _SIGNER.match(body) and looks_like_person(body):
            scan.signer = body.strip(_JUNK)
        return
    scan.gap = False
    if slot is not None and len(pair) < 2:  # the person line closing a "time / topic" block
        person = replace(person, topic=person.topic or slot)
    scheduled = bool(timed) or scan.in_schedule or slot is not None
    before = len(scan.people)
    for one in pair if len(pair) >= 2 else [person]:
        _add_person(one, bool(timed) or slot is not None, scan)
    alone = len(scan.people) == before + 1 and len(pair) < 2
    scan.describe(before if alone else None, scheduled)


def _signature_line(line: str, scan: _Scan) -> bool:
    """The line right under a signature's name, opening with a title or a recruiting team
    ("Talent Acquisition · Acme Pagos"): it gives the signer that title, and what follows
    it is the employer, not another person."""
    if scan.card is None or scan.card_gap or scan.card >= len(scan.people):
        return False
    person = scan.people[scan.card]
    if person.listed:
        return False
    first = _split_outside_parens(line, _PIPE_SPLIT if "|" in line else _PART_SPLIT)[0]
    first = first.strip(_JUNK)
    if not (looks_like_title(first) or is_coordination_title(first)) or len(first) > 60:
        return False
    if looks_like_person(first.split(",")[0], min_tokens=2):
        return False  # "Marcus Lee, Staff Engineer": another person, not the signer's title
    if person.title is None:
        scan.people[scan.card] = replace(person, title=_cap(first, MAX_TITLE_LENGTH))
    scan.describe(None, False)
    return True


def _signed(signer: str | None, line: str, scan: _Scan) -> bool:
    """The title line under a signature's lone first name ("— Wren" / "Head of Engineering,
    Sundial"): a mention that gives the attendee of that first name their title."""
    if signer is None or scan.gap:
        return False
    title = line.split("|")[0].strip(_JUNK)
    if not looks_like_title(title):
        return False
    scan.people.append(ScheduledPerson(signer, _cap(title, MAX_TITLE_LENGTH), listed=False))
    return True


def _note_coordinator(rest: str, scan: _Scan) -> None:
    """Who booked the interview: a mention (so an attendee of that name counts as the
    coordinator), never a card the lines around it describe, and the end of a schedule."""
    person = parse_person(rest)
    if person is not None:
        scan.people.append(replace(person, listed=False))
    scan.in_schedule = False
    scan.describe(None, False)


def _row_people(body: str) -> list[ScheduledPerson]:
    """A table row whose cells name several people with their titles ("12:50 | System
    design | Farah Siddiqui, Staff Engineer | Dmitri Lavrov, Senior Data Engineer"): each
    of them, with the row's subject as their topic."""
    if body.count("|") < 2:
        return []
    cells = [c for c in (x.strip(_JUNK) for x in _split_outside_parens(body, _PIPE_SPLIT)) if c]
    people: list[ScheduledPerson] = []
    topic: str | None = None
    for cell in cells:
        person = _person_in_parts(cell, False)
        if person is not None and person.title is not None and is_full_name(person.name):
            people.append(person)
        elif topic is None and _is_specific_topic(cell) and not looks_like_person(cell):
            topic = _cap(cell, MAX_TOPIC_LENGTH)
    if len(people) < 2:
        return []
    return [replace(p, topic=p.topic or topic) for p in people]


def _describes_card(line: str, scan: _Scan) -> bool:
    """A line after a person's own line that only describes them: "Title: Staff Engineer",
    "Focus: Spark" (field blocks), a bio card's "Principal Engineer, Rendering", or a schedule
    block's topic line ("Live coding" under "Tobias Wren, Senior Software Engineer")."""
    if scan.card is None or scan.card >= len(scan.people):
        return False
    person = scan.people[scan.card]
    field = _FIELD.match(line)
    if field is not None:
        return _card_field(field, person, scan.card, scan)
    separators = _PIPE_SPLIT if "|" in line else _PART_SPLIT
    parts = [p for p in (x.strip(_JUNK) for x in _split_outside_parens(line, separators)) if p]
    if not parts or _paired_people(line, 1):
        return False
    title = person.title
    if title is None and looks_like_title(parts[0]):
        title, parts = _cap(parts[0], MAX_TITLE_LENGTH), parts[1:]
    topic = person.topic
    if (topic is None and parts and scan.card_scheduled and not scan.card_gap
            and _is_topic_line(parts[0])):
        topic, parts = _cap(parts[0], MAX_TOPIC_LENGTH), parts[1:]
    if (title, topic) == (person.title, person.topic) or (parts and person.listed):
        return False  # a mention's signature may go on: "Recruiter | Acme | 555-0100"
    scan.people[scan.card] = replace(person, title=title, topic=topic)
    if topic is not None:
        scan.describe(None, False)
    return True


def _card_field(
    field: re.Match[str], person: ScheduledPerson, index: int, scan: _Scan
) -> bool:
    """"Title: …" and "Focus: …" fill in the person above; "Time: …" leaves the block open."""
    key, value = field["key"].casefold().split()[-1], field["value"].strip(_JUNK)
    if key in _TITLE_FIELDS and person.title is None and looks_like_title(value):
        scan.people[index] = replace(person, title=_cap(value, MAX_TITLE_LENGTH))
    elif key in _TOPIC_FIELDS and person.topic is None and _is_specific_topic(value):
        scan.people[index] = replace(person, topic=_cap(value, MAX_TOPIC_LENGTH))
    return key in _TITLE_FIELDS or key in _TOPIC_FIELDS or key in _OTHER_FIELDS


def _is_topic_line(line: str) -> bool:
    """A short subject on a line of its own ("Live coding"), not a sentence, a time, a name,
    a break or dial-in boilerplate ("Join Zoom Meeting")."""
    words = set(_words(line))
    return (len(words) <= 8 and line[-1:] not in ".!?:" and _is_specific_topic(line)
            and not any(c.isdigit() for c in line) and not looks_like_person(line)
            and not words & _NOT_TOPIC_WORDS and "@" not in line and "://" not in line)


def _add_person(person: ScheduledPerson, timed: bool, scan: _Scan) -> None:
    """A schedule entry counts as it is; in prose, a name needs a job title (not a
    recruiter's) to be listed, and is otherwise only a mention."""
    more = _names_listed_after(person)
    if more:  # "Meeting with graduate students: Mei Tanaka, Jonah Pierce, Aisha Rahman"
        for one in (replace(person, topic=None), *more):
            _add_person(one, timed, scan)
        return
    if timed or scan.in_schedule:
        scan.people.append(person)
        scan.schedule_entries += 1
    elif not is_full_name(person.name):
        return
    elif scan.signed_off:  # the signature: who wrote the invite, and their title
        scan.people.append(replace(person, listed=False))
    elif person.title is not None and not is_coordination_title(person.title):
        scan.people.append(person)
    else:
        scan.people.append(replace(person, listed=False))


def _names_listed_after(person: ScheduledPerson) -> list[ScheduledPerson]:
    """The other people of a list whose first name took the rest for its topic: each part a
    full name, and a lone part one written with a title ("Prof. Samuel Achebe")."""
    if not person.topic:
        return []
    parts = [p.strip(_JUNK) for p in _LIST_SPLIT.split(person.topic)]
    if not all(parts) or (len(parts) < 2 and formal_address(parts[0]) is None):
        return []  # one capitalised phrase is a topic ("Accessibility Audit") unless titled
    found = [parse_person(part) for part in parts]
    if not all(p is not None and p.title is None and p.topic is None and is_full_name(p.name)
               for p in found):
        return []
    return [replace(p, listed=person.listed) for p in found if p is not None]


def _typed_in_lower_case(body: str) -> ScheduledPerson | None:
    """A schedule entry whose name a recruiter typed in lower case ("ben adeyemi, staff
    engineer - live coding"): believed only with a job title after it."""
    found = _LOWER_NAME.match(body)
    if found is None:
        return None
    words = found["name"].split()
    if any(w.casefold() in NON_NAME_WORDS or w.casefold() in PARTICLES
           or w.casefold() in _PROSE_WORDS for w in words):
        return None
    person = parse_person(" ".join(w[:1].upper() + w[1:] for w in words) + found["rest"])
    return person if person is not None and person.title is not None else None


def _paired_people(body: str, minimum: int = 2) -> list[ScheduledPerson]:
    """Everyone a line names as "Full Name (Job Title)": "Take-home review with Sophie
    Laurent (Staff Engineer) and Arjun Mehta (Senior Engineer)", "Amara Okonkwo (Hiring
    Manager) and Felix Brandt (…) will interview you", "My colleague Tom Becker (Staff
    Engineer) will join us" (with `minimum` 1)."""
    if body.count("(") < minimum or sum(c.isdigit() for c in body) >= 5:
        return []
    found = _WITH.search(body)
    topic = _last_part(body[: found.start()]) if found else ""
    people: list[ScheduledPerson] = []
    start = 0
    for paren in _PAREN_GROUP.finditer(body):
        name = _trailing_name(body[start: paren.start()])
        title = paren.group(1).strip(_JUNK)
        start = paren.end()
        if name and looks_like_title(title):
            people.append(ScheduledPerson(
                clean_name(name), _cap(title, MAX_TITLE_LENGTH),
                _cap(topic, MAX_TOPIC_LENGTH) if _is_specific_topic(topic) else None,
                greeting=formal_address(name),
            ))
    return people


def _trailing_name(text: str) -> str:
    """The longest full name (two to four words) that ends `text`."""
    tokens = text.split()
    for size in range(min(4, len(tokens)), 1, -1):
        candidate = " ".join(tokens[-size:])
        if looks_like_person(candidate, min_tokens=2):
            return candidate
    return ""


def _scan_label(body: str, scan: _Scan, slot: str | None = None) -> bool:
    """"Interviewers: A, B and C" adds each; a bare "Interviewers:" opens a schedule. `slot`
    is the session a "Session:" line above named: theirs, unless they have a topic."""
    label = _LABEL.match(body)
    if label is None:
        return False
    rest = _LABEL_VERB.sub("", label["rest"].strip()).strip(" .:")
    if not rest:
        scan.open_schedule()
        return True
    found = _people_in_list(rest, single=bool(_SINGULAR_LABEL.match(body)))
    if slot is not None:
        found = [replace(p, topic=p.topic or slot) for p in found]
    scan.people.extend(found)
    scan.describe(len(scan.people) - 1 if len(found) == 1 else None, False)
    return bool(found)


def _people_in_list(text: str, *, single: bool = False) -> list[ScheduledPerson]:
    """The people a label's list names, each with the address written beside them
    ("Gideon Farrow (gfarrow@acme.com); Marisol Quintero (…)"). After a singular label
    ("Interviewer:") a comma continues the one person's title ("Trond Vikstrøm – Engineering
    Manager, Fleet Telemetry")."""
    text = _URL.sub(" ", text)
    if single:
        whole = _one_person(text)
        if whole is not None:
            return [whole]
    items = [i for i in (p.strip(_JUNK) for p in _split_outside_parens(text, _LIST_SPLIT)) if i]
    people: list[ScheduledPerson] = []
    for raw in items:
        item, email = _take_email(raw)
        item = _EMPTY_PARENS.sub(" ", item).strip(_JUNK)
        person = (parse_person(item, allow_single=True) or _typed_in_lower_case(item)
                  or _leading_name(item)) if item else None
        if person is not None:
            email = _their_address(person, email)
            people.append(replace(person, email=email) if email else person)
            continue
        last = people[-1] if people else None
        email = _their_address(last, email) if last is not None else None
        if last is not None and email and last.email is None:
            people[-1] = last = replace(last, email=email)
        title = _appositive_title(item)
        if last is not None and last.title is None and title:
            people[-1] = replace(last, title=title)
    return people


def _one_person(text: str) -> ScheduledPerson | None:
    """The whole text as one person with a title that holds its commas, else None."""
    body, email = _take_email(text)
    person = parse_person(_EMPTY_PARENS.sub(" ", body), allow_single=True)
    if person is None or person.title is None or person.topic is not None:
        return None
    if "," not in person.title:
        return None  # "Jane Doe, Staff Engineer, John Smith": a list after all
    email = _their_address(person, email)
    return replace(person, email=email) if email else person


def _their_address(person: ScheduledPerson, email: str | None) -> str | None:
    """An address written beside a name, when it is that person's: built from their name
    (gfarrow@ for Gideon Farrow) and not a team mailbox. "John Smith (contact:
    recruiter@acme.com)" must not put the recruiter in John's To:; a note without To: is
    the safe failure (needs_address)."""
    if not email or is_automated(email) or not matches_address(person.name, email):
        return None
    return email


def _leading_name(item: str) -> ScheduledPerson | None:
    """"Ruth for the full hour": the name a list item opens with, before the prose."""
    found = _NAME_THEN_PROSE.match(item)
    return parse_person(found["name"], allow_single=True) if found else None


def _appositive_title(item: str) -> str | None:
    """"Staff Engineer", or "their Head of Data Engineering - expect a SQL exercise": the
    title a list item gives the person before it."""
    if looks_like_title(item):
        return _cap(item, MAX_TITLE_LENGTH)
    parts = [p.strip(_JUNK) for p in _split_outside_parens(item)]
    first = _DETERMINER.sub("", parts[0]) if parts else ""
    if first != (parts[0] if parts else "") and looks_like_title(first):
        return _cap(first, MAX_TITLE_LENGTH)
    return None


def _person_on_line(body: str) -> ScheduledPerson | None:
    body, email = _take_email(_URL.sub(" ", body))
    # phone numbers, meeting ids, passcodes; a date and time in the sentence are not that
    if sum(c.isdigit() for c in _WHEN_SPAN.sub(" ", body)) >= 5:
        return None
    person = parse_person(body)
    if person is not None and email:
        person = replace(person, email=email)
    return person


def _take_email(text: str) -> tuple[str, str | None]:
    found = _EMAIL.search(text)
    if found is None:
        return text, None
    return _EMAIL.sub(" ", text), found.group(1).lower()


def merge_people(*groups: list[ScheduledPerson]) -> tuple[ScheduledPerson, ...]:
    """Several schedules' people as one, in order: the description's and a mail body's."""
    return _merge([p for group in groups for p in group])


def _merge(people: list[ScheduledPerson]) -> tuple[ScheduledPerson, ...]:
    """One entry per person (by email or name), keeping the first title and topic seen."""
    merged: list[ScheduledPerson] = []
    for person in people:
        for i, seen in enumerate(merged):
            same_email = person.email is not None and person.email == seen.email
            if same_email or name_key(person.name) == name_key(seen.name):
                merged[i] = ScheduledPerson(
                    name=seen.name if len(seen.name) >= len(person.name) else person.name,
                    title=seen.title or person.title,
                    topic=seen.topic or person.topic,
                    email=seen.email or person.email,
                    listed=seen.listed or person.listed,
                    greeting=seen.greeting or person.greeting,
                    aka=seen.aka or person.aka,
                )
                break
        else:
            merged.append(person)
    return tuple(merged)


_BETWEEN = re.compile(r"\bbetween\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s*$", re.IGNORECASE)


def named_in_title(summary: str) -> tuple[ScheduledPerson, ...]:
    """A full name the title gives ("Interview with Marcus O'Neil", "Acme <> Priya Shah"),
    for the candidate's own event copy that lists nobody."""
    found = _WITH.search(summary[:300])
    between = _BETWEEN.search(summary[:300])
    if between:  # Calendly: "Second Interview between Amara Nwosu-Diallo and Alex Rivera"
        sides = [between["a"], between["b"]]
    elif found:  # "w/ Hana Sato @ Brightwater": the company clause is not part of the name
        sides = [_TITLE_CLAUSE_END.split(found["rest"], maxsplit=1)[0]]
    else:
        sides = re.split(r"\s*(?:<>|<->|↔|\s[x×]\s)\s*", summary[:300])
        if len(sides) < 2:  # a bare title ("Alumni Workshop: …") names nobody
            return ()
    people = []
    for side in sides:
        person = _person_in_parts(side, allow_single=False)
        if person is not None:
            people.append(ScheduledPerson(person.name, person.title))
    return tuple(people)
