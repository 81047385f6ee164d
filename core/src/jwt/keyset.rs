//! JWT keys, each bound to one algorithm, and the in-memory key set.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use aws_lc_rs::hmac;
use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::{json, Algorithm};
use crate::error::{Error, ErrorCode};
use crate::keys::jwk::{self, Jwk, SignatureUse};
use crate::keys::{is_key_material, SigningKey, VerifyingKey};

/// The most keys one [`JwtKeySet`] holds.
pub const MAX_KEYS: usize = 1024;

/// Shortest HMAC secret accepted at all (HS256), in bytes; HS384 and HS512 need their hash's
/// output length, 48 and 64 (RFC 7518 3.2).
pub const MIN_SECRET_LEN: usize = 32;

/// Where a verifier reads keys from. [`JwtKeySet`] is the in-memory one;
/// [`JwksClient`](super::JwksClient) fetches a remote JWKS and refreshes when asked for an
/// unknown `kid`.
pub trait KeySource: Send + Sync + fmt::Debug {
    /// The keys whose `kid` is `kid`, or every key when the token has no `kid`. An error (a
    /// source that cannot answer) refuses the token.
    fn keys(&self, kid: Option<&str>) -> Result<Vec<Arc<JwtKey>>, Error>;

    /// True when the source holds HMAC secrets and asymmetric keys together (a verifier then
    /// refuses to work unless its configuration allows it). A remote JWKS never holds secrets.
    fn mixes_key_types(&self) -> bool {
        false
    }

    /// True when asking for keys may wait on the network (a remote JWKS): a binding then
    /// leaves its runtime's lock or loop while a token is verified.
    fn may_block(&self) -> bool {
        false
    }
}

fn invalid(detail: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorCode::JwtKeyInvalid, detail)
}

fn key_error(e: Error) -> Error {
    invalid(e.detail().to_owned())
}

enum Material {
    Hmac { key: Box<hmac::Key> },
    Public(VerifyingKey),
    Private(SigningKey, VerifyingKey),
}

/// One key, bound to exactly one [`Algorithm`] and parsed once.
pub struct JwtKey {
    kid: Option<String>,
    alg: Algorithm,
    material: Material,
    /// What the key may do, from a JWK's `use` and `key_ops` (everything for other sources).
    ops: SignatureUse,
}

/// What a key from a secret, PEM, DER or generation may do: both.
const ALL_OPS: SignatureUse = SignatureUse {
    verify: true,
    sign: true,
};

impl fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.material {
            Material::Hmac { .. } => "secret",
            Material::Public(_) => "public",
            Material::Private(..) => "private",
        };
        f.debug_struct("JwtKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("kind", &kind)
            .field("verify", &self.ops.verify)
            .field("sign", &self.ops.sign)
            .finish()
    }
}

impl JwtKey {
    /// An HMAC secret for HS256/384/512: at least the hash's output (32, 48 or 64 bytes; RFC
    /// 7518 3.2 says MUST, for verifying as for signing), and never asymmetric key material.
    pub fn from_secret(alg: Algorithm, secret: &[u8]) -> Result<Self, Error> {
        let (hmac_alg, need) = alg
            .hmac()
            .ok_or_else(|| invalid(format!("{alg} does not take a secret")))?;
        if secret.len() < need.max(MIN_SECRET_LEN) {
            return Err(invalid(format!(
                "HMAC secrets must be at least {need} bytes"
            )));
        }
        if is_key_material(secret) {
            return Err(invalid(
                "asymmetric key material (PEM, DER, JWK, SSH) is refused as an HMAC secret",
            ));
        }
        Ok(JwtKey {
            kid: None,
            alg,
            material: Material::Hmac {
                key: Box::new(hmac::Key::new(hmac_alg, secret)),
            },
            ops: ALL_OPS,
        })
    }

    fn asymmetric(alg: Algorithm) -> Result<crate::keys::KeyAlgorithm, Error> {
        alg.key_algorithm()
            .ok_or_else(|| invalid(format!("{alg} takes a secret, not a key")))
    }

    fn from_signing(alg: Algorithm, signing: SigningKey) -> Result<Self, Error> {
        let public = signing.verifying_key().map_err(key_error)?;
        Ok(JwtKey {
            kid: None,
            alg,
            material: Material::Private(signing, public),
            ops: ALL_OPS,
        })
    }

