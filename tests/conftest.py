"""Fixtures shared across test folders: the real servers, started once per session only
when a test asks for them (tests/servers and the contract suite use the same Dovecot)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.servers.dovecot_server import (
    NO_SPECIAL_USE,
    Dovecot,
    require_dovecot,
    start_dovecot,
    stop_dovecot,
)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI configures logging for the process; tests that run it in-process must not
    change what the next test's caplog sees."""
    root = logging.getLogger()
    ours = logging.getLogger("afterword")
    handlers, root_level, our_level = root.handlers[:], root.level, ours.level
    yield
    root.handlers[:] = handlers
    root.setLevel(root_level)
    ours.setLevel(our_level)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One Dovecot with SPECIAL-USE Drafts/Sent/Trash; tests take fresh accounts from it
    (`dovecot.new_user()`). Skipped without Dovecot, failed instead when $CI is set."""
    require_dovecot()
    server = start_dovecot()
    try:
        yield server
    finally:
        stop_dovecot(server)


@pytest.fixture(scope="session")
def dovecot_plain() -> Iterator[Dovecot]:
    """A Dovecot whose folders carry no SPECIAL-USE flag ("Drafts", "Sent Items")."""
    require_dovecot()
    server = start_dovecot(NO_SPECIAL_USE)
    try:
        yield server
    finally:
        stop_dovecot(server)
