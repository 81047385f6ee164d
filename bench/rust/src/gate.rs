//! The gate's own cost: a gate decision against calling the winning credential's verifier
//! directly (API key: the gate's own ring; JWT: a verifier with the route's settings, called
//! with `verify_claims`, the fastest direct call), with audit on to a counting sink;
//! and a per-principal rate limit against none, on an API key route.
//!
//! `--profile-gate CASE [--calls N]` runs one case N times and nothing else, for callgrind
//! (bench/profile-notes.md): `gate-jwt`, `direct-jwt`, `gate-apikey`, `direct-apikey`,
//! `limited-apikey`, `quiet-jwt`, `quiet-apikey` (the gate without audit), `floor-jwt`,
//! `floor-apikey` (the direct call plus a bare audit hand-off: `handoff.rs`).

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use portcullis::apikey::{ApiKeyConfig, ApiKeyOptions, ApiKeyRing};
use portcullis::config::{Format, LoadContext, Secrets};
use portcullis::gate::audit::{AuditEvent, AuditSink};
use portcullis::gate::{Gate, GateOptions};
use portcullis::jwt::{self, HeaderOptions, JwtConfig, JwtKey, JwtKeySet, JwtVerifier};
use portcullis::verifier::Verifier;
use portcullis::Request;
use serde_json::json;

use crate::handoff::HandOff;
use crate::harness::{measure, Case, Plan, Results};
use crate::NOW;

const PEPPER: &str = "bench-gate-pepper-0123456789abcdef";
const JWT_SECRET: &str = "bench-gate-jwt-secret-0123456789abcdef";
/// Calls of the rate-limited case between two steps of its request's time: a Rust run makes
/// more calls than the bucket holds (1,000,000), and one second later it is full again.
const REFILL_EVERY: u64 = 500_000;

/// What a host's audit callback does at the least: count.
#[derive(Default)]
struct Counting(AtomicU64);

impl AuditSink for Counting {
    fn deliver(&self, events: &[AuditEvent]) {
        self.0.fetch_add(events.len() as u64, Ordering::Relaxed);
    }
}

fn config(record_json: &str, limit: bool) -> String {
    let limits = if limit {
        r#", "rate_limits": ["caller"]"#
    } else {
        ""
    };
    format!(
        r#"{{
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
  "rate_limits": {{"caller": {{"key": "principal", "quota": 1000000, "window_seconds": 1}}}}
}}"#
    )
}

fn gate(record_json: &str, limit: bool, sink: Option<&Arc<Counting>>) -> Gate {
    let options = GateOptions {
        load: LoadContext::new().with_secrets(
            Secrets::new()
                .with("jwt", JWT_SECRET)
                .with("pepper", PEPPER),
        ),
        audit_sinks: sink
            .map(|s| vec![s.clone() as Arc<dyn AuditSink>])
            .unwrap_or_default(),
    };
    Gate::from_text(&config(record_json, limit), Format::Json, options).expect("gate")
}

/// The gates, requests and direct verifiers of every case, checked once.
struct Setup {
    sink: Arc<Counting>,
    plain: Gate,
    limited: Gate,
    /// The same configuration as `plain`, without audit.
    quiet: Gate,
    jwt_request: Request,
    key_request: Request,
    /// A standalone JWT verifier with the gate credential's settings, called the fastest way a
    /// Rust caller can (`verify_claims`: the claims kept as text, as the gate keeps them).
    tokens: JwtVerifier,
    keys: Verifier,
}

const NONE: &[&str] = &[];

