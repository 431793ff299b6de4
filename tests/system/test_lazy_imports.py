"""A Maildir + ICS user never loads Google's, CalDAV's or IMAP's client libraries: they
cost start-up time and tens of megabytes of resident memory in a daemon that idles for
months."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.system.conftest import write_config
from tests.system.test_cli import PANEL

HEAVY = ("googleapiclient", "google.auth", "google_auth_oauthlib", "httplib2", "caldav",
         "imapclient", "requests", "lxml")

SCRIPT = """
import sys
from afterword.plugin.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
print(" ".join(sorted(name for name in sys.modules)))
"""


def test_a_maildir_cycle_loads_no_service_client(tmp_path: Path) -> None:
    config = write_config(tmp_path, PANEL)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, "--config", str(config), "run", "--once", "--now",
         "2026-11-24T15:05:00-05:00"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert "draft saved" in proc.stdout  # the cycle did run
    loaded = set(proc.stdout.split("\n")[-2].split())
    assert "afterword.plugin.engine" in loaded
    found = sorted(name for name in loaded
                   if any(name == heavy or name.startswith(heavy + ".") for heavy in HEAVY))
    assert found == []
