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

impl Problem {
    /// The problem as `disan validate --lang vi` prints it: the place as written, the severity
    /// and, for the messages staff meet most (the texts `disan pack` left to fill in, missing
    /// files and fields, unknown fields), the explanation in Vietnamese. Others keep their
    /// English explanation.
    pub fn to_vietnamese(&self) -> String {
        let mut out = self.file.display().to_string();
        if let Some(at) = self.at {
            out.push_str(&format!(":{}:{}", at.line, at.column));
        }
        out.push_str(match self.severity {
            Severity::Error => ": lỗi",
            Severity::Warning => ": cảnh báo",
        });
        if !self.field.is_empty() {
            out.push_str(&format!(": `{}`", self.field));
        }
        out.push_str(": ");
        out.push_str(&vietnamese(&self.message).unwrap_or_else(|| self.message.clone()));
        out
    }
}

/// The Vietnamese of a message the format crate writes, where the catalogue has it.
pub fn vietnamese(message: &str) -> Option<String> {
    const EXACT: &[(&str, &str)] = &[
        (
            "is still the placeholder `disan pack` wrote: write the real text (Vietnamese and English) in its place.",
            "vẫn là chỗ trống `disan pack` để lại: hãy viết nội dung thật (tiếng Việt và tiếng Anh) vào chỗ đó.",
        ),
        (
            "is missing: every exhibit package needs an exhibit.toml (see docs/exhibit-format.md).",
            "không có: gói hiện vật nào cũng cần tệp exhibit.toml (xem docs/exhibit-format.md).",
        ),
        (
            "is empty: an exhibit needs at least one model to show. Add a `[[models]]` table with `src = \"models/….glb\"`.",
            "đang trống: hiện vật cần ít nhất một mô hình để hiển thị. Thêm bảng `[[models]]` với `src = \"models/….glb\"`.",
        ),
        (
            "does not exist: check the path, or run `disan` without arguments to open the bundled exhibits.",
            "không tồn tại: hãy kiểm tra đường dẫn, hoặc chạy `disan` không kèm tham số để mở các hiện vật mẫu.",
        ),
        (
            "expected a finite number, found inf or nan.",
            "cần một số hữu hạn, nhưng gặp inf hoặc nan.",
        ),
    ];
    if let Some((_, vi)) = EXACT.iter().find(|(en, _)| *en == message) {
        return Some((*vi).to_owned());
    }
    // `names "P", which is not in the package[, so it is left out]: add the file at F or fix the path.`
    if let Some(rest) = message.strip_prefix("names \"")
        && let Some((path, rest)) = rest.split_once("\", which is not in the package")
    {
        let left_out = rest.starts_with(", so it is left out");
        let at = rest
            .split_once("add the file at ")
            .and_then(|(_, r)| r.strip_suffix(" or fix the path."))?;
        let skipped = if left_out { ", nên bị bỏ qua" } else { "" };
        return Some(format!(
            "nhắc tới \"{path}\", nhưng tệp này không có trong gói{skipped}: hãy thêm tệp vào {at} hoặc sửa đường dẫn."
        ));
    }
    // `unknown table `X` at the top level: this Disan (V) does not know it. …`
    if let Some(rest) = message.strip_prefix("unknown table `")
        && let Some((name, rest)) = rest.split_once('`')
        && let Some((version, _)) = rest
            .strip_prefix(" at the top level: this Disan (")
            .and_then(|r| r.split_once(')'))
    {
        return Some(format!(
            "bảng `{name}` không có trong định dạng mà bản Disan này ({version}) biết. Nếu gói được làm bằng một bản Disan mới hơn, hãy cập nhật Disan để mở gói; nếu không, hãy xoá bảng này."
        ));
    }
    // `unknown field `X` in …. Known fields here: a, b.`
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((name, rest)) = rest.split_once('`')
    {
        let known = rest
            .split_once("Known fields here: ")
            .map(|(_, k)| k.trim_end_matches('.'))?;
        let hint = rest
            .split_once("Did you mean `")
            .and_then(|(_, r)| r.split_once('`'))
            .map_or(String::new(), |(s, _)| format!(" Có phải là `{s}`?"));
        return Some(format!(
            "trường `{name}` không có trong định dạng ở chỗ này.{hint} Các trường đúng ở đây: {known}."
        ));
    }
    // `has no text in any language, and `k` is required: write it, like …`
    if let Some(rest) = message.strip_prefix("has no text in any language, and `")
        && let Some((key, rest)) = rest.split_once("` is required: write it, like ")
    {
        return Some(format!(
            "chưa có nội dung bằng ngôn ngữ nào, mà `{key}` là bắt buộc: hãy viết vào, ví dụ {}",
            rest.trim_end_matches('.')
        ));
    }
    if let Some(what) = message.strip_prefix("must not be empty: write ") {
        return Some(format!("không được để trống: hãy viết {}", what));
    }
    None
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

    fn add(
        &mut self,
        severity: Severity,
        left_out: bool,
        file: &Path,
        at: Option<LineCol>,
        field: &str,
        message: String,
    ) {
        self.push(Problem {
            severity,
            file: file.to_owned(),
            at,
            field: field.to_owned(),
            message,
            left_out,
        });
    }

    pub fn error(
        &mut self,
        file: &Path,
        at: Option<LineCol>,
        field: &str,
        message: impl Into<String>,
    ) {
        self.add(Severity::Error, false, file, at, field, message.into());
    }

    /// An error in an optional file: `disan validate` reports it as an error, the viewer leaves
    /// the file out (see [`Problem::left_out`]).
    pub fn left_out_error(
        &mut self,
        file: &Path,
        at: Option<LineCol>,
        field: &str,
        message: impl Into<String>,
    ) {
        self.add(Severity::Error, true, file, at, field, message.into());
    }

    pub fn warning(
        &mut self,
        file: &Path,
        at: Option<LineCol>,
        field: &str,
        message: impl Into<String>,
    ) {
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
            (&a.file, a.at, std::cmp::Reverse(a.severity)).cmp(&(
                &b.file,
                b.at,
                std::cmp::Reverse(b.severity),
            ))
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
    fn the_messages_staff_meet_most_are_said_in_vietnamese() {
        let placeholder = Problem {
            severity: Severity::Warning,
            file: PathBuf::from("pkg/exhibit.toml"),
            at: Some(LineCol { line: 10, column: 16 }),
            field: "title.vi".into(),
            message: "is still the placeholder `disan pack` wrote: write the real text (Vietnamese and English) in its place.".into(),
            left_out: false,
        };
        assert_eq!(
            placeholder.to_vietnamese(),
            "pkg/exhibit.toml:10:16: cảnh báo: `title.vi`: vẫn là chỗ trống `disan pack` để lại: hãy viết nội dung thật (tiếng Việt và tiếng Anh) vào chỗ đó."
        );
        let missing = vietnamese("names \"audio/bell.ogg\", which is not in the package, so it is left out: add the file at /x/audio/bell.ogg or fix the path.").unwrap();
        assert_eq!(
            missing,
            "nhắc tới \"audio/bell.ogg\", nhưng tệp này không có trong gói, nên bị bỏ qua: hãy thêm tệp vào /x/audio/bell.ogg hoặc sửa đường dẫn."
        );
        let newer = vietnamese("unknown table `holograms` at the top level: this Disan (0.1.0) does not know it. If the package was made by a newer Disan, update this one to open it; otherwise remove the table. Known fields here: `format`, `id`.").unwrap();
        assert!(
            newer.starts_with("bảng `holograms`")
                && newer.contains("(0.1.0)")
                && newer.contains("cập nhật Disan"),
            "{newer}"
        );
        let unknown = vietnamese("unknown field `titel` at the top level. Did you mean `title`? Known fields here: `title`, `summary`.").unwrap();
        assert_eq!(
            unknown,
            "trường `titel` không có trong định dạng ở chỗ này. Có phải là `title`? Các trường đúng ở đây: `title`, `summary`."
        );
        // A message the catalogue does not have keeps its English.
        assert_eq!(vietnamese("something new"), None);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let src = "title = \"Đình\"\nx = 1";
        assert_eq!(LineCol::from_offset(src, 0), LineCol { line: 1, column: 1 });
        // Byte offset of `x` on line 2.
        let x = src.find('x').unwrap();
        assert_eq!(LineCol::from_offset(src, x), LineCol { line: 2, column: 1 });
        // The closing quote after "Đình": Đ and ì are two bytes each.
        let close = src.rfind('"').unwrap();
        assert_eq!(
            LineCol::from_offset(src, close),
            LineCol {
                line: 1,
                column: 14
            }
        );
    }
}
