"""The runtime of a generated module: the helpers its compiled rules call.

compiler/backends/python/generator.py copies this file, as it is, into every module it
generates (after this docstring, and up to the stand-ins at the end), so it must import
the Python standard library only. The semantics are not here: they are the runtime
package (compiler/runtime/: conversions, errors, numbers, durations, forms, parameters,
functions), which the interpreter imports and whose text replaces the block of imports
below. What is left is what only a generated module needs: its PolicyError and the
location of a failure at a site of _SPANS, the fast forms of a rounding, the supplied
index values, the validation of a whole case over the runtime's converters, and the
trace nodes of its explanation. tests/test_codegen.py checks the equivalence on every
policy, tests/test_python_runtime.py the helpers alone, tests/test_one_runtime.py that
no function is defined twice.

The generated module defines, after this text, the policy's tables the helpers read:
`_POLICY_ID`, `_SPANS` (where each rule is written), `_CITES` (the quotes of the law),
`_TYPES` (how a traced value is written in JSON), `_SERIES` (index series),
`_PARAMETER_CACHES` and `_INPUT_NAMES`. Imported on its own, this module has empty
stand-ins for them (see the end of the file).
"""


# ---------------------------------------------------------------- conversions
# The runtime package (compiler/runtime/: conversions, errors, numbers, parameters,
# functions), shared with the interpreter: a generated module holds the text of those files
# here, not these imports.
from legiste.compiler.runtime.conversions import (_c_boolean, _c_date, _c_decimal, _c_enum, _c_integer,
                                  _c_list, _c_money, _c_rate, _c_text, _c_year, _D, _DATE_RE,
                                  _did_you_mean, _difflib, _dt, _dumps, _duration_parts,
                                  _DURATION_RE, _HUGE_INT, _Invalid, _InvalidOperation, _json,
                                  _not_huge, _number, _re, _money_text, _decimal_text, _record_fields, _what, _whole)
from legiste.compiler.runtime.input_problems import (_NOT_AN_OBJECT, _NOT_AN_OBJECT_HINT, _bad_input_message,
                                                    _field_beyond, _field_problem, _missing_message,
                                                    _out_of_bounds_message, _requirement_unmet,
                                                    _unknown_hints, _unknown_message)
from legiste.compiler.runtime.errors import (_GUARD_DIVISION, _RunError, _arith_failure, _arith_problem,
                                            _division_by_zero, _inexact, _is_division_by_zero, _no_line,
                                            _not_evaluated, _outside_calendar, _absent,
                                            _rule_error)
from legiste.compiler.runtime.numbers import (_CEILING, _CENT, _DivisionByZero, _CONTEXT, _CTX60, _EXACT, _FLOOR,
                                             _HALF_UP, _ONE, _div, _divide, _minus, _money, _round_to, _text,
                                             _to_cent, _xadd, _xmul, _xsub, _xsum)
from legiste.compiler.runtime.durations import Duration, _add_duration, _c_duration, _move
from legiste.compiler.runtime.forms import (_display_boolean, _display_date, _display_decimal,
                                           _display_money, _display_rate, _display_str, _j_date,
                                           _j_decimal, _j_money, _j_same, _j_str, _input_detail)
from legiste.compiler.runtime.parameters import (_index_value, _indexed, _no_value, _period_monthly,
                                                _period_yearly)
from legiste.compiler.runtime.functions import (_abs, _average, _calendar, _date, _day, _end_of_month, _month,
                                               _round, _round_down, _round_up, _weekday, _year,
                                               _years_between)
from legiste.compiler.runtime.traces import _trace_json
# ---------------------------------------------------------------- end of conversions

_NO_SPAN = ("<unknown>", 1, 1, 1, 1)


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


def _located(code, message, site, hints=(), notes=()):
    """The runtime's failures (compiler/runtime/errors.py), located by a site of _SPANS, are
    this module's PolicyError."""
    return _error(code, message, site, hints, notes)


_arith_error = _arith_failure


# ---------------------------------------------------------------- values


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
        return value.quantize(step, mode, _CONTEXT)
    except (_InvalidOperation, AttributeError):  # too many digits, or a whole number
        return _round_to(value, step, mode, site)


# ---------------------------------------------------------------- parameters and indices

INDEX_OVERRIDES = {}  # (series id, period) -> Decimal: an index value not published yet


def set_index(series, period, value):
    """Supply an index value the policy's series does not publish yet (like --index)."""
    INDEX_OVERRIDES[(series, period)] = _D(value)
    for cache in _PARAMETER_CACHES:
        cache.clear()


def _index(series, period, site):
    return _index_value(INDEX_OVERRIDES, series, period, _SERIES, site)


# ---------------------------------------------------------------- input validation


def _bad_input(exc, name, expected, note):
    return _diag(exc.code, _bad_input_message(name, exc.message, expected), _NO_SPAN,
                 [exc.hint] if exc.hint else [], [note])


_MISSING = object()


def _missing_inputs(inputs, problems):
    """One diagnostic (E500) naming every missing input."""
    missing = [name for name in _INPUT_NAMES if name not in inputs and name in _REQUIRED_SET]
    problems.append(_diag("E500", _missing_message(missing), _NO_SPAN, [],
                          [_INPUT_NAMES[name] for name in missing]))


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
        problems.append(_diag("E503", _out_of_bounds_message(name, show(value), low_text, True),
                              _NO_SPAN, [], [note]))
        return
    if high is not None and value > high:
        problems.append(_diag("E503", _out_of_bounds_message(name, show(value), high_text, False),
                              _NO_SPAN, [], [note]))
        return
    values[name] = value


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
            problems.append(_diag("E504", _unknown_message(key, _POLICY_ID), _NO_SPAN,
                                  _unknown_hints(key, list(_INPUT_NAMES))))


def _not_an_object():
    return PolicyError([_diag("E505", _NOT_AN_OBJECT, _NO_SPAN, [_NOT_AN_OBJECT_HINT])])


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
        return _trace_json(self.kind, self.rule, None if self.value is None else convert(self.value),
                           short, _location(_SPANS[self.span]), _CITES[self.cites], self.detail,
                           [c.to_json() for c in self.children])


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


# ---------------------------------------------------------------- stand-ins
# Not copied into a generated module, which defines these tables itself (with the
# policy's spans, quotes, types, series, parameter caches and inputs). Empty here, so
# that the runtime can be imported, linted and tested on its own.

_POLICY_ID = "<no policy>"
_SPANS = [_NO_SPAN]
_CITES = [()]
_TYPES = []
_SERIES = {}
_PARAMETER_CACHES = []
_INPUT_NAMES = {}
_REQUIRED_SET = frozenset()
