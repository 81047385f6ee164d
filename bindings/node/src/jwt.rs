//! JWT bearer tokens: `JwtVerifier` (sync and on the libuv pool) and `jwtEncode`. Keys are in
//! `jwt_key`.

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer, Unknown};
use napi::{Env, Result, Task};
use napi_derive::napi;
use serde_json::{Map, Value};

use portcullis::jwt::{self as core, HeaderOptions, JwtConfig};
use portcullis::request::unix_now;

use crate::errors::{from_denial, unix_seconds, OrThrow, Principal};
use crate::jwt_key::{json_object, JwtKey, JwtKeySet};
use crate::options::{self, plain, Field};
use crate::request::Request;

const CONFIG_FIELDS: &[Field] = &[
    plain("issuers", "issuers"),
    plain("audiences", "audiences"),
    plain("leewaySeconds", "leeway_seconds"),
    plain("maxAgeSeconds", "max_age_seconds"),
    plain("requiredClaims", "required_claims"),
    plain("typ", "typ"),
    plain("algorithms", "algorithms"),
    plain("requireExp", "require_exp"),
    plain("maxTokenBytes", "max_token_bytes"),
    plain("cacheSize", "cache_size"),
    plain("realm", "realm"),
];

const HEADER_FIELDS: &[Field] = &[
    plain("typ", "typ"),
    plain("kid", "kid"),
    plain("cty", "cty"),
];

/// What a `JwtVerifier` accepts (`JwtConfig` in the core); absent fields take the core's
/// defaults.
#[napi(object, object_to_js = false)]
pub struct JwtVerifierOptions {
    /// Accepted `iss` values (exact). Empty (the default): `iss` is not checked.
    pub issuers: Option<Vec<String>>,
    /// Accepted audiences; empty (the default) refuses any token that carries `aud`.
    pub audiences: Option<Vec<String>>,
    /// Clock skew allowed on `exp`, `nbf` and `iat`, seconds (default 60, at most 300).
    pub leeway_seconds: Option<u32>,
    /// Refuse tokens whose `iat` is older than this (makes `iat` required).
    #[napi(ts_type = "number | null")]
    pub max_age_seconds: Option<u32>,
    /// Claims that must be present, e.g. `sub`, `jti`.
    pub required_claims: Option<Vec<String>>,
    /// Required header `typ` (e.g. `at+jwt`).
    #[napi(ts_type = "string | null")]
    pub typ: Option<String>,
    /// Algorithms accepted at all (default: every one; each key accepts only its own).
    pub algorithms: Option<Vec<String>>,
    /// Require `exp` (default true).
    pub require_exp: Option<bool>,
    /// Largest token accepted, bytes (default 16384).
    pub max_token_bytes: Option<u32>,
    /// Verified tokens kept in memory (default 0: no cache).
    pub cache_size: Option<u32>,
    /// The realm named in the `WWW-Authenticate` challenge (default `api`).
    pub realm: Option<String>,
}

/// When and for what a token is verified.
#[napi(object, object_to_js = false)]
pub struct VerifyTokenOptions {
    /// The verification time, Unix seconds; the system clock when absent.
    pub now: Option<f64>,
    /// Scopes the token must grant.
    pub scopes: Option<Vec<String>>,
}

/// Header options of `jwtEncode`.
#[napi(object, object_to_js = false)]
pub struct JwtEncodeOptions {
    /// Header `typ` (default `JWT`); `null` leaves it out.
    #[napi(ts_type = "string | null")]
    pub typ: Option<String>,
    /// Header `kid`; defaults to the key's.
    pub kid: Option<String>,
    /// Header `cty`.
    pub cty: Option<String>,
}

/// A JWS whose signature verified (claims not checked).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct VerifiedJws {
    /// The algorithm that verified.
    pub alg: String,
    /// The `kid` of the key that verified (the header's when the key has none), or `null`.
    pub kid: Option<String>,
    /// The whole protected header.
    pub header: Map<String, Value>,
    /// The decoded payload bytes.
    pub payload: Buffer,
}

/// Verifies JWT bearer tokens (RFC 7519, RFC 8725 practices) against a key set.
#[napi]
pub struct JwtVerifier {
    inner: Arc<core::JwtVerifier>,
}

/// `(now, scopes)` of a token verification options argument.
fn when(env: &Env, options: Option<VerifyTokenOptions>) -> Result<(i64, Vec<String>)> {
    let options = options.unwrap_or(VerifyTokenOptions {
        now: None,
        scopes: None,
    });
    let now = match options.now {
        Some(n) => unix_seconds(n, "now").or_throw(env)?,
        None => unix_now(),
    };
    Ok((now, options.scopes.unwrap_or_default()))
}

