"""Lowering pass (stage 3, after checking): every parameter read names its date.

Consumes checked IR expressions, where `ceiling` (no `at`) is read at the evaluation
date; produces the same expressions where every `ir.Param` has its `at`: the date the
rule wrote, or `ir.AsOf` (the evaluation date). Back ends read `param.at`, always.
"""

from __future__ import annotations

from typing import Any

import attrs

from legiste.compiler import ir
from legiste.compiler.ir.types import DATE
from legiste.compiler.ir.walk import transform


def _dated(node: Any) -> Any:
    if isinstance(node, ir.Param) and node.at is None:
        return attrs.evolve(node, at=ir.AsOf(DATE, span=node.span))
    return node


def dated_reads(expr: ir.Expr) -> ir.Expr:
    """`expr` with each parameter read at an explicit date (`ir.AsOf` when none is written)."""
    return transform(expr, _dated)
