"""Schedules and interviewer lists in invite descriptions."""

from __future__ import annotations

import time

import pytest

from afterword.plugin.detect.itinerary import (
    ScheduledPerson,
    description_text,
    looks_like_title,
    named_in_title,
    parse_itinerary,
    parse_person,
    tidy_title,
)

P = ScheduledPerson


def people(description: str) -> list[ScheduledPerson]:
    """Those the description lists as interviewers."""
    return [p for p in parse_itinerary(description_text(description)) if p.listed]


def mentions(description: str) -> list[ScheduledPerson]:
    return [p for p in parse_itinerary(description_text(description)) if not p.listed]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "2:00 PM Marcus O'Neil (Principal Engineer) – Systems design",
            P("Marcus O'Neil", "Principal Engineer", "Systems design"),
        ),
        (
            "2:00 – 2:45pm: Priya Shah, Engineering Manager — Behavioral",
            P("Priya Shah", "Engineering Manager", "Behavioral"),
        ),
        (
            "14:00–14:45 CET | Dana Lee | Staff Data Scientist | SQL deep dive",
            P("Dana Lee", "Staff Data Scientist", "SQL deep dive"),
        ),
        (
            "10am - 11am: Coding with Tom Baker (Senior Software Engineer)",
            P("Tom Baker", "Senior Software Engineer", "Coding"),
        ),
        (
            "3:30 PM EST - Behavioral: Wei Zhang, Director, Engineering",
            P("Wei Zhang", "Director, Engineering", "Behavioral"),
        ),
        (
            "11:00 AM Marcus O'Neil - Principal Engineer - Architecture review",
            P("Marcus O'Neil", "Principal Engineer", "Architecture review"),
        ),
        ("2:00 PM Priya (Engineering Manager)", P("Priya", "Engineering Manager", None)),
        ("2:00 PM Ana Ruiz", P("Ana Ruiz", None, None)),
        ("- Marcus O'Neil, Principal Engineer: Systems design",
         P("Marcus O'Neil", "Principal Engineer", "Systems design")),
        ("• José Álvarez (Staff Engineer)", P("José Álvarez", "Staff Engineer", None)),
        ("Marcus O'Neil (he/him) (Principal Engineer)",
         P("Marcus O'Neil", "Principal Engineer", None)),
        ("Priya Shah (she/her) – Engineering Manager",
         P("Priya Shah", "Engineering Manager", None)),
    ],
)
def test_schedule_layouts(line: str, expected: ScheduledPerson) -> None:
    assert people(f"Hello Alex,\n\n{line}\n") == [expected]


def test_a_full_schedule_keeps_its_order_and_skips_breaks() -> None:
    found = people(
        "Hi Alex, here is your onsite schedule:\n\n"
        "1:00 PM Welcome & check-in\n"
        "1:15 PM Marcus O'Neil (Principal Engineer) – Systems design\n"
        "2:00 PM Lunch break\n"
        "2:45 – 3:30pm: Priya Shah, Engineering Manager — Behavioral\n"
        "3:30 PM Wrap-up\n\n"
        "Thanks,\nJane Doe\nSenior Technical Recruiter | Acme\n"
    )
    assert [p.name for p in found] == ["Marcus O'Neil", "Priya Shah"]


@pytest.mark.parametrize(
    ("description", "names"),
    [
        ("Interviewers: Ann Lee, Bob Stone and Carla Diaz", ["Ann Lee", "Bob Stone", "Carla Diaz"]),
        ("Interviewer(s): Marcus O'Neil", ["Marcus O'Neil"]),
        ("Interviewers: Ann, Bob & Carla Diaz.", ["Ann", "Bob", "Carla Diaz"]),
        ("Your interviewers will be Priya and Marcus O'Neil.", ["Priya", "Marcus O'Neil"]),
        ("You'll be meeting with Priya Shah (Engineering Manager) and Tom Baker",
         ["Priya Shah", "Tom Baker"]),
        ("Panel: Ann Lee; Bob Stone", ["Ann Lee", "Bob Stone"]),
        ("You'll meet with:\n- Priya Shah\n- Wei Zhang\n\nPlease arrive early.\nBob Smith",
         ["Priya Shah", "Wei Zhang"]),
        ("Interview schedule\n\nAnn Lee\nBob Stone\n", ["Ann Lee", "Bob Stone"]),
    ],
)
def test_interviewer_lists(description: str, names: list[str]) -> None:
    assert [p.name for p in people(description)] == names


