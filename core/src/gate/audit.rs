//! Audit events: one per gate decision, delivered off the request path.
//!
//! [`Auditor::submit`] sits on every request's path, so it only pushes the event into a bounded
//! lock-free queue ([`crossbeam_queue::ArrayQueue`]) and bumps a relaxed counter. One worker
//! thread (`portcullis-audit`) drains the queue in batches and hands each batch to the
//! [`AuditSink`]s. The worker polls (it parks for [`IDLE_PARK`] when the queue is empty) rather
//! than being woken per event, because a wake-up is a syscall; a submit wakes it only when the
//! queue is more than half full. A slow or stuck sink therefore never slows a request: the queue
//! fills, and further events are dropped and counted in [`AuditStats::dropped`].

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::IpAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};

use crossbeam_queue::ArrayQueue;
use serde::Serialize;

use crate::decision::AuthMethod;
use crate::error::{Error, ErrorCode};
use crate::verifier::Identity;

pub(crate) use super::inline::InlineText;

/// How a request was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The request was let through.
    Allow,
    /// The request was refused.
    Deny,
}

/// The names a route's decisions refer to: the route's and its credentials'. Interned for the
/// life of the process ([`RouteNames::intern`]) so that a decision and its audit event refer to
/// them without a reference count: recording a decision then moves plain values only, and the
/// audit thread frees nothing the request thread allocated.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RouteNames {
    /// The route's name.
    pub name: Box<str>,
    /// The distinct credentials its requirement names, in order of first appearance; a
    /// decision's `tried` and `satisfied` sets are bit masks over this list.
    pub credentials: Box<[Box<str>]>,
    /// The names of its path pattern's parameters, in order.
    pub params: Box<[Box<str>]>,
}

impl RouteNames {
    /// The interned names of a route: the same `&'static` for the same names, so reloading a
    /// configuration adds nothing; only names never loaded before take (a few bytes of) memory.
    pub fn intern(name: &str, credentials: &[Arc<str>], params: &[&str]) -> &'static RouteNames {
        use std::collections::HashSet;
        use std::sync::OnceLock;
        static INTERNED: OnceLock<Mutex<HashSet<&'static RouteNames>>> = OnceLock::new();
        let wanted = RouteNames {
            name: name.into(),
            credentials: credentials.iter().map(|c| Box::from(&**c)).collect(),
            params: params.iter().map(|p| Box::from(*p)).collect(),
        };
        let mut set = INTERNED
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = set.get(&wanted) {
            return found;
        }
        let leaked: &'static RouteNames = Box::leak(Box::new(wanted));
        set.insert(leaked);
        leaked
    }

    /// The names whose bits are set in `mask`, in list order.
    pub(crate) fn select(&self, mask: u64) -> impl Iterator<Item = &str> + '_ {
        self.credentials
            .iter()
            .enumerate()
            .filter(move |(i, _)| *i < 64 && mask & (1 << i) != 0)
            .map(|(_, n)| &**n)
    }
}

/// `text` interned for the life of the process: the same `&'static str` for the same text. For
/// per-route strings a decision carries (the `RateLimit-Policy` value), which then cost no
/// allocation per request; only text never seen before takes memory.
pub(crate) fn intern_str(text: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::OnceLock;
    static INTERNED: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut set = INTERNED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(found) = set.get(text) {
        return found;
    }
    let leaked: &'static str = Box::leak(Box::from(text));
    set.insert(leaked);
    leaked
}

/// Who a decision let in, as the audit trail records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AuditedIdentity {
    pub method: AuthMethod,
    pub subject: InlineText<64>,
    pub credential_id: Option<InlineText<64>>,
}

impl AuditedIdentity {
    pub(crate) fn of(identity: &Identity) -> Self {
        AuditedIdentity {
            method: identity.method(),
            subject: InlineText::new(identity.subject()),
            credential_id: identity.credential_id().map(InlineText::new),
        }
    }
}

/// One decision. Never a secret, never a full token or key: ids and names only.
///
/// [`AuditEvent::to_json`] writes, in this order and leaving out what is absent: `time`,
/// `route`, `request_id`, `peer_address`, `tried`, `credential`, `method`, `subject`,
/// `credential_id`, `outcome`, `status`, `code`, `latency_us`. The event is plain data (the
/// route's names interned, ids held inline): recording a decision allocates nothing in the
/// common case, and the audit thread frees nothing a request thread allocated.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    pub(crate) time: i64,
    pub(crate) route: Option<&'static RouteNames>,
    pub(crate) request_id: Option<InlineText<64>>,
    pub(crate) peer_address: Option<IpAddr>,
    pub(crate) tried: u64,
    pub(crate) winner: Option<u8>,
    pub(crate) identity: Option<AuditedIdentity>,
    pub(crate) outcome: Outcome,
    pub(crate) status: u16,
    pub(crate) code: Option<ErrorCode>,
    pub(crate) latency_us: u64,
}

