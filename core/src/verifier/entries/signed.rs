//! `webhook`, `pcs1` and `httpsig` credentials: signatures over the request.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{built, core_config, secret_fields, split};
use crate::config::{deserialize_at, wipe, ConfigError, DocPath, ReferenceKind};
use crate::verifier::{BuildContext, Method};

use crate::hmac::{HmacConfig, HmacVerifier};
use crate::httpsig::{HttpSigAlgorithm, HttpSigConfig, HttpSigKeyring, HttpSigVerifier};
use crate::webhook::{WebhookConfig, WebhookVerifier};

// ---------------------------------------------------------------- webhook

request_method!(
    WebhookMethod(WebhookVerifier),
    "webhook",
    WebhookVerifier::verify,
    |_| None
);

pub(super) fn build_webhook(
    mut object: Map<String, Value>,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    secret_fields(
        &mut object,
        ctx,
        &[&["secrets", "*"]],
        ReferenceKind::Secret,
    )?;
    let config: WebhookConfig = core_config(object)?;
    let verifier = WebhookVerifier::with_store(config, ctx.store.clone())
        .map_err(|e| built(e, DocPath::root()))?;
    Ok(Arc::new(WebhookMethod(verifier)))
}

// ---------------------------------------------------------------- pcs1

request_method!(
    Pcs1Method(HmacVerifier),
    "pcs1",
    HmacVerifier::verify,
    |v| Some(v.challenge())
);

pub(super) fn build_pcs1(
    mut object: Map<String, Value>,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    secret_fields(
        &mut object,
        ctx,
        &[&["keys", "*", "secrets_b64", "*"]],
        ReferenceKind::Secret,
    )?;
    let config: HmacConfig = core_config(object)?;
    let verifier = HmacVerifier::with_store(config, ctx.store.clone())
        .map_err(|e| built(e, DocPath::root()))?;
    Ok(Arc::new(Pcs1Method(verifier)))
}

// ---------------------------------------------------------------- httpsig

/// The keys of an `httpsig` credential.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct HttpSigFileSettings {
    /// The keys, by `keyid`.
    keys: Vec<HttpSigKeySettings>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct HttpSigKeySettings {
    /// The `keyid` signers send.
    keyid: String,
    /// The key's one algorithm: `hmac-sha256`, `ed25519`, `ecdsa-p256-sha256`,
    /// `ecdsa-p384-sha384`, `rsa-pss-sha512` or `rsa-v1_5-sha256`.
    algorithm: String,
    /// For `hmac-sha256`: the secret, standard base64, as a reference.
    #[serde(default)]
    secret_b64: Option<String>,
    /// For the others: the public key in PEM, inline or a reference.
    #[serde(default)]
    public_pem: Option<String>,
}

request_method!(
    HttpSigMethod(HttpSigVerifier),
    "httpsig",
    HttpSigVerifier::verify_request,
    |_| None
);

pub(super) fn build_httpsig(
    mut object: Map<String, Value>,
    ctx: &BuildContext<'_>,
) -> Result<Arc<dyn Method>, ConfigError> {
    secret_fields(
        &mut object,
        ctx,
        &[&["keys", "*", "secret_b64"]],
        ReferenceKind::Secret,
    )?;
    secret_fields(
        &mut object,
        ctx,
        &[&["keys", "*", "public_pem"]],
        ReferenceKind::Material,
    )?;
    let mut file_value = split::<HttpSigFileSettings>(&mut object);
    let file: Result<HttpSigFileSettings, _> = deserialize_at(&file_value, &DocPath::root());
    wipe(&mut file_value);
    let file = file?;
    let config: HttpSigConfig = core_config(object)?;
    let keyring = HttpSigKeyring::new();
    for (i, key) in file.keys.into_iter().enumerate() {
        let at = DocPath::root().key("keys").index(i);
        let algorithm = HttpSigAlgorithm::from_name(&key.algorithm)
            .map_err(|e| built(e, at.key("algorithm")))?;
        let added = match (key.secret_b64.map(zeroize::Zeroizing::new), key.public_pem) {
            (Some(b64), None) if algorithm == HttpSigAlgorithm::HmacSha256 => {
                use base64::Engine;
                let secret = zeroize::Zeroizing::new(
                    base64::engine::general_purpose::STANDARD
                        .decode(b64.as_bytes())
                        .map_err(|_| {
                            ConfigError::new(at.key("secret_b64"), "not standard padded base64")
                        })?,
                );
                keyring.add_hmac_secret(&key.keyid, &secret)
            }
            (None, Some(pem)) if algorithm != HttpSigAlgorithm::HmacSha256 => {
                keyring.add_public_pem(&key.keyid, algorithm, pem.as_bytes())
            }
            _ => {
                return Err(ConfigError::new(
                    at,
                    "hmac-sha256 keys take `secret_b64`, the others `public_pem`",
                ))
            }
        };
        added.map_err(|e| built(e, at))?;
    }
    let verifier = HttpSigVerifier::with_store(config, keyring, ctx.store.clone())
        .map_err(|e| built(e, DocPath::root()))?;
    Ok(Arc::new(HttpSigMethod(verifier)))
}