    /// A public (`PUBLIC KEY`, `RSA PUBLIC KEY`) or private (`PRIVATE KEY`, `RSA PRIVATE KEY`,
    /// `EC PRIVATE KEY`) PEM key for an asymmetric algorithm.
    pub fn from_pem(alg: Algorithm, pem: &[u8]) -> Result<Self, Error> {
        let key_alg = Self::asymmetric(alg)?;
        // The first block decides, as the key readers read only the first block: a file
        // holding a private key and then its public key is a private key.
        let text = String::from_utf8_lossy(pem);
        let first_label = text
            .split_once("-----BEGIN ")
            .and_then(|(_, rest)| rest.split_once("-----"))
            .map(|(label, _)| label);
        if first_label.is_some_and(|label| label.ends_with("PUBLIC KEY")) {
            let public = VerifyingKey::from_pem(key_alg, pem).map_err(key_error)?;
            return Ok(JwtKey {
                kid: None,
                alg,
                material: Material::Public(public),
                ops: ALL_OPS,
            });
        }
        Self::from_signing(alg, SigningKey::from_pem(key_alg, pem).map_err(key_error)?)
    }

    /// A DER key: a public key (SPKI, PKCS#1, raw) or else a private key (PKCS#8, PKCS#1,
    /// SEC1).
    pub fn from_der(alg: Algorithm, der: &[u8]) -> Result<Self, Error> {
        let key_alg = Self::asymmetric(alg)?;
        match VerifyingKey::from_der(key_alg, der) {
            Ok(public) => Ok(JwtKey {
                kid: None,
                alg,
                material: Material::Public(public),
                ops: ALL_OPS,
            }),
            Err(_) => {
                Self::from_signing(alg, SigningKey::from_der(key_alg, der).map_err(key_error)?)
            }
        }
    }

    /// A JWK from its JSON text, parsed strictly (a repeated member is refused); see
    /// [`JwtKey::from_jwk`].
    pub fn from_jwk_json(jwk: &str, alg: Option<Algorithm>) -> Result<Self, Error> {
        let jwk = json::parse_object(jwk.as_bytes(), "JWK").map_err(key_error)?;
        Self::from_jwk(&jwk, alg)
    }

    /// A JWK (public, or private when it has `d`). The algorithm is `alg`, else the JWK's own
    /// `alg`, else inferred: `EC` from `crv`, `OKP`/`Ed25519` is EdDSA, `RSA` is RS256; an `oct`
    /// key needs an explicit algorithm. `alg` and the JWK's `alg` must agree; `kid` is kept.
    /// `use` and `key_ops` bind what the key may do ([`jwk::signature_use`]): a public key
    /// whose members exclude `verify`, or a private key or secret excluding both `sign` and
    /// `verify`, is refused, as are contradictory members.
    pub fn from_jwk(jwk: &Jwk, alg: Option<Algorithm>) -> Result<Self, Error> {
        let ops = jwk::signature_use(jwk).map_err(key_error)?;
        let own = match jwk.get("alg") {
            None => None,
            Some(Value::String(name)) => Some(
                Algorithm::from_name(name)
                    .ok_or_else(|| invalid("JWK alg is not a supported algorithm"))?,
            ),
            Some(_) => return Err(invalid("JWK alg is not a string")),
        };
        let kty = jwk.get("kty").and_then(Value::as_str).unwrap_or("");
        let crv = jwk.get("crv").and_then(Value::as_str).unwrap_or("");
        let inferred = match (kty, crv) {
            ("EC", "P-256") => Some(Algorithm::Es256),
            ("EC", "P-384") => Some(Algorithm::Es384),
            ("EC", "P-521") => Some(Algorithm::Es512),
            ("OKP", "Ed25519") => Some(Algorithm::EdDsa),
            ("RSA", _) => Some(Algorithm::Rs256),
            _ => None,
        };
        let alg = match (alg, own) {
            (Some(a), Some(b)) if a != b => {
                return Err(invalid("the JWK's alg differs from the one requested"))
            }
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => inferred.ok_or_else(|| invalid("JWK needs an explicit alg"))?,
        };
        let kid = match jwk.get("kid") {
            None => None,
            Some(Value::String(k)) => Some(k.clone()),
            Some(_) => return Err(invalid("JWK kid is not a string")),
        };
        let key = if alg.is_hmac() {
            if kty != "oct" {
                return Err(invalid("an HMAC algorithm needs an oct JWK"));
            }
            let k = match jwk.get("k") {
                Some(Value::String(k)) => jwk::b64url_decode(k).map(Zeroizing::new),
                _ => None,
            }
            .ok_or_else(|| invalid("oct JWK k is missing or not canonical base64url"))?;
            Self::from_secret(alg, &k)?
        } else {
            let key_alg = Self::asymmetric(alg)?;
            if jwk.contains_key("d") {
                Self::from_signing(alg, SigningKey::from_jwk(key_alg, jwk).map_err(key_error)?)?
            } else {
                JwtKey {
                    kid: None,
                    alg,
                    material: Material::Public(
                        VerifyingKey::from_jwk(key_alg, jwk).map_err(key_error)?,
                    ),
                    ops: ALL_OPS,
                }
            }
        };
        // A key that may do nothing it could do is a configuration mistake, refused here
        // rather than left in a set where it would silently never verify.
        let usable = match key.material {
            Material::Public(_) => ops.verify,
            _ => ops.verify || ops.sign,
        };
        if !usable {
            return Err(invalid(
                "the JWK's use / key_ops exclude every signature operation this key could do",
            ));
        }
        Ok(JwtKey { kid, ops, ..key })
    }

