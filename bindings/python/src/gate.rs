//! `portcullis.Gate`: one configuration (TOML or JSON) that decides every request.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use portcullis::config::{ConfigError, Format};
use portcullis::gate::audit::AuditSink;
use portcullis::gate::{gate_schema, Gate, GateOptions};
use portcullis::ErrorCode;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::{intern, PyTraverseError, PyVisit};

use crate::apikey::PyApiKeyRing;
use crate::audit::{Callables, CallbackSink};
use crate::convert::{py_repr, type_name};
use crate::decision::PyGateDecision;
use crate::errors::usage;
use crate::load::{config_error_to_py, load_context};
use crate::request::PyRequest;
use crate::verifier::PyVerifier;

/// Checks requests against a configuration: routes, credentials, rate limits, lockout and
/// audit. Thread-safe; share one.
#[pyclass(module = "portcullis._portcullis", name = "Gate", frozen)]
pub struct PyGate {
    // Always Some until `Drop` takes it out to drop it with the GIL released.
    gate: Option<Gate>,
    sink: Option<Arc<CallbackSink>>,
    // `Gate::may_block` of the running configuration, read at load and after each reload:
    // `check` releases the GIL only when a credential may take long (a password hash, a JWKS
    // fetch), since handing the GIL over costs more than a check of microseconds.
    may_block: AtomicBool,
    // Reloads one at a time, so that `may_block` ends up describing the last one.
    reloading: Mutex<()>,
}

impl Drop for PyGate {
    /// The core's audit thread may be waiting for the GIL to deliver a last batch, and
    /// dropping the gate waits for that thread: the GIL is released meanwhile.
    fn drop(&mut self) {
        if let Some(gate) = self.gate.take() {
            if self.sink.is_some() {
                Python::attach(|py| py.detach(move || drop(gate)));
            }
        }
    }
}

/// What every loader receives besides its document.
struct Load<'a, 'py> {
    secrets: Option<&'a Bound<'py, PyAny>>,
    audit: Option<&'a Bound<'py, PyAny>>,
    audit_batch: Option<&'a Bound<'py, PyAny>>,
    base_dir: Option<PathBuf>,
}

