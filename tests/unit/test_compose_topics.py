"""Topics as schedules label them become words a person would write: no note says "our
discussion of Behavioral" or "our discussion of Hiring manager conversation"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from afterword.plugin.compose.render import Composer
from afterword.plugin.compose.topics import topic_phrase
from afterword.plugin.model import Interviewer
from tests.unit.test_compose_render import context

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
COMMON = {"System", "Systems", "Design", "Data", "Modeling", "Behavioral", "Hiring", "Coding",
          "Review", "Management", "Architecture", "Leadership", "Collaboration", "Culture",
          "Team", "Past", "Live", "Metrics", "Pipeline", "Product", "Strategy", "Values"}


@pytest.mark.parametrize(("label", "phrase"), [
    ("System Design", "system design"),
    ("SYSTEM DESIGN", "system design"),
    ("Data Modeling", "data modeling"),
    ("Stakeholder Management", "stakeholder management"),
    ("Past projects & collaboration", "past projects and collaboration"),
    ("SQL & Modeling", "SQL and modeling"),
    ("ML systems design", "ML systems design"),
    ("API design", "API design"),
    ("Coding (Python)", "coding (Python)"),
    ("Spark and streaming pipelines", "Spark and streaming pipelines"),
    ("dbt and data modeling", "dbt and data modeling"),
    ("R&D roadmap", "R&D roadmap"),
    ("Fallstudie", "Fallstudie"),
    # sentence case: the first word's capital is only the sentence's
    ("Safeguarding and pastoral care", "safeguarding and pastoral care"),
    ("Underwriting scenarios", "underwriting scenarios"),
    ("Lesson observation feedback", "lesson observation feedback"),
    ("Kubernetes operations", "Kubernetes operations"),
    ("Forecasting with Excel", "forecasting with Excel"),
])
def test_title_case_is_lowered_for_ordinary_words_only(label: str, phrase: str) -> None:
    assert topic_phrase(label) == phrase


@pytest.mark.parametrize(("label", "phrase"), [
    ("System Design: Streaming Pipelines", "streaming pipelines"),
    ("Coding: APIs and data structures", "APIs and data structures"),
    ("Round 2: System design", "system design"),
    ("Interview: ", ""),
    ("Onsite: final round", ""),
])
def test_a_labelled_subject_keeps_the_subject(label: str, phrase: str) -> None:
    assert topic_phrase(label) == phrase


@pytest.mark.parametrize("label", [
    "Hiring manager conversation", "Hiring Manager Interview", "Executive conversation",
    "technical discussion", "Final round", "Intro call", "Lunch with the team",
    "Q&A with the team", "Coffee chat with Dana", "Office tour", "Debrief", "", "  ",
])
def test_a_label_that_only_names_the_kind_of_talk_is_no_topic(label: str) -> None:
    assert topic_phrase(label) == ""


@pytest.mark.parametrize(("label", "phrase"), [
    ("Behavioral", "behavioral questions"),
    ("Behavioral Interview", "behavioral questions"),
    ("Behavioural and team fit", "behavioural questions and team fit"),
    ("Behavioral scenarios", "behavioral scenarios"),
    ("Portfolio review", "the portfolio review"),
    ("Architecture deep dive", "the architecture deep dive"),
    ("Take-home review", "the take-home review"),
    ("Case study", "the case study"),
    ("Kafka deep dive", "the Kafka deep dive"),
    ("Paper discussion", "the paper"),
    ("Architecture interview", "architecture"),
    ("Pairing with Bo on the parser", "pairing with Bo on the parser"),
])
def test_sessions_read_as_things_talked_about(label: str, phrase: str) -> None:
    assert topic_phrase(label) == phrase


def test_every_corpus_topic_reads_as_a_phrase() -> None:
    labels = {m.group(1) for path in CORPUS.glob("*.expected.toml")
              for m in re.finditer(r'topic\s*=\s*"([^"]*)"', path.read_text("utf-8"))}
    assert len(labels) > 40
    for label in labels:
        phrase = topic_phrase(label)
        assert phrase == phrase.strip() and "  " not in phrase and "&" not in phrase.replace(
            "R&D", "")
        capitalised = {w for w in phrase.split() if w[:1].isupper() and w[1:].islower()}
        assert not capitalised & COMMON, (label, phrase)


def test_a_note_speaks_of_the_topic_as_a_person_would() -> None:
    composer = Composer()
    for label, wanted, unwanted in [
        ("Behavioral", "behavioral questions", "Behavioral"),
        ("System Design: Streaming Pipelines", "streaming pipelines", "System Design"),
        ("Hiring manager conversation", "Engineering Manager", "Hiring manager"),
    ]:
        person = Interviewer("Priya Shah", "priya@acme.com", "Engineering Manager", label)
        body = composer.compose(context(person), []).body
        assert wanted in body and unwanted not in body, body
