"""JSON values to typed values: the converters the interpreter (compiler/interpreter/inputs.py) and
every generated module share, so that both accept and refuse the same values in the same
words.

compiler/backends/python/runtime.py takes these converters from here, and the generator
copies this file, as it is, into every module it generates (after this docstring), so it
imports the standard library only and its names begin with an underscore: they are not
the generated module's API. A converter returns the typed value or raises
`_Invalid(code, message, hint)`; its caller says which input it was and what was
expected. A duration is read into (days, months); durations.py makes the Duration.
"""

import datetime as _dt
import difflib as _difflib
import json as _json
import re as _re
from decimal import Decimal as _D, InvalidOperation as _InvalidOperation

_HUGE_INT = 10 ** 18  # numbers of 10^18 and more are refused: no amount or count of the law comes near


class _Invalid(Exception):
    def __init__(self, code, message, hint=""):
        self.code, self.message, self.hint = code, message, hint


def _dumps(raw):
    """A JSON value as the case wrote it: a number bare (2010.5), a text quoted ("x")."""
    return str(raw) if isinstance(raw, _D) else _json.dumps(raw, default=str)


def _what(raw):
    """What kind of JSON value `raw` is (compiler/interpreter/inputs.py _what)."""
    if raw is None:
        return "no value"
    if isinstance(raw, bool):
        return "true or false"
    if isinstance(raw, (int, _D, float)):
        return "a number"
    if isinstance(raw, str):
        return "a text"
    return "a list" if isinstance(raw, list) else "an object"


def _did_you_mean(name, candidates):
    close = _difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)
    if not close:
        return []
    return ["did you mean " + " or ".join(f"'{c}'" for c in close) + "?"]


def _not_huge(raw, value):
    if (value.adjusted() >= 18) if isinstance(value, _D) else abs(value) >= _HUGE_INT:
        raise _Invalid("E501", "the number is too large", "numbers are accepted up to 10^18")


