//! RFC 9421 HTTP Message Signatures, signing side: `HttpSigSigner` and `httpsigSignatureBase`.

use std::collections::HashMap;

use napi::bindgen_prelude::{Buffer, ClassInstance, Either, Unknown};
use napi::{Env, Result};
use napi_derive::napi;
use serde_json::Value;

use portcullis::httpsig::{self as core, HttpSigAlgorithm, SfType, SignatureSpec};

use crate::digest::text;
use crate::errors::{invalid_argument, OrThrow};
use crate::options;
use crate::request::Request;
use crate::response::Response;

/// What to sign (`SignatureSpec` in the core); absent fields take the core's defaults.
#[napi(object, object_to_js = false)]
pub struct SignatureSpecOptions {
    /// The dictionary label (default `sig1`).
    pub label: Option<String>,
    /// Covered components in order (default `["@method", "@target-uri"]`), e.g. `@path`,
    /// `content-type`, `@query-param;name="id"`, `"@authority";req`.
    pub components: Option<Vec<String>>,
    /// The `created` time; the message's time when absent.
    pub created: Option<f64>,
    /// Emit `created` (default true).
    pub include_created: Option<bool>,
    /// The `expires` time.
    pub expires: Option<f64>,
    /// The `nonce`.
    pub nonce: Option<String>,
    /// The `tag`.
    pub tag: Option<String>,
    /// Emit `keyid` (default true).
    pub include_keyid: Option<bool>,
    /// Emit `alg` (default false).
    pub include_alg: Option<bool>,
}

/// A signature: the header values to add and the base that was signed.
#[napi(object, object_from_js = false)]
pub struct HttpSignature {
    /// The label.
    pub label: String,
    /// The `Signature-Input` value.
    pub signature_input: String,
    /// The `Signature` value.
    pub signature: String,
    /// The signature base (RFC 9421 section 2.5) that was signed.
    pub signature_base: String,
    /// `[["Signature-Input", ...], ["Signature", ...]]`, ready to add to the message.
    #[napi(ts_type = "Array<[string, string]>")]
    pub headers: Vec<(String, String)>,
}

fn signature(env: &Env, signed: core::SignedHeaders) -> Result<HttpSignature> {
    let headers = options::owned_pairs(&signed.pairs());
    let base = text(signed.signature_base, "the signature base").or_throw(env)?;
    Ok(HttpSignature {
        headers,
        label: signed.label,
        signature_input: signed.signature_input,
        signature: signed.signature,
        signature_base: base,
    })
}

fn spec(env: &Env, options: Option<Unknown>) -> Result<SignatureSpec> {
    options::config(env, options, SignatureSpec::from_json)
}

/// Signs requests and responses with one key under one `keyid`.
#[napi]
pub struct HttpSigSigner {
    inner: core::HttpSigSigner,
}

#[napi]
impl HttpSigSigner {
    /// An `hmac-sha256` signer (the secret must be at least 32 bytes:
    /// `signature_secret_invalid`).
    #[napi(catch_unwind, factory)]
    pub fn hmac(env: Env, keyid: String, secret: Buffer) -> Result<Self> {
        let inner = core::HttpSigSigner::hmac(&keyid, &secret).or_throw(&env)?;
        Ok(HttpSigSigner { inner })
    }

    /// An asymmetric signer from a private-key PEM (PKCS#8, PKCS#1 or SEC1) for `algorithm`
    /// (`ed25519`, `ecdsa-p256-sha256`, `ecdsa-p384-sha384`, `rsa-pss-sha512`,
    /// `rsa-v1_5-sha256`).
    #[napi(catch_unwind, factory)]
    pub fn from_pem(
        env: Env,
        keyid: String,
        algorithm: String,
        pem: Either<Buffer, String>,
    ) -> Result<Self> {
        let alg = HttpSigAlgorithm::parse(&algorithm).or_throw(&env)?;
        let pem = zeroize::Zeroizing::new(options::bytes(pem));
        let inner = core::HttpSigSigner::from_pem(&keyid, alg, &pem).or_throw(&env)?;
        Ok(HttpSigSigner { inner })
    }

    /// The key id.
    #[napi(catch_unwind, getter)]
    pub fn keyid(&self) -> String {
        self.inner.keyid().to_owned()
    }

    /// The algorithm.
    #[napi(catch_unwind, getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().name().to_owned()
    }

    /// Signs `request` as `spec` says.
    #[napi(
        catch_unwind,
        ts_args_type = "request: Request, spec?: SignatureSpecOptions"
    )]
    pub fn sign_request(
        &self,
        env: Env,
        request: &Request,
        spec: Option<Unknown>,
    ) -> Result<HttpSignature> {
        let spec = self::spec(&env, spec)?;
        let signed = self
            .inner
            .sign_request(&request.inner, &spec)
            .or_throw(&env)?;
        signature(&env, signed)
    }

    /// Signs `response`; components with `;req` read `relatedRequest`.
    #[napi(
        catch_unwind,
        ts_args_type = "response: Response, relatedRequest?: Request | null, spec?: SignatureSpecOptions"
    )]
    pub fn sign_response(
        &self,
        env: Env,
        response: &Response,
        related_request: Option<&Request>,
        spec: Option<Unknown>,
    ) -> Result<HttpSignature> {
        let spec = self::spec(&env, spec)?;
        let related = related_request.map(|r| &r.inner);
        let signed = self
            .inner
            .sign_response(&response.inner, related, &spec)
            .or_throw(&env)?;
        signature(&env, signed)
    }
}

/// Options of `httpsigSignatureBase`.
#[napi(object, object_to_js = false)]
pub struct SignatureBaseOptions<'a> {
    /// The request a response answers (for components with `;req`).
    pub related_request: Option<ClassInstance<'a, Request>>,
    /// Field name to structured type (`item`, `list`, `dictionary`) for `sf` and `key`.
    #[napi(ts_type = "Record<string, 'item' | 'list' | 'dictionary'>")]
    pub structured_fields: Option<HashMap<String, String>>,
}

/// The structured-field table from its JS form; an unknown type is `invalid_argument`.
fn sf_types(
    fields: Option<HashMap<String, String>>,
) -> std::result::Result<HashMap<String, SfType>, portcullis::Error> {
    fields
        .unwrap_or_default()
        .into_iter()
        .map(|(name, kind)| {
            serde_json::from_value(Value::String(kind))
                .map(|t| (name, t))
                .map_err(|_| {
                    invalid_argument("a structured field type must be item, list or dictionary")
                })
        })
        .collect()
}

/// The exact RFC 9421 signature base of `message` (a Request or a Response) for one
/// `Signature-Input` member value, e.g. `("@method" "@path");created=1618884473;keyid="k"`.
#[napi(
    catch_unwind,
    ts_args_type = "message: Request | Response, signatureParams: string, options?: SignatureBaseOptions"
)]
pub fn httpsig_signature_base(
    env: Env,
    message: Either<ClassInstance<Request>, ClassInstance<Response>>,
    signature_params: String,
    options: Option<SignatureBaseOptions>,
) -> Result<String> {
    let (related, fields) = match options {
        Some(o) => (o.related_request, o.structured_fields),
        None => (None, None),
    };
    let sf = sf_types(fields).or_throw(&env)?;
    let base = match message {
        Either::A(request) => {
            core::signature_base_for_request(&request.inner, &signature_params, &sf)
        }
        Either::B(response) => core::signature_base_for_response(
            &response.inner,
            related.as_ref().map(|r| &r.inner),
            &signature_params,
            &sf,
        ),
    }
    .or_throw(&env)?;
    text(base, "the signature base").or_throw(&env)
}
