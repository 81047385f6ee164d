//! Rate limits and lockout: token buckets per route, address or principal, and failure
//! counters per address and per account, all kept in the store.
//!
//! Lockout policy (ASVS v5 6.1.1): failures are counted per source address and, for methods
//! whose credential names an account (the Basic user-id), per account. A present but invalid
//! credential counts; a request without credentials, a valid credential lacking a scope, and a
//! server-side failure do not. From `threshold` consecutive failures on, each further attempt
//! waits `base_delay_seconds`, doubling per failure up to `max_delay_seconds`; at
//! `max_failures` (at most 100, NIST SP 800-63B 5.2.2) the key is locked until
//! `window_seconds` have passed since its last failure. Attempts refused while blocked are not
//! counted, so a blocked attacker cannot extend a lock. A success clears the account's
//! counter, never the address's (an attacker holding one valid account cannot reset it).
//!
//! Against a victim's lockout: an attacker guessing one account from one address is stopped by
//! the address counter long before the account counter locks (use a lower address
//! `threshold`); locking a victim needs `max_failures` failures from addresses that each stay
//! under their own limit, and ends by itself after `window_seconds`.

use crate::decision::Denial;
use crate::error::ErrorCode;
use crate::store::{BucketState, FailureState, LimitStore};

use super::config::{FailurePolicy, LimitKey, RateLimitConfig};

/// A rate limit as a route applies it.
#[derive(Clone, Debug)]
pub(crate) struct RateLimit {
    pub name: &'static str,
    pub config: RateLimitConfig,
    namespace: String,
}

impl RateLimit {
    pub(crate) fn new(name: &str, config: RateLimitConfig) -> Self {
        RateLimit {
            // Interned: every decision that touches the limit names it.
            name: super::audit::intern_str(name),
            namespace: format!("gate:rate:{name}"),
            config,
        }
    }

    pub(crate) fn key(&self) -> LimitKey {
        self.config.key
    }

    /// Takes a token for `key`. `Ok(None)`: the store failed and the limit fails open.
    pub(crate) fn take(
        &self,
        store: &dyn LimitStore,
        key: &[u8],
        now: i64,
    ) -> Result<Option<BucketState>, Denial> {
        match store.take_token(
            &self.namespace,
            key,
            self.config.quota,
            self.config.window_seconds,
            now,
        ) {
            Ok(state) => Ok(Some(state)),
            Err(_) if self.config.fail_open => Ok(None),
            Err(e) => Err(Denial::from(e)),
        }
    }

    /// This limit in `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers): `"name";q=;w=`.
    pub(crate) fn policy_item(&self) -> String {
        format!(
            "\"{}\";q={};w={}",
            self.name, self.config.quota, self.config.window_seconds
        )
    }
}

/// The buckets one request touched, for the `RateLimit` header and `Retry-After`.
#[derive(Debug, Default)]
pub(crate) struct Taken {
    items: Vec<(&'static str, BucketState)>,
}

impl Taken {
    pub(crate) fn push(&mut self, name: &'static str, state: BucketState) {
        self.items.push((name, state));
    }

    /// Seconds until every exhausted bucket has a token again, when one is exhausted.
    pub(crate) fn exhausted(&self) -> Option<u32> {
        self.items
            .iter()
            .filter(|(_, s)| !s.allowed)
            .map(|(_, s)| s.retry_after.max(1))
            .max()
    }

    /// The `RateLimit` field value: `"name";r=remaining;t=reset` per bucket.
    pub(crate) fn header(&self) -> Option<String> {
        if self.items.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(self.items.len() * 40);
        for (i, (n, s)) in self.items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push('"');
            out.push_str(n);
            out.push_str("\";r=");
            push_decimal(&mut out, s.remaining);
            out.push_str(";t=");
            push_decimal(&mut out, s.reset_seconds);
        }
        Some(out)
    }
}

/// Appends `n` in decimal (what `write!` does, without the formatting machinery: this runs on
/// every rate-limited decision).
fn push_decimal(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // ASCII digits: always UTF-8.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or("0"));
}

/// A failure counter under one policy.
#[derive(Clone, Debug)]
pub(crate) struct FailureCounter {
    pub policy: FailurePolicy,
    namespace: String,
}

impl FailureCounter {
    pub(crate) fn new(namespace: String, policy: FailurePolicy) -> Self {
        FailureCounter { policy, namespace }
    }

    /// Seconds the key must still wait, if it is blocked now.
    pub(crate) fn blocked(
        &self,
        store: &dyn LimitStore,
        key: &[u8],
        now: i64,
    ) -> Result<Option<u64>, Denial> {
        let state = store
            .failures(&self.namespace, key, self.policy.window_seconds, now)
            .map_err(Denial::from)?;
        Ok(blocked_for(&self.policy, state, now))
    }

