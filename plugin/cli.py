"""The command line, and the one place errors become exit codes.

Domain code raises UserError (exit 2) or ServiceError (exit 1); this module prints them as
one line without a traceback. Nothing below the CLI prints.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from afterword.plugin import logs
from afterword.plugin.config import Config, default_config_path, load_config
from afterword.plugin.errors import AfterwordError, ConfigError, ServiceError, UserError

if TYPE_CHECKING:
    from afterword.plugin.mailbox.base import Mailbox
    from afterword.plugin.state import State


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


def _console() -> Any:
    """rich's Console, imported only by the commands that print tables: the daemon never
    loads it (a megabyte and more of resident memory for months)."""
    from rich.console import Console

    return Console()


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
    """Sync, draft, track and warn; until SIGTERM or SIGINT unless --once (SIGHUP
    reloads the config)."""
    from afterword.plugin.runtime import open_daemon_engine, open_engine

    config = _config(ctx)
    if now is not None and not once:
        raise UserError("--now needs --once: the daemon follows the real clock")
    if not once:
        from afterword.plugin.daemon import Daemon

        # Notes rendered and calendars parsed in a helper process (plugin/worker.py):
        # the daemon itself never holds Jinja2 or icalendar.
        Daemon(config, load=lambda: _config(ctx), opener=open_daemon_engine).run()
        return
    with open_engine(config) as engine:
        report = engine.cycle(_now(now))
        from afterword.plugin.report import print_report

        print_report(report, _console(), verbose=False)


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
        print_status(data, _console())


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

    run_demo(directory, _now(now), _console())


@cli.group()
def service() -> None:
    """Start the daemon at login: a systemd user unit or a launchd agent."""


KIND_OPTION = click.option("--kind", type=click.Choice(["systemd", "launchd"]), default=None,
                           help="The service manager (default: launchd on macOS, else "
                                "systemd).")


@service.command("install")
@KIND_OPTION
@click.option("--enable", is_flag=True,
              help="Also enable and start it now (runs systemctl or launchctl).")
@click.pass_context
def service_install(ctx: click.Context, kind: str | None, enable: bool) -> None:
    """Write the service file that runs `afterword run` with this config."""
    from afterword.plugin import service as services

    config = _config(ctx)  # a config that does not load would only crash-loop
    file = services.service_file(kind or services.default_kind(), config.path)
    services.install(file, enable=enable)
    click.echo(f"wrote {file.path} ({file.kind}); it runs:")
    click.echo(f"  {' '.join(services.afterword_command(config.path))}")
    if enable:
        click.echo(f"enabled and started: {services.describe(file.enable)}")
    else:
        click.echo(f"to start it now and at every login: {services.describe(file.enable)}")


@service.command("uninstall")
@KIND_OPTION
@click.option("--disable", is_flag=True,
              help="Stop and disable it first (runs systemctl or launchctl).")
def service_uninstall(kind: str | None, disable: bool) -> None:
    """Remove the service file written by `service install`."""
    from afterword.plugin import service as services

    file = services.service_file(kind or services.default_kind(), Path("config.toml"))
    if not services.uninstall(file, disable=disable):
        click.echo(f"nothing to remove: {file.path} does not exist")
        return
    click.echo(f"removed {file.path}" + (" (stopped and disabled first)" if disable else ""))
    if file.kind == "launchd" and not disable:
        click.echo(f"if it is still loaded: {services.describe(file.disable)}")


@contextmanager
def _state_and_mailbox(config: Config) -> Iterator[tuple[State, Mailbox]]:
    """The existing state file and the mailbox, for the references' commands."""
    from afterword.plugin.backends import open_mailbox
    from afterword.plugin.runtime import open_state

    with open_state(config, create=False) as state:
        if state is None:
            raise UserError(f"no state file at {config.state_path} yet, so no interview is "
                            "known; fix: run `afterword run --once` after your interviews")
        mailbox = open_mailbox(config)
        try:
            yield state, mailbox
        finally:
            mailbox.close()


@cli.command()
@click.argument("company")
@click.option("--reference", "names", multiple=True, metavar="NAME",
              help="Ask only this reference (repeatable; default: every [[references]]).")
@click.option("--force", is_flag=True,
              help="Ask even inside the cooldown or over the per-quarter limit.")
@NOW_OPTION
@click.pass_context
def recommend(ctx: click.Context, company: str, names: tuple[str, ...], force: bool,
              now: datetime | None) -> None:
    """Draft a request to each reference to speak up for you with COMPANY, and a thank-you."""
    from afterword.plugin.references.ask import recommend as ask_references

    config = _config(ctx)
    with _state_and_mailbox(config) as (state, mailbox):
        done = ask_references(config, state, mailbox, company, names, force=force,
                              now=_now(now))
    for reason in done.overridden:
        click.echo(f"--force: asking although {reason}")
    click.echo(f"{done.company}: {len(done.asked)} reference(s) asked, as drafts (nothing was "
               "sent)")
    for asked in done.asked:
        to = f"{asked.request.reference} <{asked.request.email}>"
        weak = "" if asked.request.unique_ok else " (too like another request: edit it)"
        click.echo(f"  request draft to {to}: {asked.request.subject!r}{weak}")
        click.echo(f"  thank-you draft to {to}: {asked.thanks.subject!r} (send it once they "
                   "have been in touch)")
    click.echo("Read each request, make it yours and send it yourself. When the offer comes: "
               f"afterword offer {shlex.quote(done.company)}")


@cli.command()
@click.argument("company")
@NOW_OPTION
@click.pass_context
def offer(ctx: click.Context, company: str, now: datetime | None) -> None:
    """Record an offer from COMPANY; then remind you to thank the references you asked."""
    from afterword.plugin.references.offers import confirm_offer

    config = _config(ctx)
    with _state_and_mailbox(config) as (state, mailbox):
        done = confirm_offer(config, state, mailbox, company, _now(now))
    click.echo(f"offer from {done.company} " + ("recorded: congratulations!"
                                                 if done.newly_confirmed else "already recorded"))
    if not done.asked:
        click.echo(f"no reference was asked about {done.company}: nobody to thank here")
        return
    for row in done.drafted:
        click.echo(f"  draft with the news to {row.reference} <{row.email}>: {row.subject!r}")
    if done.reminded:
        click.echo("  reminder in the inbox: send each of them a card and a small gift")
    if not done.drafted and not done.reminded:
        click.echo("nothing new to do: the drafts and the reminder were made before")


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
