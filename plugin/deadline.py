"""When a note is due and which warning stage has been reached: pure functions of time.

The advice afterword follows: the interviewer should have the note by the end of *their*
following day. So the due time is the end of the day after the interview, in my zone or in
the event's own zone when that day ends earlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from afterword.plugin.model import Stage, zone_named

END_OF_DAY = time(23, 59, 59)


def due_at(end: datetime, my_zone: ZoneInfo, event_zone: str | None = None) -> datetime:
    """23:59:59 of the calendar day after `end`, in whichever zone reaches it first."""
    candidates = []
    for zone in (my_zone, zone_named(event_zone)):
        if zone is None:
            continue
        next_day = end.astimezone(zone).date() + timedelta(days=1)
        candidates.append(datetime.combine(next_day, END_OF_DAY, tzinfo=zone))
    return min(candidates)


@dataclass(frozen=True)
class Schedule:
    """The instants at which each warning stage falls for one interview."""

    due: datetime
    nudge: datetime
    final: datetime

    def at(self, stage: Stage) -> datetime:
        return {Stage.NUDGE: self.nudge, Stage.FINAL: self.final, Stage.OVERDUE: self.due}[stage]

    def reached(self, now: datetime) -> Stage | None:
        """The latest stage whose time has come; several passed at once count as the last."""
        passed = [s for s in Stage if self.at(s) <= now]
        return max(passed, key=lambda s: s.rank) if passed else None

    def next_after(self, now: datetime) -> datetime | None:
        """The next stage instant after `now`, so the daemon knows when to wake."""
        later = [self.at(s) for s in Stage if self.at(s) > now]
        return min(later) if later else None


def schedule_for(
    end: datetime,
    my_zone: ZoneInfo,
    event_zone: str | None,
    nudge_at: time,
    final_warning_hours: float,
) -> Schedule:
    due = due_at(end, my_zone, event_zone)
    next_day = end.astimezone(my_zone).date() + timedelta(days=1)
    nudge = datetime.combine(next_day, nudge_at, tzinfo=my_zone)
    # Real elapsed hours: subtracting within a zone would count wall-clock hours across DST.
    final = (due.astimezone(UTC) - timedelta(hours=final_warning_hours)).astimezone(my_zone)
    return Schedule(due=due, nudge=nudge, final=final)
