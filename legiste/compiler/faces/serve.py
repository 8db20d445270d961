"""`legiste serve`: the compiled policies behind a small HTTP/JSON service.

Every policy under the given paths is compiled once, when the service starts (a rule
file with an error stops it there, with the same diagnostics as `legiste check`); a
request only validates its case and evaluates it.

    GET  /health                       {"status": "ok", "policies": N}
    GET  /policies                     {"policies": [{"id", "title", "authority", "links"}, …]}
    GET  /policies/{id}                the policy's metadata, with its input and output JSON Schemas
    POST /policies/{id}/evaluate       body: the case, the same JSON object as `legiste eval --input`
                                       ?explain=true adds the explanation; ?on=YYYY-MM-DD as `--on`
    POST /policies/{id}/explain        the same, with the explanation
    GET  /openapi.json                 OpenAPI 3.1, with each policy's input schema

An evaluation answers exactly `Result.to_json()`: {"policy", "as_of", "outputs"}
(+ "explanation", trace.v1). Every refusal answers {"errors": [Diagnostic.to_json(), …]}
with the diagnostics the CLI prints: 400 for a body that is not a JSON object (E505) or
a bad query parameter (E703), 404 for an unknown policy (E700) or path (E702), 405 for
a wrong method (E702), 413 for a body over 1 MiB (E701), 422 for a case that is read but
refused (E500–E506) or cannot be evaluated (E4xx). A 500 (E799) would be a bug.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from legiste.compiler.api import Policy
from legiste.compiler.backends.json_schema import input_schema, output_schema
from legiste.compiler.interpreter.inputs import parse_json
from legiste.dsl.diagnostics import Diagnostic, DiagnosticError, did_you_mean, error

MAX_BODY = 1 << 20  # 1 MiB: a case is a few hundred bytes
REQUEST_FILE = "<request>"  # the file name diagnostics give the request body

log = logging.getLogger("legiste.serve")

Handler = Callable[[Request], Awaitable[Response]]


class _Refused(Exception):
    def __init__(self, status: int, diagnostics: list[Diagnostic], headers: dict[str, str] | None = None):
        self.status, self.diagnostics, self.headers = status, diagnostics, headers


# ------------------------------------------------------------------ start-up

def rule_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        files += sorted(p.rglob("*.legis")) if p.is_dir() else [p]
    return files


def load_policies(paths: Iterable[str | Path], *, strict: bool = False) -> tuple[dict[str, Policy], list[Diagnostic]]:
    """Compile every policy under `paths` (modules are skipped); raise DiagnosticError if
    a file has an error, two files declare the same policy, or there is no policy."""
    paths = list(paths)
    policies: dict[str, Policy] = {}
    files: dict[str, Path] = {}
    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    for file in rule_files(paths):
        try:
            policy = Policy.load(file, strict=strict)
        except DiagnosticError as exc:
            errors += exc.diagnostics
            continue
        warnings += policy.warnings
        if policy.unit.kind != "policy":
            continue
        if policy.id in policies:
            errors.append(error("E101", f"policy {policy.id} is declared twice: in {files[policy.id]} "
                                f"and in {file}", hints=["give each policy its own id"]))
            continue
        policies[policy.id], files[policy.id] = policy, file
    if not errors and not policies:
        errors.append(error("E601", "no policy to serve under " + ", ".join(map(str, paths)),
                            hints=["give the rule files or folders: legiste serve policies/"]))
    if errors:
        raise DiagnosticError(_unique(errors))
    return policies, _unique(warnings)


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(diagnostics))


# ------------------------------------------------------------------ the service

def _links(policy_id: str) -> dict[str, str]:
    base = f"/policies/{policy_id}"
    return {"self": base, "evaluate": f"{base}/evaluate", "explain": f"{base}/explain"}


def summary(policy: Policy) -> dict[str, Any]:
    unit = policy.unit
    return {"id": unit.id, "title": unit.title, "authority": unit.authority, "links": _links(unit.id)}


def metadata(policy: Policy) -> dict[str, Any]:
    unit = policy.unit
    return {"id": unit.id, "title": unit.title, "authority": unit.authority, "url": unit.url,
            "as_of": unit.as_of, "sources": [{"name": s.name, "url": s.url} for s in unit.sources],
            "inputs": input_schema(unit), "outputs": output_schema(unit), "links": _links(unit.id)}


def _errors(status: int, diagnostics: list[Diagnostic], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [d.to_json() for d in diagnostics]}, status_code=status, headers=headers)


def _status_of(diagnostics: list[Diagnostic]) -> int:
    """400 when the body could not be read as a JSON object of fields; else 422."""
    return 400 if all(d.code == "E505" for d in diagnostics) else 422


def _guard(handler: Handler) -> Handler:
    """Every refusal as diagnostics; an unexpected exception as a bare 500, never a traceback."""
    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except _Refused as exc:
            return _errors(exc.status, exc.diagnostics, exc.headers)
        except DiagnosticError as exc:
            if not exc.diagnostics:  # a refusal that says nothing is a bug
                log.error("no diagnostic for a refused request on %s", request.url.path)
                return _internal()
            return _errors(_status_of(exc.diagnostics), exc.diagnostics)
        except ClientDisconnect:  # nobody is left to answer
            return Response(status_code=400)
        except Exception:  # noqa: BLE001 — a bug in Légiste; the tests make sure bad input never gets here
            log.exception("internal error on %s %s", request.method, request.url.path)
            return _internal()
    return guarded


def _internal() -> JSONResponse:
    return _errors(500, [error("E799", "internal error of the service: the request was not evaluated",
                               hints=["this is a bug in Légiste; please report it with the request"])])


class Service:
    """The ASGI application (`.app`) serving compiled policies."""

    def __init__(self, policies: dict[str, Policy], *, max_body: int = MAX_BODY):
        self.policies = policies
        self.max_body = max_body
        # Everything that does not depend on a request is computed once, here.
        self._listing = {"policies": [summary(p) for p in policies.values()]}
        self._metadata = {pid: metadata(p) for pid, p in policies.items()}
        self._openapi = openapi(policies)
        routes = [
            Route("/health", _guard(self.health), methods=["GET"]),
            Route("/openapi.json", _guard(self.openapi), methods=["GET"]),
            Route("/policies", _guard(self.listing), methods=["GET"]),
            Route("/policies/{id}", _guard(self.describe), methods=["GET"]),
            Route("/policies/{id}/evaluate", _guard(self.evaluate), methods=["POST"]),
            Route("/policies/{id}/explain", _guard(self.explain), methods=["POST"]),
        ]
        self.app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error,
                                                                 Exception: _last_resort})

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path], *, strict: bool = False) -> "Service":
        policies, _ = load_policies(paths, strict=strict)
        return cls(policies)

    # ---------------------------------------------------------------- handlers

    async def health(self, request: Request) -> Response:
        _query(request, set())
        return JSONResponse({"status": "ok", "policies": len(self.policies)})

    async def openapi(self, request: Request) -> Response:
        _query(request, set())
        return JSONResponse(self._openapi)

    async def listing(self, request: Request) -> Response:
        _query(request, set())
        return JSONResponse(self._listing)

    async def describe(self, request: Request) -> Response:
        policy = self._policy(request)
        _query(request, set())
        return JSONResponse(self._metadata[policy.id])

    async def evaluate(self, request: Request) -> Response:
        return await self._evaluate(request, explain=None)

    async def explain(self, request: Request) -> Response:
        return await self._evaluate(request, explain=True)

    # ---------------------------------------------------------------- helpers

    def _policy(self, request: Request) -> Policy:
        policy_id = request.path_params["id"]
        policy = self.policies.get(policy_id)
        if policy is None:
            raise _Refused(404, [error("E700", f"no policy {policy_id!r} is served here",
                                       hints=did_you_mean(policy_id, self.policies)
                                       or ["policies: " + ", ".join(self.policies)])])
        return policy

    async def _evaluate(self, request: Request, *, explain: bool | None) -> Response:
        policy = self._policy(request)
        query = _query(request, {"on"} if explain else {"on", "explain"})
        on = _date(query["on"]) if "on" in query else None
        if explain is None:
            explain = _flag("explain", query["explain"]) if "explain" in query else False
        text = await self._body(request)
        data, unreadable = parse_json(text, REQUEST_FILE)
        if unreadable:
            raise DiagnosticError(unreadable)
        # validate, not validate_json: a body `null` must be refused with E505 like any non-object.
        # Without the text first (locating each field in it is the dearest part of a request);
        # a refused case is validated again with it, for diagnostics located as the CLI's.
        try:
            values = policy.validate(data, file=REQUEST_FILE)
        except DiagnosticError:
            values = policy.validate(data, file=REQUEST_FILE, text=text)
        result = policy.run(values, on=on, explain_it=explain)
        return JSONResponse(result.to_json())

    async def _body(self, request: Request) -> str:
        """The body as text, at most `max_body` bytes kept. A body a little too large is read to
        its end before the 413 goes (a client still sending, e.g. with `Connection: close`, then
        gets the answer rather than a broken pipe); past 8 × `max_body` the connection is closed."""
        drain = 8 * self.max_body
        declared = request.headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > drain:
            raise self._too_large(close=True)
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > drain:
                raise self._too_large(close=True)
            if size <= self.max_body:
                chunks.append(chunk)
        if size > self.max_body:
            raise self._too_large(close=False)
        try:
            return b"".join(chunks).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Refused(400, [error("E505", f"the request body is not UTF-8 text (byte {exc.start + 1})",
                                       hints=["send the case as a JSON object encoded in UTF-8"])]) from None

    def _too_large(self, *, close: bool) -> _Refused:
        return _Refused(413, [error("E701", f"the request body is larger than {self.max_body} bytes",
                                    hints=["a case is one JSON object of a policy's inputs; "
                                           "send one case per request"])],
                        {"Connection": "close"} if close else None)


def _query(request: Request, allowed: set[str]) -> dict[str, str]:
    """The query parameters, each at most once and each one the endpoint knows."""
    items = request.query_params.multi_items()
    problems = []
    seen: dict[str, str] = {}
    for key, value in items:
        if key not in allowed:
            hints = did_you_mean(key, allowed) or [("parameters: " + ", ".join(sorted(allowed))) if allowed
                                                   else "this endpoint takes no query parameter"]
            problems.append(error("E703", f"unknown query parameter {key!r}", hints=hints))
        elif key in seen:
            problems.append(error("E703", f"query parameter {key!r} is given twice"))
        seen[key] = value
    if problems:
        raise _Refused(400, _unique(problems))
    return seen


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise _Refused(400, [error("E703", f"query parameter {name}={value!r} is not true or false")])


def _date(value: str) -> dt.date:
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):  # \d would take other scripts' digits
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise _Refused(400, [error("E703", f"query parameter on={value!r} is not a date of the calendar "
                                      "written YYYY-MM-DD")])


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such path, wrong method) as diagnostics."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return _errors(405, [error("E702", f"{request.method} is not allowed on {request.url.path}",
                                   hints=[f"allowed: {allowed}"] if allowed else [])], dict(exc.headers or {}))
    if exc.status_code == 404:
        return _errors(404, [error("E702", f"no endpoint {request.url.path}",
                                   hints=["endpoints: /health, /policies, /policies/{id}, "
                                          "/policies/{id}/evaluate, /policies/{id}/explain, /openapi.json"])])
    return _errors(exc.status_code, [error("E702", str(exc.detail))], dict(exc.headers or {}))


async def _last_resort(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s: %r", request.method, request.url.path, exc)
    return _internal()


def create_app(paths: Iterable[str | Path] = ("policies",), *, strict: bool = False) -> Starlette:
    """The ASGI application of the policies under `paths` (compiled now, once)."""
    return Service.from_paths(paths, strict=strict).app


# ------------------------------------------------------------------ OpenAPI

_SPAN = {
    "type": "object", "required": ["file", "line", "column", "end_line", "end_column"],
    "additionalProperties": False,
    "properties": {"file": {"type": "string"}, "line": {"type": "integer", "minimum": 1},
                   "column": {"type": "integer", "minimum": 1}, "end_line": {"type": "integer", "minimum": 1},
                   "end_column": {"type": "integer", "minimum": 1}},
}

# The trace.v1 schema (docs/schemas/trace.v1.schema.json), its $refs pointing into
# components; tests/test_serve.py checks that the two say the same.
TRACE_COMPONENTS: dict[str, Any] = {
    "TraceNode": {
        "type": "object",
        "required": ["kind", "rule", "value", "type", "location", "citations", "detail", "children"],
        "additionalProperties": False,
        "properties": {
            "kind": {"enum": ["output", "define", "parameter", "input", "condition", "exception", "branch",
                              "otherwise"]},
            "rule": {"type": "string"},
            "value": {"$ref": "#/components/schemas/TraceValue"},
            "type": {"type": "string"},
            "location": {"$ref": "#/components/schemas/Location"},
            "citations": {"type": "array", "items": {"$ref": "#/components/schemas/TraceCitation"}},
            "detail": {"type": ["string", "null"]},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/TraceNode"}},
        },
    },
    "TraceValue": {"anyOf": [
        {"type": ["null", "boolean", "integer", "string"]},
        {"type": "array", "items": {"$ref": "#/components/schemas/TraceValue"}},
        {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/TraceValue"}},
    ]},
    "TraceCitation": {
        "type": "object", "required": ["quote", "source", "verified"], "additionalProperties": False,
        "properties": {"quote": {"type": "string"}, "source": {"type": "string"}, "verified": {"type": "boolean"}},
    },
    "Location": _SPAN,
    "Explanation": {
        "type": "object", "required": ["version", "outputs"], "additionalProperties": False,
        "properties": {"version": {"const": "trace.v1"},
                       "outputs": {"type": "array", "items": {"$ref": "#/components/schemas/TraceNode"}}},
    },
}

_COMMON: dict[str, Any] = {
    "Diagnostic": {
        "type": "object", "required": ["severity", "code", "message", "location", "hints", "notes"],
        "additionalProperties": False,
        "properties": {"severity": {"enum": ["error", "warning", "note"]},
                       "code": {"type": "string", "pattern": "^[EW]\\d{3}$"},
                       "message": {"type": "string"},
                       "location": {"$ref": "#/components/schemas/Location"},
                       "hints": {"type": "array", "items": {"type": "string"}},
                       "notes": {"type": "array", "items": {"type": "string"}}},
    },
    "Errors": {
        "type": "object", "required": ["errors"], "additionalProperties": False,
        "properties": {"errors": {"type": "array", "minItems": 1,
                                  "items": {"$ref": "#/components/schemas/Diagnostic"}}},
    },
    "Health": {
        "type": "object", "required": ["status", "policies"], "additionalProperties": False,
        "properties": {"status": {"const": "ok"}, "policies": {"type": "integer", "minimum": 1}},
    },
    "Links": {
        "type": "object", "required": ["self", "evaluate", "explain"], "additionalProperties": False,
        "properties": {"self": {"type": "string"}, "evaluate": {"type": "string"}, "explain": {"type": "string"}},
    },
    "PolicySummary": {
        "type": "object", "required": ["id", "title", "authority", "links"], "additionalProperties": False,
        "properties": {"id": {"type": "string"}, "title": {"type": ["string", "null"]},
                       "authority": {"type": ["string", "null"]},
                       "links": {"$ref": "#/components/schemas/Links"}},
    },
    "PolicyList": {
        "type": "object", "required": ["policies"], "additionalProperties": False,
        "properties": {"policies": {"type": "array", "items": {"$ref": "#/components/schemas/PolicySummary"}}},
    },
    "PolicyMetadata": {
        "type": "object",
        "required": ["id", "title", "authority", "url", "as_of", "sources", "inputs", "outputs", "links"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"}, "title": {"type": ["string", "null"]},
            "authority": {"type": ["string", "null"]}, "url": {"type": ["string", "null"]},
            "as_of": {"type": ["string", "null"], "description": "the input that gives the evaluation date"},
            "sources": {"type": "array", "items": {
                "type": "object", "required": ["name", "url"], "additionalProperties": False,
                "properties": {"name": {"type": "string"}, "url": {"type": ["string", "null"]}}}},
            "inputs": {"type": "object", "description": "the JSON Schema (2020-12) of a case"},
            "outputs": {"type": "object", "description": "the JSON Schema (2020-12) of the outputs"},
            "links": {"$ref": "#/components/schemas/Links"},
        },
    },
}


def _error_responses(*statuses: int) -> dict[str, Any]:
    words = {400: "the body is not a JSON object, or a query parameter is wrong (E505, E703)",
             404: "no such policy (E700)", 413: "the body is larger than 1 MiB (E701)",
             422: "the case is refused (E500–E506) or cannot be evaluated (E4xx)"}
    return {str(s): {"description": words[s],
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}
            for s in statuses}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _strip(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != "$schema"}


def openapi(policies: dict[str, Policy]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the service: one set of paths per policy, so that each
    `evaluate` refers to the JSON Schema of that policy's inputs."""
    try:
        from importlib.metadata import version
        service_version = version("legiste")
    except Exception:  # noqa: BLE001 — not installed: still a valid document
        service_version = "0"
    schemas: dict[str, Any] = {**TRACE_COMPONENTS, **_COMMON}
    no_query = _error_responses(400)
    paths: dict[str, Any] = {
        "/health": {"get": {"operationId": "health", "summary": "Whether the service is up",
                            "responses": {"200": _json("Health", "up, with the number of policies served"),
                                          **no_query}}},
        "/policies": {"get": {"operationId": "listPolicies", "summary": "The policies served",
                              "responses": {"200": _json("PolicyList", "id, title, authority and links of each"),
                                            **no_query}}},
        "/openapi.json": {"get": {"operationId": "openapi", "summary": "This document",
                                  "responses": {"200": {"description": "OpenAPI 3.1",
                                                        "content": {"application/json": {"schema": {
                                                            "type": "object"}}}},
                                                **no_query}}},
    }
    on = {"name": "on", "in": "query", "required": False,
          "description": "evaluate as of this date instead of the policy's `as of` input (as `legiste eval --on`)",
          "schema": {"type": "string", "format": "date"}}
    explain = {"name": "explain", "in": "query", "required": False,
               "description": "add the explanation (trace.v1) of every output", "schema": {"type": "boolean"}}
    for pid, policy in policies.items():
        unit = policy.unit
        inputs, outputs = f"{pid}.inputs", f"{pid}.outputs"
        schemas[inputs] = _strip(input_schema(unit))
        schemas[outputs] = _strip(output_schema(unit))
        result = {
            "type": "object", "required": ["policy", "as_of", "outputs"], "additionalProperties": False,
            "properties": {"policy": {"const": pid}, "as_of": {"type": "string", "format": "date"},
                           "outputs": {"$ref": f"#/components/schemas/{outputs}"},
                           "explanation": {"$ref": "#/components/schemas/Explanation"}},
        }
        schemas[f"{pid}.evaluation"] = result
        schemas[f"{pid}.explained"] = {**result, "required": ["policy", "as_of", "outputs", "explanation"]}
        body = {"required": True, "description": f"one case: a JSON object of the inputs of {pid}",
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{inputs}"}}}}
        title = unit.title or pid
        paths[f"/policies/{pid}"] = {"get": {
            "operationId": f"describe:{pid}", "summary": f"{title}: metadata and schemas",
            "responses": {"200": _json("PolicyMetadata", "the policy, its input and output schemas"), **no_query}}}
        paths[f"/policies/{pid}/evaluate"] = {"post": {
            "operationId": f"evaluate:{pid}", "summary": f"{title}: evaluate one case",
            "parameters": [explain, on], "requestBody": body,
            "responses": {"200": _json(f"{pid}.evaluation", "the outputs (and the explanation with ?explain=true)"),
                          **_error_responses(400, 413, 422)}}}
        paths[f"/policies/{pid}/explain"] = {"post": {
            "operationId": f"explain:{pid}", "summary": f"{title}: evaluate one case and explain it",
            "parameters": [on], "requestBody": body,
            "responses": {"200": _json(f"{pid}.explained", "the outputs and their explanation"),
                          **_error_responses(400, 413, 422)}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Légiste policies", "version": service_version,
                 "description": "Evaluate the compiled policies. The body of evaluate and explain is one "
                                "case: the JSON object of the policy's inputs, exactly as `legiste eval "
                                "--input` reads it. Amounts are decimal strings. Refusals are "
                                "{\"errors\": [diagnostic, …]}, with the CLI's diagnostics."},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def serve(service: Service, host: str = "127.0.0.1", port: int = 8000, *, access_log: bool = True,
          log_level: str = "info") -> None:
    """Serve until interrupted, with one uvicorn worker."""
    import uvicorn

    config = uvicorn.Config(service.app, host=host, port=port, workers=1, access_log=access_log,
                            log_level=log_level, lifespan="off", server_header=False)
    uvicorn.Server(config).run()
