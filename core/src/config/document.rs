//! A configuration document: its text, its format and the JSON value both formats become.

use std::path::{Path, PathBuf};

use serde_json::{Map, Number, Value};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::locate::{self, line_column};
use super::{ConfigError, DocPath};
use crate::error::ErrorCode;

/// The largest configuration document accepted, in bytes (4 MiB).
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// Deepest nesting of arrays and objects accepted in a document.
pub(crate) const MAX_DEPTH: usize = 64;

/// How a configuration is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON (RFC 8259); duplicate member names are refused.
    Json,
    /// TOML 1.0; dates and times are refused (no setting takes one).
    Toml,
}

impl Format {
    /// JSON when the first non-blank character is `{`, TOML otherwise.
    pub fn detect(text: &str) -> Format {
        match text.trim_start().as_bytes().first() {
            Some(b'{') => Format::Json,
            _ => Format::Toml,
        }
    }

    /// The format a file name says (`.json`, `.toml`), if it says one.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            e if e.eq_ignore_ascii_case("json") => Some(Format::Json),
            e if e.eq_ignore_ascii_case("toml") => Some(Format::Toml),
            _ => None,
        }
    }
}

/// A parsed configuration document. Keeps its text so that an error found later, while the
/// values are checked, can still name its line and column.
#[derive(Clone, Debug)]
pub struct Document {
    format: Format,
    text: String,
    value: Value,
    origin: Option<PathBuf>,
}

impl Document {
    /// Parses `text` as `format` into one JSON value.
    pub fn parse(text: &str, format: Format) -> Result<Document, ConfigError> {
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(ConfigError::with_code(
                ErrorCode::InputTooLarge,
                DocPath::root(),
                format!("the document is larger than {MAX_DOCUMENT_BYTES} bytes"),
            ));
        }
        let value = match format {
            Format::Json => parse_json(text)?,
            Format::Toml => parse_toml(text)?,
        };
        if !value.is_object() {
            return Err(ConfigError::new(
                DocPath::root(),
                "the document must be an object (a JSON object or a TOML table)",
            ));
        }
        Ok(Document {
            format,
            text: text.to_owned(),
            value,
            origin: None,
        })
    }

    /// Reads and parses the file at `path`; the format comes from its extension, or from its
    /// first character when the extension says nothing.
    pub fn read(path: &Path) -> Result<Document, ConfigError> {
        let text = read_text_file(path, MAX_DOCUMENT_BYTES)
            .map_err(|m| ConfigError::new(DocPath::root(), m))?;
        let format = Format::from_path(path).unwrap_or_else(|| Format::detect(&text));
        let mut doc = Document::parse(&text, format)?;
        doc.origin = Some(path.to_owned());
        Ok(doc)
    }

    /// The format it was written in.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The document as a JSON value (always an object).
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The file it was read from, if any (relative `file:` references start from its folder).
    pub fn origin(&self) -> Option<&Path> {
        self.origin.as_deref()
    }

    /// The folder relative paths start from: the file's folder, else the working directory.
    pub fn base_dir(&self) -> Option<&Path> {
        self.origin.as_deref().and_then(Path::parent)
    }

    /// 1-based line and column of the value at `path`, when it is in the text.
    pub fn position_of(&self, path: &DocPath) -> Option<(usize, usize)> {
        let offset = match self.format {
            Format::Json => locate::json_offset(&self.text, path),
            Format::Toml => toml_offset(&self.text, path),
        }?;
        Some(line_column(&self.text, offset))
    }

    /// `error` with the line and column of its path filled in.
    pub fn locate(&self, error: ConfigError) -> ConfigError {
        let position = self.position_of(&error.path);
        error.at(position)
    }
}

/// Reads a UTF-8 text file of at most `max` bytes; the message names the path, never the
/// content.
pub(crate) fn read_text_file(path: &Path, max: usize) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read {}: {}", path.display(), e.kind()))?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {}", path.display(), e.kind()))?;
    if bytes.len() > max {
        return Err(format!("{} is larger than {max} bytes", path.display()));
    }
    String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", path.display()))
}

