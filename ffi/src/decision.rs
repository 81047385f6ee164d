//! `portcullis_principal` and `portcullis_denial`: what a verification returns.

use portcullis::{Denial, Error, ErrorCode, Principal};
use serde_json::{Map, Value};

use crate::boundary::{free_box, guard, guard_value, out_buf, out_ptr};
use crate::result::portcullis_result;
use crate::shell::{borrow, castable};

/// Who the caller is, as proved by one method: subject, method, credential id, scopes, claims
/// and expiry. Never holds the secret that proved it. Free with `portcullis_principal_free`.
pub struct portcullis_principal {
    inner: Principal,
}

/// A refused request (or failed call): its result code, the HTTP status to answer with, a
/// message safe for the client, a detail for logs (never a secret) and the `WWW-Authenticate`
/// challenge to send. Free with `portcullis_denial_free`.
pub struct portcullis_denial {
    inner: Denial,
}

castable!(portcullis_principal => Principal, portcullis_denial => Denial);

impl portcullis_principal {
    pub(crate) fn new(inner: Principal) -> Self {
        portcullis_principal { inner }
    }
}

impl portcullis_denial {
    pub(crate) fn new(inner: Denial) -> Self {
        portcullis_denial { inner }
    }

    #[cfg(test)]
    pub(crate) fn code(&self) -> ErrorCode {
        self.inner.code()
    }
}

/// The claims as compact JSON. serde_json's map is ordered by key (its `preserve_order` feature
/// is off in this workspace, and the test below fails if it ever comes on), so the bytes are the
/// same from every build without re-sorting a copy.
pub(crate) fn canonical_json(claims: &Map<String, Value>) -> String {
    // A map of JSON values with string keys always serialises.
    serde_json::to_string(claims).unwrap_or_default()
}

/// Any JSON value as compact JSON, keys in order (see [`canonical_json`]).
pub(crate) fn canonical_value(value: &Value) -> String {
    value.to_string()
}

/// Writes one principal field to a caller buffer.
unsafe fn principal_text(
    p: *const portcullis_principal,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    field: impl FnOnce(&Principal) -> String,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let principal = unsafe { borrow(p) }?;
        out.put(field(principal).as_bytes())
    })
}

/// Writes one denial field to a caller buffer.
unsafe fn denial_text(
    d: *const portcullis_denial,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    field: impl FnOnce(&Denial) -> String,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let denial = unsafe { borrow(d) }?;
        out.put(field(denial).as_bytes())
    })
}

/// The authenticated subject (a user name, a service, the owner of a key), UTF-8.
#[no_mangle]
pub unsafe extern "C" fn portcullis_principal_subject(
    p: *const portcullis_principal,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { principal_text(p, buf, cap, out_len, |p| p.subject.clone()) }
}

/// The public identifier of the credential (an API key id, a Basic user-id); length 0 when
/// the method has none.
#[no_mangle]
pub unsafe extern "C" fn portcullis_principal_credential_id(
    p: *const portcullis_principal,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe {
        principal_text(p, buf, cap, out_len, |p| {
            p.credential_id.clone().unwrap_or_default()
        })
    }
}

/// The scopes the credential grants, separated by single spaces (length 0 when none).
#[no_mangle]
pub unsafe extern "C" fn portcullis_principal_scopes(
    p: *const portcullis_principal,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { principal_text(p, buf, cap, out_len, |p| p.scopes.join(" ")) }
}

/// The method-specific claims as one compact JSON object with keys sorted at every level.
#[no_mangle]
pub unsafe extern "C" fn portcullis_principal_claims_json(
    p: *const portcullis_principal,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { principal_text(p, buf, cap, out_len, |p| canonical_json(&p.claims)) }
}

/// The stable name of the method that proved the principal: `"api_key"`, `"basic"`, ...
#[no_mangle]
pub unsafe extern "C" fn portcullis_principal_method_name(
    p: *const portcullis_principal,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { principal_text(p, buf, cap, out_len, |p| p.method.name().to_owned()) }
}

/// The number of the method that proved the principal (1 API key, 2 Basic, 3 JWT, 4 OAuth 2.0,
/// 5 mTLS, 6 HMAC); 0 when `p` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_principal_method(p: *const portcullis_principal) -> u32 {
    guard_value(0, || unsafe { borrow(p) }.map_or(0, |p| p.method as u32))
}

