"""Verifying invariants: hypothesis searches for a case that breaks what the law implies.

Strategies are derived from the policy itself — each input's type and bounds, the
constants its rules compare against (150 DMG → 149, 150, 151), the dates on which a
parameter value starts or ends and the dates its rules build (30 June → 29 June,
30 June, 1 July), and the cases of its examples, which keep most draws inside the
policy's domain. Nothing is written by hand per policy.

A case for which the policy has no value (a parameter before its first date, an
index not yet published) is outside the policy's domain and skipped; any other
run-time failure is reported like a broken invariant.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Callable, Iterator

from attrs import frozen
from hypothesis import HealthCheck, Phase, assume, given, seed as hseed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from compiler import ir
from compiler.api import Policy
from compiler.evaluate import EvalError, Evaluator
from compiler.explain import Trace, explain
from compiler.types import Type
from compiler.values import Duration, to_json
from dsl.diagnostics import Diagnostic
from dsl.span import SOURCES

OUT_OF_DOMAIN = {"E400", "E401"}


# ------------------------------------------------------------------ what the policy tells us


@frozen
class Harvest:
    """Constants and dates found in a policy, by type kind."""

    constants: dict[str, set[Any]]
    month_days: set[tuple[int, int]]
    examples: tuple[dict[str, Any], ...]


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for name in getattr(type(node), "__attrs_attrs__", ()):
        value = getattr(node, name.name)
        if isinstance(value, tuple):
            for item in value:
                if hasattr(type(item), "__attrs_attrs__"):
                    yield from _walk(item)
                elif isinstance(item, tuple):
                    for sub in item:
                        if hasattr(type(sub), "__attrs_attrs__"):
                            yield from _walk(sub)
        elif hasattr(type(value), "__attrs_attrs__") and not isinstance(value, Type):
            yield from _walk(value)


def harvest(program: ir.Program) -> Harvest:
    constants: dict[str, set[Any]] = {}
    month_days: set[tuple[int, int]] = set()
    roots: list[Any] = []
    for unit in program.units.values():
        roots += [d.expr for d in unit.definitions]
        roots += [i.expr for i in unit.invariants if i.expr is not None]
        roots += [i.guard for i in unit.invariants if i.guard is not None]
        for parameter in unit.parameters.values():
            for dated in parameter.values:
                constants.setdefault("date", set()).add(dated.start)
                if dated.end:
                    constants["date"].add(dated.end)
                constants.setdefault(parameter.type.kind, set()).add(dated.value)
    for root in roots:
        for node in _walk(root):
            if isinstance(node, ir.Const) and node.value is not None:
                constants.setdefault(node.type.kind, set()).add(node.value)
            if isinstance(node, ir.Call) and node.func == "date":
                _, m, d = node.args
                if isinstance(m, ir.Const) and isinstance(d, ir.Const):
                    month_days.add((m.value, d.value))
    # Examples that expect an error give cases outside the domain: not a base for drawing.
    return Harvest(constants, month_days, tuple(e.given for e in program.policy.examples
                                                if e.expect_error is None))


# ------------------------------------------------------------------ strategies


_LIMIT = 10 ** 18 - 1  # compiler.inputs refuses numbers of 10^18 and more


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
    examples = [e[name] for e in h.examples if name is not None and name in e]
    kind = t.kind
    if kind == "boolean":
        return st.booleans()
    if kind == "enum":
        return st.sampled_from(t.members)
    if kind == "text":
        return st.sampled_from(sorted({*examples, ""})) | st.text(max_size=8)
    if kind in ("integer", "year"):
        consts = {v for v in h.constants.get(kind, set()) | h.constants.get("integer", set())
                  if isinstance(v, int)}
        if kind == "year":
            consts = {v for v in consts if 1000 <= v <= 9999}  # small integers are not years
            consts |= {d.year for d in h.constants.get("date", set())}
            consts |= {v for v in examples if isinstance(v, int)}
        lo = low if low is not None else (min(consts | {0}) - 10 if kind == "integer" else
                                          min(consts | {2000}) - 3)
        hi = high if high is not None else max(consts | {10}) * 2 + 10 if kind == "integer" else \
            max(consts | {2000}) + 3
        if kind == "year":  # an input year is 1000–9999 (compiler.inputs); stay inside
            lo, hi = min(max(lo, 1000), 9999), max(min(hi, 9999), 1000)
        lo, hi = max(lo, -_LIMIT), min(hi, _LIMIT)
        special = _bounded(_near(consts | set(examples), 1), lo, hi)
        base = st.integers(lo, hi)
        return (st.sampled_from(special) | base) if special else base
    if kind in ("money", "decimal", "rate"):
        places = 2 if kind == "money" else 4
        step = Decimal(1).scaleb(-places)
        consts = {Decimal(v) for v in h.constants.get(kind, set()) if isinstance(v, (int, Decimal))}
        consts |= {Decimal(v) for v in examples if isinstance(v, (int, Decimal))}
        if kind == "money":
            consts |= {2 * v for v in consts}  # "half of the costs" reaches a cap at twice the cap
        consts = {v for v in consts if abs(v) <= _LIMIT}  # beyond any input (and exact cents)
        top = max(consts | {Decimal(1000) if kind == "money" else Decimal(1)})
        lo = max(low if low is not None else -top * 2, -_LIMIT)
        hi = min(high if high is not None else top * 2, _LIMIT)
        special = _bounded([v.quantize(step) for v in _near(consts, step)], lo, hi)
        base = st.decimals(min_value=lo, max_value=hi, places=places, allow_nan=False,
                           allow_infinity=False)
        return (st.sampled_from(special) | base) if special else base
    if kind == "date":
        dates = set(h.constants.get("date", set())) | {v for v in examples if isinstance(v, dt.date)}
        years = {d.year for d in dates} | {y for y in h.constants.get("year", set()) if isinstance(y, int)}
        for year in years | {y + 1 for y in years}:
            for m, d in h.month_days:
                try:
                    dates.add(dt.date(year, m, d))
                except (ValueError, TypeError, OverflowError):
                    pass
        if not dates:
            dates = {dt.date(2024, 1, 1)}
        special = _near(dates, dt.timedelta(days=1))
        lo = _shift(min(dates), -400)
        hi = _shift(max(dates), 400)
        return st.sampled_from(special) | st.dates(lo, hi)
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
        if sizes:
            sized = st.sampled_from(sizes).flatmap(
                lambda n: st.lists(element, min_size=n, max_size=n).map(tuple))
            return sized | lists
        return lists
    raise ValueError(f"no strategy for {t}")  # pragma: no cover


def case_strategy(policy: Policy, h: Harvest) -> st.SearchStrategy[dict[str, Any]]:
    """Whole cases: fresh ones, and the policy's examples with some inputs redrawn."""
    fields = {i.name: strategy_for(i.type, h, i.minimum, i.maximum, i.name) for i in policy.unit.inputs}
    fresh = st.fixed_dictionaries(fields)
    if not h.examples:
        return fresh
    complete = [e for e in h.examples if set(e) >= set(fields)]
    if not complete:
        return fresh
    names = sorted(fields)

    def redraw(example: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        # Redraw one to three inputs: an example changed a little stays mostly in the domain
        # (an eligible case stays eligible), where boundaries are.
        return st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True).flatmap(
            lambda chosen: st.fixed_dictionaries({n: fields[n] for n in chosen}).map(
                lambda drawn: {**example, **drawn}))

    redrawn = st.sampled_from(complete).flatmap(redraw)
    return st.one_of(redrawn, redrawn, fresh)


