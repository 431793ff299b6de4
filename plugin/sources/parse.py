"""Who turns iCalendar data into events: this process, or the daemon's helper process.

Sources that receive iCalendar text (an .ics file or feed, invitations attached to mail)
take a CalendarParser rather than importing sources/ical.py, so the long-running daemon can
hand the parsing to its short-lived helper (plugin/worker.py, WorkerParser) and never hold
icalendar's modules. Everything else parses here, with the same results.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from afterword.plugin.model import CalendarEvent


class CalendarParser(Protocol):
    def __call__(self, data: bytes, start: datetime, end: datetime, default_zone: ZoneInfo,
                 source: str) -> list[CalendarEvent]:
        """Every occurrence in `data` overlapping [start, end), as ical.parse_calendar.

        Raises CalendarDataError for data that is no calendar; any other ServiceError means
        the parser itself failed, and trying again later may help."""
        ...

    def close(self) -> None:
        """Release what parsing holds between cycles (a helper process, say)."""
        ...


class LocalParser:
    """Parses in this process; icalendar loads on the first calendar."""

    def __call__(self, data: bytes, start: datetime, end: datetime, default_zone: ZoneInfo,
                 source: str) -> list[CalendarEvent]:
        from afterword.plugin.sources.ical import parse_calendar

        return parse_calendar(data, start, end, default_zone, source)

    def close(self) -> None:
        """Nothing to release."""


PARSE_HERE = LocalParser()
