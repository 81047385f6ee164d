//! `portcullis_header_field`: header fields handed in as the host's HTTP layer holds them,
//! borrowed (no copy of a name or value), for the entry points that read headers without a
//! built `portcullis_request`.

use portcullis::{Error, ErrorCode, RequestLimits};

use crate::boundary::{bytes_in, null, text_in};

/// One header field as the host's HTTP layer holds it: the name (UTF-8 text, matched
/// case-insensitively) and the raw value, each a pointer and a length, never NUL-terminated.
/// A pointer may be NULL only when its length is 0. The library only reads the field during
/// the call it is passed to and keeps no pointer to it.
#[repr(C)]
pub struct portcullis_header_field {
    /// The field name (`webhook-id`, `Stripe-Signature`, ...): UTF-8, not NUL-terminated.
    pub name: *const u8,
    /// Length of `name` in bytes.
    pub name_len: usize,
    /// The field value: raw bytes as received, not NUL-terminated.
    pub value: *const u8,
    /// Length of `value` in bytes.
    pub value_len: usize,
}

/// Field lists this short are converted on the stack; longer ones take one allocation.
const INLINE_FIELDS: usize = 16;

/// Borrows the array `(fields, count)` of C header fields as the core's `(name, value)`
/// pairs and runs `body` on them.
///
/// `fields` may be NULL only when `count` is 0 (else `NULL_POINTER`). A count above the
/// request header limit (256) is `INPUT_TOO_LARGE` before any field is read. A name that is
/// not UTF-8 is `INVALID_UTF8`; a NULL name or value with a non-zero length is `NULL_POINTER`.
///
/// # Safety
/// When non-NULL, `fields` points to `count` readable fields, each valid as documented on
/// [`portcullis_header_field`], all outliving the call.
pub(crate) unsafe fn with_pairs<R, E: From<Error>>(
    fields: *const portcullis_header_field,
    count: usize,
    body: impl FnOnce(&[(&str, &[u8])]) -> Result<R, E>,
) -> Result<R, E> {
    if count == 0 {
        return body(&[]);
    }
    if fields.is_null() {
        return Err(null("header field array is NULL with a non-zero count").into());
    }
    if count > RequestLimits::default().max_headers {
        return Err(Error::new(ErrorCode::InputTooLarge, "too many header fields").into());
    }
    // SAFETY: non-NULL, count bounded by the header limit; the caller guarantees `count`
    // readable fields.
    let fields = unsafe { std::slice::from_raw_parts(fields, count) };
    let mut inline: [(&str, &[u8]); INLINE_FIELDS] = [("", &[]); INLINE_FIELDS];
    let mut heap: Vec<(&str, &[u8])>;
    let pairs: &mut [(&str, &[u8])] = if count <= INLINE_FIELDS {
        &mut inline[..count]
    } else {
        heap = vec![("", &[][..]); count];
        &mut heap
    };
    for (pair, field) in pairs.iter_mut().zip(fields) {
        // SAFETY: forwarded contract: each field's pointers are valid for their lengths.
        let name = unsafe { text_in(field.name, field.name_len) }?;
        let value = unsafe { bytes_in(field.value, field.value_len) }?;
        *pair = (name, value);
    }
    body(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &[u8], value: &[u8]) -> portcullis_header_field {
        portcullis_header_field {
            name: name.as_ptr(),
            name_len: name.len(),
            value: value.as_ptr(),
            value_len: value.len(),
        }
    }

    fn count(fields: *const portcullis_header_field, n: usize) -> Result<usize, Error> {
        unsafe { with_pairs(fields, n, |pairs| Ok::<_, Error>(pairs.len())) }
    }

    #[test]
    fn borrows_every_field_in_order() {
        for n in [1, INLINE_FIELDS, INLINE_FIELDS + 1, 256] {
            let names: Vec<String> = (0..n).map(|i| format!("x-{i}")).collect();
            let fields: Vec<_> = names.iter().map(|s| field(s.as_bytes(), b"v")).collect();
            let seen = unsafe {
                with_pairs(fields.as_ptr(), n, |pairs| {
                    Ok::<_, Error>(pairs.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>())
                })
            }
            .unwrap();
            assert_eq!(seen, names);
        }
        assert_eq!(count(std::ptr::null(), 0).unwrap(), 0);
    }

    #[test]
    fn refuses_bad_arrays_and_fields() {
        let code = |r: Result<usize, Error>| r.unwrap_err().code();
        assert_eq!(code(count(std::ptr::null(), 1)), ErrorCode::NullPointer);
        let one = [field(b"a", b"b")];
        assert_eq!(code(count(one.as_ptr(), 257)), ErrorCode::InputTooLarge);
        let bad = [field(b"\xff", b"v")];
        assert_eq!(code(count(bad.as_ptr(), 1)), ErrorCode::InvalidUtf8);
        let mut no_value = field(b"a", b"");
        no_value.value = std::ptr::null();
        no_value.value_len = 3;
        assert_eq!(code(count(&no_value, 1)), ErrorCode::NullPointer);
    }
}
