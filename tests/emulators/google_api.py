"""A local stand-in for the subset of Gmail v1, Calendar v3 and Google's OAuth token
endpoint that afterword uses, served over real loopback HTTP so the REAL
google-api-python-client (built from its bundled discovery documents and pointed here
with `api_endpoint`) and google-auth talk to it exactly as they talk to Google.

What it checks, loudly (HTTP 400 or 403 and an entry in `violations`):
- any path with a `send` segment (messages.send, drafts.send): afterword never sends;
- any method or Gmail search operator it does not implement (so a test cannot pass on
  a call the emulator silently ignored);
- the bearer token (401 without a known one) and the token's scopes against the scopes
  each method accepts, read from the same discovery documents (403 when they fall short);
- batches over 50 calls (Google advises against more) and over 100 (Google refuses).

What it records: every call (`calls`: HTTP method, path, query, discovery method id,
status, whether it came inside a batch) and Gmail quota units (`quota_units()`).

Fault injection: `fail(status, times, retry_after=…, reason=…)` answers the next calls
with an error instead of serving them.
"""

from __future__ import annotations

import base64
import email
import email.header
import email.utils
import http
import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage, Message
from email.parser import HeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import googleapiclient

GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"
CALENDAR_EVENTS_READONLY = "https://www.googleapis.com/auth/calendar.events.readonly"
DEFAULT_SCOPES = (GMAIL_MODIFY, CALENDAR_EVENTS_READONLY)
SYSTEM_LABELS = ("INBOX", "SENT", "DRAFT", "STARRED", "UNREAD", "IMPORTANT", "TRASH", "SPAM",
                 "CHAT", "CATEGORY_PERSONAL", "CATEGORY_SOCIAL", "CATEGORY_PROMOTIONS",
                 "CATEGORY_UPDATES", "CATEGORY_FORUMS")
# Gmail's per-method quota units (developers.google.com/gmail/api/reference/quota).
GMAIL_UNITS = {
    "gmail.users.getProfile": 1, "gmail.users.labels.list": 1, "gmail.users.labels.get": 1,
    "gmail.users.labels.create": 5, "gmail.users.drafts.create": 10,
    "gmail.users.drafts.update": 15, "gmail.users.drafts.get": 5, "gmail.users.drafts.list": 5,
    "gmail.users.drafts.delete": 10, "gmail.users.messages.list": 5,
    "gmail.users.messages.get": 5, "gmail.users.messages.insert": 25,
    "gmail.users.messages.modify": 5, "gmail.users.history.list": 2,
}
RECOMMENDED_BATCH = 50
MAX_BATCH = 100
_DISCOVERY = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
_FOLD = re.compile(r"\r?\n(?=[ \t])")


