//! State shared between requests and, with a shared backend, between instances of a service:
//! replay nonces and message ids, revoked token ids, rate-limit buckets and failure counters
//! ([`LimitStore`]).
//!
//! Every backend fails closed: when it cannot answer, the caller refuses the request with
//! `store_unavailable` instead of letting it through.

mod limits;

pub use limits::{BucketState, FailureState, LimitStore, MAX_BUCKET_UNITS};

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode};

/// Where replay-protection entries live.
pub trait ReplayStore: Send + Sync + Debug {
    /// Records `key` in `namespace` until `expires_at` (Unix seconds). Returns `Ok(true)` the
    /// first time, `Ok(false)` when the key is already recorded and not yet expired (a replay),
    /// and an error (`store_unavailable`) when the store cannot tell.
    fn remember(
        &self,
        namespace: &str,
        key: &[u8],
        expires_at: i64,
        now: i64,
    ) -> Result<bool, Error>;
}

/// Where revoked credential ids (JWT `jti`, ...) live until they would have expired anyway.
pub trait RevocationStore: Send + Sync + Debug {
    /// Records `id` in `namespace` as revoked until `until` (Unix seconds); an error
    /// (`store_unavailable`) when the store cannot record it.
    fn revoke(&self, namespace: &str, id: &[u8], until: i64, now: i64) -> Result<(), Error>;

    /// True when `id` is revoked at `now`; an error (`store_unavailable`) when the store cannot
    /// tell, and the caller refuses the credential.
    fn is_revoked(&self, namespace: &str, id: &[u8], now: i64) -> Result<bool, Error>;
}

/// The in-process store: bounded, entries expire with their window. Replay and revocation keys
/// are kept as SHA-256 digests, so an entry costs the same whatever the client sent; limit
/// keys (routes, addresses, principals: the gate's own) as 64-bit keyed hashes, random per
/// store, so no client can steer two keys into one bucket.
///
/// Replay and revocation entries, rate-limit buckets and failure counters are three maps, each
/// holding at most `max_entries`, so a flood of one kind cannot crowd out another.
#[derive(Debug)]
pub struct MemoryStore {
    max_entries: usize,
    entries: Mutex<HashMap<[u8; 32], i64>>,
    /// Set by the first revocation: until then no credential can be revoked, and a check for
    /// one costs nothing (no digest, no lock).
    any_revoked: AtomicBool,
    buckets: Mutex<limits::Table<limits::Bucket>>,
    failures: Mutex<limits::Table<limits::Failures>>,
    /// The key of the limit tables' ids (see `limits::limit_id`).
    limit_key: RandomState,
}

/// Entries a [`MemoryStore`] holds by default.
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(DEFAULT_MAX_ENTRIES)
    }
}

impl MemoryStore {
    /// A store that holds at most `max_entries` live entries of each kind; when it is full of
    /// unexpired entries, new ones are refused with `store_unavailable` (fail closed) rather
    /// than evicting entries that still guard against a replay or count toward a limit.
    pub fn new(max_entries: usize) -> Self {
        MemoryStore {
            max_entries: max_entries.max(1),
            entries: Mutex::new(HashMap::new()),
            any_revoked: AtomicBool::new(false),
            buckets: Mutex::default(),
            failures: Mutex::default(),
            limit_key: RandomState::new(),
        }
    }

    /// Live and expired replay and revocation entries currently held.
    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// True when no replay or revocation entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rate-limit buckets and failure counters currently held, idle ones included.
    pub fn limit_entries(&self) -> (usize, usize) {
        let buckets = self
            .buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        (buckets, failures)
    }
}

impl ReplayStore for MemoryStore {
    fn remember(
        &self,
        namespace: &str,
        key: &[u8],
        expires_at: i64,
        now: i64,
    ) -> Result<bool, Error> {
        let id = entry_id(namespace, key);
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(&until) = entries.get(&id) {
            if until > now {
                return Ok(false);
            }
        }
        if entries.len() >= self.max_entries {
            entries.retain(|_, until| *until > now);
            if entries.len() >= self.max_entries {
                return Err(Error::new(
                    ErrorCode::StoreUnavailable,
                    "replay store is full of live entries",
                ));
            }
        }
        entries.insert(id, expires_at);
        Ok(true)
    }
}

fn entry_id(namespace: &str, key: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update((namespace.len() as u64).to_be_bytes());
    hasher.update(namespace.as_bytes());
    hasher.update(key);
    hasher.finalize().into()
}

impl RevocationStore for MemoryStore {
    fn revoke(&self, namespace: &str, id: &[u8], until: i64, now: i64) -> Result<(), Error> {
        self.any_revoked.store(true, Ordering::Release);
        let id = entry_id(namespace, id);
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if !entries.contains_key(&id) && entries.len() >= self.max_entries {
            entries.retain(|_, u| *u > now);
            if entries.len() >= self.max_entries {
                return Err(Error::new(
                    ErrorCode::StoreUnavailable,
                    "revocation store is full of live entries",
                ));
            }
        }
        let slot = entries.entry(id).or_insert(until);
        *slot = (*slot).max(until);
        Ok(())
    }

    fn is_revoked(&self, namespace: &str, id: &[u8], now: i64) -> Result<bool, Error> {
        if !self.any_revoked.load(Ordering::Acquire) {
            return Ok(false);
        }
        let id = entry_id(namespace, id);
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(entries.get(&id).is_some_and(|&until| until > now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_until_expiry() {
        let s = MemoryStore::new(10);
        assert!(s.remember("a", b"k", 100, 0).unwrap());
        assert!(!s.remember("a", b"k", 100, 50).unwrap());
        assert!(
            s.remember("b", b"k", 100, 50).unwrap(),
            "namespaces are apart"
        );
        assert!(
            s.remember("a", b"k", 200, 100).unwrap(),
            "expired entries renew"
        );
    }

    #[test]
    fn revocations_last_until_their_end() {
        let s = MemoryStore::new(10);
        assert!(!s.is_revoked("jwt", b"j", 0).unwrap());
        s.revoke("jwt", b"j", 100, 0).unwrap();
        s.revoke("jwt", b"j", 50, 0).unwrap();
        assert!(s.is_revoked("jwt", b"j", 99).unwrap());
        assert!(!s.is_revoked("other", b"j", 99).unwrap());
        assert!(!s.is_revoked("jwt", b"j", 100).unwrap());
    }

    #[test]
    fn full_store_fails_closed_then_recovers() {
        let s = MemoryStore::new(2);
        assert!(s.remember("n", b"1", 10, 0).unwrap());
        assert!(s.remember("n", b"2", 10, 0).unwrap());
        let e = s.remember("n", b"3", 10, 5).unwrap_err();
        assert_eq!(e.code(), ErrorCode::StoreUnavailable);
        assert!(
            s.remember("n", b"3", 30, 10).unwrap(),
            "expired entries are swept"
        );
        assert_eq!(s.len(), 1);
    }
}
