"""Generated Python: a policy compiled to one standalone module (standard library only).

    legiste compile policies/be/brussels/telesecretariat.legis --target python -o telesecretariat.py

    import telesecretariat
    telesecretariat.evaluate({"request_date": "2024-03-15", …})
    # {"policy": …, "as_of": "2024-03-15", "outputs": {"eligible": True, "intervention": "3700.00"}}
    telesecretariat.explain(case)          # the same JSON, with the trace.v1 "explanation"

The module reproduces the interpreter (compiler/evaluate.py) and the explanation
(compiler/explain.py) exactly: the same input validation and messages, the same
outputs to the cent, the same trace.v1 tree, the same run-time errors located at the
same rule (FILE:LINE:COLUMN of the .legis file). It is straight-line code: one Python
function per definition (memoised in the evaluation's dict when it is read more than
once), IR expressions compiled to Python expressions (aggregates to `and`/`or` chains,
`first of` to conditional chains, comprehensions to list comprehensions), one function
per parameter with a per-date cache.

What makes it fast, each kept exact:
- a small `define` that cannot raise an arithmetic error is inlined where it is read;
- a memoised rule is read in place (`m[KEY] if KEY in m else rule(v, m)`), no call;
- a division by a non-zero constant is a plain Decimal division;
- an output amount is rounded in each branch of its `if`/`first of` (constants rounded here);
- a rounding to 1, 0.1, 0.01… of an amount computed by Decimal arithmetic is one
  `quantize`, and a date plus a constant number of days one `timedelta`: the rule then
  has a fast expression and, should it raise an ArithmeticError (more digits than the
  context holds, a date beyond year 9999), the exact expression evaluated again;
- a comprehension computed on both sides of `and`/`or` is built once (`:=`);
- valid inputs of the common JSON forms are accepted by one test each; anything else
  goes through the full conversion, with the interpreter's messages.

Safety: nothing of the policy is pasted into code as is. Every text (titles, quotes,
descriptions, enumeration values, file names) is emitted with repr() or as a JSON
literal; comments escape every character that could end a line; identifiers are
ASCII, prefixed (`rule_`, `param_`) and made unique, so a rule named `class`,
`evaluate` or `print` cannot clash with a keyword, a builtin or the module's API.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import keyword
import pprint
from decimal import Decimal
from typing import Any

from compiler import ir
from compiler.backends.json_schema import input_schema, output_schema
from compiler.explain import TRACE_VERSION, _parts, _walk
from compiler.inputs import describe
from compiler.types import BOOLEAN, Type
from compiler.values import Duration, display
from dsl.span import SOURCES, Span

GENERATOR_VERSION = "1"

# ---------------------------------------------------------------- the runtime
# Fixed text copied into every generated module: the helpers the compiled rules call.
# It mirrors compiler/values.py, compiler/builtins.py, compiler/inputs.py and the
# error paths of compiler/evaluate.py; tests/test_codegen.py checks the equivalence.

_RUNTIME = r'''
import calendar as _calendar
import datetime as _dt
import difflib as _difflib
import json as _json
import re as _re
from decimal import (ROUND_CEILING as _CEILING, ROUND_FLOOR as _FLOOR,
                     ROUND_HALF_EVEN as _HALF_EVEN, ROUND_HALF_UP as _HALF_UP,
                     Context as _Context, Decimal as _D, DivisionByZero as _DivisionByZero,
                     InvalidOperation as _InvalidOperation, Overflow as _Overflow,
                     getcontext as _getcontext)

_CENT = _D("0.01")
_ONE = _D(1)
# The context of exact rounding (compiler/values.py round_to): 60 digits.
_CTX60 = _Context(prec=60, rounding=_HALF_EVEN, Emin=-999999, Emax=999999, capitals=1, clamp=0,
                  flags=[], traps=[_InvalidOperation, _DivisionByZero, _Overflow])
_NO_SPAN = ("<unknown>", 1, 1, 1, 1)
_HUGE_INT = 10 ** 18


class PolicyError(Exception):
    """A case the policy cannot decide: invalid inputs (E5xx, every problem at once) or a
    run-time failure (E4xx) located at the rule that caused it.

    `diagnostics` lists them as dicts (severity, code, message, location, hints, notes),
    the JSON form of Légiste's diagnostics; `code`, `message`, `location`, `hints` and
    `notes` are those of the first; `row` is the index of the case in evaluate_many."""

    def __init__(self, diagnostics):
        self.diagnostics = list(diagnostics)
        first = self.diagnostics[0]
        self.code = first["code"]
        self.message = first["message"]
        self.location = first["location"]
        self.hints = first["hints"]
        self.notes = first["notes"]
        self.row = None
        super().__init__(self.code, self.message)

    def __reduce__(self):
        return (_policy_error, (self.diagnostics, self.row))

    def __str__(self):
        lines = []
        for d in self.diagnostics:
            loc = d["location"]
            where = "" if loc["file"] == "<unknown>" else \
                f"{loc['file']}:{loc['line']}:{loc['column']}: "
            lines.append(f"{where}error[{d['code']}]: {d['message']}")
        return "\n".join(lines)


def _policy_error(diagnostics, row):
    error = PolicyError(diagnostics)
    error.row = row
    return error


def _location(span):
    file, line, column, end_line, end_column = span
    return {"file": file, "line": line, "column": column, "end_line": end_line,
            "end_column": end_column}


def _diag(code, message, span, hints=(), notes=()):
    return {"severity": "error", "code": code, "message": message, "location": _location(span),
            "hints": list(hints), "notes": list(notes)}


def _error(code, message, site, hints=(), notes=()):
    """A run-time failure located at the rule of `site` (an index of _SPANS)."""
    return PolicyError([_diag(code, message, _SPANS[site], hints, notes)])


def _arith_error(exc, site, name):
    """A Decimal or calendar failure (a number too large, a division by zero)."""
    if isinstance(exc, ZeroDivisionError):
        return _error("E402", "division by zero", site)
    what = f"'{name}' cannot be computed" if name else "this value cannot be computed"
    return _error("E404", f"{what}: a number is too large to compute exactly", site,
                  ["check the input for an amount or a number far beyond any real case"])


def _arith_problem(exc):
    """The explanation's note for a value that could not be computed."""
    if isinstance(exc, ZeroDivisionError):
        return "not evaluated: division by zero"
    return "not evaluated: this value cannot be computed: a number is too large to compute exactly"


# ---------------------------------------------------------------- values


class Duration:
    """A calendar duration: months are added month by month (clamped), then days."""

    __slots__ = ("days", "months")

    def __init__(self, days=0, months=0):
        self.days = days
        self.months = months

    def __str__(self):
        parts = []
        if self.months:
            years, months = divmod(self.months, 12)
            if years and not months:
                parts.append(f"{years} year{'s' if years != 1 else ''}")
            else:
                parts.append(f"{self.months} month{'s' if self.months != 1 else ''}")
        if self.days or not parts:
            parts.append(f"{self.days} day{'s' if self.days != 1 else ''}")
        return " ".join(parts)

    def __repr__(self):
        return f"Duration(days={self.days!r}, months={self.months!r})"

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.days, self.months) == (other.days, other.months)

    def __ne__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.days, self.months) != (other.days, other.months)

    def __hash__(self):
        return hash((self.days, self.months))

    def __add__(self, other):
        return Duration(self.days + other.days, self.months + other.months)

    def __mul__(self, k):
        return Duration(self.days * k, self.months * k)


def _add_duration(date, d, sign=1):
    if d.months:
        total = date.year * 12 + (date.month - 1) + sign * d.months
        year, month0 = divmod(total, 12)
        last = _calendar.monthrange(year, month0 + 1)[1]
        date = _dt.date(year, month0 + 1, min(date.day, last))
    return date + _dt.timedelta(days=sign * d.days)


def _move(date, duration, sign, site):
    """date ± duration, or E404 outside the calendar."""
    try:
        return _add_duration(date, duration, sign)
    except (OverflowError, ValueError):
        raise _error("E404", f"{date} {'-' if sign < 0 else '+'} {duration} falls outside the "
                     "calendar (years 1 to 9999)", site,
                     ["check the dates and durations of the input"]) from None


def _div(a, b, site):
    """Exact division; a zero divisor is E402 at the rule that divides."""
    if not b:
        raise _error("E402", "division by zero", site,
                     ["guard the rule with a condition, e.g. `if n > 0 then … else …`"])
    try:
        return _D(a) / b
    except (_DivisionByZero, _InvalidOperation):
        raise _error("E402", "division by zero", site) from None


def _money(value):
    """An output amount: half up to the cent."""
    return value.quantize(_CENT, rounding=_HALF_UP)


def _round_to(value, step, mode, site):
    """round / round_down / round_up to a multiple of `step`, with 60 exact digits."""
    if not step:
        raise _error("E402", "cannot round to a step of 0", site,
                     ["round to a positive step, e.g. 1 EUR or 0.01"])
    step = _D(step)
    units = _CTX60.divide(value, step).quantize(_ONE, rounding=mode, context=_CTX60)
    if step.as_tuple().exponent < 0:
        return _CTX60.multiply(units, step).quantize(step, context=_CTX60)
    return _CTX60.multiply(units, step)


def _round_pow10(value, step, mode, site):
    """_round_to for a step of 1, 0.1, 0.01…: one quantize when the value has at most
    60 digits (the division by the step is then exact), the general path otherwise."""
    if value.__class__ is _D and _CTX60.plus(value) == value:
        return value.quantize(step, mode, _CTX60)
    return _round_to(value, step, mode, site)


def _round_computed(value, step, mode, site):
    """_round_to for a step of 1, 0.1, 0.01… and a value computed by Decimal arithmetic (so
    of at most the context's precision, 28 digits by default): one quantize is the same."""
    try:
        return value.quantize(step, mode)
    except (_InvalidOperation, AttributeError):  # too many digits, or a whole number
        return _round_to(value, step, mode, site)


def _date(year, month, day, site):
    try:
        return _dt.date(year, month, day)
    except (ValueError, OverflowError):
        raise _error("E506", f"date({year}, {month}, {day}) does not exist", site,
                     ["check the day against the month's length"]) from None


def _average(values, site):
    if not values:
        raise _error("E402", "the average of an empty list is undefined", site,
                     ["guard the rule with `size(list) > 0`"])
    return sum(values, _D(0)) / len(values)


def _no_line(site):
    raise _error("E403", "no line of this `first of` applies", site)


# ---------------------------------------------------------------- parameters and indices

INDEX_OVERRIDES = {}  # (series id, period) -> Decimal: an index value not published yet


def set_index(series, period, value):
    """Supply an index value the policy's series does not publish yet (like --index)."""
    INDEX_OVERRIDES[(series, period)] = _D(value)
    for cache in _PARAMETER_CACHES:
        cache.clear()


def _period_yearly(date):
    return str(date.year)


def _period_monthly(date):
    return f"{date.year}-{date.month:02d}"


def _index(series, period, site):
    override = INDEX_OVERRIDES.get((series, period))
    if override is not None:
        return override
    name, values, file, publisher = _SERIES[series]
    value = values.get(period)
    if value is None:
        raise _error("E401", f"index '{name}' for {period} is not published in {file}", site,
                     [f"pass --index {series}={period}:VALUE, or add the value published "
                      f"by {publisher or 'its publisher'} to the series"],
                     ["a missing index value is never replaced by the last one published"])
    return value


