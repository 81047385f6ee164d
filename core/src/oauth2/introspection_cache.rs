//! The bounded cache of introspection results, keyed by the SHA-256 of the token (the token
//! itself is never kept). An entry answers while `stored_at <= now < expires_at`, on the
//! caller's clock; when the cache is full, expired entries are swept (at most once per second
//! of that clock) and then the oldest entry is evicted.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use sha2::{Digest, Sha256};

use super::TokenInfo;
use crate::error::Error;

/// What identifies a token in the cache and among requests in flight.
pub(crate) type TokenId = [u8; 32];

/// The SHA-256 of `token`.
pub(crate) fn token_id(token: &str) -> TokenId {
    Sha256::digest(token.as_bytes()).into()
}

/// A cached answer: the active token's information, or the `oauth_token_inactive` error.
pub(crate) type Answer = Result<Arc<TokenInfo>, Error>;

struct Entry {
    answer: Answer,
    stored_at: i64,
    expires_at: i64,
    /// Insertion order, the key of `Inner::order`.
    seq: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<TokenId, Entry>,
    /// Insertion order: the oldest entry first.
    order: BTreeMap<u64, TokenId>,
    next_seq: u64,
    /// The `now` of the last sweep of expired entries.
    last_sweep: Option<i64>,
}

impl Inner {
    fn remove(&mut self, id: &TokenId) {
        if let Some(old) = self.entries.remove(id) {
            self.order.remove(&old.seq);
        }
    }
}

pub(crate) struct Cache {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl Cache {
    /// A cache of at most `capacity` entries (0: nothing is ever stored).
    pub(crate) fn new(capacity: usize) -> Self {
        Cache {
            capacity,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The answer for `id` if its entry is valid at `now`; an expired entry is dropped.
    pub(crate) fn get(&self, id: &TokenId, now: i64) -> Option<Answer> {
        let mut inner = self.lock();
        let entry = inner.entries.get(id)?;
        if entry.stored_at <= now && now < entry.expires_at {
            return Some(entry.answer.clone());
        }
        if now >= entry.expires_at {
            inner.remove(id);
        }
        None
    }

    /// Stores `answer` for `id` from `now` until `expires_at` (nothing when that span is
    /// empty or the capacity is 0), replacing an older entry for the same token.
    pub(crate) fn put(&self, id: TokenId, answer: Answer, now: i64, expires_at: i64) {
        if self.capacity == 0 || expires_at <= now {
            return;
        }
        let mut inner = self.lock();
        inner.remove(&id);
        if inner.entries.len() >= self.capacity && inner.last_sweep != Some(now) {
            inner.last_sweep = Some(now);
            let Inner { entries, order, .. } = &mut *inner;
            entries.retain(|_, e| {
                let keep = e.expires_at > now;
                if !keep {
                    order.remove(&e.seq);
                }
                keep
            });
        }
        while inner.entries.len() >= self.capacity {
            let Some((_, oldest)) = inner.order.pop_first() else {
                break;
            };
            inner.entries.remove(&oldest);
        }
        let seq = inner.next_seq;
        inner.next_seq += 1;
        inner.order.insert(seq, id);
        inner.entries.insert(
            id,
            Entry {
                answer,
                stored_at: now,
                expires_at,
                seq,
            },
        );
    }

    /// Entries held (expired ones not yet swept included).
    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn info(sub: &str) -> Answer {
        Ok(Arc::new(TokenInfo {
            sub: Some(sub.into()),
            ..TokenInfo::default()
        }))
    }

    fn sub(answer: Option<Answer>) -> Option<String> {
        answer.and_then(|a| a.ok()).and_then(|i| i.sub.clone())
    }

    #[test]
    fn keyed_by_the_digest_of_the_token() {
        let id = token_id("tok");
        assert_eq!(id.as_slice(), Sha256::digest(b"tok").as_slice());
        assert_ne!(token_id("tok"), token_id("tok2"));
    }

    #[test]
    fn an_entry_answers_within_its_span_only() {
        let cache = Cache::new(4);
        let id = token_id("a");
        cache.put(id, info("alice"), 100, 160);
        assert_eq!(sub(cache.get(&id, 100)).as_deref(), Some("alice"));
        assert_eq!(sub(cache.get(&id, 159)).as_deref(), Some("alice"));
        // Before it was stored (a clock that went back): a miss, the entry kept.
        assert!(cache.get(&id, 99).is_none());
        assert_eq!(cache.len(), 1);
        // At its end: a miss, and the entry is dropped.
        assert!(cache.get(&id, 160).is_none());
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn inactive_answers_are_kept_as_errors() {
        let cache = Cache::new(4);
        let id = token_id("bad");
        let inactive = Error::new(ErrorCode::OAuthTokenInactive, "not active");
        cache.put(id, Err(inactive.clone()), 10, 15);
        assert_eq!(cache.get(&id, 12).unwrap().unwrap_err(), inactive);
    }

    #[test]
    fn empty_spans_and_a_zero_capacity_store_nothing() {
        let cache = Cache::new(4);
        cache.put(token_id("a"), info("a"), 10, 10);
        cache.put(token_id("b"), info("b"), 10, 9);
        assert_eq!(cache.len(), 0);
        let off = Cache::new(0);
        off.put(token_id("a"), info("a"), 10, 100);
        assert_eq!(off.len(), 0);
        assert!(off.get(&token_id("a"), 10).is_none());
    }

    #[test]
    fn full_evicts_expired_first_then_the_oldest() {
        let cache = Cache::new(3);
        let (a, b, c, d, e) = (
            token_id("a"),
            token_id("b"),
            token_id("c"),
            token_id("d"),
            token_id("e"),
        );
        cache.put(a, info("a"), 0, 100);
        cache.put(b, info("b"), 0, 10); // expires first
        cache.put(c, info("c"), 0, 100);
        // Full at 20: b has expired and goes; a (the oldest) stays.
        cache.put(d, info("d"), 20, 100);
        assert_eq!(cache.len(), 3);
        assert!(cache.get(&a, 20).is_some());
        assert!(cache.get(&b, 5).is_none());
        // Full again, nothing expired: the oldest (a) goes.
        cache.put(e, info("e"), 21, 100);
        assert_eq!(cache.len(), 3);
        assert!(cache.get(&a, 21).is_none());
        for id in [c, d, e] {
            assert!(cache.get(&id, 21).is_some());
        }
    }

    #[test]
    fn replacing_an_entry_moves_it_to_the_back() {
        let cache = Cache::new(2);
        let (a, b, c) = (token_id("a"), token_id("b"), token_id("c"));
        cache.put(a, info("a1"), 0, 100);
        cache.put(b, info("b"), 0, 100);
        cache.put(a, info("a2"), 1, 100);
        assert_eq!(cache.len(), 2);
        cache.put(c, info("c"), 2, 100);
        // b is now the oldest.
        assert!(cache.get(&b, 2).is_none());
        assert_eq!(sub(cache.get(&a, 2)).as_deref(), Some("a2"));
        assert!(cache.get(&c, 2).is_some());
    }

    #[test]
    fn never_grows_past_its_capacity() {
        let cache = Cache::new(16);
        for i in 0..1000 {
            cache.put(token_id(&format!("t{i}")), info("x"), i, i + 5);
            assert!(cache.len() <= 16);
        }
    }
}
