//! `portcullis.Verifier`: any method of the registry, built from its JSON or TOML
//! configuration (the same object a gate's `credentials` entry holds).

use std::path::PathBuf;

use portcullis::config::Format;
use portcullis::verifier::Verifier;
use pyo3::prelude::*;

use crate::convert::py_repr;
use crate::errors::denial_to_py;
use crate::load::{config_error_to_py, load_context};
use crate::principal::PyPrincipal;
use crate::request::PyRequest;

/// One configured method (`api_key`, `basic`, `jwt`, `webhook`, `pcs1`, `httpsig`, `mtls`,
/// `oauth2`).
/// Thread-safe; build once and share.
#[pyclass(module = "portcullis._portcullis", name = "Verifier", frozen)]
pub struct PyVerifier {
    inner: Verifier,
}

impl From<Verifier> for PyVerifier {
    fn from(inner: Verifier) -> Self {
        PyVerifier { inner }
    }
}

impl PyVerifier {
    fn load(
        py: Python<'_>,
        text: &str,
        format: Format,
        secrets: Option<&Bound<'_, PyAny>>,
        base_dir: Option<PathBuf>,
    ) -> PyResult<Self> {
        let context = load_context(secrets, base_dir)?;
        py.detach(|| Verifier::load(text, format, &context))
            .map(PyVerifier::from)
            .map_err(|e| config_error_to_py(py, &e))
    }
}

#[pymethods]
impl PyVerifier {
    /// The method configured by the JSON object `text` (GIL released while it loads).
    #[staticmethod]
    #[pyo3(signature = (text, *, secrets = None, base_dir = None))]
    fn from_json(
        py: Python<'_>,
        text: &str,
        secrets: Option<&Bound<'_, PyAny>>,
        base_dir: Option<PathBuf>,
    ) -> PyResult<Self> {
        Self::load(py, text, Format::Json, secrets, base_dir)
    }

    /// The method configured by the TOML table `text` (GIL released while it loads).
    #[staticmethod]
    #[pyo3(signature = (text, *, secrets = None, base_dir = None))]
    fn from_toml(
        py: Python<'_>,
        text: &str,
        secrets: Option<&Bound<'_, PyAny>>,
        base_dir: Option<PathBuf>,
    ) -> PyResult<Self> {
        Self::load(py, text, Format::Toml, secrets, base_dir)
    }

    /// The method's registry name.
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method_name()
    }

    /// The `WWW-Authenticate` value for a request that carries no credential (an `oauth2`
    /// method's `Bearer` and `DPoP` challenges separated by `, `); None for methods without one.
    #[getter]
    fn challenge(&self) -> Option<String> {
        self.inner.challenge_header()
    }

    /// The RFC 9728 protected-resource metadata document (JSON text) of an `oauth2` method
    /// with a `resource`; None otherwise.
    #[getter]
    fn resource_metadata(&self) -> Option<String> {
        self.inner.resource_metadata()
    }

    /// Verifies `request`, requiring every one of `scopes` (GIL released).
    #[pyo3(signature = (request, scopes = Vec::new()), text_signature = "($self, request, scopes=())")]
    fn verify(
        &self,
        py: Python<'_>,
        request: &Bound<'_, PyRequest>,
        scopes: Vec<String>,
    ) -> PyResult<PyPrincipal> {
        let (verifier, request) = (&self.inner, &*request.get().inner);
        py.detach(|| verifier.authenticate(request, &scopes))
            .map(PyPrincipal::from)
            .map_err(|d| denial_to_py(py, &d))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Verifier(method={})",
            py_repr(py, self.inner.method_name())?
        ))
    }
}
