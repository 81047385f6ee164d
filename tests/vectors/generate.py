#!/usr/bin/env python3
"""Writes apikey.json and basic.json: the shared vectors every portcullis runner reads.

An independent reference, not a copy of the implementation: checksums come from zlib.crc32,
digests from the stdlib hmac module, password hashes from argon2-cffi, bcrypt and passlib.
Needs: pip install argon2-cffi bcrypt passlib
"""

import base64
import hashlib
import hmac
import json
import pathlib
import random
import zlib

import argon2
import bcrypt
from argon2.low_level import Type, hash_secret
from passlib import hash as ph

HERE = pathlib.Path(__file__).parent
NOW = 1750000000
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PEPPER = bytes(range(32, 64))
rng = random.Random(20261127)


def b62(value, width):
    out = ""
    for _ in range(width):
        out = B62[value % 62] + out
        value //= 62
    return out


def make_key(prefix="pc", env="live"):
    body = "".join(rng.choice(B62) for _ in range(30))
    head = f"{prefix}_{env}_" if env else f"{prefix}_"
    return head + body + b62(zlib.crc32(body.encode()), 6)


def digest(key, pepper=PEPPER):
    return hmac.new(pepper, key.encode(), hashlib.sha256).hexdigest()


def record(key, key_id, prefix="pc", env="live", **fields):
    r = {
        "key_id": key_id,
        "digest": digest(key),
        "prefix": prefix,
        "environment": env,
        "subject": fields.pop("subject", "svc-billing"),
        "scopes": fields.pop("scopes", ["orders:read"]),
        "created_at": NOW - 86400,
        "expires_at": None,
        "revoked_at": None,
        "successor": None,
        "metadata": fields.pop("metadata", {"team": "billing"}),
    }
    r.update(fields)
    return r


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def principal(subject, method, credential_id, scopes, claims, expires_at=None):
    return {
        "subject": subject,
        "method": method,
        "credential_id": credential_id,
        "scopes": scopes,
        "claims": claims,
        "claims_canonical": canonical(claims),
        "expires_at": expires_at,
    }


def req(headers=(), target="/orders", method="GET"):
    return {"method": method, "target": target, "headers": [list(h) for h in headers]}


def req_b64(headers, target="/orders"):
    return {
        "method": "GET",
        "target": target,
        "headers_b64": [[n, base64.b64encode(v).decode()] for n, v in headers],
    }


# --------------------------------------------------------------------------------------------
# API keys

LIVE = {"prefix": "pc", "environment": "live", "bearer": True, "header": "x-api-key",
        "query": "api_key", "realm": "api"}
K = make_key()
K_OTHER = make_key()
K_TEST = make_key(env="test")
K_NOENV = make_key(prefix="acme", env=None)
K_GH = make_key(prefix="gh")
K_EXP = make_key()
K_REV = make_key()
K_ROT = make_key()
K_NEW = make_key()
R = record(K, "ak_vec_main")
R_EXP = record(K_EXP, "ak_vec_exp", expires_at=NOW)
R_REV = record(K_REV, "ak_vec_rev", revoked_at=NOW - 60)
R_ROT = record(K_ROT, "ak_vec_rot", successor="ak_vec_new", expires_at=NOW + 300)
R_NEW = record(K_NEW, "ak_vec_new")
RECORDS = [R, R_EXP, R_REV, R_ROT, R_NEW]
OK_MAIN = principal("svc-billing", "api_key", "ak_vec_main", ["orders:read"],
                    {"environment": "live", "metadata": {"team": "billing"}})
BEARER = 'Bearer realm="api"'


def invalid_token(message):
    return f'Bearer realm="api", error="invalid_token", error_description="{message}"'


INVALID_KEY = invalid_token("Invalid API key.")
apikey_cases = []


def ak(id_, input_, expect, source="portcullis", now=NOW):
    base = {"op": "verify", "pepper_hex": PEPPER.hex(), "config": LIVE, "records": RECORDS,
            "scopes": []}
    base.update(input_)
    if base["op"] != "verify":
        base.pop("records")
    if base["op"] in ("check_format", "lookup_digest"):
        base.pop("scopes")
    apikey_cases.append({"id": id_, "source": source, "now": now, "input": base, "expect": expect})


def ok(value):
    return {"ok": value}


def err(code, challenge=None):
    e = {"error": code}
    if challenge is not None:
        e["challenge"] = challenge
    return e


