"""Checking stage: invariants and examples of one file.

Consumes the `invariant` and `example` declarations of an `ast.Module` once its rules
are checked, and yields `ir.Invariant` and `ir.Example` values (with `extends` chains
flattened).
"""

from __future__ import annotations

from typing import Any

from legiste.compiler import ir
from legiste.compiler.checking.state import UnitState
from legiste.compiler.checking.typecheck import parse_date
from legiste.compiler.ir.types import BOOLEAN, ORDERED, list_of
from legiste.dsl import ast
from legiste.dsl.diagnostics import did_you_mean
from legiste.dsl.span import Span


_UNKNOWN = object()  # the value of a `given` line naming no input


class ExampleChecks(UnitState):
    """Checks invariants (expressions and monotony) and examples."""

    def _invariant(self, decl: ast.Invariant) -> ir.Invariant:
        guard = self.boolean(decl.guard, "the `when` of an invariant") if decl.guard else None
        cites = self.cites(decl.cites)
        if decl.kind == "expr":
            expr = self.boolean(decl.expr, "an invariant")  # type: ignore[arg-type]
            return ir.Invariant(decl.name, "expr", expr, None, None, decl.direction, guard,
                                span=decl.span, cites=cites)
        output = self.names.get(decl.output or "")
        if output is None or output[0] not in ("define", "output"):
            self.report("E100", f"'{decl.output}' is not a rule of this policy", decl.span,
                        hints=did_you_mean(decl.output or "", self.definitions))
        elif self.definitions[decl.output].type.kind not in ORDERED | {"error"}:  # type: ignore[index]
            self.report("E200", f"'{decl.output}' is not ordered, so it cannot be monotone", decl.span)
        field = self.inputs.get(decl.input or "")
        if field is None:
            self.report("E100", f"'{decl.input}' is not an input", decl.span,
                        hints=did_you_mean(decl.input or "", self.inputs))
        elif field.type.kind not in ORDERED | {"boolean"} and field.type != list_of(BOOLEAN):
            self.report("E200", f"monotone in '{decl.input}': a {field.type.short} has no order",
                        decl.span)
        return ir.Invariant(decl.name, "monotone", None, decl.output, decl.input, decl.direction,
                            guard, span=decl.span, cites=cites)

    def _examples(self, decls: list[ast.Example]) -> tuple[ir.Example, ...]:
        by_name: dict[str, ast.Example] = {}
        for d in decls:
            if d.name in by_name:
                self.report("E101", f"two examples are named \"{d.name}\"", d.span,
                            notes=[f"first at {by_name[d.name].span}"])
            by_name.setdefault(d.name, d)
        out = []
        self._given_checked: dict[int, Any] = {}
        self._missing_reported: dict[str, set[str]] = {}
        for d in decls:
            self._no_twice(d)
            chain, seen = [d], {d.name}
            while chain[-1].extends:
                base = by_name.get(chain[-1].extends)
                if base is None:
                    self.report("E100", f"no example named \"{chain[-1].extends}\"", chain[-1].span,
                                hints=did_you_mean(chain[-1].extends, by_name))
                    break
                if base.name in seen:
                    self.report("E105", f"example \"{d.name}\" extends itself", d.span)
                    break
                seen.add(base.name)
                chain.append(base)
            given: dict[str, ast.Assignment] = {}
            on = None
            for ex in reversed(chain):
                given.update({a.name: a for a in ex.given})
                on = ex.on or on
            out.append(self._example(d, given, on, chain[1:2]))
        return tuple(out)

    def _no_twice(self, decl: ast.Example) -> None:
        """E204 for a name given (or expected) twice in one example: the last one would win
        without a word. (An extending example may give a name again: that is its purpose.)"""
        for word, assignments in (("given", decl.given), ("expected", decl.expect)):
            first: dict[str, ast.Assignment] = {}
            for a in assignments:
                if a.name in first:
                    line = first[a.name].span.line
                    self.report("E204", f"'{a.name}' is {word} twice in example \"{decl.name}\"",
                                a.span, hints=[f"keep one of the two lines (the other is line {line})"])
                else:
                    first[a.name] = a

    def _given(self, name: str, assignment: ast.Assignment) -> Any:
        """The value of one `given` line, checked once however many examples extend the
        example that writes it (so its diagnostic is printed once)."""
        key = id(assignment)
        if key not in self._given_checked:
            field = self.inputs.get(name)
            if field is None:
                self.report("E100", f"'{name}' is not an input", assignment.span,
                            hints=did_you_mean(name, self.inputs)
                            or ["the inputs are " + ", ".join(self.inputs)])
                self._given_checked[key] = _UNKNOWN
            else:
                self._given_checked[key] = self._constant(assignment.value, field.type, f"'{name}'")
        return self._given_checked[key]

    def _example(self, decl: ast.Example, given: dict[str, ast.Assignment],
                 on: ast.DateLit | None, base: list[ast.Example]) -> ir.Example:
        values: dict[str, Any] = {}
        for name, assignment in given.items():
            value = self._given(name, assignment)
            if value is not _UNKNOWN:
                values[name] = value
        missing = [n for n, d in self.inputs.items() if n not in given and d.required]
        # A gap inherited from the example extended is reported there, not again here.
        inherited = self._missing_reported.get(base[0].name, set()) if base else set()
        if missing and decl.expect_error is None:
            self._missing_reported[decl.name] = set(missing)
        if set(missing) - inherited and decl.expect_error is None:
            self.report("E204", f"example \"{decl.name}\" gives no value for: " + ", ".join(missing),
                        decl.span, hints=["add them with `given`, or extend a complete example: "
                                          "example \"…\" extends \"…\""])
        expect: dict[str, Any] = {}
        spans: dict[str, Span] = {}
        for assignment in decl.expect:
            definition = self.definitions.get(assignment.name)
            if definition is None:
                self.report("E100", f"'{assignment.name}' is not a rule of this policy",
                            assignment.span, hints=did_you_mean(assignment.name, self.definitions))
                continue
            expect[assignment.name] = self._constant(assignment.value, definition.type,
                                                     f"the expected '{assignment.name}'")
            spans[assignment.name] = assignment.span
        if not expect and decl.expect_error is None:
            self.report("E204", f"example \"{decl.name}\" expects nothing", decl.span,
                        hints=["add: expect OUTPUT = VALUE"])
        on_date = None
        if on is not None:
            on_date = parse_date(on.text)
            if on_date is None:
                self.report("E010", f"{on.text} is not a date of the calendar", on.span)
        return ir.Example(decl.name, on_date, values, expect, spans, decl.expect_error,
                          span=decl.span, cites=self.cites(decl.cites))
