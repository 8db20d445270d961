"""Resolution and checking of declarations: parsed files → the typed IR `Program`.

Checking stage; consumes the `Loaded` modules of `legiste.compiler.resolution.modules`.
For each file (dependencies first) this pass builds the table of names, resolves
types, dates, series and citations, checks every definition (in dependency order,
reporting cycles) and every invariant and example. Its parts: citations.py (sources,
quotes), declarations.py (inputs, records, series, parameters), examples.py
(invariants, examples); expressions are checked by typecheck.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from legiste.compiler import ir
from legiste.compiler.resolution.config import Config
from legiste.compiler.resolution.modules import Loaded
from legiste.compiler.ir.types import SCALARS, Type, assignable, list_of
from legiste.compiler.ir.kinds import mismatch_code
from legiste.compiler.checking.citations import CitationChecks
from legiste.compiler.checking.declarations import DeclarationChecks
from legiste.compiler.checking.examples import ExampleChecks
from legiste.compiler.checking.tables import TableChecks
from legiste.compiler.checking.refusals import RefusalChecks
from legiste.compiler.checking.typecheck import ERROR
from legiste.compiler.checking.units import bare_rates
from legiste.compiler.checking.user_rules import UserRuleChecks
from legiste.dsl import ast
from legiste.dsl.diagnostics import Diagnostic, did_you_mean
from legiste.dsl.span import NO_SPAN, Span


def check_units(loaded: Loaded, config: Config
                ) -> tuple[dict[str, ir.Unit], dict[str, "UnitChecker"], list[Diagnostic]]:
    """Check every file of a loaded program (dependencies first), whatever errors they
    have: the units (wrong expressions typed `error`), each file's checker with its
    tables, and every diagnostic."""
    units: dict[str, ir.Unit] = {}
    checkers: dict[str, UnitChecker] = {}
    diagnostics: list[Diagnostic] = []
    for name in loaded.order:
        checker = UnitChecker(loaded.modules[name], units, config)
        units[name] = checker.check()
        checkers[name] = checker
        diagnostics += checker.diagnostics
    return units, checkers, diagnostics


class UnitChecker(CitationChecks, DeclarationChecks, ExampleChecks, TableChecks, UserRuleChecks,
                  RefusalChecks):
    """Checks one file against the already-checked files it uses.

    The driver, names, types and rules live here; sources and citations, value
    declarations, and invariants and examples are checked by the parts it inherits.
    """

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
        self.tables, self.checked_tables = {}, {}  # decision tables (tables.py)
        self.user_rules_init()
        self.needs: dict[str, dict[str, Span]] = {}  # optional inputs read (refusals.py)
        self.facts: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

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
                self._distinct(decl.members, decl.span)
                self.enums[decl.name] = Type("enum", decl.name, decl.members)
        for decl in decls:
            if isinstance(decl, ast.RecordDecl):
                self._record(decl)
                self.record_rules_declare(decl)
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
            if isinstance(decl, ast.Define) and self.names.get(decl.name, (None, None))[1] is decl \
                    and decl.params is None:
                self.definition(decl.name)
            elif isinstance(decl, ast.Table):
                self.table(decl)
        self.check_user_rules()
        invariants = tuple(self._invariant(d) for d in decls if isinstance(d, ast.Invariant))
        for invariant in invariants:
            self.guard_invariant(invariant)
        requirements = tuple(r for r in (self.requirement(d) for d in decls
                                         if isinstance(d, ast.Requirement)) if r is not None)
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
            examples=examples, uses=tuple(dict.fromkeys(self.aliases.values())),
            source=self.module.source, element_rules=tuple(self.element_rules.values()),
            functions=tuple(self.functions.values()), requirements=requirements)

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
            entries = [(decl.name, decl.kind if decl.params is None else "function", decl, decl.span)]
        elif isinstance(decl, ast.Table):
            entries = self.table_entries(decl)
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
        scoped = self.scoped_name(name)  # a field, rule or parameter of the rule checked
        if scoped is not None:
            return scoped
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
        elif kind == "function":
            self.report("E200", f"'{node.name}' is a function, not a value", span,
                        hints=[f"call it: {node.name}(" + ", ".join(p.name for p in node.params) + ")"])
        elif kind == "record":
            self.report("E200", f"'{node.name}' is a record type, not a value", span,
                        hints=["declare an input of type `list of " + node.name + "` and go through it "
                               "with [… for each x in …]"])
        else:
            self.report("E200", f"'{node.name}' is an enumeration, not a value", span,
                        hints=[f"compare an input with one of its values: {node.members[0]}"])
        return self._bad(span)

    # ------------------------------------------------------------------ types

    def resolve_type(self, ref: ast.TypeRef, owner: str) -> Type:
        if ref.name == "list":
            return list_of(self.resolve_type(ref.element, owner))  # type: ignore[arg-type]
        if ref.name == "enum":
            self._distinct(ref.members, ref.span)
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

    def _distinct(self, members: tuple[str, ...], span: Span) -> None:
        """E101 at the first value an enumeration lists again (the parser keeps it)."""
        for i, member in enumerate(members):
            if member in members[:i]:
                where = member.span if isinstance(member, ast.Ident) and member.span is not NO_SPAN \
                    else span
                self.report("E101", "an enumeration lists the same value twice", where,
                            hints=[f"remove the second '{member}'"])
                return

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
            if isinstance(decl, ast.TableOutput):
                return self.table_output(decl)
            type_, expr = self.rule_value(name, decl)
        finally:
            self.in_progress.pop()
        result = ir.Definition(f"{self.id}.{name}", name, kind, type_, expr, decl.notes,
                               span=decl.span, cites=self.cites(decl.cites))
        self.guard_rule(result)  # optional inputs read: checking/refusals.py
        self.definitions[name] = result
        return result

    def rule_value(self, name: str, decl: ast.Define) -> tuple[Type, ir.Expr]:
        """The type and checked expression of a rule, against its declared type if any."""
        declared = self.resolve_type(decl.type, name) if decl.type else None
        expr = self.expr(decl.expr, declared)
        if bare_rates(self, decl.expr, declared, f"'{name}'"):
            expr = self._bad(decl.expr.span)
        type_ = expr.type
        if declared is not None and declared != ERROR and type_ != ERROR:
            if not assignable(type_, declared):
                self.report(mismatch_code("value", declared, type_),
                            f"'{name}' is declared {declared.short} but its rule gives {type_.short}",
                            decl.expr.span)
            type_ = declared
        return type_, expr


def _unit_names(unit: ir.Unit) -> list[str]:
    return ([p.name for p in unit.parameters.values()] + [s.name for s in unit.series.values()]
            + [d.name for d in unit.definitions] + list(unit.enums) + list(unit.records))


__all__ = ["check_units", "UnitChecker"]
