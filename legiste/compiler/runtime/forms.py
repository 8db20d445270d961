"""The written forms of a value, one function per type kind: as an analyst reads it
(`_display_*`: "4555.10 EUR", "20 %"), as JSON (`_j_*`: amounts as strings to the cent),
and as Légiste source (`_lit_*`, for a ready-to-paste example).

Pipeline stage: runtime; compiler/ir/kinds.py names these functions in the table of each
type kind; the interpreter, the tools and the generator call them, and every generated
module carries this file (see generator.runtime_source) without its literal writers:
standard library only, underscore names. No form reads the thread's decimal context.
"""

import json as _json

from legiste.compiler.runtime.conversions import _D
from legiste.compiler.runtime.numbers import _CONTEXT, _text, _to_cent


def _decimal_of(value):
    """A whole number standing where a decimal is declared, as a Decimal."""
    return _D(value) if value.__class__ is int else value


def _display_money(value):
    value = _decimal_of(value)
    return f"{_text(_to_cent(value) if value == _to_cent(value) else value)} EUR"


def _display_rate(value):
    return f"{_CONTEXT.multiply(_decimal_of(value), 100).normalize(_CONTEXT):f} %"


def _display_decimal(value):
    value = _decimal_of(value)
    return f"{value.normalize(_CONTEXT):f}" if value == value.to_integral_value(context=_CONTEXT) \
        else _text(value)


def _display_boolean(value):
    return "true" if value else "false"


def _display_date(value):
    return value.isoformat()


def _display_str(value):
    return str(value)


def _j_money(value):
    return str(_to_cent(value))


def _j_decimal(value):
    return f"{_D(value):f}"  # never an exponent: "1000", not "1E+3"


def _j_date(value):
    return value.isoformat()


def _j_str(value):
    return str(value)


def _j_same(value):
    return value


# ---------------------------------------------------------------- interpreter only
# The literal writers serve the tools (verify's ready-to-paste examples): the generator
# does not copy this block.
def _lit_money(value):
    return f"{_text(value)} EUR"


def _lit_rate(value):
    return _display_rate(value)


def _lit_decimal(value):
    text = f"{value:f}"
    return text if "." in text else text + ".0"


def _lit_text(value):
    return _json.dumps(value, ensure_ascii=False)
# ---------------------------------------------------------------- end of interpreter only


def _input_detail(mark, description):
    """The detail of an input's trace: its description, after "(presumed)" when the case
    left the input to its presumption, or "(not given)" when it left out an optional one."""
    if mark is None:
        return description
    return mark if description is None else f"{mark} {description}"
