"""Every figure of issue 7 ("quiet and cheap") beside its target.

Measured against the Google API emulator (tests/emulators/google_api.py, with the real
Google client), a real Dovecot and Radicale on loopback, a local HTTP server for an ICS
URL, and real `afterword run` daemons in subprocesses:

- requests per no-change cycle, as the daemon runs them (one engine kept, the mailbox
  closed after each cycle), once the cycles have settled; the cycles are 16 minutes apart
  by the engine's clock, so each also reads INBOX and Sent for mailed invitations (done
  at most every 15 minutes);
- the first sync of a mailbox with 20,000 sent messages and a calendar with 2,000 events
  (5 finished interviews, 15 interviewers, so 15 drafts saved);
- resident memory and CPU per idle cycle of `afterword run` (sync_interval = 1 s) for
  Maildir + ICS, IMAP + ICS, IMAP + CalDAV and Gmail + Google Calendar. The IMAP + ICS
  daemons connect as users do, over implicit TLS (`security = "ssl"`, Dovecot's TLS port),
  trusting the system's CAs plus the test CA as a Debian user's daemon does (see
  tls_env). The other IMAP figures use the plain port;
- the time from an interview's end to its drafts, with `sync_interval = 300`;
- with IMAP, the time from a note stored in Sent to its state `sent`, with an hour between
  syncs: only the IMAP IDLE wake-up explains it.

NEEDS ROOT and Dovecot (scripts/install-test-servers) for the IMAP rows: Dovecot runs from a
private config on a free port. Takes about two minutes.

Run: .venv/bin/python benchmarks/idle.py
"""

from __future__ import annotations

import contextlib
import http.server
import os
import random
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the emulator and the test servers live in tests/
sys.path.insert(0, str(ROOT / "benchmarks"))

from servers_idle import Requests, engine_for, shut  # noqa: E402

from afterword.plugin.config import load_config  # noqa: E402
from afterword.plugin.engine import CycleReport, Engine  # noqa: E402
from afterword.plugin.runtime import open_engine  # noqa: E402
from tests.emulators.google_api import Call, GoogleEmulator  # noqa: E402
from tests.servers.conftest import CountingConnect  # noqa: E402
from tests.servers.dovecot_server import (  # noqa: E402
    Dovecot,
    start_dovecot,
    stop_dovecot,
    unavailable_reason,
)
from tests.servers.radicale_server import Radicale, start_radicale, stop_radicale  # noqa: E402

ME = "alex.rivera@example.com"
IMAP_ENV, CALDAV_ENV = "AFTERWORD_BENCH_IMAP_PASSWORD", "AFTERWORD_BENCH_CALDAV_PASSWORD"
SENT_MESSAGES, EVENTS, INTERVIEWS, PER_INTERVIEW = 20_000, 2_000, 5, 3
NAMES = ["Marcus O'Neil", "Priya Shah", "José Álvarez", "Hannah Berg", "Dana Okafor",
         "Lena Fischer", "Tomás Ruiz", "Aiko Tanaka", "Grace Mensah", "Omar Haddad",
         "Ingrid Larsen", "Ravi Menon", "Sofia Rossi", "Kwame Boateng", "Mei Chen"]
FILLERS = ["Team standup", "1:1 with Sam Lee", "Dentist appointment", "Lunch with Kim",
           "Sprint planning", "Book club", "Gym", "Quarterly review"]
DAEMON_PROGRAM = [str(Path(sys.executable).with_name("afterword"))]


# --------------------------------------------------------------------------- the table


@dataclass
class Figure:
    name: str
    measured: str
    target: str
    ok: bool
    detail: str = ""


FIGURES: list[Figure] = []


def record(name: str, measured: str, target: str, ok: bool, detail: str = "") -> None:
    FIGURES.append(Figure(name, measured, target, ok, detail))
    print(f"  {name}: {measured} (target {target}) {'ok' if ok else 'NOT MET'}"
          + (f"\n      {detail}" if detail else ""), flush=True)


