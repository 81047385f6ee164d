//! Asymmetric keys (Ed25519, ECDSA P-256/P-384/P-521, RSA) over aws-lc-rs: parsing, generation,
//! signing, and JWK import/export with RFC 7638 thumbprints ([`jwk`]).
//!
//! A key is bound to one [`KeyAlgorithm`] when it is built and parsed once: a [`VerifyingKey`]
//! holds an aws-lc-rs `ParsedPublicKey`, a [`SigningKey`] the key pair. ECDSA signatures are the
//! fixed-width `r || s` form (RFC 9421, JWS), not DER. `Debug` never prints key material.
//!
//! Accepted encodings: PEM `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1), `PRIVATE KEY`
//! (PKCS#8, including RSA keys labelled `id-RSASSA-PSS`), `RSA PRIVATE KEY` (PKCS#1),
//! `EC PRIVATE KEY` (SEC1); the same as DER; raw 32-byte Ed25519 keys and uncompressed EC
//! points; JWK objects (RFC 7517/7518, RFC 8037). Every failure is `signature_secret_invalid`.

pub(crate) mod der;
pub mod jwk;
pub(crate) mod roca;
mod weak;

pub(crate) use weak::is_key_material;
use weak::{
    check_rsa_modulus, ed25519_non_canonical, ed25519_small_order, rsa_modulus_bits, MAX_RSA_BITS,
    MIN_RSA_BITS,
};

use std::fmt;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use base64::Engine;

use crate::error::{Error, ErrorCode};

/// An asymmetric signature algorithm a key is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// EdDSA over Curve25519 (RFC 8032).
    Ed25519,
    /// ECDSA on P-256 with SHA-256, fixed-width signature.
    EcdsaP256Sha256,
    /// ECDSA on P-384 with SHA-384, fixed-width signature.
    EcdsaP384Sha384,
    /// ECDSA on P-521 with SHA-512, fixed-width (132-byte) signature.
    EcdsaP521Sha512,
    /// RSASSA-PSS with SHA-256 (MGF1 SHA-256, salt 32), keys of 2048-8192 bits.
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384 (salt 48).
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512 (salt 64).
    RsaPssSha512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512,
}

impl KeyAlgorithm {
    fn verification(self) -> &'static dyn sig::VerificationAlgorithm {
        match self {
            KeyAlgorithm::Ed25519 => &sig::ED25519,
            KeyAlgorithm::EcdsaP256Sha256 => &sig::ECDSA_P256_SHA256_FIXED,
            KeyAlgorithm::EcdsaP384Sha384 => &sig::ECDSA_P384_SHA384_FIXED,
            KeyAlgorithm::EcdsaP521Sha512 => &sig::ECDSA_P521_SHA512_FIXED,
            KeyAlgorithm::RsaPssSha256 => &sig::RSA_PSS_2048_8192_SHA256,
            KeyAlgorithm::RsaPssSha384 => &sig::RSA_PSS_2048_8192_SHA384,
            KeyAlgorithm::RsaPssSha512 => &sig::RSA_PSS_2048_8192_SHA512,
            KeyAlgorithm::RsaPkcs1Sha256 => &sig::RSA_PKCS1_2048_8192_SHA256,
            KeyAlgorithm::RsaPkcs1Sha384 => &sig::RSA_PKCS1_2048_8192_SHA384,
            KeyAlgorithm::RsaPkcs1Sha512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        }
    }

    fn rsa_encoding(self) -> Option<&'static dyn sig::RsaEncoding> {
        Some(match self {
            KeyAlgorithm::RsaPssSha256 => &sig::RSA_PSS_SHA256,
            KeyAlgorithm::RsaPssSha384 => &sig::RSA_PSS_SHA384,
            KeyAlgorithm::RsaPssSha512 => &sig::RSA_PSS_SHA512,
            KeyAlgorithm::RsaPkcs1Sha256 => &sig::RSA_PKCS1_SHA256,
            KeyAlgorithm::RsaPkcs1Sha384 => &sig::RSA_PKCS1_SHA384,
            KeyAlgorithm::RsaPkcs1Sha512 => &sig::RSA_PKCS1_SHA512,
            _ => return None,
        })
    }

    fn ecdsa_signing(self) -> Option<&'static sig::EcdsaSigningAlgorithm> {
        match self {
            KeyAlgorithm::EcdsaP256Sha256 => Some(&sig::ECDSA_P256_SHA256_FIXED_SIGNING),
            KeyAlgorithm::EcdsaP384Sha384 => Some(&sig::ECDSA_P384_SHA384_FIXED_SIGNING),
            KeyAlgorithm::EcdsaP521Sha512 => Some(&sig::ECDSA_P521_SHA512_FIXED_SIGNING),
            _ => None,
        }
    }
}

