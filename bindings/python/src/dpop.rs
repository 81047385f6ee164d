//! `portcullis.DpopVerifier` and `portcullis.DpopProof`: DPoP proofs (RFC 9449) checked at the
//! resource server by the core.

use std::sync::Arc;

use portcullis::oauth2::{DpopConfig, DpopVerifier, ProofContext, VerifiedProof};
use portcullis::request::unix_now;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{config_from_kwargs, py_repr};
use crate::errors::error_to_py;
use crate::request::PyRequest;

/// Checks DPoP proofs (RFC 9449 section 4.3) and remembers their ids against replays (in
/// memory). Immutable and thread-safe; build once and share.
#[pyclass(module = "portcullis._portcullis", name = "DpopVerifier", frozen)]
pub struct PyDpopVerifier {
    inner: Arc<DpopVerifier>,
}

impl PyDpopVerifier {
    fn build(py: Python<'_>, config: DpopConfig) -> PyResult<Self> {
        let store = Arc::new(portcullis::store::MemoryStore::default());
        let inner = DpopVerifier::new(config, store).map_err(|e| error_to_py(py, &e))?;
        Ok(PyDpopVerifier {
            inner: Arc::new(inner),
        })
    }

    fn checked(
        py: Python<'_>,
        result: Result<VerifiedProof, portcullis::Error>,
    ) -> PyResult<PyDpopProof> {
        result
            .map(|inner| PyDpopProof { inner })
            .map_err(|e| error_to_py(py, &e))
    }
}

#[pymethods]
impl PyDpopVerifier {
    /// `config`: the `DpopConfig` fields as keyword arguments (`algorithms`,
    /// `max_age_seconds`, `leeway_seconds`, `max_proof_bytes`, `nonce`).
    #[new]
    #[pyo3(signature = (**config))]
    fn new(py: Python<'_>, config: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::build(
            py,
            config_from_kwargs(py, config, "config", DpopConfig::from_json)?,
        )
    }

    /// A verifier from the JSON configuration (the same schema in every language).
    #[staticmethod]
    fn from_json(py: Python<'_>, config_json: &str) -> PyResult<Self> {
        Self::build(
            py,
            DpopConfig::from_json(config_json).map_err(|e| error_to_py(py, &e))?,
        )
    }

    /// Checks `proof` (the `DPoP` header's value) against the request it came with: `method`
    /// as sent, `uri` the absolute URI (query and fragment ignored), `access_token` the token
    /// presented with it (its `ath` is then checked), at `now` (Unix seconds; the system clock
    /// when None). Records the proof's `jti` when every check passed. Raises `OAuthError`.
    #[pyo3(signature = (proof, method, uri, access_token = None, now = None))]
    fn verify(
        &self,
        py: Python<'_>,
        proof: &str,
        method: &str,
        uri: &str,
        access_token: Option<&str>,
        now: Option<i64>,
    ) -> PyResult<PyDpopProof> {
        let context = ProofContext {
            method,
            uri,
            access_token,
            now: now.unwrap_or_else(unix_now),
        };
        let verifier = &*self.inner;
        Self::checked(py, py.detach(|| verifier.verify(proof, &context)))
    }

    /// Checks the proof of `request`: its one `DPoP` header, against the request's method,
    /// URI and time. The URI is `origin` (e.g. `"https://api.example.com"`, behind a proxy)
    /// followed by the request's path; else the request's scheme (default https) and `Host`.
    #[pyo3(signature = (request, access_token = None, origin = None))]
    fn verify_request(
        &self,
        py: Python<'_>,
        request: PyRef<'_, PyRequest>,
        access_token: Option<&str>,
        origin: Option<&str>,
    ) -> PyResult<PyDpopProof> {
        let (verifier, request) = (&*self.inner, &*request.inner);
        Self::checked(
            py,
            py.detach(|| verifier.verify_request(request, access_token, origin)),
        )
    }

    /// The nonce to send in a `DPoP-Nonce` header at `now` (the system clock when None);
    /// None when the verifier asks for no nonce.
    #[pyo3(signature = (now = None))]
    fn nonce(&self, now: Option<i64>) -> Option<String> {
        self.inner.nonce(now.unwrap_or_else(unix_now))
    }

    /// The `algs` value of the `WWW-Authenticate: DPoP` challenge.
    #[getter]
    fn algorithms_param(&self) -> String {
        self.inner.algorithms_param()
    }

    // Settings only: never the nonce secret.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = self.inner.config();
        Ok(format!(
            "DpopVerifier(algorithms={}, max_age_seconds={}, leeway_seconds={}, nonce={})",
            py_repr(py, self.inner.algorithms_param())?,
            c.max_age_seconds,
            c.leeway_seconds,
            if c.nonce.is_some() { "True" } else { "False" },
        ))
    }
}

/// A DPoP proof that passed every check.
#[pyclass(module = "portcullis._portcullis", name = "DpopProof", frozen)]
pub struct PyDpopProof {
    inner: VerifiedProof,
}

#[pymethods]
impl PyDpopProof {
    /// The RFC 7638 SHA-256 thumbprint of the proof's key, base64url: what a bound token's
    /// `cnf.jkt` must equal.
    #[getter]
    fn thumbprint(&self) -> &str {
        &self.inner.thumbprint
    }

    /// The proof's `jti`.
    #[getter]
    fn jti(&self) -> &str {
        &self.inner.jti
    }

    /// The proof's `iat` (Unix seconds).
    #[getter]
    fn iat(&self) -> i64 {
        self.inner.iat
    }

    /// The algorithm the proof was signed with (`ES256`, `EdDSA`, ...).
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm.name()
    }

    /// The proof's `nonce`, if it carries one.
    #[getter]
    fn nonce(&self) -> Option<&str> {
        self.inner.nonce.as_deref()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "DpopProof(thumbprint={}, jti={}, iat={}, algorithm={})",
            py_repr(py, self.inner.thumbprint.as_str())?,
            py_repr(py, self.inner.jti.as_str())?,
            self.inner.iat,
            py_repr(py, self.inner.algorithm.name())?,
        ))
    }
}
