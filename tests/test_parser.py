"""The parser: every declaration and expression of the surface language, its AST, its spans.

Each test parses a small text and compares the AST with the nodes it must give (AST
equality ignores spans, so the expected nodes are written without them).
"""

from __future__ import annotations

import lark
import pytest

from legiste.dsl import ast
from legiste.dsl.ast import (Aggregate, Assignment, At, Between, Binary, BoolLit, Call, Cite, DateLit,
                     Define, Example, Exception_, FirstOf, Header, If, InputField, Invariant, Item,
                     ListExpr, Name, Number, Ref, TextLit, TypeRef, Unary)
from legiste.compiler.resolution.headers import header_problems
from legiste.dsl.parser import GRAMMAR, _Indenter, lark_parser, parse_module
from helpers import GOOD, compile_errors, parse, parse_decl


def N(text: str) -> Name:
    return Name(tuple(text.split(".")))


def R(text: str) -> Ref:
    return Ref(N(text))


def num(text: str, unit: str | None = None) -> Number:
    return Number(text, unit)


def expr(text: str) -> ast.Expr:
    """The expression of `define x = TEXT`."""
    return parse_decl(f"define x = {text}\n").expr


# ------------------------------------------------------------------ the grammar itself


def test_grammar_builds_in_lark_strict_mode_without_conflicts() -> None:
    # strict=True turns every shift/reduce conflict and every terminal collision
    # (checked with interegular, a test dependency) into an exception.
    import interegular  # noqa: F401 - without it, Lark would skip the collision check
    parser = lark.Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr",
                       postlex=_Indenter(), strict=True)
    assert parser.options.parser == "lalr"


def test_the_cached_parser_is_built_once() -> None:
    assert lark_parser() is lark_parser()


# ------------------------------------------------------------------ header and use


def test_policy_header_with_every_item() -> None:
    module = parse('''
        policy be.brussels.demo
          title "A title"
          authority "An authority"
          source law "000_084ce424bf47b386.txt" url "https://example.org/law"
          source other "001_60103de7668cb270.txt"
          url "https://example.org/policy"
          as of request_date
          note "first"
          note "second"
        ''')
    header = module.header
    assert header == Header(
        "policy", N("be.brussels.demo"), title="A title", authority="An authority",
        url="https://example.org/policy",
        sources=(ast.SourceDecl("law", "000_084ce424bf47b386.txt", "https://example.org/law"),
                 ast.SourceDecl("other", "001_60103de7668cb270.txt", None)),
        as_of="request_date", notes=("first", "second"))
    assert module.declarations == ()


def test_module_header_without_items() -> None:
    module = parse("module be.index\n")
    assert module.header == Header("module", N("be.index"))


def test_header_must_come_first_and_only_once() -> None:
    """The parser keeps every header as written; resolution refuses a second one, one
    after another declaration, and none (resolution/headers.py)."""
    module, diagnostics = parse_module("use be.index\n\npolicy t\n\npolicy u\n", "h.legis")
    assert diagnostics == [] and [h.name.text for h in module.headers] == ["t", "u"]
    problems = header_problems(module, parsed_cleanly=True)
    assert [d.code for d in problems] == ["E106", "E106"]
    assert [(d.message, d.span.line) for d in problems] == [
        ("the header must be the first declaration of the file", 3),
        ("a file has one `policy` or `module` header", 5)]
    module, diagnostics = parse_module("define x = 1\n", "h.legis")
    assert diagnostics == [] and module.header is None
    assert [d.code for d in header_problems(module, parsed_cleanly=True)] == ["E106"]
    assert header_problems(module, parsed_cleanly=False) == []  # a line that failed may be it
    # and the compiler reports them as before, through the whole pipeline
    assert [d.code for d in compile_errors("use be.index\n\npolicy t\n\npolicy u\n")] == ["E106", "E106"]
    assert [d.code for d in compile_errors("define x = 1\n")] == ["E106"]


def test_use_with_and_without_alias() -> None:
    module = parse("policy t\n\nuse be.index\nuse be.index as ix\n")
    assert module.declarations == (ast.Use(N("be.index")), ast.Use(N("be.index"), "ix"))


# ------------------------------------------------------------------ inputs


