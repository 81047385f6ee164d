//! JWT bearer tokens: `JwtVerifier` (sync and on the libuv pool) and `jwtEncode`. Keys are in
//! `jwt_key`.

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer, Either, External, Unknown};
use napi::{Env, JsString, Result};
use napi_derive::napi;
use serde_json::{Map, Value};

use portcullis::jwt::{self as core, HeaderOptions, JwtConfig, KeySource};

use crate::compact::{compact_token_js, with_text};
use crate::errors::{now_or_clock, unix_seconds, OrThrow, Principal};
use crate::jwks::JwksClient;
use crate::jwt_key::{json_object, JwtKey, JwtKeySet};
use crate::options;
use crate::request::Request;
use crate::task::VerifyTask;

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
    /// RFC 8705: `verify(request)` also requires the token's `cnf.x5t#S256` to be the
    /// thumbprint of the request's leaf peer certificate (default false; `verifyToken`, which
    /// has no request, then refuses every token with `jwt_confirmation_mismatch`).
    pub require_certificate_binding: Option<bool>,
    /// The longest lifetime a token may claim, seconds (default 86400): `exp - iat`, and `exp`
    /// beyond now plus the leeway (`jwt_lifetime_too_long`); `null` turns the check off.
    #[napi(ts_type = "number | null")]
    pub max_lifetime_seconds: Option<u32>,
    /// Accept a key set holding HMAC secrets and asymmetric keys together (default false: such
    /// a set is refused with `config_invalid`).
    pub allow_mixed_key_types: Option<bool>,
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

/// Verifies JWT bearer tokens (RFC 7519, RFC 8725 practices) against a key set: a
/// `JwtKeySet`, or a `JwksClient` (remote JWKS; a cold or stale cache fetches during
/// verification, so use `verifyAsync`/`verifyTokenAsync` to keep the event loop free).
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
    let now = now_or_clock(env, options.now)?;
    Ok((now, options.scopes.unwrap_or_default()))
}

