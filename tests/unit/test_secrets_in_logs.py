"""Passwords handed to a backend are scrubbed from every log line, whoever writes it."""

from __future__ import annotations

import io
import logging
from zoneinfo import ZoneInfo

from afterword.plugin.logs import REDACTED, KeyValueFormatter, SecretFilter
from afterword.plugin.sources.caldav import CalDavSource
from afterword.plugin.sources.ics import _request


def captured(message: str) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(KeyValueFormatter("%(message)s"))
    handler.addFilter(SecretFilter())
    logger = logging.getLogger("some.library")
    logger.addHandler(handler)
    try:
        logger.warning(message)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_caldav_password_is_scrubbed() -> None:
    CalDavSource("http://127.0.0.1:1/", "alex", "caldav-S3cret-pw",
                 default_zone=ZoneInfo("UTC"))
    line = captured("login with caldav-S3cret-pw failed")
    assert "caldav-S3cret-pw" not in line and REDACTED in line


def test_ics_url_password_is_scrubbed() -> None:
    _request("https://alex:ics%2DS3cret@cal.example.com/feed.ics", None)
    line = captured("GET https://alex:ics-S3cret@cal.example.com/feed.ics")
    assert "ics-S3cret" not in line and REDACTED in line
