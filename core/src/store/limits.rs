//! Rate-limit token buckets and failure counters (brute-force lockout).
//!
//! The arithmetic is integer only. A bucket's level is counted in 1/`window_seconds` of a
//! token, so a bucket of `quota` tokens per `window_seconds` holds at most `quota *
//! window_seconds` units and refills exactly `quota` units per second: fractional rates (3
//! tokens per 10 s) neither drift nor round, whatever the spacing of the calls.

use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::BuildHasherDefault;
use std::sync::PoisonError;

use super::MemoryStore;
use crate::error::{Error, ErrorCode};

/// A token bucket's state after one take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BucketState {
    /// A token was taken.
    pub allowed: bool,
    /// Whole tokens left after this take.
    pub remaining: u32,
    /// Seconds until the bucket is full again (rounded up).
    pub reset_seconds: u32,
    /// When not allowed: seconds until one token is available (rounded up, at least 1); 0
    /// otherwise.
    pub retry_after: u32,
}

/// Consecutive failures counted under one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct FailureState {
    /// Failures in a row, none more than the window apart.
    pub count: u32,
    /// When the latest failure happened (Unix seconds); 0 when there is none.
    pub last_failure: i64,
}

/// The largest `quota * window_seconds` a bucket accepts: 2^53, the integers a double holds
/// exactly, so that a Redis backend's Lua script computes the same numbers as [`MemoryStore`].
pub const MAX_BUCKET_UNITS: u64 = 1 << 53;

/// Where rate-limit buckets and failure counters live.
///
/// Times are the request's clock in Unix seconds. That clock may go backwards (tests, a stepped
/// system clock): a bucket then refills nothing until time passes its latest take again, and
/// its waits are counted from that take; a failure counter keeps its latest failure time.
///
/// Every call is one atomic read-modify-write of one key, so a shared backend implements each
/// as one Lua script (`EVALSHA`) on Redis or Valkey: a hash `{level, last, quota, window}` for
/// a bucket and `{count, last}` for failures, with the request's `now` as an argument and
/// `PEXPIREAT` at the time the entry becomes idle (a bucket full again, a failure older than
/// its window). An idle entry answers exactly as a missing one, so expiry loses nothing. The
/// arithmetic is integer only and bounded by [`MAX_BUCKET_UNITS`], which Lua's doubles hold.
///
/// A backend that cannot answer (unreachable, or full of live entries) returns
/// `store_unavailable`. The gate treats that as a refusal (503) unless its configuration opts
/// in to failing open for limits: a full store never lets through a request that the limit
/// would have refused. `invalid_argument` is returned for a zero quota or window, or a bucket
/// larger than [`MAX_BUCKET_UNITS`].
pub trait LimitStore: Send + Sync + Debug {
    /// Takes one token from bucket `key` in `namespace`. The bucket holds at most `quota` tokens
    /// and refills continuously at `quota / window_seconds` tokens per second; a new bucket
    /// starts full. A denied take takes nothing.
    fn take_token(
        &self,
        namespace: &str,
        key: &[u8],
        quota: u32,
        window_seconds: u32,
        now: i64,
    ) -> Result<BucketState, Error>;

    /// Adds one failure; the count restarts from 1 when the previous failure is older than
    /// `window_seconds`. Returns the state after the increment.
    fn record_failure(
        &self,
        namespace: &str,
        key: &[u8],
        window_seconds: u32,
        now: i64,
    ) -> Result<FailureState, Error>;

    /// The current state: count 0 when there is none or the latest is older than
    /// `window_seconds`.
    fn failures(
        &self,
        namespace: &str,
        key: &[u8],
        window_seconds: u32,
        now: i64,
    ) -> Result<FailureState, Error>;

    /// Forgets the failures under `key` (after a success).
    fn clear_failures(&self, namespace: &str, key: &[u8]) -> Result<(), Error>;
}

/// One bucket as a [`MemoryStore`] keeps it (and a Redis hash would).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Bucket {
    // Units of 1/window token; at most quota * window.
    level: u64,
    // When `level` was computed; never moves backwards.
    last: i64,
    quota: u32,
    window: u32,
    // From then on the bucket is full again, the same as a missing one.
    full_at: i64,
}

