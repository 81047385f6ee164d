#!/usr/bin/env python3
"""Turns the shared JSON vectors into a C table for the C vector runner (tests/c/test_vectors.c,
tests/c/vectors_sig.c, tests/c/vectors_jwt.c, tests/c/vectors_mtls.c, tests/c/vectors_jwks.c,
tests/c/vectors_gate.c, tests/c/vectors_dpop.c; types in tests/c/vectors.h).

Usage: gen_vectors.py OUT.h tests/vectors/apikey.json tests/vectors/basic.json \
           tests/vectors/webhook.json tests/vectors/hmac.json tests/vectors/httpsig.json \
           tests/vectors/jwt.json tests/vectors/mtls/mtls.json tests/vectors/jwks.json \
           tests/vectors/gate.json tests/vectors/oauth_rs.json tests/vectors/dpop.json

Every case of every file becomes one `vcase` (C string literals with explicit lengths, every
byte escaped safely). The generator refuses what the C runner could not check faithfully: an
unknown `op`, an unknown input, message or expectation field, a scope holding whitespace, a
value the C API cannot carry (an empty message id, which the C API reads as "none"). A case is
never skipped.
"""

import base64
import json
import os
import sys

# The files in gate.json's format (tests/vectors/GATE.md), run by the gate runner.
GATE_FORMAT = {"gate", "oauth_rs"}

OPS = {
    "apikey": {"verify", "verify_record", "check_format", "lookup_digest"},
    "basic": {"parse", "verify", "load"},
    "webhook": {"verify", "sign"},
    "hmac": {"hmac", "content_digest", "content_digest_verify", "canonical_request", "sign",
             "verify", "verify_sequence"},
    "httpsig": {"verify", "signature_base", "sign"},
    "jwt": {"verify", "verify_jws", "sign", "thumbprint"},
    "mtls": {"verify", "thumbprint", "confirm"},
    "jwks": {"verify_remote", "jwks_config"},
    "gate": {"check", "load"},
    "dpop": {"load", "verify", "verify_request", "nonce", "algs", "thumbprint"},
}
INPUT_FIELDS = {
    "apikey": {"op", "pepper_hex", "config", "records", "record", "request", "scopes", "key"},
    "basic": {"op", "config", "request", "header", "header_b64"},
    "webhook": {"op", "config", "request", "times", "scheme", "secret", "message_id",
                "timestamp", "body"},
    "hmac": {"op", "algorithm", "key_hex", "data_hex", "tag_hex", "body", "header", "request",
             "params", "key", "options", "config", "steps"},
    "httpsig": {"op", "keys", "config", "request", "response", "related_request", "repeat",
                "signature_params", "structured_fields", "key", "spec"},
    "jwt": {"op", "keys", "config", "token", "scopes", "revoked", "key", "claims", "header",
            "jwk"},
    "mtls": {"op", "config", "chain_b64", "peer_address", "request", "cert_b64", "claims"},
    "jwks": {"op", "responses", "config", "jwt_config", "token", "times", "scopes"},
    "gate": {"op", "config", "format", "text", "requests"},
}
PRINCIPAL_FIELDS = {"subject", "method", "credential_id", "scopes", "claims", "claims_canonical",
                    "expires_at"}
OK_FIELDS = {
    "apikey": PRINCIPAL_FIELDS | {"environment", "digest"},
    "basic": PRINCIPAL_FIELDS | {"user_id", "password", "users"},
    "webhook": PRINCIPAL_FIELDS | {"headers"},
    "hmac": PRINCIPAL_FIELDS | {"mac_hex", "valid", "value", "algorithm", "canonical",
                                "authorization", "content_digest", "results"},
    "httpsig": PRINCIPAL_FIELDS | {"base", "signature_input", "signature"},
    "jwt": PRINCIPAL_FIELDS | {"alg", "kid", "payload_b64", "token", "thumbprint"},
    "mtls": PRINCIPAL_FIELDS | {"x5t#S256"},
    "jwks": PRINCIPAL_FIELDS,
}
EXPECT_FIELDS = {"ok", "error", "challenge"}
JWKS_EXPECT_FIELDS = EXPECT_FIELDS | {"requests"}
ROUTE_FIELDS = {"path", "status", "headers", "body"}
TEXT_FIELDS = ("subject", "method", "credential_id", "environment", "digest", "user_id",
               "password", "value", "algorithm", "canonical", "authorization", "content_digest",
               "base", "signature_input", "signature", "alg", "kid", "token", "thumbprint")
REQUEST_FIELDS = {"method", "target", "headers", "headers_b64", "body", "body_b64", "scheme"}
RESPONSE_FIELDS = {"status", "headers", "headers_b64", "body", "body_b64"}
STEP_FIELDS = {"request", "now"}
HMAC_KEY_FIELDS = {"key_id", "algorithm", "secret_b64"}
HTTPSIG_KEY_FIELDS = {"keyid", "alg", "secret_b64", "pem"}
JWT_KEY_FIELDS = {"jwks", "jwk", "alg", "pem", "secret_b64", "kid"}
JWT_KEY_KINDS = ("secret_b64", "pem", "jwk", "jwks")  # JWTK_SECRET, _PEM, _JWK, _JWKS


