//! Verification keys by `keyid`, each bound to one algorithm.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use aws_lc_rs::hmac;

use super::HttpSigAlgorithm;
use crate::error::{Error, ErrorCode};
use crate::keys::{SigningKey, VerifyingKey};

/// Shortest HMAC secret accepted for signing, in bytes (the project-wide rule).
pub const MIN_SIGNING_SECRET_LEN: usize = 32;
/// Shortest HMAC secret accepted for verification, in bytes: lower than for signing so a
/// service can check a legacy peer's signatures, never below 128 bits.
pub const MIN_VERIFY_SECRET_LEN: usize = 16;
/// Longest key id accepted, in bytes.
pub const MAX_KEYID_LEN: usize = 256;

#[derive(Clone)]
enum Material {
    Hmac(Box<hmac::Key>),
    Public(VerifyingKey),
}

/// One verification key: an HMAC secret or a public key, bound to its algorithm.
#[derive(Clone)]
pub struct HttpSigKey {
    algorithm: HttpSigAlgorithm,
    material: Material,
}

impl std::fmt::Debug for HttpSigKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSigKey")
            .field("algorithm", &self.algorithm.name())
            .finish_non_exhaustive()
    }
}

fn secret_invalid(detail: String) -> Error {
    Error::new(ErrorCode::SignatureSecretInvalid, detail)
}

impl HttpSigKey {
    /// An `hmac-sha256` shared secret (at least [`MIN_VERIFY_SECRET_LEN`] bytes, and never
    /// asymmetric key material: a public key used as an HMAC secret lets anyone who holds that
    /// public key sign).
    pub fn hmac_secret(secret: &[u8]) -> Result<Self, Error> {
        if secret.len() < MIN_VERIFY_SECRET_LEN {
            return Err(secret_invalid(format!(
                "HMAC secret must be at least {MIN_VERIFY_SECRET_LEN} bytes, got {}",
                secret.len()
            )));
        }
        if crate::keys::is_key_material(secret) {
            return Err(secret_invalid(
                "asymmetric key material (PEM, DER, JWK, SSH) is refused as an HMAC secret".into(),
            ));
        }
        Ok(HttpSigKey {
            algorithm: HttpSigAlgorithm::HmacSha256,
            material: Material::Hmac(Box::new(hmac::Key::new(hmac::HMAC_SHA256, secret))),
        })
    }

    /// A public key for `algorithm` from PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`) or, for
    /// convenience, from a private-key PEM whose public half is kept.
    pub fn public_pem(algorithm: HttpSigAlgorithm, pem: &[u8]) -> Result<Self, Error> {
        let alg = Self::asymmetric(algorithm)?;
        let key = match VerifyingKey::from_pem(alg, pem) {
            Ok(k) => k,
            Err(e) => match SigningKey::from_pem(alg, pem) {
                Ok(private) => private.verifying_key()?,
                Err(_) => return Err(e),
            },
        };
        Ok(HttpSigKey {
            algorithm,
            material: Material::Public(key),
        })
    }

    /// A public key for `algorithm` from DER (SPKI, PKCS#1, raw Ed25519 or EC point).
    pub fn public_der(algorithm: HttpSigAlgorithm, der: &[u8]) -> Result<Self, Error> {
        let alg = Self::asymmetric(algorithm)?;
        Ok(HttpSigKey {
            algorithm,
            material: Material::Public(VerifyingKey::from_der(alg, der)?),
        })
    }

    /// An already parsed public key; its algorithm must be `algorithm`'s.
    pub fn from_verifying_key(
        algorithm: HttpSigAlgorithm,
        key: VerifyingKey,
    ) -> Result<Self, Error> {
        if Self::asymmetric(algorithm)? != key.algorithm() {
            return Err(Error::new(
                ErrorCode::SignatureAlgorithmUnsupported,
                "the key's algorithm is not the one named",
            ));
        }
        Ok(HttpSigKey {
            algorithm,
            material: Material::Public(key),
        })
    }

