"""The corpus's email cases (tests/corpus/*.eml): read through plugin/sources/mail.py like
the daemon reads INBOX (or Sent), and scored so that a message taken for an interview it is
not, or for two, counts against precision."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from tests.unit.test_detection_corpus import CORPUS, bench


def _mini_corpus(tmp_path: Path, *cases: str) -> Path:
    shutil.copy(CORPUS / "corpus.toml", tmp_path / "corpus.toml")
    for case in cases:
        source = next(CORPUS.glob(f"{case}.*[ls]"))  # the .eml or .ics
        shutil.copy(source, tmp_path / source.name)
        shutil.copy(CORPUS / f"{case}.expected.toml", tmp_path / f"{case}.expected.toml")
    return tmp_path


def test_the_corpus_holds_enough_mail_of_both_kinds() -> None:
    kinds = [tomllib.loads(p.with_suffix(".expected.toml").read_text(encoding="utf-8"))
             for p in CORPUS.glob("*.eml")]
    real = sum(bool(k.get("is_interview")) for k in kinds)
    assert len(kinds) >= 16
    assert real >= 8 and len(kinds) - real >= 8


def test_mail_cases_are_scored_through_the_mail_source(tmp_path: Path) -> None:
    corpus = _mini_corpus(tmp_path, "eml_greenhouse_html_table", "eml_lookalike_job_alert")
    figures = bench.evaluate(corpus)
    assert figures.cases == 2
    assert (figures.interviews.tp, figures.interviews.fp, figures.interviews.fn) == (1, 0, 0)
    assert figures.interviewers.tp == 3


def test_a_wrong_mail_expectation_is_noticed(tmp_path: Path) -> None:
    corpus = _mini_corpus(tmp_path, "eml_greenhouse_text_only")
    (corpus / "eml_greenhouse_text_only.expected.toml").write_text(
        'about = "x"\nis_interview = true\ncompany = "Pinecrest Data"\n'
        '[[interviewers]]\nname = "Rafael Ortiz"\n[[interviewers]]\nname = "Nobody Else"\n',
        encoding="utf-8")
    figures = bench.evaluate(corpus)
    assert (figures.interviewers.tp, figures.interviewers.fp, figures.interviewers.fn) == (
        1, 1, 1)
    assert "eml_greenhouse_text_only: missed interviewer 'Nobody Else'" in figures.report()


def test_a_mail_expected_to_be_an_interview_that_yields_no_event_is_missed(
    tmp_path: Path,
) -> None:
    corpus = _mini_corpus(tmp_path, "eml_lookalike_job_alert")
    (corpus / "eml_lookalike_job_alert.expected.toml").write_text(
        'about = "pretend"\nis_interview = true\ncompany = "JobStream"\n'
        '[[interviewers]]\nname = "Ann Lee"\n', encoding="utf-8")
    figures = bench.evaluate(corpus)
    assert (figures.interviews.fn, figures.interviewers.fn) == (1, 1)


def test_one_message_taken_for_several_interviews_counts_each_extra_one(
    tmp_path: Path,
) -> None:
    corpus = _mini_corpus(tmp_path, "eml_lookalike_availability_request")
    eml = corpus / "eml_lookalike_availability_request.eml"
    eml.write_text(eml.read_text(encoding="utf-8")
                   .replace("Could you share your availability for the onsite? ", "")
                   .replace("the following windows", "these days")
                   .replace("Just reply with the option that works best, or suggest another "
                            "time.", ""), encoding="utf-8")
    (corpus / "eml_lookalike_availability_request.expected.toml").write_text(
        'about = "pretend"\nis_interview = true\ncompany = "Larkspur Bio"\n',
        encoding="utf-8")
    figures = bench.evaluate(corpus)
    assert (figures.interviews.tp, figures.interviews.fp) == (1, 2)
    assert "another interview from the same message" in figures.report()


def test_sent_folder_cases_read_my_replies(tmp_path: Path) -> None:
    corpus = _mini_corpus(tmp_path, "eml_sent_accepted_reply")
    assert bench.evaluate(corpus).interviews.tp == 1
    expected = corpus / "eml_sent_accepted_reply.expected.toml"
    expected.write_text(expected.read_text(encoding="utf-8").replace(
        'folder = "sent"\n', ""), encoding="utf-8")
    assert bench.evaluate(corpus).interviews.fn == 1  # INBOX ignores my own replies
