//! The C boundary: the panic guard every exported body runs in, and the conversions of
//! pointer arguments (inputs, handles, out-pointers, caller buffers) into safe Rust values.
//!
//! Every helper turns a bad pointer into an `Error` with a named code; nothing here panics on
//! caller input.

use std::panic::{catch_unwind, AssertUnwindSafe};

use portcullis::{Denial, Error, ErrorCode};

use crate::decision::portcullis_denial;
use crate::result::{portcullis_result, PORTCULLIS_OK};

/// Runs `body` behind a panic boundary: `Ok` becomes `PORTCULLIS_OK`, an error its code, a
/// panic `PORTCULLIS_RESULT_PANIC`. Nothing unwinds into C.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Error>) -> portcullis_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => PORTCULLIS_OK,
        Ok(Err(error)) => error.code().number(),
        Err(_) => ErrorCode::Panic.number(),
    }
}

/// Runs `body` behind a panic boundary for functions that return a plain value; a panic
/// returns `fallback`.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Runs a call whose failure output is a denial: `Ok` becomes `PORTCULLIS_OK`; on any failure
/// (a refused request, a usage error, a panic) the result is the failure's code and, when
/// `out_denial` is not NULL, `*out_denial` receives a new denial handle carrying it.
///
/// # Safety
/// `out_denial` is NULL or valid for writing one pointer.
pub(crate) unsafe fn guard_denial(
    out_denial: *mut *mut portcullis_denial,
    body: impl FnOnce() -> Result<(), Denial>,
) -> portcullis_result {
    let denial = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return PORTCULLIS_OK,
        Ok(Err(denial)) => denial,
        Err(_) => Denial::new(ErrorCode::Panic, "panic caught at the C boundary"),
    };
    let code = denial.code().number();
    if !out_denial.is_null() {
        let handle = Box::into_raw(Box::new(portcullis_denial::new(denial)));
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { out_denial.write(handle) };
    }
    code
}

/// A JSON configuration or options input `(ptr, len)`: length 0 means every default, anything
/// else is read by `parse` (the core's `from_json`).
///
/// # Safety
/// As [`text_in`].
pub(crate) unsafe fn json_or_default<T: Default>(
    ptr: *const u8,
    len: usize,
    parse: impl FnOnce(&str) -> Result<T, Error>,
) -> Result<T, Error> {
    match unsafe { text_in(ptr, len) }? {
        "" => Ok(T::default()),
        json => parse(json),
    }
}

pub(crate) fn null(what: &'static str) -> Error {
    Error::new(ErrorCode::NullPointer, what)
}

/// Borrows the input `(ptr, len)`; `ptr` may be NULL only when `len` is 0.
///
/// # Safety
/// When non-NULL, `ptr` points to `len` readable bytes that outlive the call.
pub(crate) unsafe fn bytes_in<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(null("input pointer is NULL with a non-zero length"));
    }
    if len > isize::MAX as usize {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "input length too large",
        ));
    }
    // SAFETY: non-NULL, length bounded; the caller guarantees `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrows the input `(ptr, len)` as UTF-8 text.
///
/// # Safety
/// As [`bytes_in`].
pub(crate) unsafe fn text_in<'a>(ptr: *const u8, len: usize) -> Result<&'a str, Error> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { bytes_in(ptr, len) }?;
    std::str::from_utf8(bytes)
        .map_err(|_| Error::new(ErrorCode::InvalidUtf8, "text input is not valid UTF-8"))
}

/// Borrows a handle; NULL is `PORTCULLIS_RESULT_NULL_POINTER`.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` made by this library.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T) -> Result<&'a T, Error> {
    // SAFETY: the caller guarantees a live handle when non-NULL.
    unsafe { ptr.as_ref() }.ok_or_else(|| null("handle is NULL"))
}

/// Checks a required out-pointer before any work, so outputs are written only on success.
///
/// # Safety
/// `ptr` is NULL or valid for writing one `T`.
pub(crate) unsafe fn out_ptr<'a, T>(ptr: *mut T) -> Result<OutPtr<'a, T>, Error> {
    if ptr.is_null() {
        return Err(null("output pointer is NULL"));
    }
    Ok(OutPtr {
        ptr,
        _life: std::marker::PhantomData,
    })
}

/// A checked, writable out-pointer (possibly pointing at uninitialised memory).
pub(crate) struct OutPtr<'a, T> {
    ptr: *mut T,
    _life: std::marker::PhantomData<&'a mut T>,
}

impl<T> OutPtr<'_, T> {
    pub(crate) fn write(self, value: T) {
        // SAFETY: non-NULL and writable per `out_ptr`'s contract; `write` does not read or drop
        // the old (possibly uninitialised) value.
        unsafe { self.ptr.write(value) }
    }
}

/// Writes a new boxed handle to `*out`.
pub(crate) fn out_handle<T>(out: OutPtr<'_, *mut T>, value: T) {
    out.write(Box::into_raw(Box::new(value)));
}

/// Frees a boxed handle; NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or a handle from `Box::into_raw` not freed before.
pub(crate) unsafe fn free_box<T>(ptr: *mut T) {
    guard_value((), || {
        if !ptr.is_null() {
            // SAFETY: the caller guarantees a live, unfreed box from this library.
            drop(unsafe { Box::from_raw(ptr) });
        }
    })
}

/// A caller's output buffer: `(buf, cap, out_len)`.
pub(crate) struct OutBuf<'a> {
    buf: *mut u8,
    cap: usize,
    out_len: OutPtr<'a, usize>,
}

