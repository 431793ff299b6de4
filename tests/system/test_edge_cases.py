"""Edge cases through the real CLI on ICS + Maildir + SQLite: calendars that change under
afterword, hostile invites, the same company twice, and mail the user wrote themselves."""

from __future__ import annotations

import email.policy
import itertools
import mailbox
import re
import time
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from afterword.plugin.compose.uniqueness import UNIQUE_LIMIT, overlap
from tests.system.conftest import write_config
from tests.system.test_fixtures_end_to_end import (
    Calendar,
    Draft,
    assert_well_formed,
    header_names,
)

ME = ('ATTENDEE;CN="Alex Rivera";PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:'
      "mailto:alex.rivera@example.com")


def escape(text: str) -> str:
    """RFC 5545 TEXT escaping."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def person(name: str, address: str, partstat: str = "ACCEPTED") -> str:
    return (f'ATTENDEE;CN="{name}";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;'
            f"PARTSTAT={partstat}:mailto:{address}")


def event(uid: str, start: str, end: str, summary: str, attendees: Iterable[str],
          description: str = "", status: str = "CONFIRMED",
          zone: str | None = "America/New_York") -> str:
    """One VEVENT; `start`/`end` like 20261124T140000 (local to `zone`, or UTC when
    `zone` is None and they end in Z)."""
    when = f";TZID={zone}" if zone else ""
    lines = [
        "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T120000Z",
        f"DTSTART{when}:{start}", f"DTEND{when}:{end}", f"SUMMARY:{escape(summary)}",
        f"STATUS:{status}", "ORGANIZER;CN=Acme Recruiting:mailto:recruiting@acme.com",
        ME, *attendees,
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    lines.append("END:VEVENT")
    return "\r\n".join(lines)


def calendar(*events: str) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//afterword tests//EN",
                        *events, "END:VCALENDAR", ""])


MARCUS = person("Marcus O'Neil", "marcus.oneil@acme.com")
PRIYA = person("Priya Shah", "priya.shah@acme.com")
JOSE = person("José Álvarez", "jose.alvarez@acme.com")


def panel(start: str = "20261124T140000", end: str = "20261124T170000",
          status: str = "CONFIRMED", uid: str = "panel-1@acme.com") -> str:
    return event(uid, start, end, "Acme – Senior Data Engineer onsite interview",
                 [MARCUS, PRIYA, JOSE], status=status)


class Scenario(Calendar):
    """A Calendar whose ICS the test writes and rewrites."""

    def write(self, text: str) -> None:
        (self.tmp / "calendar.ics").write_text(text, encoding="utf-8", newline="")

    def sent(self, to: str, when: str, sender: str = "alex.rivera@example.com") -> None:
        msg = EmailMessage()
        msg["From"] = f"Alex Rivera <{sender}>"
        msg["To"] = to
        msg["Subject"] = "Thank you"
        msg["Date"] = format_datetime(datetime.fromisoformat(when))
        msg.set_content("Thank you for your time today.")
        mailbox.Maildir(self.tmp / "mail" / "Sent", create=True).add(
            mailbox.MaildirMessage(msg))

    def own_draft(self, to: str) -> None:
        """A draft the user wrote in their mail client: no X-Afterword-Note header."""
        msg = EmailMessage()
        msg["From"] = "Alex Rivera <alex.rivera@example.com>"
        msg["To"] = to
        msg["Subject"] = "Thanks!"
        msg.set_content("My own words.")
        entry = mailbox.MaildirMessage(msg)
        entry.set_subdir("cur")
        entry.set_flags("DS")
        mailbox.Maildir(self.tmp / "mail" / "Drafts", create=True).add(entry)

    def inbox(self) -> list[EmailMessage]:
        folder = self.tmp / "mail" / "INBOX"
        if not folder.exists():
            return []
        box = mailbox.Maildir(folder, factory=None, create=False)
        found = []
        for key in box.iterkeys():
            parsed = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            found.append(parsed)
        return found

    def ours(self) -> list[Draft]:
        return [d for d in self.drafts() if d.message["X-Afterword-Note"]]


@pytest.fixture
def scenario(tmp_path: Path, afterword: Any) -> Scenario:
    return Scenario(tmp_path, str(write_config(tmp_path, calendar())), afterword)


def addresses(drafts: Iterable[Draft]) -> list[str | None]:
    return sorted((d.to_address for d in drafts), key=str)


PANEL_PEOPLE = ["jose.alvarez@acme.com", "marcus.oneil@acme.com", "priya.shah@acme.com"]


# --------------------------------------------------------------------------- calendar changes


def test_moved_before_it_happened_drafts_only_after_the_new_end(scenario: Scenario) -> None:
    scenario.write(calendar(panel("20261124T100000", "20261124T110000")))
    scenario.run("2026-11-24T09:00:00-05:00")
    # Same UID, moved to the next afternoon.
    scenario.write(calendar(panel("20261125T150000", "20261125T160000")))
    scenario.run("2026-11-24T11:30:00-05:00")  # after the old end
    assert scenario.drafts() == []
    (interview,) = scenario.interviews("2026-11-24T11:30:00-05:00")
    assert interview["start"] == "2026-11-25T15:00:00-05:00"
    assert interview["due"] == "2026-11-26T23:59:59-05:00"
    assert {n["state"] for n in interview["notes"]} == {"pending"}
    scenario.run("2026-11-25T15:59:00-05:00")
    assert scenario.drafts() == []
    scenario.run("2026-11-25T16:05:00-05:00")
    assert addresses(scenario.drafts()) == PANEL_PEOPLE
    assert len(scenario.interviews("2026-11-25T16:05:00-05:00")) == 1


@pytest.mark.parametrize("how", ["status", "removed"])
def test_cancelled_before_it_ended_leaves_no_trace(scenario: Scenario, how: str) -> None:
    scenario.write(calendar(panel()))
    scenario.run("2026-11-24T13:00:00-05:00")
    assert len(scenario.interviews("2026-11-24T13:00:00-05:00")) == 1
    scenario.write(calendar(panel(status="CANCELLED")) if how == "status" else calendar())
    scenario.run("2026-11-24T14:30:00-05:00")
    scenario.run("2026-11-24T17:05:00-05:00")
    scenario.run("2026-11-25T09:05:00-05:00")
    assert scenario.drafts() == []
    assert scenario.inbox() == []
    assert scenario.interviews("2026-11-25T09:05:00-05:00") == []


def test_cancellation_noticed_after_the_scheduled_end_drafts_nothing(
        scenario: Scenario) -> None:
    scenario.write(calendar(panel()))
    scenario.run("2026-11-24T13:00:00-05:00")
    scenario.write(calendar(panel(status="CANCELLED")))
    scenario.run("2026-11-24T17:05:00-05:00")  # the first cycle since the cancellation
    assert scenario.drafts() == []
    assert scenario.interviews("2026-11-24T17:05:00-05:00") == []


@pytest.mark.parametrize("how", ["status", "removed"])
def test_cancelled_after_drafts_were_made_keeps_them(scenario: Scenario, how: str) -> None:
    scenario.write(calendar(panel()))
    scenario.run("2026-11-24T13:00:00-05:00")
    scenario.run("2026-11-24T17:05:00-05:00")
    before = sorted(d.key for d in scenario.drafts())
    assert len(before) == 3
    scenario.write(calendar(panel(status="CANCELLED")) if how == "status" else calendar())
    scenario.run("2026-11-24T18:00:00-05:00")
    scenario.run("2026-11-24T19:00:00-05:00")
    assert sorted(d.key for d in scenario.drafts()) == before
    (interview,) = scenario.interviews("2026-11-24T19:00:00-05:00")
    assert {n["state"] for n in interview["notes"]} == {"drafted"}


def test_first_seen_after_its_due_time_is_skipped_with_a_reason(scenario: Scenario) -> None:
    scenario.write(calendar(panel("20261116T100000", "20261116T110000")))
    scenario.run("2026-11-20T12:00:00-05:00")  # due was the end of 17 November
    scenario.run("2026-11-20T12:30:00-05:00")
    assert scenario.drafts() == []
    assert scenario.inbox() == []
    notes = scenario.notes("2026-11-20T12:30:00-05:00")
    assert len(notes) == 3
    for note in notes.values():
        assert note["state"] == "skipped"
        assert note["skip_reason"] and "due" in note["skip_reason"]
    table = scenario.cli("--config", scenario.config, "status", "--now",
                         "2026-11-20T12:30:00-05:00")
    assert "skipped" in table.out


# --------------------------------------------------------------------------- hostile invites


HOSTILE = [
    # RFC 6868 ^n: a real line break in the decoded CN.
    'ATTENDEE;CN="Eve Adams^nBcc: evil@example.com";PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT'
    ":mailto:eve.adams@acme.com",
    # A raw fold inside the quoted CN: unfolds to "Frank Castle Bcc: evil@example.com".
    'ATTENDEE;CN="Frank Castle\r\n  Bcc: evil@example.com";PARTSTAT=ACCEPTED;ROLE=REQ-PA'
    "RTICIPANT:mailto:frank.castle@acme.com",
    # A backslash-n, which is not an escape inside a parameter.
    'ATTENDEE;CN="Gina Lopez\\r\\nBcc: evil@example.com";PARTSTAT=ACCEPTED:mailto:gina.'
    "lopez@acme.com",
    # Quotes (RFC 6868 ^') and commas: one display name, never two addresses.
    "ATTENDEE;CN=\"O'Brien, Pat ^'PJ^'\";PARTSTAT=ACCEPTED:mailto:pat.obrien@acme.com",
    'ATTENDEE;CN="Smith, John, evil@example.com";PARTSTAT=ACCEPTED:mailto:john.smith@acme.com',
    # Template syntax must stay text.
    'ATTENDEE;CN="Ivy {{ 7*7 }} Chen";PARTSTAT=ACCEPTED:mailto:ivy.chen@acme.com',
    'ATTENDEE;CN="{% for x in range(3) %}Kim{% endfor %} Park";PARTSTAT=ACCEPTED:mailto:kim'
    ".park@acme.com",
]
HOSTILE_ADDRESSES = ["eve.adams@acme.com", "frank.castle@acme.com", "gina.lopez@acme.com",
                     "ivy.chen@acme.com", "john.smith@acme.com", "kim.park@acme.com",
                     "pat.obrien@acme.com"]


def test_hostile_names_give_one_to_no_bcc_and_literal_text(scenario: Scenario) -> None:
    description = ("Your schedule:\n2:00 PM Ivy Chen (Engineer) – {{ 7*7 }} and "
                   "{% raw %}templates{% endraw %}\n")
    scenario.write(calendar(event("hostile@acme.com", "20261124T140000", "20261124T150000",
                                  "Acme interview {{ 7*7 }}\nBcc: evil@example.com", HOSTILE,
                                  description)))
    scenario.run("2026-11-24T14:00:00-05:00")
    scenario.run("2026-11-24T15:05:00-05:00")
    scenario.run("2026-11-25T09:05:00-05:00")  # the nudge: a warning quoting the title
    (warning,) = scenario.inbox()
    raw = warning.as_bytes().split(b"\n\n", 1)[0]
    assert not {"bcc", "cc"} & set(header_names(raw))
    assert [a.addr_spec for a in warning["To"].addresses] == ["alex.rivera@example.com"]
    assert "49" not in warning.get_content()
    drafts = scenario.drafts()
    assert addresses(drafts) == HOSTILE_ADDRESSES
    for draft in drafts:
        assert_well_formed(draft)
        assert header_names(draft.head).count("to") == 1
        assert len(draft.recipients) == 1
        assert b"evil@example.com" not in draft.head
        assert not {"bcc", "cc"} & set(draft.message.keys())
        assert "\n" not in draft.to_name and "\r" not in draft.to_name
        assert "49" not in draft.body and "KimKimKim" not in draft.body
    ivy = next(d for d in drafts if d.to_address == "ivy.chen@acme.com")
    assert "{{ 7*7 }} and {% raw %}templates{% endraw %}" in ivy.body  # the topic, as text
    for note in scenario.notes("2026-11-24T15:05:00-05:00").values():
        assert "\n" not in note["interviewer"]["name"]
        assert note["interviewer"]["email"] in HOSTILE_ADDRESSES
    names = {d.to_address: d.to_name for d in drafts}
    assert names == {
        "eve.adams@acme.com": "Eve Adams", "frank.castle@acme.com": "Frank Castle",
        "gina.lopez@acme.com": "Gina Lopez", "pat.obrien@acme.com": "Pat O'Brien",
        "john.smith@acme.com": "John Smith", "ivy.chen@acme.com": "Ivy Chen",
        "kim.park@acme.com": "Kim Park",
    }


GARBAGE = [
    person("Bob Broken", "bob@@acme.com"),
    person("Carl Comma", "carl@acme.com,dave@evil.com"),
    person("Dee Nodomain", "dee@"),
    person("Ed Angle", "<ed@acme.com>"),
    person("Flo Space", "flo%20space@acme.com"),
    person("Gus Semicolon", "gus@acme.com;x=1"),
    'ATTENDEE;CN="Hal Empty";PARTSTAT=ACCEPTED:mailto:',
    'ATTENDEE;CN="Ina Urn";PARTSTAT=ACCEPTED:urn:uuid:0b4a-broken',
    person("Jo Unicode", "jö@äcme.com"),
]


def test_garbage_addresses_are_skipped_or_need_an_address(scenario: Scenario) -> None:
    scenario.write(calendar(event("garbage@acme.com", "20261124T140000", "20261124T150000",
                                  "Acme interview", [MARCUS, *GARBAGE])))
    scenario.run("2026-11-24T14:00:00-05:00")
    report = scenario.run("2026-11-24T15:05:00-05:00")
    assert "Traceback" not in report.err
    drafts = scenario.drafts()
    assert "marcus.oneil@acme.com" in addresses(drafts)
    for draft in drafts:
        assert_well_formed(draft)
        assert len(draft.recipients) <= 1
        if draft.to_address is not None:
            assert re.fullmatch(r"[^@\s,;<>]+@[^@\s,;<>]+\.[a-z-]+", draft.to_address)
            assert "evil" not in draft.to_address
    for note in scenario.notes("2026-11-24T15:05:00-05:00").values():
        mail = note["interviewer"]["email"]
        if mail is None:
            assert note["needs_address"] is True
        else:
            assert mail.count("@") == 1 and not set(mail) & set(" ,;<>")
        assert note["state"] in ("drafted", "skipped")


MARCUS_LINE = "2:00 PM Marcus O'Neil (Principal Engineer) – Systems design"
PRIYA_LINE = "2:45 PM Priya Shah (Engineering Manager) – Behavioral"
FILLER = "We are excited to meet you. " * 40_000  # 1.1 MB
BROKEN_HTML = (
    "<html><body><p>Your schedule:<br><b>" + MARCUS_LINE + "</b><br><div><table><tr><td>"
    + PRIYA_LINE + "<td></p></b></i><script>alert('x')</scr<!-- <p>unclosed <a href='"
)


@pytest.mark.parametrize("description", [
    "Your schedule:\n" + MARCUS_LINE + "\n" + PRIYA_LINE + "\n" + FILLER,
    BROKEN_HTML,
    BROKEN_HTML + "<p>" * 200_000,
], ids=["one-megabyte", "broken-html", "one-megabyte-of-html"])
def test_huge_or_broken_descriptions_still_give_one_draft_each(scenario: Scenario,
                                                               description: str) -> None:
    scenario.write(calendar(event("big@acme.com", "20261124T140000", "20261124T150000",
                                  "Acme interview", [MARCUS, PRIYA], description)))
    began = time.monotonic()
    scenario.run("2026-11-24T14:00:00-05:00")
    scenario.run("2026-11-24T15:05:00-05:00")
    assert time.monotonic() - began < 10
    drafts = scenario.drafts()
    assert addresses(drafts) == ["marcus.oneil@acme.com", "priya.shah@acme.com"]
    for draft in drafts:
        assert_well_formed(draft)
        assert "<" not in draft.body and "We are excited to meet you" not in draft.body
        assert len(draft.body.split()) <= 250


# --------------------------------------------------------------------------- the same company


ROUND_2 = [person("Marcus Chen", "marcus.chen@acme.com"),
           person("Priya Raman", "priya.raman@acme.com"),
           person("Hannah Berg", "hannah.berg@acme.com"),
           person("Tom Becker", "tom.becker@acme.com")]
EVERYONE = ["Marcus O'Neil", "Priya Shah", "José Álvarez", "Marcus Chen", "Priya Raman",
            "Hannah Berg", "Tom Becker", "Alex Rivera", "+1 555 0100"]


def test_second_round_notes_to_the_same_company_stay_unique(scenario: Scenario) -> None:
    scenario.write(calendar(
        panel("20261117T140000", "20261117T170000", uid="round-1@acme.com"),
        event("round-2@acme.com", "20261124T100000", "20261124T130000",
              "Acme – Senior Data Engineer interview (round 2)", ROUND_2),
    ))
    scenario.run("2026-11-17T14:00:00-05:00")
    scenario.run("2026-11-17T17:05:00-05:00")
    scenario.run("2026-11-24T10:00:00-05:00")
    scenario.run("2026-11-24T13:05:00-05:00")
    drafts = scenario.drafts()
    assert len(drafts) == 7
    assert len({d.to_address for d in drafts}) == 7
    for a, b in itertools.combinations(drafts, 2):
        score = overlap(a.body, b.body, EVERYONE)
        assert score <= UNIQUE_LIMIT, (a.to_address, b.to_address, score)
    # A first name shared across rounds is still greeted by the right person's name only.
    chen = next(d for d in drafts if d.to_address == "marcus.chen@acme.com")
    assert "O'Neil" not in chen.body
    notes = scenario.notes("2026-11-24T13:05:00-05:00")
    assert all(n["unique"] is True for n in notes.values())


# --------------------------------------------------------------------------- the user's own mail


def test_own_draft_written_before_the_end_is_not_doubled(scenario: Scenario) -> None:
    scenario.write(calendar(panel()))
    scenario.run("2026-11-24T13:00:00-05:00")
    scenario.own_draft("Priya Shah <priya.shah@acme.com>")
    scenario.run("2026-11-24T17:05:00-05:00")
    scenario.run("2026-11-24T18:00:00-05:00")
    to_priya = [d for d in scenario.drafts() if d.to_address == "priya.shah@acme.com"]
    assert len(to_priya) == 1 and to_priya[0].message["X-Afterword-Note"] is None
    assert addresses(scenario.ours()) == ["jose.alvarez@acme.com", "marcus.oneil@acme.com"]
    notes = scenario.notes("2026-11-24T18:00:00-05:00")
    assert notes["Priya Shah"]["state"] == "drafted"
    assert notes["Priya Shah"]["draft"] == "user_edited"


def test_only_mail_after_the_start_counts_and_aliases_are_me(scenario: Scenario) -> None:
    scenario.write(calendar(panel()))
    scenario.run("2026-11-24T13:00:00-05:00")
    # Replying to the scheduling thread that morning is not a thank-you note.
    scenario.sent("Priya Shah <priya.shah@acme.com>", "2026-11-24T10:00:00-05:00")
    # From my other address, that evening: it counts.
    scenario.sent("Marcus O'Neil <marcus.oneil@acme.com>", "2026-11-24T19:00:00-05:00",
                  sender="alex@rivera.dev")
    scenario.run("2026-11-24T17:05:00-05:00")
    scenario.run("2026-11-24T19:30:00-05:00")
    notes = scenario.notes("2026-11-24T19:30:00-05:00")
    assert notes["Priya Shah"]["state"] == "drafted"
    assert notes["Priya Shah"]["sent_at"] is None
    assert notes["Marcus O'Neil"]["state"] == "sent"
    assert notes["Marcus O'Neil"]["sent_at"] == "2026-11-24T19:00:00-05:00"
    scenario.run("2026-11-25T09:05:00-05:00")
    (warning,) = scenario.inbox()
    assert "Priya Shah" in warning.get_content() and "Marcus" not in warning.get_content()


def test_thanks_sent_during_the_interview_means_no_draft(scenario: Scenario) -> None:
    scenario.write(calendar(panel()))
    scenario.run("2026-11-24T13:00:00-05:00")
    scenario.sent("jose.alvarez@acme.com", "2026-11-24T16:30:00-05:00")
    scenario.run("2026-11-24T17:05:00-05:00")
    assert addresses(scenario.drafts()) == ["marcus.oneil@acme.com", "priya.shah@acme.com"]
    assert scenario.notes("2026-11-24T17:05:00-05:00")["José Álvarez"]["state"] == "sent"


# --------------------------------------------------------------------------- another zone


def test_user_in_berlin(scenario: Scenario) -> None:
    path = Path(scenario.config)
    path.write_text(path.read_text(encoding="utf-8").replace(
        'timezone = "America/New_York"', 'timezone = "Europe/Berlin"'), encoding="utf-8")
    # 23:30-00:30 UTC: still the 24th in New York, already the 25th in Berlin.
    scenario.write(calendar(event("berlin@acme.com", "20261124T233000Z", "20261125T003000Z",
                                  "Acme interview", [MARCUS, PRIYA], zone=None)))
    scenario.run("2026-11-25T00:30:00+01:00")
    scenario.run("2026-11-25T01:35:00+01:00")
    assert addresses(scenario.drafts()) == ["marcus.oneil@acme.com", "priya.shah@acme.com"]
    (interview,) = scenario.interviews("2026-11-25T01:35:00+01:00")
    assert interview["start"] == "2026-11-25T00:30:00+01:00"
    assert interview["end"] == "2026-11-25T01:30:00+01:00"
    assert interview["due"] == "2026-11-26T23:59:59+01:00"
    assert {n["draft_saved_at"] for n in interview["notes"]} == {"2026-11-25T01:35:00+01:00"}
    # The nudge falls at 09:00 Berlin time on the day after.
    scenario.run("2026-11-26T08:55:00+01:00")
    assert scenario.inbox() == []
    scenario.run("2026-11-26T09:05:00+01:00")
    (warning,) = scenario.inbox()
    assert warning["X-Afterword-Warning"].endswith(":nudge")
    assert "CET" in warning.get_content()
