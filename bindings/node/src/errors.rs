//! Core failures as JavaScript `Error` objects, and the principal as a plain object.
//!
//! Every `portcullis::Error` and `Denial` becomes an `Error` whose `message` is the public
//! message and which carries `code` (the ErrorCode name), `number`, `detail`, `httpStatus`,
//! `challenge` (the `WWW-Authenticate` value or `null`), `headers` (other response header
//! fields a denial asks for, as `[name, value]` pairs: a `DPoP-Nonce`) and `category`. None of
//! these ever holds a secret: the core guarantees it for the message and the detail.

use napi::bindgen_prelude::{Null, Object};
use napi::{Env, Error, JsValue, Result, Status};
use napi_derive::napi;
use serde_json::{Map, Value};

/// Who the caller is, as proved by one method. Never holds the secret that proved it.
#[napi(object, use_nullable = true)]
pub struct Principal {
    /// The authenticated subject: a user name, a service, the owner of a key.
    pub subject: String,
    /// The method that proved it: `api_key`, `basic`, ...
    pub method: String,
    /// A public identifier of the credential (key id, user name), or `null`.
    pub credential_id: Option<String>,
    /// The scopes the credential grants.
    pub scopes: Vec<String>,
    /// Method-specific facts (environment and metadata of an API key, hash scheme, ...).
    pub claims: Map<String, Value>,
    /// When the credential stops being valid (Unix seconds), or `null`.
    pub expires_at: Option<i64>,
}

impl From<portcullis::Principal> for Principal {
    fn from(p: portcullis::Principal) -> Self {
        Principal {
            subject: p.subject,
            method: p.method.name().to_owned(),
            credential_id: p.credential_id,
            scopes: p.scopes,
            claims: p.claims,
            expires_at: p.expires_at,
        }
    }
}

/// Builds the JS error for `error` (and its challenge) and wraps it so that returning it from a
/// `#[napi]` function throws that very object (or rejects a promise with it).
pub fn js_error(
    env: &Env,
    error: &portcullis::Error,
    denial: Option<&portcullis::Denial>,
) -> Error {
    match build(env, error, denial) {
        Ok(object) => Error::from(object.to_unknown()),
        // Building the object failed (the environment is shutting down): fall back to a plain
        // error that still names the code.
        Err(_) => Error::new(
            Status::GenericFailure,
            format!("{}: {}", error.code().name(), error.message()),
        ),
    }
}

pub(crate) fn build<'env>(
    env: &'env Env,
    error: &portcullis::Error,
    denial: Option<&portcullis::Denial>,
) -> Result<Object<'env>> {
    let code = error.code();
    let mut object = env.create_error(Error::new(Status::GenericFailure, error.message()))?;
    object.set("code", code.name())?;
    object.set("number", code.number())?;
    object.set("detail", error.detail())?;
    object.set("httpStatus", u32::from(code.http_status()))?;
    match denial.and_then(portcullis::Denial::challenge_header) {
        Some(c) => object.set("challenge", c)?,
        None => object.set("challenge", Null)?,
    }
    let headers: Vec<Vec<&str>> = denial
        .map(|d| {
            d.headers()
                .iter()
                .map(|(n, v)| vec![*n, v.as_str()])
                .collect()
        })
        .unwrap_or_default();
    object.set("headers", headers)?;
    object.set("category", code.category().name())?;
    Ok(object)
}

/// The JS error for a core `Error` (no challenge).
pub fn from_error(env: &Env, error: portcullis::Error) -> Error {
    js_error(env, &error, None)
}

/// The JS error for a `Denial`, with its challenge.
pub fn from_denial(env: &Env, denial: portcullis::Denial) -> Error {
    js_error(env, denial.error(), Some(&denial))
}

/// A `Result` of a core call, with errors turned into JS errors.
pub trait OrThrow<T> {
    /// Converts the failure with `env`.
    fn or_throw(self, env: &Env) -> Result<T>;
}

impl<T> OrThrow<T> for std::result::Result<T, portcullis::Error> {
    fn or_throw(self, env: &Env) -> Result<T> {
        self.map_err(|e| from_error(env, e))
    }
}

impl<T> OrThrow<T> for std::result::Result<T, portcullis::Denial> {
    fn or_throw(self, env: &Env) -> Result<T> {
        self.map_err(|d| from_denial(env, d))
    }
}

/// A core `Error` for a value the binding could not convert (a pure type conversion failure
/// that is about the value, not its JS type: a fractional timestamp, a bad IP address).
pub fn invalid_argument(detail: impl Into<std::borrow::Cow<'static, str>>) -> portcullis::Error {
    portcullis::Error::new(portcullis::ErrorCode::InvalidArgument, detail)
}

/// The time a caller passed as `now` (whole Unix seconds, checked as [`unix_seconds`] does),
/// or the system clock when it passed none.
pub fn now_or_clock(env: &Env, now: Option<f64>) -> Result<i64> {
    match now {
        Some(n) => unix_seconds(n, "now").or_throw(env),
        None => Ok(portcullis::request::unix_now()),
    }
}

/// Unix seconds from a JS number: finite, whole and within ±2^53.
pub fn unix_seconds(value: f64, what: &'static str) -> std::result::Result<i64, portcullis::Error> {
    const LIMIT: f64 = 9_007_199_254_740_991.0;
    if value.is_finite() && value.fract() == 0.0 && value.abs() <= LIMIT {
        // In range and whole: the cast is exact.
        Ok(value as i64)
    } else {
        Err(invalid_argument(format!(
            "{what} must be a whole number of Unix seconds"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::unix_seconds;

    #[test]
    fn unix_seconds_accepts_whole_finite_numbers_only() {
        assert_eq!(unix_seconds(1_767_225_600.0, "now"), Ok(1_767_225_600));
        assert_eq!(unix_seconds(-5.0, "now"), Ok(-5));
        for bad in [1.5, f64::NAN, f64::INFINITY, -f64::INFINITY, 1e300] {
            let err = unix_seconds(bad, "now").err();
            assert_eq!(
                err.map(|e| e.code()),
                Some(portcullis::ErrorCode::InvalidArgument)
            );
        }
    }
}
