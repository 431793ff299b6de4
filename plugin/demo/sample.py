"""Sample data for `afterword demo`, written relative to the demo's clock so the same three
interviews are always in the same places of the timeline: one just finished, one two days
ago with one note sent and one not, one tomorrow."""

from __future__ import annotations

import mailbox
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("America/New_York")

CONFIG = """\
# afterword demo config: written by `afterword demo`, safe to edit and rerun with
#   afterword --config {dir}/config.toml run --once
[me]
name = "Alex Rivera"
email = "alex.rivera@example.com"
aliases = ["alex@rivera.dev"]
timezone = "America/New_York"

[calendar]
source = "ics"
path = "calendar.ics"

[mailbox]
backend = "maildir"
path = "mail"

[state]
path = "afterword.sqlite3"

[notes]
signature = "Alex Rivera\\n+1 555 0100"

[deadline]
nudge_at = "09:00"
final_warning_hours = 4

[[applications]]
company = "Acme"
role = "Senior Data Engineer"
domains = ["acme.com"]

[[applications]]
company = "Globex"
role = "Analytics Engineer"
domains = ["globex.com"]

[[references]]
name = "Dana Whitfield"
email = "dana@example.org"
relationship = "my manager at Initech"
"""


def _ics_time(dt: datetime) -> str:
    return dt.astimezone(ZONE).strftime("%Y%m%dT%H%M%S")


def _event(uid: str, start: datetime, end: datetime, summary: str, body: list[str]) -> str:
    return "\r\n".join([
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{start.astimezone(ZoneInfo('UTC')).strftime('%Y%m%dT%H%M%SZ')}",
        f"DTSTART;TZID=America/New_York:{_ics_time(start)}",
        f"DTEND;TZID=America/New_York:{_ics_time(end)}",
        f"SUMMARY:{summary}",
        *body,
        "END:VEVENT",
    ])


def _me(partstat: str = "ACCEPTED") -> str:
    return f'ATTENDEE;CN="Alex Rivera";PARTSTAT={partstat};ROLE=REQ-PARTICIPANT:' \
           "mailto:alex.rivera@example.com"


def _person(name: str, email: str) -> str:
    return f'ATTENDEE;CN="{name}";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:' \
           f"mailto:{email}"


@dataclass(frozen=True)
class Timeline:
    """The instants the demo replays, oldest first."""

    acme_end: datetime
    globex_end: datetime
    replay: tuple[datetime, ...]


def timeline(now: datetime) -> Timeline:
    local = now.astimezone(ZONE)
    globex_end = datetime.combine(local.date() - timedelta(days=2), datetime.min.time(),
                                  ZONE).replace(hour=15)
    return Timeline(acme_end=now - timedelta(hours=1), globex_end=globex_end,
                    replay=(globex_end + timedelta(minutes=5), now))


def calendar(now: datetime) -> str:
    t = timeline(now)
    acme_start = t.acme_end - timedelta(hours=3)
    slots = [(acme_start + timedelta(minutes=45 * i)).astimezone(ZONE).strftime("%-I:%M %p")
             for i in range(4)]
    itinerary = (
        "Hi Alex\\, here is your onsite schedule:\\n"
        f"{slots[0]} Marcus O'Neil (Principal Engineer) – Systems design\\n"
        f"{slots[1]} Priya Shah (Engineering Manager) – Behavioral\\n"
        f"{slots[2]} José Álvarez (Staff Data Engineer) – SQL and data modelling\\n"
        f"{slots[3]} Hannah Berg (Director of Data) – Hiring manager conversation\\n"
        "Please check in at reception on the 4th floor."
    )
    globex_start = t.globex_end - timedelta(hours=1)
    tomorrow = datetime.combine(now.astimezone(ZONE).date() + timedelta(days=1),
                                datetime.min.time(), ZONE).replace(hour=10)
    events = [
        _event("demo-acme-onsite@acme.com", acme_start, t.acme_end,
               "Onsite interview: Senior Data Engineer – Alex Rivera", [
                   f"DESCRIPTION:{itinerary}",
                   "LOCATION:Acme HQ\\, 100 Main St",
                   'ORGANIZER;CN="Acme Recruiting":mailto:recruiting@acme.com',
                   _me(),
                   _person("Marcus O'Neil", "marcus.oneil@acme.com"),
                   _person("Priya Shah", "priya.shah@acme.com"),
                   _person("José Álvarez", "jose.alvarez@acme.com"),
                   'ATTENDEE;CN="Conf Room 4B";CUTYPE=ROOM;PARTSTAT=ACCEPTED:'
                   "mailto:c_conf4b@resource.calendar.google.com",
               ]),
        _event("demo-globex-screen@globex.com", globex_start, t.globex_end,
               "Globex interview – technical screen", [
                   "DESCRIPTION:Join with Google Meet: https://meet.example.com/abc-defg-hij",
                   'ORGANIZER;CN="Lena Fischer":mailto:lena.fischer@globex.com',
                   _me(),
                   _person("Lena Fischer", "lena.fischer@globex.com"),
                   _person("Kenji Watanabe", "kenji.watanabe@globex.com"),
               ]),
        _event("demo-initech-hm@initrode.com", tomorrow, tomorrow + timedelta(hours=1),
               "Interview with Initrode – hiring manager", [
                   'ORGANIZER;CN="Sam Okafor":mailto:sam.okafor@initrode.com',
                   _me(),
                   _person("Sam Okafor", "sam.okafor@initrode.com"),
               ]),
        _event("demo-prep@example.com", tomorrow - timedelta(hours=2),
               tomorrow - timedelta(hours=1), "Interview prep with my coach", [_me()]),
    ]
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//afterword//demo//EN", *events,
        "END:VCALENDAR", "",
    ])


def sent_message(now: datetime) -> EmailMessage:
    """The note the user already sent to one Globex interviewer, the evening after."""
    t = timeline(now)
    msg = EmailMessage()
    msg["From"] = "Alex Rivera <alex.rivera@example.com>"
    msg["To"] = "Lena Fischer <lena.fischer@globex.com>"
    msg["Subject"] = "Thank you for the technical screen"
    msg["Date"] = format_datetime(t.globex_end + timedelta(hours=3))
    msg["Message-ID"] = "<demo-sent-1@example.com>"
    msg.set_content("Hi Lena,\n\nThank you for your time today.\n\nAlex\n")
    return msg


def write_sample(directory: Path, now: datetime) -> Path:
    """Write config, calendar and a Maildir with one sent note; return the config path."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "config.toml"
    config.write_text(CONFIG.format(dir=directory), encoding="utf-8")
    (directory / "calendar.ics").write_text(calendar(now), encoding="utf-8", newline="")
    mail = directory / "mail"
    mail.mkdir(exist_ok=True)
    for folder in ("Drafts", "Sent", "INBOX"):
        mailbox.Maildir(mail / folder, create=True)
    sent = mailbox.Maildir(mail / "Sent", create=False)
    if not any(True for _ in sent.iterkeys()):
        entry = mailbox.MaildirMessage(sent_message(now))
        entry.set_subdir("cur")
        entry.set_flags("S")
        sent.add(entry)
    return config
