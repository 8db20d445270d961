"""Input validation: a JSON case → typed values, every problem reported at once.

Numbers are read as `Decimal` (never float). A missing field, a wrong type, an
unknown field or enumeration value, a bound the policy declares, an impossible date:
each becomes a diagnostic naming the field and the expected type; nothing is
coerced or dropped.
"""

from __future__ import annotations

import json
from functools import lru_cache
from decimal import Decimal
from typing import Any, Callable

from legiste.compiler import ir
from legiste.compiler.runtime.conversions import (_c_boolean, _c_date, _c_decimal, _c_enum, _c_integer, _c_list,
                                  _c_money, _c_rate, _c_text, _c_year, _duration_parts,
                                  _Invalid, _record_fields)
from legiste.compiler.ir.types import Type
from legiste.compiler.runtime.values import Duration, display
from legiste.dsl.diagnostics import Diagnostic, did_you_mean, error
from legiste.dsl.span import NO_SPAN, SourceFile, Span

_EXAMPLES = {
    "boolean": "true or false", "integer": "a whole number, e.g. 150",
    "decimal": 'a number, e.g. 1.5 or "1.5"', "money": 'an amount in EUR, e.g. "6000.00"',
    "rate": 'a rate, e.g. "20 %" or 0.2', "date": 'a date, e.g. "2024-03-15"',
    "year": "a year, e.g. 2023", "duration": 'a duration, e.g. "30 days"', "text": "a text",
}



def describe(t: Type) -> str:
    if t.kind == "enum":
        return "one of " + ", ".join(f'"{m}"' for m in t.members)
    if t.kind == "list":
        return f"a list of {describe(t.element)}"  # type: ignore[arg-type]
    if t.kind == "record":
        return f"an object with the fields {', '.join(n for n, _ in t.fields)}"
    return _EXAMPLES.get(t.kind, t.kind)


# The converters of each kind are compiler/runtime/conversions.py, which every generated module
# carries too: both accept and refuse the same values in the same words.
_SCALARS: dict[str, Callable[[Any], Any]] = {
    "boolean": _c_boolean, "integer": _c_integer, "year": _c_year, "money": _c_money,
    "decimal": _c_decimal, "rate": _c_rate, "date": _c_date, "text": _c_text,
}


def convert(raw: Any, t: Type) -> Any:
    """A JSON value as a value of type t, or raise _Invalid."""
    kind = t.kind
    if kind in _SCALARS:
        return _SCALARS[kind](raw)
    if kind == "enum":
        return _c_enum(raw, t.members)
    if kind == "list":
        element = t.element
        assert element is not None
        return _c_list(raw, lambda item: convert(item, element))
    if kind == "record":
        return _record(raw, t)
    if kind == "duration":
        days, months = _duration_parts(raw)
        return Duration(days=days, months=months)
    raise _Invalid("E501", f"cannot read a value of type {t}")  # pragma: no cover


def _record(raw: Any, t: Type) -> dict[str, Any]:
    _record_fields(raw, t.name, [name for name, _ in t.fields])
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


@lru_cache(maxsize=8)
def _source(file: str, text: str) -> SourceFile:
    return SourceFile(file, text.removeprefix("\ufeff"))


def _at(file: str, text: str | None, line: int, column: int, end_line: int,
        end_column: int) -> Span:
    """A span of an input text, which its diagnostic quotes (with no text, nothing)."""
    if not text:
        return Span(file, line, column, end_line, end_column)
    return _source(file, text).span(line, column, end_line, end_column)


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
                spans[key] = _at(file, text, line, col, line, col + j - i + 1)
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
        span = _at(file, text, exc.lineno, exc.colno, exc.lineno, exc.colno + 1)
        return None, [error("E505", f"the input is not valid JSON: {exc.msg}", span,
                            hints=["an input file is one JSON object: {\"field\": value, …}"])]
    except (ValueError, RecursionError) as exc:  # a number of 4300+ digits, nesting too deep
        reason = "it nests too deep" if isinstance(exc, RecursionError) else "a number is too long"
        return None, [error("E505", f"the input cannot be read: {reason}",
                            _at(file, text, 1, 1, 1, 2) if text else NO_SPAN)]
    spans = _key_spans(text, file)
    diags = [error("E505", f"field '{k}' is given twice", spans.get(k, _at(file, text, 1, 1, 1, 2)))
             for k in dict.fromkeys(duplicates)]
    diags += [error("E505", f"{name} is not a JSON number", _at(file, text, 1, 1, 1, 2),
                    hints=["write a number such as 1.5, or a string"])
              for name in dict.fromkeys(constants)]
    return data, diags


def validate(unit: ir.Unit, data: Any, file: str = "<input>",
             text: str | None = None) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Check a case against the policy's inputs; returns typed values and every problem."""
    if not isinstance(data, dict):
        return {}, [error("E505", "the input must be a JSON object of fields",
                          _at(file, text, 1, 1, 1, 2) if text else NO_SPAN,
                          hints=["e.g. {\"request_date\": \"2024-03-15\", …}"])]
    spans = _key_spans(text, file)
    where = lambda key: spans.get(key, _at(file, text, 1, 1, 1, 2) if text else NO_SPAN)  # noqa: E731
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
            NO_SPAN if not text else _at(file, text, 1, 1, 1, 2),
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
