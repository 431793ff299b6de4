"""Addresses for named interviewers, learned from the headers of mail exchanged with the
company, and the company's address pattern as a labelled guess."""

from __future__ import annotations

import email.policy
import time
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from afterword.plugin.detect import address_book
from afterword.plugin.detect.address_book import AddressBook, KnownAddress, suggest_address
from afterword.plugin.model import Identity

ME = Identity("Alex Kim", "alex.kim@gmail.com", ("alex@kim.dev",))
ACME = ["acme.com"]


def parse(raw: bytes | str) -> EmailMessage:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    message = BytesParser(policy=email.policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def mail(*headers: str, body: str = "Thanks!") -> EmailMessage:
    """A message from raw header lines, as a mailbox would hand it over."""
    return parse("\r\n".join([*headers, "Subject: Interview", "", body, ""]))


def book(*messages: EmailMessage, me: Identity = ME) -> AddressBook:
    return AddressBook.from_messages(messages, me)


def from_recruiter(*extra: str) -> EmailMessage:
    return mail("From: Dana Whitfield <dana@acme.com>", "To: Alex Kim <alex.kim@gmail.com>",
                *extra)


# --- where pairs come from ------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        mail("From: Priya Raman <priya.raman@acme.com>", "To: alex.kim@gmail.com"),
        mail("From: Alex Kim <alex.kim@gmail.com>", "To: Priya Raman <priya.raman@acme.com>"),
        from_recruiter("Cc: Priya Raman <priya.raman@acme.com>, Tom Okafor <tom@acme.com>"),
        mail("From: Acme via Greenhouse <no-reply@greenhouse-mail.io>",
             "To: alex.kim@gmail.com", "Reply-To: Priya Raman <priya.raman@acme.com>"),
        mail("From: Acme Recruiting <recruiting@acme.com>",
             "Sender: Priya Raman <priya.raman@acme.com>", "To: alex.kim@gmail.com"),
    ],
    ids=["from", "to-in-my-mail", "cc-of-recruiter", "reply-to-of-platform", "sender"],
)
def test_each_address_header_teaches_a_pair(message: EmailMessage) -> None:
    learned = book(message)
    assert learned.address_for("Priya Raman", ACME) == "priya.raman@acme.com"
    assert KnownAddress("Priya Raman", "priya.raman@acme.com") in learned.known_at(ACME)


def test_bcc_and_other_headers_teach_nothing() -> None:
    learned = book(mail("From: Alex Kim <alex.kim@gmail.com>", "To: dana@acme.com",
                        "Bcc: Priya Raman <priya.raman@acme.com>",
                        "X-Original-To: Tom Okafor <tom@acme.com>"))
    assert learned.address_for("Priya Raman", ACME) is None
    assert learned.address_for("Tom Okafor", ACME) is None


def test_only_addresses_at_the_company_domains_answer() -> None:
    learned = book(from_recruiter("Cc: Priya Raman <priya.raman@other.com>, "
                                  "Tom Okafor <tom@eu.acme.com>"),
                   mail("From: Priya Raman <priya.raman@other.com>", "To: alex.kim@gmail.com"))
    assert learned.address_for("Priya Raman", ACME) is None
    assert learned.address_for("Priya Raman", ["other.com"]) == "priya.raman@other.com"
    assert learned.address_for("Tom Okafor", ACME) == "tom@eu.acme.com"  # a subdomain
    assert learned.address_for("Tom Okafor", []) is None
    assert learned.address_for("Tom Okafor", ["@ACME.COM."]) == "tom@eu.acme.com"


# --- what is left out -----------------------------------------------------------------------


def test_me_and_my_aliases_are_never_an_interviewer() -> None:
    learned = book(from_recruiter(
        "Cc: Alex Kim <alex+jobs@kim.dev>, Alex Kim <alex.kim@acme.com>, "
        "Priya Raman <priya.raman@acme.com>"))
    assert learned.address_for("Alex Kim", ["kim.dev"]) is None
    # my full name on an address I never configured is still me
    assert learned.address_for("Alex Kim", ACME) is None
    assert {k.email for k in learned.known_at([*ACME, "kim.dev"])} == {
        "dana@acme.com", "priya.raman@acme.com"}


