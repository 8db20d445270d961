"""The limits of the language are located diagnostics, never a crash (issue 10).

Deep nesting, long chains of rules, huge literals, look-alike letters and invisible direction
controls each used to reach an uncaught exception (exit 3) or, worse, to be accepted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from legiste.compiler.api import Policy, compile_file
from legiste.compiler.backends.python import generate
from legiste.compiler.checking.limits import MAX_RULE_DEPTH
from legiste.dsl.limits import MAX_NESTING
from legiste.dsl.parser import parse_module
from helpers import load_generated

HEAD = 'policy t.limits\n\ninput\n  x : integer  "x"\n  b : boolean  "b"\n\n'
LEGISTE = str(Path(sys.executable).parent / "legiste")


def codes(text: str) -> list[tuple[str, int]]:
    _, diagnostics = parse_module(text, "t.legis")
    return [(d.code, d.span.line) for d in diagnostics]


def nested_ifs(n: int) -> str:
    expr = "x"
    for i in range(n):
        expr = f"(if x > {i} then {expr} else 0)"
    return expr


@pytest.mark.parametrize("expr", [
    nested_ifs(500), " + ".join(["x"] * 600), "not " * 400 + "b",
    "size(" + "[" * 400 + "x" + "]" * 400 + ") > 0", "abs(" * 300 + "x" + ")" * 300 + " > 0",
])
def test_deep_nesting_is_a_located_limit_error(expr: str, tmp_path: Path) -> None:
    text = HEAD + f"output y = {expr}\n"
    assert ("E005", 7) in codes(text)
    policy = tmp_path / "deep.legis"
    policy.write_text(text, encoding="utf-8")
    done = subprocess.run([LEGISTE, "check", str(policy)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "error[E005]" in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert f"nested deeper than {MAX_NESTING} levels" in done.stdout + done.stderr


def test_redundant_parentheses_add_no_depth() -> None:
    # Parentheses leave no node behind: 300 of them around one name are just that name.
    policy = Policy.from_string(HEAD + "output y : integer = " + "(" * 300 + "x" + ")" * 300 + "\n")
    assert policy.evaluate({"x": 4, "b": True}).outputs["y"] == 4


@pytest.mark.parametrize("expr", [
    " - ".join(["x"] * 60), "(" * 58 + "x" + " - x)" * 58, "min(" * 58 + "x" + ", x)" * 58,
])
def test_an_expression_within_the_limit_works_everywhere(expr: str, tmp_path: Path) -> None:
    # At the limit, the interpreter, the explanation and the generated module (Python's
    # parser allows 200 nested parentheses) all take it, and agree.
    policy = Policy.from_string(HEAD + f"output y : integer = {expr}\n")
    expected = policy.evaluate({"x": 3, "b": True}, explain=True).to_json()
    module = load_generated(generate(policy.program), tmp_path, "within_limit")
    assert module.explain({"x": 3, "b": True}) == expected


def _chain(n: int) -> str:
    lines = "\n".join(f"define d{i} : integer = d{i - 1} + 1" for i in range(1, n))
    return HEAD + "define d0 : integer = x\n" + lines + f"\noutput y : integer = d{n - 1}\n"


def test_a_long_chain_of_rules_is_a_located_limit_error(tmp_path: Path) -> None:
    policy = tmp_path / "chain.legis"
    policy.write_text(_chain(600), encoding="utf-8")
    program, diagnostics = compile_file(policy)
    assert program is None
    first = next(d for d in diagnostics if d.code == "E005")
    assert f"at most {MAX_RULE_DEPTH}" in first.message
    done = subprocess.run([LEGISTE, "eval", str(policy), "--input", "-", "--explain"],
                          input='{"x": 1, "b": true}', capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_a_chain_within_the_limit_evaluates_explains_and_generates(tmp_path: Path) -> None:
    n = MAX_RULE_DEPTH // 2  # each link is a sum and a read: two levels
    policy = Policy.from_string(_chain(n))
    result = policy.evaluate({"x": 1, "b": True}, explain=True).to_json()
    assert result["outputs"]["y"] == n
    module = load_generated(generate(policy.program), tmp_path, "chain_within_limit")
    assert module.explain({"x": 1, "b": True}) == result


@pytest.mark.parametrize("literal,what", [
    ("9" * 4301, "digits before the point"), ("1" + "0" * 18, "digits before the point"),
    ("0." + "1" * 40, "significant digits"),
])
def test_huge_literals_are_located_errors(literal: str, what: str) -> None:
    _, diagnostics = parse_module(HEAD + f"output y = x > {literal}\n", "t.legis")
    (d,) = diagnostics
    assert d.code == "E005" and what in d.message and (d.span.line, d.span.column) == (7, 16)


def test_huge_literals_in_durations_and_examples_are_located_errors() -> None:
    text = (HEAD + "output y = x > 1\n\nexample \"e\"\n  given x = " + "9" * 5000 + "\n"
            "  given b = true\n  expect y = true\n")
    assert ("E005", 10) in codes(text)
    assert ("E005", 7) in codes(HEAD + "define d : duration = " + "9" * 5000 + " days\n")


def test_full_width_digits_are_unexpected_characters_with_a_hint() -> None:
    _, diagnostics = parse_module(
        "module t.series\n\nseries s : decimal  \"an index\"\n  period yearly\n  ２０２３: 1\n", "t.legis")
    (d,) = diagnostics
    assert d.code == "E002" and d.span.line == 5
    assert "FULLWIDTH DIGIT TWO" in d.hints[0] and "0-9" in d.hints[0]


def test_a_cyrillic_look_alike_in_a_name_is_refused() -> None:
    text = HEAD + "define eligible = b\ndefine \u0435ligible = not b\noutput y = eligible\n"
    _, diagnostics = parse_module(text, "t.legis")
    (d,) = diagnostics
    assert d.code == "E002" and d.span.line == 8 and "CYRILLIC SMALL LETTER IE" in d.hints[0]


def test_french_accented_names_are_names() -> None:
    policy = Policy.from_string(HEAD + "define éligible = b\noutput année_suivante : integer = "
                                "if éligible then x + 1 else x\n")
    assert policy.evaluate({"x": 2023, "b": True}).outputs["année_suivante"] == 2024


@pytest.mark.parametrize("control", ["\u202e", "\u2066", "\u2069", "\u200f"])
def test_direction_controls_in_texts_are_refused(control: str) -> None:
    text = 'policy t.bidi\n  title "Prime ' + control + 'ok"\n\ninput\n  x : integer  "x"\n\n' \
           'output y = x > 1\n'
    _, diagnostics = parse_module(text, "t.legis")
    (d,) = diagnostics
    assert d.code == "E006" and d.span.line == 2 and f"U+{ord(control):04X}" in d.message


def test_direction_controls_are_allowed_in_comments() -> None:
    text = HEAD + "# a comment with \u202e inside\noutput y = x > 1\n"
    assert codes(text) == []


def test_a_direction_control_outside_a_text_is_an_unexpected_character() -> None:
    _, diagnostics = parse_module(HEAD + "output y = x \u202e> 1\n", "t.legis")
    assert [d.code for d in diagnostics] == ["E002"]
    assert "invisible direction control" in diagnostics[0].hints[0]
