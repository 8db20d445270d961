"""One runtime, one copy: no function of the runtime is defined twice, the generated module
holds the runtime package's text (not a copy of its own), and types are data (one TypeKind
per kind, whose functions a generated module calls by the same names)."""

from __future__ import annotations

import ast
import datetime as dt
import pickle
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from legiste.compiler.backends.python.generator import RUNTIME_MODULES, runtime_source
from legiste.compiler.ir import types as ir_types
from legiste.compiler.ir.kinds import DECIMAL_KINDS, KINDS, display, literal, to_json
from legiste.compiler.ir.types import SCALARS, Type, list_of
from legiste.compiler.runtime import durations, forms
from legiste.compiler.runtime.values import Duration
from helpers import REPO_ROOT

RUNTIME = REPO_ROOT / "legiste" / "compiler" / "runtime"
GLUE = REPO_ROOT / "legiste" / "compiler" / "backends" / "python" / "runtime.py"


def _defined(path: Path) -> list[str]:
    """The functions and classes a file defines at its top level, in what a generated
    module holds (an "interpreter only" block, such as errors.py's _located, which each
    generated module defines its own way, is left out)."""
    text = re.sub(r"# -+ interpreter only\n.*?# -+ end of interpreter only\n", "",
                  path.read_text(encoding="utf-8"), flags=re.S)
    tree = ast.parse(text)
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]


def test_no_runtime_function_is_defined_twice() -> None:
    files = [RUNTIME / f"{name}.py" for name in RUNTIME_MODULES] + [GLUE]
    seen: dict[str, str] = {}
    for path in files:
        for name in _defined(path):
            assert name not in seen, f"{name} is defined in {seen[name]} and in {path.name}"
            seen[name] = path.name


def test_the_generated_runtime_defines_each_function_once() -> None:
    text = runtime_source()
    names = re.findall(r"^(?:def|class) (\w+)", text, flags=re.M)
    twice = sorted({n for n in names if names.count(n) > 1})
    assert twice == []
    # The semantic functions are there, from the runtime package, not redefined by the glue.
    for name in ("Duration", "_add_duration", "_move", "_div", "_to_cent", "_money",
                 "_display_money", "_j_decimal", "_c_duration", "_indexed", "_round_to"):
        assert name in names
        assert name not in _defined(GLUE)


def test_the_literal_writers_stay_out_of_generated_modules() -> None:
    # Only the tools write Légiste literals: the generator does not copy them.
    assert "def _lit_money" not in runtime_source()
    assert "def _display_money" in runtime_source()


def test_every_type_kind_has_its_table_entry() -> None:
    assert set(SCALARS) <= set(KINDS)
    assert {"enum", "list", "record"} <= set(KINDS)
    assert DECIMAL_KINDS == {"money", "decimal", "rate"}  # the kinds whose values are Decimals
    for name, kind in KINDS.items():
        assert kind.name == name
        for fn in (kind.display, kind.to_json, kind.literal):
            assert fn.__module__ in (forms.__name__,), (name, fn)
        if name in SCALARS:
            assert kind.convert is not None and kind.expected
            assert kind.schema_in is not None and kind.schema_out is not None
            # A generated module calls the converter by the name the table gives.
            assert re.search(rf"^def {kind.convert.__name__}\(", runtime_source(), flags=re.M)


