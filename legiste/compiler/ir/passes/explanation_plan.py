"""The plan of every explanation (stage 3, after lowering): what a trace.v1 node shows,
decided once from the IR.

Consumes a lowered `ir.Program` (ir/passes/lowering.py); produces, for each rule, a tree
of plan nodes: the trace's kind, label, span, citations and type, the expression whose
value it shows, and the plans of its children. Which trace a rule, a condition, a
`first of` line, a parameter read or an input gives, with which label and children, is
decided here; the interpreter's explainer (interpreter/explain.py) runs the plan on an
evaluation and the Python back end (backends/python/explanation.py) writes it as code,
so both give the same tree. Only what depends on the case is left to them: the values,
the line of a `first of` or the branch of an `if` that applies, and why a value is
missing ("not evaluated: …").

A "reads" plan gives a list of traces; `Each` concatenates its parts keeping each trace
once, `AddNew` adds to a first list the traces it lacks (by equality of traces).
"""

from __future__ import annotations

from typing import Any, Union

from attrs import field, frozen

from legiste.compiler import ir
from legiste.compiler.ir.types import BOOLEAN, Type
from legiste.compiler.ir.walk import children, walk
from legiste.dsl.span import Span


def _node():
    return field(eq=False, repr=False)


@frozen(eq=False)
class ReadInput:
    """The trace of an input: its value in the case, where it is declared."""

    name: str
    type: Type
    span: Span
    cites: tuple[ir.Citation, ...]
    description: str | None
    # Where the case may omit it: its presumption (`presumed`), or `optional`.
    default: Any = None
    presumed: bool = False
    optional: bool = False


@frozen(eq=False)
class ReadRule:
    """The trace of a rule (made once per explanation)."""

    id: str


@frozen(eq=False)
class ReadParam:
    """The trace of a parameter read: its value at the date (`when`, None for the
    evaluation date), which dated value applied (`starts`, `value_cites` by dated value), how it was
    indexed; `at_reads` the traces of what the date reads."""

    node: ir.Param = _node()
    name: str = ""
    type: Type = BOOLEAN
    span: Span = field(default=None)
    cites: tuple[ir.Citation, ...] = ()
    when: Any = None
    at_reads: "Plan" = None
    starts: tuple[str, ...] = ()
    value_cites: tuple[tuple[ir.Citation, ...], ...] = ()


@frozen(eq=False)
class ReadParamPerElement:
    """A parameter read inside a comprehension at a date of each element: not evaluated."""

    name: str
    type: Type
    span: Span
    cites: tuple[ir.Citation, ...]
    at_reads: "Plan"


@frozen(eq=False)
class Each:
    """The traces of each part, in order, each trace once."""

    parts: tuple["Plan", ...]


@frozen(eq=False)
class AddNew:
    """The traces of `first` as they come, then each trace of `rest` not already there."""

    first: "Plan"
    rest: tuple["Plan", ...]


@frozen(eq=False)
class ExceptionPlan:
    node: ir.Exception_ = _node()
    label: str = ""
    span: Span = field(default=None)
    cites: tuple[ir.Citation, ...] = ()
    reads: "Plan" = None


@frozen(eq=False)
class ConditionPlan:
    """An item of `all of` / `any of`: its value, what it reads, its exceptions."""

    node: ir.Condition = _node()
    label: str = ""
    span: Span = field(default=None)
    cites: tuple[ir.Citation, ...] = ()
    reads: "Plan" = None
    exceptions: tuple[ExceptionPlan, ...] = ()


@frozen(eq=False)
class Conditions:
    """The conditions of an aggregate, then what its `k` reads that they are not."""

    items: tuple[ConditionPlan, ...]
    k: "Plan | None"


@frozen(eq=False)
class BranchPlan:
    cond: Any = _node()
    value: Any = _node()
    label: str = ""
    span: Span = field(default=None)
    cites: tuple[ir.Citation, ...] = ()
    cond_reads: "Plan" = None
    value_reads: "Plan" = None


@frozen(eq=False)
class OtherwisePlan:
    value: Any = _node()
    span: Span = field(default=None)
    reads: "Plan" = None


@frozen(eq=False)
class Choice:
    """A `first of`: each line tried in order, up to the one that applies."""

    node: ir.FirstOf = _node()
    type: Type = BOOLEAN
    branches: tuple[BranchPlan, ...] = ()
    otherwise: OtherwisePlan | None = None


@frozen(eq=False)
class Labelled:
    """A condition shown as the text it was written as (the condition of an `if`)."""

    kind: str
    label: str
    node: Any = _node()
    type: Type = BOOLEAN
    span: Span = field(default=None)
    cites: tuple[ir.Citation, ...] = ()
    reads: "Plan" = None


