//! References instead of values: `env:NAME`, `file:PATH` and `secret:NAME`.
//!
//! A secret (a pepper, a webhook or HMAC secret, a JWT signing secret) is never written in a
//! configuration file: its field holds a reference, read when the configuration loads.
//! `env:NAME` reads an environment variable, `file:PATH` a file (relative paths start from the
//! configuration file's folder), `secret:NAME` a value the host passed at load
//! ([`Secrets`], e.g. from its vault client). A literal value in a secret field is refused.
//! Public material (PEM certificates, keys, CRLs) may be written inline or referenced the same
//! way.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;
use zeroize::{Zeroize, Zeroizing};

use super::document::read_text_file;
use super::{ConfigError, DocPath};

/// The largest file a reference may read (1 MiB).
pub const MAX_REFERENCED_FILE_BYTES: usize = 1024 * 1024;

/// Values the host supplies at load time, named by `secret:NAME` references.
#[derive(Clone, Default)]
pub struct Secrets {
    values: HashMap<String, Zeroizing<String>>,
}

impl Secrets {
    /// No host-supplied values.
    pub fn new() -> Self {
        Secrets::default()
    }

    /// Adds (or replaces) the value for `secret:name`.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values
            .insert(name.into(), Zeroizing::new(value.into()));
    }

    /// Builder form of [`Secrets::insert`].
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(name, value);
        self
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|v| v.as_str())
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.values.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("Secrets").field("names", &names).finish()
    }
}

/// What a loader needs besides the document: where relative paths start, and the host's
/// secrets.
#[derive(Clone, Debug, Default)]
pub struct LoadContext {
    base_dir: Option<PathBuf>,
    secrets: Secrets,
}

impl LoadContext {
    /// Relative paths from the working directory, no host secrets.
    pub fn new() -> Self {
        LoadContext::default()
    }

    /// Relative `file:` paths (and other relative paths of the configuration) start here.
    pub fn with_base_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base_dir = Some(dir.into());
        self
    }

    /// The values `secret:NAME` references read.
    pub fn with_secrets(mut self, secrets: Secrets) -> Self {
        self.secrets = secrets;
        self
    }

    /// The folder relative paths start from, if set.
    pub fn base_dir(&self) -> Option<&Path> {
        self.base_dir.as_deref()
    }

    /// `path` made absolute against the base folder (unchanged when absolute or no base).
    pub fn resolve_path(&self, path: &Path) -> PathBuf {
        match &self.base_dir {
            Some(base) if path.is_relative() => base.join(path),
            _ => path.to_owned(),
        }
    }
}

/// What a field may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReferenceKind {
    /// A secret: only a reference is accepted; a file's one trailing newline is dropped.
    Secret,
    /// Public material: inline text or a reference; a file is read as is.
    Material,
}

/// The value a field holds, after following its reference.
pub(crate) fn resolve_reference(
    raw: &str,
    kind: ReferenceKind,
    path: &DocPath,
    ctx: &LoadContext,
) -> Result<String, ConfigError> {
    let err = |m: String| ConfigError::new(path.clone(), m);
    if let Some(name) = raw.strip_prefix("env:") {
        if name.is_empty() {
            return Err(err("env: names no variable".into()));
        }
        let value = std::env::var(name).map_err(|e| match e {
            std::env::VarError::NotPresent => {
                err(format!("environment variable {name} is not set"))
            }
            std::env::VarError::NotUnicode(_) => {
                err(format!("environment variable {name} is not UTF-8"))
            }
        })?;
        if kind == ReferenceKind::Secret && value.is_empty() {
            return Err(err(format!("environment variable {name} is empty")));
        }
        return Ok(value);
    }
    if let Some(file) = raw.strip_prefix("file:") {
        if file.is_empty() {
            return Err(err("file: names no path".into()));
        }
        let full = ctx.resolve_path(Path::new(file));
        let mut text = read_text_file(&full, MAX_REFERENCED_FILE_BYTES).map_err(err)?;
        if kind == ReferenceKind::Secret {
            // Files written with `echo` end in a newline that is not part of the secret.
            if text.ends_with('\n') {
                text.pop();
                if text.ends_with('\r') {
                    text.pop();
                }
            }
            if text.is_empty() {
                return Err(err(format!("{} is empty", full.display())));
            }
        }
        return Ok(text);
    }
    if let Some(name) = raw.strip_prefix("secret:") {
        return ctx
            .secrets
            .get(name)
            .map(str::to_owned)
            .ok_or_else(|| err(format!("no secret named {name:?} was supplied at load")));
    }
    match kind {
        ReferenceKind::Material => Ok(raw.to_owned()),
        ReferenceKind::Secret => Err(err(
            "a secret cannot be written in the configuration: use env:NAME, file:PATH or secret:NAME"
                .into(),
        )),
    }
}

/// Replaces the string at `path` inside `value` (relative to it) by what it references; `*`
/// segments stand for every element of an array. Absent members are skipped (their defaults
/// apply); a non-string where a reference belongs is refused.
pub(crate) fn resolve_fields(
    value: &mut Value,
    pattern: &[&str],
    kind: ReferenceKind,
    at: &DocPath,
    ctx: &LoadContext,
) -> Result<(), ConfigError> {
    let Some((first, rest)) = pattern.split_first() else {
        return match value {
            Value::String(s) => {
                let resolved = resolve_reference(s, kind, at, ctx)?;
                s.zeroize();
                *s = resolved;
                Ok(())
            }
            Value::Null => Ok(()),
            _ => Err(ConfigError::new(at.clone(), "expected a string")),
        };
    };
    match (*first, value) {
        ("*", Value::Array(items)) => {
            for (i, item) in items.iter_mut().enumerate() {
                resolve_fields(item, rest, kind, &at.index(i), ctx)?;
            }
            Ok(())
        }
        (name, Value::Object(map)) if name != "*" => match map.get_mut(name) {
            Some(child) => resolve_fields(child, rest, kind, &at.key(name), ctx),
            None => Ok(()),
        },
        // A wrong shape is reported by the typed deserialization that follows.
        _ => Ok(()),
    }
}

/// Overwrites every string in `value` before it is dropped: a resolved document holds secrets.
pub(crate) fn wipe(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        _ => {}
    }
}
