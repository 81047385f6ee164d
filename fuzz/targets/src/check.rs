//! The invariants every target asserts on what the library returns: a refusal is one of the
//! registry's named codes with a non-empty detail, never `panic` or `internal`, and quotes no
//! secret the target configured.

use portcullis::{Denial, Error, ErrorCode};

/// True when `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// The secrets a target configured that the fuzz input does not itself carry: an error may
/// echo the input, so a secret found there proves nothing.
pub fn unseen<'s>(secrets: &[&'s [u8]], input: &[u8]) -> Vec<&'s [u8]> {
    secrets
        .iter()
        .copied()
        .filter(|s| !contains(input, s))
        .collect()
}

/// `code` is a registered code: its name and number map back to it.
pub fn named(code: ErrorCode) {
    assert_eq!(ErrorCode::from_name(code.name()), Some(code), "{code:?}");
    assert_eq!(
        ErrorCode::from_number(code.number()),
        Some(code),
        "{code:?}"
    );
    assert!(
        !matches!(code, ErrorCode::Panic | ErrorCode::Internal),
        "a parser or verifier answered {code}: an internal failure on outside input"
    );
}

/// A secret an error's own wording could hold by chance: short, or plain lower-case words
/// (`password`).
fn wording(secret: &[u8]) -> bool {
    secret.len() < 8 || secret.iter().all(|b| b.is_ascii_lowercase() || *b == b' ')
}

/// `text` holds none of `secrets` (those that could be wording are not tested).
pub fn no_secret(text: &str, secrets: &[&[u8]], what: &str) {
    for secret in secrets.iter().filter(|s| !wording(s)) {
        assert!(
            !contains(text.as_bytes(), secret),
            "{what} quotes secret material {:?}: {text}",
            String::from_utf8_lossy(secret)
        );
    }
}

/// `hay` with every `needle` replaced by `with` (of the same length).
fn replace_all(hay: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if !needle.is_empty() && hay[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

/// Secrets the input itself carries (a private JWK member, a stored hash, a key's PEM lines):
/// `detail` (what `detail_of` says of `input`) quotes one only if it follows it. Each secret
/// the detail holds is replaced in the input by a filler of its length: a detail that then
/// holds the filler echoes the secret; one that still holds the secret holds the library's
/// own wording (the fuzzer writes the binary's strings into values too).
pub fn no_input_secret(
    input: &[u8],
    secrets: &[&[u8]],
    detail: &str,
    detail_of: &dyn Fn(&[u8]) -> Option<String>,
) {
    for secret in secrets
        .iter()
        .filter(|s| !wording(s) && contains(detail.as_bytes(), s))
    {
        let filler: Vec<u8> = secret
            .iter()
            .map(|&b| if b == b'Q' { b'R' } else { b'Q' })
            .collect();
        if let Some(again) = detail_of(&replace_all(input, secret, &filler)) {
            assert!(
                !contains(again.as_bytes(), &filler),
                "the detail echoes secret material {:?}: {detail}",
                String::from_utf8_lossy(secret)
            );
        }
    }
}

/// An error: named, explained, and free of `secrets`.
pub fn error(e: &Error, secrets: &[&[u8]]) {
    named(e.code());
    assert!(!e.detail().is_empty(), "{} has an empty detail", e.code());
    assert!(
        !e.message().is_empty(),
        "{} has no public message",
        e.code()
    );
    no_secret(e.detail(), secrets, e.code().name());
}

/// A denial: its error as [`error`], its status the code's, and its challenge free of `secrets`.
pub fn denial(d: &Denial, secrets: &[&[u8]]) {
    error(d.error(), secrets);
    assert_eq!(d.http_status(), d.code().http_status());
    if let Some(challenge) = d.challenge() {
        no_secret(&challenge.header_value(), secrets, "a challenge");
    }
}

/// Two outcomes of the same question answered two ways agree: the same value, or the same code.
pub fn same_outcome<T: PartialEq + std::fmt::Debug>(
    a: &Result<T, Denial>,
    b: &Result<T, Denial>,
    what: &str,
) {
    match (a, b) {
        (Ok(x), Ok(y)) => assert_eq!(x, y, "{what}: both accept, differently"),
        (Err(x), Err(y)) => assert_eq!(x.code(), y.code(), "{what}: {x} but {y}"),
        (x, y) => panic!("{what}: {x:?} but {y:?}"),
    }
}
