"""The Google token file: the authorized-user JSON that `Credentials.to_json()` writes
(token, refresh_token, token_uri, client_id, client_secret, scopes, expiry).

The daemon never runs a browser flow: it loads this file, refreshes the access token
against the file's own `token_uri` when it is about to expire, and writes the result back
atomically with mode 0600, so a crash mid-write never leaves half a token and no other
user can read it. Every secret in it is registered with the log scrubber on load.

A refused refresh (`invalid_grant`: the user revoked access, or a consent screen in
Testing status let the refresh token expire after 7 days) is final: it is never retried
and says how to fix it. When the file is rewritten meanwhile (the user ran `afterword auth
google` again, or another store refreshed the same file), the next `load` reads it afresh,
so a running daemon picks up the new grant without a restart.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from afterword.auth.scopes import short_name
from afterword.plugin.errors import ServiceError, UserError
from afterword.plugin.logs import register_secret

if TYPE_CHECKING:
    import requests
    from google.oauth2.credentials import Credentials

log = logging.getLogger("afterword.auth.token_store")

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
REAUTH = "run `afterword auth google` again"
REVOKED = f"Google refused the saved token (revoked or expired): {REAUTH}"


class RefreshFailed(ServiceError):
    """The access token could not be renewed. `transient` failures (token endpoint
    unreachable or overloaded) may be retried; the others need the user."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message, retryable=transient)
        self.transient = transient


class TokenStore:
    """One token file. Loads lazily, refreshes only when needed, saves after a refresh."""

    def __init__(self, path: Path, *, session: requests.Session | None = None) -> None:
        self.path = path
        self._session = session  # the HTTP session for refreshes; tests pass their own
        self._credentials: Credentials | None = None
        self._stamp: tuple[int, int, int] | None = None  # the file as last read or written

    def __repr__(self) -> str:  # never shows a token
        return f"TokenStore({str(self.path)!r})"

    def load(self, scopes: Sequence[str] = ()) -> Credentials:
        """The saved credentials; UserError (exit 2) when there are none usable or they
        lack one of `scopes`."""
        if self._credentials is None or self._rewritten():
            self._credentials = self._read()
        missing = [s for s in scopes if not _grants(self._credentials, s)]
        if missing:
            names = ", ".join(short_name(s) for s in missing)
            raise UserError(f"the Google token in {self.path} does not grant {names}; "
                            f"fix: {REAUTH} (it asks for every scope afterword needs)")
        return self._credentials

    def fresh(self) -> Credentials:
        """The credentials with an access token valid for a few more minutes, refreshing
        and saving them first when needed."""
        credentials = self.load()
        if not credentials.valid:
            self.refresh()
        return credentials

    def refresh(self) -> Credentials:
        """Renew the access token now (also after the server refused the current one)."""
        from google.auth.exceptions import RefreshError, TransportError
        from google.auth.transport.requests import Request

        credentials = self.load()
        try:
            cast(Any, credentials).refresh(Request(session=self._session))
        except RefreshError as exc:
            raise refresh_failure(exc) from None
        except TransportError as exc:
            raise RefreshFailed(f"cannot reach Google's token endpoint "
                                f"{credentials.token_uri}: {_one_line(exc)}",
                                transient=True) from None
        _register(credentials)
        self.save(credentials)
        log.info("Google access token refreshed: file=%s", self.path)
        return credentials

    def save(self, credentials: Credentials) -> None:
        """Write atomically with mode 0600 (and the folder 0700 when it is new)."""
        _register(credentials)
        self._credentials = credentials
        write_private(self.path, str(cast(Any, credentials).to_json()) + "\n")
        self._stamp = _stamp(self.path)

    def _rewritten(self) -> bool:
        """Whether someone else replaced the file since this store read or wrote it (a
        file that vanished meanwhile is not a new token: the one in memory stays)."""
        now = _stamp(self.path)
        return now is not None and now != self._stamp

    def _read(self) -> Credentials:
        from google.oauth2.credentials import Credentials

        fix = f"fix: run `afterword auth google` (it writes {self.path})"
        stamp = _stamp(self.path)  # before reading: a rewrite in between is seen next time
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UserError(f"no Google token at {self.path}; {fix}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read the Google token {self.path} ({_one_line(exc)}); "
                            f"fix: check its permissions, or {REAUTH}") from None
        try:
            info: Any = json.loads(text)
        except ValueError:
            raise UserError(f"{self.path} is not a Google token (not JSON); {fix}") from None
        if not isinstance(info, dict):
            raise UserError(f"{self.path} is not a Google token (not a JSON object); {fix}")
        for key in ("token", "refresh_token", "client_secret"):
            if isinstance(info.get(key), str):
                register_secret(info[key])
        if not info.get("refresh_token"):
            raise UserError(f"the Google token in {self.path} has no refresh token, so it "
                            f"would stop working within the hour; {fix}")
        missing = [k for k in ("client_id", "client_secret") if not info.get(k)]
        if missing:
            raise UserError(f"the Google token in {self.path} lacks {', '.join(missing)}; {fix}")
        token_uri = str(info.get("token_uri") or GOOGLE_TOKEN_URI)
        if not _safe_uri(token_uri):
            raise UserError(f"the Google token in {self.path} names token_uri {token_uri!r}, "
                            "which is neither https nor a loopback address; fix: "
                            f"{REAUTH}")
        try:
            # Not Credentials.from_authorized_user_info: google-auth ≥ 2.4x replaces the
            # file's token_uri with Google's, and the file's own one is the contract.
            credentials: Credentials = cast(Any, Credentials)(
                token=info.get("token"), refresh_token=info["refresh_token"],
                token_uri=token_uri, client_id=info["client_id"],
                client_secret=info["client_secret"], scopes=_scopes(info.get("scopes")),
                expiry=_expiry(info.get("expiry")), rapt_token=info.get("rapt_token"),
                universe_domain=info.get("universe_domain") or "googleapis.com",
                account=info.get("account") or "",
            )
        except (ValueError, TypeError) as exc:
            raise UserError(f"{self.path} is not a usable Google token "
                            f"({_one_line(exc)}); {fix}") from None
        self._stamp = stamp
        return credentials


