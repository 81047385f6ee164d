//! Webhook signatures: verify and sign Standard Webhooks (`v1` HMAC and `v1a` Ed25519), Stripe
//! (`Stripe-Signature`), GitHub (`X-Hub-Signature-256`) and Slack (`X-Slack-Signature`).
//!
//! Every scheme: the raw body is required (a framework that parsed and re-serialised JSON breaks
//! every signature, and the error says so), several secrets may be active at once for rotation,
//! comparisons are constant-time, timestamps must fall within the tolerance both ways, and a
//! message seen before (its id, or its timestamp and signature) is refused through the
//! [`ReplayStore`].

mod schemes;
mod secret;

use std::sync::Arc;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Map;
use subtle::ConstantTimeEq;

use crate::decision::{AuthMethod, Denial, Principal};
use crate::encoding::hex_encode;
use crate::error::{Error, ErrorCode};
use crate::request::Request;
use crate::store::{MemoryStore, ReplayStore};
use schemes::StandardSignature;
use secret::Secret;

/// The webhook schemes portcullis speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookScheme {
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    #[default]
    Standard,
    /// Stripe: `Stripe-Signature: t=...,v1=...`.
    Stripe,
    /// GitHub: `X-Hub-Signature-256: sha256=...` (replays caught by `X-GitHub-Delivery`).
    Github,
    /// Slack: `X-Slack-Request-Timestamp` and `X-Slack-Signature: v0=...`.
    Slack,
}

impl WebhookScheme {
    /// The stable snake_case name.
    pub const fn name(self) -> &'static str {
        match self {
            WebhookScheme::Standard => "standard",
            WebhookScheme::Stripe => "stripe",
            WebhookScheme::Github => "github",
            WebhookScheme::Slack => "slack",
        }
    }
}

/// A webhook verifier's configuration. The same JSON schema in every language.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    /// Which provider's scheme.
    pub scheme: WebhookScheme,
    /// Active secrets, newest first; any of them may have signed (rotation). Standard Webhooks:
    /// `whsec_...` (or its base64 alone) and `whpk_...`/`whsk_...` Ed25519 keys; Stripe, GitHub
    /// and Slack: the secret string as the provider shows it.
    pub secrets: Vec<String>,
    /// How far a timestamp may be from the request's time, each way, in seconds.
    pub tolerance_seconds: i64,
    /// Refuse a message seen before within the tolerance window.
    pub replay_protection: bool,
    /// The principal's subject (who sends these webhooks); the scheme's name by default.
    pub sender: Option<String>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            scheme: WebhookScheme::Standard,
            secrets: Vec::new(),
            tolerance_seconds: 300,
            replay_protection: true,
            sender: None,
        }
    }
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("scheme", &self.scheme)
            .field("secrets", &self.secrets.len())
            .field("tolerance_seconds", &self.tolerance_seconds)
            .field("replay_protection", &self.replay_protection)
            .field("sender", &self.sender)
            .finish()
    }
}

impl WebhookConfig {
    /// Parses the JSON form of the configuration.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "webhook config")
    }
}

/// Longest tolerance accepted: a day.
pub const MAX_TOLERANCE_SECONDS: i64 = 86_400;

/// Checks incoming webhooks of one scheme. Thread-safe; share it.
pub struct WebhookVerifier {
    scheme: WebhookScheme,
    secrets: Vec<Secret>,
    tolerance: i64,
    replay_protection: bool,
    sender: String,
    store: Arc<dyn ReplayStore>,
}

impl std::fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("scheme", &self.scheme)
            .field("secrets", &self.secrets.len())
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}

/// What the signature check found: which secret matched and what to remember against replays.
struct Checked {
    secret_index: usize,
    timestamp: Option<i64>,
    message_id: Option<String>,
    replay_key: Vec<u8>,
    version: &'static str,
}

impl WebhookVerifier {
    /// A verifier with an in-memory replay store.
    pub fn new(config: WebhookConfig) -> Result<Self, Error> {
        Self::with_store(config, Arc::new(MemoryStore::default()))
    }