def test_input_block_types_constraints_enums_descriptions_and_cites() -> None:
    block = parse_decl('''
        input
          request_date : date  "date of the request"
          costs : money, at least 0 EUR, at most 10000 EUR  "costs paid"
            § "first quote"
            § "second quote" in other
          practice : one of individual, group  "how"
          flags : list of boolean
          nested : list of list of integer
          count : integer, at most 10
          accreditation_year : year
        ''')
    assert isinstance(block, ast.InputBlock)
    assert block.fields == (
        InputField("request_date", TypeRef("date"), description="date of the request"),
        InputField("costs", TypeRef("money"),
                   (ast.Constraint("min", num("0", "EUR")), ast.Constraint("max", num("10000", "EUR"))),
                   "costs paid", (Cite("first quote"), Cite("second quote", "other"))),
        InputField("practice", TypeRef("enum", members=("individual", "group")), description="how"),
        InputField("flags", TypeRef("list", element=TypeRef("boolean"))),
        InputField("nested", TypeRef("list", element=TypeRef("list", element=TypeRef("integer")))),
        InputField("count", TypeRef("integer"), (ast.Constraint("max", num("10")),)),
        InputField("accreditation_year", TypeRef("year")),
    )


def test_contextual_keywords_can_name_inputs() -> None:
    block = parse_decl("input\n  title : text\n  year : integer\n  note : text\n")
    assert [f.name for f in block.fields] == ["title", "year", "note"]


def test_inline_enumeration_listing_a_value_twice_is_an_error() -> None:
    # The parser keeps the enumeration as written; the checker reports it, at the value
    # listed again (sugar and mistakes are the compiler's business, not the parser's).
    text = "policy t\n\ninput\n  p : one of a, b, a\n"
    module, diagnostics = parse_module(text, "e.legis")
    assert diagnostics == []
    assert module.declarations[0].fields[0].type.members == ("a", "b", "a")
    diagnostics = compile_errors(text)
    assert [d.code for d in diagnostics] == ["E101"]
    assert (diagnostics[0].span.line, diagnostics[0].span.column) == (4, 20)
    declared = compile_errors("policy t\n\nenum e : a, b, b\n")
    assert [(d.code, d.message, d.span.column) for d in declared] == [
        ("E101", "an enumeration lists the same value twice", 16)]


# ------------------------------------------------------------------ parameters, series, enums


def test_parameter_with_several_dated_values_until_and_indexation() -> None:
    p = parse_decl('''
        parameter ceiling : money  "annual ceiling"
          § "parameter quote"
          note "a note"
          from 2022-01-01 until 2022-12-31: 4000 EUR
          from 2023-01-01: 4555.10 EUR indexed by be.index.impulseo_brussels § "value quote"
        ''')
    assert isinstance(p, ast.Parameter)
    assert p.name == "ceiling" and p.type == TypeRef("money")
    assert p.description == "annual ceiling"
    assert p.cites == (Cite("parameter quote"),) and p.notes == ("a note",)
    assert p.values == (
        ast.DatedValue(DateLit("2022-01-01"), DateLit("2022-12-31"), num("4000", "EUR")),
        ast.DatedValue(DateLit("2023-01-01"), None, num("4555.10", "EUR"),
                       N("be.index.impulseo_brussels"), (Cite("value quote"),)),
    )


def test_parameter_value_can_be_an_expression() -> None:
    p = parse_decl("parameter share : rate\n  from 2024-01-01: 50 %\n")
    assert p.values[0].value == num("50", "%")


def test_yearly_series() -> None:
    s = parse_decl('''
        series health_index : decimal  "health index"
          source "Statbel" url "https://statbel.fgov.be"
          period yearly
          § "series quote"
          note "base 2013"
          2023: 1
          2024: 1.0321 § "value quote"
        ''')
    assert s == ast.Series(
        "health_index", TypeRef("decimal"),
        (ast.SeriesValue("2023", "1"), ast.SeriesValue("2024", "1.0321", (Cite("value quote"),))),
        "health index", "yearly", "Statbel", "https://statbel.fgov.be",
        (Cite("series quote"),), ("base 2013",))


def test_monthly_series_with_a_negative_value() -> None:
    s = parse_decl('''
        series change : decimal
          source "Statbel"
          period monthly
          2024-01: 0.5
          2024-02: -0.25
        ''')
    assert s.period == "monthly" and s.publisher == "Statbel" and s.url is None
    assert s.values == (ast.SeriesValue("2024-01", "0.5"), ast.SeriesValue("2024-02", "-0.25"))


