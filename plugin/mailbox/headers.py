"""Reading addresses, dates and our own headers out of messages that may be malformed.

Every mailbox backend sees mail it did not write (the user's Sent folder, spam in the
inbox), so nothing here raises on bad input: garbage yields "nothing found" or a fallback.
The functions take any `email.message.Message`, whether a parsed header block (compat32)
or an `EmailMessage` built in memory, so the Maildir, IMAP and Gmail backends share them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import HeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import TypeVar

from afterword.plugin.mailbox.base import NOTE_HEADER, RECENT_FOLDERS, WARNING_HEADER
from afterword.plugin.model import DraftInfo, SentMessage

log = logging.getLogger("afterword.mailbox.headers")

# Stop reading a header block here: real headers are a few KiB, and a file without a blank
# line would otherwise make us parse its whole body as headers.
MAX_HEADER_BYTES = 256 * 1024

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ADDR_SPEC = re.compile(r"[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+")
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def parse_headers(raw: bytes) -> Message:
    """Parse the header block at the start of `raw`, ignoring any body.

    Decodes as UTF-8 first (RFC 6532 raw UTF-8 headers are common in Sent folders), which
    `BytesHeaderParser` would turn into replacement characters; compat32 never raises.
    """
    head = raw[:MAX_HEADER_BYTES]
    end = _HEADER_END.search(head)
    if end is not None:
        head = head[: end.start()]
    text = head.decode("utf-8", errors="replace")
    return HeaderParser(policy=policy.compat32).parsestr(text + "\n\n", headersonly=True)


def whole_message(raw: bytes) -> EmailMessage:
    """A whole message for `recent_messages`, parsed as the email package does for mail
    clients (email.policy.default) with "\n" line ends whatever the store used (IMAP and
    Gmail give CRLF); it never raises on malformed input."""
    parsed = message_from_bytes(raw.replace(b"\r\n", b"\n"), _class=EmailMessage,
                                policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def recent_folder(folder: str) -> str:
    """`recent_messages`' folder argument, checked: a typo must not read the wrong folder."""
    if folder not in RECENT_FOLDERS:
        raise ValueError(f"recent_messages reads {' or '.join(RECENT_FOLDERS)}, not {folder!r}")
    return folder


def _values(headers: Message, name: str) -> list[str]:
    """The header's values as unfolded text; header objects some policies return are
    stringified, and a value that cannot even be read is dropped."""
    try:
        raw_values = headers.get_all(name) or []
    except Exception:  # header registry parsers can raise on hostile input
        log.debug("unreadable %s header skipped", name, exc_info=True)
        return []
    values = []
    for value in raw_values:
        try:
            values.append(_FOLD.sub("", str(value)))
        except Exception:
            log.debug("unreadable %s header value skipped", name, exc_info=True)
    return values


def _first(headers: Message, name: str) -> str:
    values = _values(headers, name)
    return values[0] if values else ""


def addresses(headers: Message, *names: str) -> frozenset[str]:
    """Lower-cased addr-specs in the named headers; group syntax, missing addresses and
    strings that are no address at all are skipped."""
    found: set[str] = set()
    for name in names:
        for _display, addr in getaddresses(_values(headers, name)):
            addr = addr.strip().lower()
            if _ADDR_SPEC.fullmatch(addr) and not _CONTROL.search(addr):
                found.add(addr)
    return frozenset(found)


def _aware(moment: datetime) -> datetime:
    """Naive datetimes in mail are UTC ("-0000" means "no zone known")."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def message_date(headers: Message, fallback: datetime) -> datetime:
    """The Date header as an aware datetime, else `fallback` (e.g. the file's mtime)."""
    value = _first(headers, "Date").strip()
    if value:
        try:
            return _aware(parsedate_to_datetime(value))
        except (ValueError, TypeError, IndexError, OverflowError):
            log.debug("unparsable Date header %r; using %s", value, fallback)
    return _aware(fallback)


def _token(headers: Message, name: str) -> str | None:
    """A single-token header of ours: stripped, and refused when it holds control
    characters (someone else's mangled header must not match a real id)."""
    value = _first(headers, name).strip()
    if not value or _CONTROL.search(value):
        return None
    return value


def note_id(headers: Message) -> str | None:
    """Our X-Afterword-Note value, None on the user's own drafts."""
    return _token(headers, NOTE_HEADER)


def warning_key(headers: Message) -> str | None:
    """Our X-Afterword-Warning value (`<interview id>:<stage>`), None on other mail."""
    return _token(headers, WARNING_HEADER)


def subject(headers: Message) -> str:
    """The Subject with RFC 2047 encoded words decoded; raw text when they are broken."""
    value = _first(headers, "Subject")
    try:
        decoded = str(make_header(decode_header(value)))
    except Exception:  # bad charsets, broken encoded words
        decoded = value
    return _CONTROL.sub(" ", decoded).strip()


def sender(headers: Message) -> str:
    """The lower-cased From address, "" when there is none."""
    found = sorted(addresses(headers, "From"))
    return found[0] if found else ""


def message_id(headers: Message) -> str:
    value = _first(headers, "Message-ID").strip()
    return "" if _CONTROL.search(value) else value


def draft_info(ref: str, headers: Message, *, flagged: bool) -> DraftInfo:
    """What the engine needs to know about one draft, whoever wrote it."""
    return DraftInfo(
        ref=ref,
        note_id=note_id(headers),
        to=tuple(sorted(addresses(headers, "To", "Cc"))),
        flagged=flagged,
        subject=subject(headers),
    )


def sent_message(headers: Message, fallback_date: datetime) -> SentMessage:
    """One Sent-folder message; `fallback_date` is the store's arrival time, used when the
    Date header is missing or unparsable."""
    return SentMessage(
        sender=sender(headers),
        to=addresses(headers, "To", "Cc", "Bcc"),
        date=message_date(headers, fallback_date),
        message_id=message_id(headers),
    )


def matches(message: SentMessage, wanted: frozenset[str], since: datetime) -> bool:
    """The `sent_to` filter every backend applies last (servers only narrow the search)."""
    return bool(message.to & wanted) and message.date >= _aware(since)


def normalize(addrs: Iterable[str]) -> frozenset[str]:
    """`sent_to`'s argument as the lower-cased set the filter compares with."""
    return frozenset(a.strip().lower() for a in addrs if a and a.strip())


K = TypeVar("K")


def newest_bodies(bodies: Mapping[K, bytes], arrivals: Mapping[K, float], budget: int
                  ) -> dict[K, bytes]:
    """The raw messages worth keeping between two reads of recent mail: the newest that
    still count (in `arrivals`), at most `budget` bytes in all. Enough for the overlap of
    the engine's reads, little enough for a daemon idling for months."""
    kept: dict[K, bytes] = {}
    room = budget
    for key in sorted(bodies, key=lambda k: arrivals.get(k, 0.0), reverse=True):
        raw = bodies[key]
        if key in arrivals and len(raw) <= room:
            kept[key] = raw
            room -= len(raw)
    return kept
