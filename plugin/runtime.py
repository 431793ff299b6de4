"""Opening and closing everything one command needs, in one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from afterword.plugin.backends import open_mailbox, open_source
from afterword.plugin.config import Config
from afterword.plugin.engine import Engine
from afterword.plugin.state import State


@contextmanager
def open_state(config: Config, create: bool = True) -> Iterator[State | None]:
    """The state file; None when it does not exist and `create` is False (nothing to read)."""
    if not create and not config.state_path.exists():
        yield None
        return
    state = State(config.state_path)
    try:
        yield state
    finally:
        state.close()


@contextmanager
def open_engine(config: Config) -> Iterator[Engine]:
    source = open_source(config)
    mailbox = open_mailbox(config)
    with open_state(config) as state:
        assert state is not None
        try:
            yield Engine(config, source, mailbox, state)
        finally:
            mailbox.close()
            source.close()