/// Checks the output buffer arguments before any work. `buf` may be NULL only when `cap` is 0
/// (a size query); `out_len` is required.
///
/// # Safety
/// When non-NULL, `buf` is valid for writing `cap` bytes; `out_len` is NULL or writable.
pub(crate) unsafe fn out_buf<'a>(
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> Result<OutBuf<'a>, Error> {
    // SAFETY: forwarded contract.
    let out_len = unsafe { out_ptr(out_len) }?;
    if buf.is_null() && cap != 0 {
        return Err(null("output buffer is NULL with a non-zero capacity"));
    }
    Ok(OutBuf { buf, cap, out_len })
}

impl OutBuf<'_> {
    /// Reports the length of `bytes` in `*out_len`; copies them (and a trailing NUL when there
    /// is room) when they fit, else fails with `BUFFER_TOO_SMALL` and leaves `buf` untouched.
    pub(crate) fn put(self, bytes: &[u8]) -> Result<(), Error> {
        let len = bytes.len();
        self.out_len.write(len);
        if self.cap < len {
            return Err(Error::new(
                ErrorCode::BufferTooSmall,
                "output buffer too small; the needed length was written to out_len",
            ));
        }
        if len > 0 {
            // SAFETY: `buf` is non-NULL here (cap >= len > 0) and writable for `cap` bytes.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.buf, len) };
        }
        if self.cap > len {
            // SAFETY: index `len` < `cap`, so inside the caller's buffer.
            unsafe { self.buf.add(len).write(0) };
        }
        Ok(())
    }
}

/// Splits a space-separated scope list (any ASCII whitespace; empty items are skipped).
pub(crate) fn scopes(text: &str) -> Vec<&str> {
    text.split_ascii_whitespace().collect()
}

/// Writes a new reference-counted handle to `*out` (one reference, owned by the caller).
pub(crate) fn out_shared<T>(out: OutPtr<'_, *mut T>, value: T) {
    out_arc(out, std::sync::Arc::new(value));
}

/// Writes an existing `Arc` to `*out` as a reference-counted handle (the caller owns the
/// reference `arc` was); the library may keep `Weak` references to it.
pub(crate) fn out_arc<T>(out: OutPtr<'_, *mut T>, arc: std::sync::Arc<T>) {
    out.write(std::sync::Arc::into_raw(arc).cast_mut());
}

/// Takes one more reference to a shared handle and returns it; NULL gives NULL.
///
/// # Safety
/// `ptr` is NULL or a live handle from [`out_shared`].
pub(crate) unsafe fn retain_shared<T>(ptr: *const T) -> *mut T {
    guard_value(std::ptr::null_mut(), || {
        if !ptr.is_null() {
            // SAFETY: a live `Arc` handle per the caller's contract.
            unsafe { std::sync::Arc::increment_strong_count(ptr) };
        }
        ptr.cast_mut()
    })
}

/// Drops one reference to a shared handle; the last one frees it. NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or a live handle from [`out_shared`] whose reference the caller owns.
pub(crate) unsafe fn release_shared<T>(ptr: *const T) {
    guard_value((), || {
        if !ptr.is_null() {
            // SAFETY: the caller gives up one reference it owns.
            unsafe { std::sync::Arc::decrement_strong_count(ptr) };
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_a_result_code() {
        assert_eq!(guard(|| panic!("boom")), ErrorCode::Panic.number());
        assert_eq!(guard_value(7u32, || panic!("boom")), 7);
        let mut denial: *mut portcullis_denial = std::ptr::null_mut();
        let rc = unsafe { guard_denial(&mut denial, || panic!("boom")) };
        assert_eq!(rc, ErrorCode::Panic.number());
        assert!(!denial.is_null());
        assert_eq!(unsafe { &*denial }.code(), ErrorCode::Panic);
        unsafe { free_box(denial) };
    }

    #[test]
    fn buffer_convention() {
        let mut len = 0usize;
        let mut buf = [b'Z'; 4];
        let put = |buf: *mut u8, cap: usize, len: &mut usize| {
            guard(|| unsafe { out_buf(buf, cap, len) }?.put(b"abc"))
        };
        assert_eq!(
            put(std::ptr::null_mut(), 0, &mut len),
            ErrorCode::BufferTooSmall.number()
        );
        assert_eq!(len, 3);
        assert_eq!(
            put(buf.as_mut_ptr(), 2, &mut len),
            ErrorCode::BufferTooSmall.number()
        );
        assert_eq!(buf, [b'Z'; 4]);
        assert_eq!(put(buf.as_mut_ptr(), 3, &mut len), PORTCULLIS_OK);
        assert_eq!(buf, *b"abcZ");
        assert_eq!(put(buf.as_mut_ptr(), 4, &mut len), PORTCULLIS_OK);
        assert_eq!(buf, *b"abc\0");
        assert_eq!(
            put(std::ptr::null_mut(), 4, &mut len),
            ErrorCode::NullPointer.number()
        );
        let code =
            guard(|| unsafe { out_buf(buf.as_mut_ptr(), 4, std::ptr::null_mut()) }.map(|_| ()));
        assert_eq!(code, ErrorCode::NullPointer.number());
    }

    #[test]
    fn inputs() {
        assert_eq!(unsafe { bytes_in(std::ptr::null(), 0) }.unwrap(), b"");
        let e = unsafe { bytes_in(std::ptr::null(), 3) }.unwrap_err();
        assert_eq!(e.code(), ErrorCode::NullPointer);
        let bad = [0xffu8, 0xfe];
        let e = unsafe { text_in(bad.as_ptr(), bad.len()) }.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidUtf8);
        assert_eq!(scopes("  a\tb  c "), vec!["a", "b", "c"]);
    }
}
