#!/usr/bin/env python3
"""Writes tests/vectors/httpsig.json (format: tests/vectors/HTTPSIG.md).

An independent reference: RFC 9421 Appendix B cases are copied from the RFC (via
/work/shared/vectors/rfc9421/rfc9421_appendixB_vectors.json or $RFC9421_VECTORS); every other
signature is made here with Python's `cryptography` and `hmac` over signature bases written out
by hand, never by portcullis. Needs `cryptography` (pip install cryptography).
Run: python3 tests/vectors/gen_httpsig.py
"""

import base64
import hashlib
import hmac
import json
import os
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, utils

HERE = os.path.dirname(os.path.abspath(__file__))
RFC = os.environ.get(
    "RFC9421_VECTORS", "/work/shared/vectors/rfc9421/rfc9421_appendixB_vectors.json"
)

rfc = json.load(open(RFC))
K = rfc["keys"]
ED_PUB, ED_PRIV = K["test-key-ed25519"]["pem"]
P256_PUB, P256_PRIV = K["test-key-ecc-p256"]["pem"]
PSS_PUB, PSS_PRIV = K["test-key-rsa-pss"]["pem"]
RSA_PUB, RSA_PRIV = K["test-key-rsa"]["pem"]
RFC_SECRET_B64 = K["test-shared-secret"]["base64"]

ed_priv = serialization.load_pem_private_key(ED_PRIV.encode(), None)
p256_priv = serialization.load_pem_private_key(P256_PRIV.encode(), None)
rsa_priv = serialization.load_pem_private_key(RSA_PRIV.encode(), None)

# A project secret (32 bytes) and keys for cases outside the RFC.
SECRET = bytes(range(0x40, 0x60))
SECRET_B64 = base64.b64encode(SECRET).decode()

RFC_NOW = 1618884473
NOW = 1750000000

cases = []


def b64(b):
    return base64.b64encode(b).decode()


def add(id_, source, now, input_, expect):
    cases.append({"id": id_, "source": source, "now": now, "input": input_, "expect": expect})


def ok(**kw):
    return {"ok": kw}


def err(code):
    return {"error": code}


# ---------- RFC 9421 Appendix B ----------

def parse_http(text):
    """A request or response from the RFC's HTTP/1.1 text."""
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    first = lines[0].split(" ")
    headers = [[l.split(":", 1)[0], l.split(":", 1)[1].strip()] for l in lines[1:]]
    if first[0].startswith("HTTP/"):
        msg = {"status": int(first[1]), "headers": headers}
    else:
        msg = {"method": first[0], "target": first[1], "headers": headers}
    if body:
        msg["body"] = body
    return msg


def sig_headers(case):
    out = []
    for line in case["signature_headers"].split("\n"):
        if line.startswith("Signature-Input: ") or line.startswith("Signature: "):
            out.append([line.split(":", 1)[0], line.split(": ", 1)[1]])
    return out


RFC_KEYS = {
    "test-key-rsa-pss": {"keyid": "test-key-rsa-pss", "alg": "rsa-pss-sha512", "pem": PSS_PUB},
    "test-key-ecc-p256": {"keyid": "test-key-ecc-p256", "alg": "ecdsa-p256-sha256", "pem": P256_PUB},
    "test-key-ed25519": {"keyid": "test-key-ed25519", "alg": "ed25519", "pem": ED_PUB},
    "test-shared-secret": {
        "keyid": "test-shared-secret",
        "alg": "hmac-sha256",
        "secret_b64": RFC_SECRET_B64,
    },
}
RFC_CONFIG = {"required_components": [], "require_content_digest": False}

test_request = parse_http(rfc["messages"]["test-request"])
test_response = parse_http(rfc["messages"]["test-response"])
# RFC 9421 B.2.4 signs a Content-Digest (mEWX...) that differs from the one printed in the
# test-response message (JlEy...); mEWX... is the SHA-512 of the body, so the response here
# carries it.
fixed_digest = "sha-512=:" + b64(hashlib.sha512(test_response["body"].encode()).digest()) + ":"
test_response["headers"] = [
    [n, fixed_digest if n == "Content-Digest" else v] for n, v in test_response["headers"]
]

sections = {"sig-b21": "B.2.1", "sig-b22": "B.2.2", "sig-b23": "B.2.3", "sig-b24": "B.2.4",
            "sig-b25": "B.2.5", "sig-b26": "B.2.6", "ttrp": "B.3", "transform": "B.4"}

