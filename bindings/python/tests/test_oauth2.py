"""The `oauth2` method from Python: a resource server as a generic Verifier and a gate
credential. Issuers with remote key sets and introspection endpoints are real HTTP servers on
loopback; the request rules themselves are oauth_rs.json's (test_oauth_rs_vectors.py)."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable

import pytest

import portcullis
from loopback_http import LoopbackHttp, Reply

NOW = int(time.time())
RESOURCE = "https://api.example.com"


def token_for(key: portcullis.JwtKey, **claims: Any) -> str:
    body: dict[str, Any] = {
        "iss": "https://as.example",
        "sub": "user-1",
        "aud": RESOURCE,
        "client_id": "client-1",
        "iat": NOW - 10,
        "exp": NOW + 300,
        "jti": f"jti-{time.monotonic_ns()}",
        "scope": "items:read",
    }
    body.update(claims)
    return portcullis.jwt_encode(body, key, typ="at+jwt", kid=key.kid)


def verifier(issuers: list[dict[str, Any]], **extra: Any) -> portcullis.Verifier:
    config = {"method": "oauth2", "resource": RESOURCE, "issuers": issuers, **extra}
    return portcullis.Verifier.from_json(
        json.dumps(config), secrets={"nonce": "n" * 32, "client": "introspection-client-secret"}
    )


def bearer(token: str) -> portcullis.Request:
    return portcullis.Request("GET", "/v1/items", [("Authorization", f"Bearer {token}")], now=NOW)


@pytest.fixture(scope="module")
def key() -> portcullis.JwtKey:
    return portcullis.JwtKey.generate("ES256")


def static_issuer(key: portcullis.JwtKey, name: str = "https://as.example") -> dict[str, Any]:
    jwk = key.public_jwk()
    return {"issuer": name, "keys": {"static": [{"alg": "ES256", "kid": key.kid, "jwk": jwk}]}}


def ticks_during(call: Callable[[], object]) -> int:
    """How many times another Python thread ran (every 5 ms) while `call` ran; `call`'s
    exception, if any, is raised after the thread is joined."""
    ticks = 0
    done = threading.Event()

    def tick() -> None:
        nonlocal ticks
        while not done.is_set() and ticks < 10_000:
            ticks += 1
            time.sleep(0.005)

    t = threading.Thread(target=tick)
    t.start()
    try:
        call()
    finally:
        done.set()
        t.join(timeout=5)
    return ticks


def test_a_token_of_a_listed_issuer_is_a_principal(key: portcullis.JwtKey) -> None:
    v = verifier([static_issuer(key)])
    assert v.method == "oauth2"
    p = v.verify(bearer(token_for(key, roles=["reader"])), ["items:read"])
    assert (p.subject, p.method, p.credential_id) == ("user-1", "oauth2", "client-1")
    assert p.scopes == ["items:read"] and p.claims["roles"] == ["reader"]


def test_challenges_metadata_and_the_nonce_header(key: portcullis.JwtKey) -> None:
    v = verifier(
        [static_issuer(key)],
        dpop={"algorithms": ["ES256"], "nonce": {"secret": "secret:nonce", "step_seconds": 60}},
        metadata={"scopes_supported": ["items:read"]},
    )
    meta = f'resource_metadata="{RESOURCE}/.well-known/oauth-protected-resource"'
    assert v.challenge == f'Bearer realm="api", {meta}, DPoP realm="api", algs="ES256", {meta}'
    doc = json.loads(v.resource_metadata or "")
    assert doc["resource"] == RESOURCE and doc["authorization_servers"] == ["https://as.example"]
    assert doc["scopes_supported"] == ["items:read"]
    with pytest.raises(portcullis.RequestError) as info:
        v.verify(portcullis.Request("GET", "/v1/items", [], now=NOW))
    err = info.value
    assert err.code == "credentials_missing" and err.http_status == 401
    assert err.challenge is not None and err.challenge.startswith('Bearer realm="api"')
    [(name, nonce)] = err.headers
    assert name == "DPoP-Nonce" and len(nonce) >= 16
    # A scope the token lacks: 403 and the challenge names it; no nonce on a 403.
    with pytest.raises(portcullis.RequestError) as info:
        v.verify(bearer(token_for(key)), ["items:write"])
    assert info.value.http_status == 403 and info.value.headers == []
    assert 'error="insufficient_scope", scope="items:write"' in (info.value.challenge or "")


def test_other_methods_have_no_metadata_and_no_headers() -> None:
    jwt = portcullis.Verifier.from_json(
        json.dumps({"method": "jwt", "audiences": ["a"],
                    "keys": {"static": [{"alg": "HS256", "secret": "secret:s"}]}}),
        secrets={"s": "s" * 32},
    )
    assert jwt.resource_metadata is None and jwt.challenge == 'Bearer realm="api"'
    with pytest.raises(portcullis.AuthError) as info:
        jwt.verify(portcullis.Request("GET", "/", [], now=NOW))
    assert info.value.headers == []


def test_oauth_codes_raise_oauth_error(key: portcullis.JwtKey) -> None:
    v = verifier([static_issuer(key)])
    with pytest.raises(portcullis.OAuthError) as info:
        v.verify(bearer("an-opaque-token"))
    assert info.value.code == "oauth_issuer_unknown" and info.value.category == "oauth"
    bound = token_for(key, cnf={"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"})
    with pytest.raises(portcullis.OAuthError) as info:
        v.verify(bearer(bound))
    assert info.value.code == "oauth_binding_mismatch"


def test_an_unlisted_issuer_is_never_fetched(key: portcullis.JwtKey) -> None:
    jwks = json.dumps({"keys": [dict(key.public_jwk(), kid=key.kid, alg="ES256")]})
    with LoopbackHttp({"/jwks": Reply(200, jwks)}) as listed, \
         LoopbackHttp({"/jwks": Reply(200, jwks)}) as unlisted:
        v = verifier([{"issuer": "https://as.example", "keys": {"remote": {"url": listed.base + "/jwks"}}}])
        # The token names the other server as issuer (and carries its JWKS URL nowhere):
        # refused on its iss alone.
        with pytest.raises(portcullis.OAuthError) as info:
            v.verify(bearer(token_for(key, iss=unlisted.base)))
        assert info.value.code == "oauth_issuer_unknown"
        assert unlisted.requests == [] and listed.requests == []
        p = v.verify(bearer(token_for(key)))
        assert p.subject == "user-1" and listed.requests == ["/jwks"]


def test_a_verify_that_fetches_releases_the_gil(key: portcullis.JwtKey) -> None:
    jwks = json.dumps({"keys": [dict(key.public_jwk(), kid=key.kid, alg="ES256")]})
    with LoopbackHttp({"/jwks": Reply(200, jwks)}, delay=0.3) as server:
        v = verifier([{"issuer": "https://as.example", "keys": {"remote": {"url": server.base + "/jwks"}}}])
        ticks = ticks_during(lambda: v.verify(bearer(token_for(key))))
        assert ticks >= 10, "the other thread ran while the key set was fetched"


def introspecting(server: LoopbackHttp, **extra: Any) -> portcullis.Verifier:
    settings = {"endpoint": server.base + "/introspect", "client_id": "api",
                "client_secret": "secret:client", "connect_timeout_ms": 500, "timeout_ms": 500,
                **extra}
    return verifier([{"issuer": "https://as.example", "introspection": settings}])


def active(**extra: Any) -> str:
    body = {"active": True, "sub": "user-9", "client_id": "client-3", "scope": "items:read",
            "exp": NOW + 600, "iss": "https://as.example", "aud": RESOURCE, **extra}
    return json.dumps(body)


def test_an_opaque_token_is_introspected_once_then_cached() -> None:
    with LoopbackHttp({"/introspect": Reply(200, active())}) as server:
        v = introspecting(server)
        for _ in range(3):
            p = v.verify(bearer("opaque-token-1"), ["items:read"])
            assert (p.subject, p.credential_id, p.method) == ("user-9", "client-3", "oauth2")
        [(path, body, authorization)] = server.posts
        assert path == "/introspect" and b"token=opaque-token-1" in body
        assert authorization is not None and authorization.startswith("Basic ")
        with pytest.raises(portcullis.RequestError) as info:
            v.verify(bearer("opaque-token-1"), ["items:write"])
        assert info.value.code == "scope_insufficient" and len(server.posts) == 1


@pytest.mark.parametrize(
    "reply, code",
    [
        (Reply(200, '{"active": false}'), "oauth_token_inactive"),
        (Reply(500, "oops", [("Content-Type", "text/plain")]), "oauth_introspection_unavailable"),
        (Reply(200, "<html>", [("Content-Type", "text/html")]), "oauth_introspection_invalid"),
        (Reply(302, "", [("Location", "https://evil.example/")]), "oauth_introspection_unavailable"),
        (Reply(200, '{"active": "yes"}'), "oauth_introspection_invalid"),
        (Reply(200, active(x="a" * 100_000)), "oauth_introspection_unavailable"),
    ],
)
def test_what_the_endpoint_answers_decides(reply: Reply, code: str) -> None:
    with LoopbackHttp({"/introspect": reply}) as server:
        v = introspecting(server)
        with pytest.raises(portcullis.OAuthError) as info:
            v.verify(bearer("opaque-token-2"))
        assert info.value.code == code
        status = 401 if code == "oauth_token_inactive" else 503
        assert info.value.http_status == status
        assert ("error=" in (info.value.challenge or "")) == (status == 401)


def test_a_slow_endpoint_fails_closed_and_the_gil_is_free_meanwhile() -> None:
    with LoopbackHttp({"/introspect": Reply(200, active())}, delay=2.0) as server:
        v = introspecting(server)
        errors: list[portcullis.OAuthError] = []

        def call() -> None:
            try:
                v.verify(bearer("opaque-token-3"))
            except portcullis.OAuthError as e:
                errors.append(e)

        started = time.monotonic()
        ticks = ticks_during(call)
        [error] = errors
        assert error.code == "oauth_introspection_unavailable"
        assert time.monotonic() - started < 1.9, "the timeout bounded the wait"
        assert ticks >= 10
