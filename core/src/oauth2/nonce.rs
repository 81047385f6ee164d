//! Stateless DPoP nonces (RFC 9449 section 8).
//!
//! A nonce is derived from a secret and the current time step, so every instance of a fleet that
//! shares the secret computes the same nonce without asking a store:
//!
//! ```text
//! step  = floor(now / step_seconds)                       (a signed 64-bit integer)
//! mac   = HMAC-SHA256(secret, "portcullis-dpop-nonce-v1" || 0x00 || be64(step))
//! nonce = base64url(be64(step) || mac[0..16])              (32 characters, no padding)
//! ```
//!
//! A nonce is accepted during its own step and the next one; anything else (absent, malformed,
//! older, from the future, made with another secret) is refused. The base64url alphabet lies
//! within RFC 9449's `NQCHAR`, and 128 bits of MAC make a nonce unforgeable without the secret.

use aws_lc_rs::hmac;
use subtle::ConstantTimeEq;

use crate::keys::jwk::b64url;

/// The domain-separation label of the MAC input.
const LABEL: &[u8] = b"portcullis-dpop-nonce-v1\0";
/// How many bytes of the MAC a nonce carries.
const MAC_BYTES: usize = 16;

/// The key nonces are derived with, and the length of one time step.
pub(crate) struct NonceKey {
    key: hmac::Key,
    step_seconds: i64,
}

impl std::fmt::Debug for NonceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NonceKey")
            .field("step_seconds", &self.step_seconds)
            .finish_non_exhaustive()
    }
}

impl NonceKey {
    /// A key from the secret's bytes; `step_seconds` is at least 1 (the configuration checks
    /// its range).
    pub(crate) fn new(secret: &[u8], step_seconds: u64) -> Self {
        NonceKey {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            step_seconds: i64::try_from(step_seconds.max(1)).unwrap_or(i64::MAX),
        }
    }

    fn step(&self, now: i64) -> i64 {
        now.div_euclid(self.step_seconds)
    }

    fn for_step(&self, step: i64) -> String {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(LABEL);
        ctx.update(&step.to_be_bytes());
        let tag = ctx.sign();
        let mut raw = [0u8; 8 + MAC_BYTES];
        raw[..8].copy_from_slice(&step.to_be_bytes());
        raw[8..].copy_from_slice(&tag.as_ref()[..MAC_BYTES]);
        b64url(&raw)
    }

    /// The nonce of the step `now` falls in.
    pub(crate) fn current(&self, now: i64) -> String {
        self.for_step(self.step(now))
    }

    /// True when `nonce` is the nonce of `now`'s step or of the step before (compared in
    /// constant time).
    pub(crate) fn accepts(&self, nonce: &str, now: i64) -> bool {
        let step = self.step(now);
        let current = self.for_step(step);
        let previous = self.for_step(step.saturating_sub(1));
        let hit = current.as_bytes().ct_eq(nonce.as_bytes())
            | previous.as_bytes().ct_eq(nonce.as_bytes());
        bool::from(hit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_rotate_and_the_previous_one_is_kept() {
        let key = NonceKey::new(&[7u8; 32], 300);
        let n0 = key.current(1_000_200);
        assert_eq!(n0.len(), 32);
        assert!(n0
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(key.current(1_000_200), key.current(1_000_201));
        // 1_000_200 / 300 = 3334, so the step ends at 1_000_500.
        assert!(key.accepts(&n0, 1_000_499));
        assert!(
            key.accepts(&n0, 1_000_500),
            "the next step still accepts it"
        );
        assert!(key.accepts(&n0, 1_000_799));
        assert!(
            !key.accepts(&n0, 1_000_800),
            "two steps later it is refused"
        );
        assert!(
            !key.accepts(&n0, 1_000_199),
            "a nonce from the future is refused"
        );
        assert_ne!(key.current(1_000_500), n0);
        assert!(!NonceKey::new(&[8u8; 32], 300).accepts(&n0, 1_000_200));
        assert!(!key.accepts("", 1_000_200));
        assert!(!key.accepts(&n0[..31], 1_000_200));
    }

    #[test]
    fn negative_times_do_not_panic() {
        let key = NonceKey::new(b"0123456789abcdef0123456789abcdef", 10);
        for now in [i64::MIN, -1, 0, i64::MAX] {
            let n = key.current(now);
            assert!(key.accepts(&n, now));
        }
    }
}
