"""The typed IR as a versioned JSON document (`legiste compile POLICY --target json`).

    {"format": "legiste.ir", "version": 1, "root": POLICY_ID, "units": [UNIT, …]}

The document holds a policy and every module it uses (the policy first), each with its
inputs (types, bounds, descriptions, citations), enumerations, records, parameters
(dated values, indexation), series, definitions (their expression trees), invariants
and examples. Every expression node has `kind`, `type`, `span` and `citations`, plus
the fields of its kind; `docs/schemas/ir.v1.schema.json` is its JSON Schema.

Values are exact: money, decimals and rates are decimal strings ("4555.10", never a
float), dates ISO strings, durations `{"days": D, "months": M}`, lists arrays, records
objects. A span is `{"file", "line", "column", "end_line", "end_column"}` (1-based, end
exclusive) or null where the compiler has none. Another back end (a code generator in
any language, a documentation builder) can be written from this document alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from legiste.compiler import ir
from legiste.compiler.ir.types import Type
from legiste.compiler.ir.kinds import DECIMAL_KINDS
from legiste.compiler.runtime.values import Duration
from legiste.dsl.span import NO_SPAN, Span

FORMAT = "legiste.ir"
VERSION = 1


def to_json_ir(program: ir.Program) -> dict[str, Any]:
    """The JSON IR document of a compiled program (JSON-native values only)."""
    order = [program.root] + [u for u in program.units if u != program.root]
    return {"format": FORMAT, "version": VERSION, "root": program.root,
            "units": [_unit(program.units[u]) for u in order]}


# ------------------------------------------------------------------ leaves

def span_json(span: Span | None) -> dict[str, Any] | None:
    if span is None or span == NO_SPAN:
        return None
    return span.to_json()


def _cites(cites: tuple[ir.Citation, ...]) -> list[dict[str, Any]]:
    return [{"quote": c.quote, "source": c.source, "verified": c.verified, "span": span_json(c.span)}
            for c in cites]


def type_json(t: Type) -> dict[str, Any]:
    """A type: {"kind"} plus, by kind, the name and members of an enumeration, the element
    of a list (null for the empty list literal), the fields of a record with their bounds."""
    out: dict[str, Any] = {"kind": t.kind}
    if t.kind == "enum":
        out["name"] = t.name
        out["members"] = list(t.members)
    elif t.kind == "list":
        out["element"] = None if t.element is None else type_json(t.element)
    elif t.kind == "record":
        bounds = {name: (low, high) for name, low, high in t.bounds}
        out["name"] = t.name
        fields = []
        for name, field_type in t.fields:
            low, high = bounds.get(name, (None, None))
            fields.append({"name": name, "type": type_json(field_type),
                           "minimum": value_json(low, field_type),
                           "maximum": value_json(high, field_type)})
        out["fields"] = fields
    return out


def value_json(value: Any, t: Type | None = None) -> Any:
    """A value, exactly: decimal strings for numbers that are not whole by type, ISO dates."""
    if value is None:
        return None
    kind = t.kind if t is not None else None
    if isinstance(value, bool):
        return value
    if kind in DECIMAL_KINDS and isinstance(value, (int, Decimal)):
        return f"{Decimal(value):f}"
    if isinstance(value, Decimal):  # a number of no known type: keep it exact all the same
        return f"{value:f}"
    if isinstance(value, int):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Duration):
        return {"days": value.days, "months": value.months}
    if isinstance(value, (tuple, list)):
        element = t.element if t is not None and t.kind == "list" else None
        return [value_json(v, element) for v in value]
    if isinstance(value, dict):
        fields = dict(t.fields) if t is not None and t.kind == "record" else {}
        return {str(k): value_json(v, fields.get(k)) for k, v in value.items()}
    return value  # str (texts, enumeration members)


# ------------------------------------------------------------------ expressions

def _node(kind: str, node: Any, t: Type, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": kind, "type": type_json(t)}
    out.update(fields)
    out["span"] = span_json(node.span)
    out["citations"] = _cites(node.cites)
    return out


def _opt(node: ir.Expr | None) -> dict[str, Any] | None:
    return None if node is None else expr_json(node)


def expr_json(node: ir.Expr) -> dict[str, Any]:
    """An expression tree; `kind` names the node, the other fields are its kind's."""
    if isinstance(node, ir.Const):
        return _node("const", node, node.type, value=value_json(node.value, node.type))
    if isinstance(node, ir.Input):
        return _node("input", node, node.type, name=node.name)
    if isinstance(node, ir.Local):
        return _node("local", node, node.type, id=node.id)
    if isinstance(node, ir.Param):
        return _node("param", node, node.type, id=node.id, at=_opt(node.at))
    if isinstance(node, ir.Unary):
        return _node("unary", node, node.type, op=node.op.value, operand=expr_json(node.operand))
    if isinstance(node, ir.Arith):
        return _node("arith", node, node.type, op=node.op.value, impl=node.impl.value,
                     left=expr_json(node.left), right=expr_json(node.right))
    if isinstance(node, ir.Compare):
        return _node("compare", node, node.type, op=node.op.value,
                     left=expr_json(node.left), right=expr_json(node.right))
    if isinstance(node, ir.Logic):
        return _node("logic", node, node.type, op=node.op.value,
                     left=expr_json(node.left), right=expr_json(node.right))
    if isinstance(node, ir.Between):
        return _node("between", node, node.type, value=expr_json(node.value),
                     low=expr_json(node.low), high=expr_json(node.high))
    if isinstance(node, ir.If):
        return _node("if", node, node.type, cond=expr_json(node.cond), then=expr_json(node.then),
                     otherwise=expr_json(node.otherwise))
    if isinstance(node, ir.Aggregate):
        return _node("aggregate", node, node.type, aggregate=node.kind.value,
                     items=[_condition(c) for c in node.items], over=_opt(node.over), k=_opt(node.k))
    if isinstance(node, ir.FirstOf):
        return _node("first_of", node, node.type, branches=[_branch(b) for b in node.branches],
                     otherwise=_opt(node.otherwise))
    if isinstance(node, ir.Call):
        return _node("call", node, node.type, func=node.func.name, args=[expr_json(a) for a in node.args])
    if isinstance(node, ir.ListLit):
        return _node("list", node, node.type, items=[expr_json(i) for i in node.items])
    if isinstance(node, ir.RecordLit):
        return _node("record", node, node.type,
                     fields=[{"name": n, "value": expr_json(v)} for n, v in node.fields])
    if isinstance(node, ir.Var):
        return _node("var", node, node.type, name=node.name)
    if isinstance(node, ir.Field):
        return _node("field", node, node.type, record=expr_json(node.record), name=node.name)
    if isinstance(node, ir.Comprehension):
        return _node("comprehension", node, node.type, var=node.var, source=expr_json(node.source),
                     where=_opt(node.where), body=expr_json(node.body))
    if isinstance(node, ir.Element):
        return _node("element", node, node.type)
    if isinstance(node, ir.RuleOf):
        return _node("rule_of", node, node.type, element=expr_json(node.element), id=node.id)
    if isinstance(node, ir.Arg):
        return _node("arg", node, node.type, name=node.name)
    if isinstance(node, ir.Apply):
        return _node("apply", node, node.type, id=node.id, args=[expr_json(a) for a in node.args])
    if isinstance(node, ir.IsGiven):
        return _node("is_given", node, node.type, name=node.name)
    if isinstance(node, ir.GivenOr):
        return _node("given_or", node, node.type, name=node.name, fallback=expr_json(node.fallback))
    if isinstance(node, ir.RuleError):
        return _node("rule_error", node, node.type, message=node.message, rule=node.rule)
    raise TypeError(f"no JSON IR for {type(node).__name__}")  # pragma: no cover


