//! What a check returns: a [`Principal`] on success, a [`Denial`] with its challenge otherwise.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode};

/// The authentication method that proved a principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u32)]
pub enum AuthMethod {
    /// An API key.
    ApiKey = 1,
    /// HTTP Basic (RFC 7617).
    Basic = 2,
    /// A JWT bearer token.
    Jwt = 3,
    /// An OAuth 2.0 access token.
    #[serde(rename = "oauth2")]
    OAuth2 = 4,
    /// A TLS client certificate.
    Mtls = 5,
    /// An HMAC request signature.
    Hmac = 6,
}

impl AuthMethod {
    /// The stable snake_case name (`api_key`, `basic`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            AuthMethod::ApiKey => "api_key",
            AuthMethod::Basic => "basic",
            AuthMethod::Jwt => "jwt",
            AuthMethod::OAuth2 => "oauth2",
            AuthMethod::Mtls => "mtls",
            AuthMethod::Hmac => "hmac",
        }
    }
}

/// Who the caller is, as proved by one method. Never holds the secret that proved it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Principal {
    /// The authenticated subject: a user name, a service, the owner of a key.
    pub subject: String,
    /// The method that proved it.
    pub method: AuthMethod,
    /// A public identifier of the credential (key id, kid, certificate fingerprint).
    pub credential_id: Option<String>,
    /// The scopes the credential grants.
    pub scopes: Vec<String>,
    /// Method-specific facts (environment and metadata of an API key, a JWT's claims, ...).
    pub claims: Map<String, Value>,
    /// When the credential stops being valid (Unix seconds), if it does.
    pub expires_at: Option<i64>,
}

impl Principal {
    /// True when every one of `required` is among the principal's scopes.
    pub fn has_scopes<S: AsRef<str>>(&self, required: &[S]) -> bool {
        grants(&self.scopes, required)
    }

