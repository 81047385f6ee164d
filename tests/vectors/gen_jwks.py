#!/usr/bin/env python3
"""Writes tests/vectors/jwks.json: remote JWKS cases for every runner (ops in JWKS.md).

An independent reference: every token is signed here with PyJWT and pyca/cryptography (or
assembled byte by byte with Python's hmac for the hostile ones), every JWK is written here from
cryptography's key numbers, and every expected outcome follows docs/JWT.md "Remote key sets"
and the RFCs it cites (RFC 7517, RFC 8414, OpenID Connect Discovery 1.0, RFC 9111). Nothing
comes from portcullis.

    python3 -m venv /tmp/jwksgen && /tmp/jwksgen/bin/pip install pyjwt cryptography
    /tmp/jwksgen/bin/python tests/vectors/gen_jwks.py

Keys are fixed: the RSA keys are the constants below (generated once with cryptography), the
EC keys come from fixed scalars, the Ed25519 keys from fixed seeds, the CA certificate is
Ed25519 with fixed names, dates and serial. ES256 tokens use RFC 6979 deterministic ECDSA.
Everything in the file is byte-for-byte stable across runs except the PS256 tokens (PSS
salts are random), which change on each run and still verify.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import sys

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = 1750000000
ISS = "https://idp.example"
BASE = "{{base}}"
CASES = []

# Generated once with rsa.generate_private_key(65537, 2048) and kept.
RSA_A_PEM = b"""\
-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQC1dBieN33VnTRQ
aEL3xhAspUOloZFa0tbE1W+mTREK/XZV4kHq/IMj0LfeHNIxlKHJLEzYEqJJywa3
D82vBucq0SjxDuQ6QdPjg3KiPYVB1WYeeSpUXeo60YXwLlRZctyNdU22ZQxT9nsm
fBz4eS1zDs2dhNLBD0zHvWgITy4UDoO+wyWOnENWrC4feTpM/enyf6FDnc2Q7VKo
At1ZfLb0wlh+L5OELgh9/skfXHfOkEmzk0GU+FgJENcJSjD/6TPx6Fjuwnut/DxK
lPwfn9hwJ8VOrb3LB3/O9WFvePwi0idKjx8pMVcsM7Xaxok7Mj73kc3d9kW1fhOj
5tHQr2ADAgMBAAECggEAE8lhp9sgPyuB2WTNLKyt9dhdrJGWQqOsJNGrd6R+v8aM
4WenTYMUn9KyQie9agetrrzEcmlxxf88L7kq8jOcAKjHQKYhkBK+ktgyJ2vy/I9T
L+6BhaqqEJjpdJvwucJTN5+7hjC1q/A8VKGDHTtFj/7kwBEMVF4hPsSyM/nCahBN
3A8S1fm2VFktBkU95DflLNa9IPvmcLc1g8199b2NRx7sgOQnEy+klGPmt4iZEq61
T90WSfiNd+Ciw6u+yuxnQ/buOfuA6U+8GOjWlKB16vHE/DVbyfK0sz4ot7mc3K9k
LgWp9cJLiGo6i8UKHt4ozQcD7/zEiJDOvEjDFa2KLQKBgQDvhY4cMY52xwnZ8keB
z/6hNAmOOUt282mhgo7V8s5uRP5Fr3l1hpH/V+FG6DYT9jD6LsweB3Ez7T9HS830
0dszWviTVB9GEaCfd/l9tF+IWEIboyEwX7oo9/VO29YSKTWRqXf+gP+hZ/48sCTQ
PPauRvdDncbPEYAuNaV/cPl59QKBgQDB79i+42tj7HKwwn1aOY1yToV6l8xr6Duz
MA5krCyuJTxuFn4X2l78ab9UWRkBvML3hR8u6ABYlwqn/5gNTRZS92XDBytMy0dy
vrFdBDViuVtbizCP85YIu36GUiR1y2R+FF7KIeOuChHeLxIQQhZANauJ6QqsfJNe
mCqrUkXfFwKBgBcnItCI3cuPe91MdSsQLv3oKNBNq4TJDLnnA+WcfeXc13Nm/eel
ZXF4TjdrdObDEoLsiSCR+ZhaY5aBtlvm+Thin8qmBAvi4lLn5v8Gs4FbfrBrOWcS
qc0SAu1nhK7mut3kssuwLoWspr+5CyXx7qp0A6zOkIwtleVhnCjQg90NAoGAFH4Q
jBMhzNw2PkE+16LPNG3hotOZcSmH7WY9jxu2WOxsV0GfL0wOz2MpKXOEte9JNrhl
VCKFrta+9IOIgJdNrZSgtxvx0lqEgTZvLWH9diIZ6jFp/zwA9YlCVFUnrx6/zqa+
YWN1WHWN78lPglJJYZ2KM7dhPlqng85Wa+X0ph8CgYBaRBwUB7p1c8ooLjJ8Dcaw
5sRH0MKV/hUuPCkPa4vDFbM9DDTmlL7cWvj4CXdALBArlnSHbnndCzq505SmjGYC
Wu0CBWp4qEOnEAFEao6YbCmXAPYQgetWMtMYgRDCXMZ+kWTzMjYlborZ8M8yBFy2
TBOQtn2G1JUiMMWDYyPbeQ==
-----END PRIVATE KEY-----
"""
RSA_B_PEM = b"""\
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCwqvSyZcjInRt4
3clAMWSjQwahwN76NgECWvoX0cMW+ntSv4mBjW7ynPNhPyJanzHPSdTZa2FnbeO6
tDOjFjS8DoEtoiNweExv+ORrgzUAoBz2Ngxro3HEbZKNvYue0dZSQkkL9zFg1+GV
JIRu2H034GKXBgdgp7KD0zSyXhXuL0Vcz0QJPYo4AtugzSBzHQvxcbk/X98m0BGW
V+2iovDSM13Bb+Kjj8J9NMDtdFVVXxn0Tu/9kwQR3HKhrDv7M2wGPgNVy6IDkBG7
Fn8KLSwGlhHTB+TN1w/PAeMaAN4gPJnSvKyPYCoBCF6Qz7/d7lpZ+8xgFN0hAspn
wZkpcsU1AgMBAAECggEAA55IuzOi+FrhYmkWc1pfn4lipCL1XiYHgMMYvq6k4n5Y
UsJKAG2DYXQt9uaqXzVF+aMfOSG+IbZqNNt2eEde5qAcbLEWrTnFhQCRuxL5nazp
0vAZ8oVrMdT1rLH+X08YZuBlKxnRuNRLEjkofjWwYNnXYxT0RzpACXukp2eOZu2n
oiZe7Uofy+NNP3LHSlNVO4MrnzncxHfofnBHCoEa+vlWI4fG5zeQtzXiaB8c6KgV
Hio0/42Mz8So5nHpSrrakTIz8Lb1Cbyrb5qUFOiWfLz5/Vs6Ck7o2txc8Bu/x+rJ
+oYh7BMqcoMsC9oUWpwWWj7DRSXB8O0Y7tBDSd2OUQKBgQDyvX/wtHFcHNdzKsjv
QleigSzdnNeh5Nu/pkYOT6vU9zlXd8Cf5WEeIUV1AFC0hf8P4rVSMD1w5if1FsES
+PlCpKuRRAavASMTPdweaHccrlxmmfjmCmMCCfBQVZrygpdBR/X8pGO2ZZwKvsJp
8XI7rlbtcQiFnV9uwAkTkWe0UQKBgQC6UX5TD++vp0kim63wa3FvMJXj50qWvV4J
TQs/okdb7HZ/nTC6R9f4drZkARDubmS1GfpIWwiMSqfSoizeBut6kpWdPI8Rrdj1
eRO4akX7QaGeMKxQoBVgKK4+hSMj5T/mehEIR3iDf6ZkUEmpI5FYWVMMDqfQKP0r
IfxOEZB9pQKBgQDkpLC1ZxH8JMKgHWXlUEVBsZE0Mb8/JFYFILaOVmdRk4k0pX0Q
X7xp6AcHnUNnt2u4Z+BJSV0mUfTDPCqjF1eaeYeNrljpURXb0wHatqWzo10v28qB
zLjTu87brLblxTJ58DF5RtMRhIZF7MctiZsDMkV5JGZVjRXOOR6Tivv28QKBgDpw
jTroaLmjsuDUC765NJ83kgwl49NcGj64l6qh79f5V0G3wCztk+Qu+A5t9y2SGqxj
NYm0Y/38/J6ol4IckYekqqDi+c0FxmNYUsMpMkIY1+SSR7oSPCIpIF4jzF3Z7i0Q
ZH9AS6CTTVFxjWkr6s7XVaEWh7RW5vG8ezLRd4yxAoGANSt80d2iM780L/vCD5d1
WJsFHoJbZryiSQ8LqDLGivEUN3U7o/u4qkfF4EFCehQmCENutZj7qdO3PfPvGvHp
2Zr38q0YSG7p8v4xtl1VgSol3I0v7pwrAb8KaoVOpkm5IYziltvuPkjZTu8Hhauf
kFpo0lQ95z17WC3eVC4LHOQ=
-----END PRIVATE KEY-----
"""


def load_rsa(pem):
    return serialization.load_pem_private_key(pem, password=None)


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint(n, width=None):
    width = width or max(1, (n.bit_length() + 7) // 8)
    return b64u(n.to_bytes(width, "big"))


# --- keys -------------------------------------------------------------------------------

RSA_A = load_rsa(RSA_A_PEM)  # RS256, kid rsa-1
RSA_B = load_rsa(RSA_B_PEM)  # PS256, kid ps-1
EC_1 = ec.derive_private_key(0x6A77_6B73_2D65_632D_31 * 7919, ec.SECP256R1())
EC_2 = ec.derive_private_key(0x6A77_6B73_2D65_632D_32 * 7919, ec.SECP256R1())
EC_ENC = ec.derive_private_key(0x6A77_6B73_2D65_6E63 * 7919, ec.SECP256R1())
ED_1 = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"jwks ed-1").digest())
ED_2 = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"jwks ed-2").digest())
ATTACKER = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"jwks attacker").digest())
OCT_SECRET = hashlib.sha256(b"jwks oct secret").digest()


def jwk(key, kid=None, alg=None, use="sig", private=False, **extra):
    """The JWK of `key` (public unless `private`), written from cryptography's numbers."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        pub = key.public_key().public_numbers()
        out = {"kty": "EC", "crv": "P-256", "x": uint(pub.x, 32), "y": uint(pub.y, 32)}
        if private:
            out["d"] = uint(key.private_numbers().private_value, 32)
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
        out = {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw)}
        if private:
            out["d"] = b64u(key.private_bytes(serialization.Encoding.Raw,
                                              serialization.PrivateFormat.Raw,
                                              serialization.NoEncryption()))
    else:
        priv = key.private_numbers()
        out = {"kty": "RSA", "n": uint(priv.public_numbers.n), "e": uint(priv.public_numbers.e)}
        if private:
            out.update(d=uint(priv.d), p=uint(priv.p), q=uint(priv.q), dp=uint(priv.dmp1),
                       dq=uint(priv.dmq1), qi=uint(priv.iqmp))
    if use is not None:
        out["use"] = use
    if alg is not None:
        out["alg"] = alg
    if kid is not None:
        out["kid"] = kid
    out.update(extra)
    return out


