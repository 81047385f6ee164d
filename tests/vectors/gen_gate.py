#!/usr/bin/env python3
"""Writes gate.json: gate configurations, requests and the decisions the gate must give
(tests/vectors/GATE.md), read by all four runners.

An independent reference, not a copy of portcullis: API keys and their digests come from
zlib.crc32 and hmac, HS256 JWTs and webhook signatures from hmac/hashlib/base64/json, RS256 from
integer arithmetic over the RSA key of jwt.json, PCS1 signatures from gen_hmac.py; the ES256
token, password hashes and certificates are reused from jwt.json, basic.json and mtls/mtls.json,
whose generators made them with PyJWT, argon2-cffi/bcrypt and pyca/cryptography. Every expected
decision is computed by the reference gate in gate_ref.py (credential models in
gate_methods.py); a load error's detail is written here by hand (portcullis's wording), its line
and column computed from the text. Stdlib only; with the `jsonschema` package installed, every
configuration is also validated against docs/gate.schema.json.

    python3 tests/vectors/gen_gate.py
"""

import base64
import hashlib
import hmac
import json
import pathlib
import random
import sys
import tomllib

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))

import gate_cases  # noqa: E402
from gate_methods import B62, api_key, b64url, digest, pkcs1_sha256  # noqa: E402
from gate_ref import Gate  # noqa: E402

NOW = 1750000000
ISSUER = "https://issuer.example"


def b64(data):
    return base64.b64encode(data).decode()


SECRETS = {
    "pepper": "gate-vectors-pepper-0123456789abcdefABCDEF",
    "jwt": "gate-vectors-jwt-hs256-secret-0123456789",
    "whsec": "whsec_" + b64(bytes(range(0x10, 0x30))),
    "stripe": "whsec_gatevectorsstripesecret0123456789",
    "github": "gate-vectors-github-secret-0123456789",
    "pcs1": b64(bytes(range(0x20, 0x40))),
    "httpsig": b64(bytes(range(0x60, 0x80))),
    "short": "short-secret",
}

# ---------------------------------------------------------------- reused material


def load(name):
    return json.loads((HERE / name).read_text())


BASIC = {c["id"]: c for c in load("basic.json")["cases"]}["bcrypt-2y-ok"]["input"]["config"]
USERS = {"bob": BASIC["users"]["bob"], "alice": BASIC["users"]["alice"]}
# basic.json's generator hashed these passwords: bob bcrypt "hunter2", alice argon2id
# "correct horse".
PASSWORDS = {USERS["bob"]: "hunter2", USERS["alice"]: "correct horse"}

JWT_CASES = {c["id"]: c for c in load("jwt.json")["cases"]}
RSA_PRIVATE_PEM = JWT_CASES["sign-rs256"]["input"]["key"]["pem"]
RSA_PUBLIC_PEM = JWT_CASES["pyjwt-rs256"]["input"]["keys"][0]["pem"]
ES256 = JWT_CASES["pyjwt-es256"]
ES256_PEM = ES256["input"]["keys"][0]["pem"]
ES256_TOKEN = ES256["input"]["token"]

MTLS = {c["id"]: c for c in load("mtls/mtls.json")["cases"]}
ANCHORS = MTLS["spiffe-direct"]["input"]["config"]["trust_anchors"]
CERTS = {}  # name -> chain (base64 DER, leaf first)
MTLS_OUTCOMES = {}  # trust anchors -> chain -> ("ok", subject) | ("error", code)
for cid in ("spiffe-direct", "spiffe-via-intermediate", "untrusted-root", "expired"):
    c = MTLS[cid]
    assert c["input"]["config"] == {"trust_anchors": ANCHORS} and c["now"] == NOW, cid
    chain = tuple(c["input"]["chain_b64"])
    CERTS[cid] = list(chain)
    outcome = ("ok", c["expect"]["ok"]["subject"]) if "ok" in c["expect"] \
        else ("error", c["expect"]["error"])
    MTLS_OUTCOMES.setdefault(tuple(ANCHORS), {})[chain] = outcome


def thumbprint(cert_b64):
    """RFC 8705 x5t#S256 of a certificate."""
    return b64url(hashlib.sha256(base64.b64decode(cert_b64)).digest())


# ---------------------------------------------------------------- JWT


def der(data, i):
    """(tag, content, next offset) of the DER element at `i`."""
    tag, length, i = data[i], data[i + 1], i + 2
    if length & 0x80:
        n = length & 0x7F
        length, i = int.from_bytes(data[i:i + n], "big"), i + n
    return tag, data[i:i + length], i + length


def rsa_private_key(pem):
    """(n, d) of a PKCS#8 RSA private key."""
    body = "".join(line for line in pem.splitlines() if "-----" not in line)
    _, info, _ = der(base64.b64decode(body), 0)
    _, _, i = der(info, 0)  # version
    _, _, i = der(info, i)  # algorithm
    _, octets, _ = der(info, i)
    _, rsa, _ = der(octets, 0)
    ints, i = [], 0
    while i < len(rsa):
        _, value, i = der(rsa, i)
        ints.append(int.from_bytes(value, "big"))
    return ints[1], ints[3]


