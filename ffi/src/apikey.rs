//! `portcullis_apikey_ring`: API key generation, rotation, revocation and verification.

use std::sync::Arc;

use portcullis::apikey::{ApiKeyConfig, ApiKeyOptions, ApiKeyRing};
use portcullis::{Error, ErrorCode};

use crate::boundary::{
    bytes_in, guard, guard_denial, guard_value, json_or_default, out_buf, out_handle, out_ptr,
    release_shared, retain_shared, scopes, text_in,
};
use crate::decision::{portcullis_denial, portcullis_principal};
use crate::record::{portcullis_apikey_record, portcullis_issued_apikey};
use crate::request::portcullis_request;
use crate::result::portcullis_result;
use crate::shell::{borrow, castable, new_shared, verify_request};

/// A keyring: API key records and the rules to check keys against them (prefix, environment,
/// where keys are read, realm). Reference-counted and thread-safe: verify from any number of
/// threads while others insert, revoke or remove records. `portcullis_apikey_ring_retain`
/// takes a reference, `portcullis_apikey_ring_free` drops one.
pub struct portcullis_apikey_ring {
    // An `Arc` so that a gate's ring can be handed out as this handle, sharing its records.
    inner: Arc<ApiKeyRing>,
}

impl portcullis_apikey_ring {
    /// A handle over a ring someone else (a gate) also holds.
    pub(crate) fn shared(inner: Arc<ApiKeyRing>) -> Self {
        portcullis_apikey_ring { inner }
    }
}

castable!(portcullis_apikey_ring => ApiKeyRing);

/// Creates a keyring. `pepper` is at least 32 secret bytes kept outside the database; it keys
/// the digests. `config_json` is the `ApiKeyConfig` JSON (`prefix`, `environment`, `bearer`,
/// `header`, `query`, `realm`; missing fields take their defaults; length 0 for all defaults).
///
/// On success `*out` receives a handle holding one reference. Fails with `CONFIG_INVALID`
/// (short pepper, bad prefix, ...), `JSON_INVALID`, `INVALID_UTF8`, `NULL_POINTER`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_new(
    pepper: *const u8,
    pepper_len: usize,
    config_json: *const u8,
    config_json_len: usize,
    out: *mut *mut portcullis_apikey_ring,
) -> portcullis_result {
    unsafe {
        new_shared(out, || {
            let pepper = bytes_in(pepper, pepper_len)?;
            let config = json_or_default(config_json, config_json_len, ApiKeyConfig::from_json)?;
            let inner = Arc::new(ApiKeyRing::new(pepper, config)?);
            Ok(portcullis_apikey_ring { inner })
        })
    }
}

/// Takes one more reference to `ring` and returns it (NULL gives NULL). Each reference is
/// dropped with `portcullis_apikey_ring_free`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_retain(
    ring: *const portcullis_apikey_ring,
) -> *mut portcullis_apikey_ring {
    unsafe { retain_shared(ring) }
}

/// Drops one reference to `ring`; the last one frees it and wipes the pepper. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_free(ring: *mut portcullis_apikey_ring) {
    unsafe { release_shared(ring) }
}

/// Adds a copy of `record`, replacing any record with the same key id. Fails with
/// `APIKEY_RECORD_INVALID` when the record is malformed or carries another prefix.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_insert(
    ring: *const portcullis_apikey_ring,
    record: *const portcullis_apikey_record,
) -> portcullis_result {
    guard(|| {
        let ring = unsafe { borrow(ring) }?;
        ring.insert(unsafe { borrow(record) }?.clone())
    })
}

/// Removes the record with this key id (UTF-8). `removed` may be NULL; otherwise it receives
/// whether a record was there.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_remove(
    ring: *const portcullis_apikey_ring,
    key_id: *const u8,
    key_id_len: usize,
    removed: *mut bool,
) -> portcullis_result {
    guard(|| {
        let ring = unsafe { borrow(ring) }?;
        let key_id = unsafe { text_in(key_id, key_id_len) }?;
        let was_there = ring.remove(key_id);
        if let Ok(out) = unsafe { out_ptr(removed) } {
            out.write(was_there);
        }
        Ok(())
    })
}

/// Marks the record with this key id revoked from `at` (Unix seconds). `out_updated` may be
/// NULL; otherwise it receives the updated record (a new handle) for the caller to persist.
/// Fails with `APIKEY_UNKNOWN` when no record has this key id.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_revoke(
    ring: *const portcullis_apikey_ring,
    key_id: *const u8,
    key_id_len: usize,
    at: i64,
    out_updated: *mut *mut portcullis_apikey_record,
) -> portcullis_result {
    guard(|| {
        let ring = unsafe { borrow(ring) }?;
        let key_id = unsafe { text_in(key_id, key_id_len) }?;
        let inner = ring.revoke(key_id, Some(at))?;
        if let Ok(out) = unsafe { out_ptr(out_updated) } {
            out_handle(out, portcullis_apikey_record { inner });
        }
        Ok(())
    })
}

/// A copy of the record with this key id, as a new handle in `*out`. Fails with
/// `APIKEY_UNKNOWN` when absent.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_get(
    ring: *const portcullis_apikey_ring,
    key_id: *const u8,
    key_id_len: usize,
    out: *mut *mut portcullis_apikey_record,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let ring = unsafe { borrow(ring) }?;
        let key_id = unsafe { text_in(key_id, key_id_len) }?;
        let inner = ring
            .get(key_id)
            .ok_or_else(|| Error::new(ErrorCode::ApiKeyUnknown, "no record with this key id"))?;
        out_handle(out, portcullis_apikey_record { inner });
        Ok(())
    })
}

