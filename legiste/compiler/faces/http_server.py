"""`legiste serve`, running: uvicorn with its limits, and the refusals made below the application.

Consumes the ASGI application of legiste.compiler.faces.serve. uvicorn has no deadline
for a request's headers (a client may send one byte a minute and hold a connection for
ever) and answers a malformed request, or one over its concurrency limit, in plain text.
`LimitedH11Protocol` is uvicorn's HTTP/1.1 protocol with both fixed: a request's headers
must arrive within `request_timeout` seconds of the connection being ready for it (408,
then the connection is closed), a connection over `max_connections` is refused at once
(503), and every refusal is `{"errors": [diagnostic]}` like the application's.

With `workers` > 1, uvicorn starts that many processes, each of which compiles the
policies again from the options it finds in the environment (`worker_app`).
"""

from __future__ import annotations

import asyncio
import functools
import http
import json
import os
import sys
from typing import Any

from attrs import asdict, frozen
from uvicorn.protocols.http.h11_impl import H11Protocol, h11  # h11: what uvicorn parses with

from legiste.compiler.faces.http_request import REQUEST_TIMEOUT
from legiste.dsl.diagnostics import Diagnostic, error

OPTIONS_VARIABLE = "LEGISTE_SERVE_OPTIONS"  # how the options reach uvicorn's worker processes


@frozen
class ServerOptions:
    """What `legiste serve` was asked to serve, and its limits."""

    paths: tuple[str, ...] = ("policies",)
    strict: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    threads: int = 4  # evaluations at once in a worker; more would only wait for the GIL
    request_timeout: float = REQUEST_TIMEOUT  # seconds for the headers, and again for the body
    keep_alive: int = 5  # seconds an idle connection is kept
    max_connections: int = 1000  # open connections per worker; beyond, a 503 at once
    max_header: int = 16 * 1024  # bytes of request line and headers; beyond, a 431
    access_log: bool = True
    log_level: str = "info"

    def to_environment(self) -> str:
        """The options as JSON, for the environment of the worker processes."""
        return json.dumps(asdict(self))

    @classmethod
    def from_environment(cls, raw: str | None) -> "ServerOptions":
        """The options the serving process put in the environment (`raw`; defaults without)."""
        if not raw:
            return cls()
        data = json.loads(raw)
        data["paths"] = tuple(data["paths"])
        return cls(**data)


@functools.lru_cache(maxsize=4)
def _options(raw: str | None) -> ServerOptions:
    return ServerOptions.from_environment(raw)


def _raw_refusal(status: int, diagnostic: Diagnostic) -> bytes:
    """A whole HTTP/1.1 response that closes the connection: written by hand, because h11
    cannot answer a request whose headers it has not read."""
    body = json.dumps({"errors": [diagnostic.to_json()]}, ensure_ascii=False).encode("utf-8")
    head = (f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n")
    return head.encode("ascii") + body


class LimitedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request's headers and JSON refusals."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request_timeout = _options(os.environ.get(OPTIONS_VARIABLE)).request_timeout
        self._deadline: asyncio.TimerHandle | None = None
        self._head_size, self._tail = 0, b""  # of the next request's line and headers, so far

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        limit = self.limit_concurrency
        # uvicorn itself would answer the next request 503 in plain text once this many
        # connections are open; refusing the connection here keeps it from ever doing so.
        if limit is not None and len(self.connections) >= limit:
            self.connections.discard(self)
            self._refuse(503, error("E707", f"the service has {limit} connections open and takes no more",
                                    hints=["retry in a moment"]))
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        if not self._in_application() and self._head_too_long(data):
            self._refuse(431, self._head_diagnostic())
            return
        super().data_received(data)
        if self._in_application():
            self._disarm()  # the headers are in; the application bounds the body's time
            self._head_size, self._tail = 0, b""

    def _head_diagnostic(self) -> Diagnostic:
        return error("E704", f"the request line and headers are longer than {self._head_limit()} bytes",
                     hints=["send the case in the body, not in the headers or the URL"])

    def _head_limit(self) -> int:
        return self.config.h11_max_incomplete_event_size or 16 * 1024

    def _head_too_long(self, data: bytes) -> bool:
        """Whether the request line and headers (up to the blank line) exceed the limit: h11
        only bounds what it has not parsed yet, and parses 64 KiB of headers read at once."""
        limit = self._head_limit()
        window = self._tail + data
        end = window.find(b"\r\n\r\n")
        if end < 0:
            self._head_size += len(data)
            self._tail = window[-3:]
            return self._head_size > limit
        size = self._head_size + end - len(self._tail) + 4
        self._head_size, self._tail = 0, b""
        return size > limit

    def on_response_complete(self) -> None:
        self._head_size, self._tail = 0, b""
        super().on_response_complete()
        if not self.transport.is_closing() and not self._in_application():
            self._arm()  # the next request's headers have their own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        # Called by uvicorn while it handles h11's RemoteProtocolError: the exception says why.
        problem = sys.exc_info()[1]
        status = getattr(problem, "error_status_hint", 400)
        if status == 431:
            diagnostic = self._head_diagnostic()
        else:
            status = status if 400 <= status < 500 else 400
            why = f": {problem}" if problem is not None and str(problem) else ""
            diagnostic = error("E704", f"the request is not valid HTTP/1.1{why}",
                               hints=["see GET /openapi.json for the requests the service takes"])
        self._refuse(status, diagnostic)

    # -------------------------------------------------------------- the deadline

    def _in_application(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or self._in_application():
            return
        if self.conn.their_state is not h11.IDLE:  # a body nobody reads, still trickling in
            self.transport.close()
            return
        self._refuse(408, error("E705", f"the request's headers did not arrive within {self.request_timeout:g} s",
                                hints=["send the whole request at once"]))

    def _refuse(self, status: int, diagnostic: Diagnostic) -> None:
        self._disarm()
        self.transport.write(_raw_refusal(status, diagnostic))
        self.transport.close()


def serve(app: Any, options: ServerOptions) -> None:
    """Serve until interrupted: `app` itself with one worker, else `options.workers` processes
    that each build theirs (`worker_app`) from the options, passed in the environment."""
    import uvicorn

    os.environ[OPTIONS_VARIABLE] = options.to_environment()
    uvicorn.run(app if options.workers == 1 else f"{__name__}:worker_app", factory=options.workers > 1,
                host=options.host, port=options.port, workers=options.workers, http=LimitedH11Protocol,
                access_log=options.access_log, log_level=options.log_level, lifespan="off",
                server_header=False, timeout_keep_alive=options.keep_alive,
                limit_concurrency=options.max_connections, h11_max_incomplete_event_size=options.max_header)


def worker_app() -> Any:
    """The application of one of uvicorn's worker processes (an import-string factory)."""
    from legiste.compiler.faces.serve import Service

    options = ServerOptions.from_environment(os.environ.get(OPTIONS_VARIABLE))
    return Service.from_paths(options.paths, strict=options.strict, threads=options.threads,
                              request_timeout=options.request_timeout).app
