"""Drafts and warnings as MIME: parsed back from bytes the way a mail server would."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import pytest

from afterword.plugin.compose.message import (
    WarningLine,
    draft_message,
    local_time,
    time_left,
    warning_message,
)
from afterword.plugin.model import ComposedNote, Identity, Interview, Stage

ME = Identity("Alex Rivera", "alex.rivera@example.com")
WHEN = datetime(2026, 11, 26, 20, 30, tzinfo=UTC)
NOTE = ComposedNote(
    subject="Thank you for the conversation",
    body="Hi Maria,\n\nThank you — it was a pleasure. Ünïcode stays intact.\n\nBest,\nAlex\n",
)
NEW_YORK = ZoneInfo("America/New_York")


def parse(msg: EmailMessage) -> EmailMessage:
    raw = msg.as_bytes()
    raw.decode("ascii")  # every header and the QP body are 7-bit
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def draft(
    to_name: str = "Maria Lopez",
    to_email: str | None = "maria@acme.com",
    note: ComposedNote = NOTE,
    me: Identity = ME,
) -> EmailMessage:
    return draft_message(
        note_id="0123abcd", me=me, to_name=to_name, to_email=to_email, composed=note, date=WHEN
    )


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Eve\r\nBcc: evil@x.com", "Eve Bcc: evil@x.com"),
        ("Eve\nCc: evil@x.com, other@x.com", "Eve Cc: evil@x.com, other@x.com"),
        ("Smith, John", "Smith, John"),
        ('The "Boss" <boss@x.com>', 'The "Boss" <boss@x.com>'),
        ("José Álvarez", "José Álvarez"),
        ("李小龙", "李小龙"),
        ("{{ 7*7 }}", "{{ 7*7 }}"),
        ("Tab\there\x00nul\u2028sep", "Tab here nul sep"),
    ],
)
def test_a_display_name_never_adds_a_header_or_a_recipient(name: str, shown: str) -> None:
    parsed = parse(draft(to_name=name))
    addresses = parsed["To"].addresses
    assert len(addresses) == 1
    assert addresses[0].addr_spec == "maria@acme.com"
    assert addresses[0].display_name == shown
    for header in ("Bcc", "Cc", "Reply-To"):
        assert header not in parsed
    assert len(parsed.get_all("To") or []) == 1


def test_non_ascii_names_and_subjects_are_rfc2047_encoded() -> None:
    me = Identity("José Álvarez", "jose@example.com")
    note = ComposedNote(subject="Merci beaucoup, Zoë", body=NOTE.body)
    msg = draft(to_name="李小龙", note=note, me=me)
    raw = msg.as_bytes()
    headers = raw.split(b"\n\n", 1)[0]
    assert b"=?utf-8?" in headers
    assert "李小龙".encode() not in raw and "Zoë".encode() not in raw
    parsed = parse(msg)
    assert parsed["Subject"] == "Merci beaucoup, Zoë"
    assert parsed["From"].addresses[0].display_name == "José Álvarez"
    assert parsed["To"].addresses[0].display_name == "李小龙"


def test_a_subject_with_line_breaks_stays_one_header() -> None:
    note = ComposedNote(subject="Thanks\r\nBcc: evil@x.com\r\n\r\nbody", body=NOTE.body)
    parsed = parse(draft(note=note))
    assert parsed["Subject"] == "Thanks Bcc: evil@x.com body"
    assert "Bcc" not in parsed
    assert parsed.get_content() == NOTE.body


def test_draft_headers_and_body() -> None:
    parsed = parse(draft())
    assert parsed["From"].addresses[0].addr_spec == ME.email
    assert parsed["From"].addresses[0].display_name == ME.name
    assert parsed["X-Afterword-Note"] == "0123abcd"
    assert parsed["Subject"] == NOTE.subject
    assert parsedate_to_datetime(parsed["Date"]) == WHEN
    assert parsed["Message-ID"].endswith("@example.com>")
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content_charset() == "utf-8"
    assert parsed["Content-Transfer-Encoding"] == "quoted-printable"
    assert parsed.get_content() == NOTE.body


def test_each_draft_gets_its_own_message_id() -> None:
    assert draft()["Message-ID"] != draft()["Message-ID"]


def test_domain_hint_sets_the_message_id_domain() -> None:
    msg = draft_message(
        note_id="n1",
        me=ME,
        to_name="M",
        to_email="m@acme.com",
        composed=NOTE,
        date=WHEN,
        domain_hint="mail.example.org",
    )
    assert msg["Message-ID"].endswith("@mail.example.org>")


def test_without_an_address_the_draft_has_no_recipient() -> None:
    parsed = parse(draft(to_email=None))
    assert "To" not in parsed
    assert parsed["X-Afterword-Note"] == "0123abcd"


def test_an_international_domain_is_written_in_idna() -> None:
    parsed = parse(draft(to_email="maria@bücher.de"))
    assert parsed["To"].addresses[0].addr_spec == "maria@xn--bcher-kva.de"


@pytest.mark.parametrize(
    "bad",
    [
        "a@acme.com, evil@x.com",
        "a@acme.com\r\nBcc: evil@x.com",
        "<a@acme.com>",
        "Maria <a@acme.com>",
        "a b@acme.com",
        "a@b@acme.com",
        "a@acme.com;evil@x.com",
        '"a@b"@acme.com',
        "no-at-sign",
        "@acme.com",
        "maria@",
        "jösé@acme.com",
        "a..b@acme.com",
    ],
)
def test_an_address_that_is_not_one_mailbox_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        draft(to_email=bad)


def test_a_naive_date_or_a_header_breaking_note_id_is_refused() -> None:
    with pytest.raises(ValueError):
        draft_message(
            note_id="n1",
            me=ME,
            to_name="M",
            to_email=None,
            composed=NOTE,
            date=datetime(2026, 11, 26, 20, 30),
        )
    with pytest.raises(ValueError):
        draft_message(
            note_id="n1\r\nBcc: x@y.com",
            me=ME,
            to_name="M",
            to_email=None,
            composed=NOTE,
            date=WHEN,
        )


# --- warnings -----------------------------------------------------------------------------

INTERVIEW = Interview(
    id="iv42",
    title="Onsite loop",
    company="Acme",
    role="Senior Data Engineer",
    start=datetime(2026, 11, 26, 15, 0, tzinfo=UTC),
    end=datetime(2026, 11, 26, 19, 0, tzinfo=UTC),
    interviewers=(),
)
DUE = datetime(2026, 11, 27, 23, 59, 59, tzinfo=NEW_YORK)
LINES = (
    WarningLine("Maria Lopez", "maria@acme.com", "drafted", False),
    WarningLine("Bob Smith", None, "drafted", True, "bob.smith@acme.com"),
)


def warning(stage: Stage, now: datetime, lines: tuple[WarningLine, ...] = LINES) -> EmailMessage:
    return parse(
        warning_message(
            me=ME, interview=INTERVIEW, stage=stage, lines=lines, due=DUE, now=now, zone=NEW_YORK
        )
    )


def test_final_warning_subject_headers_and_body() -> None:
    now = DUE - timedelta(hours=4)
    msg = warning(Stage.FINAL, now)
    assert msg["Subject"] == "afterword: last call, 2 thank-you notes for Acme due in 4 hours"
    assert msg["X-Afterword-Warning"] == "iv42:final"
    assert msg["From"].addresses[0].addr_spec == ME.email
    assert [a.addr_spec for a in msg["To"].addresses] == [ME.email]
    assert parsedate_to_datetime(msg["Date"]) == now
    body = msg.get_content()
    assert "Maria Lopez <maria@acme.com>: drafted" in body
    assert "Bob Smith (no address: suggested bob.smith@acme.com, a guess): drafted" in body
    assert "Friday 27 November, 23:59 EST" in body
    assert "never sends" in body
    assert "Acme" in body and "Senior Data Engineer" in body


def test_nudge_and_overdue_wording() -> None:
    nudge = warning(Stage.NUDGE, datetime(2026, 11, 27, 9, 0, tzinfo=NEW_YORK), LINES[:1])
    assert nudge["Subject"] == "afterword: 1 thank-you note for Acme due in 15 hours"
    assert nudge["X-Afterword-Warning"] == "iv42:nudge"
    overdue = warning(Stage.OVERDUE, DUE + timedelta(minutes=5))
    assert overdue["Subject"] == "afterword: 2 thank-you notes for Acme are overdue"
    assert "(passed)" in overdue.get_content()
    single = warning(Stage.OVERDUE, DUE + timedelta(minutes=5), LINES[:1])
    assert single["Subject"] == "afterword: 1 thank-you note for Acme is overdue"


def test_a_missing_address_without_a_guess_says_so() -> None:
    body = warning(
        Stage.NUDGE, DUE - timedelta(hours=10), (WarningLine("Chen\r\nWu", None, "drafted", True),)
    ).get_content()
    assert "  - Chen Wu (no address): drafted" in body
    assert "no To: line" in body


def test_times_read_in_my_zone_and_in_english() -> None:
    london = ZoneInfo("Europe/London")
    assert local_time(DUE, london) == "Saturday 28 November, 04:59 GMT"
    assert local_time(datetime(2026, 7, 3, 12, 0, tzinfo=UTC), london) == "Friday 3 July, 13:00 BST"
    assert time_left(DUE, DUE - timedelta(minutes=30)) == "30 minutes"
    assert time_left(DUE, DUE - timedelta(hours=1)) == "1 hour"
    assert time_left(DUE, DUE - timedelta(hours=3, minutes=58)) == "4 hours"
    assert time_left(DUE, DUE - timedelta(days=3)) == "3 days"
