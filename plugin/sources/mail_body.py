"""The text of an email and the interview schedule it states, for mail without calendar data.

Confirmation mails often carry the schedule only in their body: "Tuesday, December 1, 2026",
"10:00 AM - 1:00 PM EST", "(GMT-05:00) Eastern Time - New York", a table with a time per slot.
This module turns a message into plain text lines (HTML flattened with beautifulsoup4, quoted
replies dropped, sizes capped) and reads dates, time ranges and zones out of them with a small
parser over the common shapes. It is deliberately unsure: an ambiguous date ("03/04"), a range
without a meridiem in the early hours ("2:00 - 3:00"), an unknown or ambiguous zone ("IST"
alone) or a start without an end yields no schedule rather than a guess.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from zoneinfo import ZoneInfo

from afterword.plugin.detect.itinerary import description_text
from afterword.plugin.detect.lexicon import FORWARDED_SUBJECT
from afterword.plugin.model import Attendee, zone_named

log = logging.getLogger("afterword.sources.mail_body")

MAX_PART_BYTES = 512 * 1024  # of one decoded text part
MAX_HTML_CHARS = 120_000  # of markup handed to the HTML parser (~0.3 s), once styles are gone
MAX_TEXT = 20_000  # of the flattened body kept and parsed
MAX_HEADER_CHARS = 300  # subject and display names, once cleaned
MAX_SLOT_HOURS = 12  # a "schedule" longer than this in one day is not an interview
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TAG = re.compile(r"<[^<>]{0,2000}>")
# Markup that holds no text, dropped before parsing: most of a newsletter's bytes are CSS.
_INVISIBLE = re.compile(r"<!--|<(style|script|title)\b[^<>]{0,2000}>", re.IGNORECASE)
_DECLARATION = re.compile(r"<[!?][^<>]{0,2000}>?")
_STRAY_OPEN = re.compile(r"<(?!/?[a-zA-Z][^<>]{0,2000}>)")
_SPACES = re.compile(r"[^\S\n]+")
_BLANKS = re.compile(r"\n{3,}")


# --- the message's text ----------------------------------------------------------------------


def body_text(message: Message) -> str:
    """The readable body: the HTML part flattened when it holds at least as much text as the
    plain part (HTML keeps tables and lists apart), else the plain part; quoted replies
    dropped; at most MAX_TEXT characters. Never raises."""
    plain, markup = _text_parts(message)
    try:
        flattened = _flatten_html(markup) if markup else ""
    except Exception:  # broken markup must cost the layout, never the message
        log.debug("HTML body unreadable; stripping its tags", exc_info=True)
        flattened = html.unescape(_TAG.sub(" ", markup))
    richer = flattened and len(flattened.split()) >= 0.8 * len(plain.split())
    text = (flattened if richer else plain)[: 4 * MAX_TEXT]
    forwarded = FORWARDED_SUBJECT.match(header_text(message, "Subject")) is not None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return tidy(drop_quoted(text, forwarded=forwarded))[:MAX_TEXT]


def raw_text(message: Message) -> str:
    """The body's text with tags stripped by a regex only: cheap enough to decide whether a
    message is worth parsing properly."""
    plain, markup = _text_parts(message)
    return plain + "\n" + html.unescape(_TAG.sub(" ", markup[:MAX_HTML_CHARS]))


def _text_parts(message: Message) -> tuple[str, str]:
    """The first inline text/plain and text/html parts, decoded (attachments skipped)."""
    plain = markup = ""
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_subtype()
        if kind == "plain" and not plain:
            plain = _decoded(part)
        elif kind == "html" and not markup:
            markup = _decoded(part)
        if plain and markup:
            break
    return plain, markup


def _decoded(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding
        return ""
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    data = payload[:MAX_PART_BYTES]
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return data.decode("utf-8", errors="replace")


def _flatten_html(markup: str) -> str:
    visible = without_invisible(markup[: 4 * MAX_HTML_CHARS])[:MAX_HTML_CHARS]
    return description_text(defused(visible), limit=MAX_HTML_CHARS)


def defused(markup: str) -> str:
    """Markup the standard library's parser reads in linear time: its tolerant scanner
    looks ahead to the end of the input for every "<" that opens no complete tag and for
    every "<!…" or "<?…" section, which makes crafted mail quadratic. Those sections go and
    such a "<" becomes text."""
    return _STRAY_OPEN.sub("&lt;", _DECLARATION.sub(" ", markup))


def without_invisible(markup: str) -> str:
    """The markup without comments, styles, scripts and titles, in one pass: an unclosed
    comment hides the rest (as in a browser); an unclosed style or script loses only its
    tag. Each closing tag is looked for at most once, so crafted markup stays linear."""
    out: list[str] = []
    unclosed: set[str] = set()
    position = 0
    while True:
        found = _INVISIBLE.search(markup, position)
        if found is None:
            out.append(markup[position:])
            break
        out.append(markup[position: found.start()])
        if found.group(0) == "<!--":
            close = markup.find("-->", found.end())
            if close < 0:
                break
            position = close + 3
            continue
        name = found.group(1).lower()
        closing = None if name in unclosed else re.compile(
            rf"</\s*{name}\s*>", re.IGNORECASE).search(markup, found.end())
        if closing is None:
            unclosed.add(name)
            position = found.end()
        else:
            position = closing.end()
    return " ".join(out)


def tidy(text: str) -> str:
    """One space between words, no invisible characters, at most one blank line in a row."""
    lines = []
    for line in text.split("\n"):
        line = "".join(" " if not c.isprintable() else c for c in line)
        lines.append(_SPACES.sub(" ", line).strip())
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


_QUOTE_INTRO = re.compile(
    r"^(?:on\s.{4,200}\bwrote\s*:|le\s.{4,200}\ba\s+écrit\s*:|am\s.{4,200}\bschrieb\s*:"
    r"|-{2,}\s*original\s+message\s*-{2,})\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^from\s*:\s*\S", re.IGNORECASE)
_OUTLOOK_META = re.compile(r"^(?:sent|date|to|subject)\s*:", re.IGNORECASE)
# What Outlook puts above the message or meeting it passes on: in a forward ("FW: Interview")
# that is the content; in a reply, only the quoted original.
_OUTLOOK_ORIGINAL = re.compile(r"^-{2,}\s*original\s+(?:message|appointment)\s*-{2,}",
                               re.IGNORECASE)
_FORWARD = re.compile(r"^-{2,}\s*forwarded\s+message\s*-{2,}|^begin\s+forwarded\s+message",
                      re.IGNORECASE)


def drop_quoted(text: str, *, forwarded: bool = False) -> str:
    """The new part of a reply: "> " lines dropped, and everything from "On … wrote:" or an
    Outlook "From:/Sent:" block on, unless that block opens a forwarded message (whose
    content is the point). In a message that is itself a forward (`forwarded`, its subject
    says "FW:"), Outlook's "-----Original Appointment-----" or "-----Original Message-----"
    block is what was forwarded, and is kept."""
    lines = text.split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if forwarded and _OUTLOOK_ORIGINAL.match(stripped):
            kept.append(line)
            continue
        wrapped = stripped + " " + lines[i + 1].strip() if i + 1 < len(lines) else stripped
        if _QUOTE_INTRO.match(stripped) or (
                stripped[:3].lower() == "on " and _QUOTE_INTRO.match(wrapped)):
            break  # "On Mon, Nov 23, 2026 at 9:14 AM Alex <\nalex@…> wrote:" wraps
        if _OUTLOOK_FROM.match(stripped) and _is_reply_block(lines, i, forwarded=forwarded):
            break
        kept.append(line)
    return "\n".join(kept)


def _is_reply_block(lines: Sequence[str], index: int, *, forwarded: bool = False) -> bool:
    """An Outlook header block ("From:", then "Sent:"/"To:"/"Subject:") not introduced as a
    forwarded message (or, in a forward, as the original it passes on)."""
    following = [ln.strip() for ln in lines[index + 1: index + 5] if ln.strip()]
    if sum(bool(_OUTLOOK_META.match(ln)) for ln in following) < 2:
        return False
    before = [ln.strip() for ln in lines[max(0, index - 3): index] if ln.strip()]
    return not any(_FORWARD.match(ln) or (forwarded and _OUTLOOK_ORIGINAL.match(ln))
                   for ln in before)


# --- headers -----------------------------------------------------------------------------------


def one_line(value: str, limit: int = MAX_HEADER_CHARS) -> str:
    """A header value fit for a log, a title or a match: control characters (an injected
    CR/LF) become spaces, runs of space one, at most `limit` characters."""
    return " ".join(_CONTROL.sub(" ", value).split())[:limit]


def header_text(message: Message, name: str) -> str:
    try:
        value = message.get(name)
        return one_line(str(value)) if value is not None else ""
    except Exception:  # the header registry can raise on hostile input
        log.debug("unreadable %s header", name, exc_info=True)
        return ""


def header_people(message: Message, name: str) -> tuple[Attendee, ...]:
    """The addresses of a From/Reply-To header with their display names. Read from the raw
    header, where an encoded word is still one token: decoded first, a display name hiding
    "\r\nBcc: …" would split the header, so encoded words are held aside while the
    addresses are parsed. An address that is not a single plain addr-spec
    is dropped (never passed on to detection or `To:`)."""
    try:
        values = [str(v) for k, v in message.raw_items() if k.lower() == name.lower()]
    except Exception:
        log.debug("unreadable %s header", name, exc_info=True)
        return ()
    found: list[Attendee] = []
    for value in values:
        for display, address in _address_pairs(value):
            address = address.strip().lower()
            if _plain_address(address):
                found.append(Attendee(email=address, name=one_line(display, 200)))
    return tuple(found)


def _address_pairs(value: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of one raw header value, display names decoded."""
    runs: list[str] = []

    def hold(match: re.Match[str]) -> str:
        runs.append(match.group(0))
        return f" EW{len(runs) - 1}X "

    def restore(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return _decoded_words(runs[index]) if index < len(runs) else match.group(0)

    masked = _ENCODED_RUN.sub(hold, " ".join(value.split()))
    return [(_PLACEHOLDER.sub(restore, display), address)
            for display, address in getaddresses([masked])]


_ENCODED_RUN = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=(?:\s*=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)*")
_PLACEHOLDER = re.compile(r"EW(\d+)X")


def _decoded_words(text: str) -> str:
    """RFC 2047 encoded words decoded; the text as it is when they are broken."""
    try:
        return str(make_header(decode_header(text)))
    except Exception:
        return text


def _plain_address(address: str) -> bool:
    if address.count("@") != 1 or len(address) > 254:
        return False
    local, domain = address.split("@")
    if not local or "." not in domain.strip("."):
        return False
    return not any(c.isspace() or ord(c) < 32 or c in "<>,;\"()[]\\" for c in address)


def sent_at(message: Message) -> datetime | None:
    value = header_text(message, "Date")
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def is_bulk(message: Message) -> bool:
    """Sent to a mailing list or as bulk mail: nobody books an interview that way."""
    try:
        if any(message.get(h) is not None for h in ("List-Id", "List-Unsubscribe", "List-Post")):
            return True
        precedence = str(message.get("Precedence", "")).strip().lower()
    except Exception:
        return False
    return precedence in {"bulk", "list", "junk"}


# --- dates ---------------------------------------------------------------------------------------

_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2,
    "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}


def _alternatives(words: Sequence[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_WD = rf"(?:(?P<wd>{_alternatives(list(_WEEKDAYS))})\.?,?\s+)?"
_MON = rf"(?P<mon>{_alternatives(list(_MONTHS))})\.?(?![a-z])"
_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d:])"
_YEAR = r"(?:\s*,?\s*(?P<y>(?:19|20)\d{2})(?![\d:]))?"
_DATE_FORMS = (  # Tuesday, December 1, 2026 / Tue 1 Dec 2026 / 2026-12-01 / 12/3 / 01.12.2026
    re.compile(rf"(?<![\w/]){_WD}{_MON}\s+{_DAY}{_YEAR}", re.IGNORECASE),
    re.compile(rf"(?<![\w/]){_WD}{_DAY}\s+(?:of\s+)?{_MON}{_YEAR}", re.IGNORECASE),
    re.compile(rf"(?<![\w/-]){_WD}(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?![\d-])",
               re.IGNORECASE),  # 2026-12-01
    re.compile(rf"(?<![\w/.]){_WD}(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})(?:/(?P<y>\d{{4}}|\d{{2}}))?"
               r"(?![\d/])", re.IGNORECASE),  # 12/01/2026, Thursday 12/3
    re.compile(rf"(?<![\w/.]){_WD}(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>\d{{4}})(?![\d.])",
               re.IGNORECASE),  # 01.12.2026 (day first)
    re.compile(rf"(?<![\w/-]){_WD}{_DAY}-{_MON}-(?P<y>(?:19|20)\d{{2}})(?![\d-])",
               re.IGNORECASE),  # 24-Nov-2026, as Indian and British systems write it
)


@dataclass(frozen=True)
class _Found:
    value: date
    start: int  # position in the line
    end: int


def dates_in(line: str, reference: date) -> list[_Found]:
    """The dates a line states, each checked against its weekday; a year left out is the one
    that puts the date nearest after `reference` (a fortnight's slack for recaps)."""
    found: list[_Found] = []
    taken: list[tuple[int, int]] = []
    for form in _DATE_FORMS:
        for match in form.finditer(line):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            value = _date_of(match, reference)
            if value is not None:
                found.append(_Found(value, match.start(), match.end()))
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda f: f.start)


