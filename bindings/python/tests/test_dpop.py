"""DPoP proofs (RFC 9449): every case of tests/vectors/dpop.json, then what the vectors cannot
show: proofs made by joserfc (an independent JOSE implementation) verify here, nonces rotate,
one proof is accepted once however many threads race with it, and refusals are ``OAuthError``
with the registry's code names."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, OKPKey, RSAKey

import portcullis
from conftest import VECTORS

CASES: list[dict[str, Any]] = json.loads((VECTORS / "dpop.json").read_text("utf-8"))["cases"]
URI = "https://api.example.com/orders"
SECRET = "python-dpop-nonce-secret-0123456789abcdef"


def proof_dict(p: portcullis.DpopProof) -> dict[str, Any]:
    return {"thumbprint": p.thumbprint, "jti": p.jti, "iat": p.iat, "algorithm": p.algorithm,
            "nonce": p.nonce}


def build_request(spec: dict[str, Any], now: int) -> portcullis.Request:
    return portcullis.Request(spec["method"], spec["target"],
                              [(n, v) for n, v in spec.get("headers", [])], now=now,
                              scheme=spec.get("scheme"))


def run_step(verifier: portcullis.DpopVerifier, step: dict[str, Any]) -> dict[str, Any]:
    op = step["op"]
    try:
        if op == "load":
            return {"ok": {}}
        if op == "verify":
            return {"ok": proof_dict(verifier.verify(step["proof"], step["method"], step["uri"],
                                                     step.get("access_token"), step["now"]))}
        if op == "verify_request":
            request = build_request(step["request"], step["now"])
            return {"ok": proof_dict(verifier.verify_request(request, step.get("access_token"),
                                                             step.get("origin")))}
        if op == "nonce":
            return {"ok": {"nonce": verifier.nonce(step["now"])}}
        if op == "algs":
            return {"ok": {"algs": verifier.algorithms_param}}
        if op == "thumbprint":
            return {"ok": {"thumbprint": portcullis.jwk_thumbprint(step["jwk"])}}
    except portcullis.AuthError as e:
        return {"error": e.code}
    raise AssertionError(f"unknown op {op!r}")


def test_the_vector_file_is_large_and_mostly_refusals() -> None:
    refusals = [c for c in CASES if "error" in c["steps"][-1]["expect"]]
    assert len(CASES) >= 75 and len(refusals) * 3 >= len(CASES) * 2


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_vector(case: dict[str, Any]) -> None:
    try:
        verifier = portcullis.DpopVerifier.from_json(json.dumps(case["config"]))
    except portcullis.AuthError as e:
        assert [s["op"] for s in case["steps"]] == ["load"]
        assert case["steps"][0]["expect"] == {"error": e.code}
        return
    for i, step in enumerate(case["steps"]):
        assert run_step(verifier, step) == step["expect"], f"step {i}"


def test_keyword_configuration_is_the_json_schema() -> None:
    v = portcullis.DpopVerifier(algorithms=["EdDSA", "ES256"], max_age_seconds=60,
                                nonce={"secret": SECRET, "step_seconds": 60})
    assert v.algorithms_param == "EdDSA ES256"
    assert "secret" not in repr(v) and SECRET not in repr(v)
    assert portcullis.DpopVerifier().nonce() is None
    with pytest.raises(portcullis.UsageError) as e:
        portcullis.DpopVerifier(algorithms=["HS256"])
    assert e.value.code == "config_invalid"
    with pytest.raises(portcullis.UsageError) as e:
        portcullis.DpopVerifier(max_age=60)  # type: ignore[call-arg]
    assert e.value.code == "json_invalid"


# --- joserfc interop ------------------------------------------------------------------------

def joserfc_proof(key: Any, alg: str, claims: dict[str, Any]) -> str:
    """A proof made the way a joserfc client makes one: its own header, its own signature."""
    header = {"typ": "dpop+jwt", "alg": alg, "jwk": key.as_dict(private=False)}
    return jws.serialize_compact(header, json.dumps(claims), key, algorithms=[alg])


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")  # RFC 9864 names it Ed25519
@pytest.mark.parametrize("alg", ["ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"])
def test_joserfc_proofs_verify(alg: str) -> None:
    key: Any
    if alg.startswith("ES"):
        key = ECKey.generate_key({"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg])
    elif alg == "EdDSA":
        key = OKPKey.generate_key("Ed25519")
    else:
        key = RSAKey.generate_key(2048)
    now = int(time.time())
    token = "opaque-access-token"
    v = portcullis.DpopVerifier()
    claims = {"jti": f"joserfc-{alg}", "htm": "POST", "htu": URI, "iat": now,
              "ath": portcullis_ath(token)}
    proof = joserfc_proof(key, alg, claims)
    got = v.verify(proof, "POST", URI, token)
    assert got.algorithm == alg and got.jti == f"joserfc-{alg}" and got.iat == now
    assert got.thumbprint == key.thumbprint()  # joserfc's RFC 7638 thumbprint
    assert got.thumbprint == portcullis.jwk_thumbprint(key.as_dict(private=False))
    with pytest.raises(portcullis.OAuthError) as e:
        v.verify(proof, "POST", URI, token)
    assert e.value.code == "dpop_proof_replayed"
    # The same proof through a Request, on a fresh verifier.
    request = portcullis.Request("POST", "/orders?x=1", [("Host", "api.example.com"),
                                                        ("Authorization", "DPoP " + token),
                                                        ("DPoP", proof)])
    assert portcullis.DpopVerifier().verify_request(request, token).thumbprint == got.thumbprint


def portcullis_ath(token: str) -> str:
    import base64
    import hashlib
    return base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()


def test_joserfc_private_and_symmetric_keys_are_refused() -> None:
    key = ECKey.generate_key("P-256")
    now = int(time.time())
    claims = {"jti": "private", "htm": "GET", "htu": URI, "iat": now}
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=True)}
    proof = jws.serialize_compact(header, json.dumps(claims), key, algorithms=["ES256"])
    with pytest.raises(portcullis.OAuthError) as e:
        portcullis.DpopVerifier().verify(proof, "GET", URI)
    assert e.value.code == "dpop_proof_invalid"
    assert e.value.http_status == 401
    assert "private" in e.value.detail and proof[:20] not in e.value.detail


# --- behaviour the vectors cannot show ------------------------------------------------------

def test_nonces_rotate_and_are_the_same_on_every_instance() -> None:
    a = portcullis.DpopVerifier(nonce={"secret": SECRET, "step_seconds": 60})
    b = portcullis.DpopVerifier.from_json(json.dumps({"nonce": {"secret": SECRET,
                                                                "step_seconds": 60}}))
    t = 1_750_000_040  # 20 s into a step
    n = a.nonce(t)
    assert n is not None and n == b.nonce(t) == a.nonce(t + 39)
    assert a.nonce(t + 40) != n
    key = ECKey.generate_key("P-256")

    def with_nonce(nonce: str | None, jti: str, now: int) -> str:
        claims: dict[str, Any] = {"jti": jti, "htm": "GET", "htu": URI, "iat": now}
        if nonce is not None:
            claims["nonce"] = nonce
        return joserfc_proof(key, "ES256", claims)

    assert a.verify(with_nonce(n, "1", t), "GET", URI, now=t).nonce == n
    # Still accepted during the next step, not the one after.
    assert b.verify(with_nonce(n, "2", t + 60), "GET", URI, now=t + 60).nonce == n
    for bad, jti, when in ((n, "3", t + 120), (None, "4", t), ("garbage", "5", t)):
        with pytest.raises(portcullis.OAuthError) as e:
            a.verify(with_nonce(bad, jti, when), "GET", URI, now=when)
        assert e.value.code == "dpop_nonce_required"
        assert e.value.message == "A DPoP nonce is required."


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_one_proof_is_accepted_once_across_threads() -> None:
    v = portcullis.DpopVerifier()
    key = OKPKey.generate_key("Ed25519")
    now = int(time.time())
    proofs = [joserfc_proof(key, "EdDSA", {"jti": f"t{i}", "htm": "GET", "htu": URI,
                                           "iat": now}) for i in range(8)]
    results: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        for p in proofs:
            try:
                v.verify(p, "GET", URI, now=now)
                outcome = "ok"
            except portcullis.OAuthError as e:
                outcome = e.code
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == len(proofs)
    assert results.count("dpop_proof_replayed") == 8 * len(proofs) - len(proofs)


def test_refusals_are_oauth_errors_with_their_codes() -> None:
    v = portcullis.DpopVerifier()
    cases: dict[str, Callable[[], object]] = {
        "dpop_proof_invalid": lambda: v.verify("not.a.proof", "GET", URI),
        "dpop_proof_missing": lambda: v.verify_request(
            portcullis.Request("GET", "/orders", [("Host", "api.example.com")])),
    }
    for code, call in cases.items():
        with pytest.raises(portcullis.OAuthError) as e:
            call()
        assert e.value.code == code and e.value.category == "oauth"
        assert isinstance(e.value, portcullis.AuthError)
    key = ECKey.generate_key("P-256")
    now = int(time.time())
    proof = joserfc_proof(key, "ES256", {"jti": "m", "htm": "GET", "htu": URI, "iat": now - 600})
    with pytest.raises(portcullis.OAuthError) as e:
        v.verify(proof, "GET", URI)
    assert e.value.code == "dpop_proof_stale"
    with pytest.raises(portcullis.OAuthError) as e:
        v.verify(proof, "GET", "https://api.example.com/other", now=now - 600)
    assert e.value.code == "dpop_proof_mismatch"
    with pytest.raises(TypeError):
        v.verify(b"bytes", "GET", URI)  # type: ignore[arg-type]
