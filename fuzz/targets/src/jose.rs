//! The JOSE document readers: the strict JSON reader against serde_json, canonical base64url
//! against the base64 crate and a bit-by-bit reference, the two claims readers against each
//! other, and the protected-header checks.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use portcullis::fuzzing;
use portcullis::jwt::ClaimRef;
use portcullis::keys::jwk::{b64url, b64url_decode};
use portcullis::ErrorCode;
use serde_json::Value;

use crate::check;

/// `json_strict`: the strict reader accepts only what serde_json accepts, as the same value;
/// what serde_json accepts and the strict reader refuses is an object naming a member twice
/// (`jwt_duplicate_member`) or not an object at all (`jwt_malformed`, or
/// `jwt_duplicate_member` for a repeat inside it).
pub fn json_strict(data: &[u8]) {
    let strict = fuzzing::parse_json_object(data, "document");
    let reference: Result<Value, _> = serde_json::from_slice(data);
    match (strict, reference) {
        (Ok(map), Ok(value)) => assert_eq!(Value::Object(map), value, "read differently"),
        (Ok(map), Err(e)) => panic!("strict reader accepted {map:?}; serde_json refuses: {e}"),
        (Err(e), Ok(value)) => {
            check::error(&e, &[]);
            // An object refused is a repeat; another value is no object, unless the strict
            // reader met a repeat inside it first (it reads the whole value).
            let allowed: &[ErrorCode] = if value.is_object() {
                &[ErrorCode::JwtDuplicateMember]
            } else {
                &[ErrorCode::JwtMalformed, ErrorCode::JwtDuplicateMember]
            };
            assert!(allowed.contains(&e.code()), "{e}; serde_json reads {value}");
        }
        (Err(e), Err(_)) => {
            check::error(&e, &[]);
            assert!(
                matches!(
                    e.code(),
                    ErrorCode::JwtMalformed | ErrorCode::JwtDuplicateMember
                ),
                "{e}"
            );
        }
    }
}

/// The base64 crate as RFC 7515 wants base64url read: URL alphabet, no padding, no stray bits.
fn canonical_engine() -> GeneralPurpose {
    GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(false),
    )
}

/// A third reading, bit by bit from RFC 4648 section 5, sharing no code with the other two.
fn reference_decode(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0u32);
    for &c in text {
        let six = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(six);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // The bits left over must be zero: otherwise two texts would decode to the same bytes.
    (acc == 0).then_some(out)
}

/// `base64url`: ours decodes exactly what the base64 crate's canonical engine and the reference
/// decode, to the same bytes, and encoding them again gives the input.
pub fn base64url(data: &[u8]) {
    let reference = reference_decode(data);
    let theirs = canonical_engine().decode(data).ok();
    assert_eq!(
        reference, theirs,
        "the base64 crate and the reference differ"
    );
    let Ok(text) = std::str::from_utf8(data) else {
        assert_eq!(theirs, None, "non-UTF-8 text decoded");
        return;
    };
    let ours = b64url_decode(text);
    assert_eq!(ours, theirs, "b64url_decode differs from the base64 crate");
    let segment = fuzzing::jose_segment(text, "segment");
    match (&segment, &ours) {
        (Ok(bytes), Some(want)) => assert_eq!(bytes, want),
        (Err(e), None) => {
            check::error(e, &[]);
            assert_eq!(e.code(), ErrorCode::JwtMalformed);
        }
        (got, want) => panic!("the JWS segment reader says {got:?}, b64url_decode {want:?}"),
    }
    if let Some(bytes) = ours {
        assert_eq!(
            b64url(&bytes),
            text,
            "not canonical: encodes to another text"
        );
    }
}

/// `claims_readers`: the one-pass claims reader and the strict map reader accept the same
/// payloads as the same claims, and refuse the same ones with the same code.
pub fn claims_readers(data: &[u8]) {
    let map = fuzzing::parse_json_object(data, "claims");
    let claims = fuzzing::read_token_claims(data.to_vec());
    match (claims, map) {
        (Ok(claims), Ok(map)) => {
            assert_eq!(claims.len(), map.len());
            for (name, value) in &map {
                let got = claims.get(name).map(ClaimRef::to_value);
                assert_eq!(got.as_ref(), Some(value), "claim {name}");
            }
            let (a, b) = (serde_json::to_string(&claims), serde_json::to_string(&map));
            assert_eq!(a.ok(), b.ok(), "serialised differently");
            assert_eq!(claims.into_map(), map);
        }
        (Err(a), Err(b)) => {
            check::error(&a, &[]);
            check::error(&b, &[]);
            assert_eq!(a.code(), b.code(), "{a} but {b}");
        }
        (a, b) => panic!(
            "claims reader {:?}, map reader {:?}",
            a.map(|c| c.len()),
            b.map(|m| m.len())
        ),
    }
}

/// `jose_header`: the header checks of the verifier on a parsed header accept only a header
/// with a supported `alg` equal to the one returned, no `crit` and `b64` absent or true, and
/// refuse with a JWT code.
pub fn jose_header(data: &[u8]) {
    let map = match fuzzing::parse_json_object(data, "header") {
        Ok(map) => map,
        Err(e) => return check::error(&e, &[]),
    };
    match fuzzing::parse_jose_header(&map) {
        Ok(header) => {
            // RFC 9864's fully-specified `Ed25519` is read as EdDSA, its only alias.
            let alg = map.get("alg").and_then(Value::as_str);
            assert!(
                alg == Some(header.alg.name())
                    || (alg == Some("Ed25519") && header.alg.name() == "EdDSA"),
                "alg {alg:?} accepted as {}",
                header.alg.name()
            );
            assert!(!map.contains_key("crit"), "crit accepted");
            assert!(matches!(map.get("b64"), None | Some(Value::Bool(true))));
            assert_eq!(
                header.kid.as_deref(),
                map.get("kid").and_then(Value::as_str)
            );
            assert_eq!(
                header.typ.as_deref(),
                map.get("typ").and_then(Value::as_str)
            );
        }
        Err(e) => {
            check::error(&e, &[]);
            assert!(
                matches!(
                    e.code(),
                    ErrorCode::JwtMalformed
                        | ErrorCode::JwtAlgorithmRefused
                        | ErrorCode::JwtCritUnsupported
                ),
                "{e}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_decoder_reads_rfc4648() {
        assert_eq!(reference_decode(b"Zm9vYmFy"), Some(b"foobar".to_vec()));
        assert_eq!(reference_decode(b"Zm9vYg"), Some(b"foob".to_vec()));
        assert_eq!(reference_decode(b"Zm9vYh"), None, "stray bits");
        assert_eq!(reference_decode(b"Zm9vY"), None, "a lone sixth bit group");
        assert_eq!(reference_decode(b"Zm9v+g"), None, "standard alphabet");
        assert_eq!(reference_decode(b""), Some(Vec::new()));
    }
}
