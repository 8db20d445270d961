"""The explanation planned once (ir/passes/explanation_plan.py): both explainers run the
same plan, and neither decides by itself what a trace shows."""

from __future__ import annotations

from legiste.compiler.api import compile_file
from legiste.compiler.ir.passes import explanation_plan as xp
from legiste.compiler.ir.passes.lowering import lower
from legiste.compiler.ir.walk import walk
from legiste.compiler import ir
from helpers import REPO_ROOT, TELESECRETARIAT

POLICIES = sorted((REPO_ROOT / "policies").rglob("*.legis"))


def _plans(plan):
    """Every plan node under a reads plan."""
    yield plan
    for name in ("parts", "rest", "items", "branches", "exceptions"):
        for p in getattr(plan, name, ()) or ():
            yield from _plans(p)
    for name in ("first", "k", "reads", "at_reads", "cond_reads", "value_reads", "then_reads",
                 "else_reads", "condition", "otherwise"):
        p = getattr(plan, name, None)
        if p is not None:
            yield from _plans(p)


def test_every_rule_of_every_policy_has_a_plan():
    for path in POLICIES:
        program, _ = compile_file(path)
        lowered = lower(program)
        planned = xp.plan(lowered)
        for unit in lowered.units.values():
            for d in unit.definitions:
                rule = planned.rules[d.id]
                assert (rule.kind, rule.name, rule.type, rule.span) == (d.kind, d.name, d.type, d.span)
                assert rule.rounds == isinstance(d.expr, ir.RoundToCent)
                # each rule the expression reads is one ReadRule of the plan
                read = {n.id for n in walk(d.expr) if isinstance(n, ir.Local)}
                planned_reads = {p.id for p in _plans(rule.reads) if isinstance(p, xp.ReadRule)}
                assert planned_reads == read, d.id


def test_labels_are_the_rule_text_as_written():
    program, _ = compile_file(TELESECRETARIAT)
    planned = xp.plan(lower(program))
    labels = [p.label for r in planned.rules.values() for p in _plans(r.reads)
              if isinstance(p, (xp.ConditionPlan, xp.BranchPlan, xp.ExceptionPlan))]
    assert labels and all(label.strip() for label in labels)
    assert any(label.startswith("unless ") for label in labels)


def test_the_explainers_take_what_they_show_from_the_plan():
    for name in ("interpreter/explain.py", "backends/python/explanation.py"):
        source = (REPO_ROOT / "legiste/compiler" / name).read_text(encoding="utf-8")
        assert "SOURCES" not in source and "excerpt(" not in source, name  # labels: the plan's
        assert "isinstance(node, ir." not in source, name  # what a node gives: the plan's
        assert "explanation_plan" in source, name
