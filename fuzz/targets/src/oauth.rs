//! DPoP proofs (RFC 9449) read by the resource server's proof verifier.

use portcullis::oauth2::{DpopConfig, DpopVerifier, ProofContext};
use portcullis::ErrorCode;

use crate::{check, NOW};

/// The codes a proof may be refused with.
const PROOF_CODES: &[ErrorCode] = &[
    ErrorCode::DpopProofInvalid,
    ErrorCode::DpopProofMismatch,
    ErrorCode::DpopProofStale,
    ErrorCode::DpopProofReplayed,
    ErrorCode::DpopNonceRequired,
];

/// Splits `<now> <METHOD> <uri> [<access token>]\n<proof>`; input without that first line is
/// a proof checked at [`NOW`] for `GET https://api.example.com/`.
fn split(text: &str) -> (i64, &str, &str, Option<&str>, &str) {
    if let Some((head, proof)) = text.split_once('\n') {
        let mut words = head.split(' ');
        if let (Some(now), Some(method), Some(uri)) = (words.next(), words.next(), words.next()) {
            if let Ok(now) = now.parse::<i64>() {
                return (now, method, uri, words.next(), proof);
            }
        }
    }
    (NOW, "GET", "https://api.example.com/", None, text)
}

/// `dpop_verify`: a proof is accepted once, with a thumbprint of 43 base64url characters, and
/// the same proof again is `dpop_proof_replayed`; anything refused is refused with a DPoP code
/// and a detail. Nothing panics, whatever the proof, the method, the URI or the time.
pub fn dpop_verify(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (now, method, uri, access_token, proof) = split(text);
    let config = DpopConfig {
        max_age_seconds: 3600,
        leeway_seconds: 300,
        ..DpopConfig::default()
    };
    let verifier = DpopVerifier::new(
        config,
        std::sync::Arc::new(portcullis::store::MemoryStore::default()),
    )
    .expect("the fuzz configuration is valid");
    let context = ProofContext {
        method,
        uri,
        access_token,
        now,
    };
    match verifier.verify(proof, &context) {
        Ok(verified) => {
            assert_eq!(verified.thumbprint.len(), 43, "{verified:?}");
            assert!(!verified.jti.is_empty());
            let again = verifier
                .verify(proof, &context)
                .expect_err("a replay was accepted");
            assert_eq!(again.code(), ErrorCode::DpopProofReplayed, "{again}");
        }
        Err(e) => {
            check::error(&e, &[]);
            assert!(PROOF_CODES.contains(&e.code()), "{e}");
        }
    }
}
