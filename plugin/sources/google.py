"""Google Calendar through the official API (events.list with singleEvents=True).

Google expands recurring events itself, so each instance arrives with `recurringEventId`
and `originalStartTime`. Conversion follows the ICS source's conventions, so the same
event read from Google's ICS export or from the API yields the same CalendarEvent and the
same interview id:
- `uid` is the event's iCalUID; `recurrence_id` the instance's original start in UTC,
  ISO 8601 (the plain date for all-day instances), "" for single events;
- a timed event's zone is its `start.timeZone`, else the calendar's time zone; UTC is
  no zone (`timezone=None`), as for a 'Z' time in a file;
- all-day events run from midnight to midnight in the calendar's zone (else the user's),
  with `timezone=None`;
- attendees: responseStatus → PARTSTAT, `optional` → OPT-PARTICIPANT, `resource` →
  CUTYPE RESOURCE (INDIVIDUAL otherwise, as Google's own export says).
A malformed event is skipped with a logged warning; it never hides the others.

Incremental: the first read of a calendar lists a generous window (from the asked start to
HORIZON beyond its end) and keeps the events with the `nextSyncToken`; later
reads ask only for what changed since (`syncToken`: one request when nothing did), apply it
and answer from memory. A token Google no longer accepts (410 Gone), a window the first
read did not cover, or a calendar whose time zone changed means a full read again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from afterword.auth.scopes import CALENDAR_SCOPES
from afterword.auth.token_store import TokenStore
from afterword.plugin.errors import UserError
from afterword.plugin.google_api import DEFAULT_RETRY, GoogleApi, GoogleApiError, RetryPolicy
from afterword.plugin.model import Attendee, CalendarEvent, distinct_attendees, zone_named

if TYPE_CHECKING:
    from afterword.plugin.config import CalendarConfig

log = logging.getLogger("afterword.sources.google")

PAGE_SIZE = 1000  # events per page (Google allows up to 2500)
# How far beyond the asked window a full read goes, so that windows moving forward with the
# clock are answered incrementally for that long before the next full read.
HORIZON = timedelta(days=30)
MAX_PAGES = 100
DESCRIBE_DAYS = 14
MAX_DESCRIPTION = 100_000  # as the ICS source keeps
MAX_TEXT = 2_000
_PARTSTAT = {"accepted": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE",
             "needsaction": "NEEDS-ACTION"}
_STATUS = {"confirmed": "CONFIRMED", "tentative": "TENTATIVE", "cancelled": "CANCELLED"}
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "GMT",
                        "Etc/GMT", "Z"})


@dataclass
class _Synced:
    """One calendar as last read: its events by Google's event id, and how to go on."""

    token: str
    start: datetime
    end: datetime
    zone_name: str
    events: dict[str, CalendarEvent] = field(default_factory=dict)

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end


