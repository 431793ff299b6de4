"""The daemon renders notes in a short-lived helper process (plugin/worker.py): it writes
the same drafts `run --once` writes, never loads Jinja2 itself (2 MB resident for the rest
of its life), leaves no worker behind between cycles, still stops at start on a broken
template of the user's, and fails a cycle, never hangs, when the worker misbehaves."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from afterword.plugin import worker
from afterword.plugin.compose.render import BODY_TEMPLATE, Composer
from afterword.plugin.compose.uniqueness import UNIQUE_LIMIT, overlap
from afterword.plugin.config import load_config
from afterword.plugin.errors import ServiceError, UserError
from afterword.plugin.model import Interviewer
from afterword.plugin.runtime import open_engine
from afterword.plugin.worker import Worker, WorkerComposer
from tests.system.conftest import Result, write_config
from tests.system.test_cli import PANEL
from tests.system.test_edge_cases import JOSE, MARCUS, PRIYA, calendar, event
from tests.system.test_fixtures_end_to_end import read_drafts
from tests.unit.test_compose_render import context

# The daemon as `afterword run` starts it; at exit, every module it had loaded.
DAEMON = """
import sys
from afterword.plugin.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(" ".join(sorted(sys.modules)), flush=True)
sys.exit(code)
"""
PANEL_DONE = datetime(2026, 11, 24, 20, 5, tzinfo=UTC)  # PANEL ended five minutes before
MARIA = Interviewer("Maria Lopez", "maria@acme.com", "Staff Engineer", "system design")
BOB = Interviewer("Bob Smith", "bob@acme.com", "Engineering Manager", "team rituals")


def notes(folder: Path) -> dict[str, tuple[str, str]]:
    """Each draft's (subject, body), by recipient."""
    found = {}
    for draft in read_drafts(folder):
        body = draft.message.get_body(("plain",))
        assert body is not None
        found[str(draft.message["To"])] = (str(draft.message["Subject"]),
                                           body.get_content())
    return found


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def wait_for(predicate: Callable[[], bool], timeout: float,
             proc: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc is None or proc.poll() is None, "the daemon exited"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def with_templates_dir(config: Path, body: str) -> None:
    folder = config.parent / "templates"
    folder.mkdir()
    (folder / BODY_TEMPLATE).write_text(body, encoding="utf-8")
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[notes]\n", '[notes]\ntemplates_dir = "templates"\n'),
                      encoding="utf-8")


def gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


@dataclass
class DaemonRun:
    maps: str  # its memory map, asleep after the cycle that wrote the drafts
    loaded: set[str]  # every module it had loaded when it ended


def daemon_until_drafts(folder: Path, config: Path, drafts: int) -> DaemonRun:
    """`afterword run` (the daemon, with an hour between syncs) until it has saved `drafts`
    drafts and gone to sleep; then SIGTERM. It must end cleanly, with no error logged and
    no helper process left behind."""
    out, err = (folder / "stdout.txt").open("w"), (folder / "stderr.txt").open("w")
    with out, err:
        proc = subprocess.Popen([sys.executable, "-c", DAEMON, "--config", str(config), "run"],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, text=True)
    try:
        wait_for(lambda: len(read_drafts(folder)) == drafts, 20, proc)
        wait_for(lambda: f"cycle: drafts={drafts}" in (folder / "stderr.txt").read_text(), 5,
                 proc)
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        helpers = children(proc.pid)  # asleep after the cycle: its helper has ended
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = (folder / "stderr.txt").read_text()
    assert code == 0, stderr
    assert "Traceback" not in stderr and "level=error" not in stderr
    assert helpers == []
    return DaemonRun(maps, set((folder / "stdout.txt").read_text().split()))


# --- the daemon -------------------------------------------------------------------------------


