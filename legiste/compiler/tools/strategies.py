"""Hypothesis strategies derived from a policy: the cases `legiste verify` searches.

Nothing is written by hand per policy. The policy itself says where its boundaries are:
each input's type and bounds; the constants its rules compare against (150 DMG → 149,
150, 151); the dates on which a parameter value starts or ends and the dates its rules
build (30 June → 29 June, 30 June, 1 July); and the cases of its examples. Most draws
are an example a small step away (one input, one list element or one record field
redrawn): such a case stays inside the policy's domain — an eligible case stays
eligible — and costs hypothesis a few choices, where a fresh case of nested record
lists costs hundreds. Fresh cases are drawn too, so nothing outside the examples'
neighbourhood is out of reach.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterator

from attrs import field, frozen
from hypothesis import strategies as st

from legiste.compiler import ir
from legiste.compiler.interpreter.cases import Compiled
from legiste.compiler.ir.kinds import DECIMAL_KINDS, WHOLE_KINDS
from legiste.compiler.ir.passes.inline_rules import Inliner
from legiste.compiler.ir.types import ORDERED, Type
from legiste.compiler.ir.walk import walk
from legiste.compiler.runtime.values import Duration

# ------------------------------------------------------------------ what the policy tells us


@frozen
class Harvest:
    """Constants and dates found in a policy, by type kind."""

    constants: dict[str, set[Any]]
    month_days: set[tuple[int, int]]
    examples: tuple[dict[str, Any], ...]
    titles: tuple[str, ...]  # each example's name, in the same order
    memo: dict[tuple[Any, ...], st.SearchStrategy[Any]] = field(factory=dict, eq=False)
    # Whole years compared with `years_between` (an age of 15, 18): a date that many years
    # before each date of the policy and of its examples is a boundary (see `_aged`).
    year_spans: frozenset[int] = frozenset()
    example_dates: frozenset[dt.date] = frozenset()


def harvest(program: ir.Program) -> Harvest:
    constants: dict[str, set[Any]] = {}
    month_days: set[tuple[int, int]] = set()
    spans: set[int] = set()
    roots: list[Any] = []
    # Record rules and functions read in place (ir/passes/inline_rules.py): their
    # constants and comparisons are the policy's too.
    inline = Inliner(program)
    for unit in program.units.values():
        roots += [inline(d.expr) for d in unit.definitions]
        roots += [i.expr for i in unit.invariants if i.expr is not None]
        roots += [i.guard for i in unit.invariants if i.guard is not None]
        for parameter in unit.parameters.values():
            for dated in parameter.values:
                constants.setdefault("date", set()).add(dated.start)
                if dated.end:
                    constants["date"].add(dated.end)
                constants.setdefault(parameter.type.kind, set()).add(dated.value)
    for root in roots:
        for node in walk(root):
            if isinstance(node, ir.Const) and node.value is not None:
                constants.setdefault(node.type.kind, set()).add(node.value)
            if isinstance(node, ir.Call) and node.func.name == "date":
                _, m, d = node.args
                if isinstance(m, ir.Const) and isinstance(d, ir.Const):
                    month_days.add((m.value, d.value))
            spans |= _ages(node)
    # Examples that expect an error give cases outside the domain: not a base for drawing.
    examples = [e for e in program.policy.examples if e.expect_error is None]
    return Harvest(constants, month_days, tuple(e.given for e in examples),
                   tuple(e.name for e in examples), year_spans=frozenset(spans),
                   example_dates=frozenset(_dates_in([e.given for e in examples])))


def _ages(node: Any) -> set[int]:
    """The whole numbers of years a comparison or `between` holds against
    `years_between(…)` (an age): `age >= 15` where `age` is years_between(birth, day)."""
    if isinstance(node, ir.Compare):
        sides = [(node.left, node.right), (node.right, node.left)]
    elif isinstance(node, ir.Between):
        sides = [(node.value, node.low), (node.value, node.high)]
    else:
        return set()
    out = set()
    for side, other in sides:
        if isinstance(other, ir.Const) and type(other.value) is int and 0 <= other.value <= 150 \
                and any(isinstance(n, ir.Call) and n.func.name == "years_between" for n in walk(side)):
            out |= {other.value, other.value + 1}
    return out


def _dates_in(value: Any) -> set[dt.date]:
    """Every date of an example's values, in lists and records too."""
    if isinstance(value, dt.date):
        return {value}
    if isinstance(value, dict):
        value = tuple(value.values())
    if isinstance(value, (tuple, list)):
        return {d for v in value for d in _dates_in(v)}
    return set()


