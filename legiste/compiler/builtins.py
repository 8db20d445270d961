"""The built-in functions, in one registry: each declared once, with everything its
consumers need.

Pipeline stage: shared by type checking (compiler/checking/typecheck.py reads `check`),
the interpreter (`impl`), the Python backend (`python`, and the facts its analysis reads:
`can_fail`, `decimal`, `rounds`, `computable`, `int_range`) and the documentation (`doc`).
The implementations live in compiler/runtime/functions.py, which every generated module
carries: interpreter and generated module call the same function.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from attrs import frozen

from legiste.compiler import ir
from legiste.compiler.ir.kinds import DECIMAL_KINDS, NUMBER_KINDS
from legiste.compiler.ir.types import DATE, INTEGER, NUMERIC, ORDERED, YEAR, Type, unify
from legiste.compiler.runtime import functions as rt
from legiste.compiler.runtime.numbers import _xsum

# A Python emitter: (expression compiler, ir.Call, scope) -> (code, precedence), the
# precedence "postfix" (a call, an attribute) or "mul" (a quotient).
Emitter = Callable[[Any, Any, dict], tuple[str, str]]


def _never(facts: Any, node: Any) -> bool:
    return False


def _always(facts: Any, node: Any) -> bool:
    return True


@frozen(eq=False)  # one object per builtin: the IR's calls hold it, compared by identity
class Builtin:
    """One built-in function.

    `impl` computes it (called with the values, then the call's location when `located`);
    `python` writes its call in a generated module (None: a call to `impl` by its name,
    which the generated module holds); `can_fail`: it may raise an arithmetic error that
    the enclosing rule reports (E402/E404), unless `exact_on_integers` and the result is
    an integer; `located`: it raises its own errors, at the call; `decimal`: its result is
    always a Decimal ("always"), when its arguments are ("args"), or not surely (None);
    `rounds`: it rounds (a generated module has a fast form for it); `computable(facts,
    call)`: it surely succeeds, cheaply (a rule made of such calls is computed eagerly);
    `int_range`: the whole numbers it returns, when bounded; `cheap`: cheaper to compute
    again than to memoise (a field of a date)."""

    name: str
    doc: str
    check: Callable[[list[Type]], Type | str]  # result type, or why the call is wrong
    impl: Callable[..., Any]
    python: Emitter | None = None
    can_fail: bool = False
    exact_on_integers: bool = False
    located: bool = False
    decimal: str | None = None
    rounds: bool = False
    computable: Callable[[Any, Any], bool] = _never
    int_range: tuple[int, int] | None = None
    cheap: bool = False

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # pickled by name (its emitters are closures): the registry's own entry comes back
        return _named, (self.name,)

    def __str__(self) -> str:
        return self.name

    def may_fail(self, node: Any) -> bool:
        """Whether this call (an ir.Call) may raise an arithmetic error."""
        return self.can_fail and not (self.exact_on_integers and node.type.kind == "integer")


def _same_ordered(types: list[Type]) -> Type | str:
    if len(types) < 2:
        return "takes at least two values"
    result: Type | None = types[0]
    for t in types:
        if t.kind not in ORDERED:
            return f"compares amounts, numbers, dates or years, not {t}"
        result = unify(result, t) if result else None
    return result if result else "needs values of the same type (" + ", ".join(map(str, types)) + ")"


def _rounding(types: list[Type]) -> Type | str:
    if len(types) not in (1, 2):
        return "takes a value and, optionally, the step to round to (e.g. 1 EUR)"
    if types[0].kind not in DECIMAL_KINDS:
        return f"rounds an amount or a decimal, not {types[0]}"
    if len(types) == 2 and not (types[1] == types[0] or types[1].kind in NUMERIC):
        return "the step must have the type of the value"
    return types[0]


def _date_check(types: list[Type]) -> Type | str:
    if len(types) != 3:
        return "takes a year, a month and a day: date(2024, 6, 30)"
    if types[0].kind not in ("year", "integer") or types[1] != INTEGER or types[2] != INTEGER:
        return "takes a year, a month and a day as whole numbers"
    return DATE


def _of_date(result: Type) -> Callable[[list[Type]], Type | str]:
    def check(types: list[Type]) -> Type | str:
        if len(types) != 1 or types[0] != DATE:
            return "takes one date"
        return result
    return check


def _list_numeric(types: list[Type]) -> Type | str:
    if len(types) != 1 or types[0].kind != "list" or types[0].element is None \
            or types[0].element.kind not in NUMBER_KINDS:
        return "takes one list of numbers or amounts"
    element = types[0].element
    return element if element.kind == "money" else Type("decimal")


def _size_check(types: list[Type]) -> Type | str:
    if len(types) != 1 or types[0].kind != "list":
        return "takes one list"
    return INTEGER


def _abs_check(types: list[Type]) -> Type | str:
    if len(types) != 1 or types[0].kind not in NUMBER_KINDS:
        return "takes one number or amount"
    return types[0]


def _two_dates(types: list[Type]) -> Type | str:
    if len(types) != 2 or types[0] != DATE or types[1] != DATE:
        return "takes two dates: years_between(birth_date, request_date)"
    return INTEGER


# ---------------------------------------------------------------- Python emitters
# Only the builtins whose generated code is not a call to their runtime function.


def _py_attribute(attr: str) -> Emitter:
    def emit(c: Any, node: Any, scope: dict) -> tuple[str, str]:
        return f"{c.operand(node.args[0], scope)}.{attr}", "postfix"
    return emit


def _py_builtin(fn: str) -> Emitter:
    """A call to Python's own function (min, max: comparisons, exact in any context)."""
    def emit(c: Any, node: Any, scope: dict) -> tuple[str, str]:
        return f"{fn}({', '.join(c.argument(a, scope) for a in node.args)})", "postfix"
    return emit


def _py_size(c: Any, node: Any, scope: dict) -> tuple[str, str]:
    return f"len({c.seq(node.args[0], scope)})", "postfix"


def _py_sum(c: Any, node: Any, scope: dict) -> tuple[str, str]:
    return f"_xsum({c.seq(node.args[0], scope)})", "postfix"


def _py_average(c: Any, node: Any, scope: dict) -> tuple[str, str]:
    arg = c.seq(node.args[0], scope)
    if arg.isidentifier() and any(x == c.facts.in_place(node.args[0]) for x in c.nonempty):
        # a list built just before and tested not empty: its average is defined
        return f"_divide(_xsum({arg}), len({arg}))", "postfix"
    return f"_average({arg}, {c.site(node.span)})", "postfix"


def _py_round(mode: str) -> Emitter:
    """round to a constant step 1, 0.1, 0.01…: one quantize (see runtime.py _round_pow10);
    any other step: the runtime function."""
    def emit(c: Any, node: Any, scope: dict) -> tuple[str, str]:
        value, step, site = node.args[0], node.args[1], c.site(node.span)
        exact = Decimal(step.value) if isinstance(step, ir.Const) and step.value else None
        if exact is not None and exact.as_tuple().digits == (1,):
            if not c.facts.is_computed(value):
                return f"_round_pow10({c.argument(value, scope)}, {c.const(exact)}, {mode}, {site})", "postfix"
            if c.fast:  # see ModuleGenerator.definition: an exact path follows if this one fails
                return f"{c.operand(value, scope)}.quantize({c.const(exact)}, {mode}, _CONTEXT)", "postfix"
            return f"_round_computed({c.argument(value, scope)}, {c.const(exact)}, {mode}, {site})", "postfix"
        return _py_call(c, node, scope)
    return emit


def _py_date(c: Any, node: Any, scope: dict) -> tuple[str, str]:
    if c.facts.valid_date(node):  # no error to report: the constructor itself
        return f"_dt.date({', '.join(c.argument(a, scope) for a in node.args)})", "postfix"
    return _py_call(c, node, scope)


def _py_call(c: Any, node: Any, scope: dict) -> tuple[str, str]:
    """The default: a call to the builtin's runtime function (and the call's site)."""
    builtin = node.func
    args = [c.argument(a, scope) for a in node.args]
    if builtin.located:
        args.append(str(c.site(node.span)))
    return f"{builtin.impl.__name__}({', '.join(args)})", "postfix"


def python_call(c: Any, node: Any, scope: dict) -> tuple[str, str]:
    """The generated code of a builtin call (an ir.Call)."""
    return (node.func.python or _py_call)(c, node, scope)


def _named(name: str) -> Builtin:
    """The registry's entry of a builtin, by name."""
    return BUILTINS[name]


def _valid_date(facts: Any, node: Any) -> bool:
    return facts.valid_date(node)


_ROUND = dict(can_fail=True, located=True, decimal="always", rounds=True)

BUILTINS: dict[str, Builtin] = {b.name: b for b in [
    Builtin("min", "The smallest of its arguments.", _same_ordered, min,
            _py_builtin("min"), decimal="args"),
    Builtin("max", "The largest of its arguments.", _same_ordered, max,
            _py_builtin("max"), decimal="args"),
    Builtin("round", "Round half up, to the cent for an amount (or to the given step).",
            _rounding, rt._round, _py_round("_HALF_UP"), **_ROUND),
    Builtin("round_down", "Round down (towards minus infinity), to the cent or the given step.",
            _rounding, rt._round_down, _py_round("_FLOOR"), **_ROUND),
    Builtin("round_up", "Round up (towards plus infinity), to the cent or the given step.",
            _rounding, rt._round_up, _py_round("_CEILING"), **_ROUND),
    Builtin("date", "The date of a year, month and day; an impossible date is an error.",
            _date_check, rt._date, _py_date, located=True, computable=_valid_date),
    Builtin("year", "The year of a date.", _of_date(YEAR), rt._year, _py_attribute("year"),
            computable=_always, int_range=(1, 9999), cheap=True),
    Builtin("month", "The month of a date (1–12).", _of_date(INTEGER), rt._month,
            _py_attribute("month"), computable=_always, int_range=(1, 12), cheap=True),
    Builtin("day", "The day of the month of a date.", _of_date(INTEGER), rt._day,
            _py_attribute("day"), computable=_always, cheap=True),
    Builtin("abs", "The absolute value.", _abs_check, rt._abs,
            can_fail=True, exact_on_integers=True, decimal="args"),
    Builtin("size", "The number of elements of a list.", _size_check, len, _py_size),
    Builtin("sum", "The sum of a list of numbers or amounts.", _list_numeric, _xsum, _py_sum,
            can_fail=True, decimal="always"),
    Builtin("average", "The mean of a non-empty list of numbers or amounts.", _list_numeric,
            rt._average, _py_average, can_fail=True, located=True, decimal="always"),
    Builtin("weekday", "The ISO day of the week of a date: 1 = Monday … 7 = Sunday.",
            _of_date(INTEGER), rt._weekday, computable=_always, int_range=(1, 7)),
    Builtin("end_of_month", "The last day of the date's month: end_of_month(date(2024, 2, 10)) "
            "= 2024-02-29.", _of_date(DATE), rt._end_of_month, computable=_always),
    Builtin("years_between", "The whole years from the first date to the second (an age); "
            "29 February + 1 year is 28 February; negative if the second date is earlier.",
            _two_dates, rt._years_between, computable=_always),
]}