/// When the credential stops being valid. On success `*has_expiry` tells whether it does and,
/// when it does, `*out` receives the time in Unix seconds (0 otherwise).
#[no_mangle]
pub unsafe extern "C" fn portcullis_principal_expires_at(
    p: *const portcullis_principal,
    out: *mut i64,
    has_expiry: *mut bool,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let has_expiry = unsafe { out_ptr(has_expiry) }?;
        let principal = unsafe { borrow(p) }?;
        out.write(principal.expires_at.unwrap_or(0));
        has_expiry.write(principal.expires_at.is_some());
        Ok(())
    })
}

/// Frees a principal. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_principal_free(p: *mut portcullis_principal) {
    unsafe { free_box(p) }
}

/// The denial's result code (a `PORTCULLIS_RESULT_*` value); `PORTCULLIS_RESULT_NULL_POINTER`
/// when `d` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_denial_code(d: *const portcullis_denial) -> portcullis_result {
    guard_value(ErrorCode::Panic.number(), || {
        unsafe { borrow(d) }.map_or_else(|e: Error| e.code().number(), |d| d.code().number())
    })
}

/// The HTTP status to answer with (401, 403, 400, ...); 0 when `d` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_denial_http_status(d: *const portcullis_denial) -> u16 {
    guard_value(0, || unsafe { borrow(d) }.map_or(0, Denial::http_status))
}

/// A message safe to send to the client (`"The API key has expired."`).
#[no_mangle]
pub unsafe extern "C" fn portcullis_denial_message(
    d: *const portcullis_denial,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { denial_text(d, buf, cap, out_len, |d| d.message().to_owned()) }
}

/// What exactly went wrong, for the server's logs. Never holds a secret.
#[no_mangle]
pub unsafe extern "C" fn portcullis_denial_detail(
    d: *const portcullis_denial,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { denial_text(d, buf, cap, out_len, |d| d.detail().to_owned()) }
}

/// The `WWW-Authenticate` header value to send (`Bearer realm="api", error="invalid_token",
/// ...`; several challenges separated by `, `, as an OAuth 2.0 resource server sends `Bearer`
/// and `DPoP`); length 0 when the denial carries no challenge.
#[no_mangle]
pub unsafe extern "C" fn portcullis_denial_challenge(
    d: *const portcullis_denial,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe {
        denial_text(d, buf, cap, out_len, |d| {
            d.challenge_header().unwrap_or_default()
        })
    }
}

/// Number of response header fields the denial asks for besides `WWW-Authenticate` (a
/// `DPoP-Nonce`); 0 when `d` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_denial_headers_len(d: *const portcullis_denial) -> usize {
    match unsafe { borrow(d) } {
        Ok(d) => d.headers().len(),
        Err(_) => 0,
    }
}

/// The name of the denial's header field at `index` (0-based). `INVALID_ARGUMENT` when `index`
/// is not below `portcullis_denial_headers_len`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_denial_header_name(
    d: *const portcullis_denial,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { denial_header(d, index, buf, cap, out_len, |h| h.0) }
}

/// The value of the denial's header field at `index`. `INVALID_ARGUMENT` past the end.
#[no_mangle]
pub unsafe extern "C" fn portcullis_denial_header_value(
    d: *const portcullis_denial,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { denial_header(d, index, buf, cap, out_len, |h| &h.1) }
}

unsafe fn denial_header(
    d: *const portcullis_denial,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    part: impl for<'a> FnOnce(&'a (&'static str, String)) -> &'a str,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let denial = unsafe { borrow(d) }?;
        let header = denial.headers().get(index).ok_or_else(|| {
            Error::new(ErrorCode::InvalidArgument, "header index is out of range")
        })?;
        out.put(part(header).as_bytes())
    })
}

/// Frees a denial. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_denial_free(d: *mut portcullis_denial) {
    unsafe { free_box(d) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_are_sorted_and_compact() {
        let mut claims = Map::new();
        claims.insert("z".into(), Value::from(1));
        let mut inner = Map::new();
        inner.insert("b".into(), Value::from("x"));
        inner.insert("a".into(), Value::Null);
        claims.insert("m".into(), Value::Object(inner));
        assert_eq!(canonical_json(&claims), r#"{"m":{"a":null,"b":"x"},"z":1}"#);
    }
}
