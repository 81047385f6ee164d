//! `DpopVerifier`: DPoP proofs (RFC 9449) checked at the resource server by the core.

use std::sync::Arc;

use napi::bindgen_prelude::{Either, Null, Unknown};
use napi::{Env, Result};
use napi_derive::napi;

use portcullis::oauth2::{self as core, DpopConfig, ProofContext, VerifiedProof};
use portcullis::store::MemoryStore;

use crate::errors::{now_or_clock, OrThrow};
use crate::options;
use crate::request::Request;

/// Server-provided nonces (`NonceConfig` in the core).
#[napi(object, object_to_js = false)]
pub struct DpopNonceOptions {
    /// The secret nonces are derived from (at least 32 bytes).
    pub secret: String,
    /// Length of one time step in seconds (default 300, 10 to 86400); a nonce is accepted
    /// during its own step and the next one.
    pub step_seconds: Option<u32>,
}

/// What a `DpopVerifier` accepts (`DpopConfig` in the core): one documented field per option,
/// for index.d.ts only (the values are renamed and parsed generically).
#[napi(object, object_to_js = false)]
pub struct DpopVerifierOptions {
    /// JWS algorithms a proof may use (default ES256, ES384, ES512, PS256, PS384, PS512, RS256,
    /// RS384, RS512, EdDSA; HS* throws `config_invalid`).
    pub algorithms: Option<Vec<String>>,
    /// Oldest `iat` accepted: now minus this (default 300, 1 to 3600).
    pub max_age_seconds: Option<u32>,
    /// Latest `iat` accepted: now plus this (default 5, at most 300).
    pub leeway_seconds: Option<u32>,
    /// Largest proof accepted, in bytes (default 8192).
    pub max_proof_bytes: Option<u32>,
    /// Server-provided nonces (RFC 9449 section 8); absent: no nonce is asked for.
    pub nonce: Option<DpopNonceOptions>,
}

/// A DPoP proof that passed every check.
#[napi(object, object_from_js = false)]
pub struct DpopProof {
    /// The RFC 7638 SHA-256 thumbprint of the proof's key, base64url: what a bound token's
    /// `cnf.jkt` must equal.
    pub thumbprint: String,
    /// The proof's `jti`.
    pub jti: String,
    /// The proof's `iat` (Unix seconds).
    pub iat: i64,
    /// The algorithm the proof was signed with (`ES256`, `EdDSA`, ...).
    pub algorithm: String,
    /// The proof's `nonce`, or `null`.
    pub nonce: Either<String, Null>,
}

impl From<VerifiedProof> for DpopProof {
    fn from(p: VerifiedProof) -> Self {
        DpopProof {
            thumbprint: p.thumbprint,
            jti: p.jti,
            iat: p.iat,
            algorithm: p.algorithm.name().to_owned(),
            nonce: match p.nonce {
                Some(n) => Either::A(n),
                None => Either::B(Null),
            },
        }
    }
}

/// Checks DPoP proofs (RFC 9449 section 4.3) and remembers their ids against replays (in
/// memory). Immutable and thread-safe; build once and share. Nothing here does I/O, so there is
/// no async variant.
#[napi]
pub struct DpopVerifier {
    inner: Arc<core::DpopVerifier>,
}

#[napi]
impl DpopVerifier {
    /// Builds the verifier (throws `config_invalid`, `json_invalid`).
    #[napi(
        catch_unwind,
        constructor,
        ts_args_type = "options?: DpopVerifierOptions"
    )]
    pub fn new(env: Env, options: Option<Unknown>) -> Result<Self> {
        Self::build(&env, options::config(&env, options, DpopConfig::from_json)?)
    }

    /// Builds the verifier from the configuration's JSON text (the same schema everywhere).
    #[napi(catch_unwind, factory)]
    pub fn from_json(env: Env, json: String) -> Result<Self> {
        Self::build(&env, DpopConfig::from_json(&json).or_throw(&env)?)
    }

    fn build(env: &Env, config: DpopConfig) -> Result<Self> {
        let store = Arc::new(MemoryStore::default());
        let inner = Arc::new(core::DpopVerifier::new(config, store).or_throw(env)?);
        Ok(DpopVerifier { inner })
    }

    /// Checks `proof` (the `DPoP` header's value) against the request it came with: `method`
    /// as sent, `uri` the absolute URI (query and fragment ignored), `accessToken` the token
    /// presented with it (its `ath` is then checked), at `now` (Unix seconds; the system clock
    /// when absent). Records the proof's `jti` when every check passed. Throws the `dpop_*`
    /// codes, `store_unavailable`.
    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        env: Env,
        proof: String,
        method: String,
        uri: String,
        access_token: Option<String>,
        now: Option<f64>,
    ) -> Result<DpopProof> {
        let now = now_or_clock(&env, now)?;
        let context = ProofContext {
            method: &method,
            uri: &uri,
            access_token: access_token.as_deref(),
            now,
        };
        Ok(self.inner.verify(&proof, &context).or_throw(&env)?.into())
    }

    /// Checks the proof of `request`: its one `DPoP` header, against the request's method, URI
    /// and time. The URI is `origin` (e.g. `https://api.example.com`, behind a proxy) followed
    /// by the request's path; else the request's scheme (default https) and `Host` header.
    #[napi(catch_unwind)]
    pub fn verify_request(
        &self,
        env: Env,
        request: &Request,
        access_token: Option<String>,
        origin: Option<String>,
    ) -> Result<DpopProof> {
        Ok(self
            .inner
            .verify_request(&request.inner, access_token.as_deref(), origin.as_deref())
            .or_throw(&env)?
            .into())
    }

    /// The nonce to send in a `DPoP-Nonce` header at `now` (the system clock when absent);
    /// `null` when the verifier asks for no nonce.
    #[napi(catch_unwind, ts_return_type = "string | null")]
    pub fn nonce(&self, env: Env, now: Option<f64>) -> Result<Option<String>> {
        let now = now_or_clock(&env, now)?;
        Ok(self.inner.nonce(now))
    }

    /// The `algs` value of the `WWW-Authenticate: DPoP` challenge: the allowed algorithm
    /// names, space-separated.
    #[napi(catch_unwind, getter)]
    pub fn algorithms_param(&self) -> String {
        self.inner.algorithms_param()
    }
}