class VectorError(Exception):
    pass


def lit(data):
    """A C initializer `{"...", N}` for `data` (bytes or str), or `{NULL, 0}` for None."""
    if data is None:
        return "{NULL, 0}"
    if isinstance(data, str):
        data = data.encode("utf-8")
    out = []
    for b in data:
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F and c != "?":  # no trigraphs
            out.append(c)
        else:
            out.append("\\%03o" % b)  # octal escapes stop after 3 digits: never greedy
    return '{"%s", %d}' % ("".join(out), len(data))


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def b64(text, what, cid):
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as e:
        raise VectorError("%s: %s is not base64 (%s)" % (cid, what, e))


def strict_keys(what, got, allowed, case_id):
    if not isinstance(got, dict):
        raise VectorError("%s: %s is not an object" % (case_id, what))
    unknown = set(got) - allowed
    if unknown:
        raise VectorError("%s: unknown %s field(s) %s" % (case_id, what, sorted(unknown)))


def text_of(value, what, cid):
    if not isinstance(value, str):
        raise VectorError("%s: %s is not a string" % (cid, what))
    return value


class Emitter:
    def __init__(self):
        self.decls = []
        self.cases = []
        self.serial = 0

    def array(self, ctype, prefix, items):
        """Declares a static array of initializers; returns its name (or NULL when empty)."""
        if not items:
            return "NULL"
        self.serial += 1
        name = "%s_%d" % (prefix, self.serial)
        self.decls.append("static const %s %s[] = {\n%s\n};"
                          % (ctype, name, ",\n".join("    " + i for i in items)))
        return name

    def headers(self, pairs):
        return self.array("vheader", "headers",
                          ["{%s, %s}" % (lit(n), lit(v)) for n, v in pairs])

    def message(self, msg, is_response, cid, now=None):
        """A `vmsg` initializer for a request or response object."""
        strict_keys("response" if is_response else "request", msg,
                    RESPONSE_FIELDS if is_response else REQUEST_FIELDS, cid)
        pairs = []
        for name, value in msg.get("headers", []):
            pairs.append((text_of(name, "header name", cid), text_of(value, "header value", cid)
                          .encode("utf-8")))
        for name, value in msg.get("headers_b64", []):
            pairs.append((text_of(name, "header name", cid), b64(value, "header value", cid)))
        fields = [".present = 1", ".is_response = %d" % is_response]
        if is_response:
            fields.append(".status = %d" % int(msg["status"]))
        else:
            fields.append(".method = %s" % lit(text_of(msg["method"], "method", cid)))
            fields.append(".target = %s" % lit(text_of(msg["target"], "target", cid)))
            if "scheme" in msg:
                fields.append(".has_scheme = 1")
                fields.append(".scheme = %s" % lit(text_of(msg["scheme"], "scheme", cid)))
        fields.append(".headers = %s" % self.headers(pairs))
        fields.append(".n_headers = %d" % len(pairs))
        body = body_of(msg, cid)
        if body is not None:
            fields.append(".has_body = 1")
            fields.append(".body = %s" % lit(body))
        if now is not None:
            fields.append(".has_now = 1")
            fields.append(".now = %dLL" % int(now))
        return "{" + ", ".join(fields) + "}"

    def key(self, key, fields_allowed, cid):
        """A `vkey` initializer: an HMAC secret (decoded) or a PEM, with its id and algorithm."""
        strict_keys("key", key, fields_allowed, cid)
        keyid = key.get("keyid", key.get("key_id"))
        alg = key.get("alg", key.get("algorithm"))
        if ("secret_b64" in key) == ("pem" in key):
            raise VectorError("%s: a key needs exactly one of secret_b64 / pem" % cid)
        if fields_allowed is HTTPSIG_KEY_FIELDS and ("secret_b64" in key) != (alg == "hmac-sha256"):
            raise VectorError("%s: an hmac-sha256 key takes secret_b64, other keys a pem" % cid)
        if fields_allowed is HMAC_KEY_FIELDS and "secret_b64" not in key:
            raise VectorError("%s: a PCS1 key needs secret_b64" % cid)
        if "secret_b64" in key:
            material, is_secret = b64(key["secret_b64"], "secret_b64", cid), 1
        else:
            material, is_secret = text_of(key["pem"], "pem", cid), 0
        return "{%s, %s, %d, %s}" % (lit(text_of(keyid, "keyid", cid)),
                                     lit(text_of(alg, "algorithm", cid)), is_secret,
                                     lit(material))


