"""Lowering pass (stage 3, after checking): an output amount is rounded half up to the
cent, at one explicit node.

Consumes checked `ir.Definition`s; produces the same, where the expression of each
`output` of type money is wrapped in `ir.RoundToCent`. A `define` is not rounded (its
value keeps every digit), nor an output of another type. Back ends evaluate the node
(the Python one rounds in each branch of an `if` / `first of`), and the explanation
shows the value before it ("rounded half up to the cent from …").
"""

from __future__ import annotations

import attrs

from legiste.compiler import ir


def rounded_output(d: ir.Definition) -> ir.Definition:
    """The rule, its value rounded to the cent if it is an output amount."""
    if d.kind != "output" or d.type.kind != "money" or isinstance(d.expr, ir.RoundToCent):
        return d
    return attrs.evolve(d, expr=ir.RoundToCent(d.expr, d.type, span=d.expr.span))
