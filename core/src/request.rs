//! The request view every method reads.
//!
//! A [`Request`] is built once by the host (from its HTTP framework, its TLS stack and its
//! clock) and handed to any verifier. Construction validates what every method relies on
//! (token method, visible-ASCII target, header names and values free of CR/LF/NUL) and enforces
//! size limits, so verifiers never see a malformed request.

use std::borrow::Cow;
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::decision::Denial;
use crate::error::{Error, ErrorCode};

/// Size limits applied while a request is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLimits {
    /// Longest method, in bytes.
    pub max_method_len: usize,
    /// Longest target (path and query), in bytes.
    pub max_target_len: usize,
    /// Most header fields.
    pub max_headers: usize,
    /// Longest single header value, in bytes.
    pub max_header_value_len: usize,
    /// Most bytes over all header names and values.
    pub max_header_bytes: usize,
    /// Largest body, in bytes.
    pub max_body_len: usize,
    /// Most peer certificates in a chain.
    pub max_peer_certificates: usize,
}

impl RequestLimits {
    /// The rule for a peer certificate chain handed over whole (to
    /// [`MtlsVerifier::verify_chain`](crate::mtls::MtlsVerifier::verify_chain)): at most
    /// `max_peer_certificates` (else `input_too_large`), none empty (else `invalid_argument`),
    /// as [`Request::add_peer_certificate`] checks them one at a time. A surface that reads a
    /// chain from its caller reads at most one certificate past the limit, so the longest chain
    /// it hands over is one this refuses.
    pub fn check_peer_chain<C: AsRef<[u8]>>(&self, chain: &[C]) -> Result<(), Error> {
        if chain.len() > self.max_peer_certificates {
            return Err(self.too_many_peer_certificates());
        }
        if chain.iter().any(|der| der.as_ref().is_empty()) {
            return Err(empty_peer_certificate());
        }
        Ok(())
    }

    fn too_many_peer_certificates(&self) -> Error {
        Error::new(
            ErrorCode::InputTooLarge,
            format!(
                "a peer chain holds at most {} certificates",
                self.max_peer_certificates
            ),
        )
    }
}

fn empty_peer_certificate() -> Error {
    Error::new(ErrorCode::InvalidArgument, "empty peer certificate")
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            max_method_len: 32,
            max_target_len: 8 * 1024,
            max_headers: 256,
            max_header_value_len: 16 * 1024,
            max_header_bytes: 64 * 1024,
            max_body_len: 16 * 1024 * 1024,
            max_peer_certificates: 16,
        }
    }
}

/// One HTTP request as the verifiers see it.
#[derive(Clone)]
pub struct Request {
    method: String,
    target: String,
    headers: HeaderFields,
    body: Option<Vec<u8>>,
    peer_certificates: Vec<Vec<u8>>,
    peer_address: Option<IpAddr>,
    scheme: Option<String>,
    now: Option<i64>,
    limits: RequestLimits,
}

/// A parsed `Authorization` header: `scheme SP credentials`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The auth-scheme as sent (compare it case-insensitively).
    pub scheme: &'a str,
    /// Everything after the scheme and its separating spaces, without surrounding whitespace.
    pub credentials: &'a str,
}

impl<'a> Authorization<'a> {
    /// Splits an `Authorization` header value into scheme and credentials; a non-ASCII or
    /// scheme-less value is refused.
    pub fn parse(raw: &'a [u8]) -> Result<Self, Denial> {
        let text = std::str::from_utf8(raw)
            .ok()
            .filter(|t| t.is_ascii())
            .ok_or_else(|| {
                Denial::new(
                    ErrorCode::HeaderMalformed,
                    "Authorization header is not ASCII",
                )
            })?;
        let text = text.trim_matches(|c| c == ' ' || c == '\t');
        let (scheme, rest) = text.split_once(' ').unwrap_or((text, ""));
        if scheme.is_empty() || !scheme.bytes().all(is_tchar) {
            return Err(Denial::new(
                ErrorCode::HeaderMalformed,
                "Authorization header has no valid auth-scheme",
            ));
        }
        Ok(Authorization {
            scheme,
            credentials: rest.trim_matches(|c| c == ' ' || c == '\t'),
        })
    }

    /// True when the scheme is `scheme`, compared case-insensitively (RFC 9110 11.1).
    pub fn is_scheme(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }
}