for case in rfc["cases"]:
    label = case["label"]
    src = "RFC 9421 " + sections[label]
    params = case["signature_base"].split('"@signature-params": ', 1)[1]
    if label == "sig-b24":
        msg_key, msg = "response", dict(test_response)
    elif label in ("ttrp", "transform"):
        msg_key, msg = "request", parse_http(case["signature_headers"])
    else:
        msg_key, msg = "request", dict(test_request)
    plain = dict(msg)
    plain["headers"] = [h for h in msg["headers"] if h[0] not in ("Signature-Input", "Signature")]
    add(f"rfc-{label}-base", src, RFC_NOW, {"op": "signature_base", msg_key: plain,
        "signature_params": params}, ok(base=case["signature_base"]))
    signed = dict(plain)
    signed["headers"] = plain["headers"] + sig_headers(case)
    add(f"rfc-{label}-verify", src, RFC_NOW + 5, {"op": "verify", "keys": [RFC_KEYS[case["keyid"]]],
        "config": RFC_CONFIG, msg_key: signed},
        ok(subject=case["keyid"], method="hmac", credential_id=case["keyid"]))
    if label in ("sig-b21", "sig-b24", "sig-b26"):
        priv = {"test-key-rsa-pss": PSS_PRIV, "test-key-ecc-p256": P256_PRIV,
                "test-key-ed25519": ED_PRIV}[case["keyid"]]
        add(f"rfc-{label}-verify-private-pem", src + " (private key PEM, public half used)",
            RFC_NOW + 5, {"op": "verify", "keys": [dict(RFC_KEYS[case["keyid"]], pem=priv)],
                          "config": RFC_CONFIG, msg_key: signed}, ok(subject=case["keyid"]))
    if label in ("sig-b25", "sig-b26"):
        comps = params[1:params.index(")")].split(" ") if params[1] != ")" else []
        comps = [c.strip('"') for c in comps]
        key = RFC_KEYS[case["keyid"]]
        sign_key = dict(key)
        if label == "sig-b26":
            sign_key["pem"] = ED_PRIV
        sh = sig_headers(case)
        add(f"rfc-{label}-sign", src, RFC_NOW, {"op": "sign", "key": sign_key, msg_key: plain,
            "spec": {"label": label, "components": comps, "created": RFC_NOW}},
            ok(signature_input=sh[0][1], signature=sh[1][1]))

for i, t in enumerate(rfc["transformations"]["messages"]):
    msg = parse_http(t["message"])
    add(f"rfc-transform-{i + 1}", "RFC 9421 B.4", RFC_NOW + 5,
        {"op": "verify", "keys": [RFC_KEYS["test-key-ed25519"]], "config": RFC_CONFIG, "request": msg},
        ok(subject="test-key-ed25519") if t["expected"] == "valid" else err("signature_mismatch"))

# RFC 9421 section 2 examples of component values.
add("rfc-2.1-sf-key-bs-base", "RFC 9421 2.1.1-2.1.3", NOW, {
    "op": "signature_base",
    "request": {"method": "GET", "target": "/", "headers": [
        ["Example-Dict", " a=1,    b=2;x=1;y=2,   c=(a   b   c)"],
        ["Example-Header", "value, with, lots"], ["Example-Header", "of, commas"]]},
    "structured_fields": {"example-dict": "dictionary"},
    "signature_params": '("example-dict" "example-dict";sf "example-dict";key="a" '
                        '"example-dict";key="b" "example-dict";key="c" "example-header";bs)'},
    ok(base='"example-dict": a=1,    b=2;x=1;y=2,   c=(a   b   c)\n'
            '"example-dict";sf: a=1, b=2;x=1;y=2, c=(a b c)\n'
            '"example-dict";key="a": 1\n'
            '"example-dict";key="b": 2;x=1;y=2\n'
            '"example-dict";key="c": (a b c)\n'
            '"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:\n'
            '"@signature-params": ("example-dict" "example-dict";sf "example-dict";key="a" '
            '"example-dict";key="b" "example-dict";key="c" "example-header";bs)'))