impl AuditEvent {
    /// The request's time, Unix seconds.
    pub fn time(&self) -> i64 {
        self.time
    }

    /// The matched route's name; `None` when no route matched.
    pub fn route(&self) -> Option<&str> {
        self.route.map(|r| &*r.name)
    }

    /// The request's id, from its id header, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_ref().map(InlineText::as_str)
    }

    /// The peer's address, if the host told it.
    pub fn peer_address(&self) -> Option<IpAddr> {
        self.peer_address
    }

    /// The names of the credentials evaluated, in the route's order.
    pub fn tried(&self) -> impl Iterator<Item = &str> + '_ {
        self.route
            .into_iter()
            .flat_map(move |r| r.select(self.tried))
    }

    /// The name of the credential that won (allow only).
    pub fn credential(&self) -> Option<&str> {
        let route = self.route?;
        route
            .credentials
            .get(usize::from(self.winner?))
            .map(|n| &**n)
    }

    /// The method of the winning credential.
    pub fn method(&self) -> Option<AuthMethod> {
        self.identity.as_ref().map(|i| i.method)
    }

    /// The authenticated subject.
    pub fn subject(&self) -> Option<&str> {
        self.identity.as_ref().map(|i| i.subject.as_str())
    }

    /// The credential's public id: key id, kid, certificate fingerprint, user name.
    pub fn credential_id(&self) -> Option<&str> {
        self.identity
            .as_ref()?
            .credential_id
            .as_ref()
            .map(InlineText::as_str)
    }

    /// Allowed or refused.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// The HTTP status: 200 for allow, else the denial's status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Why the request was refused (`None` on allow).
    pub fn code(&self) -> Option<ErrorCode> {
        self.code
    }

    /// How long the decision took, in microseconds.
    pub fn latency_us(&self) -> u64 {
        self.latency_us
    }

    /// The event as one line of JSON, without a trailing newline.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct View<'a> {
            time: i64,
            #[serde(skip_serializing_if = "Option::is_none")]
            route: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            request_id: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            peer_address: Option<IpAddr>,
            tried: Vec<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            credential: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            method: Option<&'static str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            subject: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            credential_id: Option<&'a str>,
            outcome: Outcome,
            status: u16,
            #[serde(skip_serializing_if = "Option::is_none")]
            code: Option<&'static str>,
            latency_us: u64,
        }
        let view = View {
            time: self.time,
            route: self.route(),
            request_id: self.request_id(),
            peer_address: self.peer_address,
            tried: self.tried().collect(),
            credential: self.credential(),
            method: self.method().map(AuthMethod::name),
            subject: self.subject(),
            credential_id: self.credential_id(),
            outcome: self.outcome,
            status: self.status,
            code: self.code.map(ErrorCode::name),
            latency_us: self.latency_us,
        };
        // Strings, numbers and addresses always serialise; the fallback is never taken.
        serde_json::to_string(&view).unwrap_or_default()
    }
}

/// Receives batches of events on the pipeline's worker thread (never on a request thread).
///
/// A sink that panics is caught and counted in [`AuditStats::sink_failures`]; the other sinks
/// still receive the batch and the worker goes on.
pub trait AuditSink: Send + Sync {
    /// Takes one batch, in submission order.
    fn deliver(&self, events: &[AuditEvent]);
}

/// Counters of an [`Auditor`], since it was built.
///
/// Once [`Auditor::flush`] has returned true with no submit running, `submitted == delivered +
/// dropped`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditStats {
    /// Events passed to [`Auditor::submit`].
    pub submitted: u64,
    /// Events handed to the sinks (also when a sink then failed, or when there is no sink).
    pub delivered: u64,
    /// Events dropped because the queue was full.
    pub dropped: u64,
    /// Sink calls that panicked.
    pub sink_failures: u64,
}

/// The largest queue an [`Auditor`] accepts. The queue's slots are allocated up front, about
/// 200 bytes each.
pub const MAX_CAPACITY: usize = 1_000_000;

/// Events the worker hands to the sinks at once, at most. Large, because a host callback pays
/// per batch (Python takes its GIL once per batch: about 60 us each time on this machine), while
/// a batch costs the request threads nothing.
pub const MAX_BATCH: usize = 4096;

/// How long the worker sleeps when the queue is empty. Events wait in the queue at most this
/// long (plus the sinks' time) unless the queue passes half its capacity.
pub const IDLE_PARK: Duration = Duration::from_millis(2);