# A number as a case writes it in a text: ASCII digits, one optional sign, point and exponent.
# Decimal() alone would also take "1_000", full-width "１５０" and Arabic-Indic "١٥٠".
_NUMBER_RE = _re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _number(raw):
    if isinstance(raw, bool):
        raise _Invalid("E501", f"{_json.dumps(raw)} is true/false, not a number")
    if isinstance(raw, float):
        raise _Invalid("E501", f"{raw!r} is a binary floating-point number, which cannot hold "
                       "decimals exactly", 'pass it as a string ("1.10") or a Decimal')
    if isinstance(raw, (int, _D)):
        value = _D(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if not _NUMBER_RE.fullmatch(text):
            hint = ("write digits 0-9 only, with no thousands separator: 1000.50"
                    if any(c.isdigit() or c in "_ ,'" for c in text) else "")
            raise _Invalid("E501", f"\"{raw}\" is not a number", hint)
        value = _D(text)
    else:
        raise _Invalid("E501", f"{_dumps(raw)} is not a number")
    if not value.is_finite():
        raise _Invalid("E501", f"{_dumps(raw)} is not a finite number")
    _not_huge(raw, value)
    if value.is_zero() and value.is_signed():
        value = value.copy_abs()  # "-0" is 0: an amount is never shown as -0.00
    return value


def _money_text(raw):
    """An amount given as a text such as "7400.00", when it is valid as is (else None: the
    full conversion, _c_money, decides and words the refusal). The fast path of generated
    modules: a text _NUMBER_RE matches never ends in EUR or €."""
    text = raw.strip()
    if not _NUMBER_RE.fullmatch(text):
        return None
    value = _D(text)
    if value.adjusted() < 18 and value.as_tuple().exponent >= -2 and not value.is_signed():
        return value
    return None


def _decimal_text(raw):
    """A number given as a text such as "41.5", when valid as is (else None: _c_decimal or
    _c_rate decides). A text _NUMBER_RE matches never ends in %."""
    text = raw.strip()
    if not _NUMBER_RE.fullmatch(text):
        return None
    value = _D(text)
    if value.adjusted() < 18 and not value.is_signed():
        return value
    return None


def _c_boolean(raw):
    if raw is True or raw is False:
        return raw
    raise _Invalid("E501", f"{_dumps(raw)} is {_what(raw)}")


def _whole(raw):
    if isinstance(raw, bool) or not isinstance(raw, (int, _D)):
        raise _Invalid("E501", f"{_dumps(raw)} is {_what(raw)}")
    if isinstance(raw, _D) and not raw.is_finite():
        raise _Invalid("E501", f"{_dumps(raw)} is not a finite number")
    _not_huge(raw, raw)
    if raw != int(raw):
        raise _Invalid("E501", f"{_dumps(raw)} is not a whole number")
    if isinstance(raw, _D) and raw.as_tuple().exponent != 0:
        # 150.0, 1E2 or -0.0: a whole value, but written as a decimal number; a count or a
        # year is written as one (JSON integers only), so a decimal there is a sign of a mix-up.
        raise _Invalid("E501", f"{_dumps(raw)} is a decimal number; expected a whole number",
                       f"write {int(raw)}")


def _c_integer(raw):
    if raw.__class__ is int and -_HUGE_INT < raw < _HUGE_INT:
        return raw
    _whole(raw)
    return int(raw)


def _c_year(raw):
    if raw.__class__ is int and 1000 <= raw <= 9999:
        return raw
    _whole(raw)
    if not 1000 <= int(raw) <= 9999:
        raise _Invalid("E501", f"{raw} is not a year")
    return int(raw)


_CURRENCY_RE = _re.compile(r"(.*?)\s*(?:EUR|eur|€)")


def _c_money(raw):
    if isinstance(raw, str):
        m = _CURRENCY_RE.fullmatch(raw.strip())
        if m:  # one unit, once: "100 €€€" and "100EUR€" stay what they are, not numbers
            raw = m.group(1)
    value = _number(raw)
    if value.as_tuple().exponent < -2:
        raise _Invalid("E501", f"{raw} has fractions of a cent", "an amount has at most 2 decimals")
    return value


def _c_decimal(raw):
    return _number(raw)


def _c_rate(raw):
    if isinstance(raw, str) and raw.strip().endswith("%"):
        sign, digits, exponent = _number(raw.strip()[:-1]).as_tuple()
        # 19.99999999999999999999999999999 % is exactly 0.1999…: a shift of the exponent,
        # never a division, which would round it to 28 digits (and past a 20 % threshold).
        return _D((sign, digits, exponent - 2))
    return _number(raw)


_DATE_RE = _re.compile(r"\d{4}-\d{2}-\d{2}")


def _c_date(raw):
    if not isinstance(raw, str) or not _DATE_RE.fullmatch(raw):
        raise _Invalid("E501", f"{_dumps(raw)} is not a date written YYYY-MM-DD")
    try:
        return _dt.date.fromisoformat(raw)
    except ValueError:
        raise _Invalid("E506", f"{raw} is not a date of the calendar",
                       "check the day against the month's length") from None


_DURATION_RE = _re.compile(r"\s*(\d+)\s*(days?|months?|years?)\s*")


def _duration_parts(raw):
    """(days, months) of a duration written "30 days", "2 months" or "1 year" (durations.py
    _c_duration makes the Duration)."""
    m = _DURATION_RE.fullmatch(raw) if isinstance(raw, str) else None
    if not m:
        raise _Invalid("E501", f"{_dumps(raw)} is not a duration")
    n, unit = int(m.group(1)), m.group(2)
    return (n, 0) if unit.startswith("day") else (0, n if unit.startswith("month") else 12 * n)


def _c_text(raw):
    if not isinstance(raw, str):
        raise _Invalid("E501", f"{_dumps(raw)} is {_what(raw)}")
    return raw


def _c_enum(raw, members):
    if not isinstance(raw, str) or raw not in members:
        hints = _did_you_mean(raw, members) if isinstance(raw, str) else []
        raise _Invalid("E502", f"{_dumps(raw)} is not a value of this choice",
                       hints[0] if hints else "")
    return raw


def _c_list(raw, item):
    if not isinstance(raw, list):
        raise _Invalid("E501", f"{_dumps(raw)} is {_what(raw)}")
    out = []
    for i, element in enumerate(raw):
        try:
            out.append(item(element))
        except _Invalid as exc:
            raise _Invalid(exc.code, f"item {i + 1}: {exc.message}", exc.hint) from None
    return tuple(out)


def _record_fields(raw, name, fields):
    """Unknown and missing fields of a record value (every one, in one message)."""
    if not isinstance(raw, dict):
        raise _Invalid("E501", f"{_dumps(raw)} is not an object with the fields of {name}")
    problems = [f"unknown field '{k}'" for k in raw if k not in fields]
    problems += [f"missing field '{n}'" for n in fields if n not in raw]
    if problems:
        raise _Invalid("E504" if problems[0].startswith("unknown") else "E500", "; ".join(problems),
                       "fields: " + ", ".join(fields))
