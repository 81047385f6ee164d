//! `portcullis_webhook_verifier` and `portcullis_webhook_signer`: signed webhooks (Standard
//! Webhooks, Stripe, GitHub, Slack).

use portcullis::webhook::{WebhookConfig, WebhookScheme, WebhookSigner, WebhookVerifier};
use portcullis::{Error, ErrorCode};

use crate::boundary::{
    bytes_in, free_box, guard, guard_value, json_or_default, out_buf, out_handle, out_ptr,
    release_shared, retain_shared, text_in,
};
use crate::decision::{portcullis_denial, portcullis_principal};
use crate::fields::{portcullis_header_field, with_pairs};
use crate::headers::{out_headers, portcullis_headers};
use crate::request::portcullis_request;
use crate::result::portcullis_result;
use crate::shell::{borrow, castable, new_shared, verify_request, verify_with};

/// A webhook verifier: one scheme, its secrets (several during a rotation), the timestamp
/// tolerance and an in-memory replay store. Reference-counted and thread-safe: verify from any
/// number of threads. `portcullis_webhook_verifier_retain` takes a reference,
/// `portcullis_webhook_verifier_free` drops one.
pub struct portcullis_webhook_verifier {
    inner: WebhookVerifier,
}

/// Signs outgoing webhooks (or test fixtures) the way a provider does. The secret is wiped
/// when the handle is freed with `portcullis_webhook_signer_free`.
pub struct portcullis_webhook_signer {
    inner: WebhookSigner,
}

castable!(portcullis_webhook_verifier => WebhookVerifier, portcullis_webhook_signer => WebhookSigner);

/// Builds a webhook verifier from its `WebhookConfig` JSON: `scheme` (`standard`, `stripe`,
/// `github`, `slack`), `secrets` (required: `whsec_...` for Standard Webhooks, the raw secret
/// text otherwise), `tolerance_seconds` (300), `replay_protection` (true), `sender` (the
/// principal's subject; the scheme name by default).
///
/// On success `*out` receives a handle holding one reference. Fails with `JSON_INVALID`,
/// `CONFIG_INVALID` (no secret, tolerance out of 1-86400), `SIGNATURE_SECRET_INVALID`,
/// `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_webhook_verifier_new(
    config_json: *const u8,
    config_json_len: usize,
    out: *mut *mut portcullis_webhook_verifier,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let config = json_or_default(config_json, config_json_len, WebhookConfig::from_json)?;
            let inner = WebhookVerifier::new(config)?;
            Ok(portcullis_webhook_verifier { inner })
        })
    }
}

/// Takes one more reference to `verifier` and returns it (NULL gives NULL).
#[no_mangle]
pub unsafe extern "C" fn portcullis_webhook_verifier_retain(
    verifier: *const portcullis_webhook_verifier,
) -> *mut portcullis_webhook_verifier {
    unsafe { retain_shared(verifier) }
}

/// Drops one reference to `verifier`; the last one frees it and wipes its secrets. NULL is a
/// no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_webhook_verifier_free(
    verifier: *mut portcullis_webhook_verifier,
) {
    unsafe { release_shared(verifier) }
}

/// Verifies a webhook delivery: the request must carry the raw body exactly as received
/// (`portcullis_request_set_body`) and the scheme's signature headers. A message id (or, for
/// Stripe and Slack, a timestamp and signature) accepted once is refused as
/// `SIGNATURE_REPLAYED` within the tolerance.
///
/// On success `*out_principal` receives the principal (subject = the sender, method `hmac`,
/// credential id `secret-<index>`, claims `scheme`, `signature_version`, `message_id`,
/// `timestamp`). On failure the result is the reason (`SIGNATURE_*`) and, when `out_denial`
/// is not NULL, `*out_denial` receives the denial.
#[no_mangle]
pub unsafe extern "C" fn portcullis_webhook_verifier_verify(
    verifier: *const portcullis_webhook_verifier,
    req: *const portcullis_request,
    out_principal: *mut *mut portcullis_principal,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        verify_request(
            verifier,
            req,
            out_principal,
            out_denial,
            WebhookVerifier::verify,
        )
    }
}

