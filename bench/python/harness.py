"""The timing harness of the Python bench: interleaved batches of every case of a workload,
their summaries, and the rows written to the JSON report (bench.py, bench/README.md)."""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable, Optional



class Plan:
    def __init__(self, smoke: bool) -> None:
        self.smoke = smoke
        self.batches = 3 if smoke else 15
        self.batch_seconds = 0.002 if smoke else 0.04
        self.warmup_seconds = 0.002 if smoke else 0.1


def summarize(samples: list[float]) -> dict[str, Any]:
    s = sorted(samples)
    if len(s) >= 2:
        q = statistics.quantiles(s, n=4, method="inclusive")
        q1, q3 = q[0], q[2]
    else:
        q1 = q3 = s[0]
    return {
        "median": statistics.median(s),
        "min": s[0],
        "max": s[-1],
        "q1": q1,
        "q3": q3,
        "batches": samples,
    }


def calibrate(fn: Callable[[], Any], seconds: float) -> tuple[int, float]:
    """Runs fn for about `seconds` (the warm-up) and returns (iters per batch, ns per op)."""
    n, spent = 0, 0
    start = time.perf_counter_ns()
    while True:
        fn()
        n += 1
        spent = time.perf_counter_ns() - start
        if spent >= seconds * 1e9 and n >= 2:
            break
    return n, spent / n


def measure(
    cases: dict[str, Callable[[], Any]],
    plan: Plan,
    after_batch: Optional[dict[str, Callable[[], Any]]] = None,
) -> dict[str, dict[str, Any]]:
    """Interleaved batches of every case; returns per-case summaries of ns/op.

    `after_batch[name]`, when given, runs after each warm-up and batch of that case, outside
    the timing: work a case leaves behind (a gate's queued audit events) is finished before
    the next case's batch, instead of being timed as part of it."""
    after = after_batch or {}
    iters: dict[str, int] = {}
    for name, fn in cases.items():
        _, per_op = calibrate(fn, plan.warmup_seconds)
        iters[name] = max(1, int(plan.batch_seconds * 1e9 / per_op))
        if name in after:
            after[name]()
    samples: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for b in range(plan.batches):
        order = names[b % len(names) :] + names[: b % len(names)]
        for name in order:
            fn, n = cases[name], iters[name]
            t0 = time.perf_counter_ns()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter_ns() - t0) / n)
            if name in after:
                after[name]()
    out = {}
    for name in names:
        out[name] = summarize(samples[name])
        out[name]["iters"] = iters[name]
    return out


class Results:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.throughput: list[dict[str, Any]] = []
        self.skipped: list[str] = []
        self.notes: dict[str, Any] = {}

    def add(self, group: str, op: str, measured: dict[str, dict[str, Any]], peers: dict[str, str]) -> None:
        """`measured` keys are case names; `peers` maps case name to the peer label
        (portcullis is the case named 'portcullis')."""
        for name, summary in measured.items():
            row = {
                "group": group,
                "op": op,
                "impl": "portcullis" if name == "portcullis" else peers.get(name, name),
                "is_portcullis": name == "portcullis",
                "case": name,
                "ns": summary,
            }
            self.rows.append(row)
            label = row["impl"]
            print(f"  {op:<48} {label:<44} {summary['median']:>12,.0f} ns/op", flush=True)

    def skip(self, what: str) -> None:
        print(f"  SKIPPED: {what}", flush=True)
        self.skipped.append(what)


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
