"""Explanations: the trace of a decision shows each value, the rule that gave it and its law."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Iterator

import pytest

from legiste.compiler.api import Policy
from legiste.compiler.interpreter.explain import TRACE_VERSION, Trace, render_line
from legiste.dsl.diagnostics import DiagnosticError
from helpers import (QUOTE_DMG, QUOTE_EMR, QUOTE_HALF, QUOTE_RECENT, SEED_000, SOLO_GP,
                     TELESECRETARIAT, compile_policy)

D = Decimal

TRACE_KEYS = {"kind", "rule", "value", "type", "location", "citations", "detail", "children"}
LOCATION_KEYS = {"file", "line", "column", "end_line", "end_column"}


@pytest.fixture(scope="module")
def telesecretariat() -> Policy:
    return Policy.load(TELESECRETARIAT)


def solo_gp(**changes: Any) -> dict[str, Any]:
    data = json.loads(SOLO_GP.read_text(encoding="utf-8"))
    data.update(changes)
    return data


def walk(traces: Any) -> Iterator[Trace]:
    for trace in traces:
        yield trace
        yield from walk(trace.children)


def find(traces: Any, kind: str, name: str) -> Trace:
    found = [t for t in walk(traces) if t.kind == kind and t.name == name]
    assert found, f"no {kind} {name!r} in the trace"
    return found[0]


def output(traces: Any, name: str) -> Trace:
    return next(t for t in traces if t.name == name)


# ------------------------------------------------------------------ the tele-secretariat policy


def test_a_non_eligible_case_shows_the_failing_condition_and_its_citation(telesecretariat: Policy) -> None:
    result = telesecretariat.evaluate(solo_gp(labelled_emr=False), explain=True)
    assert result.outputs["intervention"] == D("0.00")
    condition = find(result.trace, "condition", "labelled_emr")
    assert condition.value is False
    assert [(c.quote, c.source, c.verified) for c in condition.cites] == [(QUOTE_EMR, SEED_000, True)]
    assert condition.span.file == str(TELESECRETARIAT)
    assert TELESECRETARIAT.read_text(encoding="utf-8").splitlines()[condition.span.line - 1] \
        .strip().startswith("labelled_emr")
    # The condition shows the input it read.
    [leaf] = condition.children
    assert (leaf.kind, leaf.name, leaf.value) == ("input", "labelled_emr", False)
    # The other conditions hold.
    others = [t for t in walk(result.trace) if t.kind == "condition" and t.name != "labelled_emr"]
    assert others and all(t.value is True for t in others)


def test_the_intervention_of_an_eligible_case(telesecretariat: Policy) -> None:
    result = telesecretariat.evaluate(solo_gp(), explain=True)
    assert result.outputs["intervention"] == D("3700.00")
    intervention = output(result.trace, "intervention")
    assert intervention.kind == "output" and intervention.value == D("3700.00")
    assert any(c.quote.startswith(QUOTE_HALF) and c.verified for c in intervention.cites)
    ceiling = find(result.trace, "parameter", "ceiling")
    assert ceiling.value == D("4555.10")
    assert ceiling.detail.startswith("value on 2023-01-01 (from 2023-01-01)")
    assert "indexed" in ceiling.detail


def test_an_exception_that_applies_is_shown_with_its_value(telesecretariat: Policy) -> None:
    result = telesecretariat.evaluate(solo_gp(dmg_count=10, accreditation_year=2022), explain=True)
    condition = find(result.trace, "condition", "dmg_count >= 150")
    assert condition.value is True
    assert condition.detail == "waived by an exception"
    assert [c.quote for c in condition.cites] == [QUOTE_DMG]
    exception = find(condition.children, "exception", "unless recently_accredited")
    assert exception.value is True
    assert exception.cites and exception.cites[0].quote.startswith(QUOTE_RECENT)
    assert exception.cites[0].verified
    recent = find(exception.children, "define", "recently_accredited")
    assert recent.value is True
    assert find(recent.children, "input", "accreditation_year").value == 2022
    # The input the condition read is shown with its value, even though it was waived.
    assert find(condition.children, "input", "dmg_count").value == 10


def test_an_exception_that_does_not_apply(telesecretariat: Policy) -> None:
    result = telesecretariat.evaluate(solo_gp(dmg_count=10, accreditation_year=2010), explain=True)
    assert result.outputs["intervention"] == D("0.00")
    condition = find(result.trace, "condition", "dmg_count >= 150")
    assert condition.value is False and condition.detail is None
    assert find(condition.children, "exception", "unless recently_accredited").value is False


def test_trace_json_has_the_trace_v1_fields(telesecretariat: Policy) -> None:
    data = telesecretariat.evaluate(solo_gp(labelled_emr=False), explain=True).to_json()
    assert data["policy"] == "be.brussels.telesecretariat"
    assert data["as_of"] == "2024-03-15"
    assert data["outputs"]["intervention"] == "0.00"
    explanation = data["explanation"]
    assert explanation["version"] == TRACE_VERSION == "trace.v1"
    assert [o["rule"] for o in explanation["outputs"]] == list(data["outputs"])

    def check(node: dict[str, Any]) -> None:
        assert set(node) == TRACE_KEYS
        assert set(node["location"]) == LOCATION_KEYS
        assert isinstance(node["location"]["line"], int) and node["location"]["line"] >= 1
        assert isinstance(node["children"], list)
        for citation in node["citations"]:
            assert set(citation) == {"quote", "source", "verified"}
            assert isinstance(citation["verified"], bool)
        assert not isinstance(node["value"], float)
        for child in node["children"]:
            check(child)
    for node in explanation["outputs"]:
        check(node)
    intervention = next(o for o in explanation["outputs"] if o["rule"] == "intervention")
    assert (intervention["kind"], intervention["value"], intervention["type"]) == \
        ("output", "0.00", "money")
    # Values are JSON: dates in ISO form, amounts as strings.
    text = json.dumps(data)
    assert '"2024-03-15"' in text
    condition = next(n for n in _json_walk(explanation["outputs"]) if n["rule"] == "labelled_emr"
                     and n["kind"] == "condition")
    assert condition["value"] is False
    assert condition["citations"] == [{"quote": QUOTE_EMR, "source": SEED_000, "verified": True}]


def _json_walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in nodes:
        yield node
        yield from _json_walk(node["children"])


def test_no_trace_unless_asked(telesecretariat: Policy) -> None:
    result = telesecretariat.evaluate(solo_gp())
    assert result.trace is None and "explanation" not in result.to_json()


def test_explanation_is_deterministic(telesecretariat: Policy) -> None:
    case = solo_gp(dmg_count=10, accreditation_year=2022, costs_paid="9110.19")
    first = json.dumps(telesecretariat.evaluate(case, explain=True).to_json(), sort_keys=True)
    second = json.dumps(telesecretariat.evaluate(case, explain=True).to_json(), sort_keys=True)
    assert first == second
    # A freshly compiled policy gives the same explanation.
    again = Policy.load(TELESECRETARIAT)
    assert json.dumps(again.evaluate(case, explain=True).to_json(), sort_keys=True) == first
    # The order of the input's keys changes nothing.
    reversed_case = dict(reversed(list(case.items())))
    assert json.dumps(telesecretariat.evaluate(reversed_case, explain=True).to_json(),
                      sort_keys=True) == first


# ------------------------------------------------------------------ the other kinds of trace


EXPLAINED = f"""
policy t
  source law "{SEED_000}"
  as of day

