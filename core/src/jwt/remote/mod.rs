//! Remote key sets: [`JwksClient`] fetches a JWKS over HTTPS (or finds it by OpenID / RFC 8414
//! discovery), caches it and is a [`KeySource`] for [`JwtVerifier`](super::JwtVerifier).
//!
//! - Lazy: building a client does no I/O; the first `keys()` (or [`JwksClient::refresh`])
//!   fetches. [`JwksClient::from_issuer`] runs discovery at once to surface a wrong issuer early.
//! - Freshness: `Cache-Control: max-age` (less `Age`), `no-store`/`no-cache` as the minimum, else
//!   the default, always clamped to `[min_ttl_seconds, max_ttl_seconds]`.
//! - Single flight: one fetch at a time. While it runs, callers holding a usable set (fresh, or
//!   stale within `max_stale_seconds`) answer from it without waiting; callers with none wait for
//!   it, bounded by the timeout. No lock is held across the network.
//! - A `kid` missing from a fresh set triggers one refetch, at most one per
//!   `kid_miss_cooldown_seconds` since the last fetch; a failed fetch is retried after the same
//!   cooldown (except by [`JwksClient::refresh`]).
//! - A failed or malformed fetch keeps the previous set, which is served until
//!   `max_stale_seconds` after it expired; then the source fails closed.
//! - Keys are parsed once per fetch and shared; the fresh-set path is a read lock and a scan.

mod cache_control;
mod config;
mod discovery;
mod document;

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::{JwtKey, KeySource};
use crate::error::{Error, ErrorCode};
use crate::http::{check_url, CheckedUrl, HttpClient, HttpSettings};

pub use crate::http::MAX_URL_BYTES;
pub use config::{
    JwksConfig, MAX_COOLDOWN_SECONDS, MAX_JWKS_BYTES, MAX_TIMEOUT_MS, MAX_TTL_SECONDS,
};
pub use discovery::{DiscoveredMetadata, Discovery};

/// The time source of a [`JwksClient`]: milliseconds since the Unix epoch, never going back.
/// The default is the system clock read once, then advanced by a monotonic clock.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

fn system_clock() -> Clock {
    let start = Instant::now();
    let unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    Arc::new(move || {
        let elapsed = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        unix_ms.saturating_add(elapsed)
    })
}

/// One fetched set, replaced whole by the next good fetch.
struct Snapshot {
    keys: Vec<Arc<JwtKey>>,
    fetched_at: u64,
    expires_at: u64,
    stale_until: u64,
}

impl Snapshot {
    fn lookup(&self, kid: Option<&str>) -> Vec<Arc<JwtKey>> {
        self.keys
            .iter()
            .filter(|k| kid.is_none() || k.kid() == kid)
            .cloned()
            .collect()
    }
}

/// Single-flight bookkeeping (held only briefly, never across I/O).
#[derive(Default)]
struct Flight {
    in_flight: bool,
    completed: u64,
    last_attempt: Option<u64>,
    retry_after: u64,
    last_outcome: Option<Result<(), Error>>,
    jwks_url: Option<CheckedUrl>,
    discovered: Option<DiscoveredMetadata>,
}

#[derive(Default)]
struct Stats {
    fetch_count: u64,
    failure_count: u64,
    last_error: Option<(Error, u64)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Why {
    /// No set, or the set expired: honours the failure backoff.
    Expired,
    /// A `kid` is missing from the set: honours the cooldown since the last fetch.
    KidMiss,
    /// [`JwksClient::refresh`].
    Forced,
}

/// The freshness of the cached set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JwksState {
    /// Nothing fetched yet (or every fetch failed).
    Empty,
    /// Within its TTL.
    Fresh,
    /// Expired, still served while refreshes fail (within `max_stale_seconds`).
    Stale,
    /// Expired beyond `max_stale_seconds`: not served; verification fails closed.
    Expired,
}

/// The last failure of a [`JwksClient`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JwksFailure {
    /// The error code name (`jwt_jwks_unavailable`, ...).
    pub code: &'static str,
    /// What went wrong (host and HTTP status at most; never a body or a query).
    pub detail: String,
    /// When, in Unix seconds.
    pub at: u64,
}

