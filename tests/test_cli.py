"""The `legiste` command, run as a user runs it: a subprocess, exit codes, printed text.

The command is `legiste.compiler.faces.cli:run`; it is started with the interpreter running the
tests, from the repository root, so the project's pyproject.toml gives the module
roots and the sources path.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
POLICY = "policies/be/brussels/telesecretariat.legis"
SOLO_INPUT = "policies/be/brussels/inputs/solo_gp_2023.json"


def legiste(*args: str, stdin: str | None = None, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("FORCE_COLOR", "LEGISTE_PATH", "LEGISTE_SOURCES", "PY_COLORS")}
    env.update(NO_COLOR="1", COLUMNS="200", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-c", "from legiste.compiler.faces.cli import run; run()", *args],
                          cwd=cwd, input=stdin, capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=120)


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream
        assert "internal error" not in stream


def solo_case() -> dict[str, object]:
    return json.loads((REPO_ROOT / SOLO_INPUT).read_text(encoding="utf-8"))


# ------------------------------------------------------------------ check

def test_check_the_repository_policies() -> None:
    result = legiste("check", "policies", "legiste/stdlib")
    assert result.returncode == 0, result.stderr
    assert re.search(r"checked \d+ files: 0 errors", result.stdout)
    assert_no_traceback(result)


def test_check_a_bad_file_is_located() -> None:
    result = legiste("check", "tests/cases/bad/unknown_name.legis")
    assert result.returncode == 1
    assert "error[E100]: unknown name 'cost_paid'" in result.stderr
    assert "--> tests/cases/bad/unknown_name.legis:6:23" in result.stderr
    assert "did you mean 'costs_paid'?" in result.stderr
    assert "1 error" in result.stderr
    assert_no_traceback(result)


def test_check_reports_syntax_errors_of_every_declaration(tmp_path: Path) -> None:
    bad = tmp_path / "two.legis"
    bad.write_text("policy t.two\n\ndefine a = 1 +\n\ndefine b = 'x'\n", encoding="utf-8")
    result = legiste("check", str(bad))
    assert result.returncode == 1
    assert "error[E001]" in result.stderr and "error[E002]" in result.stderr
    assert f"{bad}:3:" in result.stderr and f"{bad}:5:" in result.stderr
    assert_no_traceback(result)


def test_check_a_missing_path_is_a_usage_error() -> None:
    result = legiste("check", "no/such/file.legis")
    assert result.returncode == 2
    assert_no_traceback(result)


# ------------------------------------------------------------------ eval

def test_eval_bad_input_lists_every_problem(tmp_path: Path) -> None:
    case = solo_case()
    del case["costs_paid"]                      # missing
    case["dmg_count"] = "eight hundred"         # mistyped
    case["costs_payed"] = "7400.00"             # unknown field
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(case, indent=2), encoding="utf-8")
    result = legiste("eval", POLICY, "--input", str(bad))
    assert result.returncode == 1
    for code in ("E500", "E501", "E504"):
        assert f"error[{code}]" in result.stderr, code
    assert "missing input 'costs_paid'" in result.stderr
    assert "input 'dmg_count'" in result.stderr
    assert "'costs_payed' is not an input" in result.stderr
    assert "did you mean 'costs_paid'?" in result.stderr
    assert f"{bad}:" in result.stderr  # located in the input file
    assert_no_traceback(result)


def test_eval_json_output() -> None:
    result = legiste("eval", POLICY, "--input", SOLO_INPUT, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["policy"] == "be.brussels.telesecretariat"
    assert data["as_of"] == "2024-03-15"
    assert data["outputs"]["intervention"] == "3700.00"  # money as an exact string
    assert "explanation" not in data


def test_eval_json_with_explanation() -> None:
    result = legiste("eval", POLICY, "--input", SOLO_INPUT, "--json", "--explain")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outputs"]["intervention"] == "3700.00"
    explanation = data["explanation"]
    assert explanation["version"] == "trace.v1"
    assert isinstance(explanation["outputs"], list) and explanation["outputs"]


def test_eval_text_output_with_explanation() -> None:
    result = legiste("eval", POLICY, "--input", SOLO_INPUT, "--explain")
    assert result.returncode == 0, result.stderr
    assert "be.brussels.telesecretariat as of 2024-03-15" in result.stdout
    assert "intervention = 3700.00 EUR" in result.stdout
    assert "§" in result.stdout  # the explanation quotes the law


def test_eval_on_an_impossible_date_is_a_usage_error() -> None:
    result = legiste("eval", POLICY, "--input", SOLO_INPUT, "--on", "2024-02-30")
    assert result.returncode == 2
    assert "2024-02-30" in result.stderr
    assert_no_traceback(result)


def test_eval_input_from_stdin() -> None:
    text = (REPO_ROOT / SOLO_INPUT).read_text(encoding="utf-8")
    result = legiste("eval", POLICY, "--input", "-", "--json", stdin=text)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outputs"]["intervention"] == "3700.00"


def test_eval_bad_stdin_is_located_in_stdin() -> None:
    result = legiste("eval", POLICY, "--input", "-", stdin='{"request_date": "2024-02-30"}')
    assert result.returncode == 1
    assert "<stdin>:1:" in result.stderr
    assert "error[E506]" in result.stderr
    assert_no_traceback(result)


def test_eval_input_that_is_not_json() -> None:
    result = legiste("eval", POLICY, "--input", "-", stdin="request_date: 2024-03-15\n")
    assert result.returncode == 1
    assert "error[E505]" in result.stderr
    assert_no_traceback(result)


def test_eval_runtime_error_is_a_diagnostic() -> None:
    result = legiste("eval", "tests/cases/bad/runtime_division_by_zero.legis",
                     "--input", "tests/cases/bad/runtime_division_by_zero.json")
    assert result.returncode == 1
    assert "error[E402]: division by zero" in result.stderr
    assert "tests/cases/bad/runtime_division_by_zero.legis:9:24" in result.stderr
    assert_no_traceback(result)


def test_eval_of_a_bad_policy_exits_1() -> None:
    result = legiste("eval", "tests/cases/bad/money_times_money.legis", "--input", SOLO_INPUT)
    assert result.returncode == 1
    assert "error[E201]" in result.stderr
    assert_no_traceback(result)


# ------------------------------------------------------------------ test

def test_test_runs_the_policies_examples() -> None:
    result = legiste("test", "policies")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = re.search(r"(\d+) passed, 0 failed", result.stdout)
    assert summary and int(summary.group(1)) >= 1


FAILING = """\
policy t.failing
  as of request_date

