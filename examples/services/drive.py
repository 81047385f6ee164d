"""Drives the three demo services (FastAPI, Express, C) over real loopback HTTP and HTTPS.

    python drive.py [--run-dir DIR] [--services c,python,node] [--prepare]

Creates the run folder (secrets, dev CA and certificates, API key records, the OAuth issuer's
key set: credentials.py), starts each service as a subprocess on free 127.0.0.1 ports (HTTP and
HTTPS with a client-certificate request), waits until each answers (bounded), sends every case
of cases.py to each, and prints one table: a row per case, for each service its status, the
schemes of its WWW-Authenticate challenges and the subject it saw. Exits 1 when the services
disagree on a status, a WWW-Authenticate field, the problem's code or the principal, or when a
status is not the one expected; 2 when a service does not start. Always stops the services.

--prepare writes the run folder, prints how to start one service and a few curl commands, and
exits: for running a service by hand (docs/DEMO.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shlex
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from cases import Case, all_cases  # noqa: E402
from credentials import HOST, Credentials, prepare  # noqa: E402

GATE = HERE / "gate.toml"
STARTUP_SECONDS = 60.0
REQUEST_SECONDS = 10.0


@dataclass
class Service:
    key: str
    title: str
    command: list[str]
    http_port: int = 0
    https_port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None


@dataclass(frozen=True)
class Outcome:
    status: int
    challenges: tuple[str, ...]
    code: str | None
    principal: tuple[object, ...] | None  # (credential, subject, scopes) when allowed

    def cell(self) -> str:
        schemes = ",".join(map(challenge_label, self.challenges)) or "-"
        if self.principal is None:
            subject = "-"
        else:
            subject = str(self.principal[1]) if self.principal[1] is not None else "(anonymous)"
        return f"{self.status} {schemes} {subject}"


def challenge_label(challenge: str) -> str:
    """`Bearer realm="api", error=...` as `Bearer(api)`: the scheme, and the realm when there is one."""
    scheme, _, params = challenge.partition(" ")
    realm = re.search(r'realm="([^"]*)"', params)
    return f"{scheme}({realm.group(1)})" if realm else scheme


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def services(selected: list[str], args: argparse.Namespace) -> list[Service]:
    known = {
        "c": Service("c", "C", [str(args.c_server)]),
        "python": Service("python", "FastAPI", [args.python, str(HERE / "python" / "app.py")]),
        "node": Service("node", "Express", [args.node, str(HERE / "node" / "app.js")]),
    }
    return [known[name] for name in selected]


def service_args(service: Service, run_dir: Path) -> list[str]:
    return [
        "--gate", str(GATE), "--run-dir", str(run_dir),
        "--http", str(service.http_port), "--https", str(service.https_port),
    ]  # fmt: skip


def tls_context(run_dir: Path, client_cert: str | None) -> ssl.SSLContext:
    """Verifies the service against the dev CA; presents a client certificate when asked to."""
    context = ssl.create_default_context(cafile=str(run_dir / "ca.pem"))
    if client_cert is not None:
        context.load_cert_chain(
            str(run_dir / f"client-{client_cert}.pem"), str(run_dir / f"client-{client_cert}-key.pem")
        )
    return context


class LocalhostHTTPS(http.client.HTTPSConnection):
    """Connects to 127.0.0.1 and checks the certificate the dev CA issued for `localhost`."""

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname="localhost")  # type: ignore[attr-defined]


def send(service: Service, case: Case, run_dir: Path) -> Outcome:
    conn: http.client.HTTPConnection
    if case.tls:
        context = tls_context(run_dir, case.client_cert)
        conn = LocalhostHTTPS("127.0.0.1", service.https_port, timeout=REQUEST_SECONDS, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", service.http_port, timeout=REQUEST_SECONDS)
    try:
        conn.putrequest(case.method, case.target, skip_host=True, skip_accept_encoding=True)
        headers = case.headers if any(n.lower() == "host" for n, _ in case.headers) else [("Host", HOST)] + case.headers
        for name, value in headers:
            conn.putheader(name, value)
        if case.body is not None or case.method in ("POST", "PUT", "PATCH"):
            conn.putheader("Content-Length", str(len(case.body or b"")))
        try:
            conn.endheaders(case.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a server may refuse before reading a large body: its answer is still there
        response = conn.getresponse()
        body = response.read()
        challenges = tuple(response.headers.get_all("WWW-Authenticate") or [])
        principal = code = None
        payload = json.loads(body) if body.startswith(b"{") else {}
        if response.status == 200:
            principal = (payload.get("credential"), payload.get("subject"), tuple(payload.get("scopes", [])))
        else:
            code = payload.get("code")
        return Outcome(response.status, challenges, code, principal)
    finally:
        conn.close()


def start(service: Service, run_dir: Path, env: dict[str, str]) -> None:
    service.http_port, service.https_port = free_port(), free_port()
    service.log = run_dir / f"{service.key}.log"
    print(f"== starting {service.title} on http://127.0.0.1:{service.http_port} and "
          f"https://127.0.0.1:{service.https_port}", flush=True)  # fmt: skip
    with open(service.log, "wb") as log:
        service.process = subprocess.Popen(
            service.command + service_args(service, run_dir),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **env}, cwd=ROOT,
        )  # fmt: skip


def wait_ready(service: Service, run_dir: Path) -> None:
    """Polls GET /health over HTTP and a TLS handshake on the HTTPS port, for at most
    STARTUP_SECONDS; fails at once when the process ends."""
    deadline = time.monotonic() + STARTUP_SECONDS
    probe = Case("ready", "GET", "/health", 200)
    while time.monotonic() < deadline:
        assert service.process is not None
        if service.process.poll() is not None:
            raise RuntimeError(f"{service.title} exited with {service.process.returncode}")
        try:
            if send(service, probe, run_dir).status == 200:
                send(service, Case("ready", "GET", "/health", 200, tls=True), run_dir)
                return
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
    raise RuntimeError(f"{service.title} did not answer within {STARTUP_SECONDS:.0f} s")


def stop(service: Service) -> None:
    if service.process is None or service.process.poll() is not None:
        return
    service.process.terminate()
    try:
        service.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        service.process.kill()
        service.process.wait(timeout=10)


def tail(path: Path | None, lines: int = 20) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def report(cases: list[Case], running: list[Service], results: dict[str, list[Outcome]]) -> int:
    """Prints the table; returns the number of rows where the services disagree or a status is
    not the expected one."""
    label_width = max(len(c.label) for c in cases) + 2
    widths = [max(len(s.title), *(len(o.cell()) for o in results[s.key])) + 2 for s in running]
    head = "case".ljust(label_width) + "exp  " + "".join(s.title.ljust(w) for s, w in zip(running, widths))
    print(head + "verdict")
    print("-" * (len(head) + 7))
    failures = 0
    for i, case in enumerate(cases):
        outcomes = [results[s.key][i] for s in running]
        agree = all(o == outcomes[0] for o in outcomes)
        expected = all(o.status == case.expect for o in outcomes)
        verdict = "ok" if agree and expected else ("DIFFER" if not agree else "UNEXPECTED")
        failures += verdict != "ok"
        cells = "".join(o.cell().ljust(w) for o, w in zip(outcomes, widths))
        print(case.label.ljust(label_width) + str(case.expect).ljust(5) + cells + verdict)
        if not agree:
            for service, outcome in zip(running, outcomes):
                print(f"    {service.title}: {outcome}")
    return failures


def print_by_hand(creds: Credentials) -> None:
    run = creds.run_dir
    print(f"run folder: {run} (secrets in {run / 'services.env'}, mode 0600)\n")
    print("start one service, e.g. the C one:")
    print(f"  set -a; . {run / 'services.env'}; set +a")
    print(f"  build/c/services-server --gate {GATE.relative_to(ROOT)} --run-dir {run} --http 8080 --https 8443\n")
    base, tls = "http://127.0.0.1:8080", "https://localhost:8443"
    ca = f"--cacert {run / 'ca.pem'} --resolve localhost:8443:127.0.0.1"
    billing = f"--cert {run / 'client-billing.pem'} --key {run / 'client-billing-key.pem'}"
    commands = [
        f"curl -i {base}/health",
        f"curl -i -H {shlex.quote('Authorization: Bearer ' + creds.api_keys['billing'])} {base}/orders/7",
        f"curl -i -H {shlex.quote('Authorization: Bearer ' + creds.tokens['user'])} {base}/orders/7",
        f"curl -i -H {shlex.quote('Authorization: Bearer ' + creds.oauth['good'])} {base}/items/42",
        f"curl -i -u bob:hunter2 {base}/admin/users",
        f"curl -i {ca} {billing} {tls}/internal/status",
        f"curl -i {base}/orders/7",
    ]
    print("then (tokens valid for an hour):")
    for command in commands:
        print(f"  {command}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", type=Path, default=ROOT / "build" / "demo-services")
    parser.add_argument("--services", default="c,python,node")
    parser.add_argument("--c-server", type=Path, default=ROOT / "build" / "c" / "services-server")
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    parser.add_argument("--node", default="node")
    parser.add_argument("--prepare", action="store_true", help="write the run folder and exit")
    args = parser.parse_args()

    creds = prepare(args.run_dir.resolve())
    if args.prepare:
        print_by_hand(creds)
        return 0
    cases = all_cases(creds)
    running = services([s for s in args.services.split(",") if s], args)
    try:
        for service in running:
            start(service, creds.run_dir, creds.env)
        for service in running:
            wait_ready(service, creds.run_dir)
        results: dict[str, list[Outcome]] = {}
        for service in running:
            print(f"== driving {service.title}: {len(cases)} cases", flush=True)
            results[service.key] = [send(service, case, creds.run_dir) for case in cases]
    except (RuntimeError, OSError, http.client.HTTPException) as error:
        print(f"drive: {error}", file=sys.stderr)
        for service in running:
            if service.log is not None:
                print(f"--- {service.title} log ({service.log}):\n{tail(service.log)}", file=sys.stderr)
        return 2
    finally:
        for service in running:
            stop(service)
    failures = report(cases, running, results)
    names = ", ".join(s.title for s in running)
    if failures:
        print(f"== {failures} of {len(cases)} cases: the services ({names}) disagree or answer unexpectedly")
        return 1
    print(f"== {names}: the same status, WWW-Authenticate, problem code and principal on all {len(cases)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
