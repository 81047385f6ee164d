//! RFC 8705 certificate-bound access tokens: the token's `cnf.x5t#S256` must be the thumbprint
//! of the client certificate the request came with.

use serde_json::Value;
use subtle::ConstantTimeEq;

use crate::error::{Error, ErrorCode};
use crate::jwt::ClaimRef;

fn mismatch(detail: &'static str) -> Error {
    Error::new(ErrorCode::JwtConfirmationMismatch, detail)
}

/// Checks that `claims` (a JSON object) carries `cnf: {"x5t#S256": <thumbprint>}` equal to
/// `thumbprint` (see [`certificate_thumbprint`](super::certificate_thumbprint)). Missing `cnf`,
/// a `cnf` of the wrong type or a different thumbprint: `jwt_confirmation_mismatch`. The
/// comparison is constant-time.
pub fn check_confirmation(claims: &Value, thumbprint: &str) -> Result<(), Error> {
    match claims.as_object() {
        Some(map) => check_cnf(map.get("cnf").map(ClaimRef::of), thumbprint),
        None => Err(mismatch("claims are not a JSON object")),
    }
}

/// [`check_confirmation`] for a token's `cnf` claim (`None` when the token has none).
pub(crate) fn check_cnf(cnf: Option<ClaimRef<'_>>, thumbprint: &str) -> Result<(), Error> {
    let cnf = match cnf.ok_or_else(|| mismatch("token has no cnf claim"))? {
        ClaimRef::Value(Value::Object(cnf)) => cnf,
        _ => return Err(mismatch("cnf is not a JSON object")),
    };
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
