"""Webhooks, PCS1, Content-Digest and RFC 9421 beyond the vectors, and interop with independent
implementations: the `standardwebhooks` package, the stdlib `hmac`/`hashlib`, and pyca
`cryptography` for Ed25519 and RSA."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Literal

import pytest
import standardwebhooks
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

import portcullis
from portcullis import (
    AuthError,
    HmacSigningKey,
    HmacVerifier,
    HttpSigKeyring,
    HttpSigSigner,
    HttpSigVerifier,
    Request,
    Response,
    SignatureError,
    UsageError,
    WebhookSigner,
    WebhookVerifier,
)

NOW = 1_767_225_600
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PAYLOAD = '{"type":"invoice.paid","id":"in_1","amount":1200}'
HMAC_SECRET = bytes(range(32, 64))
# The module without its types, for calls that are wrong on purpose.
LOOSE: Any = portcullis


def refused(call: Callable[[], Any], code: str) -> AuthError:
    with pytest.raises(AuthError) as info:
        call()
    assert info.value.code == code, info.value.detail
    return info.value


def post(headers: Any, body: bytes, now: int = NOW, target: str = "/webhooks") -> Request:
    return Request("POST", target, headers, body=body, now=now)


# --- Standard Webhooks, interop with the `standardwebhooks` package -------------------------


def test_standardwebhooks_signed_verifies_in_portcullis() -> None:
    msg_id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
    sent_at = datetime.fromtimestamp(NOW, tz=timezone.utc)
    signature = standardwebhooks.Webhook(WHSEC).sign(msg_id, sent_at, PAYLOAD)
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(NOW), "webhook-signature": signature}
    verifier = WebhookVerifier(secrets=[WHSEC])
    principal = verifier.verify(post(headers, PAYLOAD.encode()))
    assert (principal.subject, principal.method, principal.credential_id) == (
        "standard",
        "hmac",
        "secret-0",
    )
    assert principal.claims == {
        "scheme": "standard",
        "signature_version": "v1",
        "message_id": msg_id,
        "timestamp": NOW,
    }
    refused(lambda: verifier.verify(post(headers, PAYLOAD.encode())), "signature_replayed")
    fresh = WebhookVerifier(secrets=[WHSEC])
    refused(lambda: fresh.verify(post(headers, PAYLOAD.encode() + b" ")), "signature_mismatch")


def test_portcullis_signed_verifies_in_standardwebhooks() -> None:
    # standardwebhooks.Webhook.verify reads the wall clock (5 minute tolerance): sign "now".
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode("ascii")
    sent_at = int(time.time())
    headers = WebhookSigner("standard", secret).sign(
        PAYLOAD.encode(), timestamp=sent_at, message_id="msg_portcullis_1"
    )
    assert [name for name, _ in headers] == ["webhook-id", "webhook-timestamp", "webhook-signature"]
    reference = standardwebhooks.Webhook(secret)
    assert reference.verify(PAYLOAD, dict(headers)) == json.loads(PAYLOAD)
    # The same signature string the reference computes for these inputs.
    expected = reference.sign(
        "msg_portcullis_1", datetime.fromtimestamp(sent_at, tz=timezone.utc), PAYLOAD
    )
    assert dict(headers)["webhook-signature"] == expected
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        reference.verify(PAYLOAD + " ", dict(headers))


def test_webhook_rotation_and_from_json() -> None:
    old, new = WHSEC, "whsec_" + base64.b64encode(bytes(range(32))).decode("ascii")
    verifier = WebhookVerifier.from_json(json.dumps({"secrets": [new, old], "sender": "billing"}))
    headers = WebhookSigner("standard", old).sign(PAYLOAD, timestamp=NOW, message_id="msg_rot")
    principal = verifier.verify(post(headers, PAYLOAD.encode()))
    assert (principal.subject, principal.credential_id) == ("billing", "secret-1")


def test_webhook_time_window_and_body() -> None:
    verifier = WebhookVerifier(secrets=[WHSEC], tolerance_seconds=60, replay_protection=False)
    headers = WebhookSigner("standard", WHSEC).sign(PAYLOAD, timestamp=NOW, message_id="msg_t")
    assert verifier.verify(post(headers, PAYLOAD.encode(), NOW + 60)).subject == "standard"
    refused(lambda: verifier.verify(post(headers, PAYLOAD.encode(), NOW + 61)), "signature_expired")
    refused(
        lambda: verifier.verify(post(headers, PAYLOAD.encode(), NOW - 61)),
        "signature_not_yet_valid",
    )
    no_body = Request("POST", "/webhooks", headers, now=NOW)
    err = refused(lambda: verifier.verify(no_body), "signature_body_missing")
    assert isinstance(err, SignatureError) and err.challenge is None


# --- GitHub, Stripe, Slack against the stdlib ------------------------------------------------


def test_github_documented_example() -> None:
    # https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    secret = "It's a Secret to Everybody"
    signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    headers = [("X-Hub-Signature-256", signature), ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab")]
    verifier = WebhookVerifier(scheme="github", secrets=[secret])
    principal = verifier.verify(post(headers, b"Hello, World!"))
    assert (principal.subject, principal.claims["signature_version"]) == ("github", "sha256")
    refused(lambda: verifier.verify(post(headers, b"Hello, World!")), "signature_replayed")
    refused(lambda: verifier.verify(post(headers, b"Hello, World?")), "signature_mismatch")
    # 26 bytes: enough to verify, too short to sign with.
    refused(lambda: WebhookSigner("github", secret), "signature_secret_invalid")


def test_stripe_signature_from_stdlib_hmac() -> None:
    secret = "whsec_" + "s" * 32
    mac = hmac.new(secret.encode(), f"{NOW}.{PAYLOAD}".encode(), hashlib.sha256).hexdigest()
    header = f"t={NOW},v1={mac}"
    verifier = WebhookVerifier(scheme="stripe", secrets=[secret])
    principal = verifier.verify(post([("Stripe-Signature", header)], PAYLOAD.encode()))
    assert principal.claims == {"scheme": "stripe", "signature_version": "v1", "timestamp": NOW}
    assert WebhookSigner("stripe", secret).sign(PAYLOAD, timestamp=NOW) == [
        ("Stripe-Signature", header)
    ]
    upper = f"t={NOW},v1={mac.upper()}"
    refused(
        lambda: verifier.verify(post([("Stripe-Signature", upper)], PAYLOAD.encode())),
        "signature_malformed",
    )


def test_slack_signature_from_stdlib_hmac() -> None:
    secret = "8f742231b10e8888abcd99yyyzzz85a5" + "0" * 8
    mac = hmac.new(secret.encode(), f"v0:{NOW}:{PAYLOAD}".encode(), hashlib.sha256).hexdigest()
    headers = [("X-Slack-Request-Timestamp", str(NOW)), ("X-Slack-Signature", f"v0={mac}")]
    assert WebhookVerifier(scheme="slack", secrets=[secret]).verify(post(headers, PAYLOAD.encode()))
    assert WebhookSigner("slack", secret).sign(PAYLOAD.encode(), timestamp=NOW) == headers


def test_webhook_usage_errors_and_reprs() -> None:
    err = refused(lambda: LOOSE.WebhookSigner("paypal", WHSEC), "invalid_argument")
    assert isinstance(err, UsageError)
    refused(lambda: WebhookVerifier(secrets=[]), "config_invalid")
    refused(lambda: LOOSE.WebhookVerifier(scheme="nope", secrets=[WHSEC]), "invalid_argument")
    refused(lambda: WebhookVerifier.from_json('{"secrets": ["x"], "extra": 1}'), "json_invalid")
    signer = WebhookSigner("standard", WHSEC)
    refused(lambda: signer.sign(b"{}", timestamp=NOW), "invalid_argument")  # no message id
    refused(lambda: signer.sign(b"{}", timestamp=-1, message_id="m"), "invalid_argument")
    for obj in (signer, WebhookVerifier(secrets=[WHSEC])):
        assert "MfKQ" not in repr(obj) and "standard" in repr(obj)


# --- PCS1 request signing ---------------------------------------------------------------------


def pcs1_verifier(**extra: Any) -> HmacVerifier:
    key = {
        "key_id": "svc-a",
        "algorithm": "hmac-sha256",
        "secrets_b64": [base64.b64encode(HMAC_SECRET).decode()],
        "subject": "billing",
        "scopes": ["orders:write"],
    }
    return HmacVerifier(keys=[key], **extra)


def test_pcs1_round_trip_replay_and_stdlib_mac() -> None:
    key = HmacSigningKey("svc-a", HMAC_SECRET)
    assert (key.key_id, key.algorithm) == ("svc-a", "hmac-sha256")
    base = [("Host", "api.example.com"), ("Content-Type", "application/json")]
    body = b'{"sku":"X1","qty":2}'
    unsigned = Request("POST", "/orders?b=2&a=1", base, body=body, now=NOW)
    added = portcullis.sign_request(unsigned, key, headers=["host", "content-type"], now=NOW)
    assert [name for name, _ in added] == ["Authorization", "Content-Digest"]
    headers = dict(added)
    assert headers["Content-Digest"] == portcullis.content_digest(body)
    assert headers["Content-Digest"] == (
        "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    )
    request = Request("POST", "/orders?b=2&a=1", base + added, body=body, now=NOW)
    verifier = pcs1_verifier()
    assert len(verifier) == 1
    principal = verifier.verify(request)
    assert (principal.subject, principal.method, principal.scopes) == (
        "billing",
        "hmac",
        ["orders:write"],
    )
    err = refused(lambda: verifier.verify(request), "signature_replayed")
    assert err.http_status == 401 and err.challenge is not None
    assert err.challenge.startswith('PCS1-HMAC-SHA256 realm="api"')

    # The MAC is HMAC-SHA256 over the canonical request, recomputed with the stdlib.
    params = dict(
        p.strip().split("=", 1) for p in headers["Authorization"].split(" ", 1)[1].split(",")
    )
    canonical = portcullis.hmac_canonical_request(
        request,
        algorithm="hmac-sha256",
        keyid="svc-a",
        ts=int(params["ts"]),
        nonce=params["nonce"].strip('"'),
        headers=params["headers"].strip('"').split(";"),
    )
    assert canonical.split("\n")[4:8] == [
        "POST",
        "/orders",
        "a=1&b=2",
        "host;content-type;content-digest",
    ]
    tag = hmac.new(HMAC_SECRET, canonical.encode(), hashlib.sha256).digest()
    assert params["sig"].strip('"') == base64.b64encode(tag).decode()


def test_pcs1_refusals() -> None:
    key = HmacSigningKey("svc-a", HMAC_SECRET)
    base = [("Host", "api.example.com")]
    added = portcullis.sign_request(Request("GET", "/orders", base, now=NOW), key, now=NOW)
    assert [name for name, _ in added] == ["Authorization"]  # no body, no digest
    verifier = pcs1_verifier(window_seconds=30)
    refused(
        lambda: verifier.verify(Request("GET", "/orders", base + added, now=NOW + 31)),
        "signature_expired",
    )
    refused(
        lambda: verifier.verify(Request("GET", "/orders?x=1", base + added, now=NOW)),
        "signature_mismatch",
    )
    refused(lambda: verifier.verify(Request("GET", "/orders", base, now=NOW)), "signature_missing")
    other = HmacSigningKey("svc-zz", HMAC_SECRET)
    foreign = portcullis.sign_request(Request("GET", "/orders", base, now=NOW), other, now=NOW)
    refused(
        lambda: verifier.verify(Request("GET", "/orders", base + foreign, now=NOW)),
        "signature_key_unknown",
    )


def test_pcs1_usage_errors_and_reprs() -> None:
    refused(lambda: HmacSigningKey("svc-a", b"short"), "signature_secret_invalid")
    refused(lambda: HmacSigningKey("bad id!", HMAC_SECRET), "invalid_argument")
    refused(lambda: LOOSE.HmacSigningKey("svc-a", HMAC_SECRET, "hmac-md5"), "invalid_argument")
    key = HmacSigningKey("svc-a", HMAC_SECRET, "hmac-sha512")
    request = Request("GET", "/", [("Host", "h")], now=NOW)
    refused(lambda: portcullis.sign_request(request, key, nonce="short"), "invalid_argument")
    refused(lambda: LOOSE.sign_request(request, key, digest="md5"), "invalid_argument")
    refused(lambda: HmacVerifier(keys=[{"key_id": "k", "oops": 1}]), "json_invalid")
    secret_b64 = base64.b64encode(HMAC_SECRET).decode()
    # secrets_b64 given as a string, not a list: the error must not echo it.
    bad = {"key_id": "k", "algorithm": "hmac-sha256", "secrets_b64": secret_b64}
    err = refused(lambda: HmacVerifier(keys=[bad]), "json_invalid")
    assert secret_b64 not in str(err) and "expected a sequence" in str(err)
    refused(lambda: HmacVerifier.from_json('{"window_seconds": 0}'), "config_invalid")
    for obj in (key, pcs1_verifier()):
        text = repr(obj)
        assert secret_b64 not in text and HMAC_SECRET.hex() not in text
    assert "secret=<redacted>" in repr(key)


def test_mac_and_content_digest_primitives() -> None:
    algorithms: list[tuple[Literal["hmac-sha256", "hmac-sha512"], Any]] = [
        ("hmac-sha256", hashlib.sha256),
        ("hmac-sha512", hashlib.sha512),
    ]
    for alg, h in algorithms:
        tag = portcullis.mac(alg, b"k", b"data")
        assert tag == hmac.new(b"k", b"data", h).digest()
        assert portcullis.verify_mac(alg, b"k", b"data", tag)
        assert not portcullis.verify_mac(alg, b"k", b"data", tag[:16])
    refused(lambda: LOOSE.mac("hmac-sha1", b"k", b"data"), "invalid_argument")
    body = b'{"hello": "world"}'
    both = f"{portcullis.content_digest(body)}, {portcullis.content_digest(body, 'sha-512')}"
    assert portcullis.verify_content_digest(both, body) == "sha-512"
    assert portcullis.verify_content_digest(both.encode(), body) == "sha-512"
    refused(
        lambda: portcullis.verify_content_digest(both, body + b" "), "signature_digest_mismatch"
    )
    refused(lambda: portcullis.verify_content_digest(both, None), "signature_body_missing")


# --- RFC 9421 -------------------------------------------------------------------------------


def signature_bytes(signature_header: str) -> bytes:
    _, value = signature_header.split("=", 1)
    return base64.b64decode(value.strip(":"))


def ed25519_pems() -> tuple[ed25519.Ed25519PrivateKey, str, str]:
    private = ed25519.Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, private_pem, public_pem


def api_request(method: str = "GET", headers: Any = (), now: int = NOW) -> Request:
    return Request(
        method, "/orders?id=7", [("Host", "api.example.com"), *headers], now=now, scheme="https"
    )


def test_rfc9421_ed25519_portcullis_signs_cryptography_verifies() -> None:
    private, private_pem, public_pem = ed25519_pems()
    signer = HttpSigSigner.from_pem("ed-key", "ed25519", private_pem)
    assert (signer.keyid, signer.algorithm) == ("ed-key", "ed25519")
    sig = signer.sign_request(
        api_request(), components=["@method", "@authority", "@path", "@query"], created=NOW
    )
    assert sig.label == "sig1"
    assert (
        sig.signature_input
        == 'sig1=("@method" "@authority" "@path" "@query");created=1767225600;keyid="ed-key"'
    )
    assert sig.signature_base == (
        '"@method": GET\n"@authority": api.example.com\n"@path": /orders\n"@query": ?id=7\n'
        '"@signature-params": ("@method" "@authority" "@path" "@query");created=1767225600;keyid="ed-key"'
    )
    private.public_key().verify(signature_bytes(sig.signature), sig.signature_base.encode())
    with pytest.raises(InvalidSignature):
        private.public_key().verify(
            signature_bytes(sig.signature), sig.signature_base.encode() + b" "
        )

    keyring = HttpSigKeyring()
    keyring.add_public_pem("ed-key", "ed25519", public_pem)
    verifier = HttpSigVerifier(
        keyring, required_components=["@method", "@path"], require_content_digest=False
    )
    principal = verifier.verify_request(api_request(headers=sig.headers()))
    assert principal.subject == "ed-key"
    assert principal.claims["alg"] == "ed25519" and principal.claims["created"] == NOW
    refused(
        lambda: verifier.verify_request(api_request("POST", sig.headers())), "signature_mismatch"
    )


def test_rfc9421_ed25519_cryptography_signs_portcullis_verifies() -> None:
    private, _, public_pem = ed25519_pems()
    params = '("@method" "@target-uri");created=1767225600;keyid="ext";alg="ed25519"'
    base = portcullis.httpsig_signature_base(api_request(), params)
    assert base == (
        '"@method": GET\n"@target-uri": https://api.example.com/orders?id=7\n'
        f'"@signature-params": {params}'
    )
    raw = private.sign(base.encode())
    headers = [
        ("Signature-Input", f"ext={params}"),
        ("Signature", f"ext=:{base64.b64encode(raw).decode()}:"),
    ]
    keyring = HttpSigKeyring()
    keyring.add_public_pem("ext", "ed25519", public_pem.encode())
    verifier = HttpSigVerifier.from_json('{"require_content_digest": false}', keyring)
    principal = verifier.verify_request(api_request(headers=headers))
    assert principal.subject == "ext" and principal.claims["label"] == "ext"
    assert principal.claims["alg"] == "ed25519"
    # max_age 300 plus leeway 60 (the defaults)
    refused(
        lambda: verifier.verify_request(api_request(headers=headers, now=NOW + 361)),
        "signature_expired",
    )


def test_rfc9421_rsa_from_cryptography_key() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    sig = HttpSigSigner.from_pem("rsa", "rsa-v1_5-sha256", pem).sign_request(
        api_request(), created=NOW
    )
    private.public_key().verify(
        signature_bytes(sig.signature),
        sig.signature_base.encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    keyring = HttpSigKeyring()
    keyring.add_public_pem("rsa", "rsa-v1_5-sha256", pem)  # the public half of a private PEM
    verifier = HttpSigVerifier(keyring, require_content_digest=False)
    assert verifier.verify_request(api_request(headers=sig.headers())).subject == "rsa"
    refused(lambda: keyring.add_public_pem("rsa2", "ed25519", pem), "signature_secret_invalid")
    refused(lambda: keyring.add_public_pem("rsa2", "rsa-v1_5-sha1", pem), "invalid_argument")
    assert len(keyring) == 1
    refused(lambda: HttpSigSigner.from_pem("rsa", "rsa-v1_5-sha1", pem), "invalid_argument")


def test_rfc9421_keyring_changes_reach_built_verifiers() -> None:
    secret = b"k" * 32
    keyring = HttpSigKeyring()
    verifier = HttpSigVerifier(keyring, require_content_digest=False)
    sig = HttpSigSigner.hmac("shared", secret).sign_request(api_request(), created=NOW)
    refused(
        lambda: verifier.verify_request(api_request(headers=sig.headers())), "signature_key_unknown"
    )
    keyring.add_hmac_secret("shared", secret)
    assert len(keyring) == 1
    assert verifier.verify_request(api_request(headers=sig.headers())).subject == "shared"
    second = HttpSigVerifier(keyring, require_content_digest=False)
    assert keyring.remove("shared") and not keyring.remove("shared")
    for v in (verifier, second):
        refused(
            lambda: v.verify_request(api_request(headers=sig.headers())), "signature_key_unknown"
        )
    del second  # a dropped verifier is forgotten, not an error
    keyring.add_hmac_secret("shared", secret)
    assert verifier.verify_request(api_request(headers=sig.headers())).subject == "shared"
    refused(lambda: keyring.add_hmac_secret("", secret), "invalid_argument")
    refused(lambda: keyring.add_hmac_secret("short", b"x" * 15), "signature_secret_invalid")
    assert len(keyring) == 1 and "k" * 16 not in repr(keyring)


def test_rfc9421_response_signature_with_related_request() -> None:
    secret = os.urandom(32)
    keyring = HttpSigKeyring()
    keyring.add_hmac_secret("resp", secret)
    verifier = HttpSigVerifier(keyring, required_response_components=["@status", "content-digest"])
    body = b'{"ok":true}'
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Digest", portcullis.content_digest(body)),
    ]
    response = Response(200, headers, body=body, now=NOW)
    assert response.status == 200
    related = api_request("POST")
    sig = HttpSigSigner.hmac("resp", secret).sign_response(
        response, related, components=["@status", "content-digest", '"@method";req'], created=NOW
    )
    assert '"@method";req: POST' in sig.signature_base
    signed = Response(200, headers + sig.headers(), body=body, now=NOW)
    assert verifier.verify_response(signed, related).subject == "resp"
    refused(lambda: verifier.verify_response(signed, api_request("GET")), "signature_mismatch")
    tampered = Response(200, headers + sig.headers(), body=b'{"ok":false}', now=NOW)
    refused(lambda: verifier.verify_response(tampered, related), "signature_digest_mismatch")
    base = portcullis.httpsig_signature_base(
        signed, sig.signature_input.split("=", 1)[1], related_request=related
    )
    assert base == sig.signature_base


def test_rfc9421_usage_errors() -> None:
    keyring = HttpSigKeyring()
    refused(lambda: LOOSE.HttpSigVerifier(keyring, leway=5), "json_invalid")
    refused(lambda: HttpSigVerifier(keyring, leeway=301), "config_invalid")
    refused(lambda: HttpSigSigner.hmac("k", b"x" * 31), "signature_secret_invalid")
    signer = HttpSigSigner.hmac("k", b"x" * 32)
    refused(lambda: signer.sign_request(api_request(), label="Bad Label"), "invalid_argument")
    loose_signer: Any = signer
    refused(lambda: loose_signer.sign_request(api_request(), bogus=True), "json_invalid")
    with pytest.raises(TypeError):
        LOOSE.httpsig_signature_base("GET /", "();created=1")
    with pytest.raises(TypeError):
        portcullis.httpsig_signature_base(api_request(), "()", related_request=api_request())
    refused(
        lambda: LOOSE.httpsig_signature_base(api_request(), "()", structured_fields={"x": "blob"}),
        "invalid_argument",
    )
    assert "x" * 32 not in repr(signer)
    assert api_request().scheme == "https"
    refused(lambda: Request("GET", "/", scheme="1http"), "request_invalid")
    refused(lambda: Response(42), "request_invalid")


# --- the GIL ----------------------------------------------------------------------------------


def test_gil_released_during_rsa_signing() -> None:
    """Another Python thread runs while RSA signing is inside the native call (see the argon2
    test in test_api.py for the method: a huge switch interval, no clock)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = HttpSigSigner.from_pem("rsa", "rsa-pss-sha512", pem)
    request = api_request()
    state = {"inside": 0, "seen_inside": 0, "done": False}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def sign() -> None:
        try:
            for _ in range(10):
                with lock:
                    state["inside"] += 1
                assert signer.sign_request(request, created=NOW).label == "sig1"
                with lock:
                    state["inside"] -= 1
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)

    def counter() -> None:
        while not state["done"]:
            if state["inside"] > 0:
                state["seen_inside"] += 1
            time.sleep(0)

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        count_thread = threading.Thread(target=counter)
        count_thread.start()
        workers = [threading.Thread(target=sign) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        state["done"] = True
        count_thread.join()
    finally:
        sys.setswitchinterval(old_interval)
    assert not errors, errors
    assert state["seen_inside"] > 0
