//! `portcullis.AuditEvent` and the audit sink that hands the core's batches to the host's
//! callables (each event to `audit=`, each batch to `audit_batch=`).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use portcullis::gate::audit::{AuditEvent, AuditSink, Outcome, MAX_BATCH};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::{intern, PyTraverseError, PyVisit};

use crate::audit_batch::PyAuditBatch;
use crate::convert::py_repr;

/// One gate decision as the audit trail records it. Never a secret: names and ids only.
#[pyclass(module = "portcullis._portcullis", name = "AuditEvent", frozen)]
pub struct PyAuditEvent {
    inner: AuditEvent,
}

impl From<AuditEvent> for PyAuditEvent {
    fn from(inner: AuditEvent) -> Self {
        PyAuditEvent { inner }
    }
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Allow => "allow",
        Outcome::Deny => "deny",
    }
}

#[pymethods]
impl PyAuditEvent {
    /// The request's time, Unix seconds.
    #[getter]
    fn time(&self) -> i64 {
        self.inner.time()
    }

    /// The matched route's name; None when no route matched.
    #[getter]
    fn route(&self) -> Option<&str> {
        self.inner.route()
    }

    /// The request's id, from the configured request id header.
    #[getter]
    fn request_id(&self) -> Option<&str> {
        self.inner.request_id()
    }

    /// The peer's address, if the request carried one.
    #[getter]
    fn peer_address(&self) -> Option<String> {
        self.inner.peer_address().map(|a| a.to_string())
    }

    /// The names of the credentials evaluated, in order.
    #[getter]
    fn tried(&self) -> Vec<&str> {
        self.inner.tried().collect()
    }

    /// The credential that won (allowed requests only).
    #[getter]
    fn credential(&self) -> Option<&str> {
        self.inner.credential()
    }

    /// The winning credential's method (`"jwt"`, `"api_key"`, ...).
    #[getter]
    fn method(&self) -> Option<&'static str> {
        self.inner.method().map(|m| m.name())
    }

    /// The authenticated subject.
    #[getter]
    fn subject(&self) -> Option<&str> {
        self.inner.subject()
    }

    /// The credential's public id (key id, kid, certificate fingerprint, user name).
    #[getter]
    fn credential_id(&self) -> Option<&str> {
        self.inner.credential_id()
    }

    /// `"allow"` or `"deny"`.
    #[getter]
    fn outcome(&self) -> &'static str {
        outcome_name(self.inner.outcome())
    }

    /// The HTTP status: 200 when allowed.
    #[getter]
    fn status(&self) -> u16 {
        self.inner.status()
    }

    /// The refusal's code name; None when allowed.
    #[getter]
    fn code(&self) -> Option<&'static str> {
        self.inner.code().map(|c| c.name())
    }

    /// How long the decision took, in microseconds.
    #[getter]
    fn latency_us(&self) -> u64 {
        self.inner.latency_us()
    }

    /// The event as one line of JSON (members that are None left out).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Every field as a new dict (None where absent).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item(intern!(py, "time"), self.time())?;
        d.set_item(intern!(py, "route"), self.route())?;
        d.set_item(intern!(py, "request_id"), self.request_id())?;
        d.set_item(intern!(py, "peer_address"), self.peer_address())?;
        d.set_item(intern!(py, "tried"), self.tried())?;
        d.set_item(intern!(py, "credential"), self.credential())?;
        d.set_item(intern!(py, "method"), self.method())?;
        d.set_item(intern!(py, "subject"), self.subject())?;
        d.set_item(intern!(py, "credential_id"), self.credential_id())?;
        d.set_item(intern!(py, "outcome"), self.outcome())?;
        d.set_item(intern!(py, "status"), self.status())?;
        d.set_item(intern!(py, "code"), self.code())?;
        d.set_item(intern!(py, "latency_us"), self.latency_us())?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "AuditEvent(outcome={}, status={}, route={}, credential={}, code={})",
            py_repr(py, self.outcome())?,
            self.status(),
            py_repr(py, self.route())?,
            py_repr(py, self.credential())?,
            py_repr(py, self.code())?,
        ))
    }
}

