"""The type and unit tables (legiste.compiler.ir.types) and the checker's unit errors in a policy."""

from __future__ import annotations

import pytest

from legiste.compiler.ir.types import (BOOLEAN, DATE, DECIMAL, DURATION, INTEGER, MONEY, RATE, TEXT, YEAR,
                            Type, arithmetic, assignable, comparable, list_of, unify)
from helpers import codes, compile_errors, type_of

COLOURS = Type("enum", "colour", ("red", "blue"))
SIZES = Type("enum", "size", ("small", "large"))


# ------------------------------------------------------------------ arithmetic


@pytest.mark.parametrize("op,left,right,result", [
    ("+", MONEY, MONEY, MONEY),
    ("-", MONEY, MONEY, MONEY),
    ("*", MONEY, RATE, MONEY),
    ("*", RATE, MONEY, MONEY),
    ("*", MONEY, INTEGER, MONEY),
    ("*", INTEGER, MONEY, MONEY),
    ("*", MONEY, DECIMAL, MONEY),
    ("/", MONEY, INTEGER, MONEY),
    ("/", MONEY, DECIMAL, MONEY),
    ("/", MONEY, MONEY, DECIMAL),
    ("+", DATE, DURATION, DATE),
    ("+", DURATION, DATE, DATE),
    ("-", DATE, DURATION, DATE),
    ("-", DATE, DATE, INTEGER),
    ("+", YEAR, INTEGER, YEAR),
    ("+", INTEGER, YEAR, YEAR),
    ("-", YEAR, INTEGER, YEAR),
    ("-", YEAR, YEAR, INTEGER),
    ("+", DURATION, DURATION, DURATION),
    ("*", DURATION, INTEGER, DURATION),
    ("*", INTEGER, DURATION, DURATION),
    ("+", INTEGER, INTEGER, INTEGER),
    ("*", INTEGER, INTEGER, INTEGER),
    ("/", INTEGER, INTEGER, DECIMAL),
    ("+", INTEGER, DECIMAL, DECIMAL),
    ("*", RATE, RATE, RATE),
    ("*", INTEGER, RATE, DECIMAL),
])
def test_arithmetic_results(op: str, left: Type, right: Type, result: Type) -> None:
    found, impl = arithmetic(op, left, right)
    assert found == result
    assert impl


@pytest.mark.parametrize("op,left,right,hint", [
    ("*", MONEY, MONEY, "an amount times an amount"),
    ("+", DATE, MONEY, "a date can only be moved by a duration"),
    ("+", MONEY, DATE, "a date can only be moved by a duration"),
    ("-", DATE, MONEY, "a date can only be moved by a duration"),
    ("+", MONEY, INTEGER, "100 EUR"),
    ("-", MONEY, DECIMAL, "100.50 EUR"),
    ("+", DATE, INTEGER, "30 days"),
    ("+", DATE, DATE, ""),
    ("/", MONEY, DATE, ""),
    ("+", BOOLEAN, BOOLEAN, ""),
    ("+", TEXT, TEXT, ""),
    ("*", YEAR, INTEGER, ""),
    ("/", INTEGER, MONEY, ""),
    ("-", DURATION, DATE, ""),
])
def test_arithmetic_errors_and_their_hints(op: str, left: Type, right: Type, hint: str) -> None:
    found, message = arithmetic(op, left, right)
    assert found is None
    assert hint in message
    if hint:
        assert message


def test_date_plus_duration_uses_calendar_arithmetic() -> None:
    assert arithmetic("+", DATE, DURATION) == (DATE, "date+dur")
    assert arithmetic("-", DATE, DATE) == (INTEGER, "date-date")


# ------------------------------------------------------------------ comparisons


@pytest.mark.parametrize("op,left,right,ok", [
    ("<", MONEY, MONEY, True),
    ("<", MONEY, INTEGER, False),
    ("=", MONEY, INTEGER, False),
    ("<=", DATE, DATE, True),
    ("<", DATE, MONEY, False),
    (">=", YEAR, INTEGER, True),
    (">=", INTEGER, YEAR, True),
    ("<", YEAR, YEAR, True),
    ("<", INTEGER, DECIMAL, True),
    ("<", RATE, DECIMAL, True),
    ("=", BOOLEAN, BOOLEAN, True),
    ("<", BOOLEAN, BOOLEAN, False),
    ("=", TEXT, TEXT, True),
    ("<", TEXT, TEXT, False),
    ("=", COLOURS, COLOURS, True),
    ("!=", COLOURS, COLOURS, True),
    ("=", COLOURS, SIZES, False),
    ("<", COLOURS, COLOURS, False),
    ("=", COLOURS, TEXT, False),
    ("=", list_of(BOOLEAN), list_of(BOOLEAN), False),
    ("<", DURATION, DURATION, False),
])
def test_comparable(op: str, left: Type, right: Type, ok: bool) -> None:
    assert comparable(op, left, right) is ok


# ------------------------------------------------------------------ assignment and unification


@pytest.mark.parametrize("value,target,ok", [
    (MONEY, MONEY, True),
    (INTEGER, MONEY, False),
    (DECIMAL, MONEY, False),
    (MONEY, DECIMAL, False),
    (INTEGER, DECIMAL, True),
    (RATE, DECIMAL, True),
    (INTEGER, RATE, True),
    (DECIMAL, RATE, True),
    (INTEGER, YEAR, True),
    (YEAR, INTEGER, False),
    (DECIMAL, INTEGER, False),
    (DATE, YEAR, False),
    (COLOURS, COLOURS, True),
    (COLOURS, SIZES, False),
    (list_of(INTEGER), list_of(DECIMAL), True),
    (list_of(DECIMAL), list_of(INTEGER), False),
    (Type("list"), list_of(MONEY), True),  # the empty list `[]`
    (list_of(BOOLEAN), BOOLEAN, False),
])
def test_assignable(value: Type, target: Type, ok: bool) -> None:
    assert assignable(value, target) is ok


