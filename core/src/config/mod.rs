//! Loading configuration documents: TOML or JSON text into one JSON value, document paths,
//! load errors that name the path, line and column of the bad value, and `env:` / `file:` /
//! `secret:` references for the values that must not be written into a file.
//!
//! The gate and the generic [`Verifier`](crate::verifier::Verifier) both load through here, so
//! a configuration means the same thing, and fails the same way, whichever way it is given.

mod document;
mod locate;
mod reference;

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, ErrorCode};

pub(crate) use document::read_text_file;
pub use document::{Document, Format, MAX_DOCUMENT_BYTES};
pub(crate) use reference::{resolve_fields, resolve_reference, wipe, ReferenceKind};
pub use reference::{LoadContext, Secrets, MAX_REFERENCED_FILE_BYTES};

/// One step of a document path: a member name or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// An object member (a TOML key).
    Key(String),
    /// An array element.
    Index(usize),
}

/// Where a value sits in a configuration document: `routes[3].require.any_of[1]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocPath(Vec<Segment>);

impl DocPath {
    /// The document itself.
    pub fn root() -> Self {
        DocPath(Vec::new())
    }

    /// This path extended by a member name.
    pub fn key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Segment::Key(key.to_owned()));
        p
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Segment::Index(index));
        p
    }

    /// This path followed by `rest`.
    pub fn join(&self, rest: &DocPath) -> Self {
        let mut p = self.clone();
        p.0.extend(rest.0.iter().cloned());
        p
    }

    /// The steps, outermost first.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// The path of a serde error reported by `serde_path_to_error`.
    fn from_serde(path: &serde_path_to_error::Path) -> Self {
        use serde_path_to_error::Segment as S;
        let mut p = DocPath::root();
        for seg in path.iter() {
            match seg {
                S::Seq { index } => p.0.push(Segment::Index(*index)),
                S::Map { key } => p.0.push(Segment::Key(key.clone())),
                S::Enum { .. } | S::Unknown => {}
            }
        }
        p
    }
}

impl fmt::Display for DocPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(document)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Index(n) => write!(f, "[{n}]")?,
                Segment::Key(k) if is_bare_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                // Keys that would read ambiguously after a dot are bracketed and quoted.
                Segment::Key(k) => write!(f, "[{k:?}]")?,
            }
        }
        Ok(())
    }
}

fn is_bare_key(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A configuration that cannot be loaded: what is wrong, where (document path, and line and
/// column when the text is known), and the code (`config_invalid`, `json_invalid`, or the
/// code of the method that refused a value, such as `jwt_key_invalid`).
#[derive(Clone, PartialEq, Eq)]
pub struct ConfigError {
    code: ErrorCode,
    path: DocPath,
    message: String,
    position: Option<(usize, usize)>,
}

impl ConfigError {
    /// A `config_invalid` error at `path`.
    pub fn new(path: DocPath, message: impl Into<String>) -> Self {
        ConfigError::with_code(ErrorCode::ConfigInvalid, path, message)
    }

    /// An error with its own code at `path`.
    pub fn with_code(code: ErrorCode, path: DocPath, message: impl Into<String>) -> Self {
        ConfigError {
            code,
            path,
            message: message.into(),
            position: None,
        }
    }

    /// A core error raised while building the value at `path` (its code and detail are kept).
    pub fn from_error(path: DocPath, error: &Error) -> Self {
        ConfigError::with_code(error.code(), path, error.detail())
    }

    /// The code a binding reports.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Where the bad value is.
    pub fn path(&self) -> &DocPath {
        &self.path
    }

    /// What is wrong with it (never a secret: quoted values from serde are redacted).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// 1-based line and column of the bad value, when the document text is known.
    pub fn position(&self) -> Option<(usize, usize)> {
        self.position
    }

    /// The same error under `prefix` (a method's errors inside `credentials.<name>`).
    pub(crate) fn under(mut self, prefix: &DocPath) -> Self {
        self.path = prefix.join(&self.path);
        self
    }

    pub(crate) fn at(mut self, position: Option<(usize, usize)>) -> Self {
        if self.position.is_none() {
            self.position = position;
        }
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)?;
        if let Some((line, column)) = self.position {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConfigError({}: {self})", self.code.name())
    }
}

impl std::error::Error for ConfigError {}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::new(e.code, e.to_string())
    }
}

/// Deserializes `value` as `T`, reporting a failure at its path under `at`. serde's messages
/// quote the offending value, which may be a secret: quoted runs are redacted.
pub(crate) fn deserialize_at<T: DeserializeOwned>(
    value: &Value,
    at: &DocPath,
) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = at.join(&DocPath::from_serde(e.path()));
        ConfigError::with_code(
            ErrorCode::ConfigInvalid,
            path,
            crate::encoding::redact_quoted(&e.inner().to_string()),
        )
    })
}

#[cfg(test)]
mod tests;