def replace_at(s, i, c=None):
    c = c or ("A" if s[i] != "A" else "B")
    return s[:i] + c + s[i + 1:]


auth = lambda v: ("Authorization", v)  # noqa: E731

ak("bearer-valid", {"request": req([auth(f"Bearer {K}")]), "scopes": ["orders:read"]}, ok(OK_MAIN))
ak("bearer-scheme-lowercase", {"request": req([auth(f"bearer {K}")])}, ok(OK_MAIN))
ak("bearer-scheme-mixed-case-extra-spaces", {"request": req([auth(f"BeArEr   {K}")])}, ok(OK_MAIN))
ak("header-valid", {"request": req([("X-API-Key", K)])}, ok(OK_MAIN))
ak("header-name-case-insensitive", {"request": req([("x-aPi-KEY", K)])}, ok(OK_MAIN))
ak("query-valid", {"request": req(target=f"/orders?page=2&api_key={K}")}, ok(OK_MAIN))
ak("bearer-first-then-header", {"request": req([("X-API-Key", K_OTHER), auth(f"Bearer {K}")])},
   ok(OK_MAIN))
ak("other-scheme-skipped-for-header", {"request": req([auth("Basic YTpi"), ("X-API-Key", K)])},
   ok(OK_MAIN))
ak("expires-later", {"request": req([auth(f"Bearer {K_EXP}")])},
   ok({"credential_id": "ak_vec_exp", "expires_at": NOW}), now=NOW - 1)
ak("rotated-within-overlap", {"request": req([auth(f"Bearer {K_ROT}")])},
   ok(principal("svc-billing", "api_key", "ak_vec_rot", ["orders:read"],
                {"environment": "live", "metadata": {"team": "billing"},
                 "successor": "ak_vec_new"}, NOW + 300)), now=NOW + 299)
ak("successor-key-valid", {"request": req([auth(f"Bearer {K_NEW}")])},
   ok({"credential_id": "ak_vec_new"}), now=NOW + 400)
ak("revocation-scheduled-later", {"request": req([auth(f"Bearer {K_REV}")])},
   ok({"credential_id": "ak_vec_rev"}), now=NOW - 61)
multi = record(K_OTHER, "ak_vec_multi", subject=None, scopes=["a", "b:c", "d"], metadata={})
ak("scopes-all-present-subject-defaults-to-key-id",
   {"records": [multi], "request": req([auth(f"Bearer {K_OTHER}")]), "scopes": ["d", "a"]},
   ok(principal("ak_vec_multi", "api_key", "ak_vec_multi", ["a", "b:c", "d"],
                {"environment": "live", "metadata": {}})))
NOENV = dict(LIVE, prefix="acme", environment=None)
ak("no-environment-ring",
   {"config": NOENV, "records": [record(K_NOENV, "ak_vec_acme", prefix="acme", env=None)],
    "request": req([auth(f"Bearer {K_NOENV}")])},
   ok(principal("svc-billing", "api_key", "ak_vec_acme", ["orders:read"],
                {"metadata": {"team": "billing"}})))
ak("verify-record-valid", {"op": "verify_record", "record": R, "request": req([auth(f"Bearer {K}")]),
                           "scopes": ["orders:read"]}, ok(OK_MAIN))
ak("check-format-valid", {"op": "check_format", "key": K}, ok({"environment": "live"}))
ak("check-format-no-environment", {"op": "check_format", "config": NOENV, "key": K_NOENV},
   ok({"environment": None}))
ak("lookup-digest", {"op": "lookup_digest", "request": req([auth(f"Bearer {K}")])},
   ok({"digest": digest(K)}))

# Where the key is (not)
ak("missing-credentials", {"request": req()}, err("credentials_missing", BEARER))
ak("other-scheme-only", {"request": req([auth("Basic YTpi")])}, err("credentials_missing", BEARER))
ak("bearer-empty", {"request": req([auth("Bearer")])},
   err("header_malformed", 'Bearer realm="api", error="invalid_request"'))
ak("bearer-two-tokens", {"request": req([auth(f"Bearer {K} {K}")])}, err("header_malformed"))
ak("authorization-twice", {"request": req([auth(f"Bearer {K}"), auth(f"Bearer {K}")])},
   err("credentials_ambiguous", 'Bearer realm="api", error="invalid_request"'))
