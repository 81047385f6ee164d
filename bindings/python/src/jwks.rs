//! `portcullis.JwksClient`: a remote JWKS (by URL or OpenID / RFC 8414 discovery), fetched,
//! cached and refreshed by the core, and a key source for `JwtVerifier`.

use std::sync::Arc;

use portcullis::jwt::remote::{JwksClient, JwksConfig};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{config_from_kwargs, py_repr};
use crate::errors::error_to_py;

/// A remote JWKS: fetched over HTTPS (plain HTTP to loopback only), cached per the server's
/// `Cache-Control` within the configured bounds, refetched once per cooldown for an unknown
/// `kid`, served stale while fetches fail. Building one does no I/O: the first verification
/// (or `refresh()`) fetches. Thread-safe; share one instance between verifiers.
#[pyclass(module = "portcullis._portcullis", name = "JwksClient", frozen)]
pub struct PyJwksClient {
    inner: Arc<JwksClient>,
}

impl PyJwksClient {
    /// The core client (shared with the verifiers built over it).
    pub fn core(&self) -> Arc<JwksClient> {
        Arc::clone(&self.inner)
    }

    fn build(py: Python<'_>, config: JwksConfig) -> PyResult<Self> {
        JwksClient::new(config)
            .map(|c| PyJwksClient { inner: Arc::new(c) })
            .map_err(|e| error_to_py(py, &e))
    }
}

#[pymethods]
impl PyJwksClient {
    /// `url` (or `issuer=` for discovery) and the other `JwksConfig` fields as keyword
    /// arguments (the JSON schema's names).
    #[new]
    #[pyo3(
        signature = (url = None, **config),
        text_signature = "(url=None, *, issuer=None, discovery='openid-configuration', min_ttl_seconds=300, max_ttl_seconds=86400, default_ttl_seconds=600, kid_miss_cooldown_seconds=30, max_stale_seconds=86400, timeout_ms=5000, connect_timeout_ms=2000, max_bytes=524288, ca_pem=None, algorithms=(), require_kid=False)"
    )]
    fn new(
        py: Python<'_>,
        url: Option<&str>,
        config: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let kwargs = PyDict::new(py);
        if let Some(config) = config {
            kwargs.update(config.as_mapping())?;
        }
        if let Some(url) = url {
            kwargs.set_item("url", url)?;
        }
        let config = config_from_kwargs(py, Some(&kwargs), "config", JwksConfig::from_json)?;
        Self::build(py, config)
    }

    /// A client from the JSON configuration (the same schema in every language).
    #[staticmethod]
    fn from_json(py: Python<'_>, config_json: &str) -> PyResult<Self> {
        let config = JwksConfig::from_json(config_json).map_err(|e| error_to_py(py, &e))?;
        Self::build(py, config)
    }

    /// Fetches now (discovery first when needed; waits for a fetch already in flight instead
    /// of starting another). On failure the previous set stays in use and the error is
    /// raised (`jwt_jwks_unavailable`, `jwt_jwks_invalid`, `jwt_discovery_invalid`). GIL
    /// released.
    fn refresh(&self, py: Python<'_>) -> PyResult<()> {
        let client = Arc::clone(&self.inner);
        py.detach(move || client.refresh())
            .map_err(|e| error_to_py(py, &e))
    }

    /// The cached set and the fetch history, as a new dict: `state` (`empty`, `fresh`,
    /// `stale`, `expired`), `issuer`, `jwks_uri`, `keys`, `kids`, `fetched_at`, `expires_at`,
    /// `stale_until`, `last_attempt_at`, `fetch_count`, `failure_count`, `last_error`
    /// (`{code, detail, at}` or None), `fetching`. Times are Unix seconds.
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let status = self.inner.status();
        Ok(pythonize::pythonize(py, &status)?)
    }

    /// What discovery found (`issuer`, `jwks_uri`, ...), once it ran; else None.
    fn discovered<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.inner.discovered() {
            Some(metadata) => Ok(Some(pythonize::pythonize(py, &metadata)?)),
            None => Ok(None),
        }
    }

    // Where and what state: the URL without its query (it may carry a secret), kids only.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let s = self.inner.status();
        Ok(format!(
            "JwksClient(jwks_uri={}, issuer={}, state={}, keys={})",
            py_repr(py, s.jwks_uri.as_deref())?,
            py_repr(py, s.issuer.as_deref())?,
            py_repr(
                py,
                serde_json::to_value(s.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
            )?,
            s.keys,
        ))
    }
}