/// The host's audit callables, either or both.
#[derive(Default)]
pub struct Callables {
    /// `audit=`: called with each `AuditEvent`.
    pub each: Option<Py<PyAny>>,
    /// `audit_batch=`: called once per core batch with an `AuditBatch`.
    pub batch: Option<Py<PyAny>>,
}

impl Callables {
    fn clone_ref(&self, py: Python<'_>) -> Callables {
        Callables {
            each: self.each.as_ref().map(|c| c.clone_ref(py)),
            batch: self.batch.as_ref().map(|c| c.clone_ref(py)),
        }
    }

    /// The calls a batch of `events` takes with the callables `given` (`each`, `batch`): one
    /// per event for `each`, one for `batch`.
    fn calls_given((each, batch): (bool, bool), events: usize) -> u64 {
        let each = if each { events } else { 0 };
        (each + usize::from(batch)) as u64
    }
}

/// Calls the host's callables on the core's audit thread: `audit=` once per event, and
/// `audit_batch=` once per batch.
///
/// The GIL is taken once per batch. An exception from a callable goes to `sys.unraisablehook`
/// and is counted; it never reaches a request thread.
pub struct CallbackSink {
    // The lock is only ever taken with the GIL held (audit thread, GC traversal, clear), so it
    // is never contended; it exists so that a garbage collection can drop the callables.
    callables: Mutex<Callables>,
    // Which callables were given at load (`each`, `batch`): what a batch that cannot reach
    // them (no GIL) counts as failed calls.
    given: (bool, bool),
    failures: AtomicU64,
    // Where the audit thread is with the GIL (IDLE, WAITING, DELIVERING). A `check` that
    // keeps the GIL hands it over once a full batch has queued behind the waiting one (see
    // `due`); else the batch would wait for CPython's switch interval (5 ms), and a queue
    // filled by checks of a microsecond each might overflow meanwhile.
    gil: AtomicU8,
    // Checks made with the GIL kept, counted by `due` under the GIL (one writer at a time).
    checks: AtomicU64,
    // `checks` when the audit thread began to wait for the GIL.
    waiting_from: AtomicU64,
}

const IDLE: u8 = 0;
const WAITING: u8 = 1;
const DELIVERING: u8 = 2;

/// How long a `check` waits, with the GIL released, for the audit thread to take the GIL and
/// give it back; then it asks for the GIL as usual.
const HAND_OVER: Duration = Duration::from_millis(1);

/// Checks between a hand-over that timed out and the next try.
const RETRY_AFTER: u64 = 256;

impl CallbackSink {
    pub fn new(callables: Callables) -> Self {
        CallbackSink {
            given: (callables.each.is_some(), callables.batch.is_some()),
            callables: Mutex::new(callables),
            failures: AtomicU64::new(0),
            gil: AtomicU8::new(IDLE),
            checks: AtomicU64::new(0),
            waiting_from: AtomicU64::new(0),
        }
    }

    /// Calls of the callables that raised, or could not be made (the interpreter was shutting
    /// down): one per event for `audit=`, one per batch for `audit_batch=`.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Counts a check made with the GIL held; true when the audit thread has waited for the
    /// GIL for as many checks as a batch holds (the caller then calls [`hand_over`]). Handing
    /// over sooner would deliver batches of an event or two, each paying two thread switches.
    ///
    /// [`hand_over`]: Self::hand_over
    pub fn due(&self) -> bool {
        // Only checks holding the GIL write `checks`, so a load and a store count exactly.
        let n = self.checks.load(Ordering::Relaxed).wrapping_add(1);
        self.checks.store(n, Ordering::Relaxed);
        self.gil.load(Ordering::Acquire) == WAITING
            && n.wrapping_sub(self.waiting_from.load(Ordering::Relaxed)) >= MAX_BATCH as u64
    }

