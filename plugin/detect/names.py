"""People's names as calendars give them, made fit for a greeting and safe for a header.

Display names come from strangers (a CN parameter, an itinerary line) and end up in a
`To:` header and a greeting, so cleaning is about safety first (no line breaks, no control
characters, no smuggled addresses) and looks second ("ONEIL, MARCUS" → "Marcus Oneil").
"""

from __future__ import annotations

import re
import unicodedata

from afterword.plugin.detect.lexicon import (
    CREDENTIALS,
    JOB_WORDS,
    NON_NAME_WORDS,
    PARTICLES,
    TITLE_MODIFIERS,
)
from afterword.plugin.model import Interviewer

MAX_NAME_LENGTH = 80

# Real line breaks, and the backslash escapes of one that some exporters leave in a CN
# parameter (where RFC 5545 TEXT escaping does not apply, so nothing decodes them).
_LINE_BREAK = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]|\\[rn]", re.IGNORECASE)
# Control, format (zero-width, bidi overrides), private-use, unassigned and symbol (emoji)
# characters: none belongs in a name and several can disguise one.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "So", "Sk", "Zl", "Zp"})
_DROPPED_CHARS = frozenset({"\ufe0e", "\ufe0f", "\u20e3"})
_JOINERS = frozenset({"\u200c", "\u200d"})  # meaningful inside Persian or Indic names
_STRAY_JOINER = re.compile(
    r"(?<![^\W\d_])[\u200c\u200d]|[\u200c\u200d](?![^\W\d_])|(?<=[\x00-\x7f])[\u200c\u200d]"
)
# An address; a header label smuggled in between a name and it ("Eve^nBcc: evil@x.com",
# flattened to one line by the calendar reader) goes along with it.
_ADDRESS = re.compile(
    r"(?:(?<=\s)(?:bcc|cc|to|from|reply-to|sender)\s*:\s*)?(?:<[^<>]*>?|[^\s<>]*@[^\s<>]*)",
    re.IGNORECASE,
)
_ALIAS = re.compile(r"\(([^()]{2,60})\)|（([^（）]{2,60})）")
_BRACKETED = re.compile(r"\([^()]*\)?|\[[^\[\]]*\]?|\{[^{}]*\}?")
# A quoted nickname after a given name: mid-name ("Marcus "Mac" O'Neil") or last, as in
# directory order ("O'Neil, Marcus "Mac"").
_NICKNAME = re.compile(r"(?<=\S)\s+[\"“][^\"“”]{1,30}[\"”](?=\s+\S|\s*,|\s*$)")
_AFFILIATION = re.compile(r"\s*\|\s*|\s+[–—/·•-]\s+")
_PRONOUNS = re.compile(
    r"\b(?:she|he|they|ze|xe|zie|ey)\s*/\s*(?:her|him|them|hers|his|theirs|zir|xem|hir|em)"
    r"(?:\s*/\s*[a-z]+)?\b",
    re.IGNORECASE,
)
_HONORIFIC = re.compile(
    r"^(?:dr|mr|mrs|ms|miss|mx|prof|professor|sir|dame|rev|hon|cllr|councillor"
    # the same in the languages invites from Europe come in
    r"|mme|mlle|madame|monsieur|herr|frau|sr|sra|srta|señor|señora|dhr|mevr)\b\.?\s+"
    r"|^(?:ing\.|dott\.(?:ssa\.?)?)\s+",  # only with their dot: "Ing" is also a given name
    re.IGNORECASE
)
# The titles a formal note greets by ("Dear Dr. O'Brien"); "Sir" and "Dame" go with the given
# name, so they are left to [[corrections]].
_FORMAL_TITLE = re.compile(
    r"(dr|mr|mrs|ms|miss|mx|prof|professor|rev|cllr|councillor)(\.?)\s+\S", re.IGNORECASE)
_PATRONYMIC = frozenset({"bin", "binti", "bint", "ibn"})
_MONSIEUR = re.compile(r"^M\.\s+(?=\S+\s+\S)")
# "Ms" is an honorific and "Ba" a name; after the name, "Dr." is a title as German directories
# write it ("Großmann, Sabine Dr.").
_CREDENTIALS = (CREDENTIALS - {"ma", "ms", "ba", "bs"}) | {"dr", "prof"}
_DEPARTMENTS = frozenset({
    "recruiting", "recruitment", "talent", "hr", "people", "engineering", "marketing",
    "operations", "ops", "team", "acquisition",
})
_GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv"})
_EDGE_JUNK = " \t,;:|/\\-_*~#\"'`“”‘’«»"
_INITIAL = re.compile(r"^[^\W\d_]\.?$")


