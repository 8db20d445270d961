"""Checking stage: whether the rows of a decision table overlap or leave a gap, exactly.

Consumes nothing but values: compiler/checking/tables.py turns each column into a
`Column` (an enumeration's or a boolean's members, or the whole numbers, days or
decimals within the bounds an input declares) and each cell into the set of values
it matches. Every column is cut into *atoms*, pieces of its domain that no cell
boundary splits (each member; for numbers the points written in a cell and the open
stretches between them, whole-number stretches for integers and dates), so that a cell
matches all of an atom or none of it. One representative per atom then decides:
two rows overlap when, in every column, some atom is matched by both; a gap is a
combination of atoms no row matches, found by a search over the columns that stops
at the first uncovered combination. Nothing is sampled, so the verdict is exact.
"""

from __future__ import annotations

from decimal import Context, Decimal, Inexact, InvalidOperation
from typing import Any, Sequence

from attrs import frozen

# Exact arithmetic for representatives: a midpoint of two decimals is a decimal.
_EXACT = Context(prec=100_000, Emax=999_999, Emin=-999_999, traps=[Inexact, InvalidOperation])
_ONE = Decimal(1)


@frozen
class Interval:
    """Values between `lo` and `hi` (None: unbounded), each bound open or closed."""

    lo: Decimal | None = None
    hi: Decimal | None = None
    lo_open: bool = False
    hi_open: bool = False

    def contains(self, x: Decimal) -> bool:
        if self.lo is not None and (x < self.lo or (self.lo_open and x == self.lo)):
            return False
        return not (self.hi is not None and (x > self.hi or (self.hi_open and x == self.hi)))


EVERYTHING = Interval()


@frozen
class Column:
    """The domain of one column: `finite` (members: an enumeration, true/false),
    `discrete` (whole numbers: integers, years, dates as day numbers) or `dense`
    (decimals: amounts, rates), within `domain` for numbers."""

    kind: str
    members: tuple[Any, ...] = ()
    domain: Interval = EVERYTHING


# A cell: None (any value), a frozenset of members (finite columns) or a tuple of
# intervals whose union it matches (numbers; integer intervals are closed, see _whole).
Cell = Any


def _whole(iv: Interval) -> Interval:
    """An interval of whole numbers, with closed whole bounds (`< 5.5` is `<= 5`)."""
    lo = hi = None
    if iv.lo is not None:
        lo = iv.lo.to_integral_value(rounding="ROUND_FLOOR") + 1 if iv.lo_open \
            else iv.lo.to_integral_value(rounding="ROUND_CEILING")
    if iv.hi is not None:
        hi = iv.hi.to_integral_value(rounding="ROUND_CEILING") - 1 if iv.hi_open \
            else iv.hi.to_integral_value(rounding="ROUND_FLOOR")
    return Interval(lo, hi)


def cell(column: Column, op: str, value: Any = None, high: Any = None) -> Cell:
    """The values a cell `op value` (or `between value and high`) matches in a column."""
    if op == "any":
        return None
    if column.kind == "finite":
        if op == "=":
            return frozenset([value])
        if op == "!=":
            return frozenset(m for m in column.members if m != value)
        raise ValueError(f"{op} does not order the values of this column")
    v = Decimal(value)
    pieces = {
        "=": (Interval(v, v),),
        "!=": (Interval(hi=v, hi_open=True), Interval(lo=v, lo_open=True)),
        "<": (Interval(hi=v, hi_open=True),), "<=": (Interval(hi=v),),
        ">": (Interval(lo=v, lo_open=True),), ">=": (Interval(lo=v),),
    }.get(op)
    if op == "between":
        pieces = (Interval(v, Decimal(high)),)
    if pieces is None:
        raise ValueError(f"unknown cell operator {op}")
    if column.kind == "discrete":
        pieces = tuple(_whole(iv) for iv in pieces)
    return pieces


def matches(c: Cell, x: Any) -> bool:
    """Whether a cell matches a value of its column."""
    if c is None:
        return True
    if isinstance(c, frozenset):
        return x in c
    return any(iv.contains(x) for iv in c)


def atoms(column: Column, cells: Sequence[Cell]) -> list[Any]:
    """One representative of each atom of the column's domain (see the module's doc)."""
    if column.kind == "finite":
        return list(column.members)
    intervals = [iv for c in cells if c is not None for iv in c]
    domain = _whole(column.domain) if column.kind == "discrete" else column.domain
    intervals.append(domain)
    if column.kind == "discrete":
        cuts = sorted({iv.lo for iv in intervals if iv.lo is not None}
                      | {iv.hi + 1 for iv in intervals if iv.hi is not None})
        reps = [cuts[0] - 1, *cuts] if cuts else [Decimal(0)]
    else:
        points = sorted({b for iv in intervals for b in (iv.lo, iv.hi) if b is not None})
        reps = [points[0] - _ONE] if points else [Decimal(0)]
        for a, b in zip(points, points[1:]):
            reps += [a, _EXACT.divide(_EXACT.add(a, b), 2)]
        if points:
            reps += [points[-1], points[-1] + _ONE]
    return [r for r in reps if domain.contains(r)]


def overlap(columns: Sequence[list[Any]], a: Sequence[Cell], b: Sequence[Cell]) -> list[Any] | None:
    """A combination (one representative per column) both rows match, or None."""
    point = []
    for reps, ca, cb in zip(columns, a, b):
        rep = next((r for r in reps if matches(ca, r) and matches(cb, r)), None)
        if rep is None:
            return None
        point.append(rep)
    return point


def gap(columns: Sequence[list[Any]], rows: Sequence[Sequence[Cell]]) -> list[Any] | None:
    """A combination no row matches, or None when the rows cover every combination."""
    n = len(columns)
    if any(not reps for reps in columns):
        return None  # a column with no value at all (bounds that exclude everything)
    covered: set[tuple[int, frozenset[int]]] = set()

    def search(col: int, alive: frozenset[int]) -> list[Any] | None:
        if not alive:
            return [reps[0] for reps in columns[col:]]
        if col == n or (col, alive) in covered:
            return None
        for rep in columns[col]:
            found = search(col + 1, frozenset(r for r in alive if matches(rows[r][col], rep)))
            if found is not None:
                return [rep, *found]
        covered.add((col, alive))
        return None

    return search(0, frozenset(range(len(rows))))


__all__ = ["Column", "Interval", "EVERYTHING", "atoms", "cell", "gap", "matches", "overlap"]
