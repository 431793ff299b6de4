"""Opening and closing everything one command needs, in one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from afterword.plugin.backends import open_mailbox, open_source
from afterword.plugin.compose.render import Composer, NoteComposer
from afterword.plugin.config import Config
from afterword.plugin.engine import Engine
from afterword.plugin.sources.parse import PARSE_HERE, CalendarParser
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
def open_engine(config: Config, *, in_worker: bool = False) -> Iterator[Engine]:
    """`in_worker`: notes are rendered and .ics calendars parsed in a short-lived helper
    process (plugin/worker.py), so this process never loads Jinja2 or icalendar; for the
    long-running daemon."""
    composer, parse = helpers(config, in_worker)
    try:
        source = open_source(config, parse)
        mailbox = open_mailbox(config)
        with open_state(config) as state:
            assert state is not None
            try:
                yield Engine(config, source, mailbox, state, composer, parse)
            finally:
                mailbox.close()
                source.close()
    finally:
        composer.close()
        parse.close()


def open_daemon_engine(config: Config) -> AbstractContextManager[Engine]:
    """The daemon's engine (`afterword run` without --once): work done in the helper."""
    return open_engine(config, in_worker=True)


def helpers(config: Config, in_worker: bool = False) -> tuple[NoteComposer, CalendarParser]:
    """The in-process Composer and parser, or the helper process's where it is wanted and
    can run. Either way a broken template in the user's templates_dir is a UserError here,
    at start."""
    templates_dir = config.notes.templates_dir
    if in_worker:
        from afterword.plugin.worker import SUPPORTED, Worker, WorkerComposer, WorkerParser

        if SUPPORTED:
            worker = Worker(templates_dir)
            return WorkerComposer(worker), WorkerParser(worker)
    return Composer(templates_dir), PARSE_HERE
