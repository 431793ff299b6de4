"""The IMAP mailbox: drafts, the Sent search, flags and warnings on any IMAP server.

One connection per `ImapMailbox` (the engine makes one per cycle and closes it), opened on
first use. Every socket operation has a timeout. A dropped connection is reopened once and
the read retried; an APPEND interrupted by a drop first looks for the message by its
`X-Afterword-Note` / `X-Afterword-Warning` / `Message-ID` header, so a retry never leaves two
copies. The server does the narrowing: `sent_to` asks SEARCH for the recipients and fetches
only the header fields of the hits, never the whole Sent folder.

Incremental: the object outlives its connections (the daemon keeps it and `close()` only
logs out). Before reading a folder for the first time on a connection, one STATUS asks for
its UIDVALIDITY, UIDNEXT, MESSAGES and, where CONDSTORE is offered, HIGHESTMODSEQ; when they
are what they were, `drafts()`, `sent_to()` (same arguments) and `warnings_delivered()` answer
from memory with no SEARCH or FETCH. Our own APPENDs and flags update those answers, and at
`close()` one STATUS per folder we wrote to checks that the counts moved by exactly what we
did (anything else, and the folder is read afresh next time).

`recent_messages` (INBOX and Sent, for invitations and offers) sits behind the same STATUS.
It remembers, per folder, the UID and INTERNALDATE of every message that arrived since the
earliest `since` it was asked for, the mark they were read at, and the raw bytes of the
newest (BODY_CACHE_BYTES a folder). A later call whose `since` is not earlier than that:
- mark unchanged: answered from memory, no SEARCH or FETCH (the newest bodies are held, so
  the few minutes the engine reads twice cost nothing; an older body is fetched by UID);
- same UIDVALIDITY, mark moved: one UID SEARCH for the UIDs from the old UIDNEXT on (with
  CONDSTORE: for MODSEQ above the old HIGHESTMODSEQ, which adds the re-flagged ones) and one
  UID FETCH of their dates, sizes and flags, so a 20,000-message INBOX costs what changed,
  not what it holds. When MESSAGES says that something was expunged meanwhile, the folder
  is read afresh instead. (Without CONDSTORE, a remembered message flagged \\Deleted but
  not expunged stays in the answers until it is expunged.)
- otherwise (first call, earlier `since`, new UIDVALIDITY): SEARCH SINCE the day before.

`open_connection()` and `folder_name()` serve the IDLE watcher (imap_idle.py), which keeps
its own connections in its own threads and never touches this object's caches.

Refs are ``"UIDVALIDITY:UID"`` of the Drafts folder.
"""

from __future__ import annotations

import functools
import imaplib
import logging
import os
import re
import ssl
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import CapabilityError, LoginError

from afterword.auth.secrets import get_password
from afterword.plugin.config import MailboxConfig
from afterword.plugin.errors import ServiceError, UserError
from afterword.plugin.logs import register_secret
from afterword.plugin.mailbox.base import MAX_MESSAGE_BYTES, NOTE_HEADER, WARNING_HEADER
from afterword.plugin.mailbox.headers import (
    draft_info,
    matches,
    newest_bodies,
    normalize,
    parse_headers,
    recent_folder,
    sent_message,
    warning_key,
    whole_message,
)
from afterword.plugin.model import DraftInfo, SentMessage

log = logging.getLogger("afterword.mailbox.imap")

# imapclient logs every command (and message bodies) at DEBUG; keep it quiet even when
# someone turns the root logger up, unless its level was chosen on purpose.
for _name in ("imapclient", "imapclient.imaplib"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.WARNING)

T = TypeVar("T")

# (host, port, use implicit TLS, timeout in seconds) -> an unauthenticated client.
ConnectionFactory = Callable[[str, int, bool, float], IMAPClient]

DRAFT, SEEN, FLAGGED, DELETED = rb"\Draft", rb"\Seen", rb"\Flagged", rb"\Deleted"
ROLES: dict[str, bytes] = {"drafts": rb"\Drafts", "sent": rb"\Sent"}
COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "drafts": ("Drafts", "[Gmail]/Drafts", "INBOX.Drafts", "INBOX/Drafts"),
    "sent": ("Sent", "Sent Items", "Sent Messages", "[Gmail]/Sent Mail", "INBOX.Sent",
             "INBOX/Sent"),
}
DRAFT_FIELDS = "BODY.PEEK[HEADER.FIELDS (TO CC SUBJECT X-AFTERWORD-NOTE)]"
SENT_FIELDS = "BODY.PEEK[HEADER.FIELDS (FROM TO CC BCC DATE MESSAGE-ID)]"
WARNING_FIELDS = "BODY.PEEK[HEADER.FIELDS (X-AFTERWORD-WARNING)]"
ADDRESSES_PER_SEARCH = 8  # 3 criteria each: keeps one SEARCH line short for any server
UIDS_PER_FETCH = 1000  # servers cap command lines (Dovecot: 64 KiB)
BODY_CACHE_BYTES = 128 * 1024  # per folder: raw recent messages kept between reads

