"""The generated Python module (compiler/backends/python/) against the interpreter.

For every policy under policies/ (and the policies of tests/cases/good, and a policy
written here that uses every kind of expression) the generated module must:

- run with the standard library only (`python -I -S`: no site-packages, so no Légiste,
  lark or attrs could be imported);
- give, on cases hypothesis derives from the policy (legiste.compiler.tools.verify), the same outputs to
  the cent, the same trace.v1 explanation JSON and the same errors (code, message,
  location) as the interpreter — and the same input diagnostics on malformed cases;
- resist injection: texts full of quotes, backslashes and Python code, rules and inputs
  named like keywords and builtins, compile to a module that runs nothing unexpected;
- name the .legis FILE:LINE:COLUMN of the rule in its run-time errors.

Profiles: HYPOTHESIS_PROFILE=ci (default: 50 cases per policy) or thorough (see conftest.py).
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import itertools
import json
import subprocess
import sys
import warnings
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legiste.compiler.api import Policy
from legiste.compiler.backends.json_schema import input_schema, output_schema
from legiste.compiler.backends.python import generate
from legiste.compiler.tools.verify import case_json, case_strategy, harvest, strategy_for
from legiste.compiler.runtime.values import to_json
from legiste.dsl.diagnostics import DiagnosticError
from helpers import GOOD, REPO_ROOT, compile_policy

BAD = REPO_ROOT / "tests" / "cases" / "bad"
A_DATE = dt.date(2024, 6, 30)  # the evaluation date of policies without `as of`


def _is_policy(path: Path) -> bool:
    """A `policy` file (not a `module`): its first declaration says so."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.startswith("policy ")
    return False


def _policy_files() -> list[Path]:
    files = sorted((REPO_ROOT / "policies").rglob("*.legis")) + sorted(GOOD.glob("*.legis"))
    return [f for f in files if _is_policy(f)]


POLICY_FILES = _policy_files()

# Every expression kind the generator compiles, for the equivalence property.
CONSTRUCTS = """
policy codegen.constructs
  title "Every expression the Python generator compiles"
  as of request

record member "a GP of the group"
  name : text
  dmg : integer, at least 0
  accredited : boolean
  fee : money, at least 0 EUR, at most 1000 EUR

input
  request : date  "the date of the request"
  amount : money  "an amount"
  n : integer, at least 0, at most 40
  ratio : rate
  factor : decimal
  kind : one of small, large, none
  flag : boolean
  label : text
  wait : duration
  members : list of member
  checks : list of boolean
  born : year, at least 1990, at most 2030

series points : decimal  "an index"
  source "Test publisher"
  period monthly
  2024-01: 100
  2024-02: 101.5
  2024-04: 99

parameter fee : money
  from 2024-01-01 until 2024-06-30: 10.00 EUR indexed by points
  from 2024-08-01: 12 EUR

define share : decimal = if flag then 1 else 2.5
define later : date = request + wait
define earlier : date = request - 3 months
define gap : integer = later - request
define longer : duration = wait + 2 days
define twice : duration = 2 * wait
define tier : money = first of
  100 EUR when n >= 30
  50 EUR when n between 10 and 29
  amount * ratio when kind = large
  0 EUR otherwise
define strict_tier : money = first of
  1 EUR when kind = small
  2 EUR when kind = large
  3 EUR when kind = none
define dmgs = [m.dmg for each m in members where m.accredited]
define fees = [m.fee for each m in members]
define total_fees : money = sum(fees)
define mean_dmg = if size(dmgs) > 0 then average(dmgs) else 0
define eligible = all of
  flag or kind = small
  n >= 3
    unless kind = large
    unless label = "x\\"y"
  any of
    count of checks >= 2
    at least 1 of checks
  amount / n > 10 EUR
  not (label = "a\\\\b")
define counted : integer = count of
  flag
  n > 5
  kind != none
define rounded : money = round(amount * factor)
define rounded_down : money = round_down(amount / 3, 5 EUR)
define rounded_up : decimal = round_up(factor, 0.25)
define magnitude : decimal = abs(factor - 1)
define next_year : year = born + 1
define parts : year = year(request) + month(request) + day(request)
define some_day : date = date(born, n, 31)
define bonus : money = fee at date(year(request), 3, 1)
define worst : money = max(amount, total_fees, 0 EUR)
define least : money = min(amount, tier)
define odd = [x for each x in checks where not x]
define nested = [[c for each c in checks where c != m.accredited] for each m in members]
define summary : member = {name: label, dmg: n, accredited: flag, fee: 5 EUR}

output tier_out : money = tier
output share_out : decimal = share * 2
output later_out : date = later
output earlier_out : date = earlier
output gap_out : integer = gap
output longer_out : duration = longer
output twice_out : duration = twice
output dmgs_out = dmgs
output total_out : money = total_fees
output mean_out : decimal = mean_dmg
output eligible_out = eligible
output counted_out : integer = counted
output rounded_out : money = rounded + rounded_down
output rounded_up_out : decimal = rounded_up
output magnitude_out : decimal = -magnitude
output next_year_out : year = next_year
output parts_out : year = parts
output worst_out : money = worst
output least_out : money = least
output odd_out = size(odd)
output nested_out = nested
output summary_out : member = summary
output all_checks = all of checks
output any_checks = any of checks
output implied = flag implies kind = small
output risky : money = if kind = none and flag then amount / n else 0 EUR
output risky_date : date = if kind = small and not flag then some_day else request
output risky_tier : money = if kind != none then strict_tier else 0 EUR
output risky_bonus : money = if n > 35 then bonus else fee
output average_all : decimal = if label = "avg" then average([m.dmg for each m in members]) else 0
"""


