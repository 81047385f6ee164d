//! PCS1 request signing: `HmacVerifier`, `HmacSigningKey`, `sign_request`,
//! `hmac_canonical_request`, and the bare `mac` / `verify_mac` primitive.

use std::sync::Arc;

use portcullis::hmac::{
    self, Algorithm, HmacConfig, HmacVerifier, SignOptions, SignatureParams, SigningKey,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::{bytes_to_str, owned_pairs, py_repr};
use crate::errors::error_to_py;
use crate::principal::{verify_request, PyPrincipal};
use crate::request::PyRequest;

/// The PCS1 algorithm named `name` (`hmac-sha256`, `hmac-sha512`), read by the core.
fn algorithm(py: Python<'_>, name: &str) -> PyResult<Algorithm> {
    Algorithm::parse(name).map_err(|e| error_to_py(py, &e))
}

/// Checks PCS1-signed requests against a set of keys; remembers nonces (replays are refused).
/// Thread-safe; share one instance.
#[pyclass(module = "portcullis._portcullis", name = "HmacVerifier", frozen)]
pub struct PyHmacVerifier {
    inner: Arc<HmacVerifier>,
    realm: String,
}

impl PyHmacVerifier {
    fn build(py: Python<'_>, config: HmacConfig) -> PyResult<Self> {
        let realm = config.realm.clone();
        HmacVerifier::new(config)
            .map(|v| PyHmacVerifier {
                inner: Arc::new(v),
                realm,
            })
            .map_err(|e| error_to_py(py, &e))
    }
}

#[pymethods]
impl PyHmacVerifier {
    #[new]
    #[pyo3(
        signature = (*, realm = "api".to_owned(), window_seconds = 300, required_headers = vec!["host".to_owned()], keys = None),
        text_signature = "(*, realm='api', window_seconds=300, required_headers=('host',), keys=())"
    )]
    fn new(
        py: Python<'_>,
        realm: String,
        window_seconds: i64,
        required_headers: Vec<String>,
        keys: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        // The whole configuration goes through the core's parser: its schema (unknown names
        // refused), its codes, and its error messages, which never quote a value (a secret
        // given as `secrets_b64: "..."` instead of a list).
        let mut config = serde_json::Map::new();
        config.insert("realm".into(), realm.into());
        config.insert("window_seconds".into(), window_seconds.into());
        config.insert("required_headers".into(), required_headers.into());
        if let Some(obj) = keys {
            let keys: serde_json::Value = pythonize::depythonize(obj).map_err(|e| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "keys must hold only JSON values: {e}"
                ))
            })?;
            config.insert("keys".into(), keys);
        }
        let json = serde_json::Value::Object(config).to_string();
        let config = HmacConfig::from_json(&json).map_err(|e| error_to_py(py, &e))?;
        Self::build(py, config)
    }

    /// A verifier from the JSON configuration (the same schema in every language).
    #[staticmethod]
    fn from_json(py: Python<'_>, config_json: &str) -> PyResult<Self> {
        let config = HmacConfig::from_json(config_json).map_err(|e| error_to_py(py, &e))?;
        Self::build(py, config)
    }

    /// Verifies the PCS1 `Authorization` of `request` (GIL released).
    fn verify(&self, py: Python<'_>, request: PyRef<'_, PyRequest>) -> PyResult<PyPrincipal> {
        verify_request(py, &*self.inner, &request, HmacVerifier::verify)
    }

    /// Number of key ids.
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    // Realm and key count only: never a secret.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "HmacVerifier(realm={}, keys={})",
            py_repr(py, self.realm.as_str())?,
            self.inner.len()
        ))
    }
}

/// A key that signs requests: key id, algorithm and secret (never shown).
#[pyclass(module = "portcullis._portcullis", name = "HmacSigningKey", frozen)]
pub struct PyHmacSigningKey {
    inner: Arc<SigningKey>,
}

