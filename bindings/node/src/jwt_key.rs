//! JWT keys: `JwtKey`, `JwtKeySet` and `jwkThumbprint`. The verifier and `jwtEncode` are in
//! `jwt`.
//!
//! A `JwtKey` holds its parsed core key (parsed once); `jwtEncode` uses it as is and
//! `JwtKeySet.insert` shares it with the set, so no key is ever parsed twice.

use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, Either, Unknown};
use napi::{Env, Error, JsValue, Result, Status, ValueType};
use napi_derive::napi;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use portcullis::jwt::{self as core, Algorithm};
use portcullis::ErrorCode;

use crate::errors::OrThrow;
use crate::options;

/// A JSON object from a `string | object` argument. JSON text is parsed here (`json_invalid`
/// when it is not an object; the parser's message never quotes the input); an object is
/// converted as options values are.
pub(crate) fn json_object(env: &Env, value: Unknown, what: &str) -> Result<Map<String, Value>> {
    match value.get_type()? {
        ValueType::String => {
            let text = Zeroizing::new(unsafe { value.cast::<String>() }?);
            parse_object(&text, what).or_throw(env)
        }
        ValueType::Object
            if !value.is_array()? && !value.is_buffer()? && !value.is_typedarray()? =>
        {
            match options::to_json(&value, 0)? {
                Value::Object(map) => Ok(map),
                _ => Err(type_error(format!("{what} must be an object"))),
            }
        }
        _ => Err(type_error(format!(
            "{what} must be a JSON string or an object"
        ))),
    }
}

/// The JSON text of a `string | object` argument, for the core's strict parser (a repeated
/// member is refused there): a string as it is, an object converted as options values are.
pub(crate) fn json_text(env: &Env, value: Unknown, what: &str) -> Result<Zeroizing<String>> {
    if value.get_type()? == ValueType::String {
        Ok(Zeroizing::new(unsafe { value.cast::<String>() }?))
    } else {
        let map = json_object(env, value, what)?;
        Ok(Zeroizing::new(Value::Object(map).to_string()))
    }
}