def print_table() -> None:
    """A Markdown table, so the README can carry it as printed."""
    rows = [("figure", "measured", "target", "")]
    rows += [(f.name, f.measured, f.target, "ok" if f.ok else "NOT MET") for f in FIGURES]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print()
    for i, row in enumerate(rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("| " + " | ".join(cells) + " |")
        if i == 0:
            print("| " + " | ".join("-" * width for width in widths) + " |")


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Meeting:
    uid: str
    start: datetime
    end: datetime
    summary: str
    people: tuple[tuple[str, str], ...]  # (name, address), me excluded
    organizer: str = "recruiting@acme.com"


def interview(uid: str, end: datetime, people: list[tuple[str, str]]) -> Meeting:
    return Meeting(uid, end - timedelta(minutes=45), end,
                   "Acme interview: Senior Data Engineer", tuple(people))


def interviews(now: datetime) -> list[Meeting]:
    """INTERVIEWS finished today, PER_INTERVIEW interviewers each (all distinct)."""
    found = []
    for k in range(INTERVIEWS):
        people = [(name, f"interviewer.{k}{j}@acme.com")
                  for j, name in enumerate(NAMES[k * PER_INTERVIEW:(k + 1) * PER_INTERVIEW])]
        found.append(interview(f"interview-{k}@acme.com", now - timedelta(hours=k + 1),
                               people))
    return found


def fillers(now: datetime, count: int) -> list[Meeting]:
    """Everyday events over three months around `now`: not interviews."""
    rng = random.Random(7)
    found = []
    for i in range(count):
        start = now + timedelta(minutes=rng.randrange(-45 * 24 * 60, 45 * 24 * 60))
        colleague = ("Sam Lee", f"colleague{i % 40}@example.com")
        found.append(Meeting(f"filler-{i}@example.com", start, start + timedelta(minutes=30),
                             FILLERS[i % len(FILLERS)], (colleague,), ME))
    return found


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_event(m: Meeting) -> str:
    people = [f'ATTENDEE;CN="{name}";PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:{address}'
              for name, address in m.people]
    lines = ["BEGIN:VEVENT", f"UID:{m.uid}", "DTSTAMP:20260101T000000Z",
             f"DTSTART:{stamp(m.start)}", f"DTEND:{stamp(m.end)}", f"SUMMARY:{m.summary}",
             f"ORGANIZER:mailto:{m.organizer}",
             f'ATTENDEE;CN="Alex Rivera";PARTSTAT=ACCEPTED:mailto:{ME}', *people,
             "END:VEVENT"]
    return "\r\n".join(lines)


def ics_calendar(meetings: list[Meeting]) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//afterword bench//EN",
                        *map(ics_event, meetings), "END:VCALENDAR", ""])


def google_event(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.uid.split("@")[0].replace("-", ""), "iCalUID": m.uid, "summary": m.summary,
        "start": {"dateTime": m.start.isoformat()}, "end": {"dateTime": m.end.isoformat()},
        "organizer": {"email": m.organizer},
        "attendees": [{"email": ME, "self": True, "responseStatus": "accepted"}]
        + [{"email": a, "displayName": n, "responseStatus": "accepted"} for n, a in m.people],
    }


def sent_messages(now: datetime, count: int) -> Iterator[tuple[bytes, datetime]]:
    """Mail the user sent over two years, to people no interview involves."""
    rng = random.Random(11)
    for i in range(count):
        when = now - timedelta(minutes=rng.randrange(60, 2 * 365 * 24 * 60))
        raw = (f"From: Alex Rivera <{ME}>\r\nTo: Friend {i} <friend{i % 3000}@example.org>"
               f"\r\nSubject: Re: plans {i}\r\nDate: {format_datetime(when)}\r\n"
               f"Message-ID: <sent-{i}@example.com>\r\n\r\nSee you then.\r\n")
        yield raw.encode(), when


def write_config(folder: Path, calendar: str, mailbox: str, sync_interval: int) -> Path:
    path = folder / "config.toml"
    path.write_text(f"""[me]
name = "Alex Rivera"
email = "{ME}"
timezone = "America/New_York"
[calendar]
{calendar}
[mailbox]
{mailbox}
[state]
path = "state.sqlite3"
[notes]
signature = "Alex Rivera"
[daemon]
sync_interval = {sync_interval}
[[applications]]
company = "Acme"
role = "Senior Data Engineer"
domains = ["acme.com"]
""", encoding="utf-8")
    return path


