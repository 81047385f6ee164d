//! `portcullis_request`: the request view every verifier reads.

use std::net::IpAddr;

use portcullis::{Error, ErrorCode, Request};

use crate::boundary::{bytes_in, free_box, guard, out_handle, out_ptr, text_in};
use crate::result::portcullis_result;
use crate::shell::castable;

/// An HTTP request as the verifiers see it: method, target, headers, body, peer certificates,
/// peer address and time. Built with `portcullis_request_new`, freed with
/// `portcullis_request_free`. Not thread-safe while being built; once built it is only read.
pub struct portcullis_request {
    pub(crate) inner: Request,
}

/// Borrows a request handle for building.
///
/// # Safety
/// `req` is NULL or a live request handle, not used by another thread during the call.
unsafe fn request_mut<'a>(req: *mut portcullis_request) -> Result<&'a mut Request, Error> {
    // SAFETY: forwarded contract.
    unsafe { req.as_mut() }
        .map(|r| &mut r.inner)
        .ok_or_else(|| crate::boundary::null("request handle is NULL"))
}

castable!(portcullis_request => Request);

/// Creates a request from its method (an HTTP token, e.g. `GET`) and target (path and query,
/// visible ASCII). Both are UTF-8 text.
///
/// On success `*out` receives a new handle to free with `portcullis_request_free`.
/// Fails with `REQUEST_INVALID` for a malformed method or target, `INPUT_TOO_LARGE` past the
/// default size limits, `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_request_new(
    method: *const u8,
    method_len: usize,
    target: *const u8,
    target_len: usize,
    out: *mut *mut portcullis_request,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let method = unsafe { text_in(method, method_len) }?;
        let target = unsafe { text_in(target, target_len) }?;
        let inner = Request::new(method, target)?;
        out_handle(out, portcullis_request { inner });
        Ok(())
    })
}

/// Appends a header field. The name is UTF-8 text (an HTTP token, matched case-insensitively);
/// the value is raw bytes (no CR, LF or NUL). Repeated names are kept in order.
///
/// Fails with `REQUEST_INVALID`, `INPUT_TOO_LARGE` (a value over 16 KiB, more than 256 headers
/// or 64 KiB in all), `INVALID_UTF8` (name), `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_request_add_header(
    req: *mut portcullis_request,
    name: *const u8,
    name_len: usize,
    value: *const u8,
    value_len: usize,
) -> portcullis_result {
    guard(|| {
        let request = unsafe { request_mut(req) }?;
        let name = unsafe { text_in(name, name_len) }?;
        let value = unsafe { bytes_in(value, value_len) }?;
        request.add_header(name, value)
    })
}

/// Sets the raw body bytes, exactly as received (`INPUT_TOO_LARGE` past 16 MiB).
#[no_mangle]
pub unsafe extern "C" fn portcullis_request_set_body(
    req: *mut portcullis_request,
    body: *const u8,
    body_len: usize,
) -> portcullis_result {
    guard(|| {
        let request = unsafe { request_mut(req) }?;
        let body = unsafe { bytes_in(body, body_len) }?;
        request.set_body(body.to_vec())
    })
}

/// Appends a DER certificate to the peer chain, leaf first (`INVALID_ARGUMENT` when empty,
/// `INPUT_TOO_LARGE` past 16 certificates).
#[no_mangle]
pub unsafe extern "C" fn portcullis_request_add_peer_certificate(
    req: *mut portcullis_request,
    der: *const u8,
    der_len: usize,
) -> portcullis_result {
    guard(|| {
        let request = unsafe { request_mut(req) }?;
        let der = unsafe { bytes_in(der, der_len) }?;
        request.add_peer_certificate(der.to_vec())
    })
}

/// Records the address the connection came from: an IPv4 or IPv6 literal as UTF-8 text
/// (`INVALID_ARGUMENT` when it is not one).
#[no_mangle]
pub unsafe extern "C" fn portcullis_request_set_peer_address(
    req: *mut portcullis_request,
    address: *const u8,
    address_len: usize,
) -> portcullis_result {
    guard(|| {
        let request = unsafe { request_mut(req) }?;
        let text = unsafe { text_in(address, address_len) }?;
        let address: IpAddr = text.parse().map_err(|_| {
            Error::new(
                ErrorCode::InvalidArgument,
                "peer address is not an IP literal",
            )
        })?;
        request.set_peer_address(address);
        Ok(())
    })
}

/// Records the URI scheme the request arrived on (`https`, `http`; UTF-8, stored lower-cased),
/// as the host knows it from its listener: RFC 9421 `@scheme` and `@target-uri` need it.
/// Fails with `REQUEST_INVALID` when it is not an RFC 3986 scheme, `INVALID_UTF8`,
/// `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_request_set_scheme(
    req: *mut portcullis_request,
    scheme: *const u8,
    scheme_len: usize,
) -> portcullis_result {
    guard(|| {
        let request = unsafe { request_mut(req) }?;
        let scheme = unsafe { text_in(scheme, scheme_len) }?;
        request.set_scheme(scheme)
    })
}

/// Pins the request's time (Unix seconds). Without it, verifiers read the system clock.
#[no_mangle]
pub unsafe extern "C" fn portcullis_request_set_now(
    req: *mut portcullis_request,
    unix_seconds: i64,
) -> portcullis_result {
    guard(|| {
        unsafe { request_mut(req) }?.set_now(unix_seconds);
        Ok(())
    })
}

/// Frees a request. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_request_free(req: *mut portcullis_request) {
    unsafe { free_box(req) }
}
