//! Webhooks: `WebhookVerifier` (Standard Webhooks, Stripe, GitHub, Slack) and `WebhookSigner`.

use std::borrow::Cow;
use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, BufferSlice, Either, External, Unknown};
use napi::{sys, Env, JsString, JsValue, Result};
use napi_derive::napi;
use zeroize::Zeroizing;

use portcullis::webhook::{self as core, WebhookConfig, WebhookScheme};

use crate::compact::{compact_webhook_js, utf8_in};
use crate::errors::{invalid_argument, unix_seconds, OrThrow, Principal};
use crate::options;
use crate::request::Request;

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
    inner: Arc<core::WebhookVerifier>,
}

/// How many header values `_verifyPayloadWith` takes (the most any scheme reads).
const VALUES: usize = 4;

#[napi]
impl WebhookVerifier {
    /// Builds the verifier (throws `config_invalid`, `json_invalid`, `signature_secret_invalid`).
    #[napi(
        catch_unwind,
        constructor,
        ts_args_type = "options: WebhookVerifierOptions"
    )]
    pub fn new(env: Env, options: Unknown) -> Result<Self> {
        let options = options::object(options)?;
        Self::build(
            &env,
            options::config_of(&env, &options, &[], WebhookConfig::from_json)?,
        )
    }

    /// Builds the verifier from the configuration's JSON text (the same schema everywhere).
    #[napi(catch_unwind, factory)]
    pub fn from_json(env: Env, json: String) -> Result<Self> {
        Self::build(&env, WebhookConfig::from_json(&json).or_throw(&env)?)
    }

    fn build(env: &Env, config: WebhookConfig) -> Result<Self> {
        let inner = core::WebhookVerifier::new(config).or_throw(env)?;
        Ok(WebhookVerifier {
            inner: Arc::new(inner),
        })
    }

    /// Verifies the webhook in `request`, whose raw body must be set.
    #[napi(catch_unwind)]
    pub fn verify(&self, env: Env, request: &Request) -> Result<Principal> {
        Ok(self.inner.verify(&request.inner).or_throw(&env)?.into())
    }

    /// The header fields this verifier's scheme reads, lower case (`content-length`
    /// included): what `verifyPayload` looks up in the headers it is given.
    #[napi(catch_unwind)]
    pub fn header_names(&self) -> Vec<&'static str> {
        self.inner.header_names().to_vec()
    }

    /// The verifier as an external value, for `_verifyPayloadWith` and `_verifyPayloadFields`
    /// (`webhook.js` keeps one per verifier). Not part of the API.
    #[napi(catch_unwind, skip_typescript, js_name = "_handle")]
    pub fn handle(&self) -> External<Arc<core::WebhookVerifier>> {
        External::new(Arc::clone(&self.inner))
    }

    /// `verifyPayload` for the JS layer (`webhook.js`), which has found the header fields:
    /// `body` a Buffer or Uint8Array (borrowed for the call, not copied), `now` Unix seconds or
    /// `undefined` (the system clock), and `v0`..`v3` the values (strings, or `undefined` when
    /// absent) of the fields `headerNames()` lists, in its order, each present once. Returns
    /// the principal as the JSON text of an array (see [`crate::compact::six_values`]), or as
    /// the object when JSON cannot carry it exactly. Not part of the API.
    #[napi(catch_unwind, skip_typescript, js_name = "_verifyPayloadWith")]
    #[allow(clippy::too_many_arguments)]
    pub fn verify_payload_with<'env>(
        env: &'env Env,
        handle: &External<Arc<core::WebhookVerifier>>,
        body: BufferSlice,
        now: Option<f64>,
        v0: Unknown,
        v1: Unknown,
        v2: Unknown,
        v3: Unknown,
    ) -> Result<Either<JsString<'env>, Principal>> {
        let now = time(env, now)?;
        let names = handle.header_names();
        if names.len() > VALUES {
            return Err(invalid_argument(
                "this scheme's fields go to _verifyPayloadFields",
            ))
            .or_throw(env);
        }
        // The values are read into one stack buffer (usual fields are short), longer ones into
        // their own allocation.
        let mut buf = [0u8; 1024];
        let mut arena = &mut buf[..];
        let mut values: [Option<Cow<[u8]>>; VALUES] = [None, None, None, None];
        for ((slot, value), _) in values.iter_mut().zip([v0, v1, v2, v3]).zip(names) {
            *slot = optional_utf8(value, &mut arena)?;
        }
        let mut pairs: [(&str, &[u8]); VALUES] = [("", &[]); VALUES];
        let mut count = 0;
        for (name, value) in names.iter().zip(&values) {
            if let (Some(value), Some(pair)) = (value, pairs.get_mut(count)) {
                *pair = (name, value);
                count += 1;
            }
        }
        let fields = pairs.get(..count).unwrap_or_default();
        let verified = handle
            .verify_payload_view(&body, fields, now)
            .or_throw(env)?;
        compact_webhook_js(env, &verified)
    }

    /// `verifyPayload` for the JS layer when a field is repeated (or a scheme reads more than
    /// four): `fields` is `[name, value, name, value, ...]`, every field of the headers whose
    /// name `headerNames()` lists, in their order. Returns what `_verifyPayloadWith` returns.
    /// Not part of the API.
    #[napi(catch_unwind, skip_typescript, js_name = "_verifyPayloadFields")]
    pub fn verify_payload_fields<'env>(
        env: &'env Env,
        handle: &External<Arc<core::WebhookVerifier>>,
        body: BufferSlice,
        now: Option<f64>,
        fields: Vec<String>,
    ) -> Result<Either<JsString<'env>, Principal>> {
        let now = time(env, now)?;
        if !fields.len().is_multiple_of(2) {
            return Err(invalid_argument("fields must be name, value pairs")).or_throw(env);
        }
        let pairs: Vec<(&str, &[u8])> = fields
            .chunks_exact(2)
            .map(|pair| match pair {
                [name, value] => (name.as_str(), value.as_bytes()),
                _ => ("", &[][..]),
            })
            .collect();
        let verified = handle
            .verify_payload_view(&body, &pairs, now)
            .or_throw(env)?;
        compact_webhook_js(env, &verified)
    }

    /// Throws the `invalid_argument` error (the same object any native method throws) for a
    /// value `webhook.js` cannot convert. Not part of the API.
    #[napi(catch_unwind, skip_typescript, js_name = "_invalidArgument")]
    pub fn throw_invalid_argument(env: Env, detail: String) -> Result<()> {
        Err(invalid_argument(detail)).or_throw(&env)
    }
}

