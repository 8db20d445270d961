"""Printer of decision tables: an `ast.Table` → its `.legis` lines (dsl/printer.py's
`ModulePrinter` inherits this part). Cells are padded so that each column lines up, as
the law prints its table; the row's quotes follow it, on its line."""

from __future__ import annotations

from typing import Any, Iterable

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
        self.emit(1, f"hit {t.hit}")
        heads = [self.expr.sub(c, SUM) for c in t.columns]
        grid = [[self.cell(c) for c in r.cells] if r.cells is not None else None for r in t.rows]
        widths = [max([len(h)] + [len(g[i]) for g in grid if g is not None])
                  for i, h in enumerate(heads)]
        self.emit(1, "given " + _join(heads, widths).rstrip(), inline=t.columns)
        for row, cells in zip(t.rows, grid):
            values = " | ".join(self.expr.sub(v, IF) for v in row.values)
            head = "otherwise  " + " " * (sum(widths) + 3 * (len(widths) - 1) - 5) \
                if cells is None else "row   " + _join(cells, widths)
            self.emit(1, _after(f"{head} then {values}", row.cites), own=(row,),
                      inline=_inner(row))


def _join(texts: list[str], widths: list[int]) -> str:
    return " | ".join(t.ljust(w) for t, w in zip(texts, widths))


def _inner(row: ast.TableRow) -> Iterable[Any]:
    return (*(row.cells or ()), *row.values, *row.cites)


__all__ = ["TablePrinter"]
