//! PCS1 request signing: `HmacVerifier`, `HmacSigningKey`, `signRequest`,
//! `hmacCanonicalRequest`, and the bare HMAC primitive (`mac`, `verifyMac`).

use napi::bindgen_prelude::{Buffer, Either, Unknown};
use napi::{Env, Result};
use napi_derive::napi;

use portcullis::hmac::{self as core, Algorithm, HmacConfig, SignOptions, SignatureParams};

use crate::errors::{unix_seconds, OrThrow, Principal};
use crate::options;
use crate::request::Request;

/// One verifying key of an `HmacVerifier`.
#[napi(object, object_to_js = false)]
pub struct HmacKeyOptions {
    /// The key id clients send (`keyid="..."`).
    pub key_id: String,
    /// `hmac-sha256` or `hmac-sha512`; the key is bound to it.
    #[napi(ts_type = "'hmac-sha256' | 'hmac-sha512'")]
    pub algorithm: String,
    /// Active secrets (standard padded base64, at least 32 bytes each), newest first.
    pub secrets_b64: Vec<String>,
    /// The principal's subject; the key id when absent.
    pub subject: Option<String>,
    /// The scopes the key grants.
    pub scopes: Option<Vec<String>>,
}

/// A PCS1 verifier's configuration (`HmacConfig` in the core).
#[napi(object, object_to_js = false)]
pub struct HmacVerifierOptions {
    /// The realm named in the challenge (default `api`).
    pub realm: Option<String>,
    /// How far `ts` may be from the request's time, each way (default 300 s).
    pub window_seconds: Option<u32>,
    /// Headers every signature must cover (default `["host"]`).
    pub required_headers: Option<Vec<String>>,
    /// The keys.
    pub keys: Option<Vec<HmacKeyOptions>>,
}

/// Checks PCS1-signed requests. Keeps the nonces it has seen (replay protection): reuse one
/// verifier for all requests.
#[napi]
pub struct HmacVerifier {
    inner: core::HmacVerifier,
}

#[napi]
impl HmacVerifier {
    /// Builds the verifier (throws `config_invalid`, `json_invalid`, `signature_secret_invalid`).
    #[napi(
        catch_unwind,
        constructor,
        ts_args_type = "options?: HmacVerifierOptions"
    )]
    pub fn new(env: Env, options: Option<Unknown>) -> Result<Self> {
        Self::build(&env, options::config(&env, options, HmacConfig::from_json)?)
    }

    /// Builds the verifier from the configuration's JSON text (the same schema everywhere).
    #[napi(catch_unwind, factory)]
    pub fn from_json(env: Env, json: String) -> Result<Self> {
        Self::build(&env, HmacConfig::from_json(&json).or_throw(&env)?)
    }

    fn build(env: &Env, config: HmacConfig) -> Result<Self> {
        let inner = core::HmacVerifier::new(config).or_throw(env)?;
        Ok(HmacVerifier { inner })
    }

    /// Removes a key; true if it was there.
    #[napi(catch_unwind)]
    pub fn remove_key(&self, key_id: String) -> bool {
        self.inner.remove_key(&key_id)
    }

    /// Number of keys.
    #[napi(catch_unwind, getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// Verifies the `Authorization: PCS1-HMAC-...` signature of `request`.
    #[napi(catch_unwind)]
    pub fn verify(&self, env: Env, request: &Request) -> Result<Principal> {
        Ok(self.inner.verify(&request.inner).or_throw(&env)?.into())
    }
}

/// How an `HmacSigningKey` is built.
#[napi(object)]
pub struct HmacSigningKeyOptions {
    /// The key id (`[A-Za-z0-9._~+/=:@-]{1,128}`).
    pub key_id: String,
    /// The secret bytes (at least 32).
    pub secret: Buffer,
    /// `hmac-sha256` (default) or `hmac-sha512`.
    #[napi(ts_type = "'hmac-sha256' | 'hmac-sha512'")]
    pub algorithm: Option<String>,
}

/// A key that signs requests. The secret stays in native memory (wiped on drop) and is never
/// shown.
#[napi]
pub struct HmacSigningKey {
    inner: core::SigningKey,
}

#[napi]
impl HmacSigningKey {
    /// Builds the key (throws `invalid_argument` for a bad key id or an unknown algorithm,
    /// `signature_secret_invalid`).
    #[napi(catch_unwind, constructor)]
    pub fn new(env: Env, options: HmacSigningKeyOptions) -> Result<Self> {
        let alg = Algorithm::parse(options.algorithm.as_deref().unwrap_or("hmac-sha256"))
            .or_throw(&env)?;
        let inner = core::SigningKey::new(&options.key_id, alg, &options.secret).or_throw(&env)?;
        Ok(HmacSigningKey { inner })
    }

