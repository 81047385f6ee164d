#!/usr/bin/env python3
"""Writes gate.json here: a small stand-in for tests/vectors/gate.json (format in
tests/vectors/GATE.md) that the C runner is tested on until the shared file exists. JWTs are
signed with Python's hmac; expected load details are the core's exact text."""

import base64
import hashlib
import hmac
import json
import os

NOW = 1767225600
JWT_SECRET = "gate-sample-jwt-secret-0123456789abcdef"
PEPPER = "gate-sample-pepper-0123456789abcdef"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(claims):
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(JWT_SECRET.encode(), ("%s.%s" % (head, body)).encode(), hashlib.sha256)
    return "%s.%s.%s" % (head, body, b64url(mac.digest()))


def token(sub, scope):
    return hs256({"sub": sub, "aud": "api", "exp": NOW + 600, "scope": scope})


def req(method, target, headers=(), **extra):
    r = {"method": method, "target": target, "headers": [list(h) for h in headers], "now": NOW}
    r.update(extra)
    return r


def problem(code, title, status):
    return {"type": "urn:portcullis:error:" + code, "title": title, "status": status, "code": code}


MAIN = {
    "version": 1,
    "credentials": {
        "tokens": {"method": "jwt", "audiences": ["api"],
                   "keys": {"static": [{"alg": "HS256", "secret": "secret:jwt"}]}},
        "keys": {"method": "api_key", "pepper": "file:pepper.txt", "realm": "keys"},
    },
    "routes": [
        {"name": "health", "path": "/health", "require": {"anonymous": True}},
        {"name": "orders", "methods": ["GET"], "path": "/orders/{id}",
         "require": {"any_of": ["tokens", "keys"]}, "scopes": ["orders:read"]},
        {"name": "limited", "path": "/limited", "require": "tokens", "rate_limits": ["two"]},
    ],
    "rate_limits": {"two": {"key": "principal", "quota": 2, "window_seconds": 60}},
}

MISSING = problem("credentials_missing", "Authentication required.", 401)

CASES = [
    {"id": "anonymous-health", "source": "sample", "config": "main",
     "input": {"op": "check", "requests": [req("GET", "/health", peer_address="203.0.113.7")]},
     "expect": {"decisions": [{"allowed": True, "status": 200, "route": "health",
                               "credential": None, "code": None, "headers": []}]}},
    {"id": "jwt-allowed", "source": "sample", "config": "main",
     "input": {"op": "check", "requests": [
         req("GET", "/orders/7", [("Authorization", "Bearer " + token("alice", "orders:read"))])]},
     "expect": {"decisions": [{"allowed": True, "status": 200, "route": "orders",
                               "credential": "tokens", "subject": "alice", "code": None,
                               "challenges": [], "headers": []}]}},
    {"id": "missing-every-challenge", "source": "sample", "config": "main",
     "input": {"op": "check", "requests": [req("GET", "/orders/7")]},
     "expect": {"decisions": [{
         "allowed": False, "status": 401, "route": "orders", "credential": None,
         "code": "credentials_missing",
         "challenges": ["Bearer realm=\"api\"", "Bearer realm=\"keys\""],
         "headers": [["WWW-Authenticate", "Bearer realm=\"api\""],
                     ["WWW-Authenticate", "Bearer realm=\"keys\""],
                     ["Content-Type", "application/problem+json"]],
         "problem": MISSING}]}},
    {"id": "no-route", "source": "sample", "config": "main",
     "input": {"op": "check", "requests": [req("POST", "/orders/7")]},
     "expect": {"decisions": [{"allowed": False, "status": 403, "route": None,
                               "code": "route_unmatched"}]}},
    {"id": "rate-limit-sequence", "source": "sample", "config": "main",
     "input": {"op": "check", "requests": [
         req("GET", "/limited", [("Authorization", "Bearer " + token("bob", ""))])] * 3},
     "expect": {"decisions": [
         {"allowed": True, "status": 200, "headers": [["RateLimit-Policy", "\"two\";q=2;w=60"],
                                                      ["RateLimit", "\"two\";r=1;t=30"]]},
         {"allowed": True, "status": 200},
         {"allowed": False, "status": 429, "code": "rate_limited", "retry_after": 30}]}},
    {"id": "inline-toml", "source": "sample",
     "input": {"op": "check", "format": "toml",
               "text": "[credentials.t]\nmethod = \"jwt\"\naudiences = [\"api\"]\n"
                       "keys = { static = [{ alg = \"HS256\", secret = \"secret:jwt\" }] }\n"
                       "[[routes]]\npath = \"/x\"\nrequire = { optional = \"t\" }\n",
               "requests": [req("GET", "/x"),
                            req("GET", "/x", [("Authorization", "Bearer nope")])]},
     "expect": {"decisions": [
         {"allowed": True, "status": 200, "route": "* /x", "credential": None},
         {"allowed": False, "status": 401, "code": "jwt_malformed"}]}},
    {"id": "load-unknown-credential", "source": "sample",
     "input": {"op": "load", "format": "toml",
               "text": "[credentials.t]\nmethod = \"basic\"\nusers = {}\n"
                       "[[routes]]\npath = \"/a\"\nrequire = { any_of = [\"t\", \"u\"] }\n"},
     "expect": {"error": "config_invalid",
                "detail": "routes[0].require.any_of[1]: unknown credential \"u\" (line 6, column 28)"}},
    {"id": "load-json-missing-secret", "source": "sample",
     "input": {"op": "load", "format": "json",
               "text": "{\"credentials\": {\"k\": {\"method\": \"api_key\", \"pepper\": \"secret:none\"}},\n"
                       " \"routes\": [{\"path\": \"/a\", \"require\": \"k\"}]}"},
     "expect": {"error": "config_invalid",
                "detail": "credentials.k.pepper: no secret named \"none\" was supplied at load (line 1, column 55)"}},
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    doc = {"description": "A stand-in for tests/vectors/gate.json (tests/c only).",
           "secrets": {"jwt": JWT_SECRET}, "configs": {"main": MAIN}, "cases": CASES}
    with open(os.path.join(here, "gate.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(os.path.join(here, "pepper.txt"), "w") as f:
        f.write(PEPPER)


if __name__ == "__main__":
    main()
