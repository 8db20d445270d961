"""The explanation of one decision: a tree of every value that led to the outputs.

Each node names the rule as the author wrote it, its value, the inputs and rules it
read, the branch or exception that applied, the rounding or indexation performed, and
the quoted law. `to_json` gives the versioned `trace.v1` form shared by the CLI and
the embedding API.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from legiste.compiler import ir
from legiste.compiler.interpreter.evaluate import EvalError, Env, Evaluator
from legiste.compiler.ir.types import BOOLEAN, Type
from legiste.compiler.ir.walk import children as walk_children, walk
from legiste.compiler.runtime.values import display, money, to_json
from legiste.dsl.span import NO_SPAN, SOURCES, Span

TRACE_VERSION = "trace.v1"


@frozen
class Trace:
    kind: str  # output, define, parameter, input, condition, exception, branch, otherwise
    name: str
    value: Any
    type: Type
    span: Span = NO_SPAN
    cites: tuple[ir.Citation, ...] = ()
    detail: str | None = None
    children: tuple["Trace", ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "rule": self.name,
            "value": None if self.value is None else to_json(self.value, self.type),
            "type": self.type.short, "location": self.span.to_json(),
            "citations": [{"quote": c.quote, "source": c.source, "verified": c.verified}
                          for c in self.cites],
            "detail": self.detail, "children": [c.to_json() for c in self.children],
        }

    def leaves(self) -> list["Trace"]:
        if not self.children:
            return [self]
        return [leaf for c in self.children for leaf in c.leaves()]


class Explainer:
    """Builds the trace of one evaluation (after `Evaluator.evaluate` has run)."""

    def __init__(self, evaluator: Evaluator, env: Env):
        self.evaluator, self.env = evaluator, env
        self.program = evaluator.program
        self.done: dict[str, Trace] = {}

    def outputs(self, names: list[str] | None = None) -> list[Trace]:
        policy = self.program.policy
        wanted = names or [d.name for d in policy.outputs]
        return [self.definition(self.program.definition(f"{policy.id}.{n}")) for n in wanted]

    def _value(self, node: Any) -> tuple[Any, str | None]:
        try:
            return self.evaluator.value_of(node, self.env), None
        except EvalError as exc:
            return None, f"not evaluated: {exc.diagnostic.message}"

    def definition(self, d: ir.Definition) -> Trace:
        if d.id in self.done:
            return self.done[d.id]
        rounds = isinstance(d.expr, ir.RoundToCent)  # lowered: an output amount
        expr = d.expr.value if rounds else d.expr
        value, problem = self._value(expr)
        detail = problem
        if value is not None and rounds and money(value) != value:
            detail = f"rounded half up to the cent from {value}"
            value = money(value)
        trace = Trace(d.kind, d.name, value, d.type, d.span, d.cites, detail,
                      tuple(self.expr(expr)))
        self.done[d.id] = trace
        return trace

    def expr(self, node: ir.Expr) -> list[Trace]:
        """The traces of what an expression reads, structured where the law is."""
        if isinstance(node, ir.Input):
            value = self.env.inputs.get(node.name)
            decl = next(i for i in self.program.policy.inputs if i.name == node.name)
            return [Trace("input", node.name, value, node.type, decl.span, decl.cites,
                          decl.description)]
        if isinstance(node, ir.Local):
            return [self.definition(self.program.definition(node.id))]
        if isinstance(node, ir.Param):
            return [self.parameter(node)]
        if isinstance(node, ir.Aggregate) and node.over is None:
            out = [self.condition(item) for item in node.items]
            return out + [t for t in self.expr(node.k) if t not in out] if node.k is not None else out
        if isinstance(node, ir.Comprehension):
            # The body and the filter are computed once per element: what they read
            # besides the element is shown once, after the list they go through.
            out = self.expr(node.source)
            for part in (node.where, node.body):
                for t in self._reads(part) if part is not None else ():
                    if t not in out:
                        out.append(t)
            return out
        if isinstance(node, ir.FirstOf):
            return self.first_of(node)
        if isinstance(node, ir.If):
            cond, _ = self._value(node.cond)
            chosen = node.then if cond else node.otherwise
            if isinstance(node.cond, (ir.Input, ir.Local)):
                return self.expr(node.cond) + self.expr(chosen)
            return [self._labelled("condition", node.cond, cites=node.cites)] + self.expr(chosen)
        children = walk_children(node)
        out: list[Trace] = []
        for child in children:
            for t in self.expr(child):
                if t not in out:
                    out.append(t)
        return out

    def _reads(self, node: Any) -> list[Trace]:
        """The inputs, rules and parameters an expression reads, without evaluating it
        (inside a comprehension, where the element it depends on is not bound)."""
        if isinstance(node, (ir.Input, ir.Local)):
            return self.expr(node)
        if isinstance(node, ir.Param):
            if not any(isinstance(n, ir.Var) for n in walk(node.at)):
                return [self.parameter(node)]
            parameter = self.program.parameter(node.id)
            return [Trace("parameter", parameter.name, None, parameter.type, parameter.span,
                          parameter.cites, "read at a date computed for each element",
                          tuple(self._reads(node.at)))]
        out: list[Trace] = []
        for child in walk_children(node):
            for t in self._reads(child):
                if t not in out:
                    out.append(t)
        return out

    def _labelled(self, kind: str, node: Any, *, cites: tuple[ir.Citation, ...] = (),
                  detail: str | None = None, children: list[Trace] | None = None) -> Trace:
        value, problem = self._value(node)
        text = SOURCES.excerpt(node.span) or kind
        return Trace(kind, text, value, getattr(node, "type", BOOLEAN), node.span, cites,
                     problem or detail, tuple(self.expr(node) if children is None else children))

    def parameter(self, node: ir.Param) -> Trace:
        parameter = self.program.parameter(node.id)
        when, problem = self._value(node.at)
        if when is None:  # the date it is read at could not be computed
            return Trace("parameter", parameter.name, None, parameter.type, parameter.span,
                         parameter.cites, problem or "not evaluated")
        try:
            value, dated, how = self.evaluator.parameter_value(parameter, when, node.span)
        except EvalError as exc:
            return Trace("parameter", parameter.name, None, parameter.type, parameter.span,
                         parameter.cites, f"not evaluated: {exc.diagnostic.message}")
        detail = f"value on {when} (from {dated.start})" + (f", indexed: {how}" if how else "")
        children = tuple(self.expr(node.at))
        return Trace("parameter", parameter.name, value, parameter.type, parameter.span,
                     parameter.cites + dated.cites, detail, children)

    def condition(self, item: ir.Condition) -> Trace:
        value, problem = self._value(item)
        exceptions = []
        waived = False
        for e in item.exceptions:
            e_value, e_problem = self._value(e)
            waived = waived or bool(e_value)
            exceptions.append(Trace("exception", "unless " + SOURCES.excerpt(e.cond.span), e_value, BOOLEAN,
                                    e.span, e.cites, e_problem, tuple(self.expr(e.cond))))
        detail = problem or ("waived by an exception" if waived else None)
        return Trace("condition", SOURCES.excerpt(item.expr.span) or "condition", value, BOOLEAN,
                     item.span, item.cites, detail, tuple(self.expr(item.expr)) + tuple(exceptions))

    def first_of(self, node: ir.FirstOf) -> list[Trace]:
        out = []
        for branch in node.branches:
            cond, problem = self._value(branch.cond)
            label = f"{SOURCES.excerpt(branch.value.span)} when {SOURCES.excerpt(branch.cond.span)}"
            if cond:
                value, _ = self._value(branch.value)
                out.append(Trace("branch", label, value, node.type,
                                 branch.span, branch.cites, "applies",
                                 tuple(self.expr(branch.cond) + self.expr(branch.value))))
                return out
            out.append(Trace("branch", label, None, node.type,
                             branch.span, branch.cites, problem or "does not apply",
                             tuple(self.expr(branch.cond))))
        if node.otherwise is not None:
            value, _ = self._value(node.otherwise)
            out.append(Trace("otherwise", "otherwise", value, node.type, node.otherwise.span, (),
                             "applies: no line above did", tuple(self.expr(node.otherwise))))
        return out


def explain(evaluator: Evaluator, env: Env, names: list[str] | None = None) -> list[Trace]:
    """The explanation trees of the outputs computed in `env`."""
    return Explainer(evaluator, env).outputs(names)


def render_line(trace: Trace) -> str:
    value = "?" if trace.value is None else display(trace.value, trace.type)
    return f"{trace.name} = {value}"