RSA_N, RSA_D = rsa_private_key(RSA_PRIVATE_PEM)
KNOWN_TOKENS = {}  # (public PEM, signing input) -> signature, for the reference's asymmetric keys


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def jwt(claims, alg="HS256", secret=SECRETS["jwt"], kid=None):
    header = {"alg": alg, "typ": "JWT"} if kid is None else {"alg": alg, "kid": kid, "typ": "JWT"}
    signing_input = f"{b64url(compact(header))}.{b64url(compact(claims))}".encode()
    if alg == "HS256":
        sig = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    elif alg == "RS256":
        k = (RSA_N.bit_length() + 7) // 8
        em = int.from_bytes(pkcs1_sha256(signing_input, k), "big")
        sig = pow(em, RSA_D, RSA_N).to_bytes(k, "big")
        KNOWN_TOKENS[(RSA_PUBLIC_PEM, signing_input)] = sig
    else:
        raise ValueError(alg)
    return f"{signing_input.decode()}.{b64url(sig)}"


# The reference signs RS256 as PyJWT did for jwt.json's sign-rs256.
assert jwt(JWT_CASES["sign-rs256"]["input"]["claims"], "RS256", kid="k1") == \
    JWT_CASES["sign-rs256"]["expect"]["ok"]["token"]
_es_head, _es_claims, _es_sig = ES256_TOKEN.split(".")
KNOWN_TOKENS[(ES256_PEM, f"{_es_head}.{_es_claims}".encode())] = \
    base64.urlsafe_b64decode(_es_sig + "=" * (-len(_es_sig) % 4))


def token(sub="alice", scope="orders:read", **claims):
    base = {"sub": sub, "iss": ISSUER, "aud": "api", "exp": NOW + 600, "iat": NOW - 10,
            "scope": scope}
    base.update(claims)
    return jwt({k: v for k, v in base.items() if v is not None})


# ---------------------------------------------------------------- API keys

rng = random.Random(20260601)


def new_key(prefix="pc", env="live"):
    return api_key("".join(rng.choice(B62) for _ in range(30)), prefix, env)


def record(key, key_id, subject, scopes, **fields):
    r = {"key_id": key_id, "digest": digest(SECRETS["pepper"], key), "prefix": "pc",
         "environment": "live", "subject": subject, "scopes": scopes, "created_at": NOW - 86400,
         "expires_at": None, "revoked_at": None, "successor": None, "metadata": {}}
    r.update(fields)
    return r


KEYS = {name: new_key() for name in ("a", "b", "c", "revoked", "expired", "unknown")}
KEYS["test"] = new_key(env="test")
KEYS["other"] = new_key(prefix="gh")
KEYS["typo"] = KEYS["a"][:12] + ("x" if KEYS["a"][12] != "x" else "y") + KEYS["a"][13:]
RECORDS = [
    record(KEYS["a"], "ak_a", "svc-a", ["orders:read"]),
    record(KEYS["b"], "ak_b", "svc-b", ["orders:read", "orders:write"]),
    record(KEYS["c"], "ak_c", "svc-c", ["reports:read"]),
    record(KEYS["revoked"], "ak_revoked", "svc-old", ["orders:read"], revoked_at=NOW - 60),
    record(KEYS["expired"], "ak_expired", "svc-exp", ["orders:read"], expires_at=NOW - 1),
]


# ---------------------------------------------------------------- cases

CONFIGS = {}
CASES = []


def model(config):
    return Gate(json.loads(json.dumps(config)), SECRETS, PASSWORDS, KNOWN_TOKENS, MTLS_OUTCOMES)


def request(method="GET", target="/", headers=(), now=NOW, **extra):
    r = {"method": method, "target": target, "headers": [list(h) for h in headers], "now": now}
    r.update(extra)
    return r


def add_check(cid, source, config, requests, want):
    """A case on the shared configuration `config`; `want` is the intent (one "allow" or error
    code per request), compared with what the reference computes."""
    gate = model(CONFIGS[config])
    decisions = [gate.check(r) for r in requests]
    add(cid, source, {"op": "check", "config": config, "requests": requests}, decisions, want)


def add_check_text(cid, source, text, requests, want):
    """A case carrying its own TOML configuration."""
    config = tomllib.loads(text)
    gate_cases.validate(config, cid)
    gate = model(config)
    decisions = [gate.check(r) for r in requests]
    add(cid, source, {"op": "check", "format": "toml", "text": text, "requests": requests},
        decisions, want)


def add(cid, source, input_, decisions, want):
    got = ["allow" if d["allowed"] else d["code"] for d in decisions]
    assert got == list(want), f"{cid}: the reference says {got}, the case means {list(want)}"
    CASES.append({"id": cid, "source": source, "input": input_,
                  "expect": {"decisions": decisions}})


def add_load(cid, source, fmt, text, code, path, message, needle, nth=0):
    """A configuration that must not load: the detail is `<path>: <message> (line L, column C)`
    with the position of the `nth` occurrence of `needle` (where the bad value starts)."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    CASES.append({"id": cid, "source": source,
                  "input": {"op": "load", "format": fmt, "text": text},
                  "expect": {"error": code,
                             "detail": f"{path}: {message} (line {line}, column {column})"}})


def main():
    ctx = sys.modules[__name__]
    gate_cases.add_all(ctx)
    for name, config in CONFIGS.items():
        gate_cases.validate(config, name)
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    doc = {"description": "portcullis gate vectors (tests/vectors/GATE.md); written by gen_gate.py",
           "secrets": SECRETS, "configs": CONFIGS, "cases": CASES}
    (HERE / "gate.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False,
                                               sort_keys=True) + "\n")
    refused = sum(1 for c in CASES if "error" in c["expect"]
                  or not c["expect"]["decisions"][-1]["allowed"])
    loads = sum(1 for c in CASES if c["input"]["op"] == "load")
    print(f"gate.json: {len(CASES)} cases, {refused} refusals (last decision denied or load "
          f"error; {loads} load errors), {len(CASES) - refused} allowed")


if __name__ == "__main__":
    main()
