"""`legiste serve`, run as a user runs it: a subprocess on a free loopback port, called
over HTTP with urllib (and fuzzed from its own OpenAPI document with schemathesis).

Every request has a timeout and every loop a bound; the server is stopped at the end of
the module whatever happens.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from legiste.compiler.api import Policy
from legiste.compiler.backends.json_schema import input_schema, output_schema
from legiste.compiler.faces.serve import MAX_BODY, TRACE_COMPONENTS
from legiste.dsl.diagnostics import CODES, DiagnosticError

REPO_ROOT = Path(__file__).resolve().parent.parent
POLICY_ID = "be.brussels.telesecretariat"
POLICY = "policies/be/brussels/telesecretariat.legis"
SOLO = REPO_ROOT / "policies" / "be" / "brussels" / "inputs" / "solo_gp_2023.json"
TRACE_SCHEMA = json.loads((REPO_ROOT / "docs" / "schemas" / "trace.v1.schema.json").read_text(encoding="utf-8"))
TIMEOUT = 15  # seconds, for any one request


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`legiste serve ARGS…` on a free loopback port, started in `cwd`."""

    def __init__(self, *args: str, cwd: Path = REPO_ROOT):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("LEGISTE_PATH", "LEGISTE_SOURCES")}
        env.update(NO_COLOR="1", PYTHONIOENCODING="utf-8",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])))
        self.log = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from legiste.compiler.faces.cli import run; run()", "serve", *args,
             "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"],
            cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self, deadline: float = 120) -> None:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise AssertionError(f"legiste serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                if request(self, "GET", "/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"legiste serve did not answer /health in {deadline} s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.log.close()


def request(server: Server, method: str, path: str, body: bytes | str | dict | None = None,
            timeout: float = TIMEOUT) -> tuple[int, Any]:
    """(status, parsed JSON answer); 4xx and 5xx are answers too."""
    data = json.dumps(body).encode() if isinstance(body, dict) else \
        body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(server.base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            status, raw, kind = answer.status, answer.read(), answer.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        status, raw, kind = exc.code, exc.read(), exc.headers.get("Content-Type", "")
    assert kind.startswith("application/json"), (status, kind, raw[:200])
    return status, json.loads(raw)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()  # no path: policies/ of the current directory
    try:
        running.wait()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def policy() -> Policy:
    cwd = os.getcwd()
    os.chdir(REPO_ROOT)  # spans relative to the repository, as the server has them
    try:
        return Policy.load(POLICY)
    finally:
        os.chdir(cwd)


def solo() -> dict[str, Any]:
    return json.loads(SOLO.read_text(encoding="utf-8"))


def codes(answer: Any) -> list[str]:
    assert set(answer) == {"errors"}, answer
    assert answer["errors"], answer
    for d in answer["errors"]:
        assert set(d) == {"severity", "code", "message", "location", "hints", "notes"}
        assert d["code"] in CODES
    return [d["code"] for d in answer["errors"]]


# ------------------------------------------------------------------ reading

def test_health_and_the_list_of_policies(server: Server) -> None:
    loaded = [Policy.load(p) for p in (REPO_ROOT / "policies").rglob("*.legis")]
    served = sorted(p.id for p in loaded if p.unit.kind == "policy")
    assert request(server, "GET", "/health") == (200, {"status": "ok", "policies": len(served)})
    status, listing = request(server, "GET", "/policies")
    assert status == 200
    assert sorted(p["id"] for p in listing["policies"]) == served
    tele = next(p for p in listing["policies"] if p["id"] == POLICY_ID)
    assert tele["title"].startswith("Intervention dans les frais")
    assert tele["authority"].startswith("Vivalis")
    assert tele["links"] == {"self": f"/policies/{POLICY_ID}", "evaluate": f"/policies/{POLICY_ID}/evaluate",
                             "explain": f"/policies/{POLICY_ID}/explain"}


def test_a_policy_with_its_schemas(server: Server, policy: Policy) -> None:
    status, meta = request(server, "GET", f"/policies/{POLICY_ID}")
    assert status == 200
    assert meta["inputs"] == input_schema(policy.unit)
    assert meta["outputs"] == output_schema(policy.unit)
    assert meta["as_of"] == "request_date" and meta["id"] == POLICY_ID


# ------------------------------------------------------------------ evaluating

def test_evaluate_answers_exactly_what_the_api_computes(server: Server, policy: Policy) -> None:
    case = solo()
    expected = policy.run(policy.validate(case)).to_json()
    assert request(server, "POST", f"/policies/{POLICY_ID}/evaluate", case) == (200, expected)
    assert expected["outputs"] == {"eligible": True, "intervention": "3700.00"}
    # The body as a file: the same bytes `legiste eval --input` reads.
    assert request(server, "POST", f"/policies/{POLICY_ID}/evaluate", SOLO.read_bytes()) == (200, expected)


def test_explain_and_the_query_parameters(server: Server, policy: Policy) -> None:
    case = solo()
    explained = policy.run(policy.validate(case), explain_it=True).to_json()
    assert request(server, "POST", f"/policies/{POLICY_ID}/evaluate?explain=true", case) == (200, explained)
    assert request(server, "POST", f"/policies/{POLICY_ID}/explain", case) == (200, explained)
    jsonschema.validate(explained["explanation"], TRACE_SCHEMA)
    plain = policy.run(policy.validate(case)).to_json()
    assert request(server, "POST", f"/policies/{POLICY_ID}/evaluate?explain=false", case) == (200, plain)
    on = policy.run(policy.validate(case), on=__import__("datetime").date(2024, 1, 10)).to_json()
    assert request(server, "POST", f"/policies/{POLICY_ID}/evaluate?on=2024-01-10", case) == (200, on)
    assert on["as_of"] == "2024-01-10"


def test_an_evaluation_error_is_422_with_its_diagnostic(server: Server, policy: Policy) -> None:
    case = dict(solo(), request_date="2025-03-15")  # the 2024 index is not published
    status, answer = request(server, "POST", f"/policies/{POLICY_ID}/evaluate", case)
    assert status == 422 and codes(answer) == ["E401"]
    with pytest.raises(DiagnosticError) as caught:
        policy.run(policy.validate(case))
    assert answer["errors"] == [d.to_json() for d in caught.value.diagnostics]


# ------------------------------------------------------------------ refusing

@pytest.mark.parametrize("body,status,code", [
    ("{\"request_date\": ", 400, "E505"),          # not JSON
    ("", 400, "E505"),                             # no body
    ("[1, 2]", 400, "E505"),                       # JSON, not an object
    ("{\"a\": 1, \"a\": 2}", 400, "E505"),         # a field twice
    (b"\xff\xfe{}", 400, "E505"),                  # not UTF-8
])
def test_an_unreadable_body_is_400(server: Server, body: Any, status: int, code: str) -> None:
    got, answer = request(server, "POST", f"/policies/{POLICY_ID}/evaluate", body)
    assert got == status and code in codes(answer)


def test_input_problems_are_422_with_the_cli_diagnostics(server: Server, policy: Policy) -> None:
    cases = {
        "E504": dict(solo(), costs_pad="1.00"),            # unknown field
        "E501": dict(solo(), dmg_count="many"),            # wrong type
        "E500": {k: v for k, v in solo().items() if k != "costs_paid"},
        "E502": dict(solo(), practice="solo"),
        "E503": dict(solo(), costs_paid="-1"),
        "E506": dict(solo(), request_date="2024-02-30"),
    }
    for code, case in cases.items():
        text = json.dumps(case, indent=2)
        status, answer = request(server, "POST", f"/policies/{POLICY_ID}/evaluate", text)
        assert status == 422 and code in codes(answer), (code, answer)
        with pytest.raises(DiagnosticError) as caught:
            policy.validate_json(text, "<request>")
        assert answer["errors"] == [d.to_json() for d in caught.value.diagnostics]
    status, answer = request(server, "POST", f"/policies/{POLICY_ID}/evaluate", cases["E504"])
    assert "did you mean 'costs_paid'?" in answer["errors"][0]["hints"]


def test_unknown_policy_path_and_method(server: Server) -> None:
    status, answer = request(server, "POST", "/policies/be.brussels.telesecretariats/evaluate", solo())
    assert status == 404 and codes(answer) == ["E700"]
    assert answer["errors"][0]["hints"] == [f"did you mean '{POLICY_ID}'?"]
    assert request(server, "GET", "/policies/nope")[0] == 404
    status, answer = request(server, "GET", "/nowhere")
    assert status == 404 and codes(answer) == ["E702"]
    status, answer = request(server, "GET", f"/policies/{POLICY_ID}/evaluate")
    assert status == 405 and codes(answer) == ["E702"]


@pytest.mark.parametrize("query", ["explain=maybe", "on=2024-02-30", "on=tomorrow", "verbose=1",
                                   "explain=true&explain=false", "on=2024-W01-1"])
def test_bad_query_parameters_are_400(server: Server, query: str) -> None:
    status, answer = request(server, "POST", f"/policies/{POLICY_ID}/evaluate?{query}", solo())
    assert status == 400 and codes(answer) == ["E703"]


def test_a_body_over_one_mebibyte_is_413(server: Server) -> None:
    big = json.dumps(dict(solo(), note="x" * MAX_BODY))
    status, answer = request(server, "POST", f"/policies/{POLICY_ID}/evaluate", big)
    assert status == 413 and codes(answer) == ["E701"]
    # Without a Content-Length (chunked): counted as it arrives, kept up to 1 MiB.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        chunks = (b"[" + b"0," * 1024 for _ in range(1024))  # 2 MiB, lazily
        connection.request("POST", f"/policies/{POLICY_ID}/evaluate", body=chunks,
                           headers={"Content-Type": "application/json"}, encode_chunked=True)
        answer = connection.getresponse()
        assert answer.status == 413 and codes(json.loads(answer.read())) == ["E701"]
        # The connection is kept: the next request on it is answered.
        connection.request("GET", "/health")
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    # An absurd declared length: refused before a byte of the body is read, and the connection closed.
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as raw:
        raw.sendall(f"POST /policies/{POLICY_ID}/evaluate HTTP/1.1\r\nHost: x\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {100 * MAX_BODY}\r\n\r\n{{".encode())
        answer = http.client.HTTPResponse(raw)
        answer.begin()
        assert answer.status == 413 and answer.getheader("Connection") == "close"
        assert codes(json.loads(answer.read())) == ["E701"]
    assert request(server, "GET", "/health")[0] == 200


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20)
                     | st.floats(allow_nan=False, allow_infinity=False),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                 max_size=4),
                     max_leaves=12)
