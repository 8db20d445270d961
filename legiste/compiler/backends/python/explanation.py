"""The explanation of a generated module: functions that rebuild, for one case, the
trace.v1 tree compiler/interpreter/explain.py builds (a node per rule, condition, `first of` branch,
parameter and input read, with its value, the law it quotes, or why it has no value).
Both write the same plan (ir/passes/explanation_plan.py): this module writes it as code.

They run only in `explain`, after the outputs are computed: each re-evaluates the
expressions of its node with the code of expressions.py, catching the errors the
interpreter's explanation notes ("not evaluated: …").
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from legiste.compiler import ir
from legiste.compiler.backends.python.expressions import ExpressionCompiler
from legiste.compiler.backends.python.syntax import comment, wrap
from legiste.compiler.ir.passes import explanation_plan as xp
from legiste.compiler.ir.types import BOOLEAN


def _helper(prefix: str) -> Callable[[Callable[..., list[str]]], Callable[..., str]]:
    """A method writing the helper function of a plan node, once: the first call names
    it (`prefix` and a number), writes its lines (the method, given the name) and keeps
    them in `blocks`; every call gives the name."""
    def decorate(write: Callable[..., list[str]]) -> Callable[..., str]:
        @functools.wraps(write)
        def named(self: "ExplanationCompiler", plan: Any) -> str:
            if id(plan) not in self.node_fn:
                fn = self.node_fn[id(plan)] = self.exprs.new_fn(prefix)
                self.blocks.append("\n".join(write(self, plan, fn)) + "\n")
            return self.node_fn[id(plan)]
        return named
    return decorate


class ExplanationCompiler:
    """The `_x…` functions of a module: the explanation of each rule, condition, branch,
    parameter read and input, written with the expressions and tables of `exprs`."""

    def __init__(self, exprs: ExpressionCompiler):
        self.exprs = exprs
        self.plan = xp.plan(exprs.program)  # what each trace shows (ir/passes/explanation_plan.py)
        self.blocks: list[str] = []           # the helpers, in the order they were made
        self.node_fn: dict[int, str] = {}     # IR node (by id) -> its helper
        # Where the element being explained is (a comprehension's variable -> its code), while
        # the helpers of a `PerElement` plan are written (see `xelements`).
        self.scope: dict[str, str] = {}

    @staticmethod
    def capture(var: str, problem: str, expr: str, indent: str) -> list[str]:
        """Evaluate an expression for the explanation: its value, or why it has none."""
        return [
            f"{indent}try:",
            f"{indent}    {var} = {expr}",
            f"{indent}    {problem} = None",
            f"{indent}except PolicyError as exc:",
            f"{indent}    {var}, {problem} = None, _not_evaluated(exc.message)",
            f"{indent}except ArithmeticError as exc:",
            f"{indent}    {var}, {problem} = None, _arith_problem(exc)",
        ]

    def xlist(self, plan: Any) -> str:
        """Python code for the list of traces a reads plan gives (explain.py `run`)."""
        kind = type(plan)
        if kind is xp.ReadInput:
            return f"[{self.exprs.input_trace_fn[plan.name]}(v)]"
        if kind is xp.ReadRule:
            return f"[{self.exprs.xrule_fn[plan.id]}(v, m, done)]"
        if kind is xp.ReadParam:
            return f"[{self.xparam(plan)}(v, m, done)]"
        if kind is xp.ReadParamPerElement:
            return (f"[_Trace('parameter', {plan.name!r}, None, {self.exprs.type_index(plan.type)}, "
                    f"{self.exprs.site(plan.span)}, {self.exprs.cite_index(plan.cites)}, "
                    f"'read at a date computed for each element', {self.xlist(plan.at_reads)})]")
        if kind is xp.Each:
            if not plan.parts:
                return "[]"
            return "_dedup([" + ", ".join("*" + self.xlist(p) for p in plan.parts) + "])"
        if kind is xp.AddNew:
            first = self.xlist(plan.first)
            rest = [self.xlist(p) for p in plan.rest]
            return f"_add_new({first}, {', '.join(rest)})" if rest else first
        if kind is xp.Conditions:
            conditions = "[" + ", ".join(f"{self.xcondition(i)}(v, m, done)" for i in plan.items) + "]"
            return conditions if plan.k is None else f"_plus_new({conditions}, {self.xlist(plan.k)})"
        if kind is xp.Choice:
            return f"{self.xfirst_of(plan)}(v, m, done)"
        if kind is xp.IfPlan:
            return f"{self.xif(plan)}(v, m, done)"
        if kind is xp.PerElement:
            return f"{self.xelements(plan)}(v, m, done)"
        if kind is xp.ElementRulePlan:
            return f"[{self.xelement_rule(plan)}(v, m, done)]"
        if kind is xp.ReadField:
            return f"[{self.xfield(plan)}(v, m, done)]"
        raise TypeError(f"no explanation for {plan!r}")  # pragma: no cover - a new plan kind

    @_helper("_xe")
    def xelements(self, plan: xp.PerElement, fn: str) -> list[str]:
        """The helper explaining each element of a comprehension's list: the element, kept
        or left out by the filter, and the record rules read of it (explain.py `elements`).
        The element is in `m[('@element', VAR)]` while its traces are made."""
        var = plan.node.var
        key = repr(("@element", var))
        lines = [f"def {fn}(v, m, done):  # each {comment(plan.label)}    ({comment(str(plan.span))})"]
        lines += self.capture("listed", "_", self.exprs.code(plan.node.source, self.scope, 0), "    ")
        lines.append("    if listed is None:")
        lines.append("        return []")
        outer = self.scope
        self.scope = {**outer, var: f"m[{key}]"}
        try:
            where = None if plan.where is None else self.exprs.code(plan.node.where, self.scope, 0)
            rules = self.xlist(plan.rules)
        finally:
            self.scope = outer
        t, site = self.exprs.type_index(plan.type), self.exprs.site(plan.span)
        lines.append(f"    outer = m.get({key}, m)")
        lines.append("    stack = done.setdefault(('@elements',), [])")
        lines.append("    out = []")
        lines.append("    try:")
        lines.append("        for i, element in enumerate(listed, 1):")
        lines.append(f"            if i > {plan.limit}:")
        lines.append(f"                out.append(_Trace('element', {plan.label + ' '!r} + str(i) + '–' + str(len(listed)), "
                     f"None, {t}, {site}, {self.exprs.cite_index(())}, "
                     f"{'not shown: the first ' + str(plan.limit) + ' elements are'!r}, []))")
        lines.append("                break")
        lines.append(f"            m[{key}] = element")
        lines.append("            stack.append({})")
        lines.append("            try:")
        lines.append("                detail = None")
        if where is not None:
            lines += self.capture("kept", "problem", where, "                ")
            lines.append(f"                detail = problem or ({'kept: ' + plan.where!r} if kept else "
                         f"{'left out: not ' + plan.where!r})")
        lines.append(f"                out.append(_Trace('element', {plan.label + ' '!r} + str(i), element, {t}, "
                     f"{site}, {self.exprs.cite_index(())}, detail, {rules}))")
        lines.append("            finally:")
        lines.append("                stack.pop()")
        lines.append("    finally:")
        lines.append("        if outer is m:")
        lines.append(f"            m.pop({key}, None)")
        lines.append("        else:")
        lines.append(f"            m[{key}] = outer")
        lines.append("    return out")
        return lines

    @_helper("_xfd")
    def xfield(self, plan: xp.ReadField, fn: str) -> list[str]:
        """The helper giving the trace of a field of the element being explained."""
        lines = [f"def {fn}(v, m, done):  # field {comment(plan.label)} of an element"]
        lines += self.capture("value", "problem", self.exprs.code(plan.node, self.scope, 0), "    ")
        lines.append(f"    return _Trace('field', {plan.label!r}, value, {self.exprs.type_index(plan.type)}, "
                     f"{self.exprs.site(plan.span)}, {self.exprs.cite_index(())}, problem, [])")
        return lines

    @_helper("_xer")
    def xelement_rule(self, plan: xp.ElementRulePlan, fn: str) -> list[str]:
        """The helper explaining a record rule of the element being explained (once per
        element, explain.py `element_rule`)."""
        key = repr(plan.node.id)
        lines = [f"def {fn}(v, m, done):  # explains the rule {comment(plan.name)} of an element",
                 "    stack = done.get(('@elements',))",
                 "    seen = stack[-1] if stack else {}",
                 f"    trace = seen.get({key})",
                 "    if trace is not None:",
                 "        return trace"]
        lines += self.capture("value", "problem", self.exprs.code(plan.node, self.scope, 0), "    ")
        lines.append(f"    trace = _Trace('define', {plan.name!r}, value, {self.exprs.type_index(plan.type)}, "
                     f"{self.exprs.site(plan.span)}, {self.exprs.cite_index(plan.cites)}, problem, "
                     f"{self.xlist(plan.reads)})")
        lines.append(f"    seen[{key}] = trace")
        lines.append("    return trace")
        return lines

    @_helper("_xc")
    def xcondition(self, plan: xp.ConditionPlan, fn: str) -> list[str]:
        """The helper explaining an item of `all of`/`any of`: its value, its exceptions."""
        lines = [f"def {fn}(v, m, done):  # condition {comment(repr(plan.label))}"]
        lines += self.capture("value", "problem", wrap(self.exprs.condition(plan.node, self.scope), 0), "    ")
        lines.append("    exceptions = []")
        lines.append("    waived = False")
        boolean = self.exprs.type_index(BOOLEAN)
        for e in plan.exceptions:
            lines += self.capture("e_value", "e_problem", self.exprs.code(e.node.cond, self.scope, 0), "    ")
            lines.append("    waived = waived or bool(e_value)")
            lines.append(f"    exceptions.append(_Trace('exception', {e.label!r}, e_value, {boolean}, "
                         f"{self.exprs.site(e.span)}, {self.exprs.cite_index(e.cites)}, e_problem, "
                         f"{self.xlist(e.reads)}))")
        lines.append("    detail = problem or ('waived by an exception' if waived else None)")
        lines.append(f"    return _Trace('condition', {plan.label!r}, value, {boolean}, {self.exprs.site(plan.span)}, "
                     f"{self.exprs.cite_index(plan.cites)}, detail, {self.xlist(plan.reads)} + exceptions)")
        return lines

    @_helper("_xf")
    def xfirst_of(self, plan: xp.Choice, fn: str) -> list[str]:
        """The helper explaining a `first of`: each line tried, up to the one that applies."""
        t = self.exprs.type_index(plan.type)
        lines = [f"def {fn}(v, m, done):  # first of    ({comment(str(plan.node.span))})", "    out = []"]
        for b in plan.branches:
            site, cites = self.exprs.site(b.span), self.exprs.cite_index(b.cites)
            lines.append(f"    # {comment(repr(b.label))}")
            lines += self.capture("cond", "problem", self.exprs.code(b.cond, self.scope, 0), "    ")
            lines.append("    if cond:")
            lines += self.capture("value", "_", self.exprs.code(b.value, self.scope, 0), "        ")
            lines.append(f"        out.append(_Trace('branch', {b.label!r}, value, {t}, {site}, {cites}, "
                         f"'applies', {self.xlist(b.cond_reads)} + {self.xlist(b.value_reads)}))")
            lines.append("        return out")
            lines.append(f"    out.append(_Trace('branch', {b.label!r}, None, {t}, {site}, {cites}, "
                         f"problem or 'does not apply', {self.xlist(b.cond_reads)}))")
        if plan.otherwise is not None:
            o = plan.otherwise
            lines += self.capture("value", "_", self.exprs.code(o.value, self.scope, 0), "    ")
            lines.append(f"    out.append(_Trace('otherwise', 'otherwise', value, {t}, "
                         f"{self.exprs.site(o.span)}, {self.exprs.cite_index(())}, "
                         f"'applies: no line above did', {self.xlist(o.reads)}))")
        lines.append("    return out")
        return lines

    @_helper("_xif")
    def xif(self, plan: xp.IfPlan, fn: str) -> list[str]:
        """The helper explaining an `if`: its condition, then the branch taken."""
        node = plan.node
        lines = [f"def {fn}(v, m, done):  # if … then … else …    ({comment(str(node.span))})"]
        lines += self.capture("cond", "problem", self.exprs.code(node.cond, self.scope, 0), "    ")
        lines.append(f"    chosen = {self.xlist(plan.then_reads)} if cond else {self.xlist(plan.else_reads)}")
        c = plan.condition
        if c is None:
            lines.append(f"    return {self.xlist(plan.cond_reads)} + chosen")
        else:
            lines.append(f"    return [_Trace({c.kind!r}, {c.label!r}, cond, {self.exprs.type_index(c.type)}, "
                         f"{self.exprs.site(c.span)}, {self.exprs.cite_index(c.cites)}, problem, "
                         f"{self.xlist(c.reads)})] + chosen")
        return lines

    @_helper("_xp")
    def xparam(self, plan: xp.ReadParam, fn: str) -> list[str]:
        """The helper explaining a parameter read: the date, the dated value, its indexation."""
        node, p = plan.node, self.exprs.program.parameter(plan.node.id)
        t, pspan = self.exprs.type_index(plan.type), self.exprs.site(plan.span)
        pcites = self.exprs.cite_index(plan.cites)
        lines = [f"def {fn}(v, m, done):  # parameter {comment(plan.name)}    ({comment(str(node.span))})"]
        if plan.when is not None:
            lines += self.capture("when", "problem", self.exprs.code(plan.when, self.scope, 0), "    ")
            lines.append("    if when is None:")
            lines.append(f"        return _Trace('parameter', {plan.name!r}, None, {t}, {pspan}, "
                         f"{pcites}, problem or 'not evaluated', [])")
        else:  # the evaluation date
            lines.append("    when = m['@as of']")
        lines.append("    try:")
        lines.append(f"        value, k, how = {self.exprs.resolve_fn[p.id]}(when, {self.exprs.site(node.span)})")
        lines.append("    except PolicyError as exc:")
        lines.append(f"        return _Trace('parameter', {plan.name!r}, None, {t}, {pspan}, "
                     f"{pcites}, _not_evaluated(exc.message), [])")
        starts = ", ".join(repr(start) for start in plan.starts)
        cites = ", ".join(str(self.exprs.cite_index(c)) for c in plan.value_cites)
        lines.append(f"    detail = 'value on ' + str(when) + ' (from ' + ({starts},)[k] + ')' + "
                     "(', indexed: ' + how if how else '')")
        lines.append(f"    return _Trace('parameter', {plan.name!r}, value, {t}, {pspan}, ({cites},)[k], "
                     f"detail, {self.xlist(plan.at_reads)})")
        return lines

    def xdefinition(self, d: ir.Definition) -> str:
        """`_xr_NAME(v, m, done)`: the trace of a rule (made once per explanation, in `done`)."""
        plan = self.plan.rules[d.id]
        fn, key = self.exprs.xrule_fn[d.id], repr(d.id)
        lines = [f"def {fn}(v, m, done):  # explains {comment(plan.kind)} {comment(plan.name)}",
                 f"    trace = done.get({key})",
                 "    if trace is not None:",
                 "        return trace"]
        lines += self.capture("value", "problem", self.exprs.code(plan.value, self.scope, 0), "    ")
        lines.append("    detail = problem")
        if plan.rounds:
            lines.append("    if value is not None and _money(value) != value:")
            lines.append("        detail = 'rounded half up to the cent from ' + _text(value)")
            lines.append("        value = _money(value)")
        lines.append(f"    trace = _Trace({plan.kind!r}, {plan.name!r}, value, {self.exprs.type_index(plan.type)}, "
                     f"{self.exprs.site(plan.span)}, {self.exprs.cite_index(plan.cites)}, detail, "
                     f"{self.xlist(plan.reads)})")
        lines.append(f"    done[{key}] = trace")
        lines.append("    return trace")
        return "\n".join(lines) + "\n"

    def xinput(self, decl: ir.InputDecl) -> str:
        """`_xi_NAME(v)`: the trace of an input."""
        plan = self.plan.inputs[decl.name]
        fn = self.exprs.input_trace_fn[decl.name]
        tail = (f"{self.exprs.type_index(plan.type)}, {self.exprs.site(plan.span)}, "
                f"{self.exprs.cite_index(plan.cites)}")
        if not (plan.presumed or plan.optional):
            return (f"def {fn}(v):\n    return _Trace('input', {plan.name!r}, v.get({plan.name!r}), "
                    f"{tail}, {plan.description!r}, [])\n")
        # a case may omit it: its presumption, or no value (as interpreter/explain.py)
        absent = (self.exprs.const(plan.default), "(presumed)") if plan.presumed else ("None", "(not given)")
        return (f"def {fn}(v):\n"
                f"    if {plan.name!r} in v:\n"
                f"        return _Trace('input', {plan.name!r}, v[{plan.name!r}], {tail}, "
                f"{plan.description!r}, [])\n"
                f"    return _Trace('input', {plan.name!r}, {absent[0]}, {tail}, "
                f"_input_detail({absent[1]!r}, {plan.description!r}), [])\n")
