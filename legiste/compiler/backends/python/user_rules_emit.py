"""Python backend: the code of record rules and user functions (ir/user_rules.py).

Consumes the lowered IR, where each read of a record rule and each call of a function
is an `ir.InlinedRule` (ir/passes/inline_rules.py): its code is its value's, in the
scope where it is read (a comprehension's variables included).
"""

from __future__ import annotations

from typing import Any, Callable

from legiste.compiler import ir


class UserRuleCode:
    """`ExpressionCompiler` methods for the nodes of ir/user_rules.py."""

    expr: Callable[[Any, dict[str, str]], tuple[str, int]]

    def _InlinedRule(self, node: ir.InlinedRule, scope: dict[str, str]) -> tuple[str, int]:
        return self.expr(node.value, scope)
