"""Python code of presumptions, optional inputs and rule errors, in a generated module.

A mixin of `ExpressionCompiler` (expressions.py): how an input with a presumption or an
optional input is read (`v.get(NAME, DEFAULT)`, or `_absent` when it is not given),
`x is given`, `x otherwise V` and `error "…"`, calling the runtime functions the
interpreter calls (compiler/runtime/errors.py), so both fail in the same words.
"""

from __future__ import annotations

from typing import Any

from legiste.compiler import ir
from legiste.compiler.backends.python.syntax import P_CMP, P_IF, P_POSTFIX, comment
from legiste.compiler.ir.kinds import KINDS


class RefusalExpressions:
    """The `_IsGiven`, `_GivenOr`, `_RuleError` emitters, and the reads of optional inputs."""

    facts: Any
    const: Any
    site: Any
    code: Any

    def input_read(self, node: ir.Input) -> tuple[str, int] | None:
        """The code of a read of an input a case may omit; None for one every case gives."""
        decl = self.facts.inputs.get(node.name)
        if decl is None or decl.required:
            return None
        name = repr(node.name)
        if decl.presumed:
            return f"v.get({name}, {self.const(decl.default)})", P_POSTFIX
        return f"v[{name}] if {name} in v else _absent({name}, {self.site(node.span)})", P_IF

    def _IsGiven(self, node: ir.IsGiven, scope: dict[str, str]) -> tuple[str, int]:
        return f"{node.name!r} in v", P_CMP

    def _GivenOr(self, node: ir.GivenOr, scope: dict[str, str]) -> tuple[str, int]:
        name = repr(node.name)
        return f"v[{name}] if {name} in v else {self.code(node.fallback, scope, P_IF + 1)}", P_IF

    def _RuleError(self, node: ir.RuleError, scope: dict[str, str]) -> tuple[str, int]:
        return (f"_rule_error({node.rule!r}, {node.message!r}, {self.site(node.span)})",
                P_POSTFIX)



def requirements_code(gen: Any) -> str:
    """`_requirements(inputs, v, problems)`: the policy's `require` conditions, checked as
    interpreter/requirements.py checks them (E507 for each one a case breaks; one that
    reads an input given wrongly, or a missing one, is not evaluated)."""
    unit = gen.unit
    if not unit.requirements:
        return ""
    declared = {d.name: d for d in unit.inputs}
    lines = ["def _requirements(inputs, v, problems):",
             '    """The `require` conditions of the policy (after every input is converted)."""',
             "    m = v"]
    for r in unit.requirements:
        reads = r.reads
        skip = " or ".join(f"({n!r} not in v and ({n!r} in inputs or {n!r} in _REQUIRED_SET))"
                           for n in reads) or "False"
        shown = ", ".join(f"({n!r}, {KINDS[declared[n].type.kind].display.__name__}(v[{n!r}]))"
                          for n in reads if declared[n].type.kind not in ("list", "record"))
        shown_list = f"[x for x in ({shown},) if x[0] in v]" if shown else "[]"
        hint = f"the policy requires: {ir.show(r.expr)}"
        note = f"required at {r.span}"
        lines += [f"    # require {comment(ir.show(r.expr))}",
                  f"    if not ({skip}):",
                  "        try:",
                  f"            holds = {gen.code(r.expr, {}, 1)}",
                  "        except PolicyError as exc:",
                  "            problems.extend(exc.diagnostics)",
                  "        except ArithmeticError as exc:",
                  f"            problems.extend(_arith_error(exc, {gen.site(r.span)}, None).diagnostics)",
                  "        else:",
                  "            if not holds:",
                  f"                problems.append(_diag('E507', _requirement_unmet({r.message!r}, "
                  f"{shown_list}), _NO_SPAN, [{hint!r}], [{note!r}]))"]
    return "\n".join(lines) + "\n"
