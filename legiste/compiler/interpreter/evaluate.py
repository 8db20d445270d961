"""The interpreter: the typed IR compiled once into Python closures, then run per case.

Each IR node becomes one closure (`env -> value`); definitions are memoised per
evaluation, parameter values (with their indexation) are resolved once per date and
cached across evaluations. Types were checked before: nothing here re-checks them.
Run-time failures (division by zero, a parameter or index value that does not exist
at the date asked) raise `EvalError` with the span of the rule that asked.
"""

from __future__ import annotations

import datetime as dt
import operator
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable

from legiste.compiler import ir
from legiste.compiler.ir.kinds import DECIMAL_KINDS
from legiste.compiler.ir.operators import Agg, Impl, Op
from legiste.compiler.ir.passes.analysis import once_compared
from legiste.compiler.ir.passes.lowering import lower, lower_expression
from legiste.compiler.interpreter.user_rules import UserRuleEvaluation
from legiste.compiler.interpreter.refusals import RefusalEvaluation
from legiste.compiler.runtime.errors import _RunError, _arith_failure, _no_line_error
from legiste.compiler.runtime.parameters import (_index_value, _indexed, _no_value, _period_monthly,
                                                _period_yearly)
from legiste.compiler.runtime.numbers import (_EXACT as EXACT, _div, _minus, _money as money,
                                             _text)
from legiste.compiler.runtime.durations import _move
from legiste.compiler.runtime.exact import _cmp_once, _cmp_once_right, _mean, _then
from legiste.dsl.diagnostics import Diagnostic, error
from legiste.dsl.span import Span

Fn = Callable[["Env"], Any]


def _arithmetic_error(exc: ArithmeticError, span: Span, name: str | None) -> Diagnostic:
    """A Decimal or calendar failure (a number or a date out of range) as a diagnostic."""
    failure = _arith_failure(exc, span, name)
    return error(failure.code, failure.message, span, hints=failure.hints)


