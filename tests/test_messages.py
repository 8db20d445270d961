"""Messages an analyst can act on (issue 11 §7): the slips of another notation and the
calendar checks, beyond the goldens of tests/test_diagnostics.py."""

from __future__ import annotations

import pytest

from legiste.compiler.pipeline import compile_source
from legiste.dsl.diagnostics import render_plain
from legiste.dsl.parser import parse_module

HEAD = "policy t.p\n\ninput\n  y : year\n  m : integer\n  n : integer\n  d : date\n  b : boolean\n\n"


def _check(rule: str) -> list[tuple[str, str]]:
    result = compile_source("p.legis", text=HEAD + rule)
    return [(d.code, render_plain([d])) for d in result.diagnostics]


@pytest.mark.parametrize(("call", "refused"), [
    ("date(y, 12, 32)", True), ("date(y, 2, 30)", True), ("date(y, 13, 1)", True),
    ("date(y, 0, 1)", True), ("date(y, m, 32)", True), ("date(y, 4, 31)", True),
    ("date(2023, 2, 29)", True), ("date(y, 2, 29)", False), ("date(y, m, 31)", False),
    ("date(2024, 2, 29)", False), ("date(y, 12, 31)", False), ("date(y, m, n)", False),
])
def test_impossible_days_are_caught_at_check_time(call: str, refused: bool) -> None:
    found = _check(f"output o : date = {call}\n")
    assert [code for code, _ in found] == (["E010"] if refused else [])


@pytest.mark.parametrize(("rule", "hint"), [
    ("output o : boolean = n > 1 || b\n", "write `or` instead of `||`"),
    ("output o : boolean = !b\n", "write `not`"),
    ("output o : boolean = n < 20\u00a0878\n", "no thousands separator in numbers: write 20878"),
    ("output o : boolean = n = 1 000 000\n", "write 1000000"),
    ("outptu o : boolean = b\n", "did you mean `output`?"),
    ("output o : boolean = 1 < n <= 3\n", "comparisons do not chain"),
])
def test_slips_get_their_hint(rule: str, hint: str) -> None:
    _, diagnostics = parse_module(HEAD + rule, "p.legis")
    assert hint in render_plain(diagnostics)


def test_a_slash_date_in_a_quote_or_a_comment_is_text() -> None:
    rule = 'output o : text = "due 02/09/2024"  # not before 01/09/2024\n'
    assert _check(rule) == []


def test_only_the_lines_indented_with_a_tab_are_named() -> None:
    text = "policy t.p\n\ninput\n\ta : integer\n\tb : integer\n# \tcomment\n\noutput o : integer = a\n"
    _, diagnostics = parse_module(text, "p.legis")
    assert [(d.code, d.message, d.span.line) for d in diagnostics] == [
        ("E007", "line 4 starts with a tab", 4)]
    assert diagnostics[0].notes == ("1 other line(s) too: 5",)
