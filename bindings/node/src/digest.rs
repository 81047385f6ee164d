//! RFC 9530 `Content-Digest`: `contentDigest` and `verifyContentDigest`.

use napi::bindgen_prelude::{Buffer, Either};
use napi::{Env, Result};
use napi_derive::napi;

use portcullis::digest::{self as core, Algorithm};

use crate::errors::{invalid_argument, OrThrow};
use crate::options;

/// Text the core built (canonical requests, signature bases): UTF-8 unless a header value held
/// other bytes, which a string cannot carry faithfully (`invalid_argument`).
pub fn text(bytes: Vec<u8>, what: &str) -> std::result::Result<String, portcullis::Error> {
    String::from_utf8(bytes).map_err(|_| {
        invalid_argument(format!(
            "{what} holds bytes that are not UTF-8 and cannot be returned as a string"
        ))
    })
}

/// The `Content-Digest` header value for `body` (a Buffer, or a string sent as UTF-8):
/// `sha-256=:<base64>:`. `algorithm` is `sha-256` (default) or `sha-512`; any other is
/// `invalid_argument`.
#[napi(catch_unwind)]
pub fn content_digest(
    env: Env,
    body: Either<Buffer, String>,
    #[napi(ts_arg_type = "'sha-256' | 'sha-512'")] algorithm: Option<String>,
) -> Result<String> {
    let name = algorithm.as_deref().unwrap_or("sha-256");
    let alg = Algorithm::parse(name).or_throw(&env)?;
    Ok(core::content_digest(&options::bytes(body), alg))
}

/// Checks a `Content-Digest` header value against `body` (`null`: the host has no body).
/// Returns the strongest algorithm checked (`sha-256` or `sha-512`); throws
/// `signature_malformed`, `signature_algorithm_unsupported`, `signature_body_missing` or
/// `signature_digest_mismatch`.
#[napi(catch_unwind)]
pub fn verify_content_digest(
    env: Env,
    header: Either<Buffer, String>,
    #[napi(ts_arg_type = "Buffer | string | null")] body: Option<Either<Buffer, String>>,
) -> Result<String> {
    let body = body.map(options::bytes);
    let alg =
        core::verify_content_digest(&options::bytes(header), body.as_deref()).or_throw(&env)?;
    Ok(alg.name().to_owned())
}