/// What a [`JwksClient`] holds and how its fetches went (serialises to JSON for bindings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JwksStatus {
    /// Freshness of the cached set.
    pub state: JwksState,
    /// The configured issuer, when discovery is used.
    pub issuer: Option<String>,
    /// The JWKS URL in use (configured or discovered), without its query string.
    pub jwks_uri: Option<String>,
    /// Keys in the cached set.
    pub keys: usize,
    /// Their `kid`s (keys without one are counted, not listed).
    pub kids: Vec<String>,
    /// When the cached set was fetched (the last successful fetch), Unix seconds.
    pub fetched_at: Option<u64>,
    /// When it stops being fresh, Unix seconds.
    pub expires_at: Option<u64>,
    /// When it stops being served at all, Unix seconds.
    pub stale_until: Option<u64>,
    /// When the last fetch started, Unix seconds.
    pub last_attempt_at: Option<u64>,
    /// Fetch attempts so far (a discovery and its JWKS fetch count as one).
    pub fetch_count: u64,
    /// Failed attempts so far.
    pub failure_count: u64,
    /// The most recent failure (kept after later successes; compare `at` with `fetched_at`).
    pub last_error: Option<JwksFailure>,
    /// True while a fetch is in flight.
    pub fetching: bool,
}

/// A remote JWKS: fetched over HTTPS, cached, refreshed; a [`KeySource`]. `Send + Sync`;
/// share it with `Arc`.
pub struct JwksClient {
    config: JwksConfig,
    http: HttpClient,
    clock: Clock,
    wait_bound: Duration,
    set: RwLock<Option<Arc<Snapshot>>>,
    flight: Mutex<Flight>,
    done: Condvar,
    stats: Mutex<Stats>,
}

impl fmt::Debug for JwksClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.status();
        f.debug_struct("JwksClient")
            .field("issuer", &status.issuer)
            .field("jwks_uri", &status.jwks_uri)
            .field("state", &status.state)
            .field("keys", &status.kids)
            .finish_non_exhaustive()
    }
}

fn secs(ms: u64) -> u64 {
    ms / 1000
}

impl JwksClient {
    /// A client for `config` (validated; no I/O: the first use fetches).
    pub fn new(config: JwksConfig) -> Result<Self, Error> {
        Self::with_clock(config, system_clock())
    }

    /// A client reading time from `clock` (tests step it instead of sleeping). Network
    /// timeouts still use real time.
    pub fn with_clock(config: JwksConfig, clock: Clock) -> Result<Self, Error> {
        config.validate()?;
        let http = HttpClient::new(&HttpSettings {
            connect_timeout: Duration::from_millis(config.connect_timeout_ms),
            timeout: Duration::from_millis(config.timeout_ms),
            max_bytes: config.max_bytes,
            ca_pem: config.ca_pem.clone(),
            accept: "application/jwk-set+json, application/json",
        })?;
        let jwks_url = match &config.url {
            Some(url) => Some(check_url(url, "url", ErrorCode::ConfigInvalid)?),
            None => None,
        };
        // A waiter outlasts the fetch it waits for: discovery and JWKS, plus a margin.
        let requests = if jwks_url.is_some() { 1 } else { 2 };
        let wait_bound = Duration::from_millis(config.timeout_ms * requests + 1000);
        Ok(JwksClient {
            config,
            http,
            clock,
            wait_bound,
            set: RwLock::new(None),
            flight: Mutex::new(Flight {
                jwks_url,
                ..Flight::default()
            }),
            done: Condvar::new(),
            stats: Mutex::new(Stats::default()),
        })
    }

