//! JSON Web Keys: import and export of public keys (RFC 7517, RFC 7518 section 6, RFC 8037 for
//! Ed25519), import of private keys, and RFC 7638 thumbprints.
//!
//! Members are read strictly: base64url must be canonical (no padding, no `+/`, no stray
//! trailing bits), EC coordinates must have the curve's exact width, and the key type and curve
//! must fit the algorithm the key is bound to. Private members never appear in an export.

use aws_lc_rs::rsa::{KeyPairComponents, PublicKeyComponents};
use aws_lc_rs::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use base64::Engine;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::der::{self, PublicParts};
use super::{rejected, KeyAlgorithm, Pair, SigningKey, VerifyingKey};
use crate::error::Error;

/// A JWK as a JSON object.
pub type Jwk = Map<String, Value>;

/// Base64url without padding (what JOSE uses everywhere).
pub fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes canonical base64url: no padding, URL alphabet only, zero trailing bits.
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}

fn text<'a>(jwk: &'a Jwk, name: &str) -> Result<&'a str, Error> {
    match jwk.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(rejected(&format!("JWK member {name} is not a string"))),
        None => Err(rejected(&format!("JWK member {name} is missing"))),
    }
}

fn bytes(jwk: &Jwk, name: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    b64url_decode(text(jwk, name)?)
        .map(Zeroizing::new)
        .ok_or_else(|| rejected(&format!("JWK member {name} is not canonical base64url")))
}

/// The private members of an asymmetric JWK: `d` (RFC 7518 6.2.2, 6.3.2, RFC 8037 2) and RSA's
/// `p`, `q`, `dp`, `dq`, `qi` and `oth` (RFC 7518 6.3.2). Each is private key material: the
/// factors of an RSA modulus give away its key as surely as `d` does.
pub const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth"];

/// True when `jwk` holds any of [`PRIVATE_MEMBERS`].
pub fn has_private_members(jwk: &Jwk) -> bool {
    PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m))
}

/// Checks `kty` (and `crv`) against the algorithm the key is bound to.
fn check_type(algorithm: KeyAlgorithm, jwk: &Jwk) -> Result<(), Error> {
    let kty = text(jwk, "kty")?;
    let fits = match algorithm {
        KeyAlgorithm::Ed25519 => kty == "OKP" && text(jwk, "crv")? == "Ed25519",
        _ => match der::ec_curve(algorithm) {
            Some((crv, _)) => kty == "EC" && text(jwk, "crv")? == crv,
            None => kty == "RSA",
        },
    };
    if !fits {
        return Err(rejected(&format!("JWK does not fit {algorithm:?}")));
    }
    Ok(())
}

/// The uncompressed point `04 || x || y` of an EC JWK, widths checked.
fn ec_point(algorithm: KeyAlgorithm, jwk: &Jwk) -> Result<Vec<u8>, Error> {
    let (_, width) = der::ec_curve(algorithm).ok_or_else(|| rejected("not an EC algorithm"))?;
    let (x, y) = (bytes(jwk, "x")?, bytes(jwk, "y")?);
    if x.len() != width || y.len() != width {
        return Err(rejected("EC coordinates do not have the curve's width"));
    }
    let mut point = Vec::with_capacity(1 + 2 * width);
    point.push(0x04);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    Ok(point)
}

impl VerifyingKey {
    /// A public key from a JWK (`OKP`/`Ed25519`, `EC` with `P-256`/`P-384`/`P-521`, `RSA`). The
    /// JWK's own `alg`, `use` and `kid` are not read here. A JWK holding any private member
    /// ([`PRIVATE_MEMBERS`]) is refused: it is no public key, and RSA's `p`, `q`, `dp`, `dq`,
    /// `qi` without `d` are no valid private key either (RFC 7518 6.3.2).
    pub fn from_jwk(algorithm: KeyAlgorithm, jwk: &Jwk) -> Result<Self, Error> {
        if has_private_members(jwk) {
            return Err(rejected(
                "a public JWK holds private members (RSA p, q, dp, dq, qi or oth need d: \
                 RFC 7518 6.3.2)",
            ));
        }
        check_type(algorithm, jwk)?;
        if algorithm == KeyAlgorithm::Ed25519 {
            let x = bytes(jwk, "x")?;
            if x.len() != 32 {
                return Err(rejected("Ed25519 x is not 32 bytes"));
            }
            return Self::from_der(algorithm, &x);
        }
        if der::ec_curve(algorithm).is_some() {
            return Self::from_der(algorithm, &ec_point(algorithm, jwk)?);
        }
        let (n, e) = (bytes(jwk, "n")?, bytes(jwk, "e")?);
        if n.first() == Some(&0) || e.first() == Some(&0) {
            return Err(rejected("RSA n or e has leading zero octets"));
        }
        Self::from_der(algorithm, &der::encode_rsa_public(&n, &e))
    }