# ------------------------------------------------------------------ checking


@frozen
class Counterexample:
    invariant: ir.Invariant
    text: str
    cases: tuple[dict[str, Any], ...]  # one case, or the lower and higher case of `monotone`
    outputs: tuple[dict[str, Any], ...]
    error: Diagnostic | None
    traces: tuple[tuple[Trace, ...], ...]


@frozen
class Outcome:
    invariant: ir.Invariant
    text: str
    passed: bool
    examples_run: int
    skipped: int
    counterexample: Counterexample | None = None
    note: str | None = None


class _Broken(Exception):
    pass


def invariant_text(inv: ir.Invariant) -> str:
    """The invariant as written on its first line, without its quote."""
    line = SOURCES.line(inv.span.file, inv.span.line) or ""
    text = line.split("§")[0].split("#")[0].strip().removeprefix("invariant").strip()
    return text or inv.name or "invariant"


class Verifier:
    """Checks a policy's invariants; one Evaluator serves every draw."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.evaluator: Evaluator = policy.evaluator
        self.harvest = harvest(policy.program)
        self.cases = case_strategy(policy, self.harvest)
        self.inputs = {i.name: i for i in policy.unit.inputs}
        # Invariants are compiled once, by the same evaluator as the rules they read.
        self.fns: dict[int, tuple[Any, Any, Any]] = {}
        for inv in policy.unit.invariants:
            body = self.evaluator.compile(inv.expr) if inv.expr is not None else None
            guard = self.evaluator.compile(inv.guard) if inv.guard is not None else None
            output = None
            if inv.output is not None:
                output = self.evaluator.definitions[f"{policy.id}.{inv.output}"]
            self.fns[id(inv)] = (body, guard, output)

    def _as_of(self, case: dict[str, Any]) -> dt.date:
        name = self.policy.unit.as_of
        return case[name] if name else dt.date.today()

    def _run(self, case: dict[str, Any]) -> Any:
        """Evaluate every output; out-of-domain cases are rejected (assume)."""
        try:
            _, env = self.evaluator.evaluate(case, self._as_of(case))
            return env
        except EvalError as exc:
            assume(exc.diagnostic.code not in OUT_OF_DOMAIN)
            raise _Broken(exc.diagnostic) from None

    def _call(self, fn: Any, env: Any) -> Any:
        try:
            return fn(env)
        except EvalError as exc:
            assume(exc.diagnostic.code not in OUT_OF_DOMAIN)
            raise _Broken(exc.diagnostic) from None

    def check(self, inv: ir.Invariant, case: dict[str, Any], other: dict[str, Any] | None) -> bool:
        body, guard, output = self.fns[id(inv)]
        env = self._run(case)
        if guard is not None and not self._call(guard, env):
            assume(False)
        if inv.kind == "expr":
            return bool(self._call(body, env))
        assert other is not None
        env2 = self._run(other)
        if guard is not None and not self._call(guard, env2):
            assume(False)
        low, high = self._call(output, env), self._call(output, env2)
        return high >= low if inv.direction == "increasing" else high <= low

    def _pair(self, inv: ir.Invariant) -> st.SearchStrategy[tuple[dict[str, Any], dict[str, Any] | None]]:
        if inv.kind == "expr":
            return self.cases.map(lambda c: (c, None))
        decl = self.inputs[inv.input]  # type: ignore[index]
        t = decl.type
        if t.kind == "boolean":
            return self.cases.map(lambda c: ({**c, decl.name: False}, {**c, decl.name: True}))
        if t.kind == "list":
            def flip(args: tuple[dict[str, Any], int]) -> tuple[dict[str, Any], dict[str, Any]]:
                case, i = args
                values = list(case[decl.name]) or [False]
                i %= len(values)
                low, high = values.copy(), values.copy()
                low[i], high[i] = False, True
                return {**case, decl.name: tuple(low)}, {**case, decl.name: tuple(high)}
            return st.tuples(self.cases, st.integers(0, 11)).map(flip)
        values = strategy_for(t, self.harvest, decl.minimum, decl.maximum, decl.name)
        return st.tuples(self.cases, values, values).map(
            lambda a: ({**a[0], decl.name: min(a[1], a[2])}, {**a[0], decl.name: max(a[1], a[2])}))

    def verify(self, inv: ir.Invariant, max_examples: int = 200, seed: int | None = 0,
               database: Any = None) -> Outcome:
        """Search for a counterexample; the last failing draw is hypothesis' minimal one."""
        failing: list[tuple[dict[str, Any], dict[str, Any] | None, Diagnostic | None]] = []
        counts = {"run": 0, "skipped": 0}

        def prop(pair: tuple[dict[str, Any], dict[str, Any] | None]) -> None:
            counts["run"] += 1
            case, other = pair
            try:
                ok = self.check(inv, case, other)
                problem = None
            except _Broken as exc:
                ok, problem = False, exc.args[0]
            except Exception:
                counts["skipped"] += 1
                raise
            if not ok:
                failing.append((case, other, problem))
                raise AssertionError("invariant broken")

        test: Callable[[], None] = given(self._pair(inv))(prop)
        test = settings(max_examples=max_examples, deadline=None, database=database,
                        derandomize=False, print_blob=False,
                        suppress_health_check=list(HealthCheck),
                        phases=[Phase.explicit, Phase.generate, Phase.shrink])(test)
        if seed is not None:
            test = hseed(seed)(test)
        text = invariant_text(inv)
        try:
            test()
        except AssertionError:
            case, other, problem = failing[-1]
            return Outcome(inv, text, False, counts["run"] - counts["skipped"], counts["skipped"],
                           self._counterexample(inv, text, case, other, problem))
        except Unsatisfiable:
            return Outcome(inv, text, True, 0, counts["skipped"],
                           note="no case inside the policy's domain satisfied the guard")
        return Outcome(inv, text, True, counts["run"] - counts["skipped"], counts["skipped"])

    def _counterexample(self, inv: ir.Invariant, text: str, case: dict[str, Any],
                        other: dict[str, Any] | None, problem: Diagnostic | None) -> Counterexample:
        cases = (case,) if other is None else (case, other)
        outputs, traces = [], []
        for c in cases:
            try:
                values, env = self.evaluator.evaluate(c, self._as_of(c))
                outputs.append(values)
                traces.append(tuple(explain(self.evaluator, env)))
            except EvalError as exc:
                outputs.append({})
                traces.append(())
                problem = problem or exc.diagnostic
        return Counterexample(inv, text, cases, tuple(outputs), problem, tuple(traces))

    def verify_all(self, max_examples: int = 200, seed: int | None = 0,
                   database: Any = None) -> list[Outcome]:
        return [self.verify(inv, max_examples, seed, database) for inv in self.policy.unit.invariants]


