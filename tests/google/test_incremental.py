"""Gmail and Google Calendar across cycles, as the daemon uses them: after the first
cycles, one history.list and one events.list with a syncToken when nothing changed, yet
every change made by someone else is seen and our own writes never force a re-read."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import policy

from afterword.plugin.mailbox.gmail import GmailMailbox
from afterword.plugin.sources.google import GoogleCalendarSource
from tests.emulators.google_api import GoogleEmulator
from tests.google.test_gmail_mailbox import START, note, sent, warning
from tests.google.test_google_calendar import WINDOW, timed

JORG = "jorg@example.de"


def cycle(gmail: GmailMailbox) -> tuple[list[str], int, set[str]]:
    """What the engine asks of the mailbox in a cycle, then the daemon's close()."""
    try:
        drafts = sorted(d.note_id or d.ref for d in gmail.drafts())
        return drafts, len(gmail.sent_to([JORG], START)), gmail.warnings_delivered()
    finally:
        gmail.close()


def methods(google: GoogleEmulator) -> list[str]:
    found = [c.method_id for c in google.calls if c.method_id != "token"]
    google.clear_log()
    return found


def settled(gmail: GmailMailbox, google: GoogleEmulator) -> GmailMailbox:
    gmail.save_draft(note("n1"))
    google.add_sent(sent(JORG, START + timedelta(hours=3)))
    gmail.deliver_warning(warning("iv-1:nudge"))
    gmail.close()
    cycle(gmail)  # the first use remembers nothing
    cycle(gmail)  # the second takes a baseline, then reads
    google.clear_log()
    return gmail


def test_a_quiet_mailbox_costs_one_history_call(gmail: GmailMailbox,
                                                google: GoogleEmulator) -> None:
    settled(gmail, google)

    assert cycle(gmail) == (["n1"], 1, {"iv-1:nudge"})
    assert methods(google) == ["gmail.users.history.list"]
    assert cycle(gmail) == (["n1"], 1, {"iv-1:nudge"})
    assert google.quota_units() == 2


def test_our_own_drafts_stars_and_warnings_need_no_reread(gmail: GmailMailbox,
                                                         google: GoogleEmulator) -> None:
    settled(gmail, google)
    [first] = gmail.drafts()
    gmail.save_draft(note("n2"))
    assert gmail.flag_draft(first.ref)
    gmail.deliver_warning(warning("iv-1:final"))
    gmail.close()
    google.clear_log()

    assert cycle(gmail) == (["n1", "n2"], 1, {"iv-1:nudge", "iv-1:final"})
    assert methods(google) == ["gmail.users.history.list"]
    assert {d.note_id: d.flagged for d in gmail.drafts()} == {"n1": True, "n2": False}


def test_changes_by_others_are_read(gmail: GmailMailbox, google: GoogleEmulator) -> None:
    settled(gmail, google)
    google.add_sent(sent(JORG, START + timedelta(hours=5)))  # the user sent another note
    assert cycle(gmail)[1] == 2
    [draft] = gmail.drafts()
    gmail.close()
    google.delete_draft(draft.ref)  # the user deleted our draft

    assert cycle(gmail)[0] == []
    assert "gmail.users.drafts.list" in methods(google)


def test_history_too_old_means_a_full_resync(gmail: GmailMailbox,
                                            google: GoogleEmulator) -> None:
    settled(gmail, google)
    google.expire_history()
    google.add_sent(sent(JORG, START + timedelta(hours=5)))

    assert cycle(gmail) == (["n1"], 2, {"iv-1:nudge"})
    called = methods(google)
    assert called[:2] == ["gmail.users.history.list", "gmail.users.getProfile"]
    assert [c for c in called if c == "gmail.users.drafts.list"]
    assert cycle(gmail) == (["n1"], 2, {"iv-1:nudge"})
    assert methods(google) == ["gmail.users.history.list"]


def test_sent_to_with_new_arguments_searches_again(gmail: GmailMailbox,
                                                   google: GoogleEmulator) -> None:
    settled(gmail, google)
    assert gmail.sent_to([JORG], START + timedelta(days=2)) == []
    assert "gmail.users.messages.list" in methods(google)


def test_a_quiet_calendar_costs_one_sync_call(calendar: GoogleCalendarSource,
                                              google: GoogleEmulator) -> None:
    google.add_event("primary", timed("2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z",
                                      id="ev1"))
    first = calendar.events(*WINDOW)
    google.clear_log()
    later = (WINDOW[0] + timedelta(hours=1), WINDOW[1] + timedelta(hours=1))

    assert calendar.events(*later) == first
    [call] = google.calls
    assert call.query["syncToken"] and "timeMin" not in call.query


