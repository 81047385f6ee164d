//! The protected header of a compact JWS: `alg`, `kid`, `typ`, `crit`.
//!
//! `jwk`, `jku`, `x5u`, `x5c` and `x5t` are never used: a key named by the token itself proves
//! nothing, so keys come only from the verifier's key source. No JWS extension is implemented,
//! so any `crit` is refused, as is `b64` other than `true` (RFC 7797 unencoded payloads).

use serde_json::{Map, Value};

use super::Algorithm;
use crate::error::{Error, ErrorCode};

/// The header members the verifier reads.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    pub alg: Algorithm,
    pub kid: Option<String>,
    pub typ: Option<String>,
}

fn malformed(detail: &'static str) -> Error {
    Error::new(ErrorCode::JwtMalformed, detail)
}

fn opt_string(map: &Map<String, Value>, name: &'static str) -> Result<Option<String>, Error> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::new(
            ErrorCode::JwtMalformed,
            format!("header {name} is not a string"),
        )),
    }
}

/// RFC 9864's name of EdDSA with Ed25519.
pub(crate) const FULLY_SPECIFIED_ED25519: &str = "Ed25519";

/// Reads and checks a parsed header.
pub(crate) fn parse(map: &Map<String, Value>) -> Result<Header, Error> {
    let alg = match map.get("alg") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(malformed("header alg is not a string")),
        None => return Err(malformed("header has no alg")),
    };
    if alg.trim().eq_ignore_ascii_case("none") {
        return Err(Error::new(
            ErrorCode::JwtAlgorithmRefused,
            "alg none is never accepted",
        ));
    }
    // RFC 9864's fully-specified name of EdDSA over Ed25519 (what current clients and servers
    // such as oauth4webapi and node-oidc-provider send) is the same algorithm here: Ed25519 is
    // the only EdDSA curve portcullis verifies, and the key must be an Ed25519 key either way.
    let alg = if alg == FULLY_SPECIFIED_ED25519 {
        Some(Algorithm::EdDsa)
    } else {
        Algorithm::from_name(alg)
    };
    let alg = alg.ok_or_else(|| {
        Error::new(
            ErrorCode::JwtAlgorithmRefused,
            "header alg is not a supported algorithm",
        )
    })?;
    if let Some(crit) = map.get("crit") {
        return Err(Error::new(
            ErrorCode::JwtCritUnsupported,
            crit_detail(map, crit),
        ));
    }
    match map.get("b64") {
        None | Some(Value::Bool(true)) => {}
        Some(_) => {
            return Err(Error::new(
                ErrorCode::JwtCritUnsupported,
                "unencoded payloads (b64) are not supported",
            ))
        }
    }
    Ok(Header {
        alg,
        kid: opt_string(map, "kid")?,
        typ: opt_string(map, "typ")?,
    })
}

/// Why a `crit` is refused (every `crit` is: no extension is implemented).
fn crit_detail(map: &Map<String, Value>, crit: &Value) -> &'static str {
    match crit {
        Value::Array(names) if names.is_empty() => "crit is empty",
        Value::Array(names) => {
            if names.iter().any(|n| !n.is_string()) {
                "crit holds a non-string"
            } else if names
                .iter()
                .filter_map(Value::as_str)
                .any(|n| !map.contains_key(n))
            {
                "crit names a header that is absent"
            } else {
                "crit names an extension that is not supported"
            }
        }
        _ => "crit is not an array",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(v: Value) -> Result<Header, ErrorCode> {
        parse(v.as_object().unwrap()).map_err(|e| e.code())
    }

    #[test]
    fn none_in_every_spelling() {
        for n in ["none", "None", "NONE", "nOnE", " none"] {
            assert_eq!(
                run(json!({ "alg": n })).unwrap_err(),
                ErrorCode::JwtAlgorithmRefused
            );
        }
        assert_eq!(
            run(json!({"alg": "hs256"})).unwrap_err(),
            ErrorCode::JwtAlgorithmRefused
        );
        assert_eq!(run(json!({"alg": 1})).unwrap_err(), ErrorCode::JwtMalformed);
        assert_eq!(run(json!({})).unwrap_err(), ErrorCode::JwtMalformed);
    }

    #[test]
    fn crit_and_keys_in_header() {
        let crit = ErrorCode::JwtCritUnsupported;
        assert_eq!(run(json!({"alg": "ES256", "crit": []})).unwrap_err(), crit);
        assert_eq!(
            run(json!({"alg": "ES256", "crit": ["exp"]})).unwrap_err(),
            crit
        );
        assert_eq!(
            run(json!({"alg": "ES256", "crit": ["b64"], "b64": false})).unwrap_err(),
            crit
        );
        assert_eq!(
            run(json!({"alg": "ES256", "b64": false})).unwrap_err(),
            crit
        );
        let h = run(json!({"alg": "ES256", "kid": "k", "jku": "https://x", "jwk": {}})).unwrap();
        assert_eq!((h.alg, h.kid.as_deref()), (Algorithm::Es256, Some("k")));
        assert_eq!(
            run(json!({"alg": "ES256", "kid": 7})).unwrap_err(),
            ErrorCode::JwtMalformed
        );
    }
}