@pytest.mark.parametrize(
    "cc",
    [
        "Priya Raman <no-reply@acme.com>",
        "Priya Raman <notifications@acme.com>",
        "Priya Raman <recruiting@acme.com>",
        "Priya Raman <jobs@acme.com>",
        "Priya Raman <careers@acme.com>",
        "Priya Raman <talent@acme.com>",
        "Priya Raman <hr@acme.com>",
        "Priya Raman <team@acme.com>",
        "Priya Raman <talent-acquisition@acme.com>",
        "Priya Raman <recruiting.team@acme.com>",
        "Priya Raman <recruitingteam@acme.com>",
        "Priya Raman <acme-careers@acme.com>",
        "Priya Raman <jobs-eu@acme.com>",
        "Priya Raman via Platform <platform-eng@acme.com>",
        "Acme <priya.raman@acme.com>",
        "Acme Recruiting <priya.raman@acme.com>",
        "ACME Talent Team <priya.raman@acme.com>",
        "Acme Candidate Calendar <priya.raman@acme.com>",
    ],
)
def test_robots_teams_and_the_company_itself_are_not_people(cc: str) -> None:
    learned = book(from_recruiter(f"Cc: {cc}"))
    assert learned.address_for("Priya Raman", ACME) is None
    assert learned.address_for("Priya", ACME) is None
    assert [k.email for k in learned.known_at(ACME)] == ["dana@acme.com"]


def test_a_person_whose_surname_is_the_company_is_still_a_person() -> None:
    learned = book(mail("From: Michael Dell <michael@dell.com>", "To: alex.kim@gmail.com"))
    assert learned.address_for("Michael Dell", ["dell.com"]) == "michael@dell.com"


@pytest.mark.parametrize(
    ("cc", "domains"),
    [
        ("Priya Raman <priya@greenhouse.io>", ["greenhouse.io"]),
        ("Priya Raman <priya@hire.lever.co>", ["hire.lever.co"]),
        ("Priya Raman <priya@calendly.com>", ["calendly.com"]),
        ("Priya Raman <priya.raman@gmail.com>", ["gmail.com"]),
        ("Priya Raman <acme-eng@googlegroups.com>", ["googlegroups.com"]),
    ],
)
def test_platforms_relays_and_mail_providers_are_left_out(cc: str, domains: list[str]) -> None:
    learned = book(from_recruiter(f"Cc: {cc}"))
    assert learned.address_for("Priya Raman", domains) is None


def test_an_address_without_a_display_name_answers_by_its_local_part_only() -> None:
    learned = book(from_recruiter("Cc: priya.raman@acme.com, jsmith <jsmith@acme.com>, "
                                  '"tom.okafor@acme.com" <tom.okafor@acme.com>'))
    assert learned.known_at(ACME) == [KnownAddress("Dana Whitfield", "dana@acme.com")]
    assert learned.address_for("Priya Raman", ACME) == "priya.raman@acme.com"
    assert learned.address_for("John Smith", ACME) == "jsmith@acme.com"
    assert learned.address_for("Tom Okafor", ACME) == "tom.okafor@acme.com"
    assert learned.address_for("Priya Shah", ACME) is None


def test_a_display_name_of_someone_else_beats_a_matching_local_part() -> None:
    learned = book(from_recruiter("Cc: Robert Smith <rsmith@acme.com>"))
    assert learned.address_for("Rachel Smith", ACME) is None
    assert learned.address_for("Robert Smith", ACME) == "rsmith@acme.com"


# --- matching names -------------------------------------------------------------------------


def test_first_name_alone_matches_only_a_unique_person() -> None:
    learned = book(from_recruiter("Cc: Priya Raman <priya.raman@acme.com>, "
                                  "Tom Okafor <tom@acme.com>"))
    assert learned.address_for("Priya", ACME) == "priya.raman@acme.com"
    assert learned.address_for("PRIYA", ACME) == "priya.raman@acme.com"
    assert learned.address_for("Tom", ACME) == "tom@acme.com"
    assert learned.address_for("Marcus", ACME) is None


