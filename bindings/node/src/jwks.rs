//! Remote key sets: `JwksClient` fetches a JWKS (directly or by OpenID / RFC 8414 discovery),
//! caches and refreshes it; a `JwtVerifier` built over it reads its keys.
//!
//! The client is blocking (the core has no runtime): `refreshAsync()` and the verifier's
//! `verifyAsync()` / `verifyTokenAsync()` run the network on the libuv thread pool, so the event
//! loop keeps running while a key set is fetched.

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, Result, Task};
use napi_derive::napi;

use portcullis::jwt::remote::JwksState;
use portcullis::jwt::{JwksClient as CoreClient, JwksConfig};

use crate::errors::{from_error, OrThrow};
use crate::options;
use crate::task::catch_panic;

/// Where and how a `JwksClient` fetches keys (`JwksConfig` in the core; `fromJson` takes the
/// same schema in snake_case). Exactly one of `url` and `issuer`.
#[napi(object, object_to_js = false)]
pub struct JwksClientOptions {
    /// The JWKS URL: `https://`, or `http://` to localhost / a loopback address only.
    pub url: Option<String>,
    /// An issuer whose discovery document names the JWKS URL (instead of `url`); discovery
    /// runs lazily, with the first fetch.
    pub issuer: Option<String>,
    /// Which discovery document: `openid-configuration` (default) or
    /// `oauth-authorization-server` (RFC 8414).
    #[napi(ts_type = "'openid-configuration' | 'oauth-authorization-server'")]
    pub discovery: Option<String>,
    /// Shortest time a set is fresh, whatever the server says (default 300).
    pub min_ttl_seconds: Option<u32>,
    /// Longest time a set is fresh, whatever the server says (default 86400).
    pub max_ttl_seconds: Option<u32>,
    /// Freshness when the response has no usable `Cache-Control` (default 600).
    pub default_ttl_seconds: Option<u32>,
    /// Least time between a fetch and a refetch for an unknown `kid`, and before retrying a
    /// failed fetch (default 30).
    pub kid_miss_cooldown_seconds: Option<u32>,
    /// How long after it expired the last good set is still served while fetches fail
    /// (default 86400; 0 fails closed at expiry).
    pub max_stale_seconds: Option<u32>,
    /// Total time for one request, body included, milliseconds (default 5000).
    pub timeout_ms: Option<u32>,
    /// Time to connect (TCP and TLS), milliseconds (default 2000).
    pub connect_timeout_ms: Option<u32>,
    /// Largest response body accepted, bytes (default 512 KiB, at most 4 MiB).
    pub max_bytes: Option<u32>,
    /// PEM root certificates that replace the built-in Mozilla roots (private PKI).
    pub ca_pem: Option<String>,
    /// Algorithms accepted; keys for others are skipped. Empty: every asymmetric algorithm.
    pub algorithms: Option<Vec<String>>,
    /// Skip keys without `kid`, and refuse tokens without `kid` (default false).
    pub require_kid: Option<bool>,
}

/// The most recent failed fetch of a `JwksClient`.
#[napi(object, object_from_js = false)]
pub struct JwksFailure {
    /// The error code (`jwt_jwks_unavailable`, `jwt_jwks_invalid`, `jwt_discovery_invalid`).
    pub code: String,
    /// What went wrong (host and HTTP status at most; never a body or a query string).
    pub detail: String,
    /// When, Unix seconds.
    pub at: i64,
}

/// What a `JwksClient` holds and how its fetches went.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct JwksStatus {
    /// Freshness of the cached set.
    #[napi(ts_type = "'empty' | 'fresh' | 'stale' | 'expired'")]
    pub state: String,
    /// The configured issuer (discovery), or `null`.
    pub issuer: Option<String>,
    /// The JWKS URL in use (configured or discovered), without its query string, or `null`
    /// before discovery.
    pub jwks_uri: Option<String>,
    /// Keys in the cached set.
    pub keys: u32,
    /// Their `kid`s (keys without one are counted, not listed).
    pub kids: Vec<String>,
    /// When the cached set was fetched, Unix seconds.
    pub fetched_at: Option<i64>,
    /// When it stops being fresh, Unix seconds.
    pub expires_at: Option<i64>,
    /// When it stops being served at all, Unix seconds.
    pub stale_until: Option<i64>,
    /// When the last fetch started, Unix seconds.
    pub last_attempt_at: Option<i64>,
    /// Fetch attempts so far (a discovery and its JWKS fetch count as one).
    pub fetch_count: i64,
    /// Failed attempts so far.
    pub failure_count: i64,
    /// The most recent failure (kept after later successes; compare `at` with `fetchedAt`).
    pub last_error: Option<JwksFailure>,
    /// True while a fetch is in flight.
    pub fetching: bool,
}

