"""The two kinds of failure the CLI turns into exit codes."""

from __future__ import annotations

from pathlib import Path


class AfterwordError(Exception):
    """Base of every error afterword reports without a traceback."""


class UserError(AfterwordError):
    """Something the user can fix (bad usage, bad config): exit 2."""


class ConfigError(UserError):
    """A config problem, always naming the file, the key and the fix."""

    def __init__(self, path: Path | str, key: str, problem: str, fix: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        self.fix = fix
        super().__init__(f"{self.path}: [{key}] {problem}; fix: {fix}")


class ServiceError(AfterwordError):
    """A runtime failure (service unreachable, credentials revoked): exit 1.

    `retryable` is False when trying again cannot help until the user acts (a wrong
    password, a revoked token): the daemon stops on those instead of backing off."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class CalendarDataError(ServiceError):
    """Calendar data that cannot be read (not iCalendar at all, or it breaks the parser).

    Its own kind so that readers of many calendars (CalDAV objects, mailed attachments) skip
    the one bad calendar, while every other ServiceError (a helper process that died, say)
    still fails the cycle to be tried again."""


def one_line(reason: object, limit: int = 200) -> str:
    """A reason fit for a one-line message: whitespace collapsed, at most `limit` characters
    (a library's error can quote a whole malformed line back)."""
    text = " ".join(str(reason).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
