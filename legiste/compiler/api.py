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

from legiste.compiler import ir
from legiste.compiler.interpreter.cases import Result, as_of, run_case, validated, validated_json
from legiste.compiler.interpreter.evaluate import Evaluator
from legiste.compiler.pipeline import compile_file, compiled_or_raise
from legiste.compiler.resolution.config import load_config
from legiste.dsl.diagnostics import Diagnostic, DiagnosticError, error

__all__ = ["Policy", "Result", "compile_file", "parse_index_override"]


class Policy:
    """A compiled policy, ready to evaluate cases (an `interpreter.cases.Compiled`: the tools
    take it as they take the IR and its evaluator)."""

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
        program, warnings = compiled_or_raise(path, load_config(path, strict=strict))
        return cls(program, warnings, index_overrides)

    @classmethod
    def from_string(cls, text: str, *, name: str = "policy.legis",
                    base: str | Path | None = None, strict: bool = False) -> "Policy":
        """Compile rule text (modules and sources resolved from `base`, default the cwd)."""
        folder = Path(base or Path.cwd())
        # Diagnostics and explanations name the text `name`, as the caller called it.
        program, warnings = compiled_or_raise(name, load_config(folder, strict=strict), text)
        return cls(program, warnings)

    @property
    def id(self) -> str:
        return self.unit.id

    def validate(self, data: Any, *, file: str = "<input>", text: str | None = None) -> dict[str, Any]:
        """Typed input values from JSON-like data; raise DiagnosticError listing every problem."""
        return validated(self.unit, data, file=file, text=text)

    def validate_json(self, text: str, file: str = "<input>") -> dict[str, Any]:
        """Typed input values from JSON text; raise DiagnosticError listing every problem."""
        return validated_json(self.unit, text, file)

    def as_of(self, values: dict[str, Any], on: dt.date | None = None) -> dt.date:
        """The evaluation date: `on`, else the input the policy designates, else today."""
        return as_of(self.unit, values, on)

    def run(self, values: dict[str, Any], *, on: dt.date | None = None, explain_it: bool = False,
            names: list[str] | None = None) -> Result:
        """Evaluate validated values (see `validate`)."""
        return run_case(self.evaluator, values, on=on, explain_it=explain_it, names=names)

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
