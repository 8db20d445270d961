"""No comparison decided by a rounded quotient, no rounded `%` literal (issue 10): a
division or an average compared with a threshold is compared exactly
(ir/passes/exact_comparisons.py), by the interpreter and the generated module alike."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from legiste.compiler.api import Policy
from legiste.compiler.backends.python import generate
from legiste.compiler.ir.passes.lowering import lower
from legiste.compiler.ir.walk import walk
from legiste.compiler.runtime.values import to_json
from legiste.compiler import ir
from legiste.compiler.checking.typecheck import percent
from helpers import REPO_ROOT, compile_errors, compile_policy, load_generated

PRIME = REPO_ROOT / "policies" / "be" / "inami" / "integrated_practice_prime.legis"
SEGUR = REPO_ROOT / "policies" / "fr" / "assurance_maladie" / "segur_avenant9.legis"
TELESECRETARIAT = REPO_ROOT / "policies" / "be" / "brussels" / "telesecretariat.legis"


def _module(policy: Policy, name: str) -> ModuleType:
    return load_generated(generate(policy.program), Path(tempfile.mkdtemp()), name)


@pytest.fixture(scope="module")
def prime() -> tuple[Policy, ModuleType]:
    policy = Policy.load(PRIME)
    return policy, _module(policy, "exact_prime")


def _group_case(policy: Policy, scores: list[str], threshold: str) -> tuple[dict[str, Any], Any]:
    """The policy's example of a parameter rescued by the group average (7 + 1 of 10), with
    the rescued parameter's threshold and group scores replaced."""
    example = next(e for e in policy.program.policy.examples
                   if e.name.startswith("group practice: a missed parameter rescued"))
    types = {d.name: d.type for d in policy.unit.inputs}
    data = {k: to_json(v, types[k]) for k, v in example.given.items()}
    rescued = data["e_services"][7]
    rescued["threshold"] = threshold
    for member, score in zip(rescued["group"], scores):
        member["score"] = score
    return data, example.on


def test_group_average_rounded_to_the_threshold_does_not_reach_it(prime):
    # Issue 10: scores 20 and 19.99999999999999999999999999 average, in 28 digits, to
    # exactly 20, which reached the ">= 20" threshold: situation 4, 6000.00 EUR. Their mean
    # is 19.999999999999999999999999995, below 20 (§ "atteignent, en moyenne, le seuil
    # fixé"): the parameter is not rescued, 7 of 10 parameters give situation 3.
    policy, module = prime
    data, on = _group_case(policy, ["20", "19.99999999999999999999999999"], "20")
    interpreted = policy.evaluate(data, on=on).to_json()
    generated = module.evaluate(data, as_of=on)
    assert interpreted == generated
    assert interpreted["outputs"]["situation"] == 3 and interpreted["outputs"]["prime"] == "4500.00"
    assert module.explain(data, as_of=on)["explanation"] == \
        policy.explain(data, on=on).to_json()["explanation"]
    # the exact mean on the threshold still reaches it (the policy's own example: 25)
    on_it = _group_case(policy, ["10", "30"], "20")[0]
    assert policy.evaluate(on_it, on=on).to_json()["outputs"]["prime"] == "6000.00"


def test_every_comparison_of_a_quotient_in_the_policies_is_exact():
    # the average of the group rule, the VSM shares (50 %, 90 %, 1 / 3) and the invariant
    # `intervention <= costs_paid / 2`: each is compared exactly
    expected = {PRIME: 1, SEGUR: 3}
    for path, count in expected.items():
        program = lower(Policy.load(path).program)
        exact = [n for u in program.units.values() for d in u.definitions for n in walk(d.expr)
                 if isinstance(n, ir.Compare) and any(isinstance(s, ir.Exactly) for s in (n.left, n.right))]
        assert len({id(n) for n in exact}) >= count, path
    invariant = lower(Policy.load(TELESECRETARIAT).program).policy.invariants
    assert any(isinstance(n, ir.Exactly) for inv in invariant if inv.expr is not None
               for n in walk(inv.expr))


def test_a_share_of_one_third_is_compared_with_a_third():
    policy = compile_policy("""
        policy t
        input
          part : decimal, at least 0
          whole : integer, at least 1
        output a_third_or_more = part / whole >= 1 / 3
    """)
    module = _module(policy, "exact_third")
    # 0.3333333333333333333333333333 is 1 / 3 in 28 digits, and less than a third
    for part, whole, expected in (("1", 3, True), ("0.3333333333333333333333333333", 1, False),
                                  ("0.9999999999999999999999999999", 3, False),
                                  ("0.3333333333333333333333333334", 1, True)):
        case = {"part": part, "whole": whole}
        assert policy.evaluate(case).outputs["a_third_or_more"] is expected, case
        assert module.evaluate(case)["outputs"]["a_third_or_more"] is expected, case


