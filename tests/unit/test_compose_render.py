"""Rendering notes: content, determinism, length bounds, template overrides and safety."""

from __future__ import annotations

import importlib.resources
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from afterword.plugin.compose.render import (
    BODY_TEMPLATE,
    MAX_WORDS,
    MIN_WORDS,
    SUBJECT_TEMPLATE,
    Composer,
    NoteContext,
    clip,
)
from afterword.plugin.compose.uniqueness import UNIQUE_LIMIT, overlap
from afterword.plugin.errors import UserError
from afterword.plugin.model import Identity, Interview, Interviewer, stable_id

ME = Identity("Alex Rivera", "alex.rivera@example.com")
START = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
LONG_TOPIC = (
    "the migration of the nightly batch pipelines to streaming with exactly-once delivery, "
    "schema evolution, backfills, late data and the cost model for the warehouse tier"
)
LONG_TITLE = (
    "Senior Principal Staff Software Engineer and Technical Lead for Data Platform, "
    "Streaming Infrastructure and Developer Experience (EMEA)"
)


def context(
    person: Interviewer,
    *,
    note_id: str = "n1",
    company: str = "Acme",
    role: str = "Senior Data Engineer",
    signature: str = "Alex Rivera\n+1 555 0100",
    others: tuple[str, ...] = (),
    greeting_name: str | None = None,
) -> NoteContext:
    iv = Interview(
        id="iv1",
        title="Interview",
        company=company,
        role=role,
        start=START,
        end=START + timedelta(hours=1),
        interviewers=(person,),
    )
    return NoteContext(
        note_id=note_id,
        interviewer=person,
        greeting_name=person.first_name if greeting_name is None else greeting_name,
        interview=iv,
        me=ME,
        signature=signature,
        others=others,
    )


@pytest.fixture(scope="module")
def composer() -> Composer:
    return Composer()


def test_note_greets_thanks_names_the_role_and_signs(composer: Composer) -> None:
    person = Interviewer("Maria Lopez", "maria@acme.com", "Staff Engineer", "system design")
    note = composer.compose(context(person), [])
    first_line = note.body.splitlines()[0]
    assert "Maria" in first_line and "Lopez" not in first_line
    assert "thank" in note.body.lower()
    assert "Acme" in note.body
    assert "Senior Data Engineer" in note.body
    assert "system design" in note.body
    assert "Staff Engineer" in note.body
    assert note.body.endswith("Alex Rivera\n+1 555 0100\n")
    assert note.unique and note.overlap == 0.0
    assert "thank" in note.subject.lower()
    assert "\n" not in note.subject


def test_with_nothing_known_the_remark_is_about_the_company(composer: Composer) -> None:
    note = composer.compose(context(Interviewer("Bob Smith"), role=""), [])
    assert note.body.count("Acme") >= 2  # the remark and the interest both name it
    assert "None" not in note.body
    assert "  " not in note.body
    assert note.body.endswith("Alex Rivera\n+1 555 0100\n")


def test_other_interviewers_are_mentioned_by_first_name(composer: Composer) -> None:
    ctx = context(Interviewer("Maria Lopez"), others=("Bob Smith", "Chen Wu"))
    body = composer.compose(ctx, []).body
    assert "Bob and Chen" in body


def test_the_same_note_renders_the_same_text_every_time() -> None:
    ctx = context(Interviewer("Maria Lopez", topic="system design"), note_id="abc")
    first = Composer().compose(ctx, [])
    again = Composer().compose(ctx, [])
    assert first == again


def test_different_notes_get_different_phrasings(composer: Composer) -> None:
    bodies = {
        composer.compose(context(Interviewer("Maria Lopez"), note_id=f"n{i}"), []).body
        for i in range(8)
    }
    assert len(bodies) == 8


def test_a_note_too_like_an_existing_one_is_rephrased(composer: Composer) -> None:
    ctx = context(Interviewer("Maria Lopez", topic="system design"))
    first = composer.compose(ctx, [])
    other = composer.compose(ctx, [first.body])
    assert other.body != first.body
    assert other.unique
    assert other.overlap <= UNIQUE_LIMIT
    assert overlap(first.body, other.body, ["Maria Lopez", "Alex Rivera"]) <= UNIQUE_LIMIT
    assert not other.variant.startswith("a0:")


