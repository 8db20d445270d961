"""Verifying many policies: in parallel processes, and not again when nothing changed.

`legiste verify policies` runs on every save, where one file changed. A search is
deterministic for a seed, so its result is a function of the policy's texts (the
policy and every module it uses), the example count, the seed and Légiste's own code
(and of today's date, for a policy evaluated as of today): a policy whose every
invariant held is recorded under a digest of those in `.legiste/verify.json`, and not
searched again until one of them changes. Failures are never recorded: they are
searched again and printed in full. Replaying hypothesis' database makes a result
depend on that database, so no record is used then.

Policies are verified in forked worker processes (one per core), each verifying a
whole policy at a time; the outcomes come back pickled, in the order of the policies.
The workers ignore Ctrl-C and die with the process that forked them: a Ctrl-C (or a
SIGTERM, met as `Stopped`) reaches the parent alone, which kills and reaps every worker
before the interruption goes on to the caller.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import signal
import stat
import threading
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Iterator, TypeVar

from legiste.compiler.interpreter.cases import Compiled
from legiste.compiler.tools.verify import Outcome, Verifier, invariant_text
from legiste.dsl.diagnostics import Diagnostic, warning

CACHE = Path(".legiste") / "verify.json"
C = TypeVar("C", bound=Compiled)  # the policies given come back as they were given
_FORMAT = 1
_ROOT = Path(__file__).resolve().parents[2]  # the legiste package
_code_digest: str | None = None


def _code() -> str:
    """A digest of Légiste's own code and of hypothesis' version: a new verifier or
    evaluator may find what the old one did not."""
    global _code_digest
    if _code_digest is None:
        import hypothesis

        digest = hashlib.sha256(hypothesis.__version__.encode())
        for package in ("compiler", "dsl"):
            for file in sorted((_ROOT / package).rglob("*")):
                if file.suffix in (".py", ".lark"):
                    digest.update(file.relative_to(_ROOT).as_posix().encode())
                    digest.update(file.read_bytes())
        _code_digest = digest.hexdigest()
    return _code_digest


def cache_key(policy: Compiled, max_examples: int, seed: int | None) -> str:
    """What a policy's verification depends on, digested."""
    units = sorted(policy.program.units.values(), key=lambda u: u.id)
    texts = [(u.id, u.source.text if u.source else None) for u in units]
    # A policy without an `as of` input is evaluated as of today: its result is today's.
    today = None if policy.program.policy.as_of else dt.date.today().isoformat()
    blob = json.dumps([_FORMAT, _code(), max_examples, seed, texts, today], ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


MAX_RECORD = 16 << 20  # 16 MiB: a record is a few hundred bytes per policy


class _BadRecord(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _BadRecord(f"{name} is not a JSON number")


def _read(cache: Path, warnings: list[Diagnostic] | None = None) -> dict[str, Any]:
    """The record, or {} when there is none or it cannot be trusted (a warning W603 then:
    the record only saves time, so a bad one never stops a run). Regular files only, opened
    without following a symlink nor waiting on a FIFO, bounded, strict JSON, checked."""
    try:
        fd = os.open(cache, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return {}  # no record yet
    except OSError as exc:
        return _ignored(cache, exc.strerror or str(exc), warnings)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return _ignored(cache, "it is not a regular file", warnings)
        if info.st_size > MAX_RECORD:
            return _ignored(cache, f"it is larger than {MAX_RECORD} bytes", warnings)
        with os.fdopen(fd, "rb") as stream:
            fd = -1
            raw = stream.read(MAX_RECORD + 1)
    except OSError as exc:
        return _ignored(cache, exc.strerror or str(exc), warnings)
    finally:
        if fd >= 0:
            os.close(fd)
    if len(raw) > MAX_RECORD:
        return _ignored(cache, f"it is larger than {MAX_RECORD} bytes", warnings)
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError:
        return _ignored(cache, "its JSON is nested too deep", warnings)
    except (ValueError, UnicodeDecodeError) as exc:  # _BadRecord and JSONDecodeError are ValueErrors
        return _ignored(cache, f"it is not JSON: {exc}", warnings)
    problem = _shape(data)
    if problem is not None:
        return _ignored(cache, problem, warnings)
    return data


def _shape(data: Any) -> str | None:
    """What is wrong with a parsed record's shape, or None."""
    if not isinstance(data, dict):
        return "it is not a JSON object"
    for pid, entry in data.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) \
                or not isinstance(entry.get("outcomes"), list):
            return f"its entry {pid!r} has no key and outcomes"
        for r in entry["outcomes"]:
            if not isinstance(r, dict):
                return f"an outcome of {pid!r} is not an object"
            for name in ("examples_run", "skipped", "boundary_cases"):
                value = r.get(name, 0)
                if type(value) is not int or value < 0:  # bool is an int; not a count
                    return f"an outcome of {pid!r} has {name} {value!r}, not a count"
            if not isinstance(r.get("note"), (str, type(None))):
                return f"an outcome of {pid!r} has a note that is not text"
    return None


def _ignored(cache: Path, why: str, warnings: list[Diagnostic] | None) -> dict[str, Any]:
    if warnings is not None:
        warnings.append(warning("W603", f"the verify record {cache} is ignored: {why}",
                                hints=[f"every policy is verified again; delete {cache} to start afresh"]))
    return {}


def _cached(policy: Compiled, entry: Any, key: str) -> list[Outcome] | None:
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    records = entry.get("outcomes")
    invariants = policy.program.policy.invariants
    if not isinstance(records, list) or len(records) != len(invariants):
        return None
    try:
        return [Outcome(inv, invariant_text(inv), True, int(r["examples_run"]), int(r["skipped"]),
                        note=r.get("note"), boundary_cases=int(r.get("boundary_cases", 0)))
                for inv, r in zip(invariants, records)]
    except (KeyError, TypeError, ValueError):
        return None


def _write(cache: Path, data: dict[str, Any]) -> None:
    """Record atomically; a directory that cannot be written only costs the next run."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    partial = cache.with_suffix(f".{os.getpid()}.tmp")
    try:
        partial.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        partial.replace(cache)
    except BaseException as exc:
        # A full disk, or a Ctrl-C in the middle, leaves the partial file empty or cut:
        # never leave it behind.
        try:
            partial.unlink()
        except OSError:
            pass
        if not isinstance(exc, OSError):
            raise


class Stopped(KeyboardInterrupt):
    """SIGTERM during a parallel run, met as a Ctrl-C is: the workers are stopped first."""


# Set before the workers fork: they inherit the compiled policies instead of
# receiving them pickled.
_POLICIES: list[Compiled] = []


def _verify_one(index: int, max_examples: int, seed: int | None) -> list[Outcome]:
    return Verifier(_POLICIES[index]).verify_all(max_examples, seed)


def _worker(connection: Connection, parent: int, max_examples: int, seed: int | None) -> None:
    """A forked worker: verify each policy whose index it is sent, until None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the run, and this worker with it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    while True:
        try:
            index = connection.recv()
        except (EOFError, OSError):
            return
        if index is None:
            return
        try:
            answer: tuple[int, Any, Any] = (index, _verify_one(index, max_examples, seed), None)
        except Exception as exc:  # noqa: BLE001 — carried to the parent, which raises it
            answer = (index, None, exc)
        try:
            connection.send(answer)
        except Exception as exc:  # noqa: BLE001 — e.g. an exception that does not pickle
            connection.send((index, None, RuntimeError(repr(exc))))


def _die_with_parent(parent: int) -> None:
    """Linux: be killed when the parent dies, even of SIGKILL, so that no worker computes on
    for nobody; elsewhere the parent's own clean-up is all there is."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


class _Workers:
    """Forked processes verifying policies, one policy at a time each, as they come free."""

    def __init__(self, jobs: int, max_examples: int, seed: int | None):
        context = multiprocessing.get_context("fork")
        self.processes: list[tuple[Any, Connection]] = []
        self.busy: list[Connection] = []  # those verifying a policy
        for _ in range(jobs):
            mine, theirs = context.Pipe()
            process = context.Process(target=_worker, args=(theirs, os.getpid(), max_examples, seed),
                                      daemon=True)
            process.start()
            theirs.close()
            self.processes.append((process, mine))

    def results(self, todo: list[int]) -> Iterator[tuple[int, list[Outcome]]]:
        """(index, outcomes) of every policy of `todo`, as each is done."""
        queue = list(todo)
        busy = self.busy
        for _, connection in self.processes:
            if queue:
                connection.send(queue.pop(0))
                busy.append(connection)
        while busy:
            for connection in wait(busy):
                try:
                    index, outcomes, problem = connection.recv()  # type: ignore[misc]
                except (EOFError, OSError):
                    raise self._died(connection) from None  # type: ignore[arg-type]
                if problem is not None:
                    raise problem
                busy.remove(connection)  # type: ignore[arg-type]
                if queue:
                    connection.send(queue.pop(0))  # type: ignore[union-attr]
                    busy.append(connection)  # type: ignore[arg-type]
                yield index, outcomes

    def _died(self, connection: Connection) -> BaseException:
        """Why a worker's pipe closed: a SIGTERM or Ctrl-C sent to the whole process group
        stops the run (the parent's own signal may not have been handled yet); anything else
        killed it."""
        process = next(p for p, c in self.processes if c is connection)
        process.join(1)
        if process.exitcode in (-signal.SIGTERM, -signal.SIGINT):
            return Stopped() if process.exitcode == -signal.SIGTERM else KeyboardInterrupt()
        return RuntimeError(f"a verify worker process ended with {process.exitcode}")

    def stop(self) -> None:
        """Kill every worker still alive and reap them all: none is left behind."""
        for process, connection in self.processes:
            if connection in self.busy:
                process.kill()  # still searching: its result is not wanted any more
                continue
            try:
                connection.send(None)  # an idle worker leaves by itself
            except OSError:
                process.kill()
        for process, connection in self.processes:
            process.join(1)
            if process.is_alive():
                process.kill()
                process.join(5)
            connection.close()
        self.busy.clear()


@contextmanager
def _stopping_workers(jobs: int, max_examples: int, seed: int | None) -> Iterator[_Workers]:
    """Workers that are stopped whatever ends the run: its end, an exception, Ctrl-C, or
    SIGTERM (raised as `Stopped` meanwhile). While they are stopped, another Ctrl-C is ignored."""
    main = threading.current_thread() is threading.main_thread()

    def stopped(signum: int, frame: Any) -> None:
        raise Stopped()
    previous = signal.signal(signal.SIGTERM, stopped) if main else None
    workers = _Workers(jobs, max_examples, seed)
    try:
        yield workers
    finally:
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            workers.stop()
        finally:
            if main:
                signal.signal(signal.SIGINT, interrupt)
                signal.signal(signal.SIGTERM, previous)


def verify_policies(policies: list[C], max_examples: int = 100, seed: int | None = 0,
                    database: Any = None, jobs: int | None = None,
                    cache: Path | None = CACHE, warnings: list[Diagnostic] | None = None,
                    ) -> Iterator[tuple[C, list[Outcome], bool]]:
    """(policy, outcomes, whether they were recorded by an earlier run), in the order of
    `policies`. `jobs` worker processes (default: one per core); `cache` None never
    reads nor records; a record that cannot be trusted adds a W603 to `warnings`."""
    if database is not None:
        cache = None
    records = _read(cache, warnings) if cache is not None else {}
    keys = [cache_key(p, max_examples, seed) if cache is not None else "" for p in policies]
    known = [_cached(p, records.get(p.program.policy.id), k) if cache is not None else None
             for p, k in zip(policies, keys)]
    todo = [i for i, outcomes in enumerate(known) if outcomes is None]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    fork = "fork" in multiprocessing.get_all_start_methods()
    if jobs > 1 and fork and database is None:
        _POLICIES[:] = policies
        try:
            with _stopping_workers(jobs, max_examples, seed) as workers:
                done: dict[int, list[Outcome]] = {}
                arriving = workers.results(todo)

                def result(i: int) -> list[Outcome]:
                    while i not in done:
                        index, outcomes = next(arriving)
                        done[index] = outcomes
                    return done.pop(i)
                yield from _collect(policies, known, keys, records, cache, result)
        finally:
            _POLICIES.clear()
        return

    def run(i: int) -> list[Outcome]:
        return Verifier(policies[i]).verify_all(max_examples, seed, database)
    yield from _collect(policies, known, keys, records, cache, run)


def _collect(policies: list[C], known: list[list[Outcome] | None], keys: list[str],
             records: dict[str, Any], cache: Path | None,
             run: Any) -> Iterator[tuple[C, list[Outcome], bool]]:
    for i, policy in enumerate(policies):
        if known[i] is not None:
            yield policy, known[i], True  # type: ignore[misc]
            continue
        outcomes = run(i)
        if cache is not None and all(o.passed for o in outcomes):
            records[policy.program.policy.id] = {"key": keys[i], "outcomes": [
                {"examples_run": o.examples_run, "skipped": o.skipped,
                 "boundary_cases": o.boundary_cases, "note": o.note} for o in outcomes]}
            _write(cache, records)
        yield policy, outcomes, False
