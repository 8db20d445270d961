"""Input validation: a JSON case → typed values, every problem reported at once."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from legiste.compiler.api import Policy
from legiste.compiler.interpreter.inputs import parse_json, validate
from legiste.compiler.runtime.values import Duration
from legiste.dsl.diagnostics import DiagnosticError
from helpers import compile_policy

D = Decimal

POLICY = """
policy t.inputs

input
  start : date  "first day"
  amount : money, at least 0 EUR, at most 10000 EUR
  count : integer, at least 1, at most 10
  practice : one of individual, group
  share : rate
  factor : decimal
  accreditation_year : year
  flag : boolean
  flags : list of boolean
  amounts : list of money
  label : text
  wait : duration

output o = flag
"""

GOOD: dict[str, Any] = {
    "start": "2024-02-29", "amount": "12.50", "count": 3, "practice": "group", "share": "20 %",
    "factor": "1.5", "accreditation_year": 2023, "flag": True, "flags": [True, False],
    "amounts": ["1.10", 2], "label": "x", "wait": "30 days",
}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return compile_policy(POLICY)


def check(policy: Policy, **changes: Any) -> tuple[dict[str, Any], list]:
    data = dict(GOOD)
    for key, value in changes.items():
        if value is ...:
            del data[key]
        else:
            data[key] = value
    return validate(policy.unit, data)


def problems(policy: Policy, **changes: Any) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in check(policy, **changes)[1]]


def test_a_valid_case_gives_typed_values(policy: Policy) -> None:
    values, diagnostics = check(policy)
    assert diagnostics == []
    assert values == {
        "start": dt.date(2024, 2, 29), "amount": D("12.50"), "count": 3, "practice": "group",
        "share": D("0.2"), "factor": D("1.5"), "accreditation_year": 2023, "flag": True,
        "flags": (True, False), "amounts": (D("1.10"), D(2)), "label": "x",
        "wait": Duration(days=30),
    }
    assert isinstance(values["amount"], Decimal) and isinstance(values["count"], int)


def test_every_problem_is_reported_at_once(policy: Policy) -> None:
    found = problems(policy, start="2023-02-29", amount="-1", count=True, practice="grup",
                     share=..., shar="1", factor="x", accreditation_year=12, flag="yes",
                     flags=[True, 1], label=3, wait="3 weeks")
    by_field = {message.split("'")[1]: code for code, message in found}
    assert by_field == {
        "shar": "E504", "start": "E506", "amount": "E503", "count": "E501", "practice": "E502",
        "share": "E500", "factor": "E501", "accreditation_year": "E501", "flag": "E501",
        "flags": "E501", "label": "E501", "wait": "E501",
    }
    # Values that are valid are still read; nothing invalid is kept.
    values, _ = check(policy, amount="-1")
    assert "amount" not in values and values["count"] == 3


def test_missing_input(policy: Policy) -> None:
    [diagnostic] = check(policy, start=...)[1]
    assert diagnostic.code == "E500"
    assert diagnostic.message == "missing input 'start'"
    assert diagnostic.notes[0].startswith("'start': a date, e.g. \"2024-03-15\"")
    assert "first day" in diagnostic.notes[0]


def test_unknown_field_with_did_you_mean(policy: Policy) -> None:
    [diagnostic] = check(policy, pratice="group")[1]
    assert diagnostic.code == "E504"
    assert diagnostic.message == "'pratice' is not an input of t.inputs"
    assert diagnostic.hints == ("did you mean 'practice'?",)
    [diagnostic] = check(policy, zzz=1)[1]
    assert diagnostic.hints[0].startswith("inputs: start, amount, count")


def test_unknown_enumeration_value(policy: Policy) -> None:
    [diagnostic] = check(policy, practice="Group")[1]
    assert diagnostic.code == "E502"
    assert diagnostic.message.startswith("input 'practice': \"Group\" is not")
    assert diagnostic.message.endswith('expected one of "individual", "group"')
    assert diagnostic.hints == ("did you mean 'group'?",)
    assert check(policy, practice=1)[1][0].code == "E502"


def test_bounds(policy: Policy) -> None:
    [diagnostic] = check(policy, amount="-0.01")[1]
    assert (diagnostic.code, diagnostic.message) == (
        "E503", "input 'amount' is -0.01 EUR, below its minimum 0.00 EUR")
    [diagnostic] = check(policy, count=11)[1]
    assert (diagnostic.code, diagnostic.message) == (
        "E503", "input 'count' is 11, above its maximum 10")
    assert check(policy, count=0)[1][0].code == "E503"
    # The bounds themselves are allowed.
    assert check(policy, amount="0", count=1)[1] == []
    assert check(policy, amount="10000.00", count=10)[1] == []


def test_impossible_and_malformed_dates(policy: Policy) -> None:
    [diagnostic] = check(policy, start="2023-02-29")[1]
    assert diagnostic.code == "E506"
    assert "2023-02-29 is not a date of the calendar" in diagnostic.message
    assert check(policy, start="2024-13-01")[1][0].code == "E506"
    assert check(policy, start="29/02/2024")[1][0].code == "E501"
    assert check(policy, start=20240229)[1][0].code == "E501"
    assert check(policy, start="2024-2-29")[1][0].code == "E501"


@pytest.mark.parametrize("raw,expected", [
    ("12.50", D("12.50")), ("12", D("12")), (12, D("12")), (D("12.5"), D("12.5")),
    ("12 EUR", D("12")), ("12.30 €", D("12.30")), (" 7.05 ", D("7.05")), ("0.10", D("0.10")),
])
def test_money_as_string_int_or_decimal(policy: Policy, raw: Any, expected: Decimal) -> None:
    values, diagnostics = check(policy, amount=raw)
    assert diagnostics == []
    assert values["amount"] == expected and isinstance(values["amount"], Decimal)


@pytest.mark.parametrize("raw", ["12.345", D("0.001"), "1.005 EUR"])
def test_sub_cent_amounts_are_rejected(policy: Policy, raw: Any) -> None:
    [diagnostic] = check(policy, amount=raw)[1]
    assert diagnostic.code == "E501"
    assert "fractions of a cent" in diagnostic.message
    assert diagnostic.hints == ("an amount has at most 2 decimals",)


@pytest.mark.parametrize("field", ["amount", "factor", "count", "share", "accreditation_year"])
def test_booleans_are_not_numbers(policy: Policy, field: str) -> None:
    [diagnostic] = check(policy, **{field: True})[1]
    assert diagnostic.code == "E501"
    assert diagnostic.message.startswith(f"input '{field}': true ")


@pytest.mark.parametrize("field", ["amount", "factor", "count", "share"])
def test_binary_floats_are_not_accepted(policy: Policy, field: str) -> None:
    [diagnostic] = check(policy, **{field: 1.5})[1]
    assert diagnostic.code == "E501"


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", D("NaN"), D("sNaN"), D("Infinity")])
@pytest.mark.parametrize("field", ["amount", "factor", "count", "share"])
def test_non_finite_numbers_are_rejected_without_crashing(policy: Policy, field: str, raw: Any) -> None:
    [diagnostic] = check(policy, **{field: raw})[1]
    assert diagnostic.code == "E501"


def test_integers_and_years(policy: Policy) -> None:
    assert check(policy, count=D("3"))[0]["count"] == 3
    assert check(policy, count="3")[1][0].code == "E501"
    assert check(policy, count=D("3.5"))[1][0].code == "E501"
    assert check(policy, accreditation_year=999)[1][0].message.startswith(
        "input 'accreditation_year': 999 is not a year")


def test_a_mistyped_value_is_named_by_what_was_given(policy: Policy) -> None:
    # What the case gave, then what was expected: the two never say the same thing.
    assert problems(policy, count="3") == [
        ("E501", 'input \'count\': "3" is a text; expected a whole number, e.g. 150')]
    assert problems(policy, count=D("3.5")) == [
        ("E501", "input 'count': 3.5 is not a whole number; expected a whole number, e.g. 150")]
    assert problems(policy, flag="yes") == [("E501", 'input \'flag\': "yes" is a text; expected true or false')]
    assert problems(policy, flag=None) == [("E501", "input 'flag': null is no value; expected true or false")]
    assert problems(policy, flags={"a": True})[0][1].startswith('input \'flags\': {"a": true} is an object;')
    assert problems(policy, label=D("12"))[0][1] == "input 'label': 12 is a number; expected a text"


def test_rates_decimals_texts_durations_and_lists(policy: Policy) -> None:
    assert check(policy, share="12.5 %")[0]["share"] == D("0.125")
    assert check(policy, share="0.125")[0]["share"] == D("0.125")
    assert check(policy, share=D("0.2"))[0]["share"] == D("0.2")
    assert check(policy, factor=3)[0]["factor"] == D(3)
    assert check(policy, wait="2 months")[0]["wait"] == Duration(months=2)
    assert check(policy, wait="1 year")[0]["wait"] == Duration(months=12)
    assert check(policy, flags=[])[0]["flags"] == ()
    [diagnostic] = check(policy, flags=[True, "no"])[1]
    assert "item 2" in diagnostic.message
    assert check(policy, flags=True)[1][0].code == "E501"
    assert check(policy, amounts=["1.001"])[1][0].code == "E501"
    assert check(policy, label=["x"])[1][0].code == "E501"


def test_the_input_must_be_an_object(policy: Policy) -> None:
    values, diagnostics = validate(policy.unit, [1, 2])
    assert values == {} and [d.code for d in diagnostics] == ["E505"]


# ------------------------------------------------------------------ JSON


def test_parse_json_never_produces_floats() -> None:
    data, diagnostics = parse_json('{"a": 1.10, "b": 2, "c": [0.1, {"d": 1e2}], "e": -0.0}', "x.json")
    assert diagnostics == []
    assert data == {"a": D("1.10"), "b": 2, "c": [D("0.1"), {"d": D("1E+2")}], "e": D("-0.0")}
    assert str(data["a"]) == "1.10"  # the digits as written

    def walk(value: Any) -> None:
        assert not isinstance(value, float)
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
    walk(data)
    assert isinstance(data["b"], int)


def test_parse_json_rejects_nan_and_infinity() -> None:
    data, diagnostics = parse_json('{"a": NaN, "b": Infinity}', "x.json")
    assert [d.code for d in diagnostics] == ["E505", "E505"]
    assert "NaN" in diagnostics[0].message and "Infinity" in diagnostics[1].message
    assert not any(isinstance(v, float) for v in data.values())


def test_duplicate_json_keys_are_rejected() -> None:
    text = '{\n  "a": 1,\n  "b": 2,\n  "a": 3\n}'
    _, diagnostics = parse_json(text, "dup.json")
    [diagnostic] = diagnostics
    assert diagnostic.code == "E505"
    assert diagnostic.message == "field 'a' is given twice"
    assert (diagnostic.span.file, diagnostic.span.line) == ("dup.json", 2)


def test_invalid_json_is_located() -> None:
    _, diagnostics = parse_json('{"a": 1,\n  "b": }', "bad.json")
    [diagnostic] = diagnostics
    assert diagnostic.code == "E505"
    assert diagnostic.message.startswith("the input is not valid JSON")
    assert diagnostic.span.line == 2


def test_validate_json_locates_problems_at_their_key(policy: Policy) -> None:
    data = dict(GOOD, amount="-5")
    text = json.dumps(data, indent=2)
    with pytest.raises(DiagnosticError) as caught:
        policy.validate_json(text, "case.json")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "E503"
    line = text.splitlines().index('  "amount": "-5",') + 1
    assert (diagnostic.span.file, diagnostic.span.line, diagnostic.span.column) == ("case.json", line, 3)


def test_validate_json_reads_decimals_exactly(policy: Policy) -> None:
    text = json.dumps(dict(GOOD, amount="0")).replace('"amount": "0"', '"amount": 0.10')
    values = policy.validate_json(text)
    assert values["amount"] == D("0.10") and str(values["amount"]) == "0.10"
    text = text.replace('"amount": 0.10', '"amount": 0.105')
    with pytest.raises(DiagnosticError) as caught:
        policy.validate_json(text)
    assert [d.code for d in caught.value.diagnostics] == ["E501"]


def test_policy_evaluate_raises_every_problem(policy: Policy) -> None:
    with pytest.raises(DiagnosticError) as caught:
        policy.evaluate({"flag": True})
    [diagnostic] = caught.value.diagnostics  # one diagnostic names every missing field
    assert diagnostic.code == "E500"
    assert len(diagnostic.notes) == len(GOOD) - 1
