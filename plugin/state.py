"""What afterword remembers between cycles, in SQLite (WAL).

Each step is one short transaction, written right after its side effect in the mailbox.
The mailbox itself is the second half of the record: a draft carries its note id in a
header, a warning its interview and stage, so a crash between a side effect and its row is
recovered by looking in the mailbox before acting again.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from afterword.plugin.errors import ServiceError
from afterword.plugin.model import Interview, Interviewer, Stage

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS interviews (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    company TEXT NOT NULL,
    role TEXT NOT NULL,
    start TEXT NOT NULL,
    "end" TEXT NOT NULL,
    timezone TEXT,
    location TEXT NOT NULL DEFAULT '',
    source_uid TEXT NOT NULL DEFAULT '',
    first_seen TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'calendar'  -- calendar; mail: known only from an invitation
);
CREATE TABLE IF NOT EXISTS notes (
    id TEXT PRIMARY KEY,
    interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    title TEXT,
    topic TEXT,
    skip_reason TEXT,
    subject TEXT,
    body TEXT,
    unique_ok INTEGER,
    overlap REAL,
    draft_ref TEXT,
    draft_saved_at TEXT,
    draft_status TEXT,          -- NULL: not saved yet; saved; user_edited; deleted
    sent_at TEXT,
    flagged_stage TEXT,
    greeting TEXT,
    suggested_email TEXT        -- a guess from the company's address pattern, never used as To
);
CREATE INDEX IF NOT EXISTS notes_by_interview ON notes(interview_id);
CREATE TABLE IF NOT EXISTS warnings (
    interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (interview_id, stage)
);
"""
# Steps from each older schema to the next; a fresh file gets SCHEMA as it is now.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: (
        "ALTER TABLE interviews ADD COLUMN origin TEXT NOT NULL DEFAULT 'calendar'",
        "ALTER TABLE notes ADD COLUMN greeting TEXT",
        "ALTER TABLE notes ADD COLUMN suggested_email TEXT",
    ),
}


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class NoteRow:
    id: str
    interview_id: str
    position: int
    interviewer: Interviewer
    skip_reason: str | None
    subject: str | None
    body: str | None
    unique_ok: bool | None
    overlap: float | None
    draft_ref: str | None
    draft_saved_at: datetime | None
    draft_status: str | None
    sent_at: datetime | None
    flagged_stage: Stage | None

    suggested_email: str | None = None

    @property
    def needs_address(self) -> bool:
        return not self.interviewer.email


@dataclass(frozen=True)
class InterviewRow:
    interview: Interview
    first_seen: datetime
    origin: str = "calendar"  # "mail": known from an invitation email only


