"""Tree → AST for decision tables (the `table` rules of dsl/grammar.lark).

Front end; `ToAST` (dsl/to_ast.py) inherits these transformer methods. A table is kept
as written, even of the wrong shape (no `given` line, a row with more cells than columns,
a hit policy other than `unique` or `first`): the checker reports those (E004). Only a
second `hit` or `given` line, which the AST cannot hold, is an `E004` here.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from legiste.dsl import ast


class _Hit:
    def __init__(self, policy: str, token: Token):
        self.policy, self.token = policy, token


class _Given:
    def __init__(self, columns: tuple[ast.Expr, ...], meta: Any):
        self.columns, self.meta = columns, meta


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
        return _Hit(self._ident(c[0]), c[0])

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
        # What the AST cannot hold (a second `hit` or `given` line) is reported here; a
        # table of the wrong shape is kept as written for the checker (checking/tables.py).
        if len(hits) > 1:
            self._fail("E004", "a table says its hit policy once", self._tok_span(hits[1].token))
        if len(givens) > 1:
            self._fail("E004", "a table names the columns it reads once, on one `given` line",
                       self._span(givens[1].meta))
        return ast.Table(kind, outputs, hits[0].policy if hits else None,
                         givens[0].columns if givens else None, tuple(rows), cites, notes,
                         span=span)


__all__ = ["TableToAST"]
