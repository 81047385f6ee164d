//! Client certificates forwarded by a TLS-terminating proxy: Envoy `x-forwarded-client-cert`
//! and nginx `$ssl_client_escaped_cert`, accepted only from trusted proxy addresses.
//!
//! Only the certificate bytes are taken from the header; they are verified exactly like a
//! certificate from the TLS stack. XFCC's `Hash`, `Subject`, `URI`, `DNS` and `By` are never
//! trusted.

use std::net::IpAddr;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use super::config::{ForwardedConfig, ForwardedFormat};
use crate::error::{Error, ErrorCode};

/// Largest forwarded header value read, in bytes.
pub const MAX_FORWARDED_HEADER_BYTES: usize = 64 * 1024;
/// Most XFCC elements (proxy hops) read.
const MAX_XFCC_ELEMENTS: usize = 32;
/// Most key=value pairs in one XFCC element.
const MAX_XFCC_PAIRS: usize = 32;

fn malformed(detail: &'static str) -> Error {
    Error::new(ErrorCode::MtlsForwardedMalformed, detail)
}

/// An address range, `addr/prefix`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `10.0.0.0/8`, `::1/128` or a bare address (a /32 or /128). Host bits must be zero.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = || Error::new(ErrorCode::ConfigInvalid, format!("invalid CIDR {text:?}"));
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => {
                let addr: IpAddr = a.parse().map_err(|_| bad())?;
                if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                (addr, p.parse::<u8>().map_err(|_| bad())?)
            }
            None => {
                let addr: IpAddr = text.parse().map_err(|_| bad())?;
                (addr, if addr.is_ipv4() { 32 } else { 128 })
            }
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if prefix > max {
            return Err(bad());
        }
        let cidr = Cidr { addr, prefix };
        if bits(addr) & !mask(prefix, max) != 0 {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!("CIDR {text:?} has host bits set"),
            ));
        }
        Ok(cidr)
    }

    /// True when `ip` is inside the range. IPv4-mapped IPv6 addresses count as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        let max = match (self.addr, ip) {
            (IpAddr::V4(_), IpAddr::V4(_)) => 32,
            (IpAddr::V6(_), IpAddr::V6(_)) => 128,
            _ => return false,
        };
        let m = mask(self.prefix, max);
        bits(ip) & m == bits(self.addr) & m
    }
}

fn bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// The network mask of `prefix` bits in an address of `max` bits, as the low bits of a u128.
fn mask(prefix: u8, max: u8) -> u128 {
    if prefix == 0 {
        return 0;
    }
    let all: u128 = if max == 128 {
        u128::MAX
    } else {
        (1u128 << max) - 1
    };
    let host = u32::from(max - prefix);
    (all >> host) << host
}

/// The parsed `forwarded` configuration.
#[derive(Clone, Debug)]
pub(crate) struct Forwarded {
    pub(crate) header: String,
    format: ForwardedFormat,
    proxies: Vec<Cidr>,
}

impl Forwarded {
    pub(crate) fn new(config: &ForwardedConfig) -> Result<Self, Error> {
        let name = config.header.trim();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
        {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                "forwarded.header is not a header name",
            ));
        }
        if config.trusted_proxies.is_empty() {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                "forwarded.trusted_proxies is empty: no proxy could forward a certificate",
            ));
        }
        Ok(Forwarded {
            header: name.to_ascii_lowercase(),
            format: config.format,
            proxies: config
                .trusted_proxies
                .iter()
                .map(|c| Cidr::parse(c))
                .collect::<Result<_, _>>()?,
        })
    }

    /// True when `peer` is one of the trusted proxies.
    pub(crate) fn trusts(&self, peer: Option<IpAddr>) -> bool {
        peer.is_some_and(|ip| self.proxies.iter().any(|c| c.contains(ip)))
    }

    /// The DER chain (leaf first) in the header value; empty when the proxy forwarded none.
    pub(crate) fn parse(&self, value: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
        if value.len() > MAX_FORWARDED_HEADER_BYTES {
            return Err(malformed("forwarded certificate header is too large"));
        }
        let text = std::str::from_utf8(value)
            .map_err(|_| malformed("forwarded certificate header is not UTF-8"))?;
        match self.format {
            ForwardedFormat::Xfcc => parse_xfcc(text),
            ForwardedFormat::Nginx => {
                if text.trim().is_empty() {
                    return Ok(Vec::new());
                }
                pem_chain(&percent_decode(text.trim())?)
            }
        }
    }
}

