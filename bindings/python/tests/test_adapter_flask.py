"""portcullis.flask: the GateAuth extension and its `required` decorator, through Flask's test
client and over real loopback HTTP (werkzeug's server), HTTPS with a client certificate
included."""

from __future__ import annotations

import hashlib
import pathlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

import portcullis
from adapter_common import (
    api_key,
    bearer,
    challenges,
    make_gate,
    pcs1_headers,
    tls_files,
    webhook_headers,
    werkzeug_server,
)
from portcullis.flask import GateAuth, GateDenied


def make_app(gate: portcullis.Gate, deferred: bool = False) -> Flask:
    app = Flask(__name__)
    if deferred:
        auth = GateAuth(gate=gate, max_body_bytes=1024)
        auth.init_app(app)
    else:
        auth = GateAuth(app, gate, max_body_bytes=1024)

    def who() -> dict[str, Any]:
        decision = auth.current_decision
        assert decision is not None
        principal = auth.current_principal
        return {
            "route": decision.route,
            "credential": decision.credential,
            "subject": principal.subject if principal else None,
        }

    @app.get("/health")
    @auth.required
    def health() -> dict[str, Any]:
        return who()

    @app.get("/catalog")
    @auth.required()
    def catalog() -> dict[str, Any]:
        return who()

    @app.get("/orders/<order_id>")
    @auth.required
    def order(order_id: str) -> dict[str, Any]:
        return {**who(), "id": order_id}

    @app.delete("/orders/<order_id>")
    @auth.required(scopes=["orders:write"])
    def cancel(order_id: str) -> dict[str, Any]:
        return {**who(), "cancelled": order_id}

    @app.get("/limited")
    @auth.required
    def limited() -> dict[str, Any]:
        return who()

    @app.post("/hooks")
    @auth.required
    def hooks() -> dict[str, Any]:
        body = request.get_data()
        return {**who(), "sha256": hashlib.sha256(body).hexdigest(), "event": request.get_json()["type"]}

    @app.post("/signed")
    @auth.required
    def signed() -> dict[str, Any]:
        return {**who(), "payload": request.get_json()}

    @app.get("/edge")
    @auth.required
    def edge() -> dict[str, Any]:
        return who()

    @app.post("/upload")
    @auth.required
    def upload() -> dict[str, Any]:
        return {**who(), "size": len(request.get_data())}

    @app.get("/unguarded")
    def unguarded() -> dict[str, Any]:
        return {"decision": auth.current_decision is not None}

    return app


@pytest.fixture
def gate() -> portcullis.Gate:
    return make_gate()


@pytest.fixture(params=[False, True], ids=["constructor", "init_app"])
def client(request: pytest.FixtureRequest, gate: portcullis.Gate) -> Iterator[FlaskClient]:
    yield make_app(gate, deferred=request.param).test_client()


def assert_problem(response: TestResponse | httpx.Response, status: int, code: str) -> None:
    status_code = response.status_code
    assert status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json() if isinstance(response, httpx.Response) else response.get_json()
    assert (problem["status"], problem["code"]) == (status, code)


def test_allowed_with_principal(client: FlaskClient, gate: portcullis.Gate) -> None:
    response = client.get("/orders/7", headers=bearer())
    assert response.get_json() == {"route": "orders", "credential": "tokens", "subject": "alice", "id": "7"}
    keyed = client.get("/orders/8", headers={"Authorization": f"Bearer {api_key(gate)}"})
    assert keyed.get_json()["subject"] == "svc-billing"
    # Only views behind `required` are checked.
    assert client.get("/unguarded").get_json() == {"decision": False}


def test_refusals_carry_the_gates_status_headers_and_problem(client: FlaskClient) -> None:
    missing = client.get("/orders/7")
    assert_problem(missing, 401, "credentials_missing")
    assert challenges(missing.headers) == ['Bearer realm="api"']
    bad = client.get("/orders/7", headers={"Authorization": "Bearer x.y.z"})
    assert_problem(bad, 401, "jwt_malformed")
    assert 'error="invalid_token"' in challenges(bad.headers)[0]
    assert_problem(client.get("/orders/7", headers=bearer(scope="profile")), 403, "scope_insufficient")
    headers = bearer(sub="limited-flask")
    assert [client.get("/limited", headers=headers).status_code for _ in range(2)] == [200, 200]
    limited = client.get("/limited", headers=headers)
    assert_problem(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) > 0


def test_required_scopes_are_required_by_the_gate(client: FlaskClient) -> None:
    refused = client.delete("/orders/7", headers=bearer(scope="orders:read"))
    assert_problem(refused, 403, "scope_insufficient")
    assert "orders:write" in challenges(refused.headers)[0]
    allowed = client.delete("/orders/7", headers=bearer(scope="orders:read orders:write"))
    assert allowed.get_json()["cancelled"] == "7"


def test_anonymous_and_optional(client: FlaskClient) -> None:
    assert client.get("/health").get_json()["subject"] is None
    assert client.get("/catalog").get_json()["subject"] is None
    assert client.get("/catalog", headers=bearer()).get_json()["subject"] == "alice"


