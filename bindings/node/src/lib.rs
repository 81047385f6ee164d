//! Node.js binding of portcullis (napi-rs): one API-authentication core for every service.
//!
//! Thin by design: this crate converts JS values to the core's types and core failures to
//! JS `Error` objects with a `code`; every rule lives in the `portcullis` crate.

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod apikey;
mod basic;
mod errors;
mod options;
mod request;

// The option structs document the options objects in `index.d.ts`; the values themselves are
// converted generically (see `options`), so the core's serde defaults apply.
pub use apikey::{
    ApiKeyRecord, ApiKeyRing, ApiKeyRingOptions, GenerateOptions, IssuedApiKey, RotateOptions,
    Rotation,
};
pub use basic::{
    hash_password, hash_password_async, parse_basic, BasicAuth, BasicAuthOptions, BasicCredentials,
    HashParams,
};
pub use errors::Principal;
pub use request::{Request, RequestOptions};

use napi_derive::napi;

/// The library version.
// Lower-case so the export is `version` (napi-rs names a const export after the Rust item).
#[allow(non_upper_case_globals)]
#[napi]
pub const version: &str = portcullis::VERSION;
