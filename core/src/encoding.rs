//! Small encodings shared by several methods.

use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorCode};

/// An RFC 3986 2.3 unreserved character (`ALPHA / DIGIT / "-" / "." / "_" / "~"`): what a
/// percent-escape is decoded to when URIs are normalised (paths, PCS1, DPoP `htu`).
pub(crate) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

/// The value of one hex digit, either case.
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The base62 alphabet in GitHub's order (digits, upper case, lower case).
pub(crate) const BASE62: &[u8; 62] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` base62 characters drawn uniformly from the OS CSPRNG (rejection sampling, so every
/// character carries log2(62) bits).
pub(crate) fn random_base62(n: usize) -> Result<String, Error> {
    let mut out = String::with_capacity(n);
    let mut pool = [0u8; 64];
    // 248 = 4 * 62: bytes at or above it are rejected, ~3% of them; 64 rounds of 64 bytes
    // cannot all be rejected in practice, and the bound keeps the loop finite regardless.
    for _ in 0..64 {
        getrandom::fill(&mut pool)
            .map_err(|_| Error::new(ErrorCode::RandomUnavailable, "OS random source failed"))?;
        for &b in &pool {
            if b < 248 {
                out.push(BASE62[usize::from(b % 62)] as char);
                if out.len() == n {
                    return Ok(out);
                }
            }
        }
    }
    Err(Error::new(
        ErrorCode::RandomUnavailable,
        "OS random source returned biased output",
    ))
}

/// `value` as exactly `width` base62 digits, most significant first, zero-padded.
pub(crate) fn base62_fixed(mut value: u64, width: usize) -> String {
    let mut digits = vec![b'0'; width];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    // Only ASCII bytes from the alphabet were written.
    String::from_utf8(digits).unwrap_or_default()
}

/// Lower-case hex.
pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}

/// Decodes exactly `N` bytes of lower- or upper-case hex.
pub(crate) fn hex_decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = text.as_bytes();
    if bytes.len() != N * 2 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// Parses a JSON object into `T`. serde also accepts an array for a struct (fields by position,
/// or all defaults for `[]`); configurations and records must be objects, so anything else is
/// refused.
pub(crate) fn from_json_object<T: DeserializeOwned>(json: &str, what: &str) -> Result<T, Error> {
    if !json.trim_start().starts_with('{') {
        return Err(Error::new(
            ErrorCode::JsonInvalid,
            format!("{what}: expected a JSON object"),
        ));
    }
    serde_json::from_str(json).map_err(|e| {
        Error::new(
            ErrorCode::JsonInvalid,
            format!("{what}: {}", redact_quoted(&e.to_string())),
        )
    })
}

/// serde quotes the offending value in its messages (`invalid type: string "...", expected a
/// sequence`); in a configuration that value may be a secret, so every double-quoted run is
/// replaced. Field names, which serde writes between backticks, stay.
pub(crate) fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        if i % 2 == 0 {
            out.push_str("\"<redacted>\"");
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_round_numbers() {
        assert_eq!(base62_fixed(0, 6), "000000");
        assert_eq!(base62_fixed(61, 2), "0z");
        assert_eq!(base62_fixed(62, 2), "10");
        assert_eq!(base62_fixed(u64::from(u32::MAX), 6), "4gfFC3");
    }

    #[test]
    fn random_is_in_alphabet() {
        let s = random_base62(100).unwrap();
        assert_eq!(s.len(), 100);
        assert!(s.bytes().all(|b| BASE62.contains(&b)));
        assert_ne!(s, random_base62(100).unwrap());
    }

    #[test]
    fn json_must_be_an_object() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(default)]
        #[allow(dead_code)]
        struct S {
            a: u8,
        }
        impl Default for S {
            fn default() -> Self {
                S { a: 1 }
            }
        }
        for bad in ["[]", "[2]", "null", "1", "\"x\"", ""] {
            let e = from_json_object::<S>(bad, "s").unwrap_err();
            assert_eq!(e.code(), ErrorCode::JsonInvalid, "{bad}");
        }
        assert!(from_json_object::<S>(" {\"a\": 2}", "s").is_ok());
    }

    #[test]
    fn json_errors_never_quote_values() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct S {
            secrets: Vec<String>,
        }
        let e = from_json_object::<S>(r#"{"secrets": "hunter2-secret"}"#, "s").unwrap_err();
        assert!(!e.detail().contains("hunter2"), "{}", e.detail());
        assert!(e.detail().contains("expected a sequence"), "{}", e.detail());
        let e = from_json_object::<S>(r#"{"secret": ["x"]}"#, "s").unwrap_err();
        assert!(e.detail().contains("`secrets`"), "{}", e.detail());
    }

    #[test]
    fn hex_round_trip() {
        let h = hex_encode(&[0, 1, 0xab, 0xff]);
        assert_eq!(h, "0001abff");
        assert_eq!(hex_decode::<4>(&h), Some([0, 1, 0xab, 0xff]));
        assert_eq!(hex_decode::<4>("0001abfg"), None);
        assert_eq!(hex_decode::<4>("0001ab"), None);
    }
}
