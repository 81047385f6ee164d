//! `portcullis.GateDecision`: the gate's answer to one request, read lazily from the core's
//! decision (only the properties a caller reads are converted).

use portcullis::gate::GateDecision;
use portcullis::verifier::Identity;
use portcullis::Denial;
use pyo3::exceptions::PyBaseException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

use crate::convert::py_repr;
use crate::errors::denial_to_py;
use crate::principal::PyPrincipal;

/// Allowed with a principal, or denied with a status, challenges, headers and a problem body.
#[pyclass(module = "portcullis._portcullis", name = "GateDecision", frozen)]
pub struct PyGateDecision {
    inner: GateDecision,
    /// `principal`, made on first access and then the same object.
    principal: PyOnceLock<Option<Py<PyPrincipal>>>,
}

impl From<GateDecision> for PyGateDecision {
    fn from(inner: GateDecision) -> Self {
        PyGateDecision {
            inner,
            principal: PyOnceLock::new(),
        }
    }
}

/// The principal of an identity; a verified JWT keeps its claims as read (no claims map).
pub fn principal_of(identity: Identity) -> PyPrincipal {
    match identity.token() {
        // `Identity` cannot hand its token out, only lend it.
        Some(token) => PyPrincipal::from(token.clone()),
        None => PyPrincipal::from(identity.into_principal()),
    }
}

fn principal_of_shared(identity: &Identity) -> PyPrincipal {
    match identity.token() {
        Some(token) => PyPrincipal::from(token.clone()),
        None => PyPrincipal::from(identity.principal().clone()),
    }
}

impl PyGateDecision {
    fn denial(&self) -> Option<&Denial> {
        self.inner.denial()
    }
}

#[pymethods]
impl PyGateDecision {
    /// True when the request may proceed.
    #[getter]
    fn allowed(&self) -> bool {
        self.inner.allowed()
    }

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

    /// Who is calling; None when denied or allowed anonymously.
    #[getter]
    fn principal(&self, py: Python<'_>) -> PyResult<Option<Py<PyPrincipal>>> {
        let principal = self.principal.get_or_try_init(py, || {
            self.inner
                .identity()
                .map(|i| Py::new(py, principal_of_shared(i)))
                .transpose()
        })?;
        Ok(principal.as_ref().map(|p| p.clone_ref(py)))
    }

    /// True when allowed without a principal.
    #[getter]
    fn anonymous(&self) -> bool {
        self.inner.anonymous()
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
