"""`legiste serve`, describing itself: the OpenAPI 3.1 document of the service.

Consumes the served policies' IR (their input and output JSON Schemas come from
legiste.compiler.backends.json_schema); produces one document, computed once at start-up.
"""

from __future__ import annotations

from typing import Any

from legiste.compiler.interpreter.cases import Compiled
from legiste.compiler.backends.json_schema import input_schema, output_schema

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
                              "otherwise", "element", "field"]},
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
             404: "no such policy (E700)",
             408: "the request did not arrive in time; the connection is closed (E705)",
             413: "the body is larger than 1 MiB (E701)",
             415: "the body is not declared as JSON in UTF-8 (E706)",
             422: "the case is refused (E500–E506) or cannot be evaluated (E4xx)"}
    return {str(s): {"description": words[s],
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}
            for s in statuses}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _strip(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != "$schema"}


def openapi(policies: dict[str, Compiled]) -> dict[str, Any]:
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
        unit = policy.program.policy
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
                          **_error_responses(400, 408, 413, 415, 422)}}}
        paths[f"/policies/{pid}/explain"] = {"post": {
            "operationId": f"explain:{pid}", "summary": f"{title}: evaluate one case and explain it",
            "parameters": [on], "requestBody": body,
            "responses": {"200": _json(f"{pid}.explained", "the outputs and their explanation"),
                          **_error_responses(400, 408, 413, 415, 422)}}}
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


