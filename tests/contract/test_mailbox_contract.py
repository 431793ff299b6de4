"""The behaviour every mailbox backend must show, then Maildir-only details.

Tests taking `mailbox_env` run once per backend registered in conftest.BACKENDS.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage, Message
from email.utils import format_datetime
from pathlib import Path

import pytest

from afterword.plugin.errors import ServiceError
from afterword.plugin.mailbox import headers, maildir
from afterword.plugin.mailbox.base import NOTE_HEADER, WARNING_HEADER
from afterword.plugin.mailbox.maildir import MaildirMailbox
from afterword.plugin.mailbox.memory import MemoryMailbox

from .conftest import MailboxEnv, MaildirEnv, maildir_files, maildir_flags, maildir_write, parse

ME = "Alex Rivera <alex.rivera@example.com>"
JORG = "jorg.muller@example.de"
BODY = "Hallo Jörg,\n\ndanke für das Gespräch über Datenpipelines – ça m'a plu.\n\nAlex\n"
INTERVIEW_START = datetime(2024, 3, 5, 14, 0, tzinfo=UTC)


def note(
    note_id: str = "note-1",
    to: str = f"Jörg Müller <{JORG}>",
    subject: str = "Danke für das Gespräch",
    body: str = BODY,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = ME
    message["To"] = to
    message["Subject"] = subject
    message[NOTE_HEADER] = note_id
    message.set_content(body)
    return message


def sent(
    to: str = JORG,
    date: datetime | None = INTERVIEW_START + timedelta(hours=3),
    cc: str | None = None,
    bcc: str | None = None,
    sender: str = ME,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    if bcc:
        message["Bcc"] = bcc
    if date is not None:
        message["Date"] = format_datetime(date)
    message["Subject"] = "Thank you"
    message["Message-ID"] = f"<{abs(hash((to, cc, bcc, date)))}@example.com>"
    message.set_content("Thanks!\n")
    return message


def warning(key: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = ME
    message["To"] = ME
    message["Subject"] = "Thank-you notes due"
    message[WARNING_HEADER] = key
    message.set_content("Unsent: Jörg Müller, due 2024-03-06 23:59.\n")
    return message


# -- drafts -----------------------------------------------------------------------------


def test_saved_draft_is_listed_with_note_id_recipients_and_subject(
    mailbox_env: MailboxEnv,
) -> None:
    ref = mailbox_env.mailbox.save_draft(note(to=f"Jörg Müller <{JORG.upper()}>"))

    [draft] = mailbox_env.mailbox.drafts()
    assert draft.ref == ref
    assert draft.note_id == "note-1"
    assert draft.to == (JORG,)
    assert draft.subject == "Danke für das Gespräch"
    assert draft.flagged is False


def test_saved_draft_is_marked_as_a_draft(mailbox_env: MailboxEnv) -> None:
    ref = mailbox_env.mailbox.save_draft(note())

    assert "draft" in mailbox_env.draft_flags(ref)
    assert "flagged" not in mailbox_env.draft_flags(ref)


def test_stored_draft_parses_back_to_the_same_message(mailbox_env: MailboxEnv) -> None:
    ref = mailbox_env.mailbox.save_draft(note())

    data = mailbox_env.draft_bytes(ref)
    assert data is not None
    stored = parse(data)
    assert stored[NOTE_HEADER] == "note-1"
    assert stored["From"].addresses[0].addr_spec == "alex.rivera@example.com"
    assert stored["To"].addresses[0].display_name == "Jörg Müller"
    assert stored["To"].addresses[0].addr_spec == JORG
    assert stored["Subject"] == "Danke für das Gespräch"
    assert stored.get_content_type() == "text/plain"
    assert stored.get_content_charset() == "utf-8"
    assert stored.get_content() == BODY


def test_cc_recipients_of_a_draft_are_listed(mailbox_env: MailboxEnv) -> None:
    message = note()
    message["Cc"] = "Dana <Dana@Example.org>"
    mailbox_env.mailbox.save_draft(message)

    [draft] = mailbox_env.mailbox.drafts()
    assert draft.to == ("dana@example.org", JORG)


def test_draft_without_recipient_is_listed(mailbox_env: MailboxEnv) -> None:
    message = EmailMessage()
    message["From"] = ME
    message["Subject"] = "Thank you"
    message[NOTE_HEADER] = "note-no-address"
    message.set_content("Hi,\n")
    mailbox_env.mailbox.save_draft(message)

    [draft] = mailbox_env.mailbox.drafts()
    assert draft.note_id == "note-no-address"
    assert draft.to == ()


def test_flag_draft_flags_it_and_keeps_it_a_draft(mailbox_env: MailboxEnv) -> None:
    ref = mailbox_env.mailbox.save_draft(note())

    assert mailbox_env.mailbox.flag_draft(ref) is True
    assert mailbox_env.mailbox.flag_draft(ref) is True  # again: harmless

    assert {"draft", "flagged"} <= mailbox_env.draft_flags(ref)
    [draft] = mailbox_env.mailbox.drafts()
    assert (draft.ref, draft.flagged, draft.note_id) == (ref, True, "note-1")


def test_flag_draft_returns_false_for_a_deleted_draft(mailbox_env: MailboxEnv) -> None:
    ref = mailbox_env.mailbox.save_draft(note())
    mailbox_env.user_deletes_draft(ref)

    assert mailbox_env.mailbox.flag_draft(ref) is False
    assert mailbox_env.mailbox.drafts() == []
    assert mailbox_env.draft_bytes(ref) is None


def test_flag_draft_touches_only_that_draft(mailbox_env: MailboxEnv) -> None:
    first = mailbox_env.mailbox.save_draft(note("note-1"))
    second = mailbox_env.mailbox.save_draft(note("note-2", to="dana@example.org"))

    mailbox_env.mailbox.flag_draft(second)

    flagged = {d.note_id: d.flagged for d in mailbox_env.mailbox.drafts()}
    assert flagged == {"note-1": False, "note-2": True}
    assert "flagged" not in mailbox_env.draft_flags(first)


def test_user_edit_leaves_a_draft_without_our_header(mailbox_env: MailboxEnv) -> None:
    ref = mailbox_env.mailbox.save_draft(note())

    mailbox_env.user_edits_draft(ref, "Hi Jörg, my own words.\n")

    [draft] = mailbox_env.mailbox.drafts()
    assert draft.note_id is None
    assert draft.to == (JORG,)
    assert draft.ref != ref
    assert mailbox_env.draft_bytes(ref) is None
    assert mailbox_env.mailbox.flag_draft(ref) is False
    edited = mailbox_env.draft_bytes(draft.ref)
    assert edited is not None
    assert parse(edited).get_content() == "Hi Jörg, my own words.\n"


# -- sent mail --------------------------------------------------------------------------


def test_sent_to_finds_a_message_sent_after_since(mailbox_env: MailboxEnv) -> None:
    when = INTERVIEW_START + timedelta(hours=3)
    mailbox_env.add_sent(sent(to=f"Jörg Müller <{JORG}>", date=when))

    [found] = mailbox_env.mailbox.sent_to([JORG], INTERVIEW_START)

    assert found.sender == "alex.rivera@example.com"
    assert found.to == frozenset({JORG})
    assert found.date == when
    assert found.date.tzinfo is not None


def test_sent_to_ignores_messages_before_since(mailbox_env: MailboxEnv) -> None:
    mailbox_env.add_sent(sent(date=INTERVIEW_START - timedelta(days=2)))
    mailbox_env.add_sent(sent(date=INTERVIEW_START - timedelta(seconds=1)))

    assert mailbox_env.mailbox.sent_to([JORG], INTERVIEW_START) == []


def test_sent_to_includes_a_message_dated_exactly_since(mailbox_env: MailboxEnv) -> None:
    mailbox_env.add_sent(sent(date=INTERVIEW_START))

    assert len(mailbox_env.mailbox.sent_to([JORG], INTERVIEW_START)) == 1


def test_sent_to_compares_dates_across_time_zones(mailbox_env: MailboxEnv) -> None:
    berlin = timezone(timedelta(hours=1))
    # 14:30 in Berlin is 13:30 UTC: before the interview started.
    mailbox_env.add_sent(sent(date=datetime(2024, 3, 5, 14, 30, tzinfo=berlin)))

    assert mailbox_env.mailbox.sent_to([JORG], INTERVIEW_START) == []
    [found] = mailbox_env.mailbox.sent_to([JORG], INTERVIEW_START - timedelta(hours=1))
    assert found.date == datetime(2024, 3, 5, 13, 30, tzinfo=UTC)


def test_sent_to_ignores_other_recipients(mailbox_env: MailboxEnv) -> None:
    mailbox_env.add_sent(sent(to="someone.else@example.de"))

    assert mailbox_env.mailbox.sent_to([JORG], INTERVIEW_START) == []
    assert mailbox_env.mailbox.sent_to([], INTERVIEW_START) == []


def test_sent_to_matches_cc_and_bcc(mailbox_env: MailboxEnv) -> None:
    mailbox_env.add_sent(sent(to="hr@example.de", cc=f"Jörg <{JORG}>"))
    mailbox_env.add_sent(sent(to="hr@example.de", bcc="dana@example.org"))

    [by_cc] = mailbox_env.mailbox.sent_to([JORG], INTERVIEW_START)
    assert by_cc.to == frozenset({"hr@example.de", JORG})
    [by_bcc] = mailbox_env.mailbox.sent_to(["dana@example.org"], INTERVIEW_START)
    assert "dana@example.org" in by_bcc.to


def test_sent_to_ignores_address_case(mailbox_env: MailboxEnv) -> None:
    mailbox_env.add_sent(sent(to="Jorg.Muller@EXAMPLE.de"))

    assert len(mailbox_env.mailbox.sent_to(["JORG.muller@example.DE"], INTERVIEW_START)) == 1


def test_sent_to_returns_every_match_oldest_first(mailbox_env: MailboxEnv) -> None:
    later = INTERVIEW_START + timedelta(days=1)
    earlier = INTERVIEW_START + timedelta(hours=1)
    mailbox_env.add_sent(sent(date=later))
    mailbox_env.add_sent(sent(to="dana@example.org", date=earlier))

    found = mailbox_env.mailbox.sent_to([JORG, "dana@example.org"], INTERVIEW_START)

    assert [m.date for m in found] == [earlier, later]


def test_sent_message_without_date_falls_back_to_arrival(mailbox_env: MailboxEnv) -> None:
    mailbox_env.add_sent(sent(date=None))
    now = datetime.now(UTC)

    [found] = mailbox_env.mailbox.sent_to([JORG], now - timedelta(hours=1))
    assert found.date.tzinfo is not None
    assert abs(found.date - now) < timedelta(minutes=5)
    assert mailbox_env.mailbox.sent_to([JORG], now + timedelta(hours=1)) == []


# -- warnings ---------------------------------------------------------------------------


def test_deliver_warning_puts_an_unread_message_in_the_inbox(mailbox_env: MailboxEnv) -> None:
    assert mailbox_env.mailbox.warnings_delivered() == set()

    mailbox_env.mailbox.deliver_warning(warning("iv-1:nudge"))

    [message] = mailbox_env.inbox_messages()
    assert message[WARNING_HEADER] == "iv-1:nudge"
    assert message.get_content() == "Unsent: Jörg Müller, due 2024-03-06 23:59.\n"
    assert mailbox_env.inbox_flags() == [set()]
    assert mailbox_env.mailbox.warnings_delivered() == {"iv-1:nudge"}
    assert mailbox_env.mailbox.drafts() == []


def test_warnings_delivered_reports_every_key(mailbox_env: MailboxEnv) -> None:
    mailbox_env.mailbox.deliver_warning(warning("iv-1:nudge"))
    mailbox_env.mailbox.deliver_warning(warning("iv-1:final"))
    mailbox_env.mailbox.deliver_warning(warning("iv-2:nudge"))

    assert mailbox_env.mailbox.warnings_delivered() == {"iv-1:nudge", "iv-1:final", "iv-2:nudge"}
    assert len(mailbox_env.inbox_messages()) == 3


# -- scale and encodings ----------------------------------------------------------------


def test_many_drafts_and_sent_messages(mailbox_env: MailboxEnv) -> None:
    refs = {
        mailbox_env.mailbox.save_draft(note(f"note-{i}", to=f"person{i}@example.com"))
        for i in range(200)
    }
    for i in range(200):
        date = INTERVIEW_START + timedelta(minutes=i - 100)
        mailbox_env.add_sent(sent(to=f"person{i}@example.com", date=date))

    drafts = mailbox_env.mailbox.drafts()
    assert {d.ref for d in drafts} == refs
    assert {d.note_id for d in drafts} == {f"note-{i}" for i in range(200)}
    wanted = [f"person{i}@example.com" for i in range(90, 110)]
    found = mailbox_env.mailbox.sent_to(wanted, INTERVIEW_START)
    assert {next(iter(m.to)) for m in found} == {f"person{i}@example.com" for i in range(100, 110)}
    # a second cycle sees the same
    assert len(mailbox_env.mailbox.sent_to(wanted, INTERVIEW_START)) == 10
    assert len(mailbox_env.mailbox.drafts()) == 200


def test_rfc2047_display_names_do_not_hide_addresses(mailbox_env: MailboxEnv) -> None:
    raw = (
        b"From: =?utf-8?q?Alex_R=C3=ADvera?= <alex.rivera@example.com>\n"
        b"To: =?utf-8?q?M=C3=BCller=2C_J=C3=B6rg?= <Jorg.Muller@example.de>,\n"
        b' "Doe, Jane" <jane@example.com>\n'
        b"Cc: =?iso-8859-1?q?Fran=E7ois?= <francois@example.fr>\n"
        b"Subject: =?utf-8?b?RGFua2Ug8J+Yig==?=\n"
        b"Date: Tue, 05 Mar 2024 18:00:00 +0000\n"
        b"\n"
        b"Merci\n"
    )
    mailbox_env.add_sent(parse(raw))

    [found] = mailbox_env.mailbox.sent_to(["francois@example.fr"], INTERVIEW_START)
    assert found.to == frozenset({JORG, "jane@example.com", "francois@example.fr"})
    assert found.sender == "alex.rivera@example.com"


def test_non_ascii_subject_and_names_in_drafts(mailbox_env: MailboxEnv) -> None:
    mailbox_env.mailbox.save_draft(
        note(to='"Müller, Jörg" <jorg.muller@example.de>', subject="Merci — 感謝 😊")
    )

    [draft] = mailbox_env.mailbox.drafts()
    assert draft.to == (JORG,)
    assert draft.subject == "Merci — 感謝 😊"


def test_describe_and_close(mailbox_env: MailboxEnv) -> None:
    lines = mailbox_env.mailbox.describe()

    assert lines and all(isinstance(line, str) and line for line in lines)
    assert mailbox_env.mailbox.drafts() == []  # describing wrote nothing
    mailbox_env.mailbox.close()


# -- Maildir only -----------------------------------------------------------------------


def test_maildir_draft_file_carries_draft_and_seen_flags(maildir_env: MaildirEnv) -> None:
    ref = maildir_env.mailbox.save_draft(note())

    files = maildir_files(maildir_env.drafts_dir)
    assert list(files) == [ref]
    assert files[ref].parent.name == "cur"
    assert files[ref].name == f"{ref}:2,DS"
    assert list((maildir_env.drafts_dir / "tmp").iterdir()) == []


def test_maildir_flag_renames_the_file_keeping_its_flags(maildir_env: MaildirEnv) -> None:
    ref = maildir_env.mailbox.save_draft(note())
    before = maildir_files(maildir_env.drafts_dir)[ref].read_bytes()

    maildir_env.mailbox.flag_draft(ref)

    path = maildir_files(maildir_env.drafts_dir)[ref]
    assert path.name == f"{ref}:2,DFS"
    assert path.read_bytes() == before


def test_maildir_flag_moves_a_draft_from_new_to_cur(maildir_env: MaildirEnv) -> None:
    key = maildir_write(maildir_env.drafts_dir, bytes(note()), subdir="new", flags="")

    assert maildir_env.mailbox.flag_draft(key) is True

    path = maildir_files(maildir_env.drafts_dir)[key]
    assert (path.parent.name, maildir_flags(path)) == ("cur", "F")
    assert maildir_env.mailbox.drafts()[0].flagged is True


def test_maildir_warning_lands_in_inbox_new_without_flags(maildir_env: MaildirEnv) -> None:
    maildir_env.mailbox.deliver_warning(warning("iv-1:overdue"))

    [path] = maildir_files(maildir_env.inbox_dir).values()
    assert path.parent == maildir_env.inbox_dir / "new"
    assert ":2," not in path.name


def test_maildir_warning_read_by_the_user_still_counts(maildir_env: MaildirEnv) -> None:
    maildir_env.mailbox.deliver_warning(warning("iv-1:nudge"))
    [path] = maildir_files(maildir_env.inbox_dir).values()
    path.rename(maildir_env.inbox_dir / "cur" / f"{path.name}:2,S")  # the client read it

    assert maildir_env.mailbox.warnings_delivered() == {"iv-1:nudge"}


def test_maildir_creates_missing_folders(tmp_path: Path) -> None:
    MaildirMailbox(tmp_path / "mail", drafts="Entwürfe", sent="Gesendet", inbox="INBOX")

    for folder in ("Entwürfe", "Gesendet", "INBOX"):
        for sub in ("cur", "new", "tmp"):
            assert (tmp_path / "mail" / folder / sub).is_dir()


def test_maildir_missing_folder_without_create_names_it(tmp_path: Path) -> None:
    MaildirMailbox(tmp_path / "mail", sent="Sent Items")
    (tmp_path / "mail" / "Sent Items" / "new").rmdir()

    with pytest.raises(ServiceError, match="Sent Items"):
        MaildirMailbox(tmp_path / "mail", sent="Sent Items", create=False)
    with pytest.raises(ServiceError, match=str(tmp_path / "elsewhere" / "Drafts")):
        MaildirMailbox(tmp_path / "elsewhere", create=False)
    assert not (tmp_path / "elsewhere").exists()


def test_maildir_describe_names_folders_and_counts(maildir_env: MaildirEnv) -> None:
    maildir_env.mailbox.save_draft(note())
    maildir_env.add_sent(sent())
    maildir_env.add_sent(sent(to="dana@example.org"))

    text = "\n".join(maildir_env.mailbox.describe())

    assert f"{maildir_env.drafts_dir} (1 messages)" in text
    assert f"{maildir_env.sent_dir} (2 messages)" in text
    assert f"{maildir_env.inbox_dir} (0 messages)" in text


def test_maildir_garbage_in_sent_does_not_crash(maildir_env: MaildirEnv) -> None:
    sent_dir = maildir_env.sent_dir
    maildir_write(sent_dir, os.urandom(4096))
    maildir_write(sent_dir, b"")
    maildir_write(sent_dir, b"\x00\xff\xfe\x89PNG\r\n\x1a\n" * 50)
    maildir_write(sent_dir, b"To: <<<@@@>>>, ,,\nFrom: \nDate: yesterday-ish\n\nx\n")
    maildir_write(sent_dir, b"To " + b"x" * 300_000)  # no header/body separator at all
    maildir_write(sent_dir, f"To: {JORG}\nDate: Tue, 99 Foo 2024 99:99:99\n\nx\n".encode())
    (sent_dir / "cur" / "a-directory").mkdir()
    (sent_dir / "cur" / ".hidden").write_bytes(f"To: {JORG}\n\n".encode())
    maildir_env.add_sent(sent())

    found = maildir_env.mailbox.sent_to([JORG], INTERVIEW_START)

    dated = [m for m in found if m.date == INTERVIEW_START + timedelta(hours=3)]
    assert len(dated) == 1
    # the unparsable Date fell back to the file's mtime (now), never raised
    assert len(found) == 2


def test_maildir_reads_raw_utf8_headers_and_naive_dates(maildir_env: MaildirEnv) -> None:
    raw = (
        "From: Alex Rivera <alex.rivera@example.com>\n"
        f"To: Jörg Müller <{JORG}>\n"
        "Subject: Grüße\n"
        "Date: Tue, 05 Mar 2024 18:00:00 -0000\n\nHallo\n"
    ).encode()
    maildir_write(maildir_env.sent_dir, raw)
    maildir_write(maildir_env.drafts_dir, raw, flags="D")

    [found] = maildir_env.mailbox.sent_to([JORG], INTERVIEW_START)
    assert found.date == datetime(2024, 3, 5, 18, 0, tzinfo=UTC)
    [draft] = maildir_env.mailbox.drafts()
    assert (draft.subject, draft.to, draft.note_id) == ("Grüße", (JORG,), None)


def test_maildir_missing_date_uses_file_mtime(maildir_env: MaildirEnv) -> None:
    key = maildir_write(maildir_env.sent_dir, bytes(sent(date=None)))
    stamp = datetime(2024, 3, 6, 9, 30, tzinfo=UTC).timestamp()
    os.utime(maildir_files(maildir_env.sent_dir)[key], (stamp, stamp))

    [found] = maildir_env.mailbox.sent_to([JORG], INTERVIEW_START)
    assert found.date == datetime(2024, 3, 6, 9, 30, tzinfo=UTC)


def test_maildir_reads_only_changed_files_again(
    maildir_env: MaildirEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(5):
        maildir_env.add_sent(sent(to=f"person{i}@example.com"))
    reads: list[Path] = []
    real_read = maildir._read_head

    def counting_read(path: Path) -> bytes:
        reads.append(path)
        return real_read(path)

    monkeypatch.setattr(maildir, "_read_head", counting_read)
    mailbox = maildir_env.mailbox
    assert len(mailbox.sent_to(["person0@example.com"], INTERVIEW_START)) == 1
    assert len(reads) == 5

    assert len(mailbox.sent_to(["person1@example.com"], INTERVIEW_START)) == 1
    assert len(reads) == 5  # nothing re-read

    changed = maildir_files(maildir_env.sent_dir)[next(iter(maildir_files(maildir_env.sent_dir)))]
    changed.write_bytes(bytes(sent(to="newcomer@example.com")))
    later = time.time() + 10
    os.utime(changed, (later, later))
    assert len(mailbox.sent_to(["newcomer@example.com"], INTERVIEW_START)) == 1
    assert reads[5:] == [changed]


def test_maildir_reads_headers_not_huge_bodies(maildir_env: MaildirEnv) -> None:
    big = sent()
    big.set_content("x" * 80 + "\n" * 1 + ("y" * 76 + "\n") * 100_000)
    maildir_env.add_sent(big)
    [path] = maildir_files(maildir_env.sent_dir).values()

    head = maildir._read_head(path)

    assert path.stat().st_size > 5_000_000
    assert len(head) < 64 * 1024
    assert len(maildir_env.mailbox.sent_to([JORG], INTERVIEW_START)) == 1


def test_maildir_finds_drafts_in_new_written_by_a_client(maildir_env: MaildirEnv) -> None:
    key = maildir_write(maildir_env.drafts_dir, bytes(note("note-7")), subdir="new", flags="")

    [draft] = maildir_env.mailbox.drafts()
    assert (draft.ref, draft.note_id, draft.flagged) == (key, "note-7", False)


# -- the memory fake's own helpers -------------------------------------------------------


def test_memory_fail_next_raises_once() -> None:
    fake = MemoryMailbox()
    fake.fail_next("save_draft")

    with pytest.raises(ServiceError):
        fake.save_draft(note())
    assert fake.drafts() == []
    ref = fake.save_draft(note())
    assert fake.draft_message(ref)[NOTE_HEADER] == "note-1"


def test_memory_add_sent_with_arrival_time_for_dateless_mail() -> None:
    fake = MemoryMailbox()
    arrival = datetime(2024, 3, 6, 8, 0, tzinfo=UTC)
    fake.add_sent(sent(date=None), received=arrival)

    [found] = fake.sent_to([JORG], INTERVIEW_START)
    assert (found.sender, found.to, found.date) == (
        "alex.rivera@example.com",
        frozenset({JORG}),
        arrival,
    )


# -- shared header helpers --------------------------------------------------------------


def headers_of(text: str) -> Message:
    return headers.parse_headers(text.encode())


def test_addresses_skip_garbage_and_lower_case() -> None:
    parsed = headers_of(
        "To: Undisclosed recipients:;, nobody, <>, A <A@Example.COM>\n"
        'Cc: =?utf-8?q?B=C3=B6_=3C=3E?= <b@example.com>, "x@y" <>\n\n'
    )

    assert headers.addresses(parsed, "To", "Cc") == frozenset({"a@example.com", "b@example.com"})
    assert headers.addresses(parsed, "Bcc") == frozenset()


def test_message_date_fallbacks() -> None:
    fallback = datetime(2024, 1, 1, 12, 0)  # naive: taken as UTC

    assert headers.message_date(headers_of("Subject: x\n\n"), fallback) == fallback.replace(
        tzinfo=UTC
    )
    assert headers.message_date(headers_of("Date: soon\n\n"), fallback).tzinfo is UTC
    parsed = headers_of("Date: Tue, 05 Mar 2024 09:00:00 -0500\n\n")
    assert headers.message_date(parsed, fallback) == datetime(2024, 3, 5, 14, 0, tzinfo=UTC)


def test_our_header_values_are_stripped_and_control_chars_refused() -> None:
    assert headers.note_id(headers_of(f"{NOTE_HEADER}:   abc123  \n\n")) == "abc123"
    assert headers.note_id(headers_of(f"{NOTE_HEADER}: ab\x00c\n\n")) is None
    assert headers.note_id(headers_of(f"{NOTE_HEADER}: \n\n")) is None
    assert headers.note_id(headers_of("Subject: x\n\n")) is None
    assert headers.warning_key(headers_of(f"{WARNING_HEADER}: iv-1:final \n\n")) == "iv-1:final"
    assert headers.warning_key(headers_of(f"{WARNING_HEADER}: iv\x1b-1\n\n")) is None


def test_headers_helpers_accept_built_messages() -> None:
    message = note(to='"Müller, Jörg" <Jorg.Muller@example.de>, dana@example.org')

    assert headers.addresses(message, "To") == frozenset({JORG, "dana@example.org"})
    assert headers.note_id(message) == "note-1"
    assert headers.subject(message) == "Danke für das Gespräch"
