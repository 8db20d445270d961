"""Tree → AST for decision tables (the `table` rules of dsl/grammar.lark).

Front end; `ToAST` (dsl/to_ast.py) inherits these transformer methods. A table that
parses but is malformed (no `given` line, a row with more cells than columns, a hit
policy other than `unique` or `first`) is an `E004` located at the line at fault.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from legiste.dsl import ast
from legiste.dsl.ast_tables import HIT_POLICIES


class _Hit:
    def __init__(self, policy: str, token: Token):
        self.policy, self.token = policy, token


class _Given:
    def __init__(self, columns: tuple[ast.Expr, ...], meta: Any):
        self.columns, self.meta = columns, meta


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


@v_args(meta=True)
class TableToAST(Transformer):
    """The table methods of `ToAST` (which provides `_span`, `_ident`, `_fail`, `_split`)."""

    _span: Any
    _ident: Any
    _tok_span: Any
    _fail: Any
    _split: Any

    def table_kind(self, meta, c):
        return "output" if str(c[0]) == "output" else "define"

    def table_out(self, meta, c):
        return ast.TableOutput(self._ident(c[0]), c[1], span=self._tok_span(c[0]))

    def t_hit(self, meta, c):
        if str(c[0]) not in HIT_POLICIES:
            self._fail("E004", f"a table's hit policy is `unique` or `first`, not `{c[0]}`",
                       self._tok_span(c[0]),
                       ("`hit unique`: the rows never overlap (checked); `hit first`: the first "
                        "row that applies gives the values",))
        return _Hit(str(c[0]), c[0])

    def t_given(self, meta, c):
        return _Given(tuple(c), meta)

    def t_any(self, meta, c):
        return ast.TableCell("any", span=self._span(meta))

    def t_equal(self, meta, c):
        return ast.TableCell("=", c[0], span=self._span(meta))

    def t_compare(self, meta, c):
        written = c[0]
        op = ast.ASCII_OPERATORS.get(written, written)
        return ast.TableCell(op, c[1], span=self._span(meta),
                             written=written if written != op or op == "=" else None)

    def t_between(self, meta, c):
        return ast.TableCell("between", c[0], c[1], span=self._span(meta))

    def _row(self, meta, cells, rest):
        values = [x for x in rest if not isinstance(x, (ast.Cite, list))]
        cites, _, _ = self._split([x for x in rest if isinstance(x, (ast.Cite, list))])
        return ast.TableRow(cells, tuple(values), cites, span=self._span(meta))

    def t_row(self, meta, c):
        cells = tuple(x for x in c if isinstance(x, ast.TableCell))
        return self._row(meta, cells, c[len(cells):])

    def t_otherwise(self, meta, c):
        return self._row(meta, None, list(c))

    def table(self, meta, c):
        kind, *rest = c
        outputs = tuple(x for x in rest if isinstance(x, ast.TableOutput))
        items = rest[len(outputs):]
        hits = [x for x in items if isinstance(x, _Hit)]
        givens = [x for x in items if isinstance(x, _Given)]
        rows = [x for x in items if isinstance(x, ast.TableRow)]
        cites, notes, _ = self._split([x for x in items if not isinstance(x, (_Hit, _Given,
                                                                               ast.TableRow))])
        span = outputs[0].span
        if len(hits) != 1:
            self._fail("E004", "a table says its hit policy once: `hit unique` or `hit first`",
                       self._span(meta) if not hits else self._tok_span(hits[1].token),
                       ("`hit unique`: the rows never overlap (checked); `hit first`: the "
                        "first row that applies gives the values",))
        if len(givens) != 1:
            self._fail("E004", "a table names the columns it reads once, on a `given` line",
                       self._span(meta) if not givens else self._span(givens[1].meta),
                       ("write: given age | household_size",))
        columns = givens[0].columns
        if not any(r.cells is not None for r in rows):
            self._fail("E004", "a table has at least one `row`", self._span(meta))
        for i, row in enumerate(rows):
            if row.cells is None and i != len(rows) - 1:
                self._fail("E004", "`otherwise` is the last line of a table", row.span,
                           ("rows after it could never apply",))
            if row.cells is not None and len(row.cells) != len(columns):
                self._fail("E004", f"this row has {_plural(len(row.cells), 'cell')} but the "
                           f"table reads {_plural(len(columns), 'column')}", row.span,
                           ("write `-` in a cell whose column does not matter for this row",))
            if len(row.values) != len(outputs):
                self._fail("E004", f"this row gives {_plural(len(row.values), 'value')} but the "
                           f"table has {_plural(len(outputs), 'output')}", row.span,
                           ("after `then`, one value per output, separated by `|`",))
        return ast.Table(kind, outputs, hits[0].policy, columns, tuple(rows), cites, notes,
                         span=span)


__all__ = ["TableToAST"]
