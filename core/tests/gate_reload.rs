//! The gate under concurrency: reloads while threads check requests (no decision that neither
//! configuration gives), and a stuck audit sink (checks go on; events are dropped and counted).
//! Every loop is bounded by a count; nothing asserts elapsed time.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use portcullis::apikey::{ApiKeyConfig, ApiKeyOptions, ApiKeyRing};
use portcullis::config::{Format, LoadContext, Secrets};
use portcullis::gate::audit::{AuditEvent, AuditSink};
use portcullis::gate::{Gate, GateDecision, GateOptions};
use portcullis::{ErrorCode, Request};
use serde_json::{json, Value};

const NOW: i64 = 1_750_000_000;
const PEPPER: &str = "gate-reload-test-pepper-0123456789abcdef";

fn options(sinks: Vec<Arc<dyn AuditSink>>) -> GateOptions {
    GateOptions {
        load: LoadContext::new().with_secrets(Secrets::new().with("pepper", PEPPER)),
        audit_sinks: sinks,
    }
}

/// Three keys and their records: K0 is in both configurations, K1 only in A, K2 only in B.
fn keys() -> Vec<(String, Value)> {
    let config = ApiKeyConfig {
        environment: Some("live".into()),
        ..ApiKeyConfig::default()
    };
    let ring = ApiKeyRing::new(PEPPER.as_bytes(), config).unwrap();
    (0..3)
        .map(|i| {
            let issued = ring
                .generate(&ApiKeyOptions {
                    subject: Some(format!("svc-{i}")),
                    now: Some(NOW - 60),
                    ..ApiKeyOptions::default()
                })
                .unwrap();
            let record: Value = serde_json::from_str(&issued.record.to_json()).unwrap();
            (issued.key.expose().to_owned(), record)
        })
        .collect()
}

/// A configuration accepting the keys of `records` on `/a`, under route name `route`: the
/// route name tells which configuration made a decision.
fn config(route: &str, records: &[&Value]) -> String {
    json!({
        "credentials": {
            "keys": {"method": "api_key", "pepper": "secret:pepper", "environment": "live",
                     "records": records}
        },
        "routes": [{"name": route, "path": "/a", "require": "keys"}]
    })
    .to_string()
}

fn request(key: &str) -> Request {
    Request::new("GET", "/a")
        .unwrap()
        .header("X-API-Key", key)
        .unwrap()
        .at(NOW)
}

/// Whether the configuration named by the decision's route accepts key `k` (0, 1 or 2): A
/// accepts K0 and K1, B accepts K0 and K2. `None` for a decision neither could give.
fn expected(d: &GateDecision, k: usize) -> Option<bool> {
    match (d.route()?, k) {
        (_, 0) | ("A", 1) | ("B", 2) => Some(true),
        ("A", 2) | ("B", 1) => Some(false),
        _ => None,
    }
}

const THREADS: usize = 4;
const RELOADS: u64 = 200;
/// Checks a thread makes at most; it stops earlier, when the reloads are over.
const MAX_CHECKS_PER_THREAD: u64 = 2_000_000;
/// Checks the main thread waits for on each configuration before the next reload, so that
/// both configurations really decide requests.
const CHECKS_PER_CONFIG: u64 = 16;
/// Yields the main thread makes at most while it waits for them.
const MAX_SPINS: u64 = 10_000_000;

/// Counts the checking threads still running; a thread that panics leaves too.
struct Running(Arc<AtomicU64>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Waits (yielding, bounded) until `CHECKS_PER_CONFIG` more checks were made; false when the
/// threads are gone or the bound is reached first.
fn wait_for_checks(checks: &AtomicU64, running: &AtomicU64) -> bool {
    let target = checks.load(Ordering::Acquire) + CHECKS_PER_CONFIG;
    for _ in 0..MAX_SPINS {
        if checks.load(Ordering::Acquire) >= target {
            return true;
        }
        if running.load(Ordering::Acquire) == 0 {
            return false;
        }
        std::thread::yield_now();
    }
    false
}

#[test]
fn reload_under_load_never_gives_a_decision_neither_configuration_gives() {
    let keys = keys();
    let (k0, k1, k2) = (&keys[0].1, &keys[1].1, &keys[2].1);
    let config_a = config("A", &[k0, k1]);
    let config_b = config("B", &[k0, k2]);
    let gate = Arc::new(Gate::from_text(&config_a, Format::Json, options(Vec::new())).unwrap());
    let done = Arc::new(AtomicBool::new(false));
    let checks = Arc::new(AtomicU64::new(0));
    let running = Arc::new(AtomicU64::new(THREADS as u64));
    let start = Arc::new(Barrier::new(THREADS + 1));
    let keys: Arc<Vec<String>> = Arc::new(keys.iter().map(|(k, _)| k.clone()).collect());

    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (gate, done, checks, start, keys) = (
                gate.clone(),
                done.clone(),
                checks.clone(),
                start.clone(),
                keys.clone(),
            );
            let running = Running(running.clone());
            std::thread::spawn(move || {
                let _running = running;
                // [config A or B][key][allowed or refused]
                let mut seen = [[[0u64; 2]; 3]; 2];
                let requests: Vec<Request> = keys.iter().map(|k| request(k)).collect();
                start.wait();
                for i in 0..MAX_CHECKS_PER_THREAD {
                    if done.load(Ordering::Acquire) {
                        break;
                    }
                    let k = (i as usize + t) % 3;
                    let d = gate.check(&requests[k]);
                    let want = expected(&d, k).unwrap_or_else(|| {
                        panic!(
                            "key {k}: a decision neither configuration gives: {}",
                            d.to_json()
                        )
                    });
                    assert_eq!(
                        d.allowed(),
                        want,
                        "key {k} under configuration {:?}: {}",
                        d.route(),
                        d.to_json()
                    );
                    if !d.allowed() {
                        assert_eq!(d.code(), Some(ErrorCode::ApiKeyUnknown), "{}", d.to_json());
                    }
                    let config = usize::from(d.route() == Some("B"));
                    seen[config][k][usize::from(!d.allowed())] += 1;
                    checks.fetch_add(1, Ordering::Release);
                }
                seen
            })
        })
        .collect();

    start.wait();
    let mut stalled = 0;
    for r in 0..RELOADS {
        if !wait_for_checks(&checks, &running) {
            stalled += 1;
            break;
        }
        let next = if r % 2 == 0 { &config_b } else { &config_a };
        gate.reload_text(next, Format::Json).unwrap();
    }
    // RELOADS is even: A is back.
    if !wait_for_checks(&checks, &running) {
        stalled += 1;
    }
    done.store(true, Ordering::Release);

    let mut total = [[[0u64; 2]; 3]; 2];
    for w in workers {
        let seen = w.join().expect("a checking thread panicked");
        for c in 0..2 {
            for k in 0..3 {
                for o in 0..2 {
                    total[c][k][o] += seen[c][k][o];
                }
            }
        }
    }
    println!(
        "{RELOADS} reloads, {} checks; [config A, B][key K0, K1, K2][allowed, refused]: {total:?}",
        checks.load(Ordering::Acquire)
    );
    assert_eq!(stalled, 0, "the checking threads stopped or stalled");
    // Both configurations decided requests, and each decided every key as it must.
    for (c, accepted) in [(0, [true, true, false]), (1, [true, false, true])] {
        for k in 0..3 {
            let [allowed, refused] = total[c][k];
            assert!(allowed + refused > 0, "config {c} never decided key {k}");
            assert_eq!(refused == 0, accepted[k], "config {c}, key {k}: {total:?}");
        }
    }
    assert_eq!(gate.route_names(), ["A"]);
}

