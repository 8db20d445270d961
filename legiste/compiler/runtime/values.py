"""Runtime values for the compiler's own Python: exact money, rounding, durations, and
the written forms of a value of a type (display, to_json: see compiler/ir/kinds.py).
The standard-library-only parts live in runtime/numbers.py, durations.py and forms.py,
which every generated module carries; this module only names them for the compiler.

Money is a `Decimal` in EUR and is only rounded where a rule says so (or at an
output, half up to the cent, recorded in the explanation). No float is ever built.
Sums, differences and products are exact or an error: they are computed in EXACT, which
traps Inexact, so a result of more than 28 significant digits is refused (E404), never
rounded. A quotient is the one result rounded by the arithmetic itself (to 28 digits),
since 1 / 3 has no exact decimal; the rules round it explicitly where the law says.
"""

from __future__ import annotations

from decimal import Decimal

from legiste.compiler.ir.kinds import display, to_json
from legiste.compiler.runtime.durations import Duration, _add_duration as add_duration
from legiste.compiler.runtime.numbers import (_CEILING, _CENT, _EXACT, _FLOOR, _HALF_UP, _money,
                                             _round_to, _to_cent, _xsum)

CENT = _CENT
ROUNDING = {"half_up": _HALF_UP, "down": _FLOOR, "up": _CEILING}
EXACT = _EXACT
exact_sum = _xsum
money = _money  # an output amount: half up to the cent


def round_to(value: Decimal, step: Decimal, mode: str) -> Decimal:
    """Round to a multiple of `step` (0.01 for cents) with an explicit mode."""
    return _round_to(value, step, ROUNDING[mode], None)


__all__ = ["CENT", "ROUNDING", "EXACT", "Duration", "add_duration", "display", "exact_sum",
           "money", "round_to", "to_json", "_to_cent"]
