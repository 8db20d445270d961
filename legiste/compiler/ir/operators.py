"""The operators of the typed IR (stage 3) as data: symbol, kind and printer precedence.

Consumes nothing; the IR nodes still carry each operator as its string (`Arith.op`,
`Compare.op`, `Logic.op`, `Unary.op`), which is `Op.value`, so `Op(node.op)` looks it up
and JSON IR documents keep the same strings.
"""

from __future__ import annotations

from enum import Enum

# Binding strength, loosest first, as in dsl/grammar.lark's expression rules.
P_IF, P_IMPLIES, P_OR, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_NEG, P_AT, P_ATOM = range(11)


class Op(Enum):
    """An IR operator: `value` is the string the IR holds, `symbol` the rule text."""

    ADD = ("+", "arith", P_ADD)
    SUB = ("-", "arith", P_ADD)
    MUL = ("*", "arith", P_MUL)
    DIV = ("/", "arith", P_MUL)
    EQ = ("=", "compare", P_CMP)
    NE = ("!=", "compare", P_CMP)
    LT = ("<", "compare", P_CMP)
    LE = ("<=", "compare", P_CMP)
    GT = (">", "compare", P_CMP)
    GE = (">=", "compare", P_CMP)
    AND = ("and", "logic", P_AND)
    OR = ("or", "logic", P_OR)
    IMPLIES = ("implies", "logic", P_IMPLIES)
    NOT = ("not", "unary", P_NOT)
    NEG = ("neg", "unary", P_NEG)

    def __new__(cls, text: str, kind: str, precedence: int) -> "Op":
        member = object.__new__(cls)
        member._value_ = text
        return member

    def __init__(self, text: str, kind: str, precedence: int) -> None:
        self.kind = kind
        self.precedence = precedence

    @property
    def symbol(self) -> str:
        """How the operator is written in a rule."""
        return "-" if self is Op.NEG else self.value

    @property
    def left_associative(self) -> bool:
        """Whether `a op b op c` reads `(a op b) op c`; `implies` does not chain."""
        return self.kind in ("arith", "logic") and self is not Op.IMPLIES
