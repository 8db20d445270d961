"""Resolution and checking of declarations: parsed files → the typed IR `Program`.

For each file (dependencies first) this pass builds the table of names, resolves
types, dates, series and citations, checks every definition (in dependency order,
reporting cycles) and every invariant and example. Expressions are checked by
`legiste.compiler.checking.typecheck`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from legiste.compiler import ir
from legiste.compiler.resolution.citations import (SourceRefused, closest_passage, find_source,
                                                    load_source, quote_found)
from legiste.compiler.resolution.config import Config
from legiste.compiler.resolution.modules import Loaded
from legiste.compiler.ir.types import BOOLEAN, DATE, ORDERED, SCALARS, Type, assignable, list_of
from legiste.compiler.checking.typecheck import ERROR, ExprChecker, const_value, parse_date
from legiste.dsl import ast
from legiste.dsl.diagnostics import Diagnostic, did_you_mean, error, warning
from legiste.dsl.span import Span


def check_program(loaded: Loaded, config: Config) -> tuple[ir.Program | None, list[Diagnostic]]:
    """Check every file of a loaded program; the Program is None if any error was found."""
    units: dict[str, ir.Unit] = {}
    diagnostics: list[Diagnostic] = []
    for name in loaded.order:
        checker = UnitChecker(loaded.modules[name], units, config)
        unit = checker.check()
        diagnostics += checker.diagnostics
        units[name] = unit
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    return ir.Program(loaded.root, units), diagnostics


class UnitChecker(ExprChecker):
    """Checks one file against the already-checked files it uses."""

    def __init__(self, module: ast.Module, units: dict[str, ir.Unit], config: Config):
        self.module = module
        self.header = module.header
        assert self.header is not None
        self.id = self.header.name.text
        self.units = units
        self.config = config
        self.diagnostics: list[Diagnostic] = []
        self.names: dict[str, tuple[str, Any]] = {}  # name -> (kind, declaration)
        self.aliases: dict[str, str] = {}  # `use` name or alias -> unit id
        self.enums: dict[str, Type] = {}
        self.records: dict[str, Type] = {}
        self.locals: list[dict[str, Type]] = []
        self.inputs: dict[str, ir.InputDecl] = {}
        self.parameters: dict[str, ir.Parameter] = {}
        self.series: dict[str, ir.Series] = {}
        self.definitions: dict[str, ir.Definition] = {}
        self.in_progress: list[str] = []
        self.sources: dict[str, ir.Source] = {}
        self.source_paths: dict[str, Path] = {}
        self.warned_sources: set[str] = set()

    # ------------------------------------------------------------------ driver

    def check(self) -> ir.Unit:
        decls = self.module.declarations
        self._sources()
        for decl in decls:
            if isinstance(decl, ast.Use):
                self._use(decl)
        for decl in decls:
            self._declare(decl)
        for decl in decls:
            if isinstance(decl, ast.EnumDecl):
                self.enums[decl.name] = Type("enum", decl.name, decl.members)
        for decl in decls:
            if isinstance(decl, ast.RecordDecl):
                self._record(decl)
        for decl in decls:
            if isinstance(decl, ast.InputBlock):
                for field in decl.fields:
                    self._input(field)
            elif isinstance(decl, ast.Series):
                self._series(decl)
        for decl in decls:
            if isinstance(decl, ast.Parameter):
                self._parameter(decl)
        for decl in decls:
            # A define whose name is taken by an earlier declaration was reported by _declare.
            if isinstance(decl, ast.Define) and self.names.get(decl.name, (None, None))[1] is decl:
                self.definition(decl.name)
        invariants = tuple(self._invariant(d) for d in decls if isinstance(d, ast.Invariant))
        examples = self._examples([d for d in decls if isinstance(d, ast.Example)])
        as_of = self._as_of()
        if self.header.kind == "module" and self.inputs:
            first = next(d for d in decls if isinstance(d, ast.InputBlock))
            self.report("E106", "a `module` has no inputs; declare them in the policy that uses it",
                        first.span)
        return ir.Unit(
            id=self.id, kind=self.header.kind, file=self.module.path, title=self.header.title,
            authority=self.header.authority, url=self.header.url,
            sources=tuple(self.sources.values()), as_of=as_of,
            inputs=tuple(self.inputs.values()), enums=dict(self.enums), records=dict(self.records),
            parameters={p.id: p for p in self.parameters.values()},
            series={s.id: s for s in self.series.values()},
            definitions=tuple(self.definitions.values()), invariants=invariants,
            examples=examples, uses=tuple(dict.fromkeys(self.aliases.values())))

    # ------------------------------------------------------------------ names

    def _declare(self, decl: ast.Declaration) -> None:
        entries: list[tuple[str, str, Any, Span]] = []
        if isinstance(decl, ast.InputBlock):
            entries = [(f.name, "input", f, f.span) for f in decl.fields]
        elif isinstance(decl, ast.Parameter):
            entries = [(decl.name, "parameter", decl, decl.span)]
        elif isinstance(decl, ast.Series):
            entries = [(decl.name, "series", decl, decl.span)]
        elif isinstance(decl, ast.EnumDecl):
            entries = [(decl.name, "enum", decl, decl.span)]
        elif isinstance(decl, ast.RecordDecl):
            entries = [(decl.name, "record", decl, decl.span)]
        elif isinstance(decl, ast.Define):
            entries = [(decl.name, decl.kind, decl, decl.span)]
        for name, kind, node, span in entries:
            if name in self.names:
                first = self.names[name][1]
                self.report("E101", f"'{name}' is already declared", span,
                            notes=[f"first declared at {first.span}"],
                            hints=["give one of them another name"])
                continue
            if name in self.aliases:
                self.report("E101", f"'{name}' is already the name of a module used here", span)
                continue
            self.names[name] = (kind, node)

    def _use(self, decl: ast.Use) -> None:
        target = decl.module.text
        if target not in self.units:
            return  # reported by module resolution
        key = decl.alias or target
        self.aliases[key] = target

    def _members(self) -> dict[str, list[Type]]:
        found: dict[str, list[Type]] = {}
        for enum in self.enums.values():
            for member in enum.members:
                found.setdefault(member, []).append(enum)
        return found

    def visible_names(self) -> list[str]:
        names = list(self.names) + list(self._members())
        for alias, unit_id in self.aliases.items():
            unit = self.units[unit_id]
            names += [f"{alias}.{n}" for n in _unit_names(unit)]
        return names

    def lookup(self, name: ast.Name, expected: Type | None) -> ir.Expr:
        span = name.span
        parts = name.parts
        for scope in reversed(self.locals):
            if parts[0] in scope:
                return self.fields(ir.Var(parts[0], scope[parts[0]], span=span), parts[1:], span)
        entry = self.names.get(parts[0])
        if len(parts) > 1 and entry is not None and entry[0] == "input":
            # `practice.group`: a member of the enumeration `one of` declares with the
            # input (an enumeration value has no fields, so nothing else is meant).
            own = self.enums.get(parts[0]) if entry[1].type.name == "enum" else None
            if not (len(parts) == 2 and own is not None and parts[1] in own.members):
                return self.fields(self._reference("input", entry[1], span), parts[1:], span)
        if len(parts) == 1:
            entry = self.names.get(parts[0])
            if entry is not None:
                return self._reference(entry[0], entry[1], span)
            if expected is not None and expected.kind == "enum" and parts[0] in expected.members:
                return ir.Const(parts[0], expected, span=span)  # also an enumeration of a used module
            enums = self._members().get(parts[0], [])
            if expected is not None and expected in enums:
                return ir.Const(parts[0], expected, span=span)
            if len(enums) == 1:
                return ir.Const(parts[0], enums[0], span=span)
            if len(enums) > 1:
                self.report("E100", f"'{parts[0]}' is a value of several enumerations", span,
                            hints=[f"write {e.name}.{parts[0]}" for e in enums])
                return self._bad(span)
        else:
            head, last = ".".join(parts[:-1]), parts[-1]
            if head in self.enums and last in self.enums[head].members:
                return ir.Const(last, self.enums[head], span=span)
            module, _, enum_name = head.rpartition(".")
            foreign = self.units[self.aliases[module]].enums.get(enum_name) \
                if module in self.aliases else None
            if foreign is not None and last in foreign.members:
                return ir.Const(last, foreign, span=span)
            if head in self.aliases:
                found = self._foreign(self.units[self.aliases[head]], last, span)
                if found is not None:
                    return found
        self.report("E100", f"unknown name '{name.text}'", span,
                    hints=did_you_mean(name.text, self.visible_names()))
        return self._bad(span)

    def _foreign(self, unit: ir.Unit, name: str, span: Span) -> ir.Expr | None:
        qualified = f"{unit.id}.{name}"
        if qualified in unit.parameters:
            return ir.Param(qualified, None, unit.parameters[qualified].type, span=span)
        for d in unit.definitions:
            if d.name == name:
                return ir.Local(d.id, d.type, span=span)
        if qualified in unit.series:
            self.report("E200", f"'{name}' is an index series: use it with `indexed by`", span)
            return self._bad(span)
        return None

    def _reference(self, kind: str, node: Any, span: Span) -> ir.Expr:
        if kind == "input":
            decl = self.inputs.get(node.name)
            return ir.Input(node.name, decl.type, span=span) if decl else self._bad(span)
        if kind == "parameter":
            param = self.parameters.get(node.name)
            return ir.Param(param.id, None, param.type, span=span) if param else self._bad(span)
        if kind in ("define", "output"):
            definition = self.definition(node.name)
            if definition is None:
                return self._bad(span)
            return ir.Local(definition.id, definition.type, span=span)
        if kind == "series":
            self.report("E200", f"'{node.name}' is an index series: use it with `indexed by`", span)
        elif kind == "record":
            self.report("E200", f"'{node.name}' is a record type, not a value", span,
                        hints=["declare an input of type `list of " + node.name + "` and go through it "
                               "with [… for each x in …]"])
        else:
            self.report("E200", f"'{node.name}' is an enumeration, not a value", span,
                        hints=[f"compare an input with one of its values: {node.members[0]}"])
        return self._bad(span)

    # ------------------------------------------------------------------ types and citations

    def resolve_type(self, ref: ast.TypeRef, owner: str) -> Type:
        if ref.name == "list":
            return list_of(self.resolve_type(ref.element, owner))  # type: ignore[arg-type]
        if ref.name == "enum":
            return Type("enum", owner, ref.members)
        if ref.name in SCALARS:
            return SCALARS[ref.name]
        if ref.name in self.enums:
            return self.enums[ref.name]
        if ref.name in self.records:
            return self.records[ref.name]
        head, _, last = ref.name.rpartition(".")
        if head in self.aliases and last in self.units[self.aliases[head]].enums:
            return self.units[self.aliases[head]].enums[last]
        if head in self.aliases and last in self.units[self.aliases[head]].records:
            return self.units[self.aliases[head]].records[last]
        self.report("E104", f"unknown type '{ref.name}'", ref.span,
                    hints=did_you_mean(ref.name, list(SCALARS) + list(self.enums) + list(self.records)) or
                    ["types: " + ", ".join(SCALARS) + ", list of TYPE, one of A, B"])
        return ERROR

    def _sources(self) -> None:
        for source in self.header.sources:
            if source.name in self.sources:
                self.report("E101", f"source '{source.name}' is declared twice", source.span)
                continue
            if source.file is None:
                if source.url is None:
                    self.report("E004", f"source '{source.name}' needs a file or a url", source.span,
                                hints=['source law "file.txt" url "https://…"'])
                self.sources[source.name] = ir.Source(source.name, None, source.url, False)
                continue
            try:
                path = find_source(source.file, self.config.sources)
                if path is not None:
                    load_source(path)  # read once here, so that a bad text is located here
            except SourceRefused as exc:
                self.report(exc.code, exc.message, source.span, hints=[exc.hint])
                path = None
            self.sources[source.name] = ir.Source(source.name, source.file, source.url, path is not None)
            if path is not None:
                self.source_paths[source.name] = path

    def cites(self, cites: Iterable[ast.Cite]) -> tuple[ir.Citation, ...]:
        out = []
        for cite in cites:
            if cite.source is not None and cite.source not in self.sources:
                self.report("E302", f"unknown source '{cite.source}'", cite.span,
                            hints=did_you_mean(cite.source, self.sources) or
                            ['declare it in the header: source law "file.txt"'])
                continue
            if cite.source and self.sources[cite.source].file is None:
                # An external source (url only): the quote is kept, marked unverifiable.
                out.append(ir.Citation(cite.quote, self.sources[cite.source].url or cite.source,
                                       False, span=cite.span))
                continue
            names = [cite.source] if cite.source else [n for n, s in self.sources.items() if s.file]
            if not names:
                self.report("E302", "this file declares no source text to check the quote against",
                            cite.span, hints=['add to the header: source law "file.txt"',
                                              "or name an external source: § \"…\" in NAME"])
                continue
            out.append(self._verify(cite, names))
        return tuple(out)

    def _verify(self, cite: ast.Cite, names: list[str]) -> ir.Citation:
        missing = [n for n in names if n not in self.source_paths]
        for name in missing:
            if name not in self.warned_sources:
                self.warned_sources.add(name)
                make = error if self.config.strict else warning
                code = "E301" if self.config.strict else "W301"
                self.diagnostics.append(make(
                    code, f"source text '{self.sources[name].file}' not found: its quotes are "
                    "not verified", cite.span,
                    hints=["put the folder holding it on the sources path: LEGISTE_SOURCES or "
                           "[tool.legiste] sources in pyproject.toml"]))
        texts = [load_source(self.source_paths[n]) for n in names if n in self.source_paths]
        if not texts:
            return ir.Citation(cite.quote, self.sources[names[0]].file, False, span=cite.span)
        for name, text in zip([n for n in names if n in self.source_paths], texts):
            if quote_found(cite.quote, text):
                return ir.Citation(cite.quote, self.sources[name].file, True, span=cite.span)
        hints = []
        for name, text in zip([n for n in names if n in self.source_paths], texts):
            closest = closest_passage(cite.quote, text)
            if closest:
                hints.append(f"closest passage ({self.sources[name].file}, line {closest[1]}): "
                             f"\"{closest[0]}\"")
        self.report("E300", "this quote is not in the source text", cite.span,
                    hints=hints or ["copy the sentence from the source text"])
        return ir.Citation(cite.quote, self.sources[names[0]].file, False, span=cite.span)

    # ------------------------------------------------------------------ declarations

    def _constant(self, node: ast.Expr, type_: Type, what: str) -> Any:
        value = self.expr(node, type_)
        if value.type == ERROR:
            return None
        try:
            result = const_value(value)
        except ValueError:
            self.report("E200", f"{what} must be a constant value", node.span)
            return None
        if type_ != ERROR and not assignable(value.type, type_):
            self.report("E201" if "money" in (type_.kind, value.type.kind) else "E200",
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
        self.inputs[field.name] = ir.InputDecl(field.name, type_, bounds.get("min"), bounds.get("max"),
                                               field.description, span=field.span,
                                               cites=self.cites(field.cites))

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
            if index and type_.kind not in ("money", "decimal"):
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

    def definition(self, name: str) -> ir.Definition | None:
        """Check a `define`/`output` (once), checking what it reads first."""
        if name in self.definitions:
            return self.definitions[name]
        kind, decl = self.names[name]
        if name in self.in_progress:
            cycle = self.in_progress[self.in_progress.index(name):] + [name]
            self.report("E105", "circular definition: " + " → ".join(cycle), decl.span,
                        hints=["a value cannot depend on itself"])
            return None
        self.in_progress.append(name)
        try:
            declared = self.resolve_type(decl.type, name) if decl.type else None
            expr = self.expr(decl.expr, declared)
        finally:
            self.in_progress.pop()
        type_ = expr.type
        if declared is not None and declared != ERROR and type_ != ERROR:
            if not assignable(type_, declared):
                self.report("E201" if "money" in (declared.kind, type_.kind) else "E200",
                            f"'{name}' is declared {declared.short} but its rule gives {type_.short}",
                            decl.expr.span)
            type_ = declared
        result = ir.Definition(f"{self.id}.{name}", name, kind, type_, expr, decl.notes,
                               span=decl.span, cites=self.cites(decl.cites))
        self.definitions[name] = result
        return result

    def _as_of(self) -> str | None:
        name = self.header.as_of
        if name is None:
            return None
        decl = self.inputs.get(name)
        if decl is None or decl.type != DATE:
            self.report("E100" if decl is None else "E200",
                        f"`as of` must name a date input; '{name}' is "
                        + ("not an input" if decl is None else str(decl.type)), self.header.span,
                        hints=did_you_mean(name, [i.name for i in self.inputs.values()
                                                  if i.type == DATE]))
            return None
        return name

    # ------------------------------------------------------------------ invariants and examples

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
        for d in decls:
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
            out.append(self._example(d, given, on))
        return tuple(out)

    def _example(self, decl: ast.Example, given: dict[str, ast.Assignment],
                 on: ast.DateLit | None) -> ir.Example:
        values: dict[str, Any] = {}
        for name, assignment in given.items():
            field = self.inputs.get(name)
            if field is None:
                self.report("E100", f"'{name}' is not an input", assignment.span,
                            hints=did_you_mean(name, self.inputs))
                continue
            values[name] = self._constant(assignment.value, field.type, f"'{name}'")
        missing = [n for n in self.inputs if n not in given]
        if missing and decl.expect_error is None:
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


def _unit_names(unit: ir.Unit) -> list[str]:
    return ([p.name for p in unit.parameters.values()] + [s.name for s in unit.series.values()]
            + [d.name for d in unit.definitions] + list(unit.enums) + list(unit.records))


__all__ = ["check_program", "UnitChecker"]
