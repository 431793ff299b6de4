"""One cycle of afterword's job: calendar → interviews → drafts → sent check → warnings.

The engine takes `now` as an argument and never sleeps; the daemon decides when to call it.
Every side effect in the mailbox is looked up there before it is repeated (a draft by its
X-Afterword-Note header, a warning by its X-Afterword-Warning header), and recorded in the
state right after it happens, so a crash at any point leaves nothing to duplicate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from afterword.plugin.compose import (
    Composer,
    NoteContext,
    WarningLine,
    draft_message,
    warning_message,
)
from afterword.plugin.compose.render import NoteComposer
from afterword.plugin.config import Config
from afterword.plugin.deadline import Schedule, schedule_for
from afterword.plugin.detect import classify_event, greeting_name
from afterword.plugin.detect.address_book import AddressBook
from afterword.plugin.detect.addressing import (
    address_interviewers,
    conversation_domains,
    employer_domains,
)
from afterword.plugin.detect.corrections import apply_corrections
from afterword.plugin.detect.merge import (
    company_key,
    rescheduled,
    same_interviewer,
    same_slot,
    split_block,
    with_interviewers_of,
    within_block,
)
from afterword.plugin.detect.settings import detection_settings
from afterword.plugin.mailbox.base import Mailbox
from afterword.plugin.model import (
    CalendarEvent,
    ComposedNote,
    DraftInfo,
    Interview,
    Interviewer,
    NoteState,
    Stage,
    stable_id,
)
from afterword.plugin.sources.base import CalendarSource
from afterword.plugin.sources.mail import invite_events
from afterword.plugin.sources.parse import PARSE_HERE, CalendarParser
from afterword.plugin.state import NoteRow, State

log = logging.getLogger("afterword.engine")

LOOKBACK = timedelta(days=10)  # interviews that ended this long ago are still read
LOOKAHEAD = timedelta(days=30)  # upcoming interviews shown by `status`
LATE_WINDOW = timedelta(days=7)  # a send this long after the due time still counts as late
MAIL_EVERY = timedelta(minutes=15)  # INBOX and Sent are read for invitations at most this often
MAIL_LOOKBACK = timedelta(days=30)  # invitations arrive days or weeks before the interview
MAIL_MARGIN = timedelta(minutes=5)  # overlap between two reads of new mail

UNSENT_STATES = (NoteState.DRAFTED, NoteState.OVERDUE)


def note_id_for(interview: Interview, interviewer_key: str) -> str:
    return stable_id(interview.id, interviewer_key)


@dataclass
class CycleReport:
    """What one cycle did, for the CLI to print and the log to summarise."""

    interviews: int = 0
    drafts: list[tuple[Interview, NoteRow]] = field(default_factory=list)
    sent: list[tuple[NoteRow, datetime]] = field(default_factory=list)
    flagged: int = 0
    warnings: list[tuple[Interview, Stage, list[WarningLine]]] = field(default_factory=list)
    user_changes: list[tuple[NoteRow, str]] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)  # companies whose offer seems to be in

    @property
    def did_something(self) -> bool:
        return bool(self.drafts or self.sent or self.flagged or self.warnings
                    or self.user_changes or self.offers)


def interview_schedule(config: Config, interview: Interview) -> Schedule:
    d = config.deadline
    return schedule_for(interview.end, config.zone, interview.timezone, d.nudge_at,
                        d.final_warning_hours)


def note_state(note: NoteRow, interview: Interview, schedule: Schedule, now: datetime) -> NoteState:
    """The contract's note state, derived rather than stored so it can never go stale."""
    if note.skip_reason:
        return NoteState.SKIPPED
    if note.sent_at is not None:
        return NoteState.SENT if note.sent_at <= schedule.due else NoteState.LATE
    if not interview.finished(now):
        return NoteState.PENDING
    if now >= schedule.due:
        return NoteState.OVERDUE
    return NoteState.DRAFTED