    /// The public JWK: `kty` and the key's public members only (no `kid`, `alg` or `use`).
    pub fn to_jwk(&self) -> Result<Jwk, Error> {
        let parts = self
            .public
            .as_ref()
            .ok_or_else(|| rejected("key encoding cannot be exported as a JWK"))?;
        let mut jwk = Map::new();
        let mut put = |k: &str, v: String| {
            jwk.insert(k.to_owned(), Value::String(v));
        };
        match parts {
            PublicParts::Okp { x } => {
                put("kty", "OKP".into());
                put("crv", "Ed25519".into());
                put("x", b64url(x));
            }
            PublicParts::Ec { crv, x, y } => {
                put("kty", "EC".into());
                put("crv", (*crv).into());
                put("x", b64url(x));
                put("y", b64url(y));
            }
            PublicParts::Rsa { n, e } => {
                put("kty", "RSA".into());
                put("n", b64url(n));
                put("e", b64url(e));
            }
        }
        Ok(jwk)
    }

    /// The RFC 7638 SHA-256 thumbprint of the public key.
    pub fn thumbprint(&self) -> Result<String, Error> {
        thumbprint(&self.to_jwk()?)
    }
}

impl SigningKey {
    /// A private key from a JWK with its private members (`d`; for RSA also `p`, `q`, `dp`,
    /// `dq`, `qi`; multi-prime `oth` is refused). The public members must match the private key.
    pub fn from_jwk(algorithm: KeyAlgorithm, jwk: &Jwk) -> Result<Self, Error> {
        check_type(algorithm, jwk)?;
        let d = bytes(jwk, "d")?;
        let pair = if algorithm == KeyAlgorithm::Ed25519 {
            let pair = Ed25519KeyPair::from_seed_unchecked(&d)
                .map_err(|e| rejected(&format!("Ed25519 d: {e}")))?;
            if pair.public_key().as_ref() != bytes(jwk, "x")?.as_slice() {
                return Err(rejected("Ed25519 x does not match d"));
            }
            Pair::Ed25519(pair)
        } else if let Some(alg) = algorithm.ecdsa_signing() {
            let point = ec_point(algorithm, jwk)?;
            Pair::Ecdsa(
                EcdsaKeyPair::from_private_key_and_public_key(alg, &d, &point)
                    .map_err(|e| rejected(&format!("EC private JWK: {e}")))?,
            )
        } else {
            if jwk.contains_key("oth") {
                return Err(rejected("multi-prime RSA keys are not supported"));
            }
            let (n, e) = (bytes(jwk, "n")?, bytes(jwk, "e")?);
            let (p, q) = (bytes(jwk, "p")?, bytes(jwk, "q")?);
            let (dp, dq, qi) = (bytes(jwk, "dp")?, bytes(jwk, "dq")?, bytes(jwk, "qi")?);
            let components = KeyPairComponents {
                public_key: PublicKeyComponents {
                    n: n.as_slice(),
                    e: e.as_slice(),
                },
                d: d.as_slice(),
                p: p.as_slice(),
                q: q.as_slice(),
                dP: dp.as_slice(),
                dQ: dq.as_slice(),
                qInv: qi.as_slice(),
            };
            let pair = RsaKeyPair::from_components(&components)
                .map_err(|e| rejected(&format!("RSA private JWK: {e}")))?;
            if pair.public_modulus_len() < 256 {
                return Err(rejected("RSA keys shorter than 2048 bits are refused"));
            }
            super::check_rsa_modulus(Some(&PublicParts::Rsa {
                n: n.to_vec(),
                e: e.to_vec(),
            }))?;
            Pair::Rsa(pair)
        };
        Ok(SigningKey { algorithm, pair })
    }
}

