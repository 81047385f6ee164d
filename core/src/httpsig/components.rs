//! Component identifiers (section 2) and their values: derived components and header fields
//! with the `sf`, `key`, `bs` and `req` parameters.

use std::collections::HashMap;

use base64::Engine;
use sfv::{BareItem, Dictionary, Item, ItemSerializer, List, ListSerializer, Parser};

use super::message::Message;
use crate::error::{Error, ErrorCode};
use crate::request::Request;

fn malformed(detail: String) -> Error {
    Error::new(ErrorCode::SignatureMalformed, detail)
}

fn missing(detail: String) -> Error {
    Error::new(ErrorCode::SignatureComponentMissing, detail)
}

/// The structured type of a header field, for the `sf` and `key` parameters.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SfType {
    /// An sf-item.
    Item,
    /// An sf-list.
    List,
    /// An sf-dictionary.
    Dictionary,
}

/// Structured fields portcullis knows the type of (RFC 9651 and the fields RFC 9421 examples
/// use); configurations may add more.
pub(crate) const KNOWN_STRUCTURED_FIELDS: &[(&str, SfType)] = &[
    ("accept-ch", SfType::List),
    ("accept-signature", SfType::Dictionary),
    ("cache-status", SfType::List),
    ("cdn-cache-control", SfType::Dictionary),
    ("client-cert", SfType::Item),
    ("client-cert-chain", SfType::List),
    ("content-digest", SfType::Dictionary),
    ("cross-origin-embedder-policy", SfType::Item),
    ("cross-origin-opener-policy", SfType::Item),
    ("priority", SfType::Dictionary),
    ("proxy-status", SfType::List),
    ("repr-digest", SfType::Dictionary),
    ("signature", SfType::Dictionary),
    ("signature-input", SfType::Dictionary),
    ("want-content-digest", SfType::Dictionary),
    ("want-repr-digest", SfType::Dictionary),
];

/// Field name to structured type: the built-in table plus configured additions.
pub(crate) fn sf_table(extra: &HashMap<String, SfType>) -> HashMap<String, SfType> {
    let mut table: HashMap<String, SfType> = KNOWN_STRUCTURED_FIELDS
        .iter()
        .map(|(n, t)| ((*n).to_owned(), *t))
        .collect();
    for (n, t) in extra {
        table.insert(n.to_ascii_lowercase(), *t);
    }
    table
}

/// One covered component: its identifier as sent and the parameters that shape its value.
#[derive(Clone, Debug)]
pub(crate) struct Component {
    item: Item,
    pub(crate) name: String,
    sf: bool,
    key: Option<String>,
    bs: bool,
    req: bool,
    query_name: Option<String>,
}

const DERIVED: &[&str] = &[
    "@method",
    "@target-uri",
    "@authority",
    "@scheme",
    "@request-target",
    "@path",
    "@query",
    "@query-param",
    "@status",
];

impl Component {
    /// Validates one member of the covered-components inner list.
    pub(crate) fn from_item(item: &Item) -> Result<Self, Error> {
        let name = match &item.bare_item {
            BareItem::String(s) => s.as_str().to_owned(),
            _ => return Err(malformed("a component identifier is not a string".into())),
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(malformed(format!(
                "component name {name:?} is empty or not lower-case"
            )));
        }
        let derived = name.starts_with('@');
        if derived && !DERIVED.contains(&name.as_str()) {
            return Err(malformed(format!("unknown derived component {name:?}")));
        }
        if !derived && !name.bytes().all(is_tchar) {
            return Err(malformed(format!("{name:?} is not a field name")));
        }
        let mut c = Component {
            item: item.clone(),
            name,
            sf: false,
            key: None,
            bs: false,
            req: false,
            query_name: None,
        };
        for (k, v) in &item.params {
            let flag = || match v {
                BareItem::Boolean(true) => Ok(true),
                _ => Err(malformed(format!(
                    "parameter {} must be a true flag",
                    k.as_str()
                ))),
            };
            match (k.as_str(), derived) {
                ("req", _) => c.req = flag()?,
                ("sf", false) => c.sf = flag()?,
                ("bs", false) => c.bs = flag()?,
                ("key", false) => match v {
                    BareItem::String(s) => c.key = Some(s.as_str().to_owned()),
                    _ => return Err(malformed("parameter key must be a string".into())),
                },
                ("name", true) if c.name == "@query-param" => match v {
                    BareItem::String(s) => c.query_name = Some(s.as_str().to_owned()),
                    _ => return Err(malformed("parameter name must be a string".into())),
                },
                (other, _) => {
                    return Err(malformed(format!(
                        "parameter {other:?} is not supported on {:?}",
                        c.name
                    )))
                }
            }
        }
        if c.bs && (c.sf || c.key.is_some()) {
            return Err(malformed("bs cannot be combined with sf or key".into()));
        }
        if c.name == "@query-param" && c.query_name.is_none() {
            return Err(malformed("@query-param needs a name parameter".into()));
        }
        Ok(c)
    }

