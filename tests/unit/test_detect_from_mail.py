"""Detection of events read from email: the mail's look-alikes, the body's schedule, the
sender who interviews, and the company and role from the sender, subject, body and
Reply-To (plugin/detect/from_mail.py, plugin/detect/company.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from afterword.plugin.config import Application
from afterword.plugin.detect import DetectionSettings, classify_event
from afterword.plugin.detect.company import PLATFORM_NAMES, company_and_role
from afterword.plugin.detect.from_mail import lookalike_reason
from afterword.plugin.model import (
    Attendee,
    CalendarEvent,
    Identity,
    Interview,
    Interviewer,
    MailFacts,
)

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
ME = Identity("Alex Rivera", "alex.rivera@example.com", ("alex@rivera.dev",))
SETTINGS = DetectionSettings(me=ME)
ALEX = Attendee("alex.rivera@example.com", "Alex Rivera", "NEEDS-ACTION", "REQ-PARTICIPANT")
GREENHOUSE = Attendee("no-reply@greenhouse-mail.io", "Acme via Greenhouse")
RECRUITER = Attendee("maya.goldberg@acme.com", "Maya Goldberg")
SCHEDULE = ("Tuesday, December 1, 2026\n"
            "10:00 AM - 10:45 AM | Ngozi Adeyemi | Staff Data Engineer | SQL\n"
            "10:45 AM - 11:30 AM | Henrik Solberg | Engineering Manager | Behavioral\n")


def body_only(text: str = SCHEDULE, subject: str = "Interview Confirmation - Acme",
              sender: Attendee = GREENHOUSE, **facts: Any) -> CalendarEvent:
    """An event read from a mail's text alone, as plugin/sources/mail.py builds it."""
    mail = MailFacts(sender=sender, subject=subject, sent_at=START - timedelta(days=5),
                     body_only=True)
    mail = replace(mail, **facts)
    return CalendarEvent(uid="mail-1@afterword.invalid", start=START,
                         end=START + timedelta(hours=1, minutes=30), summary=subject,
                         description=text, organizer=sender, mail=mail)


def with_ics(description: str = "Interview with Acme", body: str = SCHEDULE,
             **facts: Any) -> CalendarEvent:
    """A calendar part's event carrying its message's facts."""
    mail = replace(MailFacts(sender=GREENHOUSE, reply_to=(RECRUITER,),
                             subject="Interview confirmation: Senior Data Engineer at Acme",
                             text=body, sent_at=START - timedelta(days=5)),
                   **facts)
    return CalendarEvent(uid="gh-1@greenhouse.io", start=START,
                         end=START + timedelta(hours=1, minutes=30),
                         summary="Interview with Acme", description=description,
                         organizer=Attendee("no-reply@greenhouse-mail.io"),
                         attendees=(ALEX,), mail=mail)


def names(interview: Interview | None) -> list[str]:
    assert interview is not None
    return [i.name for i in interview.interviewers]


# --- look-alikes -------------------------------------------------------------------------------


def test_a_real_body_only_confirmation_is_an_interview() -> None:
    event = body_only()
    assert lookalike_reason(event, SETTINGS) is None
    interview = classify_event(event, SETTINGS)
    assert names(interview) == ["Ngozi Adeyemi", "Henrik Solberg"]
    assert interview is not None and interview.company == "Acme"


@pytest.mark.parametrize("subject", [
    "Prepare for your interview with Acme",
    "How was your interview with Acme?",
    "Please hold Friday, Dec 11 for your Acme onsite",
    "Reminder: You're interviewing Jordan Lee today",
    "14 new Senior Data Engineer jobs for you",
    "You're registered: Cracking the System Design Interview",
    "Your interview with Acme has been cancelled",
    "Notification: Interview with Acme @ Tue Dec 1, 2026 10am - 11:30am (EST)",
    "Invitation: Winter Tech Career Fair - Dec 9",
])
def test_subjects_that_announce_something_else(subject: str) -> None:
    assert classify_event(body_only(subject=subject), SETTINGS) is None


def test_bulk_mail_never_gives_a_body_only_interview() -> None:
    assert classify_event(body_only(bulk=True), SETTINGS) is None


def test_bulk_mail_with_an_ics_is_judged_by_all_its_words() -> None:
    webinar = with_ics(body="Thanks for registering for our live webinar!\n" + SCHEDULE,
                       bulk=True)
    assert lookalike_reason(webinar, SETTINGS) == "bulk mail about something else"
    assert classify_event(webinar, SETTINGS) is None
    # the same words without list headers: an ATS confirmation that mentions a webinar
    assert classify_event(replace(webinar, mail=replace(webinar.mail, bulk=False)),
                          SETTINGS) is not None