/// What a JWK's `use` (RFC 7517 4.2) and `key_ops` (4.3) allow the key to do with signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureUse {
    /// The key may verify signatures.
    pub verify: bool,
    /// The key may sign (meaningful for private keys and secrets only).
    pub sign: bool,
}

/// The one rule every JWK import path applies to `use` and `key_ops`: a key verifies only when
/// `use` is absent or `sig` and `key_ops` is absent or lists `verify` (signing likewise with
/// `sign`). Refused: a `use` that is not a string, `key_ops` that is not an array of distinct
/// strings, and the two members contradicting each other (RFC 7517 4.3: "MUST be consistent"):
/// `use: sig` with `key_ops` naming neither `sign` nor `verify`, or another `use` with `key_ops`
/// naming one of them.
pub fn signature_use(jwk: &Jwk) -> Result<SignatureUse, Error> {
    let use_sig = match jwk.get("use") {
        None => None,
        Some(Value::String(u)) => Some(u == "sig"),
        Some(_) => return Err(rejected("JWK use is not a string")),
    };
    let ops = match jwk.get("key_ops") {
        None => None,
        Some(Value::Array(items)) => {
            let mut ops: Vec<&str> = Vec::with_capacity(items.len());
            for item in items {
                let op = item
                    .as_str()
                    .ok_or_else(|| rejected("JWK key_ops holds a value that is not a string"))?;
                if ops.contains(&op) {
                    return Err(rejected("JWK key_ops names an operation twice"));
                }
                ops.push(op);
            }
            Some(ops)
        }
        Some(_) => return Err(rejected("JWK key_ops is not an array")),
    };
    let has = |op: &str| ops.as_ref().is_none_or(|ops| ops.contains(&op));
    if let (Some(use_sig), Some(_)) = (use_sig, &ops) {
        if use_sig != (has("sign") || has("verify")) {
            return Err(rejected("JWK use and key_ops contradict each other"));
        }
    }
    let use_ok = use_sig.unwrap_or(true);
    Ok(SignatureUse {
        verify: use_ok && has("verify"),
        sign: use_ok && has("sign"),
    })
}

