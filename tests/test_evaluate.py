"""Evaluation: every construct computes the value the law means, in the right type.

Most tests compile a one-line policy (`helpers.value`) or a small policy; the larger
policies live in tests/cases/good/.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from legiste.compiler.api import Policy
from legiste.compiler.tools.examples import run_examples
from legiste.compiler.ir.types import BOOLEAN, DATE, DECIMAL, MONEY, RATE, list_of
from legiste.compiler.runtime.values import Duration, display, to_json
from legiste.dsl.diagnostics import DiagnosticError
from helpers import (GOOD, QUOTE_DMG, QUOTE_EMR, QUOTE_RECENT, SEED_000, compile_errors,
                     compile_policy, codes, define_value, run, run_error, type_of, value)

D = Decimal


# ------------------------------------------------------------------ conditionals and logic


def test_if_then_else() -> None:
    assert value("if 1 < 2 then 10 EUR else 20 EUR") == D("10.00")
    assert value("if 1 > 2 then 10 EUR else 20 EUR") == D("20.00")
    assert value('if false then "a" else if true then "b" else "c"') == "b"


def test_if_branches_of_integer_and_decimal_give_a_decimal() -> None:
    assert type_of("if true then 1 else 2.5") == "decimal"
    result = value("if true then 1 else 2.5", "decimal")
    assert result == D(1) and isinstance(result, Decimal)


@pytest.mark.parametrize("expr,expected", [
    ("true and true", True), ("true and false", False),
    ("false or true", True), ("false or false", False),
    ("not false", True), ("not true", False),
    ("true implies true", True), ("true implies false", False),
    ("false implies true", True), ("false implies false", True),
    ("true and false or true", True),
    ("not 1 = 2", True),
])
def test_logic(expr: str, expected: bool) -> None:
    assert value(expr) is expected


@pytest.mark.parametrize("expr,expected", [
    ("1 = 1", True), ("1 != 1", False), ("1 ≠ 2", True), ("2 < 3", True), ("3 <= 3", True),
    ("3 ≤ 2", False), ("4 > 3", True), ("4 >= 5", False), ("5 ≥ 5", True),
    ("1 = 1.0", True), ("0.1 + 0.2 = 0.3", True), ("2.5 EUR > 2.49 EUR", True),
    ('"a" = "a"', True), ('"a" != "b"', True),
])
def test_comparisons(expr: str, expected: bool) -> None:
    assert value(expr) is expected


# ------------------------------------------------------------------ first of and blocks


FIRST_OF = """
policy t

input
  n : integer

output tier : money = first of
  100 EUR when n >= 10
  50 EUR when n >= 5
  20 EUR when n >= 1
  0 EUR otherwise
"""


@pytest.mark.parametrize("n,expected", [(12, "100.00"), (10, "100.00"), (7, "50.00"),
                                         (1, "20.00"), (0, "0.00")])
def test_first_of_the_first_matching_line_wins(n: int, expected: str) -> None:
    policy = compile_policy(FIRST_OF)
    assert run(policy, {"n": n}) == {"tier": D(expected)}


def test_first_of_without_otherwise_over_every_enumeration_value() -> None:
    policy = compile_policy("""
        policy t

        input
          practice : one of individual, group

        output share : rate = first of
          100 % when practice = individual
          50 % when practice = group
        """)
    assert run(policy, {"practice": "individual"}) == {"share": D(1)}
    assert run(policy, {"practice": "group"}) == {"share": D("0.5")}


BLOCKS = f"""
policy t
  source law "{SEED_000}"

input
  a : boolean
  b : boolean
  c : boolean
  waived : boolean
  flags : list of boolean
  k : integer

define all_items = all of
  a
  b
  c

define any_items = any of
  a
  b
  c

define count_items = count of
  a
  b
  c

define two_items = at least 2 of
  a
  b
  c

define k_items = at least k of
  a
  b
  c

define with_exception = all of
  a                                 § "{QUOTE_EMR}"
  b                                 § "{QUOTE_DMG}"
    unless waived                   § "{QUOTE_RECENT}"

define counted_with_exception = count of
  b
    unless waived
  c

define nested = all of
  a
  any of
    b
    at least 2 of
      c
      waived
      true

define all_flags = all of flags
define any_flags = any of flags
define count_flags = count of flags
define two_flags = at least 2 of flags

