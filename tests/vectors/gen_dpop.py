#!/usr/bin/env python3
"""Writes tests/vectors/dpop.json: DPoP proof cases (RFC 9449) for every runner (format in
DPOP.md).

An independent reference: the RFC 9449 proofs (section 4.1's token-request proof, section 7.1's
resource-request proof) and the RFC 7638 section 3.1 key are copied from the RFC text; every
other proof is assembled byte by byte here with pyca/cryptography (Ed25519, deterministic ECDSA
per RFC 6979, RSASSA-PKCS1-v1_5, and RSASSA-PSS encoded by hand with a fixed salt), hashlib,
hmac, base64 and json. Expected thumbprints, `ath` values and nonces are computed here
(RFC 7638, RFC 9449 4.2, the nonce scheme of docs/DPOP.md). Nothing comes from portcullis.

Every signature is deterministic, so the output is the same byte for byte on every run:

    python3 -m venv /tmp/dpopgen && /tmp/dpopgen/bin/pip install 'cryptography>=43'
    /tmp/dpopgen/bin/python tests/vectors/gen_dpop.py
"""

import base64
import hashlib
import hmac
import json
import os
import random
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "dpop.json")
NOW = 1750000000
URI = "https://api.example.com/orders"
TOKEN = "eyJhbGciOiJFUzI1NiJ9.dpop-vectors-access-token.c2lnbmF0dXJl"
NONCE_SECRET = "dpop-vectors-nonce-secret-0123456789abcdef"
NONCE_STEP = 300
NONCE_CONFIG = {"nonce": {"secret": NONCE_SECRET, "step_seconds": NONCE_STEP}}
CASES = []


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(value):
    return json.dumps(value, separators=(",", ":"))


def int_bytes(n, length=None):
    length = length or max(1, (n.bit_length() + 7) // 8)
    return n.to_bytes(length, "big")


# --- the RFC 9449 examples ------------------------------------------------------------------

# RFC 9449 section 4.1 (the DPoP header of the token request; also in section 5).
RFC_TOKEN_PROOF = (
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6Ik"
    "VDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCR"
    "nMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JE"
    "QSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIj"
    "oiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwia"
    "WF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4"
    "PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
)
RFC_TOKEN_IAT = 1562262616
# RFC 9449 section 7.1 (the DPoP header of the protected-resource request).
RFC_RESOURCE_PROOF = (
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6Ik"
    "VDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCR"
    "nMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JE"
    "QSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIj"
    "oiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0Z"
    "WRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNF"
    "c05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71E"
    "OptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA"
)
RFC_RESOURCE_IAT = 1562262618
RFC_RESOURCE_URI = "https://resource.example.org/protectedresource"
RFC_ACCESS_TOKEN = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
RFC_ATH = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"  # RFC 9449 section 7.1
RFC_JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"  # RFC 9449 section 6.1
RFC_JWK = {
    "kty": "EC",
    "x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
    "y": "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
    "crv": "P-256",
}
# RFC 7638 section 3.1.
RFC7638_JWK = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebW"
         "KRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQM"
         "icAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcR"
         "wr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def thumbprint(jwk):
    """RFC 7638: the required members in lexicographic order, compact JSON, SHA-256."""
    members = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"),
               "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    text = compact({m: jwk[m] for m in members})
    return b64u(hashlib.sha256(text.encode()).digest())


def ath(token):
    return b64u(hashlib.sha256(token.encode("ascii")).digest())


def nonce_at(now, secret=NONCE_SECRET, step_seconds=NONCE_STEP, offset=0):
    """The nonce scheme of docs/DPOP.md: base64url(be64(step) || HMAC-SHA256(secret, label ||
    be64(step))[:16]), step = floor(now / step_seconds)."""
    step = now // step_seconds + offset
    be = step.to_bytes(8, "big", signed=True)
    mac = hmac.new(secret.encode(), b"portcullis-dpop-nonce-v1\x00" + be, hashlib.sha256).digest()
    return b64u(be + mac[:16])


assert thumbprint(RFC_JWK) == RFC_JKT
assert ath(RFC_ACCESS_TOKEN) == RFC_ATH
assert thumbprint(RFC7638_JWK) == RFC7638_THUMBPRINT

# --- keys (fixed, so every run writes the same file) ------------------------------------------

EC_KEYS = {
    "ES256": (ec.derive_private_key(int.from_bytes(hashlib.sha256(b"dpop es256").digest(), "big")
                                    % (2**255), ec.SECP256R1()), "P-256", 32, hashes.SHA256()),
    "ES384": (ec.derive_private_key(int.from_bytes(hashlib.sha384(b"dpop es384").digest(), "big")
                                    % (2**383), ec.SECP384R1()), "P-384", 48, hashes.SHA384()),
    "ES512": (ec.derive_private_key(int.from_bytes(hashlib.sha512(b"dpop es512").digest(), "big"),
                                    ec.SECP521R1()), "P-521", 66, hashes.SHA512()),
}
ED_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"dpop ed25519").digest())
OTHER_ED = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"dpop other").digest())

# RSA: a 2048-bit key from primes drawn by a seeded generator (Miller-Rabin by hand), so it is
# the same on every run.
def _probable_prime(n, rng):
    if n % 2 == 0:
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


