"""The gate and the generic Verifier through the Python binding: loading, decisions, reload,
shared API key rings, threads, and Verifier for several methods (audit callables:
test_gate_audit.py; the GIL: test_gate_gil.py)."""

from __future__ import annotations

import base64
import json
import pathlib
from concurrent.futures import ThreadPoolExecutor

import pytest

import portcullis
from conftest import ROOT
from gate_common import (
    CONFIG,
    CONFIG_JSON,
    JWT_SECRET,
    NOW,
    PEPPER,
    SECRETS,
    WHSEC,
    anonymous,
    bearer,
    gate,
    token,
)


# --- loading ----------------------------------------------------------------------------------


def test_from_toml_json_and_file(tmp_path: pathlib.Path) -> None:
    g = gate()
    assert g.route_names == ["health", "orders", "limited"]
    assert g.credential_names == ["keys", "tokens"]
    assert "Gate(routes=" in repr(g) and JWT_SECRET not in repr(g)

    j = portcullis.Gate.from_json(CONFIG_JSON, secrets={"jwt": JWT_SECRET})
    assert j.check(bearer("/orders/1")).allowed

    path = tmp_path / "gate.toml"
    path.write_text(CONFIG, "utf-8")
    f = portcullis.Gate.from_file(path, secrets=SECRETS)
    assert f.check(bearer("/orders/1")).credential == "tokens"
    assert portcullis.Gate.from_file(str(path), secrets=SECRETS).route_names == g.route_names


def test_relative_file_references_start_at_base_dir_or_the_files_folder(tmp_path: pathlib.Path) -> None:
    (tmp_path / "jwt.secret").write_text(JWT_SECRET + "\n", "utf-8")
    text = CONFIG_JSON.replace("secret:jwt", "file:jwt.secret")
    g = portcullis.Gate.from_json(text, base_dir=tmp_path)
    assert g.check(bearer("/orders/1")).allowed
    (tmp_path / "gate.json").write_text(text, "utf-8")
    assert portcullis.Gate.from_file(tmp_path / "gate.json").check(bearer("/orders/1")).allowed
    # Without a base folder the reference is read from the working directory: not there.
    with pytest.raises(portcullis.UsageError) as err:
        portcullis.Gate.from_json(text)
    assert err.value.code == "config_invalid"
    assert err.value.path == "credentials.tokens.keys.static[0].secret"


def test_load_errors_carry_path_line_and_column() -> None:
    base = (
        'version = 1\n[credentials.tokens]\nmethod = "jwt"\n'
        'keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }\n'
    )
    text = base + '[[routes]]\npath = "/a"\nrequire = { any_of = ["tokens", "jwt-prod"] }\n'
    with pytest.raises(portcullis.UsageError) as err:
        portcullis.Gate.from_toml(text, secrets=SECRETS)
    e = err.value
    assert (e.code, e.path, e.line, e.column) == (
        "config_invalid",
        "routes[0].require.any_of[1]",
        7,
        33,
    )
    assert e.detail == 'routes[0].require.any_of[1]: unknown credential "jwt-prod" (line 7, column 33)'
    assert str(e) == f"config_invalid: {e.detail}"

    # A method's own refusal keeps the method's code and class.
    with pytest.raises(portcullis.JwtError) as jerr:
        portcullis.Gate.from_toml(base + '[[routes]]\npath = "/"\nrequire = "tokens"\n', secrets={"jwt": "short"})
    assert (jerr.value.code, jerr.value.path, jerr.value.line) == (
        "jwt_key_invalid",
        "credentials.tokens.keys.static[0]",
        4,
    )
    assert "short" not in str(jerr.value)

    with pytest.raises(portcullis.UsageError) as json_err:
        portcullis.Gate.from_json('{"version": 1, "version": 2}')
    assert (json_err.value.code, json_err.value.path, json_err.value.line, json_err.value.column) == (
        "json_invalid",
        "(document)",
        1,
        16,
    )

    with pytest.raises(portcullis.UsageError) as missing:
        portcullis.Gate.from_file("/nonexistent/gate.toml")
    assert missing.value.path == "(document)"

    # Any AuthError has the attributes (None unless it is a load error).
    refused = portcullis.ApiKeyRing(PEPPER.encode())
    with pytest.raises(portcullis.AuthError) as other:
        refused.verify(anonymous("/"))
    assert (other.value.path, other.value.line, other.value.column) == (None, None, None)


