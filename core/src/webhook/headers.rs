//! Where a webhook's headers come from: a built [`Request`], or the pairs a framework hands a
//! handler, borrowed as they are (no copy of the body or of any header).

use crate::decision::Denial;
use crate::error::ErrorCode;
use crate::request::{has_cr_lf_nul, trim_ows, Request, RequestLimits};

/// The header fields of one webhook.
#[derive(Clone, Copy)]
pub(super) enum HeaderSource<'a> {
    /// Validated when the request was built.
    Request(&'a Request),
    /// Checked here, when a field is read, with the same rules and default limits as a
    /// [`Request`]: names compared case-insensitively, values trimmed, CR/LF/NUL refused.
    Pairs(&'a [(&'a str, &'a [u8])]),
}

impl<'a> HeaderSource<'a> {
    /// Refuses more fields or bytes than a [`Request`] with default limits would take.
    pub(super) fn check_limits(&self) -> Result<(), Denial> {
        let HeaderSource::Pairs(pairs) = self else {
            return Ok(());
        };
        let limits = RequestLimits::default();
        if pairs.len() > limits.max_headers {
            return Err(Denial::new(ErrorCode::InputTooLarge, "too many headers"));
        }
        let bytes = pairs
            .iter()
            .fold(0usize, |sum, (n, v)| sum.saturating_add(n.len() + v.len()));
        if bytes > limits.max_header_bytes {
            return Err(Denial::new(ErrorCode::InputTooLarge, "headers too large"));
        }
        Ok(())
    }

    /// True when the field `name` appears at all.
    pub(super) fn present(&self, name: &str) -> bool {
        match self {
            HeaderSource::Request(request) => request.header_values(name).next().is_some(),
            HeaderSource::Pairs(pairs) => pairs.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)),
        }
    }

    /// The value of a header that must appear at most once (a repeat is refused, as
    /// [`Request::single_header`] does).
    pub(super) fn single(&self, name: &str) -> Result<Option<&'a [u8]>, Denial> {
        let pairs = match self {
            HeaderSource::Request(request) => return request.single_header(name),
            HeaderSource::Pairs(pairs) => pairs,
        };
        let mut found = None;
        for (field, value) in pairs.iter() {
            if !field.eq_ignore_ascii_case(name) {
                continue;
            }
            if found.is_some() {
                return Err(Denial::new(
                    ErrorCode::CredentialsAmbiguous,
                    format!("header {name} appears more than once"),
                ));
            }
            if has_cr_lf_nul(value) {
                return Err(Denial::new(
                    ErrorCode::RequestInvalid,
                    format!("header {name} holds CR, LF or NUL"),
                ));
            }
            if value.len() > RequestLimits::default().max_header_value_len {
                return Err(Denial::new(
                    ErrorCode::InputTooLarge,
                    format!("header {name} is too long"),
                ));
            }
            found = Some(trim_ows(value));
        }
        Ok(found)
    }
}
