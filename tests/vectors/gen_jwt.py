#!/usr/bin/env python3
"""Writes tests/vectors/jwt.json: JWT/JWS cases for every runner (ops in JWT.md).

An independent reference: published tokens (RFC 7515 appendix A, RFC 7520 section 4, RFC 8037,
RFC 7638) are copied from ../shared/vectors (or the RFC text); every other token is made here
with PyJWT and pyca/cryptography, or assembled byte by byte with Python's hmac and
cryptography for the malformed and hostile ones. Nothing comes from portcullis.

    python3 -m venv /tmp/jwtgen && /tmp/jwtgen/bin/pip install pyjwt cryptography
    /tmp/jwtgen/bin/python tests/vectors/gen_jwt.py

ECDSA and PSS signatures are randomised, so those tokens change on every run; HS*, RS* and
EdDSA tokens (and the `sign` cases) do not.
"""

import base64
import hashlib
import hmac
import json
import math
import os
import random
import sys

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "shared", "vectors")
if not os.path.isdir(SHARED):
    SHARED = "/work/shared/vectors"
NOW = 1750000000
CASES = []


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def add(id_, source, input_, expect, now=NOW, challenge=None):
    case = {"id": id_, "source": source, "now": now, "input": input_, "expect": expect}
    if challenge:
        case["expect"]["challenge"] = challenge
    CASES.append(case)


def ok(**fields):
    return {"ok": fields}


def err(code):
    return {"error": code}


def load(*parts):
    with open(os.path.join(SHARED, *parts)) as f:
        return json.load(f)


# --- keys -------------------------------------------------------------------------------

SECRET = hashlib.sha512(b"portcullis jwt vectors secret").digest()  # 64 bytes
OTHER_SECRET = hashlib.sha512(b"another secret").digest()
COOKBOOK_RSA = load("rfc7520-jose-cookbook", "jws", "4_1.rsa_v15_signature.json")["input"]["key"]


def rsa_from_jwk(j):
    n = lambda k: int.from_bytes(unb64u(j[k]), "big")  # noqa: E731
    public = rsa.RSAPublicNumbers(n("e"), n("n"))
    return rsa.RSAPrivateNumbers(
        n("p"), n("q"), n("d"), n("dp"), n("dq"), n("qi"), public
    ).private_key()


RSA_KEY = rsa_from_jwk(COOKBOOK_RSA)
EC_KEYS = {
    "ES256": ec.derive_private_key(0x1F2E3D4C5B6A7988 * 3 + 1, ec.SECP256R1()),
    "ES384": ec.derive_private_key(0x2F2E3D4C5B6A7988 * 5 + 3, ec.SECP384R1()),
    "ES512": ec.derive_private_key(0x3F2E3D4C5B6A7988 * 7 + 5, ec.SECP521R1()),
}
ED_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"ed25519 seed").digest())
ATTACKER_ED = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"attacker").digest())


def pem_public(key):
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def pem_private(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def private_key_for(alg):
    if alg.startswith("HS"):
        return SECRET
    if alg[:2] in ("RS", "PS"):
        return RSA_KEY
    if alg == "EdDSA":
        return ED_KEY
    return EC_KEYS[alg]


def key_entry(alg, kid=None, public=True):
    """The verifier-side key entry for `alg` (secret_b64 or PEM)."""
    if alg.startswith("HS"):
        entry = {"secret_b64": base64.b64encode(SECRET).decode(), "alg": alg}
    else:
        key = private_key_for(alg)
        entry = {"pem": pem_public(key) if public else pem_private(key), "alg": alg}
    if kid:
        entry["kid"] = kid
    return entry


def claims(**extra):
    c = {"sub": "user-1", "iss": "https://issuer.example", "aud": "api", "exp": NOW + 600,
         "iat": NOW - 10, "jti": "t-1", "scope": "read write"}
    c.update(extra)
    return {k: v for k, v in c.items() if v is not ...}


BASE_CONFIG = {"issuers": ["https://issuer.example"], "audiences": ["api"]}


def token(alg="HS256", payload=None, headers=None, kid="k1"):
    hdrs = dict(headers or {})
    if kid is not None:
        hdrs.setdefault("kid", kid)
    return jwt.encode(payload if payload is not None else claims(), private_key_for(alg),
                      algorithm=alg, headers=hdrs)


def raw_sign(alg, signing_input, key=None):
    """Signs bytes with the JOSE algorithm, independently of PyJWT."""
    key = key if key is not None else private_key_for(alg)
    bits = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
    if alg.startswith("HS"):
        return hmac.new(key, signing_input, getattr(hashlib, "sha" + alg[2:])).digest()
    if alg.startswith("RS"):
        return key.sign(signing_input, padding.PKCS1v15(), bits[alg[2:]]())
    if alg == "EdDSA":
        return key.sign(signing_input)
    if alg.startswith("ES"):
        h = bits[alg[2:]]()
        der = key.sign(signing_input, ec.ECDSA(h))
        r, s = decode_dss_signature(der)
        width = (key.curve.key_size + 7) // 8
        return r.to_bytes(width, "big") + s.to_bytes(width, "big")
    raise ValueError(alg)


def forge(header, payload, alg="HS256", key=None, header_raw=None, payload_raw=None):
    """A token from exact header/payload bytes (dicts are dumped compactly)."""
    h = header_raw if header_raw is not None else json.dumps(header, separators=(",", ":")).encode()
    p = payload_raw if payload_raw is not None else json.dumps(payload, separators=(",", ":")).encode()
    si = (b64u(h) + "." + b64u(p)).encode()
    return si.decode() + "." + b64u(raw_sign(alg, si, key))


def verify(keys, tok, config=None, scopes=None, revoked=None):
    i = {"op": "verify", "keys": keys, "config": config if config is not None else BASE_CONFIG,
         "token": tok}
    if scopes:
        i["scopes"] = scopes
    if revoked:
        i["revoked"] = revoked
    return i


HS = [key_entry("HS256", "k1")]
INVALID = 'Bearer realm="api", error="invalid_token", error_description="Invalid token."'

# --- published vectors ------------------------------------------------------------------

misc = load("rfc-misc", "rfc_misc_vectors.json")["jws"]
a = {c["id"]: c for c in misc}
a_now = 1300819380 - 100
a_config = {"leeway_seconds": 0}
add("rfc7515-a1-hs256", "RFC 7515 A.1", verify([{"jwk": a["RFC7515-A1"]["key"], "alg": "HS256"}],
    a["RFC7515-A1"]["compact"], a_config),
    ok(subject="", credential_id="HMAC key used in JWS A.1 example", expires_at=1300819380,
       method="jwt"), now=a_now)
add("rfc7515-a2-rs256", "RFC 7515 A.2", verify([{"jwk": a["RFC7515-A2"]["key"]}],
    a["RFC7515-A2"]["compact"], a_config), ok(subject="", expires_at=1300819380), now=a_now)
add("rfc7515-a3-es256", "RFC 7515 A.3", verify([{"jwk": a["RFC7515-A3"]["key"]}],
    a["RFC7515-A3"]["compact"], a_config), ok(subject="", expires_at=1300819380), now=a_now)
add("rfc7515-a4-es512", "RFC 7515 A.4",
    {"op": "verify_jws", "keys": [{"jwk": a["RFC7515-A4"]["key"]}], "config": {},
     "token": a["RFC7515-A4"]["compact"]},
    ok(alg="ES512", kid=None, payload_b64=base64.b64encode(b"Payload").decode()))
add("rfc7515-a1-expired", "RFC 7515 A.1 after exp",
    verify([{"jwk": a["RFC7515-A1"]["key"], "alg": "HS256"}], a["RFC7515-A1"]["compact"],
           a_config), err("jwt_expired"), now=1300819380)
add("rfc7515-a5-none", "RFC 7515 A.5", verify([{"jwk": a["RFC7515-A1"]["key"], "alg": "HS256"}],
    a["RFC7515-A5"]["compact"], a_config), err("jwt_algorithm_refused"), now=a_now)

for name, file in [("4.1-rs256", "4_1.rsa_v15_signature.json"),
                   ("4.2-ps384", "4_2.rsa-pss_signature.json"),
                   ("4.3-es512", "4_3.ecdsa_signature.json"),
                   ("4.4-hs256", "4_4.hmac-sha2_integrity_protection.json")]:
    d = load("rfc7520-jose-cookbook", "jws", file)
    add("rfc7520-" + name, "RFC 7520 " + name.split("-")[0],
        {"op": "verify_jws", "keys": [{"jwk": d["input"]["key"], "alg": d["input"]["alg"]}],
         "config": {}, "token": d["output"]["compact"]},
        ok(alg=d["input"]["alg"], kid=d["signing"]["protected"]["kid"],
           payload_b64=base64.b64encode(d["input"]["payload"].encode()).decode()))
    if name == "4.4-hs256":
        # The same token with a flipped payload byte.
        h, p, s = d["output"]["compact"].split(".")
        bad = b64u(unb64u(p)[:-1] + b"!")
        add("rfc7520-4.4-altered", "RFC 7520 4.4, payload altered",
            {"op": "verify_jws", "keys": [{"jwk": d["input"]["key"]}], "config": {},
             "token": ".".join([h, bad, s])}, err("jwt_signature_invalid"))
d = load("rfc7520-jose-cookbook", "curve25519", "jws.json")
public_ed = {k: v for k, v in d["input"]["key"].items() if k != "d"}
add("rfc8037-a4-ed25519", "RFC 8037 A.4",
    {"op": "verify_jws", "keys": [{"jwk": public_ed}], "config": {},
     "token": d["output"]["compact"]},
    ok(alg="EdDSA", kid=None, payload_b64=base64.b64encode(d["input"]["payload"].encode()).decode()))
add("rfc8037-a4-private-jwk", "RFC 8037 A.4, private JWK as verifier key",
    {"op": "verify_jws", "keys": [{"jwk": d["input"]["key"]}], "config": {},
     "token": d["output"]["compact"]}, ok(alg="EdDSA"))
add("rfc8037-a3-thumbprint", "RFC 8037 A.3", {"op": "thumbprint", "jwk": public_ed},
    ok(thumbprint="kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"))
add("rfc7638-3.1-thumbprint", "RFC 7638 3.1", {"op": "thumbprint", "jwk": {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"}},
    ok(thumbprint="NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"))
add("thumbprint-cookbook-rsa", "RFC 7638 over the RFC 7520 key, computed with hashlib",
    {"op": "thumbprint", "jwk": COOKBOOK_RSA},
    ok(thumbprint=b64u(hashlib.sha256(json.dumps(
        {"e": COOKBOOK_RSA["e"], "kty": "RSA", "n": COOKBOOK_RSA["n"]},
        separators=(",", ":"), sort_keys=True).encode()).digest())))
add("thumbprint-unknown-kty", "RFC 7638: unknown kty", {"op": "thumbprint", "jwk": {"kty": "XYZ"}},
    err("jwt_key_invalid"))

# --- every algorithm, signed by PyJWT ---------------------------------------------------

ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
        "ES256", "ES384", "ES512", "EdDSA"]
for alg in ALGS:
    add("pyjwt-" + alg.lower(), "PyJWT " + jwt.__version__,
        verify([key_entry(alg, "k1")], token(alg), scopes=["read"]),
        ok(subject="user-1", credential_id="k1", scopes=["read", "write"],
           expires_at=NOW + 600, method="jwt"))
for alg in ["ES256", "RS256", "EdDSA"]:
    add("pyjwt-private-pem-" + alg.lower(), "PyJWT; the verifier holds the private PEM",
        verify([key_entry(alg, "k1", public=False)], token(alg)), ok(subject="user-1"))
# An Ed25519 public key of small order (here all zero) accepts forged signatures: the all-zero
# signature satisfies the verification equation whenever k = SHA-512(R || A || M) mod L is 3
# modulo 4 (found by fuzzing). The key is refused when it loads.
ED_L = 2 ** 252 + 27742317777372353535851937790883648493
for n in range(100):
    si = (b64u(b'{"alg":"EdDSA","kid":"k1"}') + "." + b64u(json.dumps(claims(jti=f"t-{n}")).encode())).encode()
    k = int.from_bytes(hashlib.sha512(bytes(64) + si).digest(), "little") % ED_L
    if k % 4 == 3:
        break
add("eddsa-small-order-key", "RFC 8032 5.1.7 lets a small-order key through; refused at load",
    verify([{"jwk": {"kty": "OKP", "crv": "Ed25519", "x": b64u(bytes(32)), "kid": "k1"},
             "alg": "EdDSA"}], si.decode() + "." + b64u(bytes(64))),
    err("jwt_key_invalid"))
# An Ed25519 SubjectPublicKeyInfo followed by other bytes: aws-lc-rs reads the key, the small
# order check could not; refused (found by fuzzing).
ED_DER = ED_KEY.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
ED_BODY = base64.b64encode(ED_DER + b"trailing").decode()
add("eddsa-spki-then-other-bytes", "RFC 5280 4.1: one SubjectPublicKeyInfo",
    verify([{"pem": "-----BEGIN PUBLIC KEY-----\n" + ED_BODY + "\n-----END PUBLIC KEY-----\n",
             "alg": "EdDSA", "kid": "k1"}], token("EdDSA")),
    err("jwt_key_invalid"))
# A private key and then its public key in one PEM text: the first block decides (a public
# key block after it once made the whole text read as a public key, and refused).
add("pyjwt-private-then-public-pem-es256", "PyJWT; the verifier holds a private then a public PEM",
    verify([dict(key_entry("ES256", "k1", public=False),
                 pem=pem_private(EC_KEYS["ES256"]) + pem_public(EC_KEYS["ES256"]))], token("ES256")),
    ok(subject="user-1"))
jwks = {"keys": [json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(
    private_key_for(alg).public_key())) | {"kid": alg, "alg": alg}
    for alg in ["RS256", "ES256", "ES512", "EdDSA"]]}
for alg in ["RS256", "ES512", "EdDSA"]:
    add("jwks-" + alg.lower(), "PyJWT JWKS export", verify([{"jwks": jwks}], token(alg, kid=alg)),
        ok(subject="user-1", credential_id=alg))
add("jwks-no-kid-tries-matching-alg", "RFC 8725 3.1: no kid, only keys of the token's alg",
    verify([{"jwks": jwks}], token("ES256", kid=None)), ok(subject="user-1", credential_id="ES256"))
add("jwks-kid-alg-mismatch", "kid selects an RS256 key, token says ES256",
    verify([{"jwks": jwks}], token("ES256", kid="RS256")), err("jwt_algorithm_refused"))

# --- key use and key_ops (RFC 7517 4.2, 4.3): one rule for every import path ----------------


def jwk_of(alg, private=False, **members):
    """The PyJWT JWK of the vectors' key for `alg`, with `members` set (None removes one)."""
    key = private_key_for(alg)
    j = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(
        key if private else key.public_key()))
    for k, v in members.items():
        if v is None:
            j.pop(k, None)
        else:
            j[k] = v
    return j


