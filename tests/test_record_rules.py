"""Rules per list element (`define` inside `record`) and user functions (issue 11 §1).

Parsing and printing, checking (names, cycles, recursion, calls), evaluation by the
interpreter and by the generated module (identical answers, explanations included), the
JSON IR. The ARS-like policy tests/cases/good/record_rules.legis runs its examples in
tests/test_evaluate.py and is compared with its generated module in tests/test_codegen.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from legiste.compiler.backends.json_ir import to_json_ir
from legiste.compiler.backends.python import generate
from legiste.dsl.printer import print_module
from helpers import (GOOD, compile_errors, compile_policy, codes, generated_answer, interpreted_answer,
                     load_generated, parse, run)

CHILDREN = """\
policy t.children

record child
  age : integer, at least 0
  earns : money, at least 0 EUR
  define young = age < 20
  define entitled = young and earns <= ceiling
  define amount : money = first of
    0 EUR when not entitled
    100 EUR when age >= 14
    50 EUR otherwise

define twice(x : money) : money = x * 2

input
  children : list of child

parameter ceiling : money
  from 2020-01-01: 1000 EUR

output entitled_children : integer = count of [c for each c in children where c.entitled]
output total : money = sum([c.amount for each c in children])
output doubled : money = twice(total)
"""

CASE = {"children": [{"age": 12, "earns": "0"}, {"age": 19, "earns": "500"},
                     {"age": 21, "earns": "0"}, {"age": 15, "earns": "1200"}]}


def test_record_rules_and_functions_print_back_to_the_same_ast() -> None:
    module = parse(CHILDREN)
    record = module.declarations[0]
    assert [d.name for d in record.defines] == ["young", "entitled", "amount"]
    twice = module.declarations[1]
    assert twice.params is not None and [p.name for p in twice.params] == ["x"]
    assert parse(print_module(module)) == module


def test_each_element_is_filtered_counted_and_summed_by_its_rules() -> None:
    policy = compile_policy(CHILDREN)
    # 12 and 19 are young and earn at most 1 000 EUR; 21 is not young; 15 earns too much.
    assert run(policy, CASE) == {"entitled_children": 2, "total": D("150.00"), "doubled": D("300.00")}
    assert run(policy, {"children": []}) == {"entitled_children": 0, "total": D("0.00"),
                                             "doubled": D("0.00")}


def test_the_generated_module_gives_the_same_answer_and_explanation(tmp_path: Path) -> None:
    policy = compile_policy(CHILDREN)
    module = load_generated(generate(policy.program), tmp_path, "children_gen")
    on = dt.date(2024, 1, 1)
    for case in (CASE, {"children": []}, {"children": [{"age": 3, "earns": "-1"}]}):
        assert generated_answer(module, case, on) == interpreted_answer(policy, case, on)


def test_a_record_rule_reads_the_policy_inputs_and_its_dated_parameters() -> None:
    policy = compile_policy("""\
policy t.dated
  as of day

record child
  born : date
  define age = years_between(born, day)
  define amount : money = if age >= 14 then high else low

input
  day : date
  children : list of child

parameter high : money
  from 2020-01-01: 100 EUR
  from 2024-01-01: 110 EUR
parameter low : money
  from 2020-01-01: 50 EUR

output total : money = sum([c.amount for each c in children])
""")
    case = {"day": "2024-03-01", "children": [{"born": "2010-03-01"}, {"born": "2010-03-02"}]}
    assert run(policy, case, on=dt.date(2024, 3, 1)) == {"total": D("160.00")}
    case["day"] = "2023-03-01"
    assert run(policy, case, on=dt.date(2023, 3, 1)) == {"total": D("100.00")}


def test_a_comprehension_inside_a_rule_does_not_capture_the_callers_variable() -> None:
    # `older` goes through the same list with a variable named like the caller's.
    policy = compile_policy("""\
policy t.capture

record child
  age : integer
  define older = count of [c for each c in ages where c > age]

input
  ages : list of integer
  children : list of child

output olders = [c.older for each c in children]
""")
    assert run(policy, {"ages": [1, 5, 9], "children": [{"age": 4}, {"age": 10}]}) == {"olders": (2, 0)}


def test_a_record_rule_decimal_value_is_a_decimal() -> None:
    policy = compile_policy("""\
policy t.decimal

record share
  parts : integer
  define half : decimal = parts / 2
  define whole : decimal = parts

input
  shares : list of share

