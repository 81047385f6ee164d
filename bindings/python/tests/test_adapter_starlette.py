"""portcullis.starlette: GateBackend under Starlette's AuthenticationMiddleware and the pure ASGI
GateMiddleware, through Starlette's TestClient, a direct ASGI call, and over real loopback
HTTP (uvicorn), HTTPS with a client certificate included."""

from __future__ import annotations

import asyncio
import hashlib
import json
import pathlib
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Message

import portcullis
from adapter_common import (
    basic,
    bearer,
    challenges,
    make_gate,
    pcs1_headers,
    tls_files,
    uvicorn_server,
    webhook_headers,
)
from portcullis.starlette import GateBackend, GateMiddleware, GateUser, gate_on_error


async def whoami(request: Request) -> JSONResponse:
    user = request.user
    decision = request.state.portcullis
    assert isinstance(decision, portcullis.GateDecision)
    body = await request.body()
    return JSONResponse(
        {
            "authenticated": user.is_authenticated,
            "name": user.display_name,
            "subject": user.principal.subject if isinstance(user, GateUser) else None,
            "same_decision": isinstance(user, GateUser) and user.decision is decision,
            "scopes": list(request.auth.scopes),
            "route": decision.route,
            "sha256": hashlib.sha256(body).hexdigest() if body else None,
        }
    )


@requires("orders:read")
async def guarded(request: Request) -> JSONResponse:
    return JSONResponse({"name": request.user.display_name})


ROUTES = [
    Route(path, whoami, methods=["GET", "POST"])
    for path in ("/health", "/catalog", "/limited", "/hooks", "/signed", "/edge", "/upload", "/ops")
] + [Route("/orders/{order_id}", guarded)]


def backend_app(gate: portcullis.Gate) -> Starlette:
    middleware = [Middleware(AuthenticationMiddleware, backend=GateBackend(gate), on_error=gate_on_error)]
    return Starlette(routes=ROUTES, middleware=middleware)


def middleware_app(gate: portcullis.Gate, **options: Any) -> Starlette:
    return Starlette(routes=ROUTES, middleware=[Middleware(GateMiddleware, gate=gate, max_body_bytes=1024, **options)])


@pytest.fixture
def gate() -> portcullis.Gate:
    return make_gate()


@pytest.fixture(params=["backend", "middleware"])
def client(request: pytest.FixtureRequest, gate: portcullis.Gate) -> Iterator[TestClient]:
    app = backend_app(gate) if request.param == "backend" else middleware_app(gate)
    with TestClient(app) as test_client:
        yield test_client


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert (response.json()["status"], response.json()["code"]) == (status, code)


# --- both: the same decisions -----------------------------------------------------------------


def test_user_and_auth_from_the_principal(client: TestClient) -> None:
    assert client.get("/orders/7", headers=bearer()).json() == {"name": "alice"}
    response = client.get("/catalog", headers=bearer(scope="orders:read profile"))
    assert response.json() == {
        "authenticated": True,
        "name": "alice",
        "subject": "alice",
        "same_decision": True,
        "scopes": ["orders:read", "profile"],
        "route": "catalog",
        "sha256": None,
    }
    anonymous = client.get("/health").json()
    assert (anonymous["authenticated"], anonymous["subject"], anonymous["scopes"]) == (False, None, [])


def test_refusals_are_the_gates_not_starlettes_400(client: TestClient) -> None:
    missing = client.get("/orders/7")
    assert_problem(missing, 401, "credentials_missing")
    assert challenges(missing.headers) == ['Bearer realm="api"']
    assert_problem(client.get("/orders/7", headers={"Authorization": "Bearer x.y.z"}), 401, "jwt_malformed")
    assert_problem(client.get("/orders/7", headers=bearer(scope="profile")), 403, "scope_insufficient")
    headers = bearer(sub="limited-starlette")
    assert [client.get("/limited", headers=headers).status_code for _ in range(2)] == [200, 200]
    limited = client.get("/limited", headers=headers)
    assert_problem(limited, 429, "rate_limited")
    assert int(limited.headers["retry-after"]) > 0


