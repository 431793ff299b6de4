"""GmailMailbox specifics against the emulator, through the real Google client (the
behaviour every mailbox shares is in tests/contract, where Gmail is registered too)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from afterword.plugin.config import MailboxConfig
from afterword.plugin.errors import ServiceError, UserError
from afterword.plugin.mailbox.base import NOTE_HEADER, WARNING_HEADER
from afterword.plugin.mailbox.gmail import GmailMailbox, sent_query
from tests.emulators.google_api import GoogleEmulator

ME = "Alex Rivera <alex.rivera@example.com>"
START = datetime(2024, 3, 5, 14, 0, tzinfo=UTC)


def note(note_id: str, to: str = "Jörg Müller <jorg@example.de>") -> EmailMessage:
    message = EmailMessage()
    message["From"] = ME
    message["To"] = to
    message["Subject"] = "Danke für das Gespräch"
    message["Message-ID"] = f"<{note_id}@afterword.example.com>"
    message[NOTE_HEADER] = note_id
    message.set_content("Hallo Jörg,\n\ndanke!\n")
    return message


def warning(key: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = ME
    message["To"] = ME
    message["Subject"] = "Thank-you notes due"
    message[WARNING_HEADER] = key
    message.set_content("Unsent: Jörg Müller.\n")
    return message


def sent(to: str, when: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = ME
    message["To"] = to
    message["Date"] = format_datetime(when)
    message["Subject"] = "Thank you"
    message.set_content("Thanks!\n")
    return message


def test_draft_is_the_raw_message_with_crlf_and_its_ref_is_the_draft_id(
    gmail: GmailMailbox, google: GoogleEmulator
) -> None:
    ref = gmail.save_draft(note("n1"))

    assert ref in google.drafts
    [create] = google.calls_to("gmail.users.drafts.create")
    assert create.path == "/gmail/v1/users/me/drafts"
    stored = google.draft_message(ref)
    assert stored is not None
    assert stored.raw == note("n1").as_bytes(policy=policy.SMTP)
    assert b"\r\nX-Afterword-Note: n1\r\n" in stored.raw


def test_label_is_created_once_and_put_on_drafts_and_warnings(
    gmail: GmailMailbox, google: GoogleEmulator
) -> None:
    first = gmail.save_draft(note("n1"))
    second = gmail.save_draft(note("n2", to="dana@example.org"))
    gmail.deliver_warning(warning("iv-1:nudge"))

    assert len(google.calls_to("gmail.users.labels.create")) == 1
    label = google.label_id("afterword")
    assert label is not None
    for ref in (first, second):
        stored = google.draft_message(ref)
        assert stored is not None and label in stored.label_ids
    [inbox] = [m for m in google.messages.values() if "INBOX" in m.label_ids]
    assert label in inbox.label_ids


def test_an_existing_label_is_reused(google: GoogleEmulator, gmail: GmailMailbox) -> None:
    google.labels["Label_7"] = "Afterword"  # made by an earlier run (or the user)

    gmail.save_draft(note("n1"))

    assert google.calls_to("gmail.users.labels.create") == []
    assert google.with_label("Label_7")


def test_flag_stars_the_drafts_current_message(gmail: GmailMailbox,
                                               google: GoogleEmulator) -> None:
    ref = gmail.save_draft(note("n1"))

    assert gmail.flag_draft(ref) is True

    stored = google.draft_message(ref)
    assert stored is not None
    assert {"DRAFT", "STARRED"} <= set(stored.label_ids)
    modify = google.calls_to("gmail.users.messages.modify")[-1]
    assert (modify.path, modify.status) == (f"/gmail/v1/users/me/messages/{stored.id}/modify",
                                            200)


def test_flag_after_the_user_edited_the_draft_in_gmail(gmail: GmailMailbox,
                                                       google: GoogleEmulator) -> None:
    ref = gmail.save_draft(note("n1"))
    google.user_updates_draft(ref, b"To: jorg@example.de\r\nSubject: Danke\r\n\r\nMeine Worte\r\n")

    assert gmail.flag_draft(ref) is True
    stored = google.draft_message(ref)
    assert stored is not None and "STARRED" in stored.label_ids


def test_flag_of_a_deleted_draft_is_false(gmail: GmailMailbox,
                                          google: GoogleEmulator) -> None:
    ref = gmail.save_draft(note("n1"))
    google.delete_draft(ref)

    assert gmail.flag_draft(ref) is False
    assert google.calls_to("gmail.users.drafts.get")[-1].status == 404


def test_draft_edited_in_gmail_keeps_its_ref_without_our_header(
    gmail: GmailMailbox, google: GoogleEmulator
) -> None:
    ref = gmail.save_draft(note("n1"))
    [before] = gmail.drafts()
    assert before.note_id == "n1"

    google.user_updates_draft(ref, b"To: =?utf-8?q?J=C3=B6rg?= <Jorg@Example.de>\r\n"
                                   b"Subject: Danke\r\n\r\nMeine eigenen Worte\r\n")

    [after] = gmail.drafts()
    assert (after.ref, after.note_id, after.to) == (ref, None, ("jorg@example.de",))


def test_deliver_warning_inserts_into_inbox_unread_with_received_time(
    gmail: GmailMailbox, google: GoogleEmulator
) -> None:
    gmail.deliver_warning(warning("iv-1:final"))

    [insert] = google.calls_to("gmail.users.messages.insert")
    assert insert.query["internalDateSource"] == ["receivedTime"]
    [message] = google.messages.values()
    assert {"INBOX", "UNREAD"} <= set(message.label_ids)
    assert "DRAFT" not in message.label_ids
    assert abs(message.internal_date / 1000 - datetime.now(UTC).timestamp()) < 60
    assert gmail.warnings_delivered() == {"iv-1:final"}


def test_warnings_are_found_by_label_and_header_only(gmail: GmailMailbox,
                                                     google: GoogleEmulator) -> None:
    gmail.save_draft(note("n1"))  # labelled too, but a draft
    gmail.deliver_warning(warning("iv-1:nudge"))
    fresh = GmailMailbox(gmail.api)  # another run: nothing remembered
    label = google.label_id("afterword")
    assert label is not None
    google.add_message(b"Subject: labelled by the user\r\n\r\nx\r\n", ["INBOX", label])

    assert fresh.warnings_delivered() == {"iv-1:nudge"}

    [listing] = google.calls_to("gmail.users.messages.list")[-1:]
    assert listing.query["labelIds"] == [label]
    assert listing.query["q"] == ["-in:drafts"]


def test_no_warning_lookup_before_the_label_exists(gmail: GmailMailbox,
                                                   google: GoogleEmulator) -> None:
    assert gmail.warnings_delivered() == set()

    assert google.label_id("afterword") is None  # looking wrote nothing
    assert [c.method_id for c in google.calls] == ["gmail.users.labels.list"]


def test_sent_search_is_narrow_and_paged(gmail: GmailMailbox, google: GoogleEmulator,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("afterword.plugin.mailbox.gmail.PAGE_SIZE", 2)
    for minutes in range(5):
        google.add_sent(sent("jorg@example.de", START + timedelta(minutes=minutes)))
    google.add_sent(sent("someone@else.org", START + timedelta(hours=1)))

    found = gmail.sent_to(["Jorg@Example.de"], START)

    assert [m.date for m in found] == [START + timedelta(minutes=i) for i in range(5)]
    listings = google.calls_to("gmail.users.messages.list")
    assert len(listings) == 3  # 5 results, 2 per page
    after = int((START - timedelta(days=1)).timestamp())
    assert listings[0].query["q"] == [
        f"in:sent after:{after} {{to:jorg@example.de cc:jorg@example.de bcc:jorg@example.de}}"]
    assert all(c.query["pageToken"] for c in listings[1:])


def test_sent_search_groups_addresses_and_quotes_odd_ones() -> None:
    assert sent_query(["a@x.org", "b c@x.org"], 1700000000) == (
        'in:sent after:1700000000 {to:a@x.org cc:a@x.org bcc:a@x.org '
        'to:"b c@x.org" cc:"b c@x.org" bcc:"b c@x.org"}')


def test_many_addresses_make_several_searches(gmail: GmailMailbox,
                                              google: GoogleEmulator) -> None:
    people = [f"person{i}@example.com" for i in range(12)]
    google.add_sent(sent(people[11], START + timedelta(hours=2)))

    [found] = gmail.sent_to(people, START)

    assert found.to == frozenset({people[11]})
    assert len(google.calls_to("gmail.users.messages.list")) == 3  # 5 + 5 + 2 addresses


def test_gets_are_batched_fifty_at_a_time(gmail: GmailMailbox, google: GoogleEmulator) -> None:
    for i in range(60):
        google.create_draft(bytes(note(f"n{i}", to=f"p{i}@example.com")))

    drafts = gmail.drafts()

    assert len(drafts) == 60
    batches = google.calls_to("batch")
    assert len(batches) == 2
    inner = [c for c in google.calls if c.in_batch]
    assert len(inner) == 60
    assert {c.method_id for c in inner} == {"gmail.users.drafts.get"}
    assert all(c.query["format"] == ["metadata"] for c in inner)
    assert google.calls_to("gmail.users.drafts.get") == inner  # none outside a batch
    assert google.violations == []


def test_a_throttled_batch_part_is_retried_alone(gmail: GmailMailbox, google: GoogleEmulator,
                                                 sleeps: list[float]) -> None:
    for i in range(3):
        google.create_draft(bytes(note(f"n{i}")))
    google.fail(429, times=1, inner=True, retry_after="2")

    assert {d.note_id for d in gmail.drafts()} == {"n0", "n1", "n2"}

    assert len(google.calls_to("batch")) == 2
    assert [c.status for c in google.calls if c.in_batch] == [429, 200, 200, 200]
    assert sleeps == [2.0]


def test_no_change_cycle_costs_only_list_calls(gmail: GmailMailbox,
                                               google: GoogleEmulator) -> None:
    """What one quiet cycle (drafts, sent mail, warnings) costs once everything is known."""
    people = ["jorg@example.de", "dana@example.org", "li@example.com"]
    for i, person in enumerate(people):
        gmail.save_draft(note(f"n{i}", to=person))
    google.add_sent(sent(people[0], START + timedelta(hours=3)))
    gmail.deliver_warning(warning("iv-1:nudge"))

    def cycle() -> None:
        gmail.drafts()
        gmail.sent_to(people, START)
        gmail.warnings_delivered()

    cycle()
    google.clear_log()
    cycle()

    assert [c.method_id for c in google.calls] == [
        "gmail.users.drafts.list", "gmail.users.messages.list",  # drafts, starred drafts
        "gmail.users.messages.list",  # the Sent search
        "gmail.users.messages.list",  # the warnings
    ]
    assert google.quota_units() == 20


def test_a_create_that_took_effect_before_failing_is_not_repeated(
    gmail: GmailMailbox, google: GoogleEmulator
) -> None:
    google.fail(503, times=1, match="/drafts", served=True)

    ref = gmail.save_draft(note("n1"))

    assert list(google.drafts) == [ref]
    assert len(google.calls_to("gmail.users.drafts.create")) == 1


def test_a_warning_insert_that_took_effect_is_not_repeated(gmail: GmailMailbox,
                                                           google: GoogleEmulator) -> None:
    gmail.save_draft(note("n1"))  # the label exists
    google.fail(500, times=1, match="/messages", served=True)

    gmail.deliver_warning(warning("iv-1:nudge"))

    assert len([m for m in google.messages.values() if "INBOX" in m.label_ids]) == 1


def test_a_create_refused_before_taking_effect_is_retried(gmail: GmailMailbox,
                                                          google: GoogleEmulator) -> None:
    google.fail(503, times=1, match="/drafts")

    ref = gmail.save_draft(note("n1"))

    assert list(google.drafts) == [ref]
    assert [c.method_id for c in google.calls[:3]] == [
        "gmail.users.drafts.create", "gmail.users.drafts.list",  # did it take effect? no
        "gmail.users.drafts.create"]
    assert [c.status for c in google.calls_to("gmail.users.drafts.create")] == [503, 200]


def test_a_message_without_our_header_is_not_created_twice_on_doubt(
    gmail: GmailMailbox, google: GoogleEmulator
) -> None:
    message = note("n1")
    del message[NOTE_HEADER]
    google.fail(503, times=1, match="/drafts", served=True)

    with pytest.raises(ServiceError, match="not repeated"):
        gmail.save_draft(message)
    assert len(google.drafts) == 1


def test_a_deleted_label_is_made_again_for_the_next_warning(gmail: GmailMailbox,
                                                            google: GoogleEmulator) -> None:
    gmail.deliver_warning(warning("iv-1:nudge"))
    google.labels.clear()  # the user deleted the label in Gmail

    gmail.deliver_warning(warning("iv-1:final"))

    assert len(google.calls_to("gmail.users.labels.create")) == 2
    assert google.calls_to("gmail.users.messages.insert")[-1].status == 200


def test_describe_reaches_gmail_and_writes_nothing(gmail: GmailMailbox,
                                                   google: GoogleEmulator) -> None:
    text = "\n".join(gmail.describe())

    assert "alex.rivera@example.com" in text
    assert "gmail.modify" in text
    assert "created with the first draft" in text
    assert google.labels == {} and google.messages == {}
    assert {c.method for c in google.calls} == {"GET"}


def test_from_config_points_at_the_endpoint(google: GoogleEmulator, token_file: Path) -> None:
    config = MailboxConfig(backend="gmail", token_file=token_file,
                           api_endpoint=google.base_url.rstrip("/"))
    mailbox = GmailMailbox.from_config(config)
    try:
        assert mailbox.drafts() == []
    finally:
        mailbox.close()
    assert google.calls[0].path == "/gmail/v1/users/me/drafts"


def test_a_token_without_the_gmail_scope_is_refused_before_any_call(
    google: GoogleEmulator, tmp_path: Path
) -> None:
    from afterword.auth.scopes import CALENDAR_SCOPES

    token = google.write_token(tmp_path / "t.json", scopes=CALENDAR_SCOPES)
    mailbox = GmailMailbox.from_config(MailboxConfig(backend="gmail", token_file=token,
                                                     api_endpoint=google.base_url))

    with pytest.raises(UserError, match=r"does not grant gmail\.modify.*afterword auth google"):
        mailbox.drafts()
    assert google.calls == []