CONSTRUCTS_CASE = {
    "request": "2024-02-10", "amount": "1234.56", "n": 4, "ratio": "20 %", "factor": "1.5",
    "kind": "large", "flag": True, "label": "x", "wait": "40 days", "born": 2000,
    "members": [{"name": "a", "dmg": 10, "accredited": True, "fee": "100"},
                {"name": "b", "dmg": 3, "accredited": False, "fee": "7.5"}],
    "checks": [True, False]}


# ------------------------------------------------------------------ compiling and loading

_counter = itertools.count()


def _load_module(source: str, folder: Path) -> ModuleType:
    """Import generated source as a fresh module (not registered in sys.modules)."""
    name = f"legiste_generated_{next(_counter)}"
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Compiled:
    def __init__(self, policy: Policy, folder: Path):
        self.policy = policy
        self.source = generate(policy.program)
        self.module = _load_module(self.source, folder)
        self.on = None if policy.unit.as_of is not None else A_DATE


_CACHE: dict[str, Compiled] = {}


@pytest.fixture(scope="module")
def gen_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated")


def compiled(key: str, gen_dir: Path) -> Compiled:
    if key not in _CACHE:
        policy = compile_policy(CONSTRUCTS) if key == "constructs" else Policy.load(key)
        _CACHE[key] = Compiled(policy, gen_dir)
    return _CACHE[key]


ALL_KEYS = [str(p) for p in POLICY_FILES] + ["constructs"]


def _key_id(key: str) -> str:
    return Path(key).name if key != "constructs" else key


# ------------------------------------------------------------------ running both sides


def interpreter_result(policy: Policy, data: Any, on: dt.date | None, explain: bool) -> Any:
    try:
        return policy.evaluate(data, on=on, explain=explain).to_json()
    except DiagnosticError as exc:
        return {"error": [d.to_json() for d in exc.diagnostics]}
    except Exception as exc:  # noqa: BLE001 - the generated module must fail alike
        return {"crash": type(exc).__name__}


