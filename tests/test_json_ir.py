"""The JSON IR (`legiste compile --target json`) and the published schemas of docs/schemas/.

Every policy's document validates against ir.v1.schema.json, says what the IR says
(inputs, outputs, parameters, definitions), and every explanation the policies produce
validates against trace.v1.schema.json. The schemas are checked not to be vacuous: a
document broken on purpose is refused.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing

from legiste.compiler.api import Policy
from legiste.compiler.backends.json_ir import expr_json, to_json_ir, type_json
from legiste.compiler.backends.json_schema import input_schema, output_schema
from legiste.compiler.tools.examples import run_example

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = REPO_ROOT / "docs" / "schemas"
POLICY_FILES = sorted((REPO_ROOT / "policies").rglob("*.legis"))
GOOD_FILES = sorted((REPO_ROOT / "tests" / "cases" / "good").glob("*.legis"))

# A policy that uses every kind of expression node (tests/helpers compiles it with the
# repository's module roots).
EVERY_NODE = """\
policy t.every_node

record member  "one GP of a group practice"
  accredited_all_year : boolean
  dmg_count : integer, at least 0
  define big = dmg_count > 10

define double(x : money) : money = x * 2

input
  day : date
  members : list of member
  amount : money
  flags : list of boolean
  wait : duration
  noted : date, optional

parameter fee : money
  from 2020-01-01: 5 EUR

define accredited = [m for each m in members where m.accredited_all_year]
define group_dmg = sum([m.dmg_count for each m in members])
define bigs = [m for each m in members where m.big]
define twice : money = double(amount)
define enough = at least 2 of [m.accredited_all_year for each m in members]
define some = count of flags
define in_range = group_dmg between 10 and 20
define negative : money = -amount
define later = day + wait
define sizes = [1, 2, 3]
define all_ok = all of
  size(sizes) = 3
    unless enough
  fee at day > 0 EUR
define first : member = {accredited_all_year: true, dmg_count: 1}
define chosen : money = first of
  amount when not enough
  0 EUR otherwise
output result : money = if in_range and some >= 1 then chosen else negative
define noted_on : date = if noted is given then noted else noted otherwise day
define checked : money = first of
  error "no amount" when amount < 0 EUR
  amount otherwise

example "one"
  given day = 2024-01-01, amount = 10.50 EUR, flags = [true], wait = 30 days
  given members = [{accredited_all_year: true, dmg_count: 15}]
  expect result = 10.50 EUR
