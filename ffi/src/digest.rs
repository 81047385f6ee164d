//! RFC 9530 `Content-Digest`: computing and checking body digests.

use portcullis::digest::{content_digest, verify_content_digest, Algorithm};
use portcullis::Error;

use crate::boundary::{bytes_in, guard, out_buf, text_in};
use crate::result::portcullis_result;

/// The digest algorithm with this registry name; length 0 is `sha-256`.
fn algorithm_named(name: &str) -> Result<Algorithm, Error> {
    if name.is_empty() {
        return Ok(Algorithm::default());
    }
    Algorithm::parse(name)
}

/// The `Content-Digest` header value of `body` (raw bytes): `sha-256=:<base64>:`.
/// `algorithm` is UTF-8 `sha-256` or `sha-512` (length 0: `sha-256`; anything else:
/// `INVALID_ARGUMENT`).
#[no_mangle]
pub unsafe extern "C" fn portcullis_content_digest(
    body: *const u8,
    body_len: usize,
    algorithm: *const u8,
    algorithm_len: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let body = unsafe { bytes_in(body, body_len) }?;
        let algorithm = algorithm_named(unsafe { text_in(algorithm, algorithm_len) }?)?;
        out.put(content_digest(body, algorithm).as_bytes())
    })
}

/// Checks a `Content-Digest` header value (raw bytes) against `body`; `has_body` false means
/// the host did not supply the body (`body` is then ignored). Every supported member must
/// match. On success the name of the strongest algorithm checked (`sha-256` or `sha-512`) is
/// written to the caller buffer.
///
/// Fails with `SIGNATURE_MALFORMED`, `SIGNATURE_ALGORITHM_UNSUPPORTED` (no sha-256 or sha-512
/// member), `SIGNATURE_BODY_MISSING`, `SIGNATURE_DIGEST_MISMATCH`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_content_digest_verify(
    header: *const u8,
    header_len: usize,
    body: *const u8,
    body_len: usize,
    has_body: bool,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let header = unsafe { bytes_in(header, header_len) }?;
        let body = if has_body {
            Some(unsafe { bytes_in(body, body_len) }?)
        } else {
            None
        };
        out.put(verify_content_digest(header, body)?.name().as_bytes())
    })
}
