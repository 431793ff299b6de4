"""Config loading: every key checked, paths resolved, errors naming file, key and fix."""

from __future__ import annotations

import shutil
from datetime import time
from pathlib import Path

import pytest

from afterword.plugin.config import load_config
from afterword.plugin.errors import ConfigError, UserError

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
[me]
name = "Alex Rivera"
email = "Alex.Rivera@example.com"
timezone = "America/New_York"
[calendar]
source = "ics"
path = "cal/calendar.ics"
[mailbox]
backend = "maildir"
path = "~/Mail"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    shutil.copy(ROOT / "config.example.toml", path)
    config = load_config(path)
    assert config.me.email == "alex.rivera@example.com"
    assert config.applications[0].domains == ("acme.com",)
    assert config.references[0].notes
    assert config.deadline.nudge_at == time(9, 0)
    assert config.state_path == tmp_path / "afterword.sqlite3"


def test_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    assert config.calendar.path == tmp_path / "cal" / "calendar.ics"
    assert config.mailbox.path == Path.home() / "Mail"
    assert config.me.email == "alex.rivera@example.com"
    assert config.notes.signature == "Alex Rivera"
    assert config.deadline.final_warning_hours == 4


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        ('[deadline]\nnudge_at = "9 am"\n', "deadline.nudge_at", "time of day"),
        ("[deadline]\nfinal_warning_hours = \"four\"\n", "deadline.final_warning_hours",
         "number of hours"),
        ("[notes]\nsignatur = \"x\"\n", "notes.signatur", "not a known key"),
        ("[whatever]\nx = 1\n", "whatever", "not a known section"),
        ('[[applications]]\nrole = "x"\n', "applications[0].company", "missing"),
        ('[[references]]\nname = "D"\nemail = "not-an-address"\n', "references[0].email",
         "not an email address"),
    ],
)
def test_a_bad_key_is_named_with_the_file_and_a_fix(
    tmp_path: Path, extra: str, key: str, words: str
) -> None:
    path = write(tmp_path, MINIMAL + extra)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert f"[{key}]" in message
    assert words in message
    assert "fix:" in message


def test_bad_timezone_and_backend(tmp_path: Path) -> None:
    text = MINIMAL.replace('"America/New_York"', '"Mars/Olympus"').replace(
        'backend = "maildir"', 'backend = "pigeon"')
    with pytest.raises(UserError) as info:
        load_config(write(tmp_path, text))
    message = str(info.value)
    assert "2 problems" in message
    assert "[me.timezone]" in message and "[mailbox.backend]" in message


def test_backend_specific_keys_are_required(tmp_path: Path) -> None:
    text = MINIMAL.replace('path = "~/Mail"\n', "")
    with pytest.raises(ConfigError, match=r"\[mailbox.path\] is needed"):
        load_config(write(tmp_path, text))
    text = MINIMAL.replace('path = "cal/calendar.ics"', 'path = "a.ics"\nurl = "https://x/y.ics"')
    with pytest.raises(ConfigError, match="exactly one of path and url"):
        load_config(write(tmp_path, text))


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[me\nname="))
    with pytest.raises(UserError, match="no config file"):
        load_config(tmp_path / "nope.toml")


def test_env_var_names_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from afterword.plugin.config import default_config_path

    monkeypatch.setenv("AFTERWORD_CONFIG", str(tmp_path / "x.toml"))
    assert default_config_path() == tmp_path / "x.toml"
