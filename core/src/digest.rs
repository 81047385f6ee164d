//! RFC 9530 `Content-Digest`: computing and checking body digests.
//!
//! The header is an RFC 8941 dictionary whose members are `algorithm=:base64:` byte sequences,
//! e.g. `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`. portcullis reads it with a small
//! strict parser (grammar in docs/SIGNING.md, "Content-Digest"): every member must be a byte
//! sequence without parameters, keys may not repeat, and the digests of supported algorithms
//! (`sha-256`, `sha-512`) must be canonical padded base64 of the right length. Unknown algorithms
//! (`md5`, `sha`, `crc32c`, ...) are skipped; a header holding only unknown ones is refused.

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

use crate::error::{Error, ErrorCode};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Most members a `Content-Digest` dictionary may hold.
pub const MAX_MEMBERS: usize = 16;

/// A digest algorithm of the RFC 9530 registry that portcullis computes and checks.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Algorithm {
    /// `sha-256`.
    #[default]
    #[serde(rename = "sha-256")]
    Sha256,
    /// `sha-512`.
    #[serde(rename = "sha-512")]
    Sha512,
}

impl Algorithm {
    /// The registry name (`sha-256`, `sha-512`).
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha-256",
            Algorithm::Sha512 => "sha-512",
        }
    }

    /// Every supported algorithm.
    pub const ALL: &'static [Algorithm] = &[Algorithm::Sha256, Algorithm::Sha512];

    /// The algorithm with this registry name (exact, lower-case), if supported.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Self::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// The algorithm a caller names: anything else is `invalid_argument` (the one refusal of an
    /// unknown name in every surface). A `Content-Digest` member with an unknown algorithm is
    /// another matter: see [`verify_content_digest`].
    pub fn parse(name: &str) -> Result<Algorithm, Error> {
        crate::error::parse_name(name, "digest algorithm", Self::ALL, Self::name)
    }

    /// The digest size in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 32,
            Algorithm::Sha512 => 64,
        }
    }

    /// The raw digest of `body`.
    pub fn digest(self, body: &[u8]) -> Vec<u8> {
        match self {
            Algorithm::Sha256 => Sha256::digest(body).to_vec(),
            Algorithm::Sha512 => Sha512::digest(body).to_vec(),
        }
    }
}

/// The `Content-Digest` header value for `body`: `sha-256=:<base64>:`.
pub fn content_digest(body: &[u8], algorithm: Algorithm) -> String {
    format!(
        "{}=:{}:",
        algorithm.name(),
        B64.encode(algorithm.digest(body))
    )
}

/// Checks a `Content-Digest` header value against `body` (`None`: the host did not supply the
/// body). Every supported member must match; returns the strongest algorithm checked.
///
/// Errors: `signature_malformed` (not a strict dictionary of byte sequences, repeated key, bad
/// base64 or length), `signature_algorithm_unsupported` (no sha-256 or sha-512 member),
/// `signature_body_missing`, `signature_digest_mismatch`.
pub fn verify_content_digest(header_value: &[u8], body: Option<&[u8]>) -> Result<Algorithm, Error> {
    let members = parse_dictionary(header_value)?;
    let mut supported = Vec::new();
    for (name, value) in &members {
        if let Some(algorithm) = Algorithm::from_name(name) {
            let digest = B64
                .decode(value)
                .map_err(|_| malformed(format!("{name} digest is not canonical padded base64")))?;
            if digest.len() != algorithm.output_len() {
                return Err(malformed(format!(
                    "{name} digest is {} bytes, not {}",
                    digest.len(),
                    algorithm.output_len()
                )));
            }
            supported.push((algorithm, digest));
        }
    }
    let Some(strongest) = supported.iter().map(|(a, _)| *a).max() else {
        return Err(Error::new(
            ErrorCode::SignatureAlgorithmUnsupported,
            "Content-Digest names no supported algorithm (sha-256, sha-512)",
        ));
    };
    let body = body.ok_or_else(|| {
        Error::new(
            ErrorCode::SignatureBodyMissing,
            "Content-Digest present but the host supplied no body",
        )
    })?;
    let mut all_match = true;
    for (algorithm, expected) in &supported {
        let actual = algorithm.digest(body);
        all_match &= bool::from(actual.ct_eq(expected));
    }
    if !all_match {
        return Err(Error::new(
            ErrorCode::SignatureDigestMismatch,
            "body does not match Content-Digest",
        ));
    }
    Ok(strongest)
}

fn malformed(detail: String) -> Error {
    Error::new(ErrorCode::SignatureMalformed, detail)
}

