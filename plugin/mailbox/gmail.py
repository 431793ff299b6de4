"""Gmail through the official API (users.drafts, users.messages, users.labels).

- Drafts are Gmail drafts (`drafts.create` with the raw RFC 5322 bytes), labelled
  `afterword` so the user can find them. A draft's ref is its draft id: it survives the
  user editing the draft in Gmail (which replaces the draft's message, so the edited
  draft shows up without our X-Afterword-Note header, under the same ref).
- Flagging stars the draft's current message (`messages.modify` + STARRED).
- Sent mail is searched on the server (`in:sent after:… {to:a cc:a bcc:a …}`), never
  listed whole, and read as metadata only (a few headers, no bodies).
- Warnings are `messages.insert`ed into INBOX, UNREAD, labelled `afterword`; the label
  is also how they are found again (Gmail cannot search arbitrary headers).

Gmail messages never change once written (an edit makes a new message), so headers read
once are kept by message id: a cycle with no change costs one list call per question
(drafts: drafts.list and the starred drafts; sent: one search per 5 addresses; warnings:
one list) and no `get` at all.

Incremental: the object outlives its connections (the daemon keeps it; `close()` drops only
the HTTP connections). From its second use on it remembers the mailbox's historyId
(`getProfile`, once) and the answers read since; each later use starts with one
`history.list` from that id (2 units): when the only changes are our own (drafts created
and labelled, stars, warnings inserted), the remembered answers stand, updated by those
writes; any other change, and they are read afresh. A historyId too old for Gmail (404)
means a full resync. A first use stores nothing, so `run --once` pays for no baseline.

`recent_messages` (INBOX and Sent, for invitations and offers) rides on the same
history.list, more finely: it remembers, per folder, the arrival time of each message it
listed and the raw bytes of the newest (BODY_CACHE_BYTES a folder), and answers a later
call whose `since` is not earlier from memory, with no request, until a history record
adds or removes that folder's label (a message arriving, sent, archived, deleted; our own
warnings too). Reading or starring mail touches other labels and keeps the memory. A
listing cut at `limit` is not remembered.

No method here sends mail, and none may: messages.send and drafts.send are never called.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage, Message
from typing import TYPE_CHECKING, Any, TypeVar

from afterword.auth.scopes import MAILBOX_SCOPES, short_name
from afterword.auth.token_store import TokenStore
from afterword.plugin.errors import ServiceError, UserError
from afterword.plugin.google_api import DEFAULT_RETRY, GoogleApi, GoogleApiError, RetryPolicy
from afterword.plugin.mailbox import headers
from afterword.plugin.mailbox.base import MAX_MESSAGE_BYTES, WARNING_HEADER
from afterword.plugin.model import DraftInfo, SentMessage

if TYPE_CHECKING:
    from afterword.plugin.config import MailboxConfig

log = logging.getLogger("afterword.mailbox.gmail")

T = TypeVar("T")

LABEL = "afterword"
SENT_HEADERS = ("From", "To", "Cc", "Bcc", "Date", "Message-ID")
WARNING_HEADERS = (WARNING_HEADER,)
ADDRESSES_PER_SEARCH = 5  # three terms each: keeps a query well under Gmail's length limit
PAGE_SIZE = 500  # the most list calls return per page
MAX_PAGES = 200  # a server that keeps handing out page tokens cannot loop us forever
# Gmail's `after:` compares its own arrival time; a message dated a little before it
# arrived (clock skew, a client that stored it late) must still be found. The exact
# bound is applied to the Date header afterwards.
SEARCH_MARGIN = timedelta(days=1)
BODY_CACHE_BYTES = 128 * 1024  # per folder: raw recent messages kept between reads
_SAFE_TERM = re.compile(r"[A-Za-z0-9._%+\-@']+")


class GmailMailbox:
    """The Mailbox protocol on a Gmail account."""

    kind = "gmail"

    def __init__(self, api: GoogleApi) -> None:
        self.api = api
        self._label: str | None = None  # the `afterword` label's id, once known to exist
        self._draft_heads: dict[str, Message] = {}  # message id → its header block
        self._draft_messages: dict[str, str] = {}  # draft id → message id, last seen
        self._sent: dict[str, SentMessage] = {}  # message id → what sent_to needs
        self._warning_keys: dict[str, str | None] = {}  # message id → warning key
        self._resources: _Users | None = None
        # Incremental sync: the historyId the remembered answers are good for, the answers
        # (keyed by method and arguments), and our own changes since the last check.
        self._history: str | None = None
        self._answers: dict[tuple[Any, ...], Any] = {}
        self._checked = False  # history asked on this connection
        self._used = False  # a connection before this one read something
        self._own_added: set[str] = set()  # message ids we created
        self._own_labels: dict[str, set[str]] = {}  # message id → labels we added
        self._recent: dict[str, _Recent] = {}  # "inbox"/"sent" → what recent_messages read

    @classmethod
    def from_config(cls, cfg: MailboxConfig, *, retry: RetryPolicy | None = None
                    ) -> GmailMailbox:
        if cfg.token_file is None:
            raise UserError("[mailbox.token_file] is not set; fix: set it, or leave it out "
                            "to use the default, then run `afterword auth google`")
        api = GoogleApi(TokenStore(cfg.token_file), MAILBOX_SCOPES, endpoint=cfg.api_endpoint,
                        retry=retry or DEFAULT_RETRY)
        return cls(api)

    @property
    def _users(self) -> Any:
        """`users()` of the Gmail service; building a client resource costs milliseconds,
        so it and its children are made once per service (a new consent makes a new one)."""
        service = self.api.service("gmail")
        if self._resources is None or self._resources.service is not service:
            self._resources = _Users(service)
        return self._resources

    # -- drafts -----------------------------------------------------------------------

    def drafts(self) -> list[DraftInfo]:
        return list(self._remembered(("drafts",), self._read_drafts))

    def _read_drafts(self) -> list[DraftInfo]:
        listed = [d for d in self._pages(lambda token: self._users.drafts().list(
            userId="me", maxResults=PAGE_SIZE, pageToken=token), "drafts") if d.get("id")]
        if not listed:
            self._draft_heads.clear()
            self._draft_messages.clear()
            return []
        current = {d["id"]: _message_id(d) for d in listed}
        unknown = [ref for ref, mid in current.items() if mid not in self._draft_heads]
        fetched = self.api.execute_batch("gmail", {
            # by draft id, not message id: a draft edited meanwhile is still found
            ref: self._users.drafts().get(userId="me", id=ref, format="metadata")
            for ref in unknown
        })
        for ref in unknown:
            draft = fetched.get(ref)
            if draft is None:  # deleted between the list and the get
                del current[ref]
                continue
            current[ref] = _message_id(draft)
            self._draft_heads[current[ref]] = _head(draft.get("message", {}))
        starred = set(self._message_ids(labelIds=["DRAFT", "STARRED"]))
        self._draft_heads = {mid: self._draft_heads[mid] for mid in current.values()
                             if mid in self._draft_heads}
        self._draft_messages = current
        return [headers.draft_info(ref, self._draft_heads[mid], flagged=mid in starred)
                for ref, mid in current.items() if mid in self._draft_heads]

    def save_draft(self, message: EmailMessage) -> str:
        note = headers.note_id(message)
        recover = (lambda: self._existing_draft(note)) if note else None
        data = message.as_bytes(policy=policy.SMTP)
        request = self._users.drafts().create(userId="me", body={"message": {"raw": _b64(data)}})
        created = self.api.execute(request, creates=True, recover=recover)
        ref = str(created["id"])
        message_id = _message_id(created)
        if message_id:
            self._draft_heads[message_id] = headers.parse_headers(data)
            self._draft_messages[ref] = message_id
            self._own_added.add(message_id)
            self._label_draft(message_id)
            listed: list[DraftInfo] | None = self._answers.get(("drafts",))
            if listed is not None:
                listed.append(headers.draft_info(ref, self._draft_heads[message_id],
                                                 flagged=False))
        return ref

    def _existing_draft(self, note: str) -> dict[str, Any] | None:
        """The draft carrying `note`, when an interrupted create did save it."""
        for draft in self._read_drafts():
            if draft.note_id == note:
                return {"id": draft.ref, "message": {"id": self._draft_messages.get(draft.ref)}}
        return None

    def _label_draft(self, message_id: str) -> None:
        """Best effort: the label only helps the user find the drafts."""
        try:
            self._add_labels(message_id, [self._ensure_label()])
        except ServiceError as exc:
            self._label = None  # look it up afresh next time
            log.warning("draft saved but not labelled %r: %s", LABEL, exc)

    def flag_draft(self, ref: str) -> bool:
        try:
            draft = self.api.execute(self._users.drafts().get(userId="me", id=ref,
                                                              format="minimal"))
            self._add_labels(_message_id(draft), ["STARRED"])
        except GoogleApiError as exc:
            if exc.status == 404:
                return False
            raise
        listed: list[DraftInfo] | None = self._answers.get(("drafts",))
        if listed is not None:
            listed[:] = [replace(d, flagged=True) if d.ref == ref else d for d in listed]
        return True

    def _add_labels(self, message_id: str, label_ids: list[str]) -> None:
        self.api.execute(self._users.messages().modify(
            userId="me", id=message_id, body={"addLabelIds": label_ids}))
        self._own_labels.setdefault(message_id, set()).update(label_ids)

    # -- sent mail --------------------------------------------------------------------

    def sent_to(self, addresses: Iterable[str], since: datetime) -> list[SentMessage]:
        wanted = headers.normalize(addresses)
        if not wanted:
            return []
        key = ("sent", tuple(sorted(wanted)), since)
        return list(self._remembered(key, lambda: self._search_sent(wanted, since)))

    def _search_sent(self, wanted: frozenset[str], since: datetime) -> list[SentMessage]:
        after = int((since - SEARCH_MARGIN).timestamp())
        ids: dict[str, None] = {}
        for group in _groups(sorted(wanted), ADDRESSES_PER_SEARCH):
            ids.update(dict.fromkeys(self._message_ids(q=sent_query(group, after))))
        unknown = [mid for mid in ids if mid not in self._sent]
        fetched = self.api.execute_batch("gmail", {
            mid: self._users.messages().get(userId="me", id=mid, format="metadata",
                                            metadataHeaders=list(SENT_HEADERS))
            for mid in unknown
        })
        for mid, item in fetched.items():
            self._sent[mid] = headers.sent_message(_head(item), _internal_date(item))
        found = [self._sent[mid] for mid in ids if mid in self._sent]
        return sorted((m for m in found if headers.matches(m, wanted, since)),
                      key=lambda m: m.date)

    # -- warnings ---------------------------------------------------------------------

    def warnings_delivered(self) -> set[str]:
        return set(self._remembered(("warnings",), self._read_warnings))

    def _read_warnings(self) -> set[str]:
        label = self._known_label()
        if label is None:  # nothing was ever labelled, so no warning was delivered
            return set()
        ids = self._message_ids(labelIds=[label], q="-in:drafts")
        unknown = [mid for mid in ids if mid not in self._warning_keys]
        fetched = self.api.execute_batch("gmail", {
            mid: self._users.messages().get(userId="me", id=mid, format="metadata",
                                            metadataHeaders=list(WARNING_HEADERS))
            for mid in unknown
        })
        for mid, item in fetched.items():
            self._warning_keys[mid] = headers.warning_key(_head(item))
        return {key for mid in ids if (key := self._warning_keys.get(mid))}

    def deliver_warning(self, message: EmailMessage) -> None:
        key = headers.warning_key(message)
        recover = (lambda: {"id": ""} if key in self._read_warnings() else None) if key \
            else None
        raw = _b64(message.as_bytes(policy=policy.SMTP))
        for last_try in (False, True):
            label = self._ensure_label()
            request = self._users.messages().insert(
                userId="me", internalDateSource="receivedTime",
                body={"raw": raw, "labelIds": ["INBOX", "UNREAD", label]})
            try:
                inserted = self.api.execute(request, creates=True, recover=recover)
            except GoogleApiError as exc:
                if exc.status != 400 or last_try:
                    raise
                self._label = None  # the user deleted the label meanwhile: make it again
                continue
            if inserted.get("id"):
                self._warning_keys[str(inserted["id"])] = key
                self._own_added.add(str(inserted["id"]))
            delivered: set[str] | None = self._answers.get(("warnings",))
            if delivered is not None and key:
                delivered.add(key)
            return

    # -- recent messages --------------------------------------------------------------

    def recent_messages(self, folder: str, since: datetime, limit: int = 200
                        ) -> list[EmailMessage]:
        """`in:inbox after:EPOCH` (or `in:sent`), newest first as Gmail lists them, then
        batched `messages.get format=raw` of the newest `limit`; from memory instead while
        history.list shows nothing added to or taken from that label (module docstring).
        Reading changes no label, so nothing is marked read; the exact bound is applied to
        internalDate."""
        name = headers.recent_folder(folder)
        self._check_history()
        memo = self._recent.get(name)
        if memo is None or memo.since > since:
            memo = self._read_recent(name, since, limit)
            if self._history is not None and memo.complete:
                self._recent[name] = memo
            else:
                self._recent.pop(name, None)
        return self._recent_answer(memo, since, limit)

    def _read_recent(self, name: str, since: datetime, limit: int) -> _Recent:
        query = f"in:{name} after:{int(since.timestamp())}"
        listed = self._pages(lambda token: self._users.messages().list(
            userId="me", maxResults=min(max(limit, 1), PAGE_SIZE), pageToken=token, q=query),
            "messages")
        ids: list[str] = []
        for entry in listed:  # a generator: stopping early fetches no further page
            if len(ids) >= limit:
                break
            if entry.get("id") and str(entry["id"]) not in ids:
                ids.append(str(entry["id"]))
        memo = _Recent(since, complete=len(ids) < limit)
        self._fetch_raw(memo, ids)
        return memo

    def _fetch_raw(self, memo: _Recent, ids: list[str]) -> None:
        """Arrival times and bodies of `ids` into `memo`; gone or oversized ones left out."""
        fetched = self.api.execute_batch("gmail", {
            mid: self._users.messages().get(userId="me", id=mid, format="raw") for mid in ids
        })
        floor = memo.since.timestamp()
        for mid in ids:
            item = fetched.get(mid)
            raw = _unb64(str(item["raw"])) if isinstance(item, dict) and item.get("raw") \
                else None
            arrived = _internal_date(item).timestamp() if isinstance(item, dict) else 0.0
            if raw is not None and len(raw) <= MAX_MESSAGE_BYTES and arrived >= floor:
                memo.arrivals[mid] = arrived
                memo.bodies[mid] = raw
            else:
                memo.arrivals.pop(mid, None)
                memo.bodies.pop(mid, None)

    def _recent_answer(self, memo: _Recent, since: datetime, limit: int
                       ) -> list[EmailMessage]:
        floor = since.timestamp()
        wanted = [mid for _when, mid in sorted(
            ((when, mid) for mid, when in memo.arrivals.items() if when >= floor),
            reverse=True)[:limit]]
        missing = [mid for mid in wanted if mid not in memo.bodies]
        if missing:
            self._fetch_raw(memo, missing)
        found = [headers.whole_message(memo.bodies[mid]) for mid in wanted
                 if mid in memo.bodies]
        memo.keep_newest_bodies()
        return found

    # -- the label --------------------------------------------------------------------

    def _known_label(self) -> str | None:
        return self._label or self._find_label()

    def _ensure_label(self) -> str:
        """The `afterword` label's id, creating the label on first use."""
        found = self._known_label()
        if found:
            return found
        request = self._users.labels().create(userId="me", body={
            "name": LABEL, "labelListVisibility": "labelShow", "messageListVisibility": "show"})
        try:
            created = self.api.execute(request, creates=True, recover=self._find_label_answer)
        except GoogleApiError as exc:
            if exc.status != 409:  # 409: it exists after all (made by another run)
                raise
            created = self._find_label_answer() or {}
        if not created.get("id"):
            raise ServiceError(f"Gmail did not create the {LABEL!r} label")
        self._label = str(created["id"])
        return self._label

    def _find_label_answer(self) -> dict[str, Any] | None:
        found = self._find_label()
        return {"id": found} if found else None

    def _find_label(self) -> str | None:
        labels = self.api.execute(self._users.labels().list(userId="me")).get("labels", [])
        for label in labels:
            if str(label.get("name", "")).casefold() == LABEL and label.get("id"):
                self._label = str(label["id"])
                return self._label
        return None

    # -- check and close --------------------------------------------------------------

    def describe(self) -> list[str]:
        profile = self.api.execute(self._users.getProfile(userId="me"))
        label = self._find_label()
        scopes = ", ".join(short_name(s) for s in MAILBOX_SCOPES)
        return [
            f"{self.api.where('gmail')}: {profile.get('emailAddress', '?')}, "
            f"{profile.get('messagesTotal', '?')} messages",
            "drafts: Gmail drafts, labelled " + repr(LABEL),
            "sent: searched with in:sent per interviewer (headers only)",
            "inbox: warnings inserted into INBOX as unread, labelled " + repr(LABEL),
            f"label {LABEL!r}: " + ("exists" if label else "created with the first draft"),
            f"token: {self.api.store.path} (scope {scopes})",
        ]

    def close(self) -> None:
        """Drop the HTTP connections; what was read stays remembered for the next use, and
        so do the client's resources (rebuilding them costs milliseconds of CPU)."""
        self._used = self._used or self._checked
        self._checked = False
        self.api.disconnect()

    # -- incremental sync -------------------------------------------------------------

    def _remembered(self, key: tuple[Any, ...], read: Callable[[], T]) -> T:
        """`read()`'s answer; from memory while nothing but our own writes changed."""
        self._check_history()
        if self._history is None:  # first use: nothing worth keeping yet
            return read()
        if key not in self._answers:
            self._answers[key] = read()
        answer: T = self._answers[key]
        return answer

    def _check_history(self) -> None:
        """Once per connection: has anyone but us changed the mailbox since the answers
        were read? Forget them if so."""
        if self._checked:
            return
        self._checked = True
        if self._history is None:
            if self._used:
                self._resync()
            return
        try:
            page = self.api.execute(self._users.history().list(
                userId="me", startHistoryId=self._history, maxResults=PAGE_SIZE))
        except GoogleApiError as exc:
            if exc.status != 404:
                raise
            log.info("Gmail history from %s is no longer available; reading afresh",
                     self._history)
            self._resync()
            return
        records = page.get("history") or []
        if page.get("nextPageToken") or any(map(self._foreign, records)):
            self._answers.clear()
            self._label = None  # the user may have deleted or renamed it
        self._forget_recent(records, complete=not page.get("nextPageToken"))
        self._history = str(page.get("historyId") or self._history)
        self._own_added.clear()
        self._own_labels.clear()

    def _resync(self) -> None:
        """A new baseline, taken before anything it vouches for is read."""
        profile = self.api.execute(self._users.getProfile(userId="me"))
        self._history = str(profile["historyId"]) if profile.get("historyId") else None
        self._answers.clear()
        self._recent.clear()
        self._own_added.clear()
        self._own_labels.clear()

    def _forget_recent(self, records: list[dict[str, Any]], *, complete: bool) -> None:
        """Drop what recent_messages remembers of a folder whose label a message gained or
        lost (ours too: a warning is in the inbox); all of it when unsure."""
        touched: set[str] = set()
        for record in records if complete else [{}]:  # more pages: unsure
            labels = _labels_touched(record)
            if labels is None:
                self._recent.clear()
                return
            touched |= labels
        for name in [n for n in self._recent if n.upper() in touched]:
            del self._recent[name]

    def _foreign(self, record: dict[str, Any]) -> bool:
        """A history record of a change we did not make ourselves."""
        if record.get("messagesDeleted") or record.get("labelsRemoved"):
            return True
        added = record.get("messagesAdded") or []
        labelled = record.get("labelsAdded") or []
        if not added and not labelled:
            return True  # a kind of change this code does not know: assume it matters
        for item in added:
            if _item_id(item) not in self._own_added:
                return True
        for item in labelled:
            labels = item.get("labelIds") if isinstance(item, dict) else None
            ours = self._own_labels.get(_item_id(item), set())
            if not isinstance(labels, list) or not set(map(str, labels)) <= ours:
                return True
        return False

    # -- listing ----------------------------------------------------------------------

    def _message_ids(self, **query: Any) -> list[str]:
        """Ids of the messages a messages.list query finds, every page."""
        items = self._pages(lambda token: self._users.messages().list(
            userId="me", maxResults=PAGE_SIZE, pageToken=token, **query), "messages")
        return list(dict.fromkeys(str(m["id"]) for m in items if m.get("id")))

    def _pages(self, make: Callable[[str | None], Any], key: str) -> Iterator[dict[str, Any]]:
        token: str | None = None
        for _ in range(MAX_PAGES):
            page = self.api.execute(make(token))
            yield from (item for item in page.get(key, []) if isinstance(item, dict))
            token = page.get("nextPageToken")
            if not token:
                return
        log.warning("Gmail kept returning pages of %s; stopped after %d", key, MAX_PAGES)


