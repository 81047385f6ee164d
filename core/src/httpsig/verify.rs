//! The verifier: policy, time window, keys, signature, body digest, replay.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sfv::ListEntry;

use super::base::{build_base, SigParams};
use super::components::{sf_table, Component, SfType};
use super::keyring::HttpSigKeyring;
use super::message::{Message, Response};
use super::parse::{dictionary_header, signature_bytes};
use super::sign::component_item;
use super::HttpSigAlgorithm;
use crate::decision::{AuthMethod, Denial, Principal};
use crate::error::{Error, ErrorCode};
use crate::request::Request;
use crate::store::{MemoryStore, ReplayStore};

/// Largest leeway accepted, in seconds.
pub const MAX_LEEWAY: i64 = 300;

/// What a verifier accepts. The same JSON schema in every language; missing fields take their
/// defaults, unknown fields are refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSigConfig {
    /// Verify only the signature with this label; `None` accepts the first label (in
    /// `Signature-Input` order) whose signature satisfies the policy and verifies.
    pub label: Option<String>,
    /// Components every request signature must cover, in the form `@method`,
    /// `@query-param;name="id"`, `content-type`, `example-dict;key="a"`.
    pub required_components: Vec<String>,
    /// Components every response signature must cover.
    pub required_response_components: Vec<String>,
    /// When the message has a body (bytes supplied, `Content-Length` other than 0 or
    /// `Transfer-Encoding`), `content-digest` must be covered.
    pub require_content_digest: bool,
    /// When `content-digest` is covered and the body was supplied, check the `sha-256` /
    /// `sha-512` digests against it (`signature_digest_mismatch`); when the message declares
    /// a body that was not supplied, refuse with `signature_body_missing`.
    pub verify_content_digest: bool,
    /// The `created` parameter must be present.
    pub require_created: bool,
    /// The `expires` parameter must be present.
    pub require_expires: bool,
    /// Oldest accepted `created`, in seconds before now; `None` disables the check.
    pub max_age: Option<i64>,
    /// Clock skew tolerated on `created` (future) and `expires`, in seconds (0 to 300).
    pub leeway: i64,
    /// The `nonce` parameter must be present (nonces are always checked for replay).
    pub require_nonce: bool,
    /// The `tag` parameter must equal this value.
    pub tag: Option<String>,
    /// Field name to structured type (`item`, `list`, `dictionary`) for `sf` and `key`,
    /// added to the built-in table.
    pub structured_fields: HashMap<String, SfType>,
    /// Most labels in `Signature-Input` or `Signature`.
    pub max_signatures: usize,
    /// Longest `Signature-Input` or `Signature` (all lines), in bytes.
    pub max_header_len: usize,
    /// Most components one signature may cover.
    pub max_components: usize,
}

impl Default for HttpSigConfig {
    fn default() -> Self {
        HttpSigConfig {
            label: None,
            required_components: vec!["@method".into(), "@target-uri".into()],
            required_response_components: vec!["@status".into()],
            require_content_digest: true,
            verify_content_digest: true,
            require_created: true,
            require_expires: false,
            max_age: Some(300),
            leeway: 60,
            require_nonce: false,
            tag: None,
            structured_fields: HashMap::new(),
            max_signatures: 8,
            max_header_len: 8 * 1024,
            max_components: 32,
        }
    }
}

impl HttpSigConfig {
    /// Parses the JSON form of the configuration.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "HTTP signature config")
    }
}

/// Verifies RFC 9421 signatures on requests and responses. Thread-safe.
#[derive(Debug)]
pub struct HttpSigVerifier {
    config: HttpSigConfig,
    keys: HttpSigKeyring,
    store: Arc<dyn ReplayStore>,
    sf_types: HashMap<String, SfType>,
    required_request: Vec<String>,
    required_response: Vec<String>,
}

fn config_invalid(detail: String) -> Error {
    Error::new(ErrorCode::ConfigInvalid, detail)
}

/// `@method` / `content-type;sf` / `"@query-param";name="a"` to the display form.
fn normalize_requirement(text: &str) -> Result<String, Error> {
    let item = component_item(text)
        .map_err(|e| config_invalid(format!("required component: {}", e.detail())))?;
    Component::from_item(&item)
        .map(|c| c.display())
        .map_err(|e| config_invalid(format!("required component {text:?}: {}", e.detail())))
}

impl HttpSigVerifier {
    /// A verifier with the in-memory replay store.
    pub fn new(config: HttpSigConfig, keys: HttpSigKeyring) -> Result<Self, Error> {
        Self::with_store(config, keys, Arc::new(MemoryStore::default()))
    }

