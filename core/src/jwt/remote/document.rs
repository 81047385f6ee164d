//! A fetched JWKS document into verification keys, parsed once per fetch.
//!
//! The whole document is refused (the previous set stays in use) when it is not a JSON object
//! (duplicate members included), has no `keys` array, holds more than [`MAX_KEYS`] entries, an
//! entry that is not an object, a usable entry that fails strict key parsing, private key
//! material (`d`, or RSA's `p`, `q`, `dp`, `dq`, `qi`, `oth`, in any entry, skipped or not), a `kid` that is not a string, two usable keys
//! with the same `kid` and algorithm (RFC 7517 4.5 allows one `kid` for keys of different
//! types), an RSA key under 2048 bits, or no usable key at all.
//!
//! Entries that are not signature verification keys are skipped, as peer libraries do: `use`
//! other than `sig`, `key_ops` without `verify` (the rule of every import path,
//! [`signature_use`]; contradictory `use` and `key_ops` refuse the document), `kty` other than
//! `RSA`, `EC` or `OKP`/`Ed25519`
//! (so `oct` secrets are never taken from the network), an `alg` that is not an asymmetric
//! JWS algorithm (`RSA-OAEP`, `ES256K`, `HS256`, ...), an algorithm outside the configured
//! allow-list, and with `require_kid` a key without `kid`.
//!
//! A key without `alg` gets the algorithm its type implies (`EC` from `crv`, EdDSA for
//! Ed25519); an RSA key without `alg` gets the first RSA algorithm of the allow-list, RS256
//! without one.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode};
use crate::jwt::keyset::MAX_KEYS;
use crate::jwt::{json, Algorithm, JwtKey};
use crate::keys::jwk::{has_private_members, signature_use};

fn invalid(detail: String) -> Error {
    Error::new(ErrorCode::JwtJwksInvalid, detail)
}

/// The algorithm an entry is used with, `None` to skip the entry.
fn algorithms(jwk: &Map<String, Value>, allowed: &[Algorithm]) -> Vec<Algorithm> {
    let permitted = |a: Algorithm| allowed.is_empty() || allowed.contains(&a);
    let kty = jwk.get("kty").and_then(Value::as_str);
    let crv = jwk.get("crv").and_then(Value::as_str);
    if let Some(alg) = jwk.get("alg") {
        return match alg.as_str().and_then(Algorithm::from_name) {
            Some(alg) if !alg.is_hmac() && permitted(alg) => vec![alg],
            _ => Vec::new(),
        };
    }
    let alg = match (kty, crv) {
        (Some("EC"), Some("P-256")) => Algorithm::Es256,
        (Some("EC"), Some("P-384")) => Algorithm::Es384,
        (Some("EC"), Some("P-521")) => Algorithm::Es512,
        (Some("OKP"), Some("Ed25519")) => Algorithm::EdDsa,
        (Some("RSA"), _) if allowed.is_empty() => Algorithm::Rs256,
        // An RSA key without `alg` may sign with any RSA algorithm (RFC 7517 4.4): it verifies
        // with each one the configuration allows, one key per algorithm.
        (Some("RSA"), _) => {
            return allowed
                .iter()
                .copied()
                .filter(|a| {
                    matches!(
                        a,
                        Algorithm::Rs256
                            | Algorithm::Rs384
                            | Algorithm::Rs512
                            | Algorithm::Ps256
                            | Algorithm::Ps384
                            | Algorithm::Ps512
                    )
                })
                .collect()
        }
        _ => return Vec::new(),
    };
    if permitted(alg) {
        vec![alg]
    } else {
        Vec::new()
    }
}

/// True for a key type portcullis verifies with (never `oct`: no secret from the network).
fn is_asymmetric_key(jwk: &Map<String, Value>) -> bool {
    match jwk.get("kty").and_then(Value::as_str) {
        Some("RSA" | "EC") => true,
        Some("OKP") => jwk.get("crv").and_then(Value::as_str) == Some("Ed25519"),
        _ => false,
    }
}

