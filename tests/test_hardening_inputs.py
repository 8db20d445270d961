"""Inputs are never coerced silently (issue 10): each form below is refused with E501, or
normalised where the law's value is unambiguous (-0 is 0), identically by the interpreter
and by a generated module, whose converters are the same text.
"""

from __future__ import annotations

from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

from legiste.compiler.api import Policy
from legiste.compiler.backends.python import generate
from legiste.dsl.diagnostics import DiagnosticError
from helpers import SEED_000, compile_policy, load_generated

POLICY = f"""
policy t.coercion
  source law "{SEED_000}"

input
  amount : money, at least 0 EUR  "an amount"
  factor : decimal  "a decimal"
  n_items : integer, at least 0  "a count"
  year_ : year  "a year"
  share : rate  "a rate"

output paid : money = amount
output twenty_or_more = share >= 20 %
output counted : integer = n_items
"""

GOOD: dict[str, Any] = {"amount": "12.50", "factor": "1.5", "n_items": 3, "year_": 2023,
                        "share": "20 %"}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return compile_policy(POLICY)


@pytest.fixture(scope="module")
def module(policy: Policy, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return load_generated(generate(policy.program), tmp_path_factory.mktemp("coercion"),
                          "coercion_module")


def both(policy: Policy, module: ModuleType, **changes: Any) -> tuple[Any, Any]:
    """(interpreter, generated module) answers: outputs, or the diagnostics' codes+messages."""
    data = dict(GOOD, **changes)
    try:
        interpreted: Any = policy.evaluate(data).to_json()["outputs"]
    except DiagnosticError as exc:
        interpreted = [(d.code, d.message) for d in exc.diagnostics]
    try:
        generated: Any = module.evaluate(data)["outputs"]
    except module.PolicyError as exc:
        generated = [(d["code"], d["message"]) for d in exc.diagnostics]
    return interpreted, generated


@pytest.mark.parametrize("raw", ["1_000", "１５０", "١٥٠", "100 €€€", "100EUR€", "1 000",
                                 "1,000.00", "€€"])
def test_money_written_oddly_is_refused(policy: Policy, module: ModuleType, raw: str) -> None:
    interpreted, generated = both(policy, module, amount=raw)
    assert interpreted == generated
    assert [code for code, _ in interpreted] == ["E501"]


@pytest.mark.parametrize("raw", ["1_000", "１５０", "١٥٠"])
def test_decimal_written_with_other_digits_is_refused(policy: Policy, module: ModuleType,
                                                       raw: str) -> None:
    interpreted, generated = both(policy, module, factor=raw)
    assert interpreted == generated and [c for c, _ in interpreted] == ["E501"]


@pytest.mark.parametrize("raw", [Decimal("150.0"), Decimal("1E+2"), Decimal("-0.0"),
                                 Decimal("1E+3")])
def test_integer_written_as_a_decimal_number_is_refused(policy: Policy, module: ModuleType,
                                                        raw: Decimal) -> None:
    # Decimal is what a JSON number with a point or an exponent is read as (150.0, 1E2).
    interpreted, generated = both(policy, module, n_items=raw)
    assert interpreted == generated
    assert [c for c, _ in interpreted] == ["E501"] and "decimal number" in interpreted[0][1]


def test_year_written_as_a_decimal_number_is_refused(policy: Policy, module: ModuleType) -> None:
    interpreted, generated = both(policy, module, year_=Decimal("2010.0"))
    assert interpreted == generated and [c for c, _ in interpreted] == ["E501"]


def test_json_integer_forms_are_still_whole_numbers(policy: Policy, module: ModuleType) -> None:
    interpreted, generated = both(policy, module, n_items=150, year_=2010)
    assert interpreted == generated and interpreted["counted"] == 150


@pytest.mark.parametrize("raw", ["-0", "-0.00", "-0 EUR", Decimal("-0")])
def test_negative_zero_is_zero(policy: Policy, module: ModuleType, raw: Any) -> None:
    interpreted, generated = both(policy, module, amount=raw)
    assert interpreted == generated == {"paid": "0.00", "twenty_or_more": True, "counted": 3}


def test_a_rate_written_with_percent_is_exact(policy: Policy, module: ModuleType) -> None:
    # 19.99999999999999999999999999999 % is below 20 %: dividing by 100 in 28 digits made it 20 %.
    below = both(policy, module, share="19.99999999999999999999999999999 %")
    assert below[0] == below[1] and below[0]["twenty_or_more"] is False
    assert policy.validate(dict(GOOD, share="19.99999999999999999999999999999 %"))["share"] == \
        Decimal("0.1999999999999999999999999999999")
    as_fraction = both(policy, module, share="0.1999999999999999999999999999999")
    assert as_fraction[0]["twenty_or_more"] is False


@pytest.mark.parametrize("raw", ["12 EUR", "12.30 €", "12€", " 7.05 ", "1e3", "12 eur"])
def test_plain_forms_of_an_amount_are_still_accepted(policy: Policy, module: ModuleType,
                                                     raw: str) -> None:
    interpreted, generated = both(policy, module, amount=raw)
    assert interpreted == generated and isinstance(interpreted, dict)


def test_refusal_hints_at_the_digits(policy: Policy) -> None:
    with pytest.raises(DiagnosticError) as exc:
        policy.evaluate(dict(GOOD, amount="1_000"))
    assert "no thousands separator" in " ".join(exc.value.diagnostics[0].hints)


def test_a_name_given_twice_in_one_example_is_refused() -> None:
    text = POLICY + (
        '\nexample "twice"\n  given amount = 1 EUR\n  given factor = 1\n  given n_items = 1\n'
        '  given year_ = 2020\n  given share = 1 %\n  given amount = 2 EUR\n  expect paid = 2 EUR\n'
        '  expect paid = 1 EUR\n')
    with pytest.raises(DiagnosticError) as exc:
        compile_policy(text)
    found = [(d.code, d.message, d.span.line) for d in exc.value.diagnostics]
    assert ("E204", "'amount' is given twice in example \"twice\"", 21) in found
    assert ("E204", "'paid' is expected twice in example \"twice\"", 23) in found


def test_an_extending_example_may_give_a_name_again() -> None:
    text = POLICY + (
        '\nexample "base"\n  given amount = 1 EUR\n  given factor = 1\n  given n_items = 1\n'
        '  given year_ = 2020\n  given share = 1 %\n  expect paid = 1 EUR\n'
        '\nexample "more" extends "base"\n  given amount = 2 EUR\n  expect paid = 2 EUR\n')
    assert compile_policy(text).unit.examples[1].given["amount"] == Decimal("2")


def test_the_callers_decimal_context_is_restored_after_a_generated_evaluation(
        module: ModuleType) -> None:
    import decimal

    with decimal.localcontext() as mine:
        mine.prec, mine.rounding = 6, decimal.ROUND_CEILING
        assert module.evaluate(GOOD)["outputs"]["paid"] == "12.50"
        assert decimal.getcontext() is mine and mine.prec == 6
        with pytest.raises(module.PolicyError):
            module.evaluate(dict(GOOD, amount="lots"))
        assert decimal.getcontext() is mine and mine.rounding == decimal.ROUND_CEILING