/// Parses the strict dictionary subset: `key=:bytes:` members, comma-separated, OWS around
/// commas, leading and trailing SP dropped. Returns (key, base64 text) pairs in order.
fn parse_dictionary(raw: &[u8]) -> Result<Vec<(&str, &str)>, Error> {
    let text = std::str::from_utf8(raw)
        .ok()
        .filter(|t| t.is_ascii())
        .ok_or_else(|| malformed("Content-Digest is not ASCII".into()))?;
    let text = text.trim_matches(' ');
    let mut members: Vec<(&str, &str)> = Vec::new();
    if text.is_empty() {
        return Err(malformed("Content-Digest is empty".into()));
    }
    for member in text.split(',') {
        let member = member.trim_matches([' ', '\t']);
        let (key, value) = member
            .split_once('=')
            .ok_or_else(|| malformed("Content-Digest member has no value".into()))?;
        if !is_key(key) {
            return Err(malformed(format!(
                "Content-Digest key {:?} is not a structured-field key",
                key.chars().take(32).collect::<String>()
            )));
        }
        let bytes = value
            .strip_prefix(':')
            .and_then(|v| v.strip_suffix(':'))
            .filter(|v| {
                v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
            })
            .ok_or_else(|| {
                malformed(format!(
                    "Content-Digest member {key} is not a byte sequence without parameters"
                ))
            })?;
        if members.iter().any(|(k, _)| *k == key) {
            return Err(malformed(format!("Content-Digest repeats {key}")));
        }
        if members.len() == MAX_MEMBERS {
            return Err(malformed("Content-Digest has too many members".into()));
        }
        members.push((key, bytes));
    }
    Ok(members)
}

/// An RFC 8941 key: `( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )`.
fn is_key(key: &str) -> bool {
    let b = key.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_lowercase() || b[0] == b'*')
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"_-.*".contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test request body of RFC 9421 Appendix B.2 and its published sha-512 digest.
    const BODY: &[u8] = b"{\"hello\": \"world\"}";
    const SHA256: &str = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";

    #[test]
    fn computes_rfc_9530_examples() {
        assert_eq!(content_digest(BODY, Algorithm::Sha256), SHA256);
        assert_eq!(
            content_digest(BODY, Algorithm::Sha512),
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLv\
             RwEmTHWXvJwew==:"
        );
    }

    #[test]
    fn verifies_and_picks_strongest() {
        let both = format!("{SHA256}, {}", content_digest(BODY, Algorithm::Sha512));
        assert_eq!(
            verify_content_digest(both.as_bytes(), Some(BODY)),
            Ok(Algorithm::Sha512)
        );
        let with_unknown = format!("md5=:AAAA:,{SHA256},unixsum=:AA==:");
        assert_eq!(
            verify_content_digest(with_unknown.as_bytes(), Some(BODY)),
            Ok(Algorithm::Sha256)
        );
    }

    #[test]
    fn refusals_have_codes() {
        let code = |h: &str, body: Option<&[u8]>| {
            verify_content_digest(h.as_bytes(), body)
                .unwrap_err()
                .code()
        };
        let good_512 = content_digest(BODY, Algorithm::Sha512);
        use ErrorCode::*;
        assert_eq!(code(SHA256, None), SignatureBodyMissing);
        assert_eq!(
            code(SHA256, Some(b"{\"hello\":\"world\"}")),
            SignatureDigestMismatch
        );
        let one_bad = format!("{SHA256}, sha-512=:{}:", B64.encode([0u8; 64]));
        assert_eq!(code(&one_bad, Some(BODY)), SignatureDigestMismatch);
        assert_eq!(
            code("md5=:AAAA:", Some(BODY)),
            SignatureAlgorithmUnsupported
        );
        for bad in [
            "",
            "sha-256",
            "sha-256=abc",
            "SHA-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:",
            "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg:",
            "sha-256=:RK_0qy18MlBSVnWgjwz6lZEWjP_lF5HF9bvEF8FabDg=:",
            "sha-256=:AAAA:",
            "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:;p=1",
            "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:,",
            "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:,,md5=:AA==:",
            &format!("{SHA256},{SHA256}"),
            &format!("{SHA256}, {good_512}, sha-256=:AAAA:"),
        ] {
            assert_eq!(code(bad, Some(BODY)), SignatureMalformed, "{bad:?}");
        }
    }

    #[test]
    fn whitespace_around_commas_is_allowed() {
        let h = format!("  md5=:AA==: ,\t{SHA256}  ");
        assert!(verify_content_digest(h.as_bytes(), Some(BODY)).is_ok());
    }
}