input
  day : date
  costs : money
  n : integer

parameter ceiling : money
  from 2023-01-01: 4555.10 EUR

define tier : money = first of
  100 EUR when n >= 10
  50 EUR when n >= 5
  0 EUR otherwise

output half : money = costs / 2  § "{QUOTE_HALF}"
output capped : money = if n > 3 then min(half, ceiling) else 0 EUR
output t : money = tier
"""


@pytest.fixture(scope="module")
def explained() -> Policy:
    return compile_policy(EXPLAINED)


def _trace(policy: Policy, **data: Any) -> tuple[Trace, ...]:
    case = {"day": "2024-01-01", "costs": "9110.19", "n": 7}
    case.update(data)
    trace = policy.evaluate(case, explain=True).trace
    assert trace is not None
    return trace


def test_rounding_of_an_output_is_explained(explained: Policy) -> None:
    half = output(_trace(explained), "half")
    assert half.value == D("4555.10")
    assert half.detail == "rounded half up to the cent from 4555.095"
    assert [c.verified for c in half.cites] == [True]
    assert render_line(half) == "half = 4555.10 EUR"
    # An amount already at the cent is not said to be rounded.
    assert output(_trace(explained, costs="100.00"), "half").detail is None


def test_if_shows_its_condition_then_the_branch_taken(explained: Policy) -> None:
    capped = output(_trace(explained), "capped")
    condition, *rest = capped.children
    assert (condition.kind, condition.name, condition.value) == ("condition", "n > 3", True)
    assert [(t.kind, t.name) for t in rest] == [("output", "half"), ("parameter", "ceiling")]
    assert rest[1].detail == "value on 2024-01-01 (from 2023-01-01)"
    # The branch not taken is not explained.
    capped = output(_trace(explained, n=2), "capped")
    assert [(t.kind, t.name, t.value) for t in capped.children] == [("condition", "n > 3", False)]
    assert capped.value == D("0")


@pytest.mark.parametrize("n,lines", [
    (12, [("100 EUR when n >= 10", D("100"), "applies")]),
    (7, [("100 EUR when n >= 10", None, "does not apply"), ("50 EUR when n >= 5", D("50"), "applies")]),
    (1, [("100 EUR when n >= 10", None, "does not apply"), ("50 EUR when n >= 5", None, "does not apply"),
         ("otherwise", D("0"), "applies: no line above did")]),
])
def test_first_of_shows_the_lines_tried_until_one_applies(explained: Policy, n: int,
                                                          lines: list[tuple]) -> None:
    tier = find(_trace(explained, n=n), "define", "tier")
    assert [(t.name, t.value, t.detail) for t in tier.children] == lines
    assert [t.kind for t in tier.children][-1] == ("otherwise" if n == 1 else "branch")


def test_each_rule_is_explained_once_per_evaluation(explained: Policy) -> None:
    trace = _trace(explained)
    halves = [t for t in walk(trace) if t.kind == "output" and t.name == "half"]
    assert len(halves) == 2 and halves[0] is halves[1]


def test_the_branch_not_taken_is_neither_evaluated_nor_explained() -> None:
    policy = compile_policy("""
        policy t
          as of day

        input
          day : date
          late : boolean

        parameter grant : money
          from 2024-01-01: 10 EUR

        output g : money = if late then grant at 2020-01-01 else 0 EUR
        """)
    result = policy.evaluate({"day": "2024-05-01", "late": False}, explain=True)
    assert result.outputs == {"g": D("0.00")}
    assert [t.name for t in result.trace[0].children] == ["late"]
    # Taken, the branch asks for a date before the parameter's first value.
    with pytest.raises(DiagnosticError) as caught:
        policy.evaluate({"day": "2024-05-01", "late": True}, explain=True)
    assert [d.code for d in caught.value.diagnostics] == ["E400"]
