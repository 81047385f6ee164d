//! Webhook signatures: verify and sign Standard Webhooks (`v1` HMAC and `v1a` Ed25519), Stripe
//! (`Stripe-Signature`), GitHub (`X-Hub-Signature-256`) and Slack (`X-Slack-Signature`).
//!
//! Every scheme: the raw body is required (a framework that parsed and re-serialised JSON breaks
//! every signature, and the error says so), several secrets may be active at once for rotation,
//! comparisons are constant-time, timestamps must fall within the tolerance both ways, and a
//! message seen before (its id, or its timestamp and signature) is refused through the
//! [`ReplayStore`].

mod checks;
mod headers;
mod schemes;
mod secret;
mod signer;

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use crate::decision::{AuthMethod, Denial, Principal};
use crate::error::{Error, ErrorCode};
use crate::request::{unix_now, Request, RequestLimits};
use crate::store::{MemoryStore, ReplayStore};
use headers::HeaderSource;
use schemes::StandardSignature;
use secret::Secret;
pub use signer::WebhookSigner;

/// The webhook schemes portcullis speaks.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
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
    /// Every scheme.
    pub const ALL: &'static [WebhookScheme] = &[
        WebhookScheme::Standard,
        WebhookScheme::Stripe,
        WebhookScheme::Github,
        WebhookScheme::Slack,
    ];

    /// The scheme a caller names (its snake_case name): anything else is `invalid_argument`
    /// (the one refusal of an unknown name in every surface).
    pub fn parse(name: &str) -> Result<WebhookScheme, Error> {
        crate::error::parse_name(name, "webhook scheme", Self::ALL, Self::name)
    }

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
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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

/// A verified webhook, borrowed from its verifier (`'v`) and its headers (`'h`): what its
/// [`Principal`] says, before it is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedWebhook<'v, 'h> {
    /// The principal's subject: the configured sender (the scheme's name by default).
    pub sender: &'v str,
    /// The principal's credential id: `secret-<index>` of the secret that matched.
    pub credential_id: &'v str,
    /// The principal's claims.
    pub claims: WebhookClaims<'h>,
}

/// The claims of a webhook principal. Serialised, it is the principal's claims map: the same
/// members, in the same (sorted) order, absent ones left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct WebhookClaims<'h> {
    /// The message id (Standard Webhooks `webhook-id`, GitHub `X-GitHub-Delivery`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<&'h str>,
    /// The scheme's name.
    pub scheme: &'static str,
    /// Which signature matched: `v1`, `v1a`, `sha256`, `v0`.
    pub signature_version: &'static str,
    /// The signed timestamp, for schemes that sign one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
}

impl VerifiedWebhook<'_, '_> {
    /// The principal's method: every webhook scheme is a signature over the body.
    pub fn method(&self) -> AuthMethod {
        AuthMethod::Hmac
    }

    /// The principal: subject `sender`, method `hmac`, credential id, no scopes, the claims.
    pub fn principal(&self) -> Principal {
        // The claims map is what `WebhookClaims` serialises to: one description of the claims.
        let claims = match serde_json::to_value(self.claims) {
            Ok(Value::Object(claims)) => claims,
            // A struct of strings and integers always serialises to an object.
            _ => Map::new(),
        };
        Principal {
            subject: self.sender.to_owned(),
            method: self.method(),
            credential_id: Some(self.credential_id.to_owned()),
            scopes: Vec::new(),
            claims,
            expires_at: None,
        }
    }
}

