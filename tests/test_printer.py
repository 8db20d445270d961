"""The printer of dsl/printer.py: parse(print(parse(text))) == parse(text), comments kept.

For every rule file of the repository (found by glob, so a new policy or stdlib module
is covered without editing this file), and for generated declarations: blocks with
citations and exceptions, `first of`, inputs, parameters, series, invariants, examples.
AST equality leaves spans out, so only what the author wrote is compared.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from collections import Counter

from legiste.dsl import ast
from legiste.dsl.comments import module_comments
from legiste.dsl.parser import parse_module
from legiste.dsl.printer import print_expr, print_module

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = sorted(str(p.relative_to(ROOT)) for folder in ("policies", "legiste/stdlib")
                    for p in (ROOT / folder).rglob("*.legis"))


def parsed(text: str, path: str = "printed.legis") -> ast.Module:
    module, diagnostics = parse_module(text, path)
    assert diagnostics == [], [f"{d.code} {d.message} at {d.span}" for d in diagnostics]
    return module


def test_every_policy_and_stdlib_file_is_found() -> None:
    assert len(RULE_FILES) >= 7
    assert any(f.startswith("legiste/stdlib/") for f in RULE_FILES)


@pytest.mark.parametrize("file", RULE_FILES)
def test_printing_a_rule_file_then_parsing_it_gives_the_same_ast(file: str) -> None:
    module = parsed((ROOT / file).read_text(encoding="utf-8"), file)
    printed = print_module(module)
    again = parsed(printed, file)
    assert again == module
    assert print_module(again) == printed  # printing is idempotent


def written_comments(text: str) -> Counter[str]:
    """The comments of a text, found without the parser: what follows a `#` that is
    not inside a quoted text (texts end on their line; `\\` escapes the next character)."""
    found: Counter[str] = Counter()
    for line in text.split("\n"):
        quoted, i = False, 0
        while i < len(line):
            char = line[i]
            if quoted and char == "\\":
                i += 1
            elif char == '"':
                quoted = not quoted
            elif char == "#" and not quoted:
                found[line[i + 1:].removesuffix("\r")] += 1
                break
            i += 1
    return found


@pytest.mark.parametrize("file", RULE_FILES)
def test_every_comment_of_a_rule_file_is_kept_and_printed_back(file: str) -> None:
    text = (ROOT / file).read_text(encoding="utf-8")
    module = parsed(text, file)
    written = written_comments(text)
    assert written, "every rule file of the repository has comments"
    assert Counter(c.text for c in module_comments(module)) == written
    printed = print_module(module)
    assert written_comments(printed) == written
    assert Counter(c.text for c in module_comments(parsed(printed, file))) == written
    decisions = sum(n for t, n in written.items() if "DECISION" in t)
    assert decisions == sum(1 for c in module_comments(module) if "DECISION" in c.text)


def test_comments_attach_to_the_line_they_belong_to() -> None:
    text = ('# about the file\n\npolicy t  # the header\n\n'
            '# before the rule\n# and its second line\n'
            'define ok = all of  # after the head\n'
            '  # before an item\n  x > 1  # after the item\n'
            '    unless x = 5  # after the exception\n'
            '  y = "# not a comment"  § "q"\n'
            '    # before a citation line\n    § "r"\n'
            '# at the end of the file\n')
    module = parsed(text)
    header, (rule,) = module.header, module.declarations
    assert [c.text for c in header.comments.before] == [" about the file"]
    assert [c.text for c in header.comments.after] == [" the header"]
    assert [c.text for c in rule.comments.before] == [" before the rule", " and its second line"]
    assert [c.text for c in rule.comments.after] == [" after the head"]
    first, second = rule.expr.items
    assert [c.text for c in first.comments.before] == [" before an item"]
    assert [c.text for c in first.comments.after] == [" after the item"]
    assert [c.text for c in first.exceptions[0].comments.after] == [" after the exception"]
    assert second.comments == ast.Comments()
    assert [c.text for c in second.cites[1].comments.before] == [" before a citation line"]
    assert [c.text for c in module.comments] == [" at the end of the file"]
    where = rule.comments.before[1].span
    assert (where.line, where.column, where.end_column) == (6, 1, 22)
    # Comments are not what a rule means: the same rule without them is equal.
    assert parsed(text) == parsed("policy t\n\ndefine ok = all of\n  x > 1\n    unless x = 5\n"
                                  '  y = "# not a comment"  § "q"  § "r"\n')
    printed = print_module(module)
    assert written_comments(printed) == written_comments(text)
    assert print_module(parsed(printed)) == printed


def test_a_second_comment_after_one_printed_line_goes_before_it() -> None:
    text = 'policy t\n\ndefine d = 1  # one\n  § "q"  # two\n'
    printed = print_module(parsed(text))
    assert printed == 'policy t\n\ndefine d = 1  # one\n  § "q"  # two\n'
    inline = 'policy t\n\ndefine ok = all of\n  x  # one\n    § "q"  # two\n'
    printed = print_module(parsed(inline))
    assert printed == 'policy t\n\ndefine ok = all of\n  # two\n  x  § "q"  # one\n'
    assert print_module(parsed(printed)) == printed


def test_the_printed_layout() -> None:
    text = ('policy t\n  title "T"\n  source law "law.txt"\n\n'
            'input\n  x : money, at least 0 EUR  "costs"\n    § "les frais"\n\n'
            'define ok = all of\n  § "à certaines conditions"\n  x > 1 EUR  § "plus de 1"\n'
            '    unless x = 5 EUR  § "sauf 5"\n  any of [x < 3 EUR, x ≥ 4 EUR]\n\n'
            'output o : money =\n  first of\n    x when ok\n    0 EUR otherwise\n  § "o"\n')
    assert print_module(parsed(text)) == text


def test_sugar_is_recorded_and_printed_as_written() -> None:
    """`≠ ≤ ≥ ×` mean != <= >= * (the AST's operator), and print back as written; an
    aggregate written on one line stays on one line."""
    module = parsed("policy t\n\ndefine d = a ≠ b and c <= 2 × d\n\ndefine e = all of [a, b]\n")
    d, e = module.declarations
    assert d == parsed("policy t\n\ndefine d = a != b and c <= 2 * d\n").declarations[0]
    assert d.expr.left.op == "!=" and d.expr.left.written == "≠"
    assert d.expr.right.written is None and d.expr.right.right.written == "×"
    assert print_expr(d.expr) == "a ≠ b and c <= 2 × d"
    assert e.expr.inline and print_module(module).endswith("define e = all of [a, b]\n")
    block = parsed("policy t\n\ndefine e = all of\n  a\n  b\n").declarations[0]
    assert block == e and not block.expr.inline


def test_names_carry_their_own_spans() -> None:
    module = parsed("policy t\n\ninput\n  x : one of low, high\n\n"
                    "define total : money = be.index.f(x)  § \"q\" in law\n")
    field, rule = module.declarations[0].fields[0], module.declarations[1]
    spans = {str(n): (n.span.line, n.span.column, n.span.end_column)
             for n in (field.name, *field.type.members, rule.name, *rule.expr.func.parts,
                       rule.cites[0].source)}
    assert spans == {"x": (4, 3, 4), "low": (4, 14, 17), "high": (4, 19, 23),
                     "total": (6, 8, 13), "be": (6, 24, 26), "index": (6, 27, 32),
                     "f": (6, 33, 34), "law": (6, 48, 51)}
    assert isinstance(rule.name, ast.Ident) and rule.name == "total"
    assert hash(rule.name) == hash("total")


# ------------------------------------------------------------------ generated declarations

WORDS = st.sampled_from(["a", "costs_paid", "réseau_santé", "x1", "status"])
TEXTS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zl", "Zp"],
                              exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067"
                                                 "\u2068\u2069\u200e\u200f\u061c"), max_size=8)
DATES = st.dates().map(lambda d: ast.DateLit(d.isoformat()))
CITES = st.lists(st.builds(ast.Cite, TEXTS, st.none() | WORDS), max_size=2).map(tuple)
LEAVES = st.one_of(
    st.builds(ast.Number, st.from_regex(r"\A[0-9]{1,3}(\.[0-9]{1,2})?\Z"),
              st.sampled_from([None, "EUR", "%", "days"])),
    st.builds(ast.BoolLit, st.booleans()),
    st.builds(ast.TextLit, TEXTS),
    WORDS.map(lambda w: ast.Ref(ast.Name((w,)))),
)
EXPRS = st.recursive(LEAVES, lambda c: st.one_of(
    st.builds(ast.Binary, st.sampled_from(["+", "*", ">=", "and", "or"]), c, c),
    st.builds(ast.Unary, st.just("not"), c),
    st.builds(ast.If, c, c, c),
    st.builds(ast.Call, st.just(ast.Name(("min",))), st.lists(c, max_size=2).map(tuple)),
), max_leaves=4)
TYPES = st.sampled_from(["money", "boolean", "integer", "be.x.kind"]).map(ast.TypeRef)


def _items(depth: int) -> st.SearchStrategy[tuple[ast.Item, ...]]:
    plain = st.builds(ast.Item, EXPRS, CITES,
                      st.lists(st.builds(ast.Exception_, EXPRS, CITES), max_size=2).map(tuple))
    nested = _blocks(depth - 1).map(ast.Item) if depth > 0 else plain
    return st.lists(st.one_of(plain, plain, nested), min_size=1, max_size=3).map(tuple)


def _blocks(depth: int) -> st.SearchStrategy[ast.Expr]:
    aggregate = st.builds(lambda kind, k, items, cites: ast.Aggregate(
        kind, items, None, k if kind == "at_least" else None, cites),
        st.sampled_from(["all", "any", "count", "at_least"]), LEAVES, _items(depth), CITES)
    branch = st.builds(ast.Branch, EXPRS, EXPRS, CITES)
    first = st.builds(lambda bs, last, cites: ast.FirstOf((*bs, last), cites),
                      st.lists(branch, max_size=2), st.builds(ast.Branch, EXPRS, st.none(), CITES),
                      CITES)
    return st.one_of(aggregate, first)


NOTES = st.lists(TEXTS, max_size=2).map(tuple)
DEFINES = st.builds(ast.Define, st.sampled_from(["define", "output"]), WORDS, st.none() | TYPES,
                    st.one_of(EXPRS, _blocks(1)), CITES, NOTES)
FIELDS = st.builds(ast.InputField, WORDS, TYPES,
                   st.lists(st.builds(ast.Constraint, st.sampled_from(["min", "max"]), LEAVES),
                            max_size=2).map(tuple), st.none() | TEXTS, CITES)
PARAMETERS = st.builds(
    ast.Parameter, WORDS, TYPES,
    st.lists(st.builds(ast.DatedValue, DATES, st.none() | DATES, EXPRS,
                       st.none() | st.just(ast.Name(("be", "index", "i"))), CITES),
             min_size=1, max_size=2).map(tuple),
    st.none() | TEXTS, CITES, NOTES)
SERIES = st.builds(
    ast.Series, WORDS, TYPES,
    st.lists(st.builds(ast.SeriesValue, st.sampled_from(["2023", "2024-05"]),
                       st.sampled_from(["1", "-1.25"]), CITES), min_size=1, max_size=2).map(tuple),
    st.none() | TEXTS, st.none() | st.just("yearly"), st.none() | TEXTS, st.none(), CITES, NOTES)
INVARIANTS = st.one_of(
    st.builds(lambda name, e, guard, cites: ast.Invariant(name, "expr", expr=e, guard=guard,
                                                          cites=cites),
              st.none() | WORDS, EXPRS, st.none() | EXPRS, CITES),
    st.builds(lambda direction, out, inp, cites: ast.Invariant(
        None, "monotone", output=out, input=inp, direction=direction, cites=cites),
        st.sampled_from(["increasing", "decreasing"]), WORDS, WORDS, CITES))
ASSIGNMENTS = st.lists(st.builds(ast.Assignment, WORDS, EXPRS), max_size=2).map(tuple)
# An example has at least one line: here, one `given`.
EXAMPLES = st.builds(ast.Example, TEXTS, st.none() | TEXTS, st.none() | DATES,
                     st.lists(st.builds(ast.Assignment, WORDS, EXPRS), min_size=1,
                              max_size=2).map(tuple), ASSIGNMENTS, st.none() | st.just("E401"), CITES, NOTES)
DECLARATIONS = st.one_of(DEFINES, FIELDS.map(lambda f: ast.InputBlock((f,))), PARAMETERS, SERIES,
                         INVARIANTS, EXAMPLES,
                         st.builds(ast.EnumDecl, WORDS, st.just(("yes", "no")), st.none() | TEXTS,
                                   CITES))


@given(st.lists(DECLARATIONS, min_size=1, max_size=3))
def test_printing_generated_declarations_then_parsing_them_gives_them_back(
        declarations: list[ast.Declaration]) -> None:
    module = ast.Module("printed.legis", ast.Header("policy", ast.Name(("t",))),
                        tuple(declarations))
    text = print_module(module)
    note(text)
    assert parsed(text) == module


def test_lines_of_the_wrong_form_in_a_block_are_printed_back_as_written() -> None:
    # The parser keeps them for the checker to report (E004); the printer loses none.
    text = ("policy t\n\ndefine x = all of\n  a\n  1 when b\n\n"
            "define y = first of\n  a\n    unless c\n  2 otherwise\n")
    module = parsed(text)
    printed = print_module(module)
    assert parsed(printed) == module
    assert "  1 when b\n" in printed and "  a\n    unless c\n" in printed
