//! Result codes: `portcullis_result`, `PORTCULLIS_OK`, and the names and messages of every
//! code as static C strings.
//!
//! The `PORTCULLIS_RESULT_<NAME>` constants are in `result_codes.rs`, generated from the core's
//! `ErrorCode::ALL` by `tests/result_codes.rs` (cbindgen copies only literals into the header);
//! `tests/header.rs` checks the header lists exactly the core's codes.

use std::collections::HashMap;
use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use portcullis::ErrorCode;

use crate::boundary::guard_value;

/// The outcome of a fallible call: `PORTCULLIS_OK` (0) or the number of a portcullis error
/// code (`PORTCULLIS_RESULT_*`). Numbers are never reused; new ones may appear within a major
/// version, so treat any unknown non-zero value as a failure.
pub type portcullis_result = u32;

/// Success.
pub const PORTCULLIS_OK: portcullis_result = 0;

struct Texts {
    by_number: HashMap<u32, (CString, CString)>,
}

fn texts() -> &'static Texts {
    static TEXTS: OnceLock<Texts> = OnceLock::new();
    TEXTS.get_or_init(|| Texts {
        by_number: ErrorCode::ALL
            .iter()
            .filter_map(|&code| {
                let name = CString::new(code.name()).ok()?;
                let message = CString::new(code.public_message()).ok()?;
                Some((code.number(), (name, message)))
            })
            .collect(),
    })
}

const OK_NAME: &CStr = c"ok";
const OK_MESSAGE: &CStr = c"Success.";
const UNKNOWN_NAME: &CStr = c"unknown";
const UNKNOWN_MESSAGE: &CStr = c"Unknown result code.";

/// The stable snake_case name of a result: `"ok"` for `PORTCULLIS_OK`, the error code's name
/// (`"apikey_expired"`, ...) or `"unknown"` for a number this library does not know.
///
/// Returns a static NUL-terminated string; never NULL, never to be freed.
#[no_mangle]
pub extern "C" fn portcullis_result_name(result: portcullis_result) -> *const c_char {
    guard_value(UNKNOWN_NAME.as_ptr(), || match result {
        PORTCULLIS_OK => OK_NAME.as_ptr(),
        n => texts()
            .by_number
            .get(&n)
            .map_or(UNKNOWN_NAME.as_ptr(), |(name, _)| name.as_ptr()),
    })
}

/// A message safe to show to a client for a result (`"The API key has expired."`, ...);
/// `"Success."` for `PORTCULLIS_OK` and `"Unknown result code."` for an unknown number.
///
/// Returns a static NUL-terminated string; never NULL, never to be freed.
#[no_mangle]
pub extern "C" fn portcullis_result_message(result: portcullis_result) -> *const c_char {
    guard_value(UNKNOWN_MESSAGE.as_ptr(), || match result {
        PORTCULLIS_OK => OK_MESSAGE.as_ptr(),
        n => texts()
            .by_number
            .get(&n)
            .map_or(UNKNOWN_MESSAGE.as_ptr(), |(_, message)| message.as_ptr()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_messages() {
        let s = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned();
        assert_eq!(s(portcullis_result_name(PORTCULLIS_OK)), "ok");
        assert_eq!(s(portcullis_result_name(205)), "apikey_expired");
        assert_eq!(s(portcullis_result_name(4_000_000)), "unknown");
        assert_eq!(
            s(portcullis_result_message(205)),
            "The API key has expired."
        );
        assert_eq!(
            s(portcullis_result_message(4_000_000)),
            "Unknown result code."
        );
        for code in ErrorCode::ALL {
            assert_eq!(s(portcullis_result_name(code.number())), code.name());
        }
    }
}