fn seconds(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl From<portcullis::jwt::JwksStatus> for JwksStatus {
    fn from(s: portcullis::jwt::JwksStatus) -> Self {
        JwksStatus {
            state: match s.state {
                JwksState::Empty => "empty",
                JwksState::Fresh => "fresh",
                JwksState::Stale => "stale",
                JwksState::Expired => "expired",
            }
            .to_owned(),
            issuer: s.issuer,
            jwks_uri: s.jwks_uri,
            keys: u32::try_from(s.keys).unwrap_or(u32::MAX),
            kids: s.kids,
            fetched_at: s.fetched_at.map(seconds),
            expires_at: s.expires_at.map(seconds),
            stale_until: s.stale_until.map(seconds),
            last_attempt_at: s.last_attempt_at.map(seconds),
            fetch_count: seconds(s.fetch_count),
            failure_count: seconds(s.failure_count),
            last_error: s.last_error.map(|e| JwksFailure {
                code: e.code.to_owned(),
                detail: e.detail,
                at: seconds(e.at),
            }),
            fetching: s.fetching,
        }
    }
}

/// A remote JWKS: fetched, cached, refreshed (single flight, stale serving, kid-miss refetch).
/// Building one does no I/O; the first verification or `refresh()` fetches. Pass it to
/// `new JwtVerifier(client, options)` in place of a `JwtKeySet`.
#[napi]
pub struct JwksClient {
    pub(crate) inner: Arc<CoreClient>,
}

#[napi]
impl JwksClient {
    /// Builds the client (throws `config_invalid`; no network).
    #[napi(catch_unwind, constructor, ts_args_type = "options: JwksClientOptions")]
    pub fn new(env: Env, options: Unknown) -> Result<Self> {
        let options = options::object(options)?;
        Self::build(
            &env,
            options::config_of(&env, &options, &[], JwksConfig::from_json)?,
        )
    }

    /// Builds the client from the configuration's JSON text (the same schema everywhere).
    #[napi(catch_unwind, factory)]
    pub fn from_json(env: Env, json: String) -> Result<Self> {
        Self::build(&env, JwksConfig::from_json(&json).or_throw(&env)?)
    }

    fn build(env: &Env, config: JwksConfig) -> Result<Self> {
        let inner = CoreClient::new(config).or_throw(env)?;
        Ok(JwksClient {
            inner: Arc::new(inner),
        })
    }

    /// Fetches now on the calling thread (blocks the event loop up to `timeoutMs`: prefer
    /// `refreshAsync`). Throws `jwt_jwks_unavailable`, `jwt_jwks_invalid`,
    /// `jwt_discovery_invalid`; the previous set stays in use on failure.
    #[napi(catch_unwind)]
    pub fn refresh(&self, env: Env) -> Result<()> {
        self.inner.refresh().or_throw(&env)
    }

    /// `refresh` on the libuv thread pool.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn refresh_async(&self) -> AsyncTask<RefreshTask> {
        AsyncTask::new(RefreshTask {
            client: Arc::clone(&self.inner),
        })
    }

    /// The cached set and the fetch history (no network).
    #[napi(catch_unwind)]
    pub fn status(&self) -> JwksStatus {
        self.inner.status().into()
    }

    /// `JwksClient { issuer, jwksUri, state, kids }` (the URL without its query).
    #[napi(catch_unwind, js_name = "toString")]
    pub fn to_display(&self) -> String {
        let s = JwksStatus::from(self.inner.status());
        let text = |o: Option<String>| o.map_or_else(|| "null".to_owned(), |v| format!("{v:?}"));
        format!(
            "JwksClient {{ issuer: {}, jwksUri: {}, state: \"{}\", kids: {:?} }}",
            text(s.issuer),
            text(s.jwks_uri),
            s.state,
            s.kids
        )
    }
}

/// The work of `refreshAsync`.
pub struct RefreshTask {
    client: Arc<CoreClient>,
}

impl Task for RefreshTask {
    type Output = std::result::Result<(), portcullis::Error>;
    type JsValue = ();

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(catch_panic(|| self.client.refresh()).and_then(|r| r))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<()> {
        output.map_err(|e| from_error(&env, e))
    }
}