def test_a_mail_written_after_the_time_it_states_is_a_recap() -> None:
    late = body_only(sent_at=START + timedelta(days=3))
    assert lookalike_reason(late, SETTINGS) == "written after the time it states"
    assert classify_event(late, SETTINGS) is None


def test_a_request_for_my_availability_schedules_nothing() -> None:
    text = ("Could you share your availability for the onsite? Options:\n" + SCHEDULE)
    assert lookalike_reason(body_only(text), SETTINGS) == "asks for a time"
    confirmed = "Kindly confirm your availability by replying to this mail.\n" + SCHEDULE
    assert lookalike_reason(body_only(confirmed), SETTINGS) is None


def test_a_rejection_is_an_outcome_even_when_sent_early() -> None:
    text = SCHEDULE + "\nUnfortunately we decided to move forward with other candidates."
    assert lookalike_reason(body_only(text), SETTINGS) == "announces an outcome"


def test_calendar_events_are_untouched_by_mail_rules() -> None:
    event = with_ics()
    plain = replace(event, mail=None)
    assert lookalike_reason(plain, SETTINGS) is None


# --- the body's schedule -------------------------------------------------------------------------


def test_the_body_names_the_panel_when_the_ics_description_does_not() -> None:
    interview = classify_event(with_ics(), SETTINGS)
    assert interview is not None
    assert [(i.name, i.email, i.title, i.topic) for i in interview.interviewers] == [
        ("Ngozi Adeyemi", None, "Staff Data Engineer", "SQL"),
        ("Henrik Solberg", None, "Engineering Manager", "Behavioral"),
    ]


def test_the_ics_schedule_wins_and_the_body_only_adds_details() -> None:
    event = with_ics(description="Schedule:\n10:00 AM Ngozi Adeyemi\n10:45 AM Henrik Solberg",
                     body=SCHEDULE + "11:30 AM - 12:00 PM | Someone Else | Engineer | X\n")
    interview = classify_event(event, SETTINGS)
    assert names(interview) == ["Ngozi Adeyemi", "Henrik Solberg"]
    assert interview is not None and interview.interviewers[0].title == "Staff Data Engineer"


def test_attendees_named_in_the_body_keep_their_address_and_gain_a_title() -> None:
    olu = Attendee("olu@acme.com", "Olu Bankole", "ACCEPTED", "REQ-PARTICIPANT")
    event = replace(with_ics(description="Join Zoom Meeting https://acme.zoom.us/j/1",
                             body="3:00 PM - 3:45 PM  Olu Bankole - Engineering Manager"
                                  " - Behavioral"),
                    attendees=(ALEX, olu))
    interview = classify_event(event, SETTINGS)
    assert interview is not None
    assert [(i.email, i.title, i.topic) for i in interview.interviewers] == [
        ("olu@acme.com", "Engineering Manager", "Behavioral")]


# --- the sender --------------------------------------------------------------------------------


ROSA = Attendee("rosa@fernwood.io", "Rosa Lindqvist")


def test_a_hiring_manager_who_names_nobody_else_is_the_interviewer() -> None:
    text = ("Hi Alex, let's do the deep dive on Thursday, December 3, 2026 from 2:00 to "
            "3:00 PM ET.\n\nBest,\nRosa\n\nRosa Lindqvist\nHead of Data Platform, Fernwood")
    event = body_only(text, subject="Technical interview on Thursday", sender=ROSA)
    interview = classify_event(event, SETTINGS)
    assert interview is not None
    assert [(i.name, i.email) for i in interview.interviewers] == [
        ("Rosa Lindqvist", "rosa@fernwood.io")]
    assert interview.company == "Fernwood"


def test_a_sender_who_joins_named_colleagues_is_one_of_them() -> None:
    text = ("Let's do the deep dive on Thursday, December 3, 2026 from 2:00 to 3:00 PM ET. "
            "My colleague Tom Becker (Staff Engineer) will join us.\n\nBest,\nRosa")
    event = body_only(text, subject="Technical interview on Thursday", sender=ROSA)
    assert names(classify_event(event, SETTINGS)) == ["Rosa Lindqvist", "Tom Becker"]


def test_a_coordinator_who_lists_the_panel_is_not_on_it() -> None:
    harriet = Attendee("harriet.cole@whitlockhale.co.uk", "Harriet Cole")
    text = ("Monday 7 December 2026, 14:00-15:30 (UK time)\n\n"
            "14:00-14:45  Imogen Clarke, Head of Engineering - technical discussion\n"
            "14:45-15:30  Samuel Okoro, CTO - values\n\nKind regards,\nHarriet Cole\n"
            "Talent Partner | Whitlock & Hale")
    event = body_only(text, subject="Whitlock & Hale - final interview", sender=harriet)
    interview = classify_event(event, SETTINGS)
    assert names(interview) == ["Imogen Clarke", "Samuel Okoro"]
    assert interview is not None and interview.company == "Whitlock & Hale"