    /// A new random key: a key pair whose `kid` is its RFC 7638 thumbprint, or for HS* a secret
    /// of the hash's output length (no `kid`).
    pub fn generate(alg: Algorithm) -> Result<Self, Error> {
        if let Some((_, len)) = alg.hmac() {
            let mut secret = Zeroizing::new(vec![0u8; len]);
            // Redraw in the (negligible) case a random secret looks like DER key material.
            for _ in 0..8 {
                getrandom::fill(&mut secret).map_err(|_| {
                    Error::new(ErrorCode::RandomUnavailable, "OS random source failed")
                })?;
                if !is_key_material(&secret) {
                    break;
                }
            }
            return Self::from_secret(alg, &secret);
        }
        let key = Self::from_signing(alg, SigningKey::generate(Self::asymmetric(alg)?)?)?;
        let kid = key.thumbprint()?;
        Ok(key.with_kid(kid))
    }

    /// Sets the key id.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The one algorithm this key accepts and signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// True when the key can sign (a private key or a secret whose JWK `use` / `key_ops`, if
    /// any, allow signing).
    pub fn can_sign(&self) -> bool {
        self.ops.sign && !matches!(self.material, Material::Public(_))
    }

    /// True when the key may verify signatures (false for a JWK whose `use` / `key_ops`
    /// exclude it).
    pub fn can_verify(&self) -> bool {
        self.ops.verify
    }

    fn public_key(&self) -> Result<&VerifyingKey, Error> {
        match &self.material {
            Material::Public(k) | Material::Private(_, k) => Ok(k),
            Material::Hmac { .. } => Err(invalid("a secret has no public key")),
        }
    }

    /// The RFC 7638 thumbprint of the public key (secrets have none here, so none leaks).
    pub fn thumbprint(&self) -> Result<String, Error> {
        self.public_key()?.thumbprint().map_err(key_error)
    }

    /// The public JWK: key members, `kid` (the thumbprint when the key has none), `alg`,
    /// `use: sig`. Secrets are never exported.
    pub fn public_jwk(&self) -> Result<Jwk, Error> {
        let public = self.public_key()?;
        let mut out = public.to_jwk().map_err(key_error)?;
        let kid = match &self.kid {
            Some(k) => k.clone(),
            None => self.thumbprint()?,
        };
        out.insert("kid".into(), Value::String(kid));
        out.insert("alg".into(), Value::String(self.alg.name().into()));
        out.insert("use".into(), Value::String("sig".into()));
        Ok(out)
    }

    /// The private key as PKCS#8 PEM (to store a generated key).
    pub fn private_pem(&self) -> Result<Zeroizing<String>, Error> {
        match &self.material {
            Material::Private(k, _) => k.to_pkcs8_pem(),
            _ => Err(invalid("not a private key")),
        }
    }

    /// True when `signature` signs `message` under this key (HMAC compared in constant time).
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        if !self.ops.verify {
            return false;
        }
        match &self.material {
            Material::Hmac { key } => hmac::verify(key, message, signature).is_ok(),
            Material::Public(k) | Material::Private(_, k) => k.verify(message, signature),
        }
    }

    /// Signs `message` (a secret is at least the hash output long: checked at load).
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        if !self.ops.sign {
            return Err(invalid("the JWK's use / key_ops do not allow signing"));
        }
        match &self.material {
            Material::Hmac { key } => Ok(hmac::sign(key, message).as_ref().to_vec()),
            Material::Private(k, _) => k.sign(message),
            Material::Public(_) => Err(invalid("a public key cannot sign")),
        }
    }
}

