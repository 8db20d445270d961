"""The explanation of a generated module: functions that rebuild, for one case, the
trace.v1 tree compiler/interpreter/explain.py builds (a node per rule, condition, `first of` branch,
parameter and input read, with its value, the law it quotes, or why it has no value).

They run only in `explain`, after the outputs are computed: each re-evaluates the
expressions of its node with the code of expressions.py, catching the errors the
interpreter's explanation notes ("not evaluated: …").
"""

from __future__ import annotations

from typing import Any

from legiste.compiler import ir
from legiste.compiler.backends.python.expressions import ExpressionCompiler
from legiste.compiler.backends.python.syntax import comment, wrap
from legiste.compiler.ir.types import BOOLEAN
from legiste.compiler.ir.walk import children, walk
from legiste.dsl.span import SOURCES, Span

class ExplanationCompiler:
    """The `_x…` functions of a module: the explanation of each rule, condition, branch,
    parameter read and input, written with the expressions and tables of `exprs`."""

    def __init__(self, exprs: ExpressionCompiler):
        self.exprs = exprs
        self.blocks: list[str] = []           # the helpers, in the order they were made
        self.node_fn: dict[int, str] = {}     # IR node (by id) -> its helper

    @staticmethod
    def capture(var: str, problem: str, expr: str, indent: str) -> list[str]:
        """Evaluate an expression for the explanation: its value, or why it has none."""
        return [
            f"{indent}try:",
            f"{indent}    {var} = {expr}",
            f"{indent}    {problem} = None",
            f"{indent}except PolicyError as exc:",
            f"{indent}    {var}, {problem} = None, 'not evaluated: ' + exc.message",
            f"{indent}except ArithmeticError as exc:",
            f"{indent}    {var}, {problem} = None, _arith_problem(exc)",
        ]

    def xlist(self, node: Any) -> str:
        """Python code for the list of traces of what an expression reads (explain.py `expr`)."""
        if isinstance(node, (ir.ToDecimal, ir.RoundToCent)):  # lowered: reads what it wraps
            return self.xlist(node.value)
        if isinstance(node, ir.Input):
            return f"[{self.exprs.input_trace_fn[node.name]}(v)]"
        if isinstance(node, ir.Local):
            return f"[{self.exprs.xrule_fn[node.id]}(v, m, done)]"
        if isinstance(node, ir.Param):
            return f"[{self.xparam(node)}(v, m, done)]"
        if isinstance(node, ir.Aggregate) and node.over is None:
            conditions = "[" + ", ".join(f"{self.xcondition(i)}(v, m, done)" for i in node.items) + "]"
            if node.k is None:
                return conditions
            return f"_plus_new({conditions}, {self.xlist(node.k)})"
        if isinstance(node, ir.Comprehension):
            # the list it goes through, then what its filter and body read (not evaluated)
            reads = [self.xreads(p) for p in (node.where, node.body) if p is not None]
            reads = [r for r in reads if r != "[]"]
            source = self.xlist(node.source)
            return f"_add_new({source}, {', '.join(reads)})" if reads else source
        if isinstance(node, ir.FirstOf):
            return f"{self.xfirst_of(node)}(v, m, done)"
        if isinstance(node, ir.If):
            return f"{self.xif(node)}(v, m, done)"
        parts = [p for p in (self.xlist(c) for c in children(node)) if p != "[]"]
        if not parts:
            return "[]"
        return "_dedup([" + ", ".join("*" + p for p in parts) + "])"

    def xreads(self, node: Any) -> str:
        """Python code for the traces of what an expression inside a comprehension reads,
        without evaluating it (explain.py `_reads`)."""
        if isinstance(node, (ir.Input, ir.Local)):
            return self.xlist(node)
        if isinstance(node, ir.Param):
            if not any(isinstance(n, ir.Var) for n in walk(node.at)):
                return f"[{self.xparam(node)}(v, m, done)]"
            p = self.exprs.program.parameter(node.id)
            return (f"[_Trace('parameter', {p.name!r}, None, {self.exprs.type_index(p.type)}, "
                    f"{self.exprs.site(p.span)}, {self.exprs.cite_index(p.cites)}, "
                    f"'read at a date computed for each element', {self.xreads(node.at)})]")
        parts = [r for r in (self.xreads(c) for c in children(node)) if r != "[]"]
        if not parts:
            return "[]"
        return "_dedup([" + ", ".join("*" + r for r in parts) + "])"

    def excerpt(self, span: Span) -> str:
        """The text of the rule file at a span (the name of a condition or a branch)."""
        return SOURCES.excerpt(span)

    def xcondition(self, item: ir.Condition) -> str:
        """The helper explaining an item of `all of`/`any of`: its value, its exceptions."""
        if id(item) in self.node_fn:
            return self.node_fn[id(item)]
        fn = self.exprs.new_fn("_xc")
        self.node_fn[id(item)] = fn
        name = self.excerpt(item.expr.span) or "condition"
        lines = [f"def {fn}(v, m, done):  # condition {comment(repr(name))}"]
        lines += self.capture("value", "problem", self.code_of_condition(item), "    ")
        lines.append("    exceptions = []")
        lines.append("    waived = False")
        boolean = self.exprs.type_index(BOOLEAN)
        for e in item.exceptions:
            ename = "unless " + self.excerpt(e.cond.span)
            lines += self.capture("e_value", "e_problem", self.exprs.code(e.cond, {}, 0), "    ")
            lines.append("    waived = waived or bool(e_value)")
            lines.append(f"    exceptions.append(_Trace('exception', {ename!r}, e_value, {boolean}, "
                         f"{self.exprs.site(e.span)}, {self.exprs.cite_index(e.cites)}, e_problem, "
                         f"{self.xlist(e.cond)}))")
        lines.append("    detail = problem or ('waived by an exception' if waived else None)")
        lines.append(f"    return _Trace('condition', {name!r}, value, {boolean}, {self.exprs.site(item.span)}, "
                     f"{self.exprs.cite_index(item.cites)}, detail, {self.xlist(item.expr)} + exceptions)")
        self.blocks.append("\n".join(lines) + "\n")
        return fn

    def code_of_condition(self, item: ir.Condition) -> str:
        """The code of an item of `all of`/`any of`, its exceptions first."""
        return wrap(self.exprs.condition(item, {}), 0)

    def xfirst_of(self, node: ir.FirstOf) -> str:
        """The helper explaining a `first of`: each line tried, up to the one that applies."""
        if id(node) in self.node_fn:
            return self.node_fn[id(node)]
        fn = self.exprs.new_fn("_xf")
        self.node_fn[id(node)] = fn
        t = self.exprs.type_index(node.type)
        lines = [f"def {fn}(v, m, done):  # first of    ({comment(str(node.span))})", "    out = []"]
        for branch in node.branches:
            name = f"{self.excerpt(branch.value.span)} when {self.excerpt(branch.cond.span)}"
            site, cites = self.exprs.site(branch.span), self.exprs.cite_index(branch.cites)
            lines.append(f"    # {comment(repr(name))}")
            lines += self.capture("cond", "problem", self.exprs.code(branch.cond, {}, 0), "    ")
            lines.append("    if cond:")
            lines += self.capture("value", "_", self.exprs.code(branch.value, {}, 0), "        ")
            lines.append(f"        out.append(_Trace('branch', {name!r}, value, {t}, {site}, {cites}, "
                         f"'applies', {self.xlist(branch.cond)} + {self.xlist(branch.value)}))")
            lines.append("        return out")
            lines.append(f"    out.append(_Trace('branch', {name!r}, None, {t}, {site}, {cites}, "
                         f"problem or 'does not apply', {self.xlist(branch.cond)}))")
        if node.otherwise is not None:
            lines += self.capture("value", "_", self.exprs.code(node.otherwise, {}, 0), "    ")
            lines.append(f"    out.append(_Trace('otherwise', 'otherwise', value, {t}, "
                         f"{self.exprs.site(node.otherwise.span)}, {self.exprs.cite_index(())}, "
                         f"'applies: no line above did', {self.xlist(node.otherwise)}))")
        lines.append("    return out")
        self.blocks.append("\n".join(lines) + "\n")
        return fn

    def xif(self, node: ir.If) -> str:
        """The helper explaining an `if`: its condition, then the branch taken."""
        if id(node) in self.node_fn:
            return self.node_fn[id(node)]
        fn = self.exprs.new_fn("_xif")
        self.node_fn[id(node)] = fn
        lines = [f"def {fn}(v, m, done):  # if … then … else …    ({comment(str(node.span))})"]
        lines += self.capture("cond", "problem", self.exprs.code(node.cond, {}, 0), "    ")
        lines.append(f"    chosen = {self.xlist(node.then)} if cond else {self.xlist(node.otherwise)}")
        if isinstance(node.cond, (ir.Input, ir.Local)):
            lines.append(f"    return {self.xlist(node.cond)} + chosen")
        else:
            text = self.excerpt(node.cond.span) or "condition"
            t = self.exprs.type_index(getattr(node.cond, "type", BOOLEAN))
            lines.append(f"    return [_Trace('condition', {text!r}, cond, {t}, {self.exprs.site(node.cond.span)}, "
                         f"{self.exprs.cite_index(node.cites)}, problem, {self.xlist(node.cond)})] + chosen")
        self.blocks.append("\n".join(lines) + "\n")
        return fn

    def xparam(self, node: ir.Param) -> str:
        """The helper explaining a parameter read: the date, the dated value, its indexation."""
        if id(node) in self.node_fn:
            return self.node_fn[id(node)]
        fn = self.exprs.new_fn("_xp")
        self.node_fn[id(node)] = fn
        p = self.exprs.program.parameter(node.id)
        t, pspan = self.exprs.type_index(p.type), self.exprs.site(p.span)
        lines = [f"def {fn}(v, m, done):  # parameter {comment(p.name)}    ({comment(str(node.span))})"]
        if not isinstance(node.at, ir.AsOf):  # lowered: the evaluation date when none is written
            lines += self.capture("when", "problem", self.exprs.code(node.at, {}, 0), "    ")
            lines.append("    if when is None:")
            lines.append(f"        return _Trace('parameter', {p.name!r}, None, {t}, {pspan}, "
                         f"{self.exprs.cite_index(p.cites)}, problem or 'not evaluated', [])")
        else:
            lines.append("    when = m['@as of']")
        lines.append("    try:")
        lines.append(f"        value, k, how = {self.exprs.resolve_fn[p.id]}(when, {self.exprs.site(node.span)})")
        lines.append("    except PolicyError as exc:")
        lines.append(f"        return _Trace('parameter', {p.name!r}, None, {t}, {pspan}, "
                     f"{self.exprs.cite_index(p.cites)}, 'not evaluated: ' + exc.message, [])")
        starts = ", ".join(repr(str(d.start)) for d in p.values)
        cites = ", ".join(str(self.exprs.cite_index(p.cites + d.cites)) for d in p.values)
        lines.append(f"    detail = 'value on ' + str(when) + ' (from ' + ({starts},)[k] + ')' + "
                     "(', indexed: ' + how if how else '')")
        children = self.xlist(node.at)
        lines.append(f"    return _Trace('parameter', {p.name!r}, value, {t}, {pspan}, ({cites},)[k], "
                     f"detail, {children})")
        self.blocks.append("\n".join(lines) + "\n")
        return fn

    def xdefinition(self, d: ir.Definition) -> str:
        """`_xr_NAME(v, m, done)`: the trace of a rule (made once per explanation, in `done`)."""
        fn, key = self.exprs.xrule_fn[d.id], repr(d.id)
        lines = [f"def {fn}(v, m, done):  # explains {comment(d.kind)} {comment(d.name)}",
                 f"    trace = done.get({key})",
                 "    if trace is not None:",
                 "        return trace"]
        rounds = isinstance(d.expr, ir.RoundToCent)  # lowered: an output amount
        expr = d.expr.value if rounds else d.expr
        lines += self.capture("value", "problem", self.exprs.code(expr, {}, 0), "    ")
        lines.append("    detail = problem")
        if rounds:
            lines.append("    if value is not None and _money(value) != value:")
            lines.append("        detail = 'rounded half up to the cent from ' + str(value)")
            lines.append("        value = _money(value)")
        lines.append(f"    trace = _Trace({d.kind!r}, {d.name!r}, value, {self.exprs.type_index(d.type)}, "
                     f"{self.exprs.site(d.span)}, {self.exprs.cite_index(d.cites)}, detail, {self.xlist(expr)})")
        lines.append(f"    done[{key}] = trace")
        lines.append("    return trace")
        return "\n".join(lines) + "\n"

    def xinput(self, decl: ir.InputDecl) -> str:
        """`_xi_NAME(v)`: the trace of an input."""
        fn = self.exprs.input_trace_fn[decl.name]
        return (f"def {fn}(v):\n    return _Trace('input', {decl.name!r}, v.get({decl.name!r}), "
                f"{self.exprs.type_index(decl.type)}, {self.exprs.site(decl.span)}, {self.exprs.cite_index(decl.cites)}, "
                f"{decl.description!r}, [])\n")
