//! The little DER the key code needs: reading SPKI, PKCS#8 and PKCS#1 public keys, and writing a
//! PKCS#1 `RSAPublicKey` from a JWK's `n` and `e`.

use super::KeyAlgorithm;

/// The public numbers of a key, kept next to the parsed key for JWK export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PublicParts {
    /// Ed25519: the 32-byte public key.
    Okp { x: Vec<u8> },
    /// ECDSA: curve name and fixed-width coordinates.
    Ec {
        crv: &'static str,
        x: Vec<u8>,
        y: Vec<u8>,
    },
    /// RSA: modulus and exponent, big-endian without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
}

/// The JWK curve name and coordinate width of an ECDSA algorithm.
pub(crate) fn ec_curve(algorithm: KeyAlgorithm) -> Option<(&'static str, usize)> {
    match algorithm {
        KeyAlgorithm::EcdsaP256Sha256 => Some(("P-256", 32)),
        KeyAlgorithm::EcdsaP384Sha384 => Some(("P-384", 48)),
        KeyAlgorithm::EcdsaP521Sha512 => Some(("P-521", 66)),
        _ => None,
    }
}

/// The public numbers of a key aws-lc-rs already accepted for `algorithm`, from its SPKI,
/// PKCS#1, raw point or raw Ed25519 encoding. `None` for encodings not understood here (a
/// compressed point): such a key verifies but cannot be exported as a JWK.
pub(crate) fn public_parts(algorithm: KeyAlgorithm, der: &[u8]) -> Option<PublicParts> {
    let inner = spki_key(der).unwrap_or(der);
    if algorithm == KeyAlgorithm::Ed25519 {
        return (inner.len() == 32).then(|| PublicParts::Okp { x: inner.to_vec() });
    }
    if let Some((crv, width)) = ec_curve(algorithm) {
        let (&tag, coords) = inner.split_first()?;
        if tag != 0x04 || coords.len() != 2 * width {
            return None;
        }
        let (x, y) = coords.split_at(width);
        return Some(PublicParts::Ec {
            crv,
            x: x.to_vec(),
            y: y.to_vec(),
        });
    }
    let (n, e) = rsa_public(inner)?;
    Some(PublicParts::Rsa {
        n: n.to_vec(),
        e: e.to_vec(),
    })
}

/// The key bits of a `SubjectPublicKeyInfo` (the BIT STRING without its unused-bits byte).
fn spki_key(der: &[u8]) -> Option<&[u8]> {
    let (tag, body, rest) = der_element(der)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let (tag, _, rest) = der_element(body)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, bits, rest) = der_element(rest)?;
    if tag != 0x03 || !rest.is_empty() {
        return None;
    }
    match bits.split_first() {
        Some((0, key)) => Some(key),
        _ => None,
    }
}

/// `n` and `e` of a PKCS#1 `RSAPublicKey`, leading zeros stripped.
fn rsa_public(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (tag, body, rest) = der_element(der)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let (tag, n, rest) = der_element(body)?;
    if tag != 0x02 {
        return None;
    }
    let (tag, e, rest) = der_element(rest)?;
    if tag != 0x02 || !rest.is_empty() {
        return None;
    }
    Some((strip_zeros(n), strip_zeros(e)))
}

fn strip_zeros(mut v: &[u8]) -> &[u8] {
    while let [0, rest @ ..] = v {
        v = rest;
    }
    v
}

/// A PKCS#1 `RSAPublicKey` for big-endian `n` and `e`.
pub(crate) fn encode_rsa_public(n: &[u8], e: &[u8]) -> Vec<u8> {
    let mut body = encode_integer(n);
    body.extend(encode_integer(e));
    encode_element(0x30, &body)
}

fn encode_integer(v: &[u8]) -> Vec<u8> {
    let v = strip_zeros(v);
    let mut content = Vec::with_capacity(v.len() + 1);
    if v.first().is_none_or(|&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(v);
    encode_element(0x02, &content)
}

fn encode_element(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// The `privateKey` OCTET STRING of a PKCS#8 `PrivateKeyInfo` (for RSA-PSS keys, which some
/// parsers refuse by OID although the inner key is a plain PKCS#1 `RSAPrivateKey`).
pub(crate) fn pkcs8_inner_key(der: &[u8]) -> Option<&[u8]> {
    let (tag, body, _) = der_element(der)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, _, rest) = der_element(body)?; // version INTEGER
    if tag != 0x02 {
        return None;
    }
    let (tag, _, rest) = der_element(rest)?; // AlgorithmIdentifier SEQUENCE
    if tag != 0x30 {
        return None;
    }
    let (tag, key, _) = der_element(rest)?; // privateKey OCTET STRING
    (tag == 0x04).then_some(key)
}

/// One DER element: (tag, contents, what follows). Definite lengths up to 4 bytes only.
pub(crate) fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_public_round_trip() {
        let der = encode_rsa_public(&[0x80; 300], &[1, 0, 1]);
        let (n, e) = rsa_public(&der).unwrap();
        assert_eq!(n, &[0x80; 300][..]);
        assert_eq!(e, &[1, 0, 1]);
        assert!(rsa_public(&der[..der.len() - 1]).is_none());
        assert!(spki_key(&der).is_none());
    }
}
