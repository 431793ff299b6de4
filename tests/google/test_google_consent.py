"""`afterword auth google`'s consent flow: the real google-auth-oauthlib flow on a loopback
port, the browser played by a thread, Google's token endpoint by `responses`."""

from __future__ import annotations

import json
import stat
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import responses

from afterword.auth.google import consent
from afterword.auth.scopes import CALENDAR_EVENTS_READONLY, GMAIL_MODIFY, scopes_for
from afterword.plugin.errors import ServiceError, UserError

TOKEN_URI = "https://oauth2.googleapis.com/token"


def client_file(tmp_path: Path, kind: str = "installed") -> Path:
    path = tmp_path / "client_secret.json"
    path.write_text(json.dumps({kind: {
        "client_id": "123.apps.googleusercontent.com", "client_secret": "GOCSPX-secret",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": TOKEN_URI,
        "redirect_uris": ["http://localhost"]}}))
    return path


class Browser:
    """Plays the user's browser: reads the address `consent` shows, then follows Google's
    redirect back to the loopback port with a code (or an error)."""

    def __init__(self, answer: Callable[[dict[str, str]], dict[str, str]]) -> None:
        self.answer = answer
        self.said: list[str] = []
        self.url = ""
        self.page = ""
        self._thread: threading.Thread | None = None

    def __call__(self, text: str) -> None:
        self.said.append(text)
        if "https://accounts.google.com" in text:
            self.url = text.split()[-1]
            self._thread = threading.Thread(target=self._redirect)
            self._thread.start()

    def params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.url).query).items()}

    def _redirect(self) -> None:
        params = self.params()
        back = params["redirect_uri"] + "?" + urlencode(self.answer(params))
        with urllib.request.urlopen(back, timeout=10) as response:
            self.page = response.read().decode()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=10)


def approve(params: dict[str, str]) -> dict[str, str]:
    return {"state": params["state"], "code": "4/the-code", "scope": params["scope"]}


def token_answer(scope: str) -> dict[str, object]:
    return {"access_token": "ya29.fresh", "expires_in": 3599, "refresh_token": "1//refresh",
            "scope": scope, "token_type": "Bearer"}


@responses.activate
def test_consent_saves_a_private_token_with_a_refresh_token(tmp_path: Path) -> None:
    wanted = scopes_for(gmail=True, calendar=True)
    responses.post(TOKEN_URI, json=token_answer(" ".join(wanted)))
    browser = Browser(approve)
    token = tmp_path / "data" / "google-token.json"

    saved = consent(client_file(tmp_path), token, open_browser=False, scopes=wanted,
                    say=browser)
    browser.join()

    assert saved == token
    data = json.loads(token.read_text())
    assert data["refresh_token"] == "1//refresh"
    assert data["token_uri"] == TOKEN_URI
    assert data["scopes"] == list(wanted)
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    params = browser.params()
    assert params["access_type"] == "offline"
    assert params["prompt"] == "consent"
    assert params["redirect_uri"].startswith("http://localhost:")
    assert params["scope"].split() == list(wanted)
    assert "Open this address" in browser.said[0]
    assert "Saved the Google token" in browser.said[-1]
    assert "close this tab" in browser.page
    body = parse_qs(str(responses.calls[0].request.body))
    assert body["code"] == ["4/the-code"] and "code_verifier" in body  # PKCE


@responses.activate
def test_only_the_configured_backends_scopes_are_asked_for(tmp_path: Path) -> None:
    responses.post(TOKEN_URI, json=token_answer(GMAIL_MODIFY))
    browser = Browser(approve)

    consent(client_file(tmp_path), tmp_path / "t.json", open_browser=False,
            scopes=scopes_for(gmail=True, calendar=False), say=browser)
    browser.join()

    assert browser.params()["scope"] == GMAIL_MODIFY
    assert CALENDAR_EVENTS_READONLY not in browser.url


@responses.activate
def test_a_permission_unticked_on_the_consent_page_is_reported(tmp_path: Path) -> None:
    responses.post(TOKEN_URI, json=token_answer(CALENDAR_EVENTS_READONLY))
    browser = Browser(approve)

    with pytest.raises(ServiceError, match=r"granted only calendar\.events\.readonly of "
                                           r"gmail\.modify.*tick every box"):
        consent(client_file(tmp_path), tmp_path / "t.json", open_browser=False,
                scopes=scopes_for(gmail=True, calendar=True), say=browser)
    browser.join()
    assert not (tmp_path / "t.json").exists()


@responses.activate
def test_a_refusal_in_the_browser_is_reported(tmp_path: Path) -> None:
    browser = Browser(lambda params: {"state": params["state"], "error": "access_denied"})

    with pytest.raises(ServiceError, match=r"consent failed \(access_denied\)"):
        consent(client_file(tmp_path), tmp_path / "t.json", open_browser=False, say=browser)
    browser.join()
    assert len(responses.calls) == 0


def test_no_answer_in_time_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="no answer from Google's consent page"):
        consent(client_file(tmp_path), tmp_path / "t.json", open_browser=False,
                say=lambda _text: None, timeout_seconds=0.2)


def test_a_missing_client_file_says_where_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"no OAuth client file at .*Desktop app"):
        consent(tmp_path / "absent.json", tmp_path / "t.json", open_browser=False)


def test_a_web_client_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"a web-application client.*Desktop app"):
        consent(client_file(tmp_path, kind="web"), tmp_path / "t.json", open_browser=False)


def test_nothing_to_consent_to_without_a_google_backend(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no Google backend"):
        consent(client_file(tmp_path), tmp_path / "t.json", open_browser=False, scopes=())
