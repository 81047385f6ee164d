//! How the resource server authenticates to the introspection endpoint: the `Authorization`
//! header and the form members of each method. The secret and the private key are held in
//! memory that is wiped on drop and never printed.

use std::fmt;

use base64::Engine;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::{ClientAuthMethod, IntrospectionConfig};
use crate::error::{Error, ErrorCode};
use crate::jwt::{encode, Algorithm, HeaderOptions, JwtKey};
use crate::keys::jwk::b64url;
use crate::secret::SecretString;

/// The `client_assertion_type` of a JWT client assertion (RFC 7523 2.2).
pub const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long a client assertion is valid, in seconds.
pub const ASSERTION_LIFETIME_SECONDS: i64 = 60;

/// The client authentication of one introspector.
pub(crate) enum ClientAuth {
    /// The whole `Authorization` header value, built once.
    Basic(SecretString),
    Post {
        client_id: String,
        secret: SecretString,
    },
    PrivateKeyJwt {
        client_id: String,
        key: Box<JwtKey>,
        audience: String,
    },
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let method = match self {
            ClientAuth::Basic(_) => ClientAuthMethod::ClientSecretBasic,
            ClientAuth::Post { .. } => ClientAuthMethod::ClientSecretPost,
            ClientAuth::PrivateKeyJwt { .. } => ClientAuthMethod::PrivateKeyJwt,
        };
        f.write_str(method.name())
    }
}

/// What one request carries besides the token: an `Authorization` header and form members.
pub(crate) struct Credentials {
    pub authorization: Option<Zeroizing<String>>,
    pub form: Vec<(&'static str, Zeroizing<String>)>,
}

/// `application/x-www-form-urlencoded` of one value (RFC 6749 appendix B).
fn form_encode(value: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(3 * value.len()));
    out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
    out
}

/// `Basic base64(form(client_id) ":" form(secret))`: RFC 6749 2.3.1 form-urlencodes both
/// before they are joined, so a `:` in the id cannot move the split.
pub(crate) fn basic_authorization(client_id: &str, secret: &str) -> Zeroizing<String> {
    let (id, secret) = (form_encode(client_id), form_encode(secret));
    let mut pair = Zeroizing::new(String::with_capacity(id.len() + 1 + secret.len()));
    pair.push_str(&id);
    pair.push(':');
    pair.push_str(&secret);
    let mut header = Zeroizing::new(String::with_capacity(6 + 4 * pair.len().div_ceil(3)));
    header.push_str("Basic ");
    base64::engine::general_purpose::STANDARD.encode_string(pair.as_bytes(), &mut header);
    header
}

/// The signing key of `private_key_jwt`: an asymmetric private key for `alg`.
fn private_key(pem: &str, alg: Algorithm, kid: Option<&str>) -> Result<JwtKey, Error> {
    let key = JwtKey::from_pem(alg, pem.as_bytes()).map_err(|_| {
        Error::new(
            ErrorCode::ConfigInvalid,
            format!("private_key_pem is not a PEM key for {}", alg.name()),
        )
    })?;
    if !key.can_sign() {
        return Err(Error::new(
            ErrorCode::ConfigInvalid,
            "private_key_pem holds a public key: private_key_jwt signs with the private key",
        ));
    }
    Ok(match kid {
        Some(kid) => key.with_kid(kid),
        None => key,
    })
}