/// `callable`, refused with a `TypeError` naming `what` when it cannot be called.
fn callable(what: &str, callable: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Py<PyAny>>> {
    match callable {
        Some(c) if !c.is_callable() => Err(PyTypeError::new_err(format!(
            "{what} must be callable, not {}",
            type_name(c)
        ))),
        Some(c) => Ok(Some(c.clone().unbind())),
        None => Ok(None),
    }
}

impl PyGate {
    fn gate(&self) -> &Gate {
        match &self.gate {
            Some(gate) => gate,
            // `gate` is taken only by `Drop`, after which no method can run.
            None => unreachable!("a gate is used after it was dropped"),
        }
    }

    fn load(
        py: Python<'_>,
        load: Load<'_, '_>,
        build: impl FnOnce(GateOptions) -> Result<Gate, ConfigError> + Send,
    ) -> PyResult<Self> {
        let context = load_context(load.secrets, load.base_dir)?;
        let callables = Callables {
            each: callable("audit", load.audit)?,
            batch: callable("audit_batch", load.audit_batch)?,
        };
        let sink = (callables.each.is_some() || callables.batch.is_some())
            .then(|| Arc::new(CallbackSink::new(callables)));
        let options = GateOptions {
            load: context,
            audit_sinks: sink
                .iter()
                .map(|s| Arc::clone(s) as Arc<dyn AuditSink>)
                .collect(),
        };
        let gate = py
            .detach(|| build(options))
            .map_err(|e| config_error_to_py(py, &e))?;
        Ok(PyGate {
            may_block: AtomicBool::new(gate.may_block()),
            gate: Some(gate),
            sink,
            reloading: Mutex::new(()),
        })
    }

    fn reload(
        &self,
        py: Python<'_>,
        reload: impl FnOnce(&Gate) -> Result<(), ConfigError> + Send,
    ) -> PyResult<()> {
        let gate = self.gate();
        py.detach(|| {
            let _one_at_a_time = self
                .reloading
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            // Checks release the GIL while the configuration may change under them, then
            // follow the one that runs (the old one when the reload failed). A check that read
            // the flag just before may still run once on the new one with the GIL held.
            self.may_block.store(true, Ordering::Relaxed);
            let reloaded = reload(gate);
            self.may_block.store(gate.may_block(), Ordering::Relaxed);
            reloaded
        })
        .map_err(|e| config_error_to_py(py, &e))
    }
}

#[pymethods]
impl PyGate {
    /// The gate configured by the file at `path` (`.toml` or `.json`); relative paths in it
    /// start from its folder.
    #[staticmethod]
    #[pyo3(signature = (path, *, secrets = None, audit = None, audit_batch = None))]
    fn from_file(
        py: Python<'_>,
        path: PathBuf,
        secrets: Option<&Bound<'_, PyAny>>,
        audit: Option<&Bound<'_, PyAny>>,
        audit_batch: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let load = Load {
            secrets,
            audit,
            audit_batch,
            base_dir: None,
        };
        Self::load(py, load, |options| Gate::from_file(&path, options))
    }

    /// The gate configured by TOML `text`.
    #[staticmethod]
    #[pyo3(signature = (text, *, secrets = None, audit = None, audit_batch = None, base_dir = None))]
    fn from_toml(
        py: Python<'_>,
        text: &str,
        secrets: Option<&Bound<'_, PyAny>>,
        audit: Option<&Bound<'_, PyAny>>,
        audit_batch: Option<&Bound<'_, PyAny>>,
        base_dir: Option<PathBuf>,
    ) -> PyResult<Self> {
        let load = Load {
            secrets,
            audit,
            audit_batch,
            base_dir,
        };
        Self::load(py, load, |options| {
            Gate::from_text(text, Format::Toml, options)
        })
    }

    /// The gate configured by JSON `text`.
    #[staticmethod]
    #[pyo3(signature = (text, *, secrets = None, audit = None, audit_batch = None, base_dir = None))]
    fn from_json(
        py: Python<'_>,
        text: &str,
        secrets: Option<&Bound<'_, PyAny>>,
        audit: Option<&Bound<'_, PyAny>>,
        audit_batch: Option<&Bound<'_, PyAny>>,
        base_dir: Option<PathBuf>,
    ) -> PyResult<Self> {
        let load = Load {
            secrets,
            audit,
            audit_batch,
            base_dir,
        };
        Self::load(py, load, |options| {
            Gate::from_text(text, Format::Json, options)
        })
    }

    /// Decides `request`, with the GIL released when `may_block`. Never raises for a refusal:
    /// a refusal is a decision. `scopes` are required on top of the matched route's (what a
    /// framework route asks for): lacking one is 403 `scope_insufficient`, and an anonymous
    /// pass becomes 401 `credentials_missing`.
    #[pyo3(signature = (request, scopes = Vec::new()), text_signature = "($self, request, scopes=())")]
    fn check(
        &self,
        py: Python<'_>,
        request: &Bound<'_, PyRequest>,
        scopes: Vec<String>,
    ) -> PyResult<PyGateDecision> {
        let (gate, request) = (self.gate(), &*request.get().inner);
        let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
        let check = || Box::new(gate.check_with_scopes(request, &scopes));
        let decision = if self.may_block.load(Ordering::Relaxed) {
            py.detach(check)
        } else {
            match &self.sink {
                Some(sink) if sink.due() => py.detach(|| {
                    let decision = check();
                    sink.hand_over();
                    decision
                }),
                _ => check(),
            }
        };
        PyGateDecision::new(py, decision)
    }

    /// True when a check may take long (a credential hashes passwords or fetches keys over the
    /// network): `check` then releases the GIL, and an async host should run it in a thread.
    /// Follows reloads.
    #[getter]
    fn may_block(&self) -> bool {
        self.may_block.load(Ordering::Relaxed)
    }

    /// Replaces the configuration with the file at `path`, atomically; on error the running
    /// configuration stays and the error is raised.
    fn reload_file(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        self.reload(py, |gate| gate.reload_file(&path))
    }

    /// Replaces the configuration with TOML `text`, atomically.
    fn reload_toml(&self, py: Python<'_>, text: &str) -> PyResult<()> {
        self.reload(py, |gate| gate.reload_text(text, Format::Toml))
    }

    /// Replaces the configuration with JSON `text`, atomically.
    fn reload_json(&self, py: Python<'_>, text: &str) -> PyResult<()> {
        self.reload(py, |gate| gate.reload_text(text, Format::Json))
    }

    /// The key ring of the `api_key` credential `name`, shared with the gate: a key inserted
    /// into it is accepted by the gate at once.
    fn api_key_ring(&self, name: &str) -> Option<PyApiKeyRing> {
        self.gate().api_key_ring(name).map(PyApiKeyRing::shared)
    }

    /// The credential `name` as a generic verifier.
    fn verifier(&self, name: &str) -> Option<PyVerifier> {
        self.gate().verifier(name).map(PyVerifier::from)
    }

    /// The credential names, sorted.
    #[getter]
    fn credential_names(&self) -> Vec<String> {
        self.gate().credential_names()
    }

    /// The route names, in matching order.
    #[getter]
    fn route_names(&self) -> Vec<String> {
        self.gate().route_names()
    }

    /// The audit pipeline's counts: `submitted`, `delivered`, `dropped` (the queue was full)
    /// and `sink_failures` (calls of an audit callable that raised: one per event for `audit`,
    /// one per batch for `audit_batch`; or a sink failed).
    fn audit_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let stats = self.gate().audit_stats();
        let callback_failures = self.sink.as_ref().map_or(0, |s| s.failures());
        let d = PyDict::new(py);
        d.set_item(intern!(py, "submitted"), stats.submitted)?;
        d.set_item(intern!(py, "delivered"), stats.delivered)?;
        d.set_item(intern!(py, "dropped"), stats.dropped)?;
        d.set_item(
            intern!(py, "sink_failures"),
            stats.sink_failures.saturating_add(callback_failures),
        )?;
        Ok(d)
    }

    /// Waits at most `timeout` seconds until every audit event so far was delivered (the
    /// callable has returned for each) or dropped; True when that happened (GIL released).
    #[pyo3(signature = (timeout = 5.0))]
    fn flush_audit(&self, py: Python<'_>, timeout: f64) -> PyResult<bool> {
        let timeout = Duration::try_from_secs_f64(timeout).map_err(|_| {
            usage(
                py,
                ErrorCode::InvalidArgument,
                "timeout must be a finite, non-negative number of seconds",
            )
        })?;
        let gate = self.gate();
        Ok(py.detach(|| gate.flush_audit(timeout)))
    }

    /// The JSON Schema of the configuration, as JSON text.
    #[staticmethod]
    fn schema() -> String {
        let mut text = serde_json::to_string_pretty(&gate_schema()).unwrap_or_default();
        text.push('\n');
        text
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        match &self.sink {
            Some(sink) => sink.traverse(&visit),
            None => Ok(()),
        }
    }

    fn __clear__(&self) {
        if let Some(sink) = &self.sink {
            drop(sink.clear());
        }
    }

    // Names only.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Gate(routes={}, credentials={})",
            py_repr(py, self.gate().route_names())?,
            py_repr(py, self.gate().credential_names())?,
        ))
    }
}
