"""What became of the drafts to references: still saved, edited, sent or deleted.

Run from each cycle while a draft is young; it only reads the mailbox. As with notes, a
draft the user edited or deleted is theirs: it is never touched, only recorded. A request
and its thank-you go to the same person, so a message found in Sent is matched to the
oldest gone draft to that address that it could be (requests are usually sent first).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from afterword.plugin.mailbox.base import Mailbox
from afterword.plugin.model import DraftInfo, Identity, SentMessage
from afterword.plugin.references.store import OPEN_STATES, DraftRow, ReferenceStore

TRACK_WINDOW = timedelta(days=60)  # older drafts keep the state they had


def track_drafts(store: ReferenceStore, mailbox: Mailbox, me: Identity, now: datetime) -> None:
    rows = [r for r in [*store.requests(), *store.thanks()]
            if r.draft_status in OPEN_STATES and r.draft_ref and r.drafted_at <= now
            and now - r.drafted_at <= TRACK_WINDOW]
    if not rows:
        return
    drafts = mailbox.drafts()
    ours = {d.note_id: d for d in drafts if d.note_id}
    theirs = [d for d in drafts if not d.note_id]
    gone: list[DraftRow] = []
    for row in rows:
        if row.note_id in ours:
            if ours[row.note_id].ref != row.draft_ref:  # moved: a new UID, the same draft
                store.record_draft_state(row, row.draft_status, ours[row.note_id].ref)
        elif any(d.ref == row.draft_ref for d in theirs):  # edited in place, header gone
            if row.draft_status != "user_edited":
                store.record_draft_state(row, "user_edited", row.draft_ref)
        else:
            gone.append(row)
    if gone:
        _settle(store, mailbox, me, now, gone, theirs)


def _settle(store: ReferenceStore, mailbox: Mailbox, me: Identity, now: datetime,
            gone: list[DraftRow], theirs: list[DraftInfo]) -> None:
    """Drafts no longer in Drafts: sent when Sent holds a message to that person after it
    was drafted, edited when the user has their own draft to them, else deleted."""
    since = min(r.drafted_at for r in gone)
    sent = sorted((m for m in mailbox.sent_to(sorted({r.email for r in gone}), since)
                   if m.sender in me.addresses and m.date <= now), key=lambda m: m.date)
    claimed_sent: set[int] = set()
    claimed_drafts: set[str] = set()
    for row in sorted(gone, key=lambda r: (r.drafted_at, r.kind != "request", r.note_id)):
        message = _first(sent, row, claimed_sent)
        if message is not None:
            store.record_draft_state(row, "sent", row.draft_ref, message.date)
            continue
        own = next((d for d in theirs if row.email.lower() in d.to
                    and d.ref not in claimed_drafts), None)
        if own is not None:
            claimed_drafts.add(own.ref)
            if (row.draft_status, row.draft_ref) != ("user_edited", own.ref):
                store.record_draft_state(row, "user_edited", own.ref)
        else:
            store.record_draft_state(row, "deleted", None)


def _first(sent: list[SentMessage], row: DraftRow, claimed: set[int]) -> SentMessage | None:
    """The oldest unclaimed message to the row's person sent after it was drafted."""
    for i, message in enumerate(sent):
        if i not in claimed and row.email.lower() in message.to and message.date >= row.drafted_at:
            claimed.add(i)
            return message
    return None
