"""The one way afterword talks to Google's REST APIs (Gmail v1, Calendar v3).

`GoogleApi` is the single service factory: the official client built from its bundled
discovery documents (no network to build), authorised with the token file's credentials,
and pointed at `api_endpoint` when one is configured (one root URL standing in for both
APIs, so one local server can play Google in tests). Every call goes through
`execute_with_retry`: exponential backoff with jitter on 429, rate-limit 403s, 5xx and
dropped connections, honouring Retry-After, with a bounded number of tries and a cap on
the total wait, then one `ServiceError` line. Reads are batched (50 per batch, each part
retried on its own when Google throttles it).

Google's libraries are imported inside functions: a Maildir or IMAP user never loads them.
"""

from __future__ import annotations

import email.utils
import importlib
import json
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from afterword.auth.token_store import REAUTH, RefreshFailed, TokenStore, refresh_failure
from afterword.plugin.errors import ServiceError, one_line

log = logging.getLogger("afterword.google_api")

APIS = ("gmail", "calendar")
_VERSIONS = {"gmail": "v1", "calendar": "v3"}
_NAMES = {"gmail": "Gmail", "calendar": "Google Calendar"}
# Google's own roots; each API's paths follow (Gmail's discovery paths start "gmail/v1/").
_ROOTS = {"gmail": "https://gmail.googleapis.com/", "calendar": "https://www.googleapis.com/"}
_SERVICE_PATHS = {"gmail": "", "calendar": "calendar/v3/"}
_BATCH_PATHS = {"gmail": "batch/gmail/v1", "calendar": "batch/calendar/v3"}

BATCH_LIMIT = 50  # calls per batch: Google allows 100 and advises against more than 50
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying. `sleep` and `jitter` are injectable so tests run fast."""

    tries: int = 5
    base_delay: float = 1.0
    max_delay: float = 32.0
    total_wait: float = 60.0  # seconds of sleeping, all retries of one call together
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Attempt 0 waits about `base_delay`, then twice as long each time (half of it
        random, so many clients do not retry in step), and never less than Retry-After."""
        backoff = min(self.max_delay, self.base_delay * 2.0**attempt)
        backoff = backoff / 2 + backoff / 2 * self.jitter()
        return backoff if retry_after is None else max(backoff, retry_after)


DEFAULT_RETRY = RetryPolicy()


