"""Hardening (issue 10): a policy used as a module is refused at `check` (E107).

`use be.brussels.telesecretariat` and `output o : money = be.brussels.telesecretariat.intervention`
used to pass `check`; then `eval` and `compile` exited 3 (`KeyError: 'labelled_emr'`) and
`serve` answered 500, because the used policy's rules read inputs that no caller supplies.
Now the `use` line is a located E107 with a hint, and no later command gets that far.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from legiste.compiler.api import Policy
from legiste.dsl.diagnostics import CODES, DiagnosticError
from test_cli import REPO_ROOT, assert_no_traceback, legiste
from test_serve import Server

USES_POLICY = """\
policy t.uses
  title "uses another policy"

use {target}

input
  n : integer  "n"

output o : money = {name}.intervention
"""


def _project(tmp_path: Path, target: str = "be.brussels.telesecretariat",
             name: str | None = None) -> Path:
    """A project beside the repository whose module roots include its policies."""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.legiste]\n"
        f"modules = [{json.dumps(str(REPO_ROOT / 'policies'))}, \"rules\"]\n"
        f"sources = [{json.dumps(str(REPO_ROOT.parent / 'shared' / 'seeds'))}]\n",
        encoding="utf-8")
    (tmp_path / "rules").mkdir(exist_ok=True)
    policy = tmp_path / "rules" / "uses.legis"
    policy.write_text(USES_POLICY.format(target=target, name=name or target), encoding="utf-8")
    (tmp_path / "case.json").write_text('{"n": 1}', encoding="utf-8")
    return policy


def test_hardening_policy_used_as_module_is_refused_at_check(tmp_path: Path) -> None:
    policy = _project(tmp_path)
    result = legiste("check", str(policy), cwd=tmp_path)
    assert result.returncode == 1
    assert_no_traceback(result)
    assert ("error[E107]: 'be.brussels.telesecretariat' is a policy; a policy (a file with "
            "inputs and outputs) cannot be used as a module") in result.stderr
    assert f"--> {policy}:4:5" in result.stderr  # the module's name on the `use` line
    assert "hint: move the shared rules to a module" in result.stderr
    assert "1 error" in result.stderr  # one mistake, one message: the reference resolves


def test_hardening_policy_used_as_module_with_an_alias(tmp_path: Path) -> None:
    policy = _project(tmp_path, "be.brussels.telesecretariat as tele", "tele")
    with pytest.raises(DiagnosticError) as raised:
        Policy.load(policy)
    assert [(d.code, d.span.line, d.span.column) for d in raised.value.diagnostics] == [("E107", 4, 5)]


@pytest.mark.parametrize("command", [
    ["eval", "rules/uses.legis", "--input", "case.json"],
    ["eval", "rules/uses.legis", "--input", "case.json", "--explain"],
    ["compile", "rules/uses.legis", "--target", "python"],
    ["compile", "rules/uses.legis", "--target", "json"],
    ["schema", "rules/uses.legis"],
    ["test", "rules"],
])
def test_hardening_policy_used_as_module_never_exits_3(tmp_path: Path, command: list[str]) -> None:
    _project(tmp_path)
    result = legiste(*command, cwd=tmp_path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert_no_traceback(result)
    assert "error[E107]" in result.stderr
    assert "rules/uses.legis:4:5" in result.stderr


def test_hardening_policy_used_as_module_is_no_500_from_serve(tmp_path: Path) -> None:
    """The service refuses to start on it (as on any error), so it never answers 500."""
    _project(tmp_path)
    running = Server("rules", cwd=tmp_path)
    try:
        assert running.process.wait(timeout=120) == 1
        output = running.output()
        assert "error[E107]" in output and "rules/uses.legis:4:5" in output
        assert "Traceback" not in output and "internal error" not in output
    finally:
        running.stop()


def test_hardening_module_using_a_policy_is_refused(tmp_path: Path) -> None:
    """A module that uses a policy is refused too, at its own `use` line."""
    _project(tmp_path)
    (tmp_path / "rules" / "t").mkdir()
    (tmp_path / "rules" / "t" / "shared.legis").write_text(
        "module t.shared\n\nuse be.brussels.telesecretariat\n\n"
        "define d : money = be.brussels.telesecretariat.ceiling\n", encoding="utf-8")
    (tmp_path / "rules" / "uses.legis").write_text(
        USES_POLICY.format(target="t.shared", name="t.shared").replace(".intervention", ".d"),
        encoding="utf-8")
    result = legiste("eval", "rules/uses.legis", "--input", "case.json", cwd=tmp_path)
    assert result.returncode == 1
    assert_no_traceback(result)
    assert "error[E107]" in result.stderr and "rules/t/shared.legis:3:5" in result.stderr


def test_hardening_e107_is_documented() -> None:
    assert "E107" in CODES
    errors = (REPO_ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert "### E107 — a policy used as a module" in errors
    assert "E107" in (REPO_ROOT / "docs" / "language.md").read_text(encoding="utf-8")