def jwt_key(key, cid):
    """A `vjwtkey` initializer: one key entry of jwt.json (tests/vectors/JWT.md)."""
    strict_keys("JWT key", key, JWT_KEY_FIELDS, cid)
    kinds = [k for k in JWT_KEY_KINDS if k in key]
    if len(kinds) != 1:
        raise VectorError("%s: a JWT key needs exactly one of %s" % (cid, JWT_KEY_KINDS))
    kind = kinds[0]
    if kind == "jwks" and ("alg" in key or "kid" in key):
        raise VectorError("%s: a jwks entry takes no alg or kid" % cid)
    if kind in ("secret_b64", "pem") and "alg" not in key:
        raise VectorError("%s: a %s key needs an alg" % (cid, kind))
    if kind == "jwk" and "kid" in key:
        raise VectorError("%s: a jwk entry carries its kid inside the JWK" % cid)
    if kind == "secret_b64":
        material = b64(key["secret_b64"], "secret_b64", cid)
    elif kind == "pem":
        material = text_of(key["pem"], "pem", cid)
    else:
        if not isinstance(key[kind], dict):
            raise VectorError("%s: %s is not an object" % (cid, kind))
        material = json.dumps(key[kind])
    alg = key.get("alg")
    kid = key.get("kid")
    return "{%d, %s, %d, %s, %s}" % (
        JWT_KEY_KINDS.index(kind),
        lit(text_of(alg, "alg", cid) if alg is not None else None),
        "kid" in key, lit(text_of(kid, "kid", cid) if kid is not None else None),
        lit(material))


def body_of(obj, cid):
    """`body` (UTF-8 text) or `body_b64`; neither (or null) is None: no body."""
    if obj.get("body") is not None and obj.get("body_b64") is not None:
        raise VectorError("%s: both body and body_b64" % cid)
    if obj.get("body") is not None:
        return text_of(obj["body"], "body", cid).encode("utf-8")
    if obj.get("body_b64") is not None:
        return b64(obj["body_b64"], "body_b64", cid)
    return None


def emit_inputs(em, kind, inp, cid, fields):
    op = inp["op"]
    if "pepper_hex" in inp:
        fields.append(".pepper = %s" % lit(bytes.fromhex(inp["pepper_hex"])))
    if "config" in inp:
        config = inp["config"]
        fields.append(".has_config = 1")
        fields.append(".config_json = %s" % lit(json.dumps(config)))
        env = config.get("environment") if kind == "apikey" and isinstance(config, dict) else None
        fields.append(".config_env = %s" % lit(env))
    if "request" in inp:
        fields.append(".request = %s" % em.message(inp["request"], 0, cid))
    if "response" in inp:
        fields.append(".response = %s" % em.message(inp["response"], 1, cid))
    if "related_request" in inp:
        fields.append(".related = %s" % em.message(inp["related_request"], 0, cid))
    if "scopes" in inp:
        for s in inp["scopes"]:
            if not s or any(ch.isspace() for ch in s):
                raise VectorError("%s: scope %r cannot travel space-separated" % (cid, s))
        fields.append(".scopes = %s" % lit(" ".join(inp["scopes"])))
    if "records" in inp:
        recs = [lit(json.dumps(r)) for r in inp["records"]]
        fields.append(".records = %s" % em.array("vbytes", "records", recs))
        fields.append(".n_records = %d" % len(recs))
    if "record" in inp:
        fields.append(".record = %s" % lit(json.dumps(inp["record"])))
        fields.append(".has_record = 1")
    if kind == "jwt":
        emit_jwt_inputs(em, inp, cid, fields)
        return
    if kind == "mtls":
        emit_mtls_inputs(em, inp, cid, fields)
        return
    if kind == "jwks":
        emit_jwks_inputs(em, inp, cid, fields)
        return
    if "key" in inp:
        if kind == "apikey":
            fields.append(".key = %s" % lit(text_of(inp["key"], "key", cid)))
        else:
            allowed = HMAC_KEY_FIELDS if kind == "hmac" else HTTPSIG_KEY_FIELDS
            fields.append(".signing_key = %s" % em.key(inp["key"], allowed, cid))
    if "header" in inp and "header_b64" in inp:
        raise VectorError("%s: both header and header_b64" % cid)
    if "header" in inp:
        fields.append(".header = %s" % lit(text_of(inp["header"], "header", cid)))
    if "header_b64" in inp:
        fields.append(".header = %s" % lit(b64(inp["header_b64"], "header_b64", cid)))
    body = body_of(inp, cid)
    if body is not None:
        fields.append(".has_body = 1")
        fields.append(".body = %s" % lit(body))
    for name in ("scheme", "secret", "algorithm", "signature_params"):
        if name in inp:
            fields.append(".%s = %s" % (name, lit(text_of(inp[name], name, cid))))
    if op == "content_digest" and not inp.get("algorithm"):
        raise VectorError("%s: content_digest needs an algorithm (length 0 means sha-256)" % cid)
    if "message_id" in inp and inp["message_id"] is not None:
        if inp["message_id"] == "":
            raise VectorError("%s: an empty message id reads as none in the C API" % cid)
        fields.append(".message_id = %s" % lit(text_of(inp["message_id"], "message_id", cid)))
    if "timestamp" in inp:
        fields.append(".timestamp = %dLL" % int(inp["timestamp"]))
    for name in ("times", "repeat"):
        if name in inp:
            if int(inp[name]) < 1:
                raise VectorError("%s: %s must be at least 1" % (cid, name))
            fields.append(".times = %d" % int(inp[name]))
    for name, field in (("key_hex", "key_bytes"), ("data_hex", "data")):
        if name in inp:
            fields.append(".%s = %s" % (field, lit(bytes.fromhex(inp[name]))))
    if "tag_hex" in inp:
        fields.append(".has_tag = 1")
        fields.append(".tag = %s" % lit(bytes.fromhex(inp["tag_hex"])))
    for name, field in (("params", "params_json"), ("options", "options_json"),
                        ("spec", "spec_json"), ("structured_fields", "sf_json")):
        if name in inp:
            fields.append(".%s = %s" % (field, lit(json.dumps(inp[name]))))
    if "keys" in inp:
        keys = [em.key(k, HTTPSIG_KEY_FIELDS, cid) for k in inp["keys"]]
        fields.append(".keys = %s" % em.array("vkey", "keys", keys))
        fields.append(".n_keys = %d" % len(keys))
    if "steps" in inp:
        steps = []
        for step in inp["steps"]:
            strict_keys("step", step, STEP_FIELDS, cid)
            steps.append(em.message(step["request"], 0, cid, step.get("now")))
        if not steps:
            raise VectorError("%s: verify_sequence without steps" % cid)
        fields.append(".steps = %s" % em.array("vmsg", "steps", steps))
        fields.append(".n_steps = %d" % len(steps))
    needs_message = {("httpsig", "verify"), ("httpsig", "signature_base"), ("httpsig", "sign")}
    if (kind, op) in needs_message and ("request" in inp) == ("response" in inp):
        raise VectorError("%s: needs exactly one of request / response" % cid)


