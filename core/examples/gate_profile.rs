//! A loop over gate.check for profiling (not part of any test).
use portcullis::apikey::{ApiKeyConfig, ApiKeyOptions, ApiKeyRing};
use portcullis::config::{Format, LoadContext, Secrets};
use portcullis::gate::audit::{AuditEvent, AuditSink};
use portcullis::gate::{Gate, GateOptions};
use portcullis::Request;

struct Counting(std::sync::atomic::AtomicU64);
impl AuditSink for Counting {
    fn deliver(&self, events: &[AuditEvent]) {
        self.0
            .fetch_add(events.len() as u64, std::sync::atomic::Ordering::Relaxed);
    }
}

fn main() {
    let pepper = "bench-gate-pepper-0123456789abcdef";
    let ring = ApiKeyRing::new(pepper.as_bytes(), ApiKeyConfig::default()).unwrap();
    let issued = ring
        .generate(&ApiKeyOptions {
            subject: Some("svc".into()),
            now: Some(1),
            ..Default::default()
        })
        .unwrap();
    let mode = std::env::args().nth(1).unwrap_or_default();
    let cfg = format!(
        r#"{{"credentials": {{"keys": {{"method": "api_key", "pepper": "secret:pepper", "records": [{}]}}}},
      "routes": [{{"name": "orders", "methods": ["GET"], "path": "/orders/{{id}}", "require": "keys"}}]}}"#,
        issued.record.to_json()
    );
    let gate = Gate::from_text(
        &cfg,
        Format::Json,
        GateOptions {
            load: LoadContext::new().with_secrets(Secrets::new().with("pepper", pepper)),
            audit_sinks: if mode == "audit" {
                vec![std::sync::Arc::new(Counting(Default::default()))]
            } else {
                vec![]
            },
        },
    )
    .unwrap();
    let request = Request::new("GET", "/orders/42")
        .unwrap()
        .header("Authorization", format!("Bearer {}", issued.key.expose()))
        .unwrap()
        .at(10);
    let v = gate.verifier("keys").unwrap();
    let n: usize = std::env::args()
        .nth(2)
        .map_or(2_000_000, |s| s.parse().unwrap());
    let t = std::time::Instant::now();
    for _ in 0..n {
        if mode == "direct" {
            std::hint::black_box(v.verify(&request, &[] as &[&str]).is_ok());
        } else {
            std::hint::black_box(gate.check(&request).allowed());
        }
    }
    println!(
        "{mode}: {:.0} ns/op",
        t.elapsed().as_nanos() as f64 / n as f64
    );
}
