"""The surface AST: what the analyst wrote, as small frozen values, each with its span.

Spans are kept out of equality (`eq=False`), so two parses of the same text compare
equal wherever they sit in a file. Nothing here is resolved or typed: names are the
words the author wrote; the compiler gives them meaning.
"""

from __future__ import annotations

from typing import Any, Union

from attrs import field, frozen

from legiste.dsl.span import NO_SPAN, SourceFile, Span


def _span() -> Span:
    return field(default=NO_SPAN, eq=False, repr=False, kw_only=True)


@frozen
class Comment:
    """`# …`: what follows the `#` (up to the end of the line), where it was written."""

    text: str
    span: Span = _span()


@frozen
class Comments:
    """The comments of one line node: the comment lines just `before` it, and those
    written `after` the code of its line (see dsl/comments.py)."""

    before: tuple[Comment, ...] = ()
    after: tuple[Comment, ...] = ()


NO_COMMENTS = Comments()


def _comments() -> Comments:
    # Like spans, comments are not what a rule means: they take no part in equality.
    return field(default=NO_COMMENTS, eq=False, repr=False, kw_only=True)


@frozen
class Cite:
    """`§ "quote" [in source]`: a sentence of the law that justifies a line."""

    quote: str
    source: str | None = None
    span: Span = _span()
    comments: Comments = _comments()
    # Written on a line of its own below the line it justifies, not after that line's
    # code: layout, not meaning (a line's citations are those after it and below it).
    own_line: bool = field(default=False, eq=False, repr=False, kw_only=True)


class Ident(str):
    """A name as the author wrote it, with its own span: a declared name (`define x`),
    a part of a qualified name, an enumeration member, a field. It is a `str` (it
    compares and hashes as its text, so the span takes no part in equality)."""

    span: Span

    def __new__(cls, text: str, span: Span = NO_SPAN) -> "Ident":
        ident = super().__new__(cls, text)
        ident.span = span
        return ident

    def __reduce__(self) -> tuple[Any, ...]:
        return (Ident, (str(self), self.span))


# The ASCII spelling of the operators also written ≠ ≤ ≥ ×.
ASCII_OPERATORS = {"≠": "!=", "≤": "<=", "≥": ">=", "×": "*"}


@frozen
class Name:
    """A possibly qualified name: `ceiling`, `be.index.impulseo_brussels` (each part an
    `Ident` when parsed)."""

    parts: tuple[str, ...]
    span: Span = _span()

    @property
    def text(self) -> str:
        return ".".join(self.parts)


# ------------------------------------------------------------------ expressions

@frozen
class Number:
    text: str
    unit: str | None = None
    span: Span = _span()


@frozen
class DateLit:
    text: str
    span: Span = _span()


@frozen
class TextLit:
    value: str
    span: Span = _span()


@frozen
class BoolLit:
    value: bool
    span: Span = _span()


@frozen
class Ref:
    name: Name
    span: Span = _span()


@frozen
class Call:
    func: Name
    args: tuple["Expr", ...]
    span: Span = _span()


@frozen
class ListExpr:
    items: tuple["Expr", ...]
    span: Span = _span()


@frozen
class Unary:
    op: str  # "-" or "not"
    operand: "Expr"
    span: Span = _span()


@frozen
class Binary:
    """Arithmetic (+ - * /), comparison (= != < <= > >=) and logic (and, or, implies)."""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span = _span()
    # The operator as written when it is not `op` (≠ ≤ ≥ ×): sugar kept, not meaning.
    written: str | None = field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class Between:
    value: "Expr"
    low: "Expr"
    high: "Expr"
    span: Span = _span()


@frozen
class If:
    cond: "Expr"
    then: "Expr"
    otherwise: "Expr"
    span: Span = _span()


@frozen
class At:
    """`ceiling at date(cost_year, 1, 1)`: a dated value read at another date."""

    target: "Expr"
    when: "Expr"
    span: Span = _span()


