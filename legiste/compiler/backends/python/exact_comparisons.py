"""Comparisons that involve a quotient, compiled to Python: the exact rationals of
ir.Exactly and the Rat… nodes (compiler/ir/passes/exact_comparisons.py lowers them), and
the comparison of a quotient rounded once, written in line (`compared_once`).

A mixin of `ExpressionCompiler` (expressions.py), whose `code` and `seq` it calls; the
runtime functions it names (`_then`, `_mean`, `_F`) are in compiler/runtime/exact.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from legiste.compiler import ir
from legiste.compiler.backends.python.syntax import (CMP, P_ADD, P_CMP, P_IF, P_MUL, P_NOT, P_OR,
                                                     P_POSTFIX)
from legiste.compiler.ir.operators import Op
from legiste.compiler.runtime.exact import _fits

_PY_OPERATOR = {Op.EQ: "_operator.eq", Op.NE: "_operator.ne", Op.LT: "_operator.lt",
                Op.LE: "_operator.le", Op.GT: "_operator.gt", Op.GE: "_operator.ge"}


class ExactComparisons:
    """Code for the exact side of a comparison with a quotient."""

    code: Callable[..., str]
    seq: Callable[..., str]
    facts: Any  # ir.passes.analysis.RuleFacts
    counter: int

    def compared_once(self, node: ir.Compare, side: ir.Exactly, other: Any, left_side: bool,
                      scope: dict[str, str]) -> tuple[str, int]:
        """runtime/exact.py's `_cmp_once` written in line: `q OP n if q != n and n fits in
        28 digits else EXACT OP n`, each operand evaluated once and in its order, the exact
        rational only where the Decimals cannot decide, and no call or closure on the
        common path. The test that `n` fits is left out where it surely does (a constant,
        a bounded whole number); where no assignment expression may stand (a
        comprehension's iterable), the runtime function is called instead."""
        q, r = self.code(side.value, scope, 1), self.code(other, scope, 1)
        if " no walrus" in scope:
            fn = f"lambda: {self.code(side.exact, scope, 0)}"
            if isinstance(side.exact, ir.RatMean):
                values = self.seq(side.exact.values, scope)
                if values.isidentifier():
                    fn = f"_mean, {values}"  # a function and its argument: no closure
            if left_side:
                return f"_cmp_once({q}, {r}, {_PY_OPERATOR[node.op]}, {fn})", P_POSTFIX
            return f"_cmp_once_right({r}, {q}, {_PY_OPERATOR[node.op]}, {fn})", P_POSTFIX
        self.counter += 1
        qv, nv, sym = f"_q{self.counter}", f"_n{self.counter}", CMP[node.op]
        exact = self.code(side.exact, scope, P_CMP + 1)
        if left_side:
            test = f"({qv} := {q}) != ({nv} := {r})"
            decided, exactly = f"{qv} {sym} {nv}", f"{exact} {sym} {nv}"
        else:
            test = f"({nv} := {r}) != ({qv} := {q})"
            decided, exactly = f"{nv} {sym} {qv}", f"{nv} {sym} {exact}"
        fits = self.fits_test(other, nv)
        if fits:
            test += f" and {fits}"
        return f"{decided} if {test} else {exactly}", P_IF

    def fits_test(self, node: Any, name: str) -> str | None:
        """Code testing that the value of `node`, held in `name`, is exact in 28 digits
        (runtime/exact.py `_fits`); None where it surely is."""
        const = self.facts.in_place(node)
        if isinstance(const, ir.Const) and type(const.value) in (int, Decimal) \
                and _fits(const.value):
            return None
        bounds = self.facts.int_range(node)
        if bounds is not None and _fits(bounds[0]) and _fits(bounds[1]):
            return None
        # _fits without the call (the context rounds a whole number of more than 28
        # digits too, so this holds for an int as for a Decimal)
        return f"_CONTEXT.plus({name}) == {name}"

    def _Exactly(self, node: ir.Exactly, scope: dict[str, str]) -> tuple[str, int]:
        # the operand as always (its errors), then its exact rational value
        return f"_then({self.code(node.value, scope, 1)}, {self.code(node.exact, scope, 1)})", P_POSTFIX

    def _RatOf(self, node: ir.RatOf, scope: dict[str, str]) -> tuple[str, int]:
        return f"_F({self.code(node.value, scope, 1)})", P_POSTFIX

    def _RatArith(self, node: ir.RatArith, scope: dict[str, str]) -> tuple[str, int]:
        prec = P_MUL if node.op in (Op.MUL, Op.DIV) else P_ADD
        left = self.code(node.left, scope, prec)
        return f"{left} {node.op.symbol} {self.code(node.right, scope, prec + 1)}", prec

    def _RatMean(self, node: ir.RatMean, scope: dict[str, str]) -> tuple[str, int]:
        return f"_mean({self.seq(node.values, scope)})", P_POSTFIX

    def _RatIf(self, node: ir.RatIf, scope: dict[str, str]) -> tuple[str, int]:
        cond = self.code(node.cond, scope, P_OR)
        then = self.code(node.then, scope, P_NOT)
        return f"{then} if {cond} else {self.code(node.otherwise, scope, P_IF)}", P_IF
