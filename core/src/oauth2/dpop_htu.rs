//! The `htu` comparison of RFC 9449 section 4.3 (step 9): both URIs normalised as RFC 3986
//! sections 6.2.2 and 6.2.3 say, then compared as strings.

use crate::encoding::{hex_value, is_unreserved};
use crate::error::{Error, ErrorCode};

/// The longest URI normalised, in bytes (a request target is capped lower by `RequestLimits`).
const MAX_URI_BYTES: usize = 8 * 1024;

fn malformed(detail: &'static str) -> Error {
    Error::new(ErrorCode::InvalidArgument, detail)
}

fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// Copies `text` with every escape case-normalised (`%2f` -> `%2F`) and escapes of unreserved
/// characters decoded (`%7E` -> `~`); `allowed` says which other bytes may appear as they are.
/// `lower` lower-cases the result's letters outside escapes (a host).
fn normalize_escapes(text: &str, allowed: fn(u8) -> bool, lower: bool) -> Result<String, Error> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex_value),
                bytes.get(i + 2).copied().and_then(hex_value),
            ) else {
                return Err(malformed("URI holds a malformed percent-escape"));
            };
            let value = (hi << 4) | lo;
            if is_unreserved(value) {
                let c = if lower {
                    value.to_ascii_lowercase()
                } else {
                    value
                };
                out.push(char::from(c));
            } else {
                out.push_str(&format!("%{value:02X}"));
            }
            i += 3;
        } else if is_unreserved(b) || allowed(b) {
            out.push(char::from(if lower { b.to_ascii_lowercase() } else { b }));
            i += 1;
        } else {
            return Err(malformed("URI holds a character it may not hold unescaped"));
        }
    }
    Ok(out)
}

/// RFC 3986 5.2.4: removes `.` and `..` segments from an absolute path.
fn remove_dot_segments(path: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." | ".." => {
                if *segment == ".." {
                    output.pop();
                }
                // A trailing dot segment leaves the path ending in `/`.
                if i == last {
                    output.push("");
                }
            }
            s => output.push(s),
        }
    }
    let mut out = String::with_capacity(path.len());
    for segment in &output {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// The host of an authority, normalised: a bracketed IP literal (IPv6 or IPvFuture) kept with
/// its letters lower-cased, or a reg-name / IPv4 address with escapes normalised.
fn normalize_host(host: &str) -> Result<String, Error> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner
            .strip_suffix(']')
            .ok_or_else(|| malformed("URI host holds an unclosed IP literal"))?;
        let valid = !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.' || b == b'v' || b == b'V');
        if !valid {
            return Err(malformed("URI host holds a malformed IP literal"));
        }
        return Ok(format!("[{}]", inner.to_ascii_lowercase()));
    }
    if host.is_empty() {
        return Err(malformed("URI has an empty host"));
    }
    normalize_escapes(host, is_sub_delim, true)
}

/// The port with the scheme's default (and an empty port) removed, as `:digits` or nothing.
fn normalize_port(port: &str, scheme: &str) -> Result<String, Error> {
    if port.is_empty() {
        return Ok(String::new());
    }
    if port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("URI port is not a number from 0 to 65535"));
    }
    let value: u32 = port
        .parse()
        .map_err(|_| malformed("URI port is not a number from 0 to 65535"))?;
    if value > 65_535 {
        return Err(malformed("URI port is not a number from 0 to 65535"));
    }
    let default = match scheme {
        "https" => 443,
        _ => 80,
    };
    Ok(if value == default {
        String::new()
    } else {
        format!(":{value}")
    })
}