/// The receive time: `now` (whole Unix seconds, as a `Request`'s `now`), or `None` (the core
/// reads the system clock).
fn time(env: &Env, now: Option<f64>) -> Result<Option<i64>> {
    now.map(|n| unix_seconds(n, "now"))
        .transpose()
        .or_throw(env)
}

/// The UTF-8 bytes of a string `value`, or `None` for `undefined`; anything else is
/// `InvalidArg`.
fn optional_utf8<'a>(value: Unknown, arena: &mut &'a mut [u8]) -> Result<Option<Cow<'a, [u8]>>> {
    let raw = value.value();
    match utf8_in(raw.env, raw.value, arena) {
        Ok(text) => Ok(Some(text)),
        Err(e) => {
            let mut kind = sys::ValueType::napi_string;
            // SAFETY: `raw` is a live value of this call's scope; `kind` is written on success.
            let status = unsafe { sys::napi_typeof(raw.env, raw.value, &mut kind) };
            if status == sys::Status::napi_ok && kind == sys::ValueType::napi_undefined {
                Ok(None)
            } else {
                Err(e)
            }
        }
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

#[napi]
impl WebhookSigner {
    /// Builds the signer (throws `invalid_argument`, `signature_secret_invalid`).
    #[napi(catch_unwind, constructor)]
    pub fn new(env: Env, options: WebhookSignerOptions) -> Result<Self> {
        let scheme = WebhookScheme::parse(&options.scheme).or_throw(&env)?;
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
    #[napi(catch_unwind, ts_return_type = "Array<[string, string]>")]
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
