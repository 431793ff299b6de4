"""Who is an interviewer and what is an interview: pure policies over CalendarEvents."""

from afterword.plugin.detect.company import company_and_role, company_from_domain
from afterword.plugin.detect.interviews import classify_event
from afterword.plugin.detect.itinerary import ScheduledPerson, description_text, parse_itinerary
from afterword.plugin.detect.names import clean_name, display_name, first_name, greeting_name
from afterword.plugin.detect.settings import (
    DEFAULT_EXCLUDE_KEYWORDS,
    DEFAULT_INTERVIEW_KEYWORDS,
    DetectionSettings,
)

__all__ = [
    "DEFAULT_EXCLUDE_KEYWORDS",
    "DEFAULT_INTERVIEW_KEYWORDS",
    "DetectionSettings",
    "ScheduledPerson",
    "classify_event",
    "clean_name",
    "company_and_role",
    "company_from_domain",
    "description_text",
    "display_name",
    "first_name",
    "greeting_name",
    "parse_itinerary",
]
