"""Company and role: from my applications, the title, or the interviewers' domain."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from afterword.plugin.config import Application
from afterword.plugin.detect import DetectionSettings, classify_event, company_from_domain
from afterword.plugin.detect.addresses import is_public_provider
from afterword.plugin.detect.company import company_and_role, parse_title, without_employer
from afterword.plugin.model import Attendee, CalendarEvent, Identity, Interviewer, MailFacts

START = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
ME = Identity("Alex Rivera", "alex.rivera@example.com")
ALEX = Attendee("alex.rivera@example.com", "Alex Rivera")


def event(summary: str, *emails: str, organizer: str = "") -> CalendarEvent:
    attendees = (ALEX, *(Attendee(e, "") for e in emails))
    return CalendarEvent(uid="u", start=START, end=START + timedelta(hours=1), summary=summary,
                         attendees=attendees,
                         organizer=Attendee(organizer, "") if organizer else None)


def detected(ev: CalendarEvent, *apps: Application) -> tuple[str, str]:
    interview = classify_event(ev, DetectionSettings(me=ME, applications=apps))
    assert interview is not None
    return interview.company, interview.role


@pytest.mark.parametrize(
    ("title", "company", "role"),
    [
        ("Interview: Senior Data Engineer at Acme", "Acme", "Senior Data Engineer"),
        ("Acme – Onsite (Data Engineer)", "Acme", "Data Engineer"),
        ("Acme <> Alex Rivera", "Acme", ""),
        ("Alex Rivera <> Acme", "Acme", ""),
        ("Acme x Alex Rivera - Intro call", "Acme", ""),
        ("Phone screen with Acme", "Acme", ""),
        ("Phone Screen with Initech Labs", "Initech Labs", ""),
        ("Alex Rivera - Senior Data Engineer - Acme", "Acme", "Senior Data Engineer"),
        ("Invitation: Acme Virtual Onsite @ Tue Nov 24, 2pm", "Acme", ""),
        ("Acme's virtual onsite", "Acme", ""),
        ("Hiring manager interview - Initech", "Initech", ""),
        ("Onsite interview for Staff Engineer role at Globex", "Globex", "Staff Engineer"),
        ("Data Engineer Interview", "", "Data Engineer"),
        ("Zoom interview – Globex", "Globex", ""),
        ("[External] Final Round: Acme Corp", "Acme Corp", ""),
        ("Interview with Marcus O'Neil", "", ""),
        ("Interview at 3pm", "", ""),
        ("Onsite at 10:30 with 1Password", "1Password", ""),
        ("3M phone screen", "3M", ""),
        ("Greenhouse interview", "", ""),
        ("GoodTime: Onsite", "", ""),
        ("acme onsite", "Acme", ""),
        ("Interview: Kaito Systems – Data Engineer (round 2)", "Kaito Systems", "Data Engineer"),
        ("Coffee chat – Globex data team", "Globex", ""),
        ("System design interview – Acme", "Acme", ""),
        ("Acme: Systems Design & Coding", "Acme", ""),
        ("Interview with Acme for Senior Data Engineer", "Acme", "Senior Data Engineer"),
        ("Alex Rivera <> Acme: Senior Engineer Interview", "Acme", "Senior Engineer"),
        ("Acme Interview - Alex Rivera", "Acme", ""),
        ("Technical interview for the Platform Engineer position", "", "Platform Engineer"),
        ("Kumori Systems 最終面接 / Final Interview (Alex Rivera)", "Kumori Systems", ""),
        ("株式会社クモリ – 面接", "株式会社クモリ", ""),  # wholly in Japanese: kept as written
        ("Entrevista técnica – Alex Rivera (Ingeniero/a de Datos Sénior)", "",
         "Ingeniero/a de Datos Sénior"),
        ("Vorstellungsgespräch: Alex Rivera – Senior Data Engineer", "", "Senior Data Engineer"),
        ("Einladung zum Vorstellungsgespräch – Isarwerk Mobility", "Isarwerk Mobility", ""),
        ("Entretien avec Bastide Énergie", "Bastide Énergie", ""),
        # a discipline is not an employer: the domain or the signature names it instead
        ("Product Design Case Interview – Alex Rivera", "", ""),
        ("Data Strategy Interview", "", ""),
        ("Product Design Case Interview – Sundial", "Sundial", ""),
        # a job is not its employer; a marking is not the subject
        ("Interview Confirmation – Science Teacher", "", "Science Teacher"),
        ("OFFICIAL: Interview invitation – Department for Inland Waterways", "Department for "
         "Inland Waterways", ""),
        ("Interview with Bank of America", "Bank of America", ""),
        # a sixth blind batch: academia, care and Europe
        ("Uitnodiging sollicitatiegesprek – Data Engineer – Zeilmaker Energie",
         "Zeilmaker Energie", "Data Engineer"),
        ("Postdoc interview – Alex Rivera (Halvorsen Lab)", "", ""),
        ("Faculty Search – Assistant Professor, Computer Science: Zoom interview", "",
         "Assistant Professor, Computer Science"),
        ("Entretien – Chef de projet Data (H/F) – Alex Rivera", "", "Chef de projet Data"),
        ("Interview Confirmation - Staff Nurse - Ward 7B Acute Medicine - 284-RUH-7781", "",
         "Staff Nurse"),
        ("Interview: Registered Nurse - Cardiovascular ICU (R-0044127)", "", "Registered Nurse"),
        ("Locum interview – St Aldhelm's Hospital ED", "St Aldhelm's Hospital", ""),
        ("Group Interview – Seasonal Sales Associates (Thistle & Pine #214)", "Thistle & Pine",
         ""),
        ("server interview", "", ""),  # a restaurant job, not a company
        ("Museum of Modern Art – Curator interview", "Museum of Modern Art", ""),
    ],
)
def test_parse_title(title: str, company: str, role: str) -> None:
    assert parse_title(title, "Alex Rivera", ["Marcus O'Neil"]) == (company, role)


@pytest.mark.parametrize(
    ("domain", "company"),
    [
        ("acme.com", "Acme"),
        ("mail.acme.com", "Acme"),
        ("data-corp.co.uk", "Data Corp"),
        ("globex.com.au", "Globex"),
        ("ibm.com", "IBM"),
        ("initech.io", "Initech"),
    ],
)
def test_company_from_domain(domain: str, company: str) -> None:
    assert company_from_domain(domain) == company


def test_application_matched_by_domain_wins() -> None:
    app = Application("ACME Corporation", "Senior Data Engineer", ("acme.com",))
    ev = event("Onsite (Staff Engineer) - Wile E. Inc", "marcus@eu.acme.com")
    assert detected(ev, app) == ("ACME Corporation", "Senior Data Engineer")


def test_application_matched_by_company_name_in_the_title() -> None:
    app = Application("Globex", "Platform Engineer", ())
    assert detected(event("Globex phone screen", "hank@gmail.com"), app) == (
        "Globex", "Platform Engineer"
    )


def test_application_without_role_takes_the_title_role() -> None:
    app = Application("Acme", "", ("acme.com",))
    assert detected(event("Onsite (Data Engineer)", "marcus@acme.com"), app) == (
        "Acme", "Data Engineer"
    )


def test_title_beats_domain() -> None:
    assert detected(event("Instagram onsite", "marcus@fb.com")) == ("Instagram", "")


def test_domain_of_the_interviewers_when_the_title_says_nothing() -> None:
    assert detected(event("Onsite interview", "marcus@data-corp.co.uk")) == ("Data Corp", "")


def test_never_a_scheduling_platform_or_a_mail_provider() -> None:
    ev = event("Interview", "sam@gmail.com", "x@goodtime.io", organizer="no-reply@greenhouse.io")
    assert detected(ev) == ("", "")
    ev = event("Interview", "sam@gmail.com", "marcus@acme.com",
               organizer="no-reply@us.greenhouse-mail.io")
    assert detected(ev) == ("Acme", "")


def test_coordinator_domain_is_a_fallback() -> None:
    ev = CalendarEvent(uid="u", start=START, end=START + timedelta(hours=1), summary="Interview",
                       attendees=(ALEX, Attendee("sam@gmail.com", "Sam Founder")),
                       organizer=Attendee("jane@globex.com", "Jane"))
    assert detected(ev) == ("Globex", "")


def test_most_interviewers_decide_the_domain() -> None:
    ev = event("Interview", "a@contractor.io", "b@acme.com", "c@acme.com")
    assert detected(ev) == ("Acme", "")


def test_company_and_role_directly() -> None:
    settings = DetectionSettings(me=ME)
    ev = event("Interview", "marcus@acme.com")
    people = (Interviewer("Marcus", "marcus@acme.com"),)
    assert company_and_role(ev, people, settings) == ("Acme", "")


def test_role_does_not_repeat_the_company() -> None:
    assert detected(event("Acme Tech Lead interview", "m@acme.com")) == ("Acme", "Tech Lead")


@pytest.mark.parametrize(
    ("domain", "public"),
    [("gmail.com", True), ("googlemail.com", True), ("gmx.de", True), ("yahoo.co.uk", True),
     ("hotmail.fr", True), ("proton.me", True), ("acme.com", False), ("gmxfoo.com", False)],
)
def test_public_providers(domain: str, public: bool) -> None:
    assert is_public_provider(domain) is public


def test_a_malformed_address_never_names_the_company() -> None:
    ev = event("Interview", "marcus@acme.com", "x@evil\r\nbcc.com")
    assert detected(ev) == ("Acme", "")
    ev = CalendarEvent(uid="u", start=START, end=START + timedelta(hours=1), summary="Interview",
                       attendees=(ALEX, Attendee("x@evil\r\nbcc.com", "Eve Vil")))
    assert detected(ev) == ("", "")


@pytest.mark.parametrize(("title", "company", "expected"), [
    ("Head of Engineering, Sundial Cartography", "Sundial Cartography", "Head of Engineering"),
    ("Recruiting Coordinator | Pemberton Analytics", "Pemberton Analytics",
     "Recruiting Coordinator"),
    ("Senior Consultant at Acme GmbH", "Acme", "Senior Consultant"),
    ("Engineering Manager, Data Platform", "Fernwood", "Engineering Manager, Data Platform"),
    ("Engineering Manager, Fleet Telemetry", "Fleet", "Engineering Manager, Fleet Telemetry"),
    (None, "Acme", None),
])
def test_a_title_drops_the_employer_a_signature_adds(
        title: str | None, company: str, expected: str | None) -> None:
    assert without_employer(title, company) == expected


def test_a_domain_abbreviating_the_last_words_names_the_company_in_full() -> None:
    ev = CalendarEvent(uid="u", start=START, end=START + timedelta(hours=1),
                       summary="Interview: Data Engineer II",
                       description="Delphine Harlow\nRecruiter | Juniper Ridge Credit Union",
                       attendees=(ALEX, Attendee("dharlow@juniperridgecu.org", "Delphine")))
    assert detected(ev)[0] == "Juniper Ridge Credit Union"


@pytest.mark.parametrize(("description", "company"), [
    ("Thanks for applying to the Claims Analyst position at Tamarack Mutual Insurance.",
     "Tamarack Mutual Insurance"),
    ("Best,\nOona Pelletier\nTalent Acquisition Partner\nTamarack Mutual Insurance\n| Duluth",
     "Tamarack Mutual Insurance"),
    # words that do not spell the label leave the domain's own spelling
    ("Thanks for applying to the Claims Analyst position at Tamarack Outdoors.",
     "Tamarackmutins"),
])
def test_a_domain_cutting_the_last_words_short_names_the_company_as_written(
        description: str, company: str) -> None:
    ev = CalendarEvent(uid="u", start=START, end=START + timedelta(minutes=30),
                       summary="Phone Screen - Alex Rivera - Claims Analyst",
                       description=description,
                       organizer=Attendee("oona.pelletier@tamarackmutins.com", "Oona Pelletier"),
                       attendees=(ALEX, Attendee("oona.pelletier@tamarackmutins.com", "")))
    assert detected(ev)[0] == company


# --- a fifth blind batch: employers outside tech --------------------------------------------


def with_text(ev: CalendarEvent, description: str, sender: Attendee | None = None,
              organizer: Attendee | None = None) -> CalendarEvent:
    facts = MailFacts(sender=sender, subject=ev.summary) if sender is not None else None
    return replace(ev, description=description, mail=facts,
                   organizer=organizer or ev.organizer)


def test_an_agencys_client_field_names_the_employer() -> None:
    ev = with_text(event("Interview confirmed – Litigation Paralegal, Ashcombe Whitfield LLP",
                         "fionnuala.mcateer@ashcombewhitfield.com",
                         organizer="bmonteiro@kestrellegal.com"),
                   "Great news!\n\nClient: Ashcombe Whitfield LLP\nRole: Litigation Paralegal\n\n"
                   "Beatriz Monteiro\nKestrel Legal Staffing")
    assert detected(ev) == ("Ashcombe Whitfield LLP", "Litigation Paralegal")


def test_an_acronym_is_written_out_as_the_invite_writes_it() -> None:
    ev = with_text(event("Interview – Policy Adviser", "gareth.pryce-jones@diw.gov.uk"),
                   "Panel: Gareth Pryce-Jones\n\nRegards,\nHR Team\n"
                   "The Department for Inland Waterways | 2 Marsham Street")
    assert detected(ev)[0] == "Department for Inland Waterways"


def test_a_bot_from_the_employer_speaks_for_it() -> None:
    bot = Attendee("brightwell@paradox.ai", "Olivia from Brightwell Careers")
    ev = with_text(event("Interview with Brightwell Home & Garden", "m.quintero@brightwell.com"),
                   "Interviewer: Marisol Quintero-Vargas", sender=bot, organizer=bot)
    assert detected(ev)[0] == "Brightwell Home & Garden"


def test_a_charity_keeps_the_words_its_domain_leaves_out() -> None:
    ev = with_text(event("Panel Interview – Program Manager", "tnunez@harvestcommons.org"),
                   "Warmly,\nRenée Dubois-Laurent\nHR & Operations Director, Harvest Commons "
                   "Food Network\n")
    assert detected(ev)[0] == "Harvest Commons Food Network"


def test_a_project_keeps_its_last_word() -> None:
    ev = with_text(event("Second Interview", "amara.nwosu@riverstoneliteracy.org"),
                   "A conversation about grant reporting. – Riverstone Literacy Project")
    assert detected(ev)[0] == "Riverstone Literacy Project"


def test_a_talent_teams_organizer_name_names_the_employer() -> None:
    ev = replace(event("Interview: Registered Nurse - Cardiovascular ICU (R-0044127)",
                       "c.ng@bayviewhealth.org"),
                 organizer=Attendee("talent@myworkday.com", "Bayview Health Talent Acquisition"))
    assert detected(ev)[0] == "Bayview Health"


def test_a_no_reply_senders_name_is_the_organisation() -> None:
    trust = Attendee("no-reply@trac.jobs", "Riverside University Hospitals NHS Foundation Trust")
    ev = with_text(event("Interview Confirmation - Staff Nurse - 284-RUH-7781", "s.w@nhs.net"),
                   "Interview panel: Sarah Whitlock, Ward Manager", sender=trust,
                   organizer=trust)
    assert detected(ev)[0] == "Riverside University Hospitals NHS Foundation Trust"


def test_a_research_institute_keeps_what_it_is_for() -> None:
    ev = with_text(event("Postdoc interview – Alex Rivera", "ingrid.h@kessler-institute.org"),
                   "Best,\nIngrid Halvorsen\nKessler Institute for Biomedical Research, Boston")
    assert detected(ev)[0] == "Kessler Institute for Biomedical Research"
    uni = with_text(event("Faculty Search – Zoom interview", "janet.cole@lakeshore.edu"),
                    "Janet Cole\nDepartment of Computer Science, Lakeshore State University")
    assert detected(uni)[0] == "Lakeshore State University"


def test_a_field_of_work_is_not_the_employer_and_the_fullest_spelling_wins() -> None:
    ev = with_text(event("Campus visit itinerary (ECE faculty search)",
                         "rabernathy@ece.harrowgate.edu"),
                   "We are delighted to welcome you to Harrowgate for your on-campus interview "
                   "for the Assistant Professor position in Electrical and Computer "
                   "Engineering.\n\nBest regards,\nPatricia Nguyen\nHarrowgate University")
    assert detected(ev)[0] == "Harrowgate University"


def test_the_writers_job_names_the_employer_in_a_text_like_mail() -> None:
    gm = Attendee("marcobellini.gm@gmail.com", "Marco Bellini")
    ev = with_text(event("server interview", "marcobellini.gm@gmail.com"),
                   "hey Alex! its Marco, GM at Basil & Ember on Fulton St. got ur application",
                   sender=gm, organizer=gm)
    ev = replace(ev, mail=replace(ev.mail, text=ev.description, body_only=True))
    assert detected(ev)[0] == "Basil & Ember"
