"""The report's gate part: the targets and the Gate section (report.py). The gate's rows
compare the time of the side that does more with the side that does less, the other way up
from the peer tables. Standard library only."""

from __future__ import annotations

import statistics
from typing import Any, Optional

from report_common import TITLES, fmt_ns, noisy

# The gate's rows (`gate_*` groups) compare the gate (the case named "portcullis") with the
# route's verifier called directly ("direct") and with the same route under a rate limit
# ("rate-limited"). Their ratio is the other way up from the peer tables: the time of the side
# that does more over the time of the side that does less, so a ratio above 1 is what the extra
# work costs and each target is a ceiling.
GATE_PREFIX = "gate_"
GATE_LANGS = ("python", "node", "rust")
# (id, group, slower case, faster case, ceiling, what the slower side is, what the faster side is)
GATE_COMPARISONS = (
    ("gate_jwt", "gate_jwt_hs256", "portcullis", "direct", 1.10,
     "gate decision on the JWT HS256 route", "the route's JWT verifier called directly"),
    ("gate_apikey", "gate_apikey", "portcullis", "direct", 1.20,
     "gate decision on the API key route", "the route's API key ring called directly"),
    ("gate_limit", "gate_apikey", "rate-limited", "portcullis", 1.15,
     "the API key route with a per-principal rate limit (memory store)", "the same route without it"),
)


def case_row(doc: Optional[dict[str, Any]], group: str, case: str) -> Optional[dict[str, Any]]:
    """The row of `case` in `group` (rows name their case; portcullis is always "portcullis")."""
    for row in (doc or {}).get("rows", []):
        if row["group"] == group and (row.get("case") == case or (case == "portcullis" and row["is_portcullis"])):
            return row
    return None


def gate_audit_warning(doc: Optional[dict[str, Any]]) -> str:
    """Audit events the gate rows did not pay for (dropped: the audit thread fell behind)."""
    note = ((doc or {}).get("notes") or {}).get("gate_audit") or {}
    gates = note.get("gates")
    dropped = sum(g.get("dropped", 0) for g in gates.values()) if gates else note.get("dropped", 0)
    return f" [{dropped:,} audit events dropped: those decisions' audit was not paid for; rerun]" if dropped else ""


def gate_comparison(doc: Optional[dict[str, Any]], group: str, slow_case: str, fast_case: str) -> Optional[dict[str, Any]]:
    slow, fast = case_row(doc, group, slow_case), case_row(doc, group, fast_case)
    if not slow or not fast:
        return None
    rounds = [a / b for a, b in zip(slow["ns"]["batches"], fast["ns"]["batches"]) if b > 0]
    return {
        "slow": slow,
        "fast": fast,
        "ratio": slow["ns"]["median"] / fast["ns"]["median"],
        "extra_ns": slow["ns"]["median"] - fast["ns"]["median"],
        "rounds": rounds,
        "noisy": noisy(slow["ns"], fast["ns"]),
    }


def audit_summary(note: dict[str, Any], doc: dict[str, Any]) -> str:
    """One line: events delivered to the host and dropped, and how many were still queued when a
    gate batch ended (delivered after it, outside the timing: the part the rows did not pay)."""
    gates = note.get("gates") or {"all": note}
    delivered = sum(g.get("delivered", 0) for g in gates.values())
    dropped = sum(g.get("dropped", 0) for g in gates.values())
    counted = note.get("counted_by_callback", note.get("counted_by_sink"))
    text = f"{delivered:,} events delivered, {counted:,} counted by the callback, {dropped:,} dropped"
    tails = [t for tail in (note.get("undelivered_at_batch_end") or {}).values() for t in tail]
    calls = [r["ns"]["iters"] for r in doc.get("rows", []) if r["group"].startswith(GATE_PREFIX)
             and r.get("case") in ("portcullis", "rate-limited") and "iters" in r["ns"]]
    if tails and calls:
        text += (f"; at the end of a gate batch (~{statistics.mean(calls):,.0f} calls) {statistics.mean(tails):,.0f} "
                 "events on average were still on their way to the callback (delivered after the batch, untimed)")
    if "rate_limit_tokens_left" in note:
        text += f"; the rate limit's bucket kept {note['rate_limit_tokens_left']:,} tokens (never ran out)"
    return text


