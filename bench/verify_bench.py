"""How long `legiste verify policies` takes, and how many cases per second it checks.

Three figures, at the CLI's default example count (100) and seed 0, in this process:

1. each policy alone, in one process: what a save of that one file costs. Checks are
   the invariants checked on a drawn case or on an example moved to a boundary (a case
   that several invariants apply to counts once for each); "skipped" are drawn cases
   outside a guard or the domain. The reference is a plain
   evaluation loop of the same policy in the same process, so the figure reads as
   "verifying costs N evaluations".
2. every policy at once, cold (no recorded result), with one worker per core: a first
   `legiste verify policies`.
3. every policy at once again, all recorded as passed and unchanged: a save that changed
   no policy.

    .venv/bin/python bench/verify_bench.py [--max-examples N] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from legiste.compiler.api import Policy
from legiste.compiler.tools.verify import Verifier, case_json
from legiste.compiler.tools.verify_batch import verify_policies

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    total_time = total_cases = 0.0
    failures = 0
    policies = []
    for path in sorted((ROOT / "policies").rglob("*.legis")):
        start = time.perf_counter()
        policy = Policy.load(path)
        outcomes = Verifier(policy).verify_all(args.max_examples, args.seed)
        elapsed = time.perf_counter() - start
        policies.append(policy)
        drawn = sum(o.examples_run for o in outcomes)
        boundary = sum(o.boundary_cases for o in outcomes)
        cases = drawn + boundary
        skipped = sum(o.skipped for o in outcomes)
        failures += sum(not o.passed for o in outcomes)
        print(f"{policy.id}: {len(outcomes)} invariants, {elapsed:.2f} s, {cases:,} checks "
              f"({drawn:,} drawn, {boundary:,} at boundaries; {skipped:,} skipped), "
              f"{cases / elapsed:,.0f} checks/s; a check costs "
              f"{elapsed / max(cases, 1) / _plain(policy, cases):.0f} plain evaluations")
        total_time += elapsed
        total_cases += cases
    print(f"one policy after another: {total_time:.2f} s, {total_cases:,.0f} checks, "
          f"{total_cases / total_time:,.0f} checks/s, {failures} invariants broken")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "verify.json"
        for label in ("every policy at once, cold", "every policy at once, unchanged (recorded)"):
            start = time.perf_counter()
            runs = list(verify_policies(policies, args.max_examples, args.seed, cache=cache))
            elapsed = time.perf_counter() - start
            cached = sum(c for _, _, c in runs)
            print(f"{label}: {elapsed:.2f} s with {os.cpu_count()} workers "
                  f"({cached} of {len(runs)} policies recorded as passed and unchanged)")


def _plain(policy: Policy, count: int) -> float:
    """Seconds per plain evaluation of the policy's own examples (`count` of them)."""
    examples = [e for e in policy.unit.examples if e.expect_error is None]
    values = [policy.validate(case_json(policy, e.given)) for e in examples]
    start = time.perf_counter()
    runs = 0
    while runs < max(count, 1) and values:
        for v in values:
            policy.run(v)
            runs += 1
    return (time.perf_counter() - start) / max(runs, 1)


if __name__ == "__main__":
    main()
