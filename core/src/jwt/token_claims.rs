//! The claims of a verified token, read from the payload's JSON text in one pass: member names
//! and string values stay spans of that text (no `String` per claim, no map), so a binding can
//! hand the claims to its language without a map being built and torn down first. Arrays and
//! objects are built as JSON values by the same strict reader as every other JOSE document
//! ([`json`](super::json)): duplicate member names are refused at every depth.

use std::fmt;
use std::ops::Range;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Number, Value};

use super::json::{self, Strict, StrictVisitor};
use crate::error::Error;

/// Text a [`TokenClaims`] holds: a span of the payload (JSON text without escapes) or the
/// decoded text of one with escapes.
#[derive(Clone, Debug)]
enum Text {
    Span(Range<usize>),
    Owned(Box<str>),
}

/// One member's value as read.
#[derive(Clone, Debug)]
enum Member {
    Str(Text),
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
    Null,
    /// An array or an object.
    Value(Value),
}

/// One claim's value, borrowed from a [`TokenClaims`]. A number is `Int` when it fits an
/// `i64`, `UInt` when it fits only a `u64`, `Float` otherwise (what `serde_json` makes of the
/// same text); `Value` is always an array or an object.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ClaimRef<'a> {
    /// A string.
    Str(&'a str),
    /// An integer within `i64`.
    Int(i64),
    /// An integer above `i64::MAX`.
    UInt(u64),
    /// Any other number (always finite).
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An array or an object.
    Value(&'a Value),
}

impl<'a> ClaimRef<'a> {
    /// The claim value `value` is.
    pub fn of(value: &'a Value) -> Self {
        match value {
            Value::Null => ClaimRef::Null,
            Value::Bool(b) => ClaimRef::Bool(*b),
            Value::String(s) => ClaimRef::Str(s),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => ClaimRef::Int(i),
                (None, Some(u)) => ClaimRef::UInt(u),
                (None, None) => ClaimRef::Float(n.as_f64().unwrap_or(0.0)),
            },
            Value::Array(_) | Value::Object(_) => ClaimRef::Value(value),
        }
    }

    /// The claim as an owned JSON value.
    pub fn to_value(self) -> Value {
        match self {
            ClaimRef::Str(s) => Value::String(s.to_owned()),
            ClaimRef::Int(i) => Value::Number(i.into()),
            ClaimRef::UInt(u) => Value::Number(u.into()),
            ClaimRef::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
            ClaimRef::Bool(b) => Value::Bool(b),
            ClaimRef::Null => Value::Null,
            ClaimRef::Value(v) => v.clone(),
        }
    }

    /// The string, when the claim is one.
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            ClaimRef::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl Serialize for ClaimRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            ClaimRef::Str(s) => serializer.serialize_str(s),
            ClaimRef::Int(i) => serializer.serialize_i64(i),
            ClaimRef::UInt(u) => serializer.serialize_u64(u),
            ClaimRef::Float(f) => serializer.serialize_f64(f),
            ClaimRef::Bool(b) => serializer.serialize_bool(b),
            ClaimRef::Null => serializer.serialize_unit(),
            ClaimRef::Value(v) => v.serialize(serializer),
        }
    }
}

/// The claims set of a verified token, its members in name order (the order of the map
/// [`into_map`](Self::into_map) gives). Serialises as that JSON object.
#[derive(Clone, Debug)]
pub struct TokenClaims {
    repr: Repr,
}

#[derive(Clone, Debug)]
enum Repr {
    /// Read from the payload text; members sorted by name.
    Read {
        text: String,
        members: Vec<(Text, Member)>,
    },
    /// Already a map (a principal from the verified-token cache).
    Map(Map<String, Value>),
}

impl TokenClaims {
    /// Reads the claims set `payload` (errors as [`json::parse_object`] gives them).
    pub(crate) fn read(payload: Vec<u8>) -> Result<Self, Error> {
        let text = match String::from_utf8(payload) {
            Ok(text) => text,
            // The strict parser says why, so both readers refuse a payload alike: it reads the
            // object before the bytes after it, so a repeated member there is
            // jwt_duplicate_member even when later bytes are not UTF-8 (found by fuzzing).
            Err(e) => {
                return Err(json::parse_object(e.as_bytes(), "claims")
                    .err()
                    .unwrap_or_else(|| json::not_json("claims")))
            }
        };
        let base = Base {
            base: text.as_ptr() as usize,
            len: text.len(),
        };
        // A payload this reader refuses gets the strict parser's error, so both readers
        // refuse it alike: that parser reads a whole value before it finds it is no object
        // (an array holding a repeated member is jwt_duplicate_member there; found by
        // fuzzing). Only the refusals pay for the second read.
        let strict_error = || {
            json::parse_object(text.as_bytes(), "claims")
                .err()
                .unwrap_or_else(|| json::not_json("claims"))
        };
        let mut de = serde_json::Deserializer::from_str(&text);
        let mut members = de
            .deserialize_any(ObjectVisitor(base))
            .map_err(|_| strict_error())?;
        let by_name = |(a, _): &(Text, Member), (b, _): &(Text, Member)| {
            text_of(&text, a).cmp(text_of(&text, b))
        };
        // Before the check for trailing text, as the strict parser finds a repeat (in its
        // object visitor) before it looks past the object: the same text, the same error.
        if !json::sort_unique(&mut members, by_name) {
            return Err(json::duplicate("claims"));
        }
        de.end().map_err(|_| strict_error())?;
        Ok(TokenClaims {
            repr: Repr::Read { text, members },
        })
    }