# ------------------------------------------------------------------ reporting


def literal(value: Any, t: Type) -> str:
    """A value written as Légiste source, for a ready-to-paste example."""
    kind = t.kind
    if kind == "money":
        return f"{value} EUR"
    if kind == "rate":
        return f"{(value * 100).normalize():f} %"
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "date":
        return value.isoformat()
    if kind == "text":
        return json.dumps(value, ensure_ascii=False)
    if kind == "duration":
        return str(value)
    if kind == "decimal":
        text = f"{value:f}"
        return text if "." in text else text + ".0"
    if kind == "list":
        return "[" + ", ".join(literal(v, t.element) for v in value) + "]"  # type: ignore[arg-type]
    if kind == "record":
        return "{" + ", ".join(f"{n}: {literal(value[n], ft)}" for n, ft in t.fields) + "}"
    return str(value)


def example_block(policy: Policy, title: str, case: dict[str, Any], outputs: dict[str, Any]) -> str:
    types = {i.name: i.type for i in policy.unit.inputs}
    out_types = {d.name: d.type for d in policy.unit.definitions}
    lines = [f"example {json.dumps(title, ensure_ascii=False)}"]
    for name, value in case.items():
        lines.append(f"  given {name} = {literal(value, types[name])}")
    if outputs:
        lines.append("  expect " + ", ".join(f"{n} = {literal(v, out_types[n])}" for n, v in outputs.items()))
    return "\n".join(lines)


def case_json(policy: Policy, case: dict[str, Any]) -> dict[str, Any]:
    types = {i.name: i.type for i in policy.unit.inputs}
    return {name: to_json(value, types[name]) for name, value in case.items()}
