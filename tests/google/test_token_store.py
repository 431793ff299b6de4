"""The token file: loading, refreshing (requests-based, so `responses` sees it), saving
with mode 0600, and what a revoked token means for the user."""

from __future__ import annotations

import json
import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from afterword.auth.scopes import CALENDAR_SCOPES, MAILBOX_SCOPES
from afterword.auth.token_store import RefreshFailed, TokenStore, write_private
from afterword.plugin import logs
from afterword.plugin.errors import ServiceError, UserError
from afterword.plugin.google_api import RetryPolicy
from afterword.plugin.mailbox.gmail import GmailMailbox
from tests.emulators.google_api import GoogleEmulator

from .conftest import make_api

TOKEN_URI = "https://oauth2.googleapis.com/token"


def info(**changes: Any) -> dict[str, Any]:
    expiry = (datetime.now(UTC) - timedelta(minutes=5)).replace(tzinfo=None)
    base = {
        "token": "ya29.old-access-token", "refresh_token": "1//the-refresh-token",
        "token_uri": TOKEN_URI, "client_id": "client.apps.googleusercontent.com",
        "client_secret": "the-client-secret", "scopes": list(MAILBOX_SCOPES),
        "expiry": expiry.isoformat(timespec="seconds") + "Z",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@responses.activate
def test_an_expired_token_is_refreshed_and_saved_private(tmp_path: Path) -> None:
    path = write(tmp_path / "token.json", info())
    responses.post(TOKEN_URI, json={"access_token": "ya29.new-access-token", "expires_in": 3599,
                                    "scope": MAILBOX_SCOPES[0], "token_type": "Bearer"})

    credentials = TokenStore(path).fresh()

    assert credentials.token == "ya29.new-access-token"
    [call] = responses.calls
    assert "grant_type=refresh_token" in str(call.request.body)
    saved = json.loads(path.read_text())
    assert saved["token"] == "ya29.new-access-token"
    assert saved["refresh_token"] == "1//the-refresh-token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["token.json"]  # no temp file left


@responses.activate
def test_a_valid_token_is_not_refreshed(tmp_path: Path) -> None:
    later = (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None)
    path = write(tmp_path / "token.json", info(expiry=later.isoformat() + "Z"))

    assert TokenStore(path).fresh().token == "ya29.old-access-token"
    assert len(responses.calls) == 0


@responses.activate
def test_invalid_grant_names_the_fix_and_is_final(tmp_path: Path) -> None:
    path = write(tmp_path / "token.json", info())
    before = path.read_text()
    responses.post(TOKEN_URI, status=400, json={
        "error": "invalid_grant", "error_description": "Token has been expired or revoked."})

    with pytest.raises(RefreshFailed) as caught:
        TokenStore(path).fresh()

    assert isinstance(caught.value, ServiceError)  # exit 1
    assert caught.value.transient is False
    assert str(caught.value) == ("Google refused the saved token (revoked or expired): "
                                 "run `afterword auth google` again")
    assert len(responses.calls) == 1  # never retried
    assert path.read_text() == before


@responses.activate
def test_a_revoked_token_stops_a_mailbox_call_with_one_line(
    google: GoogleEmulator, tmp_path: Path
) -> None:
    path = write(tmp_path / "token.json", info())
    responses.post(TOKEN_URI, status=400, json={"error": "invalid_grant"})
    api = make_api(google, path, RetryPolicy(sleep=lambda _s: None))

    with pytest.raises(ServiceError, match=r"^Google refused the saved token .*"
                                           r"`afterword auth google` again$"):
        GmailMailbox(api).drafts()
    assert google.calls == []


@responses.activate
def test_an_unreachable_token_endpoint_is_transient(tmp_path: Path) -> None:
    path = write(tmp_path / "token.json", info())
    responses.post(TOKEN_URI, body=requests.ConnectionError("refused"))

    with pytest.raises(RefreshFailed, match="cannot reach Google's token endpoint") as caught:
        TokenStore(path).refresh()
    assert caught.value.transient is True


@responses.activate
def test_other_refusals_name_the_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "token.json", info())
    responses.post(TOKEN_URI, status=401, json={"error": "invalid_client",
                                                "error_description": "Unauthorized"})

    with pytest.raises(RefreshFailed, match=r"invalid_client.*afterword auth google"):
        TokenStore(path).refresh()


