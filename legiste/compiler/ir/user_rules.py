"""The typed IR of the rules an author declares beside the policy's own (stage 3): rules
attached to a record type (`define` lines inside `record child`, computed for each
element) and user functions (`define f(x : money) : money = …`).

Consumes nothing; the checker (checking/user_rules.py) builds these nodes, the lowering
pass ir/passes/inline_rules.py replaces each read of a record rule and each call of a
function by an `InlinedRule` (the rule's expression, for that element or those
arguments), which the back ends evaluate as its value. Spans and citations are left
out of equality, as in nodes.py.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from legiste.compiler.ir.nodes import Citation, _cites, _meta
from legiste.compiler.ir.types import Type
from legiste.dsl.span import Span


@frozen
class ElementRule:
    """`define NAME = …` inside `record RECORD`: a value of each element, read as `c.NAME`.
    Its expression reads the element as `Element` (its fields as `Field(Element, …)`)."""

    id: str  # "unit.record.name"
    record: str
    name: str
    type: Type
    expr: Any
    notes: tuple[str, ...] = ()
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Function:
    """`define NAME(x : T, …) : T = …`: a pure computation of its parameters (read as
    `Arg`), the policy's inputs and parameters and its other rules; never recursive."""

    id: str
    name: str
    params: tuple[tuple[str, Type], ...]
    type: Type
    expr: Any
    notes: tuple[str, ...] = ()
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Element:
    """The element a record rule is computed for (inside the rule's expression)."""

    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class RuleOf:
    """`c.entitled`: the record rule `id` of the element `element`."""

    element: Any
    id: str
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Arg:
    """A parameter of the function being computed (inside the function's expression)."""

    name: str
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Apply:
    """`f(a, b)`: a call of the user function `id`."""

    id: str
    args: tuple[Any, ...]
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class InlinedRule:
    """Lowered (ir/passes/inline_rules.py): a record rule read for one element, or a
    function called with its arguments, as the rule's expression (`value`) in which the
    element or the arguments stand. `kind` is "record rule" or "function"; `id` and
    `name` say which rule, for the explanation."""

    kind: str
    id: str
    name: str
    value: Any
    type: Type
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


# The expression nodes of this module (walked by ir/walk.py).
EXPRESSIONS = (Element, RuleOf, Arg, Apply, InlinedRule)

__all__ = ["ElementRule", "Function", "Element", "RuleOf", "Arg", "Apply", "InlinedRule"]