    fn asymmetric(algorithm: HttpSigAlgorithm) -> Result<crate::keys::KeyAlgorithm, Error> {
        algorithm.key_algorithm().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                "hmac-sha256 takes a secret, not a public key",
            )
        })
    }

    /// The algorithm the key is bound to.
    pub fn algorithm(&self) -> HttpSigAlgorithm {
        self.algorithm
    }

    /// True when `signature` is valid over `base` (HMAC compared in constant time).
    pub(crate) fn verify(&self, base: &[u8], signature: &[u8]) -> bool {
        match &self.material {
            Material::Hmac(key) => hmac::verify(key, base, signature).is_ok(),
            Material::Public(key) => key.verify(base, signature),
        }
    }
}

/// Keys by `keyid`. Thread-safe: add and remove keys while others verify.
///
/// A handle: clones share the same keys, so one keyring can feed many verifiers and a key
/// removed through any handle is gone for all of them at once.
#[derive(Clone, Default)]
pub struct HttpSigKeyring {
    keys: Arc<RwLock<HashMap<String, Arc<HttpSigKey>>>>,
}

impl std::fmt::Debug for HttpSigKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSigKeyring")
            .field("keys", &self.len())
            .finish_non_exhaustive()
    }
}

impl HttpSigKeyring {
    /// An empty keyring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the key for `keyid`.
    pub fn insert(&self, keyid: &str, key: HttpSigKey) -> Result<(), Error> {
        if keyid.is_empty() || keyid.len() > MAX_KEYID_LEN {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("keyid must be 1 to {MAX_KEYID_LEN} bytes"),
            ));
        }
        self.keys
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(keyid.to_owned(), Arc::new(key));
        Ok(())
    }

    /// Adds an `hmac-sha256` secret.
    pub fn add_hmac_secret(&self, keyid: &str, secret: &[u8]) -> Result<(), Error> {
        self.insert(keyid, HttpSigKey::hmac_secret(secret)?)
    }

    /// Adds a public key (or the public half of a private key) from PEM.
    pub fn add_public_pem(
        &self,
        keyid: &str,
        algorithm: HttpSigAlgorithm,
        pem: &[u8],
    ) -> Result<(), Error> {
        self.insert(keyid, HttpSigKey::public_pem(algorithm, pem)?)
    }

    /// Removes a key; true if it was there.
    pub fn remove(&self, keyid: &str) -> bool {
        self.keys
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(keyid)
            .is_some()
    }

    /// The key for `keyid`.
    pub fn get(&self, keyid: &str) -> Option<Arc<HttpSigKey>> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(keyid)
            .cloned()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod shared_tests {
    use super::*;

    #[test]
    fn clones_share_keys() {
        let a = HttpSigKeyring::new();
        let b = a.clone();
        a.add_hmac_secret("k", &[7; 32]).unwrap();
        assert_eq!(b.len(), 1);
        assert!(b.remove("k"));
        assert!(a.get("k").is_none());
    }

    /// A public key offered as an HMAC secret is refused (as JWT key sets refuse it): keyed
    /// with a public key, HMAC lets anyone who has that key sign (the adversarial review).
    #[test]
    fn key_material_is_no_hmac_secret() {
        let ed = crate::keys::SigningKey::generate(crate::keys::KeyAlgorithm::Ed25519).unwrap();
        let public = ed.verifying_key().unwrap().to_jwk().unwrap();
        let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n-----END PUBLIC KEY-----\n";
        let jwk = serde_json::Value::Object(public).to_string();
        for secret in [pem.as_bytes(), jwk.as_bytes()] {
            let e = HttpSigKey::hmac_secret(secret).unwrap_err();
            assert_eq!(e.code(), ErrorCode::SignatureSecretInvalid);
            assert!(!e.detail().contains("MCow"));
            assert_eq!(
                crate::httpsig::HttpSigSigner::hmac("k", secret)
                    .unwrap_err()
                    .code(),
                ErrorCode::SignatureSecretInvalid
            );
        }
        assert!(HttpSigKey::hmac_secret(&[7; 32]).is_ok());
    }
}