class EvalError(Exception):
    """A run-time failure, located at the rule that caused it."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def located(exc: _RunError) -> EvalError:
    """A failure of the runtime (compiler/runtime/) at a span, as a diagnostic."""
    return EvalError(error(exc.code, exc.message, exc.where, hints=exc.hints, notes=exc.notes))


class Env:
    """The state of one evaluation: inputs, the date, and the values computed so far."""

    __slots__ = ("inputs", "as_of", "memo", "locals")

    def __init__(self, inputs: dict[str, Any], as_of: dt.date):
        self.inputs = inputs
        self.as_of = as_of
        self.memo: dict[str, Any] = {}
        self.locals: dict[str, Any] = {}  # variables bound by comprehensions


_COMPARE = {Op.EQ: operator.eq, Op.NE: operator.ne, Op.LT: operator.lt, Op.LE: operator.le,
            Op.GT: operator.gt, Op.GE: operator.ge}


_RATIONAL = {Op.ADD: operator.add, Op.SUB: operator.sub, Op.MUL: operator.mul,
             Op.DIV: operator.truediv}

_UNBOUND = object()


class Evaluator(UserRuleEvaluation, RefusalEvaluation):
    """A program compiled to closures; `evaluate` runs it on one case."""

    def __init__(self, program: ir.Program,
                 index_overrides: dict[tuple[str, str], Decimal] | None = None):
        # The lowered program (ir/passes/lowering.py): dates, coercions and roundings explicit.
        program = lower(program)
        self.program = program
        self.index_overrides = dict(index_overrides or {})
        self.param_cache: dict[tuple[str, dt.date], Any] = {}
        self.node_fns: dict[int, Fn] = {}
        self.definitions: dict[str, Fn] = {}
        for unit in program.units.values():
            for definition in unit.definitions:
                self.definitions[definition.id] = self._definition(definition)
        self._outputs = [(d.name, self.definitions[d.id]) for d in program.policy.outputs]
        self.requirements = self.compile_requirements()  # `require` (interpreter/refusals.py)

    # ------------------------------------------------------------------ running

    def evaluate(self, inputs: dict[str, Any], as_of: dt.date,
                 names: list[str] | None = None) -> tuple[dict[str, Any], Env]:
        """Compute the outputs (or the named rules) of the policy for validated inputs."""
        env = Env(inputs, as_of)
        if names is None:
            return {name: get(env) for name, get in self._outputs}, env
        prefix = self.program.root + "."
        return {name: self.definitions[prefix + name](env) for name in names}, env

    def value_of(self, node: ir.Expr, env: Env) -> Any:
        """The value of any IR node in an evaluation (used by the explanation)."""
        try:
            return self.node_fns[id(node)](env)
        except ArithmeticError as exc:
            raise EvalError(_arithmetic_error(exc, node.span, None)) from None

    # ------------------------------------------------------------------ compiling

    def compile_expression(self, node: ir.Expr) -> Fn:
        """A closure for a checked expression outside the rules (an invariant), lowered
        first as the rules were."""
        return self.compile(lower_expression(node, self.program))

    def compile(self, node: ir.Expr) -> Fn:
        fn = getattr(self, "_" + type(node).__name__)(node)
        self.node_fns[id(node)] = fn
        return fn

    def _definition(self, definition: ir.Definition) -> Fn:
        body = self.compile(definition.expr)
        key = definition.id

        def get(env: Env) -> Any:
            memo = env.memo
            if key in memo:
                return memo[key]
            try:
                value = body(env)
            except ArithmeticError as exc:  # a number too large for exact decimals
                raise EvalError(_arithmetic_error(exc, definition.span, definition.name)) from None
            memo[key] = value
            return value
        return get

    def _Const(self, node: ir.Const) -> Fn:
        value = node.value
        return lambda env: value

    def _Input(self, node: ir.Input) -> Fn:
        name = node.name
        # a presumption, or an optional input: interpreter/refusals.py
        return self.input_reader(node) or (lambda env: env.inputs[name])

    def _Local(self, node: ir.Local) -> Fn:
        # Definitions are compiled dependencies first, so the getter already exists.
        return self.definitions[node.id]

    def _AsOf(self, node: ir.AsOf) -> Fn:
        return lambda env: env.as_of

    def _RoundToCent(self, node: ir.RoundToCent) -> Fn:
        value = self.compile(node.value)
        return lambda env: money(value(env))

    def _ToDecimal(self, node: ir.ToDecimal) -> Fn:
        value = self.compile(node.value)

        def as_decimal(env: Env) -> Any:
            v = value(env)
            return Decimal(v) if v.__class__ is int else v
        return as_decimal

    def _Exactly(self, node: ir.Exactly) -> Fn:
        value, exact = self.compile(node.value), self.compile(node.exact)
        return lambda env: _then(value(env), exact(env))

    def _RatOf(self, node: ir.RatOf) -> Fn:
        value = self.compile(node.value)
        return lambda env: Fraction(value(env))

    def _RatArith(self, node: ir.RatArith) -> Fn:
        left, right = self.compile(node.left), self.compile(node.right)
        op = _RATIONAL[node.op]
        return lambda env: op(left(env), right(env))

    def _RatMean(self, node: ir.RatMean) -> Fn:
        values = self.compile(node.values)
        return lambda env: _mean(values(env))

    def _RatIf(self, node: ir.RatIf) -> Fn:
        cond, then, otherwise = self.compile(node.cond), self.compile(node.then), self.compile(node.otherwise)
        return lambda env: then(env) if cond(env) else otherwise(env)

    def _Param(self, node: ir.Param) -> Fn:
        parameter = self.program.parameter(node.id)
        cache, span = self.param_cache, node.span
        at = self.compile(node.at)  # lowered: ir.AsOf where no date is written
        today = isinstance(node.at, ir.AsOf)  # the evaluation date, read in place

        def get(env: Env) -> Any:
            when = env.as_of if today else at(env)
            key = (parameter.id, when)
            if key in cache:
                return cache[key]
            value = self.parameter_value(parameter, when, span)[0]
            if len(cache) > 100_000:
                cache.clear()
            cache[key] = value
            return value
        return get

    def parameter_value(self, parameter: ir.Parameter, when: dt.date,
                        span: Span) -> tuple[Any, ir.DatedValue, str | None]:
        """The value of a parameter at a date, the dated value it comes from, and how it
        was indexed (for the explanation)."""
        try:
            return self._parameter_value(parameter, when, span)
        except _RunError as exc:
            raise located(exc) from None

    def _parameter_value(self, parameter: ir.Parameter, when: dt.date,
                         span: Span) -> tuple[Any, ir.DatedValue, str | None]:
        chosen = None
        for dated in parameter.values:
            if dated.start <= when:
                chosen = dated
        if chosen is None or (chosen.end is not None and when > chosen.end):
            first = parameter.values[0].start
            reason = (f"its first value applies from {first}" if when < first else
                      f"its value from {chosen.start} ended on {chosen.end}")  # type: ignore[union-attr]
            raise _no_value(parameter.name, str(parameter.span), when, reason, span)
        if chosen.index is None:
            return chosen.value, chosen, None
        series = self.program.series(chosen.index)
        period_of = _period_yearly if series.period == "yearly" else _period_monthly
        base_period, period = period_of(chosen.start), period_of(when)
        base_index = self._index(series, base_period, span)
        index = self._index(series, period, span)
        value = _indexed(chosen.value, index, base_index, parameter.type.kind == "money",
                         parameter.name, series.name, base_period, str(series.span), span)
        how = (f"{_text(chosen.value)} × {series.name}[{period}] {_text(index)} / "
               f"{series.name}[{base_period}] {_text(base_index)}")
        return value, chosen, how

    def _index(self, series: ir.Series, period: str, span: Span) -> Decimal:
        table = {series.id: (series.name, series.values, series.file, series.publisher)}
        return _index_value(self.index_overrides, series.id, period, table, span)

    def _Unary(self, node: ir.Unary) -> Fn:
        operand = self.compile(node.operand)
        if node.op is Op.NOT:
            return lambda env: not operand(env)
        if node.type.kind in DECIMAL_KINDS:
            return lambda env: _minus(operand(env))  # in Légiste's context, not the caller's
        return lambda env: -operand(env)

    def _Arith(self, node: ir.Arith) -> Fn:
        left, right, span = self.compile(node.left), self.compile(node.right), node.span
        impl, op = node.impl, node.op
        if impl.moves_date:
            date_of, duration_of = (right, left) if impl is Impl.DUR_PLUS_DATE else (left, right)
            sign = -1 if impl is Impl.DATE_MINUS_DUR else 1

            def move(env: Env) -> dt.date:
                try:
                    return _move(date_of(env), duration_of(env), sign, span)
                except _RunError as exc:  # outside the calendar
                    raise located(exc) from None
            return move
        if impl is Impl.DATE_MINUS_DATE:
            return lambda env: (left(env) - right(env)).days
        if impl is Impl.DUR_PLUS_DUR:
            return lambda env: left(env) + right(env)
        if impl is Impl.DUR_TIMES_INT:
            return lambda env: left(env) * right(env)
        if impl is Impl.INT_TIMES_DUR:
            return lambda env: right(env) * left(env)
        if op is not Op.DIV and node.type.kind in DECIMAL_KINDS:
            # Exact or Inexact (E404 at the rule), never rounded: see legiste.compiler.runtime.values.EXACT.
            exact = {Op.ADD: EXACT.add, Op.SUB: EXACT.subtract, Op.MUL: EXACT.multiply}[op]
            return lambda env: exact(left(env), right(env))
        if op is Op.ADD:
            return lambda env: left(env) + right(env)
        if op is Op.SUB:
            return lambda env: left(env) - right(env)
        if op is Op.MUL:
            return lambda env: left(env) * right(env)

        def divide(env: Env) -> Decimal:
            try:
                return _div(left(env), right(env), span)  # in Légiste's context
            except _RunError as exc:  # division by zero
                raise located(exc) from None
        return divide

    def _Compare(self, node: ir.Compare) -> Fn:
        once = once_compared(node)
        if once is not None:  # decided by the Decimals unless they are equal (analysis.py)
            side, other, left_side = once
            value, exact, number = self.compile(side.value), self.compile(side.exact), self.compile(other)
            self.compile(side)  # (its closure, for the explanation)
            cmp = _COMPARE[node.op]
            if left_side:
                return lambda env: _cmp_once(value(env), number(env), cmp, exact, env)
            return lambda env: _cmp_once_right(number(env), value(env), cmp, exact, env)
        left, right, op = self.compile(node.left), self.compile(node.right), _COMPARE[node.op]
        return lambda env: op(left(env), right(env))

    def _Logic(self, node: ir.Logic) -> Fn:
        left, right = self.compile(node.left), self.compile(node.right)
        if node.op is Op.AND:
            return lambda env: left(env) and right(env)
        if node.op is Op.OR:
            return lambda env: left(env) or right(env)
        return lambda env: (not left(env)) or right(env)

    def _Between(self, node: ir.Between) -> Fn:
        value, low, high = self.compile(node.value), self.compile(node.low), self.compile(node.high)
        return lambda env: low(env) <= value(env) <= high(env)

    def _If(self, node: ir.If) -> Fn:
        cond, then, otherwise = self.compile(node.cond), self.compile(node.then), self.compile(node.otherwise)
        return lambda env: then(env) if cond(env) else otherwise(env)

    def condition(self, item: ir.Condition) -> Fn:
        expr = self.compile(item.expr)
        exceptions = [self.compile(e.cond) for e in item.exceptions]
        for e, fn in zip(item.exceptions, exceptions):
            self.node_fns[id(e)] = fn
        if not exceptions:
            fn = expr
        else:
            # The carve-out is read first: where it applies, the rule it carves does not.
            def fn(env: Env) -> bool:
                for exception in exceptions:
                    if exception(env):
                        return True
                return expr(env)
        self.node_fns[id(item)] = fn
        return fn

    def _Aggregate(self, node: ir.Aggregate) -> Fn:
        k = self.compile(node.k) if node.k is not None else None
        if node.over is not None:
            over = self.compile(node.over)
            values: Fn = lambda env: over(env)  # noqa: E731
        else:
            conds = [self.condition(i) for i in node.items]
            if node.kind is Agg.ALL:
                def all_of(env: Env) -> bool:
                    for c in conds:
                        if not c(env):
                            return False
                    return True
                return all_of
            if node.kind is Agg.ANY:
                def any_of(env: Env) -> bool:
                    for c in conds:
                        if c(env):
                            return True
                    return False
                return any_of
            values = lambda env: [c(env) for c in conds]  # noqa: E731
        if node.kind is Agg.ALL:
            return lambda env: all(values(env))
        if node.kind is Agg.ANY:
            return lambda env: any(values(env))
        if node.kind is Agg.COUNT:
            return lambda env: sum(1 for v in values(env) if v)
        return lambda env: sum(1 for v in values(env) if v) >= k(env)  # type: ignore[misc]

    def _FirstOf(self, node: ir.FirstOf) -> Fn:
        branches = [(self.compile(b.cond), self.compile(b.value)) for b in node.branches]
        otherwise = self.compile(node.otherwise) if node.otherwise is not None else None
        span = node.span

        def first(env: Env) -> Any:
            for cond, value in branches:
                if cond(env):
                    return value(env)
            if otherwise is None:
                raise located(_no_line_error(span))
            return otherwise(env)
        return first

    def _Call(self, node: ir.Call) -> Fn:
        args = [self.compile(a) for a in node.args]
        builtin, span = node.func, node.span
        impl = builtin.impl
        # One closure per arity: building an argument list per call costs more than the call.
        # A function that can fail is also given where it is called (its error's location).
        if not builtin.located:
            if len(args) == 1:
                (a,) = args
                return lambda env: impl(a(env))
            if len(args) == 2:
                a, b = args
                return lambda env: impl(a(env), b(env))
            return lambda env: impl(*[a(env) for a in args])
        if len(args) == 2:
            a, b = args

            def call2(env: Env) -> Any:
                try:
                    return impl(a(env), b(env), span)
                except _RunError as exc:
                    raise located(exc) from None
            return call2

        def call(env: Env) -> Any:
            try:
                return impl(*[a(env) for a in args], span)
            except _RunError as exc:
                raise located(exc) from None
        return call

    def _RecordLit(self, node: ir.RecordLit) -> Fn:
        fields = [(name, self.compile(value)) for name, value in node.fields]
        return lambda env: {name: fn(env) for name, fn in fields}

    def _Var(self, node: ir.Var) -> Fn:
        name = node.name
        return lambda env: env.locals[name]

    def _Field(self, node: ir.Field) -> Fn:
        record, name = self.compile(node.record), node.name
        return lambda env: record(env)[name]

    def _Comprehension(self, node: ir.Comprehension) -> Fn:
        source, body, var = self.compile(node.source), self.compile(node.body), node.var
        where = self.compile(node.where) if node.where is not None else None

        def build(env: Env) -> tuple[Any, ...]:
            bound = env.locals
            outer = bound.get(var, _UNBOUND)
            out = []
            try:
                for item in source(env):
                    bound[var] = item
                    if where is None or where(env):
                        out.append(body(env))
            finally:
                if outer is _UNBOUND:
                    bound.pop(var, None)
                else:
                    bound[var] = outer
            return tuple(out)
        return build

    def _ListLit(self, node: ir.ListLit) -> Fn:
        items = [self.compile(i) for i in node.items]
        return lambda env: tuple(i(env) for i in items)


__all__ = ["Evaluator", "EvalError", "Env"]