ak("header-twice", {"request": req([("X-API-Key", K), ("x-api-key", K)])},
   err("credentials_ambiguous"))
ak("query-twice", {"request": req(target=f"/o?api_key={K}&api_key={K}")},
   err("credentials_ambiguous"))
ak("query-percent-encoded", {"request": req(target=f"/o?api_key={K.replace('_', '%5F')}")},
   err("apikey_malformed"))
ak("query-off-by-default", {"config": dict(LIVE, query=None),
                            "request": req(target=f"/o?api_key={K}")}, err("credentials_missing"))
ak("header-off", {"config": dict(LIVE, header=None), "request": req([("X-API-Key", K)])},
   err("credentials_missing"))
ak("bearer-off", {"config": dict(LIVE, bearer=False), "request": req([auth(f"Bearer {K}")])},
   err("credentials_missing"))
ak("authorization-not-ascii", {"request": req_b64([("Authorization", b"Bearer \xc3\xa9")])},
   err("header_malformed"))
ak("header-not-utf8", {"request": req_b64([("X-API-Key", b"pc_live_\xff\xfe")])},
   err("apikey_malformed"))
ak("header-empty", {"request": req([("X-API-Key", "")])}, err("apikey_malformed"))

# Shape, prefix, checksum, environment: refused offline
ak("unknown-key", {"request": req([auth(f"Bearer {make_key()}")])},
   err("apikey_unknown", INVALID_KEY))
ak("checksum-last-char", {"request": req([auth(f"Bearer {replace_at(K, len(K) - 1)}")])},
   err("apikey_checksum_mismatch", INVALID_KEY))
ak("checksum-random-char", {"request": req([auth(f"Bearer {replace_at(K, 12)}")])},
   err("apikey_checksum_mismatch"))
swapped = K[:10] + K[11] + K[10] + K[12:] if K[10] != K[11] else replace_at(K, 10)
ak("checksum-swapped-chars", {"request": req([auth(f"Bearer {swapped}")])},
   err("apikey_checksum_mismatch"))
ak("checksum-case-flipped", {"request": req([auth(f"Bearer {K[:-3] + K[-3:].swapcase()}")])},
   err("apikey_checksum_mismatch"))
ak("prefix-other-product", {"request": req([auth(f"Bearer {K_GH}")])},
   err("apikey_prefix_mismatch"))
ak("prefix-upper-case", {"op": "check_format", "key": "PC" + K[2:]}, err("apikey_malformed"))
ak("environment-upper-case", {"op": "check_format", "key": "pc_LIVE" + K[7:]},
   err("apikey_malformed"))
ak("environment-test-key-on-live", {"request": req([auth(f"Bearer {K_TEST}")])},
   err("apikey_environment_mismatch",
       invalid_token("The API key is for another environment.")))
ak("environment-missing-on-live", {"op": "check_format",
                                   "key": "pc_" + make_key(prefix="pc", env=None)[3:]},
   err("apikey_environment_mismatch"))
ak("environment-key-on-no-env-ring", {"op": "check_format", "config": NOENV,
                                      "key": make_key(prefix="acme", env="live")},
   err("apikey_environment_mismatch"))
ak("body-35-chars", {"op": "check_format", "key": K[:-1]}, err("apikey_malformed"))
ak("body-37-chars", {"op": "check_format", "key": K + "0"}, err("apikey_malformed"))
ak("body-non-base62", {"op": "check_format", "key": replace_at(K, 15, "-")},
   err("apikey_malformed"))
ak("no-underscore", {"op": "check_format", "key": K.replace("_", "")}, err("apikey_malformed"))
ak("only-body", {"op": "check_format", "key": K[8:]}, err("apikey_malformed"))
ak("too-long", {"op": "check_format", "key": "pc_live_" + "a" * 200}, err("apikey_malformed"))
ak("three-labels", {"op": "check_format", "key": "pc_live_x_" + K[8:]}, err("apikey_malformed"))
ak("empty-key", {"op": "check_format", "key": ""}, err("apikey_malformed"))
ak("lookup-digest-typo", {"op": "lookup_digest",
                          "request": req([auth(f"Bearer {replace_at(K, 9)}")])},
   err("apikey_checksum_mismatch"))

# Lifecycle
ak("revoked", {"request": req([auth(f"Bearer {K_REV}")])},
   err("apikey_revoked", invalid_token("The API key has been revoked.")))