impl Setup {
    fn new() -> Setup {
        let ring = ApiKeyRing::new(PEPPER.as_bytes(), ApiKeyConfig::default()).expect("ring");
        let issued = ring
            .generate(&ApiKeyOptions {
                subject: Some("svc-billing".into()),
                scopes: vec!["orders:read".into()],
                now: Some(NOW),
                ..Default::default()
            })
            .expect("generate");
        let record = issued.record.to_json();
        let sink = Arc::new(Counting::default());
        let plain = gate(&record, false, Some(&sink));
        let limited = gate(&record, true, Some(&sink));
        let quiet = gate(&record, false, None);

        let key = JwtKey::from_secret(jwt::Algorithm::Hs256, JWT_SECRET.as_bytes()).expect("key");
        let claims = json!({"sub": "user-1234567890", "aud": "api", "exp": NOW + 3600, "iat": NOW,
                            "jti": "3f1c1a6e-5a7b-4c1e-9d1a-2b6c7d8e9f00", "scope": "orders:read"});
        let token = jwt::encode(
            claims.as_object().expect("object"),
            &HeaderOptions::default(),
            &key,
        )
        .expect("encode");
        let jwt_request = Request::new("GET", "/profile")
            .expect("request")
            .header("Authorization", format!("Bearer {token}"))
            .expect("header")
            .at(NOW + 10);
        let key_request = Request::new("GET", "/orders/42")
            .expect("request")
            .header("Authorization", format!("Bearer {}", issued.key.expose()))
            .expect("header")
            .at(NOW + 10);
        let tokens = {
            let set = JwtKeySet::new();
            set.insert(
                JwtKey::from_secret(jwt::Algorithm::Hs256, JWT_SECRET.as_bytes()).expect("key"),
            )
            .expect("insert");
            let config = JwtConfig {
                audiences: vec!["api".into()],
                ..Default::default()
            };
            JwtVerifier::new(config, Arc::new(set)).expect("verifier")
        };
        let keys = plain.verifier("keys").expect("keys");

        // Every case accepts its request with the same subject, decided by the route's credential.
        for (gate, request, credential, subject) in [
            (&plain, &jwt_request, "tokens", "user-1234567890"),
            (&quiet, &jwt_request, "tokens", "user-1234567890"),
            (&plain, &key_request, "keys", "svc-billing"),
            (&limited, &key_request, "keys", "svc-billing"),
            (&quiet, &key_request, "keys", "svc-billing"),
        ] {
            let d = gate.check(request);
            assert!(d.allowed() && d.credential() == Some(credential));
            assert_eq!(d.principal().map(|p| p.subject.as_str()), Some(subject));
        }
        assert_eq!(
            tokens
                .verify_claims(&jwt_request, NONE)
                .expect("direct")
                .subject,
            "user-1234567890"
        );
        assert_eq!(
            keys.verify(&key_request, NONE).expect("direct").subject,
            "svc-billing"
        );
        Setup {
            sink,
            plain,
            limited,
            quiet,
            jwt_request,
            key_request,
            tokens,
            keys,
        }
    }
}

