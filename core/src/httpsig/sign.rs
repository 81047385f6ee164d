//! Signing requests and responses.

use std::collections::HashMap;

use aws_lc_rs::hmac;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sfv::{BareItem, Item, Key, KeyRef, Parameters, Parser};

use super::base::{build_base, SigParams};
use super::components::{sf_table, SfType};
use super::keyring::MIN_SIGNING_SECRET_LEN;
use super::message::{Message, Response};
use super::HttpSigAlgorithm;
use crate::error::{Error, ErrorCode};
use crate::headers;
use crate::keys::SigningKey;
use crate::request::Request;

/// What to sign: the label, the covered components in order, and the parameters. Parameters
/// are emitted in the order created, expires, keyid, alg, nonce, tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignatureSpec {
    /// The dictionary label (an RFC 8941 key: `[a-z*][a-z0-9_.*-]*`).
    pub label: String,
    /// Covered components: `@method`, `content-type`, `@query-param;name="id"`,
    /// `example-dict;key="a"`, `"@authority";req` ...
    pub components: Vec<String>,
    /// The `created` time; `None` takes the message's time.
    pub created: Option<i64>,
    /// Emit `created` at all.
    pub include_created: bool,
    /// The `expires` time, if any.
    pub expires: Option<i64>,
    /// The `nonce`, if any.
    pub nonce: Option<String>,
    /// The `tag`, if any.
    pub tag: Option<String>,
    /// Emit `keyid`.
    pub include_keyid: bool,
    /// Emit `alg` (the key's algorithm).
    pub include_alg: bool,
}

impl Default for SignatureSpec {
    fn default() -> Self {
        SignatureSpec {
            label: "sig1".into(),
            components: vec!["@method".into(), "@target-uri".into()],
            created: None,
            include_created: true,
            expires: None,
            nonce: None,
            tag: None,
            include_keyid: true,
            include_alg: false,
        }
    }
}

impl SignatureSpec {
    /// Parses the JSON form of the spec.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "signature spec")
    }
}

/// The result of signing: the header values to add and the base that was signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    /// The label.
    pub label: String,
    /// The `Signature-Input` value (`label=(...);created=...`).
    pub signature_input: String,
    /// The `Signature` value (`label=:base64:`).
    pub signature: String,
    /// The signature base that was signed.
    pub signature_base: Vec<u8>,
}

impl SignedHeaders {
    /// The headers to add as (name, value) pairs: `Signature-Input`, then `Signature`.
    pub fn pairs(&self) -> [(&'static str, &str); 2] {
        [
            (headers::SIGNATURE_INPUT, self.signature_input.as_str()),
            (headers::SIGNATURE, self.signature.as_str()),
        ]
    }

    /// Appends `Signature-Input` and `Signature` to `request`.
    pub fn apply_to_request(&self, request: &mut Request) -> Result<(), Error> {
        for (name, value) in self.pairs() {
            request.add_header(name, value.as_bytes())?;
        }
        Ok(())
    }

    /// Appends `Signature-Input` and `Signature` to `response`.
    pub fn apply_to_response(&self, response: &mut Response) -> Result<(), Error> {
        for (name, value) in self.pairs() {
            response.add_header(name, value.as_bytes())?;
        }
        Ok(())
    }
}

enum SignerKey {
    Hmac(Box<hmac::Key>),
    Private(SigningKey),
}

/// Signs messages with one key under one `keyid`.
pub struct HttpSigSigner {
    keyid: String,
    algorithm: HttpSigAlgorithm,
    key: SignerKey,
    sf_types: HashMap<String, SfType>,
}

impl std::fmt::Debug for HttpSigSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSigSigner")
            .field("keyid", &self.keyid)
            .field("algorithm", &self.algorithm.name())
            .finish_non_exhaustive()
    }
}

fn invalid(detail: String) -> Error {
    Error::new(ErrorCode::InvalidArgument, detail)
}

impl HttpSigSigner {
    fn build(keyid: &str, algorithm: HttpSigAlgorithm, key: SignerKey) -> Result<Self, Error> {
        if keyid.is_empty() || keyid.len() > super::keyring::MAX_KEYID_LEN {
            return Err(invalid("keyid must be 1 to 256 bytes".into()));
        }
        sfv::StringRef::from_str(keyid)
            .map_err(|_| invalid("keyid must be printable ASCII".into()))?;
        Ok(HttpSigSigner {
            keyid: keyid.to_owned(),
            algorithm,
            key,
            sf_types: sf_table(&HashMap::new()),
        })
    }

    /// An `hmac-sha256` signer; secrets shorter than [`MIN_SIGNING_SECRET_LEN`] bytes are
    /// refused (`signature_secret_invalid`).
    pub fn hmac(keyid: &str, secret: &[u8]) -> Result<Self, Error> {
        if secret.len() < MIN_SIGNING_SECRET_LEN {
            return Err(Error::new(
                ErrorCode::SignatureSecretInvalid,
                format!(
                    "HMAC signing secrets must be at least {MIN_SIGNING_SECRET_LEN} bytes, got {}",
                    secret.len()
                ),
            ));
        }
        if crate::keys::is_key_material(secret) {
            return Err(Error::new(
                ErrorCode::SignatureSecretInvalid,
                "asymmetric key material (PEM, DER, JWK, SSH) is refused as an HMAC secret",
            ));
        }
        let key = SignerKey::Hmac(Box::new(hmac::Key::new(hmac::HMAC_SHA256, secret)));
        Self::build(keyid, HttpSigAlgorithm::HmacSha256, key)
    }

