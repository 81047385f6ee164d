"""portcullis.wsgi: GateMiddleware around a plain WSGI application, through werkzeug's test
client and over real loopback HTTP (werkzeug's server), HTTPS with a client certificate
included."""

from __future__ import annotations

import hashlib
import io
import json
import pathlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from werkzeug.test import Client, TestResponse

import portcullis
from adapter_common import (
    bearer,
    challenges,
    make_gate,
    pcs1_headers,
    tls_files,
    webhook_headers,
    werkzeug_server,
)
from portcullis.wsgi import GateMiddleware, decision_of, status_line

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


def echo(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """Answers with what the gate decided and the hash of the body it reads itself."""
    decision = decision_of(environ)
    assert decision is not None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    principal = decision.principal
    payload = json.dumps(
        {
            "route": decision.route,
            "subject": principal.subject if principal else None,
            "sha256": hashlib.sha256(body).hexdigest() if body else None,
        }
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


@pytest.fixture
def gate() -> portcullis.Gate:
    return make_gate()


@pytest.fixture
def client(gate: portcullis.Gate) -> Client:
    return Client(GateMiddleware(echo, gate, max_body_bytes=1024))


def assert_problem(response: TestResponse | httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = json.loads(response.text)
    assert (problem["status"], problem["code"]) == (status, code)
    assert response.headers["content-length"] == str(len(response.content if isinstance(response, httpx.Response) else response.data))


def test_allowed_and_refused(client: Client) -> None:
    assert client.get("/orders/7", headers=bearer()).json == {"route": "orders", "subject": "alice", "sha256": None}
    assert client.get("/health").json == {"route": "health", "subject": None, "sha256": None}
    missing = client.get("/orders/7")
    assert_problem(missing, 401, "credentials_missing")
    assert challenges(missing.headers) == ['Bearer realm="api"']
    assert_problem(client.get("/orders/7", headers={"Authorization": "Bearer x.y.z"}), 401, "jwt_malformed")
    assert_problem(client.get("/orders/7", headers=bearer(scope="x")), 403, "scope_insufficient")
    assert_problem(client.get("/nowhere", headers=bearer()), 403, "route_unmatched")
    headers = bearer(sub="limited-wsgi")
    assert [client.get("/limited", headers=headers).status_code for _ in range(2)] == [200, 200]
    limited = client.get("/limited", headers=headers)
    assert_problem(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) > 0


def test_middleware_scopes_are_required_by_the_gate(gate: portcullis.Gate) -> None:
    client = Client(GateMiddleware(echo, gate, scopes=["orders:write"]))
    refused = client.get("/orders/7", headers=bearer(scope="orders:read"))
    assert_problem(refused, 403, "scope_insufficient")
    assert "orders:write" in challenges(refused.headers)[0]
    assert client.get("/orders/7", headers=bearer(scope="orders:read orders:write")).status_code == 200


def test_the_body_is_checked_and_reinjected(client: Client) -> None:
    body = b'{"type":  "invoice.paid"}'
    response = client.post("/hooks", data=body, headers=webhook_headers(body, "msg_wsgi_1"))
    assert response.status_code == 200, response.text
    assert response.json == {"route": "hooks", "subject": "billing", "sha256": hashlib.sha256(body).hexdigest()}
    signed = client.post("/signed", data=body, headers=pcs1_headers("localhost", body))
    assert signed.json is not None and signed.json["subject"] == "svc-orders"


def test_a_body_over_the_limit_is_413(client: Client) -> None:
    assert client.post("/upload", data=b"x" * 1024, headers=bearer()).status_code == 200
    assert_problem(client.post("/upload", data=b"x" * 1025, headers=bearer()), 413, "input_too_large")


def test_a_terminated_chunked_body_is_bounded_and_reinjected(gate: portcullis.Gate) -> None:
    middleware = GateMiddleware(echo, gate, max_body_bytes=1024)
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        statuses.append(status)

    def environ(body: bytes) -> dict[str, Any]:
        return {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/upload",
            "QUERY_STRING": "",
            "HTTP_AUTHORIZATION": bearer()["Authorization"],
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
            "wsgi.url_scheme": "http",
            "REMOTE_ADDR": "127.0.0.1",
        }

    accepted = environ(b"z" * 1000)
    result = b"".join(middleware(accepted, start_response))
    assert statuses[-1] == "200 OK"
    assert json.loads(result)["sha256"] == hashlib.sha256(b"z" * 1000).hexdigest()
    assert accepted["CONTENT_LENGTH"] == "1000"
    b"".join(middleware(environ(b"z" * 1025), start_response))
    assert statuses[-1] == "413 Request Entity Too Large"


def test_the_target_is_the_raw_uri_or_the_rebuilt_path(gate: portcullis.Gate) -> None:
    middleware = GateMiddleware(echo, gate)
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        statuses.append(status)

    base = {"REQUEST_METHOD": "GET", "QUERY_STRING": "a=1", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http"}
    # The raw target is what the gate reads: "/health/.." is refused, whatever PATH_INFO says.
    list(middleware({**base, "PATH_INFO": "/health", "RAW_URI": "/health/..?a=1"}, start_response))
    assert statuses[-1] == "400 Bad Request"
    # Without one, the decoded PATH_INFO is encoded again ("%" stays a literal).
    list(middleware({**base, "PATH_INFO": "/health"}, start_response))
    assert statuses[-1] == "200 OK"
    list(middleware({**base, "PATH_INFO": "/health%2F"}, start_response))
    assert statuses[-1] == "403 Forbidden"  # /health%252F: another path, no route


def test_status_line() -> None:
    assert status_line(401) == "401 Unauthorized"
    assert status_line(599) == "599 Unknown"


def test_over_loopback_http_with_werkzeug(gate: portcullis.Gate) -> None:
    app = GateMiddleware(echo, gate, max_body_bytes=1024)
    with werkzeug_server(app) as base, httpx.Client(base_url=base, timeout=10) as http:
        assert http.get("/orders/7", headers=bearer()).json()["subject"] == "alice"
        assert_problem(http.get("/orders/7"), 401, "credentials_missing")
        body = b'{"type": "invoice.paid"}'
        hooked = http.post("/hooks", content=body, headers=webhook_headers(body, "msg_wsgi_loop"))
        assert hooked.json()["sha256"] == hashlib.sha256(body).hexdigest()

        def chunks() -> Iterator[bytes]:
            yield body[:4]
            yield body[4:]

        chunked = http.post("/hooks", content=chunks(), headers=webhook_headers(body, "msg_wsgi_chunked"))
        assert chunked.json()["sha256"] == hashlib.sha256(body).hexdigest()
        assert_problem(http.post("/upload", content=b"x" * 5000, headers=bearer()), 413, "input_too_large")


def test_mtls_with_werkzeugs_ssl_client_cert(gate: portcullis.Gate, tmp_path: pathlib.Path) -> None:
    tls = tls_files(tmp_path)
    with werkzeug_server(GateMiddleware(echo, gate), tls=tls) as base:
        with httpx.Client(base_url=base, verify=tls.client_context(), timeout=10) as http:
            response = http.get("/edge")
            assert response.status_code == 200, response.text
            assert response.json()["subject"] == "edge-client"
        with httpx.Client(base_url=base, verify=tls.client_context(with_certificate=False), timeout=10) as http:
            assert_problem(http.get("/edge"), 401, "mtls_certificate_missing")


def test_the_core_and_the_wsgi_adapter_import_without_any_framework() -> None:
    """No hard dependency: with fastapi, starlette, flask and werkzeug made unimportable, the
    package and portcullis.wsgi import; a framework adapter says what is missing."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for name in ('fastapi', 'starlette', 'flask', 'werkzeug', 'anyio'):\n"
        "    sys.modules[name] = None\n"
        "import portcullis, portcullis.wsgi\n"
        "try:\n"
        "    import portcullis.flask\n"
        "except ImportError as error:\n"
        "    print('flask:', error.name)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "flask: flask"
