//! The gate's own cost: a gate decision against calling the winning credential's verifier
//! directly (the same built verifier, taken from the gate), with audit on to a counting sink;
//! and a per-principal rate limit against none, on an API key route.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use portcullis::apikey::{ApiKeyConfig, ApiKeyOptions, ApiKeyRing};
use portcullis::config::{Format, LoadContext, Secrets};
use portcullis::gate::audit::{AuditEvent, AuditSink};
use portcullis::gate::{Gate, GateOptions};
use portcullis::jwt::{self, HeaderOptions, JwtKey};
use portcullis::Request;
use serde_json::json;

use crate::harness::{measure, Case, Plan, Results};
use crate::NOW;

const PEPPER: &str = "bench-gate-pepper-0123456789abcdef";
const JWT_SECRET: &str = "bench-gate-jwt-secret-0123456789abcdef";

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

fn gate(record_json: &str, limit: bool, sink: &Arc<Counting>) -> Gate {
    let options = GateOptions {
        load: LoadContext::new().with_secrets(
            Secrets::new()
                .with("jwt", JWT_SECRET)
                .with("pepper", PEPPER),
        ),
        audit_sinks: vec![sink.clone()],
    };
    Gate::from_text(&config(record_json, limit), Format::Json, options).expect("gate")
}

pub(crate) fn bench_gate(res: &mut Results, plan: &Plan) {
    let ring = ApiKeyRing::new(PEPPER.as_bytes(), ApiKeyConfig::default()).expect("ring");
    let issued = ring
        .generate(&ApiKeyOptions {
            subject: Some("svc-billing".into()),
            scopes: vec!["orders:read".into()],
            now: Some(NOW),
            ..Default::default()
        })
        .expect("generate");
    let sink = Arc::new(Counting::default());
    let plain = gate(&issued.record.to_json(), false, &sink);
    let limited = gate(&issued.record.to_json(), true, &sink);

    // JWT HS256 route.
    let key = JwtKey::from_secret(jwt::Algorithm::Hs256, JWT_SECRET.as_bytes()).expect("key");
    let claims = json!({"sub": "user-1234567890", "aud": "api", "exp": NOW + 3600, "iat": NOW,
                        "jti": "3f1c1a6e-5a7b-4c1e-9d1a-2b6c7d8e9f00", "scope": "orders:read"});
    let token = jwt::encode(
        claims.as_object().expect("object"),
        &HeaderOptions::default(),
        &key,
    )
    .expect("encode");
    let request = Request::new("GET", "/profile")
        .expect("request")
        .header("Authorization", format!("Bearer {token}"))
        .expect("header")
        .at(NOW + 10);
    let tokens = plain.verifier("tokens").expect("tokens");
    let none: &[&str] = &[];
    assert_eq!(
        tokens.verify(&request, none).expect("direct").subject,
        "user-1234567890"
    );
    let d = plain.check(&request);
    assert!(d.allowed() && d.credential() == Some("tokens"));
    let mut cases: Vec<Case<'_>> = vec![
        (
            "portcullis",
            Box::new(|| {
                black_box(plain.check(black_box(&request)).allowed());
            }),
        ),
        (
            "direct",
            Box::new(|| {
                black_box(tokens.verify(black_box(&request), none).is_ok());
            }),
        ),
    ];
    res.add(
        "gate_jwt_hs256",
        "Gate decision, JWT HS256 route (4 routes, audit to a counting sink)",
        measure(&mut cases, plan),
        &[("direct", "the route's JWT verifier called directly")],
    );

    // API key route.
    let request = Request::new("GET", "/orders/42")
        .expect("request")
        .header("Authorization", format!("Bearer {}", issued.key.expose()))
        .expect("header")
        .at(NOW + 10);
    let keys = plain.verifier("keys").expect("keys");
    assert_eq!(
        keys.verify(&request, none).expect("direct").subject,
        "svc-billing"
    );
    assert!(plain.check(&request).allowed());
    assert!(limited.check(&request).allowed());
    let mut cases: Vec<Case<'_>> = vec![
        (
            "portcullis",
            Box::new(|| {
                black_box(plain.check(black_box(&request)).allowed());
            }),
        ),
        (
            "direct",
            Box::new(|| {
                black_box(keys.verify(black_box(&request), none).is_ok());
            }),
        ),
        (
            "rate-limited",
            Box::new(|| {
                black_box(limited.check(black_box(&request)).allowed());
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
        ],
    );
    plain.flush_audit(Duration::from_secs(5));
    limited.flush_audit(Duration::from_secs(5));
    let stats = plain.audit_stats();
    res.notes.insert(
        "gate_audit".into(),
        json!({"submitted": stats.submitted, "delivered": stats.delivered, "dropped": stats.dropped,
               "counted_by_sink": sink.0.load(Ordering::Relaxed)}),
    );
    println!(
        "  audit: {} submitted, {} delivered, {} dropped",
        stats.submitted, stats.delivered, stats.dropped
    );
}
