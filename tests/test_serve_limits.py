"""`legiste serve` under abuse (issue 10, "Service and process robustness"): half-sent and
slow requests, malformed HTTP, bodies that are not JSON, and one large request beside
small ones. A real server on a free loopback port, spoken to over raw sockets.

Every socket has a timeout and every loop a bound; servers are stopped whatever happens.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_serve import POLICY_ID, REPO_ROOT, Server, codes, request, solo

TIMEOUT = 30  # seconds, for any one socket operation
REQUEST_TIMEOUT = 2  # the served `--request-timeout`: short, so that the tests wait little
EVALUATE = f"/policies/{POLICY_ID}/evaluate"
PRIME = "policies/be/inami/integrated_practice_prime.legis"
PRIME_CASE = REPO_ROOT / "policies" / "be" / "inami" / "inputs" / "ppi_2021_ffs.json"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server("--request-timeout", str(REQUEST_TIMEOUT))
    try:
        running.wait()
        yield running
    finally:
        running.stop()


def connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)


def read_answer(sock: socket.socket, data: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one response (`data`: its first bytes, already read), read
    to the end of its Content-Length."""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed without an answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed in the middle of the body"
        body += chunk
    return status, headers, body[:length]


def closed(sock: socket.socket) -> bool:
    """Whether the server closed the connection (what it still sends is read and dropped)."""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def exchange(server: Server, raw: bytes) -> tuple[int, dict[str, str], Any]:
    """Send raw bytes, read the answer: (status, headers, parsed JSON body)."""
    with connect(server) as sock:
        sock.sendall(raw)
        status, headers, body = read_answer(sock)
    assert headers.get("content-type", "").startswith("application/json"), (status, headers, body[:200])
    return status, headers, json.loads(body)


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


# ------------------------------------------------------------------ timeouts


def test_half_sent_requests_are_cut_with_408_and_do_not_pile_up(server: Server) -> None:
    """1,200 requests whose headers never end: each is answered 408 (E705) once the request
    timeout has passed, or 503 (E707) at once beyond the connections a worker keeps, and
    closed; the server's open files come back to what they were."""
    before = open_fds(server.process.pid)
    sockets = []
    try:
        for _ in range(1200):
            sock = connect(server)
            sock.sendall(f"POST {EVALUATE} HTTP/1.1\r\nHost: x\r\nContent-Type: appl".encode())
            sockets.append(sock)
        answers = []
        for sock in sockets:
            status, headers, body = read_answer(sock)
            answers.append((status, codes(json.loads(body))))
            assert headers["connection"] == "close"
            assert closed(sock)
    finally:
        for sock in sockets:
            sock.close()
    assert {status for status, _ in answers} <= {408, 503}
    assert ["E705"] in [c for _, c in answers]
    for status, found in answers:
        assert found == (["E705"] if status == 408 else ["E707"])
    assert request(server, "GET", "/health")[0] == 200
    deadline = time.monotonic() + TIMEOUT
    while open_fds(server.process.pid) > before + 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert open_fds(server.process.pid) <= before + 5


def test_headers_sent_a_byte_at_a_time_are_cut_too(server: Server) -> None:
    """Activity does not extend the deadline: the headers must all arrive in time."""
    started = time.monotonic()
    with connect(server) as sock:
        text = f"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: {'a' * 200}"
        for byte in text.encode():
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.05)  # 200+ bytes at 20 a second: well past the request timeout
            if time.monotonic() - started > 4 * REQUEST_TIMEOUT:
                break
        status, _, body = read_answer(sock)
        assert status == 408 and codes(json.loads(body)) == ["E705"]
        assert closed(sock)


def test_a_body_that_stops_coming_is_408(server: Server) -> None:
    with connect(server) as sock:
        sock.sendall(f"POST {EVALUATE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 100\r\n\r\n{\"request_date\": ".encode())
        status, headers, body = read_answer(sock)
        assert status == 408 and codes(json.loads(body)) == ["E705"]
        assert headers["connection"] == "close"
        assert closed(sock)


def test_an_idle_kept_alive_connection_is_closed(server: Server) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_answer(sock)[0] == 200
        assert closed(sock)  # after the keep-alive (5 s) or the request timeout


# ------------------------------------------------------------------ one request does not block the others


