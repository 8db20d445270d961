"""Exact rationals, for the comparisons that involve a quotient (ir.Exactly, see
compiler/ir/passes/exact_comparisons.py): standard library only, copied into every
generated module and imported by the interpreter."""

import operator as _operator
from fractions import Fraction as _F

from legiste.compiler.runtime.numbers import _CONTEXT


def _then(first, second):
    """`second`, once `first` was evaluated (the operand as always, for its errors)."""
    return second


def _mean(values):
    """The exact mean of a non-empty list of numbers (its average was taken before)."""
    total = _F(0)
    for value in values:
        total += _F(value)
    return total / len(values)


# A whole number below 10^28 in size has at most 28 digits.
_BIG = 10 ** 28


def _fits(number):
    """Whether a number is exact in the context's digits (28): one the context does not
    round (an int of more digits may be rounded too, so it is tested unless small)."""
    if number.__class__ is int and -_BIG < number < _BIG:
        return True
    return _CONTEXT.plus(number) == number


def _cmp_once(value, number, op, exact, *args):
    """`value op number`, `value` a quotient rounded once to 28 digits: rounding never
    crosses a number of 28 digits, so where they differ the Decimals decide; where they
    are equal (or `number` has more digits), the exact rational `exact(*args)` does
    (a function and its arguments, so that no closure is made per comparison). Generated
    modules write this test in line (backends/python/expressions.py, _Compare)."""
    if value != number and _fits(number):
        return op(value, number)
    return op(exact(*args), number)


def _cmp_once_right(number, value, op, exact, *args):
    """`number op value`, as _cmp_once (the operands in their order of evaluation)."""
    if value != number and _fits(number):
        return op(number, value)
    return op(number, exact(*args))
