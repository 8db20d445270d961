"""Run-time failures, one text for the interpreter and every generated module.

Pipeline stage: runtime (after type checking); consumed by compiler/interpreter/evaluate.py
and copied, as it is, into every generated module (see
compiler/backends/python/generator.py runtime_source), so it imports nothing and its names
begin with an underscore.

A failure is raised where it happens with `_located(code, message, where, hints, notes)`;
`where` is what the caller located the call with: a span for the interpreter, an index
of `_SPANS` for a generated module, which defines its own `_located` (its PolicyError).
"""


class _RunError(Exception):
    """A run-time failure (E4xx, E506) at `where`, not yet a diagnostic."""

    def __init__(self, code, message, where, hints=(), notes=()):
        super().__init__(message)
        self.code, self.message, self.where = code, message, where
        self.hints, self.notes = list(hints), list(notes)


# ---------------------------------------------------------------- interpreter only
# A generated module defines its own _located (its PolicyError, at a site of _SPANS): the
# generator does not copy this block.
def _located(code, message, where, hints=(), notes=()):
    """The exception to raise for a failure at `where`."""
    return _RunError(code, message, where, hints, notes)
# ---------------------------------------------------------------- end of interpreter only


_GUARD_DIVISION = "guard the rule with a condition, e.g. `if n > 0 then … else …`"
_INEXACT_HINT = ("round an intermediate result where the law does, or check the input for a "
                 "number far beyond any real case")


_DIVISION_BY_ZERO = "division by zero"


def _division_by_zero(where, hints=()):
    """E402: a division by zero at `where`."""
    return _located("E402", _DIVISION_BY_ZERO, where, hints)


def _inexact_message(name):
    """E404's message: a sum, difference or product needs more than 28 significant digits."""
    what = f"'{name}' cannot be computed" if name else "this value cannot be computed"
    return f"{what} exactly: a result needs more than 28 significant digits"


def _inexact(name, where):
    """E404: a sum, difference or product needs more than 28 significant digits."""
    return _located("E404", _inexact_message(name), where, [_INEXACT_HINT])


def _not_evaluated(message):
    """The explanation's note for a value that could not be computed, and why."""
    return "not evaluated: " + message


def _arith_problem(exc):
    """_not_evaluated for a Decimal failure caught where no rule is named (the message
    _arith_failure gives it without a name)."""
    return _not_evaluated(_DIVISION_BY_ZERO if _is_division_by_zero(exc) else _inexact_message(None))


def _is_division_by_zero(exc):
    """Whether a Decimal failure is a division by zero. The C decimal module raises the
    signal (InvalidOperation) with the conditions in args: 0/0 is
    InvalidOperation([DivisionUndefined])."""
    if isinstance(exc, ZeroDivisionError):
        return True
    conditions = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
    return any(isinstance(c, type) and issubclass(c, ZeroDivisionError) for c in conditions)


def _arith_failure(exc, where, name):
    """A Decimal or calendar failure (a number too large, a division by zero) at `where`."""
    if _is_division_by_zero(exc):
        return _division_by_zero(where)
    return _inexact(name, where)


def _outside_calendar(date, duration, sign, where):
    """E404: a date moved by a duration falls outside the years 1 to 9999."""
    return _located("E404", f"{date} {'-' if sign < 0 else '+'} {duration} falls outside the "
                    "calendar (years 1 to 9999)", where, ["check the dates and durations of the input"])


def _no_line_error(where):
    """E403: no line of a `first of` applies."""
    return _located("E403", "no line of this `first of` applies", where)


def _no_line(where):
    """Raise E403 (a generated `first of` calls it as its last line)."""
    raise _no_line_error(where)


def _rule_error(rule, message, where):
    """Raise E405: a rule's `error "message"` applies, a case the law cannot assess."""
    raise _located("E405", f"rule '{rule}': {message}", where,
                   ["the policy cannot assess this case: check the facts it was given"])


def _absent(name, where):
    """Raise E406: an optional input read where the case does not give it (the checker
    proves rules never do; an explanation may show a line that was not evaluated)."""
    raise _located("E406", f"input '{name}' is not given", where,
                   [f"read it where `{name} is given`, or write `{name} otherwise VALUE`"])
