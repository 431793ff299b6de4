"""Google's installed-app consent flow: the only place afterword ever opens a browser.

`afterword auth google` calls `consent` once; the daemon only refreshes the token it
saved. The flow listens on a loopback port the system picks (port 0: the usual 8080 may
be taken) for Google's redirect, asks for offline access (a refresh token) and only the
scopes of the configured backends, and saves the authorized-user JSON with mode 0600.
With `open_browser=False` (a server without a desktop) it prints the address to open
on any machine whose browser can reach the loopback port (e.g. through `ssh -L`).
The copy-a-code ("out-of-band") flow no longer exists at Google.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from afterword.auth.scopes import CALENDAR_SCOPES, MAILBOX_SCOPES, short_name
from afterword.auth.token_store import TokenStore
from afterword.plugin.errors import ServiceError, UserError
from afterword.plugin.logs import register_secret

ALL_SCOPES: tuple[str, ...] = MAILBOX_SCOPES + CALENDAR_SCOPES
TIMEOUT_SECONDS = 600.0
SUCCESS_PAGE = "afterword has its Google token. You can close this tab."
CLIENT_FIX = ("download the OAuth client of type \"Desktop app\" from the Google Cloud "
              "console (APIs & Services → Credentials) and point credentials_file at it")


def consent(
    credentials_file: Path,
    token_file: Path,
    open_browser: bool,
    *,
    scopes: Sequence[str] = ALL_SCOPES,
    say: Callable[[str], None] = print,
    timeout_seconds: float | None = TIMEOUT_SECONDS,
) -> Path:
    """Run the consent flow and save the token to `token_file`; returns that path.

    `say` shows the user where to go (the CLI passes its own echo). Raises UserError for
    a missing or wrong client file, ServiceError when consent fails or is refused.
    """
    from google_auth_oauthlib.flow import InstalledAppFlow, WSGITimeoutError

    oauth2_error = importlib.import_module("oauthlib.oauth2.rfc6749.errors").OAuth2Error

    flow = _flow(InstalledAppFlow, credentials_file, scopes)
    original = flow.authorization_url

    def announce(**kwargs: Any) -> tuple[str, str]:
        url, state = original(**kwargs)
        if open_browser:
            say(f"Opening Google's consent page in your browser. If it does not open, "
                f"visit:\n{url}")
        else:
            say(f"Open this address in a browser on this machine (or one forwarding its "
                f"port {_port(flow)}) and allow access:\n{url}")
        return url, state

    flow.authorization_url = announce
    wanted = ", ".join(short_name(s) for s in scopes)
    try:
        credentials = flow.run_local_server(
            host="localhost", port=0, open_browser=open_browser,
            authorization_prompt_message="", success_message=SUCCESS_PAGE,
            timeout_seconds=timeout_seconds, access_type="offline", prompt="consent")
    except WSGITimeoutError:
        raise ServiceError("no answer from Google's consent page in time; run "
                           "`afterword auth google` again and finish it in the browser") from None
    except oauth2_error as exc:
        raise ServiceError(f"Google consent failed ({exc.error}); run `afterword auth "
                           f"google` again and allow access to: {wanted}") from None
    except Warning as exc:  # oauthlib: the user unticked a permission on the consent page
        granted = ", ".join(short_name(s) for s in getattr(exc, "new_scope", None) or [])
        raise ServiceError(f"Google granted only {granted or 'nothing'} of {wanted}; run "
                           "`afterword auth google` again and tick every box") from None
    if not getattr(credentials, "refresh_token", None):
        raise ServiceError("Google sent no refresh token; remove afterword's access at "
                           "https://myaccount.google.com/permissions and run "
                           "`afterword auth google` again")
    TokenStore(token_file).save(credentials)
    say(f"Saved the Google token to {token_file} (readable only by you).")
    return token_file


def _flow(flow_class: Any, credentials_file: Path, scopes: Sequence[str]) -> Any:
    """The flow for the client file, with every problem of that file said plainly."""
    where = f"{credentials_file}"
    try:
        config = json.loads(credentials_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"no OAuth client file at {where}; fix: {CLIENT_FIX}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"cannot read the OAuth client file {where} ({exc}); fix: "
                        f"{CLIENT_FIX}") from None
    client = config.get("installed") if isinstance(config, dict) else None
    if not isinstance(client, dict):
        kind = "a web-application client" if isinstance(config, dict) and "web" in config \
            else "not an OAuth client file"
        raise UserError(f"{where} is {kind}; fix: {CLIENT_FIX}")
    register_secret(client.get("client_secret"))
    if not scopes:
        raise UserError("no Google backend is configured, so there is nothing to consent "
                        'to; fix: set calendar.source = "google" or mailbox.backend = "gmail"')
    try:
        return flow_class.from_client_config(config, scopes=list(scopes))
    except (ValueError, KeyError) as exc:
        raise UserError(f"{where} is not a usable OAuth client file ({exc}); fix: "
                        f"{CLIENT_FIX}") from None


def _port(flow: Any) -> str:
    """The loopback port the redirect comes back to (known once the flow listens)."""
    uri = str(getattr(flow, "redirect_uri", "") or "")
    return uri.rstrip("/").rsplit(":", 1)[-1] if uri else "?"
