#!/usr/bin/env python3
"""Writes oauth_rs.json: gates with an `oauth2` credential (an OAuth 2.0 resource server),
requests carrying access tokens and DPoP proofs, and the decisions the gate must give. The
format is gate.json's (tests/vectors/GATE.md), so the four gate runners read it unchanged.

An independent reference, not a copy of portcullis: tokens and proofs are signed here with
pyca/cryptography (Ed25519, and ECDSA P-256 with RFC 6979 deterministic nonces, so the file is
reproduced byte for byte), thumbprints (RFC 7638), `ath` (RFC 9449 4.2) and `x5t#S256`
(RFC 8705) computed with hashlib; every expected decision is written out below from the RFCs'
rules (RFC 9068 2 and 4, RFC 6750 3, RFC 9449 4.3 and 7, RFC 8705 3, RFC 9728 5.1). The client
certificates are mtls/mtls.json's.

    .venv/bin/python tests/vectors/gen_oauth_rs.py
"""

import base64
import hashlib
import hmac
import json
import pathlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

HERE = pathlib.Path(__file__).parent
NOW = 1750000000
HOST = "api.example.com"
RESOURCE = "https://api.example.com"
METADATA_URL = "https://api.example.com/.well-known/oauth-protected-resource"
ONE = "https://as-one.example"
TWO = "https://as-two.example"
ALGS = "ES256 EdDSA"
SOURCE = "RFC 9068, RFC 9449, RFC 8705, RFC 6750, RFC 9728: the oauth2 gate method"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact_json(obj):
    return json.dumps(obj, separators=(",", ":"))


# ---------------------------------------------------------------- keys


class Ed:
    """An Ed25519 key from a fixed seed."""

    alg = "EdDSA"

    def __init__(self, seed_byte):
        self.key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes([seed_byte]) * 32)
        raw = self.key.public_key().public_bytes_raw()
        self.jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}

    def sign(self, data):
        return self.key.sign(data)

    def thumbprint(self):
        members = {k: self.jwk[k] for k in ("crv", "kty", "x")}
        return b64url(hashlib.sha256(compact_json(dict(sorted(members.items()))).encode()).digest())


class P256:
    """An ECDSA P-256 key from a fixed scalar; RFC 6979 signatures."""

    alg = "ES256"

    def __init__(self, scalar):
        self.key = ec.derive_private_key(scalar, ec.SECP256R1())
        n = self.key.public_key().public_numbers()
        self.jwk = {"kty": "EC", "crv": "P-256",
                    "x": b64url(n.x.to_bytes(32, "big")), "y": b64url(n.y.to_bytes(32, "big"))}

    def sign(self, data):
        der = self.key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def thumbprint(self):
        members = {k: self.jwk[k] for k in ("crv", "kty", "x", "y")}
        return b64url(hashlib.sha256(compact_json(dict(sorted(members.items()))).encode()).digest())


ISSUER_ONE = Ed(0x11)
ISSUER_TWO = P256(0x2222_2222_2222_2222_2222)
CLIENT_ED = Ed(0x33)
CLIENT_P256 = P256(0x4444_4444_4444_4444_4444)
OTHER_ED = Ed(0x55)


def jws(header, payload, key, raw_payload=None):
    h = b64url(compact_json(header).encode())
    p = raw_payload if raw_payload is not None else b64url(compact_json(payload).encode())
    signing_input = (h + "." + p).encode()
    return h + "." + p + "." + b64url(key.sign(signing_input))


def access_token(iss=ONE, key=None, kid=None, typ="at+jwt", drop=(), header_extra=None, **claims):
    """An RFC 9068 access token; `drop` removes claims, keyword arguments override them."""
    key = key or (ISSUER_ONE if iss != TWO else ISSUER_TWO)
    if kid is None:
        kid = "one-1" if key is ISSUER_ONE else "two-1" if key is ISSUER_TWO else "other"
    header = {"alg": key.alg, "kid": kid}
    if typ is not None:
        header["typ"] = typ
    header.update(header_extra or {})
    payload = {"iss": iss, "sub": "user-42", "aud": RESOURCE, "client_id": "client-7",
               "iat": NOW - 60, "exp": NOW + 600, "jti": "at-" + str(len(TOKENS)),
               "scope": "items:read profile"}
    payload.update(claims)
    for name in drop:
        payload.pop(name, None)
    token = jws(header, payload, key)
    TOKENS.append(token)
    return token


