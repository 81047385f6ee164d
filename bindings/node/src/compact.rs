//! The conversions of the JS-layer fast paths (`jwt.js`, `webhook.js`): the verified principal
//! as JSON text, which `JSON.parse` turns into the `Principal` object far faster than N-API can
//! set its claims one by one, and JS strings read as UTF-8 into a stack buffer (one N-API call,
//! no allocation).

use std::borrow::Cow;

use napi::bindgen_prelude::Either;
use napi::{sys, Env, Error, JsString, JsValue, Result, Status};
use portcullis::jwt::ClaimRef;
use serde_json::Value;

use crate::errors::Principal;

/// True when JSON carries `value` as the object conversion does: no integer above
/// `i64::MAX` (which that conversion gives as a string).
pub(crate) fn exact(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_i64() || n.is_f64(),
        Value::Array(items) => items.iter().all(exact),
        Value::Object(map) => map.values().all(exact),
        Value::Null | Value::Bool(_) | Value::String(_) => true,
    }
}

/// A verified token's principal as the JSON text of the `Principal` object's six values (see
/// [`six_values`]), the claims written from the core's
/// [`TokenClaims`](portcullis::jwt::TokenClaims) as read from the token (no claims map is
/// built), member for member what the principal's map holds. JSON carries every value the way
/// the object conversion does (an `f64` in its shortest round-trip form, an `i64` exactly)
/// except integers above `i64::MAX`, which that conversion gives as strings: a principal
/// holding one is returned as the object.
pub fn compact_token_js<'env>(
    env: &'env Env,
    verified: portcullis::jwt::VerifiedToken,
) -> Result<Either<JsString<'env>, Principal>> {
    let carried = verified.claims.iter().all(|(_, value)| match value {
        ClaimRef::UInt(_) => false,
        ClaimRef::Value(v) => exact(v),
        _ => true,
    });
    let text = carried
        .then(|| {
            six_values(
                &verified.subject,
                portcullis::AuthMethod::Jwt,
                verified.credential_id.as_deref(),
                &verified.scopes,
                &verified.claims,
                verified.expires_at,
            )
        })
        .flatten();
    Ok(match text {
        Some(text) => Either::A(js_text(env, &text)?),
        None => Either::B(verified.into_principal().into()),
    })
}

/// A verified webhook's principal as [`compact_token_js`] gives a token's: the six values, the claims
/// written by the core's [`WebhookClaims`](portcullis::webhook::WebhookClaims) (the principal's
/// claims map, member for member), without building the `Principal`.
pub fn compact_webhook_js<'env>(
    env: &'env Env,
    verified: &portcullis::webhook::VerifiedWebhook<'_, '_>,
) -> Result<Either<JsString<'env>, Principal>> {
    let no_scopes: &[String] = &[];
    let text = six_values(
        verified.sender,
        verified.method(),
        Some(verified.credential_id),
        no_scopes,
        &verified.claims,
        None,
    );
    Ok(match text {
        Some(text) => Either::A(js_text(env, &text)?),
        None => Either::B(verified.principal().into()),
    })
}

/// The JSON text of a principal's six values, in the `Principal` object's order
/// (`[subject, method, credentialId, scopes, claims, expiresAt]`), from which the JS layer
/// writes the object literal after one `JSON.parse`: far cheaper than setting every claim
/// through N-API, and six member names fewer to read and intern than the object's own text.
fn six_values(
    subject: &str,
    method: portcullis::AuthMethod,
    credential_id: Option<&str>,
    scopes: &[String],
    claims: &impl serde::Serialize,
    expires_at: Option<i64>,
) -> Option<String> {
    // Room for a usual principal, so the text is not reallocated as it grows.
    let mut text = Vec::with_capacity(256);
    serde_json::to_writer(
        &mut text,
        &(
            subject,
            method.name(),
            credential_id,
            scopes,
            claims,
            expires_at,
        ),
    )
    .ok()?;
    // serde_json writes UTF-8; the check cannot fail and costs little next to the writing.
    String::from_utf8(text).ok()
}