#[pymethods]
impl PyHmacSigningKey {
    #[new]
    #[pyo3(signature = (key_id, secret, algorithm = "hmac-sha256"))]
    fn new(py: Python<'_>, key_id: &str, secret: &[u8], algorithm: &str) -> PyResult<Self> {
        let algorithm = self::algorithm(py, algorithm)?;
        SigningKey::new(key_id, algorithm, secret)
            .map(|k| PyHmacSigningKey { inner: Arc::new(k) })
            .map_err(|e| error_to_py(py, &e))
    }

    /// The key id.
    #[getter]
    fn key_id(&self) -> &str {
        self.inner.key_id()
    }

    /// The algorithm (`hmac-sha256`, `hmac-sha512`).
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm().name()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "HmacSigningKey(key_id={}, algorithm={}, secret=<redacted>)",
            py_repr(py, self.inner.key_id())?,
            py_repr(py, self.inner.algorithm().name())?,
        ))
    }
}

/// Signs `request` with `key`: the headers to add, `Authorization` first, then
/// `Content-Digest` when the signer computed one (GIL released).
#[pyfunction]
#[pyo3(
    signature = (request, key, *, headers = vec!["host".to_owned()], now = None, nonce = None, digest = "sha-256"),
    text_signature = "(request, key, *, headers=('host',), now=None, nonce=None, digest='sha-256')"
)]
pub fn sign_request(
    py: Python<'_>,
    request: PyRef<'_, PyRequest>,
    key: PyRef<'_, PyHmacSigningKey>,
    headers: Vec<String>,
    now: Option<i64>,
    nonce: Option<String>,
    digest: &str,
) -> PyResult<Vec<(String, String)>> {
    let options = SignOptions {
        headers,
        now,
        nonce,
        digest: crate::digest::algorithm(py, digest)?,
    };
    let (request, key) = (request.core(), Arc::clone(&key.inner));
    let signed = py
        .detach(move || hmac::sign_request(&request, &key, &options))
        .map_err(|e| error_to_py(py, &e))?;
    Ok(owned_pairs(&signed.pairs()))
}

/// The PCS1 canonical request of `request` under these signature parameters: the exact string
/// a signature covers (for debugging and third-party implementations).
#[pyfunction]
#[pyo3(signature = (request, *, algorithm, keyid, ts, nonce, headers))]
pub fn hmac_canonical_request(
    py: Python<'_>,
    request: PyRef<'_, PyRequest>,
    algorithm: &str,
    keyid: String,
    ts: i64,
    nonce: String,
    headers: Vec<String>,
) -> PyResult<String> {
    let params = SignatureParams {
        algorithm: self::algorithm(py, algorithm)?,
        key_id: keyid,
        timestamp: ts,
        nonce,
        headers,
        signature: Vec::new(),
    };
    let canonical =
        hmac::canonical_request(&request.core(), &params).map_err(|e| error_to_py(py, &e))?;
    bytes_to_str(py, &canonical)
}

/// HMAC of `data` under `key` (the bare RFC 2104 primitive; any key length).
#[pyfunction]
pub fn mac<'py>(
    py: Python<'py>,
    algorithm: &str,
    key: &[u8],
    data: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    let algorithm = self::algorithm(py, algorithm)?;
    let tag = py
        .detach(|| hmac::mac(algorithm, key, data))
        .map_err(|e| error_to_py(py, &e))?;
    Ok(PyBytes::new(py, &tag))
}

/// True when `tag` is the full HMAC of `data` under `key` (constant-time; a truncated tag never
/// matches).
#[pyfunction]
pub fn verify_mac(
    py: Python<'_>,
    algorithm: &str,
    key: &[u8],
    data: &[u8],
    tag: &[u8],
) -> PyResult<bool> {
    let algorithm = self::algorithm(py, algorithm)?;
    Ok(py.detach(|| hmac::verify_mac(algorithm, key, data, tag)))
}