def test_first_name_alone_with_two_candidates_is_ambiguous() -> None:
    two_named = book(from_recruiter("Cc: Priya Raman <priya.raman@acme.com>, "
                                    "Priya Shah <pshah@acme.com>"))
    assert two_named.address_for("Priya", ACME) is None
    assert two_named.address_for("Priya Shah", ACME) == "pshah@acme.com"
    one_unnamed = book(from_recruiter("Cc: Priya Raman <priya.raman@acme.com>, "
                                      "priya.shah@acme.com"))
    assert one_unnamed.address_for("Priya", ACME) is None
    other_domain = book(from_recruiter("Cc: Priya Raman <priya.raman@acme.com>"),
                        mail("From: Priya Shah <priya@other.com>", "To: alex.kim@gmail.com"))
    assert other_domain.address_for("Priya", ACME) == "priya.raman@acme.com"


def test_two_addresses_for_one_full_name_is_ambiguous() -> None:
    learned = book(from_recruiter("Cc: Priya Raman <priya.raman@acme.com>, "
                                  "Priya Raman <priya@eu.acme.com>"))
    assert learned.address_for("Priya Raman", ACME) is None
    assert learned.address_for("Priya Raman", ["eu.acme.com"]) == "priya@eu.acme.com"


@pytest.mark.parametrize(
    ("cc", "asked"),
    [
        ('"Raman, Priya" <priya.raman@acme.com>', "Priya Raman"),
        ("Raman, Priya <priya.raman@acme.com>", "Priya Raman"),  # unquoted: two entries
        ("PRIYA RAMAN <praman@acme.com>", "Priya Raman"),
        ("Priya Raman <praman@acme.com>", "RAMAN, PRIYA"),
        ('"Dr. Priya K. Raman, PhD" <praman@acme.com>', "Priya Raman"),
        ("Priya Raman <praman@acme.com>", "P. Raman"),
        ("=?utf-8?b?Sm9zw6kgw4FsdmFyZXo=?= <jalvarez@acme.com>", "Jose Alvarez"),
        ("=?iso-8859-1?q?Jos=E9_=C1lvarez?= <jalvarez@acme.com>", "José Álvarez"),
        ("José Álvarez <jalvarez@acme.com>", "JOSE ALVAREZ"),
        ("=?utf-8?b?5p2O5piO?= <li.ming@acme.com>", "李明"),
        ("Zoë Saldaña <zoe@acme.com>", "Zoe Saldana"),
    ],
)
def test_messy_and_non_ascii_names_match(cc: str, asked: str) -> None:
    learned = book(from_recruiter(f"Cc: {cc}"))
    expected = cc.rsplit("<", 1)[1].rstrip(">")
    assert learned.address_for(asked, ACME) == expected


def test_names_are_stored_cleaned_and_newest_first() -> None:
    older = book(from_recruiter("Date: Mon, 1 Apr 2024 10:00:00 +0000",
                                'Cc: "RAMAN, PRIYA" <priya.raman@acme.com>'))
    newer = book(from_recruiter("Date: Tue, 2 Apr 2024 10:00:00 +0000",
                                "Cc: Priya K. Raman <priya.raman@acme.com>"))
    merged = older.merge(newer)
    assert KnownAddress("Priya K. Raman", "priya.raman@acme.com") in merged.known_at(ACME)
    assert KnownAddress("Priya Raman", "priya.raman@acme.com") in older.known_at(ACME)
    assert merged.address_for("Priya Raman", ACME) == "priya.raman@acme.com"


# --- conversations and chains ---------------------------------------------------------------


def agency_intro() -> EmailMessage:
    """A third-party recruiter (not at the company) Cc'ing the hiring manager."""
    return mail("From: Sam Agent <sam@talentbridge.io>", "To: alex.kim@gmail.com",
                "Cc: Bob Lee <bob.lee@acme.com>", "Message-ID: <intro-1@talentbridge.io>")


def my_reply_to_intro() -> EmailMessage:
    return mail("From: Alex Kim <alex.kim@gmail.com>", "To: Sam Agent <sam@talentbridge.io>",
                "In-Reply-To: <intro-1@talentbridge.io>",
                "References: <intro-1@talentbridge.io>", "Message-ID: <reply-1@gmail.com>")