    /// The identifier as it appears in the signature base (`"@query-param";name="Pet"`).
    pub(crate) fn identifier(&self) -> String {
        let mut out = String::new();
        let _ = ItemSerializer::with_buffer(&mut out)
            .bare_item(&self.item.bare_item)
            .parameters(&self.item.params);
        out
    }

    /// The identifier without the quotes around its name (`@query-param;name="Pet"`), for
    /// principals and policy comparison.
    pub(crate) fn display(&self) -> String {
        let id = self.identifier();
        let rest = id.get(self.name.len() + 2..).unwrap_or("");
        format!("{}{rest}", self.name)
    }

    /// The component value (without the `"name": ` prefix).
    pub(crate) fn value(
        &self,
        msg: Message<'_>,
        sf_types: &HashMap<String, SfType>,
    ) -> Result<Vec<u8>, Error> {
        // Which message the value comes from.
        let source = match (msg, self.req) {
            (Message::Request(_), true) => {
                return Err(malformed(
                    "req is only allowed on response signatures".into(),
                ))
            }
            (Message::Response(_, Some(r)), true) => Message::Request(r),
            (Message::Response(_, None), true) => {
                return Err(missing(format!(
                    "{} needs the related request, which was not supplied",
                    self.name
                )))
            }
            (m, false) => m,
        };
        if self.name.starts_with('@') {
            return self.derived(source).map(String::into_bytes);
        }
        let values = source.header_values(&self.name);
        if values.is_empty() {
            return Err(missing(format!("header {} is absent", self.name)));
        }
        if self.bs {
            let parts: Vec<String> = values
                .iter()
                .map(|v| format!(":{}:", base64::engine::general_purpose::STANDARD.encode(v)))
                .collect();
            return Ok(parts.join(", ").into_bytes());
        }
        let joined = values.join(&b", "[..]);
        if let Some(member) = &self.key {
            let dict: Dictionary = Parser::new(&joined)
                .parse()
                .map_err(|e| malformed(format!("{} is not a dictionary: {e}", self.name)))?;
            let entry = dict
                .get(member.as_str())
                .ok_or_else(|| missing(format!("{} has no member {member:?}", self.name)))?;
            let list: List = vec![entry.clone()];
            return serialize_list(&list, &self.name);
        }
        if self.sf {
            let kind = sf_types.get(&self.name).copied().ok_or_else(|| {
                malformed(format!("{} is not a known structured field", self.name))
            })?;
            let bad =
                |e: sfv::Error| malformed(format!("{} is not a valid {kind:?}: {e}", self.name));
            return match kind {
                SfType::Item => {
                    let item: Item = Parser::new(&joined).parse().map_err(bad)?;
                    let mut out = String::new();
                    let _ = ItemSerializer::with_buffer(&mut out)
                        .bare_item(&item.bare_item)
                        .parameters(&item.params);
                    Ok(out.into_bytes())
                }
                SfType::List => {
                    let list: List = Parser::new(&joined).parse().map_err(bad)?;
                    serialize_list(&list, &self.name)
                }
                SfType::Dictionary => {
                    let dict: Dictionary = Parser::new(&joined).parse().map_err(bad)?;
                    let mut ser = sfv::DictSerializer::new();
                    ser.members(&dict);
                    ser.finish()
                        .map(String::into_bytes)
                        .ok_or_else(|| missing(format!("{} is an empty dictionary", self.name)))
                }
            };
        }
        Ok(joined)
    }

