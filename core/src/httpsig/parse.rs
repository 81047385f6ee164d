//! Reading the `Signature-Input` and `Signature` dictionaries (section 4).

use std::collections::HashSet;
use std::convert::Infallible;

use sfv::visitor::{DictionaryVisitor, EntryVisitor};
use sfv::{BareItem, Dictionary, KeyRef, ListEntry, Parser};

use super::message::Message;
use crate::error::{Error, ErrorCode};

fn malformed(detail: String) -> Error {
    Error::new(ErrorCode::SignatureMalformed, detail)
}

/// Builds a dictionary and notes the first repeated key (RFC 8941 keeps the last one; a
/// signature header with a repeated label is ambiguous, so it is refused).
struct NoRepeats {
    dict: Dictionary,
    seen: HashSet<String>,
    repeated: Option<String>,
}

impl<'de> DictionaryVisitor<'de> for NoRepeats {
    type Out = (Dictionary, Option<String>);
    type Error = Infallible;

    fn entry(&mut self, key: &'de KeyRef) -> Result<impl EntryVisitor<'de>, Self::Error> {
        if !self.seen.insert(key.as_str().to_owned()) && self.repeated.is_none() {
            self.repeated = Some(key.as_str().to_owned());
        }
        DictionaryVisitor::entry(&mut self.dict, key)
    }

    fn finish(self) -> Result<Self::Out, Self::Error> {
        Ok((self.dict, self.repeated))
    }
}

/// Parses a dictionary header of `msg` (all field lines joined); `Ok(None)` when absent.
pub(crate) fn dictionary_header(
    msg: Message<'_>,
    name: &str,
    max_len: usize,
    max_members: usize,
) -> Result<Option<Dictionary>, Error> {
    let values = msg.header_values(name);
    if values.is_empty() {
        return Ok(None);
    }
    let joined = values.join(&b", "[..]);
    if joined.len() > max_len {
        return Err(Error::new(
            ErrorCode::InputTooLarge,
            format!("{name} is longer than {max_len} bytes"),
        ));
    }
    let visitor = NoRepeats {
        dict: Dictionary::new(),
        seen: HashSet::new(),
        repeated: None,
    };
    let (dict, repeated) = Parser::new(&joined)
        .parse_dictionary_with_visitor(visitor)
        .map_err(|e| malformed(format!("{name} is not a structured dictionary: {e}")))?;
    if let Some(label) = repeated {
        return Err(malformed(format!("{name} repeats the label {label:?}")));
    }
    if dict.len() > max_members {
        return Err(Error::new(
            ErrorCode::InputTooLarge,
            format!("{name} has more than {max_members} members"),
        ));
    }
    Ok(Some(dict))
}

/// The signature bytes of `label` in the `Signature` dictionary.
pub(crate) fn signature_bytes<'d>(dict: &'d Dictionary, label: &str) -> Result<&'d [u8], Error> {
    match dict.get(label) {
        None => Err(malformed(format!(
            "Signature has no member {label:?} for its Signature-Input"
        ))),
        Some(ListEntry::Item(item)) => match &item.bare_item {
            BareItem::ByteSequence(b) => Ok(b.as_slice()),
            _ => Err(malformed(format!(
                "Signature member {label:?} is not a byte sequence"
            ))),
        },
        Some(ListEntry::InnerList(_)) => Err(malformed(format!(
            "Signature member {label:?} is an inner list"
        ))),
    }
}