fn rejected(what: &str) -> Error {
    Error::new(
        ErrorCode::SignatureSecretInvalid,
        format!("key rejected: {what}"),
    )
}

/// One PEM block: its label and DER contents.
struct Pem {
    label: String,
    der: Vec<u8>,
}

/// Reads the first PEM block of `text` (RFC 7468; whitespace inside the base64 is ignored).
fn parse_pem(text: &[u8]) -> Result<Pem, Error> {
    let text = std::str::from_utf8(text).map_err(|_| rejected("PEM is not UTF-8"))?;
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| rejected("no PEM block"))?;
    let rest = &text[start + 11..];
    let (label, rest) = rest
        .split_once("-----")
        .ok_or_else(|| rejected("unterminated PEM header"))?;
    let end_marker = format!("-----END {label}-----");
    let (body, _) = rest
        .split_once(end_marker.as_str())
        .ok_or_else(|| rejected("no PEM end line"))?;
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| rejected("PEM body is not base64"))?;
    Ok(Pem {
        label: label.to_owned(),
        der,
    })
}

/// A public key for verifying signatures, bound to its algorithm and parsed once.
#[derive(Clone)]
pub struct VerifyingKey {
    algorithm: KeyAlgorithm,
    key: sig::ParsedPublicKey,
    public: Option<der::PublicParts>,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl VerifyingKey {
    /// From DER: SPKI, PKCS#1 `RSAPublicKey`, an uncompressed EC point or a raw 32-byte
    /// Ed25519 key. The key type must fit `algorithm`.
    pub fn from_der(algorithm: KeyAlgorithm, der: &[u8]) -> Result<Self, Error> {
        let key = sig::ParsedPublicKey::new(algorithm.verification(), der)
            .map_err(|e| rejected(&format!("public key does not fit {algorithm:?}: {e}")))?;
        let public = der::public_parts(algorithm, der);
        if algorithm == KeyAlgorithm::Ed25519 {
            // aws-lc-rs also takes an SPKI followed by other bytes; the key is checked only as
            // the 32 bytes read here, so anything else is refused (found by fuzzing).
            match &public {
                Some(der::PublicParts::Okp { x }) if ed25519_non_canonical(x) => {
                    return Err(rejected(
                        "Ed25519 public key is not canonical: y is p or more (RFC 8032 5.1.3)",
                    ))
                }
                Some(der::PublicParts::Okp { x }) if !ed25519_small_order(x) => {}
                Some(_) => return Err(rejected("Ed25519 public key of small order")),
                None => {
                    return Err(rejected(
                        "Ed25519 public key is neither 32 bytes nor one SubjectPublicKeyInfo",
                    ))
                }
            }
        }
        if algorithm.rsa_encoding().is_some() {
            // aws-lc-rs parses a 1024-bit modulus and only refuses it at verify time; refuse it
            // here, where the caller learns that the key (not a signature) is the problem.
            let bits = match &public {
                Some(der::PublicParts::Rsa { n, .. }) => rsa_modulus_bits(n),
                _ => 0,
            };
            if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
                return Err(rejected(&format!(
                    "RSA modulus of {bits} bits is outside {MIN_RSA_BITS}..={MAX_RSA_BITS}"
                )));
            }
            check_rsa_modulus(public.as_ref())?;
        }
        Ok(VerifyingKey {
            algorithm,
            key,
            public,
        })
    }

    /// From PEM: `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1).
    pub fn from_pem(algorithm: KeyAlgorithm, pem: &[u8]) -> Result<Self, Error> {
        let block = parse_pem(pem)?;
        match block.label.as_str() {
            "PUBLIC KEY" | "RSA PUBLIC KEY" => Self::from_der(algorithm, &block.der),
            other => Err(rejected(&format!(
                "PEM label {other:?} is not a public key"
            ))),
        }
    }

    /// A raw 32-byte Ed25519 public key.
    pub fn ed25519(public_key: &[u8; 32]) -> Result<Self, Error> {
        Self::from_der(KeyAlgorithm::Ed25519, public_key)
    }

    /// The algorithm the key is bound to.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// True when `signature` is a valid signature of `message` under this key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(message, signature).is_ok()
    }
}

