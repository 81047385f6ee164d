//! The gate's audit events in JavaScript: the sink that hands each batch of events to the
//! event loop, and the event and stats objects.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::{Function, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Error, Result, Status, ValueType};
use napi_derive::napi;

use portcullis::gate::audit::{AuditEvent as CoreEvent, AuditSink, AuditStats as CoreStats};

/// One decision as the audit callback receives it. Never a secret: names and ids only.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct AuditEvent {
    /// The request's time, Unix seconds.
    pub time: i64,
    /// The matched route's name, or `null`.
    pub route: Option<String>,
    /// The request's id (from its id header), or `null`.
    pub request_id: Option<String>,
    /// The peer's address, or `null`.
    pub peer_address: Option<String>,
    /// The names of the credentials evaluated, in order.
    pub tried: Vec<String>,
    /// The name of the credential that won, or `null`.
    pub credential: Option<String>,
    /// The method of the winning credential, or `null`.
    pub method: Option<String>,
    /// The authenticated subject, or `null`.
    pub subject: Option<String>,
    /// The credential's public id (key id, kid, fingerprint, user name), or `null`.
    pub credential_id: Option<String>,
    /// Allowed or refused.
    #[napi(ts_type = "'allow' | 'deny'")]
    pub outcome: String,
    /// 200 for allow, else the denial's status.
    pub status: u32,
    /// The refusal's code, or `null`.
    pub code: Option<String>,
    /// How long the decision took, microseconds.
    pub latency_us: i64,
}

/// Counters of a gate's audit pipeline (all zero without an audit callback or file).
#[napi(object, object_from_js = false)]
pub struct AuditStats {
    /// Events submitted (one per decision).
    pub submitted: i64,
    /// Events handed to the callback (and the audit file).
    pub delivered: i64,
    /// Events dropped because the queue was full (the callback could not keep up).
    pub dropped: i64,
    /// Callback calls that threw or rejected.
    pub sink_failures: i64,
}

/// Most audit events waiting for the event loop at once. Beyond it (the event loop is busy for
/// long) further batches are dropped and counted: the callback's backlog stays bounded.
const MAX_PENDING_EVENTS: u64 = 10_000;

type BatchFn = ThreadsafeFunction<String, Unknown<'static>, String, Status, false, true, 0>;

/// The audit sink of a gate built with an `audit` callback: each batch goes, as the JSON text
/// of an array of events, to the event loop through an unref'd threadsafe function (it never
/// keeps the process alive), in non-blocking mode, so the audit thread never waits for
/// JavaScript. `gate.js` calls the user's callback once per event.
pub(crate) struct JsAuditSink {
    deliver: BatchFn,
    /// Events handed to the threadsafe function whose call has not finished yet.
    pending: Arc<AtomicU64>,
    /// Events the sink dropped (backlog full, or the environment closing).
    dropped: AtomicU64,
}

impl AuditSink for JsAuditSink {
    fn deliver(&self, events: &[CoreEvent]) {
        let n = events.len() as u64;
        if self.pending.load(Ordering::Relaxed) + n > MAX_PENDING_EVENTS {
            self.dropped.fetch_add(n, Ordering::Relaxed);
            return;
        }
        let mut text = Vec::with_capacity(events.len() * 160 + 2);
        text.push(b'[');
        for (i, event) in events.iter().enumerate() {
            if i > 0 {
                text.push(b',');
            }
            // An event always serialises (strings, numbers and addresses).
            if serde_json::to_writer(&mut text, event).is_err() {
                self.dropped.fetch_add(n, Ordering::Relaxed);
                return;
            }
        }
        text.push(b']');
        let Ok(text) = String::from_utf8(text) else {
            self.dropped.fetch_add(n, Ordering::Relaxed);
            return;
        };
        self.pending.fetch_add(n, Ordering::Relaxed);
        let pending = Arc::clone(&self.pending);
        let status = self.deliver.call_with_return_value(
            text,
            ThreadsafeFunctionCallMode::NonBlocking,
            move |_, _| {
                pending.fetch_sub(n, Ordering::Relaxed);
                Ok(())
            },
        );
        if status != Status::Ok {
            self.pending.fetch_sub(n, Ordering::Relaxed);
            self.dropped.fetch_add(n, Ordering::Relaxed);
        }
    }
}

/// The sink for the `audit` option (a function).
pub(crate) fn audit_sink(value: Unknown) -> Result<JsAuditSink> {
    if value.get_type()? != ValueType::Function {
        return Err(Error::new(
            Status::InvalidArg,
            "option `audit` must be a function",
        ));
    }
    // SAFETY: the value is a JS function.
    let function: Function<String, Unknown> = unsafe { value.cast() }?;
    let deliver = function
        .build_threadsafe_function::<String>()
        .callee_handled::<false>()
        .weak::<true>()
        .build()?;
    Ok(JsAuditSink {
        deliver,
        pending: Arc::new(AtomicU64::new(0)),
        dropped: AtomicU64::new(0),
    })
}

impl JsAuditSink {
    /// The gate's counters with this sink's refusals: events the backlog refused were handed
    /// to the sink by the core, so they move from delivered to dropped.
    pub(crate) fn stats(sink: Option<&JsAuditSink>, stats: CoreStats) -> AuditStats {
        let refused = sink.map_or(0, |s| s.dropped.load(Ordering::Relaxed));
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        AuditStats {
            submitted: count(stats.submitted),
            delivered: count(stats.delivered.saturating_sub(refused)),
            dropped: count(stats.dropped.saturating_add(refused)),
            sink_failures: count(stats.sink_failures),
        }
    }
}
