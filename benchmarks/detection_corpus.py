"""How well the detector finds interviews and interviewers in the hand-written corpus.

Run: .venv/bin/python benchmarks/detection_corpus.py [CORPUS_DIR]
Prints every case where the detector and the expectation disagree, then precision and recall
for interviews (per event) and for interviewers (by address when one is expected, else by
normalised name), company accuracy, and how often names, titles and topics came out right.
Exits 1 when a precision or recall is below the target, so CI can run it as a gate.

A case is `<name>.ics` (calendar data) or `<name>.eml` (a whole message as the mailbox holds
it, read through plugin/sources/mail.py like the daemon reads INBOX, or Sent when the
expectation says `folder = "sent"`), with its expectation in `<name>.expected.toml`;
`corpus.toml` says who "me" is and what I applied for. tests/corpus/README.md describes the
format.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from afterword.plugin.config import Application
from afterword.plugin.detect import DetectionSettings, classify_event
from afterword.plugin.detect.names import name_key
from afterword.plugin.mailbox.headers import whole_message
from afterword.plugin.model import CalendarEvent, Identity, Interview, Interviewer
from afterword.plugin.sources.ical import parse_calendar
from afterword.plugin.sources.mail import invite_events

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "corpus"
TARGET = 0.95
# Every case is dated within this window (November-December 2026, with margin).
WINDOW = ("2026-10-01T00:00:00", "2027-02-01T00:00:00")


@dataclass(frozen=True)
class ExpectedPerson:
    name: str
    email: str | None = None
    title: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class Expected:
    is_interview: bool
    company: str = ""
    interviewers: tuple[ExpectedPerson, ...] = ()
    uid: str | None = None  # which event of the file, when it holds several


@dataclass
class Tally:
    """True positives, false positives and false negatives of one kind of finding."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        found = self.tp + self.fp
        return self.tp / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.tp + self.fn
        return self.tp / wanted if wanted else 1.0

    def line(self, label: str) -> str:
        return (f"{label:<13} precision {self.precision:.3f}  recall {self.recall:.3f}"
                f"  (tp {self.tp}, fp {self.fp}, fn {self.fn})")


@dataclass
class Ratio:
    right: int = 0
    checked: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.checked += 1

    @property
    def value(self) -> float:
        return self.right / self.checked if self.checked else 1.0

    def line(self, label: str) -> str:
        return f"{label:<13} {self.value:.3f}  ({self.right}/{self.checked})"


@dataclass
class Figures:
    cases: int = 0
    events: int = 0
    interviews: Tally = field(default_factory=Tally)
    interviewers: Tally = field(default_factory=Tally)
    companies: Ratio = field(default_factory=Ratio)
    names: Ratio = field(default_factory=Ratio)  # interviewers matched by address
    details: Ratio = field(default_factory=Ratio)  # expected titles and topics
    mismatches: list[str] = field(default_factory=list)

    @property
    def meets_target(self) -> bool:
        return all(
            value >= TARGET
            for tally in (self.interviews, self.interviewers)
            for value in (tally.precision, tally.recall)
        )

    def report(self) -> str:
        expected = self.interviews.tp + self.interviews.fn
        lines = [f"Detection corpus: {self.cases} cases, {self.events} events "
                 f"({expected} interviews, {self.events - expected} look-alikes)"]
        if self.mismatches:
            lines += ["", "Mismatches:", *(f"  {m}" for m in self.mismatches)]
        lines += [
            "",
            self.interviews.line("interviews"),
            self.interviewers.line("interviewers"),
            self.companies.line("company"),
            self.names.line("names"),
            self.details.line("titles/topics"),
            "",
            f"target {TARGET:.2f}: {'met' if self.meets_target else 'NOT met'}",
        ]
        return "\n".join(lines)


# --- loading -------------------------------------------------------------------------------


def load_settings(corpus_dir: Path) -> tuple[DetectionSettings, ZoneInfo]:
    """Detection settings from the corpus's `corpus.toml` ([me] and [[applications]])."""
    raw = tomllib.loads((corpus_dir / "corpus.toml").read_text(encoding="utf-8"))
    me = raw["me"]
    identity = Identity(me["name"], me["email"], tuple(me.get("aliases", ())))
    applications = tuple(
        Application(a["company"], a.get("role", ""), tuple(a.get("domains", ())))
        for a in raw.get("applications", ())
    )
    return DetectionSettings(me=identity, applications=applications), ZoneInfo(me["timezone"])


def _expected(table: dict[str, Any]) -> Expected:
    people = tuple(
        ExpectedPerson(p["name"], p.get("email"), p.get("title"), p.get("topic"))
        for p in table.get("interviewers", ())
    )
    return Expected(bool(table["is_interview"]), table.get("company", ""), people,
                    table.get("uid"))


def load_case(path: Path, zone: ZoneInfo) -> list[tuple[CalendarEvent, Expected]]:
    """Each event of one .ics case paired with what it should yield. One look-alike
    expectation without a `uid` covers every occurrence (a weekly 1:1 recurs)."""
    raw = tomllib.loads(path.with_suffix(".expected.toml").read_text(encoding="utf-8"))
    expectations = [_expected(t) for t in raw.get("events", ())] or [_expected(raw)]
    start, end = (datetime.fromisoformat(t).replace(tzinfo=zone) for t in WINDOW)
    events = parse_calendar(path.read_bytes(), start, end, zone, path.name)
    if len(expectations) == 1 and expectations[0].uid is None:
        only = expectations[0]
        if not only.is_interview and events:  # a recurring look-alike: every occurrence
            return [(event, only) for event in events]
        if len(events) != 1:
            raise ValueError(f"{path.name}: {len(events)} events but one expectation")
        return [(events[0], only)]
    by_uid = {e.uid: e for e in events}
    if set(by_uid) != {x.uid for x in expectations} or len(events) != len(expectations):
        raise ValueError(f"{path.name}: events and expectations name different UIDs")
    return [(by_uid[x.uid], x) for x in expectations if x.uid is not None]


