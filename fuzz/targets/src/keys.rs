//! PEM and DER keys: the asymmetric key readers every method shares (`portcullis::keys`) and
//! the JWT key readers over them.

use portcullis::jwt::{Algorithm, JwtKey};
use portcullis::keys::{KeyAlgorithm, SigningKey, VerifyingKey};

use crate::check;

/// Every asymmetric algorithm, in the order the first input byte selects them.
pub const ALGORITHMS: &[(KeyAlgorithm, Algorithm)] = &[
    (KeyAlgorithm::Ed25519, Algorithm::EdDsa),
    (KeyAlgorithm::EcdsaP256Sha256, Algorithm::Es256),
    (KeyAlgorithm::EcdsaP384Sha384, Algorithm::Es384),
    (KeyAlgorithm::EcdsaP521Sha512, Algorithm::Es512),
    (KeyAlgorithm::RsaPssSha256, Algorithm::Ps256),
    (KeyAlgorithm::RsaPssSha384, Algorithm::Ps384),
    (KeyAlgorithm::RsaPssSha512, Algorithm::Ps512),
    (KeyAlgorithm::RsaPkcs1Sha256, Algorithm::Rs256),
    (KeyAlgorithm::RsaPkcs1Sha384, Algorithm::Rs384),
    (KeyAlgorithm::RsaPkcs1Sha512, Algorithm::Rs512),
];

/// The selector byte of an algorithm named as JOSE or RFC 9421 names it (0 when unknown).
pub fn selector(name: &str) -> u8 {
    let named = |(k, a): &(KeyAlgorithm, Algorithm)| {
        a.name() == name
            || match k {
                KeyAlgorithm::Ed25519 => name == "ed25519",
                KeyAlgorithm::EcdsaP256Sha256 => name == "ecdsa-p256-sha256",
                KeyAlgorithm::EcdsaP384Sha384 => name == "ecdsa-p384-sha384",
                KeyAlgorithm::RsaPssSha512 => name == "rsa-pss-sha512",
                KeyAlgorithm::RsaPkcs1Sha256 => name == "rsa-v1_5-sha256",
                _ => false,
            }
    };
    ALGORITHMS.iter().position(named).unwrap_or(0) as u8
}

/// The base64 lines of a PEM text, at least 16 characters: the private key's material, which
/// an error must never quote.
fn pem_lines(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == b'\n')
        .filter(|l| l.len() >= 16 && !l.starts_with(b"-----"))
        .collect()
}

const MESSAGE: &[u8] = b"portcullis fuzz message";

/// What a key reader says of a refused key (its detail), `None` when it reads the key.
type Reader<'a> = dyn Fn(&[u8]) -> Option<String> + 'a;

/// `pem_der_keys`: the first byte picks the algorithm, the rest is a PEM or DER key. A private
/// key that loads signs, and its public key verifies that signature; a public key that loads
/// refuses a made-up signature; the JWT readers agree with the key readers; a refusal never
/// quotes the key's base64 lines.
pub fn pem_der_keys(data: &[u8]) {
    let Some((&pick, key)) = data.split_first() else {
        return;
    };
    let (algorithm, jwt_alg) = ALGORITHMS[usize::from(pick) % ALGORITHMS.len()];
    let private = pem_lines(key);
    let signing = [
        SigningKey::from_pem(algorithm, key),
        SigningKey::from_der(algorithm, key),
    ];
    // What each reader says of a key, to tell an echoed PEM line from the readers' wording.
    let detail = |e: Result<(), portcullis::Error>| e.err().map(|e| e.detail().to_owned());
    let readers: [&Reader<'_>; 5] = [
        &|k| detail(SigningKey::from_pem(algorithm, k).map(drop)),
        &|k| detail(SigningKey::from_der(algorithm, k).map(drop)),
        &|k| detail(VerifyingKey::from_pem(algorithm, k).map(drop)),
        &|k| detail(VerifyingKey::from_der(algorithm, k).map(drop)),
        &|k| detail(JwtKey::from_pem(jwt_alg, k).map(drop)),
    ];
    let refused = |e: &portcullis::Error, reader: usize| {
        check::error(e, &[]);
        check::no_input_secret(key, &private, e.detail(), readers[reader]);
    };
    for (reader, loaded) in signing.iter().enumerate() {
        match loaded {
            Ok(k) => {
                assert_eq!(k.algorithm(), algorithm);
                let signature = k.sign(MESSAGE).expect("a loaded private key signs");
                let public = k.verifying_key().expect("a private key has a public key");
                assert!(
                    public.verify(MESSAGE, &signature),
                    "its own signature fails"
                );
                assert!(!public.verify(b"another message", &signature));
            }
            Err(e) => refused(e, reader),
        }
    }
    let verifying = [
        VerifyingKey::from_pem(algorithm, key),
        VerifyingKey::from_der(algorithm, key),
    ];
    for (reader, loaded) in verifying.iter().enumerate() {
        match loaded {
            Ok(k) => {
                assert_eq!(k.algorithm(), algorithm);
                assert!(!k.verify(MESSAGE, &[0u8; 64]), "a zero signature verifies");
            }
            Err(e) => refused(e, 2 + reader),
        }
    }
    // A JWT key reads PEM as either a private or a public key.
    let either = signing[0].is_ok() || verifying[0].is_ok();
    match JwtKey::from_pem(jwt_alg, key) {
        Ok(k) => {
            assert!(either, "JwtKey reads a PEM the key readers refuse");
            assert_eq!(k.algorithm(), jwt_alg);
        }
        Err(e) => {
            refused(&e, 4);
            assert!(!either, "the key readers read a PEM JwtKey refuses: {e}");
        }
    }
}