def google_tables(google: GoogleEmulator) -> tuple[str, str]:
    common = f'token_file = "google-token.json"\napi_endpoint = "{google.base_url}"'
    return (f'source = "google"\ncalendar_ids = ["primary"]\n{common}',
            f'backend = "gmail"\n{common}')


def server_tables(dovecot: Dovecot, imap_user: str, radicale: Radicale, cal_user: str,
                  tls: bool = False) -> tuple[str, str]:
    """The [calendar] and [mailbox] tables; `tls`: implicit TLS on Dovecot's TLS port, for
    a daemon whose environment trusts the test CA (`tls_env`)."""
    port, security = (dovecot.tls_port, "ssl") if tls else (dovecot.port, "none")
    return (f'source = "caldav"\nurl = "{radicale.url}"\nusername = "{cal_user}"\n'
            f'password_env = "{CALDAV_ENV}"',
            f'backend = "imap"\nhost = "127.0.0.1"\nport = {port}\n'
            f'security = "{security}"\nusername = "{imap_user}"\npassword_env = "{IMAP_ENV}"')


def tls_env(dovecot: Dovecot) -> dict[str, str | None]:
    """A daemon trusting the system's CAs and the test CA the way a Debian or Ubuntu user's
    does: no $SSL_CERT_FILE, and OpenSSL's hashed certificate folder, here a copy of the
    system's (/etc/ssl/certs) with the test CA added, named by $SSL_CERT_DIR. Without such
    a folder, the system bundle plus the test CA in $SSL_CERT_FILE."""
    system = ssl.get_default_verify_paths().openssl_capath
    if not os.path.isdir(system) or not any(HASHED.fullmatch(n) for n in os.listdir(system)):
        return {"SSL_CERT_FILE": str(dovecot.trust_file)}
    folder = dovecot.directory / "tls" / "hashed"
    if not folder.exists():
        folder.mkdir()
        for name in os.listdir(system):
            if HASHED.fullmatch(name):
                (folder / name).symlink_to(os.path.realpath(os.path.join(system, name)))
        digest = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in",
                                 str(dovecot.ca_file)], capture_output=True, text=True,
                                check=True).stdout.strip()
        n = 0
        while (folder / f"{digest}.{n}").exists():
            n += 1
        (folder / f"{digest}.{n}").symlink_to(dovecot.ca_file)
    return {"SSL_CERT_FILE": None, "SSL_CERT_DIR": str(folder)}


def environment(changes: dict[str, str | None]) -> dict[str, str]:
    """This process's environment with `changes` (None: the variable removed)."""
    merged: dict[str, str | None] = {**os.environ, **changes}
    return {k: v for k, v in merged.items() if v is not None}


HASHED = re.compile(r"[0-9a-f]{8}\.\d+")


# --------------------------------------------------------------------------- servers