@pytest.mark.parametrize("kind", ["backend", "middleware"])
def test_adapter_scopes_are_required_by_the_gate(gate: portcullis.Gate, kind: str) -> None:
    scopes = ["orders:write"]
    if kind == "backend":
        backend = GateBackend(gate, scopes=scopes)
        middleware = [Middleware(AuthenticationMiddleware, backend=backend, on_error=gate_on_error)]
        app = Starlette(routes=ROUTES, middleware=middleware)
    else:
        app = middleware_app(gate, scopes=scopes)
    with TestClient(app) as client:
        refused = client.get("/orders/7", headers=bearer(scope="orders:read"))
        assert_problem(refused, 403, "scope_insufficient")
        assert "orders:write" in challenges(refused.headers)[0]
        allowed = client.get("/orders/7", headers=bearer(scope="orders:read orders:write"))
        assert allowed.json() == {"name": "alice"}


# --- the backend: no body ---------------------------------------------------------------------


def test_the_backend_cannot_read_a_body_so_body_signatures_fail_closed(gate: portcullis.Gate) -> None:
    body = b'{"type": "invoice.paid"}'
    with TestClient(backend_app(gate)) as client:
        response = client.post("/hooks", content=body, headers=webhook_headers(body, "msg_backend"))
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"


def test_gate_on_error_keeps_starlettes_answer_for_other_errors() -> None:
    from starlette.authentication import AuthenticationError
    from starlette.requests import HTTPConnection

    response = gate_on_error(HTTPConnection({"type": "http", "headers": []}), AuthenticationError("nope"))
    assert (response.status_code, response.body) == (400, b"nope")


# --- the middleware: the body, replayed -------------------------------------------------------


@pytest.fixture
def middleware_client(gate: portcullis.Gate) -> Iterator[TestClient]:
    with TestClient(middleware_app(gate)) as test_client:
        yield test_client


def test_webhook_body_is_checked_and_replayed_unchanged(middleware_client: TestClient) -> None:
    body = b'{"type": "invoice.paid",   "n": [1,2]}'
    response = middleware_client.post("/hooks", content=body, headers=webhook_headers(body, "msg_mw_1"))
    assert response.status_code == 200, response.text
    assert response.json()["subject"] == "billing"
    assert response.json()["sha256"] == hashlib.sha256(body).hexdigest()
    tampered = middleware_client.post("/hooks", content=body + b" ", headers=webhook_headers(body, "msg_mw_2"))
    assert_problem(tampered, 401, "signature_mismatch")


def test_pcs1_and_chunked_bodies(middleware_client: TestClient) -> None:
    body = b'{"sku": "A-1"}'

    def chunks() -> Iterator[bytes]:
        yield body[:5]
        yield body[5:]

    response = middleware_client.post("/signed", content=chunks(), headers=pcs1_headers("testserver", body))
    assert response.status_code == 200, response.text
    assert (response.json()["subject"], response.json()["sha256"]) == ("svc-orders", hashlib.sha256(body).hexdigest())


def test_a_body_over_the_limit_is_413(middleware_client: TestClient) -> None:
    assert middleware_client.post("/upload", content=b"x" * 1024, headers=bearer()).status_code == 200
    assert_problem(middleware_client.post("/upload", content=b"x" * 1025, headers=bearer()), 413, "input_too_large")

    def chunks() -> Iterator[bytes]:
        for _ in range(3):
            yield b"y" * 400

    assert_problem(middleware_client.post("/upload", content=chunks(), headers=bearer()), 413, "input_too_large")


def test_a_request_the_core_cannot_build_is_refused_not_passed(gate: portcullis.Gate) -> None:
    """A direct ASGI call with a header name no HTTP server would pass on: the core refuses to
    build the request, and the middleware refuses it instead of calling the application."""
    called: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(True)

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/health",
        "raw_path": b"/health",
        "query_string": b"",
        "headers": [(b"bad header", b"x")],
        "scheme": "http",
    }
    asyncio.run(GateMiddleware(app, gate)(scope, receive, send))
    assert not called
    assert sent[0]["status"] == 400
    problem = json.loads(sent[1]["body"])
    assert problem["status"] == 400 and "bad header" not in sent[1]["body"].decode()