def test_list_item_title_attaches_to_the_person_before_it() -> None:
    assert people("Interviewers: Priya Shah, Engineering Manager") == [
        P("Priya Shah", "Engineering Manager")
    ]


def test_an_address_on_the_line_is_kept() -> None:
    assert people("2:00 PM Marcus O'Neil <marcus@acme.com> – Systems design") == [
        P("Marcus O'Neil", None, "Systems design", "marcus@acme.com")
    ]


def test_duplicates_merge_keeping_the_details() -> None:
    found = people(
        "Interviewers: Marcus O'Neil and Priya Shah\n\n"
        "2:00 PM Marcus O'Neil (Principal Engineer) – Systems design\n"
    )
    assert found == [P("Marcus O'Neil", "Principal Engineer", "Systems design"), P("Priya Shah")]


ZOOM = """Alex Rivera is inviting you to a scheduled Zoom meeting.

Join Zoom Meeting
https://acme.zoom.us/j/81234567890?pwd=abcdef

Meeting ID: 812 3456 7890
Passcode: 123456
One tap mobile
+16465588656,,81234567890#,,,,*123456# US (New York)
+16699009128,,81234567890#,,,,*123456# US (San Jose)

Dial by your location
        +1 646 558 8656 US (New York)
        +1 669 900 9128 US (San Jose)
Meeting ID: 812 3456 7890
Find your local number: https://acme.zoom.us/u/abc
"""
MEET = """-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-
Join with Google Meet: https://meet.google.com/abc-defg-hij
Or dial: (US) +1 470-123-4567 PIN: 123456789#
More phone numbers: https://tel.meet/abc-defg-hij?pin=123
Learn more about Meet at: https://support.google.com/a/users/answer/9282720
Please do not edit this section.
-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-
"""
TEAMS = """________________________________________________________________________________
Microsoft Teams meeting
Join on your computer, mobile app or room device
Click here to join the meeting
Meeting ID: 231 456 789 012
Passcode: Ab12Cd
Download Teams | Join on the web
Join with a video conferencing device
Video Conference ID: 123 456 789 0
Alternate VTC instructions
Or call in (audio only)
+1 323-555-0100,,123456789# United States, Los Angeles
Phone Conference ID: 123 456 789#
Find a local number | Reset PIN
Learn More | Meeting options
________________________________________________________________________________
"""
WEBEX = """Cisco Webex Meeting
Meeting number (access code): 2634 123 4567
Meeting password: aBcD1234
Host: Jane Doe
Join by phone
+1-415-655-0001 US Toll
"""


@pytest.mark.parametrize("boilerplate", [ZOOM, MEET, TEAMS, WEBEX])
def test_dial_in_boilerplate_names_nobody(boilerplate: str) -> None:
    assert people(boilerplate) == []
    assert people(f"Schedule:\n{boilerplate}") == []
    assert people(f"<p>Schedule:</p><p>{boilerplate.replace(chr(10), '<br>')}</p>") == []


def test_boilerplate_around_a_schedule_leaves_only_the_schedule() -> None:
    found = people(f"{ZOOM}\nSchedule:\n2:00 PM Priya Shah – Behavioral\n\n{MEET}{TEAMS}")
    assert found == [P("Priya Shah", None, "Behavioral")]


@pytest.mark.parametrize(
    "prose",
    [
        "Thanks for your interest in Acme! We're excited to move forward.",
        "Please join us for a Technical Screen with our team.",
        "Best,\nJane Doe\nSenior Technical Recruiter | Acme",
        "Jane Doe, Recruiting Coordinator",
        "Location: Building 4, Floor 2\nParking: Visitor lot",
        "Time | Interviewer | Title | Focus",
        "Systems Design (60 min)",
        "Monday, March 3",
        "Schedule:\nHost: Jane Doe\nRecruiter: Ann Lee\nContact: Bob Stone (Coordinator)",
    ],
)
def test_prose_and_signatures_name_nobody(prose: str) -> None:
    assert people(prose) == []