    /// Called with the GIL released when [`due`](Self::due): lets the audit thread take the
    /// GIL and deliver its batch before the caller asks for the GIL again. A caller that asked
    /// at once would usually win (the waiting thread is asleep), and one that asked while the
    /// batch is delivered would sleep and need waking. Bounded by [`HAND_OVER`]: a slow
    /// callable then holds the caller as the GIL always would.
    pub fn hand_over(&self) {
        let deadline = Instant::now() + HAND_OVER;
        while self.gil.load(Ordering::Acquire) != IDLE {
            if Instant::now() >= deadline {
                // The audit thread was not scheduled in time: try again `RETRY_AFTER` checks
                // later rather than on every check until it is. Not a whole batch later: the
                // queue (10,000 events by default) fills in two or three batches, and a busy
                // machine misses a hand-over or two in a row.
                if self.gil.load(Ordering::Relaxed) == WAITING {
                    let later = self
                        .checks
                        .load(Ordering::Relaxed)
                        .wrapping_sub(MAX_BATCH as u64 - RETRY_AFTER);
                    self.waiting_from.store(later, Ordering::Relaxed);
                }
                return;
            }
            std::thread::yield_now();
        }
    }

    fn callables(&self, py: Python<'_>) -> Callables {
        let guard = self
            .callables
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        guard.clone_ref(py)
    }

    /// Lets the garbage collector see the callables (they may refer back to the gate).
    pub fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Ok(guard) = self.callables.try_lock() {
            for callable in [&guard.each, &guard.batch].into_iter().flatten() {
                visit.call(callable)?;
            }
        }
        Ok(())
    }

    /// Drops the callables (breaking a reference cycle); later events are not delivered.
    pub fn clear(&self) -> Callables {
        std::mem::take(
            &mut *self
                .callables
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    fn count_failures(&self, n: u64) {
        self.failures.fetch_add(n, Ordering::Relaxed);
    }

    fn call(&self, py: Python<'_>, callable: &Bound<'_, PyAny>, arg: PyResult<Bound<'_, PyAny>>) {
        if let Err(err) = arg.and_then(|a| callable.call1((a,))) {
            self.count_failures(1);
            err.write_unraisable(py, Some(callable));
        }
    }
}

/// Set by an `atexit` hook: from then on no sink attaches to the interpreter. Once it is
/// finalizing, a thread that is not Python's own and asks for the GIL may be ended by
/// CPython (before 3.14) in the middle of Rust frames, and CPython before 3.13 gives the
/// stable ABI no way to ask whether it is finalizing.
static INTERPRETER_EXITING: AtomicBool = AtomicBool::new(false);

#[pyfunction]
fn stop_audit_callbacks() {
    INTERPRETER_EXITING.store(true, Ordering::Release);
}

/// Registers the `atexit` hook that stops audit callbacks before the interpreter finalizes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let hook = wrap_pyfunction!(stop_audit_callbacks, m)?;
    m.py()
        .import(intern!(m.py(), "atexit"))?
        .call_method1(intern!(m.py(), "register"), (hook,))?;
    Ok(())
}

impl AuditSink for CallbackSink {
    fn deliver(&self, events: &[AuditEvent]) {
        let given = Callables::calls_given(self.given, events.len());
        if INTERPRETER_EXITING.load(Ordering::Acquire) {
            self.count_failures(given);
            return;
        }
        // Copied before the GIL is taken, so that a request thread never waits for the copy.
        let shared: Option<Arc<[AuditEvent]>> = self.given.1.then(|| Arc::from(events));
        self.waiting_from
            .store(self.checks.load(Ordering::Relaxed), Ordering::Relaxed);
        self.gil.store(WAITING, Ordering::Release);
        let attached = Python::try_attach(|py| {
            self.gil.store(DELIVERING, Ordering::Relaxed);
            let callables = self.callables(py);
            if let (Some(callable), Some(events)) = (&callables.batch, &shared) {
                let batch = Bound::new(py, PyAuditBatch::new(Arc::clone(events)));
                self.call(py, callable.bind(py), batch.map(Bound::into_any));
            }
            if let Some(callable) = &callables.each {
                for event in events {
                    let event = Bound::new(py, PyAuditEvent::from(event.clone()));
                    self.call(py, callable.bind(py), event.map(Bound::into_any));
                }
            }
        });
        // After the GIL is released (`try_attach` has returned).
        self.gil.store(IDLE, Ordering::Release);
        if attached.is_none() {
            self.count_failures(given);
        }
    }
}
