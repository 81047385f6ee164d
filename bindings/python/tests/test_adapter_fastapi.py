"""portcullis.fastapi: GateAuth as a FastAPI dependency, through FastAPI's TestClient and once
over real loopback HTTP (uvicorn), HTTPS with a client certificate included."""

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
from fastapi import Body, Depends, FastAPI, Request, Security
from fastapi.testclient import TestClient

import portcullis
from adapter_common import (
    api_key,
    basic,
    bearer,
    challenges,
    make_gate,
    pcs1_headers,
    tls_files,
    uvicorn_server,
    webhook_headers,
)
from portcullis.fastapi import GateAuth, GateDenied, openapi_security_schemes


def who(decision: portcullis.GateDecision) -> dict[str, Any]:
    principal = decision.principal
    return {
        "route": decision.route,
        "credential": decision.credential,
        "subject": principal.subject if principal else None,
    }


def make_app(gate: portcullis.Gate, max_body_bytes: int = 1024) -> FastAPI:
    auth = GateAuth(gate, max_body_bytes=max_body_bytes)
    app = FastAPI()
    auth.install(app)

    @app.get("/health")
    async def health(decision: portcullis.GateDecision = Depends(auth)) -> dict[str, Any]:
        return who(decision)

    @app.get("/catalog")
    async def catalog(decision: portcullis.GateDecision = Depends(auth)) -> dict[str, Any]:
        return who(decision)

    @app.get("/orders/{order_id}")
    async def order(order_id: str, decision: portcullis.GateDecision = Security(auth)) -> dict[str, Any]:
        return {**who(decision), "id": order_id, "params": decision.params}

    @app.delete("/orders/{order_id}")
    async def cancel(
        order_id: str, decision: portcullis.GateDecision = Security(auth, scopes=["orders:write"])
    ) -> dict[str, Any]:
        return {**who(decision), "cancelled": order_id}

    @app.get("/limited")
    def limited(decision: portcullis.GateDecision = Depends(auth)) -> dict[str, Any]:
        return who(decision)

    @app.post("/hooks")
    async def hooks(request: Request, decision: portcullis.GateDecision = Depends(auth)) -> dict[str, Any]:
        # The handler reads the body after the gate did: the same bytes.
        body = await request.body()
        return {**who(decision), "sha256": hashlib.sha256(body).hexdigest(), "event": json.loads(body)["type"]}

    @app.post("/signed")
    async def signed(
        payload: dict[str, Any] = Body(...), decision: portcullis.GateDecision = Depends(auth)
    ) -> dict[str, Any]:
        # A body parameter: FastAPI read the body first; the gate checked those bytes.
        return {**who(decision), "payload": payload}

    @app.get("/edge")
    async def edge(decision: portcullis.GateDecision = Depends(auth)) -> dict[str, Any]:
        return who(decision)

    @app.post("/upload")
    async def upload(request: Request, decision: portcullis.GateDecision = Depends(auth)) -> dict[str, Any]:
        return {**who(decision), "size": len(await request.body())}

    @app.get("/ops")
    async def ops(decision: portcullis.GateDecision = Depends(auth)) -> dict[str, Any]:
        return who(decision)

    return app


@pytest.fixture
def gate() -> portcullis.Gate:
    return make_gate()


@pytest.fixture
def client(gate: portcullis.Gate) -> Iterator[TestClient]:
    with TestClient(make_app(gate)) as test_client:
        yield test_client


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert (problem["status"], problem["code"]) == (status, code)
    assert "detail" not in problem  # FastAPI's own {"detail": ...} never answers a refusal
    return problem


# --- decisions --------------------------------------------------------------------------------


def test_allowed_with_principal_by_token_and_by_api_key(client: TestClient, gate: portcullis.Gate) -> None:
    response = client.get("/orders/7", headers=bearer())
    assert response.status_code == 200
    assert response.json() == {
        "route": "orders",
        "credential": "tokens",
        "subject": "alice",
        "id": "7",
        "params": {"id": "7"},
    }
    keyed = client.get("/orders/8", headers={"Authorization": f"Bearer {api_key(gate)}"})
    assert keyed.json()["credential"] == "keys" and keyed.json()["subject"] == "svc-billing"


