"""Writes gate.json beside it: a few gate cases in the format of tests/vectors/GATE.md, to test
the Python runner (test_gate_vectors.py) until the shared tests/vectors/gate.json exists.

Independent of portcullis: tokens and webhook signatures come from the standard library
(`hmac`, `hashlib`, `base64`, `json`). Run: python3 gen_gate.py
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import pathlib
from typing import Any

NOW = 1_767_225_600
JWT_SECRET = "sample-gate-jwt-secret-0123456789abcdef"
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(claims: dict[str, Any]) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(JWT_SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(mac)}"


def standard_webhook(msg_id: str, timestamp: int, body: bytes) -> list[list[str]]:
    key = base64.b64decode(WHSEC.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    sig = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return [["webhook-id", msg_id], ["webhook-timestamp", str(timestamp)], ["webhook-signature", f"v1,{sig}"]]


def problem(code: str, title: str, status: int) -> dict[str, Any]:
    return {"type": f"urn:portcullis:error:{code}", "title": title, "status": status, "code": code}


ALICE = hs256({"sub": "alice", "aud": "api", "exp": NOW + 60, "scope": "orders:read"})
EXPIRED = hs256({"sub": "alice", "aud": "api", "exp": NOW - 3600})
BODY = b'{"event":"paid"}'
PROBLEM_JSON = ["Content-Type", "application/problem+json"]

CONFIGS: dict[str, Any] = {
    "api": {
        "version": 1,
        "credentials": {
            "tokens": {
                "method": "jwt",
                "audiences": ["api"],
                "keys": {"static": [{"alg": "HS256", "secret": "secret:jwt"}]},
            },
            "hooks": {"method": "webhook", "scheme": "standard", "secrets": ["secret:whsec"]},
        },
        "routes": [
            {"name": "health", "path": "/health", "require": {"anonymous": True}},
            {"name": "orders", "methods": ["GET"], "path": "/orders/{id}", "require": "tokens",
             "scopes": ["orders:read"]},
            {"name": "hook", "methods": ["POST"], "path": "/hook", "require": "hooks"},
        ],
    }
}

RATE_LIMITED = """version = 1

[credentials.tokens]
method = "jwt"
audiences = ["api"]
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[rate_limits.per-address]
key = "address"
quota = 2
window_seconds = 60

[[routes]]
name = "search"
path = "/search"
require = "tokens"
rate_limits = ["per-address"]
"""

BAD_CREDENTIAL = """version = 1

[credentials.tokens]
method = "jwt"
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[[routes]]
path = "/a"
require = { any_of = ["tokens", "jwt-prod"] }
"""


def get(target: str, headers: list[list[str]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"method": "GET", "target": target, "headers": headers or [], "now": NOW, **extra}


def bearer(t: str) -> list[list[str]]:
    return [["Authorization", f"Bearer {t}"]]


CASES: list[dict[str, Any]] = [
    {
        "id": "sample-jwt-allowed-missing-expired",
        "source": "portcullis Python runner sample",
        "config": "api",
        "input": {
            "op": "check",
            "requests": [
                get("/orders/7", bearer(ALICE)),
                get("/orders/7"),
                get("/orders/7", bearer(EXPIRED)),
            ],
        },
        "expect": {
            "decisions": [
                {"allowed": True, "status": 200, "route": "orders", "credential": "tokens",
                 "subject": "alice", "code": None, "challenges": [], "headers": []},
                {"allowed": False, "status": 401, "route": "orders", "credential": None,
                 "code": "credentials_missing", "challenges": ['Bearer realm="api"'],
                 "headers": [["WWW-Authenticate", 'Bearer realm="api"'], PROBLEM_JSON],
                 "problem": problem("credentials_missing", "Authentication required.", 401)},
                {"allowed": False, "status": 401, "code": "jwt_expired"},
            ]
        },
    },
    {
        "id": "sample-anonymous-and-unmatched",
        "source": "portcullis Python runner sample",
        "config": "api",
        "input": {"op": "check", "requests": [get("/health"), get("/admin"), get("/orders/../admin")]},
        "expect": {
            "decisions": [
                {"allowed": True, "status": 200, "route": "health", "credential": None, "code": None},
                {"allowed": False, "status": 403, "route": None, "code": "route_unmatched",
                 "challenges": [], "headers": [PROBLEM_JSON]},
                {"allowed": False, "status": 400, "route": None, "code": "request_invalid"},
            ]
        },
    },
    {
        "id": "sample-webhook-body-then-replay",
        "source": "Standard Webhooks signature (stdlib hmac)",
        "config": "api",
        "input": {
            "op": "check",
            "requests": [
                {"method": "POST", "target": "/hook", "now": NOW,
                 "headers": standard_webhook("msg_1", NOW, BODY),
                 "body_b64": base64.b64encode(BODY).decode()},
                {"method": "POST", "target": "/hook", "now": NOW,
                 "headers": standard_webhook("msg_1", NOW, BODY), "body": BODY.decode()},
            ],
        },
        "expect": {
            "decisions": [
                {"allowed": True, "status": 200, "route": "hook", "credential": "hooks", "code": None},
                {"allowed": False, "status": 401, "code": "signature_replayed"},
            ]
        },
    },
    {
        "id": "sample-rate-limit-per-address",
        "source": "portcullis Python runner sample",
        "input": {
            "op": "check",
            "format": "toml",
            "text": RATE_LIMITED,
            "requests": [
                get("/search", bearer(ALICE), peer_address="203.0.113.7"),
                get("/search", bearer(ALICE), peer_address="203.0.113.7"),
                get("/search", bearer(ALICE), peer_address="203.0.113.7"),
                get("/search", bearer(ALICE), peer_address="203.0.113.8"),
            ],
        },
        "expect": {
            "decisions": [
                {"allowed": True, "status": 200, "headers": [
                    ["RateLimit-Policy", '"per-address";q=2;w=60'], ["RateLimit", '"per-address";r=1;t=30']]},
                {"allowed": True, "status": 200},
                {"allowed": False, "status": 429, "code": "rate_limited", "retry_after": 30,
                 "problem": problem("rate_limited", "Too many requests.", 429)},
                {"allowed": True, "status": 200, "subject": "alice"},
            ]
        },
    },
    {
        "id": "sample-load-unknown-credential",
        "source": "portcullis Python runner sample",
        "input": {"op": "load", "format": "toml", "text": BAD_CREDENTIAL},
        "expect": {
            "error": "config_invalid",
            "detail": 'routes[0].require.any_of[1]: unknown credential "jwt-prod" (line 9, column 33)',
        },
    },
    {
        "id": "sample-load-json-duplicate",
        "source": "portcullis Python runner sample",
        "input": {"op": "load", "format": "json", "text": '{"version": 1, "version": 1}'},
        "expect": {
            "error": "json_invalid",
            "detail": '(document): member "version" appears twice in one object (line 1, column 16)',
        },
    },
]

DOC = {
    "description": "A sample in the gate.json format, for the Python runner's own test.",
    "secrets": {"jwt": JWT_SECRET, "whsec": WHSEC},
    "configs": CONFIGS,
    "cases": CASES,
}

if __name__ == "__main__":
    out = pathlib.Path(__file__).with_name("gate.json")
    out.write_text(json.dumps(DOC, indent=2) + "\n", "utf-8")
