"""portcullis demo: one gate (gate.toml) decides the same requests as demo.c and demo.js.

Run through `make demo-python`, which sets the PORTCULLIS_DEMO_* secrets the gate file
references; prints one line per decision and nothing that changes from run to run.
"""

from __future__ import annotations

import base64
import os
import sys
import urllib.parse
from pathlib import Path

import portcullis

NOW = 1767225600
Headers = list[tuple[str, str]]


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f"demo: {name} is not set (run `make demo`)")
    return value


def describe(d: portcullis.GateDecision) -> str:
    """The decision as one line: the same words, in the same order, as demo.c and demo.js."""
    if d.allowed:
        words = [f"allow route={d.route}"]
        principal = d.principal
        if principal is None:
            words.append("anonymous")
        else:
            words += [f"credential={d.credential}", f"subject={principal.subject}"]
            if len(d.satisfied) > 1:
                words.append("satisfied=" + ",".join(d.satisfied))
    else:
        words = [f"deny route={d.route or '-'}"]
    words.append(f"status={d.status}")
    if d.code is not None:
        words.append(f"code={d.code}")
    # Content-Type is on every denial (application/problem+json): not worth a column.
    words += [f"{n.lower()}={v}" for n, v in d.headers if n.lower() != "content-type"]
    return " ".join(words)


