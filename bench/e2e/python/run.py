"""End-to-end requests per second of a small JSON route behind an `Authorization: Bearer` JWT
(HS256) check, on 127.0.0.1: FastAPI (uvicorn, one worker) and Flask (werkzeug, threaded), each
with (a) no authentication, (b) the usual PyJWT dependency or decorator, (c) portcullis
(portcullis.fastapi.GateAuth, portcullis.flask.GateAuth).

    .venv/bin/python bench/e2e/python/run.py [--requests N] [--rounds R] [--warmup W]

Every server runs in its own process (apps.py), started once. This process is the load
generator: two keep-alive connections, each a thread sending one request and reading its whole
response before the next (raw sockets, a prepared request: the generator costs little per
request). werkzeug closes every connection after its response (its server has no keep-alive,
nor has gunicorn's sync worker), so for Flask each request opens a new one, in all variants. Each round measures every variant once, in a shuffled order, with a fixed number of
requests after a warm-up. Prints a markdown table: req/s (the median round), the latency each
authentication adds per request (1/rps_x - 1/rps_none, within each round; the median of the
rounds and its interquartile range), the same comparison in the server process's CPU time per
request (read from /proc; steadier on a shared machine), and the ratio of portcullis's added
latency to PyJWT's in both (the target is <= 1/3). A context row gives FastAPI's own cost of one (empty) dependency.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Optional

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from apps import AUDIENCE, JWT_SECRET  # noqa: E402

FRAMEWORKS = ("fastapi", "flask")
VARIANTS = ("none", "pyjwt", "portcullis")
# Context rows, not in the ratio: FastAPI with one dependency that does nothing.
EXTRA = {"fastapi": ("empty-dependency",), "flask": ()}
LABELS = {"none": "none", "pyjwt": "PyJWT", "portcullis": "portcullis", "empty-dependency": "(an empty dependency)"}
CONNECTIONS = 2


def bearer_token() -> str:
    import portcullis

    key = portcullis.JwtKey.from_secret(JWT_SECRET.encode(), "HS256")
    claims = {"sub": "bench-user", "aud": AUDIENCE, "exp": int(time.time()) + 86400, "scope": "items:read"}
    return portcullis.jwt_encode(claims, key)


class Server:
    """One apps.py process; its port is the first line it prints."""

    def __init__(self, framework: str, variant: str) -> None:
        self.name = f"{framework}/{variant}"
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "apps.py"), framework, variant],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise SystemExit(f"{self.name}: the server did not start")
        self.port = int(line)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used (every thread of it), from
        /proc: what a request costs the server, whatever else the machine runs meanwhile."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _read_response(sock: socket.socket, pending: bytearray) -> tuple[int, bool]:
    """Reads one HTTP/1.1 response (Content-Length framed); returns its status and whether the
    server closes the connection after it. Leftover bytes stay in `pending`."""
    while b"\r\n\r\n" not in pending:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        pending += chunk
    head, _, _ = bytes(pending).partition(b"\r\n\r\n")
    header_end = len(head) + 4
    length = 0
    closes = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            closes = value.strip().lower() == b"close"
    while len(pending) < header_end + length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        pending += chunk
    status = int(head.split(b" ", 2)[1])
    del pending[: header_end + length]
    return status, closes


def load(port: int, request: bytes, count: int) -> float:
    """Sends `count` requests over CONNECTIONS keep-alive connections; returns requests/s."""
    per_connection = [count // CONNECTIONS + (1 if i < count % CONNECTIONS else 0) for i in range(CONNECTIONS)]
    failures: list[str] = []
    barrier = threading.Barrier(CONNECTIONS + 1)

    def connect() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def run(n: int) -> None:
        sock = None
        try:
            sock = connect()
            pending = bytearray()
            barrier.wait(timeout=30)
            for _ in range(n):
                sock.sendall(request)
                status, closes = _read_response(sock, pending)
                if status != 200:
                    failures.append(f"status {status}")
                    return
                if closes:  # werkzeug closes every connection: a new one, as a client would
                    sock.close()
                    sock, pending = connect(), bytearray()
        except Exception as error:  # reported below, the run fails
            failures.append(repr(error))
            barrier.abort()
        finally:
            if sock is not None:
                sock.close()

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in per_connection]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=30)
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    elapsed = time.perf_counter() - started
    if failures or any(thread.is_alive() for thread in threads):
        raise SystemExit(f"load on port {port} failed: {failures[:3]}")
    return count / elapsed


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def _added(runs: dict[str, list[float]], variant: str) -> tuple[float, float, float]:
    """Microseconds per request over the baseline, round by round (quartiles)."""
    return _quartiles([(x - none) * 1e6 for x, none in zip(runs[variant], runs["none"])])


def table(seconds: dict[str, list[float]], cpu: dict[str, list[float]], requests: int, rounds: int) -> str:
    """Per variant and round: wall seconds per request (1/req/s, two connections) and server
    CPU seconds per request. req/s is the median round. Each added latency is taken round by
    round against the same round's run without authentication (the rounds interleave the
    variants, so a slower stretch of the machine shows in both) and reported as the median of
    the rounds with its interquartile range. The wall-clock figure is the one asked for; the
    server's CPU time per request is the same comparison, much less disturbed by other work on
    a shared machine."""
    lines = [
        f"End-to-end, 127.0.0.1, {CONNECTIONS} connections (keep-alive where the server keeps "
        f"them: uvicorn; werkzeug closes each), {requests} requests x {rounds} interleaved rounds "
        "per variant; GET /items/{id} with `Authorization: Bearer` (JWT HS256).",
        "",
        "| framework | authentication | req/s (median) | added per request: wall (median [IQR]) "
        "| server CPU per request | added: server CPU (median [IQR]) | portcullis / PyJWT: wall, CPU |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for framework in FRAMEWORKS:
        variants = VARIANTS + EXTRA[framework]
        wall = {v: seconds[f"{framework}/{v}"] for v in variants}
        used = {v: cpu[f"{framework}/{v}"] for v in variants}
        added_wall = {v: _added(wall, v) for v in variants}
        added_cpu = {v: _added(used, v) for v in variants}
        for variant in variants:
            rps = 1 / statistics.median(wall[variant])
            cpu_us = statistics.median(used[variant]) * 1e6
            extra_wall = extra_cpu = ratio = ""
            if variant != "none":
                q1, median, q3 = added_wall[variant]
                extra_wall = f"{median:.1f} µs [{q1:.1f}, {q3:.1f}]"
                q1, median, q3 = added_cpu[variant]
                extra_cpu = f"{median:.1f} µs [{q1:.1f}, {q3:.1f}]"
            if variant == "portcullis":
                ratios = [
                    f"{added[variant][1] / added['pyjwt'][1]:.2f}" if added["pyjwt"][1] > 0 else "n/a"
                    for added in (added_wall, added_cpu)
                ]
                ratio = ", ".join(ratios)
            lines.append(
                f"| {framework} | {LABELS[variant]} | {rps:,.0f} | {extra_wall} | {cpu_us:.0f} µs | {extra_cpu} | {ratio} |"
            )
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per variant per round")
    # Many short rounds: each is compared with its own baseline, which cancels the machine's drift.
    parser.add_argument("--rounds", type=int, default=40, help="interleaved rounds")
    parser.add_argument("--warmup", type=int, default=1000, help="requests per variant before the rounds")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", "1")))
    args = parser.parse_args(argv)

    token = bearer_token()
    request = (
        "GET /items/42 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    ).encode()
    servers: dict[str, Server] = {}
    try:
        for framework in FRAMEWORKS:
            for variant in VARIANTS + EXTRA[framework]:
                server = Server(framework, variant)
                servers[server.name] = server
        for server in servers.values():
            load(server.port, request, args.warmup)
        # Per round: wall seconds per request and server CPU seconds per request.
        seconds: dict[str, list[float]] = {name: [] for name in servers}
        cpu: dict[str, list[float]] = {name: [] for name in servers}
        order = list(servers)
        shuffle = random.Random(args.seed)
        for round_number in range(args.rounds):
            shuffle.shuffle(order)
            for name in order:
                server = servers[name]
                used = server.cpu_seconds()
                seconds[name].append(1 / load(server.port, request, args.requests))
                cpu[name].append((server.cpu_seconds() - used) / args.requests)
            print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    finally:
        for server in servers.values():
            server.stop()
    print(table(seconds, cpu, args.requests, args.rounds))


if __name__ == "__main__":
    main()