def test_a_malformed_certificate_from_the_server_is_refused_not_ignored(gate: portcullis.Gate) -> None:
    called: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(True)

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "raw_path": b"/health",
        "query_string": b"",
        "headers": [],
        "scheme": "https",
        "extensions": {"tls": {"client_cert_chain": ["-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n"]}},
    }
    asyncio.run(GateMiddleware(app, gate)(scope, receive, send))
    assert not called
    assert sent[0]["status"] == 500
    assert json.loads(sent[1]["body"])["code"] == "internal"


def test_pem_chains_convert_to_der_leaf_first() -> None:
    from portcullis._adapter import der_certificates

    from adapter_common import CA, CLIENT

    chain = der_certificates([CLIENT.cert_pem + CA.ca_cert_pem(), CA.ca_cert_pem()])
    assert chain[0] == CLIENT.der and len(chain) == 3
    with pytest.raises(ValueError):
        der_certificates(["not a certificate"])


def test_websocket_handshakes_are_checked(gate: portcullis.Gate) -> None:
    from starlette.routing import WebSocketRoute
    from starlette.testclient import WebSocketDenialResponse
    from starlette.websockets import WebSocket

    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_json({"name": websocket.user.display_name})
        await websocket.close()

    app = Starlette(routes=[WebSocketRoute("/orders/{order_id}", socket)], middleware=[Middleware(GateMiddleware, gate=gate)])
    with TestClient(app) as client:
        with client.websocket_connect("/orders/7", headers=bearer()) as websocket:
            assert websocket.receive_json() == {"name": "alice"}
        with pytest.raises(WebSocketDenialResponse) as denied:
            with client.websocket_connect("/orders/7"):
                pass
    assert denied.value.status_code == 401
    assert denied.value.json()["code"] == "credentials_missing"
    assert challenges(denied.value.headers) == ['Bearer realm="api"']


def test_lifespan_passes_through(gate: portcullis.Gate) -> None:
    with TestClient(middleware_app(gate)) as client:
        assert client.get("/health").status_code == 200


def test_a_blocking_check_does_not_block_the_loop() -> None:
    gate = make_gate(slow=True)
    app = middleware_app(gate)

    async def run() -> bool:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            slow = asyncio.create_task(http.get("/ops", headers=basic()))
            await asyncio.sleep(0.05)
            started = time.monotonic()
            assert (await http.get("/health")).status_code == 200
            assert time.monotonic() - started < 5
            overtaken = not slow.done()
            assert (await slow).json()["subject"] == "bob"
            return overtaken

    assert asyncio.run(run()), "the password hash blocked the event loop"


# --- real HTTP on 127.0.0.1 -------------------------------------------------------------------


def test_middleware_over_loopback_http(gate: portcullis.Gate) -> None:
    with uvicorn_server(middleware_app(gate)) as base, httpx.Client(base_url=base, timeout=10) as http:
        assert http.get("/orders/7", headers=bearer()).json() == {"name": "alice"}
        assert_problem(http.get("/orders/7"), 401, "credentials_missing")
        body = b'{"type": "invoice.paid"}'
        hooked = http.post("/hooks", content=body, headers=webhook_headers(body, "msg_mw_loop"))
        assert hooked.json()["sha256"] == hashlib.sha256(body).hexdigest()
        assert_problem(http.post("/upload", content=b"x" * 5000, headers=bearer()), 413, "input_too_large")


def test_backend_mtls_over_a_real_handshake(gate: portcullis.Gate, tmp_path: pathlib.Path) -> None:
    tls = tls_files(tmp_path)
    with uvicorn_server(backend_app(gate), tls=tls) as base:
        with httpx.Client(base_url=base, verify=tls.client_context(), timeout=10) as http:
            response = http.get("/edge")
            assert response.status_code == 200, response.text
            assert (response.json()["name"], response.json()["route"]) == ("edge-client", "edge")
        with httpx.Client(base_url=base, verify=tls.client_context(with_certificate=False), timeout=10) as http:
            assert_problem(http.get("/edge"), 401, "mtls_certificate_missing")
