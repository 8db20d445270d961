"""Runtime values: exact money, rounding, durations and calendar arithmetic.

Money is a `Decimal` in EUR and is only rounded where a rule says so (or at an
output, half up to the cent, recorded in the explanation). No float is ever built.
Sums, differences and products are exact or an error: they are computed in EXACT, which
traps Inexact, so a result of more than 28 significant digits is refused (E404), never
rounded. A quotient is the one result rounded by the arithmetic itself (to 28 digits),
since 1 / 3 has no exact decimal; the rules round it explicitly where the law says.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from attrs import frozen

from legiste.compiler.ir.types import Type
from legiste.compiler.runtime.numbers import (_CEILING, _CENT, _CONTEXT, _EXACT, _FLOOR, _HALF_UP,
                                             _money, _round_to, _text, _to_cent, _xsum)

CENT = _CENT
ROUNDING = {"half_up": _HALF_UP, "down": _FLOOR, "up": _CEILING}
EXACT = _EXACT
exact_sum = _xsum
money = _money  # an output amount: half up to the cent


@frozen
class Duration:
    """A calendar duration. Months and years are added to dates month by month,
    clamping to the last day of the month (31 January + 1 month = 28/29 February)."""

    days: int = 0
    months: int = 0

    def __str__(self) -> str:
        parts = []
        if self.months:
            years, months = divmod(self.months, 12)
            if years and not months:
                parts.append(f"{years} year{'s' if years != 1 else ''}")
            else:
                parts.append(f"{self.months} month{'s' if self.months != 1 else ''}")
        if self.days or not parts:
            parts.append(f"{self.days} day{'s' if self.days != 1 else ''}")
        return " ".join(parts)

    def __add__(self, other: "Duration") -> "Duration":
        return Duration(self.days + other.days, self.months + other.months)

    def __mul__(self, k: int) -> "Duration":
        return Duration(self.days * k, self.months * k)


def add_duration(date: dt.date, d: Duration, sign: int = 1) -> dt.date:
    """`date ± d`: months first (clamped to the month's end), then days."""
    if d.months:
        total = date.year * 12 + (date.month - 1) + sign * d.months
        year, month0 = divmod(total, 12)
        last = calendar.monthrange(year, month0 + 1)[1]
        date = dt.date(year, month0 + 1, min(date.day, last))
    return date + dt.timedelta(days=sign * d.days)


def round_to(value: Decimal, step: Decimal, mode: str) -> Decimal:
    """Round to a multiple of `step` (0.01 for cents) with an explicit mode."""
    return _round_to(value, step, ROUNDING[mode], None)


def to_json(value: Any, type: Type) -> Any:
    """A value as JSON: money and decimals as strings, dates in ISO form."""
    kind = type.kind
    if kind == "money":
        return str(_to_cent(value))
    if kind in ("decimal", "rate"):
        return f"{Decimal(value):f}"  # never an exponent: "1000", not "1.00E+3"
    if kind == "date":
        return value.isoformat()
    if kind == "duration":
        return str(value)
    if kind == "list":
        return [to_json(v, type.element) for v in value]  # type: ignore[arg-type]
    if kind == "record":
        return {name: to_json(value[name], t) for name, t in type.fields}
    return value


def display(value: Any, type: Type) -> str:
    """A value as an analyst reads it: `4555.10 EUR`, `20 %`, `2024-06-30`."""
    kind = type.kind
    if kind in ("money", "decimal", "rate") and isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)  # a whole number standing where a decimal is declared
    if kind == "money":
        return f"{_text(_to_cent(value) if value == _to_cent(value) else value)} EUR"
    if kind == "rate":
        return f"{_CONTEXT.multiply(value, 100).normalize(_CONTEXT):f} %"
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "date":
        return value.isoformat()
    if kind == "list":
        return "[" + ", ".join(display(v, type.element) for v in value) + "]"  # type: ignore[arg-type]
    if kind == "record":
        return "{" + ", ".join(f"{n}: {display(value[n], t)}" for n, t in type.fields) + "}"
    if kind == "decimal":
        return f"{value.normalize(_CONTEXT):f}" if value == value.to_integral_value(context=_CONTEXT) \
            else _text(value)
    return str(value)