def _years_before(date: dt.date, years: int) -> dt.date | None:
    try:
        return date.replace(year=date.year - years)
    except ValueError:  # 29 February of a year that has none
        return date.replace(year=date.year - years, day=28) if date.year - years >= 1 else None


def _aged(h: Harvest, dates: set[dt.date]) -> set[dt.date]:
    """The days that many years (`year_spans`) before each date: on which a person born
    that day turns that age (an age boundary of the policy)."""
    out = set()
    for date in dates | set(h.example_dates):
        for years in h.year_spans:
            day = _years_before(date, years)
            if day is not None:
                out.add(day)
    return out


# ------------------------------------------------------------------ strategies


_LIMIT = 10 ** 18 - 1  # legiste.compiler.interpreter.inputs refuses numbers of 10^18 and more


def _near(values: set[Any], step: Any) -> list[Any]:
    out = set()
    for v in values:
        for k in (-1, 0, 1):
            try:
                out.add(v + k * step)
            except OverflowError:  # the day before 0001-01-01 or after 9999-12-31
                pass
    return sorted(out)


def _shift(date: dt.date, days: int) -> dt.date:
    """`date + days`, kept inside the calendar."""
    try:
        return date + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.min if days < 0 else dt.date.max


def _bounded(values: list[Any], low: Any, high: Any) -> list[Any]:
    return [v for v in values if (low is None or v >= low) and (high is None or v <= high)]


