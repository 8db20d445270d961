"""Types as data: one table entry per type kind, holding everything a consumer asks of a
kind's values: how an analyst reads one, its JSON form, its Légiste literal, the input
converter, the words an input error uses for what is expected, and its JSON Schema.

Pipeline stage: IR (shared by every stage after type checking). The functions named
here live in compiler/runtime/ (forms.py, conversions.py, durations.py: standard library
only), so that the generator can write their names into a generated module, which holds
their text. Lists, records and enumerations are built of other types: their entry gives
what does not depend on the parts, and `display`, `to_json`, `literal` below follow the
parts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from attrs import frozen

from legiste.compiler.ir.types import Type
from legiste.compiler.runtime import conversions as cv, forms as fm
from legiste.compiler.runtime.durations import _c_duration

_DECIMAL_TEXT = r"^-?\d+(\.\d+)?$"
_CENT = Decimal("0.01")


@frozen
class TypeKind:
    """What a kind of value is written as, read from, and described by.

    `display`, `to_json`, `literal` and `convert` are runtime functions of one value
    (`convert` None for the kinds whose converter takes the type's parts); `expected` is
    how an input error says what it expects; `schema_in` / `schema_out` the JSON Schema of
    one value given as input / produced as output (None: built from the type's parts);
    `decimal`: its values are Decimals (sums, differences and products exact in _EXACT,
    quotients and negations in _CONTEXT; a whole number standing for one is made one);
    `whole`: its values are Python ints; `round_step`: the step of `round(x)` and its
    kin written without one (the cent for an amount, a whole percent for a rate);
    `number`: a number or an amount (negated, summed, averaged, `abs`); `indexable`: a
    parameter of it may be `indexed by` a series; `unit_in`: the mismatches in which
    the kind is a unit, so that the checker reports them as E201 (unit mismatch) rather
    than E200 (see `mismatch_code`)."""

    name: str
    display: Callable[[Any], str]
    to_json: Callable[[Any], Any]
    literal: Callable[[Any], str]
    convert: Callable[[Any], Any] | None
    expected: str
    schema_in: dict[str, Any] | None
    schema_out: dict[str, Any] | None
    decimal: bool = False
    whole: bool = False
    round_step: Decimal = Decimal(1)
    number: bool = False
    indexable: bool = False
    unit_in: frozenset[str] = frozenset()


def _numeric(description: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    text: dict[str, Any] = {"type": "string", "pattern": _DECIMAL_TEXT}
    if description:
        text["description"] = description
    return {"anyOf": [text, {"type": "number"}]}, text


_MONEY_TEXT = {"type": "string", "pattern": r"^-?\d+(\.\d{1,2})?$", "description": "amount in EUR"}
_YEAR = {"type": "integer", "minimum": 1000, "maximum": 9999}
_DURATION = {"type": "string", "pattern": r"^\d+ (day|days|month|months|year|years)$"}
# Where a kind is a unit (TypeKind.unit_in): an amount everywhere (a value declared as one
# or given for one, a comparison, a computation); a date and a duration in comparisons and
# computations; a year in computations (year + 1 EUR).
_MISMATCHES = frozenset({"value", "compare", "compute"})
_MOVED = frozenset({"compare", "compute"})

KINDS: dict[str, TypeKind] = {k.name: k for k in [
    TypeKind("boolean", fm._display_boolean, fm._j_same, fm._display_boolean, cv._c_boolean,
             "true or false", {"type": "boolean"}, {"type": "boolean"}),
    TypeKind("integer", fm._display_str, fm._j_same, fm._display_str, cv._c_integer,
             "a whole number, e.g. 150", {"type": "integer"}, {"type": "integer"}, whole=True,
             number=True),
    TypeKind("year", fm._display_str, fm._j_same, fm._display_str, cv._c_year,
             "a year, e.g. 2023", _YEAR, _YEAR, whole=True, unit_in=frozenset({"compute"})),
    TypeKind("money", fm._display_money, fm._j_money, fm._lit_money, cv._c_money,
             'an amount in EUR, e.g. "6000.00"',
             {"anyOf": [_MONEY_TEXT, {"type": "number", "multipleOf": 0.01}]}, _MONEY_TEXT, True,
             round_step=_CENT, number=True, indexable=True, unit_in=_MISMATCHES),
    TypeKind("decimal", fm._display_decimal, fm._j_decimal, fm._lit_decimal, cv._c_decimal,
             'a number, e.g. 1.5 or "1.5"', *_numeric(None), True, number=True,
             indexable=True),
    TypeKind("rate", fm._display_rate, fm._j_decimal, fm._lit_rate, cv._c_rate,
             'a rate, e.g. "20 %" or 0.2', *_numeric("a fraction (0.2 = 20 %)"), True,
             round_step=_CENT, number=True),
    TypeKind("date", fm._display_date, fm._j_date, fm._display_date, cv._c_date,
             'a date, e.g. "2024-03-15"', {"type": "string", "format": "date"},
             {"type": "string", "format": "date"}, unit_in=_MOVED),
    TypeKind("duration", fm._display_str, fm._j_str, fm._display_str, _c_duration,
             'a duration, e.g. "30 days"', _DURATION, _DURATION, unit_in=_MOVED),
    TypeKind("text", fm._display_str, fm._j_same, fm._lit_text, cv._c_text, "a text",
             {"type": "string"}, {"type": "string"}),
    TypeKind("enum", fm._display_str, fm._j_same, fm._display_str, None, "", None, None),
    TypeKind("list", fm._display_str, fm._j_same, fm._display_str, None, "", None, None),
    TypeKind("record", fm._display_str, fm._j_same, fm._display_str, None, "", None, None),
]}

# The kinds whose values are Decimals: money, decimal, rate.
DECIMAL_KINDS = frozenset(name for name, kind in KINDS.items() if kind.decimal)
# The kinds whose values are whole numbers (Python ints): integer, year.
WHOLE_KINDS = frozenset(name for name, kind in KINDS.items() if kind.whole)


# The kinds of numbers and amounts (negated, summed, averaged): integer, decimal, rate, money.
NUMBER_KINDS = frozenset(name for name, kind in KINDS.items() if kind.number)


def mismatch_code(where: str, *types: Type) -> str:
    """The code of a mismatch between types `where` ("value": a value of one where the
    other is declared; "compare"; "compute"): E201 when one of them is a unit there,
    else E200."""
    return "E201" if any(where in KINDS[t.kind].unit_in for t in types if t.kind in KINDS) \
        else "E200"


def kind_of(t: Type) -> TypeKind:
    """The table entry of a type's kind."""
    return KINDS[t.kind]


def to_json(value: Any, t: Type) -> Any:
    """A value as JSON: money and decimals as strings, dates in ISO form."""
    if t.kind == "list":
        return [to_json(v, t.element) for v in value]  # type: ignore[arg-type]
    if t.kind == "record":
        return {name: to_json(value[name], ft) for name, ft in t.fields}
    return KINDS[t.kind].to_json(value)


def display(value: Any, t: Type) -> str:
    """A value as an analyst reads it: `4555.10 EUR`, `20 %`, `2024-06-30`."""
    return _written(value, t, "display")


def literal(value: Any, t: Type) -> str:
    """A value written as Légiste source, for a ready-to-paste example."""
    return _written(value, t, "literal")


def _written(value: Any, t: Type, form: str) -> str:
    """A value as text in `form` (the name of a TypeKind writer), lists and records by parts."""
    if t.kind == "list":
        return "[" + ", ".join(_written(v, t.element, form) for v in value) + "]"  # type: ignore[arg-type]
    if t.kind == "record":
        return "{" + ", ".join(f"{n}: {_written(value[n], ft, form)}" for n, ft in t.fields) + "}"
    return getattr(KINDS[t.kind], form)(value)
