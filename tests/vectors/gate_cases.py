"""gen_gate.py's configurations and cases (g is the gen_gate module: its material and add_*)."""

import base64
import hashlib
import hmac
import json
import pathlib

import gate_loads
import gate_policy
import gen_hmac
from gate_methods import httpsig_base

SCHEMA = pathlib.Path(__file__).parent.parent.parent / "docs" / "gate.schema.json"
try:
    import jsonschema
except ImportError:  # the check is optional; the generator says so
    jsonschema = None
    print("note: jsonschema is not installed; configurations are not checked against "
          "docs/gate.schema.json (pip install jsonschema)")


def validate(config, name):
    if jsonschema is not None:
        schema = json.loads(SCHEMA.read_text())
        try:
            jsonschema.validate(config, schema, cls=jsonschema.Draft202012Validator)
        except jsonschema.ValidationError as e:
            raise SystemExit(f"{name}: not valid under docs/gate.schema.json: {e.message}")


def auth(value):
    return ("Authorization", value)


def bearer(t):
    return auth(f"Bearer {t}")


def basic(user, password):
    return auth("Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())


def add_all(g):
    main_config(g)
    main_cases(g)
    paths_cases(g)
    methods_config(g)
    methods_cases(g)
    gate_policy.limits_cases(g)
    gate_policy.lockout_cases(g)
    gate_policy.store_cases(g)
    gate_loads.add(g)


# ---------------------------------------------------------------- API keys, JWT, Basic, routes

def main_config(g):
    g.CONFIGS["main"] = {
        "version": 1,
        "credentials": {
            "keys": {"method": "api_key", "pepper": "secret:pepper", "environment": "live",
                     "bearer": False, "header": "x-api-key", "realm": "keys",
                     "records": g.RECORDS},
            "tokens": {"method": "jwt", "issuers": [g.ISSUER], "audiences": ["api"],
                       "realm": "tokens",
                       "keys": {"static": [{"alg": "HS256", "secret": "secret:jwt"}]}},
            "ops": {"method": "basic", "realm": "ops", "users": g.USERS},
        },
        "routes": [
            {"name": "health", "methods": ["GET"], "path": "/health",
             "require": {"anonymous": True}},
            {"name": "orders-read", "methods": ["GET"], "path": "/orders/{id}",
             "require": {"any_of": ["tokens", "keys", "ops"]}, "scopes": ["orders:read"]},
            {"name": "orders-write", "methods": ["POST", "PUT"], "path": "/orders",
             "require": {"any_of": ["tokens", "keys"]}, "scopes": ["orders:write"]},
            {"name": "public", "path": "/public/*", "require": {"optional": "tokens"}},
            {"name": "admin", "path": "/admin/*",
             "require": {"credential": "keys", "scopes": ["admin"]}},
            {"name": "ops", "methods": ["GET"], "path": "/ops/status", "require": "ops"},
            {"name": "reports", "methods": ["GET"], "path": "/reports/", "require": "tokens"},
            {"name": "either", "path": "/either",
             "require": {"any_of": [{"all_of": ["tokens", "keys"]}, "ops"]}},
            {"name": "mixed", "path": "/mixed",
             "require": {"all_of": [{"optional": "tokens"}, "keys"]}, "scopes": ["orders:read"]},
            {"name": "scoped", "path": "/scoped",
             "require": {"any_of": [{"credential": "tokens", "scopes": ["reports:read"]},
                                    {"credential": "keys", "scopes": ["orders:write"]}]}},
            {"methods": ["GET"], "path": "/files/{name}", "require": "tokens"},
        ],
    }


def main_cases(g):
    k, t, r = g.KEYS, g.token, g.request
    jwt_ok = bearer(t())
    src = "gate rules: requirement trees and merged challenges"

    def case(cid, requests, want, source=src):
        g.add_check(cid, source, "main", requests, want)

    case("anonymous-route", [r(target="/health")], ["allow"])
    case("any-of-jwt-wins", [r(target="/orders/7", headers=[jwt_ok])], ["allow"])
    case("any-of-api-key-wins", [r(target="/orders/7", headers=[("X-API-Key", k["a"])])],
         ["allow"])
    case("any-of-first-passing-wins",
         [r(target="/orders/7", headers=[jwt_ok, ("X-API-Key", k["a"])])], ["allow"])
    case("api-key-with-write-scope", [r("POST", "/orders", [("X-API-Key", k["b"])])], ["allow"])
    g_basic = basic("bob", "hunter2")
    case("basic-bcrypt", [r(target="/ops/status", headers=[g_basic])], ["allow"])
    case("basic-argon2id", [r(target="/ops/status", headers=[basic("alice", "correct horse")])],
         ["allow"])
    case("missing-credentials-every-challenge", [r(target="/orders/7")],
         ["credentials_missing"])
    case("missing-credentials-one-challenge", [r(target="/ops/status")],
         ["credentials_missing"])
    case("jwt-scope-insufficient-403",
         [r(target="/orders/7", headers=[bearer(t(scope="reports:read"))])],
         ["scope_insufficient"])
    case("api-key-scope-insufficient-403",
         [r("PUT", "/orders", [("X-API-Key", k["a"])])], ["scope_insufficient"])
    case("basic-cannot-hold-route-scopes",
         [r(target="/orders/7", headers=[g_basic])], ["scope_insufficient"])
    case("any-of-invalid-beats-foreign",
         [r(target="/orders/7", headers=[bearer("not-a-jwt"), ("X-API-Key", k["typo"])])],
         ["apikey_checksum_mismatch"])
    case("any-of-scope-beats-invalid",
         [r(target="/orders/7", headers=[bearer(t(scope="")), ("X-API-Key", k["unknown"])])],
         ["scope_insufficient"])
    case("any-of-equal-tiers-first-wins",
         [r(target="/orders/7", headers=[bearer(t(exp=g.NOW - 3600)),
                                         ("X-API-Key", k["revoked"])])], ["jwt_expired"])
    case("any-of-foreign-beats-missing", [r(target="/orders/7", headers=[bearer("not-a-jwt")])],
         ["jwt_malformed"])
    case("api-key-foreign-prefix", [r(target="/orders/7", headers=[("X-API-Key", k["other"])])],
         ["apikey_prefix_mismatch"])
    case("api-key-unknown", [r(target="/orders/7", headers=[("X-API-Key", k["unknown"])])],
         ["apikey_unknown"])
    case("api-key-revoked", [r(target="/orders/7", headers=[("X-API-Key", k["revoked"])])],
         ["apikey_revoked"])
    case("api-key-expired", [r(target="/orders/7", headers=[("X-API-Key", k["expired"])])],
         ["apikey_expired"])
    case("api-key-other-environment",
         [r(target="/orders/7", headers=[("X-API-Key", k["test"])])],
         ["apikey_environment_mismatch"])
    forged = g.jwt({"sub": "x", "aud": "api", "iss": g.ISSUER, "exp": g.NOW + 60},
                   secret="another-secret-of-32-bytes-or-more")
    case("jwt-signature-invalid", [r(target="/orders/7", headers=[bearer(forged)])],
         ["jwt_signature_invalid"])
    case("jwt-issuer-foreign",
         [r(target="/orders/7", headers=[bearer(t(iss="https://elsewhere.example"))])],
         ["jwt_issuer_mismatch"])
    case("jwt-audience-mismatch", [r(target="/orders/7", headers=[bearer(t(aud="other"))])],
         ["jwt_audience_mismatch"])
    case("basic-wrong-password", [r(target="/ops/status", headers=[basic("bob", "hunter3")])],
         ["basic_invalid_credentials"])
    case("basic-unknown-user", [r(target="/ops/status", headers=[basic("mallory", "hunter2")])],
         ["basic_invalid_credentials"])
    case("malformed-basic-400", [r(target="/orders/7", headers=[auth("Basic !!!")])],
         ["basic_bad_base64"])
    case("malformed-empty-bearer-400", [r(target="/orders/7", headers=[auth("Bearer")])],
         ["header_malformed"])
    case("malformed-two-authorization-400",
         [r(target="/orders/7", headers=[jwt_ok, jwt_ok])], ["credentials_ambiguous"])
    case("malformed-two-api-key-headers-400",
         [r(target="/admin/x", headers=[("X-API-Key", k["a"]), ("x-api-key", k["a"])])],
         ["credentials_ambiguous"])
    case("optional-missing-is-anonymous", [r(target="/public/docs")], ["allow"])
    case("optional-other-scheme-is-missing",
         [r(target="/public/docs", headers=[g_basic])], ["allow"])
    case("optional-valid-gives-principal", [r(target="/public/docs", headers=[jwt_ok])],
         ["allow"])
    case("optional-invalid-fails",
         [r(target="/public/docs", headers=[bearer(t(exp=g.NOW - 3600))])], ["jwt_expired"])
    case("optional-foreign-fails", [r(target="/public/docs", headers=[bearer("not-a-jwt")])],
         ["jwt_malformed"])
    case("per-credential-scope-refused",
         [r(target="/admin/users", headers=[("X-API-Key", k["b"])])], ["scope_insufficient"])
    case("per-credential-scope-missing-key", [r(target="/admin/users")],
         ["credentials_missing"])
    case("per-credential-scopes-any-of",
         [r(target="/scoped", headers=[bearer(t(scope="reports:read"))]),
          r(target="/scoped", headers=[("X-API-Key", k["b"])]),
          r(target="/scoped", headers=[("X-API-Key", k["a"])])],
         ["allow", "allow", "scope_insufficient"])
    case("nested-all-of-in-any-of",
         [r(target="/either", headers=[jwt_ok, ("X-API-Key", k["a"])]),
          r(target="/either", headers=[g_basic])], ["allow", "allow"])
    case("nested-all-of-partial-is-invalid", [r(target="/either", headers=[jwt_ok])],
         ["credentials_missing"])
    case("all-of-optional-then-key", [r(target="/mixed", headers=[("X-API-Key", k["a"])])],
         ["allow"])
    case("all-of-route-scopes-on-reported-principal",
         [r(target="/mixed", headers=[("X-API-Key", k["c"])])], ["scope_insufficient"])
    # The caller's scopes (a framework route's own, `check(request, scopes)`) join the route's.
    src_caller = "gate rules: scopes required by the caller of check"
    case("caller-scopes-held", [r(target="/orders/7", scopes=["orders:audit"],
                                  headers=[bearer(t(scope="orders:read orders:audit"))])],
         ["allow"], src_caller)
    case("caller-scopes-lacking-named-in-challenge",
         [r(target="/orders/7", scopes=["orders:audit", "orders:read"],
            headers=[bearer(t(scope="orders:read"))])], ["scope_insufficient"], src_caller)
    case("caller-scopes-on-unscoped-route",
         [r(target="/reports/", scopes=["reports:read"], headers=[jwt_ok]),
          r(target="/reports/", scopes=["reports:read"],
            headers=[bearer(t(scope="reports:read"))]),
          r(target="/reports/", scopes=[], headers=[jwt_ok])],
         ["scope_insufficient", "allow", "allow"], src_caller)
    case("caller-scopes-api-key", [r(target="/orders/7", scopes=["orders:write"],
                                     headers=[("X-API-Key", k["b"])]),
                                   r(target="/orders/7", scopes=["admin"],
                                     headers=[("X-API-Key", k["b"])])],
         ["allow", "scope_insufficient"], src_caller)
    case("caller-scopes-optional-anonymous-401",
         [r(target="/public/docs", scopes=["docs:read"]),
          r(target="/public/docs", scopes=["docs:read"], headers=[bearer(t(scope="docs:read"))])],
         ["credentials_missing", "allow"], src_caller)
    case("caller-scopes-anonymous-route-403", [r(target="/health", scopes=["x"])],
         ["scope_insufficient"], src_caller)
    # (An empty scope or one with a space cannot be written in C's space-separated list: the
    # per-language tests cover those.)
    case("caller-scope-malformed-is-a-usage-error",
         [r(target="/orders/7", scopes=['a"b'], headers=[jwt_ok]),
          r(target="/orders/7", scopes=["orders:read", "a\\b"], headers=[jwt_ok])],
         ["invalid_argument"] * 2, src_caller)
    case("all-of-optional-invalid-fails",
         [r(target="/mixed", headers=[bearer("not-a-jwt"), ("X-API-Key", k["a"])])],
         ["jwt_malformed"])


def paths_cases(g):
    t, r, k = g.token, g.request, g.KEYS
    jwt_ok = bearer(t())
    src = "core/src/gate/route.rs: normalization, patterns, methods"

    def case(cid, requests, want):
        g.add_check(cid, src, "main", requests, want)

    case("head-takes-get-route", [r("HEAD", "/orders/7", [jwt_ok])], ["allow"])
    case("head-not-on-post-route", [r("HEAD", "/orders", [jwt_ok])], ["route_unmatched"])
    case("method-not-listed", [r("DELETE", "/orders/7", [jwt_ok])], ["route_unmatched"])
    case("method-case-sensitive", [r("get", "/health")], ["route_unmatched"])
    case("path-case-sensitive", [r(target="/Health")], ["route_unmatched"])
    case("trailing-slash-distinct", [r(target="/health/"), r(target="/reports", headers=[jwt_ok]),
                                     r(target="/reports/", headers=[jwt_ok])],
         ["route_unmatched", "route_unmatched", "allow"])
    case("wildcard-matches-its-prefix", [r(target="/public"), r(target="/public/"),
                                         r(target="/public/a/b")], ["allow", "allow", "allow"])
    case("wildcard-not-a-string-prefix", [r(target="/publicity")], ["route_unmatched"])
    case("query-ignored", [r(target="/health?next=/admin/x")], ["allow"])
    case("absolute-form-target", [r(target="https://api.example:8443/orders/7?x=1",
                                    headers=[jwt_ok])], ["allow"])
    case("unreserved-escape-decoded",
         [r(target="/%6Frders/7", headers=[("X-API-Key", k["a"])])], ["allow"])
    case("reserved-escape-kept", [r(target="/files/a%3ab", headers=[jwt_ok])], ["allow"])
    case("encoded-slash-refused", [r(target="/orders/1%2F2", headers=[jwt_ok])],
         ["request_invalid"])
    case("encoded-backslash-refused", [r(target="/public/a%5cb")], ["request_invalid"])
    case("dot-dot-refused", [r(target="/public/../admin/x")], ["request_invalid"])
    case("encoded-dot-dot-refused", [r(target="/public/%2e%2E/admin/x")], ["request_invalid"])
    case("dot-segment-refused", [r(target="/./health")], ["request_invalid"])
    case("empty-segment-refused", [r(target="//health")], ["request_invalid"])
    case("raw-backslash-refused", [r(target="/public\\..\\admin")], ["request_invalid"])
    case("path-parameter-refused", [r(target="/health;jsessionid=1")], ["request_invalid"])
    case("bad-escape-refused", [r(target="/public/%zz")], ["request_invalid"])
    case("encoded-nul-refused", [r(target="/public/a%00")], ["request_invalid"])
    case("fragment-refused", [r(target="/health#top")], ["request_invalid"])
    case("absolute-form-userinfo-refused", [r(target="http://user@api.example/health")],
         ["request_invalid"])
    case("asterisk-form-unmatched", [r("OPTIONS", "*")], ["route_unmatched"])
    case("unmatched-path", [r(target="/nowhere", headers=[jwt_ok])], ["route_unmatched"])


# ---------------------------------------------------------------- the other methods

def methods_config(g):
    anchors = g.ANCHORS
    g.CONFIGS["methods"] = {
        "credentials": {
            "tokens": {"method": "jwt", "issuers": [g.ISSUER], "audiences": ["api"],
                       "realm": "tokens",
                       "keys": {"static": [{"alg": "HS256", "secret": "secret:jwt"}]}},
            "rsa": {"method": "jwt", "issuers": [g.ISSUER], "audiences": ["api"], "realm": "rsa",
                    "keys": {"static": [{"alg": "RS256", "kid": "k1", "pem": g.RSA_PUBLIC_PEM}]}},
            "es": {"method": "jwt", "issuers": [g.ISSUER], "audiences": ["api"], "realm": "es",
                   "keys": {"static": [{"alg": "ES256", "kid": "k1", "pem": g.ES256_PEM}]}},
            "bound": {"method": "jwt", "issuers": [g.ISSUER], "audiences": ["api"],
                      "realm": "bound", "require_certificate_binding": True,
                      "keys": {"static": [{"alg": "HS256", "secret": "secret:jwt"}]}},
            "hooks": {"method": "webhook", "scheme": "standard", "secrets": ["secret:whsec"],
                      "sender": "billing-hooks"},
            "stripe": {"method": "webhook", "scheme": "stripe", "secrets": ["secret:stripe"],
                       "replay_protection": False, "sender": "stripe"},
            "github": {"method": "webhook", "scheme": "github", "secrets": ["secret:github"],
                       "sender": "github"},
            "signed": {"method": "pcs1", "realm": "signed", "keys": [
                {"key_id": "svc-sign", "algorithm": "hmac-sha256", "secrets_b64": ["secret:pcs1"],
                 "subject": "signer", "scopes": ["orders:write"]}]},
            "httpsig": {"method": "httpsig", "required_components": ["@method", "@path"],
                        "keys": [{"keyid": "hs1", "algorithm": "hmac-sha256",
                                  "secret_b64": "secret:httpsig"}]},
            "edge": {"method": "mtls", "trust_anchors": anchors},
        },
        "routes": [
            {"name": "standard", "methods": ["POST"], "path": "/hooks/standard",
             "require": "hooks"},
            {"name": "stripe", "methods": ["POST"], "path": "/hooks/stripe", "require": "stripe"},
            {"name": "github", "methods": ["POST"], "path": "/hooks/github", "require": "github"},
            {"name": "hook-or-token", "path": "/hooks/any",
             "require": {"any_of": ["hooks", "tokens"]}},
            {"name": "signed", "path": "/signed/*", "require": "signed",
             "scopes": ["orders:write"]},
            {"name": "httpsig", "methods": ["GET"], "path": "/httpsig", "require": "httpsig"},
            {"name": "mtls", "methods": ["GET"], "path": "/mtls", "require": "edge"},
            {"name": "rsa", "methods": ["GET"], "path": "/rsa", "require": "rsa"},
            {"name": "es", "methods": ["GET"], "path": "/es", "require": "es",
             "scopes": ["read"]},
            {"name": "both", "methods": ["GET"], "path": "/both",
             "require": {"all_of": ["tokens", "edge"]}},
            {"name": "bound", "methods": ["GET"], "path": "/bound",
             "require": {"all_of": ["bound", "edge"]}},
        ],
    }


def standard_webhook(g, msg_id, body, ts=None, secret=None):
    ts = g.NOW if ts is None else ts
    key = base64.b64decode((secret or g.SECRETS["whsec"]).removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{ts}.{body}".encode(), hashlib.sha256).digest()
    return [("webhook-id", msg_id), ("webhook-timestamp", str(ts)),
            ("webhook-signature", "v1," + base64.b64encode(mac).decode())]


def httpsig_signed(g, req, keyid="hs1", secret=None, created=None):
    created = g.NOW if created is None else created
    params = f'("@method" "@path");created={created};keyid="{keyid}";alg="hmac-sha256"'
    key = base64.b64decode(secret or g.SECRETS["httpsig"])
    mac = hmac.new(key, httpsig_base(req, params).encode(), hashlib.sha256).digest()
    signature = f"sig1=:{base64.b64encode(mac).decode()}:"
    return dict(req, headers=req["headers"] + [["Signature-Input", f"sig1={params}"],
                                               ["Signature", signature]])


def methods_cases(g):
    r, t = g.request, g.token
    src = "gate rules with every method as a credential"
    body = '{"type":"invoice.paid","id":"evt_1"}'

    def case(cid, requests, want, source=src):
        g.add_check(cid, source, "methods", requests, want)

    hook = r("POST", "/hooks/standard", standard_webhook(g, "msg_1", body), body=body)
    case("webhook-standard", [hook], ["allow"])
    case("webhook-standard-replayed", [hook, hook], ["allow", "signature_replayed"])
    other_secret = "whsec_" + base64.b64encode(b"w" * 32).decode()
    case("webhook-standard-wrong-secret",
         [r("POST", "/hooks/standard", standard_webhook(g, "msg_2", body, secret=other_secret),
            body=body)], ["signature_mismatch"])
    case("webhook-standard-expired",
         [r("POST", "/hooks/standard", standard_webhook(g, "msg_3", body, ts=g.NOW - 301),
            body=body)], ["signature_expired"])
    case("webhook-standard-missing-signature", [r("POST", "/hooks/standard", body=body)],
         ["signature_missing"])
    case("webhook-without-signature-401", [r("POST", "/hooks/standard")], ["signature_missing"])
    case("webhook-signed-without-body-400",
         [r("POST", "/hooks/standard", [("webhook-id", "msg_1"), ("webhook-timestamp", str(g.NOW)),
                                        ("webhook-signature", "v1,AAAA")])],
         ["signature_body_missing"])
    case("webhook-missing-and-bearer-missing-401", [r("GET", "/hooks/any")],
         ["signature_missing"])
    case("webhook-or-token-token-wins", [r("GET", "/hooks/any", [bearer(t())])], ["allow"])
    stripe_mac = hmac.new(g.SECRETS["stripe"].encode(), f"{g.NOW}.{body}".encode(),
                          hashlib.sha256).hexdigest()
    case("webhook-stripe", [r("POST", "/hooks/stripe",
                              [("Stripe-Signature", f"t={g.NOW},v1={stripe_mac}")], body=body)],
         ["allow"])
    case("webhook-stripe-altered-body",
         [r("POST", "/hooks/stripe", [("Stripe-Signature", f"t={g.NOW},v1={stripe_mac}")],
            body=body.replace("paid", "void"))], ["signature_mismatch"])
    gh_mac = hmac.new(g.SECRETS["github"].encode(), body.encode(), hashlib.sha256).hexdigest()
    gh = [("X-Hub-Signature-256", f"sha256={gh_mac}"), ("X-GitHub-Delivery", "d-1")]
    case("webhook-github", [r("POST", "/hooks/github", gh, body=body)], ["allow"])
    case("webhook-github-wrong-mac",
         [r("POST", "/hooks/github", [("X-Hub-Signature-256", "sha256=" + "0" * 64),
                                      ("X-GitHub-Delivery", "d-2")], body=body)],
         ["signature_mismatch"])

    base = r("POST", "/signed/orders?b=2&a=1", [("Host", "api.example")], body='{"qty":1}')
    signed = gen_hmac.signed(base, "svc-sign", "hmac-sha256", base64.b64decode(g.SECRETS["pcs1"]))
    case("pcs1-signed", [signed], ["allow"])
    case("pcs1-replayed", [signed, signed], ["allow", "signature_replayed"])
    case("pcs1-missing", [base], ["signature_missing"])
    case("pcs1-other-path", [dict(signed, target="/signed/refunds?b=2&a=1")],
         ["signature_mismatch"])
    case("pcs1-unknown-key",
         [gen_hmac.signed(base, "svc-nobody", "hmac-sha256", b"k" * 32)],
         ["signature_key_unknown"])

    get = r("GET", "/httpsig")
    case("httpsig-signed", [httpsig_signed(g, get)], ["allow"])
    case("httpsig-missing", [get], ["signature_missing"])
    case("httpsig-wrong-secret", [httpsig_signed(g, get, secret=base64.b64encode(b"z" * 32))],
         ["signature_mismatch"])
    case("httpsig-unknown-key", [httpsig_signed(g, get, keyid="hs9")], ["signature_key_unknown"])
    case("httpsig-too-old", [httpsig_signed(g, get, created=g.NOW - 400)], ["signature_expired"])

    direct = g.CERTS["spiffe-direct"]
    case("mtls-client-certificate", [r(target="/mtls", peer_certificates_b64=direct)], ["allow"])
    case("mtls-chain-with-intermediate",
         [r(target="/mtls", peer_certificates_b64=g.CERTS["spiffe-via-intermediate"])], ["allow"])
    case("mtls-missing", [r(target="/mtls")], ["mtls_certificate_missing"])
    case("mtls-untrusted",
         [r(target="/mtls", peer_certificates_b64=g.CERTS["untrusted-root"])], ["mtls_untrusted"])
    case("mtls-expired", [r(target="/mtls", peer_certificates_b64=g.CERTS["expired"])],
         ["mtls_expired"])

    rs = g.jwt({"sub": "rs-user", "iss": g.ISSUER, "aud": "api", "exp": g.NOW + 600}, "RS256",
               kid="k1")
    case("jwt-rs256", [r(target="/rsa", headers=[bearer(rs)])], ["allow"])
    # Six signature characters replaced; the last stays canonical base64url (low bits zero).
    altered = rs[:-6] + ("AAAAAA" if rs[-6:] != "AAAAAA" else "QQQQQQ")
    case("jwt-rs256-altered", [r(target="/rsa", headers=[bearer(altered)])],
         ["jwt_signature_invalid"])
    case("jwt-es256", [r(target="/es", headers=[bearer(g.ES256_TOKEN)])], ["allow"])
    case("jwt-hs256-token-for-es256-key", [r(target="/es", headers=[bearer(t())])],
         ["jwt_algorithm_refused"])

    both = [bearer(t())]
    case("all-of-jwt-and-mtls", [r(target="/both", headers=both, peer_certificates_b64=direct)],
         ["allow"])
    case("all-of-jwt-without-certificate", [r(target="/both", headers=both)],
         ["mtls_certificate_missing"])
    case("all-of-certificate-without-jwt", [r(target="/both", peer_certificates_b64=direct)],
         ["credentials_missing"])
    case("all-of-untrusted-certificate",
         [r(target="/both", headers=both, peer_certificates_b64=g.CERTS["untrusted-root"])],
         ["mtls_untrusted"])
    bound = t(cnf={"x5t#S256": g.thumbprint(direct[0])})
    case("certificate-bound-jwt",
         [r(target="/bound", headers=[bearer(bound)], peer_certificates_b64=direct)], ["allow"])
    other = g.CERTS["spiffe-via-intermediate"]
    case("certificate-bound-jwt-other-certificate",
         [r(target="/bound", headers=[bearer(bound)], peer_certificates_b64=other)],
         ["jwt_confirmation_mismatch"])
