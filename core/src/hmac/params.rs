//! The `Authorization: PCS1-HMAC-<hash> ...` header: strict parsing and formatting
//! (docs/SIGNING.md, section 4).

use base64::Engine;

use crate::error::{Error, ErrorCode};
use crate::request::Authorization;

use super::Algorithm;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Longest key id, in characters.
pub const MAX_KEY_ID_LEN: usize = 128;
/// Shortest nonce, in base64url characters (16 bytes).
pub const MIN_NONCE_LEN: usize = 22;
/// Longest nonce, in base64url characters.
pub const MAX_NONCE_LEN: usize = 128;
/// Most signed headers.
pub const MAX_SIGNED_HEADERS: usize = 64;
/// Longest `sig` parameter, in base64 characters.
const MAX_SIG_LEN: usize = 128;
/// Most digits of `ts` (keeps it well inside `i64`).
const MAX_TS_DIGITS: usize = 15;

/// The parameters of one PCS1 signature: what the `Authorization` header carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureParams {
    /// The MAC algorithm, named by the auth-scheme.
    pub algorithm: Algorithm,
    /// `keyid`: which key signed.
    pub key_id: String,
    /// `ts`: when the request was signed, Unix seconds.
    pub timestamp: i64,
    /// `nonce`: unpadded base64url, 22 to 128 characters.
    pub nonce: String,
    /// `headers`: the signed header names, lower-case, in signing order.
    pub headers: Vec<String>,
    /// `sig`: the MAC (empty while a request is being signed).
    pub signature: Vec<u8>,
}

fn malformed(detail: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorCode::SignatureMalformed, detail)
}

/// `[A-Za-z0-9._~+/=:@-]{1,128}`.
pub(crate) fn is_key_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_KEY_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._~+/=:@-".contains(&b))
}

/// Unpadded base64url, 22 to 128 characters.
pub(crate) fn is_nonce(nonce: &str) -> bool {
    (MIN_NONCE_LEN..=MAX_NONCE_LEN).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A header name as it must appear in `headers`: a lower-case token, not `authorization`.
pub(crate) fn is_signable_header(name: &str) -> bool {
    !name.is_empty()
        && name != "authorization"
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b)
        })
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn parse_timestamp(text: &str) -> Result<i64, Error> {
    let canonical = !text.is_empty()
        && text.len() <= MAX_TS_DIGITS
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return Err(malformed(
            "ts is not a decimal number of Unix seconds without leading zeros",
        ));
    }
    text.parse().map_err(|_| malformed("ts is out of range"))
}