output done = true
"""

NAMES = ["all_items", "any_items", "count_items", "two_items", "k_items", "with_exception",
         "counted_with_exception", "nested", "all_flags", "any_flags", "count_flags", "two_flags"]


@pytest.fixture(scope="module")
def blocks() -> Policy:
    return compile_policy(BLOCKS)


def _blocks(policy: Policy, a: bool, b: bool, c: bool, waived: bool = False,
            flags: tuple[bool, ...] = (), k: int = 2) -> dict:
    data = {"a": a, "b": b, "c": c, "waived": waived, "flags": list(flags), "k": k}
    return run(policy, data, names=NAMES)


@pytest.mark.parametrize("a,b,c,all_,any_,count,two", [
    (True, True, True, True, True, 3, True),
    (True, True, False, False, True, 2, True),
    (True, False, False, False, True, 1, False),
    (False, False, False, False, False, 0, False),
    (False, True, True, False, True, 2, True),
])
def test_all_any_count_and_at_least_over_items(blocks: Policy, a: bool, b: bool, c: bool,
                                                all_: bool, any_: bool, count: int, two: bool) -> None:
    out = _blocks(blocks, a, b, c)
    assert (out["all_items"], out["any_items"], out["count_items"], out["two_items"]) == \
        (all_, any_, count, two)


def test_at_least_k_of_with_a_computed_k(blocks: Policy) -> None:
    assert _blocks(blocks, True, True, False, k=2)["k_items"] is True
    assert _blocks(blocks, True, True, False, k=3)["k_items"] is False
    assert _blocks(blocks, False, False, False, k=0)["k_items"] is True


def test_unless_waives_the_condition(blocks: Policy) -> None:
    # b is false: the condition fails, unless the exception applies.
    assert _blocks(blocks, True, False, False, waived=False)["with_exception"] is False
    assert _blocks(blocks, True, False, False, waived=True)["with_exception"] is True
    # The exception never makes another condition true.
    assert _blocks(blocks, False, False, False, waived=True)["with_exception"] is False
    # A waived condition counts as met.
    assert _blocks(blocks, False, False, False, waived=False)["counted_with_exception"] == 0
    assert _blocks(blocks, False, False, True, waived=True)["counted_with_exception"] == 2


def test_nested_blocks(blocks: Policy) -> None:
    assert _blocks(blocks, True, True, False)["nested"] is True
    # b false: the inner `at least 2 of` needs one of c, waived besides `true`.
    assert _blocks(blocks, True, False, False)["nested"] is False
    assert _blocks(blocks, True, False, True)["nested"] is True
    assert _blocks(blocks, True, False, False, waived=True)["nested"] is True
    assert _blocks(blocks, False, True, True)["nested"] is False


@pytest.mark.parametrize("flags,all_,any_,count,two", [
    ((), True, False, 0, False),
    ((True,), True, True, 1, False),
    ((True, False, True), False, True, 2, True),
    ((False, False), False, False, 0, False),
    ((True, True, True), True, True, 3, True),
])
def test_blocks_over_a_list_of_boolean_input(blocks: Policy, flags: tuple[bool, ...], all_: bool,
                                             any_: bool, count: int, two: bool) -> None:
    out = _blocks(blocks, True, True, True, flags=flags)
    assert (out["all_flags"], out["any_flags"], out["count_flags"], out["two_flags"]) == \
        (all_, any_, count, two)


def test_inline_aggregates_over_list_literals() -> None:
    assert value("all of [true, true, false]") is False
    assert value("any of [false, true]") is True
    assert value("count of [true, true, false]") == 2
    assert value("at least 2 of [true, true, false]") is True
    assert value("count of []") == 0
    assert value("all of []") is True
    assert type_of("count of [true]") == "integer"


# ------------------------------------------------------------------ numbers and money


def test_min_and_max() -> None:
    assert value("min(3 EUR, 2 EUR, 5 EUR)") == D("2.00")
    assert value("max(3 EUR, 2 EUR, 5 EUR)") == D("5.00")
    assert value("min(2024-01-01, 2023-05-05)") == dt.date(2023, 5, 5)
    assert value("max(1, 2.5)") == D("2.5")
    assert value("min(2024, year(2025-01-01))") == 2024


def test_money_arithmetic_is_exact() -> None:
    assert define_value("0.1 EUR + 0.2 EUR") == D("0.3")
    assert value("0.1 EUR + 0.2 EUR = 0.3 EUR") is True
    half = define_value("9110.19 EUR / 2")
    assert half == D("4555.095") and isinstance(half, Decimal)
    assert define_value("9110.19 EUR / 2 * 2") == D("9110.19")
    assert define_value("100 EUR - 0.01 EUR") == D("99.99")
    assert define_value("-(2 EUR) + 3 EUR") == D("1")


def test_sums_and_products_are_exact_up_to_28_digits_then_refused() -> None:
    # 28 significant digits: exact. One more: E404, never a rounded result.
    assert define_value("99999999999999.99 * 999999999999") == D("99999999999899990000000000.01")
    # (literals stop at 10^18, E005: the 28 digits are built by a product)
    assert define_value("99999999999999999.99 * 1000000000 + 0.01") == \
        D("99999999999999999990000000.01")  # 28 digits
    assert define_value("sum([0.1, 0.2, 0.3])") == D("0.6")
    with pytest.raises(DiagnosticError) as caught:
        define_value("99999999999999.99 * 999999999999.9")  # …0000.001: 29 digits
    assert [d.code for d in caught.value.diagnostics] == ["E404"]
    assert "more than 28 significant digits" in caught.value.diagnostics[0].message
    # A quotient is the one result the arithmetic rounds (1 / 3 has no exact decimal).
    assert define_value("1 / 3") == D("0.3333333333333333333333333333")


def test_money_outputs_are_rounded_half_up_to_the_cent() -> None:
    assert value("9110.19 EUR / 2") == D("4555.10")
    assert value("9110.17 EUR / 2") == D("4555.09")  # 4555.085 → .09
    assert value("1.005 EUR") == D("1.01")
    assert value("1 EUR / 3") == D("0.33")
    assert value("2 EUR / 3") == D("0.67")
    assert value("0 EUR") == D("0.00")
    assert str(value("0 EUR")) == "0.00"


def test_round_round_down_round_up_at_the_cent() -> None:
    assert define_value("round(9110.19 EUR / 2)") == D("4555.10")
    assert define_value("round_down(9110.19 EUR / 2)") == D("4555.09")
    assert define_value("round_up(9110.17 EUR / 2)") == D("4555.09")
    assert define_value("round_up(9110.15 EUR / 2)") == D("4555.08")  # 4555.075 → .08
    assert define_value("round_down(1.239 EUR)") == D("1.23")
    assert define_value("round_up(1.231 EUR)") == D("1.24")
    assert define_value("round(1.234 EUR)") == D("1.23")
    # round_down goes towards minus infinity.
    assert define_value("round_down(-0.005 EUR)") == D("-0.01")
    assert define_value("round_up(-0.005 EUR)") == D("0.00")


def test_rounding_with_a_step() -> None:
    assert define_value("round(1234.50 EUR, 1 EUR)") == D("1235")
    assert define_value("round(1234.49 EUR, 1 EUR)") == D("1234")
    assert define_value("round_down(1239.99 EUR, 10 EUR)") == D("1230")
    assert define_value("round_up(1230.01 EUR, 10 EUR)") == D("1240")
    assert define_value("round(2.45, 0.1)") == D("2.5")
    assert define_value("round(2.5)") == D("3")
    assert define_value("round_down(7 / 2)") == D("3")


def test_money_times_a_rate() -> None:
    assert define_value("100 EUR * 20 %") == D("20")
    assert define_value("20 % * 100 EUR") == D("20")
    assert value("10 EUR × 50 %") == D("5.00")
    assert value("33.33 EUR * 12.5 %") == D("4.17")  # 4.166250
    assert type_of("100 EUR * 20 %") == "money"
    assert value("20 %", "rate") == D("0.2")


def test_money_divided_by_money_is_a_decimal() -> None:
    assert type_of("100 EUR / 40 EUR") == "decimal"
    assert define_value("100 EUR / 40 EUR") == D("2.5")
    assert type_of("3 * 2 EUR") == "money" and value("3 × 2 EUR") == D("6.00")


def test_integer_division_is_an_exact_decimal() -> None:
    assert type_of("7 / 2") == "decimal"
    result = define_value("7 / 2")
    assert result == D("3.5") and isinstance(result, Decimal)
    assert define_value("1 / 8") == D("0.125")
    assert type_of("7 * 2") == "integer" and define_value("7 * 2") == 14
    assert type_of("2 + 0.5") == "decimal" and define_value("2 + 0.5") == D("2.5")
    assert define_value("2 - -1") == 3


def test_division_by_zero_is_reported() -> None:
    policy = compile_policy("policy t\n\ninput\n  n : integer\n\noutput r = 10 EUR / n\n")
    diagnostic = run_error(policy, {"n": 0})
    assert diagnostic.code == "E402"
    assert run(policy, {"n": 4}) == {"r": D("2.50")}


def test_builtins_on_lists() -> None:
    assert value("sum([0.1 EUR, 0.2 EUR])") == D("0.30")
    assert define_value("average([1, 2])") == D("1.5")
    assert value("size([true, false, true])") == 3
    assert value("abs(-5 EUR)") == D("5.00")


# ------------------------------------------------------------------ dates, durations, years


def test_date_literals_and_the_date_function() -> None:
    assert value("2024-06-30") == dt.date(2024, 6, 30)
    assert value("date(2024, 2, 29)") == dt.date(2024, 2, 29)
    assert value("date(year(2024-03-15) - 1, 6, 30)") == dt.date(2023, 6, 30)
    assert value("2024-01-01 = date(2024, 1, 1)") is True


def test_an_impossible_date_is_rejected() -> None:
    assert codes(compile_errors("policy t\n\noutput r = date(2023, 2, 29)\n")) == ["E010"]
    assert codes(compile_errors("policy t\n\noutput r = 2023-02-29\n")) == ["E010"]
    # Computed from an input, it is an error at evaluation.
    policy = compile_policy("policy t\n\ninput\n  y : year\n\noutput r = date(y, 2, 29)\n")
    assert run(policy, {"y": 2024}) == {"r": dt.date(2024, 2, 29)}
    assert run_error(policy, {"y": 2023}).code == "E506"


def test_year_month_day() -> None:
    assert value("year(2024-06-30)") == 2024 and type_of("year(2024-06-30)") == "year"
    assert value("month(2024-06-30)") == 6 and type_of("month(2024-06-30)") == "integer"
    assert value("day(2024-06-30)") == 30


@pytest.mark.parametrize("expr,expected", [
    ("2024-01-01 + 10 days", dt.date(2024, 1, 11)),
    ("2024-01-01 + 1 day", dt.date(2024, 1, 2)),
    ("2024-12-25 + 10 days", dt.date(2025, 1, 4)),
    ("2024-03-01 - 1 day", dt.date(2024, 2, 29)),
    ("2023-03-01 - 1 day", dt.date(2023, 2, 28)),
    ("2024-01-31 + 1 month", dt.date(2024, 2, 29)),  # leap year: end of February
    ("2023-01-31 + 1 month", dt.date(2023, 2, 28)),
    ("2024-01-31 + 2 months", dt.date(2024, 3, 31)),
    ("2024-03-31 - 1 month", dt.date(2024, 2, 29)),
    ("2024-11-30 + 3 months", dt.date(2025, 2, 28)),
    ("2024-02-29 + 1 year", dt.date(2025, 2, 28)),
    ("2024-02-29 + 4 years", dt.date(2028, 2, 29)),
    ("2024-01-01 + 2 years", dt.date(2026, 1, 1)),
    ("2024-06-15 - 1 year", dt.date(2023, 6, 15)),
    ("2024-01-31 + (1 month + 1 day)", dt.date(2024, 3, 1)),
    ("2024-01-01 + 2 * 3 days", dt.date(2024, 1, 7)),
])
def test_date_plus_or_minus_a_duration(expr: str, expected: dt.date) -> None:
    assert value(expr) == expected


def test_durations() -> None:
    assert value("2 * 3 days") == Duration(days=6)
    assert value("3 days + 2 months") == Duration(days=3, months=2)
    assert value("1 year") == Duration(months=12)


def test_date_minus_date_is_a_number_of_days() -> None:
    assert value("2024-03-01 - 2024-02-01") == 29
    assert value("2023-03-01 - 2023-02-01") == 28
    assert value("2024-01-01 - 2024-03-01") == -60
    assert value("2025-01-01 - 2024-01-01") == 366
    assert type_of("2024-03-01 - 2024-02-01") == "integer"


def test_between_is_inclusive() -> None:
    assert value("2024-01-01 between 2024-01-01 and 2024-06-30") is True
    assert value("2024-06-30 between 2024-01-01 and 2024-06-30") is True
    assert value("2024-07-01 between 2024-01-01 and 2024-06-30") is False
    assert value("2023-12-31 between 2024-01-01 and 2024-06-30") is False
    assert value("5 between 1 and 5") is True
    assert value("5 EUR between 1 EUR and 4.99 EUR") is False
    assert value("year(2024-01-01) between 2020 and 2024") is True


def test_comparisons_of_dates_and_years_and_year_arithmetic() -> None:
    assert value("2024-01-01 < 2024-01-02") is True
    assert value("2024-06-30 >= 2024-07-01") is False
    assert value("year(2024-01-01) >= 2023") is True
    assert value("year(2024-01-01) < year(2025-01-01)") is True
    assert value("year(2024-01-01) + 1") == 2025 and type_of("year(2024-01-01) + 1") == "year"
    assert value("1 + year(2024-01-01)") == 2025
    assert value("year(2024-01-01) - 1") == 2023 and type_of("year(2024-01-01) - 1") == "year"
    assert value("year(2024-06-30) - year(2020-01-01)") == 4
    assert type_of("year(2024-06-30) - year(2020-01-01)") == "integer"


def test_years_from_inputs() -> None:
    policy = compile_policy("""
        policy t

        input
          request_date : date
          accreditation_year : year

        define cost_year : year = year(request_date) - 1
        output recent = accreditation_year >= cost_year - 2
        output deadline = date(cost_year + 1, 6, 30)
        """)
    out = run(policy, {"request_date": "2024-03-15", "accreditation_year": 2021})
    assert out == {"recent": True, "deadline": dt.date(2024, 6, 30)}
    assert run(policy, {"request_date": "2024-03-15", "accreditation_year": 2020})["recent"] is False


# ------------------------------------------------------------------ enumerations


ENUMS = """
policy t

