//! Password hashes: argon2id for new hashes; argon2, bcrypt and SHA-crypt verified as found in
//! htpasswd files; `{SHA}` and MD5-crypt (`$apr1$`, `$1$`) only when the caller opts in for a
//! migration, and then always flagged for rehash.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::encoding::random_base62;
use crate::error::{Error, ErrorCode};

/// Argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Argon2Params {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for Argon2Params {
    /// OWASP's first argon2id configuration (m = 19 MiB, t = 2, p = 1), which RFC 9106's
    /// memory-constrained guidance also allows; tens of milliseconds per hash.
    fn default() -> Self {
        Argon2Params {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

// Ceilings on stored hash costs, so a hostile or mistyped hash cannot stall a verifier.
const MAX_ARGON2_MEMORY_KIB: u32 = 1024 * 1024;
const MAX_ARGON2_ITERATIONS: u32 = 64;
const MAX_BCRYPT_COST: u32 = 16;
const MAX_SHA_CRYPT_ROUNDS: u32 = 10_000_000;

impl Argon2Params {
    fn build(self) -> Result<argon2::Params, Error> {
        argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, None).map_err(|e| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("argon2 parameters: {e}"),
            )
        })
    }
}

/// Hashes `password` with argon2id and a fresh 16-byte salt; returns the PHC string.
pub fn hash_password(password: &[u8], params: Argon2Params) -> Result<String, Error> {
    if params.memory_kib > MAX_ARGON2_MEMORY_KIB || params.iterations > MAX_ARGON2_ITERATIONS {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "argon2 parameters above the supported ceiling",
        ));
    }
    let hasher = Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params.build()?,
    );
    hasher
        .hash_password(password)
        .map(|h| h.to_string())
        .map_err(|e| Error::new(ErrorCode::Internal, format!("argon2 hashing failed: {e}")))
}

/// The scheme of a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashScheme {
    /// `$argon2id$`
    Argon2id,
    /// `$argon2i$`
    Argon2i,
    /// `$argon2d$`
    Argon2d,
    /// `$2y$`, `$2b$`, `$2a$`
    Bcrypt,
    /// `$5$`
    Sha256Crypt,
    /// `$6$`
    Sha512Crypt,
    /// `{SHA}`: unsalted SHA-1 (legacy)
    LdapSha1,
    /// `$apr1$`: Apache MD5 (legacy)
    Apr1Md5,
    /// `$1$`: MD5-crypt (legacy)
    Md5Crypt,
}

impl HashScheme {
    /// The stable snake_case name.
    pub const fn name(self) -> &'static str {
        match self {
            HashScheme::Argon2id => "argon2id",
            HashScheme::Argon2i => "argon2i",
            HashScheme::Argon2d => "argon2d",
            HashScheme::Bcrypt => "bcrypt",
            HashScheme::Sha256Crypt => "sha256_crypt",
            HashScheme::Sha512Crypt => "sha512_crypt",
            HashScheme::LdapSha1 => "sha1",
            HashScheme::Apr1Md5 => "apr1",
            HashScheme::Md5Crypt => "md5_crypt",
        }
    }

    /// Weak schemes, accepted only for migration.
    pub const fn is_legacy(self) -> bool {
        matches!(
            self,
            HashScheme::LdapSha1 | HashScheme::Apr1Md5 | HashScheme::Md5Crypt
        )
    }
}

