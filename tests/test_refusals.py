"""Presumptions, optional inputs, input constraints (`require`) and rule errors (issue 11
§2–3): parsing and printing, checking (every read of an optional input guarded), the
interpreter, the generated module, the explanation, the schemas, HTTP and `verify`.

tests/cases/good/refusals.legis holds one of each; its quotes are sentences of seed 000.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from helpers import (GOOD, QUOTE_EMR, SEED_000, codes, compile_errors, compile_policy,
                     generated_answer, interpreted_answer, load_generated, parse, run, run_error)
from legiste.compiler.api import Policy
from legiste.compiler.backends.json_ir import to_json_ir
from legiste.compiler.backends.json_schema import input_schema
from legiste.compiler.backends.python import generate
from legiste.compiler.tools.examples import run_examples
from legiste.compiler.tools.verify import Verifier
from legiste.dsl import ast
from legiste.dsl.diagnostics import DiagnosticError
from legiste.dsl.printer import print_module

POLICY = GOOD / "refusals.legis"
BASE = {"request_date": "2024-03-01", "costs_paid": "1000.00"}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.load(POLICY)


@pytest.fixture(scope="module")
def module(policy: Policy, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_generated(generate(policy.program), tmp_path_factory.mktemp("gen"), "gen_refusals")


def _header(inputs: str) -> str:
    return f'policy t\n  source law "{SEED_000}"\n\ninput\n{inputs}\n'


# ------------------------------------------------------------------ syntax


def test_the_forms_parse_and_print_back() -> None:
    text = _header(f'  enrolled : boolean = true "presumed"  § "{QUOTE_EMR}"\n'
                   '  born : date, optional\n  n : integer\n\ninput m : integer, at least 0 = 3\n') + (
        'require n <= m "n is at most m"\n  § "x"\n'
        'define a = born is given and born is not given\n'
        'define b = born otherwise (born otherwise 2020-01-01)\n'
        'define c = born otherwise born otherwise 2020-01-01\n'
        'output d = first of\n  error "cannot" when n > 3\n  (if a then 1 else 2) otherwise\n'
        'output e = first of\n  0 when n > 3\n  (born otherwise 2020-01-01) otherwise\n')
    module = parse(text)
    fields = module.declarations[0].fields
    assert fields[0].default == ast.BoolLit(True) and fields[0].cites and not fields[0].optional
    assert fields[1].optional and fields[1].default is None
    assert module.declarations[1].fields[0].default == ast.Number("3")
    requirement = module.declarations[2]
    assert isinstance(requirement, ast.Requirement) and requirement.message == "n is at most m"
    assert module.declarations[4].expr == module.declarations[5].expr  # grouped to the right
    assert isinstance(module.declarations[5].expr.fallback, ast.GivenOr)
    branch = module.declarations[6].expr.branches[0]
    assert branch.value == ast.RuleError("cannot")
    printed = print_module(module)
    assert parse(printed) == module
    assert parse(print_module(parse(printed))) == module


# ------------------------------------------------------------------ checking


def test_an_unguarded_read_of_an_optional_input_is_located(capsys: Any) -> None:
    errors = compile_errors(_header("  born : date, optional\n  today : date")
                            + "output age = today - born\n")
    assert codes(errors) == ["E220"]
    assert (errors[0].span.line, errors[0].span.column) == (7, 22)
    assert "output 'age', which every case computes," in errors[0].message


def test_a_define_may_read_it_if_each_read_of_the_define_is_guarded() -> None:
    head = _header("  born : date, optional\n  today : date") + "define age : integer = today - born\n"
    compile_policy(head + "output o = if born is given then age else 0\n")
    errors = compile_errors(head + "output o = age + 1\n")
    assert codes(errors) == ["E220"] and "through the rule 'age'" in errors[0].message
    assert errors[0].notes and "is read at" in errors[0].notes[0]


@pytest.mark.parametrize("rule", [
    "born is given and today - born > 3",
    "born is not given or today - born > 3",
    "born is given implies today - born > 3",
    "not (born is not given) and today - born > 3",
    "if not (born is given) then false else today - born > 3",
    "(born otherwise today) < today",
    "given_ and today - born > 3",
    "all of [born is given, today - born > 3]",
    "any of [born is not given, today - born > 3]",
])
def test_the_guards_the_checker_follows(rule: str) -> None:
    compile_policy(_header("  born : date, optional\n  today : date")
                   + f"define given_ = born is given\noutput o = {rule}\n")


@pytest.mark.parametrize("rule", [
    "born is given or today - born > 3",
    "today - born > 3 and born is given",
    "if born is given then true else today - born > 3",
    "count of [born is given, today - born > 3] > 0",
])
def test_reads_the_guards_do_not_cover(rule: str) -> None:
    errors = compile_errors(_header("  born : date, optional\n  today : date") + f"output o = {rule}\n")
    assert codes(errors) == ["E220"]


def test_first_of_lines_are_guarded_by_the_lines_above() -> None:
    compile_policy(_header("  born : date, optional\n  today : date") + (
        "output o : integer = first of\n  0 when born is not given\n  today - born otherwise\n"))
    compile_policy(_header("  born : date, optional\n  today : date") + (
        "output o : integer = first of\n  today - born when born is given\n  0 otherwise\n"))


@pytest.mark.parametrize(("inputs", "rules", "code", "words"), [
    ('  x : boolean = true, optional', "", "E001", ""),
    ('  x : boolean, optional = true', "", "E221", "both presumed and optional"),
    ('  x : list of boolean = true', "", "E221", "cannot be presumed"),
    ('  x : integer, at most 3 = 5', "", "E221", "outside its bounds"),
    ('  x : integer = 1 EUR', "", "E201", "must be integer"),
    ('  x : boolean', "output o = x is given\n", "E221", "is required"),
    ('  x : boolean = false', "output o = x otherwise true\n", "E221", "is presumed"),
    ('  x : boolean', 'require error "no" "m"\n', "E221", "stands only in a rule"),
    ('  x : boolean', 'output o = first of\n  error "a" when x\n  error "b" otherwise\n', "E221",
     "can give no value"),
    ('  x : integer', 'define d = x + 1\nrequire d > 0 "m"\n', "E221", "reads the inputs of a case only"),
    ('  x : date, optional', 'output o = x otherwise 3\n', "E200", "the value after `otherwise`"),
])
def test_misplaced_forms(inputs: str, rules: str, code: str, words: str) -> None:
    try:
        compile_policy(_header(inputs) + rules)
    except DiagnosticError as exc:
        assert code in codes(exc.diagnostics), [d.message for d in exc.diagnostics]
        assert any(words in d.message for d in exc.diagnostics if d.code == code)
        return
    raise AssertionError("compiled")


def test_a_presumption_without_a_quote_is_a_warning_and_an_error_when_strict() -> None:
    text = "policy t\n\ninput\n  x : boolean = true\n\noutput o = x\n"
    policy = compile_policy(text)
    assert [d.code for d in policy.warnings] == ["W222"]
    with pytest.raises(DiagnosticError) as caught:
        Policy.from_string(text, strict=True)
    assert codes(caught.value.diagnostics) == ["E222"]


def test_a_record_field_cannot_be_presumed_or_optional() -> None:
    errors = compile_errors("policy t\n\nrecord r\n  a : boolean = true\n  b : date, optional\n\n"
                            "input\n  xs : list of r\n")
    assert codes(errors) == ["E221", "E221"]


# ------------------------------------------------------------------ evaluation


def test_presumptions_apply_when_the_case_omits_them(policy: Policy) -> None:
    assert run(policy, BASE) == {"eligible": True, "amount": 500, "seniority": "not accredited"}
    assert run(policy, {**BASE, "dmg_count": 149})["eligible"] is False
    assert policy.validate(BASE) == {"request_date": dt.date(2024, 3, 1), "costs_paid": 1000}


def test_an_absent_required_input_is_still_missing(policy: Policy) -> None:
    with pytest.raises(DiagnosticError) as caught:
        policy.validate({"request_date": "2024-03-01"})
    assert [(d.code, d.message) for d in caught.value.diagnostics] == [
        ("E500", "missing input 'costs_paid'")]


def test_optional_inputs_and_their_fallbacks(policy: Policy) -> None:
    out = run(policy, {**BASE, "costs_refunded": "400", "accreditation_date": "2023-06-01"})
    assert out == {"eligible": True, "amount": 300, "seniority": "recent"}


def test_the_explanation_marks_presumed_and_absent_inputs(policy: Policy, module: Any) -> None:
    for answer in (interpreted_answer(policy, BASE, None), generated_answer(module, BASE, None)):
        inputs = {}

        def visit(node: dict[str, Any]) -> None:
            if node["kind"] == "input":
                inputs[node["rule"]] = (node["value"], node["detail"])
            for child in node["children"]:
                visit(child)
        for out in answer["explanation"]["outputs"]:
            visit(out)
        assert inputs["labelled_emr"] == (True, "(presumed) uses a labelled electronic medical record")
        assert inputs["dmg_count"] == (150, "(presumed) DMG managed")
        assert inputs["accreditation_date"] == (None, "(not given) date of accreditation, when the "
                                                "GP is accredited")
    assert interpreted_answer(policy, BASE, None) == generated_answer(module, BASE, None)


def test_a_rule_error_is_a_located_diagnostic_naming_the_rule(policy: Policy, module: Any) -> None:
    diagnostic = run_error(policy, {**BASE, "labelled_emr": False})
    assert diagnostic.code == "E405"
    assert diagnostic.message == ("rule 'eligible': the case cannot be assessed: a labelled record "
                                  "is needed to count the DMG")
    assert (diagnostic.span.file, diagnostic.span.line, diagnostic.span.column) == (str(POLICY), 29, 3)
    case = {**BASE, "labelled_emr": False}
    assert interpreted_answer(policy, case, None) == generated_answer(module, case, None)
    assert run(policy, {**BASE, "labelled_emr": False, "dmg_count": 0})["eligible"] is False


def test_requirements_are_listed_with_every_other_input_problem(policy: Policy, module: Any) -> None:
    case = {**BASE, "costs_refunded": "2000", "dmg_count": "many"}
    with pytest.raises(DiagnosticError) as caught:
        policy.validate(case)
    found = [(d.code, d.message) for d in caught.value.diagnostics]
    assert found == [
        ("E501", "input 'dmg_count': \"many\" is a text; expected a whole number, e.g. 150"),
        ("E507", "input constraint not met: the refunded costs cannot exceed the costs paid "
                 "(costs_refunded = 2000.00 EUR, costs_paid = 1000.00 EUR)")]
    assert interpreted_answer(policy, case, None) == generated_answer(module, case, None)
    # A condition reading an input given wrongly is not evaluated: that input's problem is said.
    with pytest.raises(DiagnosticError) as caught:
        policy.validate({**BASE, "costs_refunded": "lots"})
    assert codes(caught.value.diagnostics) == ["E501"]


def test_a_requirement_is_located_in_the_json_text(policy: Policy) -> None:
    text = '{"request_date": "2024-03-01",\n "costs_paid": "10", "costs_refunded": "20"}'
    with pytest.raises(DiagnosticError) as caught:
        policy.validate_json(text, "case.json")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("E507", 2, 22)
    assert diagnostic.notes == (f"required at {POLICY}:19:1",)


def test_examples_expect_rule_errors_and_requirements(policy: Policy) -> None:
    assert all(r.passed for r in run_examples(policy))


CASES = st.fixed_dictionaries(
    {"request_date": st.dates(dt.date(2022, 1, 1), dt.date(2025, 1, 1)).map(str),
     "costs_paid": st.integers(0, 3000).map(str)},
    optional={"labelled_emr": st.booleans(), "dmg_count": st.integers(0, 300) | st.just("x"),
              "accreditation_date": st.dates(dt.date(2021, 1, 1), dt.date(2025, 1, 1)).map(str),
              "costs_refunded": st.integers(0, 3000).map(str)})


@settings(max_examples=60, deadline=None)
@given(case=CASES)
def test_interpreter_and_generated_module_agree(policy: Policy, module: Any, case: dict[str, Any]) -> None:
    assert interpreted_answer(policy, case, None) == generated_answer(module, case, None)


# ------------------------------------------------------------------ documents and faces


def test_the_schema_shows_defaults_optionality_and_constraints(policy: Policy) -> None:
    schema = input_schema(policy.unit)
    assert schema["required"] == ["request_date", "costs_paid"]
    assert schema["properties"]["labelled_emr"]["default"] is True
    assert schema["properties"]["dmg_count"]["default"] == 150
    assert "optional" in schema["properties"]["costs_refunded"]["description"]
    assert "the refunded costs cannot exceed the costs paid" in schema["description"]


def test_the_json_ir_holds_the_new_forms(policy: Policy) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    document = to_json_ir(policy.program)
    schema = json.loads((Path(__file__).parent.parent / "docs/schemas/ir.v1.schema.json").read_text())
    jsonschema.validate(document, schema)
    unit = next(u for u in document["units"] if u["id"] == "good.refusals")
    assert [r["message"] for r in unit["requirements"]][0] == "the refunded costs cannot exceed the costs paid"
    kinds = json.dumps(unit["definitions"])
    assert all(f'"kind": "{k}"' in kinds for k in ("is_given", "given_or", "rule_error"))


def test_http_answers_422_for_rule_errors_and_requirements() -> None:
    from legiste.compiler.faces import serve
    from test_serve_threads import _post

    app = serve.create_app([POLICY])
    path = "/policies/good.refusals/evaluate"
    status, answer = _post(app, path, json.dumps({**BASE, "labelled_emr": False}).encode())
    assert status == 422 and [e["code"] for e in answer["errors"]] == ["E405"]
    status, answer = _post(app, path, json.dumps({**BASE, "costs_refunded": "5000"}).encode())
    assert status == 422 and [e["code"] for e in answer["errors"]] == ["E507"]
    status, answer = _post(app, path, json.dumps(BASE).encode())
    assert status == 200 and answer["outputs"]["amount"] == "500.00"


def test_verify_draws_absent_inputs_and_skips_cases_that_break_a_requirement() -> None:
    policy = compile_policy(_header(
        "  born : date, optional\n  a : integer, at least 0, at most 100\n  b : integer, at least 0, at most 100")
        + 'require a <= b "a is at most b"\n'
        + "output known = born is given\n"
        + "invariant a <= b\n"
        + "invariant known\n"
        + 'example "e"\n  given born = 2020-01-01, a = 1, b = 2\n  expect known = true\n')
    verifier = Verifier(policy)
    outcomes = {o.text: o for o in verifier.verify_all(max_examples=60)}
    assert outcomes["a <= b"].passed
    assert not outcomes["known"].passed  # broken by a case without `born`


def test_the_strategies_draw_absent_inputs_and_both_sides_of_a_requirement(policy: Policy) -> None:
    from hypothesis import find
    from legiste.compiler.interpreter.requirements import breaks_requirement
    from legiste.compiler.tools.strategies import case_strategy, harvest

    cases = case_strategy(policy, harvest(policy.program))
    settings_ = settings(max_examples=2000, database=None)
    find(cases, lambda c: "accreditation_date" not in c and "labelled_emr" not in c, settings=settings_)
    find(cases, lambda c: "costs_refunded" in c and "dmg_count" in c, settings=settings_)
    find(cases, lambda c: breaks_requirement(policy.evaluator, c), settings=settings_)
    find(cases, lambda c: "costs_refunded" in c and not breaks_requirement(policy.evaluator, c),
         settings=settings_)


def test_the_openapi_document_shows_defaults_and_optional_inputs(policy: Policy) -> None:
    from legiste.compiler.faces.openapi import openapi

    document = openapi({policy.id: policy})
    schema = document["components"]["schemas"]["good.refusals.inputs"]
    assert schema["required"] == ["request_date", "costs_paid"]
    assert schema["properties"]["labelled_emr"]["default"] is True


def test_otherwise_chains_to_the_right_and_invariants_are_guarded() -> None:
    policy = compile_policy(_header("  a : integer, optional\n  b : integer, optional")
                            + "output o : integer = a otherwise b otherwise 0\n")
    assert [run(policy, case)["o"] for case in ({"a": 1, "b": 2}, {"b": 2}, {})] == [1, 2, 0]
    errors = compile_errors(_header("  a : integer, optional") + "output o = 1\ninvariant a > 0\n")
    assert codes(errors) == ["E220"] and errors[0].message.startswith("this invariant reads")
    compile_policy(_header("  a : integer, optional") + "output o = 1\ninvariant a > 0 when a is given\n")
