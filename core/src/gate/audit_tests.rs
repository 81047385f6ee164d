use std::sync::mpsc;

use super::*;
use crate::decision::Principal;

// Every blocking wait in these tests gives up after this long, so a bug fails a test instead of
// hanging it.
const PATIENCE: Duration = Duration::from_secs(10);

fn event(time: i64) -> AuditEvent {
    AuditEvent {
        time,
        route: None,
        request_id: None,
        peer_address: None,
        tried: 0,
        winner: None,
        identity: None,
        outcome: Outcome::Deny,
        status: 401,
        code: Some(ErrorCode::CredentialsMissing),
        latency_us: 0,
    }
}

/// Records every batch it receives.
#[derive(Default)]
struct Recorder {
    batches: Mutex<Vec<Vec<i64>>>,
}

impl Recorder {
    fn times(&self) -> Vec<i64> {
        self.batches.lock().unwrap().concat()
    }
    fn batch_sizes(&self) -> Vec<usize> {
        self.batches.lock().unwrap().iter().map(Vec::len).collect()
    }
}

impl AuditSink for Recorder {
    fn deliver(&self, events: &[AuditEvent]) {
        let times = events.iter().map(|e| e.time).collect();
        self.batches.lock().unwrap().push(times);
    }
}

/// Blocks in its first delivery until the test releases it, telling the test when it entered.
struct Holder {
    entered: Mutex<mpsc::Sender<()>>,
    release: Mutex<mpsc::Receiver<()>>,
    first: AtomicBool,
    seen: AtomicU64,
}

fn holder() -> (Arc<Holder>, mpsc::Receiver<()>, mpsc::Sender<()>) {
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    let sink = Arc::new(Holder {
        entered: Mutex::new(entered_tx),
        release: Mutex::new(release_rx),
        first: AtomicBool::new(true),
        seen: AtomicU64::new(0),
    });
    (sink, entered_rx, release_tx)
}

impl AuditSink for Holder {
    fn deliver(&self, events: &[AuditEvent]) {
        self.seen.fetch_add(events.len() as u64, Ordering::Relaxed);
        if self.first.swap(false, Ordering::Relaxed) {
            let _ = self.entered.lock().unwrap().send(());
            let _ = self.release.lock().unwrap().recv_timeout(PATIENCE);
        }
    }
}

struct Panicker;

impl AuditSink for Panicker {
    fn deliver(&self, _: &[AuditEvent]) {
        panic!("this sink always fails");
    }
}

fn sinks<T: AuditSink + 'static>(sink: &Arc<T>) -> Vec<Arc<dyn AuditSink>> {
    vec![Arc::clone(sink) as Arc<dyn AuditSink>]
}

#[test]
fn full_event_json_is_exact() {
    let route = RouteNames::intern(
        "orders",
        &["partner-key".into(), "staff-sso".into(), "unused".into()],
        &[],
    );
    let principal = Principal {
        subject: "alice".into(),
        method: AuthMethod::OAuth2,
        credential_id: Some("kid-2024".into()),
        scopes: Vec::new(),
        claims: Default::default(),
        expires_at: None,
    };
    let e = AuditEvent {
        time: 1_700_000_000,
        route: Some(route),
        request_id: Some(InlineText::new("req-\"1\"")),
        peer_address: Some("2001:db8::1".parse().unwrap()),
        tried: 0b011,
        winner: Some(1),
        identity: Some(AuditedIdentity::of(&Identity::from_principal(principal))),
        outcome: Outcome::Deny,
        status: 403,
        code: Some(ErrorCode::JwtExpired),
        latency_us: 42,
    };
    assert_eq!(
        e.to_json(),
        concat!(
            r#"{"time":1700000000,"route":"orders","request_id":"req-\"1\"","#,
            r#""peer_address":"2001:db8::1","tried":["partner-key","staff-sso"],"#,
            r#""credential":"staff-sso","method":"oauth2","subject":"alice","#,
            r#""credential_id":"kid-2024","outcome":"deny","status":403,"#,
            r#""code":"jwt_expired","latency_us":42}"#
        )
    );
}

#[test]
fn minimal_event_json_omits_absent_members() {
    let e = AuditEvent {
        outcome: Outcome::Allow,
        status: 200,
        code: None,
        peer_address: Some([127, 0, 0, 1].into()),
        ..event(-5)
    };
    assert_eq!(
        e.to_json(),
        r#"{"time":-5,"peer_address":"127.0.0.1","tried":[],"outcome":"allow","status":200,"latency_us":0}"#
    );
}