/// A stored password hash, its scheme recognised and its cost checked once at load.
#[derive(Clone)]
pub struct StoredHash {
    scheme: HashScheme,
    encoded: String,
    /// Argon2 parameters, bcrypt cost or SHA-crypt rounds, for rehash decisions and dummies.
    cost: Cost,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Cost {
    Argon2(Argon2Params),
    Bcrypt(u32),
    Rounds(u32),
    None,
}

impl std::fmt::Debug for StoredHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredHash")
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

fn malformed(what: &str) -> Error {
    Error::new(ErrorCode::BasicHashMalformed, what.to_owned())
}

impl StoredHash {
    /// Recognises `encoded`. Legacy schemes are refused with `basic_hash_weak` unless
    /// `allow_legacy`; DES crypt and unknown schemes with `basic_hash_unsupported`.
    pub fn parse(encoded: &str, allow_legacy: bool) -> Result<Self, Error> {
        let (scheme, cost) = if encoded.starts_with("$argon2") {
            parse_argon2(encoded)?
        } else if let Some(rest) = ["$2y$", "$2b$", "$2a$"]
            .iter()
            .find_map(|m| encoded.strip_prefix(m))
        {
            let cost: u32 = rest
                .get(..2)
                .and_then(|c| c.parse().ok())
                .filter(|_| rest.len() == 2 + 1 + 53 && rest.as_bytes()[2] == b'$')
                .ok_or_else(|| malformed("bcrypt hash is not $2?$NN$<53 characters>"))?;
            if !(4..=MAX_BCRYPT_COST).contains(&cost) {
                return Err(malformed("bcrypt cost out of range"));
            }
            (HashScheme::Bcrypt, Cost::Bcrypt(cost))
        } else if let Some(rest) = encoded.strip_prefix("$5$") {
            (
                HashScheme::Sha256Crypt,
                Cost::Rounds(sha_crypt_rounds(rest)?),
            )
        } else if let Some(rest) = encoded.strip_prefix("$6$") {
            (
                HashScheme::Sha512Crypt,
                Cost::Rounds(sha_crypt_rounds(rest)?),
            )
        } else if let Some(rest) = encoded.strip_prefix("{SHA}") {
            let digest = base64::engine::general_purpose::STANDARD
                .decode(rest)
                .map_err(|_| malformed("{SHA} hash is not base64"))?;
            if digest.len() != 20 {
                return Err(malformed("{SHA} hash is not 20 bytes"));
            }
            (HashScheme::LdapSha1, Cost::None)
        } else if encoded.starts_with("$apr1$") || encoded.starts_with("$1$") {
            let scheme = if encoded.starts_with("$apr1$") {
                HashScheme::Apr1Md5
            } else {
                HashScheme::Md5Crypt
            };
            split_md5_crypt(encoded).ok_or_else(|| malformed("MD5-crypt hash is malformed"))?;
            (scheme, Cost::None)
        } else if encoded.len() == 13
            && encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/')
        {
            return Err(Error::new(
                ErrorCode::BasicHashUnsupported,
                "DES crypt hashes are not supported (8-character passwords, 56-bit keys): reset these passwords",
            ));
        } else {
            return Err(Error::new(
                ErrorCode::BasicHashUnsupported,
                "unrecognised password hash scheme",
            ));
        };
        if scheme.is_legacy() && !allow_legacy {
            return Err(Error::new(
                ErrorCode::BasicHashWeak,
                format!(
                    "{} hashes are refused unless legacy schemes are allowed for migration",
                    scheme.name()
                ),
            ));
        }
        Ok(StoredHash {
            scheme,
            encoded: encoded.to_owned(),
            cost,
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> HashScheme {
        self.scheme
    }

    /// Scheme and cost: hashes with the same profile take the same time to check.
    pub(crate) fn profile(&self) -> (HashScheme, Cost) {
        (self.scheme, self.cost)
    }

    /// True when `password` matches. Wrong passwords and internal failures are both `false`.
    pub fn verify(&self, password: &[u8]) -> bool {
        match self.scheme {
            HashScheme::Argon2id | HashScheme::Argon2i | HashScheme::Argon2d => Argon2::default()
                .verify_password(password, self.encoded.as_str())
                .is_ok(),
            // bcrypt reads at most 72 bytes; longer passwords are refused, not truncated, so
            // two passwords sharing 72 bytes are not the same password.
            HashScheme::Bcrypt => {
                bcrypt::non_truncating_verify(password, &self.encoded).unwrap_or(false)
            }
            HashScheme::Sha256Crypt | HashScheme::Sha512Crypt => sha_crypt::ShaCrypt::default()
                .verify_password(password, self.encoded.as_str())
                .is_ok(),
            HashScheme::LdapSha1 => {
                let expected = format!(
                    "{{SHA}}{}",
                    base64::engine::general_purpose::STANDARD.encode(Sha1::digest(password))
                );
                expected.as_bytes().ct_eq(self.encoded.as_bytes()).into()
            }
            HashScheme::Apr1Md5 | HashScheme::Md5Crypt => split_md5_crypt(&self.encoded)
                .map(|(magic, salt)| {
                    let computed = md5_crypt(password, magic, salt);
                    computed.as_bytes().ct_eq(self.encoded.as_bytes()).into()
                })
                .unwrap_or(false),
        }
    }

    /// True when the hash should be replaced by an argon2id hash with `target` parameters at
    /// the next successful login: another scheme, or weaker parameters.
    pub fn needs_rehash(&self, target: Argon2Params) -> bool {
        match (self.scheme, self.cost) {
            (HashScheme::Argon2id, Cost::Argon2(p)) => {
                p.memory_kib < target.memory_kib || p.iterations < target.iterations
            }
            _ => true,
        }
    }

    /// A hash of a random password with the same scheme and cost, so that checking an unknown
    /// user costs what checking a known one does.
    pub fn dummy_like(&self) -> Result<StoredHash, Error> {
        let password = random_base62(24)?;
        let encoded = match (self.scheme, self.cost) {
            (_, Cost::Argon2(p)) => {
                let algorithm = match self.scheme {
                    HashScheme::Argon2i => argon2::Algorithm::Argon2i,
                    HashScheme::Argon2d => argon2::Algorithm::Argon2d,
                    _ => argon2::Algorithm::Argon2id,
                };
                Argon2::new(algorithm, argon2::Version::V0x13, p.build()?)
                    .hash_password(password.as_bytes())
                    .map(|h| h.to_string())
                    .map_err(|e| Error::new(ErrorCode::Internal, format!("argon2: {e}")))?
            }
            (HashScheme::Bcrypt, Cost::Bcrypt(cost)) => bcrypt::hash(&password, cost)
                .map_err(|e| Error::new(ErrorCode::Internal, format!("bcrypt: {e}")))?,
            (HashScheme::Sha256Crypt | HashScheme::Sha512Crypt, Cost::Rounds(rounds)) => {
                let algorithm = if self.scheme == HashScheme::Sha256Crypt {
                    sha_crypt::Algorithm::Sha256Crypt
                } else {
                    sha_crypt::Algorithm::Sha512Crypt
                };
                let params = sha_crypt::Params::new(rounds)
                    .map_err(|e| Error::new(ErrorCode::Internal, format!("sha-crypt: {e}")))?;
                // SHA-crypt reads at most 16 salt characters: 12 bytes, once base64-encoded.
                sha_crypt::ShaCrypt::new(algorithm, params)
                    .hash_password_with_salt(password.as_bytes(), random_base62(12)?.as_bytes())
                    .map(|h| h.to_string())
                    .map_err(|e| Error::new(ErrorCode::Internal, format!("sha-crypt: {e}")))?
            }
            (HashScheme::LdapSha1, _) => format!(
                "{{SHA}}{}",
                base64::engine::general_purpose::STANDARD.encode(Sha1::digest(&password))
            ),
            (HashScheme::Apr1Md5 | HashScheme::Md5Crypt, _) => {
                let magic = if self.scheme == HashScheme::Apr1Md5 {
                    "$apr1$"
                } else {
                    "$1$"
                };
                md5_crypt(password.as_bytes(), magic, &random_base62(8)?)
            }
            _ => return Err(Error::new(ErrorCode::Internal, "hash cost out of step")),
        };
        StoredHash::parse(&encoded, true)
    }
}

fn parse_argon2(encoded: &str) -> Result<(HashScheme, Cost), Error> {
    let phc = argon2::password_hash::phc::PasswordHash::new(encoded)
        .map_err(|_| malformed("argon2 hash is not a PHC string"))?;
    let scheme = match phc.algorithm.as_str() {
        "argon2id" => HashScheme::Argon2id,
        "argon2i" => HashScheme::Argon2i,
        "argon2d" => HashScheme::Argon2d,
        _ => return Err(malformed("unknown argon2 variant")),
    };
    let params = argon2::Params::try_from(&phc).map_err(|_| malformed("argon2 parameters"))?;
    if params.m_cost() > MAX_ARGON2_MEMORY_KIB || params.t_cost() > MAX_ARGON2_ITERATIONS {
        return Err(malformed("argon2 parameters above the supported ceiling"));
    }
    if phc.hash.is_none() || phc.salt.is_none() {
        return Err(malformed("argon2 hash has no salt or output"));
    }
    Ok((
        scheme,
        Cost::Argon2(Argon2Params {
            memory_kib: params.m_cost(),
            iterations: params.t_cost(),
            parallelism: params.p_cost(),
        }),
    ))
}

/// Rounds of a SHA-crypt hash body (after `$5$` / `$6$`): `[rounds=N$]salt$hash`.
fn sha_crypt_rounds(rest: &str) -> Result<u32, Error> {
    let parts: Vec<&str> = rest.split('$').collect();
    let (rounds, salt, hash) = match parts.as_slice() {
        [r, s, h] if r.starts_with("rounds=") => (
            r["rounds=".len()..]
                .parse::<u32>()
                .map_err(|_| malformed("SHA-crypt rounds is not a number"))?,
            *s,
            *h,
        ),
        [s, h] => (5000, *s, *h),
        _ => return Err(malformed("SHA-crypt hash is not $N$[rounds=R$]salt$hash")),
    };
    if salt.len() > 16 || hash.is_empty() {
        return Err(malformed("SHA-crypt salt or hash has the wrong length"));
    }
    if !(1000..=MAX_SHA_CRYPT_ROUNDS).contains(&rounds) {
        return Err(malformed("SHA-crypt rounds out of range"));
    }
    Ok(rounds)
}

/// `$apr1$salt$hash` → (magic, salt).
fn split_md5_crypt(encoded: &str) -> Option<(&str, &str)> {
    let magic = if encoded.starts_with("$apr1$") {
        "$apr1$"
    } else if encoded.starts_with("$1$") {
        "$1$"
    } else {
        return None;
    };
    let (salt, hash) = encoded[magic.len()..].split_once('$')?;
    (salt.len() <= 8 && !salt.is_empty() && hash.len() == 22).then_some((magic, salt))
}

/// Poul-Henning Kamp's MD5-crypt, with `$1$` or Apache's `$apr1$` magic. Kept only to verify
/// legacy htpasswd entries during a migration to argon2id; no maintained crate offers `$apr1$`
/// on the current RustCrypto digests.
fn md5_crypt(password: &[u8], magic: &str, salt: &str) -> String {
    const ITOA64: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let salt = salt.as_bytes();
    let alternate = Md5::new()
        .chain_update(password)
        .chain_update(salt)
        .chain_update(password)
        .finalize();
    let mut ctx = Md5::new()
        .chain_update(password)
        .chain_update(magic.as_bytes())
        .chain_update(salt);
    for chunk in password.chunks(16) {
        ctx.update(&alternate[..chunk.len()]);
    }
    let mut i = password.len();
    while i != 0 {
        if i & 1 == 1 {
            ctx.update([0u8]);
        } else {
            ctx.update(&password[..1]);
        }
        i >>= 1;
    }
    let mut digest = ctx.finalize();
    for round in 0..1000 {
        let mut c = Md5::new();
        if round & 1 == 1 {
            c.update(password);
        } else {
            c.update(digest);
        }
        if round % 3 != 0 {
            c.update(salt);
        }
        if round % 7 != 0 {
            c.update(password);
        }
        if round & 1 == 1 {
            c.update(digest);
        } else {
            c.update(password);
        }
        digest = c.finalize();
    }
    let mut out = String::with_capacity(magic.len() + salt.len() + 23);
    out.push_str(magic);
    out.push_str(std::str::from_utf8(salt).unwrap_or_default());
    out.push('$');
    let mut push = |mut v: u32, n: usize| {
        for _ in 0..n {
            out.push(ITOA64[(v & 0x3f) as usize] as char);
            v >>= 6;
        }
    };
    let d = |i: usize| u32::from(digest[i]);
    for (a, b, c) in [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)] {
        push((d(a) << 16) | (d(b) << 8) | d(c), 4);
    }
    push(d(11), 2);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Argon2Params {
        Argon2Params {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[test]
    fn argon2_round_trip_and_rehash() {
        let h = hash_password(b"hunter2", small()).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        let s = StoredHash::parse(&h, false).unwrap();
        assert!(s.verify(b"hunter2"));
        assert!(!s.verify(b"hunter3"));
        assert!(s.needs_rehash(Argon2Params::default()));
        assert!(!s.needs_rehash(small()));
        let dummy = s.dummy_like().unwrap();
        assert_eq!(dummy.cost, s.cost);
    }

    #[test]
    fn md5_crypt_known_answers() {
        // openssl passwd -apr1 -salt saltsalt password ; openssl passwd -1 -salt saltsalt password
        assert_eq!(
            md5_crypt(b"password", "$apr1$", "saltsalt"),
            "$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq/"
        );
        assert_eq!(
            md5_crypt(b"password", "$1$", "saltsalt"),
            "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/"
        );
    }

    #[test]
    fn legacy_needs_opt_in() {
        let sha = "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="; // "password"
        assert_eq!(
            StoredHash::parse(sha, false).unwrap_err().code(),
            ErrorCode::BasicHashWeak
        );
        let s = StoredHash::parse(sha, true).unwrap();
        assert!(s.verify(b"password"));
        assert!(!s.verify(b"Password"));
        assert!(s.needs_rehash(small()));
        assert_eq!(
            StoredHash::parse("abJnggxhB/yWI", true).unwrap_err().code(),
            ErrorCode::BasicHashUnsupported
        );
        assert_eq!(
            StoredHash::parse("$9$x", true).unwrap_err().code(),
            ErrorCode::BasicHashUnsupported
        );
    }

    #[test]
    fn dummies_match_scheme_and_cost() {
        let samples = [
            hash_password(b"pw", small()).unwrap(),
            bcrypt::hash("pw", 5).unwrap(),
            "$5$qgMNr7lQntVlHAAM$cRqsvJ40odoR32nTRFHn/rL80INb1K4fQds3LwUlMj3".to_owned(),
            "$6$rounds=6000$saltsalt$".to_owned() + &"a".repeat(86),
            "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=".to_owned(),
            "$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq/".to_owned(),
        ];
        for encoded in samples {
            let stored = StoredHash::parse(&encoded, true).unwrap();
            let dummy = stored.dummy_like().unwrap();
            assert_eq!(dummy.profile(), stored.profile(), "{:?}", stored.scheme());
            assert!(!dummy.verify(b"pw"));
        }
    }
}
