//! `portcullis.BasicAuth`, `parse_basic`, `BasicCredentials` and `hash_password`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use portcullis::basic::{self, Argon2Params, BasicAuth, BasicConfig, BasicCredentials};
use portcullis::{Error, ErrorCode};
use pyo3::prelude::*;
use pyo3::types::PyMapping;

use crate::convert::{py_repr, StrOrBytes};
use crate::errors::error_to_py;
use crate::principal::{verify_request, PyPrincipal};
use crate::request::PyRequest;

/// The `(key, value)` pairs of a mapping, each extracted (a wrong type is a `TypeError`).
fn mapping_pairs<'py, V>(obj: &Bound<'py, PyAny>) -> PyResult<Vec<(String, V)>>
where
    V: for<'a> FromPyObjectOwned<'py>,
{
    let mapping = obj.cast::<PyMapping>()?;
    let mut pairs = Vec::new();
    for item in mapping.items()?.try_iter()? {
        pairs.push(item?.extract::<(String, V)>()?);
    }
    Ok(pairs)
}

/// The argon2 parameters from a mapping, read through the core's own serde schema (so an
/// unknown name fails as it does in the JSON configuration).
fn rehash_params(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Argon2Params> {
    let map: serde_json::Map<String, serde_json::Value> = mapping_pairs::<u32>(obj)?
        .into_iter()
        .map(|(k, v)| (k, v.into()))
        .collect();
    serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| {
        error_to_py(
            py,
            &Error::new(
                ErrorCode::JsonInvalid,
                format!("Basic config: rehash_params: {e}"),
            ),
        )
    })
}

/// HTTP Basic (RFC 7617) verifier over a fixed set of users. Immutable once built.
#[pyclass(module = "portcullis._portcullis", name = "BasicAuth", frozen)]
pub struct PyBasicAuth {
    inner: Arc<BasicAuth>,
}

impl PyBasicAuth {
    /// Builds the verifier with the GIL released (it reads files and may hash a dummy password).
    fn build(py: Python<'_>, config: BasicConfig) -> PyResult<Self> {
        py.detach(move || BasicAuth::new(config))
            .map(|auth| PyBasicAuth {
                inner: Arc::new(auth),
            })
            .map_err(|e| error_to_py(py, &e))
    }
}

#[pymethods]
impl PyBasicAuth {
    #[new]
    #[pyo3(
        signature = (*, realm = "api".to_owned(), users = None, htpasswd = None, htpasswd_file = None, allow_legacy = false, rehash_params = None),
        text_signature = "(*, realm='api', users=None, htpasswd=None, htpasswd_file=None, allow_legacy=False, rehash_params=None)"
    )]
    fn new(
        py: Python<'_>,
        realm: String,
        users: Option<&Bound<'_, PyAny>>,
        htpasswd: Option<String>,
        htpasswd_file: Option<PathBuf>,
        allow_legacy: bool,
        rehash_params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let users: BTreeMap<String, String> = match users {
            Some(u) => mapping_pairs::<String>(u)?.into_iter().collect(),
            None => BTreeMap::new(),
        };
        let rehash_params = match rehash_params {
            Some(p) => self::rehash_params(py, p)?,
            None => Argon2Params::default(),
        };
        let config = BasicConfig {
            realm,
            allow_legacy,
            users,
            htpasswd,
            htpasswd_file,
            rehash_params,
        };
        Self::build(py, config)
    }

    /// A verifier from the JSON configuration (the same schema in every language).
    #[staticmethod]
    fn from_json(py: Python<'_>, config_json: &str) -> PyResult<Self> {
        let config = BasicConfig::from_json(config_json).map_err(|e| error_to_py(py, &e))?;
        Self::build(py, config)
    }

    /// Verifies the request's `Authorization: Basic` credentials (GIL released).
    fn verify(&self, py: Python<'_>, request: PyRef<'_, PyRequest>) -> PyResult<PyPrincipal> {
        verify_request(py, &*self.inner, &request, BasicAuth::verify)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!("BasicAuth(users={})", self.inner.len())
    }
}

/// Decoded Basic credentials. The password never appears in the repr.
#[pyclass(module = "portcullis._portcullis", name = "BasicCredentials", frozen)]
pub struct PyBasicCredentials {
    inner: BasicCredentials,
}

#[pymethods]
impl PyBasicCredentials {
    /// The user-id.
    #[getter]
    fn user_id(&self) -> &str {
        &self.inner.user_id
    }

    /// The password.
    #[getter]
    fn password(&self) -> &str {
        self.inner.password.expose()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "BasicCredentials(user_id={}, password=<redacted>)",
            py_repr(py, self.inner.user_id.as_str())?
        ))
    }
}

/// Parses a whole `Authorization` header value (`Basic <token68>`).
#[pyfunction]
pub fn parse_basic(py: Python<'_>, header: &Bound<'_, PyAny>) -> PyResult<PyBasicCredentials> {
    let header = StrOrBytes::extract(header, "header")?;
    basic::parse_authorization(header.as_bytes())
        .map(|inner| PyBasicCredentials { inner })
        .map_err(|e| error_to_py(py, &e))
}

/// Hashes `password` with argon2id and a fresh salt (GIL released); returns the PHC string.
#[pyfunction]
#[pyo3(signature = (password, *, memory_kib = 19456, iterations = 2, parallelism = 1))]
pub fn hash_password(
    py: Python<'_>,
    password: &Bound<'_, PyAny>,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
) -> PyResult<String> {
    let password = StrOrBytes::extract(password, "password")?;
    let password = password.as_bytes();
    let params = Argon2Params {
        memory_kib,
        iterations,
        parallelism,
    };
    py.detach(|| basic::hash_password(password, params))
        .map_err(|e| error_to_py(py, &e))
}
