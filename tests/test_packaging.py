"""The installed package works outside the repository.

The wheel is built from this checkout, installed in a fresh virtual environment in a
temporary folder, and used there on a policy copied beside nothing else: no pyproject.toml,
no `../shared`, no `LEGISTE_*` variables. The stdlib module the policy `use`s must come from
the wheel itself, and the policy's quotes, whose legal text is not on the sources path, are
then unverified warnings (W301), not errors.

Building and installing take a minute or so (pip resolves the dependencies from its cache or
the package registry); the whole environment is built once for the module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
POLICY = REPO_ROOT / "policies" / "be" / "brussels" / "telesecretariat.legis"
CASE = REPO_ROOT / "policies" / "be" / "brussels" / "inputs" / "solo_gp_2023.json"


def _clean_env() -> dict[str, str]:
    """The environment of a user who has only installed the wheel."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LEGISTE_", "PYTHON", "VIRTUAL_ENV"))}
    env["NO_COLOR"] = "1"
    return env


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=_clean_env(), capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                 str(REPO_ROOT)], cwd=out)
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("legiste-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv, outside the repository, with the wheel installed; yields its bin/."""
    root = tmp_path_factory.mktemp("venv")
    assert REPO_ROOT not in root.parents
    done = _run([sys.executable, "-m", "venv", str(root / "venv")], cwd=root)
    assert done.returncode == 0, done.stderr
    bin_dir = root / "venv" / "bin"
    done = _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=root)
    assert done.returncode == 0, done.stderr
    yield bin_dir


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    """A folder holding a copy of the policy and a case, and nothing else."""
    shutil.copy(POLICY, tmp_path / "telesecretariat.legis")
    shutil.copy(CASE, tmp_path / "case.json")
    return tmp_path


def test_the_wheel_installs_only_the_legiste_package_with_its_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"legiste"}
    assert "legiste/stdlib/be/index.legis" in names
    assert "legiste/dsl/grammar.lark" in names
    assert not any(n.startswith(("compiler/", "dsl/", "stdlib/")) for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Apache-2.0" in text and "Classifier: License :: OSI Approved" in text


def test_check_outside_the_repository_reads_the_stdlib_from_the_wheel(
        installed: Path, workdir: Path) -> None:
    done = _run([str(installed / "legiste"), "check", "telesecretariat.legis"], cwd=workdir)
    assert done.returncode == 0, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "E102" not in output  # `use be.index` resolved inside the installed package
    assert "warning[W301]" in output  # the seed text is not on this machine's sources path
    assert "error[" not in output


def test_check_strict_outside_the_repository_makes_unverified_quotes_errors(
        installed: Path, workdir: Path) -> None:
    done = _run([str(installed / "legiste"), "check", "--strict", "telesecretariat.legis"],
                cwd=workdir)
    assert done.returncode == 1
    assert "error[E301]" in done.stdout + done.stderr


def test_eval_outside_the_repository(installed: Path, workdir: Path) -> None:
    done = _run([str(installed / "legiste"), "eval", "telesecretariat.legis",
                 "--input", "case.json", "--json"], cwd=workdir)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    # « L’intervention couvre la moitié des frais réels » (seed 000): half of 7400.00 EUR,
    # below the 4555,10 € ceiling.
    assert result["outputs"] == {"eligible": True, "intervention": "3700.00"}


def test_the_python_api_outside_the_repository(installed: Path, workdir: Path) -> None:
    script = (
        "import json, sys\n"
        "from legiste import Policy, DiagnosticError\n"
        "policy = Policy.load('telesecretariat.legis')\n"
        "case = json.load(open('case.json'))\n"
        "values = policy.validate(case)\n"
        "result = policy.evaluate(case)\n"
        "explained = policy.explain(case)\n"
        "try:\n"
        "    policy.evaluate(dict(case, costs_paid='lots'))\n"
        "    refused = None\n"
        "except DiagnosticError as exc:\n"
        "    refused = exc.diagnostics[0].code\n"
        "print(json.dumps({'outputs': result.to_json()['outputs'],\n"
        "                  'explained': 'explanation' in explained.to_json(),\n"
        "                  'dmg': values['dmg_count'], 'refused': refused,\n"
        "                  'module': Policy.__module__}))\n")
    done = _run([str(installed / "python"), "-c", script], cwd=workdir)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["outputs"]["intervention"] == "3700.00"
    assert answer["explained"] is True
    assert answer["dmg"] == 820
    assert answer["refused"] == "E501"
    assert answer["module"].startswith("legiste.")
