//! The committed header `include/portcullis.h` must be what cbindgen generates from the
//! sources. `UPDATE_HEADER=1 cargo test -p portcullis-ffi --test header` rewrites it.

use std::path::PathBuf;

use portcullis::ErrorCode;

fn generate() -> String {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("read cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("header is UTF-8")
}

fn header_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include/portcullis.h")
}

#[test]
fn header_is_up_to_date() {
    let generated = generate();
    let path = header_path();
    if std::env::var_os("UPDATE_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write the header");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} differs from what cbindgen generates; run \
         `UPDATE_HEADER=1 cargo test -p portcullis-ffi --test header` and commit the result",
        path.display()
    );
}

#[test]
fn header_defines_every_result_code() {
    let header = generate();
    let defines: Vec<&str> = header
        .lines()
        .filter(|l| l.starts_with("#define PORTCULLIS_RESULT_"))
        .collect();
    assert_eq!(
        defines.len(),
        ErrorCode::ALL.len(),
        "one define per ErrorCode"
    );
    for code in ErrorCode::ALL {
        let line = format!(
            "#define PORTCULLIS_RESULT_{} {}",
            code.name().to_ascii_uppercase(),
            code.number()
        );
        assert!(defines.contains(&line.as_str()), "missing `{line}`");
    }
    assert!(header.contains("#define PORTCULLIS_OK 0"));
    assert!(header.contains("typedef uint32_t portcullis_result;"));
    assert!(header.contains("#define PORTCULLIS_VERSION_MAJOR "));
    assert!(header.contains("#ifndef PORTCULLIS_H"));
}
