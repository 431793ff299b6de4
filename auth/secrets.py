"""Passwords for servers that want one (IMAP, CalDAV), never stored in the config file.

Two places are looked at, in this order, and **the environment variable wins when set**:

1. the environment variable named by the config's `password_env` key (a daemon started by
   systemd or a container gets it from there);
2. the system keyring, service ``"afterword"``, user ``"<username>@<host>"`` (what a desktop
   user sets once with ``keyring set afterword alex@imap.example.com``).

An empty variable counts as unset, so an exported-but-blank variable falls through to the
keyring instead of logging in with an empty password.

The only import from the daemon is its leaf `errors` module: a missing password is a
`UserError` (exit 2) the CLI reports like any config problem.
"""

from __future__ import annotations

import logging
import os

from afterword.plugin.errors import UserError

SERVICE = "afterword"

log = logging.getLogger("afterword.auth.secrets")


def keyring_user(username: str, host: str) -> str:
    """The keyring entry's user name: one entry per account per server."""
    return f"{username}@{host}"


def _from_keyring(username: str, host: str) -> tuple[str | None, str]:
    """The stored password (or None) and, when the keyring itself failed, why."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None, "the keyring package is not installed"
    try:
        value = keyring.get_password(SERVICE, keyring_user(username, host))
    except KeyringError as exc:  # no backend, locked, D-Bus gone...
        return None, f"the system keyring is unavailable: {type(exc).__name__}"
    return (value or None), ""


def get_password(
    password_env: str | None,
    username: str,
    host: str,
    *,
    config_key: str = "mailbox.password_env",
) -> str:
    """The password for `username` on `host`; UserError naming `config_key` when neither
    the environment variable nor the keyring has one."""
    if password_env:
        value = os.environ.get(password_env)
        if value:
            return value
    value, keyring_problem = _from_keyring(username, host)
    if value:
        log.debug("password for %s taken from the system keyring", keyring_user(username, host))
        return value

    entry = keyring_user(username, host)
    if password_env:
        problem = f"[{config_key}] the environment variable {password_env} is not set"
    else:
        problem = f"[{config_key}] is not set"
    problem += f" and the system keyring has no password for {entry}"
    if keyring_problem:
        problem += f" ({keyring_problem})"
    where = f"export {password_env}=..." if password_env else f"set {config_key} and export it"
    raise UserError(
        f"no password for {entry}: {problem}; fix: {where}, "
        f"or store it with `keyring set {SERVICE} {entry}`"
    )
