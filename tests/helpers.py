"""Small helpers shared by the language tests (parser, evaluation, types, inputs, explanation).

Policies written in a test are compiled with `Policy.from_string(text, base=REPO_ROOT)`, so
`use be.index` and `§` quotes of the seed texts resolve exactly as for the real policies.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

from legiste.compiler.api import Policy
from legiste.dsl import ast
from legiste.dsl.diagnostics import Diagnostic, DiagnosticError
from legiste.dsl.parser import parse_module

REPO_ROOT = Path(__file__).resolve().parent.parent
GOOD = REPO_ROOT / "tests" / "cases" / "good"
TELESECRETARIAT = REPO_ROOT / "policies" / "be" / "brussels" / "telesecretariat.legis"
SOLO_GP = REPO_ROOT / "policies" / "be" / "brussels" / "inputs" / "solo_gp_2023.json"

# Sentences of seed 000 (the Brussels tele-secretariat text), usable as `§` quotes when a
# test policy declares `source law "000_084ce424bf47b386.txt"`.
SEED_000 = "000_084ce424bf47b386.txt"
QUOTE_EMR = "Utilisent un dossier médical électronique labellisé."
QUOTE_HALF = "L’intervention couvre la moitié des frais réels"
QUOTE_DMG = ("Doivent avoir géré au moins 150 Dossiers Médicaux Globaux (DMG) ou forfaits par "
             "médecin qui en fait partie")
QUOTE_RECENT = "Les conditions relatives aux DMG ne sont pas d’application"

A_DAY = dt.date(2024, 1, 1)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def parse(text: str, path: str = "test.legis") -> ast.Module:
    """Parse rule text that must be free of syntax errors."""
    module, diagnostics = parse_module(dedent(text), path)
    assert diagnostics == [], [d.message for d in diagnostics]
    return module


def parse_decl(text: str) -> Any:
    """The one declaration of `text` (a header is added in front)."""
    module = parse("policy t\n\n" + dedent(text))
    assert len(module.declarations) == 1, module.declarations
    return module.declarations[0]


def compile_policy(text: str) -> Policy:
    """Compile a policy written in a test (raises DiagnosticError on any error)."""
    return Policy.from_string(dedent(text), base=REPO_ROOT)


def compile_errors(text: str) -> list[Diagnostic]:
    """The errors of a policy that must not compile."""
    try:
        compile_policy(text)
    except DiagnosticError as exc:
        return exc.diagnostics
    raise AssertionError("the policy compiled without errors")


def codes(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def run(policy: Policy, data: dict[str, Any] | None = None, *, on: dt.date | None = A_DAY,
        names: list[str] | None = None) -> dict[str, Any]:
    """Validate `data` and evaluate the policy (its outputs, or the named rules)."""
    values = policy.validate(data or {})
    if policy.unit.as_of is not None and on is A_DAY:
        on = None
    return policy.run(values, on=on, names=names).outputs


def value(expr: str, type_: str | None = None, *, on: dt.date = A_DAY) -> Any:
    """The value of one expression, computed as the output `r` of a policy with no input.

    Outputs of type money are rounded half up to the cent; use `define_value` to see an
    amount before that rounding."""
    annotation = f" : {type_}" if type_ else ""
    policy = compile_policy(f"policy t\n\noutput r{annotation} = {expr}\n")
    return policy.run({}, on=on).outputs["r"]


def define_value(expr: str, *, on: dt.date = A_DAY) -> Any:
    """The value of an expression as a `define` (never rounded)."""
    policy = compile_policy(f"policy t\n\ndefine d = {expr}\noutput r = true\n")
    return policy.run({}, on=on, names=["d"]).outputs["d"]


def type_of(expr: str) -> str:
    """The type the checker gives an expression."""
    policy = compile_policy(f"policy t\n\ndefine d = {expr}\n")
    return policy.unit.definitions[0].type.kind


def run_error(policy: Policy, data: dict[str, Any] | None = None, *, on: dt.date | None = A_DAY,
              names: list[str] | None = None) -> Diagnostic:
    """The single diagnostic a failing evaluation raises."""
    try:
        run(policy, data, on=on, names=names)
    except DiagnosticError as exc:
        assert len(exc.diagnostics) == 1, [d.message for d in exc.diagnostics]
        return exc.diagnostics[0]
    raise AssertionError("the evaluation succeeded")


def load_generated(source: str, folder: Path, name: str) -> ModuleType:
    """Import a generated module's source as a fresh module named `name` (written in folder)."""
    import importlib.util

    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def interpreted_answer(policy: Policy, data: Any, on: dt.date | None) -> Any:
    """The interpreter's explained answer to a case as JSON data, or its diagnostics."""
    try:
        return policy.evaluate(data, on=on, explain=True).to_json()
    except DiagnosticError as exc:
        return {"error": [d.to_json() for d in exc.diagnostics]}


def generated_answer(module: ModuleType, data: Any, on: dt.date | None) -> Any:
    """A generated module's explained answer to the same case, in the same form."""
    try:
        return module.explain(data, on)
    except module.PolicyError as exc:
        return {"error": exc.diagnostics}