def generated_result(module: ModuleType, data: Any, on: dt.date | None, explain: bool) -> Any:
    try:
        return (module.explain if explain else module.evaluate)(data, on)
    except module.PolicyError as exc:
        return {"error": exc.diagnostics}
    except Exception as exc:  # noqa: BLE001
        return {"crash": type(exc).__name__}


def assert_same(c: Compiled, data: Any) -> Any:
    expected = interpreter_result(c.policy, data, c.on, explain=True)
    got = generated_result(c.module, data, c.on, explain=True)
    assert got == expected, _first_difference(expected, got)
    # JSON-serialisable, and identical as text (key order, strings to the cent).
    assert json.dumps(got, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
    plain = generated_result(c.module, data, c.on, explain=False)
    if "explanation" in expected:
        assert plain == {k: v for k, v in expected.items() if k != "explanation"}
    else:
        assert plain == expected
    return expected


def _first_difference(a: Any, b: Any, path: str = "$") -> str:
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in dict.fromkeys([*a, *b]):
            if k not in a or k not in b:
                return f"{path}.{k}: only on one side"
            d = _first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return "" if list(a) == list(b) else f"{path}: key order"
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}: {a!r:.400} / {b!r:.400}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return ""
    return "" if a == b else f"{path}: {a!r} != {b!r}"


