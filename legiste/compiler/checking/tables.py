"""Checking stage: decision tables (`ast.Table`) → one `ir.Definition` per output column.

Part of `UnitChecker` (check.py), over the file's tables (state.py). Each column is
checked once; each cell becomes the comparison of its column with the cell's constant
(typed as if written `column OP value`), each row the conjunction of its cells, and
each output the `first of` over the rows: the interpreter, the generated module, the
explanation (which names the row that applied, with its quotes) and the JSON IR need
nothing of their own. The rows are then proved disjoint (under `hit unique`) and
complete (unless the table has an `otherwise` line) by table_coverage.py, exactly:
an overlap or a gap is an error with the values that show it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs

from legiste.compiler import ir
from legiste.compiler.checking import table_coverage as cov
from legiste.compiler.checking.state import UnitState
from legiste.compiler.checking.typecheck import ERROR, const_value
from legiste.compiler.ir.kinds import literal, mismatch_code
from legiste.compiler.ir.operators import Op
from legiste.compiler.ir.types import BOOLEAN, Type, assignable
from legiste.compiler.ir.walk import transform
from legiste.dsl import ast
from legiste.dsl.ast_tables import HIT_POLICIES

_COLUMN = "·column"  # the name a cell's comparison gives its column (no author can write it)
_KINDS = {"boolean": "finite", "enum": "finite", "integer": "discrete", "year": "discrete",
          "date": "discrete", "money": "dense", "decimal": "dense", "rate": "dense"}


@attrs.define
class _Checked:
    """A table's columns and rows, checked once for all its outputs."""

    subjects: list[ir.Expr]
    conditions: list[ir.Expr | None]  # per row; None for `otherwise`
    cites: list[tuple[ir.Citation, ...]]
    table_cites: tuple[ir.Citation, ...]
    cells: list[list[Any]] | None  # per row and column: the values the cell matches
    columns: list[cov.Column] | None