def _condition(c: ir.Condition) -> dict[str, Any]:
    exceptions = [_node("exception", e, e.cond.type, cond=expr_json(e.cond)) for e in c.exceptions]
    return _node("condition", c, c.expr.type, expr=expr_json(c.expr), exceptions=exceptions)


def _branch(b: ir.Branch) -> dict[str, Any]:
    label = {"label": b.label} if b.label else {}  # a decision table's row
    return _node("branch", b, b.value.type, cond=expr_json(b.cond), value=expr_json(b.value), **label)


# ------------------------------------------------------------------ declarations

def _unit(u: ir.Unit) -> dict[str, Any]:
    definitions = {d.name: d for d in u.definitions}
    inputs = {i.name: i for i in u.inputs}
    return {
        "id": u.id, "kind": u.kind, "file": u.file, "title": u.title, "authority": u.authority,
        "url": u.url, "as_of": u.as_of,
        "sources": [{"name": s.name, "file": s.file, "url": s.url, "found": s.found} for s in u.sources],
        "uses": list(u.uses),
        "enums": [{"name": n, "members": list(t.members)} for n, t in u.enums.items()],
        "records": [{"name": n, "type": type_json(t)} for n, t in u.records.items()],
        "inputs": [{"name": i.name, "type": type_json(i.type),
                    "minimum": value_json(i.minimum, i.type), "maximum": value_json(i.maximum, i.type),
                    "description": i.description,
                    "presumption": {"value": value_json(i.default, i.type)} if i.presumed else None,
                    "optional": i.optional, "span": span_json(i.span), "citations": _cites(i.cites)}
                   for i in u.inputs],
        "requirements": [{"name": r.name, "expr": expr_json(r.expr), "message": r.message,
                          "reads": list(r.reads), "span": span_json(r.span), "citations": _cites(r.cites)}
                         for r in u.requirements],
        "parameters": [_parameter(p) for p in u.parameters.values()],
        "series": [_series(s) for s in u.series.values()],
        "definitions": [{"id": d.id, "name": d.name, "kind": d.kind, "type": type_json(d.type),
                         "notes": list(d.notes), "expr": expr_json(d.expr), "span": span_json(d.span),
                         "citations": _cites(d.cites)}
                        for d in u.definitions],
        "outputs": [d.name for d in u.outputs],
        "element_rules": [{"id": r.id, "record": r.record, "name": r.name, "type": type_json(r.type),
                           "notes": list(r.notes), "expr": expr_json(r.expr), "span": span_json(r.span),
                           "citations": _cites(r.cites)} for r in u.element_rules],
        "functions": [{"id": f.id, "name": f.name, "type": type_json(f.type),
                       "params": [{"name": n, "type": type_json(t)} for n, t in f.params],
                       "notes": list(f.notes), "expr": expr_json(f.expr), "span": span_json(f.span),
                       "citations": _cites(f.cites)} for f in u.functions],
        "invariants": [{"name": i.name, "kind": i.kind, "expr": _opt(i.expr), "output": i.output,
                        "input": i.input, "direction": i.direction if i.kind == "monotone" else None,
                        "guard": _opt(i.guard), "span": span_json(i.span), "citations": _cites(i.cites)}
                       for i in u.invariants],
        "examples": [_example(e, inputs, definitions) for e in u.examples],
    }


