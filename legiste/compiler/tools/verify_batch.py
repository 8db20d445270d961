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
whole policy; the outcomes come back pickled, in the order of the policies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Iterator

from legiste.compiler.api import Policy
from legiste.compiler.tools.verify import Outcome, Verifier, invariant_text
from legiste.dsl.diagnostics import Diagnostic, warning
from legiste.dsl.span import SOURCES

CACHE = Path(".legiste") / "verify.json"
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


def cache_key(policy: Policy, max_examples: int, seed: int | None) -> str:
    """What a policy's verification depends on, digested."""
    units = sorted(policy.program.units.values(), key=lambda u: u.id)
    texts = [(u.id, SOURCES.text(u.file)) for u in units]
    # A policy without an `as of` input is evaluated as of today: its result is today's.
    today = None if policy.unit.as_of else dt.date.today().isoformat()
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


def _cached(policy: Policy, entry: Any, key: str) -> list[Outcome] | None:
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    records = entry.get("outcomes")
    invariants = policy.unit.invariants
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
    except OSError:
        # A full disk leaves the partial file empty or cut: never leave it behind.
        try:
            partial.unlink()
        except OSError:
            pass


# Set before the workers fork: they inherit the compiled policies instead of
# receiving them pickled.
_POLICIES: list[Policy] = []


def _verify_one(index: int, max_examples: int, seed: int | None) -> list[Outcome]:
    return Verifier(_POLICIES[index]).verify_all(max_examples, seed)


def verify_policies(policies: list[Policy], max_examples: int = 100, seed: int | None = 0,
                    database: Any = None, jobs: int | None = None,
                    cache: Path | None = CACHE, warnings: list[Diagnostic] | None = None,
                    ) -> Iterator[tuple[Policy, list[Outcome], bool]]:
    """(policy, outcomes, whether they were recorded by an earlier run), in the order of
    `policies`. `jobs` worker processes (default: one per core); `cache` None never
    reads nor records; a record that cannot be trusted adds a W603 to `warnings`."""
    if database is not None:
        cache = None
    records = _read(cache, warnings) if cache is not None else {}
    keys = [cache_key(p, max_examples, seed) if cache is not None else "" for p in policies]
    known = [_cached(p, records.get(p.id), k) if cache is not None else None
             for p, k in zip(policies, keys)]
    todo = [i for i, outcomes in enumerate(known) if outcomes is None]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    fork = "fork" in multiprocessing.get_all_start_methods()
    results: dict[int, Any] = {}
    if jobs > 1 and fork and database is None:
        _POLICIES[:] = policies
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
        with pool:
            results = {i: pool.submit(_verify_one, i, max_examples, seed) for i in todo}
            yield from _collect(policies, known, results, keys, records, cache)
        _POLICIES.clear()
        return
    results = {i: None for i in todo}

    def run(i: int) -> list[Outcome]:
        return Verifier(policies[i]).verify_all(max_examples, seed, database)
    yield from _collect(policies, known, results, keys, records, cache, run)


def _collect(policies: list[Policy], known: list[list[Outcome] | None], pending: dict[int, Any],
             keys: list[str], records: dict[str, Any], cache: Path | None,
             run: Any = None) -> Iterator[tuple[Policy, list[Outcome], bool]]:
    for i, policy in enumerate(policies):
        if known[i] is not None:
            yield policy, known[i], True  # type: ignore[misc]
            continue
        outcomes = run(i) if run is not None else pending[i].result()
        if cache is not None and all(o.passed for o in outcomes):
            records[policy.id] = {"key": keys[i], "outcomes": [
                {"examples_run": o.examples_run, "skipped": o.skipped,
                 "boundary_cases": o.boundary_cases, "note": o.note} for o in outcomes]}
            _write(cache, records)
        yield policy, outcomes, False