ak("revoked-at-exactly-now", {"request": req([auth(f"Bearer {K_REV}")])}, err("apikey_revoked"),
   now=NOW - 60)
ak("expired-at-exactly-now", {"request": req([auth(f"Bearer {K_EXP}")])},
   err("apikey_expired", invalid_token("The API key has expired.")))
ak("expired-an-hour-ago", {"request": req([auth(f"Bearer {K_EXP}")])}, err("apikey_expired"),
   now=NOW + 3600)
ak("rotated-overlap-over", {"request": req([auth(f"Bearer {K_ROT}")])},
   err("apikey_rotated"), now=NOW + 300)
ak("scope-missing", {"request": req([auth(f"Bearer {K}")]), "scopes": ["orders:write"]},
   err("scope_insufficient",
       'Bearer realm="api", error="insufficient_scope", scope="orders:write"'))
ak("scope-one-of-two-missing", {"request": req([auth(f"Bearer {K}")]),
                                "scopes": ["orders:read", "admin"]},
   err("scope_insufficient",
       'Bearer realm="api", error="insufficient_scope", scope="orders:read admin"'))
ak("scope-case-differs", {"request": req([auth(f"Bearer {K}")]), "scopes": ["Orders:read"]},
   err("scope_insufficient"))
ak("scope-prefix-is-not-scope", {"request": req([auth(f"Bearer {K}")]), "scopes": ["orders"]},
   err("scope_insufficient"))

# Fetched records
ak("verify-record-other-key", {"op": "verify_record", "record": R_NEW,
                               "request": req([auth(f"Bearer {K}")])},
   err("apikey_record_invalid"))
ak("verify-record-environment-tampered", {"op": "verify_record", "record": dict(R, environment="test"),
                                          "request": req([auth(f"Bearer {K}")])},
   err("apikey_record_invalid"))
ak("verify-record-revoked", {"op": "verify_record", "record": R_REV,
                             "request": req([auth(f"Bearer {K_REV}")])}, err("apikey_revoked"))
ak("record-unknown-field", {"op": "verify_record", "record": dict(R, owner="x"),
                            "request": req([auth(f"Bearer {K}")])}, err("json_invalid"))
ak("record-digest-not-hex", {"op": "verify_record", "record": dict(R, digest="zz" * 32),
                             "request": req([auth(f"Bearer {K}")])}, err("json_invalid"))
ak("record-digest-short", {"op": "verify_record", "record": dict(R, digest=R["digest"][:62]),
                           "request": req([auth(f"Bearer {K}")])}, err("json_invalid"))
ak("record-scope-with-space", {"op": "verify_record", "record": dict(R, scopes=["a b"]),
                               "request": req([auth(f"Bearer {K}")])},
   err("apikey_record_invalid"))
ak("insert-record-of-other-prefix",
   {"records": [record(K_GH, "ak_vec_gh", prefix="gh")], "request": req([auth(f"Bearer {K}")])},
   err("apikey_record_invalid"))

# Configuration and request construction
ak("pepper-31-bytes", {"pepper_hex": PEPPER[:31].hex(), "request": req([auth(f"Bearer {K}")])},
   err("config_invalid"))
ak("prefix-not-a-label", {"config": dict(LIVE, prefix="p-c"), "request": req()},
   err("config_invalid"))
ak("environment-not-a-label", {"config": dict(LIVE, environment="Live"), "request": req()},
   err("config_invalid"))
ak("no-source-enabled", {"config": dict(LIVE, bearer=False, header=None, query=None),
                         "request": req()}, err("config_invalid"))
ak("request-header-name-with-space", {"request": req([("X API Key", K)])}, err("request_invalid"))
ak("request-header-value-with-newline", {"request": req([("X-API-Key", K + "\r\nX-Admin: 1")])},
   err("request_invalid"))
ak("request-target-with-space", {"request": req(target="/orders list")}, err("request_invalid"))
ak("request-method-empty", {"request": req(method="")}, err("request_invalid"))
ak("request-header-value-oversize", {"request": req([("X-Padding", "a" * 20000)])},
   err("input_too_large"))

# --------------------------------------------------------------------------------------------
# HTTP Basic