def test_written_forms_by_kind() -> None:
    money, rate = ir_types.MONEY, ir_types.RATE
    assert display(Decimal("4555.1"), money) == "4555.10 EUR"
    assert display(Decimal("4555.105"), money) == "4555.105 EUR"  # not rounded for display
    assert display(Decimal("0.2"), rate) == "20 %"
    assert display(3, ir_types.DECIMAL) == "3"  # a whole number where a decimal is declared
    assert display(True, ir_types.BOOLEAN) == "true"
    assert display((Decimal("1"), Decimal("2.5")), list_of(money)) == "[1.00 EUR, 2.50 EUR]"
    assert to_json(Decimal("1E+3"), ir_types.DECIMAL) == "1000"
    assert to_json(Decimal("2.005"), money) == "2.01"
    assert to_json(dt.date(2024, 6, 30), ir_types.DATE) == "2024-06-30"
    assert literal(Decimal("12.50"), money) == "12.50 EUR"
    assert literal(Decimal("0.125"), rate) == "12.5 %"
    assert literal(Decimal("2"), ir_types.DECIMAL) == "2.0"
    assert literal("a \"b\"", ir_types.TEXT) == '"a \\"b\\""'
    record = Type("record", name="r", fields=(("a", money), ("d", ir_types.DURATION)))
    assert literal({"a": Decimal("1"), "d": Duration(months=12)}, record) == "{a: 1 EUR, d: 1 year}"


def test_one_duration_class_immutable_hashable_picklable() -> None:
    assert Duration is durations.Duration
    d = Duration(days=3, months=2)
    assert d == Duration(3, 2) and hash(d) == hash(Duration(3, 2)) and d != Duration(3)
    assert repr(d) == "Duration(days=3, months=2)" and str(Duration(months=24)) == "2 years"
    assert pickle.loads(pickle.dumps(d)) == d
    with pytest.raises(AttributeError):
        d.days = 4  # type: ignore[misc]
    assert durations._add_duration(dt.date(2024, 1, 31), Duration(months=1)) == dt.date(2024, 2, 29)


# ------------------------------------------------------------------ words written once

# Texts of input problems, explanation notes and arithmetic failures: each is written in
# compiler/runtime/ alone (input_problems.py, errors.py, traces.py), which the interpreter
# imports and every generated module carries, so the two cannot word a problem apart.
_ONCE = ["is not an input of", "missing input{'s'", "below its minimum", "above its maximum",
         "beyond its bound", "; expected", "must be a JSON object of fields", "\"not evaluated: \" +",
         "significant digits", '"citations": [', "\"verified\": v"]


def test_the_words_of_a_problem_are_written_in_the_runtime_only() -> None:
    compiler = REPO_ROOT / "legiste" / "compiler"
    for phrase in _ONCE:
        where = sorted(str(p.relative_to(compiler)) for p in compiler.rglob("*.py")
                       if phrase in p.read_text(encoding="utf-8"))
        assert where and all(w.startswith("runtime/") for w in where), (phrase, where)


_BOUNDED = """
policy t
record child
  age : integer, at least 0, at most 25
  school : one of primary, secondary
input
  income : money, at least 0 EUR, at most 100000 EUR
  children : list of child
  day : date
output total : money = income
"""


@pytest.fixture(scope="module")
def bounded() -> tuple[Any, Any]:
    import tempfile
    from legiste.compiler.backends.python import generate
    from helpers import compile_policy, load_generated
    policy = compile_policy(_BOUNDED)
    return policy, load_generated(generate(policy.program), Path(tempfile.mkdtemp()), "bounded")


_RAW = st.one_of(st.none(), st.booleans(), st.integers(-5, 200_000),
                 st.sampled_from(["12.50", "-1", "1e3", "2024-02-30", "2024-02-29", "primary",
                                  "college", "", "100000.01", "7 EUR"]))
_CHILD = st.dictionaries(st.sampled_from(["age", "school", "agee"]), _RAW, max_size=3)


@settings(max_examples=60, deadline=None)
@given(case=st.dictionaries(st.sampled_from(["income", "children", "day", "incom", "Day"]),
                            st.one_of(_RAW, st.lists(_CHILD, max_size=2)), max_size=5))
def test_input_problems_are_worded_alike_by_the_interpreter_and_a_generated_module(
        bounded, case) -> None:
    from helpers import generated_answer, interpreted_answer
    policy, module = bounded
    assert interpreted_answer(policy, case, None) == generated_answer(module, case, None)