def test_bad_arguments_are_type_errors() -> None:
    with pytest.raises(TypeError, match="secrets must be a mapping"):
        portcullis.Gate.from_toml(CONFIG, secrets=["jwt"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str names to str values"):
        portcullis.Gate.from_toml(CONFIG, secrets={"jwt": b"x"})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="audit must be callable"):
        gate(audit=42)
    with pytest.raises(portcullis.UsageError) as err:
        gate().flush_audit(-1.0)
    assert err.value.code == "invalid_argument"


def test_schema_is_the_documented_one() -> None:
    schema = portcullis.Gate.schema()
    assert schema == (ROOT / "docs" / "gate.schema.json").read_text("utf-8")
    assert "credentials" in json.loads(schema)["properties"]


# --- decisions --------------------------------------------------------------------------------


def test_allowed_decision() -> None:
    d = gate().check(bearer("/orders/7"))
    assert d and d.allowed and d.status == 200
    assert (d.route, d.credential, d.code, d.message, d.detail) == ("orders", "tokens", None, None, None)
    assert d.params == {"id": "7"}
    assert d.satisfied == ["tokens"]
    assert not d.anonymous
    assert d.principal is not None and d.principal.subject == "alice"
    assert d.principal is d.principal
    assert d.principal.method == "jwt"
    # The claims as the token carries them (read from the token's text, not from a map).
    claims = {"sub": "alice", "aud": "api", "exp": NOW + 60, "scope": "orders:read"}
    assert d.principal.claims == claims
    assert list(d.principal.claims) == sorted(claims)
    assert d.principal.to_dict()["claims"] == claims
    assert (d.challenges, d.headers, d.retry_after, d.problem) == ([], [], None, None)
    assert d.error() is None
    d.raise_for_denial()
    assert repr(d) == "GateDecision(allowed=True, status=200, route='orders', code=None)"
    with pytest.raises(AttributeError):
        d.allowed = False  # type: ignore[misc]


def test_a_gate_principal_is_the_verifiers() -> None:
    # The decision's principal is made from the identity the gate moved out of its decision,
    # once: the same fields and claims as the route's verifier hands over.
    g = gate()
    req = bearer("/orders/7")
    d = g.check(req)
    verifier = g.verifier("tokens")
    assert verifier is not None and d.principal is not None
    direct = verifier.verify(req)
    assert d.principal.to_dict() == direct.to_dict()
    assert (d.principal.scopes, d.principal.expires_at, d.principal.credential_id) == (
        ["orders:read"],
        NOW + 60,
        None,
    )
    assert repr(d.principal) == repr(direct)

    ring = g.api_key_ring("keys")
    assert ring is not None
    issued = ring.generate(subject="svc", scopes=["orders:read"], now=NOW - 10)
    ring.insert(issued.record)
    by_key = g.check(portcullis.Request("GET", "/orders/2", [("X-API-Key", issued.key)], now=NOW))
    assert by_key.principal is not None and not by_key.anonymous
    assert by_key.principal.to_dict() == ring.verify(
        portcullis.Request("GET", "/", [("X-API-Key", issued.key)], now=NOW)
    ).to_dict()


def test_denied_decision_headers_problem_and_error() -> None:
    d = gate().check(anonymous("/orders/7"))
    assert not d and not d.allowed
    assert (d.status, d.route, d.code, d.credential, d.principal) == (
        401,
        "orders",
        "credentials_missing",
        None,
        None,
    )
    assert d.message == "Authentication required."
    # The JWT and the API key (read as a bearer token too) share one challenge.
    assert d.challenges == ['Bearer realm="api"']
    assert d.headers == [
        ("WWW-Authenticate", 'Bearer realm="api"'),
        ("Content-Type", "application/problem+json"),
    ]
    assert d.problem is not None
    assert json.loads(d.problem) == {
        "type": "urn:portcullis:error:credentials_missing",
        "title": "Authentication required.",
        "status": 401,
        "code": "credentials_missing",
    }
    err = d.error()
    assert isinstance(err, portcullis.RequestError)
    assert (err.code, err.http_status, err.detail) == ("credentials_missing", 401, d.detail)
    with pytest.raises(portcullis.RequestError) as raised:
        d.raise_for_denial()
    assert raised.value.code == "credentials_missing"
    # The same class and attributes a verifier of the method raises.
    verifier = gate().verifier("tokens")
    assert verifier is not None
    with pytest.raises(portcullis.AuthError) as direct:
        verifier.verify(anonymous("/orders/7"))
    assert (type(direct.value), direct.value.code) == (type(err), err.code)


def test_scopes_anonymous_routes_and_unmatched() -> None:
    g = gate()
    d = g.check(bearer("/orders/7", scope="other"))
    assert (d.status, d.code) == (403, "scope_insufficient")
    assert "insufficient_scope" in d.challenges[0]
    assert isinstance(d.error(), portcullis.AuthError)

    health = g.check(anonymous("/health"))
    assert health.allowed and health.anonymous and health.principal is None and health.credential is None

    nowhere = g.check(anonymous("/nowhere"))
    assert (nowhere.status, nowhere.code, nowhere.route) == (403, "route_unmatched", None)
    bad = g.check(anonymous("/orders/../admin"))
    assert (bad.status, bad.code) == (400, "request_invalid")


def test_callers_scopes_join_the_routes() -> None:
    g = gate()
    held = g.check(bearer("/orders/7", scope="orders:read orders:audit"), scopes=["orders:audit"])
    assert held.allowed, held.detail
    lacking = g.check(bearer("/orders/7", scope="orders:read"), scopes=("orders:audit",))
    assert (lacking.status, lacking.code) == (403, "scope_insufficient")
    assert 'scope="orders:read orders:audit"' in lacking.challenges[0]
    assert g.check(bearer("/orders/7", scope="orders:read"), scopes=[]).allowed
    # Scopes need someone to hold them: an anonymous route cannot grant them.
    assert g.check(anonymous("/health"), scopes=["x"]).code == "scope_insufficient"
    bad = g.check(bearer("/orders/7", scope="orders:read"), scopes=["a b"])
    assert (bad.status, bad.code) == (500, "invalid_argument")
    with pytest.raises(TypeError):
        g.check(anonymous("/health"), scopes="orders:read")  # a str is a Sequence[str] to mypy, not to check
    with pytest.raises(TypeError):
        g.check(anonymous("/health"), scopes=[1])  # type: ignore[list-item]


def test_rate_limit_headers_and_retry_after() -> None:
    g = gate()
    first = g.check(bearer("/limited"))
    assert first.allowed
    assert first.headers == [("RateLimit-Policy", '"two";q=2;w=60'), ("RateLimit", '"two";r=1;t=30')]
    assert g.check(bearer("/limited")).allowed
    third = g.check(bearer("/limited"))
    assert (third.status, third.code, third.retry_after) == (429, "rate_limited", 30)
    assert ("Retry-After", "30") in third.headers
    assert repr(third) == "GateDecision(allowed=False, status=429, route='limited', code='rate_limited')"


def test_repr_never_shows_a_credential() -> None:
    req = bearer("/orders/7")
    t = token()
    for obj in (gate().check(req), gate().check(req).principal):
        assert t[10:40] not in repr(obj)


# --- reload -----------------------------------------------------------------------------------


def test_reload_swaps_and_a_failed_reload_keeps_the_running_configuration(tmp_path: pathlib.Path) -> None:
    g = gate()
    g.reload_toml(CONFIG.replace('name = "orders"', 'name = "orders-v2"'))
    assert g.check(bearer("/orders/1")).route == "orders-v2"

    with pytest.raises(portcullis.UsageError) as err:
        g.reload_toml("version = 1\nroutes = 1\n")
    assert err.value.path is not None
    assert g.check(bearer("/orders/1")).route == "orders-v2"

    with pytest.raises(portcullis.UsageError) as json_err:
        g.reload_json('{"version": 1,')
    assert json_err.value.code == "json_invalid"
    assert g.route_names == ["health", "orders-v2", "limited"]

    g.reload_json(CONFIG_JSON)
    assert g.route_names == ["orders"]
    path = tmp_path / "next.toml"
    path.write_text(CONFIG, "utf-8")
    g.reload_file(path)
    assert g.route_names == ["health", "orders", "limited"]
    with pytest.raises(portcullis.UsageError):
        g.reload_file(tmp_path / "missing.toml")
    assert g.route_names == ["health", "orders", "limited"]


# --- the shared API key ring ------------------------------------------------------------------


def test_api_key_ring_is_shared_with_the_gate() -> None:
    g = gate()
    assert g.api_key_ring("tokens") is None and g.api_key_ring("nope") is None
    ring = g.api_key_ring("keys")
    assert ring is not None and len(ring) == 0
    issued = ring.generate(subject="svc", scopes=["orders:read"], now=NOW - 10)
    req = portcullis.Request("GET", "/orders/3", [("X-API-Key", issued.key)], now=NOW)
    assert g.check(req).code == "apikey_unknown"

    ring.insert(issued.record)
    d = g.check(req)
    assert d.allowed and d.credential == "keys"
    assert d.principal is not None and d.principal.subject == "svc"
    again = g.api_key_ring("keys")
    assert again is not None and len(again) == 1

    # Unchanged by a reload that keeps the credential's configuration.
    g.reload_toml(CONFIG.replace('name = "health"', 'name = "up"'))
    assert g.check(req).allowed
    ring.revoke(issued.record.key_id, NOW - 1)
    assert g.check(req).code == "apikey_revoked"


# --- threads ----------------------------------------------------------------------------------


def test_threads_check_concurrently() -> None:
    events: list[portcullis.AuditEvent] = []
    g = gate(audit=events.append)
    ring = g.api_key_ring("keys")
    assert ring is not None
    issued = ring.generate(subject="svc", scopes=["orders:read"], now=NOW - 10)
    ring.insert(issued.record)
    by_key = portcullis.Request("GET", "/orders/2", {"X-API-Key": issued.key}, now=NOW)
    by_token = bearer("/orders/1")

    def work(i: int) -> list[str | None]:
        req = by_key if i % 2 else by_token
        return [g.check(req).credential for _ in range(100)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(8)))
    assert [set(r) for r in results] == [{"tokens"}, {"keys"}] * 4
    assert g.flush_audit(30)
    stats = g.audit_stats()
    assert stats["submitted"] == 800 == stats["delivered"] + stats["dropped"]
    assert len(events) == stats["delivered"]


