//! Routes: request-path normalization, path patterns and method sets.
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
//! # Path patterns
//!
//! [`PathPattern::parse`] takes the pattern as configured:
//!
//! - A pattern starts with `/`, or is exactly `*` (matching only the asterisk-form target).
//! - Its `/`-separated segments are each one of:
//!   - a literal, compared byte for byte with the normalized path segment;
//!   - `{name}` (name = `[A-Za-z_][A-Za-z0-9_]*`, unique in the pattern), matching exactly one
//!     non-empty segment and capturing it as it appears in the normalized path (escapes of
//!     characters other than unreserved ones are still encoded);
//!   - `*`, as the last segment only, matching the prefix itself and anything below it:
//!     `/admin/*` matches `/admin`, `/admin/` and `/admin/x/y` (not `/adminx`); `/*` matches
//!     every path, but not the asterisk-form `*`.
//! - A trailing slash is significant (`/a/` matches only `/a/`, `/a` only `/a`), except under
//!   `*`.
//! - Parse errors: a pattern that is empty or starts with neither `/` nor is `*`; `*` anywhere
//!   but as the whole last segment (`/a*`, `/a/*/b`, `/a/*/`); `{` or `}` other than around a
//!   whole segment (`/x{id}`, `/{id}x`), an invalid or repeated name; an empty (`//`), `.` or
//!   `..` segment.
//! - Literals are written in normalized form, so that they can match: a `%` must start an
//!   upper-case `%XX` escape of a character that normalization keeps encoded. An escape of an
//!   unreserved character (`%41`: write `A`), lower-case hex (`%3a`: write `%3A`), `%2F`, `%5C`
//!   and control characters are refused, as is any raw character rule 5 refuses.
//!
//! # Methods
//!
//! [`MethodSet::parse`] takes the route's method list: `[]` or `["*"]` is every method. Each
//! entry is an HTTP token (RFC 9110 `tchar`); a repeated entry, and `*` beside other entries,
//! are refused. Matching is case-sensitive (RFC 9110 9.1: `get` is not `GET`), so an entry
//! that is the lower- or mixed-case spelling of a standard method (`get`, `Post`) is refused:
//! it would never match the requests it was meant to protect. `GET` in a set also matches
//! `HEAD`, because frameworks answer `HEAD` with the `GET` handler, so a `HEAD` request must get
//! the `GET` route's protection.

use std::borrow::Cow;
use std::sync::Arc;

use crate::error::{Error, ErrorCode};

/// A request path after normalization: what routes are matched against. Borrows the target
/// when normalization changes nothing (no escape to decode), which is the common case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedPath<'t> {
    text: Cow<'t, str>,
    /// Number of `/`-separated segments after the leading `/`; 0 only for the asterisk-form.
    segments: usize,
}

impl NormalizedPath<'_> {
    /// The normalized path (`/a/b`, `/a/`, or `*`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn is_asterisk(&self) -> bool {
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

/// RFC 3986 2.3.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

/// Why a decoded escape (of a character that is not unreserved) is refused, if it is.
fn escape_problem(v: u8) -> Option<&'static str> {
    match v {
        b'/' => Some("an encoded slash is refused"),
        b'\\' => Some("an encoded backslash is refused"),
        0..=0x1f | 0x7f => Some("an encoded control character is refused"),
        _ => None,
    }
}