def gate_targets(docs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for lang in GATE_LANGS:
        for tid, group, slow_case, fast_case, ceiling, slow_text, fast_text in GATE_COMPARISONS:
            slow_name = "gate" if slow_case == "portcullis" else "limited"
            fast_name = "direct" if fast_case == "direct" else "unlimited"
            text = (f"{TITLES[lang]} {slow_text} ≤ {ceiling:.2f}x {fast_text} "
                    f"(ratio = {slow_name} time / {fast_name} time: lower is better)")
            c = gate_comparison(docs.get(lang), group, slow_case, fast_case)
            if c is None:
                out.append({"id": f"{lang}_{tid}", "target": text, "status": "NOT RUN", "detail": "gate workload not measured"})
                continue
            ok = c["ratio"] <= ceiling
            detail = (f"{c['ratio']:.2f}x: {fmt_ns(c['slow']['ns']['median'])} against {fmt_ns(c['fast']['ns']['median'])}, "
                      f"{c['extra_ns']:+.0f} ns per request (rounds {min(c['rounds']):.2f}–{max(c['rounds']):.2f}x)")
            floor = case_row(docs.get(lang), group, "floor") if fast_case == "direct" else None
            if floor:
                detail += (f"; the floor (the direct call plus a bare audit hand-off, no gate) is "
                           f"{floor['ns']['median'] / c['fast']['ns']['median']:.2f}x")
            if not ok:
                allowed = c["fast"]["ns"]["median"] * (ceiling - 1)
                detail += (f"; over the ceiling by {c['ratio'] - ceiling:.2f}x: the extra work may cost {allowed:.0f} ns "
                           f"and costs {c['extra_ns']:.0f} ns")
            if c["noisy"]:
                detail += " [noisy batches: rerun before trusting this]"
            detail += gate_audit_warning(docs.get(lang))
            out.append({"id": f"{lang}_{tid}", "target": text, "status": "PASS" if ok else "MISS", "value": c["ratio"], "detail": detail})
    return out


def gate_table(docs: dict[str, dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    lines = [
        "| language | route | measured | its time | compared with | its time | ratio (ceiling) | per request | gate without audit | floor | spread |",
        "| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    flat: list[dict[str, Any]] = []
    for lang in GATE_LANGS:
        doc = docs.get(lang)
        for tid, group, slow_case, fast_case, ceiling, _, _ in GATE_COMPARISONS:
            c = gate_comparison(doc, group, slow_case, fast_case)
            if c is None:
                continue
            quiet = case_row(doc, group, "no-audit") if slow_case == "portcullis" else None
            floor = case_row(doc, group, "floor") if fast_case == "direct" else None
            floor_text = (f"{fmt_ns(floor['ns']['median'])} ({floor['ns']['median'] / c['fast']['ns']['median']:.2f}x)"
                          if floor else "—")
            route = "JWT HS256" if group == "gate_jwt_hs256" else "API key"
            slow_label = "gate, rate-limited route" if slow_case == "rate-limited" else "gate"
            fast_label = "gate, no rate limit" if fast_case == "portcullis" else c["fast"]["impl"]
            spread = (f"ratio {min(c['rounds']):.2f}–{max(c['rounds']):.2f} over {len(c['rounds'])} rounds; "
                      f"{fmt_ns(c['slow']['ns']['min'])}–{fmt_ns(c['slow']['ns']['max'])} vs "
                      f"{fmt_ns(c['fast']['ns']['min'])}–{fmt_ns(c['fast']['ns']['max'])}")
            if c["noisy"]:
                spread += " **noisy**"
            lines.append(
                f"| {TITLES[lang]} | {route} | {slow_label} | {fmt_ns(c['slow']['ns']['median'])} | {fast_label} | "
                f"{fmt_ns(c['fast']['ns']['median'])} | **{c['ratio']:.2f}x** (≤ {ceiling:.2f}) | {c['extra_ns']:+.0f} ns | "
                f"{fmt_ns(quiet['ns']['median']) if quiet else '—'} | {floor_text} | {spread} |"
            )
            flat.append({"lang": lang, "id": tid, "ratio": c["ratio"], "ceiling": ceiling, "extra_ns": c["extra_ns"],
                         "slow_ns": c["slow"]["ns"]["median"], "fast_ns": c["fast"]["ns"]["median"],
                         "no_audit_ns": quiet["ns"]["median"] if quiet else None,
                         "floor_ns": floor["ns"]["median"] if floor else None})
    return (lines if flat else []), flat


def gate_section(docs: dict[str, dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The Gate section's Markdown (empty when no gate row was measured) and its rows for the JSON."""
    md: list[str] = []
    gate_lines, gate_flat = gate_table(docs)
    if gate_lines:
        md.append("## Gate")
        md.append("")
        md.append("What the gate adds to a request: `check` on a route (4 routes, the JWT one last; audit on, to a "
                  "callback that counts) against calling the route's verifier directly on the same prepared request, "
                  "and the API key route with a per-principal rate limit (memory store) against the same route "
                  "without it. **Here ratio = time of the measured side / time of the side it is compared with**: "
                  "1.00x is free, above 1 is what the extra work costs, and the target is a ceiling (the "
                  "opposite way up from the peer tables). Python and Node read the decision's `allowed` and "
                  "`principal`, since the direct call hands over a principal; Node turns the event loop every 256 "
                  "calls in every case of these rows, so the audit callbacks run inside the gate's timing. "
                  "\"gate without audit\" is the same configuration built without a callback (informational: "
                  "the difference is the audit's delivery to the host). \"floor\" (Rust) is the direct call "
                  "followed by a bare hand-off of a record of the audit event's size to a thread that counts "
                  "it (the core's bounded queue, batches and parking, and nothing of the gate): the least an "
                  "audited decision costs before any route is matched, and its ratio to the direct call.")
        md.append("")
        md.extend(gate_lines)
        md.append("")
        for lang in GATE_LANGS:
            note = ((docs.get(lang) or {}).get("notes") or {}).get("gate_audit")
            if note:
                md.append(f"- {TITLES[lang]} audit: {audit_summary(note, docs[lang])}")
        md.append("")
    return md, gate_flat
