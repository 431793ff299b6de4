"""iCalendar data → CalendarEvents: the one place icalendar components become events.

Every calendar that arrives as iCalendar text goes through `parse_calendar`: an .ics file or
feed (sources/ics.py), a CalDAV object (sources/caldav.py), an invitation attached to mail
(sources/mail.py). icalendar and recurring-ical-events are a few megabytes resident for good,
so the daemon runs this module in its helper process (plugin/worker.py) and never imports it
itself; see sources/parse.py.

Time conventions, chosen so the deadline rules downstream have what they need:
- An event with a TZID keeps its zone; `timezone` is its IANA name (Windows names such as
  "Eastern Standard Time" are mapped). Instants are never changed by that mapping.
- UTC times ('Z' or TZID=UTC) get `timezone=None`: a 'Z' time is how exporters serialise an
  instant, not a statement that the interview was held in UTC.
- Floating times and all-day dates are read in `default_zone` (the user's zone).
- `recurrence_id` is the occurrence's original start in UTC, ISO 8601, for occurrences of a
  recurring event ("" for single events); an all-day occurrence uses the plain ISO date, so
  the id does not depend on the user's zone.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
import warnings
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
from icalendar.error import GloballyUniqueTZIDGuessed
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from afterword.plugin.errors import CalendarDataError, one_line
from afterword.plugin.model import Attendee, CalendarEvent, distinct_attendees, stable_id

log = logging.getLogger("afterword.sources.ics")

MAX_DESCRIPTION = 100_000  # characters kept of a DESCRIPTION; the rest is dropped
MAX_TEXT = 2_000  # characters kept of SUMMARY and LOCATION
_PAD = timedelta(days=2)  # the library's window is padded, then events are cut exactly here
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "GMT",
                        "Etc/GMT", "Z"})
# Properties whose damage makes an event's times unknowable: the event is skipped.
_TIME_PROPS = frozenset({"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE",
                         "EXRULE", "RECURRENCE-ID"})
_STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})
_FOLD = re.compile(rb"\r?\n[ \t]")
# An exporter that escapes text twice leaves "\n" and "\," in the unescaped value: a
# description read as one line with backslashes, its schedule lost. Read once more.
_TWICE_MARK = re.compile(r"\\[nN,;]")
_ESCAPED_TWICE = re.compile(r"\\([nN,;\\])")


# --------------------------------------------------------------------------- parsing


def parse_calendar(
    data: bytes, start: datetime, end: datetime, default_zone: ZoneInfo, source: str
) -> list[CalendarEvent]:
    """Every occurrence in `data` overlapping [start, end), sorted by start instant.

    Raises CalendarDataError when `data` is not an iCalendar calendar at all; a single bad
    event is skipped with a warning naming its UID.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("parse_calendar needs timezone-aware start and end")
    events: list[CalendarEvent] = []
    for calendar in load_calendars(data, source):
        events.extend(_calendar_events(calendar, start, end, default_zone, source))
    events.sort(key=lambda e: (e.start.astimezone(UTC), e.uid, e.recurrence_id))
    return events


def load_calendars(data: bytes, source: str) -> list[icalendar.Calendar]:
    """The VCALENDARs in `data` (feeds sometimes concatenate several)."""
    text = _decode(data)
    try:
        with warnings.catch_warnings():
            # "/vendor/Europe/Paris" read as Europe/Paris is the guess we want, not stderr noise
            warnings.simplefilter("ignore", GloballyUniqueTZIDGuessed)
            components = icalendar.Calendar.from_ical(text, multiple=True)
    except ValueError as exc:
        raise CalendarDataError(f"{source}: not an iCalendar calendar ({one_line(exc)})") from exc
    calendars = [c for c in components if isinstance(c, icalendar.Calendar)]
    if not calendars:
        found = ", ".join(sorted({c.name for c in components})) or "nothing"
        raise CalendarDataError(
            f"{source}: not an iCalendar calendar (no VCALENDAR, found {found})")
    return calendars


def count_events(data: bytes, source: str) -> int:
    """How many VEVENTs `data` holds (series count once), for `afterword check`."""
    uids: set[str] = set()
    for calendar in load_calendars(data, source):
        uids.update(_uid(c) for c in calendar.subcomponents if c.name == "VEVENT")
    return len(uids)


def _decode(data: bytes) -> str:
    """Unfold at the octet level first: careless exporters fold inside a multi-octet UTF-8
    character, which decoding line by line would turn into replacement characters."""
    unfolded = _FOLD.sub(b"", data)
    try:
        return unfolded.decode("utf-8-sig")
    except UnicodeDecodeError:
        return unfolded.decode("cp1252", errors="replace")