/// Verifies a webhook from its raw body and header fields as the host's HTTP layer holds them,
/// without building a `portcullis_request`; everything is borrowed for the call, nothing is
/// copied. The same decision `portcullis_webhook_verifier_verify` makes on a request built from
/// the same body and fields, with the same replay store.
///
/// `body`: the raw body exactly as received (NULL with length 0 is an empty body). `fields`:
/// `count` header fields, in any order (NULL when `count` is 0); passing every field of the
/// request is simplest, passing only those `portcullis_webhook_verifier_header_name` lists is
/// enough. Names are UTF-8 and matched case-insensitively; the fields the scheme reads get the
/// request's rules: values trimmed, CR/LF/NUL refused (`REQUEST_INVALID`), a field given twice
/// refused (`CREDENTIALS_AMBIGUOUS`), the default size limits (`INPUT_TOO_LARGE`: more than
/// 256 fields, refused before any is read; a value over 16 KiB; 64 KiB of fields; a body over
/// 16 MiB). `now`: the receive time in Unix seconds when `has_now`, else the system clock.
///
/// Outputs as `portcullis_webhook_verifier_verify`. Also fails with `INVALID_UTF8` (a name),
/// `NULL_POINTER` (the verifier, `out_principal`, or a NULL pointer with a non-zero length).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn portcullis_webhook_verifier_verify_payload(
    verifier: *const portcullis_webhook_verifier,
    body: *const u8,
    body_len: usize,
    fields: *const portcullis_header_field,
    count: usize,
    now: i64,
    has_now: bool,
    out_principal: *mut *mut portcullis_principal,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        verify_with(verifier, out_principal, out_denial, |verifier| {
            let body = bytes_in(body, body_len)?;
            let now = has_now.then_some(now);
            with_pairs(fields, count, |pairs| {
                verifier.verify_payload(body, pairs, now)
            })
        })
    }
}

/// Number of header fields the verifier's scheme reads (`content-length` included): what a
/// host passing only some fields to `portcullis_webhook_verifier_verify_payload` must pass
/// when it received them. 0 when `verifier` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_webhook_verifier_header_names_len(
    verifier: *const portcullis_webhook_verifier,
) -> usize {
    guard_value(0, || {
        unsafe { borrow(verifier) }.map_or(0, |v| v.header_names().len())
    })
}

/// The name at `index` (0-based) of the header fields the verifier's scheme reads, in lower
/// case (`webhook-id`, `stripe-signature`, `content-length`, ...). `INVALID_ARGUMENT` when
/// `index` is not below `portcullis_webhook_verifier_header_names_len`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_webhook_verifier_header_name(
    verifier: *const portcullis_webhook_verifier,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let verifier = unsafe { borrow(verifier) }?;
        let name = verifier.header_names().get(index).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                "header index is past the end of the scheme's header names",
            )
        })?;
        out.put(name.as_bytes())
    })
}

/// Creates a signer for `scheme` (UTF-8: `standard`, `stripe`, `github`, `slack`; else
/// `INVALID_ARGUMENT`) with `secret` (UTF-8: a `whsec_` secret of 24 to 64 bytes or a `whsk_`
/// Ed25519 key for Standard Webhooks, at least 32 bytes for the others; else
/// `SIGNATURE_SECRET_INVALID`).
///
/// On success `*out` receives a handle to free with `portcullis_webhook_signer_free`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_webhook_signer_new(
    scheme: *const u8,
    scheme_len: usize,
    secret: *const u8,
    secret_len: usize,
    out: *mut *mut portcullis_webhook_signer,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let scheme = WebhookScheme::parse(unsafe { text_in(scheme, scheme_len) }?)?;
        let secret = unsafe { text_in(secret, secret_len) }?;
        let inner = WebhookSigner::new(scheme, secret)?;
        out_handle(out, portcullis_webhook_signer { inner });
        Ok(())
    })
}

/// Signs `body` (raw bytes) sent at `timestamp` (Unix seconds, not negative). `message_id`
/// (UTF-8; length 0 for none) is required for Standard Webhooks (`webhook-id`) and optional
/// for GitHub (`X-GitHub-Delivery`).
///
/// On success `*out` receives the headers to send, in order (free with
/// `portcullis_headers_free`). Fails with `INVALID_ARGUMENT` (no or bad message id, negative
/// timestamp), `SIGNATURE_SECRET_INVALID`, `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_webhook_signer_sign(
    signer: *const portcullis_webhook_signer,
    message_id: *const u8,
    message_id_len: usize,
    timestamp: i64,
    body: *const u8,
    body_len: usize,
    out: *mut *mut portcullis_headers,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let signer = unsafe { borrow(signer) }?;
        let message_id = match unsafe { text_in(message_id, message_id_len) }? {
            "" => None,
            id => Some(id),
        };
        let body = unsafe { bytes_in(body, body_len) }?;
        out_headers(out, &signer.sign(message_id, timestamp, body)?);
        Ok(())
    })
}

/// Frees a signer, wiping its secret. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_webhook_signer_free(signer: *mut portcullis_webhook_signer) {
    unsafe { free_box(signer) }
}
