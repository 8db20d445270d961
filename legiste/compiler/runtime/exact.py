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


def _fits(number):
    """Whether a number is exact in the context's digits (28): a whole number of the law,
    or a Decimal that the context does not round."""
    return number.__class__ is int or _CONTEXT.plus(number) == number


def _cmp_once(value, number, op, exact):
    """`value op number`, `value` a quotient rounded once to 28 digits: rounding never
    crosses a number of 28 digits, so where they differ the Decimals decide; where they
    are equal (or `number` has more digits), the exact rational `exact()` does."""
    if value != number and _fits(number):
        return op(value, number)
    return op(exact(), number)


def _cmp_once_right(number, value, op, exact):
    """`number op value`, as _cmp_once (the operands in their order of evaluation)."""
    if value != number and _fits(number):
        return op(number, value)
    return op(number, exact())
