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
from legiste.compiler.ir.kinds import KINDS, display
from legiste.compiler.ir.types import Type
from legiste.compiler.runtime.conversions import _c_enum, _c_list, _Invalid, _record_fields
from legiste.compiler.runtime.input_problems import (_NOT_AN_OBJECT, _NOT_AN_OBJECT_HINT,
                                                    _bad_input_message, _field_beyond,
                                                    _field_problem, _missing_message, _missing_note,
                                                    _out_of_bounds_message, _unknown_hints,
                                                    _unknown_message)
from legiste.dsl.diagnostics import Diagnostic, error
from legiste.dsl.span import NO_SPAN, SourceFile, Span

def describe(t: Type) -> str:
    if t.kind == "enum":
        return "one of " + ", ".join(f'"{m}"' for m in t.members)
    if t.kind == "list":
        return f"a list of {describe(t.element)}"  # type: ignore[arg-type]
    if t.kind == "record":
        return f"an object with the fields {', '.join(n for n, _ in t.fields)}"
    return KINDS[t.kind].expected or t.kind


# The converters of each kind (compiler/ir/kinds.py) are compiler/runtime/conversions.py and
# durations.py, which every generated module carries too: both accept and refuse the same
# values in the same words.


def convert(raw: Any, t: Type) -> Any:
    """A JSON value as a value of type t, or raise _Invalid."""
    kind = t.kind
    scalar = KINDS[kind].convert
    if scalar is not None:
        return scalar(raw)
    if kind == "enum":
        return _c_enum(raw, t.members)
    if kind == "list":
        element = t.element
        assert element is not None
        return _c_list(raw, lambda item: convert(item, element))
    if kind == "record":
        return _record(raw, t)
    raise _Invalid("E501", f"cannot read a value of type {t}")  # pragma: no cover


def _record(raw: Any, t: Type) -> dict[str, Any]:
    _record_fields(raw, t.name, [name for name, _ in t.fields])
    bounds = {name: (low, high) for name, low, high in t.bounds}
    out = {}
    for name, field_type in t.fields:
        try:
            value = convert(raw[name], field_type)
        except _Invalid as exc:
            raise _field_problem(exc, name) from None
        low, high = bounds.get(name, (None, None))
        if (low is not None and value < low) or (high is not None and value > high):
            limit = low if low is not None and value < low else high
            raise _field_beyond(name, display(value, field_type), display(limit, field_type))
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
        return {}, [error("E505", _NOT_AN_OBJECT, _at(file, text, 1, 1, 1, 2) if text else NO_SPAN,
                          hints=[_NOT_AN_OBJECT_HINT])]
    spans = _key_spans(text, file)
    where = lambda key: spans.get(key, _at(file, text, 1, 1, 1, 2) if text else NO_SPAN)  # noqa: E731
    declared = {d.name: d for d in unit.inputs}
    values: dict[str, Any] = {}
    diags: list[Diagnostic] = []
    for key in data:
        key = str(key)  # JSON keys are texts; a Python caller may pass others
        if key not in declared:
            diags.append(error("E504", _unknown_message(key, unit.id), where(key),
                               hints=_unknown_hints(key, list(declared))))
    missing = [decl for name, decl in declared.items() if name not in data and decl.required]
    if missing:
        # One diagnostic for all missing fields: the excerpt (the object's start) is the same.
        diags.append(error(
            "E500", _missing_message([d.name for d in missing]),
            NO_SPAN if not text else _at(file, text, 1, 1, 1, 2),
            notes=[_missing_note(d.name, describe(d.type), d.description, d.span) for d in missing]))
    refused = set()
    for name, decl in declared.items():
        if name not in data:
            continue
        refused.add(name)  # until it is converted and within its bounds
        try:
            value = convert(data[name], decl.type)
        except _Invalid as exc:
            diags.append(error(exc.code, _bad_input_message(name, exc.message, describe(decl.type)),
                               where(name), hints=[exc.hint] if exc.hint else [],
                               notes=[f"declared at {decl.span}"]))
            continue
        if decl.minimum is not None and value < decl.minimum:
            diags.append(error("E503", _out_of_bounds_message(
                name, display(value, decl.type), display(decl.minimum, decl.type), True),
                where(name), notes=[f"declared at {decl.span}"]))
            continue
        if decl.maximum is not None and value > decl.maximum:
            diags.append(error("E503", _out_of_bounds_message(
                name, display(value, decl.type), display(decl.maximum, decl.type), False),
                where(name), notes=[f"declared at {decl.span}"]))
            continue
        values[name] = value
        refused.discard(name)
    if unit.requirements:  # `require`: interpreter/requirements.py
        from legiste.compiler.interpreter.requirements import requirement_problems
        diags += requirement_problems(unit, values, refused, where)
    return values, diags
