"""`legiste serve`, reading a request: its query, its body and the shape of a refusal.

Consumes starlette requests; produces the text of a case for the interpreter's input
validation, or a `Refused` carrying the diagnostics the service answers with. Nothing here
evaluates anything (legiste.compiler.faces.serve does, off the event loop).
"""

from __future__ import annotations

import datetime as dt
import re

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse

from legiste.dsl.diagnostics import Diagnostic, did_you_mean, error

MAX_BODY = 1 << 20  # 1 MiB: a case is a few hundred bytes
REQUEST_FILE = "<request>"  # the file name diagnostics give the request body
REQUEST_TIMEOUT = 10.0  # seconds to send a request's headers, and again its body

# `application/json`, or a JSON media type such as `application/problem+json`, with parameters.
_JSON_TYPE = re.compile(r"\s*application/([a-z0-9.+-]+\+)?json\s*(;.*)?", re.IGNORECASE)
_CHARSET = re.compile(r";\s*charset\s*=\s*\"?([^\";]+)\"?", re.IGNORECASE)


class Refused(Exception):
    """A request the service answers with `status` and these diagnostics."""

    def __init__(self, status: int, diagnostics: list[Diagnostic], headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status, self.diagnostics, self.headers = status, diagnostics, headers


def unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics in order, each once."""
    return list(dict.fromkeys(diagnostics))


def errors(status: int, diagnostics: list[Diagnostic], headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON refusal: {"errors": [diagnostic, …]}."""
    return JSONResponse({"errors": [d.to_json() for d in diagnostics]}, status_code=status, headers=headers)


def query(request: Request, allowed: set[str]) -> dict[str, str]:
    """The query parameters, each at most once and each one the endpoint knows."""
    problems = []
    seen: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key not in allowed:
            hints = did_you_mean(key, allowed) or [("parameters: " + ", ".join(sorted(allowed))) if allowed
                                                   else "this endpoint takes no query parameter"]
            problems.append(error("E703", f"unknown query parameter {key!r}", hints=hints))
        elif key in seen:
            problems.append(error("E703", f"query parameter {key!r} is given twice"))
        seen[key] = value
    if problems:
        raise Refused(400, unique(problems))
    return seen


def flag(name: str, value: str) -> bool:
    """`true` or `false`, exactly: `1`, `yes` or `True` would be a guess at what was meant."""
    if value == "true":
        return True
    if value == "false":
        return False
    raise Refused(400, [error("E703", f"query parameter {name}={value!r} is not true or false",
                              hints=[f"write {name}=true or {name}=false"])])


def date(value: str) -> dt.date:
    """A date written YYYY-MM-DD (fromisoformat alone takes 20240315 and 2024-W11-5 too)."""
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):  # \d would take other scripts' digits
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise Refused(400, [error("E703", f"query parameter on={value!r} is not a date of the calendar "
                                     "written YYYY-MM-DD")])


def check_content_type(request: Request) -> None:
    """A body is JSON in UTF-8 (415 otherwise): a form or a text sent by mistake is named as such,
    not reported as JSON that does not parse."""
    declared = request.headers.get("content-type")
    hint = "send the case with the header Content-Type: application/json"
    if declared is None:
        raise Refused(415, [error("E706", "the request has no Content-Type; the body must be JSON",
                                  hints=[hint])])
    if not _JSON_TYPE.fullmatch(declared):
        raise Refused(415, [error("E706", f"the request body is {declared.strip()!r}, not JSON",
                                  hints=[hint])])
    charset = _CHARSET.search(declared)
    if charset is not None and charset.group(1).strip().lower() not in ("utf-8", "utf8"):
        raise Refused(415, [error("E706", f"the request body is in {charset.group(1).strip()!r}, not UTF-8",
                                  hints=["send the JSON encoded in UTF-8 (Content-Type: application/json)"])])


async def read_body(request: Request, max_body: int = MAX_BODY, timeout: float = REQUEST_TIMEOUT) -> str:
    """The body as text, at most `max_body` bytes kept, all of it within `timeout` seconds (408
    and the connection closed otherwise: a client that sends a byte a minute holds nothing for
    long). A body a little too large is read to its end before the 413 goes (a client still
    sending, e.g. with `Connection: close`, then gets the answer rather than a broken pipe);
    past 8 × `max_body` the connection is closed."""
    drain = 8 * max_body
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > drain:
        raise _too_large(max_body, close=True)
    chunks: list[bytes] = []
    size = 0
    with anyio.move_on_after(timeout) as scope:
        async for chunk in request.stream():
            size += len(chunk)
            if size > drain:
                raise _too_large(max_body, close=True)
            if size <= max_body:
                chunks.append(chunk)
    if scope.cancelled_caught:
        raise Refused(408, [error("E705", f"the request body did not arrive within {timeout:g} s",
                                  hints=["send the whole request at once"])], {"Connection": "close"})
    if size > max_body:
        raise _too_large(max_body, close=False)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, [error("E505", f"the request body is not UTF-8 text (byte {exc.start + 1})",
                                  hints=["send the case as a JSON object encoded in UTF-8"])]) from None


def _too_large(max_body: int, *, close: bool) -> Refused:
    return Refused(413, [error("E701", f"the request body is larger than {max_body} bytes",
                               hints=["a case is one JSON object of a policy's inputs; "
                                      "send one case per request"])],
                   {"Connection": "close"} if close else None)