/// Number of records in the ring; 0 when `ring` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_len(ring: *const portcullis_apikey_ring) -> usize {
    guard_value(0, || unsafe { borrow(ring) }.map_or(0, ApiKeyRing::len))
}

/// Mints a key. `options_json` is the `ApiKeyOptions` JSON (`environment`, `subject`,
/// `scopes`, `expires_at`, `metadata`, `now`; length 0 for all defaults). The record is NOT
/// added to the ring: call `portcullis_apikey_ring_insert` for that.
///
/// On success `*out` receives the issued key (free it with `portcullis_issued_apikey_free`).
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_generate(
    ring: *const portcullis_apikey_ring,
    options_json: *const u8,
    options_json_len: usize,
    out: *mut *mut portcullis_issued_apikey,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let ring = unsafe { borrow(ring) }?;
        let options =
            unsafe { json_or_default(options_json, options_json_len, ApiKeyOptions::from_json) }?;
        let inner = ring.generate(&options)?;
        out_handle(out, portcullis_issued_apikey { inner });
        Ok(())
    })
}

/// Replaces the key of `record` with a new one inheriting its subject, scopes, environment,
/// metadata and lifetime. `*out_new` receives the new key; `*out_previous` the old record
/// updated (successor set, expiring `overlap_seconds` after `now`). Store both and insert both
/// into any ring that holds them. Fails with `INVALID_ARGUMENT` (negative overlap),
/// `APIKEY_REVOKED`, `APIKEY_ROTATED` (already rotated).
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_rotate(
    ring: *const portcullis_apikey_ring,
    record: *const portcullis_apikey_record,
    overlap_seconds: i64,
    now: i64,
    out_new: *mut *mut portcullis_issued_apikey,
    out_previous: *mut *mut portcullis_apikey_record,
) -> portcullis_result {
    guard(|| {
        let out_new = unsafe { out_ptr(out_new) }?;
        let out_previous = unsafe { out_ptr(out_previous) }?;
        let ring = unsafe { borrow(ring) }?;
        let old = unsafe { borrow(record) }?;
        let (issued, previous) = ring.rotate(old, overlap_seconds, Some(now))?;
        out_handle(out_new, portcullis_issued_apikey { inner: issued });
        out_handle(out_previous, portcullis_apikey_record { inner: previous });
        Ok(())
    })
}

/// Verifies the API key in `req` against the ring's records and the required scopes
/// (`scopes`: UTF-8, space-separated; length 0 for none).
///
/// On success `*out_principal` receives the principal. On failure the result is the reason
/// and, when `out_denial` is not NULL, `*out_denial` receives the denial (code, HTTP status,
/// messages, `WWW-Authenticate` challenge): the denial is the failure's output.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_verify(
    ring: *const portcullis_apikey_ring,
    req: *const portcullis_request,
    scopes_text: *const u8,
    scopes_len: usize,
    out_principal: *mut *mut portcullis_principal,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        verify_request(ring, req, out_principal, out_denial, |ring, request| {
            ring.verify(request, &scopes(text_in(scopes_text, scopes_len)?))
        })
    }
}

/// Verifies the API key in `req` against `record`, fetched by the caller from its own database
/// (see `portcullis_apikey_ring_lookup_digest`). Outputs as `portcullis_apikey_ring_verify`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_verify_record(
    ring: *const portcullis_apikey_ring,
    req: *const portcullis_request,
    record: *const portcullis_apikey_record,
    scopes_text: *const u8,
    scopes_len: usize,
    out_principal: *mut *mut portcullis_principal,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        verify_request(ring, req, out_principal, out_denial, |ring, request| {
            let record = borrow(record)?;
            ring.verify_record(request, record, &scopes(text_in(scopes_text, scopes_len)?))
        })
    }
}

/// Checks a key's shape, prefix, checksum and environment offline (no lookup). Returns
/// `PORTCULLIS_OK` or the reason (`APIKEY_MALFORMED`, `APIKEY_CHECKSUM_MISMATCH`,
/// `APIKEY_PREFIX_MISMATCH`, `APIKEY_ENVIRONMENT_MISMATCH`, `INVALID_UTF8`, ...).
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_check_format(
    ring: *const portcullis_apikey_ring,
    key: *const u8,
    key_len: usize,
) -> portcullis_result {
    guard(|| {
        let ring = unsafe { borrow(ring) }?;
        let key = unsafe { text_in(key, key_len) }?;
        ring.check_format(key).map(|_| ())
    })
}

/// The lower-case hex digest of the key in `req`, after the offline checks: the value to look
/// the record up by in the caller's own database before `portcullis_apikey_ring_verify_record`.
/// Written to the caller buffer; on failure `*out_denial` (when not NULL) receives the denial.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_lookup_digest(
    ring: *const portcullis_apikey_ring,
    req: *const portcullis_request,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    out_denial: *mut *mut portcullis_denial,
) -> portcullis_result {
    unsafe {
        guard_denial(out_denial, || {
            let out = out_buf(buf, cap, out_len)?;
            let ring = borrow(ring)?;
            let request = borrow(req)?;
            let digest = ring.lookup_digest(request)?;
            Ok(out.put(digest.as_bytes())?)
        })
    }
}

/// The regular expression secret scanners use to find this ring's keys.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_ring_scanner_regex(
    ring: *const portcullis_apikey_ring,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        out.put(unsafe { borrow(ring) }?.scanner_regex().as_bytes())
    })
}
