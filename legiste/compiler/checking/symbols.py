"""Checking stage: the symbol table of one checked file, errors or not.

Consumes a `UnitChecker` after its `check()`: every name the file declares (inputs,
parameters, series, enumerations, records, defines, outputs, user functions, and the
rules of each record, named `record.rule`) with the span of its name, its type (a rule's
declared type, else the type of its expression: `error` when that is wrong, None when it
could not be typed, e.g. in a cycle; a function's is its result's) and the citations
written on it. This is what a language server shows on hover and jumps to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from legiste.compiler.checking.typecheck import ERROR
from legiste.compiler.ir.types import Type
from legiste.dsl import ast
from legiste.dsl.span import Span

if TYPE_CHECKING:
    from legiste.compiler.checking.check import UnitChecker


@frozen
class Symbol:
    """A declared name of a file."""

    name: str
    kind: str  # "input" | "parameter" | "series" | "enum" | "record" | "define" | "output"
    #            | "function" | "record rule" (its name is `record.rule`)
    unit: str  # the id of the file that declares it
    span: Span
    type: Type | None
    cites: tuple[ast.Cite, ...] = ()
    description: str | None = None


def _type(checker: "UnitChecker", kind: str, name: str, decl: Any) -> Type | None:
    if kind == "input":
        found = checker.inputs.get(name)
    elif kind == "parameter":
        found = checker.parameters.get(name)
    elif kind in ("define", "output", "function", "record rule"):
        found = (checker.definitions.get(name) if kind in ("define", "output") else
                 checker.functions.get(name) if kind == "function" else
                 checker.element_rules.get(name))
        if decl.type is not None and (found is None or found.type == ERROR):
            return _quietly(checker, decl.type, name)  # what the author declared it gives
    elif kind == "enum":
        return checker.enums.get(name)
    elif kind == "record":
        return checker.records.get(name)
    else:  # a series: the IR keeps its values only
        return _quietly(checker, decl.type, name)
    return found.type if found is not None else None


def _quietly(checker: "UnitChecker", ref: ast.TypeRef, owner: str) -> Type:
    """A declared type, resolved again without reporting again what check() reported."""
    reported = len(checker.diagnostics)
    resolved = checker.resolve_type(ref, owner)
    del checker.diagnostics[reported:]
    return resolved


def symbols_of(checker: "UnitChecker") -> dict[str, Symbol]:
    """Every name the checked file declares, in the order of its declarations."""
    table: dict[str, Symbol] = {}

    def add(name: str, kind: str, decl: Any) -> None:
        cites = tuple(getattr(decl, "cites", ()))
        if isinstance(decl, ast.Define) and isinstance(decl.expr, (ast.Aggregate, ast.FirstOf)):
            cites = decl.expr.cites + cites  # a block's own citations are the rule's
        table[name] = Symbol(name, kind, checker.id, decl.span, _type(checker, kind, name, decl),
                             cites, getattr(decl, "description", None))

    for name, (kind, decl) in checker.names.items():
        add(name, kind, decl)
        for rule, define in checker.record_defines.get(name, {}).items() if kind == "record" else ():
            add(f"{name}.{rule}", "record rule", define)  # after its record
    return table
