//! `portcullis.JwtKey`, `portcullis.JwtKeySet` and `jwk_thumbprint`: JWT keys, each bound to
//! one algorithm and parsed once, and the shared key set verifiers read.

use std::sync::Arc;

use portcullis::jwt::{self, Algorithm, JwtKey, JwtKeySet};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use serde_json::Value;

use crate::convert::{json_to_py, map_to_py, py_repr, py_to_map, type_name, StrOrBytes};
use crate::errors::error_to_py;

/// The algorithm named `name` (case-sensitive JOSE name; `none` is not one).
pub fn algorithm(py: Python<'_>, name: &str) -> PyResult<Algorithm> {
    Algorithm::parse(name).map_err(|e| error_to_py(py, &e))
}

/// A JWK or JWKS given as a JSON text or a mapping, as the JSON text the core parses
/// (strictly: a repeated member is refused).
pub fn json_text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(text) = obj.cast::<PyString>() {
        Ok(text.to_cow()?.into_owned())
    } else if obj.is_instance_of::<PyBytes>() {
        Err(PyTypeError::new_err(format!(
            "{what} must be str or a mapping, not bytes"
        )))
    } else {
        Ok(Value::Object(py_to_map(obj, what)?).to_string())
    }
}

/// One JWT key: an HMAC secret, a public key or a private key, bound to one algorithm.
/// Immutable and thread-safe; its repr never shows key material.
#[pyclass(module = "portcullis._portcullis", name = "JwtKey", frozen)]
pub struct PyJwtKey {
    inner: Arc<JwtKey>,
}

impl PyJwtKey {
    fn new(key: JwtKey, kid: Option<String>) -> Self {
        let key = match kid {
            Some(kid) => key.with_kid(kid),
            None => key,
        };
        PyJwtKey {
            inner: Arc::new(key),
        }
    }

    /// The core key.
    pub fn core(&self) -> Arc<JwtKey> {
        Arc::clone(&self.inner)
    }

    fn kind(&self) -> &'static str {
        if self.inner.algorithm().is_hmac() {
            "secret"
        } else if self.inner.can_sign() {
            "private"
        } else {
            "public"
        }
    }
}

#[pymethods]
impl PyJwtKey {
    /// An HMAC secret (at least the hash's output: 32, 48 or 64 bytes; never PEM/DER/JWK/SSH key
    /// material) for HS256/384/512.
    #[staticmethod]
    #[pyo3(signature = (secret, alg, *, kid = None))]
    fn from_secret(
        py: Python<'_>,
        secret: &[u8],
        alg: &str,
        kid: Option<String>,
    ) -> PyResult<Self> {
        let alg = algorithm(py, alg)?;
        JwtKey::from_secret(alg, secret)
            .map(|key| Self::new(key, kid))
            .map_err(|e| error_to_py(py, &e))
    }

    /// A public or private PEM key (SPKI, PKCS#1, PKCS#8, SEC1) for an asymmetric algorithm.
    #[staticmethod]
    #[pyo3(signature = (pem, alg, *, kid = None))]
    fn from_pem(
        py: Python<'_>,
        pem: &Bound<'_, PyAny>,
        alg: &str,
        kid: Option<String>,
    ) -> PyResult<Self> {
        let pem = StrOrBytes::extract(pem, "pem")?;
        let pem = pem.as_bytes();
        let alg = algorithm(py, alg)?;
        py.detach(|| JwtKey::from_pem(alg, pem))
            .map(|key| Self::new(key, kid))
            .map_err(|e| error_to_py(py, &e))
    }

    /// A DER key: public (SPKI, PKCS#1, raw) or private (PKCS#8, PKCS#1, SEC1).
    #[staticmethod]
    #[pyo3(signature = (der, alg, *, kid = None))]
    fn from_der(py: Python<'_>, der: &[u8], alg: &str, kid: Option<String>) -> PyResult<Self> {
        let alg = algorithm(py, alg)?;
        py.detach(|| JwtKey::from_der(alg, der))
            .map(|key| Self::new(key, kid))
            .map_err(|e| error_to_py(py, &e))
    }

    /// A JWK (JSON text or mapping; private when it has `d`, `oct` for HMAC). `alg`: else the
    /// JWK's own, else inferred from `kty`/`crv` (RSA is RS256). The JWK's `kid` is kept.
    #[staticmethod]
    #[pyo3(signature = (jwk, alg = None))]
    fn from_jwk(py: Python<'_>, jwk: &Bound<'_, PyAny>, alg: Option<&str>) -> PyResult<Self> {
        let jwk = json_text(jwk, "jwk")?;
        let alg = alg.map(|a| algorithm(py, a)).transpose()?;
        py.detach(|| JwtKey::from_jwk_json(&jwk, alg))
            .map(|key| Self::new(key, None))
            .map_err(|e| error_to_py(py, &e))
    }