@dataclass
class Servers:
    dovecot: Dovecot
    radicale: Radicale

    def accounts(self) -> tuple[str, str, str]:
        """A fresh IMAP user and CalDAV user with an empty "work" calendar; the passwords
        go to the environment the daemons inherit."""
        import caldav

        imap_user, imap_password = self.dovecot.new_user()
        cal_user, cal_password = self.radicale.new_user()
        os.environ[IMAP_ENV], os.environ[CALDAV_ENV] = imap_password, cal_password
        dav: Any = caldav
        with dav.DAVClient(url=self.radicale.url, username=cal_user,
                           password=cal_password) as client:
            client.principal().make_calendar(name="work", cal_id="work")
        return imap_user, cal_user, self.radicale.url + f"{cal_user}/work/"

    def calendar_folder(self, cal_user: str) -> Path:
        return self.radicale.directory / "collections" / "collection-root" / cal_user / "work"

    def add_events(self, cal_user: str, meetings: list[Meeting]) -> None:
        """Straight into Radicale's storage: thousands of PUTs would take minutes."""
        folder = self.calendar_folder(cal_user)
        for m in meetings:
            (folder / f"{m.uid.split('@')[0]}.ics").write_text(ics_calendar([m]),
                                                               encoding="utf-8")

    def put_event(self, cal_user: str, m: Meeting) -> None:
        import caldav

        dav: Any = caldav
        with dav.DAVClient(url=self.radicale.url, username=cal_user,
                           password=os.environ[CALDAV_ENV]) as client:
            client.calendar(url=self.radicale.url + f"{cal_user}/work/").save_event(
                ics_calendar([m]))

    def imap_count(self, user: str, folder: str) -> int:
        from imapclient import IMAPClient

        with IMAPClient("127.0.0.1", port=self.dovecot.port, ssl=False, timeout=10) as c:
            c.login(user, os.environ[IMAP_ENV])
            c.select_folder(folder, readonly=True)
            return len(c.search("ALL"))

    def fill_sent(self, user: str, now: datetime) -> None:
        from imapclient import IMAPClient

        with IMAPClient("127.0.0.1", port=self.dovecot.port, ssl=False, timeout=60) as c:
            c.login(user, os.environ[IMAP_ENV])
            batch: list[dict[str, Any]] = []
            for raw, when in sent_messages(now, SENT_MESSAGES):
                batch.append({"msg": raw, "flags": [b"\\Seen"], "date": when})
                if len(batch) == 1000:
                    c.multiappend("Sent", batch)
                    batch = []
            if batch:
                c.multiappend("Sent", batch)