enum Pair {
    Ed25519(Ed25519KeyPair),
    Ecdsa(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// A private key for signing, bound to its algorithm and parsed once.
pub struct SigningKey {
    algorithm: KeyAlgorithm,
    pair: Pair,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// From DER: PKCS#8 for every algorithm, PKCS#1 `RSAPrivateKey` for RSA, SEC1
    /// `ECPrivateKey` for ECDSA.
    pub fn from_der(algorithm: KeyAlgorithm, der: &[u8]) -> Result<Self, Error> {
        let pair = match algorithm {
            KeyAlgorithm::Ed25519 => Pair::Ed25519(
                Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                    .map_err(|e| rejected(&format!("Ed25519 private key: {e}")))?,
            ),
            KeyAlgorithm::EcdsaP256Sha256
            | KeyAlgorithm::EcdsaP384Sha384
            | KeyAlgorithm::EcdsaP521Sha512 => {
                let alg = algorithm
                    .ecdsa_signing()
                    .ok_or_else(|| rejected("not an ECDSA algorithm"))?;
                Pair::Ecdsa(
                    EcdsaKeyPair::from_private_key_der(alg, der)
                        .map_err(|e| rejected(&format!("ECDSA private key: {e}")))?,
                )
            }
            _ => Pair::Rsa(rsa_pair(der)?),
        };
        Ok(SigningKey { algorithm, pair })
    }

    /// From PEM: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY` (SEC1).
    pub fn from_pem(algorithm: KeyAlgorithm, pem: &[u8]) -> Result<Self, Error> {
        let block = zeroize::Zeroizing::new(parse_pem(pem)?.der_with_label()?);
        Self::from_der(algorithm, &block)
    }

    /// An Ed25519 key from its 32-byte seed (the RFC 8032 private key).
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> Result<Self, Error> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|e| rejected(&format!("Ed25519 seed: {e}")))?;
        Ok(SigningKey {
            algorithm: KeyAlgorithm::Ed25519,
            pair: Pair::Ed25519(pair),
        })
    }

    /// A new random key pair for `algorithm` (RSA: 2048 bits; see
    /// [`SigningKey::generate_rsa`] for larger keys).
    pub fn generate(algorithm: KeyAlgorithm) -> Result<Self, Error> {
        let failed = || Error::new(ErrorCode::RandomUnavailable, "key generation failed");
        let pair = match algorithm {
            KeyAlgorithm::Ed25519 => {
                Pair::Ed25519(Ed25519KeyPair::generate().map_err(|_| failed())?)
            }
            KeyAlgorithm::EcdsaP256Sha256
            | KeyAlgorithm::EcdsaP384Sha384
            | KeyAlgorithm::EcdsaP521Sha512 => {
                let alg = algorithm
                    .ecdsa_signing()
                    .ok_or_else(|| rejected("not an ECDSA algorithm"))?;
                Pair::Ecdsa(EcdsaKeyPair::generate(alg).map_err(|_| failed())?)
            }
            _ => return Self::generate_rsa(algorithm, 2048),
        };
        Ok(SigningKey { algorithm, pair })
    }