# --- the generic Verifier ---------------------------------------------------------------------


def test_verifier_jwt() -> None:
    v = portcullis.Verifier.from_json(
        json.dumps(
            {
                "method": "jwt",
                "audiences": ["api"],
                "keys": {"static": [{"alg": "HS256", "kid": "k1", "secret": "secret:jwt"}]},
            }
        ),
        secrets={"jwt": JWT_SECRET},
    )
    assert v.method == "jwt" and repr(v) == "Verifier(method='jwt')"
    p = v.verify(bearer("/", scope="a b"), ["a"])
    assert (p.subject, p.method, p.scopes, p.credential_id) == ("alice", "jwt", ["a", "b"], "k1")
    assert p.claims == {"aud": "api", "exp": NOW + 60, "scope": "a b", "sub": "alice"}
    with pytest.raises(portcullis.AuthError) as scope:
        v.verify(bearer("/", scope="a b"), ["c"])
    assert scope.value.code == "scope_insufficient"
    with pytest.raises(portcullis.RequestError) as missing:
        v.verify(anonymous("/"))
    assert missing.value.code == "credentials_missing"
    assert missing.value.challenge == 'Bearer realm="api"'


def test_verifier_webhook_from_toml() -> None:
    v = portcullis.Verifier.from_toml(
        'method = "webhook"\nscheme = "standard"\nsecrets = ["secret:whsec"]\n',
        secrets={"whsec": WHSEC},
    )
    assert v.method == "webhook"
    body = b'{"a":1}'
    headers = portcullis.WebhookSigner("standard", WHSEC).sign(body, timestamp=NOW, message_id="msg_1")
    req = portcullis.Request("POST", "/hook", headers, body=body, now=NOW)
    assert v.verify(req).method == "hmac"
    with pytest.raises(portcullis.SignatureError) as replay:
        v.verify(req)
    assert replay.value.code == "signature_replayed"


