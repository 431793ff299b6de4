"""Word lists the detectors share, kept in one place so a new case is a one-line change.

Everything is lower-case; callers compare casefolded, accent-stripped words.
"""

from __future__ import annotations

import re

# Words that make a phrase a job title ("Principal Engineer", "Head of Data").
JOB_WORDS = frozenset({
    "engineer", "engineers", "manager", "director", "recruiter", "lead", "head", "vp", "svp",
    "evp", "avp", "president", "designer", "scientist", "analyst", "founder", "cofounder",
    "co-founder", "ceo", "cto", "cfo", "coo", "cpo", "cmo", "cio", "ciso", "architect",
    "developer", "coordinator", "specialist", "officer", "consultant", "researcher",
    "sourcer", "partner", "intern", "programmer", "administrator", "advisor", "adviser",
    "counsel", "executive", "chief", "fellow", "professor", "associate", "sre", "swe", "sde",
    "em", "pm", "tpm", "owner", "strategist", "accountant", "editor", "writer", "staff",
    "principal", "generalist", "technician", "operator", "representative", "producer",
}) | frozenset({  # outside tech: schools, care, law, finance, the public sector, retail
    "teacher", "headteacher", "headmaster", "headmistress", "deputy", "lecturer", "tutor",
    "provost", "registrar", "librarian", "senco", "governor", "governors", "trustee", "chair",
    "nurse", "sister", "matron", "midwife", "physician", "surgeon", "clinician", "therapist",
    "pharmacist", "practitioner", "paralegal", "solicitor", "barrister", "attorney", "lawyer",
    "clerk", "councillor", "treasurer", "secretary", "superintendent", "inspector", "supervisor",
    "controller", "auditor", "underwriter", "banker", "economist", "actuary", "member", "planner",
    "assistant", "chef", "caseworker", "worker", "commissioner", "buyer", "merchandiser",
    "broker", "agent", "bartender", "barista", "cashier", "waiter", "waitress",
    "receptionist", "concierge", "housekeeper",
}) | frozenset({  # the same in the languages invites from Europe come in
    "ingeniero", "ingeniera", "ingénieur", "ingénieure", "ingenieur", "ingenieurin",
    "ingegnere", "responsable", "responsabile", "directeur", "directrice", "directora",
    "direttore", "direttrice", "leiter", "leiterin", "jefe", "jefa", "gerente", "chargé",
    "chargée", "entwickler", "entwicklerin", "desarrollador", "desarrolladora", "développeur",
    "développeuse", "sviluppatore", "sviluppatrice", "analista", "analyste", "arquitecto",
    "arquitecta", "architecte", "geschäftsführer", "geschäftsführerin", "teamleiter",
    "teamleiterin", "abteilungsleiter", "abteilungsleiterin", "reclutadora", "reclutador",
    "recruteur", "recruteuse", "personalreferent", "personalreferentin",
})

# German and Dutch write a job as one compound word ("Bereichsleiter", "Teamleider"): a word
# ending in one of these is a job word too.
_JOB_ENDINGS = (
    "leiter", "leiterin", "leider", "leidster", "manager", "managerin", "ingenieur",
    "ingenieurin", "entwickler", "entwicklerin", "berater", "beraterin", "referent",
    "referentin", "direktor", "direktorin", "vorstand", "beauftragter", "beauftragte",
    "medewerker", "adviseur", "directeur", "verantwoordelijke",
)
# Job words that are also given names ("Dean"): they make a title, never a non-name.
TITLE_ONLY_JOB_WORDS = frozenset({"hoofd", "teamleider", "afdelingshoofd", "dean"})


def is_job_word(word: str) -> bool:
    """A word that makes a phrase a job title: "engineer", "Bereichsleiter", "hoofd"."""
    word = word.casefold()
    return word in JOB_WORDS or word in TITLE_ONLY_JOB_WORDS or (
        len(word) > 8 and word.endswith(_JOB_ENDINGS))


# Titles of people who arrange interviews rather than hold them: named only in the prose or
# signature of an invite, they are not interviewers.
COORDINATION_WORDS = frozenset({
    "coordinator", "scheduler", "scheduling", "recruiter", "recruiting", "recruitment",
    "sourcer", "talent", "acquisition", "recrutement", "recruteur", "recruteuse",
    "reclutamiento", "reclutador", "reclutadora", "personalreferent", "personalreferentin",
})

