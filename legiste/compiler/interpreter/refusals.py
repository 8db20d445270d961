"""The interpreter's presumptions, optional inputs, input constraints and rule errors.

A mixin of `Evaluator` (evaluate.py): the closures of `ir.IsGiven`, `ir.GivenOr` and
`ir.RuleError`, how an input with a presumption or an optional input is read, and the
`require` conditions of the policy (`unmet`), which input validation
(interpreter/inputs.py) checks. The failures are those of compiler/runtime/errors.py,
which every generated module carries too.
"""

from __future__ import annotations

from typing import Any, Callable

from legiste.compiler import ir
from legiste.compiler.runtime.errors import _RunError, _absent, _rule_error

Fn = Callable[[Any], Any]


class RefusalEvaluation:
    """Closures of the constructs of issue 11 §2–3 (found by name, like the others)."""

    program: ir.Program
    compile: Callable[[Any], Fn]

    def input_reader(self, node: ir.Input) -> Fn | None:
        """How an input with a presumption (its value when absent) or an optional input
        (E406 when absent) is read; None for an input every case gives."""
        decl = self._input_decls().get(node.name)
        if decl is None or decl.required:
            return None
        name, span = node.name, node.span
        if decl.presumed:
            default = decl.default
            return lambda env: env.inputs.get(name, default)

        def optional(env: Any) -> Any:
            inputs = env.inputs
            if name in inputs:
                return inputs[name]
            try:
                _absent(name, span)
            except _RunError as exc:
                raise _located(exc) from None
        return optional

    def _input_decls(self) -> dict[str, ir.InputDecl]:
        decls = getattr(self, "_decls", None)
        if decls is None:
            decls = self._decls = {d.name: d for d in self.program.policy.inputs}
        return decls

    def _IsGiven(self, node: ir.IsGiven) -> Fn:
        name = node.name
        return lambda env: name in env.inputs

    def _GivenOr(self, node: ir.GivenOr) -> Fn:
        name, fallback = node.name, self.compile(node.fallback)

        def given_or(env: Any) -> Any:
            inputs = env.inputs
            return inputs[name] if name in inputs else fallback(env)
        return given_or

    def _RuleError(self, node: ir.RuleError) -> Fn:
        rule, message, span = node.rule, node.message, node.span

        def fail(env: Any) -> Any:
            try:
                _rule_error(rule, message, span)
            except _RunError as exc:
                raise _located(exc) from None
        return fail

    def compile_requirements(self) -> list[tuple[ir.Requirement, Fn]]:
        """The policy's `require` conditions, compiled (lowered as the rules are)."""
        return [(r, self.compile(r.expr)) for r in self.program.policy.requirements]


def _located(exc: _RunError) -> Exception:
    from legiste.compiler.interpreter.evaluate import located  # evaluate.py imports this mixin
    return located(exc)