def test_webhook_raw_body_read_again_by_the_view(client: FlaskClient) -> None:
    body = b'{"type":   "invoice.paid"}'
    response = client.post("/hooks", data=body, headers=webhook_headers(body, "msg_flask_1"))
    assert response.status_code == 200, response.text
    assert response.get_json()["sha256"] == hashlib.sha256(body).hexdigest()
    assert response.get_json()["event"] == "invoice.paid"
    assert_problem(
        client.post("/hooks", data=body + b" ", headers=webhook_headers(body, "msg_flask_2")),
        401,
        "signature_mismatch",
    )


def test_pcs1_signed(client: FlaskClient) -> None:
    body = b'{"sku": "A-1"}'
    headers = {**pcs1_headers("localhost", body), "Content-Type": "application/json"}
    response = client.post("/signed", data=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.get_json()["payload"] == {"sku": "A-1"}


def test_a_body_over_the_limit_is_413(client: FlaskClient) -> None:
    assert client.post("/upload", data=b"x" * 1024, headers=bearer()).get_json()["size"] == 1024
    assert_problem(client.post("/upload", data=b"x" * 1025, headers=bearer()), 413, "input_too_large")


def test_the_applications_lower_limit_applies_too(gate: portcullis.Gate) -> None:
    app = make_app(gate)
    app.config["MAX_CONTENT_LENGTH"] = 100
    client = app.test_client()
    assert client.post("/upload", data=b"x" * 100, headers=bearer()).get_json()["size"] == 100
    assert_problem(client.post("/upload", data=b"x" * 101, headers=bearer()), 413, "input_too_large")


def test_an_uninitialised_extension_refuses(gate: portcullis.Gate) -> None:
    app = Flask(__name__)
    auth = GateAuth()

    @app.get("/health")
    @auth.required
    def health() -> str:
        return "reached"

    response = app.test_client().get("/health")
    assert_problem(response, 500, "internal")
    with pytest.raises(ValueError):
        auth.init_app(app)


def test_gate_denied_is_a_werkzeug_http_exception_with_the_decision(gate: portcullis.Gate) -> None:
    app = make_app(gate)
    seen: list[GateDenied] = []

    @app.errorhandler(GateDenied)
    def handle(error: GateDenied) -> Any:
        seen.append(error)
        return error.get_response()

    assert app.test_client().get("/orders/1").status_code == 401
    assert seen[0].decision is not None and seen[0].decision.code == "credentials_missing"
    assert seen[0].code == 401


def test_over_loopback_http_with_werkzeug(gate: portcullis.Gate) -> None:
    with werkzeug_server(make_app(gate)) as base, httpx.Client(base_url=base, timeout=10) as http:
        assert http.get("/orders/7", headers=bearer()).json()["subject"] == "alice"
        missing = http.get("/orders/7")
        assert_problem(missing, 401, "credentials_missing")
        assert challenges(missing.headers) == ['Bearer realm="api"']
        body = b'{"type": "invoice.paid"}'
        hooked = http.post("/hooks", content=body, headers=webhook_headers(body, "msg_flask_loop"))
        assert hooked.json()["sha256"] == hashlib.sha256(body).hexdigest()
        host = base.removeprefix("http://")
        signed = http.post(
            "/signed", content=b'{"a": 1}', headers={**pcs1_headers(host, b'{"a": 1}'), "Content-Type": "application/json"}
        )
        assert signed.json()["subject"] == "svc-orders"
        assert_problem(http.post("/upload", content=b"x" * 5000, headers=bearer()), 413, "input_too_large")

        def chunks() -> Iterator[bytes]:
            for _ in range(4):
                yield b"y" * 400

        # Chunked: werkzeug terminates the stream; the limit stops it (not a silent truncation).
        assert_problem(http.post("/upload", content=chunks(), headers=bearer()), 413, "input_too_large")

        def exactly(size: int) -> Iterator[bytes]:
            yield b"z" * (size - 24)
            yield b"z" * 24

        assert http.post("/upload", content=exactly(1024), headers=bearer()).json()["size"] == 1024
        assert_problem(http.post("/upload", content=exactly(1025), headers=bearer()), 413, "input_too_large")


def test_mtls_with_werkzeugs_ssl_client_cert(gate: portcullis.Gate, tmp_path: pathlib.Path) -> None:
    tls = tls_files(tmp_path)
    with werkzeug_server(make_app(gate), tls=tls) as base:
        with httpx.Client(base_url=base, verify=tls.client_context(), timeout=10) as http:
            response = http.get("/edge")
            assert response.status_code == 200, response.text
            assert response.json() == {"route": "edge", "credential": "edge", "subject": "edge-client"}
        with httpx.Client(base_url=base, verify=tls.client_context(with_certificate=False), timeout=10) as http:
            assert_problem(http.get("/edge"), 401, "mtls_certificate_missing")
