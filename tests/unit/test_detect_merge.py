"""Which copies of an interview are one interview, and who goes where when they merge."""

from __future__ import annotations

from datetime import datetime, timedelta

from afterword.plugin.detect.merge import (
    company_key,
    rescheduled,
    same_company,
    same_slot,
    split_block,
    with_interviewers_of,
    within_block,
)
from afterword.plugin.model import Interview, Interviewer

T = datetime.fromisoformat("2026-11-24T14:00:00-05:00")


def iv(id_: str, start_h: float, hours: float, *people: Interviewer, company: str = "Acme",
       title: str = "Interview") -> Interview:
    start = T + timedelta(hours=start_h)
    return Interview(id=id_, title=title, company=company, role="", start=start,
                     end=start + timedelta(hours=hours), interviewers=people)


MARCUS = Interviewer(name="Marcus O'Neil", email="marcus.oneil@acme.com")
PRIYA = Interviewer(name="Priya Shah", email="priya.shah@acme.com")


def test_company_names_match_without_case_punctuation_or_legal_suffix() -> None:
    assert company_key("Acme, Inc.") == "acme"
    assert same_company("ACME Corp", "acme")
    assert same_company("Müller GmbH", "müller")
    assert not same_company("Acme", "Acme Labs")
    assert not same_company("", "")


def test_same_slot_allows_a_few_minutes_and_needs_one_company() -> None:
    a = iv("a", 0, 3)
    assert same_slot(a, iv("b", 2 / 60, 3 - 2 / 60))
    assert not same_slot(a, iv("b", 0.5, 2.5))
    assert not same_slot(a, iv("b", 0, 3, company="Globex"))


def test_a_session_lies_within_the_block_of_its_company() -> None:
    block = iv("block", 0, 3)
    assert within_block(block, iv("s2", 1, 1))
    assert not within_block(block, iv("late", 2.5, 1))  # runs past the block's end
    assert not within_block(block, iv("other", 1, 1, company="Globex"))
    assert not within_block(iv("s", 1, 1), block)  # a session is no block of its block


def test_merge_fills_a_name_only_person_with_the_others_address() -> None:
    kept = iv("cal", 0, 3, Interviewer(name="Marcus O'Neil"))
    other = iv("mail", 0, 3, MARCUS, Interviewer(name="Hannah Berg", topic="Culture"))
    merged = with_interviewers_of(kept, other)
    assert [(p.name, p.email) for p in merged.interviewers] == [
        ("Marcus O'Neil", "marcus.oneil@acme.com"), ("Hannah Berg", None)]


def test_block_people_join_their_own_session_or_the_first() -> None:
    block = iv("block", 0, 3, Interviewer(name="Marcus O'Neil"), Interviewer(name="Priya Shah"),
               Interviewer(name="Hannah Berg", topic="Behavioral"),
               Interviewer(name="Omar Haddad"))
    sessions = [iv("s1", 0, 1, MARCUS, title="Systems design"),
                iv("s2", 1, 1, PRIYA, title="Behavioral")]
    first, second = split_block(block, sessions)
    assert [p.name for p in first.interviewers] == ["Marcus O'Neil", "Omar Haddad"]
    assert [p.name for p in second.interviewers] == ["Priya Shah", "Hannah Berg"]


def test_a_later_mail_moving_the_slot_replaces_the_earlier_one() -> None:
    sent = T - timedelta(days=5)
    old = iv("old", 0, 1, PRIYA)
    new = iv("new", 48, 1, PRIYA)
    assert rescheduled([(old, sent), (new, sent + timedelta(days=2))]) == {"old"}
    # Written after the first interview began: the next round, both stand.
    assert rescheduled([(old, sent), (new, T + timedelta(hours=3))]) == set()
    # Nobody in common, another company, or no Date: nothing is judged moved.
    assert rescheduled([(old, sent), (iv("n", 48, 1, MARCUS), sent + timedelta(1))]) == set()
    assert rescheduled([(old, sent), (iv("n", 48, 1, PRIYA, company="Globex"),
                                      sent + timedelta(1))]) == set()
    assert rescheduled([(old, None), (new, sent)]) == set()
    # One mail listing two days: the same Date, both stand.
    assert rescheduled([(old, sent), (new, sent)]) == set()
