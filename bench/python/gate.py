"""The gate's own cost in Python: `Gate.check` against calling the winning credential's
verifier directly on the same prepared `Request`, with audit on to a counting callback; and a
per-principal rate limit against none on the API key route (bench/README.md, the Rust twin in
bench/rust/src/gate.rs: the same configuration, secrets and requests).

The target rows audit through `audit_batch=` (one call per core batch, counting `len(batch)`:
no event object is made); the `per-event-audit` rows are the same gate with `audit=` (one call
and one `AuditEvent` per decision), for comparison.

    python bench/python/gate.py --profile gate-apikey [--calls N]   # one case in a loop, for a profiler
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import portcullis
from harness import Plan, Results, measure

PEPPER = "bench-gate-pepper-0123456789abcdef"
JWT_SECRET = "bench-gate-jwt-secret-0123456789abcdef"
NOW = 1_700_000_000
SECRETS = {"jwt": JWT_SECRET, "pepper": PEPPER}
# The bucket holds this many tokens and the requests' time never moves, so it never refills:
# a run must stay under it (checked after the run), or the limited row would time refusals.
QUOTA = 1_000_000


def config(record_json: str, limit: bool) -> str:
    """Four routes; the JWT route is the last one, so the gate walks the others first."""
    limits = ', "rate_limits": ["caller"]' if limit else ""
    return f"""{{
  "credentials": {{
    "tokens": {{"method": "jwt", "audiences": ["api"],
                "keys": {{"static": [{{"alg": "HS256", "secret": "secret:jwt"}}]}}}},
    "keys": {{"method": "api_key", "pepper": "secret:pepper", "records": [{record_json}]}}
  }},
  "routes": [
    {{"name": "health", "path": "/health", "require": {{"anonymous": true}}}},
    {{"name": "admin", "path": "/admin/*", "require": "tokens"}},
    {{"name": "orders", "methods": ["GET"], "path": "/orders/{{id}}", "require": "keys"{limits}}},
    {{"name": "profile", "methods": ["GET"], "path": "/profile", "require": "tokens"}}
  ],
  "rate_limits": {{"caller": {{"key": "principal", "quota": {QUOTA}, "window_seconds": 1}}}}
}}"""


class Counting:
    """What a host's audit callable does at the least: count. `on_batch` (for `audit_batch=`)
    adds a batch's length, `on_event` (for `audit=`) one per event; both are plain closures
    (cheaper to call than a bound method or `__call__`)."""

    def __init__(self) -> None:
        box = [0]

        def on_event(_event: Any) -> None:
            box[0] += 1

        def on_batch(batch: Any) -> None:
            box[0] += len(batch)

        self.on_event = on_event
        self.on_batch = on_batch
        self._box = box

    @property
    def count(self) -> int:
        return self._box[0]


def gate_case(gate: Any, request: Any) -> Callable[[], Any]:
    # What a handler reads from a decision: whether it may go on, then who is calling (the
    # direct verify returns that principal, so the gate must hand it over too).
    check = gate.check

    def run() -> Any:
        d = check(request)
        return d.principal if d.allowed else None

    return run


class Settle:
    """Run after each of a gate's batches, outside the timing: the audit events still queued
    then are delivered before the next case's batch starts, not inside it. Those (the tail)
    are the part of the callback's work the gate's row does not pay for; `tail` keeps how many
    there were per batch, so the report can say how much that is."""

    def __init__(self, gate: Any) -> None:
        self.gate = gate
        self.tail: list[int] = []

    def __call__(self) -> None:
        stats = self.gate.audit_stats()
        self.tail.append(stats["submitted"] - stats["delivered"] - stats["dropped"])
        if not self.gate.flush_audit(5.0):
            raise AssertionError("the audit callback did not catch up within 5 s")


class Setup:
    """The gates, requests and direct verifiers of every case, each case checked once."""

    def __init__(self) -> None:
        ring = portcullis.ApiKeyRing(pepper=PEPPER.encode())
        self.issued = ring.generate(subject="svc-billing", scopes=["orders:read"], now=NOW)
        record = self.issued.record.to_json()
        self.counted = Counting()
        on_batch = self.counted.on_batch
        self.plain = portcullis.Gate.from_json(config(record, False), secrets=SECRETS, audit_batch=on_batch)
        self.limited = portcullis.Gate.from_json(config(record, True), secrets=SECRETS, audit_batch=on_batch)
        self.per_event = portcullis.Gate.from_json(config(record, False), secrets=SECRETS, audit=self.counted.on_event)
        self.quiet = portcullis.Gate.from_json(config(record, False), secrets=SECRETS)
        self.audited = {"plain": self.plain, "limited": self.limited, "per_event": self.per_event}

        # The JWT route's direct twin: a JwtVerifier built as the gate's credential is (the same
        # key and audience, every other setting the default).
        key = portcullis.JwtKey.from_secret(JWT_SECRET.encode(), "HS256")
        claims = {
            "sub": "user-1234567890",
            "aud": "api",
            "exp": NOW + 3600,
            "iat": NOW,
            "jti": "3f1c1a6e-5a7b-4c1e-9d1a-2b6c7d8e9f00",
            "scope": "orders:read",
        }
        token = portcullis.jwt_encode(claims, key)
        self.jwt_request = portcullis.Request("GET", "/profile", headers=[("Authorization", f"Bearer {token}")], now=NOW + 10)
        keys = portcullis.JwtKeySet()
        keys.insert(key)
        verifier = portcullis.JwtVerifier(keys, audiences=["api"])
        # The API key route's direct twin: the gate's own ring.
        self.key_request = portcullis.Request(
            "GET", "/orders/42", headers=[("Authorization", f"Bearer {self.issued.key}")], now=NOW + 10
        )
        gate_ring = self.plain.api_key_ring("keys")
        if gate_ring is None:
            raise AssertionError("the gate has no ring named keys")
        jwt_verify, ring_verify = verifier.verify, gate_ring.verify
        jwt_request, key_request = self.jwt_request, self.key_request
        self.cases: dict[str, Callable[[], Any]] = {
            "gate-jwt": gate_case(self.plain, jwt_request),
            "direct-jwt": lambda: jwt_verify(jwt_request),
            "event-jwt": gate_case(self.per_event, jwt_request),
            "quiet-jwt": gate_case(self.quiet, jwt_request),
            "gate-apikey": gate_case(self.plain, key_request),
            "direct-apikey": lambda: ring_verify(key_request),
            "limited-apikey": gate_case(self.limited, key_request),
            "event-apikey": gate_case(self.per_event, key_request),
            "quiet-apikey": gate_case(self.quiet, key_request),
        }
        # Every case accepts its request with the same subject; the gate names the credential.
        for name, fn in self.cases.items():
            want = "user-1234567890" if name.endswith("-jwt") else "svc-billing"
            if fn().subject != want:
                raise AssertionError(f"{name}: another subject")
        if self.plain.check(jwt_request).credential != "tokens" or self.plain.check(key_request).credential != "keys":
            raise AssertionError("a route was decided by another credential")


def bench_gate(res: Results, plan: Plan) -> None:
    s = Setup()
    settle = {name: Settle(g) for name, g in s.audited.items()}
    c = s.cases
    res.add(
        "gate_jwt_hs256",
        "Gate decision, JWT HS256 route (4 routes, audit_batch to a counting callback)",
        measure(
            {
                "portcullis": c["gate-jwt"],
                "direct": c["direct-jwt"],
                "per-event-audit": c["event-jwt"],
                "no-audit": c["quiet-jwt"],
            },
            plan,
            after_batch={"portcullis": settle["plain"], "per-event-audit": settle["per_event"]},
        ),
        {
            "direct": "JwtVerifier.verify, the gate's key and audience (direct)",
            "per-event-audit": "the same gate, audit= called per event (informational)",
            "no-audit": "the same gate without audit (informational)",
        },
    )
    res.add(
        "gate_apikey",
        "Gate decision, API key route (audit_batch to a counting callback)",
        measure(
            {
                "portcullis": c["gate-apikey"],
                "direct": c["direct-apikey"],
                "rate-limited": c["limited-apikey"],
                "per-event-audit": c["event-apikey"],
                "no-audit": c["quiet-apikey"],
            },
            plan,
            after_batch={
                "portcullis": settle["plain"],
                "rate-limited": settle["limited"],
                "per-event-audit": settle["per_event"],
            },
        ),
        {
            "direct": "gate.api_key_ring('keys').verify (direct)",
            "rate-limited": "the same route with a per-principal rate limit",
            "per-event-audit": "the same gate, audit= called per event (informational)",
            "no-audit": "the same gate without audit (informational)",
        },
    )
    left = remaining_tokens(s.limited.check(s.key_request))
    if left is None or left <= 0:
        raise AssertionError(f"the rate limit ran out during the run (remaining {left}): the limited row timed refusals")

    for gate in s.audited.values():
        if not gate.flush_audit(5.0):
            raise AssertionError("the audit callback did not catch up within 5 s")
    stats = {name: g.audit_stats() for name, g in s.audited.items()}
    delivered = sum(st["delivered"] for st in stats.values())
    lost = sum(st["dropped"] + st["sink_failures"] for st in stats.values())
    res.notes["gate_audit"] = {
        "gates": stats,
        "counted_by_callback": s.counted.count,
        "rate_limit_tokens_left": left,
        # Events not yet delivered when a gate batch ended (delivered untimed before the next).
        "undelivered_at_batch_end": {name: st.tail for name, st in settle.items()},
    }
    print(f"  audit: {delivered} delivered, {s.counted.count} counted by the callback, {lost} dropped or failed; "
          f"rate limit: {left} of {QUOTA} tokens left", flush=True)
    if lost or s.counted.count != delivered:
        # An event dropped is a callback the gate rows did not pay for; the report says so.
        print("  WARNING: audit events were dropped or not counted (the machine is busy?)", flush=True)


def remaining_tokens(decision: Any) -> Optional[int]:
    """`r=` of the decision's RateLimit field (`"caller";r=999;t=1`)."""
    for name, value in decision.headers:
        if name == "RateLimit":
            for part in value.split(";"):
                if part.startswith("r="):
                    return int(part[2:])
    return None



def profile(case: str, calls: int) -> None:
    """One case in a loop and nothing else, for a profiler (bench/profile-notes.md)."""
    s = Setup()
    fn = s.cases[case]
    for _ in range(calls):
        fn()
    for gate in s.audited.values():
        gate.flush_audit(5.0)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="run one gate case in a loop, for perf or callgrind")
    ap.add_argument("--profile", required=True, choices=["gate-jwt", "direct-jwt", "event-jwt", "quiet-jwt", "gate-apikey",
                                                          "direct-apikey", "limited-apikey", "event-apikey",
                                                          "quiet-apikey"])
    ap.add_argument("--calls", type=int, default=200_000)
    a = ap.parse_args()
    profile(a.profile, a.calls)
