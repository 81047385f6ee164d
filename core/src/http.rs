//! The HTTP client portcullis fetches documents with: remote JWKS and OpenID Connect / RFC 8414
//! discovery documents (GET), RFC 7662 token introspection (a POST of a form). ureq over rustls
//! with the aws-lc-rs provider, blocking, on the caller's thread (no runtime), so every binding
//! can wrap it.
//!
//! Rules: `https://` only, except `http://` to a loopback host (`localhost`, 127.0.0.0/8,
//! `::1`) for tests and sidecars; no user info in the URL; no redirects (a 3xx is a failure);
//! no proxy (the environment's `HTTPS_PROXY` is ignored); a connect timeout and a total timeout
//! that covers reading the body; a body limit enforced while reading; status 200 required.
//! `Content-Type` is not checked here (JWKS providers send `application/json`,
//! `application/jwk-set+json` and sometimes `text/plain`): it is handed to the caller, which
//! parses the body and may insist on a media type (introspection does).
//! Errors name the host and the HTTP status, never the path, query, request or response body,
//! or a header value (a POST's form and `Authorization` carry tokens and secrets); each caller
//! gives them its own codes ([`FetchError::into_error`]).

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};
use ureq::Agent;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode};

/// The longest URL accepted.
pub const MAX_URL_BYTES: usize = 2048;

/// A URL that passed the https/loopback rule.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct CheckedUrl {
    url: String,
    host: String,
    /// `scheme://authority/path` without the query: safe for status output.
    redacted: String,
}

impl CheckedUrl {
    pub(crate) fn as_str(&self) -> &str {
        &self.url
    }

    /// The host (what errors name).
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// The URL without its query string.
    pub(crate) fn redacted(&self) -> &str {
        &self.redacted
    }
}

impl fmt::Debug for CheckedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

/// True for `localhost`, 127.0.0.0/8 and `::1` (an IPv4-mapped loopback too).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if bare.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// Checks `url` against the rules above; `what` names the field in errors, and `code` is the
/// error to return (`config_invalid` for configuration, `jwt_discovery_invalid` for a
/// discovered `jwks_uri`).
pub(crate) fn check_url(url: &str, what: &str, code: ErrorCode) -> Result<CheckedUrl, Error> {
    let fail = |why: &str| Error::new(code, format!("{what} {why}"));
    if url.is_empty() {
        return Err(fail("is empty"));
    }
    if url.len() > MAX_URL_BYTES {
        return Err(fail("is too long"));
    }
    if url.bytes().any(|b| b <= b' ' || b == 0x7f || b >= 0x80) {
        return Err(fail("holds whitespace, control or non-ASCII characters"));
    }
    if url.contains('#') {
        return Err(fail("has a fragment"));
    }
    let uri: ureq::http::Uri = url.parse().map_err(|_| fail("is not a valid URL"))?;
    let authority = uri.authority().ok_or_else(|| fail("has no host"))?.as_str();
    if authority.contains('@') {
        return Err(fail("holds user info (credentials do not belong in a URL)"));
    }
    let host = uri.host().unwrap_or("");
    if host.is_empty() {
        return Err(fail("has no host"));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback_host(host) => {}
        Some("http") => {
            return Err(fail(
                "must use https (http is allowed only for localhost and loopback addresses)",
            ))
        }
        _ => return Err(fail("must be an https URL")),
    }
    let scheme = uri.scheme_str().unwrap_or("https");
    Ok(CheckedUrl {
        url: url.to_owned(),
        host: host.to_owned(),
        redacted: format!("{scheme}://{authority}{}", uri.path()),
    })
}

/// The HTTP settings of one client.
#[derive(Clone, Debug)]
pub(crate) struct HttpSettings {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub max_bytes: usize,
    pub ca_pem: Option<String>,
    /// The `Accept` header: the media types of the documents this client fetches.
    pub accept: &'static str,
}

/// Why a GET failed, for the caller to give its own codes: the source could not be reached or
/// did not answer 200, or its document is larger than the client's `max_bytes`.
#[derive(Debug)]
pub(crate) enum FetchError {
    Unavailable(String),
    TooLarge(String),
}

impl FetchError {
    /// The error with `unavailable` or `too_large` as its code, the detail kept.
    pub(crate) fn into_error(self, unavailable: ErrorCode, too_large: ErrorCode) -> Error {
        match self {
            FetchError::Unavailable(detail) => Error::new(unavailable, detail),
            FetchError::TooLarge(detail) => Error::new(too_large, detail),
        }
    }
}

