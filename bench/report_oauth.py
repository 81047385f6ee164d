"""The report's OAuth 2.0 part: the targets and the OAuth 2.0 section (report.py). Its rows
(`oauth_*` groups, bench/python/oauth.py and bench/rust/src/oauth.rs) are kept out of the
language tables, as the gate's are. Standard library only."""

from __future__ import annotations

from typing import Any, Optional

from report_common import TITLES, fmt_ns, noisy
from report_gate import case_row

OAUTH_PREFIX = "oauth_"
# Python's cached introspection hit must take less than this (an absolute target).
INTROSPECTION_HIT_NS = 1000.0

# (id, lang, group, the measured case, the case it is compared with, kind, bound, target text)
#   kind "peer":     ratio = the other case's time / the measured case's time, at least `bound`
#   kind "floor":    ratio = the measured case's time / the other case's time, at most `bound`
#   kind "info":     the measured case's time / the other case's time, no target
OAUTH_COMPARISONS: tuple[tuple[str, str, str, str, str, str, Optional[float], str], ...] = (
    ("py_oauth_dpop_es256", "python", "oauth_dpop_es256", "portcullis", "pyjwt", "peer", 1.8,
     "Python DPoP-bound ES256 access token + ES256 proof verify ≥ 1.8x the same check written with PyJWT + cryptography"),
    ("rust_oauth_dpop_es256", "rust", "oauth_dpop_es256", "portcullis", "floor", "floor", 1.15,
     "Rust DPoP-bound ES256 access token + ES256 proof verify (ResourceServer::verify) within 1.15x of two raw aws-lc-rs ES256 verifies"),
    ("rust_oauth_dpop_proof_half", "rust", "oauth_dpop_es256", "proof-only", "floor-proof", "info", None, ""),
    ("rust_oauth_dpop_token_half", "rust", "oauth_dpop_es256", "token-only", "floor-token", "info", None, ""),
    ("py_oauth_introspection_floor", "python", "oauth_introspection_hit", "portcullis", "floor", "info", None, ""),
    ("py_oauth_introspection_dict", "python", "oauth_introspection_hit", "portcullis", "dict-cache", "info", None, ""),
    ("rust_oauth_introspection_floor", "rust", "oauth_introspection_hit", "portcullis", "floor", "info", None, ""),
)

INTROSPECTION_TEXT = "Python cached introspection hit (oauth2 Verifier.verify, opaque token) < 1 µs"


def comparison(doc: Optional[dict[str, Any]], group: str, case: str, other_case: str, kind: str) -> Optional[dict[str, Any]]:
    pc, other = case_row(doc, group, case), case_row(doc, group, other_case)
    if not pc or not other:
        return None
    p, o = pc["ns"], other["ns"]
    if kind == "peer":
        ratio = o["median"] / p["median"]
        rounds = [b / a for a, b in zip(p["batches"], o["batches"]) if a > 0]
    else:
        ratio = p["median"] / o["median"]
        rounds = [a / b for a, b in zip(p["batches"], o["batches"]) if b > 0]
    return {"pc": pc, "other": other, "ratio": ratio, "rounds": rounds, "noisy": noisy(p, o)}


def introspection_detail(docs: dict[str, dict[str, Any]], v: float) -> str:
    detail = f"{fmt_ns(v)} per verify (prepared Request, cache warm)"
    floor = case_row(docs.get("python"), "oauth_introspection_hit", "floor")
    if floor:
        detail += (f"; the cheapest Verifier call (an api_key method with one key) takes "
                   f"{fmt_ns(floor['ns']['median'])}")
    own = case_row(docs.get("python"), "oauth_introspection_hit", "dict-cache")
    if own:
        detail += f", an app's own dict cache {fmt_ns(own['ns']['median'])}"
    rust = case_row(docs.get("rust"), "oauth_introspection_hit", "portcullis")
    if rust:
        detail += f"; the same hit in Rust (ResourceServer::verify) {fmt_ns(rust['ns']['median'])}"
    return detail