class TableChecks(UnitState):
    """Decision tables: declared names, the rules they define, overlaps and gaps."""

    tables: dict[str, ast.Table]  # output name -> its table
    checked_tables: dict[int, _Checked]

    def table_entries(self, decl: ast.Table) -> list[tuple[str, str, Any, Any]]:
        """The names a table declares: one rule per output column."""
        for out in decl.outputs:
            self.tables.setdefault(out.name, decl)
        return [(out.name, decl.kind, out, out.span) for out in decl.outputs]

    def table(self, decl: ast.Table) -> None:
        """Check a table: its shape, each of its outputs (once), then its rows' overlaps
        and gaps."""
        for out in decl.outputs:
            if self.names.get(out.name, (None, None))[1] is out:
                self.definition(out.name)
        if not self._well_formed(decl):
            return
        checked = self._table_rows(decl)
        if checked.cells is not None and checked.columns is not None:
            self._coverage(decl, checked)

    def _well_formed(self, decl: ast.Table, report: bool = True) -> bool:
        """Whether a table has a hit policy, columns, rows of their width and values for
        every output, `otherwise` last (E004 for each problem when `report`)."""
        problems: list[tuple[str, Any, tuple[str, ...]]] = []
        if decl.hit is None or decl.hit not in HIT_POLICIES:
            problems.append((
                "a table says its hit policy: `hit unique` or `hit first`" if decl.hit is None
                else f"a table's hit policy is `unique` or `first`, not `{decl.hit}`",
                decl.span if decl.hit is None else getattr(decl.hit, "span", decl.span),
                ("`hit unique`: the rows never overlap (checked); `hit first`: the first row "
                 "that applies gives the values",)))
        if decl.columns is None:
            problems.append(("a table names the columns it reads on a `given` line",
                             decl.span, ("write: given age | household_size",)))
        if not any(r.cells is not None for r in decl.rows):
            problems.append(("a table has at least one `row`", decl.span, ()))
        width = len(decl.columns or ())
        for i, row in enumerate(decl.rows):
            if row.cells is None and i != len(decl.rows) - 1:
                problems.append(("`otherwise` is the last line of a table", row.span,
                                 ("rows after it could never apply",)))
            if row.cells is not None and decl.columns is not None and len(row.cells) != width:
                problems.append((f"this row has {_plural(len(row.cells), 'cell')} but the table "
                                 f"reads {_plural(width, 'column')}", row.span,
                                 ("write `-` in a cell whose column does not matter for this row",)))
            if len(row.values) != len(decl.outputs):
                problems.append((f"this row gives {_plural(len(row.values), 'value')} but the "
                                 f"table has {_plural(len(decl.outputs), 'output')}", row.span,
                                 ("after `then`, one value per output, separated by `|`",)))
        if report:
            for message, span, hints in problems:
                self.report("E004", message, span, hints=hints)
        return not problems

    def table_output(self, out: ast.TableOutput) -> ir.Definition:
        """The rule of one output column: `first of` its value in each row."""
        decl = self.tables[out.name]
        if not self._well_formed(decl, report=False):  # reported once, by table()
            return self._definition(decl, out, self._bad(decl.span), ())
        checked = self._table_rows(decl)
        index = next(i for i, o in enumerate(decl.outputs) if o is out)
        declared = self.resolve_type(out.type, out.name)
        branches, otherwise, failed = [], None, declared == ERROR
        for row, cond, cites in zip(decl.rows, checked.conditions, checked.cites):
            value = self.expr(row.values[index], declared)
            if value.type == ERROR:
                failed = True
            elif declared != ERROR and not assignable(value.type, declared):
                self.report(mismatch_code("value", declared, value.type),
                            f"'{out.name}' is declared {declared.short} but this row gives "
                            f"{value.type.short}", row.values[index].span)
                failed = True
            if cond is None:
                otherwise = value
            else:
                branches.append(ir.Branch(cond, value, span=row.span, cites=cites,
                                          label=_label(decl, row)))
        failed = failed or any(cond is None and row.cells is not None
                               for row, cond in zip(decl.rows, checked.conditions))
        expr: ir.Expr = self._bad(decl.span) if failed \
            else ir.FirstOf(tuple(branches), otherwise, declared, span=decl.span)
        return self._definition(decl, out, expr, checked.table_cites)

    def _definition(self, decl: ast.Table, out: ast.TableOutput, expr: ir.Expr,
                    cites: tuple[ir.Citation, ...]) -> ir.Definition:
        result = ir.Definition(f"{self.id}.{out.name}", out.name, decl.kind, expr.type, expr,
                               decl.notes, span=out.span, cites=cites)
        self.definitions[out.name] = result
        return result

    # ------------------------------------------------------------------ rows

    def _table_rows(self, decl: ast.Table) -> _Checked:
        found = self.checked_tables.get(id(decl))
        if found is not None:
            return found
        subjects = [self.expr(column) for column in decl.columns or ()]
        columns: list[cov.Column] | None = []
        for i, (column, subject) in enumerate(zip(decl.columns or (), subjects)):
            col = self._column(column, subject)
            columns = None if col is None or columns is None else [*columns, col]
            if col is None:  # reported once: its cells are not checked against it
                subjects[i] = self._bad(column.span)
        conditions: list[ir.Expr | None] = []
        cells: list[list[Any]] | None = []
        for row in decl.rows:
            if row.cells is None:
                conditions.append(None)
                continue
            parts, matched = [], []
            for cell, subject, i in zip(row.cells, subjects, range(len(subjects))):
                if cell.op == "any":
                    matched.append(None)
                    continue
                cond, value = self._cell(cell, subject)
                if cond is not None:
                    parts.append(cond)
                col = columns[i] if columns is not None else None
                matched.append(None if col is None or value is None else
                               cov.cell(col, cell.op, *value))
                if col is not None and value is None:
                    cells = None
            conditions.append(self._conjunction(parts, row) if len(parts) == len(
                [c for c in row.cells if c.op != "any"]) else None)
            if cells is not None:
                cells.append(matched)
        checked = _Checked(subjects, conditions, [self.cites(r.cites) for r in decl.rows],
                           self.cites(decl.cites), cells, columns)
        self.checked_tables[id(decl)] = checked
        return checked

    def _column(self, column: ast.Expr, subject: ir.Expr) -> cov.Column | None:
        """The domain of a column, or None (reported) when its values cannot be tabled."""
        kind = _KINDS.get(subject.type.kind)
        if subject.type == ERROR:
            return None
        if kind is None:
            self.report("E242", f"a table column holds true/false, an enumeration, a number, an "
                        f"amount, a rate or a date, not {subject.type.short}", column.span,
                        hints=["compute the condition in a `define` and read that in the column"])
            return None
        if kind == "finite":
            members = (True, False) if subject.type.kind == "boolean" else subject.type.members
            return cov.Column(kind, tuple(members))
        domain = cov.EVERYTHING
        decl = self.inputs.get(subject.name) if isinstance(subject, ir.Input) else None
        if decl is not None:  # an input's declared bounds: no case lies outside them
            lo, hi = (None if b is None else _number(b) for b in (decl.minimum, decl.maximum))
            domain = cov.Interval(lo, hi)
        return cov.Column(kind, domain=domain)

    def _cell(self, cell: ast.TableCell, subject: ir.Expr) -> tuple[ir.Expr | None, Any]:
        """A cell as its column's comparison (IR) and its constants (None: not constant)."""
        if subject.type == ERROR:
            return None, None
        var = ast.Ref(ast.Name((_COLUMN,), span=cell.span), span=cell.span)
        node: ast.Expr = ast.Between(var, cell.value, cell.high, span=cell.span) \
            if cell.op == "between" else ast.Binary(cell.op, var, cell.value, span=cell.span)
        self.locals.append({_COLUMN: subject.type})
        try:
            cond = self.boolean(node, "a table cell")
        finally:
            self.locals.pop()
        if cond.type == ERROR:
            return None, None
        kind = _KINDS.get(subject.type.kind)
        bounds = (cond.low, cond.high) if isinstance(cond, ir.Between) else \
            (cond.right,) if isinstance(cond, ir.Compare) else None
        try:
            values = None if kind is None or bounds is None else tuple(
                const_value(b) if kind == "finite" else _number(const_value(b)) for b in bounds)
        except (ValueError, TypeError):
            self.report("E242", "a table cell compares its column with a constant: a number, "
                        "an amount, a date or a value of the enumeration", cell.span,
                        hints=["a value that varies (an input, a parameter, a rule) goes in a "
                               "column: `given income - ceiling`, then the cell `<= 0 EUR`"])
            values = None
        column = cond

        def bind(n: Any) -> Any:
            return subject if isinstance(n, ir.Var) and n.name == _COLUMN else n
        return transform(column, bind), values

    def _conjunction(self, parts: list[ir.Expr], row: ast.TableRow) -> ir.Expr:
        span = row.cells_span
        if not parts:
            return ir.Const(True, BOOLEAN, span=span)
        cond = parts[0]
        for part in parts[1:]:
            cond = ir.Logic(Op.AND, cond, part, BOOLEAN, span=span)
        return attrs.evolve(cond, span=span)

    # ------------------------------------------------------------------ overlaps and gaps

    def _coverage(self, decl: ast.Table, checked: _Checked) -> None:
        assert checked.cells is not None and checked.columns is not None
        rows = [r for r in decl.rows if r.cells is not None]
        reps = [cov.atoms(col, [cells[i] for cells in checked.cells])
                for i, col in enumerate(checked.columns)]
        for j, row in enumerate(rows):
            own = [[r for r in column if cov.matches(cell, r)]
                   for column, cell in zip(reps, checked.cells[j])]
            above = checked.cells[:j] if decl.hit == "first" else []
            if any(not values for values in own):
                self.report("E243", f"row {j + 1} of this table never applies: no case matches "
                            "all its cells", row.cells_span,
                            hints=["correct its cells (a `between` written high to low? a value "
                                   "outside an input's bounds?), or delete it"])
            elif cov.gap(own, above) is None:
                self.report("E243", f"row {j + 1} of this table never applies: the rows above it "
                            "take every case it matches", row.cells_span,
                            hints=["move it above the rows that hide it, or delete it"])
        if decl.hit == "unique":
            for j in range(len(rows)):
                for i in range(j):
                    point = cov.overlap(reps, checked.cells[i], checked.cells[j])
                    if point is not None:
                        self.report(
                            "E240", f"rows {i + 1} and {j + 1} of this `hit unique` table both "
                            f"apply when {self._point(decl, checked, point)}",
                            rows[j].cells_span, notes=[f"row {i + 1} is at {rows[i].span}"],
                            hints=["narrow a cell of one of them so that no case matches both, "
                                   "or write `hit first` if the first row should win"])
                        break
        if decl.otherwise is None:
            point = cov.gap(reps, checked.cells)
            if point is not None:
                self.report("E241", "no row of this table applies when "
                            f"{self._point(decl, checked, point)}", decl.span,
                            hints=["add a row for these values, or a last line "
                                   "`otherwise then …` saying what applies when no row does"])

    def _point(self, decl: ast.Table, checked: _Checked, point: list[Any]) -> str:
        """A combination of column values, as the analyst would write them."""
        parts = []
        for column, subject, value in zip(decl.columns, checked.subjects, point):
            parts.append(f"{column.span.excerpt() or 'a column'} = {_written(value, subject.type)}")
        return ", ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _label(decl: ast.Table, row: ast.TableRow) -> str:
    """How an explanation names a row: its number and its cells, `row 2: age >= 8, …`."""
    number = next(i for i, r in enumerate(decl.rows, 1) if r is row)
    assert row.cells is not None
    cells = [f"{column.span.excerpt()} {'= ' if cell.op == '=' and cell.written is None else ''}"
             f"{cell.span.excerpt()}" for column, cell in zip(decl.columns, row.cells)
             if cell.op != "any"]
    return f"row {number}: " + (", ".join(cells) if cells else "any case")


def _number(value: Any) -> Decimal:
    """A column's value on the number line (a date as its day number)."""
    if isinstance(value, dt.date):
        return Decimal(value.toordinal())
    return Decimal(value)


def _written(value: Any, t: Type) -> str:
    if t.kind == "date":
        return literal(dt.date.fromordinal(int(value)), t)
    if t.kind in ("integer", "year"):
        return literal(int(value), t)
    return literal(value, t)


__all__ = ["TableChecks"]
