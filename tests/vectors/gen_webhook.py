#!/usr/bin/env python3
"""Writes webhook.json: Standard Webhooks, Stripe, GitHub and Slack cases for every runner.

The published cases come from ../shared/vectors (standard-webhooks, webhooks-github-stripe);
the others are signed here with the stdlib hmac module and pyca/cryptography (Ed25519), an
implementation independent of portcullis. Needs: pip install cryptography
"""

import base64
import hashlib
import hmac
import json
import pathlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = pathlib.Path(__file__).parent
SHARED = HERE.parent.parent.parent / "shared" / "vectors"
cases = []


def add(id_, source, now, input_, expect):
    cases.append({"id": id_, "source": source, "now": now, "input": input_, "expect": expect})


def err(code):
    return {"error": code}


def request(headers, body):
    r = {"method": "POST", "target": "/webhooks", "headers": [list(h) for h in headers]}
    if body is not None:
        r["body"] = body
    return r


def config(scheme, secrets, **extra):
    c = {"scheme": scheme, "secrets": secrets, "tolerance_seconds": 300, "replay_protection": True,
         "sender": None}
    c.update(extra)
    return c


def verify(id_, source, now, cfg, headers, body, expect, times=1):
    input_ = {"op": "verify", "config": cfg, "request": request(headers, body)}
    if times != 1:
        input_["times"] = times
    add(id_, source, now, input_, expect)


def sign(id_, source, scheme, secret, message_id, timestamp, body, expect):
    add(id_, source, timestamp, {"op": "sign", "scheme": scheme, "secret": secret,
                                 "message_id": message_id, "timestamp": timestamp, "body": body},
        expect)


def who(scheme, index=0, version=None, message_id=None, timestamp=None, subject=None):
    claims = {"scheme": scheme, "signature_version": version}
    if message_id is not None:
        claims["message_id"] = message_id
    if timestamp is not None:
        claims["timestamp"] = timestamp
    return {"ok": {"subject": subject or scheme, "method": "hmac",
                   "credential_id": f"secret-{index}", "claims": claims,
                   "claims_canonical": json.dumps(claims, sort_keys=True, separators=(",", ":"))}}


def mac(key, *parts):
    return hmac.new(key, b"".join(p if isinstance(p, bytes) else p.encode() for p in parts),
                    hashlib.sha256).digest()


def std_key(secret):
    b64 = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    return base64.b64decode(b64 + "=" * (-len(b64) % 4))


def std_sig(secret, msg_id, ts, body):
    return "v1," + base64.b64encode(mac(std_key(secret), f"{msg_id}.{ts}.", body)).decode()


# ---- Standard Webhooks, published
STD_SRC = "standard-webhooks (shared/vectors/standard-webhooks)"
CODE_BY_COMMENT = {
    "old timestamp": "signature_expired",
    "future timestamp": "signature_not_yet_valid",
    "missing webhook-id": "signature_missing",
    "missing webhook-timestamp": "signature_missing",
    "missing webhook-signature": "signature_missing",
    "non-numeric timestamp": "signature_malformed",
    "float timestamp": "signature_malformed",
    "negative timestamp": "signature_malformed",
    "signature last char flipped": "signature_mismatch",
    "partial signature": "signature_malformed",
    "truncated signature": "signature_malformed",
    "garbage base64": "signature_malformed",
    "wrong version prefix v2": "signature_algorithm_unsupported",
    "multi-signature list without": "signature_mismatch",
    "payload modified": "signature_mismatch",
    "payload re-serialised": "signature_mismatch",
    "msg id with '.'": "signature_malformed",
}
std = json.loads((SHARED / "standard-webhooks/standard_webhooks_vectors.json").read_text())
for n, v in enumerate(std["vectors"], 1):
    comment = v.get("comment") or v["source"]
    id_ = f"standard-published-{n:02d}"
    if v["result"] == "invalid_secret":
        verify(id_, f"{STD_SRC}: {comment}", 1614265330, config("standard", [v["secret"]]),
               [], "x", err("signature_secret_invalid"))
        continue
    if "expected_signature" in v:
        key_len = len(std_key(v["secret"]))
        expect = ({"ok": {"headers": [["webhook-id", v["msg_id"]],
                                      ["webhook-timestamp", str(v["timestamp"])],
                                      ["webhook-signature", v["expected_signature"]]]}}
                  if key_len >= 24 else err("signature_secret_invalid"))
        sign(id_ + "-sign", f"{STD_SRC}: {comment}" + ("" if key_len >= 24 else
             f" (a {key_len}-byte secret: portcullis signs only with the spec's 24 to 64 bytes)"),
             "standard", v["secret"], v["msg_id"], v["timestamp"], v["payload"], expect)
        headers = [("webhook-id", v["msg_id"]), ("webhook-timestamp", str(v["timestamp"])),
                   ("webhook-signature", v["expected_signature"])]
        verify(id_ + "-verify", f"{STD_SRC}: {comment}", v["timestamp"],
               config("standard", [v["secret"]]), headers, v["payload"],
               who("standard", 0, "v1", v["msg_id"], v["timestamp"]))
        continue
    headers = list(v["headers"].items())
    if v["result"] == "valid":
        expect = who("standard", 0, "v1", v["headers"]["webhook-id"],
                     int(v["headers"]["webhook-timestamp"]))
    else:
        code = next(c for k, c in CODE_BY_COMMENT.items() if comment.startswith(k))
        expect = err(code)
    verify(id_, f"{STD_SRC}: {comment}", v["now"], config("standard", [v["secret"]]), headers,
           v["payload"], expect)

