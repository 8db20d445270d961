"""The caller's decimal context changes nothing: every decimal operation of an evaluation
names Légiste's own context (compiler/runtime/numbers.py _CONTEXT), so no evaluation reads
the thread's context, and none sets or restores it.

A random caller context (precision 1 to 60, every rounding mode, any traps, either
capitals, a small or large exponent range) is drawn for each case; the interpreter, the
API (explanations included) and a generated module must give what the API gives in
Python's default context: the same values, JSON, explanations and diagnostics, for
cases that succeed and cases that fail (no value, an unpublished index, a division by
zero, an inexact product, a value out of bounds, an input refused).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from legiste.compiler.api import Policy
from legiste.compiler.backends.python import generate
from legiste.compiler.tools.strategies import case_strategy, harvest
from legiste.compiler.tools.verify import case_json
from legiste.dsl.diagnostics import DiagnosticError
from helpers import REPO_ROOT, compile_policy, generated_answer, interpreted_answer, load_generated

SIGNALS = [decimal.Clamped, decimal.DivisionByZero, decimal.Inexact, decimal.InvalidOperation,
           decimal.Overflow, decimal.Rounded, decimal.Subnormal, decimal.Underflow,
           decimal.FloatOperation]
ROUNDINGS = [decimal.ROUND_CEILING, decimal.ROUND_DOWN, decimal.ROUND_FLOOR,
             decimal.ROUND_HALF_DOWN, decimal.ROUND_HALF_EVEN, decimal.ROUND_HALF_UP,
             decimal.ROUND_UP, decimal.ROUND_05UP]


def _context(prec: int, rounding: str, traps: list[type], capitals: int, emax: int) -> decimal.Context:
    return decimal.Context(prec=prec, rounding=rounding, traps=traps, capitals=capitals,
                           Emax=emax, Emin=-emax)


CONTEXTS = st.builds(_context, st.integers(1, 60), st.sampled_from(ROUNDINGS),
                     st.lists(st.sampled_from(SIGNALS), unique=True), st.integers(0, 1),
                     st.sampled_from([40, 999999]))

# Every operation that depends on a context: quotients (of amounts, decimals, rates, an
# average, an indexation), negation, abs, roundings (fast and exact forms), an output
# amount to the cent, a comparison with a quotient, rates and decimals written out.
CONTEXT_POLICY = """
policy ctx

series idx : decimal
  source "test"
  period yearly
  2023: 3
  2024: 7.123456789

parameter p : money
  from 2023-01-01: 1000.01 EUR indexed by idx

input
  day : date
  a : money, at least 0 EUR, at most 1000000 EUR
  x : decimal, at least -12345678.9, at most 10000000
  n : integer
  r : rate, at most 150 %
  xs : list of money

define share : money = a * r
define per : decimal = x / n
define big : decimal = x * 123456789.987654321