enum status : active, suspended, closed

input
  st : status
  practice : one of individual, group

output is_active = st = active
output not_closed = st != status.closed
output suspended_qualified = st = status.suspended
output solo = practice = individual
output grouped = practice != individual
output label : status = if practice = group then status.closed else suspended
"""


@pytest.mark.parametrize("st,practice,expected", [
    ("active", "individual", (True, True, False, True, False, "suspended")),
    ("closed", "group", (False, False, False, False, True, "closed")),
    ("suspended", "group", (False, True, True, False, True, "closed")),
])
def test_enumerations_inline_and_declared(st: str, practice: str, expected: tuple) -> None:
    policy = compile_policy(ENUMS)
    out = run(policy, {"st": st, "practice": practice})
    assert tuple(out.values()) == expected
    assert list(out) == ["is_active", "not_closed", "suspended_qualified", "solo", "grouped", "label"]


def test_an_enumeration_value_of_another_enumeration_is_a_type_error() -> None:
    errors = compile_errors("""
        policy t

        enum colour : red, blue

        input
          practice : one of individual, group

        output x = practice = colour.red
        """)
    assert codes(errors) == ["E200"]


# ------------------------------------------------------------------ parameters


PARAMETERS = """
policy t
  as of day

input
  day : date

parameter grant : money  "a grant that changes on 1 July 2023"
  from 2022-01-01: 100 EUR
  from 2023-07-01: 150 EUR

