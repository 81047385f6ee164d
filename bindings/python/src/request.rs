//! `portcullis.Request`: the request view every verifier reads.

use std::net::IpAddr;
use std::sync::Arc;

use portcullis::ErrorCode;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMapping, PyString, PyTuple};

use crate::convert::{py_repr, type_name, StrOrBytes};
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

/// Appends every `(name, value)` of `headers` (a mapping, or an iterable of pairs).
fn add_headers(
    py: Python<'_>,
    request: &mut portcullis::Request,
    headers: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let pairs = if let Ok(mapping) = headers.cast::<PyMapping>() {
        mapping.items()?.into_any()
    } else if headers.is_instance_of::<PyString>() || headers.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "headers must be a list of (name, value) pairs or a mapping",
        ));
    } else {
        headers.clone()
    };
    for item in pairs.try_iter()? {
        let item = item?;
        let pair = item.cast::<PyTuple>().map_err(|_| {
            PyTypeError::new_err(format!(
                "each header must be a (name, value) tuple, not {}",
                type_name(&item)
            ))
        })?;
        if pair.len() != 2 {
            return Err(PyTypeError::new_err(
                "each header must be a (name, value) tuple",
            ));
        }
        let name_obj = pair.get_item(0)?;
        let name = name_obj.cast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!(
                "header name must be str, not {}",
                type_name(&name_obj)
            ))
        })?;
        let value = StrOrBytes::extract(&pair.get_item(1)?, "header value")?;
        request
            .add_header(&name.to_cow()?, value.as_bytes())
            .map_err(|e| error_to_py(py, &e))?;
    }
    Ok(())
}

#[pymethods]
impl PyRequest {
    #[new]
    #[pyo3(signature = (method, target, headers = None, *, body = None, peer_certificates = None, peer_address = None, now = None))]
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
    ) -> PyResult<Self> {
        let mut request =
            portcullis::Request::new(method, target).map_err(|e| error_to_py(py, &e))?;
        if let Some(headers) = headers {
            add_headers(py, &mut request, headers)?;
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
