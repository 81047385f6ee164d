//! `portcullis.Principal`: who the caller is, as a verifier proved it.

use portcullis::Principal;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::convert::{json_to_py, map_to_py, py_repr};

/// Who the caller is. Never holds the secret that proved it.
#[pyclass(module = "portcullis._portcullis", name = "Principal", frozen)]
pub struct PyPrincipal {
    inner: Principal,
    /// `claims` as a Python dict, converted on first access.
    claims: PyOnceLock<Py<PyAny>>,
}

impl From<Principal> for PyPrincipal {
    fn from(inner: Principal) -> Self {
        PyPrincipal {
            inner,
            claims: PyOnceLock::new(),
        }
    }
}

#[pymethods]
impl PyPrincipal {
    /// The authenticated subject.
    #[getter]
    fn subject(&self) -> &str {
        &self.inner.subject
    }

    /// The method that proved it (`"api_key"`, `"basic"`, ...).
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method.name()
    }

    /// A public identifier of the credential (key id, user id, ...).
    #[getter]
    fn credential_id(&self) -> Option<&str> {
        self.inner.credential_id.as_deref()
    }

    /// The scopes the credential grants.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.inner.scopes.clone()
    }

    /// Method-specific facts (environment and metadata of an API key, ...).
    #[getter]
    fn claims(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let claims = self
            .claims
            .get_or_try_init(py, || map_to_py(py, &self.inner.claims).map(Bound::unbind))?;
        Ok(claims.clone_ref(py))
    }

    /// When the credential stops being valid (Unix seconds), if it does.
    #[getter]
    fn expires_at(&self) -> Option<i64> {
        self.inner.expires_at
    }

    /// All fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.inner.to_json())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let p = &self.inner;
        Ok(format!(
            "Principal(subject={}, method={}, credential_id={}, scopes={}, expires_at={})",
            py_repr(py, p.subject.as_str())?,
            py_repr(py, p.method.name())?,
            py_repr(py, p.credential_id.as_deref())?,
            py_repr(py, p.scopes.clone())?,
            py_repr(py, p.expires_at)?,
        ))
    }
}
