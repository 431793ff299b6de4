"""The command line, and the one place errors become exit codes.

Domain code raises UserError (exit 2) or ServiceError (exit 1); this module prints them as
one line without a traceback. Nothing below the CLI prints.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from afterword.plugin import logs
from afterword.plugin.config import Config, default_config_path, load_config
from afterword.plugin.errors import AfterwordError, ConfigError, ServiceError, UserError


class Instant(click.ParamType[datetime, Any]):
    name = "TIMESTAMP"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value).replace("z", "Z"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 timestamp, like 2026-11-25T17:00:00-05:00",
                      param, ctx)
        if parsed.tzinfo is None:
            self.fail(f"{value!r} has no offset: add one, like -05:00 or Z", param, ctx)
        return parsed


NOW_OPTION = click.option("--now", type=Instant(), default=None,
                          help="Behave as if the clock read this instant (ISO 8601 with offset).")


def _now(value: datetime | None) -> datetime:
    return value if value is not None else datetime.now(UTC)


@click.group()
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              help="Config file (default: $AFTERWORD_CONFIG, else the user config folder).")
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: int) -> None:
    """afterword: thank-you drafts after every interview. It never sends mail."""
    logs.setup(verbose)
    ctx.obj = config_path


def _config(ctx: click.Context) -> Config:
    path: Path | None = ctx.obj
    return load_config(path or default_config_path())


@cli.command()
@click.option("--once", is_flag=True, help="Run one cycle, then exit.")
@NOW_OPTION
@click.pass_context
def run(ctx: click.Context, once: bool, now: datetime | None) -> None:
    """Sync, draft, track and warn; until SIGTERM or SIGINT unless --once."""
    from afterword.plugin.runtime import open_engine

    config = _config(ctx)
    if now is not None and not once:
        raise UserError("--now needs --once: the daemon follows the real clock")
    with open_engine(config) as engine:
        if once:
            report = engine.cycle(_now(now))
            from afterword.plugin.report import print_report

            print_report(report, Console(), verbose=False)
            return
        from afterword.plugin.daemon import Daemon

        Daemon(engine).run()


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the contract's JSON.")
@NOW_OPTION
@click.pass_context
def status(ctx: click.Context, as_json: bool, now: datetime | None) -> None:
    """Every known interview, its interviewers, each note's state and due time."""
    from afterword.plugin.runtime import open_state
    from afterword.plugin.status import print_status, status_data

    config = _config(ctx)
    with open_state(config, create=False) as state:
        data = status_data(config, state, _now(now))
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print_status(data, Console())


@cli.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate the config and reach each configured service, writing nothing."""
    from afterword.plugin.backends import open_mailbox, open_source

    config = _config(ctx)
    click.echo(f"config {config.path}: ok (me: {config.me.email}, zone {config.timezone})")
    source = open_source(config)
    try:
        for line in source.describe():
            click.echo(f"calendar: {line}")
    finally:
        source.close()
    mailbox = open_mailbox(config, create=False)
    try:
        for line in mailbox.describe():
            click.echo(f"mailbox: {line}")
    finally:
        mailbox.close()
    click.echo(f"state {config.state_path}: "
               + ("exists" if config.state_path.exists() else "will be created on first run"))


@cli.group()
def auth() -> None:
    """Authorise afterword with a service."""


@auth.command("google")
@click.option("--no-browser", is_flag=True,
              help="Print the consent URL instead of opening a browser; wait for the redirect.")
@click.pass_context
def auth_google(ctx: click.Context, no_browser: bool) -> None:
    """Google OAuth consent (installed-app flow); stores the token in token_file."""
    from afterword.auth.google import consent
    from afterword.auth.scopes import scopes_for

    config = _config(ctx)
    box, cal = config.mailbox, config.calendar
    gmail = box.backend == "gmail"
    xoauth2 = box.backend == "imap" and box.auth == "xoauth2"
    calendar = cal.source == "google"
    if not (gmail or xoauth2 or calendar):
        raise UserError(f"{config.path}: no Google backend is configured; fix: set "
                        '[mailbox] backend = "gmail" or [calendar] source = "google" first')
    mail_side = gmail or xoauth2
    credentials = (box.credentials_file if mail_side else None) or cal.credentials_file
    if credentials is None:
        key = "mailbox.credentials_file" if mail_side else "calendar.credentials_file"
        raise ConfigError(config.path, key, "is needed to ask Google for consent",
                          "download the OAuth client (Desktop app) JSON from Google Cloud "
                          "and give its path")
    token = box.token_file if mail_side else cal.token_file
    if mail_side and calendar and box.token_file != cal.token_file:
        raise ConfigError(config.path, "calendar.token_file",
                          "differs from mailbox.token_file; one consent covers both",
                          "use the same token_file in [mailbox] and [calendar]")
    assert token is not None  # the config gives it a default
    consent(credentials, token, open_browser=not no_browser,
            scopes=scopes_for(gmail=gmail, calendar=calendar, imap_xoauth2=xoauth2),
            say=click.echo)


@cli.command()
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None,
              help="Where to write the sample data (default: a new temporary folder).")
@NOW_OPTION
def demo(directory: Path | None, now: datetime | None) -> None:
    """One full cycle on bundled sample data: no account, no network."""
    from afterword.plugin.demo.run import run_demo

    run_demo(directory, _now(now), Console())


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="afterword", standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code in (1, 2) else exc.exit_code)
    except UserError as exc:
        click.echo(f"afterword: {exc}", err=True)
        sys.exit(2)
    except ServiceError as exc:
        click.echo(f"afterword: {exc}", err=True)
        sys.exit(1)
    except AfterwordError as exc:
        click.echo(f"afterword: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:  # a disk or permission problem outside any backend's own handling
        click.echo(f"afterword: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
                   err=True)
        sys.exit(1)
    sys.exit(0)


if __name__ == "__main__":
    main()