#[test]
fn capacity_out_of_range_is_config_invalid() {
    for capacity in [0, MAX_CAPACITY + 1] {
        let e = Auditor::new(capacity, Vec::new()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigInvalid);
        assert!(e.detail().contains(&capacity.to_string()), "{e}");
    }
    assert!(Auditor::new(1, Vec::new()).is_ok());
}

#[test]
fn delivers_in_order_in_batches() {
    let recorder = Arc::new(Recorder::default());
    let (held, entered, release) = holder();
    let auditor = Auditor::new(16_384, vec![held.clone(), recorder.clone()]).unwrap();
    auditor.submit(event(0));
    entered.recv_timeout(PATIENCE).unwrap();
    // The worker is stuck in the first batch: everything below queues up and comes out in
    // full batches once it is released.
    let n = 2 * MAX_BATCH as i64 + 100;
    for t in 1..=n {
        auditor.submit(event(t));
    }
    release.send(()).unwrap();
    assert!(auditor.flush(PATIENCE));
    assert_eq!(recorder.times(), (0..=n).collect::<Vec<_>>());
    assert_eq!(recorder.batch_sizes(), [1, MAX_BATCH, MAX_BATCH, 100]);
    assert_eq!(held.seen.load(Ordering::Relaxed), n as u64 + 1);
    let stats = auditor.stats();
    assert_eq!(
        stats,
        AuditStats {
            submitted: n as u64 + 1,
            delivered: n as u64 + 1,
            dropped: 0,
            sink_failures: 0
        }
    );
}

#[test]
fn slow_sink_never_blocks_submit() {
    let (held, entered, release) = holder();
    let auditor = Auditor::new(64, sinks(&held)).unwrap();
    auditor.submit(event(0));
    entered.recv_timeout(PATIENCE).unwrap();
    // The sink holds the worker for the whole loop: the loop can only finish because submit
    // drops instead of waiting for room.
    for t in 1..=5000 {
        auditor.submit(event(t));
    }
    let during = auditor.stats();
    assert_eq!(during.submitted, 5001);
    assert_eq!(
        during.delivered, 0,
        "the sink is still holding its first batch"
    );
    assert_eq!(during.dropped, 5000 - 64);
    assert!(
        !auditor.flush(Duration::from_millis(20)),
        "nothing can be flushed while the sink holds the worker"
    );
    release.send(()).unwrap();
    assert!(auditor.flush(PATIENCE));
    let after = auditor.stats();
    assert_eq!(after.submitted, after.delivered + after.dropped);
    assert_eq!(after.delivered, 65);
    assert_eq!(held.seen.load(Ordering::Relaxed), 65);
}

#[test]
fn panicking_sink_is_counted_and_others_still_receive() {
    let recorder = Arc::new(Recorder::default());
    let auditor = Auditor::new(16, vec![Arc::new(Panicker), recorder.clone()]).unwrap();
    for t in 0..10 {
        auditor.submit(event(t));
        assert!(auditor.flush(PATIENCE));
    }
    assert_eq!(recorder.times(), (0..10).collect::<Vec<_>>());
    let stats = auditor.stats();
    assert_eq!(stats.delivered, 10);
    assert_eq!(
        stats.sink_failures, 10,
        "one failure per batch, one batch per flush"
    );
}

#[test]
fn set_sinks_switches_delivery() {
    let first = Arc::new(Recorder::default());
    let second = Arc::new(Recorder::default());
    let auditor = Auditor::new(16, sinks(&first)).unwrap();
    auditor.submit(event(1));
    assert!(auditor.flush(PATIENCE));
    auditor.set_sinks(sinks(&second));
    auditor.submit(event(2));
    assert!(auditor.flush(PATIENCE));
    auditor.set_sinks(Vec::new());
    auditor.submit(event(3));
    assert!(auditor.flush(PATIENCE));
    assert_eq!(first.times(), [1]);
    assert_eq!(second.times(), [2]);
    assert_eq!(
        auditor.stats().delivered,
        3,
        "no sink still counts as delivered"
    );
}