def test_html_description_is_flattened() -> None:
    html = (
        "<p>Hi Alex,</p><p><b>Schedule:</b></p><ul>"
        "<li><b>2:00 PM</b> Marcus O&#39;Neil (Principal Engineer) &ndash; Systems design</li>"
        "<li>2:45 PM Priya&nbsp;Shah, Engineering Manager &mdash; Behavioral</li></ul>"
        "<table><tr><td>3:30 PM</td><td>Dana Lee</td><td>Staff Engineer</td>"
        "<td>Coding</td></tr></table>"
        '<p><a href="https://acme.zoom.us/j/1">Join Zoom Meeting</a><br>Meeting ID: 123 4567 8901'
        "</p><script>var x = 'Evil Person (Chief Engineer)';</script>"
    )
    assert people(html) == [
        P("Marcus O'Neil", "Principal Engineer", "Systems design"),
        P("Priya Shah", "Engineering Manager", "Behavioral"),
        P("Dana Lee", "Staff Engineer", "Coding"),
    ]


def test_plain_text_with_an_address_in_brackets_is_not_html() -> None:
    assert "<marcus@acme.com>" in description_text("Marcus O'Neil <marcus@acme.com>")


def test_huge_description_is_read_only_up_to_the_cap_and_fast() -> None:
    head = "Schedule:\n2:00 PM Marcus O'Neil (Principal Engineer) – Systems design\n\n"
    filler = "Lorem ipsum dolor sit amet, Consectetur Adipiscing (Senior Engineer).\n" * 16_000
    tail = "\n3:00 PM Late Person (Staff Engineer) – never read\n"
    started = time.perf_counter()
    found = people(head + filler + tail)
    html_found = people("<div>" + head.replace("\n", "<br>") + "<p>x</p>" * 200_000 + "</div>")
    elapsed = time.perf_counter() - started
    assert len(head + filler + tail) > 1_000_000
    assert [p.name for p in found] == ["Marcus O'Neil"]
    assert [p.name for p in html_found] == ["Marcus O'Neil"]
    assert elapsed < 2.0


def test_one_line_without_breaks_is_bounded() -> None:
    started = time.perf_counter()
    assert people("Marcus " * 200_000) == []
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("segment", "allow_single", "expected"),
    [
        ("Systems design (Marcus O'Neil)", False, P("Marcus O'Neil", None, "Systems design")),
        ("Priya", True, P("Priya")),
        ("Priya", False, None),
        ("Meeting ID: 123", False, None),
        ("Join Zoom Meeting", False, None),
        ("Data Corp", False, None),
    ],
)
def test_parse_person(segment: str, allow_single: bool, expected: ScheduledPerson | None) -> None:
    assert parse_person(segment, allow_single=allow_single) == expected


@pytest.mark.parametrize(
    ("summary", "names"),
    [
        ("Interview with Marcus O'Neil", ["Marcus O'Neil"]),
        ("Acme <> Priya Shah", ["Priya Shah"]),
        ("Phone screen with Acme", []),
        ("Interview with Globex Industries", []),
        ("Acme Onsite", []),
    ],
)
def test_named_in_title(summary: str, names: list[str]) -> None:
    assert [p.name for p in named_in_title(summary)] == names


@pytest.mark.parametrize(
    ("prose", "expected"),
    [
        ("Round 2 (Tokyo afternoon): data platform deep dive with Haruto Sato.",
         P("Haruto Sato", None, "data platform deep dive", listed=False)),
        ("Final conversation with Marcus \"Mac\" O'Neil about the team's roadmap.",
         P("Marcus O'Neil", None, "the team's roadmap", listed=False, greeting="Mac")),
        ("Coffee with Priya Shah on Tuesday", P("Priya Shah", None, None, listed=False)),
    ],
)
def test_people_only_mentioned_in_prose_are_marked(prose: str, expected: ScheduledPerson) -> None:
    assert people(prose) == []
    assert mentions(prose) == [expected]


def test_the_signature_after_the_signoff_is_only_a_mention() -> None:
    text = "Thanks,\nJane Doe\nSenior Technical Recruiter"
    assert people(text) == []
    assert mentions(text) == [P("Jane Doe", "Senior Technical Recruiter", listed=False)]


def test_a_signature_title_line_names_the_employer_not_another_person() -> None:
    text = ("Talk soon!\n\nDelphine Harlow\n"
            "Talent Acquisition Specialist | Juniper Ridge Credit Union\nDirect: 316-555-0164")
    assert mentions(text) == [P("Delphine Harlow", "Talent Acquisition Specialist",
                                listed=False)]


