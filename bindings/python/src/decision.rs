//! `portcullis.GateDecision`: the gate's answer to one request, read lazily from the core's
//! decision (only the properties a caller reads are converted).

use portcullis::gate::GateDecision;
use portcullis::Denial;
use pyo3::exceptions::PyBaseException;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict};

use crate::convert::py_repr;
use crate::errors::denial_to_py;
use crate::principal::PyPrincipal;

/// Allowed with a principal, or denied with a status, challenges, headers and a problem body.
#[pyclass(module = "portcullis._portcullis", name = "GateDecision", frozen)]
pub struct PyGateDecision {
    /// True when the request may proceed. A read-only struct member (no getter call): a
    /// handler reads it on every request.
    #[pyo3(get)]
    allowed: Py<PyBool>,
    /// Who is calling (a `Principal`); None when denied or allowed anonymously. Made with the
    /// decision from the identity moved out of the core's decision; a struct member as above.
    #[pyo3(get)]
    principal: Py<PyAny>,
    /// The core's decision, its identity taken out (so its `anonymous()` no longer holds).
    /// Boxed: unboxed, it made the Python object too large for CPython's small-object
    /// allocator (glibc's malloc and free instead) and was copied twice on the way in.
    inner: Box<GateDecision>,
}

impl PyGateDecision {
    /// The decision, its principal built by moving the identity (a JWT's verified token is not
    /// copied).
    pub fn new(py: Python<'_>, mut inner: Box<GateDecision>) -> PyResult<Self> {
        let principal = match inner.take_identity() {
            Some(identity) => Py::new(py, PyPrincipal::from(identity))?.into_any(),
            None => py.None(),
        };
        Ok(PyGateDecision {
            allowed: PyBool::new(py, inner.allowed()).to_owned().unbind(),
            principal,
            inner,
        })
    }
}

impl PyGateDecision {
    fn denial(&self) -> Option<&Denial> {
        self.inner.denial()
    }
}

#[pymethods]
impl PyGateDecision {
    /// The HTTP status to answer a denied request with; 200 when allowed.
    #[getter]
    fn status(&self) -> u16 {
        self.inner.status()
    }

    /// The matched route's name; None when no route matched.
    #[getter]
    fn route(&self) -> Option<&str> {
        self.inner.route()
    }

    /// The route's path parameters (`{id}`), still percent-encoded, as a new dict.
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, value) in self.inner.params() {
            d.set_item(name, value)?;
        }
        Ok(d)
    }

    /// The credential (its configuration name) whose principal the decision reports.
    #[getter]
    fn credential(&self) -> Option<&str> {
        self.inner.credential()
    }

    /// Every credential that was satisfied (more than one under `all_of`).
    #[getter]
    fn satisfied(&self) -> Vec<&str> {
        self.inner.satisfied().collect()
    }

    /// True when allowed without a principal.
    #[getter]
    fn anonymous(&self, py: Python<'_>) -> bool {
        self.inner.allowed() && self.principal.is_none(py)
    }

    /// The refusal's code name; None when allowed.
    #[getter]
    fn code(&self) -> Option<&'static str> {
        self.inner.code().map(|c| c.name())
    }

    /// The refusal's public message.
    #[getter]
    fn message(&self) -> Option<&str> {
        self.denial().map(Denial::message)
    }

    /// The refusal's private detail, for logs (never a secret).
    #[getter]
    fn detail(&self) -> Option<&str> {
        self.denial().map(Denial::detail)
    }

    /// The `WWW-Authenticate` values to send, one header field each.
    #[getter]
    fn challenges(&self) -> Vec<String> {
        self.inner
            .challenges()
            .iter()
            .map(|c| c.header_value())
            .collect()
    }

    /// Every header the response should carry, in order (a name may repeat).
    #[getter]
    fn headers(&self) -> Vec<(&'static str, &str)> {
        self.inner
            .headers()
            .iter()
            .map(|(n, v)| (*n, &**v))
            .collect()
    }

    /// Seconds the client should wait (throttled or locked out).
    #[getter]
    fn retry_after(&self) -> Option<u64> {
        self.inner.retry_after()
    }

    /// The `application/problem+json` body of a denial (RFC 9457).
    #[getter]
    fn problem(&self) -> Option<String> {
        self.inner.problem_json()
    }

    /// The exception the denial maps to (the class and attributes a verifier raises), not
    /// raised; None when allowed.
    fn error(&self, py: Python<'_>) -> Option<Py<PyBaseException>> {
        self.denial().map(|d| denial_to_py(py, d).into_value(py))
    }

    /// Raises the denial's exception; returns when allowed.
    fn raise_for_denial(&self, py: Python<'_>) -> PyResult<()> {
        match self.denial() {
            Some(d) => Err(denial_to_py(py, d)),
            None => Ok(()),
        }
    }

    fn __bool__(&self) -> bool {
        self.inner.allowed()
    }

    // Outcome and names only: the detail may name a user, the principal holds claims.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "GateDecision(allowed={}, status={}, route={}, code={})",
            if self.inner.allowed() {
                "True"
            } else {
                "False"
            },
            self.inner.status(),
            py_repr(py, self.inner.route())?,
            py_repr(py, self.code())?,
        ))
    }
}
