"""CalDAV calendars (Radicale, Nextcloud, Fastmail, iCloud, ...) as a CalendarSource.

Each calendar is asked for its raw objects in the window with one calendar-query REPORT, and
every object goes through the same ICS conversion as a calendar file, so recurrence
expansion, TZIDs, attendee parameters and CN decoding behave identically for both sources.
Server-side expansion (CALDAV:expand) is deliberately not used: RFC 4791 returns expanded
instances in UTC without their VTIMEZONE, which would lose the event's own time zone that
the deadline depends on.

One PROPFIND on the calendar home per call lists the calendars with their change tags
(getctag, else sync-token); a calendar whose tag is unchanged since the last REPORT is
answered from memory, so a quiet calendar costs one request per cycle whatever its size.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from afterword.plugin.errors import ServiceError, UserError
from afterword.plugin.model import CalendarEvent
from afterword.plugin.sources.ics import parse_calendar

if TYPE_CHECKING:
    from caldav.davclient import DAVClient

    from afterword.plugin.config import CalendarConfig

log = logging.getLogger(__name__)

# The server cannot place all-day and floating events in our zone, so ask for a day more on
# each side; the ICS conversion cuts the result to the exact window.
MARGIN = timedelta(days=1)
# Fetch this much further ahead, so a window that moves forward with the clock is still
# answered from memory while the calendar is unchanged.
AHEAD = timedelta(days=1)
DESCRIBE_DAYS = 14  # the window `describe()` counts events in, from now

_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")
_CALDAV_CALENDAR = "{urn:ietf:params:xml:ns:caldav}calendar"
_COMPONENTS = "{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set"
_CTAG = "{http://calendarserver.org/ns/}getctag"
_SYNC_TOKEN = "{DAV:}sync-token"
_DISPLAYNAME = "{DAV:}displayname"
_RESOURCETYPE = "{DAV:}resourcetype"
# Written out by hand: caldav's PROPFIND builder silently drops CS:getctag.
_LIST_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"'
    ' xmlns:CS="http://calendarserver.org/ns/"><D:prop>'
    "<D:resourcetype/><D:displayname/><C:supported-calendar-component-set/>"
    "<CS:getctag/><D:sync-token/>"
    "</D:prop></D:propfind>"
)


@dataclass(frozen=True)
class CalendarInfo:
    """One calendar collection as the server lists it."""

    name: str  # display name; the URL id when the calendar has none
    id: str  # last segment of the collection URL
    url: str
    tag: str  # getctag, else sync-token; "" when the server offers neither

    def matches(self, wanted: str) -> bool:
        w = wanted.strip().casefold()
        return w in (self.name.casefold(), self.id.casefold())


@dataclass(frozen=True)
class _Fetched:
    """The raw objects one REPORT returned, and for which tag and window."""

    tag: str
    start: datetime
    end: datetime
    objects: tuple[bytes, ...]

    def covers(self, tag: str, start: datetime, end: datetime) -> bool:
        return (bool(tag) and tag == self.tag
                and self.start <= start - MARGIN and end + MARGIN <= self.end)


class CalDavSource:
    """Events from the calendars of one CalDAV account."""

    kind = "caldav"

    def __init__(
        self,
        url: str,
        username: str | None,
        password: str | None,
        calendars: tuple[str, ...] = (),
        *,
        default_zone: ZoneInfo,
        timeout: float = 30.0,
    ) -> None:
        self.url = url
        self.username = username
        self._password = password
        self.calendars = tuple(calendars)
        self.default_zone = default_zone
        self.timeout = timeout
        self._client: DAVClient | None = None
        self._home: str | None = None
        self._fetched: dict[str, _Fetched] = {}

    @classmethod
    def from_config(cls, cfg: CalendarConfig, default_zone: ZoneInfo) -> CalDavSource:
        """The password comes from `password_env`, else the keyring (see auth.secrets)."""
        from afterword.auth.secrets import get_password

        if not cfg.url:
            raise UserError("[calendar.url] is needed when the calendar source is 'caldav'; "
                            "fix: add the CalDAV server's URL")
        password: str | None = None
        if cfg.username or cfg.password_env:  # no username and no variable: no login at all
            password = get_password(cfg.password_env, cfg.username or "",
                                    urlsplit(cfg.url).hostname or "",
                                    config_key="calendar.password_env")
        return cls(cfg.url, cfg.username, password, cfg.calendars, default_zone=default_zone)

    def __repr__(self) -> str:  # never shows the password
        return f"CalDavSource(url={self.display_url!r}, username={self.username!r})"

    @property
    def display_url(self) -> str:
        """The URL without any user:password part, for messages and logs."""
        parts = urlsplit(self.url)
        host = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))

    # --- CalendarSource -------------------------------------------------------------------

    def events(self, start: datetime, end: datetime) -> list[CalendarEvent]:
        found: list[CalendarEvent] = []
        for info in self.calendars_in_use():
            found.extend(self._calendar_events(info, start, end))
        found.sort(key=lambda e: (e.start, e.uid, e.recurrence_id))
        return found

    def describe(self) -> list[str]:
        infos = self.calendars_in_use()
        who = f" as {self.username}" if self.username else ""
        lines = [f"CalDAV {self.display_url} reached{who}: {len(infos)} calendar(s) used"]
        if not infos:
            lines.append("  no event calendars found there; check calendar.url")
        start = datetime.now(UTC)
        end = start + timedelta(days=DESCRIBE_DAYS)
        for info in infos:
            count = len(self._calendar_events(info, start, end))
            lines.append(f"  {info.name} ({info.url}): {count} event(s) "
                         f"in the next {DESCRIBE_DAYS} days")
        return lines

    # --- calendars ------------------------------------------------------------------------

    def calendars_in_use(self) -> list[CalendarInfo]:
        """The calendars `calendars` names (all when empty), with fresh change tags."""
        found = self.list_calendars()
        if not self.calendars:
            return found
        missing = [w for w in self.calendars if not any(c.matches(w) for c in found)]
        if missing:
            listed = ", ".join(f"{c.name!r} ({c.id})" for c in found) or "none"
            raise UserError(
                f"[calendar.calendars] no calendar named {missing[0]!r} at "
                f"{self.display_url}; calendars found: {listed}; fix: use one of those "
                "names in calendar.calendars, or remove the key to use them all"
            )
        return [c for c in found if any(c.matches(w) for w in self.calendars)]

    def list_calendars(self) -> list[CalendarInfo]:
        """Every event calendar of the account: one PROPFIND (plus discovery, first time)."""
        with self._errors():
            client = self._connect()
            home = self._home_url(client)
            response = client.propfind(home, props=_LIST_BODY, depth=1)
            if response.status not in (200, 207):
                raise ServiceError(f"CalDAV server {self.display_url} answered HTTP "
                                   f"{response.status} when listing calendars")
            return [info for r in response.results or ()
                    if (info := _calendar_info(client, r)) is not None]

    def _home_url(self, client: DAVClient) -> str:
        if self._home is None:
            principal = client.get_principal()
            self._home = str(principal.calendar_home_set.url)
        return self._home

    # --- events ---------------------------------------------------------------------------

    def _calendar_events(
        self, info: CalendarInfo, start: datetime, end: datetime,
    ) -> list[CalendarEvent]:
        source = f"caldav:{info.name}"
        found: list[CalendarEvent] = []
        for data in self._objects(info, start, end):
            try:
                found.extend(parse_calendar(data, start, end, self.default_zone, source=source))
            except ServiceError as exc:  # one unreadable object must not hide the others
                log.warning("skipping an unreadable object in %s: %s", source, exc)
        return found

    def _objects(self, info: CalendarInfo, start: datetime, end: datetime) -> tuple[bytes, ...]:
        """The raw iCalendar objects overlapping the window, from memory when unchanged."""
        cached = self._fetched.get(info.url)
        if cached is not None and cached.covers(info.tag, start, end):
            return cached.objects
        lo, hi = start - MARGIN, end + MARGIN + AHEAD
        with self._errors():
            calendar = _caldav_module().Calendar(client=self._connect(), url=info.url)
            # post_filter=False: one REPORT, nothing dropped client-side; the ICS
            # conversion applies the exact window and expands recurrences.
            results = calendar.search(start=lo, end=hi, event=True, expand=False,
                                      post_filter=False)
            objects = tuple(r.get_data().encode("utf-8") for r in results)
        self._fetched[info.url] = _Fetched(info.tag, lo, hi, objects)
        return objects

    # --- connection and errors ------------------------------------------------------------

    def _connect(self) -> DAVClient:
        if self._client is None:
            self._client = _caldav_module().DAVClient(
                url=self.url, username=self.username, password=self._password,
                timeout=self.timeout, enable_rfc6764=False,  # the URL is given: no DNS lookups
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn library and network failures into one-line ServiceErrors."""
        error = _caldav_module().lib.error
        try:
            yield
        except error.AuthorizationError:
            self._forget_session()
            raise ServiceError(
                f"CalDAV login to {self.display_url} as {self.username or '(no user)'} "
                "failed; check the username and password", retryable=False
            ) from None
        except error.DAVError as exc:
            self._forget_session()
            raise ServiceError(self._scrub(
                f"CalDAV server {self.display_url} refused a request: "
                f"{type(exc).__name__} ({exc.reason})"
            )) from None
        except OSError as exc:  # connection refused, DNS, TLS, timeouts (requests/niquests)
            self._forget_session()
            raise ServiceError(self._scrub(
                f"cannot reach CalDAV server {self.display_url}: {self._reason(exc)}"
            )) from None

    def _forget_session(self) -> None:
        """After a failure start over: a stale connection or home must not stick."""
        self.close()
        self._home = None

    def _reason(self, exc: OSError) -> str:
        """A short reason: the HTTP libraries nest the useful part deep in their message."""
        if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc):
            return f"no answer within {self.timeout:g} s"
        match = _ERRNO.search(str(exc))
        if match:
            return match.group(1).strip()
        text = str(exc).strip() or type(exc).__name__
        return text.splitlines()[0][:200]

    def _scrub(self, text: str) -> str:
        """Belt and braces: the messages are built without the password, but a server
        echoing it must not leak it either. Very short passwords would mangle the text."""
        if self._password and len(self._password) >= 6:
            text = text.replace(self._password, "***")
        return text


def _caldav_module() -> Any:
    """The caldav package, imported only when a CalDAV calendar is configured."""
    try:
        import caldav
        import caldav.lib.error
    except ImportError:
        raise UserError("[calendar.source] 'caldav' needs the caldav package; fix: "
                        "pip install 'afterword[caldav]'") from None
    return caldav


def _calendar_info(client: DAVClient, result: Any) -> CalendarInfo | None:
    """A CalendarInfo for one PROPFIND entry, or None when it is no event calendar."""
    props: dict[str, Any] = result.properties
    if _CALDAV_CALENDAR not in (props.get(_RESOURCETYPE) or []):
        return None
    components = props.get(_COMPONENTS)
    if components and "VEVENT" not in components:
        return None
    url = str(client.url.join(result.href))
    cal_id = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    name = str(props.get(_DISPLAYNAME) or "").strip() or cal_id
    tag = str(props.get(_CTAG) or props.get(_SYNC_TOKEN) or "")
    return CalendarInfo(name=name, id=cal_id, url=url, tag=tag)

