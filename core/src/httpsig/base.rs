//! Signature parameters (section 2.3) and the signature base (section 2.5).

use std::collections::{HashMap, HashSet};

use sfv::{BareItem, InnerList, List, ListEntry, ListSerializer, Parser};

use super::components::{sf_table, Component, SfType};
use super::message::{Message, Response};
use crate::error::{Error, ErrorCode};
use crate::request::Request;

fn malformed(detail: String) -> Error {
    Error::new(ErrorCode::SignatureMalformed, detail)
}

/// Most components one signature may cover.
pub(crate) const MAX_COMPONENTS: usize = 64;

/// One `Signature-Input` member: the covered components and the signature parameters.
#[derive(Clone, Debug)]
pub(crate) struct SigParams {
    list: InnerList,
    pub(crate) components: Vec<Component>,
    pub(crate) created: Option<i64>,
    pub(crate) expires: Option<i64>,
    pub(crate) nonce: Option<String>,
    pub(crate) keyid: Option<String>,
    pub(crate) alg: Option<String>,
    pub(crate) tag: Option<String>,
}

impl SigParams {
    /// Validates a member: items are component identifiers (no repeats, no
    /// `@signature-params`), `created`/`expires` are non-negative integers, `nonce`, `keyid`,
    /// `alg` and `tag` are strings. Other parameters are kept: they are covered too.
    pub(crate) fn from_inner_list(list: &InnerList, max_components: usize) -> Result<Self, Error> {
        if list.items.len() > max_components {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                format!("more than {max_components} covered components"),
            ));
        }
        let mut components = Vec::with_capacity(list.items.len());
        let mut seen = HashSet::new();
        for item in &list.items {
            let c = Component::from_item(item)?;
            if c.name == "@signature-params" {
                return Err(malformed("@signature-params cannot be covered".into()));
            }
            if !seen.insert(c.identifier()) {
                return Err(malformed(format!(
                    "component {} is covered twice",
                    c.identifier()
                )));
            }
            components.push(c);
        }
        let mut p = SigParams {
            list: list.clone(),
            components,
            created: None,
            expires: None,
            nonce: None,
            keyid: None,
            alg: None,
            tag: None,
        };
        for (k, v) in &list.params {
            let int = || match v {
                BareItem::Integer(i) => {
                    let n = i64::from(*i);
                    if n < 0 {
                        Err(malformed(format!("{} is negative", k.as_str())))
                    } else {
                        Ok(Some(n))
                    }
                }
                _ => Err(malformed(format!("{} must be an integer", k.as_str()))),
            };
            let string = || match v {
                BareItem::String(s) => Ok(Some(s.as_str().to_owned())),
                _ => Err(malformed(format!("{} must be a string", k.as_str()))),
            };
            match k.as_str() {
                "created" => p.created = int()?,
                "expires" => p.expires = int()?,
                "nonce" => p.nonce = string()?,
                "keyid" => p.keyid = string()?,
                "alg" => p.alg = string()?,
                "tag" => p.tag = string()?,
                _ => {}
            }
        }
        Ok(p)
    }

    /// Parses the text of one member (`("@method" ...);created=...`).
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        let list: List = Parser::new(text)
            .parse()
            .map_err(|e| malformed(format!("signature parameters do not parse: {e}")))?;
        match list.as_slice() {
            [ListEntry::InnerList(inner)] => Self::from_inner_list(inner, MAX_COMPONENTS),
            _ => Err(malformed(
                "signature parameters are not one inner list".into(),
            )),
        }
    }

    /// Builds the member from parts, in the order created, expires, keyid, alg, nonce, tag.
    pub(crate) fn build(items: Vec<sfv::Item>, params: sfv::Parameters) -> Result<Self, Error> {
        Self::from_inner_list(&InnerList::with_params(items, params), MAX_COMPONENTS)
    }

    /// The serialized member: the `@signature-params` value and the `Signature-Input` value.
    pub(crate) fn serialize(&self) -> String {
        let mut ser = ListSerializer::new();
        ser.members(std::iter::once(&ListEntry::InnerList(self.list.clone())));
        ser.finish().unwrap_or_default()
    }

    /// The covered components in their display form (`@method`, `content-type;sf`).
    pub(crate) fn covered(&self) -> Vec<String> {
        self.components.iter().map(Component::display).collect()
    }
}

/// The signature base of `msg` for `params` (section 2.5): one `"id": value` line per
/// component, then the `"@signature-params"` line, joined by LF with no trailing LF.
pub(crate) fn build_base(
    msg: Message<'_>,
    params: &SigParams,
    sf_types: &HashMap<String, SfType>,
) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    for c in &params.components {
        let value = c.value(msg, sf_types)?;
        out.extend_from_slice(c.identifier().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(&value);
        out.push(b'\n');
    }
    out.extend_from_slice(b"\"@signature-params\": ");
    out.extend_from_slice(params.serialize().as_bytes());
    Ok(out)
}

/// The signature base of `request` for one `Signature-Input` member value, e.g.
/// `("@method" "@path");created=1618884473;keyid="k"`. `sf` knows the built-in structured
/// fields plus `structured_fields`.
pub fn signature_base_for_request(
    request: &Request,
    signature_params: &str,
    structured_fields: &HashMap<String, SfType>,
) -> Result<Vec<u8>, Error> {
    let params = SigParams::parse(signature_params)?;
    build_base(
        Message::Request(request),
        &params,
        &sf_table(structured_fields),
    )
}

/// The signature base of `response` (components with `req` read `related`) for one
/// `Signature-Input` member value.
pub fn signature_base_for_response(
    response: &Response,
    related: Option<&Request>,
    signature_params: &str,
    structured_fields: &HashMap<String, SfType>,
) -> Result<Vec<u8>, Error> {
    let params = SigParams::parse(signature_params)?;
    build_base(
        Message::Response(response, related),
        &params,
        &sf_table(structured_fields),
    )
}