# --- layouts met in a blind batch -------------------------------------------------------------


def test_a_line_break_inside_a_table_row_keeps_the_row_together() -> None:
    html = (
        "<p><b>Your schedule</b></p><table>"
        "<tr><td>1:00 PM &ndash; 1:45 PM</td><td><strong>Ingrid Solheim, PhD</strong><br>"
        "Director of Machine Learning</td><td>ML systems design</td></tr>"
        "<tr><td>10:00 &ndash; 10:45 AM</td><td><b>Graphics systems deep dive</b><br>"
        "with Priyanka Deshmukh</td></tr></table>"
    )
    assert people(html) == [
        P("Ingrid Solheim", "Director of Machine Learning", "ML systems design"),
        P("Priyanka Deshmukh", None, "Graphics systems deep dive"),
    ]


def test_a_field_rows_value_cell_is_a_list_one_person_per_line() -> None:
    html = ('<table><tr><td>Interview:</td><td><b>Design Exercise Review</b></td></tr>'
            '<tr><td style="vertical-align:top">Interviewers:</td><td>Ayelet Ben-David '
            "(Staff Product Designer)<br>Jonas Pettersson-Ruiz (Head of Product)</td></tr>"
            "</table>")
    assert people(html) == [P("Ayelet Ben-David", "Staff Product Designer"),
                            P("Jonas Pettersson-Ruiz", "Head of Product")]
    workday = ("<table><tr><td>Interviewer(s):</td><td>Rosalind Achterberg, Vice President - "
               "Commercial Lending Finance<br>Naveen Subramaniam, Senior Manager - FP&amp;A</td>"
               "</tr></table>")
    assert [p.name for p in people(workday)] == ["Rosalind Achterberg", "Naveen Subramaniam"]
    timed = ("<table><tr><td>2:00 PM:</td><td><b>Marcus O'Neil</b><br>Principal Engineer</td>"
             "</tr></table>")  # a slot's time ending in a colon: name and title still
    assert people(timed) == [P("Marcus O'Neil", "Principal Engineer")]


def test_a_layout_row_keeps_its_line_breaks() -> None:
    html = ("<table><tr><td><p>Hi Alex,</p><table><tr><td>x</td></tr></table></td>"
            "<td>Best,<br>Mina Park<br>Recruiting Coordinator</td></tr></table>")
    lines = [line.strip(" |") for line in description_text(html).split("\n")]
    assert "Mina Park" in lines
    assert "Recruiting Coordinator" in lines


def test_a_degree_after_the_name_is_not_a_topic() -> None:
    assert people("1:00 PM · Ingrid Solheim, PhD · Director of Machine Learning") == [
        P("Ingrid Solheim", "Director of Machine Learning", None)]


@pytest.mark.parametrize("skill", ["Python", "TypeScript", "PostgreSQL", "SQL"])
def test_a_technology_in_brackets_is_not_a_person(skill: str) -> None:
    assert parse_person(f"Coding ({skill})", allow_single=True) is None
    block = f"1:45 PM | Kofi Mensah-Asare\nSenior Software Engineer | Coding ({skill}) |"
    assert people(block) == [
        P("Kofi Mensah-Asare", "Senior Software Engineer", f"Coding ({skill})")]


def test_a_casual_list_after_meet_w_keeps_a_name_typed_in_lower_case() -> None:
    prose = ("you'll meet w/ dana okafor (EM, Platform) + Rui Carvalho (staff eng, maps "
             "rendering). Dana will kick things off with ~15 min on your background.")
    assert [(p.name, p.title, p.topic) for p in people(prose)] == [
        ("Dana Okafor", "EM, Platform", None),
        ("Rui Carvalho", "staff eng, maps rendering", None),
    ]


def test_pronouns_in_lower_case_are_not_a_name() -> None:
    assert people("You'll meet me first (I'm the hiring manager), then Tom.") == []


def test_a_quotation_and_its_signature_name_nobody() -> None:
    on_two_lines = ("A word from our co-founder\n“We hire people who like sitting next to "
                    "the people they build for.”\n— Ottilie Brandvold, Co-founder & CEO")
    on_one_line = ('"We build tools for artists. We hire people who like them." - Ottilie '
                   "Brandvold, Co-founder & CEO")
    assert parse_itinerary(on_two_lines) == ()
    assert parse_itinerary(on_one_line) == ()
    assert people("Ottilie Brandvold, Co-founder & CEO") == [
        P("Ottilie Brandvold", "Co-founder & CEO")]
    assert people('10:00 AM "Systems design" – Jane Doe, Staff Engineer') == [
        P("Jane Doe", "Staff Engineer", "Systems design")]  # a quoted slot is no quotation


