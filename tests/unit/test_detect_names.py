"""Display names from calendars: cleaned for greetings, safe for headers."""

from __future__ import annotations

import unicodedata

import pytest

from afterword.plugin.detect.names import (
    clean_name,
    display_name,
    first_name,
    formal_address,
    greeting_name,
    matches_address,
    name_from_email,
    same_person,
)
from afterword.plugin.model import Interviewer


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Marcus O'Neil", "Marcus O'Neil"),
        ("ONEIL, MARCUS", "Marcus Oneil"),
        ("Shah, Priya", "Priya Shah"),
        ('"Doe, Jane"', "Jane Doe"),
        ("MARIA DE LA CRUZ", "Maria de la Cruz"),
        ("SEAN MCDONALD", "Sean McDonald"),
        ("MARCUS O'NEIL", "Marcus O'Neil"),
        ("MINH LE", "Minh Le"),
        ("priya shah", "Priya Shah"),
        ("Jean-Luc PICARD", "Jean-Luc Picard"),
        ("JD Salinger", "JD Salinger"),
        ("Dr. José Álvarez", "José Álvarez"),
        ("Prof. Ada Lovelace, PhD", "Ada Lovelace"),
        ("Jane Doe, Ph.D., MBA", "Jane Doe"),
        ("Mr Tom Baker", "Tom Baker"),
        ("John Doe, Jr.", "John Doe Jr."),
        ("Priya Shah (she/her)", "Priya Shah"),
        ("Priya Shah she/her", "Priya Shah"),
        ("Priya Shah, Engineering Manager", "Priya Shah"),
        ("Jane Doe | Acme", "Jane Doe"),
        ("Jane Doe - Recruiter", "Jane Doe"),
        ("Jane Doe <jane@acme.com>", "Jane Doe"),
        ('Marcus "Mac" O\'Neil Principal Engineer', "Marcus O'Neil"),
        ("Marcus O'Neil Senior Software Engineer", "Marcus O'Neil"),
        ("Jane Doe Head of Data", "Jane Doe"),
        ("Dana Whitfield ^ Recruiting", "Dana Whitfield"),
        ("Dr.", ""),
        ("PhD", ""),
        ("– 123", ""),
        ("🚀 Marcus O'Neil 🎉", "Marcus O'Neil"),
        ("Zoë\u200b  Saldaña", "Zoë Saldaña"),
        ("Zoe\u0308 Saldan\u0303a", "Zoë Saldaña"),  # decomposed accents are recomposed
        ("李明", "李明"),
        ("Łukasz Żółć", "Łukasz Żółć"),
        ("   ", ""),
        ("jane@acme.com", ""),
        ("", ""),
    ],
)
def test_clean_name(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Marcus\r\nBcc: evil@example.net", "Marcus"),
        ("Marcus\nSubject: you won", "Marcus"),
        ("Marcus\rX-Injected: 1", "Marcus"),
        ("Marcus\u2028Bcc: evil@example.net", "Marcus"),
        ("Marcus\x00\x07\x1b[31m", "Marcus"),
        ("Marcus \u202eO'Neil\u200e", "Marcus O'Neil"),
        ("\r\nBcc: evil@example.net", ""),
        ("Bcc: evil@example.net\r\nMarcus", "Bcc:"),
    ],
)
def test_clean_name_removes_injections_and_control_characters(raw: str, expected: str) -> None:
    cleaned = clean_name(raw)
    assert cleaned == expected.rstrip(":")
    assert not any(unicodedata.category(c).startswith("C") for c in cleaned)
    assert "@" not in cleaned


def test_joiners_inside_non_latin_names_survive() -> None:
    assert clean_name("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645") == (
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    )


def test_injected_name_keeps_only_the_first_line() -> None:
    assert clean_name("Marcus O'Neil\r\nBcc: evil@example.net") == "Marcus O'Neil"


def test_clean_name_caps_length() -> None:
    assert len(clean_name("Ann " * 10_000)) <= 80
    assert clean_name("A" * 1_000_000 + "\nB") != ""


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("marcus.oneil@acme.com", "Marcus Oneil"),
        ("jdoe@acme.com", "Jdoe"),
        ("priya_shah+interviews@acme.com", "Priya Shah"),
        ("tom-baker2@acme.com", "Tom Baker"),
        ("12345@acme.com", ""),
    ],
)
def test_name_from_email(email: str, expected: str) -> None:
    assert name_from_email(email) == expected


def test_display_name_falls_back_to_the_address() -> None:
    assert display_name("", "marcus.oneil@acme.com") == "Marcus Oneil"
    assert display_name("marcus.oneil@acme.com", "marcus.oneil@acme.com") == "Marcus Oneil"
    assert display_name("🎉", "priya.shah@acme.com") == "Priya Shah"
    assert display_name("Priya S.", "priya.shah@acme.com") == "Priya S."


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dr. José Álvarez", "José"),
        ("ONEIL, MARCUS", "Marcus"),
        ("J. Robert Smith", "Robert"),
        ("Jean-Luc Picard", "Jean-Luc"),
        ("Priya", "Priya"),
        ("Ms. Ada Lovelace (she/her)", "Ada"),
        ("", ""),
    ],
)
def test_first_name(name: str, expected: str) -> None:
    assert first_name(name) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dr. Helen O'Brien", "Dr. O'Brien"),
        ("Dr Helen O'Brien (Assistant Principal)", "Dr O'Brien"),
        ("MR JAMES OKAFOR", "Mr Okafor"),
        ("Prof. Maria van der Berg", "Prof. van der Berg"),
        ("Ms. Ngozi Adeyemi-Okafor", "Ms. Adeyemi-Okafor"),
        ("Cllr Joan Baker", "Cllr Baker"),
        ("Rev. John Smith, PhD", "Rev. Smith"),
        ("Dr. Chen", "Dr. Chen"),
        ("Helen O'Brien", None),  # the invite used no title: first name, as everywhere
        ("Drew Barrymore", None),
        ("Dr. 王芳", None),  # no surname an English note can write
        ("Mrs Amina binti Yusuf", None),  # a patronymic is not a surname
        ("Mr.\r\nBcc: x@y.com", None),
    ],
)
def test_formal_address_is_title_and_surname_as_the_invite_wrote_them(
        raw: str, expected: str | None) -> None:
    assert formal_address(raw) == expected


