"""Service files that start `afterword run` at login: a systemd user unit on Linux, a
launchd agent on macOS.

Writing the file is all `install` does unless asked to enable it: starting a daemon is the
user's call, and the command that does it is printed. The unit runs this very interpreter's
afterword with the config's absolute path, so it works from a virtualenv, and it restarts
after a crash but not after a bad config (exit 2), which a restart cannot fix.
"""

from __future__ import annotations

import os
import plistlib
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from afterword.plugin.errors import ServiceError, UserError

UNIT_NAME = "afterword.service"
AGENT_LABEL = "dev.afterword.daemon"
KINDS = ("systemd", "launchd")


@dataclass(frozen=True)
class ServiceFile:
    kind: str  # "systemd" | "launchd"
    path: Path
    text: str
    enable: list[list[str]]  # the commands that start it now and at every login
    disable: list[list[str]]  # the commands that stop it for good


def default_kind() -> str:
    return "launchd" if sys.platform == "darwin" else "systemd"


def afterword_command(config: Path) -> list[str]:
    """How to run this installation's afterword daemon with `config`."""
    script = Path(sys.executable).with_name("afterword")
    program = [str(script)] if script.exists() else [sys.executable, "-m",
                                                      "afterword.plugin.cli"]
    return [*program, "--config", str(config.expanduser().resolve()), "run"]


def service_file(kind: str, config: Path, home: Path | None = None) -> ServiceFile:
    home = home or Path.home()
    command = afterword_command(config)
    if kind == "systemd":
        path = home / ".config" / "systemd" / "user" / UNIT_NAME
        return ServiceFile(kind, path, systemd_unit(command),
                           [["systemctl", "--user", "daemon-reload"],
                            ["systemctl", "--user", "enable", "--now", "afterword"]],
                           [["systemctl", "--user", "disable", "--now", "afterword"]])
    if kind == "launchd":
        path = home / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist"
        domain = f"gui/{os.getuid()}"
        return ServiceFile(kind, path, launchd_plist(command, home),
                           [["launchctl", "bootstrap", domain, str(path)]],
                           [["launchctl", "bootout", f"{domain}/{AGENT_LABEL}"]])
    raise UserError(f"{kind!r} is not a service kind; fix: use one of {', '.join(KINDS)}")


def systemd_unit(command: list[str]) -> str:
    exec_start = " ".join(_systemd_quote(arg) for arg in command)
    return f"""\
[Unit]
Description=afterword: thank-you drafts after every interview (never sends mail)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart={exec_start}
ExecReload=/bin/kill -HUP $MAINPID
# Secrets for password_env, one NAME=value a line (optional; the keyring also works).
EnvironmentFile=-%h/.config/afterword/environment
Restart=on-failure
RestartSec=60
# Exit 2 is a bad config: restarting cannot fix it.
RestartPreventExitStatus=2

[Install]
WantedBy=default.target
"""


def _systemd_quote(arg: str) -> str:
    """systemd's own quoting (close to the shell's): double quotes, and `%` doubled so
    that a path holding one is not read as a specifier."""
    arg = arg.replace("%", "%%")
    if arg and not any(c in arg for c in ' \t"\'\\$;'):
        return arg
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$")
    return f'"{escaped}"'


def launchd_plist(command: list[str], home: Path) -> str:
    logs = home / "Library" / "Logs" / "afterword.log"
    agent = {
        "Label": AGENT_LABEL,
        "ProgramArguments": command,
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},  # again after a crash, not after a stop
        "ThrottleInterval": 60,
        "ProcessType": "Background",
        "StandardErrorPath": str(logs),
    }
    return plistlib.dumps(agent).decode("utf-8")


def install(file: ServiceFile, *, enable: bool) -> None:
    file.path.parent.mkdir(parents=True, exist_ok=True)
    file.path.write_text(file.text, encoding="utf-8")
    if enable:
        run_all(file.enable)


def uninstall(file: ServiceFile, *, disable: bool) -> bool:
    """Remove the file; False when there was none. An enabled systemd unit is not removed
    unless `disable`: its dangling link would make systemctl fail at every login."""
    if disable and file.path.exists():
        run_all(file.disable)
    elif file.kind == "systemd" and enabled_link(file).is_symlink():
        raise UserError(f"{file.path} is enabled; fix: run `{describe(file.disable)}` "
                        "first, or `afterword service uninstall --disable`")
    try:
        file.path.unlink()
    except FileNotFoundError:
        return False
    return True


def enabled_link(file: ServiceFile) -> Path:
    """Where `systemctl --user enable` links the unit."""
    return file.path.parent / "default.target.wants" / file.path.name


def run_all(commands: list[list[str]]) -> None:
    for command in commands:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=60,
                                  check=False)
        except OSError as exc:
            raise ServiceError(f"cannot run {shlex.join(command)}: {exc.strerror or exc}"
                               ) from None
        if done.returncode != 0:
            said = " ".join((done.stderr or done.stdout).split()) or f"exit {done.returncode}"
            raise ServiceError(f"{shlex.join(command)} failed: {said}")


def describe(commands: list[list[str]]) -> str:
    return " && ".join(shlex.join(c) for c in commands)