def test_a_bio_card_gives_its_title_to_the_person_named_above() -> None:
    bios = ("Your schedule\n10:45 – 11:30 AM | Team & values | with Benedict Ocampo |\n\n"
            "Meet your interviewers\n\nBenedict Ocampo\n\nEngineering Director\n\n"
            "Benedict leads the Tools & Pipeline org and has hired most of it.")
    assert people(bios) == [P("Benedict Ocampo", "Engineering Director", "Team & values")]


def test_field_blocks_under_an_interviewer_label() -> None:
    blocks = ("Interviewer: Beatriz Ahn-Morales\nTitle: Lead Data Engineer\n"
              "Time: 2:00 PM - 2:45 PM EST\nFocus: Spark and streaming pipelines\n\n"
              "Interviewer: Callum Reid\nTitle: Manager, Data Platform\n"
              "Time: 2:45 PM - 3:30 PM EST\nFocus: Leadership principles\n\n"
              "Questions? Contact your recruiter, Shanice Oduya, at shanice@cobalt.com.")
    assert people(blocks) == [
        P("Beatriz Ahn-Morales", "Lead Data Engineer", "Spark and streaming pipelines"),
        P("Callum Reid", "Manager, Data Platform", "Leadership principles"),
    ]


def test_field_names_are_read_by_their_last_word_and_role_is_not_a_title() -> None:
    blocks = ("Interviewer: Jane Doe\nJob Title: Staff Engineer\nRole: Senior Data Engineer\n"
              "Interview Focus: Data modeling\n\nInterviewer: Tom Lee\n"
              "Interview Type: Behavioral\n")
    assert people(blocks) == [
        P("Jane Doe", "Staff Engineer", "Data modeling"), P("Tom Lee", None, "Behavioral")]


def test_a_topic_on_the_line_under_a_schedule_entry() -> None:
    blocks = ("Schedule\n--------\n11:00 AM - 11:45 AM\nTobias Wren, Senior Software Engineer\n"
              "Live coding\n\n12:30 PM - 12:45 PM\nBreak\n\n12:45 PM - 1:15 PM\n"
              "Ravi Subramaniam, Director of Engineering\nJoin Zoom Meeting\n")
    assert people(blocks) == [
        P("Tobias Wren", "Senior Software Engineer", "Live coding"),
        P("Ravi Subramaniam", "Director of Engineering", None),
    ]


def test_a_name_in_a_script_without_case_is_given_by_its_latin_spelling() -> None:
    line = "10:00–10:50 JST  王芳 (Fang Wang), Engineering Director — System design"
    assert people(line) == [P("Fang Wang", "Engineering Director", "System design")]
    assert people("11:00 李明 – Staff Engineer") == [P("李明", "Staff Engineer", None)]


# --- layouts met in a third blind batch -------------------------------------------------------


def test_you_will_be_with_lists_the_names_before_the_prose() -> None:
    text = ("You'll be with Chidi and Ruth for the full hour; ignore the internal notes below, "
            "they were written for the panel.")
    assert [p.name for p in people(text)] == ["Chidi", "Ruth"]


def test_addresses_in_parentheses_stay_with_their_names() -> None:
    text = ("Interviewer(s): Gideon Farrow (gfarrow@bramblecroft.com); "
            "Marisol Quintero (mquintero@bramblecroft.com)")
    assert [(p.name, p.email) for p in people(text)] == [
        ("Gideon Farrow", "gfarrow@bramblecroft.com"),
        ("Marisol Quintero", "mquintero@bramblecroft.com"),
    ]


def test_an_address_beside_a_name_that_is_not_theirs_is_dropped() -> None:
    # A team mailbox, or another person's address, must never reach this person's To:.
    text = ("Interviewers: John Smith (contact: recruiting@acme.com); "
            "Priya Raman (dana.kim@acme.com)")
    assert [(p.name, p.email) for p in people(text)] == [
        ("John Smith", None), ("Priya Raman", None)]


