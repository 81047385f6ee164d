//! Webhooks: `WebhookVerifier` (Standard Webhooks, Stripe, GitHub, Slack) and `WebhookSigner`.

use napi::bindgen_prelude::{Buffer, Either, Unknown};
use napi::{Env, Result};
use napi_derive::napi;
use serde_json::Value;
use zeroize::Zeroizing;

use portcullis::webhook::{self as core, WebhookConfig, WebhookScheme};

use crate::errors::{invalid_argument, unix_seconds, OrThrow, Principal};
use crate::options::{self, plain, Field};
use crate::request::Request;

const WEBHOOK_FIELDS: &[Field] = &[
    plain("scheme", "scheme"),
    plain("secrets", "secrets"),
    plain("toleranceSeconds", "tolerance_seconds"),
    plain("replayProtection", "replay_protection"),
    plain("sender", "sender"),
];

/// A webhook verifier's configuration (`WebhookConfig` in the core).
#[napi(object, object_to_js = false)]
pub struct WebhookVerifierOptions {
    /// `standard` (default), `stripe`, `github` or `slack`.
    #[napi(ts_type = "'standard' | 'stripe' | 'github' | 'slack'")]
    pub scheme: Option<String>,
    /// Active secrets, newest first (rotation): `whsec_...` (or `whpk_...` Ed25519 keys) for
    /// Standard Webhooks, the secret as the provider shows it for the others.
    pub secrets: Vec<String>,
    /// How far a timestamp may be from the request's time, each way (default 300 s).
    pub tolerance_seconds: Option<u32>,
    /// Refuse a message seen before (default true).
    pub replay_protection: Option<bool>,
    /// The principal's subject; the scheme's name when absent.
    pub sender: Option<String>,
}

/// Checks incoming webhooks of one scheme. Keeps the messages it has seen (replay protection):
/// reuse one verifier for all requests.
#[napi]
pub struct WebhookVerifier {
    inner: core::WebhookVerifier,
}

#[napi]
impl WebhookVerifier {
    /// Builds the verifier (throws `config_invalid`, `json_invalid`, `signature_secret_invalid`).
    #[napi(constructor, ts_args_type = "options: WebhookVerifierOptions")]
    pub fn new(env: Env, options: Unknown) -> Result<Self> {
        let config = options::to_config(&options::object(options)?, WEBHOOK_FIELDS, &[])?;
        Self::build(&env, &options::to_string(config))
    }

    /// Builds the verifier from the configuration's JSON text (the same schema everywhere).
    #[napi(factory)]
    pub fn from_json(env: Env, json: String) -> Result<Self> {
        Self::build(&env, &json)
    }

    fn build(env: &Env, json: &str) -> Result<Self> {
        let config = WebhookConfig::from_json(json).or_throw(env)?;
        let inner = core::WebhookVerifier::new(config).or_throw(env)?;
        Ok(WebhookVerifier { inner })
    }

    /// Verifies the webhook in `request`, whose raw body must be set.
    #[napi]
    pub fn verify(&self, env: Env, request: &Request) -> Result<Principal> {
        Ok(self.inner.verify(&request.inner).or_throw(&env)?.into())
    }
}

/// How a `WebhookSigner` is built.
#[napi(object)]
pub struct WebhookSignerOptions {
    /// `standard`, `stripe`, `github` or `slack`.
    #[napi(ts_type = "'standard' | 'stripe' | 'github' | 'slack'")]
    pub scheme: String,
    /// The secret: `whsec_...` or a `whsk_...` Ed25519 key for Standard Webhooks, the secret
    /// string for the others. A Buffer must hold its UTF-8 text.
    pub secret: Either<String, Buffer>,
}

/// When and as which message a body is signed.
#[napi(object)]
pub struct WebhookSignOptions {
    /// The send time, Unix seconds.
    pub timestamp: f64,
    /// The message id: required for Standard Webhooks (`webhook-id`), optional for GitHub
    /// (`X-GitHub-Delivery`).
    pub message_id: Option<String>,
}

/// Signs outgoing webhooks (and test fixtures) the way the provider does.
#[napi]
pub struct WebhookSigner {
    inner: core::WebhookSigner,
}

/// The scheme named `name` (its stable snake_case name), or `invalid_argument`.
fn scheme(name: &str) -> std::result::Result<WebhookScheme, portcullis::Error> {
    serde_json::from_value(Value::String(name.to_owned()))
        .map_err(|_| invalid_argument("scheme must be one of: standard, stripe, github, slack"))
}

#[napi]
impl WebhookSigner {
    /// Builds the signer (throws `invalid_argument`, `signature_secret_invalid`).
    #[napi(constructor)]
    pub fn new(env: Env, options: WebhookSignerOptions) -> Result<Self> {
        let scheme = scheme(&options.scheme).or_throw(&env)?;
        let secret = match options.secret {
            Either::A(text) => Zeroizing::new(text),
            Either::B(bytes) => Zeroizing::new(
                String::from_utf8(bytes.to_vec())
                    .map_err(|e| {
                        // Wipe the copy before dropping it.
                        drop(Zeroizing::new(e.into_bytes()));
                        invalid_argument("secret is not UTF-8 text")
                    })
                    .or_throw(&env)?,
            ),
        };
        let inner = core::WebhookSigner::new(scheme, &secret).or_throw(&env)?;
        Ok(WebhookSigner { inner })
    }

    /// The headers that carry the signature of `body` (a Buffer, or a string sent as UTF-8).
    #[napi(ts_return_type = "Array<[string, string]>")]
    pub fn sign(
        &self,
        env: Env,
        body: Either<Buffer, String>,
        options: WebhookSignOptions,
    ) -> Result<Vec<(String, String)>> {
        let timestamp = unix_seconds(options.timestamp, "timestamp").or_throw(&env)?;
        let body = options::bytes(body);
        self.inner
            .sign(options.message_id.as_deref(), timestamp, &body)
            .or_throw(&env)
    }
}
