//! The canonical request: the exact bytes a PCS1 signature covers (docs/SIGNING.md, section 3).

use crate::encoding::{hex_value, is_unreserved};
use crate::error::{Error, ErrorCode};
use crate::request::Request;

use super::params::SignatureParams;

/// The canonical request for `request` under `params` (the signature itself is ignored).
///
/// Errors: `request_invalid` (target not origin-form, a bad percent-escape, a `.` or `..` path
/// segment), `signature_component_missing` (a signed header is absent from the request).
pub fn canonical_request(request: &Request, params: &SignatureParams) -> Result<Vec<u8>, Error> {
    build(request, params, None)
}

/// [`canonical_request`], with `extra` standing for a header the signer is about to add.
pub(crate) fn build(
    request: &Request,
    params: &SignatureParams,
    extra: Option<(&str, &[u8])>,
) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(256 + request.target().len());
    for line in [
        params.algorithm.scheme(),
        &params.key_id,
        &params.timestamp.to_string(),
        &params.nonce,
        &request.method().to_ascii_uppercase(),
        &canonical_path(request.path())?,
        &canonical_query(request.query())?,
        &params.headers.join(";"),
    ] {
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    for name in &params.headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        let extra_value = extra.filter(|(n, _)| n == name).map(|(_, v)| v);
        match extra_value {
            Some(v) => out.extend_from_slice(v),
            None => {
                let mut any = false;
                for value in request.header_values(name) {
                    if any {
                        out.push(b',');
                    }
                    out.extend_from_slice(value);
                    any = true;
                }
                if !any {
                    return Err(Error::new(
                        ErrorCode::SignatureComponentMissing,
                        format!("signed header {name} is absent from the request"),
                    ));
                }
            }
        }
        out.push(b'\n');
    }
    out.pop();
    Ok(out)
}

fn request_invalid(detail: &'static str) -> Error {
    Error::new(ErrorCode::RequestInvalid, detail)
}

/// The byte a `%XX` escape at the start of `rest` stands for.
fn escape_at(rest: &[u8]) -> Result<u8, Error> {
    match rest {
        [b'%', h, l, ..] => match (hex_value(*h), hex_value(*l)) {
            (Some(h), Some(l)) => Ok(h << 4 | l),
            _ => Err(request_invalid("a % is not followed by two hex digits")),
        },
        _ => Err(request_invalid("a % is not followed by two hex digits")),
    }
}

fn push_escaped(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// RFC 3986 6.2.2 normalisation of an origin-form path: escapes of unreserved characters are
/// decoded, other escapes get upper-case hex, unreserved characters, sub-delims, `:`, `@` and
/// `/` stay literal, any other byte is escaped. A `.` or `..` segment is refused.
pub(crate) fn canonical_path(path: &str) -> Result<String, Error> {
    if !path.starts_with('/') {
        return Err(request_invalid(
            "the target is not origin-form: the path must start with /",
        ));
    }
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let decoded = escape_at(&bytes[i..])?;
            if is_unreserved(decoded) {
                out.push(char::from(decoded));
            } else {
                push_escaped(&mut out, decoded);
            }
            i += 3;
        } else {
            if is_unreserved(b) || b"!$&'()*+,;=:@/".contains(&b) {
                out.push(char::from(b));
            } else {
                push_escaped(&mut out, b);
            }
            i += 1;
        }
    }
    if out.split('/').any(|s| s == "." || s == "..") {
        return Err(request_invalid("the path holds a . or .. segment"));
    }
    Ok(out)
}

/// One query name or value: form-decoded (`+` is a space, `%XX` a byte), then re-encoded with
/// every byte but the unreserved ones escaped in upper-case hex.
fn canonical_component(raw: &str) -> Result<String, Error> {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < bytes.len() {
        let (b, used) = match bytes[i] {
            b'%' => (escape_at(&bytes[i..])?, 3),
            b'+' => (b' ', 1),
            b => (b, 1),
        };
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            push_escaped(&mut out, b);
        }
        i += used;
    }
    Ok(out)
}

/// The query: `&`-separated pairs (empty pieces dropped), each split at its first `=` (a missing
/// `=` means an empty value), name and value canonicalised, pairs sorted by name then value
/// (byte order of the encoded text), joined as `name=value` with `&`.
pub(crate) fn canonical_query(query: Option<&str>) -> Result<String, Error> {
    let mut pairs = Vec::new();
    for piece in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        pairs.push((canonical_component(name)?, canonical_component(value)?));
    }
    pairs.sort_unstable();
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let ok = |p: &str| canonical_path(p).unwrap();
        assert_eq!(ok("/"), "/");
        assert_eq!(ok("//a//"), "//a//");
        assert_eq!(ok("/a%2fb/%7Euser/%41"), "/a%2Fb/~user/A");
        assert_eq!(ok("/a;b=c/d:e@f!$&'()*+,"), "/a;b=c/d:e@f!$&'()*+,");
        assert_eq!(ok("/a%3bb"), "/a%3Bb");
        assert_eq!(ok("/x|y{z}\"^`#"), "/x%7Cy%7Bz%7D%22%5E%60%23");
        assert_eq!(ok("/a/.b/..c/.../"), "/a/.b/..c/.../");
        for bad in [
            "a/b",
            "*",
            "/a/./b",
            "/a/../b",
            "/a/%2e%2E/b",
            "/a/.",
            "/%2E",
            "/a%",
            "/a%4",
            "/a%zz",
        ] {
            let e = canonical_path(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::RequestInvalid, "{bad}");
        }
    }

    #[test]
    fn queries() {
        let ok = |q: &str| canonical_query(Some(q)).unwrap();
        assert_eq!(canonical_query(None).unwrap(), "");
        assert_eq!(ok(""), "");
        assert_eq!(ok("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(ok("a+b=c+d&x=%2b%2B"), "a%20b=c%20d&x=%2B%2B");
        assert_eq!(ok("&&flag&e=&=v&"), "=v&e=&flag=");
        assert_eq!(ok("q=a=b&%7e=%41"), "q=a%3Db&~=A");
        assert_eq!(ok("k=%C3%A9/?"), "k=%C3%A9%2F%3F");
        assert_eq!(ok("a=1&a=1"), "a=1&a=1", "repeats are kept");
        for bad in ["a=%", "a=%G0", "%=1"] {
            let e = canonical_query(Some(bad)).unwrap_err();
            assert_eq!(e.code(), ErrorCode::RequestInvalid, "{bad}");
        }
    }
}