/// Header fields in arrival order, names lower-cased, values trimmed of surrounding whitespace,
/// with the same validation and limits for requests and responses.
#[derive(Clone, Default)]
pub(crate) struct HeaderFields {
    fields: Vec<(String, Vec<u8>)>,
    bytes: usize,
}

impl HeaderFields {
    /// Appends a field after checking its name (an HTTP token), its value (no CR, LF or NUL)
    /// and the limits.
    pub(crate) fn push(
        &mut self,
        name: &str,
        value: &[u8],
        limits: &RequestLimits,
    ) -> Result<(), Error> {
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(Error::new(
                ErrorCode::RequestInvalid,
                "header name is not an HTTP token",
            ));
        }
        if has_cr_lf_nul(value) {
            return Err(Error::new(
                ErrorCode::RequestInvalid,
                "header value holds CR, LF or NUL",
            ));
        }
        if self.fields.len() >= limits.max_headers {
            return Err(Error::new(ErrorCode::InputTooLarge, "too many headers"));
        }
        if value.len() > limits.max_header_value_len {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                "header value too long",
            ));
        }
        let added = name.len() + value.len();
        if self.bytes + added > limits.max_header_bytes {
            return Err(Error::new(ErrorCode::InputTooLarge, "headers too large"));
        }
        self.bytes += added;
        self.fields
            .push((name.to_ascii_lowercase(), trim_ows(value).to_vec()));
        Ok(())
    }

    /// Every field in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_slice()))
    }

    /// Every value of `name` (case-insensitive), in order.
    pub(crate) fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl Request {
    /// A request with the default [`RequestLimits`].
    pub fn new(method: &str, target: &str) -> Result<Self, Error> {
        Self::with_limits(method, target, RequestLimits::default())
    }

    /// A request with explicit limits.
    pub fn with_limits(method: &str, target: &str, limits: RequestLimits) -> Result<Self, Error> {
        if method.is_empty() || !method.bytes().all(is_tchar) {
            return Err(Error::new(
                ErrorCode::RequestInvalid,
                "method is not an HTTP token",
            ));
        }
        if method.len() > limits.max_method_len {
            return Err(Error::new(ErrorCode::InputTooLarge, "method too long"));
        }
        if target.len() > limits.max_target_len {
            return Err(Error::new(ErrorCode::InputTooLarge, "target too long"));
        }
        if target.is_empty() || !target.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::new(
                ErrorCode::RequestInvalid,
                "target is empty or holds bytes other than visible ASCII",
            ));
        }
        Ok(Request {
            method: method.to_owned(),
            target: target.to_owned(),
            headers: HeaderFields::default(),
            body: None,
            peer_certificates: Vec::new(),
            peer_address: None,
            scheme: None,
            now: None,
            limits,
        })
    }

    /// Appends a header field. Repeated names are kept in order.
    pub fn add_header(&mut self, name: &str, value: &[u8]) -> Result<(), Error> {
        self.headers.push(name, value, &self.limits)
    }

    /// Builder form of [`Request::add_header`].
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Result<Self, Error> {
        self.add_header(name, value.as_ref())?;
        Ok(self)
    }

    /// Sets the raw body bytes (exactly as received: verifiers that sign bodies need them).
    pub fn set_body(&mut self, body: Vec<u8>) -> Result<(), Error> {
        if body.len() > self.limits.max_body_len {
            return Err(Error::new(ErrorCode::InputTooLarge, "body too large"));
        }
        self.body = Some(body);
        Ok(())
    }

    /// Appends a DER certificate to the peer chain (leaf first).
    pub fn add_peer_certificate(&mut self, der: Vec<u8>) -> Result<(), Error> {
        if self.peer_certificates.len() >= self.limits.max_peer_certificates {
            return Err(self.limits.too_many_peer_certificates());
        }
        if der.is_empty() {
            return Err(empty_peer_certificate());
        }
        self.peer_certificates.push(der);
        Ok(())
    }

    /// Records the address the connection came from (used to trust proxy headers).
    pub fn set_peer_address(&mut self, address: IpAddr) {
        self.peer_address = Some(address);
    }

    /// Records the URI scheme the request arrived on (`https`, `http`), lower-cased; signatures
    /// over `@scheme` and `@target-uri` need it.
    pub fn set_scheme(&mut self, scheme: &str) -> Result<(), Error> {
        let b = scheme.as_bytes();
        let valid = !b.is_empty()
            && b.len() <= 16
            && b[0].is_ascii_alphabetic()
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(c));
        if !valid {
            return Err(Error::new(
                ErrorCode::RequestInvalid,
                "scheme is not an RFC 3986 scheme",
            ));
        }
        self.scheme = Some(scheme.to_ascii_lowercase());
        Ok(())
    }

    /// The URI scheme, if the host supplied it.
    pub fn scheme(&self) -> Option<&str> {
        self.scheme.as_deref()
    }

    /// Pins the request's time (Unix seconds). Without it, the system clock is read.
    pub fn set_now(&mut self, unix_seconds: i64) {
        self.now = Some(unix_seconds);
    }

    /// Builder form of [`Request::set_now`].
    pub fn at(mut self, unix_seconds: i64) -> Self {
        self.set_now(unix_seconds);
        self
    }

    /// The method, as sent.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target (path and query).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The path part of the target.
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(self.target.as_str(), |(p, _)| p)
    }

    /// The raw query (after `?`), if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// All header fields in order, names lower-cased.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.headers.iter()
    }

    /// Every value of the header `name` (case-insensitive), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers.values(name)
    }

    /// The value of a header that must appear at most once: a repeat is refused, because two
    /// credentials in one request let an attacker play one verifier against another.
    pub fn single_header(&self, name: &str) -> Result<Option<&[u8]>, Denial> {
        let mut found = None;
        for (field, value) in self.headers.iter() {
            if field.eq_ignore_ascii_case(name) {
                if found.is_some() {
                    return Err(Denial::new(
                        ErrorCode::CredentialsAmbiguous,
                        format!("header {name} appears more than once"),
                    ));
                }
                found = Some(value);
            }
        }
        Ok(found)
    }

    /// Every value of the query parameter `name`, form-decoded.
    pub fn query_values(&self, name: &str) -> Vec<Cow<'_, str>> {
        match self.query() {
            None => Vec::new(),
            Some(q) => form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v)
                .collect(),
        }
    }

    /// The `Authorization` header, split into scheme and credentials. `Ok(None)` when absent;
    /// a repeated, non-ASCII or scheme-less header is refused.
    pub fn authorization(&self) -> Result<Option<Authorization<'_>>, Denial> {
        match self.single_header("authorization")? {
            None => Ok(None),
            Some(raw) => Authorization::parse(raw).map(Some),
        }
    }

    /// The token of `Authorization: Bearer <token>` (RFC 6750 2.1; the scheme is matched
    /// case-insensitively), for every method that reads a bearer token. `Ok(None)` when there
    /// is no `Authorization` header or it names another scheme; an empty token, or one holding
    /// spaces, is `header_malformed`; a repeated or malformed header is refused as
    /// [`authorization`](Self::authorization) refuses it. The denial carries no challenge: the
    /// method adds its own.
    pub fn bearer_token(&self) -> Result<Option<&str>, Denial> {
        match self.authorization()? {
            Some(auth) if auth.is_scheme("Bearer") => {
                if auth.credentials.is_empty() || auth.credentials.contains([' ', '\t']) {
                    Err(Denial::new(
                        ErrorCode::HeaderMalformed,
                        "Bearer credentials are empty or hold spaces",
                    ))
                } else {
                    Ok(Some(auth.credentials))
                }
            }
            _ => Ok(None),
        }
    }

    /// The raw body, if the host supplied one.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// The size limits this request was built with.
    pub fn limits(&self) -> &RequestLimits {
        &self.limits
    }

    /// The peer certificate chain (DER, leaf first).
    pub fn peer_certificates(&self) -> &[Vec<u8>] {
        &self.peer_certificates
    }

    /// The address the connection came from, if known.
    pub fn peer_address(&self) -> Option<IpAddr> {
        self.peer_address
    }

    /// The request's time in Unix seconds: the pinned time, or the system clock.
    pub fn now(&self) -> i64 {
        self.now.unwrap_or_else(unix_now)
    }
}