def test_enum_declaration() -> None:
    e = parse_decl('enum status : active, suspended, closed  "state"\n  § "enum quote"\n')
    assert e == ast.EnumDecl("status", ("active", "suspended", "closed"), "state",
                             (Cite("enum quote"),))
    assert parse_decl("enum yes_no : yes, no\n") == ast.EnumDecl("yes_no", ("yes", "no"))


# ------------------------------------------------------------------ define and output


def test_define_inline_with_type_cites_and_notes() -> None:
    d = parse_decl('''
        define half : money = costs / 2 § "first" § "second"
          § "third"
          note "a note"
        ''')
    assert d == Define("define", "half", TypeRef("money"), Binary("/", R("costs"), num("2")),
                       (Cite("first"), Cite("second"), Cite("third")), ("a note",))


def test_output_with_an_indented_body() -> None:
    d = parse_decl('''
        output intervention : money =
          if eligible then 1 EUR else 0 EUR  § "inline"
          § "below"
          note "n"
        ''')
    assert d == Define("output", "intervention", TypeRef("money"),
                       If(R("eligible"), num("1", "EUR"), num("0", "EUR")),
                       (Cite("inline"), Cite("below")), ("n",))


def test_define_without_a_type() -> None:
    d = parse_decl("define recent = year >= 2021\n")
    assert d == Define("define", "recent", None, Binary(">=", R("year"), num("2021")))


def test_block_body_with_nested_blocks_exceptions_and_cites() -> None:
    d = parse_decl('''
        define eligible = all of
          § "block quote"
          labelled_emr                § "emr"
          dmg_count >= 150            § "dmg"
            unless recently_accredited § "recent"
            unless exempt
            § "item quote on its own line"
          any of
            practice = individual
            agreement >= 2
          at least k + 1 of
            a
            b
            c
        ''')
    assert d.expr == Aggregate("all", (
        Item(R("labelled_emr"), (Cite("emr"),)),
        Item(Binary(">=", R("dmg_count"), num("150")),
             (Cite("dmg"), Cite("item quote on its own line")),
             (Exception_(R("recently_accredited"), (Cite("recent"),)), Exception_(R("exempt")))),
        Item(Aggregate("any", (Item(Binary("=", R("practice"), R("individual"))),
                               Item(Binary(">=", R("agreement"), num("2")))))),
        Item(Aggregate("at_least", (Item(R("a")), Item(R("b")), Item(R("c"))),
                       k=Binary("+", R("k"), num("1")))),
    ), cites=(Cite("block quote"),))


def test_count_of_block_and_indented_block_body() -> None:
    d = parse_decl('''
        define met =
          count of
            a
            b
          § "after"
        ''')
    assert d.expr == Aggregate("count", (Item(R("a")), Item(R("b"))))
    assert d.cites == (Cite("after"),)


def test_first_of_with_when_and_otherwise() -> None:
    d = parse_decl('''
        define amount : money = first of
          § "block"
          ceiling when practice = individual   § "solo"
          ceiling * 2 when practice = group
          0 EUR otherwise                      § "none"
        ''')
    assert d.expr == FirstOf((
        ast.Branch(R("ceiling"), Binary("=", R("practice"), R("individual")), (Cite("solo"),)),
        ast.Branch(Binary("*", R("ceiling"), num("2")), Binary("=", R("practice"), R("group"))),
        ast.Branch(num("0", "EUR"), None, (Cite("none"),)),
    ), (Cite("block"),))


def test_when_lines_outside_first_of_are_an_error() -> None:
    # Kept as written by the parser (a formatter or a language server still sees the
    # rule), reported by the checker.
    module, diagnostics = parse_module("policy t\n\ndefine x = all of\n  1 when a\n", "w.legis")
    assert diagnostics == []
    assert module.declarations[0].expr.items == (ast.Branch(num("1"), R("a")),)
    diagnostics = compile_errors("policy t\n\ndefine x = all of\n  1 when a\n")
    assert [d.code for d in diagnostics] == ["E004"]
    module, diagnostics = parse_module("policy t\n\ndefine x = first of\n  a\n", "w.legis")
    assert diagnostics == []
    assert module.declarations[0].expr.branches == (Item(R("a")),)
    diagnostics = compile_errors("policy t\n\ndefine x = first of\n  a\n")
    assert [d.code for d in diagnostics] == ["E004"]
    assert diagnostics[0].hints == ("write: VALUE when CONDITION",)


