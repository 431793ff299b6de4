"""A panel the invite introduces by title (a school's, a council's, a hospital's) is thanked
that way: "Dear Dr. O'Brien", not "Hi Helen". Through the real CLI (ICS + Maildir + SQLite);
a greeting the user sets in [[corrections]] still wins, and To: keeps the full name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.system.conftest import write_config
from tests.system.test_edge_cases import Scenario, calendar, event, person

# The calendar names two of the panel with their titles; the letter lists the third.
PANEL = calendar(event(
    "panel-9@northfield.sch.uk", "20261124T140000", "20261124T160000",
    "Northfield Academy – Teacher of Mathematics interview",
    [person("Dr. Helen O'Brien", "h.obrien@northfield.sch.uk"),
     person("Tom Reid", "t.reid@northfield.sch.uk")],
    description="Interview panel:\nMr. James Okafor (Head of Maths)\n"
                "Tom Reid (Deputy Headteacher)\n"))
FIRST_NAME = """
[[corrections]]
match = "Helen O'Brien"
greeting = "Helen"
"""


def greetings(scenario: Scenario) -> dict[str, str]:
    """Each draft's first line, by the name in its To: (or the note's, with no address)."""
    return {d.to_name if d.recipients else str(d.message["X-Afterword-Note"]):
            d.body.split("\n", 1)[0] for d in scenario.ours()}


def test_a_panel_introduced_by_title_is_thanked_by_title(tmp_path: Path, afterword: Any) -> None:
    config = write_config(tmp_path, PANEL)
    scenario = Scenario(tmp_path, str(config), afterword)
    scenario.run("2026-11-24T16:05:00-05:00")
    found = greetings(scenario)
    assert len(found) == 3
    assert "Dr. O'Brien" in found["Helen O'Brien"] and "Helen" not in found["Helen O'Brien"]
    assert "Tom" in found["Tom Reid"]  # introduced by name: greeted by first name
    okafor = next(line for line in found.values() if "Okafor" in line)
    assert "Mr. Okafor" in okafor and "James" not in okafor
    assert scenario.notes("2026-11-24T16:05:00-05:00")["James Okafor"]["needs_address"]


def test_the_users_greeting_wins_over_the_invites(tmp_path: Path, afterword: Any) -> None:
    config = write_config(tmp_path, PANEL, FIRST_NAME)
    scenario = Scenario(tmp_path, str(config), afterword)
    scenario.run("2026-11-24T16:05:00-05:00")
    line = greetings(scenario)["Helen O'Brien"]
    assert "Helen" in line and "Dr." not in line