/// The RFC 7638 thumbprint (SHA-256, base64url) of a JWK: the required members of its `kty`,
/// in lexicographic order, as compact JSON. Other members (`kid`, `alg`, private ones) are
/// ignored.
pub fn thumbprint(jwk: &Jwk) -> Result<String, Error> {
    let members: &[&str] = match text(jwk, "kty")? {
        "EC" => &["crv", "kty", "x", "y"],
        "RSA" => &["e", "kty", "n"],
        "oct" => &["k", "kty"],
        "OKP" => &["crv", "kty", "x"],
        other => return Err(rejected(&format!("unknown kty {other:?}"))),
    };
    let mut json = String::from("{");
    for (i, name) in members.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        let value = Value::String(text(jwk, name)?.to_owned());
        json.push_str(&format!("\"{name}\":{value}"));
    }
    json.push('}');
    Ok(b64url(&Sha256::digest(json.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Jwk {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn rfc7638_example() {
        let jwk = obj(json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        }));
        assert_eq!(
            thumbprint(&jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        let key = VerifyingKey::from_jwk(KeyAlgorithm::RsaPkcs1Sha256, &jwk).unwrap();
        assert_eq!(
            key.thumbprint().unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn generated_keys_round_trip_through_jwk() {
        for alg in [
            KeyAlgorithm::Ed25519,
            KeyAlgorithm::EcdsaP256Sha256,
            KeyAlgorithm::EcdsaP384Sha384,
            KeyAlgorithm::EcdsaP521Sha512,
        ] {
            let k = SigningKey::generate(alg).unwrap();
            let v = k.verifying_key().unwrap();
            let jwk = v.to_jwk().unwrap();
            let back = VerifyingKey::from_jwk(alg, &jwk).unwrap();
            let sig = k.sign(b"m").unwrap();
            assert!(back.verify(b"m", &sig), "{alg:?}");
            let pem = k.to_pkcs8_pem().unwrap();
            let again = SigningKey::from_pem(alg, pem.as_bytes()).unwrap();
            assert!(v.verify(b"n", &again.sign(b"n").unwrap()));
        }
    }

    #[test]
    fn use_and_key_ops() {
        let both = SignatureUse {
            verify: true,
            sign: true,
        };
        let none = SignatureUse {
            verify: false,
            sign: false,
        };
        let verify_only = SignatureUse {
            verify: true,
            sign: false,
        };
        let cases = [
            (json!({}), Some(both)),
            (json!({"use": "sig"}), Some(both)),
            (json!({"use": "enc"}), Some(none)),
            (json!({"use": "other"}), Some(none)),
            (json!({"key_ops": ["verify"]}), Some(verify_only)),
            (json!({"key_ops": ["encrypt"]}), Some(none)),
            (json!({"key_ops": []}), Some(none)),
            (
                json!({"use": "sig", "key_ops": ["verify"]}),
                Some(verify_only),
            ),
            (json!({"use": "enc", "key_ops": ["encrypt"]}), Some(none)),
            (json!({"use": "sig", "key_ops": ["encrypt"]}), None),
            (json!({"use": "sig", "key_ops": []}), None),
            (json!({"use": "enc", "key_ops": ["verify"]}), None),
            (json!({"key_ops": ["verify", "verify"]}), None),
            (json!({"key_ops": "verify"}), None),
            (json!({"key_ops": [1]}), None),
            (json!({"use": 1}), None),
        ];
        for (jwk, want) in cases {
            let got = signature_use(&obj(jwk.clone()));
            match want {
                Some(want) => assert_eq!(got.unwrap(), want, "{jwk}"),
                None => assert!(got.is_err(), "{jwk}"),
            }
        }
    }

    #[test]
    fn strict_members() {
        let good = obj(json!({"kty": "OKP", "crv": "Ed25519",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}));
        assert!(SigningKey::from_jwk(KeyAlgorithm::Ed25519, &good).is_ok());
        assert!(VerifyingKey::from_jwk(KeyAlgorithm::EcdsaP256Sha256, &good).is_err());
        let mut padded = good.clone();
        padded.insert(
            "x".into(),
            json!("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="),
        );
        assert!(VerifyingKey::from_jwk(KeyAlgorithm::Ed25519, &padded).is_err());
        let mut wrong_x = good.clone();
        wrong_x.insert(
            "x".into(),
            json!("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURs"),
        );
        assert!(SigningKey::from_jwk(KeyAlgorithm::Ed25519, &wrong_x).is_err());
        assert!(thumbprint(&obj(json!({"kty": "EC", "crv": "P-256"}))).is_err());
        // A public JWK with private members but no `d` (found by the adversarial review): the
        // factors of n are the private key, and RFC 7518 6.3.2 requires d with them.
        let rsa = obj(json!({"kty": "RSA", "e": "AQAB",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}));
        assert!(VerifyingKey::from_jwk(KeyAlgorithm::RsaPkcs1Sha256, &rsa).is_ok());
        for member in ["p", "q", "dp", "dq", "qi", "oth", "d"] {
            let mut with = rsa.clone();
            with.insert(member.into(), json!("AQAB"));
            assert!(has_private_members(&with), "{member}");
            let e = VerifyingKey::from_jwk(KeyAlgorithm::RsaPkcs1Sha256, &with).unwrap_err();
            assert_eq!(
                e.code(),
                crate::error::ErrorCode::SignatureSecretInvalid,
                "{member}"
            );
            assert!(!e.detail().contains("AQAB"), "{member}");
        }
        let mut ed_public = good.clone();
        ed_public.remove("d");
        assert!(!has_private_members(&ed_public));
        assert!(thumbprint(&obj(json!({"kty": 1}))).is_err());
    }
}