output halves = [s.half for each s in shares]
output wholes = [s.whole for each s in shares]
""")
    result = run(policy, {"shares": [{"parts": 3}]})
    assert result == {"halves": (D("1.5"),), "wholes": (D(3),)}
    assert all(type(v) is D for v in result["wholes"])


def test_unknown_members_cycles_and_clashes_are_located_diagnostics() -> None:
    diagnostics = compile_errors(CHILDREN.replace("c.entitled]", "c.entitld]"))
    assert codes(diagnostics) == ["E100"]
    assert "did you mean 'entitled'?" in diagnostics[0].hints
    assert (diagnostics[0].span.line, diagnostics[0].span.column) == (21, 79)

    cycle = compile_errors(CHILDREN.replace("define young = age < 20", "define young = entitled"))
    assert codes(cycle) == ["E105"]
    assert "child.entitled → child.young → child.entitled" in cycle[0].message

    clash = compile_errors(CHILDREN.replace("define young", "define age"))
    assert "E101" in codes(clash)
    assert "record child already has a field named 'age'" in [d.message for d in clash]


def test_a_policy_rule_and_a_record_rule_that_read_each_other_are_a_cycle() -> None:
    text = CHILDREN.replace("define young = age < 20", "define young = total > 0 EUR")
    errors = compile_errors(text)
    assert "E105" in codes(errors)
    assert any("total → child.amount" in d.message for d in errors)


def test_function_calls_are_checked_against_the_declaration() -> None:
    few = compile_errors(CHILDREN.replace("twice(total)", "twice()"))
    assert codes(few) == ["E202"] and "twice() takes 1 value(s), given 0" in few[0].message
    wrong = compile_errors(CHILDREN.replace("twice(total)", "twice(3)"))
    assert codes(wrong) == ["E201"]
    assert "value 1 of twice() ('x') must be money, not integer" in wrong[0].message
    as_value = compile_errors(CHILDREN.replace("twice(total)", "twice"))
    assert codes(as_value) == ["E200"] and "'twice' is a function, not a value" in as_value[0].message


def test_recursion_is_refused_at_the_declaration() -> None:
    errors = compile_errors("""\
policy t.recursion

define ping(x : integer) : integer = if x > 0 then pong(x - 1) else 0
define pong(x : integer) : integer = ping(x)

input
  n : integer

output r : integer = ping(n)
""")
    assert codes(errors) == ["E210"]
    assert "recursive function: ping → pong → ping" in errors[0].message
    assert errors[0].span.line == 3


def test_a_function_parameter_shadows_a_policy_name_and_reads_the_rest() -> None:
    policy = compile_policy("""\
policy t.shadow

define capped(amount : money) : money = min(amount, ceiling)

input
  amount : money

parameter ceiling : money
  from 2020-01-01: 100 EUR

output a : money = capped(amount * 2)
output b : money = capped(30 EUR)
""")
    assert run(policy, {"amount": "70"}) == {"a": D("100.00"), "b": D("30.00")}


def test_the_json_ir_holds_the_rules_of_records_and_the_functions() -> None:
    document = to_json_ir(compile_policy(CHILDREN).program)
    unit = next(u for u in document["units"] if u["id"] == "t.children")
    assert [r["id"] for r in unit["element_rules"]] == [
        "t.children.child.young", "t.children.child.entitled", "t.children.child.amount"]
    assert [(f["name"], [p["name"] for p in f["params"]]) for f in unit["functions"]] == [("twice", ["x"])]
    kinds = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            kinds.add(node.get("kind"))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(unit)
    assert {"rule_of", "element", "arg", "apply"} <= kinds


def test_a_function_inside_a_record_is_refused() -> None:
    errors = compile_errors(CHILDREN.replace("  define young = age < 20",
                                             "  define young = age < 20\n  define f(x : integer) = x"))
    assert codes(errors) == ["E106"]


# ------------------------------------------------------------------ explanation per element

def _traces(node: dict) -> list[dict]:
    out = [node]
    for child in node["children"]:
        out += _traces(child)
    return out


def test_the_explanation_shows_each_element_with_its_own_conditions_and_values() -> None:
    policy = compile_policy((GOOD / "record_rules.legis").read_text(encoding="utf-8"))
    case = {"school_year_start": "2024-09-02", "resources": "20000",
            "children": [{"birth_date": "2017-03-01", "enrolled": True},
                         {"birth_date": "2005-01-15", "enrolled": True}]}
    result = policy.evaluate(case, on=dt.date(2024, 9, 2), explain=True).to_json()
    count = next(t for t in result["explanation"]["outputs"] if t["rule"] == "children_entitled")
    elements = [t for t in count["children"] if t["kind"] == "element"]
    assert [(t["rule"], t["detail"]) for t in elements] == [
        ("child 1", "kept: c.entitled"), ("child 2", "left out: not c.entitled")]
    # child 2: not entitled, because age 19 on 2 September 2024 is not between 6 and 18
    entitled = elements[1]["children"][0]
    assert (entitled["kind"], entitled["rule"], entitled["value"]) == ("define", "entitled", False)
    assert entitled["location"]["line"] == 15  # the rule in `record child`
    condition = entitled["children"][0]
    assert (condition["rule"], condition["value"]) == ("age between 6 and 18", False)
    age = condition["children"][0]
    assert (age["rule"], age["value"]) == ("age", 19)
    assert [(t["rule"], t["value"]) for t in age["children"]] == [
        ("birth_date", "2005-01-15"), ("school_year_start", "2024-09-02")]
    # Each element's amount, with the line of `first of` that applies to it.
    allowance = next(t for t in result["explanation"]["outputs"] if t["rule"] == "allowance")
    amounts = [t for t in _traces(allowance) if t["kind"] == "define" and t["rule"] == "amount"]
    assert {a["value"] for a in amounts} == {"400.00"}  # child 1 only: full_amount sums the entitled


def test_each_element_is_explained_alike_by_the_generated_module(tmp_path: Path) -> None:
    policy = compile_policy((GOOD / "record_rules.legis").read_text(encoding="utf-8"))
    module = load_generated(generate(policy.program), tmp_path, "record_rules_gen")
    on = dt.date(2024, 9, 2)
    cases = [{"school_year_start": "2024-09-02", "resources": r, "children": children}
             for r in ("20000", "33321")
             for children in ([], [{"birth_date": "2017-03-01", "enrolled": True},
                                   {"birth_date": "2005-01-15", "enrolled": False},
                                   {"birth_date": "2012-09-02", "enrolled": True}])]
    for case in cases:
        assert generated_answer(module, case, on) == interpreted_answer(policy, case, on)


# ------------------------------------------------------------------ verify in depth

FOUR_CHILDREN = """\
policy t.four_children
  as of day

