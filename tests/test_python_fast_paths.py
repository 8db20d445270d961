"""The fast forms of the generated Python module (compiler/backends/python/), case by case.

tests/test_codegen.py checks every policy against the interpreter on derived cases. Here a
small policy exercises each fast form on the cases that make it fall back or fail: a date
moved past year 9999 by an output computed in place, an amount too large to round in the
default context, a rule of the inputs computed as a case starts, a rule computed where it
is read (`m.setdefault`), a count as a loop, an average of a list tested not empty, a
choice between two texts compared with one of them. Each must give the interpreter's
outputs or its located error, through `compute`, `evaluate`, `evaluate_many` and `explain`.
"""

from __future__ import annotations

import ast
import collections
import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from legiste.compiler.api import Policy
from legiste.compiler.backends.python import generate
from legiste.compiler.runtime.values import to_json
from legiste.dsl.diagnostics import DiagnosticError
from helpers import REPO_ROOT, compile_policy

FAST = """
policy codegen.fast_paths
  as of request

input
  request : date  "the date of the request"
  amount : money  "an amount"
  factor : decimal  "a factor"
  bonus_year : year  "the bonus year"
  kind : one of small, large  "a kind"
  scores : list of decimal  "scores"

define start : date = date(bonus_year, 1, 1)
define limit : date = date(bonus_year + 1, 4, 1)
define label : text = if kind = small then "s" else "l"
define early = request < start
define met : integer = count of [s >= 5 for each s in scores where s != 3]
define high = (size([s for each s in scores where s > 1]) > 0
  and average([s for each s in scores where s > 1]) >= 4)

output later : date = request + 60 days
output paid : money = amount * factor
output first_day : date = start
output until : date = if early then start else limit
output is_small = label = "s"
output is_large = label != "s"
output met_out : integer = met
output met_twice : integer = met * 2
output high_out = high
output counted : integer = count of [s > 2 for each s in scores]
"""

CASE = {"request": "2024-03-15", "amount": "100.50", "factor": "1.5", "bonus_year": 2024,
        "kind": "small", "scores": ["1", "3", "5.5", "7"]}

CASES = [
    CASE,
    dict(CASE, kind="large", scores=[]),
    dict(CASE, request="9999-12-01"),            # later: past the calendar (E404)
    dict(CASE, request="9990-03-15", bonus_year=9999),  # until: date(10000, 4, 1) (E506)
    dict(CASE, request="1999-03-15", bonus_year=9999),  # early: `until` is `start`
    dict(CASE, amount="99999999999999999.99", factor="99999999999999999"),  # too many digits
    dict(CASE, scores=["0.5", "1"]),  # no score above 1: no average is taken
]


def _load(source: str, folder: Path) -> ModuleType:
    path = folder / "codegen_fast_paths.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("codegen_fast_paths", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Policy, str, ModuleType]:
    policy = compile_policy(FAST)
    source = generate(policy.program)
    return policy, source, _load(source, tmp_path_factory.mktemp("fast"))


def _interpreted(policy: Policy, data: Any, explain: bool) -> Any:
    try:
        return policy.evaluate(data, explain=explain).to_json()
    except DiagnosticError as exc:
        return {"error": [d.to_json() for d in exc.diagnostics]}


def _generated(module: ModuleType, data: Any, explain: bool) -> Any:
    try:
        return (module.explain if explain else module.evaluate)(data)
    except module.PolicyError as exc:
        return {"error": exc.diagnostics}


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_each_fast_form_gives_the_interpreters_result_or_error(
        compiled: tuple[Policy, str, ModuleType], case: dict[str, Any]) -> None:
    policy, _, module = compiled
    expected = _interpreted(policy, case, explain=True)
    assert _generated(module, case, explain=True) == expected
    plain = _generated(module, case, explain=False)
    assert plain == ({k: v for k, v in expected.items() if k != "explanation"}
                     if "outputs" in expected else expected)
    # compute: the raw values, or the same error
    values = module.validate(case)
    try:
        raw = module.compute(values)
    except module.PolicyError as exc:
        assert {"error": exc.diagnostics} == expected
    else:
        types = {d.name: d.type for d in policy.unit.outputs}
        assert {k: to_json(x, types[k]) for k, x in raw.items()} == expected["outputs"]
    # evaluate_many: the same results, and the failing row
    try:
        many = module.evaluate_many([CASE, case])
    except module.PolicyError as exc:
        assert exc.row == 1 and {"error": exc.diagnostics} == expected
    else:
        assert many == [_generated(module, CASE, explain=False), plain]


def test_the_fast_forms_are_in_the_code(compiled: tuple[Policy, str, ModuleType]) -> None:
    _, source, _ = compiled
    # a rule of the inputs that cannot fail, computed as a case starts, with the constructor
    assert "'@start': _dt.date(v['bonus_year'], 1, 1)" in source
    # a date that may not exist keeps the checked helper (bonus_year + 1 may be 10000)
    assert "_date(v['bonus_year'] + 1, 4, 1, " in source
    # a choice between two texts compared with one of them is its condition
    assert "'is_small': v['kind'] == 'small'" in source
    assert "'is_large': v['kind'] != 'small'" in source
    # a memoised count is a loop in its function; a count read once, len([1 for … if …])
    assert "        value = 0\n        for _v_s_" in source
    assert "'counted': len([1 for _v_s_" in source
    # an average of a list tested not empty is sum / len, no check
    high = _function(source, "rule_high")
    assert "sum(_list" in high and "_average(" not in high
    # the outputs no rule reads are computed in place, with a fallback to the functions
    assert "'later': v['request'] + _K" in source
    assert "except (ArithmeticError, AttributeError):  # a fast form failed" in source


