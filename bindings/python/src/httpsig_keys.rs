//! `portcullis.HttpSigKeyring`: RFC 9421 verification keys by `keyid`, shared with every
//! `HttpSigVerifier` built from it.
//!
//! The core verifier owns its `HttpSigKeyring`, so this class keeps the loaded keys and hands a
//! copy to each verifier at construction; later `add_*` and `remove` calls reach every live
//! verifier too (removing a compromised key takes effect everywhere at once). Keys are built and
//! key ids checked by the core; this layer only distributes them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use portcullis::httpsig::{HttpSigAlgorithm, HttpSigKey, HttpSigKeyring, HttpSigVerifier};
use portcullis::Error;
use pyo3::prelude::*;

use crate::convert::StrOrBytes;
use crate::errors::error_to_py;

#[derive(Default)]
struct State {
    /// Validates key ids (the core's rules) and counts keys.
    own: HttpSigKeyring,
    /// The same keys, to copy into new verifiers.
    keys: HashMap<String, HttpSigKey>,
    /// Verifiers built from this keyring (dropped ones are pruned).
    verifiers: Vec<Weak<HttpSigVerifier>>,
}

impl State {
    fn live(&mut self) -> Vec<Arc<HttpSigVerifier>> {
        self.verifiers.retain(|v| v.strong_count() > 0);
        self.verifiers.iter().filter_map(Weak::upgrade).collect()
    }

    fn insert(&mut self, keyid: &str, key: HttpSigKey) -> Result<(), Error> {
        self.own.insert(keyid, key.clone())?;
        for verifier in self.live() {
            verifier.keys().insert(keyid, key.clone())?;
        }
        self.keys.insert(keyid.to_owned(), key);
        Ok(())
    }
}

/// Verification keys by `keyid`: HMAC secrets and public keys, each bound to one algorithm.
/// Thread-safe: add and remove keys while verifiers built from it run.
#[pyclass(module = "portcullis._portcullis", name = "HttpSigKeyring", frozen)]
#[derive(Default)]
pub struct PyHttpSigKeyring {
    state: Mutex<State>,
}

impl PyHttpSigKeyring {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A verifier over a copy of the current keys, registered for later changes.
    pub fn attach(
        &self,
        build: impl FnOnce(HttpSigKeyring) -> Result<HttpSigVerifier, Error>,
    ) -> Result<Arc<HttpSigVerifier>, Error> {
        let mut state = self.lock();
        let copy = HttpSigKeyring::new();
        for (keyid, key) in &state.keys {
            copy.insert(keyid, key.clone())?;
        }
        let verifier = Arc::new(build(copy)?);
        state.live();
        state.verifiers.push(Arc::downgrade(&verifier));
        Ok(verifier)
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
        HttpSigKey::hmac_secret(secret)
            .and_then(|key| self.lock().insert(keyid, key))
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
        let key = HttpSigAlgorithm::from_name(algorithm)
            .and_then(|alg| py.detach(|| HttpSigKey::public_pem(alg, pem)))
            .map_err(|e| error_to_py(py, &e))?;
        self.lock()
            .insert(keyid, key)
            .map_err(|e| error_to_py(py, &e))
    }

    /// Removes the key for `keyid` (from every verifier built from this keyring too); True if
    /// it was there.
    fn remove(&self, keyid: &str) -> bool {
        let mut state = self.lock();
        for verifier in state.live() {
            verifier.keys().remove(keyid);
        }
        state.keys.remove(keyid);
        state.own.remove(keyid)
    }

    fn __len__(&self) -> usize {
        self.lock().own.len()
    }

    // The key count only: never key material.
    fn __repr__(&self) -> String {
        format!("HttpSigKeyring(keys={})", self.lock().own.len())
    }
}