    fn derived(&self, msg: Message<'_>) -> Result<String, Error> {
        let request = match msg {
            Message::Request(r) => r,
            Message::Response(resp, _) => {
                return if self.name == "@status" {
                    Ok(format!("{:03}", resp.status()))
                } else {
                    Err(malformed(format!(
                        "{} is a request component; on a response it needs req",
                        self.name
                    )))
                };
            }
        };
        let uri = TargetUri::of(request)?;
        let need = |v: Option<String>, what: &str| {
            v.ok_or_else(|| missing(format!("{} needs the {what}, which is unknown", self.name)))
        };
        Ok(match self.name.as_str() {
            "@method" => request.method().to_owned(),
            "@request-target" => request.target().to_owned(),
            "@path" => uri.path,
            "@query" => format!("?{}", uri.query.unwrap_or_default()),
            "@scheme" => need(uri.scheme, "scheme")?,
            "@authority" => need(uri.authority, "authority (Host)")?,
            "@target-uri" => {
                let scheme = need(uri.scheme, "scheme")?;
                let authority = need(uri.authority, "authority (Host)")?;
                let query = uri.query.map(|q| format!("?{q}")).unwrap_or_default();
                format!("{scheme}://{authority}{}{query}", uri.path)
            }
            "@query-param" => {
                let wanted = self.query_name.as_deref().unwrap_or("");
                let query = uri.query.unwrap_or_default();
                let mut found = form_urlencoded::parse(query.as_bytes())
                    .filter(|(n, _)| query_encode(n) == wanted)
                    .map(|(_, v)| query_encode(&v));
                let first = found
                    .next()
                    .ok_or_else(|| missing(format!("query parameter {wanted:?} is absent")))?;
                if found.next().is_some() {
                    return Err(malformed(format!(
                        "query parameter {wanted:?} is repeated; sign @query instead"
                    )));
                }
                first
            }
            "@status" => return Err(malformed("@status is only defined for responses".into())),
            other => return Err(malformed(format!("unknown derived component {other:?}"))),
        })
    }
}

fn serialize_list(list: &List, name: &str) -> Result<Vec<u8>, Error> {
    let mut ser = ListSerializer::new();
    ser.members(list.iter());
    ser.finish()
        .map(String::into_bytes)
        .ok_or_else(|| missing(format!("{name} is an empty list")))
}

/// Percent-encodes a decoded query name or value the way section 2.2.8 requires: everything
/// but ASCII alphanumerics and `*-._` as upper-case `%XX` (a space is `%20`).
pub(crate) fn query_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"*-._".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The parts of the target URI (RFC 9110 7.1), from an origin-form or absolute-form target,
/// the host-supplied scheme and the Host header.
struct TargetUri {
    scheme: Option<String>,
    authority: Option<String>,
    path: String,
    query: Option<String>,
}

impl TargetUri {
    fn of(request: &Request) -> Result<Self, Error> {
        let target = request.target();
        let (path_query, mut scheme, authority) = match absolute_form(target) {
            Some((scheme, authority, rest)) => (rest, Some(scheme), Some(authority.to_owned())),
            None => {
                let mut hosts = request.header_values("host");
                let host = hosts.next();
                if hosts.next().is_some() {
                    return Err(malformed("the Host header appears more than once".into()));
                }
                let host = match host {
                    Some(h) => Some(
                        std::str::from_utf8(h)
                            .map_err(|_| malformed("Host is not UTF-8".into()))?
                            .to_owned(),
                    ),
                    None => None,
                };
                (target, None, host)
            }
        };
        if scheme.is_none() {
            scheme = request.scheme().map(str::to_ascii_lowercase);
        }
        let authority = authority.map(|a| normalize_authority(&a, scheme.as_deref()));
        let (path, query) = match path_query.split_once('?') {
            Some((p, q)) => (p, Some(q.to_owned())),
            None => (path_query, None),
        };
        let path = if path.is_empty() { "/" } else { path };
        Ok(TargetUri {
            scheme,
            authority,
            path: path.to_owned(),
            query,
        })
    }
}

/// Splits `scheme://authority/rest` into its parts.
fn absolute_form(target: &str) -> Option<(String, &str, &str)> {
    let (scheme, rest) = target.split_once("://")?;
    let valid = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    if !valid {
        return None;
    }
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    Some((scheme.to_ascii_lowercase(), &rest[..end], &rest[end..]))
}

/// Lower-cases the authority and drops the scheme's default port (RFC 9110 4.2.3).
fn normalize_authority(authority: &str, scheme: Option<&str>) -> String {
    let lower = authority.to_ascii_lowercase();
    let default = match scheme {
        Some("https") => Some(":443"),
        Some("http") => Some(":80"),
        _ => None,
    };
    match default.and_then(|d| lower.strip_suffix(d)) {
        Some(stripped) => stripped.to_owned(),
        None => lower,
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