def clean_name(raw: str) -> str:
    """A display name fit for a greeting and a header; "" when nothing name-like is left.

    Only the first line is kept, so a name carrying "\\r\\nBcc: x@y" loses the injection
    entirely rather than having it folded into the name.
    """
    if not raw:
        return ""
    text = unicodedata.normalize("NFC", _LINE_BREAK.split(raw[:500], maxsplit=1)[0])
    text = "".join(" " if c.isspace() else c for c in text if _kept(c))
    text = _STRAY_JOINER.sub("", text)
    text = _ADDRESS.sub(" ", text)
    text = _latin_alias(text)
    text = _strip_bracketed(text)
    text = _NICKNAME.sub(" ", text)
    text = re.sub(r"[()\[\]{}<>]", " ", text)
    text = " ".join(t for t in text.split() if not any(c.isdigit() for c in t))
    text = _PRONOUNS.sub(" ", text)
    text = _first_affiliation_part(text)
    text = " ".join(text.split()).strip(_EDGE_JUNK).lstrip(".")
    text = _strip_honorifics(text)
    text = _strip_credentials(text)
    text = _reorder_commas(text)
    text = _drop_trailing_title(text)
    text = _family_name_last(" ".join(text.split()).strip(_EDGE_JUNK))
    if not _has_name_word(text):
        return ""
    if _is_single_case(text):
        text = _recase(text)
    else:
        text = " ".join(_recase(t) if _is_shouted(t) else t for t in text.split())
    return _truncate(text)


def _kept(c: str) -> bool:
    if c in _JOINERS:
        return True
    if c in _DROPPED_CHARS:
        return False
    return c.isspace() or unicodedata.category(c) not in _DROPPED_CATEGORIES


def is_uncased(text: str) -> bool:
    """Letters, none of them upper or lower case: a name in Chinese, Japanese, Korean, Thai…
    ("王芳", "佐藤 健二"), which a note in English cannot greet by."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and not any(c.isupper() or c.islower() for c in letters)


def _latin_alias(text: str) -> str:
    """"王芳 (Fang Wang)" → "Fang Wang": a name in a script without case followed by its
    spelling in Latin letters in brackets (half- or full-width) is greeted by the latter."""
    outside = _ALIAS.sub(" ", text)
    if not is_uncased(outside):
        return text
    for found in _ALIAS.finditer(text):
        inner = found.group(1) or found.group(2) or ""
        if _is_latin_name(inner):
            return inner
    return text


def _is_latin_name(text: str) -> bool:
    """"Fang Wang", not "she/her" or "Engineering Director"."""
    tokens = text.split()
    return 1 <= len(tokens) <= 4 and all(
        t[:1].isupper() and all(c.isalpha() or c in "-'’." for c in t)
        and _token_key(t) not in NON_NAME_WORDS
        for t in tokens)


def _family_name_last(text: str) -> str:
    """"SATO Kenji" → "Kenji Sato": a leading family name in capitals (the Japanese, Chinese,
    Korean and French administrative order) goes after the given names. Initials ("JD
    Smith", "AJ Ross") are not family names: a two-letter capital word must read like one
    ("LI", "WU")."""
    tokens = text.split()
    lead = 0
    while lead < len(tokens) and _is_capital_word(tokens[lead]):
        lead += 1
    rest = tokens[lead:]
    if lead == 0 or not rest or any(
            not t[:1].isupper() or _is_capital_word(t) or _token_key(t) in NON_NAME_WORDS
            for t in rest):
        return text  # "IBM Recruiting" is a team, not Recruiting Ibm
    family = [_capitalize_word(t.lower()) for t in tokens[:lead]]
    return " ".join((*rest, *family))


def _is_capital_word(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    if not letters or not all(c.isupper() for c in letters):
        return False
    if len(letters) >= 3:
        return any(c in "AEIOUY" for c in letters)
    return len(letters) == 2 and letters[1] in "AEIOUY"


def _strip_bracketed(text: str) -> str:
    for _ in range(5):  # nested brackets: peel a few layers, never loop on hostile input
        stripped = _BRACKETED.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    return text


def _first_affiliation_part(text: str) -> str:
    """"Jane Doe | Acme" and "Jane Doe - Recruiter" are a name followed by an affiliation."""
    for part in _AFFILIATION.split(text):
        if part.strip(_EDGE_JUNK):
            return part
    return ""


def _strip_honorifics(text: str) -> str:
    for _ in range(3):
        rest = _HONORIFIC.sub("", text, count=1)
        if rest == text and len(text.split()) > 2:
            rest = _MONSIEUR.sub("", text, count=1)  # "M. Étienne Marchand", not "M. O'Neil"
        if rest == text or not rest.strip():
            break
        text = rest
    return text


def _token_key(token: str) -> str:
    return token.replace(".", "").strip(_EDGE_JUNK).casefold()


def _strip_credentials(text: str) -> str:
    tokens = text.replace(",", " , ").split()
    while len(tokens) > 1 and (tokens[-1] == "," or _token_key(tokens[-1]) in _CREDENTIALS):
        tokens.pop()
    return " ".join(tokens).replace(" , ", ", ").replace(" ,", ",")


def _reorder_commas(text: str) -> str:
    """"Doe, Jane" → "Jane Doe"; "Jane Doe, Jr." and "Jane Doe, Engineering Manager" keep
    their natural order (a suffix is joined, a job title dropped)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) < 2:
        return parts[0] if parts else ""
    head, second = parts[0], parts[1]
    if _token_key(second) in _GENERATIONAL:
        return f"{head} {second}"
    if any(w.casefold() in JOB_WORDS for w in second.split()):
        return head
    return f"{second} {head}"


