"""portcullis demo: the same 33 requests as demo.c and demo.js, one decision per line.

Run with the repository's venv (`make demo-python`); prints only the decisions.
"""

from __future__ import annotations

import base64
import urllib.parse
from typing import Callable

import portcullis

NOW = 1767225600
PEPPER = b"demo-pepper-0123456789abcdef0123"
BOB_HTPASSWD = "bob:$2y$05$goj0pwBt4vml.1uO7DxaUe6SvNQJFBMjHhANzqU2Ka/UmCfbq6Rzy\n"
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
HMAC_SECRET = b"demo-hmac-secret-0123456789abcde"
HTTPSIG_SECRET = b"demo-httpsig-secret-0123456789ab"
JWT_SECRET = b"demo-jwt-secret-0123456789abcdef"

Case = tuple[str, Callable[[], portcullis.Principal]]


def basic_header(user: str, password: str) -> str:
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def webhook_cases() -> list[Case]:
    verifier = portcullis.WebhookVerifier(scheme="standard", secrets=[WEBHOOK_SECRET])
    signer = portcullis.WebhookSigner("standard", WEBHOOK_SECRET)
    body = b'{"type":"invoice.paid","id":"in_1"}'
    h1 = signer.sign(body, timestamp=NOW, message_id="msg_demo_1")
    h2 = signer.sign(body, timestamp=NOW, message_id="msg_demo_2")

    def delivery(headers: list[tuple[str, str]], body: bytes, now: int = NOW) -> portcullis.Request:
        return portcullis.Request("POST", "/webhooks", headers, body=body, now=now)

    signed = delivery(h1, body)
    return [
        ("webhook ok", lambda: verifier.verify(signed)),
        ("webhook replayed", lambda: verifier.verify(signed)),
        ("webhook tampered body", lambda: verifier.verify(delivery(h1, body + b" "))),
        ("webhook too old", lambda: verifier.verify(delivery(h2, body, NOW + 301))),
    ]


def hmac_cases() -> list[Case]:
    key = {
        "key_id": "svc-orders",
        "algorithm": "hmac-sha256",
        "secrets_b64": [base64.b64encode(HMAC_SECRET).decode("ascii")],
        "subject": "svc-orders",
    }
    verifier = portcullis.HmacVerifier(keys=[key])
    headers = [("Host", "api.example.com"), ("Content-Type", "application/json")]
    body = b'{"sku":"X1","qty":2}'
    unsigned = portcullis.Request("POST", "/orders?b=2&a=1", headers, body=body, now=NOW)
    signed_headers = headers + portcullis.sign_request(
        unsigned,
        portcullis.HmacSigningKey("svc-orders", HMAC_SECRET, "hmac-sha256"),
        headers=["host", "content-type"],
        now=NOW,
        nonce="ZGVtby1ub25jZS0wMDAwMDE",
    )

    def order(body: bytes) -> portcullis.Request:
        return portcullis.Request("POST", "/orders?b=2&a=1", signed_headers, body=body, now=NOW)

    signed = order(body)
    return [
        ("hmac ok", lambda: verifier.verify(signed)),
        ("hmac replayed", lambda: verifier.verify(signed)),
        ("hmac tampered body", lambda: verifier.verify(order(b'{"sku":"X1","qty":20}'))),
    ]


def httpsig_cases() -> list[Case]:
    keyring = portcullis.HttpSigKeyring()
    keyring.add_hmac_secret("demo-key", HTTPSIG_SECRET)
    verifier = portcullis.HttpSigVerifier(
        keyring, required_components=["@method", "@target-uri"], require_content_digest=False
    )
    headers = [("Host", "api.example.com")]

    def request(method: str, headers: list[tuple[str, str]]) -> portcullis.Request:
        return portcullis.Request(method, "/orders", headers, now=NOW, scheme="https")

    signature = portcullis.HttpSigSigner.hmac("demo-key", HTTPSIG_SECRET).sign_request(
        request("GET", headers), label="sig1", components=["@method", "@target-uri"], created=NOW
    )
    signed_headers = headers + signature.headers()
    return [
        ("httpsig ok", lambda: verifier.verify_request(request("GET", signed_headers))),
        (
            "httpsig wrong method",
            lambda: verifier.verify_request(request("DELETE", signed_headers)),
        ),
    ]


def jwt_cases() -> list[Case]:
    key = portcullis.JwtKey.from_secret(JWT_SECRET, "HS256", kid="demo-hs")
    keyset = portcullis.JwtKeySet()
    keyset.insert(key)
    verifier = portcullis.JwtVerifier(
        keyset, issuers=["https://issuer.demo"], audiences=["orders-api"]
    )
    claims = {
        "sub": "user-42",
        "iss": "https://issuer.demo",
        "aud": "orders-api",
        "iat": NOW,
        "exp": NOW + 600,
        "scope": "orders:read",
    }
    t1 = portcullis.jwt_encode(claims, key, kid="demo-hs")
    t2 = portcullis.jwt_encode({**claims, "aud": "billing-api"}, key, kid="demo-hs")

    def bearer(token: str, scopes: tuple[str, ...] = (), now: int = NOW) -> portcullis.Principal:
        headers = [("Authorization", f"Bearer {token}")]
        return verifier.verify(portcullis.Request("GET", "/orders", headers, now=now), scopes)

    return [
        ("jwt ok", lambda: bearer(t1, ("orders:read",))),
        ("jwt expired", lambda: bearer(t1, now=NOW + 700)),
        ("jwt wrong audience", lambda: bearer(t2)),
        ("jwt alg none", lambda: bearer("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")),
    ]


