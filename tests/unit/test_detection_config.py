"""`[detection]`: validated like every section, and reaching classify_event through
detection_settings(config)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from afterword.plugin.cli import main
from afterword.plugin.config import Config, DetectionConfig, load_config
from afterword.plugin.detect import classify_event
from afterword.plugin.detect.settings import (
    DEFAULT_EXCLUDE_KEYWORDS,
    DEFAULT_INTERVIEW_KEYWORDS,
    DetectionSettings,
    detection_settings,
)
from afterword.plugin.errors import ConfigError, UserError
from afterword.plugin.model import Attendee, CalendarEvent, Interview

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = """
[me]
name = "Alex Rivera"
email = "alex.rivera@example.com"
timezone = "America/New_York"
[calendar]
source = "ics"
path = "calendar.ics"
[mailbox]
backend = "maildir"
path = "mail"
[state]
path = "state.sqlite3"
"""
START = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
ALEX = Attendee("alex.rivera@example.com", "Alex Rivera", "ACCEPTED", "REQ-PARTICIPANT")
MARCUS = Attendee("marcus.oneil@acme.com", "Marcus O'Neil", "ACCEPTED", "REQ-PARTICIPANT")
PRIYA = Attendee("priya.shah@acme.com", "Priya Shah", "ACCEPTED", "OPT-PARTICIPANT")


def write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL + extra, encoding="utf-8")
    return path


def config_with(tmp_path: Path, detection: str) -> Config:
    return load_config(write(tmp_path, "[detection]\n" + detection))


def event(summary: str, description: str = "",
          attendees: tuple[Attendee, ...] = (ALEX, MARCUS)) -> CalendarEvent:
    return CalendarEvent(uid="evt-1@acme.com", start=START, end=START + timedelta(hours=1),
                         summary=summary, description=description, attendees=attendees)


def classify(ev: CalendarEvent, config: Config) -> Interview | None:
    return classify_event(ev, detection_settings(config))


# --- reading the section -----------------------------------------------------------------


def test_without_a_detection_section_the_built_in_settings_apply(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.detection == DetectionConfig()
    assert detection_settings(config) == DetectionSettings(me=config.me)


def test_every_key_is_read(tmp_path: Path) -> None:
    config = config_with(tmp_path, """