impl ClientAuth {
    /// Takes the secret or key out of `config` (validated), so only this value holds it.
    pub(crate) fn new(config: &mut IntrospectionConfig) -> Result<Self, Error> {
        let client_id = config.client_id.clone();
        let secret = config.client_secret.take().map(Zeroizing::new);
        let pem = config.private_key_pem.take().map(Zeroizing::new);
        let missing = |what: &str| Error::new(ErrorCode::ConfigInvalid, format!("{what} is unset"));
        Ok(match config.auth_method {
            ClientAuthMethod::ClientSecretBasic => {
                let secret = secret.ok_or_else(|| missing("client_secret"))?;
                let header = basic_authorization(&client_id, &secret);
                ClientAuth::Basic(SecretString::new(header.to_string()))
            }
            ClientAuthMethod::ClientSecretPost => ClientAuth::Post {
                client_id,
                secret: SecretString::new(
                    secret.ok_or_else(|| missing("client_secret"))?.to_string(),
                ),
            },
            ClientAuthMethod::PrivateKeyJwt => {
                let pem = pem.ok_or_else(|| missing("private_key_pem"))?;
                let alg = config
                    .private_key_alg
                    .ok_or_else(|| missing("private_key_alg"))?;
                ClientAuth::PrivateKeyJwt {
                    client_id,
                    key: Box::new(private_key(&pem, alg, config.private_key_kid.as_deref())?),
                    audience: config.endpoint.clone(),
                }
            }
        })
    }

    /// The header and form members of one request at `now`.
    pub(crate) fn credentials(&self, now: i64) -> Result<Credentials, Error> {
        Ok(match self {
            ClientAuth::Basic(header) => Credentials {
                authorization: Some(Zeroizing::new(header.expose().to_owned())),
                form: Vec::new(),
            },
            ClientAuth::Post { client_id, secret } => Credentials {
                authorization: None,
                form: vec![
                    ("client_id", Zeroizing::new(client_id.clone())),
                    ("client_secret", Zeroizing::new(secret.expose().to_owned())),
                ],
            },
            ClientAuth::PrivateKeyJwt {
                client_id,
                key,
                audience,
            } => Credentials {
                authorization: None,
                form: vec![
                    ("client_id", Zeroizing::new(client_id.clone())),
                    (
                        "client_assertion_type",
                        Zeroizing::new(JWT_BEARER_ASSERTION.to_owned()),
                    ),
                    (
                        "client_assertion",
                        Zeroizing::new(assertion(client_id, audience, key, now)?),
                    ),
                ],
            },
        })
    }
}

/// An RFC 7523 client assertion: `iss` = `sub` = the client id, `aud` = the endpoint URL, a
/// random `jti` (128 bits), `iat` = now, `exp` = now + 60 s.
fn assertion(client_id: &str, audience: &str, key: &JwtKey, now: i64) -> Result<String, Error> {
    let mut jti = [0u8; 16];
    aws_lc_rs::rand::fill(&mut jti)
        .map_err(|_| Error::new(ErrorCode::RandomUnavailable, "OS random source failed"))?;
    let mut claims = Map::new();
    claims.insert("iss".into(), Value::from(client_id));
    claims.insert("sub".into(), Value::from(client_id));
    claims.insert("aud".into(), Value::from(audience));
    claims.insert("jti".into(), Value::from(b64url(&jti)));
    claims.insert("iat".into(), Value::from(now));
    claims.insert(
        "exp".into(),
        Value::from(now.saturating_add(ASSERTION_LIFETIME_SECONDS)),
    );
    encode(&claims, &HeaderOptions::default(), key).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("client assertion cannot be signed: {}", e.code()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_form_encodes_id_and_secret_before_joining() {
        let header = basic_authorization("my:client id", "p@ss w:rd+/");
        let b64 = header.strip_prefix("Basic ").unwrap();
        let pair = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(
            String::from_utf8(pair).unwrap(),
            "my%3Aclient+id:p%40ss+w%3Ard%2B%2F"
        );
        let plain = basic_authorization("rs", "secret");
        assert_eq!(plain.as_str(), "Basic cnM6c2VjcmV0");
    }

    #[test]
    fn form_encoding_keeps_unreserved_and_escapes_the_rest() {
        assert_eq!(form_encode("aZ09-._*").as_str(), "aZ09-._*");
        assert_eq!(form_encode("a b").as_str(), "a+b");
        assert_eq!(form_encode("~%&=\u{e9}").as_str(), "%7E%25%26%3D%C3%A9");
    }

    #[test]
    fn debug_names_the_method_only() {
        let auth = ClientAuth::Post {
            client_id: "rs".into(),
            secret: SecretString::new("hunter2".into()),
        };
        assert_eq!(format!("{auth:?}"), "client_secret_post");
    }
}
