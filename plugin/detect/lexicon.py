"""Word lists the detectors share, kept in one place so a new case is a one-line change.

Everything is lower-case; callers compare casefolded, accent-stripped words.
"""

from __future__ import annotations

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
})

# Titles of people who arrange interviews rather than hold them: named only in the prose or
# signature of an invite, they are not interviewers.
COORDINATION_WORDS = frozenset({
    "coordinator", "scheduler", "scheduling", "recruiter", "recruiting", "recruitment",
    "sourcer", "talent", "acquisition",
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
    # weekdays and months
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "september", "october", "november", "december",
}) | JOB_WORDS

# Lower-case name particles that stay lower-case inside a name ("Ludwig van Beethoven").
PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le", "dos",
    "das", "bin", "ibn", "y", "ter", "ten", "zu", "af", "al",
})

# Words that end a company's name ("Brackenridge Capital", "Acme Labs"): after a word spelled
# like the company's domain, they still belong to the name.
COMPANY_SUFFIXES = frozenset({
    "inc", "inc.", "llc", "ltd", "ltd.", "corp", "corp.", "corporation", "co", "co.", "gmbh",
    "plc", "labs", "lab", "technologies", "technology", "software", "group", "holdings", "ai",
    "bank", "capital", "health", "solutions", "ventures", "partners", "studio", "studios",
    "games", "industries", "networks", "media", "energy", "robotics", "dynamics",
    "therapeutics", "biosciences", "pharma", "motors", "insurance", "financial", "consulting",
    "digital", "analytics", "systems", "logistics", "cloud", "works", "enterprises", "brands",
    "foods", "markets", "payments", "bio", "agency", "mutual", "security", "data",
})
