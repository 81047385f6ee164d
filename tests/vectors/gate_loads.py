"""gen_gate.py's load cases: configurations that must not load, each with its path-named error.
The message after the path is portcullis's wording (or its TOML / JSON parser's), written by
hand; the path, line and column are where the bad value is."""

BASE = """version = 1

[credentials.tokens]
method = "jwt"
audiences = ["api"]
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[[routes]]
path = "/a"
require = "tokens"
"""

ROUTE_FIELDS = "`name`, `methods`, `path`, `require`, `scopes`, `rate_limits`"
METHODS = "api_key, basic, jwt, webhook, pcs1, httpsig, mtls, oauth2"


def route(extra="", require='"tokens"', path='"/a"'):
    return BASE.replace('path = "/a"\nrequire = "tokens"\n',
                        f"path = {path}\nrequire = {require}\n{extra}")


def add(g):
    src = "core/src/gate/mod.rs, core/src/config: load errors name the path, line and column"

    def load(cid, text, code, path, message, needle, nth=0, fmt="toml"):
        g.add_load(cid, src, fmt, text, code, path, message, needle, nth)

    invalid = "config_invalid"
    text = route(require='{ any_of = ["tokens", "jwt-prod"] }')
    load("load-unknown-credential", text, invalid, "routes[0].require.any_of[1]",
         'unknown credential "jwt-prod"', '"jwt-prod"')
    text = route(require='{ all_of = ["tokens", { optional = "nobody" }] }')
    load("load-unknown-credential-nested", text, invalid,
         "routes[0].require.all_of[1].optional", 'unknown credential "nobody"', '"nobody"')
    text = route(require='{ any_of = ["tokens"], all_of = ["tokens"] }')
    load("load-requirement-two-forms", text, invalid, "routes[0].require",
         "a requirement object has exactly one of credential, any_of, all_of, optional, "
         "anonymous", "{ any_of")
    text = BASE.replace('method = "jwt"', 'method = "saml"')
    load("load-unknown-method", text, invalid, "credentials.tokens.method",
         f'unknown method "saml" (expected one of: {METHODS})', '"saml"')
    text = route(extra='scope = ["orders:read"]\n')
    load("load-misspelt-route-field", text, invalid, "routes[0].scope",
         f"unknown field `scope`, expected one of {ROUTE_FIELDS}", '["orders:read"]')
    text = BASE.replace("version = 1\n", "version = 1\n\n[lockout]\nper_adress = {}\n")
    load("load-misspelt-lockout-field", text, invalid, "lockout.per_adress",
         "unknown field `per_adress`, expected `per_address` or `per_account`", "{}")
    keys = ('\n[credentials.keys]\nmethod = "api_key"\npepper = "{}"\n')
    text = BASE + keys.format("pepper-written-in-the-file-0123456789")
    load("load-literal-secret-refused", text, invalid, "credentials.keys.pepper",
         "a secret cannot be written in the configuration: use env:NAME, file:PATH or "
         "secret:NAME", '"pepper-written')
    text = BASE + keys.format("secret:vault-pepper")
    load("load-unknown-secret", text, invalid, "credentials.keys.pepper",
         'no secret named "vault-pepper" was supplied at load', '"secret:vault-pepper"')
    text = BASE.replace('"secret:jwt"', '"secret:short"')
    load("load-jwt-secret-too-short", text, "jwt_key_invalid", "credentials.tokens.keys.static[0]",
         "HMAC secrets must be at least 32 bytes", "{ alg")
    text = route(path='"/a/*/b"')
    load("load-bad-route-pattern", text, invalid, "routes[0].path",
         "`*` is allowed only as the last segment", '"/a/*/b"')
    text = route(path='"/files/%2F"')
    load("load-route-pattern-never-matches", text, invalid, "routes[0].path",
         "`%2F` can never match: in a request, an encoded slash is refused", '"/files')
    text = route(extra='methods = ["get"]\n')
    load("load-lower-case-method", text, invalid, "routes[0].methods",
         "`get`: methods are case-sensitive, so it would never match `GET` requests; write "
         "`GET`", '["get"]')
    text = route(extra='methods = ["GET", "GE T"]\n')
    load("load-method-not-a-token", text, invalid, "routes[0].methods",
         '"GE T" is not an HTTP method (a token)', '["GET"')
    text = route(require='{ optional = "tokens" }', extra='scopes = ["orders:read"]\n')
    load("load-scopes-on-anonymous-route", text, invalid, "routes[0].scopes",
         "scopes cannot be required on a route that lets anonymous requests through",
         '["orders:read"]')
    text = route(extra='scopes = ["orders read"]\n')
    load("load-scope-with-space", text, invalid, "routes[0].scopes[0]",
         "a scope is a non-empty string without spaces, quotes or backslashes", '"orders read"')
    text = route(extra='rate_limits = ["per-caller"]\n')
    load("load-unknown-rate-limit", text, invalid, "routes[0].rate_limits[0]",
         'unknown rate limit "per-caller"', '"per-caller"')
    text = route(extra='name = "a"\n') + '\n[[routes]]\nname = "a"\npath = "/b"\n'
    text += 'require = "tokens"\n'
    load("load-duplicate-route-name", text, invalid, "routes[1].name",
         'route name "a" is used twice', '"a"', nth=1)
    text = route() + "\n[rate_limits.burst]\nkey = \"route\"\nquota = 0\nwindow_seconds = 60\n"
    load("load-rate-limit-zero-quota", text, invalid, "rate_limits.burst",
         "quota must be 1 to 1000000", "[rate_limits.burst]")
    text = route() + ("\n[lockout]\nper_address = { threshold = 5, max_failures = 3 }\n")
    load("load-lockout-threshold-above-max", text, invalid, "lockout.per_address",
         "threshold must be 1 to max_failures", "{ threshold")
    text = route() + ("\n[lockout]\nper_account = { max_failures = 101 }\n")
    load("load-lockout-over-nist-limit", text, invalid, "lockout.per_account",
         "max_failures must be 1 to 100 (NIST SP 800-63B 5.2.2)", "{ max_failures")
    text = BASE.replace('require = "tokens"', "require = tokens")
    load("load-toml-bare-word", text, invalid, "(document)",
         "invalid boolean, expected `true`", "tokens\n")
    # The parser reports where it expected the closing quote: the end of the line.
    text = BASE.replace('path = "/a"', 'path = "/a')
    load("load-toml-unterminated-string", text, invalid, "(document)",
         "invalid basic string, expected `\"`", "\nrequire")
    text = BASE.replace("version = 1", "version = 2")
    load("load-version-2", text, invalid, "version", "unsupported version 2 (this library reads 1)",
         "2")
    text = BASE.split("[[routes]]")[0].replace("version = 1\n", "version = 1\nroutes = []\n")
    load("load-no-routes", text, invalid, "routes", "1 to 1024 routes", "[]")

    j = ('{\n  "version": 1,\n  "credentials": {\n    "tokens": {"method": "jwt", "audiences": '
         '["api"], "keys": {"static": [{"alg": "HS256", "secret": "secret:jwt"}]}}\n  },\n'
         '  "routes": [\n    {"path": "/a", "require": "tokens"}\n  ]ROUTES\n}\n')
    load("load-json-duplicate-member",
         j.replace("ROUTES", ',\n  "routes": [\n    {"path": "/b", "require": "tokens"}\n  ]'),
         "json_invalid", "(document)", 'member "routes" appears twice in one object',
         '"routes"', nth=1, fmt="json")
    load("load-json-unknown-credential",
         j.replace('"require": "tokens"}', '"require": {"any_of": ["tokens", "keys"]}}')
         .replace("ROUTES", ""), invalid, "routes[0].require.any_of[1]",
         'unknown credential "keys"', '"keys"', nth=1, fmt="json")
    # serde_json places a syntax error where it stops reading: the `}` after the comma.
    text = j.replace("ROUTES", ",")
    load("load-json-syntax-error", text, "json_invalid", "(document)", "trailing comma", "}\n",
         nth=text.count("}\n") - 1, fmt="json")
    # A raw line break inside a string: serde_json says "column 0" of the next line; the
    # position is the line break itself (found by fuzzing, fuzz/regressions/gate_config).
    text = j.replace('"/a"', '"/a\nb"').replace("ROUTES", "")
    load("load-json-line-break-in-string", text, "json_invalid", "(document)",
         "control character (\\u0000-\\u001F) found while parsing a string", "\nb\"",
         fmt="json")
