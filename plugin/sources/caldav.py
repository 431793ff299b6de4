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

The three WebDAV requests needed (PROPFIND for discovery and the listing, REPORT for the
objects) are made with the standard library: a CalDAV client library with its HTTP stack
would add some twenty megabytes to a daemon that idles for months. Basic credentials are
sent with the first request (no extra challenge round trip); a server asking for Digest
gets it.
"""

from __future__ import annotations

import http.client
import logging
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from afterword.plugin.errors import CalendarDataError, ServiceError, UserError
from afterword.plugin.logs import register_secret
from afterword.plugin.model import CalendarEvent
from afterword.plugin.sources.ical import parse_calendar

if TYPE_CHECKING:
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
MAX_REDIRECTS = 3
_DAV = "{DAV:}"
_C = "{urn:ietf:params:xml:ns:caldav}"
_CALDAV_CALENDAR = _C + "calendar"
_COMPONENTS = _C + "supported-calendar-component-set"
_CALENDAR_DATA = _C + "calendar-data"
_HOME_SET = _C + "calendar-home-set"
_PRINCIPAL = _DAV + "current-user-principal"
_CTAG = "{http://calendarserver.org/ns/}getctag"
_SYNC_TOKEN = "{DAV:}sync-token"
_DISPLAYNAME = "{DAV:}displayname"
_RESOURCETYPE = "{DAV:}resourcetype"
_PROPFIND_ONE = ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" '
                 'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><{}/></D:prop></D:propfind>')
_REPORT_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
    '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
    '<C:time-range start="{start}" end="{end}"/>'
    "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
)
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
        register_secret(password)
        self.calendars = tuple(calendars)
        self.default_zone = default_zone
        self.timeout = timeout
        self._client: _Dav | None = None
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
            found = client.multistatus("PROPFIND", home, _LIST_BODY, depth="1")
            return [info for href, props in found
                    if (info := _calendar_info(href, props)) is not None]

    def _home_url(self, client: _Dav) -> str:
        """The calendar home: the principal's calendar-home-set (RFC 4791 6.2.1), found
        from the configured URL's current-user-principal (RFC 5397); either missing, the
        URL itself."""
        if self._home is None:
            principal = client.href_property(self.url, _PRINCIPAL) or self.url
            self._home = client.href_property(principal, _HOME_SET) or principal
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
            except CalendarDataError as exc:  # one unreadable object must not hide the others
                log.warning("skipping an unreadable object in %s: %s", source, exc)
        return found

    def _objects(self, info: CalendarInfo, start: datetime, end: datetime) -> tuple[bytes, ...]:
        """The raw iCalendar objects overlapping the window, from memory when unchanged."""
        cached = self._fetched.get(info.url)
        if cached is not None and cached.covers(info.tag, start, end):
            return cached.objects
        lo, hi = start - MARGIN, end + MARGIN + AHEAD
        body = _REPORT_BODY.format(start=_utc_stamp(lo), end=_utc_stamp(hi))
        with self._errors():
            # One REPORT, nothing expanded by the server; the ICS conversion applies the
            # exact window and expands recurrences.
            found = self._connect().multistatus("REPORT", info.url, body, depth="1")
            objects = tuple(data.text.encode("utf-8") for _href, props in found
                            if (data := props.get(_CALENDAR_DATA)) is not None and data.text)
        self._fetched[info.url] = _Fetched(info.tag, lo, hi, objects)
        return objects

    # --- connection and errors ------------------------------------------------------------

    def _connect(self) -> _Dav:
        if self._client is None:
            self._client = _Dav(self.url, self.username, self._password, self.timeout)
        return self._client

    def close(self) -> None:
        """Nothing stays open between requests; the discovered home is kept."""
        self._client = None

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn HTTP and network failures into one-line ServiceErrors."""
        try:
            yield
        except urllib.error.HTTPError as exc:
            self._forget_session()
            if exc.code == 401:
                raise ServiceError(
                    f"CalDAV login to {self.display_url} as {self.username or '(no user)'} "
                    "failed; check the username and password", retryable=False
                ) from None
            raise ServiceError(self._scrub(
                f"CalDAV server {self.display_url} refused a request: HTTP {exc.code} "
                f"{' '.join(str(exc.reason).split())}"
            )) from None
        except ET.ParseError as exc:
            self._forget_session()
            raise ServiceError(f"CalDAV server {self.display_url} answered with XML that "
                               f"cannot be read ({exc})") from None
        except (OSError, http.client.HTTPException) as exc:  # refused, DNS, TLS, timeouts
            self._forget_session()
            raise ServiceError(self._scrub(
                f"cannot reach CalDAV server {self.display_url}: {self._reason(exc)}"
            )) from None

    def _forget_session(self) -> None:
        """After a failure start over: a stale connection or home must not stick."""
        self.close()
        self._home = None

    def _reason(self, exc: OSError | http.client.HTTPException) -> str:
        """A short reason: urllib nests the useful part deep in its message."""
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