def _seeded_prime(seed, bits=1024):
    rng = random.Random(seed)
    while True:
        c = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if c % 65537 != 1 and _probable_prime(c, rng):
            return c


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_p, _q = _seeded_prime("dpop rsa p"), _seeded_prime("dpop rsa q")
_n = _p * _q
_d = pow(65537, -1, (_p - 1) * (_q - 1))
RSA_KEY = rsa.RSAPrivateNumbers(
    _p, _q, _d, rsa.rsa_crt_dmp1(_d, _p), rsa.rsa_crt_dmq1(_d, _q),
    rsa.rsa_crt_iqmp(_p, _q), rsa.RSAPublicNumbers(65537, _n)).private_key()
assert _n.bit_length() == 2048
RSA_P, RSA_Q = b64u(int_bytes(_p)), b64u(int_bytes(_q))


def public_jwk(key):
    """The public JWK of a cryptography private key, members written by hand."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        from cryptography.hazmat.primitives import serialization
        raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw)}
    if isinstance(key, rsa.RSAPrivateKey):
        pub = key.public_key().public_numbers()
        return {"kty": "RSA", "n": b64u(int_bytes(pub.n)), "e": b64u(int_bytes(pub.e))}
    for _alg, (k, crv, width, _h) in EC_KEYS.items():
        if k is key:
            pub = key.public_key().public_numbers()
            return {"kty": "EC", "crv": crv, "x": b64u(int_bytes(pub.x, width)),
                    "y": b64u(int_bytes(pub.y, width))}
    raise ValueError("unknown key")


def pss_sign(message, salt=b"\x5a" * 32):
    """RSASSA-PSS with SHA-256, MGF1-SHA-256 and a fixed 32-byte salt (RFC 8017 9.1.1, 8.1.1),
    by hand: cryptography always draws a random salt."""
    em_bits = _n.bit_length() - 1
    em_len = (em_bits + 7) // 8
    m_hash = hashlib.sha256(message).digest()
    h = hashlib.sha256(b"\x00" * 8 + m_hash + salt).digest()
    db = b"\x00" * (em_len - len(salt) - len(h) - 2) + b"\x01" + salt
    mask = b""
    counter = 0
    while len(mask) < len(db):
        mask += hashlib.sha256(h + counter.to_bytes(4, "big")).digest()
        counter += 1
    masked = bytes(a ^ b for a, b in zip(db, mask))
    masked = bytes([masked[0] & (0xFF >> (8 * em_len - em_bits))]) + masked[1:]
    em = masked + h + b"\xbc"
    sig = pow(int.from_bytes(em, "big"), _d, _n).to_bytes((_n.bit_length() + 7) // 8, "big")
    # Checked by cryptography's own PSS verification.
    RSA_KEY.public_key().verify(sig, message, padding.PSS(padding.MGF1(hashes.SHA256()), 32),
                                hashes.SHA256())
    return sig


def sign_with(alg, key, message):
    if alg == "EdDSA":
        return key.sign(message)
    if alg in EC_KEYS:
        k, _crv, width, h = EC_KEYS[alg]
        der = k.sign(message, ec.ECDSA(h, deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return int_bytes(r, width) + int_bytes(s, width)
    if alg == "RS256":
        return key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    if alg == "PS256":
        return pss_sign(message)
    raise ValueError(alg)


KEYS = {"EdDSA": ED_KEY, "RS256": RSA_KEY, "PS256": RSA_KEY,
        **{alg: k for alg, (k, _c, _w, _h) in EC_KEYS.items()}}


def claims(jti, **extra):
    c = {"jti": jti, "htm": "GET", "htu": URI, "iat": NOW}
    c.update(extra)
    return {k: v for k, v in c.items() if v is not ...}


def proof(jti=None, alg="EdDSA", header=None, payload=None, key=None, jwk=None,
          raw_header=None, raw_payload=None, signer=None, **claim_extra):
    """A compact JWS: header {typ, alg, jwk} (overridable; `...` removes a member), payload the
    claims (or raw bytes), signed by `signer` (default the key of `alg`)."""
    key = key or KEYS[alg]
    hdr = {"typ": "dpop+jwt", "alg": alg, "jwk": jwk if jwk is not None else public_jwk(key)}
    hdr.update(header or {})
    hdr = {k: v for k, v in hdr.items() if v is not ...}
    h = raw_header if raw_header is not None else compact(hdr).encode()
    if raw_payload is not None:
        p = raw_payload
    else:
        p = compact(payload if payload is not None else claims(jti, **claim_extra)).encode()
    signing_input = (b64u(h) + "." + b64u(p)).encode()
    sig = (signer or (lambda m: sign_with(alg, key, m)))(signing_input)
    return signing_input.decode() + "." + b64u(sig)


def ok_proof(jti, alg="EdDSA", iat=NOW, nonce=None, key=None):
    key = key or KEYS[alg]
    return {"ok": {"thumbprint": thumbprint(public_jwk(key)), "jti": jti, "iat": iat,
                   "algorithm": alg, "nonce": nonce}}


def err(code):
    return {"error": code}


def verify(prf, expect, method="GET", uri=URI, now=NOW, token=None):
    step = {"op": "verify", "proof": prf, "method": method, "uri": uri, "now": now}
    if token is not None:
        step["access_token"] = token
    step["expect"] = expect
    return step


def verify_request(request, expect, now=NOW, token=None, origin=None):
    step = {"op": "verify_request", "request": request, "now": now}
    if token is not None:
        step["access_token"] = token
    if origin is not None:
        step["origin"] = origin
    step["expect"] = expect
    return step


def add(id_, source, steps, config=None):
    CASES.append({"id": id_, "source": source, "config": config or {}, "steps": steps})


INVALID, MISMATCH = err("dpop_proof_invalid"), err("dpop_proof_mismatch")
STALE, REPLAYED = err("dpop_proof_stale"), err("dpop_proof_replayed")
NONCE, MISSING = err("dpop_nonce_required"), err("dpop_proof_missing")
R9449 = "RFC 9449 4.3"

# --- RFC examples ---------------------------------------------------------------------------

rfc_ok = {"ok": {"thumbprint": RFC_JKT, "jti": "-BwC3ESc6acc2lTc", "iat": RFC_TOKEN_IAT,
                 "algorithm": "ES256", "nonce": None}}
rfc_res_ok = {"ok": {"thumbprint": RFC_JKT, "jti": "e1j3V_bKic8-LAEB", "iat": RFC_RESOURCE_IAT,
                     "algorithm": "ES256", "nonce": None}}
TOKEN_URI = "https://server.example.com/token"
add("rfc9449-token-proof-then-replay", "RFC 9449 4.1 (token request proof), 11.1", [
    verify(RFC_TOKEN_PROOF, rfc_ok, "POST", TOKEN_URI, RFC_TOKEN_IAT),
    verify(RFC_TOKEN_PROOF, REPLAYED, "POST", TOKEN_URI, RFC_TOKEN_IAT),
])
add("rfc9449-token-proof-normalised-uri", "RFC 9449 4.1, 4.3 (htu normalised, RFC 3986 6.2)", [
    verify(RFC_TOKEN_PROOF, rfc_ok, "POST", "HTTPS://Server.Example.COM:443/token?code=1#f",
           RFC_TOKEN_IAT + 60),
])
add("rfc9449-token-proof-request", "RFC 9449 4.1 (the token request as a Request)", [
    verify_request({"method": "POST", "target": "/token",
                    "headers": [["Host", "server.example.com"],
                                ["Content-Type", "application/x-www-form-urlencoded"],
                                ["DPoP", RFC_TOKEN_PROOF]]}, rfc_ok, RFC_TOKEN_IAT),
])
add("rfc9449-token-proof-get", "RFC 9449 4.1, 4.3 step 8 (htm)", [
    verify(RFC_TOKEN_PROOF, MISMATCH, "GET", TOKEN_URI, RFC_TOKEN_IAT)])
add("rfc9449-token-proof-other-uri", "RFC 9449 4.1, 4.3 step 9 (htu)", [
    verify(RFC_TOKEN_PROOF, MISMATCH, "POST", "https://server.example.com/authorize",
           RFC_TOKEN_IAT)])
add("rfc9449-token-proof-late", "RFC 9449 4.1, 4.3 step 11 (iat older than 300 s)", [
    verify(RFC_TOKEN_PROOF, STALE, "POST", TOKEN_URI, RFC_TOKEN_IAT + 301)])
add("rfc9449-token-proof-early", "RFC 9449 4.1, 4.3 step 11 (iat in the future)", [
    verify(RFC_TOKEN_PROOF, STALE, "POST", TOKEN_URI, RFC_TOKEN_IAT - 6)])
add("rfc9449-token-proof-nonce-required", "RFC 9449 4.1, 8 (the server asks for a nonce)", [
    verify(RFC_TOKEN_PROOF, NONCE, "POST", TOKEN_URI, RFC_TOKEN_IAT)], NONCE_CONFIG)
add("rfc9449-token-proof-es256-not-allowed", "RFC 9449 4.1, 4.3 step 5 (alg allowlist)", [
    verify(RFC_TOKEN_PROOF, INVALID, "POST", TOKEN_URI, RFC_TOKEN_IAT)],
    {"algorithms": ["EdDSA", "PS256"]})
add("rfc9449-resource-proof", "RFC 9449 7.1 (ath of the access token)", [
    verify(RFC_RESOURCE_PROOF, rfc_res_ok, "GET", RFC_RESOURCE_URI, RFC_RESOURCE_IAT,
           RFC_ACCESS_TOKEN),
    verify(RFC_RESOURCE_PROOF, REPLAYED, "GET", RFC_RESOURCE_URI, RFC_RESOURCE_IAT,
           RFC_ACCESS_TOKEN),
])
add("rfc9449-resource-proof-other-token", "RFC 9449 7.1, 4.3 step 12 (ath)", [
    verify(RFC_RESOURCE_PROOF, MISMATCH, "GET", RFC_RESOURCE_URI, RFC_RESOURCE_IAT, TOKEN)])
add("rfc9449-resource-proof-without-token", "RFC 9449 7.1 (ath is ignored without a token)", [
    verify(RFC_RESOURCE_PROOF, rfc_res_ok, "GET", RFC_RESOURCE_URI, RFC_RESOURCE_IAT)])
add("rfc9449-resource-proof-authorization-dpop", "RFC 9449 7.1 (the request of Figure 13)", [
    verify_request({"method": "GET", "target": "/protectedresource",
                    "headers": [["Host", "resource.example.org"],
                                ["Authorization", "DPoP " + RFC_ACCESS_TOKEN],
                                ["DPoP", RFC_RESOURCE_PROOF]]}, rfc_res_ok, RFC_RESOURCE_IAT,
                   RFC_ACCESS_TOKEN)])
add("rfc9449-jkt", "RFC 9449 6.1 (jkt of the example key)", [
    {"op": "thumbprint", "jwk": RFC_JWK, "expect": {"ok": {"thumbprint": RFC_JKT}}}])
add("rfc7638-thumbprint", "RFC 7638 3.1", [
    {"op": "thumbprint", "jwk": RFC7638_JWK, "expect": {"ok": {"thumbprint": RFC7638_THUMBPRINT}}}])

# --- accepted proofs -------------------------------------------------------------------------

for alg in ("ES256", "ES384", "ES512", "EdDSA", "RS256", "PS256"):
    add("ok-%s" % alg.lower(), "RFC 9449 4.2 (%s)" % alg,
        [verify(proof("ok-" + alg, alg), ok_proof("ok-" + alg, alg))])
add("ok-ed25519-fully-specified", "RFC 9864 2.2 (Ed25519, the fully-specified EdDSA name)",
    [verify(proof("fully-specified", header={"alg": "Ed25519"}), ok_proof("fully-specified"))])
add("ok-typ-case", "RFC 9449 4.2, RFC 7515 4.1.9 (media types compare case-insensitively)",
    [verify(proof("typ-case", header={"typ": "DPoP+JWT"}), ok_proof("typ-case"))])
add("ok-extra-members", "RFC 9449 4.2 (other header members and claims are ignored)",
    [verify(proof("extra", header={"kid": "k1"}, exp=NOW + 60, foo={"bar": [1]}),
            ok_proof("extra"))])
add("ok-ath", "RFC 9449 4.2, 7 (ath of the token presented)",
    [verify(proof("ath-ok", ath=ath(TOKEN)), ok_proof("ath-ok"), token=TOKEN)])
add("ok-ath-ignored-without-token", "RFC 9449 4.3 step 12 applies only with a token",
    [verify(proof("ath-ignored", ath="not-the-hash"), ok_proof("ath-ignored"))])
add("ok-iat-oldest", "RFC 9449 4.3 step 11 (iat = now - max_age_seconds)",
    [verify(proof("oldest", iat=NOW - 300), ok_proof("oldest", iat=NOW - 300))])
add("ok-iat-latest", "RFC 9449 4.3 step 11 (iat = now + leeway_seconds)",
    [verify(proof("latest", iat=NOW + 5), ok_proof("latest", iat=NOW + 5))])
add("ok-max-age-config", "docs/DPOP.md max_age_seconds",
    [verify(proof("age-60", iat=NOW - 60), ok_proof("age-60", iat=NOW - 60))],
    {"max_age_seconds": 60})
for i, (htu, source) in enumerate([
    ("https://api.example.com:443/orders", "default port removed (RFC 3986 6.2.3)"),
    ("HTTPS://API.Example.COM/orders", "scheme and host case (RFC 3986 6.2.2.1)"),
    ("https://api.example.com/orders?page=2", "query ignored (RFC 9449 4.2)"),
    ("https://api.example.com/orders#top", "fragment ignored (RFC 9449 4.2)"),
    ("https://api.example.com/%6Frders", "unreserved escape decoded (RFC 3986 6.2.2.2)"),
    ("https://api.example.com/v1/../orders", "dot segments removed (RFC 3986 6.2.2.3)"),
]):
    jti = "htu-norm-%d" % i
    add("ok-htu-%d" % i, "RFC 9449 4.3 step 9: " + source,
        [verify(proof(jti, htu=htu), ok_proof(jti))])
add("ok-uri-normalised", "RFC 9449 4.3 step 9 (the request URI is normalised too)",
    [verify(proof("uri-norm"), ok_proof("uri-norm"), uri="https://API.example.com:443/orders?x=1")])
add("ok-nonce-current", "RFC 9449 8 (the current nonce)",
    [{"op": "nonce", "now": NOW, "expect": {"ok": {"nonce": nonce_at(NOW)}}},
     verify(proof("nonce-cur", nonce=nonce_at(NOW)), ok_proof("nonce-cur", nonce=nonce_at(NOW)))],
    NONCE_CONFIG)
add("ok-nonce-previous-step", "docs/DPOP.md (a nonce is accepted during the next step too)",
    [verify(proof("nonce-prev", nonce=nonce_at(NOW, offset=-1)),
            ok_proof("nonce-prev", nonce=nonce_at(NOW, offset=-1)))], NONCE_CONFIG)
add("ok-nonce-rotation", "docs/DPOP.md (steps of step_seconds)",
    [{"op": "nonce", "now": 1749999900, "expect": {"ok": {"nonce": nonce_at(1749999900)}}},
     {"op": "nonce", "now": 1750000199, "expect": {"ok": {"nonce": nonce_at(1749999900)}}},
     {"op": "nonce", "now": 1750000200, "expect": {"ok": {"nonce": nonce_at(1750000200)}}},
     {"op": "nonce", "now": 0, "expect": {"ok": {"nonce": nonce_at(0)}}}], NONCE_CONFIG)
add("ok-nonce-ignored-unconfigured", "RFC 9449 8 (a nonce nobody asked for is carried back)",
    [{"op": "nonce", "now": NOW, "expect": {"ok": {"nonce": None}}},
     verify(proof("nonce-free", nonce="any"), ok_proof("nonce-free", nonce="any"))])
add("ok-algs", "RFC 9449 7.1 (the algs challenge parameter)",
    [{"op": "algs", "expect": {"ok": {
        "algs": "ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"}}}])
add("ok-algs-configured", "RFC 9449 7.1 (algs in configuration order)",
    [{"op": "algs", "expect": {"ok": {"algs": "EdDSA ES256"}}},
     verify(proof("algs-ed"), ok_proof("algs-ed"))], {"algorithms": ["EdDSA", "ES256"]})

# --- requests --------------------------------------------------------------------------------

def req(prf, target="/orders", host="api.example.com", extra=(), **kw):
    headers = ([["Host", host]] if host else []) + [list(h) for h in extra]
    if prf is not None:
        headers.append(["DPoP", prf])
    out = {"method": kw.pop("method", "GET"), "target": target, "headers": headers}
    out.update(kw)
    return out


add("request-ok-query-ignored", "RFC 9449 4.3 step 9 (the request's query is not in htu)",
    [verify_request(req(proof("rq-1"), "/orders?page=2"), ok_proof("rq-1"))])
add("request-ok-ath", "RFC 9449 7 (token and proof in one request)",
    [verify_request(req(proof("rq-2", ath=ath(TOKEN)),
                        extra=[("Authorization", "DPoP " + TOKEN)]), ok_proof("rq-2"),
                    token=TOKEN)])
add("request-ok-origin", "docs/DPOP.md (behind a proxy, the public origin is configured)",
    [verify_request(req(proof("rq-3"), host="10.0.0.7:8080"), ok_proof("rq-3"),
                    origin="https://api.example.com")])
add("request-ok-absolute-form", "RFC 9112 3.2.2 (an absolute-form target)",
    [verify_request(req(proof("rq-4"), "https://api.example.com/orders", host=None),
                    ok_proof("rq-4"))])
add("request-replay", "RFC 9449 11.1 (the same request twice)",
    [verify_request(req(proof("rq-5")), ok_proof("rq-5")),
     verify_request(req(proof("rq-5")), REPLAYED)])
add("request-no-dpop-header", "RFC 9449 7.1 (a DPoP request without its proof)",
    [verify_request(req(None), MISSING)])
add("request-two-dpop-headers", "RFC 9449 4.3 step 1 (exactly one DPoP header)",
    [verify_request(req(proof("rq-6"), extra=[("DPoP", proof("rq-7"))]), MISSING)])
add("request-no-host", "docs/DPOP.md (no Host and no origin: no URI to compare)",
    [verify_request(req(proof("rq-8"), host=None), MISMATCH)])
add("request-behind-proxy-without-origin", "RFC 9449 4.3 step 9 (internal Host)",
    [verify_request(req(proof("rq-9"), host="10.0.0.7:8080"), MISMATCH)])
add("request-http-scheme", "RFC 9449 4.3 step 9 (the request arrived over http)",
    [verify_request(req(proof("rq-10"), scheme="http"), MISMATCH)])
add("request-wrong-method", "RFC 9449 4.3 step 8",
    [verify_request(req(proof("rq-11"), method="DELETE"), MISMATCH)])
add("request-ath-missing", "RFC 9449 7 (a token presented, no ath)",
    [verify_request(req(proof("rq-12")), MISMATCH, token=TOKEN)])

# --- refusals: shape and JSON ------------------------------------------------------------------

good = proof("shape")
h_seg, p_seg, s_seg = good.split(".")
add("shape-empty", R9449 + " step 2 (not a JWS)", [verify("", INVALID)])
add("shape-two-segments", R9449 + " step 2", [verify(h_seg + "." + p_seg, INVALID)])
add("shape-four-segments", R9449 + " step 2", [verify(good + "." + s_seg, INVALID)])
add("shape-padded-base64url", "RFC 7515 2 (base64url without padding)",
    [verify(h_seg + "=." + p_seg + "." + s_seg, INVALID)])
add("shape-standard-base64", "RFC 7515 2 (the URL alphabet only)",
    [verify(good.replace("-", "+").replace("_", "/") if ("-" in good or "_" in good)
            else "+" + good, INVALID)])
# A final character whose unused bits are set: the same bytes, not the canonical text.
last = p_seg[-1]
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
assert len(p_seg) % 4 in (2, 3), "the payload segment must end in a partial group"
bumped = alphabet[alphabet.index(last) + 1]
add("shape-noncanonical-base64url", "RFC 7515 2, RFC 4648 3.5 (non-zero trailing bits)",
    [verify(h_seg + "." + p_seg[:-1] + bumped + "." + s_seg, INVALID)])
add("shape-oversize", "docs/DPOP.md max_proof_bytes",
    [verify(proof("big", pad="x" * 300), INVALID)], {"max_proof_bytes": 256})
add("shape-header-not-json", R9449 + " step 3",
    [verify(proof("hnj", raw_header=b"{typ: dpop+jwt}"), INVALID)])
add("shape-header-array", R9449 + " step 3",
    [verify(proof("harr", raw_header=b"[\"dpop+jwt\"]"), INVALID)])
add("shape-payload-not-object", R9449 + " step 3",
    [verify(proof("pno", raw_payload=b"[1,2]"), INVALID)])
jwk_text = compact(public_jwk(ED_KEY))
add("json-duplicate-header-member", "RFC 7515 5.2 (duplicate members refused)",
    [verify(proof("dup-h", raw_header=('{"typ":"dpop+jwt","alg":"EdDSA","alg":"EdDSA","jwk":%s}'
                                       % jwk_text).encode()), INVALID)])
add("json-duplicate-claim", "RFC 7519 4 (duplicate claims refused)",
    [verify(proof(raw_payload=('{"jti":"a","jti":"b","htm":"GET","htu":"%s","iat":%d}'
                               % (URI, NOW)).encode()), INVALID)])
add("json-duplicate-jwk-member", "RFC 7515 5.2 (at any depth)",
    [verify(proof("dup-jwk", raw_header=('{"typ":"dpop+jwt","alg":"EdDSA","jwk":%s}'
                                         % (jwk_text[:-1] + ',"kty":"OKP"}')).encode()),
            INVALID)])

# --- refusals: header --------------------------------------------------------------------------

add("typ-missing", R9449 + " step 4", [verify(proof("t1", header={"typ": ...}), INVALID)])
add("typ-jwt", R9449 + " step 4", [verify(proof("t2", header={"typ": "JWT"}), INVALID)])
add("typ-at-jwt", R9449 + " step 4", [verify(proof("t3", header={"typ": "at+jwt"}), INVALID)])
add("typ-not-string", R9449 + " step 4", [verify(proof("t4", header={"typ": 1}), INVALID)])
add("alg-none", R9449 + " step 5 (none)",
    [verify(proof("a1", header={"alg": "none"}, signer=lambda m: b""), INVALID)])
add("alg-none-upper", R9449 + " step 5 (none in any spelling)",
    [verify(proof("a2", header={"alg": "NONE"}, signer=lambda m: b""), INVALID)])
hs_secret = hashlib.sha256(b"dpop hs256").digest()
add("alg-hs256", R9449 + " step 5 (symmetric)",
    [verify(proof("a3", header={"alg": "HS256"},
                  signer=lambda m: hmac.new(hs_secret, m, hashlib.sha256).digest()), INVALID)])
add("alg-hs256-oct-jwk", R9449 + " steps 5-6 (symmetric alg and key)",
    [verify(proof("a4", header={"alg": "HS256"}, jwk={"kty": "oct", "k": b64u(hs_secret)},
                  signer=lambda m: hmac.new(hs_secret, m, hashlib.sha256).digest()), INVALID)])
add("alg-unknown", R9449 + " step 5 (ES256K)",
    [verify(proof("a5", header={"alg": "ES256K"}), INVALID)])
add("alg-not-allowed", R9449 + " step 5 (allowlist)",
    [verify(proof("a6"), INVALID)], {"algorithms": ["ES256"]})
add("alg-not-jwk", R9449 + " step 6 (alg ES256, Ed25519 jwk)",
    [verify(proof("a7", header={"alg": "ES256"}), INVALID)])
add("alg-ed25519-ec-key", "RFC 9864 2.2 (Ed25519 needs an Ed25519 key)",
    [verify(proof("a9", header={"alg": "Ed25519"}, jwk=public_jwk(EC_KEYS["ES256"][0])), INVALID)])
add("alg-ed25519-not-allowed", "RFC 9864 2.2 (Ed25519 is EdDSA for the allowlist)",
    [verify(proof("a10", header={"alg": "Ed25519"}), INVALID)], {"algorithms": ["ES256"]})
add("alg-rs256-pss-signature", "RFC 7518 3.3 / 3.5 (a PSS signature under RS256)",
    [verify(proof("a8", "RS256", signer=pss_sign), INVALID)])
add("crit-present", "RFC 7515 4.1.11 (no extension is understood)",
    [verify(proof("c1", header={"crit": ["exp"], "exp": NOW}), INVALID)])
add("crit-empty", "RFC 7515 4.1.11 (an empty crit is refused)",
    [verify(proof("c2", header={"crit": []}), INVALID)])
add("jwk-missing", R9449 + " step 6", [verify(proof("k1", header={"jwk": ...}), INVALID)])
add("jwk-not-object", R9449 + " step 6",
    [verify(proof("k2", header={"jwk": thumbprint(public_jwk(ED_KEY))}), INVALID)])
add("jwk-oct", R9449 + " step 6 (a symmetric key)",
    [verify(proof("k3", header={"jwk": {"kty": "oct", "k": b64u(hs_secret)}}), INVALID)])
ed_private = dict(public_jwk(ED_KEY),
                  d=b64u(hashlib.sha256(b"dpop ed25519").digest()))
add("jwk-private-okp", R9449 + " step 6 (the private key in the header)",
    [verify(proof("k4", jwk=ed_private), INVALID)])
es_key = EC_KEYS["ES256"][0]
es_private = dict(public_jwk(es_key), d=b64u(int_bytes(es_key.private_numbers().private_value, 32)))
add("jwk-private-ec", R9449 + " step 6 (d in an EC jwk)",
    [verify(proof("k5", "ES256", jwk=es_private), INVALID)])
add("jwk-private-rsa-members", R9449 + " step 6 (p and q in an RSA jwk)",
    [verify(proof("k6", "RS256", jwk=dict(public_jwk(RSA_KEY), p=RSA_P, q=RSA_Q)), INVALID)])
add("jwk-wrong-curve", R9449 + " step 6 (alg ES256, a P-384 key)",
    [verify(proof("k7", "ES256", jwk=public_jwk(EC_KEYS["ES384"][0])), INVALID)])
add("jwk-alg-member-differs", "RFC 7517 4.4 (the jwk's own alg)",
    [verify(proof("k8", jwk=dict(public_jwk(ED_KEY), alg="ES256")), INVALID)])
add("jwk-use-enc", "RFC 7517 4.2 (an encryption key)",
    [verify(proof("k9", jwk=dict(public_jwk(ED_KEY), use="enc")), INVALID)])
add("jwk-padded-member", "RFC 7518 6 (base64url members without padding)",
    [verify(proof("k10", jwk={"kty": "OKP", "crv": "Ed25519",
                              "x": public_jwk(ED_KEY)["x"] + "="}), INVALID)])
add("jwk-ed25519-small-order", "docs/SECURITY.md (a small-order Ed25519 point)",
    [verify(proof("k11", jwk={"kty": "OKP", "crv": "Ed25519", "x": b64u(b"\x01" + b"\x00" * 31)}),
            INVALID)])
add("jwk-ec-short-coordinate", "RFC 7518 6.2.1.2 (x of the curve's width)",
    [verify(proof("k12", "ES256", jwk=dict(public_jwk(es_key),
                                           x=public_jwk(es_key)["x"][:-2])), INVALID)])

# --- refusals: signature -------------------------------------------------------------------------

bad_sig = bytearray(base64.urlsafe_b64decode(s_seg + "=" * (-len(s_seg) % 4)))
bad_sig[5] ^= 1
add("sig-flipped-bit", R9449 + " step 7", [verify(h_seg + "." + p_seg + "." + b64u(bad_sig),
                                                  INVALID)])
add("sig-empty", R9449 + " step 7", [verify(h_seg + "." + p_seg + ".", INVALID)])
add("sig-other-key", R9449 + " step 7 (signed by a key other than its jwk)",
    [verify(proof("s1", signer=OTHER_ED.sign), INVALID)])
add("sig-ecdsa-der", "RFC 7518 3.4 (r || s, not DER)",
    [verify(proof("s2", "ES256", signer=lambda m: es_key.sign(
        m, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))), INVALID)])
add("sig-payload-changed", R9449 + " step 7 (claims edited after signing)",
    [verify(h_seg + "." + b64u(compact(claims("shape", htm="POST")).encode()) + "." + s_seg,
            INVALID)])

# --- refusals: claims ----------------------------------------------------------------------------

for name in ("jti", "htm", "htu", "iat"):
    add("claim-%s-missing" % name, R9449 + " step 4 (required claims)",
        [verify(proof(payload={k: v for k, v in claims("m-" + name).items() if k != name}),
                INVALID)])
for name, value in (("jti", 7), ("htm", ["GET"]), ("htu", {"uri": URI}), ("iat", str(NOW))):
    add("claim-%s-type" % name, R9449 + " step 4 (claim types)",
        [verify(proof(payload=dict(claims("t-" + name), **{name: value})), INVALID)])
add("claim-jti-empty", "RFC 9449 4.2 (jti identifies the proof)",
    [verify(proof(""), INVALID)])
add("claim-jti-too-long", "docs/DPOP.md (jti of at most 256 characters)",
    [verify(proof("j" * 257), INVALID)])
add("claim-iat-fraction", "RFC 7519 2 (docs/DPOP.md: an integer NumericDate)",
    [verify(proof("frac", iat=NOW + 0.5), INVALID)])
add("claim-iat-negative", "RFC 7519 2 (NumericDate)",
    [verify(proof("neg", iat=-1), INVALID)])
add("claim-nonce-type", "RFC 9449 4.2 (nonce is a string)",
    [verify(proof("nt", nonce=5), INVALID)], NONCE_CONFIG)
add("claim-ath-type", "RFC 9449 4.2 (ath is a string)",
    [verify(proof("at", ath=[ath(TOKEN)]), INVALID)], None)

# --- refusals: the request -----------------------------------------------------------------------

add("htm-lowercase", R9449 + " step 8 (methods are case-sensitive)",
    [verify(proof("hm1", htm="get"), MISMATCH)])
add("htm-other", R9449 + " step 8", [verify(proof("hm2", htm="POST"), MISMATCH)])
for i, htu in enumerate(["https://other.example.com/orders", "https://api.example.com/refunds",
                         "http://api.example.com/orders", "https://api.example.com:8443/orders",
                         "https://api.example.com/orders/", "https://api.example.com/Orders",
                         "/orders", "https://user@api.example.com/orders"]):
    add("htu-mismatch-%d" % i, R9449 + " step 9 (%s)" % htu,
        [verify(proof("hu%d" % i, htu=htu), MISMATCH)])
add("ath-wrong", R9449 + " step 12", [verify(proof("ath1", ath=ath("another token")), MISMATCH,
                                             token=TOKEN)])
add("ath-missing-with-token", R9449 + " step 12", [verify(proof("ath2"), MISMATCH, token=TOKEN)])
add("ath-plain-token", R9449 + " step 12 (the token itself is not its hash)",
    [verify(proof("ath3", ath=TOKEN), MISMATCH, token=TOKEN)])

# --- refusals: time and nonce --------------------------------------------------------------------

add("iat-old", R9449 + " step 11", [verify(proof("i1", iat=NOW - 301), STALE)])
add("iat-future", R9449 + " step 11", [verify(proof("i2", iat=NOW + 6), STALE)])
add("iat-old-with-nonce", "RFC 9449 11.1 (iat is checked with a nonce too)",
    [verify(proof("i3", iat=NOW - 301, nonce=nonce_at(NOW)), STALE)], NONCE_CONFIG)
add("iat-future-with-nonce", "RFC 9449 11.1",
    [verify(proof("i4", iat=NOW + 60, nonce=nonce_at(NOW)), STALE)], NONCE_CONFIG)
add("iat-leeway-zero", "docs/DPOP.md leeway_seconds",
    [verify(proof("i5", iat=NOW + 1), STALE)], {"leeway_seconds": 0})
add("nonce-missing", "RFC 9449 8 (use_dpop_nonce)", [verify(proof("n1"), NONCE)], NONCE_CONFIG)
add("nonce-wrong", "RFC 9449 8", [verify(proof("n2", nonce="bm9wZQ"), NONCE)], NONCE_CONFIG)
add("nonce-two-steps-ago", "docs/DPOP.md (own step and the next only)",
    [verify(proof("n3", nonce=nonce_at(NOW, offset=-2)), NONCE)], NONCE_CONFIG)
add("nonce-next-step", "docs/DPOP.md (a nonce from the future)",
    [verify(proof("n4", nonce=nonce_at(NOW, offset=1)), NONCE)], NONCE_CONFIG)
add("nonce-other-secret", "docs/DPOP.md (nonces are MACs)",
    [verify(proof("n5", nonce=nonce_at(NOW, secret="another-nonce-secret-0123456789abcdef")),
            NONCE)], NONCE_CONFIG)
add("nonce-truncated", "docs/DPOP.md", [verify(proof("n6", nonce=nonce_at(NOW)[:-1]), NONCE)],
    NONCE_CONFIG)

# --- replay ----------------------------------------------------------------------------------------

add("replay-same-proof", "RFC 9449 11.1",
    [verify(proof("r1"), ok_proof("r1")), verify(proof("r1"), REPLAYED)])
add("replay-same-jti-new-proof", "RFC 9449 11.1 (the jti, not the bytes)",
    [verify(proof("r2"), ok_proof("r2")),
     verify(proof("r2", iat=NOW - 1), REPLAYED)])
add("replay-other-key-same-jti", "docs/DPOP.md (ids are per key)",
    [verify(proof("r3"), ok_proof("r3")), verify(proof("r3", "ES256"), ok_proof("r3", "ES256"))])
add("replay-refusal-spends-nothing", "docs/DPOP.md (the jti is recorded last)",
    [verify(proof("r4"), MISMATCH, method="POST"),
     verify(proof("r4"), STALE, now=NOW + 400),
     verify(proof("r4"), ok_proof("r4"))])
add("replay-nonce-refusal-spends-nothing", "docs/DPOP.md (the jti is recorded last)",
    [verify(proof("r5"), NONCE), verify(proof("r5", nonce=nonce_at(NOW)),
                                        ok_proof("r5", nonce=nonce_at(NOW)))], NONCE_CONFIG)
add("replay-within-window", "docs/DPOP.md (kept until iat + max_age + leeway)",
    [verify(proof("r6"), ok_proof("r6")), verify(proof("r6"), REPLAYED, now=NOW + 300)])

# --- configuration ---------------------------------------------------------------------------------

for id_, config, code in [
    ("config-hs256", {"algorithms": ["HS256"]}, "config_invalid"),
    ("config-no-algorithms", {"algorithms": []}, "config_invalid"),
    ("config-max-age-zero", {"max_age_seconds": 0}, "config_invalid"),
    ("config-max-age-too-long", {"max_age_seconds": 3601}, "config_invalid"),
    ("config-leeway-too-long", {"leeway_seconds": 301}, "config_invalid"),
    ("config-nonce-short-secret", {"nonce": {"secret": "short"}}, "config_invalid"),
    ("config-nonce-step-short", {"nonce": {"secret": NONCE_SECRET, "step_seconds": 9}},
     "config_invalid"),
    ("config-unknown-field", {"max_age": 60}, "json_invalid"),
    ("config-alg-none", {"algorithms": ["none"]}, "json_invalid"),
]:
    add(id_, "docs/DPOP.md configuration", [{"op": "load", "expect": err(code)}], config)
add("config-defaults", "docs/DPOP.md configuration", [{"op": "load", "expect": {"ok": {}}}])


def main():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate ids"
    refusals = sum(1 for c in CASES if "error" in c["steps"][-1]["expect"])
    doc = {
        "description": "DPoP proofs (RFC 9449) at the resource server; format in DPOP.md. "
                       "Written by gen_dpop.py.",
        "cases": CASES,
    }
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("gen_dpop: %d cases (%d end in a refusal) -> %s" % (len(CASES), refusals, OUT))


if __name__ == "__main__":
    sys.exit(main())