    pub(crate) fn record(&self, store: &dyn LimitStore, key: &[u8], now: i64) {
        // A counter the store cannot record is lost, not a reason to change the decision: the
        // request is already refused.
        let _ = store.record_failure(&self.namespace, key, self.policy.window_seconds, now);
    }

    pub(crate) fn clear(&self, store: &dyn LimitStore, key: &[u8]) {
        let _ = store.clear_failures(&self.namespace, key);
    }
}

/// How long after `state.last_failure` the key is blocked, as seconds from `now`.
pub(crate) fn blocked_for(policy: &FailurePolicy, state: FailureState, now: i64) -> Option<u64> {
    if state.count == 0 {
        return None;
    }
    let wait = if state.count >= policy.max_failures {
        u64::from(policy.window_seconds)
    } else if state.count >= policy.threshold {
        let doublings = state.count - policy.threshold;
        let delay = u64::from(policy.base_delay_seconds)
            .checked_shl(doublings)
            .filter(|d| d >> doublings == u64::from(policy.base_delay_seconds))
            .unwrap_or(u64::MAX);
        delay.min(u64::from(policy.max_delay_seconds))
    } else {
        return None;
    };
    let until = state
        .last_failure
        .saturating_add(i64::try_from(wait).unwrap_or(i64::MAX));
    (until > now).then(|| u64::try_from(until - now).unwrap_or(u64::MAX))
}

/// Checks a failure policy's ranges; the message is prefixed with its path by the caller.
pub(crate) fn validate_failure_policy(p: &FailurePolicy) -> Result<(), String> {
    if p.max_failures == 0 || p.max_failures > 100 {
        return Err("max_failures must be 1 to 100 (NIST SP 800-63B 5.2.2)".into());
    }
    if p.threshold == 0 || p.threshold > p.max_failures {
        return Err("threshold must be 1 to max_failures".into());
    }
    if p.base_delay_seconds == 0 || p.base_delay_seconds > p.max_delay_seconds {
        return Err("base_delay_seconds must be 1 to max_delay_seconds".into());
    }
    if p.max_delay_seconds > 86_400 || p.window_seconds == 0 || p.window_seconds > 86_400 {
        return Err("max_delay_seconds and window_seconds must be 1 to 86400".into());
    }
    Ok(())
}

/// Checks a rate limit's ranges.
pub(crate) fn validate_rate_limit(c: &RateLimitConfig) -> Result<(), String> {
    if c.quota == 0 || c.quota > 1_000_000 {
        return Err("quota must be 1 to 1000000".into());
    }
    if c.window_seconds == 0 || c.window_seconds > 86_400 {
        return Err("window_seconds must be 1 to 86400".into());
    }
    Ok(())
}

/// The denial of a blocked key.
pub(crate) fn locked_out(wait: u64, what: &'static str) -> (Denial, u64) {
    (Denial::new(ErrorCode::LockedOut, what), wait.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> FailurePolicy {
        FailurePolicy {
            threshold: 3,
            max_failures: 6,
            base_delay_seconds: 2,
            max_delay_seconds: 5,
            window_seconds: 100,
        }
    }

    fn state(count: u32, last_failure: i64) -> FailureState {
        FailureState {
            count,
            last_failure,
        }
    }

    #[test]
    fn delays_double_up_to_the_cap_then_lock() {
        let p = policy();
        assert_eq!(blocked_for(&p, state(2, 1000), 1000), None);
        assert_eq!(blocked_for(&p, state(3, 1000), 1000), Some(2));
        assert_eq!(blocked_for(&p, state(3, 1000), 1001), Some(1));
        assert_eq!(blocked_for(&p, state(3, 1000), 1002), None);
        assert_eq!(blocked_for(&p, state(4, 1000), 1000), Some(4));
        assert_eq!(blocked_for(&p, state(5, 1000), 1000), Some(5), "capped");
        assert_eq!(blocked_for(&p, state(6, 1000), 1000), Some(100), "locked");
        assert_eq!(blocked_for(&p, state(6, 1000), 1100), None);
    }

    #[test]
    fn huge_counts_do_not_overflow() {
        let mut p = policy();
        p.max_failures = 100;
        p.max_delay_seconds = 900;
        assert_eq!(blocked_for(&p, state(99, 0), 0), Some(900));
        assert_eq!(
            blocked_for(&p, state(u32::MAX, i64::MAX), 0),
            Some(i64::MAX as u64)
        );
    }

    #[test]
    fn validation() {
        assert!(validate_failure_policy(&FailurePolicy::default()).is_ok());
        let p = FailurePolicy {
            max_failures: 101,
            ..FailurePolicy::default()
        };
        assert!(validate_failure_policy(&p).is_err());
        let p = FailurePolicy {
            max_failures: 5,
            threshold: 6,
            ..FailurePolicy::default()
        };
        assert!(validate_failure_policy(&p).is_err());
    }
}