record child
  birth_date : date
  define age = years_between(birth_date, day)

input
  day : date
  children : list of child

output older : integer = count of [c for each c in children where c.age >= 15]

invariant fewer_than_four_older: older < 4

example "two young children"
  given day = 2024-09-01
  given children = [{birth_date: 2020-01-01}, {birth_date: 2018-05-05}]
  expect older = 0
"""


def _older(case: dict) -> int:
    day = case["day"]
    return sum(1 for c in case["children"]
               if (day.year - c["birth_date"].year
                   - ((day.month, day.day) < (c["birth_date"].month, c["birth_date"].day))) >= 15)


def test_verify_finds_an_invariant_broken_only_by_four_children_of_15_or_more() -> None:
    from legiste.compiler.tools.verify import Verifier

    verifier = Verifier(compile_policy(FOUR_CHILDREN))
    (outcome,) = verifier.verify_all(1000, seed=0)
    assert not outcome.passed
    (case,) = outcome.counterexample.cases
    assert _older(case) >= 4


def test_the_drawn_cases_alone_reach_four_children_of_15_or_more() -> None:
    # Without the boundary sweep: the search's own cases (list lengths, elements alike,
    # birth dates that many years before the policy's dates) reach the boundary.
    from hypothesis import find, settings

    from legiste.compiler.tools.strategies import case_strategy, harvest

    policy = compile_policy(FOUR_CHILDREN)
    found = find(case_strategy(policy, harvest(policy.program)), lambda c: _older(c) >= 4,
                 settings=settings(max_examples=1000, database=None, derandomize=True))
    assert _older(found) >= 4


def test_the_boundary_sweep_moves_each_element_and_lists_of_alike_elements() -> None:
    from legiste.compiler.tools.strategies import boundary_cases, harvest

    policy = compile_policy(FOUR_CHILDREN)
    h = harvest(policy.program)
    assert {15, 16} <= h.year_spans
    swept = [pair[0] for pair, _, moved in boundary_cases(policy, h, h.examples) if moved == "children"]
    assert any(_older(case) == 4 for case in swept)
    assert any(_older(case) == 1 and len(case["children"]) == 2 for case in swept)


def test_a_long_list_shows_its_first_elements_one_by_one(tmp_path: Path) -> None:
    policy = compile_policy(CHILDREN)
    case = {"children": [{"age": 12, "earns": "0"}] * 25}
    result = policy.evaluate(case, on=dt.date(2024, 1, 1), explain=True).to_json()
    count = result["explanation"]["outputs"][0]
    elements = [t for t in count["children"] if t["kind"] == "element"]
    assert [t["rule"] for t in elements] == [f"child {i}" for i in range(1, 21)] + ["child 21–25"]
    assert elements[-1]["detail"] == "not shown: the first 20 elements are"
    module = load_generated(generate(policy.program), tmp_path, "long_gen")
    assert generated_answer(module, case, dt.date(2024, 1, 1)) == interpreted_answer(policy, case, dt.date(2024, 1, 1))
