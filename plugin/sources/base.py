"""The one interface every calendar source implements."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from afterword.plugin.model import CalendarEvent


class CalendarSource(Protocol):
    kind: str  # the config value: "ics", "caldav", "google"

    def events(self, start: datetime, end: datetime) -> list[CalendarEvent]:
        """Every event occurrence overlapping [start, end), recurrences expanded.

        A malformed event is skipped with a logged warning; it never hides the others.
        Raises ServiceError when the calendar cannot be reached at all.
        """
        ...

    def describe(self) -> list[str]:
        """Lines for `afterword check`: what was reached and which calendars are used.

        Reaches the service but writes nothing.
        """
        ...

    def close(self) -> None:
        """Release connections; the source may be used again afterwards."""
        ...
