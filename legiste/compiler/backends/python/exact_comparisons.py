"""Comparisons that involve a quotient, compiled to Python: the exact rationals of
ir.Exactly and the Rat… nodes (compiler/ir/passes/exact_comparisons.py lowers them).

A mixin of `ExpressionCompiler` (expressions.py), whose `code` and `seq` it calls; the
runtime functions it names (`_then`, `_mean`, `_F`) are in compiler/runtime/exact.py.
"""

from __future__ import annotations

from typing import Callable

from legiste.compiler import ir
from legiste.compiler.backends.python.syntax import P_ADD, P_IF, P_MUL, P_NOT, P_OR, P_POSTFIX
from legiste.compiler.ir.operators import Op


class ExactComparisons:
    """Code for the exact side of a comparison with a quotient."""

    code: Callable[..., str]
    seq: Callable[..., str]

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
