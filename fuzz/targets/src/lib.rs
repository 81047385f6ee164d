//! The fuzz targets of portcullis: one `pub fn <target>(data: &[u8])` each, asserting real
//! invariants with `assert!` / `panic!` (a panic is a finding): the library never panics; a
//! refusal is a named [`ErrorCode`](portcullis::ErrorCode) with a non-empty detail that quotes
//! no secret the target configured; where a second implementation exists, both agree.
//!
//! The same functions run under libFuzzer (the cargo-fuzz crate in `fuzz/`, nightly:
//! `make fuzz`) and on stable in `tests/smoke.rs` (`make fuzz-smoke`, part of
//! `cargo test --workspace`): seeds, committed regressions, a bounded mutation pass. [`seeds`]
//! builds each target's seed inputs from tests/vectors; `fuzz-seed DIR` writes them as corpora.

mod check;
pub mod credentials;
pub mod gate;
pub mod jose;
pub mod jwt;
pub mod keys;
pub mod oauth;
pub mod raw_request;
mod seeds;
pub mod signed;
mod vectors;

pub use seeds::{seeds, source};

/// The time every target checks at unless its input names one: gate.json's and most vectors'.
pub const NOW: i64 = 1_750_000_000;

/// A fuzz target: panics on a finding.
pub type Target = fn(&[u8]);

/// Every target, by the name cargo-fuzz and the smoke test know it by.
pub const TARGETS: &[(&str, Target)] = &[
    ("json_strict", jose::json_strict),
    ("base64url", jose::base64url),
    ("claims_readers", jose::claims_readers),
    ("jose_header", jose::jose_header),
    ("jwt_verify", jwt::jwt_verify),
    ("jwt_mutated", jwt::jwt_mutated),
    ("jwk", jwt::jwk),
    ("jwks", jwt::jwks),
    ("pem_der_keys", keys::pem_der_keys),
    ("basic_credentials", credentials::basic_credentials),
    ("htpasswd", credentials::htpasswd),
    ("apikey_verify", credentials::apikey_verify),
    ("webhook_verify", signed::webhook_verify),
    ("pcs1_verify", signed::pcs1_verify),
    ("httpsig_verify", signed::httpsig_verify),
    ("mtls_forwarded", signed::mtls_forwarded),
    ("gate_config", gate::gate_config),
    ("gate_check", gate::gate_check),
    ("dpop_verify", oauth::dpop_verify),
];

/// The target named `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