pub(crate) fn bench_gate(res: &mut Results, plan: &Plan) {
    let s = Setup::new();
    let handoff = HandOff::new();

    // JWT HS256 route.
    let request = &s.jwt_request;
    let mut cases: Vec<Case<'_>> = vec![
        (
            "portcullis",
            Box::new(|| {
                black_box(s.plain.check(black_box(request)).allowed());
            }),
        ),
        (
            "direct",
            Box::new(|| {
                black_box(s.tokens.verify_claims(black_box(request), NONE).is_ok());
            }),
        ),
        (
            "no-audit",
            Box::new(|| {
                black_box(s.quiet.check(black_box(request)).allowed());
            }),
        ),
        (
            "floor",
            Box::new(|| {
                let ok = s.tokens.verify_claims(black_box(request), NONE).is_ok();
                handoff.submit(request.now(), if black_box(ok) { 200 } else { 401 });
            }),
        ),
    ];
    res.add(
        "gate_jwt_hs256",
        "Gate decision, JWT HS256 route (4 routes, audit to a counting sink)",
        measure(&mut cases, plan),
        &[
            (
                "direct",
                "a JwtVerifier with the route's settings, verify_claims called directly",
            ),
            ("no-audit", "the same gate without audit (informational)"),
            (
                "floor",
                "the direct call plus a bare audit hand-off (the floor of an audited decision)",
            ),
        ],
    );
    drop(cases);

    // API key route.
    let request = &s.key_request;
    let mut later = request.clone();
    let mut calls = 0u64;
    let mut cases: Vec<Case<'_>> = vec![
        (
            "portcullis",
            Box::new(|| {
                black_box(s.plain.check(black_box(request)).allowed());
            }),
        ),
        (
            "direct",
            Box::new(|| {
                black_box(s.keys.verify(black_box(request), NONE).is_ok());
            }),
        ),
        (
            "rate-limited",
            Box::new(|| {
                calls += 1;
                if calls % REFILL_EVERY == 0 {
                    later.set_now(later.now() + 1);
                }
                black_box(s.limited.check(black_box(&later)).allowed());
            }),
        ),
        (
            "no-audit",
            Box::new(|| {
                black_box(s.quiet.check(black_box(request)).allowed());
            }),
        ),
        (
            "floor",
            Box::new(|| {
                let ok = s.keys.verify(black_box(request), NONE).is_ok();
                handoff.submit(request.now(), if black_box(ok) { 200 } else { 401 });
            }),
        ),
    ];
    res.add(
        "gate_apikey",
        "Gate decision, API key route (audit to a counting sink)",
        measure(&mut cases, plan),
        &[
            ("direct", "the route's API key ring called directly"),
            (
                "rate-limited",
                "the same gate route with a per-principal rate limit",
            ),
            ("no-audit", "the same gate without audit (informational)"),
            (
                "floor",
                "the direct call plus a bare audit hand-off (the floor of an audited decision)",
            ),
        ],
    );
    drop(cases);
    let (handed, handoff_dropped) = handoff.finish();
    println!("  bare hand-off: {handed} records counted, {handoff_dropped} dropped");
    res.notes.insert(
        "gate_handoff".into(),
        json!({"counted_by_sink": handed, "dropped": handoff_dropped}),
    );
    // The limited row timed allowed decisions only: its bucket still has tokens.
    let last = s.limited.check(&later);
    assert!(
        last.allowed(),
        "the rate limit ran out: the limited row timed refusals"
    );
    s.plain.flush_audit(Duration::from_secs(5));
    s.limited.flush_audit(Duration::from_secs(5));
    let (a, b) = (s.plain.audit_stats(), s.limited.audit_stats());
    let counted = s.sink.0.load(Ordering::Relaxed);
    res.notes.insert(
        "gate_audit".into(),
        json!({"submitted": a.submitted + b.submitted, "delivered": a.delivered + b.delivered,
               "dropped": a.dropped + b.dropped, "counted_by_sink": counted}),
    );
    println!(
        "  audit: {} submitted, {} delivered, {} counted by the sink, {} dropped",
        a.submitted + b.submitted,
        a.delivered + b.delivered,
        counted,
        a.dropped + b.dropped
    );
    if a.dropped + b.dropped > 0 {
        // A dropped event is a delivery the gate rows did not pay for; the report says so.
        println!("  WARNING: the audit thread fell behind (the machine is busy?): events dropped");
    }
}

/// Runs one case `calls` times, for a profiler; `None` for an unknown case.
pub(crate) fn profile_gate(case: &str, calls: u64) -> Option<()> {
    let s = Setup::new();
    let handoff = HandOff::new();
    let mut later = s.key_request.clone();
    for i in 0..calls {
        match case {
            "gate-jwt" => black_box(s.plain.check(black_box(&s.jwt_request)).allowed()),
            "quiet-jwt" => black_box(s.quiet.check(black_box(&s.jwt_request)).allowed()),
            "direct-jwt" => black_box(
                s.tokens
                    .verify_claims(black_box(&s.jwt_request), NONE)
                    .is_ok(),
            ),
            "gate-apikey" => black_box(s.plain.check(black_box(&s.key_request)).allowed()),
            "quiet-apikey" => black_box(s.quiet.check(black_box(&s.key_request)).allowed()),
            "direct-apikey" => black_box(s.keys.verify(black_box(&s.key_request), NONE).is_ok()),
            "floor-jwt" => {
                let ok = s
                    .tokens
                    .verify_claims(black_box(&s.jwt_request), NONE)
                    .is_ok();
                handoff.submit(s.jwt_request.now(), if black_box(ok) { 200 } else { 401 });
                ok
            }
            "floor-apikey" => {
                let ok = s.keys.verify(black_box(&s.key_request), NONE).is_ok();
                handoff.submit(s.key_request.now(), if black_box(ok) { 200 } else { 401 });
                ok
            }
            "limited-apikey" => {
                if (i + 1) % REFILL_EVERY == 0 {
                    later.set_now(later.now() + 1);
                }
                black_box(s.limited.check(black_box(&later)).allowed())
            }
            _ => return None,
        };
    }
    s.plain.flush_audit(Duration::from_secs(5));
    s.limited.flush_audit(Duration::from_secs(5));
    handoff.finish();
    Some(())
}
