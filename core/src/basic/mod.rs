//! HTTP Basic authentication (RFC 7617) against a user store of password hashes.
//!
//! Parsing: scheme case-insensitive, canonical padded base64, split at the first colon, UTF-8
//! user-id and password, control characters refused, size limits. Verification: argon2id (and
//! the schemes of [`hash`]); an unknown user is checked against a dummy hash of the store's
//! most common scheme and cost, so timing does not reveal which user names exist.

pub mod hash;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Map;

use crate::decision::{AuthMethod, Challenge, Denial, Principal};
use crate::error::{Error, ErrorCode};
use crate::request::{Authorization, Request};
use crate::secret::SecretString;

pub use hash::{hash_password, Argon2Params, HashScheme, StoredHash};

/// Longest base64 credentials accepted, in characters.
pub const MAX_ENCODED_LEN: usize = 4096;
/// Longest user-id, in bytes.
pub const MAX_USER_LEN: usize = 256;
/// Longest password, in bytes.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// Decoded Basic credentials. The password is wiped on drop and never printed.
#[derive(Clone, Debug)]
pub struct BasicCredentials {
    /// The user-id.
    pub user_id: String,
    /// The password.
    pub password: SecretString,
}

/// Parses a whole `Authorization` header value (`Basic <token68>`, scheme case-insensitive).
pub fn parse_authorization(value: &[u8]) -> Result<BasicCredentials, Error> {
    let auth = Authorization::parse(value).map_err(|d| d.error().clone())?;
    if !auth.is_scheme("Basic") {
        return Err(Error::new(
            ErrorCode::CredentialsMissing,
            "the Authorization scheme is not Basic",
        ));
    }
    parse_credentials(auth.credentials)
}

/// Parses the credentials part of `Authorization: Basic <token68>`.
pub fn parse_credentials(token68: &str) -> Result<BasicCredentials, Error> {
    if token68.len() > MAX_ENCODED_LEN {
        return Err(Error::new(
            ErrorCode::BasicTooLong,
            "Basic credentials too long",
        ));
    }
    if token68.is_empty() {
        return Err(Error::new(
            ErrorCode::BasicMalformed,
            "Basic credentials are empty",
        ));
    }
    let decoded = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(token68)
            .map_err(|_| {
                Error::new(
                    ErrorCode::BasicBadBase64,
                    "Basic credentials are not canonical padded base64",
                )
            })?,
    );
    let colon = decoded
        .iter()
        .position(|&b| b == b':')
        .ok_or_else(|| Error::new(ErrorCode::BasicMalformed, "Basic credentials have no colon"))?;
    let (user, password) = (&decoded[..colon], &decoded[colon + 1..]);
    if user.len() > MAX_USER_LEN || password.len() > MAX_PASSWORD_LEN {
        return Err(Error::new(
            ErrorCode::BasicTooLong,
            "user-id or password too long",
        ));
    }
    let (Ok(user), Ok(password)) = (std::str::from_utf8(user), std::str::from_utf8(password))
    else {
        return Err(Error::new(
            ErrorCode::BasicInvalidUtf8,
            "user-id or password is not UTF-8",
        ));
    };
    if user.chars().chain(password.chars()).any(char::is_control) {
        return Err(Error::new(
            ErrorCode::BasicControlCharacter,
            "user-id or password holds a control character",
        ));
    }
    Ok(BasicCredentials {
        user_id: user.to_owned(),
        password: SecretString::new(password.to_owned()),
    })
}

/// The Basic verifier's configuration. The same JSON schema in every language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BasicConfig {
    /// The realm named in the challenge.
    pub realm: String,
    /// Accept `{SHA}`, `$apr1$` and `$1$` hashes (for a migration; they are flagged for rehash).
    pub allow_legacy: bool,
    /// Users and their password hashes.
    pub users: BTreeMap<String, String>,
    /// The text of an htpasswd file (`user:hash` lines).
    pub htpasswd: Option<String>,
    /// The path of an htpasswd file.
    pub htpasswd_file: Option<PathBuf>,
    /// The argon2id parameters new hashes should have; weaker hashes are flagged for rehash.
    pub rehash_params: Argon2Params,
}

impl Default for BasicConfig {
    fn default() -> Self {
        BasicConfig {
            realm: "api".into(),
            allow_legacy: false,
            users: BTreeMap::new(),
            htpasswd: None,
            htpasswd_file: None,
            rehash_params: Argon2Params::default(),
        }
    }
}

impl BasicConfig {
    /// Parses the JSON form of the configuration.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        crate::encoding::from_json_object(json, "Basic config")
    }
}

/// HTTP Basic verifier over a fixed set of users. Immutable once built; share it freely.
pub struct BasicAuth {
    realm: String,
    users: HashMap<String, StoredHash>,
    dummy: StoredHash,
    rehash_params: Argon2Params,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("realm", &self.realm)
            .field("users", &self.users.len())
            .finish_non_exhaustive()
    }
}

