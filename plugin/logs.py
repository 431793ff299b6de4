"""Structured, quiet logging with secrets scrubbed.

One `key=value` line per event on stderr; WARNING by default so a healthy daemon says
nothing. Every secret afterword handles is registered here and replaced before a record is
written, whichever library logged it.
"""

from __future__ import annotations

import logging
import sys
from typing import ClassVar

REDACTED = "[redacted]"


class SecretFilter(logging.Filter):
    secrets: ClassVar[set[str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, REDACTED)
        record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            for secret in self.secrets:
                text = text.replace(secret, REDACTED)
            record.exc_info, record.exc_text = None, text
        return True


def register_secret(value: str | None) -> None:
    """Never let `value` reach a log line. Short values are ignored: they would mangle text."""
    if value and len(value) >= 4:
        SecretFilter.secrets.add(value)


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return f"{self.formatTime(record, '%Y-%m-%dT%H:%M:%S')} level={record.levelname.lower()}" \
               f" logger={record.name} {text}"


def setup(verbosity: int = 0) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter("%(message)s"))
    handler.addFilter(SecretFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("afterword").setLevel(level)
