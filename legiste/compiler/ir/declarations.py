"""The typed IR's declarations: what a checked file declares (inputs, parameters, series,
definitions, invariants, examples, sources), one compiled file (`Unit`) and a whole
`Program`.

Made by the checking stage (compiler/checking/); the expressions they hold are the
nodes of `ir/nodes.py`. Like them, frozen, with spans and citations out of equality.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from attrs import field, frozen

from legiste.compiler.ir.nodes import Citation, Expr, _cites, _meta
from legiste.compiler.ir.types import Type
from legiste.dsl.span import SourceFile, Span


@frozen
class InputDecl:
    name: str
    type: Type
    minimum: Any = None
    maximum: Any = None
    description: str | None = None
    # `= VALUE`: a presumption, the value when the case omits the input (`presumed`)
    default: Any = None
    presumed: bool = False
    optional: bool = False  # `, optional`: the case may omit it (read with `is given`)
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()

    @property
    def required(self) -> bool:
        """Whether a case must give it (neither presumed nor optional)."""
        return not (self.presumed or self.optional)


@frozen
class Requirement:
    """`require CONDITION "message"`: a relation between the inputs `reads`, checked with
    them (E507 when a case breaks it)."""

    name: str | None
    expr: Expr
    message: str
    reads: tuple[str, ...]  # the inputs the condition reads, in the order written
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class DatedValue:
    start: dt.date
    end: dt.date | None
    value: Any
    index: str | None  # qualified id of the series that indexes the value
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Parameter:
    id: str
    name: str
    type: Type
    values: tuple[DatedValue, ...]  # sorted by start date
    description: str | None = None
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Series:
    id: str
    name: str
    period: str  # "yearly" | "monthly"
    values: dict[str, Decimal] = field(eq=False)
    value_spans: dict[str, Span] = field(eq=False, repr=False)
    publisher: str | None = None
    url: str | None = None
    description: str | None = None
    file: str = ""
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Definition:
    id: str
    name: str
    kind: str  # "define" | "output"
    type: Type
    expr: Expr
    notes: tuple[str, ...] = ()
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Invariant:
    name: str | None
    kind: str  # "expr" | "monotone"
    expr: Expr | None
    output: str | None
    input: str | None
    direction: str
    guard: Expr | None
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Example:
    name: str
    on: dt.date | None
    given: dict[str, Any] = field(eq=False)
    expect: dict[str, Any] = field(eq=False)
    expect_spans: dict[str, Span] = field(eq=False, repr=False)
    expect_error: str | None = None
    span: Span = _meta()
    cites: tuple[Citation, ...] = _cites()


@frozen
class Source:
    name: str
    file: str | None  # None: an external source known by its url only
    url: str | None
    found: bool


@frozen
class Unit:
    """One compiled file: a `policy` (with inputs and outputs) or a `module`."""

    id: str
    kind: str
    file: str
    title: str | None
    authority: str | None
    url: str | None
    sources: tuple[Source, ...]
    as_of: str | None
    inputs: tuple[InputDecl, ...]
    enums: dict[str, Type] = field(eq=False)
    records: dict[str, Type] = field(eq=False)
    parameters: dict[str, Parameter] = field(eq=False)
    series: dict[str, Series] = field(eq=False)
    definitions: tuple[Definition, ...]  # dependencies first
    invariants: tuple[Invariant, ...]
    examples: tuple[Example, ...]
    uses: tuple[str, ...]
    source: SourceFile | None = field(default=None, eq=False, repr=False)  # the text compiled
    element_rules: tuple[Any, ...] = ()  # ir.ElementRule: rules of a record's elements
    functions: tuple[Any, ...] = ()  # ir.Function: user functions
    requirements: tuple[Requirement, ...] = ()  # `require`: relations between inputs

    @property
    def outputs(self) -> tuple[Definition, ...]:
        return tuple(d for d in self.definitions if d.kind == "output")


@frozen
class Program:
    """A policy and every module it uses, all checked."""

    root: str
    units: dict[str, Unit] = field(eq=False)
    lowered: bool = field(default=False, eq=False)  # the lowering passes have run

    @property
    def policy(self) -> Unit:
        return self.units[self.root]

    def definition(self, id: str) -> Definition:
        unit, _, _ = id.rpartition(".")
        return next(d for d in self.units[unit].definitions if d.id == id)

    def parameter(self, id: str) -> Parameter:
        unit, _, _ = id.rpartition(".")
        return self.units[unit].parameters[id]

    def series(self, id: str) -> Series:
        unit, _, _ = id.rpartition(".")
        return self.units[unit].series[id]
