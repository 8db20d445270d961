"""IR expressions compiled to Python expressions.

Each method gives the code of an expression and its precedence (see syntax.py), so that
parentheses are written only where Python needs them. Conditions are generated before
the values they guard, as they are evaluated; what is evaluated, and in which order, is
what compiler/interpreter/evaluate.py evaluates, so that the same rule fails with the same error.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from legiste.compiler import ir
from legiste.compiler.ir.kinds import DECIMAL_KINDS
from legiste.compiler.ir.passes.analysis import RuleFacts, once_compared
from legiste.compiler.backends.python.syntax import (CMP, P_ADD, P_AND, P_ATOM, P_CMP, P_IF, P_MUL, P_NEG,
                                             P_NOT, P_OR, P_POSTFIX, ascii_name, comment, wrap)
from legiste.compiler.backends.python.exact_comparisons import ExactComparisons
from legiste.compiler.backends.python.refusals_emit import RefusalExpressions
from legiste.compiler.backends.python.first_of import FLAT_FIRST_OF, FirstOfCode  # noqa: F401 (re-exported)
from legiste.compiler.backends.python.shared_lists import SharedLists
from legiste.compiler.backends.python.tables import ModuleTables
from legiste.compiler.backends.python.user_rules_emit import UserRuleCode
from legiste.compiler.builtins import python_call
from legiste.compiler.runtime.numbers import _money
from legiste.compiler.ir.operators import Agg, Impl, Op
from legiste.compiler.ir.walk import walk

_PY_ARITH = {Op.ADD: "+", Op.SUB: "-", Op.MUL: "*"}


class ExpressionCompiler(UserRuleCode, ExactComparisons, RefusalExpressions, SharedLists,
                         FirstOfCode, ModuleTables):
    """Python code for the expressions of a program's rules."""

    def __init__(self, program: ir.Program):
        super().__init__(program)
        self.facts = RuleFacts(program)
        self.definitions = self.facts.definitions
        self.inlined: set[str] = set()   # rules read in place (see RuleFacts.inlined)
        self.memo: set[str] = set()      # rules memoised in `m` (read more than once)
        self.var_names: dict[int, str] = {}
        # Whether the rule being generated is its fast form (see ModuleGenerator.definition).
        self.fast = False
        self.reuse: dict[int, str] = {}  # comprehension nodes built once, and their names
        self.reused: list[tuple[Any, str]] = []
        # Memoised rules surely in `m` where the code being generated runs: the eager rules
        # (computed when a case starts), and, in the API, the outputs already read.
        self.eager: set[str] = set()
        self.known: set[str] = set()
        # Memoised rules computed where they are read (see RuleFacts.stored).
        self.stored: set[str] = set()
        # Comprehensions surely not empty where the code being generated runs (see _Logic).
        self.nonempty: list[Any] = []

    def expr(self, node: Any, scope: dict[str, str]) -> tuple[str, int]:
        """Python code for an IR expression, and its precedence."""
        return getattr(self, "_" + type(node).__name__)(node, scope)

    def code(self, node: Any, scope: dict[str, str], needed: int = 0) -> str:
        """The code of an expression, in parentheses if it binds less tightly than `needed`."""
        return wrap(self.expr(node, scope), needed)

    def _Const(self, node: ir.Const, scope: dict[str, str]) -> tuple[str, int]:
        return self.const(node.value), P_ATOM

    def _Input(self, node: ir.Input, scope: dict[str, str]) -> tuple[str, int]:
        # a presumption, or an optional input: refusals_emit.py
        return self.input_read(node) or (f"v[{node.name!r}]", P_POSTFIX)

    def _Local(self, node: ir.Local, scope: dict[str, str]) -> tuple[str, int]:
        if node.id in self.inlined:  # a small rule that cannot fail: its expression, in place
            return self.expr(self.definitions[node.id].expr, scope)
        return self.read(node.id, scope)

    def read(self, id: str, scope: dict[str, str] | None = None) -> tuple[str, int]:
        """A rule's value: a rule read more than once is memoised in `m` (its function
        stores it), read as `m[KEY] if KEY in m else rule_NAME(v, m)`, or `m[KEY]` where it
        is surely there; a small one that cannot fail is computed in place when it is not
        there, `m.setdefault(KEY, EXPR)` (no call). `scope` is where the read is."""
        call = f"{self.rule_fn[id]}(v, m)"
        key = repr(self.memo_key.get(id))
        if id in self.eager or id in self.known:
            return f"m[{key}]", P_POSTFIX
        if id in self.stored:
            return f"m[{key}] if {key} in m else {self.store(id, scope or {})}", P_IF
        if id in self.memo:
            return f"m[{key}] if {key} in m else {call}", P_IF
        return call, P_POSTFIX

    def store(self, id: str, scope: dict[str, str]) -> str:
        """A memoised rule computed in place and stored: `m.setdefault(KEY, EXPR)`."""
        return f"m.setdefault({self.memo_key[id]!r}, {self.code(self.definitions[id].expr, scope, 1)})"

    def _Param(self, node: ir.Param, scope: dict[str, str]) -> tuple[str, int]:
        when = self.code(node.at, scope, 1)  # lowered: m['@as of'] where no date is written
        site = self.site(node.span)
        fn, cache = self.param_fn[node.id], self.param_cache[node.id]
        # The per-date cache read in place; a miss (or a value of 0) calls the function.
        if when.isidentifier() or when == "m['@as of']" or (
                isinstance(node.at, ir.Local) and (node.at.id in self.eager or node.at.id in self.known)
                and node.at.id not in self.inlined):
            return f"{cache}.get({when}) or {fn}({when}, {site})", P_OR
        if isinstance(node.at, ir.Local) and node.at.id in self.memo and not scope:
            # a memoised rule: after the first read, `m[KEY]` is its value
            key = repr(self.memo_key[node.at.id])
            return f"{cache}.get({when}) or {fn}(m[{key}], {site})", P_OR
        if scope:  # inside a comprehension: no assignment expression
            return f"{fn}({when}, {site})", P_POSTFIX
        return f"{cache}.get(_w{site} := {when}) or {fn}(_w{site}, {site})", P_OR

    def _AsOf(self, node: ir.AsOf, scope: dict[str, str]) -> tuple[str, int]:
        return "m['@as of']", P_POSTFIX

    def _ToDecimal(self, node: ir.ToDecimal, scope: dict[str, str]) -> tuple[str, int]:
        return f"_D({self.code(node.value, scope, 1)})", P_POSTFIX

    def _RoundToCent(self, node: ir.RoundToCent, scope: dict[str, str]) -> tuple[str, int]:
        return self.rounded(node.value, scope)

    def rounded(self, node: Any, scope: dict[str, str]) -> tuple[str, int]:
        """An output amount rounded half up to the cent (ir.RoundToCent), the rounding done
        in each branch of an `if` or `first of` (a constant is rounded here)."""
        if isinstance(node, ir.Const) and isinstance(node.value, Decimal):
            return self.const(_money(node.value)), P_ATOM
        if isinstance(node, ir.If):
            return self.if_code(node, scope, lambda n: self.rounded(n, scope))
        if isinstance(node, ir.FirstOf) and node.branches:
            return " ".join(self.first_of(node, scope, lambda n: self.rounded(n, scope))), P_IF
        return f"{self.code(node, scope, P_POSTFIX)}.quantize(_CENT, _HALF_UP, _CONTEXT)", P_POSTFIX

    def _Unary(self, node: ir.Unary, scope: dict[str, str]) -> tuple[str, int]:
        if node.op is Op.NOT:
            return f"not {self.code(node.operand, scope, P_NOT)}", P_NOT
        if node.type.kind in DECIMAL_KINDS:  # in Légiste's context, not the caller's
            return f"_minus({self.code(node.operand, scope, 1)})", P_POSTFIX
        return f"-{self.code(node.operand, scope, P_NEG)}", P_NEG

    def _Arith(self, node: ir.Arith, scope: dict[str, str]) -> tuple[str, int]:
        impl, op = node.impl, node.op
        site = self.site(node.span)
        if impl.moves_date:
            # the interpreter reads the date first, then the duration
            date_node, duration = (node.right, node.left) if impl is Impl.DUR_PLUS_DATE else (node.left, node.right)
            sign = -1 if impl is Impl.DATE_MINUS_DUR else 1
            if self.fast and isinstance(duration, ir.Const) and not duration.value.months:
                # A constant number of days: a timedelta (outside the calendar, OverflowError
                # sends the rule to its exact path, where _move reports E404).
                days = self.const(dt.timedelta(days=duration.value.days))
                return f"{self.code(date_node, scope, P_ADD)} {'-' if sign < 0 else '+'} {days}", P_ADD
            date_code = self.code(date_node, scope, 1)
            return f"_move({date_code}, {self.code(duration, scope, 1)}, {sign}, {site})", P_POSTFIX
        if impl is Impl.DATE_MINUS_DATE:
            left = self.code(node.left, scope, P_ADD)
            return f"({left} - {self.code(node.right, scope, P_ADD + 1)}).days", P_POSTFIX
        if impl is Impl.INT_TIMES_DUR:  # the interpreter computes duration × integer, duration first
            right = self.code(node.right, scope, P_MUL)
            return f"{right} * {self.code(node.left, scope, P_MUL + 1)}", P_MUL
        if op is Op.DIV:
            right = node.right
            if isinstance(right, ir.Const) and isinstance(right.value, (int, Decimal)) \
                    and not isinstance(right.value, bool) and right.value:
                # A divisor that is a non-zero constant: the division cannot fail.
                left = self.code(node.left, scope, 1)  # a Decimal (lowered: ir.ToDecimal)
                return f"_divide({left}, {self.const(right.value)})", P_POSTFIX
            left = self.code(node.left, scope, 1)
            return f"_div({left}, {self.code(node.right, scope, 1)}, {site})", P_POSTFIX
        if node.type.kind in DECIMAL_KINDS:
            # Exact or Inexact, never rounded (the runtime's _EXACT, compiler/runtime/values.py EXACT).
            fn = {Op.ADD: "_xadd", Op.SUB: "_xsub", Op.MUL: "_xmul"}[op]
            return f"{fn}({self.code(node.left, scope, 1)}, {self.code(node.right, scope, 1)})", P_POSTFIX
        prec = P_MUL if op is Op.MUL else P_ADD
        left = self.code(node.left, scope, prec)
        return f"{left} {_PY_ARITH[op]} {self.code(node.right, scope, prec + 1)}", prec

    def _Compare(self, node: ir.Compare, scope: dict[str, str]) -> tuple[str, int]:
        folded = self.folded_choice(node, scope)
        if folded is not None:
            return folded
        for side, other in ((node.left, node.right), (node.right, node.left)):
            # `b = true` is `b`, `b = false` is `not b` (a table's cell of a boolean column):
            # a boolean is True or False, so the value is the same, without a comparison
            if node.op in (Op.EQ, Op.NE) and isinstance(other, ir.Const) \
                    and type(other.value) is bool and side.type.kind == "boolean":
                if other.value == (node.op is Op.EQ):
                    return self.expr(side, scope)
                return f"not {self.code(side, scope, P_NOT)}", P_NOT
        once = once_compared(node)
        if once is not None:  # decided by the Decimals unless they are equal (analysis.py)
            return self.compared_once(node, *once, scope)
        left = self.code(node.left, scope, P_CMP + 1)
        return f"{left} {CMP[node.op]} {self.code(node.right, scope, P_CMP + 1)}", P_CMP

    def folded_choice(self, node: ir.Compare, scope: dict[str, str]) -> tuple[str, int] | None:
        """`(if c then "a" else "b") = "a"` is `c` (and `= "b"` is `not c`): a choice between
        two texts (an enumeration value, such as a status) compared with one of them is its
        condition. The condition is evaluated as before; only the choice is not built."""
        if node.op not in (Op.EQ, Op.NE):
            return None
        for side, other in ((node.left, node.right), (node.right, node.left)):
            choice = self.facts.in_place(side)
            if not (isinstance(choice, ir.If) and isinstance(other, ir.Const)
                    and all(isinstance(x, ir.Const) and type(x.value) is str
                            for x in (choice.then, choice.otherwise, other))):
                continue
            then_equal = choice.then.value == other.value
            if then_equal == (choice.otherwise.value == other.value):
                return None  # both or neither: the condition would not decide
            if then_equal == (node.op is Op.EQ):
                return self.expr(choice.cond, scope)
            cond = choice.cond
            if isinstance(cond, ir.Compare) and cond.op in (Op.EQ, Op.NE) \
                    and self.folded_choice(cond, scope) is None:  # `a != b`, not `not a == b`
                left = self.code(cond.left, scope, P_CMP + 1)
                right = self.code(cond.right, scope, P_CMP + 1)
                return f"{left} {'!=' if cond.op is Op.EQ else '=='} {right}", P_CMP
            return f"not {self.code(cond, scope, P_NOT)}", P_NOT
        return None

    def _Logic(self, node: ir.Logic, scope: dict[str, str]) -> tuple[str, int]:
        shared = self.shared_lists(node, scope)
        if node.op is Op.AND:
            left = self.code(node.left, scope, P_AND)
            nonempty = self.nonempty_lists(node.left)
            self.nonempty += nonempty
            learnt = self.learn(node.left)
            try:
                right = self.code(node.right, scope, P_AND + 1)
            finally:
                del self.nonempty[len(self.nonempty) - len(nonempty):]
                self.forget(learnt)
            text, prec = f"{left} and {right}", P_AND
        else:
            left = self.code(node.left, scope, P_OR) if node.op is Op.OR else \
                f"not {self.code(node.left, scope, P_NOT)}"
            learnt = self.learn(node.left)
            try:
                right = self.code(node.right, scope, P_OR + 1)
            finally:
                self.forget(learnt)
            text, prec = f"{left} or {right}", P_OR
        for c in shared:
            self.reuse.pop(id(c), None)
        self.reused = [(c, name) for c, name in self.reused if c not in shared]
        return text, prec

    def _Between(self, node: ir.Between, scope: dict[str, str]) -> tuple[str, int]:
        # low <= value <= high: Python's chained comparison, as the interpreter evaluates it
        low = self.code(node.low, scope, P_CMP + 1)
        value = self.code(node.value, scope, P_CMP + 1)
        return f"{low} <= {value} <= {self.code(node.high, scope, P_CMP + 1)}", P_CMP

    def _If(self, node: ir.If, scope: dict[str, str]) -> tuple[str, int]:
        return self.if_code(node, scope, lambda n: self.expr(n, scope))

    def if_code(self, node: ir.If, scope: dict[str, str], branch: Any) -> tuple[str, int]:
        """`then if cond else otherwise`, the condition generated first (it is evaluated
        first); `branch(node)` gives the code of a branch and its precedence."""
        cond = self.code(node.cond, scope, P_OR)
        then = wrap(branch(node.then), P_NOT)  # (`and`/`or` in parentheses, for the reader)
        otherwise = branch(node.otherwise)
        last = otherwise[0] if otherwise[1] == P_IF else wrap(otherwise, P_NOT)
        return f"{then} if {cond} else {last}", P_IF

    def condition(self, item: ir.Condition, scope: dict[str, str]) -> tuple[str, int]:
        """An item of an aggregate: its exceptions first (any waives it), then the rule."""
        if not item.exceptions:
            return self.expr(item.expr, scope)
        parts = [self.code(e.cond, scope, P_OR + 1) for e in item.exceptions]
        parts.append(self.code(item.expr, scope, P_OR + 1))
        return " or ".join(parts), P_OR

    def chain(self, items: tuple[ir.Condition, ...], scope: dict[str, str], prec: int) -> list[str]:
        """The items of `all of` / `any of`."""
        return [wrap(self.condition(item, scope), prec + 1) for item in items]

    def seq(self, node: Any, scope: dict[str, str], needed: int = 1) -> str:
        """A list consumed at once (counted, summed, gone through): a comprehension may stay
        a Python list rather than a tuple."""
        node = self.facts.in_place(node)  # a rule read in place (an inlined rule too)
        if isinstance(node, ir.Comprehension):
            return self.comprehension(node, scope, needed)
        return self.code(node, scope, needed)

    def _Aggregate(self, node: ir.Aggregate, scope: dict[str, str]) -> tuple[str, int]:
        if node.over is not None:
            if node.kind.joins:  # Python's all() / any()
                return f"{node.kind.value}({self.seq(node.over, scope)})", P_POSTFIX
            over = self.facts.in_place(node.over)
            if isinstance(over, ir.Comprehension) and id(over) not in self.reuse \
                    and not any(c == over for c, _ in self.reused):
                count = self.counted(over, scope)
            else:
                count = f"{self.seq(node.over, scope, P_POSTFIX)}.count(True)"
        else:
            if node.kind.joins:
                if not node.items:
                    return ("True" if node.kind is Agg.ALL else "False"), P_ATOM
                return self.joined(node, scope)
            items = [wrap(self.condition(i, scope), 1) for i in node.items]
            count = "sum((" + "".join(i + ", " for i in items) + "))" if items else "0"
        if node.kind.counts:
            return count, P_POSTFIX
        return f"{count} >= {self.code(node.k, scope, P_CMP + 1)}", P_CMP

    def _FirstOf(self, node: ir.FirstOf, scope: dict[str, str]) -> tuple[str, int]:
        if not node.branches:
            return self.expr(node.otherwise, scope) if node.otherwise is not None else \
                (f"_no_line({self.site(node.span)})", P_POSTFIX)
        lines = self.first_of(node, scope, lambda n: self.expr(n, scope))
        return " ".join(lines), P_IF

    def _Call(self, node: ir.Call, scope: dict[str, str]) -> tuple[str, int]:
        code, precedence = python_call(self, node, scope)  # the registry's emitter
        return code, P_MUL if precedence == "mul" else P_POSTFIX

    def operand(self, node: Any, scope: dict[str, str]) -> str:
        """An expression as the operand of an attribute or a method (for an emitter)."""
        return self.code(node, scope, P_POSTFIX)

    def argument(self, node: Any, scope: dict[str, str]) -> str:
        """An expression as an argument of a call (for an emitter)."""
        return self.code(node, scope, 1)

    def _ListLit(self, node: ir.ListLit, scope: dict[str, str]) -> tuple[str, int]:
        items = [self.code(i, scope, 1) for i in node.items]
        return "(" + "".join(i + ", " for i in items) + ")" if items else "()", P_ATOM

    def _RecordLit(self, node: ir.RecordLit, scope: dict[str, str]) -> tuple[str, int]:
        return "{" + ", ".join(f"{n!r}: {self.code(v, scope, 1)}" for n, v in node.fields) + "}", P_ATOM

    def _Var(self, node: ir.Var, scope: dict[str, str]) -> tuple[str, int]:
        return scope[node.name], P_ATOM

    def _Field(self, node: ir.Field, scope: dict[str, str]) -> tuple[str, int]:
        return f"{self.code(node.record, scope, P_POSTFIX)}[{node.name!r}]", P_POSTFIX

    def _Comprehension(self, node: ir.Comprehension, scope: dict[str, str]) -> tuple[str, int]:
        return f"tuple({self.comprehension(node, scope, 1)})", P_POSTFIX

    def comprehension(self, node: ir.Comprehension, scope: dict[str, str], needed: int) -> str:
        """`[BODY for VAR in SOURCE if WHERE]` (a list), or the name of the same list built
        just before (see `shared_lists`)."""
        for c, name in self.reused:
            if c == node and id(node) not in self.reuse:
                return name
        text = self.list_comprehension(node, scope)
        if id(node) in self.reuse:
            return wrap((f"{self.reuse[id(node)]} := {wrap(text, 1)}", 0), needed)
        return wrap(text, needed)

    def counted(self, node: ir.Comprehension, scope: dict[str, str]) -> str:
        """The number of true values of `[BODY for each VAR in SOURCE where WHERE]`:
        `len([1 for VAR in SOURCE if WHERE if BODY])`, the same tests in the same order,
        without the list of booleans."""
        source = self.code(node.source, {**scope, " no walrus": ""}, P_OR)
        var = self.comprehension_var(node)
        inner = {**scope, node.var: var}
        tests = [t for t in (node.where, node.body) if t is not None]
        return f"len([1 for {var} in {source}{''.join(f' if {self.code(t, inner, P_OR)}' for t in tests)}])"

    def comprehension_var(self, node: ir.Comprehension) -> str:
        """The Python name of a comprehension's variable."""
        if id(node) not in self.var_names:
            self.var_names[id(node)] = f"_v_{ascii_name(node.var)}_{len(self.var_names)}"
        return self.var_names[id(node)]

    def list_comprehension(self, node: ir.Comprehension, scope: dict[str, str]) -> tuple[str, int]:
        """No assignment expression in a comprehension's iterable: it is marked in the scope;
        the filter and the body have the comprehension's variable."""
        source = self.code(node.source, {**scope, " no walrus": ""}, P_OR)
        var = self.comprehension_var(node)
        inner = {**scope, node.var: var}
        where = f" if {self.code(node.where, inner, P_OR)}" if node.where is not None else ""
        return f"[{self.code(node.body, inner, 1)} for {var} in {source}{where}]", P_ATOM
