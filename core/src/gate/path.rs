//! Request-path normalization: the one spelling of a path that routes are matched against.
//!
//! The gate decides on the path it sees; the application behind it routes on the path *it*
//! sees. Any disagreement between the two is an authentication bypass: if the gate matched
//! `/%61dmin` against a public route while the application decoded it to `/admin`, the admin
//! pages would be public. So [`normalize_path`] gives every accepted path one spelling and
//! refuses each form that HTTP stacks are known to read in different ways, instead of guessing
//! which reading the application makes.
//!
//! # Normalization of the request target
//!
//! [`normalize_path`] reads `Request::target()`. Every refusal is an [`Error`] with
//! [`ErrorCode::RequestInvalid`]; its detail names the problem and quotes at most the offending
//! escape or character, never the query.
//!
//! 1. **Characters.** The target is non-empty visible ASCII: a space, a control character or a
//!    non-ASCII character is refused (`Request` already guarantees this; it is checked again
//!    because this function is public).
//! 2. **Query and fragment.** A fragment (`#`) anywhere, the query included, is refused: clients
//!    never send one, and parsers disagree on where it starts. The query (from the first `?`) is
//!    cut off and ignored.
//! 3. **Target forms.**
//!    - Origin-form `/path` is the path.
//!    - Absolute-form `scheme://authority/path` gives its path; an empty path is `/`
//!      (`https://h` and `https://h?q` are `/`). The scheme is `http` or `https`, in any case;
//!      any other scheme is refused. The authority must be non-empty (`http:///admin` is host
//!      `admin` to a WHATWG URL parser) and hold only the characters of a host and port
//!      (ALPHA, DIGIT, `-` `.` `_` `~`, the sub-delims `!$&'()*+,;=`, `:`, `[`, `]`): userinfo
//!      (`@`) is refused (RFC 9110 4.2.4), and so are `%` and every other character.
//!    - Asterisk-form is exactly `*` and gives the path `*`, which only the pattern `*` matches
//!      (`*?x` is refused).
//!    - Any other target (one not starting with `/`) is refused.
//! 4. **Percent-encoding.** Every `%` is followed by two hex digits, or the target is refused
//!    (`%G1`, `%4`). An escape of an unreserved character (ALPHA, DIGIT, `-` `.` `_` `~`,
//!    RFC 3986 2.3) is decoded, so `/%61dmin` is `/admin`. Every other escape is kept, with
//!    upper-case hex digits (`%2f` and `%2F` are one spelling; `%3A` stays distinct from `:`,
//!    RFC 3986 6.2.2.2). Refused: an encoded slash `%2F` or backslash `%5C` (applications split
//!    segments before or after decoding, and disagree), and an encoded control character
//!    (`%00`-`%1F`, `%7F`).
//! 5. **Raw characters.** A path holds, unencoded, only `/`, unreserved characters, the
//!    sub-delims other than `;` (`!$&'()*+,=`), `:` and `@` (RFC 3986 `pchar`). Refused: a raw
//!    backslash `\` (WHATWG URL parsers read it as `/`), a raw `;` (Servlet containers cut a
//!    path parameter `;...` off each segment before routing, so `/admin;x` is `/admin` to
//!    them), and any other character (`"` `<` `>` `[` `]` `^` `` ` `` `{` `|` `}`), which
//!    clients must percent-encode and which URL parsers re-encode inconsistently.
//! 6. **Segments.** After decoding, a `.` or `..` segment is refused (`/a/./b`, `/%2e%2E/x`,
//!    `/a/.%2e`). An empty segment (`//`) is refused, except the one after a trailing slash: `/a/`
//!    is the path `/a/` and is distinct from `/a`. The path `/` is one empty segment.
//! 7. **Case.** Case is preserved and literal matching is case-sensitive (RFC 3986 6.2.2.1:
//!    paths are case-sensitive); only the hex digits of kept escapes are upper-cased.
//!

use std::borrow::Cow;

use crate::encoding::{hex_value, is_unreserved};
use crate::error::{Error, ErrorCode};

/// A request path after normalization: what routes are matched against. Borrows the target
/// when normalization changes nothing (no escape to decode), which is the common case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedPath<'t> {
    pub(super) text: Cow<'t, str>,
    /// Number of `/`-separated segments after the leading `/`; 0 only for the asterisk-form.
    pub(super) segments: usize,
}

