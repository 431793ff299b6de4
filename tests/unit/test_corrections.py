"""`[[corrections]]`: a name fixed once in the config, used by every later note."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from afterword.plugin.config import Correction, load_config
from afterword.plugin.detect.corrections import apply_corrections, correction_key
from afterword.plugin.detect.names import greeting_name
from afterword.plugin.errors import ConfigError, UserError
from afterword.plugin.model import Interview, Interviewer

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = """
[me]
name = "Alex Rivera"
email = "alex.rivera@example.com"
aliases = ["alex@rivera.dev"]
timezone = "America/New_York"
[calendar]
source = "ics"
path = "calendar.ics"
[mailbox]
backend = "maildir"
path = "mail"
"""
START = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL + extra, encoding="utf-8")
    return path


def interview(*people: Interviewer) -> Interview:
    return Interview(id="iv-1", title="Acme onsite interview", company="Acme",
                     role="Senior Data Engineer", start=START, end=START + timedelta(hours=3),
                     interviewers=people)


def corrected(people: tuple[Interviewer, ...], *corrections: Correction) -> list[Interviewer]:
    return list(apply_corrections(interview(*people), corrections).interviewers)


JOSE = Correction(match="ALVAREZ, JOSE", name="José Álvarez", greeting="Pepe",
                  email="jose.alvarez@acme.com")


# --- the config --------------------------------------------------------------------------


def test_corrections_are_read_and_normalised(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, """
[[corrections]]
match = "  ALVAREZ,   JOSE "
name = "José  Álvarez"
greeting = "Pepe"
email = "Jose.Alvarez@Acme.com"
[[corrections]]
match = "M.ONeil@ACME.com"
greeting = "Mac"
"""))
    assert config.corrections == (
        Correction(match="ALVAREZ, JOSE", name="José Álvarez", greeting="Pepe",
                   email="jose.alvarez@acme.com"),
        Correction(match="m.oneil@acme.com", greeting="Mac"),
    )
    assert config.corrections[1].by_address and not config.corrections[0].by_address


def test_no_corrections_by_default(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).corrections == ()


def test_the_example_config_holds_a_correction(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    shutil.copy(ROOT / "config.example.toml", path)
    corrections = load_config(path).corrections
    assert corrections and corrections[0].greeting


@pytest.mark.parametrize(
    ("entry", "key", "words"),
    [
        ('name = "José Álvarez"', "corrections[0].match", "is missing"),
        ('match = ""\nname = "X Y"', "corrections[0].match", "must not be empty"),
        ('match = "jose@"\nname = "X Y"', "corrections[0].match", "not an email address"),
        ("match = 3\nname = \"X Y\"", "corrections[0].match", "must be a string"),
        ('match = "PhD"\nname = "X Y"', "corrections[0].match", "no name afterword can"),
        ('match = "Jose Alvarez"', "corrections[0]", "has nothing to correct"),
        ('match = "Jose Alvarez"\nname = ""', "corrections[0].name", "must not be empty"),
        (f'match = "Jose Alvarez"\nname = "{"x" * 81}"', "corrections[0].name",
         "at most 80 characters"),
        ('match = "Jose Alvarez"\nname = "José\\nBcc: x@y.com"', "corrections[0].name",
         "one line"),
        ('match = "Jose Alvarez"\ngreeting = "Dear old friend Pepe"', "corrections[0].greeting",
         "at most 3 words"),
        ('match = "Jose Alvarez"\ngreeting = "123"', "corrections[0].greeting",
         "must hold a letter"),
        ('match = "Jose Alvarez"\nemail = "jose at acme"', "corrections[0].email",
         "not an email address"),
        ('match = "Jose Alvarez"\nemail = "Alex@Rivera.dev"', "corrections[0].email",
         "one of your own addresses"),
        ('match = "jose@acme.com"\nemail = "pepe@acme.com"', "corrections[0].email",
         "never used when match is an address"),
        ('match = "Jose Alvarez"\ngreeting = "Pepe"\nnickname = "Pepe"',
         "corrections[0].nickname", "not a known key"),
    ],
)
def test_a_bad_correction_is_named_with_the_file_and_a_fix(
    tmp_path: Path, entry: str, key: str, words: str
) -> None:
    path = write(tmp_path, "[[corrections]]\n" + entry + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert f"[{key}]" in message
    assert words in message
    assert "fix: " in message


@pytest.mark.parametrize(("first", "second"), [
    ("ALVAREZ, JOSE", "José Álvarez"),
    ("Dr. Jose Alvarez", "jose  alvarez"),
    ("Jose@Acme.com", "jose@acme.com"),
])
def test_two_corrections_for_one_person_are_an_error(
    tmp_path: Path, first: str, second: str
) -> None:
    path = write(tmp_path, f'[[corrections]]\nmatch = "{first}"\ngreeting = "Pepe"\n'
                           f'[[corrections]]\nmatch = "{second}"\ngreeting = "José"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message and "[corrections[1].match]" in message
    assert "same person as corrections[0].match" in message and "fix: merge" in message


def test_corrections_that_are_not_tables_are_named(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"\[corrections\] must be an array of tables; fix"):
        path = tmp_path / "config.toml"
        path.write_text('corrections = ["Jose"]\n' + MINIMAL, encoding="utf-8")
        load_config(path)


# --- matching ----------------------------------------------------------------------------


def test_a_match_by_address_ignores_case() -> None:
    person = Interviewer("Marcus O'Neil", "Marcus.ONeil@acme.com")
    fix = Correction(match="marcus.oneil@acme.com", name="Marcus O’Neil", greeting="Mac")
    assert corrected((person,), fix) == [
        Interviewer("Marcus O’Neil", "Marcus.ONeil@acme.com", greeting="Mac")]


def test_an_address_match_never_matches_by_name() -> None:
    person = Interviewer("Marcus O'Neil", None)
    assert corrected((person,), Correction(match="marcus.oneil@acme.com", greeting="Mac")) == [
        person]


@pytest.mark.parametrize("shown", [
    "José Álvarez",  # as the user wrote the match, accents and all
    "Jose Alvarez",  # accents dropped by the invite
    "ALVAREZ, JOSE",  # directory order, capitals
    "Alvarez Jose",  # directory order without the comma
    "Dr. José Álvarez",  # a title
    "jose alvarez",  # lower case
    "José M. Álvarez",  # a middle initial
])
def test_a_match_by_name_ignores_case_accents_order_and_titles(shown: str) -> None:
    fixed = corrected((Interviewer(shown),), JOSE)
    assert fixed == [Interviewer("José Álvarez", "jose.alvarez@acme.com", greeting="Pepe")]


@pytest.mark.parametrize("other", ["J. Alvarez", "Juan Alvarez", "Jose Ramirez", "Jose",
                                   "Alvarez", ""])
def test_a_different_person_is_left_alone(other: str) -> None:
    person = Interviewer(other, None, title="Engineer", topic="SQL")
    assert corrected((person,), JOSE) == [person]


def test_no_match_returns_the_interview_unchanged() -> None:
    iv = interview(Interviewer("Priya Shah", "priya.shah@acme.com"))
    assert apply_corrections(iv, [JOSE]) is iv
    assert apply_corrections(iv, []) is iv


def test_only_what_the_correction_gives_changes() -> None:
    person = Interviewer("ALVAREZ, JOSE", None, title="Staff Engineer", topic="System design")
    assert corrected((person,), Correction(match="Jose Alvarez", greeting="Pepe")) == [
        Interviewer("ALVAREZ, JOSE", None, title="Staff Engineer", topic="System design",
                    greeting="Pepe")]
    assert corrected((person,), Correction(match="Jose Alvarez", name="José Álvarez")) == [
        Interviewer("José Álvarez", None, title="Staff Engineer", topic="System design")]


def test_the_address_fills_only_where_the_invite_gave_none() -> None:
    listed = Interviewer("Jose Alvarez", "jalvarez@acme.com")
    assert corrected((listed,), JOSE) == [
        Interviewer("José Álvarez", "jalvarez@acme.com", greeting="Pepe")]
    unlisted = Interviewer("Jose Alvarez")
    assert corrected((unlisted,), JOSE)[0].email == "jose.alvarez@acme.com"


def test_an_address_match_never_changes_the_address() -> None:
    person = Interviewer("Jose Alvarez", "jose@acme.com")
    fix = Correction(match="jose@acme.com", greeting="Pepe", email="pepe@acme.com")
    assert corrected((person,), fix)[0].email == "jose@acme.com"


def test_an_address_another_interviewer_has_is_not_given_twice() -> None:
    listed = Interviewer("Pepe", "jose.alvarez@acme.com")
    named = Interviewer("Jose Alvarez")
    assert [p.email for p in corrected((listed, named), JOSE)] == [
        "jose.alvarez@acme.com", None]


def test_each_interviewer_gets_their_own_correction_in_order() -> None:
    people = (Interviewer("Priya Shah", "priya@acme.com"), Interviewer("ALVAREZ, JOSE"),
              Interviewer("Marcus O'Neil", "marcus@acme.com"))
    mac = Correction(match="marcus@acme.com", greeting="Mac")
    fixed = corrected(people, mac, JOSE)
    assert [(p.name, p.email, p.greeting) for p in fixed] == [
        ("Priya Shah", "priya@acme.com", None),
        ("José Álvarez", "jose.alvarez@acme.com", "Pepe"),
        ("Marcus O'Neil", "marcus@acme.com", "Mac"),
    ]


def test_an_address_match_wins_over_a_name_match() -> None:
    person = Interviewer("Jose Alvarez", "jose@acme.com")
    by_name = Correction(match="Jose Alvarez", greeting="José")
    by_address = Correction(match="jose@acme.com", greeting="Pepe")
    assert corrected((person,), by_name, by_address)[0].greeting == "Pepe"


def test_a_loose_match_shared_by_two_corrections_applies_neither() -> None:
    person = Interviewer("José María Álvarez")
    one = Correction(match="José Álvarez", greeting="Pepe")
    other = Correction(match="José María Luis Álvarez", greeting="Chema")
    assert corrected((person,), one, other) == [person]


def test_correction_keys_agree_for_one_person() -> None:
    assert correction_key("ALVAREZ, JOSE") == correction_key("Dr. José Álvarez, PhD")
    assert correction_key("Jose@Acme.COM ") == "jose@acme.com"
    assert correction_key("PhD") == ""


# --- the greeting ------------------------------------------------------------------------


def test_the_chosen_greeting_is_used_as_written() -> None:
    assert greeting_name(Interviewer("José Álvarez", greeting="Pepe")) == "Pepe"
    assert greeting_name(Interviewer("José Álvarez", greeting="Dr.  Álvarez")) == "Dr. Álvarez"


def test_without_a_greeting_the_corrected_name_gives_the_first_name() -> None:
    fixed = corrected((Interviewer("ALVAREZ, JOSE"),),
                      Correction(match="Jose Alvarez", name="Pepe Álvarez"))
    assert greeting_name(fixed[0]) == "Pepe"
    assert greeting_name(Interviewer("ALVAREZ, JOSE", greeting="  ")) == "Jose"


def test_a_corrected_name_keeps_the_invites_title_with_the_users_spelling() -> None:
    person = Interviewer("Jose Alvarez", None, greeting="Dr. Alvarez")
    fixed = corrected((person,), Correction(match="Jose Alvarez", name="José Álvarez"))
    assert fixed == [Interviewer("José Álvarez", None, greeting="Dr. Álvarez")]
    own = corrected((person,), Correction(match="Jose Alvarez", name="José Álvarez",
                                          greeting="Pepe"))
    assert own[0].greeting == "Pepe"
