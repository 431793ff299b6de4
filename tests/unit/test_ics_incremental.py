"""The ICS source in a long-running daemon: an unchanged file or feed is not parsed again,
even as the window moves forward with the clock; any change is."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from afterword.plugin.sources import ical
from afterword.plugin.sources.ics import IcsSource
from tests.fixtures import ics_fixture
from tests.unit.test_ics_source import DEC_START, NOV_START, NY, _Server, server  # noqa: F401


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every call of the parser, by its window."""
    calls: list[tuple[Any, ...]] = []
    real: Callable[..., Any] = ical.parse_calendar

    def counting(*args: Any) -> Any:
        calls.append(args[1:3])
        return real(*args)

    monkeypatch.setattr(ical, "parse_calendar", counting)
    return calls


def test_an_unchanged_file_is_parsed_once(tmp_path: Path, parses: list[Any]) -> None:
    path = tmp_path / "calendar.ics"
    shutil.copy(ics_fixture("panel_onsite.ics"), path)
    source = IcsSource(path=path, default_zone=NY)

    first = source.events(NOV_START, DEC_START)
    later = source.events(NOV_START + timedelta(hours=6), DEC_START + timedelta(hours=6))

    assert first == later and len(first) == 1
    assert len(parses) == 1


def test_a_changed_file_is_parsed_again(tmp_path: Path, parses: list[Any]) -> None:
    path = tmp_path / "calendar.ics"
    shutil.copy(ics_fixture("panel_onsite.ics"), path)
    source = IcsSource(path=path, default_zone=NY)
    [before] = source.events(NOV_START, DEC_START)
    stat = path.stat()

    shutil.copy(ics_fixture("declined.ics"), path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the same mtime

    [after] = source.events(NOV_START, DEC_START)
    assert before.summary != after.summary and after.summary.startswith("Interview: Initech")
    assert len(parses) == 2


def test_a_window_beyond_the_last_parse_is_parsed_again(tmp_path: Path,
                                                       parses: list[Any]) -> None:
    source = IcsSource(path=ics_fixture("panel_onsite.ics"), default_zone=NY)
    source.events(NOV_START, DEC_START)
    source.events(NOV_START + timedelta(days=2), DEC_START + timedelta(days=2))
    assert len(parses) == 2


def test_a_feed_answered_304_is_not_parsed_again(server: _Server,  # noqa: F811
                                                 parses: list[Any]) -> None:
    source = IcsSource(url=server.url(), default_zone=NY, timeout=5)
    first = source.events(NOV_START, DEC_START)
    assert source.events(NOV_START, DEC_START) == first
    assert len(server.requests) == 2 and len(parses) == 1

    server.body, server.etag = ics_fixture("declined.ics").read_bytes(), '"v2"'
    [changed] = source.events(NOV_START, DEC_START)
    assert changed.summary.startswith("Interview: Initech")
    assert len(parses) == 2
