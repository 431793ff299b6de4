"""Notes and warnings as RFC 5322 messages, built through the email package's policy.

Names, subjects and titles come from calendars that anyone can write to, so nothing from
them is ever pasted into a header: control characters become spaces, addresses are built
with `Address` (a comma or a quote in a name stays inside the display name), and an
address that is not exactly one mailbox is refused. Non-ASCII text is RFC 2047 encoded by
the policy when the message is serialized.
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

from afterword.plugin.compose.render import clean, clip
from afterword.plugin.mailbox.base import NOTE_HEADER, WARNING_HEADER
from afterword.plugin.model import ComposedNote, Identity, Interview, Stage

POLICY = email.policy.default  # "\n" line ends; backends re-serialize with SMTP where needed
BODY_CTE = "quoted-printable"  # 7-bit safe for every IMAP server, readable when inspected

_HEADER_TOKEN = re.compile(r"^[A-Za-z0-9._:@+-]{1,200}$")
_ADDRESS_FORBIDDEN = re.compile(r"[\s,;<>()\[\]\"\\\x00-\x1f\x7f]")

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class WarningLine:
    """One unsent note, as a warning lists it."""

    name: str
    email: str | None
    state: str  # a NoteState value: "drafted", "overdue", ...
    needs_address: bool
    suggested_address: str | None = None  # a guess offered to the user, never filled in


# --- safe header values -------------------------------------------------------------------


def header_text(text: str, limit: int = 200) -> str:
    """A header value that cannot start another header: one line, no control characters."""
    return clip(clean(text), (limit, 40)) if clean(text) else ""


def address(display_name: str, addr_spec: str) -> Address:
    """An `Address` whose display name is one clean line and whose addr_spec is one mailbox.

    Raises ValueError when `addr_spec` is not exactly one plain address (a second address,
    a display name, spaces, line breaks, quotes, or anything but one '@'). A non-ASCII
    domain is written in its IDNA (xn--) form; a non-ASCII local part is refused, since
    it needs SMTPUTF8.
    """
    spec = addr_spec.strip()
    local, at, domain = spec.partition("@")
    if not (local and at and domain) or "@" in domain or _ADDRESS_FORBIDDEN.search(spec):
        raise ValueError(f"not a single e-mail address: {addr_spec!r}")
    try:
        plain = f"{local}@{domain.encode('idna').decode('ascii')}"
        result = Address(display_name=header_text(display_name), addr_spec=plain)
    except (ValueError, UnicodeError, HeaderParseError) as err:
        raise ValueError(f"not a single e-mail address: {addr_spec!r}: {err}") from err
    if result.addr_spec != plain:
        raise ValueError(f"not a single e-mail address: {addr_spec!r}")
    return result


def _token(name: str, value: str) -> str:
    """An id that goes into one of our own headers: a short run of safe characters."""
    if not _HEADER_TOKEN.match(value):
        raise ValueError(f"{name} must be letters, digits and ._:@+- only: {value!r}")
    return value


def _domain(me: Identity, domain_hint: str | None) -> str:
    domain = (domain_hint or me.email.rpartition("@")[2]).strip().lower()
    return _token("domain", domain) if domain else "afterword.invalid"


def _aware(name: str, when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {when!r}")
    return when


def _new_message(me: Identity, date: datetime, domain: str) -> EmailMessage:
    msg = EmailMessage(policy=POLICY)
    msg["From"] = address(me.name, me.email)
    msg["Date"] = format_datetime(_aware("date", date))
    msg["Message-ID"] = make_msgid(idstring="afterword", domain=domain)
    return msg


# --- the draft ----------------------------------------------------------------------------


def draft_message(
    *,
    note_id: str,
    me: Identity,
    to_name: str,
    to_email: str | None,
    composed: ComposedNote,
    date: datetime,
    domain_hint: str | None = None,
) -> EmailMessage:
    """The thank-you draft: from me, to the interviewer when their address is known.

    With no address the draft has no To: at all, so it can only go out once the user fills
    one in. `domain_hint` overrides my address's domain in the Message-ID.
    """
    msg = _new_message(me, date, _domain(me, domain_hint))
    if to_email:
        msg["To"] = address(to_name, to_email)
    msg["Subject"] = header_text(composed.subject) or "Thank you"
    msg[NOTE_HEADER] = _token("note_id", note_id)
    msg.set_content(composed.body, charset="utf-8", cte=BODY_CTE)
    return msg


# --- the warning --------------------------------------------------------------------------


def local_time(when: datetime, zone: ZoneInfo) -> str:
    """'Friday 27 November, 23:59 EST', in English whatever the locale."""
    t = _aware("time", when).astimezone(zone)
    return f"{_DAYS[t.weekday()]} {t.day} {_MONTHS[t.month - 1]}, {t:%H:%M} {t.tzname()}"


def time_left(due: datetime, now: datetime) -> str:
    """'4 hours', '35 minutes', '2 days': rounded to the nearest unit a reader cares for."""
    minutes = max(1, round((due - now) / timedelta(minutes=1)))
    if minutes < 60:
        return _plural(minutes, "minute")
    hours = round(minutes / 60)
    if hours < 48:
        return _plural(hours, "hour")
    return _plural(round(hours / 24), "day")


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _notes(n: int) -> str:
    return _plural(n, "thank-you note")


def warning_subject(
    interview: Interview, stage: Stage, count: int, due: datetime, now: datetime
) -> str:
    company = header_text(interview.company, 60) or header_text(interview.title, 60)
    what = f"{_notes(count)} for {company}" if company else _notes(count)
    if stage is Stage.OVERDUE or due <= now:
        verb = "is" if count == 1 else "are"
        return f"afterword: {what} {verb} overdue"
    prefix = "last call, " if stage is Stage.FINAL else ""
    return f"afterword: {prefix}{what} due in {time_left(due, now)}"


def _line(line: WarningLine) -> str:
    name = clean(line.name) or "(no name)"
    if line.email and not line.needs_address:
        who = f"{name} <{clean(line.email)}>"
    elif line.suggested_address:
        who = f"{name} (no address: suggested {clean(line.suggested_address)}, a guess)"
    else:
        who = f"{name} (no address)"
    return f"  - {who}: {clean(line.state) or 'unsent'}"


_LEADS = {
    Stage.NUDGE: "A reminder: these thank-you notes from your interview are not sent yet.",
    Stage.FINAL: "Last call: these thank-you notes are still unsent and due soon.",
    Stage.OVERDUE: "These thank-you notes were due and have not been sent. A late note is "
    "still better than none.",
}


def warning_body(
    interview: Interview,
    stage: Stage,
    lines: Sequence[WarningLine],
    due: datetime,
    now: datetime,
    zone: ZoneInfo,
) -> str:
    held = local_time(interview.start, zone)
    role = clean(interview.role)
    company = clean(interview.company)
    about = " — ".join(p for p in (clean(interview.title), company, role) if p)
    due_text = local_time(due, zone)
    when = f"{due_text} (in {time_left(due, now)})" if due > now else f"{due_text} (passed)"
    parts = [
        _LEADS[stage],
        "",
        f"Interview: {about or '(untitled)'}",
        f"Held:      {held}",
        f"Due:       {when}",
        "",
        "Unsent notes:",
        *(_line(line) for line in lines),
        "",
        "The drafts are in your Drafts folder: open each one, read it and send it yourself.",
        *(
            ["A draft without an address has no To: line; fill it in (check any guess) first."]
            if any(line.needs_address for line in lines)
            else []
        ),
        "",
        "afterword never sends anything: it only saves drafts and puts reminders in your inbox.",
    ]
    return "\n".join(parts) + "\n"


def warning_message(
    *,
    me: Identity,
    interview: Interview,
    stage: Stage,
    lines: Sequence[WarningLine],
    due: datetime,
    now: datetime,
    zone: ZoneInfo,
) -> EmailMessage:
    """The reminder put into my inbox for one interview at one warning stage."""
    _aware("due", due)
    msg = _new_message(me, now, _domain(me, None))
    msg["To"] = address(me.name, me.email)
    msg["Subject"] = warning_subject(interview, stage, len(lines), due, now)
    msg[WARNING_HEADER] = f"{_token('interview id', interview.id)}:{stage.value}"
    msg.set_content(
        warning_body(interview, stage, lines, due, now, zone), charset="utf-8", cte=BODY_CTE
    )
    return msg