class _Dav:
    """Just enough WebDAV over urllib: PROPFIND and REPORT, answers parsed as multistatus.

    Credentials are registered for the whole host (the principal and the calendars may lie
    outside the configured path) and sent with the first request; a redirect is followed
    only within the same scheme and host, so they never travel elsewhere.
    """

    def __init__(self, url: str, username: str | None, password: str | None,
                 timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = []
        if username is not None and password is not None:
            parts = urlsplit(url)
            root = urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], "/", "", ""))
            manager = urllib.request.HTTPPasswordMgrWithPriorAuth()
            manager.add_password(None, root, username, password, is_authenticated=True)
            handlers += [urllib.request.HTTPBasicAuthHandler(manager),
                         urllib.request.HTTPDigestAuthHandler(manager)]
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, method: str, url: str, body: str, depth: str) -> bytes:
        """One request; the answer's body. Raises HTTPError on any status but 2xx."""
        for _ in range(MAX_REDIRECTS + 1):
            request = urllib.request.Request(
                url, data=body.encode("utf-8"), method=method,
                headers={"Depth": depth, "Content-Type": 'application/xml; charset="utf-8"',
                         "User-Agent": "afterword"})
            try:
                with self.opener.open(request, timeout=self.timeout) as response:
                    data: bytes = response.read()
                    return data
            except urllib.error.HTTPError as exc:
                target = urljoin(url, exc.headers.get("Location") or "")
                if exc.code not in (301, 302, 307, 308) or not _same_origin(url, target):
                    raise
                exc.close()
                url = target
        raise urllib.error.URLError(f"more than {MAX_REDIRECTS} redirects")

    def multistatus(self, method: str, url: str, body: str, depth: str
                    ) -> list[tuple[str, dict[str, ET.Element]]]:
        """(absolute href, the properties found with status 200) of each response."""
        root = ET.fromstring(self.request(method, url, body, depth))
        found = []
        for response in root.iter(_DAV + "response"):
            href = (response.findtext(_DAV + "href") or "").strip()
            props: dict[str, ET.Element] = {}
            for propstat in response.iter(_DAV + "propstat"):
                status = propstat.findtext(_DAV + "status") or "200"
                prop = propstat.find(_DAV + "prop")
                if prop is not None and " 200" in f" {status.split(' ', 1)[-1]}":
                    props.update((child.tag, child) for child in prop)
            if href:
                found.append((urljoin(url, href), props))
        return found

    def href_property(self, url: str, name: str) -> str | None:
        """The absolute URL a property such as current-user-principal points to."""
        namespace, _, local = name[1:].partition("}")
        prefix = "D" if namespace == "DAV:" else "C"
        for _href, props in self.multistatus("PROPFIND", url,
                                             _PROPFIND_ONE.format(f"{prefix}:{local}"), "0"):
            element = props.get(name)
            href = element.findtext(_DAV + "href") if element is not None else None
            if href and href.strip():
                return urljoin(url, href.strip())
        return None


def _same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.netloc) == (pb.scheme, pb.netloc)


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _calendar_info(url: str, props: dict[str, ET.Element]) -> CalendarInfo | None:
    """A CalendarInfo for one PROPFIND entry, or None when it is no event calendar."""
    kinds = props.get(_RESOURCETYPE)
    if kinds is None or kinds.find(_CALDAV_CALENDAR) is None:
        return None
    components = props.get(_COMPONENTS)
    if components is not None and len(components) and not any(
            c.get("name", "").upper() == "VEVENT" for c in components):
        return None
    cal_id = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    name = _text(props.get(_DISPLAYNAME)) or cal_id
    tag = _text(props.get(_CTAG)) or _text(props.get(_SYNC_TOKEN))
    return CalendarInfo(name=name, id=cal_id, url=url, tag=tag)


def _text(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""
