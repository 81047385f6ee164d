//! `portcullis.HttpSigKeyring`: RFC 9421 verification keys by `keyid`, shared with every
//! `HttpSigVerifier` built from it (the core keyring is a shared handle: a key added or removed
//! here is added or removed for all of them at once).

use std::sync::Arc;

use portcullis::httpsig::{HttpSigAlgorithm, HttpSigKey, HttpSigKeyring, HttpSigVerifier};
use portcullis::Error;
use pyo3::prelude::*;

use crate::convert::StrOrBytes;
use crate::errors::error_to_py;

/// Verification keys by `keyid`: HMAC secrets and public keys, each bound to one algorithm.
/// Thread-safe: add and remove keys while verifiers built from it run.
#[pyclass(module = "portcullis._portcullis", name = "HttpSigKeyring", frozen)]
#[derive(Default)]
pub struct PyHttpSigKeyring {
    keys: HttpSigKeyring,
}

impl PyHttpSigKeyring {
    /// A verifier over this keyring's keys (shared, not copied).
    pub fn attach(
        &self,
        build: impl FnOnce(HttpSigKeyring) -> Result<HttpSigVerifier, Error>,
    ) -> Result<Arc<HttpSigVerifier>, Error> {
        build(self.keys.clone()).map(Arc::new)
    }
}

#[pymethods]
impl PyHttpSigKeyring {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) an `hmac-sha256` secret for `keyid` (at least 16 bytes).
    fn add_hmac_secret(&self, py: Python<'_>, keyid: &str, secret: &[u8]) -> PyResult<()> {
        self.keys
            .add_hmac_secret(keyid, secret)
            .map_err(|e| error_to_py(py, &e))
    }

    /// Adds (or replaces) a public key for `keyid` from PEM (`PUBLIC KEY`, `RSA PUBLIC KEY`,
    /// or a private key whose public half is kept), bound to `algorithm`.
    fn add_public_pem(
        &self,
        py: Python<'_>,
        keyid: &str,
        algorithm: &str,
        pem: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let pem = StrOrBytes::extract(pem, "pem")?;
        let pem = pem.as_bytes();
        let key = HttpSigAlgorithm::parse(algorithm)
            .and_then(|alg| py.detach(|| HttpSigKey::public_pem(alg, pem)))
            .map_err(|e| error_to_py(py, &e))?;
        self.keys
            .insert(keyid, key)
            .map_err(|e| error_to_py(py, &e))
    }

    /// Removes the key for `keyid` (from every verifier built from this keyring too); True if
    /// it was there.
    fn remove(&self, keyid: &str) -> bool {
        self.keys.remove(keyid)
    }

    fn __len__(&self) -> usize {
        self.keys.len()
    }

    // The key count only: never key material.
    fn __repr__(&self) -> String {
        format!("HttpSigKeyring(keys={})", self.keys.len())
    }
}