/// The users of `config`: its `users` map, then its htpasswd text and file, each hash parsed
/// (unknown, malformed and, unless allowed, legacy hashes refused; a user named twice too).
/// Hashes nothing: [`BasicAuth::new`] adds the dummy hash.
pub(crate) fn load_users(config: &BasicConfig) -> Result<HashMap<String, StoredHash>, Error> {
    let mut users = HashMap::new();
    let mut add = |user: &str, hash: &str, origin: &dyn Fn() -> String| {
        if user.is_empty() || user.contains(':') || user.chars().any(char::is_control) {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!("{}: invalid user name", origin()),
            ));
        }
        let stored = StoredHash::parse(hash, config.allow_legacy)
            .map_err(|e| Error::new(e.code(), format!("{}: {}", origin(), e.detail())))?;
        if users.insert(user.to_owned(), stored).is_some() {
            return Err(Error::new(
                ErrorCode::BasicHtpasswdMalformed,
                format!("{}: user {user:?} appears twice", origin()),
            ));
        }
        Ok(())
    };
    for (user, hash) in &config.users {
        add(user, hash, &|| format!("users[{user:?}]"))?;
    }
    let file_text = match &config.htpasswd_file {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ErrorCode::ConfigInvalid,
                format!("cannot read htpasswd file {}: {e}", path.display()),
            )
        })?),
        None => None,
    };
    for (origin, text) in [
        ("htpasswd", &config.htpasswd),
        ("htpasswd_file", &file_text),
    ] {
        let Some(text) = text else { continue };
        for (number, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let where_ = || format!("{origin} line {}", number + 1);
            let (user, hash) = line.split_once(':').ok_or_else(|| {
                Error::new(
                    ErrorCode::BasicHtpasswdMalformed,
                    format!("{}: no colon", where_()),
                )
            })?;
            add(user, hash, &where_)?;
        }
    }
    Ok(users)
}

impl BasicAuth {
    /// Builds the verifier: loads the users, the htpasswd text and file, refusing unknown,
    /// malformed and (unless allowed) legacy hashes, and a user named twice.
    pub fn new(config: BasicConfig) -> Result<Self, Error> {
        if config.realm.chars().any(char::is_control) {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                "realm holds a control character",
            ));
        }
        let users = load_users(&config)?;
        let dummy = Self::dummy_for(&users)?;
        Ok(BasicAuth {
            realm: config.realm,
            users,
            dummy,
            rehash_params: config.rehash_params,
        })
    }

    /// The dummy hash an unknown user is checked against: same scheme and cost as most users.
    fn dummy_for(users: &HashMap<String, StoredHash>) -> Result<StoredHash, Error> {
        let mut counts = HashMap::new();
        for stored in users.values() {
            counts.entry(stored.profile()).or_insert((0usize, stored)).0 += 1;
        }
        match counts.values().max_by_key(|(n, _)| *n) {
            Some((_, stored)) => stored.dummy_like(),
            None => StoredHash::parse(
                &hash_password(b"portcullis-dummy", Argon2Params::default())?,
                false,
            ),
        }
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// True when there is no user.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// The challenge: `Basic realm="...", charset="UTF-8"`.
    pub fn challenge(&self) -> Challenge {
        Challenge::new("Basic")
            .param("realm", self.realm.clone())
            .param("charset", "UTF-8")
    }

    /// Verifies the request's `Authorization: Basic` credentials.
    pub fn verify(&self, request: &Request) -> Result<Principal, Denial> {
        let deny = |e: Error| Denial::from(e).with_challenge(self.challenge());
        let auth = request
            .authorization()
            .map_err(|d| deny(d.error().clone()))?;
        let Some(auth) = auth.filter(|a| a.is_scheme("Basic")) else {
            return Err(deny(Error::new(
                ErrorCode::CredentialsMissing,
                "no Basic credentials in the request",
            )));
        };
        let credentials = parse_credentials(auth.credentials).map_err(deny)?;
        self.verify_credentials(&credentials)
    }

    /// Verifies decoded credentials (for hosts that parse Basic themselves).
    pub fn verify_credentials(&self, credentials: &BasicCredentials) -> Result<Principal, Denial> {
        let password = credentials.password.expose().as_bytes();
        let Some(stored) = self.users.get(&credentials.user_id) else {
            // Same work as a known user, then the same answer as a wrong password.
            let _ = self.dummy.verify(password);
            return Err(self.invalid("unknown user"));
        };
        if !stored.verify(password) {
            return Err(self.invalid("wrong password"));
        }
        let mut claims = Map::new();
        claims.insert("hash_scheme".into(), stored.scheme().name().into());
        claims.insert(
            "needs_rehash".into(),
            stored.needs_rehash(self.rehash_params).into(),
        );
        Ok(Principal {
            subject: credentials.user_id.clone(),
            method: AuthMethod::Basic,
            credential_id: Some(credentials.user_id.clone()),
            scopes: Vec::new(),
            claims,
            expires_at: None,
        })
    }

    /// One code for both failures, so the code reveals no user names; `detail` (for logs only)
    /// says which.
    fn invalid(&self, detail: &'static str) -> Denial {
        Denial::new(ErrorCode::BasicInvalidCredentials, detail).with_challenge(self.challenge())
    }
}

#[cfg(test)]
mod tests;
