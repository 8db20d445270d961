"""Benchmark: `legiste serve` on loopback, one uvicorn worker, single evaluations.

    python bench/http_bench.py                      # 2,000 requests (after 200 to warm up)
    python bench/http_bench.py --requests 5000 --explain

Starts `legiste serve` with the tele-secretariat policy (policies/be/brussels/
telesecretariat.legis) on a free loopback port, waits for /health, then sends
`POST /policies/be.brussels.telesecretariat/evaluate` one after the other over a single
keep-alive `http.client` connection, each with a case whose costs vary (seeded), and
checks every answer: status 200 and the intervention the rule gives (half the costs,
rounded down to the cent, at most the 2023 ceiling). Prints requests/s and the
p50/p99/max latency seen by the client (request sent → answer read), then stops the
server. Bounded in count (--requests) and in time (--max-seconds): whichever comes first.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
POLICY = "policies/be/brussels/telesecretariat.legis"
POLICY_ID = "be.brussels.telesecretariat"
SOLO = REPO_ROOT / "policies" / "be" / "brussels" / "inputs" / "solo_gp_2023.json"
CEILING_2023 = Decimal("4555.10")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.Popen([sys.executable, "-c", "from legiste.compiler.faces.cli import run; run()", "serve", POLICY,
                             "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
                            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_health(port: int, server: subprocess.Popen[bytes], deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if server.poll() is not None:
            raise SystemExit(f"legiste serve exited: {server.stderr.read().decode() if server.stderr else ''}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"legiste serve did not answer /health in {deadline} s")


def cases(n: int, seed: int) -> list[tuple[bytes, str]]:
    """(body, expected intervention) for n cases of an eligible solo GP, costs varying."""
    base = json.loads(SOLO.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        costs = Decimal(rng.randrange(0, 1_500_000)) / 100
        half = (costs / 2).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
        body = json.dumps(dict(base, costs_paid=str(costs))).encode()
        out.append((body, str(min(half, CEILING_2023).quantize(Decimal("0.01")))))
    return out


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def run(port: int, work: list[tuple[bytes, str]], explain: bool, max_seconds: float) -> tuple[list[float], float]:
    path = f"/policies/{POLICY_ID}/evaluate" + ("?explain=true" if explain else "")
    headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies: list[float] = []
    started = time.perf_counter()
    try:
        for body, expected in work:
            t0 = time.perf_counter()
            connection.request("POST", path, body=body, headers=headers)
            answer = connection.getresponse()
            raw = answer.read()
            latencies.append(time.perf_counter() - t0)
            if answer.status != 200:
                raise SystemExit(f"HTTP {answer.status}: {raw[:300]!r}")
            got = json.loads(raw)["outputs"]["intervention"]
            if got != expected:
                raise SystemExit(f"wrong intervention: {got} instead of {expected}")
            if t0 - started > max_seconds:
                break
    finally:
        connection.close()
    return latencies, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="timed requests (default 2,000)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests first (default 200)")
    parser.add_argument("--max-seconds", type=float, default=60, help="stop timing after this long (default 60)")
    parser.add_argument("--explain", action="store_true", help="ask for the explanation too")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    port = free_port()
    server = start(port)
    try:
        wait_for_health(port, server)
        work = cases(args.warmup + args.requests, args.seed)
        run(port, work[:args.warmup], args.explain, args.max_seconds)
        latencies, elapsed = run(port, work[args.warmup:], args.explain, args.max_seconds)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)

    ordered = sorted(latencies)
    ms = 1000
    print(f"legiste serve, 1 uvicorn worker, loopback, keep-alive, {len(latencies):,} sequential "
          f"evaluations{' with explanation' if args.explain else ''} of {POLICY_ID} "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    print(f"  {len(latencies) / elapsed:,.0f} requests/s; latency p50 {percentile(ordered, 50) * ms:.2f} ms, "
          f"p99 {percentile(ordered, 99) * ms:.2f} ms, max {ordered[-1] * ms:.2f} ms, "
          f"mean {statistics.fmean(ordered) * ms:.2f} ms")


if __name__ == "__main__":
    main()