fn parse_json(text: &str) -> Result<Value, ConfigError> {
    // The scan refuses what serde_json would silently accept (a repeated member name keeps
    // only its last value) and bounds the nesting; it reports the offending offset.
    if let Err((offset, message)) = locate::check_json(text, MAX_DEPTH) {
        return Err(
            ConfigError::with_code(ErrorCode::JsonInvalid, DocPath::root(), message)
                .at(Some(line_column(text, offset))),
        );
    }
    serde_json::from_str(text).map_err(|e| {
        ConfigError::with_code(
            ErrorCode::JsonInvalid,
            DocPath::root(),
            crate::encoding::redact_quoted(&strip_position(&e.to_string())),
        )
        .at(Some(line_column(
            text,
            serde_json_offset(text, e.line(), e.column()),
        )))
    })
}

/// The offset of the byte a serde_json error points at. serde_json counts `column` bytes into
/// line `line` (1-based), and says column 0 when that byte is the newline ending the line
/// before (a raw line break inside a string): read as a position, that is column 0, which no
/// 1-based position has. As an offset, both are the byte itself.
fn serde_json_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = match line {
        0 | 1 => 0,
        n => text
            .match_indices('\n')
            .nth(n - 2)
            .map_or(text.len(), |(i, _)| i + 1),
    };
    let mut offset = (line_start + column).saturating_sub(1).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// serde_json appends " at line L column C"; the error carries the position itself.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn parse_toml(text: &str) -> Result<Value, ConfigError> {
    let table = DeTable::parse(text).map_err(|e| {
        let position = e.span().map(|s| line_column(text, s.start));
        // toml's message repeats the offending line with a caret; the first line says what.
        let message = e
            .message()
            .lines()
            .next()
            .unwrap_or("invalid TOML")
            .to_owned();
        ConfigError::with_code(ErrorCode::ConfigInvalid, DocPath::root(), message).at(position)
    })?;
    table_to_json(table.get_ref(), &DocPath::root(), 0, text)
}

fn table_to_json(
    table: &DeTable<'_>,
    path: &DocPath,
    depth: usize,
    text: &str,
) -> Result<Value, ConfigError> {
    let mut out = Map::new();
    for (key, value) in table.iter() {
        let key = key.get_ref().to_string();
        let child = path.key(&key);
        let json = value_to_json(value, &child, depth + 1, text)?;
        out.insert(key, json);
    }
    Ok(Value::Object(out))
}

fn value_to_json(
    value: &Spanned<DeValue<'_>>,
    path: &DocPath,
    depth: usize,
    text: &str,
) -> Result<Value, ConfigError> {
    let here = || Some(line_column(text, value.span().start));
    if depth > MAX_DEPTH {
        return Err(ConfigError::new(path.clone(), "nested too deeply").at(here()));
    }
    Ok(match value.get_ref() {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Integer(i) => {
            let n = i64::from_str_radix(i.as_str(), i.radix())
                .map_err(|_| ConfigError::new(path.clone(), "integer out of range").at(here()))?;
            Value::Number(n.into())
        }
        DeValue::Float(f) => {
            let parsed: f64 = f
                .as_str()
                .parse()
                .map_err(|_| ConfigError::new(path.clone(), "invalid float").at(here()))?;
            Value::Number(Number::from_f64(parsed).ok_or_else(|| {
                ConfigError::new(path.clone(), "inf and nan are not accepted").at(here())
            })?)
        }
        DeValue::Datetime(_) => {
            return Err(
                ConfigError::new(path.clone(), "dates and times are not accepted").at(here()),
            )
        }
        DeValue::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| value_to_json(item, &path.index(i), depth + 1, text))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(table) => table_to_json(table, path, depth, text)?,
    })
}

/// The byte offset where the value at `path` starts in a TOML text.
fn toml_offset(text: &str, path: &DocPath) -> Option<usize> {
    use super::Segment;
    let table = DeTable::parse(text).ok()?;
    let mut span = table.span();
    let mut current: Option<&DeValue<'_>> = None;
    let mut root = Some(table.get_ref());
    for seg in path.segments() {
        let next: &Spanned<DeValue<'_>> = match (seg, root.take(), current) {
            (Segment::Key(k), Some(t), _) => t.get(k.as_str())?,
            (Segment::Key(k), None, Some(DeValue::Table(t))) => t.get(k.as_str())?,
            (Segment::Index(i), None, Some(DeValue::Array(a))) => a.get(*i)?,
            _ => return Some(span.start),
        };
        span = next.span();
        current = Some(next.get_ref());
    }
    Some(span.start)
}