/// Parses a JWKS document fetched from `host`.
pub(crate) fn parse(
    body: &[u8],
    host: &str,
    allowed: &[Algorithm],
    require_kid: bool,
) -> Result<Vec<Arc<JwtKey>>, Error> {
    let doc = json::parse_object(body, "JWKS")
        .map_err(|e| invalid(format!("{} (from {host})", e.detail())))?;
    let entries = match doc.get("keys") {
        Some(Value::Array(entries)) => entries,
        _ => return Err(invalid(format!("JWKS from {host} has no keys array"))),
    };
    if entries.len() > MAX_KEYS {
        return Err(invalid(format!(
            "JWKS from {host} holds more than {MAX_KEYS} keys"
        )));
    }
    let mut keys = Vec::new();
    let mut kids = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let jwk = entry
            .as_object()
            .ok_or_else(|| invalid(format!("JWKS from {host}: entry {i} is not an object")))?;
        // Checked before any entry is skipped: a set that publishes a private key, whatever
        // the entry is for, comes from a misconfigured or compromised issuer.
        if has_private_members(jwk) {
            return Err(invalid(format!(
                "JWKS from {host}: entry {i} holds private key material"
            )));
        }
        let kid = match jwk.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.as_str()),
            Some(_) => {
                return Err(invalid(format!(
                    "JWKS from {host}: entry {i} has a kid that is not a string"
                )))
            }
        };
        // The rule every import path shares: `use` / `key_ops` that exclude verification
        // skip the entry, contradictory ones refuse the document.
        let ops = signature_use(jwk)
            .map_err(|e| invalid(format!("JWKS from {host}: entry {i}: {}", e.detail())))?;
        if !ops.verify || !is_asymmetric_key(jwk) {
            continue;
        }
        if require_kid && kid.is_none() {
            continue;
        }
        for alg in algorithms(jwk, allowed) {
            let key = JwtKey::from_jwk(jwk, Some(alg)).map_err(|e| {
                invalid(format!(
                    "JWKS from {host}: entry {i} is not a valid {alg} key: {}",
                    e.detail()
                ))
            })?;
            // RFC 7517 4.5 lets keys of different types share a `kid`; the verifier picks by
            // kid and algorithm, so only the same kid for the same algorithm is ambiguous.
            if let Some(kid) = kid {
                if !kids.insert((kid, alg)) {
                    return Err(invalid(format!(
                        "JWKS from {host}: two {alg} keys have the kid {kid:?}"
                    )));
                }
            }
            keys.push(Arc::new(key));
        }
    }
    if keys.is_empty() {
        return Err(invalid(format!(
            "JWKS from {host} holds no usable signature key"
        )));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ed25519(kid: &str) -> Value {
        let key = JwtKey::generate(Algorithm::EdDsa).unwrap().with_kid(kid);
        Value::Object(key.public_jwk().unwrap())
    }

    fn parse_doc(
        doc: &Value,
        allowed: &[Algorithm],
        require_kid: bool,
    ) -> Result<Vec<Arc<JwtKey>>, Error> {
        parse(
            doc.to_string().as_bytes(),
            "idp.example",
            allowed,
            require_kid,
        )
    }

    fn code(doc: &Value) -> ErrorCode {
        parse_doc(doc, &[], false).unwrap_err().code()
    }

    #[test]
    fn unusable_entries_are_skipped() {
        let mut enc = ed25519("enc");
        enc["use"] = json!("enc");
        let mut no_verify = ed25519("ops");
        no_verify["key_ops"] = json!(["sign"]);
        let doc = json!({"keys": [
            ed25519("a"),
            enc,
            no_verify,
            {"kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", "alg": "HS256"},
            {"kty": "OKP", "crv": "X25519", "x": "AAAA"},
            {"kty": "RSA", "alg": "RSA-OAEP", "n": "AQAB", "e": "AQAB"},
            {"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"},
        ]});
        let keys = parse_doc(&doc, &[], false).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kid(), Some("a"));
    }

    #[test]
    fn allow_list_and_require_kid_filter() {
        let mut no_kid = ed25519("x");
        no_kid.as_object_mut().unwrap().remove("kid");
        let doc = json!({"keys": [ed25519("a"), no_kid]});
        assert_eq!(parse_doc(&doc, &[], false).unwrap().len(), 2);
        assert_eq!(parse_doc(&doc, &[], true).unwrap().len(), 1);
        let e = parse_doc(&doc, &[Algorithm::Es256], false).unwrap_err();
        assert_eq!(e.code(), ErrorCode::JwtJwksInvalid);
    }

    #[test]
    fn rsa_without_alg_takes_every_allowed_rsa_algorithm() {
        let key = JwtKey::generate(Algorithm::Ps256).unwrap();
        let mut jwk = Value::Object(key.public_jwk().unwrap());
        jwk.as_object_mut().unwrap().remove("alg");
        let doc = json!({ "keys": [jwk] });
        let keys = parse_doc(&doc, &[Algorithm::Es256, Algorithm::Ps384], false).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].algorithm(), Algorithm::Ps384);
        let allowed = [Algorithm::Rs256, Algorithm::Ps256, Algorithm::Es256];
        let algs: Vec<Algorithm> = parse_doc(&doc, &allowed, false)
            .unwrap()
            .iter()
            .map(|k| k.algorithm())
            .collect();
        assert_eq!(algs, [Algorithm::Rs256, Algorithm::Ps256]);
        assert_eq!(
            parse_doc(&doc, &[], false).unwrap()[0].algorithm(),
            Algorithm::Rs256
        );
    }

    #[test]
    fn malformed_documents_are_refused() {
        let invalid = ErrorCode::JwtJwksInvalid;
        assert_eq!(
            parse(b"not json", "h", &[], false).unwrap_err().code(),
            invalid
        );
        assert_eq!(
            parse(br#"{"keys":[],"keys":[]}"#, "h", &[], false)
                .unwrap_err()
                .code(),
            invalid
        );
        assert_eq!(code(&json!([])), invalid);
        assert_eq!(code(&json!({"keys": {}})), invalid);
        assert_eq!(code(&json!({"keys": []})), invalid);
        assert_eq!(code(&json!({"keys": [1]})), invalid);
        assert_eq!(
            code(&json!({"keys": [ed25519("a"), ed25519("a")]})),
            invalid
        );
        let mut bad = ed25519("a");
        bad["x"] = json!("AAAA");
        assert_eq!(code(&json!({"keys": [bad]})), invalid);
        let mut kid = ed25519("a");
        kid["kid"] = json!(7);
        assert_eq!(code(&json!({"keys": [kid]})), invalid);
        let private = JwtKey::generate(Algorithm::EdDsa).unwrap();
        let mut jwk = Value::Object(private.public_jwk().unwrap());
        jwk["d"] = json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(code(&json!({"keys": [jwk]})), invalid);
        // RSA's other private members without `d` are private key material too, in an entry
        // that would be used as in one that would be skipped (the adversarial review).
        let rsa = JwtKey::generate(Algorithm::Rs256).unwrap();
        for (member, use_) in [("p", "sig"), ("q", "sig"), ("qi", "sig"), ("dp", "enc")] {
            let mut leaky = Value::Object(rsa.public_jwk().unwrap());
            leaky[member] = json!("AQAB");
            leaky["use"] = json!(use_);
            let e = parse_doc(&json!({"keys": [ed25519("a"), leaky]}), &[], false).unwrap_err();
            assert_eq!(e.code(), invalid, "{member}");
            assert!(e.detail().contains("private key material"), "{member}");
        }
        let mut contradict = ed25519("c");
        contradict["use"] = json!("sig");
        contradict["key_ops"] = json!(["encrypt"]);
        assert_eq!(code(&json!({"keys": [ed25519("a"), contradict]})), invalid);
        let mut ops_string = ed25519("s");
        ops_string["key_ops"] = json!("verify");
        assert_eq!(code(&json!({"keys": [ed25519("a"), ops_string]})), invalid);
        let many: Vec<Value> = (0..=MAX_KEYS).map(|_| json!({"kty": "oct"})).collect();
        assert_eq!(code(&json!({ "keys": many })), invalid);
    }
}
