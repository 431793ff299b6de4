"""`[[corrections]]` through the real CLI (ICS + Maildir + SQLite): a name fixed once in the
config reaches the draft's To:, its greeting and `status`, and never changes a note's id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.system.conftest import write_config
from tests.system.test_edge_cases import MARCUS, Scenario, calendar, event

# The itinerary names José in directory order and capitals, and no invite gives his address.
ITINERARY = ("Your schedule:\n"
             "2:00 PM – 3:00 PM  Marcus O'Neil, Principal Engineer – Data modeling\n"
             "3:00 PM – 4:00 PM  ALVAREZ, JOSE (Staff Engineer) – System design\n")
PANEL = calendar(event("panel-7@acme.com", "20261124T140000", "20261124T160000",
                       "Acme – Senior Data Engineer onsite interview", [MARCUS],
                       description=ITINERARY))
CORRECTION = """
[[corrections]]
match = "Alvarez, José"
name = "José Álvarez"
greeting = "Pepe"
email = "jose.alvarez@acme.com"
"""


def test_a_corrected_name_reaches_the_draft_and_keeps_the_note_id(
    tmp_path: Path, afterword: Any
) -> None:
    config = write_config(tmp_path, PANEL)
    scenario = Scenario(tmp_path, str(config), afterword)
    scenario.run("2026-11-24T13:00:00-05:00")  # before the interview: notes, no drafts
    before = scenario.notes("2026-11-24T13:00:00-05:00")
    assert set(before) == {"Marcus O'Neil", "Jose Alvarez"}
    assert before["Jose Alvarez"]["needs_address"] is True

    config.write_text(config.read_text(encoding="utf-8") + CORRECTION, encoding="utf-8")
    scenario.run("2026-11-24T16:05:00-05:00")

    after = scenario.notes("2026-11-24T16:05:00-05:00")
    assert set(after) == {"Marcus O'Neil", "José Álvarez"}
    jose = after["José Álvarez"]
    assert jose["id"] == before["Jose Alvarez"]["id"]  # the correction changed no note id
    assert jose["interviewer"]["email"] == "jose.alvarez@acme.com"
    assert jose["needs_address"] is False

    drafts = {d.to_address: d for d in scenario.ours()}
    assert set(drafts) == {"marcus.oneil@acme.com", "jose.alvarez@acme.com"}
    to_jose = drafts["jose.alvarez@acme.com"]
    assert to_jose.to_name == "José Álvarez"
    greeting = to_jose.body.split("\n", 1)[0]
    assert "Pepe" in greeting and "Jose" not in greeting and "José" not in greeting
    assert "Marcus" in drafts["marcus.oneil@acme.com"].body.split("\n", 1)[0]