parameter share : rate
  from 2020-01-01 until 2022-12-31: 10 %
  from 2024-01-01: 20 %

output g : money = grant
output g_start_of_2023 : money = grant at date(year(day), 1, 1)
output g_fixed : money = grant at 2022-06-30
output s : rate = share
"""


@pytest.fixture(scope="module")
def parameters() -> Policy:
    return compile_policy(PARAMETERS)


@pytest.mark.parametrize("day,expected", [
    ("2022-01-01", "100"), ("2023-06-30", "100"), ("2023-07-01", "150"), ("2030-01-01", "150"),
])
def test_a_parameter_value_switches_on_its_start_date(parameters: Policy, day: str,
                                                       expected: str) -> None:
    assert run(parameters, {"day": day}, names=["g"]) == {"g": D(expected)}


def test_at_reads_a_parameter_at_another_date(parameters: Policy) -> None:
    out = run(parameters, {"day": "2024-03-01"}, names=["g", "g_start_of_2023", "g_fixed"])
    assert out == {"g": D("150"), "g_start_of_2023": D("150"), "g_fixed": D("100")}
    out = run(parameters, {"day": "2023-09-01"}, names=["g", "g_start_of_2023"])
    assert out == {"g": D("150"), "g_start_of_2023": D("100")}


def test_until_ends_a_value(parameters: Policy) -> None:
    assert run(parameters, {"day": "2022-12-31"}, names=["s"]) == {"s": D("0.1")}
    assert run(parameters, {"day": "2024-01-01"}, names=["s"]) == {"s": D("0.2")}
    diagnostic = run_error(parameters, {"day": "2023-03-15"}, names=["s"])
    assert diagnostic.code == "E400"
    assert "'share'" in diagnostic.message and "ended on 2022-12-31" in diagnostic.message


def test_asking_before_the_first_date_raises_e400(parameters: Policy) -> None:
    with pytest.raises(DiagnosticError) as caught:
        run(parameters, {"day": "2021-12-31"}, names=["g"])
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "E400"
    assert diagnostic.message == ("parameter 'grant' has no value on 2021-12-31: its first value "
                                  "applies from 2022-01-01")
    # Located at the rule that asked.
    assert (diagnostic.span.line, diagnostic.span.column) == (15, 20)  # `grant` in `output g`


def test_the_as_of_input_is_the_evaluation_date(parameters: Policy) -> None:
    values = parameters.validate({"day": "2023-08-01"})
    assert parameters.as_of(values) == dt.date(2023, 8, 1)
    result = parameters.run(values, names=["g"])
    assert result.as_of == dt.date(2023, 8, 1) and result.outputs == {"g": D("150")}
    # An explicit date wins over the input.
    result = parameters.run(values, on=dt.date(2022, 8, 1), names=["g"])
    assert result.as_of == dt.date(2022, 8, 1) and result.outputs == {"g": D("100")}
    assert parameters.unit.as_of == "day"


def test_without_as_of_the_date_is_given_or_today() -> None:
    policy = compile_policy("""
        policy t

        parameter grant : money
          from 2000-01-01: 1 EUR
          from 2099-01-01: 2 EUR

        output g : money = grant
        """)
    assert policy.unit.as_of is None
    assert policy.run({}).as_of == dt.date.today()
    assert policy.run({}, on=dt.date(2099, 1, 1)).outputs == {"g": D("2.00")}


# ------------------------------------------------------------------ indexation


INDEXED = Path(GOOD / "indexed.legis")


def test_indexed_value_is_base_times_index_ratio_rounded_to_the_cent() -> None:
    policy = Policy.load(INDEXED)
    # 4555.10 × 1.0321 / 1 = 4701.318710 → 4701.32
    assert run(policy, {"day": "2024-05-01"}, names=["ceiling_now"]) == {"ceiling_now": D("4701.32")}
    assert run(policy, {"day": "2023-05-01"}, names=["ceiling_now"]) == {"ceiling_now": D("4555.10")}
    # A value indexed from a base other than 1: 1000 × 104.5 / 102 = 1024.5098… → 1024.51
    assert run(policy, {"day": "2024-05-01"}, names=["fee_now"]) == {"fee_now": D("1024.51")}
    # `at` reads the indexed value of another date.
    assert run(policy, {"day": "2024-05-01"}, names=["ceiling_2023"]) == {"ceiling_2023": D("4555.10")}


def test_monthly_index_series() -> None:
    policy = Policy.load(INDEXED)
    # The value starts in January 2024 (index 100): February 110, April 100.5.
    assert run(policy, {"day": "2024-01-31"}, names=["monthly_now"]) == {"monthly_now": D("10.00")}
    assert run(policy, {"day": "2024-02-29"}, names=["monthly_now"]) == {"monthly_now": D("11.00")}
    assert run(policy, {"day": "2024-04-01"}, names=["monthly_now"]) == {"monthly_now": D("10.05")}


def test_an_indexed_decimal_is_not_rounded() -> None:
    policy = Policy.load(INDEXED)
    assert run(policy, {"day": "2024-05-01"}, names=["factor_now"]) == {"factor_now": D("1.54815")}


def test_a_missing_index_period_raises_e401_naming_the_series_and_period() -> None:
    policy = Policy.load(INDEXED)
    diagnostic = run_error(policy, {"day": "2025-01-01"}, names=["ceiling_now"])
    assert diagnostic.code == "E401"
    assert "'health'" in diagnostic.message and "2025" in diagnostic.message
    assert "never replaced by the last one published" in diagnostic.notes[0]
    assert "good.indexed.health=2025:VALUE" in diagnostic.hints[0]
    # A gap in a monthly series is not filled with the month before.
    diagnostic = run_error(policy, {"day": "2024-03-01"}, names=["monthly_now"])
    assert diagnostic.code == "E401"
    assert "'prices'" in diagnostic.message and "2024-03" in diagnostic.message


def test_index_overrides_fill_a_missing_period() -> None:
    policy = Policy.load(INDEXED, index_overrides={
        ("good.indexed.health", "2025"): D("1.05"),
        ("good.indexed.prices", "2024-03"): D("121"),
    })
    # 4555.10 × 1.05 = 4782.855 → 4782.86
    assert run(policy, {"day": "2025-01-01"}, names=["ceiling_now"]) == {"ceiling_now": D("4782.86")}
    assert run(policy, {"day": "2024-03-01"}, names=["monthly_now"]) == {"monthly_now": D("12.10")}
    # Periods that no override names keep their published values.
    assert run(policy, {"day": "2024-02-01"}, names=["monthly_now"]) == {"monthly_now": D("11.00")}


def test_the_bundled_index_module_and_its_base_year() -> None:
    policy = compile_policy("""
        policy t
          as of day

        use be.index

        input
          day : date

        parameter ceiling : money
          from 2023-01-01: 4555.10 EUR indexed by be.index.impulseo_brussels

        output c : money = ceiling
        """)
    assert run(policy, {"day": "2023-12-31"}) == {"c": D("4555.10")}
    assert run_error(policy, {"day": "2024-01-01"}).code == "E401"


# ------------------------------------------------------------------ modules


MODULE = """
module acme.rates
  title "Rates of Acme"