/// One response: the body, its media type and the caching headers.
pub(crate) struct Fetched {
    pub body: Vec<u8>,
    /// The `Content-Type` header as sent (parameters included), when there is exactly one.
    pub content_type: Option<String>,
    pub cache_control: String,
    pub age: Option<String>,
}

/// A blocking HTTP client (a ureq agent: connection pool, TLS config) built once per source.
pub(crate) struct HttpClient {
    agent: Agent,
    max_bytes: usize,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

/// The trust anchors of a PEM bundle: at least one certificate, each one usable as a root.
fn roots_from_pem(pem: &str) -> Result<RootCerts, Error> {
    let bad = |why: &str| Error::new(ErrorCode::ConfigInvalid, format!("ca_pem {why}"));
    let mut certs = Vec::new();
    let mut store = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        let cert = cert.map_err(|_| bad("holds a malformed PEM block"))?;
        store
            .add(cert.clone())
            .map_err(|_| bad("holds a certificate that is not a usable root"))?;
        certs.push(Certificate::from_der(cert.as_ref()).to_owned());
    }
    if certs.is_empty() {
        return Err(bad("holds no CERTIFICATE block"));
    }
    Ok(RootCerts::new_with_certs(&certs))
}

impl HttpClient {
    pub(crate) fn new(settings: &HttpSettings) -> Result<Self, Error> {
        let roots = match &settings.ca_pem {
            Some(pem) => roots_from_pem(pem)?,
            None => RootCerts::WebPki,
        };
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(roots)
            .unversioned_rustls_crypto_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .build();
        let agent = Agent::config_builder()
            .tls_config(tls)
            .proxy(None)
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_connect(Some(settings.connect_timeout))
            .timeout_global(Some(settings.timeout))
            .max_response_header_size(64 * 1024)
            .user_agent(concat!("portcullis/", env!("CARGO_PKG_VERSION")))
            .accept(settings.accept)
            .build()
            .new_agent();
        Ok(HttpClient {
            agent,
            max_bytes: settings.max_bytes,
        })
    }

    /// GETs `url`: status 200 and a body of at most `max_bytes`, read incrementally. `what`
    /// names the document in errors ("JWKS", "discovery document").
    pub(crate) fn get(&self, url: &CheckedUrl, what: &str) -> Result<Fetched, FetchError> {
        let unavailable = |why: String| {
            FetchError::Unavailable(format!("{what} fetch from {}: {why}", url.host()))
        };
        let response = self
            .agent
            .get(url.as_str())
            .call()
            .map_err(|e| unavailable(describe(&e)))?;
        self.read(response, url.host(), what, unavailable)
    }

    /// POSTs `form` to `url` as `application/x-www-form-urlencoded`, with `authorization` as
    /// the `Authorization` header when given; the response is read as [`get`](Self::get) reads
    /// it (status 200, no redirect, `max_bytes`). Neither the form (a token, a client secret
    /// or assertion) nor the header ever reaches an error: errors name `what`, the host and the
    /// status.
    pub(crate) fn post_form(
        &self,
        url: &CheckedUrl,
        authorization: Option<&str>,
        form: &[(&str, &str)],
        what: &str,
    ) -> Result<Fetched, FetchError> {
        let unavailable = |why: String| {
            FetchError::Unavailable(format!("{what} request to {}: {why}", url.host()))
        };
        let body = encode_form(form);
        let mut request = self
            .agent
            .post(url.as_str())
            .content_type("application/x-www-form-urlencoded");
        if let Some(authorization) = authorization {
            request = request.header("Authorization", authorization);
        }
        let response = request
            .send(body.as_bytes())
            .map_err(|e| unavailable(describe(&e)))?;
        self.read(response, url.host(), what, unavailable)
    }

    /// Status 200 and a body of at most `max_bytes`, read incrementally.
    fn read(
        &self,
        mut response: ureq::http::Response<ureq::Body>,
        host: &str,
        what: &str,
        unavailable: impl Fn(String) -> FetchError,
    ) -> Result<Fetched, FetchError> {
        let status = response.status().as_u16();
        if status != 200 {
            let why = if (300..400).contains(&status) {
                format!("HTTP status {status} (redirects are not followed)")
            } else {
                format!("HTTP status {status}")
            };
            return Err(unavailable(why));
        }
        let headers = response.headers();
        let cache_control = headers
            .get_all("cache-control")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let age = headers
            .get("age")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut content_types = headers.get_all("content-type").iter();
        let content_type = match (content_types.next(), content_types.next()) {
            (Some(one), None) => one.to_str().ok().map(str::to_owned),
            _ => None,
        };
        let declared = headers
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let too_large = || {
            FetchError::TooLarge(format!(
                "{what} from {host} is larger than max_bytes ({})",
                self.max_bytes
            ))
        };
        if declared.is_some_and(|n| n > self.max_bytes as u64) {
            return Err(too_large());
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_bytes as u64)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => too_large(),
                e => unavailable(describe(&e)),
            })?;
        Ok(Fetched {
            body,
            content_type,
            cache_control,
            age,
        })
    }
}