def emit_jwt_inputs(em, inp, cid, fields):
    """The jwt.json inputs (config and scopes were handled by emit_inputs)."""
    op = inp["op"]
    if "keys" in inp:
        keys = [jwt_key(k, cid) for k in inp["keys"]]
        fields.append(".jwt_keys = %s" % em.array("vjwtkey", "jwtkeys", keys))
        fields.append(".n_jwt_keys = %d" % len(keys))
    if "key" in inp:
        fields.append(".jwt_key = %s" % jwt_key(inp["key"], cid))
    if "token" in inp:
        fields.append(".token = %s" % lit(text_of(inp["token"], "token", cid)))
    if "revoked" in inp:
        jtis = [lit(text_of(j, "revoked jti", cid)) for j in inp["revoked"]]
        fields.append(".revoked = %s" % em.array("vbytes", "revoked", jtis))
        fields.append(".n_revoked = %d" % len(jtis))
    for name, field in (("claims", "claims_json"), ("header", "header_json"), ("jwk", "jwk_json")):
        if name in inp:
            if not isinstance(inp[name], dict):
                raise VectorError("%s: %s is not an object" % (cid, name))
            fields.append(".%s = %s" % (field, lit(json.dumps(inp[name]))))
    needs = {"verify": ("keys", "config", "token"), "verify_jws": ("keys", "config", "token"),
             "sign": ("key", "claims", "header"), "thumbprint": ("jwk",)}
    for name in needs[op]:
        if name not in inp:
            raise VectorError("%s: %s needs %s" % (cid, op, name))


def emit_mtls_inputs(em, inp, cid, fields):
    """The mtls/mtls.json inputs (config and request were handled by emit_inputs)."""
    op = inp["op"]
    if "chain_b64" in inp:
        if not isinstance(inp["chain_b64"], list):
            raise VectorError("%s: chain_b64 is not a list" % cid)
        ders = [lit(b64(d, "chain_b64", cid)) for d in inp["chain_b64"]]
        fields.append(".chain = %s" % em.array("vbytes", "chain", ders))
        fields.append(".n_chain = %d" % len(ders))
    if "peer_address" in inp:
        fields.append(".peer_address = %s" % lit(text_of(inp["peer_address"], "peer_address",
                                                         cid)))
    if "cert_b64" in inp:
        fields.append(".cert = %s" % lit(b64(inp["cert_b64"], "cert_b64", cid)))
    if "claims" in inp:
        # Any JSON value: the core answers a non-object with jwt_confirmation_mismatch.
        fields.append(".claims_json = %s" % lit(json.dumps(inp["claims"])))
    needs = {"verify": ("config", "chain_b64"), "thumbprint": ("cert_b64",),
             "confirm": ("cert_b64", "claims")}
    for name in needs[op]:
        if name not in inp:
            raise VectorError("%s: %s needs %s" % (cid, op, name))