def test_a_strangers_cc_counts_only_once_a_chain_ties_it_to_my_mail() -> None:
    assert book(agency_intro()).address_for("Bob Lee", ACME) is None
    assert book(agency_intro()).address_for("Sam Agent", ["talentbridge.io"]) == (
        "sam@talentbridge.io")  # the sender's own address is its word
    assert book(agency_intro(), my_reply_to_intro()).address_for("Bob Lee", ACME) == (
        "bob.lee@acme.com")


def test_a_chain_completed_in_a_later_batch_still_counts() -> None:
    first = book(agency_intro())
    second = book(my_reply_to_intro())
    assert first.merge(second).address_for("Bob Lee", ACME) == "bob.lee@acme.com"


def test_a_reply_to_a_confirmation_is_part_of_its_conversation() -> None:
    confirmation = mail("From: Acme via Greenhouse <no-reply@greenhouse-mail.io>",
                        "To: alex.kim@gmail.com", "Message-ID: <conf-1@greenhouse-mail.io>")
    follow_up = mail("From: Sam Agent <sam@talentbridge.io>", "To: alex.kim@gmail.com",
                     "Cc: Bob Lee <bob.lee@acme.com>",
                     "In-Reply-To: <conf-1@greenhouse-mail.io>")
    unrelated = mail("From: Sam Agent <sam@talentbridge.io>", "To: alex.kim@gmail.com",
                     "Cc: Carol Diaz <carol@acme.com>", "In-Reply-To: <other@x.com>")
    learned = book(confirmation, follow_up, unrelated)
    assert learned.address_for("Bob Lee", ACME) == "bob.lee@acme.com"
    assert learned.address_for("Carol Diaz", ACME) is None


def test_a_chain_through_a_message_i_never_saw_still_links() -> None:
    root = mail("From: Sam Agent <sam@talentbridge.io>", "To: alex.kim@gmail.com",
                "Cc: Bob Lee <bob.lee@acme.com>", "Message-ID: <root@talentbridge.io>")
    mine = mail("From: alex.kim@gmail.com", "To: sam@talentbridge.io",
                "In-Reply-To: <missing@talentbridge.io>",
                "References: <root@talentbridge.io> <missing@talentbridge.io>")
    assert book(root, mine).address_for("Bob Lee", ACME) == "bob.lee@acme.com"


def test_newsletters_and_lists_count_only_in_a_conversation() -> None:
    newsletter = mail("From: Priya Raman <news@acme.com>", "To: alex.kim@gmail.com",
                      "List-Unsubscribe: <https://acme.com/unsub>")
    listed = mail("From: Tom Okafor <tom@acme.com>", "To: eng-all@lists.acme.com",
                  "List-Id: <eng-all.lists.acme.com>")
    campaign = mail("From: Dana Whitfield <dana@acme.com>", "To: alex.kim@gmail.com",
                    "Precedence: bulk", "Message-ID: <campaign-1@acme.com>")
    learned = book(newsletter, listed, campaign)
    assert learned.address_for("Priya Raman", ACME) is None
    assert learned.address_for("Tom Okafor", ACME) is None
    assert learned.address_for("Dana Whitfield", ACME) is None
    answered = mail("From: alex.kim@gmail.com", "To: dana@acme.com",
                    "In-Reply-To: <campaign-1@acme.com>")
    assert learned.merge(book(answered)).address_for("Dana Whitfield", ACME) == (
        "dana@acme.com")


