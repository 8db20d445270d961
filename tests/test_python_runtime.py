"""The runtime of generated modules (compiler/backends/python/runtime.py), as a module.

Every generated module carries this file's text; tests/test_codegen.py checks whole
modules against the interpreter. Here the helpers are tested alone: the text copied
imports the standard library only (with compiler/runtime/conversions.py, the input converters
the interpreter shares, in place of their import), and its converters, roundings, dates
and errors behave as the interpreter's (compiler/interpreter/inputs.py, compiler/runtime/values.py,
compiler/builtins.py).
"""

from __future__ import annotations

import ast
import datetime as dt
import pickle
import sys
import types
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from legiste.compiler.interpreter import inputs
from legiste.compiler.runtime import values
from legiste.compiler.api import Policy
from legiste.compiler.backends.python import generate
from legiste.compiler.backends.python import runtime as glue
from legiste.compiler.backends.python.generator import runtime_source
from legiste.compiler.ir.types import SCALARS
from legiste.compiler.runtime.values import round_to
from helpers import TELESECRETARIAT

RUNTIME = Path(glue.__file__)
STAND_INS = "# ---------------------------------------------------------------- stand-ins\n"


def _assembled() -> types.ModuleType:
    """The runtime as a generated module holds it (runtime_source()), with the stand-ins of
    the tables: the runtime package's failures are then this module's PolicyError."""
    module = types.ModuleType("legiste_assembled_runtime")
    text = runtime_source() + RUNTIME.read_text(encoding="utf-8").partition(STAND_INS)[2]
    exec(compile(text, str(RUNTIME), "exec"), module.__dict__)
    sys.modules[module.__name__] = module  # so that a PolicyError pickles
    return module


rt = _assembled()
CONVERSIONS = RUNTIME.parents[2] / "runtime" / "conversions.py"


def _imports(source: str) -> set[str]:
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    return imported


def test_the_runtime_imports_the_standard_library_only() -> None:
    # The file itself takes its converters from compiler/runtime/conversions.py; the text copied
    # into a generated module holds that file instead, which imports the stdlib only.
    assert _imports(RUNTIME.read_text(encoding="utf-8")) - set(sys.stdlib_module_names) == {"legiste"}
    assert _imports(CONVERSIONS.read_text(encoding="utf-8")) <= set(sys.stdlib_module_names)
    assert _imports(runtime_source()) and _imports(runtime_source()) <= set(sys.stdlib_module_names)


def test_a_generated_module_carries_the_runtime_verbatim_without_docstring_or_stand_ins() -> None:
    text = RUNTIME.read_text(encoding="utf-8")
    copied = runtime_source()
    # runtime.py as it is, its conversions import replaced by compiler/runtime/conversions.
    before, _, rest = text.partition("# ---------------------------------------------------------------- conversions\n")
    after = rest[rest.index("# ---------------------------------------------------------------- end of"):]
    conversions = CONVERSIONS.read_text(encoding="utf-8")
    assert copied.startswith(before.split('"""', 2)[2].partition("\n")[2])  # after the docstring
    assert conversions.split('"""', 2)[2].partition("\n")[2] in copied
    assert after.partition("# ---------------------------------------------------------------- stand-ins")[0] \
        in copied
    assert '"""The runtime of a generated module' not in copied and "from compiler" not in copied
    assert "_POLICY_ID = " not in copied and "stand-ins" not in copied
    source = generate(Policy.load(TELESECRETARIAT).program)
    assert copied.rstrip("\n") in source
    # The tables the runtime reads are the policy's, defined once, after it.
    tree = ast.parse(source)
    bound = [t.id for node in tree.body if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Name)]
    for table in ("_POLICY_ID", "_SPANS", "_CITES", "_TYPES", "_SERIES", "_PARAMETER_CACHES",
                  "_INPUT_NAMES"):
        assert bound.count(table) == 1, table


# ------------------------------------------------------------------ input converters


_RAW = [True, False, None, 0, 1, -3, 150, 2023, 999, 10 ** 18, 1.5, Decimal("2.50"), Decimal("NaN"),
        Decimal("1E+20"), "", "12", " 12.50 ", "12.505", "1e3", "7400.00 EUR", "10.5€", "12 eur",
        "50 %", "0.2", "NaN", "-Infinity", "2024-02-29", "2023-02-29", "2024-13-01", "20240101",
        "30 days", " 2 years ", "3 months", "1 week", "x", [1], {"a": 1}]


def _outcome(convert: Any, raw: Any) -> Any:
    try:
        value = convert(raw)
    except (inputs._Invalid, rt._Invalid) as exc:
        return ("invalid", exc.code, exc.message, exc.hint)
    return ("value", type(value).__name__, str(value))


@pytest.mark.parametrize("kind", ["boolean", "integer", "year", "money", "decimal", "rate", "date",
                                  "duration", "text"])
def test_converters_accept_and_refuse_as_the_interpreter(kind: str) -> None:
    runtime_convert = getattr(rt, f"_c_{kind}")
    for raw in _RAW:
        expected = _outcome(lambda r: inputs.convert(r, SCALARS[kind]), raw)
        assert _outcome(runtime_convert, raw) == expected, raw