input
  request_date : date
  costs_paid : money

output intervention : money = costs_paid / 2

example "half of the costs"
  given request_date = 2024-03-15, costs_paid = 6000 EUR
  expect intervention = 3000 EUR

example "a wrong expectation"
  given request_date = 2024-03-15, costs_paid = 6000 EUR
  expect intervention = 2500 EUR
"""


def test_test_shows_a_failing_example(tmp_path: Path) -> None:
    policy = tmp_path / "failing.legis"
    policy.write_text(FAILING, encoding="utf-8")
    result = legiste("test", str(policy))
    assert result.returncode == 1
    assert "1 passed, 1 failed" in result.stderr
    assert "FAIL t.failing: a wrong expectation" in result.stderr
    assert "intervention: expected 2500.00 EUR, got 3000.00 EUR" in result.stderr
    assert f"{policy}:14:" in result.stderr  # where the example is
    assert_no_traceback(result)


def test_test_of_a_broken_policy_exits_1(tmp_path: Path) -> None:
    policy = tmp_path / "broken.legis"
    policy.write_text(FAILING.replace("costs_paid / 2", "costs_paid * costs_paid"), encoding="utf-8")
    result = legiste("test", str(policy))
    assert result.returncode == 1
    assert "error[E201]" in result.stderr
    assert_no_traceback(result)


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["eval", "--help"]])
def test_help(args: list[str]) -> None:
    result = legiste(*args)
    assert result.returncode == 0
    assert "Usage:" in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = legiste("frobnicate")
    assert result.returncode == 2
    assert_no_traceback(result)


# ------------------------------------------------------------------ verify

def _project(tmp_path: Path, policy_text: str) -> Path:
    """A project directory of its own (verify records results in .legiste/ there)."""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.legiste]\n"
        f"modules = [{json.dumps(str(REPO_ROOT / 'legiste' / 'stdlib'))}]\n"
        f"sources = [{json.dumps(str(REPO_ROOT.parent / 'shared' / 'seeds'))}]\n", encoding="utf-8")
    (tmp_path / "telesecretariat.legis").write_text(policy_text, encoding="utf-8")
    return tmp_path


def test_verify_reports_a_planted_mistake_as_a_pasteable_example(tmp_path: Path) -> None:
    text = (REPO_ROOT / POLICY).read_text(encoding="utf-8")
    right = "define deadline = date(cost_year + 1, 6, 30)"
    assert right in text
    project = _project(tmp_path, text.replace(right, "define deadline = date(cost_year + 1, 7, 1)"))
    result = legiste("verify", "telesecretariat.legis", cwd=project)
    assert result.returncode == 1, result.stdout
    assert "✗ request_date > date(cost_year + 1, 6, 30) implies intervention = 0 EUR" in result.stderr
    # Found by moving an example to the day after the deadline, and said so.
    assert "found at a boundary: the example" in result.stderr
    assert "with request_date = 2024-07-01" in result.stderr
    block = result.stderr.split("(paste into the policy):\n", 1)[1]
    assert block.startswith('example "counter-example: request_date > date(cost_year + 1, 6, 30)')
    assert "  given request_date = 2024-07-01\n" in block
    assert "as JSON input:" in result.stderr and '"request_date": "2024-07-01"' in result.stderr
    assert re.search(r"\d+ passed, 1 failed", result.stderr)
    # A failure is never recorded as verified: the next run searches again.
    again = legiste("verify", "telesecretariat.legis", cwd=project)
    assert again.returncode == 1 and "unchanged since it last passed" not in again.stdout
    assert_no_traceback(result)


def test_verify_does_not_search_again_a_policy_that_passed_and_did_not_change(tmp_path: Path) -> None:
    text = (REPO_ROOT / POLICY).read_text(encoding="utf-8")
    project = _project(tmp_path, text)
    first = legiste("verify", "--max-examples", "20", "telesecretariat.legis", cwd=project)
    assert first.returncode == 0, first.stderr
    assert "unchanged since it last passed" not in first.stdout
    assert (project / ".legiste" / "verify.json").is_file()
    second = legiste("verify", "--max-examples", "20", "telesecretariat.legis", cwd=project)
    assert second.returncode == 0 and "unchanged since it last passed" in second.stdout
    # The recorded result is the one printed the first time, case counts included.
    assert second.stdout.splitlines()[1:] == first.stdout.splitlines()[1:]
    # Another example count, --no-cache, or a changed file: searched again.
    other = legiste("verify", "--max-examples", "21", "telesecretariat.legis", cwd=project)
    assert "unchanged since it last passed" not in other.stdout
    forced = legiste("verify", "--max-examples", "20", "--no-cache", "telesecretariat.legis", cwd=project)
    assert "unchanged since it last passed" not in forced.stdout
    (project / "telesecretariat.legis").write_text(text + "\n# edited\n", encoding="utf-8")
    edited = legiste("verify", "--max-examples", "20", "telesecretariat.legis", cwd=project)
    assert edited.returncode == 0 and "unchanged since it last passed" not in edited.stdout
    # A record this version cannot read is ignored, not a crash.
    (project / ".legiste" / "verify.json").write_text("{not json", encoding="utf-8")
    damaged = legiste("verify", "--max-examples", "20", "telesecretariat.legis", cwd=project)
    assert damaged.returncode == 0, damaged.stderr
    assert_no_traceback(damaged)


def test_verify_in_parallel_reports_what_one_process_reports() -> None:
    args = ("verify", "--no-cache", "--max-examples", "15", "policies/be/brussels/telesecretariat.legis",
            "policies/be/inami/care_certificates.legis")
    one = legiste(*args, "--jobs", "1")
    two = legiste(*args, "--jobs", "2")
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    assert one.stdout == two.stdout
    assert "be.brussels.telesecretariat" in one.stdout and "be.inami.care_certificates" in one.stdout


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_eval_an_input_file_that_is_not_utf8_is_located(tmp_path: Path, encoding: str) -> None:
    case = tmp_path / "case.json"
    case.write_bytes(json.dumps(dict(solo_case(), practice="indépendant"),
                                ensure_ascii=False).encode(encoding))
    result = legiste("eval", "policies/be/brussels/telesecretariat.legis", "--input", str(case))
    assert result.returncode == 1
    assert_no_traceback(result)
    assert "error[E505]" in result.stderr and "is not UTF-8 text" in result.stderr
    assert f"{case}:1:" in result.stderr


def test_check_the_stdlib_through_its_root_link() -> None:
    # stdlib/ at the root is a link to legiste/stdlib (where the wheel takes it from), so the
    # command of earlier versions still works.
    result = legiste("check", "policies", "stdlib")
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 errors" in result.stdout + result.stderr