/// One failure counter as a [`MemoryStore`] keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Failures {
    count: u32,
    last: i64,
    // From then on the latest failure is older than the window: the same as none.
    idle_at: i64,
}

pub(super) trait Idle {
    fn idle_at(&self) -> i64;
}

impl Idle for Bucket {
    fn idle_at(&self) -> i64 {
        self.full_at
    }
}

impl Idle for Failures {
    fn idle_at(&self) -> i64 {
        self.idle_at
    }
}

/// A bounded map of entries that become idle (removable without changing any answer) at a
/// known time.
#[derive(Debug)]
pub(super) struct Table<E> {
    // Ids are keyed hashes already (`limit_id`): the map uses them as they are.
    entries: HashMap<u64, E, BuildHasherDefault<IdHasher>>,
    // No entry is idle before this: a full table of live entries is not swept again (an O(n)
    // pass under the lock) on every new key, which would let a flood of keys stall every
    // request.
    next_sweep: i64,
}

impl<E> Default for Table<E> {
    fn default() -> Self {
        Table {
            entries: HashMap::default(),
            next_sweep: i64::MAX,
        }
    }
}

impl<E: Idle> Table<E> {
    /// Ok when `id` is present or there is room for it, sweeping idle entries if needed.
    fn make_room(&mut self, id: &u64, max: usize, now: i64, what: &str) -> Result<(), Error> {
        if self.entries.len() < max || self.entries.contains_key(id) {
            return Ok(());
        }
        if now >= self.next_sweep {
            let mut next = i64::MAX;
            self.entries.retain(|_, e| {
                let at = e.idle_at();
                next = if at > now { next.min(at) } else { next };
                at > now
            });
            self.next_sweep = next;
        }
        if self.entries.len() < max {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::StoreUnavailable,
                format!("{what} store is full of live entries"),
            ))
        }
    }

    /// Records that an entry was written with this idle time.
    fn note(&mut self, idle_at: i64) {
        self.next_sweep = self.next_sweep.min(idle_at);
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }
}

fn check_window(window_seconds: u32) -> Result<(), Error> {
    if window_seconds == 0 {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "a limit's window must be at least one second",
        ));
    }
    Ok(())
}

fn check_bucket(quota: u32, window_seconds: u32) -> Result<(), Error> {
    check_window(window_seconds)?;
    if quota == 0 {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "a rate limit's quota must be at least one request",
        ));
    }
    if u64::from(quota) * u64::from(window_seconds) > MAX_BUCKET_UNITS {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("a rate limit's quota times its window must not exceed {MAX_BUCKET_UNITS}"),
        ));
    }
    Ok(())
}

fn clamp_u32(n: i128) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

fn clamp_i64(n: i128) -> i64 {
    i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
}

impl Bucket {
    fn new(quota: u32, window: u32, now: i64) -> Bucket {
        Bucket {
            level: u64::from(quota) * u64::from(window),
            last: now,
            quota,
            window,
            full_at: now,
        }
    }

    /// One take at `now`; the whole of what a Redis script would do. `quota` and `window` were
    /// checked by `check_bucket`.
    fn take(&mut self, quota: u32, window: u32, now: i64) -> BucketState {
        let rate = u64::from(quota);
        let token = u64::from(window);
        let capacity = rate * token;
        if self.quota != quota || self.window != window {
            // A reloaded configuration: keep the same fraction of a token, at the new scale.
            let scaled = u128::from(self.level) * u128::from(window) / u128::from(self.window);
            self.level = u64::try_from(scaled).unwrap_or(u64::MAX).min(capacity);
            self.quota = quota;
            self.window = window;
        }
        let elapsed = i128::from(now) - i128::from(self.last);
        if elapsed > 0 {
            // A bucket left longer than its window is full, so longer gaps need not be counted.
            let seconds = u64::try_from(elapsed.min(i128::from(window))).unwrap_or(token);
            self.level = (self.level + seconds * rate).min(capacity);
            self.last = now;
        }
        // When the clock went back, `last` is ahead of `now`: waits count from `last`.
        let behind = i128::from(self.last) - i128::from(now);
        let allowed = self.level >= token;
        if allowed {
            self.level -= token;
        }
        let to_full = (capacity - self.level).div_ceil(rate);
        self.full_at = clamp_i64(i128::from(self.last) + i128::from(to_full));
        let retry_after = if allowed {
            0
        } else {
            clamp_u32(behind + i128::from((token - self.level).div_ceil(rate))).max(1)
        };
        BucketState {
            allowed,
            // At most `quota`, a u32.
            remaining: u32::try_from(self.level / token).unwrap_or(u32::MAX),
            reset_seconds: clamp_u32(behind + i128::from(to_full)),
            retry_after,
        }
    }
}