def test_employer_domains_of_a_platform_confirmation() -> None:
    confirmation = mail("From: Acme via Greenhouse <no-reply@greenhouse-mail.io>",
                        "To: alex.kim@gmail.com", "Message-ID: <conf-7@greenhouse-mail.io>")
    with_reply_to = mail("From: Acme via Greenhouse <no-reply@greenhouse-mail.io>",
                         "To: alex.kim@gmail.com", "Reply-To: recruiting@acme.com",
                         "Message-ID: <conf-8@greenhouse-mail.io>")
    my_reply = mail("From: alex.kim@gmail.com", "To: Dana Whitfield <dana@acme.com>",
                    "Cc: Bob <bob@acme-labs.io>, Dana <dana@acme.com>",
                    "In-Reply-To: <conf-7@greenhouse-mail.io>")
    dana_reply = mail("From: Dana Whitfield <dana@acme.com>", "To: alex.kim@gmail.com",
                      "References: <conf-7@greenhouse-mail.io> <mine@gmail.com>")
    learned = book(confirmation, with_reply_to, my_reply, dana_reply)
    assert learned.employer_domains("<conf-7@greenhouse-mail.io>") == [
        "acme.com", "acme-labs.io"]
    assert learned.employer_domains("conf-8@greenhouse-mail.io") == ["acme.com"]
    assert learned.employer_domains("<unknown@x.com>") == []
    assert learned.employer_domains("") == []


# --- bounds ---------------------------------------------------------------------------------