    /// A client that finds its JWKS through `issuer`'s discovery document, fetched now (so a
    /// wrong issuer fails here, with `jwt_discovery_invalid`); the key set is fetched lazily.
    /// `config.url` must be unset.
    pub fn from_issuer(issuer: &str, mut config: JwksConfig) -> Result<Self, Error> {
        if config.url.is_some() || config.issuer.as_deref().is_some_and(|i| i != issuer) {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                "from_issuer takes a configuration without url (or with the same issuer)",
            ));
        }
        config.issuer = Some(issuer.to_owned());
        Self::from_issuer_with_clock(config, system_clock())
    }

    /// [`JwksClient::from_issuer`] with a test clock; `config.issuer` names the issuer.
    pub fn from_issuer_with_clock(config: JwksConfig, clock: Clock) -> Result<Self, Error> {
        let client = Self::with_clock(config, clock)?;
        let issuer = client.config.issuer.clone().unwrap_or_default();
        let (metadata, url) = discovery::discover(&client.http, &issuer, client.config.discovery)?;
        let mut flight = client.lock_flight();
        flight.jwks_url = Some(url);
        flight.discovered = Some(metadata);
        drop(flight);
        Ok(client)
    }

    /// The configuration.
    pub fn config(&self) -> &JwksConfig {
        &self.config
    }

    /// What discovery found, once it ran.
    pub fn discovered(&self) -> Option<DiscoveredMetadata> {
        self.lock_flight().discovered.clone()
    }

    /// Fetches now (waiting for a fetch already in flight instead of starting another), and
    /// returns how that fetch went. On failure the previous set stays in use.
    pub fn refresh(&self) -> Result<(), Error> {
        match self.fetch(Why::Forced, true) {
            Some(outcome) => outcome,
            None => Err(Error::new(
                ErrorCode::JwtJwksUnavailable,
                "timed out waiting for the JWKS fetch in flight",
            )),
        }
    }

    /// The cached set and the fetch history.
    pub fn status(&self) -> JwksStatus {
        let now = self.now();
        let snapshot = self.current();
        let (fetching, last_attempt, jwks_uri) = {
            let flight = self.lock_flight();
            (
                flight.in_flight,
                flight.last_attempt,
                flight.jwks_url.as_ref().map(|u| u.redacted().to_owned()),
            )
        };
        let stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        let state = match &snapshot {
            None => JwksState::Empty,
            Some(s) if now < s.expires_at => JwksState::Fresh,
            Some(s) if now < s.stale_until => JwksState::Stale,
            Some(_) => JwksState::Expired,
        };
        JwksStatus {
            state,
            issuer: self.config.issuer.clone(),
            jwks_uri,
            keys: snapshot.as_ref().map_or(0, |s| s.keys.len()),
            kids: snapshot.as_ref().map_or_else(Vec::new, |s| {
                s.keys
                    .iter()
                    .filter_map(|k| k.kid().map(str::to_owned))
                    .collect()
            }),
            fetched_at: snapshot.as_ref().map(|s| secs(s.fetched_at)),
            expires_at: snapshot.as_ref().map(|s| secs(s.expires_at)),
            stale_until: snapshot.as_ref().map(|s| secs(s.stale_until)),
            last_attempt_at: last_attempt.map(secs),
            fetch_count: stats.fetch_count,
            failure_count: stats.failure_count,
            last_error: stats.last_error.as_ref().map(|(e, at)| JwksFailure {
                code: e.code().name(),
                detail: e.detail().to_owned(),
                at: secs(*at),
            }),
            fetching,
        }
    }

    fn now(&self) -> u64 {
        (self.clock)()
    }

    fn lock_flight(&self) -> std::sync::MutexGuard<'_, Flight> {
        self.flight.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn current(&self) -> Option<Arc<Snapshot>> {
        self.set
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The set if it may be served now (fresh or stale), else the reason it may not.
    fn usable(&self) -> Result<Arc<Snapshot>, Error> {
        let now = self.now();
        if let Some(s) = self.current().filter(|s| now < s.stale_until) {
            return Ok(s);
        }
        let stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        Err(match &stats.last_error {
            Some((e, _)) => e.clone(),
            None => Error::new(
                ErrorCode::JwtJwksUnavailable,
                "no JWKS fetched yet (a fetch is still in flight)",
            ),
        })
    }

    /// Runs a fetch for `why` unless one is not due; when one is in flight, waits for it if
    /// `wait` (bounded) or returns at once. `None`: no fetch ran or finished in time.
    fn fetch(&self, why: Why, wait: bool) -> Option<Result<(), Error>> {
        let mut flight = self.lock_flight();
        if flight.in_flight {
            if !wait {
                return None;
            }
            let seen = flight.completed;
            let deadline = Instant::now() + self.wait_bound;
            while flight.in_flight && flight.completed == seen {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return None;
                }
                flight = self
                    .done
                    .wait_timeout(flight, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            return flight.last_outcome.clone();
        }
        let now = self.now();
        let cooldown = self.config.kid_miss_cooldown_seconds.saturating_mul(1000);
        let due = match why {
            Why::Forced => true,
            Why::Expired => now >= flight.retry_after,
            Why::KidMiss => {
                now >= flight.retry_after
                    && flight
                        .last_attempt
                        .is_none_or(|t| now >= t.saturating_add(cooldown))
            }
        };
        if !due {
            return None;
        }
        flight.in_flight = true;
        flight.last_attempt = Some(now);
        let url = flight.jwks_url.clone();
        drop(flight);
        let mut guard = FlightGuard {
            client: self,
            outcome: Err(Error::new(ErrorCode::Internal, "JWKS fetch did not finish")),
        };
        guard.outcome = self.run_fetch(url);
        let outcome = guard.outcome.clone();
        drop(guard);
        Some(outcome)
    }

    /// Discovery when needed, then the JWKS; installs the new set. No lock held meanwhile.
    fn run_fetch(&self, url: Option<CheckedUrl>) -> Result<(), Error> {
        let url = match url {
            Some(url) => url,
            None => {
                let issuer = self.config.issuer.as_deref().unwrap_or_default();
                let (metadata, url) =
                    discovery::discover(&self.http, issuer, self.config.discovery)?;
                let mut flight = self.lock_flight();
                flight.jwks_url = Some(url.clone());
                flight.discovered = Some(metadata);
                url
            }
        };
        let fetched = self.http.get(&url, "JWKS").map_err(|e| {
            // An oversized set is an unusable set.
            e.into_error(ErrorCode::JwtJwksUnavailable, ErrorCode::JwtJwksInvalid)
        })?;
        let keys = document::parse(
            &fetched.body,
            url.host(),
            &self.config.algorithms,
            self.config.require_kid,
        )?;
        let freshness = cache_control::freshness(&fetched.cache_control, fetched.age.as_deref());
        let ttl = cache_control::ttl_seconds(
            freshness,
            self.config.min_ttl_seconds,
            self.config.max_ttl_seconds,
            self.config.default_ttl_seconds,
        );
        let now = self.now();
        let expires_at = now.saturating_add(ttl.saturating_mul(1000));
        let snapshot = Snapshot {
            keys,
            fetched_at: now,
            expires_at,
            stale_until: expires_at
                .saturating_add(self.config.max_stale_seconds.saturating_mul(1000)),
        };
        *self.set.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(snapshot));
        Ok(())
    }
}