def _has_name_word(text: str) -> bool:
    """Something beyond titles and credentials ("Dr.", "PhD") and punctuation."""
    return any(
        any(c.isalpha() for c in token)
        and _token_key(token) not in _CREDENTIALS
        and not _HONORIFIC.match(token + " ")
        for token in text.split()
    )


def _drop_trailing_title(text: str) -> str:
    """"Marcus O'Neil Principal Engineer" (a CN whose line break was flattened) → "Marcus
    O'Neil": cut before a job word and its modifiers, keeping at least two name words."""
    tokens = text.split()
    keys = [_token_key(t) for t in tokens]
    for i in range(2, len(tokens)):
        if all(k in _DEPARTMENTS for k in keys[i:]):  # "Dana Whitfield Recruiting"
            return " ".join(tokens[:i])
        if keys[i] in JOB_WORDS:
            start = i
            while start > 2 and keys[start - 1] in TITLE_MODIFIERS:
                start -= 1
            return " ".join(tokens[:start])
    return text


def _is_single_case(text: str) -> bool:
    cased = [c for c in text if c.isupper() or c.islower()]
    if not cased:
        return False
    return all(c.isupper() for c in cased) or all(c.islower() for c in cased)


def _is_shouted(token: str) -> bool:
    """A surname in capitals inside an otherwise mixed-case name ("Jean-Luc PICARD");
    short capital tokens ("JD", "III") are left as initials."""
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _recase(text: str) -> str:
    """Title case for a name typed in all capitals or all lower case, keeping particles
    ("MARIA DE LA CRUZ" → "Maria de la Cruz") and "O'"/"Mc" prefixes sensible."""
    tokens = text.split()
    out = []
    for i, token in enumerate(tokens):
        lower = token.lower()
        if 0 < i < len(tokens) - 1 and lower in PARTICLES:
            out.append(lower)
        elif lower.rstrip(".") in {"ii", "iii", "iv"}:
            out.append(token.upper())
        else:
            out.append(_capitalize_word(lower))
    return " ".join(out)


def _capitalize_word(word: str) -> str:
    pieces = re.split(r"([-'’])", word)
    result = []
    for piece in pieces:
        if piece.startswith("mc") and len(piece) > 3:
            result.append("Mc" + piece[2:].capitalize())
        else:
            result.append(piece.capitalize())
    return "".join(result)


def _truncate(text: str) -> str:
    if len(text) <= MAX_NAME_LENGTH:
        return text
    cut = text[:MAX_NAME_LENGTH].rsplit(" ", 1)[0]
    return cut.strip(_EDGE_JUNK)


def name_from_email(email: str) -> str:
    """A readable name from a mailbox's local part: "marcus.oneil" → "Marcus Oneil"."""
    local = email.split("@", 1)[0].split("+", 1)[0]
    words = [re.sub(r"[\d\W_]+", "", w) for w in re.split(r"[._\-]+", local)]
    return clean_name(" ".join(w.capitalize() for w in words if w))


def display_name(name: str, email: str) -> str:
    """The cleaned CN, else a name made from the address (the CN's own when it was one)."""
    cleaned = clean_name(name)
    if cleaned:
        return _in_address_order(cleaned, email)
    if not email:
        match = re.search(r"[^\s<>@]+@[^\s<>]+", name or "")
        email = match.group(0) if match else ""
    return name_from_email(email) if email else ""


def _in_address_order(name: str, email: str) -> str:
    """"Sato Kenji" as "Kenji Sato" when the address says kenji.sato@: a family name written
    first (Japanese, Chinese, Hungarian custom) shows in an address built given-name first."""
    tokens = name.split()
    local = email.split("@", 1)[0].casefold()
    parts = [p for p in re.split(r"[._]", local) if p]
    if len(tokens) != 2 or len(parts) != 2:
        return name
    keys = [name_key(t).replace(" ", "") for t in tokens]
    if parts == [keys[1], keys[0]] and parts != keys:
        return f"{tokens[1]} {tokens[0]}"
    return name