def emit_jwks_inputs(em, inp, cid, fields):
    """The jwks.json inputs (config and scopes were handled by emit_inputs)."""
    op = inp["op"]
    if "responses" in inp:
        routes = []
        for r in inp["responses"]:
            strict_keys("response", r, ROUTE_FIELDS, cid)
            pairs = [(text_of(n, "header name", cid), text_of(v, "header value", cid))
                     for n, v in r.get("headers", [])]
            body = r.get("body", "")
            if isinstance(body, (dict, list)):
                body = compact(body)
            routes.append("{%s, %d, %s, %d, %s}" % (
                lit(text_of(r["path"], "path", cid)), int(r["status"]), em.headers(pairs),
                len(pairs), lit(text_of(body, "body", cid))))
        fields.append(".routes = %s" % em.array("vroute", "routes", routes))
        fields.append(".n_routes = %d" % len(routes))
    if "jwt_config" in inp:
        if not isinstance(inp["jwt_config"], dict):
            raise VectorError("%s: jwt_config is not an object" % cid)
        fields.append(".jwt_config = %s" % lit(json.dumps(inp["jwt_config"])))
    if "token" in inp:
        fields.append(".token = %s" % lit(text_of(inp["token"], "token", cid)))
    if "times" in inp:
        if int(inp["times"]) < 1:
            raise VectorError("%s: times must be at least 1" % cid)
        fields.append(".times = %d" % int(inp["times"]))
    needs = {"verify_remote": ("responses", "config", "token"), "jwks_config": ("config",)}
    for name in needs[op]:
        if name not in inp:
            raise VectorError("%s: %s needs %s" % (cid, op, name))


def emit_expect(em, kind, exp, cid, fields):
    strict_keys("expect", exp, JWKS_EXPECT_FIELDS if kind == "jwks" else EXPECT_FIELDS, cid)
    if "requests" in exp:
        if not isinstance(exp["requests"], int) or exp["requests"] < 0:
            raise VectorError("%s: expect.requests is not a count" % cid)
        fields.append(".has_requests = 1")
        fields.append(".want_requests = %d" % exp["requests"])
    if ("ok" in exp) == ("error" in exp):
        raise VectorError("%s: expect needs exactly one of ok / error" % cid)
    fields.append(".expect_ok = %d" % ("ok" in exp))
    fields.append(".error = %s" % lit(exp.get("error")))
    fields.append(".has_challenge = %d" % ("challenge" in exp))
    fields.append(".challenge = %s" % lit(exp.get("challenge")))
    ok = exp.get("ok") or {}
    strict_keys("ok", ok, OK_FIELDS[kind], cid)

    for field in TEXT_FIELDS:
        if field in ok:
            value = ok[field]
            if value is not None and not isinstance(value, str):
                raise VectorError("%s: ok.%s is not a string" % (cid, field))
            fields.append(".has_%s = 1" % field)
            fields.append(".%s_null = %d" % (field, value is None))
            fields.append(".want_%s = %s" % (field, lit(value)))
    if "x5t#S256" in ok:
        fields.append(".has_thumbprint = 1")
        fields.append(".want_thumbprint = %s" % lit(text_of(ok["x5t#S256"], "x5t#S256", cid)))
    if "scopes" in ok:
        fields.append(".has_scopes = 1")
        fields.append(".want_scopes = %s" % lit(" ".join(ok["scopes"])))
    if "claims" in ok or "claims_canonical" in ok:
        claims = ok.get("claims_canonical")
        if claims is None:
            claims = canonical(ok["claims"])
        elif "claims" in ok and json.loads(claims) != ok["claims"]:
            raise VectorError("%s: claims_canonical differs from claims" % cid)
        fields.append(".has_claims = 1")
        fields.append(".want_claims = %s" % lit(claims))
    if "expires_at" in ok:
        fields.append(".has_expires_at = 1")
        if ok["expires_at"] is None:
            fields.append(".expires_at_null = 1")
        else:
            fields.append(".want_expires_at = %dLL" % int(ok["expires_at"]))
    if "payload_b64" in ok:
        fields.append(".has_payload = 1")
        fields.append(".want_payload = %s" % lit(b64(ok["payload_b64"], "payload_b64", cid)))
    if "users" in ok:
        fields.append(".has_users = 1")
        fields.append(".want_users = %d" % int(ok["users"]))
    if "mac_hex" in ok:
        fields.append(".has_mac = 1")
        fields.append(".want_mac = %s" % lit(bytes.fromhex(ok["mac_hex"])))
    if "valid" in ok:
        if ok["valid"] is not True:
            raise VectorError("%s: ok.valid can only be true" % cid)
        fields.append(".has_valid = 1")
    if "headers" in ok:
        pairs = [(text_of(n, "header name", cid), text_of(v, "header value", cid))
                 for n, v in ok["headers"]]
        fields.append(".has_headers = 1")
        fields.append(".want_headers = %s" % em.headers(pairs))
        fields.append(".n_want_headers = %d" % len(pairs))
    if "results" in ok:
        results = [lit(text_of(r, "result", cid)) for r in ok["results"]]
        fields.append(".has_results = 1")
        fields.append(".want_results = %s" % em.array("vbytes", "results", results))
        fields.append(".n_want_results = %d" % len(results))