def _no_value(name, declared_at, when, reason, site):
    return _error("E400", f"parameter '{name}' has no value on {when}: {reason}", site,
                  ["check the date the rule asks for, or add the dated value the law gives"],
                  [f"'{name}' is declared at {declared_at}"])


# ---------------------------------------------------------------- input validation


class _Invalid(Exception):
    def __init__(self, code, message, hint=""):
        self.code, self.message, self.hint = code, message, hint


def _dumps(raw):
    return _json.dumps(raw, default=str)


def _did_you_mean(name, candidates):
    close = _difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)
    if not close:
        return []
    return ["did you mean " + " or ".join(f"'{c}'" for c in close) + "?"]


def _not_huge(raw, value):
    if (value.adjusted() >= 18) if isinstance(value, _D) else abs(value) >= _HUGE_INT:
        raise _Invalid("E501", "the number is too large", "numbers are accepted up to 10^18")


def _number(raw):
    if isinstance(raw, bool):
        raise _Invalid("E501", f"{_json.dumps(raw)} is true/false, not a number")
    if isinstance(raw, float):
        raise _Invalid("E501", f"{raw!r} is a binary floating-point number, which cannot hold "
                       "decimals exactly", 'pass it as a string ("1.10") or a Decimal')
    if isinstance(raw, (int, _D)):
        value = _D(raw)
    elif isinstance(raw, str):
        try:
            value = _D(raw.strip())
        except _InvalidOperation:
            raise _Invalid("E501", f"\"{raw}\" is not a number") from None
    else:
        raise _Invalid("E501", f"{_dumps(raw)} is not a number")
    if not value.is_finite():
        raise _Invalid("E501", f"{_dumps(raw)} is not a finite number")
    _not_huge(raw, value)
    return value


def _c_boolean(raw):
    if raw is True or raw is False:
        return raw
    raise _Invalid("E501", f"{_dumps(raw)} is not true or false")


def _whole(raw):
    if isinstance(raw, bool) or not isinstance(raw, (int, _D)) \
            or (isinstance(raw, _D) and not raw.is_finite()):
        raise _Invalid("E501", f"{_dumps(raw)} is not a whole number")
    _not_huge(raw, raw)
    if raw != int(raw):
        raise _Invalid("E501", f"{_dumps(raw)} is not a whole number")


def _c_integer(raw):
    if raw.__class__ is int and -_HUGE_INT < raw < _HUGE_INT:
        return raw
    _whole(raw)
    return int(raw)


def _c_year(raw):
    if raw.__class__ is int and 1000 <= raw <= 9999:
        return raw
    _whole(raw)
    if not 1000 <= int(raw) <= 9999:
        raise _Invalid("E501", f"{raw} is not a year")
    return int(raw)


def _c_money(raw):
    if isinstance(raw, str) and raw.strip().upper().endswith(("EUR", "€")):
        raw = raw.strip().rstrip("€").removesuffix("EUR").removesuffix("eur").strip()
    value = _number(raw)
    if value.as_tuple().exponent < -2:
        raise _Invalid("E501", f"{raw} has fractions of a cent", "an amount has at most 2 decimals")
    return value


def _c_decimal(raw):
    return _number(raw)


def _c_rate(raw):
    if isinstance(raw, str) and raw.strip().endswith("%"):
        return _number(raw.strip()[:-1]) / 100
    return _number(raw)


_DATE_RE = _re.compile(r"\d{4}-\d{2}-\d{2}")


def _c_date(raw):
    if not isinstance(raw, str) or not _DATE_RE.fullmatch(raw):
        raise _Invalid("E501", f"{_dumps(raw)} is not a date written YYYY-MM-DD")
    try:
        return _dt.date.fromisoformat(raw)
    except ValueError:
        raise _Invalid("E506", f"{raw} is not a date of the calendar",
                       "check the day against the month's length") from None


_DURATION_RE = _re.compile(r"\s*(\d+)\s*(days?|months?|years?)\s*")


def _c_duration(raw):
    m = _DURATION_RE.fullmatch(raw) if isinstance(raw, str) else None
    if not m:
        raise _Invalid("E501", f"{_dumps(raw)} is not a duration")
    n, unit = int(m.group(1)), m.group(2)
    return Duration(days=n) if unit.startswith("day") else \
        Duration(months=n if unit.startswith("month") else 12 * n)


def _c_text(raw):
    if not isinstance(raw, str):
        raise _Invalid("E501", f"{_dumps(raw)} is not a text")
    return raw


def _c_enum(raw, members):
    if not isinstance(raw, str) or raw not in members:
        hints = _did_you_mean(raw, members) if isinstance(raw, str) else []
        raise _Invalid("E502", f"{_dumps(raw)} is not a value of this choice",
                       hints[0] if hints else "")
    return raw


def _c_list(raw, item):
    if not isinstance(raw, list):
        raise _Invalid("E501", f"{_dumps(raw)} is not a list")
    out = []
    for i, element in enumerate(raw):
        try:
            out.append(item(element))
        except _Invalid as exc:
            raise _Invalid(exc.code, f"item {i + 1}: {exc.message}", exc.hint) from None
    return tuple(out)


def _record_fields(raw, name, fields):
    """Unknown and missing fields of a record value (every one, in one message)."""
    if not isinstance(raw, dict):
        raise _Invalid("E501", f"{_dumps(raw)} is not an object with the fields of {name}")
    problems = [f"unknown field '{k}'" for k in raw if k not in fields]
    problems += [f"missing field '{n}'" for n in fields if n not in raw]
    if problems:
        raise _Invalid("E504" if problems[0].startswith("unknown") else "E500", "; ".join(problems),
                       "fields: " + ", ".join(fields))


def _field_problem(exc, name):
    return _Invalid(exc.code, f"field '{name}': {exc.message}", exc.hint)


def _bad_input(exc, name, expected, note):
    return _diag(exc.code, f"input '{name}': {exc.message}; expected {expected}", _NO_SPAN,
                 [exc.hint] if exc.hint else [], [note])


_MISSING = object()


def _missing_inputs(inputs, problems):
    """One diagnostic (E500) naming every missing input."""
    missing = [name for name in _INPUT_NAMES if name not in inputs]
    names = ", ".join(f"'{name}'" for name in missing)
    problems.append(_diag("E500", f"missing input{'s' if len(missing) > 1 else ''} {names}",
                          _NO_SPAN, [], [_INPUT_NAMES[name] for name in missing]))


def _check_input(raw, info, values, problems):
    """One input, the full way: not convertible (E5xx), out of bounds (E503); a missing
    input was reported with the others."""
    name, convert, expected, note, low, high, show, low_text, high_text = info
    if raw is _MISSING:
        return
    try:
        value = convert(raw)
    except _Invalid as exc:
        problems.append(_bad_input(exc, name, expected, note))
        return
    if low is not None and value < low:
        problems.append(_diag("E503", f"input '{name}' is {show(value)}, below its minimum "
                              f"{low_text}", _NO_SPAN, [], [note]))
        return
    if high is not None and value > high:
        problems.append(_diag("E503", f"input '{name}' is {show(value)}, above its maximum "
                              f"{high_text}", _NO_SPAN, [], [note]))
        return
    values[name] = value


def _money_text(raw):
    """An amount given as a text such as "7400.00", when it is valid as is (else None: the
    full conversion decides). A text Decimal reads never ends in EUR or €."""
    try:
        value = _D(raw.strip())
    except _InvalidOperation:
        return None
    if value.is_finite() and value.adjusted() < 18 and value.as_tuple().exponent >= -2:
        return value
    return None


def _decimal_text(raw):
    """A number given as a text such as "41.5", when valid as is (else None). A text Decimal
    reads never ends in %."""
    try:
        value = _D(raw.strip())
    except _InvalidOperation:
        return None
    if value.is_finite() and value.adjusted() < 18:
        return value
    return None


def _date_text(raw):
    """A date given as YYYY-MM-DD, when valid (else None: the full conversion decides)."""
    try:
        value = _dt.date.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.isoformat() == raw else None


def _unknown_inputs(inputs, problems):
    for key in inputs:
        key = str(key)
        if key not in _INPUT_NAMES:
            problems.append(_diag("E504", f"'{key}' is not an input of {_POLICY_ID}", _NO_SPAN,
                                  _did_you_mean(key, _INPUT_NAMES) or
                                  ["inputs: " + ", ".join(_INPUT_NAMES)]))


def _not_an_object():
    return PolicyError([_diag("E505", "the input must be a JSON object of fields", _NO_SPAN,
                              ['e.g. {"request_date": "2024-03-15", …}'])])


def _to_cent(value):
    """An amount to the cent, however many digits it has (compiler/values.py _to_cent)."""
    try:
        return value.quantize(_CENT, rounding=_HALF_UP)
    except _InvalidOperation:  # more digits than the context holds
        context = _getcontext().copy()
        context.prec = max(context.prec, value.adjusted() + 3)
        return value.quantize(_CENT, rounding=_HALF_UP, context=context)


def _display_money(value):
    if isinstance(value, int) and not isinstance(value, bool):
        value = _D(value)
    return f"{_to_cent(value) if value == _to_cent(value) else value} EUR"


def _display_rate(value):
    if isinstance(value, int) and not isinstance(value, bool):
        value = _D(value)
    return f"{(value * 100).normalize():f} %"


def _display_decimal(value):
    if isinstance(value, int) and not isinstance(value, bool):
        value = _D(value)
    return f"{value.normalize():f}" if value == value.to_integral() else str(value)


def _display_date(value):
    return value.isoformat()


def _display_str(value):
    return str(value)


# ---------------------------------------------------------------- JSON of values


def _j_money(value):
    return str(_to_cent(value))


def _j_str(value):
    return str(value)


def _j_date(value):
    return value.isoformat()


def _j_same(value):
    return value


# ---------------------------------------------------------------- explanation (trace.v1)


class _Trace:
    """One node of the explanation: a rule, its value, what it read, the law it quotes."""

    __slots__ = ("kind", "rule", "value", "type", "span", "cites", "detail", "children")

    def __init__(self, kind, rule, value, type, span, cites, detail, children):
        self.kind, self.rule, self.value, self.type = kind, rule, value, type
        self.span, self.cites, self.detail, self.children = span, cites, detail, children

    def __eq__(self, other):
        if other.__class__ is not _Trace:
            return NotImplemented
        return (self.kind, self.rule, self.value, self.type, self.span, self.cites, self.detail,
                self.children) == (other.kind, other.rule, other.value, other.type, other.span,
                                   other.cites, other.detail, other.children)

    __hash__ = None

    def to_json(self):
        short, convert = _TYPES[self.type]
        return {
            "kind": self.kind, "rule": self.rule,
            "value": None if self.value is None else convert(self.value),
            "type": short, "location": _location(_SPANS[self.span]),
            "citations": [{"quote": q, "source": s, "verified": v} for q, s, v in _CITES[self.cites]],
            "detail": self.detail, "children": [c.to_json() for c in self.children],
        }


def _plus_new(out, more):
    return out + [t for t in more if t not in out]


