"""Durations and calendar arithmetic: the Duration value, a date moved by one.

Pipeline stage: runtime; consumed by the interpreter (compiler/interpreter/evaluate.py,
inputs.py), the checker (duration literals), the tools, and copied, as it is, into every
generated module (see generator.runtime_source): standard library only, and the
generated module's `Duration` is this class.
"""

import calendar as _calendar
import datetime as _dt

from legiste.compiler.runtime.conversions import _duration_parts
from legiste.compiler.runtime.errors import _outside_calendar


class Duration:
    """A calendar duration. Months and years are added to dates month by month, clamping
    to the last day of the month (31 January + 1 month = 28/29 February), then days.
    Immutable, compared and hashed by (days, months)."""

    __slots__ = ("days", "months")

    def __init__(self, days=0, months=0):
        object.__setattr__(self, "days", days)
        object.__setattr__(self, "months", months)

    def __setattr__(self, name, value):
        raise AttributeError(f"a Duration is immutable: cannot set {name!r}")

    def __delattr__(self, name):
        raise AttributeError(f"a Duration is immutable: cannot delete {name!r}")

    def __reduce__(self):
        return (Duration, (self.days, self.months))

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
    """`date ± d`: months first (clamped to the month's end), then days."""
    if d.months:
        total = date.year * 12 + (date.month - 1) + sign * d.months
        year, month0 = divmod(total, 12)
        last = _calendar.monthrange(year, month0 + 1)[1]
        date = _dt.date(year, month0 + 1, min(date.day, last))
    return date + _dt.timedelta(days=sign * d.days)


def _move(date, duration, sign, where):
    """date ± duration, or E404 at `where` outside the calendar (years 1 to 9999)."""
    try:
        return _add_duration(date, duration, sign)
    except (OverflowError, ValueError):
        raise _outside_calendar(date, duration, sign, where) from None


def _c_duration(raw):
    """A duration written "30 days", "2 months" or "1 year", or _Invalid."""
    days, months = _duration_parts(raw)
    return Duration(days=days, months=months)
