"""A reference model of the portcullis gate, for gen_gate.py: stdlib only, written from the
gate's documented rules (the module documentation of core/src/gate: route normalization and
patterns, requirement trees and their failure tiers, merged challenges, rate limits and lockout;
the integer token-bucket arithmetic documented in core/src/store/limits.rs) and never run
against portcullis. Credential models are in gate_methods.py.
"""

import ipaddress
import re

from gate_methods import (INVALID, FOREIGN, MISSING, ApiKeys, Basic, Fail, HttpSig, Jwt, Mtls,
                          Pcs1, Unmodelled, Webhook, problem, status, tier)

UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
RAW_OK = UNRESERVED | set("!$&'()*+,=:@")
AUTHORITY_OK = UNRESERVED | set("!$&'()*+,;=:[]")


class Invalid(Exception):
    """The target is refused (request_invalid)."""


# ---------------------------------------------------------------- routes


def normalize(target):
    """The request path the gate matches routes against; Invalid for the refused forms."""
    if not target or any(not 0x21 <= ord(c) <= 0x7E for c in target) or "#" in target:
        raise Invalid(target)
    if target == "*":
        return "*"
    path = target.split("?", 1)[0]
    if not path.startswith("/"):
        scheme, sep, rest = path.partition("://")
        if not sep or scheme.lower() not in ("http", "https"):
            raise Invalid(target)
        cut = rest.find("/")
        authority, path = (rest, "/") if cut < 0 else (rest[:cut], rest[cut:])
        if not authority or any(c not in AUTHORITY_OK for c in authority):
            raise Invalid(target)
    out, i = "/", 1
    while i < len(path):
        c = path[i]
        if c == "%":
            pair = path[i + 1:i + 3]
            if not re.fullmatch(r"[0-9A-Fa-f]{2}", pair):
                raise Invalid(target)
            v = int(pair, 16)
            if chr(v) in UNRESERVED:
                out += chr(v)
            elif v in (0x2F, 0x5C) or v < 0x20 or v == 0x7F:
                raise Invalid(target)
            else:
                out += "%%%02X" % v
            i += 3
        elif c == "/" or c in RAW_OK:
            out += c
            i += 1
        else:
            raise Invalid(target)
    segments = out[1:].split("/")
    if any(s in (".", "..") for s in segments) or "" in segments[:-1]:
        raise Invalid(target)
    return out


def pattern_matches(pattern, path):
    """The captured parameters, or None (the pattern rules of core/src/gate/route.rs)."""
    if pattern == "*" or path == "*":
        return {} if pattern == path else None
    parts = pattern[1:].split("/")
    wildcard = parts[-1] == "*"
    if wildcard:
        parts = parts[:-1]
    segments = path[1:].split("/")
    if (len(segments) < len(parts)) if wildcard else (len(segments) != len(parts)):
        return None
    params = {}
    for p, s in zip(parts, segments):
        if p.startswith("{"):
            if not s:
                return None
            params[p[1:-1]] = s
        elif p != s:
            return None
    return params


def method_matches(methods, method):
    if not methods or methods == ["*"]:
        return True
    return method in methods or (method == "HEAD" and "GET" in methods)


# ---------------------------------------------------------------- requirements


class Pass:
    def __init__(self, winner=None, satisfied=()):
        self.winner = winner  # (credential name, Principal) or None
        self.satisfied = list(satisfied)


class Failure(Exception):
    def __init__(self, code, challenge, rank):
        super().__init__(code)
        self.code, self.challenge, self.rank = code, challenge, rank


def slots(node):
    """The credential names a requirement refers to, in order."""
    if isinstance(node, str):
        return [node]
    if "credential" in node:
        return [node["credential"]]
    if "anonymous" in node:
        return []
    if "optional" in node:
        return slots(node["optional"])
    return [n for child in node.get("any_of", node.get("all_of", [])) for n in slots(child)]


