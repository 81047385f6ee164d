//! Webhook secrets as each provider writes them.

use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::WebhookScheme;
use crate::error::{Error, ErrorCode};

/// Standard Webhooks' bounds on symmetric secrets: its spec has senders make 24 to 64 random
/// bytes; verifiers accept from 16, since a sender's secret is not the receiver's to choose.
const STANDARD_SIGNING_MIN: usize = 24;
const STANDARD_MAX: usize = 64;
/// Shortest secret accepted for verifying Stripe, GitHub and Slack signatures (their secrets are
/// chosen by the provider or the user; shorter ones are guessable).
const PROVIDER_MIN: usize = 16;
/// Shortest secret accepted for signing with Stripe, GitHub or Slack schemes.
const SIGNING_MIN: usize = 32;

/// One configured secret, decoded.
pub(crate) enum Secret {
    /// An HMAC-SHA256 key, keyed once (the inner and outer pad blocks already hashed) and
    /// cloned per message; its state is wiped on drop (`zeroize` features of hmac and sha2).
    Hmac(Box<Hmac<Sha256>>),
    /// A Standard Webhooks `whpk_` Ed25519 public key (verifies `v1a`).
    Ed25519Public(Vec<u8>),
    /// A Standard Webhooks `whsk_` Ed25519 signing key (signs `v1a`; verifies with its public half).
    Ed25519Private(Box<Ed25519KeyPair>),
}

fn invalid(detail: &'static str) -> Error {
    Error::new(ErrorCode::SignatureSecretInvalid, detail)
}

/// Standard base64, padding optional and trailing bits ignored, as the Standard Webhooks
/// libraries decode secrets (a secret pasted without its padding still works).
fn decode_b64(text: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    engine
        .decode(text)
        .map(Zeroizing::new)
        .map_err(|_| invalid("secret is not base64"))
}

impl Secret {
    /// Parses `text` as `scheme` writes secrets. `for_signing` applies the stricter minimum.
    pub(crate) fn parse(
        scheme: WebhookScheme,
        text: &str,
        for_signing: bool,
    ) -> Result<Self, Error> {
        if text.is_empty() {
            return Err(invalid("secret is empty"));
        }
        match scheme {
            WebhookScheme::Standard => {
                if let Some(b64) = text.strip_prefix("whpk_") {
                    if for_signing {
                        return Err(invalid("a whpk_ public key cannot sign"));
                    }
                    let key = decode_b64(b64)?;
                    if key.len() != 32 {
                        return Err(invalid("whpk_ key is not 32 bytes"));
                    }
                    return Ok(Secret::Ed25519Public(key.to_vec()));
                }
                if let Some(b64) = text.strip_prefix("whsk_") {
                    let key = decode_b64(b64)?;
                    // A 32-byte seed, or seed || public key as libsodium writes it.
                    let seed = key
                        .get(..32)
                        .filter(|_| key.len() == 32 || key.len() == 64)
                        .ok_or_else(|| invalid("whsk_ key is not 32 or 64 bytes"))?;
                    let pair = Ed25519KeyPair::from_seed_unchecked(seed)
                        .map_err(|_| invalid("whsk_ key is not an Ed25519 seed"))?;
                    if key.len() == 64 && pair.public_key().as_ref() != &key[32..] {
                        return Err(invalid("whsk_ public half does not match its seed"));
                    }
                    return Ok(Secret::Ed25519Private(Box::new(pair)));
                }
                let key = decode_b64(text.strip_prefix("whsec_").unwrap_or(text))?;
                let min = if for_signing {
                    STANDARD_SIGNING_MIN
                } else {
                    PROVIDER_MIN
                };
                if key.len() < min || key.len() > STANDARD_MAX {
                    return Err(Error::new(
                        ErrorCode::SignatureSecretInvalid,
                        format!("whsec_ secret must decode to {min} to {STANDARD_MAX} bytes"),
                    ));
                }
                Secret::hmac(&key)
            }
            WebhookScheme::Stripe | WebhookScheme::Github | WebhookScheme::Slack => {
                let min = if for_signing {
                    SIGNING_MIN
                } else {
                    PROVIDER_MIN
                };
                if text.len() < min {
                    return Err(Error::new(
                        ErrorCode::SignatureSecretInvalid,
                        format!("secret shorter than {min} bytes"),
                    ));
                }
                Secret::hmac(text.as_bytes())
            }
        }
    }

    fn hmac(key: &[u8]) -> Result<Self, Error> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(key)
            .map(|mac| Secret::Hmac(Box::new(mac)))
            .map_err(|_| invalid("unusable HMAC key"))
    }

    /// HMAC-SHA256 over `parts`, for symmetric secrets.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> Option<[u8; 32]> {
        let Secret::Hmac(keyed) = self else {
            return None;
        };
        let mut mac = Hmac::<Sha256>::clone(keyed);
        for part in parts {
            mac.update(part);
        }
        Some(mac.finalize().into_bytes().into())
    }

    /// Checks an Ed25519 signature over `message`, for asymmetric secrets.
    pub(crate) fn ed25519_verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let public = match self {
            Secret::Ed25519Public(key) => key.as_slice(),
            Secret::Ed25519Private(pair) => pair.public_key().as_ref(),
            Secret::Hmac(_) => return false,
        };
        UnparsedPublicKey::new(&ED25519, public)
            .verify(message, signature)
            .is_ok()
    }

    /// An Ed25519 signature over `message`, for `whsk_` keys.
    pub(crate) fn ed25519_sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        match self {
            Secret::Ed25519Private(pair) => Some(pair.sign(message).as_ref().to_vec()),
            _ => None,
        }
    }
}
