"""Whether a reference may be asked now: pure, with the reason when not.

A reference is personal and rare: asked too often, it is burned. Two rules, both over every
company: no second ask within `cooldown_days` of the last one, and no more than
`max_requests_per_quarter` asks in any rolling 91 days (a quarter, read as a sliding window
rather than calendar quarters, so nothing resets on 1 January).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

QUARTER = timedelta(days=91)


@dataclass(frozen=True)
class Ask:
    """One earlier request to a reference."""

    company: str
    asked_at: datetime


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""  # why not, in words the user can act on; "" when allowed
    next_possible: datetime | None = None  # when the refusing rule lets go


def _day(moment: datetime) -> str:
    return f"{moment:%a %d %b %Y}"


def _ago(delta: timedelta) -> str:
    hours = int(delta / timedelta(hours=1))
    if hours < 1:
        return "less than an hour ago"
    if hours < 48:
        return "1 hour ago" if hours == 1 else f"{hours} hours ago"
    return f"{delta.days} days ago"


def may_ask(name: str, history: Sequence[Ask], now: datetime, cooldown_days: int,
            max_per_quarter: int) -> Verdict:
    """May `name` be asked at `now`, given every earlier ask of them (any company)?

    Times in the reasons are shown in `now`'s zone."""
    past = sorted((a for a in history if a.asked_at <= now), key=lambda a: a.asked_at)
    cooldown = timedelta(days=cooldown_days)
    if past and now - past[-1].asked_at < cooldown:
        last = past[-1]
        until = last.asked_at + cooldown
        return Verdict(False, (
            f"{name} was asked {_ago(now - last.asked_at)} (for {last.company}, on "
            f"{_day(last.asked_at.astimezone(now.tzinfo))}); the cooldown is {cooldown_days} "
            f"days ([recommendations] cooldown_days), so not before "
            f"{_day(until.astimezone(now.tzinfo))}"), until)
    window = [a for a in past if now - a.asked_at < QUARTER]
    if len(window) >= max_per_quarter:
        frees = window[len(window) - max_per_quarter].asked_at + QUARTER
        companies = ", ".join(sorted({a.company for a in window}))
        return Verdict(False, (
            f"{name} was asked {len(window)} times in the last 91 days ({companies}); the "
            f"limit is {max_per_quarter} ([recommendations] max_requests_per_quarter), so "
            f"not before {_day(frees.astimezone(now.tzinfo))}"), frees)
    return Verdict(True)