def test_the_book_keeps_the_newest_people(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(address_book, "MAX_PEOPLE", 3)
    learned = AddressBook()
    for day in range(1, 6):
        batch = book(from_recruiter(f"Date: Mon, {day} Apr 2024 10:00:00 +0000",
                                    f"Cc: Person Number{chr(96 + day)} <p{day}@acme.com>"))
        learned = learned.merge(batch)
    assert len(learned) == 3
    assert learned.address_for("Person Numbere", ACME) == "p5@acme.com"
    assert learned.address_for("Person Numbera", ACME) is None
    assert learned.address_for("Dana Whitfield", ACME) == "dana@acme.com"  # seen daily


def test_only_the_first_messages_are_read() -> None:
    messages = [mail(f"From: Person Number{i} <p{i}@acme.com>", "To: alex.kim@gmail.com")
                for i in range(address_book.MAX_MESSAGES + 20)]
    learned = book(*messages)
    assert len(learned) == address_book.MAX_MESSAGES


def test_one_batch_parses_a_bounded_number_of_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(address_book, "MAX_ADDRESSES_PER_BATCH", 4)
    newest = from_recruiter("Cc: Priya Raman <priya.raman@acme.com>")
    older = mail("From: Tom Okafor <tom@acme.com>", "To: alex.kim@gmail.com",
                 "Cc: Bob Lee <bob@acme.com>")
    learned = book(newest, older)  # newest first, as recent_messages returns them
    assert learned.address_for("Priya Raman", ACME) == "priya.raman@acme.com"
    assert learned.address_for("Tom Okafor", ACME) == "tom@acme.com"
    assert learned.address_for("Bob Lee", ACME) is None


def test_a_long_references_chain_keeps_its_root_and_latest_links() -> None:
    intro = agency_intro()
    ids = " ".join(f"<r{i}@x.com>" for i in range(3000))
    reply = mail("From: alex.kim@gmail.com", "To: sam@talentbridge.io",
                 f"References: {ids} <intro-1@talentbridge.io>")
    assert book(intro, reply).address_for("Bob Lee", ACME) == "bob.lee@acme.com"


def test_merge_is_idempotent_for_the_same_mail_read_twice() -> None:
    once = book(agency_intro(), my_reply_to_intro())
    twice = once.merge(book(agency_intro(), my_reply_to_intro()))
    assert len(twice) == len(once)
    assert twice.known_at(ACME) == once.known_at(ACME)


# --- hostile and malformed headers ----------------------------------------------------------


def test_ten_thousand_cc_addresses_cost_little() -> None:
    cc = ", ".join(f"Person Number{i} <p{i}@acme.com>" for i in range(10_000))
    started = time.monotonic()
    learned = book(from_recruiter(f"Cc: {cc}"))
    assert time.monotonic() - started < 2
    assert 150 < len(learned) <= address_book.MAX_ADDRESSES_PER_MESSAGE
    assert learned.address_for("Dana Whitfield", ACME) == "dana@acme.com"


def test_line_breaks_in_names_never_reach_a_name_or_an_address() -> None:
    raw = (b"From: Dana Whitfield <dana@acme.com>\r\nTo: alex.kim@gmail.com\r\n"
           b"Cc: =?utf-8?q?Eve_Stone=0D=0ABcc=3A_x=40evil=2Ecom?= <eve@acme.com>,\r\n"
           b" Priya\rRaman <priya.raman@acme.com>, Bob\nLee <bob@acme.com>\r\n"
           b"Subject: x\r\n\r\nbody\r\n")
    learned = book(parse(raw))
    names = {k.name for k in learned.known_at(ACME)}
    assert "Eve Stone" in names
    assert all("\r" not in n and "\n" not in n and "@" not in n for n in names)
    assert all(k.email.isascii() and " " not in k.email for k in learned.known_at(ACME))
    assert learned.address_for("Eve Stone", ACME) == "eve@acme.com"


def test_a_crafted_line_break_in_a_message_object_does_not_crash() -> None:
    message = EmailMessage()
    message["From"] = "Dana Whitfield <dana@acme.com>"
    message._headers.append(("Cc", "Priya Raman\r\n <priya.raman@acme.com>\r\nBcc: x@evil.com"))
    learned = book(message)
    assert learned.address_for("Priya Raman", ACME) == "priya.raman@acme.com"
    assert learned.address_for("Priya Raman", ["evil.com"]) is None


@pytest.mark.parametrize(
    "cc",
    [
        "=?x-unknown?q?Priya_Raman?= <p@acme.com>",
        "=?utf-8?q?Pr=FFya_Raman?= <p@acme.com>",
        "=?utf-8?b?!!!?= <p@acme.com>",
        "=?utf-8?b?UHJpeWE?= Raman <p@acme.com>",  # bad padding
    ],
)
def test_undecodable_encoded_words_leave_the_address_nameless(cc: str) -> None:
    learned = book(from_recruiter(f"Cc: {cc}"))
    assert all(k.email != "p@acme.com" or "?" not in k.name for k in learned.known_at(ACME))
    assert all("\ufffd" not in k.name for k in learned.known_at(ACME))


@pytest.mark.parametrize(
    "header",
    [
        "Cc: <<<>>>,,,@@",
        "Cc: Priya Raman <priya.raman@acme.com",
        'Cc: "unterminated <priya.raman@acme.com>',
        "Cc: (((((((((( <priya.raman@acme.com>",
        "Cc: undisclosed-recipients:;",
        "Cc: Team: a@acme.com, b@acme.com;",
        "Cc: Priya Raman priya.raman@acme.com",
        "Cc: alice@acme.com)<bob@acme.com>",
        "Cc: " + "A" * 200_000 + " <p@acme.com>",
        "Cc: " + '"' + "x" * 50_000,
        "Cc: " + "," * 100_000,
        "Cc: " + "<" * 50_000,
        "Cc: " + "=?utf-8?q?" * 10_000,
        "Date: not a date",
        "Date: Mon, 1 Apr 99999 10:00:00 +0000",
        "Message-ID: <" + "x" * 10_000 + ">",
        "References: " + " ".join(f"<r{i}@x.com>" for i in range(10_000)),
        "In-Reply-To: no brackets at all",
        "Reply-To:",
        "Sender: \x00\x01\x02 <\x7f@acme.com>",
        "Precedence: " + "bulk " * 1000,
    ],
)
def test_malformed_headers_never_crash(header: str) -> None:
    message = mail("From: Dana Whitfield <dana@acme.com>", "To: alex.kim@gmail.com", header)
    learned = book(message)
    assert learned.address_for("Dana Whitfield", ACME) == "dana@acme.com"
    for known in learned.known_at(ACME):
        assert known.email.isascii() and known.email.count("@") == 1
        assert len(known.name) <= 80


def test_raw_eight_bit_headers_are_read_as_utf8_or_dropped() -> None:
    raw = ("From: José Álvarez <jalvarez@acme.com>\r\nTo: alex.kim@gmail.com\r\n"
           "Subject: x\r\n\r\nbody\r\n").encode()
    latin = b"From: Jos\xe9 \xc1lvarez <jose@acme.com>\r\nTo: alex.kim@gmail.com\r\n\r\nbody\r\n"
    assert book(parse(raw)).address_for("Jose Alvarez", ACME) == "jalvarez@acme.com"
    assert book(parse(latin)).known_at(ACME) == []
    assert book(parse(latin)).address_for("Jose", ACME) == "jose@acme.com"


def test_messages_without_headers_or_broken_objects_are_skipped() -> None:
    class Broken(EmailMessage):
        def raw_items(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("broken")

    learned = AddressBook.from_messages(
        [parse(b"\r\nbody only"), Broken(), from_recruiter()], ME)
    assert learned.address_for("Dana", ACME) == "dana@acme.com"


# --- the company's pattern ------------------------------------------------------------------

# Each pattern's local parts for Priya Raman and Tom Okafor, and its guess for Jose Alvarez.
PATTERN_CASES = {
    "first.last": ("priya.raman", "tom.okafor", "jose.alvarez"),
    "first_last": ("priya_raman", "tom_okafor", "jose_alvarez"),
    "first-last": ("priya-raman", "tom-okafor", "jose-alvarez"),
    "firstlast": ("priyaraman", "tomokafor", "josealvarez"),
    "flast": ("praman", "tokafor", "jalvarez"),
    "f.last": ("p.raman", "t.okafor", "j.alvarez"),
    "f_last": ("p_raman", "t_okafor", "j_alvarez"),
    "firstl": ("priyar", "tomo", "josea"),
    "first.l": ("priya.r", "tom.o", "jose.a"),
    "lastf": ("ramanp", "okafort", "alvarezj"),
    "last.f": ("raman.p", "okafor.t", "alvarez.j"),
    "last.first": ("raman.priya", "okafor.tom", "alvarez.jose"),
    "last_first": ("raman_priya", "okafor_tom", "alvarez_jose"),
    "lastfirst": ("ramanpriya", "okafortom", "alvarezjose"),
    "first": ("priya", "tom", "jose"),
    "last": ("raman", "okafor", "alvarez"),
}


def examples(*pairs: tuple[str, str]) -> list[KnownAddress]:
    return [KnownAddress(name, f"{local}@acme.com") for name, local in pairs]


@pytest.mark.parametrize("pattern", sorted(PATTERN_CASES))
def test_each_pattern_is_learned_and_applied(pattern: str) -> None:
    priya, tom, guess = PATTERN_CASES[pattern]
    known = examples(("Priya Raman", priya), ("Tom Okafor", tom))
    assert suggest_address("Jose Alvarez", known) == f"{guess}@acme.com"
    assert suggest_address("José Álvarez", known) == f"{guess}@acme.com"
    assert pattern in address_book.PATTERNS


def test_accents_apostrophes_and_letters_without_decomposition_are_folded() -> None:
    known = examples(("Priya Raman", "priya.raman"), ("Tom Okafor", "tom.okafor"))
    assert suggest_address("Zoë Saldaña", known) == "zoe.saldana@acme.com"
    assert suggest_address("Marcus O'Neil", known) == "marcus.oneil@acme.com"
    assert suggest_address("Søren Kierkegaard", known) == "soren.kierkegaard@acme.com"
    assert suggest_address("Łukasz Żółć", known) == "lukasz.zolc@acme.com"
    assert suggest_address("Dr. Jane Doe, PhD", known) == "jane.doe@acme.com"
    assert suggest_address("John Doe, Jr.", known) == "john.doe@acme.com"
    assert suggest_address("Priya K. Raman", known) == "priya.raman@acme.com"


def test_names_without_an_ascii_spelling_or_a_clear_surname_get_no_guess() -> None:
    known = examples(("Priya Raman", "priya.raman"), ("Tom Okafor", "tom.okafor"))
    assert suggest_address("李明", known) is None
    assert suggest_address("Иван Петров", known) is None
    assert suggest_address("José Álvarez García", known) is None  # middle name or surname?
    assert suggest_address("", known) is None


def test_a_first_name_alone_is_guessed_only_for_the_first_pattern() -> None:
    by_first = examples(("Priya Raman", "priya"), ("Tom Okafor", "tom"))
    by_full = examples(("Priya Raman", "priya.raman"), ("Tom Okafor", "tom.okafor"))
    assert suggest_address("Jose", by_first) == "jose@acme.com"
    assert suggest_address("Jose", by_full) is None


def test_compound_names_are_joined_as_the_examples_join_them() -> None:
    plain = examples(("Priya Raman", "priya.raman"), ("Tom Okafor", "tom.okafor"))
    assert suggest_address("Maria de la Cruz", plain) == "maria.delacruz@acme.com"
    assert suggest_address("Jean-Luc Picard", plain) == "jeanluc.picard@acme.com"
    assert suggest_address("Anna Smith-Jones", plain) == "anna.smithjones@acme.com"
    hyphens = [*plain, *examples(("Mary-Jane Watson", "mary-jane.watson"))]
    assert suggest_address("Jean-Luc Picard", hyphens) == "jean-luc.picard@acme.com"
    assert suggest_address("Jose Alvarez", hyphens) == "jose.alvarez@acme.com"
    mixed = [*hyphens, *examples(("Ana van Dijk", "ana.vandijk"))]
    assert suggest_address("Jean-Luc Picard", mixed) is None  # the examples disagree
    assert suggest_address("Jose Alvarez", mixed) == "jose.alvarez@acme.com"


def test_disagreeing_examples_give_no_guess() -> None:
    assert suggest_address("Jose Alvarez", examples(
        ("Priya Raman", "priya.raman"), ("Tom Okafor", "tokafor"))) is None
    three_one_off = examples(("Priya Raman", "priya.raman"), ("Tom Okafor", "tom.okafor"),
                             ("Dana Whitfield", "dwhitfield"))
    assert suggest_address("Jose Alvarez", three_one_off) is None


def test_one_outlier_in_four_is_tolerated() -> None:
    known = examples(("Priya Raman", "priya.raman"), ("Tom Okafor", "tom.okafor"),
                     ("Dana Whitfield", "dana.whitfield"), ("Bob Lee", "blee"))
    assert suggest_address("Jose Alvarez", known) == "jose.alvarez@acme.com"
    two_outliers = [*known, *examples(("Carol Diaz", "cdiaz"))]
    assert suggest_address("Jose Alvarez", two_outliers) is None


def test_examples_fitting_no_pattern_are_set_aside_unless_most_do() -> None:
    some = examples(("Priya Raman", "priya.raman"), ("Tom Okafor", "tom.okafor"),
                    ("Robert Smith", "bob"))
    assert suggest_address("Jose Alvarez", some) == "jose.alvarez@acme.com"
    most = examples(("Priya Raman", "priya.raman"), ("Robert Smith", "bob"),
                    ("Dana Whitfield", "dw42"), ("Tom Okafor", "tokafor1"))
    assert suggest_address("Jose Alvarez", most) is None


def test_the_domain_with_the_most_examples_is_used() -> None:
    known = [KnownAddress("Priya Raman", "praman@acme.io"),
             KnownAddress("Tom Okafor", "tom.okafor@acme.com"),
             KnownAddress("Dana Whitfield", "dana.whitfield@acme.com")]
    assert suggest_address("Jose Alvarez", known) == "jose.alvarez@acme.com"


def test_no_guess_without_full_name_examples() -> None:
    assert suggest_address("Jose Alvarez", []) is None
    assert suggest_address("Jose Alvarez", [KnownAddress("", "priya.raman@acme.com")]) is None
    assert suggest_address("Jose Alvarez", [KnownAddress("Priya", "priya@acme.com")]) is None


def test_a_guess_that_is_someone_elses_address_is_withheld() -> None:
    known = examples(("Priya Raman", "praman"), ("Tom Okafor", "tokafor"),
                     ("Paul Rao", "prao"))
    assert suggest_address("Priya Rao", known) is None
    assert suggest_address("Pat Raman", known) is None
    assert suggest_address("Jose Alvarez", known) == "jalvarez@acme.com"


def test_the_book_feeds_the_guess() -> None:
    learned = book(from_recruiter("Cc: Priya Raman <priya.raman@acme.com>, "
                                  "Tom Okafor <tom.okafor@acme.com>"),
                   mail("From: Dana Whitfield <dana.whitfield@acme.com>",
                        "To: alex.kim@gmail.com"))
    # dana@acme.com fits `first`, three others `first.last`: one outlier of four
    assert suggest_address("Jose Alvarez", learned.known_at(ACME)) == "jose.alvarez@acme.com"
