"""The built-in functions, in one registry: signature, implementation and doc text.

A new function is one entry here; the type checker, the interpreter and the
documentation all read this table.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

from attrs import frozen

from legiste.compiler.ir.types import DATE, INTEGER, NUMERIC, ORDERED, YEAR, Type, unify
from legiste.compiler.runtime.values import exact_sum, round_to


class BuiltinError(Exception):
    """A run-time failure of a builtin (an impossible date, an empty average)."""

    def __init__(self, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


@frozen
class Builtin:
    name: str
    doc: str
    check: Callable[[list[Type]], Type | str]  # result type, or why the call is wrong
    impl: Callable[..., Any]


def _same_ordered(types: list[Type]) -> Type | str:
    if len(types) < 2:
        return "takes at least two values"
    result: Type | None = types[0]
    for t in types:
        if t.kind not in ORDERED:
            return f"compares amounts, numbers, dates or years, not {t}"
        result = unify(result, t) if result else None
    return result if result else "needs values of the same type (" + ", ".join(map(str, types)) + ")"


def _rounding(types: list[Type]) -> Type | str:
    if len(types) not in (1, 2):
        return "takes a value and, optionally, the step to round to (e.g. 1 EUR)"
    if types[0].kind not in ("money", "decimal", "rate"):
        return f"rounds an amount or a decimal, not {types[0]}"
    if len(types) == 2 and not (types[1] == types[0] or types[1].kind in NUMERIC):
        return "the step must have the type of the value"
    return types[0]


def _round(mode: str) -> Callable[..., Decimal]:
    # The type checker always passes the step: 0.01 for an amount, 1 otherwise.
    def impl(value: Decimal, step: Decimal | int) -> Decimal:
        if not step:
            raise BuiltinError("E402", "cannot round to a step of 0",
                               "round to a positive step, e.g. 1 EUR or 0.01")
        return round_to(value, Decimal(step), mode)
    return impl


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        raise BuiltinError("E506", f"date({year}, {month}, {day}) does not exist",
                           "check the day against the month's length") from None


def _date_check(types: list[Type]) -> Type | str:
    if len(types) != 3:
        return "takes a year, a month and a day: date(2024, 6, 30)"
    if types[0].kind not in ("year", "integer") or types[1] != INTEGER or types[2] != INTEGER:
        return "takes a year, a month and a day as whole numbers"
    return DATE


def _of_date(result: Type) -> Callable[[list[Type]], Type | str]:
    def check(types: list[Type]) -> Type | str:
        if len(types) != 1 or types[0] != DATE:
            return "takes one date"
        return result
    return check


def _list_numeric(types: list[Type]) -> Type | str:
    if len(types) != 1 or types[0].kind != "list" or types[0].element is None \
            or types[0].element.kind not in NUMERIC | {"money"}:
        return "takes one list of numbers or amounts"
    element = types[0].element
    return element if element.kind == "money" else Type("decimal")


def _size_check(types: list[Type]) -> Type | str:
    if len(types) != 1 or types[0].kind != "list":
        return "takes one list"
    return INTEGER


def _average(values: tuple[Decimal, ...]) -> Decimal:
    if not values:
        raise BuiltinError("E402", "the average of an empty list is undefined",
                           "guard the rule with `size(list) > 0`")
    return exact_sum(values) / len(values)


def _abs_check(types: list[Type]) -> Type | str:
    if len(types) != 1 or types[0].kind not in NUMERIC | {"money"}:
        return "takes one number or amount"
    return types[0]


BUILTINS: dict[str, Builtin] = {b.name: b for b in [
    Builtin("min", "The smallest of its arguments.", _same_ordered, min),
    Builtin("max", "The largest of its arguments.", _same_ordered, max),
    Builtin("round", "Round half up, to the cent for an amount (or to the given step).",
            _rounding, _round("half_up")),
    Builtin("round_down", "Round down (towards minus infinity), to the cent or the given step.",
            _rounding, _round("down")),
    Builtin("round_up", "Round up (towards plus infinity), to the cent or the given step.",
            _rounding, _round("up")),
    Builtin("date", "The date of a year, month and day; an impossible date is an error.",
            _date_check, _date),
    Builtin("year", "The year of a date.", _of_date(YEAR), lambda d: d.year),
    Builtin("month", "The month of a date (1–12).", _of_date(INTEGER), lambda d: d.month),
    Builtin("day", "The day of the month of a date.", _of_date(INTEGER), lambda d: d.day),
    Builtin("abs", "The absolute value.", _abs_check, abs),
    Builtin("size", "The number of elements of a list.", _size_check, len),
    Builtin("sum", "The sum of a list of numbers or amounts.", _list_numeric,
            exact_sum),
    Builtin("average", "The mean of a non-empty list of numbers or amounts.", _list_numeric,
            _average),
]}