def test_unify() -> None:
    assert unify(INTEGER, DECIMAL) == DECIMAL
    assert unify(DECIMAL, INTEGER) == DECIMAL
    assert unify(MONEY, MONEY) == MONEY
    assert unify(MONEY, INTEGER) is None
    assert unify(INTEGER, YEAR) == YEAR
    assert unify(DATE, TEXT) is None


def test_type_names() -> None:
    assert str(list_of(list_of(MONEY))) == "list of list of money"
    assert str(COLOURS) == "colour (one of red, blue)" and COLOURS.short == "colour"


# ------------------------------------------------------------------ the checker in a policy


def test_types_given_by_the_checker() -> None:
    assert type_of("1 EUR + 2 EUR") == "money"
    assert type_of("1 EUR * 20 %") == "money"
    assert type_of("4 EUR / 2 EUR") == "decimal"
    assert type_of("2024-01-01 + 1 month") == "date"
    assert type_of("2024-01-01 - 2023-01-01") == "integer"
    assert type_of("year(2024-01-01) - 1") == "year"
    assert type_of("year(2024-01-01) - year(2023-01-01)") == "integer"
    assert type_of("20 %") == "rate"
    assert type_of("1.5") == "decimal" and type_of("15") == "integer"
    assert type_of("3 days") == "duration"


@pytest.mark.parametrize("rule,message", [
    ("output x : money = 10 EUR * 10 EUR", "cannot compute money * money"),
    ("output x = 2024-01-01 + 10 EUR", "cannot compute date + money"),
    ("output x : money = 10 EUR + 1", "cannot compute money + integer"),
    ("output x = 10 EUR > 0", "cannot compare money with integer using >"),
    ("output x = 2024-01-01 + 30", "cannot compute date + integer"),
    ("output x : money = 5", "'x' is declared money but its rule gives integer"),
    ("output x : integer = 5 EUR", "'x' is declared integer but its rule gives money"),
])
def test_unit_mismatches_are_e201(rule: str, message: str) -> None:
    errors = compile_errors(f"policy t\n\n{rule}\n")
    assert codes(errors) == ["E201"]
    assert errors[0].message == message


def test_unit_mismatch_hints_and_location() -> None:
    [error] = compile_errors("policy t\n\ninput\n  costs : money\n\noutput x : money = costs * costs\n")
    assert error.code == "E201"
    assert error.span.line == 6 and error.span.column == 20
    assert any("multiply an amount by a number or a rate" in h for h in error.hints)
    [error] = compile_errors("policy t\n\ninput\n  costs : money\n\noutput x = costs > 0\n")
    assert error.hints == ("write the number as an amount, e.g. 0 EUR",)


def test_unit_mismatch_in_a_bound_and_an_example() -> None:
    errors = compile_errors("""
        policy t

        input
          costs : money, at least 0

        output x : money = costs

        example "e"
          given costs = 10
          expect x = 10 EUR
        """)
    assert codes(errors) == ["E201", "E201"]
    assert "the bound must be money, not integer" in errors[0].message


@pytest.mark.parametrize("rule,code", [
    ("output x = true + 1", "E200"),
    ('output x = if true then 1 EUR else "a"', "E200"),
    ("output x = not 1", "E200"),
    ("output x = all of [1, true]", "E200"),
    ("output x = count of 3", "E200"),
    ("output x = min(true, false)", "E202"),
    ("output x = round(2024-01-01)", "E202"),
    ("output x = nothing(1)", "E202"),
    ("output x = year(2024)", "E202"),
])
def test_other_type_errors(rule: str, code: str) -> None:
    assert codes(compile_errors(f"policy t\n\n{rule}\n")) == [code]


def test_one_mistake_gives_one_message() -> None:
    # The wrong product is reported once; the rules that use it are not reported again.
    errors = compile_errors("""
        policy t

        define a : money = 1 EUR * 1 EUR
        define b = a + 1 EUR
        output c : money = b * 2
        """)
    assert codes(errors) == ["E201"]


def test_an_invariant_on_a_wrong_rule_is_not_reported_again() -> None:
    errors = compile_errors("""
        policy t

        input
          costs : money

        output x : money = costs * costs
        invariant monotone x in costs
        """)
    assert codes(errors) == ["E201"]


def test_which_mismatch_is_a_unit_mismatch_is_in_the_type_table() -> None:
    """E201 (unit mismatch) rather than E200: an amount wherever a value, a comparison or a
    computation is wrong; a date or a duration in a comparison or a computation; a year in
    a computation. The checker asks the table (ir.kinds.mismatch_code), never the kinds."""
    from pathlib import Path

    from legiste.compiler.ir.kinds import KINDS, NUMBER_KINDS, mismatch_code
    from legiste.compiler.ir.types import Type

    assert {where: sorted(k for k in KINDS if mismatch_code(where, Type(k), Type("text")) == "E201")
            for where in ("value", "compare", "compute")} == {
        "value": ["money"], "compare": ["date", "duration", "money"],
        "compute": ["date", "duration", "money", "year"]}
    assert mismatch_code("compute", Type("integer"), Type("boolean")) == "E200"
    assert NUMBER_KINDS == {"integer", "decimal", "rate", "money"}
    assert [k for k in KINDS if KINDS[k].indexable] == ["money", "decimal"]
    checking = Path(__file__).resolve().parent.parent / "legiste" / "compiler" / "checking"
    for path in checking.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert '"E201" if' not in text and '| {"money"}' not in text, path.name