    /// A verifier that records seen messages in `store` (share one store between instances).
    pub fn with_store(config: WebhookConfig, store: Arc<dyn ReplayStore>) -> Result<Self, Error> {
        if config.secrets.is_empty() {
            return Err(Error::new(ErrorCode::ConfigInvalid, "no webhook secret"));
        }
        if !(1..=MAX_TOLERANCE_SECONDS).contains(&config.tolerance_seconds) {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                "tolerance_seconds must be 1 to 86400",
            ));
        }
        let secrets = config
            .secrets
            .iter()
            .map(|s| Secret::parse(config.scheme, s, false))
            .collect::<Result<_, _>>()?;
        Ok(WebhookVerifier {
            scheme: config.scheme,
            secrets,
            tolerance: config.tolerance_seconds,
            replay_protection: config.replay_protection,
            sender: config
                .sender
                .unwrap_or_else(|| config.scheme.name().to_owned()),
            store,
        })
    }

    /// Verifies the webhook in `request` (its raw body included).
    pub fn verify(&self, request: &Request) -> Result<Principal, Denial> {
        let body = request.body().ok_or_else(|| {
            Denial::new(
                ErrorCode::SignatureBodyMissing,
                "the raw request body is required to check a webhook signature",
            )
        })?;
        if let Some(length) = request.single_header("content-length")? {
            if std::str::from_utf8(length)
                .ok()
                .and_then(|l| l.parse::<usize>().ok())
                != Some(body.len())
            {
                return Err(Denial::new(
                    ErrorCode::SignatureDigestMismatch,
                    "body length differs from Content-Length: pass the raw body, not a re-serialised one",
                ));
            }
        }
        let now = request.now();
        let checked = match self.scheme {
            WebhookScheme::Standard => self.check_standard(request, body, now)?,
            WebhookScheme::Stripe => self.check_stripe(request, body, now)?,
            WebhookScheme::Github => self.check_github(request, body)?,
            WebhookScheme::Slack => self.check_slack(request, body, now)?,
        };
        if self.replay_protection {
            // Entries live as long as the message could still pass the timestamp check.
            let until = checked
                .timestamp
                .unwrap_or(now)
                .saturating_add(self.tolerance + 1);
            if !self
                .store
                .remember(self.scheme.name(), &checked.replay_key, until, now)?
            {
                return Err(Denial::new(
                    ErrorCode::SignatureReplayed,
                    "this webhook was already received",
                ));
            }
        }
        let mut claims = Map::new();
        claims.insert("scheme".into(), self.scheme.name().into());
        claims.insert("signature_version".into(), checked.version.into());
        if let Some(id) = checked.message_id {
            claims.insert("message_id".into(), id.into());
        }
        if let Some(ts) = checked.timestamp {
            claims.insert("timestamp".into(), ts.into());
        }
        Ok(Principal {
            subject: self.sender.clone(),
            method: AuthMethod::Hmac,
            credential_id: Some(format!("secret-{}", checked.secret_index)),
            scopes: Vec::new(),
            claims,
            expires_at: None,
        })
    }

    fn header<'r>(&self, request: &'r Request, name: &'static str) -> Result<&'r str, Denial> {
        let value = request.single_header(name)?.ok_or_else(|| {
            Denial::new(
                ErrorCode::SignatureMissing,
                format!("header {name} is missing"),
            )
        })?;
        std::str::from_utf8(value).map_err(|_| {
            Denial::new(
                ErrorCode::SignatureMalformed,
                format!("{name} is not UTF-8"),
            )
        })
    }

    fn check_time(&self, timestamp: i64, now: i64) -> Result<(), Denial> {
        if now.saturating_sub(timestamp) > self.tolerance {
            return Err(Denial::new(
                ErrorCode::SignatureExpired,
                "timestamp is older than the tolerance",
            ));
        }
        if timestamp.saturating_sub(now) > self.tolerance {
            return Err(Denial::new(
                ErrorCode::SignatureNotYetValid,
                "timestamp is further in the future than the tolerance",
            ));
        }
        Ok(())
    }

    /// The index of the first secret whose MAC over `parts` equals one of `presented`.
    fn match_mac(&self, parts: &[&[u8]], presented: &[Option<[u8; 32]>]) -> Option<usize> {
        self.secrets.iter().position(|secret| {
            secret.mac(parts).is_some_and(|mac| {
                presented
                    .iter()
                    .flatten()
                    .fold(false, |hit, p| hit | bool::from(mac.ct_eq(p)))
            })
        })
    }

    fn mismatch() -> Denial {
        Denial::new(
            ErrorCode::SignatureMismatch,
            "no signature matches: wrong secret, altered body, or a framework re-serialised it",
        )
    }

    fn check_standard(&self, request: &Request, body: &[u8], now: i64) -> Result<Checked, Denial> {
        let id = self.header(request, "webhook-id")?;
        let ts_text = self.header(request, "webhook-timestamp")?;
        let signatures = self.header(request, "webhook-signature")?;
        schemes::check_message_id(id)?;
        let timestamp = schemes::parse_timestamp(ts_text)?;
        self.check_time(timestamp, now)?;
        let entries = schemes::parse_standard_signatures(signatures);
        let signed: [&[u8]; 5] = [id.as_bytes(), b".", ts_text.as_bytes(), b".", body];
        let v1: Vec<Option<[u8; 32]>> = entries
            .iter()
            .filter_map(|e| match e {
                StandardSignature::V1(sig) => Some(<[u8; 32]>::try_from(sig.as_slice()).ok()),
                _ => None,
            })
            .collect();
        let v1a: Vec<&Vec<u8>> = entries
            .iter()
            .filter_map(|e| match e {
                StandardSignature::V1a(sig) => Some(sig),
                _ => None,
            })
            .collect();
        let checked = |index, version| Checked {
            secret_index: index,
            timestamp: Some(timestamp),
            message_id: Some(id.to_owned()),
            replay_key: id.as_bytes().to_vec(),
            version,
        };
        if let Some(index) = self.match_mac(&signed, &v1) {
            return Ok(checked(index, "v1"));
        }
        if !v1a.is_empty() {
            let message = signed.concat();
            let hit = self
                .secrets
                .iter()
                .position(|s| v1a.iter().any(|sig| s.ed25519_verify(&message, sig)));
            if let Some(index) = hit {
                return Ok(checked(index, "v1a"));
            }
        }
        Err(if !v1.is_empty() || !v1a.is_empty() {
            Self::mismatch()
        } else if entries.contains(&StandardSignature::Malformed) || entries.is_empty() {
            Denial::new(
                ErrorCode::SignatureMalformed,
                "webhook-signature holds no readable v1 or v1a signature",
            )
        } else {
            Denial::new(
                ErrorCode::SignatureAlgorithmUnsupported,
                "webhook-signature holds neither v1 nor v1a signatures",
            )
        })
    }

    fn check_stripe(&self, request: &Request, body: &[u8], now: i64) -> Result<Checked, Denial> {
        let header = schemes::parse_stripe(self.header(request, "stripe-signature")?)?;
        if header.v1.is_empty() {
            return Err(Denial::new(
                if header.others > 0 {
                    ErrorCode::SignatureAlgorithmUnsupported
                } else {
                    ErrorCode::SignatureMalformed
                },
                "Stripe-Signature holds no v1 signature",
            ));
        }
        self.check_time(header.timestamp, now)?;
        let ts = header.timestamp.to_string();
        let index = self
            .match_mac(&[ts.as_bytes(), b".", body], &header.v1)
            .ok_or_else(Self::mismatch)?;
        Ok(Checked {
            secret_index: index,
            timestamp: Some(header.timestamp),
            message_id: None,
            replay_key: replay_key(&ts, &header.v1),
            version: "v1",
        })
    }

    fn check_github(&self, request: &Request, body: &[u8]) -> Result<Checked, Denial> {
        if request.single_header("x-hub-signature-256")?.is_none()
            && request.single_header("x-hub-signature")?.is_some()
        {
            return Err(Denial::new(
                ErrorCode::SignatureAlgorithmUnsupported,
                "only X-Hub-Signature (HMAC-SHA1) was sent; X-Hub-Signature-256 is required",
            ));
        }
        let mac =
            schemes::parse_prefixed_hex(self.header(request, "x-hub-signature-256")?, "sha256")?;
        let delivery = if self.replay_protection {
            let id = self.header(request, "x-github-delivery")?;
            schemes::check_message_id(id)?;
            Some(id.to_owned())
        } else {
            None
        };
        let index = self.match_mac(&[body], &[mac]).ok_or_else(Self::mismatch)?;
        Ok(Checked {
            secret_index: index,
            timestamp: None,
            replay_key: delivery.clone().unwrap_or_default().into_bytes(),
            message_id: delivery,
            version: "sha256",
        })
    }

    fn check_slack(&self, request: &Request, body: &[u8], now: i64) -> Result<Checked, Denial> {
        let ts_text = self.header(request, "x-slack-request-timestamp")?;
        let timestamp = schemes::parse_timestamp(ts_text)?;
        let mac = schemes::parse_prefixed_hex(self.header(request, "x-slack-signature")?, "v0")?;
        self.check_time(timestamp, now)?;
        let index = self
            .match_mac(&[b"v0:", ts_text.as_bytes(), b":", body], &[mac])
            .ok_or_else(Self::mismatch)?;
        Ok(Checked {
            secret_index: index,
            timestamp: Some(timestamp),
            message_id: None,
            replay_key: replay_key(ts_text, &[mac]),
            version: "v0",
        })
    }
}

fn replay_key(timestamp: &str, macs: &[Option<[u8; 32]>]) -> Vec<u8> {
    let mut key = timestamp.as_bytes().to_vec();
    for mac in macs.iter().flatten() {
        key.extend_from_slice(mac);
    }
    key
}

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

#[cfg(test)]
mod tests;
