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
with the diagnostics the CLI prints: 400 for a body that is not a JSON object (E505, located
at its line and column) or a bad query parameter (E703), 404 for an unknown policy (E700) or
path (E702), 405 for a wrong method (E702), 408 for a request that does not arrive in time
(E705), 413 for a body over 1 MiB (E701), 415 for a body not declared as JSON (E706), 422 for
a case that is read but refused (E500–E506) or cannot be evaluated (E4xx). A 500 (E799)
would be a bug. Below the application, legiste.compiler.faces.http_server answers malformed
HTTP (400, 431: E704) and a connection over the limit (503: E707) in the same shape.

A case is validated and evaluated in a thread of a bounded pool, never on the event loop:
`/health` and the other requests are answered while a large explanation is computed.

This module holds the routes and handlers; reading a request is in `http_request`, the
OpenAPI document in `openapi`, uvicorn's limits in `http_server`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from legiste.compiler.backends.json_schema import input_schema, output_schema
from legiste.compiler.faces.http_request import (MAX_BODY, REQUEST_FILE, REQUEST_TIMEOUT, Refused,
                                                 check_content_type, date, errors, flag, query, read_body,
                                                 unique)
from legiste.compiler.faces.openapi import TRACE_COMPONENTS, openapi
from legiste.compiler.interpreter.cases import Compiled, Evaluable, run_case, validated
from legiste.compiler.interpreter.inputs import parse_json
from legiste.compiler.pipeline import compiled_or_raise
from legiste.compiler.resolution.config import load_config
from legiste.dsl.diagnostics import Diagnostic, DiagnosticError, did_you_mean, error

__all__ = ["MAX_BODY", "REQUEST_FILE", "TRACE_COMPONENTS", "Service", "create_app", "load_policies",
           "openapi", "rule_files"]

log = logging.getLogger("legiste.serve")

Handler = Callable[[Request], Awaitable[Response]]

# ------------------------------------------------------------------ start-up

def rule_files(paths: Iterable[str | Path]) -> list[Path]:
    """The rule files given, and those under the folders given."""
    files: list[Path] = []
    for p in map(Path, paths):
        files += sorted(p.rglob("*.legis")) if p.is_dir() else [p]
    return files


def load_policies(paths: Iterable[str | Path], *,
                  strict: bool = False) -> tuple[dict[str, Compiled], list[Diagnostic]]:
    """Compile every policy under `paths` (modules are skipped) to its IR and evaluator;
    raise DiagnosticError if a file has an error, two files declare the same policy, or
    there is no policy."""
    paths = list(paths)
    policies: dict[str, Compiled] = {}
    files: dict[str, Path] = {}
    problems: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    for file in rule_files(paths):
        try:
            program, found = compiled_or_raise(file, load_config(file, strict=strict))
        except DiagnosticError as exc:
            problems += exc.diagnostics
            continue
        warnings += found
        unit = program.policy
        if unit.kind != "policy":
            continue
        if unit.id in policies:
            problems.append(error("E101", f"policy {unit.id} is declared twice: in {files[unit.id]} "
                                  f"and in {file}", hints=["give each policy its own id"]))
            continue
        policies[unit.id], files[unit.id] = Evaluable.of(program), file
    if not problems and not policies:
        problems.append(error("E601", "no policy to serve under " + ", ".join(map(str, paths)),
                            hints=["give the rule files or folders: legiste serve policies/"]))
    if problems:
        raise DiagnosticError(unique(problems))
    return policies, unique(warnings)


# ------------------------------------------------------------------ the service

def _links(policy_id: str) -> dict[str, str]:
    base = f"/policies/{policy_id}"
    return {"self": base, "evaluate": f"{base}/evaluate", "explain": f"{base}/explain"}


def summary(policy: Compiled) -> dict[str, Any]:
    """A policy's line in `GET /policies`."""
    unit = policy.program.policy
    return {"id": unit.id, "title": unit.title, "authority": unit.authority, "links": _links(unit.id)}


def metadata(policy: Compiled) -> dict[str, Any]:
    """`GET /policies/{id}`: the policy with the JSON Schemas of its inputs and outputs."""
    unit = policy.program.policy
    return {"id": unit.id, "title": unit.title, "authority": unit.authority, "url": unit.url,
            "as_of": unit.as_of, "sources": [{"name": s.name, "url": s.url} for s in unit.sources],
            "inputs": input_schema(unit), "outputs": output_schema(unit), "links": _links(unit.id)}


def _status_of(diagnostics: list[Diagnostic]) -> int:
    """400 when the body could not be read as a JSON object of fields; else 422."""
    return 400 if all(d.code == "E505" for d in diagnostics) else 422


def _guard(handler: Handler) -> Handler:
    """Every refusal as diagnostics; an unexpected exception as a bare 500, never a traceback."""
    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except Refused as exc:
            return errors(exc.status, exc.diagnostics, exc.headers)
        except DiagnosticError as exc:
            if not exc.diagnostics:  # a refusal that says nothing is a bug
                log.error("no diagnostic for a refused request on %s", request.url.path)
                return _internal()
            return errors(_status_of(exc.diagnostics), exc.diagnostics)
        except ClientDisconnect:  # nobody is left to answer
            return Response(status_code=400)
        except Exception:  # noqa: BLE001 — a bug in Légiste; the tests make sure bad input never gets here
            log.exception("internal error on %s %s", request.method, request.url.path)
            return _internal()
    return guarded


