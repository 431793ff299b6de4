"""`afterword recommend COMPANY`: a request to each chosen reference, and at once a short
thank-you, both as drafts, within the policy that keeps references from being burned.

Everything is checked and composed before anything is saved, so a refusal or a bad
address leaves the mailbox untouched. Each draft is looked up by its X-Afterword-Note id
before it is saved, and both rows are written in one transaction after both drafts exist:
a run cut short in between is finished by the next one, with nothing saved twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage

from afterword.plugin.compose.message import draft_message
from afterword.plugin.config import Config, Reference
from afterword.plugin.errors import UserError
from afterword.plugin.mailbox.base import Mailbox
from afterword.plugin.model import ComposedNote, stable_id
from afterword.plugin.references.compose import DraftContext, ReferenceComposer
from afterword.plugin.references.facts import (
    CompanyFacts,
    company_facts,
    interviews_with,
    match_company,
)
from afterword.plugin.references.policy import may_ask
from afterword.plugin.references.store import DraftRow, ReferenceStore
from afterword.plugin.state import State

DECISION_WINDOW = timedelta(days=7)  # "in the next week": when a reference's word counts


@dataclass(frozen=True)
class Asked:
    request: DraftRow
    thanks: DraftRow


@dataclass(frozen=True)
class Recommendation:
    company: str
    asked: list[Asked]
    overridden: list[str]  # the policy's reasons that --force set aside


def choose_references(config: Config, names: Sequence[str]) -> list[Reference]:
    """The references named (by name or address, any case), else all of them."""
    if not config.references:
        raise UserError(f"{config.path}: no [[references]] in the config; fix: add one "
                        "[[references]] table (name, email, relationship, notes) per person "
                        "who recommends you")
    if not names:
        return list(config.references)
    chosen: list[Reference] = []
    for wanted in names:
        key = " ".join(wanted.casefold().split())
        found = next((r for r in config.references
                      if key in (" ".join(r.name.casefold().split()), r.email.casefold())), None)
        if found is None:
            known = ", ".join(r.name for r in config.references)
            raise UserError(f"no reference named {wanted!r} in {config.path}; fix: use one "
                            f"of: {known}")
        if found not in chosen:
            chosen.append(found)
    return chosen


def company_context(config: Config, state: State, company: str, now: datetime
                    ) -> CompanyFacts:
    """The facts of a company I have finished interviewing with; UserError otherwise."""
    interviews = [row.interview for row in state.interviews()]
    name = match_company(company, interviews)
    finished = [iv for iv in interviews_with(name, interviews) if iv.finished(now)]
    if not finished:
        raise UserError(f"no interview with {name} has finished yet; fix: ask your "
                        "references after the interviews, when the team is deciding")
    return company_facts(name, finished)


def names_to_ignore(config: Config, state: State, store: ReferenceStore) -> list[str]:
    """Every person's name the uniqueness rule removes: references, interviewers, me."""
    names = [r.name for r in config.references]
    names += [row.reference for row in store.requests()]
    names += [note.interviewer.name for note in state.notes()]
    return [config.me.name, *config.notes.signature.splitlines(), *names]


def draft_context(config: Config, facts: CompanyFacts, reference: Reference, note_id: str,
                  now: datetime) -> DraftContext:
    return DraftContext(note_id=note_id, reference=reference, facts=facts, me=config.me,
                        signature=config.notes.signature, zone=config.zone,
                        decision_by=now + DECISION_WINDOW)


def recommend(config: Config, state: State, mailbox: Mailbox, company: str,
              names: Sequence[str], *, force: bool, now: datetime,
              composer: ReferenceComposer | None = None) -> Recommendation:
    references = choose_references(config, names)
    facts = company_context(config, state, company, now)
    store = ReferenceStore(state)
    policy = config.recommendations
    refusals = []
    for ref in references:
        verdict = may_ask(ref.name, store.asks(ref.name, ref.email), now,
                          policy.cooldown_days, policy.max_requests_per_quarter)
        if not verdict.allowed:
            refusals.append(verdict.reason)
    if refusals and not force:
        raise UserError("not asking anyone: " + "; ".join(refusals) + ". Fix: ask the others "
                        "with --reference NAME, or pass --force if this really is the one")

    composer = composer or ReferenceComposer(config.notes.templates_dir)
    ignore = names_to_ignore(config, state, store)
    request_bodies, thanks_bodies = store.bodies("request"), store.bodies("asked")
    planned = []
    for ref in references:
        n = store.count_requests(ref.email, facts.company)
        request_id = stable_id("reference-request", ref.email.lower(),
                               facts.company.casefold(), str(n))
        thanks_id = stable_id("reference-thanks", request_id)
        request = composer.request(draft_context(config, facts, ref, request_id, now),
                                   request_bodies, ignore)
        thanks = composer.thanks(draft_context(config, facts, ref, thanks_id, now),
                                 thanks_bodies, ignore)
        request_bodies.append(request.body)
        thanks_bodies.append(thanks.body)
        planned.append((ref, _row("reference_requests", "request", request_id, ref, facts,
                                  request, now),
                        _row("reference_thanks", "asked", thanks_id, ref, facts, thanks, now,
                             request_id)))
    messages = [(req, thx, draft_for(config, req, now), draft_for(config, thx, now))
                for _ref, req, thx in planned]

    ours = {d.note_id: d.ref for d in mailbox.drafts() if d.note_id}
    asked = []
    for req, thx, req_msg, thx_msg in messages:
        req_ref = ours.get(req.note_id) or mailbox.save_draft(req_msg)
        thx_ref = ours.get(thx.note_id) or mailbox.save_draft(thx_msg)
        saved = (_with_ref(req, req_ref), _with_ref(thx, thx_ref))
        store.record_request(*saved)
        asked.append(Asked(*saved))
    return Recommendation(facts.company, asked, refusals)


def _row(table: str, kind: str, note_id: str, ref: Reference, facts: CompanyFacts,
         composed: ComposedNote, now: datetime, request_id: str | None = None) -> DraftRow:
    return DraftRow(table=table, note_id=note_id, kind=kind, reference=ref.name,
                    email=ref.email, company=facts.company, drafted_at=now,
                    subject=composed.subject, body=composed.body, unique_ok=composed.unique,
                    overlap=composed.overlap, draft_ref=None, draft_status="saved",
                    request_id=request_id)


def _with_ref(row: DraftRow, ref: str) -> DraftRow:
    return replace(row, draft_ref=ref)


def draft_for(config: Config, row: DraftRow, now: datetime) -> EmailMessage:
    """The draft of `row`, from me to the reference, tagged with its note id."""
    try:
        return draft_message(note_id=row.note_id, me=config.me, to_name=row.reference,
                             to_email=row.email,
                             composed=ComposedNote(subject=row.subject, body=row.body),
                             date=now)
    except ValueError as exc:
        raise UserError(f"{config.path}: [references] the address of {row.reference} cannot "
                        f"be used in a draft ({exc}); fix: correct its email") from None
