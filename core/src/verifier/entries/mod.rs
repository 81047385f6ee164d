//! The registry: one entry per method, each turning its configuration into a [`Method`].
//!
//! An entry resolves its secret references (`env:`, `file:`, `secret:`), takes out the few
//! members that exist only in a configuration file (an API key ring's pepper and records, a JWT
//! verifier's keys, ...) and hands the rest to the method's own serde configuration type, whose
//! `deny_unknown_fields` refuses a misspelt setting. The method's verifier does the rest.

/// A [`Method`](super::Method) over a verifier whose `verify(&Request)` holds no scopes of its
/// own (the route's are checked on its principal): `$challenge` maps the verifier to its bare
/// challenge, when the method has one.
macro_rules! request_method {
    ($method:ident($verifier:ty), $name:literal, $verify:path, $challenge:expr) => {
        #[derive(Debug)]
        struct $method($verifier);

        impl crate::verifier::Method for $method {
            fn name(&self) -> &'static str {
                $name
            }
            fn verify(
                &self,
                request: &crate::request::Request,
                scopes: &[String],
            ) -> Result<crate::decision::Principal, crate::decision::Denial> {
                crate::verifier::require_scopes($verify(&self.0, request)?, scopes)
            }
            fn challenge(&self) -> Option<crate::decision::Challenge> {
                let challenge: fn(&$verifier) -> Option<crate::decision::Challenge> = $challenge;
                challenge(&self.0)
            }
            fn as_any(&self) -> &dyn std::any::Any {
                &self.0
            }
        }
    };
}

mod jwt;
mod keys;
mod mtls;
mod oauth2;
mod signed;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value};

use super::{BuildContext, Entry};
use crate::apikey::ApiKeyConfig;
use crate::basic::BasicConfig;
use crate::config::{deserialize_at, resolve_fields, wipe, ConfigError, DocPath, ReferenceKind};
use crate::error::Error;
use crate::hmac::HmacConfig;
use crate::httpsig::HttpSigConfig;
use crate::jwt::JwtConfig;
use crate::mtls::MtlsConfig;
use crate::oauth2::OAuth2Config;
use crate::webhook::WebhookConfig;

use self::jwt::{build_jwt, JwtFileSettings};
use self::keys::{build_api_key, build_basic, ApiKeyFileSettings};
use self::mtls::build_mtls;
use self::oauth2::{build_oauth2, OAuth2FileSettings};
use self::signed::{build_httpsig, build_pcs1, build_webhook, HttpSigFileSettings};

/// Every method a configuration can name, in documentation order.
pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        name: "api_key",
        build: build_api_key,
        schema: |g| method_schema::<ApiKeyConfig, ApiKeyFileSettings>(g, "api_key"),
    },
    Entry {
        name: "basic",
        build: build_basic,
        schema: |g| method_schema::<BasicConfig, NoFileSettings>(g, "basic"),
    },
    Entry {
        name: "jwt",
        build: build_jwt,
        schema: |g| method_schema::<JwtConfig, JwtFileSettings>(g, "jwt"),
    },
    Entry {
        name: "webhook",
        build: build_webhook,
        schema: |g| method_schema::<WebhookConfig, NoFileSettings>(g, "webhook"),
    },
    Entry {
        name: "pcs1",
        build: build_pcs1,
        schema: |g| method_schema::<HmacConfig, NoFileSettings>(g, "pcs1"),
    },
    Entry {
        name: "httpsig",
        build: build_httpsig,
        schema: |g| method_schema::<HttpSigConfig, HttpSigFileSettings>(g, "httpsig"),
    },
    Entry {
        name: "mtls",
        build: build_mtls,
        schema: |g| method_schema::<MtlsConfig, NoFileSettings>(g, "mtls"),
    },
    Entry {
        name: "oauth2",
        build: build_oauth2,
        schema: |g| method_schema::<OAuth2Config, OAuth2FileSettings>(g, "oauth2"),
    },
];

/// The schema of a method's object: the core configuration's members, the file-only members,
/// and `method` itself.
fn method_schema<C: JsonSchema, F: JsonSchema>(g: &mut SchemaGenerator, name: &str) -> Schema {
    let mut schema = C::json_schema(g);
    let file = F::json_schema(g);
    let obj = schema.ensure_object();
    let props = obj
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(props) = props {
        if let Some(Value::Object(extra)) = file.get("properties") {
            for (k, v) in extra {
                props.insert(k.clone(), v.clone());
            }
        }
        props.insert(
            "method".into(),
            serde_json::json!({ "const": name, "description": "The method's registry name." }),
        );
    }
    let mut required: Vec<Value> = vec![Value::String("method".into())];
    if let Some(Value::Array(r)) = file.get("required") {
        required.extend(r.iter().cloned());
    }
    if let Some(Value::Array(r)) = obj.get("required") {
        required.extend(r.iter().cloned());
    }
    obj.insert("required".into(), Value::Array(required));
    obj.insert("additionalProperties".into(), Value::Bool(false));
    obj.insert("title".into(), Value::String(format!("method {name}")));
    schema
}

/// For methods whose configuration file takes exactly the core configuration.
#[derive(JsonSchema)]
struct NoFileSettings {}

/// Takes the members named in `F`'s schema out of `object`: what remains belongs to the core
/// configuration type.
pub(super) fn split<F: JsonSchema>(object: &mut Map<String, Value>) -> Value {
    let schema = schemars::schema_for!(F);
    let mut out = Map::new();
    if let Some(Value::Object(props)) = schema.get("properties") {
        for name in props.keys() {
            if let Some(v) = object.remove(name) {
                out.insert(name.clone(), v);
            }
        }
    }
    Value::Object(out)
}

/// Deserializes a core configuration from what remains of the object, then wipes it: the
/// resolved object may hold secrets.
pub(super) fn core_config<C: serde::de::DeserializeOwned>(
    object: Map<String, Value>,
) -> Result<C, ConfigError> {
    let mut value = Value::Object(object);
    let parsed = deserialize_at(&value, &DocPath::root());
    wipe(&mut value);
    parsed
}

pub(super) fn built(error: Error, at: DocPath) -> ConfigError {
    ConfigError::from_error(at, &error)
}

pub(super) fn secret_fields(
    object: &mut Map<String, Value>,
    ctx: &BuildContext<'_>,
    patterns: &[&[&str]],
    kind: ReferenceKind,
) -> Result<(), ConfigError> {
    let mut value = Value::Object(std::mem::take(object));
    let result = patterns
        .iter()
        .try_for_each(|p| resolve_fields(&mut value, p, kind, &DocPath::root(), ctx.load));
    if let Value::Object(map) = value {
        *object = map;
    }
    result
}
