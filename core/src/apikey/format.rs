//! The key format: `<prefix>[_<environment>]_<30 random base62><6 base62 CRC32 checksum>`.
//!
//! 30 base62 characters carry 178 bits from the OS CSPRNG. The checksum is the CRC32 of the
//! random part, as GitHub does it, so a typo or a made-up string is refused offline, before any
//! lookup, and secret scanners can tell a real key from noise.

use subtle::ConstantTimeEq;

use crate::encoding::{base62_fixed, random_base62};
use crate::error::{Error, ErrorCode};

/// Random base62 characters in a key.
pub const RANDOM_LEN: usize = 30;
/// Checksum characters in a key.
pub const CHECKSUM_LEN: usize = 6;
/// Characters after the last `_`.
pub const BODY_LEN: usize = RANDOM_LEN + CHECKSUM_LEN;
/// Longest prefix or environment label.
pub const MAX_LABEL_LEN: usize = 16;
/// Longest string that can be a key; anything longer is refused before any work.
pub const MAX_KEY_LEN: usize = 2 * MAX_LABEL_LEN + 2 + BODY_LEN;

/// A key that passed the offline checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedKey<'a> {
    /// The environment label carried by the key (`live` in `pc_live_...`), if any.
    pub environment: Option<&'a str>,
}

/// True for `[a-z][a-z0-9]{0,15}`: the shape of a prefix and of an environment.
pub(crate) fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_LABEL_LEN
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

pub(crate) fn checksum(random: &[u8]) -> String {
    base62_fixed(u64::from(crc32fast::hash(random)), CHECKSUM_LEN)
}

/// A fresh key for `prefix` and `environment` (both already validated labels).
pub(crate) fn generate(prefix: &str, environment: Option<&str>) -> Result<String, Error> {
    let random = random_base62(RANDOM_LEN)?;
    let sum = checksum(random.as_bytes());
    Ok(match environment {
        Some(env) => format!("{prefix}_{env}_{random}{sum}"),
        None => format!("{prefix}_{random}{sum}"),
    })
}

/// Checks shape, prefix and checksum of `key` without touching any store.
pub(crate) fn parse<'a>(key: &'a str, prefix: &str) -> Result<ParsedKey<'a>, Error> {
    if key.len() > MAX_KEY_LEN {
        return Err(Error::new(ErrorCode::ApiKeyMalformed, "key too long"));
    }
    let Some((head, body)) = key.rsplit_once('_') else {
        return Err(Error::new(ErrorCode::ApiKeyMalformed, "key has no prefix"));
    };
    // The base62 alphabet is exactly the ASCII letters and digits.
    if body.len() != BODY_LEN || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::new(
            ErrorCode::ApiKeyMalformed,
            "key body is not 36 base62 characters",
        ));
    }
    let (key_prefix, environment) = match head.split_once('_') {
        Some((p, env)) => (p, Some(env)),
        None => (head, None),
    };
    if !is_label(key_prefix) || !environment.is_none_or(is_label) {
        return Err(Error::new(
            ErrorCode::ApiKeyMalformed,
            "key prefix or environment is not a lower-case label",
        ));
    }
    if key_prefix != prefix {
        return Err(Error::new(
            ErrorCode::ApiKeyPrefixMismatch,
            format!("key prefix {key_prefix:?} is not {prefix:?}"),
        ));
    }
    let (random, sum) = body.split_at(RANDOM_LEN);
    if !bool::from(checksum(random.as_bytes()).as_bytes().ct_eq(sum.as_bytes())) {
        return Err(Error::new(
            ErrorCode::ApiKeyChecksumMismatch,
            "key checksum does not match",
        ));
    }
    Ok(ParsedKey { environment })
}

/// A regular expression (PCRE / RE2 / Rust `regex` syntax) that matches keys with `prefix`,
/// for secret scanners.
pub fn scanner_regex(prefix: &str) -> String {
    format!(
        r"\b{prefix}_(?:[a-z][a-z0-9]{{0,{}}}_)?[0-9A-Za-z]{{{RANDOM_LEN}}}[0-9A-Za-z]{{{CHECKSUM_LEN}}}\b",
        MAX_LABEL_LEN - 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse() {
        let k = generate("pc", Some("live")).unwrap();
        assert!(k.starts_with("pc_live_"));
        assert_eq!(k.len(), "pc_live_".len() + BODY_LEN);
        assert_eq!(parse(&k, "pc").unwrap().environment, Some("live"));
        let k = generate("acme", None).unwrap();
        assert_eq!(parse(&k, "acme").unwrap().environment, None);
        assert_eq!(
            parse(&k, "pc").unwrap_err().code(),
            ErrorCode::ApiKeyPrefixMismatch
        );
    }

    #[test]
    fn a_typo_fails_the_checksum() {
        let k = generate("pc", None).unwrap();
        let mut bytes = k.into_bytes();
        let i = 5;
        bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
        let typo = String::from_utf8(bytes).unwrap();
        assert_eq!(
            parse(&typo, "pc").unwrap_err().code(),
            ErrorCode::ApiKeyChecksumMismatch
        );
    }

    #[test]
    fn labels() {
        assert!(is_label("pc"));
        assert!(is_label("a1"));
        assert!(!is_label("1a"));
        assert!(!is_label("Pc"));
        assert!(!is_label(""));
        assert!(!is_label("abcdefghijklmnopq"));
    }
}