/// Ends a fetch even if it unwound: records the outcome, clears the flag, wakes waiters.
struct FlightGuard<'a> {
    client: &'a JwksClient,
    outcome: Result<(), Error>,
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        let client = self.client;
        let now = client.now();
        {
            let mut stats = client.stats.lock().unwrap_or_else(PoisonError::into_inner);
            stats.fetch_count += 1;
            if let Err(e) = &self.outcome {
                stats.failure_count += 1;
                stats.last_error = Some((e.clone(), now));
            }
        }
        let mut flight = client.lock_flight();
        flight.in_flight = false;
        flight.completed += 1;
        flight.retry_after = match self.outcome {
            Ok(()) => 0,
            Err(_) => {
                now.saturating_add(client.config.kid_miss_cooldown_seconds.saturating_mul(1000))
            }
        };
        flight.last_outcome = Some(self.outcome.clone());
        drop(flight);
        client.done.notify_all();
    }
}

impl KeySource for JwksClient {
    fn may_block(&self) -> bool {
        true
    }

    /// The keys for `kid` (every key without one). A fresh set answers from memory; an
    /// expired or missing set is fetched first (a stale set answers while another caller
    /// fetches); an unknown `kid` refetches at most once per cooldown, then is
    /// `jwt_key_unknown`. No usable set: `jwt_jwks_unavailable` or `jwt_jwks_invalid`.
    fn keys(&self, kid: Option<&str>) -> Result<Vec<Arc<JwtKey>>, Error> {
        if self.config.require_kid && kid.is_none() {
            return Err(Error::new(
                ErrorCode::JwtKeyUnknown,
                "the token has no kid and the JWKS source requires one",
            ));
        }
        let now = self.now();
        let snapshot = match self.current() {
            Some(s) if now < s.expires_at => s,
            cached => {
                let serving = cached.is_some_and(|s| now < s.stale_until);
                self.fetch(Why::Expired, !serving);
                self.usable()?
            }
        };
        let found = snapshot.lookup(kid);
        if !found.is_empty() || kid.is_none() {
            return Ok(found);
        }
        if self.fetch(Why::KidMiss, true).is_some() {
            let found = self.usable()?.lookup(kid);
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Err(Error::new(
            ErrorCode::JwtKeyUnknown,
            "no key with the token's kid in the remote JWKS",
        ))
    }
}

#[cfg(test)]
mod tests;
