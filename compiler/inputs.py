"""Input validation: a JSON case → typed values, every problem reported at once.

Numbers are read as `Decimal` (never float). A missing field, a wrong type, an
unknown field or enumeration value, a bound the policy declares, an impossible date:
each becomes a diagnostic naming the field and the expected type; nothing is
coerced or dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from compiler import ir
from compiler.types import Type
from compiler.values import Duration, display
from dsl.diagnostics import Diagnostic, did_you_mean, error
from dsl.span import NO_SPAN, SOURCES, Span

_EXAMPLES = {
    "boolean": "true or false", "integer": "a whole number, e.g. 150",
    "decimal": 'a number, e.g. 1.5 or "1.5"', "money": 'an amount in EUR, e.g. "6000.00"',
    "rate": 'a rate, e.g. "20 %" or 0.2', "date": 'a date, e.g. "2024-03-15"',
    "year": "a year, e.g. 2023", "duration": 'a duration, e.g. "30 days"', "text": "a text",
}


class _Invalid(Exception):
    def __init__(self, code: str, message: str, hint: str = ""):
        self.code, self.message, self.hint = code, message, hint


def describe(t: Type) -> str:
    if t.kind == "enum":
        return "one of " + ", ".join(f'"{m}"' for m in t.members)
    if t.kind == "list":
        return f"a list of {describe(t.element)}"  # type: ignore[arg-type]
    if t.kind == "record":
        return f"an object with the fields {', '.join(n for n, _ in t.fields)}"
    return _EXAMPLES.get(t.kind, t.kind)


def _shown(raw: Any) -> str:
    """A JSON value as the case wrote it: a number bare (2010.5), a text quoted ("x")."""
    return str(raw) if isinstance(raw, Decimal) else json.dumps(raw, default=str)


def _what(raw: Any) -> str:
    """What kind of JSON value `raw` is, for a message that says what was given."""
    if raw is None:
        return "no value"
    if isinstance(raw, bool):
        return "true or false"
    if isinstance(raw, (int, Decimal, float)):
        return "a number"
    if isinstance(raw, str):
        return "a text"
    return "a list" if isinstance(raw, list) else "an object"


def _number(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise _Invalid("E501", f"{json.dumps(raw)} is true/false, not a number")
    if isinstance(raw, float):
        raise _Invalid("E501", f"{raw!r} is a binary floating-point number, which cannot hold "
                       "decimals exactly", 'pass it as a string ("1.10") or a Decimal')
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    elif isinstance(raw, str):
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            raise _Invalid("E501", f"\"{raw}\" is not a number") from None
    else:
        raise _Invalid("E501", f"{_shown(raw)} is not a number")
    if not value.is_finite():  # NaN, sNaN, Infinity: no rule can compute with them
        raise _Invalid("E501", f"{_shown(raw)} is not a finite number")
    _not_huge(raw, value)
    return value


_HUGE = 18  # numbers of 10^18 and more are refused: no amount or count of the law comes near


def _not_huge(raw: Any, value: Decimal | int) -> None:
    """Refuse numbers too large to compute with exactly (and to turn into an int cheaply)."""
    if (value.adjusted() >= _HUGE) if isinstance(value, Decimal) else abs(value) >= 10 ** _HUGE:
        raise _Invalid("E501", "the number is too large",  # not printed: it may be huge
                       f"numbers are accepted up to 10^{_HUGE}")


def convert(raw: Any, t: Type) -> Any:
    """A JSON value as a value of type t, or raise _Invalid."""
    kind = t.kind
    if kind == "boolean":
        if not isinstance(raw, bool):
            raise _Invalid("E501", f"{_shown(raw)} is {_what(raw)}")
        return raw
    if kind in ("integer", "year"):
        if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
            raise _Invalid("E501", f"{_shown(raw)} is {_what(raw)}")
        if isinstance(raw, Decimal) and not raw.is_finite():
            raise _Invalid("E501", f"{_shown(raw)} is not a finite number")
        _not_huge(raw, raw)
        if raw != int(raw):
            raise _Invalid("E501", f"{_shown(raw)} is not a whole number")
        if kind == "year" and not 1000 <= int(raw) <= 9999:
            raise _Invalid("E501", f"{raw} is not a year")
        return int(raw)
    if kind == "money":
        if isinstance(raw, str) and raw.strip().upper().endswith(("EUR", "€")):
            raw = raw.strip().rstrip("€").removesuffix("EUR").removesuffix("eur").strip()
        value = _number(raw)
        if value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise _Invalid("E501", f"{raw} has fractions of a cent", "an amount has at most 2 decimals")
        return value
    if kind == "decimal":
        return _number(raw)
    if kind == "rate":
        if isinstance(raw, str) and raw.strip().endswith("%"):
            return _number(raw.strip()[:-1]) / 100
        return _number(raw)
    if kind == "date":
        if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise _Invalid("E501", f"{_shown(raw)} is not a date written YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise _Invalid("E506", f"{raw} is not a date of the calendar",
                           "check the day against the month's length") from None
    if kind == "duration":
        m = re.fullmatch(r"\s*(\d+)\s*(days?|months?|years?)\s*", raw) if isinstance(raw, str) else None
        if not m:
            raise _Invalid("E501", f"{_shown(raw)} is not a duration")
        n, unit = int(m.group(1)), m.group(2)
        return Duration(days=n) if unit.startswith("day") else \
            Duration(months=n if unit.startswith("month") else 12 * n)
    if kind == "text":
        if not isinstance(raw, str):
            raise _Invalid("E501", f"{_shown(raw)} is {_what(raw)}")
        return raw
    if kind == "enum":
        if not isinstance(raw, str) or raw not in t.members:
            hints = did_you_mean(raw, t.members) if isinstance(raw, str) else []
            # The caller adds "; expected one of …": the values are listed once.
            raise _Invalid("E502", f"{_shown(raw)} is not a value of this choice",
                           hints[0] if hints else "")
        return raw
    if kind == "record":
        return _record(raw, t)
    if kind == "list":
        if not isinstance(raw, list):
            raise _Invalid("E501", f"{_shown(raw)} is {_what(raw)}")
        out = []
        for i, item in enumerate(raw):
            try:
                out.append(convert(item, t.element))  # type: ignore[arg-type]
            except _Invalid as exc:
                raise _Invalid(exc.code, f"item {i + 1}: {exc.message}", exc.hint) from None
        return tuple(out)
    raise _Invalid("E501", f"cannot read a value of type {t}")  # pragma: no cover


def _record(raw: Any, t: Type) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Invalid("E501", f"{_shown(raw)} is not an object with the fields of "
                       f"{t.name}")
    problems = [f"unknown field '{k}'" for k in raw if t.field_type(k) is None]
    problems += [f"missing field '{n}'" for n, _ in t.fields if n not in raw]
    if problems:
        raise _Invalid("E504" if problems[0].startswith("unknown") else "E500", "; ".join(problems),
                       "fields: " + ", ".join(n for n, _ in t.fields))
    bounds = {name: (low, high) for name, low, high in t.bounds}
    out = {}
    for name, field_type in t.fields:
        try:
            value = convert(raw[name], field_type)
        except _Invalid as exc:
            raise _Invalid(exc.code, f"field '{name}': {exc.message}", exc.hint) from None
        low, high = bounds.get(name, (None, None))
        if (low is not None and value < low) or (high is not None and value > high):
            limit = low if low is not None and value < low else high
            raise _Invalid("E503", f"field '{name}' is {display(value, field_type)}, beyond its bound "
                           f"{display(limit, field_type)}")
        out[name] = value
    return out


def _key_spans(text: str | None, file: str) -> dict[str, Span]:
    """Where each top-level key of a JSON object stands in its text."""
    if not text:
        return {}
    text = text.removeprefix("\ufeff")
    spans: dict[str, Span] = {}
    depth = 0
    i = 0
    line, col = 1, 1
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            key = text[i + 1:j]
            rest = text[j + 1:j + 40].lstrip()
            if depth == 1 and rest.startswith(":") and key not in spans:
                spans[key] = Span(file, line, col, line, col + j - i + 1)
            col += j + 1 - i
            i = j + 1
            continue
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        if ch == "\n":
            line, col = line + 1, 1
        else:
            col += 1
        i += 1
    return spans


def parse_json(text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    """JSON text → Python values with Decimal numbers; duplicate keys are errors."""
    text = text.removeprefix("\ufeff")  # the byte-order mark some editors write first
    SOURCES.add(file, text)
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out
    constants: list[str] = []

    def constant(name: str) -> None:
        # json.loads would turn NaN and Infinity (not JSON, but Python accepts them) into floats.
        constants.append(name)
        return None
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=int, object_pairs_hook=pairs,
                          parse_constant=constant)
    except json.JSONDecodeError as exc:
        span = Span(file, exc.lineno, exc.colno, exc.lineno, exc.colno + 1)
        return None, [error("E505", f"the input is not valid JSON: {exc.msg}", span,
                            hints=["an input file is one JSON object: {\"field\": value, …}"])]
    except (ValueError, RecursionError) as exc:  # a number of 4300+ digits, nesting too deep
        reason = "it nests too deep" if isinstance(exc, RecursionError) else "a number is too long"
        return None, [error("E505", f"the input cannot be read: {reason}",
                            Span(file, 1, 1, 1, 2) if text else NO_SPAN)]
    spans = _key_spans(text, file)
    diags = [error("E505", f"field '{k}' is given twice", spans.get(k, Span(file, 1, 1, 1, 2)))
             for k in dict.fromkeys(duplicates)]
    diags += [error("E505", f"{name} is not a JSON number", Span(file, 1, 1, 1, 2),
                    hints=["write a number such as 1.5, or a string"])
              for name in dict.fromkeys(constants)]
    return data, diags


def validate(unit: ir.Unit, data: Any, file: str = "<input>",
             text: str | None = None) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Check a case against the policy's inputs; returns typed values and every problem."""
    if not isinstance(data, dict):
        return {}, [error("E505", "the input must be a JSON object of fields",
                          Span(file, 1, 1, 1, 2) if text else NO_SPAN,
                          hints=["e.g. {\"request_date\": \"2024-03-15\", …}"])]
    spans = _key_spans(text, file)
    where = lambda key: spans.get(key, Span(file, 1, 1, 1, 2) if text else NO_SPAN)  # noqa: E731
    declared = {d.name: d for d in unit.inputs}
    values: dict[str, Any] = {}
    diags: list[Diagnostic] = []
    for key in data:
        key = str(key)  # JSON keys are texts; a Python caller may pass others
        if key not in declared:
            diags.append(error("E504", f"'{key}' is not an input of {unit.id}", where(key),
                               hints=did_you_mean(key, declared) or
                               ["inputs: " + ", ".join(declared)]))
    missing = [decl for name, decl in declared.items() if name not in data]
    if missing:
        # One diagnostic for all missing fields: the excerpt (the object's start) is the same.
        names = ", ".join(f"'{d.name}'" for d in missing)
        diags.append(error(
            "E500", f"missing input{'s' if len(missing) > 1 else ''} {names}",
            NO_SPAN if not text else Span(file, 1, 1, 1, 2),
            notes=[f"'{d.name}': {describe(d.type)}" + (f" — {d.description}" if d.description else "")
                   + f" (declared at {d.span})" for d in missing]))
    for name, decl in declared.items():
        if name not in data:
            continue
        try:
            value = convert(data[name], decl.type)
        except _Invalid as exc:
            diags.append(error(exc.code, f"input '{name}': {exc.message}; expected {describe(decl.type)}",
                               where(name), hints=[exc.hint] if exc.hint else [],
                               notes=[f"declared at {decl.span}"]))
            continue
        if decl.minimum is not None and value < decl.minimum:
            diags.append(error("E503", f"input '{name}' is {display(value, decl.type)}, below its minimum "
                               f"{display(decl.minimum, decl.type)}", where(name),
                               notes=[f"declared at {decl.span}"]))
            continue
        if decl.maximum is not None and value > decl.maximum:
            diags.append(error("E503", f"input '{name}' is {display(value, decl.type)}, above its maximum "
                               f"{display(decl.maximum, decl.type)}", where(name),
                               notes=[f"declared at {decl.span}"]))
            continue
        values[name] = value
    return values, diags
