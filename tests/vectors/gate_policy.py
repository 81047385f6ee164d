"""gen_gate.py's rate-limit, lockout and store cases (g is the gen_gate module)."""

import json

import gate_cases

LIMITS = """version = 1

[credentials.keys]
method = "api_key"
pepper = "secret:pepper"
environment = "live"
header = "x-api-key"
bearer = false
records = {records}

[rate_limits.route2]
key = "route"
quota = 2
window_seconds = 60

[rate_limits.addr3]
key = "address"
quota = 3
window_seconds = 30

[rate_limits.caller2]
key = "principal"
quota = 2
window_seconds = 10

[rate_limits.slow]
key = "route"
quota = 3
window_seconds = 10

[[routes]]
path = "/route"
require = "keys"
rate_limits = ["route2"]

[[routes]]
path = "/address"
require = "keys"
rate_limits = ["addr3"]

[[routes]]
path = "/caller"
require = "keys"
rate_limits = ["caller2"]

[[routes]]
path = "/slow"
require = {{ anonymous = true }}
rate_limits = ["slow"]

[[routes]]
name = "both"
path = "/both"
require = "keys"
rate_limits = ["caller2", "addr3"]
"""


def toml_records(g):
    """The records as a TOML array of inline tables (JSON's syntax for these values is TOML's,
    except null, which TOML lacks: unset members take their defaults)."""
    items = []
    for rec in g.RECORDS:
        members = ", ".join(f"{k} = {json.dumps(v)}" for k, v in rec.items()
                            if v is not None and v != {})
        items.append("{ " + members + " }")
    return "[\n  " + ",\n  ".join(items) + ",\n]"


def limits_cases(g):
    r, k = g.request, g.KEYS
    text = LIMITS.format(records=toml_records(g))
    src = "core/src/gate/policy.rs, core/src/store/limits.rs: token buckets"
    a, b = ("X-API-Key", k["a"]), ("X-API-Key", k["b"])
    n = g.NOW

    def case(cid, requests, want):
        g.add_check_text(cid, src, text, requests, want)

    case("rate-limit-by-route", [r(target="/route", headers=[a]), r(target="/route", headers=[b]),
                                 r(target="/route"), r(target="/route", headers=[a], now=n + 30)],
         ["allow", "allow", "rate_limited", "allow"])
    ip, ip2 = "203.0.113.7", "198.51.100.20"
    case("rate-limit-by-address",
         [r(target="/address", headers=[a], peer_address=ip) for _ in range(3)]
         + [r(target="/address", headers=[a], peer_address="::ffff:" + ip),
            r(target="/address", headers=[a], peer_address=ip2),
            r(target="/address", headers=[a])],
         ["allow"] * 3 + ["rate_limited", "allow", "allow"])
    v6, v6_same_64, v6_other_64 = "2001:db8:1:2::10", "2001:db8:1:2:ffff::99", "2001:db8:1:3::10"
    case("rate-limit-by-address-ipv6-per-64",
         [r(target="/address", headers=[a], peer_address=v6) for _ in range(2)]
         + [r(target="/address", headers=[a], peer_address=v6_same_64),
            r(target="/address", headers=[a], peer_address=v6_same_64),
            r(target="/address", headers=[a], peer_address=v6_other_64)],
         ["allow"] * 3 + ["rate_limited", "allow"])
    case("rate-limit-by-principal",
         [r(target="/caller", headers=[a]), r(target="/caller", headers=[a]),
          r(target="/caller", headers=[a]), r(target="/caller", headers=[b]),
          r(target="/caller"), r(target="/caller", headers=[a], now=n + 5)],
         ["allow", "allow", "rate_limited", "allow", "credentials_missing", "allow"])
    case("rate-limit-fractional-refill",
         [r(target="/slow") for _ in range(4)] + [r(target="/slow", now=n + 3),
                                                  r(target="/slow", now=n + 4)],
         ["allow"] * 3 + ["rate_limited", "rate_limited", "allow"])
    case("rate-limit-two-buckets",
         [r(target="/both", headers=[a], peer_address=ip) for _ in range(3)]
         + [r(target="/both", headers=[b], peer_address=ip),
            r(target="/both", headers=[b], peer_address=ip2)],
         ["allow", "allow", "rate_limited", "rate_limited", "allow"])


LOCKOUT = """version = 1

[credentials.keys]
method = "api_key"
pepper = "secret:pepper"
environment = "live"
bearer = false
records = {records}

[credentials.ops]
method = "basic"
realm = "ops"
users = {{ bob = "{bob}", alice = "{alice}" }}

[[routes]]
path = "/keys"
require = "keys"

[[routes]]
path = "/ops"
require = "ops"

[lockout.{which}]
threshold = 2
max_failures = 3
base_delay_seconds = 10
max_delay_seconds = 20
window_seconds = 100
"""