@pytest.mark.parametrize("note_id", [f"note-{i}" for i in range(25)])
def test_word_count_holds_for_short_and_long_inputs(composer: Composer, note_id: str) -> None:
    short = context(
        Interviewer("A"), note_id=note_id, company="X", role="", signature="", greeting_name="A"
    )
    long = context(
        Interviewer("Bartholomew Fitzgerald-Worthington", title=LONG_TITLE, topic=LONG_TOPIC),
        note_id=note_id,
        company="Very Long Company Name Incorporated International Holdings Group Ltd",
        role="Senior Staff Principal Data Platform Engineer, Streaming and Batch (Remote)",
        signature="Alex Rivera\nSenior Data Engineer\n+1 555 0100\nalex.rivera@example.com",
        others=("Ann Lee", "Bob Smith", "Chen Wu", "Dee Ng", "Eve Ho"),
    )
    for ctx in (short, long):
        body = composer.compose(ctx, []).body
        assert MIN_WORDS <= len(body.split()) <= MAX_WORDS, body


def test_overlong_topics_and_titles_are_clipped(composer: Composer) -> None:
    topic = LONG_TOPIC + " " + LONG_TOPIC
    body = composer.compose(context(Interviewer("Maria Lopez", topic=topic)), []).body
    assert topic not in body
    assert clip(topic, (120, 18)) in body
    assert "…" in body
    assert len(clip(topic, (120, 18))) <= 120
    assert len(clip(LONG_TITLE, (120, 10)).split()) <= 10


def test_data_is_never_evaluated_as_template_code(composer: Composer) -> None:
    person = Interviewer("{{ 7*7 }} Lopez", title="{% raw %}x", topic="{name} and {{ me.email }}")
    ctx = context(
        person, company="{{ 6*6 }} Inc", others=("{# c #} Smith",), greeting_name="{{ 7*7 }}"
    )
    body = composer.compose(ctx, []).body
    assert "{{ 7*7 }}" in body.splitlines()[0]
    assert "49" not in body and "36" not in body
    assert "{{ 6*6 }} Inc" in body
    assert "{name} and {{ me.email }}" in body
    assert "as {% raw %}x" in body
    assert ME.email not in body


def test_control_characters_in_data_become_spaces(composer: Composer) -> None:
    person = Interviewer("Eve\r\nBcc: x@y.com", topic="line\none\x00two")
    body = composer.compose(context(person), []).body
    assert "\r" not in body and "\x00" not in body
    assert "line one two" in body


def test_default_templates_ship_inside_the_package() -> None:
    folder = importlib.resources.files("afterword.plugin.compose").joinpath("templates")
    assert folder.joinpath(BODY_TEMPLATE).is_file()
    assert folder.joinpath(SUBJECT_TEMPLATE).is_file()


def test_a_template_in_templates_dir_wins(tmp_path: Path) -> None:
    (tmp_path / BODY_TEMPLATE).write_text(
        "Dear {{ first_name }} at {{ company }},\n{{ phrases.thanks }}\n{{ signature }}\n",
        encoding="utf-8",
    )
    note = Composer(tmp_path).compose(context(Interviewer("Maria Lopez")), [])
    assert note.body.startswith("Dear Maria at Acme,\n")
    assert note.body.endswith("Alex Rivera\n+1 555 0100\n")
    assert "thank" in note.subject.lower()  # no subject override: the packaged one

    (tmp_path / SUBJECT_TEMPLATE).write_text("Merci, {{ first_name }}\n", encoding="utf-8")
    assert Composer(tmp_path).compose(context(Interviewer("Maria Lopez")), []).subject == (
        "Merci, Maria"
    )


def test_a_broken_user_template_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / BODY_TEMPLATE).write_text("Hi {{ first_name \n", encoding="utf-8")
    with pytest.raises(UserError, match=BODY_TEMPLATE):
        Composer(tmp_path)


def test_an_unknown_variable_in_a_user_template_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / BODY_TEMPLATE).write_text("Hi {{ frist_name }}\n", encoding="utf-8")
    with pytest.raises(UserError, match="frist_name"):
        Composer(tmp_path).compose(context(Interviewer("Maria Lopez")), [])


def test_when_no_phrasing_is_unique_the_best_is_returned_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fixed = "Hi {{ first_name }}, thank you for the interview about the job at the company.\n"
    (tmp_path / BODY_TEMPLATE).write_text(fixed, encoding="utf-8")
    composer = Composer(tmp_path, max_attempts=3)
    earlier = composer.compose(context(Interviewer("Bob Smith"), note_id="a"), []).body
    with caplog.at_level(logging.WARNING, logger="afterword.compose"):
        note = composer.compose(
            context(Interviewer("Maria Lopez"), note_id="b"), [earlier], names=["Bob Smith"]
        )
    assert not note.unique
    assert note.overlap == 1.0
    assert "b" in caplog.text and "Acme" in caplog.text


def test_stable_ids_from_the_model_drive_the_choice(composer: Composer) -> None:
    person = Interviewer("Maria Lopez", "maria@acme.com")
    note_id = stable_id("iv1", person.key)
    a = composer.compose(context(person, note_id=note_id), []).variant
    b = composer.compose(context(person, note_id=stable_id("iv2", person.key)), []).variant
    assert a.startswith("a0:") and a != b