def test_citations_record_whether_they_were_written_on_a_line_of_their_own() -> None:
    d = parse_decl('''
        define ok = all of
          x  § "after the code"
            § "below it"
        ''')
    (item,) = d.expr.items
    assert item.cites == (Cite("after the code"), Cite("below it"))
    assert [c.own_line for c in item.cites] == [False, True]


def test_inline_aggregates_over_a_list_or_a_value() -> None:
    assert expr("all of flags") == Aggregate("all", None, R("flags"))
    assert expr("count of flags") == Aggregate("count", None, R("flags"))
    assert expr("at least 2 of flags") == Aggregate("at_least", None, R("flags"), num("2"))
    # Over a literal list, each element becomes an item.
    assert expr("any of [a, b]") == Aggregate("any", (Item(R("a")), Item(R("b"))))


def test_record_declaration() -> None:
    r = parse_decl('''
        record member "a GP of the group"
          name : text
          dmg : integer, at least 0  "DMG managed"
            § "q"
        ''')
    assert r == ast.RecordDecl("member", (
        InputField("name", TypeRef("text")),
        InputField("dmg", TypeRef("integer"), (ast.Constraint("min", num("0")),), "DMG managed",
                   (Cite("q"),)),
    ), "a GP of the group")


def test_list_comprehension_and_record_literal() -> None:
    assert expr("[m.dmg for each m in members where m.accredited]") == ast.Comprehension(
        R("m.dmg"), "m", R("members"), R("m.accredited"))
    assert expr("[m for each m in xs]") == ast.Comprehension(R("m"), "m", R("xs"), None)
    assert expr("{score: 0.3, counted: true}") == ast.RecordLit(
        (("score", num("0.3")), ("counted", BoolLit(True))))


def test_external_source_known_by_url_only() -> None:
    header = parse('policy t\n  source rd url "https://example.org/rd"\n').header
    assert header.sources == (ast.SourceDecl("rd", None, "https://example.org/rd"),)


# ------------------------------------------------------------------ invariants and examples


@pytest.mark.parametrize("text,expected", [
    ("invariant intervention <= costs / 2",
     Invariant(None, "expr", Binary("<=", R("intervention"), Binary("/", R("costs"), num("2"))))),
    ('invariant capped: intervention <= ceiling when eligible § "q"',
     Invariant("capped", "expr", Binary("<=", R("intervention"), R("ceiling")),
               guard=R("eligible"), cites=(Cite("q"),))),
    ("invariant monotone intervention in costs",
     Invariant(None, "monotone", output="intervention", input="costs", direction="increasing")),
    ("invariant monotone increasing intervention in costs",
     Invariant(None, "monotone", output="intervention", input="costs", direction="increasing")),
    ("invariant falls: monotone decreasing intervention in dmg when eligible",
     Invariant("falls", "monotone", output="intervention", input="dmg", direction="decreasing",
               guard=R("eligible"))),
    ("invariant eligible implies intervention > 0 EUR",
     Invariant(None, "expr", Binary("implies", R("eligible"),
                                    Binary(">", R("intervention"), num("0", "EUR"))))),
])
def test_invariants(text: str, expected: Invariant) -> None:
    assert parse_decl(text + "\n") == expected


def test_invariant_with_cite_lines() -> None:
    inv = parse_decl('invariant x >= 0 § "a"\n  § "b"\n')
    assert inv.cites == (Cite("a"), Cite("b"))


def test_example_inline_and_indented_given_and_expect() -> None:
    e = parse_decl('''
        example "solo GP"
          § "quote"
          note "a note"
          on 2024-03-15
          given request_date = 2024-03-15, costs = 6000 EUR
          given
            practice = individual
            flags = [true, false], count = 3
          expect intervention = 3000.00 EUR
          expect
            eligible = true
        ''')
    assert e == Example(
        "solo GP", None, DateLit("2024-03-15"),
        (Assignment("request_date", DateLit("2024-03-15")), Assignment("costs", num("6000", "EUR")),
         Assignment("practice", R("individual")),
         Assignment("flags", ListExpr((BoolLit(True), BoolLit(False)))),
         Assignment("count", num("3"))),
        (Assignment("intervention", num("3000.00", "EUR")), Assignment("eligible", BoolLit(True))),
        None, (Cite("quote"),), ("a note",))