TOKENS = []


def ath(token):
    return b64url(hashlib.sha256(token.encode()).digest())


def proof(key, htm="GET", htu=RESOURCE + "/v1/items", token=None, iat=NOW, jti=None,
          typ="dpop+jwt", jwk=None, alg=None, drop=(), **claims):
    header = {"typ": typ, "alg": alg or key.alg, "jwk": jwk if jwk is not None else key.jwk}
    if typ is None:
        del header["typ"]
    payload = {"jti": jti or "proof-" + str(len(PROOFS)), "htm": htm, "htu": htu, "iat": iat}
    if token is not None:
        payload["ath"] = ath(token)
    payload.update(claims)
    for name in drop:
        payload.pop(name, None)
    p = jws(header, payload, key)
    PROOFS.append(p)
    return p


PROOFS = []

# ---------------------------------------------------------------- nonces

NONCE_SECRET = "oauth-rs-vectors-dpop-nonce-secret-0123456789"
NONCE_STEP = 60


def nonce(now=NOW, secret=NONCE_SECRET, step_seconds=NONCE_STEP):
    """docs/DPOP.md's stateless nonce: base64url(be64(step) || HMAC-SHA256(secret,
    "portcullis-dpop-nonce-v1" 0x00 || be64(step))[:16])."""
    step = (now // step_seconds).to_bytes(8, "big", signed=True)
    mac = hmac.new(secret.encode(), b"portcullis-dpop-nonce-v1\0" + step, hashlib.sha256).digest()
    return b64url(step + mac[:16])


# ---------------------------------------------------------------- certificates

MTLS = {c["id"]: c for c in json.loads((HERE / "mtls" / "mtls.json").read_text())["cases"]}
CERT = MTLS["spiffe-direct"]["input"]["chain_b64"][0]
OTHER_CERT = MTLS["spiffe-via-intermediate"]["input"]["chain_b64"][0]


def x5t(cert_b64):
    return b64url(hashlib.sha256(base64.b64decode(cert_b64)).digest())


# ---------------------------------------------------------------- configurations


def credential(**extra):
    c = {
        "method": "oauth2",
        "realm": "api",
        "resource": RESOURCE,
        "dpop": {"algorithms": ["ES256", "EdDSA"]},
        "issuers": [
            {"issuer": ONE, "keys": {"static": [{"alg": "EdDSA", "kid": "one-1", "jwk": ISSUER_ONE.jwk}]}},
            {"issuer": TWO, "audiences": [RESOURCE, "urn:example:api"],
             "keys": {"static": [{"alg": "ES256", "kid": "two-1", "jwk": ISSUER_TWO.jwk}]}},
        ],
    }
    c.update(extra)
    return c


def gate(**extra):
    return {
        "version": 1,
        "credentials": {"oauth": credential(**extra)},
        "routes": [
            {"name": "items-read", "methods": ["GET"], "path": "/v1/items",
             "require": {"any_of": ["oauth"]}, "scopes": ["items:read"]},
            {"name": "items-write", "methods": ["POST"], "path": "/v1/items",
             "require": {"any_of": ["oauth"]}, "scopes": ["items:write"]},
            {"name": "me", "methods": ["GET"], "path": "/v1/me", "require": {"any_of": ["oauth"]}},
        ],
    }


CONFIGS = {
    "rs": gate(),
    "rs-dpop-required": gate(dpop_mode="required"),
    "rs-dpop-off": gate(dpop_mode="off"),
    "rs-cert-required": gate(certificate_binding="required"),
    "rs-jwt-profile": gate(profile="jwt"),
    "rs-origin": gate(origin="https://public.example.com"),
    "rs-small": gate(max_token_bytes=1024),
    "rs-nonce": gate(dpop={"algorithms": ["ES256", "EdDSA"],
                           "nonce": {"secret": "secret:nonce", "step_seconds": NONCE_STEP}}),
}

# ---------------------------------------------------------------- decisions

MESSAGES = {
    "credentials_missing": (401, "Authentication required."),
    "header_malformed": (400, "Malformed authorization header."),
    "credentials_ambiguous": (400, "More than one credential was presented."),
    "scope_insufficient": (403, "Insufficient scope."),
    "jwt_malformed": (401, "Invalid token."),
    "jwt_too_large": (401, "Token too large."),
    "jwt_algorithm_refused": (401, "Invalid token."),
    "jwt_key_unknown": (401, "Invalid token."),
    "jwt_signature_invalid": (401, "Invalid token."),
    "jwt_type_mismatch": (401, "Invalid token."),
    "jwt_expired": (401, "The token has expired."),
    "jwt_not_yet_valid": (401, "The token is not yet valid."),
    "jwt_issued_in_future": (401, "Invalid token."),
    "jwt_audience_mismatch": (401, "Invalid token."),
    "jwt_claim_missing": (401, "Invalid token."),
    "jwt_claim_type": (401, "Invalid token."),
    "jwt_confirmation_mismatch": (401, "Invalid token."),
    "jwt_lifetime_too_long": (401, "Invalid token."),
    "jwt_duplicate_member": (401, "Invalid token."),
    "jwt_crit_unsupported": (401, "Invalid token."),
    "oauth_issuer_unknown": (401, "Invalid token."),
    "oauth_binding_mismatch": (401, "Invalid token."),
    "dpop_proof_missing": (401, "A DPoP proof is required."),
    "dpop_proof_invalid": (401, "Invalid DPoP proof."),
    "dpop_proof_mismatch": (401, "Invalid DPoP proof."),
    "dpop_proof_stale": (401, "Invalid DPoP proof."),
    "dpop_proof_replayed": (401, "Invalid DPoP proof."),
    "dpop_nonce_required": (401, "A DPoP nonce is required."),
}

RS_META = 'resource_metadata="%s"' % METADATA_URL


def bearer(error=None, description=None, scope=None):
    parts = ['Bearer realm="api"']
    if error:
        parts.append('error="%s"' % error)
    if scope is not None:
        parts.append('scope="%s"' % scope)
    elif description:
        parts.append('error_description="%s"' % description)
    parts.append(RS_META)
    return ", ".join(parts)


def dpop(error=None, description=None, scope=None):
    parts = ['DPoP realm="api"']
    if error:
        parts.append('error="%s"' % error)
    if scope is not None:
        parts.append('scope="%s"' % scope)
    elif description:
        parts.append('error_description="%s"' % description)
    parts.append('algs="%s"' % ALGS)
    parts.append(RS_META)
    return ", ".join(parts)


def allow(route, subject="user-42"):
    return {"allowed": True, "status": 200, "route": route, "credential": "oauth",
            "subject": subject, "code": None, "challenges": [], "headers": []}


def deny(code, route="items-read", used="Bearer", mode="allowed", scope="items:read", now=None):
    """The decision for a refusal with `code` of a token presented under `used`."""
    status, message = MESSAGES[code]
    schemes = {"allowed": ["Bearer", "DPoP"], "required": ["DPoP"], "off": ["Bearer"]}[mode]
    make = {"Bearer": bearer, "DPoP": dpop}
    if code == "credentials_missing":
        challenges = [make[s]() for s in schemes]
    else:
        if code == "dpop_nonce_required":
            target, error = "DPoP", "use_dpop_nonce"
        elif code.startswith("dpop_"):
            target, error = "DPoP", "invalid_dpop_proof"
        elif code in ("header_malformed", "credentials_ambiguous"):
            target, error = used or schemes[0], "invalid_request"
        elif code == "scope_insufficient":
            target, error = used, "insufficient_scope"
        else:
            target, error = used, "invalid_token"
        if error == "insufficient_scope":
            first = make[target](error, scope=scope)
        elif error == "invalid_request":
            first = make[target](error)
        else:
            first = make[target](error, message)
        challenges = [first]
        if status == 401:
            challenges += [make[s]() for s in schemes if s != target]
    headers = [["WWW-Authenticate", c] for c in challenges]
    if now is not None and status == 401:
        # With nonces on, every 401 hands the client the current one (RFC 9449 8).
        headers.append(["DPoP-Nonce", nonce(now)])
    headers.append(["Content-Type", "application/problem+json"])
    return {"allowed": False, "status": status, "route": route, "credential": None,
            "code": code, "challenges": challenges, "headers": headers,
            "problem": {"type": "urn:portcullis:error:" + code, "title": message,
                        "status": status, "code": code}}


# ---------------------------------------------------------------- cases

CASES = []


def request(auth=None, method="GET", target="/v1/items", proofs=(), now=NOW, certs=None,
            host=HOST, extra=()):
    headers = [["Host", host]] if host else []
    if auth is not None:
        headers.append(["Authorization", auth])
    for p in proofs:
        headers.append(["DPoP", p])
    headers.extend([list(h) for h in extra])
    r = {"method": method, "target": target, "headers": headers, "now": now}
    if certs:
        r["peer_certificates_b64"] = certs
    return r


def case(cid, config, *pairs, source=SOURCE):
    CASES.append({"id": cid, "source": source,
                  "input": {"op": "check", "config": config,
                            "requests": [r for r, _ in pairs]},
                  "expect": {"decisions": [d for _, d in pairs]}})


def add_cases():
    at = access_token()
    case("rfc9068-bearer-ok", "rs", (request("Bearer " + at), allow("items-read")))
    case("rfc9068-second-issuer-es256", "rs",
         (request("Bearer " + access_token(iss=TWO)), allow("items-read")))
    case("rfc9068-aud-array", "rs",
         (request("Bearer " + access_token(aud=["urn:other", RESOURCE])), allow("items-read")))
    case("rfc9068-issuer-own-audience", "rs",
         (request("Bearer " + access_token(iss=TWO, aud="urn:example:api")), allow("items-read")))
    case("rfc9068-typ-media-type", "rs",
         (request("Bearer " + access_token(typ="application/AT+JWT")), allow("items-read")))
    case("rfc9068-scp-array", "rs",
         (request("Bearer " + access_token(drop=("scope",), scp=["items:read"])), allow("items-read")))
    case("rfc9068-groups-roles-entitlements", "rs",
         (request("Bearer " + access_token(groups=["admins"], roles=["reader"],
                                          entitlements=["gold"], amr=["pwd"], acr="1",
                                          auth_time=NOW - 100)), allow("items-read")))
    case("rfc9068-no-scope-route", "rs",
         (request("Bearer " + access_token(drop=("scope",)), target="/v1/me"), allow("me")))
    case("bearer-scheme-case-insensitive", "rs",
         (request("bearer " + access_token()), allow("items-read")))
    case("jwt-profile-plain-jwt", "rs-jwt-profile",
         (request("Bearer " + access_token(typ="JWT", drop=("client_id", "jti", "sub"))),
          allow("items-read", subject="")))

    # missing and malformed credentials
    case("no-authorization", "rs", (request(), deny("credentials_missing", used=None)))
    case("basic-scheme-is-missing", "rs",
         (request("Basic dXNlcjpwYXNz"), deny("credentials_missing", used=None)))
    case("bearer-empty", "rs", (request("Bearer "), deny("header_malformed")))
    case("bearer-not-b64token", "rs", (request("Bearer a,b"), deny("header_malformed")))
    case("bearer-two-headers", "rs",
         (request("Bearer " + at, extra=[("Authorization", "Bearer " + at)]),
          deny("credentials_ambiguous", used=None)))
    case("token-too-large", "rs-small",
         (request("Bearer " + "a" * 1025), deny("jwt_too_large")))
    case("opaque-token-no-introspection", "rs",
         (request("Bearer Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"), deny("oauth_issuer_unknown")))
    h = b64url(b'{"alg":"EdDSA","typ":"at+jwt"}')
    case("payload-not-base64url", "rs", (request("Bearer %s.A.AAAA" % h), deny("jwt_malformed")))
    case("payload-not-json", "rs",
         (request("Bearer %s.%s.AAAA" % (h, b64url(b"[1,2]"))), deny("jwt_malformed")))

    # RFC 9068 claim rules
    for cid, kw, code in [
        ("typ-jwt-refused", {"typ": "JWT"}, "jwt_type_mismatch"),
        ("typ-missing-refused", {"typ": None}, "jwt_type_mismatch"),
        ("issuer-unknown", {"iss": "https://evil.example"}, "oauth_issuer_unknown"),
        ("issuer-case-differs", {"iss": "https://AS-ONE.example"}, "oauth_issuer_unknown"),
        ("issuer-number", {"iss": 7}, "jwt_claim_type"),
        ("issuer-missing", {"drop": ("iss",)}, "jwt_claim_missing"),
        ("issuer-two-signed-by-one", {"iss": TWO, "key": ISSUER_ONE, "kid": "one-1"}, "jwt_key_unknown"),
        ("issuer-two-no-kid-other-alg", {"iss": TWO, "key": ISSUER_ONE, "kid": ""}, "jwt_key_unknown"),
        ("aud-other", {"aud": "https://other.example"}, "jwt_audience_mismatch"),
        ("aud-missing", {"drop": ("aud",)}, "jwt_claim_missing"),
        ("exp-passed", {"exp": NOW - 61, "iat": NOW - 700}, "jwt_expired"),
        ("exp-missing", {"drop": ("exp",)}, "jwt_claim_missing"),
        ("sub-missing", {"drop": ("sub",)}, "jwt_claim_missing"),
        ("client-id-missing", {"drop": ("client_id",)}, "jwt_claim_missing"),
        ("iat-missing", {"drop": ("iat",)}, "jwt_claim_missing"),
        ("jti-missing", {"drop": ("jti",)}, "jwt_claim_missing"),
        ("client-id-number", {"client_id": 7}, "jwt_claim_type"),
        ("groups-not-array", {"groups": "admins"}, "jwt_claim_type"),
        ("roles-numbers", {"roles": [1, 2]}, "jwt_claim_type"),
        ("entitlements-object", {"entitlements": {"a": 1}}, "jwt_claim_type"),
        ("amr-string", {"amr": "pwd"}, "jwt_claim_type"),
        ("auth-time-string", {"auth_time": "yesterday"}, "jwt_claim_type"),
        ("nbf-future", {"nbf": NOW + 120}, "jwt_not_yet_valid"),
        ("iat-future", {"iat": NOW + 120}, "jwt_issued_in_future"),
        ("lifetime-too-long", {"exp": NOW + 2 * 86400}, "jwt_lifetime_too_long"),
        ("unknown-kid", {"kid": "one-2"}, "jwt_key_unknown"),
        ("signed-by-other-key", {"key": OTHER_ED, "kid": "one-1"}, "jwt_signature_invalid"),
        ("crit-header", {"header_extra": {"crit": ["exp"]}}, "jwt_crit_unsupported"),
    ]:
        if kw.get("kid") == "":
            # No kid: the issuer's keys of the token's algorithm are tried; it has none.
            kw = dict(kw)
            del kw["kid"]
            token = jws({"alg": "EdDSA", "typ": "at+jwt"},
                        {"iss": TWO, "sub": "u", "aud": RESOURCE, "client_id": "c",
                         "iat": NOW, "exp": NOW + 60, "jti": "x", "scope": "items:read"},
                        ISSUER_ONE)
            code = "jwt_algorithm_refused"
        else:
            token = access_token(**kw)
        case("rfc9068-" + cid, "rs", (request("Bearer " + token), deny(code)))
    none = b64url(b'{"alg":"none","typ":"at+jwt"}') + "." + at.split(".")[1] + "."
    case("rfc9068-alg-none", "rs", (request("Bearer " + none), deny("jwt_algorithm_refused")))
    hs = at.split(".")
    hs_header = b64url(b'{"alg":"HS256","typ":"at+jwt","kid":"one-1"}')
    case("rfc9068-alg-hs256-confusion", "rs",
         (request("Bearer %s.%s.%s" % (hs_header, hs[1], hs[2])), deny("jwt_algorithm_refused")))
    altered = hs[0] + "." + hs[1] + "." + ("A" if hs[2][0] != "A" else "B") + hs[2][1:]
    case("rfc9068-signature-altered", "rs",
         (request("Bearer " + altered), deny("jwt_signature_invalid")))
    case("scope-insufficient-bearer", "rs",
         (request("Bearer " + access_token(), method="POST"),
          deny("scope_insufficient", route="items-write", scope="items:write")))

    # DPoP (RFC 9449 7)
    bound = access_token(cnf={"jkt": CLIENT_ED.thumbprint()})
    case("dpop-bound-ok", "rs",
         (request("DPoP " + bound, proofs=[proof(CLIENT_ED, token=bound)]), allow("items-read")))
    bound_p = access_token(iss=TWO, cnf={"jkt": CLIENT_P256.thumbprint()})
    case("dpop-bound-es256-ok", "rs",
         (request("DPoP " + bound_p, proofs=[proof(CLIENT_P256, token=bound_p)]), allow("items-read")))
    case("dpop-scheme-case-insensitive", "rs",
         (request("dpop " + bound, proofs=[proof(CLIENT_ED, token=bound)]), allow("items-read")))
    case("dpop-htu-normalised", "rs",
         (request("DPoP " + bound, proofs=[proof(CLIENT_ED, token=bound,
                                                htu="https://API.example.com:443/v1/items")]),
          allow("items-read")))
    case("dpop-htu-ignores-query", "rs",
         (request("DPoP " + bound, target="/v1/items?page=2",
                  proofs=[proof(CLIENT_ED, token=bound)]), allow("items-read")))
    case("dpop-origin-configured", "rs-origin",
         (request("DPoP " + bound, host="10.0.0.7:8080",
                  proofs=[proof(CLIENT_ED, token=bound,
                                htu="https://public.example.com/v1/items")]), allow("items-read")))
    case("dpop-origin-configured-host-ignored", "rs-origin",
         (request("DPoP " + bound, proofs=[proof(CLIENT_ED, token=bound)]),
          deny("dpop_proof_mismatch", used="DPoP")))
    case("dpop-required-ok", "rs-dpop-required",
         (request("DPoP " + bound, proofs=[proof(CLIENT_ED, token=bound)]), allow("items-read")))
    replayed = proof(CLIENT_ED, token=bound)
    case("dpop-proof-replayed", "rs",
         (request("DPoP " + bound, proofs=[replayed]), allow("items-read")),
         (request("DPoP " + bound, proofs=[replayed]), deny("dpop_proof_replayed", used="DPoP")))
    case("dpop-bound-token-as-bearer", "rs",
         (request("Bearer " + bound), deny("oauth_binding_mismatch")))
    case("dpop-bound-token-as-bearer-with-proof", "rs",
         (request("Bearer " + bound, proofs=[proof(CLIENT_ED, token=bound)]),
          deny("oauth_binding_mismatch")))
    case("dpop-unbound-token-with-dpop", "rs",
         (request("DPoP " + at, proofs=[proof(CLIENT_ED, token=at)]),
          deny("oauth_binding_mismatch", used="DPoP")))
    case("dpop-jkt-mismatch", "rs",
         (request("DPoP " + bound, proofs=[proof(OTHER_ED, token=bound)]),
          deny("oauth_binding_mismatch", used="DPoP")))
    odd = access_token(cnf={"jkt": 7})
    case("dpop-jkt-not-string", "rs",
         (request("DPoP " + odd, proofs=[proof(CLIENT_ED, token=odd)]),
          deny("oauth_binding_mismatch", used="DPoP")))
    case("dpop-cnf-not-object", "rs",
         (request("Bearer " + access_token(cnf="x")), deny("jwt_claim_type")))
    case("dpop-no-proof-header", "rs",
         (request("DPoP " + bound), deny("dpop_proof_missing", used="DPoP")))
    case("dpop-two-proof-headers", "rs",
         (request("DPoP " + bound, proofs=[proof(CLIENT_ED, token=bound),
                                           proof(CLIENT_ED, token=bound)]),
          deny("dpop_proof_missing", used="DPoP")))
    for cid, kw, code in [
        ("typ-jwt", {"typ": "JWT"}, "dpop_proof_invalid"),
        ("typ-missing", {"typ": None}, "dpop_proof_invalid"),
        ("alg-not-allowed", {"alg": "ES384"}, "dpop_proof_invalid"),
        ("private-jwk", {"jwk": dict(CLIENT_ED.jwk, d=b64url(b"\x33" * 32))}, "dpop_proof_invalid"),
        ("symmetric-jwk", {"jwk": {"kty": "oct", "k": b64url(b"k" * 32)}, "alg": "HS256"},
         "dpop_proof_invalid"),
        ("jwk-of-another-key", {"jwk": OTHER_ED.jwk}, "dpop_proof_invalid"),
        ("jti-missing", {"drop": ("jti",)}, "dpop_proof_invalid"),
        ("htm-missing", {"drop": ("htm",)}, "dpop_proof_invalid"),
        ("iat-string", {"iat": str(NOW)}, "dpop_proof_invalid"),
        ("htm-post", {"htm": "POST"}, "dpop_proof_mismatch"),
        ("htm-lower-case", {"htm": "get"}, "dpop_proof_mismatch"),
        ("htu-other-path", {"htu": RESOURCE + "/v1/other"}, "dpop_proof_mismatch"),
        ("htu-other-host", {"htu": "https://evil.example/v1/items"}, "dpop_proof_mismatch"),
        ("htu-http", {"htu": "http://api.example.com/v1/items"}, "dpop_proof_mismatch"),
        ("ath-other-token", {"ath": ath("other")}, "dpop_proof_mismatch"),
        ("iat-old", {"iat": NOW - 301}, "dpop_proof_stale"),
        ("iat-future", {"iat": NOW + 30}, "dpop_proof_stale"),
    ]:
        p = proof(CLIENT_ED, token=bound, **kw)
        case("dpop-proof-" + cid, "rs",
             (request("DPoP " + bound, proofs=[p]), deny(code, used="DPoP")))
    no_ath = proof(CLIENT_ED)
    case("dpop-proof-ath-missing", "rs",
         (request("DPoP " + bound, proofs=[no_ath]), deny("dpop_proof_mismatch", used="DPoP")))
    sig = replayed.split(".")
    bad = sig[0] + "." + sig[1] + "." + ("A" if sig[2][0] != "A" else "B") + sig[2][1:]
    case("dpop-proof-signature-altered", "rs",
         (request("DPoP " + bound, proofs=[bad]), deny("dpop_proof_invalid", used="DPoP")))
    case("dpop-scope-insufficient", "rs",
         (request("DPoP " + bound, method="POST",
                  proofs=[proof(CLIENT_ED, token=bound, htm="POST")]),
          deny("scope_insufficient", route="items-write", used="DPoP", scope="items:write")))
    case("dpop-required-bearer-refused", "rs-dpop-required",
         (request("Bearer " + at), deny("oauth_binding_mismatch", mode="required", used="DPoP")))
    case("dpop-required-missing", "rs-dpop-required",
         (request(), deny("credentials_missing", mode="required", used=None)))
    case("dpop-off-dpop-scheme-is-missing", "rs-dpop-off",
         (request("DPoP " + bound, proofs=[proof(CLIENT_ED, token=bound)]),
          deny("credentials_missing", mode="off", used=None)))
    case("dpop-off-bound-token-as-bearer", "rs-dpop-off",
         (request("Bearer " + bound), deny("oauth_binding_mismatch", mode="off")))

    # server nonces (RFC 9449 8, 9)
    for cid, kw, want in [
        ("current", {"nonce": nonce()}, None),
        ("previous-step", {"nonce": nonce(NOW - NONCE_STEP)}, None),
        ("missing", {}, "dpop_nonce_required"),
        ("two-steps-old", {"nonce": nonce(NOW - 2 * NONCE_STEP)}, "dpop_nonce_required"),
        ("next-step", {"nonce": nonce(NOW + NONCE_STEP)}, "dpop_nonce_required"),
        ("other-secret", {"nonce": nonce(secret="another-secret-of-the-same-length-0123456")},
         "dpop_nonce_required"),
        ("not-a-nonce", {"nonce": "abc"}, "dpop_nonce_required"),
        ("number", {"nonce": 7}, "dpop_proof_invalid"),
        ("iat-old-with-nonce", {"nonce": nonce(), "iat": NOW - 301}, "dpop_proof_stale"),
        ("iat-future-with-nonce", {"nonce": nonce(), "iat": NOW + 30}, "dpop_proof_stale"),
    ]:
        p = proof(CLIENT_ED, token=bound, **kw)
        r = request("DPoP " + bound, proofs=[p])
        case("dpop-nonce-" + cid, "rs-nonce",
             (r, allow("items-read") if want is None else deny(want, used="DPoP", now=NOW)))
    retry = proof(CLIENT_ED, token=bound, nonce=nonce(NOW + 5), iat=NOW + 5)
    case("dpop-nonce-retry-after-use-dpop-nonce", "rs-nonce",
         (request("DPoP " + bound, proofs=[proof(CLIENT_ED, token=bound)]),
          deny("dpop_nonce_required", used="DPoP", now=NOW)),
         (request("DPoP " + bound, proofs=[retry], now=NOW + 5), allow("items-read")))
    case("dpop-nonce-on-missing-credentials", "rs-nonce",
         (request(), deny("credentials_missing", used=None, now=NOW)))
    case("dpop-nonce-on-bad-bearer", "rs-nonce",
         (request("Bearer " + access_token(aud="urn:other")), deny("jwt_audience_mismatch", now=NOW)))
    case("dpop-nonce-not-on-403", "rs-nonce",
         (request("Bearer " + at, method="POST"),
          deny("scope_insufficient", route="items-write", scope="items:write", now=NOW)))
    case("dpop-nonce-bearer-unbound-ok", "rs-nonce", (request("Bearer " + at), allow("items-read")))

    # certificate-bound tokens (RFC 8705 3)
    cert_bound = access_token(cnf={"x5t#S256": x5t(CERT)})
    case("mtls-bound-ok", "rs", (request("Bearer " + cert_bound, certs=[CERT]), allow("items-read")))
    case("mtls-bound-no-certificate", "rs",
         (request("Bearer " + cert_bound), deny("jwt_confirmation_mismatch")))
    case("mtls-bound-other-certificate", "rs",
         (request("Bearer " + cert_bound, certs=[OTHER_CERT]), deny("jwt_confirmation_mismatch")))
    case("mtls-required-ok", "rs-cert-required",
         (request("Bearer " + cert_bound, certs=[CERT]), allow("items-read")))
    case("mtls-required-unbound-token", "rs-cert-required",
         (request("Bearer " + at, certs=[CERT]), deny("jwt_confirmation_mismatch")))
    both = access_token(cnf={"x5t#S256": x5t(CERT), "jkt": CLIENT_ED.thumbprint()})
    case("mtls-and-dpop-bound-ok", "rs",
         (request("DPoP " + both, certs=[CERT], proofs=[proof(CLIENT_ED, token=both)]),
          allow("items-read")))
    case("mtls-and-dpop-bound-no-certificate", "rs",
         (request("DPoP " + both, proofs=[proof(CLIENT_ED, token=both)]),
          deny("jwt_confirmation_mismatch", used="DPoP")))


def main():
    add_cases()
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    doc = {
        "description": "portcullis OAuth 2.0 resource-server vectors: gate.json's format "
                       "(tests/vectors/GATE.md); written by gen_oauth_rs.py",
        "secrets": {"nonce": NONCE_SECRET},
        "configs": CONFIGS,
        "cases": CASES,
    }
    (HERE / "oauth_rs.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False,
                                                   sort_keys=True) + "\n")
    refused = sum(1 for c in CASES if not c["expect"]["decisions"][-1]["allowed"])
    print(f"oauth_rs.json: {len(CASES)} cases, {refused} refusals (last decision denied)")


if __name__ == "__main__":
    main()
