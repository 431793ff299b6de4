"""An .ics file or feed as a calendar source.

Reading is the cheap part and happens every cycle: a file's size, mtime and inode, or a
URL's conditional GET (with an on-disk cache of the body and its validators). Parsing is
the dear part and happens only when the calendar changed, through the CalendarParser given
(sources/parse.py): in process for one-shot commands, in the helper process for the daemon.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from afterword.plugin.config import system_timezone
from afterword.plugin.errors import ServiceError, UserError, one_line
from afterword.plugin.logs import register_secret
from afterword.plugin.model import CalendarEvent
from afterword.plugin.sources.parse import PARSE_HERE, CalendarParser

if TYPE_CHECKING:
    import urllib.request

log = logging.getLogger("afterword.sources.ics")

MAX_BODY = 64 * 1024 * 1024  # bytes accepted from a URL before giving up
# Parsed events are kept for a window this much longer than asked, so the window moving
# forward with the clock is answered from memory while the calendar is unchanged.
AHEAD = timedelta(days=1)


@dataclass
class _Cached:
    body: bytes
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class _Parsed:
    """The events of one version of the calendar (file stat or body digest) in a window."""

    version: object
    start: datetime
    end: datetime
    events: tuple[CalendarEvent, ...]

    def answers(self, version: object, start: datetime, end: datetime) -> bool:
        return version == self.version and self.start <= start and end <= self.end


class IcsSource:
    """A calendar read from an .ics file or fetched from an http(s) URL.

    A file is parsed again only when its size, mtime or inode changed, a URL only when its
    body did (a 304 keeps it): otherwise `events()` answers from the last parse.
    """

    kind = "ics"

    def __init__(
        self,
        path: Path | None = None,
        url: str | None = None,
        default_zone: ZoneInfo | None = None,
        cache_dir: Path | None = None,
        timeout: float = 30,
        parse: CalendarParser = PARSE_HERE,
    ) -> None:
        if (path is None) == (url is None):
            raise UserError("an ics calendar needs exactly one of a path and a url")
        if url is not None and urllib.parse.urlsplit(url).scheme.lower() not in ("http", "https"):
            raise UserError(f"ics url {redact_url(url)}: only http and https URLs are supported")
        self.path = path
        self.url = url
        self.default_zone = default_zone or ZoneInfo(system_timezone())
        self.cache_dir = cache_dir
        self.timeout = timeout
        self.parse = parse
        self._cached: _Cached | None = None
        self._parsed: _Parsed | None = None

    @property
    def label(self) -> str:
        """How this calendar is named in logs and messages (never with credentials)."""
        if self.path is not None:
            return f"ics file {self.path}"
        return f"ics url {redact_url(self.url or '')}"

    def events(self, start: datetime, end: datetime) -> list[CalendarEvent]:
        path, data = self.path, None
        if path is not None:
            version: object = _file_version(path)
        else:
            data, _ = self._fetch(persist=True)
            version = hashlib.blake2b(data, digest_size=16).digest()
        parsed = self._parsed
        if parsed is None or not parsed.answers(version, start, end):
            if data is None:
                assert path is not None
                data = _read_file(path)
            far = end + AHEAD
            events = self.parse(data, start, far, self.default_zone, self.label)
            parsed = self._parsed = _Parsed(version, start, far, tuple(events))
        return [e for e in parsed.events if e.overlaps(start, end)]

    def close(self) -> None:
        """Nothing to release: each read opens and closes its own file or connection."""

    def describe(self) -> list[str]:
        from afterword.plugin.sources.ical import count_events  # `check` runs in process

        data, how = self._read(persist=False)
        count = count_events(data, self.label)
        noun = "event" if count == 1 else "events"
        suffix = f" ({how})" if how else ""
        return [f"{self.label}: {count} {noun}{suffix}"]

    def _read(self, persist: bool) -> tuple[bytes, str]:
        if self.path is not None:
            return _read_file(self.path), ""
        return self._fetch(persist)

    # ---- http

    def _fetch(self, persist: bool) -> tuple[bytes, str]:
        """GET the URL, conditionally when a copy is cached; (body, how it was answered)."""
        assert self.url is not None
        import urllib.error  # with http.client and ssl: megabytes a calendar file never needs
        import urllib.request

        cached = self._cached or self._load_cache()
        request = _request(self.url, cached)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(MAX_BODY + 1)
                etag, modified = response.headers.get("ETag"), response.headers.get(
                    "Last-Modified")
                status = f"{response.status} {response.reason}".strip()
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 304 and cached is not None:
                self._cached = cached
                return cached.body, "304 not modified"
            raise ServiceError(f"{self.label}: HTTP {exc.code} {one_line(exc.reason)}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceError(f"{self.label}: cannot fetch ({one_line(reason)})") from None
        if len(body) > MAX_BODY:
            raise ServiceError(f"{self.label}: larger than {MAX_BODY // 2**20} MiB")
        self._cached = _Cached(body, etag, modified)
        if persist:
            self._save_cache(self._cached)
        return body, status

    def _cache_files(self) -> tuple[Path, Path] | None:
        if self.cache_dir is None or self.url is None:
            return None
        key = hashlib.sha256(_strip_userinfo(self.url).encode()).hexdigest()[:16]
        return self.cache_dir / f"ics-{key}.ics", self.cache_dir / f"ics-{key}.json"

    def _load_cache(self) -> _Cached | None:
        files = self._cache_files()
        if files is None:
            return None
        body_file, meta_file = files
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            body = body_file.read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict):
            return None
        etag, modified = meta.get("etag"), meta.get("last_modified")
        return _Cached(
            body,
            etag if isinstance(etag, str) else None,
            modified if isinstance(modified, str) else None,
        )

    def _save_cache(self, cached: _Cached) -> None:
        files = self._cache_files()
        if files is None or (cached.etag is None and cached.last_modified is None):
            return
        body_file, meta_file = files
        meta = {"url": redact_url(self.url or ""), "etag": cached.etag,
                "last_modified": cached.last_modified}
        try:
            body_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _write_atomic(body_file, cached.body)
            _write_atomic(meta_file, json.dumps(meta).encode("utf-8"))
        except OSError as exc:  # a cache that cannot be written costs a full GET, no more
            log.warning("%s: cannot write cache in %s: %s", self.label, self.cache_dir, exc)


def _file_version(path: Path) -> tuple[int, int, int, int]:
    """What tells one state of the file from another without reading it."""
    try:
        info = path.stat()
    except OSError:
        return (0, 0, 0, 0)  # missing or unreadable: reading it says why
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ServiceError(f"ics file {path}: not found") from None
    except IsADirectoryError:
        raise ServiceError(f"ics file {path}: is a directory, not a file") from None
    except OSError as exc:
        raise ServiceError(f"ics file {path}: cannot read ({exc.strerror or exc})") from None


def _request(url: str, cached: _Cached | None) -> urllib.request.Request:
    import urllib.request

    request = urllib.request.Request(_strip_userinfo(url), headers={
        "Accept": "text/calendar, */*;q=0.5", "User-Agent": "afterword"})
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None:
        user, password = parts.username, parts.password or ""
        register_secret(password)
        register_secret(urllib.parse.unquote(password))
        pair = f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(password)}"
        token = base64.b64encode(pair.encode("utf-8")).decode("ascii")
        # unredirected: a redirect to another host must not carry the password along
        request.add_unredirected_header("Authorization", f"Basic {token}")
    if cached is not None:
        if cached.etag:
            request.add_header("If-None-Match", cached.etag)
        if cached.last_modified:
            request.add_header("If-Modified-Since", cached.last_modified)
    return request


def _strip_userinfo(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urllib.parse.urlunsplit(parts._replace(netloc=host))


def redact_url(url: str) -> str:
    """The URL fit for a message or a log: no user:password, no query string, and Google's
    secret `private-…` path segment masked."""
    parts = urllib.parse.urlsplit(_strip_userinfo(url))
    path = re.sub(r"/private-[^/]+", "/private-…", parts.path)
    query = "…" if parts.query else ""
    return urllib.parse.urlunsplit(parts._replace(path=path, query=query, fragment=""))


def _write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