# A dropped or timed-out connection: worth one reconnect. IMAPClient's AbortError is
# imaplib's abort; socket timeouts and TLS errors are OSErrors.
DROPPED: tuple[type[BaseException], ...] = (OSError, imaplib.IMAP4.abort)
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]", re.IGNORECASE)

# (host, user, role, folder, how) already logged: the daemon says it once per process.
_announced: set[tuple[str, str, str, str, str]] = set()


def connect_imap(host: str, port: int, use_ssl: bool, timeout: float) -> IMAPClient:
    """The real connection: certificate and host name checked by the system's CA store."""
    context = tls_context() if use_ssl else None
    return IMAPClient(host, port=port, ssl=use_ssl, ssl_context=context, timeout=timeout)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One client context for every connection of the process (the cycle's and one IDLE
    per watched folder; a context is safe to share between threads), verifying the server's
    certificate and host name against the system's CAs.

    Where the system keeps its CAs in a hashed folder as well (Debian's /etc/ssl/certs),
    OpenSSL looks up only the CA a server needs, when it needs it; the default context
    loads the whole bundle, about 1.3 MB the daemon would hold for months. SSL_CERT_FILE
    (an administrator's own bundle), or no hashed folder, gets the default context."""
    paths = ssl.get_default_verify_paths()
    if os.environ.get(paths.openssl_cafile_env) is None and _hashed_folder(paths.capath):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, host name checked
        context.load_verify_locations(capath=paths.capath)
        return context
    return ssl.create_default_context()


def _hashed_folder(path: str | None) -> bool:
    """A folder of CA certificates under their subject hash ("9d04f354.0"), as OpenSSL's
    lazy lookup needs."""
    if not path:
        return False
    try:
        return any(_HASHED.fullmatch(name) for name in os.listdir(path))
    except OSError:
        return False


_HASHED = re.compile(r"[0-9a-f]{8}\.\d+")


@dataclass(frozen=True)
class Mark:
    """What STATUS said about a folder; equal marks mean nothing was added, expunged or
    (with HIGHESTMODSEQ) re-flagged in between."""

    uidvalidity: int | None
    uidnext: int | None
    messages: int | None
    modseq: int | None = None

    @property
    def complete(self) -> bool:
        return None not in (self.uidvalidity, self.uidnext, self.messages)

    def after_our_appends(self, later: Mark, appended: int) -> bool:
        """`later` is this folder after our own `appended` messages (and flags), and
        nothing else added or expunged."""
        if not (self.complete and later.complete):
            return False
        assert self.uidnext is not None and self.messages is not None
        return (later.uidvalidity == self.uidvalidity
                and later.uidnext == self.uidnext + appended
                and later.messages == self.messages + appended
                and (later.modseq is None) == (self.modseq is None))


@dataclass(frozen=True)
class Folder:
    role: str  # "drafts", "sent", "inbox"
    name: str
    how: str  # "configured", "special-use", "fallback", "default"


@dataclass
class Recent:
    """What `recent_messages` knows of a folder as of `mark`: when each undeleted message
    no larger than MAX_MESSAGE_BYTES that arrived at or after `since` arrived (epoch
    seconds, by UID), and the raw bytes of the newest few."""

    since: datetime
    mark: Mark
    arrivals: dict[int, float]
    bodies: dict[int, bytes] = field(default_factory=dict)

    def forget_before(self, since: datetime) -> None:
        """Move the window's start to `since`: what arrived earlier is dropped, and a later
        call asking for earlier mail reads the folder afresh."""
        if since <= self.since:
            return
        floor = since.timestamp()
        self.arrivals = {uid: when for uid, when in self.arrivals.items() if when >= floor}
        self.bodies = {uid: raw for uid, raw in self.bodies.items() if uid in self.arrivals}
        self.since = since

    def keep_newest_bodies(self) -> None:
        self.bodies = newest_bodies(self.bodies, self.arrivals, BODY_CACHE_BYTES)


class ImapMailbox:
    """Drafts, Sent, flags and warnings through one lazily opened IMAP connection."""

    kind = "imap"

    def __init__(
        self,
        host: str,
        port: int,
        security: str,
        username: str,
        password: str | None = None,
        oauth2_token: Callable[[], str] | None = None,
        drafts: str | None = None,
        sent: str | None = None,
        inbox: str | None = None,
        timeout: float = 30.0,
        connect: ConnectionFactory = connect_imap,
    ) -> None:
        if security not in ("ssl", "starttls", "none"):
            raise UserError(f'[mailbox.security] {security!r} is not one of "ssl", '
                            '"starttls", "none"; fix: correct it in the config')
        if password is None and oauth2_token is None:
            raise UserError(f"no password or token for IMAP user {username} on {host}; fix: "
                            "set mailbox.password_env or use auth = \"xoauth2\"")
        register_secret(password)
        self.host, self.port, self.security = host, port, security
        self.username = username
        self._password = password
        self._oauth2_token = oauth2_token
        self._configured = {"drafts": drafts, "sent": sent, "inbox": inbox}
        self.timeout = timeout
        self._connect_factory = connect
        self._client: IMAPClient | None = None
        self._selected: tuple[str, bool, dict[bytes, Any]] | None = None
        self._folders: dict[str, Folder] = {}
        self._listing: list[tuple[tuple[bytes, ...], str]] | None = None
        self._note_of_ref: dict[str, str] = {}  # to relocate a draft after UIDVALIDITY changes
        # Across connections: each folder's last STATUS and the answers read since it, keyed
        # by (role, method, arguments…). Per connection: folders checked, our writes.
        self._marks: dict[str, Mark] = {}
        self._answers: dict[tuple[Any, ...], Any] = {}
        self._checked: set[str] = set()
        self._wrote: dict[str, int] = {}  # role → messages we appended (0: flags only)
        self._recent: dict[str, Recent] = {}  # role → what recent_messages knows
        self._token_lock = threading.Lock()  # the IDLE watcher logs in from its threads

    @classmethod
    def from_config(
        cls, cfg: MailboxConfig, oauth2_token: Callable[[], str] | None = None
    ) -> ImapMailbox:
        """Build from `[mailbox]`; the password comes from the env var or the keyring."""
        if not cfg.host or not cfg.username:
            raise UserError("[mailbox.host] and [mailbox.username] are needed for IMAP; "
                            "fix: add them to the [mailbox] table")
        password = None
        if cfg.auth == "xoauth2":
            if oauth2_token is None:
                raise UserError('[mailbox.auth] "xoauth2" needs the Google token; '
                                "fix: run `afterword auth google`")
        else:
            password = get_password(cfg.password_env, cfg.username, cfg.host)
        port = cfg.port or (993 if cfg.security == "ssl" else 143)
        return cls(cfg.host, port, cfg.security, cfg.username, password=password,
                   oauth2_token=oauth2_token, drafts=cfg.drafts, sent=cfg.sent,
                   inbox=cfg.inbox)

    def __repr__(self) -> str:  # never shows the password
        return (f"ImapMailbox({self.host}:{self.port}, security={self.security!r}, "
                f"username={self.username!r})")

    # --- the Mailbox protocol ---------------------------------------------------------

    def drafts(self) -> list[DraftInfo]:
        def read(client: IMAPClient) -> list[DraftInfo]:
            validity = self._select(client, "drafts", readonly=True)
            uids = client.search(["NOT", "DELETED"])
            found = []
            for uid, item in sorted(_fetch(client, uids, ["FLAGS", DRAFT_FIELDS]).items()):
                ref = f"{validity}:{uid}"
                info = draft_info(ref, parse_headers(_body(item)),
                                  flagged=_has(item.get(b"FLAGS", ()), FLAGGED))
                if info.note_id:
                    self._note_of_ref[ref] = info.note_id
                found.append(info)
            return found

        return list(self._remembered(("drafts", "list"), "listing drafts", read))

    def save_draft(self, message: EmailMessage) -> str:
        ref = self._append("drafts", message, (DRAFT, SEEN))
        note = message.get(NOTE_HEADER)
        if note:
            self._note_of_ref[ref] = str(note).strip()
        self._wrote["drafts"] = self._wrote.get("drafts", 0) + 1
        listed: list[DraftInfo] | None = self._answers.get(("drafts", "list"))
        if listed is not None:
            listed.append(draft_info(ref, parse_headers(message.as_bytes()), flagged=False))
        return ref

    def flag_draft(self, ref: str) -> bool:
        try:
            validity, uid = (int(part) for part in ref.split(":"))
        except ValueError:
            log.warning("not an IMAP draft ref: %r", ref)
            return False

        def store(client: IMAPClient) -> bool:
            target: int | None = uid
            if self._select(client, "drafts", readonly=False) != validity:
                target = self._relocate(client, ref)
            if target is None:
                return False
            flags = client.add_flags([target], [FLAGGED]).get(target)
            if flags is None:  # some servers stay silent; ask whether it still exists
                flags = client.get_flags([target]).get(target)
            self._wrote.setdefault("drafts", 0)
            if target != uid:  # refs changed under us: read the folder afresh next time
                self._forget("drafts")
            return flags is not None and not _has(flags, DELETED)

        flagged = self._retrying("flagging a draft", store)
        listed: list[DraftInfo] | None = self._answers.get(("drafts", "list"))
        if listed is not None:
            listed[:] = [replace(d, flagged=True) if d.ref == ref and flagged else d
                         for d in listed]
        return flagged

    def sent_to(self, addresses: Iterable[str], since: datetime) -> list[SentMessage]:
        wanted = normalize(addresses)
        if not wanted:
            return []
        # SINCE compares dates only, in the server's zone: a day early, then exact below.
        day = _utc(since).date() - timedelta(days=1)

        def read(client: IMAPClient) -> list[SentMessage]:
            self._select(client, "sent", readonly=True)
            uids: set[int] = set()
            ordered = sorted(wanted)
            for i in range(0, len(ordered), ADDRESSES_PER_SEARCH):
                chunk = ordered[i : i + ADDRESSES_PER_SEARCH]
                terms = sorted({_searchable(a) for a in chunk})
                uids.update(client.search(_sent_criteria(terms, day)))
            fetched = _fetch(client, sorted(uids), ["INTERNALDATE", SENT_FIELDS])
            found = [sent_message(parse_headers(_body(item)), _internal_date(item))
                     for _uid, item in sorted(fetched.items())]
            return sorted((m for m in found if matches(m, wanted, since)),
                          key=lambda m: (m.date, m.message_id))

        key = ("sent", "to", tuple(sorted(wanted)), since)
        return list(self._remembered(key, "searching Sent", read))

    def warnings_delivered(self) -> set[str]:
        def read(client: IMAPClient) -> set[str]:
            self._select(client, "inbox", readonly=True)
            uids = client.search(["HEADER", WARNING_HEADER, ""])
            keys = {warning_key(parse_headers(_body(item)))
                    for item in _fetch(client, uids, [WARNING_FIELDS]).values()}
            return {key for key in keys if key}

        return set(self._remembered(("inbox", "warnings"), "listing warnings", read))

    def deliver_warning(self, message: EmailMessage) -> None:
        self._append("inbox", message, (), want_ref=False)
        self._wrote["inbox"] = self._wrote.get("inbox", 0) + 1
        delivered: set[str] | None = self._answers.get(("inbox", "warnings"))
        key = warning_key(message)
        if delivered is not None and key:
            delivered.add(key)

    def recent_messages(self, folder: str, since: datetime, limit: int = 200
                        ) -> list[EmailMessage]:
        """Behind the folder's STATUS like the other reads (see the module docstring): from
        memory when nothing changed, only the new UIDs when mail arrived, otherwise SEARCH
        SINCE (a day early: it compares dates in the server's zone) and the exact
        INTERNALDATE and size of the hits. Then BODY.PEEK[] of the newest `limit` that are
        small enough and not already held. Read-only (EXAMINE, PEEK): nothing is marked seen."""
        role = recent_folder(folder)

        def read(client: IMAPClient) -> list[EmailMessage]:
            self._check(client, role)
            mark = self._marks.get(role)
            if mark is not None and role in self._wrote:  # our APPEND since that STATUS
                mark = self._status(client, role)
            memo = self._recent.get(role)
            if memo is None or mark is None or not mark.complete or memo.since > since \
                    or memo.mark.uidvalidity != mark.uidvalidity:
                memo = self._list_recent(client, role, since, mark)
            elif memo.mark != mark:
                memo = self._list_newer(client, role, memo, mark) or \
                    self._list_recent(client, role, since, mark)
            if mark is not None and mark.complete:
                self._recent[role] = memo
            else:
                self._recent.pop(role, None)
            found = self._recent_bodies(client, role, memo, since, limit)
            memo.forget_before(since)  # the engine's window only moves on: months stay small
            return found

        return self._retrying("reading recent messages", read)

    def describe(self) -> list[str]:
        def read(client: IMAPClient) -> list[str]:
            lines = [f"IMAP {self.host}:{self.port} ({self.security}) as {self.username}"]
            for role in ("drafts", "sent", "inbox"):
                folder = self._folder(client, role)
                status = client.folder_status(folder.name, ["MESSAGES"])
                count = status.get(b"MESSAGES", "?")
                lines.append(f"{role}: {folder.name!r} ({folder.how}), {count} messages")
            return lines

        return self._retrying("describing the mailbox", read)

    def close(self) -> None:
        """Log out; what was read stays remembered for the next connection."""
        client, self._client, self._selected = self._client, None, None
        self._settle(client)
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # already gone: nothing to tell the server
            _shutdown(client)

    # --- incremental sync ---------------------------------------------------------------

    def _remembered(self, key: tuple[Any, ...], what: str, read: Callable[[IMAPClient], T]
                    ) -> T:
        """`read`'s answer; from memory while the folder (key[0]) is unchanged."""
        role = key[0]

        def op(client: IMAPClient) -> T:
            self._check(client, role)
            if key in self._answers:
                answer: T = self._answers[key]
                return answer
            fresh = read(client)
            self._answers[key] = fresh
            return fresh

        return self._retrying(what, op)

    def _check(self, client: IMAPClient, role: str) -> None:
        """Once per connection and folder: one STATUS; a changed folder's answers go."""
        if role in self._checked:
            return
        mark = self._status(client, role)
        if not mark.complete or mark != self._marks.get(role):
            self._forget(role)
            self._marks[role] = mark
        self._checked.add(role)
        self._wrote.pop(role, None)  # writes before this STATUS are in it, and in any read

    def _status(self, client: IMAPClient, role: str) -> Mark:
        items = [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES"]
        if client.has_capability("CONDSTORE"):
            items.append(b"HIGHESTMODSEQ")
        found = client.folder_status(self._folder(client, role).name, items)
        values = [_int(found.get(item)) for item in items]
        return Mark(*values)

    def _forget(self, role: str) -> None:
        self._marks.pop(role, None)
        for key in [k for k in self._answers if k[0] == role]:
            del self._answers[key]

    def _list_recent(self, client: IMAPClient, role: str, since: datetime, mark: Mark | None
                     ) -> Recent:
        """The whole window afresh: SEARCH SINCE, then the dates and sizes of the hits."""
        self._select(client, role, readonly=True)
        day = _utc(since).date() - timedelta(days=1)
        uids = client.search(["SINCE", day, "NOT", "DELETED"])
        listed = _fetch(client, uids, ["INTERNALDATE", "RFC822.SIZE"])
        arrivals: dict[int, float] = {}
        _merge(arrivals, listed, since.timestamp())
        return Recent(since, mark or Mark(None, None, None), arrivals)

    def _list_newer(self, client: IMAPClient, role: str, memo: Recent, mark: Mark
                    ) -> Recent | None:
        """`memo` brought up to `mark` from what changed since: the UIDs from the old
        UIDNEXT on, or with CONDSTORE every message new or re-flagged since the old
        HIGHESTMODSEQ, found by one UID SEARCH and read by one UID FETCH. None when a
        message was expunged meanwhile: the folder is then read afresh."""
        old = memo.mark
        assert old.uidnext is not None and old.messages is not None
        self._select(client, role, readonly=True)
        if old.modseq is not None and mark.modseq is not None:
            changed = client.search(["MODSEQ", old.modseq + 1])
        else:  # "n:*" also names the last message when none is that new: it merges harmlessly
            changed = client.search(["UID", f"{old.uidnext}:*"])
        if mark.messages != old.messages + sum(1 for uid in changed if uid >= old.uidnext):
            return None
        items = _fetch(client, sorted(changed), ["FLAGS", "INTERNALDATE", "RFC822.SIZE"])
        arrivals = dict(memo.arrivals)
        _merge(arrivals, items, memo.since.timestamp())
        bodies = {uid: raw for uid, raw in memo.bodies.items() if uid in arrivals}
        return Recent(memo.since, mark, arrivals, bodies)

    def _recent_bodies(self, client: IMAPClient, role: str, memo: Recent, since: datetime,
                       limit: int) -> list[EmailMessage]:
        """The newest `limit` messages of `memo` that arrived at or after `since`, parsed;
        only the bodies not held are fetched. The newest bodies are kept for next time."""
        floor = since.timestamp()
        newest = sorted(((when, uid) for uid, when in memo.arrivals.items() if when >= floor),
                        reverse=True)[:limit]
        wanted = [uid for _when, uid in newest]
        missing = [uid for uid in wanted if uid not in memo.bodies]
        if missing:
            self._select(client, role, readonly=True)
            fetched = _fetch(client, missing, ["BODY.PEEK[]"])
            for uid in missing:
                if uid in fetched:
                    memo.bodies[uid] = _body(fetched[uid])
                else:  # expunged since it was listed
                    memo.arrivals.pop(uid, None)
        found = [whole_message(memo.bodies[uid]) for uid in wanted if uid in memo.bodies]
        memo.keep_newest_bodies()
        return found

    def _settle(self, client: IMAPClient | None) -> None:
        """End of a connection: keep each folder we wrote to only when its STATUS moved by
        exactly our own writes; forget it otherwise (or when it cannot be asked)."""
        wrote, self._wrote = self._wrote, {}
        checked, self._checked = self._checked, set()
        for role, appended in wrote.items():
            before = self._marks.get(role)
            after = None
            if client is not None and role in checked and before is not None:
                try:
                    after = self._status(client, role)
                except Exception:  # the connection is going anyway: read afresh next time
                    log.debug("IMAP STATUS after writing failed", exc_info=True)
            if before is not None and after is not None and \
                    before.after_our_appends(after, appended):
                self._marks[role] = after
            else:
                self._forget(role)

    # --- connections of their own, for the IDLE watcher -----------------------------------

    def open_connection(self) -> IMAPClient:
        """A new logged-in connection the caller owns and logs out: same server, security,
        credentials and timeout as the mailbox's own, and the same care for secrets. Safe
        from any thread; it shares nothing with the mailbox's connection."""
        return self._open()

    def folder_name(self, client: IMAPClient, role: str) -> str:
        """The role's folder found through `client` (another thread's connection), by the
        same rules as the mailbox's own reads but without touching their caches."""
        configured = self._configured[role]
        listing = [] if role == "inbox" else selectable_folders(client)
        return choose_folder(role, configured, listing, self.host).name

    # --- connection ---------------------------------------------------------------------

    def _session(self) -> IMAPClient:
        if self._client is None:
            self._client = self._open()
        return self._client

    def _open(self) -> IMAPClient:
        where = f"{self.host}:{self.port}"
        try:
            client = self._connect_factory(self.host, self.port, self.security == "ssl",
                                           self.timeout)
        except ssl.SSLError as exc:
            raise _tls_failure(where, exc) from None
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ServiceError(f"cannot reach the IMAP server {where}: {_reason(exc)}") from None
        try:
            if self.security == "starttls":
                client.starttls(tls_context())
                client.socket().settimeout(self.timeout)
            client.normalise_times = False  # aware INTERNALDATEs
            self._login(client)
            # Cache the post-login capabilities from the LOGIN reply now: the first SELECT
            # discards them, and the next SEARCH would then cost a CAPABILITY round trip.
            client.capabilities()
        except ssl.SSLError as exc:
            _shutdown(client)
            raise _tls_failure(where, exc) from None
        except CapabilityError:
            _shutdown(client)
            raise ServiceError(f"the IMAP server {where} does not offer STARTTLS; fix: set "
                               'mailbox.security = "ssl" with its TLS port') from None
        except DROPPED as exc:
            _shutdown(client)
            raise ServiceError(f"IMAP server {where} closed the connection: {_reason(exc)}"
                               ) from None
        except BaseException:
            _shutdown(client)
            raise
        return client

    def _login(self, client: IMAPClient) -> None:
        try:
            if self._oauth2_token is not None:
                with self._token_lock:  # one refresh, whichever thread needs it first
                    token = self._oauth2_token()
                register_secret(token)
                client.oauth2_login(self.username, token)
            else:
                assert self._password is not None
                client.login(self.username, self._password)
        except LoginError as exc:
            text = _reason(exc)
            if self._password:  # servers do not echo it; make sure of it anyway
                text = text.replace(self._password, "***")
            raise ServiceError(f"IMAP login to {self.host}:{self.port} as {self.username} "
                               f"failed: {text}", retryable=False) from None

    def _drop(self) -> None:
        client, self._client, self._selected = self._client, None, None
        self._settle(None)
        if client is not None:
            _shutdown(client)

    def _retrying(self, what: str, op: Callable[[IMAPClient], T]) -> T:
        """Run an idempotent `op`; on a dropped connection reconnect once and run it again."""
        try:
            return self._guarded(what, op)
        except _Dropped as first:
            log.info("IMAP connection to %s:%s dropped while %s (%s); reconnecting",
                     self.host, self.port, what, first)
        try:
            return self._guarded(what, op)
        except _Dropped as second:
            raise ServiceError(f"IMAP connection to {self.host}:{self.port} lost while "
                               f"{what}: {second}") from None

    def _guarded(self, what: str, op: Callable[[IMAPClient], T]) -> T:
        """`op` on the session; a drop becomes _Dropped, a refusal a ServiceError."""
        client = self._session()
        try:
            return op(client)
        except DROPPED as exc:
            self._drop()
            raise _Dropped(_reason(exc)) from None
        except imaplib.IMAP4.error as exc:
            raise ServiceError(f"IMAP server {self.host}:{self.port} refused {what}: "
                               f"{_reason(exc)}") from None

    # --- folders ------------------------------------------------------------------------

    def _folder(self, client: IMAPClient, role: str) -> Folder:
        if role not in self._folders:
            folder = self._choose(client, role)
            self._folders[role] = folder
            key = (self.host, self.username, role, folder.name, folder.how)
            if key not in _announced:
                _announced.add(key)
                log.info("IMAP %s folder on %s: %r (%s)", role, self.host, folder.name,
                         folder.how)
        return self._folders[role]

    def _choose(self, client: IMAPClient, role: str) -> Folder:
        configured = self._configured[role]
        listing = [] if role == "inbox" else self._list(client)
        return choose_folder(role, configured, listing, self.host)

    def _list(self, client: IMAPClient) -> list[tuple[tuple[bytes, ...], str]]:
        """One LIST serves both roles."""
        if self._listing is None:
            self._listing = selectable_folders(client)
        return self._listing

    def _select(self, client: IMAPClient, role: str, *, readonly: bool) -> int:
        """Select the role's folder (EXAMINE when only reading) and return its UIDVALIDITY;
        an already selected folder is reused when its mode suffices."""
        name = self._folder(client, role).name
        current = self._selected
        if current is None or current[0] != name or (current[1] and not readonly):
            info = client.select_folder(name, readonly=readonly)
            current = self._selected = (name, readonly, info)
        return int(current[2][b"UIDVALIDITY"])

    # --- appending without duplicates ---------------------------------------------------

    def _append(self, role: str, message: EmailMessage, flags: Sequence[bytes],
                *, want_ref: bool = True) -> str:
        """APPEND `message`; after a drop, reconnect and append again only when the message
        is not already there. Returns its ref ("" when not wanted)."""
        raw = message.as_bytes()
        when = _message_date(message)
        key = _identity(message)

        def append(client: IMAPClient) -> str:
            folder = self._folder(client, role).name
            response = client.append(folder, raw, flags, when)
            if not want_ref:
                return ""
            found = _APPENDUID.search(response or b"")
            if found:
                return f"{int(found.group(1))}:{int(found.group(2))}"
            return self._ref_by_header(client, role, key)

        try:
            return self._guarded("appending a message", append)
        except _Dropped as drop:
            if key is None:
                raise ServiceError(f"IMAP connection to {self.host}:{self.port} lost while "
                                   f"appending a message without an id header; not retried "
                                   f"to avoid a duplicate: {drop}") from None
            log.info("IMAP connection to %s:%s dropped while appending (%s); reconnecting",
                     self.host, self.port, drop)

        def append_once(client: IMAPClient) -> str:
            assert key is not None
            uids = self._find(client, role, key)
            if uids:
                validity = self._select(client, role, readonly=True)
                return f"{validity}:{uids[-1]}" if want_ref else ""
            return append(client)

        try:
            return self._guarded("appending a message", append_once)
        except _Dropped as second:
            raise ServiceError(f"IMAP connection to {self.host}:{self.port} lost while "
                               f"appending a message: {second}") from None

    def _ref_by_header(self, client: IMAPClient, role: str, key: tuple[str, str] | None) -> str:
        """The ref of a just-appended message on a server without UIDPLUS."""
        if key is None:
            raise ServiceError(f"IMAP server {self.host} gave no APPENDUID and the message has "
                               "no id header to find it by")
        uids = self._find(client, role, key)
        if not uids:
            raise ServiceError(f"IMAP server {self.host} accepted a message into "
                               f"{self._folder(client, role).name!r} but cannot find it")
        return f"{self._select(client, role, readonly=True)}:{uids[-1]}"

    def _find(self, client: IMAPClient, role: str, key: tuple[str, str]) -> list[int]:
        """UIDs of undeleted messages whose `key` header equals the value exactly (SEARCH
        HEADER matches substrings, so the hits are checked)."""
        header, value = key
        self._select(client, role, readonly=True)
        uids = client.search(["HEADER", header, value, "NOT", "DELETED"])
        fields = f"BODY.PEEK[HEADER.FIELDS ({header.upper()})]"
        exact = []
        for uid, item in _fetch(client, uids, [fields]).items():
            values = parse_headers(_body(item)).get_all(header) or []
            if any(str(v).strip() == value for v in values):
                exact.append(uid)
        return sorted(exact)

    def _relocate(self, client: IMAPClient, ref: str) -> int | None:
        """The draft's UID after a UIDVALIDITY change, found by its note header when this
        mailbox saw the draft; None when it cannot be found."""
        note = self._note_of_ref.get(ref)
        if note is None:
            log.warning("Drafts UIDVALIDITY changed on %s and draft %s is unknown; call "
                        "drafts() for fresh refs", self.host, ref)
            return None
        uids = self._find(client, "drafts", (NOTE_HEADER, note))
        return uids[-1] if uids else None


def selectable_folders(client: IMAPClient) -> list[tuple[tuple[bytes, ...], str]]:
    """Every selectable folder with its flags."""
    return [(tuple(flags), str(name)) for flags, _sep, name in client.list_folders()
            if not {b"\\noselect", b"\\nonexistent"} & {f.lower() for f in flags}]


def choose_folder(role: str, configured: str | None,
                  listing: list[tuple[tuple[bytes, ...], str]], host: str) -> Folder:
    """Configured name, else the SPECIAL-USE folder, else a common name."""
    if role == "inbox":
        return Folder(role, configured or "INBOX", "configured" if configured else "default")
    names = [name for _flags, name in listing]
    if configured:
        if configured not in names:
            raise UserError(f"[mailbox.{role}] the folder {configured!r} does not exist on "
                            f"{host}; fix: use one of {', '.join(map(repr, names))} "
                            "or remove the key to find it by SPECIAL-USE")
        return Folder(role, configured, "configured")
    for flags, name in listing:
        if any(flag.lower() == ROLES[role].lower() for flag in flags):
            return Folder(role, name, "special-use")
    for common in COMMON_NAMES[role]:
        if common in names:
            return Folder(role, common, "fallback")
    raise UserError(f"[mailbox.{role}] no {role.capitalize()} folder on {host}: none "
                    f"is marked {ROLES[role].decode()} and none has a usual name; fix: set "
                    f"mailbox.{role} to one of {', '.join(map(repr, names))}")


class _Dropped(Exception):
    """The connection went away mid-command; the session is already discarded."""


def _searchable(address: str) -> str:
    """What SEARCH can look for: the address, or for one with non-ASCII characters (which
    IMAP search strings cannot carry here) an ASCII part of it. SEARCH matches substrings
    and every hit is checked exactly afterwards, so a wider search only costs a few more
    header fetches."""
    if address.isascii():
        return address
    domain = address.rpartition("@")[2]
    if domain.isascii():
        return "@" + domain
    runs = re.findall(r"[\x21-\x7e]{3,}", address)
    return max(runs, key=len) if runs else "@"


def _sent_criteria(addresses: Sequence[str], since_day: date) -> list[Any]:
    """SINCE day and (To, Cc or Bcc contains any of the addresses), as nested ORs."""
    terms: list[Any] = [[field, addr] for addr in addresses for field in ("TO", "CC", "BCC")]
    while len(terms) > 1:
        paired = [["OR", terms[i], terms[i + 1]] for i in range(0, len(terms) - 1, 2)]
        terms = paired + (terms[-1:] if len(terms) % 2 else [])
    return ["SINCE", since_day, terms[0]]


def _merge(arrivals: dict[int, float], items: dict[int, dict[bytes, Any]], floor: float
           ) -> None:
    """Fold FETCH items (INTERNALDATE, RFC822.SIZE and perhaps FLAGS) into `arrivals`:
    a message belongs there when it arrived at or after `floor`, is small enough and is
    not flagged \\Deleted."""
    for uid, item in items.items():
        when = _internal_date(item).timestamp()
        size = _int(item.get(b"RFC822.SIZE")) or 0
        if when >= floor and size <= MAX_MESSAGE_BYTES and \
                not _has(item.get(b"FLAGS", ()), DELETED):
            arrivals[uid] = when
        else:
            arrivals.pop(uid, None)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _has(flags: Iterable[bytes], flag: bytes) -> bool:
    """Flag names are case-insensitive (RFC 3501)."""
    return flag.lower() in {f.lower() for f in flags}


def _identity(message: EmailMessage) -> tuple[str, str] | None:
    """The header that tells this message apart from any other, to find it after a drop."""
    for header in (NOTE_HEADER, WARNING_HEADER, "Message-ID"):
        value = message.get(header)
        if value and str(value).strip():
            return header, str(value).strip()
    return None


def _fetch(client: IMAPClient, uids: Sequence[int], fields: list[str]
           ) -> dict[int, dict[bytes, Any]]:
    """UID FETCH in slices, so a huge folder never makes one over-long command line."""
    found: dict[int, dict[bytes, Any]] = {}
    for i in range(0, len(uids), UIDS_PER_FETCH):
        found.update(client.fetch(list(uids[i : i + UIDS_PER_FETCH]), fields))
    return found


def _body(item: dict[bytes, Any]) -> bytes:
    """The BODY[...] part of a FETCH item, whatever section name the server echoed."""
    for name, value in item.items():
        if name.startswith(b"BODY[") and isinstance(value, bytes):
            return value
    return b""


def _internal_date(item: dict[bytes, Any]) -> datetime:
    value = item.get(b"INTERNALDATE")
    return _utc(value) if isinstance(value, datetime) else datetime.now(UTC)


def _message_date(message: EmailMessage) -> datetime | None:
    value = message.get("Date")
    if not value:
        return None
    try:
        return _utc(parsedate_to_datetime(str(value)))
    except (ValueError, TypeError, IndexError, OverflowError):
        return None


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _tls_failure(where: str, exc: ssl.SSLError) -> ServiceError:
    """The server answered but TLS failed: say which of the two usual causes it is. Still
    retryable: a laptop behind a captive portal sees a foreign certificate for a while."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ServiceError(
            f"the IMAP server {where} presented a certificate that cannot be trusted: "
            f"{exc.verify_message or _reason(exc)}; fix: set mailbox.host to the name on the "
            "server's certificate, or make the system trust its CA (SSL_CERT_FILE can name "
            "a CA bundle)")
    return ServiceError(
        f"TLS handshake with the IMAP server {where} failed: {_reason(exc)}; fix: "
        'security = "ssl" needs the server\'s TLS port (usually 993), "starttls" its plain '
        "port (usually 143)")


def _reason(exc: BaseException) -> str:
    """One readable line from imaplib's bytes-in-str messages."""
    text = str(exc) or type(exc).__name__
    text = re.sub(r"^b(['\"])(.*)\1$", r"\2", text.strip())
    return " ".join(text.split())


def _shutdown(client: IMAPClient) -> None:
    try:
        client.shutdown()
    except Exception:  # the socket is already closed
        log.debug("IMAP socket already closed", exc_info=True)
