"""Running a policy's `example` blocks: the cases the law's text states, as tests.

Consumes the IR and its evaluator (`interpreter.cases.Compiled`); each example goes through
the same validation and evaluation as a real case.
"""

from __future__ import annotations

from typing import Any

from attrs import evolve, frozen

from legiste.compiler import ir
from legiste.compiler.interpreter.cases import Compiled, Result, run_case, validated
from legiste.compiler.runtime.values import display, to_json
from legiste.dsl.diagnostics import Diagnostic, DiagnosticError
from legiste.dsl.span import NO_SPAN


@frozen
class Mismatch:
    name: str
    expected: str
    actual: str


@frozen
class ExampleResult:
    example: ir.Example
    passed: bool
    mismatches: tuple[Mismatch, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    result: Result | None = None


def run_example(policy: Compiled, example: ir.Example) -> ExampleResult:
    """Evaluate one example with the same validation as real inputs, and compare."""
    unit = policy.program.policy
    types = {i.name: i.type for i in unit.inputs}
    data: dict[str, Any] = {k: to_json(v, types[k]) for k, v in example.given.items() if k in types}
    try:
        try:
            values = validated(unit, data, file=example.span.file)
        except DiagnosticError as exc:
            # A given value the inputs refuse (below a minimum, not a year) has no place in a
            # JSON file: it is located at the example that gives it.
            raise DiagnosticError([evolve(d, span=example.span) if d.span is NO_SPAN else d
                                   for d in exc.diagnostics]) from None
        result = run_case(policy.evaluator, values, on=example.on, explain_it=True,
                          names=list(example.expect) or None)
    except DiagnosticError as exc:
        if example.expect_error is not None and any(
                example.expect_error in d.message or example.expect_error == d.code
                for d in exc.diagnostics):
            return ExampleResult(example, True)
        return ExampleResult(example, False, diagnostics=tuple(exc.diagnostics))
    if example.expect_error is not None:
        return ExampleResult(example, False, (Mismatch("error", example.expect_error, "no error"),),
                             result=result)
    mismatches = []
    definitions = {d.name: d for d in unit.definitions}
    for name, expected in example.expect.items():
        actual = result.outputs.get(name)
        if actual != expected:
            t = definitions[name].type
            mismatches.append(Mismatch(name, display(expected, t), display(actual, t)))
    return ExampleResult(example, not mismatches, tuple(mismatches), result=result)


def run_examples(policy: Compiled) -> list[ExampleResult]:
    """Every example of the policy, in order."""
    return [run_example(policy, e) for e in policy.program.policy.examples]
