//! What portcullis requires of a client's leaf beyond webpki's path checks: a key that is not
//! weak, and no certificate-signing key usage.
//!
//! webpki verifies the signatures of the chain, so the CAs' keys are held to its algorithms; the
//! leaf's own key signs only the TLS handshake, which a forwarding proxy or a host TLS stack
//! checked with its own rules (or not at all). The policy is fixed, not configurable: RSA of
//! 2048 bits or more with an odd public exponent above 1 and without the ROCA fingerprint,
//! ECDSA on P-256, P-384 or P-521 (named curves), or Ed25519. Everything else (DSA, P-192,
//! P-224, secp256k1, explicit curve parameters, Ed448, GOST, unknown types) is refused.

use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::RSAPublicKey;

/// rsaEncryption and id-RSASSA-PSS (both carry an `RSAPublicKey`).
const RSA: [&str; 2] = ["1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10"];
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
/// secp256r1, secp384r1, secp521r1.
const CURVES: [&str; 3] = ["1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35"];
const ED25519: &str = "1.3.101.112";

/// The smallest RSA modulus accepted (NIST SP 800-131A).
const MIN_RSA_BITS: usize = 2048;

fn strip(mut v: &[u8]) -> &[u8] {
    while let [0, rest @ ..] = v {
        v = rest;
    }
    v
}

/// Why the leaf's public key is refused, or `None` when it is acceptable.
pub(crate) fn key_refusal(cert: &X509Certificate<'_>) -> Option<String> {
    let spki = cert.public_key();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|oid| oid.to_id_string());
    refusal(
        &spki.algorithm.algorithm.to_id_string(),
        curve.as_deref(),
        &spki.subject_public_key.data,
    )
}

/// The policy on a key given as its SPKI algorithm, named curve (for EC) and key bits.
fn refusal(alg: &str, curve: Option<&str>, key: &[u8]) -> Option<String> {
    if RSA.contains(&alg) {
        let Ok((_, key)) = RSAPublicKey::from_der(key) else {
            return Some("an RSA public key that does not parse".into());
        };
        let n = strip(key.modulus);
        let bits = n
            .first()
            .map_or(0, |top| n.len() * 8 - top.leading_zeros() as usize);
        if bits < MIN_RSA_BITS {
            return Some(format!(
                "an RSA key of {bits} bits (at least {MIN_RSA_BITS} are required)"
            ));
        }
        let e = strip(key.exponent);
        if e.last().is_none_or(|low| low & 1 == 0) || e == [1] {
            return Some("an RSA key whose public exponent is even or 1".into());
        }
        if crate::keys::roca::has_fingerprint(n) {
            return Some("an RSA key with the ROCA fingerprint (CVE-2017-15361)".into());
        }
        return None;
    }
    if alg == EC_PUBLIC_KEY {
        return match curve {
            Some(c) if CURVES.contains(&c) => None,
            Some(c) => Some(format!(
                "an EC key on curve {c} (P-256, P-384 or P-521 are required)"
            )),
            None => Some("an EC key without a named curve".into()),
        };
    }
    if alg == ED25519 {
        return None;
    }
    Some(format!(
        "a key of type {alg} (RSA, ECDSA P-256/384/521 or Ed25519 are required)"
    ))
}

/// True when the leaf's keyUsage asserts keyCertSign: a key that may sign certificates
/// belongs to a CA (RFC 5280 4.2.1.3), never to a client, whatever basicConstraints says.
pub(crate) fn signs_certificates(cert: &X509Certificate<'_>) -> Result<bool, ()> {
    cert.key_usage()
        .map(|ku| ku.is_some_and(|ku| ku.value.key_cert_sign()))
        .map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::der::encode_rsa_public;

    fn rsa(bits: usize, e: &[u8]) -> Vec<u8> {
        // An odd modulus of exactly `bits` bits: its value does not matter to the policy.
        let mut n = vec![0x5a; bits / 8];
        n[0] = 0xc3;
        *n.last_mut().unwrap() |= 1;
        encode_rsa_public(&n, e)
    }

    #[test]
    fn weak_and_unknown_keys_are_refused() {
        let rsa_alg = RSA[0];
        assert_eq!(refusal(rsa_alg, None, &rsa(2048, &[1, 0, 1])), None);
        assert_eq!(refusal(RSA[1], None, &rsa(4096, &[3])), None);
        for (key, why) in [
            (rsa(1024, &[1, 0, 1]), "1024 bits"),
            (rsa(2040, &[1, 0, 1]), "2040 bits"),
            (rsa(2048, &[1, 0, 0]), "exponent"),
            (rsa(2048, &[1]), "exponent"),
            (b"not DER".to_vec(), "does not parse"),
        ] {
            let got = refusal(rsa_alg, None, &key).unwrap();
            assert!(got.contains(why), "{got}");
        }
        // The published ROCA vector (keys::roca) is refused whatever its size.
        let roca = crate::keys::roca::tests_support::published_modulus();
        let got = refusal(rsa_alg, None, &encode_rsa_public(&roca, &[1, 0, 1])).unwrap();
        assert!(got.contains("ROCA"), "{got}");
        for curve in CURVES {
            assert_eq!(refusal(EC_PUBLIC_KEY, Some(curve), b""), None);
        }
        for curve in [
            Some("1.2.840.10045.3.1.1"),
            Some("1.3.132.0.33"),
            Some("1.3.132.0.10"),
            None,
        ] {
            assert!(refusal(EC_PUBLIC_KEY, curve, b"").is_some(), "{curve:?}");
        }
        assert_eq!(refusal(ED25519, None, &[0; 32]), None);
        // DSA, Ed448, X25519.
        for alg in ["1.2.840.10040.4.1", "1.3.101.113", "1.3.101.110"] {
            assert!(refusal(alg, None, b"").unwrap().contains(alg));
        }
    }
}
