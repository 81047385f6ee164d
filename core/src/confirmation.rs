//! RFC 8705 certificate-bound access tokens: a token's `cnf.x5t#S256` must be the thumbprint of
//! the client certificate the request came with.
//!
//! Between the two modules that need it: `mtls` reads the client's certificate, `jwt` reads the
//! token's `cnf` claim. Both depend on this module and neither on the other.

use base64::Engine;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, ErrorCode};

/// The RFC 8705 `x5t#S256` thumbprint of a DER certificate: base64url (no padding) of its
/// SHA-256. The DER is not parsed.
pub fn certificate_thumbprint(der: &[u8]) -> String {
    thumbprint_of_digest(&Sha256::digest(der).into())
}

/// The `x5t#S256` text of a certificate's SHA-256 (for a caller that has the digest already).
pub(crate) fn thumbprint_of_digest(sha256: &[u8; 32]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha256)
}

fn mismatch(detail: &'static str) -> Error {
    Error::new(ErrorCode::JwtConfirmationMismatch, detail)
}

/// Checks that `claims` (a JSON object) carries `cnf: {"x5t#S256": <thumbprint>}` equal to
/// `thumbprint` (see [`certificate_thumbprint`]). Missing `cnf`, a `cnf` of the wrong type or a
/// different thumbprint: `jwt_confirmation_mismatch`. The comparison is constant-time.
pub fn check_confirmation(claims: &Value, thumbprint: &str) -> Result<(), Error> {
    match claims.as_object() {
        Some(map) => check_cnf(map.get("cnf").map(Value::as_object), thumbprint),
        None => Err(mismatch("claims are not a JSON object")),
    }
}

/// [`check_confirmation`] for a token's `cnf` claim as the verifier read it: `None` when the
/// token has none, `Some(None)` when it is not a JSON object.
pub(crate) fn check_cnf(
    cnf: Option<Option<&Map<String, Value>>>,
    thumbprint: &str,
) -> Result<(), Error> {
    let cnf = cnf
        .ok_or_else(|| mismatch("token has no cnf claim"))?
        .ok_or_else(|| mismatch("cnf is not a JSON object"))?;
    let bound = cnf
        .get("x5t#S256")
        .ok_or_else(|| mismatch("cnf has no x5t#S256"))?
        .as_str()
        .ok_or_else(|| mismatch("cnf.x5t#S256 is not a string"))?;
    if bool::from(bound.as_bytes().ct_eq(thumbprint.as_bytes())) {
        Ok(())
    } else {
        Err(mismatch(
            "cnf.x5t#S256 is not the thumbprint of the client certificate",
        ))
    }
}
