"""The operators of the typed IR (stage 3) as data: symbol, kind and printer precedence.

Consumes nothing. The IR nodes hold members, not strings: `Arith.op`, `Compare.op`,
`Logic.op` and `Unary.op` are `Op` members, `Arith.impl` an `Impl` member (how the type
checker decided the operands combine), `Aggregate.kind` an `Agg` member. `value` is the text the JSON IR writes; a node
built from that text (`Op("+")`) is converted by its field.
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


class Impl(Enum):
    """How an arithmetic node computes, chosen by the type checker from its operand types:
    numbers (`NUM`), or a date, a duration and an integer combined."""

    NUM = "num"
    DATE_PLUS_DUR = "date+dur"
    DUR_PLUS_DATE = "dur+date"
    DATE_MINUS_DUR = "date-dur"
    DATE_MINUS_DATE = "date-date"
    DUR_PLUS_DUR = "dur+dur"
    DUR_TIMES_INT = "dur*int"
    INT_TIMES_DUR = "int*dur"

    @property
    def moves_date(self) -> bool:
        """Whether it moves a date by a duration (which may fall outside the calendar)."""
        return self in (Impl.DATE_PLUS_DUR, Impl.DUR_PLUS_DATE, Impl.DATE_MINUS_DUR)


class Agg(Enum):
    """What an `ir.Aggregate` does with its conditions (or the values of its list): `value`
    is the text the JSON IR writes, `head` the rule text before the items (`at least of`
    stands for `at least K of`, as messages name it)."""

    ALL = "all"
    ANY = "any"
    COUNT = "count"
    AT_LEAST = "at_least"

    @property
    def head(self) -> str:
        """`all of`, `any of`, `count of`, `at least of`."""
        return self.value.replace("_", " ") + " of"

    @property
    def counts(self) -> bool:
        """Whether its value is a number of true conditions (`count of`), not a boolean."""
        return self is Agg.COUNT

    @property
    def joins(self) -> str | None:
        """The logical operator that chains its conditions (`and`, `or`), if one does."""
        return {Agg.ALL: "and", Agg.ANY: "or"}.get(self)


COMPARISONS = (Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE)
