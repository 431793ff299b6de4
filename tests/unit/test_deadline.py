"""Due times and warning stages, including the night DST ends and an event in London."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from afterword.plugin.deadline import due_at, schedule_for
from afterword.plugin.model import Stage

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def test_due_is_end_of_the_next_day_in_my_zone() -> None:
    end = datetime(2026, 11, 24, 15, 0, tzinfo=NY)
    assert due_at(end, NY) == datetime(2026, 11, 25, 23, 59, 59, tzinfo=NY)


def test_late_evening_interview_counts_its_own_local_day() -> None:
    # 23:30 in New York is already the next day in UTC; the local day is what matters.
    end = datetime(2026, 11, 24, 23, 30, tzinfo=NY)
    assert due_at(end, NY) == datetime(2026, 11, 25, 23, 59, 59, tzinfo=NY)


def test_event_zone_that_ends_its_day_earlier_wins() -> None:
    end = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
    due = due_at(end, NY, "Europe/London")
    assert due == datetime(2026, 11, 25, 23, 59, 59, tzinfo=LONDON)
    assert due < due_at(end, NY)


def test_event_zone_that_ends_later_does_not_delay_the_due_time() -> None:
    end = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert due_at(end, NY, "America/Los_Angeles") == datetime(2026, 11, 25, 23, 59, 59,
                                                               tzinfo=NY)


def test_unknown_event_zone_is_ignored() -> None:
    end = datetime(2026, 11, 24, 10, 0, tzinfo=NY)
    assert due_at(end, NY, "Not/AZone") == due_at(end, NY)


def test_interview_ending_in_the_repeated_hour_when_dst_ends() -> None:
    # 2026-11-01 01:30 happens twice in New York; fold=1 is the second, in EST.
    end = datetime(2026, 10, 31, 23, 0, tzinfo=NY)
    assert due_at(end, NY) == datetime(2026, 11, 1, 23, 59, 59, tzinfo=NY)
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NY)
    due = due_at(second, NY)
    assert due == datetime(2026, 11, 2, 23, 59, 59, tzinfo=NY)
    assert due.utcoffset() is not None and due.utcoffset().total_seconds() == -5 * 3600


def test_stages_fall_in_order_and_the_latest_passed_wins() -> None:
    end = datetime(2026, 11, 24, 15, 0, tzinfo=NY)
    s = schedule_for(end, NY, None, time(9, 0), 4)
    assert s.nudge == datetime(2026, 11, 25, 9, 0, tzinfo=NY)
    assert s.final == datetime(2026, 11, 25, 19, 59, 59, tzinfo=NY)
    assert s.reached(datetime(2026, 11, 25, 8, 59, tzinfo=NY)) is None
    assert s.reached(datetime(2026, 11, 25, 9, 0, tzinfo=NY)) is Stage.NUDGE
    assert s.reached(datetime(2026, 11, 25, 20, 0, tzinfo=NY)) is Stage.FINAL
    assert s.reached(datetime(2026, 11, 27, 0, 0, tzinfo=NY)) is Stage.OVERDUE
    assert s.next_after(datetime(2026, 11, 25, 10, 0, tzinfo=NY)) == s.final
    assert s.next_after(datetime(2026, 11, 26, 0, 0, tzinfo=NY)) is None


@pytest.mark.parametrize("hours", [0, 4, 30])
def test_final_warning_hours(hours: int) -> None:
    end = datetime(2026, 11, 24, 15, 0, tzinfo=NY)
    s = schedule_for(end, NY, None, time(9, 0), hours)
    assert (s.due - s.final).total_seconds() == hours * 3600


def test_final_warning_counts_real_hours_across_the_dst_change() -> None:
    # Due 23:59:59 EST on 1 November; 30 real hours earlier is 18:59:59 EDT on 31 October,
    # not the wall-clock 17:59:59, because the night in between has 25 hours.
    end = datetime(2026, 10, 31, 12, 0, tzinfo=NY)
    s = schedule_for(end, NY, None, time(9, 0), 30)
    assert s.final == datetime(2026, 10, 31, 18, 59, 59, tzinfo=NY)
    assert (s.due.timestamp() - s.final.timestamp()) == 30 * 3600