# Words that qualify a job word inside a title ("Senior Software Engineer", "Head of Data").
TITLE_MODIFIERS = frozenset({
    "senior", "sr", "sr.", "junior", "jr.", "staff", "principal", "lead", "head", "chief",
    "associate", "assistant", "deputy", "executive", "global", "regional", "technical",
    "tech", "software", "data", "product", "engineering", "hiring", "program", "project",
    "design", "research", "analytics", "platform", "infrastructure", "machine", "learning",
    "ml", "ai", "security", "sales", "marketing", "people", "talent", "recruiting", "hr",
    "operations", "ops", "backend", "frontend", "full-stack", "fullstack", "mobile", "cloud",
    "devops", "site", "reliability", "qa", "test", "quality", "business", "solutions",
    "customer", "success", "of", "and", "&", "vice", "general", "managing", "founding",
})

# Words that mark a phrase as the kind of interview or a slot's subject, never a title.
TOPIC_MARKERS = frozenset({
    "interview", "interviews", "round", "screen", "screening", "chat", "session",
    "conversation", "call", "dive", "review", "discussion", "exercise", "presentation",
    "lunch", "break", "challenge", "assessment", "walkthrough", "q&a",
})

# Topics that say nothing about what was discussed ("Meet", "Interview").
GENERIC_TOPICS = frozenset({
    "meet", "meeting", "chat", "call", "interview", "session", "conversation", "time", "with",
    "slot", "and", "the", "a", "an", "video", "phone", "virtual", "onsite", "on-site",
    "final", "first", "second", "third", "next", "intro", "introductory", "quick", "round",
    "follow-up", "catch-up", "coffee", "informal", "short", "brief", "1:1", "one-on-one",
})

# Languages, frameworks and tools named in a slot ("Coding (Python)", "TypeScript or Go"):
# capitalised like names, never people. Words that are also given names or surnames (Ruby,
# Julia, Cassandra, Swift, Spark, Kafka, Perl, Haskell, Rust, Docker) are left out on purpose.
TECHNOLOGY_WORDS = frozenset({
    "python", "java", "javascript", "typescript", "golang", "kotlin", "objective-c", "c++",
    "c#", "erlang", "clojure", "php", "matlab", "fortran", "cobol", "sql", "nosql",
    "postgres", "postgresql", "mysql", "sqlite", "mongodb", "redis", "dynamodb", "snowflake",
    "bigquery", "redshift", "databricks", "pyspark", "hadoop", "airflow", "dbt", "pandas",
    "numpy", "pytorch", "tensorflow", "keras", "react", "angular", "vue", "svelte", "flask",
    "fastapi", "rails", "node.js", "nodejs", "graphql", "kubernetes", "terraform", "ansible",
    "aws", "gcp", "azure", "linux", "unix", "git", "html", "css", "figma", "tableau",
    "coderpad", "hackerrank", "codesignal", "leetcode", "jupyter",
})

