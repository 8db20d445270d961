"""Tools depend on the IR, not the facade (issue 9): `tools/` and the HTTP service import
nothing from `legiste.compiler.api`; given the IR and its evaluator alone
(`Evaluable.of(program)`), they answer exactly what they answer for an `api.Policy`.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from legiste.compiler.api import Policy
from legiste.compiler.interpreter.cases import Evaluable, run_case, validated
from legiste.compiler.pipeline import compile_file
from legiste.compiler.tools.examples import run_examples
from legiste.compiler.tools.strategies import boundary_cases, harvest
from legiste.compiler.tools.verify import Verifier, case_json, example_block
from legiste.compiler.tools.verify_batch import cache_key
from test_cli import REPO_ROOT

PACKAGE = REPO_ROOT / "legiste" / "compiler"
ON_THE_IR = sorted((PACKAGE / "tools").glob("*.py")) + [
    PACKAGE / "faces" / name for name in ("serve.py", "http_request.py", "http_server.py", "openapi.py")]
POLICY = REPO_ROOT / "policies" / "be" / "brussels" / "telesecretariat.legis"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


@pytest.mark.parametrize("path", ON_THE_IR, ids=lambda p: p.name)
def test_tools_and_the_service_do_not_import_the_facade(path: Path) -> None:
    facade = {name for name in _imports(path)
              if name == "legiste.compiler.api" or name.startswith("legiste.compiler.api.")
              or name in ("legiste.Policy", "legiste.Result")}
    assert not facade, f"{path.name} imports {facade}"


def test_the_tools_answer_the_same_for_the_ir_as_for_the_facade() -> None:
    program, diagnostics = compile_file(POLICY)
    assert program is not None, diagnostics
    bare, policy = Evaluable.of(program), Policy.load(POLICY)

    assert [(r.passed, r.mismatches) for r in run_examples(bare)] == \
           [(r.passed, r.mismatches) for r in run_examples(policy)]
    assert [r.result.to_json() for r in run_examples(bare) if r.result] == \
           [r.result.to_json() for r in run_examples(policy) if r.result]

    outcomes = [(o.text, o.passed, o.examples_run, o.skipped) for o in Verifier(bare).verify_all(20, seed=0)]
    assert outcomes == [(o.text, o.passed, o.examples_run, o.skipped)
                        for o in Verifier(policy).verify_all(20, seed=0)]
    assert cache_key(bare, 20, 0) == cache_key(policy, 20, 0)

    h = harvest(program)
    bases = (program.policy.examples[0].given,)
    assert list(boundary_cases(bare, h, bases, None)) == list(boundary_cases(policy, h, bases, None))
    case = dict(program.policy.examples[0].given)
    assert case_json(bare, case) == case_json(policy, case)
    assert example_block(bare, "t", case, {}) == example_block(policy, "t", case, {})


def test_the_facade_is_the_interpreter_s_cases() -> None:
    """`Policy.run` and `Policy.validate` are `run_case` and `validated`, to the explanation."""
    policy = Policy.load(POLICY)
    data = json.loads((REPO_ROOT / "policies" / "be" / "brussels" / "inputs" / "solo_gp_2023.json")
                      .read_text(encoding="utf-8"))
    values = validated(policy.unit, data)
    assert values == policy.validate(data)
    assert run_case(policy.evaluator, values, explain_it=True).to_json() == \
           policy.run(values, explain_it=True).to_json() == policy.explain(data).to_json()