def evaluate(node, req, route_scopes, creds, store):
    if isinstance(node, str):
        node = {"credential": node}
    if "anonymous" in node:
        return Pass()
    if "credential" in node:
        name = node["credential"]
        scopes = list(route_scopes or []) + list(node.get("scopes", []))
        try:
            principal = creds[name].verify(req, scopes, store)
        except Fail as f:
            raise Failure(f.code, f.challenge, tier(f.code)) from None
        return Pass((name, principal), [name])
    if "any_of" in node:
        best = None
        for child in node["any_of"]:
            try:
                return evaluate(child, req, route_scopes, creds, store)
            except Failure as f:
                if best is None or f.rank > best.rank:
                    best = f
        raise best
    if "all_of" in node:
        passed, presented = Pass(), False
        for i, child in enumerate(node["all_of"]):
            try:
                p = evaluate(child, req, route_scopes if i == 0 else None, creds, store)
            except Failure as f:
                # A credential missing after another was presented is not an anonymous request.
                if presented and f.rank == MISSING:
                    f.rank = INVALID
                raise
            presented |= p.winner is not None
            passed.winner = passed.winner or p.winner
            passed.satisfied += p.satisfied
        return passed
    if "optional" in node:
        try:
            return evaluate(node["optional"], req, route_scopes, creds, store)
        except Failure as f:
            if f.rank == MISSING:
                return Pass()
            raise
    raise Unmodelled(node)


# ---------------------------------------------------------------- store: replay, buckets, failures