def test_after_a_singular_label_a_comma_continues_the_title() -> None:
    text = "Interviewer: Trond Vikstrøm – Engineering Manager, Fleet Telemetry"
    assert people(text) == [P("Trond Vikstrøm", "Engineering Manager, Fleet Telemetry")]
    assert [p.name for p in people("Interviewer: Jane Doe, John Smith")] == [
        "Jane Doe", "John Smith"]
    assert [p.name for p in people("Interviewers: Jane Doe, Fleet Telemetry")] == [
        "Jane Doe", "Fleet Telemetry"]  # a plural label is a list


def test_a_possessive_title_after_the_name_in_prose() -> None:
    text = ("You'll meet Kofi Asante-Boateng, their Head of Data Engineering - expect about "
            "15 minutes on your background.")
    assert people(text) == [P("Kofi Asante-Boateng", "Head of Data Engineering")]


def test_a_table_cell_holding_topic_and_detail_stays_one_topic() -> None:
    html = ("<table><tr><td>12:00 – 12:45</td><td>Coding: data structures</td>"
            "<td>Anselm Kowalczyk, Senior Software Engineer</td></tr></table>")
    assert people(html) == [
        P("Anselm Kowalczyk", "Senior Software Engineer", "Coding: data structures")]


def test_a_table_row_naming_two_people_lists_both() -> None:
    html = ("<table><tr><td>12:50 – 1:35</td><td>System design: metrics pipeline</td>"
            "<td>Farah Siddiqui, Staff Engineer<br>Dmitri Lavrov, Senior Data Engineer</td>"
            "</tr></table>")
    assert people(html) == [
        P("Farah Siddiqui", "Staff Engineer", "System design: metrics pipeline"),
        P("Dmitri Lavrov", "Senior Data Engineer", "System design: metrics pipeline"),
    ]


def test_scheduled_by_names_the_coordinator_not_a_title() -> None:
    text = ("Interviewers:\nRosalind Achterberg\nDevraj Malhotra\n\n"
            "Scheduled by Whitney Gallo, Recruiting Coordinator")
    assert people(text) == [P("Rosalind Achterberg"), P("Devraj Malhotra")]
    assert mentions(text) == [P("Whitney Gallo", "Recruiting Coordinator", listed=False)]


def test_one_name_and_title_in_prose_is_a_mention() -> None:
    text = ("Rescheduled from Tue Dec 1 - Tobias had a conflict, so Marguerite Ellison "
            "(Senior Data Engineer) will run this session instead.")
    assert people(text) == []
    assert mentions(text) == [P("Marguerite Ellison", "Senior Data Engineer", listed=False)]


@pytest.mark.parametrize("signature", [
    "— Wren\nHead of Engineering, Sundial Cartography",
    "Wren\nHead of Engineering, Sundial Cartography",
])
def test_a_first_name_signing_above_a_title(signature: str) -> None:
    text = "Looking forward to it!\n\n" + signature
    assert mentions(text) == [
        P("Wren", "Head of Engineering, Sundial Cartography", listed=False)]
    assert mentions("Bring questions.\n\nWren\n\nHead of Engineering") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Entrevistadores:\n- Javier Molina Ruiz, Ingeniero de Datos Sénior",
         P("Javier Molina Ruiz", "Ingeniero de Datos Sénior")),
        ("Avec : Hélène Marchand-Lefèvre, Responsable Data Engineering",
         P("Hélène Marchand-Lefèvre", "Responsable Data Engineering")),
        ("Ihre Gesprächspartner:\n• Dr. Katrin Oberhuber – Head of Data Platform",
         P("Katrin Oberhuber", "Head of Data Platform", greeting="Dr. Oberhuber")),
        ("Con: Lucía Fernández Ortega, Ingeniera/o de Datos",
         P("Lucía Fernández Ortega", "Ingeniera/o de Datos")),
    ],
)
def test_labels_and_titles_in_other_languages(text: str, expected: ScheduledPerson) -> None:
    assert people(text) == [expected]


def test_a_sign_off_in_another_language_ends_the_panel() -> None:
    text = "Un saludo,\nNerea Aguirre\nTalent Acquisition · Tramontana Pagos"
    assert people(text) == []
    assert mentions(text) == [P("Nerea Aguirre", "Talent Acquisition", listed=False)]


