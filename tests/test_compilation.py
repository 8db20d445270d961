"""Partial results (issue 9): a file with errors still gives its diagnostics, its symbol
table and the IR of the rules that checked, while `compile_file` and the CLI keep their
all-or-nothing answer with the same diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legiste import Compilation, compile_file, compile_source
from legiste.compiler.checking.typecheck import ERROR

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "policies").rglob("*.legis"))

ONE_TYPE_ERROR = """\
policy t.partial
  title "partial"

input
  costs : money, at least 0 EUR  "the costs"
  members : integer  "how many"

define half : money = costs / 2

define wrong : money = costs + true

define undeclared = costs + true

output share : money = half / members
  note "reads a rule that checked"

output doubled : money = wrong * 2

output many = members >= 3
"""


def where(compilation: Compilation, name: str) -> tuple[int, int]:
    span = compilation.symbols[name].span
    return span.line, span.column


def test_a_type_error_keeps_the_symbols_and_the_ir_of_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "partial.legis"
    path.write_text(ONE_TYPE_ERROR, encoding="utf-8")
    compilation = compile_source(path)
    program, diagnostics = compile_file(path)
    assert program is None and not compilation.ok
    assert list(compilation.diagnostics) == diagnostics  # what the CLI prints
    assert [d.code for d in diagnostics if d.is_error] == ["E201", "E201"]
    symbols = compilation.symbols
    assert list(symbols) == ["costs", "members", "half", "wrong", "undeclared", "share", "doubled",
                             "many"]
    # A rule's declared type, else its expression's: `error` when that is wrong.
    assert symbols.pop("undeclared").type == ERROR
    assert {n: (s.kind, s.type.short if s.type else None) for n, s in symbols.items()} == {
        "costs": ("input", "money"), "members": ("input", "integer"), "half": ("define", "money"),
        "wrong": ("define", "money"), "share": ("output", "money"),
        "doubled": ("output", "money"), "many": ("output", "boolean")}
    assert [where(compilation, n) for n in ("costs", "half", "wrong", "share", "many")] == [
        (5, 3), (8, 8), (10, 8), (14, 8), (19, 8)]
    assert symbols["costs"].description == "the costs" and symbols["costs"].unit == "t.partial"
    assert compilation.program is not None
    rules = [d.name for d in compilation.program.policy.definitions]
    # `wrong` and `undeclared` did not check, and `doubled` reads one: all are left out.
    assert rules == ["half", "share", "many"]


def test_symbols_carry_their_citations() -> None:
    compilation = compile_source("policies/be/brussels/telesecretariat.legis")
    assert compilation.ok
    cites = {n: [c.quote for c in s.cites] for n, s in compilation.symbols.items()}
    assert cites["ceiling"][0].startswith("avec un plafond maximum de 4555,10€ par an")
    assert cites["eligible"] == ["à certaines conditions"]  # the `all of` block's own
    assert cites["request_date"] == []
    span = compilation.symbols["ceiling"].span
    assert (span.line, span.column, span.source_line()) == (
        59, 11, 'parameter ceiling : money  "annual ceiling per general practitioner"')
    assert "be.index" in compilation.module_symbols
    assert compilation.module_symbols["be.index"]["impulseo_brussels"].kind == "series"


USER_RULES = """\
policy t.user_rules
  title "record rules and functions"

record child "a child"
  age : integer  "the age"
  define entitled = age < 20
    § "jusqu'à 20 ans"
  define wrong : integer = age + true

define half(x : money) : money = x / 2
  § "la moitié"

input
  children : list of child  "the children"
  costs : money  "the costs"