@frozen
class Exception_:
    """`unless EXPR`: the law's "does not apply to …", kept beside the rule it carves."""

    cond: "Expr"
    cites: tuple[Cite, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class Item:
    """One line of an `all of` / `any of` / `count of` / `at least K of` block."""

    expr: "Expr"
    cites: tuple[Cite, ...] = ()
    exceptions: tuple[Exception_, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class Aggregate:
    """`all of`, `any of`, `count of`, `at least K of` over items or over a list value."""

    kind: str  # "all" | "any" | "count" | "at_least"
    # As written: a `VALUE when COND` line here is kept, and reported by the checker.
    items: tuple["Item | Branch", ...] | None
    over: "Expr | None" = None
    k: "Expr | None" = None
    cites: tuple[Cite, ...] = ()
    span: Span = _span()
    # Written on one line over a list literal (`all of [a, b]`), not as a block.
    inline: bool = field(default=False, eq=False, repr=False, kw_only=True)


@frozen
class Branch:
    """`VALUE when COND` in a `first of`; `cond` is None for `otherwise`."""

    value: "Expr"
    cond: "Expr | None"
    cites: tuple[Cite, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class FirstOf:
    # As written: a line without `when`/`otherwise` is kept, and reported by the checker.
    branches: tuple["Branch | Item", ...]
    cites: tuple[Cite, ...] = ()
    span: Span = _span()


@frozen
class RecordLit:
    """`{score: 0.3, counted: true}`: a record value (in examples)."""

    fields: tuple[tuple[str, "Expr"], ...]
    span: Span = _span()


@frozen
class Comprehension:
    """`[BODY for each VAR in SOURCE where FILTER]`: a list built from another list."""

    body: "Expr"
    var: str
    source: "Expr"
    where: "Expr | None" = None
    span: Span = _span()


Expr = Union[Number, DateLit, TextLit, BoolLit, Ref, Call, ListExpr, Unary, Binary,
             Between, If, At, Aggregate, FirstOf, Comprehension, RecordLit,
             "IsGiven", "GivenOr", "RuleError"]


# ------------------------------------------------------------------ declarations

@frozen
class TypeRef:
    """`money`, `list of boolean`, or an inline enumeration `one of a, b`."""

    name: str
    element: "TypeRef | None" = None
    members: tuple[str, ...] = ()
    span: Span = _span()


@frozen
class SourceDecl:
    """`source law "file.txt" url "…"`: a text quotes are checked against; with a url
    only, an external source whose quotes cannot be checked here."""

    name: str
    file: str | None
    url: str | None = None
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class Header:
    kind: str  # "policy" | "module"
    name: Name
    title: str | None = None
    authority: str | None = None
    url: str | None = None
    sources: tuple[SourceDecl, ...] = ()
    as_of: str | None = None
    notes: tuple[str, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class Use:
    module: Name
    alias: str | None = None
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class Constraint:
    kind: str  # "min" | "max"
    bound: Expr
    span: Span = _span()


@frozen
class InputField:
    name: str
    type: TypeRef
    constraints: tuple[Constraint, ...] = ()
    description: str | None = None
    cites: tuple[Cite, ...] = ()
    default: Expr | None = None  # `= VALUE`: the presumption when the case omits it
    optional: bool = False  # `, optional`: the case may leave it out
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class InputBlock:
    fields: tuple[InputField, ...]
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class DatedValue:
    start: DateLit
    end: DateLit | None
    value: Expr
    indexed_by: Name | None = None
    cites: tuple[Cite, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class Parameter:
    name: str
    type: TypeRef
    values: tuple[DatedValue, ...]
    description: str | None = None
    cites: tuple[Cite, ...] = ()
    notes: tuple[str, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class SeriesValue:
    period: str  # "2023" or "2023-05"
    value: str
    cites: tuple[Cite, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class Series:
    name: str
    type: TypeRef
    values: tuple[SeriesValue, ...]
    description: str | None = None
    period: str | None = None
    publisher: str | None = None
    url: str | None = None
    cites: tuple[Cite, ...] = ()
    notes: tuple[str, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class EnumDecl:
    name: str
    members: tuple[str, ...]
    description: str | None = None
    cites: tuple[Cite, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class RecordDecl:
    """`record NAME` with typed fields: the shape of one element of a list input."""

    name: str
    fields: tuple[InputField, ...]
    description: str | None = None
    span: Span = _span()
    comments: Comments = _comments()
    defines: tuple["Define", ...] = ()  # rules of each element (`define` lines after the fields)


@frozen
class Define:
    """`define` (an intermediate value), `output` (a result of the policy), or a user
    function `define f(x : money) : money = …` (`params` not None)."""

    kind: str  # "define" | "output"
    name: str
    type: TypeRef | None
    expr: Expr
    cites: tuple[Cite, ...] = ()
    notes: tuple[str, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()
    params: tuple[InputField, ...] | None = field(default=None, kw_only=True)


@frozen
class Invariant:
    """A property the law implies: a boolean expression, or `monotone OUTPUT in INPUT`."""

    name: str | None
    kind: str  # "expr" | "monotone"
    expr: Expr | None = None
    output: str | None = None
    input: str | None = None
    direction: str = "increasing"
    guard: Expr | None = None
    cites: tuple[Cite, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class Assignment:
    name: str
    value: Expr
    span: Span = _span()
    comments: Comments = _comments()


@frozen
class Example:
    name: str
    extends: str | None = None
    on: DateLit | None = None
    given: tuple[Assignment, ...] = ()
    expect: tuple[Assignment, ...] = ()
    expect_error: str | None = None
    cites: tuple[Cite, ...] = ()
    notes: tuple[str, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()


# Decision tables live in their own module (dsl/ast_tables.py), registered here.
from legiste.dsl.ast_tables import Table, TableCell, TableOutput, TableRow  # noqa: E402

Declaration = Union[Header, Use, InputBlock, Parameter, Series, EnumDecl, RecordDecl, Define,
                    Invariant, Example, Table, "Requirement"]


@frozen
class Module:
    """One parsed `.legis` file: its header and declarations in source order."""

    path: str
    header: Header | None
    declarations: tuple[Declaration, ...]
    comments: tuple[Comment, ...] = field(default=(), eq=False, repr=False, kw_only=True)
    """The comment lines after the last declaration."""
    source: SourceFile | None = field(default=None, eq=False, repr=False, kw_only=True)
    """The text the module was parsed from."""
    headers: tuple[Header, ...] = field(default=(), eq=False, repr=False, kw_only=True)
    """Every header written, in order (`header` is the first): the checker reports a
    second one, or one after another declaration (E106)."""


# Presumptions, optional inputs, input constraints and rule errors (dsl/ast_refusals.py).
from legiste.dsl.ast_refusals import GivenOr, IsGiven, Requirement, RuleError  # noqa: E402

# The nodes that start a line of their own and carry that line's comments.
LINE_NODES = (Header, SourceDecl, Use, InputBlock, InputField, Parameter, DatedValue, Series,
              SeriesValue, EnumDecl, RecordDecl, Define, Item, Exception_, Branch, Cite,
              Invariant, Assignment, Example, Table, TableRow, Requirement)