output o_share : money = round_down(share)
output o_per : decimal = per
output o_neg : decimal = -x + abs(x) - abs(-per)
output o_third : money = a / 3
output o_avg : money = if size(xs) > 0 then average(xs) else 0 EUR
output o_p : money = p at day
output o_rate : rate = r / 3
output o_round : decimal = round(big, 0.001)
output o_up : money = round_up(a * 1.000001, 0.05 EUR)
output o_big : decimal = big / 7
output o_cmp : boolean = a / 3 >= 333.33 EUR
output o_neg_rate : rate = -(r / 7)
output o_define : money = share / 7
"""

_NUMBERS = ["0", "1", "-7", "2.5", "1000", "1e3", "0.0000001", "123456789.123456789",
            "99999999.99", "0.3333333333333333333333333333", "19.99999999999999999999999999",
            "-12345678.91", "20000000"]


def _money_text() -> st.SearchStrategy[str]:
    cents = st.integers(0, 100_000_000).map(lambda c: f"{c // 100}.{c % 100:02d}")
    return st.one_of(cents, st.sampled_from(["0", "9110.19", "1e3", "-1", "2000000", "0.001"]))


CONTEXT_CASES = st.fixed_dictionaries({
    "day": st.dates(dt.date(2022, 6, 1), dt.date(2025, 6, 30)).map(dt.date.isoformat),
    "a": _money_text(),
    "x": st.sampled_from(_NUMBERS),
    "n": st.one_of(st.integers(-3, 3), st.sampled_from([7, 1.5])),
    "r": st.sampled_from(["20 %", "12.5 %", "0.3333", "19.99999999999999999999999999999 %",
                          "0", "1E-7", "-5 %", "151 %", "1.5000001"]),
    "xs": st.lists(_money_text(), max_size=4),
})




def _interpreted(policy: Policy, data: Any, on: dt.date | None) -> Any:
    """The interpreter alone (validation, then the evaluator's raw values), written exactly:
    a Decimal's repr keeps its digits and exponent."""
    try:
        values = policy.validate(data)
    except DiagnosticError as exc:
        return ("invalid", [d.to_json() for d in exc.diagnostics])
    try:
        outputs, _ = policy.evaluator.evaluate(values, policy.as_of(values, on))
    except Exception as exc:  # EvalError: compared by its diagnostic
        return ("failed", exc.diagnostic.to_json())  # type: ignore[attr-defined]
    return ("values", _exact(values), _exact(outputs))


def _exact(value: Any) -> Any:
    """A value with each Decimal as its (sign, digits, exponent): every digit and the
    exponent, written the same whatever the context's `capitals`."""
    if isinstance(value, decimal.Decimal):
        return ("D", value.as_tuple())
    if isinstance(value, dict):
        return sorted((k, _exact(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_exact(v) for v in value]
    return value


def _same_everywhere(policy: Policy, module: ModuleType, data: Any, on: dt.date | None,
                     context: decimal.Context) -> None:
    expected = (interpreted_answer(policy, data, on), _interpreted(policy, data, on))
    with decimal.localcontext(context) as mine:
        got = (interpreted_answer(policy, data, on), _interpreted(policy, data, on))
        generated = generated_answer(module, data, on)
        assert decimal.getcontext() is mine  # left as the caller set it
    assert got[0] == expected[0]
    assert got[1] == expected[1]
    assert generated == expected[0]


@pytest.fixture(scope="module")
def context_policy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Policy, ModuleType]:
    policy = compile_policy(CONTEXT_POLICY)
    module = load_generated(generate(policy.program), tmp_path_factory.mktemp("ctx"), "ctx_policy")
    return policy, module


@settings(max_examples=150, deadline=None)
@given(data=CONTEXT_CASES, context=CONTEXTS)
def test_no_decimal_operation_reads_the_callers_context(context_policy, data: dict[str, Any],
                                                        context: decimal.Context) -> None:
    policy, module = context_policy
    _same_everywhere(policy, module, data, None, context)


def test_the_context_policy_reaches_every_failure() -> None:
    """The cases above include the failures they are meant to compare."""
    policy = compile_policy(CONTEXT_POLICY)
    base = {"day": "2024-06-01", "a": "100", "x": "1", "n": 1, "r": "20 %", "xs": []}
    codes = {}
    for change in ({"day": "2022-06-01"}, {"day": "2025-06-01"}, {"n": 0},
                   {"x": "0.3333333333333333333333333333"}, {"a": "-1"}, {"n": 1.5},
                   {"x": "20000000"}, {"r": "151 %"}):
        try:
            policy.evaluate(dict(base, **change))
        except DiagnosticError as exc:
            codes[json.dumps(change)] = exc.diagnostics[0].code
    assert list(codes.values()) == ["E400", "E401", "E402", "E404", "E503", "E501", "E503",
                                    "E503"], codes


POLICY_FILES = sorted(str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "policies").rglob("*.legis"))
_LOADED: dict[str, tuple[Policy, ModuleType, Any]] = {}


def _real(file: str, tmp: Path) -> tuple[Policy, ModuleType, Any]:
    if file not in _LOADED:
        policy = Policy.load(REPO_ROOT / file)
        name = "ctx_" + Path(file).stem
        module = load_generated(generate(policy.program), tmp, name)
        _LOADED[file] = policy, module, case_strategy(policy, harvest(policy.program))
    return _LOADED[file]


@pytest.mark.parametrize("file", POLICY_FILES)
@settings(max_examples=30, deadline=None)
@given(data=st.data(), context=CONTEXTS)
def test_every_policy_gives_the_same_answers_in_any_caller_context(
        file: str, tmp_path_factory: pytest.TempPathFactory, data: Any,
        context: decimal.Context) -> None:
    policy, module, cases = _real(file, tmp_path_factory.getbasetemp())
    case = case_json(policy, data.draw(cases, label="case"))
    on = None if policy.unit.as_of is not None else dt.date(2024, 6, 1)
    _same_everywhere(policy, module, json.loads(json.dumps(case)), on, context)