def emit_case(em, kind, case):
    cid = case["id"]
    inp = case["input"]
    op = inp.get("op")
    if op not in OPS[kind]:
        raise VectorError("%s: unknown op %r in %s.json" % (cid, op, kind))
    strict_keys("input", inp, INPUT_FIELDS[kind], cid)
    fields = [".id = %s" % lit(cid), ".kind = %s" % lit(kind), ".op = %s" % lit(op),
              ".now = %dLL" % int(case["now"])]
    emit_inputs(em, kind, inp, cid, fields)
    emit_expect(em, kind, case["expect"], cid, fields)
    em.cases.append("    {\n        " + ",\n        ".join(fields) + ",\n    }")


# ---------------------------------------------------------------- gate.json (tests/vectors/GATE.md)

GATE_FILE_FIELDS = {"description", "secrets", "configs", "cases"}
GATE_CASE_FIELDS = {"id", "source", "config", "input", "expect", "now"}
GATE_REQUEST_EXTRA = {"now", "peer_address", "peer_certificates_b64", "scopes"}
GATE_DECISION_FIELDS = {"allowed", "status", "route", "credential", "subject", "code",
                        "challenges", "headers", "retry_after", "problem"}


def detected_format(text):
    """The format the C API reads `text` as (the core's Format::detect)."""
    return "json" if text.lstrip().startswith("{") else "toml"


def gate_request(em, r, cid):
    strict_keys("gate request", r, REQUEST_FIELDS | GATE_REQUEST_EXTRA, cid)
    if not isinstance(r.get("now"), int):
        raise VectorError("%s: a gate request needs an integer now" % cid)
    msg = {k: v for k, v in r.items() if k not in GATE_REQUEST_EXTRA}
    certs = [lit(b64(d, "peer_certificates_b64", cid)) for d in r.get("peer_certificates_b64", [])]
    address = r.get("peer_address")
    scopes = r.get("scopes")
    if scopes is not None and (not isinstance(scopes, list)
                               or not all(isinstance(x, str) for x in scopes)):
        raise VectorError("%s: a gate request's scopes are a list of strings" % cid)
    if scopes is not None and any(x == "" or any(c.isspace() for c in x) for x in scopes):
        raise VectorError("%s: C passes scopes space-separated: none may be empty or hold "
                          "a space" % cid)
    return "{%s, %s, %s, %d, %s}" % (
        em.message(msg, 0, cid, r["now"]),
        lit(text_of(address, "peer_address", cid) if address is not None else None),
        em.array("vbytes", "certs", certs), len(certs),
        # The C API takes them space-separated; NULL: check without (portcullis_gate_check).
        lit(" ".join(scopes) if scopes is not None else None))


def gate_text(d, name, cid, fields):
    """An optional name that may be null: has_, _null and the value."""
    if name not in d:
        return
    value = d[name]
    if value is not None and not isinstance(value, str):
        raise VectorError("%s: decision %s is not a string or null" % (cid, name))
    if value == "":
        raise VectorError("%s: an empty %s reads as none in the C API" % (cid, name))
    fields.append(".has_%s = 1, .%s_null = %d, .%s = %s"
                  % (name, name, value is None, name, lit(value)))


def gate_decision(em, d, cid):
    strict_keys("decision", d, GATE_DECISION_FIELDS, cid)
    if not isinstance(d.get("allowed"), bool) or not isinstance(d.get("status"), int):
        raise VectorError("%s: a decision needs allowed (bool) and status (int)" % cid)
    fields = [".allowed = %d" % d["allowed"], ".status = %d" % d["status"]]
    for name in ("route", "credential", "code"):
        gate_text(d, name, cid, fields)
    if "subject" in d:
        fields.append(".has_subject = 1, .subject = %s" % lit(text_of(d["subject"], "subject", cid)))
    if "challenges" in d:
        items = [lit(text_of(c, "challenge", cid)) for c in d["challenges"]]
        fields.append(".has_challenges = 1, .challenges = %s, .n_challenges = %d"
                      % (em.array("vbytes", "challenges", items), len(items)))
    if "headers" in d:
        pairs = [(text_of(n, "header name", cid), text_of(v, "header value", cid))
                 for n, v in d["headers"]]
        fields.append(".has_headers = 1, .headers = %s, .n_headers = %d"
                      % (em.headers(pairs), len(pairs)))
    if "retry_after" in d:
        value = d["retry_after"]
        if value is not None and (not isinstance(value, int) or value < 0):
            raise VectorError("%s: retry_after is not a count of seconds" % cid)
        fields.append(".has_retry_after = 1, .retry_after_null = %d, .retry_after = %dULL"
                      % (value is None, value or 0))
    if "problem" in d:
        problem = d["problem"]
        if problem is not None:
            if not isinstance(problem, dict) or any(isinstance(v, (dict, list))
                                                    for v in problem.values()):
                raise VectorError("%s: the C runner compares flat problem objects" % cid)
            problem = canonical(problem)
        fields.append(".has_problem = 1, .problem_null = %d, .problem = %s"
                      % (problem is None, lit(problem)))
    return "{" + ", ".join(fields) + "}"