#[test]
fn flush_counts_events_submitted_from_other_threads() {
    let recorder = Arc::new(Recorder::default());
    let auditor = Arc::new(Auditor::new(100_000, sinks(&recorder)).unwrap());
    let threads: Vec<_> = (0..4)
        .map(|n| {
            let auditor = Arc::clone(&auditor);
            std::thread::spawn(move || {
                for t in 0..1000 {
                    auditor.submit(event(n * 1000 + t));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert!(auditor.flush(PATIENCE));
    let mut times = recorder.times();
    times.sort_unstable();
    assert_eq!(times, (0..4000).collect::<Vec<_>>());
    assert_eq!(auditor.stats().delivered, 4000);
}

#[test]
fn drop_delivers_what_was_queued() {
    let recorder = Arc::new(Recorder::default());
    let auditor = Auditor::new(1000, sinks(&recorder)).unwrap();
    for t in 0..300 {
        auditor.submit(event(t));
    }
    drop(auditor);
    assert_eq!(recorder.times(), (0..300).collect::<Vec<_>>());
}

fn scratch_dir(name: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "portcullis-audit-{}-{}-{}",
        std::process::id(),
        name,
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn json_lines_sink_writes_parseable_lines() {
    let dir = scratch_dir("lines");
    let path = dir.join("audit.jsonl");
    std::fs::write(&path, "{\"earlier\":true}\n").unwrap();
    let sink = Arc::new(JsonLinesSink::open(&path).unwrap());
    let auditor = Auditor::new(64, sinks(&sink)).unwrap();
    for t in 0..3 {
        auditor.submit(AuditEvent {
            identity: Some(AuditedIdentity::of(&Identity::from_principal(Principal {
                subject: format!("user\n{t}"),
                method: AuthMethod::Basic,
                credential_id: None,
                scopes: Vec::new(),
                claims: Default::default(),
                expires_at: None,
            }))),
            ..event(t)
        });
    }
    assert!(auditor.flush(PATIENCE));
    drop(auditor);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "appended after the existing line: {text}");
    assert_eq!(lines[0]["earlier"], true);
    for (t, line) in lines[1..].iter().enumerate() {
        assert_eq!(line["time"], t as i64);
        assert_eq!(line["subject"], format!("user\n{t}"));
        assert_eq!(line["code"], "credentials_missing");
    }
    assert!(text.ends_with('\n'));
    assert_eq!(sink.failures(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn json_lines_sink_creates_private_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch_dir("mode");
    let path = dir.join("audit.jsonl");
    let sink = JsonLinesSink::open(&path).unwrap();
    assert_eq!(sink.path(), path);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_lines_sink_open_failure_names_the_path() {
    let dir = scratch_dir("missing");
    let path = dir.join("no-such-dir").join("audit.jsonl");
    let e = JsonLinesSink::open(&path).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigInvalid);
    assert!(e.detail().contains(&*path.to_string_lossy()), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn json_lines_sink_counts_write_errors() {
    // Every write to /dev/full fails with ENOSPC.
    let sink = JsonLinesSink::open(Path::new("/dev/full")).unwrap();
    sink.deliver(&[event(1), event(2)]);
    sink.deliver(&[event(3)]);
    assert_eq!(sink.failures(), 2);
}

#[test]
fn submit_looks_at_the_queue_often_enough() {
    for (capacity, mask) in [
        (1, 0),
        (15, 0),
        (16, 1),
        (100, 7),
        (512, 63),
        (MAX_CAPACITY, 63),
    ] {
        assert_eq!(check_mask(capacity), mask, "{capacity}");
        // Between two looks the queue grows by at most mask + 1 events, which must still fit
        // above the half-full mark.
        assert!(
            capacity / 2 + (mask as usize) < capacity.max(2),
            "{capacity}"
        );
    }
}

#[test]
fn inline_text_holds_short_text_inline_and_long_text_boxed() {
    let short = InlineText::<8>::new("abc");
    assert!(matches!(short, InlineText::Inline { len: 3, .. }));
    assert_eq!(short.as_str(), "abc");
    let long = InlineText::<8>::new("abcdefghi");
    assert!(matches!(long, InlineText::Boxed(_)));
    assert_eq!(long.as_str(), "abcdefghi");
    assert_eq!(InlineText::<8>::new("é").as_str(), "é");
}

#[test]
fn route_names_are_interned_once() {
    let a = RouteNames::intern("interned-route", &["x".into(), "y".into()], &[]);
    let b = RouteNames::intern("interned-route", &["x".into(), "y".into()], &[]);
    let c = RouteNames::intern("interned-route", &["y".into(), "x".into()], &[]);
    assert!(std::ptr::eq(a, b));
    assert!(!std::ptr::eq(a, c));
    assert_eq!(a.select(0b10).collect::<Vec<_>>(), ["y"]);
}