def test_expired_token_refreshes_through_the_emulator_end_to_end(
    google: GoogleEmulator, tmp_path: Path
) -> None:
    path = google.write_token(tmp_path / "token.json", expired=True, scopes=MAILBOX_SCOPES)
    mailbox = GmailMailbox(make_api(google, path, RetryPolicy(sleep=lambda _s: None)))
    try:
        assert mailbox.drafts() == []
        google.revoke()
        with pytest.raises(ServiceError, match="afterword auth google"):
            mailbox.drafts()  # the access token is refused, and so is the refresh
    finally:
        mailbox.close()
    assert [c.method_id for c in google.calls][:2] == ["token", "gmail.users.drafts.list"]
    assert json.loads(path.read_text())["token"] != "ya29.emulator-gmail.modify"


def test_a_missing_token_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"no Google token at .*afterword auth google"):
        TokenStore(tmp_path / "absent.json").load()


@pytest.mark.parametrize("content", ["not json", "[1, 2]", json.dumps(info(client_id=None))])
def test_a_broken_token_file_is_a_user_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "token.json"
    path.write_text(content)

    with pytest.raises(UserError, match="afterword auth google"):
        TokenStore(path).load()


def test_a_token_without_refresh_token_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "token.json", info(refresh_token=None))

    with pytest.raises(UserError, match="no refresh token"):
        TokenStore(path).load()


def test_a_token_lacking_a_needed_scope_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "token.json", info(scopes=list(CALENDAR_SCOPES)))

    with pytest.raises(UserError, match=r"does not grant gmail\.modify"):
        TokenStore(path).load(MAILBOX_SCOPES)
    assert TokenStore(path).load(CALENDAR_SCOPES).refresh_token == "1//the-refresh-token"


def test_secrets_never_reach_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path / "token.json", info())
    TokenStore(path).load()
    logger = logging.getLogger("afterword.test")
    logger.addFilter(logs.SecretFilter())

    with caplog.at_level(logging.INFO, logger="afterword.test"):
        logger.info("token=%s refresh=%s secret=%s", "ya29.old-access-token",
                    "1//the-refresh-token", "the-client-secret")

    assert "ya29.old" not in caplog.text and "the-refresh" not in caplog.text
    assert "the-client-secret" not in caplog.text
    assert caplog.text.count(logs.REDACTED) == 3


def test_saving_creates_a_private_folder_and_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "token.json"

    write_private(path, "first")
    write_private(path, "second")

    assert path.read_text() == "second"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["token.json"]


def test_repr_hides_the_token(tmp_path: Path) -> None:
    path = write(tmp_path / "token.json", info())
    store = TokenStore(path)
    store.load()

    assert "ya29" not in repr(store) and "secret" not in repr(store)


@responses.activate
def test_the_files_own_token_uri_is_used(tmp_path: Path) -> None:
    proxy = "https://oauth.proxy.example.net/token"
    path = write(tmp_path / "token.json", info(token_uri=proxy))
    responses.post(proxy, json={"access_token": "ya29.via-proxy", "expires_in": 3599,
                                "token_type": "Bearer"})

    assert TokenStore(path).fresh().token == "ya29.via-proxy"
    assert responses.calls[0].request.url == proxy
    assert json.loads(path.read_text())["token_uri"] == proxy


@pytest.mark.parametrize("uri", ["http://oauth.example.net/token", "ftp://x/token", "token"])
def test_a_token_uri_that_would_leak_the_secrets_is_refused(tmp_path: Path, uri: str) -> None:
    path = write(tmp_path / "token.json", info(token_uri=uri))

    with pytest.raises(UserError, match="neither https nor a loopback address"):
        TokenStore(path).load()