fn is_stale(last: i64, window: u32, now: i64) -> bool {
    i128::from(now) - i128::from(last) > i128::from(window)
}

/// The id of a limit entry: a keyed SipHash (the store's random key) of the namespace and the
/// key. A cryptographic digest is not needed: the keys are the gate's own (route names,
/// addresses, principal names), a client cannot predict the hash to merge two of them, and two
/// ids that collide anyway (one chance in 2^64 per pair) only share a bucket.
fn limit_id(store: &MemoryStore, namespace: &str, key: &[u8]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = store.limit_key.build_hasher();
    h.write_usize(namespace.len());
    h.write(namespace.as_bytes());
    h.write(key);
    h.finish()
}

/// Passes a `u64` id through as its own hash.
#[derive(Default)]
pub(super) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (the ids are u64); fold anything else in all the same.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl LimitStore for MemoryStore {
    fn take_token(
        &self,
        namespace: &str,
        key: &[u8],
        quota: u32,
        window_seconds: u32,
        now: i64,
    ) -> Result<BucketState, Error> {
        check_bucket(quota, window_seconds)?;
        // Hashed before locking: the critical section is a map lookup and a few integer ops.
        let id = limit_id(self, namespace, key);
        let mut table = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        table.make_room(&id, self.max_entries, now, "rate-limit")?;
        let bucket = table
            .entries
            .entry(id)
            .or_insert_with(|| Bucket::new(quota, window_seconds, now));
        let state = bucket.take(quota, window_seconds, now);
        let idle_at = bucket.full_at;
        table.note(idle_at);
        Ok(state)
    }

    fn record_failure(
        &self,
        namespace: &str,
        key: &[u8],
        window_seconds: u32,
        now: i64,
    ) -> Result<FailureState, Error> {
        check_window(window_seconds)?;
        let id = limit_id(self, namespace, key);
        let mut table = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        table.make_room(&id, self.max_entries, now, "failure counter")?;
        let f = table.entries.entry(id).or_insert(Failures {
            count: 0,
            last: now,
            idle_at: now,
        });
        f.count = if is_stale(f.last, window_seconds, now) {
            1
        } else {
            f.count.saturating_add(1)
        };
        // A clock that went back must not shorten the window of the latest failure.
        f.last = f.last.max(now);
        f.idle_at = clamp_i64(i128::from(f.last) + i128::from(window_seconds) + 1);
        let failures = *f;
        table.note(failures.idle_at);
        Ok(FailureState {
            count: failures.count,
            last_failure: failures.last,
        })
    }

    fn failures(
        &self,
        namespace: &str,
        key: &[u8],
        window_seconds: u32,
        now: i64,
    ) -> Result<FailureState, Error> {
        check_window(window_seconds)?;
        let id = limit_id(self, namespace, key);
        let table = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(match table.entries.get(&id) {
            Some(f) if !is_stale(f.last, window_seconds, now) => FailureState {
                count: f.count,
                last_failure: f.last,
            },
            _ => FailureState::default(),
        })
    }

    fn clear_failures(&self, namespace: &str, key: &[u8]) -> Result<(), Error> {
        let id = limit_id(self, namespace, key);
        let mut table = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        table.entries.remove(&id);
        Ok(())
    }
}

#[cfg(test)]
#[path = "limits_tests.rs"]
mod tests;