/// The certificates of the XFCC element appended by the nearest proxy (the last one): its
/// `Chain` when present, else its `Cert`.
pub(crate) fn parse_xfcc(text: &str) -> Result<Vec<Vec<u8>>, Error> {
    let elements = split_unquoted(text, b',')?;
    if elements.len() > MAX_XFCC_ELEMENTS {
        return Err(malformed("too many XFCC elements"));
    }
    let last = elements
        .last()
        .ok_or_else(|| malformed("empty XFCC header"))?;
    let mut cert = None;
    let mut chain = None;
    let mut seen: Vec<String> = Vec::new();
    let pairs = split_unquoted(last, b';')?;
    if pairs.len() > MAX_XFCC_PAIRS {
        return Err(malformed("too many XFCC pairs"));
    }
    for pair in pairs {
        let (key, raw) = pair
            .split_once('=')
            .ok_or_else(|| malformed("XFCC pair without ="))?;
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(malformed("XFCC key is not a token"));
        }
        let value = unquote(raw.trim())?;
        if key != "uri" && key != "dns" && seen.contains(&key) {
            return Err(malformed("XFCC key repeated in one element"));
        }
        seen.push(key.clone());
        match key.as_str() {
            "cert" => cert = Some(value),
            "chain" => chain = Some(value),
            // By, Hash, Subject, URI, DNS: informational only, never trusted.
            _ => {}
        }
    }
    let encoded = chain
        .or(cert)
        .ok_or_else(|| malformed("XFCC element has neither Cert nor Chain"))?;
    if encoded.is_empty() {
        return Err(malformed("XFCC Cert is empty"));
    }
    pem_chain(&percent_decode(&encoded)?)
}

/// Splits at `sep` outside double quotes; a backslash escapes the next character inside quotes.
fn split_unquoted(text: &str, sep: u8) -> Result<Vec<&str>, Error> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut i) = (0, false, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b if b == sep && !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if quoted {
        return Err(malformed("unterminated quoted string in XFCC"));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

/// A value, unquoted and unescaped when quoted.
fn unquote(raw: &str) -> Result<String, Error> {
    let Some(inner) = raw.strip_prefix('"') else {
        if raw.contains('"') {
            return Err(malformed("stray quote in XFCC value"));
        }
        return Ok(raw.to_owned());
    };
    let inner = inner
        .strip_suffix('"')
        .ok_or_else(|| malformed("XFCC value has text after its closing quote"))?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(
                chars
                    .next()
                    .ok_or_else(|| malformed("dangling escape in XFCC value"))?,
            ),
            '"' => return Err(malformed("unescaped quote inside an XFCC value")),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Percent-decoding (`%XX`; `+` is kept as is: PEM's base64 `+` arrives either way).
pub(crate) fn percent_decode(text: &str) -> Result<Vec<u8>, Error> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| malformed("bad percent-encoding in forwarded certificate"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Every `CERTIFICATE` block of a PEM text, in order (text between blocks is ignored).
fn pem_chain(pem: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    for item in CertificateDer::pem_slice_iter(pem) {
        let der = item.map_err(|_| malformed("forwarded certificate is not PEM"))?;
        out.push(der.to_vec());
        if out.len() > MAX_XFCC_ELEMENTS {
            return Err(malformed("too many forwarded certificates"));
        }
    }
    if out.is_empty() {
        return Err(malformed("forwarded value holds no PEM certificate"));
    }
    Ok(out)
}