class IcsServer:
    """An ICS feed on loopback that answers If-None-Match with 304, logging each status."""

    def __init__(self, body: bytes) -> None:
        self.body, self.statuses = body, []
        feed = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.headers.get("If-None-Match") == '"v1"':
                    feed.statuses.append(304)
                    self.send_response(304)
                    self.end_headers()
                    return
                feed.statuses.append(200)
                self.send_response(200)
                self.send_header("ETag", '"v1"')
                self.send_header("Content-Length", str(len(feed.body)))
                self.end_headers()
                self.wfile.write(feed.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/calendar.ics"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --------------------------------------------------------------------------- 1. no change


def daemon_cycle(engine: Engine, now: datetime) -> CycleReport:
    try:
        return engine.cycle(now)
    finally:
        engine.mailbox.close()  # as the daemon does after every cycle


CYCLE_STEP = timedelta(minutes=16)  # past the engine's MAIL_EVERY: invitations read each time


def settle(cycle: Callable[[datetime], CycleReport], take: Callable[[], Any]) -> Any:
    """No-change cycles until two in a row cost the same; what the last one cost."""
    now = datetime.now(UTC)
    costs: list[Any] = []
    for i in range(12):
        cycle(now + CYCLE_STEP * i)
        costs.append(take())
        if len(costs) >= 2 and costs[-1] == costs[-2]:
            return costs[-1]
    raise SystemExit(f"idle: cycles never settled: {costs[-3:]}")


def google_calls(google: GoogleEmulator) -> list[Call]:
    calls = list(google.calls)
    google.clear_log()
    return calls


def idle_google(folder: Path) -> None:
    with GoogleEmulator(email_address=ME) as google:
        now = datetime.now(UTC)
        google.add_event("primary", google_event(interview("idle@acme.com", now - timedelta(
            hours=1), [("Marcus O'Neil", "marcus@acme.com")])))
        google.write_token(folder / "google-token.json")
        config = load_config(write_config(folder, *google_tables(google), 300))
        with open_engine(config) as engine:
            calls = settle(lambda t: daemon_cycle(engine, t),
                           lambda: [(c.method_id, c.in_batch) for c in google_calls(google)])
        requests = [m for m, in_batch in calls if not in_batch]
        units = sum(Call("", "", {}, m, 200).units for m, _ in calls)
        record("Gmail + Calendar requests per no-change cycle", str(len(requests)), "≤ 2",
               len(requests) <= 2, ", ".join(requests))
        record("Gmail quota units per no-change cycle", str(units), "≤ 10", units <= 10)
        assert google.violations == [], google.violations


def idle_servers(servers: Servers, folder: Path) -> None:
    imap_user, cal_user, _ = servers.accounts()
    now = datetime.now(UTC)
    servers.add_events(cal_user, [interview("idle@acme.com", now - timedelta(hours=1),
                                            [("Marcus O'Neil", "marcus@acme.com")])])
    config = load_config(write_config(folder, *server_tables(
        servers.dovecot, imap_user, servers.radicale, cal_user), 300))
    counting, http = CountingConnect(), Requests()

    def take() -> tuple[tuple[str, ...], tuple[str, ...]]:
        lines = tuple(counting.lines)  # "STATUS Drafts (…)": the folder is the 2nd word
        counting.take()
        return lines, tuple(http.take())

    with http.counting():
        engine = engine_for(config, counting)
        try:
            lines, requests = settle(lambda t: daemon_cycle(engine, t), take)
        finally:
            shut(engine)
    commands = [" ".join(line.split()[:2]) if line.startswith("UID ") else line.split()[0]
                for line in lines]
    folders = [line.split()[1] for line in lines if line.startswith("STATUS ")]
    reads = [c for c in commands if c in ("UID SEARCH", "UID FETCH", "SEARCH", "FETCH",
                                          "SELECT", "EXAMINE")]
    record("IMAP round trips per watched folder, no change",
           f"{len(folders)} STATUS for {len(set(folders))} folders", "≤ 1 STATUS each",
           len(folders) == len(set(folders)) and not reads,
           f"whole cycle: {', '.join(commands)} (LOGIN/LOGOUT: the daemon reconnects "
           f"each cycle; STATUS of {', '.join(folders)}); the daemon's two IMAP IDLE "
           "connections (INBOX, Sent) stay open between cycles and send no command per "
           "cycle")
    record("IMAP SEARCH/FETCH per no-change cycle", str(len(reads)), "0", not reads)
    record("CalDAV requests per no-change cycle", str(len(requests)), "1",
           len(requests) <= 1, ", ".join(requests))


def idle_ics_url(folder: Path) -> None:
    now = datetime.now(UTC)
    feed = IcsServer(ics_calendar([interview("idle@acme.com", now - timedelta(hours=1),
                                             [("Marcus O'Neil", "marcus@acme.com")])])
                     .encode())
    try:
        config = load_config(write_config(folder, f'source = "ics"\nurl = "{feed.url}"',
                                          'backend = "maildir"\npath = "mail"', 300))

        def take() -> tuple[int, ...]:
            taken, feed.statuses = tuple(feed.statuses), []
            return taken

        with open_engine(config) as engine:
            statuses = settle(lambda t: daemon_cycle(engine, t), take)
    finally:
        feed.stop()
    record("ICS URL requests per no-change cycle", str(len(statuses)), "1 (304)",
           list(statuses) == [304], "HTTP " + ", ".join(map(str, statuses)))


# --------------------------------------------------------------------------- 2. first sync


def first_sync_google(folder: Path) -> None:
    now = datetime.now(UTC)
    meetings = interviews(now)
    meetings += fillers(now, EVENTS - len(meetings))
    with GoogleEmulator(email_address=ME) as google:
        for m in meetings:
            google.add_event("primary", google_event(m))
        for raw, when in sent_messages(now, SENT_MESSAGES):
            google.add_message(raw, ["SENT"], received=when)
        google.write_token(folder / "google-token.json")
        config = load_config(write_config(folder, *google_tables(google), 300))
        google.clear_log()
        began = time.perf_counter()
        with open_engine(config) as engine:
            report = daemon_cycle(engine, now)
        wall = time.perf_counter() - began
        calls = google_calls(google)
        assert google.violations == [], google.violations
    http_calls = [c for c in calls if not c.in_batch]
    writes = [c for c in http_calls if c.method in ("POST", "PUT", "PATCH", "DELETE")
              and c.method_id != "batch"]
    record("first sync, Gmail + Calendar (20,000 sent, 2,000 events)",
           f"{len(http_calls)} requests", "≤ 100", len(http_calls) <= 100,
           f"{len(report.drafts)} drafts saved; {len(writes)} of the requests are writes "
           f"(2 per draft), {sum(c.units for c in calls)} Gmail units, {wall:.1f} s")


def first_sync_servers(servers: Servers, folder: Path) -> None:
    now = datetime.now(UTC)
    imap_user, cal_user, _ = servers.accounts()
    meetings = interviews(now)
    servers.add_events(cal_user, meetings + fillers(now, EVENTS - len(meetings)))
    servers.fill_sent(imap_user, now)
    config = load_config(write_config(folder, *server_tables(
        servers.dovecot, imap_user, servers.radicale, cal_user), 300))
    counting, http = CountingConnect(), Requests()
    began = time.perf_counter()
    with http.counting():
        engine = engine_for(config, counting)
        try:
            report = daemon_cycle(engine, now)
        finally:
            shut(engine)
    wall = time.perf_counter() - began
    commands, requests = counting.take(), http.take()
    appends = commands.count("APPEND")
    record("first sync, IMAP + CalDAV (20,000 sent, 2,000 events)",
           f"{len(commands)} IMAP commands + {len(requests)} CalDAV requests", "≤ 100",
           len(commands) + len(requests) <= 100,
           f"{len(report.drafts)} drafts saved ({appends} APPENDs); {wall:.1f} s")


# --------------------------------------------------------------------------- 3. daemons


@dataclass
class Daemon:
    """A real `afterword run` in a subprocess, its stderr in a file."""

    config: Path
    verbose: bool = False
    env: dict[str, str | None] = field(default_factory=dict)  # over this process's; None: unset
    proc: subprocess.Popen[bytes] | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.config.with_suffix(".stderr")

    def start(self) -> Daemon:
        args = [*DAEMON_PROGRAM, *(["-vv"] if self.verbose else []), "--config",
                str(self.config), "run"]
        with self.log.open("w") as err:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err,
                                         env=environment(self.env))
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise SystemExit(f"idle: the daemon exited:\n{self.log.read_text()}")

    def cycles(self) -> int:
        return sum(1 for line in self.log.read_text(errors="replace").splitlines()
                   if "logger=afterword.daemon cycle:" in line)

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise SystemExit("idle: no VmRSS")

    def cpu_ns(self) -> int:
        """CPU time of all the process's threads, from the scheduler (nanoseconds)."""
        total = 0
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            with contextlib.suppress(OSError):
                total += int((task / "schedstat").read_text().split()[0])
        return total

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(10)
        errors = [line for line in self.log.read_text(errors="replace").splitlines()
                  if "level=error" in line or "Traceback" in line]
        if code != 0 or errors:
            raise SystemExit(f"idle: the daemon failed ({code}):\n{self.log.read_text()}")
        return code


