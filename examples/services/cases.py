"""The requests drive.py sends to every service, good and bad, for every route of the gate.

Each case is sent once to each service, in this order: the replay, rate-limit and lockout cases
rely on what came before them (each service has its own gate, so its own replay store and
counters). `expect` is the status the gate must answer with.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field

import portcullis
from credentials import HOST, Credentials

Headers = list[tuple[str, str]]


@dataclass
class Case:
    label: str
    method: str
    target: str
    expect: int
    headers: Headers = field(default_factory=list)
    body: bytes | None = None
    tls: bool = False
    client_cert: str | None = None  # client-<name>.pem in the run folder


def bearer(token: str) -> Headers:
    return [("Authorization", f"Bearer {token}")]


def basic(user: str, password: str) -> Headers:
    pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return [("Authorization", f"Basic {pair}")]


def _tokens_and_keys(c: Credentials) -> list[Case]:
    t, k = c.tokens, c.api_keys
    cases = [
        Case("health (anonymous route)", "GET", "/health", 200),
        Case("catalog without a token (optional)", "GET", "/catalog/items", 200),
        Case("catalog with a token", "GET", "/catalog/items", 200, bearer(t["user"])),
        Case("catalog with an expired token", "GET", "/catalog/items", 401, bearer(t["expired"])),
        Case("orders jwt", "GET", "/orders/7", 200, bearer(t["user"])),
        Case("orders jwt expired", "GET", "/orders/7", 401, bearer(t["expired"])),
        Case("orders jwt for another audience", "GET", "/orders/7", 401, bearer(t["other_audience"])),
        Case("orders jwt alg none", "GET", "/orders/7", 401, bearer(t["alg_none"])),
        Case("orders jwt without the scope", "GET", "/orders/7", 403, bearer(t["no_scope"])),
        Case("orders api key", "GET", "/orders/7", 200, bearer(k["billing"])),
        Case("orders api key in x-api-key", "GET", "/orders/7", 200, [("X-API-Key", k["billing"])]),
        Case("orders api key with a typo", "GET", "/orders/7", 401, bearer(k["typo"])),
        Case("orders api key revoked", "GET", "/orders/7", 401, bearer(k["revoked"])),
        Case("orders api key expired", "GET", "/orders/7", 401, bearer(k["expired"])),
        Case("orders api key without the scope", "GET", "/orders/7", 403, bearer(k["reports"])),
        Case("orders without credentials", "GET", "/orders/7", 401),
    ]
    for i in range(1, 5):
        status = 200 if i <= 3 else 429
        cases.append(Case(f"reports burst {i} (3 a minute)", "GET", "/reports/daily", status, bearer(k["reports"])))
    cases.append(Case("reports another caller", "GET", "/reports/daily", 200, bearer(t["user"])))
    return cases


def _oauth(c: Credentials) -> list[Case]:
    o = c.oauth
    return [
        Case("items oauth access token", "GET", "/items/42", 200, bearer(o["good"])),
        Case("items oauth token expired", "GET", "/items/42", 401, bearer(o["expired"])),
        Case("items oauth token without the scope", "GET", "/items/42", 403, bearer(o["no_scope"])),
        Case("items oauth token of another issuer", "GET", "/items/42", 401, bearer(o["unknown_issuer"])),
        Case("items oauth token typ JWT, not at+jwt", "GET", "/items/42", 401, bearer(o["plain_jwt"])),
        Case("items oauth token with a forged signature", "GET", "/items/42", 401, bearer(o["forged"])),
        Case("items first-party jwt", "GET", "/items/42", 401, bearer(c.tokens["user"])),
    ]


def _admin() -> list[Case]:
    cases = [
        Case("admin alice (basic, argon2id)", "GET", "/admin/users", 200, basic("alice", "correct horse battery staple")),
        Case("admin bob (basic, bcrypt)", "GET", "/admin/users", 200, basic("bob", "hunter2")),
    ]
    for i in range(1, 4):
        cases.append(Case(f"admin bob wrong password {i}", "GET", "/admin/users", 401, basic("bob", f"guess-{i}")))
    cases += [
        Case("admin bob locked out", "GET", "/admin/users", 429, basic("bob", "hunter2")),
        Case("admin unknown user", "GET", "/admin/users", 401, basic("mallory", "hunter2")),
        Case("admin encoded path /%61dmin", "GET", "/%61dmin/users", 401),
    ]
    return cases


def _signatures(c: Credentials) -> list[Case]:
    hook = portcullis.WebhookSigner("standard", c.env["PORTCULLIS_DEMO_WEBHOOK_SECRET"])
    event = b'{"type":"invoice.paid","id":"in_1"}'
    signed_hook = hook.sign(event, timestamp=c.now, message_id="msg_" + secrets.token_hex(8))

    order_headers = [("Host", HOST), ("Content-Type", "application/json")]
    order = b'{"sku":"X1","qty":2}'
    pcs1_key = portcullis.HmacSigningKey(
        "svc-orders", base64.b64decode(c.env["PORTCULLIS_DEMO_PCS1_SECRET_B64"])
    )
    unsigned = portcullis.Request("POST", "/orders", order_headers, body=order, now=c.now)
    pcs1 = order_headers + portcullis.sign_request(
        unsigned, pcs1_key, headers=["host", "content-type"], now=c.now, nonce=secrets.token_urlsafe(16)
    )

    partner = portcullis.HttpSigSigner.hmac(
        "partner-1", base64.b64decode(c.env["PORTCULLIS_DEMO_HTTPSIG_SECRET_B64"])
    )
    host = [("Host", HOST)]
    to_sign = portcullis.Request("GET", "/partners/orders", host, now=c.now, scheme="https")
    rfc9421 = host + partner.sign_request(to_sign, components=["@method", "@target-uri"], created=c.now).headers()
    return [
        Case("webhook (standard webhooks)", "POST", "/webhooks/billing", 200, signed_hook, event),
        Case("webhook replayed", "POST", "/webhooks/billing", 401, signed_hook, event),
        Case("webhook tampered body", "POST", "/webhooks/billing", 401, signed_hook, event + b" "),
        Case("webhook unsigned", "POST", "/webhooks/billing", 401, [], event),
        Case("orders signed (pcs1)", "POST", "/orders", 200, pcs1, order),
        Case("orders signed replayed", "POST", "/orders", 401, pcs1, order),
        Case("orders signed tampered body", "POST", "/orders", 401, pcs1, b'{"sku":"X1","qty":20}'),
        Case("partners signed (rfc 9421, https)", "GET", "/partners/orders", 200, rfc9421, tls=True),
        Case("partners signature on another method", "DELETE", "/partners/orders", 401, rfc9421, tls=True),
        Case("partners signature for https sent over http", "GET", "/partners/orders", 401, rfc9421),
    ]


def _mtls(c: Credentials) -> list[Case]:
    user = bearer(c.tokens["user"])
    forged = [("X-SSL-Client-Cert", "-----BEGIN%20CERTIFICATE-----")]
    return [
        Case("internal client certificate (mtls)", "GET", "/internal/status", 200, tls=True, client_cert="billing"),
        Case("internal no certificate (https)", "GET", "/internal/status", 401, tls=True),
        Case("internal certificate expired", "GET", "/internal/status", 401, tls=True, client_cert="expired"),
        Case("internal certificate of another trust domain", "GET", "/internal/status", 403, tls=True, client_cert="foreign"),
        Case("internal over plain http", "GET", "/internal/status", 401),
        Case("payments jwt and certificate (all_of)", "POST", "/payments/charges", 200, user, b"{}", tls=True, client_cert="billing"),
        Case("payments jwt without certificate", "POST", "/payments/charges", 401, user, b"{}", tls=True),
        Case("payments certificate without jwt", "POST", "/payments/charges", 401, [], b"{}", tls=True, client_cert="billing"),
        Case("payments forged proxy certificate header", "POST", "/payments/charges", 401, user + forged, b"{}"),
    ]


def _framing() -> list[Case]:
    return [
        Case("no route", "GET", "/nowhere", 403),
        Case("dot segments", "GET", "/orders/../admin/users", 400),
        Case("body over 1 MiB", "POST", "/webhooks/billing", 413, [], b"x" * (1024 * 1024 + 1)),
    ]


def all_cases(c: Credentials) -> list[Case]:
    return _tokens_and_keys(c) + _oauth(c) + _admin() + _signatures(c) + _mtls(c) + _framing()