# Capitalised words that look like name parts but never are ("Systems Design",
# "Join Zoom Meeting", "Data Corp"): a phrase holding one of them is not a person.
NON_NAME_WORDS = frozenset({
    # slots and topics
    "interview", "interviews", "interviewer", "interviewers", "screen", "screening", "call",
    "chat", "lunch", "break", "coffee", "welcome", "intro", "introduction", "introductions",
    "overview", "tour", "wrap", "wrap-up", "closing", "debrief", "q&a", "qa", "session",
    "round", "technical", "tech", "behavioral", "behavioural", "culture", "values", "design",
    "system", "systems", "coding", "code", "pairing", "pair", "programming", "whiteboard",
    "algorithms", "algorithm", "data", "structures", "architecture", "review", "presentation",
    "case", "study", "deep", "dive", "product", "sense", "leadership", "hiring", "team",
    "teams", "meet", "greet", "meeting", "candidate", "panel", "onsite", "on-site", "virtual",
    "final", "check-in", "check", "portfolio", "assessment", "exercise", "challenge",
    "discussion", "conversation", "questions", "experience", "fit", "skills", "problem",
    "solving", "sql", "modeling", "modelling", "analytics", "ml", "machine", "learning",
    "frontend", "backend", "front-end", "back-end", "infrastructure", "security", "strategy",
    "business", "take-home", "homework", "demo", "walkthrough", "feedback", "recap",
    "recruiting", "recruitment", "talent", "acquisition", "careers", "jobs", "operations",
    "management", "stakeholder", "stakeholders", "collaboration", "communication",
    "ownership", "planning", "roadmap", "execution", "partnership", "mentorship",
    "prioritization", "prioritisation",
    # dial-in and calendar boilerplate
    "zoom", "google", "microsoft", "webex", "cisco", "skype", "bluejeans", "gotomeeting",
    "chime", "ringcentral", "join", "dial", "dial-in", "phone", "passcode", "password", "id",
    "pin", "number", "numbers", "link", "video", "conference", "bridge", "tap", "mobile",
    "local", "find", "click", "here", "more", "info", "information", "agenda", "schedule",
    "itinerary", "location", "address", "room", "office", "building", "floor", "lobby",
    "parking", "reception", "calendar", "event", "invitation", "invite", "reply", "options",
    "download", "learn", "web", "app", "computer", "device", "host", "organizer", "organiser",
    "attendees", "guests", "guest", "access", "url", "meet.google.com", "toll",
    "free", "international", "audio", "only", "help", "support", "time", "date", "duration",
    "format", "topic", "focus", "role", "position", "title", "name", "type", "when", "where",
    "who", "what", "why", "how", "note", "notes", "reminder", "important", "prep",
    "preparation", "tips", "resources", "contact", "about", "please", "thanks", "thank",
    "best", "regards", "cheers", "hi", "hello", "dear", "yes", "no", "maybe", "tbd", "tba",
    "the", "our", "your", "you", "we", "us", "all", "everyone", "and", "or", "with", "for",
    "to", "of", "in", "on", "at", "by", "from", "am", "pm", "est", "pst", "utc", "gmt",
    # company-name suffixes
    "inc", "inc.", "llc", "ltd", "ltd.", "corp", "corp.", "corporation", "co.", "gmbh", "plc",
    "labs", "lab", "technologies", "technology", "software", "group", "holdings",
    "ai", "bank", "capital", "health", "solutions", "ventures", "partners", "studio",
    "studios", "games", "university", "institute", "foundation", "industries", "networks",
    "media", "energy", "robotics", "dynamics", "therapeutics", "biosciences", "pharma",
    "motors", "insurance", "financial", "consulting", "digital", "interactive",
    "entertainment", "logistics", "cloud", "works", "company", "enterprises", "global",
    "brands", "foods", "markets", "payments", "bio", "agency", "associates",
    # schools, hospitals, charities and the public sector ("Holloway Fields Academy")
    "academy", "school", "schools", "district", "trust", "council", "hospital", "college",
    "clinic", "centre", "center", "society", "association", "authority",
    "department", "ministry", "directorate", "nhs", "hs", "stores", "savings", "bancorp",
    "county", "borough",
    # departments and regions that sign mail or follow a title ("Area Manager – Great Lakes")
    "human", "region", "regional", "lakes", "midwest", "metro", "greater", "coast",
    "northeast", "northwest", "southeast", "southwest",
    # the UK civil service's behaviours, listed in every invitation's prose
    "delivering", "communicating", "influencing", "together", "developing", "managing",
    "seeing", "changing", "improving", "behaviours", "behaviors", "strengths",
    # what an ATS's field labels and footers hold ("Job Requisition:", "Member FDIC")
    "requisition", "req", "fdic", "member", "members",
    # where an itinerary's dinner or coffee happens ("Taverna Banfi, 7 College Ave")
    "taverna", "trattoria", "restaurant", "ristorante", "bistro", "brasserie", "cafe", "café",
    "grill", "inn", "hotel", "pub", "tavern", "diner", "eatery", "steakhouse",
    # weekdays and months
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "september", "october", "november", "december",
}) | JOB_WORDS | TECHNOLOGY_WORDS

# Degrees and certifications after a name ("Ingrid Solheim, PhD"): never a title or a topic.
CREDENTIALS = frozenset({
    "phd", "md", "mba", "msc", "bsc", "cpa", "pe", "esq", "pmp", "rn", "dds", "jd", "llm",
    "mphil", "dphil", "edd", "cfa", "frm", "cissp", "shrm-cp", "shrm-scp", "sphr", "phr",
    "meng", "beng", "mfa", "mpa", "mph", "facs", "ceng", "psyd", "ma", "ms", "ba", "bs",
})

