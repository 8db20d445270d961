"""Checking stage: inputs, records, series, parameters and `as of` of one file.

Consumes the declarations of an `ast.Module` (after names are declared) and yields
`ir.InputDecl`, record types, `ir.Series` and dated `ir.Parameter` values, checking
constants, bounds, calendar dates and periods.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from legiste.compiler import ir
from legiste.compiler.checking.state import UnitState
from legiste.compiler.checking.units import bare_rates
from legiste.compiler.checking.typecheck import ERROR, const_value, parse_date
from legiste.compiler.ir.kinds import KINDS, mismatch_code
from legiste.compiler.ir.types import DATE, ORDERED, YEAR, Type, assignable
from legiste.dsl import ast
from legiste.dsl.diagnostics import did_you_mean
from legiste.dsl.span import Span


class DeclarationChecks(UnitState):
    """Checks the declarations that hold values: inputs, records, series, parameters."""

    def _constant(self, node: ast.Expr, type_: Type, what: str) -> Any:
        value = self.expr(node, type_)
        if value.type == ERROR or bare_rates(self, node, type_, what):
            return None
        try:
            result = const_value(value)
        except ValueError:
            self.report("E200", f"{what} must be a constant value", node.span)
            return None
        if type_ != ERROR and not assignable(value.type, type_):
            self.report(mismatch_code("value", type_, value.type),
                        f"{what} must be {type_.short}, not {value.type.short}", node.span,
                        hints=["write an amount with its unit: 0 EUR"] if type_.kind == "money" else [])
            return None
        if type_.kind in ("decimal", "rate") and isinstance(result, int):
            return Decimal(result)
        return result

    def _field(self, field: ast.InputField) -> tuple[Type, dict[str, Any]]:
        """The type and bounds of an input or record field."""
        type_ = self.resolve_type(field.type, field.name)
        if field.type.name == "enum":
            self.enums.setdefault(field.name, type_)
        bounds: dict[str, Any] = {}
        for c in field.constraints:
            if type_ != ERROR and type_.kind not in ORDERED:
                word = "least" if c.kind == "min" else "most"
                self.report("E200", f"a {type_.short} has no `at {word}` bound", c.span)
                continue
            bounds[c.kind] = self._constant(c.bound, type_, "the bound")
        return type_, bounds

    def _record(self, decl: ast.RecordDecl) -> None:
        fields, bounds, seen = [], [], set()
        for f in decl.fields:
            if f.default is not None or f.optional:
                self.report("E221", f"field '{f.name}' of record {decl.name} cannot be "
                            + ("presumed" if f.default is not None else "optional"),
                            f.default.span if f.default is not None else f.span,
                            hints=["presumptions and optional values are inputs of the policy"])
            if f.name in seen:
                self.report("E101", f"record {decl.name} has two fields named '{f.name}'", f.span)
                continue
            seen.add(f.name)
            type_, limits = self._field(f)
            fields.append((f.name, type_))
            bounds.append((f.name, limits.get("min"), limits.get("max")))
        self.records[decl.name] = Type("record", decl.name, fields=tuple(fields), bounds=tuple(bounds))

    def _input(self, field: ast.InputField) -> None:
        if self.names.get(field.name, (None, field))[1] is not field:
            return
        type_, bounds = self._field(field)
        default, presumed = self.presumption(field, type_, bounds)  # checking/refusals.py
        self.inputs[field.name] = ir.InputDecl(field.name, type_, bounds.get("min"), bounds.get("max"),
                                               field.description, default, presumed, field.optional,
                                               span=field.span, cites=self.cites(field.cites))

    def _series(self, decl: ast.Series) -> None:
        period = decl.period or "yearly"
        if period not in ("yearly", "monthly"):
            self.report("E004", f"a series is yearly or monthly, not '{period}'", decl.span)
            period = "yearly"
        values: dict[str, Decimal] = {}
        spans: dict[str, Span] = {}
        for v in decl.values:
            monthly = "-" in v.period
            if monthly != (period == "monthly") or (monthly and not 1 <= int(v.period[5:]) <= 12):
                self.report("E010", f"'{v.period}' is not a {period} period", v.span,
                            hints=["yearly: 2023: VALUE; monthly: 2023-05: VALUE"])
                continue
            if v.period in values:
                self.report("E101", f"{v.period} has two values", v.span,
                            notes=[f"first at {spans[v.period]}"])
                continue
            values[v.period], spans[v.period] = Decimal(v.value), v.span
            self.cites(v.cites)
        if decl.publisher is None:
            self.report("E004", f"series '{decl.name}' names no publisher", decl.span,
                        hints=['add: source "Statbel" url "https://…"'])
        sid = f"{self.id}.{decl.name}"
        self.series[decl.name] = ir.Series(sid, decl.name, period, values, spans, decl.publisher,
                                           decl.url, decl.description, self.module.path,
                                           span=decl.span, cites=self.cites(decl.cites))

    def _series_id(self, name: ast.Name) -> str | None:
        parts = name.parts
        if len(parts) == 1 and parts[0] in self.series:
            return self.series[parts[0]].id
        head, last = ".".join(parts[:-1]), parts[-1]
        if head in self.aliases:
            unit = self.units[self.aliases[head]]
            if f"{unit.id}.{last}" in unit.series:
                return f"{unit.id}.{last}"
        candidates = list(self.series) + [f"{a}.{s.name}" for a, u in self.aliases.items()
                                          for s in self.units[u].series.values()]
        self.report("E100", f"unknown index series '{name.text}'", name.span,
                    hints=did_you_mean(name.text, candidates) or
                    ["declare it with `series` or `use` the module that does (e.g. use be.index)"])
        return None

    def _parameter(self, decl: ast.Parameter) -> None:
        if self.names.get(decl.name, (None, decl))[1] is not decl:
            return
        type_ = self.resolve_type(decl.type, decl.name)
        values: list[ir.DatedValue] = []
        for v in decl.values:
            start = parse_date(v.start.text)
            end = parse_date(v.end.text) if v.end else None
            if start is None or (v.end and end is None):
                bad = v.start if start is None else v.end
                self.report("E010", f"{bad.text} is not a date of the calendar", bad.span)  # type: ignore[union-attr]
                continue
            if end is not None and end < start:
                self.report("E010", f"the value from {start} ends before it starts ({end})",
                            v.end.span)  # type: ignore[union-attr]
                continue
            value = self._constant(v.value, type_, f"the value of '{decl.name}'")
            index = self._series_id(v.indexed_by) if v.indexed_by else None
            if index and not (type_.kind in KINDS and KINDS[type_.kind].indexable):
                self.report("E200", f"only an amount or a decimal can be indexed, not {type_.short}",
                            v.indexed_by.span)  # type: ignore[union-attr]
            values.append(ir.DatedValue(start, end, value, index, span=v.span,
                                        cites=self.cites(v.cites)))
        values.sort(key=lambda d: d.start)
        for before, after in zip(values, values[1:]):
            if before.start == after.start:
                self.report("E101", f"two values of '{decl.name}' start on {after.start}", after.span)
            elif before.end is not None and before.end >= after.start:
                self.report("E101", f"the value from {before.start} runs until {before.end}, past the "
                            f"next value's start ({after.start})", before.span)
        if not decl.values:
            self.report("E004", f"parameter '{decl.name}' has no value", decl.span,
                        hints=["add a line: from 2024-01-01: VALUE"])
        self.parameters[decl.name] = ir.Parameter(f"{self.id}.{decl.name}", decl.name, type_,
                                                  tuple(values), decl.description, span=decl.span,
                                                  cites=self.cites(decl.cites))

    def _as_of(self) -> str | None:
        name = self.header.as_of
        if name is None:
            return None
        decl = self.inputs.get(name)
        if decl is None or decl.type not in (DATE, YEAR):
            self.report("E100" if decl is None else "E200",
                        f"`as of` must name a date or a year input; '{name}' is "
                        + ("not an input" if decl is None else str(decl.type)), self.header.span,
                        hints=did_you_mean(name, [i.name for i in self.inputs.values()
                                                  if i.type in (DATE, YEAR)]))
            return None
        if not decl.required:
            self.report("E221", f"`as of` names '{name}', which a case may leave out", self.header.span,
                        hints=["the date of an evaluation is an input every case gives"])
            return None
        return name