def wait_until(predicate: Callable[[], bool], daemon: Daemon, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while not predicate():
        daemon.alive()
        if time.monotonic() > deadline:
            raise SystemExit("idle: timed out waiting for the daemon")
        time.sleep(0.05)
    return time.time()


@dataclass
class Backend:
    """One daemon set-up: its label, the RSS target, and how to prepare and observe it."""

    label: str
    rss_target_mb: float
    prepare: Callable[[Path, datetime], Callable[[int], Path]]  # → config writer
    drafts: Callable[[], int]
    env: dict[str, str | None] = field(default_factory=dict)  # the daemons' environment


def measure_daemon(backend: Backend, folder: Path) -> None:
    """End → drafts with a 300 s sync interval; then an idle daemon syncing every second."""
    end = (datetime.now(UTC) + timedelta(seconds=5)).replace(microsecond=0)
    config_for = backend.prepare(folder, end)
    daemon = Daemon(config_for(300), env=backend.env).start()
    try:
        seen = wait_until(lambda: backend.drafts() >= 1, daemon, 30)
        time.sleep(3)  # the cycle that wrote the drafts is over; the daemon sleeps
        written = daemon.rss_kb() / 1024
    finally:
        daemon.stop()
    latency = seen - end.timestamp()
    record(f"end → drafts, {backend.label}", f"{latency:.1f} s", "≤ 60 s", latency <= 60,
           "sync_interval = 300: the daemon woke for the end")
    record(f"idle RSS after writing notes, {backend.label}", f"{written:.1f} MB",
           f"≤ {backend.rss_target_mb:.0f} MB", written <= backend.rss_target_mb,
           "the same daemon, asleep after the cycle that composed and saved the drafts")

    idle = Daemon(config_for(1), verbose=True, env=backend.env).start()
    try:
        wait_until(lambda: idle.cycles() >= 4, idle, 30)  # settled: memory, baselines
        cycles, cpu = idle.cycles(), idle.cpu_ns()
        time.sleep(8)
        cycles, cpu = idle.cycles() - cycles, idle.cpu_ns() - cpu
        rss = idle.rss_kb() / 1024
    finally:
        idle.stop()
    per_cycle = cpu / max(cycles, 1) / 1e6
    record(f"CPU per idle cycle, {backend.label}", f"{per_cycle:.1f} ms", "≤ 20 ms",
           per_cycle <= 20, f"{cycles} cycles in 8 s, sync_interval = 1")
    record(f"idle daemon RSS, {backend.label}", f"{rss:.1f} MB",
           f"≤ {backend.rss_target_mb:.0f} MB", rss <= backend.rss_target_mb)


def imap_wakeup(servers: Servers, folder: Path, tls: bool = True) -> None:
    """A note the user sent (stored in Sent by the mail client) while the daemon sleeps for
    an hour: how soon the daemon has it as sent. With `tls`, the daemon (and its IDLE
    connections) use implicit TLS."""
    from imapclient import IMAPClient

    imap_user, cal_user, _ = servers.accounts()
    end = datetime.now(UTC) - timedelta(hours=1)
    (folder / "calendar.ics").write_text(ics_calendar([interview(
        "wake@acme.com", end, [("Marcus O'Neil", "marcus@acme.com")])]), encoding="utf-8")
    _calendar, mailbox = server_tables(servers.dovecot, imap_user, servers.radicale, cal_user,
                                       tls)
    daemon = Daemon(write_config(folder, 'source = "ics"\npath = "calendar.ics"', mailbox,
                                 3600), verbose=True,
                    env=tls_env(servers.dovecot) if tls else {}).start()

    def logged(text: str) -> int:
        return daemon.log.read_text(errors="replace").count(text)

    try:
        wait_until(lambda: servers.imap_count(imap_user, "Drafts") >= 1
                   and logged("IMAP IDLE on ") >= 2, daemon, 30)
        time.sleep(1)
        when = datetime.now(UTC)
        raw = (f"From: Alex Rivera <{ME}>\r\nTo: Marcus O'Neil <marcus@acme.com>\r\n"
               f"Subject: Thank you\r\nDate: {format_datetime(when)}\r\n"
               f"Message-ID: <wake-{when.timestamp():.0f}@example.com>\r\n\r\nThanks!\r\n")
        with IMAPClient("127.0.0.1", port=servers.dovecot.port, ssl=False, timeout=10) as c:
            c.login(imap_user, os.environ[IMAP_ENV])
            c.append("Sent", raw.encode(), [b"\\Seen"], when)
        stored = time.time()
        seen = wait_until(lambda: logged("logger=afterword.engine note sent:") >= 1, daemon,
                          30)
    finally:
        daemon.stop()
    latency = seen - stored
    label = "IMAP + ICS (TLS)" if tls else "IMAP + ICS"
    record(f"note stored in Sent → sent, {label}", f"{latency:.1f} s", "≤ 10 s",
           latency <= 10, "sync_interval = 3600: IMAP IDLE woke the daemon (2 s settling "
           "pause included)")


def maildir_backend() -> Backend:
    folder_box: list[Path] = []

    def prepare(folder: Path, end: datetime) -> Callable[[int], Path]:
        folder_box.append(folder)
        (folder / "calendar.ics").write_text(ics_calendar([interview(
            "daemon@acme.com", end, [("Marcus O'Neil", "marcus@acme.com")])]),
            encoding="utf-8")
        return lambda interval: write_config(folder, 'source = "ics"\npath = "calendar.ics"',
                                             'backend = "maildir"\npath = "mail"', interval)

    def drafts() -> int:
        box = folder_box[-1] / "mail" / "Drafts"
        return sum(len(list((box / sub).glob("*"))) for sub in ("new", "cur")
                   if (box / sub).is_dir())

    return Backend("Maildir + ICS", 35, prepare, drafts)


def servers_backend(servers: Servers) -> Backend:
    user: list[str] = []

    def prepare(folder: Path, end: datetime) -> Callable[[int], Path]:
        imap_user, cal_user, _ = servers.accounts()
        user.append(imap_user)
        servers.put_event(cal_user, interview("daemon@acme.com", end,
                                              [("Marcus O'Neil", "marcus@acme.com")]))
        tables = server_tables(servers.dovecot, imap_user, servers.radicale, cal_user)
        return lambda interval: write_config(folder, *tables, interval)

    return Backend("IMAP + CalDAV", 50, prepare,
                   lambda: servers.imap_count(user[-1], "Drafts") if user else 0)


def imap_ics_backend(servers: Servers, tls: bool = True) -> Backend:
    """With `tls`, over implicit TLS, trusting the system CA store and the test CA."""
    user: list[str] = []

    def prepare(folder: Path, end: datetime) -> Callable[[int], Path]:
        imap_user, cal_user, _ = servers.accounts()
        user.append(imap_user)
        (folder / "calendar.ics").write_text(ics_calendar([interview(
            "daemon@acme.com", end, [("Marcus O'Neil", "marcus@acme.com")])]),
            encoding="utf-8")
        _calendar, mailbox = server_tables(servers.dovecot, imap_user, servers.radicale,
                                           cal_user, tls)
        return lambda interval: write_config(folder, 'source = "ics"\npath = "calendar.ics"',
                                             mailbox, interval)

    return Backend("IMAP + ICS (TLS)" if tls else "IMAP + ICS", 35, prepare,
                   lambda: servers.imap_count(user[-1], "Drafts") if user else 0,
                   tls_env(servers.dovecot) if tls else {})


def google_backend(google: GoogleEmulator) -> Backend:
    def prepare(folder: Path, end: datetime) -> Callable[[int], Path]:
        google.add_event("primary", google_event(interview(
            "daemon@acme.com", end, [("Marcus O'Neil", "marcus@acme.com")])))
        google.write_token(folder / "google-token.json")
        return lambda interval: write_config(folder, *google_tables(google), interval)

    return Backend("Gmail + Google Calendar", 60, prepare, lambda: len(google.drafts))


# --------------------------------------------------------------------------- main


def section(title: str) -> None:
    print(f"\n{title}", flush=True)


@contextlib.contextmanager
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="afterword-idle-") as tmp:
        os.chmod(tmp, 0o755)
        yield Path(tmp)


