//! What a method proved, in the form it proved it: a [`Principal`], or a verified JWT whose
//! claims are still spans of the token's text ([`VerifiedToken`]).
//!
//! The gate keeps the second form so that a binding can hand a JWT's claims on without the
//! claims map a `Principal` holds (a third of an HS256 verify); Rust callers that ask for the
//! `Principal` get it built once, on first use.

use std::sync::OnceLock;

use crate::decision::{AuthMethod, Principal};
use crate::jwt::VerifiedToken;

/// Who a credential proved the caller to be.
#[derive(Clone, Debug)]
pub struct Identity(Form);

#[derive(Clone, Debug)]
enum Form {
    Principal(Principal),
    Token {
        token: VerifiedToken,
        // Boxed: most decisions never build it, and an identity is moved a few times.
        principal: OnceLock<Box<Principal>>,
    },
}

impl Identity {
    /// An identity that is a principal already.
    pub fn from_principal(principal: Principal) -> Self {
        Identity(Form::Principal(principal))
    }

    /// A verified JWT, its claims kept as read.
    pub fn from_token(token: VerifiedToken) -> Self {
        Identity(Form::Token {
            token,
            principal: OnceLock::new(),
        })
    }

    /// The verified token, when the identity is one (its claims unread into a map).
    pub fn token(&self) -> Option<&VerifiedToken> {
        match &self.0 {
            Form::Token { token, .. } => Some(token),
            Form::Principal(_) => None,
        }
    }

    /// The principal: built from the token on first use, when the identity is a token.
    pub fn principal(&self) -> &Principal {
        match &self.0 {
            Form::Principal(p) => p,
            Form::Token { token, principal } => {
                principal.get_or_init(|| Box::new(token.clone().into_principal()))
            }
        }
    }

    /// The principal, taken out.
    pub fn into_principal(self) -> Principal {
        match self.0 {
            Form::Principal(p) => p,
            Form::Token { token, principal } => principal
                .into_inner()
                .map_or_else(|| token.into_principal(), |p| *p),
        }
    }

    /// The authenticated subject.
    pub fn subject(&self) -> &str {
        match &self.0 {
            Form::Principal(p) => &p.subject,
            Form::Token { token, .. } => &token.subject,
        }
    }

    /// The method that proved it.
    pub fn method(&self) -> AuthMethod {
        match &self.0 {
            Form::Principal(p) => p.method,
            Form::Token { .. } => AuthMethod::Jwt,
        }
    }

    /// The credential's public id (key id, kid, certificate fingerprint, user name).
    pub fn credential_id(&self) -> Option<&str> {
        match &self.0 {
            Form::Principal(p) => p.credential_id.as_deref(),
            Form::Token { token, .. } => token.credential_id.as_deref(),
        }
    }

    /// The scopes the credential grants.
    pub fn scopes(&self) -> &[String] {
        match &self.0 {
            Form::Principal(p) => &p.scopes,
            Form::Token { token, .. } => &token.scopes,
        }
    }

    /// When the credential stops being valid.
    pub fn expires_at(&self) -> Option<i64> {
        match &self.0 {
            Form::Principal(p) => p.expires_at,
            Form::Token { token, .. } => token.expires_at,
        }
    }

    /// True when every one of `required` is among the scopes.
    pub fn has_scopes<S: AsRef<str>>(&self, required: &[S]) -> bool {
        crate::decision::grants(self.scopes(), required)
    }
}

impl PartialEq for Identity {
    fn eq(&self, other: &Self) -> bool {
        self.principal() == other.principal()
    }
}

impl From<Principal> for Identity {
    fn from(p: Principal) -> Self {
        Identity::from_principal(p)
    }
}