def test_the_daemon_writes_what_run_once_writes_without_loading_jinja2(
        tmp_path: Path, afterword: Callable[..., Result]) -> None:
    end = datetime.now(UTC) - timedelta(minutes=10)
    stamp = "%Y%m%dT%H%M%SZ"
    ics = calendar(event("panel@acme.com", (end - timedelta(hours=1)).strftime(stamp),
                         end.strftime(stamp), "Acme interview", [MARCUS, PRIYA, JOSE],
                         zone=None))
    daemon_dir, once_dir = tmp_path / "daemon", tmp_path / "once"
    daemon_dir.mkdir()
    config = write_config(daemon_dir, ics, "[daemon]\nsync_interval = 3600\n")
    shutil.copytree(daemon_dir, once_dir)

    run = daemon_until_drafts(daemon_dir, config, 3)
    assert "python" in run.maps and "markupsafe" not in run.maps
    assert "afterword.plugin.worker" in run.loaded  # it did render through the worker
    assert not {"jinja2", "markupsafe"} & run.loaded

    once = afterword("--config", str(once_dir / "config.toml"), "run", "--once")
    assert once.code == 0, once.err
    written = notes(daemon_dir)
    assert len(written) == 3
    assert written == notes(once_dir)
    bodies = [body for _subject, body in written.values()]
    people = ["Marcus O'Neil", "Priya Shah", "José Álvarez", "Alex Rivera", "+1 555 0100"]
    assert all(overlap(a, b, people) <= UNIQUE_LIMIT
               for a in bodies for b in bodies if a is not b)