def load_mail_case(path: Path, zone: ZoneInfo) -> list[tuple[list[CalendarEvent], Expected]]:
    """The events one .eml case yields, grouped by the expectation each should meet. One
    expectation without a `uid` covers every event of the message, which may be none (a
    look-alike whose text states no time); with `uid`s, each names one event."""
    raw = tomllib.loads(path.with_suffix(".expected.toml").read_text(encoding="utf-8"))
    expectations = [_expected(t) for t in raw.get("events", ())] or [_expected(raw)]
    folder = raw.get("folder", "inbox")
    start, end = (datetime.fromisoformat(t).replace(tzinfo=zone) for t in WINDOW)
    message = whole_message(path.read_bytes())
    events = invite_events([message], start, end, zone, folder=folder)
    if len(expectations) == 1 and expectations[0].uid is None:
        return [(events, expectations[0])]
    by_uid = {e.uid: e for e in events}
    if set(by_uid) != {x.uid for x in expectations} or len(events) != len(expectations):
        raise ValueError(f"{path.name}: events and expectations name different UIDs")
    return [([by_uid[x.uid]], x) for x in expectations if x.uid is not None]


def cases(corpus_dir: Path) -> Iterator[Path]:
    yield from sorted([*corpus_dir.glob("*.ics"), *corpus_dir.glob("*.eml")])


# --- scoring -------------------------------------------------------------------------------


def _matches(expected: ExpectedPerson, found: Interviewer) -> bool:
    if expected.email:
        return (found.email or "").casefold() == expected.email.casefold()
    return found.email is None and name_key(found.name) == name_key(expected.name)


def _same_text(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").casefold().split()) == " ".join((b or "").casefold().split())


def _score_people(
    label: str, wanted: Sequence[ExpectedPerson], found: Sequence[Interviewer], figures: Figures
) -> None:
    left = list(found)
    for person in wanted:
        hit = next((f for f in left if _matches(person, f)), None)
        if hit is None:
            figures.interviewers.fn += 1
            figures.mismatches.append(f"{label}: missed interviewer {_show(person)}")
            continue
        left.remove(hit)
        figures.interviewers.tp += 1
        if person.email:
            figures.names.add(name_key(hit.name) == name_key(person.name))
            if name_key(hit.name) != name_key(person.name):
                figures.mismatches.append(
                    f"{label}: name {hit.name!r} for {person.email}, expected {person.name!r}")
        for what, want, got in (("title", person.title, hit.title),
                                ("topic", person.topic, hit.topic)):
            if want is None:
                continue
            figures.details.add(_same_text(want, got))
            if not _same_text(want, got):
                figures.mismatches.append(
                    f"{label}: {what} of {hit.name} is {got!r}, expected {want!r}")
    for extra in left:
        figures.interviewers.fp += 1
        figures.mismatches.append(f"{label}: unexpected interviewer {_show(extra)}")


def _show(person: ExpectedPerson | Interviewer) -> str:
    return f"{person.name!r} <{person.email or 'no address'}>"


def score(label: str, expected: Expected, found: Interview | None, figures: Figures) -> None:
    """Add one event's outcome to the figures."""
    figures.events += 1
    if found is None:
        if expected.is_interview:
            figures.interviews.fn += 1
            figures.interviewers.fn += len(expected.interviewers)
            figures.mismatches.append(f"{label}: missed interview")
        return
    if not expected.is_interview:
        figures.interviews.fp += 1
        figures.interviewers.fp += len(found.interviewers)
        who = ", ".join(_show(i) for i in found.interviewers)
        figures.mismatches.append(f"{label}: look-alike taken for an interview with {who}")
        return
    figures.interviews.tp += 1
    _score_people(label, expected.interviewers, found.interviewers, figures)
    figures.companies.add(name_key(found.company) == name_key(expected.company))
    if name_key(found.company) != name_key(expected.company):
        figures.mismatches.append(
            f"{label}: company {found.company!r}, expected {expected.company!r}")


def evaluate(corpus_dir: Path = CORPUS_DIR) -> Figures:
    """Run the detector over every case in `corpus_dir` and score it."""
    settings, zone = load_settings(corpus_dir)
    figures = Figures()
    for path in cases(corpus_dir):
        figures.cases += 1
        if path.suffix == ".eml":
            groups = load_mail_case(path, zone)
        else:
            groups = [([event], expected) for event, expected in load_case(path, zone)]
        for events, expected in groups:
            label = path.stem if expected.uid is None else f"{path.stem}[{expected.uid}]"
            found = [iv for iv in (classify_event(e, settings) for e in events) if iv]
            score(label, expected, found[0] if found else None, figures)
            for extra in found[1:]:  # one message, one interview: the rest are false
                figures.interviews.fp += 1
                figures.interviewers.fp += len(extra.interviewers)
                figures.mismatches.append(f"{label}: another interview from the same "
                                          f"message, at {extra.start.isoformat()}")
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS_DIR)
    args = parser.parse_args(argv)
    figures = evaluate(args.corpus)
    print(figures.report())
    return 0 if figures.meets_target else 1


if __name__ == "__main__":
    sys.exit(main())