for name, members, expect in [
    ("use-enc", {"use": "enc"}, err("jwt_key_invalid")),
    ("use-unknown", {"use": "wrap"}, err("jwt_key_invalid")),
    ("key-ops-encrypt", {"key_ops": ["encrypt"]}, err("jwt_key_invalid")),
    ("key-ops-empty", {"key_ops": []}, err("jwt_key_invalid")),
    ("key-ops-sign-only-public", {"key_ops": ["sign"]}, err("jwt_key_invalid")),
    ("key-ops-verify", {"key_ops": ["verify"]}, ok(subject="user-1", credential_id="k1")),
    ("use-sig-key-ops-verify", {"use": "sig", "key_ops": ["verify"]}, ok(subject="user-1")),
    ("use-sig", {"use": "sig"}, ok(subject="user-1")),
    ("contradict-sig-encrypt", {"use": "sig", "key_ops": ["encrypt"]}, err("jwt_key_invalid")),
    ("contradict-enc-verify", {"use": "enc", "key_ops": ["verify"]}, err("jwt_key_invalid")),
    ("key-ops-repeated", {"key_ops": ["verify", "verify"]}, err("jwt_key_invalid")),
    ("key-ops-string", {"key_ops": "verify"}, err("jwt_key_invalid")),
    ("use-number", {"use": 1}, err("jwt_key_invalid")),
]:
    add("jwk-" + name, "RFC 7517 4.2/4.3: use and key_ops bind the key (JwtKey.from_jwk)",
        verify([{"jwk": jwk_of("ES256", kid="k1", **members)}], token("ES256")), expect)
add("jwk-oct-use-enc", "RFC 7517 4.2: an oct key marked use enc is no HMAC key",
    verify([{"jwk": {"kty": "oct", "k": b64u(SECRET), "kid": "k1", "use": "enc"}, "alg": "HS256"}],
           token()), err("jwt_key_invalid"))
ENC_JWKS = {"keys": [jwk_of("ES256", kid="enc", use="enc"),
                     jwk_of("EdDSA", kid="ops", key_ops=["encrypt"]),
                     jwk_of("RS256", kid="sig", use="sig")]}
add("jwks-use-enc-skipped", "a JWKS entry with use enc is skipped, as JwksClient skips it",
    verify([{"jwks": ENC_JWKS}], token("ES256", kid="enc")), err("jwt_key_unknown"))
add("jwks-key-ops-encrypt-skipped", "a JWKS entry whose key_ops lack verify is skipped",
    verify([{"jwks": ENC_JWKS}], token("EdDSA", kid="ops")), err("jwt_key_unknown"))
add("jwks-skipping-keeps-signature-keys", "the signature key of the same JWKS verifies",
    verify([{"jwks": ENC_JWKS}], token("RS256", kid="sig")), ok(subject="user-1", credential_id="sig"))
add("jwks-use-key-ops-contradict", "contradictory use and key_ops refuse the whole JWKS",
    verify([{"jwks": {"keys": [jwk_of("ES256", kid="k1"),
                               jwk_of("EdDSA", kid="x", use="enc", key_ops=["verify"])]}}],
           token("ES256")), err("jwt_key_invalid"))
add("jwk-private-sign-only-verifies-nothing", "a private JWK with key_ops [sign] is no verifier key",
    verify([{"jwk": jwk_of("EdDSA", private=True, kid="k1", key_ops=["sign"])}], token("EdDSA")),
    err("jwt_key_invalid"))
add("jwk-private-verify-only-verifies", "a private JWK with key_ops [verify] verifies",
    verify([{"jwk": jwk_of("EdDSA", private=True, kid="k1", key_ops=["verify"])}], token("EdDSA")),
    ok(subject="user-1"))
sign_only_claims = {"exp": NOW + 600, "sub": "user-1"}
add("sign-jwk-key-ops-sign", "a private JWK with key_ops [sign] signs",
    {"op": "sign", "key": {"jwk": jwk_of("EdDSA", private=True, key_ops=["sign"])},
     "claims": sign_only_claims, "header": {"kid": "k1"}},
    ok(token=jwt.encode(sign_only_claims, ED_KEY, algorithm="EdDSA", headers={"kid": "k1"})))
add("sign-jwk-key-ops-verify", "a private JWK with key_ops [verify] never signs",
    {"op": "sign", "key": {"jwk": jwk_of("EdDSA", private=True, key_ops=["verify"])},
     "claims": sign_only_claims, "header": {}}, err("jwt_key_invalid"))

# --- RFC 7518 3.2: an HMAC key at least as long as the hash output, for every use -------------

for alg, need in [("HS256", 32), ("HS384", 48), ("HS512", 64)]:
    for size, expect in [(need - 1, err("jwt_key_invalid")),
                         (need, ok(subject="user-1", credential_id="k1"))]:
        secret = SECRET[:size] if size <= len(SECRET) else None
        tok = jwt.encode(claims(), secret, algorithm=alg, headers={"kid": "k1"}) \
            if size >= need else forge({"alg": alg, "kid": "k1"}, claims(), alg, key=secret)
        add(f"hmac-{alg.lower()}-{size}-byte-secret",
            f"RFC 7518 3.2: {alg} keys MUST be at least {need} bytes, for verifying too",
            verify([{"secret_b64": base64.b64encode(secret).decode(), "alg": alg, "kid": "k1"}],
                   tok), expect)
add("hmac-hs512-short-oct-jwk", "RFC 7518 3.2: a 48-byte oct JWK bound to HS512",
    verify([{"jwk": {"kty": "oct", "k": b64u(SECRET[:48]), "kid": "k1"}, "alg": "HS512"}],
           forge({"alg": "HS512", "kid": "k1"}, claims(), "HS512", key=SECRET[:48])),
    err("jwt_key_invalid"))

# --- one kid, one key per algorithm; secrets beside public keys only on request --------------

OTHER_EC = ec.derive_private_key(0x4F2E3D4C5B6A7988 * 11 + 7, ec.SECP256R1())
other_ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(OTHER_EC.public_key())) | {"kid": "k1"}
add("jwks-repeated-kid-same-alg", "two ES256 keys under kid k1 in one JWKS: refused, as "
    "JwksClient refuses it (a token could not say which key it means)",
    verify([{"jwks": {"keys": [jwk_of("ES256", kid="k1"), other_ec_jwk]}}], token("ES256")),
    err("jwt_key_invalid"))
