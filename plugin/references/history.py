"""Each reference's history and the offers, for `afterword status` (JSON and table)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from afterword.plugin.config import Config
from afterword.plugin.references.policy import may_ask
from afterword.plugin.references.store import DraftRow, ReferenceStore
from afterword.plugin.state import State


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat() if moment is not None else None


def history_data(config: Config, state: State | None, now: datetime) -> dict[str, Any]:
    """`references` (every configured reference, then any only the history knows) and
    `offers`, as status --json shows them."""
    zone = config.zone
    store = ReferenceStore.existing(state) if state is not None else None
    requests = store.requests() if store else []
    thanks = store.thanks() if store else []
    people: dict[str, dict[str, Any]] = {}
    for ref in config.references:
        people[ref.email.casefold()] = {"name": ref.name, "email": ref.email,
                                        "relationship": ref.relationship}
    for row in [*requests, *thanks]:
        people.setdefault(row.email.casefold(), {"name": row.reference, "email": row.email,
                                                 "relationship": ""})
    policy = config.recommendations
    for key, person in people.items():
        asked = [r for r in requests if r.email.casefold() == key]
        person["requests"] = [_draft(r, zone) for r in asked]
        person["thanked"] = [{**_draft(t, zone), "kind": t.kind} for t in thanks
                             if t.email.casefold() == key]
        verdict = may_ask(person["name"], store.asks(person["name"], person["email"])
                          if store else [], now, policy.cooldown_days,
                          policy.max_requests_per_quarter)
        person["may_ask_now"] = verdict.allowed
        person["next_ask_at"] = _local(verdict.next_possible, zone)
    offers = [{"company": o.company, "noticed_at": _local(o.noticed_at, zone),
               "confirmed_at": _local(o.confirmed_at, zone),
               "reminded_at": _local(o.reminded_at, zone)}
              for o in (store.offers() if store else [])]
    return {"references": list(people.values()), "offers": offers}


def _draft(row: DraftRow, zone: ZoneInfo) -> dict[str, Any]:
    request = row.kind == "request"
    found = {"id": row.note_id, "company": row.company,
             "asked_at" if request else "drafted_at": _local(row.drafted_at, zone),
             "draft_state": row.draft_status, "sent_at": _local(row.sent_at, zone),
             "subject": row.subject}
    if not request:
        found["request_id"] = row.request_id
    return found


def has_history(data: dict[str, Any]) -> bool:
    return bool(data.get("offers")) or any(
        p["requests"] or p["thanked"] for p in data.get("references", []))
