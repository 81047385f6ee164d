//! What each provider puts in its headers, read strictly.

use base64::Engine;

use crate::error::{Error, ErrorCode};

fn malformed(detail: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorCode::SignatureMalformed, detail)
}

/// A timestamp: decimal digits only (no sign, no fraction, no spaces), at most 12 of them.
pub(crate) fn parse_timestamp(text: &str) -> Result<i64, Error> {
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("timestamp is not a decimal number of seconds"));
    }
    text.parse()
        .map_err(|_| malformed("timestamp is not a decimal number of seconds"))
}

/// Lower-case hex of exactly 32 bytes. Upper-case hex is refused: every provider emits lower
/// case, so anything else was not produced by the provider. A hex string of another length is
/// a truncated (or padded) MAC: `Ok(None)`, which matches nothing.
pub(crate) fn parse_hex_mac(text: &str) -> Result<Option<[u8; 32]>, Error> {
    if text.is_empty() {
        return Err(malformed("signature is empty"));
    }
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(malformed("signature is not lower-case hex"));
    }
    Ok(crate::encoding::hex_decode::<32>(text))
}

/// One entry of a Standard Webhooks `webhook-signature` header, decoded on the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StandardSignature {
    /// `v1,<base64 HMAC-SHA256>`; `None` when it decodes to another length than 32 bytes (a
    /// truncated or padded MAC, which matches nothing).
    V1(Option<[u8; 32]>),
    /// `v1a,<base64 Ed25519>`; `None` when it decodes to another length than 64 bytes.
    V1a(Option<[u8; 64]>),
    /// A `v1`/`v1a` entry whose value is not base64 (or empty), or an entry without a comma.
    Malformed,
    /// Another version (`v2,...`): not ours to check.
    Other,
}

/// Most entries of a `webhook-signature` header that are read.
pub(crate) const MAX_SIGNATURES: usize = 32;

/// Splits a `webhook-signature` header: space-separated `<version>,<base64>` entries (at most
/// [`MAX_SIGNATURES`] are read). An entry that cannot be read does not spoil the others (a sender may add
/// formats this version does not know); the caller decides what to say when nothing matches.
pub(crate) fn standard_signatures(header: &str) -> impl Iterator<Item = StandardSignature> + '_ {
    header
        .split(' ')
        .filter(|e| !e.is_empty())
        .take(MAX_SIGNATURES)
        .map(standard_signature)
}

fn standard_signature(entry: &str) -> StandardSignature {
    let Some((version, value)) = entry.split_once(',') else {
        return StandardSignature::Malformed;
    };
    if version != "v1" && version != "v1a" {
        return StandardSignature::Other;
    }
    // Room for the longest signature (64 bytes) and the decoder's length estimate of its 88
    // characters (66 bytes); a longer value is decoded apart only to tell base64 from junk.
    let mut buf = [0u8; 72];
    let decoded: Option<&[u8]> =
        match base64::engine::general_purpose::STANDARD.decode_slice(value, &mut buf) {
            Ok(len) => Some(&buf[..len]),
            Err(base64::DecodeSliceError::OutputSliceTooSmall) => {
                return match base64::engine::general_purpose::STANDARD.decode(value) {
                    Ok(_) if version == "v1" => StandardSignature::V1(None),
                    Ok(_) => StandardSignature::V1a(None),
                    Err(_) => StandardSignature::Malformed,
                };
            }
            Err(base64::DecodeSliceError::DecodeError(_)) => None,
        };
    match decoded.filter(|d| !d.is_empty()) {
        None => StandardSignature::Malformed,
        Some(sig) if version == "v1" => StandardSignature::V1(sig.try_into().ok()),
        Some(sig) => StandardSignature::V1a(sig.try_into().ok()),
    }
}

/// A `Stripe-Signature` header: `t=<ts>,v1=<hex>[,v1=<hex>][,v0=...]`.
pub(crate) struct StripeHeader {
    pub timestamp: i64,
    pub v1: Vec<Option<[u8; 32]>>,
    pub others: usize,
}

pub(crate) fn parse_stripe(header: &str) -> Result<StripeHeader, Error> {
    let mut timestamp = None;
    let mut v1 = Vec::new();
    let mut others = 0;
    for item in header.split(',').take(32) {
        let (key, value) = item
            .split_once('=')
            .ok_or_else(|| malformed("Stripe-Signature item is not key=value"))?;
        match key {
            "t" => {
                if timestamp.replace(parse_timestamp(value)?).is_some() {
                    return Err(malformed("Stripe-Signature has two timestamps"));
                }
            }
            "v1" => v1.push(parse_hex_mac(value)?),
            _ => others += 1,
        }
    }
    let timestamp = timestamp.ok_or_else(|| malformed("Stripe-Signature has no timestamp"))?;
    Ok(StripeHeader {
        timestamp,
        v1,
        others,
    })
}

/// `<prefix>=<hex>` (GitHub `sha256=`, Slack `v0=`).
pub(crate) fn parse_prefixed_hex(
    header: &str,
    prefix: &'static str,
) -> Result<Option<[u8; 32]>, Error> {
    let Some((scheme, value)) = header.split_once('=') else {
        return Err(malformed("signature is not <algorithm>=<hex>"));
    };
    if scheme != prefix {
        return Err(Error::new(
            ErrorCode::SignatureAlgorithmUnsupported,
            format!("signature algorithm {scheme:?} is not {prefix:?}"),
        ));
    }
    parse_hex_mac(value)
}

/// A Standard Webhooks message id: visible ASCII without `.` (a `.` would let the id and the
/// timestamp trade bytes in the signed `id.timestamp.body` string), at most 256 bytes.
pub(crate) fn check_message_id(id: &str) -> Result<(), Error> {
    if id.is_empty() || id.len() > 256 || !id.bytes().all(|b| b.is_ascii_graphic() && b != b'.') {
        return Err(malformed(
            "webhook-id must be 1 to 256 visible ASCII characters without '.'",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1614265330").unwrap(), 1614265330);
        for bad in ["", "-1", "1.5", " 1", "+1", "1e9", "9999999999999"] {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hex_macs() {
        let good = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(parse_hex_mac(good).unwrap().is_some());
        assert!(parse_hex_mac(&good[..32]).unwrap().is_none());
        assert!(parse_hex_mac(&good.to_uppercase()).is_err());
        assert!(parse_hex_mac("").is_err());
    }

    #[test]
    fn stripe_headers() {
        let h = parse_stripe("t=1,v1=00,v0=ab,v1=11").unwrap();
        assert_eq!((h.timestamp, h.v1.len(), h.others), (1, 2, 1));
        assert!(parse_stripe("t=1,t=2,v1=00").is_err());
        assert!(parse_stripe("v1=00").is_err());
        assert!(parse_stripe("t=1,v1").is_err());
    }
}
