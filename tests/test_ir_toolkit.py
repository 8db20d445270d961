"""The IR toolkit: generic children/walk/transform (ir/walk.py) and the printer (ir/printer.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from legiste.compiler import ir
from legiste.compiler.api import compile_file
from legiste.compiler.ir.printer import show, show_definition
from legiste.compiler.ir.types import BOOLEAN, DATE, INTEGER, MONEY
from legiste.compiler.ir.walk import children, transform, walk
from legiste.dsl.span import Span
from helpers import REPO_ROOT

POLICIES = sorted((REPO_ROOT / "policies").rglob("*.legis"))


def _int(v: int) -> ir.Const:
    return ir.Const(v, INTEGER)


def _inp(name: str, t=INTEGER) -> ir.Input:
    return ir.Input(name, t)


def _arith(op: str, left, right, t=INTEGER) -> ir.Arith:
    return ir.Arith(op, "num", left, right, t)


def _program(path: Path) -> ir.Program:
    program, diagnostics = compile_file(path)
    assert program is not None, diagnostics
    return program


# ------------------------------------------------------------------ walk

def test_children_follow_field_order_and_skip_metadata():
    a, b = _inp("a"), _inp("b")
    node = _arith("+", a, b)
    assert children(node) == [a, b]
    assert children(a) == []


def test_children_of_records_aggregates_and_first_of():
    x, y = _inp("x", BOOLEAN), _inp("y", BOOLEAN)
    record = ir.RecordLit((("p", x), ("q", y)), MONEY)
    assert children(record) == [x, y]
    condition = ir.Condition(x, (ir.Exception_(y),))
    aggregate = ir.Aggregate("all", (condition,), None, None, BOOLEAN)
    assert [type(n).__name__ for n in walk(aggregate)] == ["Aggregate", "Condition", "Input",
                                                           "Exception_", "Input"]
    first = ir.FirstOf((ir.Branch(x, _int(1)),), _int(2), INTEGER)
    assert [type(n).__name__ for n in walk(first)] == ["FirstOf", "Branch", "Input", "Const",
                                                       "Const"]


def test_walk_is_pre_order():
    a, b, c = _inp("a"), _inp("b"), _inp("c")
    inner = _arith("*", a, b)
    outer = _arith("+", inner, c)
    assert list(walk(outer)) == [outer, inner, a, b, c]


def test_transform_rebuilds_bottom_up_keeping_spans_and_cites():
    span = Span("f.legis", 3, 5, 3, 9)
    cite = ir.Citation("quote", "src.txt", True)
    node = ir.Arith("+", "num", _inp("a"), _int(1), INTEGER, span=span, cites=(cite,))
    seen: list[str] = []

    def rename(n):
        seen.append(type(n).__name__)
        return ir.Input("b", n.type) if isinstance(n, ir.Input) else n

    out = transform(node, rename)
    assert seen == ["Input", "Const", "Arith"]
    assert out.left == ir.Input("b", INTEGER)
    assert out.span == span and out.cites == (cite,)
    assert out.right is node.right


def test_transform_identity_returns_the_same_objects():
    for path in POLICIES:
        for unit in _program(path).units.values():
            for d in unit.definitions:
                assert transform(d.expr, lambda n: n) is d.expr


def test_transform_reaches_record_fields_and_conditions():
    x = _inp("x", BOOLEAN)
    record = ir.RecordLit((("p", x),), MONEY)
    out = transform(record, lambda n: ir.Input("z", BOOLEAN) if isinstance(n, ir.Input) else n)
    assert out.fields == (("p", ir.Input("z", BOOLEAN)),)
    aggregate = ir.Aggregate("any", (ir.Condition(x, (ir.Exception_(x),)),), None, None, BOOLEAN)
    out = transform(aggregate, lambda n: ir.Input("z", BOOLEAN) if isinstance(n, ir.Input) else n)
    assert [n.name for n in walk(out) if isinstance(n, ir.Input)] == ["z", "z"]


# ------------------------------------------------------------------ printer

@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_every_rule_of_every_policy_prints(path: Path):
    program = _program(path)
    for unit in program.units.values():
        for d in unit.definitions:
            text = show_definition(d)
            assert text.startswith(f"{d.kind} {d.name} = ") and len(text) > len(d.name) + 10
            assert show_definition(d) == text  # stable
            assert "<" not in text.replace("<=", "").replace("< ", "")  # no object repr


def test_printer_shows_a_real_rule():
    program = _program(REPO_ROOT / "policies" / "be" / "brussels" / "telesecretariat.legis")
    rules = {d.name: show(d.expr) for d in program.policy.definitions}
    assert rules["cost_year"] == "year(request_date) - 1"
    assert rules["deadline"] == "date(cost_year + 1, 6, 30)"


def test_printer_parenthesises_by_precedence():
    a, b, c = _inp("a"), _inp("b"), _inp("c")
    assert show(_arith("*", _arith("+", a, b), c)) == "(a + b) * c"
    assert show(_arith("+", _arith("*", a, b), c)) == "a * b + c"
    assert show(_arith("-", a, _arith("-", b, c))) == "a - (b - c)"
    assert show(_arith("-", _arith("-", a, b), c)) == "a - b - c"
    assert show(ir.Unary("neg", _arith("+", a, b), INTEGER)) == "-(a + b)"
    p, q, r = (_inp(n, BOOLEAN) for n in "pqr")
    assert show(ir.Logic("and", ir.Logic("or", p, q, BOOLEAN), r, BOOLEAN)) == "(p or q) and r"
    assert show(ir.Logic("or", ir.Logic("and", p, q, BOOLEAN), r, BOOLEAN)) == "p and q or r"
    assert show(ir.Unary("not", ir.Logic("and", p, q, BOOLEAN), BOOLEAN)) == "not (p and q)"
    compare = ir.Compare(">=", _arith("+", a, b), _int(2), BOOLEAN)
    assert show(compare) == "a + b >= 2"
    branch = ir.If(p, a, b, INTEGER)
    assert show(_arith("+", branch, c)) == "(if p then a else b) + c"


def test_printer_shows_param_reads_calls_and_money():
    at = ir.Call("date", (_inp("cost_year"), _int(1), _int(1)), DATE)
    ceiling = ir.Param("be.x.ceiling", at, MONEY)
    half = ir.Call("round_down", (_arith("/", _inp("costs_paid", MONEY), _int(2), MONEY),
                                  ir.Const(Decimal("0.01"), MONEY)), MONEY)
    text = show(ir.Call("min", (half, ceiling), MONEY))
    assert text == ("min(round_down(costs_paid / 2, 0.01 EUR), "
                    "ceiling at date(cost_year, 1, 1))")
    assert show(ir.Param("be.x.ceiling", None, MONEY)) == "ceiling"


def test_every_operator_of_every_policy_is_in_the_table():
    from legiste.compiler.ir.operators import Op
    for path in POLICIES:
        for unit in _program(path).units.values():
            for d in unit.definitions:
                for node in walk(d.expr):
                    if isinstance(node, (ir.Arith, ir.Compare, ir.Logic, ir.Unary)):
                        # the node holds the member itself; its text names it back
                        assert isinstance(node.op, Op) and Op(node.op.value) is node.op
    assert Op("implies").precedence < Op("or").precedence < Op("and").precedence
    assert Op("neg").symbol == "-" and Op("+").kind == "arith"


def test_operators_and_builtins_are_members_and_registry_entries_not_strings():
    import pickle

    from legiste.compiler.builtins import BUILTINS, Builtin
    from legiste.compiler.ir.operators import Impl, Op
    seen_calls = 0
    for path in POLICIES:
        program = _program(path)
        for unit in program.units.values():
            for d in unit.definitions:
                for node in walk(d.expr):
                    if isinstance(node, ir.Arith):
                        assert isinstance(node.impl, Impl)
                    if isinstance(node, ir.Call):
                        seen_calls += 1
                        assert isinstance(node.func, Builtin)
                        assert node.func is BUILTINS[node.func.name]
        # pickled (verify's worker processes): the registry's own entries come back
        again = pickle.loads(pickle.dumps(program))
        calls = [n for u in again.units.values() for d in u.definitions for n in walk(d.expr)
                 if isinstance(n, ir.Call)]
        assert all(c.func is BUILTINS[c.func.name] for c in calls)
    assert seen_calls > 0
    # a node built from the JSON IR's texts holds the members all the same
    node = ir.Arith("-", "date-date", _inp("a", DATE), _inp("b", DATE), INTEGER)
    assert node.op is Op.SUB and node.impl is Impl.DATE_MINUS_DATE
    assert ir.Call("year", (_inp("d", DATE),), INTEGER).func is BUILTINS["year"]
    assert Impl.DUR_PLUS_DATE.moves_date and not Impl.DATE_MINUS_DATE.moves_date


def test_aggregate_kinds_are_members_not_strings():
    from legiste.compiler.backends.json_ir import expr_json
    from legiste.compiler.ir.operators import Agg
    kinds = set()
    for path in POLICIES:
        for unit in _program(path).units.values():
            for d in unit.definitions:
                for node in walk(d.expr):
                    if isinstance(node, ir.Aggregate):
                        assert isinstance(node.kind, Agg)
                        assert expr_json(node)["aggregate"] == node.kind.value
                        kinds.add(node.kind)
    assert {Agg.ALL, Agg.ANY, Agg.COUNT} <= kinds
    # a node built from the JSON IR's text holds the member all the same
    node = ir.Aggregate("at_least", (), _inp("flags", BOOLEAN), _inp("k", INTEGER), BOOLEAN)
    assert node.kind is Agg.AT_LEAST and show(node) == "at least k of flags"
    assert Agg.COUNT.counts and Agg.ALL.joins == "and" and Agg.AT_LEAST.joins is None


def test_no_builtin_is_named_outside_the_registry_in_the_analysis():
    # the facts come from the call's registry entry (its flags), never from its name
    source = (REPO_ROOT / "legiste/compiler/ir/passes/analysis.py").read_text(encoding="utf-8")
    for text in (".func ==", ".func in", ".func not in", "func.name", "BUILTINS"):
        assert text not in source, text