series cost_index : decimal
  source "Acme"
  period yearly
  2023: 100
  2024: 103.3

parameter base_amount : money
  from 2023-01-01: 1000 EUR indexed by cost_index

define double_base : money = base_amount * 2
"""

USES_MODULE = """
policy acme.claim
  as of day

use acme.rates
use acme.rates as r

input
  day : date

output a : money = acme.rates.base_amount
output b : money = r.double_base
"""


def _write_module_tree(root: Path) -> Path:
    (root / "acme").mkdir(parents=True)
    (root / "acme" / "rates.legis").write_text(MODULE, encoding="utf-8")
    policy = root / "claim.legis"
    policy.write_text(USES_MODULE, encoding="utf-8")
    return policy


def test_use_with_qualified_names_and_alias_via_pyproject(tmp_path: Path) -> None:
    policy_path = _write_module_tree(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.legiste]\nmodules = ["."]\n', encoding="utf-8")
    policy = Policy.load(policy_path)
    assert set(policy.program.units) == {"acme.claim", "acme.rates"}
    assert run(policy, {"day": "2023-06-01"}) == {"a": D("1000.00"), "b": D("2000.00")}
    # The module's parameter is indexed at the policy's date: 1000 × 103.3 / 100.
    assert run(policy, {"day": "2024-06-01"}) == {"a": D("1033.00"), "b": D("2066.00")}


def test_use_through_legiste_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    modules = tmp_path / "lib"
    _write_module_tree(modules)
    policy_path = modules / "claim.legis"
    # The policy sits outside any pyproject.toml with [tool.legiste]: only LEGISTE_PATH finds it.
    with pytest.raises(DiagnosticError) as caught:
        Policy.load(policy_path)
    assert "E102" in codes(caught.value.diagnostics)
    monkeypatch.setenv("LEGISTE_PATH", str(modules))
    policy = Policy.load(policy_path)
    assert run(policy, {"day": "2024-06-01"}) == {"a": D("1033.00"), "b": D("2066.00")}


def test_an_enumeration_of_a_used_module(tmp_path: Path) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "tiers.legis").write_text("module acme.tiers\n\nenum tier : low, high\n",
                                                   encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.legiste]\nmodules = ["."]\n', encoding="utf-8")
    path = tmp_path / "p.legis"
    path.write_text("policy p\n\nuse acme.tiers as r\n\ninput\n  t : r.tier\n\n"
                    "output hi = t = r.tier.high\n", encoding="utf-8")
    policy = Policy.load(path)
    assert run(policy, {"t": "high"}) == {"hi": True}


# ------------------------------------------------------------------ types of outputs


def test_outputs_have_their_declared_types() -> None:
    policy = compile_policy("""
        policy t

        input
          d : date

        output m : money = 1 EUR
        output r : rate = 3 - 2
        output x : decimal = 2
        output y : year = year(d)
        output n = 2 + 3
        output b = d > 2024-01-01
        output later = d + 1 month
        output label = "text"
        """)
    types = {d.name: d.type.kind for d in policy.unit.outputs}
    assert types == {"m": "money", "r": "rate", "x": "decimal", "y": "year", "n": "integer",
                     "b": "boolean", "later": "date", "label": "text"}
    out = run(policy, {"d": "2024-01-31"})
    assert out == {"m": D("1.00"), "r": D(1), "x": D(2), "y": 2024, "n": 5, "b": True,
                   "later": dt.date(2024, 2, 29), "label": "text"}
    # A whole number declared decimal or rate is computed as a Decimal (a plain literal
    # `1` where a rate is declared is E201: "did you mean 1 %?"; `3 - 2` is arithmetic).
    assert isinstance(out["r"], Decimal) and isinstance(out["x"], Decimal)
    assert isinstance(out["n"], int) and isinstance(out["m"], Decimal)
    result = policy.run(policy.validate({"d": "2024-01-31"}))
    assert result.to_json()["outputs"] == {"m": "1.00", "r": "1", "x": "2", "y": 2024, "n": 5,
                                           "b": True, "later": "2024-02-29", "label": "text"}


def test_values_as_json_and_as_displayed() -> None:
    assert to_json(D("4555.095"), MONEY) == "4555.10"
    assert to_json(D("0.2"), RATE) == "0.2"
    assert to_json(dt.date(2024, 6, 30), DATE) == "2024-06-30"
    assert to_json((D("1"), D("2.5")), list_of(MONEY)) == ["1.00", "2.50"]
    assert display(D("4555.1"), MONEY) == "4555.10 EUR"
    assert display(D("4555.095"), MONEY) == "4555.095 EUR"  # an exact amount is shown exactly
    assert display(D("0.2"), RATE) == "20 %"
    assert display(True, BOOLEAN) == "true"
    assert display(D("3.50"), DECIMAL) == "3.50"
    # A whole number where a decimal or a rate is declared (`if c then 1 else 2.5`).
    assert display(1, DECIMAL) == "1" and display(1, RATE) == "100 %"


# ------------------------------------------------------------------ records and comprehensions


def test_records_and_list_comprehensions() -> None:
    policy = compile_policy("""
        policy t

        record member "a GP of the group"
          name : text
          dmg : integer, at least 0
          accredited : boolean

        input
          members : list of member

        define accredited_dmg = [m.dmg for each m in members where m.accredited]
        output n = size(accredited_dmg)
        output average_dmg = if n > 0 then average(accredited_dmg) else 0
        output all_above = all of [m.dmg >= 100 for each m in members]
        """)
    members = [{"name": "a", "dmg": 100, "accredited": True},
               {"name": "b", "dmg": 51, "accredited": True},
               {"name": "c", "dmg": 500, "accredited": False}]
    assert run(policy, {"members": members}) == {"n": 2, "average_dmg": D("75.5"), "all_above": False}
    assert run(policy, {"members": []}) == {"n": 0, "average_dmg": D(0), "all_above": True}


# ------------------------------------------------------------------ policies of tests/cases/good


GOOD_POLICIES = sorted(GOOD.glob("*.legis"))


@pytest.mark.parametrize("path", GOOD_POLICIES, ids=lambda p: p.name)
def test_good_policies_compile_without_diagnostics_and_their_examples_pass(path: Path) -> None:
    policy = Policy.load(path)
    assert policy.warnings == []
    results = run_examples(policy)
    assert results, "a good policy states at least one example"
    failed = [(r.example.name, r.mismatches, [d.message for d in r.diagnostics])
              for r in results if not r.passed]
    assert failed == []


def test_the_all_constructs_policy() -> None:
    policy = Policy.load(GOOD / "all_constructs.legis")
    base = {"request_date": "2024-03-15", "costs_paid": "9110.19", "practice": "individual",
            "dmg_count": 800, "recently_accredited": False, "criteria": [True]}
    out = run(policy, base)
    # half = 4555.095, rounded down to 4555.09, under the ceiling 4555.10.
    assert out == {"intervention": D("4555.09"), "extra": D("150.00")}
    assert run(policy, base, names=["half", "cost_year", "file_status", "per_practice"]) == {
        "half": D("4555.095"), "cost_year": 2023, "file_status": "active",
        "per_practice": D("4555.10")}
    assert run(policy, dict(base, costs_paid="20000"))["intervention"] == D("4555.10")
    assert run(policy, dict(base, dmg_count=0), names=["file_status"]) == {"file_status": "suspended"}
    assert run(policy, dict(base, dmg_count=10))["intervention"] == D("0.00")
