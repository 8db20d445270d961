"""The lowering passes (ir/passes/): parameter reads at a date, whole numbers as Decimals,
output amounts rounded to the cent, each an explicit node made once after checking."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from legiste.compiler import ir
from legiste.compiler.api import compile_file
from legiste.compiler.backends.json_ir import to_json_ir
from legiste.compiler.backends.python import generate
from legiste.compiler.interpreter.evaluate import Evaluator
from legiste.compiler.ir.passes.analysis import RuleFacts
from legiste.compiler.ir.passes.coercion import coerced, coerced_rule
from legiste.compiler.ir.passes.dated_reads import dated_reads
from legiste.compiler.ir.passes.lowering import lower
from legiste.compiler.ir.passes.output_rounding import rounded_output
from legiste.compiler.ir.printer import show, show_definition
from legiste.compiler.ir.types import DATE, DECIMAL, INTEGER, MONEY
from legiste.compiler.ir.walk import walk
from helpers import REPO_ROOT, compile_policy, define_value, load_generated, value

POLICIES = sorted((REPO_ROOT / "policies").rglob("*.legis"))
LOWERED = (ir.AsOf, ir.RoundToCent, ir.ToDecimal)

D = Decimal


def _program(path: Path) -> ir.Program:
    program, diagnostics = compile_file(path)
    assert program is not None, diagnostics
    return program


def _rule(policy, name: str) -> ir.Definition:
    return next(d for d in lower(policy.program).policy.definitions if d.name == name)


# ------------------------------------------------------------------ dated reads

def test_a_parameter_read_without_a_date_is_read_at_the_evaluation_date():
    ceiling = ir.Param("be.x.ceiling", None, MONEY)
    lowered = dated_reads(ceiling)
    assert isinstance(lowered.at, ir.AsOf) and lowered.at.type == DATE
    assert show(lowered) == "ceiling at as_of"
    at = ir.Call("date", (ir.Input("y", INTEGER), ir.Const(1, INTEGER), ir.Const(1, INTEGER)), DATE)
    written = ir.Param("be.x.ceiling", at, MONEY)
    assert dated_reads(written) is written  # a date the rule wrote stays


# ------------------------------------------------------------------ coercion

def test_a_decimal_rule_that_may_be_a_whole_number_becomes_a_decimal():
    policy = compile_policy("""
        policy t
        input
          c : boolean
        define d : decimal = if c then 1 else 2.5
        define e : decimal = 2.5
        output r = true
    """)
    d, e = _rule(policy, "d"), _rule(policy, "e")
    assert isinstance(d.expr, ir.ToDecimal) and show(d.expr) == "as_decimal(if c then 1 else 2.5)"
    assert not isinstance(e.expr, ir.ToDecimal)  # surely a Decimal already
    assert show_definition(d) == "define d = as_decimal(if c then 1 else 2.5)"
    result = policy.run({"c": True}, names=["d"]).outputs["d"]
    assert result == D(1) and isinstance(result, Decimal)


def test_the_dividend_of_a_division_is_a_decimal():
    facts = RuleFacts(_program(POLICIES[0]))
    n = ir.Input("n", INTEGER)
    quotient = ir.Arith("/", "num", n, ir.Input("k", INTEGER), DECIMAL)
    lowered = coerced(quotient, facts)
    assert isinstance(lowered.left, ir.ToDecimal) and lowered.left.value is n
    constant = coerced(ir.Arith("/", "num", ir.Const(1, INTEGER), n, DECIMAL), facts)
    assert constant.left.value == D(1) and isinstance(constant.left.value, Decimal)  # folded
    assert value("7 / 2", "decimal") == D("3.5")
    assert isinstance(define_value("1 / 3"), Decimal)


def test_coercion_keeps_a_rule_that_is_surely_a_decimal():
    policy = compile_policy("policy t\ninput\n  a : decimal\ndefine d : decimal = a * 2\noutput r = d\n")
    d = next(x for x in policy.program.policy.definitions if x.name == "d")
    assert coerced_rule(d, RuleFacts(policy.program)) is d


# ------------------------------------------------------------------ output rounding

def test_an_output_amount_is_rounded_to_the_cent_and_nothing_else_is():
    policy = compile_policy("""
        policy t
        input
          a : money
        define half : money = a / 3
        output share : money = half
        output ratio : decimal = a / 3 EUR
    """)
    share, half, ratio = (_rule(policy, n) for n in ("share", "half", "ratio"))
    assert isinstance(share.expr, ir.RoundToCent) and show(share.expr) == "to_cent(half)"
    assert not isinstance(half.expr, ir.RoundToCent) and not isinstance(ratio.expr, ir.RoundToCent)
    assert rounded_output(share) is share  # once only
    outputs = policy.run(policy.validate({"a": "100"}), names=["half", "share"]).outputs
    assert outputs["share"] == D("33.33") and outputs["half"] != D("33.33")


# ------------------------------------------------------------------ the pipeline

def test_lowering_runs_once_and_leaves_the_checked_program_as_written():
    for path in POLICIES:
        program = _program(path)
        before = json.dumps(to_json_ir(program), sort_keys=True)
        lowered = lower(program)
        assert lower(lowered) is lowered and lowered.lowered and not program.lowered
        assert Evaluator(lowered).program is lowered  # the interpreter lowers no twice
        # the checked program (JSON IR, printer, tools) holds no lowered node
        assert json.dumps(to_json_ir(program), sort_keys=True) == before
        for unit in program.units.values():
            for d in unit.definitions:
                assert not any(isinstance(x, LOWERED) for x in walk(d.expr))
        for unit in lowered.units.values():
            for d in unit.definitions:
                nodes = list(walk(d.expr))
                assert not any(isinstance(x, ir.Param) and x.at is None for x in nodes)
                assert isinstance(d.expr, ir.RoundToCent) == (
                    d.kind == "output" and d.type.kind == "money")


def test_the_backends_evaluate_the_lowered_nodes(tmp_path):
    text = """
        policy t
        input
          c : boolean
          a : money
          n : integer
        define d : decimal = if c then 1 else 2.5
        output q : decimal = n / 4
        output amount : money = if c then a / 3 else 2.345 EUR
        output whole : decimal = d
    """
    policy = compile_policy(text)
    module = load_generated(generate(policy.program), tmp_path, "lowered_t")
    for case in ({"c": True, "a": "100", "n": 7}, {"c": False, "a": "0.01", "n": 0}):
        interpreted = policy.evaluate(case, on=None).to_json()
        assert module.evaluate(case) == {**interpreted, "as_of": module.evaluate(case)["as_of"]}
        assert module.explain(case)["explanation"] == policy.explain(case).to_json()["explanation"]
    assert module.evaluate({"c": False, "a": "1", "n": 7})["outputs"] == {
        "q": "1.75", "amount": "2.35", "whole": "2.5"}


def test_the_backends_hold_no_copy_of_the_lowered_semantics():
    # what the lowering passes make explicit, the interpreter and the Python back end no
    # longer decide for themselves
    for name in ("interpreter/evaluate.py", "interpreter/explain.py",
                 "backends/python/rules.py", "backends/python/entry_points.py",
                 "backends/python/explanation.py", "backends/python/expressions.py"):
        source = (REPO_ROOT / "legiste/compiler" / name).read_text(encoding="utf-8")
        assert 'kind == "output" and d.type.kind == "money"' not in source, name
        assert "at is None" not in source and "at is not None" not in source, name
        assert 'd.type.kind in ("decimal", "rate")' not in source, name