/// Checks incoming webhooks of one scheme. Thread-safe; share it.
pub struct WebhookVerifier {
    scheme: WebhookScheme,
    secrets: Vec<Secret>,
    /// `secret-<index>` for each secret: the principal's credential id, made once.
    credential_ids: Vec<String>,
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
struct Checked<'h> {
    secret_index: usize,
    timestamp: Option<i64>,
    message_id: Option<&'h str>,
    replay_key: Cow<'h, [u8]>,
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
        let secrets: Vec<Secret> = config
            .secrets
            .iter()
            .map(|s| Secret::parse(config.scheme, s, false))
            .collect::<Result<_, _>>()?;
        Ok(WebhookVerifier {
            scheme: config.scheme,
            credential_ids: (0..secrets.len()).map(|i| format!("secret-{i}")).collect(),
            secrets,
            tolerance: config.tolerance_seconds,
            replay_protection: config.replay_protection,
            sender: config
                .sender
                .unwrap_or_else(|| config.scheme.name().to_owned()),
            store,
        })
    }

    /// The headers this scheme reads (lower case), `content-length` included: a host that
    /// passes only some of a request's headers to [`WebhookVerifier::verify_payload`] must pass
    /// at least every field of these it received.
    pub fn header_names(&self) -> &'static [&'static str] {
        match self.scheme {
            WebhookScheme::Standard => &[
                "webhook-id",
                "webhook-timestamp",
                "webhook-signature",
                "content-length",
            ],
            WebhookScheme::Stripe => &["stripe-signature", "content-length"],
            WebhookScheme::Github => &[
                "x-hub-signature-256",
                "x-hub-signature",
                "x-github-delivery",
                "content-length",
            ],
            WebhookScheme::Slack => &[
                "x-slack-request-timestamp",
                "x-slack-signature",
                "content-length",
            ],
        }
    }

    /// Verifies the webhook in `request` (its raw body included). A request that carries no
    /// signature header of the scheme is `signature_missing` whether or not the host passed its
    /// body: it is not a webhook delivery, and a gate must be able to tell it from a broken one.
    pub fn verify(&self, request: &Request) -> Result<Principal, Denial> {
        self.require_signature(HeaderSource::Request(request))?;
        let body = request.body().ok_or_else(|| {
            Denial::new(
                ErrorCode::SignatureBodyMissing,
                "the raw request body is required to check a webhook signature",
            )
        })?;
        self.verify_from(HeaderSource::Request(request), body, request.now())
            .map(|verified| verified.principal())
    }

    /// Verifies a webhook from its raw `body` and header fields as the host's framework holds
    /// them, without building a [`Request`]: the fields get the checks and default limits a
    /// `Request` applies (names case-insensitive, values trimmed, CR/LF/NUL refused, a repeated
    /// field refused), on the fields this scheme reads. `now` is the receive time in Unix
    /// seconds (the system clock when `None`). The decision [`WebhookVerifier::verify`] makes on
    /// a request built from the same parts; fields the scheme does not read are not checked.
    pub fn verify_payload(
        &self,
        body: &[u8],
        headers: &[(&str, &[u8])],
        now: Option<i64>,
    ) -> Result<Principal, Denial> {
        self.verify_payload_view(body, headers, now)
            .map(|verified| verified.principal())
    }

    /// [`WebhookVerifier::verify_payload`], the result left borrowed from the verifier and the
    /// headers: what the principal says, without building it (a binding that writes the
    /// principal out in its own form skips a map and a dozen small allocations).
    pub fn verify_payload_view<'h>(
        &self,
        body: &[u8],
        headers: &'h [(&'h str, &'h [u8])],
        now: Option<i64>,
    ) -> Result<VerifiedWebhook<'_, 'h>, Denial> {
        if body.len() > RequestLimits::default().max_body_len {
            return Err(Denial::new(ErrorCode::InputTooLarge, "body too large"));
        }
        let source = HeaderSource::Pairs(headers);
        source.check_limits()?;
        self.require_signature(source)?;
        self.verify_from(source, body, now.unwrap_or_else(unix_now))
    }

    /// Refuses a message without the scheme's signature header: it is no webhook delivery.
    fn require_signature(&self, headers: HeaderSource<'_>) -> Result<(), Denial> {
        let names: &[&str] = match self.scheme {
            WebhookScheme::Standard => &["webhook-signature"],
            WebhookScheme::Stripe => &["stripe-signature"],
            WebhookScheme::Github => &["x-hub-signature-256", "x-hub-signature"],
            WebhookScheme::Slack => &["x-slack-signature"],
        };
        if names.iter().any(|name| headers.present(name)) {
            return Ok(());
        }
        Err(Denial::new(
            ErrorCode::SignatureMissing,
            format!("no {} signature header", self.scheme.name()),
        ))
    }

    fn verify_from<'h>(
        &self,
        headers: HeaderSource<'h>,
        body: &[u8],
        now: i64,
    ) -> Result<VerifiedWebhook<'_, 'h>, Denial> {
        if let Some(length) = headers.single("content-length")? {
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
        let checked = match self.scheme {
            WebhookScheme::Standard => self.check_standard(headers, body, now)?,
            WebhookScheme::Stripe => self.check_stripe(headers, body, now)?,
            WebhookScheme::Github => self.check_github(headers, body)?,
            WebhookScheme::Slack => self.check_slack(headers, body, now)?,
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
        Ok(VerifiedWebhook {
            sender: &self.sender,
            credential_id: &self.credential_ids[checked.secret_index],
            claims: WebhookClaims {
                message_id: checked.message_id,
                scheme: self.scheme.name(),
                signature_version: checked.version,
                timestamp: checked.timestamp,
            },
        })
    }

    fn header<'h>(&self, headers: HeaderSource<'h>, name: &'static str) -> Result<&'h str, Denial> {
        let value = headers.single(name)?.ok_or_else(|| {
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

    /// The index of the first secret whose MAC over `parts` is `presented` (every presented MAC
    /// is compared, in constant time, whatever the outcome).
    fn match_mac(&self, parts: &[&[u8]], presented: impl Fn(&[u8; 32]) -> bool) -> Option<usize> {
        self.secrets
            .iter()
            .position(|secret| secret.mac(parts).is_some_and(|mac| presented(&mac)))
    }

    /// True if `mac` equals one of `macs`, compared in constant time against all of them.
    fn any_equal(mac: &[u8; 32], macs: &[Option<[u8; 32]>]) -> bool {
        macs.iter()
            .flatten()
            .fold(false, |hit, p| hit | bool::from(mac.ct_eq(p)))
    }

    fn mismatch() -> Denial {
        Denial::new(
            ErrorCode::SignatureMismatch,
            "no signature matches: wrong secret, altered body, or a framework re-serialised it",
        )
    }
}

#[cfg(test)]
mod tests;
