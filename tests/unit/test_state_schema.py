"""The state file across versions: an older afterword's file is upgraded in place with its
notes intact; a newer one's is refused rather than misread."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from afterword.plugin.errors import ServiceError
from afterword.plugin.model import Interview, Interviewer
from afterword.plugin.state import SCHEMA_VERSION, State

NOW = datetime.fromisoformat("2026-11-24T17:05:00-05:00")

V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE interviews (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, company TEXT NOT NULL, role TEXT NOT NULL,
    start TEXT NOT NULL, "end" TEXT NOT NULL, timezone TEXT,
    location TEXT NOT NULL DEFAULT '', source_uid TEXT NOT NULL DEFAULT '',
    first_seen TEXT NOT NULL);
CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, name TEXT NOT NULL, email TEXT, title TEXT, topic TEXT,
    skip_reason TEXT, subject TEXT, body TEXT, unique_ok INTEGER, overlap REAL,
    draft_ref TEXT, draft_saved_at TEXT, draft_status TEXT, sent_at TEXT,
    flagged_stage TEXT);
CREATE TABLE warnings (
    interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    stage TEXT NOT NULL, delivered_at TEXT NOT NULL, PRIMARY KEY (interview_id, stage));
INSERT INTO meta VALUES ('schema', '1');
INSERT INTO interviews VALUES ('iv1', 'Onsite', 'Acme', 'Engineer',
    '2026-11-24T14:00:00-05:00', '2026-11-24T17:00:00-05:00', NULL, '', 'uid-1',
    '2026-11-18T09:00:00-05:00');
INSERT INTO notes (id, interview_id, position, name, email, draft_ref, draft_status,
    draft_saved_at) VALUES ('n1', 'iv1', 0, 'Priya Shah', NULL, 'key-1', 'saved',
    '2026-11-24T17:05:00-05:00');
"""


def interview(*people: Interviewer) -> Interview:
    return Interview(id="iv1", title="Onsite", company="Acme", role="Engineer",
                     start=datetime.fromisoformat("2026-11-24T14:00:00-05:00"),
                     end=datetime.fromisoformat("2026-11-24T17:00:00-05:00"),
                     interviewers=people)


def test_version_1_file_is_upgraded_with_its_drafts_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(V1)
    db.close()

    state = State(path)
    try:
        (row,) = state.interviews()
        assert row.origin == "calendar"
        (note,) = state.notes("iv1")
        assert (note.interviewer.name, note.draft_status, note.draft_ref) == (
            "Priya Shah", "saved", "key-1")
        assert note.suggested_email is None
        version = state.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        assert int(version[0]) == SCHEMA_VERSION
    finally:
        state.close()
    State(path).close()  # opening an upgraded file again changes nothing


def test_drafted_note_gains_an_address_but_keeps_its_name(tmp_path: Path) -> None:
    state = State(tmp_path / "state.sqlite3")
    try:
        state.save_interview(interview(Interviewer(name="Priya Shah")), NOW, ["n1"],
                             origin="mail")
        state.record_draft("n1", "key-1", NOW, "saved")
        state.save_interview(
            interview(Interviewer(name="Priya Shah-Rao", email="priya.shah@acme.com")), NOW,
            ["n1"], suggestions={"n1": "p.shah@acme.com"})
        (note,) = state.notes("iv1")
        assert note.interviewer.name == "Priya Shah"  # the draft already says this name
        assert note.interviewer.email == "priya.shah@acme.com"
        assert note.suggested_email == "p.shah@acme.com"
        assert state.interview("iv1") is not None
        assert state.interviews()[0].origin == "calendar"
    finally:
        state.close()


def test_undrafted_note_keeps_a_known_address_when_a_copy_lacks_it(tmp_path: Path) -> None:
    state = State(tmp_path / "state.sqlite3")
    try:
        state.save_interview(interview(Interviewer(name="Priya Shah",
                                                   email="priya.shah@acme.com")), NOW, ["n1"])
        state.save_interview(interview(Interviewer(name="Priya Shah")), NOW, ["n1"])
        (note,) = state.notes("iv1")
        assert note.interviewer.email == "priya.shah@acme.com"
    finally:
        state.close()


def test_file_from_a_newer_afterword_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    State(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value=? WHERE key='schema'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    with pytest.raises(ServiceError, match="newer afterword"):
        State(path)