// How long `Drop` waits for the worker to deliver what is queued.
const DROP_WAIT: Duration = Duration::from_secs(2);
// How often `flush` and `Drop` look whether the worker is done.
const POLL: Duration = Duration::from_millis(1);
// A longer timeout would overflow `Instant` on some platforms; nobody waits a day.
const MAX_WAIT: Duration = Duration::from_secs(86_400);

// An event is kept unboxed on purpose: the queue's slots are allocated once, and boxing would
// put an allocation (freed on the worker thread) back on every request.
#[allow(clippy::large_enum_variant)]
enum Item {
    Event(AuditEvent),
    // Set by the worker once every item queued before it has been delivered: the queue is FIFO,
    // so this is exactly "everything submitted before the flush", even with concurrent submits.
    Flush(Arc<AtomicBool>),
}

// Request threads write `submitted` and `dropped`, the worker the other two: apart on their own
// cache lines so that the worker's writes do not slow the submits.
#[repr(align(128))]
#[derive(Default)]
struct Padded<T>(T);

struct Shared {
    queue: ArrayQueue<Item>,
    wake_above: usize,
    // `len()` reads the consumer's cache line, so submit looks at it only once every
    // `check_mask + 1` submits: few enough misses, often enough that the queue cannot fill
    // between two looks.
    check_mask: u64,
    submitted: Padded<AtomicU64>,
    dropped: AtomicU64,
    delivered: Padded<AtomicU64>,
    sink_failures: AtomicU64,
    stop: AtomicBool,
    sinks: RwLock<Arc<[Arc<dyn AuditSink>]>>,
}

/// The pipeline: a bounded lock-free queue and one worker thread (`portcullis-audit`).
pub struct Auditor {
    shared: Arc<Shared>,
    thread: Thread,
    worker: Option<JoinHandle<()>>,
}

impl Auditor {
    /// A pipeline holding at most `capacity` events in its queue (1..=[`MAX_CAPACITY`], else
    /// `config_invalid`), delivering to `sinks`.
    pub fn new(capacity: usize, sinks: Vec<Arc<dyn AuditSink>>) -> Result<Auditor, Error> {
        if !(1..=MAX_CAPACITY).contains(&capacity) {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!("audit queue capacity must be 1 to {MAX_CAPACITY}, not {capacity}"),
            ));
        }
        let shared = Arc::new(Shared {
            queue: ArrayQueue::new(capacity),
            wake_above: capacity / 2,
            check_mask: check_mask(capacity),
            submitted: Padded::default(),
            dropped: AtomicU64::new(0),
            delivered: Padded::default(),
            sink_failures: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            sinks: RwLock::new(Arc::from(sinks)),
        });
        let worker_shared = Arc::clone(&shared);
        let worker = std::thread::Builder::new()
            .name("portcullis-audit".into())
            .spawn(move || run(&worker_shared))
            .map_err(|e| {
                Error::new(
                    ErrorCode::Internal,
                    format!("cannot start the audit thread: {e}"),
                )
            })?;
        Ok(Auditor {
            shared,
            thread: worker.thread().clone(),
            worker: Some(worker),
        })
    }

    /// Queues `event` for delivery. Never blocks, never allocates beyond the event itself and
    /// makes no syscall unless the queue is more than half full: when it is full the event is
    /// dropped and counted.
    pub fn submit(&self, event: AuditEvent) {
        let shared = &*self.shared;
        let n = shared.submitted.0.fetch_add(1, Ordering::Relaxed);
        match shared.queue.push(Item::Event(event)) {
            Ok(()) => {
                if n & shared.check_mask == 0 && shared.queue.len() > shared.wake_above {
                    self.thread.unpark();
                }
            }
            Err(_dropped) => {
                shared.dropped.fetch_add(1, Ordering::Relaxed);
                self.thread.unpark();
            }
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> AuditStats {
        let shared = &*self.shared;
        AuditStats {
            submitted: shared.submitted.0.load(Ordering::Relaxed),
            delivered: shared.delivered.0.load(Ordering::Relaxed),
            dropped: shared.dropped.load(Ordering::Relaxed),
            sink_failures: shared.sink_failures.load(Ordering::Relaxed),
        }
    }

    /// Waits (at most `timeout`) until every event submitted before the call was delivered or
    /// dropped; true when that happened. For tests and orderly shutdown: it polls.
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout.min(MAX_WAIT);
        let done = Arc::new(AtomicBool::new(false));
        let mut marker = Item::Flush(Arc::clone(&done));
        // A full queue has no room for the marker until the worker drains some of it.
        while let Err(back) = self.shared.queue.push(marker) {
            marker = back;
            self.thread.unpark();
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(POLL);
        }
        self.thread.unpark();
        while !done.load(Ordering::Acquire) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(POLL);
        }
        true
    }

    /// Replaces the sinks (when a configuration reload changes the audit file). A batch being
    /// delivered when this is called still goes to the old sinks.
    pub fn set_sinks(&self, sinks: Vec<Arc<dyn AuditSink>>) {
        let mut current = self
            .shared
            .sinks
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        *current = Arc::from(sinks);
    }
}

