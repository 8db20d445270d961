"""Surface AST of presumptions, optional inputs, input constraints and rule errors.

Front end (text → AST); made by dsl/to_ast_refusals.py, read by the checker
(compiler/checking/refusals.py) and printed back by dsl/printer.py. Imported through
`dsl.ast`, which re-exports these nodes; like the others, frozen, with spans (and
comments) out of equality. A presumption (`= VALUE`) and `optional` are fields of
`ast.InputField`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attrs import frozen

from legiste.dsl.ast import Cite, Comments, _comments, _span
from legiste.dsl.span import Span

if TYPE_CHECKING:
    from legiste.dsl.ast import Expr, Name


@frozen
class IsGiven:
    """`x is given` (`x is not given` when `negated`): whether the case gives an optional
    input."""

    name: "Name"
    negated: bool = False
    span: Span = _span()


@frozen
class GivenOr:
    """`x otherwise VALUE`: the optional input x, or VALUE when the case does not give it."""

    value: "Expr"
    fallback: "Expr"
    span: Span = _span()


@frozen
class RuleError:
    """`error "message"`: a case the law cannot assess (a `first of` line `error "…" when …`)."""

    message: str
    span: Span = _span()


@frozen
class Requirement:
    """`require [NAME:] CONDITION "message"`: a relation between inputs, checked with them."""

    name: str | None
    condition: "Expr"
    message: str
    cites: tuple[Cite, ...] = ()
    notes: tuple[str, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()
