//! `Request`: the request view every verifier reads, built from an options object.
//!
//! Headers come as an array of `[name, value]` pairs, a plain object (`{ name: value }`, a
//! value may be an array for a repeated field, as in Node's `req.headers`) or Node's flat
//! `req.rawHeaders` array (`[name, value, name, value, ...]`). Values are strings or Buffers.
//! Validation (token names, CR/LF/NUL, size limits) is the core's.

use std::net::IpAddr;

use napi::bindgen_prelude::{Buffer, Either, Object, Unknown};
use napi::{Env, Error, JsValue, Result, Status, ValueType};
use napi_derive::napi;

use crate::errors::{invalid_argument, unix_seconds, OrThrow};

/// What a `Request` is built from.
#[napi(object)]
pub struct RequestOptions<'a> {
    /// The HTTP method (`GET`, `POST`, ...).
    pub method: String,
    /// The request target: path and query, e.g. `/orders?id=7`.
    pub target: String,
    /// Header fields: `[name, value]` pairs, a `{ name: value }` object, or Node's flat
    /// `rawHeaders` array. Values are strings or Buffers.
    #[napi(
        ts_type = "Array<[string, string | Buffer]> | Record<string, string | Buffer | Array<string | Buffer>> | Array<string | Buffer>"
    )]
    pub headers: Option<Unknown<'a>>,
    /// The raw body bytes.
    pub body: Option<Buffer>,
    /// The peer certificate chain, DER, leaf first.
    pub peer_certificates: Option<Vec<Buffer>>,
    /// The address the connection came from (`203.0.113.7`, `::1`).
    pub peer_address: Option<String>,
    /// The request's time in Unix seconds; the system clock when absent.
    pub now: Option<f64>,
    /// The URI scheme the request arrived on (`https`, `http`): needed to sign or verify
    /// `@scheme` and `@target-uri` (RFC 9421) when the target is not in absolute form.
    pub scheme: Option<String>,
}

/// One HTTP request as the verifiers see it. Immutable once built.
#[napi]
pub struct Request {
    pub(crate) inner: portcullis::Request,
}

#[napi]
impl Request {
    /// Builds and validates a request. Throws an `Error` with `code` (`request_invalid`,
    /// `input_too_large`, `invalid_argument`) when the request is not valid HTTP.
    #[napi(catch_unwind, constructor)]
    pub fn new(env: Env, options: RequestOptions) -> Result<Self> {
        let mut inner =
            portcullis::Request::new(&options.method, &options.target).or_throw(&env)?;
        if let Some(headers) = options.headers {
            for (name, value) in header_list(headers)? {
                inner.add_header(&name, &value).or_throw(&env)?;
            }
        }
        let connection = Connection {
            body: options.body,
            peer_certificates: options.peer_certificates,
            peer_address: options.peer_address,
            scheme: options.scheme,
            now: options.now,
        };
        connection.fill(&env, &mut inner)?;
        Ok(Request { inner })
    }

    /// The method, as sent.
    #[napi(catch_unwind, getter)]
    pub fn method(&self) -> String {
        self.inner.method().to_owned()
    }

    /// The request target (path and query).
    #[napi(catch_unwind, getter)]
    pub fn target(&self) -> String {
        self.inner.target().to_owned()
    }

    /// The request's time in Unix seconds (the pinned time, or the system clock).
    #[napi(catch_unwind, getter)]
    pub fn now(&self) -> i64 {
        self.inner.now()
    }

    /// The URI scheme the host supplied (lower-cased), or `null`.
    #[napi(catch_unwind, getter)]
    pub fn scheme(&self) -> Option<String> {
        self.inner.scheme().map(str::to_owned)
    }

    /// Header names in order, lower-cased (values are not exposed: they may hold credentials).
    #[napi(catch_unwind, getter)]
    pub fn header_names(&self) -> Vec<String> {
        self.inner.headers().map(|(n, _)| n.to_owned()).collect()
    }
}

/// What a request carries besides its method, target and headers.
pub(crate) struct Connection {
    pub(crate) body: Option<Buffer>,
    pub(crate) peer_certificates: Option<Vec<Buffer>>,
    pub(crate) peer_address: Option<String>,
    pub(crate) scheme: Option<String>,
    pub(crate) now: Option<f64>,
}