def mtls_cases() -> list[Case]:
    ca = portcullis.DevCa(
        "portcullis demo CA", not_before=NOW - 86400, not_after=NOW + 10 * 365 * 86400
    )
    good = ca.issue_client(
        spiffe_id="spiffe://demo.example/billing", not_before=NOW - 3600, not_after=NOW + 86400
    )
    other = ca.issue_client(
        spiffe_id="spiffe://other.example/billing", not_before=NOW - 3600, not_after=NOW + 86400
    )
    expired = ca.issue_client(
        spiffe_id="spiffe://demo.example/billing", not_before=NOW - 172800, not_after=NOW - 86400
    )
    anchors = [ca.ca_cert_pem()]
    direct = portcullis.MtlsVerifier(anchors, spiffe_trust_domains=["demo.example"])
    proxied = portcullis.MtlsVerifier(
        anchors,
        spiffe_trust_domains=["demo.example"],
        forwarded={
            "header": "x-ssl-client-cert",
            "format": "nginx",
            "trusted_proxies": ["127.0.0.1/32"],
        },
    )

    def tls(der: bytes) -> portcullis.Request:
        return portcullis.Request("GET", "/invoices", peer_certificates=[der], now=NOW)

    def forwarded(peer_address: str) -> portcullis.Request:
        header = ("X-SSL-Client-Cert", urllib.parse.quote(good.cert_pem, safe=""))
        return portcullis.Request("GET", "/invoices", [header], peer_address=peer_address, now=NOW)

    return [
        ("mtls spiffe client", lambda: direct.verify(tls(good.der))),
        ("mtls other trust domain", lambda: direct.verify(tls(other.der))),
        ("mtls expired certificate", lambda: direct.verify(tls(expired.der))),
        ("mtls forged proxy header", lambda: proxied.verify(forwarded("203.0.113.9"))),
        ("mtls proxy header", lambda: proxied.verify(forwarded("127.0.0.1"))),
    ]


def main() -> None:
    ring = portcullis.ApiKeyRing(PEPPER, prefix="pc", environment="live", realm="demo")
    k1 = ring.generate(subject="svc-billing", scopes=["orders:read"], now=NOW)
    k2 = ring.generate(
        subject="svc-billing", scopes=["orders:read"], expires_at=NOW + 3600, now=NOW
    )
    k3 = ring.generate(subject="svc-reports", scopes=["orders:read"], now=NOW)
    k4 = ring.generate(subject="svc-ghost", now=NOW)
    for issued in (k1, k2, k3):
        ring.insert(issued.record)
    ring.revoke(k3.record.key_id, NOW - 1)

    basic_auth = portcullis.BasicAuth(
        realm="demo",
        users={"alice": portcullis.hash_password("correct horse battery staple")},
        htpasswd=BOB_HTPASSWD,
    )

    typo = k1.key[:-1] + ("B" if k1.key.endswith("A") else "A")

    def bearer(key: str) -> list[tuple[str, str]]:
        return [("Authorization", f"Bearer {key}")]

    def request(headers: list[tuple[str, str]], now: int = NOW) -> portcullis.Request:
        return portcullis.Request("GET", "/orders", headers, now=now)

    def apikey(
        headers: list[tuple[str, str]], scopes: list[str], now: int = NOW
    ) -> Callable[[], portcullis.Principal]:
        return lambda: ring.verify(request(headers, now), scopes)

    def credentials(user: str, password: str) -> list[tuple[str, str]]:
        return [("Authorization", basic_header(user, password))]

    def basic_verify(headers: list[tuple[str, str]]) -> Callable[[], portcullis.Principal]:
        return lambda: basic_auth.verify(request(headers))

    cases: list[Case] = [
        ("apikey bearer ok", apikey(bearer(k1.key), ["orders:read"])),
        ("apikey header ok", apikey([("X-API-Key", k1.key)], [])),
        ("apikey unknown key", apikey(bearer(k4.key), [])),
        ("apikey typo", apikey(bearer(typo), [])),
        ("apikey expired", apikey(bearer(k2.key), [], NOW + 7200)),
        ("apikey revoked", apikey(bearer(k3.key), [])),
        ("apikey malformed", apikey(bearer("not-a-key"), [])),
        ("apikey missing scope", apikey(bearer(k1.key), ["orders:write"])),
        ("apikey no credentials", apikey([], [])),
        ("basic alice ok", basic_verify(credentials("alice", "correct horse battery staple"))),
        ("basic bob bcrypt ok", basic_verify(credentials("bob", "hunter2"))),
        ("basic wrong password", basic_verify(credentials("alice", "wrong"))),
        ("basic unknown user", basic_verify(credentials("mallory", "hunter2"))),
        ("basic bad base64", basic_verify([("Authorization", "Basic !!!")])),
        ("basic no colon", basic_verify([("Authorization", "Basic YWxpY2U=")])),
    ]
    cases += webhook_cases() + hmac_cases() + httpsig_cases() + jwt_cases() + mtls_cases()
    for label, verify in cases:
        try:
            principal = verify()
        except portcullis.AuthError as err:
            challenge = "-" if err.challenge is None else err.challenge
            print(f"{label}: deny {err.code} status={err.http_status} challenge={challenge}")
        else:
            print(f"{label}: allow subject={principal.subject} method={principal.method}")


if __name__ == "__main__":
    main()