/// RFC 9449 4.3 / RFC 3986 6.2.2-6.2.3 normalisation of an `htu`: scheme and host lower-cased,
/// the default port (and an empty one) removed, an empty path made `/`, percent-escapes
/// case-normalised and those of unreserved characters decoded, dot segments removed, query and
/// fragment removed. Only `http` and `https` URIs with a host are accepted; userinfo, bytes a
/// URI may not hold and malformed escapes or ports are `invalid_argument`.
pub fn normalize_htu(uri: &str) -> Result<String, Error> {
    if uri.len() > MAX_URI_BYTES {
        return Err(malformed("URI is too long"));
    }
    let end = uri.find(['?', '#']).unwrap_or(uri.len());
    let uri = &uri[..end];
    let (scheme, rest) = uri
        .split_once("://")
        .ok_or_else(|| malformed("URI is not absolute (scheme://authority)"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(malformed("URI scheme is not http or https"));
    }
    let path_start = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(path_start);
    if authority.contains('@') {
        return Err(malformed("URI holds userinfo"));
    }
    // The port follows the last `:` that is not inside an IP literal.
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], &authority[i + 1..]),
        _ => (authority, ""),
    };
    let host = normalize_host(host)?;
    let port = normalize_port(port, &scheme)?;
    let path = normalize_escapes(
        path,
        |b| is_sub_delim(b) || matches!(b, b':' | b'@' | b'/'),
        false,
    )?;
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        remove_dot_segments(&path)
    };
    Ok(format!("{scheme}://{host}{port}{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(uri: &str) -> String {
        normalize_htu(uri).unwrap_or_else(|e| panic!("{uri}: {e}"))
    }

    #[test]
    fn equivalent_forms_normalise_alike() {
        let want = "https://server.example.com/token";
        for uri in [
            "https://server.example.com/token",
            "HTTPS://Server.Example.COM/token",
            "https://server.example.com:443/token",
            "https://server.example.com:/token",
            "https://server.example.com/token?x=1",
            "https://server.example.com/token#frag",
            "https://server.example.com/a/../token",
            "https://server.example.com/./token",
            "https://server.example.com/%74oken",
            "https://server.example.com/%2E%2E/token",
            "https://%73erver.example.com/token",
        ] {
            assert_eq!(norm(uri), want, "{uri}");
        }
        assert_eq!(norm("http://a.example:80"), "http://a.example/");
        assert_eq!(norm("http://a.example:8080/x"), "http://a.example:8080/x");
        assert_eq!(norm("https://a.example:80/x"), "https://a.example:80/x");
        assert_eq!(norm("https://a.example/a%2fb"), "https://a.example/a%2Fb");
        assert_eq!(norm("https://a.example/a/b/.."), "https://a.example/a/");
        assert_eq!(norm("https://a.example/a/b/."), "https://a.example/a/b/");
        assert_eq!(norm("https://a.example/.."), "https://a.example/");
        assert_eq!(norm("https://[::1]:443/x"), "https://[::1]/x");
        assert_eq!(norm("https://[FE80::1]:8443/x"), "https://[fe80::1]:8443/x");
        assert_eq!(norm("https://a.example/Case"), "https://a.example/Case");
    }

    #[test]
    fn different_uris_stay_different() {
        assert_ne!(norm("http://a.example/x"), norm("https://a.example/x"));
        assert_ne!(norm("https://a.example/x"), norm("https://b.example/x"));
        assert_ne!(norm("https://a.example/x"), norm("https://a.example/X"));
        assert_ne!(norm("https://a.example/x"), norm("https://a.example/x/"));
        assert_ne!(
            norm("https://a.example/a%2Fb"),
            norm("https://a.example/a/b")
        );
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        for uri in [
            "HTTPS://A.example:0443/a/./b/../%7e%2f%2E%2E/c?q#f",
            "http://[FE80::A]:080//x/..",
            "https://%41%2d.example/%25/%2e/",
            "https://a.example:00/./../",
            "https://a.example/%2E%2E%2F..%2F",
        ] {
            let once = norm(uri);
            assert_eq!(norm(&once), once, "{uri}");
        }
    }

    #[test]
    fn malformed_uris_are_refused() {
        for uri in [
            "",
            "/token",
            "server.example.com/token",
            "ftp://a.example/x",
            "https://",
            "https:///x",
            "https://user@a.example/x",
            "https://a.example:99999/x",
            "https://a.example:x/x",
            "https://a.example/%zz",
            "https://a.example/%4",
            "https://a.example/a b",
            "https://a.example/\u{e9}",
            "https://[::1/x",
            "https://[zz]/x",
            "https://a\"b/x",
        ] {
            let e = normalize_htu(uri).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{uri:?}");
        }
        assert!(
            normalize_htu(&format!("https://a.example/{}", "a".repeat(MAX_URI_BYTES))).is_err()
        );
    }
}