def test_percent_literal_with_more_digits_than_the_context_is_exact_or_refused():
    # `19.99999999999999999999999999999 %` in a rule was divided by 100 in 28 digits: 0.2,
    # equal to 20 %. A literal of up to 28 digits converts exactly (a shift of the
    # exponent); a longer one is refused where it is written.
    policy = compile_policy("""
        policy t
        input
          share : rate
        output below_literal = share < 19.99999999999999999999999999 %
        output literal_below_twenty = 19.99999999999999999999999999 % < 20 %
    """)
    module = _module(policy, "exact_percent")
    case = {"share": "19.999999999999999999999999995 %"}
    assert policy.evaluate(case).to_json()["outputs"] == module.evaluate(case)["outputs"] == {
        "below_literal": False, "literal_below_twenty": True}
    literal = next(n for n in walk(policy.program.policy.definitions[0].expr)
                   if isinstance(n, ir.Const) and n.type.kind == "rate")
    assert literal.value == Decimal("0.1999999999999999999999999999")
    assert percent(Decimal("19.99999999999999999999999999999")) == \
        Decimal("0.1999999999999999999999999999999")  # exact, whatever the digits
    assert str(percent(Decimal("20"))) == "0.2"  # a short literal: the Decimal it always was
    errors = compile_errors("""
        policy t
        output r = 0.5 < 19.99999999999999999999999999999 %
    """)
    assert len(errors) == 1 and "significant digits" in errors[0].message
    assert (errors[0].span.line, errors[0].span.column) == (2, 18)


# ------------------------------------------------------------------ by property

THRESHOLD_POLICY = """
policy t
input
  xs : list of decimal
  a : decimal
  b : decimal
  t : decimal
output mean_reaches = size(xs) > 0 and average(xs) >= t
output quotient_reaches = b != 0 and a / b >= t
output quotient_below = b != 0 and a / b < t
output quotient_between = b != 0 and a / b between t and t + 1
"""

_EPS = st.sampled_from([Decimal(0)] + [Decimal(s) * Decimal(10) ** -e
                                       for e in (26, 27) for s in (1, -1)])


@pytest.fixture(scope="module")
def thresholds() -> tuple[Policy, ModuleType]:
    policy = compile_policy(THRESHOLD_POLICY)
    return policy, _module(policy, "exact_thresholds")


@settings(max_examples=60, deadline=None)
@given(t=st.integers(-2, 2), n=st.integers(1, 4), eps=st.lists(_EPS, min_size=4, max_size=4),
       b=st.sampled_from([1, 3, 7, -3, 9]))
def test_comparisons_near_a_threshold_give_the_exact_answer(thresholds, t, n, eps, b):
    policy, module = thresholds
    threshold = Decimal(t)
    # each within 10^-26 of the threshold, 28 digits at most (so that no sum is inexact)
    xs = [threshold + e for e in eps[:n]]
    a = threshold * b + eps[-1]                      # a / b within 10^-26 of it
    case = {"xs": [str(x) for x in xs], "a": str(a), "b": str(b), "t": str(threshold)}
    mean = sum(map(Fraction, xs)) / len(xs)
    quotient = Fraction(a) / b
    exact = {"mean_reaches": mean >= t, "quotient_reaches": quotient >= t,
             "quotient_below": quotient < t, "quotient_between": t <= quotient <= t + 1}
    assert policy.evaluate(case, on=None).to_json()["outputs"] == exact
    assert module.evaluate(case)["outputs"] == exact


# A threshold of more digits than the context's 28: the mean of 1 and 1 + 10^-27 is
# 1 + 5·10^-28, which rounds (half even, to 28 digits) to 1, below a threshold of
# 1 + 4·10^-28 that the exact mean is above. Here the Decimals cannot decide; both sides
# of the comparison, and a comparison where no assignment expression may stand in
# generated code (a comprehension's iterable), must still give the exact answer.
LONG_THRESHOLD_POLICY = """
policy t
input
  xs : list of decimal
  t : decimal
output mean_reaches = size(xs) > 0 and average(xs) >= t
output reached_by_mean = size(xs) > 0 and t <= average(xs)
output above_mean = size(xs) > 0 and t > average(xs)
output picked : integer = size([y for each y in (if size(xs) > 0 and average(xs) >= t then xs else [t, t, t])])
"""


@pytest.mark.parametrize("xs, t, reaches", [
    (["1", "1.000000000000000000000000001"], "1.0000000000000000000000000005", True),
    (["1", "1.000000000000000000000000001"], "1.0000000000000000000000000004", True),
    (["1", "1.000000000000000000000000001"], "1.0000000000000000000000000006", False),
    (["1", "1.000000000000000000000000001"], "1.000000000000000000000000001", False),
    (["3", "3"], "3", True),
    (["3", "2.999999999999999999999999999"], "3", False),
])
def test_a_threshold_of_more_than_28_digits_is_compared_exactly(xs, t, reaches):
    policy = compile_policy(LONG_THRESHOLD_POLICY)
    module = _module(policy, "exact_long_threshold")
    expected = {"mean_reaches": reaches, "reached_by_mean": reaches, "above_mean": not reaches,
                "picked": len(xs) if reaches else 3}
    case = {"xs": xs, "t": t}
    assert policy.evaluate(case, on=None).to_json()["outputs"] == expected
    assert module.evaluate(case)["outputs"] == expected


def test_the_generated_comparison_of_a_quotient_makes_no_call_and_no_closure():
    # Written in line (backends/python/exact_comparisons.py): the exact mean only where
    # the Decimals cannot decide; the 28-digit test only where the threshold may need it.
    source = generate(compile_policy(LONG_THRESHOLD_POLICY).program)
    assert "(_q1 >= _n1 if (_q1 := _average(v['xs'], 1)) != (_n1 := v['t']) " \
           "and _CONTEXT.plus(_n1) == _n1 else _mean(v['xs']) >= _n1)" in source
    prime = generate(Policy.load(PRIME).program)
    assert prime.count("_cmp_once(") == 1  # its definition: no comparison calls it
    assert "lambda: _mean" not in prime
    constant = generate(compile_policy(LONG_THRESHOLD_POLICY.replace(">= t", ">= 25")).program)
    assert "_CONTEXT.plus(_n1)" not in constant  # 25 has 2 digits: nothing to test