def _date_of(match: re.Match[str], reference: date) -> date | None:
    groups = match.groupdict()
    weekday = _WEEKDAYS.get((groups.get("wd") or "").lower())
    if groups.get("mon") == "may":
        return None  # "you may 2…": the verb, not the month
    year = int(groups["y"]) if groups.get("y") else None
    if year is not None and year < 100:
        year += 2000
    if groups.get("a") is not None:  # numeric with slashes: month and day order unknown
        a, b = int(groups["a"]), int(groups["b"])
        readings = {(a, b), (b, a)}  # (month, day) as the US or as everyone else writes it
        found = {v for m, d in readings for v in _candidates(year, m, d, weekday, reference)}
        return found.pop() if len(found) == 1 else None
    month = _MONTHS[groups["mon"].lower()] if groups.get("mon") else int(groups["m"])
    options = _candidates(year, month, int(groups["d"]), weekday, reference)
    return options[0] if options else None


def _candidates(year: int | None, month: int, day: int, weekday: int | None,
                reference: date) -> list[date]:
    """The dates these parts may mean: none when they contradict each other. Without a
    year: the first such date from a fortnight before `reference` on (a mail may recall a
    recent interview), else the latest within the two months before it."""
    years = [year] if year is not None else [reference.year - 1, reference.year,
                                             reference.year + 1]
    valid = []
    for y in years:
        try:
            value = date(y, month, day)
        except ValueError:
            continue
        if weekday is None or value.weekday() == weekday:
            valid.append(value)
    if year is not None:
        return valid
    valid = [v for v in valid if reference - timedelta(days=60) <= v
             <= reference + timedelta(days=366)]
    upcoming = [v for v in valid if v >= reference - timedelta(days=14)]
    return upcoming[:1] or valid[-1:]


