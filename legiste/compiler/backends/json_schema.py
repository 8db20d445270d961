"""JSON Schema of a policy's inputs and outputs (draft 2020-12).

Money, decimals and rates travel as decimal strings (numbers are accepted on input,
never produced), dates as ISO strings: a reader in any language gets exact values.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from legiste.compiler import ir
from legiste.compiler.ir.kinds import KINDS
from legiste.compiler.ir.printer import show
from legiste.compiler.ir.types import Type
from legiste.compiler.runtime.values import to_json

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def type_schema(t: Type, *, output: bool = False) -> dict[str, Any]:
    """The schema of one value of type t (as input, or as produced in outputs)."""
    kind = t.kind
    scalar = KINDS[kind].schema_out if output else KINDS[kind].schema_in
    if scalar is not None:
        return copy.deepcopy(scalar)  # the caller adds a description, bounds
    if kind == "enum":
        return {"type": "string", "enum": list(t.members)}
    if kind == "list":
        return {"type": "array", "items": type_schema(t.element, output=output)}  # type: ignore[arg-type]
    if kind == "record":
        bounds = {name: (low, high) for name, low, high in t.bounds}
        properties = {}
        for name, field_type in t.fields:
            properties[name] = _bounded(type_schema(field_type, output=output), field_type,
                                        *bounds.get(name, (None, None)))
        return {"type": "object", "properties": properties, "required": [n for n, _ in t.fields],
                "additionalProperties": False}
    raise ValueError(f"no JSON schema for {t}")  # pragma: no cover


def _bounded(schema: dict[str, Any], t: Type, low: Any, high: Any) -> dict[str, Any]:
    """Bounds in the schema where JSON Schema can say them (numbers); else in words."""
    if low is None and high is None:
        return schema
    words = []
    if low is not None:
        words.append(f"at least {to_json(low, t)}")
    if high is not None:
        words.append(f"at most {to_json(high, t)}")
    schema = dict(schema)
    if t.kind in ("integer", "year"):
        if low is not None:
            schema["minimum"] = low
        if high is not None:
            schema["maximum"] = high
    else:
        schema["x-legiste-bounds"] = {"minimum": None if low is None else to_json(low, t),
                                      "maximum": None if high is None else to_json(high, t)}
    schema["description"] = "; ".join(filter(None, [schema.get("description"), ", ".join(words)]))
    return schema


def input_schema(unit: ir.Unit) -> dict[str, Any]:
    """The schema of one input case of a policy."""
    properties = {}
    for decl in unit.inputs:
        schema = type_schema(decl.type)
        if decl.description:
            schema["description"] = decl.description
        schema = _bounded(schema, decl.type, decl.minimum, decl.maximum)
        if decl.presumed:  # the presumption, when the case omits the input
            schema["default"] = to_json(decl.default, decl.type)
            schema["description"] = "; ".join(filter(None, [schema.get("description"), "presumed "
                                                            + json.dumps(schema["default"], ensure_ascii=False)
                                                            + " when not given"]))
        elif decl.optional:
            schema["description"] = "; ".join(filter(None, [schema.get("description"), "optional"]))
        properties[decl.name] = schema
    out = {"$schema": DRAFT, "title": f"{unit.id} inputs", "type": "object",
           "properties": properties, "required": [d.name for d in unit.inputs if d.required],
           "additionalProperties": False}
    if unit.requirements:  # `require`: relations JSON Schema cannot say, in words
        out["description"] = "Input constraints: " + "; ".join(
            f"{r.message} ({show(r.expr)})" for r in unit.requirements) + "."
        out["x-legiste-requirements"] = [{"message": r.message, "condition": show(r.expr)}
                                        for r in unit.requirements]
    return out


def output_schema(unit: ir.Unit) -> dict[str, Any]:
    """The schema of the outputs object of an evaluation."""
    properties = {d.name: type_schema(d.type, output=True) for d in unit.outputs}
    return {"$schema": DRAFT, "title": f"{unit.id} outputs", "type": "object",
            "properties": properties, "required": list(properties), "additionalProperties": False}