add("jwks-repeated-kid-across-documents", "the same kid and alg in a second JWKS added to the set",
    verify([{"jwks": {"keys": [jwk_of("ES256", kid="k1")]}}, {"jwks": {"keys": [other_ec_jwk]}}],
           token("ES256")), err("jwt_key_invalid"))
add("jwks-repeated-kid-other-types", "RFC 7517 4.5: keys of different types may share a kid; "
    "the token's alg picks",
    verify([{"jwks": {"keys": [jwk_of("RS256", kid="k1"), jwk_of("ES256", kid="k1")]}}],
           token("ES256")), ok(subject="user-1", credential_id="k1"))
add("jwks-repeated-kid-other-types-rs256", "the same set, an RS256 token",
    verify([{"jwks": {"keys": [jwk_of("RS256", kid="k1"), jwk_of("ES256", kid="k1")]}}],
           token("RS256")), ok(subject="user-1", credential_id="k1"))
MIXED = [key_entry("HS256", "hs"), key_entry("ES256", "es")]
add("mixed-secret-and-public-refused", "an HMAC secret beside a public key needs "
    "allow_mixed_key_types", verify(MIXED, token("ES256", kid="es")), err("config_invalid"))
add("mixed-secret-and-public-allowed-es256", "allow_mixed_key_types: the public key verifies",
    verify(MIXED, token("ES256", kid="es"), dict(BASE_CONFIG, allow_mixed_key_types=True)),
    ok(subject="user-1", credential_id="es"))
add("mixed-secret-and-public-allowed-hs256", "allow_mixed_key_types: the secret verifies",
    verify(MIXED, token("HS256", kid="hs"), dict(BASE_CONFIG, allow_mixed_key_types=True)),
    ok(subject="user-1", credential_id="hs"))
add("mixed-in-one-jwks", "an oct key and an EC key in one JWKS",
    verify([{"jwks": {"keys": [{"kty": "oct", "k": b64u(SECRET), "alg": "HS256", "kid": "hs"},
                               jwk_of("ES256", kid="es")]}}], token("HS256", kid="hs")),
    err("config_invalid"))
add("mixed-confusion-still-refused", "allow_mixed_key_types keeps keys bound to their alg: "
    "HS256 keyed with the EC key's JWK text, kid of the EC key",
    verify(MIXED, forge({"alg": "HS256", "kid": "es"}, claims(),
                        key=json.dumps(jwk_of("ES256", kid="es")).encode()),
           dict(BASE_CONFIG, allow_mixed_key_types=True)), err("jwt_algorithm_refused"))

# --- ROCA (CVE-2017-15361): RSA moduli made by Infineon RSALib are refused --------------------
# A published fingerprinted key (the public test data of the paper's detection tool), and a key
# built here the way the paper says RSALib builds them: primes p = k*M + (65537^a mod M), M the
# product of the first 126 primes (2048-bit keys), Miller-Rabin by hand, fixed seed.