class State:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not path.exists()
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
            if fresh:
                os.chmod(path, 0o600)  # holds names and addresses of the people I met
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.Error as exc:
            raise ServiceError(f"cannot open the state file {path}: {exc}") from None
        except OSError as exc:
            raise ServiceError(f"cannot create the state file {path}: {exc.strerror}") from None

    def _migrate(self) -> None:
        row = self.db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        version = None
        if row is not None:
            found = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            version = int(found["value"]) if found else None
        if version is not None and version > SCHEMA_VERSION:
            raise ServiceError(
                f"the state file {self.path} was written by a newer afterword "
                f"(schema {version}); upgrade afterword"
            )
        if version is not None and version < SCHEMA_VERSION:
            with self.transaction() as db:  # all steps or none, so a crash leaves v(n)
                for step in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in MIGRATIONS[step]:
                        db.execute(statement)
                db.execute("UPDATE meta SET value=? WHERE key='schema'", (str(SCHEMA_VERSION),))
        # executescript commits on its own, so it runs outside an explicit transaction.
        self.db.executescript(SCHEMA)
        if version is None:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)",
                            (str(SCHEMA_VERSION),))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    # --- interviews ---------------------------------------------------------------------

    def interviews(self) -> list[InterviewRow]:
        rows = self.db.execute('SELECT * FROM interviews ORDER BY start, id').fetchall()
        return [self._interview(r) for r in rows]

    def interview(self, interview_id: str) -> InterviewRow | None:
        row = self.db.execute("SELECT * FROM interviews WHERE id=?", (interview_id,)).fetchone()
        return self._interview(row) if row else None

    def _interview(self, r: sqlite3.Row) -> InterviewRow:
        interviewers = tuple(n.interviewer for n in self.notes(r["id"]))
        return InterviewRow(
            interview=Interview(
                id=r["id"], title=r["title"], company=r["company"], role=r["role"],
                start=datetime.fromisoformat(r["start"]),
                end=datetime.fromisoformat(r["end"]),
                interviewers=interviewers, timezone=r["timezone"],
                source_uid=r["source_uid"], location=r["location"],
            ),
            first_seen=datetime.fromisoformat(r["first_seen"]),
            origin=r["origin"],
        )

    def save_interview(self, iv: Interview, now: datetime, note_ids: list[str], *,
                       origin: str = "calendar",
                       suggestions: dict[str, str] | None = None) -> None:
        """Insert or update an interview and the notes for its interviewers.

        Notes already drafted keep their name, title and topic (the draft says them); they
        only gain an address they lacked, so a send to it is noticed. Notes for people no
        longer on the invite are dropped only while nothing was drafted for them.
        `suggestions` maps note ids to a guessed address, shown and never used as To.
        """
        suggestions = suggestions or {}
        with self.transaction() as db:
            db.execute(
                'INSERT INTO interviews (id, title, company, role, start, "end", timezone, '
                "location, source_uid, first_seen, origin) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET title=excluded.title, company=excluded.company,"
                ' role=excluded.role, start=excluded.start, "end"=excluded."end",'
                " timezone=excluded.timezone, location=excluded.location,"
                " origin=excluded.origin",
                (iv.id, iv.title, iv.company, iv.role, iv.start.isoformat(),
                 iv.end.isoformat(), iv.timezone, iv.location, iv.source_uid, now.isoformat(),
                 origin),
            )
            for position, (note_id, person) in enumerate(
                zip(note_ids, iv.interviewers, strict=True)
            ):
                db.execute(
                    "INSERT INTO notes (id, interview_id, position, name, email, title, topic,"
                    " greeting, suggested_email) VALUES (?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT(id) DO UPDATE SET position=excluded.position,"
                    " suggested_email=excluded.suggested_email,"
                    " email=CASE WHEN notes.draft_status IS NULL"
                    "  THEN COALESCE(excluded.email, notes.email)"
                    "  ELSE COALESCE(notes.email, excluded.email) END,"
                    " name=CASE WHEN notes.draft_status IS NULL THEN excluded.name"
                    "  ELSE notes.name END,"
                    " title=CASE WHEN notes.draft_status IS NULL THEN excluded.title"
                    "  ELSE notes.title END,"
                    " topic=CASE WHEN notes.draft_status IS NULL THEN excluded.topic"
                    "  ELSE notes.topic END,"
                    " greeting=CASE WHEN notes.draft_status IS NULL THEN excluded.greeting"
                    "  ELSE notes.greeting END",
                    (note_id, iv.id, position, person.name, person.email, person.title,
                     person.topic, person.greeting,
                     suggestions.get(note_id)),
                )
            marks = ",".join("?" * len(note_ids))
            db.execute(
                f"DELETE FROM notes WHERE interview_id=? AND draft_status IS NULL "
                f"AND id NOT IN ({marks})",
                (iv.id, *note_ids),
            )

    def forget_interview(self, interview_id: str) -> bool:
        """Drop an interview that was cancelled or moved off the calendar, unless a draft
        was already saved for it. True when it was dropped."""
        with self.transaction() as db:
            drafted = db.execute(
                "SELECT 1 FROM notes WHERE interview_id=? AND draft_status IS NOT NULL",
                (interview_id,),
            ).fetchone()
            if drafted:
                return False
            db.execute("DELETE FROM interviews WHERE id=?", (interview_id,))
            return True

    # --- notes --------------------------------------------------------------------------

    def notes(self, interview_id: str | None = None) -> list[NoteRow]:
        if interview_id is None:
            rows = self.db.execute("SELECT * FROM notes ORDER BY interview_id, position")
        else:
            rows = self.db.execute(
                "SELECT * FROM notes WHERE interview_id=? ORDER BY position", (interview_id,)
            )
        return [self._note(r) for r in rows.fetchall()]

    def note(self, note_id: str) -> NoteRow | None:
        row = self.db.execute("SELECT * FROM notes WHERE id=?", (note_id,)).fetchone()
        return self._note(row) if row else None

    @staticmethod
    def _note(r: sqlite3.Row) -> NoteRow:
        return NoteRow(
            id=r["id"], interview_id=r["interview_id"], position=r["position"],
            interviewer=Interviewer(name=r["name"], email=r["email"], title=r["title"],
                                    topic=r["topic"], greeting=r["greeting"]),
            skip_reason=r["skip_reason"], subject=r["subject"], body=r["body"],
            unique_ok=None if r["unique_ok"] is None else bool(r["unique_ok"]),
            overlap=r["overlap"], draft_ref=r["draft_ref"],
            draft_saved_at=_dt(r["draft_saved_at"]), draft_status=r["draft_status"],
            sent_at=_dt(r["sent_at"]),
            flagged_stage=Stage(r["flagged_stage"]) if r["flagged_stage"] else None,
            suggested_email=r["suggested_email"],
        )

    def company_bodies(self, company: str, exclude_note: str) -> list[str]:
        """Bodies of every note already composed for this company, for the uniqueness rule."""
        rows = self.db.execute(
            "SELECT n.body FROM notes n JOIN interviews i ON i.id = n.interview_id "
            "WHERE lower(i.company) = lower(?) AND n.body IS NOT NULL AND n.id != ?",
            (company, exclude_note),
        ).fetchall()
        return [r["body"] for r in rows]

    def company_names(self, company: str) -> list[str]:
        rows = self.db.execute(
            "SELECT n.name FROM notes n JOIN interviews i ON i.id = n.interview_id "
            "WHERE lower(i.company) = lower(?)",
            (company,),
        ).fetchall()
        return [r["name"] for r in rows]

    def record_composed(
        self, note_id: str, subject: str, body: str, unique_ok: bool, overlap: float
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE notes SET subject=?, body=?, unique_ok=?, overlap=? WHERE id=?",
                (subject, body, int(unique_ok), overlap, note_id),
            )

    def record_draft(self, note_id: str, ref: str, saved_at: datetime, status: str) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE notes SET draft_ref=?, draft_saved_at=COALESCE(draft_saved_at, ?),"
                " draft_status=? WHERE id=?",
                (ref, saved_at.isoformat(), status, note_id),
            )

    def record_draft_status(self, note_id: str, status: str, ref: str | None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE notes SET draft_status=?, draft_ref=? WHERE id=?",
                       (status, ref, note_id))

    def record_skip(self, note_id: str, reason: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE notes SET skip_reason=? WHERE id=?", (reason, note_id))

    def record_sent(self, note_id: str, sent_at: datetime) -> None:
        with self.transaction() as db:
            db.execute("UPDATE notes SET sent_at=? WHERE id=? AND sent_at IS NULL",
                       (sent_at.isoformat(), note_id))

    def record_flagged(self, note_id: str, stage: Stage) -> None:
        with self.transaction() as db:
            db.execute("UPDATE notes SET flagged_stage=? WHERE id=?", (stage.value, note_id))

    # --- warnings -----------------------------------------------------------------------

    def warnings(self, interview_id: str) -> dict[Stage, datetime]:
        rows = self.db.execute(
            "SELECT stage, delivered_at FROM warnings WHERE interview_id=?", (interview_id,)
        ).fetchall()
        return {Stage(r["stage"]): datetime.fromisoformat(r["delivered_at"]) for r in rows}

    def record_warning(self, interview_id: str, stage: Stage, at: datetime) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO warnings VALUES (?,?,?)",
                       (interview_id, stage.value, at.isoformat()))