def test_con_and_avec_are_labels_only_before_a_colon() -> None:
    assert people("Con: Marta Ruiz, Pablo Gil") == [P("Marta Ruiz"), P("Pablo Gil")]
    assert people("Mit: Jana Novak und Lena Vogel") == [P("Jana Novak"), P("Lena Vogel")]
    assert people("Con Marta Ruiz y Pablo Gil hablaremos de datos") == []


def test_time_then_topic_then_person_blocks_give_each_person_the_topic() -> None:
    description = (
        "Your day at the Wharf Road studio, Tuesday (Central Time)\n\n"
        "1:00 PM - 1:40 PM\nAccessibility Audit\nSilvia Okafor, Lead Product Designer\n\n"
        "1:40 PM - 2:20 PM\nPortfolio Walkthrough: Mobile Checkout\n"
        "Desmond Achterberg, Design Manager\n\n"
        "2:20 PM - 2:50 PM\nCoffee with the crew (casual, no feedback collected)\n\n"
        "2:50 PM - 3:30 PM\nClosing Conversation\nRuth Ibarra\n"
    )
    assert people(description) == [
        P("Silvia Okafor", "Lead Product Designer", "Accessibility Audit"),
        P("Desmond Achterberg", "Design Manager", "Portfolio Walkthrough: Mobile Checkout"),
        P("Ruth Ibarra", None, "Closing Conversation"),
    ]
    assert mentions(description) == []


def test_a_topic_and_name_line_under_a_time_is_still_one_entry() -> None:
    """"Coding: Ivo Marsh" after a time is a slot naming Ivo, not a block's topic line."""
    description = "9:00 AM - 9:45 AM\nCoding: Ivo Marsh, Staff Engineer\nBring a laptop\n"
    assert people(description) == [P("Ivo Marsh", "Staff Engineer", "Coding")]


@pytest.mark.parametrize("middle", ["Accessibility Audit", "Priya Shah"])
def test_a_lone_block_whose_topic_could_be_a_name_lists_the_person_without_it(
        middle: str) -> None:
    """Nothing else shows the layout, so the line may be a name: no topic, and the next line
    is its own person, not that name's title."""
    description = f"10:00 AM - 10:45 AM\n{middle}\nSilvia Okafor, Lead Product Designer\n"
    assert people(description) == [P("Silvia Okafor", "Lead Product Designer")]


# --- panels outside tech --------------------------------------------------------------------


def test_a_panel_introduced_by_title_is_greeted_by_title_and_surname() -> None:
    text = ("Your interview panel:\nDr. Helen O'Brien (Assistant Principal)\n"
            "Mr. James Okafor (Head of Maths)\nMs Priya Shah, Head of Year 9\n"
            "Cllr. Joan Baker, Chair of Governors\nTom Reid (Deputy Headteacher)")
    assert people(text) == [
        P("Helen O'Brien", "Assistant Principal", greeting="Dr. O'Brien"),
        P("James Okafor", "Head of Maths", greeting="Mr. Okafor"),
        P("Priya Shah", "Head of Year 9", greeting="Ms Shah"),
        P("Joan Baker", "Chair of Governors", greeting="Cllr. Baker"),
        P("Tom Reid", "Deputy Headteacher"),
    ]


@pytest.mark.parametrize("title", [
    "Head of Year 9", "Year 6 Teacher", "Deputy Headteacher", "Ward Sister", "SENCo",
    "Senior Paralegal", "Credit Risk Underwriter", "Branch Manager", "Executive Assistant",
])
def test_titles_from_schools_wards_banks_and_law_firms(title: str) -> None:
    assert looks_like_title(title)


@pytest.mark.parametrize("text", ["2:00 PM", "Room 2041", "10/12", "Behavioral"])
def test_times_numbers_and_topics_are_not_titles(text: str) -> None:
    assert not looks_like_title(text)


@pytest.mark.parametrize(("title", "tidy"), [
    ("Engagement Manager (Healthcare & Public Sector)", "Engagement Manager"),
    ("Deputy Director, Flood Resilience Policy (Panel Chair)",
     "Deputy Director, Flood Resilience Policy"),
    ("Ingeniera (Datos)", "Ingeniera"),
    ("(Staff Engineer)", "(Staff Engineer)"),  # nothing would be left: kept as written
])
def test_an_aside_after_a_title_goes(title: str, tidy: str) -> None:
    assert tidy_title(title) == tidy