/// `text` as a JS string: JSON text is most often ASCII, which V8 takes as Latin-1 without
/// decoding it.
pub(crate) fn js_text<'env>(env: &'env Env, text: &str) -> Result<JsString<'env>> {
    if text.is_ascii() {
        env.create_string_latin1(text.as_bytes())
    } else {
        env.create_string(text)
    }
}

/// UTF-8 `text` as a JS string: taken as Latin-1 when `ascii` (as the gate's decisions and
/// audit batches nearly always are), which V8 copies without decoding, and which needs no UTF-8
/// check first.
pub(crate) fn utf8_js<'env>(env: &'env Env, text: &[u8], ascii: bool) -> Result<JsString<'env>> {
    if ascii {
        return env.create_string_latin1(text);
    }
    let text = std::str::from_utf8(text)
        .map_err(|_| Error::new(Status::GenericFailure, "text is not UTF-8"))?;
    env.create_string(text)
}

/// The UTF-8 bytes of the JS string `value` (lone surrogates become U+FFFD, as in every string
/// conversion of the binding). Read into the front of `*arena` when it fits there, which then
/// moves past them; otherwise into a `Vec`. Not a string: `InvalidArg`.
pub fn utf8_in<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
    arena: &mut &'a mut [u8],
) -> Result<Cow<'a, [u8]>> {
    let buf = std::mem::take(arena);
    let mut len = 0usize;
    // SAFETY: `buf` is writable for `buf.len()` bytes; N-API writes at most that many
    // (including a NUL) and reports the bytes written, without the NUL, in `len`.
    let status = unsafe {
        sys::napi_get_value_string_utf8(env, value, buf.as_mut_ptr().cast(), buf.len(), &mut len)
    };
    if status != sys::Status::napi_ok {
        *arena = buf;
        return Err(Error::new(Status::InvalidArg, "expected a string"));
    }
    // N-API stops before a character that does not fit whole (up to 4 bytes) and keeps a byte
    // for the NUL: with 4 bytes or more to spare, nothing was cut off.
    if len + 4 < buf.len() {
        let (text, rest) = buf.split_at_mut(len);
        *arena = rest;
        return Ok(Cow::Borrowed(text));
    }
    *arena = buf;
    let mut needed = 0usize;
    // SAFETY: a null buffer asks only for the length (without the NUL).
    let status = unsafe {
        sys::napi_get_value_string_utf8(env, value, std::ptr::null_mut(), 0, &mut needed)
    };
    if status != sys::Status::napi_ok {
        return Err(Error::new(Status::InvalidArg, "expected a string"));
    }
    let mut owned = vec![0u8; needed + 1];
    // SAFETY: as above, with `owned` writable for `owned.len()` bytes.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            owned.as_mut_ptr().cast(),
            owned.len(),
            &mut len,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(Error::new(Status::InvalidArg, "expected a string"));
    }
    owned.truncate(len);
    Ok(Cow::Owned(owned))
}

/// Calls `f` with the text of `value` (a JS string, as UTF-8). A string that fits a stack
/// buffer (any usual token) is read with one N-API call and no allocation; a longer one is
/// read the usual way.
pub fn with_text<R>(value: JsString, f: impl FnOnce(&str) -> R) -> Result<R> {
    // 4 KiB holds any usual token; zeroing 8 KiB on every call cost more than reading one.
    let mut buf = [0u8; 4096];
    let raw = value.value();
    let mut arena = &mut buf[..];
    let bytes = utf8_in(raw.env, raw.value, &mut arena)?;
    // N-API wrote valid UTF-8 (it replaces what is not); a failure here is a bug, not input.
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::new(Status::GenericFailure, "string is not UTF-8"))?;
    Ok(f(text))
}