/// Why a visible-ASCII character other than `/` and `%` may not stand unencoded in a path,
/// if it may not.
fn raw_char_problem(b: u8) -> Option<&'static str> {
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
fn decode_escape(escape: &str) -> Option<u8> {
    match escape.as_bytes() {
        [b'%', h, l] => Some(hex_value(*h)? << 4 | hex_value(*l)?),
        _ => None,
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn push_escape(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// Most `{name}` parameters in one pattern.
pub const MAX_PARAMS: usize = 16;

/// A compiled path pattern.
#[derive(Debug, Clone)]
pub struct PathPattern {
    text: Box<str>,
    kind: PatternKind,
}

#[derive(Debug, Clone)]
enum PatternKind {
    /// Exactly `*`: the asterisk-form target.
    Asterisk,
    /// `/`-separated segments, perhaps ending in the `*` wildcard (not held in `segments`).
    Segments {
        segments: Box<[Segment]>,
        wildcard: bool,
        params: usize,
    },
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(Box<str>),
    Param(Arc<str>),
}

impl PathPattern {
    /// Compiles a pattern (rules in the module documentation).
    ///
    /// Errors are plain messages without any document path.
    pub fn parse(pattern: &str) -> Result<PathPattern, String> {
        if pattern == "*" {
            return Ok(PathPattern {
                text: pattern.into(),
                kind: PatternKind::Asterisk,
            });
        }
        let Some(body) = pattern.strip_prefix('/') else {
            return Err(if pattern.is_empty() {
                "the pattern is empty".to_owned()
            } else {
                "a pattern starts with / or is exactly *".to_owned()
            });
        };
        let parts: Vec<&str> = body.split('/').collect();
        let mut segments = Vec::with_capacity(parts.len());
        let mut wildcard = false;
        let mut params = 0;
        for (index, part) in parts.iter().enumerate() {
            let last = index + 1 == parts.len();
            if *part == "*" {
                if !last {
                    return Err("`*` is allowed only as the last segment".to_owned());
                }
                wildcard = true;
            } else if part.starts_with('{') {
                let name = parse_param(part)?;
                let repeated = segments
                    .iter()
                    .any(|s| matches!(s, Segment::Param(n) if **n == *name));
                if repeated {
                    return Err(format!("the parameter `{{{name}}}` appears twice"));
                }
                if params == MAX_PARAMS {
                    return Err(format!("a pattern holds at most {MAX_PARAMS} parameters"));
                }
                segments.push(Segment::Param(name.into()));
                params += 1;
            } else {
                check_literal(part, last)?;
                segments.push(Segment::Literal((*part).into()));
            }
        }
        Ok(PathPattern {
            text: pattern.into(),
            kind: PatternKind::Segments {
                segments: segments.into_boxed_slice(),
                wildcard,
                params,
            },
        })
    }

    /// The parameters captured (`{id}` -> value), in pattern order, or None when the path does
    /// not match. A value is the segment as it stands in the normalized path.
    pub fn matches(&self, path: &NormalizedPath<'_>) -> Option<Vec<(Arc<str>, String)>> {
        let PatternKind::Segments {
            segments,
            wildcard,
            params,
        } = &self.kind
        else {
            return path.is_asterisk().then(Vec::new);
        };
        if path.is_asterisk() {
            return None;
        }
        let fits = if *wildcard {
            path.segments >= segments.len()
        } else {
            path.segments == segments.len()
        };
        if !fits {
            return None;
        }
        // One pass over the path, checked in full before anything is allocated (most routes do
        // not match); parameter values are remembered as byte ranges until then.
        let bytes = path.text.as_bytes();
        let mut ranges = [(0usize, 0usize); MAX_PARAMS];
        let mut found = 0;
        let mut start = 1;
        for segment in segments.iter() {
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'/')
                .map_or(bytes.len(), |p| start + p);
            let text = &bytes[start..end];
            match segment {
                Segment::Literal(literal) if literal.as_bytes() != text => return None,
                Segment::Literal(_) => {}
                Segment::Param(_) if text.is_empty() => return None,
                Segment::Param(_) => {
                    ranges[found] = (start, end);
                    found += 1;
                }
            }
            start = end + 1;
        }
        // Capacity 0 does not allocate, so parameterless patterns stay allocation-free.
        let mut captured = Vec::with_capacity(*params);
        let names = segments.iter().filter_map(|s| match s {
            Segment::Param(name) => Some(name),
            Segment::Literal(_) => None,
        });
        for (name, &(from, to)) in names.zip(&ranges[..found]) {
            captured.push((Arc::clone(name), path.text[from..to].to_owned()));
        }
        Some(captured)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The name in a `{name}` segment.
fn parse_param(part: &str) -> Result<&str, String> {
    let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else {
        return Err("`{` and `}` must enclose a whole segment (`/{id}`)".to_owned());
    };
    let mut bytes = name.bytes();
    let valid = matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid {
        return Err(format!(
            "{part:?}: a parameter name is a letter or _ followed by letters, digits or _"
        ));
    }
    Ok(name)
}

fn check_literal(part: &str, last: bool) -> Result<(), String> {
    if part.is_empty() && !last {
        return Err("the pattern holds an empty segment (//)".to_owned());
    }
    if part == "." || part == ".." {
        return Err("the pattern holds a . or .. segment".to_owned());
    }
    let bytes = part.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            check_pattern_escape(&part[i..])?;
            i += 3;
            continue;
        }
        if b == b'*' {
            return Err("`*` is allowed only as a whole last segment (`/a/*`)".to_owned());
        }
        if b == b'{' || b == b'}' {
            return Err("`{` and `}` must enclose a whole segment (`/{id}`)".to_owned());
        }
        if !b.is_ascii_graphic() {
            return Err(format!(
                "the pattern holds {}, which a normalized path never holds",
                quote_char(part, i)
            ));
        }
        if let Some(why) = raw_char_problem(b) {
            return Err(format!(
                "the pattern holds a raw `{}`: {why}",
                char::from(b)
            ));
        }
        i += 1;
    }
    Ok(())
}

/// Checks the escape at the start of `rest`, which must be written as normalization writes it.
fn check_pattern_escape(rest: &str) -> Result<(), String> {
    let escape: String = rest.chars().take(3).collect();
    let Some(v) = decode_escape(&escape) else {
        return Err(format!(
            "{escape:?} is not a percent-escape (% must be followed by two hex digits)"
        ));
    };
    if is_unreserved(v) {
        return Err(format!(
            "`{escape}` encodes the unreserved character `{}`: write `{}` itself (request paths are matched after decoding it)",
            char::from(v),
            char::from(v)
        ));
    }
    if let Some(why) = escape_problem(v) {
        return Err(format!("`{escape}` can never match: in a request, {why}"));
    }
    let mut upper = String::with_capacity(3);
    push_escape(&mut upper, v);
    if upper != escape {
        return Err(format!(
            "`{escape}`: write percent-escapes with upper-case hex digits (`{upper}`)"
        ));
    }
    Ok(())
}

/// The character at byte `at` of `text`, quoted for a message (Debug-escaped when it is not
/// visible ASCII, so that a control character cannot forge log lines).
fn quote_char(text: &str, at: usize) -> String {
    match text[at..].chars().next() {
        Some(c) if c.is_ascii_graphic() => format!("`{c}`"),
        Some(c) => format!("{c:?}"),
        None => "nothing".to_owned(),
    }
}

/// The HTTP methods a route applies to.
#[derive(Debug, Clone)]
pub struct MethodSet {
    /// Empty means every method.
    methods: Box<[Box<str>]>,
}

/// Methods defined by RFC 9110 and RFC 5789, whose lower- or mixed-case spelling in a
/// configuration is a mistake (it would match no real request).
const STANDARD_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

impl MethodSet {
    /// `[]` or `["*"]` is every method; otherwise each entry must be an HTTP token, listed
    /// once (rules in the module documentation). Errors are plain messages.
    pub fn parse(methods: &[String]) -> Result<MethodSet, String> {
        if methods.is_empty() || (methods.len() == 1 && methods[0] == "*") {
            return Ok(MethodSet {
                methods: Box::new([]),
            });
        }
        let mut set: Vec<Box<str>> = Vec::with_capacity(methods.len());
        for method in methods {
            if method == "*" {
                return Err("`*` (every method) cannot be listed with other methods".to_owned());
            }
            if method.is_empty() || !method.bytes().all(is_tchar) {
                return Err(format!("{method:?} is not an HTTP method (a token)"));
            }
            let upper = method.to_ascii_uppercase();
            if upper != *method && STANDARD_METHODS.contains(&upper.as_str()) {
                return Err(format!(
                    "`{method}`: methods are case-sensitive, so it would never match `{upper}` requests; write `{upper}`"
                ));
            }
            if set.iter().any(|m| **m == **method) {
                return Err(format!("`{method}` is listed twice"));
            }
            set.push(method.as_str().into());
        }
        Ok(MethodSet {
            methods: set.into_boxed_slice(),
        })
    }

    /// Whether the set applies to `method` (case-sensitive; `GET` covers `HEAD`).
    pub fn matches(&self, method: &str) -> bool {
        self.methods.is_empty()
            || self
                .methods
                .iter()
                .any(|m| **m == *method || (method == "HEAD" && &**m == "GET"))
    }
}

/// RFC 9110 5.6.2.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
#[path = "route_tests.rs"]
mod tests;
