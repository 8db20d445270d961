"""The interpreter, one case at a time: validate it, evaluate it, explain it, as a `Result`.

Consumes an `ir.Program` and the `Evaluator` compiled from it (`Compiled`); this is what
the tools (examples, verify, strategies) and the HTTP service stand on. `api.Policy`, the
embedding API, is one `Compiled` and calls these same functions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Protocol

from attrs import frozen

from legiste.compiler import ir
from legiste.compiler.interpreter.evaluate import EvalError, Evaluator, located
from legiste.compiler.interpreter.explain import TRACE_VERSION, Trace, explain
from legiste.compiler.interpreter.inputs import parse_json, validate
from legiste.compiler.runtime.errors import _RunError
from legiste.compiler.runtime.parameters import _case_date
from legiste.compiler.runtime.values import to_json
from legiste.dsl.diagnostics import DiagnosticError


class Compiled(Protocol):
    """A policy's IR and the evaluator compiled from it, once (`Evaluable.of(program)`
    makes one; an `api.Policy` is one too)."""

    @property
    def program(self) -> ir.Program: ...

    @property
    def evaluator(self) -> Evaluator: ...


@frozen
class Evaluable:
    """The plainest `Compiled`: the IR and its evaluator."""

    program: ir.Program
    evaluator: Evaluator

    @classmethod
    def of(cls, program: ir.Program, index_overrides: dict[tuple[str, str], Decimal] | None = None) -> "Evaluable":
        """Compile the program's evaluator (with index values given instead of the series')."""
        return cls(program, Evaluator(program, index_overrides))


@frozen
class Result:
    """The outputs of one case (and their explanation, when asked)."""

    policy: str
    as_of: dt.date
    outputs: dict[str, Any]
    types: dict[str, Any]
    trace: tuple[Trace, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        """{"policy", "as_of", "outputs"} (+ "explanation", trace.v1), as `legiste eval --json`."""
        data: dict[str, Any] = {
            "policy": self.policy, "as_of": self.as_of.isoformat(),
            "outputs": {k: to_json(v, self.types[k]) for k, v in self.outputs.items()},
        }
        if self.trace is not None:
            data["explanation"] = {"version": TRACE_VERSION,
                                   "outputs": [t.to_json() for t in self.trace]}
        return data


def validated(unit: ir.Unit, data: Any, *, file: str = "<input>", text: str | None = None) -> dict[str, Any]:
    """Typed input values from JSON-like data; raise DiagnosticError listing every problem
    (located in `text`, the JSON as written, when given)."""
    values, diagnostics = validate(unit, data, file, text)
    if diagnostics:
        raise DiagnosticError(diagnostics)
    return values


def validated_json(unit: ir.Unit, text: str, file: str = "<input>") -> dict[str, Any]:
    """Typed input values from JSON text; raise DiagnosticError listing every problem."""
    data, diagnostics = parse_json(text, file)
    if diagnostics:
        raise DiagnosticError(diagnostics)  # (a JSON null is refused by validate: E505)
    return validated(unit, data, file=file, text=text)


def as_of(unit: ir.Unit, values: dict[str, Any], on: dt.date | None = None) -> dt.date:
    """The evaluation date: `on`, else the input the policy is dated by (1 January of a
    year input), else today. `values` is not changed (see `dated`)."""
    return dated(unit, dict(values), on)


def dated(unit: ir.Unit, values: dict[str, Any], on: dt.date | None = None) -> dt.date:
    """The evaluation date, with the `as of` input of `values` set to `on` when it is
    given (runtime `_case_date`: one date per evaluation). Raises DiagnosticError (E503)
    for an `on` beyond the input's bounds."""
    decl = next((i for i in unit.inputs if i.name == unit.as_of), None)
    try:
        if decl is None:
            return _case_date(values, None, False, on, None, None, None)
        return _case_date(values, decl.name, decl.type.kind == "year", on, decl.minimum,
                          decl.maximum, decl.span)
    except _RunError as exc:
        raise DiagnosticError([located(exc).diagnostic]) from None


def run_case(evaluator: Evaluator, values: dict[str, Any], *, on: dt.date | None = None,
             explain_it: bool = False, names: list[str] | None = None) -> Result:
    """Evaluate validated values (the outputs, or the rules `names`); raise DiagnosticError
    for a run-time failure."""
    unit = evaluator.program.policy
    values = dict(values)
    date = dated(unit, values, on)
    # No decimal context is entered: every operation of the runtime names Légiste's
    # own (runtime/numbers.py), so the caller's settings change no amount.
    try:
        outputs, env = evaluator.evaluate(values, date, names)
    except EvalError as exc:
        raise DiagnosticError([exc.diagnostic]) from None
    trace = tuple(explain(evaluator, env, list(outputs))) if explain_it else None
    types = {d.name: d.type for d in unit.definitions}
    return Result(unit.id, date, outputs, types, trace)
