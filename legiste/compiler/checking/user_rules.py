"""Checking stage: rules attached to a record type and user functions.

Consumes the `define` lines of each `ast.RecordDecl` and the `ast.Define`s with
parameters of one file; yields `ir.ElementRule`s and `ir.Function`s (ir/user_rules.py).
Inside a record rule a bare name is first a field of the element, then another rule of
the same record, then a name of the policy; inside a function, first a parameter. Each
is checked once, on its first use or in file order, with cycles (`E105`) and recursion
(`E210`) reported at the declaration. `c.entitled` (a rule of an element) and `f(x)`
(a call) are typed here for typecheck.py.
"""

from __future__ import annotations

from typing import Any

from legiste.compiler import ir
from legiste.compiler.checking.state import UnitState
from legiste.compiler.checking.typecheck import ERROR
from legiste.compiler.ir.kinds import mismatch_code
from legiste.compiler.ir.types import Type, assignable
from legiste.dsl import ast
from legiste.dsl.diagnostics import did_you_mean
from legiste.dsl.span import Span


class UserRuleChecks(UnitState):
    """Checks record rules and user functions (the tables are made by `user_rules_init`)."""

    def user_rules_init(self) -> None:
        self.record_defines: dict[str, dict[str, ast.Define]] = {}
        self.element_rules: dict[str, ir.ElementRule] = {}  # "record.name" -> rule
        self.functions: dict[str, ir.Function] = {}
        self.element_scope: list[Type] = []  # the record whose rule is being checked
        self.arg_scope: list[dict[str, Type]] = []  # the parameters of the function being checked

    # ------------------------------------------------------------------ declarations

    def record_rules_declare(self, decl: ast.RecordDecl) -> None:
        """The names of a record's rules (a field's name is taken)."""
        own: dict[str, ast.Define] = {}
        fields = {f.name for f in decl.fields}
        for d in decl.defines:
            if d.name in fields or d.name in own:
                self.report("E101", f"record {decl.name} already has a {'field' if d.name in fields else 'rule'} "
                            f"named '{d.name}'", d.span, hints=["give the rule another name"])
                continue
            if d.params is not None:
                self.report("E106", "a function is declared at the top level, not inside a record",
                            d.span, hints=["move it out of the record: define NAME(x : TYPE) = …"])
                continue
            own[d.name] = d
        self.record_defines[decl.name] = own

    def check_user_rules(self) -> None:
        """Every record rule and function not yet checked, in file order."""
        for record, defines in self.record_defines.items():
            for name in defines:
                self.element_rule(record, name)
        for name, (kind, _) in list(self.names.items()):
            if kind == "function":
                self.function(name)

    def _isolated(self, key: str, element: Type | None, args: dict[str, Type] | None,
                  check: Any) -> Any:
        """Check a rule's expression in its own scope: no enclosing comprehension's
        variables, only its element or its parameters."""
        saved = self.locals, self.element_scope, self.arg_scope
        self.locals = []
        self.element_scope = [element] if element is not None else []
        self.arg_scope = [args] if args is not None else []
        self.in_progress.append(key)
        try:
            return check()
        finally:
            self.in_progress.pop()
            self.locals, self.element_scope, self.arg_scope = saved

    def _cycle(self, key: str, span: Span, code: str, what: str) -> None:
        cycle = self.in_progress[self.in_progress.index(key):] + [key]
        self.report(code, f"{what}: " + " → ".join(cycle), span,
                    hints=["a value cannot depend on itself" if code == "E105" else
                           "a function cannot call itself, directly or through other rules"])

    def element_rule(self, record: str, name: str) -> ir.ElementRule | None:
        """Check a record rule (once), checking what it reads first."""
        key = f"{record}.{name}"
        if key in self.element_rules:
            return self.element_rules[key]
        decl = self.record_defines[record][name]
        if key in self.in_progress:
            self._cycle(key, decl.span, "E105", "circular definition")
            return None
        record_type = self.records[record]
        type_, expr = self._isolated(key, record_type, None, lambda: self.rule_value(name, decl))
        rule = ir.ElementRule(f"{self.id}.{key}", record, name, type_, expr, decl.notes,
                              span=decl.span, cites=self.cites(decl.cites))
        self.element_rules[key] = rule
        return rule

    def function(self, name: str) -> ir.Function | None:
        """Check a user function (once), checking what it calls first."""
        if name in self.functions:
            return self.functions[name]
        _, decl = self.names[name]
        if name in self.in_progress:
            self._cycle(name, decl.span, "E210", "recursive function")
            return None
        params: dict[str, Type] = {}
        for p in decl.params:
            if p.name in params:
                self.report("E101", f"function {name} has two parameters named '{p.name}'", p.span)
            params[p.name] = self.resolve_type(p.type, p.name)
        type_, expr = self._isolated(name, None, params, lambda: self.rule_value(name, decl))
        fn = ir.Function(f"{self.id}.{name}", name, tuple(params.items()), type_, expr, decl.notes,
                         span=decl.span, cites=self.cites(decl.cites))
        self.functions[name] = fn
        return fn

    # ------------------------------------------------------------------ names in expressions

    def scoped_name(self, name: ast.Name) -> ir.Expr | None:
        """A name of the rule being checked: a function's parameter, or a field or another
        rule of the element (None: not one of these)."""
        head, span = name.parts[0], name.span
        if self.arg_scope and head in self.arg_scope[-1]:
            return self.fields(ir.Arg(head, self.arg_scope[-1][head], span=span), name.parts[1:], span)
        if not self.element_scope:
            return None
        record = self.element_scope[-1]
        element = ir.Element(record, span=span)
        if record.field_type(head) is not None:
            return self.fields(element, name.parts, span)
        if head in self.record_defines.get(record.name, {}):
            return self.fields(element, name.parts, span)
        return None

    def _record_rules(self, record: Type) -> tuple[str | None, dict[str, Any]]:
        """Where a record type's rules are: (None, this file's declarations) or (unit id,
        the checked rules of a used module)."""
        if self.records.get(record.name) == record:
            return None, self.record_defines.get(record.name, {})
        for unit_id in self.aliases.values():
            unit = self.units[unit_id]
            if unit.records.get(record.name) == record:
                return unit_id, {r.name: r for r in unit.element_rules if r.record == record.name}
        return None, {}

    def record_member(self, base: ir.Expr, name: str, span: Span) -> ir.Expr | None:
        """`base.name` where `name` is a rule of the record (None: it is not)."""
        unit_id, rules = self._record_rules(base.type)
        if name not in rules:
            return None
        rule = rules[name] if unit_id is not None else self.element_rule(base.type.name, name)
        if rule is None:
            return self._bad(span)
        return ir.RuleOf(base, rule.id, rule.type, span=span)

    def record_member_names(self, record: Type) -> list[str]:
        """The fields and rules of a record type (for a did-you-mean)."""
        return [f for f, _ in record.fields] + list(self._record_rules(record)[1])

    def user_call(self, node: ast.Call) -> ir.Expr | None:
        """`f(a, b)` where `f` is a user function (None: it is not)."""
        parts = node.func.parts
        fn: ir.Function | None
        if len(parts) == 1 and self.names.get(parts[0], (None,))[0] == "function":
            fn = self.function(parts[0])
        elif len(parts) > 1 and ".".join(parts[:-1]) in self.aliases:
            unit = self.units[self.aliases[".".join(parts[:-1])]]
            fn = next((f for f in unit.functions if f.name == parts[-1]), None)
            if fn is None:
                return None
        else:
            return None
        if fn is None:
            return self._bad(node.span)
        signature = f"{fn.name}(" + ", ".join(f"{n} : {t.short}" for n, t in fn.params) + ")"
        if len(node.args) != len(fn.params):
            self.report("E202", f"{fn.name}() takes {len(fn.params)} value(s), given {len(node.args)}",
                        node.span, notes=[f"declared {signature} at {fn.span}"])
            return self._bad(node.span)
        args = []
        for i, (arg, (pname, ptype)) in enumerate(zip(node.args, fn.params), start=1):
            value = self.expr(arg, ptype)
            if value.type == ERROR:
                return self._bad(node.span)
            if ptype != ERROR and not assignable(value.type, ptype):
                self.report(mismatch_code("value", ptype, value.type),
                            f"value {i} of {fn.name}() ('{pname}') must be {ptype.short}, "
                            f"not {value.type.short}", arg.span, notes=[f"declared {signature}"])
                return self._bad(node.span)
            args.append(value)
        return ir.Apply(fn.id, tuple(args), fn.type, span=node.span)


__all__ = ["UserRuleChecks"]
