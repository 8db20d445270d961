"""Lowering pass (stage 3, after checking): a whole number where a decimal is declared
becomes a Decimal, at one explicit node.

Consumes checked IR expressions and the analysis facts (`RuleFacts.is_decimal`);
produces expressions where an `ir.ToDecimal` stands where a value may be a whole number
but must be a Decimal: the value of a `decimal` or `rate` rule (`if c then 1 else 2.5`),
and the dividend of a division (`count / 2` is an exact Decimal quotient, not a float).
Back ends evaluate `ToDecimal` and never test for whole numbers themselves.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from legiste.compiler import ir
from legiste.compiler.ir.operators import Impl, Op
from legiste.compiler.ir.passes.analysis import RuleFacts
from legiste.compiler.ir.walk import transform


def _as_decimal(node: Any, facts: RuleFacts) -> Any:
    """`node`, or `ToDecimal(node)` when it may be a whole number."""
    if facts.is_decimal(node):
        return node
    if isinstance(node, ir.Const) and type(node.value) is int:
        return attrs.evolve(node, value=Decimal(node.value))
    return ir.ToDecimal(node, node.type, span=node.span)


def coerced(expr: ir.Expr, facts: RuleFacts) -> ir.Expr:
    """`expr` with the dividend of each division a Decimal."""
    def fn(node: Any) -> Any:
        if isinstance(node, ir.Arith) and node.op is Op.DIV and node.impl is Impl.NUM:
            left = _as_decimal(node.left, facts)
            return node if left is node.left else attrs.evolve(node, left=left)
        return node
    return transform(expr, fn)


def coerced_rule(d: ir.Definition, facts: RuleFacts) -> ir.Definition:
    """A rule whose value is a Decimal when its type says decimal or rate."""
    expr = coerced(d.expr, facts)
    if d.type.kind in ("decimal", "rate"):
        expr = _as_decimal(expr, facts)
    return d if expr is d.expr else attrs.evolve(d, expr=expr)
