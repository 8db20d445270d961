"""Invariants: every policy's invariants hold, and `verify` catches planted mistakes.

The wrong variants are made from the real policy files by one textual change each,
so they stay in step with the policies they corrupt.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from legiste.compiler.api import Policy
from legiste.compiler.tools.verify import Verifier

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
POLICY_FILES = sorted((ROOT / "policies").rglob("*.legis"))
MAX_EXAMPLES = int(os.environ.get("LEGISTE_VERIFY_EXAMPLES", "150"))


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_policy_invariants_hold(path: Path) -> None:
    policy = Policy.load(path)
    outcomes = Verifier(policy).verify_all(MAX_EXAMPLES, seed=0)
    assert len(outcomes) == len(policy.unit.invariants)
    broken = [(o.text, o.counterexample and o.counterexample.cases) for o in outcomes if not o.passed]
    assert not broken, broken
    for outcome in outcomes:
        # Each invariant is checked on as many cases as asked, or says why not.
        assert outcome.examples_run >= MAX_EXAMPLES or outcome.note, (outcome.text, outcome.examples_run)
        assert outcome.examples_run > 0, f"{outcome.text}: no case inside the policy's domain"


def test_every_policy_declares_invariants() -> None:
    for path in POLICY_FILES:
        assert Policy.load(path).unit.invariants, path


TELESECRETARIAT = ROOT / "policies/be/brussels/telesecretariat.legis"
PRIME = ROOT / "policies/be/inami/integrated_practice_prime.legis"

PLANTED = {
    # The cap applied to the costs instead of half of them.
    "cap_on_wrong_quantity": (TELESECRETARIAT,
                              "min(round_down(costs_paid / 2), ceiling at date(cost_year, 1, 1))",
                              "min(round_down(costs_paid), ceiling at date(cost_year, 1, 1))",
                              "intervention <= costs_paid / 2"),
    # The deadline one day late: 1 July accepted.
    "deadline_off_by_one_day": (TELESECRETARIAT,
                                "define deadline = date(cost_year + 1, 6, 30)",
                                "define deadline = date(cost_year + 1, 7, 1)",
                                "request_date > date(cost_year + 1, 6, 30) implies intervention = 0 EUR"),
    # Half of the costs rounded half up: half a cent more than half the costs.
    "rounding_up_beyond_half": (TELESECRETARIAT, "round_down(costs_paid / 2)", "round_up(costs_paid / 2)",
                                "intervention <= costs_paid / 2"),
    # The 2021 tier table with the amounts of situations 2 and 3 swapped.
    "tier_amounts_swapped": (PRIME,
                             ("from 2021-01-01 until 2021-12-31: 3500 EUR", "from 2021-01-01 until 2021-12-31: 4500 EUR"),
                             ("from 2021-01-01 until 2021-12-31: 4500 EUR", "from 2021-01-01 until 2021-12-31: 3500 EUR"),
                             "amounts_rise: prime_situation_1 at prime_date < prime_situation_2 at prime_date and "
                             "prime_situation_2 at prime_date < prime_situation_3 at prime_date and "
                             "prime_situation_3 at prime_date < prime_situation_4 at prime_date"),
}


def _plant(text: str, right: str | tuple[str, ...], wrong: str | tuple[str, ...]) -> str:
    """The policy text with the mistake planted (several replacements are made at once)."""
    rights = (right,) if isinstance(right, str) else right
    wrongs = (wrong,) if isinstance(wrong, str) else wrong
    for i, r in enumerate(rights):
        assert r in text, "the real policy changed: update the planted mistake"
        text = text.replace(r, f"\0PLANTED{i}\0", 1)
    for i, w in enumerate(wrongs):
        text = text.replace(f"\0PLANTED{i}\0", w)
    return text


@pytest.fixture()
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEGISTE_PATH", str(ROOT / "legiste" / "stdlib"))
    monkeypatch.setenv("LEGISTE_SOURCES", str(SEEDS))
    return tmp_path


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_verify_finds_planted_mistake(name: str, sandbox: Path) -> None:
    source, right, wrong, broken = PLANTED[name]
    mutant = sandbox / source.name
    mutant.write_text(_plant(source.read_text(encoding="utf-8"), right, wrong), encoding="utf-8")
    policy = Policy.load(mutant)
    verifier = Verifier(policy)
    outcomes = {o.text: o for o in verifier.verify_all(MAX_EXAMPLES, seed=0)}
    outcome = outcomes[broken]
    assert not outcome.passed, f"verify missed the planted mistake {name}"
    ce = outcome.counterexample
    assert ce is not None
    # The counter-example really breaks the invariant in the wrong policy …
    assert not verifier.check(outcome.invariant, ce.cases[0], ce.cases[1] if len(ce.cases) > 1 else None)
    # … and the real policy satisfies it on the same case.
    real = Policy.load(source)
    real_inv = next(i for i in real.unit.invariants if i.span.line == outcome.invariant.span.line)
    assert Verifier(real).check(real_inv, ce.cases[0], ce.cases[1] if len(ce.cases) > 1 else None)


def test_verify_is_deterministic_with_a_seed(sandbox: Path) -> None:
    source, right, wrong, broken = PLANTED["cap_on_wrong_quantity"]
    mutant = sandbox / source.name
    mutant.write_text(_plant(source.read_text(encoding="utf-8"), right, wrong), encoding="utf-8")
    policy = Policy.load(mutant)
    first = [o.counterexample.cases for o in Verifier(policy).verify_all(50, seed=7) if o.counterexample]
    second = [o.counterexample.cases for o in Verifier(policy).verify_all(50, seed=7) if o.counterexample]
    assert first == second and first
