"""Remote key sets beyond the vectors: a real loopback HTTP server whose JWKS rotates during
the test, OpenID discovery, an endpoint that is down or broken, the status dict, concurrent
verification (single flight), and the GIL released during a slow fetch. Tokens are signed with
PyJWT and the JWKS is written from pyca/cryptography keys (PyJWT's ``to_jwk``)."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import portcullis
from loopback_http import LoopbackHttp, Reply
from portcullis import JwksClient, JwtError, JwtVerifier, Request, UsageError

ISS = "https://idp.example"
STATUS_FIELDS = {
    "state",
    "issuer",
    "jwks_uri",
    "keys",
    "kids",
    "fetched_at",
    "expires_at",
    "stale_until",
    "last_attempt_at",
    "fetch_count",
    "failure_count",
    "last_error",
    "fetching",
}
LOOSE: Any = portcullis


class Signer:
    """A PyJWT signing key and its public JWK."""

    def __init__(self, kid: str, alg: str = "ES256") -> None:
        self.kid, self.alg = kid, alg
        if alg == "ES256":
            self.key: Any = ec.generate_private_key(ec.SECP256R1())
            jwk = pyjwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        else:
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            jwk = pyjwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        self.jwk: dict[str, Any] = {**jwk, "kid": kid, "alg": alg, "use": "sig"}

    def token(self, sub: str = "user-1", **extra: Any) -> str:
        now = int(time.time())
        claims = {"sub": sub, "iss": ISS, "iat": now, "exp": now + 600, **extra}
        return pyjwt.encode(claims, self.key, algorithm=self.alg, headers={"kid": self.kid})


def jwks(*signers: Signer, max_age: int = 300) -> Reply:
    body = json.dumps({"keys": [s.jwk for s in signers]})
    return Reply(
        200,
        body,
        [("Content-Type", "application/jwk-set+json"), ("Cache-Control", f"max-age={max_age}")],
    )


def refused(call: Any, code: str) -> JwtError:
    with pytest.raises(JwtError) as info:
        call()
    assert info.value.code == code, info.value.detail
    return info.value


def test_rotation_old_key_then_new_kid_after_refetch() -> None:
    k1, k2, k3 = Signer("k1"), Signer("k2", "RS256"), Signer("k3")
    with LoopbackHttp({"/jwks": jwks(k1)}) as server:
        client = JwksClient(f"{server.base}/jwks", kid_miss_cooldown_seconds=1)
        verifier = JwtVerifier(client, issuers=[ISS])
        assert client.status()["state"] == "empty" and server.requests == []  # lazy
        assert verifier.verify_token(k1.token()).subject == "user-1"
        assert verifier.verify_token(k1.token("user-2")).subject == "user-2"  # cached
        assert server.requests == ["/jwks"]
        # The identity provider rotates: k1 out, k2 in.
        server.route("/jwks", jwks(k2))
        token2 = k2.token()
        deadline = time.monotonic() + 5
        while True:
            try:
                principal = verifier.verify_token(token2)
                break
            except JwtError as err:
                # Within the cooldown since the last fetch an unknown kid is not refetched.
                assert err.code == "jwt_key_unknown", err.detail
                assert time.monotonic() < deadline, "k2 never appeared"
                time.sleep(0.05)
        assert principal.subject == "user-1" and principal.credential_id == "k2"
        assert server.requests == ["/jwks", "/jwks"]
        assert client.status()["kids"] == ["k2"]
        # k1 is gone from the new set: its tokens are now refused.
        refused(lambda: verifier.verify_token(k1.token()), "jwt_key_unknown")
        # refresh() fetches at once, whatever the cooldown.
        server.route("/jwks", jwks(k2, k3))
        client.refresh()
        assert client.status()["kids"] == ["k2", "k3"]
        assert verifier.verify_token(k3.token()).credential_id == "k3"
        # Through a request too, and through the portcullis.jwt namespace.
        request = Request("GET", "/", [("Authorization", f"Bearer {k3.token('user-3')}")])
        assert verifier.verify(request).subject == "user-3"
        assert portcullis.jwt.decode(k2.token(), client, issuers=[ISS])["sub"] == "user-1"
        assert portcullis.jwt.JwksClient is JwksClient
        assert server.requests == ["/jwks"] * 3


def test_discovery_via_issuer() -> None:
    k1 = Signer("k1")
    with LoopbackHttp() as server:
        issuer = f"{server.base}/tenant"
        server.route(
            "/tenant/.well-known/openid-configuration",
            Reply(200, json.dumps({"issuer": issuer, "jwks_uri": f"{server.base}/tenant/keys"})),
        )
        server.route("/tenant/keys", jwks(k1))
        client = JwksClient(issuer=issuer)
        assert client.discovered() is None  # lazy: nothing fetched yet
        verifier = JwtVerifier.from_json(json.dumps({"issuers": [ISS]}), client)
        assert verifier.verify_token(k1.token()).subject == "user-1"
        assert server.requests == ["/tenant/.well-known/openid-configuration", "/tenant/keys"]
        assert client.discovered() == {"issuer": issuer, "jwks_uri": f"{server.base}/tenant/keys"}
        status = client.status()
        assert (status["issuer"], status["jwks_uri"]) == (issuer, f"{server.base}/tenant/keys")
        assert status["fetch_count"] == 1  # discovery and its JWKS count as one
        # The JSON form builds the same client.
        same = JwksClient.from_json(json.dumps({"issuer": issuer}))
        same.refresh()
        assert same.status()["kids"] == ["k1"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_endpoint_down_and_broken() -> None:
    k1 = Signer("k1")
    url = f"http://127.0.0.1:{free_port()}/jwks"
    client = JwksClient(url, timeout_ms=2000, connect_timeout_ms=1000)
    verifier = JwtVerifier(client)
    err = refused(lambda: verifier.verify_token(k1.token()), "jwt_jwks_unavailable")
    assert err.http_status == 503 and err.category == "jwt" and err.number == 420
    refused(client.refresh, "jwt_jwks_unavailable")
    status = client.status()
    assert status["state"] == "empty" and status["failure_count"] == 2
    assert status["last_error"]["code"] == "jwt_jwks_unavailable"
    assert "127.0.0.1" in status["last_error"]["detail"]
    with LoopbackHttp({"/jwks": Reply(500, "oops")}) as server:
        broken = JwksClient(f"{server.base}/jwks")
        refused(broken.refresh, "jwt_jwks_unavailable")
        server.route("/jwks", Reply(200, '{"keys": "nope"}'))
        refused(broken.refresh, "jwt_jwks_invalid")
        server.route("/jwks", jwks(k1))
        broken.refresh()
        # A later failure keeps the good set in use.
        server.route("/jwks", Reply(503, ""))
        refused(broken.refresh, "jwt_jwks_unavailable")
        status = broken.status()
        assert status["state"] == "fresh" and status["kids"] == ["k1"]
        assert (status["fetch_count"], status["failure_count"]) == (4, 3)
        assert JwtVerifier(broken).verify_token(k1.token()).subject == "user-1"
    with LoopbackHttp({"/.well-known/openid-configuration": Reply(200, "[]")}) as server:
        discovering = JwksClient(issuer=server.base)
        refused(lambda: JwtVerifier(discovering).verify_token(k1.token()), "jwt_discovery_invalid")


def test_status_contents() -> None:
    k1 = Signer("k1")
    with LoopbackHttp({"/jwks?tenant=secret": jwks(k1, max_age=1000)}) as server:
        client = JwksClient(f"{server.base}/jwks?tenant=secret", min_ttl_seconds=60)
        status = client.status()
        assert set(status) == STATUS_FIELDS
        assert status == {
            "state": "empty",
            "issuer": None,
            "jwks_uri": f"{server.base}/jwks",  # never the query
            "keys": 0,
            "kids": [],
            "fetched_at": None,
            "expires_at": None,
            "stale_until": None,
            "last_attempt_at": None,
            "fetch_count": 0,
            "failure_count": 0,
            "last_error": None,
            "fetching": False,
        }
        before = int(time.time())
        client.refresh()
        status = client.status()
        after = int(time.time())
        assert status["state"] == "fresh" and status["keys"] == 1 and status["kids"] == ["k1"]
        assert before - 1 <= status["fetched_at"] <= after + 1
        assert status["expires_at"] - status["fetched_at"] in (999, 1000, 1001)
        assert status["stale_until"] - status["expires_at"] in (86_399, 86_400, 86_401)
        assert (status["fetch_count"], status["failure_count"]) == (1, 0)
        assert "secret" not in repr(client) and "secret" not in json.dumps(status)
        assert repr(client) == (
            f"JwksClient(jwks_uri='{server.base}/jwks', issuer=None, state='fresh', keys=1)"
        )
        assert repr(JwtVerifier(client)).startswith(f"JwtVerifier(jwks_uri='{server.base}/jwks'")


def test_concurrent_verification_is_single_flight() -> None:
    k1 = Signer("k1")
    with LoopbackHttp({"/jwks": jwks(k1)}, delay=0.2) as server:
        verifier = JwtVerifier(JwksClient(f"{server.base}/jwks"), issuers=[ISS])
        tokens = [k1.token(f"user-{i}") for i in range(8)]
        barrier = threading.Barrier(len(tokens))
        results: dict[int, str] = {}
        errors: list[BaseException] = []

        def work(i: int) -> None:
            try:
                barrier.wait(timeout=5)
                for _ in range(10):
                    results[i] = verifier.verify_token(tokens[i]).subject
            except BaseException as err:  # reported below
                errors.append(err)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(tokens))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        assert not any(t.is_alive() for t in threads)
        assert errors == []
        assert results == {i: f"user-{i}" for i in range(len(tokens))}
        assert server.requests == ["/jwks"]  # one fetch for eight threads


def test_gil_released_during_a_slow_fetch() -> None:
    k1 = Signer("k1")
    with LoopbackHttp({"/jwks": jwks(k1)}, delay=0.5) as server:
        verifier = JwtVerifier(JwksClient(f"{server.base}/jwks"))
        ticks = 0
        stop = threading.Event()

        def tick() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                time.sleep(0.005)

        ticker = threading.Thread(target=tick)
        ticker.start()
        try:
            time.sleep(0.02)
            start, before = time.monotonic(), ticks
            assert verifier.verify_token(k1.token()).subject == "user-1"
            elapsed, during = time.monotonic() - start, ticks - before
        finally:
            stop.set()
            ticker.join(timeout=5)
        assert elapsed >= 0.45
        # Another Python thread kept running the whole time (~100 ticks at 5 ms; the server's
        # own Python thread answered too, which it could not do under a held GIL).
        assert during >= 20, during
        # refresh() releases the GIL as well.
        ticks, stop = 0, threading.Event()
        ticker = threading.Thread(target=tick)
        ticker.start()
        try:
            start = time.monotonic()
            JwksClient(f"{server.base}/jwks").refresh()
            elapsed = time.monotonic() - start
        finally:
            stop.set()
            ticker.join(timeout=5)
        assert elapsed >= 0.45 and ticks >= 20, ticks


def test_bad_configurations() -> None:
    def usage(call: Any, code: str) -> None:
        with pytest.raises(UsageError) as info:
            call()
        assert info.value.code == code, info.value.detail

    usage(lambda: JwksClient(), "config_invalid")  # neither url nor issuer
    usage(lambda: JwksClient("http://idp.example/jwks"), "config_invalid")  # http off loopback
    usage(lambda: JwksClient("https://idp.example/jwks", issuer=ISS), "config_invalid")
    idp = "https://idp.example/jwks"
    usage(lambda: JwksClient(idp, kid_miss_cooldown_seconds=0), "config_invalid")
    usage(lambda: JwksClient("https://idp.example/jwks", algorithms=["HS256"]), "config_invalid")
    usage(lambda: LOOSE.JwksClient("https://idp.example/jwks", ttl=5), "json_invalid")
    usage(lambda: LOOSE.JwksClient(idp, discovery="webfinger"), "json_invalid")
    usage(lambda: JwksClient.from_json("{"), "json_invalid")
    negative = json.dumps({"url": idp, "min_ttl_seconds": -1})
    usage(lambda: JwksClient.from_json(negative), "json_invalid")
    with pytest.raises(TypeError):
        LOOSE.JwksClient("https://idp.example/jwks", ca_pem=object())
    with pytest.raises(TypeError):
        LOOSE.JwksClient(b"https://idp.example/jwks")
    with pytest.raises(TypeError):
        LOOSE.JwtVerifier("not a key set")
    with pytest.raises(TypeError):
        LOOSE.JwtVerifier.from_json("{}", object())
    # Accepted configurations do no I/O.
    client = JwksClient(
        "https://idp.example/jwks",
        min_ttl_seconds=60,
        max_ttl_seconds=3600,
        default_ttl_seconds=600,
        max_stale_seconds=0,
        timeout_ms=1000,
        connect_timeout_ms=500,
        max_bytes=1024,
        algorithms=["ES256", "RS256"],
        require_kid=True,
    )
    assert client.status()["fetch_count"] == 0
