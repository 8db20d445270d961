"""Python backend: one function per rule and per parameter of the generated module.

Consumes the checked `ir.Definition` and `ir.Parameter` values of an `ir.Program` and,
through `ExpressionCompiler` (expressions.py), writes their Python functions: memoised
or not, with a fast form where one is safe, amounts rounded to the cent.
"""

from __future__ import annotations

import textwrap
from typing import Any

from legiste.compiler import ir
from legiste.compiler.backends.python.expressions import ExpressionCompiler
from legiste.compiler.backends.python.syntax import P_AND, P_OR, comment
from legiste.compiler.ir.operators import Agg
from legiste.compiler.runtime.numbers import _text


class RuleFunctions(ExpressionCompiler):
    """Writes the function of each rule (`define`, `output`) and parameter."""

    def header_comment(self, d: ir.Definition) -> list[str]:
        """The comment above a rule's function: what it is, where, the law it quotes."""
        lines = [f"# {d.kind} {comment(d.name)} : {comment(d.type.short)}    ({comment(str(d.span))})"]
        for c in d.cites:
            lines.append(f"# § {comment(repr(c.quote))}  [{comment(c.source)}]")
        for note in d.notes:
            lines.append(f"# note: {comment(note)}")
        return lines

    def definition(self, d: ir.Definition, memo: bool) -> str:
        """The function of a rule, `rule_NAME(v, m)`: its value, stored in `m` if memoised."""
        fn, key, site = self.rule_fn[d.id], repr(self.memo_key[d.id]), self.site(d.span)
        lines = self.header_comment(d)
        if d.id in self.inlined:
            lines.append("# (read in place where other rules use it: a small rule that cannot fail)")
        lines.append(f"def {fn}(v, m):")
        rounds = isinstance(d.expr, ir.RoundToCent)  # lowered: an output amount
        # lowered: a whole number where a decimal is declared, made a Decimal after the fact
        coerces = isinstance(d.expr, ir.ToDecimal)
        expr = d.expr.value if coerces else d.expr
        counter = self.counter
        body = self.assignment(d, expr)
        self.counter = counter  # the same names in both forms, so that they compare equal
        self.fast = True
        try:
            fast = self.assignment(d, expr)
        finally:
            self.fast = False
        lines.append("    try:")
        if rounds:
            lines.append("        # an output amount: half up to the cent (in each branch)")
        if fast != body:
            # Roundings of computed amounts as one quantize; if one fails (more digits than
            # the context holds), the same expression again with the exact 60-digit rounding.
            lines.append("        try:")
            lines.append(textwrap.indent(fast, "    "))
            lines.append("        except (ArithmeticError, AttributeError):  # the exact path")
            lines.append(textwrap.indent(body, "    "))
        else:
            lines.append(body)
        if coerces:
            lines.append("        if isinstance(value, int):  # a whole number where a decimal is declared")
            lines.append("            value = _D(value)")
        lines.append("    except ArithmeticError as exc:")
        lines.append(f"        raise _arith_error(exc, {site}, {d.name!r}) from None")
        if memo:
            lines.append(f"    m[{key}] = value  # memoised: other rules read m[{key}]")
        lines.append("    return value")
        return "\n".join(lines) + "\n"

    def assignment(self, d: ir.Definition, expr: Any) -> str:
        """The statements that set `value` to a rule's value, indented for a function's
        `try:` block: `value = EXPRESSION`, or, for a rule that counts the elements of a
        list meeting a test, a loop (no list built, no comprehension called)."""
        node = self.facts.in_place(expr)
        if isinstance(node, ir.Aggregate) and node.kind is Agg.COUNT and node.over is not None:
            over = self.facts.in_place(node.over)
            if isinstance(over, ir.Comprehension) and d.type.kind == "integer":
                return self.count_loop(over)
        if isinstance(node, ir.Call) and node.func.name == "size" and d.type.kind == "integer":
            # `count of [e for each e in list where TEST]`: the elements kept, counted; their
            # values are not built, so only where building one cannot fail
            over = self.facts.in_place(node.args[0])
            if isinstance(over, ir.Comprehension) and over.where is not None \
                    and self.facts.cannot_fail(over.body):
                return self.count_loop(over, tests=[over.where])
        return f"        value = {self.top_expr(expr, '            ')}"

    def count_loop(self, node: ir.Comprehension, tests: list[Any] | None = None) -> str:
        """`count of [BODY for each VAR in SOURCE where WHERE]` as a loop: the same tests,
        in the same order, on the same elements (`tests`: the filter alone, for the size
        of a filtered list)."""
        var = self.comprehension_var(node)
        inner = {node.var: var}
        if tests is None:
            tests = [t for t in (node.where, node.body) if t is not None]
        test = " and ".join(self.code(t, inner, P_AND + 1 if len(tests) > 1 else 0) for t in tests)
        return (f"        value = 0\n"
                f"        for {var} in {self.code(node.source, {}, P_OR)}:\n"
                f"            if {test}:\n"
                f"                value += 1")

    def top_expr(self, node: Any, indent: str) -> str:
        """The expression of a definition, laid out line by line where the law is."""
        if isinstance(node, ir.RoundToCent) and isinstance(node.value, ir.FirstOf) \
                and node.value.branches:  # an output amount: rounded in each line
            lines = self.first_of(node.value, {}, lambda n: self.rounded(n, {}), comments=True)
            return "(\n" + "\n".join(indent + line for line in lines) + "\n" + indent[:-4] + ")"
        if isinstance(node, ir.Aggregate) and node.over is None and node.kind.joins \
                and len(node.items) > 1:
            op, prec = node.kind.joins, (P_AND if node.kind is Agg.ALL else P_OR)
            texts = self.chain(node.items, {}, prec)
            lines = []
            for i, (item, text) in enumerate(zip(node.items, texts)):
                quote = f"  # § {comment(repr(item.cites[0].quote))}" if item.cites else ""
                lines.append(f"{indent}{'' if i == 0 else op + ' '}{text}{quote}")
            return "(\n" + "\n".join(lines) + "\n" + indent[:-4] + ")"
        if isinstance(node, ir.FirstOf) and node.branches:
            lines = self.first_of(node, {}, lambda n: self.expr(n, {}), comments=True)
            return "(\n" + "\n".join(indent + line for line in lines) + "\n" + indent[:-4] + ")"
        return self.code(node, {}, 0)

    def parameter(self, p: ir.Parameter) -> str:
        """The functions of a parameter: `_resolve_NAME(when, site)` (the value on a date,
        which dated value it is, how it was indexed) and `param_NAME(when, site)` (the
        value, cached per date)."""
        fn, resolve = self.param_fn[p.id], self.resolve_fn[p.id]
        cache = self.param_cache[p.id]
        self.param_caches.append(cache)
        lines = [f"# parameter {comment(p.name)} : {comment(p.type.short)}    ({comment(str(p.span))})"]
        if p.description:
            lines.append(f"# {comment(repr(p.description))}")
        for c in p.cites:
            lines.append(f"# § {comment(repr(c.quote))}")
        lines.append(f"def {resolve}(when, site):")
        lines.append("    # (value, which dated value, how it was indexed) on `when`")
        first = p.values[0].start if p.values else None
        for k in reversed(range(len(p.values))):
            dated = p.values[k]
            keyword_ = "if" if k == len(p.values) - 1 else "elif"
            span = f"until {dated.end}" if dated.end else "onwards"
            lines.append(f"    {keyword_} when >= {self.const(dated.start)}:  # from {dated.start} {span}")
            if dated.end is not None:
                reason = f"its value from {dated.start} ended on {dated.end}"
                lines.append(f"        if when > {self.const(dated.end)}:")
                lines.append(f"            raise _no_value({p.name!r}, {str(p.span)!r}, when, "
                             f"{reason!r}, site)")
            if dated.index is None:
                lines.append(f"        return {self.const(dated.value)}, {k}, None")
                continue
            series = self.program.series(dated.index)
            period_fn = "_period_yearly" if series.period == "yearly" else "_period_monthly"
            base_period = (str(dated.start.year) if series.period == "yearly"
                           else f"{dated.start.year}-{dated.start.month:02d}")
            lines.append(f"        base = _index({series.id!r}, {base_period!r}, site)")
            lines.append(f"        period = {period_fn}(when)")
            lines.append(f"        index = _index({series.id!r}, period, site)")
            lines.append(f"        value = _indexed({self.const(dated.value)}, index, base, "
                         f"{p.type.kind == 'money'}, {p.name!r}, {series.name!r}, "
                         f"{base_period!r}, {str(series.span)!r}, site)")
            how_head = f"{_text(dated.value)} × {series.name}["
            how_tail = f" / {series.name}[{base_period}] "
            lines.append(f"        return value, {k}, ({how_head!r} + period + '] ' + _text(index) + "
                         f"{how_tail!r} + _text(base))")
        if first is not None:
            reason = f"its first value applies from {first}"
            lines.append(f"    raise _no_value({p.name!r}, {str(p.span)!r}, when, {reason!r}, site)")
        else:  # pragma: no cover - the checker requires a dated value
            lines.append("    raise AssertionError('no dated value')")
        lines.append("")
        lines.append(f"{cache} = {{}}")
        lines.append("")
        lines.append("")
        lines.append(f"def {fn}(when, site):")
        lines.append(f"    value = {cache}.get(when)")
        lines.append("    if value is None:")
        lines.append(f"        value = {resolve}(when, site)[0]")
        lines.append(f"        if len({cache}) > 100_000:")
        lines.append(f"            {cache}.clear()")
        lines.append(f"        {cache}[when] = value")
        lines.append("    return value")
        return "\n".join(lines) + "\n"
