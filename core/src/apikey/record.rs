//! The storage record of an API key: everything a service keeps, never the key itself.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::encoding::{hex_decode, hex_encode};
use crate::error::{Error, ErrorCode};
use crate::secret::SecretString;

/// What a service stores for one API key. Serialised as JSON with exactly these fields; unknown
/// fields are refused so a record written by a newer, stricter version is never half-read.
#[derive(Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyRecord {
    /// Public identifier of the key (`ak_...`): safe to log and show.
    pub key_id: String,
    /// `HMAC-SHA256(pepper, key)`, hex in JSON. The lookup index of the key.
    #[serde(with = "hex_digest")]
    #[schemars(with = "String")]
    pub digest: [u8; 32],
    /// The prefix the key carries.
    pub prefix: String,
    /// The environment the key carries, if any.
    #[serde(default)]
    pub environment: Option<String>,
    /// Who owns the key; the principal's subject (the key id when absent).
    #[serde(default)]
    pub subject: Option<String>,
    /// Scopes the key grants.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Creation time, Unix seconds.
    pub created_at: i64,
    /// Expiry, Unix seconds; the key is refused from this second on.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// Revocation time, Unix seconds; the key is refused from this second on.
    #[serde(default)]
    pub revoked_at: Option<i64>,
    /// Key id of the key that replaced this one; set by rotation.
    #[serde(default)]
    pub successor: Option<String>,
    /// Free-form data the service attaches (owner, plan, ...); returned in the principal.
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

impl ApiKeyRecord {
    /// Parses a record from its JSON form.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let record: ApiKeyRecord = crate::encoding::from_json_object(json, "API key record")?;
        record.validate()?;
        Ok(record)
    }

    /// The record as JSON (what to store).
    pub fn to_json(&self) -> String {
        // Strings, numbers and a JSON map always serialise.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The digest as lower-case hex (the lookup value for a database index).
    pub fn digest_hex(&self) -> String {
        hex_encode(&self.digest)
    }

    /// Checks the fields a verifier relies on.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |what: &str| Err(Error::new(ErrorCode::ApiKeyRecordInvalid, what.to_owned()));
        if self.key_id.is_empty() || self.key_id.len() > 128 || !self.key_id.is_ascii() {
            return bad("key_id must be 1 to 128 ASCII characters");
        }
        if !super::format::is_label(&self.prefix) {
            return bad("prefix is not a lower-case label");
        }
        if !self
            .environment
            .as_deref()
            .is_none_or(super::format::is_label)
        {
            return bad("environment is not a lower-case label");
        }
        if let Some(scope) = self.scopes.iter().find(|s| !is_scope_token(s)) {
            return Err(Error::new(
                ErrorCode::ApiKeyRecordInvalid,
                format!("scope {scope:?} is not an RFC 6749 scope token"),
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for ApiKeyRecord {
    // The digest is not the key, but it is the lookup index: keep it out of logs anyway.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyRecord")
            .field("key_id", &self.key_id)
            .field("prefix", &self.prefix)
            .field("environment", &self.environment)
            .field("subject", &self.subject)
            .field("scopes", &self.scopes)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("revoked_at", &self.revoked_at)
            .field("successor", &self.successor)
            .finish_non_exhaustive()
    }
}

/// A key as issued: the key itself (shown to its owner once) and the record to store.
#[derive(Clone, Debug)]
pub struct IssuedApiKey {
    /// The API key. Hand it to the owner once; store only the record.
    pub key: SecretString,
    /// What to store.
    pub record: ApiKeyRecord,
}

/// RFC 6749 3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
pub(crate) fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && s.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

mod hex_digest {
    use super::*;

    pub fn serialize<S: Serializer>(digest: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex_encode(digest))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        hex_decode::<32>(&text)
            .ok_or_else(|| serde::de::Error::custom("digest must be 64 hex characters"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ApiKeyRecord {
        ApiKeyRecord {
            key_id: "ak_1".into(),
            digest: [0xab; 32],
            prefix: "pc".into(),
            environment: Some("live".into()),
            subject: None,
            scopes: vec!["read".into()],
            created_at: 1,
            expires_at: None,
            revoked_at: None,
            successor: None,
            metadata: Map::new(),
        }
    }

    #[test]
    fn json_round_trip() {
        let r = sample();
        let json = r.to_json();
        assert!(json.contains(&"ab".repeat(32)));
        assert_eq!(ApiKeyRecord::from_json(&json).unwrap(), r);
    }

    #[test]
    fn refuses_bad_records() {
        let code = |j: &str| ApiKeyRecord::from_json(j).unwrap_err().code();
        assert_eq!(code("{"), ErrorCode::JsonInvalid);
        let mut v = serde_json::to_value(sample()).unwrap();
        v["extra"] = 1.into();
        assert_eq!(code(&v.to_string()), ErrorCode::JsonInvalid);
        let mut v = serde_json::to_value(sample()).unwrap();
        v["digest"] = "abc".into();
        assert_eq!(code(&v.to_string()), ErrorCode::JsonInvalid);
        let mut v = serde_json::to_value(sample()).unwrap();
        v["scopes"] = serde_json::json!(["a b"]);
        assert_eq!(code(&v.to_string()), ErrorCode::ApiKeyRecordInvalid);
        let mut v = serde_json::to_value(sample()).unwrap();
        v["prefix"] = "PC".into();
        assert_eq!(code(&v.to_string()), ErrorCode::ApiKeyRecordInvalid);
    }

    #[test]
    fn debug_hides_digest() {
        assert!(!format!("{:?}", sample()).contains("abab"));
    }
}