# ---- Standard Webhooks, our own
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER = "whsec_" + base64.b64encode(bytes(range(32))).decode()
TS = 1750000000
BODY = '{"type":"invoice.paid","data":{"id":"in_1"}}'
H = [("webhook-id", "msg_1"), ("webhook-timestamp", str(TS)),
     ("webhook-signature", std_sig(SECRET, "msg_1", TS, BODY))]
SRC = "portcullis (signed with Python hmac)"
verify("standard-replayed-id", SRC, TS, config("standard", [SECRET]), H, BODY,
       err("signature_replayed"), times=2)
verify("standard-replay-protection-off", SRC, TS,
       config("standard", [SECRET], replay_protection=False), H, BODY,
       who("standard", 0, "v1", "msg_1", TS), times=2)
verify("standard-rotated-secret-second", SRC, TS, config("standard", [OTHER, SECRET]), H, BODY,
       who("standard", 1, "v1", "msg_1", TS))
verify("standard-sender-named", SRC, TS, config("standard", [SECRET], sender="billing-co"), H,
       BODY, who("standard", 0, "v1", "msg_1", TS, subject="billing-co"))
verify("standard-timestamp-301s-old", SRC, TS + 301, config("standard", [SECRET]), H, BODY,
       err("signature_expired"))
verify("standard-timestamp-300s-old", SRC, TS + 300, config("standard", [SECRET]), H, BODY,
       who("standard", 0, "v1", "msg_1", TS))
verify("standard-timestamp-301s-ahead", SRC, TS - 301, config("standard", [SECRET]), H, BODY,
       err("signature_not_yet_valid"))
verify("standard-tolerance-60", SRC, TS + 61, config("standard", [SECRET], tolerance_seconds=60),
       H, BODY, err("signature_expired"))
verify("standard-body-missing", SRC, TS, config("standard", [SECRET]), H, None,
       err("signature_body_missing"))
verify("standard-content-length-differs", SRC, TS, config("standard", [SECRET]),
       H + [("Content-Length", str(len(BODY) + 4))], BODY, err("signature_digest_mismatch"))
verify("standard-content-length-matches", SRC, TS, config("standard", [SECRET]),
       H + [("Content-Length", str(len(BODY)))], BODY, who("standard", 0, "v1", "msg_1", TS))
verify("standard-id-twice", SRC, TS, config("standard", [SECRET]), H + [("webhook-id", "msg_1")],
       BODY, err("credentials_ambiguous"))
verify("standard-id-with-dot", SRC, TS, config("standard", [SECRET]),
       [("webhook-id", "msg.1"), H[1], ("webhook-signature", std_sig(SECRET, "msg.1", TS, BODY))],
       BODY, err("signature_malformed"))