#[napi]
impl JwtVerifier {
    /// Builds a verifier over the keys of `keyset`, now and later (throws `config_invalid`,
    /// `json_invalid`).
    #[napi(
        constructor,
        ts_args_type = "keyset: JwtKeySet, options?: JwtVerifierOptions"
    )]
    pub fn new(env: Env, keyset: &JwtKeySet, options: Option<Unknown>) -> Result<Self> {
        let config = options::to_config_opt(options, CONFIG_FIELDS)?;
        Self::build(&env, &options::to_string(config), keyset)
    }

    /// Builds a verifier from the configuration's JSON text (the same schema everywhere).
    #[napi(factory)]
    pub fn from_json(env: Env, json: String, keyset: &JwtKeySet) -> Result<Self> {
        Self::build(&env, &json, keyset)
    }

    fn build(env: &Env, json: &str, keyset: &JwtKeySet) -> Result<Self> {
        let config = JwtConfig::from_json(json).or_throw(env)?;
        let inner = core::JwtVerifier::new(config, Arc::new(keyset.inner.clone())).or_throw(env)?;
        Ok(JwtVerifier {
            inner: Arc::new(inner),
        })
    }

    /// Verifies the `Authorization: Bearer` token of `request` at the request's time and
    /// checks the required `scopes`.
    #[napi]
    pub fn verify(
        &self,
        env: Env,
        request: &Request,
        scopes: Option<Vec<String>>,
    ) -> Result<Principal> {
        let scopes = scopes.unwrap_or_default();
        Ok(self
            .inner
            .verify(&request.inner, &scopes)
            .or_throw(&env)?
            .into())
    }

    /// Verifies a token at `now` (the system clock when absent) and checks `scopes`.
    #[napi]
    pub fn verify_token(
        &self,
        env: Env,
        token: String,
        options: Option<VerifyTokenOptions>,
    ) -> Result<Principal> {
        let (now, scopes) = when(&env, options)?;
        Ok(self
            .inner
            .verify_token(&token, now, &scopes)
            .or_throw(&env)?
            .into())
    }

    /// `verifyToken` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Principal>")]
    pub fn verify_token_async(
        &self,
        env: Env,
        token: String,
        options: Option<VerifyTokenOptions>,
    ) -> Result<AsyncTask<VerifyTokenTask>> {
        let (now, scopes) = when(&env, options)?;
        Ok(AsyncTask::new(VerifyTokenTask {
            verifier: Arc::clone(&self.inner),
            token,
            now,
            scopes,
        }))
    }

    /// Checks shape, header and signature only (no claims), for JWS payloads that are not
    /// JWT claims.
    #[napi]
    pub fn verify_jws(&self, env: Env, token: String) -> Result<VerifiedJws> {
        let jws = self.inner.verify_jws(&token).or_throw(&env)?;
        Ok(VerifiedJws {
            alg: jws.alg.name().to_owned(),
            kid: jws.kid,
            header: jws.header,
            payload: jws.payload.into(),
        })
    }

    /// Revokes the token id `jti` until `until` (Unix seconds; the token's `exp` is enough).
    #[napi]
    pub fn revoke(&self, env: Env, jti: String, until: f64, now: Option<f64>) -> Result<()> {
        let until = unix_seconds(until, "until").or_throw(&env)?;
        let now = match now {
            Some(n) => unix_seconds(n, "now").or_throw(&env)?,
            None => unix_now(),
        };
        self.inner.revoke(&jti, until, now).or_throw(&env)
    }

    /// Drops every cached verification (after removing a key, for instance).
    #[napi]
    pub fn clear_cache(&self) {
        self.inner.clear_cache();
    }
}

/// The work of `verifyTokenAsync`.
pub struct VerifyTokenTask {
    verifier: Arc<core::JwtVerifier>,
    token: String,
    now: i64,
    scopes: Vec<String>,
}

impl Task for VerifyTokenTask {
    type Output = std::result::Result<portcullis::Principal, portcullis::Denial>;
    type JsValue = Principal;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self
            .verifier
            .verify_token(&self.token, self.now, &self.scopes))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Principal> {
        output
            .map(Principal::from)
            .map_err(|d| from_denial(&env, d))
    }
}

/// Signs `claims` (an object or JSON object text) with `key` (a private key or a secret) and
/// returns the compact token. The header is `alg` (the key's), then `cty`, `kid` (default the
/// key's), `typ` (default `JWT`).
#[napi(
    ts_args_type = "claims: Record<string, unknown> | string, key: JwtKey, options?: JwtEncodeOptions"
)]
pub fn jwt_encode(
    env: Env,
    claims: Unknown,
    key: &JwtKey,
    options: Option<Unknown>,
) -> Result<String> {
    let claims = json_object(&env, claims, "claims")?;
    let header = options::to_config_opt(options, HEADER_FIELDS)?;
    let header = HeaderOptions::from_json(&options::to_string(header)).or_throw(&env)?;
    core::encode(&claims, &header, &key.inner).or_throw(&env)
}