def test_missing_and_bad_credentials_are_401_with_challenges(client: TestClient) -> None:
    missing = client.get("/orders/7")
    assert_problem(missing, 401, "credentials_missing")
    assert challenges(missing.headers) == ['Bearer realm="api"']

    bad = client.get("/orders/7", headers={"Authorization": "Bearer not.a.token"})
    assert_problem(bad, 401, "jwt_malformed")
    assert challenges(bad.headers)[0].startswith('Bearer realm="api", error="invalid_token"')

    # The exception carries the gate's decision.
    assert issubclass(GateDenied, Exception)


def test_route_scopes_are_403_insufficient_scope(client: TestClient) -> None:
    response = client.get("/orders/7", headers=bearer(scope="profile"))
    assert_problem(response, 403, "scope_insufficient")
    assert 'error="insufficient_scope"' in challenges(response.headers)[0]


def test_security_scopes_are_required_by_the_gate(client: TestClient) -> None:
    # DELETE asks Security(auth, scopes=["orders:write"]) on top of the gate route's orders:read.
    refused = client.delete("/orders/7", headers=bearer(scope="orders:read"))
    assert_problem(refused, 403, "scope_insufficient")
    challenge = challenges(refused.headers)[0]
    assert 'error="insufficient_scope"' in challenge and "orders:write" in challenge
    allowed = client.delete("/orders/7", headers=bearer(scope="orders:read orders:write"))
    assert allowed.status_code == 200 and allowed.json()["cancelled"] == "7"
    # Without credentials it stays a 401 challenge, never FastAPI's 403.
    assert_problem(client.delete("/orders/7"), 401, "credentials_missing")


def test_rate_limit_is_429_with_retry_after(client: TestClient) -> None:
    headers = bearer(sub="limited-caller")
    assert [client.get("/limited", headers=headers).status_code for _ in range(2)] == [200, 200]
    refused = client.get("/limited", headers=headers)
    assert_problem(refused, 429, "rate_limited")
    assert int(refused.headers["retry-after"]) > 0
    assert refused.headers["ratelimit"].startswith('"two";r=0')


def test_anonymous_and_optional_routes(client: TestClient) -> None:
    assert client.get("/health").json() == {"route": "health", "credential": None, "subject": None}
    assert client.get("/catalog").json()["subject"] is None
    assert client.get("/catalog", headers=bearer()).json()["subject"] == "alice"
    # Optional: a credential that is present but invalid is refused.
    assert_problem(client.get("/catalog", headers={"Authorization": "Bearer x.y.z"}), 401, "jwt_malformed")