@frozen(eq=False)
class IfPlan:
    """An `if`: its condition (as itself when it is an input or a rule: `condition` None),
    then what the branch taken reads."""

    node: ir.If = _node()
    condition: Labelled | None = None
    cond_reads: "Plan" = None
    then_reads: "Plan" = None
    else_reads: "Plan" = None


@frozen(eq=False)
class ElementRulePlan:
    """The trace of a record rule read for the element being explained (kind "define"):
    its value and what it reads, once per element."""

    node: ir.InlinedRule = _node()
    name: str = ""
    type: Type = BOOLEAN
    span: Span = field(default=None)
    cites: tuple[ir.Citation, ...] = ()
    reads: "Plan" = None


@frozen(eq=False)
class ReadField:
    """A field of the element being explained (kind "field": a value of the case inside
    a list input, which the element's trace shows whole), as written (`age`, `c.age`)."""

    node: ir.Field = _node()
    label: str = ""
    type: Type = BOOLEAN
    span: Span = field(default=None)


@frozen(eq=False)
class PerElement:
    """The elements a comprehension goes through, each as a trace (kind "element",
    "child 2") of the record rules it reads for that element: `rules` run with the
    comprehension's variable bound to each element in turn; `where` (its filter) says
    whether the element was kept."""

    node: ir.Comprehension = _node()
    label: str = ""
    type: Type = BOOLEAN
    span: Span = field(default=None)
    where: str | None = None
    rules: "Plan" = None
    limit: int = 20  # the elements shown one by one (EXPLAINED_ELEMENTS)


@frozen(eq=False)
class RulePlan:
    """The trace of a rule: its value (`value`, before the rounding of an output amount
    when `rounds`), what it reads."""

    id: str
    kind: str
    name: str
    type: Type
    span: Span
    cites: tuple[ir.Citation, ...]
    value: Any = _node()
    rounds: bool = False
    reads: "Plan" = None


Plan = Union[ReadInput, ReadRule, ReadParam, ReadParamPerElement, Each, AddNew, Conditions,
             Choice, IfPlan, ElementRulePlan, PerElement, ReadField]
NOTHING = Each(())


# An explanation shows the first elements of a list one by one, and the others as one
# trace: a household's children all, a group practice of 780 GPs not 780 times.
EXPLAINED_ELEMENTS = 20


def excerpt(span: Span) -> str:
    """The text of the rule file at a span (the label of a condition or a line)."""
    return span.excerpt()