impl NormalizedPath<'_> {
    /// The normalized path (`/a/b`, `/a/`, or `*`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub(super) fn is_asterisk(&self) -> bool {
        self.segments == 0
    }
}

/// Normalizes the request target (`Request::target()`: origin-form `/p?q`, absolute-form
/// `https://host:port/p?q`, or asterisk-form `*`) under the rules of the module documentation.
///
/// Errors: `request_invalid`, with a detail naming the problem.
pub fn normalize_path(target: &str) -> Result<NormalizedPath<'_>, Error> {
    if let Some(path) = plain_origin_form(target) {
        return Ok(path);
    }
    if target.is_empty() {
        return Err(invalid("the target is empty"));
    }
    if !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(
            "the target holds a space, a control character or a non-ASCII character",
        ));
    }
    if target.as_bytes().contains(&b'#') {
        return Err(invalid("the target holds a fragment (#)"));
    }
    if target == "*" {
        return Ok(NormalizedPath {
            text: Cow::Borrowed("*"),
            segments: 0,
        });
    }
    let before_query = match target.bytes().position(|b| b == b'?') {
        Some(at) => &target[..at],
        None => target,
    };
    if before_query.starts_with('/') {
        normalize_origin(before_query)
    } else {
        normalize_origin(absolute_form_path(before_query)?)
    }
}

/// The common case in one pass: an origin-form target whose path holds no escape and nothing
/// to refuse normalizes to itself. `None` sends every other target (and every refusal, so
/// that its message is written in one place) through the full rules.
fn plain_origin_form(target: &str) -> Option<NormalizedPath<'_>> {
    let bytes = target.as_bytes();
    if bytes.first() != Some(&b'/') {
        return None;
    }
    let mut segments = 1;
    let mut start = 1;
    let mut end = bytes.len();
    for (i, &b) in bytes.iter().enumerate().skip(1) {
        if b == b'/' {
            if !plain_segment(&bytes[start..i], false) {
                return None;
            }
            segments += 1;
            start = i + 1;
        } else if b == b'?' {
            end = i;
            break;
        } else if !PLAIN_PATH_CHAR[usize::from(b)] {
            return None;
        }
    }
    if !plain_segment(&bytes[start..end], true) || bytes[end..].contains(&b'#') {
        return None;
    }
    if !bytes[end..].iter().all(u8::is_ascii_graphic) {
        return None;
    }
    Some(NormalizedPath {
        text: Cow::Borrowed(&target[..end]),
        segments,
    })
}

fn plain_segment(segment: &[u8], last: bool) -> bool {
    (last || !segment.is_empty()) && segment != b"." && segment != b".."
}

/// The path of an absolute-form target whose query is already cut off.
fn absolute_form_path(target: &str) -> Result<&str, Error> {
    let Some((scheme, rest)) = target.split_once("://") else {
        return Err(invalid(
            "the target is not origin-form (/path), absolute-form (http://host/path) or *",
        ));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(invalid(
            "the absolute-form target's scheme is not http or https",
        ));
    }
    let (authority, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(invalid("the absolute-form target has an empty authority"));
    }
    if authority.contains('@') {
        return Err(invalid(
            "the absolute-form target's authority holds userinfo (@)",
        ));
    }
    if let Some(c) = authority.bytes().find(|&b| !is_authority_char(b)) {
        return Err(Error::new(
            ErrorCode::RequestInvalid,
            format!(
                "the absolute-form target's authority holds `{}`, which is not a host or port character",
                char::from(c)
            ),
        ));
    }
    Ok(path)
}

fn is_authority_char(b: u8) -> bool {
    is_unreserved(b) || b"!$&'()*+,;=:[]".contains(&b)
}

