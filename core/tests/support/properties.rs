//! What the property tests share (`#[path]`-included by tests/properties*.rs).
#![allow(dead_code)] // each test crate uses a part

use proptest::prelude::ProptestConfig;

/// `PROPTEST_CASES` cases per property (default 24, which keeps `make test` quick).
pub fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(24),
        ..ProptestConfig::default()
    }
}

/// `bytes` with bit `bit` (modulo its length in bits) flipped; `bytes` is not empty.
pub fn flip(bytes: impl AsRef<[u8]>, bit: usize) -> Vec<u8> {
    let mut out = bytes.as_ref().to_vec();
    let i = bit % (out.len() * 8);
    out[i / 8] ^= 1 << (i % 8);
    out
}