class GoogleCalendarSource:
    """Events of one or more Google calendars (`calendar_ids`, "primary" by default)."""

    kind = "google"

    def __init__(self, api: GoogleApi, calendar_ids: Sequence[str] = ("primary",),
                 default_zone: ZoneInfo | None = None, page_size: int = PAGE_SIZE) -> None:
        self.api = api
        self.calendar_ids = tuple(calendar_ids) or ("primary",)
        self.default_zone = default_zone or ZoneInfo("UTC")
        self.page_size = page_size
        self._synced: dict[str, _Synced] = {}
        self._events: tuple[Any, Any] | None = None  # (service, its events() resource)

    @classmethod
    def from_config(cls, cfg: CalendarConfig, default_zone: ZoneInfo, *,
                    retry: RetryPolicy | None = None) -> GoogleCalendarSource:
        if cfg.token_file is None:
            raise UserError("[calendar.token_file] is not set; fix: set it, or leave it out "
                            "to use the default, then run `afterword auth google`")
        api = GoogleApi(TokenStore(cfg.token_file), CALENDAR_SCOPES, endpoint=cfg.api_endpoint,
                        retry=retry or DEFAULT_RETRY)
        return cls(api, cfg.calendar_ids, default_zone)

    def events(self, start: datetime, end: datetime) -> list[CalendarEvent]:
        found: list[CalendarEvent] = []
        for calendar_id in self.calendar_ids:
            synced = self._sync(calendar_id, start, end)
            found += [e for e in synced.events.values() if e.overlaps(start, end)]
        found.sort(key=lambda e: (e.start.astimezone(UTC), e.uid, e.recurrence_id))
        return found

    def _sync(self, calendar_id: str, start: datetime, end: datetime) -> _Synced:
        """The calendar brought up to date: changes only, when that can be done."""
        synced = self._synced.get(calendar_id)
        if synced is not None and synced.covers(start, end):
            try:
                if self._apply_changes(calendar_id, synced):
                    return synced
            except GoogleApiError as exc:
                if exc.status != 410:
                    raise
                log.info("google:%s: sync token expired; reading the calendar afresh",
                         calendar_id)
        self._synced.pop(calendar_id, None)
        synced = self._full_sync(calendar_id, start, end + HORIZON)
        if synced.token:
            self._synced[calendar_id] = synced
        return synced

    def _full_sync(self, calendar_id: str, start: datetime, end: datetime) -> _Synced:
        synced = _Synced("", start, end, "")
        for page in self._pages(calendar_id, start, end):
            synced.zone_name = str(page.get("timeZone") or synced.zone_name)
            self._apply(calendar_id, synced, page.get("items") or [])
            synced.token = str(page.get("nextSyncToken") or "")
        return synced

    def _apply_changes(self, calendar_id: str, synced: _Synced) -> bool:
        """Apply what changed since the token; False when a full read is needed instead."""
        events = self._events_resource()
        page_token: str | None = None
        for _ in range(MAX_PAGES):
            page = self.api.execute(events.list(
                calendarId=calendar_id, singleEvents=True, syncToken=synced.token,
                maxResults=self.page_size, pageToken=page_token))
            if str(page.get("timeZone") or synced.zone_name) != synced.zone_name:
                return False  # all-day and floating events would move: read them again
            self._apply(calendar_id, synced, page.get("items") or [])
            page_token = page.get("nextPageToken")
            if not page_token:
                synced.token = str(page.get("nextSyncToken") or "")
                return bool(synced.token)
        return False

    def _events_resource(self) -> Any:
        """events() of the Calendar service, made once per service: building a resource
        costs milliseconds of CPU, every cycle of a daemon."""
        service = self.api.service("calendar")
        if self._events is None or self._events[0] is not service:
            self._events = (service, service.events())
        return self._events[1]

    def _apply(self, calendar_id: str, synced: _Synced, items: list[Any]) -> None:
        zone = zone_named(synced.zone_name)
        source = f"google:{calendar_id}"
        for item in items:
            if not isinstance(item, dict) or not item.get("id"):
                continue
            key = str(item["id"])
            synced.events.pop(key, None)
            if item.get("status") == "cancelled":
                # a cancelled series may arrive as its master only: drop its instances too
                for other in [k for k in synced.events if k.startswith(key + "_")]:
                    del synced.events[other]
                continue
            try:
                event = to_event(item, zone, self.default_zone, source)
            except (KeyError, TypeError, ValueError, OverflowError) as exc:
                log.warning("%s: skipping event %s: %s", source, key,
                            " ".join(str(exc).split())[:200] or type(exc).__name__)
                continue
            if event.overlaps(synced.start, synced.end):
                synced.events[key] = event

    def describe(self) -> list[str]:
        start = datetime.now(UTC)
        end = start + timedelta(days=DESCRIBE_DAYS)
        lines = [f"{self.api.where('calendar')}: {len(self.calendar_ids)} calendar(s) used, "
                 f"token {self.api.store.path}"]
        for calendar_id in self.calendar_ids:
            summary, zone, events = self._calendar(calendar_id, start, end)
            lines.append(f"  {calendar_id} ({summary or 'untitled'}, {zone or 'no time zone'})"
                         f": {len(events)} event(s) in the next {DESCRIBE_DAYS} days")
        return lines

    def close(self) -> None:
        self.api.close()

    def _calendar(self, calendar_id: str, start: datetime, end: datetime
                  ) -> tuple[str, str, list[CalendarEvent]]:
        """(calendar name, its zone, its events overlapping [start, end))."""
        summary, zone_name = "", ""
        events: list[CalendarEvent] = []
        for page in self._pages(calendar_id, start, end):
            summary = str(page.get("summary") or summary)
            zone_name = str(page.get("timeZone") or zone_name)
            zone = zone_named(zone_name)
            source = f"google:{calendar_id}"
            for item in page.get("items") or []:
                if not isinstance(item, dict) or item.get("status") == "cancelled":
                    continue
                try:
                    event = to_event(item, zone, self.default_zone, source)
                except (KeyError, TypeError, ValueError, OverflowError) as exc:
                    log.warning("%s: skipping event %s: %s", source, item.get("id", "?"),
                                " ".join(str(exc).split())[:200] or type(exc).__name__)
                    continue
                if event.overlaps(start, end):
                    events.append(event)
        return summary, zone_name, events

    def _pages(self, calendar_id: str, start: datetime, end: datetime
               ) -> Iterator[dict[str, Any]]:
        events = self._events_resource()
        token: str | None = None
        for _ in range(MAX_PAGES):
            request = events.list(calendarId=calendar_id, singleEvents=True, showDeleted=False,
                                  timeMin=_rfc3339(start), timeMax=_rfc3339(end),
                                  maxResults=self.page_size, pageToken=token)
            try:
                page = self.api.execute(request)
            except GoogleApiError as exc:
                if exc.status == 404:
                    raise UserError(f"[calendar.calendar_ids] Google has no calendar "
                                    f"{calendar_id!r} for this account; fix: use \"primary\" "
                                    "or an id from the calendar's settings page") from None
                raise
            yield page
            token = page.get("nextPageToken")
            if not token:
                return
        log.warning("google:%s kept returning pages; stopped after %d", calendar_id, MAX_PAGES)


