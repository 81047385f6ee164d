//! Short text kept inline: the values a decision and its audit event carry (ids, names, path
//! parameters) cost no allocation in the common case.

use std::fmt;

/// Text held inline up to `N` bytes (ids and names usually are), boxed beyond: an event that
/// carries it needs no allocation in the common case.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum InlineText<const N: usize> {
    Inline { len: u8, bytes: [u8; N] },
    Boxed(Box<str>),
}

impl<const N: usize> InlineText<N> {
    pub(crate) fn new(text: &str) -> Self {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= N => {
                let mut bytes = [0; N];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                InlineText::Inline { len, bytes }
            }
            _ => InlineText::Boxed(text.into()),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Copied from a `&str` whole, so always UTF-8.
            InlineText::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            InlineText::Boxed(text) => text,
        }
    }
}

impl<const N: usize> fmt::Debug for InlineText<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> Default for InlineText<N> {
    fn default() -> Self {
        InlineText::Inline {
            len: 0,
            bytes: [0; N],
        }
    }
}