    /// A verifier with a shared replay store.
    pub fn with_store(
        config: HttpSigConfig,
        keys: HttpSigKeyring,
        store: Arc<dyn ReplayStore>,
    ) -> Result<Self, Error> {
        if !(0..=MAX_LEEWAY).contains(&config.leeway) {
            return Err(config_invalid(format!(
                "leeway must be 0 to {MAX_LEEWAY} s"
            )));
        }
        if config.max_age.is_some_and(|a| a <= 0) {
            return Err(config_invalid("max_age must be positive".into()));
        }
        if config.max_signatures == 0 || config.max_header_len == 0 || config.max_components == 0 {
            return Err(config_invalid("limits must be positive".into()));
        }
        if config.label.as_deref() == Some("") || config.tag.as_deref() == Some("") {
            return Err(config_invalid("label and tag must not be empty".into()));
        }
        let required_request = config
            .required_components
            .iter()
            .map(|r| normalize_requirement(r))
            .collect::<Result<_, _>>()?;
        let required_response = config
            .required_response_components
            .iter()
            .map(|r| normalize_requirement(r))
            .collect::<Result<_, _>>()?;
        Ok(HttpSigVerifier {
            sf_types: sf_table(&config.structured_fields),
            config,
            keys,
            store,
            required_request,
            required_response,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &HttpSigConfig {
        &self.config
    }

    /// The keyring (add or remove keys at any time).
    pub fn keys(&self) -> &HttpSigKeyring {
        &self.keys
    }

    /// Verifies the signature of a request.
    pub fn verify_request(&self, request: &Request) -> Result<Principal, Denial> {
        self.verify(Message::Request(request), &self.required_request)
            .map_err(Denial::from)
    }

    /// Verifies the signature of a response; `related` is the request it answers (needed for
    /// components with `req`).
    pub fn verify_response(
        &self,
        response: &Response,
        related: Option<&Request>,
    ) -> Result<Principal, Denial> {
        self.verify(
            Message::Response(response, related),
            &self.required_response,
        )
        .map_err(Denial::from)
    }

    fn verify(&self, msg: Message<'_>, required: &[String]) -> Result<Principal, Error> {
        let c = &self.config;
        let inputs = dictionary_header(msg, "signature-input", c.max_header_len, c.max_signatures)?;
        let signatures = dictionary_header(msg, "signature", c.max_header_len, c.max_signatures)?;
        let (inputs, signatures) = match (inputs, signatures) {
            (Some(i), Some(s)) if !i.is_empty() => (i, s),
            _ => {
                return Err(Error::new(
                    ErrorCode::SignatureMissing,
                    "no Signature-Input and Signature headers",
                ))
            }
        };
        let labels: Vec<&str> = match &c.label {
            Some(l) if inputs.contains_key(l.as_str()) => vec![l.as_str()],
            Some(l) => {
                return Err(Error::new(
                    ErrorCode::SignatureMissing,
                    format!("no signature labelled {l:?}"),
                ))
            }
            None => inputs.keys().map(|k| k.as_str()).collect(),
        };
        let mut best: Option<(u8, Error)> = None;
        for label in labels {
            let entry = inputs.get(label);
            match self.verify_one(msg, label, entry, &signatures, required) {
                Ok(p) => return Ok(p),
                Err(e) => {
                    // Prefer a failure from a signature made with a known key and meant for
                    // this policy over one from a signature meant for someone else.
                    let rank = match e.code() {
                        ErrorCode::SignatureKeyUnknown => 0,
                        ErrorCode::SignatureComponentMissing => 1,
                        _ => 2,
                    };
                    if best.as_ref().is_none_or(|(r, _)| rank > *r) {
                        best = Some((rank, e));
                    }
                }
            }
        }
        Err(best.map_or_else(
            || Error::new(ErrorCode::SignatureMissing, "no signature"),
            |(_, e)| e,
        ))
    }

    fn verify_one(
        &self,
        msg: Message<'_>,
        label: &str,
        entry: Option<&ListEntry>,
        signatures: &sfv::Dictionary,
        required: &[String],
    ) -> Result<Principal, Error> {
        let c = &self.config;
        let malformed = |d: String| Error::new(ErrorCode::SignatureMalformed, d);
        let inner = match entry {
            Some(ListEntry::InnerList(inner)) => inner,
            _ => {
                return Err(malformed(format!(
                    "Signature-Input {label:?} is not an inner list"
                )))
            }
        };
        let params = SigParams::from_inner_list(inner, c.max_components)?;
        let signature = signature_bytes(signatures, label)?;
        if signature.is_empty() || signature.len() > 1024 {
            return Err(malformed(format!(
                "signature {label:?} is empty or too long"
            )));
        }

        // Policy: what must be covered and which parameters must be present.
        let covered = params.covered();
        if let Some(missing) = required.iter().find(|r| !covered.contains(r)) {
            return Err(Error::new(
                ErrorCode::SignatureComponentMissing,
                format!("signature {label:?} does not cover {missing}"),
            ));
        }
        let digest_covered = covered
            .iter()
            .any(|d| d == "content-digest" || d == "content-digest;sf");
        if c.require_content_digest && msg.has_body() && !digest_covered {
            return Err(Error::new(
                ErrorCode::SignatureComponentMissing,
                format!("signature {label:?} does not cover content-digest of the body"),
            ));
        }
        if let Some(tag) = &c.tag {
            if params.tag.as_deref() != Some(tag.as_str()) {
                return Err(Error::new(
                    ErrorCode::SignatureMismatch,
                    format!("signature {label:?} has another tag than {tag:?}"),
                ));
            }
        }
        let absent = |what: &str| malformed(format!("signature {label:?} has no {what}"));
        if c.require_created && params.created.is_none() {
            return Err(absent("created"));
        }
        if c.require_expires && params.expires.is_none() {
            return Err(absent("expires"));
        }
        if c.require_nonce && params.nonce.is_none() {
            return Err(absent("nonce"));
        }

        // Time window.
        let now = msg.now();
        if let Some(created) = params.created {
            if created > now.saturating_add(c.leeway) {
                return Err(Error::new(
                    ErrorCode::SignatureNotYetValid,
                    format!("created {created} is in the future (now {now})"),
                ));
            }
            if let Some(max_age) = c.max_age {
                if now.saturating_sub(created) > max_age.saturating_add(c.leeway) {
                    return Err(Error::new(
                        ErrorCode::SignatureExpired,
                        format!("created {created} is older than {max_age} s (now {now})"),
                    ));
                }
            }
        }
        if let Some(expires) = params.expires {
            if now.saturating_sub(c.leeway) >= expires {
                return Err(Error::new(
                    ErrorCode::SignatureExpired,
                    format!("expired at {expires} (now {now})"),
                ));
            }
        }

        // Key and algorithm.
        let keyid = params
            .keyid
            .as_deref()
            .ok_or_else(|| Error::new(ErrorCode::SignatureKeyUnknown, "signature has no keyid"))?;
        let key = self.keys.get(keyid).ok_or_else(|| {
            Error::new(
                ErrorCode::SignatureKeyUnknown,
                format!("unknown keyid {keyid:?}"),
            )
        })?;
        if let Some(alg) = &params.alg {
            if HttpSigAlgorithm::from_name(alg)? != key.algorithm() {
                return Err(Error::new(
                    ErrorCode::SignatureAlgorithmUnsupported,
                    format!("alg {alg:?} is not the algorithm of key {keyid:?}"),
                ));
            }
        }

        let base = build_base(msg, &params, &self.sf_types)?;
        if !key.verify(&base, signature) {
            return Err(Error::new(
                ErrorCode::SignatureMismatch,
                format!("signature {label:?} does not verify"),
            ));
        }
        if c.verify_content_digest && digest_covered {
            check_content_digest(msg)?;
        }
        if let Some(nonce) = &params.nonce {
            let until = params
                .created
                .unwrap_or(now)
                .saturating_add(c.max_age.unwrap_or(86_400))
                .max(params.expires.unwrap_or(0))
                .saturating_add(c.leeway)
                .saturating_add(1);
            let mut entry = keyid.as_bytes().to_vec();
            entry.push(0);
            entry.extend_from_slice(nonce.as_bytes());
            if !self.store.remember("httpsig", &entry, until, now)? {
                return Err(Error::new(
                    ErrorCode::SignatureReplayed,
                    format!("nonce of signature {label:?} was already used"),
                ));
            }
        }

        let mut claims = Map::new();
        let opt = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        claims.insert("label".into(), label.into());
        claims.insert("alg".into(), key.algorithm().name().into());
        claims.insert(
            "created".into(),
            params.created.map_or(Value::Null, Value::from),
        );
        claims.insert(
            "expires".into(),
            params.expires.map_or(Value::Null, Value::from),
        );
        claims.insert("nonce".into(), opt(&params.nonce));
        claims.insert("tag".into(), opt(&params.tag));
        claims.insert(
            "covered".into(),
            Value::Array(covered.into_iter().map(Value::String).collect()),
        );
        Ok(Principal {
            subject: keyid.to_owned(),
            method: AuthMethod::Hmac,
            credential_id: Some(keyid.to_owned()),
            scopes: Vec::new(),
            claims,
            expires_at: params.expires,
        })
    }
}

/// Checks the `Content-Digest` (RFC 9530) of `msg` against its body: every `sha-256` and
/// `sha-512` member must match, and at least one must be present.
fn check_content_digest(msg: Message<'_>) -> Result<(), Error> {
    let Some(body) = msg.body() else {
        return if msg.has_body() {
            Err(Error::new(
                ErrorCode::SignatureBodyMissing,
                "content-digest is signed but the body was not supplied",
            ))
        } else {
            Ok(())
        };
    };
    let values = msg.header_values("content-digest");
    if values.is_empty() {
        return Err(Error::new(
            ErrorCode::SignatureDigestMismatch,
            "Content-Digest is absent",
        ));
    }
    crate::digest::verify_content_digest(&values.join(&b", "[..]), Some(body)).map(|_| ())
}