def to_event(item: dict[str, Any], calendar_zone: ZoneInfo | None, default_zone: ZoneInfo,
             source: str) -> CalendarEvent:
    """One events.list item as a CalendarEvent; raises on an event without usable times."""
    start_field, end_field = item["start"], item.get("end") or item["start"]
    all_day = "dateTime" not in start_field
    if all_day:
        day_zone = calendar_zone or default_zone
        start = _midnight(start_field["date"], day_zone)
        end = _midnight(end_field["date"], day_zone) if "date" in end_field else \
            start + timedelta(days=1)
        own_zone = None
    else:
        own_zone = _own_zone(start_field.get("timeZone"), calendar_zone)
        start = _instant(start_field["dateTime"], own_zone)
        end = _instant(end_field["dateTime"], own_zone) if "dateTime" in end_field else start
    if end < start:
        raise ValueError(f"ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    return CalendarEvent(
        uid=str(item.get("iCalUID") or item["id"]),
        start=start,
        end=end,
        summary=_text(item.get("summary"), MAX_TEXT),
        description=_text(item.get("description"), MAX_DESCRIPTION),
        location=_text(item.get("location"), MAX_TEXT),
        recurrence_id=_recurrence_id(item, calendar_zone or default_zone),
        all_day=all_day,
        timezone=own_zone,
        status=_STATUS.get(str(item.get("status", "confirmed")).lower(), "CONFIRMED"),
        organizer=_person(item["organizer"]) if isinstance(item.get("organizer"), dict)
        else None,
        attendees=_attendees(item.get("attendees")),
        source=source,
    )


def _attendees(values: Any) -> tuple[Attendee, ...]:
    listed = values if isinstance(values, list) else []
    return distinct_attendees(_person(v) for v in listed if isinstance(v, dict))


def _person(value: dict[str, Any]) -> Attendee:
    email = str(value.get("email") or "").strip().lower()
    name = " ".join(str(value.get("displayName") or "").split())
    if name.lower() == email:
        name = ""
    status = str(value.get("responseStatus") or "").replace("_", "").lower()
    return Attendee(
        email=email if "@" in email else "",
        name=name,
        partstat=_PARTSTAT.get(status, ""),
        role="OPT-PARTICIPANT" if value.get("optional") else "REQ-PARTICIPANT",
        cutype="RESOURCE" if value.get("resource") else "INDIVIDUAL",
    )


def _recurrence_id(item: dict[str, Any], zone: ZoneInfo) -> str:
    if not item.get("recurringEventId"):
        return ""
    original = item.get("originalStartTime") or item["start"]
    if "dateTime" in original:
        return datetime.fromisoformat(original["dateTime"]).astimezone(UTC).isoformat()
    return date.fromisoformat(original["date"]).isoformat()


def _own_zone(event_zone: object, calendar_zone: ZoneInfo | None) -> str | None:
    """The event's IANA zone: its own, else its calendar's; None for UTC and unknowns."""
    named = zone_named(str(event_zone)) if event_zone else None
    chosen = named or calendar_zone
    if chosen is None or chosen.key in _UTC_NAMES:
        return None
    return chosen.key


def _instant(value: str, own_zone: str | None) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:  # Google always gives an offset; be safe anyway
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(own_zone)) if own_zone else moment


def _midnight(value: str, zone: ZoneInfo) -> datetime:
    return datetime.combine(date.fromisoformat(value), time(0), zone)


def _text(value: object, limit: int) -> str:
    return str(value).replace("\r\n", "\n")[:limit] if value else ""


def _rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("Google Calendar windows need timezone-aware datetimes")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
