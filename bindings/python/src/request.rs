//! `portcullis.Request`: the request view every verifier reads.

use std::net::IpAddr;
use std::sync::Arc;

use portcullis::ErrorCode;
use pyo3::prelude::*;

use crate::convert::{add_headers, py_repr};
use crate::errors::{error_to_py, usage};

/// One HTTP request as the verifiers see it. Immutable once built.
#[pyclass(module = "portcullis._portcullis", name = "Request", frozen)]
pub struct PyRequest {
    pub(crate) inner: Arc<portcullis::Request>,
}

impl PyRequest {
    /// The core request (shared; verifiers read it with the GIL released).
    pub fn core(&self) -> Arc<portcullis::Request> {
        Arc::clone(&self.inner)
    }
}

#[pymethods]
impl PyRequest {
    #[new]
    #[pyo3(signature = (method, target, headers = None, *, body = None, peer_certificates = None, peer_address = None, now = None, scheme = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        method: &str,
        target: &str,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&[u8]>,
        peer_certificates: Option<Vec<Vec<u8>>>,
        peer_address: Option<&str>,
        now: Option<i64>,
        scheme: Option<&str>,
    ) -> PyResult<Self> {
        let mut request =
            portcullis::Request::new(method, target).map_err(|e| error_to_py(py, &e))?;
        if let Some(headers) = headers {
            add_headers(py, headers, |name, value| request.add_header(name, value))?;
        }
        if let Some(body) = body {
            request
                .set_body(body.to_vec())
                .map_err(|e| error_to_py(py, &e))?;
        }
        for der in peer_certificates.unwrap_or_default() {
            request
                .add_peer_certificate(der)
                .map_err(|e| error_to_py(py, &e))?;
        }
        if let Some(address) = peer_address {
            let ip: IpAddr = address.parse().map_err(|_| {
                usage(
                    py,
                    ErrorCode::InvalidArgument,
                    "peer_address is not an IP address",
                )
            })?;
            request.set_peer_address(ip);
        }
        if let Some(now) = now {
            request.set_now(now);
        }
        if let Some(scheme) = scheme {
            request
                .set_scheme(scheme)
                .map_err(|e| error_to_py(py, &e))?;
        }
        Ok(PyRequest {
            inner: Arc::new(request),
        })
    }

    /// The method, as sent.
    #[getter]
    fn method(&self) -> &str {
        self.inner.method()
    }

    /// The request target (path and query).
    #[getter]
    fn target(&self) -> &str {
        self.inner.target()
    }

    /// The URI scheme the request arrived on (lower-cased), if given.
    #[getter]
    fn scheme(&self) -> Option<&str> {
        self.inner.scheme()
    }

    // Header values may hold credentials: the repr shows header names only.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let names: Vec<&str> = self.inner.headers().map(|(n, _)| n).collect();
        Ok(format!(
            "Request(method={}, path={}, headers={})",
            py_repr(py, self.inner.method())?,
            py_repr(py, self.inner.path())?,
            py_repr(py, names)?,
        ))
    }
}
