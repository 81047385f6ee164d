//! What makes key material unusable, checked where keys are loaded: RSA moduli outside the
//! accepted sizes or with the ROCA fingerprint, Ed25519 public keys of small order or in a
//! non-canonical encoding, and asymmetric key material offered as an HMAC secret.

use base64::Engine;

use super::{der, rejected, roca};
use crate::error::Error;

/// The RSA modulus sizes accepted for verification (aws-lc-rs's `RSA_*_2048_8192_*` range).
pub(super) const MIN_RSA_BITS: usize = 2048;
pub(super) const MAX_RSA_BITS: usize = 8192;

/// The bit length of a big-endian modulus without leading zero octets.
pub(super) fn rsa_modulus_bits(n: &[u8]) -> usize {
    match n.first() {
        Some(&top) => (n.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        None => 0,
    }
}

/// Refuses an RSA modulus with the ROCA fingerprint: its key can be factored, whatever its
/// size.
pub(super) fn check_rsa_modulus(public: Option<&der::PublicParts>) -> Result<(), Error> {
    match public {
        Some(der::PublicParts::Rsa { n, .. }) if roca::has_fingerprint(n) => Err(rejected(
            "RSA modulus has the ROCA fingerprint (CVE-2017-15361): Infineon RSALib made it \
             and it can be factored; replace the key",
        )),
        _ => Ok(()),
    }
}

/// The y-coordinates of Ed25519's points of small order (the identity, and points of order
/// 2, 4 and 8), canonical and not (`p`, `p + 1`), little-endian with the sign bit cleared:
/// libsodium's list. RFC 8032 lets such a public key through, and it accepts forged
/// signatures: the all-zero signature verifies under the all-zero key (found by the
/// pem_der_keys fuzz target).
pub(super) const ED25519_SMALL_ORDER: [&str; 7] = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

/// True for an Ed25519 public key (32 bytes) of small order, whatever its sign bit.
pub(super) fn ed25519_small_order(key: &[u8]) -> bool {
    let Ok(mut y) = <[u8; 32]>::try_from(key) else {
        return false;
    };
    y[31] &= 0x7f;
    let hex: String = y.iter().map(|b| format!("{b:02x}")).collect();
    ED25519_SMALL_ORDER.contains(&hex.as_str())
}

/// True when `secret` looks like asymmetric key material (PEM, DER, a JWK, an SSH key, base64
/// DER): using a public key as an HMAC secret is the classic algorithm-confusion attack, refused
/// wherever an HMAC secret may sit beside public keys (JWT key sets, RFC 9421 keyrings).
pub(crate) fn is_key_material(secret: &[u8]) -> bool {
    let text = String::from_utf8_lossy(secret);
    let trimmed = text.trim();
    if trimmed.contains("-----BEGIN")
        || trimmed.contains("---- BEGIN SSH2")
        || ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"]
            .iter()
            .any(|p| trimmed.starts_with(p))
        || (trimmed.starts_with('{') && trimmed.contains("\"kty\""))
    {
        return true;
    }
    // A whole DER SEQUENCE whose contents are complete elements, the first a SEQUENCE or an
    // INTEGER (SPKI, PKCS#1, PKCS#8, SEC1): a random secret passes this about once in 2^24.
    let whole_der = |b: &[u8]| {
        let Some((0x30, mut body, [])) = der::der_element(b) else {
            return false;
        };
        if !matches!(body.first(), Some(0x30 | 0x02)) {
            return false;
        }
        while !body.is_empty() {
            match der::der_element(body) {
                Some((_, _, rest)) => body = rest,
                None => return false,
            }
        }
        true
    };
    if whole_der(secret) {
        return true;
    }
    let compact: String = trimmed.split_ascii_whitespace().collect();
    compact.len() >= 64
        && base64::engine::general_purpose::STANDARD
            .decode(compact)
            .is_ok_and(|der| whole_der(&der))
}

/// True for a 32-byte Ed25519 public key whose y-coordinate (the sign bit cleared) is `p` or
/// more, `p = 2^255 - 19`: RFC 8032 5.1.3 says decoding fails, and aws-lc-rs reads it as
/// `y - p`, so one key would have two encodings (and two thumbprints). Found by the
/// adversarial review.
pub(super) fn ed25519_non_canonical(key: &[u8]) -> bool {
    let Ok(y) = <[u8; 32]>::try_from(key) else {
        return false;
    };
    // p is ed ff .. ff 7f little-endian: y >= p when its top 31 bytes are p's and its low
    // byte is at least 0xed.
    y[0] >= 0xed && y[1..31].iter().all(|&b| b == 0xff) && y[31] & 0x7f == 0x7f
}
