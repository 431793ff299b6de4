"""Every hand-written ICS fixture through the real CLI (ICS + Maildir + SQLite), asserting
what the user sees: the drafts in the Maildir and `status --json`.

Each calendar is run once while its interviews are under way (afterword only drafts for
interviews it saw before their due time) and once after they end. The config's zone is
America/New_York, so the `--now` values below are New York times unless they say otherwise.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from afterword.plugin.sources.ics import IcsSource
from tests.system.conftest import Result, write_config

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ics"
NEW_YORK = ZoneInfo("America/New_York")

# What every draft carries and nothing more: a second To, a Cc or a Bcc would be a leak.
DRAFT_HEADERS = {"from", "date", "message-id", "to", "subject", "x-afterword-note",
                 "content-type", "content-transfer-encoding", "mime-version"}


@dataclass
class Draft:
    key: str
    message: EmailMessage
    head: bytes  # the header block exactly as stored
    flags: str

    @property
    def recipients(self) -> list[tuple[str, str]]:
        return getaddresses(self.message.get_all("To", []))

    @property
    def to_address(self) -> str | None:
        pairs = self.recipients
        assert len(pairs) <= 1, f"more than one recipient: {pairs}"
        return pairs[0][1] if pairs else None

    @property
    def to_name(self) -> str:
        return self.recipients[0][0]

    @property
    def body(self) -> str:
        content = self.message.get_content()
        assert isinstance(content, str)
        return content


def read_drafts(tmp: Path) -> list[Draft]:
    folder = tmp / "mail" / "Drafts"
    if not folder.exists():
        return []
    box = mailbox.Maildir(folder, factory=None, create=False)
    found = []
    for key in box.iterkeys():
        raw = box.get_bytes(key)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
        found.append(Draft(key, parsed, head, box.get_message(key).get_flags()))
    return found


def header_names(head: bytes) -> list[str]:
    """Names of the header fields in a raw block (continuation lines belong to the field
    above them, so a line break smuggled into a value shows up as an extra name)."""
    return [line.split(b":", 1)[0].decode("ascii").lower()
            for line in head.split(b"\n") if line and not line[:1].isspace()]


def assert_well_formed(draft: Draft) -> None:
    """The shape every draft must have, whoever it is for."""
    names = header_names(draft.head)
    assert len(names) == len(set(names)), names
    assert set(names) <= DRAFT_HEADERS, names
    assert draft.head.isascii()  # non-ASCII only ever RFC 2047 encoded
    assert "D" in draft.flags
    assert draft.message["From"].addresses[0].addr_spec == "alex.rivera@example.com"
    assert draft.message["X-Afterword-Note"]
    assert "thank" in draft.message["Subject"].lower()
    assert draft.message.get_content_type() == "text/plain"
    assert draft.message.get_content_charset() == "utf-8"
    assert "Alex Rivera" in draft.body and "+1 555 0100" in draft.body


@dataclass
class Calendar:
    """One fixture copied as the calendar of a fresh config, and the CLI around it."""

    tmp: Path
    config: str
    cli: Any

    def run(self, now: str) -> Result:
        result: Result = self.cli("--config", self.config, "run", "--once", "--now", now)
        assert result.code == 0, result.err
        assert "Traceback" not in result.err
        return result

    def status(self, now: str) -> dict[str, Any]:
        result = self.cli("--config", self.config, "status", "--json", "--now", now)
        assert result.code == 0, result.err
        data: dict[str, Any] = result.json()
        return data

    def interviews(self, now: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.status(now)["interviews"]
        return found

    def notes(self, now: str) -> dict[str, dict[str, Any]]:
        """Notes of all interviews by interviewer name."""
        return {n["interviewer"]["name"]: n for iv in self.interviews(now) for n in iv["notes"]}

    def drafts(self) -> list[Draft]:
        return read_drafts(self.tmp)


def use_fixture(tmp: Path, cli: Any, name: str) -> Calendar:
    config = write_config(tmp, "")
    # Bytes, not text: some fixtures fold lines inside a multi-byte UTF-8 character.
    (tmp / "calendar.ics").write_bytes((FIXTURES / name).read_bytes())
    return Calendar(tmp, str(config), cli)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --------------------------------------------------------------------------- interviews


def test_panel_one_draft_per_interviewer_with_titles_and_topics(tmp_path: Path,
                                                                afterword: Any) -> None:
    cal = use_fixture(tmp_path, afterword, "panel_onsite.ics")
    cal.run("2026-11-24T14:00:00-05:00")
    assert cal.drafts() == []
    assert {n["state"] for n in cal.notes("2026-11-24T14:00:00-05:00").values()} == {"pending"}

    cal.run("2026-11-24T17:05:00-05:00")
    drafts = cal.drafts()
    for draft in drafts:
        assert_well_formed(draft)
    by_address = {d.to_address: d for d in drafts}
    # Not the room, not the video cart (a resource despite CUTYPE=INDIVIDUAL), not the
    # recruiting organizer, who is not among the attendees, and not me.
    assert set(by_address) == {"marcus.oneil@acme.com", "jose.alvarez@acme.com",
                               "zoe.ng@acme.com"}
    assert len(drafts) == 3
    assert by_address["jose.alvarez@acme.com"].to_name == "José Álvarez"
    assert by_address["zoe.ng@acme.com"].to_name == "Zoë Ng"
    for address, first in (("marcus.oneil@acme.com", "Marcus"),
                           ("jose.alvarez@acme.com", "José"), ("zoe.ng@acme.com", "Zoë")):
        assert first in by_address[address].body.split("\n", 1)[0]  # the greeting
    assert "systems design" in by_address["marcus.oneil@acme.com"].body  # written as a phrase
    assert "data modeling and SQL" in by_address["jose.alvarez@acme.com"].body

    (interview,) = cal.interviews("2026-11-24T17:05:00-05:00")
    assert interview["company"] == "Acme" and interview["role"] == "Senior Data Engineer"
    assert interview["start"] == "2026-11-24T14:00:00-05:00"
    assert interview["end"] == "2026-11-24T17:00:00-05:00"
    assert interview["due"] == "2026-11-25T23:59:59-05:00"
    people = {n["interviewer"]["name"]: n for n in interview["notes"]}
    assert {name: (n["interviewer"]["title"], n["interviewer"]["topic"])
            for name, n in people.items()} == {
        "Marcus O'Neil": ("Principal Engineer", "Systems design"),
        "José Álvarez": ("Engineering Manager", "Data modeling & SQL"),
        "Zoë Ng": ("Staff Data Engineer", "Pipelines and behavioral"),
    }
    assert all(n["state"] == "drafted" and not n["needs_address"] for n in people.values())

    cal.run("2026-11-24T18:00:00-05:00")
    assert len(cal.drafts()) == 3


def test_other_timezone_is_due_at_the_end_of_the_next_london_day(tmp_path: Path,
                                                                 afterword: Any) -> None:
    cal = use_fixture(tmp_path, afterword, "other_timezone.ics")
    cal.run("2026-11-23T11:30:00-05:00")  # 16:30 in London, when it starts
    assert cal.drafts() == []
    cal.run("2026-11-23T12:35:00-05:00")
    drafts = cal.drafts()
    for draft in drafts:
        assert_well_formed(draft)
    assert {d.to_address for d in drafts} == {"harriet.cole@northwind.co.uk",
                                              "oliver.bennett@northwind.co.uk"}
    assert len(drafts) == 2

    (interview,) = cal.interviews("2026-11-23T12:35:00-05:00")
    assert interview["company"] == "Northwind Analytics"
    assert instant(interview["start"]) == datetime(2026, 11, 23, 16, 30,
                                                   tzinfo=ZoneInfo("Europe/London"))
    # The end of Tuesday in London, 18:59:59 in New York: not the end of the New York day.
    london_due = datetime(2026, 11, 24, 23, 59, 59, tzinfo=ZoneInfo("Europe/London"))
    assert instant(interview["due"]) == london_due
    titles = {n["interviewer"]["name"]: n["interviewer"]["title"] for n in interview["notes"]}
    assert titles == {"Harriet Cole": "Head of Data Platform",
                      "Oliver Bennett": "Senior Analytics Engineer"}

    before = cal.notes("2026-11-24T18:59:00-05:00")
    after = cal.notes("2026-11-24T19:00:00-05:00")
    assert {n["state"] for n in before.values()} == {"drafted"}
    assert {n["state"] for n in after.values()} == {"overdue"}


def test_dst_night_interviews_end_and_fall_due_at_the_right_instants(tmp_path: Path,
                                                                     afterword: Any) -> None:
    """1 November 2026: New York clocks go from 01:59:59 EDT back to 01:00 EST. The first
    interview runs 01:30 EDT to 02:30 EST, two real hours."""
    cal = use_fixture(tmp_path, afterword, "dst_end.ics")
    cal.run("2026-11-01T01:30:00-04:00")
    # 01:35 the second time round (EST): an hour after the start, the interview goes on.
    cal.run("2026-11-01T01:35:00-05:00")
    assert cal.drafts() == []
    cal.run("2026-11-01T02:35:00-05:00")
    assert [d.to_address for d in cal.drafts()] == ["haruto.sato@kaito-systems.jp"]
    cal.run("2026-11-01T03:20:00-05:00")
    drafts = cal.drafts()
    for draft in drafts:
        assert_well_formed(draft)
    assert {d.to_address for d in drafts} == {"haruto.sato@kaito-systems.jp",
                                              "yui.nakamura@kaito-systems.jp"}

    round2, wrap_up = cal.interviews("2026-11-01T03:20:00-05:00")
    assert round2["title"].endswith("(round 2)") and round2["company"] == "Kaito Systems"
    assert round2["start"] == "2026-11-01T01:30:00-04:00"
    assert round2["end"] == "2026-11-01T02:30:00-05:00"
    assert instant(round2["end"]) - instant(round2["start"]) == timedelta(hours=2)
    assert wrap_up["start"] == "2026-11-01T02:45:00-05:00"
    assert wrap_up["end"] == "2026-11-01T03:15:00-05:00"
    for interview in (round2, wrap_up):
        assert interview["due"] == "2026-11-02T23:59:59-05:00"
        assert {n["state"] for n in interview["notes"]} == {"drafted"}


def test_non_ascii_names_are_rfc2047_encoded_and_decode_back(tmp_path: Path,
                                                            afterword: Any) -> None:
    cal = use_fixture(tmp_path, afterword, "non_ascii.ics")
    cal.run("2026-11-17T09:00:00-05:00")  # 15:00 in Copenhagen
    cal.run("2026-11-17T10:05:00-05:00")
    drafts = cal.drafts()
    for draft in drafts:
        assert_well_formed(draft)
        raw_to = next(line for line in draft.head.split(b"\n") if line.startswith(b"To:"))
        assert b"=?utf-8?" in raw_to.lower()
    names = {d.to_address: d.to_name for d in drafts}
    assert names == {
        "soren.kierkegard@nordlys.dk": "Søren Kierkegård",
        "xiaolong.li@nordlys.dk": "李小龙",
        "zoe.angstrom@nordlys.dk": "Zoë Ångström",
    }
    bodies = {d.to_address: d.body for d in drafts}
    assert "Zoë" in bodies["zoe.angstrom@nordlys.dk"].split("\n", 1)[0]
    assert "Søren" in bodies["soren.kierkegard@nordlys.dk"].split("\n", 1)[0]

    (interview,) = cal.interviews("2026-11-17T10:05:00-05:00")
    assert interview["company"] == "Nordlys Data ApS"
    # Copenhagen's next day ends before New York's.
    assert instant(interview["due"]) == datetime(2026, 11, 18, 23, 59, 59,
                                                 tzinfo=ZoneInfo("Europe/Copenhagen"))
    titles = {n["interviewer"]["name"]: n["interviewer"]["title"] for n in interview["notes"]}
    assert titles == {"Søren Kierkegård": "Head of Data",
                      "李小龙": "数据工程师 / Data Engineer", "Zoë Ångström": "Analytics Lead"}


def test_rfc6868_cn_is_decoded_into_one_clean_name(tmp_path: Path, afterword: Any) -> None:
    cal = use_fixture(tmp_path, afterword, "rfc6868_cn.ics")
    cal.run("2026-11-23T11:00:00-05:00")
    cal.run("2026-11-23T12:05:00-05:00")
    # Dana is an optional attendee and the organizer does not attend: one note, to Marcus.
    (draft,) = cal.drafts()
    assert_well_formed(draft)
    assert draft.to_address == "marcus.oneil@acme.com"
    name = draft.to_name
    assert "\n" not in name and "\r" not in name and "^" not in name
    assert name.startswith("Marcus") and name.endswith("O'Neil")
    assert b"Principal Engineer" not in draft.head.split(b"\nTo:", 1)[1].split(b"\n", 1)[1]
    (note,) = cal.notes("2026-11-23T12:05:00-05:00").values()
    assert "\n" not in note["interviewer"]["name"]
    assert note["interviewer"]["email"] == "marcus.oneil@acme.com"
    assert note["state"] == "drafted"


def test_malformed_file_still_drafts_for_its_good_events(tmp_path: Path,
                                                         afterword: Any) -> None:
    cal = use_fixture(tmp_path, afterword, "malformed.ics")
    first = cal.run("2026-11-16T09:00:00-05:00")
    assert "broken-dtstart-7731@google.com" in first.err
    cal.run("2026-11-16T09:35:00-05:00")
    cal.run("2026-11-18T12:00:00-05:00")
    cal.run("2026-11-18T12:35:00-05:00")
    drafts = cal.drafts()
    for draft in drafts:
        assert_well_formed(draft)
    assert {d.to_address for d in drafts} == {"lena.fischer@globex.com",
                                              "dana.whitfield@acme.com"}
    assert len(drafts) == 2
    titles = [iv["title"] for iv in cal.interviews("2026-11-18T12:35:00-05:00")]
    assert titles == ["Coffee chat – Globex data team", "Acme – recruiter call"]


# --------------------------------------------------------------------------- not interviews


@pytest.mark.parametrize(("fixture", "during", "after"), [
    # I declined it.
    ("declined.ics", "2026-11-18T11:00:00-05:00", "2026-11-18T12:00:00-05:00"),
    # STATUS:CANCELLED (and METHOD:CANCEL).
    ("cancelled.ics", "2026-11-20T13:00:00-05:00", "2026-11-20T14:30:00-05:00"),
    # An all-day "Onsite day" block and a date reminder, not meetings.
    ("all_day.ics", "2026-11-24T09:00:00-05:00", "2026-11-25T09:00:00-05:00"),
    # My own company interviewing a candidate, with me on the panel.
    ("me_as_interviewer.ics", "2026-11-19T14:00:00-05:00", "2026-11-19T15:05:00-05:00"),
    # A weekly guild sync with a colleague, one occurrence moved within the day.
    ("recurring_exception.ics", "2026-11-16T15:00:00-05:00", "2026-11-16T15:35:00-05:00"),
])
def test_no_interview_and_no_draft(tmp_path: Path, afterword: Any, fixture: str, during: str,
                                   after: str) -> None:
    cal = use_fixture(tmp_path, afterword, fixture)
    cal.run(during)
    assert cal.interviews(during) == []
    report = cal.run(after)
    assert "draft saved" not in report.out
    assert cal.drafts() == []
    assert cal.interviews(after) == []
    assert not (tmp_path / "mail" / "INBOX" / "new").exists() or not any(
        (tmp_path / "mail" / "INBOX" / "new").iterdir())


def test_recurring_exception_moves_the_occurrence_within_the_day() -> None:
    """The fixture's shape, which the verdict above relies on: on 16 November the weekly
    10:00 sync happens once, at 15:00; the RDATE adds a Thursday and the EXDATE drops one."""
    source = IcsSource(path=FIXTURES / "recurring_exception.ics", default_zone=NEW_YORK)
    events = source.events(datetime(2026, 11, 1, tzinfo=NEW_YORK),
                           datetime(2026, 12, 1, tzinfo=NEW_YORK))
    starts = [e.start.astimezone(NEW_YORK).strftime("%m-%d %H:%M") for e in events]
    assert starts == ["11-02 10:00", "11-16 15:00", "11-19 16:00", "11-23 10:00",
                      "11-30 10:00"]
    moved = events[1]
    assert moved.summary == "Data Guild weekly sync (moved to 3 PM)"
    assert moved.recurrence_id == "2026-11-16T15:00:00+00:00"


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.ics")))
def test_every_fixture_runs_cleanly_twice(tmp_path: Path, afterword: Any, fixture: str) -> None:
    """No fixture makes a cycle fail, and a second run at the same instant adds nothing."""
    cal = use_fixture(tmp_path, afterword, fixture)
    cal.run("2026-11-10T12:00:00-05:00")
    cal.run("2026-11-25T12:00:00-05:00")
    count = len(cal.drafts())
    again = cal.run("2026-11-25T12:00:00-05:00")
    assert "draft saved" not in again.out
    assert len(cal.drafts()) == count