def _add_new(out, *more):
    for traces in more:
        for t in traces:
            if t not in out:
                out.append(t)
    return out


def _dedup(traces):
    out = []
    for t in traces:
        if t not in out:
            out.append(t)
    return out
'''


# ---------------------------------------------------------------- code generation helpers


def _comment(text: str) -> str:
    """Text safe inside a `#` comment: every character that could end the line escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _ascii_name(name: str) -> str:
    out = []
    for c in name:
        if c.isascii() and (c.isalnum() or c == "_"):
            out.append(c)
        else:
            out.append(f"_u{ord(c):04x}_")
    return "".join(out) or "_"


_RESERVED = set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins))


class _Names:
    """Unique, safe Python identifiers for the policy's names."""

    def __init__(self) -> None:
        self.used: set[str] = set(_RESERVED)

    def make(self, prefix: str, name: str) -> str:
        base = prefix + _ascii_name(name)
        candidate, n = base, 2
        while candidate in self.used or keyword.iskeyword(candidate):
            candidate, n = f"{base}_{n}", n + 1
        self.used.add(candidate)
        return candidate


# Python operator precedence (higher binds tighter), for minimal parentheses.
_P_IF, _P_OR, _P_AND, _P_NOT, _P_CMP, _P_ADD, _P_MUL, _P_NEG, _P_POSTFIX, _P_ATOM = \
    1, 2, 3, 4, 5, 10, 11, 12, 15, 16
_CMP = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ROUND_MODES = {"round": "_HALF_UP", "round_down": "_FLOOR", "round_up": "_CEILING"}
_GENERIC_FIELDS = ("operand", "left", "right", "value", "low", "high", "over", "k", "record",
                   "source")


def _wrap(code: tuple[str, int], needed: int) -> str:
    text, prec = code
    return text if prec >= needed else f"({text})"


def _generic_children(node: Any) -> list[Any]:
    """The children compiler/explain.py walks for a node it has no special case for."""
    children: list[Any] = []
    for name in _GENERIC_FIELDS:
        child = getattr(node, name, None)
        if child is not None:
            children.append(child)
    children += list(getattr(node, "args", ())) + list(getattr(node, "items", ()))
    children += [value for _, value in getattr(node, "fields", ())]  # a record value
    return children


def _json_literal(data: Any) -> str:
    """A JSON-compatible value as a readable Python literal (strings via repr)."""
    plain = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    return pprint.pformat(plain, indent=1, width=100, sort_dicts=False)


class _Generator:
    def __init__(self, program: ir.Program):
        self.program = program
        self.unit = program.policy
        self.names = _Names()
        for public in ("evaluate", "evaluate_many", "explain", "validate", "compute",
                       "PolicyError", "Duration", "INPUT_SCHEMA", "OUTPUT_SCHEMA", "METADATA",
                       "SOURCE_MAP", "INDEX_OVERRIDES", "set_index"):
            self.names.used.add(public)
        self.spans: dict[tuple[Any, ...], int] = {}
        self.types: dict[Type, int] = {}
        self.type_converters: list[str] = []
        self.type_list: list[tuple[str, str]] = []
        self.cites: dict[tuple[tuple[str, str, bool], ...], int] = {}
        self.consts: dict[tuple[str, str], str] = {}
        self.const_lines: list[str] = []
        self.xblocks: list[str] = []       # explanation helpers
        self.counter = 0
        self.rule_fn: dict[str, str] = {}
        self.xrule_fn: dict[str, str] = {}
        self.param_fn: dict[str, str] = {}
        self.resolve_fn: dict[str, str] = {}
        self.param_caches: list[str] = []
        self.memo: set[str] = set()
        self.xnode_fn: dict[int, str] = {}
        self.input_trace_fn: dict[str, str] = {}
        self.converters: dict[Type, str] = {}
        self.converter_blocks: list[str] = []
        self.definitions = {d.id: d for u in program.units.values() for d in u.definitions}
        self.inlined: set[str] = set()
        self.var_names: dict[int, str] = {}
        self.fast = False
        self.reuse: dict[int, str] = {}  # comprehension nodes built once, and their names
        self.reused: list[tuple[Any, str]] = []
        self.memo_key: dict[str, str] = {}
        self.param_cache: dict[str, str] = {}

    # ------------------------------------------------------------ tables

    def site(self, span: Span) -> int:
        key = (span.file, span.line, span.column, span.end_line, span.end_column)
        if key not in self.spans:
            self.spans[key] = len(self.spans)
        return self.spans[key]

    def cite_index(self, cites: tuple[ir.Citation, ...]) -> int:
        key = tuple((c.quote, c.source, bool(c.verified)) for c in cites)
        if key not in self.cites:
            self.cites[key] = len(self.cites)
        return self.cites[key]

    def type_index(self, t: Type) -> int:
        if t not in self.types:
            self.types[t] = len(self.types)
            self.type_list.append((t.short, self.json_fn(t)))
        return self.types[t]

    def json_fn(self, t: Type) -> str:
        """The name of a function giving the JSON form of a value of type t."""
        kind = t.kind
        if kind == "money":
            return "_j_money"
        if kind in ("decimal", "rate", "duration"):
            return "_j_str"
        if kind == "date":
            return "_j_date"
        if kind == "list":
            name = f"_j{len(self.type_converters)}"
            self.type_converters.append("")  # reserve the name
            inner = self.json_fn(t.element)  # type: ignore[arg-type]
            body = f"def {name}(value):  # {_comment(str(t))}\n    return [{inner}(v) for v in value]\n"
            self.type_converters[int(name[2:])] = body
            return name
        if kind == "record":
            name = f"_j{len(self.type_converters)}"
            self.type_converters.append("")
            parts = ", ".join(f"{n!r}: {self.json_fn(ft)}(value[{n!r}])" for n, ft in t.fields)
            body = f"def {name}(value):  # {_comment(str(t))}\n    return {{{parts}}}\n"
            self.type_converters[int(name[2:])] = body
            return name
        return "_j_same"

    def const(self, value: Any) -> str:
        """A Python expression for a constant value (hoisted to a module global when it has
        to be built)."""
        if isinstance(value, bool) or value is None:
            return repr(value)
        if isinstance(value, int):
            return repr(value) if value >= 0 else f"({value!r})"
        if isinstance(value, str):
            return repr(value)
        if isinstance(value, Decimal):
            key = ("D", str(value))
            code = f"_D({str(value)!r})"
        elif isinstance(value, dt.date):
            key = ("date", value.isoformat())
            code = f"_dt.date({value.year}, {value.month}, {value.day})"
        elif isinstance(value, dt.timedelta):
            key = ("timedelta", str(value.days))
            code = f"_dt.timedelta(days={value.days!r})"
        elif isinstance(value, Duration):
            key = ("dur", f"{value.days},{value.months}")
            code = f"Duration({value.days!r}, {value.months!r})"
        elif isinstance(value, tuple):
            items = [self.const(v) for v in value]
            return "(" + "".join(i + ", " for i in items) + ")" if items else "()"
        elif isinstance(value, dict):
            return "{" + ", ".join(f"{k!r}: {self.const(v)}" for k, v in value.items()) + "}"
        else:  # pragma: no cover - the IR holds no other constants
            raise TypeError(f"cannot emit the constant {value!r}")
        if key not in self.consts:
            name = f"_K{len(self.consts)}"
            self.consts[key] = name
            self.const_lines.append(f"{name} = {code}")
        return self.consts[key]

    # ------------------------------------------------------------ expressions

    def expr(self, node: Any, scope: dict[str, str]) -> tuple[str, int]:
        """Python code for an IR expression, and its precedence."""
        return getattr(self, "_" + type(node).__name__)(node, scope)

    def code(self, node: Any, scope: dict[str, str], needed: int = 0) -> str:
        return _wrap(self.expr(node, scope), needed)

    def _Const(self, node: ir.Const, scope: dict[str, str]) -> tuple[str, int]:
        return self.const(node.value), _P_ATOM

    def _Input(self, node: ir.Input, scope: dict[str, str]) -> tuple[str, int]:
        return f"v[{node.name!r}]", _P_POSTFIX

    def _Local(self, node: ir.Local, scope: dict[str, str]) -> tuple[str, int]:
        if node.id in self.inlined:  # a small rule that cannot fail: its expression, in place
            return self.expr(self.definitions[node.id].expr, scope)
        return self.read(node.id)

    def read(self, id: str) -> tuple[str, int]:
        """A rule's value: a rule read more than once is memoised in `m` (its function
        stores it), read as `m[KEY] if KEY in m else rule_NAME(v, m)`."""
        call = f"{self.rule_fn[id]}(v, m)"
        if id in self.memo:
            key = repr(self.memo_key[id])
            return f"m[{key}] if {key} in m else {call}", _P_IF
        return call, _P_POSTFIX

    def _Param(self, node: ir.Param, scope: dict[str, str]) -> tuple[str, int]:
        when = self.code(node.at, scope, 1) if node.at is not None else "m['@as of']"
        site = self.site(node.span)
        fn, cache = self.param_fn[node.id], self.param_cache[node.id]
        # The per-date cache read in place; a miss (or a value of 0) calls the function.
        if when.isidentifier() or when == "m['@as of']":
            return f"{cache}.get({when}) or {fn}({when}, {site})", _P_OR
        if isinstance(node.at, ir.Local) and node.at.id in self.memo and not scope:
            # a memoised rule: after the first read, `m[KEY]` is its value
            key = repr(self.memo_key[node.at.id])
            return f"{cache}.get({when}) or {fn}(m[{key}], {site})", _P_OR
        if scope:  # inside a comprehension: no assignment expression
            return f"{fn}({when}, {site})", _P_POSTFIX
        return f"{cache}.get(_w{site} := {when}) or {fn}(_w{site}, {site})", _P_OR

    def _Unary(self, node: ir.Unary, scope: dict[str, str]) -> tuple[str, int]:
        if node.op == "not":
            return f"not {self.code(node.operand, scope, _P_NOT)}", _P_NOT
        return f"-{self.code(node.operand, scope, _P_NEG)}", _P_NEG

    def _Arith(self, node: ir.Arith, scope: dict[str, str]) -> tuple[str, int]:
        impl, op = node.impl, node.op
        site = self.site(node.span)
        if impl in ("date+dur", "date-dur", "dur+date"):
            # the interpreter reads the date first, then the duration
            date_node, duration = (node.right, node.left) if impl == "dur+date" else (node.left, node.right)
            sign = -1 if impl == "date-dur" else 1
            if self.fast and isinstance(duration, ir.Const) and not duration.value.months:
                # A constant number of days: a timedelta (outside the calendar, OverflowError
                # sends the rule to its exact path, where _move reports E404).
                days = self.const(dt.timedelta(days=duration.value.days))
                return f"{self.code(date_node, scope, _P_ADD)} {'-' if sign < 0 else '+'} {days}", _P_ADD
            date_code = self.code(date_node, scope, 1)
            return f"_move({date_code}, {self.code(duration, scope, 1)}, {sign}, {site})", _P_POSTFIX
        if impl == "date-date":
            left = self.code(node.left, scope, _P_ADD)
            return f"({left} - {self.code(node.right, scope, _P_ADD + 1)}).days", _P_POSTFIX
        if impl == "int*dur":  # the interpreter computes duration × integer, duration first
            right = self.code(node.right, scope, _P_MUL)
            return f"{right} * {self.code(node.left, scope, _P_MUL + 1)}", _P_MUL
        if op == "/":
            right = node.right
            if isinstance(right, ir.Const) and isinstance(right.value, (int, Decimal)) \
                    and not isinstance(right.value, bool) and right.value:
                # A divisor that is a non-zero constant: the division cannot fail.
                left = self.code(node.left, scope, _P_MUL) if self.is_decimal(node.left) else \
                    f"_D({self.code(node.left, scope, 1)})"
                return f"{left} / {self.const(right.value)}", _P_MUL
            left = self.code(node.left, scope, 1)
            return f"_div({left}, {self.code(node.right, scope, 1)}, {site})", _P_POSTFIX
        prec = _P_MUL if op == "*" else _P_ADD
        left = self.code(node.left, scope, prec)
        return f"{left} {op} {self.code(node.right, scope, prec + 1)}", prec

    def _Compare(self, node: ir.Compare, scope: dict[str, str]) -> tuple[str, int]:
        left = self.code(node.left, scope, _P_CMP + 1)
        return f"{left} {_CMP[node.op]} {self.code(node.right, scope, _P_CMP + 1)}", _P_CMP

    def _Logic(self, node: ir.Logic, scope: dict[str, str]) -> tuple[str, int]:
        shared = self.shared_lists(node, scope)
        if node.op == "and":
            left = self.code(node.left, scope, _P_AND)
            right = self.code(node.right, scope, _P_AND + 1)
            text, prec = f"{left} and {right}", _P_AND
        else:
            left = self.code(node.left, scope, _P_OR) if node.op == "or" else \
                f"not {self.code(node.left, scope, _P_NOT)}"
            text, prec = f"{left} or {self.code(node.right, scope, _P_OR + 1)}", _P_OR
        for c in shared:
            self.reuse.pop(id(c), None)
        self.reused = [(c, name) for c, name in self.reused if c not in shared]
        return text, prec

    def shared_lists(self, node: ir.Logic, scope: dict[str, str]) -> list[Any]:
        """Common subexpressions: a comprehension computed on the left of `and`/`or` and again
        on its right is built once (`len(_list1 := [...]) > 0 and average(_list1) …`). The right
        is evaluated only after the left, and only when the left is true (`and`, `implies`)
        or false (`or`): the lists surely built then are reused."""
        if " no walrus" in scope:  # a comprehension's iterable takes no assignment
            return []
        truth = node.op != "or"
        built = [n for n in self.evaluated_if(node.left, truth) if isinstance(n, ir.Comprehension)]
        shared = []
        for c in built:
            if id(c) in self.reuse or any(c == other for other, _ in self.reused):
                continue
            if any(n == c for n in _walk(node.right) if isinstance(n, ir.Comprehension)):
                self.counter += 1
                self.reuse[id(c)] = f"_list{self.counter}"
                self.reused.append((c, self.reuse[id(c)]))
                shared.append(c)
        return shared

    def must(self, node: Any) -> list[Any]:
        """The nodes surely evaluated when `node` is (comprehension bodies and iterables,
        and the parts after a short-circuit, are not)."""
        out = [node]
        if isinstance(node, (ir.Compare, ir.Arith)):
            out += self.must(node.left) + self.must(node.right)
        elif isinstance(node, ir.Logic):
            out += self.must(node.left)
        elif isinstance(node, ir.Unary):
            out += self.must(node.operand)
        elif isinstance(node, ir.Field):
            out += self.must(node.record)
        elif isinstance(node, ir.Call):
            for a in node.args:
                out += self.must(a)
        elif isinstance(node, ir.If):
            out += self.must(node.cond)
        elif isinstance(node, ir.Between):
            out += self.must(node.low) + self.must(node.value)
        elif isinstance(node, ir.ListLit):
            for i in node.items:
                out += self.must(i)
        return out

    def evaluated_if(self, node: Any, truth: bool) -> list[Any]:
        """The nodes surely evaluated when `node` turned out `truth`."""
        if isinstance(node, ir.Logic) and node.op == "and" and truth:
            return [node] + self.evaluated_if(node.left, True) + self.evaluated_if(node.right, True)
        if isinstance(node, ir.Logic) and node.op == "or" and not truth:
            return [node] + self.evaluated_if(node.left, False) + self.evaluated_if(node.right, False)
        return self.must(node)

    def _Between(self, node: ir.Between, scope: dict[str, str]) -> tuple[str, int]:
        # low <= value <= high: Python's chained comparison, as the interpreter evaluates it
        low = self.code(node.low, scope, _P_CMP + 1)
        value = self.code(node.value, scope, _P_CMP + 1)
        return f"{low} <= {value} <= {self.code(node.high, scope, _P_CMP + 1)}", _P_CMP

    def _If(self, node: ir.If, scope: dict[str, str]) -> tuple[str, int]:
        return self.if_code(node, scope, lambda n: self.expr(n, scope))

    def if_code(self, node: ir.If, scope: dict[str, str], branch: Any) -> tuple[str, int]:
        """`then if cond else otherwise`, the condition generated first (it is evaluated
        first); `branch(node)` gives the code of a branch and its precedence."""
        cond = self.code(node.cond, scope, _P_OR)
        then = _wrap(branch(node.then), _P_NOT)  # (`and`/`or` in parentheses, for the reader)
        otherwise = branch(node.otherwise)
        last = otherwise[0] if otherwise[1] == _P_IF else _wrap(otherwise, _P_NOT)
        return f"{then} if {cond} else {last}", _P_IF

    def condition(self, item: ir.Condition, scope: dict[str, str]) -> tuple[str, int]:
        """An item of an aggregate: its exceptions first (any waives it), then the rule."""
        if not item.exceptions:
            return self.expr(item.expr, scope)
        parts = [self.code(e.cond, scope, _P_OR + 1) for e in item.exceptions]
        parts.append(self.code(item.expr, scope, _P_OR + 1))
        return " or ".join(parts), _P_OR

    def chain(self, items: tuple[ir.Condition, ...], scope: dict[str, str], prec: int) -> list[str]:
        """The items of `all of` / `any of`."""
        return [_wrap(self.condition(item, scope), prec + 1) for item in items]

    def seq(self, node: Any, scope: dict[str, str], needed: int = 1) -> str:
        """A list consumed at once (counted, summed, gone through): a comprehension may stay
        a Python list rather than a tuple."""
        while isinstance(node, ir.Local) and node.id in self.inlined:
            node = self.definitions[node.id].expr
        if isinstance(node, ir.Comprehension):
            return self.comprehension(node, scope, needed)
        return self.code(node, scope, needed)

    def _Aggregate(self, node: ir.Aggregate, scope: dict[str, str]) -> tuple[str, int]:
        if node.over is not None:
            if node.kind in ("all", "any"):
                return f"{node.kind}({self.seq(node.over, scope)})", _P_POSTFIX
            count = f"{self.seq(node.over, scope, _P_POSTFIX)}.count(True)"
        else:
            if node.kind in ("all", "any"):
                if not node.items:
                    return ("True" if node.kind == "all" else "False"), _P_ATOM
                op, prec = ("and", _P_AND) if node.kind == "all" else ("or", _P_OR)
                return f" {op} ".join(self.chain(node.items, scope, prec)), prec
            items = [_wrap(self.condition(i, scope), 1) for i in node.items]
            count = "sum((" + "".join(i + ", " for i in items) + "))" if items else "0"
        if node.kind == "count":
            return count, _P_POSTFIX
        return f"{count} >= {self.code(node.k, scope, _P_CMP + 1)}", _P_CMP

    def first_of(self, node: ir.FirstOf, scope: dict[str, str], branch: Any,
                 comments: bool = False) -> list[str]:
        """The lines `value if cond else` of a `first of` and its last line; conditions are
        generated before their values, as they are evaluated."""
        lines = []
        for b in node.branches:
            cond = self.code(b.cond, scope, _P_OR)
            value = _wrap(branch(b.value), _P_NOT)
            quote = f"  # § {_comment(repr(b.cites[0].quote))}" if comments and b.cites else ""
            lines.append(f"{value} if {cond} else{quote}")
        if node.otherwise is not None:
            otherwise = branch(node.otherwise)
            lines.append(otherwise[0] if otherwise[1] == _P_IF else _wrap(otherwise, _P_NOT))
        else:
            note = "  # no line applies: E403" if comments else ""
            lines.append(f"_no_line({self.site(node.span)}){note}")
        return lines

    def _FirstOf(self, node: ir.FirstOf, scope: dict[str, str]) -> tuple[str, int]:
        if not node.branches:
            return self.expr(node.otherwise, scope) if node.otherwise is not None else \
                (f"_no_line({self.site(node.span)})", _P_POSTFIX)
        lines = self.first_of(node, scope, lambda n: self.expr(n, scope))
        return " ".join(lines), _P_IF

    def _Call(self, node: ir.Call, scope: dict[str, str]) -> tuple[str, int]:
        func, site = node.func, self.site(node.span)
        if func in ("year", "month", "day"):
            return f"{self.code(node.args[0], scope, _P_POSTFIX)}.{func}", _P_POSTFIX
        if func in ("size", "sum", "average"):
            arg = self.seq(node.args[0], scope)
            if func == "size":
                return f"len({arg})", _P_POSTFIX
            if func == "sum":
                return f"sum({arg}, {self.const(Decimal(0))})", _P_POSTFIX
            return f"_average({arg}, {site})", _P_POSTFIX
        if func in _ROUND_MODES:
            mode = _ROUND_MODES[func]
            step = node.args[1]
            if isinstance(step, ir.Const) and step.value:
                exact = Decimal(step.value)
                if exact.as_tuple().digits == (1,):  # 1, 0.1, 0.01…: one quantize
                    if not self.is_computed(node.args[0]):
                        value = self.code(node.args[0], scope, 1)
                        return f"_round_pow10({value}, {self.const(exact)}, {mode}, {site})", _P_POSTFIX
                    if self.fast:  # see `definition`: an exact path follows if this one fails
                        value = self.code(node.args[0], scope, _P_POSTFIX)
                        return f"{value}.quantize({self.const(exact)}, {mode})", _P_POSTFIX
                    value = self.code(node.args[0], scope, 1)
                    return f"_round_computed({value}, {self.const(exact)}, {mode}, {site})", _P_POSTFIX
            args = [self.code(a, scope, 1) for a in node.args]
            return f"_round_to({args[0]}, {args[1]}, {mode}, {site})", _P_POSTFIX
        args = [self.code(a, scope, 1) for a in node.args]
        if func in ("min", "max", "abs"):
            return f"{func}({', '.join(args)})", _P_POSTFIX
        if func == "date":
            return f"_date({', '.join(args)}, {site})", _P_POSTFIX
        raise NotImplementedError(f"no Python for the builtin {func}")  # pragma: no cover

    def _ListLit(self, node: ir.ListLit, scope: dict[str, str]) -> tuple[str, int]:
        items = [self.code(i, scope, 1) for i in node.items]
        return "(" + "".join(i + ", " for i in items) + ")" if items else "()", _P_ATOM

    def _RecordLit(self, node: ir.RecordLit, scope: dict[str, str]) -> tuple[str, int]:
        return "{" + ", ".join(f"{n!r}: {self.code(v, scope, 1)}" for n, v in node.fields) + "}", _P_ATOM

    def _Var(self, node: ir.Var, scope: dict[str, str]) -> tuple[str, int]:
        return scope[node.name], _P_ATOM

    def _Field(self, node: ir.Field, scope: dict[str, str]) -> tuple[str, int]:
        return f"{self.code(node.record, scope, _P_POSTFIX)}[{node.name!r}]", _P_POSTFIX

    def _Comprehension(self, node: ir.Comprehension, scope: dict[str, str]) -> tuple[str, int]:
        return f"tuple({self.comprehension(node, scope, 1)})", _P_POSTFIX

    def comprehension(self, node: ir.Comprehension, scope: dict[str, str], needed: int) -> str:
        """`[BODY for VAR in SOURCE if WHERE]` (a list), or the name of the same list built
        just before (see `shared_lists`)."""
        for c, name in self.reused:
            if c == node and id(node) not in self.reuse:
                return name
        text = self.list_comprehension(node, scope)
        if id(node) in self.reuse:
            return _wrap((f"{self.reuse[id(node)]} := {_wrap(text, 1)}", 0), needed)
        return _wrap(text, needed)

    def list_comprehension(self, node: ir.Comprehension, scope: dict[str, str]) -> tuple[str, int]:
        """No assignment expression in a comprehension's iterable: it is marked in the scope;
        the filter and the body have the comprehension's variable."""
        source = self.code(node.source, {**scope, " no walrus": ""}, _P_OR)
        if id(node) not in self.var_names:
            self.var_names[id(node)] = f"_v_{_ascii_name(node.var)}_{len(self.var_names)}"
        var = self.var_names[id(node)]
        inner = {**scope, node.var: var}
        where = f" if {self.code(node.where, inner, _P_OR)}" if node.where is not None else ""
        return f"[{self.code(node.body, inner, 1)} for {var} in {source}{where}]", _P_ATOM

    # ------------------------------------------------------------ what is known of a value

    def is_decimal(self, node: Any) -> bool:
        """Whether a money/decimal/rate expression is always a Decimal at run time (a whole
        number may stand where a decimal is declared: `if c then 1 else 2.5`)."""
        if isinstance(node, ir.Const):
            return isinstance(node.value, Decimal)
        if isinstance(node, (ir.Input, ir.Param)):
            return node.type.kind in ("money", "decimal", "rate")
        if isinstance(node, ir.Local):
            d = self.definitions[node.id]
            return d.type.kind in ("decimal", "rate") or (
                d.type.kind == "money" and (d.kind == "output" or self.is_decimal(d.expr)))
        if isinstance(node, ir.Arith) and node.impl == "num":
            if node.op == "/":
                return True
            return self.is_decimal(node.left) or self.is_decimal(node.right)
        if isinstance(node, ir.Call):
            if node.func in ("round", "round_down", "round_up", "sum", "average"):
                return True
            if node.func in ("min", "max", "abs"):
                return all(self.is_decimal(a) for a in node.args)
        if isinstance(node, ir.If):
            return self.is_decimal(node.then) and self.is_decimal(node.otherwise)
        if isinstance(node, ir.FirstOf):
            return all(self.is_decimal(b.value) for b in node.branches) and (
                node.otherwise is None or self.is_decimal(node.otherwise))
        return False

    def is_computed(self, node: Any) -> bool:
        """Whether a value is the result of Decimal arithmetic, hence has no more digits than
        the decimal context's precision (28 by default; at most 60 assumed)."""
        return isinstance(node, ir.Arith) and node.impl == "num" and (
            node.op == "/" or self.is_decimal(node.left) or self.is_decimal(node.right))

    def cannot_fail(self, node: Any) -> bool:
        """Whether evaluating an expression can raise no ArithmeticError (so that a rule made
        of it may be inlined without changing which rule an error names)."""
        if isinstance(node, (ir.Const, ir.Input, ir.Var, ir.Local)):
            return True  # a rule's function turns its own arithmetic failures into errors
        if isinstance(node, ir.Param):
            return all(v.index is None for v in self.program.parameter(node.id).values) and (
                node.at is None or self.cannot_fail(node.at))
        if isinstance(node, ir.Field):
            return self.cannot_fail(node.record)
        if isinstance(node, ir.Unary):
            return (node.op == "not" or node.type.kind in ("integer", "year")) and \
                self.cannot_fail(node.operand)
        if isinstance(node, ir.Arith):
            if node.impl == "num" and node.type.kind not in ("integer", "year"):
                return False
            return self.cannot_fail(node.left) and self.cannot_fail(node.right)
        if isinstance(node, ir.Call):
            if node.func in ("round", "round_down", "round_up", "sum", "average"):
                return False
            if node.func == "abs" and node.type.kind not in ("integer",):
                return False
            return all(self.cannot_fail(a) for a in node.args)
        if isinstance(node, (ir.Compare, ir.Logic)):
            return self.cannot_fail(node.left) and self.cannot_fail(node.right)
        if isinstance(node, ir.Between):
            return all(self.cannot_fail(x) for x in (node.value, node.low, node.high))
        if isinstance(node, ir.If):
            return all(self.cannot_fail(x) for x in (node.cond, node.then, node.otherwise))
        if isinstance(node, ir.FirstOf):
            return all(self.cannot_fail(b.cond) and self.cannot_fail(b.value) for b in node.branches) \
                and (node.otherwise is None or self.cannot_fail(node.otherwise))
        if isinstance(node, ir.Aggregate):
            return all(self.cannot_fail(i.expr) and all(self.cannot_fail(e.cond) for e in i.exceptions)
                       for i in node.items) and all(
                self.cannot_fail(x) for x in (node.over, node.k) if x is not None)
        if isinstance(node, (ir.ListLit,)):
            return all(self.cannot_fail(i) for i in node.items)
        if isinstance(node, ir.RecordLit):
            return all(self.cannot_fail(v) for _, v in node.fields)
        if isinstance(node, ir.Comprehension):
            return all(self.cannot_fail(x) for x in (node.source, node.where, node.body)
                       if x is not None)
        return False

    @staticmethod
    def size(node: Any) -> int:
        n = 1
        for name in getattr(type(node), "__attrs_attrs__", ()):
            if name.name in ("span", "cites", "type"):
                continue
            value = getattr(node, name.name)
            for child in (value if isinstance(value, tuple) else (value,)):
                if hasattr(type(child), "__attrs_attrs__") and not isinstance(child, Type):
                    n += _Generator.size(child)
        return n

    def choose_inlined(self, counts: dict[str, int]) -> None:
        """Rules read in place rather than called: a `define` that cannot fail and is small
        (a date, a year, a test), or read once."""
        for d in self.definitions.values():
            if d.kind != "define" or d.type.kind in ("money", "decimal", "rate"):
                continue
            if not self.cannot_fail(d.expr):
                continue
            refs = counts.get(d.id, 0)
            if (self.size(d.expr) <= 12 and self.cheap(d.expr)) or (refs <= 1 and self.size(d.expr) <= 12):
                self.inlined.add(d.id)

    def cheap(self, node: Any) -> bool:
        """No call (but year/month/day), no parameter, no other rule: cheaper to recompute
        than to memoise."""
        if isinstance(node, (ir.Param, ir.Local, ir.Comprehension)):
            return False
        if isinstance(node, ir.Call) and node.func not in ("year", "month", "day"):
            return False
        for name in getattr(type(node), "__attrs_attrs__", ()):
            if name.name in ("span", "cites", "type"):
                continue
            value = getattr(node, name.name)
            for child in (value if isinstance(value, tuple) else (value,)):
                if hasattr(type(child), "__attrs_attrs__") and not isinstance(child, Type) \
                        and not self.cheap(child):
                    return False
        return True

    # ------------------------------------------------------------ reference counts

    def count_references(self) -> dict[str, int]:
        """How many places read each definition (a read inside a comprehension counts as
        many): a definition read once is not memoised."""
        counts: dict[str, int] = {}

        def walk(node: Any, loop: bool) -> None:
            if isinstance(node, ir.Local):
                counts[node.id] = counts.get(node.id, 0) + (2 if loop else 1)
            if isinstance(node, ir.Comprehension):
                walk(node.source, loop)
                if node.where is not None:
                    walk(node.where, True)
                walk(node.body, True)
                return
            for name in getattr(type(node), "__attrs_attrs__", ()):
                if name.name in ("span", "cites", "type"):
                    continue
                value = getattr(node, name.name)
                for child in (value if isinstance(value, tuple) else (value,)):
                    if isinstance(child, tuple):
                        for sub in child:
                            if hasattr(type(sub), "__attrs_attrs__") and not isinstance(sub, Type):
                                walk(sub, loop)
                    elif hasattr(type(child), "__attrs_attrs__") and not isinstance(child, Type):
                        walk(child, loop)

        for d in self.definitions.values():
            walk(d.expr, False)
        for d in self.unit.outputs:
            counts[d.id] = counts.get(d.id, 0) + 1
        return counts

    # ------------------------------------------------------------ declarations

    def name_everything(self) -> None:
        root = self.unit.id
        for unit in self.program.units.values():
            prefix = "" if unit.id == root else _ascii_name(unit.id.replace(".", "_")) + "__"
            for d in unit.definitions:
                self.memo_key[d.id] = "@" + (d.name if unit.id == root else d.id)
                self.rule_fn[d.id] = self.names.make("rule_", prefix + d.name)
                self.xrule_fn[d.id] = self.names.make("_xr_", prefix + d.name)
            for p in unit.parameters.values():
                self.param_fn[p.id] = self.names.make("param_", prefix + p.name)
                self.resolve_fn[p.id] = self.names.make("_resolve_", prefix + p.name)
                self.param_cache[p.id] = self.names.make("_cache_", prefix + p.name)
        for decl in self.unit.inputs:
            self.input_trace_fn[decl.name] = self.names.make("_xi_", decl.name)

    def header_comment(self, d: ir.Definition) -> list[str]:
        lines = [f"# {d.kind} {_comment(d.name)} : {_comment(d.type.short)}    ({_comment(str(d.span))})"]
        for c in d.cites:
            lines.append(f"# § {_comment(repr(c.quote))}  [{_comment(c.source)}]")
        for note in d.notes:
            lines.append(f"# note: {_comment(note)}")
        return lines

    def definition(self, d: ir.Definition, memo: bool) -> str:
        fn, key, site = self.rule_fn[d.id], repr(self.memo_key[d.id]), self.site(d.span)
        lines = self.header_comment(d)
        if d.id in self.inlined:
            lines.append("# (read in place where other rules use it: a small rule that cannot fail)")
        lines.append(f"def {fn}(v, m):")
        rounds = d.kind == "output" and d.type.kind == "money"
        body = self.top_expr(d.expr, "            ", rounds)
        self.fast = True
        try:
            fast = self.top_expr(d.expr, "            ", rounds)
        finally:
            self.fast = False
        lines.append("    try:")
        if rounds:
            lines.append("        # an output amount: half up to the cent (in each branch)")
        if fast != body:
            # Roundings of computed amounts as one quantize; if one fails (more digits than
            # the context holds), the same expression again with the exact 60-digit rounding.
            lines.append("        try:")
            lines.append(f"            value = {fast.replace(chr(10), chr(10) + '    ')}")
            lines.append("        except (ArithmeticError, AttributeError):  # the exact path")
            lines.append(f"            value = {body.replace(chr(10), chr(10) + '    ')}")
        else:
            lines.append(f"        value = {body}")
        if d.type.kind in ("decimal", "rate"):
            lines.append("        if isinstance(value, int):  # a whole number where a decimal is declared")
            lines.append("            value = _D(value)")
        lines.append("    except ArithmeticError as exc:")
        lines.append(f"        raise _arith_error(exc, {site}, {d.name!r}) from None")
        if memo:
            lines.append(f"    m[{key}] = value  # memoised: other rules read m[{key}]")
        lines.append("    return value")
        return "\n".join(lines) + "\n"

    def rounded(self, node: Any) -> tuple[str, int]:
        """`money(node)`: an output amount rounded half up to the cent, the rounding done in
        each branch of an `if` or `first of` (a constant is rounded here)."""
        if isinstance(node, ir.Const) and isinstance(node.value, Decimal):
            return self.const(node.value.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")), _P_ATOM
        if isinstance(node, ir.If):
            return self.if_code(node, {}, self.rounded)
        if isinstance(node, ir.FirstOf) and node.branches:
            return " ".join(self.first_of(node, {}, self.rounded)), _P_IF
        return f"{self.code(node, {}, _P_POSTFIX)}.quantize(_CENT, _HALF_UP)", _P_POSTFIX

    def top_expr(self, node: Any, indent: str, rounds: bool = False) -> str:
        """The expression of a definition, laid out line by line where the law is."""
        if isinstance(node, ir.Aggregate) and node.over is None and node.kind in ("all", "any") \
                and len(node.items) > 1:
            op, prec = ("and", _P_AND) if node.kind == "all" else ("or", _P_OR)
            texts = self.chain(node.items, {}, prec)
            lines = []
            for i, (item, text) in enumerate(zip(node.items, texts)):
                quote = f"  # § {_comment(repr(item.cites[0].quote))}" if item.cites else ""
                lines.append(f"{indent}{'' if i == 0 else op + ' '}{text}{quote}")
            return "(\n" + "\n".join(lines) + "\n" + indent[:-4] + ")"
        if isinstance(node, ir.FirstOf) and node.branches:
            branch = self.rounded if rounds else (lambda n: self.expr(n, {}))
            lines = self.first_of(node, {}, branch, comments=True)
            return "(\n" + "\n".join(indent + line for line in lines) + "\n" + indent[:-4] + ")"
        if rounds:
            return self.rounded(node)[0]
        return self.code(node, {}, 0)

    def parameter(self, p: ir.Parameter) -> str:
        fn, resolve = self.param_fn[p.id], self.resolve_fn[p.id]
        cache = self.param_cache[p.id]
        self.param_caches.append(cache)
        lines = [f"# parameter {_comment(p.name)} : {_comment(p.type.short)}    ({_comment(str(p.span))})"]
        if p.description:
            lines.append(f"# {_comment(repr(p.description))}")
        for c in p.cites:
            lines.append(f"# § {_comment(repr(c.quote))}")
        lines.append(f"def {resolve}(when, site):")
        lines.append("    # (value, which dated value, how it was indexed) on `when`")
        first = p.values[0].start if p.values else None
        for k in reversed(range(len(p.values))):
            dated = p.values[k]
            keyword_ = "if" if k == len(p.values) - 1 else "elif"
            span = f"until {dated.end}" if dated.end else "onwards"
            lines.append(f"    {keyword_} when >= {self.const(dated.start)}:  # from {dated.start} {span}")
            if dated.end is not None:
                reason = f"its value from {dated.start} ended on {dated.end}"
                lines.append(f"        if when > {self.const(dated.end)}:")
                lines.append(f"            raise _no_value({p.name!r}, {str(p.span)!r}, when, "
                             f"{reason!r}, site)")
            if dated.index is None:
                lines.append(f"        return {self.const(dated.value)}, {k}, None")
                continue
            series = self.program.series(dated.index)
            period_fn = "_period_yearly" if series.period == "yearly" else "_period_monthly"
            base_period = (str(dated.start.year) if series.period == "yearly"
                           else f"{dated.start.year}-{dated.start.month:02d}")
            lines.append(f"        base = _index({series.id!r}, {base_period!r}, site)")
            lines.append(f"        period = {period_fn}(when)")
            lines.append(f"        index = _index({series.id!r}, period, site)")
            value = f"{self.const(dated.value)} * index / base"
            if p.type.kind == "money":
                value = f"_money({value})"
            lines.append(f"        value = {value}")
            how_head = f"{dated.value} × {series.name}["
            how_tail = f" / {series.name}[{base_period}] "
            lines.append(f"        return value, {k}, ({how_head!r} + period + '] ' + str(index) + "
                         f"{how_tail!r} + str(base))")
        if first is not None:
            reason = f"its first value applies from {first}"
            lines.append(f"    raise _no_value({p.name!r}, {str(p.span)!r}, when, {reason!r}, site)")
        else:  # pragma: no cover - the checker requires a dated value
            lines.append("    raise AssertionError('no dated value')")
        lines.append("")
        lines.append(f"{cache} = {{}}")
        lines.append("")
        lines.append("")
        lines.append(f"def {fn}(when, site):")
        lines.append(f"    value = {cache}.get(when)")
        lines.append("    if value is None:")
        lines.append(f"        value = {resolve}(when, site)[0]")
        lines.append(f"        if len({cache}) > 100_000:")
        lines.append(f"            {cache}.clear()")
        lines.append(f"        {cache}[when] = value")
        lines.append("    return value")
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------ explanation

    def new_fn(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    @staticmethod
    def capture(var: str, problem: str, expr: str, indent: str) -> list[str]:
        """Evaluate an expression for the explanation: its value, or why it has none."""
        return [
            f"{indent}try:",
            f"{indent}    {var} = {expr}",
            f"{indent}    {problem} = None",
            f"{indent}except PolicyError as exc:",
            f"{indent}    {var}, {problem} = None, 'not evaluated: ' + exc.message",
            f"{indent}except ArithmeticError as exc:",
            f"{indent}    {var}, {problem} = None, _arith_problem(exc)",
        ]

    def xlist(self, node: Any) -> str:
        """Python code for the list of traces of what an expression reads (explain.py `expr`)."""
        if isinstance(node, ir.Input):
            return f"[{self.input_trace_fn[node.name]}(v)]"
        if isinstance(node, ir.Local):
            return f"[{self.xrule_fn[node.id]}(v, m, done)]"
        if isinstance(node, ir.Param):
            return f"[{self.xparam(node)}(v, m, done)]"
        if isinstance(node, ir.Aggregate) and node.over is None:
            conditions = "[" + ", ".join(f"{self.xcondition(i)}(v, m, done)" for i in node.items) + "]"
            if node.k is None:
                return conditions
            return f"_plus_new({conditions}, {self.xlist(node.k)})"
        if isinstance(node, ir.Comprehension):
            # the list it goes through, then what its filter and body read (not evaluated)
            reads = [self.xreads(p) for p in (node.where, node.body) if p is not None]
            reads = [r for r in reads if r != "[]"]
            source = self.xlist(node.source)
            return f"_add_new({source}, {', '.join(reads)})" if reads else source
        if isinstance(node, ir.FirstOf):
            return f"{self.xfirst_of(node)}(v, m, done)"
        if isinstance(node, ir.If):
            return f"{self.xif(node)}(v, m, done)"
        parts = [p for p in (self.xlist(c) for c in _generic_children(node)) if p != "[]"]
        if not parts:
            return "[]"
        return "_dedup([" + ", ".join("*" + p for p in parts) + "])"

    def xreads(self, node: Any) -> str:
        """Python code for the traces of what an expression inside a comprehension reads,
        without evaluating it (explain.py `_reads`)."""
        if isinstance(node, (ir.Input, ir.Local)):
            return self.xlist(node)
        if isinstance(node, ir.Param):
            if node.at is None or not any(isinstance(n, ir.Var) for n in _walk(node.at)):
                return f"[{self.xparam(node)}(v, m, done)]"
            p = self.program.parameter(node.id)
            return (f"[_Trace('parameter', {p.name!r}, None, {self.type_index(p.type)}, "
                    f"{self.site(p.span)}, {self.cite_index(p.cites)}, "
                    f"'read at a date computed for each element', {self.xreads(node.at)})]")
        parts = [r for r in (self.xreads(c) for c in _parts(node)) if r != "[]"]
        if not parts:
            return "[]"
        return "_dedup([" + ", ".join("*" + r for r in parts) + "])"

    def excerpt(self, span: Span) -> str:
        return SOURCES.excerpt(span)

    def xcondition(self, item: ir.Condition) -> str:
        if id(item) in self.xnode_fn:
            return self.xnode_fn[id(item)]
        fn = self.new_fn("_xc")
        self.xnode_fn[id(item)] = fn
        name = self.excerpt(item.expr.span) or "condition"
        lines = [f"def {fn}(v, m, done):  # condition {_comment(repr(name))}"]
        lines += self.capture("value", "problem", self.code_of_condition(item), "    ")
        lines.append("    exceptions = []")
        lines.append("    waived = False")
        boolean = self.type_index(BOOLEAN)
        for e in item.exceptions:
            ename = "unless " + self.excerpt(e.cond.span)
            lines += self.capture("e_value", "e_problem", self.code(e.cond, {}, 0), "    ")
            lines.append("    waived = waived or bool(e_value)")
            lines.append(f"    exceptions.append(_Trace('exception', {ename!r}, e_value, {boolean}, "
                         f"{self.site(e.span)}, {self.cite_index(e.cites)}, e_problem, "
                         f"{self.xlist(e.cond)}))")
        lines.append("    detail = problem or ('waived by an exception' if waived else None)")
        lines.append(f"    return _Trace('condition', {name!r}, value, {boolean}, {self.site(item.span)}, "
                     f"{self.cite_index(item.cites)}, detail, {self.xlist(item.expr)} + exceptions)")
        self.xblocks.append("\n".join(lines) + "\n")
        return fn

    def code_of_condition(self, item: ir.Condition) -> str:
        return _wrap(self.condition(item, {}), 0)

    def xfirst_of(self, node: ir.FirstOf) -> str:
        if id(node) in self.xnode_fn:
            return self.xnode_fn[id(node)]
        fn = self.new_fn("_xf")
        self.xnode_fn[id(node)] = fn
        t = self.type_index(node.type)
        lines = [f"def {fn}(v, m, done):  # first of    ({_comment(str(node.span))})", "    out = []"]
        for branch in node.branches:
            name = f"{self.excerpt(branch.value.span)} when {self.excerpt(branch.cond.span)}"
            site, cites = self.site(branch.span), self.cite_index(branch.cites)
            lines.append(f"    # {_comment(repr(name))}")
            lines += self.capture("cond", "problem", self.code(branch.cond, {}, 0), "    ")
            lines.append("    if cond:")
            lines += self.capture("value", "_", self.code(branch.value, {}, 0), "        ")
            lines.append(f"        out.append(_Trace('branch', {name!r}, value, {t}, {site}, {cites}, "
                         f"'applies', {self.xlist(branch.cond)} + {self.xlist(branch.value)}))")
            lines.append("        return out")
            lines.append(f"    out.append(_Trace('branch', {name!r}, None, {t}, {site}, {cites}, "
                         f"problem or 'does not apply', {self.xlist(branch.cond)}))")
        if node.otherwise is not None:
            lines += self.capture("value", "_", self.code(node.otherwise, {}, 0), "    ")
            lines.append(f"    out.append(_Trace('otherwise', 'otherwise', value, {t}, "
                         f"{self.site(node.otherwise.span)}, {self.cite_index(())}, "
                         f"'applies: no line above did', {self.xlist(node.otherwise)}))")
        lines.append("    return out")
        self.xblocks.append("\n".join(lines) + "\n")
        return fn

    def xif(self, node: ir.If) -> str:
        if id(node) in self.xnode_fn:
            return self.xnode_fn[id(node)]
        fn = self.new_fn("_xif")
        self.xnode_fn[id(node)] = fn
        lines = [f"def {fn}(v, m, done):  # if … then … else …    ({_comment(str(node.span))})"]
        lines += self.capture("cond", "problem", self.code(node.cond, {}, 0), "    ")
        lines.append(f"    chosen = {self.xlist(node.then)} if cond else {self.xlist(node.otherwise)}")
        if isinstance(node.cond, (ir.Input, ir.Local)):
            lines.append(f"    return {self.xlist(node.cond)} + chosen")
        else:
            text = self.excerpt(node.cond.span) or "condition"
            t = self.type_index(getattr(node.cond, "type", BOOLEAN))
            lines.append(f"    return [_Trace('condition', {text!r}, cond, {t}, {self.site(node.cond.span)}, "
                         f"{self.cite_index(node.cites)}, problem, {self.xlist(node.cond)})] + chosen")
        self.xblocks.append("\n".join(lines) + "\n")
        return fn

    def xparam(self, node: ir.Param) -> str:
        if id(node) in self.xnode_fn:
            return self.xnode_fn[id(node)]
        fn = self.new_fn("_xp")
        self.xnode_fn[id(node)] = fn
        p = self.program.parameter(node.id)
        t, pspan = self.type_index(p.type), self.site(p.span)
        lines = [f"def {fn}(v, m, done):  # parameter {_comment(p.name)}    ({_comment(str(node.span))})"]
        if node.at is not None:
            lines += self.capture("when", "problem", self.code(node.at, {}, 0), "    ")
            lines.append("    if when is None:")
            lines.append(f"        return _Trace('parameter', {p.name!r}, None, {t}, {pspan}, "
                         f"{self.cite_index(p.cites)}, problem or 'not evaluated', [])")
        else:
            lines.append("    when = m['@as of']")
        lines.append("    try:")
        lines.append(f"        value, k, how = {self.resolve_fn[p.id]}(when, {self.site(node.span)})")
        lines.append("    except PolicyError as exc:")
        lines.append(f"        return _Trace('parameter', {p.name!r}, None, {t}, {pspan}, "
                     f"{self.cite_index(p.cites)}, 'not evaluated: ' + exc.message, [])")
        starts = ", ".join(repr(str(d.start)) for d in p.values)
        cites = ", ".join(str(self.cite_index(p.cites + d.cites)) for d in p.values)
        lines.append(f"    detail = 'value on ' + str(when) + ' (from ' + ({starts},)[k] + ')' + "
                     "(', indexed: ' + how if how else '')")
        children = self.xlist(node.at) if node.at is not None else "[]"
        lines.append(f"    return _Trace('parameter', {p.name!r}, value, {t}, {pspan}, ({cites},)[k], "
                     f"detail, {children})")
        self.xblocks.append("\n".join(lines) + "\n")
        return fn

    def xdefinition(self, d: ir.Definition) -> str:
        fn, key = self.xrule_fn[d.id], repr(d.id)
        lines = [f"def {fn}(v, m, done):  # explains {_comment(d.kind)} {_comment(d.name)}",
                 f"    trace = done.get({key})",
                 "    if trace is not None:",
                 "        return trace"]
        lines += self.capture("value", "problem", self.code(d.expr, {}, 0), "    ")
        lines.append("    detail = problem")
        if d.kind == "output" and d.type.kind == "money":
            lines.append("    if value is not None and _money(value) != value:")
            lines.append("        detail = 'rounded half up to the cent from ' + str(value)")
            lines.append("        value = _money(value)")
        lines.append(f"    trace = _Trace({d.kind!r}, {d.name!r}, value, {self.type_index(d.type)}, "
                     f"{self.site(d.span)}, {self.cite_index(d.cites)}, detail, {self.xlist(d.expr)})")
        lines.append(f"    done[{key}] = trace")
        lines.append("    return trace")
        return "\n".join(lines) + "\n"

    def xinput(self, decl: ir.InputDecl) -> str:
        fn = self.input_trace_fn[decl.name]
        return (f"def {fn}(v):\n    return _Trace('input', {decl.name!r}, v.get({decl.name!r}), "
                f"{self.type_index(decl.type)}, {self.site(decl.span)}, {self.cite_index(decl.cites)}, "
                f"{decl.description!r}, [])\n")

    # ------------------------------------------------------------ validation

    def converter(self, t: Type) -> str:
        """The name of a function turning a JSON value into a value of type t."""
        kind = t.kind
        if kind in ("boolean", "integer", "year", "money", "decimal", "rate", "date", "duration",
                    "text"):
            return f"_c_{kind}"
        if t in self.converters:
            return self.converters[t]
        name = f"_c{len(self.converters)}"
        self.converters[t] = name
        if kind == "enum":
            members = f"_M{name[2:]}"
            block = (f"{members} = {t.members!r}\n"
                     f"{name}_SET = frozenset({members})\n\n\n"
                     f"def {name}(raw):  # {_comment(str(t))}\n"
                     f"    if raw.__class__ is str and raw in {name}_SET:\n"
                     f"        return raw\n"
                     f"    return _c_enum(raw, {members})\n")
        elif kind == "list":
            item = self.converter(t.element)  # type: ignore[arg-type]
            block = (f"def {name}(raw):  # {_comment(str(t))}\n"
                     f"    return _c_list(raw, {item})\n")
        elif kind == "record":
            bounds = {n: (low, high) for n, low, high in t.bounds}
            fields = tuple(n for n, _ in t.fields)
            lines = [f"_F{name[2:]} = {fields!r}", f"_F{name[2:]}_SET = frozenset(_F{name[2:]})", "", "",
                     f"def {name}(raw):  # {_comment(str(t))}",
                     f"    if raw.__class__ is not dict or raw.keys() != _F{name[2:]}_SET:",
                     f"        _record_fields(raw, {t.name!r}, _F{name[2:]})  # unknown or missing fields",
                     "    out = {}"]
            for fname, ftype in t.fields:
                lines.append(f"    field = raw[{fname!r}]")
                fast = self.fast_value(ftype, "field")
                indent = "    "
                if fast is not None:
                    lines.append(f"    if {fast[0]}:  # valid as given")
                    lines.append("        pass" if fast[1] == "value" else f"        value = {fast[1]}")
                    lines.append("    else:")
                    indent = "        "
                lines.append(f"{indent}try:")
                lines.append(f"{indent}    value = {self.converter(ftype)}(field)")
                lines.append(f"{indent}except _Invalid as exc:")
                lines.append(f"{indent}    raise _field_problem(exc, {fname!r}) from None")
                low, high = bounds.get(fname, (None, None))
                show = self.display_fn(ftype)
                for limit, test in ((low, "<"), (high, ">")):
                    if limit is None:
                        continue
                    prefix = f"field '{fname}' is "
                    suffix = f", beyond its bound {display(limit, ftype)}"
                    lines.append(f"    if value {test} {self.const(limit)}:")
                    lines.append(f"        raise _Invalid('E503', {prefix!r} + {show}(value) + {suffix!r})")
                lines.append(f"    out[{fname!r}] = value")
            lines.append("    return out")
            block = "\n".join(lines) + "\n"
        else:  # pragma: no cover
            raise NotImplementedError(f"no input converter for {t}")
        self.converter_blocks.append(block)
        return name

    @staticmethod
    def display_fn(t: Type) -> str:
        kind = t.kind
        if kind in ("money", "rate", "decimal", "date"):
            return f"_display_{kind}"
        return "_display_str"

    def validate_fn(self) -> str:
        unit = self.unit
        infos = []
        missing_notes: dict[str, str] = {}
        lines = [
            "def validate(inputs):",
            '    """Typed values of one case given as JSON-like data (amounts as strings or',
            "    numbers, dates as ISO strings); raises PolicyError listing every problem.\"\"\"",
            "    if not isinstance(inputs, dict):",
            "        raise _not_an_object()",
            "    problems = []",
            "    if not inputs.keys() <= _INPUT_SET:",
            "        _unknown_inputs(inputs, problems)",
            "    if not _INPUT_SET <= inputs.keys():",
            "        _missing_inputs(inputs, problems)",
            "    values = {}",
        ]
        for i, decl in enumerate(unit.inputs):
            name, t = decl.name, decl.type
            expected = describe(t)
            note = f"declared at {decl.span}"
            missing_notes[name] = (f"'{name}': {expected}"
                                   + (f" — {decl.description}" if decl.description else "")
                                   + f" (declared at {decl.span})")
            low, high = decl.minimum, decl.maximum
            show = self.display_fn(t)
            info = f"_IN{i}"
            infos.append(
                f"{info} = ({name!r}, {self.converter(t)}, {expected!r}, {note!r}, "
                f"{self.const(low)}, {self.const(high)}, {show}, "
                f"{None if low is None else display(low, t)!r}, "
                f"{None if high is None else display(high, t)!r})")
            lines.append(f"    # {_comment(name)} : {_comment(str(t))}"
                         + (f" — {_comment(repr(decl.description))}" if decl.description else ""))
            lines.append(f"    raw = inputs.get({name!r}, _MISSING)")
            fast = self.fast_input(t, low, high)
            if fast is None:
                lines.append(f"    _check_input(raw, {info}, values, problems)")
                continue
            lines.append(f"    if {fast[0]}:  # valid as given")
            lines.append(f"        values[{name!r}] = {fast[1]}")
            lines.append("    else:  # missing, to convert, or invalid: every problem reported")
            lines.append(f"        _check_input(raw, {info}, values, problems)")
        lines.append("    if problems:")
        lines.append("        raise PolicyError(problems)")
        lines.append("    return values")
        head = ("# The inputs, and the note of each when it is missing.\n"
                f"_INPUT_NAMES = {_json_literal(missing_notes)}\n"
                f"_INPUT_SET = frozenset(_INPUT_NAMES)\n"
                "# Each input: (name, converter, what is expected, where it is declared, minimum,\n"
                "# maximum, how a value is shown, the bounds shown).\n"
                + "\n".join(infos) + "\n\n\n")
        return head + "\n".join(lines) + "\n"

    def fast_value(self, t: Type, raw: str) -> tuple[str, str] | None:
        """(test, value): a test that a raw JSON value (the variable `raw`) is valid as given,
        for the common forms, and the typed value then; else the full conversion decides."""
        kind = t.kind
        if kind == "boolean":
            return f"{raw} is True or {raw} is False", raw
        if kind in ("integer", "year"):
            lo, hi = (-(10 ** 18) + 1, 10 ** 18 - 1) if kind == "integer" else (1000, 9999)
            return f"{raw}.__class__ is int and {self.const(lo)} <= {raw} <= {self.const(hi)}", raw
        if kind == "enum":
            return f"{raw}.__class__ is str and {raw} in {self.converter(t)}_SET", raw
        if kind == "text":
            return f"{raw}.__class__ is str", raw
        text_fn = {"money": "_money_text", "date": "_date_text", "decimal": "_decimal_text",
                   "rate": "_decimal_text"}.get(kind)
        if text_fn:
            return f"{raw}.__class__ is str and (value := {text_fn}({raw})) is not None", "value"
        return None

    def fast_input(self, t: Type, low: Any, high: Any) -> tuple[str, str] | None:
        """`fast_value` of the variable `raw`, with the input's bounds in the test."""
        fast = self.fast_value(t, "raw")
        if fast is None:
            return None
        test, value = fast
        if low is not None:
            test += f" and {self.const(low)} <= {value}"
        if high is not None:
            test += f" and {value} <= {self.const(high)}"
        return test, value

    # ------------------------------------------------------------ the module

    def module(self) -> str:
        unit, program = self.unit, self.program
        self.name_everything()
        counts = self.count_references()
        self.choose_inlined(counts)
        self.memo = {d for d in self.definitions if counts.get(d, 0) > 1 and d not in self.inlined}
        rules = [self.definition(d, d.id in self.memo)
                 for u in program.units.values() for d in u.definitions]
        params = [self.parameter(p) for u in program.units.values() for p in u.parameters.values()]
        outputs = unit.outputs
        xdefs = [self.xdefinition(d) for u in program.units.values() for d in u.definitions]
        xinputs = [self.xinput(decl) for decl in unit.inputs]
        validate = self.validate_fn()
        for d in outputs:
            self.type_index(d.type)

        if unit.as_of is not None:
            as_of_code = f"as_of if as_of is not None else v[{unit.as_of!r}]"
            as_of_doc = f"the date: `as_of`, else the input {unit.as_of!r}"
        else:
            as_of_code = "as_of if as_of is not None else _dt.date.today()"
            as_of_doc = "the date: `as_of`, else today"
        def read(d: ir.Definition) -> str:
            return self.read(d.id)[0]
        run_items = ", ".join(f"{d.name!r}: {read(d)}" for d in outputs)
        def to_json(t: Type, code: str) -> str:
            fn = self.json_fn(t)
            return code if fn == "_j_same" else f"{fn}({code})"
        json_items = ", ".join(f"{d.name!r}: {to_json(d.type, read(d))}"
                               for d in outputs)
        out_json_items = ", ".join(f"{d.name!r}: {to_json(d.type, f'outputs[{d.name!r}]')}"
                                   for d in outputs)
        explain_items = ", ".join(f"{self.xrule_fn[d.id]}(v, m, done)" for d in outputs)

        series_rows = []
        for u in program.units.values():
            for s in u.series.values():
                values = "{" + ", ".join(f"{k!r}: {self.const(v)}" for k, v in s.values.items()) + "}"
                series_rows.append(f"    {s.id!r}: ({s.name!r}, {values}, {s.file!r}, {s.publisher!r}),")

        api = f'''