def _parameter(p: ir.Parameter) -> dict[str, Any]:
    values = [{"start": v.start.isoformat(), "end": None if v.end is None else v.end.isoformat(),
               "value": value_json(v.value, p.type), "indexed_by": v.index,
               "span": span_json(v.span), "citations": _cites(v.cites)} for v in p.values]
    return {"id": p.id, "name": p.name, "type": type_json(p.type), "description": p.description,
            "values": values, "span": span_json(p.span), "citations": _cites(p.cites)}


def _series(s: ir.Series) -> dict[str, Any]:
    values = [{"period": period, "value": value_json(value, None),
               "span": span_json(s.value_spans.get(period))} for period, value in s.values.items()]
    return {"id": s.id, "name": s.name, "period": s.period, "publisher": s.publisher, "url": s.url,
            "description": s.description, "file": s.file, "values": values,
            "span": span_json(s.span), "citations": _cites(s.cites)}


def _example(e: ir.Example, inputs: dict[str, ir.InputDecl],
             definitions: dict[str, ir.Definition]) -> dict[str, Any]:
    def typed(name: str, value: Any, table: dict[str, Any]) -> Any:
        decl = table.get(name)
        return value_json(value, decl.type if decl is not None else None)
    return {"name": e.name, "on": None if e.on is None else e.on.isoformat(),
            "given": {k: typed(k, v, inputs) for k, v in e.given.items()},
            "expect": {k: typed(k, v, definitions) for k, v in e.expect.items()},
            "expect_error": e.expect_error, "span": span_json(e.span), "citations": _cites(e.cites)}
