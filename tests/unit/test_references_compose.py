"""What a reference is told, and how: the facts of the company (the hiring manager first,
the contact, the role), two or three points, the timing; unique per request; never the
recommendation itself; safe with hostile calendar data; the user's template wins."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from afterword.plugin.compose.uniqueness import overlap
from afterword.plugin.config import Reference
from afterword.plugin.errors import UserError
from afterword.plugin.model import Identity, Interview, Interviewer
from afterword.plugin.references.compose import (
    NO_CONTACTS,
    DraftContext,
    ReferenceComposer,
    note_points,
    relationship_phrase,
)
from afterword.plugin.references.facts import (
    CompanyFacts,
    company_facts,
    match_company,
)

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=NY)
ME = Identity("Alex Rivera", "alex.rivera@example.com")
PANEL = (
    Interviewer("Marcus O'Neil", "marcus.oneil@acme.com", "Principal Engineer", "Systems design"),
    Interviewer("Priya Shah", "priya.shah@acme.com", "Engineering Manager", "Behavioral"),
    Interviewer("Hannah Berg", None, "Director of Data", "Hiring manager conversation"),
)
DANA = Reference("Dana Whitfield", "dana@example.org", "my manager at Initech",
                 "led the warehouse migration with me; ran the on-call rotation with me")
SAM = Reference("Sam Okafor", "sam@example.net", "tech lead on the payments team")


def interview(people: tuple[Interviewer, ...] = PANEL, company: str = "Acme",
              role: str = "Senior Data Engineer", day: int = 24, iv_id: str = "iv1"
              ) -> Interview:
    start = datetime(2026, 11, day, 14, 0, tzinfo=NY)
    return Interview(iv_id, "Onsite", company, role, start, start + timedelta(hours=3), people)


def context(ref: Reference = DANA, facts: CompanyFacts | None = None, note_id: str = "n1"
            ) -> DraftContext:
    return DraftContext(note_id=note_id, reference=ref,
                        facts=facts or company_facts("Acme", [interview()]), me=ME,
                        signature="Alex Rivera\n+1 555 0100", zone=NY,
                        decision_by=NOW + timedelta(days=7))


# --- facts --------------------------------------------------------------------------------


def test_the_hiring_manager_comes_first_and_is_the_contact() -> None:
    facts = company_facts("Acme", [interview()])
    assert [p.name for p in facts.people] == ["Hannah Berg", "Marcus O'Neil", "Priya Shah"]
    assert facts.people[0].described == "Hannah Berg, Director of Data (the hiring manager)"
    assert facts.contact is not None and facts.contact.name == "Hannah Berg"
    assert facts.role == "Senior Data Engineer"
    assert facts.position == "the Senior Data Engineer role"


def test_a_known_address_wins_the_contact_over_an_unknown_one() -> None:
    recruiter = Interviewer("Rita Moreno", "rita@acme.com", "Senior Recruiter")
    facts = company_facts("Acme", [interview((*PANEL, recruiter))])
    assert facts.contact is not None and facts.contact.name == "Rita Moreno"
    assert facts.contact.role_word == "Rita Moreno, the recruiter"
    with_address = (Interviewer("Hannah Berg", "hannah@acme.com", "Hiring Manager"), recruiter)
    facts = company_facts("Acme", [interview(with_address)])
    assert facts.contact is not None and facts.contact.email == "hannah@acme.com"
    assert facts.people[0].described == "Hannah Berg, Hiring Manager"  # not said twice


def test_no_hiring_manager_and_no_recruiter_means_no_contact() -> None:
    facts = company_facts("Acme", [interview(PANEL[:2])])
    assert facts.contact is None
    body = ReferenceComposer().request(context(facts=facts), [], []).body
    assert any(line in body for line in NO_CONTACTS)


def test_people_met_twice_are_listed_once_with_what_either_meeting_told() -> None:
    first = interview((Interviewer("Hannah Berg", "hannah@acme.com"),), iv_id="a", day=20)
    second = interview((Interviewer("Hannah Berg", "hannah@acme.com", "Director of Data",
                                    "hiring manager chat"),), iv_id="b", role="")
    facts = company_facts("Acme", [first, second])
    assert len(facts.people) == 1 and facts.people[0].hiring_manager
    assert facts.people[0].title == "Director of Data"
    assert facts.role == "Senior Data Engineer"  # the latest interview naming one
    assert facts.last_interview_end == second.end


def test_companies_match_case_insensitively_and_unknown_ones_list_the_known() -> None:
    ivs = [interview(), interview(company="Globex", iv_id="g")]
    assert match_company("  acme ", ivs) == "Acme"
    with pytest.raises(UserError, match="Acme, Globex"):
        match_company("Initech", ivs)
    with pytest.raises(UserError, match="no interview is known"):
        match_company("Acme", [])


# --- the request --------------------------------------------------------------------------


def test_the_request_gives_what_they_need() -> None:
    composed = ReferenceComposer().request(context(), [], [])
    body = composed.body
    assert body.startswith(("Hi Dana", "Dear Dana", "Hello Dana", "Dana,"))
    assert "Acme" in body and "the Senior Data Engineer role" in body
    order = [body.index(n) for n in ("Hannah Berg, Director", "Marcus O'Neil, Principal",
                                      "Priya Shah, Engineering")]
    assert order == sorted(order)
    assert "Hannah Berg, the hiring manager" in body  # the contact
    assert "Wednesday 2 December" in body  # in the next week
    points = [line for line in body.splitlines() if line.startswith("  - ")][3:]
    assert len(points) == 3
    assert points[0] == "  - led the warehouse migration with me"
    assert "Senior Data Engineer" in points[-1]  # the role closes the list
    assert body.rstrip().endswith("Alex Rivera\n+1 555 0100")
    assert "Acme" in composed.subject and composed.unique


def test_the_contact_address_is_given_when_known() -> None:
    people = (Interviewer("Hannah Berg", "hannah@acme.com", "Hiring Manager"),)
    body = ReferenceComposer().request(context(facts=company_facts(
        "Acme", [interview(people)])), [], []).body
    assert "hannah@acme.com" in body


def test_two_or_three_points_from_what_is_known() -> None:
    bare = Reference("Jo Park", "jo@example.com")
    lines = ReferenceComposer().request(context(ref=bare), [], []).body.splitlines()
    points = [line for line in lines if line.startswith("  - ")][3:]
    assert len(points) == 2  # a general one and the role
    lines = ReferenceComposer().request(context(ref=SAM), [], []).body.splitlines()
    points = [line for line in lines if line.startswith("  - ")][3:]
    assert len(points) == 2 and "my tech lead on the payments team" in points[0]


def test_relationship_and_notes_are_phrased_to_fit() -> None:
    assert relationship_phrase("manager at Initech") == "my manager at Initech"
    assert relationship_phrase("my mentor") == "my mentor"
    assert relationship_phrase("") == ""
    assert note_points("a; b\nc") == ["a", "b"]
    assert note_points("") == []


def test_it_never_writes_the_recommendation_for_them() -> None:
    """No letter to the employer in the reference's voice: nothing addressed to the company
    and nothing vouching in the first person plural or as the reference."""
    composer = ReferenceComposer()
    for i in range(20):
        body = composer.request(context(note_id=f"n{i}"), [], []).body.lower()
        for letter in ("to whom it may concern", "i recommend", "i highly recommend",
                       "i am writing to recommend", "dear hiring", "[your name]",
                       "fill in", "please find"):
            assert letter not in body


def test_every_request_is_unlike_every_other() -> None:
    composer = ReferenceComposer()
    refs = [DANA, SAM, Reference("Jo Park", "jo@example.com", "my professor"),
            Reference("Lee Chan", "lee@example.com", "a client at Umbrella", "the audit")]
    facts = [company_facts("Acme", [interview()]),
             company_facts("Globex", [interview(company="Globex", role="Data Lead",
                                                iv_id="g")])]
    bodies: list[str] = []
    names = ["Dana", "Whitfield", "Sam", "Okafor", "Jo", "Park", "Lee", "Chan"]
    for f in facts:
        for i, ref in enumerate(refs):
            composed = composer.request(context(ref=ref, facts=f, note_id=f"{f.company}{i}"),
                                        bodies, names)
            assert composed.unique
            bodies.append(composed.body)
    everyone = [*names, "Marcus", "O'Neil", "Priya", "Shah", "Hannah", "Berg", "Alex",
                "Rivera"]
    for a, b in combinations(bodies, 2):
        assert overlap(a, b, everyone) <= 0.5


def test_the_same_request_renders_the_same_text() -> None:
    first = ReferenceComposer().request(context(), [], [])
    assert ReferenceComposer().request(context(), [], []) == first


def test_calendar_data_is_printed_never_run() -> None:
    evil = (Interviewer("{{ 7*7 }} Smith", "x@acme.com", "{% raw %}Hiring Manager\r\nBcc: a@b.c"),)
    body = ReferenceComposer().request(context(facts=company_facts(
        "{{ config }}", [interview(evil, company="{{ config }}", role="{{ 7*7 }}")])), [],
        []).body
    assert "{{ 7*7 }} Smith" in body and "{{ config }}" in body and "49" not in body
    assert "\r" not in body and "Hiring Manager Bcc: a@b.c" in body


def test_the_thanks_are_short_and_name_the_company() -> None:
    composer = ReferenceComposer()
    thanks = composer.thanks(context(note_id="t1"), [], [])
    assert "Acme" in thanks.body and len(thanks.body.split()) < 60
    news = composer.offer_thanks(context(note_id="o1"), [], [])
    assert "Acme" in news.body and "the Senior Data Engineer role" in news.body


def test_the_users_template_wins(tmp_path: Path) -> None:
    (tmp_path / "reference_request.txt.j2").write_text(
        "Dear {{ first_name }}, {{ company }} / {{ position }} / "
        "{% for p in people %}{{ p.name }};{% endfor %} by {{ decision_by }}\n")
    body = ReferenceComposer(tmp_path).request(context(), [], []).body
    assert body == ("Dear Dana, Acme / the Senior Data Engineer role / "
                    "Hannah Berg;Marcus O'Neil;Priya Shah; by Wednesday 2 December\n")


def test_a_broken_user_template_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "reference_thanks.txt.j2").write_text("{{ phrases.nope }}\n")
    with pytest.raises(UserError, match=r"reference_thanks\.txt\.j2.*remove it"):
        ReferenceComposer(tmp_path).thanks(context(), [], [])