# Lower-case name particles that stay lower-case inside a name ("Ludwig van Beethoven").
PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le", "dos",
    "das", "bin", "ibn", "y", "ter", "ten", "zu", "af", "al",
})

# Words that end a company's name ("Brackenridge Capital", "Acme Labs"): after a word spelled
# like the company's domain, they still belong to the name.
# Legal forms after a company's name ("Isarwerk Mobility GmbH", "Acme, Inc.", "… AS").
LEGAL_FORMS = frozenset({
    "gmbh", "ag", "kg", "se", "sa", "sas", "sarl", "sl", "slu", "srl", "spa", "bv", "nv", "as",
    "asa", "ab", "oy", "aps", "kk", "pty", "pte", "na", "lp", "llp", "plc", "ltd", "inc", "co",
    "llc", "corp", "corporation", "incorporated", "limited",
})
COMPANY_SUFFIXES = frozenset({
    "inc", "inc.", "llc", "ltd", "ltd.", "corp", "corp.", "corporation", "co", "co.", "gmbh",
    "plc", "labs", "lab", "technologies", "technology", "software", "group", "holdings", "ai",
    "bank", "capital", "health", "solutions", "ventures", "partners", "studio", "studios",
    "games", "industries", "networks", "media", "energy", "robotics", "dynamics",
    "therapeutics", "biosciences", "pharma", "motors", "insurance", "financial", "consulting",
    "digital", "analytics", "systems", "logistics", "cloud", "works", "enterprises", "brands",
    "foods", "markets", "payments", "bio", "agency", "mutual", "security", "data",
})

# A media appearance, not a job interview: "Podcast interview", "ep. 118 – interview recording".
MEDIA_TITLE = re.compile(
    r"\b(?:podcast|episode|ep\.?\s*#?\d+|interview\s+recording|recording\s+session"
    r"|livestream|live\s+stream|on\s+air)\b",
    re.IGNORECASE,
)
# ... or as its prose describes it ("Thanks for coming on the show!", "Episode 118 airs").
# A reporter's interview reads the same way: on the record, for a story, quotes checked
# before it is published.
MEDIA_PROSE = re.compile(
    r"\b(?:podcast|episode\s+#?\d+|(?:on|to)\s+(?:the|our)\s+show|airs\s+(?:on|in)"
    r"|on[- ]the[- ]record|off[- ]the[- ]record|direct\s+quotes?|media\s+polic(?:y|ies)"
    r"|for\s+(?:our|my)\s+(?:piece|story|article|column|newsletter|publication)"
    r"|for\s+(?:the|an?|this)\s+(?:piece|article|column)"
    r"|before\s+(?:we|it)\s+(?:publish(?:es)?|runs|goes\s+to\s+print)"
    r"|(?:press|media)\s+(?:interview|inquiry|enquiry|request))\b",
    re.IGNORECASE,
)
# A call about an offer: the interviews are over (unless the title still names one).
OFFER_TITLE = re.compile(r"\boffers?\b", re.IGNORECASE)
INTERVIEW_TITLE_WORDS: tuple[str, ...] = (
    "interview", "onsite", "on-site", "screen", "final round", "superday",
)
# "Interview" in the languages invites from Europe come in; and the look-alikes the same
# words make there (a yearly review with my own manager, a press interview).
FOREIGN_INTERVIEW_WORDS: tuple[str, ...] = (
    "entrevista", "entrevista de trabajo", "entretien", "entretien d'embauche", "entrevue",
    "vorstellungsgespräch", "bewerbungsgespräch", "bewerbungsgesprach", "vorstellungsgesprach",
    "colloquio", "colloquio di lavoro", "sollicitatiegesprek", "rekryteringsintervju",
    "jobinterview",
)
FOREIGN_LOOKALIKE_WORDS: tuple[str, ...] = (
    "entretien annuel", "entretien d'évaluation", "entretien professionnel",
    "mitarbeitergespräch", "jahresgespräch", "entrevista de prensa", "colloquio annuale",
    "functioneringsgesprek", "beoordelingsgesprek",
)
# The author of an invite saying they will not take part ("I won't be on the call myself").
ORGANIZER_ABSENT = re.compile(
    r"\bI(?:\s+won['’]t|\s+will\s+not|['’]m\s+not|\s+am\s+not)\s+(?:be\s+)?"
    r"(?:on\s+(?:the|this)\s+(?:call|interview|meeting|zoom|video)|joining|attending|there"
    r"|present|(?:in|at)\s+(?:the|this)\s+(?:call|interview|meeting|room))\b",
    re.IGNORECASE,
)
# ... or writing as an agency for the employer it recruits for ("my client Cobaltline").
AGENCY_CLIENT = re.compile(r"\b(?:my|our)\s+clients?\b", re.IGNORECASE)
# ... or as the one I will talk to ("I'll call you at the number on your résumé").
HOST_SPEAKS = re.compile(
    r"\bI(?:['’]ll|\s+will)\s+(?:call|ring|phone|dial)\s+you\b"
    r"|\bI(?:['’]ll|\s+will)\s+be\s+(?:interviewing|meeting|speaking|chatting|talking)\b"
    r"|\b(?:chat|talk|speak|meet)(?:ing)?\s+with\s+me\b|\bjoin\s+me\b"
    r"|\bI['’](?:d|ll)\s+(?:love|like)\s+to\s+(?:meet|chat|talk|speak|hear)\b"
    r"|\b(?:the\s+two\s+of\s+us|just\s+the\s+two\s+of\s+us|you\s+and\s+(?:I|me))\b"
    r"|\bI['’]ll\s+(?:describe|walk\s+you\s+through|present|show\s+you|ask\s+you)\b"
    r"|\bwe['’]ll\s+work\s+through\s+it\s+together\b"
    r"|\band\s+I\s+(?:would|will|shall|look|are|['’]ll|['’]d)\b"
    r"|\bI(?:['’]ll|\s+will)\s+(?:also\s+)?(?:be\s+)?join(?:ing)?\b",
    re.IGNORECASE,
)
# A forwarded message: its sender passes the invitation on, they do not hold it.
FORWARDED_SUBJECT = re.compile(r"^\s*(?:re\s*:\s*)?(?:fwd?|wg|tr|rv|doorst)\s*:", re.IGNORECASE)
FORWARDED_TEXT = re.compile(
    r"^\s*(?:-{2,}\s*(?:original\s+appointment|forwarded\s+message)\s*-{2,}"
    r"|begin\s+forwarded\s+message)", re.IGNORECASE | re.MULTILINE)
