"""Printer of decision tables: an `ast.Table` → its `.legis` lines (dsl/printer.py's
`ModulePrinter` inherits this part). Cells are padded so that each column lines up, as
the law prints its table; each row's quotes follow it where they were written (on its
line, or on lines of their own below it)."""

from __future__ import annotations

import itertools
from typing import Any

from legiste.dsl import ast

SUM = 6  # dsl/printer.py's level of a sum (a cell holds a sum)


class TablePrinter:
    """The `table` method of `ModulePrinter` (which provides `emit`, `expr`, the cite and
    note lines)."""

    expr: Any
    emit: Any
    cite_lines: Any
    note_lines: Any

    def cell(self, cell: ast.TableCell) -> str:
        """One cell as written: `-`, `VALUE`, `OP VALUE` or `between LOW and HIGH`."""
        sub = self.expr.sub
        if cell.op == "any":
            return "-"
        if cell.op == "between":
            return f"between {sub(cell.value, SUM)} and {sub(cell.high, SUM)}"
        if cell.op == "=" and cell.written is None:
            return sub(cell.value, SUM)
        return f"{cell.written or self.expr.op(cell.op)} {sub(cell.value, SUM)}"

    def table(self, t: ast.Table) -> None:
        from legiste.dsl.printer import IF, _after, _type  # the printer imports this module

        outs = ", ".join(f"{o.name} : {_type(o.type)}" for o in t.outputs)
        self.emit(0, ("output table " if t.kind == "output" else "table ") + outs, own=(t,))
        self.cite_lines(1, t.cites)
        self.note_lines(1, t.notes)
        if t.hit is not None:
            self.emit(1, f"hit {t.hit}")
        heads = [self.expr.sub(c, SUM) for c in t.columns or ()]
        grid = [[self.cell(c) for c in r.cells] if r.cells is not None else None for r in t.rows]
        # A row of another width than the columns (reported by the checker) pads nothing.
        widths = [max([len(h)] + [len(g[i]) for g in grid if g is not None and len(g) > i])
                  for i, h in enumerate(heads)]
        if t.columns is not None:
            self.emit(1, "given " + _join(heads, widths).rstrip(), inline=t.columns)
        for row, cells in zip(t.rows, grid):
            values = " | ".join(self.expr.sub(v, IF) for v in row.values)
            head = "otherwise  " + " " * (sum(widths) + 3 * (len(widths) - 1) - 5) \
                if cells is None else "row   " + _join(cells, widths)
            # Quotes stay where they were written: after the row, or on lines below it.
            below = tuple(c for c in row.cites if c.own_line)
            after = tuple(c for c in row.cites if not c.own_line)
            self.emit(1, _after(f"{head} then {values}", after), own=(row,),
                      inline=(*(row.cells or ()), *row.values, *after))
            self.cite_lines(2, below)


def _join(texts: list[str], widths: list[int]) -> str:
    return " | ".join(t.ljust(w) for t, w in itertools.zip_longest(texts, widths[:len(texts)],
                                                                   fillvalue=0))


__all__ = ["TablePrinter"]