def first_name(name: str) -> str:
    """The name to greet someone by: "Dr. José Álvarez" → "José", "J. Robert Smith" →
    "Robert". A leading initial is skipped when a fuller given name follows it."""
    tokens = clean_name(name).split()
    if not tokens:
        return ""
    for token in tokens[:-1]:
        if not _INITIAL.match(token):
            return token
    return tokens[0]


def formal_address(raw: str) -> str | None:
    """"Dr. O'Brien" when the invite itself writes "Dr. Helen O'Brien": a panel introduced by
    title (a school's, a council's, a hospital's) is thanked that way, not by first name.
    None when the raw name carries no such title, or no surname can be told."""
    text = " ".join(_LINE_BREAK.split(raw[:500], maxsplit=1)[0].split()).lstrip(_EDGE_JUNK)
    found = _FORMAL_TITLE.match(text)
    if found is None:
        return None
    tokens = clean_name(text).split()
    if not tokens or is_uncased(tokens[-1]):
        return None
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1].casefold() in PARTICLES:
        start -= 1  # "Dr. Maria van der Berg" → "van der Berg"
    if any(token.casefold() in _PATRONYMIC for token in tokens[1:]):
        return None  # "bin Yusuf" says whose child: formally one is greeted by one's own name
    return f"{found.group(1).capitalize()}{found.group(2)} {' '.join(tokens[start:])}"


def nickname(raw: str) -> str | None:
    """"Bobby" for 'Robert "Bobby" Tran': the name they asked to be called, which a note
    greets them by."""
    found = _NICKNAME.search(" ".join(_LINE_BREAK.split(raw[:500], maxsplit=1)[0].split()))
    if found is None:
        return None
    word = clean_name(found.group(0).strip(" \"“”"))
    return word if word and len(word.split()) == 1 else None


def greeting_for(raw: str) -> str | None:
    """How the invite says to address them: a nickname, else a title and surname."""
    return nickname(raw) or formal_address(raw)


def greeting_name(interviewer: Interviewer) -> str:
    """What the composer writes after "Hi": the greeting the user chose in [[corrections]]
    as written ("Dr. Álvarez" keeps its title), else the nickname or the title and surname
    the invite gave them (greeting_for), else the interviewer's cleaned first name, or ""
    when the name holds nothing usable (the composer then greets without a name)."""
    chosen = " ".join((interviewer.greeting or "").split())
    return chosen or first_name(interviewer.name)


# --- matching -------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """A comparison key: accents, case, apostrophes and dots removed, hyphens as spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"['’`.]", "", plain).replace("-", " ")
    return " ".join(re.sub(r"[^\w ]|_", " ", plain).split())


def name_tokens(name: str) -> list[str]:
    return name_key(name).split()


def same_person(a: str, b: str, *, first_only: bool = True) -> bool:
    """Whether two names plausibly denote one person: same tokens, same first and last
    name ignoring middle names and initials, or (with first_only) one is only the other's
    first name. Callers decide what to do when a first-name match is ambiguous."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    if len(ta) == 1 or len(tb) == 1:
        return first_only and ta[0] == tb[0] and len(ta[0]) > 1
    firsts = ta[0] == tb[0] or _initial_of(ta[0], tb[0]) or _initial_of(tb[0], ta[0])
    lasts = ta[-1] == tb[-1] or ta[-1] in tb[1:] or tb[-1] in ta[1:]
    return firsts and lasts


def _initial_of(initial: str, word: str) -> bool:
    return len(initial) == 1 and word.startswith(initial)


def matches_address(name: str, email: str) -> bool:
    """Whether an address's local part is built from the name: marcus.oneil, moneil,
    marcuso, oneil.marcus, marcus.oneil.nyc or (for a one-word name) marcus."""
    tokens = [t.replace(" ", "") for t in name_tokens(name)]
    if not tokens or "@" not in email:
        return False
    local = email.split("@", 1)[0].split("+", 1)[0].casefold()
    joined = re.sub(r"[^a-z]", "", name_key(local.replace(".", " ").replace("_", " ")))
    if not joined:
        return False
    if len(tokens) == 1:
        return joined == tokens[0]
    first, last = tokens[0], tokens[-1]
    forms = {
        first + last, last + first, first[0] + last, first + last[0], last + first[0],
        "".join(tokens),
    }
    if joined in forms:
        return True
    # "ebony.washington.nyc", "priya_shah_uk": the name, then a word of the owner's own
    words = [w for w in (re.sub(r"[^a-z]", "", name_key(p)) for p in re.split(r"[._]", local))
             if w]
    if len(words) == 3 and words[:2] in ([first, last], [last, first]):
        return True
    # "kenji.w.builds": the given name, the surname's initial, a word of the owner's own
    return len(words) >= 2 and words[0] == first and words[1] == last[:1] and len(first) > 2