fn parse_headers(text: &str) -> Result<Vec<String>, Error> {
    let mut names: Vec<String> = Vec::new();
    for name in text.split(';') {
        if !is_signable_header(name) {
            return Err(malformed(
                "headers holds an empty, upper-case, non-token or authorization name",
            ));
        }
        if names.iter().any(|n| n == name) {
            return Err(malformed("headers names a header twice"));
        }
        if names.len() == MAX_SIGNED_HEADERS {
            return Err(malformed("headers names too many headers"));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

/// Splits the credentials into (name, unquoted value) pairs: RFC 9110 auth-params, comma
/// separated, OWS around commas and BWS around `=`, values tokens or quoted-strings; empty list
/// elements are refused.
fn split_params(text: &str) -> Result<Vec<(&str, String)>, Error> {
    let b = text.as_bytes();
    let ws = |i: &mut usize| {
        while *i < b.len() && (b[*i] == b' ' || b[*i] == b'\t') {
            *i += 1;
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        ws(&mut i);
        let start = i;
        while i < b.len() && is_tchar(b[i]) {
            i += 1;
        }
        let name = &text[start..i];
        if name.is_empty() {
            return Err(malformed("expected a parameter name"));
        }
        ws(&mut i);
        if b.get(i) != Some(&b'=') {
            return Err(malformed("parameter without ="));
        }
        i += 1;
        ws(&mut i);
        let mut value = String::new();
        if b.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err(malformed("unterminated quoted-string")),
                    Some(b'"') => break,
                    Some(b'\\') => {
                        match b.get(i + 1) {
                            Some(&c) if c == b'\t' || (b' '..=b'~').contains(&c) => {
                                value.push(char::from(c));
                            }
                            _ => return Err(malformed("bad quoted-pair")),
                        }
                        i += 2;
                    }
                    Some(&c) if c == b'\t' || (b' '..=b'~').contains(&c) => {
                        value.push(char::from(c));
                        i += 1;
                    }
                    Some(_) => return Err(malformed("control character in quoted-string")),
                }
            }
            i += 1;
        } else {
            let start = i;
            while i < b.len() && is_tchar(b[i]) {
                i += 1;
            }
            if i == start {
                return Err(malformed("parameter value is empty"));
            }
            value.push_str(&text[start..i]);
        }
        out.push((name, value));
        ws(&mut i);
        match b.get(i) {
            None => return Ok(out),
            Some(b',') => i += 1,
            Some(_) => return Err(malformed("expected , between parameters")),
        }
    }
}

impl SignatureParams {
    /// Parses a whole `Authorization` header value. Another auth-scheme is
    /// `signature_missing`; a `PCS1-HMAC-` scheme with an unknown hash is
    /// `signature_algorithm_unsupported`; anything else wrong is `signature_malformed`.
    pub fn parse(authorization: &[u8]) -> Result<SignatureParams, Error> {
        let auth = Authorization::parse(authorization).map_err(|d| d.error().clone())?;
        let algorithm = Algorithm::from_scheme(auth.scheme)?;
        Self::parse_credentials(algorithm, auth.credentials)
    }

    /// Parses the credentials that follow the auth-scheme.
    pub fn parse_credentials(algorithm: Algorithm, credentials: &str) -> Result<Self, Error> {
        let (mut key_id, mut ts, mut nonce, mut headers, mut sig) = (None, None, None, None, None);
        for (name, value) in split_params(credentials)? {
            let slot = match name {
                "keyid" => &mut key_id,
                "ts" => &mut ts,
                "nonce" => &mut nonce,
                "headers" => &mut headers,
                "sig" => &mut sig,
                _ => {
                    return Err(malformed(format!(
                        "unknown parameter {:?} (names are lower-case: keyid, ts, nonce, \
                         headers, sig)",
                        name.chars().take(32).collect::<String>()
                    )))
                }
            };
            if slot.replace(value).is_some() {
                return Err(malformed(format!("parameter {name} appears twice")));
            }
        }
        let (Some(key_id), Some(ts), Some(nonce), Some(headers), Some(sig)) =
            (key_id, ts, nonce, headers, sig)
        else {
            return Err(malformed(
                "a parameter is missing (keyid, ts, nonce, headers and sig are required)",
            ));
        };
        if !is_key_id(&key_id) {
            return Err(malformed("keyid is not 1-128 of [A-Za-z0-9._~+/=:@-]"));
        }
        if !is_nonce(&nonce) {
            return Err(malformed(
                "nonce is not 22-128 characters of unpadded base64url",
            ));
        }
        if sig.len() > MAX_SIG_LEN {
            return Err(malformed("sig is too long"));
        }
        let signature = B64
            .decode(&sig)
            .map_err(|_| malformed("sig is not canonical padded base64"))?;
        Ok(SignatureParams {
            algorithm,
            key_id,
            timestamp: parse_timestamp(&ts)?,
            nonce,
            headers: parse_headers(&headers)?,
            signature,
        })
    }

    /// The `Authorization` header value, parameters in the order keyid, ts, nonce, headers, sig.
    pub fn header_value(&self) -> String {
        format!(
            "{} keyid=\"{}\", ts={}, nonce=\"{}\", headers=\"{}\", sig=\"{}\"",
            self.algorithm.scheme(),
            self.key_id,
            self.timestamp,
            self.nonce,
            self.headers.join(";"),
            B64.encode(&self.signature)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "keyid=\"svc-a\", ts=1750000000, nonce=\"AAAAAAAAAAAAAAAAAAAAAA\", \
                        headers=\"host;content-digest\", sig=\"AAAA\"";

    fn parse(credentials: &str) -> Result<SignatureParams, Error> {
        SignatureParams::parse_credentials(Algorithm::HmacSha256, credentials)
    }

    #[test]
    fn parses_and_round_trips() {
        let p = parse(GOOD).unwrap();
        assert_eq!(p.key_id, "svc-a");
        assert_eq!(p.timestamp, 1_750_000_000);
        assert_eq!(p.headers, ["host", "content-digest"]);
        assert_eq!(p.signature, [0, 0, 0]);
        let header = p.header_value();
        assert_eq!(SignatureParams::parse(header.as_bytes()).unwrap(), p);
        let loose = "sig = \"AAAA\" ,headers=\"host\",\tnonce=AAAAAAAAAAAAAAAAAAAAAA,\
                     ts=\"0\",keyid=\"s\\vc\"";
        let p = parse(loose).unwrap();
        assert_eq!((p.key_id.as_str(), p.timestamp), ("svc", 0));
    }

    #[test]
    fn scheme_decides_missing_or_unsupported() {
        let code = |h: &str| SignatureParams::parse(h.as_bytes()).unwrap_err().code();
        assert_eq!(code(&format!("Bearer {GOOD}")), ErrorCode::SignatureMissing);
        assert_eq!(
            code(&format!("PCS1-HMAC-SHA1 {GOOD}")),
            ErrorCode::SignatureAlgorithmUnsupported
        );
        let lower = format!("pcs1-hmac-sha512 {GOOD}");
        assert_eq!(
            SignatureParams::parse(lower.as_bytes()).unwrap().algorithm,
            Algorithm::HmacSha512
        );
    }

    #[test]
    fn refuses_malformed() {
        let n = "nonce=\"AAAAAAAAAAAAAAAAAAAAAA\"";
        for bad in [
            String::new(),
            format!("{GOOD},"),
            format!("{GOOD},,"),
            format!("{GOOD}, ts=1"),
            format!("{GOOD}, extra=\"x\""),
            GOOD.replace("keyid", "KeyId"),
            GOOD.replace("ts=1750000000", "ts=17e8"),
            GOOD.replace("ts=1750000000", "ts=-1"),
            GOOD.replace("ts=1750000000", "ts=01750000000"),
            GOOD.replace("ts=1750000000", "ts=9999999999999999"),
            GOOD.replace("sig=\"AAAA\"", "sig=\"AAA\""),
            GOOD.replace("sig=\"AAAA\"", "sig=\"AA==\"x"),
            GOOD.replace("sig=\"AAAA\"", "sig=\"AB==\""),
            GOOD.replace("sig=\"AAAA\"", "sig=\"AA-_\""),
            GOOD.replace("sig=\"AAAA\"", "sig=\"AAAA"),
            GOOD.replace("host;", "Host;"),
            GOOD.replace("host;", "host;host;"),
            GOOD.replace("host;", ";"),
            GOOD.replace("host;", "authorization;"),
            GOOD.replace("svc-a", "svc a"),
            GOOD.replace("svc-a", ""),
            GOOD.replace(n, "nonce=\"short\""),
            GOOD.replace(n, "nonce=\"AAAAAAAAAAAAAAAAAAAAAA==\""),
            GOOD.replace(", ", " "),
            GOOD.replace("ts=1750000000", "ts="),
        ] {
            let e = parse(&bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::SignatureMalformed, "{bad}");
        }
    }
}