def emit_gate_case(em, case, doc, base_dir, secrets_array, n_secrets):
    cid = case["id"]
    strict_keys("case", case, GATE_CASE_FIELDS, cid)
    inp = case["input"]
    op = inp.get("op")
    if op not in OPS["gate"]:
        raise VectorError("%s: unknown op %r in gate.json" % (cid, op))
    strict_keys("input", inp, INPUT_FIELDS["gate"], cid)
    exp = case["expect"]
    # GATE.md's example puts the shared config's name beside `input`; gate.json puts it inside.
    if "config" in case and "config" in inp:
        raise VectorError("%s: config named twice" % cid)
    config_name = inp.get("config", case.get("config"))
    if config_name is not None:
        if "text" in inp or "format" in inp:
            raise VectorError("%s: both a shared config and inline text" % cid)
        config = doc.get("configs", {}).get(config_name)
        if not isinstance(config, dict):
            raise VectorError("%s: no config named %r" % (cid, config_name))
        text = json.dumps(config)
    else:
        text = text_of(inp.get("text"), "text", cid)
        if inp.get("format") not in ("toml", "json"):
            raise VectorError("%s: inline text needs format toml or json" % cid)
        if detected_format(text) != inp["format"]:
            raise VectorError("%s: the C API would read this %s text as %s (it detects JSON by a "
                              "leading '{')" % (cid, inp["format"], detected_format(text)))
    fields = [".config = %s" % lit(text), ".is_load = %d" % (op == "load"),
              ".base_dir = %s" % lit(base_dir), ".secrets = %s" % secrets_array,
              ".n_secrets = %d" % n_secrets]
    case_fields = [".id = %s" % lit(cid), ".kind = %s" % lit("gate"), ".op = %s" % lit(op),
                   ".now = %dLL" % int(case.get("now", 0))]
    if op == "load":
        strict_keys("expect", exp, {"error", "detail"}, cid)
        if "requests" in inp:
            raise VectorError("%s: a load case has no requests" % cid)
        fields.append(".detail = %s" % lit(text_of(exp["detail"], "detail", cid)))
        case_fields += [".expect_ok = 0", ".error = %s" % lit(text_of(exp["error"], "error", cid))]
    else:
        strict_keys("expect", exp, {"decisions"}, cid)
        requests = inp.get("requests")
        decisions = exp.get("decisions")
        if not isinstance(requests, list) or not requests:
            raise VectorError("%s: a check case needs requests" % cid)
        if not isinstance(decisions, list) or len(decisions) != len(requests):
            raise VectorError("%s: one decision per request" % cid)
        reqs = [gate_request(em, r, cid) for r in requests]
        decs = [gate_decision(em, d, cid) for d in decisions]
        fields += [".requests = %s" % em.array("vgate_request", "gate_requests", reqs),
                   ".n_requests = %d" % len(reqs),
                   ".decisions = %s" % em.array("vgate_decision", "gate_decisions", decs),
                   ".n_decisions = %d" % len(decs)]
        case_fields.append(".expect_ok = 1")
    em.serial += 1
    name = "gate_%d" % em.serial
    em.decls.append("static const vgate %s = {%s};" % (name, ", ".join(fields)))
    case_fields.append(".gate = &%s" % name)
    em.cases.append("    {\n        " + ",\n        ".join(case_fields) + ",\n    }")


def emit_gate_file(em, doc, path):
    strict_keys("gate file", doc, GATE_FILE_FIELDS, path)
    secrets = doc.get("secrets", {})
    if not isinstance(secrets, dict):
        raise VectorError("%s: secrets is not an object" % path)
    pairs = [(text_of(k, "secret name", path), text_of(v, "secret value", path).encode("utf-8"))
             for k, v in sorted(secrets.items())]
    secrets_array = em.headers(pairs)
    base_dir = os.path.dirname(os.path.abspath(path))
    for case in doc["cases"]:
        emit_gate_case(em, case, doc, base_dir, secrets_array, len(pairs))


# ---------------------------------------------------------------- dpop.json (tests/vectors/DPOP.md)

DPOP_CASE_FIELDS = {"id", "source", "config", "steps"}
DPOP_STEP_FIELDS = {
    "load": {"op", "expect"},
    "verify": {"op", "proof", "method", "uri", "access_token", "now", "expect"},
    "verify_request": {"op", "request", "access_token", "origin", "now", "expect"},
    "nonce": {"op", "now", "expect"},
    "algs": {"op", "expect"},
    "thumbprint": {"op", "jwk", "expect"},
}
DPOP_OK_FIELDS = {
    "load": set(),
    "verify": {"thumbprint", "jti", "iat", "algorithm", "nonce"},
    "verify_request": {"thumbprint", "jti", "iat", "algorithm", "nonce"},
    "nonce": {"nonce"},
    "algs": {"algs"},
    "thumbprint": {"thumbprint"},
}