# ================================================================ the API

# The evaluation date: {_comment(as_of_doc)}.

def _run(v, m):
    """The outputs of one case: `v` holds the validated values, `m` the date ('@as of') and
    the rules computed (memoised; `v` and `m` may be the same dict)."""
    return {{{run_items}}}


def compute(values, as_of=None):
    """The outputs (Decimal, date, … values) of validated values (see `validate`)."""
    v = values
    m = {{'@as of': {as_of_code}}}
    return {{{run_items}}}


def evaluate(inputs, as_of=None):
    """Validate one case and evaluate it: {{"policy", "as_of", "outputs"}} as JSON-ready data
    (amounts as strings to the cent). Raises PolicyError (inputs: E5xx; run time: E4xx)."""
    v = m = validate(inputs)  # the values dict also holds the date and the rules computed
    when = m['@as of'] = {as_of_code}
    return {{'policy': _POLICY_ID, 'as_of': when.isoformat(), 'outputs': {{{json_items}}}}}


def evaluate_many(rows, as_of=None):
    """`evaluate` on each case; parameters and indices are resolved once per date (cached).
    A failing case raises PolicyError with its index in `row`."""
    results = []
    append = results.append
    for row, inputs in enumerate(rows):
        try:
            v = m = validate(inputs)
            when = m['@as of'] = {as_of_code}
            append({{'policy': _POLICY_ID, 'as_of': when.isoformat(), 'outputs': {{{json_items}}}}})
        except PolicyError as exc:
            exc.row = row
            raise
    return results


