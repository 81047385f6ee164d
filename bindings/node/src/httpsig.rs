//! RFC 9421 HTTP Message Signatures, verifying side: `HttpSigKeyring` and `HttpSigVerifier`.
//! The signer and the signature base are in `httpsig_sign`.
//!
//! The core keyring is a shared handle: every verifier built from a JS keyring holds the same
//! keys, so a key added or removed later is added or removed for all of them at once.

use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, Either, Unknown};
use napi::{Env, Result};
use napi_derive::napi;

use portcullis::httpsig::{self as core, HttpSigAlgorithm, HttpSigConfig, HttpSigKey};

use crate::errors::{OrThrow, Principal};
use crate::options;
use crate::request::Request;
use crate::response::Response;

/// What an `HttpSigVerifier` accepts (`HttpSigConfig` in the core); absent fields take the
/// core's defaults.
#[napi(object, object_to_js = false)]
pub struct HttpSigVerifierOptions {
    /// Verify only the signature with this label.
    pub label: Option<String>,
    /// Components every request signature must cover (default `["@method", "@target-uri"]`).
    pub required_components: Option<Vec<String>>,
    /// Components every response signature must cover (default `["@status"]`).
    pub required_response_components: Option<Vec<String>>,
    /// A message with a body must cover `content-digest` (default true).
    pub require_content_digest: Option<bool>,
    /// Check a covered `Content-Digest` against the body (default true).
    pub verify_content_digest: Option<bool>,
    /// `created` must be present (default true).
    pub require_created: Option<bool>,
    /// `expires` must be present (default false).
    pub require_expires: Option<bool>,
    /// Oldest accepted `created`, seconds before now (default 300; `null` disables).
    #[napi(ts_type = "number | null")]
    pub max_age: Option<u32>,
    /// Clock skew tolerated, 0 to 300 s (default 60).
    pub leeway: Option<u32>,
    /// `nonce` must be present (default false).
    pub require_nonce: Option<bool>,
    /// `tag` must equal this value.
    pub tag: Option<String>,
    /// Field name to structured type, for `sf` and `key` components.
    #[napi(ts_type = "Record<string, 'item' | 'list' | 'dictionary'>")]
    pub structured_fields: Option<std::collections::HashMap<String, String>>,
    /// Most labels in `Signature-Input` or `Signature` (default 8).
    pub max_signatures: Option<u32>,
    /// Longest `Signature-Input` or `Signature`, bytes (default 8192).
    pub max_header_len: Option<u32>,
    /// Most components one signature may cover (default 32).
    pub max_components: Option<u32>,
}

/// Keys by `keyid` for `HttpSigVerifier`s: HMAC secrets and public keys, each bound to one
/// algorithm. Keys added or removed later reach every verifier built from this keyring.
#[napi]
pub struct HttpSigKeyring {
    keys: core::HttpSigKeyring,
}

#[napi]
impl HttpSigKeyring {
    /// An empty keyring.
    #[napi(catch_unwind, constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        HttpSigKeyring {
            keys: core::HttpSigKeyring::new(),
        }
    }

    /// Adds (or replaces) an `hmac-sha256` secret (at least 16 bytes).
    #[napi(catch_unwind)]
    pub fn add_hmac_secret(&self, env: Env, keyid: String, secret: Buffer) -> Result<()> {
        self.keys.add_hmac_secret(&keyid, &secret).or_throw(&env)
    }

    /// Adds (or replaces) a public key from PEM (`PUBLIC KEY`, `RSA PUBLIC KEY`, or a private
    /// key whose public half is kept) for `algorithm` (`ed25519`, `ecdsa-p256-sha256`, ...).
    #[napi(catch_unwind)]
    pub fn add_public_pem(
        &self,
        env: Env,
        keyid: String,
        algorithm: String,
        pem: Either<Buffer, String>,
    ) -> Result<()> {
        let pem = zeroize::Zeroizing::new(options::bytes(pem));
        HttpSigAlgorithm::parse(&algorithm)
            .and_then(|alg| HttpSigKey::public_pem(alg, &pem))
            .and_then(|key| self.keys.insert(&keyid, key))
            .or_throw(&env)
    }

    /// Removes a key (from every verifier built from this keyring too); true if it was there.
    #[napi(catch_unwind)]
    pub fn remove(&self, keyid: String) -> bool {
        self.keys.remove(&keyid)
    }

    /// Number of keys.
    #[napi(catch_unwind, getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.keys.len()).unwrap_or(u32::MAX)
    }
}

/// Verifies RFC 9421 signatures on requests and responses. Keeps the nonces it has seen.
#[napi]
pub struct HttpSigVerifier {
    inner: Arc<core::HttpSigVerifier>,
}

#[napi]
impl HttpSigVerifier {
    /// Builds the verifier over the keys of `keyring`, now and later (throws `config_invalid`,
    /// `json_invalid`).
    #[napi(
        catch_unwind,
        constructor,
        ts_args_type = "keyring: HttpSigKeyring, options?: HttpSigVerifierOptions"
    )]
    pub fn new(env: Env, keyring: &HttpSigKeyring, options: Option<Unknown>) -> Result<Self> {
        let config = options::config(&env, options, HttpSigConfig::from_json)?;
        Self::build(&env, config, keyring)
    }

    /// Builds the verifier from the configuration's JSON text (the same schema everywhere).
    #[napi(catch_unwind, factory)]
    pub fn from_json(env: Env, json: String, keyring: &HttpSigKeyring) -> Result<Self> {
        Self::build(
            &env,
            HttpSigConfig::from_json(&json).or_throw(&env)?,
            keyring,
        )
    }

    fn build(env: &Env, config: HttpSigConfig, keyring: &HttpSigKeyring) -> Result<Self> {
        let inner = core::HttpSigVerifier::new(config, keyring.keys.clone()).or_throw(env)?;
        Ok(HttpSigVerifier {
            inner: Arc::new(inner),
        })
    }

    /// Verifies the signature of a request.
    #[napi(catch_unwind)]
    pub fn verify_request(&self, env: Env, request: &Request) -> Result<Principal> {
        Ok(self
            .inner
            .verify_request(&request.inner)
            .or_throw(&env)?
            .into())
    }

    /// Verifies the signature of a response; `relatedRequest` is the request it answers
    /// (needed for components with `;req`).
    #[napi(catch_unwind)]
    pub fn verify_response(
        &self,
        env: Env,
        response: &Response,
        related_request: Option<&Request>,
    ) -> Result<Principal> {
        let related = related_request.map(|r| &r.inner);
        Ok(self
            .inner
            .verify_response(&response.inner, related)
            .or_throw(&env)?
            .into())
    }
}