SMALL = {"memory_kib": 64, "iterations": 1, "parallelism": 1}
argon_small = argon2.PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
HASHES = {
    "alice": argon_small.hash("correct horse"),
    "bob": bcrypt.hashpw(b"hunter2", bcrypt.gensalt(4)).decode().replace("$2b$", "$2y$"),
    "bobby": bcrypt.hashpw(b"hunter2", bcrypt.gensalt(4)).decode(),
    "carol": ph.sha256_crypt.using(rounds=5000).hash("s3cret"),
    "dave": ph.sha512_crypt.using(rounds=5000).hash("s3cret"),
    "dan": ph.sha512_crypt.using(rounds=10000).hash("s3cret"),
    "erin": hash_secret(b"p\xc3\xa4ssw\xc3\xb6rd", b"saltsaltsalt", time_cost=1,
                        memory_cost=64, parallelism=1, hash_len=32, type=Type.I).decode(),
    "frank": argon_small.hash("pässwörd"),
    "grace": bcrypt.hashpw(b"a" * 71, bcrypt.gensalt(4)).decode(),
}
LEGACY = {
    "sha": ph.ldap_sha1.hash("password"),
    "apache": ph.apr_md5_crypt.hash("password"),
    "md5": ph.md5_crypt.hash("password"),
}
CONFIG = {"realm": "api", "allow_legacy": False, "users": HASHES, "htpasswd": None,
          "htpasswd_file": None, "rehash_params": {"memory_kib": 19456, "iterations": 2,
                                                   "parallelism": 1}}
BASIC_CHALLENGE = 'Basic realm="api", charset="UTF-8"'
basic_cases = []


def bc(id_, input_, expect, source="portcullis"):
    basic_cases.append({"id": id_, "source": source, "now": NOW, "input": input_, "expect": expect})


def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode()).decode()


def parse(id_, header, expect, source="portcullis"):
    key = "header_b64" if isinstance(header, bytes) else "header"
    value = base64.b64encode(header).decode() if isinstance(header, bytes) else header
    bc(id_, {"op": "parse", key: value}, expect, source)


def creds(user, password):
    return ok({"user_id": user, "password": password})


rfc = json.loads((HERE.parent.parent.parent / "shared/vectors/rfc-misc/rfc_misc_vectors.json")
                 .read_text()) if (HERE.parent.parent.parent / "shared").exists() else None