/// Normalizes a path that starts with `/`, holds visible ASCII only and no `?` or `#`.
fn normalize_origin(path: &str) -> Result<NormalizedPath<'_>, Error> {
    if !path.as_bytes().contains(&b'%') {
        return check_plain(path);
    }
    let bytes = path.as_bytes();
    let mut text = String::with_capacity(path.len());
    let mut segments = 0;
    text.push('/');
    let mut start = 1;
    let mut i = 1;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'/' {
            check_segment(&text[start..], false)?;
            segments += 1;
            text.push('/');
            start = text.len();
            i += 1;
        } else if b == b'%' {
            // At most the three characters of the escape are quoted: they may sit inside a
            // token-bearing path, and the rest of it is none of the log's business.
            let escape = &path[i..(i + 3).min(path.len())];
            let Some(v) = decode_escape(escape) else {
                return Err(Error::new(
                    ErrorCode::RequestInvalid,
                    format!(
                        "`{escape}` is not a percent-escape (% must be followed by two hex digits)"
                    ),
                ));
            };
            if is_unreserved(v) {
                text.push(char::from(v));
            } else if let Some(why) = escape_problem(v) {
                return Err(Error::new(
                    ErrorCode::RequestInvalid,
                    format!("the path holds `{escape}`: {why}"),
                ));
            } else {
                push_escape(&mut text, v);
            }
            i += 3;
        } else {
            raw_char(b)?;
            text.push(char::from(b));
            i += 1;
        }
    }
    check_segment(&text[start..], true)?;
    Ok(NormalizedPath {
        text: Cow::Owned(text),
        segments: segments + 1,
    })
}

/// A path without escapes normalizes to itself: check it in place.
fn check_plain(path: &str) -> Result<NormalizedPath<'_>, Error> {
    let bytes = path.as_bytes();
    let mut segments = 0;
    let mut start = 1;
    for (i, &b) in bytes.iter().enumerate().skip(1) {
        if b == b'/' {
            check_segment(&path[start..i], false)?;
            segments += 1;
            start = i + 1;
        } else {
            raw_char(b)?;
        }
    }
    check_segment(&path[start..], true)?;
    Ok(NormalizedPath {
        text: Cow::Borrowed(path),
        segments: segments + 1,
    })
}

/// Refuses a character that may not stand unencoded in a path.
fn raw_char(b: u8) -> Result<(), Error> {
    if PLAIN_PATH_CHAR[usize::from(b)] {
        return Ok(());
    }
    match raw_char_problem(b) {
        None => Ok(()),
        Some(why) => Err(Error::new(
            ErrorCode::RequestInvalid,
            format!("the path holds a raw `{}`: {why}", char::from(b)),
        )),
    }
}

/// The characters a path may hold unencoded, other than `/` and `%` (RFC 3986 `pchar` without
/// `;`): a table, since every byte of every request path is looked up.
const PLAIN_PATH_CHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b'='
                    | b':'
                    | b'@'
            );
        b += 1;
    }
    table
};

fn check_segment(segment: &str, last: bool) -> Result<(), Error> {
    if segment.is_empty() && !last {
        return Err(invalid("the path holds an empty segment (//)"));
    }
    if segment == "." || segment == ".." {
        return Err(invalid("the path holds a . or .. segment"));
    }
    Ok(())
}

fn invalid(detail: &'static str) -> Error {
    Error::new(ErrorCode::RequestInvalid, detail)
}

/// Why a decoded escape (of a character that is not unreserved) is refused, if it is.
pub(super) fn escape_problem(v: u8) -> Option<&'static str> {
    match v {
        b'/' => Some("an encoded slash is refused"),
        b'\\' => Some("an encoded backslash is refused"),
        0..=0x1f | 0x7f => Some("an encoded control character is refused"),
        _ => None,
    }
}

/// Why a visible-ASCII character other than `/` and `%` may not stand unencoded in a path,
/// if it may not.
pub(super) fn raw_char_problem(b: u8) -> Option<&'static str> {
    if is_unreserved(b) || b"!$&'()*+,=:@".contains(&b) {
        None
    } else if b == b'\\' {
        Some("a backslash is refused (URL parsers read it as /)")
    } else if b == b';' {
        Some("a ; is refused (servlet containers cut path parameters off segments)")
    } else {
        Some("this character must be percent-encoded in a path")
    }
}

/// The byte a three-character `%XX` escape stands for (hex digits in either case).
pub(super) fn decode_escape(escape: &str) -> Option<u8> {
    match escape.as_bytes() {
        [b'%', h, l] => Some(hex_value(*h)? << 4 | hex_value(*l)?),
        _ => None,
    }
}

pub(super) fn push_escape(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}