add("rfc-2.2-derived-base", "RFC 9421 2.2.1-2.2.7", NOW, {
    "op": "signature_base",
    "request": {"method": "POST", "target": "/path?param=value", "scheme": "https",
                "headers": [["Host", "www.example.com"]]},
    "signature_params": '("@method" "@target-uri" "@authority" "@scheme" "@request-target" '
                        '"@path" "@query")'},
    ok(base='"@method": POST\n"@target-uri": https://www.example.com/path?param=value\n'
            '"@authority": www.example.com\n"@scheme": https\n"@request-target": /path?param=value\n'
            '"@path": /path\n"@query": ?param=value\n'
            '"@signature-params": ("@method" "@target-uri" "@authority" "@scheme" '
            '"@request-target" "@path" "@query")'))
add("rfc-2.2.7-empty-query-base", "RFC 9421 2.2.7", NOW, {
    "op": "signature_base",
    "request": {"method": "GET", "target": "/path", "headers": [["Host", "www.example.com"]]},
    "signature_params": '("@query")'},
    ok(base='"@query": ?\n"@signature-params": ("@query")'))
add("rfc-2.2.8-query-param-base", "RFC 9421 2.2.8", NOW, {
    "op": "signature_base",
    "request": {"method": "GET", "target": "/parameters?var=this%20is%20a%20big%0Amultiline%20value"
                "&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something",
                "headers": [["Host", "www.example.com"]]},
    "signature_params": '("@query-param";name="var" "@query-param";name="bar" '
                        '"@query-param";name="fa%C3%A7ade%22%3A%20")'},
    ok(base='"@query-param";name="var": this%20is%20a%20big%0Amultiline%20value\n'
            '"@query-param";name="bar": with%20plus%20whitespace\n'
            '"@query-param";name="fa%C3%A7ade%22%3A%20": something\n'
            '"@signature-params": ("@query-param";name="var" "@query-param";name="bar" '
            '"@query-param";name="fa%C3%A7ade%22%3A%20")'))
add("rfc-2.2.9-status-req-base", "RFC 9421 2.2.9, 2.4", NOW, {
    "op": "signature_base",
    "response": {"status": 503, "headers": [["Content-Type", "text/plain"]]},
    "related_request": {"method": "POST", "target": "/foo", "headers": [["Host", "example.com"]]},
    "signature_params": '("@status" "content-type" "@method";req "@authority";req)'},
    ok(base='"@status": 503\n"content-type": text/plain\n"@method";req: POST\n'
            '"@authority";req: example.com\n'
            '"@signature-params": ("@status" "content-type" "@method";req "@authority";req)'))

# ---------- portcullis cases: one valid request, then everything that must fail ----------

BODY = '{"order":7}'
DIGEST = "sha-256=:" + b64(hashlib.sha256(BODY.encode()).digest()) + ":"
ED_KEY = {"keyid": "svc-ed", "alg": "ed25519", "pem": ED_PUB}
HMAC_KEY = {"keyid": "svc-hmac", "alg": "hmac-sha256", "secret_b64": SECRET_B64}
P256_KEY = {"keyid": "svc-p256", "alg": "ecdsa-p256-sha256", "pem": P256_PUB}
RSA_KEY = {"keyid": "svc-rsa", "alg": "rsa-v1_5-sha256", "pem": RSA_PUB}
KEYS = [ED_KEY, HMAC_KEY, P256_KEY, RSA_KEY]
CREATED = NOW - 10
DEFAULT_COVER = '("@method" "@target-uri" "content-digest" "content-type")'


def base_request(**over):
    r = {"method": "POST", "target": "/orders?id=7", "scheme": "https",
         "headers": [["Host", "api.example.com"], ["Content-Type", "application/json"],
                     ["Content-Digest", DIGEST]], "body": BODY}
    r.update(over)
    return r


def default_lines(r):
    h = {n.lower(): v for n, v in r["headers"]}
    return [f'"@method": {r["method"]}', f'"@target-uri": https://api.example.com{r["target"]}',
            f'"content-digest": {h["content-digest"]}', f'"content-type": {h["content-type"]}']


