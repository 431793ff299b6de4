"""The service factory and the retry loop: URLs, backoff, Retry-After, bounded tries and
one-line errors, against the emulator with the real client."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from afterword.auth.scopes import CALENDAR_SCOPES, MAILBOX_SCOPES
from afterword.auth.token_store import TokenStore
from afterword.plugin.errors import ServiceError
from afterword.plugin.google_api import (
    BATCH_LIMIT,
    GoogleApi,
    GoogleApiError,
    RetryPolicy,
    execute_with_retry,
    parse_retry_after,
)
from afterword.plugin.mailbox.gmail import GmailMailbox
from tests.emulators.google_api import GoogleEmulator

from .conftest import Sleeps, make_api


def test_both_apis_hang_off_one_endpoint(google: GoogleEmulator, token_file: Path,
                                         retry: RetryPolicy) -> None:
    api = make_api(google, token_file, retry, MAILBOX_SCOPES + CALENDAR_SCOPES)
    base = google.base_url

    drafts = api.service("gmail").users().drafts().list(userId="me")
    events = api.service("calendar").events().list(calendarId="primary")

    assert drafts.uri.startswith(base + "gmail/v1/users/me/drafts")
    assert events.uri.startswith(base + "calendar/v3/calendars/primary/events")
    assert api.batch_uri("gmail") == base + "batch/gmail/v1"
    assert api.batch_uri("calendar") == base + "batch/calendar/v3"
    api.close()


def test_without_an_endpoint_the_apis_are_googles(token_file: Path) -> None:
    api = GoogleApi(TokenStore(token_file), MAILBOX_SCOPES + CALENDAR_SCOPES)

    drafts = api.service("gmail").users().drafts().list(userId="me")
    events = api.service("calendar").events().list(calendarId="primary")

    assert drafts.uri.startswith("https://gmail.googleapis.com/gmail/v1/users/me/drafts")
    assert events.uri.startswith("https://www.googleapis.com/calendar/v3/calendars/primary/")
    assert api.batch_uri("gmail") == "https://gmail.googleapis.com/batch/gmail/v1"
    api.close()


def test_google_libraries_load_only_when_used() -> None:
    code = ("import sys\n"
            "import afterword.plugin.mailbox.gmail, afterword.plugin.sources.google\n"
            "import afterword.auth.google, afterword.auth.token_store\n"
            "loaded = [m for m in sys.modules if m.split('.')[0] in "
            "('googleapiclient', 'google_auth_oauthlib', 'httplib2', 'google')]\n"
            "print(loaded)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_a_429_with_retry_after_is_waited_out(gmail: GmailMailbox, google: GoogleEmulator,
                                              sleeps: Sleeps) -> None:
    google.fail(429, times=1, retry_after="7")

    assert gmail.drafts() == []

    assert sleeps == [7.0]
    assert [c.status for c in google.calls_to("gmail.users.drafts.list")] == [429, 200]


def test_backoff_grows_and_a_storm_of_500s_ends_in_one_line(
    gmail: GmailMailbox, google: GoogleEmulator, sleeps: Sleeps
) -> None:
    google.fail(500, times=50)

    with pytest.raises(ServiceError) as caught:
        gmail.drafts()

    assert len(google.calls) == 5  # bounded tries
    assert sleeps == [0.75, 1.5, 3.0, 6.0]  # 1 s doubling, half of it jitter (0.5 here)
    message = str(caught.value)
    assert "\n" not in message
    assert "gmail.users.drafts.list" in message
    assert "HTTP 500" in message and "gave up after 5 tries" in message


def test_the_total_wait_is_capped(google: GoogleEmulator, token_file: Path,
                                  sleeps: Sleeps) -> None:
    api = make_api(google, token_file, RetryPolicy(sleep=sleeps, total_wait=10))
    google.fail(503, times=1, retry_after="3600")

    with pytest.raises(ServiceError, match=r"HTTP 503.*\(gave up after 1 try\)$"):
        api.execute(api.service("gmail").users().getProfile(userId="me"))

    assert sleeps == []  # an hour is more than the cap: give up at once
    api.close()


def test_a_user_rate_limit_403_is_retried(gmail: GmailMailbox, google: GoogleEmulator,
                                          sleeps: Sleeps) -> None:
    google.fail(403, times=2, reason="userRateLimitExceeded")

    assert gmail.drafts() == []
    assert len(sleeps) == 2


def test_an_exhausted_daily_quota_is_said_as_such_and_not_retried(
    gmail: GmailMailbox, google: GoogleEmulator, sleeps: Sleeps
) -> None:
    google.fail(403, times=5, reason="quotaExceeded")

    with pytest.raises(ServiceError, match=r"quota is used up \(quotaExceeded\)"):
        gmail.drafts()
    assert sleeps == [] and len(google.calls) == 1


def test_a_rate_limit_that_never_lifts_names_the_rate_limit(
    gmail: GmailMailbox, google: GoogleEmulator
) -> None:
    google.fail(429, times=99)

    with pytest.raises(ServiceError, match=r"rate limit was exceeded.*gave up after 5 tries"):
        gmail.drafts()


def test_other_errors_are_not_retried(gmail: GmailMailbox, google: GoogleEmulator,
                                      sleeps: Sleeps) -> None:
    google.fail(400, times=1, reason="invalidArgument")

    with pytest.raises(GoogleApiError) as caught:
        gmail.drafts()
    assert caught.value.status == 400
    assert sleeps == []


def test_an_unreachable_server_is_retried_then_reported(google: GoogleEmulator,
                                                        token_file: Path, sleeps: Sleeps) -> None:
    api = make_api(google, token_file, RetryPolicy(sleep=sleeps, jitter=lambda: 0.5))
    request = api.service("gmail").users().getProfile(userId="me")
    google.stop()

    with pytest.raises(ServiceError, match=r"cannot reach Google.*gave up after 5 tries"):
        api.execute(request)
    assert len(sleeps) == 4
    api.close()


def test_batches_are_split_at_the_limit(gmail: GmailMailbox, google: GoogleEmulator) -> None:
    users = gmail.api.service("gmail").users()
    requests = {str(i): users.getProfile(userId="me") for i in range(BATCH_LIMIT * 2 + 1)}

    answers = gmail.api.execute_batch("gmail", requests)

    assert len(answers) == 101
    assert len(google.calls_to("batch")) == 3
    assert google.violations == []


def test_a_batch_part_that_keeps_failing_ends_the_batch(
    gmail: GmailMailbox, google: GoogleEmulator, sleeps: Sleeps
) -> None:
    users = gmail.api.service("gmail").users()
    google.fail(503, times=99, inner=True, match="/profile")

    with pytest.raises(ServiceError, match=r"1 calls still failing.*HTTP 503"):
        gmail.api.execute_batch("gmail", {"p": users.getProfile(userId="me")})
    assert len(google.calls_to("batch")) == 5


def test_retry_after_as_seconds_or_a_date() -> None:
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    value = parse_retry_after(later)
    assert value is not None and 80 < value <= 90


def test_unrelated_exceptions_are_not_swallowed() -> None:
    class Broken:
        def execute(self) -> None:
            raise KeyError("a bug")

    with pytest.raises(KeyError):
        execute_with_retry(Broken(), policy=RetryPolicy(sleep=lambda _s: None))


def test_calendar_reads_can_be_batched_too(google: GoogleEmulator, token_file: Path,
                                           retry: RetryPolicy) -> None:
    api = make_api(google, token_file, retry, CALENDAR_SCOPES)
    google.add_calendar("work", summary="Work", time_zone="Europe/Berlin")
    events = api.service("calendar").events()

    answers = api.execute_batch("calendar", {
        name: events.list(calendarId=name, singleEvents=True) for name in ("primary", "work")})

    assert {k: v["timeZone"] for k, v in answers.items()} == {
        "primary": "America/New_York", "work": "Europe/Berlin"}
    assert [c.path for c in google.calls if not c.in_batch] == ["/batch/calendar/v3"]
    assert google.violations == []
    api.close()