def test_example_extends_and_expect_error() -> None:
    e = parse_decl('example "late" extends "solo GP"\n  given request_date = 2024-07-01\n'
                   '  expect error "E400"\n')
    assert e == Example("late", "solo GP", given=(Assignment("request_date", DateLit("2024-07-01")),),
                        expect_error="E400")


# ------------------------------------------------------------------ expressions


def test_precedence_of_arithmetic_and_logic() -> None:
    assert expr("1 + 2 * 3") == Binary("+", num("1"), Binary("*", num("2"), num("3")))
    assert expr("(1 + 2) * 3") == Binary("*", Binary("+", num("1"), num("2")), num("3"))
    assert expr("10 - 2 - 3") == Binary("-", Binary("-", num("10"), num("2")), num("3"))
    assert expr("a or b and not c") == Binary("or", R("a"), Binary("and", R("b"), Unary("not", R("c"))))
    assert expr("a and b implies c or d") == Binary(
        "implies", Binary("and", R("a"), R("b")), Binary("or", R("c"), R("d")))
    assert expr("not x = 1") == Unary("not", Binary("=", R("x"), num("1")))
    assert expr("-x * 2") == Binary("*", Unary("-", R("x")), num("2"))


@pytest.mark.parametrize("written,op", [
    ("=", "="), ("!=", "!="), ("≠", "!="), ("<", "<"), ("<=", "<="), ("≤", "<="),
    (">", ">"), (">=", ">="), ("≥", ">="),
])
def test_comparison_operators_and_their_unicode_forms(written: str, op: str) -> None:
    assert expr(f"a {written} b") == Binary(op, R("a"), R("b"))


def test_multiplication_sign() -> None:
    assert expr("2 × 3 EUR") == Binary("*", num("2"), num("3", "EUR"))


@pytest.mark.parametrize("text,unit", [
    ("12 EUR", "EUR"), ("12 €", "€"), ("20 %", "%"), ("1 day", "day"), ("30 days", "days"),
    ("1 month", "month"), ("2 months", "months"), ("1 year", "year"), ("3 years", "years"),
    ("4555.10", None),
])
def test_numbers_and_units(text: str, unit: str | None) -> None:
    assert expr(text) == num(text.split()[0], unit)


def test_literals() -> None:
    assert expr("2024-06-30") == DateLit("2024-06-30")
    assert expr('"a \\"quoted\\" text"') == TextLit('a "quoted" text')
    assert expr("true") == BoolLit(True) and expr("false") == BoolLit(False)
    assert expr("[]") == ListExpr(())
    assert expr("[1, 2 EUR]") == ListExpr((num("1"), num("2", "EUR")))


def test_if_between_at_calls_and_qualified_names() -> None:
    assert expr("if a then 1 else 2") == If(R("a"), num("1"), num("2"))
    assert expr("d between 2024-01-01 and 2024-06-30") == Between(
        R("d"), DateLit("2024-01-01"), DateLit("2024-06-30"))
    assert expr("ceiling at date(y, 1, 1)") == At(
        R("ceiling"), Call(N("date"), (R("y"), num("1"), num("1"))))
    assert expr("min(a, b)") == Call(N("min"), (R("a"), R("b")))
    assert expr("be.index.value") == R("be.index.value")
    assert expr("status.closed") == Ref(Name(("status", "closed")))


def test_comments_and_blank_lines_are_ignored() -> None:
    module = parse('''
        # a comment before the header
        policy t   # a comment after it

        # a comment between declarations

        define x = 1 + 2  # a comment at the end of a line
        ''')
    assert module.declarations == (Define("define", "x", None, Binary("+", num("1"), num("2"))),)


def test_a_line_can_continue_inside_brackets() -> None:
    d = parse_decl("define x = min(1,\n    2)\n")
    assert d.expr == Call(N("min"), (num("1"), num("2")))


def test_each_declaration_with_a_syntax_error_is_reported() -> None:
    module, diagnostics = parse_module(
        "policy t\n\ndefine a = 1 +\n\ndefine b = 2\n\ndefine c = * 3\n", "s.legis")
    assert [d.code for d in diagnostics] == ["E001", "E001"]
    assert [d.span.line for d in diagnostics] == [3, 7]
    assert [d.name for d in module.declarations] == ["b"]


