//! `portcullis_headers`: a list of header fields a signer returns (name, value), in order.

use portcullis::{Error, ErrorCode};

use crate::boundary::{free_box, guard, guard_value, handle, out_buf, out_handle, OutPtr};
use crate::result::portcullis_result;

/// Header fields to add to a message, in order, as (name, value) pairs of text: what
/// `portcullis_webhook_signer_sign`, `portcullis_hmac_sign_request` and the RFC 9421 signers
/// return. Read with `portcullis_headers_len`, `_name` and `_value`; free with
/// `portcullis_headers_free`.
pub struct portcullis_headers {
    pairs: Vec<(String, String)>,
}

/// Writes a new headers handle holding copies of `pairs` (the core's names and values) to
/// `*out`.
pub(crate) fn out_headers<N: AsRef<str>, V: AsRef<str>>(
    out: OutPtr<'_, *mut portcullis_headers>,
    pairs: &[(N, V)],
) {
    let pairs = pairs
        .iter()
        .map(|(n, v)| (n.as_ref().to_owned(), v.as_ref().to_owned()))
        .collect();
    out_handle(out, portcullis_headers { pairs });
}

/// Writes one field of the pair at `index`; an index past the end is `INVALID_ARGUMENT`.
unsafe fn field(
    h: *const portcullis_headers,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    pick: impl FnOnce(&(String, String)) -> &str,
) -> portcullis_result {
    guard(|| {
        let out = unsafe { out_buf(buf, cap, out_len) }?;
        let headers = unsafe { handle(h) }?;
        let pair = headers.pairs.get(index).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                "header index is past the end of the list",
            )
        })?;
        out.put(pick(pair).as_bytes())
    })
}

/// Number of header fields; 0 when `h` is NULL.
#[no_mangle]
pub unsafe extern "C" fn portcullis_headers_len(h: *const portcullis_headers) -> usize {
    guard_value(0, || unsafe { handle(h) }.map_or(0, |h| h.pairs.len()))
}

/// The name of the field at `index` (0-based), as the signer spells it (`webhook-id`,
/// `Authorization`, `Signature-Input`, ...). `INVALID_ARGUMENT` when `index` is not below
/// `portcullis_headers_len`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_headers_name(
    h: *const portcullis_headers,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { field(h, index, buf, cap, out_len, |(name, _)| name) }
}

/// The value of the field at `index` (0-based). `INVALID_ARGUMENT` when `index` is not below
/// `portcullis_headers_len`.
#[no_mangle]
pub unsafe extern "C" fn portcullis_headers_value(
    h: *const portcullis_headers,
    index: usize,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> portcullis_result {
    unsafe { field(h, index, buf, cap, out_len, |(_, value)| value) }
}

/// Frees a header list. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn portcullis_headers_free(h: *mut portcullis_headers) {
    unsafe { free_box(h) }
}