impl std::fmt::Debug for Request {
    // Header values may hold credentials: Debug shows names only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path())
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("peer_certificates", &self.peer_certificates.len())
            .field("peer_address", &self.peer_address)
            .field("scheme", &self.scheme)
            .field("now", &self.now)
            .finish()
    }
}

/// The system clock in Unix seconds (0 if the clock is before 1970).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// True if `value` holds CR, LF or NUL. Branch-free byte flags OR-ed together: the compiler
/// turns it into vector compares (header values are short, and checked on every request).
pub(crate) fn has_cr_lf_nul(value: &[u8]) -> bool {
    value
        .iter()
        .map(|&b| u8::from(b == b'\r') | u8::from(b == b'\n') | u8::from(b == 0))
        .fold(0u8, |seen, flag| seen | flag)
        != 0
}

pub(crate) fn trim_ows(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_reads() {
        let r = Request::new("GET", "/a/b?x=1&key=a%20b&key=c")
            .unwrap()
            .header("X-Api-Key", "  k  ")
            .unwrap()
            .header("Accept", "a")
            .unwrap()
            .header("accept", "b")
            .unwrap()
            .at(42);
        assert_eq!(r.path(), "/a/b");
        assert_eq!(r.query(), Some("x=1&key=a%20b&key=c"));
        assert_eq!(r.single_header("x-api-key").unwrap(), Some(&b"k"[..]));
        assert_eq!(
            r.single_header("ACCEPT").unwrap_err().code(),
            ErrorCode::CredentialsAmbiguous
        );
        assert_eq!(r.query_values("key"), vec!["a b", "c"]);
        assert_eq!(r.now(), 42);
        assert!(!format!("{r:?}").contains(" k "));
    }

    #[test]
    fn refuses_bad_parts() {
        let code = |r: Result<Request, Error>| r.unwrap_err().code();
        assert_eq!(code(Request::new("", "/")), ErrorCode::RequestInvalid);
        assert_eq!(code(Request::new("G T", "/")), ErrorCode::RequestInvalid);
        assert_eq!(code(Request::new("GET", "/a b")), ErrorCode::RequestInvalid);
        assert_eq!(code(Request::new("GET", "")), ErrorCode::RequestInvalid);
        assert_eq!(
            code(Request::new("GET", &"/".repeat(9000))),
            ErrorCode::InputTooLarge
        );
        let mut r = Request::new("GET", "/").unwrap();
        assert_eq!(
            r.add_header("a:b", b"x").unwrap_err().code(),
            ErrorCode::RequestInvalid
        );
        assert_eq!(
            r.add_header("a", b"x\r\ny").unwrap_err().code(),
            ErrorCode::RequestInvalid
        );
        assert_eq!(
            r.add_header("a", &vec![b'x'; 20_000]).unwrap_err().code(),
            ErrorCode::InputTooLarge
        );
        for i in 0..256 {
            r.add_header("h", i.to_string().as_bytes()).unwrap();
        }
        assert_eq!(
            r.add_header("h", b"1").unwrap_err().code(),
            ErrorCode::InputTooLarge
        );
    }

    #[test]
    fn bearer_tokens() {
        let with = |value: &str| {
            Request::new("GET", "/")
                .unwrap()
                .header("Authorization", value)
                .unwrap()
        };
        assert_eq!(with("bearer  tok.en ").bearer_token(), Ok(Some("tok.en")));
        assert_eq!(with("Basic abc=").bearer_token(), Ok(None));
        assert_eq!(Request::new("GET", "/").unwrap().bearer_token(), Ok(None));
        for bad in ["Bearer", "Bearer a b", "Bearer a\tb"] {
            let e = with(bad).bearer_token().unwrap_err();
            assert_eq!(e.code(), ErrorCode::HeaderMalformed, "{bad}");
            assert!(e.challenge().is_none());
        }
        let twice = with("Bearer a")
            .header("authorization", "Bearer b")
            .unwrap();
        assert_eq!(
            twice.bearer_token().unwrap_err().code(),
            ErrorCode::CredentialsAmbiguous
        );
    }

    #[test]
    fn authorization_parsing() {
        let r = Request::new("GET", "/")
            .unwrap()
            .header("Authorization", "bAsIc   abc= ")
            .unwrap();
        let a = r.authorization().unwrap().unwrap();
        assert!(a.is_scheme("Basic"));
        assert_eq!(a.credentials, "abc=");
        let r = Request::new("GET", "/")
            .unwrap()
            .header("Authorization", "Bearer a")
            .unwrap()
            .header("authorization", "Bearer b")
            .unwrap();
        assert_eq!(
            r.authorization().unwrap_err().code(),
            ErrorCode::CredentialsAmbiguous
        );
        let r = Request::new("GET", "/")
            .unwrap()
            .header("Authorization", [0xC3u8, 0xA9])
            .unwrap();
        assert_eq!(
            r.authorization().unwrap_err().code(),
            ErrorCode::HeaderMalformed
        );
    }
}
