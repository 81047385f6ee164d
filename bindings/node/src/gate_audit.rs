//! The gate's audit events in JavaScript: the sink that hands each batch of events to the
//! event loop, and the event and stats objects.
//!
//! A batch crosses as its event count and the JSON text of every event's thirteen values in
//! order, one flat array (`[time, route, requestId, ..., latencyUs, time, ...]`, the outcome as
//! `true` for allow): member names would cost `JSON.parse` a string-table lookup each, and a
//! nested array per event one more object. `gate.js` wraps them in an `AuditBatch` whose
//! `length` is the count, and parses the text only when an event is first read. While the
//! callbacks read no event, batches cross as the events themselves and the text is written
//! only if one is read (see [`JsAuditSink`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{External, FnArgs, Function, ToNapiValue, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{sys, Env, Error, JsValue, Result, Status, ValueType};
use napi_derive::napi;
use serde::ser::{Serialize, SerializeSeq, Serializer};

use portcullis::gate::audit::{
    AuditEvent as CoreEvent, AuditSink, AuditStats as CoreStats, Outcome, MAX_BATCH,
};

use crate::compact::utf8_js;

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

/// How many values each event has in a batch's text (`gate.js` reads them by this stride).
const EVENT_VALUES: usize = 13;

/// A batch's events as one flat JSON array of their values (see the module's comment).
struct BatchValues<'a>(&'a [CoreEvent]);

impl Serialize for BatchValues<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        struct Tried<'a>(&'a CoreEvent);
        impl Serialize for Tried<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.collect_seq(self.0.tried())
            }
        }
        let mut seq = s.serialize_seq(Some(self.0.len() * EVENT_VALUES))?;
        for e in self.0 {
            seq.serialize_element(&e.time())?;
            seq.serialize_element(&e.route())?;
            seq.serialize_element(&e.request_id())?;
            seq.serialize_element(&e.peer_address())?;
            seq.serialize_element(&Tried(e))?;
            seq.serialize_element(&e.credential())?;
            seq.serialize_element(&e.method().map(|m| m.name()))?;
            seq.serialize_element(&e.subject())?;
            seq.serialize_element(&e.credential_id())?;
            seq.serialize_element(&(e.outcome() == Outcome::Allow))?;
            seq.serialize_element(&e.status())?;
            seq.serialize_element(&e.code().map(|c| c.name()))?;
            seq.serialize_element(&e.latency_us())?;
        }
        seq.end()
    }
}

/// A batch as it crosses to the event loop: its text (written on the audit thread), or its
/// events themselves, written only if JavaScript reads one (`auditBatchText`).
pub(crate) enum BatchPayload {
    /// JSON text (see the module's comment); `ascii` when V8 may take it as Latin-1, which it
    /// copies without decoding (as nearly always: names, ids and numbers).
    Text { text: Vec<u8>, ascii: bool },
    /// The events, in an `External` for `auditBatchText`.
    Events(HeldEvents),
}

/// Spare buffers for [`HeldEvents`], at most this many (about 1 MiB of full ones). Batches
/// come back when V8 collects them, often tens at a time: fewer spares would free (and
/// allocate) most buffers anyway.
const SPARE_BUFFERS: usize = 16;

/// A batch's events held for JavaScript. Its buffer goes back to the sink's spares when the
/// batch is collected, so the event loop neither frees it nor touches its events (dropping
/// them would read every one, from memory the audit thread wrote), and the audit thread
/// reuses it instead of allocating.
pub struct HeldEvents {
    events: Vec<CoreEvent>,
    spares: Arc<Mutex<Vec<Vec<CoreEvent>>>>,
}

impl Drop for HeldEvents {
    fn drop(&mut self) {
        if let Ok(mut spares) = self.spares.lock() {
            if spares.len() < SPARE_BUFFERS {
                spares.push(std::mem::take(&mut self.events));
            }
        }
    }
}

/// The JSON text of `events`' values (see the module's comment).
fn batch_text(events: &[CoreEvent]) -> Option<Vec<u8>> {
    // About 100 bytes an event with its ids: one allocation for a usual batch.
    let mut text = Vec::with_capacity(events.len() * 128 + 2);
    serde_json::to_writer(&mut text, &BatchValues(events)).ok()?;
    Some(text)
}

impl ToNapiValue for BatchPayload {
    unsafe fn to_napi_value(raw: sys::napi_env, value: Self) -> Result<sys::napi_value> {
        match value {
            BatchPayload::Text { text, ascii } => {
                Ok(utf8_js(&Env::from_raw(raw), &text, ascii)?.raw())
            }
            BatchPayload::Events(events) => {
                // The buffer's memory, so that V8 counts it until the batch is collected.
                let size = events.events.capacity() * std::mem::size_of::<CoreEvent>();
                // SAFETY: called by the threadsafe function on the event loop with its env.
                unsafe { External::to_napi_value(raw, External::new_with_size_hint(events, size)) }
            }
        }
    }
}

