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
