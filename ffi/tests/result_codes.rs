//! `src/result_codes.rs` (the `PORTCULLIS_RESULT_*` constants) is generated from the core's
//! registry: cbindgen copies only literal constants into the header, so the numbers cannot be
//! read from `ErrorCode` at build time and are written out here instead. This test fails when
//! the committed file is stale; `UPDATE_RESULT_CODES=1 cargo test -p portcullis-ffi --test
//! result_codes` rewrites it (then `UPDATE_HEADER=1 ... --test header` updates the header).

use std::fmt::Write;
use std::path::PathBuf;

use portcullis::ErrorCode;

fn render() -> String {
    let mut out = String::from(
        "//! GENERATED from `portcullis::ErrorCode::ALL` by `ffi/tests/result_codes.rs`; do not edit.\n\
         //! Regenerate: UPDATE_RESULT_CODES=1 cargo test -p portcullis-ffi --test result_codes\n\
         //!\n\
         //! One `PORTCULLIS_RESULT_<NAME>` per core error code, its number and its registry doc.\n\
         \n\
         use crate::result::portcullis_result;\n",
    );
    for code in ErrorCode::ALL {
        out.push('\n');
        for line in code.doc().lines() {
            if line.is_empty() {
                out.push_str("///\n");
            } else {
                // Writing to a String cannot fail.
                let _ = writeln!(out, "/// {line}");
            }
        }
        let _ = writeln!(
            out,
            "pub const PORTCULLIS_RESULT_{}: portcullis_result = {};",
            code.name().to_ascii_uppercase(),
            code.number()
        );
    }
    out
}

#[test]
fn result_codes_are_generated_from_the_registry() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/result_codes.rs");
    let want = render();
    if std::env::var_os("UPDATE_RESULT_CODES").is_some_and(|v| v == "1") {
        std::fs::write(&path, &want).expect("write src/result_codes.rs");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run `UPDATE_RESULT_CODES=1 cargo test -p portcullis-ffi --test \
         result_codes`, then `UPDATE_HEADER=1 cargo test -p portcullis-ffi --test header`, and \
         commit both",
        path.display()
    );
}