def test_the_fast_text_readers_accept_only_what_the_full_conversion_accepts_as_is() -> None:
    for raw in ("7400.00", " 12 ", "0.01", "-5", "1.005", "1e30", "NaN", "abc", "10 EUR"):
        fast = rt._money_text(raw)
        if fast is not None:
            assert str(fast) == str(rt._c_money(raw)), raw
    assert rt._money_text("1.005") is None and rt._money_text("1e30") is None
    assert rt._decimal_text("41.5") == Decimal("41.5") and rt._decimal_text("50 %") is None
    assert rt._date_text("2024-02-29") == dt.date(2024, 2, 29)
    assert rt._date_text("2024-2-29") is None and rt._date_text("2023-02-29") is None


# ------------------------------------------------------------------ values, dates, roundings


def test_durations_add_months_clamped_then_days() -> None:
    month = rt.Duration(months=1)
    assert rt._add_duration(dt.date(2024, 1, 31), month) == dt.date(2024, 2, 29)
    assert rt._add_duration(dt.date(2024, 3, 31), month, -1) == dt.date(2024, 2, 29)
    assert rt._add_duration(dt.date(2024, 1, 1), rt.Duration(days=60)) == dt.date(2024, 3, 1)
    assert str(rt.Duration(months=24)) == "2 years" and str(rt.Duration(days=1)) == "1 day"
    assert rt.Duration(3, 1) + rt.Duration(1, 1) == rt.Duration(4, 2)
    assert rt.Duration(2) * 3 == rt.Duration(6) and hash(rt.Duration(2)) == hash(rt.Duration(2))


@pytest.mark.parametrize("value, step, mode", [
    ("2.345", "0.01", ROUND_HALF_UP), ("-2.345", "0.01", ROUND_FLOOR), ("7", "1", ROUND_FLOOR),
    ("1234.5", "5", ROUND_HALF_UP), ("0.125", "0.25", ROUND_HALF_UP),
    ("1" * 55 + ".5", "1", ROUND_HALF_UP),  # beyond the 28 digits of the default context
])
def test_roundings_match_the_interpreter(value: str, step: str, mode: str) -> None:
    exact = round_to(Decimal(value), Decimal(step), {ROUND_HALF_UP: "half_up", ROUND_FLOOR: "down"}[mode])
    assert str(rt._round_to(Decimal(value), Decimal(step), mode, 0)) == str(exact)
    if Decimal(step).as_tuple().digits == (1,):
        assert str(rt._round_pow10(Decimal(value), Decimal(step), mode, 0)) == str(exact)
        assert str(rt._round_computed(Decimal(value), Decimal(step), mode, 0)) == str(exact)
    assert str(rt._round_computed(7, Decimal(1), mode, 0)) == "7"  # a whole number


def test_runtime_failures_are_located_policy_errors() -> None:
    cases = [
        (lambda: rt._date(2023, 2, 29, 0), "E506"),
        (lambda: rt._average([], 0), "E402"),
        (lambda: rt._div(Decimal(1), 0, 0), "E402"),
        (lambda: rt._round_to(Decimal(1), Decimal(0), ROUND_HALF_UP, 0), "E402"),
        (lambda: rt._move(dt.date(9999, 12, 1), rt.Duration(days=60), 1, 0), "E404"),
        (lambda: rt._no_line(0), "E403"),
    ]
    for fails, code in cases:
        with pytest.raises(rt.PolicyError) as info:
            fails()
        assert info.value.code == code
        assert info.value.location["file"] == "<unknown>"  # the stand-in span of site 0
    assert rt._average([Decimal(1), Decimal(2)], 0) == Decimal("1.5")


def test_a_policy_error_pickles_with_its_row() -> None:
    error = rt.PolicyError([rt._diag("E500", "missing input 'x'", rt._NO_SPAN)])
    error.row = 7
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, copy.row, copy.diagnostics) == \
        ("E500", "missing input 'x'", 7, error.diagnostics)
    assert str(copy) == "error[E500]: missing input 'x'"


def test_amounts_to_the_cent_and_their_display() -> None:
    assert str(rt._to_cent(Decimal("2.005"))) == "2.01"
    huge = Decimal("1" * 40 + ".125")  # more digits than the default context's 28
    assert str(rt._to_cent(huge)) == str(values._to_cent(huge)) == "1" * 40 + ".13"
    carried = Decimal("9" * 40 + ".995")  # the rounding carries into a 41st digit
    assert str(rt._to_cent(carried)) == str(values._to_cent(carried)) == "1" + "0" * 40 + ".00"
    assert rt._j_money(Decimal("3700")) == "3700.00"
    assert rt._display_money(Decimal("3700")) == "3700.00 EUR"
    assert rt._display_rate(Decimal("0.2")) == "20 %"
    assert rt._display_decimal(Decimal("2.50")) == "2.50" and rt._display_decimal(3) == "3"


def test_index_overrides_are_read_before_the_series() -> None:
    try:
        rt.set_index("s.points", "2024", "1.5")
        assert rt._index("s.points", "2024", 0) == Decimal("1.5")
    finally:
        rt.INDEX_OVERRIDES.clear()
    assert rt._period_yearly(dt.date(2024, 3, 1)) == "2024"
    assert rt._period_monthly(dt.date(2024, 3, 1)) == "2024-03"
