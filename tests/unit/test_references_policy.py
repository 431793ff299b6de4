"""The policy that keeps references from being burned: a cooldown after each ask and a
limit per rolling 91 days, across every company."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from afterword.plugin.references.policy import QUARTER, Ask, may_ask

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=NY)


def asks(*days_ago: float, company: str = "Acme") -> list[Ask]:
    return [Ask(company, NOW - timedelta(days=d)) for d in days_ago]


def test_never_asked_may_be_asked() -> None:
    assert may_ask("Dana", [], NOW, 30, 2).allowed


@pytest.mark.parametrize(("days_ago", "allowed"), [(0.01, False), (29.9, False), (30, True),
                                                    (45, True)])
def test_the_cooldown(days_ago: float, allowed: bool) -> None:
    verdict = may_ask("Dana", asks(days_ago), NOW, 30, 5)
    assert verdict.allowed is allowed
    if not allowed:
        assert verdict.next_possible == NOW - timedelta(days=days_ago) + timedelta(days=30)
        assert "Dana was asked" in verdict.reason and "for Acme" in verdict.reason
        assert "cooldown is 30 days" in verdict.reason


def test_the_cooldown_counts_asks_for_any_company() -> None:
    verdict = may_ask("Dana", asks(3, company="Globex"), NOW, 30, 5)
    assert not verdict.allowed and "for Globex" in verdict.reason


def test_the_reason_says_how_long_ago() -> None:
    assert "less than an hour ago" in may_ask("D", asks(0.01), NOW, 30, 5).reason
    assert "5 hours ago" in may_ask("D", asks(5 / 24), NOW, 30, 5).reason
    assert "3 days ago" in may_ask("D", asks(3), NOW, 30, 5).reason


def test_the_per_quarter_limit_is_a_rolling_91_days() -> None:
    verdict = may_ask("Dana", asks(80, 40), NOW, 30, 2)
    assert not verdict.allowed
    assert "asked 2 times in the last 91 days" in verdict.reason
    assert "max_requests_per_quarter" in verdict.reason
    assert verdict.next_possible == NOW - timedelta(days=80) + QUARTER
    assert may_ask("Dana", asks(91, 40), NOW, 30, 2).allowed  # the oldest fell out
    assert may_ask("Dana", asks(80, 40), NOW, 30, 3).allowed


def test_over_the_limit_after_forcing_waits_for_enough_asks_to_fall_out() -> None:
    verdict = may_ask("Dana", asks(80, 60, 40), NOW, 30, 2)
    assert verdict.next_possible == NOW - timedelta(days=60) + QUARTER


def test_a_cooldown_of_zero_leaves_only_the_limit() -> None:
    assert may_ask("Dana", asks(0.5), NOW, 0, 2).allowed
    assert not may_ask("Dana", asks(0.5, 0.2), NOW, 0, 2).allowed


def test_asks_after_now_are_ignored() -> None:
    """`--now` in the past must not be refused by what happened later."""
    later = [Ask("Acme", NOW + timedelta(days=1))]
    assert may_ask("Dana", later, NOW, 30, 1).allowed