include_optional = true
interview_keywords = ["Take-home   review", "take-home review", "Bewerbungsgespräch"]
not_interview_keywords = ["dry run"]
use_default_keywords = true
""")
    assert config.detection == DetectionConfig(
        include_optional=True,
        interview_keywords=("Take-home review", "Bewerbungsgespräch"),
        not_interview_keywords=("dry run",),
        use_default_keywords=True,
    )
    settings = detection_settings(config)
    assert settings.include_optional
    assert settings.interview_keywords == (*DEFAULT_INTERVIEW_KEYWORDS, "Take-home review",
                                           "Bewerbungsgespräch")
    assert settings.exclude_keywords == (*DEFAULT_EXCLUDE_KEYWORDS, "dry run")


def test_the_example_config_documents_the_section(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    shutil.copy(ROOT / "config.example.toml", path)
    config = load_config(path)
    assert config.detection.include_optional is False
    assert config.detection.interview_keywords
    assert config.detection.not_interview_keywords


@pytest.mark.parametrize(
    ("detection", "key", "words"),
    [
        ('include_optional = "yes"', "detection.include_optional", "true or false"),
        ("use_default_keywords = 0", "detection.use_default_keywords", "true or false"),
        ('interview_keywords = "take-home"', "detection.interview_keywords", "list of strings"),
        ("interview_keywords = [1, 2]", "detection.interview_keywords", "list of strings"),
        ('interview_keywords = ["ok", "  "]', "detection.interview_keywords", "item 1 is empty"),
        ('not_interview_keywords = [""]', "detection.not_interview_keywords", "item 0 is empty"),
        (f'not_interview_keywords = ["{"x" * 101}"]', "detection.not_interview_keywords",
         "longer than 100 characters"),
        ('interview_keywords = ["--"]', "detection.interview_keywords", "no letter or digit"),
        ('interview_keywords = ["a\\nb"]', "detection.interview_keywords", "one line"),
        ("include_optionals = true", "detection.include_optionals", "not a known key"),
        ("use_default_keywords = false", "detection.interview_keywords",
         "needed when use_default_keywords is false"),
        ("use_default_keywords = false\ninterview_keywords = []",
         "detection.interview_keywords", "needed when use_default_keywords is false"),
        ('interview_keywords = ["Mock"]\nnot_interview_keywords = ["mock"]',
         "detection.not_interview_keywords", "also in detection.interview_keywords"),
    ],
)
def test_a_bad_key_is_named_with_the_file_and_a_fix(
    tmp_path: Path, detection: str, key: str, words: str
) -> None:
    path = write(tmp_path, "[detection]\n" + detection + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert f"[{key}]" in message
    assert words in message
    assert "fix: " in message


def test_a_detection_that_is_not_a_table_is_named(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('detection = "strict"\n' + MINIMAL, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[detection\] must be a table; fix: write it"):
        load_config(path)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, '[detection]\ninclude_optional = 1\ninterview_keywords = [""]\n')
    with pytest.raises(UserError) as info:
        load_config(path)
    message = str(info.value)
    assert "2 problems" in message
    assert "[detection.include_optional]" in message
    assert "[detection.interview_keywords]" in message


@pytest.mark.parametrize("command", ["check", "status"])
def test_the_cli_exits_2_on_a_bad_detection_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = write(tmp_path, '[detection]\nnot_interview_keywords = ["prep", ""]\n')
    with pytest.raises(SystemExit) as info:
        main(["--config", str(path), command])
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    line = captured.err.strip()
    assert "\n" not in line and "Traceback" not in line
    assert str(path) in line and "detection.not_interview_keywords" in line and "fix" in line
    assert not (tmp_path / "state.sqlite3").exists()


# --- what the settings change ------------------------------------------------------------


def test_an_extra_keyword_makes_an_event_an_interview(tmp_path: Path) -> None:
    ev = event("Architecture jam with Marcus")
    assert classify(ev, load_config(write(tmp_path, ""))) is None
    config = config_with(tmp_path, 'interview_keywords = ["architecture jam"]\n')
    interview = classify(ev, config)
    assert interview is not None
    assert [p.email for p in interview.interviewers] == ["marcus.oneil@acme.com"]


def test_an_extra_keyword_counts_in_the_description_too(tmp_path: Path) -> None:
    ev = event("Alex / Marcus", description="We will hold your architecture jam then.")
    assert classify(ev, load_config(write(tmp_path, ""))) is None
    config = config_with(tmp_path, 'interview_keywords = ["architecture jam"]\n')
    assert classify(ev, config) is not None


def test_an_extra_not_interview_keyword_makes_a_look_alike(tmp_path: Path) -> None:
    ev = event("Acme onsite interview – dry run")
    assert classify(ev, load_config(write(tmp_path, ""))) is not None
    config = config_with(tmp_path, 'not_interview_keywords = ["dry run"]\n')
    assert classify(ev, config) is None


def test_my_interview_keyword_overrules_the_same_built_in_look_alike(tmp_path: Path) -> None:
    ev = event("Debrief with the hiring manager")
    assert classify(ev, load_config(write(tmp_path, ""))) is None  # "debrief" is built in
    config = config_with(tmp_path, 'interview_keywords = ["debrief"]\n')
    assert classify(ev, config) is not None


def test_my_look_alike_overrules_the_same_built_in_interview_keyword(tmp_path: Path) -> None:
    ev = event("Coffee chat with Marcus")
    assert classify(ev, load_config(write(tmp_path, ""))) is not None
    config = config_with(tmp_path, 'not_interview_keywords = ["Coffee  Chat"]\n')
    assert "coffee chat" not in detection_settings(config).interview_keywords
    assert classify(ev, config) is None


def test_without_the_defaults_only_my_words_count(tmp_path: Path) -> None:
    config = config_with(tmp_path, 'use_default_keywords = false\n'
                                   'interview_keywords = ["Vorstellungsgespräch"]\n')
    assert classify(event("Acme onsite interview"), config) is None
    assert classify(event("Vorstellungsgespräch bei Acme"), config) is not None
    # The built-in look-alikes are gone too: only my (empty) list of them counts.
    assert classify(event("[Hold] Vorstellungsgespräch bei Acme"), config) is not None
    assert detection_settings(config).exclude_keywords == ()


def test_optional_attendees_count_only_when_the_config_says_so(tmp_path: Path) -> None:
    ev = event("Acme onsite interview", attendees=(ALEX, MARCUS, PRIYA))
    without = classify(ev, load_config(write(tmp_path, "")))
    assert without is not None
    assert [p.email for p in without.interviewers] == ["marcus.oneil@acme.com"]
    off = classify(ev, config_with(tmp_path, "include_optional = false\n"))
    assert off is not None and off.interviewers == without.interviewers
    on = classify(ev, config_with(tmp_path, "include_optional = true\n"))
    assert on is not None
    assert [p.email for p in on.interviewers] == ["marcus.oneil@acme.com",
                                                  "priya.shah@acme.com"]


def test_only_optional_attendees_make_no_interview_unless_included(tmp_path: Path) -> None:
    ev = event("Acme onsite interview", attendees=(ALEX, replace(MARCUS, role="OPT-PARTICIPANT")))
    assert classify(ev, load_config(write(tmp_path, ""))) is None
    assert classify(ev, config_with(tmp_path, "include_optional = true\n")) is not None
