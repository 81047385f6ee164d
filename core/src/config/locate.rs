//! Positions in JSON text: a small scanner that finds where the value at a document path
//! starts, and refuses repeated member names (serde_json keeps the last one silently, which in
//! a security configuration hides a mistake).
//!
//! The scanner only follows structure; syntax errors are left to serde_json, which reports
//! them better. On text it cannot follow it gives up (`None`, or `Ok` for the checks).

use super::{DocPath, Segment};

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Refuses a repeated member name in any object and nesting deeper than `max_depth`, with the
/// offset of the offending name or bracket.
pub(crate) fn check_json(text: &str, max_depth: usize) -> Result<(), (usize, String)> {
    let mut s = Scanner::new(text);
    s.skip_ws();
    match s.check_value(0, max_depth) {
        Err(Stop::Refused(offset, message)) => Err((offset, message)),
        Err(Stop::Syntax) | Ok(()) => Ok(()),
    }
}

/// The byte offset where the value at `path` starts (for a missing member, where its object
/// starts).
pub(crate) fn json_offset(text: &str, path: &DocPath) -> Option<usize> {
    let mut s = Scanner::new(text);
    s.skip_ws();
    let mut start = s.pos;
    for seg in path.segments() {
        match (seg, s.peek()?) {
            (Segment::Key(key), b'{') => {
                if !s.find_member(key).ok()? {
                    return Some(start);
                }
            }
            (Segment::Index(index), b'[') => {
                if !s.find_element(*index).ok()? {
                    return Some(start);
                }
            }
            _ => return Some(start),
        }
        start = s.pos;
    }
    Some(start)
}

enum Stop {
    Syntax,
    Refused(usize, String),
}

struct Scanner<'t> {
    bytes: &'t [u8],
    text: &'t str,
    pos: usize,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Self {
        Scanner {
            bytes: text.as_bytes(),
            text,
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), Stop> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Stop::Syntax)
        }
    }

    /// A string starting at `pos`, decoded only as far as needed to compare names.
    fn string(&mut self) -> Result<String, Stop> {
        self.expect(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            let b = self.peek().ok_or(Stop::Syntax)?;
            self.pos += 1;
            match b {
                b'\\' => {
                    escaped = true;
                    self.pos += 1;
                }
                b'"' => break,
                _ => {}
            }
        }
        let raw = self.text.get(start..self.pos - 1).ok_or(Stop::Syntax)?;
        if !escaped {
            return Ok(raw.to_owned());
        }
        // Escapes (`\u0061` for `a`) must not hide a repeated name: decode them as JSON does.
        serde_json::from_str(&format!("\"{raw}\"")).map_err(|_| Stop::Syntax)
    }

    fn skip_scalar(&mut self) -> Result<(), Stop> {
        match self.peek().ok_or(Stop::Syntax)? {
            b'"' => self.string().map(drop),
            _ => {
                let start = self.pos;
                while matches!(self.peek(), Some(b) if !b",]} \t\r\n".contains(&b)) {
                    self.pos += 1;
                }
                if self.pos == start {
                    Err(Stop::Syntax)
                } else {
                    Ok(())
                }
            }
        }
    }

    fn check_value(&mut self, depth: usize, max_depth: usize) -> Result<(), Stop> {
        match self.peek().ok_or(Stop::Syntax)? {
            open @ (b'{' | b'[') => {
                if depth >= max_depth {
                    return Err(Stop::Refused(self.pos, "nested too deeply".into()));
                }
                self.pos += 1;
                self.skip_ws();
                let close = if open == b'{' { b'}' } else { b']' };
                if self.peek() == Some(close) {
                    self.pos += 1;
                    return Ok(());
                }
                let mut names = std::collections::HashSet::new();
                loop {
                    if open == b'{' {
                        let at = self.pos;
                        let name = self.string()?;
                        if !names.insert(name.clone()) {
                            return Err(Stop::Refused(
                                at,
                                format!("member {name:?} appears twice in one object"),
                            ));
                        }
                        self.skip_ws();
                        self.expect(b':')?;
                        self.skip_ws();
                    }
                    self.check_value(depth + 1, max_depth)?;
                    self.skip_ws();
                    match self.peek().ok_or(Stop::Syntax)? {
                        b',' => {
                            self.pos += 1;
                            self.skip_ws();
                        }
                        b if b == close => {
                            self.pos += 1;
                            return Ok(());
                        }
                        _ => return Err(Stop::Syntax),
                    }
                }
            }
            _ => self.skip_scalar(),
        }
    }

    /// Skips one value of any kind (no checks, no depth limit beyond the text's own).
    fn skip_value(&mut self) -> Result<(), Stop> {
        self.check_value(0, usize::MAX).or_else(|e| match e {
            // A repeated name inside a skipped value is not this walk's business.
            Stop::Refused(..) => Ok(()),
            Stop::Syntax => Err(Stop::Syntax),
        })
    }

    /// Moves to the value of member `key` of the object at `pos`; false if absent.
    fn find_member(&mut self, key: &str) -> Result<bool, Stop> {
        self.expect(b'{')?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            return Ok(false);
        }
        loop {
            let name = self.string()?;
            self.skip_ws();
            self.expect(b':')?;
            self.skip_ws();
            if name == key {
                return Ok(true);
            }
            self.skip_value()?;
            self.skip_ws();
            match self.peek().ok_or(Stop::Syntax)? {
                b',' => {
                    self.pos += 1;
                    self.skip_ws();
                }
                _ => return Ok(false),
            }
        }
    }

    /// Moves to element `index` of the array at `pos`; false if absent.
    fn find_element(&mut self, index: usize) -> Result<bool, Stop> {
        self.expect(b'[')?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            return Ok(false);
        }
        for _ in 0..index {
            self.skip_value()?;
            self.skip_ws();
            match self.peek().ok_or(Stop::Syntax)? {
                b',' => {
                    self.pos += 1;
                    self.skip_ws();
                }
                _ => return Ok(false),
            }
        }
        Ok(true)
    }
}
