"""Checking stage: the type of `error "…"` (a rule error) among the lines of its rule.

Consumes the IR the type checker builds (typecheck.py, for `if` and `first of`): an
`ir.RuleError` gives no value, so it takes the type of the other lines of its rule.
"""

from __future__ import annotations

from typing import Any

import attrs

from legiste.compiler import ir
from legiste.compiler.ir.types import Type

# The type of `error "…"` until the rule it stands in gives it the type of its other lines.
NEVER = Type("never")


def is_rule_error(node: Any) -> bool:
    """Whether a checked expression is `error "…"` (it takes the type of its neighbours)."""
    return isinstance(node, ir.RuleError)


def retyped(node: Any, type_: Type) -> Any:
    """An `if` or `first of` whose `error "…"` lines take the type `type_`."""
    def typed(value: Any) -> Any:
        return attrs.evolve(value, type=type_) if isinstance(value, ir.RuleError) else value
    if isinstance(node, ir.If):
        return attrs.evolve(node, then=typed(node.then), otherwise=typed(node.otherwise))
    branches = tuple(attrs.evolve(b, value=typed(b.value)) for b in node.branches)
    otherwise = typed(node.otherwise) if node.otherwise is not None else None
    return attrs.evolve(node, branches=branches, otherwise=otherwise)