def strategy_for(t: Type, h: Harvest, low: Any = None, high: Any = None,
                 name: str | None = None, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of type t within [low, high], biased to the policy's boundaries.
    `depth` counts the lists and records around the value: nested lists stay short,
    since drawing them is what a search spends its time on."""
    # One strategy object per key: hypothesis validates each new object on its first
    # draw, and variant() asks for the same strategies on every draw.
    key = (t, low, high, name, depth)
    if key not in h.memo:
        h.memo[key] = _strategy_for(t, h, low, high, name, depth)
    return h.memo[key]


def _strategy_for(t: Type, h: Harvest, low: Any, high: Any,
                  name: str | None, depth: int) -> st.SearchStrategy[Any]:
    examples = [e[name] for e in h.examples if name is not None and name in e]
    kind = t.kind
    if kind == "boolean":
        return st.booleans()
    if kind == "enum":
        return st.sampled_from(t.members)
    if kind == "text":
        return st.sampled_from(sorted({*examples, ""})) | st.text(max_size=8)
    if kind in ORDERED:
        special, lo, hi = _scalar_range(kind, h, low, high, examples)
        if kind == "date":
            base: st.SearchStrategy[Any] = st.dates(lo, hi)
        elif kind in WHOLE_KINDS:
            base = st.integers(lo, hi)
        else:
            base = st.decimals(min_value=lo, max_value=hi, places=_places(kind), allow_nan=False,
                               allow_infinity=False)
        return (st.sampled_from(special) | base) if special else base
    if kind == "duration":
        return st.builds(lambda n: Duration(days=n), st.integers(0, 400))
    if kind == "record":
        bounds = {f: (lo_, hi_) for f, lo_, hi_ in t.bounds}
        return st.fixed_dictionaries({f: strategy_for(ft, h, *bounds.get(f, (None, None)),
                                                      depth=depth + 1)
                                      for f, ft in t.fields})
    if kind == "list":
        element = strategy_for(t.element, h, depth=depth + 1)  # type: ignore[arg-type]
        sizes = sorted({len(v) for v in examples if isinstance(v, tuple)})
        lists = st.lists(element, max_size=12 if depth == 0 else 3).map(tuple)
        if t.element.kind == "record":  # type: ignore[union-attr]
            # Several elements alike (four children of 15 or more): a rule of each element
            # at its boundary for all of them, which independent draws almost never reach.
            lists = lists | _alike(element, 12 if depth == 0 else 3)
        if sizes:
            sized = st.sampled_from(sizes).flatmap(
                lambda n: st.lists(element, min_size=n, max_size=n).map(tuple))
            return sized | lists
        return lists
    raise ValueError(f"no strategy for {t}")  # pragma: no cover




def _alike(element: st.SearchStrategy[Any], most: int) -> st.SearchStrategy[tuple[Any, ...]]:
    """Lists of up to `most` copies of one drawn element."""
    return st.integers(1, most).flatmap(lambda n: element.map(lambda e: (e,) * n))


def _places(kind: str) -> int:
    return 2 if kind == "money" else 4


def _scalar_range(kind: str, h: Harvest, low: Any, high: Any,
                  examples: list[Any]) -> tuple[list[Any], Any, Any]:
    """The boundary values of a number, year or date input (each constant of the policy
    with its neighbours) and the range to draw the others from."""
    if kind in WHOLE_KINDS:
        consts = {v for v in h.constants.get(kind, set()) | h.constants.get("integer", set())
                  if isinstance(v, int)}
        edges: list[int] = []
        if kind == "integer":
            lo = low if low is not None else min(consts | {0}) - 10
            hi = high if high is not None else max(consts | {10}) * 2 + 10
        else:
            consts = {v for v in consts if 1000 <= v <= 9999}  # small integers are not years
            consts |= {d.year for d in h.constants.get("date", set())}
            consts |= {v for v in examples if isinstance(v, int)}
            # An input year is 1000–9999 (legiste.compiler.interpreter.inputs). Years far from every date of
            # the policy are alike (no parameter has a value): draws stay within three
            # years of them, and only the declared bounds themselves are tried.
            lo = max(low if low is not None else 1000, 1000)
            hi = min(high if high is not None else 9999, 9999)
            edges = [lo, hi]
            years = consts or {2000}
            lo, hi = max(lo, min(years) - 3), min(hi, max(years) + 3)
            if lo > hi:
                lo, hi = edges
        lo, hi = max(lo, -_LIMIT), min(hi, _LIMIT)
        return sorted(set(_bounded(_near(consts | set(examples), 1), lo, hi) + edges)), lo, hi
    if kind == "date":
        dates = set(h.constants.get("date", set())) | {v for v in examples if isinstance(v, dt.date)}
        years = {d.year for d in dates} | {y for y in h.constants.get("year", set()) if isinstance(y, int)}
        dates |= _built_days(h, years | {y + 1 for y in years})
        if not dates:
            dates = {dt.date(2024, 1, 1)}
        dates |= _aged(h, dates)
        return _near(dates, dt.timedelta(days=1)), _shift(min(dates), -400), _shift(max(dates), 400)
    step = Decimal(1).scaleb(-_places(kind))
    consts = {Decimal(v) for v in h.constants.get(kind, set()) if isinstance(v, (int, Decimal))}
    consts |= {Decimal(v) for v in examples if isinstance(v, (int, Decimal))}
    if kind == "money":
        consts |= {2 * v for v in consts}  # "half of the costs" reaches a cap at twice the cap
    consts = {v for v in consts if abs(v) <= _LIMIT}  # beyond any input (and exact cents)
    top = max(consts | {Decimal(1000) if kind == "money" else Decimal(1)})
    lo = max(low if low is not None else -top * 2, -_LIMIT)
    hi = min(high if high is not None else top * 2, _LIMIT)
    return _bounded(sorted({v.quantize(step) for v in _near(consts, step)}), lo, hi), lo, hi


def _built_days(h: Harvest, years: set[int]) -> set[dt.date]:
    """The days the rules build with date(y, m, d) (30 June), in each of `years`."""
    days = set()
    for year in years:
        for m, d in h.month_days:
            try:
                days.add(dt.date(year, m, d))
            except (ValueError, TypeError, OverflowError):
                pass
    return days


def boundaries(t: Type, h: Harvest, value: Any, low: Any = None, high: Any = None,
               name: str | None = None) -> list[Any]:
    """The values worth trying in place of an input's `value`: both booleans, every
    member of an enumeration, and each boundary of a number, year or date (for a date,
    those within about a year of `value`, with the days the rules build in its year and
    the years beside it). Empty for lists, records and texts."""
    kind = t.kind
    if kind == "boolean":
        return [False, True]
    if kind == "enum":
        return list(t.members)
    if kind == "list" and t.element is not None and t.element.kind == "record" and isinstance(value, tuple):
        return _list_boundaries(t.element, h, value)
    if kind not in ORDERED:
        return []
    examples = [e[name] for e in h.examples if name is not None and name in e]
    special, _, _ = _scalar_range(kind, h, low, high, examples)
    if kind == "date" and isinstance(value, dt.date):
        lo, hi = _clip(_shift(value, -400), _shift(value, 400), low, high)
        own = _near(_built_days(h, {value.year - 1, value.year, value.year + 1}), dt.timedelta(days=1))
        aged = _near(_aged(h, set()), dt.timedelta(days=1))  # age boundaries, however far
        special = sorted(set(_bounded(special, lo, hi)) | set(_bounded(own, lo, hi))
                         | set(_bounded(aged, low, high)))
    return special


_LIST_BOUNDARIES = 400  # at most this many lists tried in place of one list input


def _list_boundaries(record: Type, h: Harvest, value: tuple[Any, ...]) -> list[Any]:
    """The lists worth trying in place of a list of records: each element with one field
    at each of its boundaries, and lists of copies of the first element so moved, as many
    as each small count of the policy (at least 4 children) and one more than the list."""
    bounds = {f: (lo, hi) for f, lo, hi in record.bounds}
    counts = sorted({n for n in h.constants.get("integer", set())
                     if type(n) is int and 1 <= n <= 12} | {len(value) + 1})
    out: list[Any] = []
    for i, element in enumerate(value[:4]):
        if not isinstance(element, dict):
            continue
        for f, ft in record.fields:
            for v in boundaries(ft, h, element.get(f), *bounds.get(f, (None, None))):
                moved = {**element, f: v}
                out.append(value[:i] + (moved,) + value[i + 1:])
                if i == 0:
                    out += [(moved,) * n for n in counts]
    return out[:_LIST_BOUNDARIES]


def variant(t: Type, value: Any, h: Harvest, low: Any = None, high: Any = None,
            name: str | None = None, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values one small step from `value`: a record with one field changed; a list with one
    element changed, dropped or added; a number or date near its own value, or drawn
    afresh; any other value drawn afresh. (A whole list drawn afresh is left to the fresh
    cases: here it would cost as much as all the other steps together.)"""
    if t.kind == "record" and isinstance(value, dict) and t.fields:
        types = dict(t.fields)
        bounds = {f: (lo, hi) for f, lo, hi in t.bounds}

        def field(f: str) -> st.SearchStrategy[Any]:
            return variant(types[f], value[f], h, *bounds.get(f, (None, None)),
                           depth=depth + 1).map(lambda v: {**value, f: v})
        return st.sampled_from([f for f, _ in t.fields]).flatmap(field)
    if t.kind == "list" and isinstance(value, tuple):
        element = t.element
        assert element is not None
        fresh = strategy_for(element, h, depth=depth + 1)
        steps = [st.integers(0, len(value)).flatmap(
                     lambda i: fresh.map(lambda e: value[:i] + (e,) + value[i:]))]
        if value:
            steps.append(st.integers(0, len(value) - 1).map(lambda i: value[:i] + value[i + 1:]))
            steps.append(st.integers(0, len(value) - 1).flatmap(
                lambda i: variant(element, value[i], h, depth=depth + 1).map(
                    lambda e: value[:i] + (e,) + value[i + 1:])))
        return st.one_of(steps)
    fresh = strategy_for(t, h, low, high, name, depth)
    near = around(t, value, h, low, high)
    return fresh if near is None else near | fresh


def case_strategy(policy: Compiled, h: Harvest, bases: tuple[dict[str, Any], ...] | None = None,
                  fresh_too: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Whole cases: mostly a base case (by default the policy's examples) a small step away,
    one in eight drawn afresh (a fresh case of nested lists costs many draws), none when
    not `fresh_too`."""
    decls = {i.name: i for i in policy.program.policy.inputs}
    # An input with a presumption, or an optional one, is drawn absent too.
    fresh = st.fixed_dictionaries(
        {n: strategy_for(i.type, h, i.minimum, i.maximum, n) for n, i in decls.items() if i.required},
        optional={n: strategy_for(i.type, h, i.minimum, i.maximum, n)
                  for n, i in decls.items() if not i.required})
    required = {n for n, i in decls.items() if i.required}
    complete = [e for e in (h.examples if bases is None else bases) if set(e) >= required]
    if not complete:
        return fresh
    names = sorted(decls)

    def step(example: dict[str, Any], name: str) -> st.SearchStrategy[Any]:
        d = decls[name]
        if name not in example:
            return strategy_for(d.type, h, d.minimum, d.maximum, name)
        value = variant(d.type, example[name], h, d.minimum, d.maximum, name)
        return value if d.required else st.just(ABSENT) | value

    def redraw(example: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        # One to three inputs change: the boundaries the examples sit next to get probed.
        return st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True).flatmap(
            lambda chosen: st.tuples(*(step(example, n) for n in chosen)).map(
                lambda drawn: _present({**example, **dict(zip(chosen, drawn))})))

    redrawn = st.sampled_from(complete).flatmap(redraw)
    return st.one_of(*[redrawn] * 7, fresh) if fresh_too else redrawn


# A drawn input left out of the case (an input with a presumption, or an optional one).
ABSENT = object()


def _present(case: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in case.items() if v is not ABSENT}


def around(t: Type, value: Any, h: Harvest, low: Any = None,
           high: Any = None) -> st.SearchStrategy[Any] | None:
    """Numbers of the magnitude of `value` (from 0 to twice it) and dates within a year of
    it, within [low, high]: where a guard relating this input to others (a count at most
    another count) still tends to hold. None for other kinds."""
    kind = t.kind
    if kind in WHOLE_KINDS and isinstance(value, int):
        span = max(abs(value), 10) if kind == "integer" else 3
        lo, hi = _clip(value - span, value + span, low, high)
        return st.integers(lo, hi) if lo <= hi else None
    if kind in DECIMAL_KINDS and isinstance(value, (int, Decimal)):
        places = _places(kind)
        span = max(abs(Decimal(value)), Decimal(1))
        lo, hi = _clip(Decimal(value) - span, Decimal(value) + span, low, high)
        return st.decimals(min_value=lo, max_value=hi, places=places, allow_nan=False,
                           allow_infinity=False) if lo <= hi else None
    if kind == "date" and isinstance(value, dt.date):
        lo, hi = _clip(_shift(value, -366), _shift(value, 366), low, high)
        if lo > hi:
            return None
        # The days the rules build (30 June → 29 June, 30 June, 1 July) in the value's
        # year and those beside it: a deadline a year after another input is found.
        days = _built_days(h, {value.year - 1, value.year, value.year + 1})
        special = _bounded(_near(days, dt.timedelta(days=1)), lo, hi)
        return st.sampled_from(special) | st.dates(lo, hi) if special else st.dates(lo, hi)
    return None


def _clip(lo: Any, hi: Any, low: Any, high: Any) -> tuple[Any, Any]:
    return (lo if low is None else max(lo, low)), (hi if high is None else min(hi, high))


def boundary_cases(policy: Compiled, h: Harvest, bases: tuple[dict[str, Any], ...],
                   name: str | None = None) -> Iterator[tuple[Any, int, str]]:
    """Each base case with one input moved to each of its boundaries (the day before, of
    and after each deadline; each threshold and its neighbours), each once. With `name`
    (for `monotone … in name`): pairs of one base case at two neighbouring boundaries of
    that input, or, for a list of booleans, with one element false then true. Yields
    (case and None, or the lower and higher case; index of the base; input moved)."""
    decls = {i.name: i for i in policy.program.policy.inputs}
    seen: set[str] = set()
    for index, base in enumerate(bases):
        if not set(base) >= {n for n, d in decls.items() if d.required}:
            continue
        if name is None:
            for n, d in decls.items():
                if n not in base:  # left to its presumption, or an optional input not given
                    continue
                if not d.required and repr(sorted((k, v) for k, v in base.items() if k != n)) not in seen:
                    absent = {k: v for k, v in base.items() if k != n}
                    seen.add(repr(sorted(absent.items())))
                    yield (absent, None), index, n
                for v in boundaries(d.type, h, base[n], d.minimum, d.maximum, n):
                    case = {**base, n: v}
                    key = repr(sorted(case.items()))
                    if v != base[n] and key not in seen:
                        seen.add(key)
                        yield (case, None), index, n
            continue
        d = decls[name]
        if name not in base:  # an optional input the base does not give
            continue
        if d.type.kind == "list":
            for i in range(len(base[name])):
                low, high = list(base[name]), list(base[name])
                low[i], high[i] = False, True
                yield ({**base, name: tuple(low)}, {**base, name: tuple(high)}), index, name
            continue
        values = sorted(set(boundaries(d.type, h, base[name], d.minimum, d.maximum, name)) | {base[name]})
        for a, b in zip(values, values[1:]):
            yield ({**base, name: a}, {**base, name: b}), index, name