def test_verifier_api_key_and_basic(tmp_path: pathlib.Path) -> None:
    ring = portcullis.ApiKeyRing(PEPPER.encode())
    issued = ring.generate(subject="svc", scopes=["read"], now=NOW - 10)
    config = {"method": "api_key", "pepper": "secret:pepper", "records": [json.loads(issued.record.to_json())]}
    v = portcullis.Verifier.from_json(json.dumps(config), secrets={"pepper": PEPPER})
    req = portcullis.Request("GET", "/", [("X-API-Key", issued.key)], now=NOW)
    assert v.verify(req, ["read"]).subject == "svc"
    with pytest.raises(portcullis.AuthError) as denied:
        v.verify(req, ("write",))
    assert denied.value.code == "scope_insufficient"

    (tmp_path / "users.htpasswd").write_text(
        "bob:" + portcullis.hash_password("hunter2", memory_kib=8, iterations=1) + "\n", "utf-8"
    )
    basic = portcullis.Verifier.from_toml(
        'method = "basic"\nrealm = "ops"\nhtpasswd_file = "users.htpasswd"\n', base_dir=tmp_path
    )
    auth = "Basic " + base64.b64encode(b"bob:hunter2").decode()
    assert basic.verify(portcullis.Request("GET", "/", [("Authorization", auth)], now=NOW)).subject == "bob"


