"""Telling an offer from everything else in the inbox, and what a guess may do: one
warning per company, nothing else, never from a newsletter or a refusal."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from afterword.plugin.config import Application, Config, Reference, parse_config
from afterword.plugin.mailbox.memory import MemoryMailbox
from afterword.plugin.model import Interview, Interviewer
from afterword.plugin.references.ask import recommend
from afterword.plugin.references.offers import (
    CompanySenders,
    confirm_offer,
    follow_up,
    is_newsletter,
    looks_like_offer,
    opening_text,
    sender_company,
)
from afterword.plugin.references.store import ReferenceStore
from afterword.plugin.state import State

NY = ZoneInfo("America/New_York")
ASKED = datetime(2026, 11, 25, 10, 0, tzinfo=NY)
ACME = CompanySenders("Acme", frozenset({"acme.com"}))
GLOBEX = CompanySenders("Globex", frozenset({"globex.com"}))


@pytest.mark.parametrize("subject, opening", [
    ("Your offer from Acme", ""),
    ("Offer Letter - Senior Data Engineer", ""),
    ("Next steps", "We are delighted to offer you the position of Data Engineer."),
    ("Great news", "We'd like to extend an offer for the role."),
    ("Acme", "I'm pleased to extend you a formal offer of employment."),
    ("Following up", "We would love to offer you the job."),
])
def test_offers_said_plainly(subject: str, opening: str) -> None:
    assert looks_like_offer(subject, opening)


@pytest.mark.parametrize("subject, opening", [
    ("Update on your application", "Unfortunately we will not be extending an offer."),
    ("Your application", "We have decided not to offer you the position."),
    ("Interview follow-up", "We're moving forward with other candidates; no job offer."),
    ("Special offer!", "50% off everything this weekend."),
    ("Schedule your onsite", "We'd like to invite you to a final round."),
    ("Re: offer", "Did you get a chance to look at the offer I mentioned?"),
    ("Offer rescinded", "We regret to inform you that the offer letter is withdrawn."),
])
def test_not_offers(subject: str, opening: str) -> None:
    assert not looks_like_offer(subject, opening)


def message(body: str = "Hello", subtype: str = "plain", **headers: str) -> EmailMessage:
    msg = EmailMessage()
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body, subtype=subtype)
    return msg


def test_newsletters_are_recognised() -> None:
    assert is_newsletter(message(List_Unsubscribe="<mailto:x@acme.com>"))
    assert is_newsletter(message(List_Id="jobs.acme.com"))
    assert is_newsletter(message(Precedence="bulk"))
    assert not is_newsletter(message(Subject="Your offer"))


def test_the_opening_reads_html_and_skips_quotes() -> None:
    html = message("<html><style>p{}</style><p>We are <b>delighted</b> to offer you&nbsp;"
                   "the role.</p></html>", subtype="html")
    assert "We are delighted to offer you" in opening_text(html)
    quoted = message("> old text\nNew line\n")
    assert opening_text(quoted) == "New line"


def test_the_sender_must_be_the_company_or_its_platform_naming_it() -> None:
    both = [ACME, GLOBEX]
    assert sender_company("hannah@acme.com", "Hannah", "Offer", "", both) == "Acme"
    assert sender_company("hr@mail.acme.com", "", "Offer", "", both) == "Acme"
    assert sender_company("no-reply@greenhouse.io", "Acme Recruiting", "Your offer", "",
                          both) == "Acme"
    assert sender_company("no-reply@hire.lever.co", "", "Your offer letter",
                          "Globex is delighted...", both) == "Globex"
    assert sender_company("no-reply@greenhouse.io", "", "Your offer", "", both) is None
    assert sender_company("no-reply@greenhouse.io", "", "Acme and Globex", "", both) is None
    assert sender_company("friend@gmail.com", "Acme", "Offer from Acme", "", both) is None
    assert sender_company("x@acmecorp.com", "", "Acme offer", "", both) is None
    assert sender_company("x@notacme.com", "", "", "", both) is None


# --- the cycle, on the memory mailbox ------------------------------------------------------


def config(tmp_path: Path, references: bool = True) -> Config:
    data: dict[str, object] = {
        "me": {"name": "Alex Rivera", "email": "alex.rivera@example.com",
               "timezone": "America/New_York"},
        "calendar": {"source": "ics", "path": "c.ics"},
        "mailbox": {"backend": "maildir", "path": "mail"},
        "state": {"path": "state.sqlite3"},
    }
    if references:
        data["references"] = [{"name": "Dana Whitfield", "email": "dana@example.org"}]
    cfg = parse_config(data, tmp_path / "config.toml")
    return replace(cfg, applications=(Application("Acme", "Data Engineer", ("acme.com",)),))


def state_with_interview(cfg: Config) -> State:
    state = State(cfg.state_path)
    start = datetime(2026, 11, 24, 14, 0, tzinfo=NY)
    iv = Interview("iv1", "Onsite", "Acme", "Data Engineer", start, start + timedelta(hours=2),
                   (Interviewer("Hannah Berg", "hannah@acme.com", "Hiring Manager"),))
    state.save_interview(iv, start, ["n1"])
    return state


def offer(subject: str = "Your offer from Acme", sender: str = "hannah@acme.com",
          when: datetime = ASKED + timedelta(days=2), **headers: str) -> EmailMessage:
    return message("Congratulations!", From=sender, To="alex.rivera@example.com",
                   Subject=subject, Date=format_datetime(when), Message_ID="<o1@acme.com>",
                   **headers)


def test_a_guess_gives_one_warning_per_company_and_nothing_else(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    state, box = state_with_interview(cfg), MemoryMailbox()
    recommend(cfg, state, box, "acme", [], force=False, now=ASKED)
    drafts = len(box.drafts())
    now = ASKED + timedelta(days=2, hours=1)
    box.add_inbox(offer(List_Id="careers.acme.com"), now - timedelta(minutes=30))
    assert follow_up(cfg, box, state, now) == []  # a newsletter: nothing
    box.add_inbox(offer(), now - timedelta(minutes=20))
    box.add_inbox(offer(sender="alex.rivera@example.com"), now - timedelta(minutes=10))
    assert follow_up(cfg, box, state, now + timedelta(minutes=20)) == ["Acme"]
    assert len(box.drafts()) == drafts
    (warning,) = [m for m in box.inbox if m["X-Afterword-Warning"]]
    assert str(warning["X-Afterword-Warning"]).startswith("offer-noticed:")
    later = now + timedelta(hours=5)
    box.add_inbox(offer(subject="Offer letter attached"), later)
    assert follow_up(cfg, box, state, later + timedelta(minutes=1)) == []
    assert len([m for m in box.inbox if m["X-Afterword-Warning"]]) == 1
    store = ReferenceStore(state)
    (row,) = store.offers()
    assert row.noticed_at == now + timedelta(minutes=20) and row.confirmed_at is None
    assert row.source_message_id == "<o1@acme.com>"


def test_the_inbox_is_read_only_while_an_offer_is_awaited(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    state, box = state_with_interview(cfg), MemoryMailbox()
    assert follow_up(cfg, box, state, ASKED) == []  # nobody asked: the inbox is not read
    box.fail_next("recent_messages")
    assert follow_up(cfg, box, state, ASKED) == []
    recommend(cfg, state, box, "Acme", [], force=False, now=ASKED)
    with pytest.raises(Exception, match="injected"):
        follow_up(cfg, box, state, ASKED + timedelta(hours=1))
    # Read at most every 15 minutes, and not at all once the company's offer is known.
    assert follow_up(cfg, box, state, ASKED + timedelta(hours=2)) == []
    box.fail_next("recent_messages")
    assert follow_up(cfg, box, state, ASKED + timedelta(hours=2, minutes=5)) == []
    confirm_offer(cfg, state, box, "Acme", ASKED + timedelta(days=1))
    assert follow_up(cfg, box, state, ASKED + timedelta(days=2)) == []  # still not read


def test_no_references_no_work(tmp_path: Path) -> None:
    cfg = config(tmp_path, references=False)
    state, box = state_with_interview(cfg), MemoryMailbox()
    box.fail_next("recent_messages")
    box.fail_next("drafts")
    assert follow_up(cfg, box, state, ASKED) == []


def test_confirming_drafts_the_news_once_and_reminds_once(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    state, box = state_with_interview(cfg), MemoryMailbox()
    recommend(cfg, state, box, "Acme", [], force=False, now=ASKED)
    done = confirm_offer(cfg, state, box, "ACME", ASKED + timedelta(days=3))
    assert done.newly_confirmed and done.reminded and len(done.drafted) == 1
    assert done.drafted[0].email == "dana@example.org"
    (reminder,) = [m for m in box.inbox if m["X-Afterword-Warning"]]
    assert "small gift" in reminder.get_content()
    box.delete_draft(str(done.drafted[0].draft_ref))  # the user deletes the news draft
    again = confirm_offer(cfg, state, box, "Acme", ASKED + timedelta(days=4))
    assert not again.newly_confirmed and not again.reminded and again.drafted == []
    assert len(box.inbox) == 1
    assert len(box.drafts()) == 2  # the request and its thanks; the deleted one stays gone


def test_a_draft_found_by_its_header_is_not_saved_again(tmp_path: Path) -> None:
    """A crash after saving and before recording: the rerun finds the drafts."""
    cfg = config(tmp_path)
    state, box = state_with_interview(cfg), MemoryMailbox()
    original = ReferenceStore.record_request

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    ReferenceStore.record_request = crash  # type: ignore[method-assign]
    try:
        with pytest.raises(KeyboardInterrupt):
            recommend(cfg, state, box, "Acme", [], force=False, now=ASKED)
    finally:
        ReferenceStore.record_request = original  # type: ignore[method-assign]
    assert len(box.drafts()) == 2
    recommend(cfg, state, box, "Acme", [], force=False, now=ASKED + timedelta(minutes=1))
    assert len(box.drafts()) == 2
    assert len(ReferenceStore(state).requests()) == 1


def test_references_renamed_in_the_config_keep_their_history(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    state, box = state_with_interview(cfg), MemoryMailbox()
    recommend(cfg, state, box, "Acme", [], force=False, now=ASKED)
    renamed = replace(cfg, references=(Reference("Dana W. Whitfield", "dana@example.org"),))
    with pytest.raises(Exception, match="cooldown"):
        recommend(renamed, state, box, "Acme", [], force=False, now=ASKED + timedelta(days=1))
