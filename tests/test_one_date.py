"""One date per evaluation (issue 11 §6): `--on`, `?on=`, an example's `on` and `as_of=`
have one meaning: the case is assessed on that date, so the input the policy is dated by
(`as of`) takes it, and no rule sees two different "todays". The same in the interpreter,
a generated module and the CLI (the HTTP service goes through the interpreter's
`run_case`, which tests/test_serve.py compares with `?on=`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from legiste.compiler.backends.python.generator import generate
from legiste.compiler.faces.cli import main
from legiste.dsl.diagnostics import DiagnosticError
from helpers import compile_errors, compile_policy, generated_answer, interpreted_answer, load_generated

# The mixed case of the issue: a ceiling read at the evaluation date, an amount built from
# the date input. `--on 2025-09-01` read the 2025 ceiling while the date input stayed 2024.
MIXED = """
policy t.mixed
  as of assessment_date

input
  assessment_date : date  "the date the case is assessed"

parameter ceiling : money  "the ceiling"
  from 2024-01-01: 100 EUR
  from 2025-01-01: 200 EUR

output assessment_year : year = year(assessment_date)
output ceiling_now : money = ceiling
output ceiling_of_the_year : money = ceiling at date(year(assessment_date), 1, 1)
"""

YEARLY = """
policy t.yearly
  as of forfait_year

input
  forfait_year : year, at least 2022, at most 2024  "the year assessed"

parameter amount : money  "the forfait"
  from 2022-01-01: 10 EUR
  from 2023-01-01: 20 EUR

output forfait : money = amount
output same_year : boolean = year_of_amount = forfait_year

define year_of_amount : year = forfait_year

example "2023 reads the 2023 amount"
  given forfait_year = 2023
  expect forfait = 20 EUR

example "assessed in 2022, whatever the year given" extends "2023 reads the 2023 amount"
  on 2022-06-30
  expect forfait = 10 EUR
"""

CASE = {"assessment_date": "2024-03-15"}
ON = dt.date(2025, 9, 1)


def test_the_mixed_case_sees_one_date_in_the_interpreter() -> None:
    policy = compile_policy(MIXED)
    result = policy.evaluate(CASE, on=ON)
    assert result.as_of == ON
    # Every rule is of 2025: the date input took the date asked for.
    assert result.outputs == {"assessment_year": 2025, "ceiling_now": 200, "ceiling_of_the_year": 200}
    assert policy.evaluate(CASE).outputs == {"assessment_year": 2024, "ceiling_now": 100,
                                             "ceiling_of_the_year": 100}


def test_the_mixed_case_sees_one_date_in_a_generated_module(tmp_path: Path) -> None:
    policy = compile_policy(MIXED)
    module = load_generated(generate(policy.program), tmp_path, "mixed_policy")
    for on in (None, ON):
        assert generated_answer(module, CASE, on) == interpreted_answer(policy, CASE, on)
    assert module.evaluate(CASE, ON)["outputs"] == {
        "assessment_year": 2025, "ceiling_now": "200.00", "ceiling_of_the_year": "200.00"}
    values = module.validate(CASE)
    assert module.compute(values, ON)["assessment_year"] == 2025
    assert values["assessment_date"] == dt.date(2024, 3, 15)  # the caller's values are not changed


def test_the_mixed_case_sees_one_date_on_the_command_line(tmp_path: Path) -> None:
    rules, case = tmp_path / "mixed.legis", tmp_path / "case.json"
    rules.write_text(MIXED, encoding="utf-8")
    case.write_text(json.dumps(CASE), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(rules), "--input", str(case), "--on",
                                       "2025-09-01", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["as_of"] == "2025-09-01"
    assert answer["outputs"] == {"assessment_year": 2025, "ceiling_now": "200.00",
                                 "ceiling_of_the_year": "200.00"}


def test_a_year_input_dates_the_policy_on_its_first_day(tmp_path: Path) -> None:
    policy = compile_policy(YEARLY)
    result = policy.evaluate({"forfait_year": 2023})
    assert result.as_of == dt.date(2023, 1, 1) and result.outputs["forfait"] == 20
    # `on` names the year: the input takes it, the parameters are read on its 1 January.
    on = policy.evaluate({"forfait_year": 2023}, on=dt.date(2022, 6, 30))
    assert on.as_of == dt.date(2022, 1, 1) and on.outputs == {"forfait": 10, "same_year": True}
    module = load_generated(generate(policy.program), tmp_path, "yearly_policy")
    for given in (None, dt.date(2022, 6, 30), dt.date(2025, 1, 1)):
        assert generated_answer(module, {"forfait_year": 2023}, given) == \
            interpreted_answer(policy, {"forfait_year": 2023}, given)


def test_the_examples_of_a_year_dated_policy_pass() -> None:
    from legiste.compiler.tools.examples import run_examples

    assert [r.passed for r in run_examples(compile_policy(YEARLY))] == [True, True]


def test_a_date_beyond_the_bounds_of_the_dating_input_is_refused() -> None:
    policy = compile_policy(YEARLY)
    with pytest.raises(DiagnosticError) as caught:
        policy.evaluate({"forfait_year": 2023}, on=dt.date(2025, 1, 1))
    [d] = caught.value.diagnostics
    assert d.code == "E503" and "'forfait_year' would be 2025, beyond its maximum 2024" in d.message
    assert d.span.line == 5  # the input's declaration


def test_as_of_names_a_date_or_a_year_input() -> None:
    errors = compile_errors("policy t\n  as of n\n\ninput\n  n : integer\n\noutput o : integer = n\n")
    assert [(d.code, d.message) for d in errors] == [
        ("E200", "`as of` must name a date or a year input; 'n' is integer")]