    /// Claims that are already a map.
    pub fn from_map(map: Map<String, Value>) -> Self {
        TokenClaims {
            repr: Repr::Map(map),
        }
    }

    /// The claim `name`, if the token has it.
    pub fn get(&self, name: &str) -> Option<ClaimRef<'_>> {
        match &self.repr {
            Repr::Read { text, members } => members
                .binary_search_by(|(n, _)| text_of(text, n).cmp(name))
                .ok()
                .and_then(|i| members.get(i))
                .map(|(_, m)| claim(text, m)),
            Repr::Map(map) => map.get(name).map(ClaimRef::of),
        }
    }

    /// Every claim, in name order.
    pub fn iter(&self) -> ClaimsIter<'_> {
        ClaimsIter {
            inner: match &self.repr {
                Repr::Read { text, members } => IterRepr::Read(text, members.iter()),
                Repr::Map(map) => IterRepr::Map(map.iter()),
            },
        }
    }

    /// The number of claims.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Read { members, .. } => members.len(),
            Repr::Map(map) => map.len(),
        }
    }

    /// True when the claims set is `{}`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The claims as a JSON map.
    pub fn into_map(self) -> Map<String, Value> {
        match self.repr {
            Repr::Map(map) => map,
            Repr::Read { .. } => self
                .iter()
                .map(|(name, value)| (name.to_owned(), value.to_value()))
                .collect(),
        }
    }
}

impl Serialize for TokenClaims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, &value)?;
        }
        map.end()
    }
}

/// The claims of a [`TokenClaims`], in name order.
pub struct ClaimsIter<'a> {
    inner: IterRepr<'a>,
}

enum IterRepr<'a> {
    Read(&'a str, std::slice::Iter<'a, (Text, Member)>),
    Map(serde_json::map::Iter<'a>),
}

impl<'a> Iterator for ClaimsIter<'a> {
    type Item = (&'a str, ClaimRef<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            IterRepr::Read(text, members) => members
                .next()
                .map(|(name, member)| (text_of(text, name), claim(text, member))),
            IterRepr::Map(map) => map
                .next()
                .map(|(name, value)| (name.as_str(), ClaimRef::of(value))),
        }
    }
}

fn text_of<'a>(text: &'a str, t: &'a Text) -> &'a str {
    match t {
        // Spans are cut from `text` by `TextVisitor`, on its character boundaries.
        Text::Span(range) => text.get(range.clone()).unwrap_or_default(),
        Text::Owned(owned) => owned,
    }
}

fn claim<'a>(text: &'a str, member: &'a Member) -> ClaimRef<'a> {
    match member {
        Member::Str(t) => ClaimRef::Str(text_of(text, t)),
        Member::Int(i) => ClaimRef::Int(*i),
        Member::UInt(u) => ClaimRef::UInt(*u),
        Member::Float(f) => ClaimRef::Float(*f),
        Member::Bool(b) => ClaimRef::Bool(*b),
        Member::Null => ClaimRef::Null,
        Member::Value(v) => ClaimRef::Value(v),
    }
}

/// Where the text being read starts and how long it is, to turn borrowed strings into spans.
#[derive(Clone, Copy)]
struct Base {
    base: usize,
    len: usize,
}

impl Base {
    fn text(self, s: &str) -> Text {
        let start = (s.as_ptr() as usize).wrapping_sub(self.base);
        match start.checked_add(s.len()) {
            Some(end) if start <= self.len && end <= self.len => Text::Span(start..end),
            _ => Text::Owned(s.into()),
        }
    }
}

/// The top-level object: its members, in the token's order.
struct ObjectVisitor(Base);

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Vec<(Text, Member)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(json::NOT_OBJECT)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let base = self.0;
        // A usual claims set fits without growing.
        let mut members = Vec::with_capacity(16);
        while let Some(name) = map.next_key_seed(TextVisitor(base))? {
            let value = map.next_value_seed(MemberVisitor(base))?;
            members.push((name, value));
        }
        Ok(members)
    }
}

/// A member name or string value: a span when the text had no escapes.
struct TextVisitor(Base);

impl<'de> DeserializeSeed<'de> for TextVisitor {
    type Value = Text;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Text, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text, E> {
        Ok(self.0.text(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Text, E> {
        Ok(Text::Owned(v.into()))
    }
}

/// One member's value.
struct MemberVisitor(Base);

impl<'de> DeserializeSeed<'de> for MemberVisitor {
    type Value = Member;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Member, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MemberVisitor {
    type Value = Member;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Member, E> {
        Ok(Member::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Member, E> {
        Ok(Member::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Member, E> {
        Ok(i64::try_from(v).map_or(Member::UInt(v), Member::Int))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Member, E> {
        StrictVisitor.visit_f64::<E>(v).map(|_| Member::Float(v))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Member, E> {
        Ok(Member::Str(self.0.text(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Member, E> {
        Ok(Member::Str(Text::Owned(v.into())))
    }

    fn visit_unit<E>(self) -> Result<Member, E> {
        Ok(Member::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Member, A::Error> {
        StrictVisitor
            .visit_seq(seq)
            .map(|Strict(v)| Member::Value(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Member, A::Error> {
        StrictVisitor
            .visit_map(map)
            .map(|Strict(v)| Member::Value(v))
    }
}

#[cfg(test)]
#[path = "token_claims_tests.rs"]
mod tests;
