"""Lowering pass (stage 3, the first after checking): each read of a record rule and
each call of a user function becomes the rule's expression, in place.

Consumes checked IR expressions and the program's `ir.ElementRule`s and `ir.Function`s
(ir/user_rules.py); produces expressions with no `RuleOf`, `Apply`, `Element` or `Arg`:
`c.entitled` is an `InlinedRule` holding the expression of `entitled` where the element
(`Element`) is `c`, and `f(a)` one holding the function's expression where its parameter
(`Arg`) is `a`. The comprehensions of the inlined expression get variables of their own
(`x@entitled`), so that an element or argument written with a caller's variable is never
captured. The checker refused cycles and recursion, so inlining ends. The back ends then
evaluate an `InlinedRule` as its value; the explanation names it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from legiste.compiler import ir
from legiste.compiler.ir.walk import transform


class Inliner:
    """Inlines the record rules and functions of one program."""

    def __init__(self, program: ir.Program):
        self.rules = {r.id: r for u in program.units.values() for r in u.element_rules}
        self.functions = {f.id: f for u in program.units.values() for f in u.functions}
        self.bodies: dict[str, Any] = {}  # a rule's expression, itself inlined

    def body(self, id: str) -> Any:
        if id not in self.bodies:
            rule = self.rules.get(id) or self.functions[id]
            self.bodies[id] = self(rule.expr)
        return self.bodies[id]

    def inline(self, node: Any) -> Any:
        if isinstance(node, ir.RuleOf):
            rule = self.rules[node.id]
            value = _substituted(self.body(node.id), rule.name, lambda n: node.element
                                 if isinstance(n, ir.Element) else None)
            return ir.InlinedRule("record rule", rule.id, rule.name, _typed(value, rule.type),
                                  node.type, span=node.span, cites=rule.cites)
        if isinstance(node, ir.Apply):
            fn = self.functions[node.id]
            args = {name: arg for (name, _), arg in zip(fn.params, node.args)}
            value = _substituted(self.body(node.id), fn.name, lambda n: args[n.name]
                                 if isinstance(n, ir.Arg) else None)
            return ir.InlinedRule("function", fn.id, fn.name, _typed(value, fn.type), node.type,
                                  span=node.span, cites=fn.cites)
        return node

    def __call__(self, expr: Any) -> Any:
        """`expr` with every record rule read and function call inlined."""
        if not (self.rules or self.functions):
            return expr
        return transform(expr, self.inline)


def _typed(value: Any, type_: Any) -> Any:
    """A rule's value as its declared type holds it: a whole number where a decimal or a
    rate is declared becomes a Decimal (as coercion.py does for a `define`)."""
    if type_.kind in ("decimal", "rate") and not (
            isinstance(value, ir.Const) and isinstance(value.value, Decimal)):
        return ir.ToDecimal(value, type_, span=value.span)
    return value


def _substituted(body: Any, owner: str, replace: Any) -> Any:
    """The body with its comprehension variables renamed after `owner`, then each node
    `replace` gives a value for (the element, an argument) replaced."""
    suffix = "@" + owner

    def rename(node: Any) -> Any:
        if isinstance(node, ir.Comprehension):
            return attrs.evolve(node, var=node.var + suffix)
        if isinstance(node, ir.Var):
            return attrs.evolve(node, name=node.name + suffix)
        return node

    def put(node: Any) -> Any:
        value = replace(node)
        return node if value is None else value
    return transform(transform(body, rename), put)


__all__ = ["Inliner"]