fn parse_object(
    text: &str,
    what: &str,
) -> std::result::Result<Map<String, Value>, portcullis::Error> {
    serde_json::from_str::<Map<String, Value>>(text).map_err(|e| {
        portcullis::Error::new(
            ErrorCode::JsonInvalid,
            format!(
                "{what} is not a JSON object (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })
}

fn type_error(detail: String) -> Error {
    Error::new(Status::InvalidArg, detail)
}

/// One key bound to exactly one algorithm: an HMAC secret, a public key (verify only) or a
/// private key (sign and verify). Never shows its material.
#[napi]
pub struct JwtKey {
    pub(crate) inner: Arc<core::JwtKey>,
}

fn with_kid(key: core::JwtKey, kid: Option<String>) -> core::JwtKey {
    match kid {
        Some(kid) => key.with_kid(kid),
        None => key,
    }
}

impl JwtKey {
    fn new(key: core::JwtKey) -> Self {
        JwtKey {
            inner: Arc::new(key),
        }
    }
}

#[napi]
impl JwtKey {
    /// An HMAC secret for `HS256`/`HS384`/`HS512` (at least the hash's output: 32, 48 or 64
    /// bytes). Throws `jwt_key_invalid`.
    #[napi(catch_unwind, factory)]
    pub fn from_secret(env: Env, secret: Buffer, alg: String, kid: Option<String>) -> Result<Self> {
        let key = Algorithm::parse(&alg)
            .and_then(|alg| core::JwtKey::from_secret(alg, &secret))
            .or_throw(&env)?;
        Ok(Self::new(with_kid(key, kid)))
    }

    /// A PEM public or private key for an asymmetric algorithm.
    #[napi(catch_unwind, factory)]
    pub fn from_pem(
        env: Env,
        pem: Either<String, Buffer>,
        alg: String,
        kid: Option<String>,
    ) -> Result<Self> {
        let pem = Zeroizing::new(match pem {
            Either::A(text) => text.into_bytes(),
            Either::B(bytes) => bytes.to_vec(),
        });
        let key = Algorithm::parse(&alg)
            .and_then(|alg| core::JwtKey::from_pem(alg, &pem))
            .or_throw(&env)?;
        Ok(Self::new(with_kid(key, kid)))
    }

    /// A DER public key (SPKI, PKCS#1, raw) or private key (PKCS#8, PKCS#1, SEC1).
    #[napi(catch_unwind, factory)]
    pub fn from_der(env: Env, der: Buffer, alg: String, kid: Option<String>) -> Result<Self> {
        let key = Algorithm::parse(&alg)
            .and_then(|alg| core::JwtKey::from_der(alg, &der))
            .or_throw(&env)?;
        Ok(Self::new(with_kid(key, kid)))
    }

    /// A JWK (JSON text or an object), public or private (with `d`). `alg` defaults to the
    /// JWK's own, else is inferred from `kty`/`crv` (RSA gives RS256); the JWK's `kid` is kept.
    #[napi(
        catch_unwind,
        factory,
        ts_args_type = "jwk: string | Record<string, unknown>, alg?: string"
    )]
    pub fn from_jwk(env: Env, jwk: Unknown, alg: Option<String>) -> Result<Self> {
        let alg = alg
            .as_deref()
            .map(Algorithm::parse)
            .transpose()
            .or_throw(&env)?;
        let text = json_text(&env, jwk, "jwk")?;
        Ok(Self::new(
            core::JwtKey::from_jwk_json(&text, alg).or_throw(&env)?,
        ))
    }

    /// A new random key: a key pair whose `kid` is its RFC 7638 thumbprint, or for `HS*` a
    /// secret of the hash's output length (no `kid`).
    #[napi(catch_unwind, factory)]
    pub fn generate(env: Env, alg: String) -> Result<Self> {
        let key = Algorithm::parse(&alg)
            .and_then(core::JwtKey::generate)
            .or_throw(&env)?;
        Ok(Self::new(key))
    }

    /// The key id, or `null`.
    #[napi(catch_unwind, getter)]
    pub fn kid(&self) -> Option<String> {
        self.inner.kid().map(str::to_owned)
    }

    /// The one algorithm this key accepts and signs with.
    #[napi(catch_unwind, getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().name().to_owned()
    }

    /// True when the key can sign (a private key or a secret).
    #[napi(catch_unwind, getter)]
    pub fn can_sign(&self) -> bool {
        self.inner.can_sign()
    }

    /// The public JWK (`kid` defaults to the thumbprint, `alg`, `use: sig`). Throws
    /// `jwt_key_invalid` for a secret: secrets are never exported.
    #[napi(catch_unwind, ts_return_type = "Record<string, unknown>")]
    pub fn public_jwk(&self, env: Env) -> Result<Map<String, Value>> {
        self.inner.public_jwk().or_throw(&env)
    }

    /// The RFC 7638 thumbprint of the public key (throws `jwt_key_invalid` for a secret).
    #[napi(catch_unwind)]
    pub fn thumbprint(&self, env: Env) -> Result<String> {
        self.inner.thumbprint().or_throw(&env)
    }

    /// The private key as PKCS#8 PEM (throws `jwt_key_invalid` unless this is a private key).
    #[napi(catch_unwind)]
    pub fn private_pem(&self, env: Env) -> Result<String> {
        let pem = self.inner.private_pem().or_throw(&env)?;
        Ok(pem.as_str().to_owned())
    }

    /// `JwtKey { kid, algorithm, canSign }`: never the key material.
    #[napi(catch_unwind, js_name = "toString")]
    pub fn to_display(&self) -> String {
        let kid = self
            .inner
            .kid()
            .map_or_else(|| "null".to_owned(), |k| format!("{k:?}"));
        format!(
            "JwtKey {{ kid: {kid}, algorithm: \"{}\", canSign: {} }}",
            self.inner.algorithm(),
            self.inner.can_sign()
        )
    }
}

/// Keys for `JwtVerifier`s: a shared set, so keys added or removed later reach every verifier
/// built from it.
#[napi]
pub struct JwtKeySet {
    pub(crate) inner: core::JwtKeySet,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// JWKS text from a `string | object` argument.
fn jwks_text(env: &Env, jwks: Unknown) -> Result<Zeroizing<String>> {
    if jwks.get_type()? == ValueType::String {
        return Ok(Zeroizing::new(unsafe { jwks.cast::<String>() }?));
    }
    Ok(Zeroizing::new(
        Value::Object(json_object(env, jwks, "jwks")?).to_string(),
    ))
}

#[napi]
impl JwtKeySet {
    /// An empty set.
    #[napi(catch_unwind, constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        JwtKeySet {
            inner: core::JwtKeySet::new(),
        }
    }

    /// A set from a JWKS document (`{"keys": [...]}`, JSON text or an object).
    #[napi(
        catch_unwind,
        factory,
        ts_args_type = "jwks: string | Record<string, unknown>"
    )]
    pub fn from_jwks(env: Env, jwks: Unknown) -> Result<Self> {
        let text = jwks_text(&env, jwks)?;
        let inner = core::JwtKeySet::from_jwks(&text).or_throw(&env)?;
        Ok(JwtKeySet { inner })
    }

    /// Adds every signature key of a JWKS (keys whose `use` / `key_ops` exclude verification
    /// and unusable key types are skipped; a kid repeated for one algorithm is refused and
    /// nothing is added); returns how many were added.
    #[napi(catch_unwind, ts_args_type = "jwks: string | Record<string, unknown>")]
    pub fn add_jwks(&self, env: Env, jwks: Unknown) -> Result<u32> {
        let text = jwks_text(&env, jwks)?;
        Ok(count(self.inner.add_jwks(&text).or_throw(&env)?))
    }

    /// Adds a key; a key with the same `kid` and algorithm is replaced.
    #[napi(catch_unwind)]
    pub fn insert(&self, env: Env, key: &JwtKey) -> Result<()> {
        self.inner
            .insert_shared(Arc::clone(&key.inner))
            .or_throw(&env)
    }

    /// Removes every key with this `kid`; returns how many.
    #[napi(catch_unwind)]
    pub fn remove(&self, kid: String) -> u32 {
        count(self.inner.remove(&kid))
    }

    /// How many keys the set holds.
    #[napi(catch_unwind, getter)]
    pub fn size(&self) -> u32 {
        count(self.inner.len())
    }

    /// The public JWKS of the asymmetric keys (`{ keys: [...] }`); secrets are left out.
    #[napi(
        catch_unwind,
        ts_return_type = "{ keys: Array<Record<string, unknown>> }"
    )]
    pub fn public_jwks(&self, env: Env) -> Result<Value> {
        self.inner.public_jwks().or_throw(&env)
    }
}

/// The RFC 7638 thumbprint (SHA-256, base64url) of a JWK (JSON text or an object).
#[napi(catch_unwind, ts_args_type = "jwk: string | Record<string, unknown>")]
pub fn jwk_thumbprint(env: Env, jwk: Unknown) -> Result<String> {
    let text = json_text(&env, jwk, "jwk")?;
    core::thumbprint_json(&text).or_throw(&env)
}
