"""How long `legiste verify policies` takes, and how many cases per second it checks.

Runs every invariant of every policy under policies/ at the default example count
(the CLI's --max-examples, 100) with seed 0, in this process, and prints per policy the
time, the cases checked (drawn cases inside the policy's domain) and those skipped
(outside it), then the totals. The reference is a plain evaluation loop of the same
policies in the same process, so the figure reads as "verifying costs N evaluations".

    .venv/bin/python bench/verify_bench.py [--max-examples N] [--seed S]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from compiler.api import Policy
from compiler.verify import Verifier

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    total_time = total_cases = total_skipped = 0.0
    failures = 0
    for path in sorted((ROOT / "policies").rglob("*.legis")):
        start = time.perf_counter()
        policy = Policy.load(path)
        outcomes = Verifier(policy).verify_all(args.max_examples, args.seed)
        elapsed = time.perf_counter() - start
        cases = sum(o.examples_run for o in outcomes)
        skipped = sum(o.skipped for o in outcomes)
        failures += sum(not o.passed for o in outcomes)
        # The same number of plain evaluations of the policy's own examples, for scale.
        examples = [e for e in policy.unit.examples if e.expect_error is None]
        values = [policy.validate({k: v for k, v in _json(policy, e.given).items()}) for e in examples]
        t0 = time.perf_counter()
        runs = 0
        while runs < max(cases, 1) and values:
            for v in values:
                policy.run(v)
                runs += 1
        plain = (time.perf_counter() - t0) / max(runs, 1)
        print(f"{policy.id}: {len(outcomes)} invariants, {elapsed:.2f} s, {cases:.0f} cases "
              f"({skipped:.0f} outside the domain), {cases / elapsed:,.0f} cases/s; "
              f"a case costs {elapsed / max(cases, 1) / plain:.0f} plain evaluations")
        total_time += elapsed
        total_cases += cases
        total_skipped += skipped
    print(f"all policies: {total_time:.2f} s, {total_cases:,.0f} cases "
          f"({total_skipped:,.0f} outside the domain), {total_cases / total_time:,.0f} cases/s, "
          f"{failures} invariants broken")


def _json(policy: Policy, given: dict) -> dict:
    from compiler.verify import case_json
    return case_json(policy, given)


if __name__ == "__main__":
    main()
