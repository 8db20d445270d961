"""Exact numbers: the decimal contexts, exact sums, rounding to a step, output amounts.

Pipeline stage: runtime; consumed by compiler/interpreter/, compiler/builtins.py and
copied, as it is, into every generated module (see generator.runtime_source), so it
imports the standard library only and its names begin with an underscore.

Sums, differences and products are computed in _EXACT, which traps Inexact: a result of
more than 28 significant digits is refused (E404), never rounded. Every other operation
that depends on a decimal context (a quotient, a negation, an absolute value, a quantize,
a number written out) names _CONTEXT explicitly: no evaluation reads the thread's
context, so the caller's decimal settings (precision, rounding, traps, capitals) change
no amount and no text, and no context is set or restored per call.
"""

from decimal import (ROUND_CEILING as _CEILING, ROUND_FLOOR as _FLOOR,
                     ROUND_HALF_EVEN as _HALF_EVEN, ROUND_HALF_UP as _HALF_UP,
                     Context as _Context, Decimal as _Decimal, DivisionByZero as _DivisionByZero,
                     Inexact as _Inexact, InvalidOperation as _InvalidOp, Overflow as _Overflow)

from legiste.compiler.runtime.errors import _GUARD_DIVISION, _division_by_zero, _located

_CENT = _Decimal("0.01")
_ONE = _Decimal(1)
# Légiste's own context, named by every operation that needs one: Python's default
# precision and rounding, whatever the caller set.
_CONTEXT = _Context(prec=28, rounding=_HALF_EVEN, Emin=-999999, Emax=999999, capitals=1, clamp=0,
                    flags=[], traps=[_InvalidOp, _DivisionByZero, _Overflow])
# Sums, differences and products: exact or Inexact, never rounded.
_EXACT = _Context(prec=28, rounding=_HALF_EVEN, Emin=-999999, Emax=999999, capitals=1, clamp=0,
                  flags=[], traps=[_InvalidOp, _DivisionByZero, _Overflow, _Inexact])
# Rounding to a step: 60 digits, so that value / step is exact for any value of the law.
_CTX60 = _Context(prec=60, rounding=_HALF_EVEN, Emin=-999999, Emax=999999, capitals=1, clamp=0,
                  flags=[], traps=[_InvalidOp, _DivisionByZero, _Overflow])
_xadd, _xsub, _xmul = _EXACT.add, _EXACT.subtract, _EXACT.multiply
# A quotient (rounded to 28 digits: 1 / 3 has no exact decimal), a negation and an absolute
# value in _CONTEXT (-0 is 0, as Python's default context gives it); bound once, as the
# operators would look the thread's context up on every call.
_divide, _minus, _cabs = _CONTEXT.divide, _CONTEXT.minus, _CONTEXT.abs
# A Decimal as text: capital E whatever the caller's `capitals`, as str() gives by default.
_text = _CONTEXT.to_sci_string


def _xsum(values):
    """The exact sum of numbers (Inexact, an ArithmeticError, beyond 28 digits)."""
    total = _Decimal(0)
    for value in values:
        total = _xadd(total, value)
    return total


def _round_to(value, step, mode, where):
    """round / round_down / round_up to a multiple of `step`, with 60 exact digits;
    E402 for a step of 0."""
    if not step:
        raise _located("E402", "cannot round to a step of 0", where,
                       ["round to a positive step, e.g. 1 EUR or 0.01"])
    step = _Decimal(step)
    units = _CTX60.divide(value, step).quantize(_ONE, rounding=mode, context=_CTX60)
    if step.as_tuple().exponent < 0:
        return _CTX60.multiply(units, step).quantize(step, context=_CTX60)
    return _CTX60.multiply(units, step)


def _money(value):
    """An output amount: half up to the cent."""
    return value.quantize(_CENT, _HALF_UP, _CONTEXT)


def _to_cent(value):
    """An amount shown to the cent, however many digits it has (a `define` is not rounded
    by the rules, and may hold more digits than the context's 28)."""
    try:
        return value.quantize(_CENT, rounding=_HALF_UP, context=_CONTEXT)
    except _InvalidOp:  # more digits than the context holds
        context = _CONTEXT.copy()
        context.prec = max(context.prec, value.adjusted() + 4)  # digits, two decimals, a carry
        return value.quantize(_CENT, rounding=_HALF_UP, context=context)


def _div(a, b, where):
    """a / b in _CONTEXT; a zero divisor is E402 at `where`, the rule that divides."""
    if not b:
        raise _division_by_zero(where, [_GUARD_DIVISION])
    try:
        return _divide(a, b)
    except (_DivisionByZero, _InvalidOp):  # pragma: no cover - b checked above
        raise _division_by_zero(where) from None