# What a registration for a published event says ("Thank you for registering", "Webinar ID"):
# an event that lists nobody and says this is a webinar or fair, not my own interview copy.
REGISTRATION = re.compile(
    r"\b(?:webinar|thanks?\s+(?:you\s+)?for\s+registering|you(?:'re|\s+are)\s+registered"
    r"|your\s+registration|registration\s+(?:confirmed|confirmation)|cancel\s+your"
    r"\s+registration|livestream|live\s+stream)\b"
    # a conference programme's session: its moderator and its track ("Panelists:" alone
    # also heads a panel interview the candidate typed in)
    r"|^[ \t]*(?:moderator|moderated\s+by|track)[ \t]*:"
    r"|·[ \t]*track[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
# Words that put a job in an invite's prose: a role, an opening, hiring.
JOB_CONTEXT = re.compile(
    r"\b(?:role|roles|position|positions|opening|openings|vacancy|job|jobs|hiring|hire"
    r"|recruit\w*|candidate|candidacy|r[ée]sum[ée]|cv|offer|founding|founder|co-?founder"
    r"|startup)\b",
    re.IGNORECASE,
)
# A conversation about a role, in an invite's prose: "an informal conversation about the
# Senior Product Designer role", "a call to discuss the Data Engineer position".
ROLE_TALK = re.compile(
    r"\b(?:conversation|chat|call|discussion|interview)\s+(?:about|to\s+discuss|regarding)"
    r"\s+(?:the|your|our)\s+[^.\n]{0,60}?\b(?:role|position|opening|opportunity)\b"
    # a founder's coffee: "we're hiring our first senior engineer and you'd be a great fit"
    r"|\bwe(?:'re|’re|\s+are)\s+hiring\b[^.\n]{0,80}\b(?:you(?:'d|’d|\s+would)\s+be\s+a"
    r"\s+(?:great|good|strong)\s+fit|for\s+(?:this|the)\s+role)",
    re.IGNORECASE,
)
