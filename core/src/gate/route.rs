//! Routes: path patterns and method sets, matched against a [`NormalizedPath`] (see
//! [`normalize_path`] for the rules of the path itself).
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

use std::sync::Arc;

use super::inline::InlineText;

use super::path::{decode_escape, escape_problem, push_escape, raw_char_problem};
pub use super::path::{normalize_path, NormalizedPath};
use crate::encoding::is_unreserved;

/// Most `{name}` parameters in one pattern.
pub const MAX_PARAMS: usize = 16;

/// The parameter values a match captured: byte spans of the matched path, which is kept inline
/// (no allocation for paths up to 96 bytes). The names are the pattern's, in the same order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Captured {
    path: InlineText<96>,
    spans: [(u16, u16); MAX_PARAMS],
    count: u8,
}

impl Captured {
    /// The values, in the pattern's order, as they stand in the normalized path.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        let path = self.path.as_str();
        self.spans[..usize::from(self.count)]
            .iter()
            .map(move |&(from, to)| path.get(usize::from(from)..usize::from(to)).unwrap_or(""))
    }
}

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
    pub fn matches(&self, path: &NormalizedPath<'_>) -> Option<Captured> {
        let PatternKind::Segments {
            segments,
            wildcard,
            params,
        } = &self.kind
        else {
            return path.is_asterisk().then(Captured::default);
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
        // One pass over the path, checked in full before anything is copied (most routes do
        // not match); parameter values are remembered as byte spans until then.
        let bytes = path.text.as_bytes();
        let mut spans = [(0u16, 0u16); MAX_PARAMS];
        let mut count = 0;
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
                    // A target is at most 8 KiB (`RequestLimits`); a longer one matches no
                    // parameter rather than wrap.
                    spans[count] = (u16::try_from(start).ok()?, u16::try_from(end).ok()?);
                    count += 1;
                }
            }
            start = end + 1;
        }
        if *params == 0 {
            return Some(Captured::default());
        }
        Some(Captured {
            path: InlineText::new(&path.text),
            spans,
            count: u8::try_from(count).unwrap_or(0),
        })
    }

    /// The names of the pattern's parameters, in order.
    pub fn param_names(&self) -> Vec<&str> {
        match &self.kind {
            PatternKind::Segments { segments, .. } => segments
                .iter()
                .filter_map(|s| match s {
                    Segment::Param(name) => Some(&**name),
                    Segment::Literal(_) => None,
                })
                .collect(),
            PatternKind::Asterisk => Vec::new(),
        }
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