def dpop_step(em, step, cid):
    op = step.get("op")
    if op not in OPS["dpop"]:
        raise VectorError("%s: unknown op %r in dpop.json" % (cid, op))
    strict_keys("step", step, DPOP_STEP_FIELDS[op], cid)
    exp = step["expect"]
    strict_keys("expect", exp, {"ok", "error"}, cid)
    if ("ok" in exp) == ("error" in exp):
        raise VectorError("%s: expect needs exactly one of ok / error" % cid)
    fields = [".op = %s" % lit(op), ".expect_ok = %d" % ("ok" in exp),
              ".error = %s" % lit(exp.get("error"))]
    for name in ("proof", "method", "uri", "origin", "access_token"):
        if name in step:
            value = text_of(step[name], name, cid)
            if name in ("origin", "access_token") and value == "":
                raise VectorError("%s: an empty %s reads as none in the C API" % (cid, name))
            fields.append(".%s = %s" % (name, lit(value)))
    for name in ("proof", "method", "uri"):
        if op == "verify" and name not in step:
            raise VectorError("%s: verify needs %s" % (cid, name))
    if "now" in step:
        fields.append(".now = %dLL" % int(step["now"]))
    elif op in ("verify", "verify_request", "nonce"):
        raise VectorError("%s: %s needs now" % (cid, op))
    if op == "verify_request":
        fields.append(".request = %s" % em.message(step["request"], 0, cid))
    if op == "thumbprint":
        if not isinstance(step.get("jwk"), dict):
            raise VectorError("%s: thumbprint needs a jwk object" % cid)
        fields.append(".jwk = %s" % lit(json.dumps(step["jwk"])))
    ok = exp.get("ok")
    if ok is not None:
        strict_keys("ok", ok, DPOP_OK_FIELDS[op], cid)
        if set(ok) != DPOP_OK_FIELDS[op]:
            raise VectorError("%s: ok of %s lists every field" % (cid, op))
        for name in ("thumbprint", "jti", "algorithm", "algs"):
            if name in ok:
                fields.append(".want_%s = %s" % (name, lit(text_of(ok[name], name, cid))))
        if "iat" in ok:
            fields.append(".want_iat = %dLL" % int(ok["iat"]))
        if "nonce" in ok and ok["nonce"] is not None:
            nonce = text_of(ok["nonce"], "nonce", cid)
            if nonce == "":
                raise VectorError("%s: an empty nonce reads as none in the C API" % cid)
            fields.append(".has_nonce = 1, .want_nonce = %s" % lit(nonce))
    return "{" + ", ".join(fields) + "}"


def emit_dpop_case(em, case):
    cid = case["id"]
    strict_keys("case", case, DPOP_CASE_FIELDS, cid)
    if not isinstance(case.get("config"), dict):
        raise VectorError("%s: config is not an object" % cid)
    steps = [dpop_step(em, st, cid) for st in case["steps"]]
    if not steps:
        raise VectorError("%s: no steps" % cid)
    em.serial += 1
    name = "dpop_%d" % em.serial
    em.decls.append("static const vdpop %s = {%s, %s, %d};" % (
        name, lit(json.dumps(case["config"])), em.array("vdpop_step", "dpop_steps", steps),
        len(steps)))
    em.cases.append("    {\n        " + ",\n        ".join([
        ".id = %s" % lit(cid), ".kind = %s" % lit("dpop"), ".op = %s" % lit("steps"),
        ".expect_ok = 1", ".dpop = &%s" % name]) + ",\n    }")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out_path, inputs = argv[1], argv[2:]
    em = Emitter()
    files = []
    for path in inputs:
        kind = os.path.splitext(os.path.basename(path))[0]
        # oauth_rs.json (OAuth 2.0 resource-server cases) is written in gate.json's format.
        runner = "gate" if kind in GATE_FORMAT else kind
        if runner not in OPS:
            raise VectorError("%s: no C runner knows this vector file" % path)
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        cases = doc["cases"]
        if not cases:
            raise VectorError("%s: no cases" % path)
        if runner == "gate":
            emit_gate_file(em, doc, path)
        elif kind == "dpop":
            for case in cases:
                emit_dpop_case(em, case)
        else:
            for case in cases:
                emit_case(em, kind, case)
        files.append('    {"%s.json", %d}' % (kind, len(cases)))
    text = [
        "/* GENERATED by tests/c/gen_vectors.py from %s; do not edit. */"
        % ", ".join(os.path.basename(p) for p in inputs),
        "#ifndef VECTORS_TABLE_H",
        "#define VECTORS_TABLE_H",
        "",
        *em.decls,
        "",
        "static const vcase VECTOR_CASES[] = {",
        ",\n".join(em.cases),
        "};",
        "#define VECTOR_CASE_COUNT %d" % len(em.cases),
        "",
        "/* The files, in table order, with their case counts. */",
        "static const struct { const char *name; size_t cases; } VECTOR_FILES[] = {",
        ",\n".join(files),
        "};",
        "#define VECTOR_FILE_COUNT %d" % len(files),
        "",
        "#endif",
        "",
    ]
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("\n".join(text))
    os.replace(tmp, out_path)
    print("gen_vectors: %d cases from %d files -> %s" % (len(em.cases), len(files), out_path))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (VectorError, KeyError, ValueError, TypeError) as e:
        print("gen_vectors: error: %s" % e, file=sys.stderr)
        sys.exit(1)