ROCA_PUBLIC_PEM = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEBqcWmh9uPsqMPgt/43aFU
wpHvJ7BLJeGFuKsgxMal9gSFn+We3lSgr3wOcoiACtcZO7cxpb8eEXDXocZpMNQe
o+sh3t97ivXUKpHDT3IEW5bv1XyxgjAd3MJpZ+VQjpq4iZhtV+g33+cPmfw3xJj0
PBfDubBkz3BEQ9egM+A6ghaXqr8w+ynufTOzdnllqJBY47OXVL06HAB9KKI7DPp5
+dcRrG5MS093sGNLHs1oWRrwPH1TtipfLZEWPU70+PJoMa5GHthexfeIxRI//BLI
dCD9z+odG0pSw1IYJPs5mDSHObYqmG2OdrIom8Lri8BtE4FHhRuDoHGD0hBVn5Bj
IQIDAQAB
-----END PUBLIC KEY-----
"""


def rsalib_key(seed):
    rng = random.Random(seed)

    def probable_prime(n):
        if any(n % q == 0 for q in (2, 3, 5, 7, 11, 13)):
            return False
        d, r = n - 1, 0
        while d % 2 == 0:
            d, r = d // 2, r + 1
        for _ in range(40):
            x = pow(rng.randrange(2, n - 1), d, n)
            if x in (1, n - 1):
                continue
            for _ in range(r - 1):
                x = pow(x, 2, n)
                if x == n - 1:
                    break
            else:
                return False
        return True

    primes, c = [], 2
    while len(primes) < 126:
        if all(c % q for q in primes if q * q <= c):
            primes.append(c)
        c += 1
    m = math.prod(primes)

    def prime():
        while True:
            p = rng.randrange(2 ** 1023 // m, 2 ** 1024 // m) * m + pow(65537, rng.randrange(1, 2 ** 62), m)
            if p.bit_length() == 1024 and math.gcd(p - 1, 65537) == 1 and probable_prime(p):
                return p

    p, q = prime(), prime()
    d = pow(65537, -1, math.lcm(p - 1, q - 1))
    return rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p),
                                 rsa.RSAPublicNumbers(65537, p * q)).private_key()


ROCA_KEY = rsalib_key(20171016)
roca_token = jwt.encode(claims(), ROCA_KEY, algorithm="RS256", headers={"kid": "k1"})
add("rsa-roca-published-key", "ROCA (CVE-2017-15361): a fingerprinted public key from the "
    "detection tool's test data is refused at load",
    verify([{"pem": ROCA_PUBLIC_PEM, "alg": "RS256", "kid": "k1"}], token("RS256")),
    err("jwt_key_invalid"))
add("rsa-roca-rsalib-pem", "ROCA: a 2048-bit key of RSALib's form (PEM), token it signed",
    verify([{"pem": pem_public(ROCA_KEY), "alg": "RS256", "kid": "k1"}], roca_token),
    err("jwt_key_invalid"))
add("rsa-roca-rsalib-jwk", "ROCA: the same key as a JWK",
    verify([{"jwk": json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(ROCA_KEY.public_key()))
             | {"kid": "k1"}}], roca_token), err("jwt_key_invalid"))
add("rsa-roca-rsalib-private-pem", "ROCA: the same key as a private PEM",
    verify([{"pem": pem_private(ROCA_KEY), "alg": "PS256", "kid": "k1"}], token("PS256")),
    err("jwt_key_invalid"))
add("sign-rsa-roca", "ROCA: a fingerprinted private key never signs",
    {"op": "sign", "key": {"pem": pem_private(ROCA_KEY), "alg": "RS256"}, "claims": claims(),
     "header": {}}, err("jwt_key_invalid"))

# --- sign (deterministic algorithms) ----------------------------------------------------

sign_claims = {"aud": "api", "exp": NOW + 600, "iss": "https://issuer.example", "sub": "user-1"}
for alg in ["HS256", "HS384", "HS512", "RS256", "RS512", "EdDSA"]:
    entry = key_entry(alg, public=False)
    add("sign-" + alg.lower(), "PyJWT " + jwt.__version__ + " (sorted header, compact JSON)",
        {"op": "sign", "key": entry, "claims": sign_claims, "header": {"kid": "k1"}},
        ok(token=jwt.encode(sign_claims, private_key_for(alg), algorithm=alg,
                            headers={"kid": "k1"})))
add("sign-at+jwt", "PyJWT, typ at+jwt",
    {"op": "sign", "key": key_entry("HS256"), "claims": sign_claims, "header": {"typ": "at+jwt"}},
    ok(token=jwt.encode(sign_claims, SECRET, algorithm="HS256", headers={"typ": "at+jwt"})))
add("sign-hs512-short-secret", "RFC 7518 3.2: an HS512 secret under 64 bytes does not load, "
    "so it never signs",
    {"op": "sign", "key": {"secret_b64": base64.b64encode(SECRET[:40]).decode(), "alg": "HS512"},
     "claims": sign_claims, "header": {}}, err("jwt_key_invalid"))
add("sign-public-key", "a public key cannot sign",
    {"op": "sign", "key": key_entry("EdDSA"), "claims": sign_claims, "header": {}},
    err("jwt_key_invalid"))

# --- algorithm confusion and none -------------------------------------------------------

rsa_pem = pem_public(RSA_KEY).encode()
hs_with_pem = forge({"alg": "HS256", "kid": "k1"}, claims(), "HS256", key=rsa_pem)
add("confusion-hs256-with-rsa-pem", "RFC 8725 2.1: HS256 keyed with the RSA public PEM",
    verify([key_entry("RS256", "k1")], hs_with_pem), err("jwt_algorithm_refused"),
    challenge=INVALID)
add("confusion-pem-as-secret", "RFC 8725 2.1: the RSA public PEM offered as an HMAC secret",
    verify([{"secret_b64": base64.b64encode(rsa_pem).decode(), "alg": "HS256", "kid": "k1"}],
           hs_with_pem), err("jwt_key_invalid"))
rsa_der = RSA_KEY.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
add("confusion-der-as-secret", "RFC 8725 2.1: SPKI DER offered as an HMAC secret",
    verify([{"secret_b64": base64.b64encode(rsa_der).decode(), "alg": "HS256"}],
           forge({"alg": "HS256"}, claims(), key=rsa_der)), err("jwt_key_invalid"))
ssh = ED_KEY.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                       serialization.PublicFormat.OpenSSH)
add("confusion-ssh-as-secret", "an OpenSSH public key offered as an HMAC secret",
    verify([{"secret_b64": base64.b64encode(ssh).decode(), "alg": "HS256"}],
           forge({"alg": "HS256"}, claims(), key=ssh)), err("jwt_key_invalid"))
jwk_text = json.dumps(jwks["keys"][0]).encode()
add("confusion-jwk-as-secret", "a JWK's JSON offered as an HMAC secret",
    verify([{"secret_b64": base64.b64encode(jwk_text).decode(), "alg": "HS256"}],
           forge({"alg": "HS256"}, claims(), key=jwk_text)), err("jwt_key_invalid"))
add("confusion-hs256-against-jwks", "HS256 keyed with a JWKS member's JSON, kid of that key",
    verify([{"jwks": jwks}], forge({"alg": "HS256", "kid": "RS256"}, claims(), key=jwk_text)),
    err("jwt_algorithm_refused"))
add("confusion-es256-against-eddsa", "ES256 token, kid names an EdDSA key",
    verify([key_entry("EdDSA", "k1")], token("ES256")), err("jwt_algorithm_refused"))
add("secret-too-short", "HMAC secrets under 32 bytes are refused",
    verify([{"secret_b64": base64.b64encode(SECRET[:31]).decode(), "alg": "HS256"}], token()),
    err("jwt_key_invalid"))

for i, spelling in enumerate(["none", "None", "NONE", "nOnE", "none "]):
    h = b64u(json.dumps({"alg": spelling}).encode())
    p = b64u(json.dumps(claims()).encode())
    add(f"none-spelling-{i}", "RFC 8725 3.1: alg " + json.dumps(spelling) + " is never accepted",
        verify(HS, h + "." + p + "."), err("jwt_algorithm_refused"))
add("none-with-signature", "alg none carrying an HMAC signature",
    verify(HS, forge({"alg": "none"}, claims())), err("jwt_algorithm_refused"))
add("alg-lowercase-hs256", "alg names are case-sensitive (RFC 7515 4.1.1)",
    verify(HS, forge({"alg": "hs256", "kid": "k1"}, claims())), err("jwt_algorithm_refused"))
add("alg-unknown", "an algorithm portcullis does not implement",
    verify(HS, forge({"alg": "HS1", "kid": "k1"}, claims())), err("jwt_algorithm_refused"))
add("alg-missing", "no alg", verify(HS, forge({"kid": "k1"}, claims())), err("jwt_malformed"))
add("alg-number", "alg is a number", verify(HS, forge({"alg": 256, "kid": "k1"}, claims())),
    err("jwt_malformed"))
add("alg-not-allowed", "config allow-list excludes the token's alg",
    verify(HS, token(), dict(BASE_CONFIG, algorithms=["ES256", "EdDSA"])),
    err("jwt_algorithm_refused"))

# --- signatures ---------------------------------------------------------------------------

good = token()
h, p, s = good.split(".")
add("signature-stripped", "signature removed", verify(HS, h + "." + p + "."),
    err("jwt_signature_invalid"))
add("signature-truncated", "signature cut to 16 bytes",
    verify(HS, h + "." + p + "." + b64u(unb64u(s)[:16])), err("jwt_signature_invalid"))
add("signature-bit-flipped", "one bit of the signature flipped",
    verify(HS, h + "." + p + "." + b64u(bytes([unb64u(s)[0] ^ 1]) + unb64u(s)[1:])),
    err("jwt_signature_invalid"))
add("wrong-secret", "signed with another secret",
    verify(HS, jwt.encode(claims(), OTHER_SECRET, "HS256", headers={"kid": "k1"})),
    err("jwt_signature_invalid"))
altered = b64u(json.dumps(claims(sub="admin"), separators=(",", ":")).encode())
add("payload-swapped", "payload replaced, signature kept", verify(HS, h + "." + altered + "." + s),
    err("jwt_signature_invalid"))
for alg in ["ES256", "ES384"]:
    si = (b64u(json.dumps({"alg": alg, "kid": "k1"}).encode()) + "."
          + b64u(json.dumps(claims()).encode())).encode()
    der = EC_KEYS[alg].sign(si, ec.ECDSA(hashes.SHA256() if alg == "ES256" else hashes.SHA384()))
    add("ecdsa-der-" + alg.lower(), "RFC 7518 3.4: DER instead of r || s",
        verify([key_entry(alg, "k1")], si.decode() + "." + b64u(der)), err("jwt_signature_invalid"))
for alg, width in [("ES256", 32), ("ES512", 66)]:
    si = (b64u(json.dumps({"alg": alg, "kid": "k1"}).encode()) + "."
          + b64u(json.dumps(claims()).encode())).encode()
    add("ecdsa-zero-" + alg.lower(), "r = s = 0 (CVE-2022-21449 shape)",
        verify([key_entry(alg, "k1")], si.decode() + "." + b64u(bytes(2 * width))),
        err("jwt_signature_invalid"))
si = (b64u(b'{"alg":"EdDSA","kid":"k1"}') + "." + b64u(json.dumps(claims()).encode())).encode()
add("eddsa-zero-signature", "all-zero Ed25519 signature",
    verify([key_entry("EdDSA", "k1")], si.decode() + "." + b64u(bytes(64))),
    err("jwt_signature_invalid"))
add("ps256-against-rs256-key", "PS256 token, kid names the same RSA key bound to RS256",
    verify([key_entry("RS256", "k1")], token("PS256")), err("jwt_algorithm_refused"))

# --- header: embedded keys ignored, crit, kid ----------------------------------------------

attacker_jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(ATTACKER_ED.public_key()))
for member, value in [("jwk", attacker_jwk), ("jku", "https://attacker.example/jwks.json"),
                      ("x5u", "https://attacker.example/cert.pem")]:
    add("header-" + member + "-ignored", "RFC 8725 3.10: header " + member + " is never trusted",
        verify([key_entry("EdDSA", "k1")],
               forge({"alg": "EdDSA", "kid": "k1", member: value}, claims(), "EdDSA", ATTACKER_ED)),
        err("jwt_signature_invalid"))
add("header-jku-on-good-token", "a jku on a genuine token changes nothing",
    verify([key_entry("EdDSA", "k1")],
           forge({"alg": "EdDSA", "kid": "k1", "jku": "https://x.example"}, claims(), "EdDSA")),
    ok(subject="user-1"))
for name, hdr in [("crit-empty", {"crit": []}),
                  ("crit-unknown", {"crit": ["exp"], "exp": NOW}),
                  ("crit-absent-header", {"crit": ["foo"]}),
                  ("crit-not-array", {"crit": "exp", "exp": NOW}),
                  ("crit-b64", {"crit": ["b64"], "b64": False})]:
    add(name, "RFC 7515 4.1.11", verify(HS, forge(dict({"alg": "HS256", "kid": "k1"}, **hdr),
                                                   claims())), err("jwt_crit_unsupported"))
add("kid-unknown", "kid names no key", verify(HS, token(kid="k2")), err("jwt_key_unknown"))
add("kid-number", "kid is not a string", verify(HS, forge({"alg": "HS256", "kid": 1}, claims())),
    err("jwt_malformed"))
add("no-kid-single-key", "no kid: the key of the token's alg is tried",
    verify(HS, token(kid=None)), ok(subject="user-1", credential_id="k1"))
add("no-keys", "empty key set", verify([], token()), err("jwt_key_unknown"))
add("kid-against-keyless-key", "a token with a kid and one key without kid: refused (peers "
    "ignore the kid with a single key; portcullis matches kid exactly, docs/JWT.md)",
    verify([key_entry("HS256")], token()), err("jwt_key_unknown"))
add("kid-against-keyless-key-rfc7520", "the RFC 7520 4.4 token (kid set) against its key "
    "with the kid removed",
    {"op": "verify_jws", "keys": [{"jwk": {k: v for k, v in load(
        "rfc7520-jose-cookbook", "jws", "4_4.hmac-sha2_integrity_protection.json")["input"]["key"]
        .items() if k != "kid"}, "alg": "HS256"}], "config": {},
     "token": load("rfc7520-jose-cookbook", "jws",
                   "4_4.hmac-sha2_integrity_protection.json")["output"]["compact"]},
    err("jwt_key_unknown"))

# --- typ --------------------------------------------------------------------------------

at_config = dict(BASE_CONFIG, typ="at+jwt")
for typ, expect in [("at+jwt", ok(subject="user-1")), ("application/AT+JWT", ok(subject="user-1")),
                    ("JWT", err("jwt_type_mismatch")), (None, err("jwt_type_mismatch")),
                    ("application/jwt", err("jwt_type_mismatch"))]:
    hdr = {"typ": typ} if typ else {}
    tok = forge(dict({"alg": "HS256", "kid": "k1"}, **hdr), claims())
    add("typ-" + (typ or "absent").replace("/", "-").lower(), "RFC 8725 3.11 / RFC 9068",
        verify(HS, tok, at_config), expect)

# --- claims: types --------------------------------------------------------------------------

for name, extra in [("exp-string", {"exp": str(NOW + 600)}), ("exp-null", {"exp": None}),
                    ("exp-bool", {"exp": True}), ("nbf-string", {"nbf": "0"}),
                    ("iat-string", {"iat": "0"}), ("aud-number", {"aud": 1}),
                    ("aud-array-number", {"aud": ["api", 1]}),
                    ("aud-object", {"aud": {"api": True}}),
                    ("iss-array", {"iss": ["https://issuer.example"]}), ("iss-number", {"iss": 7}),
                    ("sub-number", {"sub": 1}), ("jti-number", {"jti": 1}),
                    ("scope-array", {"scope": ["read"]}), ("scp-string", {"scp": "read"})]:
    add("claim-type-" + name, "RFC 7519 4.1: wrong JSON type is never absent",
        verify(HS, forge({"alg": "HS256", "kid": "k1"}, claims(**extra))), err("jwt_claim_type"))
add("scp-array", "scopes from scp", verify(HS, token(payload=claims(scope=..., scp=["a", "b"]))),
    ok(scopes=["a", "b"]))
add("exp-fractional", "NumericDate may be fractional",
    verify(HS, token(payload=claims(exp=NOW + 0.5))), ok(expires_at=NOW))

# --- claims: iss, aud ---------------------------------------------------------------------

for name, iss in [("trailing-slash", "https://issuer.example/"), ("upper", "HTTPS://ISSUER.EXAMPLE"),
                  ("suffix", "https://issuer.example.evil"), ("prefix", "https://issuer.exampl"),
                  ("space", " https://issuer.example"), ("other", "https://evil.example")]:
    add("iss-" + name, "iss is an exact match",
        verify(HS, token(payload=claims(iss=iss))), err("jwt_issuer_mismatch"))
add("iss-missing", "iss required when issuers are configured",
    verify(HS, token(payload=claims(iss=...))), err("jwt_claim_missing"))
add("iss-second-of-two", "one of several issuers",
    verify(HS, token(payload=claims(iss="https://b.example")),
           dict(BASE_CONFIG, issuers=["https://issuer.example", "https://b.example"])),
    ok(subject="user-1"))
for name, aud in [("other", "other"), ("array-others", ["x", "y"]), ("case", "API"),
                  ("empty-array", [])]:
    add("aud-" + name, "aud any-of", verify(HS, token(payload=claims(aud=aud))),
        err("jwt_audience_mismatch"))
add("aud-array-match", "aud array holding the audience",
    verify(HS, token(payload=claims(aud=["x", "api"]))), ok(subject="user-1"))
add("aud-missing", "aud required when audiences are configured",
    verify(HS, token(payload=claims(aud=...))), err("jwt_claim_missing"))
add("aud-unexpected", "RFC 7519 4.1.3: aud present, no audience configured",
    verify(HS, token(), {"issuers": ["https://issuer.example"]}), err("jwt_audience_mismatch"))

# --- claims: time -------------------------------------------------------------------------

for name, extra, expect in [
    ("expired-30s", {"exp": NOW - 30}, ok(subject="user-1")),
    ("expired-60s", {"exp": NOW - 60}, err("jwt_expired")),
    ("expired-3600s", {"exp": NOW - 3600}, err("jwt_expired")),
    ("nbf-future-30s", {"nbf": NOW + 30}, ok(subject="user-1")),
    ("nbf-future-3600s", {"nbf": NOW + 3600}, err("jwt_not_yet_valid")),
    ("iat-future-30s", {"iat": NOW + 30}, ok(subject="user-1")),
    ("iat-future-3600s", {"iat": NOW + 3600}, err("jwt_issued_in_future")),
    ("exp-missing", {"exp": ...}, err("jwt_claim_missing")),
]:
    add("time-" + name, "RFC 7519 4.1.4-4.1.6, leeway 60 s", verify(HS, token(payload=claims(**extra))),
        expect)
add("time-expired-challenge", "RFC 6750 3.1 challenge",
    verify(HS, token(payload=claims(exp=NOW - 3600))), err("jwt_expired"),
    challenge='Bearer realm="api", error="invalid_token", error_description="The token has expired."')
add("time-exp-optional", "require_exp off",
    verify(HS, token(payload=claims(exp=...)), dict(BASE_CONFIG, require_exp=False)),
    ok(subject="user-1", expires_at=None))
add("time-leeway-zero", "leeway 0: exp == now is expired",
    verify(HS, token(payload=claims(exp=NOW)), dict(BASE_CONFIG, leeway_seconds=0)),
    err("jwt_expired"))
add("time-max-age", "max_age 300 s, iat 1000 s ago",
    verify(HS, token(payload=claims(iat=NOW - 1000)), dict(BASE_CONFIG, max_age_seconds=300)),
    err("jwt_too_old"))
add("time-max-age-no-iat", "max_age needs iat",
    verify(HS, token(payload=claims(iat=...)), dict(BASE_CONFIG, max_age_seconds=300)),
    err("jwt_claim_missing"))
add("config-leeway-capped", "leeway above 300 s is refused",
    verify(HS, token(), dict(BASE_CONFIG, leeway_seconds=3600)), err("config_invalid"))

# --- NumericDate range and token lifetime -------------------------------------------------
# Dates from 1970 to the end of year 9999 (253402300799) only; max_lifetime_seconds defaults
# to 86400: exp - iat may not exceed it, nor exp lie further than it plus the leeway (60 s)
# after now. Stricter than RFC 7519, which bounds neither (docs/SECURITY.md).

YEAR_10000 = 253402300800
for name, raw in [("exp-1e300", b"1e300"), ("exp-2-to-64", b"18446744073709551616"),
                  ("exp-u64-max", b"18446744073709551615"), ("exp-i64-max", b"9223372036854775807"),
                  ("exp-year-10000", str(YEAR_10000).encode()),
                  ("exp-float-year-10000", b"253402300800.5"), ("exp-negative", b"-1"),
                  ("exp-1e19", b"1e19")]:
    praw = (b'{"sub":"user-1","iss":"https://issuer.example","aud":"api","exp":' + raw + b"}")
    add("date-" + name, "RFC 7519 2 NumericDate outside 1970..9999: refused as a claim type, "
        "never clamped", verify(HS, forge({}, {}, header_raw=b'{"alg":"HS256","kid":"k1"}',
                                          payload_raw=praw), dict(BASE_CONFIG, max_lifetime_seconds=None)),
        err("jwt_claim_type"))
for claim, value in [("iat", -1), ("nbf", -1), ("iat", YEAR_10000), ("nbf", 1e300)]:
    add(f"date-{claim}-{value}", "NumericDate range applies to nbf and iat too",
        verify(HS, forge({"alg": "HS256", "kid": "k1"}, claims(**{claim: value}))),
        err("jwt_claim_type"))
add("date-last-second-of-9999", "the last second of year 9999 is a date (lifetime check off)",
    verify(HS, token(payload=claims(exp=YEAR_10000 - 1, iat=...)),
           dict(BASE_CONFIG, max_lifetime_seconds=None)),
    ok(subject="user-1", expires_at=YEAR_10000 - 1))
DAY = 86400
for name, extra, cfg, expect in [
    ("exactly-24h", {"iat": NOW - 10, "exp": NOW - 10 + DAY}, {}, ok(subject="user-1")),
    ("24h-and-1s", {"iat": NOW - 10, "exp": NOW - 10 + DAY + 1}, {}, err("jwt_lifetime_too_long")),
    ("30-days", {"iat": NOW, "exp": NOW + 30 * DAY}, {}, err("jwt_lifetime_too_long")),
    ("old-iat-far-exp", {"iat": NOW - DAY, "exp": NOW + DAY}, {}, err("jwt_lifetime_too_long")),
    ("no-iat-24h-plus-leeway", {"iat": ..., "exp": NOW + DAY + 60}, {}, ok(subject="user-1")),
    ("no-iat-beyond-leeway", {"iat": ..., "exp": NOW + DAY + 61}, {}, err("jwt_lifetime_too_long")),
    ("custom-1h", {"iat": NOW, "exp": NOW + 7200}, {"max_lifetime_seconds": 3600},
     err("jwt_lifetime_too_long")),
    ("custom-1h-ok", {"iat": NOW, "exp": NOW + 3600}, {"max_lifetime_seconds": 3600},
     ok(subject="user-1")),
    ("off", {"iat": NOW, "exp": NOW + 365 * DAY}, {"max_lifetime_seconds": None},
     ok(subject="user-1", expires_at=NOW + 365 * DAY)),
]:
    add("lifetime-" + name, "max_lifetime_seconds (default 86400)",
        verify(HS, token(payload=claims(**extra)), dict(BASE_CONFIG, **cfg)), expect)
add("lifetime-challenge", "RFC 6750 3.1 challenge of a token that lives too long",
    verify(HS, token(payload=claims(exp=NOW + 30 * DAY))), err("jwt_lifetime_too_long"),
    challenge=INVALID)
add("config-lifetime-zero", "max_lifetime_seconds 0 is refused",
    verify(HS, token(), dict(BASE_CONFIG, max_lifetime_seconds=0)), err("config_invalid"))

# --- required claims, revocation, scopes --------------------------------------------------

add("required-sub-missing", "required_claims",
    verify(HS, token(payload=claims(sub=...)), dict(BASE_CONFIG, required_claims=["sub", "jti"])),
    err("jwt_claim_missing"))
add("required-custom-null", "a null required claim is missing",
    verify(HS, token(payload=claims(tenant=None)), dict(BASE_CONFIG, required_claims=["tenant"])),
    err("jwt_claim_missing"))
add("revoked-jti", "jti on the revocation list", verify(HS, token(), revoked=["t-1"]),
    err("jwt_revoked"))
add("revoked-other-jti", "another jti revoked", verify(HS, token(), revoked=["t-2"]),
    ok(subject="user-1"))
add("scope-insufficient", "RFC 6750 3.1 insufficient_scope",
    verify(HS, token(), scopes=["read", "admin"]), err("scope_insufficient"),
    challenge='Bearer realm="api", error="insufficient_scope", scope="read admin"')

# --- shape, base64, JSON, size ------------------------------------------------------------

add("shape-two-segments", "compact JWS has three segments", verify(HS, h + "." + p),
    err("jwt_malformed"))
add("shape-four-segments", "compact JWS has three segments", verify(HS, good + ".x"),
    err("jwt_malformed"))
add("shape-one-segment", "compact JWS has three segments", verify(HS, h), err("jwt_malformed"))
add("shape-empty", "empty token", verify(HS, ""), err("jwt_malformed"))
add("shape-jwe", "five segments (JWE) are not a JWS", verify(HS, "a.b.c.d.e"), err("jwt_malformed"))
add("b64-padding", "base64url with padding", verify(HS, h + "=." + p + "." + s), err("jwt_malformed"))
std_sig = base64.b64encode(unb64u(s)).decode().rstrip("=")
if "+" in std_sig or "/" in std_sig:
    add("b64-standard-alphabet", "signature in the standard alphabet",
        verify(HS, h + "." + p + "." + std_sig), err("jwt_malformed"))
add("b64-plus-in-header", "'+' in the header segment",
    verify(HS, "+" + h[1:] + "." + p + "." + s), err("jwt_malformed"))
last = s[-1]
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
bumped = alphabet[alphabet.index(last) + 1]  # 43 chars for 32 bytes: low 2 bits must be 0
add("b64-trailing-bits", "non-zero trailing bits in the signature",
    verify(HS, h + "." + p + "." + s[:-1] + bumped), err("jwt_malformed"))
add("b64-whitespace", "whitespace inside the token", verify(HS, h + ". " + p + "." + s),
    err("jwt_malformed"))
add("b64-bad-length", "segment length 1 mod 4",
    verify(HS, h + "." + p + "A" * ((1 - len(p)) % 4 or 4) + "." + s),
    err("jwt_malformed"))
for name, hraw, praw in [("header-not-json", b"{alg:HS256}", None),
                         ("header-array", b'["alg","HS256"]', None),
                         ("header-trailing", b'{"alg":"HS256","kid":"k1"} x', None),
                         ("payload-array", None, b'["sub"]'),
                         ("payload-string", None, b'"user-1"'),
                         ("payload-not-json", None, b"sub=user-1"),
                         ("payload-bad-utf8", None, b'{"sub":"\xff"}'),
                         # A string quoting the readers' own repeat marker is no repeat (found
                         # by fuzzing: the one-pass reader said jwt_duplicate_member).
                         ("payload-quotes-marker", None, b'"portcullis: duplicate member"')]:
    add("json-" + name, "header and claims are JSON objects",
        verify(HS, forge({"alg": "HS256", "kid": "k1"}, claims(), header_raw=hraw, payload_raw=praw)),
        err("jwt_malformed"))
for name, hraw, praw in [
        ("header-alg", b'{"alg":"none","kid":"k1","alg":"HS256"}', None),
        ("header-kid", b'{"alg":"HS256","kid":"k2","kid":"k1"}', None),
        ("payload-sub", None, b'{"sub":"user-1","exp":1750000600,"iss":"https://issuer.example","aud":"api","sub":"admin"}'),
        ("payload-nested", None, b'{"sub":"user-1","exp":1750000600,"iss":"https://issuer.example","aud":"api","ctx":{"a":1,"a":2}}'),
        ("payload-escaped", None, b'{"sub":"user-1","exp":1750000600,"iss":"https://issuer.example","aud":"api","\\u0073ub":"admin"}'),
        # Not UTF-8 after the object: the repeat comes first, for both claims readers (found
        # by fuzzing: the one-pass reader checked UTF-8 first and said jwt_malformed).
        ("payload-then-bad-utf8", None, b'{"sub":"user-1","exp":1750000600,"iss":"https://issuer.example","aud":"api","sub":"admin"} \xff'),
        # An array holding a repeat: the strict parser reads the whole value, and both claims
        # readers now say what it says (found by fuzzing).
        ("payload-array-holding-repeat", None, b'[{"sub":"user-1","sub":"admin"}]')]:
    add("duplicate-" + name, "RFC 7515 5.2 / RFC 7519 4: duplicate members refused",
        verify(HS, forge({}, {}, header_raw=hraw or b'{"alg":"HS256","kid":"k1"}',
                         payload_raw=praw or json.dumps(claims()).encode())),
        err("jwt_duplicate_member"))
# Claims as a peer may write them: the principal's claims are the JSON the payload holds,
# whatever its spacing, escapes and member order (the runners compare them, and the C runner
# their canonical text).
for name, praw in [
        ("escapes-and-space", b'{ "sub" : "user-1" , "iss":"https://issuer.example", "aud":"api",'
                              b' "exp":1750000600, "esc\\u0061ped":"line\\nbreak \\u00e9 \\ud83d\\ude00",'
                              b' "q":"s\\"q\\\\", "caf\xc3\xa9":"\xe2\x82\xac" }'),
        ("nested-unordered", b'{"sub":"user-1","iss":"https://issuer.example","aud":"api","exp":1750000600,'
                             b'"ctx":{"b":1,"a":[1,{"d":2,"c":null}]},"roles":["y","x"],"t":true,"n":null}'),
        ("numbers", b'{"sub":"user-1","iss":"https://issuer.example","aud":["x","api"],"exp":1750000600,'
                    b'"f":1.5,"neg":-3,"big":9007199254740991,"zero":0}')]:
    expected = json.loads(praw)
    add("claims-" + name, "RFC 7519 4: the claims set is the payload's JSON object",
        verify(HS, forge({}, {}, header_raw=b'{"alg":"HS256","kid":"k1"}', payload_raw=praw)),
        ok(subject="user-1", claims=expected,
           claims_canonical=json.dumps(expected, sort_keys=True, separators=(",", ":"),
                                       ensure_ascii=False)))
add("size-token-over-16k", "default limit 16 KiB",
    verify(HS, token(payload=claims(pad="x" * 17000))), err("jwt_too_large"))
add("size-header-over-8k", "header segment limit 8 KiB",
    verify(HS, forge({"alg": "HS256", "kid": "k1", "pad": "x" * 7000}, claims())),
    err("jwt_too_large"))
add("size-config-limit", "max_token_bytes 256",
    verify(HS, token(), dict(BASE_CONFIG, max_token_bytes=256)), err("jwt_too_large"))
add("size-under-limit", "a 12 KiB token passes",
    verify(HS, token(payload=claims(pad="x" * 12000))), ok(subject="user-1"))

# --- adversarial review (issue 19) -----------------------------------------------------------
# One case per attack sub-case the sections above leave out (docs/SECURITY.md, "Adversarial
# review", maps every sub-case to its cases). Tokens come from hmac, cryptography and PyJWT;
# only deterministic signatures (HMAC, RSASSA-PKCS1-v1_5, Ed25519, or fixed bytes where the
# token is refused before its signature is read), so these cases are the same on every run.

ADV = "adversarial review: "
RSA_DER = RSA_KEY.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
ED_RAW = ED_KEY.public_key().public_bytes(serialization.Encoding.Raw,
                                          serialization.PublicFormat.Raw)


def hs_forged(secret, alg="HS256", kid="k1"):
    hdr = {"alg": alg} if kid is None else {"alg": alg, "kid": kid}
    return forge(hdr, claims(), alg, key=secret)


def unsigned(header, width=64):
    """A token whose signature is `width` zero bytes (refused before the signature counts)."""
    return forge(None, claims(), header_raw=json.dumps(header, separators=(",", ":")).encode(),
                 alg="HS256", key=b"unused") .rsplit(".", 1)[0] + "." + b64u(bytes(width))


# Algorithm confusion: an HMAC token keyed with the public key in every encoding, against the
# key bound to its own algorithm.
for name, key_alg, secret, alg, kid in [
    ("hs256-rsa-der", "RS256", RSA_DER, "HS256", "k1"),
    ("hs384-rsa-pem", "RS256", pem_public(RSA_KEY).encode(), "HS384", "k1"),
    ("hs512-rsa-pem", "RS256", pem_public(RSA_KEY).encode(), "HS512", "k1"),
    ("hs256-rsa-pem-no-kid", "RS256", pem_public(RSA_KEY).encode(), "HS256", None),
    ("hs256-ec-pem", "ES256", pem_public(EC_KEYS["ES256"]).encode(), "HS256", "k1"),
    ("hs256-ed25519-raw", "EdDSA", ED_RAW, "HS256", "k1"),
    ("hs256-ps256-pem", "PS256", pem_public(RSA_KEY).encode(), "HS256", "k1"),
]:
    add("adv-confusion-" + name, ADV + "RFC 8725 2.1 / 3.1: an HMAC token keyed with the "
        "public key, against that key bound to " + key_alg,
        verify([key_entry(key_alg, "k1")], hs_forged(secret, alg, kid)), err("jwt_algorithm_refused"))
add("adv-confusion-hs256-rsa-jwk-text", ADV + "HS256 keyed with the RSA key's JWK text, "
    "against that JWK", verify([{"jwk": jwk_of("RS256", kid="k1")}],
                               hs_forged(json.dumps(jwk_of("RS256", kid="k1")).encode())),
    err("jwt_algorithm_refused"))
for name, secret in [
    ("base64-der", base64.b64encode(RSA_DER)),
    ("pem-crlf-indented", b"  \r\n" + pem_public(RSA_KEY).replace("\n", "\r\n").encode()),
    ("jwks-text", json.dumps({"keys": [jwk_of("ES256")]}).encode()),
    ("ec-der", EC_KEYS["ES256"].public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)),
    ("pkcs1-der", RSA_KEY.public_key().public_bytes(serialization.Encoding.DER,
                                                     serialization.PublicFormat.PKCS1)),
]:
    add("adv-confusion-" + name + "-as-secret", ADV + "RFC 8725 3.1: key material offered as "
        "an HMAC secret is refused at load",
        verify([{"secret_b64": base64.b64encode(secret).decode(), "alg": "HS256", "kid": "k1"}],
               hs_forged(secret)), err("jwt_key_invalid"))

# alg: none and other names, every spelling; refused before any key is looked at.
for name, value, code in [
    ("none-tab", "\tnone", "jwt_algorithm_refused"),
    ("none-nul", "none\u0000", "jwt_algorithm_refused"),
    ("none-nbsp", "none\u00a0", "jwt_algorithm_refused"),
    ("empty", "", "jwt_algorithm_refused"),
    ("hs256-space", "HS256 ", "jwt_algorithm_refused"),
    ("eddsa-lowercase", "eddsa", "jwt_algorithm_refused"),
    ("ed448", "Ed448", "jwt_algorithm_refused"),
    ("es256k", "ES256K", "jwt_algorithm_refused"),
    ("null", None, "jwt_malformed"),
    ("array", ["HS256"], "jwt_malformed"),
    ("object", {"name": "HS256"}, "jwt_malformed"),
]:
    add("adv-alg-" + name, ADV + "RFC 7515 4.1.1: alg is a case-sensitive string naming an "
        "implemented algorithm", verify(HS, forge({"alg": value, "kid": "k1"}, claims())), err(code))
add("adv-alg-none-against-eddsa-key", ADV + "alg none with an empty signature, EdDSA key",
    verify([key_entry("EdDSA", "k1")], b64u(b'{"alg":"none","kid":"k1"}') + "."
           + b64u(json.dumps(claims()).encode()) + "."), err("jwt_algorithm_refused"))
add("adv-alg-none-against-jwks", ADV + "alg none, no kid, a JWKS of every key type",
    verify([{"jwks": jwks}], b64u(b'{"alg":"none"}') + "." + b64u(json.dumps(claims()).encode())
           + "."), err("jwt_algorithm_refused"))

# The token's alg is not the key's: across families, curves and paddings.
for name, header, key_alg, width in [
    ("rs256-token-es256-key", {"alg": "RS256", "kid": "k1"}, "ES256", 256),
    ("eddsa-token-es256-key", {"alg": "EdDSA", "kid": "k1"}, "ES256", 64),
    ("es256-token-eddsa-key-no-kid", {"alg": "ES256"}, "EdDSA", 64),
    ("es384-token-es256-key", {"alg": "ES384", "kid": "k1"}, "ES256", 96),
    ("es256-token-es384-key", {"alg": "ES256", "kid": "k1"}, "ES384", 64),
    ("es512-token-es384-key", {"alg": "ES512", "kid": "k1"}, "ES384", 132),
    ("rs256-token-ps256-key", {"alg": "RS256", "kid": "k1"}, "PS256", 256),
    ("rs384-token-rs256-key", {"alg": "RS384", "kid": "k1"}, "RS256", 256),
    ("ed25519-token-es256-key", {"alg": "Ed25519", "kid": "k1"}, "ES256", 64),
]:
    add("adv-mismatch-" + name, ADV + "RFC 8725 3.1: a key verifies only its own algorithm",
        verify([key_entry(key_alg, "k1")], unsigned(header, width)), err("jwt_algorithm_refused"))
add("adv-alg-ed25519-fully-specified", ADV + "RFC 9864: alg Ed25519 is EdDSA over Ed25519",
    verify([key_entry("EdDSA", "k1")], forge({"alg": "Ed25519", "kid": "k1"}, claims(), "EdDSA")),
    ok(subject="user-1"))
add("adv-alg-ed25519-fully-specified-allow-list", ADV + "allow-list [EdDSA] admits alg Ed25519 "
    "(one algorithm, two names)",
    verify([key_entry("EdDSA", "k1")], forge({"alg": "Ed25519", "kid": "k1"}, claims(), "EdDSA"),
           dict(BASE_CONFIG, algorithms=["EdDSA"])), ok(subject="user-1"))
add("adv-jwk-alg-outside-allow-list", ADV + "a JWK bound to ES256, the allow-list RS256 only",
    verify([{"jwk": dict(jwk_of("ES256", kid="k1"), alg="ES256")}], unsigned({"alg": "ES256", "kid": "k1"}),
           dict(BASE_CONFIG, algorithms=["RS256"])), err("jwt_algorithm_refused"))

# JWK parameter abuse: kty / crv / alg that do not fit, encodings, small or odd RSA numbers,
# points off the curve, private members.
P256_P = 2 ** 256 - 2 ** 224 + 2 ** 192 + 2 ** 96 - 1
es_jwk = jwk_of("ES256", kid="k1")
es_tok = unsigned({"alg": "ES256", "kid": "k1"})
rs_tok = token("RS256")
ed_tok = token("EdDSA")
cookbook_public = {k: COOKBOOK_RSA[k] for k in ("kty", "n", "e")} | {"kid": "k1"}
n_int = int.from_bytes(unb64u(COOKBOOK_RSA["n"]), "big")


def int_b64(i, width=None):
    return b64u(i.to_bytes(width or max(1, (i.bit_length() + 7) // 8), "big"))


for name, entry, tok in [
    ("p384-bound-to-es256", {"jwk": jwk_of("ES384", kid="k1"), "alg": "ES256"}, es_tok),
    ("p384-claims-es256", {"jwk": dict(jwk_of("ES384", kid="k1"), alg="ES256")}, es_tok),
    ("ec-claims-rs256", {"jwk": dict(jwk_of("ES256", kid="k1"), alg="RS256")}, rs_tok),
    ("rsa-claims-es256", {"jwk": dict(cookbook_public, alg="ES256")}, es_tok),
    ("rsa-claims-hs256", {"jwk": dict(cookbook_public, alg="HS256")}, token()),
    ("rsa-claims-eddsa", {"jwk": dict(cookbook_public, alg="EdDSA")}, ed_tok),
    ("okp-claims-es256", {"jwk": dict(jwk_of("EdDSA", kid="k1"), alg="ES256")}, es_tok),
    ("oct-claims-rs256", {"jwk": {"kty": "oct", "k": b64u(SECRET), "kid": "k1", "alg": "RS256"}},
     rs_tok),
    ("oct-bound-to-eddsa", {"jwk": {"kty": "oct", "k": b64u(SECRET), "kid": "k1"}, "alg": "EdDSA"},
     ed_tok),
    ("claims-none", {"jwk": dict(jwk_of("ES256", kid="k1"), alg="none")}, es_tok),
    ("claims-ed25519", {"jwk": dict(jwk_of("EdDSA", kid="k1"), alg="Ed25519")}, ed_tok),
    ("alg-differs-from-entry", {"jwk": dict(jwk_of("ES256", kid="k1"), alg="ES256"), "alg": "ES384"},
     es_tok),
    ("okp-x25519", {"jwk": jwk_of("EdDSA", kid="k1", crv="X25519"), "alg": "EdDSA"}, ed_tok),
    ("okp-ed448", {"jwk": jwk_of("EdDSA", kid="k1", crv="Ed448"), "alg": "EdDSA"}, ed_tok),
    ("ec-secp256k1", {"jwk": jwk_of("ES256", kid="k1", crv="secp256k1")}, es_tok),
    ("ec-crv-missing", {"jwk": jwk_of("ES256", kid="k1", crv=None), "alg": "ES256"}, es_tok),
    ("kty-missing", {"jwk": jwk_of("ES256", kid="k1", kty=None), "alg": "ES256"}, es_tok),
    ("kty-number", {"jwk": jwk_of("ES256", kid="k1", kty=2), "alg": "ES256"}, es_tok),
    ("kty-lowercase", {"jwk": jwk_of("ES256", kid="k1", kty="ec"), "alg": "ES256"}, es_tok),
    ("kid-number", {"jwk": jwk_of("ES256", kid=1)}, es_tok),
    ("ec-off-curve", {"jwk": dict(es_jwk, y=b64u(unb64u(es_jwk["y"])[:-1]
                                              + bytes([unb64u(es_jwk["y"])[-1] ^ 1])))}, es_tok),
    ("ec-x-is-p", {"jwk": dict(es_jwk, x=int_b64(P256_P, 32))}, es_tok),
    ("ec-x-31-bytes", {"jwk": dict(es_jwk, x=b64u(unb64u(es_jwk["x"])[1:]))}, es_tok),
    ("ec-x-33-bytes", {"jwk": dict(es_jwk, x=b64u(b"\x00" + unb64u(es_jwk["x"])))}, es_tok),
    ("ec-x-padded", {"jwk": dict(es_jwk, x=es_jwk["x"] + "=")}, es_tok),
    ("ec-x-standard-alphabet", {"jwk": dict(es_jwk, x=base64.b64encode(unb64u(es_jwk["x"]))
                                           .decode().rstrip("="))}, es_tok),
    ("ec-private-d-of-other-key", {"jwk": dict(es_jwk, d=int_b64(
        OTHER_EC.private_numbers().private_value, 32))}, es_tok),
    ("ed25519-x-31-bytes", {"jwk": jwk_of("EdDSA", kid="k1", x=b64u(ED_RAW[:31]))}, ed_tok),
    ("ed25519-x-non-canonical-p-plus-1", {"jwk": jwk_of("EdDSA", kid="k1", x=b64u(
        (2 ** 255 - 19 + 1).to_bytes(32, "little")))}, ed_tok),
    ("ed25519-x-non-canonical-y-p-plus-3", {"jwk": jwk_of("EdDSA", kid="k1", x=b64u(
        (2 ** 255 - 19 + 3).to_bytes(32, "little")))}, ed_tok),
    ("rsa-n-leading-zero", {"jwk": dict(cookbook_public, n=b64u(b"\x00" + unb64u(COOKBOOK_RSA["n"])))},
     rs_tok),
    ("rsa-e-leading-zero", {"jwk": dict(cookbook_public, e="AAEAAQ")}, rs_tok),
    ("rsa-n-1024-bits", {"jwk": dict(cookbook_public, n=int_b64(n_int >> 1024))}, rs_tok),
    ("rsa-n-8200-bits", {"jwk": dict(cookbook_public, n=int_b64((n_int << 6152) | 1))}, rs_tok),
    ("rsa-e-even", {"jwk": dict(cookbook_public, e=int_b64(65536))}, rs_tok),
    ("rsa-e-2-to-64-plus-1", {"jwk": dict(cookbook_public, e=int_b64(2 ** 64 + 1))}, rs_tok),
    ("rsa-e-missing", {"jwk": dict(cookbook_public, e=None)}, rs_tok),
    ("rsa-p-q-without-d", {"jwk": dict(cookbook_public, p=COOKBOOK_RSA["p"], q=COOKBOOK_RSA["q"])},
     rs_tok),
    ("rsa-crt-without-d", {"jwk": dict(cookbook_public, dp=COOKBOOK_RSA["dp"],
                                       dq=COOKBOOK_RSA["dq"], qi=COOKBOOK_RSA["qi"])}, rs_tok),
    ("rsa-oth-without-d", {"jwk": dict(cookbook_public, oth=[{"r": COOKBOOK_RSA["p"],
                                                            "d": COOKBOOK_RSA["dp"],
                                                            "t": COOKBOOK_RSA["qi"]}])}, rs_tok),
]:
    entry["jwk"] = {k: v for k, v in entry["jwk"].items() if v is not None}
    add("adv-jwk-" + name, ADV + "RFC 7517 4 / RFC 7518 6 / RFC 8037 2: a JWK whose members do "
        "not make one valid key of the bound algorithm is refused at load",
        verify([entry], tok), err("jwt_key_invalid"))
add("adv-jwks-rsa-p-q-without-d", ADV + "private RSA members (p, q) without d in a JWKS entry",
    verify([{"jwks": {"keys": [dict(cookbook_public, alg="RS256", p=COOKBOOK_RSA["p"],
                                    q=COOKBOOK_RSA["q"])]}}], rs_tok), err("jwt_key_invalid"))

# RSA with e = 1: the signature is the encoded message itself, so anyone can sign.
EMSA_SHA256 = bytes.fromhex("3031300d060960864801650304020105000420")


def emsa_pkcs1(si, k):
    t = EMSA_SHA256 + hashlib.sha256(si).digest()
    return b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t


si = (b64u(b'{"alg":"RS256","kid":"k1"}') + "." + b64u(json.dumps(claims()).encode())).encode()
add("adv-jwk-rsa-e-1-forgery", ADV + "RSA e = 1: the forged signature is the PKCS#1 v1.5 "
    "encoding of the message; the key must not load",
    verify([{"jwk": dict(cookbook_public, e=int_b64(1))}], si.decode() + "." + b64u(emsa_pkcs1(si, 256))),
    err("jwt_key_invalid"))


# RSA with e = 3 is allowed by RFC 7518 (a real key with a real signature verifies); fixed
# primes, so the token is the same on every run.
def probable_prime(rng, bits):
    while True:
        c = rng.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if c % 3 == 1 or any(c % p == 0 for p in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)):
            continue
        d, r = c - 1, 0
        while d % 2 == 0:
            d, r = d // 2, r + 1
        for _ in range(40):
            x = pow(rng.randrange(2, c - 1), d, c)
            if x in (1, c - 1):
                continue
            for _ in range(r - 1):
                x = pow(x, 2, c)
                if x == c - 1:
                    break
            else:
                break
        else:
            return c


rng3 = random.Random(19_3)
p3, q3 = probable_prime(rng3, 1024), probable_prime(rng3, 1024)
d3 = pow(3, -1, (p3 - 1) * (q3 - 1))
E3_KEY = rsa.RSAPrivateNumbers(p3, q3, d3, d3 % (p3 - 1), d3 % (q3 - 1), pow(q3, -1, p3),
                               rsa.RSAPublicNumbers(3, p3 * q3)).private_key()
e3_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(E3_KEY.public_key())) | {"kid": "k1"}
add("adv-jwk-rsa-e-3-verifies", ADV + "RFC 7518 6.3.1.2 allows e = 3; a real signature verifies",
    verify([{"jwk": e3_jwk}], jwt.encode(claims(), E3_KEY, "RS256", headers={"kid": "k1"})),
    ok(subject="user-1"))
def icbrt(x):
    r = 1 << ((x.bit_length() + 2) // 3)
    while True:
        y = (2 * r + x // (r * r)) // 3
        if y >= r:
            return r
        r = y


e3_si = (b64u(b'{"alg":"RS256","kid":"k1"}') + "." + b64u(json.dumps(claims(sub="admin")).encode())).encode()
e3_prefix = b"\x00\x01\xff\x00" + EMSA_SHA256 + hashlib.sha256(e3_si).digest()
e3_forged = icbrt(int.from_bytes(e3_prefix + b"\xff" * (256 - len(e3_prefix)), "big"))
assert pow(e3_forged, 3).to_bytes(256, "big").startswith(e3_prefix)
add("adv-jwk-rsa-e-3-bleichenbacher-2006", ADV + "e = 3 and a signature whose cube is the "
    "encoding with garbage after the digest (Bleichenbacher 2006): refused",
    verify([{"jwk": e3_jwk}], e3_si.decode() + "." + b64u(e3_forged.to_bytes(256, "big"))),
    err("jwt_signature_invalid"))
add("adv-jwks-private-key-local", ADV + "a local JWKS may hold a private key (signing "
    "configurations); the remote client refuses one (jwks.json private-*-key)",
    verify([{"jwks": {"keys": [jwk_of("ES256", private=True, kid="k1")]}}], es_tok),
    err("jwt_signature_invalid"))

# Claims of the wrong type (RFC 7519 4.1): never read as absent.
for name, extra in [
    ("exp-array", {"exp": [NOW + 600]}), ("exp-object", {"exp": {"v": NOW + 600}}),
    ("nbf-bool", {"nbf": True}), ("nbf-array", {"nbf": [NOW]}), ("nbf-null", {"nbf": None}),
    ("iat-null", {"iat": None}), ("iat-object", {"iat": {}}),
    ("sub-null", {"sub": None}), ("sub-object", {"sub": {"id": "admin"}}),
    ("sub-array", {"sub": ["admin"]}), ("jti-array", {"jti": ["t-1"]}),
    ("iss-null", {"iss": None}), ("iss-object", {"iss": {"url": "https://issuer.example"}}),
    ("aud-null", {"aud": None}), ("aud-true", {"aud": True}), ("aud-array-null", {"aud": ["api", None]}),
    ("scope-number", {"scope": 1}), ("scope-null", {"scope": None}),
    ("scp-array-number", {"scp": ["read", 1]}), ("scp-object", {"scp": {"read": True}}),
]:
    add("adv-claim-type-" + name, ADV + "RFC 7519 4.1: a registered claim of the wrong JSON type",
        verify(HS, forge({"alg": "HS256", "kid": "k1"}, claims(**extra))), err("jwt_claim_type"))
for name, hdr in [("typ-number", {"typ": 1}), ("typ-null", {"typ": None}),
                  ("kid-null", {"kid": None}), ("kid-object", {"kid": {"id": "k1"}})]:
    add("adv-header-" + name, ADV + "RFC 7515 4.1.4 / 4.1.9: header members are strings",
        verify(HS, forge(dict({"alg": "HS256", "kid": "k1"}, **hdr), claims())), err("jwt_malformed"))

# b64 and crit (RFC 7797, RFC 7515 4.1.11).
for name, hdr, expect in [
    ("b64-false-without-crit", {"b64": False}, err("jwt_crit_unsupported")),
    ("b64-string-false", {"b64": "false"}, err("jwt_crit_unsupported")),
    ("b64-null", {"b64": None}, err("jwt_crit_unsupported")),
    ("b64-true", {"b64": True}, ok(subject="user-1")),
    ("crit-b64-true", {"crit": ["b64"], "b64": True}, err("jwt_crit_unsupported")),
    ("crit-null", {"crit": None}, err("jwt_crit_unsupported")),
    ("crit-repeated", {"crit": ["b64", "b64"], "b64": False}, err("jwt_crit_unsupported")),
    ("crit-names-alg", {"crit": ["alg"]}, err("jwt_crit_unsupported")),
]:
    add("adv-" + name, ADV + "RFC 7797 3 / RFC 7515 4.1.11: no extension is understood",
        verify(HS, forge(dict({"alg": "HS256", "kid": "k1"}, **hdr), claims())), expect)
add("adv-b64-false-unencoded-payload", ADV + "RFC 7797 example shape: b64 false, crit b64, the "
    "payload unencoded (its dots make more than three segments)",
    verify(HS, b64u(b'{"alg":"HS256","kid":"k1","b64":false,"crit":["b64"]}') + "."
           + json.dumps(claims(), separators=(",", ":")) + "." + b64u(hmac.new(
               SECRET, (b64u(b'{"alg":"HS256","kid":"k1","b64":false,"crit":["b64"]}') + "."
                        + json.dumps(claims(), separators=(",", ":"))).encode(),
               hashlib.sha256).digest())), err("jwt_malformed"))
for member, value in [("x5c", [base64.b64encode(RSA_DER).decode()]),
                      ("x5t#S256", b64u(hashlib.sha256(RSA_DER).digest()))]:
    add("adv-header-" + member.replace("#", "-").lower() + "-ignored",
        ADV + "RFC 8725 3.10: header " + member + " never selects or supplies a key",
        verify([key_entry("EdDSA", "k1")],
               forge({"alg": "EdDSA", "kid": "k1", member: value}, claims(), "EdDSA", ATTACKER_ED)),
        err("jwt_signature_invalid"))

# JSON edge cases (RFC 8259, RFC 7493).
CL = json.dumps(claims(), separators=(",", ":")).encode()
for name, hraw, praw, code in [
    ("payload-bom", None, b"\xef\xbb\xbf" + CL, "jwt_malformed"),
    ("header-bom", b'\xef\xbb\xbf{"alg":"HS256","kid":"k1"}', None, "jwt_malformed"),
    ("payload-utf16", None, CL.decode().encode("utf-16-le"), "jwt_malformed"),
    ("payload-overlong-utf8", None, CL.replace(b'"user-1"', b'"user\xc0\xaf1"'), "jwt_malformed"),
    ("payload-lone-high-surrogate", None, CL.replace(b'"user-1"', b'"user\\ud800"'), "jwt_malformed"),
    ("payload-lone-low-surrogate", None, CL.replace(b'"user-1"', b'"\\udc00user"'), "jwt_malformed"),
    ("header-kid-lone-surrogate", b'{"alg":"HS256","kid":"k1\\ud800"}', None, "jwt_malformed"),
    ("payload-nesting-1000", None, CL[:-1] + b',"deep":' + b"[" * 1000 + b"]" * 1000 + b"}",
     "jwt_malformed"),
    ("header-nesting-1000", b'{"alg":"HS256","kid":"k1","x":' + b"[" * 1000 + b"]" * 1000 + b"}",
     None, "jwt_malformed"),
    ("payload-number-overflow", None, CL[:-1] + b',"x":1e400}', "jwt_malformed"),
    ("payload-nan", None, CL[:-1] + b',"x":NaN}', "jwt_malformed"),
    ("payload-infinity", None, CL[:-1] + b',"x":-Infinity}', "jwt_malformed"),
    ("payload-trailing-comma", None, CL[:-1] + b",}", "jwt_malformed"),
    ("payload-comment", None, b"/*c*/" + CL, "jwt_malformed"),
    ("payload-single-quotes", None, CL.replace(b'"sub"', b"'sub'"), "jwt_malformed"),
    ("payload-leading-zero", None, CL[:-1] + b',"x":01}', "jwt_malformed"),
    ("payload-raw-control", None, CL.replace(b'"user-1"', b'"user\x011"'), "jwt_malformed"),
    ("payload-two-objects", None, CL + CL, "jwt_malformed"),
    ("header-duplicate-escaped-alg", b'{"alg":"HS256","kid":"k1","\\u0061lg":"none"}', None,
     "jwt_duplicate_member"),
    ("payload-exp-huge-integer", None, CL.replace(str(NOW + 600).encode(),
                                                  b"123456789012345678901234567890"),
     "jwt_claim_type"),
]:
    hdr = hraw if hraw is not None else b'{"alg":"HS256","kid":"k1"}'
    add("adv-json-" + name, ADV + "RFC 8259 / RFC 7493: JOSE JSON is read strictly",
        verify(HS, forge(None, None, header_raw=hdr, payload_raw=praw if praw is not None else CL)),
        err(code))
for name, praw, subject in [
    ("payload-surrogate-pair", CL.replace(b'"user-1"', b'"user\\ud83d\\ude00"'), "user\U0001F600"),
    ("payload-nesting-100", CL[:-1] + b',"deep":' + b"[" * 100 + b"]" * 100 + b"}", "user-1"),
    ("payload-whitespace", b" \t\r\n" + CL + b" \n", "user-1"),
]:
    add("adv-json-" + name, ADV + "RFC 8259: valid JSON is read as written",
        verify(HS, forge(None, None, header_raw=b'{"alg":"HS256","kid":"k1"}', payload_raw=praw)),
        ok(subject=subject))

# ECDSA malleability: (r, n - s) verifies as (r, s) does (RFC 7518 3.4 asks nothing more); the
# claims are the same, so the token means the same. Randomised signature, like every ES* case.
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
hs_si = (b64u(b'{"alg":"ES256","kid":"k1"}') + "." + b64u(json.dumps(claims()).encode())).encode()
hs_sig = raw_sign("ES256", hs_si)
hs_r, hs_s = int.from_bytes(hs_sig[:32], "big"), int.from_bytes(hs_sig[32:], "big")
add("adv-ecdsa-high-s-es256", ADV + "ECDSA (r, n - s): malleable, the same claims; accepted",
    verify([key_entry("ES256", "k1")], hs_si.decode() + "." + b64u(
        hs_r.to_bytes(32, "big") + (P256_N - hs_s).to_bytes(32, "big"))), ok(subject="user-1"))
add("adv-ecdsa-high-s-twin-revoked", ADV + "the (r, n - s) twin of a token whose jti is revoked",
    verify([key_entry("ES256", "k1")], hs_si.decode() + "." + b64u(
        hs_r.to_bytes(32, "big") + (P256_N - hs_s).to_bytes(32, "big")), revoked=["t-1"]),
    err("jwt_revoked"))
add("adv-ecdsa-r-is-n-es256", ADV + "ECDSA r = n (out of range, r mod n = 0): refused",
    verify([key_entry("ES256", "k1")], hs_si.decode() + "." + b64u(
        P256_N.to_bytes(32, "big") + hs_s.to_bytes(32, "big"))), err("jwt_signature_invalid"))

negative = sum(1 for c in CASES if "error" in c["expect"])
doc = {"cases": CASES}
with open(os.path.join(HERE, "jwt.json"), "w") as f:
    json.dump(doc, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"{len(CASES)} cases, {negative} negative", file=sys.stderr)