def test_webhook_over_the_raw_body_which_the_handler_reads_again(client: TestClient) -> None:
    # Whitespace and key order a JSON round trip would change: the signature is over these bytes.
    body = b'{"type": "invoice.paid",  "id":"in_1"}'
    response = client.post("/hooks", content=body, headers=webhook_headers(body, "msg_fastapi_1"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "route": "hooks",
        "credential": "hooks",
        "subject": "billing",
        "sha256": hashlib.sha256(body).hexdigest(),
        "event": "invoice.paid",
    }
    tampered = client.post(
        "/hooks", content=body.replace(b"paid", b"void"), headers=webhook_headers(body, "msg_fastapi_2")
    )
    assert_problem(tampered, 401, "signature_mismatch")
    # The same delivery again: a replay.
    replayed = client.post("/hooks", content=body, headers=webhook_headers(body, "msg_fastapi_1"))
    assert_problem(replayed, 401, "signature_replayed")


def test_pcs1_signed_request_with_a_body_parameter(client: TestClient) -> None:
    body = b'{"sku": "A-1", "qty": 2}'
    headers = {**pcs1_headers("testserver", body), "Content-Type": "application/json"}
    response = client.post("/signed", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["subject"] == "svc-orders"
    assert response.json()["payload"] == {"sku": "A-1", "qty": 2}
    headers = {**pcs1_headers("testserver", body), "Content-Type": "application/json"}
    assert_problem(client.post("/signed", content=body + b" ", headers=headers), 401, "signature_digest_mismatch")


def test_a_body_over_the_limit_is_413_before_the_gate(client: TestClient) -> None:
    small = client.post("/upload", content=b"x" * 1024, headers=bearer())
    assert small.json()["size"] == 1024
    assert_problem(client.post("/upload", content=b"x" * 1025, headers=bearer()), 413, "input_too_large")

    # Chunked (no Content-Length): counted while read.
    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"y" * 300

    chunked = client.post("/upload", content=chunks(), headers=bearer())
    assert_problem(chunked, 413, "input_too_large")


def test_openapi_lists_the_gates_schemes_and_security_scopes(client: TestClient, gate: portcullis.Gate) -> None:
    document = client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes == openapi_security_schemes(gate)
    assert schemes["tokens"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["keys"]["type"] == "apiKey" and schemes["keys"]["in"] == "header"
    assert schemes["edge"]["type"] == "mutualTLS"
    assert schemes["hooks"]["type"] == "apiKey" and schemes["signed"]["name"] == "Authorization"
    assert "portcullis" not in schemes
    cancel = document["paths"]["/orders/{order_id}"]["delete"]["security"]
    assert {"tokens": ["orders:write"]} in cancel and {"keys": ["orders:write"]} in cancel
    assert len(cancel) == len(gate.credential_names)
    assert {"tokens": []} in document["paths"]["/orders/{order_id}"]["get"]["security"]
    # Overrides by credential name.
    app = FastAPI()
    GateAuth(gate).install(app, schemes={"keys": {"type": "apiKey", "in": "header", "name": "X-API-Key"}})
    assert app.openapi()["components"]["securitySchemes"]["keys"]["name"] == "X-API-Key"


def test_the_gate_reads_the_raw_path(client: TestClient) -> None:
    # FastAPI routes the decoded "/orders/.." to the handler with order_id ".."; the gate sees
    # the path as sent, an encoded dot segment, and refuses it.
    assert_problem(client.get("/orders/%2e%2e", headers=bearer()), 400, "request_invalid")


# --- the event loop ---------------------------------------------------------------------------


def test_a_blocking_check_runs_off_the_event_loop() -> None:
    gate = make_gate(slow=True)
    assert gate.may_block
    app = make_app(gate)

    async def run() -> tuple[float, float, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            started = time.monotonic()
            slow = asyncio.create_task(http.get("/ops", headers=basic()))
            await asyncio.sleep(0.05)  # the slow request is now hashing the password
            fast = await http.get("/health")
            fast_done = time.monotonic() - started
            assert not slow.done(), "the password hash finished before the concurrent request"
            response = await slow
            return fast_done, time.monotonic() - started, response.status_code

    fast_done, slow_done, status = asyncio.run(run())
    assert status == 200
    assert fast_done < slow_done


# --- real HTTP on 127.0.0.1 -------------------------------------------------------------------


def test_over_loopback_http_with_uvicorn(gate: portcullis.Gate) -> None:
    with uvicorn_server(make_app(gate)) as base, httpx.Client(base_url=base, timeout=10) as http:
        assert http.get("/orders/7", headers=bearer()).json()["subject"] == "alice"
        missing = http.get("/orders/7")
        assert_problem(missing, 401, "credentials_missing")
        assert challenges(missing.headers) == ['Bearer realm="api"']
        body = b'{"type": "invoice.paid"}'
        hooked = http.post("/hooks", content=body, headers=webhook_headers(body, "msg_fastapi_loop"))
        assert hooked.json()["sha256"] == hashlib.sha256(body).hexdigest()
        host = base.removeprefix("http://")
        signed = http.post(
            "/signed", content=b'{"a": 1}', headers={**pcs1_headers(host, b'{"a": 1}'), "Content-Type": "application/json"}
        )
        assert signed.json()["subject"] == "svc-orders"
        assert_problem(http.post("/upload", content=b"x" * 2000, headers=bearer()), 413, "input_too_large")


def test_mtls_over_a_real_handshake(gate: portcullis.Gate, tmp_path: pathlib.Path) -> None:
    tls = tls_files(tmp_path)
    with uvicorn_server(make_app(gate), tls=tls) as base:
        with httpx.Client(base_url=base, verify=tls.client_context(), timeout=10) as http:
            response = http.get("/edge")
            assert response.status_code == 200, response.text
            assert response.json() == {"route": "edge", "credential": "edge", "subject": "edge-client"}
        with httpx.Client(base_url=base, verify=tls.client_context(with_certificate=False), timeout=10) as http:
            assert_problem(http.get("/edge"), 401, "mtls_certificate_missing")
