"""Printing what a cycle did, for `run --once` and `demo`. Names and addresses come from
invites and are printed as text, never as markup."""

from __future__ import annotations

import shlex

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from afterword.plugin.engine import CycleReport


def print_report(report: CycleReport, console: Console, verbose: bool) -> None:
    for interview, note in report.drafts:
        person = note.interviewer
        to = f"{person.name} <{person.email}>" if person.email else f"{person.name} (no address)"
        where = interview.company or interview.title
        head = Text.assemble(("draft saved ", "green"),
                             f"for {where} → {to}: {note.subject or ''}")
        if note.unique_ok is False:
            head.append("  (could not make it unique enough: edit before sending)", "red")
        if verbose and note.body:
            console.print(Panel(Text(note.body), title=head, title_align="left"))
        else:
            console.print(head)
    for note, sent_at in report.sent:
        console.print(Text.assemble(("sent ", "green"), f"note to {note.interviewer.name} "
                                    f"found in Sent ({sent_at.isoformat(timespec='minutes')})"))
    for note, what in report.user_changes:
        console.print(Text.assemble(("left alone ", "cyan"),
                                    f"draft to {note.interviewer.name}: {what}"))
    if report.flagged:
        console.print(Text.assemble(("flagged ", "yellow"), f"{report.flagged} unsent draft(s)"))
    for interview, stage, lines in report.warnings:
        names = ", ".join(line.name for line in lines)
        console.print(Text.assemble(("warning ", "bold red"),
                                    f"{stage.value} for {interview.company or interview.title}:"
                                    f" unsent to {names}"))
    for company in report.offers:
        console.print(Text.assemble(("offer? ", "bold green"),
                                    f"{company}: an email in the inbox looks like an offer; "
                                    "if it is, confirm with: afterword offer "
                                    f"{shlex.quote(company)}"))
    if not report.did_something:
        console.print(Text("nothing to do", "dim"))