def oauth_targets(docs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for tid, lang, group, case, other_case, kind, bound, text in OAUTH_COMPARISONS:
        if kind == "info" or bound is None:
            continue
        c = comparison(docs.get(lang), group, case, other_case, kind)
        if c is None:
            out.append({"id": tid, "target": text, "status": "NOT RUN", "detail": "OAuth 2.0 workload not measured"})
            continue
        r = c["ratio"]
        p, o = c["pc"]["ns"]["median"], c["other"]["ns"]["median"]
        if kind == "peer":
            ok = r >= bound
            detail = f"{r:.2f}x ({fmt_ns(p)} vs {fmt_ns(o)}; rounds {min(c['rounds']):.2f}–{max(c['rounds']):.2f}x)"
            if not ok:
                detail += f"; short by {bound - r:.2f}x ({(1 - r / bound) * 100:.0f}% below the target)"
        else:
            ok = r <= bound
            detail = (f"{r:.3f}x of the floor ({fmt_ns(p)} vs {fmt_ns(o)}, {p - o:+.0f} ns; "
                      f"rounds {min(c['rounds']):.3f}–{max(c['rounds']):.3f}x)")
            if not ok:
                detail += f"; over by {r - bound:.3f}x: the rest may cost {o * (bound - 1):.0f} ns and costs {p - o:.0f} ns"
        if c["noisy"]:
            detail += " [noisy batches: rerun before trusting this]"
        out.append({"id": tid, "target": text, "status": "PASS" if ok else "MISS", "value": r, "detail": detail})
    pc = case_row(docs.get("python"), "oauth_introspection_hit", "portcullis")
    if pc:
        v = pc["ns"]["median"]
        ok = v < INTROSPECTION_HIT_NS
        detail = introspection_detail(docs, v)
        if not ok:
            detail += f"; over by {v - INTROSPECTION_HIT_NS:.0f} ns"
        if noisy(pc["ns"]):
            detail += " [noisy batches: rerun before trusting this]"
        out.append({"id": "py_oauth_introspection_hit", "target": INTROSPECTION_TEXT, "status": "PASS" if ok else "MISS",
                    "value": v, "detail": detail})
    else:
        out.append({"id": "py_oauth_introspection_hit", "target": INTROSPECTION_TEXT, "status": "NOT RUN",
                    "detail": "OAuth 2.0 workload not measured"})
    return out


def oauth_table(docs: dict[str, dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    lines = [
        "| language | measured | its time | compared with | its time | ratio | target | spread |",
        "| --- | --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    flat: list[dict[str, Any]] = []
    for tid, lang, group, case, other_case, kind, bound, _ in OAUTH_COMPARISONS:
        c = comparison(docs.get(lang), group, case, other_case, kind)
        if c is None:
            continue
        p, o = c["pc"]["ns"], c["other"]["ns"]
        if kind == "peer":
            how, target = "peer / portcullis", f"≥ {bound:.2f}x"
        elif kind == "floor":
            how, target = "portcullis / floor", f"≤ {bound:.2f}x"
        else:
            how, target = ("portcullis / it" if case == "portcullis" else "measured / it"), "—"
        if group == "oauth_introspection_hit" and lang == "python" and other_case == "floor":
            target = f"portcullis < {fmt_ns(INTROSPECTION_HIT_NS)} (absolute)"
        spread = (f"ratio {min(c['rounds']):.2f}–{max(c['rounds']):.2f} over {len(c['rounds'])} rounds; "
                  f"measured {fmt_ns(p['min'])}–{fmt_ns(p['max'])}, the other {fmt_ns(o['min'])}–{fmt_ns(o['max'])}")
        if c["noisy"]:
            spread += " **noisy**"
        measured = f"{c['pc']['op']} (portcullis)" if case == "portcullis" else c["pc"]["impl"]
        lines.append(
            f"| {TITLES[lang]} | {measured} | {fmt_ns(p['median'])} | {c['other']['impl']} | {fmt_ns(o['median'])} | "
            f"**{c['ratio']:.2f}x** ({how}) | {target} | {spread} |"
        )
        flat.append({"lang": lang, "id": tid, "group": group, "case": case, "kind": kind, "bound": bound, "ratio": c["ratio"],
                     "portcullis_ns": p["median"], "other": c["other"]["impl"], "other_ns": o["median"]})
    return (lines if flat else []), flat


def oauth_section(docs: dict[str, dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The OAuth 2.0 section's Markdown (empty when no oauth row was measured) and its rows."""
    md: list[str] = []
    lines, flat = oauth_table(docs)
    if lines:
        md.append("## OAuth 2.0")
        md.append("")
        md.append("The `oauth2` method (a resource server) on prepared requests. **DPoP**: an RFC 9068 access token "
                  "(ES256, `typ: at+jwt`, `cnf.jkt`) under `Authorization: DPoP` with an ES256 proof (`jwk` in its "
                  "header; `htm`, `htu`, `iat`, `ath`, a fresh `jti` per call from a pool signed up front, each side "
                  "with its own replay store). Python compares `Verifier.verify` with the same checks written with "
                  "PyJWT + cryptography (ratio = peer / portcullis, above 1 portcullis is faster); Rust compares "
                  "`ResourceServer::verify` with its floor, the two ES256 verifies on aws-lc-rs with the proof's key "
                  "parsed from its point once per proof and the issuer's key parsed once (ratio = portcullis / floor, "
                  "a ceiling); beside it, each half alone against its own half of the floor (informational: the proof with `DpopVerifier::verify_request`, the token with a `JwtVerifier` of the server's settings). **Introspection**: an opaque token whose RFC 7662 answer (from a loopback endpoint) is "
                  "cached, timed after one warming call; the target is absolute, and the rows beside it are the "
                  "cheapest successful `Verifier` call (an `api_key` method with one key) and, in Python, an "
                  "application's own dict cache of answers (ratio = portcullis / it, informational).")
        md.append("")
        md.extend(lines)
        md.append("")
        split = dpop_split(docs.get("rust"))
        if split:
            md.append(split)
            md.append("")
    return md, flat


def dpop_split(doc: Optional[dict[str, Any]]) -> Optional[str]:
    """Rust: where the DPoP verify's time above its floor goes, from the informational rows (each
    half alone against its own floor; the rest is the server's own steps)."""
    rows = {case: case_row(doc, "oauth_dpop_es256", case) for case in
            ("portcullis", "floor", "proof-only", "floor-proof", "token-only", "floor-token")}
    if any(r is None for r in rows.values()):
        return None
    m = {case: r["ns"]["median"] for case, r in rows.items() if r is not None}
    proof, token = m["proof-only"] - m["floor-proof"], m["token-only"] - m["floor-token"]
    rest = m["portcullis"] - m["proof-only"] - m["token-only"]
    return (f"- Rust, where the DPoP verify's {m['portcullis'] - m['floor']:+,.0f} ns over its floor goes (medians of the "
            f"informational rows, each half alone against its own floor): the proof's checks {proof:+,.0f} ns "
            f"({fmt_ns(m['proof-only'])} against {fmt_ns(m['floor-proof'])}), the access token's {token:+,.0f} ns "
            f"({fmt_ns(m['token-only'])} against {fmt_ns(m['floor-token'])}), and the server's own steps around them "
            f"(the whole verify less the two halves) {rest:+,.0f} ns; the two floors together "
            f"{fmt_ns(m['floor-proof'] + m['floor-token'])} against the floor row's {fmt_ns(m['floor'])}.")