class Planner:
    """The plans of a lowered program's rules and inputs."""

    def __init__(self, program: ir.Program):
        self.program = program
        self.inputs = {d.name: ReadInput(d.name, d.type, d.span, d.cites, d.description,
                                         d.default, d.presumed, d.optional)
                       for d in program.policy.inputs}
        self.rules: dict[str, RulePlan] = {}
        self.element_rules = {r.id: r for u in program.units.values() for r in u.element_rules}
        for unit in program.units.values():
            for d in unit.definitions:
                self.rules[d.id] = self.rule(d)

    def rule(self, d: ir.Definition) -> RulePlan:
        rounds = isinstance(d.expr, ir.RoundToCent)
        value = d.expr.value if rounds else d.expr
        return RulePlan(d.id, d.kind, d.name, d.type, d.span, d.cites, value, rounds,
                        self.reads(value))

    def reads(self, node: Any) -> Plan:
        """What an expression reads, structured where the law is."""
        if isinstance(node, (ir.ToDecimal, ir.RoundToCent, ir.Exactly)):  # lowered: what it
            return self.reads(node.value)  # wraps reads (an exact twin reads the same)
        if isinstance(node, ir.Input):
            return self.inputs[node.name]
        if isinstance(node, (ir.IsGiven, ir.GivenOr)):  # an optional input, given or not
            return self.each((self.inputs[node.name],
                              self.reads(node.fallback) if isinstance(node, ir.GivenOr) else NOTHING))
        if isinstance(node, ir.Local):
            return ReadRule(node.id)
        if isinstance(node, ir.Param):
            return self.param(node)
        if isinstance(node, ir.Aggregate) and node.over is None:
            return Conditions(tuple(self.condition(i) for i in node.items),
                              None if node.k is None else self.reads(node.k))
        if isinstance(node, ir.Comprehension):
            # The body and the filter are computed once per element: what they read
            # besides the element is shown once, after the list they go through.
            inside = [self.static(p) for p in (node.where, node.body) if p is not None]
            inside.append(self.per_element(node))
            return AddNew(self.reads(node.source), tuple(p for p in inside if p is not NOTHING))
        if isinstance(node, ir.InlinedRule) and node.kind == "record rule":
            return self.element_rule(node)
        if isinstance(node, ir.Field) and isinstance(node.record, ir.Var):  # of the element explained
            return ReadField(node, excerpt(node.span) or node.name, node.type, node.span)
        if isinstance(node, ir.FirstOf):
            return self.choice(node)
        if isinstance(node, ir.If):
            condition = None
            if not isinstance(node.cond, (ir.Input, ir.Local)):
                condition = Labelled("condition", excerpt(node.cond.span) or "condition", node.cond,
                                     getattr(node.cond, "type", BOOLEAN), node.cond.span,
                                     node.cites, self.reads(node.cond))
            return IfPlan(node, condition, self.reads(node.cond), self.reads(node.then),
                          self.reads(node.otherwise))
        return self.each(self.reads(c) for c in children(node))

    @staticmethod
    def each(parts: Any) -> Plan:
        kept = tuple(p for p in parts if p is not NOTHING)
        return Each(kept) if kept else NOTHING

    def param(self, node: ir.Param) -> ReadParam:
        p = self.program.parameter(node.id)
        when = None if isinstance(node.at, ir.AsOf) else node.at
        return ReadParam(node, p.name, p.type, p.span, p.cites, when,
                         NOTHING if when is None else self.reads(when),
                         tuple(str(d.start) for d in p.values),
                         tuple(p.cites + d.cites for d in p.values))

    def static(self, node: Any) -> Plan:
        """What an expression inside a comprehension reads, without evaluating it (the
        element it depends on is not bound)."""
        if isinstance(node, (ir.Input, ir.Local)):
            return self.reads(node)
        if isinstance(node, (ir.IsGiven, ir.GivenOr)):
            return self.each((self.inputs[node.name],
                              self.static(node.fallback) if isinstance(node, ir.GivenOr) else NOTHING))
        if isinstance(node, ir.Exactly):
            return self.static(node.value)
        if isinstance(node, ir.Param):
            if not any(isinstance(n, ir.Var) for n in walk(node.at)):
                return self.param(node)
            p = self.program.parameter(node.id)
            return ReadParamPerElement(p.name, p.type, p.span, p.cites, self.static(node.at))
        return self.each(self.static(c) for c in children(node))

    def per_element(self, node: ir.Comprehension) -> Plan:
        """Each element of a comprehension with the record rules read of it (NOTHING when
        it reads none): "child 2", its `entitled` and what that reads."""
        rules = [n for p in (node.where, node.body) if p is not None for n in _rules_of(p, node.var)]
        if not rules:
            return NOTHING
        record = node.source.type.element
        where = None if node.where is None else excerpt(node.where.span) or "where"
        return PerElement(node, str(record.name), record, node.span, where,
                          self.each(self.element_rule(r) for r in rules), EXPLAINED_ELEMENTS)

    def element_rule(self, node: ir.InlinedRule) -> ElementRulePlan:
        rule = self.element_rules[node.id]
        return ElementRulePlan(node, rule.name, rule.type, rule.span, rule.cites, self.reads(node.value))

    def condition(self, item: ir.Condition) -> ConditionPlan:
        exceptions = tuple(ExceptionPlan(e, "unless " + excerpt(e.cond.span), e.span, e.cites,
                                         self.reads(e.cond)) for e in item.exceptions)
        return ConditionPlan(item, excerpt(item.expr.span) or "condition", item.span, item.cites,
                             self.reads(item.expr), exceptions)

    def choice(self, node: ir.FirstOf) -> Choice:
        branches = tuple(
            BranchPlan(b.cond, b.value,
                       b.label or f"{excerpt(b.value.span)} when {excerpt(b.cond.span)}",
                       b.span, b.cites, self.reads(b.cond), self.reads(b.value))
            for b in node.branches)
        otherwise = None if node.otherwise is None else OtherwisePlan(
            node.otherwise, node.otherwise.span, self.reads(node.otherwise))
        return Choice(node, node.type, branches, otherwise)


def _rules_of(node: Any, var: str) -> list[ir.InlinedRule]:
    """The record rules read of the element `var` in an expression (not those read inside
    another rule: that rule's trace shows them), in the order they are written."""
    out: list[ir.InlinedRule] = []
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, ir.InlinedRule) and n.kind == "record rule":
            if any(isinstance(x, ir.Var) and x.name == var for x in walk(n)) and n not in out:
                out.append(n)
            continue
        todo.extend(reversed(children(n)))
    return out


def plan(program: ir.Program) -> Planner:
    """The explanation plans of a lowered program (`.rules` by id, `.inputs` by name)."""
    return Planner(program)
