"""Input validation of the interpreter, last step: the policy's `require` conditions.

Consumes the values input validation (inputs.py) converted and the `ir.Requirement`s of
the policy; gives an E507 diagnostic for each condition the case breaks, listed with the
case's other input problems. A condition is evaluated by the interpreter (evaluate.py),
as the rules are; one that reads an input the case gave wrongly is not evaluated (that
input's problem is reported instead).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import attrs

from legiste.compiler import ir
from legiste.compiler.interpreter.evaluate import EvalError, Env, Evaluator, _arithmetic_error
from legiste.compiler.ir.kinds import display
from legiste.compiler.runtime.input_problems import _requirement_unmet
from legiste.dsl.diagnostics import Diagnostic, error
from legiste.dsl.span import Span

# Evaluators of the `require` conditions of a policy (the unit itself is kept alive).
_CHECKS: dict[int, tuple[ir.Unit, Evaluator]] = {}


def _evaluator(unit: ir.Unit) -> Evaluator:
    cached = _CHECKS.get(id(unit))
    if cached is not None and cached[0] is unit:
        return cached[1]
    # The conditions read inputs and constants only (checking/refusals.py): a program of
    # the policy's requirements alone compiles them as the rules are compiled.
    alone = attrs.evolve(unit, definitions=(), invariants=(), examples=())
    evaluator = Evaluator(ir.Program(unit.id, {unit.id: alone}))
    if len(_CHECKS) > 64:
        _CHECKS.clear()
    _CHECKS[id(unit)] = (unit, evaluator)
    return evaluator


def requirement_problems(unit: ir.Unit, values: dict[str, Any], refused: set[str],
                         where: Callable[[str], Span]) -> list[Diagnostic]:
    """E507 for each `require` the values break; `refused` are the inputs given but
    refused (a condition that reads one is not evaluated), `where` locates an input."""
    if not unit.requirements:
        return []
    evaluator = _evaluator(unit)
    declared = {d.name: d for d in unit.inputs}
    env = Env(values, dt.date.min)
    problems = []
    for requirement, holds in evaluator.requirements:
        if any(name in refused or (name not in values and declared[name].required)
               for name in requirement.reads):
            continue
        try:
            ok = holds(env)
        except EvalError as exc:
            problems.append(exc.diagnostic)
            continue
        except ArithmeticError as exc:
            problems.append(_arithmetic_error(exc, requirement.span, None))
            continue
        if not ok:
            problems.append(unmet(requirement, values, declared, where))
    return problems


def unmet(requirement: ir.Requirement, values: dict[str, Any], declared: dict[str, ir.InputDecl],
          where: Callable[[str], Span]) -> Diagnostic:
    """The E507 diagnostic of a `require` a case breaks."""
    shown = [(name, display(values[name], declared[name].type)) for name in requirement.reads
             if name in values and declared[name].type.kind not in ("list", "record")]
    first = requirement.reads[0] if requirement.reads else ""
    return error("E507", _requirement_unmet(requirement.message, shown), where(first),
                 hints=[f"the policy requires: {ir.show(requirement.expr)}"],
                 notes=[f"required at {requirement.span}"])


def breaks_requirement(evaluator: Evaluator, values: dict[str, Any]) -> bool:
    """Whether typed values (a case `verify` drew) break a `require` of the policy: such a
    case is refused by input validation, so no invariant is checked on it."""
    if not evaluator.requirements:
        return False
    env = Env(values, dt.date.min)
    try:
        return not all(holds(env) for _, holds in evaluator.requirements)
    except (EvalError, ArithmeticError):
        return True
