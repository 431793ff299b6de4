"""The TOML config, validated into frozen dataclasses.

Every key is checked for presence and type before anything runs, and every problem is
reported at once, each naming the file, the key and the fix: a daemon that fails at 3 a.m.
on a typo it could have reported at start-up is the worst kind of tool.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from afterword.plugin.errors import ConfigError, UserError
from afterword.plugin.model import Identity

APP = "afterword"


def default_config_path() -> Path:
    env = os.environ.get("AFTERWORD_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP))


def system_timezone() -> str:
    """The machine's IANA zone name; UTC when it cannot be told."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = os.readlink("/etc/localtime")
        if "zoneinfo/" in link:
            candidates.append(link.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name and _zone_ok(name):
            return name
    return "UTC"


def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class CalendarConfig:
    source: str
    path: Path | None = None
    url: str | None = None
    username: str | None = None
    password_env: str | None = None
    calendars: tuple[str, ...] = ()
    calendar_ids: tuple[str, ...] = ("primary",)
    token_file: Path | None = None
    credentials_file: Path | None = None
    api_endpoint: str | None = None


@dataclass(frozen=True)
class MailboxConfig:
    backend: str
    path: Path | None = None
    drafts: str | None = None
    sent: str | None = None
    inbox: str | None = None
    host: str | None = None
    port: int | None = None
    security: str = "ssl"
    username: str | None = None
    password_env: str | None = None
    auth: str = "password"
    credentials_file: Path | None = None
    token_file: Path | None = None
    api_endpoint: str | None = None


@dataclass(frozen=True)
class NotesConfig:
    signature: str = ""
    templates_dir: Path | None = None


@dataclass(frozen=True)
class DeadlineConfig:
    nudge_at: time = time(9, 0)
    final_warning_hours: float = 4.0


@dataclass(frozen=True)
class DaemonConfig:
    sync_interval: int = 300  # seconds between syncs when no interview end or stage is nearer


@dataclass(frozen=True)
class RecommendationsConfig:
    """How often a reference may be asked: a reference asked too often is burned."""

    cooldown_days: int = 30  # days between two asks of the same reference
    max_requests_per_quarter: int = 2  # asks of one reference in any rolling 91 days


@dataclass(frozen=True)
class DetectionConfig:
    """`[detection]`: the user's additions to what counts as an interview and who as an
    interviewer. plugin/detect/settings.py turns it into DetectionSettings."""

    include_optional: bool = False  # optional attendees (ROLE=OPT-PARTICIPANT) interviewed me
    interview_keywords: tuple[str, ...] = ()  # my words marking an interview
    not_interview_keywords: tuple[str, ...] = ()  # my words marking a look-alike
    use_default_keywords: bool = True  # False: only my two lists count


@dataclass(frozen=True)
class Correction:
    """`[[corrections]]`: a name fixed once for every future note (see detect/corrections.py)."""

    match: str  # an address (lower-cased) or a name as invites show it
    name: str | None = None  # what to call them
    greeting: str | None = None  # the word(s) after "Hi"
    email: str | None = None  # their address, for invites that never give it

    @property
    def by_address(self) -> bool:
        return "@" in self.match


@dataclass(frozen=True)
class Application:
    company: str
    role: str = ""
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reference:
    name: str
    email: str
    relationship: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Config:
    path: Path
    me: Identity
    timezone: str
    calendar: CalendarConfig
    mailbox: MailboxConfig
    state_path: Path
    notes: NotesConfig = field(default_factory=NotesConfig)
    deadline: DeadlineConfig = field(default_factory=DeadlineConfig)
    daemon: DaemonConfig = field(default_factory=DaemonConfig)
    recommendations: RecommendationsConfig = field(default_factory=RecommendationsConfig)
    applications: tuple[Application, ...] = ()
    references: tuple[Reference, ...] = ()
    detection: DetectionConfig = field(default_factory=DetectionConfig)
    corrections: tuple[Correction, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# --- schema -------------------------------------------------------------------------------

Check = Callable[[Any], str | None]  # returns a problem description, or None when fine


def _is_str(v: Any) -> str | None:
    return None if isinstance(v, str) else "must be a string"


def _is_nonempty_str(v: Any) -> str | None:
    if not isinstance(v, str):
        return "must be a string"
    return None if v.strip() else "must not be empty"


def _is_email(v: Any) -> str | None:
    if not isinstance(v, str):
        return "must be a string"
    if v.count("@") != 1 or any(c.isspace() for c in v) or v.startswith("@") or v.endswith("@"):
        return f"{v!r} is not an email address"
    return None


def _is_str_list(v: Any) -> str | None:
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return None
    return "must be a list of strings"


def _is_email_list(v: Any) -> str | None:
    if not isinstance(v, list):
        return "must be a list of email addresses"
    for x in v:
        problem = _is_email(x)
        if problem:
            return problem
    return None


def _is_port(v: Any) -> str | None:
    if isinstance(v, int) and not isinstance(v, bool) and 0 < v < 65536:
        return None
    return "must be a whole number from 1 to 65535"


def _is_hours(v: Any) -> str | None:
    if isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 47:
        return None
    return "must be a number of hours from 0 to 47"


def _is_interval(v: Any) -> str | None:
    if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 86_400:
        return None
    return "must be a whole number of seconds from 1 to 86400 (300 is five minutes)"


def _is_whole(low: int, high: int, unit: str) -> Check:
    def check(v: Any) -> str | None:
        if isinstance(v, int) and not isinstance(v, bool) and low <= v <= high:
            return None
        return f"must be a whole number of {unit} from {low} to {high}"

    return check


def _is_clock(v: Any) -> str | None:
    if not isinstance(v, str):
        return 'must be a time of day as a string, like "09:00"'
    try:
        time.fromisoformat(v)
    except ValueError:
        return f'{v!r} is not a time of day like "09:00"'
    return None


def _is_zone(v: Any) -> str | None:
    if not isinstance(v, str):
        return "must be a string"
    return None if _zone_ok(v) else f"{v!r} is not an IANA time zone name"


def _is_url(v: Any) -> str | None:
    if not isinstance(v, str):
        return "must be a string"
    return None if v.startswith(("http://", "https://")) else "must start with http:// or https://"


def _is_bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else "must be true or false"


MAX_KEYWORD_LENGTH = 100
MAX_NAME_LENGTH = 80  # as plugin/detect/names.py cuts names from invites
MAX_GREETING_LENGTH = 40  # as the composer clips the name after "Hi"


def _one_line(v: str) -> str:
    return " ".join(v.split())


_LINE_BREAKS = frozenset("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_JOINERS = frozenset("\u200c\u200d")  # part of Persian and Indic names


def _line_problem(v: str) -> str | None:
    """Text that ends up in a note or a header: one line, no control characters."""
    if any(c in _LINE_BREAKS or not (c.isprintable() or c.isspace() or c in _JOINERS)
           for c in v):
        return "must be one line without control characters"
    return None


def _is_keyword_list(v: Any) -> str | None:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        return 'must be a list of strings, like ["take-home review"]'
    for i, keyword in enumerate(v):
        if not keyword.strip():
            return f"item {i} is empty"
        if len(_one_line(keyword)) > MAX_KEYWORD_LENGTH:
            return f"item {i} is longer than {MAX_KEYWORD_LENGTH} characters"
        problem = _line_problem(keyword)
        if problem:
            return f"item {i} {problem}"
        if not any(c.isalnum() for c in keyword):
            return f"item {i} ({keyword!r}) has no letter or digit"
    return None


def _is_person_text(limit: int, max_words: int | None = None) -> Check:
    def check(v: Any) -> str | None:
        if not isinstance(v, str):
            return "must be a string"
        text = _one_line(v)
        if not text:
            return "must not be empty"
        problem = _line_problem(v)
        if problem:
            return problem
        if len(text) > limit:
            return f"must be at most {limit} characters"
        if max_words is not None and len(text.split()) > max_words:
            return f"must be at most {max_words} words"
        return None if any(c.isalpha() for c in text) else "must hold a letter"

    return check


def _is_match(v: Any) -> str | None:
    if isinstance(v, str) and "@" in v:
        return _is_email(v.strip())
    return _is_person_text(200)(v)


def _one_of(*choices: str) -> Check:
    def check(v: Any) -> str | None:
        if isinstance(v, str) and v in choices:
            return None
        return "must be one of " + ", ".join(f'"{c}"' for c in choices)

    return check


SECTIONS: dict[str, dict[str, Check]] = {
    "me": {"name": _is_nonempty_str, "email": _is_email, "aliases": _is_email_list,
           "timezone": _is_zone},
    "calendar": {
        "source": _one_of("ics", "caldav", "google"), "path": _is_nonempty_str, "url": _is_url,
        "username": _is_str, "password_env": _is_nonempty_str, "calendars": _is_str_list,
        "calendar_ids": _is_str_list, "token_file": _is_nonempty_str,
        "credentials_file": _is_nonempty_str, "api_endpoint": _is_url,
    },
    "mailbox": {
        "backend": _one_of("maildir", "imap", "gmail"), "path": _is_nonempty_str,
        "drafts": _is_nonempty_str, "sent": _is_nonempty_str, "inbox": _is_nonempty_str,
        "host": _is_nonempty_str, "port": _is_port, "security": _one_of("ssl", "starttls", "none"),
        "username": _is_str, "password_env": _is_nonempty_str,
        "auth": _one_of("password", "xoauth2"), "credentials_file": _is_nonempty_str,
        "token_file": _is_nonempty_str, "api_endpoint": _is_url,
    },
    "state": {"path": _is_nonempty_str},
    "notes": {"signature": _is_str, "templates_dir": _is_nonempty_str},
    "deadline": {"nudge_at": _is_clock, "final_warning_hours": _is_hours},
    "daemon": {"sync_interval": _is_interval},
    "recommendations": {"cooldown_days": _is_whole(0, 365, "days"),
                        "max_requests_per_quarter": _is_whole(1, 20, "requests")},
    "detection": {"include_optional": _is_bool, "interview_keywords": _is_keyword_list,
                  "not_interview_keywords": _is_keyword_list, "use_default_keywords": _is_bool},
}
ARRAYS: dict[str, dict[str, Check]] = {
    "applications": {"company": _is_nonempty_str, "role": _is_str, "domains": _is_str_list},
    "references": {"name": _is_nonempty_str, "email": _is_email, "relationship": _is_str,
                   "notes": _is_str},
    "corrections": {"match": _is_match, "name": _is_person_text(MAX_NAME_LENGTH),
                    "greeting": _is_person_text(MAX_GREETING_LENGTH, max_words=3),
                    "email": _is_email},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "me": ("name", "email"),
    "calendar": ("source",),
    "mailbox": ("backend",),
    "applications": ("company",),
    "references": ("name", "email"),
    "corrections": ("match",),
}
# Keys each backend needs, beyond the section's required ones.
BACKEND_NEEDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("calendar", "caldav"): ("url",),
    ("mailbox", "maildir"): ("path",),
    ("mailbox", "imap"): ("host", "username"),
}


class _Collector:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[ConfigError] = []

    def add(self, key: str, problem: str, fix: str) -> None:
        self.errors.append(ConfigError(self.path, key, problem, fix))

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            lines = [f"{e.path}: [{e.key}] {e.problem}; fix: {e.fix}" for e in self.errors]
            raise UserError(f"{len(lines)} problems in the config:\n" + "\n".join(lines))


def _check_table(
    c: _Collector, where: str, table: Mapping[str, Any], schema: Mapping[str, Check],
    required: tuple[str, ...],
) -> None:
    for key, value in table.items():
        check = schema.get(key)
        if check is None:
            known = ", ".join(sorted(schema))
            c.add(f"{where}.{key}", "is not a known key", f"remove it or use one of: {known}")
            continue
        problem = check(value)
        if problem:
            c.add(f"{where}.{key}", problem, "correct the value (see config.example.toml)")
    for key in required:
        if key not in table:
            c.add(f"{where}.{key}", "is missing", "add it (see config.example.toml)")


def _check_reference_names(c: _Collector, references: Any) -> None:
    """`recommend --reference NAME` and the history in the state go by name: one each."""
    if not isinstance(references, list):
        return
    seen: dict[str, int] = {}
    for i, entry in enumerate(references):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            continue
        key = " ".join(name.casefold().split())
        if key in seen:
            c.add(f"references[{i}].name", f"{name.strip()!r} is already the name of "
                  f"references[{seen[key]}]", "give each reference a different name")
        else:
            seen[key] = i


def _keyword_key(keyword: str) -> str:
    return _one_line(keyword).casefold()


def _check_detection(c: _Collector, detection: Any) -> None:
    """Rules between keys: a list that says nothing, a word in both lists."""
    if not isinstance(detection, dict):
        return
    mine = detection.get("interview_keywords", [])
    not_mine = detection.get("not_interview_keywords", [])
    if _is_keyword_list(mine) or _is_keyword_list(not_mine):
        return  # already reported
    if detection.get("use_default_keywords") is False and not mine:
        c.add("detection.interview_keywords",
              "is needed when use_default_keywords is false (nothing would be an interview)",
              "list the words that mark your interviews, or set use_default_keywords = true")
    both = {_keyword_key(k) for k in mine} & {_keyword_key(k) for k in not_mine}
    if both:
        listed = ", ".join(repr(k) for k in sorted(both))
        verb = "is" if len(both) == 1 else "are"
        c.add("detection.not_interview_keywords",
              f"{listed} {verb} also in detection.interview_keywords",
              "keep each word in one of the two lists")


def _check_corrections(c: _Collector, corrections: Any, me: Any) -> None:
    """Rules between keys and entries: something to correct, one entry per person."""
    if not isinstance(corrections, list):
        return
    mine: set[str] = set()
    if isinstance(me, dict) and isinstance(me.get("aliases", []), list):
        mine = {a.strip().casefold() for a in [me.get("email"), *me.get("aliases", [])]
                if isinstance(a, str)}
    seen: dict[str, int] = {}
    for i, entry in enumerate(corrections):
        if not isinstance(entry, dict):
            continue
        where = f"corrections[{i}]"
        if not any(k in entry for k in ("name", "greeting", "email")):
            c.add(where, "has nothing to correct",
                  "add name, greeting or email (or remove the entry)")
        match, email = entry.get("match"), entry.get("email")
        if not isinstance(match, str) or _is_match(match):
            continue
        if "@" in match and email is not None:
            c.add(f"{where}.email", "is never used when match is an address (afterword "
                  "never replaces the address an invite gives)",
                  "remove email, or match the person by name")
        if isinstance(email, str) and email.strip().casefold() in mine:
            c.add(f"{where}.email", "is one of your own addresses (me.email or me.aliases)",
                  "give the interviewer's address")
        _check_unique_match(c, where, match, seen, i)


def _check_unique_match(c: _Collector, where: str, match: str, seen: dict[str, int],
                        index: int) -> None:
    # Lazily: the detectors import this module; by the time a config is read, it is loaded.
    from afterword.plugin.detect.corrections import correction_key

    key = correction_key(match)
    if not key:
        c.add(f"{where}.match", f"{match.strip()!r} holds no name afterword can recognise",
              "write the name as the invite shows it, or the person's address")
    elif key in seen:
        c.add(f"{where}.match", f"means the same person as corrections[{seen[key]}].match",
              "merge the two entries into one")
    else:
        seen[key] = index


def load_config(path: Path | None = None) -> Config:
    """Read and validate the config; raise UserError/ConfigError naming every problem."""
    path = (path or default_config_path()).expanduser()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(
            f"{path}: no config file there; fix: copy config.example.toml to that path, "
            "pass --config PATH, or try `afterword demo`"
        ) from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read the config ({exc.strerror}); fix: check "
                        "the path and its permissions") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(path, "file", f"is not valid TOML ({exc})",
                          "correct the syntax at the place named") from None
    return parse_config(data, path)


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
    c = _Collector(path)
    for name, value in data.items():
        if name in SECTIONS:
            if not isinstance(value, dict):
                c.add(name, "must be a table", f"write it as [{name}]")
                continue
            _check_table(c, name, value, SECTIONS[name], REQUIRED.get(name, ()))
        elif name in ARRAYS:
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                c.add(name, "must be an array of tables", f"write each entry as [[{name}]]")
                continue
            for i, entry in enumerate(value):
                _check_table(c, f"{name}[{i}]", entry, ARRAYS[name], REQUIRED[name])
        else:
            known = ", ".join([*SECTIONS, *ARRAYS])
            c.add(name, "is not a known section", f"remove it or use one of: {known}")
    _check_reference_names(c, data.get("references"))
    _check_detection(c, data.get("detection"))
    _check_corrections(c, data.get("corrections"), data.get("me"))
    for name in ("me", "calendar", "mailbox"):
        if name not in data:
            c.add(name, "is missing", f"add a [{name}] table (see config.example.toml)")
    c.raise_if_any()

    base = path.parent
    cal: dict[str, Any] = dict(data["calendar"])
    box: dict[str, Any] = dict(data["mailbox"])
    for (section, kind), needs in BACKEND_NEEDS.items():
        table = cal if section == "calendar" else box
        chosen = table.get("source" if section == "calendar" else "backend")
        if chosen == kind:
            for key in needs:
                if key not in table:
                    c.add(f"{section}.{key}", f"is needed when the {section} is {kind!r}",
                          "add it (see config.example.toml)")
    if cal["source"] == "ics" and ("path" in cal) == ("url" in cal):
        c.add("calendar.path", "an ics calendar needs exactly one of path and url",
              "keep one of calendar.path and calendar.url")
    c.raise_if_any()

    def resolve(value: str | None) -> Path | None:
        if value is None:
            return None
        p = Path(value).expanduser()
        return p if p.is_absolute() else (base / p)

    me = data["me"]
    zone = me.get("timezone") or system_timezone()
    notes = data.get("notes", {})
    deadline = data.get("deadline", {})
    daemon = data.get("daemon", {})
    recommendations = data.get("recommendations", {})
    detection = data.get("detection", {})
    state = data.get("state", {})
    state_path = resolve(state.get("path")) or default_data_dir() / "afterword.sqlite3"
    default_token = default_data_dir() / "google-token.json"
    security = box.get("security", "ssl")
    default_port = {"ssl": 993, "starttls": 143, "none": 143}[security]

    return Config(
        path=path,
        me=Identity(name=me["name"].strip(), email=me["email"].strip().lower(),
                    aliases=tuple(a.strip().lower() for a in me.get("aliases", []))),
        timezone=zone,
        calendar=CalendarConfig(
            source=cal["source"], path=resolve(cal.get("path")), url=cal.get("url"),
            username=cal.get("username"), password_env=cal.get("password_env"),
            calendars=tuple(cal.get("calendars", [])),
            calendar_ids=tuple(cal.get("calendar_ids", ["primary"])),
            token_file=resolve(cal.get("token_file")) or default_token,
            credentials_file=resolve(cal.get("credentials_file")),
            api_endpoint=cal.get("api_endpoint"),
        ),
        mailbox=MailboxConfig(
            backend=box["backend"], path=resolve(box.get("path")), drafts=box.get("drafts"),
            sent=box.get("sent"), inbox=box.get("inbox"), host=box.get("host"),
            port=box.get("port", default_port), security=security,
            username=box.get("username"), password_env=box.get("password_env"),
            auth=box.get("auth", "password"),
            credentials_file=resolve(box.get("credentials_file")),
            token_file=resolve(box.get("token_file")) or default_token,
            api_endpoint=box.get("api_endpoint"),
        ),
        state_path=state_path,
        notes=NotesConfig(signature=notes.get("signature", me["name"]),
                          templates_dir=resolve(notes.get("templates_dir"))),
        deadline=DeadlineConfig(
            nudge_at=time.fromisoformat(deadline.get("nudge_at", "09:00")),
            final_warning_hours=float(deadline.get("final_warning_hours", 4)),
        ),
        daemon=DaemonConfig(sync_interval=daemon.get("sync_interval", 300)),
        recommendations=RecommendationsConfig(
            cooldown_days=recommendations.get("cooldown_days", 30),
            max_requests_per_quarter=recommendations.get("max_requests_per_quarter", 2),
        ),
        applications=tuple(
            Application(company=a["company"].strip(), role=a.get("role", "").strip(),
                        domains=tuple(d.strip().lower().lstrip("@") for d in a.get("domains", [])))
            for a in data.get("applications", [])
        ),
        references=tuple(
            Reference(name=r["name"].strip(), email=r["email"].strip().lower(),
                      relationship=r.get("relationship", ""), notes=r.get("notes", ""))
            for r in data.get("references", [])
        ),
        detection=DetectionConfig(
            include_optional=detection.get("include_optional", False),
            interview_keywords=_keywords(detection.get("interview_keywords", [])),
            not_interview_keywords=_keywords(detection.get("not_interview_keywords", [])),
            use_default_keywords=detection.get("use_default_keywords", True),
        ),
        corrections=tuple(_correction(entry) for entry in data.get("corrections", [])),
    )


def _keywords(values: list[str]) -> tuple[str, ...]:
    """Whitespace collapsed, each once (ignoring case), in the user's order."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(_keyword_key(value), _one_line(value))
    return tuple(seen.values())


def _correction(entry: Mapping[str, Any]) -> Correction:
    match = _one_line(entry["match"])
    email = entry.get("email")
    return Correction(
        match=match.casefold() if "@" in match else match,
        name=_one_line(entry["name"]) if "name" in entry else None,
        greeting=_one_line(entry["greeting"]) if "greeting" in entry else None,
        email=email.strip().lower() if email is not None else None,
    )