class _Recent:
    """What `recent_messages` read of a folder: when each message (small enough, arrived
    at or after `since`) arrived, by id, and the raw bytes of the newest few. `complete`:
    the listing was not cut at `limit`, so nothing in the window is missing."""

    def __init__(self, since: datetime, *, complete: bool) -> None:
        self.since = since
        self.complete = complete
        self.arrivals: dict[str, float] = {}
        self.bodies: dict[str, bytes] = {}

    def keep_newest_bodies(self) -> None:
        self.bodies = headers.newest_bodies(self.bodies, self.arrivals, BODY_CACHE_BYTES)


def _labels_touched(record: dict[str, Any]) -> set[str] | None:
    """The labels a history record added or removed, counting every label of a message
    added or deleted; None when the record says something this code cannot read."""
    touched: set[str] = set()
    seen = False
    for kind, inner in (("messagesAdded", True), ("messagesDeleted", True),
                        ("labelsAdded", False), ("labelsRemoved", False)):
        for item in record.get(kind) or []:
            seen = True
            holder = item.get("message") if inner and isinstance(item, dict) else item
            labels = holder.get("labelIds") if isinstance(holder, dict) else None
            if not isinstance(labels, list):
                return None
            touched.update(map(str, labels))
    return touched if seen else None


class _Users:
    """The client's users() resource with its drafts/messages/labels children cached."""

    def __init__(self, service: Any) -> None:
        self.service = service
        users = service.users()
        self._users = users
        self._drafts = users.drafts()
        self._messages = users.messages()
        self._labels = users.labels()
        self._history = users.history()

    def drafts(self) -> Any:
        return self._drafts

    def messages(self) -> Any:
        return self._messages

    def labels(self) -> Any:
        return self._labels

    def history(self) -> Any:
        return self._history

    def getProfile(self, **kwargs: Any) -> Any:  # the API's own name
        return self._users.getProfile(**kwargs)


