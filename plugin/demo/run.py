"""`afterword demo`: the whole job on sample data, replaying the last two days."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.text import Text

from afterword.plugin.config import load_config
from afterword.plugin.demo.sample import timeline, write_sample
from afterword.plugin.report import print_report
from afterword.plugin.runtime import open_engine
from afterword.plugin.status import print_status, status_data


def run_demo(directory: Path | None, now: datetime, console: Console) -> None:
    directory = directory or Path(tempfile.mkdtemp(prefix="afterword-demo-"))
    config = load_config(write_sample(directory.resolve(), now))
    console.print(Text(f"afterword demo: sample calendar and mailbox in {directory}", "bold"))
    with open_engine(config) as engine:
        for instant in timeline(now).replay:
            local = instant.astimezone(config.zone)
            console.rule(Text(f"cycle at {local:%a %d %b %H:%M %Z}"))
            print_report(engine.cycle(instant), console, verbose=True)
            engine.mailbox.close()
        console.rule(Text("status"))
        print_status(status_data(config, engine.state, now), console)
    console.print(Text(
        f"Drafts are in {directory / 'mail' / 'Drafts'}, warnings in "
        f"{directory / 'mail' / 'INBOX' / 'new'}. Nothing was sent.\n"
        f"Again, with the clock moved on: afterword --config {directory / 'config.toml'} "
        "run --once --now <ISO time>\n"
        f"Ask your reference to speak up for you with Acme: afterword --config "
        f"{directory / 'config.toml'} recommend Acme", "dim"))