    /// The principal as one JSON object (what bindings hand out as `claims`-style data).
    pub fn to_json(&self) -> Value {
        // Serialising plain strings, numbers and a JSON map cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The `WWW-Authenticate` challenge a server should send with a 401 (RFC 9110 11.6.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    scheme: &'static str,
    params: Vec<(&'static str, String)>,
}

impl Challenge {
    /// A challenge for `scheme` with no parameters yet.
    pub fn new(scheme: &'static str) -> Self {
        Challenge {
            scheme,
            params: Vec::new(),
        }
    }

    /// The RFC 6750 `Bearer` challenge for a refusal with `code`, what every bearer-token
    /// method (API keys in `Authorization: Bearer`, JWTs) sends: `realm`, then
    /// `error="insufficient_scope"` and the `scope` asked for, `error="invalid_request"` for a
    /// malformed or repeated header, `error="invalid_token"` with the code's public message for
    /// a refused token, and no error when there was no token or the key source failed (the
    /// token is not at fault; the status is 503).
    pub fn bearer<S: AsRef<str>>(realm: &str, code: ErrorCode, required_scopes: &[S]) -> Self {
        let challenge = Challenge::new("Bearer").param("realm", realm);
        match code {
            ErrorCode::CredentialsMissing
            | ErrorCode::JwtJwksUnavailable
            | ErrorCode::JwtJwksInvalid
            | ErrorCode::JwtDiscoveryInvalid => challenge,
            ErrorCode::ScopeInsufficient => {
                let scope: Vec<&str> = required_scopes.iter().map(AsRef::as_ref).collect();
                challenge
                    .param("error", "insufficient_scope")
                    .param("scope", scope.join(" "))
            }
            ErrorCode::HeaderMalformed | ErrorCode::CredentialsAmbiguous => {
                challenge.param("error", "invalid_request")
            }
            code => challenge
                .param("error", "invalid_token")
                .param("error_description", code.public_message()),
        }
    }

    /// Adds an auth-param; the value is sent as a quoted-string.
    pub fn param(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.params.push((name, value.into()));
        self
    }

    /// The scheme (`Basic`, `Bearer`, ...).
    pub fn scheme(&self) -> &str {
        self.scheme
    }

    /// The value of the auth-param `name` (e.g. `realm`), if set.
    pub fn param_value(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The header value, e.g. `Basic realm="api", charset="UTF-8"`.
    pub fn header_value(&self) -> String {
        let mut out = String::from(self.scheme);
        for (i, (name, value)) in self.params.iter().enumerate() {
            out.push_str(if i == 0 { " " } else { ", " });
            out.push_str(name);
            out.push_str("=\"");
            for c in value.chars() {
                match c {
                    '"' | '\\' => {
                        out.push('\\');
                        out.push(c);
                    }
                    // A quoted-string cannot carry control characters; drop them.
                    c if c.is_control() => {}
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        out
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header_value())
    }
}

/// A refused request: why, what to tell the client, what to log, and how to challenge.
#[derive(Clone, PartialEq, Eq)]
pub struct Denial {
    error: Error,
    challenge: Option<Challenge>,
    /// What few denials carry besides their first challenge (an OAuth 2.0 resource server's
    /// `DPoP` challenge beside its `Bearer` one, a `DPoP-Nonce` header), boxed so that every
    /// other denial stays small.
    extra: Option<Box<DenialExtra>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct DenialExtra {
    challenges: Vec<Challenge>,
    headers: Vec<(&'static str, String)>,
}

impl Denial {
    /// A denial with a private detail for logs and no challenge.
    pub fn new(code: ErrorCode, detail: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        Denial {
            error: Error::new(code, detail),
            challenge: None,
            extra: None,
        }
    }

    /// Attaches the challenge to send back; a denial that has one already gets this one as
    /// another (`WWW-Authenticate` may list several, RFC 9110 11.6.1).
    pub fn with_challenge(mut self, challenge: Challenge) -> Self {
        if self.challenge.is_none() {
            self.challenge = Some(challenge);
        } else {
            self.extra_mut().challenges.push(challenge);
        }
        self
    }

    /// Adds a response header field the client needs to retry (`DPoP-Nonce`).
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.extra_mut().headers.push((name, value.into()));
        self
    }

    fn extra_mut(&mut self) -> &mut DenialExtra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// Every challenge, the first one first.
    pub fn challenges(&self) -> impl Iterator<Item = &Challenge> {
        let more = self.extra.as_deref().map_or(&[][..], |e| &e.challenges[..]);
        self.challenge.iter().chain(more)
    }

    /// The `WWW-Authenticate` value: every challenge, separated by `, ` (RFC 9110 11.6.1);
    /// `None` when there is none.
    pub fn challenge_header(&self) -> Option<String> {
        let values: Vec<String> = self.challenges().map(Challenge::header_value).collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// Response header fields besides `WWW-Authenticate` (a `DPoP-Nonce`, ...).
    pub fn headers(&self) -> &[(&'static str, String)] {
        self.extra.as_deref().map_or(&[], |e| &e.headers[..])
    }

    /// Why the request was refused.
    pub fn code(&self) -> ErrorCode {
        self.error.code()
    }

    /// A message safe to send to the client.
    pub fn message(&self) -> &'static str {
        self.error.message()
    }

    /// What exactly went wrong, for the server's logs (never a secret).
    pub fn detail(&self) -> &str {
        self.error.detail()
    }

    /// The HTTP status to answer with (401, 403, 400, ...).
    pub fn http_status(&self) -> u16 {
        self.error.code().http_status()
    }

    /// The `WWW-Authenticate` challenge, when the method has one.
    pub fn challenge(&self) -> Option<&Challenge> {
        self.challenge.as_ref()
    }

    /// The underlying error (code and detail).
    pub fn error(&self) -> &Error {
        &self.error
    }
}

impl From<Error> for Denial {
    fn from(error: Error) -> Self {
        Denial {
            error,
            challenge: None,
            extra: None,
        }
    }
}

impl fmt::Debug for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Denial")
            .field("code", &self.code().name())
            .field("detail", &self.detail())
            .field("challenge", &self.challenge_header())
            .field("headers", &self.headers())
            .finish()
    }
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for Denial {}

/// True when `held` holds every one of `required`.
pub(crate) fn grants<S: AsRef<str>>(held: &[String], required: &[S]) -> bool {
    required
        .iter()
        .all(|r| held.iter().any(|s| s == r.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_quotes_and_escapes() {
        let c = Challenge::new("Basic")
            .param("realm", "a \"b\" \\ c\n")
            .param("charset", "UTF-8");
        assert_eq!(
            c.header_value(),
            r#"Basic realm="a \"b\" \\ c", charset="UTF-8""#
        );
    }

    #[test]
    fn bearer_challenges_follow_rfc_6750() {
        let none: &[&str] = &[];
        let realm = r#"realm="api""#;
        let value = |code, scopes: &[&str]| Challenge::bearer("api", code, scopes).header_value();
        assert_eq!(
            value(ErrorCode::CredentialsMissing, none),
            format!("Bearer {realm}")
        );
        assert_eq!(
            value(ErrorCode::JwtJwksUnavailable, none),
            format!("Bearer {realm}")
        );
        assert_eq!(
            value(ErrorCode::ScopeInsufficient, &["read", "write"]),
            format!(r#"Bearer {realm}, error="insufficient_scope", scope="read write""#)
        );
        assert_eq!(
            value(ErrorCode::CredentialsAmbiguous, none),
            format!(r#"Bearer {realm}, error="invalid_request""#)
        );
        assert_eq!(
            value(ErrorCode::JwtExpired, none),
            format!(
                r#"Bearer {realm}, error="invalid_token", error_description="The token has expired.""#
            )
        );
    }

    #[test]
    fn scopes_check() {
        let p = Principal {
            subject: "s".into(),
            method: AuthMethod::ApiKey,
            credential_id: None,
            scopes: vec!["read".into(), "write".into()],
            claims: Map::new(),
            expires_at: None,
        };
        assert!(p.has_scopes(&["read"]));
        assert!(p.has_scopes::<&str>(&[]));
        assert!(!p.has_scopes(&["admin"]));
    }
}
