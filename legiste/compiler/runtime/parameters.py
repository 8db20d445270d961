"""Parameter and index resolution: the periods of a series, its values, indexation.

Pipeline stage: runtime; consumed by compiler/interpreter/evaluate.py and copied, as it
is, into every generated module (see generator.runtime_source): standard library only.
Both callers choose the dated value; these functions say what it is worth, or why not.
"""

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