def _internal() -> JSONResponse:
    return errors(500, [error("E799", "internal error of the service: the request was not evaluated",
                               hints=["this is a bug in Légiste; please report it with the request"])])


# Bodies up to this many characters, without explanation, are answered on the event loop:
# too small to hold it up (a case of a few fields); larger ones and explanations go to a thread.
INLINE_BODY = 2048

class Service:
    """The ASGI application (`.app`) serving compiled policies."""

    def __init__(self, policies: dict[str, Compiled], *, max_body: int = MAX_BODY, threads: int = 4,
                 request_timeout: float = REQUEST_TIMEOUT):
        self.policies = policies
        self.max_body = max_body
        self.request_timeout = request_timeout
        self.threads = threads
        self._limiter: anyio.CapacityLimiter | None = None  # made in the event loop, at first use
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
    def from_paths(cls, paths: Iterable[str | Path], *, strict: bool = False, **limits: Any) -> "Service":
        """The service of the policies under `paths`, compiled now (`limits`: as `__init__`)."""
        policies, _ = load_policies(paths, strict=strict)
        return cls(policies, **limits)

    # ---------------------------------------------------------------- handlers

    async def health(self, request: Request) -> Response:
        query(request, set())
        return JSONResponse({"status": "ok", "policies": len(self.policies)})

    async def openapi(self, request: Request) -> Response:
        query(request, set())
        return JSONResponse(self._openapi)

    async def listing(self, request: Request) -> Response:
        query(request, set())
        return JSONResponse(self._listing)

    async def describe(self, request: Request) -> Response:
        policy = self._policy(request)
        query(request, set())
        return JSONResponse(self._metadata[policy.program.policy.id])

    async def evaluate(self, request: Request) -> Response:
        return await self._evaluate(request, explain=None)

    async def explain(self, request: Request) -> Response:
        return await self._evaluate(request, explain=True)

    # ---------------------------------------------------------------- helpers

    def _policy(self, request: Request) -> Compiled:
        policy_id = request.path_params["id"]
        policy = self.policies.get(policy_id)
        if policy is None:
            raise Refused(404, [error("E700", f"no policy {policy_id!r} is served here",
                                       hints=did_you_mean(policy_id, self.policies)
                                       or ["policies: " + ", ".join(self.policies)])])
        return policy

    async def _evaluate(self, request: Request, *, explain: bool | None) -> Response:
        policy = self._policy(request)
        given = query(request, {"on"} if explain else {"on", "explain"})
        on = date(given["on"]) if "on" in given else None
        if explain is None:
            explain = flag("explain", given["explain"]) if "explain" in given else False
        check_content_type(request)
        text = await read_body(request, self.max_body, self.request_timeout)
        if not explain and len(text) <= INLINE_BODY:
            # A small case evaluates in microseconds, less than the hop to a thread costs.
            return self._answer(policy, text, on, explain)
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.threads)
        # Validating, evaluating and writing the answer out (the dearest part of a large
        # explanation) happen in a thread: the event loop goes on answering other requests.
        return await anyio.to_thread.run_sync(functools.partial(self._answer, policy, text, on, explain),
                                              limiter=self._limiter)

    @staticmethod
    def _answer(policy: Compiled, text: str, on: Any, explain: bool) -> Response:
        data, unreadable = parse_json(text, REQUEST_FILE)
        if unreadable:
            raise DiagnosticError(unreadable)
        # validated, not validated_json: a body `null` must be refused with E505 like any
        # non-object. Without the text first (locating each field in it is the dearest part of
        # a request); a refused case is validated again with it, for diagnostics located as
        # the CLI's.
        unit = policy.program.policy
        try:
            values = validated(unit, data, file=REQUEST_FILE)
        except DiagnosticError:
            values = validated(unit, data, file=REQUEST_FILE, text=text)
        return JSONResponse(run_case(policy.evaluator, values, on=on, explain_it=explain).to_json())


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such path, wrong method) as diagnostics."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return errors(405, [error("E702", f"{request.method} is not allowed on {request.url.path}",
                                   hints=[f"allowed: {allowed}"] if allowed else [])], dict(exc.headers or {}))
    if exc.status_code == 404:
        return errors(404, [error("E702", f"no endpoint {request.url.path}",
                                   hints=["endpoints: /health, /policies, /policies/{id}, "
                                          "/policies/{id}/evaluate, /policies/{id}/explain, /openapi.json"])])
    return errors(exc.status_code, [error("E702", str(exc.detail))], dict(exc.headers or {}))


async def _last_resort(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s: %r", request.method, request.url.path, exc)
    return _internal()


def create_app(paths: Iterable[str | Path] = ("policies",), *, strict: bool = False) -> Starlette:
    """The ASGI application of the policies under `paths` (compiled now, once)."""
    return Service.from_paths(paths, strict=strict).app


