"""The embedding API: compile a policy once, evaluate it many times.

    from legiste import Policy
    policy = Policy.load("policies/be/brussels/telesecretariat.legis")
    result = policy.evaluate({"request_date": "2024-03-15", …}, explain=True)
    result.outputs["intervention"]          # Decimal('3000.00')
    result.to_json()                         # {"policy": …, "as_of": …, "outputs": …}

Bad rule files and bad inputs raise `DiagnosticError`, whose `.diagnostics` are the
same located messages the CLI prints.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from attrs import frozen

from legiste.compiler import ir
from legiste.compiler.checking.check import check_program
from legiste.compiler.resolution.config import Config, load_config
from legiste.compiler.interpreter.evaluate import EvalError, Evaluator
from legiste.compiler.interpreter.explain import TRACE_VERSION, Trace, explain
from legiste.compiler.interpreter.inputs import parse_json, validate
from legiste.compiler.resolution.modules import load_program
from legiste.compiler.runtime.values import to_json
from legiste.dsl.diagnostics import Diagnostic, DiagnosticError, error


def compile_file(path: str | Path, config: Config | None = None,
                 text: str | None = None) -> tuple[ir.Program | None, list[Diagnostic]]:
    """Parse, resolve and check a policy and the modules it uses (`text`: the policy's
    text, when it is not read from `path`)."""
    config = config or load_config(path)
    loaded, diagnostics = load_program(path, config, text)
    if loaded is None or any(d.is_error for d in diagnostics):
        return None, diagnostics
    program, more = check_program(loaded, config)
    return program, diagnostics + more


@frozen
class Result:
    policy: str
    as_of: dt.date
    outputs: dict[str, Any]
    types: dict[str, Any]
    trace: tuple[Trace, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "policy": self.policy, "as_of": self.as_of.isoformat(),
            "outputs": {k: to_json(v, self.types[k]) for k, v in self.outputs.items()},
        }
        if self.trace is not None:
            data["explanation"] = {"version": TRACE_VERSION,
                                   "outputs": [t.to_json() for t in self.trace]}
        return data


class Policy:
    """A compiled policy, ready to evaluate cases."""

    def __init__(self, program: ir.Program, warnings: list[Diagnostic] | None = None,
                 index_overrides: dict[tuple[str, str], Decimal] | None = None):
        self.program = program
        self.unit = program.policy
        self.warnings = warnings or []
        self.evaluator = Evaluator(program, index_overrides)

    @classmethod
    def load(cls, path: str | Path, *, strict: bool = False,
             index_overrides: dict[tuple[str, str], Decimal] | None = None) -> "Policy":
        """Compile a rule file; raise DiagnosticError if it has errors."""
        program, diagnostics = compile_file(path, load_config(path, strict=strict))
        if program is None:
            raise DiagnosticError([d for d in diagnostics if d.is_error] or diagnostics)
        return cls(program, [d for d in diagnostics if not d.is_error], index_overrides)

    @classmethod
    def from_string(cls, text: str, *, name: str = "policy.legis",
                    base: str | Path | None = None) -> "Policy":
        """Compile rule text (modules and sources resolved from `base`, default the cwd)."""
        folder = Path(base or Path.cwd())
        # Diagnostics and explanations name the text `name`, as the caller called it.
        program, diagnostics = compile_file(name, load_config(folder), text)
        if program is None:
            raise DiagnosticError([d for d in diagnostics if d.is_error])
        return cls(program, [d for d in diagnostics if not d.is_error])

    @property
    def id(self) -> str:
        return self.unit.id

    def validate(self, data: Any, *, file: str = "<input>", text: str | None = None) -> dict[str, Any]:
        """Typed input values from JSON-like data; raise DiagnosticError listing every problem."""
        values, diagnostics = validate(self.unit, data, file, text)
        if diagnostics:
            raise DiagnosticError(diagnostics)
        return values

    def validate_json(self, text: str, file: str = "<input>") -> dict[str, Any]:
        data, diagnostics = parse_json(text, file)
        if diagnostics:
            raise DiagnosticError(diagnostics)  # (a JSON null is refused by validate: E505)
        return self.validate(data, file=file, text=text)

    def as_of(self, values: dict[str, Any], on: dt.date | None = None) -> dt.date:
        """The evaluation date: `on`, else the input the policy designates, else today."""
        if on is not None:
            return on
        if self.unit.as_of is not None:
            return values[self.unit.as_of]
        return dt.date.today()

    def run(self, values: dict[str, Any], *, on: dt.date | None = None, explain_it: bool = False,
            names: list[str] | None = None) -> Result:
        """Evaluate validated values (see `validate`)."""
        as_of = self.as_of(values, on)
        # No decimal context is entered: every operation of the runtime names Légiste's
        # own (runtime/numbers.py), so the caller's settings change no amount.
        try:
            outputs, env = self.evaluator.evaluate(values, as_of, names)
        except EvalError as exc:
            raise DiagnosticError([exc.diagnostic]) from None
        trace = tuple(explain(self.evaluator, env, list(outputs))) if explain_it else None
        types = {d.name: d.type for d in self.unit.definitions}
        return Result(self.id, as_of, outputs, types, trace)

    def evaluate(self, data: Any, *, on: dt.date | None = None, explain: bool = False) -> Result:
        """Validate JSON-like data and evaluate it."""
        return self.run(self.validate(data), on=on, explain_it=explain)

    def explain(self, data: Any, *, on: dt.date | None = None) -> Result:
        """Validate JSON-like data and evaluate it, with the explanation of every output."""
        return self.run(self.validate(data), on=on, explain_it=True)


def parse_index_override(text: str) -> tuple[tuple[str, str], Decimal]:
    """`be.index.x=2024:1.0234` → ((series id, period), value)."""
    try:
        series, rest = text.split("=", 1)
        period, value = rest.split(":", 1)
        return (series.strip(), period.strip()), Decimal(value.strip())
    except Exception:
        raise DiagnosticError([error("E011", f"--index {text!r}: expected SERIES=PERIOD:VALUE, "
                                     "e.g. be.index.impulseo_brussels=2024:1.0321")]) from None