def test_a_coordinator_who_names_nobody_is_not_the_interviewer() -> None:
    kim = Attendee("kim.tran@acme.com", "Kim Tran")
    text = ("Your interview is confirmed for Tuesday, December 1, 2026, 10:00 - 11:30 AM ET."
            "\n\nBest,\nKim Tran\nRecruiting Coordinator, Acme")
    assert classify_event(body_only(text, subject="Interview confirmed", sender=kim),
                          SETTINGS) is None


def test_a_platform_robot_is_never_the_interviewer() -> None:
    text = "Your interview is confirmed for Tuesday, December 1, 2026, 10:00 - 11:30 AM ET."
    assert classify_event(body_only(text), SETTINGS) is None


# --- company and role from the mail ---------------------------------------------------------


def company(event: CalendarEvent, *people: Interviewer,
            settings: DetectionSettings = SETTINGS) -> tuple[str, str]:
    return company_and_role(event, people or (Interviewer("Ngozi Adeyemi"),), settings)


def bare(subject: str, sender: Attendee, *, text: str = "",
         reply_to: tuple[Attendee, ...] = ()) -> CalendarEvent:
    """A body-only event whose subject says nothing of itself unless given."""
    return body_only(text, subject=subject, sender=sender, reply_to=reply_to)


@pytest.mark.parametrize(("sender", "expected"), [
    (Attendee("no-reply@greenhouse-mail.io", "Acme via Greenhouse"), "Acme"),
    (Attendee("no-reply@hire.lever.co", "Acme Recruiting"), "Acme"),
    (Attendee("scheduling@goodtime.io", "Acme Candidate Calendar"), "Acme"),
    (Attendee("talent@acme.in", "Acme Systems Talent Team"), "Acme Systems"),
    (Attendee("notifications@guide.co", "Orchard Health"), "Orchard Health"),
])
def test_company_from_the_senders_display_name(sender: Attendee, expected: str) -> None:
    assert company(bare("Your upcoming interview", sender))[0] == expected


def test_a_display_name_that_could_be_a_person_needs_its_domain() -> None:
    sender = Attendee("no-reply@ashbyhq.com", "Lattice Point")
    assert company(bare("Your upcoming interview", sender))[0] == ""
    reply = (Attendee("recruiting@latticepoint.com", ""),)
    assert company(bare("Your upcoming interview", sender, reply_to=reply))[0] == (
        "Lattice Point")


@pytest.mark.parametrize("display", [
    "Greenhouse", "Guide", "Lever", "GoodTime", "Ashby", "ModernLoop", "Calendly", "Zoom",
    "Gem",
])
def test_a_platform_is_never_the_company(display: str) -> None:
    sender = Attendee("no-reply@greenhouse-mail.io", display)
    found = company(bare("Your upcoming interview", sender))[0]
    assert found.casefold() not in PLATFORM_NAMES
    assert found == ""


def test_a_person_sending_through_a_platform_names_no_company() -> None:
    jordan = Attendee("no-reply@hire.lever.co", "Jordan Blake")
    reply = (Attendee("jordan.blake@quillon.com", "Jordan Blake"),)
    assert company(bare("Your upcoming interview", jordan, reply_to=reply))[0] == "Quillon"


@pytest.mark.parametrize(("subject", "expected"), [
    ("Interview confirmation: Senior Data Engineer at Acme", ("Acme", "Senior Data Engineer")),
    ("Your interview with Acme", ("Acme", "")),
    ("Acme - Interview Confirmation", ("Acme", "")),
    ("Interview Confirmation - Acme", ("Acme", "")),
    ("Interview Schedule - Senior Data Engineer - Tarang Systems",
     ("Tarang Systems", "Senior Data Engineer")),
    ("Whitlock & Hale - final interview, Monday 7 December", ("Whitlock & Hale", "")),
])
def test_company_and_role_from_the_subject(subject: str, expected: tuple[str, str]) -> None:
    robot = Attendee("no-reply@greenhouse-mail.io", "")
    assert company(bare(subject, robot)) == expected


def test_the_subject_counts_when_the_ics_title_names_nobody() -> None:
    event = replace(with_ics(), summary="Interview: Alex Rivera",
                    mail=replace(with_ics().mail, sender=Attendee("no-reply@gh.example"),
                                 reply_to=()))
    assert company(event) == ("Acme", "Senior Data Engineer")


def test_company_and_role_from_the_body_when_nothing_else_names_them() -> None:
    robot = Attendee("no-reply@greenhouse-mail.io", "")
    text = ("Hi Alex, thank you for scheduling your interview with Pinecrest Data for the "
            "Analytics Engineer position!")
    assert company(bare("Your upcoming interview", robot, text=text)) == (
        "Pinecrest Data", "Analytics Engineer")


