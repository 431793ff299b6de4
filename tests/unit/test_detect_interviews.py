"""classify_event: which calendar events are my interviews, and who interviewed me."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from afterword.plugin.config import Application
from afterword.plugin.detect import DetectionSettings, classify_event
from afterword.plugin.model import (
    Attendee,
    CalendarEvent,
    Identity,
    Interview,
    MailFacts,
    stable_id,
)

START = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
ME = Identity("Alex Rivera", "alex.rivera@example.com", ("alex@rivera.dev",))
SETTINGS = DetectionSettings(me=ME)
GMAIL_ME = Identity("Alex Rivera", "alex.rivera@gmail.com")


def person(email: str, name: str = "", **kw: str) -> Attendee:
    return Attendee(email=email, name=name, partstat=kw.get("partstat", "ACCEPTED"),
                    role=kw.get("role", "REQ-PARTICIPANT"), cutype=kw.get("cutype", "INDIVIDUAL"))


ALEX = person("alex.rivera@example.com", "Alex Rivera")
MARCUS = person("marcus.oneil@acme.com", "Marcus O'Neil")
PRIYA = person("priya.shah@acme.com", "Priya Shah")


def event(summary: str = "Acme onsite interview", attendees: tuple[Attendee, ...] = (ALEX, MARCUS),
          **kw: Any) -> CalendarEvent:
    return CalendarEvent(uid=kw.pop("uid", "evt-1@acme.com"), start=kw.pop("start", START),
                         end=kw.pop("end", START + timedelta(hours=1)), summary=summary,
                         attendees=attendees, **kw)


def classify(ev: CalendarEvent, settings: DetectionSettings = SETTINGS) -> Interview | None:
    return classify_event(ev, settings)


def emails(interview: Interview | None) -> list[str | None]:
    assert interview is not None, "expected an interview"
    return [i.email for i in interview.interviewers]


def names(interview: Interview | None) -> list[str]:
    assert interview is not None, "expected an interview"
    return [i.name for i in interview.interviewers]


# --- the Interview record --------------------------------------------------------------------


def test_interview_fields_come_from_the_event() -> None:
    ev = event("Interview: Senior Data Engineer at Acme", location="Acme HQ, 4th floor",
               timezone="Europe/London", recurrence_id="")
    interview = classify(ev)
    assert interview == Interview(
        id=stable_id("evt-1@acme.com", ""),
        title="Interview: Senior Data Engineer at Acme",
        company="Acme",
        role="Senior Data Engineer",
        start=START,
        end=START + timedelta(hours=1),
        interviewers=interview.interviewers if interview else (),
        timezone="Europe/London",
        source_uid="evt-1@acme.com",
        location="Acme HQ, 4th floor",
    )
    assert emails(interview) == ["marcus.oneil@acme.com"]


def test_id_is_stable_when_the_event_moves_and_differs_per_occurrence() -> None:
    moved = classify(event(start=START + timedelta(days=1), end=START + timedelta(days=1, hours=1)))
    first = classify(event())
    other = classify(event(recurrence_id="2026-12-01T14:00:00+00:00"))
    assert first is not None and moved is not None and other is not None
    assert first.id == moved.id
    assert first.id != other.id


# --- is it mine, is it live ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ev", "why"),
    [
        (event(attendees=(replace(ALEX, partstat="DECLINED"), MARCUS)), "I declined"),
        (event(status="CANCELLED"), "cancelled"),
        (event("Canceled: Acme onsite interview"), "Outlook's cancelled copy"),
        (event("Cancelled - Acme phone screen"), "cancelled copy"),
        (event("Acme onsite day", all_day=True), "all-day marker"),
        (event(attendees=(MARCUS, PRIYA)), "I am not on it"),
        (event("Lunch", attendees=(ALEX, MARCUS)), "nothing says interview"),
        (event(attendees=(ALEX,)), "nobody but me"),
        (event(attendees=(ALEX, person("alex@rivera.dev", "Alex Rivera"))), "only my alias"),
    ],
)
def test_not_an_interview(ev: CalendarEvent, why: str) -> None:
    assert classify(ev) is None, why


def test_declined_on_one_address_but_accepted_on_the_other_still_counts() -> None:
    ev = event(attendees=(replace(ALEX, partstat="DECLINED"),
                          person("alex@rivera.dev", "Alex R"), MARCUS))
    assert emails(classify(ev)) == ["marcus.oneil@acme.com"]


@pytest.mark.parametrize("partstat", ["ACCEPTED", "TENTATIVE", "NEEDS-ACTION", ""])
def test_any_reply_but_declined_counts(partstat: str) -> None:
    assert classify(event(attendees=(replace(ALEX, partstat=partstat), MARCUS))) is not None


def test_alias_and_organizer_count_as_me() -> None:
    alias = person("ALEX@rivera.dev", "Alex")
    assert emails(classify(event(attendees=(alias, MARCUS)))) == ["marcus.oneil@acme.com"]
    organised = event(attendees=(MARCUS,), organizer=person("alex.rivera@example.com"))
    assert emails(classify(organised)) == ["marcus.oneil@acme.com"]


# --- look-alikes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "summary",
    [
        "[Hold] Acme onsite interview",
        "[HOLD] Acme Onsite",
        "HOLD - Acme final round",
        "Hold for Acme interview",
        "Interview prep: Acme onsite",
        "Prep for Acme phone screen",
        "Mock interview with Sam",
        "Practice interview (system design)",
        "Webinar: How we interview at Acme",
        "Acme Career Fair - meet our interviewers",
        "Interview debrief: Jordan Lee",
        "Interviewer training",
    ],
)
def test_look_alikes_are_not_interviews(summary: str) -> None:
    assert classify(event(summary)) is None


def test_exclusions_only_apply_to_the_title() -> None:
    ev = event("Acme onsite", description="See our interview prep guide and webinar recordings.")
    assert classify(ev) is not None


def test_keywords_are_configurable() -> None:
    settings = DetectionSettings(me=ME, interview_keywords=("vorstellungsgespräch",),
                                 exclude_keywords=("probe",))
    assert classify(event("Vorstellungsgespräch bei Acme"), settings) is not None
    assert classify(event("Acme onsite interview"), settings) is None
    assert classify(event("Probe: Vorstellungsgespräch"), settings) is None


# --- what makes it look like an interview ----------------------------------------------------


@pytest.mark.parametrize(
    "ev",
    [
        event("Acme phone screen"),
        event("Technical Screen - Acme"),
        event("Hiring Manager chat"),
        event("Final Round: Acme"),
        event("Chat with Marcus"),
        event("Acme / Alex", description="Your interviewers: Marcus O'Neil"),
        event("Acme / Alex", description="This is your technical screen."),
        event("Acme / Alex", organizer=person("no-reply@us.greenhouse-mail.io", "Greenhouse")),
        event("Acme / Alex", attendees=(ALEX, MARCUS, person("interviews@goodtime.io"))),
        event("Acme / Alex", description="Reschedule: https://app.ashbyhq.com/reschedule/abc"),
    ],
)
def test_looks_like_an_interview(ev: CalendarEvent) -> None:
    assert emails(classify(ev)) == ["marcus.oneil@acme.com"]


def test_a_company_i_applied_to_makes_any_event_an_interview() -> None:
    settings = DetectionSettings(me=ME, applications=(Application("Acme", "", ("acme.com",)),))
    assert classify(event("Sync")) is None
    assert emails(classify(event("Sync"), settings)) == ["marcus.oneil@acme.com"]


def test_generic_words_count_in_the_title_but_not_in_the_prose() -> None:
    assert classify(event("Acme panel")) is not None
    assert classify(event("Quarterly sync", description="Panel of experts; chat with us")) is None


def test_booking_tool_alone_is_not_a_signal() -> None:
    ev = event("Alex / Marcus", organizer=person("notifications@calendly.com"))
    assert classify(ev) is None


# --- the candidate's own copy ----------------------------------------------------------------


def test_own_copy_without_attendees_uses_the_itinerary() -> None:
    ev = event("Acme onsite interview", attendees=(),
               description="2:00 PM Marcus O'Neil (Principal Engineer) – Systems design")
    interview = classify(ev)
    assert interview is not None
    assert [(i.name, i.email, i.title) for i in interview.interviewers] == [
        ("Marcus O'Neil", None, "Principal Engineer")
    ]


def test_own_copy_can_name_the_interviewer_in_the_title() -> None:
    assert names(classify(event("Interview with Marcus O'Neil", attendees=()))) == [
        "Marcus O'Neil"
    ]
    assert classify(event("Interview with Alex Rivera", attendees=())) is None


def test_own_copy_needs_a_strong_signal() -> None:
    ev = event("Dentist", attendees=(), description="Interviewers: Marcus O'Neil")
    assert classify(ev) is None


# --- who is an interviewer -------------------------------------------------------------------


def test_panel_with_room_resource_and_a_coordinator_who_does_not_attend() -> None:
    ev = event(
        "Acme – Onsite (Data Engineer)",
        attendees=(
            ALEX,
            MARCUS,
            person("conf-room-4b@acme.com", "Conf Room 4B (8)", cutype="ROOM"),
            person("c_1884abc@resource.calendar.google.com", "Projector"),
            person("room-tokyo@acme.com", "Tokyo"),
            person("boardroom@acme.com", "Boardroom", cutype=""),
            person("eng-team@acme.com", "Eng team", cutype="GROUP"),
            PRIYA,
        ),
        organizer=person("jane.doe@acme.com", "Jane Doe"),
    )
    assert emails(classify(ev)) == ["marcus.oneil@acme.com", "priya.shah@acme.com"]


def test_organizer_who_also_attends_is_an_interviewer() -> None:
    jane = person("jane.doe@acme.com", "Jane Doe")
    assert emails(classify(event(attendees=(ALEX, jane), organizer=jane))) == [
        "jane.doe@acme.com"
    ]


@pytest.mark.parametrize(
    "robot",
    [
        person("noreply@acme.com", "Acme"),
        person("no-reply@acme.com"),
        person("do-not-reply@acme.com"),
        person("donotreply@acme.com"),
        person("notifications@acme.com"),
        person("calendar@acme.com"),
        person("calendar-notification@google.com"),
        person("scheduling@acme.com", "Acme Scheduling"),
        person("recruiting@acme.com", "Acme Recruiting"),
        person("careers@acme.com"),
        person("hr-recruitment@acme.com", "ATPS Human Resources"),  # team words, all of them
        person("talent.team@acme.com"),
        person("interviews@goodtime.io", "GoodTime"),
        person("jane@greenhouse.io", "Jane via Greenhouse"),
        person("x@hire.lever.co"),
        person("abc@ashbyhq.com"),
        person("bot@modernloop.io"),
        person("host@guide.co"),
        person("meet@calendly.com"),
        person("", ""),
    ],
)
def test_robots_and_tools_are_not_interviewers(robot: Attendee) -> None:
    assert emails(classify(event(attendees=(ALEX, robot, MARCUS)))) == ["marcus.oneil@acme.com"]


def test_declined_and_non_participants_are_not_interviewers() -> None:
    ev = event(attendees=(ALEX, replace(PRIYA, partstat="DECLINED"), MARCUS,
                          person("cc@acme.com", "Dana Lee", role="NON-PARTICIPANT")))
    assert emails(classify(ev)) == ["marcus.oneil@acme.com"]


def test_optional_attendees_count_only_when_asked() -> None:
    ev = event(attendees=(ALEX, MARCUS, replace(PRIYA, role="OPT-PARTICIPANT")))
    assert emails(classify(ev)) == ["marcus.oneil@acme.com"]
    with_optional = DetectionSettings(me=ME, include_optional=True)
    assert emails(classify(ev, with_optional)) == ["marcus.oneil@acme.com", "priya.shah@acme.com"]


def test_an_optional_attendee_named_in_the_schedule_counts() -> None:
    ev = event(attendees=(ALEX, MARCUS, replace(PRIYA, role="OPT-PARTICIPANT")),
               description="2:00 PM Priya Shah – Behavioral")
    assert emails(classify(ev)) == ["priya.shah@acme.com", "marcus.oneil@acme.com"]


def test_colleagues_from_my_domain_are_not_interviewers() -> None:
    ev = event(attendees=(ALEX, person("sam@example.com", "Sam Colleague"), MARCUS,
                          person("kim@eu.example.com", "Kim Colleague")))
    assert emails(classify(ev)) == ["marcus.oneil@acme.com"]


def test_with_a_public_mail_address_the_same_domain_still_counts() -> None:
    settings = DetectionSettings(me=GMAIL_ME)
    founder = person("sam.founder@gmail.com", "Sam Founder")
    ev = event("Intro call / interview", attendees=(person("alex.rivera@gmail.com"), founder))
    assert emails(classify(ev, settings)) == ["sam.founder@gmail.com"]


def test_duplicates_collapse() -> None:
    ev = event(attendees=(ALEX, MARCUS, replace(MARCUS, email="MARCUS.ONEIL@acme.com"),
                          person("marcus@acme.io", "Marcus O'Neil"), PRIYA))
    assert emails(classify(ev)) == ["marcus.oneil@acme.com", "priya.shah@acme.com"]
    named_twice = event(attendees=(ALEX, MARCUS),
                        description="Interviewers: Marcus O'Neil, Marcus O'Neil")
    assert emails(classify(named_twice)) == ["marcus.oneil@acme.com"]


def test_my_name_under_an_unknown_address_is_still_me() -> None:
    ev = event(attendees=(ALEX, person("arivera@old-job.com", "Alex Rivera"), MARCUS))
    assert emails(classify(ev)) == ["marcus.oneil@acme.com"]


def test_attendee_without_address_keeps_its_name() -> None:
    ev = event(attendees=(ALEX, person("", "Dana Lee")))
    interview = classify(ev)
    assert interview is not None
    assert [(i.name, i.email) for i in interview.interviewers] == [("Dana Lee", None)]


# --- itineraries ------------------------------------------------------------------------------


SCHEDULE = (
    "Hi Alex, here is your schedule:\n\n"
    "2:00 PM Priya Shah, Engineering Manager — Behavioral\n"
    "2:45 PM Marcus O'Neil (Principal Engineer) – Systems design\n"
    "3:30 PM Dana Lee (Staff Data Scientist) – SQL\n"
)


def test_itinerary_orders_interviewers_and_attaches_title_and_topic() -> None:
    ev = event(attendees=(ALEX, person("marcus.oneil@acme.com", "ONEIL, MARCUS"),
                          person("pshah@acme.com", ""), person("tom.baker@acme.com", "Tom Baker")),
               description=SCHEDULE)
    interview = classify(ev)
    assert interview is not None
    assert [(i.name, i.email, i.title, i.topic) for i in interview.interviewers] == [
        ("Priya Shah", "pshah@acme.com", "Engineering Manager", "Behavioral"),
        ("Marcus O'Neil", "marcus.oneil@acme.com", "Principal Engineer", "Systems design"),
        ("Dana Lee", None, "Staff Data Scientist", "SQL"),
        ("Tom Baker", "tom.baker@acme.com", None, None),
    ]


@pytest.mark.parametrize(
    ("attendee", "scheduled"),
    [
        (person("marcus.oneil@acme.com", ""), "Marcus O'Neil"),
        (person("m.oneil@acme.com", "Marcus O’Neil"), "MARCUS ONEIL"),
        (person("mo@acme.com", "Dr. Marcus O'Neil, PhD"), "Marcus O'Neil"),
        (person("mo@acme.com", "Marcus James O'Neil"), "Marcus O'Neil"),
        (person("jose@acme.com", "José Álvarez"), "Jose Alvarez"),
        (person("ja@acme.com", "ALVAREZ, JOSE"), "José Álvarez"),
        (person("priya@acme.com", ""), "Priya Shah"),
    ],
)
def test_schedule_names_match_attendees_fuzzily(attendee: Attendee, scheduled: str) -> None:
    ev = event(attendees=(ALEX, attendee),
               description=f"Schedule:\n2:00 PM {scheduled} (Staff Engineer) – Coding")
    interview = classify(ev)
    assert interview is not None
    assert [(i.email, i.title, i.topic) for i in interview.interviewers] == [
        (attendee.email, "Staff Engineer", "Coding")
    ]


def test_schedule_name_is_kept_when_the_calendar_only_has_an_address() -> None:
    ev = event(attendees=(ALEX, person("12345@acme.com", "")),
               description="2:00 PM Priya Shah <12345@acme.com> – Behavioral")
    interview = classify(ev)
    assert interview is not None
    assert [(i.name, i.email) for i in interview.interviewers] == [("Priya Shah", "12345@acme.com")]


def test_named_interviewer_without_attendee_has_no_address() -> None:
    ev = event(attendees=(ALEX, MARCUS), description="Interviewers: Marcus O'Neil and Priya Shah")
    interview = classify(ev)
    assert interview is not None
    assert [(i.name, i.email) for i in interview.interviewers] == [
        ("Marcus O'Neil", "marcus.oneil@acme.com"), ("Priya Shah", None)
    ]


def test_schedule_never_adds_me_or_my_colleagues() -> None:
    ev = event(
        attendees=(ALEX, MARCUS, person("sam@example.com", "Sam Lee")),
        description="2:00 PM Alex Rivera – Candidate intro\n2:30 PM Sam Lee – Referral chat\n"
                    "3:00 PM Marcus O'Neil – Coding\n3:30 PM Kim Park <kim@example.com> – Lunch",
    )
    assert emails(classify(ev)) == ["marcus.oneil@acme.com"]


def test_schedule_entry_matching_a_declined_attendee_is_dropped() -> None:
    ev = event(attendees=(ALEX, MARCUS, replace(PRIYA, partstat="DECLINED")),
               description=SCHEDULE)
    assert names(classify(ev)) == ["Marcus O'Neil", "Dana Lee"]


def test_prose_mention_gives_an_attendee_a_topic_but_adds_nobody() -> None:
    ev = event(attendees=(ALEX, MARCUS),
               description="A data platform deep dive with Marcus O'Neil. Priya Shah says hi.\n"
                           "Tom Baker will show you around.")
    interview = classify(ev)
    assert interview is not None
    assert [(i.email, i.topic) for i in interview.interviewers] == [
        ("marcus.oneil@acme.com", "data platform deep dive")
    ]


def test_flattened_rfc6868_name_loses_its_title_and_nickname() -> None:
    ev = event(attendees=(ALEX, replace(MARCUS, name='Marcus "Mac" O\'Neil Principal Engineer')))
    assert names(classify(ev)) == ["Marcus O'Neil"]


def test_html_description() -> None:
    html = ("<p>Your interviewers:</p><ul><li>Priya Shah (Engineering Manager)</li>"
            "<li>Marcus O&#39;Neil (Principal Engineer)</li></ul>"
            '<p><a href="https://acme.zoom.us/j/1">Join Zoom Meeting</a><br/>'
            "Meeting ID: 123 4567 8901<br/>Passcode: 998877</p>")
    interview = classify(event(attendees=(ALEX, MARCUS, PRIYA), description=html))
    assert interview is not None
    assert [(i.email, i.title) for i in interview.interviewers] == [
        ("priya.shah@acme.com", "Engineering Manager"),
        ("marcus.oneil@acme.com", "Principal Engineer"),
    ]


def test_dial_in_boilerplate_adds_nobody() -> None:
    description = (
        "Join Zoom Meeting\nhttps://acme.zoom.us/j/81234567890\n\nMeeting ID: 812 3456 7890\n"
        "Passcode: 123456\nOne tap mobile\n+16465588656,,81234567890# US (New York)\n"
        "Join by phone\n(US) +1 470-123-4567 PIN: 123456789#\nMicrosoft Teams meeting\n"
        "Click here to join the meeting\nDownload Teams | Join on the web\nHost: Jane Doe\n"
    )
    assert emails(classify(event(description=description))) == ["marcus.oneil@acme.com"]


def test_huge_description_is_fast() -> None:
    description = SCHEDULE + ("Meeting ID: 123 456 7890. Lorem Ipsum (Staff Engineer)\n" * 20_000)
    html = "<div>" + SCHEDULE.replace("\n", "<br>") + "<p>Join <b>Zoom</b></p>" * 60_000
    assert len(description) > 1_000_000 and len(html) > 1_000_000
    started = time.perf_counter()
    plain = classify(event(attendees=(ALEX, MARCUS), description=description))
    rich = classify(event(attendees=(ALEX, MARCUS), description=html))
    assert time.perf_counter() - started < 2.0
    assert names(plain) == names(rich) == ["Priya Shah", "Marcus O'Neil", "Dana Lee"]


# --- hostile and messy names -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cn", "expected"),
    [
        ("Marcus O'Neil\r\nBcc: evil@example.net", "Marcus O'Neil"),
        ("ONEIL, MARCUS", "Marcus Oneil"),
        ("Dr. Marcus O'Neil", "Marcus O'Neil"),
        ("Marcus O'Neil 🚀", "Marcus O'Neil"),
        ("MARCUS O'NEIL", "Marcus O'Neil"),
        ("Marcus\u202e O'Neil", "Marcus O'Neil"),
        ("", "Marcus Oneil"),
        ("\r\nBcc: evil@example.net", "Marcus Oneil"),
    ],
)
def test_interviewer_names_are_cleaned(cn: str, expected: str) -> None:
    interview = classify(event(attendees=(ALEX, replace(MARCUS, name=cn))))
    assert names(interview) == [expected]
    assert interview is not None
    for interviewer in interview.interviewers:
        assert not any(unicodedata.category(c) in {"Cc", "Cf"} for c in interviewer.name)


def test_injected_address_is_dropped_not_passed_on() -> None:
    bad = person("marcus@acme.com\r\nbcc: evil@example.net", "Marcus O'Neil")
    interview = classify(event(attendees=(ALEX, bad)))
    assert interview is not None
    assert [(i.name, i.email) for i in interview.interviewers] == [("Marcus O'Neil", None)]


def test_non_ascii_names_survive() -> None:
    ev = event(attendees=(ALEX, person("jose@acme.es", "José Álvarez"),
                          person("li@acme.cn", "李明"), person("zoe@acme.fr", "ZOË SALDAÑA")))
    assert names(classify(ev)) == ["José Álvarez", "李明", "Zoë Saldaña"]


# --- me interviewing a candidate -------------------------------------------------------------


CANDIDATE = person("jordan.lee@gmail.com", "Jordan Lee")
COLLEAGUE = person("sam@example.com", "Sam Colleague")


@pytest.mark.parametrize(
    "ev",
    [
        event("Interview: Jordan Lee (Backend Engineer)", attendees=(ALEX, COLLEAGUE, CANDIDATE)),
        event("Interview: Candidate Jordan Lee", attendees=(ALEX, CANDIDATE)),
        event("Candidate interview", attendees=(ALEX, CANDIDATE)),
        event("Onsite interview - Jordan Lee", attendees=(ALEX, CANDIDATE), organizer=COLLEAGUE),
        event("Panel interview", attendees=(ALEX, COLLEAGUE, person("sam@example.com"))),
    ],
)
def test_me_interviewing_a_candidate_is_not_my_interview(ev: CalendarEvent) -> None:
    assert classify(ev) is None


def test_candidate_in_the_title_naming_me_is_my_interview() -> None:
    ev = event("Acme interview (Candidate: Alex Rivera)")
    assert emails(classify(ev)) == ["marcus.oneil@acme.com"]


def test_someone_from_a_company_i_applied_to_means_i_am_the_candidate() -> None:
    settings = DetectionSettings(me=ME, applications=(Application("Acme", "", ("acme.com",)),))
    ev = event("Candidate interview", attendees=(ALEX, MARCUS))
    assert emails(classify(ev, settings)) == ["marcus.oneil@acme.com"]


def test_candidate_title_naming_another_person_is_not_mine_even_on_gmail() -> None:
    settings = DetectionSettings(me=GMAIL_ME)
    ev = event("Interview: Candidate Jordan Lee",
               attendees=(person("alex.rivera@gmail.com"), CANDIDATE))
    assert classify(ev, settings) is None


# --- look-alikes and panels met in a blind batch ---------------------------------------------

FRIEND = person("marisol.ybarra@gmail.com", "Marisol Ybarra")
HOST = person("tamsin@pipelinepod.fm", "Tamsin Greaves")


@pytest.mark.parametrize(
    "ev",
    [
        event("Pipeline Pod ep. 118 – interview recording w/ Alex Rivera", (ALEX, HOST)),
        event("Episode 42: interview with Alex Rivera", (ALEX, HOST)),
        event("Interview w/ Alex", (ALEX, HOST),
              description="Thanks for coming on the show! Episode 118 airs in January."),
    ],
)
def test_a_media_appearance_is_not_a_job_interview(ev: CalendarEvent) -> None:
    assert classify(ev) is None


def test_a_show_mentioned_in_a_platform_invite_does_not_matter() -> None:
    ev = event("Acme onsite interview",
               organizer=person("no-reply@us.greenhouse-mail.io", "Acme via Greenhouse"),
               description="Before we meet, listen to our podcast!")
    assert emails(classify(ev)) == ["marcus.oneil@acme.com"]


def test_a_friend_on_gmail_asking_about_my_interviews_is_not_one() -> None:
    coffee = event("coffee w/ Marisol", (ALEX, FRIEND),
                   description="want to hear how the interviews are going!")
    founder = event("Pallas Labs <> Alex", (ALEX, FRIEND),
                    description="A relaxed first interview for the founding engineer role.")
    assert classify(coffee) is None
    assert emails(classify(founder)) == ["marisol.ybarra@gmail.com"]


def test_a_published_webinar_registration_is_not_my_own_interview_copy() -> None:
    webinar = event("Cracking the Data Engineering Interview", (),
                    description="Thank you for registering.\nPanelists:\n"
                                "Lila Moreno, Engineering Manager, Fernwood\nWebinar ID: 830 1992")
    own_copy = event("Interview with Lila Moreno", (),
                     description="Panelists:\nLila Moreno, Engineering Manager")
    assert classify(webinar) is None
    assert names(classify(own_copy)) == ["Lila Moreno"]


def test_a_coordinator_who_opens_the_room_for_a_listed_panel_is_not_an_interviewer() -> None:
    mina = person("mina.park@acme.com", "Mina Park")
    text = ("1:00 PM Marcus O'Neil, Principal Engineer\n\n"
            "Mina Park (Recruiting Coordinator) will open the room and hand over to the panel.")
    assert emails(classify(event(attendees=(ALEX, MARCUS, mina), description=text))) == [
        "marcus.oneil@acme.com"]
    alone = "Mina Park (Recruiting Coordinator) will run this recruiter screen."
    assert emails(classify(event("Acme recruiter screen", (ALEX, mina), description=alone))) == [
        "mina.park@acme.com"]


# --- shapes met in a third blind batch -------------------------------------------------------


def test_an_offer_call_is_not_an_interview() -> None:
    settings = DetectionSettings(me=ME, applications=(Application("Acme", "", ("acme.com",)),))
    offer = event("Acme – Offer Discussion (Alex Rivera)", (MARCUS, PRIYA, ALEX),
                  organizer=MARCUS, description="We'd love to walk you through the offer.")
    assert classify(offer, settings) is None
    assert classify(replace(offer, summary="Acme – Final interview and offer chat"),
                    settings) is not None


def test_a_reporters_interview_about_my_job_is_not_a_job_interview() -> None:
    reporter = person("odette.ramirez@ledgerweekly.com", "Odette Ramírez-Pham")
    text = ("Thanks for agreeing to talk for our piece on data contracts. This is an "
            "on-the-record interview of about 30 minutes; I'll send you any direct quotes.")
    press = event("Interview: Alex Rivera – Ledger Weekly", (reporter, ALEX), organizer=reporter,
                  description=text)
    assert classify(press) is None
    job = replace(press, description="A first interview for the Staff Reporter role.")
    assert emails(classify(job)) == ["odette.ramirez@ledgerweekly.com"]


def test_an_agency_recruiter_who_only_organises_is_not_an_interviewer() -> None:
    tessa = person("tessa.vandermeer@bridgewelltalent.com", "Tessa Vandermeer")
    kofi = person("kofi.asante@cobaltline.com", "Kofi Asante-Boateng")
    text = "This is your first technical interview with my client Cobaltline Freight."
    agency = event("Cobaltline Freight // Technical Interview", (tessa, ALEX, kofi),
                   organizer=tessa, description=text)
    assert emails(classify(agency)) == ["kofi.asante@cobaltline.com"]
    # the client's own people writing "our client" about a customer are still the panel
    own = replace(agency, attendees=(MARCUS, ALEX, PRIYA), organizer=MARCUS,
                  description="We build tools for our clients; Priya and I will interview you.")
    assert emails(classify(own)) == ["marcus.oneil@acme.com", "priya.shah@acme.com"]


def test_an_organizer_who_says_they_will_not_be_on_the_call_is_not_an_interviewer() -> None:
    text = "Marcus will take you through the exercise. I won't be on the call myself."
    ev = event("Acme technical interview", (PRIYA, ALEX, MARCUS), organizer=PRIYA,
               description=text)
    assert emails(classify(ev)) == ["marcus.oneil@acme.com"]


@pytest.mark.parametrize(("address", "name"), [
    ("interviewroom4@acme.com", "Interview Room 4"),
    ("huddle-room-b@acme.com", "Huddle Room B"),
    ("hq-31f@acme.com", "HQ 31F Conference Room"),
])
def test_a_room_calendar_without_cutype_is_not_an_interviewer(address: str, name: str) -> None:
    room = person(address, name)
    assert emails(classify(event("Acme panel interview", (ALEX, MARCUS, room)))) == [
        "marcus.oneil@acme.com"]


def test_whoever_forwards_the_invitation_is_not_an_interviewer() -> None:
    bea = person("beatrix.lindqvist@acme.com", "Lindqvist, Beatrix")
    mail = MailFacts(sender=Attendee("beatrix.lindqvist@acme.com", "Lindqvist, Beatrix"),
                     subject="FW: Interview: Alex Rivera - Staff Data Engineer")
    forwarded = event("Interview: Alex Rivera - Staff Data Engineer", (PRIYA, bea, ALEX),
                      organizer=MARCUS, mail=mail,
                      description="You'll be with Marcus and Priya for the full hour.")
    assert emails(classify(forwarded)) == ["marcus.oneil@acme.com", "priya.shah@acme.com"]
    own = replace(forwarded, organizer=bea)  # one's own meeting forwarded is still one's own
    assert "beatrix.lindqvist@acme.com" in emails(classify(own))


def test_the_organizer_left_off_the_attendees_who_will_call_me_interviews_me() -> None:
    delphine = Attendee("dharlow@juniperridgecu.org", "Harlow, Delphine")
    tentative = person("alex.rivera@example.com", "Alex Rivera", partstat="TENTATIVE")
    text = ("I'll call you at the number on your résumé.\n\nTalk soon!\n\nDelphine Harlow\n"
            "Talent Acquisition Specialist | Juniper Ridge Credit Union")
    screen = event("Phone Screen: Alex Rivera / Data Engineer II", (tentative,),
                   organizer=delphine, description=text)
    interview = classify(screen)
    assert interview is not None and interview.company == "Juniper Ridge Credit Union"
    assert [(i.name, i.email, i.title) for i in interview.interviewers] == [
        ("Delphine Harlow", "dharlow@juniperridgecu.org", "Talent Acquisition Specialist")]
    assert classify(replace(screen, description=text.replace("I'll call you", "Call"))) is None


def test_a_signature_title_loses_the_employer_but_keeps_the_team() -> None:
    wren = person("wren@sundialcartography.com", "Wren Ashdown")
    ines = person("ines.carvalho@fernwood.io", "Inês Carvalho")
    ev = event("Sundial Cartography — interview (Alex / Wren)", (wren, ALEX), organizer=wren,
               description="See you then!\n\n— Wren\nHead of Engineering, Sundial Cartography")
    review = event("Take-home review – Alex Rivera × Fernwood", (ines, ALEX), organizer=ines,
                   description="Walk me through it.\n\nInês\nEngineering Manager, Data Platform")
    fernwood = DetectionSettings(me=ME,
                                 applications=(Application("Fernwood", "", ("fernwood.io",)),))
    first = classify(ev)
    second = classify(review, fernwood)
    assert first is not None and first.interviewers[0].title == "Head of Engineering"
    assert second is not None
    assert second.interviewers[0].title == "Engineering Manager, Data Platform"


@pytest.mark.parametrize("summary", [
    "Entrevista técnica – Alex Rivera", "Vorstellungsgespräch: Alex Rivera",
    "Entretien d'embauche avec Lucía", "Colloquio di lavoro", "Sollicitatiegesprek Alex",
])
def test_interview_words_in_other_languages(summary: str) -> None:
    lucia = person("lucia.fernandez@tramontanapagos.es", "Lucía Fernández")
    assert emails(classify(event(summary, (ALEX, lucia)))) == ["lucia.fernandez@tramontanapagos.es"]


def test_a_yearly_review_in_another_language_is_not_an_interview() -> None:
    lucia = person("lucia.fernandez@tramontanapagos.es", "Lucía Fernández")
    assert classify(event("Entretien annuel – Alex Rivera", (ALEX, lucia))) is None


# --------------------------------------------------------------------------- blind batch 4


def test_an_unlisted_organizer_who_writes_as_one_of_the_panel_is_an_interviewer() -> None:
    # Outlook leaves the organizer off the attendee list; "Owen and I would like to talk
    # with you" says she is on the call with him.
    host = person("jurate.k@acme.com", "Kazlauskienė, Jūratė")
    ev = event("Interview: Alex Rivera – second round", (ALEX, MARCUS), organizer=host,
               description="Hello Alex, Marcus O'Neil and I would like to talk with you "
                           "about the platform.\n\nBest regards,\nJūratė")
    assert emails(classify(ev)) == ["marcus.oneil@acme.com", "jurate.k@acme.com"]
    # A coordinator writing about the panel is not on it.
    coordinator = person("sam.lee@acme.com", "Sam Lee")
    ev = event("Interview: Alex Rivera – second round", (ALEX, MARCUS), organizer=coordinator,
               description="Hi Alex, Marcus O'Neil will meet you. Reach out with questions.")
    assert emails(classify(ev)) == ["marcus.oneil@acme.com"]


def test_a_zone_city_beside_the_time_is_not_a_person() -> None:
    ev = event("Acme technical interview", (ALEX,),
               description="Wednesday, December 2, 2026\n2:00 PM – 3:00 PM EST (New York)\n"
                           "You'll be meeting with:\n• Laszlo Varga – Senior Software Engineer")
    assert names(classify(ev)) == ["Laszlo Varga"]


def test_a_title_written_with_an_article_loses_it() -> None:
    ev = event("Acme phone screen", (ALEX,),
               description="You're set for a phone screen with Desmond Achebe, a Senior "
                           "Software Engineer on our team.")
    interview = classify(ev)
    assert interview is not None
    assert [(i.name, i.title) for i in interview.interviewers] == [
        ("Desmond Achebe", "Senior Software Engineer")]


def test_a_debrief_of_my_take_home_is_an_interview_a_panel_debrief_is_not() -> None:
    assert classify(event("Take-home debrief: Alex Rivera (Acme)")) is not None
    assert classify(event("Debrief: Alex Rivera (Acme)")) is None


# --------------------------------------------------------------------------- blind batch 5


def test_an_unlisted_organizer_planning_a_one_to_one_is_the_interviewer() -> None:
    host = person("siobhan@oakline.ie", "Siobhán Ní Bhriain")
    ev = event("Oakline: Hiring manager chat – Alex Rivera / Siobhán Ní Bhriain", (ALEX,),
               organizer=host, description="I'd like to find 45 minutes for the two of us.")
    assert emails(classify(ev)) == ["siobhan@oakline.ie"]
    ev = replace(ev, description="Our coordinator set this up; I won't be on the call.")
    assert classify(ev) is None


def test_a_conversation_about_a_role_marks_an_interview_in_prose() -> None:
    dana = person("dana.w@lumenhealth.com", "Dana Whitcombe")
    ev = event("Alex Rivera / Dana Whitcombe", (ALEX, dana),
               description="An informal conversation about the Senior Product Designer role "
                           "on our team.")
    assert emails(classify(ev)) == ["dana.w@lumenhealth.com"]
    assert classify(replace(ev, description="Catching up over lunch.")) is None


def test_design_interview_shapes_count_in_the_title() -> None:
    for title in ("Parcelo – Design Critique (Senior Product Designer)",
                  "Portfolio presentation – Alex Rivera", "Product Design Case Interview"):
        assert classify(event(title)) is not None, title


def test_a_title_loses_the_prose_that_places_it_in_a_team() -> None:
    ev = event("Acme hiring manager chat", (ALEX,),
               description="You'll meet Marisol Quintero, Design Manager for our Canvas "
                           "Collaboration team.")
    interview = classify(ev)
    assert interview is not None
    assert [(i.name, i.title) for i in interview.interviewers] == [
        ("Marisol Quintero", "Design Manager")]


def test_a_person_whose_address_holds_a_team_word_is_still_a_person() -> None:
    hr_person = person("maria.hr@acme.com", "Maria Lopez")
    assert emails(classify(event(attendees=(ALEX, hr_person)))) == ["maria.hr@acme.com"]


def test_a_board_member_on_a_personal_address_keeps_the_name_the_panel_list_gives() -> None:
    ebony = person("ebony.washington.nyc@gmail.com", "ebony.washington.nyc@gmail.com")
    ev = event("Panel Interview – Program Manager", (ALEX, MARCUS, ebony),
               description="The panel:\nMarcus O'Neil – Director of Programs\n"
                           "Ebony Washington – Board Member, Program Committee\n")
    interview = classify(ev)
    assert interview is not None
    found = {i.email: (i.name, i.title) for i in interview.interviewers}
    assert found["ebony.washington.nyc@gmail.com"] == (
        "Ebony Washington", "Board Member, Program Committee")


def test_a_booking_tools_host_named_in_the_title_is_the_interviewer() -> None:
    host = person("amara.nwosu@riverstoneliteracy.org", "Amara Nwosu-Diallo")
    ev = event("Program Manager – Second Interview between Amara Nwosu-Diallo and Alex Rivera",
               (ALEX,), organizer=host)
    assert emails(classify(ev)) == ["amara.nwosu@riverstoneliteracy.org"]
    other = event("Program Manager – Second Interview between Dana Okafor and Alex Rivera",
                  (ALEX,), organizer=host)
    found = classify(other)  # the title names someone else: the host only booked it
    assert found is not None
    assert [(i.name, i.email) for i in found.interviewers] == [("Dana Okafor", None)]


# --- shapes met in a sixth blind batch: academia, care, Europe --------------------------------


def test_a_conference_panel_about_interviewing_is_not_an_interview() -> None:
    panel = event("Hiring & Interviewing in Data Teams (Panel)", (),
                  description="Panel · Track: People & Careers\n\nModerator: Dana Whitfield\n"
                              "Panelists:\nTomás Echeverría, Head of Data, Lumenfield\n")
    assert classify(panel) is None


def test_a_campus_visit_is_an_interview_though_it_never_says_so() -> None:
    chair = person("g.harlow@pinecrest.edu", "Prof. Gwen Harlow")
    meeting = event("Alex Rivera – Meeting with Dept. Chair", (ALEX, chair),
                    description="Faculty candidate visit – Department of Mathematics")
    assert emails(classify(meeting)) == ["g.harlow@pinecrest.edu"]
    talk = event("Job Talk – Alex Rivera", (ALEX, chair))
    assert emails(classify(talk)) == ["g.harlow@pinecrest.edu"]


# --- shapes met in a seventh blind batch: new grads, service jobs, Asia-Pacific ---------------


def test_the_other_candidates_of_a_group_interview_are_not_the_panel() -> None:
    manager = person("renee.k@thistleandpine.com", "Renee Kowalczyk")
    others = (person("bri03@gmail.com", "Bri Castellano"),
              person("devon.h@yahoo.com", "Devon Hale"))
    ev = event("Group Interview – Seasonal Sales Associates", (ALEX, *others), organizer=manager,
               description="Your interviewers: Renee Kowalczyk (Store Manager).\n"
                           "The other people on this invite are fellow applicants.")
    assert emails(classify(ev)) == ["renee.k@thistleandpine.com"]


def test_an_invite_naming_me_as_the_interviewer_is_not_my_interview() -> None:
    applicant = person("jordanpike.2031@gmail.com", "Jordan Pike")
    ev = event("Admissions interview – Jordan Pike", (ALEX, applicant),
               description="Interviewer: Alex Rivera (Student Ambassador)\nApplicant: Jordan Pike")
    assert classify(ev) is None


def test_orientation_after_the_offer_is_not_an_interview() -> None:
    ev = event("New Hire Orientation – Thistle & Pine", (ALEX, MARCUS),
               description="Congratulations on accepting our offer! See you at orientation.")
    assert classify(ev) is None


def test_an_indeed_relay_is_not_a_person_and_karats_interview_engineer_is() -> None:
    relay = person("employer-8c1f3e2ab7@indeedemail.com", "Cobalt Freight Logistics")
    ev = event("Interview with Cobalt Freight Logistics", (ALEX, relay),
               description="You will meet Luis Ocampo, Shift Supervisor.")
    found = classify(ev)
    assert found is not None and found.company == "Cobalt Freight Logistics"
    assert [i.name for i in found.interviewers] == ["Luis Ocampo"]
    karat = event("Tessellate Health Technical Interview (via Karat)", (ALEX,),
                  organizer=person("scheduling@karat.com", "Karat"),
                  description="Interview Engineer: Marisol Ortega\nDuration: 60 minutes")
    assert names(classify(karat)) == ["Marisol Ortega"]


# --- shapes met in an eighth blind batch: a tech search again --------------------------------


def test_one_person_under_a_nickname_and_under_an_address_is_one_interviewer() -> None:
    bobby = person("bobby.tran@copperleaf.ai", "Bobby Tran")
    kenji = person("kenji.w.builds@gmail.com", "kenji.w.builds@gmail.com")
    ev = event("Copperleaf onsite interview", (ALEX, bobby, kenji),
               description='Your panel:\nRobert "Bobby" Tran, Senior Software Engineer, Billing\n'
                           "Kenji Watanabe – Fractional Head of Infrastructure\n")
    found = classify(ev)
    assert found is not None
    assert [(i.name, i.email, i.greeting) for i in found.interviewers] == [
        ("Robert Tran", "bobby.tran@copperleaf.ai", "Bobby"),  # greeted as he asked
        ("Kenji Watanabe", "kenji.w.builds@gmail.com", None)]


def test_a_job_in_onboarding_is_still_interviewed_for() -> None:
    ev = event("Interview – Customer Onboarding Specialist", (ALEX, MARCUS))
    assert emails(classify(ev)) == ["marcus.oneil@acme.com"]


def test_a_founders_coffee_about_hiring_me_is_an_interview_a_friends_is_not() -> None:
    maya = person("maya@tinyloom.ai", "Maya Feldstein")
    pitch = ("I'd love to tell you what we're building. We're hiring our first senior "
             "(really, founding) engineer and I think you'd be a great fit. It's just coffee.")
    assert emails(classify(event("Coffee ☕ Maya / Alex", (ALEX, maya), organizer=maya,
                                 description=pitch))) == ["maya@tinyloom.ai"]
    catch_up = "So good to see you again! We're hiring a new dentist, can you believe it."
    assert classify(event("Coffee ☕ Maya / Alex", (ALEX, maya), organizer=maya,
                          description=catch_up)) is None