/// A sink that blocks in its first delivery until released, and counts what it received.
struct StuckSink {
    entered: Mutex<Option<Sender<()>>>,
    release: Mutex<Receiver<()>>,
    received: AtomicU64,
}

impl AuditSink for StuckSink {
    fn deliver(&self, events: &[AuditEvent]) {
        if let Some(entered) = self.entered.lock().unwrap().take() {
            entered.send(()).unwrap();
            // Blocks until the test releases it (or gives up: bounded, never asserted on).
            let _ = self
                .release
                .lock()
                .unwrap()
                .recv_timeout(Duration::from_secs(120));
        }
        self.received
            .fetch_add(events.len() as u64, Ordering::Relaxed);
    }
}

/// Releases the stuck sink when dropped, so that a failing assertion does not leave the audit
/// thread blocked.
struct Release(Option<Sender<()>>);

impl Drop for Release {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

const CHECKS_WHILE_STUCK: u64 = 5_000;
const QUEUE: u64 = 16;

#[test]
fn a_stuck_audit_sink_never_blocks_checks_and_drops_are_counted() {
    let (entered_tx, entered_rx) = channel();
    let (release_tx, release_rx) = channel();
    let sink = Arc::new(StuckSink {
        entered: Mutex::new(Some(entered_tx)),
        release: Mutex::new(release_rx),
        received: AtomicU64::new(0),
    });
    let mut release = Release(Some(release_tx));
    let text = json!({
        "credentials": {"keys": {"method": "api_key", "pepper": "secret:pepper"}},
        "routes": [
            {"path": "/open", "require": {"anonymous": true}},
            {"path": "/a", "require": "keys"}
        ],
        "audit": {"queue": QUEUE}
    })
    .to_string();
    let gate = Gate::from_text(&text, Format::Json, options(vec![sink.clone()])).unwrap();
    let open = Request::new("GET", "/open").unwrap().at(NOW);
    let closed = Request::new("GET", "/a").unwrap().at(NOW);

    assert!(gate.check(&open).allowed());
    entered_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the audit worker delivers the first event");

    // The worker is stuck in the sink: every check still completes, with its own decision.
    for i in 0..CHECKS_WHILE_STUCK {
        if i % 2 == 0 {
            assert!(gate.check(&open).allowed());
        } else {
            assert_eq!(
                gate.check(&closed).code(),
                Some(ErrorCode::CredentialsMissing)
            );
        }
    }
    let stuck = gate.audit_stats();
    let submitted = CHECKS_WHILE_STUCK + 1;
    assert_eq!(stuck.submitted, submitted);
    assert_eq!(
        stuck.delivered, 0,
        "nothing is delivered while the sink is stuck"
    );
    // At most the queue's capacity waits; the one event in the stuck batch is not queued.
    assert!(
        stuck.dropped >= submitted - 1 - QUEUE,
        "dropped {} of {submitted}",
        stuck.dropped
    );

    if let Some(tx) = release.0.take() {
        tx.send(()).unwrap();
    }
    assert!(
        gate.flush_audit(Duration::from_secs(60)),
        "the audit queue drains"
    );
    let after = gate.audit_stats();
    println!("audit with a stuck sink: {after:?}");
    assert_eq!(after.submitted, submitted);
    assert_eq!(after.submitted, after.delivered + after.dropped);
    assert_eq!(after.dropped, stuck.dropped, "no drop after the release");
    assert_eq!(after.delivered, sink.received.load(Ordering::Relaxed));
    assert_eq!(after.sink_failures, 0);
    assert!(after.delivered >= 1 && after.dropped > 0);
}