def _calendar_events(
    calendar: icalendar.Calendar,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    source: str,
) -> list[CalendarEvent]:
    cancelled = str(calendar.get("METHOD", "")).upper() == "CANCEL"
    series = _sound_series(calendar, source)
    recurring = {uid for uid, parts in series.items() if any(map(_is_recurring, parts))}
    events: list[CalendarEvent] = []
    warned: set[str] = set()
    for component in _occurrences(calendar, series, start, end, source):
        uid = _uid(component)
        try:
            event = _to_event(component, zone, source, uid in recurring, cancelled)
        except Exception as exc:  # one bad occurrence never hides the others
            if uid not in warned:
                warned.add(uid)
                _skip(source, uid, exc)
            continue
        if event.overlaps(start, end):
            events.append(event)
    return events


def _sound_series(calendar: icalendar.Calendar, source: str) -> dict[str, list[Any]]:
    """VEVENTs grouped by UID, without the groups whose times cannot be read.

    A whole series goes when one part is broken: dropping only a broken override would
    bring back the occurrence it moved.
    """
    series: dict[str, list[Any]] = {}
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            uid = _uid(component)
            component["UID"] = uid  # occurrences of a UID-less series then share the stand-in
            series.setdefault(uid, []).append(component)
    for uid, parts in list(series.items()):
        problem = next(filter(None, map(_time_problem, parts)), None)
        if problem:
            _skip(source, uid, problem)
            del series[uid]
    return series


def _time_problem(component: Any) -> str | None:
    for prop, message in getattr(component, "errors", []):
        if prop in _TIME_PROPS:
            return f"bad {prop}: {message}"
    dtstart = component.get("DTSTART")
    if dtstart is None:
        return "no DTSTART"
    if isinstance(dtstart, list) or not isinstance(getattr(dtstart, "dt", None), date):
        return "DTSTART is not a date or date-time"
    return _rule_problem(component.get("RRULE"))


def _rule_problem(rules: Any) -> str | None:
    """Rules that parse but would make the expansion loop forever (INTERVAL=0) or return
    millions of occurrences (no calendar app repeats a meeting every second or minute)."""
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        freq = str((rule.get("FREQ") or [""])[0]).upper()
        if freq in ("SECONDLY", "MINUTELY"):
            return f"RRULE FREQ={freq} is not supported"
        intervals = rule.get("INTERVAL") or [1]
        if not all(isinstance(i, int) and i > 0 for i in intervals):
            return f"bad RRULE: INTERVAL must be a positive number, got {intervals[0]!r}"
    return None


def _is_recurring(component: Any) -> bool:
    return any(key in component for key in ("RRULE", "RDATE", "RECURRENCE-ID"))


def _occurrences(
    calendar: icalendar.Calendar,
    series: dict[str, list[Any]],
    start: datetime,
    end: datetime,
    source: str,
) -> Iterator[Any]:
    """Expanded occurrences; when the library fails on the whole calendar, series by series
    so that one bad series never hides the others."""
    lo, hi = start - _PAD, end + _PAD
    whole = _subset(calendar, [c for parts in series.values() for c in parts])
    try:
        found = list(_query(whole).between(lo, hi))
    except Exception:  # the library's errors vary by version; narrowed below, per series
        log.debug("%s: expanding the whole calendar failed; retrying event by event", source)
    else:
        yield from found
        return
    for uid, parts in series.items():
        try:
            found = list(_query(_subset(calendar, parts)).between(lo, hi))
        except Exception as exc:
            _skip(source, uid, exc)
            continue
        yield from found


def _query(calendar: icalendar.Calendar) -> Any:
    """The library's query without its X-WR-TIMEZONE rewrite (`of()` applies it), so UTC
    and floating times mean what RFC 5545 says and floating ones land in the user's zone."""
    return recurring_ical_events.CalendarQuery(calendar)


def _subset(calendar: icalendar.Calendar, events: Iterable[Any]) -> icalendar.Calendar:
    """A calendar with `calendar`'s properties and time zones and only `events`."""
    subset = icalendar.Calendar()
    for key, value in calendar.items():
        subset[key] = value
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE":
            subset.add_component(component)
    for component in events:
        subset.add_component(component)
    return subset


def _skip(source: str, uid: str, reason: object) -> None:
    log.warning("%s: skipping event %s: %s", source, uid, one_line(reason))


# --------------------------------------------------------------------------- conversion


def _to_event(
    component: Any, zone: ZoneInfo, source: str, recurring: bool, cancelled: bool
) -> CalendarEvent:
    dtstart = component["DTSTART"]
    raw_start = dtstart.dt
    all_day = not isinstance(raw_start, datetime)
    own_zone = None if all_day else _zone_name(raw_start, dtstart.params.get("TZID"))
    start = _instant(raw_start, zone, own_zone)
    end = _end(component, start, zone, own_zone, all_day)
    if end.astimezone(UTC) < start.astimezone(UTC):  # same-zone < compares wall clocks
        raise ValueError(f"ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    return CalendarEvent(
        uid=_uid(component),
        start=start,
        end=end,
        summary=_text(component, "SUMMARY", MAX_TEXT),
        description=_text(component, "DESCRIPTION", MAX_DESCRIPTION),
        location=_text(component, "LOCATION", MAX_TEXT),
        recurrence_id=_recurrence_id(component, zone) if recurring else "",
        all_day=all_day,
        timezone=own_zone,
        status="CANCELLED" if cancelled else _status(component),
        organizer=_organizer(component),
        attendees=_attendees(component),
        source=source,
    )