    /// An asymmetric signer from a private-key PEM (PKCS#8, PKCS#1 or SEC1).
    pub fn from_pem(keyid: &str, algorithm: HttpSigAlgorithm, pem: &[u8]) -> Result<Self, Error> {
        let alg = algorithm
            .key_algorithm()
            .ok_or_else(|| invalid("hmac-sha256 takes a secret: use HttpSigSigner::hmac".into()))?;
        Self::from_signing_key(keyid, algorithm, SigningKey::from_pem(alg, pem)?)
    }

    /// An asymmetric signer from a parsed key; its algorithm must be `algorithm`'s.
    pub fn from_signing_key(
        keyid: &str,
        algorithm: HttpSigAlgorithm,
        key: SigningKey,
    ) -> Result<Self, Error> {
        if algorithm.key_algorithm() != Some(key.algorithm()) {
            return Err(Error::new(
                ErrorCode::SignatureAlgorithmUnsupported,
                "the key's algorithm is not the one named",
            ));
        }
        Self::build(keyid, algorithm, SignerKey::Private(key))
    }

    /// Adds structured-field types for `sf` and `key` components.
    pub fn with_structured_fields(mut self, types: &HashMap<String, SfType>) -> Self {
        self.sf_types = sf_table(types);
        self
    }

    /// The key id.
    pub fn keyid(&self) -> &str {
        &self.keyid
    }

    /// The algorithm.
    pub fn algorithm(&self) -> HttpSigAlgorithm {
        self.algorithm
    }

    /// Signs `request` as `spec` says.
    pub fn sign_request(
        &self,
        request: &Request,
        spec: &SignatureSpec,
    ) -> Result<SignedHeaders, Error> {
        self.sign(Message::Request(request), spec)
    }

    /// Signs `response`; components with `req` read `related`.
    pub fn sign_response(
        &self,
        response: &Response,
        related: Option<&Request>,
        spec: &SignatureSpec,
    ) -> Result<SignedHeaders, Error> {
        self.sign(Message::Response(response, related), spec)
    }

    fn sign(&self, msg: Message<'_>, spec: &SignatureSpec) -> Result<SignedHeaders, Error> {
        KeyRef::from_str(&spec.label)
            .map_err(|_| invalid(format!("label {:?} is not a dictionary key", spec.label)))?;
        let items = spec
            .components
            .iter()
            .map(|c| component_item(c))
            .collect::<Result<Vec<_>, _>>()?;
        let mut params = Parameters::new();
        let mut put = |name: &str, value: BareItem| -> Result<(), Error> {
            let key = Key::from_string(name.to_owned())
                .map_err(|_| Error::new(ErrorCode::Internal, "bad parameter name"))?;
            params.insert(key, value);
            Ok(())
        };
        let int = |v: i64| {
            sfv::Integer::try_from(v)
                .map(BareItem::Integer)
                .map_err(|_| invalid(format!("{v} is out of the structured-field range")))
        };
        let string = |v: &str| {
            sfv::String::from_string(v.to_owned())
                .map(BareItem::String)
                .map_err(|_| invalid(format!("{v:?} is not printable ASCII")))
        };
        if spec.include_created {
            put("created", int(spec.created.unwrap_or_else(|| msg.now()))?)?;
        }
        if let Some(e) = spec.expires {
            put("expires", int(e)?)?;
        }
        if spec.include_keyid {
            put("keyid", string(&self.keyid)?)?;
        }
        if spec.include_alg {
            put("alg", string(self.algorithm.name())?)?;
        }
        if let Some(n) = &spec.nonce {
            put("nonce", string(n)?)?;
        }
        if let Some(t) = &spec.tag {
            put("tag", string(t)?)?;
        }
        let params = SigParams::build(items, params)?;
        let base = build_base(msg, &params, &self.sf_types)?;
        let signature = match &self.key {
            SignerKey::Hmac(k) => hmac::sign(k, &base).as_ref().to_vec(),
            SignerKey::Private(k) => k.sign(&base)?,
        };
        Ok(SignedHeaders {
            label: spec.label.clone(),
            signature_input: format!("{}={}", spec.label, params.serialize()),
            signature: format!(
                "{}=:{}:",
                spec.label,
                base64::engine::general_purpose::STANDARD.encode(signature)
            ),
            signature_base: base,
        })
    }
}

/// `@method`, `content-type;sf` or `"@query-param";name="a"` as an sfv item.
pub(crate) fn component_item(text: &str) -> Result<Item, Error> {
    let sf_text = if text.starts_with('"') {
        text.to_owned()
    } else {
        let (name, rest) = text.split_once(';').unwrap_or((text, ""));
        let sep = if rest.is_empty() { "" } else { ";" };
        format!("\"{name}\"{sep}{rest}")
    };
    Parser::new(&sf_text)
        .parse()
        .map_err(|e| invalid(format!("component {text:?}: {e}")))
}
