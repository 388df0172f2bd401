//! Problems found in an exhibit package, each located precisely enough for a non-programmer
//! to open the file and fix it: file, line:column, the field's path, what was expected.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The package still opens; something falls back (e.g. a missing translation).
    Warning,
    /// The package cannot be shown as written.
    Error,
}

/// A 1-based line and column in a text file (columns count characters, not bytes, so they
/// match what an editor shows for Vietnamese text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl LineCol {
    pub fn from_offset(source: &str, offset: usize) -> Self {
        let offset = offset.min(source.len());
        let before = &source[..floor_char_boundary(source, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Self { line, column }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    /// The file the problem is in (the manifest, or a file it names).
    pub file: PathBuf,
    /// Where in `file`; `None` when the problem is about the file as a whole.
    pub at: Option<LineCol>,
    /// Dotted path of the field, e.g. `hotspots[2].title.en`; empty for the whole file.
    pub field: String,
    /// What is wrong and what to do about it.
    pub message: String,
    /// The problem is with an optional file (a hotspot image, captions, a sound, a narration):
    /// the viewer leaves that file out and still opens the exhibit, even for an error.
    pub left_out: bool,
}

impl Problem {
    /// Whether the problem keeps the exhibit from opening.
    pub fn blocks_opening(&self) -> bool {
        self.severity == Severity::Error && !self.left_out
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(at) = self.at {
            write!(f, ":{}:{}", at.line, at.column)?;
        }
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {level}")?;
        if !self.field.is_empty() {
            write!(f, ": `{}`", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Collects problems while a manifest is read, so that every problem is reported at once.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<Problem>,
}

impl Problems {
    pub fn push(&mut self, problem: Problem) {
        self.list.push(problem);
    }

    fn add(&mut self, severity: Severity, left_out: bool, file: &Path, at: Option<LineCol>, field: &str, message: String) {
        self.push(Problem { severity, file: file.to_owned(), at, field: field.to_owned(), message, left_out });
    }

    pub fn error(&mut self, file: &Path, at: Option<LineCol>, field: &str, message: impl Into<String>) {
        self.add(Severity::Error, false, file, at, field, message.into());
    }

    /// An error in an optional file: `disan validate` reports it as an error, the viewer leaves
    /// the file out (see [`Problem::left_out`]).
    pub fn left_out_error(&mut self, file: &Path, at: Option<LineCol>, field: &str, message: impl Into<String>) {
        self.add(Severity::Error, true, file, at, field, message.into());
    }

    pub fn warning(&mut self, file: &Path, at: Option<LineCol>, field: &str, message: impl Into<String>) {
        self.add(Severity::Warning, false, file, at, field, message.into());
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|p| p.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Problems in reading order (file, then position), errors before warnings at one place.
    pub fn into_sorted(mut self) -> Vec<Problem> {
        self.list.sort_by(|a, b| {
            (&a.file, a.at, std::cmp::Reverse(a.severity)).cmp(&(&b.file, b.at, std::cmp::Reverse(b.severity)))
        });
        self.list
    }

    pub fn extend(&mut self, other: Problems) {
        self.list.extend(other.list);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let src = "title = \"Đình\"\nx = 1";
        assert_eq!(LineCol::from_offset(src, 0), LineCol { line: 1, column: 1 });
        // Byte offset of `x` on line 2.
        let x = src.find('x').unwrap();
        assert_eq!(LineCol::from_offset(src, x), LineCol { line: 2, column: 1 });
        // The closing quote after "Đình": Đ and ì are two bytes each.
        let close = src.rfind('"').unwrap();
        assert_eq!(LineCol::from_offset(src, close), LineCol { line: 1, column: 14 });
    }
}