K_RSA = jwk(RSA_A, "rsa-1", "RS256")
K_PS = jwk(RSA_B, "ps-1", "PS256")
K_EC1 = jwk(EC_1, "ec-1", "ES256")
K_EC2 = jwk(EC_2, "ec-2", "ES256")
K_ED1 = jwk(ED_1, "ed-1", "EdDSA")
K_ED2 = jwk(ED_2, "ed-2", "EdDSA")
K_OCT = {"kty": "oct", "kid": "hs-1", "alg": "HS256", "use": "sig", "k": b64u(OCT_SECRET)}
ALL4 = [K_RSA, K_EC1, K_ED1, K_PS]

SIGNERS = {"rsa-1": (RSA_A, "RS256"), "ps-1": (RSA_B, "PS256"), "ec-1": (EC_1, "ES256"),
           "ec-2": (EC_2, "ES256"), "ed-1": (ED_1, "EdDSA"), "ed-2": (ED_2, "EdDSA")}


def claims(**extra):
    c = {"iss": ISS, "sub": "alice", "iat": NOW - 10, "exp": NOW + 3600, "scope": "read write"}
    c.update(extra)
    return {k: v for k, v in c.items() if v is not None}


def token(kid, alg=None, key=None, payload=None, headers=None, header_kid=...):
    """A token signed by PyJWT with the key behind `kid` (or `key`), header kid `kid`."""
    skey, salg = SIGNERS.get(kid, (None, None))
    hdrs = dict(headers or {})
    hk = kid if header_kid is ... else header_kid
    if hk is not None:
        hdrs["kid"] = hk
    key, alg, payload = key or skey, alg or salg, payload if payload is not None else claims()
    if alg != "ES256":
        return jwt.encode(payload, key, algorithm=alg, headers=hdrs)
    # ES256 with RFC 6979 deterministic nonces (cryptography), so the file is stable; PyJWT
    # checks the result.
    header = dict(hdrs, alg="ES256", typ="JWT")
    h = b64u(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())
    p = b64u(json.dumps(payload, separators=(",", ":")).encode())
    der = key.sign(f"{h}.{p}".encode(), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    r, s = decode_dss_signature(der)
    tok = f"{h}.{p}.{b64u(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    jwt.PyJWS().decode(tok, key.public_key(), algorithms=["ES256"])
    return tok


def forge_hs256(header, payload, secret):
    """An HS256 token over exact JSON bytes, keyed with arbitrary bytes (PyJWT refuses PEM
    secrets, so this is Python's hmac)."""
    h = b64u(json.dumps(header, separators=(",", ":")).encode())
    p = b64u(json.dumps(payload, separators=(",", ":")).encode())
    mac = hmac.new(secret, f"{h}.{p}".encode(), hashlib.sha256).digest()
    return f"{h}.{p}.{b64u(mac)}"


def unsigned(header, payload):
    h = b64u(json.dumps(header, separators=(",", ":")).encode())
    p = b64u(json.dumps(payload, separators=(",", ":")).encode())
    return f"{h}.{p}."


# --- case builders ----------------------------------------------------------------------

def add(id_, source, input_, expect, now=NOW):
    assert all(c["id"] != id_ for c in CASES), id_
    CASES.append({"id": id_, "source": source, "now": now, "input": input_, "expect": expect})


def principal(kid, payload=None):
    """What verifying a claims() token signed by `kid` gives."""
    p = payload if payload is not None else claims()
    scopes = p.get("scope", "").split()
    return {"subject": p.get("sub", ""), "method": "jwt", "credential_id": kid,
            "expires_at": p["exp"], "scopes": scopes,
            "claims_canonical": json.dumps(p, separators=(",", ":"), sort_keys=True)}


def ok(fields, requests):
    return {"ok": fields, "requests": requests}


def err(code, requests=None):
    e = {"error": code}
    if requests is not None:
        e["requests"] = requests
    return e


JSON_HEADERS = [["Content-Type", "application/json"]]


def resp(path, body, status=200, headers=None):
    if not isinstance(body, str):
        body = json.dumps(body, separators=(",", ":"))
    return {"path": path, "status": status,
            "headers": JSON_HEADERS if headers is None else headers, "body": body}


def keyset(*keys):
    return {"keys": list(keys)}


def jwks_at(*keys, headers=None, path="/jwks.json"):
    return [resp(path, keyset(*keys), headers=headers)]


JWT_CONFIG = {"issuers": [ISS]}


def remote(responses, tok, config=None, jwt_config=None, times=None):
    i = {"op": "verify_remote", "responses": responses,
         "config": config if config is not None else {"url": BASE + "/jwks.json"},
         "jwt_config": jwt_config if jwt_config is not None else JWT_CONFIG, "token": tok}
    if times is not None:
        i["times"] = times
    return i


def url_config(**extra):
    return dict({"url": BASE + "/jwks.json"}, **extra)


# --- algorithms and key selection -------------------------------------------------------

for kid, alg, rfc in [("rsa-1", "RS256", "RFC 7518 3.3"), ("ec-1", "ES256", "RFC 7518 3.4"),
                      ("ed-1", "EdDSA", "RFC 8037 3.1"), ("ps-1", "PS256", "RFC 7518 3.5")]:
    add(f"{alg.lower()}-from-remote-set",
        f"{rfc}: {alg} token, kid {kid} picked from a four-key JWKS (RFC 7517 5)",
        remote(jwks_at(*ALL4), token(kid)), ok(principal(kid), 1))

add("kid-selects-second-of-two-es256", "RFC 7515 4.1.4: kid picks ec-2 among two ES256 keys",
    remote(jwks_at(K_EC1, K_EC2, K_RSA), token("ec-2")), ok(principal("ec-2"), 1))
add("no-kid-tries-keys-of-the-alg", "token without kid: the keys of its alg are tried; "
    "credential_id is the matching key's kid",
    remote(jwks_at(K_RSA, K_EC1, K_EC2), token("ec-2", header_kid=None)),
    ok(principal("ec-2"), 1))
add("rsa-without-alg-is-rs256", "docs/JWT.md: an RSA key without alg gets RS256",
    remote(jwks_at(jwk(RSA_A, "rsa-1")), token("rsa-1")), ok(principal("rsa-1"), 1))
add("rsa-without-alg-takes-allowed-ps256",
    "docs/JWT.md: an RSA key without alg gets the first RSA algorithm of `algorithms`",
    remote(jwks_at(jwk(RSA_B, "ps-1")), token("ps-1"),
           url_config(algorithms=["ES256", "PS256"])),
    ok(principal("ps-1"), 1))
add("ec-without-alg-from-crv", "RFC 7518 6.2.1.1: P-256 implies ES256",
    remote(jwks_at(jwk(EC_1, "ec-1", use=None)), token("ec-1")), ok(principal("ec-1"), 1))
add("okp-without-alg-is-eddsa", "RFC 8037 2: OKP Ed25519 implies EdDSA",
    remote(jwks_at(jwk(ED_1, "ed-1", use=None)), token("ed-1")), ok(principal("ed-1"), 1))
add("unusable-entries-are-skipped",
    "RFC 7517 5: entries that are not signature keys are skipped, the rest serves",
    remote(jwks_at(K_OCT, jwk(EC_ENC, "enc-1", "ECDH-ES", use="enc"),
                   {"kty": "OKP", "crv": "X25519", "kid": "x-1",
                    "x": b64u(hashlib.sha256(b"x25519").digest())},
                   jwk(RSA_A, "oaep-1", "RSA-OAEP", use=None),
                   jwk(EC_2, "ops-1", "ES256", use=None, key_ops=["sign"]),
                   {"kty": "EC", "crv": "secp256k1", "kid": "k1-1", "x": "AA", "y": "AA"},
                   K_ED1),
           token("ed-1")),
    ok(principal("ed-1"), 1))
add("same-kid-for-sig-and-enc-keys", "RFC 7517 4.5: an enc key sharing the kid is skipped, "
    "so the kids of usable keys stay distinct",
    remote(jwks_at(jwk(EC_ENC, "k", "ECDH-ES", use="enc"), jwk(EC_1, "k", "ES256")),
           token("ec-1", header_kid="k")),
    ok(principal("k"), 1))
add("same-kid-outside-allow-list", "a key skipped by `algorithms` does not count as a "
    "duplicate kid",
    remote(jwks_at(jwk(RSA_A, "k", "RS256"), jwk(EC_1, "k", "ES256")),
           token("ec-1", header_kid="k"), url_config(algorithms=["ES256"])),
    ok(principal("k"), 1))
add("require-kid-with-kid", "require_kid: keys without kid are skipped, a token with kid "
    "verifies",
    remote(jwks_at(jwk(EC_2, None, "ES256"), K_EC1), token("ec-1"),
           url_config(require_kid=True)),
    ok(principal("ec-1"), 1))
add("content-type-not-checked", "docs/JWT.md: Content-Type is not checked (text/plain)",
    remote(jwks_at(K_ED1, headers=[["Content-Type", "text/plain"]]), token("ed-1")),
    ok(principal("ed-1"), 1))
add("jwk-set-content-type", "RFC 7517 8.5: application/jwk-set+json",
    remote(jwks_at(K_ED1, headers=[["Content-Type", "application/jwk-set+json"]]),
           token("ed-1")),
    ok(principal("ed-1"), 1))

ed_set = json.dumps(keyset(K_ED1), separators=(",", ":"))
add("body-exactly-max-bytes", "max_bytes is inclusive: a 1024-byte body is read",
    remote([resp("/jwks.json", ed_set + " " * (1024 - len(ed_set)))], token("ed-1"),
           url_config(max_bytes=1024)),
    ok(principal("ed-1"), 1))

# --- caching ----------------------------------------------------------------------------

CACHE = [
    ("max-age", [["Cache-Control", "public, max-age=600"]], "RFC 9111 5.2.2.1: max-age=600"),
    ("no-store", [["Cache-Control", "no-store"]],
     "docs/JWT.md: no-store means min_ttl_seconds (300), not a fetch per verification"),
    ("no-cache", [["Cache-Control", "no-cache"]], "docs/JWT.md: no-cache means min_ttl_seconds"),
    ("max-age-0", [["Cache-Control", "max-age=0"]], "max-age=0 is raised to min_ttl_seconds"),
    ("age-beyond-max-age", [["Cache-Control", "max-age=60"], ["Age", "120"]],
     "RFC 9111 4.2.3: Age over max-age leaves 0, raised to min_ttl_seconds"),
    ("none", [], "no Cache-Control: default_ttl_seconds"),
]
for name, hdrs, source in CACHE:
    add(f"cache-{name}-times-3", source + "; three verifications, one fetch",
        remote(jwks_at(K_EC1, headers=JSON_HEADERS + hdrs), token("ec-1"), times=3),
        ok(principal("ec-1"), 1))

# --- discovery --------------------------------------------------------------------------

def oidc(issuer_path, doc, jwks_path="/tenant/jwks", keys=(K_EC1,), well_known=None):
    """Responses for a discovery case: the metadata document and the key set."""
    wk = well_known or (issuer_path.rstrip("/") + "/.well-known/openid-configuration")
    out = [resp(wk, doc)]
    if jwks_path:
        out.append(resp(jwks_path, keyset(*keys)))
    return out


def disc_doc(issuer, jwks_uri=BASE + "/tenant/jwks", **extra):
    d = {"issuer": issuer, "jwks_uri": jwks_uri}
    d.update(extra)
    return {k: v for k, v in d.items() if v is not None}


ISSUER = BASE + "/tenant"
add("discovery-openid", "OpenID Connect Discovery 1.0 4: issuer/.well-known/"
    "openid-configuration names jwks_uri; discovery and key set are one request each",
    remote(oidc("/tenant", disc_doc(ISSUER, response_types_supported=["code"])),
           token("ec-1"), {"issuer": ISSUER}),
    ok(principal("ec-1"), 2))
add("discovery-openid-times-3", "discovery runs once; the key set is cached",
    remote(oidc("/tenant", disc_doc(ISSUER)), token("ec-1"), {"issuer": ISSUER}, times=3),
    ok(principal("ec-1"), 2))
add("discovery-issuer-with-trailing-slash", "Discovery 1.0 4.1: a trailing / is removed "
    "before appending; the document names the same issuer, slash included",
    remote(oidc("/tenant/", disc_doc(ISSUER + "/")), token("ec-1"), {"issuer": ISSUER + "/"}),
    ok(principal("ec-1"), 2))
add("discovery-host-only-issuer", "Discovery 1.0 4.1: issuer without path",
    remote(oidc("", disc_doc(BASE, BASE + "/keys"), "/keys"), token("ec-1"), {"issuer": BASE}),
    ok(principal("ec-1"), 2))
add("discovery-rfc8414", "RFC 8414 3.1: /.well-known/oauth-authorization-server goes "
    "between the host and the issuer's path",
    remote(oidc("/tenant", disc_doc(ISSUER),
                well_known="/.well-known/oauth-authorization-server/tenant"),
           token("ec-1"), {"issuer": ISSUER, "discovery": "oauth-authorization-server"}),
    ok(principal("ec-1"), 2))
add("discovery-rfc8414-host-only", "RFC 8414 3.1: issuer without path",
    remote(oidc("", disc_doc(BASE, BASE + "/keys"), "/keys",
                well_known="/.well-known/oauth-authorization-server"),
           token("ec-1"), {"issuer": BASE, "discovery": "oauth-authorization-server"}),
    ok(principal("ec-1"), 2))

# --- key selection refusals -------------------------------------------------------------

add("kid-unknown", "kid names no key; the refetch is held back by kid_miss_cooldown_seconds "
    "(the set was fetched just now): one request",
    remote(jwks_at(*ALL4), token("ed-2")), err("jwt_key_unknown", 1))
add("kid-unknown-times-3", "three unknown-kid verifications within the cooldown: one fetch",
    remote(jwks_at(*ALL4), token("ed-2"), times=3), err("jwt_key_unknown", 1))
add("no-kid-with-require-kid", "require_kid refuses a token without kid before any fetch",
    remote(jwks_at(K_EC1), token("ec-1", header_kid=None), url_config(require_kid=True)),
    err("jwt_key_unknown", 0))
add("kid-names-enc-key", "RFC 7517 4.2: a use=enc key is not a signature key",
    remote(jwks_at(jwk(EC_2, "ec-2", "ES256", use="enc"), K_EC1), token("ec-2")),
    err("jwt_key_unknown", 1))
add("kid-names-sign-only-key", "RFC 7517 4.3: key_ops without verify",
    remote(jwks_at(jwk(EC_2, "ec-2", "ES256", key_ops=["sign"]), K_EC1), token("ec-2")),
    err("jwt_key_unknown", 1))
add("kid-names-key-outside-allow-list", "JwksConfig algorithms [ES256]: the RS256 key is "
    "skipped",
    remote(jwks_at(K_RSA, K_EC1), token("rsa-1"), url_config(algorithms=["ES256"])),
    err("jwt_key_unknown", 1))
add("kid-names-oct-key", "an oct secret is never taken from the network: HS256 token keyed "
    "with the served k",
    remote(jwks_at(K_OCT, K_EC1),
           jwt.encode(claims(), OCT_SECRET, algorithm="HS256", headers={"kid": "hs-1"})),
    err("jwt_key_unknown", 1))
add("no-kid-with-keyless-keys-only-skipped", "require_kid skips every key without kid: "
    "nothing usable is left",
    remote(jwks_at(jwk(EC_1, None, "ES256")), token("ec-1"), url_config(require_kid=True)),
    err("jwt_jwks_invalid", 1))

rsa_pem = RSA_A.public_key().public_bytes(serialization.Encoding.PEM,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
add("confusion-hs256-keyed-with-rsa-pem", "RFC 8725 2.1: HS256 token keyed with the PEM of "
    "the served RSA key, kid of that key",
    remote(jwks_at(K_RSA, K_EC1),
           forge_hs256({"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}, claims(), rsa_pem)),
    err("jwt_algorithm_refused", 1))
add("confusion-hs256-no-kid", "RFC 8725 2.1: the same token without kid",
    remote(jwks_at(K_RSA, K_EC1),
           forge_hs256({"alg": "HS256", "typ": "JWT"}, claims(), rsa_pem)),
    err("jwt_algorithm_refused", 1))
add("confusion-hs256-keyed-with-jwk-json", "RFC 8725 2.1: HS256 keyed with the served JWK's "
    "JSON",
    remote(jwks_at(K_RSA), forge_hs256({"alg": "HS256", "kid": "rsa-1"}, claims(),
                                       json.dumps(K_RSA).encode())),
    err("jwt_algorithm_refused", 1))
add("confusion-es256-names-eddsa-key", "a key has one algorithm: ES256 token, kid of an "
    "EdDSA key",
    remote(jwks_at(K_ED1, K_EC1), token("ec-1", header_kid="ed-1")),
    err("jwt_algorithm_refused", 1))
add("confusion-rs256-on-ps256-key", "RSA key without alg bound to PS256 by `algorithms`: an "
    "RS256 token is refused",
    remote(jwks_at(jwk(RSA_B, "ps-1")), token("ps-1", alg="RS256", key=RSA_B),
           url_config(algorithms=["PS256"])),
    err("jwt_algorithm_refused", 1))
add("alg-none", "RFC 8725 3.1: alg none is refused before any key is fetched",
    remote(jwks_at(K_EC1), unsigned({"alg": "none", "kid": "ec-1"}, claims())),
    err("jwt_algorithm_refused", 0))
add("jwt-allow-list-refuses-before-fetch", "JwtConfig algorithms [RS256]: an ES256 token is "
    "refused from its header, no fetch",
    remote(jwks_at(K_EC1), token("ec-1"), jwt_config=dict(JWT_CONFIG, algorithms=["RS256"])),
    err("jwt_algorithm_refused", 0))

# --- signature and claims through a remote key -----------------------------------------

add("signature-by-other-key", "signed by an attacker's Ed25519 key under kid ed-1",
    remote(jwks_at(K_ED1), token("ed-1", key=ATTACKER)), err("jwt_signature_invalid", 1))
add("embedded-jwk-ignored", "RFC 8725 3.10: a header jwk (the attacker's) is not a key source",
    remote(jwks_at(K_ED1), token("ed-1", key=ATTACKER, headers={"jwk": jwk(ATTACKER, use=None)})),
    err("jwt_signature_invalid", 1))
add("embedded-jku-ignored", "RFC 8725 3.10: a header jku is not a key source: the served "
    "ed-1 key judges the attacker's signature",
    remote(jwks_at(K_ED1),
           token("ed-1", key=ATTACKER, headers={"jku": "https://attacker.example/jwks.json"})),
    err("jwt_signature_invalid", 1))
tampered = token("ed-1").rsplit(".", 2)
tampered[1] = b64u(json.dumps(claims(sub="mallory")).encode())
add("payload-tampered", "payload changed after signing",
    remote(jwks_at(K_ED1), ".".join(tampered)), err("jwt_signature_invalid", 1))
add("expired", "RFC 7519 4.1.4: exp + 60 s leeway passed",
    remote(jwks_at(K_EC1), token("ec-1", payload=claims(exp=NOW - 61))),
    err("jwt_expired", 1))
add("issuer-mismatch", "RFC 7519 4.1.1: iss is not an accepted issuer",
    remote(jwks_at(K_EC1), token("ec-1", payload=claims(iss="https://other.example"))),
    err("jwt_issuer_mismatch", 1))

# --- documents --------------------------------------------------------------------------

add("private-ec-key", "docs/JWT.md: private key material (d) refuses the whole document",
    remote(jwks_at(jwk(EC_1, "ec-1", "ES256", private=True)), token("ec-1")),
    err("jwt_jwks_invalid", 1))
add("private-rsa-key", "a full RSA private JWK (d, p, q, ...) among public keys",
    remote(jwks_at(K_EC1, jwk(RSA_A, "rsa-1", "RS256", private=True)), token("ec-1")),
    err("jwt_jwks_invalid", 1))
add("private-okp-key", "an Ed25519 private JWK",
    remote(jwks_at(jwk(ED_1, "ed-1", "EdDSA", private=True)), token("ed-1")),
    err("jwt_jwks_invalid", 1))
_rsa_a = RSA_A.private_numbers()
add("private-rsa-p-q-without-d", "adversarial review: RFC 7518 6.3.2 private members p and q "
    "(the factors of n) without d are private key material too",
    remote(jwks_at(K_EC1, dict(K_RSA, p=uint(_rsa_a.p), q=uint(_rsa_a.q))), token("ec-1")),
    err("jwt_jwks_invalid", 1))
add("private-rsa-crt-without-d", "adversarial review: the CRT members dp, dq, qi without d",
    remote(jwks_at(K_EC1, dict(K_RSA, dp=uint(_rsa_a.dmp1), dq=uint(_rsa_a.dmq1),
                                 qi=uint(_rsa_a.iqmp))), token("ec-1")),
    err("jwt_jwks_invalid", 1))
add("private-rsa-p-in-skipped-entry", "adversarial review: p in an entry that would be skipped "
    "(use: enc) refuses the document",
    remote(jwks_at(K_ED1, dict(K_RSA, kid="rsa-enc", use="enc", p=uint(_rsa_a.p))), token("ed-1")),
    err("jwt_jwks_invalid", 1))
add("ec-point-x-is-field-prime", "adversarial review: an EC coordinate equal to the field prime "
    "(not canonical, not on the curve)",
    remote(jwks_at(dict(K_EC1, x=uint(2 ** 256 - 2 ** 224 + 2 ** 192 + 2 ** 96 - 1, 32))),
           token("ec-1")),
    err("jwt_jwks_invalid", 1))
add("rsa-exponent-1", "adversarial review: RSA e = 1 (every signature is its own message)",
    remote(jwks_at(K_EC1, dict(K_RSA, e=uint(1))), token("ec-1")),
    err("jwt_jwks_invalid", 1))
add("jwk-alg-not-fitting-kty", "adversarial review: an EC P-256 key that says alg ES384",
    remote(jwks_at(K_ED1, dict(K_EC1, alg="ES384")), token("ed-1")),
    err("jwt_jwks_invalid", 1))
add("duplicate-kid", "two usable keys with kid k: ambiguous, the document is refused",
    remote(jwks_at(jwk(EC_1, "k", "ES256"), jwk(EC_2, "k", "ES256")),
           token("ec-1", header_kid="k")),
    err("jwt_jwks_invalid", 1))
add("same-kid-different-types", "RFC 7517 4.5: keys of different types may share a kid; the "
    "verifier picks by kid and algorithm",
    remote(jwks_at(dict(K_RSA, kid="shared"), dict(K_EC1, kid="shared")),
           token("ec-1", header_kid="shared")),
    ok(principal("shared"), 1))
add("private-key-in-skipped-entry", "private key material refuses the document even in an "
    "entry that would be skipped (use: enc)",
    remote(jwks_at(K_ED1, jwk(EC_ENC, "enc-1", "ES256", use="enc", private=True)),
           token("ed-1")),
    err("jwt_jwks_invalid", 1))
add("kid-not-a-string-in-skipped-entry", "RFC 7517 4.5: kid is a string, in every entry",
    remote(jwks_at(K_ED1, dict(jwk(EC_ENC, "enc-1", "ES256", use="enc"), kid=7)),
           token("ed-1")),
    err("jwt_jwks_invalid", 1))
add("use-key-ops-contradict", "RFC 7517 4.3: use and key_ops must be consistent; an entry "
    "with use enc and key_ops [verify] refuses the document (the rule of every import path)",
    remote(jwks_at(K_ED1, jwk(EC_2, "ec-2", "ES256", use="enc", key_ops=["verify"])),
           token("ed-1")),
    err("jwt_jwks_invalid", 1))
add("key-ops-not-array", "RFC 7517 4.3: key_ops is an array of strings, in every entry",
    remote(jwks_at(K_ED1, jwk(EC_2, "ec-2", "ES256", use=None, key_ops="verify")),
           token("ed-1")),
    err("jwt_jwks_invalid", 1))
add("key-ops-verify-without-use", "key_ops [verify] and no use: a signature key",
    remote(jwks_at(jwk(EC_2, "ec-2", "ES256", use=None, key_ops=["verify"])), token("ec-2")),
    ok(principal("ec-2"), 1))
RSA_1024 = rsa.generate_private_key(public_exponent=65537, key_size=1024)
add("rsa-1024-entry", "RSA keys under 2048 bits are refused (NIST SP 800-131A); the document "
    "is refused",
    remote(jwks_at(K_ED1, jwk(RSA_1024, "rsa-weak", "RS256")), token("ed-1")),
    err("jwt_jwks_invalid", 1))
add("oct-only", "a JWKS of oct secrets holds no usable key",
    remote(jwks_at(K_OCT), jwt.encode(claims(), OCT_SECRET, algorithm="HS256",
                                      headers={"kid": "hs-1"})),
    err("jwt_jwks_invalid", 1))
add("nothing-in-allow-list", "JwksConfig algorithms [PS256]: no served key qualifies",
    remote(jwks_at(K_EC1, K_ED1), token("ec-1"), url_config(algorithms=["PS256"])),
    err("jwt_jwks_invalid", 1))
bad_point = dict(K_EC1, x=K_EC2["x"])
add("ec-point-off-curve", "x of one key with y of another: not a P-256 point",
    remote(jwks_at(bad_point, K_ED1), token("ed-1")), err("jwt_jwks_invalid", 1))
add("kid-not-a-string", "RFC 7517 4.5: kid is a string",
    remote(jwks_at(dict(K_EC1, kid=7), K_ED1), token("ed-1")), err("jwt_jwks_invalid", 1))
add("entry-not-an-object", "RFC 7517 5.1: keys holds JWK objects",
    remote(jwks_at(K_ED1, "ed-2"), token("ed-1")), err("jwt_jwks_invalid", 1))

DOCS = [
    ("not-json", "<html><body>Service Unavailable</body></html>", "body is not JSON"),
    ("truncated-json", json.dumps(keyset(K_ED1))[:-2], "truncated JSON"),
    ("no-keys-member", "{}", "RFC 7517 5: keys is required"),
    ("keys-not-an-array", json.dumps({"keys": K_ED1}), "RFC 7517 5.1: keys is an array"),
    ("keys-empty", '{"keys":[]}', "an empty set has no usable key"),
    ("top-level-array", json.dumps([K_ED1]), "a JWKS is a JSON object"),
    ("duplicate-keys-member", '{"keys":[],"keys":[' + json.dumps(K_ED1) + "]}",
     "RFC 7159 4 / RFC 7517: duplicate members refused"),
    ("empty-body", "", "empty body"),
]
for name, body, source in DOCS:
    add(f"document-{name}", source,
        remote([resp("/jwks.json", body)], token("ed-1")), err("jwt_jwks_invalid", 1))

# --- HTTP -------------------------------------------------------------------------------

add("http-500", "status 200 is required",
    remote([resp("/jwks.json", keyset(K_ED1), status=500)], token("ed-1")),
    err("jwt_jwks_unavailable", 1))
add("http-500-times-3", "a failed fetch is retried only after the cooldown: three "
    "verifications, one request",
    remote([resp("/jwks.json", "oops", status=500)], token("ed-1"), times=3),
    err("jwt_jwks_unavailable", 1))
add("http-404", "the configured path is not served",
    remote([resp("/keys", keyset(K_ED1))], token("ed-1")), err("jwt_jwks_unavailable", 1))
add("http-204", "204 No Content is not 200",
    remote([resp("/jwks.json", "", status=204, headers=[])], token("ed-1")),
    err("jwt_jwks_unavailable", 1))
for status in (302, 307):
    add(f"http-{status}-not-followed", "docs/JWT.md: no redirects; the Location (relative, "
        "served with a good set) is not fetched",
        remote([resp("/jwks.json", "", status=status, headers=[["Location", "/moved.json"]]),
                resp("/moved.json", keyset(K_ED1))], token("ed-1")),
        err("jwt_jwks_unavailable", 1))
add("body-over-max-bytes", "a body over max_bytes is refused (Content-Length 1025 > 1024)",
    remote([resp("/jwks.json", ed_set + " " * (1025 - len(ed_set)))], token("ed-1"),
           url_config(max_bytes=1024)),
    err("jwt_jwks_invalid", 1))
add("body-far-over-max-bytes", "a 64 KiB body against max_bytes 4096",
    remote([resp("/jwks.json", ed_set + " " * (64 * 1024))], token("ed-1"),
           url_config(max_bytes=4096)),
    err("jwt_jwks_invalid", 1))

# --- discovery refusals -----------------------------------------------------------------

DISC = [
    ("issuer-trailing-slash", disc_doc(ISSUER + "/"),
     "Discovery 1.0 4.3: the document's issuer has a trailing slash the configured one lacks"),
    ("issuer-other-host", disc_doc("https://idp.example/tenant"),
     "Discovery 1.0 4.3: the document names another issuer"),
    ("issuer-case", disc_doc(BASE + "/Tenant"), "Discovery 1.0 4.3: issuers compare exactly"),
    ("issuer-missing", disc_doc(None), "the document has no issuer"),
    ("issuer-not-string", disc_doc([ISSUER]), "issuer is not a string"),
    ("no-jwks-uri", disc_doc(ISSUER, None), "the document has no jwks_uri"),
    ("jwks-uri-not-string", disc_doc(ISSUER, [BASE + "/tenant/jwks"]), "jwks_uri is not a string"),
    ("jwks-uri-plain-http", disc_doc(ISSUER, "http://idp.example/tenant/jwks"),
     "jwks_uri over http to a non-loopback host"),
    ("jwks-uri-user-info", disc_doc(ISSUER, "https://user:pw@idp.example/jwks"),
     "jwks_uri with user info"),
    ("jwks-uri-relative", disc_doc(ISSUER, "/tenant/jwks"), "jwks_uri is not an absolute URL"),
    ("not-json", "<html>login</html>", "the document is not JSON"),
    ("array", json.dumps([disc_doc(ISSUER)]), "the document is not a JSON object"),
]
for name, doc, source in DISC:
    add(f"discovery-{name}", source,
        remote(oidc("/tenant", doc), token("ec-1"), {"issuer": ISSUER}),
        err("jwt_discovery_invalid", 1))
add("discovery-invalid-times-3", "a failed discovery is retried only after the cooldown",
    remote(oidc("/tenant", disc_doc(ISSUER + "/")), token("ec-1"), {"issuer": ISSUER}, times=3),
    err("jwt_discovery_invalid", 1))
add("discovery-document-over-max-bytes", "an oversized discovery document is unusable",
    remote(oidc("/tenant", json.dumps(disc_doc(ISSUER)) + " " * 2000), token("ec-1"),
           {"issuer": ISSUER, "max_bytes": 1024}),
    err("jwt_discovery_invalid", 1))
add("discovery-not-served", "no document at issuer/.well-known/openid-configuration",
    remote([resp("/tenant/jwks", keyset(K_EC1))], token("ec-1"), {"issuer": ISSUER}),
    err("jwt_jwks_unavailable", 1))
add("discovery-rfc8414-path-appended", "RFC 8414 3.1: the well-known segment goes before the "
    "issuer's path, not after it (only /tenant/.well-known/... is served)",
    remote(oidc("/tenant", disc_doc(ISSUER),
                well_known="/tenant/.well-known/oauth-authorization-server"),
           token("ec-1"), {"issuer": ISSUER, "discovery": "oauth-authorization-server"}),
    err("jwt_jwks_unavailable", 1))
add("discovery-jwks-uri-fails", "discovery succeeds, the key set it names answers 500",
    remote([resp("/tenant/.well-known/openid-configuration", disc_doc(ISSUER)),
            resp("/tenant/jwks", "down", status=500)], token("ec-1"), {"issuer": ISSUER}),
    err("jwt_jwks_unavailable", 2))
add("discovery-jwks-uri-invalid-set", "discovery succeeds, the key set holds a private key",
    remote(oidc("/tenant", disc_doc(ISSUER), keys=[jwk(EC_1, "ec-1", "ES256", private=True)]),
           token("ec-1"), {"issuer": ISSUER}),
    err("jwt_jwks_invalid", 2))
add("discovery-redirect-not-followed", "the discovery request is not redirected either",
    remote([resp("/tenant/.well-known/openid-configuration", "", status=301,
                 headers=[["Location", "/elsewhere"]]),
            resp("/elsewhere", disc_doc(ISSUER))] + oidc("/tenant", disc_doc(ISSUER))[1:],
           token("ec-1"), {"issuer": ISSUER}),
    err("jwt_jwks_unavailable", 1))

# --- jwks_config ------------------------------------------------------------------------


def ca_pem():
    """A self-signed Ed25519 CA: deterministic (fixed key, names, serial, dates)."""
    key = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"jwks ca").digest())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "portcullis jwks vectors CA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(0x4A574B53)
            .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc))
            .not_valid_after(datetime.datetime(2099, 12, 31, tzinfo=datetime.timezone.utc))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .sign(key, None))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def config_case(id_, source, config, expect):
    add(f"config-{id_}", source, {"op": "jwks_config", "config": config}, expect)


