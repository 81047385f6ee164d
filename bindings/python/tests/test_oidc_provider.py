"""Interop with a real authorization server from Python: node-oidc-provider, started as a child
process (bindings/node/test-support/oidc-provider-server.js), issues RFC 9068 access tokens by
the client_credentials grant on 127.0.0.1, and ``portcullis.Gate`` accepts or refuses them,
finding the provider's keys by OpenID discovery over loopback http.

The script runs two providers; the second is an issuer the gate is not configured for, and its
request counts prove that the gate never fetched anything from it. DPoP proofs are signed here
with PyJWT, by the key the provider bound the DPoP token to.

Needs ``node`` and ``npm ci`` in bindings/node (``make test-python`` runs it). Without ``node``
the module is skipped, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any, Optional

import jwt as pyjwt
import pytest

from conftest import ROOT
from portcullis import Gate, GateDecision, Request

NODE_DIR = ROOT / "bindings" / "node"
SCRIPT = NODE_DIR / "test-support" / "oidc-provider-server.js"
RESOURCE = "https://api.example.com"
METADATA = f"{RESOURCE}/.well-known/oauth-protected-resource"
DISCOVERY = "/.well-known/openid-configuration"
JWKS = "/jwks"
START_TIMEOUT = 60.0

NODE = shutil.which("node")
if NODE is None and os.environ.get("CI") != "true":
    pytest.skip(
        "node is not installed: the node-oidc-provider interop test needs Node.js",
        allow_module_level=True,
    )


class Providers:
    """The child process: its first line of JSON, then `counts` on demand."""

    def __init__(self, node: str) -> None:
        if not (NODE_DIR / "node_modules" / "oidc-provider").is_dir():
            pytest.fail(
                "bindings/node/node_modules has no oidc-provider: run `npm ci` in bindings/node "
                "(make test-python does)"
            )
        self.process = subprocess.Popen(
            [node, str(SCRIPT)],
            cwd=str(NODE_DIR),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._stderr: list[str] = []
        assert self.process.stderr is not None
        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()
        self.info: dict[str, Any] = self._read_line(START_TIMEOUT)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr.append(line)

    def _read_line(self, timeout: float) -> dict[str, Any]:
        stdout = self.process.stdout
        assert stdout is not None
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive() or not result or not result[0]:
            self.close()
            raise AssertionError(
                "oidc-provider-server.js gave no answer: " + "".join(self._stderr)[-2000:]
            )
        value: dict[str, Any] = json.loads(result[0])
        return value

    def counts(self) -> dict[str, dict[str, int]]:
        assert self.process.stdin is not None
        self.process.stdin.write("counts\n")
        self.process.stdin.flush()
        return self._read_line(10.0)

    def count(self, which: str, path: str) -> int:
        return self.counts()[which].get(path, 0)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        self._drain.join(timeout=5)


@pytest.fixture(scope="module")
def providers() -> Iterator[Providers]:
    if NODE is None:
        pytest.fail("CI=true and node is not installed: the oidc-provider interop test must run")
    p = Providers(NODE)
    try:
        yield p
    finally:
        p.close()


def credential(issuer: str) -> dict[str, Any]:
    return {
        "method": "oauth2",
        "resource": RESOURCE,
        "origin": RESOURCE,
        "issuers": [{"issuer": issuer, "keys": {"remote": {"issuer": issuer}}}],
    }


@pytest.fixture(scope="module")
def gate(providers: Providers) -> Gate:
    config = {
        "version": 1,
        "credentials": {"oauth": credential(providers.info["issuer"])},
        "routes": [
            {
                "name": "orders-read",
                "methods": ["GET"],
                "path": "/orders/*",
                "require": "oauth",
                "scopes": ["orders:read"],
            },
            {
                "name": "orders-write",
                "methods": ["POST"],
                "path": "/orders/*",
                "require": "oauth",
                "scopes": ["orders:write"],
            },
        ],
    }
    return Gate.from_json(json.dumps(config))


def request(
    method: str,
    target: str,
    authorization: Optional[str] = None,
    *,
    now: Optional[int] = None,
    dpop: Optional[str] = None,
) -> Request:
    headers = [("Host", "api.example.com")]
    if authorization is not None:
        headers.append(("Authorization", authorization))
    if dpop is not None:
        headers.append(("DPoP", dpop))
    return Request(method, target, headers, now=now)


def part(token: str, index: int) -> dict[str, Any]:
    raw = token.split(".")[index]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    return value


def b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def www_authenticate(decision: GateDecision) -> list[str]:
    return [v for n, v in decision.headers if n.lower() == "www-authenticate"]


def refused(decision: GateDecision, status: int, code: str) -> None:
    assert not decision.allowed
    assert decision.code == code, f"{decision.code}: {decision.detail}"
    assert decision.status == status
    assert decision.principal is None


def test_bearer_token_allowed_after_discovery(providers: Providers, gate: Gate) -> None:
    token = providers.info["token"]
    header, claims = part(token, 0), part(token, 1)
    assert header["typ"] == "at+jwt"
    assert claims["iss"] == providers.info["issuer"] and claims["aud"] == RESOURCE
    decision = gate.check(request("GET", "/orders/7", f"Bearer {token}"))
    assert decision.allowed, f"{decision.code}: {decision.detail}"
    assert decision.route == "orders-read" and decision.credential == "oauth"
    principal = decision.principal
    assert principal is not None
    assert principal.subject == "svc-billing"
    assert principal.method == "oauth2"
    assert principal.scopes == ["orders:read", "orders:write"]
    assert principal.claims["client_id"] == "svc-billing"
    assert principal.expires_at == claims["exp"]
    assert providers.count("issuer", DISCOVERY) == 1
    assert providers.count("issuer", JWKS) == 1
    # Warm: no further fetch.
    assert gate.check(request("POST", "/orders/7", f"Bearer {token}")).allowed
    assert providers.count("issuer", JWKS) == 1


def test_missing_scope_is_403(providers: Providers, gate: Gate) -> None:
    narrow = providers.info["narrow_token"]
    assert gate.check(request("GET", "/orders/7", f"Bearer {narrow}")).allowed
    decision = gate.check(request("POST", "/orders/7", f"Bearer {narrow}"))
    refused(decision, 403, "scope_insufficient")
    bearer = www_authenticate(decision)[0]
    assert bearer.startswith('Bearer realm="api", error="insufficient_scope", scope="orders:write"')
    assert f'resource_metadata="{METADATA}"' in bearer


def test_unknown_issuer_refused_without_fetching(providers: Providers, gate: Gate) -> None:
    other = providers.info["other_token"]
    assert part(other, 1)["iss"] == providers.info["other_issuer"]
    before = providers.counts()
    decision = gate.check(request("GET", "/orders/7", f"Bearer {other}"))
    refused(decision, 401, "oauth_issuer_unknown")
    after = providers.counts()
    assert after == before
    assert DISCOVERY not in after["other_issuer"] and JWKS not in after["other_issuer"]


def test_expired_and_tampered_tokens(providers: Providers, gate: Gate) -> None:
    token = providers.info["token"]
    exp = part(token, 1)["exp"]
    decision = gate.check(request("GET", "/orders/7", f"Bearer {token}", now=exp + 120))
    refused(decision, 401, "jwt_expired")
    assert www_authenticate(decision)[0].startswith('Bearer realm="api", error="invalid_token"')

    h, _, s = token.split(".")
    widened = f"{h}.{b64({**part(token, 1), 'scope': 'orders:read orders:admin'})}.{s}"
    refused(gate.check(request("GET", "/orders/7", f"Bearer {widened}")), 401, "jwt_signature_invalid")


def test_dpop_bound_token_as_bearer(providers: Providers, gate: Gate) -> None:
    bound = providers.info["dpop_token"]
    assert part(bound, 1)["cnf"] == {"jkt": providers.info["dpop_jkt"]}
    decision = gate.check(request("GET", "/orders/7", f"Bearer {bound}"))
    refused(decision, 401, "oauth_binding_mismatch")


def test_dpop_bound_token_with_proof(providers: Providers, gate: Gate) -> None:
    bound = providers.info["dpop_token"]
    jwk: dict[str, Any] = providers.info["dpop_key"]
    key: Any = pyjwt.algorithms.ECAlgorithm.from_jwk(json.dumps(jwk))
    public = {k: jwk[k] for k in ("kty", "crv", "x", "y")}
    ath = base64.urlsafe_b64encode(hashlib.sha256(bound.encode()).digest()).rstrip(b"=").decode()

    def proof(htu: str = f"{RESOURCE}/orders/7") -> str:
        claims = {"htm": "GET", "htu": htu, "iat": int(time.time()), "jti": str(uuid.uuid4()), "ath": ath}
        return pyjwt.encode(claims, key, algorithm="ES256", headers={"typ": "dpop+jwt", "jwk": public})

    once = proof()
    decision = gate.check(request("GET", "/orders/7", f"DPoP {bound}", dpop=once))
    assert decision.allowed, f"{decision.code}: {decision.detail}"
    assert decision.principal is not None and decision.principal.subject == "svc-billing"
    refused(gate.check(request("GET", "/orders/7", f"DPoP {bound}", dpop=once)), 401, "dpop_proof_replayed")
    other_url = proof(f"{RESOURCE}/orders/8")
    refused(gate.check(request("GET", "/orders/7", f"DPoP {bound}", dpop=other_url)), 401, "dpop_proof_mismatch")