def sign(keyid, base):
    if keyid == "svc-hmac":
        return hmac.new(SECRET, base.encode(), hashlib.sha256).digest()
    if keyid in ("svc-ed", "nobody"):
        return ed_priv.sign(base.encode())
    if keyid == "svc-p256":
        r, s = utils.decode_dss_signature(p256_priv.sign(base.encode(), ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if keyid == "svc-p256-der":
        return p256_priv.sign(base.encode(), ec.ECDSA(hashes.SHA256()))
    if keyid == "svc-rsa":
        return rsa_priv.sign(base.encode(), padding.PKCS1v15(), hashes.SHA256())
    raise ValueError(keyid)


def signed(r, lines, params, label="sig1", keyid="svc-ed", sig_input=None, signature=None):
    """`r` with Signature-Input/Signature over `lines` + the params line."""
    base = "\n".join(lines + [f'"@signature-params": {params}'])
    sig = sign(keyid, base)
    r = dict(r)
    r["headers"] = r["headers"] + [
        ["Signature-Input", sig_input if sig_input is not None else f"{label}={params}"],
        ["Signature", signature if signature is not None else f"{label}=:{b64(sig)}:"]]
    return r


def params(cover=DEFAULT_COVER, created=CREATED, keyid="svc-ed", extra=""):
    p = cover
    if created is not None:
        p += f";created={created}"
    if keyid is not None:
        p += f';keyid="{keyid}"'
    return p + extra


def verify(id_, req, expect, config=None, keys=None, now=NOW, src="portcullis", **more):
    inp = {"op": "verify", "keys": keys or KEYS, "config": config or {}, "request": req}
    inp.update(more)
    add(id_, src, now, inp, expect)


good = base_request()
P_GOOD = params(extra=';nonce="n-1";tag="orders"')
verify("valid-ed25519", signed(good, default_lines(good), P_GOOD), ok(
    subject="svc-ed", method="hmac", credential_id="svc-ed", expires_at=None,
    claims={"label": "sig1", "alg": "ed25519", "created": CREATED, "expires": None,
            "nonce": "n-1", "tag": "orders",
            "covered": ["@method", "@target-uri", "content-digest", "content-type"]}))
for kid, alg in (("svc-hmac", "hmac-sha256"), ("svc-p256", "ecdsa-p256-sha256"),
                 ("svc-rsa", "rsa-v1_5-sha256")):
    p = params(keyid=kid, extra=f';alg="{alg}"')
    verify(f"valid-{alg}", signed(good, default_lines(good), p, keyid=kid),
           ok(subject=kid, credential_id=kid))
p = params(keyid="svc-rsa")
rsa_sig = b64(sign("svc-rsa", "\n".join(default_lines(good) + [f'"@signature-params": {p}'])))
add("sign-rsa-v1_5-pkcs1-key", "portcullis (RFC 9421 B.1.1 key)", NOW,
    {"op": "sign", "key": {"keyid": "svc-rsa", "alg": "rsa-v1_5-sha256", "pem": RSA_PRIV},
     "request": good, "spec": {"components": ["@method", "@target-uri", "content-digest",
                                              "content-type"], "created": CREATED}},
    ok(signature_input=f"sig1={p}", signature=f"sig1=:{rsa_sig}:"))
p = params(keyid="svc-hmac", extra=';nonce="abc";tag="t"')
hm = b64(sign("svc-hmac", "\n".join(default_lines(good) + [f'"@signature-params": {p}'])))
add("sign-hmac", "portcullis", NOW,
    {"op": "sign", "key": HMAC_KEY, "request": good,
     "spec": {"components": ["@method", "@target-uri", "content-digest", "content-type"],
              "created": CREATED, "nonce": "abc", "tag": "t"}},
    ok(signature_input=f"sig1={p}", signature=f"sig1=:{hm}:"))
# Two signatures: a proxy's (unknown key) first, ours second.
two = signed(good, default_lines(good), params(keyid="nobody"), label="proxy", keyid="nobody")
lines2 = default_lines(good)
p2 = params()
sig2 = b64(sign("svc-ed", "\n".join(lines2 + [f'"@signature-params": {p2}'])))
two["headers"] += [["Signature-Input", f"sig2={p2}"], ["Signature", f"sig2=:{sig2}:"]]
verify("valid-second-label", two, ok(claims={"label": "sig2", "alg": "ed25519", "created": CREATED,
       "expires": None, "nonce": None, "tag": None,
       "covered": ["@method", "@target-uri", "content-digest", "content-type"]}))
verify("configured-label-absent", two, err("signature_missing"), config={"label": "sig9"})
verify("only-unknown-key-label", two, err("signature_key_unknown"), config={"label": "proxy"})

# Alterations after signing.
S = signed(good, default_lines(good), params())


def alter(r, **over):
    r = dict(r)
    r.update(over)
    return r


def set_header(r, name, value):
    hs = [h for h in r["headers"] if h[0].lower() != name.lower()]
    if value is not None:
        hs.insert(1, [name, value])
    return alter(r, headers=hs)


verify("altered-method", alter(S, method="PUT"), err("signature_mismatch"))
verify("altered-path", alter(S, target="/orderz?id=7"), err("signature_mismatch"))
verify("altered-query", alter(S, target="/orders?id=8"), err("signature_mismatch"))
verify("altered-host", set_header(S, "Host", "evil.example.com"), err("signature_mismatch"))
verify("altered-scheme", alter(S, scheme="http"), err("signature_mismatch"))
verify("altered-header", set_header(S, "Content-Type", "text/plain"), err("signature_mismatch"))
verify("altered-body", alter(S, body='{"order":8}'), err("signature_digest_mismatch"))
verify("altered-digest-header", alter(set_header(S, "Content-Digest", "sha-256=:" + b64(
    hashlib.sha256(b'{"order":8}').digest()) + ":"), body='{"order":8}'), err("signature_mismatch"))
verify("body-not-supplied", {k: v for k, v in set_header(S, "Content-Length", str(len(BODY))).items()
                             if k != "body"}, err("signature_body_missing"))
verify("missing-covered-header", set_header(S, "Content-Type", None), err("signature_component_missing"))
verify("target-uri-without-scheme", {k: v for k, v in S.items() if k != "scheme"},
       err("signature_component_missing"))
verify("duplicate-host", alter(S, headers=S["headers"] + [["Host", "api.example.com"]]),
       err("signature_malformed"))
sig_b64 = [h[1] for h in S["headers"] if h[0] == "Signature"][0].split("=:", 1)[1][:-1]
raw = base64.b64decode(sig_b64)
verify("truncated-signature", set_header(S, "Signature", f"sig1=:{b64(raw[:-2])}:"),
       err("signature_mismatch"))
verify("flipped-signature-bit", set_header(S, "Signature", f"sig1=:{b64(bytes([raw[0] ^ 1]) + raw[1:])}:"),
       err("signature_mismatch"))
verify("wrong-hmac-secret", signed(good, default_lines(good), params(keyid="svc-hmac"), keyid="svc-hmac"),
       err("signature_mismatch"), keys=[dict(HMAC_KEY, secret_b64=b64(bytes(32)))])
verify("ecdsa-der-signature", signed(good, default_lines(good), params(keyid="svc-p256"),
       keyid="svc-p256-der"), err("signature_mismatch"))
verify("signature-over-other-key", signed(good, default_lines(good), params(keyid="svc-hmac"),
       keyid="svc-ed"), err("signature_mismatch"))

# Time.
def timed(created, extra=""):
    return signed(good, default_lines(good), params(created=created, extra=extra))


verify("expired-created", timed(NOW - 361), err("signature_expired"))
verify("created-at-window-edge", timed(NOW - 360), ok(subject="svc-ed"))
verify("expires-passed", timed(CREATED, f";expires={NOW - 61}"), err("signature_expired"))
verify("expires-within-leeway", timed(CREATED, f";expires={NOW - 59}"), ok(expires_at=NOW - 59))
verify("created-in-future", timed(NOW + 61), err("signature_not_yet_valid"))
verify("created-within-leeway", timed(NOW + 60), ok(subject="svc-ed"))
verify("created-absent", signed(good, default_lines(good), params(created=None)), err("signature_malformed"))
verify("created-absent-allowed", signed(good, default_lines(good), params(created=None)),
       ok(subject="svc-ed"), config={"require_created": False})
verify("expires-required", timed(CREATED), err("signature_malformed"), config={"require_expires": True})
verify("nonce-required", timed(CREATED), err("signature_malformed"), config={"require_nonce": True})
verify("replayed-nonce", timed(CREATED, ';nonce="once"'), err("signature_replayed"), repeat=2)
verify("nonce-used-once", timed(CREATED, ';nonce="once"'), ok(subject="svc-ed"), repeat=1)
verify("max-age-custom", timed(NOW - 100), err("signature_expired"), config={"max_age": 30})

# Keys and algorithms.
verify("alg-other-than-key", timed(CREATED, ';alg="hmac-sha256"'), err("signature_algorithm_unsupported"))
verify("alg-unknown", timed(CREATED, ';alg="rsa-sha1"'), err("signature_algorithm_unsupported"))
verify("keyid-unknown", signed(good, default_lines(good), params(keyid="nobody"), keyid="nobody"),
       err("signature_key_unknown"))
verify("keyid-absent", signed(good, default_lines(good), params(keyid=None)), err("signature_key_unknown"))
verify("verify-secret-too-short", S, err("signature_secret_invalid"),
       keys=[ED_KEY, dict(HMAC_KEY, secret_b64=b64(bytes(15)))])
verify("public-key-of-wrong-type", S, err("signature_secret_invalid"),
       keys=[dict(ED_KEY, alg="ecdsa-p256-sha256")])

# Policy.
verify("required-component-not-covered", signed(good, ['"@authority": api.example.com',
       f'"content-digest": {DIGEST}'], params('("@authority" "content-digest")')),
       err("signature_component_missing"))
verify("content-digest-not-covered", signed(good, default_lines(good)[:2],
       params('("@method" "@target-uri")')), err("signature_component_missing"))
get = {"method": "GET", "target": "/orders?id=7", "scheme": "https",
       "headers": [["Host", "api.example.com"]]}
verify("no-body-no-digest-needed", signed(get, ['"@method": GET',
       '"@target-uri": https://api.example.com/orders?id=7'], params('("@method" "@target-uri")')),
       ok(subject="svc-ed"))
verify("tag-required-mismatch", timed(CREATED, ';tag="other"'), err("signature_mismatch"),
       config={"tag": "orders"})
verify("tag-required-ok", timed(CREATED, ';tag="orders"'), ok(subject="svc-ed"), config={"tag": "orders"})
verify("required-query-param", signed(get, ['"@method": GET', '"@target-uri": https://api.example.com/orders?id=7',
       '"@query-param";name="id": 7'], params('("@method" "@target-uri" "@query-param";name="id")')),
       ok(subject="svc-ed"), config={"required_components": ['@query-param;name="id"']})

# Headers absent or malformed.
verify("no-signature-headers", good, err("signature_missing"))
verify("signature-header-absent", set_header(S, "Signature", None), err("signature_missing"))
verify("signature-input-absent", set_header(S, "Signature-Input", None), err("signature_missing"))
for i, (si, sg) in enumerate([
        ("sig1=(", None), ('("@method")', None), ("sig1=(\"@method\"", None),
        (f'sig1="@method";created={CREATED};keyid="svc-ed"', None),
        (f'sig1=("@method");created="{CREATED}";keyid="svc-ed"', None),
        (f'sig1=("@method");created={CREATED};keyid=svc-ed', None),
        (f'sig1=("@method");created={CREATED}.5;keyid="svc-ed"', None),
        (f'sig1=("@method");created=-1;keyid="svc-ed"', None),
        (f'sig1=("@method");created={CREATED};keyid="svc-ed";nonce=1', None),
        (f'sig1=("@method");created={CREATED};keyid="svc-ed";tag=?1', None),
        (f'sig1=(@method);created={CREATED};keyid="svc-ed"', None),
        (None, 'sig1="AAAA"'), (None, "sig1=:AAAA"), (None, "sig1=(:AAAA:)"), (None, "sig1=::"),
        (None, "sig2=:AAAA:"),
        (f'sig1=("@method");created={CREATED};keyid="svc-ed", sig1=("@path");created={CREATED};keyid="svc-ed"', None),
        (None, "sig1=:AAAA:, sig1=:AAAA:")]):
    r = S
    if si is not None:
        r = set_header(r, "Signature-Input", si)
    if sg is not None:
        r = set_header(r, "Signature", sg)
    names = ["unterminated-inner-list", "list-not-dictionary", "unterminated-string",
             "member-not-inner-list", "created-is-string", "keyid-is-token", "created-is-decimal",
             "created-negative", "nonce-is-integer", "tag-is-boolean", "component-is-token",
             "signature-is-string", "signature-unterminated", "signature-is-inner-list",
             "signature-empty", "label-only-in-signature", "duplicate-label-input",
             "duplicate-label-signature"]
    verify(f"malformed-{names[i]}", r, err("signature_malformed"))

# Components misused.
def comp_case(id_, cover, expect, req=None, config=None):
    req = req or get
    p = params(cover)
    # The signature is over a made-up base: the case fails before the signature is checked.
    verify(id_, signed(req, ['"@method": GET'], p), expect,
           config=config or {"required_components": []})


comp_case("query-param-missing", '("@query-param";name="nope")', err("signature_component_missing"))
comp_case("query-param-repeated", '("@query-param";name="id")', err("signature_malformed"),
          req=alter(get, target="/orders?id=7&id=8"))
comp_case("query-param-without-name", '("@query-param")', err("signature_malformed"))
comp_case("query-param-name-not-string", '("@query-param";name=id)', err("signature_malformed"))
comp_case("sf-unknown-field", '("x-custom";sf)', err("signature_malformed"),
          req=set_header(get, "X-Custom", "a=1"))
comp_case("sf-unparsable", '("x-dict";sf)', err("signature_malformed"),
          req=set_header(get, "X-Dict", "a=(("), config={"required_components": [],
                                                          "structured_fields": {"x-dict": "dictionary"}})
comp_case("key-on-non-dictionary", '("x-list";key="a")', err("signature_malformed"),
          req=set_header(get, "X-List", "(a b), c"))
comp_case("key-member-missing", '("x-dict";key="zz")', err("signature_component_missing"),
          req=set_header(get, "X-Dict", "a=1, b=2"))
comp_case("bs-with-sf", '("content-type";bs;sf)', err("signature_malformed"),
          req=set_header(get, "Content-Type", "text/plain"))
comp_case("bs-with-key", '("x-dict";bs;key="a")', err("signature_malformed"),
          req=set_header(get, "X-Dict", "a=1"))
comp_case("sf-flag-false", '("x-dict";sf=?0)', err("signature_malformed"),
          req=set_header(get, "X-Dict", "a=1"))
comp_case("sf-flag-string", '("x-dict";sf="yes")', err("signature_malformed"),
          req=set_header(get, "X-Dict", "a=1"))
comp_case("sf-on-derived", '("@method";sf)', err("signature_malformed"))
comp_case("unknown-derived", '("@foo")', err("signature_malformed"))
comp_case("upper-case-name", '("Host")', err("signature_malformed"))
comp_case("duplicate-component", '("@method" "@method")', err("signature_malformed"))
comp_case("signature-params-covered", '("@signature-params")', err("signature_malformed"))
comp_case("status-on-request", '("@status")', err("signature_malformed"))
comp_case("req-on-request", '("@method";req)', err("signature_malformed"))
comp_case("unknown-parameter", '("host";foo)', err("signature_malformed"))
comp_case("trailer-not-supported", '("host";tr)', err("signature_malformed"))

# Responses.
resp = {"status": 200, "headers": [["Content-Type", "text/plain"]]}
rel = {"method": "POST", "target": "/foo", "headers": [["Host", "example.com"]]}
rp = params('("@status" "content-type" "@method";req "@authority";req)')
rlines = ['"@status": 200', '"content-type": text/plain', '"@method";req: POST',
          '"@authority";req: example.com']
signed_resp = signed(resp, rlines, rp)
add("response-with-req-valid", "portcullis", NOW, {"op": "verify", "keys": KEYS, "config": {},
    "response": signed_resp, "related_request": rel}, ok(subject="svc-ed"))
add("response-req-without-request", "portcullis", NOW, {"op": "verify", "keys": KEYS, "config": {},
    "response": signed_resp}, err("signature_component_missing"))
add("response-altered-status", "portcullis", NOW, {"op": "verify", "keys": KEYS, "config": {},
    "response": alter(signed_resp, status=201), "related_request": rel}, err("signature_mismatch"))
add("response-related-method-altered", "portcullis", NOW, {"op": "verify", "keys": KEYS, "config": {},
    "response": signed_resp, "related_request": alter(rel, method="PUT")}, err("signature_mismatch"))
add("response-status-not-covered", "portcullis", NOW, {"op": "verify", "keys": KEYS, "config": {},
    "response": signed(resp, ['"content-type": text/plain'], params('("content-type")'))},
    err("signature_component_missing"))
add("response-method-without-req", "portcullis", NOW, {"op": "verify", "keys": KEYS,
    "config": {"required_response_components": []},
    "response": signed(resp, ['"@method": POST'], params('("@method")')), "related_request": rel},
    err("signature_malformed"))

# Signing refusals and configuration.
add("sign-hmac-secret-31-bytes", "portcullis", NOW, {"op": "sign",
    "key": dict(HMAC_KEY, secret_b64=b64(bytes(31))), "request": good, "spec": {}},
    err("signature_secret_invalid"))
add("sign-bad-label", "portcullis", NOW, {"op": "sign", "key": HMAC_KEY, "request": good,
    "spec": {"label": "Sig1"}}, err("invalid_argument"))
add("sign-uncovered-header-absent", "portcullis", NOW, {"op": "sign", "key": HMAC_KEY,
    "request": good, "spec": {"components": ["x-absent"]}}, err("signature_component_missing"))
add("sign-ecdsa-key-for-ed25519", "portcullis", NOW, {"op": "sign",
    "key": {"keyid": "k", "alg": "ed25519", "pem": P256_PRIV}, "request": good, "spec": {}},
    err("signature_secret_invalid"))
verify("config-unknown-field", S, err("json_invalid"), config={"leway": 5})
verify("config-leeway-too-large", S, err("config_invalid"), config={"leeway": 301})
verify("config-bad-required-component", S, err("config_invalid"),
       config={"required_components": ["@nope"]})

# Adversarial review (issue 19): algorithm confusion and key abuse in RFC 9421.
ADV = "adversarial review: "


def hmac_signed(keyid, secret, extra=""):
    p = params(keyid=keyid, extra=extra)
    base = "\n".join(default_lines(good) + [f'"@signature-params": {p}'])
    return signed(good, default_lines(good), p,
                  signature="sig1=:" + b64(hmac.new(secret, base.encode(), hashlib.sha256).digest()) + ":")


for id_, keyid, pem, extra, code in [
    ("hmac-keyed-with-ed25519-pem", "svc-ed", ED_PUB, ';alg="hmac-sha256"', "signature_algorithm_unsupported"),
    ("hmac-keyed-with-ed25519-pem-no-alg", "svc-ed", ED_PUB, "", "signature_mismatch"),
    ("hmac-keyed-with-rsa-pem", "svc-rsa", RSA_PUB, ';alg="hmac-sha256"', "signature_algorithm_unsupported"),
    ("hmac-keyed-with-p256-pem-no-alg", "svc-p256", P256_PUB, "", "signature_mismatch"),
]:
    verify("adv-" + id_, hmac_signed(keyid, pem.encode(), extra), err(code),
           src=ADV + "RFC 9421 3.3.7: a key is bound to one algorithm; a public key never keys HMAC")
verify("adv-config-hmac-secret-is-public-pem", hmac_signed("svc-hmac", ED_PUB.encode()),
       err("signature_secret_invalid"),
       keys=[ED_KEY, dict(HMAC_KEY, secret_b64=b64(ED_PUB.encode()))],
       src=ADV + "key material (PEM, DER, JWK, SSH) is refused as an HMAC secret, as in JWT key sets")
add("adv-sign-hmac-secret-is-public-pem", ADV + "the signer refuses it too", NOW,
    {"op": "sign", "key": dict(HMAC_KEY, secret_b64=b64(RSA_PUB.encode())), "request": good,
     "spec": {}}, err("signature_secret_invalid"))
for id_, keyid, alg in [("ed25519-alg-on-p256-key", "svc-p256", "ed25519"),
                        ("alg-upper-case", "svc-ed", "ED25519"),
                        ("pss-alg-on-v1_5-key", "svc-rsa", "rsa-pss-sha512"),
                        ("p384-alg-on-p256-key", "svc-p256", "ecdsa-p384-sha384"),
                        ("alg-empty", "svc-ed", "")]:
    verify("adv-" + id_, signed(good, default_lines(good), params(keyid=keyid, extra=f';alg="{alg}"'),
                                keyid=keyid if keyid != "svc-p256" else "svc-p256"),
           err("signature_algorithm_unsupported"),
           src=ADV + "RFC 9421 3.2: alg, when present, must be the key's algorithm")
verify("adv-keyid-with-comma", signed(good, default_lines(good), params(keyid="svc-ed,svc-hmac")),
       err("signature_key_unknown"), src=ADV + "keyid is matched exactly")
verify("adv-created-16-digits", signed(good, default_lines(good), params(created=10 ** 15)),
       err("signature_malformed"), src=ADV + "RFC 8941 3.3.1: integers have at most 15 digits")
verify("adv-created-15-digits", signed(good, default_lines(good), params(created=10 ** 15 - 1)),
       err("signature_not_yet_valid"), src=ADV + "the largest structured-field integer as created")

doc = {"description": "portcullis shared vectors (httpsig, RFC 9421); written by gen_httpsig.py",
       "cases": cases}
with open(os.path.join(HERE, "httpsig.json"), "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
neg = sum(1 for c in cases if "error" in c["expect"])
print(f"{len(cases)} cases, {neg} negative", file=sys.stderr)