def test_health_answers_while_a_large_explanation_runs(server: Server) -> None:
    """A 1 MB explain request (a group practice of 780 GPs in each e-service) takes the
    service a while (validating it, explaining it, writing 19 MB of JSON); `/health`, asked
    once it is sent, is answered before the explanation starts to come back."""
    case = json.loads(PRIME_CASE.read_text(encoding="utf-8"))
    gp = {"score": "12", "accredited_all_year": True, "active_all_year": True, "single_group": True,
          "registration_date": "2022-02-15"}
    for service in case["e_services"]:
        service["own_score"], service["group"] = "0", [gp] * 780
    body = json.dumps(case).encode()
    assert len(body) < 1 << 20
    order: list[str] = []
    sent = threading.Event()
    answers: list[Any] = []

    def large() -> None:
        with connect(server) as sock:
            sock.sendall(f"POST /policies/be.inami.integrated_practice_prime/explain HTTP/1.1\r\nHost: x\r\n"
                         f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
            sent.set()
            first = sock.recv(1)  # the answer starts once it is computed and written out
            order.append("explain")
            answers.append(read_answer(sock, first)[0])

    thread = threading.Thread(target=large)
    thread.start()
    try:
        assert sent.wait(TIMEOUT)
        time.sleep(0.2)  # let the service start on it
        assert request(server, "GET", "/health")[0] == 200
        order.append("health")
    finally:
        thread.join(4 * TIMEOUT)
    assert answers == [200]
    assert order == ["health", "explain"]


# ------------------------------------------------------------------ refusals in JSON


@pytest.mark.parametrize("raw,status", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /health HTTP/1.1\r\n\r\n", 400),                                           # no Host
    (b"GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400),
    (f"POST {EVALUATE} HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n".encode(), 400),
    (f"POST {EVALUATE} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n".encode(), 400),
    (f"POST {EVALUATE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
     "\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".encode(), 400),                              # a chunk size not in hex
    (b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431),
    (b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 431),
])
def test_malformed_http_is_refused_in_json(server: Server, raw: bytes, status: int) -> None:
    got, headers, answer = exchange(server, raw)
    assert got == status and codes(answer) == ["E704"], answer
    assert headers["connection"] == "close"
    assert request(server, "GET", "/health")[0] == 200


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/jsonx",
                                          "application/json; charset=latin-1"])
def test_a_body_not_declared_as_json_is_415(server: Server, content_type: str | None) -> None:
    body = json.dumps(solo()).encode()
    header = f"Content-Type: {content_type}\r\n" if content_type is not None else ""
    status, _, answer = exchange(server, f"POST {EVALUATE} HTTP/1.1\r\nHost: x\r\n{header}"
                                         f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    assert status == 415 and codes(answer) == ["E706"], answer


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON;charset=UTF-8", "application/merge-patch+json"])
def test_json_media_types_are_read(server: Server, content_type: str) -> None:
    body = json.dumps(solo()).encode()
    status, _, answer = exchange(server, f"POST {EVALUATE} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}"
                                         f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    assert status == 200 and answer["outputs"]["intervention"] == "3700.00"


def test_malformed_json_is_400_at_its_line_and_column(server: Server) -> None:
    status, answer = request(server, "POST", EVALUATE, '{\n  "request_date": ,\n}')
    assert status == 400 and codes(answer) == ["E505"]
    location = answer["errors"][0]["location"]
    assert (location["file"], location["line"], location["column"]) == ("<request>", 2, 19)


@pytest.mark.parametrize("value", ["1", "0", "True", "FALSE", "yes", "%20true", ""])
def test_explain_takes_true_or_false_only(server: Server, value: str) -> None:
    status, answer = request(server, "POST", f"{EVALUATE}?explain={value}", solo())
    assert status == 400 and codes(answer) == ["E703"]
    assert "write explain=true or explain=false" in answer["errors"][0]["hints"]


def test_explain_false_and_true(server: Server) -> None:
    assert "explanation" not in request(server, "POST", f"{EVALUATE}?explain=false", solo())[1]
    assert "explanation" in request(server, "POST", f"{EVALUATE}?explain=true", solo())[1]


def test_unknown_paths_and_methods_are_json(server: Server) -> None:
    for method, path, status in [("GET", "/", 404), ("DELETE", "/health", 405), ("PUT", EVALUATE, 405),
                                 ("GET", "/policies/x/y/z", 404), ("POST", "/openapi.json", 405)]:
        got, _, answer = exchange(server, f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                                  .encode())
        assert got == status and codes(answer) == ["E702"], (method, path, answer)


# ------------------------------------------------------------------ workers


def test_workers_serve_the_same_answers(tmp_path: Path) -> None:
    running = Server("--workers", "2")
    try:
        running.wait()
        single = request(running, "POST", f"/policies/{POLICY_ID}/explain", solo())
        assert single[0] == 200 and single[1]["outputs"]["intervention"] == "3700.00"
        for _ in range(6):  # spread over both workers
            assert request(running, "POST", f"/policies/{POLICY_ID}/explain", solo()) == single
        assert request(running, "POST", f"{EVALUATE}?explain=1", solo())[0] == 400
        assert "Traceback" not in running.output()
    finally:
        running.stop()
