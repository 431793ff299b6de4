"""The detector on the hand-written corpus of invites (tests/corpus): precision and recall of
interviews and interviewers must both reach 0.95, and the scoring itself must notice errors."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
TARGET = 0.95


def _load_benchmark() -> ModuleType:
    name = "detection_corpus_benchmark"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "detection_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


bench = _load_benchmark()


def test_corpus_reaches_the_targets(capsys: pytest.CaptureFixture[str]) -> None:
    figures = bench.evaluate(CORPUS)
    with capsys.disabled():
        print("\n" + figures.report())
    assert figures.interviews.precision >= TARGET
    assert figures.interviews.recall >= TARGET
    assert figures.interviewers.precision >= TARGET
    assert figures.interviewers.recall >= TARGET


def test_corpus_is_big_and_balanced() -> None:
    figures = bench.evaluate(CORPUS)
    interviews = figures.interviews.tp + figures.interviews.fn
    assert figures.cases >= 40
    assert 0.35 <= interviews / figures.events <= 0.65  # about half are look-alikes


def test_every_case_has_an_expectation() -> None:
    for case in [*CORPUS.glob("*.ics"), *CORPUS.glob("*.eml")]:
        expected = case.with_suffix(".expected.toml")
        assert expected.exists(), f"{case.name} has no {expected.name}"
        assert tomllib.loads(expected.read_text(encoding="utf-8")).get("about"), expected.name


def _mini_corpus(tmp_path: Path, *cases: str) -> Path:
    shutil.copy(CORPUS / "corpus.toml", tmp_path / "corpus.toml")
    for case in cases:
        shutil.copy(CORPUS / f"{case}.ics", tmp_path / f"{case}.ics")
        shutil.copy(CORPUS / f"{case}.expected.toml", tmp_path / f"{case}.expected.toml")
    return tmp_path


def test_a_wrong_interviewer_counts_against_precision_and_recall(tmp_path: Path) -> None:
    corpus = _mini_corpus(tmp_path, "zoom_boilerplate")
    (corpus / "zoom_boilerplate.expected.toml").write_text(
        'about = "x"\nis_interview = true\ncompany = "Sable Analytics"\n'
        '[[interviewers]]\nname = "Jan Kowalski"\nemail = "jan@elsewhere.example"\n',
        encoding="utf-8",
    )
    figures = bench.evaluate(corpus)
    assert (figures.interviewers.tp, figures.interviewers.fp, figures.interviewers.fn) == (0, 1, 1)
    assert figures.interviewers.precision == 0.0 and figures.interviewers.recall == 0.0
    assert any("missed interviewer 'Jan Kowalski'" in m for m in figures.mismatches)
    assert not figures.meets_target


def test_a_found_address_does_not_match_a_name_only_expectation(tmp_path: Path) -> None:
    """An interviewer expected without an address must come without one: an address the
    detector invented would put a stranger in `To:`."""
    corpus = _mini_corpus(tmp_path, "zoom_boilerplate")
    (corpus / "zoom_boilerplate.expected.toml").write_text(
        'about = "x"\nis_interview = true\ncompany = "Sable Analytics"\n'
        '[[interviewers]]\nname = "Jan Kowalski"\n',
        encoding="utf-8",
    )
    figures = bench.evaluate(corpus)
    assert figures.interviewers.tp == 0


def test_a_look_alike_taken_for_an_interview_lowers_precision(tmp_path: Path) -> None:
    corpus = _mini_corpus(tmp_path, "recruiter_screen", "lookalike_dentist")
    (corpus / "recruiter_screen.expected.toml").write_text(
        'about = "pretend it is not"\nis_interview = false\n', encoding="utf-8"
    )
    figures = bench.evaluate(corpus)
    assert (figures.interviews.tp, figures.interviews.fp, figures.interviews.fn) == (0, 1, 0)
    assert figures.interviews.precision == 0.0
    assert "recruiter_screen: look-alike taken for an interview" in figures.report()


def test_a_missed_interview_lowers_recall_and_a_wrong_company_is_reported(
    tmp_path: Path,
) -> None:
    corpus = _mini_corpus(tmp_path, "lookalike_dentist", "recruiter_screen")
    (corpus / "lookalike_dentist.expected.toml").write_text(
        'about = "pretend it is"\nis_interview = true\ncompany = "Park Slope Dental"\n'
        '[[interviewers]]\nname = "Ruth Feldman"\n',
        encoding="utf-8",
    )
    (corpus / "recruiter_screen.expected.toml").write_text(
        'about = "x"\nis_interview = true\ncompany = "Initech"\n'
        '[[interviewers]]\nname = "Dana Okafor"\nemail = "dana.okafor@mosaic.finance"\n',
        encoding="utf-8",
    )
    figures = bench.evaluate(corpus)
    assert (figures.interviews.tp, figures.interviews.fn) == (1, 1)
    assert figures.interviews.recall == 0.5
    assert (figures.companies.right, figures.companies.checked) == (0, 1)
    assert "company 'Mosaic', expected 'Initech'" in figures.report()


def test_multi_event_files_need_an_expectation_per_uid(tmp_path: Path) -> None:
    corpus = _mini_corpus(tmp_path, "modernloop_two_days")
    (corpus / "modernloop_two_days.expected.toml").write_text(
        'about = "x"\nis_interview = true\n', encoding="utf-8"
    )
    with pytest.raises(ValueError, match="2 events but one expectation"):
        bench.evaluate(corpus)


def test_the_script_exits_zero_when_the_targets_are_met(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bench.main([str(CORPUS)]) == 0
    out = capsys.readouterr().out
    assert "interviews    precision" in out and "interviewers  precision" in out
