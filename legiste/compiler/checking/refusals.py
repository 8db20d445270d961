"""Checking stage: presumptions, optional inputs, input constraints and rule errors.

A part of `UnitChecker` (check.py), over the tables of state.py. Consumes the AST of
dsl/ast_refusals.py and the `= VALUE` / `optional` of input fields; yields the IR nodes
`ir.IsGiven`, `ir.GivenOr`, `ir.RuleError` and the `ir.Requirement` declarations.

It also proves that no rule reads an optional input the case may not give: a read is
guarded by `x is given` (or `x otherwise V`) on the path that leads to it, through
`and`, `or`, `implies`, `not`, `if`, the lines of `first of` and the items of `all of` /
`any of` (which stop at the first item that decides). A `define` may read x unguarded;
each place that reads the `define` must then be guarded (E220 names the rule).
"""

from __future__ import annotations

from typing import Any, Iterable

from legiste.compiler import ir
from legiste.compiler.checking.rule_errors import NEVER
from legiste.compiler.checking.state import UnitState
from legiste.compiler.checking.typecheck import ERROR
from legiste.compiler.ir.operators import Agg, Op
from legiste.compiler.ir.types import BOOLEAN, Type, assignable, unify
from legiste.compiler.ir.walk import children, walk
from legiste.dsl import ast
from legiste.dsl.diagnostics import did_you_mean, error, warning
from legiste.dsl.span import Span

Facts = frozenset[str]  # the optional inputs surely given
_NONE: Facts = frozenset()


