//! `portcullis.ApiKeyRecord` and `portcullis.IssuedApiKey`.

use portcullis::apikey::{ApiKeyRecord, IssuedApiKey};
use portcullis::SecretString;
use pyo3::prelude::*;

use crate::convert::{map_to_py, py_repr};
use crate::errors::error_to_py;

/// What a service stores for one API key (never the key itself). Immutable; the ring's
/// `rotate` and `revoke` return updated copies.
#[pyclass(module = "portcullis._portcullis", name = "ApiKeyRecord", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyApiKeyRecord {
    pub(crate) inner: ApiKeyRecord,
}

#[pymethods]
impl PyApiKeyRecord {
    /// Parses a record from its JSON form (the form `to_json` writes).
    #[staticmethod]
    fn from_json(py: Python<'_>, json: &str) -> PyResult<Self> {
        ApiKeyRecord::from_json(json)
            .map(|inner| PyApiKeyRecord { inner })
            .map_err(|e| error_to_py(py, &e))
    }

    /// The record as JSON (what to store).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Public identifier of the key (`ak_...`).
    #[getter]
    fn key_id(&self) -> &str {
        &self.inner.key_id
    }

    /// HMAC-SHA256(pepper, key) as lower-case hex: the lookup index.
    #[getter]
    fn digest(&self) -> String {
        self.inner.digest_hex()
    }

    /// The prefix the key carries.
    #[getter]
    fn prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// The environment the key carries, if any.
    #[getter]
    fn environment(&self) -> Option<&str> {
        self.inner.environment.as_deref()
    }

    /// Who owns the key.
    #[getter]
    fn subject(&self) -> Option<&str> {
        self.inner.subject.as_deref()
    }

    /// Scopes the key grants.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.inner.scopes.clone()
    }

    /// Creation time, Unix seconds.
    #[getter]
    fn created_at(&self) -> i64 {
        self.inner.created_at
    }

    /// Expiry, Unix seconds.
    #[getter]
    fn expires_at(&self) -> Option<i64> {
        self.inner.expires_at
    }

    /// Revocation time, Unix seconds.
    #[getter]
    fn revoked_at(&self) -> Option<i64> {
        self.inner.revoked_at
    }

    /// Key id of the key that replaced this one.
    #[getter]
    fn successor(&self) -> Option<&str> {
        self.inner.successor.as_deref()
    }

    /// Free-form data, as a new dict.
    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        map_to_py(py, &self.inner.metadata)
    }

    // The digest is the lookup index: kept out of the repr like the core's Debug does.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = &self.inner;
        Ok(format!(
            "ApiKeyRecord(key_id={}, prefix={}, environment={}, subject={}, scopes={}, \
             created_at={}, expires_at={}, revoked_at={}, successor={})",
            py_repr(py, r.key_id.as_str())?,
            py_repr(py, r.prefix.as_str())?,
            py_repr(py, r.environment.as_deref())?,
            py_repr(py, r.subject.as_deref())?,
            py_repr(py, r.scopes.clone())?,
            r.created_at,
            py_repr(py, r.expires_at)?,
            py_repr(py, r.revoked_at)?,
            py_repr(py, r.successor.as_deref())?,
        ))
    }
}

/// A key as issued: the key (show it to its owner once) and the record to store.
#[pyclass(module = "portcullis._portcullis", name = "IssuedApiKey", frozen)]
pub struct PyIssuedApiKey {
    key: SecretString,
    record: PyApiKeyRecord,
}

impl From<IssuedApiKey> for PyIssuedApiKey {
    fn from(issued: IssuedApiKey) -> Self {
        PyIssuedApiKey {
            key: issued.key,
            record: PyApiKeyRecord {
                inner: issued.record,
            },
        }
    }
}

#[pymethods]
impl PyIssuedApiKey {
    /// The API key itself.
    #[getter]
    fn key(&self) -> &str {
        self.key.expose()
    }

    /// The record to store.
    #[getter]
    fn record(&self) -> PyApiKeyRecord {
        self.record.clone()
    }

    // Never the key.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "IssuedApiKey(key=<redacted>, key_id={})",
            py_repr(py, self.record.inner.key_id.as_str())?
        ))
    }
}