def sent_query(addresses: Iterable[str], after: int) -> str:
    """`in:sent after:EPOCH {to:a cc:a bcc:a to:b …}`: braces mean OR in Gmail search."""
    terms = [f"{field}:{_term(a)}" for a in addresses for field in ("to", "cc", "bcc")]
    return f"in:sent after:{after} {{{' '.join(terms)}}}"


def _term(address: str) -> str:
    if _SAFE_TERM.fullmatch(address):
        return address
    return '"' + address.replace('"', "") + '"'


def _groups(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _b64(data: bytes) -> str:
    """What Gmail's `raw` field wants: the RFC 5322 bytes (CRLF line ends), base64url."""
    return base64.urlsafe_b64encode(data).decode("ascii")


def _unb64(data: str) -> bytes | None:
    """`raw` back to the message's bytes; None when it is not base64url."""
    try:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except ValueError:
        return None


def _item_id(item: Any) -> str:
    """The message id in a history record's entry ({"message": {"id": …}, …})."""
    return _message_id(item) if isinstance(item, dict) else ""


def _message_id(item: dict[str, Any]) -> str:
    """The message id inside a Draft resource."""
    message = item.get("message")
    return str(message.get("id") or "") if isinstance(message, dict) else ""


def _head(message: dict[str, Any]) -> Message:
    """A header block from a metadata answer's `payload.headers`, parsed the way every
    backend parses headers (encoded words, odd values and all)."""
    payload = message.get("payload")
    pairs = payload.get("headers", []) if isinstance(payload, dict) else []
    lines = []
    for pair in pairs if isinstance(pairs, list) else []:
        if isinstance(pair, dict) and pair.get("name"):
            value = " ".join(str(pair.get("value", "")).splitlines())
            lines.append(f"{pair['name']}: {value}")
    return headers.parse_headers("\n".join(lines).encode("utf-8", "replace"))


def _internal_date(message: dict[str, Any]) -> datetime:
    """When Gmail received the message: the stand-in for a missing Date header."""
    try:
        return datetime.fromtimestamp(int(message["internalDate"]) / 1000, tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)
