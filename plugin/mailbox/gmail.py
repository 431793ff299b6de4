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

No method here sends mail, and none may: messages.send and drafts.send are never called.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage, Message
from typing import TYPE_CHECKING, Any

from afterword.auth.scopes import MAILBOX_SCOPES, short_name
from afterword.auth.token_store import TokenStore
from afterword.plugin.errors import ServiceError, UserError
from afterword.plugin.google_api import DEFAULT_RETRY, GoogleApi, GoogleApiError, RetryPolicy
from afterword.plugin.mailbox import headers
from afterword.plugin.mailbox.base import WARNING_HEADER
from afterword.plugin.model import DraftInfo, SentMessage

if TYPE_CHECKING:
    from afterword.plugin.config import MailboxConfig

log = logging.getLogger("afterword.mailbox.gmail")

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
            self._label_draft(message_id)
        return ref

    def _existing_draft(self, note: str) -> dict[str, Any] | None:
        """The draft carrying `note`, when an interrupted create did save it."""
        for draft in self.drafts():
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
        return True

    def _add_labels(self, message_id: str, label_ids: list[str]) -> None:
        self.api.execute(self._users.messages().modify(
            userId="me", id=message_id, body={"addLabelIds": label_ids}))

    # -- sent mail --------------------------------------------------------------------

    def sent_to(self, addresses: Iterable[str], since: datetime) -> list[SentMessage]:
        wanted = headers.normalize(addresses)
        if not wanted:
            return []
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
        recover = (lambda: {"id": ""} if key in self.warnings_delivered() else None) if key \
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
            return

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
        self._resources = None
        self.api.close()

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


class _Users:
    """The client's users() resource with its drafts/messages/labels children cached."""

    def __init__(self, service: Any) -> None:
        self.service = service
        users = service.users()
        self._users = users
        self._drafts = users.drafts()
        self._messages = users.messages()
        self._labels = users.labels()

    def drafts(self) -> Any:
        return self._drafts

    def messages(self) -> Any:
        return self._messages

    def labels(self) -> Any:
        return self._labels

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