# ------------------------------------------------------------------ spans


def test_spans_of_declarations_and_expressions() -> None:
    module = parse('''
        policy t

        define alpha = 1 + 22
        output beta : money =
          if alpha > 2 then 1 EUR else 0 EUR
        ''', "spans.legis")
    alpha, beta = module.declarations
    assert (module.header.span.line, module.header.span.column) == (1, 1)
    assert (module.header.name.span.line, module.header.name.span.column) == (1, 8)
    # A definition is located at its name.
    assert (alpha.span.file, alpha.span.line, alpha.span.column) == ("spans.legis", 3, 8)
    assert (alpha.span.end_line, alpha.span.end_column) == (3, 13)
    e = alpha.expr
    assert (e.span.line, e.span.column, e.span.end_column) == (3, 16, 22)
    assert (e.left.span.column, e.left.span.end_column) == (16, 17)
    assert (e.right.span.column, e.right.span.end_column) == (20, 22)
    assert (beta.span.line, beta.span.column) == (4, 8)
    cond = beta.expr.cond
    assert (cond.span.line, cond.span.column, cond.span.end_column) == (5, 6, 15)
    assert (beta.expr.then.span.line, beta.expr.then.span.column) == (5, 21)


def test_spans_inside_blocks_and_parameters() -> None:
    module = parse('''
        policy t

        parameter p : money
          from 2024-01-01: 1 EUR
        define ok = all of
          a
            unless b § "q"
        ''')
    p, ok = module.declarations
    assert (p.span.line, p.span.column) == (3, 11)
    assert (p.values[0].start.span.line, p.values[0].start.span.column) == (4, 8)
    item = ok.expr.items[0]
    assert (item.expr.span.line, item.expr.span.column) == (6, 3)
    exception = item.exceptions[0]
    assert (exception.span.line, exception.span.column) == (7, 5)
    assert (exception.cond.span.line, exception.cond.span.column) == (7, 12)
    assert (exception.cites[0].span.line, exception.cites[0].span.column) == (7, 14)


def test_ast_equality_ignores_spans() -> None:
    declaration = '''define eligible = all of
  labelled_emr  § "q"
  dmg >= 150
    unless recent
'''
    near, _ = parse_module("policy t\n\n" + declaration, "a.legis")
    far, _ = parse_module("policy t\n" + "\n" * 40 + "# moved\n\n" + declaration, "b.legis")
    a, b = near.declarations[0], far.declarations[0]
    assert a.span.line == 3 and b.span.line == 44
    assert a.expr.items[1].exceptions[0].span.line + 41 == b.expr.items[1].exceptions[0].span.line
    assert a == b
    assert hash(a) == hash(b)
    # Spans are kept out of equality, but a different rule is a different node.
    c, _ = parse_module("policy t\n\n" + declaration.replace("150", "151"), "c.legis")
    assert c.declarations[0] != a


# ------------------------------------------------------------------ a file with every construct


def test_the_all_constructs_policy_parses() -> None:
    path = GOOD / "all_constructs.legis"
    module, diagnostics = parse_module(path.read_text(encoding="utf-8"), str(path))
    assert diagnostics == []
    assert module.header.kind == "policy" and module.header.as_of == "request_date"
    assert len(module.header.sources) == 2 and module.header.notes == ("a first note", "a second note")
    kinds = [type(d).__name__ for d in module.declarations]
    assert kinds.count("Use") == 2 and kinds.count("InputBlock") == 1
    assert kinds.count("EnumDecl") == 1 and kinds.count("Series") == 1
    assert kinds.count("Parameter") == 2 and kinds.count("Invariant") == 5
    assert kinds.count("Example") == 5
    defines = {d.name: d for d in module.declarations if isinstance(d, Define)}
    assert {n for n, d in defines.items() if d.kind == "output"} == {"intervention", "extra"}
    assert isinstance(defines["eligible"].expr, Aggregate)
    assert isinstance(defines["per_practice"].expr, FirstOf)
    monotone = [d for d in module.declarations if isinstance(d, Invariant) and d.kind == "monotone"]
    assert [m.direction for m in monotone] == ["increasing", "decreasing"]
