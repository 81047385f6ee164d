//! `WebhookSigner`: signs outgoing webhooks the way each provider does.

use base64::Engine;

use super::{schemes, secret::Secret, WebhookScheme};
use crate::encoding::hex_encode;
use crate::error::{Error, ErrorCode};

/// Signs outgoing webhooks (and test fixtures) the way a provider does.
pub struct WebhookSigner {
    scheme: WebhookScheme,
    secret: Secret,
}

impl std::fmt::Debug for WebhookSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSigner")
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl WebhookSigner {
    /// A signer for `scheme`. Standard Webhooks secrets must be 24 to 64 bytes (its spec) or a
    /// `whsk_` Ed25519 key; Stripe, GitHub and Slack secrets at least 32 bytes.
    pub fn new(scheme: WebhookScheme, secret: &str) -> Result<Self, Error> {
        Ok(WebhookSigner {
            scheme,
            secret: Secret::parse(scheme, secret, true)?,
        })
    }

    /// The headers that carry the signature of `body`, sent at `timestamp`. `message_id` is
    /// required for Standard Webhooks (`webhook-id`) and, optionally, GitHub
    /// (`X-GitHub-Delivery`).
    pub fn sign(
        &self,
        message_id: Option<&str>,
        timestamp: i64,
        body: &[u8],
    ) -> Result<Vec<(String, String)>, Error> {
        if timestamp < 0 {
            return Err(Error::new(ErrorCode::InvalidArgument, "negative timestamp"));
        }
        let ts = timestamp.to_string();
        let mac_hex = |parts: &[&[u8]]| {
            self.secret
                .mac(parts)
                .map(|m| hex_encode(&m))
                .ok_or_else(|| Error::new(ErrorCode::SignatureSecretInvalid, "not an HMAC secret"))
        };
        let header = |name: &str, value: String| (name.to_owned(), value);
        Ok(match self.scheme {
            WebhookScheme::Standard => {
                let id = message_id.ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidArgument,
                        "Standard Webhooks needs a message id",
                    )
                })?;
                schemes::check_message_id(id)?;
                let signed: [&[u8]; 5] = [id.as_bytes(), b".", ts.as_bytes(), b".", body];
                let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
                let signature = match self.secret.ed25519_sign(&signed.concat()) {
                    Some(sig) => format!("v1a,{}", b64(&sig)),
                    None => format!(
                        "v1,{}",
                        b64(&self.secret.mac(&signed).ok_or_else(|| {
                            Error::new(ErrorCode::SignatureSecretInvalid, "unusable secret")
                        })?)
                    ),
                };
                vec![
                    header("webhook-id", id.to_owned()),
                    header("webhook-timestamp", ts),
                    header("webhook-signature", signature),
                ]
            }
            WebhookScheme::Stripe => {
                let mac = mac_hex(&[ts.as_bytes(), b".", body])?;
                vec![header("Stripe-Signature", format!("t={ts},v1={mac}"))]
            }
            WebhookScheme::Github => {
                let mut headers = vec![header(
                    "X-Hub-Signature-256",
                    format!("sha256={}", mac_hex(&[body])?),
                )];
                if let Some(id) = message_id {
                    schemes::check_message_id(id)?;
                    headers.push(header("X-GitHub-Delivery", id.to_owned()));
                }
                headers
            }
            WebhookScheme::Slack => {
                let mac = mac_hex(&[b"v0:", ts.as_bytes(), b":", body])?;
                vec![
                    header("X-Slack-Request-Timestamp", ts),
                    header("X-Slack-Signature", format!("v0={mac}")),
                ]
            }
        })
    }
}
