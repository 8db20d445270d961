"""Type and unit checking of expressions: surface expression → typed IR expression.

The checker reports every problem it finds and goes on with an `error` type that
silences the cascade, so one mistake gives one message. Name lookup is left to the
subclass (`legiste.compiler.checking.check.UnitChecker`), which knows the declarations of the file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow
from typing import Iterable

from legiste.compiler import ir
from legiste.compiler.builtins import BUILTINS
from legiste.compiler.checking.calendar import impossible_date
from legiste.compiler.checking.rule_errors import NEVER, is_rule_error, retyped
from legiste.compiler.checking.units import bare_rate_beside
from legiste.compiler.ir.kinds import KINDS, NUMBER_KINDS, mismatch_code
from legiste.compiler.ir.operators import Agg, Impl, Op
from legiste.compiler.ir.types import (BOOLEAN, DATE, DECIMAL, DURATION, INTEGER, MONEY,
                            RATE, TEXT, Type, arithmetic, assignable, comparable,
                            list_of, unify)
from legiste.compiler.runtime.numbers import _minus
from legiste.compiler.runtime.values import Duration
from legiste.dsl import ast
from legiste.dsl.diagnostics import Diagnostic, did_you_mean, error
from legiste.dsl.span import Span

ERROR = Type("error")  # the type of an expression already reported as wrong


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


class ExprChecker:
    """Translate surface expressions to typed IR, collecting diagnostics."""

    diagnostics: list[Diagnostic]
    locals: list[dict[str, Type]]  # variables bound by enclosing comprehensions

    # Provided by the subclass.
    def lookup(self, name: ast.Name, expected: Type | None) -> ir.Expr:  # pragma: no cover
        raise NotImplementedError

    def cites(self, cites: Iterable[ast.Cite]) -> tuple[ir.Citation, ...]:  # pragma: no cover
        raise NotImplementedError

    # Rules of records and user functions (checking/user_rules.py).
    def record_member(self, base: ir.Expr, name: str, span: Span) -> ir.Expr | None:  # pragma: no cover
        raise NotImplementedError

    def record_member_names(self, record: Type) -> list[str]:  # pragma: no cover
        raise NotImplementedError

    def user_call(self, node: ast.Call) -> ir.Expr | None:  # pragma: no cover
        raise NotImplementedError

    def always_fails(self, span: Span) -> ir.Expr:  # pragma: no cover - checking/refusals.py
        raise NotImplementedError

    def report(self, code: str, message: str, span: Span, hints: Iterable[str] = (),
               notes: Iterable[str] = ()) -> None:
        self.diagnostics.append(error(code, message, span, hints=hints, notes=notes))

    def _bad(self, span: Span) -> ir.Const:
        return ir.Const(None, ERROR, span=span)

    # ------------------------------------------------------------------ entry point

    def expr(self, node: ast.Expr, expected: Type | None = None) -> ir.Expr:
        method = getattr(self, "expr_" + type(node).__name__)
        return method(node, expected)

    def boolean(self, node: ast.Expr, what: str) -> ir.Expr:
        result = self.expr(node, BOOLEAN)
        if result.type not in (BOOLEAN, ERROR):
            self.report("E200", f"{what} must be true or false, but this is {result.type.short}",
                        node.span)
            return self._bad(node.span)
        return result

    # ------------------------------------------------------------------ literals

    def expr_Number(self, node: ast.Number, expected: Type | None) -> ir.Expr:
        try:
            value = Decimal(node.text)
        except InvalidOperation:  # pragma: no cover - the grammar only lets digits through
            self.report("E011", f"invalid number {node.text}", node.span)
            return self._bad(node.span)
        unit = node.unit
        if unit in ("EUR", "€"):
            return ir.Const(value, MONEY, span=node.span)
        if unit == "%":
            return ir.Const(percent(value), RATE, span=node.span)
        if unit is not None:
            if "." in node.text:
                self.report("E011", f"a duration is a whole number of {unit}", node.span,
                            hints=["write 45 days rather than 1.5 months"])
                return self._bad(node.span)
            n = int(node.text)
            if unit.startswith("day"):
                return ir.Const(Duration(days=n), DURATION, span=node.span)
            if unit.startswith("month"):
                return ir.Const(Duration(months=n), DURATION, span=node.span)
            return ir.Const(Duration(months=12 * n), DURATION, span=node.span)
        if "." in node.text:
            return ir.Const(value, DECIMAL, span=node.span)
        return ir.Const(int(node.text), INTEGER, span=node.span)

    def expr_DateLit(self, node: ast.DateLit, expected: Type | None) -> ir.Expr:
        value = parse_date(node.text)
        if value is None:
            self.report("E010", f"{node.text} is not a date of the calendar", node.span,
                        hints=["dates are written YYYY-MM-DD; check the day against the month"])
            return self._bad(node.span)
        return ir.Const(value, DATE, span=node.span)

    def expr_TextLit(self, node: ast.TextLit, expected: Type | None) -> ir.Expr:
        return ir.Const(node.value, TEXT, span=node.span)

    def expr_BoolLit(self, node: ast.BoolLit, expected: Type | None) -> ir.Expr:
        return ir.Const(node.value, BOOLEAN, span=node.span)

    def expr_Ref(self, node: ast.Ref, expected: Type | None) -> ir.Expr:
        return self.lookup(node.name, expected)

    def expr_ListExpr(self, node: ast.ListExpr, expected: Type | None) -> ir.Expr:
        element_expected = expected.element if expected and expected.kind == "list" else None
        items = tuple(self.expr(i, element_expected) for i in node.items)
        element: Type | None = element_expected
        for item in items:
            if item.type == ERROR:
                return self._bad(node.span)
            common = unify(element, item.type) if element else item.type
            if common is None:
                self.report("E200", f"a list mixes {element} and {item.type.short}", item.span)
                return self._bad(node.span)
            element = common
        return ir.ListLit(items, list_of(element) if element else Type("list"), span=node.span)

    # ------------------------------------------------------------------ operators

    def expr_Unary(self, node: ast.Unary, expected: Type | None) -> ir.Expr:
        if node.op == "not":
            operand = self.boolean(node.operand, "the operand of `not`")
            return ir.Unary(Op.NOT, operand, BOOLEAN, span=node.span)
        operand = self.expr(node.operand, expected)
        if operand.type == ERROR:
            return operand
        if operand.type.kind not in NUMBER_KINDS:
            self.report("E200", f"cannot negate {operand.type.short}", node.span)
            return self._bad(node.span)
        return ir.Unary(Op.NEG, operand, operand.type, span=node.span)

    def expr_Binary(self, node: ast.Binary, expected: Type | None) -> ir.Expr:
        if node.op in ("and", "or", "implies"):
            left = self.boolean(node.left, f"each side of `{node.op}`")
            right = self.boolean(node.right, f"each side of `{node.op}`")
            return ir.Logic(Op(node.op), left, right, BOOLEAN, span=node.span)
        left = self.expr(node.left)
        right = self.expr(node.right, left.type if left.type.kind == "enum" else None)
        if left.type.kind == "enum" and right.type == ERROR:
            return self._bad(node.span)
        if right.type.kind == "enum" and left.type.kind != "enum" and left.type != ERROR:
            left = self.expr(node.left, right.type)
        if ERROR in (left.type, right.type) or bare_rate_beside(self, node, left.type, right.type):
            return self._bad(node.span)
        if node.op in ("=", "!=", "<", "<=", ">", ">="):
            if not comparable(node.op, left.type, right.type):
                hint = []
                if {left.type.kind, right.type.kind} <= NUMBER_KINDS:  # an amount and a number
                    hint = ["write the number as an amount, e.g. 0 EUR"]
                self.report(mismatch_code("compare", left.type, right.type),
                            f"cannot compare {left.type.short} with {right.type.short} using {node.op}",
                            node.span, hints=hint)
                return self._bad(node.span)
            return ir.Compare(Op(node.op), left, right, BOOLEAN, span=node.span)
        result, impl = arithmetic(node.op, left.type, right.type)
        if result is None:
            self.report(mismatch_code("compute", left.type, right.type),
                        f"cannot compute {left.type.short} {node.op} {right.type.short}",
                        node.span, hints=[impl] if impl else [])
            return self._bad(node.span)
        return ir.Arith(Op(node.op), Impl(impl), left, right, result, span=node.span)

    def expr_Between(self, node: ast.Between, expected: Type | None) -> ir.Expr:
        value, low, high = self.expr(node.value), self.expr(node.low), self.expr(node.high)
        if ERROR in (value.type, low.type, high.type):
            return self._bad(node.span)
        for bound in (low, high):
            if not comparable("<=", value.type, bound.type):
                self.report("E200", f"cannot compare {value.type.short} with {bound.type.short}",
                            bound.span)
                return self._bad(node.span)
        return ir.Between(value, low, high, BOOLEAN, span=node.span)

    def expr_If(self, node: ast.If, expected: Type | None) -> ir.Expr:
        cond = self.boolean(node.cond, "the condition of `if`")
        then, otherwise = self.expr(node.then, expected), self.expr(node.otherwise, expected)
        if ERROR in (then.type, otherwise.type):
            return self._bad(node.span)
        if is_rule_error(then) or is_rule_error(otherwise):  # `error "…"` takes the other's type
            common = otherwise.type if is_rule_error(then) else then.type
            if common == NEVER:
                return self.always_fails(node.span)
            return retyped(ir.If(cond, then, otherwise, common, span=node.span), common)
        common = unify(then.type, otherwise.type)
        if common is None:
            self.report("E200", f"`then` gives {then.type.short} but `else` gives "
                        f"{otherwise.type.short}", node.otherwise.span,
                        hints=["both branches must give the same kind of value"])
            return self._bad(node.span)
        return ir.If(cond, then, otherwise, common, span=node.span)

    def expr_At(self, node: ast.At, expected: Type | None) -> ir.Expr:
        target = self.expr(node.target)
        when = self.expr(node.when)
        if ERROR in (target.type, when.type):
            return self._bad(node.span)
        if not isinstance(target, ir.Param) or target.at is not None:
            self.report("E200", "only a parameter has values that change with the date",
                        node.target.span, hints=["`at` reads a parameter at another date: "
                                                 "ceiling at date(cost_year, 1, 1)"])
            return self._bad(node.span)
        if when.type != DATE:
            self.report("E200", f"`at` needs a date, not {when.type.short}", node.when.span,
                        hints=["build one with date(year, month, day)"])
            return self._bad(node.span)
        return ir.Param(target.id, when, target.type, span=node.span)

    def expr_Call(self, node: ast.Call, expected: Type | None) -> ir.Expr:
        user = self.user_call(node)  # a user function (checking/user_rules.py)
        if user is not None:
            return user
        name = node.func.text
        builtin = BUILTINS.get(name)
        if builtin is None:
            self.report("E202", f"unknown function '{name}'", node.func.span,
                        hints=did_you_mean(name, BUILTINS))
            return self._bad(node.span)
        args = [self.expr(a) for a in node.args]
        if any(a.type == ERROR for a in args):
            return self._bad(node.span)
        result = builtin.check([a.type for a in args])
        if isinstance(result, str):
            self.report("E202", f"{name}() {result}", node.span,
                        notes=[f"{name}: {builtin.doc}"])
            return self._bad(node.span)
        if builtin.rounds and len(args) == 1:
            # The kind's default step (ir/kinds.py): the cent for an amount, a whole percent
            # for a rate, 1 otherwise.
            step = KINDS[args[0].type.kind].round_step
            args.append(ir.Const(step, args[0].type, span=node.span))
        if name == "date":
            impossible = impossible_date(args)
            if impossible is not None:
                self.report("E010", impossible[0], node.span, hints=impossible[1:])
                return self._bad(node.span)
        return ir.Call(builtin, tuple(args), result, span=node.span)

    def expr_Comprehension(self, node: ast.Comprehension, expected: Type | None) -> ir.Expr:
        source = self.expr(node.source)
        if source.type == ERROR:
            return self._bad(node.span)
        if source.type.kind != "list" or source.type.element is None:
            self.report("E200", f"`for each` goes through a list, not {source.type.short}",
                        node.source.span)
            return self._bad(node.span)
        self.locals.append({node.var: source.type.element})
        try:
            where = self.boolean(node.where, "the `where` condition") if node.where else None
            body = self.expr(node.body)
        finally:
            self.locals.pop()
        if body.type == ERROR:
            return self._bad(node.span)
        return ir.Comprehension(node.var, source, where, body, list_of(body.type), span=node.span)

    def expr_RecordLit(self, node: ast.RecordLit, expected: Type | None) -> ir.Expr:
        if expected is None or expected.kind != "record":
            self.report("E200", "a record value {…} stands only where a record is expected",
                        node.span, hints=["give it as the value of an input of a record type"])
            return self._bad(node.span)
        given = dict(node.fields)
        problems = [f"unknown field '{n}'" for n in given if expected.field_type(n) is None]
        problems += [f"missing field '{n}'" for n, _ in expected.fields if n not in given]
        if problems:
            self.report("E200", f"this {expected.name} value has " + "; ".join(problems), node.span,
                        hints=["fields: " + ", ".join(n for n, _ in expected.fields)])
            return self._bad(node.span)
        fields = []
        for name, field_type in expected.fields:
            value = self.expr(given[name], field_type)
            if value.type == ERROR:
                return self._bad(node.span)
            if not assignable(value.type, field_type):
                self.report("E200", f"field '{name}' must be {field_type.short}, not {value.type.short}",
                            given[name].span)
                return self._bad(node.span)
            fields.append((name, value))
        return ir.RecordLit(tuple(fields), expected, span=node.span)

    def fields(self, base: ir.Expr, names: tuple[str, ...], span: Span) -> ir.Expr:
        """`base.a.b`: field access on a record value."""
        for name in names:
            if base.type.kind != "record":
                self.report("E100", f"{base.type.short} has no field '{name}'", span)
                return self._bad(span)
            field_type = base.type.field_type(name)
            if field_type is None:
                member = self.record_member(base, name, span)  # a rule of the record
                if member is not None:
                    base = member
                    continue
                known = self.record_member_names(base.type)
                what = "field" if len(known) == len(base.type.fields) else "field or rule"
                self.report("E100", f"record {base.type.name} has no {what} '{name}'", span,
                            hints=did_you_mean(name, known) or [f"{what}s: " + ", ".join(known)])
                return self._bad(span)
            base = ir.Field(base, name, field_type, span=span)
        return base

    # ------------------------------------------------------------------ blocks

    def _conditions(self, kind: str, items: tuple[ast.Item | ast.Branch, ...]
                    ) -> tuple[ir.Condition, ...] | None:
        out = []
        wrong = False
        for item in items:
            if isinstance(item, ast.Branch):  # the parser keeps it as written
                self.report("E004", f"`when`/`otherwise` lines belong in a `first of` block, "
                            f"not in `{Agg(kind).head}`", item.span)
                wrong = True
                continue
            expr = self.boolean(item.expr, "each condition")
            exceptions = tuple(
                ir.Exception_(self.boolean(e.cond, "an `unless` exception"), span=e.span,
                              cites=self.cites(e.cites))
                for e in item.exceptions)
            out.append(ir.Condition(expr, exceptions, span=item.span, cites=self.cites(item.cites)))
        return None if wrong else tuple(out)

    def expr_Aggregate(self, node: ast.Aggregate, expected: Type | None) -> ir.Expr:
        k = None
        if node.k is not None:
            k = self.expr(node.k)
            if k.type not in (INTEGER, ERROR):
                self.report("E200", f"`at least K of` needs a whole number K, not {k.type.short}",
                            node.k.span)
        kind = Agg(node.kind)
        result = INTEGER if kind.counts else BOOLEAN
        cites = self.cites(node.cites)
        if node.items is not None:
            items = self._conditions(node.kind, node.items)
            if items is None:
                return self._bad(node.span)
            return ir.Aggregate(kind, items, None, k, result, span=node.span, cites=cites)
        over = self.expr(node.over)  # type: ignore[arg-type]
        if node.kind == "count" and over.type.kind == "list" and over.type.element not in (None, BOOLEAN):
            # `count of [c for each c in children where c.entitled]`: how many elements
            return ir.Call(BUILTINS["size"], (over,), INTEGER, span=node.span, cites=cites)
        if over.type != ERROR and (over.type.kind != "list" or over.type.element != BOOLEAN):
            self.report("E200", f"`{kind.head}` counts a list of true/false "
                        f"values, not {over.type.short}", node.over.span)  # type: ignore[union-attr]
            return self._bad(node.span)
        return ir.Aggregate(kind, (), over, k, result, span=node.span, cites=cites)

    def expr_FirstOf(self, node: ast.FirstOf, expected: Type | None) -> ir.Expr:
        branches: list[ir.Branch] = []
        otherwise: ir.Expr | None = None
        common: Type | None = expected if expected and expected.kind != "enum" else None
        failed = False
        for i, branch in enumerate(node.branches):
            if isinstance(branch, ast.Item):  # the parser keeps it as written
                self.report("E004", "each line of `first of` needs `when CONDITION` or `otherwise`",
                            branch.span, hints=["write: VALUE when CONDITION"])
                failed = True
                continue
            value = self.expr(branch.value, expected)
            if value.type == ERROR:
                failed = True
            elif is_rule_error(value):
                pass  # `error "…"`: the type of the other lines
            elif common is None:
                common = value.type
            else:
                unified = unify(common, value.type)
                if unified is None:
                    self.report("E200", f"this line gives {value.type.short} where the lines above "
                                f"give {common.short}", branch.value.span)
                    failed = True
                else:
                    common = unified
            if branch.cond is None:
                if i != len(node.branches) - 1:
                    self.report("E203", "`otherwise` must be the last line of `first of`",
                                branch.span, hints=["lines after it could never apply"])
                otherwise = value
                continue
            cond = self.boolean(branch.cond, "the condition after `when`")
            branches.append(ir.Branch(cond, value, span=branch.span, cites=self.cites(branch.cites)))
        if not failed and common is None:
            return self.always_fails(node.span)
        if failed or common is None:
            return self._bad(node.span)
        if otherwise is None and not _exhaustive(branches):
            self.report("E203", "this `first of` has no `otherwise` line, so some cases get no value",
                        node.span, hints=["add a last line `VALUE otherwise` saying what applies "
                                          "when no condition holds"])
            return self._bad(node.span)
        return retyped(ir.FirstOf(tuple(branches), otherwise, common, span=node.span,
                                  cites=self.cites(node.cites)), common)


def _exhaustive(branches: list[ir.Branch]) -> bool:
    """True when the conditions are `X = member` over every member of X's enumeration."""
    seen: set[str] = set()
    subject: ir.Expr | None = None
    for branch in branches:
        cond = branch.cond
        if not (isinstance(cond, ir.Compare) and cond.op is Op.EQ and cond.left.type.kind == "enum"
                and isinstance(cond.right, ir.Const)):
            return False
        if subject is not None and cond.left != subject:
            return False
        subject = cond.left
        seen.add(cond.right.value)
    return subject is not None and seen == set(subject.type.members)


def percent(value: Decimal) -> Decimal:
    """A `%` literal as a rate, exactly: 19.99999999999999999999999999999 % is 0.1999…9, not
    the 0.2 a 28-digit division gives. Divided with as many digits as it has (a division
    by 100 needs no more), so a short literal is the Decimal it always was (20 % = 0.2)."""
    digits = len(value.as_tuple().digits)
    context = Context(prec=max(28, digits), Emin=-999999, Emax=999999,
                      traps=[Inexact, InvalidOperation, Overflow])
    return context.divide(value, 100)


def const_value(node: ir.Expr) -> object:
    """The value of a constant expression (example values, input bounds), or raise."""
    if isinstance(node, ir.Const):
        return node.value
    if isinstance(node, ir.ListLit):
        return tuple(const_value(i) for i in node.items)
    if isinstance(node, ir.RecordLit):
        return {name: const_value(value) for name, value in node.fields}
    if isinstance(node, ir.Unary) and node.op is Op.NEG:
        value = const_value(node.operand)
        return _minus(value) if isinstance(value, Decimal) else -value  # type: ignore[operator]
    raise ValueError("not a constant")


__all__ = ["ExprChecker", "ERROR", "const_value", "parse_date"]
