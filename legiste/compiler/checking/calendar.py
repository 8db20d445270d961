"""Checking stage: the calls of `date(y, m, d)` whose written month or day no year has.

Consumes the checked arguments of a `date` call (IR expressions); a month or day written
as a number is checked here, at check time, against every year the call could be
evaluated in, so `date(y, 12, 32)` is refused before any case is run.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Sequence

from legiste.compiler import ir

_LONGEST = {m: 29 if m == 2 else calendar.monthrange(2001, m)[1] for m in range(1, 13)}


def impossible_date(args: Sequence[ir.Expr]) -> tuple[str, ...] | None:
    """(message, hints…) when the literal parts of `date(y, m, d)` can make no date."""
    if len(args) != 3:
        return None
    y, m, d = (a.value if isinstance(a, ir.Const) else None for a in args)
    shown = ", ".join("…" if v is None else str(v) for v in (y, m, d))
    if m is not None and not 1 <= m <= 12:
        return (f"date({shown}): there is no month {m}", "months are numbered 1 to 12")
    if d is None:
        return None
    if y is not None and m is not None:
        try:
            dt.date(y, m, d)
        except (ValueError, OverflowError):
            return (f"date({shown}) is not a date of the calendar",
                    "check the day against the month's length")
        return None
    longest = _LONGEST[m] if m is not None else 31
    if not 1 <= d <= longest:
        month = f"month {m} has" if m is not None else "a month has"
        return (f"date({shown}) is a date in no year: {month} at most {longest} days",
                "write a day between 1 and " + str(longest))
    return None