class Engine:
    def __init__(
        self,
        config: Config,
        source: CalendarSource,
        mailbox: Mailbox,
        state: State,
        composer: NoteComposer | None = None,
        parse: CalendarParser = PARSE_HERE,
    ) -> None:
        self.config = config
        self.source = source
        self.mailbox = mailbox
        self.state = state
        self.composer: NoteComposer = composer or Composer(config.notes.templates_dir)
        self.parse = parse  # mailed invitations' calendar parts
        self.detection = detection_settings(config)
        self._mail_events: dict[str, CalendarEvent] = {}  # mailed invitations, by occurrence
        self._book = AddressBook()  # who is who, from the headers of the mail read for them
        self._mail_read_at: datetime | None = None
        self._mail_arrived = False  # the mailbox said new mail came: read it next cycle

    def schedule(self, interview: Interview) -> Schedule:
        return interview_schedule(self.config, interview)

    # --- the cycle ----------------------------------------------------------------------

    def cycle(self, now: datetime) -> CycleReport:
        report = CycleReport()
        try:
            self.sync_calendar(now, report)
            self.check_sent(now, report)
            self.reconcile_drafts(now, report)
        finally:  # the daemon's helper process never outlives a cycle
            self.composer.close()
            self.parse.close()
        self.warn(now, report)
        self.notice_offers(now, report)
        return report

    def sync_calendar(self, now: datetime, report: CycleReport) -> None:
        start, end = now - LOOKBACK, now + LOOKAHEAD
        seen: dict[str, Interview] = {}
        present: set[str] = set()  # every occurrence in the calendar, interview or not
        for event in self.source.events(start, end):
            present.add(event.interview_id)
            try:
                interview = classify_event(event, self.detection)
            except Exception:  # one odd event must never stop the cycle
                log.exception("event skipped: could not classify uid=%s", event.uid)
                continue
            if interview is not None:
                seen[interview.id] = interview
        mail_domains: dict[str, list[str]] = {}  # company key → domains its mail shows
        from_mail, withdrawn = self._add_mail_interviews(now, start, end, present, seen,
                                                         mail_domains)
        self._adopt_stored_copies(seen, from_mail)
        report.interviews = len(seen)
        for interview in seen.values():
            interview, ids = self._with_note_ids(interview)
            interview = apply_corrections(interview, self.config.corrections)
            domains = employer_domains(interview, self.config.applications,
                                       self.detection.work_domains,
                                       mail_domains.get(company_key(interview.company), ()))
            interview, guesses = address_interviewers(interview, ids, self._book, domains)
            self.state.save_interview(interview, now, ids, suggestions=guesses,
                                      origin="mail" if interview.id in from_mail else "calendar")
        for row in self.state.interviews():
            known = row.interview
            if known.id in seen:
                continue
            # Still in the calendar (or mailed again) but no longer an interview (cancelled,
            # declined): forget it, even when the change is noticed after its end. Gone from
            # the calendar: only before its end, since some feeds drop past events. Known from
            # mail only: kept until mail cancels it, since old mail leaves the window read.
            gone = known.id in present or known.id in withdrawn
            removed = (row.origin == "calendar" and start <= known.start < end
                       and not known.finished(now))
            if (gone or removed) and self.state.forget_interview(known.id):
                log.info("interview dropped: id=%s title=%r (cancelled, declined or moved)",
                         known.id, known.title)

    def _add_mail_interviews(self, now: datetime, start: datetime, end: datetime,
                             present: set[str], seen: dict[str, Interview],
                             mail_domains: dict[str, list[str]]) -> tuple[set[str], set[str]]:
        """Invitations found in mail (plugin/sources/mail.py), merged into `seen`: the
        calendar's copy of the same occurrence (same UID, or same slot and company) wins and
        gains the interviewers only the mail names; a block mailed as one event whose
        sessions the calendar holds one by one is shared out among them; an invitation a
        later mail moved to another slot gives way to it (merge.rescheduled). Returns the ids
        known from mail alone, and the ids mail withdrew (a cancellation, a decline) or
        folded into another copy. `mail_domains` gains, per company, the domains seen in
        the conversation around its invitations."""
        from_mail: set[str] = set()
        withdrawn: set[str] = set()
        found: list[tuple[CalendarEvent, Interview]] = []
        for event in self._invitations(now):
            if event.interview_id in present or not (event.end > start and event.start < end):
                continue
            try:
                interview = classify_event(event, self.detection)
            except Exception:
                log.exception("mail invitation skipped: could not classify uid=%s", event.uid)
                continue
            if interview is None:
                withdrawn.add(event.interview_id)
            else:
                found.append((event, interview))
        moved = rescheduled([(iv, e.mail.sent_at if e.mail else None) for e, iv in found])
        withdrawn |= moved
        for event, interview in found:
            if interview.id in moved:
                continue
            mail_domains.setdefault(company_key(interview.company), []).extend(
                conversation_domains(self._book, event))
            twin = seen.get(interview.id) or next(
                (iv for iv in seen.values() if same_slot(iv, interview)), None)
            if twin is not None:
                seen[twin.id] = with_interviewers_of(twin, interview)
                if twin.id != interview.id:
                    withdrawn.add(interview.id)
                continue
            sessions = sorted((iv for iv in seen.values() if within_block(interview, iv)),
                              key=lambda iv: iv.start)
            if sessions:
                for session in split_block(interview, sessions):
                    seen[session.id] = session
                withdrawn.add(interview.id)
                continue
            seen[interview.id] = interview
            from_mail.add(interview.id)
        return from_mail, withdrawn

    def _adopt_stored_copies(self, seen: dict[str, Interview], from_mail: set[str]) -> None:
        """An interview first stored from one copy keeps its id when only another copy is
        read now (the calendar's event after the mailed invitation, or the other way round),
        so its notes, drafts and warnings carry on instead of starting again."""
        rows = self.state.interviews()
        known = {row.interview.id for row in rows}
        stored = [row.interview for row in rows if row.interview.id not in seen]
        for key, interview in list(seen.items()):
            if key in known:
                continue
            earlier = next((iv for iv in stored if same_slot(iv, interview)), None)
            if earlier is None:
                continue
            stored.remove(earlier)
            del seen[key]
            seen[earlier.id] = replace(interview, id=earlier.id)
            if key in from_mail:
                from_mail.discard(key)
                from_mail.add(earlier.id)

    def _with_note_ids(self, interview: Interview) -> tuple[Interview, list[str]]:
        """Each interviewer's note id. A person whose key changed (an address learned for
        someone known by name, or lost when only the mailed copy names them) keeps the note
        they already have, so they never get a second draft; two listings that come to the
        same note are one person, listed once."""
        stored = {n.id: n.interviewer for n in self.state.notes(interview.id)}
        direct = [note_id_for(interview, p.key) for p in interview.interviewers]
        taken = {nid for nid in direct if nid in stored}
        people: list[Interviewer] = []
        ids: list[str] = []
        for person, note_id in zip(interview.interviewers, direct, strict=True):
            if note_id not in stored:
                note_id = next((nid for nid, known in stored.items()
                                if nid not in taken and same_interviewer(known, person)),
                               note_id)
                taken.add(note_id)
            if note_id in ids:
                continue
            people.append(person)
            ids.append(note_id)
        return replace(interview, interviewers=tuple(people)), ids

    def mail_arrived(self) -> None:
        """New mail reached INBOX or Sent (the daemon's IMAP IDLE watcher says so): the next
        cycle reads it for invitations without waiting out MAIL_EVERY."""
        self._mail_arrived = True

    def _invitations(self, now: datetime) -> list[CalendarEvent]:
        """Calendar events mailed to me, read at most every MAIL_EVERY, or at once when the
        mailbox announced new mail. The first read covers MAIL_LOOKBACK; later ones only what
        arrived since the last (a few minutes' margin), which the backends answer from memory
        while the folder is unchanged. A failed read fails the cycle like any other mailbox
        call, so a refused login is reported once."""
        read_at = self._mail_read_at
        if read_at is not None and read_at <= now < read_at + MAIL_EVERY and (
                not self._mail_arrived):
            return list(self._mail_events.values())
        self._mail_arrived = False
        fresh = read_at is None or now < read_at
        since = now - MAIL_LOOKBACK if fresh or read_at is None else read_at - MAIL_MARGIN
        if fresh:
            self._mail_events = {}
            self._book = AddressBook()
        start, end = now - LOOKBACK, now + LOOKAHEAD + MAIL_EVERY
        zone = self.config.zone
        inbox = self.mailbox.recent_messages("inbox", since)
        sent = self.mailbox.recent_messages("sent", since)
        self._book = self._book.merge(AddressBook.from_messages([*inbox, *sent],
                                                                self.config.me))
        for event in (invite_events(inbox, start, end, zone, folder="inbox", parse=self.parse)
                      + invite_events(sent, start, end, zone, folder="sent", parse=self.parse)):
            self._mail_events[event.interview_id] = event  # a later message updates it
        for key in [k for k, e in self._mail_events.items() if e.end <= start]:
            del self._mail_events[key]
        self._mail_read_at = now
        return list(self._mail_events.values())

    def _open_notes(self, now: datetime) -> list[tuple[Interview, NoteRow]]:
        """Notes of started interviews still worth watching: not skipped, not yet sent."""
        result = []
        for row in self.state.interviews():
            iv = row.interview
            if iv.start > now or now > self.schedule(iv).due + LATE_WINDOW:
                continue
            for note in self.state.notes(iv.id):
                if note.sent_at is None and not note.skip_reason:
                    result.append((iv, note))
        return result

    def check_sent(self, now: datetime, report: CycleReport) -> None:
        candidates = [(iv, n) for iv, n in self._open_notes(now) if n.interviewer.email]
        if not candidates:
            return
        since = min(iv.start for iv, _ in candidates)
        addresses = sorted({n.interviewer.email or "" for _, n in candidates})
        mine = self.config.me.addresses
        messages = [m for m in self.mailbox.sent_to(addresses, since)
                    if m.sender in mine and m.date <= now]
        for iv, note in candidates:
            address = (note.interviewer.email or "").lower()
            dates = [m.date for m in messages if address in m.to and m.date >= iv.start]
            if dates:
                sent_at = min(dates)
                self.state.record_sent(note.id, sent_at)
                report.sent.append((note, sent_at))
                log.info("note sent: note=%s at=%s", note.id, sent_at.isoformat())

    def reconcile_drafts(self, now: datetime, report: CycleReport) -> None:
        work = [(iv, n) for iv, n in self._open_notes(now) if iv.finished(now)]
        if not work:
            return
        drafts = self.mailbox.drafts()
        ours = {d.note_id: d for d in drafts if d.note_id}
        theirs = [d for d in drafts if not d.note_id]
        for iv, note in work:
            if note.draft_status is None:
                self._create_draft(iv, note, now, ours, theirs, report)
            else:
                self._verify_draft(note, ours, theirs, report)

    def _user_draft_to(self, note: NoteRow, theirs: list[DraftInfo]) -> DraftInfo | None:
        address = (note.interviewer.email or "").lower()
        if not address:
            return None
        return next((d for d in theirs if address in d.to), None)

    def _create_draft(
        self, iv: Interview, note: NoteRow, now: datetime, ours: dict[str, DraftInfo],
        theirs: list[DraftInfo], report: CycleReport,
    ) -> None:
        found = ours.get(note.id)
        if found is not None:  # saved before a crash, or by another run
            self.state.record_draft(note.id, found.ref, now, "saved")
            return
        own = self._user_draft_to(note, theirs)
        if own is not None:  # the user already wrote to this person: theirs stands
            self.state.record_draft(note.id, own.ref, now, "user_edited")
            report.user_changes.append((note, "the user's own draft already exists"))
            return
        known = self.state.interview(iv.id)
        if known is not None and known.first_seen > self.schedule(iv).due:
            self.state.record_skip(note.id, "found after its due time had passed")
            return
        composed = self._composed(iv, note)
        try:
            message = draft_message(
                note_id=note.id, me=self.config.me, to_name=note.interviewer.name,
                to_email=note.interviewer.email, composed=composed, date=now,
            )
        except ValueError as exc:  # an address no mail client could use
            log.warning("note skipped: note=%s reason=%s", note.id, exc)
            self.state.record_skip(note.id, f"unusable address: {exc}")
            return
        ref = self.mailbox.save_draft(message)
        self.state.record_draft(note.id, ref, now, "saved")
        saved = self.state.note(note.id)
        if saved is not None:
            report.drafts.append((iv, saved))
        log.info("draft saved: note=%s interview=%s", note.id, iv.id)

    def _composed(self, iv: Interview, note: NoteRow) -> ComposedNote:
        """The note's text: composed once, then always the same from the state."""
        if note.subject is not None and note.body is not None:
            return ComposedNote(subject=note.subject, body=note.body,
                                unique=bool(note.unique_ok), overlap=note.overlap or 0.0)
        composed = self.composer.compose(
            NoteContext(
                note_id=note.id, interviewer=note.interviewer,
                greeting_name=greeting_name(note.interviewer), interview=iv,
                me=self.config.me, signature=self.config.notes.signature,
                others=tuple(p.name for p in iv.interviewers if p.key != note.interviewer.key),
            ),
            self.state.company_bodies(iv.company, note.id),
            names=self.state.company_names(iv.company),
        )
        if not composed.unique:
            log.warning("note not unique enough: note=%s overlap=%.2f", note.id,
                        composed.overlap)
        self.state.record_composed(note.id, composed.subject, composed.body, composed.unique,
                                   composed.overlap)
        return composed

    def _verify_draft(
        self, note: NoteRow, ours: dict[str, DraftInfo], theirs: list[DraftInfo],
        report: CycleReport,
    ) -> None:
        """Notice the user's edits and deletions; never undo them."""
        if note.draft_status == "deleted":
            return
        if note.id in ours:
            if ours[note.id].ref != note.draft_ref:
                self.state.record_draft_status(note.id, "saved", ours[note.id].ref)
            return
        if any(d.ref == note.draft_ref for d in theirs):
            # Same draft, our header gone: edited in place (as Gmail does), perhaps to add the
            # address we did not know.
            if note.draft_status != "user_edited":
                self.state.record_draft_status(note.id, "user_edited", note.draft_ref)
                report.user_changes.append((note, "edited by the user"))
            return
        replacement = self._user_draft_to(note, theirs)
        if replacement is not None:
            self.state.record_draft_status(note.id, "user_edited", replacement.ref)
            report.user_changes.append((note, "edited by the user"))
            log.info("draft edited by the user: note=%s", note.id)
        else:
            self.state.record_draft_status(note.id, "deleted", None)
            report.user_changes.append((note, "deleted by the user"))
            log.info("draft deleted by the user: note=%s (not recreated)", note.id)

    def warn(self, now: datetime, report: CycleReport) -> None:
        delivered_keys: set[str] | None = None
        for row in self.state.interviews():
            iv = row.interview
            if not iv.finished(now):
                continue
            schedule = self.schedule(iv)
            stage = schedule.reached(now)
            if stage is None or now > schedule.due + LATE_WINDOW:
                continue
            done = self.state.warnings(iv.id)
            if any(s.rank >= stage.rank for s in done):
                continue
            notes = self.state.notes(iv.id)
            unsent = [n for n in notes if note_state(n, iv, schedule, now) in UNSENT_STATES]
            if not unsent:
                continue
            for note in unsent:
                if note.draft_ref and note.draft_status in ("saved", "user_edited") and (
                    note.flagged_stage is None or note.flagged_stage.rank < stage.rank
                ):
                    if self.mailbox.flag_draft(note.draft_ref):
                        report.flagged += 1
                    self.state.record_flagged(note.id, stage)
            key = f"{iv.id}:{stage.value}"
            if delivered_keys is None:
                delivered_keys = self.mailbox.warnings_delivered()
            lines = [
                WarningLine(name=n.interviewer.name, email=n.interviewer.email,
                            state=note_state(n, iv, schedule, now).value,
                            needs_address=n.needs_address,
                            suggested_address=n.suggested_email)
                for n in unsent
            ]
            if key not in delivered_keys:
                self.mailbox.deliver_warning(warning_message(
                    me=self.config.me, interview=iv, stage=stage, lines=lines,
                    due=schedule.due, now=now, zone=self.config.zone,
                ))
                report.warnings.append((iv, stage, lines))
                log.info("warning delivered: interview=%s stage=%s", iv.id, stage.value)
            self.state.record_warning(iv.id, stage, now)

    def notice_offers(self, now: datetime, report: CycleReport) -> None:
        """Drafts to references followed, offer emails noticed (references/offers.py)."""
        if not self.config.references:
            return
        from afterword.plugin.references.offers import follow_up

        report.offers += follow_up(self.config, self.mailbox, self.state, now)

    def next_event(self, now: datetime) -> datetime | None:
        """The next instant something can happen without any new mail or calendar change:
        an interview ending or a warning stage falling."""
        upcoming: list[datetime] = []
        for row in self.state.interviews():
            iv = row.interview
            if not iv.finished(now):
                upcoming.append(iv.end)
            elif (nxt := self.schedule(iv).next_after(now)) is not None:
                upcoming.append(nxt)
        return min(upcoming) if upcoming else None