def _instant(value: date, zone: ZoneInfo, own_zone: str | None) -> datetime:
    """An aware datetime: dates at midnight and floating times in `zone`, named zones as
    their IANA ZoneInfo (same instant), everything else as given."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), zone)
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    if own_zone is not None and not _is_zone(value.tzinfo, own_zone):
        return value.astimezone(ZoneInfo(own_zone))
    return value


def _end(
    component: Any, start: datetime, zone: ZoneInfo, own_zone: str | None, all_day: bool
) -> datetime:
    dtend = component.get("DTEND")
    if dtend is not None:
        value = dtend.dt
        if all_day and isinstance(value, datetime):
            value = value.date()  # a date start makes the whole event a date event
        return _instant(value, zone, own_zone)
    duration = component.get("DURATION")
    if duration is not None and isinstance(duration.dt, timedelta):
        if all_day:
            return datetime.combine(start.date() + duration.dt, time(0), zone)
        return (start.astimezone(UTC) + duration.dt).astimezone(start.tzinfo)
    if all_day:
        return datetime.combine(start.date() + timedelta(days=1), time(0), zone)
    return start


def _is_zone(tz: tzinfo, name: str) -> bool:
    return isinstance(tz, ZoneInfo) and tz.key == name


def _zone_name(value: datetime, tzid: object) -> str | None:
    """The IANA name of an event's own zone; None for UTC, floating or unknown zones."""
    key = getattr(value.tzinfo, "key", None)
    candidates: list[str] = []
    if isinstance(value.tzinfo, ZoneInfo) and isinstance(key, str):
        candidates.append(key)
    if isinstance(tzid, str):
        cleaned = tzid.strip().strip("/")
        candidates += [cleaned, WINDOWS_TO_OLSON.get(cleaned, "")]
    for name in candidates:
        if name in _UTC_NAMES:
            return None
        if name and _iana(name):
            return name
    return None


@lru_cache(maxsize=256)
def _iana(name: str) -> bool:
    if "/" not in name:  # "EST", "CET" and the like are legacy abbreviations, not places
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _recurrence_id(component: Any, zone: ZoneInfo) -> str:
    prop = component.get("RECURRENCE-ID") or component["DTSTART"]
    value: date = prop.dt
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC).isoformat()


def _uid(component: Any) -> str:
    """The UID, or a stable stand-in for the rare event without one."""
    uid = component.get("UID")
    if uid:
        return str(uid).strip()
    raw = component.get("DTSTART")
    anchor = raw.to_ical().decode() if raw is not None and hasattr(raw, "to_ical") else ""
    return "no-uid-" + stable_id(str(component.get("SUMMARY", "")), anchor)


def _text(component: Any, name: str, limit: int) -> str:
    value = component.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n")
    if _TWICE_MARK.search(text):
        text = _ESCAPED_TWICE.sub(_unescaped, text)
    return text[:limit]


def _unescaped(match: re.Match[str]) -> str:
    return "\n" if match.group(1) in "nN" else match.group(1)


def _status(component: Any) -> str:
    status = str(component.get("STATUS", "")).strip().upper()
    status = "CANCELLED" if status == "CANCELED" else status
    return status if status in _STATUSES else "CONFIRMED"


def _organizer(component: Any) -> Attendee | None:
    value = component.get("ORGANIZER")
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else _attendee(value)


def _attendees(component: Any) -> tuple[Attendee, ...]:
    values = component.get("ATTENDEE")
    if values is None:
        return ()
    if not isinstance(values, list):
        values = [values]
    return distinct_attendees(_attendee(value) for value in values)


def _attendee(value: Any) -> Attendee:
    params = getattr(value, "params", {})
    email = _address(str(value))
    if not email:  # Apple writes urn:uuid:… with the address in EMAIL (RFC 7986)
        email = _address(_param(params, "EMAIL"))
    name = " ".join(_param(params, "CN").split())  # icalendar already RFC 6868-decoded it
    if name.lower() == email:  # Google puts the address in CN when it knows no name
        name = ""
    return Attendee(
        email=email,
        name=name,
        partstat=_param(params, "PARTSTAT").upper(),
        role=_param(params, "ROLE").upper(),
        cutype=_param(params, "CUTYPE").upper(),
    )


def _address(value: str) -> str:
    address = value.strip()
    if address.lower().startswith("mailto:"):
        address = address[len("mailto:"):]
    address = urllib.parse.unquote(address).strip().lower()
    return address if "@" in address and " " not in address else ""


def _param(params: Any, key: str) -> str:
    value = params.get(key)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
