"""The surface AST of a decision table: `table NAME : TYPE, …` with its columns and rows.

Front end (with dsl/ast.py, which registers these nodes as a declaration and as line
nodes). A table is written as the law prints it: the expressions it reads (`given`),
one `row` per line of the law's table with a cell per column, `then` one value per
output; `otherwise` gives the values when no row applies. Nothing is resolved here:
compiler/checking/tables.py types the cells and proves the rows disjoint and complete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attrs import field, frozen

from legiste.dsl.ast import NO_COMMENTS, Cite, Comments, TypeRef, _span
from legiste.dsl.span import Span

if TYPE_CHECKING:  # pragma: no cover
    from legiste.dsl.ast import Expr

HIT_POLICIES = ("unique", "first")


def _comments() -> Comments:
    return field(default=NO_COMMENTS, eq=False, repr=False, kw_only=True)


@frozen
class TableCell:
    """One condition cell: `-` (any value, `op` "any"), `VALUE` (`op` "="), `OP VALUE`
    (`<`, `<=`, `>`, `>=`, `!=`) or `between VALUE and HIGH` (`op` "between", inclusive)."""

    op: str
    value: "Expr | None" = None
    high: "Expr | None" = None
    span: Span = _span()
    # The operator as written when it is not `op` (≠ ≤ ≥, or `=` written out).
    written: str | None = field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class TableRow:
    """A `row` (its cells, one per column) or the `otherwise` line (`cells` None), with
    the values it gives (one per output) and its quotes."""

    cells: tuple[TableCell, ...] | None
    values: tuple["Expr", ...]
    cites: tuple[Cite, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()

    @property
    def cells_span(self) -> Span:
        """The span from the first cell to the last (the row's condition as written)."""
        if not self.cells:
            return self.span
        first, last = self.cells[0].span, self.cells[-1].span
        return Span(first.file, first.line, first.column, last.end_line, last.end_column,
                    source=first.source)


@frozen
class TableOutput:
    """`NAME : TYPE`: one output column; the table defines a rule of that name."""

    name: str
    type: TypeRef
    span: Span = _span()


@frozen
class Table:
    """`table` (defines) or `output table` (outputs): a hit policy (`unique`: the rows
    never overlap; `first`: the first row that applies), the columns, the rows."""

    kind: str  # "define" | "output"
    outputs: tuple[TableOutput, ...]
    hit: str | None  # None: no `hit` line (the checker reports it)
    columns: tuple["Expr", ...] | None  # None: no `given` line
    rows: tuple[TableRow, ...]
    cites: tuple[Cite, ...] = ()
    notes: tuple[str, ...] = ()
    span: Span = _span()
    comments: Comments = _comments()

    @property
    def otherwise(self) -> TableRow | None:
        """The `otherwise` line, when the table has one (it is the last)."""
        return self.rows[-1] if self.rows and self.rows[-1].cells is None else None


__all__ = ["HIT_POLICIES", "Table", "TableCell", "TableOutput", "TableRow"]
