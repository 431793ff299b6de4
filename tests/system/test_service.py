"""`afterword service install / uninstall` with HOME pointed at a temporary folder: the
files written, the commands printed, and systemctl run only when asked (a stand-in
systemctl on PATH records what it was asked)."""

from __future__ import annotations

import os
import plistlib
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.system.conftest import write_config
from tests.system.test_cli import PANEL

UNIT = Path(".config/systemd/user/afterword.service")
AGENT = Path("Library/LaunchAgents/dev.afterword.daemon.plist")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("systemctl", "launchctl"):
        fake = bin_dir / tool
        fake.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{tmp_path}/ran.log"\n',
                        encoding="utf-8")
        fake.chmod(0o755)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return home


def ran(home: Path) -> list[str]:
    log = home.parent / "ran.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def exec_start(unit: str) -> list[str]:
    [line] = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart="))


def test_install_writes_a_user_unit_and_only_prints_how_to_enable_it(
    home: Path, afterword: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = home / "my configs"
    folder.mkdir()
    write_config(folder, PANEL)
    monkeypatch.chdir(folder)

    result = afterword("--config", "config.toml", "service", "install", "--kind", "systemd")

    assert result.code == 0, result.err
    unit = (home / UNIT).read_text(encoding="utf-8")
    command = exec_start(unit)
    assert Path(command[0]).parent == Path(sys.executable).parent or command[1:3] == [
        "-m", "afterword.plugin.cli"]
    assert command[-3:] == ["--config", str(folder / "config.toml"), "run"]
    assert "Restart=on-failure" in unit and "RestartPreventExitStatus=2" in unit
    assert "WantedBy=default.target" in unit
    assert str(home / UNIT) in result.out
    assert "systemctl --user enable --now afterword" in result.out
    assert ran(home) == []  # nothing started behind the user's back


def test_install_enable_runs_systemctl(home: Path, afterword: Any) -> None:
    config = write_config(home, PANEL)

    result = afterword("--config", str(config), "service", "install", "--kind", "systemd",
                       "--enable")

    assert result.code == 0, result.err
    assert ran(home) == ["systemctl --user daemon-reload",
                         "systemctl --user enable --now afterword"]


def test_install_refuses_a_config_that_does_not_load(home: Path, afterword: Any) -> None:
    config = write_config(home, PANEL, "[daemon]\nsync_interval = 0\n")

    result = afterword("--config", str(config), "service", "install", "--kind", "systemd")

    assert result.code == 2 and "daemon.sync_interval" in result.err
    assert not (home / UNIT).exists()


def test_launchd_agent_runs_the_daemon_at_login(home: Path, afterword: Any) -> None:
    config = write_config(home, PANEL)

    result = afterword("--config", str(config), "service", "install", "--kind", "launchd")

    assert result.code == 0, result.err
    agent = plistlib.loads((home / AGENT).read_bytes())
    assert agent["Label"] == "dev.afterword.daemon"
    assert agent["ProgramArguments"][-3:] == ["--config", str(config), "run"]
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] == {"SuccessfulExit": False}
    assert f"launchctl bootstrap gui/{os.getuid()} {home / AGENT}" in result.out
    assert ran(home) == []


def test_uninstall_removes_the_file(home: Path, afterword: Any) -> None:
    config = write_config(home, PANEL)
    afterword("--config", str(config), "service", "install", "--kind", "systemd")

    result = afterword("service", "uninstall", "--kind", "systemd")

    assert result.code == 0, result.err
    assert not (home / UNIT).exists() and f"removed {home / UNIT}" in result.out
    assert ran(home) == []
    again = afterword("service", "uninstall", "--kind", "systemd")
    assert again.code == 0 and "nothing to remove" in again.out


def test_an_enabled_unit_is_disabled_before_it_is_removed(home: Path, afterword: Any) -> None:
    config = write_config(home, PANEL)
    afterword("--config", str(config), "service", "install", "--kind", "systemd")
    wants = home / UNIT.parent / "default.target.wants"
    wants.mkdir()
    (wants / "afterword.service").symlink_to(home / UNIT)  # what `enable` leaves

    refused = afterword("service", "uninstall", "--kind", "systemd")
    assert refused.code == 2 and "--disable" in refused.err
    assert (home / UNIT).exists()

    result = afterword("service", "uninstall", "--kind", "systemd", "--disable")
    assert result.code == 0, result.err
    assert ran(home) == ["systemctl --user disable --now afterword"]
    assert not (home / UNIT).exists()
