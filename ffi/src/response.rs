//! `portcullis_response`: an HTTP response, for RFC 9421 response signatures.

use portcullis::httpsig::Response;
use portcullis::Error;

use crate::boundary::{bytes_in, free_box, guard, null, out_handle, out_ptr, text_in};
use crate::result::portcullis_result;
use crate::shell::castable;

/// An HTTP response as the RFC 9421 signer and verifier see it: status, headers, body and
/// time. Built with `portcullis_response_new`, freed with `portcullis_response_free`. Not
/// thread-safe while being built; once built it is only read.
pub struct portcullis_response {
    inner: Response,
}

/// Borrows a response handle for building.
///
/// # Safety
/// `resp` is NULL or a live response handle, not used by another thread during the call.
unsafe fn response_mut<'a>(resp: *mut portcullis_response) -> Result<&'a mut Response, Error> {
    // SAFETY: forwarded contract.
    unsafe { resp.as_mut() }
        .map(|r| &mut r.inner)
        .ok_or_else(|| null("response handle is NULL"))
}

castable!(portcullis_response => Response);

/// Creates a response with a three-digit status (100-999; else `REQUEST_INVALID`).
///
/// On success `*out` receives a new handle to free with `portcullis_response_free`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_response_new(
    status: u16,
    out: *mut *mut portcullis_response,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let inner = Response::new(status)?;
        out_handle(out, portcullis_response { inner });
        Ok(())
    })
}

/// Appends a header field: the name is UTF-8 text (an HTTP token), the value raw bytes (no CR,
/// LF or NUL). The same checks and limits as `portcullis_request_add_header`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_response_add_header(
    resp: *mut portcullis_response,
    name: *const u8,
    name_len: usize,
    value: *const u8,
    value_len: usize,
) -> portcullis_result {
    guard(|| {
        let response = unsafe { response_mut(resp) }?;
        let name = unsafe { text_in(name, name_len) }?;
        let value = unsafe { bytes_in(value, value_len) }?;
        response.add_header(name, value)
    })
}

/// Sets the raw body bytes, exactly as sent (`INPUT_TOO_LARGE` past 16 MiB).
#[no_mangle]
pub unsafe extern "C" fn portcullis_response_set_body(
    resp: *mut portcullis_response,
    body: *const u8,
    body_len: usize,
) -> portcullis_result {
    guard(|| {
        let response = unsafe { response_mut(resp) }?;
        let body = unsafe { bytes_in(body, body_len) }?;
        response.set_body(body.to_vec())
    })
}

/// Pins the response's time (Unix seconds). Without it, verifiers read the system clock.
#[no_mangle]
pub unsafe extern "C" fn portcullis_response_set_now(
    resp: *mut portcullis_response,
    unix_seconds: i64,
) -> portcullis_result {
    guard(|| {
        unsafe { response_mut(resp) }?.set_now(unix_seconds);
        Ok(())
    })
}

/// Frees a response. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_response_free(resp: *mut portcullis_response) {
    unsafe { free_box(resp) }
}