class Store:
    """The gate's in-memory store: replay ids, token buckets and failure counters."""

    def __init__(self, max_entries):
        self.max = max_entries
        self.replay = {}
        self.buckets = {}
        self.failures = {}

    def remember(self, namespace, key, until, now):
        """False when (namespace, key) was seen and is still live; Fail when full."""
        k = (namespace, key)
        if self.replay.get(k, now) > now:
            return False
        if len(self.replay) >= self.max:
            self.replay = {e: u for e, u in self.replay.items() if u > now}
            if len(self.replay) >= self.max:
                raise Fail("store_unavailable")
        self.replay[k] = until
        return True

    def take(self, namespace, key, quota, window, now):
        """One take from a bucket of `quota` tokens per `window` seconds, counted in units of
        1/window token: capacity quota*window, refill quota units a second, a take costs window
        units. Returns (allowed, remaining, reset, retry_after)."""
        capacity = quota * window
        level, last = self.buckets.get((namespace, key), (capacity, now))
        if now > last:
            level = min(level + min(now - last, window) * quota, capacity)
            last = now
        behind = last - now
        allowed = level >= window
        if allowed:
            level -= window
        self.buckets[(namespace, key)] = (level, last)
        to_full = -(-(capacity - level) // quota)
        retry = 0 if allowed else max(behind - (-(window - level) // quota), 1)
        return allowed, level // window, behind + to_full, retry

    def failure_state(self, namespace, key, window, now):
        count, last = self.failures.get((namespace, key), (0, 0))
        return (0, 0) if count == 0 or now - last > window else (count, last)

    def record_failure(self, namespace, key, window, now):
        count, last = self.failures.get((namespace, key), (0, now))
        count = 1 if now - last > window else count + 1
        self.failures[(namespace, key)] = (count, max(last, now))

    def clear(self, namespace, key):
        self.failures.pop((namespace, key), None)


def blocked_for(policy, count, last, now):
    """Seconds a key with `count` consecutive failures must still wait (policy.rs's rule:
    delays from `threshold` on, doubling, capped; a lock of `window_seconds` at
    `max_failures`)."""
    if count == 0:
        return None
    if count >= policy["max_failures"]:
        wait = policy["window_seconds"]
    elif count >= policy["threshold"]:
        wait = min(policy["base_delay_seconds"] << (count - policy["threshold"]),
                   policy["max_delay_seconds"])
    else:
        return None
    until = last + wait
    return until - now if until > now else None


POLICY_DEFAULTS = {"threshold": 10, "max_failures": 100, "base_delay_seconds": 1,
                   "max_delay_seconds": 900, "window_seconds": 900}


def address_key(text):
    """An IPv4 address (also IPv4-mapped), or the /64 an IPv6 address is in: one client holds a
    whole /64, so counting /128s would give it 2**64 budgets."""
    ip = ipaddress.ip_address(text)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.packed if ip.version == 4 else ip.packed[:8]


# ---------------------------------------------------------------- the gate


class Gate:
    def __init__(self, config, secrets, passwords, known_tokens, mtls_outcomes):
        self.creds = {}
        for name, c in config["credentials"].items():
            method = c["method"]
            if method == "api_key":
                self.creds[name] = ApiKeys(c, secrets)
            elif method == "jwt":
                self.creds[name] = Jwt(c, secrets, known_tokens)
            elif method == "basic":
                self.creds[name] = Basic(c, passwords)
            elif method == "webhook":
                self.creds[name] = Webhook(c, secrets)
            elif method == "pcs1":
                self.creds[name] = Pcs1(c, secrets)
            elif method == "httpsig":
                self.creds[name] = HttpSig(c, secrets)
            elif method == "mtls":
                self.creds[name] = Mtls(c, mtls_outcomes)
            else:
                raise Unmodelled(method)
            self.creds[name].method = method
        self.limits = config.get("rate_limits", {})
        lockout = config.get("lockout", {})
        self.per_address = lockout.get("per_address")
        self.per_account = lockout.get("per_account")
        for p in (self.per_address, self.per_account):
            if p is not None:
                for k, v in POLICY_DEFAULTS.items():
                    p.setdefault(k, v)
        self.routes = [self.route(r) for r in config["routes"]]
        self.store = Store(config.get("store", {}).get("max_entries", 1_000_000))

    def route(self, rc):
        methods = rc.get("methods", [])
        name = rc.get("name") or f"{','.join(methods) if methods else '*'} {rc['path']}"
        challenges = []
        for n in slots(rc["require"]):
            c = self.creds[n].challenge()
            if c is not None and c not in challenges:
                challenges.append(c)
        limits = [(n, self.limits[n]) for n in rc.get("rate_limits", [])]
        before = [x for x in limits if x[1]["key"] != "principal"]
        after = [x for x in limits if x[1]["key"] == "principal"]
        policy = ", ".join(f'"{n}";q={lim["quota"]};w={lim["window_seconds"]}'
                           for n, lim in before + after) or None
        accounts = []
        if self.per_account is not None:
            accounts = [n for n in dict.fromkeys(slots(rc["require"]))
                        if self.creds[n].method == "basic"]
        return dict(name=name, methods=methods, path=rc["path"], require=rc["require"],
                    scopes=rc.get("scopes", []), before=before, after=after, policy=policy,
                    challenges=challenges, accounts=accounts)

    def check(self, req):
        """The decision as gate.json lists it."""
        try:
            path = normalize(req["target"])
        except Invalid:
            return self.deny(None, "request_invalid", None, [], None)
        route = next((r for r in self.routes if method_matches(r["methods"], req["method"])
                      and pattern_matches(r["path"], path) is not None), None)
        if route is None:
            return self.deny(None, "route_unmatched", None, [], None)
        now = req["now"]
        address = req.get("peer_address")
        taken = []
        for name, lim in route["before"]:
            if lim["key"] == "route":
                key = route["name"]
            elif address is not None:
                key = address_key(address)
            else:
                continue
            taken.append((name, self.store.take(f"rate:{name}", key, lim["quota"],
                                                lim["window_seconds"], now)))
        exhausted = [t[3] for _, t in taken if not t[0]]
        if exhausted:
            return self.deny(route, "rate_limited", None, taken, max(exhausted))
        if self.per_address and address is not None:
            wait = blocked_for(self.per_address,
                               *self.store.failure_state("address", address_key(address),
                                                         self.per_address["window_seconds"], now),
                               now)
            if wait:
                return self.deny(route, "locked_out", None, taken, max(wait, 1))
        accounts = []
        for cred in route["accounts"]:
            account = self.creds[cred].claimed_account(req)
            if account is not None:
                accounts.append((f"account:{cred}", account))
        for ns, account in accounts:
            wait = blocked_for(self.per_account,
                               *self.store.failure_state(ns, account,
                                                         self.per_account["window_seconds"], now),
                               now)
            if wait:
                return self.deny(route, "locked_out", None, taken, max(wait, 1))
        extra = req.get("scopes") or []
        if any(not x or any(c in x for c in ' "\\') for x in extra):
            return self.deny(route, "invalid_argument", None, taken, None)
        required = list(route["scopes"]) + [x for x in extra if x not in route["scopes"]]
        try:
            passed = evaluate(route["require"], req, required or None, self.creds,
                              self.store)
        except Failure as f:
            if f.rank in (FOREIGN, INVALID):
                if self.per_address and address is not None:
                    self.store.record_failure("address", address_key(address),
                                              self.per_address["window_seconds"], now)
                for ns, account in accounts:
                    self.store.record_failure(ns, account, self.per_account["window_seconds"], now)
            return self.deny(route, f.code, f.challenge, taken, None)
        if passed.winner:
            for ns, account in accounts:
                if ns == f"account:{passed.winner[0]}":
                    self.store.clear(ns, account)
        principal = passed.winner[1] if passed.winner else None
        if required and principal is None and route["challenges"]:
            # Only a caller's scopes get here: a route with scopes admits no anonymous pass.
            # A route with no challenge to offer refuses them below (403).
            return self.deny(route, "credentials_missing", None, taken, None)
        if required and not (principal and principal.has(required)):
            # A bearer winner is told which scope it lacks (RFC 6750 3.1).
            challenge = None
            if passed.winner:
                bare = self.creds[passed.winner[0]].challenge()
                if bare is not None and bare.scheme.lower() == "bearer":
                    challenge = bare.add("error", "insufficient_scope").add(
                        "scope", " ".join(required))
            return self.deny(route, "scope_insufficient", challenge, taken, None)
        if principal:
            key = (passed.winner[0], principal.subject)
            for name, lim in route["after"]:
                taken.append((name, self.store.take(f"rate:{name}", key, lim["quota"],
                                                    lim["window_seconds"], now)))
            exhausted = [t[3] for _, t in taken if not t[0]]
            if exhausted:
                return self.deny(route, "rate_limited", None, taken, max(exhausted))
        d = {"allowed": True, "status": 200, "route": route["name"],
             "credential": passed.winner[0] if passed.winner else None, "code": None,
             "challenges": [], "headers": self.limit_headers(route, taken)}
        if principal:
            d["subject"] = principal.subject
        return d

    @staticmethod
    def limit_headers(route, taken):
        headers = []
        if route and route["policy"]:
            headers.append(["RateLimit-Policy", route["policy"]])
        if taken:
            headers.append(["RateLimit", ", ".join(f'"{n}";r={t[1]};t={t[2]}'
                                                   for n, t in taken)])
        return headers

    def deny(self, route, code, challenge, taken, retry_after):
        """A refusal: the denial's own challenge, then (for a 401 only) the route's others,
        one per scheme and realm; then Retry-After and the problem body's Content-Type."""
        challenges = [challenge] if challenge else []
        if status(code) == 401:
            for c in (route["challenges"] if route else []):
                if not any(o.scheme.lower() == c.scheme.lower() and o.realm() == c.realm()
                           for o in challenges):
                    challenges.append(c)
        headers = self.limit_headers(route, taken)
        headers += [["WWW-Authenticate", c.header()] for c in challenges]
        if retry_after is not None:
            headers.append(["Retry-After", str(retry_after)])
        headers.append(["Content-Type", "application/problem+json"])
        d = {"allowed": False, "status": status(code), "route": route["name"] if route else None,
             "credential": None, "code": code, "challenges": [c.header() for c in challenges],
             "headers": headers, "problem": problem(code)}
        if retry_after is not None:
            d["retry_after"] = retry_after
        return d