RFC7617 = [
    ("RFC 7617 s2", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame"),
    ("RFC 7617 s2.1", "Basic dGVzdDoxMjPCow==", "test", "123£"),
]
if rfc:
    assert [(v["header"], v["user"], v["password"]) for v in rfc["rfc7617_basic"]] == \
        [(h, u, p) for _, h, u, p in RFC7617]
for source, header, user, password in RFC7617:
    parse(f"rfc7617-{source.split()[-1]}", header, creds(user, password), source)
parse("scheme-lower-case", "basic " + b64("a:b"), creds("a", "b"))
parse("scheme-upper-case-extra-spaces", "BASIC   " + b64("a:b"), creds("a", "b"))
parse("password-with-colons", "Basic " + b64("user:pa:ss:"), creds("user", "pa:ss:"))
parse("empty-password", "Basic " + b64("user:"), creds("user", ""))
parse("empty-user", "Basic " + b64(":pw"), creds("", "pw"))
parse("unicode-user-and-password", "Basic " + b64("josé:naïve ☃"), creds("josé", "naïve ☃"))
parse("no-colon", "Basic " + b64("alice"), err("basic_malformed"))
parse("empty-credentials", "Basic", err("basic_malformed"))
parse("missing-padding", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ", err("basic_bad_base64"))
parse("non-canonical-trailing-bits", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZR==", err("basic_bad_base64"))
parse("url-safe-alphabet", "Basic " + b64("a:\xfb\xff").replace("+", "-").replace("/", "_"),
      err("basic_bad_base64"))
parse("space-inside-token", "Basic QWxh ZGRpbjpvcGVuIHNlc2FtZQ==", err("basic_bad_base64"))
parse("padding-in-the-middle", "Basic YQ==YTpi", err("basic_bad_base64"))
parse("bang-bang-bang", "Basic !!!", err("basic_bad_base64"))
parse("user-not-utf8", "Basic " + b64(b"\xff\xfe:pw"), err("basic_invalid_utf8"))
parse("password-not-utf8", "Basic " + b64(b"user:\xc3\x28"), err("basic_invalid_utf8"))
parse("password-overlong-utf8", "Basic " + b64(b"user:\xc0\xaf"), err("basic_invalid_utf8"))
parse("nul-in-password", "Basic " + b64("user:pa\0ss"), err("basic_control_character"))
parse("del-in-user", "Basic " + b64("us\x7fer:pw"), err("basic_control_character"))
parse("c1-control-in-password", "Basic " + b64("user:pa\u0085ss"), err("basic_control_character"))
parse("tab-in-password", "Basic " + b64("user:pa\tss"), err("basic_control_character"))
parse("newline-in-user", "Basic " + b64("us\ner:pw"), err("basic_control_character"))
parse("credentials-over-4096-chars", "Basic " + b64("u:" + "p" * 4000), err("basic_too_long"))
parse("user-over-256-bytes", "Basic " + b64("u" * 257 + ":pw"), err("basic_too_long"))
parse("password-over-1024-bytes", "Basic " + b64("u:" + "p" * 1025), err("basic_too_long"))
parse("other-scheme", "Bearer abc", err("credentials_missing"))
parse("header-not-ascii", "Basic é".encode(), err("header_malformed"))
parse("scheme-only-spaces", "   ", err("header_malformed"))


def verify(id_, headers, expect, config=None):
    bc(id_, {"op": "verify", "config": config or CONFIG, "request": req(headers)}, expect)


def basic(user, password):
    return auth("Basic " + b64(f"{user}:{password}"))


def who(user, scheme, rehash=True):
    return ok(principal(user, "basic", user, [], {"hash_scheme": scheme, "needs_rehash": rehash}))


verify("argon2id-ok", [basic("alice", "correct horse")], who("alice", "argon2id"))
verify("argon2id-ok-params-current", [basic("alice", "correct horse")],
       who("alice", "argon2id", False), dict(CONFIG, rehash_params=SMALL))
verify("bcrypt-2y-ok", [basic("bob", "hunter2")], who("bob", "bcrypt"))
verify("bcrypt-2b-ok", [basic("bobby", "hunter2")], who("bobby", "bcrypt"))
verify("sha256-crypt-ok", [basic("carol", "s3cret")], who("carol", "sha256_crypt"))
verify("sha512-crypt-ok", [basic("dave", "s3cret")], who("dave", "sha512_crypt"))
verify("sha512-crypt-rounds-ok", [basic("dan", "s3cret")], who("dan", "sha512_crypt"))
verify("argon2i-ok", [basic("erin", "pässwörd")], who("erin", "argon2i"))
verify("argon2id-unicode-password-ok", [basic("frank", "pässwörd")], who("frank", "argon2id"))
verify("bcrypt-71-bytes-ok", [basic("grace", "a" * 71)], who("grace", "bcrypt"))
for user, good in [("alice", "correct horse"), ("bob", "hunter2"), ("carol", "s3cret"),
                   ("dave", "s3cret"), ("erin", "pässwörd")]:
    verify(f"wrong-password-{user}", [basic(user, good + "!")],
           err("basic_invalid_credentials", BASIC_CHALLENGE))
verify("password-case-differs", [basic("alice", "Correct horse")], err("basic_invalid_credentials"))
verify("password-unicode-normalisation-differs", [basic("frank", "pa\u0308ssw\u00f6rd")],
       err("basic_invalid_credentials"))
verify("bcrypt-over-72-bytes-not-truncated", [basic("grace", "a" * 80)],
       err("basic_invalid_credentials"))
verify("unknown-user", [basic("mallory", "correct horse")],
       err("basic_invalid_credentials", BASIC_CHALLENGE))
verify("user-case-differs", [basic("Alice", "correct horse")], err("basic_invalid_credentials"))
verify("empty-user-unknown", [basic("", "correct horse")], err("basic_invalid_credentials"))
verify("missing-credentials", [], err("credentials_missing", BASIC_CHALLENGE))
verify("bearer-instead", [auth("Bearer abc")], err("credentials_missing", BASIC_CHALLENGE))
verify("authorization-twice", [basic("alice", "correct horse"), basic("alice", "correct horse")],
       err("credentials_ambiguous", BASIC_CHALLENGE))
verify("verify-malformed-base64", [auth("Basic !!!")], err("basic_bad_base64", BASIC_CHALLENGE))
verify("verify-no-colon", [auth("Basic " + b64("alice"))], err("basic_malformed"))
verify("realm-escaped-in-challenge", [basic("alice", "nope")],
       err("basic_invalid_credentials", 'Basic realm="ops \\"internal\\"", charset="UTF-8"'),
       dict(CONFIG, realm='ops "internal"'))
LEGACY_CONFIG = dict(CONFIG, users=LEGACY, allow_legacy=True)
verify("legacy-sha1-with-opt-in", [basic("sha", "password")], who("sha", "sha1"), LEGACY_CONFIG)
verify("legacy-apr1-with-opt-in", [basic("apache", "password")], who("apache", "apr1"),
       LEGACY_CONFIG)
verify("legacy-md5-crypt-with-opt-in", [basic("md5", "password")], who("md5", "md5_crypt"),
       LEGACY_CONFIG)
verify("legacy-apr1-wrong-password", [basic("apache", "Password")],
       err("basic_invalid_credentials"), LEGACY_CONFIG)


def load(id_, config_changes, expect):
    config = dict(CONFIG, users={})
    config.update(config_changes)
    bc(id_, {"op": "load", "config": config}, expect)


load("users-map", {"users": HASHES}, ok({"users": len(HASHES)}))
load("legacy-sha1-refused", {"users": {"u": LEGACY["sha"]}}, err("basic_hash_weak"))
load("legacy-apr1-refused", {"users": {"u": LEGACY["apache"]}}, err("basic_hash_weak"))
load("legacy-md5-refused", {"users": {"u": LEGACY["md5"]}}, err("basic_hash_weak"))
load("des-crypt-unsupported", {"users": {"u": ph.des_crypt.hash("pw", salt="ab")},
                               "allow_legacy": True}, err("basic_hash_unsupported"))
load("unknown-scheme", {"users": {"u": "$9$abc$def"}}, err("basic_hash_unsupported"))
load("plain-text-password", {"users": {"u": "hunter2"}}, err("basic_hash_unsupported"))
load("bcrypt-truncated", {"users": {"u": HASHES["bob"][:40]}}, err("basic_hash_malformed"))
load("bcrypt-cost-31", {"users": {"u": "$2y$31$" + HASHES["bob"][7:]}}, err("basic_hash_malformed"))
load("argon2-truncated", {"users": {"u": "$argon2id$v=19$m=64"}}, err("basic_hash_malformed"))
load("argon2-memory-above-ceiling",
     {"users": {"u": HASHES["alice"].replace("m=64,", "m=4194304,")}}, err("basic_hash_malformed"))
load("sha-crypt-rounds-too-low", {"users": {"u": "$6$rounds=10$salt$" + "a" * 86}},
     err("basic_hash_malformed"))
load("sha1-wrong-length", {"users": {"u": "{SHA}" + b64("short")}, "allow_legacy": True},
     err("basic_hash_malformed"))
load("user-with-colon", {"users": {"a:b": HASHES["alice"]}}, err("config_invalid"))
load("htpasswd-with-comments-and-crlf",
     {"htpasswd": f"# users\r\n\r\nalice:{HASHES['alice']}\r\nbob:{HASHES['bob']}\n"},
     ok({"users": 2}))
load("htpasswd-and-users", {"users": {"carol": HASHES["carol"]},
                            "htpasswd": f"alice:{HASHES['alice']}\n"}, ok({"users": 2}))
load("htpasswd-duplicate-user",
     {"htpasswd": f"alice:{HASHES['alice']}\nalice:{HASHES['bob']}\n"},
     err("basic_htpasswd_malformed"))
load("htpasswd-user-in-both", {"users": {"alice": HASHES["alice"]},
                               "htpasswd": f"alice:{HASHES['bob']}\n"},
     err("basic_htpasswd_malformed"))
load("htpasswd-line-without-colon", {"htpasswd": "alice\n"}, err("basic_htpasswd_malformed"))
load("htpasswd-legacy-refused", {"htpasswd": f"u:{LEGACY['apache']}\n"}, err("basic_hash_weak"))
load("htpasswd-missing-file", {"htpasswd_file": "/nonexistent/portcullis/htpasswd"},
     err("config_invalid"))
load("realm-with-newline", {"realm": "a\nb"}, err("config_invalid"))


def write(name, cases):
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    doc = {"description": f"portcullis shared vectors ({name}); written by generate.py",
           "cases": cases}
    (HERE / f"{name}.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    negative = sum("error" in c["expect"] for c in cases)
    print(f"{name}.json: {len(cases)} cases, {negative} negative")


write("apikey", apikey_cases)
write("basic", basic_cases)