class GoogleApiError(ServiceError):
    """Google answered with an error that retrying will not fix (404, 400, 409, …)."""

    def __init__(self, message: str, status: int, reason: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Failure:
    """One failed call, as the retry loop sees it."""

    message: str
    retry: bool  # worth trying again
    ambiguous: bool = False  # the call may have taken effect (5xx, dropped connection)
    retry_after: float | None = None
    status: int | None = None
    reason: str = ""

    def error(self, what: str) -> ServiceError:
        if self.status is not None and not self.retry:
            return GoogleApiError(f"{what}: {self.message}", self.status, self.reason)
        return ServiceError(f"{what}: {self.message}")


def classify(exc: BaseException) -> Failure | None:
    """What a failure of a Google call means; None for exceptions that are not about
    talking to Google (those are bugs and propagate unchanged)."""
    from google.auth.exceptions import RefreshError, TransportError
    from googleapiclient.errors import BatchError, HttpError

    httplib2 = importlib.import_module("httplib2")  # untyped; imported late like the rest

    if isinstance(exc, HttpError):
        return _http_failure(exc)
    if isinstance(exc, RefreshFailed):
        return Failure(str(exc), retry=exc.transient)
    if isinstance(exc, RefreshError):
        refused = refresh_failure(exc)
        return Failure(str(refused), retry=refused.transient)
    if isinstance(exc, BatchError):
        return Failure(f"malformed batch answer: {one_line(exc)}", retry=False)
    if isinstance(exc, TransportError | httplib2.HttpLib2Error | OSError):
        return Failure(f"cannot reach Google: {one_line(exc) or type(exc).__name__}",
                       retry=True, ambiguous=True)
    return None


def _refusal(exc: BaseException) -> RefreshFailed | None:
    """A token refresh Google refused for good (revoked access and the like)."""
    from google.auth.exceptions import RefreshError

    refused = refresh_failure(exc) if isinstance(exc, RefreshError) else exc
    if isinstance(refused, RefreshFailed) and not refused.transient:
        return refused
    return None


def _http_failure(exc: Any) -> Failure:
    status = int(exc.resp.status)
    reason, message = _error_details(exc.content)
    retry_after = parse_retry_after(exc.resp.get("retry-after"))
    said = f"HTTP {status}" + (f" {reason}" if reason else "") + (f": {message}" if message
                                                                   else "")
    if status == 429 or (status == 403 and reason in RATE_REASONS):
        return Failure(f"Google's rate limit was exceeded ({reason or status}): {message}; "
                       "try again in a few minutes", retry=True, retry_after=retry_after,
                       status=status, reason=reason)
    if status == 403 and reason in QUOTA_REASONS:
        return Failure(f"the Google API quota is used up ({reason}): {message}; try again "
                       "tomorrow or raise the quota in the Google Cloud console",
                       retry=False, status=status, reason=reason)
    if status in RETRY_STATUSES:
        return Failure(f"Google failed ({said})", retry=True, ambiguous=True,
                       retry_after=retry_after, status=status, reason=reason)
    if status == 401:
        return Failure(f"Google rejected the access token ({said}); fix: {REAUTH}",
                       retry=False, status=status, reason=reason)
    if status == 403 and reason in ("insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"):
        return Failure(f"the Google token lacks a permission this call needs ({said}); "
                       f"fix: {REAUTH}", retry=False, status=status, reason=reason)
    return Failure(said, retry=False, status=status, reason=reason)


def _error_details(content: bytes | str | None) -> tuple[str, str]:
    """(reason, message) from Google's JSON error body; both "" when it has none."""
    try:
        data = json.loads(content or b"")
        error = data["error"]
    except (ValueError, KeyError, TypeError):
        return "", one_line(content.decode("utf-8", "replace") if isinstance(content, bytes)
                             else content or "", 120)
    if not isinstance(error, dict):
        return str(error), ""
    reason = ""
    errors = error.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        reason = str(errors[0].get("reason", ""))
    return reason or str(error.get("status", "")), one_line(error.get("message", ""), 160)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def execute_with_retry(
    request: Any,
    *,
    policy: RetryPolicy = DEFAULT_RETRY,
    what: str | None = None,
    before: Callable[[], object] | None = None,
    recover: Callable[[], Any | None] | None = None,
    creates: bool = False,
) -> Any:
    """`request.execute()` until it succeeds, retrying what retrying can fix.

    `before` runs ahead of every try (keeping the access token fresh). A call that
    `creates` something is repeated after a failure that may have taken effect (a 5xx, a
    dropped connection) only when `recover` can tell: it is asked first, and what it finds
    (the thing already created) is returned instead of creating a second one.
    """
    what = what or str(getattr(request, "methodId", "") or "Google API call")
    failure: Failure | None = None
    waited = 0.0
    tries = 0
    for attempt in range(max(1, policy.tries)):
        if failure is not None and failure.ambiguous and recover is not None:
            found = recover()
            if found is not None:
                log.info("%s had taken effect before it failed; not repeated", what)
                return found
        tries += 1
        try:
            if before is not None:
                before()
            return request.execute()
        except Exception as exc:
            refused = _refusal(exc)
            if refused is not None:  # the user must act: their words, not the call's
                raise refused from None
            failure = classify(exc)
            if failure is None:
                raise
            if not failure.retry:
                raise failure.error(what) from None
            if failure.ambiguous and creates and recover is None:
                raise ServiceError(f"{what}: {failure.message}; not repeated, as it may "
                                   "have taken effect") from None
        pause = policy.delay(attempt, failure.retry_after)
        if attempt + 1 >= policy.tries or waited + pause > policy.total_wait:
            break
        log.info("%s failed (%s); retrying in %.1f s", what, failure.message, pause)
        policy.sleep(pause)
        waited += pause
    assert failure is not None
    raise ServiceError(f"{what}: {failure.message} (gave up after {tries} "
                       f"{'try' if tries == 1 else 'tries'})")


@dataclass
class GoogleApi:
    """Authorised services for one token file, built once and reused for every call."""

    store: TokenStore
    scopes: Sequence[str]
    endpoint: str | None = None  # one root for both APIs, e.g. "http://127.0.0.1:8080/"
    retry: RetryPolicy = DEFAULT_RETRY
    timeout: float = 60.0
    # api → (its Resource, the credentials it was built with)
    _services: dict[str, tuple[Any, Any]] = field(default_factory=dict, init=False,
                                                  repr=False)

    def __post_init__(self) -> None:
        if self.endpoint is not None and not self.endpoint.endswith("/"):
            self.endpoint += "/"

    def root(self, api: str) -> str:
        return self.endpoint or _ROOTS[api]

    def base_url(self, api: str) -> str:
        """Where the API's paths start: `<root>` for Gmail, `<root>calendar/v3/`."""
        return self.root(api) + _SERVICE_PATHS[api]

    def batch_uri(self, api: str) -> str:
        return self.root(api) + _BATCH_PATHS[api]

    def where(self, api: str) -> str:
        """How messages name the service: "Gmail at 127.0.0.1:8080" or just "Gmail"."""
        if self.endpoint is None:
            return _NAMES[api]
        return f"{_NAMES[api]} at {urlsplit(self.endpoint).netloc or self.endpoint}"

    def service(self, api: str) -> Any:
        """The client's Resource for `api` ("gmail" or "calendar"), built on first use and
        again when the token file brought new credentials (a new consent)."""
        credentials = self.store.load(self.scopes)
        built = self._services.get(api)
        if built is None or built[1] is not credentials:
            if built is not None:
                _close(built[0])
            built = (self._build(api, credentials), credentials)
            self._services[api] = built
        return built[0]

    def _build(self, api: str, credentials: Any) -> Any:
        from googleapiclient.discovery import build

        httplib2 = importlib.import_module("httplib2")
        google_auth_httplib2 = importlib.import_module("google_auth_httplib2")

        http = google_auth_httplib2.AuthorizedHttp(credentials,
                                                   http=httplib2.Http(timeout=self.timeout))
        options = {"api_endpoint": self.base_url(api)} if self.endpoint else None
        return build(api, _VERSIONS[api], http=http, static_discovery=True,
                     cache_discovery=False, client_options=options)

    def execute(self, request: Any, *, what: str | None = None,
                recover: Callable[[], Any | None] | None = None,
                creates: bool = False) -> Any:
        """One call with retries, the access token refreshed first when needed."""
        return execute_with_retry(request, policy=self.retry, what=what,
                                  before=self.store.fresh, recover=recover, creates=creates)

    def execute_batch(self, api: str, requests: Mapping[str, Any]) -> dict[str, Any]:
        """Run read-only `requests` in batches of BATCH_LIMIT; their answers by key.

        A part Google throttled or failed is retried in a later batch (with the same
        backoff as a single call); a part answered 404 (deleted meanwhile) is left out.
        """
        pending = dict(requests)
        results: dict[str, Any] = {}
        failure: Failure | None = None
        waited = 0.0
        for attempt in range(max(1, self.retry.tries)):
            failure = None
            for chunk in _chunks(list(pending), BATCH_LIMIT):
                answers = self._run_batch(api, {key: pending[key] for key in chunk})
                for key in chunk:
                    outcome = self._settle(pending[key], answers.get(key), results, key)
                    if outcome is None:
                        del pending[key]
                    else:
                        failure = outcome
            if not pending:
                return results
            assert failure is not None
            pause = self.retry.delay(attempt, failure.retry_after)
            if attempt + 1 >= self.retry.tries or waited + pause > self.retry.total_wait:
                break
            log.info("%s: %d batched calls failed (%s); retrying in %.1f s", _NAMES[api],
                     len(pending), failure.message, pause)
            self.retry.sleep(pause)
            waited += pause
        message = failure.message if failure is not None else "no answer"
        raise ServiceError(f"{_NAMES[api]} batch: {len(pending)} calls still failing: "
                           f"{message} (gave up after {self.retry.tries} tries)")

    def _run_batch(self, api: str, requests: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
        from googleapiclient.http import BatchHttpRequest

        answers: dict[str, tuple[Any, Any]] = {}

        def collect(key: str, response: Any, exception: Any) -> None:
            answers[key] = (response, exception)

        batch = BatchHttpRequest(callback=collect, batch_uri=self.batch_uri(api))
        for key, request in requests.items():
            batch.add(request, request_id=key)
        self.execute(batch, what=f"{_NAMES[api]} batch")
        return answers

    def _settle(self, request: Any, answer: tuple[Any, Any] | None,
                results: dict[str, Any], key: str) -> Failure | None:
        """Store one part's answer; the failure when it should be tried again."""
        if answer is None:
            return Failure("a batched call got no answer", retry=True)
        response, exception = answer
        if exception is None:
            results[key] = response
            return None
        failure = classify(exception)
        if failure is None:
            raise exception
        if failure.status == 404:
            return None
        if not failure.retry:
            raise failure.error(str(getattr(request, "methodId", "") or "batched call"))
        return failure

    def close(self) -> None:
        services, self._services = self._services, {}
        for service, _credentials in services.values():
            _close(service)

    def disconnect(self) -> None:
        """Close the idle HTTP connections but keep the services: they reconnect on their
        next call, and building them again would cost a daemon CPU at every cycle."""
        for service, _credentials in self._services.values():
            _close(service)


def _close(service: Any) -> None:
    try:
        service.close()
    except Exception:  # closing idle connections: nothing left to report
        log.debug("closing a Google service failed", exc_info=True)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