verify("standard-id-too-long", SRC, TS, config("standard", [SECRET]),
       [("webhook-id", "m" * 300), H[1], ("webhook-signature", std_sig(SECRET, "m" * 300, TS, BODY))],
       BODY, err("signature_malformed"))
verify("standard-uppercase-version", SRC, TS, config("standard", [SECRET]),
       [H[0], H[1], ("webhook-signature", "V1," + H[2][1][3:])], BODY,
       err("signature_algorithm_unsupported"))
verify("standard-v0-prefix", SRC, TS, config("standard", [SECRET]),
       [H[0], H[1], ("webhook-signature", "v0," + H[2][1][3:])], BODY,
       err("signature_algorithm_unsupported"))
verify("standard-sig-without-comma", SRC, TS, config("standard", [SECRET]),
       [H[0], H[1], ("webhook-signature", H[2][1].replace(",", ""))], BODY,
       err("signature_malformed"))
truncated = "v1," + base64.b64encode(mac(std_key(SECRET), f"msg_1.{TS}.", BODY)[:16]).decode()
verify("standard-mac-truncated-to-16-bytes", SRC, TS, config("standard", [SECRET]),
       [H[0], H[1], ("webhook-signature", truncated)], BODY, err("signature_mismatch"))
verify("standard-garbage-then-valid", SRC, TS, config("standard", [SECRET]),
       [H[0], H[1], ("webhook-signature", "v1,@@@ v2,abc " + H[2][1])], BODY,
       who("standard", 0, "v1", "msg_1", TS))
verify("standard-wrong-secret", SRC, TS, config("standard", [OTHER]), H, BODY,
       err("signature_mismatch"))
verify("standard-body-not-utf8", SRC, TS, config("standard", [SECRET]),
       [H[0], H[1], ("webhook-signature", "v1," + base64.b64encode(
           mac(std_key(SECRET), f"msg_1.{TS}.", "\u00e9")).decode())], "\u00e9",
       who("standard", 0, "v1", "msg_1", TS))
verify("standard-secret-too-short", SRC, TS, config("standard", ["whsec_" + base64.b64encode(
    b"x" * 15).decode()]), H, BODY, err("signature_secret_invalid"))
verify("standard-secret-not-base64", SRC, TS, config("standard", ["whsec_!!!!"]), H, BODY,
       err("signature_secret_invalid"))
verify("standard-no-secrets", SRC, TS, config("standard", []), H, BODY, err("config_invalid"))
verify("standard-tolerance-zero", SRC, TS, config("standard", [SECRET], tolerance_seconds=0), H,
       BODY, err("config_invalid"))

# ---- Standard Webhooks v1a (Ed25519)
seed = bytes(range(100, 132))
private = Ed25519PrivateKey.from_private_bytes(seed)
public = private.public_key().public_bytes_raw()
WHSK = "whsk_" + base64.b64encode(seed).decode()
WHPK = "whpk_" + base64.b64encode(public).decode()
ed_sig = "v1a," + base64.b64encode(private.sign(f"msg_ed.{TS}.{BODY}".encode())).decode()
HE = [("webhook-id", "msg_ed"), ("webhook-timestamp", str(TS)), ("webhook-signature", ed_sig)]
ED_SRC = "portcullis (signed with pyca/cryptography Ed25519)"
sign("standard-v1a-sign", ED_SRC, "standard", WHSK, "msg_ed", TS, BODY, {"ok": {"headers": [
    list(h) for h in HE]}})
verify("standard-v1a-verify-public-key", ED_SRC, TS, config("standard", [WHPK]), HE, BODY,
       who("standard", 0, "v1a", "msg_ed", TS))
verify("standard-v1a-verify-with-hmac-secret-only", ED_SRC, TS, config("standard", [SECRET]), HE,
       BODY, err("signature_mismatch"))
other_pub = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key().public_bytes_raw()
verify("standard-v1a-other-key", ED_SRC, TS,
       config("standard", ["whpk_" + base64.b64encode(other_pub).decode()]), HE, BODY,
       err("signature_mismatch"))
verify("standard-v1a-tampered-body", ED_SRC, TS, config("standard", [WHPK]), HE, BODY + " ",
       err("signature_mismatch"))
