"""Running the real CLI in-process (fast) or as a subprocess (for exit codes and crashes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from afterword.plugin.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def afterword(capsys: pytest.CaptureFixture[str]) -> Any:
    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def run_subprocess(*args: str, env: dict[str, str] | None = None,
                   script: str | None = None) -> Result:
    """Run `afterword ARGS` in a new interpreter; `script` runs before main() there."""
    code = (script or "") + "\nfrom afterword.plugin.cli import main\nmain()\n"
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "COLUMNS": "200", **(env or {})}, stdin=subprocess.DEVNULL,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def write_config(tmp: Path, calendar: str, extra: str = "") -> Path:
    (tmp / "calendar.ics").write_text(calendar, encoding="utf-8", newline="")
    path = tmp / "config.toml"
    path.write_text(f"""
[me]
name = "Alex Rivera"
email = "alex.rivera@example.com"
aliases = ["alex@rivera.dev"]
timezone = "America/New_York"
[calendar]
source = "ics"
path = "calendar.ics"
[mailbox]
backend = "maildir"
path = "mail"
[state]
path = "state.sqlite3"
[notes]
signature = "Alex Rivera\\n+1 555 0100"
[[applications]]
company = "Acme"
role = "Senior Data Engineer"
domains = ["acme.com"]
{extra}
""", encoding="utf-8")
    return path