_FIELDS = st.sampled_from(list(json.loads(SOLO.read_text(encoding="utf-8"))))


@settings(max_examples=150, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck), phases=[Phase.generate])
@given(data=st.data())
def test_no_bad_input_gets_a_5xx(server: Server, data: st.DataObject) -> None:
    """Broken bytes, wrong JSON, a real case with one field spoilt: a 2xx or 4xx answer."""
    kind = data.draw(st.sampled_from(["bytes", "json", "spoilt"]))
    if kind == "bytes":
        body: Any = data.draw(st.binary(max_size=200))
    elif kind == "json":
        body = json.dumps(data.draw(_JSON))
    else:
        case = solo()
        case[data.draw(_FIELDS)] = data.draw(_JSON)
        body = json.dumps(case)
    status, answer = request(server, "POST", f"/policies/{POLICY_ID}/evaluate", body)
    assert status in (200, 400, 422), (status, answer)
    if status != 200:
        assert "E799" not in codes(answer)


# ------------------------------------------------------------------ OpenAPI

def test_the_openapi_document(server: Server, policy: Policy) -> None:
    status, document = request(server, "GET", "/openapi.json")
    assert status == 200 and document["openapi"] == "3.1.0"
    schemas = document["components"]["schemas"]
    evaluate = document["paths"][f"/policies/{POLICY_ID}/evaluate"]["post"]
    ref = evaluate["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == f"#/components/schemas/{POLICY_ID}.inputs"
    expected = {k: v for k, v in input_schema(policy.unit).items() if k != "$schema"}
    assert schemas[f"{POLICY_ID}.inputs"] == expected
    assert {"200", "400", "413", "422"} <= set(evaluate["responses"])
    served = request(server, "GET", "/policies")[1]["policies"]
    for p in served:
        assert f"/policies/{p['id']}/evaluate" in document["paths"]


def _rewrite(schema: Any, names: dict[str, str]) -> Any:
    if isinstance(schema, dict):
        return {k: (names.get(v, v) if k == "$ref" else _rewrite(v, names)) for k, v in schema.items()
                if k != "description"}
    if isinstance(schema, list):
        return [_rewrite(v, names) for v in schema]
    return schema


def test_the_openapi_trace_schema_is_the_published_one() -> None:
    names = {"#/$defs/node": "#/components/schemas/TraceNode", "#/$defs/value": "#/components/schemas/TraceValue",
             "#/$defs/location": "#/components/schemas/Location",
             "#/$defs/citation": "#/components/schemas/TraceCitation"}
    published = {"TraceNode": "node", "TraceValue": "value", "Location": "location", "TraceCitation": "citation"}
    for component, definition in published.items():
        assert _rewrite(TRACE_COMPONENTS[component], names) == \
               _rewrite(TRACE_SCHEMA["$defs"][definition], names), component
    top = {k: v for k, v in TRACE_SCHEMA.items() if k in ("type", "required", "additionalProperties", "properties")}
    assert _rewrite(TRACE_COMPONENTS["Explanation"], names) == _rewrite(top, names)


def test_schemathesis_finds_no_5xx_and_no_nonconformance(server: Server) -> None:
    """Every operation of the OpenAPI document, 30 generated requests each (valid and
    invalid data): no 5xx; every status, content type and body as the document says."""
    schemathesis = pytest.importorskip("schemathesis")
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                   status_code_conformance)

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    schema = schemathesis.openapi.from_url(f"{server.base}/openapi.json", timeout=TIMEOUT)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    calls = 0
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            @settings(max_examples=30, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                nonlocal calls
                calls += 1
                case.call_and_validate(base_url=server.base, checks=checks, timeout=TIMEOUT)
            try:
                run()
            except Unsatisfiable:  # nothing to make invalid: an operation without parameters or body
                assert mode == schemathesis.GenerationMode.NEGATIVE
    assert calls >= len(operations)
    assert request(server, "GET", "/health")[0] == 200


# ------------------------------------------------------------------ start-up

def test_policies_are_compiled_once_at_start_up(tmp_path: Path) -> None:
    """The rule file can go once the service is up: requests never recompile it."""
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(REPO_ROOT / POLICY, folder / "telesecretariat.legis")
    running = Server(str(folder), cwd=tmp_path)
    try:
        running.wait()
        first = request(running, "POST", f"/policies/{POLICY_ID}/explain", solo())
        assert first[0] == 200, first
        (folder / "telesecretariat.legis").unlink()
        shutil.rmtree(folder)
        assert request(running, "POST", f"/policies/{POLICY_ID}/explain", solo()) == first
        assert first[1]["outputs"] == {"eligible": True, "intervention": "3700.00"}
    finally:
        running.stop()


def test_a_policy_with_an_error_stops_the_start_up() -> None:
    running = Server("tests/cases/bad/unknown_name.legis")
    try:
        assert running.process.wait(timeout=120) == 1
        output = running.output()
        assert "error[E100]" in output and "Traceback" not in output
    finally:
        running.stop()


# ------------------------------------------------------------------ equivalence with the interpreter


def _policy_files() -> list[Path]:
    return sorted((REPO_ROOT / "policies").rglob("*.legis"))


@pytest.mark.parametrize("path", _policy_files(), ids=lambda p: p.stem)
def test_the_service_answers_what_the_interpreter_computes(server: Server, path: Path) -> None:
    """Equivalence by property: hypothesis cases drawn from the policy itself (as
    `legiste verify` draws them) get, over HTTP, exactly the interpreter's JSON — outputs
    to the cent and the trace.v1 explanation — or the same diagnostics."""
    from legiste.compiler.tools.strategies import case_strategy, harvest
    from legiste.compiler.tools.verify import case_json

    cwd = os.getcwd()
    os.chdir(REPO_ROOT)
    try:
        local = Policy.load(path.relative_to(REPO_ROOT))
    finally:
        os.chdir(cwd)

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case_strategy(local, harvest(local.program)))
    def check(case: dict[str, Any]) -> None:
        body = case_json(local, case)
        status, answer = request(server, "POST", f"/policies/{local.id}/explain", body)
        try:
            expected = local.run(local.validate(body), explain_it=True).to_json()
        except DiagnosticError as exc:
            assert status == 422, answer
            assert [e["code"] for e in answer["errors"]] == [d.code for d in exc.diagnostics]
            return
        assert status == 200, answer
        assert answer == expected

    check()