    /// A new random RSA key pair of `bits` (2048, 3072, 4096 or 8192) for an RSA algorithm.
    pub fn generate_rsa(algorithm: KeyAlgorithm, bits: u32) -> Result<Self, Error> {
        use aws_lc_rs::rsa::KeySize;
        if algorithm.rsa_encoding().is_none() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "not an RSA algorithm",
            ));
        }
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            8192 => KeySize::Rsa8192,
            _ => {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    "RSA key size must be 2048, 3072, 4096 or 8192 bits",
                ))
            }
        };
        let pair = RsaKeyPair::generate(size)
            .map_err(|_| Error::new(ErrorCode::RandomUnavailable, "key generation failed"))?;
        Ok(SigningKey {
            algorithm,
            pair: Pair::Rsa(pair),
        })
    }

    /// The private key as PKCS#8 DER (wiped when dropped).
    pub fn to_pkcs8_der(&self) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
        use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
        let failed = || Error::new(ErrorCode::Internal, "PKCS#8 export failed");
        let der = match &self.pair {
            Pair::Ed25519(p) => p.to_pkcs8v1().map_err(|_| failed())?.as_ref().to_vec(),
            Pair::Ecdsa(p) => p.to_pkcs8v1().map_err(|_| failed())?.as_ref().to_vec(),
            Pair::Rsa(p) => {
                let der: Pkcs8V1Der<'static> = p.as_der().map_err(|_| failed())?;
                der.as_ref().to_vec()
            }
        };
        Ok(zeroize::Zeroizing::new(der))
    }

    /// The private key as a PKCS#8 `PRIVATE KEY` PEM block (wiped when dropped).
    pub fn to_pkcs8_pem(&self) -> Result<zeroize::Zeroizing<String>, Error> {
        let der = self.to_pkcs8_der()?;
        let b64 = zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&*der));
        let mut out = String::from("-----BEGIN PRIVATE KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            out.extend(chunk.iter().map(|&b| char::from(b)));
            out.push('\n');
        }
        out.push_str("-----END PRIVATE KEY-----\n");
        Ok(zeroize::Zeroizing::new(out))
    }

    /// The algorithm the key is bound to.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The matching public key.
    pub fn verifying_key(&self) -> Result<VerifyingKey, Error> {
        let public = match &self.pair {
            Pair::Ed25519(p) => p.public_key().as_ref().to_vec(),
            Pair::Ecdsa(p) => p.public_key().as_ref().to_vec(),
            Pair::Rsa(p) => p.public_key().as_ref().to_vec(),
        };
        VerifyingKey::from_der(self.algorithm, &public)
    }

    /// Signs `message`. Ed25519 and RSA PKCS#1 v1.5 are deterministic; ECDSA and PSS are not.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let failed = || Error::new(ErrorCode::Internal, "signing failed");
        match &self.pair {
            Pair::Ed25519(p) => Ok(p.try_sign(message).map_err(|_| failed())?.as_ref().to_vec()),
            Pair::Ecdsa(p) => Ok(p
                .sign(&SystemRandom::new(), message)
                .map_err(|_| failed())?
                .as_ref()
                .to_vec()),
            Pair::Rsa(p) => {
                let encoding = self
                    .algorithm
                    .rsa_encoding()
                    .ok_or_else(|| Error::new(ErrorCode::Internal, "RSA key without encoding"))?;
                let mut out = vec![0u8; p.public_modulus_len()];
                p.sign(encoding, &SystemRandom::new(), message, &mut out)
                    .map_err(|_| failed())?;
                Ok(out)
            }
        }
    }
}

impl Pem {
    /// The DER of a private-key block, refusing public keys and certificates.
    fn der_with_label(self) -> Result<Vec<u8>, Error> {
        match self.label.as_str() {
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => Ok(self.der),
            other => Err(rejected(&format!(
                "PEM label {other:?} is not a private key"
            ))),
        }
    }
}

/// An RSA key pair from PKCS#8 (rsaEncryption or id-RSASSA-PSS) or PKCS#1 DER, 2048 bits or
/// more.
fn rsa_pair(der: &[u8]) -> Result<RsaKeyPair, Error> {
    let pair = RsaKeyPair::from_pkcs8(der)
        .or_else(|_| RsaKeyPair::from_der(der))
        .or_else(|e| match der::pkcs8_inner_key(der) {
            Some(inner) => RsaKeyPair::from_der(inner),
            None => Err(e),
        })
        .map_err(|e| rejected(&format!("RSA private key: {e}")))?;
    if pair.public_modulus_len() < 256 {
        return Err(rejected("RSA keys shorter than 2048 bits are refused"));
    }
    check_rsa_modulus(
        der::public_parts(KeyAlgorithm::RsaPkcs1Sha256, pair.public_key().as_ref()).as_ref(),
    )?;
    Ok(pair)
}

#[cfg(test)]
mod tests {
    use super::weak::ED25519_SMALL_ORDER;
    use super::*;

    const ED_PRIV: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n";
    const ED_PUB: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n-----END PUBLIC KEY-----\n";
    const EC_PRIV: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFKbhfNZfpDsW43+0+JjUr9K+bTeuxopu653+hBaXGA7oAoGCCqGSM49\nAwEHoUQDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lfw0EkjqF7xB4FivAxzic30tMM\n4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==\n-----END EC PRIVATE KEY-----\n";