/// `application/x-www-form-urlencoded` (the WHATWG serializer: `*-._` and alphanumerics kept,
/// space as `+`, every other byte percent-encoded), in memory that is wiped when dropped: the
/// form holds a token and possibly a client secret. The buffer is sized for the worst case up
/// front, so no partial copy is left behind by a reallocation.
pub(crate) fn encode_form(form: &[(&str, &str)]) -> Zeroizing<String> {
    let worst: usize = form
        .iter()
        .map(|(name, value)| 3 * (name.len() + value.len()) + 2)
        .sum();
    let mut serializer = form_urlencoded::Serializer::new(String::with_capacity(worst));
    for (name, value) in form {
        serializer.append_pair(name, value);
    }
    Zeroizing::new(serializer.finish())
}

/// A safe description of a transport failure: fixed words, or the TLS reason (which names no
/// URL, header or body).
fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        ureq::Error::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
            // rustls reports handshake failures (unknown issuer, wrong name) through io::Error.
            Some(tls) => format!("TLS failed: {tls}"),
            None => format!("connection failed ({:?})", io.kind()),
        },
        ureq::Error::Rustls(tls) => format!("TLS failed: {tls}"),
        ureq::Error::Tls(why) => format!("TLS failed: {why}"),
        ureq::Error::TooManyRedirects | ureq::Error::RedirectFailed => {
            "redirects are not followed".into()
        }
        ureq::Error::Protocol(_) => "malformed HTTP response".into(),
        _ => "request failed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> CheckedUrl {
        check_url(url, "url", ErrorCode::ConfigInvalid).unwrap()
    }

    fn refused(url: &str) {
        let e = check_url(url, "url", ErrorCode::ConfigInvalid).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ConfigInvalid, "{url}");
    }

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert_eq!(
            ok("https://idp.example/.well-known/jwks.json").host(),
            "idp.example"
        );
        ok("http://127.0.0.1:8080/jwks");
        ok("http://127.1.2.3/jwks");
        ok("http://localhost/jwks");
        ok("http://LOCALHOST:99/jwks");
        ok("http://[::1]:8080/jwks");
        ok("http://[::ffff:127.0.0.1]/jwks");
        refused("http://idp.example/jwks");
        refused("http://10.0.0.1/jwks");
        refused("http://[::2]/jwks");
        refused("http://localhost.example/jwks");
        refused("http://127.0.0.1.nip.io/jwks");
        refused("ftp://idp.example/jwks");
        refused("idp.example/jwks");
        refused("/jwks");
        refused("");
    }

    #[test]
    fn malformed_urls_are_refused() {
        refused("https://user:pass@idp.example/jwks");
        refused("https://idp.example/jwks#frag");
        refused("https://idp.example/j wks");
        refused("https:///jwks");
        refused("https://idp.example/jwks\n");
        refused(&format!(
            "https://idp.example/{}",
            "a".repeat(MAX_URL_BYTES)
        ));
    }

    #[test]
    fn the_query_is_redacted() {
        let u = ok("https://idp.example:8443/keys?token=secret");
        assert_eq!(u.redacted(), "https://idp.example:8443/keys");
        assert!(!format!("{u:?}").contains("secret"));
    }

    #[test]
    fn forms_are_urlencoded() {
        let form = encode_form(&[
            ("token", "a b+c/d=e&f"),
            ("token_type_hint", "access_token"),
            ("x", "\u{e9}~*-._"),
        ]);
        assert_eq!(
            form.as_str(),
            "token=a+b%2Bc%2Fd%3De%26f&token_type_hint=access_token&x=%C3%A9%7E*-._"
        );
        assert_eq!(encode_form(&[]).as_str(), "");
    }

    #[test]
    fn ca_pem_must_hold_a_certificate() {
        assert_eq!(
            roots_from_pem("nothing").unwrap_err().code(),
            ErrorCode::ConfigInvalid
        );
        let bad = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert_eq!(
            roots_from_pem(bad).unwrap_err().code(),
            ErrorCode::ConfigInvalid
        );
    }
}