def main() -> None:
    here = Path(__file__).resolve().parent
    config = Path(sys.argv[1]) if len(sys.argv) > 1 else here / "gate.toml"

    # The development CA exists only in this process: its certificate reaches the gate as the
    # `secret:demo-ca` value, and it issues the client certificates below.
    ca = portcullis.DevCa(
        "portcullis demo CA", not_before=NOW - 86400, not_after=NOW + 10 * 365 * 86400
    )
    try:
        gate = portcullis.Gate.from_file(config, secrets={"demo-ca": ca.ca_cert_pem()})
    except portcullis.AuthError as error:
        sys.exit(f"demo: {config}: {error.code}: {error.detail}")

    requests: list[tuple[str, portcullis.Request]] = []

    def add(
        label: str,
        method: str,
        target: str,
        headers: Headers | None = None,
        *,
        body: bytes | None = None,
        now: int = NOW,
        peer_certificates: list[bytes] | None = None,
        peer_address: str | None = None,
        scheme: str | None = None,
    ) -> None:
        request = portcullis.Request(
            method,
            target,
            headers or [],
            body=body,
            now=now,
            peer_certificates=peer_certificates,
            peer_address=peer_address,
            scheme=scheme,
        )
        requests.append((label, request))

    def bearer(token: str) -> Headers:
        return [("Authorization", f"Bearer {token}")]

    def basic(user: str, password: str) -> Headers:
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return [("Authorization", f"Basic {encoded}")]

    # JWTs, signed with the secret the gate's `tokens` credential references.
    jwt_key = portcullis.JwtKey.from_secret(
        env("PORTCULLIS_DEMO_JWT_SECRET").encode(), "HS256", kid="demo-hs"
    )

    def jwt(sub: str, scope: str, aud: str = "orders-api") -> str:
        claims = {
            "sub": sub,
            "iss": "https://issuer.demo",
            "aud": aud,
            "iat": NOW,
            "exp": NOW + 600,
            "scope": scope,
        }
        return portcullis.jwt_encode(claims, jwt_key, kid="demo-hs")

    user = jwt("user-42", "orders:read reports:read")
    other_audience = jwt("user-42", "orders:read", aud="billing-api")
    no_scope = jwt("user-7", "catalog:read")
    alg_none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."

    # API keys, minted into the gate's own ring: the next check sees them.
    ring = gate.api_key_ring("keys")
    if ring is None:
        sys.exit("demo: gate.toml has no api_key credential named keys")

    def mint(subject: str, scopes: list[str], expires_at: int | None = None) -> str:
        issued = ring.generate(subject=subject, scopes=scopes, expires_at=expires_at, now=NOW)
        ring.insert(issued.record)
        return issued.key

    billing = mint("svc-billing", ["orders:read"])
    expiring = mint("svc-billing", ["orders:read"], NOW + 3600)
    reports = mint("svc-reports", ["reports:read"])
    revoked = ring.generate(subject="svc-old", scopes=["orders:read"], now=NOW)
    ring.insert(revoked.record)
    ring.revoke(revoked.record.key_id, NOW - 1)
    typo = billing[:-1] + ("B" if billing.endswith("A") else "A")

    add("health", "GET", "/health")

    add("catalog without a token", "GET", "/catalog/items")
    add("catalog with a token", "GET", "/catalog/items", bearer(user))
    add("catalog with an expired token", "GET", "/catalog/items", bearer(user), now=NOW + 700)

    add("orders jwt", "GET", "/orders/7", bearer(user))
    add("orders jwt expired", "GET", "/orders/7", bearer(user), now=NOW + 700)
    add("orders jwt for another audience", "GET", "/orders/7", bearer(other_audience))
    add("orders jwt alg none", "GET", "/orders/7", bearer(alg_none))
    add("orders jwt without the scope", "GET", "/orders/7", bearer(no_scope))
    add("orders api key", "GET", "/orders/7", bearer(billing))
    add("orders api key in x-api-key", "GET", "/orders/7", [("X-API-Key", billing)])
    add("orders api key with a typo", "GET", "/orders/7", bearer(typo))
    add("orders api key revoked", "GET", "/orders/7", bearer(revoked.key))
    add("orders api key expired", "GET", "/orders/7", bearer(expiring), now=NOW + 7200)
    add("orders api key without the scope", "GET", "/orders/7", bearer(reports))
    add("orders without credentials", "GET", "/orders/7")

    for i in range(1, 5):
        add(f"reports burst {i}", "GET", "/reports/daily", bearer(reports))
    add("reports another caller", "GET", "/reports/daily", bearer(user))

    alice = basic("alice", "correct horse battery staple")
    add("admin alice argon2id", "GET", "/admin/users", alice)
    add("admin bob bcrypt", "GET", "/admin/users", basic("bob", "hunter2"))
    for i in range(1, 4):
        add(f"admin bob wrong password {i}", "GET", "/admin/users", basic("bob", f"guess-{i}"))
    add("admin bob locked out", "GET", "/admin/users", basic("bob", "hunter2"))
    add("admin bob after the delay", "GET", "/admin/users", basic("bob", "hunter2"), now=NOW + 30)
    add("admin unknown user", "GET", "/admin/users", basic("mallory", "hunter2"))
    add("admin encoded path", "GET", "/%61dmin/users")

    hook = portcullis.WebhookSigner("standard", env("PORTCULLIS_DEMO_WEBHOOK_SECRET"))
    event = b'{"type":"invoice.paid","id":"in_1"}'
    h1 = hook.sign(event, timestamp=NOW, message_id="msg_demo_1")
    add("webhook", "POST", "/webhooks/billing", h1, body=event)
    add("webhook replayed", "POST", "/webhooks/billing", h1, body=event)
    add("webhook tampered body", "POST", "/webhooks/billing", h1, body=event + b" ")
    add("webhook unsigned", "POST", "/webhooks/billing", body=event)

    pcs1_key = portcullis.HmacSigningKey(
        "svc-orders", base64.b64decode(env("PORTCULLIS_DEMO_PCS1_SECRET_B64"))
    )
    order_headers = [("Host", "api.example.com"), ("Content-Type", "application/json")]
    order = b'{"sku":"X1","qty":2}'
    unsigned = portcullis.Request("POST", "/orders", order_headers, body=order, now=NOW)
    signed = order_headers + portcullis.sign_request(
        unsigned,
        pcs1_key,
        headers=["host", "content-type"],
        now=NOW,
        nonce="ZGVtby1ub25jZS0wMDAwMDE",
    )
    add("orders signed (pcs1)", "POST", "/orders", signed, body=order)
    add("orders signed replayed", "POST", "/orders", signed, body=order)
    add("orders signed tampered body", "POST", "/orders", signed, body=b'{"sku":"X1","qty":20}')

    partner = portcullis.HttpSigSigner.hmac(
        "partner-1", base64.b64decode(env("PORTCULLIS_DEMO_HTTPSIG_SECRET_B64"))
    )
    host = [("Host", "api.example.com")]
    to_sign = portcullis.Request("GET", "/partners/orders", host, now=NOW, scheme="https")
    signature = partner.sign_request(to_sign, components=["@method", "@target-uri"], created=NOW)
    sig = host + signature.headers()
    add("partners signed (rfc 9421)", "GET", "/partners/orders", sig, scheme="https")
    add("partners signature on another method", "DELETE", "/partners/orders", sig, scheme="https")

    def client(spiffe_id: str, not_before: int, not_after: int) -> portcullis.IssuedCertificate:
        return ca.issue_client(spiffe_id=spiffe_id, not_before=not_before, not_after=not_after)

    good = client("spiffe://demo.example/billing", NOW - 3600, NOW + 86400)
    foreign = client("spiffe://other.example/billing", NOW - 3600, NOW + 86400)
    forwarded = [("X-SSL-Client-Cert", urllib.parse.quote(good.cert_pem, safe=""))]
    charge = "/payments/charges"
    add("payments jwt and certificate", "POST", charge, bearer(user), peer_certificates=[good.der])
    add("payments jwt without certificate", "POST", charge, bearer(user))
    add("payments certificate without jwt", "POST", charge, peer_certificates=[good.der])
    add(
        "payments certificate of another trust domain",
        "POST",
        charge,
        bearer(user),
        peer_certificates=[foreign.der],
    )
    add(
        "payments certificate from the proxy",
        "POST",
        charge,
        bearer(user) + forwarded,
        peer_address="127.0.0.1",
    )
    add(
        "payments forged proxy header",
        "POST",
        charge,
        bearer(user) + forwarded,
        peer_address="203.0.113.9",
    )

    add("no route", "GET", "/nowhere")
    add("dot segments", "GET", "/orders/../admin/users")

    for label, request in requests:
        print(f"{label}: {describe(gate.check(request))}")


if __name__ == "__main__":
    main()
