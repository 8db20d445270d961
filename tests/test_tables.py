"""Decision tables (issue 11 §4): parsing and printing, the rules a table defines, the
explanation naming the row that applied, the generated module giving the same answers,
and the static checks: overlapping rows under `hit unique` and gaps, exact over
enumerations, booleans, whole numbers (input bounds included) and decimals, compared by
property with a brute-force evaluation over a grid of points."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from legiste.compiler.backends.json_ir import to_json_ir
from legiste.compiler.backends.python import generate
from legiste.dsl import ast
from legiste.dsl.printer import print_module
from helpers import (codes, compile_errors, compile_policy, dedent, generated_answer,
                     interpreted_answer, load_generated, parse, run)

AGES = """
policy t

input
  age : integer, at least 0
  single_parent : boolean

# The age tiers of a per-child amount, as a law prints them.
output table amount : money, tier : text
  note "an ARS-like age tier table"
  hit unique
  given age          | single_parent
  row   < 6          | -             then 0 EUR   | "none"
  row   between 6 and 10 | false     then 100 EUR | "primary"
  row   between 6 and 10 | true      then 120 EUR | "primary, single parent"
  row   between 11 and 14 | -        then 150 EUR | "middle"
  row   between 15 and 18 | -        then 160 EUR | "upper"
  otherwise                          then 0 EUR   | "none"
"""

COMPLETE = """
policy t

input
  n : integer
  kind : one of flat, fee

output table band : integer
  hit unique
  given kind | n
  row   flat | < 5      then 1
  row   flat | 5        then 2
  row   flat | 6        then 3
  row   flat | >= 7     then 4
  row   fee  | < 6      then 1
  row   fee  | 6        then 2
  row   fee  | 7        then 3
  row   fee  | >= 8     then 4
