//! HTTP Basic: `BasicAuth`, `parseBasic`, `hashPassword`. Password checks (argon2id, bcrypt,
//! SHA-crypt) are slow by design: the `...Async` forms run them on the libuv thread pool.

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer, Either, Unknown};
use napi::{Env, Result, Task};
use napi_derive::napi;
use zeroize::Zeroizing;

use portcullis::basic::{self as core, Argon2Params, BasicConfig};
use portcullis::ErrorCode;

use crate::errors::{from_error, OrThrow, Principal};
use crate::options;
use crate::request::Request;
use crate::task::{catch_panic, VerifyTask};

/// Argon2id cost parameters; absent fields take the core's defaults (19456 KiB, 2, 1).
#[napi(object)]
pub struct HashParams {
    /// Memory in KiB.
    pub memory_kib: Option<u32>,
    /// Passes over memory.
    pub iterations: Option<u32>,
    /// Lanes.
    pub parallelism: Option<u32>,
}

/// The Basic verifier's configuration (`BasicConfig` in the core).
#[napi(object, object_to_js = false)]
pub struct BasicAuthOptions {
    /// The realm named in the challenge (default `api`).
    pub realm: Option<String>,
    /// Users and their password hashes (PHC argon2, bcrypt, SHA-crypt).
    pub users: Option<std::collections::HashMap<String, String>>,
    /// The text of an htpasswd file (`user:hash` lines).
    pub htpasswd: Option<String>,
    /// The path of an htpasswd file.
    pub htpasswd_file: Option<String>,
    /// Accept `{SHA}`, `$apr1$` and `$1$` hashes (for a migration; flagged for rehash).
    pub allow_legacy: Option<bool>,
    /// The argon2id parameters new hashes should have; weaker hashes are flagged for rehash.
    pub rehash_params: Option<HashParams>,
}

/// Decoded Basic credentials.
#[napi(object)]
pub struct BasicCredentials {
    /// The user-id.
    pub user_id: String,
    /// The password.
    pub password: String,
}

/// HTTP Basic verifier over a fixed set of users. Immutable once built.
#[napi]
pub struct BasicAuth {
    inner: Arc<core::BasicAuth>,
}

#[napi]
impl BasicAuth {
    /// Builds the verifier (throws `config_invalid`, `basic_hash_*`, `basic_htpasswd_malformed`).
    #[napi(catch_unwind, constructor, ts_args_type = "options?: BasicAuthOptions")]
    pub fn new(env: Env, options: Option<Unknown>) -> Result<Self> {
        Self::build(
            &env,
            options::config(&env, options, BasicConfig::from_json)?,
        )
    }

    /// Builds the verifier from the configuration's JSON text (the same schema everywhere).
    #[napi(catch_unwind, factory)]
    pub fn from_json(env: Env, json: String) -> Result<Self> {
        Self::build(&env, BasicConfig::from_json(&json).or_throw(&env)?)
    }

    fn build(env: &Env, config: BasicConfig) -> Result<Self> {
        let inner = core::BasicAuth::new(config).or_throw(env)?;
        Ok(BasicAuth {
            inner: Arc::new(inner),
        })
    }

    /// Number of users.
    #[napi(catch_unwind, getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// The `WWW-Authenticate` value this verifier sends.
    #[napi(catch_unwind, getter)]
    pub fn challenge(&self) -> String {
        self.inner.challenge().header_value()
    }

    /// Verifies the request's `Authorization: Basic` credentials on the calling thread.
    #[napi(catch_unwind)]
    pub fn verify(&self, env: Env, request: &Request) -> Result<Principal> {
        Ok(self.inner.verify(&request.inner).or_throw(&env)?.into())
    }

    /// Verifies on the libuv thread pool; the event loop keeps running meanwhile.
    #[napi(catch_unwind, ts_return_type = "Promise<Principal>")]
    pub fn verify_async(&self, request: &Request) -> AsyncTask<VerifyTask> {
        let (auth, request) = (Arc::clone(&self.inner), request.inner.clone());
        VerifyTask::spawn(move || auth.verify(&request))
    }
}

fn params(env: &Env, options: Option<Unknown>) -> Result<Argon2Params> {
    options::value(
        env,
        options,
        "argon2 parameters",
        ErrorCode::InvalidArgument,
    )
}

fn password_bytes(password: Either<String, Buffer>) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(match password {
        Either::A(text) => text.into_bytes(),
        Either::B(bytes) => bytes.to_vec(),
    })
}

/// Hashes `password` with argon2id and a fresh salt; returns the PHC string. Runs on the
/// calling thread (tens of milliseconds with the defaults): prefer `hashPasswordAsync`.
#[napi(
    catch_unwind,
    ts_args_type = "password: string | Buffer, params?: HashParams"
)]
pub fn hash_password(
    env: Env,
    password: Either<String, Buffer>,
    params: Option<Unknown>,
) -> Result<String> {
    let params = self::params(&env, params)?;
    core::hash_password(&password_bytes(password), params).or_throw(&env)
}

/// `hashPassword` on the libuv thread pool.
#[napi(
    catch_unwind,
    ts_args_type = "password: string | Buffer, params?: HashParams",
    ts_return_type = "Promise<string>"
)]
pub fn hash_password_async(
    env: Env,
    password: Either<String, Buffer>,
    params: Option<Unknown>,
) -> Result<AsyncTask<HashTask>> {
    let params = self::params(&env, params)?;
    Ok(AsyncTask::new(HashTask {
        password: password_bytes(password),
        params,
    }))
}

/// The work of `hashPasswordAsync`.
pub struct HashTask {
    password: Zeroizing<Vec<u8>>,
    params: Argon2Params,
}

impl Task for HashTask {
    type Output = std::result::Result<String, portcullis::Error>;
    type JsValue = String;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(catch_panic(|| core::hash_password(&self.password, self.params)).and_then(|r| r))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<String> {
        output.map_err(|e| from_error(&env, e))
    }
}

/// Parses a whole `Authorization` header value (`Basic <base64>`); throws `basic_*` errors.
#[napi(catch_unwind, ts_args_type = "header: string | Buffer")]
pub fn parse_basic(env: Env, header: Either<String, Buffer>) -> Result<BasicCredentials> {
    let bytes = password_bytes(header);
    let credentials = core::parse_authorization(&bytes).or_throw(&env)?;
    Ok(BasicCredentials {
        user_id: credentials.user_id.clone(),
        password: credentials.password.expose().to_owned(),
    })
}