def test_greeting_name_uses_the_cleaned_first_name() -> None:
    assert greeting_name(Interviewer(name="Dr. José Álvarez", email="ja@acme.com")) == "José"
    assert greeting_name(Interviewer(name="ÁLVAREZ, JOSÉ")) == "José"
    assert greeting_name(Interviewer(name="🎉")) == ""


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Marcus O'Neil", "marcus oneil", True),
        ("Marcus O'Neil", "Marcus O’Neil", True),
        ("José Álvarez", "Jose Alvarez", True),
        ("M. O'Neil", "Marcus O'Neil", True),
        ("Marcus James O'Neil", "Marcus O'Neil", True),
        ("Priya", "Priya Shah", True),
        ("Priya Shah", "Priya Patel", False),
        ("Marcus O'Neil", "Mark O'Neil", False),
    ],
)
def test_same_person(a: str, b: str, expected: bool) -> None:
    assert same_person(a, b) is expected


def test_same_person_first_name_only_can_be_refused() -> None:
    assert not same_person("Priya", "Priya Shah", first_only=False)


@pytest.mark.parametrize(
    ("name", "email", "expected"),
    [
        ("Marcus O'Neil", "marcus.oneil@acme.com", True),
        ("Marcus O'Neil", "moneil@acme.com", True),
        ("Marcus O'Neil", "oneil.marcus@acme.com", True),
        ("José Álvarez", "jose_alvarez@acme.com", True),
        ("Priya", "priya@acme.com", True),
        ("Ebony Washington", "ebony.washington.nyc@gmail.com", True),  # and a word of hers
        ("Ebony Washington", "ebonywashingtonnyc@gmail.com", False),  # run together: unsure
        ("Ebony Washington", "ebony.k.nyc@gmail.com", False),  # another initial
        ("Kenji Watanabe", "kenji.w.builds@gmail.com", True),  # his initial, his word
        ("Marcus O'Neil", "priya@acme.com", False),
        ("Marcus O'Neil", "not-an-address", False),
    ],
)
def test_matches_address(name: str, email: str, expected: bool) -> None:
    assert matches_address(name, email) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SATO Kenji", "Kenji Sato"),  # family name first, in capitals
        ("LI Wei", "Wei Li"),
        ("DUPONT Jean-Marc", "Jean-Marc Dupont"),
        ("JD Smith", "JD Smith"),  # initials, not a family name
        ("AJ Ross", "AJ Ross"),
        ("Jean-Luc PICARD", "Jean-Luc Picard"),  # family name last stays last
        ("IBM Recruiting", "IBM Recruiting"),  # a team, not a person
    ],
)
def test_a_family_name_in_capitals_first_goes_last(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("王芳 (Fang Wang)", "Fang Wang"),
        ("森 ひなた (Hinata Mori)", "Hinata Mori"),
        ("王芳（Fang Wang）", "Fang Wang"),  # full-width brackets
        ("Fang Wang (王芳)", "Fang Wang"),
        ("王芳", "王芳"),  # no Latin spelling given: the name as written
        ("王芳 (she/her)", "王芳"),  # pronouns, not a spelling
        ("王芳 (Engineering Director)", "王芳"),  # a title, not a spelling
    ],
)
def test_a_name_without_case_prefers_its_latin_spelling(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mme Claire Dubois-Lefèvre", "Claire Dubois-Lefèvre"),
        ("M. Étienne Marchand", "Étienne Marchand"),
        ("M. O'Neil", "M. O'Neil"),  # an initial, not "Monsieur"
        ("Großmann, Sabine Dr.", "Sabine Großmann"),  # a German directory's order
        ("Herr Jörg Müller", "Jörg Müller"),
        ("Ing. Paolo Rossi", "Paolo Rossi"),
        ("Ing Wong", "Ing Wong"),  # no dot: a given name
        ("Dott.ssa Giulia Conti", "Giulia Conti"),
        ("Sra. Lucía Gómez", "Lucía Gómez"),
        ("Dhr. Pieter van den Berg", "Pieter van den Berg"),
    ],
)
def test_courtesy_titles_of_other_languages_are_not_names(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


def test_a_family_name_first_takes_the_order_its_address_shows() -> None:
    assert display_name("Sato Kenji", "kenji.sato@hoshimi.co.jp") == "Kenji Sato"
    assert display_name("Kenji Sato", "kenji.sato@hoshimi.co.jp") == "Kenji Sato"
    assert display_name("Sato Kenji", "ksato@hoshimi.co.jp") == "Sato Kenji"  # unsure: kept