OK = {"ok": {}}
CFG_OK = [
    ("https-url", {"url": "https://idp.example/.well-known/jwks.json"}, "https anywhere"),
    ("http-127", {"url": "http://127.0.0.1:9/jwks"}, "http to a loopback address (no I/O yet)"),
    ("http-127-8", {"url": "http://127.8.9.10/jwks"}, "127.0.0.0/8 is loopback"),
    ("http-localhost", {"url": "http://localhost:8080/jwks"}, "http to localhost"),
    ("http-ipv6-loopback", {"url": "http://[::1]:8080/jwks"}, "http to ::1"),
    ("issuer-https", {"issuer": "https://idp.example/tenant"}, "discovery by issuer"),
    ("issuer-rfc8414", {"issuer": "https://idp.example",
                        "discovery": "oauth-authorization-server"}, "RFC 8414 discovery"),
    ("every-field", {"url": "https://idp.example/jwks", "discovery": "openid-configuration",
                     "min_ttl_seconds": 60, "max_ttl_seconds": 3600, "default_ttl_seconds": 60,
                     "kid_miss_cooldown_seconds": 3600, "max_stale_seconds": 0,
                     "timeout_ms": 60000, "connect_timeout_ms": 60000,
                     "max_bytes": 4 * 1024 * 1024, "ca_pem": ca_pem(),
                     "algorithms": ["RS256", "PS256", "ES256", "EdDSA"], "require_kid": True},
     "every field at a boundary that is allowed"),
    ("ttl-bounds", {"url": "https://idp.example/jwks", "min_ttl_seconds": 1,
                    "default_ttl_seconds": 2592000, "max_ttl_seconds": 2592000,
                    "max_stale_seconds": 2592000}, "TTLs up to 30 days"),
    ("nulls-are-defaults", {"url": "https://idp.example/jwks", "issuer": None, "ca_pem": None},
     "null issuer and ca_pem are unset"),
]
for id_, config, source in CFG_OK:
    config_case(id_, source, config, OK)

