//! Python binding of portcullis: `import portcullis`.
//!
//! Thin by design: every class wraps a core object, converts arguments and results, and maps
//! core errors and denials to the `AuthError` hierarchy. Verifications and password hashing run
//! with the GIL released.

mod apikey;
mod basic;
mod convert;
mod errors;
mod principal;
mod record;
mod request;

use pyo3::prelude::*;

/// The native module behind the `portcullis` package.
#[pymodule]
fn _portcullis(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", portcullis::VERSION)?;
    errors::register(m)?;
    m.add_class::<request::PyRequest>()?;
    m.add_class::<principal::PyPrincipal>()?;
    m.add_class::<record::PyApiKeyRecord>()?;
    m.add_class::<record::PyIssuedApiKey>()?;
    m.add_class::<apikey::PyApiKeyRing>()?;
    m.add_class::<basic::PyBasicAuth>()?;
    m.add_class::<basic::PyBasicCredentials>()?;
    m.add_function(wrap_pyfunction!(basic::parse_basic, m)?)?;
    m.add_function(wrap_pyfunction!(basic::hash_password, m)?)?;
    Ok(())
}
