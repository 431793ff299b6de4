"""Interviews that reach the candidate only in a mail's body, driven through the CLI on
Maildir with messages from the detection corpus: a Greenhouse confirmation whose merged .ics
names nobody while its HTML table names the panel, a text-only confirmation without any
.ics, and look-alikes (a rejection, a scheduling request) that must stay nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from afterword.plugin.mailbox.headers import whole_message
from tests.system.conftest import write_config
from tests.system.test_mail_invites import EMPTY, cli, deliver, interviews
from tests.system.test_timeline_maildir import drafts

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def corpus_mail(name: str) -> Any:
    return whole_message((CORPUS / f"{name}.eml").read_bytes())


def test_greenhouse_body_table_gives_one_draft_per_named_interviewer(
    tmp_path: Path, afterword: Any
) -> None:
    config = write_config(tmp_path, EMPTY)
    deliver(tmp_path, "INBOX", corpus_mail("eml_greenhouse_html_table"), when="2026-11-23")
    after = "2026-12-01T13:05:00-05:00"
    cli(afterword, config, "run", "--once", "--now", after)

    (interview,) = interviews(afterword, config, after)
    assert interview["company"] == "Driftwood Labs"
    assert interview["role"] == "Senior Data Engineer"
    notes = {n["interviewer"]["name"]: n for n in interview["notes"]}
    assert set(notes) == {"Ngozi Adeyemi", "Henrik Solberg", "Carla Mendes"}
    assert all(n["needs_address"] is True for n in notes.values())
    saved = drafts(tmp_path)
    assert len(saved) == 3
    assert all(msg["To"] is None for _, msg, _ in saved)


def test_text_only_confirmation_is_an_interview_and_look_alikes_are_not(
    tmp_path: Path, afterword: Any
) -> None:
    config = write_config(tmp_path, EMPTY)
    deliver(tmp_path, "INBOX", corpus_mail("eml_greenhouse_text_only"), when="2026-11-26")
    deliver(tmp_path, "INBOX", corpus_mail("eml_lookalike_rejection"), when="2026-11-27")
    deliver(tmp_path, "INBOX", corpus_mail("eml_lookalike_availability_request"),
            when="2026-11-27")
    after = "2026-12-02T15:35:00-05:00"
    cli(afterword, config, "run", "--once", "--now", after)

    (interview,) = interviews(afterword, config, after)
    assert interview["company"] == "Pinecrest Data"
    assert interview["start"].startswith("2026-12-02T14:00:00")
    assert {n["interviewer"]["name"] for n in interview["notes"]} == {
        "Rafael Ortiz", "Sunita Rao"}
    assert len(drafts(tmp_path)) == 2


def test_a_later_confirmation_moving_the_interview_replaces_the_first(
    tmp_path: Path, afterword: Any
) -> None:
    # The recruiter moves the interview by sending a new text-only confirmation (another
    # day, the same panel); the first mail stays in INBOX. Notes only for the one that
    # takes place, and none for the slot that was given up.
    first = corpus_mail("eml_greenhouse_text_only")
    moved = corpus_mail("eml_greenhouse_text_only")
    moved.replace_header("Message-ID", "<88120.interview.reschedule.7790@greenhouse-mail.io>")
    moved.replace_header("Date", "Sun, 29 Nov 2026 09:12:00 +0000")
    moved.replace_header("Subject", "Updated Interview Confirmation - Pinecrest Data")
    text = moved.get_content().replace("Wednesday, December 2, 2026", "Friday, December 4, 2026")
    assert "December 4" in text
    moved.set_content(text)
    config = write_config(tmp_path, EMPTY)
    deliver(tmp_path, "INBOX", first, when="2026-11-26")
    deliver(tmp_path, "INBOX", moved, when="2026-11-29")

    after_first_slot = "2026-12-02T15:35:00-05:00"
    cli(afterword, config, "run", "--once", "--now", after_first_slot)
    (interview,) = interviews(afterword, config, after_first_slot)
    assert interview["start"].startswith("2026-12-04T14:00:00")
    assert drafts(tmp_path) == []
    after = "2026-12-04T15:35:00-05:00"
    cli(afterword, config, "run", "--once", "--now", after)
    assert len(drafts(tmp_path)) == 2
