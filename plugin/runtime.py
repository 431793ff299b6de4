"""Opening and closing everything one command needs, in one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from afterword.plugin.backends import open_mailbox, open_source
from afterword.plugin.compose.render import Composer, NoteComposer
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
def open_engine(config: Config, *, render_in_worker: bool = False) -> Iterator[Engine]:
    """`render_in_worker`: notes are rendered in a short-lived child process
    (compose/worker.py), so this process never loads Jinja2; for the long-running daemon."""
    source = open_source(config)
    mailbox = open_mailbox(config)
    with open_state(config) as state:
        assert state is not None
        try:
            composer = note_composer(config, render_in_worker)
            try:
                yield Engine(config, source, mailbox, state, composer)
            finally:
                composer.close()
        finally:
            mailbox.close()
            source.close()


def open_daemon_engine(config: Config) -> AbstractContextManager[Engine]:
    """The daemon's engine (`afterword run` without --once): notes rendered in a worker."""
    return open_engine(config, render_in_worker=True)


def note_composer(config: Config, render_in_worker: bool = False) -> NoteComposer:
    """The in-process Composer, or the worker where it is wanted and can run. Either way a
    broken template in the user's templates_dir is a UserError here, at start."""
    templates_dir = config.notes.templates_dir
    if render_in_worker:
        from afterword.plugin.compose.worker import SUPPORTED, WorkerComposer

        if SUPPORTED:
            return WorkerComposer(templates_dir)
    return Composer(templates_dir)
