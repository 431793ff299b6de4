"""The emulator, a token for it and the real clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from afterword.auth.scopes import CALENDAR_SCOPES, MAILBOX_SCOPES
from afterword.auth.token_store import TokenStore
from afterword.plugin.google_api import GoogleApi, RetryPolicy
from afterword.plugin.mailbox.gmail import GmailMailbox
from afterword.plugin.sources.google import GoogleCalendarSource
from tests.emulators.google_api import GoogleEmulator


class Sleeps(list[float]):
    """Records the backoff pauses instead of sleeping them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def google() -> Iterator[GoogleEmulator]:
    with GoogleEmulator() as emulator:
        yield emulator


@pytest.fixture
def token_file(google: GoogleEmulator, tmp_path: Path) -> Path:
    return google.write_token(tmp_path / "google-token.json")


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def retry(sleeps: Sleeps) -> RetryPolicy:
    return RetryPolicy(sleep=sleeps, jitter=lambda: 0.5)


def make_api(google: GoogleEmulator, token_file: Path, retry: RetryPolicy,
             scopes: tuple[str, ...] = MAILBOX_SCOPES) -> GoogleApi:
    return GoogleApi(TokenStore(token_file), scopes, endpoint=google.base_url, retry=retry,
                     timeout=10)


@pytest.fixture
def gmail(google: GoogleEmulator, tmp_path: Path, retry: RetryPolicy
          ) -> Iterator[GmailMailbox]:
    """A mailbox whose token grants gmail.modify only (the emulator enforces scopes)."""
    token = google.write_token(tmp_path / "gmail-token.json", scopes=MAILBOX_SCOPES)
    mailbox = GmailMailbox(make_api(google, token, retry))
    yield mailbox
    mailbox.close()
    assert google.violations == []


@pytest.fixture
def calendar(google: GoogleEmulator, tmp_path: Path, retry: RetryPolicy
             ) -> Iterator[GoogleCalendarSource]:
    """A calendar source whose token grants calendar.events.readonly only."""
    from zoneinfo import ZoneInfo

    token = google.write_token(tmp_path / "calendar-token.json", scopes=CALENDAR_SCOPES)
    source = GoogleCalendarSource(make_api(google, token, retry, CALENDAR_SCOPES),
                                  ("primary",), ZoneInfo("Europe/Berlin"))
    yield source
    source.close()
    assert google.violations == []
