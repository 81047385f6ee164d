//! A request from fuzz bytes, split by hand (no parser crate: the split is part of the target):
//!
//! ```text
//! METHOD \n TARGET \n NOW [PEER-ADDRESS] \n Name: value \n ... \n \n BODY
//! ```
//!
//! The head ends at the first empty line; without one the request has no body. `NOW` is Unix
//! seconds (the target's default when it does not parse); the head holds at most
//! [`MAX_HEAD_LINES`] lines. [`encode`] writes a vector's request in this form for the seeds.

use std::net::IpAddr;

use portcullis::{Error, Request};

/// Most head lines read (method, target, time and headers); later ones are dropped.
pub const MAX_HEAD_LINES: usize = 72;

/// The parts of a request, as split from the fuzz bytes.
pub struct RawRequest<'a> {
    pub method: String,
    pub target: String,
    pub now: Option<i64>,
    pub peer: Option<IpAddr>,
    pub headers: Vec<(String, &'a [u8])>,
    pub body: Option<&'a [u8]>,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Splits `data` into the parts of a request.
pub fn split(data: &[u8]) -> RawRequest<'_> {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&data[..at], Some(&data[at + 2..])),
        None => (data, None),
    };
    let mut lines = head.split(|&b| b == b'\n').take(MAX_HEAD_LINES);
    let method = text(lines.next().unwrap_or_default());
    let target = text(lines.next().unwrap_or_default());
    let clock = text(lines.next().unwrap_or_default());
    let mut clock_parts = clock.split(' ');
    let now = clock_parts.next().and_then(|t| t.parse().ok());
    let peer = clock_parts.next().and_then(|a| a.parse().ok());
    let headers = lines
        .map(|line| match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                let skip = value.iter().take_while(|&&b| b == b' ').count();
                (text(&line[..colon]), &value[skip..])
            }
            None => (text(line), &b""[..]),
        })
        .collect();
    RawRequest {
        method,
        target,
        now,
        peer,
        headers,
        body,
    }
}

impl RawRequest<'_> {
    /// The request these parts make, at `now` unless the bytes named a time; building it may
    /// fail with a named error (a method that is not a token, a header value with a NUL, ...).
    pub fn build(&self, default_now: i64) -> Result<Request, Error> {
        let mut request = Request::new(&self.method, &self.target)?;
        for (name, value) in &self.headers {
            request.add_header(name, value)?;
        }
        if let Some(body) = self.body {
            request.set_body(body.to_vec())?;
        }
        if let Some(peer) = self.peer {
            request.set_peer_address(peer);
        }
        request.set_now(self.now.unwrap_or(default_now));
        Ok(request)
    }

    /// The header fields as `verify_payload` takes them.
    pub fn header_pairs(&self) -> Vec<(&str, &[u8])> {
        self.headers.iter().map(|(n, v)| (n.as_str(), *v)).collect()
    }
}

/// The bytes [`split`] reads back as these parts.
pub fn encode(
    method: &str,
    target: &str,
    now: i64,
    peer: Option<&str>,
    headers: &[(String, Vec<u8>)],
    body: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = format!("{method}\n{target}\n{now}").into_bytes();
    if let Some(peer) = peer {
        out.extend_from_slice(format!(" {peer}").as_bytes());
    }
    for (name, value) in headers {
        out.push(b'\n');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
    }
    if let Some(body) = body {
        out.extend_from_slice(b"\n\n");
        out.extend_from_slice(body);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_splits_back() {
        let headers = vec![("Host".to_owned(), b"a.example".to_vec())];
        let bytes = encode(
            "POST",
            "/x?y=1",
            7,
            Some("10.0.0.1"),
            &headers,
            Some(b"{}\n\nz"),
        );
        let raw = split(&bytes);
        assert_eq!(
            (raw.method.as_str(), raw.target.as_str()),
            ("POST", "/x?y=1")
        );
        assert_eq!(raw.now, Some(7));
        assert_eq!(raw.peer, Some("10.0.0.1".parse().unwrap()));
        assert_eq!(raw.headers, vec![("Host".to_owned(), &b"a.example"[..])]);
        assert_eq!(raw.body, Some(&b"{}\n\nz"[..]));
        assert!(raw.build(0).is_ok());
    }
}