"""


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


IR_SCHEMA = _schema("ir.v1.schema.json")
TRACE_SCHEMA = _schema("trace.v1.schema.json")
IR = jsonschema.Draft202012Validator(IR_SCHEMA)
TRACE = jsonschema.Draft202012Validator(TRACE_SCHEMA)
_REGISTRY = referencing.Registry().with_resource(
    TRACE_SCHEMA["$id"], referencing.Resource.from_contents(TRACE_SCHEMA))
EVALUATION = jsonschema.Draft202012Validator({"$ref": TRACE_SCHEMA["$id"] + "#/$defs/evaluation"},
                                             registry=_REGISTRY)

_LOADED: dict[Path, Policy] = {}


def load(path: Path) -> Policy:
    if path not in _LOADED:
        _LOADED[path] = Policy.load(path)
    return _LOADED[path]


def every_node() -> Policy:
    return Policy.from_string(EVERY_NODE, base=REPO_ROOT)


def errors(validator: jsonschema.Draft202012Validator, document: Any) -> list[str]:
    return [f"{e.json_path}: {e.message[:300]}" for e in validator.iter_errors(document)]


def walk(node: Any):
    """Every dict of a JSON document."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_the_published_schemas_are_valid_json_schemas() -> None:
    jsonschema.Draft202012Validator.check_schema(IR_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(TRACE_SCHEMA)


# ------------------------------------------------------------------ ir.v1

@pytest.mark.parametrize("path", POLICY_FILES + GOOD_FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_json_ir_validates_against_the_published_schema(path: Path) -> None:
    document = to_json_ir(load(path).program)
    assert errors(IR, document) == []
    # Plain JSON: it survives a round trip, and no number is a float.
    text = json.dumps(document, ensure_ascii=False, allow_nan=False)
    assert json.loads(text) == document
    assert not any(isinstance(v, float) for d in walk(document) for v in d.values())


@pytest.mark.parametrize("path", POLICY_FILES + GOOD_FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_json_ir_says_what_the_ir_says(path: Path) -> None:
    policy = load(path)
    program, document = policy.program, to_json_ir(policy.program)
    assert (document["format"], document["version"], document["root"]) == ("legiste.ir", 1, policy.id)
    assert [u["id"] for u in document["units"]] == [program.root] + [u for u in program.units if u != program.root]
    root = document["units"][0]
    unit = policy.unit
    assert root["kind"] == "policy" and root["as_of"] == unit.as_of
    # inputs: names, types, bounds and descriptions, in order
    assert [i["name"] for i in root["inputs"]] == [i.name for i in unit.inputs]
    for got, decl in zip(root["inputs"], unit.inputs):
        assert got["type"] == type_json(decl.type)
        assert got["description"] == decl.description
        assert (got["minimum"] is None) == (decl.minimum is None)
        assert len(got["citations"]) == len(decl.cites)
    # outputs and definitions: the same rules, types and trees
    assert root["outputs"] == [d.name for d in unit.outputs]
    assert set(root["outputs"]) == set(output_schema(unit)["properties"])
    assert [i["name"] for i in root["inputs"]] == list(input_schema(unit)["properties"])
    assert [(d["id"], d["kind"]) for d in root["definitions"]] == [(d.id, d.kind) for d in unit.definitions]
    for got, definition in zip(root["definitions"], unit.definitions):
        assert got["type"] == type_json(definition.type)
        assert got["expr"] == expr_json(definition.expr)
        assert got["expr"]["type"]["kind"] in (definition.type.kind, "integer", "decimal", "rate")
    # parameters with their dated values and indexation
    for unit_json in document["units"]:
        source = program.units[unit_json["id"]]
        assert [p["id"] for p in unit_json["parameters"]] == list(source.parameters)
        for got, parameter in zip(unit_json["parameters"], source.parameters.values()):
            assert [(v["start"], v["indexed_by"]) for v in got["values"]] == \
                   [(v.start.isoformat(), v.index) for v in parameter.values]
        assert [s["id"] for s in unit_json["series"]] == list(source.series)
        assert len(unit_json["examples"]) == len(source.examples)
        assert len(unit_json["invariants"]) == len(source.invariants)


def test_every_expression_kind_is_written_and_valid() -> None:
    document = to_json_ir(every_node().program)
    assert errors(IR, document) == []
    node_kinds = set(IR_SCHEMA["$defs"]["expr"]["properties"]["kind"]["enum"])
    written = {d["kind"] for d in walk(document) if {"kind", "type", "span", "citations"} <= set(d)}
    assert node_kinds | {"condition", "exception", "branch"} <= written
    # Every expression node has its kind, type, span and citations.
    for d in walk(document):
        if d.get("kind") in node_kinds and "type" in d:
            assert {"kind", "type", "span", "citations"} <= set(d)
            assert d["span"] is None or d["span"]["line"] >= 1


def test_values_are_exact_and_typed() -> None:
    root = to_json_ir(every_node().program)["units"][0]
    example = root["examples"][0]
    assert example["given"]["amount"] == "10.50"                 # money: a decimal string
    assert example["given"]["wait"] == {"days": 30, "months": 0}   # duration
    assert example["given"]["members"] == [{"accredited_all_year": True, "dmg_count": 15}]
    assert example["expect"] == {"result": "10.50"}
    member = next(r for r in root["records"] if r["name"] == "member")["type"]
    assert member["fields"][1] == {"name": "dmg_count", "type": {"kind": "integer"}, "minimum": 0, "maximum": None}
    fee = next(p for p in root["parameters"] if p["name"] == "fee")
    assert fee["values"] == [{"start": "2020-01-01", "end": None, "value": "5", "indexed_by": None,
                              "span": fee["values"][0]["span"], "citations": []}]


def test_the_telesecretariat_ceiling_is_indexed_and_cited() -> None:
    policy = load(REPO_ROOT / "policies" / "be" / "brussels" / "telesecretariat.legis")
    document = to_json_ir(policy.program)
    root = document["units"][0]
    ceiling = next(p for p in root["parameters"] if p["name"] == "ceiling")
    assert ceiling["values"][0]["value"] == "4555.10"
    assert ceiling["values"][0]["indexed_by"] == "be.index.impulseo_brussels"
    assert ceiling["citations"] and all(c["verified"] for c in ceiling["citations"])
    index = next(u for u in document["units"] if u["id"] == "be.index")
    assert index["kind"] == "module"
    assert index["series"][0]["values"][0]["period"] == "2023"


@pytest.mark.parametrize("breakage", [
    "float value", "unknown node kind", "node without span", "extra field", "wrong version",
    "unknown type kind"])
def test_the_ir_schema_refuses_broken_documents(breakage: str) -> None:
    document = copy.deepcopy(to_json_ir(every_node().program))
    root = document["units"][0]
    expr = root["definitions"][0]["expr"]
    if breakage == "float value":
        next(d for d in walk(document) if d.get("kind") == "const")["value"] = 1.5
    elif breakage == "unknown node kind":
        expr["kind"] = "lambda"
    elif breakage == "node without span":
        del expr["span"]
    elif breakage == "extra field":
        expr["comment"] = "not in the format"
    elif breakage == "wrong version":
        document["version"] = 2
    elif breakage == "unknown type kind":
        root["inputs"][0]["type"] = {"kind": "complex"}
    assert errors(IR, document) != []


# ------------------------------------------------------------------ trace.v1

def _cases() -> list[tuple[Path, str]]:
    cases = []
    for path in POLICY_FILES + GOOD_FILES:
        cases += [(path, e.name) for e in load(path).unit.examples]
    return cases


@pytest.mark.parametrize("path,name", _cases(), ids=lambda x: x if isinstance(x, str) else x.stem)
def test_every_example_explanation_validates_against_trace_v1(path: Path, name: str) -> None:
    policy = load(path)
    example = next(e for e in policy.unit.examples if e.name == name)
    outcome = run_example(policy, example)  # evaluated with explain=True, as `legiste test` does
    assert outcome.passed
    if outcome.result is None:
        assert example.expect_error is not None
        return
    data = outcome.result.to_json()
    assert errors(TRACE, data["explanation"]) == []
    assert errors(EVALUATION, data) == []
    assert [t["rule"] for t in data["explanation"]["outputs"]] == list(data["outputs"])


def test_the_trace_schema_refuses_broken_explanations() -> None:
    policy = load(REPO_ROOT / "policies" / "be" / "brussels" / "telesecretariat.legis")
    case = json.loads((REPO_ROOT / "policies/be/brussels/inputs/solo_gp_2023.json").read_text(encoding="utf-8"))
    explanation = policy.evaluate(case, explain=True).to_json()["explanation"]
    assert errors(TRACE, explanation) == []
    for breakage in ("kind", "location", "version", "float"):
        broken = copy.deepcopy(explanation)
        node = broken["outputs"][0]["children"][0]
        if breakage == "kind":
            node["kind"] = "guess"
        elif breakage == "location":
            del node["location"]["line"]
        elif breakage == "version":
            broken["version"] = "trace.v2"
        else:
            node["value"] = 0.5
        assert errors(TRACE, broken) != [], breakage


# ------------------------------------------------------------------ the commands

def _legiste(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LEGISTE_PATH", "LEGISTE_SOURCES")}
    env.update(NO_COLOR="1", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-c", "from legiste.compiler.faces.cli import run; run()", *args],
                          cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120)


def test_compile_target_json_writes_the_document(tmp_path: Path, in_repo_root: Path) -> None:
    policy = "policies/be/brussels/telesecretariat.legis"
    out = tmp_path / "ir.json"
    result = _legiste("compile", policy, "--target", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == to_json_ir(Policy.load(policy).program)
    printed = _legiste("compile", policy, "--target", "json")
    assert printed.returncode == 0 and json.loads(printed.stdout) == written


def test_compile_refuses_an_unknown_target_and_a_bad_policy() -> None:
    unknown = _legiste("compile", "policies/be/brussels/telesecretariat.legis", "--target", "cobol")
    assert unknown.returncode == 2 and "cobol" in unknown.stderr
    bad = _legiste("compile", "tests/cases/bad/unknown_name.legis", "--target", "json")
    assert bad.returncode == 1 and "E100" in bad.stderr and bad.stdout == ""
    assert "Traceback" not in bad.stderr + unknown.stderr


def test_schema_prints_the_input_and_output_schemas(in_repo_root: Path) -> None:
    policy = "policies/be/brussels/telesecretariat.legis"
    result = _legiste("schema", policy)
    assert result.returncode == 0, result.stderr
    unit = Policy.load(policy).unit
    assert json.loads(result.stdout) == {"inputs": input_schema(unit), "outputs": output_schema(unit)}
