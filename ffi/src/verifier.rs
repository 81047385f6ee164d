//! `portcullis_verifier`: any method (`api_key`, `basic`, `jwt`, `webhook`, `pcs1`, `httpsig`,
//! `mtls`, `oauth2`) built from the same configuration a gate's credential takes.

use portcullis::config::Format;
use portcullis::verifier::Verifier;

use crate::boundary::{
    guard, guard_denial, handle, out_buf, out_ptr, out_shared, release_shared, retain_shared,
    scopes, text_in,
};
use crate::decision::{portcullis_denial, portcullis_principal};
use crate::gate::{config_denial, portcullis_gate_options, take_load_context};
use crate::request::portcullis_request;
use crate::result::portcullis_result;
use crate::shell::{borrow, verify_into};

/// A generic verifier: one method from its configuration (`{"method": "jwt", ...}`, JSON or
/// TOML), the same object a gate's `credentials` entry takes. Reference-counted and
/// thread-safe. `portcullis_verifier_retain` takes a reference, `portcullis_verifier_free`
/// drops one.
pub struct portcullis_verifier {
    inner: Verifier,
}

impl portcullis_verifier {
    pub(crate) fn new(inner: Verifier) -> Self {
        portcullis_verifier { inner }
    }
}

/// Builds a verifier from `config`: JSON when its first non-blank character is `{`, TOML
/// otherwise; secrets are references (`env:`, `file:`, `secret:`) as in a gate file.
/// `options` (secrets, base folder) may be NULL; otherwise it is consumed, even on failure;
/// its audit callback is not used.
///
/// On success `*out` receives a handle holding one reference. On failure the result is the
/// load error's code (`CONFIG_INVALID`, `JSON_INVALID`, `JWT_KEY_INVALID`, ...) and, when
/// `out_error` is not NULL, `*out_error` receives a denial whose detail is
/// `<path>: <message> (line L, column C)`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_verifier_new(
    config: *const u8,
    config_len: usize,
    options: *mut portcullis_gate_options,
    out: *mut *mut portcullis_verifier,
    out_error: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        guard_denial(out_error, || {
            // Taken first: the options are consumed whatever happens next.
            let load = take_load_context(options);
            let out = out_ptr(out)?;
            let text = text_in(config, config_len)?;
            let inner = Verifier::load(text, Format::detect(text), &load).map_err(config_denial)?;
            out_shared(out, portcullis_verifier { inner });
            Ok(())
        })
    }
}

/// Takes one more reference to `v` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_verifier_retain(
    v: *const portcullis_verifier,
) -> *mut portcullis_verifier {
    unsafe { retain_shared(v) }
}

/// Drops one reference to `v`; the last one frees it and wipes its secrets. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_verifier_free(v: *mut portcullis_verifier) {
    unsafe { release_shared(v) }
}

/// Verifies the request's credential for the verifier's method and that it grants every one
/// of `scopes` (UTF-8, space-separated; length 0 for none). A request without this method's
/// credential is refused with its "missing" code (`CREDENTIALS_MISSING`, `SIGNATURE_MISSING`,
/// `MTLS_CERTIFICATE_MISSING`).
///
/// On success `*out_principal` receives the principal. On failure the result is the reason
/// and, when `out_denial` is not NULL, `*out_denial` receives the denial.
#[no_mangle]
pub unsafe extern "C" fn portcullis_verifier_verify(
    v: *const portcullis_verifier,
    req: *const portcullis_request,
    scopes_text: *const u8,
    scopes_len: usize,
    out_principal: *mut *mut portcullis_principal,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        verify_into(out_principal, out_denial, || {
            let verifier = &handle(v)?.inner;
            let request = borrow(req)?;
            let required = scopes(text_in(scopes_text, scopes_len)?);
            verifier.verify(request, &required)
        })
    }
}

/// The registry name of the verifier's method (`api_key`, `basic`, `jwt`, `webhook`, `pcs1`,
/// `httpsig`, `mtls`, `oauth2`).
#[no_mangle]
pub unsafe extern "C" fn portcullis_verifier_method(
    v: *const portcullis_verifier,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        out.put(unsafe { handle(v) }?.inner.method_name().as_bytes())
    })
}

/// The `WWW-Authenticate` value to send when a request carries no credential (an `oauth2`
/// method's `Bearer` and `DPoP` challenges separated by `, `); length 0 for methods without one
/// (webhooks, mTLS).
#[no_mangle]
pub unsafe extern "C" fn portcullis_verifier_challenge(
    v: *const portcullis_verifier,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let challenge = unsafe { handle(v) }?.inner.challenge_header();
        out.put(challenge.unwrap_or_default().as_bytes())
    })
}

/// The RFC 9728 protected-resource metadata document (JSON) of an `oauth2` verifier with a
/// `resource`, to serve at the URL its challenges name; length 0 for every other verifier.
#[no_mangle]
pub unsafe extern "C" fn portcullis_verifier_resource_metadata(
    v: *const portcullis_verifier,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let document = unsafe { handle(v) }?.inner.resource_metadata();
        out.put(document.unwrap_or_default().as_bytes())
    })
}
