//! `portcullis.AuditEvent` and the audit sink that hands each event to the host's callable.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use portcullis::gate::audit::{AuditEvent, AuditSink, Outcome};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::{intern, PyTraverseError, PyVisit};

use crate::convert::py_repr;

/// One gate decision as the audit trail records it. Never a secret: names and ids only.
#[pyclass(module = "portcullis._portcullis", name = "AuditEvent", frozen)]
pub struct PyAuditEvent {
    inner: AuditEvent,
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

/// Calls the host's callable once per event, on the core's audit thread.
///
/// The GIL is taken once per batch. An exception from the callable goes to
/// `sys.unraisablehook` and is counted; it never reaches a request thread.
pub struct CallbackSink {
    // The lock is only ever taken with the GIL held (audit thread, GC traversal, clear), so it
    // is never contended; it exists so that a garbage collection can drop the callable.
    callable: Mutex<Option<Py<PyAny>>>,
    failures: AtomicU64,
}

impl CallbackSink {
    pub fn new(callable: Py<PyAny>) -> Self {
        CallbackSink {
            callable: Mutex::new(Some(callable)),
            failures: AtomicU64::new(0),
        }
    }

    /// Events the callable raised on, or could not be given (the interpreter was shutting
    /// down).
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    fn callable(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        let guard = self.callable.lock().unwrap_or_else(PoisonError::into_inner);
        guard.as_ref().map(|c| c.clone_ref(py))
    }

    /// Lets the garbage collector see the callable (it may refer back to the gate).
    pub fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Ok(guard) = self.callable.try_lock() {
            if let Some(callable) = guard.as_ref() {
                visit.call(callable)?;
            }
        }
        Ok(())
    }

    /// Drops the callable (breaking a reference cycle); later events are not delivered.
    pub fn clear(&self) -> Option<Py<PyAny>> {
        self.callable
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
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
        if INTERPRETER_EXITING.load(Ordering::Acquire) {
            self.failures
                .fetch_add(events.len() as u64, Ordering::Relaxed);
            return;
        }
        let attached = Python::try_attach(|py| {
            let Some(callable) = self.callable(py) else {
                return;
            };
            let callable = callable.bind(py);
            for event in events {
                let called = Bound::new(
                    py,
                    PyAuditEvent {
                        inner: event.clone(),
                    },
                )
                .and_then(|e| callable.call1((e,)));
                if let Err(err) = called {
                    self.failures.fetch_add(1, Ordering::Relaxed);
                    err.write_unraisable(py, Some(callable));
                }
            }
        });
        if attached.is_none() {
            self.failures
                .fetch_add(events.len() as u64, Ordering::Relaxed);
        }
    }
}
