"""The lowering passes of the typed IR (stage 3), run once after checking.

Consumes a checked `ir.Program`; produces the program the interpreter and the Python
back end evaluate, where what a rule means without writing it is an explicit node:
parameter reads at the evaluation date (`ir.AsOf`, dated_reads.py), whole numbers as
Decimals (`ir.ToDecimal`, coercion.py), comparisons of quotients decided exactly
(`ir.Exactly`, exact_comparisons.py) and output amounts rounded to the cent
(`ir.RoundToCent`, output_rounding.py). Documents of the program as written (the JSON
IR, the printer on checked rules) are made from the checked program.
"""

from __future__ import annotations

import attrs

from legiste.compiler import ir
from legiste.compiler.ir.passes.analysis import RuleFacts
from legiste.compiler.ir.passes.coercion import coerced, coerced_rule
from legiste.compiler.ir.passes.dated_reads import dated_reads
from legiste.compiler.ir.passes.exact_comparisons import ExactComparisons
from legiste.compiler.ir.passes.inline_rules import Inliner
from legiste.compiler.ir.passes.output_rounding import rounded_output


def lower_expression(expr: ir.Expr, program: ir.Program) -> ir.Expr:
    """A checked expression outside the rules (an invariant, its guard), lowered as the
    rules of `program` (lowered or not) are."""
    definitions = {d.id: d for u in program.units.values() for d in u.definitions}
    expr = Inliner(program)(expr)
    return ExactComparisons(definitions)(coerced(dated_reads(expr), RuleFacts(program)))


def lower(program: ir.Program) -> ir.Program:
    """The program with every lowering applied (a lowered program is returned as is)."""
    if program.lowered:
        return program
    facts = RuleFacts(program)
    inline = Inliner(program)
    rules = {d.id: coerced_rule(attrs.evolve(d, expr=dated_reads(inline(d.expr))), facts)
             for u in program.units.values() for d in u.definitions}
    exact = ExactComparisons(rules)
    units = {}
    for uid, unit in program.units.items():
        definitions = tuple(rounded_output(attrs.evolve(rules[d.id], expr=exact(rules[d.id].expr)))
                            for d in unit.definitions)
        invariants = tuple(attrs.evolve(
            inv,
            expr=None if inv.expr is None else lower_expression(inv.expr, program),
            guard=None if inv.guard is None else lower_expression(inv.guard, program))
            for inv in unit.invariants)
        requirements = tuple(attrs.evolve(r, expr=lower_expression(r.expr, program))
                             for r in unit.requirements)
        units[uid] = attrs.evolve(unit, definitions=definitions, invariants=invariants,
                                  requirements=requirements)
    return attrs.evolve(program, units=units, lowered=True)