# --- times ---------------------------------------------------------------------------------------


def _clock(tag: str) -> str:
    """A time of day; a 24-hour one may say "hrs" ("19:30 hrs")."""
    return (rf"(?P<{tag}h>\d{{1,2}})(?:\s?[:.h]\s?(?P<{tag}m>[0-5]\d))?"
            rf"(?:\s*(?P<{tag}ap>[ap]\.?\s?m\.?(?![a-z])|noon(?![a-z]))|\s*hrs\.?(?![a-z]))?")


_DASH = r"\s*(?:-|–|—|‒|~|to|until|till|through|thru)\s*"
_RANGE = re.compile(
    rf"(?<![\w:./$€£+-])(?:from\s+|between\s+)?{_clock('s')}{_DASH}{_clock('e')}(?![\d:])",
    re.IGNORECASE,
)
_SINGLE = re.compile(rf"(?<![\w:./$€£+-]){_clock('s')}(?![\d:])", re.IGNORECASE)
_NOON = re.compile(r"\b(?:at\s+)?(?:12\s+)?noon\b", re.IGNORECASE)
_DURATION = re.compile(
    r"\b(?P<n>\d{1,3}(?:\.\d)?|an?|one|two|three)\s*[- ]?\s*"
    r"(?P<unit>minutes?|mins?|hours?|hrs?)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = {"a": 1.0, "an": 1.0, "one": 1.0, "two": 2.0, "three": 3.0}


@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int
    meridiem: str  # "am", "pm" or "" when not written
    written: str  # as written, for the 24-hour-style test

    @property
    def plain(self) -> bool:
        return not self.meridiem


def _clock_of(match: re.Match[str], tag: str) -> _Clock | None:
    hour = int(match.group(f"{tag}h"))
    minute_text = match.group(f"{tag}m")
    marker = (match.group(f"{tag}ap") or "").lower().replace(".", "").replace(" ", "")
    meridiem = "pm" if marker == "noon" else marker
    if marker == "noon":
        hour = 12 if hour in (0, 12) else hour
    if not minute_text and not meridiem:
        return None  # a bare number is not a time
    minute = int(minute_text or 0)
    if (meridiem and not 1 <= hour <= 12) or hour > 23:
        return None
    return _Clock(hour, minute, meridiem, match.group(f"{tag}h"))


def _with_meridiem(clock: _Clock, meridiem: str) -> time:
    hour = clock.hour % 12 + (12 if meridiem == "pm" else 0)
    return time(hour, clock.minute)


def _twenty_four(clock: _Clock) -> bool:
    return clock.hour == 0 or clock.hour >= 13 or (len(clock.written) == 2 and
                                                   clock.written.startswith("0"))


def _unmarked(clock: _Clock, twenty_four_hour_text: bool) -> time | None:
    """A clock written without am/pm: literal in 24-hour text or from 7 to 12 (business
    hours either way), unknown from 1 to 6 ("2:00" is 2 pm to an American, 2 am in 24-hour
    text)."""
    if twenty_four_hour_text or _twenty_four(clock) or 7 <= clock.hour <= 12:
        return time(clock.hour, clock.minute)
    return None


def _range_times(start: _Clock, end: _Clock, twenty_four_hour_text: bool
                 ) -> tuple[time, time] | None:
    """Both ends of "10:00 - 10:45 AM", "11:30 - 12:15 PM", "9am - 1pm", "14:00-15:30"."""
    if start.meridiem and end.meridiem:
        return _with_meridiem(start, start.meridiem), _with_meridiem(end, end.meridiem)
    if end.meridiem:  # "10:00 - 10:45 AM": the start shares the meridiem unless it cannot
        finish = _with_meridiem(end, end.meridiem)
        begin = _with_meridiem(start, end.meridiem)
        if begin >= finish and not _twenty_four(start):
            begin = _with_meridiem(start, "am" if end.meridiem == "pm" else "pm")
        return begin, finish
    if start.meridiem:  # "11:30 AM - 12:15": the end shares it, or crosses noon
        begin = _with_meridiem(start, start.meridiem)
        finish = _with_meridiem(end, start.meridiem)
        if finish <= begin and not _twenty_four(end):
            finish = _with_meridiem(end, "pm" if start.meridiem == "am" else "am")
        return begin, finish
    first = _unmarked(start, twenty_four_hour_text)
    if first is None:
        return None
    if twenty_four_hour_text or _twenty_four(end):
        return first, time(end.hour, end.minute)
    last = time(end.hour, end.minute)
    if last <= first and end.hour < 12:  # "11:00 - 1:00": past noon
        last = time(end.hour + 12, end.minute)
    return first, last


# --- zones ---------------------------------------------------------------------------------------

_ABBREVIATIONS = {
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "CT": "America/Chicago", "CST": "America/Chicago", "CDT": "America/Chicago",
    "MT": "America/Denver", "MST": "America/Denver", "MDT": "America/Denver",
    "PT": "America/Los_Angeles", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage", "HST": "Pacific/Honolulu", "UTC": "UTC", "GMT": "GMT",
    "BST": "Europe/London", "WET": "Europe/Lisbon", "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin", "EET": "Europe/Helsinki", "EEST": "Europe/Helsinki",
    "IST": "IST", "JST": "Asia/Tokyo", "KST": "Asia/Seoul", "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong", "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
    "NZST": "Pacific/Auckland", "NZDT": "Pacific/Auckland", "SAST": "Africa/Johannesburg",
    "BRT": "America/Sao_Paulo",
}
_NAMES = {
    "eastern": "America/New_York", "central": "America/Chicago",
    "mountain": "America/Denver", "pacific": "America/Los_Angeles",
    "central european": "Europe/Berlin", "eastern european": "Europe/Helsinki",
    "western european": "Europe/Lisbon", "india": "Asia/Kolkata", "indian": "Asia/Kolkata",
    "british": "Europe/London", "uk": "Europe/London", "london": "Europe/London",
    "greenwich mean": "GMT", "coordinated universal": "UTC", "japan": "Asia/Tokyo",
    "singapore": "Asia/Singapore", "australian eastern": "Australia/Sydney",
    "irish": "Europe/Dublin", "israel": "Asia/Jerusalem", "new york": "America/New_York",
}
_CITIES = {
    "new york": "America/New_York", "toronto": "America/Toronto",
    "chicago": "America/Chicago", "denver": "America/Denver", "phoenix": "America/Phoenix",
    "los angeles": "America/Los_Angeles", "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles", "vancouver": "America/Vancouver",
    "london": "Europe/London", "dublin": "Europe/Dublin", "lisbon": "Europe/Lisbon",
    "paris": "Europe/Paris", "berlin": "Europe/Berlin", "amsterdam": "Europe/Amsterdam",
    "madrid": "Europe/Madrid", "stockholm": "Europe/Stockholm", "warsaw": "Europe/Warsaw",
    "copenhagen": "Europe/Copenhagen", "zurich": "Europe/Zurich", "kolkata": "Asia/Kolkata",
    "calcutta": "Asia/Kolkata", "mumbai": "Asia/Kolkata", "new delhi": "Asia/Kolkata",
    "chennai": "Asia/Kolkata", "tokyo": "Asia/Tokyo", "singapore": "Asia/Singapore",
    "hong kong": "Asia/Hong_Kong", "sydney": "Australia/Sydney", "jerusalem": "Asia/Jerusalem",
    "tel aviv": "Asia/Jerusalem",
}
# "IST" is India's, Ireland's or Israel's: the text must say which.
_IST_CUES = {
    "Asia/Kolkata": re.compile(
        r"\b(?:india|indian|kolkata|calcutta|mumbai|bengaluru|bangalore|delhi|hyderabad|chennai"
        r"|pune|gurgaon|gurugram|noida|aadhaar)\b|[+]\s?0?5:30|[+]91[\s-]?\d", re.IGNORECASE),
    "Europe/Dublin": re.compile(r"\b(?:ireland|irish|dublin|cork|galway)\b", re.IGNORECASE),
    "Asia/Jerusalem": re.compile(r"\b(?:israel|tel\s+aviv|jerusalem|haifa)\b", re.IGNORECASE),
}
_UK_CUE = re.compile(r"\b(?:london|uk|united\s+kingdom|england|britain|british)\b", re.IGNORECASE)
_ABBREVIATION = re.compile(rf"\b(?P<abbr>{_alternatives(list(_ABBREVIATIONS))})\b")
_NAMED = re.compile(
    rf"\b(?P<name>{_alternatives(list(_NAMES))})(?:\s+(?:standard|daylight|summer))?"
    r"(?:\s+time)?\b(?:\s*\((?:us\s*(?:&|and)\s*canada)\))?",
    re.IGNORECASE,
)
_OFFSET = re.compile(
    r"\(?\b(?:GMT|UTC)\s*(?P<sign>[+-−])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?\)?"
    r"(?P<label>[^\n()]{0,60})",
    re.IGNORECASE,
)
_IANA = re.compile(r"\b(?:America|Europe|Asia|Africa|Australia|Pacific|Atlantic|Indian)"
                   r"/[A-Za-z_]+(?:/[A-Za-z_]+)?\b")
_AFTER_TIME = re.compile(r"^\s*[(\[]?\s*")
_ALL_TIMES = re.compile(r"^all\s+(?:times\s+)?(?:are\s+)?(?:in\s+)?", re.IGNORECASE)
_GLOBAL_ZONE = re.compile(
    r"\b(?:all\s+times?|times?\s+(?:are|is|shown|listed)|time\s*zone|timezone|in\s+your"
    r"|(?:are|is)\s+(?:in|listed\s+in|shown\s+in))\b[^\n]{0,30}",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Zone:
    """A zone the text states: an IANA name when it names one, else a fixed offset."""

    tz: tzinfo
    name: str | None  # IANA key, None for a bare "GMT+03:00"


_AMBIGUOUS = Zone(UTC, None)  # a zone the text names without saying which ("IST")


def zone_at(text: str, position: int, whole: str) -> Zone | None:
    """The zone written right after a time (at `position` in `text`), if any."""
    rest = text[position:position + 80]
    lead = _AFTER_TIME.match(rest)
    rest = rest[lead.end():] if lead else rest
    for finder in (_zone_by_offset, _zone_by_iana, _zone_by_abbreviation, _zone_by_name):
        zone = finder(rest, whole, anchored=True)
        if zone is not None:
            return zone
    return None


def stated_zone(text: str) -> Zone | None:
    """The zone the text states for all its times: an IANA name, "(GMT-05:00) Eastern Time -
    New York", or a zone after "All times are in…", "Time zone:"."""
    for finder in (_zone_by_offset, _zone_by_iana):
        zone = finder(text, text, anchored=False)
        if zone is not None:
            return zone
    for statement in _GLOBAL_ZONE.finditer(text):
        tail = statement.group(0)
        for finder in (_zone_by_abbreviation, _zone_by_name):
            zone = finder(tail, text, anchored=False)
            if zone is not None:
                return zone
    for inside in re.finditer(r"\(([^()\n]{2,40})\)", text):  # "(Eastern)", "(all ET)"
        words = _ALL_TIMES.sub("", inside.group(1).strip())
        for finder in (_zone_by_abbreviation, _zone_by_name):
            zone = finder(words, text, anchored=True)
            if zone is not None and len(words.split()) <= 3:
                return zone
    return None


def _zone_by_offset(text: str, whole: str, *, anchored: bool) -> Zone | None:
    match = _OFFSET.match(text) if anchored else _OFFSET.search(text)
    if match is None:
        return None
    label = match.group("label").lower()
    for city, key in _CITIES.items():
        if re.search(rf"\b{city}\b", label):
            return _iana(key)
    named = _NAMED.search(label)
    if named is not None and named.start() <= 3:
        return _iana(_NAMES[named.group("name").lower()])
    sign = -1 if match.group("sign") in "-−" else 1
    minutes = int(match.group("h")) * 60 + int(match.group("m") or 0)
    if minutes > 14 * 60:
        return None
    return Zone(timezone(sign * timedelta(minutes=minutes)), None)


def _zone_by_iana(text: str, whole: str, *, anchored: bool) -> Zone | None:
    match = _IANA.match(text) if anchored else _IANA.search(text)
    if match is None or zone_named(match.group(0)) is None:
        return None
    return _iana(match.group(0))


def _zone_by_abbreviation(text: str, whole: str, *, anchored: bool) -> Zone | None:
    match = _ABBREVIATION.match(text) if anchored else _ABBREVIATION.search(text)
    if match is None:
        return None
    key = _ABBREVIATIONS[match.group("abbr")]
    if key == "IST":
        cues = [zone for zone, cue in _IST_CUES.items() if cue.search(whole)]
        return _iana(cues[0]) if len(cues) == 1 else _AMBIGUOUS
    if key == "GMT":
        return _iana("Europe/London" if _UK_CUE.search(whole) else "UTC")
    return _iana(key)


def _zone_by_name(text: str, whole: str, *, anchored: bool) -> Zone | None:
    match = _NAMED.match(text) if anchored else _NAMED.search(text)
    if match is None:
        return None
    word = match.group("name").lower()
    spelled = match.group(0).lower()
    if word in {"eastern", "central", "mountain", "pacific"} and not anchored and (
            "time" not in spelled):
        return None  # "Central Park", "Pacific Ocean": only "Central Time" away from a time
    if word in {"india", "indian", "israel", "irish", "japan", "singapore", "british"} and (
            "time" not in spelled):
        return None  # "India" alone is a country, "India Standard Time" a zone
    key = _NAMES[word]
    if key == "GMT":
        return _iana("Europe/London" if _UK_CUE.search(whole) else "UTC")
    return _iana(key)


def _iana(key: str) -> Zone | None:
    zone = zone_named(key)
    return Zone(zone, key) if zone is not None else None


_MONTH_WORD = rf"(?:{_alternatives(list(_MONTHS))})\.?(?![a-z])"
_DATEISH = re.compile(
    rf"{_MONTH_WORD}\s+\d|\d\s+(?:of\s+)?{_MONTH_WORD}|\d/\d|\d{{4}}-\d\d?-\d"
    r"|\d\.\d\d?\.\d{4}",
    re.IGNORECASE,
)
_CLOCKISH = re.compile(r"\d\s?[:.h]\s?[0-5]\d|\d\s*[ap]\.?\s?m\b|\bnoon\b", re.IGNORECASE)
_LOCATION = re.compile(r"^(?:location|where|venue|address|place)\s*:\s*(?P<where>\S.{1,198})$",
                       re.IGNORECASE | re.MULTILINE)


def may_state_a_time(raw: str) -> bool:
    """The text has something like a date, and a time range or a clock with a duration:
    only then is it worth flattening its HTML and parsing it."""
    if _DATEISH.search(raw) is None:
        return False
    return _RANGE.search(raw) is not None or (
        _CLOCKISH.search(raw) is not None and _DURATION.search(raw) is not None)


def location_in(text: str) -> str:
    """The value of a "Location:" (or "Where:", "Venue:") line, "" when there is none."""
    found = _LOCATION.search(text)
    return one_line(found.group("where"), 200) if found else ""


# --- the schedule -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """When the text says the interview is: one day's first start to last end."""

    start: datetime
    end: datetime
    zone: str | None  # the IANA zone the text states, None when it states none or an offset
    text: str  # the part of the text about that day (all of it for a one-day schedule)


@dataclass
class _Day:
    day: date
    slots: list[tuple[time, time, Zone | None]] = field(default_factory=list)
    singles: list[tuple[time, Zone | None, int]] = field(default_factory=list)  # with line no.
    first_line: int = 0  # where the text starts talking about this day


def find_schedules(text: str, default_zone: ZoneInfo, reference: datetime
                   ) -> list[Schedule]:
    """Each day the text gives a time range for (or a start and a duration), in order.
    `reference` (the message's date) supplies a year the text leaves out. Empty when the
    text states no usable date and time, or an ambiguous zone."""
    lines = text[:MAX_TEXT].split("\n")
    twenty_four = _uses_twenty_four_hours(text)
    days = _collect(lines, reference.date(), twenty_four, text)
    if not days:
        return []
    zones = [z for d in days.values() for _, _, z in d.slots if z is not None]
    zones += [z for d in days.values() for _, z, _ in d.singles if z is not None]
    # "19:30 hrs IST (09:00 AM EST)": a zone the text also states plainly settles it
    known = [z for z in zones if z is not _AMBIGUOUS]
    primary = known[0] if known else zones[0] if zones else stated_zone(text)
    if primary is _AMBIGUOUS:
        log.debug("mail schedule skipped: ambiguous time zone")
        return []
    found = []
    ordered = sorted(days.values(), key=lambda d: d.first_line)
    for index, day in enumerate(ordered):
        schedule = _schedule_for(day, lines, primary, default_zone)
        if schedule is None:
            continue
        following = ordered[index + 1].first_line if index + 1 < len(ordered) else len(lines)
        section = "\n".join(lines[: ordered[0].first_line] + lines[day.first_line: following])
        found.append(Schedule(schedule[0], schedule[1], schedule[2],
                              text if len(ordered) == 1 else section))
    return found


def _uses_twenty_four_hours(text: str) -> bool:
    """The text writes 24-hour clocks ("14:00"), so an unmarked "09:30" or "1:00" is literal."""
    return re.search(r"(?<![\d:.])(?:1[3-9]|2[0-3])[:.h][0-5]\d(?!\s*[ap]\.?m)", text,
                     re.IGNORECASE) is not None


def _collect(lines: Sequence[str], reference: date, twenty_four: bool, whole: str
             ) -> dict[date, _Day]:
    """Every time range and lone time, filed under the date on its line, else the last date
    stated before it."""
    days: dict[date, _Day] = {}
    current: date | None = None
    for number, line in enumerate(lines):
        if not line or len(line) > 600:
            continue
        found = dates_in(line, reference)
        covered = [(f.start, f.end) for f in found]
        for begin, finish, zone, at in _ranges(line, covered, twenty_four, whole):
            when = _date_for(found, at) or current
            if when is not None:
                entry = days.setdefault(when, _Day(when, first_line=number))
                entry.slots.append((begin, finish, zone))
        for moment, zone, at in _singles(line, covered, twenty_four, whole):
            when = _date_for(found, at) or current
            if when is not None:
                entry = days.setdefault(when, _Day(when, first_line=number))
                entry.singles.append((moment, zone, number))
        if found:
            current = found[-1].value
            if current in days:
                days[current].first_line = min(days[current].first_line, number)
            else:
                days[current] = _Day(current, first_line=number)
    return {d: entry for d, entry in days.items() if entry.slots or entry.singles}


def _date_for(found: Sequence[_Found], position: int) -> date | None:
    """The date nearest before `position` on the line, else the first after it."""
    before = [f for f in found if f.start <= position]
    if before:
        return before[-1].value
    return found[0].value if found else None


def _ranges(line: str, covered: Sequence[tuple[int, int]], twenty_four: bool, whole: str
            ) -> Iterator[tuple[time, time, Zone | None, int]]:
    for match in _RANGE.finditer(line):
        if any(s <= match.start() < e for s, e in covered):
            continue  # "2026-12-01" or "12/3" read as a time
        start, end = _clock_of(match, "s"), _clock_of(match, "e")
        if start is None or end is None:
            if end is not None and end.meridiem and match.group("sm") is None:
                start = _Clock(int(match.group("sh")), 0, "", match.group("sh"))  # "10-11am"
            else:
                continue
        times = _range_times(start, end, twenty_four)
        if times is None or times[1] <= times[0]:
            continue
        yield times[0], times[1], zone_at(line, match.end(), whole), match.start()


def _singles(line: str, covered: Sequence[tuple[int, int]], twenty_four: bool, whole: str
             ) -> Iterator[tuple[time, Zone | None, int]]:
    spans = [(m.start(), m.end()) for m in _RANGE.finditer(line)]
    for match in _SINGLE.finditer(line):
        if any(s <= match.start() < e for s, e in (*covered, *spans)):
            continue
        clock = _clock_of(match, "s")
        if clock is None:
            continue
        moment = (_with_meridiem(clock, clock.meridiem) if clock.meridiem
                  else _unmarked(clock, twenty_four))
        if moment is not None:
            yield moment, zone_at(line, match.end(), whole), match.start()
    for match in _NOON.finditer(line):
        if not any(s <= match.start() < e for s, e in (*covered, *spans)):
            yield time(12, 0), zone_at(line, match.end(), whole), match.start()


def _schedule_for(day: _Day, lines: Sequence[str], primary: Zone | None,
                  default_zone: ZoneInfo) -> tuple[datetime, datetime, str | None] | None:
    """The day's span in the primary zone; slots written in another zone are the same
    schedule converted for the reader ("10 AM ET / 7 AM PT") and left out."""
    zone = primary or Zone(default_zone, None)
    spans = [(s, e) for s, e, z in day.slots if z is None or _same_zone(z, zone)]
    if not spans:
        spans = _from_duration(day, lines, zone)
    if not spans:
        return None
    start = datetime.combine(day.day, min(s for s, _ in spans), tzinfo=zone.tz)
    end = datetime.combine(day.day, max(e for _, e in spans), tzinfo=zone.tz)
    if not start < end <= start + timedelta(hours=MAX_SLOT_HOURS):
        return None
    return start, end, zone.name if primary is not None else None


def _same_zone(a: Zone, b: Zone) -> bool:
    return a.name == b.name if a.name and b.name else a.tz == b.tz


def _from_duration(day: _Day, lines: Sequence[str], zone: Zone) -> list[tuple[time, time]]:
    """"Thursday at 2:00 PM ET (45 minutes)": a lone start and a duration stated on its line
    or the next two."""
    for moment, written, number in day.singles:
        if written is not None and not _same_zone(written, zone):
            continue
        nearby = " ".join(lines[number: number + 3])
        length = _duration(nearby)
        if length is None:
            continue
        end = (datetime.combine(day.day, moment) + length).time()
        if end > moment:
            return [(moment, end)]
    return []


def _duration(text: str) -> timedelta | None:
    match = _DURATION.search(text)
    if match is None:
        return None
    raw = match.group("n").lower()
    amount = _NUMBER_WORDS.get(raw) or float(raw)
    minutes = amount * (60 if match.group("unit").lower().startswith("h") else 1)
    if not 10 <= minutes <= MAX_SLOT_HOURS * 60:
        return None
    return timedelta(minutes=minutes)