class ApiError(Exception):
    """An error answer, raised from a handler."""

    def __init__(self, status: int, reason: str, message: str,
                 retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": self.retry_after}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    method_id: str  # the discovery id ("gmail.users.drafts.get"); "batch", "token" or ""
    status: int
    in_batch: bool = False

    @property
    def units(self) -> int:
        return GMAIL_UNITS.get(self.method_id, 0)


@dataclass
class Fault:
    status: int
    times: int
    reason: str
    retry_after: str | None
    inner: bool  # applies to the calls inside a batch, not to HTTP requests
    match: str  # only paths containing this
    served: bool  # the call takes effect, then the answer is lost to an error


@dataclass
class StoredMessage:
    id: str
    thread_id: str
    raw: bytes
    label_ids: list[str]
    internal_date: int  # epoch milliseconds
    history_id: int

    def headers(self) -> Message:
        head = re.split(rb"\r?\n\r?\n", self.raw, maxsplit=1)[0]
        return HeaderParser(policy=policy.compat32).parsestr(
            head.decode("utf-8", "replace") + "\n\n", headersonly=True)

    def header_pairs(self) -> list[tuple[str, str]]:
        return [(name, _FOLD.sub("", str(value))) for name, value in self.headers().items()]


@dataclass
class Calendar:
    id: str
    summary: str
    time_zone: str
    events: list[dict[str, Any]] = field(default_factory=list)
    changed: dict[str, int] = field(default_factory=dict)  # event id → change number


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    method_id: str
    scopes: frozenset[str]


def _routes() -> list[_Route]:
    """Every method of both APIs, from the client's own discovery documents."""
    routes: list[_Route] = []
    for name, prefix in (("gmail.v1.json", ""), ("calendar.v3.json", "calendar/v3/")):
        doc = json.loads((_DISCOVERY / name).read_text(encoding="utf-8"))
        for method in _methods(doc):
            template = prefix + method["path"]
            regex = re.sub(r"\\\{\\\+(\w+)\\\}", r"(?P<\1>.+)", re.escape(template))
            regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", regex)
            routes.append(_Route(method["httpMethod"], re.compile("/" + regex),
                                 method["id"], frozenset(method.get("scopes", ()))))
    routes.sort(key=lambda r: r.pattern.pattern.count("(?P<"))  # literal segments first
    return routes


def _methods(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from node.get("methods", {}).values()
    for child in node.get("resources", {}).values():
        yield from _methods(child)


ROUTES = _routes()


class GoogleEmulator:
    """In-memory Gmail and Calendar on a loopback port. Use as a context manager."""

    def __init__(self, *, email_address: str = "alex.rivera@example.com",
                 scopes: Iterable[str] = DEFAULT_SCOPES) -> None:
        self.email = email_address
        self.scopes = tuple(scopes)
        self.client_id = "emulator-client.apps.googleusercontent.com"
        self.client_secret = "emulator-client-secret"
        self.refresh_token = "1//emulator-refresh-token"
        self.access_tokens: dict[str, tuple[str, ...]] = {"ya29.emulator-token": self.scopes}
        self.revoked = False
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.messages: dict[str, StoredMessage] = {}
        self.drafts: dict[str, str] = {}  # draft id → message id
        self.labels: dict[str, str] = {}  # user label id → name
        self.calendars: dict[str, Calendar] = {}
        self.add_calendar("primary", summary=email_address, time_zone="America/New_York",
                          calendar_id=email_address)
        self._ids = itertools.count(0x18c0000000000001)
        self._history = itertools.count(1000)
        self.history_id = next(self._history)
        self.history: list[dict[str, Any]] = []  # Gmail's history records, oldest first
        self.history_floor = 0  # startHistoryId below this is too old: 404
        self._changes = itertools.count(1)  # Calendar: one number per event change
        self.calendar_change = 0
        self.sync_floor = 0  # a syncToken from before this change number: 410 Gone
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- server ---------------------------------------------------------------------

    def start(self) -> GoogleEmulator:
        emulator = self

        class Handler(_Handler):
            owner = emulator

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GoogleEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the emulator first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    # -- OAuth ------------------------------------------------------------------------

    @property
    def access_token(self) -> str:
        return next(iter(self.access_tokens))

    def authorized_user_info(self, *, expired: bool = False,
                             scopes: Iterable[str] | None = None) -> dict[str, Any]:
        """What `Credentials.to_json()` writes, for a token this emulator accepts; with
        `scopes`, the access token grants exactly those (and the server enforces it)."""
        expiry = datetime.now(UTC) + (timedelta(hours=-1) if expired else timedelta(hours=1))
        token = self.access_token
        if scopes is not None:
            scopes = tuple(scopes)
            token = "ya29.emulator-" + "-".join(s.rsplit("/", 1)[-1] for s in scopes)
            with self._lock:
                self.access_tokens[token] = scopes
        return {
            "token": token, "refresh_token": self.refresh_token,
            "token_uri": self.base_url + "token", "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scopes": list(self.scopes if scopes is None else scopes),
            "expiry": expiry.replace(tzinfo=None).isoformat(timespec="seconds") + "Z",
        }

    def write_token(self, path: Path, **kwargs: Any) -> Path:
        path.write_text(json.dumps(self.authorized_user_info(**kwargs)), encoding="utf-8")
        return path

    def revoke(self) -> None:
        """The user removed the app's access: every token stops working."""
        with self._lock:
            self.revoked = True
            self.access_tokens.clear()

    # -- test controls ----------------------------------------------------------------

    def fail(self, status: int, times: int = 1, *, reason: str = "", retry_after: str | None
             = None, inner: bool = False, match: str = "", served: bool = False) -> None:
        """Answer the next `times` matching calls with `status` instead of serving them
        (`served=True`: serve them, then answer with the error, as a Google backend that
        timed out after committing does)."""
        default = {429: "rateLimitExceeded", 403: "userRateLimitExceeded"}.get(status,
                                                                              "backendError")
        with self._lock:
            self.faults.append(Fault(status, times, reason or default, retry_after, inner,
                                     match, served))

    def calls_to(self, method_id: str) -> list[Call]:
        return [c for c in self.calls if c.method_id == method_id]

    def http_requests(self) -> list[Call]:
        """The HTTP round trips (a batch counts once)."""
        return [c for c in self.calls if not c.in_batch]

    def quota_units(self) -> int:
        return sum(c.units for c in self.calls)

    def clear_log(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- Gmail state, as the user and their mail client change it -----------------------

    def add_message(self, raw: bytes, labels: Iterable[str], *,
                    received: datetime | None = None) -> str:
        with self._lock:
            when = received or datetime.now(UTC)
            message = StoredMessage(self._new_id(), "", raw, list(labels),
                                    int(when.timestamp() * 1000), self._touch())
            message.thread_id = message.id
            self.messages[message.id] = message
            self._record("messagesAdded", message)
            return message.id

    def add_sent(self, message: EmailMessage | bytes) -> str:
        """A message the user sent; Gmail's arrival time is its Date (now without one)."""
        raw = message if isinstance(message, bytes) else message.as_bytes(policy=policy.SMTP)
        stored = StoredMessage("", "", raw, [], 0, 0)
        date_value = stored.headers().get("Date")
        received = None
        if date_value:
            try:
                received = email.utils.parsedate_to_datetime(str(date_value))
            except (TypeError, ValueError, IndexError):
                received = None
        return self.add_message(raw, ["SENT"], received=received)

    def create_draft(self, raw: bytes) -> str:
        """A draft another client saved (as an IMAP client does after an edit)."""
        with self._lock:
            draft_id = f"r{next(self._ids) % 10**12}"
            self.drafts[draft_id] = self.add_message(raw, ["DRAFT"])
            return draft_id

    def user_updates_draft(self, draft_id: str, raw: bytes) -> None:
        """What Gmail's web UI does on an edit: same draft id, a new message."""
        with self._lock:
            old = self.drafts[draft_id]
            self._record("messagesDeleted", self.messages.pop(old), touch=True)
            self.drafts[draft_id] = self.add_message(raw, ["DRAFT"])

    def delete_draft(self, draft_id: str) -> None:
        with self._lock:
            message = self.messages.pop(self.drafts.pop(draft_id), None)
            if message is not None:
                self._record("messagesDeleted", message, touch=True)

    def expire_history(self) -> None:
        """Gmail keeps history for a limited time: every historyId known so far is now
        too old (history.list answers 404)."""
        with self._lock:
            self.history_floor = self._touch()

    def draft_message(self, draft_id: str) -> StoredMessage | None:
        mid = self.drafts.get(draft_id)
        return None if mid is None else self.messages.get(mid)

    def label_id(self, name: str) -> str | None:
        return next((i for i, n in self.labels.items() if n.casefold() == name.casefold()),
                    None)

    def with_label(self, label_id: str) -> list[StoredMessage]:
        """Messages carrying the label, oldest first."""
        return [m for m in self.messages.values() if label_id in m.label_ids]

    # -- Calendar state ---------------------------------------------------------------

    def add_calendar(self, name: str, *, summary: str = "", time_zone: str = "UTC",
                     calendar_id: str | None = None) -> Calendar:
        calendar = Calendar(calendar_id or name, summary or name, time_zone)
        self.calendars[name] = calendar
        if calendar_id:
            self.calendars[calendar_id] = calendar
        return calendar

    def add_event(self, calendar: str, event: dict[str, Any]) -> dict[str, Any]:
        stored = {"kind": "calendar#event", "status": "confirmed", **event}
        stored.setdefault("id", uuid.uuid4().hex)
        stored.setdefault("iCalUID", f"{stored['id']}@google.com")
        with self._lock:
            self.calendars[calendar].events.append(stored)
            self._changed(self.calendars[calendar], stored)
        return stored

    def update_event(self, calendar: str, event_id: str, **fields: Any) -> dict[str, Any]:
        """Change an event as the user would (`status="cancelled"` deletes it: Google
        keeps it as a cancelled tombstone for incremental sync)."""
        with self._lock:
            found = self.calendars[calendar]
            [event] = [e for e in found.events if e.get("id") == event_id]
            event.update(fields)
            self._changed(found, event)
            return event

    def expire_sync_tokens(self) -> None:
        """Google invalidated every syncToken handed out so far (410 Gone from now on)."""
        with self._lock:
            self.sync_floor = self.calendar_change + 1

    def _changed(self, calendar: Calendar, event: dict[str, Any]) -> None:
        self.calendar_change = next(self._changes)
        calendar.changed[str(event["id"])] = self.calendar_change

    # -- serving ----------------------------------------------------------------------

    def serve(self, method: str, target: str, headers: Message, body: bytes
              ) -> tuple[int, dict[str, str], bytes]:
        """One HTTP request → (status, headers, body)."""
        parts = urlsplit(target)
        query = parse_qs(parts.query, keep_blank_values=True)
        with self._lock:
            if parts.path == "/token":
                return self._token(method, parts.path, query, body)
            if parts.path in ("/batch/gmail/v1", "/batch/calendar/v3"):
                return self._batch(parts.path, query, headers, body)
            status, answer, extra = self._call(method, parts.path, query, headers, body, False)
            return _json(status, answer, extra)

    def _call(self, method: str, path: str, query: dict[str, list[str]], headers: Message,
              body: bytes, in_batch: bool) -> tuple[int, Any, dict[str, str]]:
        route, params = _match(method, path)
        method_id = route.method_id if route else ""
        extra: dict[str, str] = {}
        try:
            answer = self._checked(method, path, query, headers, body, in_batch, route, params)
            status = 204 if answer is None else 200
        except ApiError as exc:
            status, answer, extra = exc.status, _error_body(exc), exc.headers()
        except Exception as exc:  # an emulator bug: answer, and make the test fail
            self.violations.append(f"{method} {path}: emulator error {exc!r}")
            status, answer = 500, _error_body(ApiError(500, "backendError", repr(exc)))
        self.calls.append(Call(method, path, query, method_id, status, in_batch))
        return status, answer, extra

    def _checked(self, method: str, path: str, query: dict[str, list[str]], headers: Message,
                 body: bytes, in_batch: bool, route: _Route | None, params: dict[str, str]
                 ) -> Any:
        if "send" in path.split("/"):
            self.violations.append(f"{method} {path}: afterword must never send mail")
            raise ApiError(400, "failedPrecondition", "the emulator refuses every send call")
        self._inject_fault(path, inner=in_batch, served=False)
        self._authorize(headers, route)
        if route is None:
            self.violations.append(f"{method} {path}: no such method")
            raise ApiError(404, "notFound", f"no method at {method} {path}")
        handler = getattr(self, "_" + route.method_id.replace(".", "_"), None)
        if handler is None:
            self.violations.append(f"{route.method_id}: not implemented by the emulator")
            raise ApiError(501, "notImplemented", f"{route.method_id} is not emulated")
        if params.get("userId", "me") not in ("me", self.email):
            raise ApiError(403, "forbidden", "Delegation denied")
        data = json.loads(body) if body.strip() else {}
        answer = handler(params, query, data)
        self._inject_fault(path, inner=in_batch, served=True)
        return answer

    def _inject_fault(self, path: str, *, inner: bool, served: bool) -> None:
        for fault in self.faults:
            if (fault.times > 0 and fault.inner == inner and fault.match in path
                    and fault.served == served):
                fault.times -= 1
                raise ApiError(fault.status, fault.reason, f"injected {fault.status}",
                               fault.retry_after)

    def _authorize(self, headers: Message, route: _Route | None) -> None:
        value = str(headers.get("Authorization") or "")
        token = value[len("Bearer "):] if value.startswith("Bearer ") else ""
        scopes = self.access_tokens.get(token)
        if scopes is None:
            raise ApiError(401, "authError", "Request had invalid authentication credentials.")
        if route is not None and route.scopes and not route.scopes & set(scopes):
            self.violations.append(f"{route.method_id}: the token's scopes do not allow it")
            raise ApiError(403, "insufficientPermissions",
                           "Request had insufficient authentication scopes.")

    def _token(self, method: str, path: str, query: dict[str, list[str]], body: bytes
               ) -> tuple[int, dict[str, str], bytes]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") != "refresh_token":
            status, answer = 400, {"error": "unsupported_grant_type"}
        elif self.revoked or form.get("refresh_token") != self.refresh_token:
            status, answer = 400, {"error": "invalid_grant",
                                   "error_description": "Token has been expired or revoked."}
        else:
            token = f"ya29.emulator-{uuid.uuid4().hex[:12]}"
            self.access_tokens[token] = self.scopes
            status, answer = 200, {"access_token": token, "expires_in": 3599,
                                   "scope": " ".join(self.scopes), "token_type": "Bearer"}
        self.calls.append(Call(method, path, query, "token", status))
        return _json(status, answer)

    def _batch(self, path: str, query: dict[str, list[str]], headers: Message, body: bytes
               ) -> tuple[int, dict[str, str], bytes]:
        api_prefix = "/gmail/v1/" if path.endswith("gmail/v1") else "/calendar/v3/"
        try:
            self._inject_fault(path, inner=False, served=False)
            self._authorize(headers, None)
            parts = _batch_parts(headers, body)
        except ApiError as exc:
            self.calls.append(Call("POST", path, query, "batch", exc.status))
            return _json(exc.status, _error_body(exc), exc.headers())
        self.calls.append(Call("POST", path, query, "batch", 200))
        if len(parts) > MAX_BATCH:
            self.violations.append(f"batch of {len(parts)} calls (Google allows {MAX_BATCH})")
            return _json(400, _error_body(ApiError(400, "invalid", "Too many requests in batch")))
        if len(parts) > RECOMMENDED_BATCH:
            self.violations.append(f"batch of {len(parts)} calls (more than "
                                   f"{RECOMMENDED_BATCH} is not recommended)")
        boundary = f"batch_{uuid.uuid4().hex}"
        out: list[str] = []
        for content_id, (method, target, inner_headers, inner_body) in parts:
            if inner_headers.get("Authorization") is None and headers.get("Authorization"):
                inner_headers["Authorization"] = str(headers["Authorization"])
            split = urlsplit(target)
            if not split.path.startswith(api_prefix):
                self.violations.append(f"{split.path} sent to {path}")
            status, answer, extra = self._call(method, split.path,
                                               parse_qs(split.query, keep_blank_values=True),
                                               inner_headers, inner_body, True)
            text = "" if answer is None else json.dumps(answer)
            response_id = f"<response-{content_id.strip('<>')}>"
            more = "".join(f"{k}: {v}\r\n" for k, v in extra.items())
            out.append(f"--{boundary}\r\nContent-Type: application/http\r\n"
                       f"Content-ID: {response_id}\r\n\r\n"
                       f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n{more}"
                       f"Content-Type: application/json; charset=UTF-8\r\n\r\n{text}\r\n")
        payload = ("".join(out) + f"--{boundary}--\r\n").encode("utf-8")
        return 200, {"Content-Type": f"multipart/mixed; boundary={boundary}"}, payload

    # -- Gmail methods ----------------------------------------------------------------

    def _gmail_users_getProfile(self, p: dict[str, str], q: dict[str, list[str]],
                                body: Any) -> Any:
        return {"emailAddress": self.email, "messagesTotal": len(self.messages),
                "threadsTotal": len({m.thread_id for m in self.messages.values()}),
                "historyId": str(self.history_id)}

    def _gmail_users_labels_list(self, p: dict[str, str], q: dict[str, list[str]],
                                 body: Any) -> Any:
        system = [{"id": name, "name": name, "type": "system"} for name in SYSTEM_LABELS]
        user = [{"id": i, "name": n, "type": "user", "labelListVisibility": "labelShow",
                 "messageListVisibility": "show"} for i, n in self.labels.items()]
        return {"labels": system + user}

    def _gmail_users_labels_create(self, p: dict[str, str], q: dict[str, list[str]],
                                   body: Any) -> Any:
        name = str(body.get("name", "")).strip()
        if not name:
            raise ApiError(400, "invalidArgument", "Invalid label name")
        taken = {n.casefold() for n in (*self.labels.values(), *SYSTEM_LABELS)}
        if name.casefold() in taken:
            raise ApiError(409, "alreadyExists", "Label name exists or conflicts")
        label_id = f"Label_{len(self.labels) + 1}"
        self.labels[label_id] = name
        self._touch()
        return {"id": label_id, "name": name, "type": "user",
                "labelListVisibility": body.get("labelListVisibility", "labelShow"),
                "messageListVisibility": body.get("messageListVisibility", "show")}

    def _gmail_users_drafts_list(self, p: dict[str, str], q: dict[str, list[str]],
                                 body: Any) -> Any:
        found = [(d, self.messages[m]) for d, m in self.drafts.items()]
        found.reverse()  # newest first
        if "q" in q:
            accept = parse_query(q["q"][0], self)
            found = [(d, m) for d, m in found if accept(m)]
        page, token = _page(found, q, default=100, limit=500)
        answer: dict[str, Any] = {"resultSizeEstimate": len(found)}
        if page:
            answer["drafts"] = [{"id": d, "message": {"id": m.id, "threadId": m.thread_id}}
                                for d, m in page]
        if token:
            answer["nextPageToken"] = token
        return answer

    def _gmail_users_drafts_create(self, p: dict[str, str], q: dict[str, list[str]],
                                   body: Any) -> Any:
        raw = _decode_raw((body.get("message") or {}).get("raw"))
        draft_id = f"r{next(self._ids) % 10**12}"
        self.drafts[draft_id] = self.add_message(raw, ["DRAFT"])  # labelIds are not taken
        return {"id": draft_id, "message": self._resource(self.messages[self.drafts[draft_id]],
                                                          "minimal", [])}

    def _gmail_users_drafts_get(self, p: dict[str, str], q: dict[str, list[str]],
                                body: Any) -> Any:
        message = self._draft(p["id"])
        fmt = q.get("format", ["full"])[0]
        return {"id": p["id"], "message": self._resource(message, fmt,
                                                         q.get("metadataHeaders", []))}

    def _gmail_users_drafts_update(self, p: dict[str, str], q: dict[str, list[str]],
                                   body: Any) -> Any:
        self._draft(p["id"])
        self.user_updates_draft(p["id"], _decode_raw((body.get("message") or {}).get("raw")))
        return {"id": p["id"], "message": self._resource(self._draft(p["id"]), "minimal", [])}

    def _gmail_users_drafts_delete(self, p: dict[str, str], q: dict[str, list[str]],
                                   body: Any) -> Any:
        self._draft(p["id"])
        self.delete_draft(p["id"])
        return None

    def _gmail_users_messages_list(self, p: dict[str, str], q: dict[str, list[str]],
                                   body: Any) -> Any:
        found = sorted(self.messages.values(), key=lambda m: (m.internal_date, m.id),
                       reverse=True)
        if q.get("includeSpamTrash", ["false"])[0] != "true":
            found = [m for m in found if not {"SPAM", "TRASH"} & set(m.label_ids)]
        for label in q.get("labelIds", []):
            found = [m for m in found if label in m.label_ids]
        if "q" in q:
            accept = parse_query(q["q"][0], self)
            found = [m for m in found if accept(m)]
        page, token = _page(found, q, default=100, limit=500)
        answer: dict[str, Any] = {"resultSizeEstimate": len(found)}
        if page:
            answer["messages"] = [{"id": m.id, "threadId": m.thread_id} for m in page]
        if token:
            answer["nextPageToken"] = token
        return answer

    def _gmail_users_messages_get(self, p: dict[str, str], q: dict[str, list[str]],
                                  body: Any) -> Any:
        message = self.messages.get(p["id"])
        if message is None:
            raise ApiError(404, "notFound", "Requested entity was not found.")
        return self._resource(message, q.get("format", ["full"])[0],
                              q.get("metadataHeaders", []))

    def _gmail_users_messages_insert(self, p: dict[str, str], q: dict[str, list[str]],
                                     body: Any) -> Any:
        raw = _decode_raw(body.get("raw"))
        labels = [str(x) for x in body.get("labelIds", [])]
        self._check_labels(labels)
        received = None
        if q.get("internalDateSource", ["receivedTime"])[0] == "dateHeader":
            date_value = StoredMessage("", "", raw, [], 0, 0).headers().get("Date")
            received = email.utils.parsedate_to_datetime(str(date_value)) if date_value \
                else None
        mid = self.add_message(raw, labels, received=received)
        return self._resource(self.messages[mid], "minimal", [])

    def _gmail_users_messages_modify(self, p: dict[str, str], q: dict[str, list[str]],
                                     body: Any) -> Any:
        message = self.messages.get(p["id"])
        if message is None:
            raise ApiError(404, "notFound", "Requested entity was not found.")
        add = [str(x) for x in body.get("addLabelIds", [])]
        remove = [str(x) for x in body.get("removeLabelIds", [])]
        self._check_labels(add + remove)
        if {"DRAFT", "SENT"} & set(add + remove):
            raise ApiError(400, "invalidArgument", "Invalid label: DRAFT/SENT cannot change")
        removed = [x for x in remove if x in message.label_ids]
        added = [x for x in add if x not in message.label_ids and x not in remove]
        message.label_ids = [x for x in message.label_ids if x not in remove]
        message.label_ids += added
        message.history_id = self._touch()
        if added:
            self._record("labelsAdded", message, added)
        if removed:
            self._record("labelsRemoved", message, removed)
        return self._resource(message, "minimal", [])

    def _gmail_users_history_list(self, p: dict[str, str], q: dict[str, list[str]],
                                  body: Any) -> Any:
        try:
            start = int(q["startHistoryId"][0])
        except (KeyError, ValueError):
            raise ApiError(400, "invalidArgument", "Invalid startHistoryId") from None
        if start < self.history_floor:
            raise ApiError(404, "notFound", "Requested entity was not found.")
        found = [r for r in self.history if int(r["id"]) > start]
        page, token = _page(found, q, default=100, limit=500)
        answer: dict[str, Any] = {"historyId": str(self.history_id)}
        if page:
            answer["history"] = page
        if token:
            answer["nextPageToken"] = token
        return answer

    def _draft(self, draft_id: str) -> StoredMessage:
        message = self.draft_message(draft_id)
        if message is None:
            raise ApiError(404, "notFound", "Requested entity was not found.")
        return message

    def _check_labels(self, labels: list[str]) -> None:
        for label in labels:
            if label not in SYSTEM_LABELS and label not in self.labels:
                raise ApiError(400, "invalidArgument", f"Invalid label: {label}")

    def _resource(self, message: StoredMessage, fmt: str, wanted: list[str]) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "id": message.id, "threadId": message.thread_id, "labelIds": list(message.label_ids),
            "snippet": "", "historyId": str(message.history_id),
            "internalDate": str(message.internal_date), "sizeEstimate": len(message.raw)}
        if fmt == "raw":
            answer["raw"] = base64.urlsafe_b64encode(message.raw).decode("ascii")
        elif fmt in ("metadata", "full"):
            names = {w.casefold() for w in wanted} if fmt == "metadata" else set()
            pairs = [{"name": n, "value": v} for n, v in message.header_pairs()
                     if not names or n.casefold() in names]
            answer["payload"] = {"mimeType": message.headers().get_content_type(),
                                 "headers": pairs}
        elif fmt != "minimal":
            raise ApiError(400, "invalidArgument", f"Invalid format: {fmt}")
        return answer

    # -- Calendar methods -------------------------------------------------------------

    def _calendar_events_list(self, p: dict[str, str], q: dict[str, list[str]],
                              body: Any) -> Any:
        calendar = self._calendar(p["calendarId"])
        if "syncToken" in q:
            return self._calendar_changes(calendar, q)
        low, high = (_rfc3339(q, name) for name in ("timeMin", "timeMax"))
        zone = ZoneInfo(calendar.time_zone)
        show_deleted = q.get("showDeleted", ["false"])[0] == "true"
        items = []
        for event in calendar.events:
            if event.get("status") == "cancelled" and not show_deleted:
                continue
            try:
                start, end = _event_time(event["start"], zone), _event_time(event["end"], zone)
            except (KeyError, ValueError):  # a damaged event (for skip tests): always listed
                items.append((datetime.min.replace(tzinfo=UTC), event))
                continue
            if (high is None or start < high) and (low is None or end > low):
                items.append((start, event))
        items.sort(key=lambda pair: pair[0])
        page, token = _page([e for _s, e in items], q, default=250, limit=2500)
        answer: dict[str, Any] = {"kind": "calendar#events", "summary": calendar.summary,
                                  "timeZone": calendar.time_zone, "accessRole": "owner",
                                  "items": page}
        if token:
            answer["nextPageToken"] = token
        else:
            answer["nextSyncToken"] = f"sync-{self.calendar_change}"
        return answer

    def _calendar_changes(self, calendar: Calendar, q: dict[str, list[str]]) -> Any:
        """events.list with a syncToken: what changed since, cancelled events included."""
        clash = {"timeMin", "timeMax", "q", "iCalUID", "orderBy", "updatedMin"} & set(q)
        if clash:
            self.violations.append(f"syncToken with {sorted(clash)}: Google refuses it")
            raise ApiError(400, "invalid", f"syncToken cannot be used with {sorted(clash)}")
        try:
            since = int(q["syncToken"][0].removeprefix("sync-"))
        except ValueError:
            raise ApiError(400, "invalid", "Invalid sync token value.") from None
        if since < self.sync_floor:
            raise ApiError(410, "fullSyncRequired", "Sync token is no longer valid, a full "
                           "sync is required.")
        items = [e for e in calendar.events if calendar.changed.get(str(e["id"]), 0) > since]
        items.sort(key=lambda e: calendar.changed.get(str(e["id"]), 0))
        page, token = _page(items, q, default=250, limit=2500)
        answer: dict[str, Any] = {"kind": "calendar#events", "summary": calendar.summary,
                                  "timeZone": calendar.time_zone, "accessRole": "owner",
                                  "items": page}
        if token:
            answer["nextPageToken"] = token
        else:
            answer["nextSyncToken"] = f"sync-{self.calendar_change}"
        return answer

    def _calendar_calendars_get(self, p: dict[str, str], q: dict[str, list[str]],
                                body: Any) -> Any:
        calendar = self._calendar(p["calendarId"])
        return {"kind": "calendar#calendar", "id": calendar.id, "summary": calendar.summary,
                "timeZone": calendar.time_zone}

    def _calendar(self, calendar_id: str) -> Calendar:
        calendar = self.calendars.get(unquote(calendar_id))
        if calendar is None:
            raise ApiError(404, "notFound", "Not Found")
        return calendar

    def _new_id(self) -> str:
        return f"{next(self._ids):x}"

    def _record(self, kind: str, message: StoredMessage, labels: list[str] | None = None,
                *, touch: bool = False) -> None:
        """One Gmail history record of `kind` about `message`, at the current historyId
        (a new one with `touch`)."""
        entry: dict[str, Any] = {"message": {"id": message.id, "threadId": message.thread_id,
                                             "labelIds": list(message.label_ids)}}
        if labels is not None:
            entry["labelIds"] = list(labels)
        record_id = self._touch() if touch else self.history_id
        self.history.append({"id": str(record_id), "messages": [entry["message"]],
                             kind: [entry]})

    def _touch(self) -> int:
        self.history_id = next(self._history)
        return self.history_id


class _Handler(BaseHTTPRequestHandler):
    owner: GoogleEmulator
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.owner.serve(self.command, self.path, self.headers, body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


# -- helpers ------------------------------------------------------------------------------


def _match(method: str, path: str) -> tuple[_Route | None, dict[str, str]]:
    for route in ROUTES:
        if route.method == method:
            found = route.pattern.fullmatch(path)
            if found:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
    return None, {}


def _json(status: int, answer: Any, extra: dict[str, str] | None = None
          ) -> tuple[int, dict[str, str], bytes]:
    if status == 204:
        return 204, {}, b""
    headers = {"Content-Type": "application/json; charset=UTF-8", **(extra or {})}
    return status, headers, json.dumps(answer).encode("utf-8")


def _error_body(exc: ApiError) -> dict[str, Any]:
    return {"error": {
        "code": exc.status, "message": exc.message,
        "errors": [{"message": exc.message, "domain": "global", "reason": exc.reason}],
        "status": http.HTTPStatus(exc.status).name}}


def _page(items: list[Any], q: dict[str, list[str]], *, default: int, limit: int
          ) -> tuple[list[Any], str | None]:
    size = min(int(q.get("maxResults", [default])[0]), limit)
    offset = int(q.get("pageToken", ["0"])[0] or 0)
    page = items[offset : offset + size]
    return page, (str(offset + size) if offset + size < len(items) else None)


def _decode_raw(value: Any) -> bytes:
    if not isinstance(value, str) or not value:
        raise ApiError(400, "invalidArgument", "Missing message raw")
    padded = value + "=" * (-len(value) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


def _rfc3339(q: dict[str, list[str]], name: str) -> datetime | None:
    if name not in q:
        return None
    value = q[name][0]
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "badRequest", f"Bad Request: {name}={value}") from None
    if moment.tzinfo is None:
        raise ApiError(400, "badRequest", f"Bad Request: {name} needs an offset")
    return moment


def _event_time(value: dict[str, Any], zone: ZoneInfo) -> datetime:
    if "dateTime" in value:
        return datetime.fromisoformat(value["dateTime"])
    return datetime.combine(date.fromisoformat(value["date"]), datetime.min.time(), zone)


def _batch_parts(headers: Message, body: bytes
                 ) -> list[tuple[str, tuple[str, str, Message, bytes]]]:
    content_type = str(headers.get("Content-Type") or "")
    if not content_type.startswith("multipart/mixed"):
        raise ApiError(400, "invalid", "a batch must be multipart/mixed")
    envelope = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=policy.compat32)
    parts = []
    for part in envelope.get_payload():
        text = part.get_payload()
        request_line, _, rest = text.lstrip("\r\n").partition("\n")
        method, target, _version = request_line.strip().split(" ", 2)
        gap = re.search(r"\r?\n\r?\n", rest)
        head, inner_body = (rest[: gap.start()], rest[gap.end():]) if gap else (rest, "")
        inner = HeaderParser(policy=policy.compat32).parsestr(head + "\n\n", headersonly=True)
        parts.append((str(part["Content-ID"] or ""),
                      (method, target, inner, inner_body.encode("utf-8"))))
    return parts


# -- Gmail search ---------------------------------------------------------------------------

Matcher = Callable[[StoredMessage], bool]
_TOKEN = re.compile(r'[{}()]|-?[\w.+-]*:?"[^"]*"|[^\s{}()]+')
_IN = {"sent": "SENT", "inbox": "INBOX", "drafts": "DRAFT", "draft": "DRAFT",
       "trash": "TRASH", "spam": "SPAM", "starred": "STARRED"}
_IS = {"starred": "STARRED", "unread": "UNREAD", "important": "IMPORTANT"}


def parse_query(text: str, emulator: GoogleEmulator) -> Matcher:
    """Gmail's `q`, the subset afterword uses: in:, is:, label:, to:, cc:, bcc:, from:,
    subject:, rfc822msgid:, after:/before: (epoch seconds or YYYY/MM/DD), bare words,
    `-` negation, `{a b}` and `a OR b` for OR, `(a b)` for AND. Anything else is refused
    so a test never passes on a filter the emulator ignored."""
    tokens = _TOKEN.findall(text)
    position = 0

    def bad(problem: str) -> ApiError:
        emulator.violations.append(f"q {text!r}: {problem}")
        return ApiError(400, "invalidArgument", f"q {text!r}: {problem}")

    def sequence(stop: str | None) -> list[Matcher]:
        nonlocal position
        items: list[Matcher] = []
        pending_or = False
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == stop:
                return items
            if token in ("}", ")"):
                break
            if token == "OR":
                pending_or = True
                continue
            node = atom(token)
            if pending_or and items:
                left = items.pop()
                items.append(lambda m, a=left, b=node: a(m) or b(m))
            else:
                items.append(node)
            pending_or = False
        if stop is not None:
            raise bad(f"missing {stop}")
        return items

    def atom(token: str) -> Matcher:
        if token == "{":
            options = sequence("}")
            return lambda m: any(o(m) for o in options)
        if token == "(":
            required = sequence(")")
            return lambda m: all(r(m) for r in required)
        if token.startswith("-") and len(token) > 1:
            inner = atom(token[1:])
            return lambda m: not inner(m)
        return term(token)

    def term(token: str) -> Matcher:
        name, colon, value = token.partition(":")
        if not colon or name.startswith('"'):
            word = token.strip('"').casefold()
            return lambda m: word in m.raw.decode("utf-8", "replace").casefold()
        value = value.strip('"')
        key = name.casefold()
        if key == "in" and value.casefold() == "anywhere":
            return lambda m: True
        if key in ("in", "is") and value.casefold() in (_IN if key == "in" else _IS):
            label = (_IN if key == "in" else _IS)[value.casefold()]
            return lambda m: label in m.label_ids
        if key == "label":
            wanted = value.casefold()
            return lambda m: any(emulator.labels.get(i, i).casefold().replace(" ", "-")
                                 == wanted for i in m.label_ids)
        if key in ("to", "cc", "bcc", "from"):
            address = value.casefold()
            return lambda m: any(address in a.casefold() for _n, a in email.utils.getaddresses(
                [str(v) for v in m.headers().get_all(key, [])]))
        if key in ("subject", "rfc822msgid"):
            header = "Subject" if key == "subject" else "Message-ID"
            return lambda m: value.casefold() in _decoded(m.headers().get(header))
        if key in ("after", "before"):
            bound = _query_time(value, bad)
            if key == "after":
                return lambda m: m.internal_date / 1000 >= bound
            return lambda m: m.internal_date / 1000 < bound
        raise bad(f"operator {name}: is not emulated")

    matchers = sequence(None)
    if position < len(tokens):
        raise bad("unbalanced brackets")
    return lambda m: all(x(m) for x in matchers)


def _query_time(value: str, bad: Callable[[str], ApiError]) -> float:
    if value.isdigit():
        return float(value)
    try:
        day = datetime.strptime(value, "%Y/%m/%d")
    except ValueError:
        raise bad(f"bad date {value!r}") from None
    # Gmail reads a bare date in Pacific time
    return day.replace(tzinfo=ZoneInfo("America/Los_Angeles")).timestamp()


def _decoded(value: object) -> str:
    if value is None:
        return ""
    try:
        return str(email.header.make_header(email.header.decode_header(str(value)))).casefold()
    except Exception:
        return str(value).casefold()


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll `predicate` until it holds (for threads in tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