U = "https://idp.example/jwks"
CFG_BAD = [
    ("http-non-loopback", {"url": "http://idp.example/jwks"}, "http only to loopback"),
    ("http-private-ip", {"url": "http://10.0.0.1/jwks"}, "a private address is not loopback"),
    ("http-localhost-suffix", {"url": "http://localhost.example/jwks"}, "not localhost"),
    ("http-ipv6-not-loopback", {"url": "http://[::2]/jwks"}, "::2 is not loopback"),
    ("ftp", {"url": "ftp://idp.example/jwks"}, "https only"),
    ("no-scheme", {"url": "idp.example/jwks"}, "not an absolute URL"),
    ("user-info", {"url": "https://user:pw@idp.example/jwks"}, "no credentials in the URL"),
    ("fragment", {"url": "https://idp.example/jwks#k"}, "no fragment"),
    ("whitespace", {"url": "https://idp.example/j wks"}, "no whitespace"),
    ("url-too-long", {"url": "https://idp.example/" + "a" * 2048}, "at most 2048 bytes"),
    ("empty-url", {"url": ""}, "empty"),
    ("issuer-query", {"issuer": "https://idp.example/tenant?x=1"}, "issuer without query"),
    ("issuer-http", {"issuer": "http://idp.example/tenant"}, "issuer: https only"),
    ("url-and-issuer", {"url": U, "issuer": "https://idp.example"}, "exactly one of url, issuer"),
    ("neither", {}, "exactly one of url, issuer"),
    ("min-ttl-zero", {"url": U, "min_ttl_seconds": 0}, "min_ttl_seconds >= 1"),
    ("min-over-max", {"url": U, "min_ttl_seconds": 700, "max_ttl_seconds": 600,
                      "default_ttl_seconds": 650}, "min_ttl_seconds <= max_ttl_seconds"),
    ("max-ttl-over-30-days", {"url": U, "max_ttl_seconds": 2592001}, "max_ttl_seconds <= 30 d"),
    ("max-stale-over-30-days", {"url": U, "max_stale_seconds": 2592001}, "max_stale <= 30 d"),
    ("default-under-min", {"url": U, "default_ttl_seconds": 299}, "default within min..max"),
    ("default-over-max", {"url": U, "max_ttl_seconds": 500}, "default 600 over max 500"),
    ("cooldown-zero", {"url": U, "kid_miss_cooldown_seconds": 0}, "cooldown 1..3600"),
    ("cooldown-over-hour", {"url": U, "kid_miss_cooldown_seconds": 3601}, "cooldown 1..3600"),
    ("timeout-zero", {"url": U, "timeout_ms": 0}, "timeout_ms 1..60000"),
    ("timeout-over-minute", {"url": U, "timeout_ms": 60001, "connect_timeout_ms": 1000},
     "timeout_ms 1..60000"),
    ("connect-over-total", {"url": U, "timeout_ms": 1000, "connect_timeout_ms": 1001},
     "connect_timeout_ms <= timeout_ms"),
    ("max-bytes-zero", {"url": U, "max_bytes": 0}, "max_bytes 1..4 MiB"),
    ("max-bytes-over-4mib", {"url": U, "max_bytes": 4 * 1024 * 1024 + 1}, "max_bytes <= 4 MiB"),
    ("algorithms-hs256", {"url": U, "algorithms": ["ES256", "HS256"]},
     "a remote JWKS never supplies HMAC secrets"),
    ("algorithms-hs512", {"url": U, "algorithms": ["HS512"]}, "HS* refused"),
    ("ca-pem-garbage", {"url": U, "ca_pem": "not a certificate"}, "no CERTIFICATE block"),
    ("ca-pem-bad-block", {"url": U, "ca_pem": "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                              "-----END CERTIFICATE-----\n"},
     "a CERTIFICATE block that is not a certificate"),
]
for id_, config, source in CFG_BAD:
    config_case(id_, source, config, {"error": "config_invalid"})

# JSON that does not deserialise into JwksConfig is json_invalid, as for every configuration.
CFG_JSON = [
    ("unknown-field", {"url": U, "ttl": 600}, "unknown fields are refused"),
    ("discovery-unknown", {"issuer": "https://idp.example", "discovery": "webfinger"},
     "discovery is openid-configuration or oauth-authorization-server"),
    ("algorithm-unknown", {"url": U, "algorithms": ["none"]}, "unknown algorithm name"),
    ("wrong-type", {"url": U, "min_ttl_seconds": "300"}, "a number as a string"),
    ("negative-ttl", {"url": U, "max_stale_seconds": -1}, "negative seconds"),
]
for id_, config, source in CFG_JSON:
    config_case(id_, source, config, {"error": "json_invalid"})

# --- write ------------------------------------------------------------------------------

negative = sum(1 for c in CASES if "error" in c["expect"])
with open(os.path.join(HERE, "jwks.json"), "w") as f:
    json.dump({"cases": CASES}, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"{len(CASES)} cases: {len(CASES) - negative} positive, {negative} negative",
      file=sys.stderr)
