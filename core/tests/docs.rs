//! docs/ERRORS.md is generated from the registry; this test fails when it is stale.
//! `UPDATE_DOCS=1 cargo test -p portcullis --test docs` rewrites it.

use portcullis::ErrorCode;

fn render() -> String {
    let mut out = String::from(
        "# Error registry\n\n\
         Generated from `core/src/error.rs` by `UPDATE_DOCS=1 cargo test -p portcullis --test docs`;\n\
         `make test` fails when this file is stale. Numbers and names never change and are never\n\
         reused. The C ABI returns the number (`PORTCULLIS_RESULT_<NAME>`, 0 is `PORTCULLIS_OK`);\n\
         Python raises `portcullis.AuthError` subclasses and Node throws `Error`s whose `code` is the\n\
         name. The message is safe to show to clients; the detail that comes with each error is for\n\
         logs.\n\n\
         | number | name | family | HTTP | public message |\n\
         | ---: | --- | --- | ---: | --- |\n",
    );
    for code in ErrorCode::ALL {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            code.number(),
            code.name(),
            code.category().name(),
            code.http_status(),
            code.public_message()
        ));
    }
    out
}

#[test]
fn errors_md_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ERRORS.md");
    let want = render();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/ERRORS.md is stale: run UPDATE_DOCS=1 cargo test -p portcullis --test docs"
    );
}
