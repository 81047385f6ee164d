//! `portcullis.Response`: an HTTP response, for RFC 9421 response signatures.

use std::sync::Arc;

use pyo3::prelude::*;

use crate::convert::{add_headers, py_repr};
use crate::errors::error_to_py;

/// One HTTP response as the RFC 9421 signer and verifier see it. Immutable once built.
#[pyclass(module = "portcullis._portcullis", name = "Response", frozen)]
pub struct PyResponse {
    inner: Arc<portcullis::httpsig::Response>,
}

impl PyResponse {
    /// The core response (shared; read with the GIL released).
    pub fn core(&self) -> Arc<portcullis::httpsig::Response> {
        Arc::clone(&self.inner)
    }
}

#[pymethods]
impl PyResponse {
    #[new]
    #[pyo3(signature = (status, headers = None, *, body = None, now = None))]
    fn new(
        py: Python<'_>,
        status: u16,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&[u8]>,
        now: Option<i64>,
    ) -> PyResult<Self> {
        let mut response =
            portcullis::httpsig::Response::new(status).map_err(|e| error_to_py(py, &e))?;
        if let Some(headers) = headers {
            add_headers(py, headers, |name, value| response.add_header(name, value))?;
        }
        if let Some(body) = body {
            response
                .set_body(body.to_vec())
                .map_err(|e| error_to_py(py, &e))?;
        }
        if let Some(now) = now {
            response.set_now(now);
        }
        Ok(PyResponse {
            inner: Arc::new(response),
        })
    }

    /// The status code.
    #[getter]
    fn status(&self) -> u16 {
        self.inner.status()
    }

    // Header names only, as for Request.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let names: Vec<&str> = self.inner.headers().map(|(n, _)| n).collect();
        Ok(format!(
            "Response(status={}, headers={})",
            self.inner.status(),
            py_repr(py, names)?,
        ))
    }
}
