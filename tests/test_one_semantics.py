"""One semantics: the interpreter and the generated module share compiler/runtime/, so they
give the same outputs, explanations and diagnostics, failing cases included; the builtins
are declared once (compiler/builtins.py), the calendar helpers among them."""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from legiste.compiler.api import Policy
from legiste.compiler.backends.json_ir import to_json_ir
from legiste.compiler.backends.python import generate
from legiste.compiler.builtins import BUILTINS
from helpers import compile_policy, generated_answer, interpreted_answer

_counter = itertools.count()


def _module(policy: Policy, tmp: Path) -> ModuleType:
    name = f"one_semantics_{next(_counter)}"
    path = tmp / f"{name}.py"
    path.write_text(generate(policy.program), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module




FAILING = """
policy t

series idx : decimal
  source "test"
  period yearly
  2023: 0
  2024: 2

parameter p : money
  from 2023-01-01: {amount} indexed by idx

parameter q : decimal
  from 2024-01-01 until 2024-12-31: 3

input
  day : date
  n : integer
  x : decimal

output a : money = p at day
output b : decimal = q at day
output c : decimal = x / n
output d : decimal = x * x * x * x
"""


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Policy, ModuleType]]:
    tmp = tmp_path_factory.mktemp("failing")
    out = {}
    for amount in ("100 EUR", "0 EUR"):
        policy = compile_policy(FAILING.format(amount=amount))
        out[amount] = policy, _module(policy, tmp)
    return out


def _case(day: dt.date, n: int, x: str) -> dict[str, Any]:
    return {"day": day.isoformat(), "n": n, "x": x}


def test_an_index_of_0_at_its_base_period_is_one_e402_located_at_the_parameter(failing) -> None:
    for amount, (policy, module) in failing.items():
        data = _case(dt.date(2024, 6, 1), 1, "1")
        expected = interpreted_answer(policy, data, None)
        assert generated_answer(module, data, None) == expected, amount
        first = expected["error"][0]
        assert first["code"] == "E402"
        assert first["message"].startswith("index 'idx' is 0 for 2023"), first["message"]
        assert first["location"]["line"] == 20  # `p at day`, where the rule reads it


@settings(max_examples=60, deadline=None)
@given(day=st.dates(dt.date(2022, 1, 1), dt.date(2026, 12, 31)), n=st.integers(-2, 2),
       x=st.sampled_from(["1", "0", "1.5", "123456789.123456789", "-7"]),
       amount=st.sampled_from(["100 EUR", "0 EUR"]))
def test_failing_cases_fail_alike(failing, day: dt.date, n: int, x: str, amount: str) -> None:
    # No value (before 2023, after 2024 for q), unpublished index (2025+), index 0,
    # division by zero (n = 0), an inexact product (x^4 beyond 28 digits).
    policy, module = failing[amount]
    data = _case(day, n, x)
    assert generated_answer(module, data, None) == interpreted_answer(policy, data, None)


CALENDAR = """
policy cal

input
  d1 : date
  d2 : date

output wd : integer = weekday(d1)
output eom : date = end_of_month(d1)
output age : integer = years_between(d1, d2)
"""


@pytest.fixture(scope="module")
def calendar(tmp_path_factory: pytest.TempPathFactory) -> tuple[Policy, ModuleType]:
    policy = compile_policy(CALENDAR)
    return policy, _module(policy, tmp_path_factory.mktemp("calendar"))


def _calendar(policy: Policy, d1: str, d2: str) -> dict[str, Any]:
    return policy.evaluate({"d1": d1, "d2": d2}).to_json()["outputs"]


def test_weekday_is_iso_monday_1_to_sunday_7(calendar) -> None:
    policy, _ = calendar
    assert _calendar(policy, "2024-07-01", "2024-07-01")["wd"] == 1  # a Monday
    assert _calendar(policy, "2024-07-07", "2024-07-07")["wd"] == 7  # a Sunday


def test_end_of_month_is_the_last_day_of_the_month(calendar) -> None:
    policy, _ = calendar
    assert _calendar(policy, "2024-02-10", "2024-02-10")["eom"] == "2024-02-29"
    assert _calendar(policy, "2023-02-28", "2023-02-28")["eom"] == "2023-02-28"
    assert _calendar(policy, "2024-12-31", "2024-12-31")["eom"] == "2024-12-31"


def test_years_between_is_an_age_29_february_and_reversed_dates(calendar) -> None:
    policy, _ = calendar
    assert _calendar(policy, "2000-06-15", "2024-06-14")["age"] == 23
    assert _calendar(policy, "2000-06-15", "2024-06-15")["age"] == 24
    # Born on 29 February: a year later is 28 February (as `d + 1 year` is).
    assert _calendar(policy, "2024-02-29", "2025-02-27")["age"] == 0
    assert _calendar(policy, "2024-02-29", "2025-02-28")["age"] == 1
    assert _calendar(policy, "2024-02-29", "2028-02-28")["age"] == 3
    assert _calendar(policy, "2024-02-29", "2028-02-29")["age"] == 4
    # The second date before the first: the negative of the age the other way.
    assert _calendar(policy, "2024-06-15", "2000-06-15")["age"] == -24
    assert _calendar(policy, "2024-06-14", "2000-06-15")["age"] == -23


@settings(max_examples=60, deadline=None)
@given(d1=st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
       d2=st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
def test_calendar_builtins_alike_in_the_generated_module(calendar, d1: dt.date, d2: dt.date) -> None:
    policy, module = calendar
    data = {"d1": d1.isoformat(), "d2": d2.isoformat()}
    assert generated_answer(module, data, None) == interpreted_answer(policy, data, None)
    age = _calendar(policy, d1.isoformat(), d2.isoformat())["age"]
    if d1 <= d2:  # the largest n with d1 + n years <= d2
        plus = compile_policy("policy p\n\ninput\n  d : date\n  n : integer\n\n"
                              "output r : date = d + n * 1 year\n")
        assert plus.evaluate({"d": d1.isoformat(), "n": age}).to_json()["outputs"]["r"] <= d2.isoformat()


def test_the_calendar_builtins_are_in_the_json_ir(calendar) -> None:
    policy, _ = calendar
    text = json.dumps(to_json_ir(policy.program))
    for name in ("weekday", "end_of_month", "years_between"):
        assert f'"func": "{name}"' in text


def test_every_builtin_declares_what_its_consumers_read() -> None:
    for name, builtin in BUILTINS.items():
        assert builtin.doc and builtin.name == name
        assert builtin.decimal in (None, "args", "always")
        assert isinstance(builtin.can_fail, bool)


def test_the_callers_decimal_context_changes_no_amount(tmp_path: Path) -> None:
    import decimal
    from helpers import TELESECRETARIAT
    policy = Policy.load(TELESECRETARIAT)
    module = _module(policy, tmp_path)
    data = {"costs_paid": "9110.19"}
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.rounding = 6, decimal.ROUND_CEILING
        outputs = [policy.evaluate(dict(_telesecretariat_case(), **data)).to_json()["outputs"],
                   module.evaluate(dict(_telesecretariat_case(), **data), None)["outputs"]]
    for out in outputs:
        assert out["intervention"] == "4555.09"


def _telesecretariat_case() -> dict[str, Any]:
    from helpers import SOLO_GP
    return json.loads(Path(SOLO_GP).read_text(encoding="utf-8"))