#[napi]
impl JwtVerifier {
    /// Builds a verifier over the keys of `keys` (a `JwtKeySet`, now and later, or a
    /// `JwksClient`). Throws `config_invalid`, `json_invalid`.
    #[napi(
        catch_unwind,
        constructor,
        ts_args_type = "keys: JwtKeySet | JwksClient, options?: JwtVerifierOptions"
    )]
    pub fn new(
        env: Env,
        keys: Either<&JwtKeySet, &JwksClient>,
        options: Option<Unknown>,
    ) -> Result<Self> {
        Self::build(
            &env,
            options::config(&env, options, JwtConfig::from_json)?,
            keys,
        )
    }

    /// Builds a verifier from the configuration's JSON text (the same schema everywhere) over
    /// a `JwtKeySet` or a `JwksClient`.
    #[napi(
        catch_unwind,
        factory,
        ts_args_type = "json: string, keys: JwtKeySet | JwksClient"
    )]
    pub fn from_json(
        env: Env,
        json: String,
        keys: Either<&JwtKeySet, &JwksClient>,
    ) -> Result<Self> {
        Self::build(&env, JwtConfig::from_json(&json).or_throw(&env)?, keys)
    }

    fn build(env: &Env, config: JwtConfig, keys: Either<&JwtKeySet, &JwksClient>) -> Result<Self> {
        let source: Arc<dyn KeySource> = match keys {
            Either::A(keyset) => Arc::new(keyset.inner.clone()),
            Either::B(client) => Arc::clone(&client.inner) as Arc<dyn KeySource>,
        };
        let inner = core::JwtVerifier::new(config, source).or_throw(env)?;
        Ok(JwtVerifier {
            inner: Arc::new(inner),
        })
    }

    /// Verifies the `Authorization: Bearer` token of `request` at the request's time and
    /// checks the required `scopes`. Runs on the calling thread: over a `JwksClient` whose
    /// cache is cold or stale it waits for the fetch, so prefer `verifyAsync` there.
    #[napi(catch_unwind)]
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

    /// `verify` for the JS layer (`jwt.js`): the principal as compact JSON text (see
    /// [`compact_token_js`]), or as the object when JSON cannot carry it exactly. Not part of
    /// the API.
    #[napi(catch_unwind, skip_typescript, js_name = "_verifyCompact")]
    pub fn verify_compact<'env>(
        &self,
        env: &'env Env,
        request: &Request,
        scopes: Option<Vec<String>>,
    ) -> Result<Either<JsString<'env>, Principal>> {
        let scopes = scopes.unwrap_or_default();
        let verified = self
            .inner
            .verify_claims(&request.inner, &scopes)
            .or_throw(env)?;
        compact_token_js(env, verified)
    }

    /// `verify` on the libuv thread pool (what to call with a `JwksClient`: a fetch then never
    /// blocks the event loop).
    #[napi(catch_unwind, ts_return_type = "Promise<Principal>")]
    pub fn verify_async(
        &self,
        request: &Request,
        scopes: Option<Vec<String>>,
    ) -> AsyncTask<VerifyTask> {
        let (verifier, request) = (Arc::clone(&self.inner), request.inner.clone());
        VerifyTask::spawn(move || verifier.verify(&request, &scopes.unwrap_or_default()))
    }

    /// Verifies a token at `now` (the system clock when absent) and checks `scopes`. Runs on
    /// the calling thread (see `verify`; `verifyTokenAsync` does not block).
    #[napi(catch_unwind)]
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

    /// The verifier as an external value, for `_verifyTokenWith` (the JS layer keeps one per
    /// verifier). Not part of the API.
    #[napi(catch_unwind, skip_typescript, js_name = "_handle")]
    pub fn handle(&self) -> External<Arc<core::JwtVerifier>> {
        External::new(Arc::clone(&self.inner))
    }

    /// `verifyToken` for the JS layer (`jwt.js`): the verifier as its `_handle` (a plain
    /// external value is cheaper to reach than `this`), `now` and `scopes` as plain arguments
    /// (no options object to read through N-API), and the principal as JSON text (see
    /// [`compact_token_js`]), or as the object when JSON cannot carry it exactly. Not part of
    /// the API.
    #[napi(catch_unwind, skip_typescript, js_name = "_verifyTokenWith")]
    pub fn verify_token_with<'env>(
        env: &'env Env,
        handle: &External<Arc<core::JwtVerifier>>,
        token: JsString,
        now: Option<f64>,
        scopes: Option<Vec<String>>,
    ) -> Result<Either<JsString<'env>, Principal>> {
        let now = now_or_clock(env, now)?;
        let scopes = scopes.unwrap_or_default();
        let verified = with_text(token, |token| {
            handle.verify_token_claims(token, now, &scopes)
        })?
        .or_throw(env)?;
        compact_token_js(env, verified)
    }

    /// `verifyToken` on the libuv thread pool (a `JwksClient` fetch never blocks the event
    /// loop).
    #[napi(catch_unwind, ts_return_type = "Promise<Principal>")]
    pub fn verify_token_async(
        &self,
        env: Env,
        token: String,
        options: Option<VerifyTokenOptions>,
    ) -> Result<AsyncTask<VerifyTask>> {
        let ((now, scopes), verifier) = (when(&env, options)?, Arc::clone(&self.inner));
        Ok(VerifyTask::spawn(move || {
            verifier.verify_token(&token, now, &scopes)
        }))
    }

    /// Checks shape, header and signature only (no claims), for JWS payloads that are not
    /// JWT claims.
    #[napi(catch_unwind)]
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
    #[napi(catch_unwind)]
    pub fn revoke(&self, env: Env, jti: String, until: f64, now: Option<f64>) -> Result<()> {
        let until = unix_seconds(until, "until").or_throw(&env)?;
        let now = now_or_clock(&env, now)?;
        self.inner.revoke(&jti, until, now).or_throw(&env)
    }

    /// Drops every cached verification (after removing a key, for instance).
    #[napi(catch_unwind)]
    pub fn clear_cache(&self) {
        self.inner.clear_cache();
    }
}

/// Signs `claims` (an object or JSON object text) with `key` (a private key or a secret) and
/// returns the compact token. The header is `alg` (the key's), then `cty`, `kid` (default the
/// key's), `typ` (default `JWT`).
#[napi(
    catch_unwind,
    ts_args_type = "claims: Record<string, unknown> | string, key: JwtKey, options?: JwtEncodeOptions"
)]
pub fn jwt_encode(
    env: Env,
    claims: Unknown,
    key: &JwtKey,
    options: Option<Unknown>,
) -> Result<String> {
    let claims = json_object(&env, claims, "claims")?;
    let header = options::config(&env, options, HeaderOptions::from_json)?;
    core::encode(&claims, &header, &key.inner).or_throw(&env)
}