def test_verifier_load_errors() -> None:
    with pytest.raises(portcullis.UsageError) as err:
        portcullis.Verifier.from_json('{"method": "jwk"}')
    assert err.value.code == "config_invalid"
    assert err.value.detail.startswith('method: unknown method "jwk"')
    assert err.value.detail.endswith("(line 1, column 12)")
    assert (err.value.path, err.value.line, err.value.column) == ("method", 1, 12)
    with pytest.raises(portcullis.UsageError) as secret:
        portcullis.Verifier.from_toml(
            'method = "webhook"\nsecrets = [\n  "' + WHSEC + '",\n]\n'
        )
    assert secret.value.detail.startswith("secrets[0]: a secret cannot be written in the configuration")
    assert (secret.value.path, secret.value.line, secret.value.column) == ("secrets[0]", 3, 3)
    assert "MfKQ" not in str(secret.value)
    with pytest.raises(portcullis.JwtError) as short:
        portcullis.Verifier.from_json(
            '{"method": "jwt", "keys": {"static": [{"alg": "HS256", "secret": "secret:s"}]}}',
            secrets={"s": "short"},
        )
    assert (short.value.code, short.value.path) == ("jwt_key_invalid", "keys.static[0]")


def test_gate_verifier_is_the_gates_credential() -> None:
    g = gate()
    v = g.verifier("tokens")
    assert v is not None and v.method == "jwt"
    assert g.verifier("missing") is None
    assert v.verify(bearer("/")).subject == "alice"