    /// The key id.
    #[napi(catch_unwind, getter)]
    pub fn key_id(&self) -> String {
        self.inner.key_id().to_owned()
    }

    /// The algorithm.
    #[napi(catch_unwind, getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().name().to_owned()
    }
}

/// How to sign one request (`SignOptions` in the core).
#[napi(object, object_to_js = false)]
pub struct SignRequestOptions {
    /// Headers to sign (default `["host"]`); `content-digest` is added for a non-empty body.
    pub headers: Option<Vec<String>>,
    /// Signing time, Unix seconds; the request's time when absent.
    pub now: Option<f64>,
    /// The nonce (22-128 unpadded base64url characters); random when absent.
    pub nonce: Option<String>,
    /// The `Content-Digest` algorithm: `sha-256` (default) or `sha-512`.
    #[napi(ts_type = "'sha-256' | 'sha-512'")]
    pub digest: Option<String>,
}

/// Signs `request` with `key`: the headers to add, `Authorization` then `Content-Digest` (when
/// the request has a non-empty body and no `Content-Digest` yet).
#[napi(
    catch_unwind,
    ts_args_type = "request: Request, key: HmacSigningKey, options?: SignRequestOptions",
    ts_return_type = "Array<[string, string]>"
)]
pub fn sign_request(
    env: Env,
    request: &Request,
    key: &HmacSigningKey,
    options: Option<Unknown>,
) -> Result<Vec<(String, String)>> {
    let options = options::config(&env, options, SignOptions::from_json)?;
    let signed = core::sign_request(&request.inner, &key.inner, &options).or_throw(&env)?;
    Ok(options::owned_pairs(&signed.pairs()))
}

/// The signature parameters a PCS1 canonical request is built for.
#[napi(object)]
pub struct CanonicalRequestParams {
    /// `hmac-sha256` or `hmac-sha512`.
    #[napi(ts_type = "'hmac-sha256' | 'hmac-sha512'")]
    pub algorithm: String,
    /// The key id.
    pub keyid: String,
    /// The timestamp, Unix seconds.
    pub ts: f64,
    /// The nonce.
    pub nonce: String,
    /// The signed header names, lower-case, in order.
    pub headers: Vec<String>,
}

/// The exact PCS1 canonical request (LF-joined, no trailing LF) for `request` and `params`:
/// what the MAC is computed over (docs/SIGNING.md).
#[napi(catch_unwind)]
pub fn hmac_canonical_request(
    env: Env,
    request: &Request,
    params: CanonicalRequestParams,
) -> Result<String> {
    let params = SignatureParams {
        algorithm: Algorithm::parse(&params.algorithm).or_throw(&env)?,
        key_id: params.keyid,
        timestamp: unix_seconds(params.ts, "ts").or_throw(&env)?,
        nonce: params.nonce,
        headers: params.headers,
        signature: Vec::new(),
    };
    let canonical = core::canonical_request(&request.inner, &params).or_throw(&env)?;
    crate::digest::text(canonical, "the canonical request").or_throw(&env)
}

/// HMAC of `data` under `key` (the bare RFC 2104 primitive: any key length).
#[napi(catch_unwind)]
pub fn mac(
    env: Env,
    #[napi(ts_arg_type = "'hmac-sha256' | 'hmac-sha512'")] algorithm: String,
    key: Buffer,
    data: Either<Buffer, String>,
) -> Result<Buffer> {
    let alg = Algorithm::parse(&algorithm).or_throw(&env)?;
    let tag = core::mac(alg, &key, &options::bytes(data)).or_throw(&env)?;
    Ok(tag.into())
}

/// True when `tag` is the full HMAC of `data` under `key`, compared in constant time (a
/// truncated tag never matches).
#[napi(catch_unwind)]
pub fn verify_mac(
    env: Env,
    #[napi(ts_arg_type = "'hmac-sha256' | 'hmac-sha512'")] algorithm: String,
    key: Buffer,
    data: Either<Buffer, String>,
    tag: Buffer,
) -> Result<bool> {
    let alg = Algorithm::parse(&algorithm).or_throw(&env)?;
    Ok(core::verify_mac(alg, &key, &options::bytes(data), &tag))
}