"""


def test_a_table_parses_into_its_columns_rows_and_outputs() -> None:
    table = parse(AGES).declarations[-1]
    assert isinstance(table, ast.Table)
    assert table.kind == "output" and table.hit == "unique"
    assert [o.name for o in table.outputs] == ["amount", "tier"]
    assert len(table.columns) == 2 and len(table.rows) == 6
    assert table.rows[1].cells[0] == ast.TableCell("between", ast.Number("6"), ast.Number("10"))
    assert table.rows[0].cells[1].op == "any" and table.otherwise is table.rows[-1]


def test_a_table_prints_back_to_an_equal_table() -> None:
    module = parse(AGES)
    printed = print_module(module)
    assert parse(printed) == module
    assert "  row   between 6 and 10  | false         then 100 EUR | \"primary\"" in printed


@pytest.mark.parametrize(("text", "message"), [
    ("  hit unique\n  given n\n  row 1 | 2 then 1\n", "this row has 2 cells but the table reads 1 column"),
    ("  hit unique\n  given n\n  row 1 then 1 | 2\n", "this row gives 2 values but the table has 1 output"),
    ("  given n\n  row 1 then 1\n", "a table says its hit policy: `hit unique` or `hit first`"),
    ("  hit any\n  given n\n  row 1 then 1\n", "a table's hit policy is `unique` or `first`, not `any`"),
    ("  hit first\n  row 1 then 1\n", "a table names the columns it reads on a `given` line"),
    ("  hit first\n  given n\n  otherwise then 1\n  row 1 then 2\n", "`otherwise` is the last line"),
])
def test_a_table_of_the_wrong_shape_is_kept_as_written_and_e004_when_checked(
        text: str, message: str) -> None:
    from legiste.dsl.parser import parse_module
    source = "policy t\n\ninput\n  n : integer\n\ntable r : integer\n" + text
    module, diagnostics = parse_module(source, "test.legis")
    assert diagnostics == []
    assert parse(print_module(module)) == module  # the printer loses none of it
    errors = compile_errors(source)
    assert codes(errors) == ["E004"] and message in errors[0].message


@pytest.mark.parametrize("text", ["  hit first\n  hit unique\n  given n\n  row 1 then 1\n",
                                  "  hit first\n  given n\n  given n\n  row 1 then 1\n"])
def test_a_second_hit_or_given_line_is_e004_from_the_parser(text: str) -> None:
    from legiste.dsl.parser import parse_module
    _, diagnostics = parse_module("policy t\n\ntable r : integer\n" + text, "t.legis")
    assert codes(diagnostics) == ["E004"]


def test_each_output_column_is_a_rule() -> None:
    policy = compile_policy(AGES)
    assert run(policy, {"age": 5, "single_parent": True}) == {"amount": Decimal("0.00"), "tier": "none"}
    assert run(policy, {"age": 6, "single_parent": True}) == {
        "amount": Decimal("120.00"), "tier": "primary, single parent"}
    assert run(policy, {"age": 10, "single_parent": False})["amount"] == Decimal("100.00")
    assert run(policy, {"age": 14, "single_parent": False})["tier"] == "middle"
    assert run(policy, {"age": 18, "single_parent": False})["amount"] == Decimal("160.00")
    assert run(policy, {"age": 19, "single_parent": False})["tier"] == "none"


def test_a_table_is_read_like_a_define() -> None:
    policy = compile_policy(COMPLETE.replace("output table band", "table band")
                            + "\noutput doubled : integer = 2 * band\n")
    assert run(policy, {"n": 6, "kind": "fee"}) == {"doubled": 4}


def test_hit_first_lets_the_first_row_that_applies_win() -> None:
    policy = compile_policy("""
        policy t

        input
          n : integer

        output table r : text
          hit first
          given n
          row >= 10  then "ten or more"
          row >= 5   then "five or more"
          row -      then "fewer"
        """)
    assert [run(policy, {"n": n})["r"] for n in (12, 10, 9, 5, 4, -3)] == [
        "ten or more", "ten or more", "five or more", "five or more", "fewer", "fewer"]


# A table whose first row quotes the seed (the printer test adds a quote on its own line).
HALF = """
        policy t
          source law "000_084ce424bf47b386.txt"

        input
          half : boolean

        output table share : rate
          hit unique
          given half
          row true  then 50 %  § "L’intervention couvre la moitié des frais réels"
          row false then 0 %