def test_body_company_is_never_a_person() -> None:
    robot = Attendee("no-reply@greenhouse-mail.io", "")
    text = "Your interview with Priya Raman is confirmed."
    assert company(bare("Your upcoming interview", robot, text=text))[0] == ""


def test_reply_to_at_the_employer_names_it() -> None:
    robot = Attendee("no-reply@greenhouse-mail.io", "")
    reply = (Attendee("recruiter@driftwoodlabs.com", ""),)
    assert company(bare("Your upcoming interview", robot, reply_to=reply))[0] == (
        "Driftwoodlabs")


def test_an_application_found_by_the_reply_to_domain_wins() -> None:
    settings = DetectionSettings(me=ME, applications=(
        Application("Driftwood Labs", "Senior Data Engineer", ("driftwoodlabs.com",)),))
    robot = Attendee("no-reply@greenhouse-mail.io", "Driftwood via Greenhouse")
    reply = (Attendee("recruiter@driftwoodlabs.com", ""),)
    assert company(bare("Your upcoming interview", robot, reply_to=reply),
                   settings=settings) == ("Driftwood Labs", "Senior Data Engineer")


def test_the_sender_outranks_the_title_but_keeps_its_fuller_spelling() -> None:
    sender = Attendee("interviews@ridgeway.systems", "Ridgeway Interviews")
    event = bare("Ridgeway Systems Interview: Coding", sender)
    assert company(event)[0] == "Ridgeway Systems"
    via = bare("Interview with Kestrel", Attendee("no-reply@greenhouse-mail.io",
                                                 "Acme via Greenhouse"))
    assert company(via)[0] == "Acme"


# --- shapes met in a third blind batch -------------------------------------------------------


def test_a_person_sending_via_a_platform_is_not_part_of_the_company_name() -> None:
    sophie = Attendee("noreply@mail.personio.de", "Sophie Lindner via Personio")
    reply = (Attendee("sophie.lindner@isarwerk-mobility.de", "Sophie Lindner"),)
    subject = "Einladung zum Vorstellungsgespräch – Senior Data Engineer (m/w/d)"
    assert company(bare(subject, sophie, reply_to=reply))[0] == "Isarwerk Mobility"


def test_a_platforms_organizer_named_company_then_platform_in_brackets() -> None:
    organizer = Attendee("no-reply@recruitee.com", "Tramontana Pagos (Recruitee)")
    lucia = (Attendee("lucia.fernandez@tramontanapagos.es", "Lucía Fernández"),)
    assert company(bare("Entrevista técnica – Alex Rivera", organizer, reply_to=lucia))[0] == (
        "Tramontana Pagos")
    assert company(bare("Entrevista técnica – Alex Rivera",
                        Attendee("no-reply@recruitee.com", "Nimbus Labs (Recruitee)")))[0] == (
        "Nimbus Labs")
    person = Attendee("no-reply@recruitee.com", "Jane Doe (Recruitee)")
    assert company(bare("Entrevista técnica – Alex Rivera", person))[0] == ""


def test_a_display_name_with_accents_is_spelled_by_its_domain() -> None:
    sender = Attendee("noreply@candidates.workablemail.com", "Bastide Énergie")
    reply = (Attendee("thibault.roussel@bastide-energie.fr", "Thibault Roussel"),)
    assert company(bare("Entretien avec Bastide Énergie", sender, reply_to=reply))[0] == (
        "Bastide Énergie")


def test_the_body_names_the_employer_after_chez_or_bei() -> None:
    robot = Attendee("no-reply@greenhouse-mail.io", "")
    text = "Merci pour votre candidature au poste d'Ingénieur·e Data chez Lumen Analytics."
    assert company(bare("Votre entretien", robot, text=text))[0] == "Lumen Analytics"
    text = "vielen Dank für Ihre Bewerbung als Data Engineer bei Isarwerk Mobility GmbH."
    assert company(bare("Ihr Vorstellungsgespräch", robot, text=text))[0] == (
        "Isarwerk Mobility GmbH")


def test_whoever_forwards_a_body_only_invitation_is_not_the_interviewer() -> None:
    text = ("Hi Alex, let's do the deep dive on Thursday, December 3, 2026 from 2:00 to "
            "3:00 PM ET.\n\nBest,\nRosa")
    direct = body_only(text, subject="Technical interview on Thursday", sender=ROSA)
    assert names(classify_event(direct, SETTINGS)) == ["Rosa Lindqvist"]
    forwarded = body_only(text, subject="FW: Technical interview on Thursday", sender=ROSA)
    assert classify_event(forwarded, SETTINGS) is None