output entitled_children : integer = count of [c for each c in children where c.entitled]
output halved : money = half(costs)
"""


def test_record_rules_and_functions_are_in_the_symbol_table(tmp_path: Path) -> None:
    """A record's rules (named `record.rule`, after their record) and the user functions,
    with their span, type and quotes, also when one of them does not check."""
    path = tmp_path / "user_rules.legis"
    path.write_text(USER_RULES, encoding="utf-8")
    compilation = compile_source(path)
    # (E302: the quotes cite no source: this file declares none)
    assert [d.code for d in compilation.diagnostics if d.is_error] == ["E302", "E302", "E200"]
    symbols = compilation.symbols
    assert list(symbols) == ["child", "child.entitled", "child.wrong", "half", "children", "costs",
                             "entitled_children", "halved"]
    assert {n: (s.kind, s.type.short if s.type else None) for n, s in symbols.items()
            if "." in n or n == "half"} == {
        "child.entitled": ("record rule", "boolean"),
        "child.wrong": ("record rule", "integer"),  # what the author declared it gives
        "half": ("function", "money")}
    assert [where(compilation, n) for n in ("child.entitled", "child.wrong", "half")] == [
        (6, 10), (8, 10), (10, 8)]
    assert [c.quote for c in symbols["child.entitled"].cites] == ["jusqu'à 20 ans"]
    assert [c.quote for c in symbols["half"].cites] == ["la moitié"]
    assert symbols["child.entitled"].unit == "t.user_rules"


def test_the_record_rules_of_a_real_policy_are_in_its_symbol_table() -> None:
    compilation = compile_source(ROOT / "policies/be/inami/integrated_practice_prime.legis")
    assert compilation.ok
    counted = compilation.symbols["group_gp.counted"]
    assert (counted.kind, counted.type.short) == ("record rule", "boolean")
    assert counted.cites[0].quote.startswith("Pour le calcul de cette moyenne de groupe")
    assert compilation.symbols["e_service.met"].type.short == "boolean"


@pytest.mark.parametrize("file", POLICIES)
def test_a_good_policy_compiles_to_the_same_program_and_diagnostics(file: str) -> None:
    compilation = compile_source(ROOT / file)
    program, diagnostics = compile_file(ROOT / file)
    assert compilation.ok and list(compilation.diagnostics) == diagnostics
    assert compilation.program == program
    assert set(compilation.symbols) >= {d.name for d in program.policy.definitions}


def test_a_syntax_error_reports_only_the_syntax_and_keeps_the_other_declarations(
        tmp_path: Path) -> None:
    path = tmp_path / "broken.legis"
    path.write_text(ONE_TYPE_ERROR.replace("define wrong : money = costs + true",
                                           "define wrong : money = costs +"), encoding="utf-8")
    compilation = compile_source(path)
    _, diagnostics = compile_file(path)
    assert list(compilation.diagnostics) == diagnostics
    assert [d.code for d in diagnostics] == ["E001"]
    assert {"costs", "half", "share", "many"} <= set(compilation.symbols)
    assert "wrong" not in compilation.symbols
    assert compilation.program is not None
    assert [d.name for d in compilation.program.policy.definitions] == ["half", "share", "many"]


def test_an_unreadable_file_gives_its_diagnostic_and_nothing_else(tmp_path: Path) -> None:
    compilation = compile_source(tmp_path / "missing.legis")
    assert [d.code for d in compilation.diagnostics] == ["E601"]
    assert compilation.symbols == {} and compilation.program is None


@settings(max_examples=20, deadline=None)
@given(file=st.sampled_from(POLICIES), data=st.data())
def test_a_policy_with_a_line_deleted_still_compiles_to_partial_results(file: str,
                                                                        data: st.DataObject) -> None:
    """Whatever line is missing, compile_source answers (never raises) with the diagnostics
    compile_file gives, and a symbol for every name still declared."""
    lines = (ROOT / file).read_text(encoding="utf-8").split("\n")
    cut = data.draw(st.integers(0, len(lines) - 1))
    text = "\n".join(lines[:cut] + lines[cut + 1:])
    compilation = compile_source(ROOT / file, text=text)
    _, diagnostics = compile_file(ROOT / file, text=text)
    assert list(compilation.diagnostics) == diagnostics
    if compilation.program is not None:
        for d in compilation.program.policy.definitions:
            assert compilation.symbols[d.name].type == d.type
