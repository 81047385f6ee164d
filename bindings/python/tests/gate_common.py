"""The gate configuration, secrets and requests the gate tests share."""

from __future__ import annotations

import json
from typing import Any

import portcullis

NOW = 1_767_225_600
JWT_SECRET = "gate-test-jwt-secret-0123456789abcdef"
PEPPER = "gate-test-pepper-0123456789abcdef"
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SECRETS = {"jwt": JWT_SECRET, "pepper": PEPPER}

CONFIG = """
version = 1

[credentials.tokens]
method = "jwt"
audiences = ["api"]
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[credentials.keys]
method = "api_key"
pepper = "secret:pepper"

[[routes]]
name = "health"
path = "/health"
require = { anonymous = true }

[[routes]]
name = "orders"
methods = ["GET"]
path = "/orders/{id}"
require = { any_of = ["tokens", "keys"] }
scopes = ["orders:read"]

[[routes]]
name = "limited"
path = "/limited"
require = "tokens"
rate_limits = ["two"]

[rate_limits.two]
key = "principal"
quota = 2
window_seconds = 60
"""

# The same gate as a JSON document.
CONFIG_JSON = json.dumps(
    {
        "version": 1,
        "credentials": {
            "tokens": {
                "method": "jwt",
                "audiences": ["api"],
                "keys": {"static": [{"alg": "HS256", "secret": "secret:jwt"}]},
            }
        },
        "routes": [{"name": "orders", "path": "/orders/{id}", "require": "tokens"}],
    }
)


def token(scope: str = "orders:read", sub: str = "alice") -> str:
    key = portcullis.JwtKey.from_secret(JWT_SECRET.encode(), "HS256")
    return portcullis.jwt_encode({"sub": sub, "aud": "api", "exp": NOW + 60, "scope": scope}, key)


def bearer(path: str, scope: str = "orders:read", **kw: Any) -> portcullis.Request:
    return portcullis.Request("GET", path, [("Authorization", f"Bearer {token(scope)}")], now=NOW, **kw)


def anonymous(path: str) -> portcullis.Request:
    return portcullis.Request("GET", path, now=NOW)


def gate(**kw: Any) -> portcullis.Gate:
    return portcullis.Gate.from_toml(CONFIG, secrets=SECRETS, **kw)
