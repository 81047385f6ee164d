"""Thread stress without sanitizers: threads check requests through one gate while others
insert, revoke and remove keys in its ring and reload its configuration; every result is counted
and must be one the state at that moment allows (ThreadSanitizer covers the same from C:
make tsan)."""

from __future__ import annotations

import threading
from collections import Counter

import portcullis
from gate_common import CONFIG, NOW, bearer, gate

CHECKERS = 6
ROUNDS = 400  # a multiple of 4: a quarter per kind of request
CHURN_ROUNDS = 150


def test_checks_while_keys_churn_and_the_configuration_reloads() -> None:
    g = gate()
    ring = g.api_key_ring("keys")
    assert ring is not None

    def issue(subject: str) -> tuple[portcullis.ApiKeyRecord, str]:
        issued = ring.generate(subject=subject, scopes=["orders:read"], now=NOW - 10)
        ring.insert(issued.record)
        return issued.record, issued.key

    stable = [issue(f"stable-{i}")[1] for i in range(4)]
    revoked_record, revoked_key = issue("revoked")
    ring.revoke(revoked_record.key_id, NOW - 5)
    token_request = bearer("/orders/1")
    verifier = g.verifier("keys")
    assert verifier is not None

    def by_key(key: str) -> portcullis.Request:
        return portcullis.Request("GET", "/orders/2", {"X-API-Key": key}, now=NOW)

    counts: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(CHECKERS + 2)
    stop = threading.Event()

    def checker(i: int) -> None:
        mine: Counter[str] = Counter()
        start.wait()
        for r in range(ROUNDS):
            kind = r % 4
            if kind == 3:
                # The generic verifier releases the GIL: these run in parallel with the rest.
                try:
                    p = verifier.verify(by_key(stable[(i + r) % len(stable)]))
                    mine["verifier ok" if p.subject.startswith("stable-") else "verifier wrong"] += 1
                except portcullis.AuthError as e:
                    mine[f"verifier {e.code}"] += 1
            elif kind == 0:
                d = g.check(by_key(stable[(i + r) % len(stable)]))
                mine["stable ok" if d.allowed and d.credential == "keys" else f"stable {d.code}"] += 1
            elif kind == 1:
                d = g.check(by_key(revoked_key))
                mine["revoked refused" if d.code == "apikey_revoked" else f"revoked {d.code}"] += 1
            else:
                d = g.check(token_request)
                mine["token ok" if d.allowed and d.credential == "tokens" else f"token {d.code}"] += 1
        with lock:
            counts.update(mine)

    def churn() -> None:
        start.wait()
        for _ in range(CHURN_ROUNDS):
            record, key = issue("churn")
            d = g.check(by_key(key))
            # The ring shared with the gate: a key inserted here is seen by the next check.
            with lock:
                counts["churn ok" if d.allowed else f"churn {d.code}"] += 1
            ring.revoke(record.key_id, NOW - 1)
            assert ring.remove(record.key_id)

    def reload() -> None:
        start.wait()
        n = 0
        while not stop.is_set() and n < 2_000:
            # The same credentials: the ring (and its keys) is kept across the reload.
            g.reload_toml(CONFIG.replace('name = "health"', f'name = "health-{n % 2}"'))
            n += 1
        with lock:
            counts["reloads"] = n

    threads = [threading.Thread(target=checker, args=(i,)) for i in range(CHECKERS)]
    threads += [threading.Thread(target=churn), threading.Thread(target=reload)]
    for t in threads[:-1]:
        t.start()
    threads[-1].start()
    for t in threads[:-1]:
        t.join(timeout=120)
    stop.set()
    threads[-1].join(timeout=120)
    assert not any(t.is_alive() for t in threads)

    per_kind = CHECKERS * ROUNDS // 4
    reloads = counts.pop("reloads")
    assert reloads > 0
    assert counts == Counter(
        {
            "stable ok": per_kind,
            "revoked refused": per_kind,
            "token ok": per_kind,
            "verifier ok": per_kind,
            "churn ok": CHURN_ROUNDS,
        }
    ), counts