    #[test]
    fn ed25519_round_trip_and_binding() {
        let k = SigningKey::from_pem(KeyAlgorithm::Ed25519, ED_PRIV.as_bytes()).unwrap();
        let v = VerifyingKey::from_pem(KeyAlgorithm::Ed25519, ED_PUB.as_bytes()).unwrap();
        let s = k.sign(b"hello").unwrap();
        assert!(v.verify(b"hello", &s));
        assert!(!v.verify(b"hellO", &s));
        assert!(k.verifying_key().unwrap().verify(b"hello", &s));
        // An Ed25519 key is not an ECDSA key.
        let e = VerifyingKey::from_pem(KeyAlgorithm::EcdsaP256Sha256, ED_PUB.as_bytes());
        assert_eq!(e.unwrap_err().code(), ErrorCode::SignatureSecretInvalid);
        assert!(!format!("{k:?}").contains("MC4C"));
    }

    #[test]
    fn ecdsa_sec1_signs_fixed_width() {
        let k = SigningKey::from_pem(KeyAlgorithm::EcdsaP256Sha256, EC_PRIV.as_bytes()).unwrap();
        let s = k.sign(b"m").unwrap();
        assert_eq!(s.len(), 64);
        assert!(k.verifying_key().unwrap().verify(b"m", &s));
        assert!(SigningKey::from_pem(KeyAlgorithm::EcdsaP384Sha384, EC_PRIV.as_bytes()).is_err());
    }

    #[test]
    fn small_order_ed25519_keys_are_refused() {
        for hex in ED25519_SMALL_ORDER {
            let mut key = [0u8; 32];
            for (i, b) in key.iter_mut().enumerate() {
                *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
            }
            for sign in [0, 0x80] {
                key[31] = (key[31] & 0x7f) | sign;
                let e = VerifyingKey::ed25519(&key).unwrap_err();
                assert_eq!(e.code(), ErrorCode::SignatureSecretInvalid, "{hex}");
            }
        }
        // The key the fuzzer found: all zero, under which the all-zero signature verified;
        // then the same key as an SPKI followed by other bytes, which aws-lc-rs reads.
        assert!(VerifyingKey::ed25519(&[0; 32]).is_err());
        let mut spki = vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ];
        spki.extend([0; 32]);
        assert!(VerifyingKey::from_der(KeyAlgorithm::Ed25519, &spki).is_err());
        spki.extend(b"trailing");
        assert!(VerifyingKey::from_der(KeyAlgorithm::Ed25519, &spki).is_err());
        let good = SigningKey::generate(KeyAlgorithm::Ed25519).unwrap();
        let mut good_spki = spki[..12].to_vec();
        let jwk = good.verifying_key().unwrap().to_jwk().unwrap();
        good_spki.extend(jwk::b64url_decode(jwk["x"].as_str().unwrap()).unwrap());
        assert!(VerifyingKey::from_der(KeyAlgorithm::Ed25519, &good_spki).is_ok());
        good_spki.extend(b"trailing");
        assert!(VerifyingKey::from_der(KeyAlgorithm::Ed25519, &good_spki).is_err());
    }

    /// y = p + 3 is the non-canonical encoding of a point on the curve (y = 3), of large
    /// order: aws-lc-rs reads it; RFC 8032 5.1.3 refuses it (the adversarial review).
    #[test]
    fn non_canonical_ed25519_keys_are_refused() {
        let mut key = [0xffu8; 32];
        key[31] = 0x7f;
        for low in [0xed_u8, 0xf0, 0xff] {
            key[0] = low;
            for sign in [0, 0x80] {
                key[31] = 0x7f | sign;
                assert!(ed25519_non_canonical(&key), "{low:x}");
                let e = VerifyingKey::ed25519(&key).unwrap_err();
                assert_eq!(e.code(), ErrorCode::SignatureSecretInvalid);
            }
        }
        key[0] = 0xec; // p - 1: canonical (and of small order, refused as such)
        key[31] = 0x7f;
        assert!(!ed25519_non_canonical(&key));
        key[0] = 0xf0; // p + 3
        let e = VerifyingKey::ed25519(&key).unwrap_err();
        assert!(e.detail().contains("not canonical"));
        let mut three = [0u8; 32];
        three[0] = 3; // the same point, canonical
        assert!(VerifyingKey::ed25519(&three).is_ok());
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            "",
            "-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----",
            ED_PUB,
        ] {
            let e = SigningKey::from_pem(KeyAlgorithm::Ed25519, bad.as_bytes()).unwrap_err();
            assert_eq!(e.code(), ErrorCode::SignatureSecretInvalid);
        }
        assert!(VerifyingKey::from_der(KeyAlgorithm::RsaPssSha512, &[0x30, 0x82, 0xff]).is_err());
        assert!(der::pkcs8_inner_key(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(SigningKey::ed25519_from_seed(&[7; 32]).is_ok());
    }
}
