"""The implementations of the built-in functions (compiler/builtins.py declares them).

Pipeline stage: runtime; the interpreter calls these functions, and the generator copies
this file, as it is, into every generated module, whose compiled rules call the same
functions (see generator.runtime_source): standard library only, underscore names. A
function that can fail takes `where`, the location of its call, as its last argument.
"""

import calendar as _calendar
import datetime as _dt

from legiste.compiler.runtime.errors import _located
from legiste.compiler.runtime.numbers import _CEILING, _FLOOR, _HALF_UP, _cabs, _divide, _round_to, _xsum


def _round(value, step, where):
    """round(x, step): half up to a multiple of `step`."""
    return _round_to(value, step, _HALF_UP, where)


def _round_down(value, step, where):
    """round_down(x, step): towards minus infinity."""
    return _round_to(value, step, _FLOOR, where)


def _round_up(value, step, where):
    """round_up(x, step): towards plus infinity."""
    return _round_to(value, step, _CEILING, where)


def _date(year, month, day, where):
    """date(y, m, d), or E506 for a day the calendar does not have."""
    try:
        return _dt.date(year, month, day)
    except (ValueError, OverflowError):
        raise _located("E506", f"date({year}, {month}, {day}) does not exist", where,
                       ["check the day against the month's length"]) from None


def _year(date):
    return date.year


def _month(date):
    return date.month


def _day(date):
    return date.day


def _abs(value):
    """abs(x): a whole number stays one; a Decimal's in Légiste's context."""
    return abs(value) if value.__class__ is int else _cabs(value)


def _average(values, where):
    """The mean of a list, or E402 for an empty one."""
    if not values:
        raise _located("E402", "the average of an empty list is undefined", where,
                       ["guard the rule with `size(list) > 0`"])
    return _divide(_xsum(values), len(values))


def _weekday(date):
    """The ISO day of the week: 1 = Monday … 7 = Sunday."""
    return date.isoweekday()


def _end_of_month(date):
    """The last day of the date's month."""
    return date.replace(day=_calendar.monthrange(date.year, date.month)[1])


def _years_between(start, end):
    """The whole years from `start` to `end` (an age): the largest n such that
    start + n years <= end, with `+ n years` as the language adds it (29 February + 1 year =
    28 February). Negative when end is before start: -years_between(end, start)."""
    if end < start:
        return -_years_between(end, start)
    years = end.year - start.year
    last = _calendar.monthrange(end.year, start.month)[1]
    if _dt.date(end.year, start.month, min(start.day, last)) > end:
        years -= 1
    return years
