"""The run folder of the demo services: secrets, PKI, API key records, the OAuth issuer's keys.

Used by drive.py. Everything is made fresh for each run with the portcullis Python binding, the
way a real deployment's tooling would: the gate (examples/services/gate.toml) only references it
(`env:PORTCULLIS_DEMO_*` for secrets, `file:` and `records_file` for public material and key
records, relative to the run folder the services get as their base folder).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import portcullis

# The services' gate names these; drive.py signs with the same values.
JWT_ISSUER = "https://issuer.demo"
JWT_AUDIENCE = "orders-api"
OAUTH_ISSUER = "https://login.demo.example"
OAUTH_RESOURCE = "https://api.demo.example"
OAUTH_KID = "login-es256-1"
HOST = "api.demo.example"


def _write(path: Path, text: str, private: bool = False) -> None:
    """Writes `text`; private files (keys, the secrets' env file) are readable by the owner only."""
    if private:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        path.write_text(text, encoding="utf-8")


@dataclass
class Credentials:
    """What drive.py signs and sends with; secrets stay in memory (and in the 0600 env file)."""

    now: int
    run_dir: Path
    env: dict[str, str]
    tokens: dict[str, str]
    api_keys: dict[str, str]
    oauth: dict[str, str]
    ca_pem: str


def _b64(n: int) -> str:
    return base64.b64encode(secrets.token_bytes(n)).decode("ascii")


def _secrets() -> dict[str, str]:
    """Fresh random secrets for the gate's env: references."""
    return {
        "PORTCULLIS_DEMO_PEPPER": secrets.token_urlsafe(32),
        "PORTCULLIS_DEMO_JWT_SECRET": secrets.token_urlsafe(32),
        "PORTCULLIS_DEMO_WEBHOOK_SECRET": "whsec_" + _b64(24),
        "PORTCULLIS_DEMO_PCS1_SECRET_B64": _b64(32),
        "PORTCULLIS_DEMO_HTTPSIG_SECRET_B64": _b64(32),
    }


def _pki(run_dir: Path, now: int) -> str:
    """A development CA, the services' TLS certificate and three client certificates."""
    year = 365 * 86400
    ca = portcullis.DevCa("portcullis demo services CA", not_before=now - 86400, not_after=now + year)
    _write(run_dir / "ca.pem", ca.ca_cert_pem())
    server = ca.issue_server(
        ["localhost"], cn="localhost", not_before=now - 3600, not_after=now + year
    )
    _write(run_dir / "server.pem", server.cert_pem + ca.ca_cert_pem())
    _write(run_dir / "server-key.pem", server.key_pem, private=True)
    clients = {
        "billing": "spiffe://demo.example/billing",
        "foreign": "spiffe://other.example/billing",
    }
    for name, spiffe_id in clients.items():
        cert = ca.issue_client(spiffe_id=spiffe_id, not_before=now - 3600, not_after=now + year)
        _write(run_dir / f"client-{name}.pem", cert.cert_pem)
        _write(run_dir / f"client-{name}-key.pem", cert.key_pem, private=True)
    # Valid a day ago only: the gate checks validity on its own clock.
    expired = ca.issue_client(
        spiffe_id="spiffe://demo.example/billing", not_before=now - 3 * 86400, not_after=now - 86400
    )
    _write(run_dir / "client-expired.pem", expired.cert_pem)
    _write(run_dir / "client-expired-key.pem", expired.key_pem, private=True)
    return ca.ca_cert_pem()


def _jwts(secret: str, now: int) -> dict[str, str]:
    """First-party HS256 tokens for the `tokens` credential."""
    key = portcullis.JwtKey.from_secret(secret.encode(), "HS256", kid="demo-hs")

    def jwt(sub: str, scope: str, aud: str = JWT_AUDIENCE, iat: int = now, life: int = 3600) -> str:
        claims = {"sub": sub, "iss": JWT_ISSUER, "aud": aud, "iat": iat, "exp": iat + life, "scope": scope}
        return portcullis.jwt_encode(claims, key, kid="demo-hs")

    return {
        "user": jwt("user-42", "orders:read reports:read"),
        "expired": jwt("user-42", "orders:read reports:read", iat=now - 7200),
        "other_audience": jwt("user-42", "orders:read", aud="billing-api"),
        "no_scope": jwt("user-7", "catalog:read"),
        "alg_none": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
    }


def _oauth(run_dir: Path, now: int) -> dict[str, str]:
    """The local authorization server: an ES256 key, its public JWKS for the gate, and RFC 9068
    access tokens (typ at+jwt) signed with it."""
    generated = portcullis.JwtKey.generate("ES256")
    key = portcullis.JwtKey.from_pem(generated.private_pem(), "ES256", kid=OAUTH_KID)
    public = dict(key.public_jwk(), kid=OAUTH_KID, alg="ES256", use="sig")
    _write(run_dir / "oauth-issuer.jwks.json", json.dumps({"keys": [public]}, indent=2) + "\n")
    stranger = portcullis.JwtKey.from_pem(
        portcullis.JwtKey.generate("ES256").private_pem(), "ES256", kid=OAUTH_KID
    )

    def token(
        scope: str,
        *,
        iss: str = OAUTH_ISSUER,
        iat: int = now,
        typ: str = "at+jwt",
        signer: portcullis.JwtKey = key,
    ) -> str:
        claims = {
            "iss": iss,
            "sub": "user-42",
            "aud": OAUTH_RESOURCE,
            "client_id": "demo-client",
            "iat": iat,
            "exp": iat + 3600,
            "jti": secrets.token_urlsafe(12),
            "scope": scope,
        }
        return portcullis.jwt_encode(claims, signer, typ=typ, kid=OAUTH_KID)

    return {
        "good": token("items:read"),
        "expired": token("items:read", iat=now - 7200),
        "no_scope": token("profile"),
        "unknown_issuer": token("items:read", iss="https://login.other.example"),
        "plain_jwt": token("items:read", typ="JWT"),
        "forged": token("items:read", signer=stranger),
    }


def _api_keys(run_dir: Path, pepper: str, now: int) -> dict[str, str]:
    """API keys minted with the gate's pepper; their records (never the keys) go to the file
    the gate's `records_file` names."""
    ring = portcullis.ApiKeyRing(pepper.encode(), prefix="pc", environment="live", realm="keys")

    def mint(
        subject: str, scopes: list[str], issued_at: int = now, expires_at: int | None = None
    ) -> portcullis.IssuedApiKey:
        issued = ring.generate(subject=subject, scopes=scopes, now=issued_at, expires_at=expires_at)
        ring.insert(issued.record)
        return issued

    billing = mint("svc-billing", ["orders:read"])
    reports = mint("svc-reports", ["reports:read"])
    expired = mint("svc-billing", ["orders:read"], issued_at=now - 7200, expires_at=now - 3600)
    revoked = mint("svc-old", ["orders:read"])
    ring.revoke(revoked.record.key_id, now - 1)
    records = [ring.get(issued.record.key_id) for issued in (billing, reports, expired, revoked)]
    _write(run_dir / "api-keys.jsonl", "".join(r.to_json() + "\n" for r in records if r))
    key = billing.key
    return {
        "billing": key,
        "reports": reports.key,
        "expired": expired.key,
        "revoked": revoked.key,
        "typo": key[:-1] + ("B" if key.endswith("A") else "A"),
    }


def prepare(run_dir: Path) -> Credentials:
    """Writes the run folder and returns what the driver needs to send requests."""
    run_dir.mkdir(parents=True, exist_ok=True)
    now = int(time.time())
    env = _secrets()
    lines = "".join(f"{name}={value}\n" for name, value in env.items())
    _write(run_dir / "services.env", lines, private=True)
    ca_pem = _pki(run_dir, now)
    return Credentials(
        now=now,
        run_dir=run_dir,
        env=env,
        tokens=_jwts(env["PORTCULLIS_DEMO_JWT_SECRET"], now),
        api_keys=_api_keys(run_dir, env["PORTCULLIS_DEMO_PEPPER"], now),
        oauth=_oauth(run_dir, now),
        ca_pem=ca_pem,
    )
