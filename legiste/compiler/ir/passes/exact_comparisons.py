"""Lowering pass (stage 3, after coercion): no comparison is decided by a rounded quotient.

Consumes lowered IR expressions and the program's rules; produces the same expressions
where each operand of a comparison (`=`, `<`, …, `between`) that involves a quotient (a
division or an average, written in the comparison or in a rule it reads) is an
`ir.Exactly` (the other operands stay: Python compares a Decimal with a rational exactly): the operand as before, then the same quantity computed with exact
rationals (`ir.RatOf`, `RatArith`, `RatMean`, `RatIf`; the rules it reads inlined). So
`average(["20", "19.99999999999999999999999999"]) >= 20` is false, as in mathematics,
although the 28-digit Decimal average is 20; and `share >= 1 / 3` compares with a third,
not with 0.3333333333333333333333333333.

The operand is still evaluated first: an error (a division by zero, a value missing)
is the one it always was; only the comparison's answer becomes exact.
"""

from __future__ import annotations

from typing import Any

from legiste.compiler import ir
from legiste.compiler.ir.operators import Impl, Op
from legiste.compiler.ir.walk import transform

_NUMBERS = ("integer", "decimal", "rate", "money")


class ExactComparisons:
    """Rewrites the comparisons of a program's expressions (see the module docstring)."""

    def __init__(self, definitions: dict[str, ir.Definition]):
        self.definitions = definitions
        self.quotients: dict[str, bool] = {}

    def has_quotient(self, node: Any) -> bool:
        """Whether the exact value of a number differs from its Decimal value: a division
        or an average, through arithmetic, `if` and the rules read."""
        if isinstance(node, ir.Arith):
            return node.impl is Impl.NUM and (
                node.op is Op.DIV or self.has_quotient(node.left) or self.has_quotient(node.right))
        if isinstance(node, ir.Call):
            return node.func.name == "average"
        if isinstance(node, (ir.Unary, ir.ToDecimal, ir.InlinedRule)):
            return self.has_quotient(node.operand if isinstance(node, ir.Unary) else node.value)
        if isinstance(node, ir.If):
            return self.has_quotient(node.then) or self.has_quotient(node.otherwise)
        if isinstance(node, ir.Local):
            if node.id not in self.quotients:
                d = self.definitions[node.id]
                self.quotients[node.id] = d.type.kind in _NUMBERS and self.has_quotient(d.expr)
            return self.quotients[node.id]
        return False

    def exact(self, node: Any) -> Any:
        """The exact rational tree of a number (see `has_quotient`)."""
        if not self.has_quotient(node):
            return ir.RatOf(node, node.type, span=node.span)
        if isinstance(node, ir.Arith):
            return ir.RatArith(node.op, self.exact(node.left), self.exact(node.right), node.type,
                               span=node.span)
        if isinstance(node, ir.Call):  # average
            return ir.RatMean(node.args[0], node.type, span=node.span)
        if isinstance(node, ir.Unary):  # -x = 0 - x
            zero = ir.RatOf(ir.Const(0, node.type, span=node.span), node.type, span=node.span)
            return ir.RatArith(Op.SUB, zero, self.exact(node.operand), node.type, span=node.span)
        if isinstance(node, (ir.ToDecimal, ir.InlinedRule)):
            return self.exact(node.value)
        if isinstance(node, ir.If):
            return ir.RatIf(node.cond, self.exact(node.then), self.exact(node.otherwise), node.type,
                            span=node.span)
        return self.exact(self.definitions[node.id].expr)  # a rule read: its expression

    @staticmethod
    def rounded_once(exact: Any) -> bool:
        """Whether the Decimal value of an exact tree is it rounded once: a mean, or a
        quotient of exact numbers (in each branch of an `if`)."""
        if isinstance(exact, ir.RatMean):
            return True
        if isinstance(exact, ir.RatArith):
            return exact.op is Op.DIV and isinstance(exact.left, ir.RatOf) \
                and isinstance(exact.right, ir.RatOf)
        if isinstance(exact, ir.RatIf):
            return all(isinstance(b, ir.RatOf) or ExactComparisons.rounded_once(b)
                       for b in (exact.then, exact.otherwise))
        return False

    def operand(self, node: Any) -> Any:
        """An operand with a quotient, exact; another as it is (a Decimal or a whole number
        compares exactly with a rational)."""
        if not self.has_quotient(node):
            return node
        exact = self.exact(node)
        return ir.Exactly(node, exact, node.type, once=self.rounded_once(exact), span=node.span)

    def rewrite(self, node: Any) -> Any:
        """A comparison node, exact if one of its operands has a quotient."""
        if isinstance(node, ir.Compare):
            if node.left.type.kind in _NUMBERS and (
                    self.has_quotient(node.left) or self.has_quotient(node.right)):
                return ir.Compare(node.op, self.operand(node.left), self.operand(node.right),
                                  node.type, span=node.span, cites=node.cites)
        if isinstance(node, ir.Between):
            parts = (node.value, node.low, node.high)
            if node.value.type.kind in _NUMBERS and any(self.has_quotient(p) for p in parts):
                return ir.Between(*(self.operand(p) for p in parts), node.type, span=node.span,
                                  cites=node.cites)
        return node

    def __call__(self, expr: ir.Expr) -> ir.Expr:
        """`expr` with every comparison of a quotient exact."""
        return transform(expr, self.rewrite)