def test_calendar_changes_arrive_through_the_sync_token(calendar: GoogleCalendarSource,
                                                       google: GoogleEmulator) -> None:
    google.add_event("primary", timed("2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z",
                                      id="ev1"))
    google.add_event("primary", timed("2024-03-06T10:00:00Z", "2024-03-06T11:00:00Z",
                                      id="ev2"))
    calendar.events(*WINDOW)
    google.update_event("primary", "ev1", status="cancelled")
    google.update_event("primary", "ev2", summary="Interview: moved",
                        start={"dateTime": "2024-03-07T10:00:00Z"},
                        end={"dateTime": "2024-03-07T11:00:00Z"})
    google.add_event("primary", timed("2024-03-08T10:00:00Z", "2024-03-08T11:00:00Z",
                                      id="ev3"))
    google.clear_log()

    events = calendar.events(*WINDOW)

    assert [(e.uid, e.start.day) for e in events] == [("ev2@google.com", 7),
                                                     ("ev3@google.com", 8)]
    assert len(google.calls) == 1


def test_an_expired_sync_token_means_a_full_read(calendar: GoogleCalendarSource,
                                                google: GoogleEmulator) -> None:
    google.add_event("primary", timed("2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z"))
    calendar.events(*WINDOW)
    google.expire_sync_tokens()
    google.clear_log()

    assert len(calendar.events(*WINDOW)) == 1
    assert [c.status for c in google.calls] == [410, 200]
    assert "timeMin" in google.calls[1].query


def test_a_window_beyond_the_first_read_means_a_full_read(calendar: GoogleCalendarSource,
                                                         google: GoogleEmulator) -> None:
    calendar.events(*WINDOW)
    google.add_event("primary", timed("2024-05-05T10:00:00Z", "2024-05-05T11:00:00Z"))
    google.clear_log()
    later = (WINDOW[0] + timedelta(days=60), WINDOW[1] + timedelta(days=60))

    assert len(calendar.events(*later)) == 1
    assert "timeMin" in google.calls[0].query


# --- recent_messages (the engine's invitation read) behind the same history.list --------


WARNING = "Thank-you notes due"  # settled() delivered one, received now


def arrive(google: GoogleEmulator, label: str, subject: str, when: datetime) -> str:
    message = sent(JORG, when)
    message.replace_header("Subject", subject)
    return google.add_message(message.as_bytes(policy=policy.SMTP), [label], received=when)


def recent(gmail: GmailMailbox, folder: str, since: datetime) -> list[str]:
    return [str(m["Subject"]) for m in gmail.recent_messages(folder, since)]


def test_recent_messages_of_a_quiet_mailbox_cost_no_request(
    gmail: GmailMailbox, google: GoogleEmulator
) -> None:
    arrive(google, "INBOX", "invitation", START)
    arrive(google, "SENT", "my reply", START + timedelta(minutes=1))
    settled(gmail, google)
    assert recent(gmail, "inbox", START - timedelta(days=30)) == [WARNING, "invitation"]
    assert recent(gmail, "sent", START - timedelta(days=30)) == ["Thank you", "my reply"]
    gmail.close()
    google.clear_log()

    # The engine's next read, with a few minutes' overlap.
    assert recent(gmail, "inbox", START - timedelta(minutes=5)) == [WARNING, "invitation"]
    assert recent(gmail, "sent", START - timedelta(minutes=5)) == ["Thank you", "my reply"]
    assert recent(gmail, "inbox", START + timedelta(minutes=10)) == [WARNING]
    assert cycle(gmail) == (["n1"], 2, {"iv-1:nudge"})  # "my reply" went to Jorg too
    assert methods(google) == ["gmail.users.history.list"]


def test_mail_arriving_in_a_folder_is_read_and_only_there(
    gmail: GmailMailbox, google: GoogleEmulator
) -> None:
    settled(gmail, google)
    assert recent(gmail, "inbox", START - timedelta(days=1)) == [WARNING]
    assert recent(gmail, "sent", START - timedelta(days=1)) == ["Thank you"]
    gmail.close()
    arrive(google, "INBOX", "invitation", START + timedelta(hours=6))
    google.clear_log()

    assert recent(gmail, "sent", START) == ["Thank you"]
    assert methods(google) == ["gmail.users.history.list"]  # Sent did not change
    assert recent(gmail, "inbox", START) == [WARNING, "invitation"]
    assert "gmail.users.messages.list" in methods(google)
    gmail.close()
    arrive(google, "SENT", "my reply", START + timedelta(hours=7))

    assert recent(gmail, "inbox", START) == [WARNING, "invitation"]
    assert methods(google) == ["gmail.users.history.list"]
    assert recent(gmail, "sent", START) == ["my reply", "Thank you"]
    assert "gmail.users.messages.list" in methods(google)
