"""Benchmark: the interpreter against the same rule written by hand in Python.

    python bench/eval_bench.py                 # 100,000 cases, best of 3
    python bench/eval_bench.py --cases 20000 --profile

Generates synthetic tele-secretariat cases (policies/be/brussels/telesecretariat.legis)
with a seeded `random.Random`, validates them once with `Policy.validate` (not timed),
checks that the interpreter and the hand-written function give the same eligibility
and the same intervention on every case (the benchmark stops with an error if they
do not), then times both on the same validated values, alternately, and keeps the
best of N runs of each.

Request dates stay in 2024-01-01 … 2024-07-31: the costs are then those of 2023, the
only year whose index coefficient is published (a later year raises E401).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
import random
import sys
import time
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parent.parent
POLICY = REPO_ROOT / "policies" / "be" / "brussels" / "telesecretariat.legis"

# ---------------------------------------------------------------- the hand-written rule
# The same rule as the policy, written directly in Python with Decimal and no Légiste
# import: what a developer would write without the DSL.

CENT = Decimal("0.01")
CEILING_2023 = Decimal("4555.10")
ZERO = Decimal("0.00")


def hand_written(v: dict[str, Any]) -> tuple[bool, Decimal]:
    """(eligible, intervention) of one validated case."""
    request_date: dt.date = v["request_date"]
    cost_year = request_date.year - 1
    if cost_year != 2023:  # the ceiling is only known (indexed) for 2023
        raise ValueError(f"no published ceiling for {cost_year}")
    recently_accredited = v["accreditation_year"] >= cost_year - 2
    eligible = (
        v["labelled_emr"]
        and (recently_accredited or v["dmg_count"] >= 150)
        and v["brussels_health_network"]
        and v["sumehr_published"]
        and v["gp_circle_member"]
        and v["on_call_duty"]
        and (v["practice"] == "individual" or v["collaboration_agreement_gps"] >= 2)
        and not v["salary_intervention_same_period"]
        and request_date <= dt.date(cost_year + 1, 6, 30)
    )
    if not eligible:
        return False, ZERO
    half = (v["costs_paid"] / 2).quantize(CENT, rounding=ROUND_FLOOR)
    return True, min(half, CEILING_2023).quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- synthetic cases

_EDGE_COSTS = ["0.00", "0.01", "0.02", "0.03", "9110.18", "9110.19", "9110.20", "9110.21",
               "9110.22", "12000.00", "6000.00", "7400.00"]


def make_cases(n: int, seed: int) -> list[dict[str, Any]]:
    """n JSON-like cases (strings for dates and amounts, as an input file has them)."""
    rng = random.Random(seed)
    first = dt.date(2024, 1, 1).toordinal()
    last = dt.date(2024, 7, 31).toordinal()
    cases = []
    for _ in range(n):
        # Most conditions hold most of the time, so that about half the cases are
        # eligible and each condition is the one that fails in some cases.
        practice = rng.choice(("individual", "group"))
        if rng.random() < 0.05:
            costs = rng.choice(_EDGE_COSTS)
        else:
            cents = rng.randint(0, 1_200_000)
            costs = f"{cents // 100}.{cents % 100:02d}"
        cases.append({
            "request_date": dt.date.fromordinal(rng.randint(first, last)).isoformat(),
            "costs_paid": costs,
            "practice": practice,
            "accreditation_year": rng.randint(1985, 2024),
            "dmg_count": rng.choice((rng.randint(0, 1500), rng.randint(140, 160))),
            "labelled_emr": rng.random() < 0.95,
            "brussels_health_network": rng.random() < 0.95,
            "sumehr_published": rng.random() < 0.95,
            "gp_circle_member": rng.random() < 0.95,
            "on_call_duty": rng.random() < 0.95,
            "collaboration_agreement_gps": 0 if practice == "individual" and rng.random() < 0.8
            else rng.randint(0, 6),
            "salary_intervention_same_period": rng.random() < 0.05,
        })
    return cases


# ---------------------------------------------------------------- timing


def time_loop(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="number of cases (default 100,000)")
    parser.add_argument("--seed", type=int, default=20240315, help="random seed (default 20240315)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each side; the best is kept")
    parser.add_argument("--profile", action="store_true",
                        help="also profile the interpreter loop with cProfile and print the top entries")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.repeat < 1:
        parser.error("--cases and --repeat must be at least 1")

    sys.path.insert(0, str(REPO_ROOT))
    from legiste.compiler.api import Policy
    from legiste.dsl.diagnostics import DiagnosticError, render_plain

    try:
        policy = Policy.load(POLICY)
    except DiagnosticError as exc:
        print(render_plain(exc.diagnostics), file=sys.stderr)
        return 1
    outputs = [d.name for d in policy.unit.outputs]
    if "intervention" not in outputs:
        print(f"{policy.id} has no output 'intervention' (outputs: {outputs})", file=sys.stderr)
        return 1
    compare_eligible = "eligible" in outputs

    t0 = time.perf_counter()
    raw = make_cases(args.cases, args.seed)
    try:
        cases = [(v, policy.as_of(v)) for v in (policy.validate(c) for c in raw)]
    except DiagnosticError as exc:
        print("a generated case is invalid:\n" + render_plain(exc.diagnostics), file=sys.stderr)
        return 1
    prep = time.perf_counter() - t0

    # Agreement first: every case, both outputs.
    evaluate = policy.evaluator.evaluate
    eligible_count = 0
    disagreements = []
    for i, (values, as_of) in enumerate(cases):
        got, _ = evaluate(values, as_of)
        elig, amount = hand_written(values)
        eligible_count += elig
        same = (str(got["intervention"]) == str(amount)
                and (not compare_eligible or got["eligible"] == elig))
        if not same:
            disagreements.append((i, raw[i], got, (elig, amount)))
    if disagreements:
        print(f"FAIL: the interpreter and the hand-written rule disagree on "
              f"{len(disagreements):,} of {len(cases):,} cases; first ones:", file=sys.stderr)
        for i, case, got, expected in disagreements[:5]:
            print(f"  case {i}: {case}\n    interpreter: {got}\n    hand-written: "
                  f"eligible={expected[0]}, intervention={expected[1]}", file=sys.stderr)
        return 1

    def run_interpreter() -> None:
        for values, as_of in cases:
            evaluate(values, as_of)

    def run_hand_written() -> None:
        for values, _ in cases:
            hand_written(values)

    interp_times, hand_times = [], []
    for _ in range(args.repeat):  # interleaved, so drift affects both sides alike
        interp_times.append(time_loop(run_interpreter))
        hand_times.append(time_loop(run_hand_written))
    n = len(cases)
    interp_rate = n / min(interp_times)
    hand_rate = n / min(hand_times)

    print(f"{n:,} cases ({eligible_count:,} eligible), seed {args.seed}, "
          f"generated and validated in {prep:.1f} s (not timed); identical on every case")
    print(f"best of {args.repeat}: interpreter {min(interp_times):.3f} s, "
          f"hand-written {min(hand_times):.3f} s")
    print(f"interpreter: {interp_rate:,.0f} cases/s; hand-written: {hand_rate:,.0f} cases/s; "
          f"ratio {hand_rate / interp_rate:.1f}×")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run_interpreter()
        profiler.disable()
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("tottime").print_stats(20)
        print(stream.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