def explain(inputs, as_of=None):
    """`evaluate`, with the explanation of every output (trace.v1, as `legiste eval
    --explain --json` gives it)."""
    v = m = validate(inputs)
    when = m['@as of'] = {as_of_code}
    outputs = _run(v, m)
    done = {{}}
    traces = [{explain_items}]
    return {{'policy': _POLICY_ID, 'as_of': when.isoformat(),
            'outputs': {{{out_json_items}}},
            'explanation': {{'version': {TRACE_VERSION!r}, 'outputs': [t.to_json() for t in traces]}}}}
'''

        metadata = {
            "id": unit.id, "title": unit.title, "authority": unit.authority, "url": unit.url,
            "as_of": unit.as_of, "file": unit.file, "trace_version": TRACE_VERSION,
            "generator": f"legiste python {GENERATOR_VERSION}",
            "sources": [{"name": s.name, "file": s.file, "url": s.url} for s in unit.sources],
            "inputs": [{"name": d.name, "type": d.type.short, "kind": d.type.kind,
                        "description": d.description,
                        "minimum": None if d.minimum is None else _json_value(d.minimum, d.type),
                        "maximum": None if d.maximum is None else _json_value(d.maximum, d.type),
                        "location": d.span.to_json()} for d in unit.inputs],
            "outputs": [{"name": d.name, "type": d.type.short, "kind": d.type.kind,
                         "notes": list(d.notes), "location": d.span.to_json()} for d in outputs],
        }
        source_map: dict[str, Any] = {}
        for u in program.units.values():
            for d in u.definitions:
                source_map[d.id] = {
                    "name": d.name, "kind": d.kind, "type": d.type.short, "function": self.rule_fn[d.id],
                    **d.span.to_json(),
                    "quotes": [{"quote": c.quote, "source": c.source, "verified": c.verified}
                               for c in d.cites]}
            for p in u.parameters.values():
                source_map[p.id] = {
                    "name": p.name, "kind": "parameter", "type": p.type.short,
                    "function": self.param_fn[p.id], **p.span.to_json(),
                    "quotes": [{"quote": c.quote, "source": c.source, "verified": c.verified}
                               for c in p.cites + tuple(c for v in p.values for c in v.cites)]}

        spans = "\n".join(f"    {key!r},  # {i}" for key, i in self.spans.items())
        cites = "\n".join(f"    {key!r}," for key in self.cites)
        types = "\n".join(f"    ({short!r}, {fn})," for short, fn in self.type_list)

        parts = [
            "# Generated by Legiste from a policy file: do not edit, recompile the policy.\n"
            "# A standalone module: it imports the Python standard library only.\n",
            '"""A policy compiled to Python by Légiste (METADATA says which).\n\n'
            "    evaluate(inputs, as_of=None) -> {policy, as_of, outputs}\n"
            "    evaluate_many(rows, as_of=None) -> [result, ...]\n"
            "    explain(inputs, as_of=None) -> {policy, as_of, outputs, explanation (trace.v1)}\n"
            "    validate(inputs) -> typed values;  compute(values, as_of=None) -> raw outputs\n"
            "    INPUT_SCHEMA, OUTPUT_SCHEMA, METADATA, SOURCE_MAP\n\n"
            "Errors raise PolicyError (code, message, location in the rule file).\n"
            '"""\n',
            f"# Policy: {_comment(unit.id)}"
            + (f" — {_comment(repr(unit.title))}" if unit.title else "") + "\n"
            + (f"# Authority: {_comment(repr(unit.authority))}\n" if unit.authority else "")
            + f"# Rule file: {_comment(unit.file)}\n",
            _RUNTIME,
            "\n# ================================================================ the policy\n",
            f"_POLICY_ID = {unit.id!r}\n",
            "# Where each rule is written (file, line, column, end line, end column).\n"
            f"_SPANS = [\n{spans}\n]\n",
            "# The quotes of the law attached to rules: (quote, source, verified).\n"
            f"_CITES = [\n{cites}\n]\n",
            "\n\n".join(self.type_converters),
            "# Types of the traced values: (name, JSON form).\n_TYPES = [\n" + types + "\n]\n",
            "# Constants of the rules.\n" + "\n".join(self.const_lines) + "\n",
            "# Index series: id -> (name, values by period, file, publisher).\n"
            "_SERIES = {\n" + "\n".join(series_rows) + "\n}\n",
            "\n# ---------------------------------------------------------------- parameters\n",
            "\n\n".join(params),
            f"_PARAMETER_CACHES = [{', '.join(self.param_caches)}]\n",
            "\n# ---------------------------------------------------------------- rules\n"
            "# One function per `define` and `output`, of `v` (the validated input values) and `m`\n"
            "# (the evaluation: its date '@as of' and the rules read more than once, memoised as\n"
            "# '@name' and read as `m['@name'] if '@name' in m else rule_name(v, m)`). A small rule\n"
            "# that cannot fail is read in place (its expression inlined). Arithmetic failures\n"
            "# become PolicyError located at the rule; E4xx errors at the expression that failed.\n",
            "\n\n".join(rules),
            "\n# ---------------------------------------------------------------- inputs\n",
            "\n\n".join(self.converter_blocks),
            validate,
            api,
            "\n# ================================================================ explanation\n",
            "\n\n".join(xinputs),
            "\n\n".join(self.xblocks),
            "\n\n".join(xdefs),
            "\n# ================================================================ descriptions\n",
            f"INPUT_SCHEMA = {_json_literal(input_schema(unit))}\n",
            f"OUTPUT_SCHEMA = {_json_literal(output_schema(unit))}\n",
            f"METADATA = {_json_literal(metadata)}\n",
            "# Where each rule and parameter is written, and the law it quotes.\n"
            f"SOURCE_MAP = {_json_literal(source_map)}\n",
            "__all__ = ['evaluate', 'evaluate_many', 'explain', 'validate', 'compute', 'PolicyError',\n"
            "           'Duration', 'INPUT_SCHEMA', 'OUTPUT_SCHEMA', 'METADATA', 'SOURCE_MAP',\n"
            "           'INDEX_OVERRIDES', 'set_index']\n",
        ]
        return "\n\n".join(p.rstrip("\n") + "\n" for p in parts if p.strip())


def _json_value(value: Any, t: Type) -> Any:
    from compiler.values import to_json
    return to_json(value, t)


def generate(program: ir.Program) -> str:
    """The Python source of a standalone module that evaluates and explains the policy."""
    return _Generator(program).module()


__all__ = ["generate", "GENERATOR_VERSION"]