def test_an_address_written_elsewhere_is_theirs_when_built_from_their_name() -> None:
    text = ("Interviewer: Seán Ó Briain, Senior Talent Acquisition Partner\n\n"
            "Questions? Contact Seán directly at sean.obriain@brightwellhg.com or our team at "
            "talent@brightwellhg.com.")
    [person] = people(text)
    assert person.email == "sean.obriain@brightwellhg.com"
    twice = text + " (or sean_obriain@brightwell-retail.com)"
    assert [p.email for p in people(twice)] == [None]  # two of his: not sure which
    assert [p.email for p in people(text.replace("sean.obriain@", "hiring@"))] == [None]


def test_an_elided_particle_starts_a_surname() -> None:
    assert people("2:00 PM | Beatriz d'Almeida | Staff Engineer | Coding |\n"
                  "3:00 PM | Marco dell'Acqua | Engineering Manager |") == [
        P("Beatriz d'Almeida", "Staff Engineer", "Coding"),
        P("Marco dell'Acqua", "Engineering Manager")]


def test_given_names_that_are_also_words_stay_names() -> None:
    assert [p.name for p in people("Interviewers:\nCharity Okafor\nDean Thomas\nHope Lee")] == [
        "Charity Okafor", "Dean Thomas", "Hope Lee"]


@pytest.mark.parametrize("title", [
    "Bereichsleiter IT", "Teamleiterin Backend", "Teamleider Data & Analytics", "Hoofd IT",
    "Responsable RH", "Directeur technique", "Personalreferentin",
])
def test_titles_written_as_one_compound_or_in_other_languages(title: str) -> None:
    assert looks_like_title(title)


def test_a_german_panel_keeps_each_persons_title() -> None:
    assert people("Ihre Gesprächspartner:\n• Dr. Sabine Großmann, Leiterin Personal\n"
                  "• Jörg Müller, Bereichsleiter IT") == [
        P("Sabine Großmann", "Leiterin Personal", greeting="Dr. Großmann"),
        P("Jörg Müller", "Bereichsleiter IT")]


def test_a_list_of_names_in_a_row_is_everyone_on_it_and_the_restaurant_is_no_one() -> None:
    row = ("2:45 – 3:15 PM | Meeting with graduate students: Mei Tanaka, Jonah Pierce, "
           "Aisha Rahman | Phillips Hall 203 |\n"
           "12:00 – 1:15 PM | Lunch with the search committee: Prof. Ruth Abernathy, "
           "Prof. Samuel Achebe | Carpenter Faculty Club |\n"
           "6:30 PM | Dinner with Prof. Osei and Prof. Yamamoto | Taverna Banfi, 7 College Ave |")
    names = [p.name for p in people(row) if p.listed]
    assert names[:5] == ["Mei Tanaka", "Jonah Pierce", "Aisha Rahman", "Ruth Abernathy",
                         "Samuel Achebe"]
    assert "Taverna Banfi" not in names


def test_dean_of_a_college_is_a_title_and_dean_is_still_a_name() -> None:
    assert looks_like_title("Dean of the College of Engineering")
    assert [p.name for p in people("Interviewers:\nDean Thomas\nPriya Shah")] == [
        "Dean Thomas", "Priya Shah"]


def test_a_title_continued_into_its_department_after_a_dash_keeps_it() -> None:
    text = ("Interview Panel:\n1. Mr. Venkataraman Subramanian - AVP - Engineering\n"
            "2. Naveen Subramaniam, Senior Manager - FP&A\n"
            "3. Marcus O'Neil, Principal Engineer - Systems design\n")
    assert [(p.name, p.title, p.topic) for p in people(text)] == [
        ("Venkataraman Subramanian", "AVP - Engineering", None),
        ("Naveen Subramaniam", "Senior Manager - FP&A", None),
        ("Marcus O'Neil", "Principal Engineer", "Systems design"),  # a session, not a team
    ]


def test_a_session_line_above_the_interviewer_is_their_topic() -> None:
    text = ("Role: Staff Software Engineer\nSession: Coding\n"
            "Interviewer: Adaeze Nwosu – Senior Software Engineer, Ledger\n")
    assert [p for p in people(text) if p.listed] == [
        P("Adaeze Nwosu", "Senior Software Engineer, Ledger", "Coding")]
