//! `portcullis.ApiKeyRing`: API key generation, rotation, revocation and verification.

use std::sync::Arc;

use portcullis::apikey::{ApiKeyConfig, ApiKeyOptions, ApiKeyRing};
use pyo3::prelude::*;

use crate::convert::{py_repr, py_to_map};
use crate::errors::{denial_to_py, error_to_py};
use crate::principal::{verify_request, PyPrincipal};
use crate::record::{PyApiKeyRecord, PyIssuedApiKey};
use crate::request::PyRequest;

/// A thread-safe set of API key records and the rules to check keys against them.
#[pyclass(module = "portcullis._portcullis", name = "ApiKeyRing", frozen)]
pub struct PyApiKeyRing {
    inner: Arc<ApiKeyRing>,
}

impl PyApiKeyRing {
    /// A handle on a ring owned elsewhere (a gate's credential): both see the same records.
    pub(crate) fn shared(inner: Arc<ApiKeyRing>) -> Self {
        PyApiKeyRing { inner }
    }

    fn build(py: Python<'_>, pepper: &[u8], config: ApiKeyConfig) -> PyResult<Self> {
        ApiKeyRing::new(pepper, config)
            .map(|ring| PyApiKeyRing {
                inner: Arc::new(ring),
            })
            .map_err(|e| error_to_py(py, &e))
    }
}

#[pymethods]
impl PyApiKeyRing {
    #[new]
    #[pyo3(
        signature = (pepper, *, prefix = "pc".to_owned(), environment = None, bearer = true, header = Some("x-api-key".to_owned()), query = None, realm = "api".to_owned()),
        text_signature = "(pepper, *, prefix='pc', environment=None, bearer=True, header='x-api-key', query=None, realm='api')"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        pepper: &[u8],
        prefix: String,
        environment: Option<String>,
        bearer: bool,
        header: Option<String>,
        query: Option<String>,
        realm: String,
    ) -> PyResult<Self> {
        let config = ApiKeyConfig {
            prefix,
            environment,
            bearer,
            header,
            query,
            realm,
        };
        Self::build(py, pepper, config)
    }

    /// A ring from the JSON configuration (the same schema in every language).
    #[staticmethod]
    fn from_json(py: Python<'_>, config_json: &str, pepper: &[u8]) -> PyResult<Self> {
        let config = ApiKeyConfig::from_json(config_json).map_err(|e| error_to_py(py, &e))?;
        Self::build(py, pepper, config)
    }

    /// Mints a key; the record is not inserted (call `insert`).
    #[pyo3(
        signature = (*, environment = None, subject = None, scopes = Vec::new(), expires_at = None, metadata = None, now = None),
        text_signature = "($self, *, environment=None, subject=None, scopes=(), expires_at=None, metadata=None, now=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn generate(
        &self,
        py: Python<'_>,
        environment: Option<String>,
        subject: Option<String>,
        scopes: Vec<String>,
        expires_at: Option<i64>,
        metadata: Option<&Bound<'_, PyAny>>,
        now: Option<i64>,
    ) -> PyResult<PyIssuedApiKey> {
        let metadata = match metadata {
            Some(m) => py_to_map(m, "metadata")?,
            None => Default::default(),
        };
        let options = ApiKeyOptions {
            environment,
            subject,
            scopes,
            expires_at,
            metadata,
            now,
        };
        self.inner
            .generate(&options)
            .map(PyIssuedApiKey::from)
            .map_err(|e| error_to_py(py, &e))
    }

    /// Replaces `record`'s key: returns the new key and `record` updated (successor set,
    /// expiring `overlap` seconds from `now`).
    #[pyo3(signature = (record, *, overlap, now = None))]
    fn rotate(
        &self,
        py: Python<'_>,
        record: PyRef<'_, PyApiKeyRecord>,
        overlap: i64,
        now: Option<i64>,
    ) -> PyResult<(PyIssuedApiKey, PyApiKeyRecord)> {
        self.inner
            .rotate(&record.inner, overlap, now)
            .map(|(issued, updated)| (issued.into(), PyApiKeyRecord { inner: updated }))
            .map_err(|e| error_to_py(py, &e))
    }

    /// Adds a record, replacing any record with the same key id.
    fn insert(&self, py: Python<'_>, record: PyRef<'_, PyApiKeyRecord>) -> PyResult<()> {
        self.inner
            .insert(record.inner.clone())
            .map_err(|e| error_to_py(py, &e))
    }

    /// Removes a record; True if it was there.
    fn remove(&self, key_id: &str) -> bool {
        self.inner.remove(key_id)
    }

    /// Marks a record revoked from `at` (Unix seconds; now when None); returns it updated.
    #[pyo3(signature = (key_id, at = None))]
    fn revoke(&self, py: Python<'_>, key_id: &str, at: Option<i64>) -> PyResult<PyApiKeyRecord> {
        self.inner
            .revoke(key_id, at)
            .map(|inner| PyApiKeyRecord { inner })
            .map_err(|e| error_to_py(py, &e))
    }

    /// The record with this key id, if present.
    fn get(&self, key_id: &str) -> Option<PyApiKeyRecord> {
        self.inner.get(key_id).map(|inner| PyApiKeyRecord { inner })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Verifies the key in `request` against the ring's records and the required `scopes`.
    #[pyo3(signature = (request, scopes = Vec::new()), text_signature = "($self, request, scopes=())")]
    fn verify(
        &self,
        py: Python<'_>,
        request: PyRef<'_, PyRequest>,
        scopes: Vec<String>,
    ) -> PyResult<PyPrincipal> {
        verify_request(py, &*self.inner, &request, |ring, request| {
            ring.verify(request, &scopes)
        })
    }

    /// Verifies the key in `request` against `record`, fetched by the caller (see
    /// `lookup_digest`).
    #[pyo3(
        signature = (request, record, scopes = Vec::new()),
        text_signature = "($self, request, record, scopes=())"
    )]
    fn verify_record(
        &self,
        py: Python<'_>,
        request: PyRef<'_, PyRequest>,
        record: PyRef<'_, PyApiKeyRecord>,
        scopes: Vec<String>,
    ) -> PyResult<PyPrincipal> {
        let record = &record.inner;
        verify_request(py, &*self.inner, &request, |ring, request| {
            ring.verify_record(request, record, &scopes)
        })
    }

    /// Checks a key's shape, prefix, checksum and environment offline; returns its environment.
    fn check_format(&self, py: Python<'_>, key: &str) -> PyResult<Option<String>> {
        self.inner
            .check_format(key)
            .map(|parsed| parsed.environment.map(str::to_owned))
            .map_err(|e| error_to_py(py, &e))
    }

    /// The hex digest of the key in `request` (offline checks first): the database lookup value.
    fn lookup_digest(&self, py: Python<'_>, request: PyRef<'_, PyRequest>) -> PyResult<String> {
        let (ring, request) = (Arc::clone(&self.inner), request.core());
        py.detach(move || ring.lookup_digest(&request))
            .map_err(|d| denial_to_py(py, &d))
    }

    /// The regular expression secret scanners use to find this ring's keys.
    fn scanner_regex(&self) -> String {
        self.inner.scanner_regex()
    }

    // Configuration and record count only: never the pepper.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = self.inner.config();
        Ok(format!(
            "ApiKeyRing(prefix={}, environment={}, realm={}, records={})",
            py_repr(py, c.prefix.as_str())?,
            py_repr(py, c.environment.as_deref())?,
            py_repr(py, c.realm.as_str())?,
            self.inner.len()
        ))
    }
}