def test_a_broken_template_of_the_users_stops_the_daemon_at_start(tmp_path: Path) -> None:
    config = write_config(tmp_path, PANEL, "[daemon]\nsync_interval = 3600\n")
    with_templates_dir(config, "Hi {{ first_name \n")
    proc = subprocess.run([sys.executable, "-c", DAEMON, "--config", str(config), "run"],
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("afterword: template ") and BODY_TEMPLATE in line
    assert "jinja2" not in proc.stdout.split()  # checked in the worker, not in the daemon
    assert read_drafts(tmp_path) == []


def test_the_daemons_engine_renders_with_the_users_templates(tmp_path: Path) -> None:
    config_path = write_config(tmp_path, PANEL)
    with_templates_dir(config_path, "Dear {{ first_name }} at {{ company }},\n"
                                    "{{ phrases.thanks }}\n{{ signature }}\n")
    with open_engine(load_config(config_path), in_worker=True) as engine:
        assert isinstance(engine.composer, WorkerComposer)
        checked = engine.composer.worker.pid  # started at once: the user's templates
        assert checked is not None
        report = engine.cycle(PANEL_DONE)
        assert engine.composer.worker.pid is None  # the cycle's end ended the worker
    assert len(report.drafts) == 2 and gone(checked)
    assert {body.split(",")[0] for _subject, body in notes(tmp_path).values()} == {
        "Dear Marcus at Acme", "Dear Priya at Acme"}


# --- WorkerComposer ---------------------------------------------------------------------------


@pytest.fixture
def composer() -> Iterator[WorkerComposer]:
    found = WorkerComposer(Worker(timeout=10))
    yield found
    found.close()


def test_one_worker_renders_a_companys_notes_as_composer_does(composer: WorkerComposer) -> None:
    maria, bob = context(MARIA, note_id="a"), context(BOB, note_id="b")
    first = composer.compose(maria, [])
    pid = composer.worker.pid
    second = composer.compose(bob, [first.body], names=(n for n in ["Maria Lopez"]))
    assert composer.worker.pid == pid  # one worker for every note until close()
    names = ["Maria Lopez", "Bob Smith", "Alex Rivera", "+1 555 0100"]
    assert second.unique and overlap(first.body, second.body, names) <= UNIQUE_LIMIT
    local = Composer()
    assert first == local.compose(maria, [])
    assert second == local.compose(bob, [first.body], names=["Maria Lopez"])


def test_close_ends_the_worker_and_the_next_note_starts_another(
        composer: WorkerComposer) -> None:
    assert composer.worker.pid is None  # nothing started before the first note
    composer.compose(context(MARIA), [])
    first = composer.worker.pid
    assert first is not None and first in children(os.getpid())
    composer.close()
    assert composer.worker.pid is None and gone(first)
    composer.compose(context(MARIA), [])
    assert composer.worker.pid not in (None, first)


def test_a_stalled_worker_fails_the_note_in_time_and_is_replaced(tmp_path: Path) -> None:
    composer = WorkerComposer(Worker(timeout=0.5))
    try:
        composer.compose(context(MARIA), [])
        stalled = composer.worker.pid
        assert stalled is not None
        os.kill(stalled, signal.SIGSTOP)
        began = time.monotonic()
        with pytest.raises(ServiceError, match=r"note rendering failed: .*in time") as caught:
            composer.compose(context(BOB), [])
        assert caught.value.retryable and time.monotonic() - began < 3
        assert composer.worker.pid is None and gone(stalled)
        assert "Bob" in composer.compose(context(BOB), []).body
    finally:
        composer.close()


def test_a_worker_killed_between_notes_is_replaced(composer: WorkerComposer) -> None:
    composer.compose(context(MARIA), [])
    killed = composer.worker.pid
    assert killed is not None
    os.kill(killed, signal.SIGKILL)
    wait_for(lambda: Path(f"/proc/{killed}/stat").read_text().split(") ")[1][0] == "Z", 5)
    assert "Bob" in composer.compose(context(BOB), []).body
    assert composer.worker.pid not in (None, killed)


def test_a_template_error_in_the_worker_is_the_users_error(tmp_path: Path) -> None:
    (tmp_path / BODY_TEMPLATE).write_text("Hi {{ frist_name }}\n", encoding="utf-8")
    composer = WorkerComposer(Worker(tmp_path, timeout=10))
    try:
        with pytest.raises(UserError, match="frist_name"):
            composer.compose(context(MARIA), [])
        assert composer.worker.pid is not None  # the worker itself is fine
    finally:
        composer.close()
    (tmp_path / BODY_TEMPLATE).write_text("Hi {{ first_name \n", encoding="utf-8")
    with pytest.raises(UserError, match=BODY_TEMPLATE):
        WorkerComposer(Worker(tmp_path, timeout=10))


# Stand-ins for the worker: each says it is ready, then misbehaves on the first request.
SPEAK = """
import pickle, struct, sys, time
def send(message):
    data = pickle.dumps(message)
    sys.stdout.buffer.write(struct.pack("!I", len(data)) + data)
    sys.stdout.buffer.flush()
send(("ready", None))
sys.stdin.buffer.read(4)
"""


@pytest.mark.parametrize(("behaviour", "reason"), [
    ("sys.exit(3)", "the worker exited with code 3"),
    ("sys.stdout.buffer.write(struct.pack('!I', 9) + b'not a pickle'); sys.stdout.flush()",
     "unreadable"),
    ("sys.stdout.buffer.write(struct.pack('!I', 2**31)); sys.stdout.flush(); time.sleep(9)",
     "reply of 2147483648 bytes"),
    ("send(('ok', 'not a note')); time.sleep(9)", "unexpected reply"),
    ("send(['a', 'list']); time.sleep(9)", "unexpected reply"),
], ids=["exits", "garbage", "huge", "wrong-type", "wrong-shape"])
def test_a_worker_that_dies_or_answers_garbage_fails_the_cycle(
        monkeypatch: pytest.MonkeyPatch, behaviour: str, reason: str) -> None:
    monkeypatch.setattr(worker, "worker_command",
                        lambda *_: [sys.executable, "-c", SPEAK + behaviour])
    composer = WorkerComposer(Worker(timeout=5))
    try:
        began = time.monotonic()
        with pytest.raises(ServiceError, match=reason) as caught:
            composer.compose(context(MARIA), [])
        assert caught.value.retryable and time.monotonic() - began < 3
        assert composer.worker.pid is None  # killed, never reused
    finally:
        composer.close()