verify("standard-v1a-and-v1-rotation", ED_SRC, TS, config("standard", [SECRET, WHPK]),
       [HE[0], HE[1], ("webhook-signature", "v1,AAAA " + ed_sig)], BODY,
       who("standard", 1, "v1a", "msg_ed", TS))
verify("standard-whpk-wrong-length", ED_SRC, TS,
       config("standard", ["whpk_" + base64.b64encode(public[:31]).decode()]), HE, BODY,
       err("signature_secret_invalid"))
sign("standard-whpk-cannot-sign", ED_SRC, "standard", WHPK, "msg_ed", TS, BODY,
     err("signature_secret_invalid"))

# ---- GitHub
GH = json.loads((SHARED / "webhooks-github-stripe/webhook_vectors.json").read_text())
GH_SRC = "GitHub docs example (shared/vectors/webhooks-github-stripe)"
GH_CODES = {"body changed by one byte": "signature_mismatch", "uppercase hex": "signature_malformed",
            "legacy X-Hub-Signature sha1 must not be accepted in place of sha256":
            "signature_algorithm_unsupported", "truncated": "signature_mismatch",
            "empty header": "signature_malformed"}
for n, c in enumerate(GH["github"]["cases"], 1):
    headers = [("X-Hub-Signature-256", c["header_value"]), ("X-GitHub-Delivery", f"d-{n}")]
    expect = (who("github", 0, "sha256", f"d-{n}") if c["result"] == "valid"
              else err(GH_CODES[c["comment"]]))
    verify(f"github-published-{n}", GH_SRC + (f": {c['comment']}" if "comment" in c else ""),
           1700000000, config("github", [c["secret"]]), headers, c["body"], expect)
GH_SECRET = "It's a Secret to Everybody"
GH_SIG = GH["github"]["cases"][0]["header_value"]
verify("github-replayed-delivery", GH_SRC, 1700000000, config("github", [GH_SECRET]),
       [("X-Hub-Signature-256", GH_SIG), ("X-GitHub-Delivery", "d-1")], "Hello, World!",
       err("signature_replayed"), times=2)
verify("github-delivery-missing", GH_SRC, 1700000000, config("github", [GH_SECRET]),
       [("X-Hub-Signature-256", GH_SIG)], "Hello, World!", err("signature_missing"))
verify("github-delivery-missing-replay-off", GH_SRC, 1700000000,
       config("github", [GH_SECRET], replay_protection=False),
       [("X-Hub-Signature-256", GH_SIG)], "Hello, World!",
       {"ok": {"subject": "github", "credential_id": "secret-0"}})