def main() -> None:
    reason = unavailable_reason()
    if reason is not None:
        sys.exit(f"idle: {reason}")
    began = time.monotonic()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    dovecot = start_dovecot()
    try:
        radicale = start_radicale()
        try:
            servers = Servers(dovecot, radicale)
            section("1. requests when nothing changed (the daemon's cycles, settled)")
            for run in (idle_google, lambda f: idle_servers(servers, f), idle_ics_url):
                with folder() as f:
                    run(f)
            section("2. first sync: 20,000 sent messages, 2,000 events, 5 interviews")
            with folder() as f:
                first_sync_google(f)
            with folder() as f:
                first_sync_servers(servers, f)
            section("3. `afterword run` in a subprocess")
            with folder() as f:
                measure_daemon(maildir_backend(), f)
            with folder() as f:
                measure_daemon(imap_ics_backend(servers), f)
            with folder() as f:
                imap_wakeup(servers, f)
            with folder() as f:
                measure_daemon(servers_backend(servers), f)
            with GoogleEmulator(email_address=ME) as google, folder() as f:
                measure_daemon(google_backend(google), f)
                assert google.violations == [], google.violations
        finally:
            stop_radicale(radicale)
    finally:
        stop_dovecot(dovecot)
    print_table()
    missed = [f.name for f in FIGURES if not f.ok]
    print(f"\n{len(FIGURES) - len(missed)} of {len(FIGURES)} figures met "
          f"in {time.monotonic() - began:.0f} s" + (f"; NOT MET: {'; '.join(missed)}"
                                                   if missed else ""))


if __name__ == "__main__":
    main()
