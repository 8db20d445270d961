"""Types and units of Légiste values, and the rules that combine them.

`money` is an exact amount in EUR; `rate` a fraction written with `%`; `year` a
calendar year; `duration` a number of days, months or years. The arithmetic table
here is the single place that decides, for example, that money × rate is money and
money × money is an error.
"""

from __future__ import annotations

from typing import Any

from attrs import field, frozen


@frozen
class Type:
    kind: str  # boolean integer decimal money rate date year duration text enum record list
    name: str | None = None  # enumeration or record name
    members: tuple[str, ...] = ()  # enumeration values
    element: "Type | None" = None  # list element
    fields: tuple[tuple[str, "Type"], ...] = ()  # record fields, in declaration order
    # (field, minimum, maximum) of record fields; not part of the type's identity
    bounds: tuple[tuple[str, Any, Any], ...] = field(default=(), eq=False, repr=False)

    def __str__(self) -> str:
        if self.kind == "list":
            return f"list of {self.element.short if self.element else 'values'}"
        if self.kind == "enum":
            return f"{self.name} (one of {', '.join(self.members)})"
        if self.kind == "record":
            return f"record {self.name}"
        return self.kind

    @property
    def short(self) -> str:
        if self.kind in ("enum", "record"):
            return str(self.name)
        return str(self)

    def field_type(self, name: str) -> "Type | None":
        return dict(self.fields).get(name)


BOOLEAN = Type("boolean")
INTEGER = Type("integer")
DECIMAL = Type("decimal")
MONEY = Type("money")
RATE = Type("rate")
DATE = Type("date")
YEAR = Type("year")
DURATION = Type("duration")
TEXT = Type("text")

SCALARS = {t.kind: t for t in (BOOLEAN, INTEGER, DECIMAL, MONEY, RATE, DATE, YEAR, DURATION, TEXT)}
NUMERIC = {"integer", "decimal", "rate"}
ORDERED = NUMERIC | {"money", "date", "year"}


def list_of(element: Type) -> Type:
    return Type("list", element=element)


def _numeric_result(a: Type, b: Type) -> Type:
    if a.kind == b.kind:
        return a
    if "decimal" in (a.kind, b.kind) or {a.kind, b.kind} == {"integer", "rate"}:
        return DECIMAL
    return DECIMAL


# (operator, left kind, right kind) -> (result kind, implementation key)
_ARITH: dict[tuple[str, str, str], tuple[str, str]] = {
    ("+", "money", "money"): ("money", "num"),
    ("-", "money", "money"): ("money", "num"),
    ("*", "money", "integer"): ("money", "num"),
    ("*", "money", "decimal"): ("money", "num"),
    ("*", "money", "rate"): ("money", "num"),
    ("*", "integer", "money"): ("money", "num"),
    ("*", "decimal", "money"): ("money", "num"),
    ("*", "rate", "money"): ("money", "num"),
    ("/", "money", "integer"): ("money", "num"),
    ("/", "money", "decimal"): ("money", "num"),
    ("/", "money", "rate"): ("money", "num"),
    ("/", "money", "money"): ("decimal", "num"),
    ("+", "date", "duration"): ("date", "date+dur"),
    ("+", "duration", "date"): ("date", "dur+date"),
    ("-", "date", "duration"): ("date", "date-dur"),
    ("-", "date", "date"): ("integer", "date-date"),
    ("+", "year", "integer"): ("year", "num"),
    ("+", "integer", "year"): ("year", "num"),
    ("-", "year", "integer"): ("year", "num"),
    ("-", "year", "year"): ("integer", "num"),
    ("+", "duration", "duration"): ("duration", "dur+dur"),
    ("*", "duration", "integer"): ("duration", "dur*int"),
    ("*", "integer", "duration"): ("duration", "int*dur"),
}

_UNIT_HINTS = {
    ("*", "money", "money"): "an amount times an amount has no meaning in EUR; "
                             "multiply an amount by a number or a rate (e.g. 50 %)",
    ("+", "date", "money"): "a date can only be moved by a duration (e.g. 60 days)",
    ("+", "money", "date"): "a date can only be moved by a duration (e.g. 60 days)",
    ("-", "date", "money"): "a date can only be moved by a duration (e.g. 60 days)",
    ("+", "money", "integer"): "write the number as an amount: 100 EUR",
    ("-", "money", "integer"): "write the number as an amount: 100 EUR",
    ("+", "money", "decimal"): "write the number as an amount: 100.50 EUR",
    ("-", "money", "decimal"): "write the number as an amount: 100.50 EUR",
    ("+", "date", "integer"): "write the number with its unit: 30 days",
    ("-", "date", "integer"): "write the number with its unit: 30 days",
}


def arithmetic(op: str, a: Type, b: Type) -> tuple[Type, str] | tuple[None, str]:
    """The result type and implementation key of `a op b`, or (None, hint)."""
    if a.kind in NUMERIC and b.kind in NUMERIC:
        if op == "/":
            return DECIMAL if not (a.kind == b.kind == "rate") else DECIMAL, "num"
        return _numeric_result(a, b), "num"
    found = _ARITH.get((op, a.kind, b.kind))
    if found:
        return SCALARS[found[0]], found[1]
    return None, _UNIT_HINTS.get((op, a.kind, b.kind), "")


def comparable(op: str, a: Type, b: Type) -> bool:
    """Whether `a op b` is a meaningful comparison."""
    if op in ("=", "!="):
        if a.kind == "enum" or b.kind == "enum":
            return a == b
        if a.kind == "list" or b.kind == "list":
            return False
    else:
        if a.kind not in ORDERED or b.kind not in ORDERED:
            return False
    if a.kind in NUMERIC and b.kind in NUMERIC:
        return True
    if {a.kind, b.kind} == {"year", "integer"}:
        return True
    return a.kind == b.kind


def assignable(value: Type, target: Type) -> bool:
    """Whether a value of type `value` may stand where `target` is declared."""
    if value == target:
        return True
    if target.kind == "decimal" and value.kind in ("integer", "rate"):
        return True
    if target.kind == "rate" and value.kind in ("integer", "decimal"):
        return True
    if target.kind == "year" and value.kind == "integer":
        return True
    if target.kind == "list" and value.kind == "list":
        return value.element is None or assignable(value.element, target.element)  # type: ignore[arg-type]
    return False


def unify(a: Type, b: Type) -> Type | None:
    """The common type of two branches (if/first of), or None."""
    if assignable(a, b):
        return b
    if assignable(b, a):
        return a
    if a.kind in NUMERIC and b.kind in NUMERIC:
        return DECIMAL
    return None
