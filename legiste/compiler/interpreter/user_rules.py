"""The interpreter's part for record rules and user functions (ir/user_rules.py).

Consumes the lowered IR, where each read of a record rule and each call of a function
is an `ir.InlinedRule` (ir/passes/inline_rules.py): its closure is its value's.
"""

from __future__ import annotations

from typing import Any, Callable

from legiste.compiler import ir


class UserRuleEvaluation:
    """`Evaluator` methods for the nodes of ir/user_rules.py."""

    compile: Callable[[Any], Any]

    def _InlinedRule(self, node: ir.InlinedRule) -> Any:
        return self.compile(node.value)
