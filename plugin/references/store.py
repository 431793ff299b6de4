"""The references' history, in three tables of the same SQLite state file.

The tables are created here (CREATE TABLE IF NOT EXISTS) when a store is opened on a State,
so State's own schema and API stay as they are and an older state file simply gains them.
As for notes, each mailbox side effect is written right after it happens, and the drafts
carry their id in `X-Afterword-Note`, so a crash in between is recovered by looking first.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from afterword.plugin.references.policy import Ask
from afterword.plugin.state import State

SCHEMA = """
CREATE TABLE IF NOT EXISTS reference_requests (
    note_id TEXT PRIMARY KEY,
    reference TEXT NOT NULL,        -- the reference's name, as configured when asked
    email TEXT NOT NULL,
    company TEXT NOT NULL,          -- as the interviews spell it
    asked_at TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    unique_ok INTEGER NOT NULL,
    overlap REAL NOT NULL,
    draft_ref TEXT,
    draft_status TEXT NOT NULL DEFAULT 'saved',  -- saved, user_edited, deleted, sent
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS reference_requests_by_email ON reference_requests(email);
CREATE TABLE IF NOT EXISTS reference_thanks (
    note_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,             -- asked: drafted with the request; offer: with the news
    reference TEXT NOT NULL,
    email TEXT NOT NULL,
    company TEXT NOT NULL,
    request_id TEXT,
    drafted_at TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    unique_ok INTEGER NOT NULL,
    overlap REAL NOT NULL,
    draft_ref TEXT,
    draft_status TEXT NOT NULL DEFAULT 'saved',
    sent_at TEXT
);
CREATE TABLE IF NOT EXISTS offers (
    company TEXT PRIMARY KEY COLLATE NOCASE,
    noticed_at TEXT,                -- an email looked like an offer (a guess)
    source_message_id TEXT,         -- that email's Message-ID
    confirmed_at TEXT,              -- `afterword offer COMPANY`
    reminded_at TEXT                -- the card-and-gift reminder is in the inbox
);
"""

DRAFT_TABLES = ("reference_requests", "reference_thanks")
OPEN_STATES = ("saved", "user_edited")  # a draft that may still change or be sent


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class DraftRow:
    """A request or a thank-you drafted to a reference."""

    table: str  # one of DRAFT_TABLES
    note_id: str
    kind: str  # "request", "asked" or "offer"
    reference: str
    email: str
    company: str
    drafted_at: datetime  # for a request: when it was asked
    subject: str
    body: str
    unique_ok: bool
    overlap: float
    draft_ref: str | None
    draft_status: str
    sent_at: datetime | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class OfferRow:
    company: str
    noticed_at: datetime | None
    source_message_id: str | None
    confirmed_at: datetime | None
    reminded_at: datetime | None


class ReferenceStore:
    def __init__(self, state: State, *, create: bool = True) -> None:
        self.state = state
        self.db = state.db
        if create:
            self.db.executescript(SCHEMA)  # commits on its own: outside any transaction

    @classmethod
    def existing(cls, state: State) -> ReferenceStore | None:
        """The store when its tables exist, without writing anything (for `status`)."""
        found = state.db.execute(
            "SELECT count(*) AS n FROM sqlite_master WHERE type='table' AND name IN "
            "('reference_requests', 'reference_thanks', 'offers')").fetchone()
        return cls(state, create=False) if int(found["n"]) == 3 else None

    # --- requests and thanks ------------------------------------------------------------

    def requests(self, company: str | None = None) -> list[DraftRow]:
        return self._rows("reference_requests", company)

    def thanks(self, company: str | None = None, kind: str | None = None) -> list[DraftRow]:
        rows = self._rows("reference_thanks", company)
        return [r for r in rows if kind is None or r.kind == kind]

    def draft(self, note_id: str) -> DraftRow | None:
        for table in DRAFT_TABLES:
            row = self.db.execute(f"SELECT * FROM {table} WHERE note_id=?",
                                  (note_id,)).fetchone()
            if row is not None:
                return _draft_row(table, row)
        return None

    def _rows(self, table: str, company: str | None) -> list[DraftRow]:
        order = "asked_at" if table == "reference_requests" else "drafted_at"
        if company is None:
            rows = self.db.execute(f"SELECT * FROM {table} ORDER BY {order}, note_id")
        else:
            rows = self.db.execute(
                f"SELECT * FROM {table} WHERE lower(company)=lower(?) "
                f"ORDER BY {order}, note_id", (company,))
        return [_draft_row(table, r) for r in rows.fetchall()]

    def asks(self, name: str, email: str) -> list[Ask]:
        """Every earlier request to this person, found by name or by address (so renaming
        a reference in the config does not reset their history)."""
        rows = self.db.execute(
            "SELECT company, asked_at FROM reference_requests "
            "WHERE lower(reference)=lower(?) OR lower(email)=lower(?) ORDER BY asked_at",
            (name, email),
        ).fetchall()
        return [Ask(r["company"], datetime.fromisoformat(r["asked_at"])) for r in rows]

    def count_requests(self, email: str, company: str) -> int:
        row = self.db.execute(
            "SELECT count(*) AS n FROM reference_requests "
            "WHERE lower(email)=lower(?) AND lower(company)=lower(?)", (email, company),
        ).fetchone()
        return int(row["n"])

    def bodies(self, kind: str) -> list[str]:
        """Every body of one kind of draft, for the uniqueness rule."""
        if kind == "request":
            rows = self.db.execute("SELECT body FROM reference_requests")
        else:
            rows = self.db.execute("SELECT body FROM reference_thanks WHERE kind=?", (kind,))
        return [r["body"] for r in rows.fetchall()]

    def record_request(self, request: DraftRow, thanks: DraftRow) -> None:
        """The request and its thank-you, in one transaction once both drafts are saved."""
        with self.state.transaction() as db:
            self._insert(db, request)
            self._insert(db, thanks)

    def record_thanks(self, thanks: DraftRow) -> None:
        with self.state.transaction() as db:
            self._insert(db, thanks)

    @staticmethod
    def _insert(db: sqlite3.Connection, row: DraftRow) -> None:
        values = (row.note_id, row.reference, row.email, row.company,
                  row.drafted_at.isoformat(), row.subject, row.body, int(row.unique_ok),
                  row.overlap, row.draft_ref, row.draft_status)
        if row.table == "reference_requests":
            db.execute(
                "INSERT OR IGNORE INTO reference_requests (note_id, reference, email, "
                "company, asked_at, subject, body, unique_ok, overlap, draft_ref, "
                "draft_status) VALUES (?,?,?,?,?,?,?,?,?,?,?)", values)
        else:
            db.execute(
                "INSERT OR IGNORE INTO reference_thanks (note_id, reference, email, company, "
                "drafted_at, subject, body, unique_ok, overlap, draft_ref, draft_status, "
                "kind, request_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*values, row.kind, row.request_id))

    def record_draft_state(self, row: DraftRow, status: str, ref: str | None,
                           sent_at: datetime | None = None) -> None:
        with self.state.transaction() as db:
            db.execute(
                f"UPDATE {row.table} SET draft_status=?, draft_ref=?, "
                "sent_at=COALESCE(sent_at, ?) WHERE note_id=?",
                (status, ref, sent_at.isoformat() if sent_at else None, row.note_id))

    # --- offers -------------------------------------------------------------------------

    def offers(self) -> list[OfferRow]:
        rows = self.db.execute(
            "SELECT * FROM offers ORDER BY COALESCE(confirmed_at, noticed_at), company")
        return [_offer_row(r) for r in rows.fetchall()]

    def offer(self, company: str) -> OfferRow | None:
        row = self.db.execute("SELECT * FROM offers WHERE company=?", (company,)).fetchone()
        return _offer_row(row) if row else None

    def notice_offer(self, company: str, at: datetime, message_id: str) -> None:
        with self.state.transaction() as db:
            db.execute(
                "INSERT INTO offers (company, noticed_at, source_message_id) VALUES (?,?,?) "
                "ON CONFLICT(company) DO UPDATE SET noticed_at=COALESCE(noticed_at, "
                "excluded.noticed_at), source_message_id=COALESCE(source_message_id, "
                "excluded.source_message_id)",
                (company, at.isoformat(), message_id or None))

    def confirm_offer(self, company: str, at: datetime) -> bool:
        """Record the offer as confirmed; False when it already was."""
        with self.state.transaction() as db:
            known = db.execute("SELECT confirmed_at FROM offers WHERE company=?",
                               (company,)).fetchone()
            if known is not None and known["confirmed_at"]:
                return False
            db.execute(
                "INSERT INTO offers (company, confirmed_at) VALUES (?,?) "
                "ON CONFLICT(company) DO UPDATE SET confirmed_at=excluded.confirmed_at",
                (company, at.isoformat()))
            return True

    def record_reminded(self, company: str, at: datetime) -> None:
        with self.state.transaction() as db:
            db.execute("UPDATE offers SET reminded_at=COALESCE(reminded_at, ?) WHERE company=?",
                       (at.isoformat(), company))

    # --- bookkeeping --------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        with self.state.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def _draft_row(table: str, r: sqlite3.Row) -> DraftRow:
    request = table == "reference_requests"
    return DraftRow(
        table=table, note_id=r["note_id"], kind="request" if request else r["kind"],
        reference=r["reference"], email=r["email"], company=r["company"],
        drafted_at=datetime.fromisoformat(r["asked_at" if request else "drafted_at"]),
        subject=r["subject"], body=r["body"], unique_ok=bool(r["unique_ok"]),
        overlap=r["overlap"], draft_ref=r["draft_ref"], draft_status=r["draft_status"],
        sent_at=_dt(r["sent_at"]), request_id=None if request else r["request_id"],
    )


def _offer_row(r: sqlite3.Row) -> OfferRow:
    return OfferRow(company=r["company"], noticed_at=_dt(r["noticed_at"]),
                    source_message_id=r["source_message_id"],
                    confirmed_at=_dt(r["confirmed_at"]), reminded_at=_dt(r["reminded_at"]))