def _function(source: str, name: str) -> str:
    """The source of a top-level function of a module."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(source, node) or ""
    raise AssertionError(f"no function {name}")


def _bound_twice(source: str) -> list[str]:
    names: collections.Counter[str] = collections.Counter()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names[node.name] += 1
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return [name for name, n in names.items() if n > 1]


@pytest.mark.parametrize("path", sorted((REPO_ROOT / "policies").rglob("*.legis")),
                         ids=lambda p: p.name)
def test_no_name_of_a_generated_module_is_bound_twice(path: Path) -> None:
    """A helper of the generator never shadows one of the runtime (`_json`, `_date`…)."""
    text = path.read_text(encoding="utf-8")
    if not any(line.startswith("policy ") for line in text.splitlines()):
        pytest.skip("a module, not a policy")
    assert _bound_twice(generate(Policy.load(path).program)) == []


def test_a_case_before_year_one_thousand_is_refused_before_any_rule(
        compiled: tuple[Policy, str, ModuleType]) -> None:
    """The rules computed as a case starts read validated values only."""
    _, _, module = compiled
    with pytest.raises(module.PolicyError) as info:
        module.evaluate(dict(CASE, bonus_year=999))
    assert info.value.code == "E501"
    assert module.compute(module.validate(CASE))["first_day"] == dt.date(2024, 1, 1)


# Lines of a `first of` (or a table's rows) that start with the same test are nested
# under one test of it (backends/python/first_of.py); a list an `all of` item builds is
# built once for the items after it (shared_lists.py); a choice of inputs read in many
# places is computed as a case starts. The same lines apply, and fail, as in the
# interpreter: a division by zero in the second line, the `otherwise` line, a rule
# error on the `otherwise` line (E405).
NESTED = """
policy codegen.nested
  as of request

record item "an item"
  score : decimal  "a score"
  group : list of decimal  "the group's scores"
  define good = all of
    size([x for each x in group where x > 0]) > 0
    average([x for each x in group where x > 0]) >= score

input
  request : date  "the date of the request"
  kind : one of small, large  "a kind"
  flag : boolean  "a flag"
  n : integer  "a number"
  d : integer  "a divisor"
  items : list of item  "items"

define wide : text = if kind = small or n > 5 then "w" else "narrow"

output pick : integer = first of
  1 when flag = true and wide = "w" and n = 1
  2 when flag = true and wide = "w" and 10 / d > 1
  3 when flag = true and wide = "narrow"
  4 when flag = false and n > 0
  0 otherwise

output again : integer = first of
  1 when wide = "w" and n = 2
  2 when wide = "w" and n = 3
  5 when wide = "narrow"
  6 when n > 6
  error "no line applies" otherwise

output goods : integer = count of [i for each i in items where i.good]

define kept : integer = count of [i for each i in items where i.good]
output kept_out : integer = kept
output kept_twice : integer = kept * 2
"""

NESTED_CASE = {"request": "2024-03-15", "kind": "small", "flag": True, "n": 2, "d": 4,
               "items": [{"score": "2", "group": ["1", "0", "3"]}, {"score": "9", "group": []},
                         {"score": "1", "group": ["-1"]}]}
NESTED_CASES = [
    NESTED_CASE,
    dict(NESTED_CASE, n=1),
    dict(NESTED_CASE, d=0),                      # the second line divides by zero: E402
    dict(NESTED_CASE, d=20, n=3),                # `pick`: its `otherwise` line
    dict(NESTED_CASE, kind="large", n=0),        # `narrow`
    dict(NESTED_CASE, flag=False, n=7),
    dict(NESTED_CASE, flag=False, n=4),          # `again`: its rule error (E405)
]


@pytest.mark.parametrize("case", NESTED_CASES, ids=range(len(NESTED_CASES)))
def test_nested_lines_give_the_interpreters_result_or_error(tmp_path: Path, case: dict[str, Any]) -> None:
    policy = compile_policy(NESTED)
    source = generate(policy.program)
    module = _load(source, tmp_path)
    expected = _interpreted(policy, case, explain=True)
    assert _generated(module, case, explain=True) == expected
    assert _generated(module, case, explain=False) == (
        {k: v for k, v in expected.items() if k != "explanation"} if "outputs" in expected else expected)
    try:
        raw = module.compute(module.validate(case))
    except module.PolicyError as exc:
        assert {"error": exc.diagnostics} == expected
    else:
        assert raw == expected["outputs"]
    # each line's shared first test is written once, the choice is computed as a case
    # starts, and the group's list is built once per element
    pick = next(line for line in source.splitlines() if line.strip().startswith("'pick':"))
    assert pick.count(") if v['flag'] else") == 1 and "if v['flag'] and" not in pick
    assert "m['@wide']" in pick
    assert "'@wide': " in source.split("def compute(", 1)[1].split("\n", 4)[3]
    goods = next(line for line in source.splitlines() if line.strip().startswith("'goods':"))
    assert goods.count(" > _K") + goods.count(" > 0]") == 1 and "_list" in goods
    # a memoised count of the elements a filter keeps is a loop; with no `as_of`, the date
    # of the case is its input, read in place
    assert "        value = 0\n        for _v_i_" in _function(source, "rule_kept")
    assert "'@as of': (v['request'] if as_of is None else _case_date(" in source
