"""`legiste verify --jobs 2` stopped by a signal (issue 10, "Signals during verify --jobs 2"):
one Ctrl-C stops every worker at once, prints what was verified so far and exits 130; a
second one neither deadlocks nor prints a traceback; SIGTERM leaves no process behind.

The command runs as a user runs it, in a session of its own (a terminal's Ctrl-C goes to
the whole foreground process group, so the signal is sent to the group). What is left of
the group afterwards is read from /proc.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from legiste.compiler.api import Policy
from test_cli import REPO_ROOT

FAST = "policies/be/inami/care_certificates.legis"  # a second or two at 1,000 cases
SLOW = "policies/be/inami/integrated_practice_prime.legis"  # 15 times as long: still running
WAIT = 120  # seconds: a bound on any wait, never a threshold the test measures

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


class Run:
    """`legiste verify --jobs 2 --no-cache …` in its own session, its output in files."""

    def __init__(self, *paths: str, max_examples: int = 1000):
        env = {k: v for k, v in os.environ.items() if k not in ("LEGISTE_PATH", "LEGISTE_SOURCES")}
        env.update(NO_COLOR="1", COLUMNS="200", PYTHONIOENCODING="utf-8")
        self.out = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.err = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from legiste.compiler.faces.cli import run; run()", "verify", "--jobs", "2",
             "--no-cache", "--max-examples", str(max_examples), *paths],
            cwd=REPO_ROOT, env=env, stdout=self.out, stderr=self.err, start_new_session=True)
        self.group = self.process.pid  # a new session: its leader's pid is the group's id

    def members(self) -> list[int]:
        """The processes of the run's group still alive (zombies are dead)."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
            if int(fields[2]) == self.group and fields[0] != "Z":
                pids.append(int(entry))
        return pids

    def wait_for_workers(self) -> None:
        end = time.monotonic() + WAIT
        while len(self.members()) < 3:  # the command and its two workers
            assert self.process.poll() is None, self.text()
            assert time.monotonic() < end, "the workers did not start"
            time.sleep(0.1)

    def wait_for_output(self, needle: str, times: int = 1) -> None:
        end = time.monotonic() + WAIT
        while self.stdout().count(needle) < times:
            assert self.process.poll() is None, f"the run ended before {needle!r} was printed:\n{self.text()}"
            assert time.monotonic() < end, f"{needle!r} was never printed"
            time.sleep(0.1)

    def signal(self, signum: int, group: bool = True) -> None:
        if group:
            os.killpg(self.group, signum)
        else:
            os.kill(self.process.pid, signum)

    def finish(self) -> int:
        try:
            return self.process.wait(WAIT)
        finally:
            self.kill_leftovers()

    def kill_leftovers(self) -> None:
        for pid in self.members():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stdout(self) -> str:
        self.out.flush()
        self.out.seek(0)
        return self.out.read()

    def stderr(self) -> str:
        self.err.flush()
        self.err.seek(0)
        return self.err.read()

    def text(self) -> str:
        return self.stdout() + self.stderr()

    def no_process_left(self) -> bool:
        end = time.monotonic() + 10  # the kernel reaps what the command did not
        while self.members() and time.monotonic() < end:
            time.sleep(0.1)
        return not self.members()


def test_one_ctrl_c_stops_the_workers_says_what_was_verified_and_exits_130() -> None:
    run = Run(FAST, SLOW)
    try:
        # The fast one is done and printed (a ✓ for each of its invariants); the slow one runs.
        run.wait_for_output("✓", len(Policy.load(REPO_ROOT / FAST).unit.invariants))
        assert len(run.members()) == 3
        run.signal(signal.SIGINT)
        code = run.finish()
        assert code == 130, run.text()
        assert run.no_process_left()
        assert "be.inami.care_certificates" in run.stdout() and "✓" in run.stdout()
        assert "be.inami.integrated_practice_prime" not in run.stdout()
        assert "interrupted:" in run.stderr() and "in the 1 policy verified so far; 1 not verified" in run.stderr()
        assert "Traceback" not in run.text()
    finally:
        run.kill_leftovers()


def test_two_ctrl_c_neither_deadlock_nor_print_a_traceback() -> None:
    run = Run(SLOW, FAST)
    try:
        run.wait_for_workers()
        run.signal(signal.SIGINT)
        run.signal(signal.SIGINT)
        code = run.finish()
        assert code == 130, run.text()
        assert run.no_process_left()
        assert "Traceback" not in run.text()
        assert "interrupted:" in run.stderr()
    finally:
        run.kill_leftovers()


@pytest.mark.parametrize("group", [False, True], ids=["to the command", "to the group"])
def test_sigterm_leaves_no_process_behind(group: bool) -> None:
    run = Run(SLOW, FAST)
    try:
        run.wait_for_workers()
        workers = set(run.members()) - {run.process.pid}
        assert len(workers) == 2
        run.signal(signal.SIGTERM, group=group)
        code = run.finish()
        assert code == 143, run.text()
        assert run.no_process_left()
        assert not any(Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text()
                       for pid in workers)
        assert "Traceback" not in run.text()
    finally:
        run.kill_leftovers()


def test_a_ctrl_c_while_the_record_is_written_leaves_no_partial_file(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from legiste.compiler.tools import verify_batch

    record = tmp_path / ".legiste" / "verify.json"

    def interrupted(self: Path, *args: object, **kwargs: object) -> None:
        self.write_bytes(b'{"be.')  # cut in the middle
        raise KeyboardInterrupt
    monkeypatch.setattr(Path, "write_text", interrupted)
    with pytest.raises(KeyboardInterrupt):
        verify_batch._write(record, {"p": {"key": "k", "outcomes": []}})
    assert list(record.parent.iterdir()) == []
