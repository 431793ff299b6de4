"""What `afterword status` shows: every known interview, its notes, their states and due
times, as the contract's JSON or as a table for people."""

from __future__ import annotations

import shlex
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from afterword.plugin.config import Config
from afterword.plugin.engine import interview_schedule, note_state
from afterword.plugin.model import NoteState
from afterword.plugin.references.history import has_history, history_data
from afterword.plugin.state import State


def _local(dt: datetime | None, zone: ZoneInfo) -> str | None:
    return dt.astimezone(zone).isoformat() if dt is not None else None


def status_data(config: Config, state: State | None, now: datetime) -> dict[str, Any]:
    zone = config.zone
    interviews: list[dict[str, Any]] = []
    for row in state.interviews() if state else []:
        iv = row.interview
        schedule = interview_schedule(config, iv)
        notes = []
        for note in state.notes(iv.id) if state else []:
            person = note.interviewer
            notes.append({
                "id": note.id,
                "interviewer": {"name": person.name, "email": person.email,
                                "title": person.title, "topic": person.topic},
                "state": note_state(note, iv, schedule, now).value,
                "draft_saved_at": _local(note.draft_saved_at, zone),
                "sent_at": _local(note.sent_at, zone),
                "needs_address": note.needs_address,
                "suggested_address": note.suggested_email if note.needs_address else None,
                "skip_reason": note.skip_reason,
                "draft": note.draft_status,
                "unique": note.unique_ok,
            })
        interviews.append({
            "id": iv.id, "title": iv.title, "company": iv.company, "role": iv.role,
            "start": iv.start.astimezone(zone).isoformat(),
            "end": iv.end.astimezone(zone).isoformat(),
            "due": schedule.due.astimezone(zone).isoformat(),
            "notes": notes,
        })
    return {"now": now.astimezone(zone).isoformat(), "interviews": interviews,
            **history_data(config, state, now)}


def _until(due: datetime, now: datetime) -> str:
    delta = due - now
    sign = "" if delta >= timedelta(0) else "-"
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    text = f"{days}d {hours}h" if days else f"{hours}h {minutes:02d}m"
    return f"in {text}" if not sign else f"{text} ago"


STATE_STYLE = {
    NoteState.PENDING.value: "dim", NoteState.DRAFTED.value: "yellow",
    NoteState.SENT.value: "green", NoteState.LATE.value: "magenta",
    NoteState.OVERDUE.value: "bold red", NoteState.SKIPPED.value: "dim",
}


def status_table(data: dict[str, Any]) -> Table:
    now = datetime.fromisoformat(data["now"])
    table = Table(title="afterword status", expand=False)
    for column in ("interview", "when", "interviewer", "state", "due"):
        table.add_column(column)
    for iv in data["interviews"]:
        start = datetime.fromisoformat(iv["start"])
        due = datetime.fromisoformat(iv["due"])
        label = f"{iv['company']}: {iv['title']}" if iv["company"] else iv["title"]
        for i, note in enumerate(iv["notes"]):
            person = note["interviewer"]
            guess = note.get("suggested_address")
            who = person["name"] + (f" <{person['email']}>" if person["email"]
                                    else f" (needs address; {guess}?)" if guess
                                    else " (needs address)")
            state = note["state"]
            shown = f"[{STATE_STYLE.get(state, '')}]{state}[/]"
            if note["skip_reason"]:
                shown += escape(f" ({note['skip_reason']})")
            elif note["draft"] in ("user_edited", "deleted"):
                shown += f" (draft {note['draft'].replace('_', ' ')})"
            due_text = "" if state in ("sent", "late", "skipped") else _until(due, now)
            when = start.strftime("%a %d %b %H:%M")
            table.add_row(escape(label) if i == 0 else "", when if i == 0 else "",
                          escape(who), shown, due_text)
        if not iv["notes"]:
            table.add_row(escape(label), start.strftime("%a %d %b %H:%M"), "-", "-", "")
    return table


def references_table(data: dict[str, Any]) -> Table:
    """One row per request: who was asked about which company, and what became of the
    request and the thank-you drafts."""
    table = Table(title="references", expand=False)
    for column in ("reference", "company", "asked", "request", "thanks"):
        table.add_column(column)
    offers = {o["company"].casefold(): o for o in data.get("offers", [])}
    for person in data["references"]:
        for i, request in enumerate(person["requests"]):
            asked = datetime.fromisoformat(request["asked_at"]).strftime("%a %d %b")
            company = request["company"]
            thanks = ", ".join(
                f"{'news' if t['kind'] == 'offer' else 'thanks'} {t['draft_state']}"
                for t in person["thanked"] if t["company"].casefold() == company.casefold()
                and (t["kind"] == "offer" or t["request_id"] == request["id"]))
            offer = offers.get(company.casefold())
            if offer and offer["confirmed_at"]:
                company += " (offer)"
            table.add_row(escape(person["name"]) if i == 0 else "", escape(company), asked,
                          request["draft_state"].replace("_", " "), escape(thanks))
    return table


def print_status(data: dict[str, Any], console: Console) -> None:
    if not data["interviews"]:
        console.print("No interviews known yet.")
    else:
        console.print(status_table(data))
    if has_history(data):
        console.print(references_table(data))
    for offer in data.get("offers", []):
        if offer["confirmed_at"] is None:
            console.print(escape(f"{offer['company']}: an email looked like an offer; "
                                 f"confirm with: afterword offer {shlex.quote(offer['company'])}"))
