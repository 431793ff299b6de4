"""The uniqueness rule: no two notes to one company share more than half their trigrams."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from afterword.plugin.compose.render import Composer, NoteContext
from afterword.plugin.compose.uniqueness import (
    UNIQUE_LIMIT,
    max_overlap,
    overlap,
    trigrams,
    words,
)
from afterword.plugin.model import Identity, Interview, Interviewer, stable_id

ME = Identity("Alex Rivera", "alex.rivera@example.com")
SIGNATURE = "Alex Rivera\n+1 555 0100"
START = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)

# Three rounds of four at one company: topics and titles on some, none on others, and
# three interviewers called Maria.
ROUNDS = (
    (
        Interviewer("Maria Lopez", "maria.lopez@acme.com", "Staff Engineer", "system design"),
        Interviewer("Bob Smith", "bob@acme.com"),
        Interviewer("Maria Chen", "maria.chen@acme.com", topic="SQL and data modelling"),
        Interviewer("Chen Wu", None, "Engineering Manager"),
    ),
    (
        Interviewer("Ann Lee", "ann@acme.com"),
        Interviewer("Raj Patel", "raj@acme.com"),
        Interviewer("Maria Garcia", "maria.garcia@acme.com"),
        Interviewer("Tom Jones", "tom@acme.com", topic="team culture"),
    ),
    (
        Interviewer("Sue Park", "sue@acme.com", "Head of Data", "the hiring process"),
        Interviewer("Li Na", "li@acme.com", "VP Engineering"),
        Interviewer("Joe Bloggs", "joe@acme.com"),
        Interviewer("Kim Ito", "kim@acme.com"),
    ),
)
ALL_NAMES = [i.name for r in ROUNDS for i in r] + [ME.name, *SIGNATURE.splitlines()]


def company_notes(composer: Composer) -> list[str]:
    """Compose every note of the three rounds in order, as the engine would."""
    bodies: list[str] = []
    for n, panel in enumerate(ROUNDS):
        start = START + timedelta(days=7 * n)
        iv = Interview(
            id=stable_id("acme", str(n)),
            title=f"Acme round {n + 1}",
            company="Acme",
            role="Senior Data Engineer",
            start=start,
            end=start + timedelta(hours=4),
            interviewers=panel,
        )
        for person in panel:
            ctx = NoteContext(
                note_id=stable_id(iv.id, person.key),
                interviewer=person,
                greeting_name=person.first_name,
                interview=iv,
                me=ME,
                signature=SIGNATURE,
                others=tuple(o.name for o in panel if o is not person),
            )
            note = composer.compose(ctx, bodies, names=ALL_NAMES)
            assert note.unique, note.variant
            bodies.append(note.body)
    return bodies


def test_twelve_notes_to_one_company_are_pairwise_unique() -> None:
    bodies = company_notes(Composer())
    assert len(bodies) == 12
    assert len(set(bodies)) == 12
    for a, b in itertools.combinations(bodies, 2):
        assert overlap(a, b, ALL_NAMES) <= UNIQUE_LIMIT


def test_a_note_that_only_swaps_the_name_is_a_copy() -> None:
    body = company_notes(Composer())[0]
    assert "Maria" in body
    copy = body.replace("Maria", "Bob")
    assert overlap(body, copy, ALL_NAMES) == 1.0
    # with the names left in, the copy would look different: removal is what catches it
    assert overlap(body, copy, []) < 1.0


def test_trigrams_are_lower_case_without_punctuation_or_names() -> None:
    got = trigrams("Hi Maria, thank you SO much! — Alex", ["Maria Lopez", "Alex Rivera"])
    assert got == {("hi", "thank", "you"), ("thank", "you", "so"), ("you", "so", "much")}


def test_words_strip_punctuation_inside_tokens() -> None:
    assert words("I'm (really) glad—truly.") == ["im", "really", "gladtruly"]


def test_overlap_divides_by_the_smaller_set() -> None:
    short = "thank you for the interview"
    long = short + " and for the coffee and the tour of the office"
    assert overlap(short, long, []) == 1.0
    assert overlap(long, short, []) == 1.0
    assert overlap("alpha beta gamma delta", "alpha beta gamma omega", []) == pytest.approx(0.5)


def test_overlap_of_texts_without_trigrams_is_zero() -> None:
    assert overlap("", "thank you so much", []) == 0.0
    assert overlap("Hi Maria", "Hi Maria", ["Maria"]) == 0.0


def test_max_overlap_takes_the_worst_pair() -> None:
    text = "one two three four five"
    others = ["six seven eight nine", "one two three six seven", text]
    assert max_overlap(text, others, []) == 1.0
    assert max_overlap(text, others[:2], []) == pytest.approx(1 / 3)
    assert max_overlap(text, [], []) == 0.0
