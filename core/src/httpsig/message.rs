//! The HTTP response model and the message view that components are read from.

use crate::error::{Error, ErrorCode};
use crate::request::{unix_now, HeaderFields, Request, RequestLimits};

/// One HTTP response, for signing and verifying response signatures.
#[derive(Clone)]
pub struct Response {
    status: u16,
    headers: HeaderFields,
    body: Option<Vec<u8>>,
    now: Option<i64>,
    limits: RequestLimits,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("now", &self.now)
            .finish()
    }
}

impl Response {
    /// A response with a three-digit status (100-999) and the default limits.
    pub fn new(status: u16) -> Result<Self, Error> {
        Self::with_limits(status, RequestLimits::default())
    }

    /// A response with explicit limits (the request limits' header and body fields apply).
    pub fn with_limits(status: u16, limits: RequestLimits) -> Result<Self, Error> {
        if !(100..=999).contains(&status) {
            return Err(Error::new(
                ErrorCode::RequestInvalid,
                "status is not a three-digit code",
            ));
        }
        Ok(Response {
            status,
            headers: HeaderFields::default(),
            body: None,
            now: None,
            limits,
        })
    }

    /// Appends a header field; the same checks as [`Request::add_header`].
    pub fn add_header(&mut self, name: &str, value: &[u8]) -> Result<(), Error> {
        self.headers.push(name, value, &self.limits)
    }

    /// Builder form of [`Response::add_header`].
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Result<Self, Error> {
        self.add_header(name, value.as_ref())?;
        Ok(self)
    }

    /// Sets the body (used to check a covered `Content-Digest`).
    pub fn set_body(&mut self, body: Vec<u8>) -> Result<(), Error> {
        if body.len() > self.limits.max_body_len {
            return Err(Error::new(ErrorCode::InputTooLarge, "body too large"));
        }
        self.body = Some(body);
        Ok(())
    }

    /// Pins the time (Unix seconds) used to check the signature's window.
    pub fn set_now(&mut self, unix_seconds: i64) {
        self.now = Some(unix_seconds);
    }

    /// Builder form of [`Response::set_now`].
    pub fn at(mut self, unix_seconds: i64) -> Self {
        self.set_now(unix_seconds);
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// All header fields in order, names lower-cased.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.headers.iter()
    }

    /// Every value of the header `name` (case-insensitive), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers.values(name)
    }

    /// The body, if set.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// The pinned time, or the system clock.
    pub fn now(&self) -> i64 {
        self.now.unwrap_or_else(unix_now)
    }
}

/// The message a signature is computed over: a request, or a response with the request it
/// answers (for components with the `req` parameter).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Message<'a> {
    Request(&'a Request),
    Response(&'a Response, Option<&'a Request>),
}

impl<'a> Message<'a> {
    pub(crate) fn header_values(&self, name: &str) -> Vec<&'a [u8]> {
        match *self {
            Message::Request(r) => r
                .headers()
                .filter(|(n, _)| *n == name)
                .map(|(_, v)| v)
                .collect(),
            Message::Response(r, _) => r
                .headers()
                .filter(|(n, _)| *n == name)
                .map(|(_, v)| v)
                .collect(),
        }
    }

    pub(crate) fn body(&self) -> Option<&'a [u8]> {
        match *self {
            Message::Request(r) => r.body(),
            Message::Response(r, _) => r.body(),
        }
    }

    pub(crate) fn now(&self) -> i64 {
        match *self {
            Message::Request(r) => r.now(),
            Message::Response(r, _) => r.now(),
        }
    }

    /// True when the message declares or carries a non-empty body.
    pub(crate) fn has_body(&self) -> bool {
        if self.body().is_some_and(|b| !b.is_empty()) {
            return true;
        }
        if !self.header_values("transfer-encoding").is_empty() {
            return true;
        }
        self.header_values("content-length")
            .iter()
            .any(|v| v.iter().any(|&b| b != b'0'))
    }
}