verify("github-only-sha1-header", GH_SRC, 1700000000, config("github", [GH_SECRET]),
       [("X-Hub-Signature", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"),
        ("X-GitHub-Delivery", "d-9")], "Hello, World!", err("signature_algorithm_unsupported"))
verify("github-signature-missing", GH_SRC, 1700000000, config("github", [GH_SECRET]),
       [("X-GitHub-Delivery", "d-9")], "Hello, World!", err("signature_missing"))
verify("github-no-equals", GH_SRC, 1700000000, config("github", [GH_SECRET]),
       [("X-Hub-Signature-256", GH_SIG.replace("=", "")), ("X-GitHub-Delivery", "d-9")],
       "Hello, World!", err("signature_malformed"))
verify("github-secret-too-short", GH_SRC, 1700000000, config("github", ["hunter2"]),
       [("X-Hub-Signature-256", GH_SIG), ("X-GitHub-Delivery", "d-9")], "Hello, World!",
       err("signature_secret_invalid"))
verify("github-empty-secret", GH_SRC, 1700000000, config("github", [""]),
       [("X-Hub-Signature-256", GH_SIG), ("X-GitHub-Delivery", "d-9")], "Hello, World!",
       err("signature_secret_invalid"))
LONG = "a-github-webhook-secret-of-32-bytes!"
sign("github-sign", "portcullis (Python hmac)", "github", LONG, "d-7", 1700000000,
     "Hello, World!", {"ok": {"headers": [
         ["X-Hub-Signature-256", "sha256=" + mac(LONG.encode(), "Hello, World!").hex()],
         ["X-GitHub-Delivery", "d-7"]]}})
sign("github-sign-short-secret", "portcullis", "github", GH_SECRET, None, 1700000000, "x",
     err("signature_secret_invalid"))

# ---- Stripe
ST_SRC = "Stripe scheme (shared/vectors/webhooks-github-stripe)"
ST_CODES = {"outside 300 s tolerance": "signature_expired", "only v0 scheme present":
            "signature_algorithm_unsupported", "missing t": "signature_malformed",
            "t altered; t is inside the MAC": "signature_mismatch",
            "duplicate t": "signature_malformed", "body re-serialised": "signature_mismatch"}
for n, c in enumerate(GH["stripe"]["cases"], 1):
    expect = (who("stripe", 0, "v1", timestamp=1700000000) if c["result"] == "valid"
              else err(ST_CODES[c["comment"]]))
    verify(f"stripe-published-{n}", ST_SRC + (f": {c['comment']}" if "comment" in c else ""),
           c["now"], config("stripe", [c["secret"]]), [("Stripe-Signature", c["header"])],
           c["body"], expect)
ST_SECRET = "whsec_test_secret_for_vectors"
ST_BODY = '{"id":"evt_1","object":"event"}'
ST_HEADER = GH["stripe"]["cases"][0]["header"]
verify("stripe-replayed", ST_SRC, 1700000000, config("stripe", [ST_SECRET]),
       [("Stripe-Signature", ST_HEADER)], ST_BODY, err("signature_replayed"), times=2)
verify("stripe-uppercase-hex", ST_SRC, 1700000000, config("stripe", [ST_SECRET]),
       [("Stripe-Signature", ST_HEADER.upper().replace("T=", "t=").replace("V1=", "v1="))],
       ST_BODY, err("signature_malformed"))
verify("stripe-truncated-mac", ST_SRC, 1700000000, config("stripe", [ST_SECRET]),
       [("Stripe-Signature", ST_HEADER[:-8])], ST_BODY, err("signature_mismatch"))
verify("stripe-future-301s", ST_SRC, 1700000000 - 301, config("stripe", [ST_SECRET]),
       [("Stripe-Signature", ST_HEADER)], ST_BODY, err("signature_not_yet_valid"))
verify("stripe-item-without-equals", ST_SRC, 1700000000, config("stripe", [ST_SECRET]),
       [("Stripe-Signature", ST_HEADER + ",v1")], ST_BODY, err("signature_malformed"))
verify("stripe-header-twice", ST_SRC, 1700000000, config("stripe", [ST_SECRET]),
       [("Stripe-Signature", ST_HEADER), ("Stripe-Signature", ST_HEADER)], ST_BODY,
       err("credentials_ambiguous"))
verify("stripe-rotation", ST_SRC, 1700000000,
       config("stripe", ["whsec_an_older_secret_still_active", ST_SECRET]),
       [("Stripe-Signature", ST_HEADER)], ST_BODY, who("stripe", 1, "v1", timestamp=1700000000))
ST_LONG = "whsec_0123456789abcdefghijklmnopqrstuv"
sign("stripe-sign", "portcullis (Python hmac)", "stripe", ST_LONG, None, 1700000000, ST_BODY,
     {"ok": {"headers": [["Stripe-Signature", "t=1700000000,v1=" + mac(
         ST_LONG.encode(), "1700000000.", ST_BODY).hex()]]}})
sign("stripe-sign-short-secret", "portcullis", "stripe", ST_SECRET, None, 1700000000, ST_BODY,
     err("signature_secret_invalid"))

# ---- Slack
SL_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SL_SRC = "Slack v0 scheme (signed with Python hmac)"
SL_TS = 1531420618
SL_BODY = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather&text=94070"
SL_SIG = "v0=" + mac(SL_SECRET.encode(), f"v0:{SL_TS}:", SL_BODY).hex()
SLH = [("X-Slack-Request-Timestamp", str(SL_TS)), ("X-Slack-Signature", SL_SIG)]
verify("slack-valid", SL_SRC, SL_TS + 5, config("slack", [SL_SECRET]), SLH, SL_BODY,
       who("slack", 0, "v0", timestamp=SL_TS))
verify("slack-expired", SL_SRC, SL_TS + 301, config("slack", [SL_SECRET]), SLH, SL_BODY,
       err("signature_expired"))
verify("slack-replayed", SL_SRC, SL_TS, config("slack", [SL_SECRET]), SLH, SL_BODY,
       err("signature_replayed"), times=2)
verify("slack-v1-prefix", SL_SRC, SL_TS, config("slack", [SL_SECRET]),
       [SLH[0], ("X-Slack-Signature", "v1=" + SL_SIG[3:])], SL_BODY,
       err("signature_algorithm_unsupported"))
verify("slack-timestamp-altered", SL_SRC, SL_TS, config("slack", [SL_SECRET]),
       [("X-Slack-Request-Timestamp", str(SL_TS + 1)), SLH[1]], SL_BODY,
       err("signature_mismatch"))
verify("slack-timestamp-missing", SL_SRC, SL_TS, config("slack", [SL_SECRET]), [SLH[1]], SL_BODY,
       err("signature_missing"))
verify("slack-body-reencoded", SL_SRC, SL_TS, config("slack", [SL_SECRET]), SLH,
       SL_BODY.replace("%2F", "/"), err("signature_mismatch"))
sign("slack-sign", SL_SRC, "slack", SL_SECRET, None, SL_TS, SL_BODY,
     {"ok": {"headers": [["X-Slack-Request-Timestamp", str(SL_TS)], ["X-Slack-Signature", SL_SIG]]}})

# ---- adversarial review (issue 19): delimiters, encodings and timestamps in signature headers
ADV = "adversarial review: "


def std_headers(msg_id=None, ts_text=None, sig=None, secret=SECRET):
    msg_id = msg_id if msg_id is not None else "msg_1"
    ts_text = ts_text if ts_text is not None else str(TS)
    return [("webhook-id", msg_id), ("webhook-timestamp", ts_text),
            ("webhook-signature", sig if sig is not None else std_sig(secret, msg_id, ts_text, BODY))]


GOOD = std_sig(SECRET, "msg_1", str(TS), BODY)
GOOD_B64 = GOOD[3:]
last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".index(GOOD_B64[-2])
NONCANON = GOOD_B64[:-2] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[last ^ 1] + "="
for name, headers, expect in [
    ("timestamp-leading-zero", std_headers(ts_text="0" + str(TS)), who("standard", 0, "v1", "msg_1", TS)),
    ("timestamp-plus-sign", std_headers(ts_text="+" + str(TS)), err("signature_malformed")),
    ("timestamp-13-digits", std_headers(ts_text="000" + str(TS)), err("signature_malformed")),
    ("timestamp-exponent", std_headers(ts_text="1.75e9"), err("signature_malformed")),
    ("timestamp-hex", std_headers(ts_text=hex(TS)), err("signature_malformed")),
    ("timestamp-tab-inside", std_headers(ts_text=str(TS)[:5] + "\t" + str(TS)[5:]), err("signature_malformed")),
    ("id-space", std_headers(msg_id="msg 1"), err("signature_malformed")),
    ("id-non-ascii", std_headers(msg_id="msg_\u00e9"), err("signature_malformed")),
    ("id-257-bytes", std_headers(msg_id="m" * 257), err("signature_malformed")),
    ("id-256-bytes", std_headers(msg_id="m" * 256), who("standard", 0, "v1", "m" * 256, TS)),
    ("signature-comma-injected", std_headers(sig=GOOD + ",v1"), err("signature_malformed")),
    ("signature-tab-separated", std_headers(sig="v1,AAAA\t" + GOOD), err("signature_malformed")),
    ("signature-unpadded", std_headers(sig=GOOD.rstrip("=")), err("signature_malformed")),
    ("signature-non-canonical-bits", std_headers(sig="v1," + NONCANON), err("signature_malformed")),
    ("signature-url-alphabet", std_headers(sig=GOOD.replace("+", "-").replace("/", "_"))
     if ("+" in GOOD or "/" in GOOD) else std_headers(sig="v1,-_-_" + GOOD_B64[4:]), err("signature_malformed")),
    ("signature-33rd-entry", std_headers(sig=" ".join(["v2,AAAA"] * 32 + [GOOD])),
     err("signature_algorithm_unsupported")),
    ("signature-32nd-entry", std_headers(sig=" ".join(["v2,AAAA"] * 31 + [GOOD])),
     who("standard", 0, "v1", "msg_1", TS)),
    ("signature-version-case", std_headers(sig="V1," + GOOD_B64), err("signature_algorithm_unsupported")),
]:
    verify("adv-standard-" + name, ADV + "Standard Webhooks 1.0: id, timestamp and signature "
           "list read strictly", TS, config("standard", [SECRET]), headers, BODY, expect)

ST_T, ST_V1 = ST_HEADER.split(",", 1)
for name, header, expect in [
    ("space-before-v1", ST_T + ", " + ST_V1, err("signature_algorithm_unsupported")),
    ("v1-before-t", ST_V1 + "," + ST_T, who("stripe", 0, "v1", timestamp=1700000000)),
    ("empty-item", ST_T + ",," + ST_V1, err("signature_malformed")),
    ("t-plus-sign", "t=+1700000000," + ST_V1, err("signature_malformed")),
    ("t-empty", "t=," + ST_V1, err("signature_malformed")),
    ("v1-empty", ST_T + ",v1=", err("signature_malformed")),
    ("v1-semicolon", ST_T + ";" + ST_V1, err("signature_malformed")),
    ("t-leading-zero-same-mac", "t=01700000000," + ST_V1, who("stripe", 0, "v1", timestamp=1700000000)),
    ("extra-made-up-v1", ST_HEADER + ",v1=" + "0" * 64, who("stripe", 0, "v1", timestamp=1700000000)),
    ("33-items-v1-last", ST_T + ",v0=0" * 31 + "," + ST_V1, err("signature_algorithm_unsupported")),
]:
    verify("adv-stripe-" + name, ADV + "Stripe-Signature items split at commas and at the first "
           "'=' only", 1700000000, config("stripe", [ST_SECRET]), [("Stripe-Signature", header)],
           ST_BODY, expect)

for name, value, expect in [
    ("prefix-uppercase", "SHA256=" + GH_SIG.split("=", 1)[1], err("signature_algorithm_unsupported")),
    ("prefix-sha512", "sha512=" + GH_SIG.split("=", 1)[1], err("signature_algorithm_unsupported")),
    ("second-equals", GH_SIG + "=", err("signature_malformed")),
    ("uppercase-hex", "sha256=" + GH_SIG.split("=", 1)[1].upper(), err("signature_malformed")),
    ("space-after-equals", "sha256= " + GH_SIG.split("=", 1)[1], err("signature_malformed")),
]:
    verify("adv-github-" + name, ADV + "X-Hub-Signature-256 is sha256=<lower-case hex>",
           1700000000, config("github", [GH_SECRET]),
           [("X-Hub-Signature-256", value), ("X-GitHub-Delivery", "d-adv")], "Hello, World!", expect)
verify("adv-github-delivery-with-dot", ADV + "X-GitHub-Delivery is read as a message id",
       1700000000, config("github", [GH_SECRET]),
       [("X-Hub-Signature-256", GH_SIG), ("X-GitHub-Delivery", "d.1")], "Hello, World!",
       err("signature_malformed"))

for name, headers, expect in [
    ("timestamp-leading-zero", [("X-Slack-Request-Timestamp", "0" + str(SL_TS)), SLH[1]],
     err("signature_mismatch")),
    ("uppercase-hex", [SLH[0], ("X-Slack-Signature", "v0=" + SL_SIG[3:].upper())],
     err("signature_malformed")),
    ("signature-twice", SLH + [SLH[1]], err("credentials_ambiguous")),
]:
    verify("adv-slack-" + name, ADV + "Slack v0: the timestamp is signed as sent", SL_TS,
           config("slack", [SL_SECRET]), headers, SL_BODY, expect)

ids = [c["id"] for c in cases]
assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
doc = {"description": "portcullis shared vectors (webhook); written by gen_webhook.py",
       "cases": cases}
(HERE / "webhook.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
print(f"webhook.json: {len(cases)} cases, {sum('error' in c['expect'] for c in cases)} negative")