impl Connection {
    pub(crate) fn fill(self, env: &Env, inner: &mut portcullis::Request) -> Result<()> {
        if let Some(body) = self.body {
            inner.set_body(body.to_vec()).or_throw(env)?;
        }
        for der in self.peer_certificates.unwrap_or_default() {
            inner.add_peer_certificate(der.to_vec()).or_throw(env)?;
        }
        if let Some(address) = self.peer_address {
            let ip = address
                .parse::<IpAddr>()
                .map_err(|_| invalid_argument("peerAddress is not an IP address"))
                .or_throw(env)?;
            inner.set_peer_address(ip);
        }
        if let Some(scheme) = self.scheme {
            inner.set_scheme(&scheme).or_throw(env)?;
        }
        if let Some(now) = self.now {
            inner.set_now(unix_seconds(now, "now").or_throw(env)?);
        }
        Ok(())
    }
}

/// The request of an HTTP message as Node's server hands it over: its raw headers as one
/// string, every name and value followed by a NUL but the last (`rawHeaders.join('\0')`), and
/// how many there are. One string crosses N-API instead of one per field. Node's parser passes
/// no NUL inside a field, and a field that held one would change the count: refused.
pub(crate) fn message_request(
    env: &Env,
    method: &str,
    target: &str,
    raw_headers: &str,
    count: u32,
    connection: Connection,
) -> Result<portcullis::Request> {
    let mut inner = portcullis::Request::new(method, target).or_throw(env)?;
    let mut fields = (count > 0)
        .then(|| raw_headers.split('\0'))
        .into_iter()
        .flatten();
    let mut seen = 0u32;
    while let Some(name) = fields.next() {
        let value = fields
            .next()
            .ok_or_else(|| type_error("a name without a value"))?;
        inner.add_header(name, value.as_bytes()).or_throw(env)?;
        seen += 2;
    }
    if seen != count || (count == 0 && !raw_headers.is_empty()) {
        return Err(type_error(
            "the raw headers do not hold as many fields as counted",
        ));
    }
    connection.fill(env, &mut inner)?;
    Ok(inner)
}

fn type_error(what: &str) -> Error {
    Error::new(Status::InvalidArg, format!("headers: {what}"))
}

fn header_value(value: Unknown) -> Result<Vec<u8>> {
    // SAFETY of the conversion is napi's; a wrong type is an InvalidArg error, never a crash.
    let either: Either<String, Buffer> = unsafe { value.cast() }
        .ok()
        .ok_or_else(|| type_error("a value must be a string or a Buffer"))?;
    Ok(match either {
        Either::A(text) => text.into_bytes(),
        Either::B(bytes) => bytes.to_vec(),
    })
}

fn is_array(value: &Unknown) -> Result<bool> {
    value.is_array()
}

/// Converts any accepted header shape into ordered `(name, value)` pairs.
pub(crate) fn header_list(headers: Unknown) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    if is_array(&headers)? {
        let items: Vec<Unknown> = unsafe { headers.cast() }?;
        let pairs = items.first().map(is_array).transpose()?.unwrap_or(false);
        if pairs {
            for item in items {
                if !is_array(&item)? {
                    return Err(type_error("mixes [name, value] pairs with other items"));
                }
                let pair: Vec<Unknown> = unsafe { item.cast() }?;
                let [name, value] = <[Unknown; 2]>::try_from(pair)
                    .map_err(|_| type_error("each pair must be [name, value]"))?;
                out.push((header_name(name)?, header_value(value)?));
            }
        } else {
            if !items.len().is_multiple_of(2) {
                return Err(type_error(
                    "a flat rawHeaders array must have an even length",
                ));
            }
            let mut items = items.into_iter();
            while let (Some(name), Some(value)) = (items.next(), items.next()) {
                out.push((header_name(name)?, header_value(value)?));
            }
        }
        return Ok(out);
    }
    if headers.get_type()? != ValueType::Object || headers.is_buffer()? {
        return Err(type_error(
            "must be an array of [name, value] pairs, a flat rawHeaders array or an object",
        ));
    }
    let object: Object = unsafe { headers.cast() }?;
    for name in Object::keys(&object)? {
        let Some(value) = object.get::<Unknown>(&name)? else {
            continue;
        };
        if is_array(&value)? {
            let values: Vec<Unknown> = unsafe { value.cast() }?;
            for v in values {
                out.push((name.clone(), header_value(v)?));
            }
        } else {
            out.push((name.clone(), header_value(value)?));
        }
    }
    Ok(out)
}

fn header_name(value: Unknown) -> Result<String> {
    if value.get_type()? != ValueType::String {
        return Err(type_error("a name must be a string"));
    }
    unsafe { value.cast() }
}
