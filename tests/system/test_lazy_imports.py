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


def loaded_after(config: Path, *args: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, "--config", str(config), *args],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split("\n")[-2].split())


def test_jinja2_loads_only_when_a_note_is_written(tmp_path: Path) -> None:
    config = write_config(tmp_path, PANEL)
    before_end = loaded_after(config, "run", "--once", "--now", "2026-11-24T13:00:00-05:00")
    assert "afterword.plugin.engine" in before_end
    assert "jinja2" not in before_end  # nothing to write yet: an idle daemon's cycle
    assert "jinja2" in loaded_after(config, "run", "--once", "--now",
                                    "2026-11-24T15:05:00-05:00")


def test_html_description_loads_bs4_without_its_optional_extras(tmp_path: Path) -> None:
    html = PANEL.replace("SUMMARY:", "DESCRIPTION:<p>Your <b>interview</b> schedule</p>\r\n"
                         "SUMMARY:", 1)
    assert html != PANEL
    config = write_config(tmp_path, html)
    loaded = loaded_after(config, "run", "--once", "--now", "2026-11-24T15:05:00-05:00")
    assert "bs4" in loaded
    assert not loaded & {"soupsieve", "charset_normalizer", "chardet", "lxml"}