/// Keys for a verifier: a shared handle (clones see the same keys), safe to update while
/// tokens are verified.
#[derive(Clone, Default)]
pub struct JwtKeySet {
    keys: Arc<RwLock<Keys>>,
}

/// The keys of a set, and how many of them are HMAC secrets (so a verifier learns whether the
/// set mixes secrets and public keys without a scan per token).
#[derive(Default)]
struct Keys {
    list: Vec<Arc<JwtKey>>,
    secrets: usize,
}

impl Keys {
    fn push(&mut self, key: Arc<JwtKey>) {
        self.secrets += usize::from(key.alg.is_hmac());
        self.list.push(key);
    }

    fn position(&self, kid: Option<&str>, alg: Algorithm) -> Option<usize> {
        kid?;
        self.list
            .iter()
            .position(|k| k.kid.as_deref() == kid && k.alg == alg)
    }

    fn room_for(&self, n: usize) -> Result<(), Error> {
        if self.list.len() + n > MAX_KEYS {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!("a key set holds at most {MAX_KEYS} keys"),
            ));
        }
        Ok(())
    }
}

fn keys_room(n: usize) -> Result<(), Error> {
    Keys::default().room_for(n)
}

fn repeated_kid(kid: Option<&str>, alg: Algorithm) -> Error {
    invalid(format!(
        "two {alg} keys have the kid {:?}: a token could not name which one it means",
        kid.unwrap_or_default()
    ))
}

impl fmt::Debug for JwtKeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.read();
        f.debug_struct("JwtKeySet")
            .field("keys", &keys.list)
            .finish()
    }
}

