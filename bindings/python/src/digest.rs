//! RFC 9530 `Content-Digest`: `content_digest` and `verify_content_digest`.

use portcullis::digest::{self, Algorithm};
use pyo3::prelude::*;

use crate::convert::StrOrBytes;
use crate::errors::error_to_py;

/// The digest algorithm named `name` (`sha-256`, `sha-512`), read by the core.
pub fn algorithm(py: Python<'_>, name: &str) -> PyResult<Algorithm> {
    Algorithm::parse(name).map_err(|e| error_to_py(py, &e))
}

/// The `Content-Digest` value of `body` (`sha-256=:<base64>:`).
#[pyfunction]
#[pyo3(signature = (body, algorithm = "sha-256"))]
pub fn content_digest(py: Python<'_>, body: &[u8], algorithm: &str) -> PyResult<String> {
    let algorithm = self::algorithm(py, algorithm)?;
    Ok(py.detach(|| digest::content_digest(body, algorithm)))
}

/// Checks a `Content-Digest` header value against `body` (None: the body was not supplied);
/// returns the name of the strongest algorithm checked.
#[pyfunction]
pub fn verify_content_digest(
    py: Python<'_>,
    header: &Bound<'_, PyAny>,
    body: Option<&[u8]>,
) -> PyResult<&'static str> {
    let header = StrOrBytes::extract(header, "header")?;
    let header = header.as_bytes();
    py.detach(|| digest::verify_content_digest(header, body))
        .map(Algorithm::name)
        .map_err(|e| error_to_py(py, &e))
}