def lockout_cases(g):
    r, k = g.request, g.KEYS
    src = "core/src/gate/policy.rs: lockout (delays, then a lock)"

    def text(which):
        return LOCKOUT.format(records=toml_records(g), bob=g.USERS["bob"],
                              alice=g.USERS["alice"], which=which)

    n, ip, ip2 = g.NOW, "192.0.2.1", "192.0.2.2"
    good, bad = ("X-API-Key", k["a"]), ("X-API-Key", k["unknown"])
    basic = gate_cases.basic
    wrong, right = basic("bob", "wrong"), basic("bob", "hunter2")
    g.add_check_text(
        "lockout-per-address-delay-then-lock", src, text("per_address"),
        [r(target="/keys", headers=[bad], peer_address=ip),
         r(target="/keys", headers=[bad], peer_address=ip),
         r(target="/keys", headers=[good], peer_address=ip, now=n + 1),
         r(target="/keys", headers=[good], peer_address=ip2, now=n + 1),
         r(target="/keys", headers=[good], peer_address=ip, now=n + 10),
         r(target="/keys", headers=[bad], peer_address=ip, now=n + 10),
         r(target="/keys", headers=[good], peer_address=ip, now=n + 11),
         r(target="/keys", headers=[good], peer_address=ip, now=n + 111)],
        ["apikey_unknown", "apikey_unknown", "locked_out", "allow", "allow", "apikey_unknown",
         "locked_out", "allow"])
    g.add_check_text(
        "lockout-missing-credentials-not-counted", src, text("per_address"),
        [r(target="/keys", peer_address=ip) for _ in range(4)]
        + [r(target="/keys", headers=[gate_cases.auth("Basic !!!")], peer_address=ip),
           r(target="/keys", headers=[good], peer_address=ip)],
        ["credentials_missing"] * 5 + ["allow"])
    g.add_check_text(
        "lockout-per-account-delay-then-lock", src, text("per_account"),
        [r(target="/ops", headers=[wrong]), r(target="/ops"), r(target="/ops", headers=[wrong]),
         r(target="/ops", headers=[right], now=n + 1),
         r(target="/ops", headers=[basic("alice", "correct horse")], now=n + 1),
         r(target="/ops", headers=[wrong], now=n + 10),
         r(target="/ops", headers=[right], now=n + 50),
         r(target="/ops", headers=[right], now=n + 111)],
        ["basic_invalid_credentials", "credentials_missing", "basic_invalid_credentials",
         "locked_out", "allow", "basic_invalid_credentials", "locked_out", "allow"])
    g.add_check_text(
        "lockout-success-clears-account", src, text("per_account"),
        [r(target="/ops", headers=[wrong]), r(target="/ops", headers=[right], now=n + 1),
         r(target="/ops", headers=[wrong], now=n + 2),
         r(target="/ops", headers=[wrong], now=n + 2),
         r(target="/ops", headers=[right], now=n + 3)],
        ["basic_invalid_credentials", "allow", "basic_invalid_credentials",
         "basic_invalid_credentials", "locked_out"])
    g.add_check_text(
        "lockout-account-from-any-address", src, text("per_account"),
        [r(target="/ops", headers=[wrong], peer_address=ip),
         r(target="/ops", headers=[wrong], peer_address=ip2),
         r(target="/ops", headers=[right], peer_address="198.51.100.9", now=n + 5)],
        ["basic_invalid_credentials", "basic_invalid_credentials", "locked_out"])


STORE = """[store]
max_entries = 1

[credentials.keys]
method = "api_key"
pepper = "secret:pepper"
environment = "live"
bearer = false

[credentials.hooks]
method = "webhook"
secrets = ["secret:whsec"]

[[routes]]
path = "/in"
require = { any_of = ["keys", "hooks"] }
"""


def store_cases(g):
    r, body = g.request, '{"event":"ping"}'
    first = gate_cases.standard_webhook(g, "msg_a", body)
    second = gate_cases.standard_webhook(g, "msg_b", body) + [("X-API-Key", g.KEYS["unknown"])]
    g.add_check_text(
        "any-of-server-failure-beats-invalid",
        "core/src/gate/require.rs (a 5xx outranks an invalid credential), store bounds", STORE,
        [r("POST", "/in", first, body=body), r("POST", "/in", second, body=body)],
        ["allow", "store_unavailable"])
