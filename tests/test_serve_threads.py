"""Which requests the HTTP service evaluates in its thread pool (issue 10: one request must
not hold up the others) and which on the event loop (a small case: the hop to a thread
costs more than evaluating it). Driven in process through the ASGI interface."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest

from legiste.compiler.faces import serve

ROOT = Path(__file__).resolve().parent.parent
POLICY = "policies/be/brussels/telesecretariat.legis"
CASE = (ROOT / "policies/be/brussels/inputs/solo_gp_2023.json").read_text(encoding="utf-8")


def _post(app: Any, path: str, body: bytes) -> tuple[int, dict]:
    """POST `body` to `path` through the ASGI interface: the status and the JSON answer."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": [(b"content-type", b"application/json"),
                                          (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    sent: list[dict] = []
    requests = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict:
        return requests.pop(0) if requests else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    anyio.run(app, scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, json.loads(b"".join(m.get("body", b"") for m in sent
                                       if m["type"] == "http.response.body"))


@pytest.fixture
def threads_used(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The calls the service hands to anyio's thread pool."""
    calls: list[object] = []
    real = anyio.to_thread.run_sync

    async def counting(function: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(function)
        return await real(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return calls


def test_small_case_is_answered_on_the_event_loop(threads_used: list[object]) -> None:
    app = serve.create_app([ROOT / POLICY])
    status, answer = _post(app, "/policies/be.brussels.telesecretariat/evaluate", CASE.encode())
    assert status == 200 and "outputs" in answer
    assert len(CASE) <= serve.INLINE_BODY and threads_used == []


def test_explanation_and_large_body_go_to_the_thread_pool(threads_used: list[object]) -> None:
    app = serve.create_app([ROOT / POLICY])
    status, answer = _post(app, "/policies/be.brussels.telesecretariat/explain", CASE.encode())
    assert status == 200 and len(threads_used) == 1
    padded = CASE.rstrip().removesuffix("}") + " " * serve.INLINE_BODY + "}"
    status, plain = _post(app, "/policies/be.brussels.telesecretariat/evaluate", padded.encode())
    assert status == 200 and len(threads_used) == 2
    assert plain["outputs"] == answer["outputs"]
