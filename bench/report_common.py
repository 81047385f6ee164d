"""What every part of the bench report shares: the languages, number formats, reading the
per-language outputs and the noise test (report.py, report_gate.py). Standard library only."""

from __future__ import annotations

import json
from typing import Any, Optional

LANGS = ("python", "node", "rust", "c")
TITLES = {"python": "Python", "node": "Node.js", "rust": "Rust", "c": "C ABI"}


def fmt_ns(ns: Optional[float]) -> str:
    if ns is None:
        return "—"
    if ns < 1_000:
        return f"{ns:.0f} ns"
    if ns < 1_000_000:
        return f"{ns / 1e3:.2f} µs"
    if ns < 1_000_000_000:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e9:.2f} s"


def fmt_rate(r: float) -> str:
    return f"{r:,.0f}/s"


def load(path: str) -> Optional[dict[str, Any]]:
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def groups_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """group -> {"op", "pc": row, "peers": [rows]} in first-seen order."""
    out: dict[str, dict[str, Any]] = {}
    for row in doc.get("rows", []):
        g = out.setdefault(row["group"], {"op": row["op"], "pc": None, "peers": []})
        if row["is_portcullis"]:
            g["pc"] = row
        else:
            g["peers"].append(row)
    return out


def batch_ratios(peer: dict[str, Any], pc: dict[str, Any]) -> list[float]:
    """peer/portcullis for each interleaved round (the same batch index ran back to back)."""
    return [p / q for p, q in zip(peer["ns"]["batches"], pc["ns"]["batches"]) if q > 0]


NOISY = 0.25


def noisy(*summaries: dict[str, Any]) -> bool:
    """A batch strayed more than 25% from its median: something else ran on the machine."""
    return any((s["max"] - s["min"]) / s["median"] > NOISY for s in summaries if s["median"] > 0)
