"""The typed IR's expressions: what every back end consumes (interpreter, explanation,
code generators, documentation); the declarations that hold them are in
`ir/declarations.py`.

Names are resolved to qualified ids, sugar is gone, every expression carries its type,
and every node keeps its span and the citations the author attached, so any consumer
can point back at the rule file and the law. Nodes are frozen; spans and citations are
left out of equality.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union

from attrs import field, frozen

from legiste.compiler.ir.operators import Agg, Impl, Op
from legiste.compiler.ir.types import Type
from legiste.dsl.span import NO_SPAN, Span

if TYPE_CHECKING:
    from legiste.compiler.builtins import Builtin


@frozen
class Citation:
    """A quote of the law, and whether it was found in its source text."""

    quote: str
    source: str  # the source's file name, e.g. "000_084ce424bf47b386.txt"
    verified: bool
    span: Span = field(default=NO_SPAN, eq=False)


def _meta():
    return field(default=NO_SPAN, eq=False, repr=False, kw_only=True)


def _cites():
    return field(default=(), eq=False, repr=False, kw_only=True)


def _builtin(func: "Builtin | str") -> "Builtin":
    """The registry's entry of a builtin (given as itself, or by its name)."""
    if isinstance(func, str):
        from legiste.compiler.builtins import BUILTINS  # the registry builds IR constants
        return BUILTINS[func]
    return func


# ------------------------------------------------------------------ expressions

@frozen
class Const:
    value: Any
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Input:
    name: str
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Local:
    """A reference to a `define` or `output` (by qualified id)."""

    id: str
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Param:
    """A parameter read at `at` (an expression of type date), or at the evaluation date."""

    id: str
    at: "Expr | None"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Unary:
    op: Op = field(converter=Op)  # Op.NEG | Op.NOT
    operand: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Arith:
    op: Op = field(converter=Op)  # Op.ADD, SUB, MUL, DIV
    impl: Impl = field(converter=Impl)  # chosen by the type checker: NUM, DATE_PLUS_DUR, …
    left: "Expr"
    right: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Compare:
    op: Op = field(converter=Op)  # one of operators.COMPARISONS
    left: "Expr"
    right: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Logic:
    op: Op = field(converter=Op)  # Op.AND | Op.OR | Op.IMPLIES
    left: "Expr"
    right: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Between:
    value: "Expr"
    low: "Expr"
    high: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class If:
    cond: "Expr"
    then: "Expr"
    otherwise: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Exception_:
    """`unless COND`: when it holds, the condition it carves out is waived."""

    cond: "Expr"
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Condition:
    """One item of an aggregate: an expression and the exceptions that waive it."""

    expr: "Expr"
    exceptions: tuple[Exception_, ...]
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Aggregate:
    """all / any / count / at_least over conditions; `over` is a list value instead."""

    kind: Agg = field(converter=Agg)
    items: tuple[Condition, ...]
    over: "Expr | None"
    k: "Expr | None"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Branch:
    cond: "Expr"
    value: "Expr"
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()
    label: str | None = field(default=None, eq=False)  # how explanations name it (a table's row)


@frozen
class FirstOf:
    branches: tuple[Branch, ...]
    otherwise: "Expr | None"  # None only when the branches are provably exhaustive
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Call:
    func: "Builtin" = field(converter=_builtin)  # the registry's entry
    args: tuple["Expr", ...]
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class ListLit:
    items: tuple["Expr", ...]
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class RecordLit:
    fields: tuple[tuple[str, "Expr"], ...]
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Var:
    """The element bound by a comprehension (`m` in `[… for each m in members]`)."""

    name: str
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Field:
    """A field of a record value: `m.accredited_all_year`."""

    record: "Expr"
    name: str
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Comprehension:
    """`[BODY for each VAR in SOURCE where FILTER]`."""

    var: str
    source: "Expr"
    where: "Expr | None"
    body: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


# ------------------------------------------------------------------ optional inputs, rule errors


@frozen
class IsGiven:
    """`x is given`: whether the case gives the optional input x."""

    name: str
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class GivenOr:
    """`x otherwise VALUE`: the optional input x, or `fallback` when the case omits it."""

    name: str
    fallback: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class RuleError:
    """`error "message"` in the rule `rule`: a case the law cannot assess (E405)."""

    message: str
    rule: str
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


# ------------------------------------------------------------------ lowered forms
# Made by the lowering passes (ir/passes/lowering.py), after checking: what a rule means
# without being written, made explicit once so that no back end re-derives it.


@frozen
class AsOf:
    """The evaluation date: where a parameter is read when the rule names no date."""

    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class RoundToCent:
    """An output amount, rounded half up to the cent."""

    value: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class ToDecimal:
    """A value that may be a whole number (`if c then 1 else 2.5`), as a Decimal."""

    value: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Exactly:
    """An operand of a comparison that involves a quotient, compared exactly: `value` is
    evaluated as always (its errors are the rule's), then `exact`, the same quantity as an
    exact rational (a tree of Rat… nodes), is what the comparison compares."""

    value: "Expr"
    exact: "Expr"
    type: Type
    # `value` is `exact` rounded once (an average, a quotient of exact numbers): where it
    # differs from a 28-digit number it is compared with, it is on the same side as `exact`
    once: bool = False
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class RatOf:
    """The value of an expression, as an exact rational."""

    value: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class RatArith:
    """+ - * / of exact rationals: no rounding, no digit limit."""

    op: Op = field(converter=Op)
    left: "Expr"
    right: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class RatMean:
    """The exact mean of a list's values (the list is not empty: its average was taken)."""

    values: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class RatIf:
    """`if` over exact rationals: the condition as always, the branch taken exact."""

    cond: "Expr"
    then: "Expr"
    otherwise: "Expr"
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


Expr = Union[Const, Input, Local, Param, Unary, Arith, Compare, Logic, Between, If,
             Aggregate, FirstOf, Call, ListLit, Var, Field, Comprehension, RecordLit,
             AsOf, RoundToCent, ToDecimal, Exactly, RatOf, RatArith, RatMean, RatIf,
             IsGiven, GivenOr, RuleError]