"""


def test_the_explanation_names_the_row_that_applied_with_its_quote() -> None:
    policy = compile_policy(HALF)
    trace = policy.evaluate({"half": True}, explain=True).to_json()
    text = str(trace)
    assert "row 1: half = true" in text
    assert "L’intervention couvre la moitié des frais réels" in text
    branches = [t for t in _walk(trace) if t.get("kind") == "branch"]
    assert branches[0]["rule"] == "row 1: half = true"
    assert branches[0]["citations"][0]["quote"] == "L’intervention couvre la moitié des frais réels"


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("tables")
    out = {}
    for i, (name, text) in enumerate((("ages", AGES), ("complete", COMPLETE))):
        policy = compile_policy(text)
        out[name] = policy, load_generated(generate(policy.program), tmp, f"tables_{i}")
    return out


@settings(max_examples=60)
@given(age=st.integers(-3, 25), single=st.booleans())
def test_the_generated_module_answers_and_explains_alike(generated, age: int, single: bool) -> None:
    policy, module = generated["ages"]
    data = {"age": age, "single_parent": single}
    assert generated_answer(module, data, None) == interpreted_answer(policy, data, None)


@settings(max_examples=40)
@given(n=st.integers(-5, 15), kind=st.sampled_from(["flat", "fee"]))
def test_a_complete_table_without_otherwise_alike(generated, n: int, kind: str) -> None:
    policy, module = generated["complete"]
    data = {"n": n, "kind": kind}
    assert generated_answer(module, data, None) == interpreted_answer(policy, data, None)
    expected = {"flat": [(5, 1), (6, 2), (7, 3)], "fee": [(6, 1), (7, 2), (8, 3)]}[kind]
    assert run(policy, data)["band"] == next((b for limit, b in expected if n < limit), 4)


def test_the_json_ir_holds_a_table_as_first_of_over_its_rows() -> None:
    document = to_json_ir(compile_policy(COMPLETE).program)
    band = next(d for d in document["units"][0]["definitions"] if d["name"] == "band")
    assert band["expr"]["kind"] == "first_of" and len(band["expr"]["branches"]) == 8
    assert band["expr"]["otherwise"] is None
    assert band["expr"]["branches"][1]["label"] == "row 2: kind = flat, n = 5"


# ------------------------------------------------------------------ static checks


def _one(text: str) -> Any:
    errors = compile_errors(text)
    assert len(errors) == 1, [e.message for e in errors]
    return errors[0]


def test_overlapping_rows_under_unique_name_both_rows_and_a_case() -> None:
    d = _one(AGES.replace("between 11 and 14", "between 10 and 14"))
    assert d.code == "E240"
    assert d.message == ("rows 2 and 4 of this `hit unique` table both apply when age = 10, "
                         "single_parent = false")
    assert d.span.line == 15 and d.notes == ("row 2 is at policy.legis:13:3",)


def test_overlapping_rows_are_fine_under_first() -> None:
    compile_policy(AGES.replace("between 11 and 14", "between 10 and 14")
                   .replace("hit unique", "hit first"))


def test_a_gap_is_an_error_with_a_combination_no_row_covers() -> None:
    d = _one(COMPLETE.replace("  row   fee  | 7        then 3\n", ""))
    assert d.code == "E241"
    assert d.message == "no row of this table applies when kind = fee, n = 7"
    d = _one(COMPLETE.replace("flat | >= 7", "flat | > 7"))
    assert d.message == "no row of this table applies when kind = flat, n = 7"


def test_a_gap_is_also_an_error_under_first_and_otherwise_closes_it() -> None:
    text = COMPLETE.replace("hit unique", "hit first").replace("flat | >= 7", "flat | > 7")
    assert _one(text).code == "E241"
    compile_policy(text + "  otherwise then 0\n")


def test_the_bounds_an_input_declares_limit_the_cases_a_table_must_cover() -> None:
    text = COMPLETE.replace("n : integer", "n : integer, at least 0, at most 20")
    compile_policy(text.replace("flat | < 5", "flat | between 0 and 4"))
    d = _one(text.replace("flat | >= 7", "flat | between 7 and 19"))
    assert d.message == "no row of this table applies when kind = flat, n = 20"


def test_decimals_are_dense_and_bounds_open_or_closed() -> None:
    base = """
        policy t

        input
          x : decimal

        output table r : integer
          hit unique
          given x
          row < 1.5   then 1
          row {second}  then 2
        """
    assert _one(base.format(second="> 1.5")).message == "no row of this table applies when x = 1.5"
    compile_policy(base.format(second=">= 1.5"))
    d = _one(base.format(second="<= 1.5").replace("< 1.5", ">= 1.5"))
    assert d.message == "rows 1 and 2 of this `hit unique` table both apply when x = 1.5"
    d = _one(base.format(second="> 1.25").replace("< 1.5", "<= 1.5"))
    assert d.message == "rows 1 and 2 of this `hit unique` table both apply when x = 1.375"


def test_dates_are_whole_days() -> None:
    text = """
        policy t

        input
          day : date

        output table r : integer
          hit unique
          given day
          row < 2024-01-01                     then 1
          row between 2024-01-01 and 2024-06-30 then 2
          row {last}                            then 3
        """
    compile_policy(text.format(last="> 2024-06-30"))
    d = _one(text.format(last="> 2024-07-01"))
    assert d.message == "no row of this table applies when day = 2024-07-01"


def test_a_cell_that_is_not_a_constant_or_a_column_that_is_not_tabled_is_e242() -> None:
    assert _one("""
        policy t

        input
          n : integer
          m : integer

        output table r : integer
          hit first
          given n
          row >= m then 1
          otherwise then 0
        """).code == "E242"
    assert _one("""
        policy t

        input
          name : text

        output table r : integer
          hit first
          given name
          row "a" then 1
          otherwise then 0
        """).code == "E242"


def test_a_cell_of_the_wrong_type_is_reported_once_at_the_cell() -> None:
    d = _one(COMPLETE.replace("fee  | 7 ", "fee  | 7 EUR "))
    assert d.code == "E201" and d.span.line == 16


# ------------------------------------------------------------------ property: static = brute force

_ENUM = ("a", "b", "c")
_KINDS = ("boolean", "enum", "integer", "bounded", "decimal")


def _grid(kind: str) -> list[Any]:
    if kind == "boolean":
        return [True, False]
    if kind == "enum":
        return list(_ENUM)
    if kind == "integer":
        return list(range(-2, 9))
    if kind == "bounded":  # `at least 0, at most 6`
        return list(range(0, 7))
    return [Decimal(k) / 4 for k in range(-6, 31)]  # cell constants are multiples of 0.5


def _constants(kind: str) -> st.SearchStrategy[Any]:
    if kind == "boolean":
        return st.booleans()
    if kind == "enum":
        return st.sampled_from(_ENUM)
    if kind == "decimal":
        return st.integers(0, 12).map(lambda k: Decimal(k) / 2)
    return st.integers(0, 6)


@st.composite
def _tables(draw: Any) -> tuple[list[str], list[list[tuple]], str, bool]:
    kinds = draw(st.lists(st.sampled_from(_KINDS), min_size=1, max_size=3))
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        row = []
        for kind in kinds:
            ops = ["any", "="] + (["!="] if kind in ("enum", "boolean") else
                                  ["!=", "<", "<=", ">", ">=", "between"])
            op = draw(st.sampled_from(ops))
            a, b = draw(_constants(kind)), draw(_constants(kind))
            if op == "between" and a > b:
                a, b = b, a
            row.append((op, a, b))
        rows.append(row)
    return kinds, rows, draw(st.sampled_from(["unique", "first"])), draw(st.booleans())


def _matches(cell: tuple, x: Any) -> bool:
    op, a, b = cell
    return {"any": True, "=": x == a, "!=": x != a, "<": x < a if op == "<" else False,
            "<=": op == "<=" and x <= a, ">": op == ">" and x > a, ">=": op == ">=" and x >= a,
            "between": op == "between" and a <= x <= b}[op]


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _cell_text(cell: tuple) -> str:
    op, a, b = cell
    if op == "any":
        return "-"
    if op == "between":
        return f"between {_text(a)} and {_text(b)}"
    return _text(a) if op == "=" else f"{op} {_text(a)}"


def _policy(kinds: list[str], rows: list[list[tuple]], hit: str, otherwise: bool) -> str:
    types = {"boolean": "boolean", "enum": "one of a, b, c", "integer": "integer",
             "bounded": "integer, at least 0, at most 6", "decimal": "decimal"}
    lines = ["policy t", "", "input"] + [f"  c{i} : {types[k]}" for i, k in enumerate(kinds)]
    lines += ["", "output table r : integer", f"  hit {hit}",
              "  given " + " | ".join(f"c{i}" for i in range(len(kinds)))]
    lines += [f"  row {' | '.join(_cell_text(c) for c in row)} then {n + 1}"
              for n, row in enumerate(rows)]
    if otherwise:
        lines.append("  otherwise then 0")
    return "\n".join(lines) + "\n"


def _point(message: str, kinds: list[str]) -> list[Any]:
    values = dict(re.findall(r"(c\d+) = (\S+?)(?:,|$)", message))
    out = []
    for i, kind in enumerate(kinds):
        text = values[f"c{i}"]
        out.append(text == "true" if kind == "boolean" else text if kind == "enum"
                   else Decimal(text) if kind == "decimal" else int(text))
    return out


@given(_tables())
def test_the_static_verdict_is_the_brute_force_verdict(table) -> None:
    kinds, rows, hit, otherwise = table
    hits = [[n for n, row in enumerate(rows) if all(_matches(c, x) for c, x in zip(row, point))]
            for point in itertools.product(*(_grid(k) for k in kinds))]
    overlap = hit == "unique" and any(len(h) > 1 for h in hits)
    gap = not otherwise and any(not h for h in hits)
    # A row never applies when no point has it as its first (`first`) or any (`unique`) row.
    live = {h[0] for h in hits if h} if hit == "first" else {n for h in hits for n in h}
    dead = sorted(set(range(len(rows))) - live)
    try:
        compile_policy(_policy(kinds, rows, hit, otherwise))
        found: list[Any] = []
    except Exception as exc:  # DiagnosticError
        found = exc.diagnostics  # type: ignore[attr-defined]
    assert sorted({d.code for d in found}) == [
        c for c, f in (("E240", overlap), ("E241", gap), ("E243", dead)) if f]
    assert [int(re.match(r"row (\d+)", d.message)[1]) - 1 for d in found if d.code == "E243"] == dead
    for d in found:
        if d.code == "E243":
            continue
        point = _point(d.message, kinds)
        matched = [n for n, row in enumerate(rows) if all(_matches(c, x) for c, x in zip(row, point))]
        if d.code == "E241":
            assert matched == []
        else:
            first, second = (int(n) - 1 for n in re.findall(r"rows (\d+) and (\d+)", d.message)[0])
            assert {first, second} <= set(matched)


def test_verify_draws_values_at_every_row_boundary() -> None:
    from legiste.compiler.ir.types import INTEGER
    from legiste.compiler.tools.strategies import boundaries, harvest

    policy = compile_policy(AGES)
    h = harvest(policy.program)
    tried = set(boundaries(INTEGER, h, 8, 0, None, "age"))
    # Each bound of each row, and the whole number on either side of it.
    for bound in (6, 10, 11, 14, 15, 18):
        assert {bound - 1, bound, bound + 1} <= tried, bound


def test_a_row_that_never_applies_is_e243() -> None:
    d = _one(AGES.replace("between 15 and 18 | -", "between 18 and 15 | -"))
    assert (d.code, d.message) == ("E243", "row 5 of this table never applies: no case matches "
                                           "all its cells")
    errors = compile_errors(AGES.replace("hit unique", "hit first").replace("row   < 6 ", "row   < 11"))
    assert [(d.code, d.message) for d in errors] == [
        ("E243", f"row {n} of this table never applies: the rows above it take every case it "
                 "matches") for n in (2, 3)]
    assert _one(AGES.replace("< 6 ", "< 0 ")).message.startswith("row 1 of this table never")


def test_comments_in_a_table_are_kept_by_the_printer() -> None:
    text = AGES.replace('  row   < 6 ', '  # before the first tier\n  row   < 6 ')
    text = text.replace('"middle"', '"middle"  # the collège')
    printed = print_module(parse(text))
    assert "  # before the first tier\n  row   < 6" in printed
    assert '"middle"  # the collège' in printed
    assert parse(printed) == parse(text)


def test_the_symbol_table_holds_each_output_of_a_table() -> None:
    from legiste.compiler.pipeline import compile_source
    compilation = compile_source("t.legis", text=dedent(AGES))
    assert compilation.diagnostics == ()
    symbols = compilation.symbols
    assert symbols["amount"].kind == "output" and symbols["amount"].type.kind == "money"
    assert symbols["tier"].span.line == 8


def test_the_printer_keeps_a_rows_quotes_where_they_were_written() -> None:
    text = dedent(HALF + '            § "L’intervention couvre la moitié des frais réels"\n')
    printed = print_module(parse(text))
    assert 'then 50 %  § "L’intervention' in printed
    assert 'then 0 %\n    § "L’intervention' in printed
