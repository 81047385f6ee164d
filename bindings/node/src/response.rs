//! `Response`: an HTTP response, for signing and verifying RFC 9421 response signatures.
//!
//! Built like a `Request` (the same header shapes and checks); validation is the core's.

use napi::bindgen_prelude::{Buffer, Unknown};
use napi::{Env, Result};
use napi_derive::napi;

use crate::errors::{unix_seconds, OrThrow};
use crate::request::header_list;

/// What a `Response` is built from.
#[napi(object)]
pub struct ResponseOptions<'a> {
    /// The status code (100-999).
    pub status: f64,
    /// Header fields, in any shape `Request` accepts.
    #[napi(
        ts_type = "Array<[string, string | Buffer]> | Record<string, string | Buffer | Array<string | Buffer>> | Array<string | Buffer>"
    )]
    pub headers: Option<Unknown<'a>>,
    /// The raw body bytes (needed to check a covered `Content-Digest`).
    pub body: Option<Buffer>,
    /// The response's time in Unix seconds; the system clock when absent.
    pub now: Option<f64>,
}

/// One HTTP response as the RFC 9421 signer and verifier see it. Immutable once built.
#[napi]
pub struct Response {
    pub(crate) inner: portcullis::httpsig::Response,
}

/// The status as the core's `u16`; a value that is not a whole number in range becomes 0,
/// which the core refuses (`request_invalid`) like any status outside 100-999.
fn status_code(status: f64) -> u16 {
    if status.is_finite() && status.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(&status)
    {
        status as u16
    } else {
        0
    }
}

#[napi]
impl Response {
    /// Builds and validates a response. Throws an `Error` with `code` (`request_invalid`,
    /// `input_too_large`, `invalid_argument`).
    #[napi(catch_unwind, constructor)]
    pub fn new(env: Env, options: ResponseOptions) -> Result<Self> {
        let mut inner =
            portcullis::httpsig::Response::new(status_code(options.status)).or_throw(&env)?;
        if let Some(headers) = options.headers {
            for (name, value) in header_list(headers)? {
                inner.add_header(&name, &value).or_throw(&env)?;
            }
        }
        if let Some(body) = options.body {
            inner.set_body(body.to_vec()).or_throw(&env)?;
        }
        if let Some(now) = options.now {
            inner.set_now(unix_seconds(now, "now").or_throw(&env)?);
        }
        Ok(Response { inner })
    }

    /// The status code.
    #[napi(catch_unwind, getter)]
    pub fn status(&self) -> u32 {
        u32::from(self.inner.status())
    }

    /// The response's time in Unix seconds (the pinned time, or the system clock).
    #[napi(catch_unwind, getter)]
    pub fn now(&self) -> i64 {
        self.inner.now()
    }

    /// Header names in order, lower-cased.
    #[napi(catch_unwind, getter)]
    pub fn header_names(&self) -> Vec<String> {
        self.inner.headers().map(|(n, _)| n.to_owned()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::status_code;

    #[test]
    fn status_code_maps_unrepresentable_values_to_zero() {
        assert_eq!(status_code(200.0), 200);
        assert_eq!(status_code(999.0), 999);
        for bad in [-1.0, 200.5, 65_536.0, f64::NAN, f64::INFINITY] {
            assert_eq!(status_code(bad), 0);
        }
    }
}