/// The JSON text of a batch that crossed as its events (`Gate._auditBatchText`, which
/// `gate.js` calls when one of them is first read).
pub(crate) fn events_text(held: &External<HeldEvents>) -> Result<Vec<u8>> {
    batch_text(&held.events)
        .ok_or_else(|| Error::new(Status::GenericFailure, "audit batch not written"))
}

/// What the threadsafe function passes to `gate.js`: `(count, payload)`.
type BatchArgs = FnArgs<(u32, BatchPayload)>;
type BatchFn = ThreadsafeFunction<BatchArgs, Unknown<'static>, BatchArgs, Status, false, true, 0>;

/// The audit sink of a gate built with an `audit` or `auditBatch` callback: each batch goes, as
/// its count and payload, to the event loop through an unref'd threadsafe function (it never
/// keeps the process alive), in non-blocking mode, so the audit thread never waits for
/// JavaScript. `gate.js` calls the user's callbacks.
///
/// The payload is the batch's text while the callbacks read their events, and the events
/// themselves while they do not (a batch callback that counts): the dispatcher returns whether
/// the batch was read, and the next batch follows. So the audit thread writes no text nobody
/// reads, and a callback that reads has its text written off the event loop.
pub(crate) struct JsAuditSink {
    deliver: BatchFn,
    /// Events handed to the threadsafe function whose call has not finished yet.
    pending: Arc<AtomicU64>,
    /// Events the sink dropped (backlog full, or the environment closing).
    dropped: AtomicU64,
    /// Whether the last batch delivered was read during its callbacks.
    read: Arc<AtomicBool>,
    /// Buffers of collected unread batches, for the next ones.
    spares: Arc<Mutex<Vec<Vec<CoreEvent>>>>,
}

impl AuditSink for JsAuditSink {
    fn deliver(&self, events: &[CoreEvent]) {
        let n = events.len() as u64;
        if self.pending.load(Ordering::Relaxed) + n > MAX_PENDING_EVENTS {
            self.dropped.fetch_add(n, Ordering::Relaxed);
            return;
        }
        let payload = if self.read.load(Ordering::Relaxed) {
            batch_text(events).map(|text| {
                let ascii = text.is_ascii();
                BatchPayload::Text { text, ascii }
            })
        } else {
            let spare = self.spares.lock().ok().and_then(|mut s| s.pop());
            // Full-size buffers, so a spare fits any batch without growing.
            let mut held = spare.unwrap_or_else(|| Vec::with_capacity(MAX_BATCH));
            // Drops a previous batch's events here, on the audit thread.
            held.clear();
            held.extend_from_slice(events);
            Some(BatchPayload::Events(HeldEvents {
                events: held,
                spares: Arc::clone(&self.spares),
            }))
        };
        // The core hands at most `MAX_BATCH` events at once.
        let (Some(payload), Ok(count)) = (payload, u32::try_from(events.len())) else {
            self.dropped.fetch_add(n, Ordering::Relaxed);
            return;
        };
        self.pending.fetch_add(n, Ordering::Relaxed);
        let (pending, read) = (Arc::clone(&self.pending), Arc::clone(&self.read));
        let status = self.deliver.call_with_return_value(
            FnArgs::from((count, payload)),
            ThreadsafeFunctionCallMode::NonBlocking,
            move |returned, _| {
                pending.fetch_sub(n, Ordering::Relaxed);
                read.store(returned_true(returned), Ordering::Relaxed);
                Ok(())
            },
        );
        if status != Status::Ok {
            self.pending.fetch_sub(n, Ordering::Relaxed);
            self.dropped.fetch_add(n, Ordering::Relaxed);
        }
    }
}

/// True when the dispatcher returned `true` (the batch was read).
fn returned_true(returned: Result<Unknown>) -> bool {
    match returned {
        Ok(value) if value.get_type().is_ok_and(|t| t == ValueType::Boolean) => {
            // SAFETY: the value is a JS boolean.
            unsafe { value.cast::<bool>() }.unwrap_or(false)
        }
        _ => false,
    }
}

/// The function the sink calls with `(count, text)` for each batch: the `audit` or
/// `auditBatch` option (`name`), which `gate.js` replaces by its dispatcher.
pub(crate) fn audit_function<'a>(
    name: &str,
    value: Unknown<'a>,
) -> Result<Function<'a, BatchArgs, Unknown<'static>>> {
    if value.get_type()? != ValueType::Function {
        return Err(Error::new(
            Status::InvalidArg,
            format!("option `{name}` must be a function"),
        ));
    }
    // SAFETY: the value is a JS function.
    unsafe { value.cast() }
}

/// The sink that calls `function` (see [`audit_function`]).
pub(crate) fn audit_sink(function: Function<BatchArgs, Unknown<'static>>) -> Result<JsAuditSink> {
    let deliver = function
        .build_threadsafe_function::<BatchArgs>()
        .callee_handled::<false>()
        .weak::<true>()
        .build()?;
    Ok(JsAuditSink {
        deliver,
        pending: Arc::new(AtomicU64::new(0)),
        dropped: AtomicU64::new(0),
        read: Arc::new(AtomicBool::new(true)),
        spares: Arc::new(Mutex::new(Vec::with_capacity(SPARE_BUFFERS))),
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
