"""`[recommendations]` and `[[references]]` in the config: defaults, checks, unique names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from afterword.plugin.config import RecommendationsConfig, parse_config
from afterword.plugin.errors import UserError

BASE: dict[str, Any] = {
    "me": {"name": "Alex Rivera", "email": "alex@example.com"},
    "calendar": {"source": "ics", "path": "c.ics"},
    "mailbox": {"backend": "maildir", "path": "mail"},
}


def parse(**extra: Any) -> Any:
    return parse_config({**BASE, **extra}, Path("/cfg/config.toml"))


def test_defaults() -> None:
    assert parse().recommendations == RecommendationsConfig(30, 2)


def test_values() -> None:
    config = parse(recommendations={"cooldown_days": 14, "max_requests_per_quarter": 3})
    assert config.recommendations == RecommendationsConfig(14, 3)


@pytest.mark.parametrize("table, key", [
    ({"cooldown_days": -1}, "recommendations.cooldown_days"),
    ({"cooldown_days": "30"}, "recommendations.cooldown_days"),
    ({"cooldown_days": True}, "recommendations.cooldown_days"),
    ({"max_requests_per_quarter": 0}, "recommendations.max_requests_per_quarter"),
    ({"max_requests_per_quarter": 2.5}, "recommendations.max_requests_per_quarter"),
    ({"cooldown": 30}, "recommendations.cooldown"),
])
def test_bad_values_name_the_key(table: dict[str, Any], key: str) -> None:
    with pytest.raises(UserError, match=rf"\[{key}\]"):
        parse(recommendations=table)


def test_reference_names_are_unique() -> None:
    refs = [{"name": "Dana Whitfield", "email": "d@example.org"},
            {"name": "Sam Okafor", "email": "s@example.org"},
            {"name": " dana  whitfield", "email": "other@example.org"}]
    with pytest.raises(UserError, match=r"\[references\[2\]\.name\].*references\[0\]"):
        parse(references=refs)
    assert len(parse(references=refs[:2]).references) == 2
