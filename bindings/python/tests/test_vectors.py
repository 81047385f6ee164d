"""Runs every case of tests/vectors/{apikey,basic,webhook,hmac,httpsig,jwt,jwks}.json and
tests/vectors/mtls/mtls.json through the binding.

Configurations are built with the keyword constructors (a config object's fields map 1:1 to
keyword arguments); records with ``ApiKeyRecord.from_json``. An unknown ``op`` fails the case.
The remote JWKS cases each get their own loopback HTTP server (``loopback_http``).
"""

from __future__ import annotations

import base64
import json
from typing import Any, Callable

import pytest

import portcullis
from conftest import VECTORS
from loopback_http import LoopbackHttp, Reply


def load(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((VECTORS / f"{name}.json").read_text("utf-8"))["cases"]
    assert cases, f"{name}.json has no case"
    return cases


class Refused(Exception):
    """A refusal a runner reports itself (a primitive that answers False), like an AuthError."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.detail = code
        self.challenge: str | None = None


def headers_of(spec: dict[str, Any]) -> list[tuple[str, str | bytes]]:
    headers: list[tuple[str, str | bytes]] = [(n, v) for n, v in spec.get("headers", [])]
    headers += [(n, base64.b64decode(v)) for n, v in spec.get("headers_b64", [])]
    return headers


def body_of(spec: dict[str, Any]) -> bytes | None:
    if "body_b64" in spec:
        return base64.b64decode(spec["body_b64"])
    if "body" in spec:
        return str(spec["body"]).encode("utf-8")
    return None


def build_request(spec: dict[str, Any], now: int) -> portcullis.Request:
    return portcullis.Request(
        spec["method"],
        spec["target"],
        headers_of(spec),
        body=body_of(spec),
        now=now,
        scheme=spec.get("scheme"),
    )


def build_response(spec: dict[str, Any], now: int) -> portcullis.Response:
    return portcullis.Response(spec["status"], headers_of(spec), body=body_of(spec), now=now)


def canonical(value: Any) -> str:
    """Compact JSON with sorted keys: what serde_json writes for the core's claims."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def check_principal(principal: portcullis.Principal, want: dict[str, Any]) -> None:
    checked = 0
    for field in ("subject", "method", "credential_id", "scopes", "claims", "expires_at"):
        if field in want:
            assert getattr(principal, field) == want[field], field
            checked += 1
    if "claims_canonical" in want:
        assert canonical(principal.claims) == want["claims_canonical"]
        checked += 1
    assert checked == len(want), f"unchecked principal fields in {sorted(want)}"


def ring_of(inp: dict[str, Any]) -> portcullis.ApiKeyRing:
    return portcullis.ApiKeyRing(bytes.fromhex(inp["pepper_hex"]), **inp["config"])


def run_apikey(inp: dict[str, Any], now: int) -> dict[str, Any] | portcullis.Principal:
    op = inp["op"]
    if op == "verify":
        ring = ring_of(inp)
        for record in inp["records"]:
            ring.insert(portcullis.ApiKeyRecord.from_json(json.dumps(record)))
        return ring.verify(build_request(inp["request"], now), inp["scopes"])
    if op == "verify_record":
        ring = ring_of(inp)
        record = portcullis.ApiKeyRecord.from_json(json.dumps(inp["record"]))
        return ring.verify_record(build_request(inp["request"], now), record, inp["scopes"])
    if op == "check_format":
        return {"environment": ring_of(inp).check_format(inp["key"])}
    if op == "lookup_digest":
        return {"digest": ring_of(inp).lookup_digest(build_request(inp["request"], now))}
    pytest.fail(f"unknown op {op!r}")


def run_basic(inp: dict[str, Any], now: int) -> dict[str, Any] | portcullis.Principal:
    op = inp["op"]
    if op == "parse":
        header: str | bytes = (
            base64.b64decode(inp["header_b64"]) if "header_b64" in inp else inp["header"]
        )
        creds = portcullis.parse_basic(header)
        return {"user_id": creds.user_id, "password": creds.password}
    if op == "verify":
        auth = portcullis.BasicAuth(**inp["config"])
        return auth.verify(build_request(inp["request"], now))
    if op == "load":
        return {"users": len(portcullis.BasicAuth(**inp["config"]))}
    pytest.fail(f"unknown op {op!r}")


def run_webhook(inp: dict[str, Any], now: int) -> dict[str, Any] | portcullis.Principal:
    op = inp["op"]
    if op == "verify":
        verifier = portcullis.WebhookVerifier(**inp["config"])
        request = build_request(inp["request"], now)
        for attempt in range(inp.get("times", 1) - 1):
            try:  # every attempt but the last must pass
                verifier.verify(request)
            except portcullis.AuthError as err:
                pytest.fail(f"attempt {attempt + 1} refused: {err}")
        return verifier.verify(request)
    if op == "sign":
        signer = portcullis.WebhookSigner(inp["scheme"], inp["secret"])
        headers = signer.sign(
            inp["body"].encode("utf-8"), timestamp=inp["timestamp"], message_id=inp["message_id"]
        )
        return {"headers": [[n, v] for n, v in headers]}
    pytest.fail(f"unknown op {op!r}")


def run_webhook_payload(inp: dict[str, Any], now: int) -> portcullis.Principal:
    """A `verify` case through `verify_payload` (raw body and header pairs, no Request), on a
    verifier of its own: it must decide as `verify` does."""
    verifier = portcullis.WebhookVerifier(**inp["config"])
    spec = inp["request"]
    body, headers = body_of(spec), headers_of(spec)
    assert body is not None
    for attempt in range(inp.get("times", 1) - 1):
        try:  # every attempt but the last must pass
            verifier.verify_payload(body, headers, now=now)
        except portcullis.AuthError as err:
            pytest.fail(f"attempt {attempt + 1} refused: {err}")
    return verifier.verify_payload(body, headers, now=now)


def run_hmac(inp: dict[str, Any], now: int) -> dict[str, Any] | portcullis.Principal:
    op = inp["op"]
    if op == "hmac":
        alg, key, data = (
            inp["algorithm"],
            bytes.fromhex(inp["key_hex"]),
            bytes.fromhex(inp["data_hex"]),
        )
        out: dict[str, Any] = {"mac_hex": portcullis.mac(alg, key, data).hex()}
        if "tag_hex" in inp:
            if not portcullis.verify_mac(alg, key, data, bytes.fromhex(inp["tag_hex"])):
                raise Refused("signature_mismatch")
            out["valid"] = True
        return out
    if op == "content_digest":
        return {"value": portcullis.content_digest(inp["body"].encode("utf-8"), inp["algorithm"])}
    if op == "content_digest_verify":
        return {"algorithm": portcullis.verify_content_digest(inp["header"], body_of(inp))}
    if op == "canonical_request":
        canonical = portcullis.hmac_canonical_request(
            build_request(inp["request"], now), **inp["params"]
        )
        return {"canonical": canonical}
    if op == "sign":
        k = inp["key"]
        signing_key = portcullis.HmacSigningKey(
            k["key_id"], base64.b64decode(k["secret_b64"]), k["algorithm"]
        )
        request = build_request(inp["request"], now)
        signed = dict(portcullis.sign_request(request, signing_key, **inp["options"]))
        assert set(signed) <= {"Authorization", "Content-Digest"}
        return {
            "authorization": signed["Authorization"],
            "content_digest": signed.get("Content-Digest"),
        }
    if op == "verify":
        return portcullis.HmacVerifier(**inp["config"]).verify(build_request(inp["request"], now))
    if op == "verify_sequence":
        verifier = portcullis.HmacVerifier(**inp["config"])
        results: list[str] = []
        for step in inp["steps"]:
            try:
                verifier.verify(build_request(step["request"], step.get("now", now)))
                results.append("ok")
            except portcullis.AuthError as err:
                results.append(err.code)
        return {"results": results}
    pytest.fail(f"unknown op {op!r}")


def keyring_of(keys: list[dict[str, Any]]) -> portcullis.HttpSigKeyring:
    keyring = portcullis.HttpSigKeyring()
    for key in keys:
        if "secret_b64" in key:
            assert key["alg"] == "hmac-sha256"
            keyring.add_hmac_secret(key["keyid"], base64.b64decode(key["secret_b64"]))
        else:
            keyring.add_public_pem(key["keyid"], key["alg"], key["pem"])
    assert len(keyring) == len({k["keyid"] for k in keys})
    return keyring


def message_of(
    inp: dict[str, Any], now: int
) -> tuple[portcullis.Request | portcullis.Response, portcullis.Request | None]:
    related = build_request(inp["related_request"], now) if "related_request" in inp else None
    if "response" in inp:
        return build_response(inp["response"], now), related
    assert related is None, "related_request without a response"
    return build_request(inp["request"], now), None


def run_httpsig(inp: dict[str, Any], now: int) -> dict[str, Any] | portcullis.Principal:
    op = inp["op"]
    if op == "verify":
        keyring = keyring_of(inp["keys"])
        verifier = portcullis.HttpSigVerifier(keyring, **inp["config"])
        message, related = message_of(inp, now)

        def verify() -> portcullis.Principal:
            if isinstance(message, portcullis.Response):
                return verifier.verify_response(message, related)
            return verifier.verify_request(message)

        for _ in range(inp.get("repeat", 1) - 1):
            try:
                verify()
            except portcullis.AuthError:
                pass  # only the last outcome counts
        return verify()
    if op == "signature_base":
        message, related = message_of(inp, now)
        base = portcullis.httpsig_signature_base(
            message,
            inp["signature_params"],
            related_request=related,
            structured_fields=inp.get("structured_fields"),
        )
        return {"base": base}
    if op == "sign":
        k = inp["key"]
        if "secret_b64" in k:
            signer = portcullis.HttpSigSigner.hmac(k["keyid"], base64.b64decode(k["secret_b64"]))
        else:
            signer = portcullis.HttpSigSigner.from_pem(k["keyid"], k["alg"], k["pem"])
        message, related = message_of(inp, now)
        if isinstance(message, portcullis.Response):
            sig = signer.sign_response(message, related, **inp["spec"])
        else:
            sig = signer.sign_request(message, **inp["spec"])
        assert sig.headers() == [
            ("Signature-Input", sig.signature_input),
            ("Signature", sig.signature),
        ]
        return {"signature_input": sig.signature_input, "signature": sig.signature}
    pytest.fail(f"unknown op {op!r}")


def add_jwt_key(keyset: portcullis.JwtKeySet, entry: dict[str, Any]) -> None:
    if "jwks" in entry:
        keyset.add_jwks(entry["jwks"])
    else:
        keyset.insert(jwt_key_of(entry))


def jwt_key_of(entry: dict[str, Any]) -> portcullis.JwtKey:
    """One key entry of tests/vectors/JWT.md: `jwk` (+ `alg`), `pem` + `alg`, `secret_b64` + `alg`."""
    if "jwk" in entry:
        assert "kid" not in entry
        return portcullis.JwtKey.from_jwk(entry["jwk"], entry.get("alg"))
    if "pem" in entry:
        return portcullis.JwtKey.from_pem(entry["pem"], entry["alg"], kid=entry.get("kid"))
    secret = base64.b64decode(entry["secret_b64"])
    return portcullis.JwtKey.from_secret(secret, entry["alg"], kid=entry.get("kid"))


def jwt_verifier_of(inp: dict[str, Any]) -> portcullis.JwtVerifier:
    keyset = portcullis.JwtKeySet()
    for entry in inp["keys"]:
        add_jwt_key(keyset, entry)
    return portcullis.JwtVerifier(keyset, **inp["config"])


def run_jwt(inp: dict[str, Any], now: int) -> dict[str, Any] | portcullis.Principal:
    op = inp["op"]
    if op == "verify":
        verifier = jwt_verifier_of(inp)
        for jti in inp.get("revoked", []):
            verifier.revoke(jti, now + 86_400, now=now)
        return verifier.verify_token(inp["token"], now=now, scopes=inp.get("scopes", []))
    if op == "verify_jws":
        jws = jwt_verifier_of(inp).verify_jws(inp["token"])
        assert jws.header["alg"] == jws.alg
        return {
            "alg": jws.alg,
            "kid": jws.kid,
            "payload_b64": base64.b64encode(jws.payload).decode("ascii"),
        }
    if op == "sign":
        key = jwt_key_of(inp["key"])
        return {"token": portcullis.jwt_encode(inp["claims"], key, **inp["header"])}
    if op == "thumbprint":
        return {"thumbprint": portcullis.jwk_thumbprint(inp["jwk"])}
    pytest.fail(f"unknown op {op!r}")


def run_mtls(inp: dict[str, Any], now: int) -> dict[str, Any] | portcullis.Principal:
    """Mirrors core/tests/mtls_vectors.rs."""
    op = inp["op"]
    if op == "verify":
        verifier = portcullis.MtlsVerifier(**inp["config"])
        spec = inp.get("request", {"method": "GET", "target": "/"})
        request = portcullis.Request(
            spec["method"],
            spec["target"],
            headers_of(spec),
            body=body_of(spec),
            scheme=spec.get("scheme"),
            peer_certificates=[base64.b64decode(c) for c in inp["chain_b64"]],
            peer_address=inp.get("peer_address"),
            now=now,
        )
        return verifier.verify(request)
    if op == "thumbprint":
        return {"x5t#S256": portcullis.certificate_thumbprint(base64.b64decode(inp["cert_b64"]))}
    if op == "confirm":
        thumbprint = portcullis.certificate_thumbprint(base64.b64decode(inp["cert_b64"]))
        portcullis.check_confirmation(inp["claims"], thumbprint)
        return {}
    pytest.fail(f"unknown op {op!r}")


def with_base(value: Any, base: str) -> Any:
    """`value` with every `{{base}}` in its strings replaced (recursively)."""
    if isinstance(value, str):
        return value.replace("{{base}}", base)
    if isinstance(value, list):
        return [with_base(v, base) for v in value]
    if isinstance(value, dict):
        return {k: with_base(v, base) for k, v in value.items()}
    return value


def run_jwks(
    inp: dict[str, Any], now: int, expect: dict[str, Any]
) -> dict[str, Any] | portcullis.Principal:
    """tests/vectors/jwks.json (format in tests/vectors/README.md): `verify_remote` against a
    loopback server of this case's responses; `jwks_config` builds the client only. The
    request count and every attempt but the last are checked here against `expect`; the last
    attempt's outcome is returned (or raised) for `run_case`."""
    op = inp["op"]
    if op == "jwks_config":
        portcullis.JwksClient(**inp["config"])
        return {}
    if op != "verify_remote":
        pytest.fail(f"unknown op {op!r}")
    server = LoopbackHttp()
    with server:
        for r in inp["responses"]:
            headers = [(n, with_base(v, server.base)) for n, v in r["headers"]]
            server.route(r["path"], Reply(r["status"], with_base(r["body"], server.base), headers))
        client = portcullis.JwksClient(**with_base(inp["config"], server.base))
        verifier = portcullis.JwtVerifier(client, **inp["jwt_config"])
        outcomes: list[portcullis.Principal | portcullis.AuthError] = []
        for _ in range(inp.get("times", 1)):
            try:
                outcomes.append(verifier.verify_token(inp["token"], now=now))
            except portcullis.AuthError as err:
                outcomes.append(err)
        requests = len(server.requests)
    if "requests" in expect:
        assert requests == expect["requests"], server.requests
    # Every attempt must match the expectation: all but the last are checked here, the last
    # one by run_case.
    for earlier in outcomes[:-1]:
        if isinstance(earlier, portcullis.AuthError):
            assert "error" in expect, f"an earlier attempt was refused: {earlier}"
            assert earlier.code == expect["error"], earlier.detail
        else:
            assert "ok" in expect, "an earlier attempt was accepted"
            check_principal(earlier, expect["ok"])
    last = outcomes[-1]
    if isinstance(last, portcullis.AuthError):
        raise last
    return last


def run_case(case: dict[str, Any], runner: Callable[..., Any], partial: bool = False) -> None:
    """`partial`: a dict result is compared on the fields `expect.ok` lists only (jwt.json's
    `verify_jws` cases list a subset of `alg`, `kid`, `payload_b64`)."""
    expect = case["expect"]
    assert ("ok" in expect) != ("error" in expect), "a case expects ok or error"
    if "error" in expect:
        with pytest.raises((portcullis.AuthError, Refused)) as info:
            runner(case["input"], case["now"])
        refusal = info.value
        assert isinstance(refusal, (portcullis.AuthError, Refused))
        assert refusal.code == expect["error"], refusal.detail
        if "challenge" in expect:
            assert refusal.challenge == expect["challenge"]
        return
    result = runner(case["input"], case["now"])
    if isinstance(result, portcullis.Principal):
        check_principal(result, expect["ok"])
    elif partial:
        assert set(expect["ok"]) <= set(result), sorted(expect["ok"])
        assert {k: result[k] for k in expect["ok"]} == expect["ok"]
    else:
        assert result == expect["ok"]


APIKEY = load("apikey")
BASIC = load("basic")
WEBHOOK = load("webhook")
HMAC = load("hmac")
HTTPSIG = load("httpsig")
JWT = load("jwt")
MTLS = load("mtls/mtls")
JWKS = load("jwks")


@pytest.mark.parametrize("case", APIKEY, ids=[c["id"] for c in APIKEY])
def test_apikey_vector(case: dict[str, Any]) -> None:
    run_case(case, run_apikey)


@pytest.mark.parametrize("case", BASIC, ids=[c["id"] for c in BASIC])
def test_basic_vector(case: dict[str, Any]) -> None:
    run_case(case, run_basic)


@pytest.mark.parametrize("case", WEBHOOK, ids=[c["id"] for c in WEBHOOK])
def test_webhook_vector(case: dict[str, Any]) -> None:
    run_case(case, run_webhook)


# Every webhook `verify` case with a body, through verify_payload as well. The cases without a
# body (a Request whose body was never set) are skipped here only: verify_payload takes the body
# as an argument, so there is no payload to pass; verify() runs them above.
WEBHOOK_PAYLOAD = [
    c for c in WEBHOOK if c["input"]["op"] == "verify" and body_of(c["input"]["request"]) is not None
]


@pytest.mark.parametrize("case", WEBHOOK_PAYLOAD, ids=[c["id"] for c in WEBHOOK_PAYLOAD])
def test_webhook_vector_through_verify_payload(case: dict[str, Any]) -> None:
    run_case(case, run_webhook_payload)


def test_webhook_payload_cases_cover_every_verify_with_a_body() -> None:
    verify = [c for c in WEBHOOK if c["input"]["op"] == "verify"]
    no_body = [c["id"] for c in verify if body_of(c["input"]["request"]) is None]
    assert len(WEBHOOK_PAYLOAD) + len(no_body) == len(verify)
    assert len(WEBHOOK_PAYLOAD) > 80 and len(no_body) <= 2, no_body


@pytest.mark.parametrize("case", HMAC, ids=[c["id"] for c in HMAC])
def test_hmac_vector(case: dict[str, Any]) -> None:
    run_case(case, run_hmac)


@pytest.mark.parametrize("case", HTTPSIG, ids=[c["id"] for c in HTTPSIG])
def test_httpsig_vector(case: dict[str, Any]) -> None:
    run_case(case, run_httpsig)


@pytest.mark.parametrize("case", JWT, ids=[c["id"] for c in JWT])
def test_jwt_vector(case: dict[str, Any]) -> None:
    run_case(case, run_jwt, partial=True)


@pytest.mark.parametrize("case", MTLS, ids=[c["id"] for c in MTLS])
def test_mtls_vector(case: dict[str, Any]) -> None:
    run_case(case, run_mtls)


@pytest.mark.parametrize("case", JWKS, ids=[c["id"] for c in JWKS])
def test_jwks_vector(case: dict[str, Any]) -> None:
    run_case(case, lambda inp, now: run_jwks(inp, now, case["expect"]))


def test_jwks_runner_on_a_hand_made_case() -> None:
    """The runner itself, on cases written here (so it is exercised even without the file)."""
    key = portcullis.JwtKey.generate("ES256")
    token = portcullis.jwt_encode(
        {"sub": "svc", "iss": "https://idp.example", "exp": 1_750_000_600}, key
    )
    jwks = json.dumps({"keys": [key.public_jwk()]})
    ok: dict[str, Any] = {
        "id": "hand-made-ok",
        "now": 1_750_000_000,
        "input": {
            "op": "verify_remote",
            "responses": [{"path": "/k", "status": 200, "headers": [], "body": jwks}],
            "config": {"url": "{{base}}/k"},
            "jwt_config": {"issuers": ["https://idp.example"]},
            "token": token,
            "times": 2,
        },
        "expect": {"ok": {"subject": "svc", "method": "jwt"}, "requests": 1},
    }
    down: dict[str, Any] = {
        "id": "hand-made-404",
        "now": 1_750_000_000,
        "input": {**ok["input"], "responses": [], "times": 1},
        "expect": {"error": "jwt_jwks_unavailable", "requests": 1},
    }
    for case in (ok, down):
        test_jwks_vector(case)
    wrong_count: dict[str, Any] = {**ok, "expect": {"ok": {"subject": "svc"}, "requests": 2}}
    with pytest.raises(AssertionError):
        test_jwks_vector(wrong_count)


@pytest.mark.parametrize(
    "runner",
    [run_webhook, run_hmac, run_httpsig, run_jwt, run_mtls, lambda i, n: run_jwks(i, n, {})],
)
def test_unknown_op_fails(runner: Callable[..., Any]) -> None:
    with pytest.raises(pytest.fail.Exception, match="unknown op"):
        runner({"op": "no-such-op"}, 0)


def test_every_case_ran() -> None:
    # Ids are unique, so parametrization above ran exactly one test per case.
    for cases in (APIKEY, BASIC, WEBHOOK, HMAC, HTTPSIG, JWT, MTLS, JWKS):
        ids = [c["id"] for c in cases]
        assert len(ids) == len(set(ids))
