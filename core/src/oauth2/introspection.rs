//! branch.
//! RFC 7662 token introspection. PLACEHOLDER on the lead's branch: replaced by the introspect
#![allow(missing_docs)]

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode};
use crate::jwt::KeySource;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IntrospectionConfig {
    pub endpoint: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub private_key_pem: Option<String>,
    pub ca_pem: Option<String>,
}
#[derive(Clone, Debug, PartialEq)]
pub struct TokenInfo {
    pub scopes: Vec<String>,
    pub client_id: Option<String>,
    pub username: Option<String>,
    pub token_type: Option<String>,
    pub sub: Option<String>,
    pub iss: Option<String>,
    pub aud: Vec<String>,
    pub jti: Option<String>,
    pub exp: Option<i64>,
    pub iat: Option<i64>,
    pub nbf: Option<i64>,
    pub cnf: Option<Map<String, Value>>,
    pub claims: Map<String, Value>,
}
#[derive(Debug)]
pub struct Introspector;
impl Introspector {
    pub fn new(
        _config: IntrospectionConfig,
        _issuer: Option<String>,
        _response_keys: Option<Arc<dyn KeySource>>,
    ) -> Result<Self, Error> {
        Ok(Introspector)
    }
    pub fn introspect(&self, _token: &str, _now: i64) -> Result<Arc<TokenInfo>, Error> {
        Err(Error::new(
            ErrorCode::OAuthIntrospectionUnavailable,
            "placeholder",
        ))
    }
}