def refresh_failure(exc: Exception) -> RefreshFailed:
    """What a google-auth RefreshError means for the user."""
    details = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
    error = str(details.get("error", ""))
    text = str(exc.args[0]) if exc.args else str(exc)
    if error == "invalid_grant" or (not error and "invalid_grant" in text):
        return RefreshFailed(REVOKED, transient=False)
    if getattr(exc, "retryable", False):
        return RefreshFailed(f"Google's token endpoint is failing: {_one_line(text)}",
                             transient=True)
    return RefreshFailed(f"Google refused to refresh the token ({_one_line(text)}); "
                         f"fix: {REAUTH}", transient=False)


def write_private(path: Path, text: str) -> None:
    """Replace `path` with `text`: a temp file (0600) in the same folder, fsync, rename."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of the file from the next (it is replaced by a rename)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _scopes(value: object) -> list[str] | None:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _expiry(value: object) -> datetime | None:
    """google-auth keeps naive UTC; an absent or odd expiry means "refresh first"."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _safe_uri(uri: str) -> bool:
    """Refresh tokens and the client secret travel only over TLS, or to this machine."""
    parts = urlsplit(uri)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


def _grants(credentials: Credentials, scope: str) -> bool:
    """Whether the token was granted `scope`; a token that does not list its scopes is
    given the benefit of the doubt (the API answers 403 if it lacks one)."""
    granted = credentials.granted_scopes or credentials.scopes
    return not granted or scope in granted


def _register(credentials: Credentials) -> None:
    register_secret(credentials.token)
    register_secret(credentials.refresh_token)
    register_secret(credentials.client_secret)


def _one_line(value: object, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