    /// A new random key: a key pair whose kid is its RFC 7638 thumbprint, or for HS* a secret
    /// of the hash's length (no kid). GIL released.
    #[staticmethod]
    fn generate(py: Python<'_>, alg: &str) -> PyResult<Self> {
        let alg = algorithm(py, alg)?;
        py.detach(|| JwtKey::generate(alg))
            .map(|key| Self::new(key, None))
            .map_err(|e| error_to_py(py, &e))
    }

    /// The key id, if any.
    #[getter]
    fn kid(&self) -> Option<&str> {
        self.inner.kid()
    }

    /// The one algorithm this key verifies and signs with.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm().name()
    }

    /// True for a private key or a secret.
    #[getter]
    fn can_sign(&self) -> bool {
        self.inner.can_sign()
    }

    /// The public JWK (`kid`: the thumbprint when the key has none, `alg`, `use: sig`).
    /// Secrets are never exported (`jwt_key_invalid`).
    fn public_jwk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let jwk = self.inner.public_jwk().map_err(|e| error_to_py(py, &e))?;
        map_to_py(py, &jwk)
    }

    /// The RFC 7638 thumbprint of the public key (a secret has none: `jwt_key_invalid`).
    fn thumbprint(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.thumbprint().map_err(|e| error_to_py(py, &e))
    }

    /// The private key as PKCS#8 PEM (`jwt_key_invalid` for a public key or a secret).
    fn private_pem(&self, py: Python<'_>) -> PyResult<String> {
        self.inner
            .private_pem()
            .map(|pem| pem.as_str().to_owned())
            .map_err(|e| error_to_py(py, &e))
    }

    // Kid, algorithm and kind only: never key material.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "JwtKey(kid={}, algorithm={}, kind={})",
            py_repr(py, self.inner.kid())?,
            py_repr(py, self.inner.algorithm().name())?,
            py_repr(py, self.kind())?,
        ))
    }
}

/// Verification keys for `JwtVerifier`: a shared handle (every verifier built from it sees
/// keys added or removed later). Thread-safe.
#[pyclass(module = "portcullis._portcullis", name = "JwtKeySet", frozen)]
#[derive(Default)]
pub struct PyJwtKeySet {
    inner: JwtKeySet,
}

impl PyJwtKeySet {
    /// The core set (a handle on the same keys).
    pub fn core(&self) -> JwtKeySet {
        self.inner.clone()
    }
}

#[pymethods]
impl PyJwtKeySet {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// A set from a JWKS document (JSON text or mapping, `{"keys": [...]}`).
    #[staticmethod]
    fn from_jwks(py: Python<'_>, jwks: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = json_text(jwks, "jwks")?;
        py.detach(|| JwtKeySet::from_jwks(&text))
            .map(|inner| PyJwtKeySet { inner })
            .map_err(|e| error_to_py(py, &e))
    }

    /// Adds every signature key of a JWKS (keys whose `use` / `key_ops` exclude verification
    /// and unusable key types skipped; a kid repeated for one algorithm refused, nothing
    /// added); returns how many were added.
    fn add_jwks(&self, py: Python<'_>, jwks: &Bound<'_, PyAny>) -> PyResult<usize> {
        let text = json_text(jwks, "jwks")?;
        py.detach(|| self.inner.add_jwks(&text))
            .map_err(|e| error_to_py(py, &e))
    }

    /// Adds `key`; a key with the same kid and algorithm is replaced.
    fn insert(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = key.cast::<PyJwtKey>().map_err(|_| {
            PyTypeError::new_err(format!("key must be a JwtKey, not {}", type_name(key)))
        })?;
        self.inner
            .insert_shared(key.get().core())
            .map_err(|e| error_to_py(py, &e))
    }

    /// Removes every key with this kid; returns how many.
    fn remove(&self, kid: &str) -> usize {
        self.inner.remove(kid)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The public JWKS of the asymmetric keys (secrets are left out).
    fn public_jwks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let jwks = self.inner.public_jwks().map_err(|e| error_to_py(py, &e))?;
        json_to_py(py, &jwks)
    }

    // The key count only: never key material.
    fn __repr__(&self) -> String {
        format!("JwtKeySet(keys={})", self.inner.len())
    }
}

/// The RFC 7638 SHA-256 thumbprint (base64url) of a JWK given as JSON text or a mapping.
#[pyfunction]
pub fn jwk_thumbprint(py: Python<'_>, jwk: &Bound<'_, PyAny>) -> PyResult<String> {
    let jwk = json_text(jwk, "jwk")?;
    jwt::thumbprint_json(&jwk).map_err(|e| error_to_py(py, &e))
}
