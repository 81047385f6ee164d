//! Signing: claims and header options in, a compact JWS out.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::keyset::JwtKey;
use crate::error::{Error, ErrorCode};
use crate::keys::jwk::b64url;

/// Header members of a token to sign. `alg` always comes from the key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HeaderOptions {
    /// `typ` (default `JWT`; `at+jwt` for RFC 9068 access tokens); `None` leaves it out.
    pub typ: Option<String>,
    /// `kid`; defaults to the key's `kid`.
    pub kid: Option<String>,
    /// `cty`, for nested content.
    pub cty: Option<String>,
}

impl Default for HeaderOptions {
    fn default() -> Self {
        HeaderOptions {
            typ: Some("JWT".into()),
            kid: None,
            cty: None,
        }
    }
}

impl HeaderOptions {
    /// Parses the JSON form of the options.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "JWT header options")
    }
}

fn bad_claim(name: &str) -> Error {
    Error::new(
        ErrorCode::InvalidArgument,
        format!("claim {name} has the wrong JSON type"),
    )
}

/// Refuses claims a verifier would refuse for their type, so no unusable token is issued.
fn check_claims(claims: &Map<String, Value>) -> Result<(), Error> {
    for name in ["exp", "nbf", "iat"] {
        if claims.get(name).is_some_and(|v| !v.is_number()) {
            return Err(bad_claim(name));
        }
    }
    for name in ["iss", "sub", "jti", "scope"] {
        if claims.get(name).is_some_and(|v| !v.is_string()) {
            return Err(bad_claim(name));
        }
    }
    let strings = |v: &Value| v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
    if claims
        .get("aud")
        .is_some_and(|v| !v.is_string() && !strings(v))
    {
        return Err(bad_claim("aud"));
    }
    if claims.get("scp").is_some_and(|v| !strings(v)) {
        return Err(bad_claim("scp"));
    }
    Ok(())
}

/// Signs `claims` with `key` (a private key, or a secret at least as long as the hash output)
/// and returns the compact token. The header is `alg`, then `cty`, `kid`, `typ` when set, as
/// compact JSON with sorted members.
pub fn encode(
    claims: &Map<String, Value>,
    header: &HeaderOptions,
    key: &JwtKey,
) -> Result<String, Error> {
    check_claims(claims)?;
    let mut members: Vec<(&str, &str)> = vec![("alg", key.algorithm().name())];
    if let Some(cty) = &header.cty {
        members.push(("cty", cty));
    }
    if let Some(kid) = header.kid.as_deref().or(key.kid()) {
        members.push(("kid", kid));
    }
    if let Some(typ) = &header.typ {
        members.push(("typ", typ));
    }
    let mut head = String::from("{");
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 {
            head.push(',');
        }
        head.push_str(&format!(
            "\"{name}\":{}",
            Value::String((*value).to_owned())
        ));
    }
    head.push('}');
    let payload = serde_json::to_string(claims)
        .map_err(|_| Error::new(ErrorCode::InvalidArgument, "claims cannot be serialised"))?;
    let mut token = format!("{}.{}", b64url(head.as_bytes()), b64url(payload.as_bytes()));
    let signature = key.sign(token.as_bytes())?;
    token.push('.');
    token.push_str(&b64url(&signature));
    Ok(token)
}