impl fmt::Debug for Auditor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auditor")
            .field("capacity", &self.shared.queue.capacity())
            .field("queued", &self.shared.queue.len())
            .field("stats", &self.stats())
            .finish()
    }
}

impl Drop for Auditor {
    /// Stops the worker once it has delivered what is queued, waiting at most about 2 s; a
    /// worker held up by a stuck sink is left to finish on its own.
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        self.thread.unpark();
        let Some(worker) = self.worker.take() else {
            return;
        };
        let deadline = Instant::now() + DROP_WAIT;
        while !worker.is_finished() && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        if worker.is_finished() {
            // The worker catches sink panics, so it cannot have panicked itself.
            let _ = worker.join();
        }
    }
}

// The largest power of two up to an eighth of the capacity, at most 64, less one.
fn check_mask(capacity: usize) -> u64 {
    let eighth = (capacity / 8).clamp(1, 64);
    let every = 1u64 << (usize::BITS - 1 - eighth.leading_zeros());
    every - 1
}

fn run(shared: &Shared) {
    let mut batch: Vec<AuditEvent> = Vec::with_capacity(MAX_BATCH.min(shared.queue.capacity()));
    loop {
        let mut took = false;
        while batch.len() < MAX_BATCH {
            match shared.queue.pop() {
                Some(Item::Event(event)) => batch.push(event),
                Some(Item::Flush(done)) => {
                    deliver(shared, &mut batch);
                    done.store(true, Ordering::Release);
                }
                None => break,
            }
            took = true;
        }
        deliver(shared, &mut batch);
        if took {
            continue;
        }
        // Drop sets `stop` only after the last submit (it holds `&mut Auditor`), so an empty
        // queue seen after `stop` stays empty.
        if shared.stop.load(Ordering::Acquire) {
            if shared.queue.is_empty() {
                return;
            }
            continue;
        }
        std::thread::park_timeout(IDLE_PARK);
    }
}

fn deliver(shared: &Shared, batch: &mut Vec<AuditEvent>) {
    if batch.is_empty() {
        return;
    }
    let sinks = Arc::clone(&shared.sinks.read().unwrap_or_else(PoisonError::into_inner));
    for sink in sinks.iter() {
        if catch_unwind(AssertUnwindSafe(|| sink.deliver(batch))).is_err() {
            shared.sink_failures.fetch_add(1, Ordering::Relaxed);
        }
    }
    shared
        .delivered
        .0
        .fetch_add(batch.len() as u64, Ordering::Relaxed);
    batch.clear();
}

/// Appends each event as one JSON line to a file (created with mode 0600 when absent, opened
/// for appending, so several processes can share it line by line).
pub struct JsonLinesSink {
    path: PathBuf,
    state: Mutex<SinkState>,
    failures: AtomicU64,
}

struct SinkState {
    file: File,
    buf: Vec<u8>,
}

// A batch's text is built in one buffer, kept between batches unless a huge batch grew it.
const KEPT_BUFFER: usize = 1 << 20;

impl JsonLinesSink {
    /// Opens (or creates) the file at `path`; `config_invalid` naming the path when it cannot.
    pub fn open(path: &Path) -> Result<JsonLinesSink, Error> {
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path).map_err(|e| {
            Error::new(
                ErrorCode::ConfigInvalid,
                format!("cannot open the audit file {}: {e}", path.display()),
            )
        })?;
        Ok(JsonLinesSink {
            path: path.to_path_buf(),
            state: Mutex::new(SinkState {
                file,
                buf: Vec::new(),
            }),
            failures: AtomicU64::new(0),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Batches that could not be written (whole or in part).
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }
}

impl fmt::Debug for JsonLinesSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonLinesSink")
            .field("path", &self.path)
            .field("failures", &self.failures())
            .finish()
    }
}

impl AuditSink for JsonLinesSink {
    fn deliver(&self, events: &[AuditEvent]) {
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let SinkState { file, buf } = &mut *guard;
        buf.clear();
        let mut failed = false;
        for event in events {
            let start = buf.len();
            let line = event.to_json();
            if line.is_empty() {
                buf.truncate(start);
                failed = true;
            } else {
                buf.extend_from_slice(line.as_bytes());
                buf.push(b'\n');
            }
        }
        if file.write_all(buf).and_then(|()| file.flush()).is_err() {
            failed = true;
        }
        if failed {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        if buf.capacity() > KEPT_BUFFER {
            *buf = Vec::new();
        }
    }
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
