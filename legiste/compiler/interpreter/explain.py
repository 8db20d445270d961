"""The explanation of one decision: a tree of every value that led to the outputs,
made by running the explanation plan (ir/passes/explanation_plan.py) on an evaluation.

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
from legiste.compiler.ir.passes import explanation_plan as xp
from legiste.compiler.ir.types import BOOLEAN, Type
from legiste.compiler.runtime.errors import _not_evaluated
from legiste.compiler.runtime.forms import _input_detail
from legiste.compiler.runtime.numbers import _text
from legiste.compiler.runtime.traces import _trace_json
from legiste.compiler.runtime.values import display, money, to_json
from legiste.dsl.span import NO_SPAN, Span

TRACE_VERSION = "trace.v1"

_UNBOUND = object()


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
        """The node in trace.v1 (runtime/traces.py, as a generated module writes it)."""
        return _trace_json(self.kind, self.name,
                           None if self.value is None else to_json(self.value, self.type),
                           self.type.short, self.span.to_json(),
                           [(c.quote, c.source, c.verified) for c in self.cites], self.detail,
                           [c.to_json() for c in self.children])

    def leaves(self) -> list["Trace"]:
        if not self.children:
            return [self]
        return [leaf for c in self.children for leaf in c.leaves()]


class Explainer:
    """Runs the explanation plan (ir/passes/explanation_plan.py) on one evaluation (after
    `Evaluator.evaluate` has run): the values, the line or branch that applies, and why a
    value is missing are the case's; everything else is the plan's."""

    def __init__(self, evaluator: Evaluator, env: Env):
        self.evaluator, self.env = evaluator, env
        self.program = evaluator.program
        self.plan = _plan_of(evaluator)
        self.done: dict[str, Trace] = {}
        self.element_done: list[dict[str, Trace]] = []  # the element rules explained, per element

    def outputs(self, names: list[str] | None = None) -> list[Trace]:
        policy = self.program.policy
        wanted = names or [d.name for d in policy.outputs]
        return [self.rule(self.plan.rules[f"{policy.id}.{n}"]) for n in wanted]

    def _value(self, node: Any) -> tuple[Any, str | None]:
        try:
            return self.evaluator.value_of(node, self.env), None
        except EvalError as exc:
            return None, _not_evaluated(exc.diagnostic.message)

    def rule(self, plan: xp.RulePlan) -> Trace:
        if plan.id in self.done:
            return self.done[plan.id]
        value, detail = self._value(plan.value)
        if value is not None and plan.rounds and money(value) != value:
            detail = f"rounded half up to the cent from {_text(value)}"  # capital E, always
            value = money(value)
        trace = Trace(plan.kind, plan.name, value, plan.type, plan.span, plan.cites, detail,
                      tuple(self.run(plan.reads)))
        self.done[plan.id] = trace
        return trace

    def run(self, plan: Any) -> list[Trace]:
        """The traces a reads plan gives in this evaluation."""
        kind = type(plan)
        if kind is xp.ReadInput:
            return [self.input(plan)]
        if kind is xp.ReadRule:
            return [self.rule(self.plan.rules[plan.id])]
        if kind is xp.ReadParam:
            return [self.parameter(plan)]
        if kind is xp.ReadParamPerElement:
            return [Trace("parameter", plan.name, None, plan.type, plan.span, plan.cites,
                          "read at a date computed for each element", tuple(self.run(plan.at_reads)))]
        if kind is xp.Each:
            return _new(t for part in plan.parts for t in self.run(part))
        if kind is xp.AddNew:
            out = self.run(plan.first)
            for part in plan.rest:
                for t in self.run(part):
                    if t not in out:
                        out.append(t)
            return out
        if kind is xp.Conditions:
            out = [self.condition(item) for item in plan.items]
            return out if plan.k is None else out + [t for t in self.run(plan.k) if t not in out]
        if kind is xp.Choice:
            return self.choice(plan)
        if kind is xp.IfPlan:
            cond, problem = self._value(plan.node.cond)
            chosen = self.run(plan.then_reads if cond else plan.else_reads)
            if plan.condition is None:
                return self.run(plan.cond_reads) + chosen
            c = plan.condition
            return [Trace(c.kind, c.label, cond, c.type, c.span, c.cites, problem,
                          tuple(self.run(c.reads)))] + chosen
        if kind is xp.PerElement:
            return self.elements(plan)
        if kind is xp.ElementRulePlan:
            return [self.element_rule(plan)]
        if kind is xp.ReadField:
            value, problem = self._value(plan.node)
            return [Trace("field", plan.label, value, plan.type, plan.span, (), problem)]
        raise TypeError(f"no explanation for {plan!r}")  # pragma: no cover - a new plan kind

    def elements(self, plan: xp.PerElement) -> list[Trace]:
        """One trace per element of the comprehension's list: the record rules read of it."""
        listed, _ = self._value(plan.node.source)
        if listed is None:
            return []
        var, bound = plan.node.var, self.env.locals
        outer = bound.get(var, _UNBOUND)
        out = []
        try:
            for i, element in enumerate(listed, start=1):
                if i > plan.limit:
                    out.append(Trace("element", f"{plan.label} {i}–{len(listed)}", None, plan.type,
                                     plan.span, (), f"not shown: the first {plan.limit} elements are"))
                    break
                bound[var] = element
                self.element_done.append({})
                try:
                    detail = None
                    if plan.where is not None:
                        kept, problem = self._value(plan.node.where)
                        detail = problem or (f"kept: {plan.where}" if kept else f"left out: not {plan.where}")
                    out.append(Trace("element", f"{plan.label} {i}", element, plan.type, plan.span, (),
                                     detail, tuple(self.run(plan.rules))))
                finally:
                    self.element_done.pop()
        finally:
            if outer is _UNBOUND:
                bound.pop(var, None)
            else:
                bound[var] = outer
        return out

    def element_rule(self, plan: xp.ElementRulePlan) -> Trace:
        done = self.element_done[-1] if self.element_done else {}
        if plan.node.id in done:
            return done[plan.node.id]
        value, detail = self._value(plan.node)
        trace = Trace("define", plan.name, value, plan.type, plan.span, plan.cites, detail,
                      tuple(self.run(plan.reads)))
        done[plan.node.id] = trace
        return trace

    def input(self, plan: xp.ReadInput) -> Trace:
        """An input's value in the case, its presumption, or none (an optional input)."""
        inputs = self.env.inputs
        if plan.name in inputs:
            value, mark = inputs[plan.name], None
        elif plan.presumed:
            value, mark = plan.default, "(presumed)"
        else:
            value, mark = None, "(not given)"
        return Trace("input", plan.name, value, plan.type, plan.span, plan.cites,
                     _input_detail(mark, plan.description))

    def parameter(self, plan: xp.ReadParam) -> Trace:
        parameter = self.program.parameter(plan.node.id)
        fail = lambda why: Trace("parameter", plan.name, None, plan.type, plan.span,  # noqa: E731
                                 plan.cites, why)
        when, problem = (self.env.as_of, None) if plan.when is None else self._value(plan.when)
        if when is None:  # the date it is read at could not be computed
            return fail(problem or "not evaluated")
        try:
            value, dated, how = self.evaluator.parameter_value(parameter, when, plan.node.span)
        except EvalError as exc:
            return fail(_not_evaluated(exc.diagnostic.message))
        k = next(i for i, d in enumerate(parameter.values) if d is dated)
        detail = f"value on {when} (from {plan.starts[k]})" + (f", indexed: {how}" if how else "")
        return Trace("parameter", plan.name, value, plan.type, plan.span, plan.value_cites[k],
                     detail, tuple(self.run(plan.at_reads)))

    def condition(self, plan: xp.ConditionPlan) -> Trace:
        value, problem = self._value(plan.node)
        exceptions = []
        waived = False
        for e in plan.exceptions:
            e_value, e_problem = self._value(e.node)
            waived = waived or bool(e_value)
            exceptions.append(Trace("exception", e.label, e_value, BOOLEAN, e.span, e.cites,
                                    e_problem, tuple(self.run(e.reads))))
        detail = problem or ("waived by an exception" if waived else None)
        return Trace("condition", plan.label, value, BOOLEAN, plan.span, plan.cites, detail,
                     tuple(self.run(plan.reads)) + tuple(exceptions))

    def choice(self, plan: xp.Choice) -> list[Trace]:
        out = []
        for b in plan.branches:
            cond, problem = self._value(b.cond)
            if cond:
                value, _ = self._value(b.value)
                out.append(Trace("branch", b.label, value, plan.type, b.span, b.cites, "applies",
                                 tuple(self.run(b.cond_reads) + self.run(b.value_reads))))
                return out
            out.append(Trace("branch", b.label, None, plan.type, b.span, b.cites,
                             problem or "does not apply", tuple(self.run(b.cond_reads))))
        if plan.otherwise is not None:
            o = plan.otherwise
            value, _ = self._value(o.value)
            out.append(Trace("otherwise", "otherwise", value, plan.type, o.span, (),
                             "applies: no line above did", tuple(self.run(o.reads))))
        return out


def _new(traces: Any) -> list[Trace]:
    out: list[Trace] = []
    for t in traces:
        if t not in out:
            out.append(t)
    return out


def _plan_of(evaluator: Evaluator) -> xp.Planner:
    """The explanation plan of the evaluator's program, made on its first explanation."""
    planned = getattr(evaluator, "_explanation_plan", None)
    if planned is None:
        planned = evaluator._explanation_plan = xp.plan(evaluator.program)
    return planned


def explain(evaluator: Evaluator, env: Env, names: list[str] | None = None) -> list[Trace]:
    """The explanation trees of the outputs computed in `env`."""
    return Explainer(evaluator, env).outputs(names)


def render_line(trace: Trace) -> str:
    value = "?" if trace.value is None else display(trace.value, trace.type)
    return f"{trace.name} = {value}"