impl JwtKeySet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Keys> {
        self.keys.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Keys> {
        self.keys.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// A set from a JWKS document (`{"keys": [...]}`).
    pub fn from_jwks(jwks: &str) -> Result<Self, Error> {
        let set = Self::new();
        set.add_jwks(jwks)?;
        Ok(set)
    }

    /// Adds every signature verification key of a JWKS. Skipped, as [`JwksClient`] skips them:
    /// entries whose `use` / `key_ops` exclude verification ([`jwk::signature_use`]) and key
    /// types that cannot verify here (X25519, ...). Contradictory `use` and `key_ops` refuse
    /// the document. Refused too, as `JwksClient` refuses them: two keys with the same `kid`
    /// and algorithm, in the document or one already in the set (RFC 7517 4.5 lets keys of
    /// different types share a `kid`). Nothing is added unless every key is. Returns how many
    /// keys were added.
    ///
    /// [`JwksClient`]: super::JwksClient
    pub fn add_jwks(&self, jwks: &str) -> Result<usize, Error> {
        let doc = json::parse_object(jwks.as_bytes(), "JWKS").map_err(key_error)?;
        let keys = match doc.get("keys") {
            Some(Value::Array(keys)) => keys,
            _ => return Err(invalid("JWKS has no keys array")),
        };
        // Before any key is parsed; `room_for` checks the set's total once they are.
        keys_room(keys.len())?;
        let mut parsed: Vec<Arc<JwtKey>> = Vec::new();
        for key in keys {
            let jwk = key
                .as_object()
                .ok_or_else(|| invalid("JWKS entry is not an object"))?;
            let usable = jwk::signature_use(jwk).map_err(key_error)?.verify
                && match jwk.get("kty").and_then(Value::as_str) {
                    Some("RSA" | "EC" | "oct") => true,
                    Some("OKP") => jwk.get("crv").and_then(Value::as_str) == Some("Ed25519"),
                    _ => false,
                };
            if !usable {
                continue;
            }
            let key = JwtKey::from_jwk(jwk, None)?;
            if key.kid.is_some() && parsed.iter().any(|k| k.kid == key.kid && k.alg == key.alg) {
                return Err(repeated_kid(key.kid(), key.alg));
            }
            parsed.push(Arc::new(key));
        }
        let mut keys = self.write();
        if let Some(k) = parsed
            .iter()
            .find(|k| keys.position(k.kid(), k.alg).is_some())
        {
            return Err(repeated_kid(k.kid(), k.alg));
        }
        keys.room_for(parsed.len())?;
        let n = parsed.len();
        for key in parsed {
            keys.push(key);
        }
        Ok(n)
    }

    /// Adds a key, refusing (`jwt_key_invalid`) one whose `kid` and algorithm are already in
    /// the set: what loading a configuration does, where a repeated `kid` is a mistake, not a
    /// rotation. A key that may not verify is refused as by [`insert`](Self::insert).
    pub fn add(&self, key: JwtKey) -> Result<(), Error> {
        if !key.ops.verify {
            return Err(not_a_verifier());
        }
        let mut keys = self.write();
        if keys.position(key.kid(), key.alg).is_some() {
            return Err(repeated_kid(key.kid(), key.alg));
        }
        keys.room_for(1)?;
        keys.push(Arc::new(key));
        Ok(())
    }

    /// Adds a key; a key with the same `kid` and algorithm is replaced (a rotation the caller
    /// asks for by name; loading paths refuse the repeat instead, see [`add`](Self::add)). A
    /// key that may not verify (a JWK whose `key_ops` lack `verify`) is refused.
    pub fn insert(&self, key: JwtKey) -> Result<(), Error> {
        self.insert_shared(Arc::new(key))
    }

    /// Adds a key that is also held elsewhere (a binding's key object, another set): the parsed
    /// key is shared, never copied or parsed again. Replaces as [`insert`](Self::insert) does.
    pub fn insert_shared(&self, key: Arc<JwtKey>) -> Result<(), Error> {
        if !key.ops.verify {
            return Err(not_a_verifier());
        }
        let mut keys = self.write();
        if let Some(i) = keys.position(key.kid(), key.alg) {
            // Same algorithm, so the same kind: the count of secrets is unchanged.
            keys.list[i] = key;
            return Ok(());
        }
        keys.room_for(1)?;
        keys.push(key);
        Ok(())
    }

    /// Removes every key with this `kid`; returns how many.
    pub fn remove(&self, kid: &str) -> usize {
        let mut keys = self.write();
        let before = keys.list.len();
        keys.list.retain(|k| k.kid() != Some(kid));
        keys.secrets = keys.list.iter().filter(|k| k.alg.is_hmac()).count();
        before - keys.list.len()
    }

    /// How many keys the set holds.
    pub fn len(&self) -> usize {
        self.read().list.len()
    }

    /// True when every key of the set is an HMAC secret (so no verification against it does
    /// asymmetric work); true for an empty set.
    pub fn only_secrets(&self) -> bool {
        let keys = self.read();
        keys.secrets == keys.list.len()
    }

    /// True when the set holds HMAC secrets and asymmetric keys together, which a verifier
    /// accepts only with `allow_mixed_key_types`.
    pub fn mixes_key_types(&self) -> bool {
        let keys = self.read();
        keys.secrets > 0 && keys.secrets < keys.list.len()
    }

    /// True when the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The public JWKS of the asymmetric keys (`{"keys": [...]}`); secrets are left out.
    pub fn public_jwks(&self) -> Result<Value, Error> {
        let keys = self.read();
        let mut out = Vec::new();
        for key in keys.list.iter().filter(|k| !k.alg.is_hmac()) {
            out.push(Value::Object(key.public_jwk()?));
        }
        Ok(json!({ "keys": out }))
    }
}

fn not_a_verifier() -> Error {
    invalid("a key set holds verification keys: this JWK's use / key_ops exclude verify")
}

impl KeySource for JwtKeySet {
    fn keys(&self, kid: Option<&str>) -> Result<Vec<Arc<JwtKey>>, Error> {
        let keys = self.read();
        Ok(keys
            .list
            .iter()
            .filter(|k| kid.is_none() || k.kid() == kid)
            .cloned()
            .collect())
    }

    fn mixes_key_types(&self) -> bool {
        JwtKeySet::mixes_key_types(self)
    }
}

/// The RFC 7638 thumbprint of a JWK (errors as `jwt_key_invalid`).
pub fn thumbprint(jwk: &Jwk) -> Result<String, Error> {
    jwk::thumbprint(jwk).map_err(key_error)
}

/// The RFC 7638 thumbprint of a JWK given as JSON text, read as strictly as
/// [`JwtKey::from_jwk_json`] reads one: text that is not one JSON object (or names a member
/// twice) is `jwt_key_invalid`, like a JWK of the wrong shape. What every surface's
/// `jwk_thumbprint` calls.
pub fn thumbprint_json(jwk: &str) -> Result<String, Error> {
    let jwk = json::parse_object(jwk.as_bytes(), "JWK").map_err(key_error)?;
    thumbprint(&jwk)
}

#[cfg(test)]
#[path = "keyset_tests.rs"]
mod tests;
