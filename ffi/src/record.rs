//! `portcullis_apikey_record` (what a service stores for a key) and `portcullis_issued_apikey`
//! (a freshly minted key with its record).

use portcullis::apikey::{ApiKeyRecord, IssuedApiKey};

use crate::boundary::{free_box, guard, out_buf, out_handle, out_ptr, text_in};
use crate::result::portcullis_result;
use crate::shell::{borrow, castable};

/// The storage record of one API key: key id, digest, prefix, environment, subject, scopes,
/// times, successor, metadata. Never the key itself. Free with `portcullis_apikey_record_free`.
pub struct portcullis_apikey_record {
    pub(crate) inner: ApiKeyRecord,
}

/// A key as issued by `portcullis_apikey_ring_generate` or `_rotate`: the key (show it to its
/// owner once) and the record to store. The key is wiped from memory when the handle is freed
/// with `portcullis_issued_apikey_free`.
pub struct portcullis_issued_apikey {
    pub(crate) inner: IssuedApiKey,
}

castable!(portcullis_apikey_record => ApiKeyRecord, portcullis_issued_apikey => IssuedApiKey);

/// Parses a record from its JSON form (UTF-8). Fails with `JSON_INVALID` (bad JSON, unknown or
/// missing field, bad digest) or `APIKEY_RECORD_INVALID` (a field out of its allowed shape).
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_record_from_json(
    json: *const u8,
    json_len: usize,
    out: *mut *mut portcullis_apikey_record,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let json = unsafe { text_in(json, json_len) }?;
        let inner = ApiKeyRecord::from_json(json)?;
        out_handle(out, portcullis_apikey_record { inner });
        Ok(())
    })
}

/// The record as JSON (what to store), UTF-8.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_record_to_json(
    record: *const portcullis_apikey_record,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        out.put(unsafe { borrow(record) }?.to_json().as_bytes())
    })
}

/// The record's public key id (`ak_...`): safe to log and show.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_record_key_id(
    record: *const portcullis_apikey_record,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        out.put(unsafe { borrow(record) }?.key_id.as_bytes())
    })
}

/// Frees a record. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_apikey_record_free(record: *mut portcullis_apikey_record) {
    unsafe { free_box(record) }
}

/// The API key itself (ASCII). Hand it to its owner once; store only the record.
#[no_mangle]
pub unsafe extern "C" fn portcullis_issued_apikey_key(
    issued: *const portcullis_issued_apikey,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        out.put(unsafe { borrow(issued) }?.key.expose().as_bytes())
    })
}

/// A copy of the issued key's record, as a new handle in `*out` (free it with
/// `portcullis_apikey_record_free`; it outlives `issued`).
#[no_mangle]
pub unsafe extern "C" fn portcullis_issued_apikey_record(
    issued: *const portcullis_issued_apikey,
    out: *mut *mut portcullis_apikey_record,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_ptr(out) }?;
        let inner = unsafe { borrow(issued) }?.record.clone();
        out_handle(out, portcullis_apikey_record { inner });
        Ok(())
    })
}

/// Frees an issued key, wiping the key from memory. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_issued_apikey_free(issued: *mut portcullis_issued_apikey) {
    unsafe { free_box(issued) }
}