class RefusalChecks(UnitState):
    """`x is given`, `x otherwise V`, `error "…"`, `require` and the proof of guarded reads."""

    needs: dict[str, dict[str, Span]]  # rule id -> optional inputs it reads unguarded
    facts: dict[str, tuple[Facts, Facts]]  # boolean rule id -> given when true / when false

    # ------------------------------------------------------------------ inputs

    def presumption(self, field: ast.InputField, type_: Type, bounds: dict[str, Any]
                    ) -> tuple[Any, bool]:
        """The value an input is presumed to have, and whether it has one."""
        if field.default is None:
            return None, False
        if field.optional:
            self.report("E221", f"input '{field.name}' is both presumed and optional",
                        field.default.span, hints=["an input with `= VALUE` always has a value: "
                                                   "drop `optional`, or the presumption"])
            return None, False
        if type_ != ERROR and type_.kind in ("list", "record"):
            self.report("E221", f"a {type_.short} cannot be presumed", field.default.span,
                        hints=["a presumption is a single value: true, 0 EUR, a date, a member"])
            return None, False
        value = self._constant(field.default, type_, f"the presumption of '{field.name}'")
        if value is None:
            return None, False
        low, high = bounds.get("min"), bounds.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            self.report("E221", f"the presumption of '{field.name}' is outside its bounds",
                        field.default.span)
            return None, False
        if not field.cites:  # a rule of the law without its sentence: an error under --strict
            strict = self.config.strict
            self.diagnostics.append((error if strict else warning)(
                "E222" if strict else "W222",
                f"the presumption of '{field.name}' quotes no sentence of the law",
                field.default.span, hints=['add the sentence that presumes it: § "…"']))
        return value, True

    def _optional_input(self, name: str) -> ir.InputDecl | None:
        decl = self.inputs.get(name)
        return decl if decl is not None and decl.optional else None

    def _given_name(self, name: ast.Name, what: str) -> ir.InputDecl | None:
        """The optional input `name` names, or None (reported)."""
        text = name.text
        decl = self._optional_input(text) if len(name.parts) == 1 else None
        if decl is not None:
            return decl
        known = self.inputs.get(text)
        if known is not None:
            why = "is presumed: it always has a value" if known.presumed else \
                "is required: every case gives it"
            self.report("E221", f"{what} reads an optional input, and '{text}' {why}", name.span,
                        hints=[f"declare it `{text} : {known.type.short}, optional` if a case may "
                               "leave it out"])
        else:
            self.report("E100" if text not in self.names else "E221",
                        f"{what} reads an optional input; '{text}' is not an input", name.span,
                        hints=did_you_mean(text, [d.name for d in self.inputs.values() if d.optional]))
        return None

    # ------------------------------------------------------------------ expressions

    def expr_IsGiven(self, node: ast.IsGiven, expected: Type | None) -> ir.Expr:
        decl = self._given_name(node.name, "`is given`")
        if decl is None:
            return self._bad(node.span)
        given = ir.IsGiven(decl.name, BOOLEAN, span=node.span)
        return ir.Unary(Op.NOT, given, BOOLEAN, span=node.span) if node.negated else given

    def expr_GivenOr(self, node: ast.GivenOr, expected: Type | None) -> ir.Expr:
        if not isinstance(node.value, ast.Ref):
            self.report("E221", "`otherwise` after a value reads an optional input: write its name "
                        "before it", node.value.span, hints=["birth_date otherwise 2000-01-01"])
            return self._bad(node.span)
        decl = self._given_name(node.value.name, "`x otherwise VALUE`")
        fallback = self.expr(node.fallback, decl.type if decl else expected)
        if decl is None or fallback.type == ERROR:
            return self._bad(node.span)
        common = unify(decl.type, fallback.type)
        if common is None or not assignable(fallback.type, decl.type):
            self.report("E200", f"'{decl.name}' is {decl.type.short}, but the value after "
                        f"`otherwise` is {fallback.type.short}", node.fallback.span)
            return self._bad(node.span)
        return ir.GivenOr(decl.name, fallback, decl.type, span=node.span)

    def expr_RuleError(self, node: ast.RuleError, expected: Type | None) -> ir.Expr:
        if not self.in_progress:
            self.report("E221", "`error \"…\"` stands only in a rule (`define` or `output`)",
                        node.span, hints=["for a relation between inputs, write "
                                          "`require CONDITION \"message\"`"])
            return self._bad(node.span)
        rule = self.in_progress[-1]
        return ir.RuleError(node.message, rule, expected if expected is not None else NEVER,
                            span=node.span)

    def always_fails(self, span: Span) -> ir.Expr:
        """E221 for a rule whose every line is `error "…"`."""
        self.report("E221", "every line of this rule is `error \"…\"`: it can give no value",
                    span, hints=["add the line that gives the value: VALUE otherwise"])
        return self._bad(span)

    # ------------------------------------------------------------------ requirements

    def requirement(self, decl: ast.Requirement) -> ir.Requirement | None:
        """A `require`, checked: a condition on the inputs (and constants) only."""
        cond = self.boolean(decl.condition, "the condition of `require`")
        if cond.type == ERROR:
            return None
        for node in walk(cond):
            if isinstance(node, (ir.Local, ir.Param)):
                what = "a parameter" if isinstance(node, ir.Param) else "a rule"
                self.report("E221", f"`require` reads the inputs of a case only, and this is {what}",
                            node.span, hints=["a case the law cannot assess once its rules are "
                                              "computed is a rule error: error \"…\" when …"])
                return None
        self.report_unguarded(cond, "this `require`")
        reads = tuple(dict.fromkeys(n.name for n in walk(cond)
                                    if isinstance(n, (ir.Input, ir.IsGiven, ir.GivenOr))))
        return ir.Requirement(decl.name, cond, decl.message, reads, span=decl.span,
                              cites=self.cites(decl.cites))

    # ------------------------------------------------------------------ guarded reads

    def guard_rule(self, definition: ir.Definition) -> None:
        """Record what a rule needs given (and, if boolean, proves); an output, which every
        case computes, may need nothing."""
        if not any(d.optional for d in self.inputs.values()):
            return
        reads = self.unguarded(definition.expr, _NONE)
        self.needs[definition.id] = {}
        for name, span, via in reads:
            self.needs[definition.id].setdefault(name, span)
        if definition.type == BOOLEAN:
            self.facts[definition.id] = (self.when_true(definition.expr), self.when_false(definition.expr))
        if definition.kind == "output":
            self._report(reads, f"output '{definition.name}', which every case computes,")

    def report_unguarded(self, expr: ir.Expr, what: str) -> None:
        """E220 for each read of an optional input in `expr` that is not guarded."""
        if any(d.optional for d in self.inputs.values()):
            self._report(self.unguarded(expr, _NONE), what)

    def _report(self, reads: Iterable[tuple[str, Span, str | None]], what: str) -> None:
        for name, span, via in reads:
            through = f" through the rule '{via.rpartition('.')[2]}'" if via else ""
            self.report("E220", f"{what} reads the optional input '{name}'{through} where the "
                        "case may not give it", span,
                        hints=[f"guard it: if {name} is given then … else …, or write "
                               f"`{name} otherwise VALUE`"],
                        notes=[f"'{name}' is read at {self.needs[via][name]}"] if via else [])

    def unguarded(self, node: Any, given: Facts) -> list[tuple[str, Span, str | None]]:
        """The optional inputs `node` reads where they may be absent: (name, where, via rule)."""
        kind = type(node)
        if kind is ir.Input:
            return [] if node.name in given or self._optional_input(node.name) is None \
                else [(node.name, node.span, None)]
        if kind is ir.Local:
            return [(n, node.span, node.id) for n in self.needs.get(node.id, {}) if n not in given]
        if kind is ir.IsGiven:
            return []
        if kind is ir.GivenOr:
            return self.unguarded(node.fallback, given)
        if kind is ir.Logic:
            left = self.unguarded(node.left, given)
            after = given | (self.when_false(node.left) if node.op is Op.OR else self.when_true(node.left))
            return left + self.unguarded(node.right, after)
        if kind is ir.If:
            return (self.unguarded(node.cond, given)
                    + self.unguarded(node.then, given | self.when_true(node.cond))
                    + self.unguarded(node.otherwise, given | self.when_false(node.cond)))
        if kind is ir.FirstOf:
            out, acc = [], given
            for b in node.branches:
                out += self.unguarded(b.cond, acc) + self.unguarded(b.value, acc | self.when_true(b.cond))
                acc = acc | self.when_false(b.cond)
            return out + (self.unguarded(node.otherwise, acc) if node.otherwise is not None else [])
        if kind is ir.Aggregate and node.over is None and node.kind in (Agg.ALL, Agg.ANY):
            out, acc = [], given
            for item in node.items:
                out += self._item(item, acc)
                acc = acc | (self._item_true(item) if node.kind is Agg.ALL else self._item_false(item))
            return out + (self.unguarded(node.k, given) if node.k is not None else [])
        if kind is ir.Comprehension:
            inner = given | (self.when_true(node.where) if node.where is not None else _NONE)
            return (self.unguarded(node.source, given)
                    + (self.unguarded(node.where, given) if node.where is not None else [])
                    + self.unguarded(node.body, inner))
        return [r for child in children(node) for r in self.unguarded(child, given)]

    def _item(self, item: ir.Condition, given: Facts) -> list[tuple[str, Span, str | None]]:
        # The exceptions are read first: the condition only where none applies.
        out, acc = [], given
        for e in item.exceptions:
            out += self.unguarded(e.cond, acc)
            acc = acc | self.when_false(e.cond)
        return out + self.unguarded(item.expr, acc)

    def _item_true(self, item: ir.Condition) -> Facts:
        return self.when_true(item.expr) if not item.exceptions else _NONE

    def _item_false(self, item: ir.Condition) -> Facts:
        facts = self.when_false(item.expr)
        for e in item.exceptions:
            facts = facts | self.when_false(e.cond)
        return facts

    def when_true(self, node: Any) -> Facts:
        """The optional inputs surely given where the boolean `node` is true."""
        kind = type(node)
        if kind is ir.IsGiven:
            return frozenset({node.name})
        if kind is ir.Unary and node.op is Op.NOT:
            return self.when_false(node.operand)
        if kind is ir.Local:
            return self.facts.get(node.id, (_NONE, _NONE))[0]
        if kind is ir.Logic:
            if node.op is Op.AND:
                return self.when_true(node.left) | self.when_true(node.right)
            if node.op is Op.OR:
                return self.when_true(node.left) & self.when_true(node.right)
            return self.when_false(node.left) & self.when_true(node.right)
        if kind is ir.Aggregate and node.over is None and node.kind in (Agg.ALL, Agg.ANY):
            sets = [self._item_true(i) for i in node.items]
            if node.kind is Agg.ALL:
                return frozenset().union(*sets)
            return frozenset.intersection(*sets) if sets else _NONE
        return _NONE

    def when_false(self, node: Any) -> Facts:
        """The optional inputs surely given where the boolean `node` is false."""
        kind = type(node)
        if kind is ir.Unary and node.op is Op.NOT:
            return self.when_true(node.operand)
        if kind is ir.Local:
            return self.facts.get(node.id, (_NONE, _NONE))[1]
        if kind is ir.Logic:
            if node.op is Op.AND:
                return self.when_false(node.left) & self.when_false(node.right)
            if node.op is Op.OR:
                return self.when_false(node.left) | self.when_false(node.right)
            return self.when_true(node.left) | self.when_false(node.right)
        if kind is ir.Aggregate and node.over is None and node.kind in (Agg.ALL, Agg.ANY):
            sets = [self._item_false(i) for i in node.items]
            if node.kind is Agg.ANY:
                return frozenset().union(*sets)
            return frozenset.intersection(*sets) if sets else _NONE
        return _NONE

    def guard_invariant(self, invariant: ir.Invariant) -> None:
        """E220 for an invariant (or its `when`) that reads an optional input unguarded."""
        if not any(d.optional for d in self.inputs.values()):
            return
        given = _NONE
        if invariant.guard is not None:
            self._report(self.unguarded(invariant.guard, _NONE), "the `when` of this invariant")
            given = self.when_true(invariant.guard)
        if invariant.expr is not None:
            self._report(self.unguarded(invariant.expr, given), "this invariant")
