"""Verifying invariants: hypothesis searches for a case that breaks what the law implies.

Two searches, in this order, with cases derived from the policy itself
(legiste.compiler.tools.strategies): every example moved to each boundary of each input, checked
exhaustively — the day after a deadline is not left to chance —, then hypothesis'
search, whose failures are shrunk. An invariant with a `when` guard that the shared
search rarely satisfies gets a search of its own from the examples satisfying it.

A case for which the policy has no value (a parameter before its first date, an
index not yet published) is outside the policy's domain and skipped; any other
run-time failure is reported like a broken invariant.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable

from attrs import frozen
from hypothesis import HealthCheck, Phase, assume, given, seed as hseed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from legiste.compiler import ir
from legiste.compiler.interpreter.cases import Compiled, as_of
from legiste.compiler.interpreter.evaluate import EvalError, Evaluator
from legiste.compiler.interpreter.requirements import breaks_requirement
from legiste.compiler.interpreter.explain import Trace, explain
from legiste.compiler.tools.strategies import around, boundary_cases, case_strategy, harvest, strategy_for
from legiste.compiler.ir.types import Type
from legiste.compiler.ir.kinds import literal
from legiste.compiler.runtime.values import to_json
from legiste.dsl.diagnostics import Diagnostic

# No value for the date, and a case the law cannot assess (a rule error): out of the domain.
OUT_OF_DOMAIN = {"E400", "E401", "E405"}

# ------------------------------------------------------------------ checking


@frozen
class Counterexample:
    invariant: ir.Invariant
    text: str
    cases: tuple[dict[str, Any], ...]  # one case, or the lower and higher case of `monotone`
    outputs: tuple[dict[str, Any], ...]
    error: Diagnostic | None
    traces: tuple[tuple[Trace, ...], ...]
    origin: str | None = None  # "example "…" with x = v" when found at a boundary


@frozen
class Outcome:
    invariant: ir.Invariant
    text: str
    passed: bool
    examples_run: int
    skipped: int
    counterexample: Counterexample | None = None
    note: str | None = None
    boundary_cases: int = 0  # examples moved to a boundary, checked before the search


class _Broken(Exception):
    """A run-time failure (not a case outside the domain) while checking."""


class _OutOfDomain(Exception):
    """The policy has no value for this case (E400, E401)."""


Pair = tuple[dict[str, Any], "dict[str, Any] | None"]


def invariant_text(inv: ir.Invariant) -> str:
    """The invariant as written on its first line, without its quote."""
    line = inv.span.source_line() or ""
    text = line.split("§")[0].split("#")[0].strip().removeprefix("invariant").strip()
    return text or inv.name or "invariant"


class Verifier:
    """Checks a policy's invariants; one Evaluator serves every draw.

    Invariants that read the same kind of case are checked together: one evaluation of
    a drawn case checks every plain invariant, one pair checks every `monotone … in X`
    of the same X. Drawing a case costs hypothesis far more than evaluating it, so this
    divides the cost of `legiste verify` by about the number of invariants. A broken
    invariant is reported with the shrunk case, and the search goes on for the others;
    a guarded invariant whose guard held on too few of the shared cases gets a search
    of its own, from the examples that satisfy its guard."""

    def __init__(self, policy: Compiled):
        self.policy = policy
        self.unit = policy.program.policy
        self.evaluator: Evaluator = policy.evaluator
        self.harvest = harvest(policy.program)
        self.inputs = {i.name: i for i in self.unit.inputs}
        # Invariants are compiled once, by the same evaluator as the rules they read.
        self.fns: dict[int, tuple[Any, Any, Any]] = {}
        for inv in self.unit.invariants:
            body = self.evaluator.compile_expression(inv.expr) if inv.expr is not None else None
            guard = self.evaluator.compile_expression(inv.guard) if inv.guard is not None else None
            output = None
            if inv.output is not None:
                output = self.evaluator.definitions[f"{self.unit.id}.{inv.output}"]
            self.fns[id(inv)] = (body, guard, output)
        # The examples the policy has a value for, with their evaluations, as search bases.
        self.bases: list[tuple[dict[str, Any], Any, str]] = []
        for example, title in zip(self.harvest.examples, self.harvest.titles):
            try:
                if breaks_requirement(self.evaluator, example):
                    continue
                env = self.evaluator.evaluate(example, self._as_of(example))[1]
            except (EvalError, KeyError, TypeError):  # incomplete, or outside the domain
                continue
            self.bases.append((example, env, title))

    # -------------------------------------------------------------- one case

    def _as_of(self, case: dict[str, Any]) -> dt.date:
        return as_of(self.unit, case)  # the case's own date (1 January of a year input)

    def _env(self, case: dict[str, Any]) -> Any:
        """Evaluate every output of a case (one that breaks a `require` is no case)."""
        if breaks_requirement(self.evaluator, case):
            raise _OutOfDomain()
        try:
            return self.evaluator.evaluate(case, self._as_of(case))[1]
        except EvalError as exc:
            if exc.diagnostic.code in OUT_OF_DOMAIN:
                raise _OutOfDomain() from None
            raise _Broken(exc.diagnostic) from None

    @staticmethod
    def _call(fn: Any, env: Any) -> Any:
        try:
            return fn(env)
        except EvalError as exc:
            if exc.diagnostic.code in OUT_OF_DOMAIN:
                raise _OutOfDomain() from None
            raise _Broken(exc.diagnostic) from None

    def _verdict(self, inv: ir.Invariant, env: Any, env2: Any = None) -> bool | None:
        """True if `inv` holds, False if it is broken, None if it does not apply (its
        guard is false on a side, or it reads a value the policy does not have)."""
        body, guard, output = self.fns[id(inv)]
        try:
            if guard is not None and not (self._call(guard, env)
                                          and (env2 is None or self._call(guard, env2))):
                return None
            if inv.kind == "expr":
                return bool(self._call(body, env))
            low, high = self._call(output, env), self._call(output, env2)
        except _OutOfDomain:
            return None
        return high >= low if inv.direction == "increasing" else high <= low

    def check(self, inv: ir.Invariant, case: dict[str, Any], other: dict[str, Any] | None) -> bool:
        """Whether `inv` holds for a case (for `monotone`, the lower and the higher case);
        a case it does not apply to holds. A run-time failure raises EvalError's
        diagnostic as `_Broken`."""
        try:
            env = self._env(case)
            env2 = self._env(other) if other is not None else None
        except _OutOfDomain:
            return True
        return self._verdict(inv, env, env2) is not False

    # -------------------------------------------------------------- strategies

    def cases(self, guard: Any = None, fresh_too: bool = True) -> st.SearchStrategy[dict[str, Any]]:
        """Cases to search: the examples a small step away, and fresh cases unless not
        `fresh_too`; with a guard, from the examples that satisfy it (all examples when
        none does; the guard still filters)."""
        bases = [example for example, env, _ in self.bases if guard is None or self._holds(guard, env)]
        return case_strategy(self.policy, self.harvest,
                             tuple(bases or (example for example, _, _ in self.bases)),
                             fresh_too=fresh_too or not bases)

    def _holds(self, guard: Any, env: Any) -> bool:
        try:
            return bool(self._call(guard, env))
        except (_OutOfDomain, _Broken):
            return False

    def _pairs(self, name: str | None, guard: Any = None,
               fresh_too: bool = True) -> st.SearchStrategy[Pair]:
        """A case and None, or for `monotone … in name` a lower and a higher case."""
        cases = self.cases(guard, fresh_too)
        if name is None:
            return cases.map(lambda c: (c, None))
        decl = self.inputs[name]
        t = decl.type
        if t.kind == "boolean":
            return cases.map(lambda c: ({**c, name: False}, {**c, name: True}))
        if t.kind == "list":
            def flip(args: tuple[dict[str, Any], int]) -> Pair:
                case, i = args
                values = list(case.get(name, ())) or [False]
                i %= len(values)
                low, high = values.copy(), values.copy()
                low[i], high[i] = False, True
                return {**case, name: tuple(low)}, {**case, name: tuple(high)}
            return st.tuples(cases, st.integers(0, 11)).map(flip)
        values = strategy_for(t, self.harvest, decl.minimum, decl.maximum, name)

        def pair(case: dict[str, Any]) -> st.SearchStrategy[Pair]:
            # The case itself against the case with this input moved, mostly to a value
            # near its own: a guard such as `a <= b` that holds for the case then tends
            # to hold for both.
            if name not in case:  # an optional input the case does not give: given, to move
                return values.flatmap(lambda v: pair({**case, name: v}))
            own = case[name]
            near = around(t, own, self.harvest, decl.minimum, decl.maximum)
            moved = values if near is None else st.one_of(near, near, values)
            return moved.map(lambda v: ({**case, name: min(own, v)}, {**case, name: max(own, v)}))
        return cases.flatmap(pair)

    # -------------------------------------------------------------- searching

    def verify(self, inv: ir.Invariant, max_examples: int = 100, seed: int | None = 0,
               database: Any = None) -> Outcome:
        """Search for a counterexample to one invariant."""
        return self._search([inv], max_examples, seed, database)[0]

    def verify_all(self, max_examples: int = 100, seed: int | None = 0,
                   database: Any = None) -> list[Outcome]:
        """Every invariant of the policy, in declaration order, each checked on at least
        `max_examples` cases it applies to (when the search finds that many)."""
        groups: dict[str | None, list[ir.Invariant]] = {}
        for inv in self.unit.invariants:
            groups.setdefault(inv.input if inv.kind != "expr" else None, []).append(inv)
        outcomes: dict[int, Outcome] = {}
        for members in groups.values():
            for outcome in self._search(members, max_examples, seed, database):
                outcomes[id(outcome.invariant)] = outcome
        return [outcomes[id(inv)] for inv in self.unit.invariants]

    def _search(self, members: list[ir.Invariant], max_examples: int, seed: int | None,
                database: Any, sweep: bool = True) -> list[Outcome]:
        """Search counterexamples to invariants that read the same kind of case: first
        the examples moved to each boundary, then hypothesis. Each failure found removes
        the invariants its case breaks, and the search starts again for the rest."""
        name = members[0].input if members[0].kind != "expr" else None
        guard = self.fns[id(members[0])][1] if len(members) == 1 else None
        checked = {id(inv): 0 for inv in members}
        swept = {id(inv): 0 for inv in members}
        drawn = [0]
        results: dict[int, Outcome] = {}
        remaining = list(members)

        def fail(pair: Pair, inv: ir.Invariant, problem: Diagnostic | None,
                 origin: str | None = None) -> None:
            broken = [i for i in remaining if self._breaks(i, pair)] or [inv]
            for i in broken:
                text = invariant_text(i)
                results[id(i)] = Outcome(i, text, False, checked[id(i)], drawn[0] - checked[id(i)],
                                         self._counterexample(i, text, *pair, problem, origin),
                                         boundary_cases=swept[id(i)])
            remaining[:] = [i for i in remaining if i not in broken]

        if sweep:
            # Boundaries first, exhaustively: the day after a deadline is not left to chance.
            bases = tuple(example for example, _, _ in self.bases)
            for pair, index, moved in boundary_cases(self.policy, self.harvest, bases, name):
                if not remaining:
                    break
                found = self._check_all(remaining, pair, swept)
                if found is not None:
                    fail(pair, *found, origin=self._origin(index, moved, pair))
        while remaining:
            failing: list[tuple[Pair, ir.Invariant, Diagnostic | None]] = []
            live = list(remaining)

            def prop(pair: Pair) -> None:
                drawn[0] += 1
                found = self._check_all(live, pair, checked, drawn=True)
                if found is not None:
                    failing.append((pair, *found))
                    raise AssertionError("invariant broken")

            try:
                # A follow-up (not `sweep`) draws no fresh case: one seldom satisfies the guard
                # that sent the invariant here, and the shared search drew fresh cases for it.
                self._run_search(self._pairs(name, guard, fresh_too=sweep), prop, max_examples,
                                 seed, database)
            except Unsatisfiable:
                break
            if not failing:
                break
            fail(*failing[-1])  # the last failing draw is the shrunk one
        for inv in remaining:
            text = invariant_text(inv)
            short = max_examples - checked[id(inv)]
            if len(members) > 1 and short > 0:
                # It applied to too few shared cases (its guard was false, or it reads a
                # value the policy lacks): a search of its own, from its own examples.
                extra = self._search([inv], short, seed, database, sweep=False)[0]
                results[id(inv)] = Outcome(inv, text, extra.passed,
                                           checked[id(inv)] + extra.examples_run,
                                           drawn[0] - checked[id(inv)] + extra.skipped,
                                           extra.counterexample, extra.note, swept[id(inv)])
                continue
            note = None if checked[id(inv)] else "no case inside the policy's domain satisfied the guard"
            results[id(inv)] = Outcome(inv, text, True, checked[id(inv)],
                                       drawn[0] - checked[id(inv)], note=note,
                                       boundary_cases=swept[id(inv)])
        return [results[id(inv)] for inv in members]

    def _check_all(self, live: list[ir.Invariant], pair: Pair, counts: dict[int, int],
                   drawn: bool = False) -> tuple[ir.Invariant, Diagnostic | None] | None:
        """Check every live invariant on one case (or pair), counting those that apply;
        the first broken one and its run-time failure, if any. A drawn case outside the
        domain or that no invariant applies to is rejected (hypothesis' assume): it does
        not count towards max_examples."""
        case, other = pair
        try:
            env = self._env(case)
            env2 = self._env(other) if other is not None else None
        except _OutOfDomain:
            if drawn:
                assume(False)
            return None
        except _Broken as exc:
            return live[0], exc.args[0]
        applied = False
        for inv in live:
            try:
                verdict = self._verdict(inv, env, env2)
            except _Broken as exc:
                return inv, exc.args[0]
            if verdict is None:
                continue
            applied = True
            counts[id(inv)] += 1
            if not verdict:
                return inv, None
        if drawn and not applied:
            assume(False)
        return None

    def _breaks(self, inv: ir.Invariant, pair: Pair) -> bool:
        try:
            return not self.check(inv, *pair)
        except _Broken:
            return True

    @staticmethod
    def _run_search(pairs: st.SearchStrategy[Pair], prop: Callable[[Pair], None],
                    max_examples: int, seed: int | None, database: Any) -> None:
        test: Callable[[], None] = given(pairs)(prop)
        test = settings(max_examples=max_examples, deadline=None, database=database,
                        derandomize=False, print_blob=False,
                        suppress_health_check=list(HealthCheck),
                        phases=[Phase.explicit, Phase.generate, Phase.shrink])(test)
        if seed is not None:
            test = hseed(seed)(test)
        try:
            test()
        except AssertionError:
            pass  # the failing cases were recorded by the property

    def _origin(self, index: int, moved: str, pair: Pair) -> str:
        """Where a boundary case comes from: the example and the input moved."""
        t = self.inputs[moved].type
        values = [literal(c[moved], t) if moved in c else "(not given)" for c in pair if c is not None]
        title = json.dumps(self.bases[index][2], ensure_ascii=False)
        return f"the example {title} with {moved} = {' then '.join(values)}"

    def _counterexample(self, inv: ir.Invariant, text: str, case: dict[str, Any],
                        other: dict[str, Any] | None, problem: Diagnostic | None,
                        origin: str | None = None) -> Counterexample:
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
        return Counterexample(inv, text, cases, tuple(outputs), problem, tuple(traces), origin)


# ------------------------------------------------------------------ reporting


def example_block(policy: Compiled, title: str, case: dict[str, Any], outputs: dict[str, Any]) -> str:
    """A case and its outputs as an `example` block, ready to paste into the policy."""
    unit = policy.program.policy
    types = {i.name: i.type for i in unit.inputs}
    out_types = {d.name: d.type for d in unit.definitions}
    lines = [f"example {json.dumps(title, ensure_ascii=False)}"]
    for name, value in case.items():
        lines.append(f"  given {name} = {literal(value, types[name])}")
    if outputs:
        lines.append("  expect " + ", ".join(f"{n} = {literal(v, out_types[n])}" for n, v in outputs.items()))
    return "\n".join(lines)


def case_json(policy: Compiled, case: dict[str, Any]) -> dict[str, Any]:
    """A case of typed values as the JSON input `legiste eval --input` reads."""
    types = {i.name: i.type for i in policy.program.policy.inputs}
    return {name: to_json(value, types[name]) for name, value in case.items()}