def _max_examples() -> int:
    return max(settings().max_examples // 3, 10)  # 50 with the ci profile


# ------------------------------------------------------------------ (a) standard library only


_RUNNER = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
module = __import__(sys.argv[2])
cases = json.loads(sys.stdin.read())
out = []
for data, on in cases:
    import datetime
    when = datetime.date.fromisoformat(on) if on else None
    try:
        out.append(module.explain(data, when))
    except module.PolicyError as exc:
        out.append({"error": exc.diagnostics})
foreign = sorted(name for name in sys.modules
                 if name.split(".")[0] not in sys.stdlib_module_names
                 and name.split(".")[0] not in (sys.argv[2], "__main__"))
print(json.dumps({"results": out, "foreign": foreign}, ensure_ascii=False))
"""


@pytest.mark.parametrize("key", ALL_KEYS, ids=_key_id)
def test_generated_module_runs_with_the_standard_library_only(key: str, gen_dir: Path,
                                                             tmp_path: Path) -> None:
    c = compiled(key, gen_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no SyntaxWarning (invalid escapes, `is` with literals)
        compile(c.source, f"{_key_id(key)}.py", "exec")
    name = f"isolated_{next(_counter)}"
    (tmp_path / f"{name}.py").write_text(c.source, encoding="utf-8")
    examples = [e for e in c.policy.unit.examples]
    cases = [(case_json(c.policy, e.given), (e.on or c.on).isoformat() if (e.on or c.on) else None)
             for e in examples]
    if not cases:  # the constructs policy has no example
        cases = [(CONSTRUCTS_CASE, None), (dict(CONSTRUCTS_CASE, kind="none", n=0), None)]
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", _RUNNER, str(tmp_path), name],
                          input=json.dumps(cases), capture_output=True, text=True,
                          encoding="utf-8", timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["foreign"] == []
    expected = [interpreter_result(c.policy, data, dt.date.fromisoformat(on) if on else None, True)
                for data, on in cases]
    assert report["results"] == expected


def test_the_generated_module_imports_nothing_but_the_standard_library(gen_dir: Path) -> None:
    c = compiled(str(POLICY_FILES[0]), gen_dir)
    tree = ast.parse(c.source)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported and imported <= set(sys.stdlib_module_names) | {"__future__"}


# ------------------------------------------------------------------ (b) equivalence


@pytest.mark.parametrize("key", ALL_KEYS, ids=_key_id)
def test_examples_give_identical_results_and_explanations(key: str, gen_dir: Path) -> None:
    c = compiled(key, gen_dir)
    for example in c.policy.unit.examples:
        data = case_json(c.policy, example.given)
        on = example.on or c.on
        expected = interpreter_result(c.policy, data, on, explain=True)
        got = generated_result(c.module, data, on, explain=True)
        assert got == expected, (example.name, _first_difference(expected, got))


@pytest.mark.parametrize("key", ALL_KEYS, ids=_key_id)
def test_equivalence_on_cases_derived_from_the_policy(key: str, gen_dir: Path) -> None:
    c = compiled(key, gen_dir)
    cases = case_strategy(c.policy, harvest(c.policy.program))
    unit = c.policy.unit
    out_types = {d.name: d.type for d in unit.outputs}

    @settings(max_examples=_max_examples(), deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(cases)
    def check(case: dict[str, Any]) -> None:
        data = case_json(c.policy, case)
        expected = assert_same(c, data)
        if "outputs" not in expected:
            return
        # The raw values too (before JSON), computed from validated values.
        values = c.policy.validate(data)
        raw = c.module.compute(c.module.validate(data), c.on)
        interpreted = c.policy.run(values, on=c.on).outputs
        assert list(raw) == list(interpreted)
        for name, value in interpreted.items():
            assert to_json(raw[name], out_types[name]) == to_json(value, out_types[name])
            if isinstance(value, Decimal):
                assert str(raw[name]) == str(value)

    check()


_JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-10 ** 19, 10 ** 19),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(["", "12.345", "1e3", "NaN", "-Infinity", "2024-02-30", "2024-13-01",
                     "20240101", "2024-W01-1", "3 weeks", "10 EUR", "10.5€", "12 eur", " 5 days ",
                     "2 years", "50 %", "1_000", "٢٠٢٤-٠١-٠١", "individual", "group", "2023",
                     "0.001", "1E+30", "-0.00", "true"]),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["name", "dmg", "x"]), st.integers(-1, 3), max_size=3),
)


def _raw_cases(policy: Policy) -> st.SearchStrategy[Any]:
    h = harvest(policy.program)
    fields = {}
    for i in policy.unit.inputs:
        valid = strategy_for(i.type, h, i.minimum, i.maximum, i.name).map(
            lambda v, t=i.type: to_json(v, t))
        unbounded = strategy_for(i.type, h, None, None, i.name).map(lambda v, t=i.type: to_json(v, t))
        fields[i.name] = st.one_of(valid, unbounded, _JUNK)
    unknown = st.dictionaries(st.sampled_from(["unknown", "costs", "request_dat", "1"]), _JUNK,
                              min_size=1, max_size=2)
    extra = st.integers(0, 3).flatmap(lambda k: unknown if k == 0 else st.just({}))
    cases = st.tuples(st.fixed_dictionaries({}, optional=fields), extra).map(
        lambda pair: {**pair[0], **pair[1]})
    return st.integers(0, 9).flatmap(lambda k: _JUNK if k == 0 else cases)


@pytest.mark.parametrize("key", ALL_KEYS, ids=_key_id)
def test_same_diagnostics_on_malformed_cases(key: str, gen_dir: Path) -> None:
    c = compiled(key, gen_dir)

    @settings(max_examples=_max_examples(), deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(_raw_cases(c.policy))
    def check(data: Any) -> None:
        expected = interpreter_result(c.policy, data, c.on, explain=False)
        got = generated_result(c.module, data, c.on, explain=False)
        assert got == expected, _first_difference(expected, got)

    check()


def test_evaluate_many_caches_and_locates_the_failing_row(gen_dir: Path) -> None:
    c = compiled(str(REPO_ROOT / "policies/be/brussels/telesecretariat.legis"), gen_dir)
    base = json.loads((REPO_ROOT / "policies/be/brussels/inputs/solo_gp_2023.json").read_text())
    rows = [dict(base, costs_paid=f"{1000 + i}.00") for i in range(20)]
    assert c.module.evaluate_many(rows) == [c.module.evaluate(r) for r in rows]
    bad = rows[:3] + [dict(base, request_date="2025-03-15")]
    with pytest.raises(c.module.PolicyError) as info:
        c.module.evaluate_many(bad)
    assert info.value.row == 3 and info.value.code == "E401"


def test_index_overrides_match_the_interpreter(gen_dir: Path, tmp_path: Path) -> None:
    path = REPO_ROOT / "policies/be/brussels/telesecretariat.legis"
    module = _load_module(generate(Policy.load(path).program), tmp_path)
    base = json.loads((REPO_ROOT / "policies/be/brussels/inputs/solo_gp_2023.json").read_text())
    data = dict(base, request_date="2025-03-15", costs_paid="12000.00")
    with pytest.raises(module.PolicyError):
        module.evaluate(data)
    module.set_index("be.index.impulseo_brussels", "2024", "1.0321")
    policy = Policy.load(path, index_overrides={("be.index.impulseo_brussels", "2024"): Decimal("1.0321")})
    assert module.explain(data) == policy.evaluate(data, explain=True).to_json()


def test_schemas_metadata_and_source_map(gen_dir: Path) -> None:
    c = compiled(str(REPO_ROOT / "policies/be/brussels/telesecretariat.legis"), gen_dir)
    unit, module = c.policy.unit, c.module
    normal = lambda x: json.loads(json.dumps(x, default=str))  # noqa: E731
    assert module.INPUT_SCHEMA == normal(input_schema(unit))
    assert module.OUTPUT_SCHEMA == normal(output_schema(unit))
    meta = module.METADATA
    assert (meta["id"], meta["title"], meta["authority"]) == (unit.id, unit.title, unit.authority)
    assert [s["name"] for s in meta["sources"]] == [s.name for s in unit.sources]
    assert [(i["name"], i["description"]) for i in meta["inputs"]] == \
        [(i.name, i.description) for i in unit.inputs]
    assert [o["name"] for o in meta["outputs"]] == [d.name for d in unit.outputs]
    for d in unit.definitions:
        entry = module.SOURCE_MAP[d.id]
        assert (entry["file"], entry["line"], entry["column"]) == (d.span.file, d.span.line, d.span.column)
        assert [q["quote"] for q in entry["quotes"]] == [q.quote for q in d.cites]
        assert callable(getattr(module, entry["function"]))


def test_the_generated_code_is_readable(gen_dir: Path) -> None:
    source = compiled(str(REPO_ROOT / "policies/be/brussels/telesecretariat.legis"), gen_dir).source
    assert "def rule_intervention(v, m):" in source
    assert "# output intervention : money" in source
    assert "# § 'L’intervention couvre la moitié des frais réels" in source
    assert "def param_ceiling(when, site):" in source
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no SyntaxWarning (invalid escapes, `is` with literals)
        compile(source, "generated.py", "exec")


# ------------------------------------------------------------------ (c) injection and names

# Légiste text (a quote is written \", a backslash \\): triple quotes of both kinds, backslashes,
# a backslash before n, format fields, a quote that would close a string, Python code, and
# characters other tools take for line breaks (a `#` comment must not end at them).
NASTY = (r'\"\"\" ' + "'''" + r' \\ \" ' + "__import__('os').system('touch PWNED')"
         + r" {0} %s \\n \"); print('PWNED') #" + " \u2028\x0c\x0b\x85 # coding: latin-1")

INJECTION = """
policy codegen.injection
  title "T: {nasty}"
  authority "A: {nasty}"
  source x url "https://example.org/{nasty}"
  as of import

input
  import : date  "date: {nasty}"
  class : money, at least 0 EUR  "class: {nasty}"
    § "quote: {nasty}" in x
  def : one of None, True, yield, __import__, small  "def: {nasty}"
  lambda : text  "lambda: {nasty}"

define evaluate : money = class / 2  § "evaluate: {nasty}" in x
define print = def = small or def = None
define self : text = if print then "text: {nasty}" else lambda

output validate : money = if print then evaluate else 0 EUR  § "{nasty}" in x
output explain : text = self
output compute = def = __import__
output PolicyError = def = yield
"""


def test_texts_and_names_cannot_inject_code(tmp_path: Path) -> None:
    text = INJECTION.format(nasty=NASTY)
    policy = compile_policy(text)
    source = generate(policy.program)
    # Every text of the policy is a string constant: no call to __import__, no `system`.
    tree = ast.parse(source)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    attributes = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert "__import__" not in names and "system" not in attributes
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert any("__import__('os').system('touch PWNED')" in s for s in strings)
    # The module imports and evaluates in isolation, prints nothing and creates no file.
    (tmp_path / "injected.py").write_text(source, encoding="utf-8")
    runner = (
        "import json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "import injected as m\n"
        "assert callable(m.evaluate) and callable(m.explain) and callable(m.validate)\n"
        "cases = json.loads(sys.stdin.read())\n"
        "out = []\n"
        "for case in cases:\n"
        "    try:\n"
        "        out.append(m.explain(case))\n"
        "    except m.PolicyError as exc:\n"
        "        out.append({'error': exc.diagnostics})\n"
        "sys.stderr.write(json.dumps([out, m.METADATA, m.SOURCE_MAP]))\n")
    cases = [
        {"import": "2024-01-01", "class": "10.00", "def": "small", "lambda": "l"},
        {"import": "2024-01-01", "class": "7", "def": "None", "lambda": "x"},
        {"import": "2024-01-01", "class": "7", "def": "__import__", "lambda": "'''\\"},
        {"import": "2024-01-01", "class": "7", "def": "yield", "lambda": "\"\"\""},
        {"import": "2024-01-01", "class": "-1", "def": "nope", "extra": 1},
    ]
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", runner, str(tmp_path)],
                          input=json.dumps(cases), capture_output=True, text=True,
                          encoding="utf-8", cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert not (tmp_path / "PWNED").exists()
    results, metadata, source_map = json.loads(proc.stderr)
    expected = [interpreter_result(policy, case, None, explain=True) for case in cases]
    assert results == expected
    assert results[0]["outputs"] == {"validate": "5.00", "explain": f"text: {_unescape(NASTY)}",
                                     "compute": False, "PolicyError": False}
    assert results[2]["outputs"]["compute"] is True and results[3]["outputs"]["PolicyError"] is True
    assert metadata["title"] == f"T: {_unescape(NASTY)}"
    assert metadata["inputs"][1]["description"] == f"class: {_unescape(NASTY)}"
    assert source_map["codegen.injection.evaluate"]["quotes"][0]["quote"] == f"evaluate: {_unescape(NASTY)}"


def _unescape(text: str) -> str:
    """A Légiste string's value: `\\c` stands for c."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def test_rule_names_that_are_python_keywords_or_api_names_are_mangled(tmp_path: Path) -> None:
    policy = compile_policy(INJECTION.format(nasty="x"))
    module = _load_module(generate(policy.program), tmp_path)
    assert callable(module.evaluate) and module.evaluate.__name__ == "evaluate"
    assert "print" not in vars(module) and "self" not in vars(module)
    assert module.compute.__doc__ and module.explain.__name__ == "explain"
    assert module.SOURCE_MAP["codegen.injection.evaluate"]["function"].startswith("rule_evaluate")
    data = {"import": "2024-01-01", "class": "10.00", "def": "small", "lambda": "l"}
    assert module.evaluate(data) == interpreter_result(policy, data, None, explain=False)


# ------------------------------------------------------------------ (d) run-time errors


@pytest.mark.parametrize("name", ["runtime_division_by_zero", "runtime_missing_index",
                                  "runtime_parameter_before_first_date"])
def test_runtime_errors_name_the_rule_file_line_and_column(name: str, tmp_path: Path) -> None:
    policy = Policy.load(BAD / f"{name}.legis")
    module = _load_module(generate(policy.program), tmp_path)
    data = json.loads((BAD / f"{name}.json").read_text(encoding="utf-8"))
    with pytest.raises(DiagnosticError) as expected:
        policy.evaluate(data)
    [diagnostic] = expected.value.diagnostics
    with pytest.raises(module.PolicyError) as got:
        module.evaluate(data)
    error = got.value
    assert error.diagnostics == [diagnostic.to_json()]
    assert (error.code, error.location["file"], error.location["line"], error.location["column"]) == \
        (diagnostic.code, diagnostic.span.file, diagnostic.span.line, diagnostic.span.column)
    assert f"{diagnostic.span.file}:{diagnostic.span.line}:{diagnostic.span.column}" in str(error)
    assert name + ".legis" in str(error) and "legiste_generated" not in str(error)
    with pytest.raises(module.PolicyError):
        module.explain(data)


def test_a_division_by_zero_in_an_unevaluated_condition_is_explained_alike(tmp_path: Path) -> None:
    policy = compile_policy("""
        policy t

        input
          n : integer, at least 0
          amount : money

        output ok = all of
          n > 5
          amount / n > 1 EUR
        """)
    module = _load_module(generate(policy.program), tmp_path)
    data = {"n": 0, "amount": "10"}
    result = module.explain(data, A_DATE)
    assert result == policy.evaluate(data, on=A_DATE, explain=True).to_json()
    condition = result["explanation"]["outputs"][0]["children"][1]
    assert condition["detail"] == "not evaluated: division by zero"


# ------------------------------------------------------------------ the command line


def test_legiste_compile_target_python(tmp_path: Path, in_repo_root: Path) -> None:
    from legiste.compiler.faces.cli import main

    out = tmp_path / "telesecretariat.py"
    runner = CliRunner()
    result = runner.invoke(main, ["compile", "policies/be/brussels/telesecretariat.legis",
                                  "--target", "python", "-o", str(out)])
    assert result.exit_code == 0, result.output
    module = _load_module(out.read_text(encoding="utf-8"), tmp_path)
    data = json.loads(Path("policies/be/brussels/inputs/solo_gp_2023.json").read_text())
    assert module.evaluate(data)["outputs"] == {"eligible": True, "intervention": "3700.00"}
    printed = runner.invoke(main, ["compile", "policies/be/brussels/telesecretariat.legis",
                                   "--target", "python"])
    assert printed.exit_code == 0 and printed.output == out.read_text(encoding="utf-8")


# Sums, differences and products past 28 significant digits: E404 at the same rule, in
# both (neither rounds them silently), also when the rule is computed in place.
INEXACT_HEAD = "policy t.inexact\n  as of d\n\ninput\n  d : date\n  m : money\n\n"
INEXACT = [
    "output o : decimal = 123456789.1234 * 123456789.1234 * 123456789.1234\n",
    "output o : money = m * 1.0000000001 - m\n",
    "output o : money = sum([m, 0.000000000001 EUR])\n",
    "output o : decimal = average([1.0000000000001, 99999999999999999])\n",
    "define x : money = m * 1.0000000001\noutput o = x > 0 EUR\n",
    "define x : money = m + m\noutput o : money = x * 1.0000000001\noutput p : money = x\n",
]


@pytest.mark.parametrize("rule", INEXACT)
def test_results_past_28_digits_are_refused_alike(rule: str, tmp_path: Path) -> None:
    policy = compile_policy(INEXACT_HEAD + rule)
    module = _load_module(generate(policy.program), tmp_path)
    data = {"d": "2024-01-01", "m": "99999999999999999.99"}
    with pytest.raises(DiagnosticError) as expected:
        policy.evaluate(data)
    [diagnostic] = expected.value.diagnostics
    assert diagnostic.code == "E404" and "more than 28 significant digits" in diagnostic.message
    for call in (module.evaluate, module.explain):
        with pytest.raises(module.PolicyError) as got:
            call(data)
        assert got.value.diagnostics == [diagnostic.to_json()]
