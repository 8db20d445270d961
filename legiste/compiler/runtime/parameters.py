"""Parameter and index resolution: the periods of a series, its values, indexation.

Pipeline stage: runtime; consumed by compiler/interpreter/evaluate.py and copied, as it
is, into every generated module (see generator.runtime_source): standard library only.
Both callers choose the dated value; these functions say what it is worth, or why not.
"""

import datetime as _dt

from legiste.compiler.runtime.errors import _located
from legiste.compiler.runtime.numbers import _CONTEXT, _divide, _money


def _period_yearly(date):
    """The period of a yearly series a date falls in: "2024"."""
    return str(date.year)


def _period_monthly(date):
    """The period of a monthly series a date falls in: "2024-06"."""
    return f"{date.year}-{date.month:02d}"


def _no_value(name, declared_at, when, reason, where):
    """E400: a parameter has no value on the date asked."""
    return _located("E400", f"parameter '{name}' has no value on {when}: {reason}", where,
                    ["check the date the rule asks for, or add the dated value the law gives"],
                    [f"'{name}' is declared at {declared_at}"])


def _index_value(overrides, series, period, table, where):
    """The value of index `series` for `period`: supplied (`overrides`), published (`table`:
    series id -> name, values, file, publisher), or E401."""
    override = overrides.get((series, period))
    if override is not None:
        return override
    name, values, file, publisher = table[series]
    value = values.get(period)
    if value is None:
        raise _located("E401", f"index '{name}' for {period} is not published in {file}", where,
                       [f"pass --index {series}={period}:VALUE, or add the value published "
                        f"by {publisher or 'its publisher'} to the series"],
                       ["a missing index value is never replaced by the last one published"])
    return value


def _indexed(amount, index, base, money, parameter, series, base_period, declared_at, where):
    """amount × index / base (to the cent for an amount); E402 at `where` if the base is 0,
    whatever the amount (0 / 0 too)."""
    if not base:
        raise _located("E402", f"index '{series}' is 0 for {base_period}, the period "
                       f"'{parameter}' is indexed from: division by zero", where, (),
                       [f"'{series}' is declared at {declared_at}"])
    value = _divide(_CONTEXT.multiply(amount, index), base)
    return _money(value) if money else value


def _case_date(values, name, by_year, on, low, high, where):
    """The one date of an evaluation, so that no rule sees two "todays".

    `name`: the input the policy is dated by (`as of`; None: the date is `on`, else
    today), `by_year`: that input is a year (parameters are read on its 1 January).
    `on` (`--on`, `?on=`, an example's `on`, `as_of=`) is the date the case is assessed
    on: the input takes it (its year, for a year input) in `values`, in place, so the rules
    that read the input and the parameters read at the date agree. A value beyond the
    input's bounds (`low`, `high`) is E503 at the input's declaration (`where`)."""
    if name is None:
        return on if on is not None else _dt.date.today()
    if on is not None:
        value = on.year if by_year else on
        for bound, beyond, word in ((low, low is not None and value < low, "minimum"),
                                    (high, high is not None and value > high, "maximum")):
            if beyond:
                raise _located("E503", f"assessed on {on.isoformat()}, input '{name}' would be "
                               f"{value}, beyond its {word} {bound}", where,
                               [f"give a date within the bounds of '{name}'"])
        values[name] = value
    value = values[name]
    return _dt.date(value, 1, 1) if by_year else value
