//! Reading `exhibit.toml`: a walk over the spanned TOML tree that records every problem with its
//! location instead of stopping at the first, and refuses unknown fields (they are nearly always
//! typos that would otherwise be silently ignored).

use std::collections::HashSet;
use std::ops::{Range, RangeInclusive};
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::manifest::*;
use crate::problem::{LineCol, Problems};
use crate::text::{Lang, Localized, LocalizedText, REQUIRED_LANGS};

/// Marks a text `disan pack` wrote for staff to replace (Vietnamese and English forms);
/// `disan validate` warns while one is left.
pub const FILL_IN_VI: &str = "[CẦN ĐIỀN]";
pub const FILL_IN_EN: &str = "[TO FILL IN]";

/// The only format version this crate reads. Within version 1 the format grows by new tables
/// (`[[scans]]`, `[[panoramas]]`, `[[pointclouds]]`, `[[videos]]` came so): a Disan older than a
/// package's tables refuses it, naming the table and saying to update (see [`Reader::finish`]).
pub const FORMAT_VERSION: u32 = 1;

// ----- limits on texts, in characters (Unicode scalar values, not bytes: "Đình" is 4) -----

/// The longest title: the exhibit's, and those of hotspots, views and tours. A title is a
/// label on a card, a button or a marker; the details belong in the summary or the body.
pub const MAX_TITLE_CHARS: usize = 120;
/// The longest exhibit summary: about a screen of the info panel.
pub const MAX_SUMMARY_CHARS: usize = 2000;
/// The longest hotspot body.
pub const MAX_BODY_CHARS: usize = 4000;
/// The longest text of a tour stop: what a visitor can read while the stop lasts.
pub const MAX_STOP_TEXT_CHARS: usize = 1000;
/// The longest rights attribution: it is shown as a credit line.
pub const MAX_ATTRIBUTION_CHARS: usize = 500;
/// The shortest tour stop given in seconds.
pub const MIN_STOP_SECONDS: f64 = 0.1;
/// A video's transcript: the words of a performance of some minutes.
pub const MAX_TRANSCRIPT_CHARS: usize = 20_000;

// ----- where Vietnam is -----

/// Latitudes (degrees north) of a WGS84 position in Vietnam. Generous on purpose: the box
/// covers the mainland (Lũng Cú at 23.39° N, Mũi Cà Mau at 8.6° N) and the Hoàng Sa and
/// Trường Sa archipelagos (from about 6.2° N), so it only catches real mistakes.
pub const VIETNAM_LAT: RangeInclusive<f64> = 6.0..=23.6;
/// Longitudes (degrees east) of a WGS84 position in Vietnam: from the Điện Biên border
/// (102.14° E) to the eastern reefs of Trường Sa (about 117.3° E), with a margin.
pub const VIETNAM_LON: RangeInclusive<f64> = 102.0..=117.9;

/// Central meridians (decimal degrees) of the VN-2000 3° zones (TM-3, scale 0.9999) that
/// Vietnam's provinces use, as listed in the annex of Circular 973/2001/TT-TCĐC (EPSG "VN-2000 /
/// TM-3 103-00" … "108-30"). Hải Phòng's is 105°45′, written 105.75.
pub const VN2000_TM3_MERIDIANS: [f64; 17] = [
    103.0, 104.0, 104.5, 104.75, 105.0, 105.5, 105.75, 106.0, 106.25, 106.5, 107.0, 107.25, 107.5,
    107.75, 108.0, 108.25, 108.5,
];
/// Central meridians of the VN-2000 6° zones (UTM, scale 0.9996) covering Vietnam: zones 48
/// (105° E), 49 (111° E, Hoàng Sa and the western Trường Sa) and 50 (117° E, eastern Trường Sa).
pub const VN2000_UTM_MERIDIANS: [f64; 3] = [105.0, 111.0, 117.0];
/// Eastings `y` (metres) inside a 3° zone: 500 000 m on the central meridian, ±1.5° (about
/// ±170 km) to the zone's edges, and a margin of about half a degree beyond them.
pub const VN2000_TM3_EASTING: RangeInclusive<f64> = 300_000.0..=700_000.0;
/// Eastings `y` (metres) inside a 6° zone: the UTM zone's ±3° and a margin, the range UTM
/// itself allows at the equator.
pub const VN2000_UTM_EASTING: RangeInclusive<f64> = 166_000.0..=834_000.0;
/// Northings `x` (metres) inside Vietnam's latitudes (6.0° N to 23.6° N), with a little margin.
pub const VN2000_NORTHING: RangeInclusive<f64> = 660_000.0..=2_620_000.0;

mod lesson;
pub use lesson::{LESSON_FORMAT, parse_lesson};

type Value<'i> = Spanned<DeValue<'i>>;

/// Reads a manifest from its text. `file` is used only to name the file in problems.
/// Returns the manifest when it has no errors (warnings are allowed), and all problems found.
pub fn parse_manifest(file: &Path, source: &str) -> (Option<Manifest>, Problems) {
    let mut r = Reader::new(file, source);
    let Some(doc) = r.parse_toml() else {
        return (None, r.problems);
    };
    let root = Obj::new(doc.get_ref(), doc.span(), String::new());
    let manifest = r.manifest(root);
    if r.problems.has_errors() {
        (None, r.problems)
    } else {
        (manifest, r.problems)
    }
}

struct Reader<'s> {
    file: &'s Path,
    source: &'s str,
    problems: Problems,
}

impl<'s> Reader<'s> {
    fn new(file: &'s Path, source: &'s str) -> Self {
        Reader {
            file,
            source,
            problems: Problems::default(),
        }
    }

    /// The file's TOML document, or `None` with the place where it stops being TOML
    /// (manifests and lessons alike).
    fn parse_toml(&mut self) -> Option<toml::Spanned<DeTable<'s>>> {
        match DeTable::parse(self.source) {
            Ok(doc) => Some(doc),
            Err(e) => {
                let at = e.span().map(|s| self.at(&s));
                let message = format!(
                    "this is not valid TOML: {}. Check quotes, brackets and `=` on this line.",
                    e.message().trim_end_matches('.')
                );
                self.problems.error(self.file, at, "", message);
                None
            }
        }
    }
}

/// A table being read: remembers which keys were asked for, so the rest can be reported as unknown.
struct Obj<'t, 'i> {
    table: &'t DeTable<'i>,
    span: Range<usize>,
    path: String,
    known: Vec<&'static str>,
}

impl<'t, 'i> Obj<'t, 'i> {
    /// The fields known here, for a message: "`a`, `b`".
    fn known_list(&self) -> String {
        self.known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn new(table: &'t DeTable<'i>, span: Range<usize>, path: String) -> Self {
        Self {
            table,
            span,
            path,
            known: Vec::new(),
        }
    }
    fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }
    fn get(&mut self, key: &'static str) -> Option<&'t Value<'i>> {
        self.known.push(key);
        self.table.get(key)
    }
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The closest known key, to suggest for a typo.
fn suggestion<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

impl<'s> Reader<'s> {
    fn at(&self, span: &Range<usize>) -> LineCol {
        LineCol::from_offset(self.source, span.start)
    }
    fn error(&mut self, span: &Range<usize>, field: &str, message: impl Into<String>) {
        let at = Some(self.at(span));
        self.problems.error(self.file, at, field, message);
    }
    fn warning(&mut self, span: &Range<usize>, field: &str, message: impl Into<String>) {
        let at = Some(self.at(span));
        self.problems.warning(self.file, at, field, message);
    }

    /// Reports keys of `obj` that were never asked for.
    fn finish(&mut self, obj: Obj<'_, '_>) {
        for (key, value) in obj.table.iter() {
            let name: &str = key.get_ref();
            if obj.known.contains(&name) {
                continue;
            }
            let suggested = suggestion(name, &obj.known);
            let hint = match suggested {
                Some(s) => format!(" Did you mean `{s}`?"),
                None => String::new(),
            };
            // A table at the top level that is no typo of a known one is most likely a kind of
            // content added to the format after this Disan was built: say so, and what to do.
            let is_table = matches!(value.get_ref(), DeValue::Table(_) | DeValue::Array(_));
            if obj.path.is_empty() && is_table && suggested.is_none() {
                let msg = format!(
                    "unknown table `{name}` at the top level: this Disan ({}) does not know it. If the package was made by a newer Disan, update this one to open it; otherwise remove the table. Known fields here: {}.",
                    env!("CARGO_PKG_VERSION"),
                    obj.known_list()
                );
                self.error(&key.span(), &obj.field(name), msg);
                continue;
            }
            let place = if obj.path.is_empty() {
                "at the top level".to_owned()
            } else {
                format!("in `{}`", obj.path)
            };
            let msg = format!(
                "unknown field `{name}` {place}.{hint} Known fields here: {}.",
                obj.known_list()
            );
            self.error(&key.span(), &obj.field(name), msg);
        }
    }

    fn missing(&mut self, obj: &Obj<'_, '_>, key: &str, expected: &str) {
        let place = if obj.path.is_empty() {
            "the manifest".to_owned()
        } else {
            format!("`{}`", obj.path)
        };
        let msg = format!("missing required field `{key}` in {place}: add {expected}.");
        self.error(&obj.span.clone(), &obj.field(key), msg);
    }

    fn wrong_type(&mut self, v: &Value<'_>, field: &str, expected: &str) {
        let msg = format!("expected {expected}, found {}.", type_name(v.get_ref()));
        self.error(&v.span(), field, msg);
    }

    // ----- scalar readers: `None` means absent or wrong (the problem is already recorded) -----

    fn opt_str(&mut self, obj: &mut Obj<'_, '_>, key: &'static str) -> Option<String> {
        let v = obj.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => {
                self.placeholder(v, &obj.field(key), s);
                Some(s.to_string())
            }
            _ => {
                self.wrong_type(v, &obj.field(key), "a string in quotes");
                None
            }
        }
    }

    /// A text `disan pack` left for staff to write: shown as it is, with a warning until replaced.
    fn placeholder(&mut self, v: &Value<'_>, field: &str, s: &str) {
        if s.contains(FILL_IN_VI) || s.contains(FILL_IN_EN) {
            self.warning(&v.span(), field, "is still the placeholder `disan pack` wrote: write the real text (Vietnamese and English) in its place.");
        }
    }

    fn req_str(
        &mut self,
        obj: &mut Obj<'_, '_>,
        key: &'static str,
        expected: &str,
    ) -> Option<String> {
        if !obj.table.contains_key(key) {
            obj.known.push(key);
            self.missing(obj, key, expected);
            return None;
        }
        let s = self.opt_str(obj, key)?;
        if s.trim().is_empty() {
            let v = obj.table.get(key).expect("checked above");
            self.error(
                &v.span(),
                &obj.field(key),
                format!("must not be empty: write {expected}."),
            );
            return None;
        }
        Some(s)
    }

    fn req_id(&mut self, obj: &mut Obj<'_, '_>, key: &'static str) -> Option<String> {
        let id = self.req_str(obj, key, &format!("`{key} = \"some-id\"`"))?;
        if !is_valid_id(&id) {
            let v = obj.table.get(key).expect("present");
            let msg = format!(
                "\"{id}\" is not a valid id: use lowercase letters a–z, digits and `-` (e.g. \"{}\").",
                slug(&id)
            );
            self.error(&v.span(), &obj.field(key), msg);
            return None;
        }
        Some(id)
    }

    /// The number as the manifest writes it (for messages: `1e39` rather than 40 digits).
    fn written(&self, v: &Value<'_>) -> String {
        self.written_at(&v.span())
    }

    fn written_at(&self, span: &Range<usize>) -> String {
        self.source
            .get(span.clone())
            .map_or_else(String::new, |s| s.trim().to_owned())
    }

    /// A finite number. Values past what the viewer can hold are refused here or, for the
    /// fields it stores in 32 bits, by [`Self::number_f32`].
    fn number(&mut self, v: &Value<'_>, field: &str) -> Option<f64> {
        let n = match v.get_ref() {
            DeValue::Integer(i) => {
                match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
                    Ok(i) => i as f64,
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::num::IntErrorKind::PosOverflow
                                | std::num::IntErrorKind::NegOverflow
                        ) =>
                    {
                        self.too_large(v, field);
                        return None;
                    }
                    Err(_) => {
                        self.wrong_type(v, field, "a number");
                        return None;
                    }
                }
            }
            DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
                Ok(n) => n,
                Err(_) => {
                    self.wrong_type(v, field, "a number");
                    return None;
                }
            },
            _ => {
                self.wrong_type(v, field, "a number");
                return None;
            }
        };
        let written = self.written(v).to_ascii_lowercase();
        if n.is_nan() || (n.is_infinite() && (written.contains("inf") || written.is_empty())) {
            self.error(
                &v.span(),
                field,
                "expected a finite number, found inf or nan.",
            );
            None
        } else if n.is_infinite() {
            // `1e400`: a number beyond even 64 bits.
            self.too_large(v, field);
            None
        } else {
            Some(n)
        }
    }

    fn too_large(&mut self, v: &Value<'_>, field: &str) {
        let msg = format!(
            "{} is too large for the viewer, which holds numbers up to about 3.4e38: check the number and its exponent.",
            self.written(v)
        );
        self.error(&v.span(), field, msg);
    }

    /// A number the viewer stores in 32 bits (positions, sizes, gains, seconds): `1e39` passes
    /// as a 64-bit number but would become infinity there, so it is refused.
    fn number_f32(&mut self, v: &Value<'_>, field: &str) -> Option<f32> {
        let n = self.number(v, field)?;
        self.fit_f32(n, v, field)
    }

    fn fit_f32(&mut self, n: f64, v: &Value<'_>, field: &str) -> Option<f32> {
        let f = n as f32;
        if f.is_finite() {
            Some(f)
        } else {
            self.too_large(v, field);
            None
        }
    }

    /// A finite number with where it is written, without a range (the caller checks it).
    fn opt_num_at(
        &mut self,
        obj: &mut Obj<'_, '_>,
        key: &'static str,
    ) -> Option<(f64, Range<usize>)> {
        let v = obj.get(key)?;
        let n = self.number(v, &obj.field(key))?;
        Some((n, v.span()))
    }

    fn opt_num(
        &mut self,
        obj: &mut Obj<'_, '_>,
        key: &'static str,
        range: Range<f64>,
        unit: &str,
    ) -> Option<f64> {
        let v = obj.get(key)?;
        let field = obj.field(key);
        let n = self.number(v, &field)?;
        if !(range.start..=range.end).contains(&n) {
            let msg = format!(
                "{} is out of range: expected {unit} from {} to {}.",
                self.written(v),
                range.start,
                range.end
            );
            self.error(&v.span(), &field, msg);
            return None;
        }
        Some(n)
    }

    /// Like [`Self::opt_num`], for a value the viewer stores in 32 bits.
    fn opt_f32(
        &mut self,
        obj: &mut Obj<'_, '_>,
        key: &'static str,
        range: Range<f64>,
        unit: &str,
    ) -> Option<f32> {
        let n = self.opt_num(obj, key, range, unit)?;
        let v = obj.table.get(key)?;
        let field = obj.field(key);
        self.fit_f32(n, v, &field)
    }

    fn opt_bool(&mut self, obj: &mut Obj<'_, '_>, key: &'static str) -> Option<bool> {
        let v = obj.get(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(v, &obj.field(key), "true or false (without quotes)");
                None
            }
        }
    }

    fn vec3(&mut self, v: &Value<'_>, field: &str) -> Option<Vec3> {
        self.three(v, field, "in metres, like [0.0, 1.5, 2.0]", |r, item, f| {
            r.number_f32(item, f)
        })
    }

    /// Three numbers `[x, y, z]`, each read by `each` (which reports its own errors); `like`
    /// completes the message for what is not an array.
    fn three<T: Copy + Default>(
        &mut self,
        v: &Value<'_>,
        field: &str,
        like: &str,
        mut each: impl FnMut(&mut Self, &Value<'_>, &str) -> Option<T>,
    ) -> Option<[T; 3]> {
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(v, field, &format!("an array of three numbers {like}"));
            return None;
        };
        if items.len() != 3 {
            let msg = format!(
                "expected three numbers [x, y, z], found {} item(s).",
                items.len()
            );
            self.error(&v.span(), field, msg);
            return None;
        }
        let mut out = [T::default(); 3];
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match each(self, item, &format!("{field}[{i}]")) {
                Some(n) => out[i] = n,
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn opt_vec3(&mut self, obj: &mut Obj<'_, '_>, key: &'static str) -> Option<Vec3> {
        let v = obj.get(key)?;
        self.vec3(v, &obj.field(key))
    }

    fn req_vec3(&mut self, obj: &mut Obj<'_, '_>, key: &'static str) -> Option<Vec3> {
        if !obj.table.contains_key(key) {
            obj.known.push(key);
            self.missing(obj, key, &format!("`{key} = [x, y, z]` in metres"));
            return None;
        }
        self.opt_vec3(obj, key)
    }

    fn keyword<K: Keyword>(
        &mut self,
        obj: &mut Obj<'_, '_>,
        key: &'static str,
        required: bool,
    ) -> Option<K> {
        if required && !obj.table.contains_key(key) {
            obj.known.push(key);
            self.missing(obj, key, &format!("`{key} = ` one of {}", K::expected()));
            return None;
        }
        let word = self.opt_str(obj, key)?;
        match K::parse(&word) {
            Some(k) => Some(k),
            None => {
                let v = obj.table.get(key).expect("present");
                let words: Vec<&str> = K::ALL.iter().map(|(w, _)| *w).collect();
                let hint = suggestion(&word, &words)
                    .map(|s| format!(" Did you mean \"{s}\"?"))
                    .unwrap_or_default();
                let msg = format!(
                    "\"{word}\" is not allowed here: expected one of {}.{hint}",
                    K::expected()
                );
                self.error(&v.span(), &obj.field(key), msg);
                None
            }
        }
    }

    /// A path to a file in the package: relative, `/`-separated, never leaving the package.
    fn path(&mut self, v: &Value<'_>, field: &str) -> Option<PackagePath> {
        let DeValue::String(s) = v.get_ref() else {
            self.wrong_type(v, field, "a path in quotes, relative to the package folder");
            return None;
        };
        match check_package_path(s) {
            Ok(p) => Some(p),
            Err(why) => {
                self.error(&v.span(), field, format!("\"{s}\" {why}"));
                None
            }
        }
    }

    fn opt_path(&mut self, obj: &mut Obj<'_, '_>, key: &'static str) -> Option<PackagePath> {
        let v = obj.get(key)?;
        self.path(v, &obj.field(key))
    }

    fn req_path(&mut self, obj: &mut Obj<'_, '_>, key: &'static str) -> Option<PackagePath> {
        if !obj.table.contains_key(key) {
            obj.known.push(key);
            self.missing(
                obj,
                key,
                &format!("`{key} = \"folder/file\"` relative to the package"),
            );
            return None;
        }
        self.opt_path(obj, key)
    }

    /// A sub-table, read by `f`; unknown keys inside it are reported.
    fn sub_table<T>(
        &mut self,
        obj: &mut Obj<'_, '_>,
        key: &'static str,
        f: impl FnOnce(&mut Self, &mut Obj<'_, '_>) -> T,
    ) -> Option<T> {
        let v = obj.get(key)?;
        let field = obj.field(key);
        let DeValue::Table(t) = v.get_ref() else {
            self.wrong_type(v, &field, "a table");
            return None;
        };
        let mut sub = Obj::new(t, v.span(), field);
        let out = f(self, &mut sub);
        self.finish(sub);
        Some(out)
    }

    /// An array of tables (`[[key]]`), each read by `f`.
    fn table_array<T>(
        &mut self,
        obj: &mut Obj<'_, '_>,
        key: &'static str,
        mut f: impl FnMut(&mut Self, &mut Obj<'_, '_>) -> Option<T>,
    ) -> Vec<T> {
        let Some(v) = obj.get(key) else {
            return Vec::new();
        };
        let field = obj.field(key);
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(v, &field, &format!("a list of tables written as [[{key}]]"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_field = format!("{field}[{i}]");
            let DeValue::Table(t) = item.get_ref() else {
                self.wrong_type(item, &item_field, "a table");
                continue;
            };
            let mut sub = Obj::new(t, item.span(), item_field);
            if let Some(x) = f(self, &mut sub) {
                out.push(x);
            }
            self.finish(sub);
        }
        out
    }

    /// Text per language: `{ vi = "...", en = "..." }`. When `required`, both Vietnamese and
    /// English are expected; one missing is a warning (the other is shown instead), none at all
    /// (`{}`) an error. Each text may be at most `max_chars` characters long.
    fn localized_text(
        &mut self,
        obj: &mut Obj<'_, '_>,
        key: &'static str,
        required: bool,
        max_chars: Option<usize>,
    ) -> LocalizedText {
        self.localized(obj, key, required, |r, v, field| match v.get_ref() {
            DeValue::String(s) if !s.trim().is_empty() => {
                r.placeholder(v, field, s);
                let length = s.chars().count();
                match max_chars {
                    Some(max) if length > max => {
                        let msg = format!("is {length} characters long, more than the {max} allowed here: shorten it to at most {max} characters.");
                        r.error(&v.span(), field, msg);
                        None
                    }
                    _ => Some(s.to_string()),
                }
            }
            DeValue::String(_) => {
                r.error(&v.span(), field, "is empty: write the text, or remove the line to fall back to the other language.");
                None
            }
            _ => {
                r.wrong_type(v, field, "text in quotes");
                None
            }
        })
    }

    fn localized_path(&mut self, obj: &mut Obj<'_, '_>, key: &'static str) -> LocalizedPath {
        self.localized(obj, key, false, |r, v, field| r.path(v, field))
    }

    fn localized<T>(
        &mut self,
        obj: &mut Obj<'_, '_>,
        key: &'static str,
        required: bool,
        mut read: impl FnMut(&mut Self, &Value<'_>, &str) -> Option<T>,
    ) -> Localized<T> {
        let mut out = Localized::new();
        let field = obj.field(key);
        let Some(v) = obj.get(key) else {
            if required {
                self.missing(obj, key, &format!("`{key} = {{ vi = \"…\", en = \"…\" }}`"));
            }
            return out;
        };
        let DeValue::Table(t) = v.get_ref() else {
            let example =
                format!("a table of languages, like {key} = {{ vi = \"…\", en = \"…\" }}");
            self.wrong_type(v, &field, &example);
            return out;
        };
        for (lang, value) in t.iter() {
            let code: &str = lang.get_ref();
            let lang_field = format!("{field}.{code}");
            if !Lang::is_valid_code(code) {
                let msg = format!(
                    "`{code}` is not a language code: use codes such as `vi` (Tiếng Việt) and `en` (English)."
                );
                self.error(&lang.span(), &lang_field, msg);
                continue;
            }
            if let Some(x) = read(self, value, &lang_field) {
                out.insert(Lang::new(code), x);
            }
        }
        if required && t.is_empty() {
            let msg = format!(
                "has no text in any language, and `{key}` is required: write it, like {key} = {{ vi = \"…\", en = \"…\" }}."
            );
            self.error(&v.span(), &field, msg);
            return out;
        }
        if !out.is_empty() {
            for (i, lang) in REQUIRED_LANGS.iter().enumerate() {
                if out.exact(lang).is_none() && !t.contains_key(*lang) {
                    let other = REQUIRED_LANGS[1 - i];
                    let name = if *lang == "vi" {
                        "Vietnamese"
                    } else {
                        "English"
                    };
                    let msg = format!(
                        "no {name} (`{lang}`) version: visitors reading {name} will see the `{other}` text instead. Add `{lang} = \"…\"`."
                    );
                    self.warning(&v.span(), &field, msg);
                }
            }
        }
        out
    }

    // ----- the manifest -----

    fn manifest(&mut self, mut root: Obj<'_, '_>) -> Option<Manifest> {
        let format = match root.get("format") {
            None => {
                self.missing(&root, "format", "`format = 1` as the first line");
                None
            }
            Some(v) => match self.number(v, "format") {
                Some(n) if n == f64::from(FORMAT_VERSION) => Some(FORMAT_VERSION),
                Some(n) => {
                    let msg = format!(
                        "this viewer reads exhibit format {FORMAT_VERSION}, the package says {n}: update Disan or convert the package."
                    );
                    self.error(&v.span(), "format", msg);
                    None
                }
                None => None,
            },
        };
        let id = self.req_id(&mut root, "id");
        let kind = self.keyword::<ExhibitKind>(&mut root, "kind", true);
        let rank = self.keyword::<HeritageRank>(&mut root, "rank", true);
        let title = self.localized_text(&mut root, "title", true, Some(MAX_TITLE_CHARS));
        let summary = self.localized_text(&mut root, "summary", true, Some(MAX_SUMMARY_CHARS));
        let location = self
            .sub_table(&mut root, "location", |r, o| r.location(o))
            .flatten();
        let is_monument = kind == Some(ExhibitKind::Monument);
        let navigation = self
            .sub_table(&mut root, "navigation", |r, o| r.navigation(o, is_monument))
            .unwrap_or(Navigation {
                walk: is_monument,
                eye_height: 1.6,
                ground: 0.0,
            });
        let models = self.table_array(&mut root, "models", |r, o| r.model(o));
        // Read before the hotspots and views that may be placed in them.
        let panoramas = self.table_array(&mut root, "panoramas", |r, o| r.panorama(o));
        let pointclouds = self.table_array(&mut root, "pointclouds", |r, o| r.pointcloud(o));
        let mut videos = self.table_array(&mut root, "videos", |r, o| r.video(o, false));
        let recordings = self.table_array(&mut root, "recordings", |r, o| r.video(o, true));
        let galleries = self.table_array(&mut root, "galleries", |r, o| r.gallery(o));
        // A panorama exhibit shows its scenes, a point-cloud exhibit its clouds, a festival its
        // recordings: no model needed.
        let has_panoramas = [
            "panoramas",
            "pointclouds",
            "videos",
            "recordings",
            "galleries",
        ]
        .iter()
        .any(|k| root.table.contains_key(*k));
        match root.table.get("models") {
            None if has_panoramas => {}
            None => self.missing(
                &root,
                "models",
                "at least one `[[models]]` table with `src = \"models/….glb\"` (or `[[panoramas]]` scenes, `[[pointclouds]]`, `[[videos]]`, `[[recordings]]` or `[[galleries]]`)",
            ),
            // `models = []`, or tables that all failed (their own errors are reported).
            Some(v)
                if models.is_empty()
                    && !has_panoramas
                    && matches!(v.get_ref(), DeValue::Array(a) if a.is_empty()) =>
            {
                self.error(&v.span(), "models", "is empty: an exhibit needs at least one model to show. Add a `[[models]]` table with `src = \"models/….glb\"`.");
            }
            Some(_) => {}
        }
        let audio = self.table_array(&mut root, "audio", |r, o| r.audio(o));
        let hotspots = self.table_array(&mut root, "hotspots", |r, o| r.hotspot(o, &panoramas));
        let views = self.table_array(&mut root, "views", |r, o| r.view(o, &panoramas));
        let tours = self.table_array(&mut root, "tours", |r, o| r.tour(o));
        let scans = self.table_array(&mut root, "scans", |r, o| r.scan(o));
        let rights = self
            .sub_table(&mut root, "rights", |r, o| r.rights(o))
            .flatten();
        if !root.table.contains_key("rights") {
            self.missing(
                &root,
                "rights",
                "a `[rights]` table with `license`, `holder` and `attribution`",
            );
        }
        let provenance = self
            .sub_table(&mut root, "provenance", |r, o| r.provenance(o))
            .flatten();
        if !root.table.contains_key("provenance") {
            self.missing(
                &root,
                "provenance",
                "a `[provenance]` table with at least `method`",
            );
        }

        self.check_unique_ids(&root, "models", models.iter().map(|m| m.id.as_str()));
        self.check_unique_ids(&root, "audio", audio.iter().map(|a| a.id.as_str()));
        self.check_unique_ids(&root, "hotspots", hotspots.iter().map(|h| h.id.as_str()));
        self.check_unique_ids(&root, "views", views.iter().map(|v| v.id.as_str()));
        self.check_unique_ids(&root, "tours", tours.iter().map(|t| t.id.as_str()));
        self.check_unique_ids(&root, "scans", scans.iter().map(|s| s.id.as_str()));
        self.check_unique_ids(&root, "panoramas", panoramas.iter().map(|p| p.id.as_str()));
        self.check_unique_ids(
            &root,
            "pointclouds",
            pointclouds.iter().map(|c| c.id.as_str()),
        );
        self.check_unique_ids(&root, "videos", videos.iter().map(|v| v.id.as_str()));
        self.check_unique_ids(
            &root,
            "recordings",
            recordings.iter().map(|v| v.id.as_str()),
        );
        // One namespace: tours and the embed API name a video or a recording by its id alone.
        for (i, r) in recordings.iter().enumerate() {
            if videos.iter().any(|v| v.id == r.id) {
                let span = match root.table.get("recordings").map(|v| v.get_ref()) {
                    Some(DeValue::Array(items)) => {
                        items.get(i).map_or(root.span.clone(), |v| v.span())
                    }
                    _ => root.span.clone(),
                };
                self.error(&span, &format!("recordings[{i}].id"), format!("the id \"{}\" is also a video's: a tour stop or the page names either by its id alone, so give each its own.", r.id));
            }
        }
        videos.extend(recordings);
        self.check_unique_ids(&root, "galleries", galleries.iter().map(|g| g.id.as_str()));
        self.check_links(&root, &panoramas);
        self.check_stop_targets(&root, &tours, &views, &hotspots, &videos, &galleries);
        self.finish(root);

        Some(Manifest {
            format: format?,
            id: id?,
            kind: kind?,
            rank: rank?,
            title,
            summary,
            location,
            // A visitor moves through panoramas by their links: walking would leave the photo's
            // centre, from where alone it looks right.
            navigation: Navigation {
                walk: navigation.walk && panoramas.is_empty(),
                ..navigation
            },
            models,
            audio,
            hotspots,
            views,
            tours,
            scans,
            panoramas,
            pointclouds,
            videos,
            galleries,
            rights: rights?,
            provenance: provenance?,
        })
    }

    fn check_unique_ids<'a>(
        &mut self,
        root: &Obj<'_, '_>,
        key: &str,
        ids: impl Iterator<Item = &'a str>,
    ) {
        let mut seen = HashSet::new();
        let Some(DeValue::Array(items)) = root.table.get(key).map(|v| v.get_ref()) else {
            return;
        };
        for (i, id) in ids.enumerate() {
            if !seen.insert(id) {
                // Point at the table carrying the duplicate id.
                let span = items.get(i).map_or(root.span.clone(), |v| v.span());
                let msg = format!(
                    "the id \"{id}\" is used twice in [[{key}]]: ids must be unique so tours and links find the right one."
                );
                self.error(&span, &format!("{key}[{i}].id"), msg);
            }
        }
    }

    fn check_stop_targets(
        &mut self,
        root: &Obj<'_, '_>,
        tours: &[Tour],
        views: &[View],
        hotspots: &[Hotspot],
        videos: &[Video],
        galleries: &[Gallery],
    ) {
        let Some(DeValue::Array(tour_values)) = root.table.get("tours").map(|v| v.get_ref()) else {
            return;
        };
        for (ti, tour) in tours.iter().enumerate() {
            for (si, stop) in tour.stops.iter().enumerate() {
                let (key, id, exists, known): (&str, &str, bool, Vec<&str>) = match &stop.target {
                    StopTarget::View(id) => (
                        "view",
                        id,
                        views.iter().any(|v| &v.id == id),
                        views.iter().map(|v| v.id.as_str()).collect(),
                    ),
                    StopTarget::Hotspot(id) => (
                        "hotspot",
                        id,
                        hotspots.iter().any(|h| &h.id == id),
                        hotspots.iter().map(|h| h.id.as_str()).collect(),
                    ),
                    StopTarget::Video { video, chapter } => {
                        match (videos.iter().find(|v| &v.id == video), chapter) {
                            (Some(v), Some(c)) => (
                                "chapter",
                                c,
                                v.chapter(c).is_some(),
                                v.chapters.iter().map(|c| c.id.as_str()).collect(),
                            ),
                            (found, _) => (
                                "video",
                                video,
                                found.is_some(),
                                videos.iter().map(|v| v.id.as_str()).collect(),
                            ),
                        }
                    }
                    StopTarget::Photo { gallery, photo } => {
                        match (galleries.iter().find(|g| &g.id == gallery), photo) {
                            (Some(g), Some(p)) => (
                                "photo",
                                p,
                                g.photo(p).is_some(),
                                g.photos.iter().map(|p| p.id.as_str()).collect(),
                            ),
                            (found, _) => (
                                "gallery",
                                gallery,
                                found.is_some(),
                                galleries.iter().map(|g| g.id.as_str()).collect(),
                            ),
                        }
                    }
                };
                if exists {
                    continue;
                }
                let span = stop_span(tour_values, ti, si).unwrap_or(root.span.clone());
                let hint = suggestion(id, &known)
                    .map(|s| format!(" Did you mean \"{s}\"?"))
                    .unwrap_or_default();
                let msg = format!(
                    "the stop refers to {key} \"{id}\", which this exhibit does not define.{hint} Defined: {}.",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                );
                self.error(&span, &format!("tours[{ti}].stops[{si}].{key}"), msg);
            }
        }
    }

    fn location(&mut self, o: &mut Obj<'_, '_>) -> Option<Location> {
        let commune = self.req_str(
            o,
            "commune",
            "the commune or ward (xã/phường), e.g. `commune = \"Phường An Biên\"`",
        );
        let province = self.opt_str(o, "province");
        let former_district = self.opt_str(o, "former_district");
        let address = self.opt_str(o, "address");
        let wgs84 = self.sub_table(o, "wgs84", |r, t| r.wgs84(t));
        let vn2000 = self.sub_table(o, "vn2000", |r, t| r.vn2000(t));
        let position = match (wgs84.flatten(), vn2000.flatten()) {
            (Some(_), Some(v)) => {
                // VN-2000 is what surveyors deliver; prefer it and say so.
                let span = o.table.get("wgs84").map_or(o.span.clone(), |v| v.span());
                self.warning(
                    &span,
                    &o.field("wgs84"),
                    "both wgs84 and vn2000 are given: the vn2000 position is used.",
                );
                Some(v)
            }
            (a, b) => a.or(b),
        };
        Some(Location {
            commune: commune?,
            province,
            former_district,
            address,
            position,
        })
    }

    /// `[location.wgs84]`: latitude and longitude, which must fall in Vietnam.
    fn wgs84(&mut self, t: &mut Obj<'_, '_>) -> Option<GeoPosition> {
        let lat = self.opt_num_at(t, "lat");
        let lon = self.opt_num_at(t, "lon");
        let height = self
            .opt_num(t, "height", -500.0..9000.0, "metres")
            .unwrap_or(0.0);
        if !t.table.contains_key("lat") || !t.table.contains_key("lon") {
            self.missing(
                t,
                if t.table.contains_key("lat") {
                    "lon"
                } else {
                    "lat"
                },
                "latitude and longitude in decimal degrees",
            );
        }
        let ((lat, lat_span), (lon, lon_span)) = (lat?, lon?);
        let lat_ok = VIETNAM_LAT.contains(&lat);
        if !lat_ok || !VIETNAM_LON.contains(&lon) {
            let (lat_text, lon_text) = (self.written_at(&lat_span), self.written_at(&lon_span));
            let (span, key) = if lat_ok {
                (lon_span, "lon")
            } else {
                (lat_span, "lat")
            };
            let hint = if VIETNAM_LAT.contains(&lon) && VIETNAM_LON.contains(&lat) {
                format!(
                    " Latitude and longitude look swapped: write lat = {lon_text}, lon = {lat_text}."
                )
            } else {
                " Check the numbers: lat is degrees north, lon degrees east, in decimal degrees (20.8463, not 20°50′47″).".to_owned()
            };
            let msg = format!(
                "lat = {lat_text}, lon = {lon_text} is outside Vietnam (latitude {}° to {}° N, longitude {}° to {}° E, the mainland with the Hoàng Sa and Trường Sa archipelagos).{hint}",
                VIETNAM_LAT.start(),
                VIETNAM_LAT.end(),
                VIETNAM_LON.start(),
                VIETNAM_LON.end()
            );
            self.error(&span, &t.field(key), msg);
            return None;
        }
        Some(GeoPosition::Wgs84 { lat, lon, height })
    }

    /// `[location.vn2000]`: a surveyed point in one of the VN-2000 zones Vietnam uses, inside it.
    fn vn2000(&mut self, t: &mut Obj<'_, '_>) -> Option<GeoPosition> {
        let x = self.opt_num_at(t, "x");
        let y = self.opt_num_at(t, "y");
        let h = self
            .opt_num(t, "h", -500.0..9000.0, "metres")
            .unwrap_or(0.0);
        let central_meridian = self.opt_num_at(t, "central_meridian");
        let zone_width = match self.opt_num_at(t, "zone_width") {
            None if t.table.contains_key("zone_width") => None,
            None => Some(3u8),
            Some((3.0, _)) => Some(3),
            Some((6.0, _)) => Some(6),
            Some((_, span)) => {
                let written = self.written_at(&span);
                let msg = format!(
                    "{written} is not a VN-2000 zone width: write 3 (the provinces' 3° zones, in which cadastral and heritage surveys are delivered) or 6 (the 6° UTM zones of national maps)."
                );
                self.error(&span, &t.field("zone_width"), msg);
                None
            }
        };
        for key in ["x", "y", "central_meridian"] {
            if !t.table.contains_key(key) {
                self.missing(t, key, "VN-2000 x (northing), y (easting) and the zone's central_meridian (105.75 for Hải Phòng)");
            }
        }
        let mut ok = zone_width.is_some();
        if let (Some(width), Some((meridian, span))) = (zone_width, &central_meridian) {
            let allowed: &[f64] = if width == 3 {
                &VN2000_TM3_MERIDIANS
            } else {
                &VN2000_UTM_MERIDIANS
            };
            if !allowed.contains(meridian) {
                let list = allowed
                    .iter()
                    .map(|m| m.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                let which = if width == 3 {
                    format!(
                        "the 3° zones of Vietnam's provinces have central meridians {list} (105.75, that is 105°45′, for Hải Phòng)"
                    )
                } else {
                    format!(
                        "the 6° UTM zones over Vietnam have central meridians {list} (zones 48, 49 and 50)"
                    )
                };
                // 105°45′ is often typed as 105.45.
                let minutes = (meridian.fract() * 100.0).round();
                let as_minutes = meridian.trunc() + minutes / 60.0;
                let hint = if [15.0, 30.0, 45.0].contains(&minutes)
                    && (meridian.fract() * 100.0 - minutes).abs() < 1e-6
                    && allowed.contains(&as_minutes)
                {
                    format!(
                        " If you mean {}°{:02}′, write it in decimal degrees: {as_minutes}.",
                        meridian.trunc(),
                        minutes
                    )
                } else {
                    String::new()
                };
                let msg = format!(
                    "{} is not the central meridian of a VN-2000 {width}° zone used in Vietnam: {which}. Use the one the survey names.{hint}",
                    self.written_at(span)
                );
                self.error(span, &t.field("central_meridian"), msg);
                ok = false;
            }
        }
        if let (Some(width), Some((x, x_span)), Some((y, y_span))) = (zone_width, &x, &y) {
            let eastings = if width == 3 {
                VN2000_TM3_EASTING
            } else {
                VN2000_UTM_EASTING
            };
            let (x_text, y_text) = (self.written_at(x_span), self.written_at(y_span));
            let (x_ok, y_ok) = (VN2000_NORTHING.contains(x), eastings.contains(y));
            if !x_ok && !y_ok && VN2000_NORTHING.contains(y) && eastings.contains(x) {
                let msg = format!(
                    "x and y look swapped: x is the northing (metres north of the equator, {} to {} in Vietnam) and y the easting ({} to {} in a {width}° zone). Write x = {y_text}, y = {x_text}.",
                    VN2000_NORTHING.start(),
                    VN2000_NORTHING.end(),
                    eastings.start(),
                    eastings.end()
                );
                self.error(x_span, &t.field("x"), msg);
                ok = false;
            } else {
                if !x_ok {
                    let msg = format!(
                        "x = {x_text} m (the northing) is outside Vietnam: northings there run from {} m (6° N) to {} m (23.6° N). Check the number, and that x is the northing.",
                        VN2000_NORTHING.start(),
                        VN2000_NORTHING.end()
                    );
                    self.error(x_span, &t.field("x"), msg);
                    ok = false;
                }
                if !y_ok {
                    let msg = format!(
                        "y = {y_text} m (the easting) is outside the {width}° zone: eastings run from {} to {} m, 500000 m on the central meridian. Check the number, and that central_meridian and zone_width name the zone the point was surveyed in.",
                        eastings.start(),
                        eastings.end()
                    );
                    self.error(y_span, &t.field("y"), msg);
                    ok = false;
                }
            }
        }
        let ((x, _), (y, _), (central_meridian, _)) = (x?, y?, central_meridian?);
        ok.then_some(GeoPosition::Vn2000 {
            x,
            y,
            h,
            central_meridian,
            zone_width: zone_width?,
        })
    }

    fn navigation(&mut self, o: &mut Obj<'_, '_>, is_monument: bool) -> Navigation {
        Navigation {
            walk: self.opt_bool(o, "walk").unwrap_or(is_monument),
            eye_height: self
                .opt_f32(o, "eye_height", 0.5..3.0, "metres")
                .unwrap_or(1.6),
            ground: self
                .opt_f32(o, "ground", -1000.0..1000.0, "metres")
                .unwrap_or(0.0),
        }
    }

    fn model(&mut self, o: &mut Obj<'_, '_>) -> Option<Model> {
        let id = self.req_id(o, "id");
        let src = self.req_path(o, "src");
        let position = self.opt_vec3(o, "position").unwrap_or([0.0; 3]);
        let rotation_deg = self.opt_vec3(o, "rotation_deg").unwrap_or([0.0; 3]);
        let scale = self
            .opt_f32(o, "scale", 0.0001..10_000.0, "a scale factor")
            .unwrap_or(1.0);
        let lods = self.table_array(o, "lods", |r, l| {
            let quality = r.keyword::<LodQuality>(l, "quality", true);
            let src = r.req_path(l, "src");
            if let Some(src) = &src {
                r.expect_extension(
                    l,
                    "src",
                    src,
                    &["glb", "gltf"],
                    "a glTF model (.glb or .gltf)",
                );
            }
            let triangles = r
                .opt_num(l, "triangles", 1.0..1e12, "a triangle count")
                .map(|n| n as u64);
            let bytes = r
                .opt_num(l, "bytes", 1.0..1e15, "a file size in bytes")
                .map(|n| n as u64);
            let error = r.opt_f32(l, "error", 0.0..1e6, "metres");
            let gpu_textures = r.table_array(l, "gpu_textures", |r, g| {
                let format = r.keyword::<GpuTextureFormat>(g, "format", true);
                let src = r.req_path(g, "src");
                if let Some(src) = &src {
                    r.expect_extension(g, "src", src, &["glb"], "a glTF binary model (.glb)");
                }
                let bytes = r
                    .opt_num(g, "bytes", 1.0..1e15, "a file size in bytes")
                    .map(|n| n as u64);
                Some(GpuTextureLevel {
                    format: format?,
                    src: src?,
                    bytes,
                })
            });
            let field = l.field("gpu_textures");
            for (i, copy) in gpu_textures.iter().enumerate() {
                if gpu_textures[..i].iter().any(|g| g.format == copy.format) {
                    let span = l.get("gpu_textures").map_or(l.span.clone(), |v| v.span());
                    r.error(
                        &span,
                        &field,
                        format!(
                            "two copies have format \"{}\": give each format once.",
                            copy.format.word()
                        ),
                    );
                }
            }
            Some(Lod {
                quality: quality?,
                src: src?,
                triangles,
                bytes,
                error,
                gpu_textures,
            })
        });
        let field = o.field("lods");
        for (i, lod) in lods.iter().enumerate() {
            if lods[..i].iter().any(|l| l.quality == lod.quality) {
                let span = o.span.clone();
                self.error(
                    &span,
                    &field,
                    format!(
                        "two levels have quality \"{}\": give each quality once.",
                        lod.quality.word()
                    ),
                );
            }
        }
        let bounds = self.model_bounds(o);
        if let Some(src) = &src {
            self.expect_extension(
                o,
                "src",
                src,
                &["glb", "gltf"],
                "a glTF model (.glb or .gltf)",
            );
        }
        Some(Model {
            id: id?,
            src: src?,
            position,
            rotation_deg,
            scale,
            lods,
            bounds,
        })
    }

    /// `bounds_min` and `bounds_max`: both or neither, each corner at most the other.
    fn model_bounds(&mut self, o: &mut Obj<'_, '_>) -> Option<ModelBounds> {
        let min = self.opt_vec3(o, "bounds_min");
        let max = self.opt_vec3(o, "bounds_max");
        match (min, max) {
            (Some(min), Some(max)) => {
                if (0..3).all(|i| min[i] <= max[i]) {
                    Some(ModelBounds { min, max })
                } else {
                    let span = o
                        .table
                        .get("bounds_max")
                        .map(|v| v.span())
                        .unwrap_or_else(|| o.span.clone());
                    self.error(&span, &o.field("bounds_max"), "is below `bounds_min` on some axis: each of x, y, z of bounds_max must be at least that of bounds_min.");
                    None
                }
            }
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => {
                let (have, lack) = if min.is_some() {
                    ("bounds_min", "bounds_max")
                } else {
                    ("bounds_max", "bounds_min")
                };
                let span = o
                    .table
                    .get(have)
                    .map(|v| v.span())
                    .unwrap_or_else(|| o.span.clone());
                self.error(
                    &span,
                    &o.field(have),
                    format!("is given without `{lack}`: give both corners of the box, or neither."),
                );
                None
            }
        }
    }

    fn expect_extension(
        &mut self,
        o: &Obj<'_, '_>,
        key: &str,
        path: &PackagePath,
        exts: &[&str],
        what: &str,
    ) {
        let ext = path
            .as_str()
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !exts.contains(&ext.as_str()) {
            let span = o.table.get(key).map_or(o.span.clone(), |v| v.span());
            self.error(
                &span,
                &o.field(key),
                format!("\"{path}\" should be {what}."),
            );
        }
    }

    fn audio(&mut self, o: &mut Obj<'_, '_>) -> Option<AudioSource> {
        let id = self.req_id(o, "id");
        let src = self.req_path(o, "src");
        if let Some(src) = &src {
            self.expect_extension(
                o,
                "src",
                src,
                &["ogg", "wav", "mp3"],
                "a sound file (.ogg, .wav or .mp3)",
            );
        }
        let position = self.opt_vec3(o, "position");
        let looped = self.opt_bool(o, "loop").unwrap_or(false);
        let volume = self.opt_f32(o, "volume", 0.0..4.0, "a gain").unwrap_or(1.0);
        let distance_model = self
            .keyword::<DistanceModel>(o, "distance_model", false)
            .unwrap_or(DistanceModel::Inverse);
        let ref_distance = self
            .opt_f32(o, "ref_distance", 0.0..100_000.0, "metres")
            .unwrap_or(1.0);
        let max_distance = self
            .opt_f32(o, "max_distance", 0.001..100_000.0, "metres")
            .unwrap_or(10_000.0);
        let rolloff = self
            .opt_f32(o, "rolloff", 0.0..100.0, "a rolloff factor")
            .unwrap_or(1.0);
        let cone = self
            .sub_table(o, "cone", |r, c| {
                let direction = r.req_vec3(c, "direction");
                let inner_deg = r
                    .opt_f32(c, "inner_deg", 0.0..360.0, "degrees")
                    .unwrap_or(360.0);
                let outer_deg = r
                    .opt_f32(c, "outer_deg", 0.0..360.0, "degrees")
                    .unwrap_or(360.0);
                let outer_gain = r
                    .opt_f32(c, "outer_gain", 0.0..1.0, "a gain")
                    .unwrap_or(0.0);
                if outer_deg < inner_deg {
                    r.error(
                        &c.span.clone(),
                        &c.field("outer_deg"),
                        "outer_deg must be at least inner_deg.",
                    );
                }
                Some(Cone {
                    direction: direction?,
                    inner_deg,
                    outer_deg,
                    outer_gain,
                })
            })
            .flatten();
        if distance_model == DistanceModel::Linear && max_distance <= ref_distance {
            self.error(
                &o.span.clone(),
                &o.field("max_distance"),
                "with the linear distance model max_distance must be greater than ref_distance.",
            );
        }
        Some(AudioSource {
            id: id?,
            src: src?,
            position,
            looped,
            volume,
            distance_model,
            ref_distance,
            max_distance,
            rolloff,
            cone,
        })
    }

    fn hotspot(&mut self, o: &mut Obj<'_, '_>, panoramas: &[Panorama]) -> Option<Hotspot> {
        let id = self.req_id(o, "id");
        let in_panorama = o.table.contains_key("panorama");
        let spot = self.panorama_spot(o, panoramas, "position");
        let (position, normal) = match &spot {
            // On the line of sight from the scene's centre, facing back along it.
            Some((spot, p)) => (
                Some(p.marker_at(spot.yaw_deg, spot.pitch_deg)),
                p.direction(spot.yaw_deg, spot.pitch_deg).map(|c| -c),
            ),
            None if in_panorama => (None, [0.0, 0.0, 1.0]),
            None => (
                self.req_vec3(o, "position"),
                self.opt_vec3(o, "normal").unwrap_or([0.0, 0.0, 1.0]),
            ),
        };
        if normal.iter().map(|c| c * c).sum::<f32>() < 1e-6 {
            let span = o.table.get("normal").map_or(o.span.clone(), |v| v.span());
            self.error(&span, &o.field("normal"), "the normal must point somewhere: it is [0, 0, 0]. Use the outward direction of the surface, e.g. [0, 1, 0] for up.");
        }
        let title = self.localized_text(o, "title", true, Some(MAX_TITLE_CHARS));
        let body = self.localized_text(o, "body", true, Some(MAX_BODY_CHARS));
        let image = self.opt_path(o, "image");
        if let Some(image) = &image {
            self.expect_extension(
                o,
                "image",
                image,
                &["png", "jpg", "jpeg", "ktx2"],
                "an image (.png, .jpg or .ktx2)",
            );
        }
        let narration = self.localized_path(o, "narration");
        Some(Hotspot {
            id: id?,
            position: position?,
            normal: normalized(normal),
            title,
            body,
            image,
            narration,
            panorama: spot.map(|(spot, _)| spot),
        })
    }

    /// `panorama = "id"`, `yaw` and `pitch`: a place in one of the exhibit's panoramas, instead
    /// of `instead_of` in metres. `None` when the table names no panorama or names it wrongly
    /// (reported).
    fn panorama_spot(
        &mut self,
        o: &mut Obj<'_, '_>,
        panoramas: &[Panorama],
        instead_of: &'static str,
    ) -> Option<(PanoramaSpot, Panorama)> {
        let v = o.get("panorama")?;
        let field = o.field("panorama");
        let DeValue::String(scene) = v.get_ref() else {
            self.wrong_type(
                v,
                &field,
                "the id of one of the exhibit's `[[panoramas]]`, in quotes",
            );
            return None;
        };
        if o.table.contains_key(instead_of) {
            o.known.push(instead_of);
            let msg = format!(
                "is given with `{instead_of}`: place it either in the panorama (`yaw`, `pitch`) or in metres (`{instead_of}`), not both."
            );
            self.error(&v.span(), &field, msg);
        }
        let yaw = self.opt_f32(o, "yaw", -360.0..360.0, "degrees");
        if yaw.is_none() && !o.table.contains_key("yaw") {
            self.missing(
                o,
                "yaw",
                "`yaw = …`, degrees from the photograph's centre, positive to the right",
            );
        }
        let pitch = self
            .opt_f32(o, "pitch", -90.0..90.0, "degrees")
            .unwrap_or(0.0);
        let Some(p) = panoramas.iter().find(|p| p.id == scene.as_ref()) else {
            let ids: Vec<String> = panoramas.iter().map(|p| format!("\"{}\"", p.id)).collect();
            let msg = if ids.is_empty() {
                format!(
                    "names the panorama \"{scene}\", but the exhibit has no `[[panoramas]]`: add the scene, or place this in metres with `{instead_of}`."
                )
            } else {
                format!(
                    "names the panorama \"{scene}\", which the exhibit does not have: use one of {}.",
                    ids.join(", ")
                )
            };
            self.error(&v.span(), &field, msg);
            return None;
        };
        Some((
            PanoramaSpot {
                scene: scene.to_string(),
                yaw_deg: yaw?,
                pitch_deg: pitch,
            },
            p.clone(),
        ))
    }

    fn panorama(&mut self, o: &mut Obj<'_, '_>) -> Option<Panorama> {
        let id = self.req_id(o, "id");
        let src = self.req_path(o, "src");
        if let Some(src) = &src
            && !src.as_str().ends_with("config.json")
        {
            let span = o.table.get("src").map_or(o.span.clone(), |v| v.span());
            self.error(&span, &o.field("src"), format!("\"{src}\" should be the panorama's `config.json`, which `disan pack --as panorama` writes beside its tiles (e.g. \"panoramas/gate/config.json\")."));
        }
        let title = self.localized_text(o, "title", true, Some(MAX_TITLE_CHARS));
        let position = self.opt_vec3(o, "position").unwrap_or([0.0, 1.6, 0.0]);
        let heading_deg = self
            .opt_f32(o, "heading", -360.0..360.0, "degrees")
            .unwrap_or(0.0);
        let links = self.table_array(o, "links", |r, l| {
            let to = r.req_id(l, "to");
            let yaw = r.opt_f32(l, "yaw", -360.0..360.0, "degrees");
            if yaw.is_none() && !l.table.contains_key("yaw") {
                r.missing(
                    l,
                    "yaw",
                    "`yaw = …`, degrees from the photograph's centre, positive to the right",
                );
            }
            let pitch_deg = r
                .opt_f32(l, "pitch", -90.0..90.0, "degrees")
                .unwrap_or(-10.0);
            let title = r.localized_text(l, "title", false, Some(MAX_TITLE_CHARS));
            Some(PanoramaLink {
                to: to?,
                yaw_deg: yaw?,
                pitch_deg,
                title,
            })
        });
        Some(Panorama {
            id: id?,
            src: src?,
            title,
            position,
            heading_deg,
            links,
        })
    }

    fn pointcloud(&mut self, o: &mut Obj<'_, '_>) -> Option<PointCloud> {
        let id = self.req_id(o, "id");
        let src = self.req_path(o, "src");
        if let Some(src) = &src
            && !src.as_str().ends_with(crate::pointcloud::METADATA_FILE)
        {
            let span = o.table.get("src").map_or(o.span.clone(), |v| v.span());
            self.error(&span, &o.field("src"), format!("\"{src}\" should be the cloud's `metadata.json`, which `disan pack` writes beside `hierarchy.bin` and `octree.bin` (e.g. \"pointclouds/site/metadata.json\")."));
        }
        let title = self.localized_text(o, "title", false, Some(MAX_TITLE_CHARS));
        let origin = match o.get("origin") {
            None => Some([0.0; 3]),
            Some(v) => self.dvec3(v, &o.field("origin")),
        };
        let z_up = match self.opt_str(o, "up").as_deref() {
            None | Some("z") => true,
            Some("y") => false,
            Some(other) => {
                let span = o.table.get("up").map_or(o.span.clone(), |v| v.span());
                self.error(&span, &o.field("up"), format!("is \"{other}\": write \"z\" for a survey whose heights are Z (LAS, E57, most scanners) or \"y\"."));
                true
            }
        };
        let point_size = self
            .opt_f32(
                o,
                "point_size",
                0.1..10.0,
                "times the spacing of the points",
            )
            .unwrap_or(1.0);
        Some(PointCloud {
            id: id?,
            src: src?,
            title,
            origin: origin?,
            z_up,
            point_size,
        })
    }

    /// Three numbers kept in f64 (survey coordinates), each finite and within ±10⁸.
    fn dvec3(&mut self, v: &Value<'_>, field: &str) -> Option<[f64; 3]> {
        self.three(v, field, "like [585000.0, 2305000.0, 4.0]", |r, item, f| {
            let n = r.number(item, f)?;
            if !n.is_finite() || n.abs() > 1e8 {
                r.error(
                    &item.span(),
                    f,
                    "must be a finite number of at most 100 000 000 (metres or the survey's unit).",
                );
                return None;
            }
            Some(n)
        })
    }

    /// Every link leads to another scene of the exhibit.
    fn check_links(&mut self, root: &Obj<'_, '_>, panoramas: &[Panorama]) {
        let Some(DeValue::Array(items)) = root.table.get("panoramas").map(|v| v.get_ref()) else {
            return;
        };
        for (i, p) in panoramas.iter().enumerate() {
            for (k, link) in p.links.iter().enumerate() {
                let span = items
                    .iter()
                    .find_map(|item| match item.get_ref() {
                        DeValue::Table(t)
                            if t.get("id")
                                .is_some_and(|v| v.get_ref().as_str() == Some(p.id.as_str())) =>
                        {
                            Some(item.span())
                        }
                        _ => None,
                    })
                    .unwrap_or(root.span.clone());
                let field = format!("panoramas[{i}].links[{k}].to");
                if link.to == p.id {
                    self.error(
                        &span,
                        &field,
                        format!("leads from \"{}\" to itself: name another scene.", p.id),
                    );
                } else if !panoramas.iter().any(|q| q.id == link.to) {
                    let ids: Vec<String> =
                        panoramas.iter().map(|q| format!("\"{}\"", q.id)).collect();
                    self.error(
                        &span,
                        &field,
                        format!(
                            "leads to \"{}\", which is not one of the exhibit's panoramas ({}).",
                            link.to,
                            ids.join(", ")
                        ),
                    );
                }
            }
        }
    }

    fn scan(&mut self, o: &mut Obj<'_, '_>) -> Option<Scan> {
        let id = self.req_id(o, "id");
        let src = self.req_path(o, "src");
        if let Some(src) = &src
            && !src.as_str().ends_with("info.json")
        {
            let span = o.table.get("src").map_or(o.span.clone(), |v| v.span());
            self.error(&span, &o.field("src"), format!("\"{src}\" should be the scan's `info.json`, which `disan pack --as document` writes beside its tiles (e.g. \"scans/decree/info.json\")."));
        }
        let title = self.localized_text(o, "title", false, Some(MAX_TITLE_CHARS));
        let panel = self
            .sub_table(o, "panel", |r, p| r.surface(p, "scan"))
            .flatten();
        let regions = self.table_array(o, "regions", |r, g| {
            let id = r.req_id(g, "id");
            let rect = g.get("rect").and_then(|v| {
                let field = g.field("rect");
                let DeValue::Array(items) = v.get_ref() else {
                    r.wrong_type(v, &field, "[x, y, width, height] in scan pixels");
                    return None;
                };
                let nums: Vec<f64> = items.iter().filter_map(|n| r.number(n, &field)).collect();
                if nums.len() != 4 || items.len() != 4 {
                    r.error(&v.span(), &field, "expected four numbers, [x, y, width, height] in pixels of the full scan from its top-left corner.");
                    return None;
                }
                if nums.iter().any(|n| *n < 0.0) || nums[2] < 1.0 || nums[3] < 1.0 {
                    r.error(&v.span(), &field, "x and y must be 0 or more and the width and height at least 1 pixel.");
                    return None;
                }
                // No scan is wider or taller than the tile pyramid allows, so neither is a region.
                let max = f64::from(crate::iiif::MAX_SIDE);
                if nums.iter().any(|n| *n > max) {
                    r.error(&v.span(), &field, format!("a number is larger than any scan ({max} pixels a side): give the region in pixels of the full scan."));
                    return None;
                }
                Some([nums[0], nums[1], nums[2], nums[3]])
            });
            if rect.is_none() && !g.table.contains_key("rect") {
                g.known.push("rect");
                r.missing(g, "rect", "`rect = [x, y, width, height]` in pixels of the full scan");
            }
            let title = r.localized_text(g, "title", true, Some(MAX_TITLE_CHARS));
            let transcription = r.opt_str(g, "transcription");
            let reading = r.opt_str(g, "reading");
            let translation = r.localized_text(g, "translation", false, Some(MAX_BODY_CHARS));
            Some(ScanRegion {
                id: id?,
                rect: rect?,
                title,
                transcription,
                reading,
                translation,
            })
        });
        let field = o.field("regions");
        for (i, region) in regions.iter().enumerate() {
            if regions[..i].iter().any(|g| g.id == region.id) {
                let span = o.span.clone();
                self.error(&span, &format!("{field}[{i}].id"), format!("the id \"{}\" is used twice in this scan's regions: give each region its own id.", region.id));
            }
        }
        Some(Scan {
            id: id?,
            src: src?,
            title,
            panel,
            regions,
        })
    }

    /// A flat rectangle in the scene (`centre`, `normal`, `width`): a scan's panel, a video's
    /// screen. `what` names it in messages.
    fn surface(&mut self, p: &mut Obj<'_, '_>, what: &str) -> Option<ScanPanel> {
        let centre = self.req_vec3(p, "centre");
        let normal = self.opt_vec3(p, "normal").unwrap_or([0.0, 0.0, 1.0]);
        if normal.iter().map(|c| c * c).sum::<f32>() < 1e-6 {
            let span = p.table.get("normal").map_or(p.span.clone(), |v| v.span());
            self.error(&span, &p.field("normal"), format!("the normal must point somewhere: it is [0, 0, 0]. Use the direction the {what}'s face looks, e.g. [0, 0, 1] towards the front."));
        }
        if normal[0].abs() < 1e-6 && normal[2].abs() < 1e-6 {
            let span = p.table.get("normal").map_or(p.span.clone(), |v| v.span());
            self.error(&span, &p.field("normal"), format!("points straight up or down, so the {what}'s top edge has no direction: tilt it a little (a sheet on a table: [0, 0.98, 0.17])."));
        }
        let width = self.opt_f32(p, "width", 0.01..100.0, "metres");
        if width.is_none() && !p.table.contains_key("width") {
            p.known.push("width");
            self.missing(
                p,
                "width",
                &format!("the {what}'s width in metres, e.g. `width = 1.0`"),
            );
        }
        Some(ScanPanel {
            centre: centre?,
            normal: normalized(normal),
            width: width?,
        })
    }

    /// A `[[galleries]]` table: a screen and its photos, each with an id, a JPEG or PNG and
    /// a caption.
    fn gallery(&mut self, o: &mut Obj<'_, '_>) -> Option<Gallery> {
        let id = self.req_id(o, "id");
        let title = self.localized_text(o, "title", true, Some(MAX_TITLE_CHARS));
        let screen = self
            .sub_table(o, "screen", |r, p| r.surface(p, "screen"))
            .flatten();
        if !o.table.contains_key("screen") {
            o.known.push("screen");
            self.missing(o, "screen", "a `[galleries.screen]` table with `centre`, `normal` and `width`: where the photos are shown in the scene");
        }
        let photos = self.table_array(o, "photos", |r, p| {
            let id = r.req_id(p, "id");
            let src = r.req_path(p, "src");
            if let Some(src) = &src {
                r.expect_extension(
                    p,
                    "src",
                    src,
                    &["jpg", "jpeg", "png"],
                    "a photograph (.jpg or .png)",
                );
            }
            let caption = r.localized_text(p, "caption", true, Some(MAX_BODY_CHARS));
            let credit = r.localized_text(p, "credit", false, Some(MAX_TITLE_CHARS));
            Some(Photo {
                id: id?,
                src: src?,
                caption,
                credit,
            })
        });
        if !o.table.contains_key("photos") {
            o.known.push("photos");
            self.missing(
                o,
                "photos",
                "at least one `[[galleries.photos]]` table with `id`, `src` and `caption`",
            );
        }
        let field = o.field("photos");
        for (i, photo) in photos.iter().enumerate() {
            if photos[..i].iter().any(|p| p.id == photo.id) {
                let span = o.span.clone();
                self.error(&span, &format!("{field}[{i}].id"), format!("the id \"{}\" is used twice in this gallery's photos: give each photo its own id.", photo.id));
            }
        }
        Some(Gallery {
            id: id?,
            title,
            screen: screen?,
            photos,
        })
    }

    /// A `[[videos]]` table, or a `[[recordings]]` one (`sound_only`): the same fields but
    /// for the picture's (`projection`, `screen`), with `position` for where it sounds from.
    fn video(&mut self, o: &mut Obj<'_, '_>, sound_only: bool) -> Option<Video> {
        let id = self.req_id(o, "id");
        let src = self.req_path(o, "src");
        let (description, packed_as, example) = if sound_only {
            (
                crate::video::RECORDING_FILE,
                "audio",
                "recordings/hat-doi/recording.json",
            )
        } else {
            (
                crate::video::VIDEO_FILE,
                "video",
                "videos/festival/video.json",
            )
        };
        if let Some(src) = &src
            && !src.as_str().ends_with(description)
        {
            let span = o.table.get("src").map_or(o.span.clone(), |v| v.span());
            self.error(&span, &o.field("src"), format!("\"{src}\" should be the `{description}` that `disan pack --as {packed_as}` writes beside its renditions (e.g. \"{example}\")."));
        }
        let title = self.localized_text(o, "title", true, Some(MAX_TITLE_CHARS));
        let sound_at = if sound_only {
            self.opt_vec3(o, "position")
        } else {
            None
        };
        let projection_given = o.table.contains_key("projection");
        let projection = if sound_only {
            None
        } else {
            self.keyword::<VideoProjection>(o, "projection", false)
        };
        let screen = if sound_only {
            None
        } else {
            self.sub_table(o, "screen", |r, p| r.surface(p, "screen"))
                .flatten()
        };
        // A misspelt projection is its own error; the screen is checked against a known one.
        let projection = match projection {
            Some(p) => p,
            None if projection_given && !sound_only => return None,
            None => VideoProjection::Flat,
        };
        match (projection, o.table.get("screen")) {
            _ if sound_only => {}
            (VideoProjection::Flat, None) => {
                o.known.push("screen");
                self.missing(o, "screen", "a `[videos.screen]` table with `centre`, `normal` and `width`: where the video is shown in the scene (or `projection = \"360\"` for a 360° video)");
            }
            (VideoProjection::Sphere | VideoProjection::SphereStereo, Some(v)) => {
                let span = v.span();
                self.warning(&span, &o.field("screen"), "a 360° video surrounds the visitor, so its screen is not used: remove the table, or set `projection = \"flat\"`.");
            }
            _ => {}
        }
        let captions = self.localized_path(o, "captions");
        for path in captions.values() {
            if !path.as_str().to_ascii_lowercase().ends_with(".vtt") {
                let span = o.table.get("captions").map_or(o.span.clone(), |v| v.span());
                self.error(
                    &span,
                    &o.field("captions"),
                    format!("\"{path}\" should be a WebVTT file (.vtt)."),
                );
            }
        }
        let transcript = self.localized_text(o, "transcript", false, Some(MAX_TRANSCRIPT_CHARS));
        let chapters = self.table_array(o, "chapters", |r, c| {
            let id = r.req_id(c, "id");
            let start = r.opt_num(c, "start", 0.0..crate::video::MAX_DURATION_S, "seconds");
            if start.is_none() && !c.table.contains_key("start") {
                c.known.push("start");
                r.missing(c, "start", "`start = …`, seconds from the video's start");
            }
            let title = r.localized_text(c, "title", true, Some(MAX_TITLE_CHARS));
            Some(Chapter {
                id: id?,
                start: start?,
                title,
            })
        });
        let field = o.field("chapters");
        for (i, chapter) in chapters.iter().enumerate() {
            if chapters[..i].iter().any(|c| c.id == chapter.id) {
                let span = o.span.clone();
                self.error(&span, &format!("{field}[{i}].id"), format!("the id \"{}\" is used twice in this video's chapters: give each chapter its own id.", chapter.id));
            }
            if i > 0 && chapter.start <= chapters[i - 1].start {
                let span = o.span.clone();
                self.error(&span, &format!("{field}[{i}].start"), format!("chapter \"{}\" starts at {} s, not after the chapter before it ({} s): list chapters in time order.", chapter.id, chapter.start, chapters[i - 1].start));
            }
        }
        let volume = self.opt_f32(o, "volume", 0.0..4.0, "a gain").unwrap_or(1.0);
        let autoplay = self.opt_bool(o, "autoplay").unwrap_or(false);
        let looped = self.opt_bool(o, "loop").unwrap_or(false);
        Some(Video {
            id: id?,
            src: src?,
            title,
            projection,
            screen: if projection == VideoProjection::Flat && !sound_only {
                Some(screen?)
            } else {
                None
            },
            captions,
            transcript,
            chapters,
            volume,
            autoplay,
            looped,
            sound_only,
            sound_at,
        })
    }

    fn view(&mut self, o: &mut Obj<'_, '_>, panoramas: &[Panorama]) -> Option<View> {
        let id = self.req_id(o, "id");
        let title = self.localized_text(o, "title", true, Some(MAX_TITLE_CHARS));
        let in_panorama = o.table.contains_key("panorama");
        let spot = self.panorama_spot(o, panoramas, "eye");
        let (eye, target) = match &spot {
            Some((spot, p)) => (
                Some(p.position),
                Some(p.marker_at(spot.yaw_deg, spot.pitch_deg)),
            ),
            None if in_panorama => (None, None),
            None => (self.req_vec3(o, "eye"), self.req_vec3(o, "target")),
        };
        if in_panorama && o.table.contains_key("target") {
            o.known.push("target");
            let span = o.table.get("target").map_or(o.span.clone(), |v| v.span());
            self.error(
                &span,
                &o.field("target"),
                "is given with `panorama`: a view in a panorama looks where `yaw` and `pitch` say.",
            );
        }
        let fov_deg = self
            .opt_f32(o, "fov_deg", 5.0..120.0, "degrees")
            .unwrap_or(45.0);
        if let (Some(e), Some(t)) = (eye, target)
            && e.iter().zip(t).map(|(a, b)| (a - b) * (a - b)).sum::<f32>() < 1e-6
        {
            self.error(
                &o.span.clone(),
                &o.field("eye"),
                "eye and target are the same point: the camera would not know where to look.",
            );
        }
        Some(View {
            id: id?,
            title,
            eye: eye?,
            target: target?,
            fov_deg,
            panorama: spot.map(|(spot, _)| spot),
        })
    }

    fn tour(&mut self, o: &mut Obj<'_, '_>) -> Option<Tour> {
        let id = self.req_id(o, "id");
        let title = self.localized_text(o, "title", true, Some(MAX_TITLE_CHARS));
        let stops = self.table_array(o, "stops", |r, s| r.stop(s));
        if !o.table.contains_key("stops") {
            self.missing(o, "stops", "at least one `[[tours.stops]]` table");
        }
        Some(Tour {
            id: id?,
            title,
            stops,
        })
    }

    fn stop(&mut self, s: &mut Obj<'_, '_>) -> Option<TourStop> {
        let view = self.opt_str(s, "view");
        let hotspot = self.opt_str(s, "hotspot");
        let video = self.opt_str(s, "video");
        let chapter = self.opt_str(s, "chapter");
        let gallery = self.opt_str(s, "gallery");
        let photo = self.opt_str(s, "photo");
        if photo.is_some() && gallery.is_none() {
            self.error(
                &s.span.clone(),
                &s.field("photo"),
                "a photo belongs to a gallery: add `gallery = \"gallery-id\"` to the stop.",
            );
        }
        if chapter.is_some() && video.is_none() {
            self.error(
                &s.span.clone(),
                &s.field("chapter"),
                "a chapter belongs to a video: add `video = \"video-id\"` to the stop.",
            );
        }
        let target = match (view, hotspot, video, gallery) {
            (Some(v), None, None, None) => Some(StopTarget::View(v)),
            (None, Some(h), None, None) => Some(StopTarget::Hotspot(h)),
            (None, None, Some(video), None) => Some(StopTarget::Video { video, chapter }),
            (None, None, None, Some(gallery)) => Some(StopTarget::Photo { gallery, photo }),
            (None, None, None, None) => {
                self.missing(s, "view", "`view = \"view-id\"`, `hotspot = \"hotspot-id\"`, `video = \"video-id\"` or `gallery = \"gallery-id\"` to say where the stop goes");
                None
            }
            _ => {
                self.error(
                    &s.span.clone(),
                    &s.field("view"),
                    "a stop has one of `view`, `hotspot`, `video` or `gallery`, not two.",
                );
                None
            }
        };
        let is_video = matches!(target, Some(StopTarget::Video { .. }));
        let text = self.localized_text(s, "text", false, Some(MAX_STOP_TEXT_CHARS));
        let narration = self.localized_path(s, "narration");
        let captions = self.localized_path(s, "captions");
        for path in captions.values() {
            if !path.as_str().to_ascii_lowercase().ends_with(".vtt") {
                let span = s.table.get("captions").map_or(s.span.clone(), |v| v.span());
                self.error(
                    &span,
                    &s.field("captions"),
                    format!("\"{path}\" should be a WebVTT file (.vtt)."),
                );
            }
        }
        let duration = match s.get("duration") {
            None if !narration.is_empty() => StopDuration::UntilNarrationEnds,
            None if is_video => StopDuration::UntilVideoEnds,
            None => StopDuration::Seconds(8.0),
            Some(v) => match v.get_ref() {
                DeValue::String(w) if w.as_ref() == "narration" => StopDuration::UntilNarrationEnds,
                DeValue::String(w) if w.as_ref() == "video" && is_video => {
                    StopDuration::UntilVideoEnds
                }
                DeValue::String(w) => {
                    self.error(&v.span(), &s.field("duration"), format!("\"{w}\" is not a duration: write seconds (e.g. 12), \"narration\", or for a video stop \"video\"."));
                    StopDuration::Seconds(8.0)
                }
                // A tenth of a second at least: a shorter stop could not be seen (and a tiny
                // positive number such as 1e-309 would become 0 as the viewer's f32).
                _ => match self.number(v, &s.field("duration")) {
                    Some(n) if (MIN_STOP_SECONDS..=3600.0).contains(&n) => {
                        StopDuration::Seconds(n as f32)
                    }
                    Some(n) => {
                        self.error(&v.span(), &s.field("duration"), format!("{n} seconds is out of range: expected from {MIN_STOP_SECONDS} to 3600."));
                        StopDuration::Seconds(8.0)
                    }
                    None => StopDuration::Seconds(8.0),
                },
            },
        };
        Some(TourStop {
            target: target?,
            text,
            narration,
            captions,
            duration,
        })
    }

    fn rights(&mut self, o: &mut Obj<'_, '_>) -> Option<Rights> {
        let license = self.req_str(
            o,
            "license",
            "an SPDX licence id such as \"CC-BY-4.0\", or \"all-rights-reserved\"",
        );
        let holder = self.req_str(o, "holder", "who holds the rights");
        let attribution = self.localized_text(o, "attribution", true, Some(MAX_ATTRIBUTION_CHARS));
        let source = self.opt_str(o, "source");
        Some(Rights {
            license: license?,
            holder: holder?,
            attribution,
            source,
        })
    }

    fn provenance(&mut self, o: &mut Obj<'_, '_>) -> Option<Provenance> {
        let method = self.keyword::<CaptureMethod>(o, "method", true);
        let captured = self.opt_str(o, "captured");
        if let Some(date) = &captured
            && let Err(why) = check_iso_date(date)
        {
            let span = o.table.get("captured").map_or(o.span.clone(), |v| v.span());
            self.error(&span, &o.field("captured"), why);
        }
        let device = self.opt_str(o, "device");
        let by = self.opt_str(o, "by");
        let notes = self.localized_text(o, "notes", false, None);
        Some(Provenance {
            method: method?,
            captured,
            device,
            by,
            notes,
        })
    }
}

fn stop_span(tours: &[Value<'_>], ti: usize, si: usize) -> Option<Range<usize>> {
    let DeValue::Table(t) = tours.get(ti)?.get_ref() else {
        return None;
    };
    let DeValue::Array(stops) = t.get("stops")?.get_ref() else {
        return None;
    };
    Some(stops.get(si)?.span())
}

fn normalized(v: Vec3) -> Vec3 {
    // Scaled first, so that squaring a huge component does not overflow to infinity.
    let largest = v.iter().fold(0.0f32, |m, c| m.max(c.abs()));
    if largest <= 0.0 || !largest.is_finite() {
        return [0.0, 0.0, 1.0];
    }
    let v = [v[0] / largest, v[1] / largest, v[2] / largest];
    let len = v.iter().map(|c| c * c).sum::<f32>().sqrt();
    if len < 1e-6 {
        [0.0, 0.0, 1.0]
    } else {
        [v[0] / len, v[1] / len, v[2] / len]
    }
}

/// Checks a `YYYY-MM-DD`, `YYYY-MM` or `YYYY` date, and that the day exists (`2023-02-29` does
/// not, `2024-02-29` does); the error says what to write.
fn check_iso_date(s: &str) -> Result<(), String> {
    let parts: Vec<&str> = s.split('-').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.chars().all(|c| c.is_ascii_digit());
    let not_a_date = || format!("\"{s}\" is not a date: write YYYY-MM-DD, YYYY-MM or YYYY.");
    let month_ok = |m: &str| digits(m, 2) && (1..=12).contains(&m.parse::<u32>().unwrap_or(0));
    match parts.as_slice() {
        [y] if digits(y, 4) => Ok(()),
        [y, m] if digits(y, 4) && month_ok(m) => Ok(()),
        [y, m, d] if digits(y, 4) && month_ok(m) && digits(d, 2) => {
            let (year, month, day) = (
                y.parse::<u32>().unwrap_or(0),
                m.parse::<u32>().unwrap_or(0),
                d.parse::<u32>().unwrap_or(0),
            );
            let last = days_in_month(year, month);
            if (1..=last).contains(&day) {
                Ok(())
            } else {
                const MONTHS: [&str; 12] = [
                    "January",
                    "February",
                    "March",
                    "April",
                    "May",
                    "June",
                    "July",
                    "August",
                    "September",
                    "October",
                    "November",
                    "December",
                ];
                let name = MONTHS[(month as usize - 1).min(11)];
                Err(format!(
                    "\"{s}\" is not a date that exists: {name} {year} has {last} days. Check the day, or write only YYYY-MM."
                ))
            }
        }
        _ => Err(not_a_date()),
    }
}

/// Days in a month of the Gregorian calendar.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// An id from any text: lowercase ASCII letters, digits and `-`, diacritics dropped.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = fold_vietnamese(c).to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Drops Vietnamese diacritics (for suggesting ids), e.g. `Đình Hàng Kênh` → `dinh-hang-kenh`.
fn fold_vietnamese(c: char) -> char {
    const GROUPS: [(&str, char); 7] = [
        ("àáạảãâầấậẩẫăằắặẳẵÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴ", 'a'),
        ("èéẹẻẽêềếệểễÈÉẸẺẼÊỀẾỆỂỄ", 'e'),
        ("ìíịỉĩÌÍỊỈĨ", 'i'),
        ("òóọỏõôồốộổỗơờớợởỡÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠ", 'o'),
        ("ùúụủũưừứựửữÙÚỤỦŨƯỪỨỰỬỮ", 'u'),
        ("ỳýỵỷỹỲÝỴỶỸ", 'y'),
        ("đĐ", 'd'),
    ];
    GROUPS
        .iter()
        .find(|(set, _)| set.contains(c))
        .map_or(c, |(_, base)| *base)
}

/// Checks that a manifest path is relative, uses `/`, stays inside the package, and names a
/// file the viewer can load by that name: no `#` or `?` (Bevy's asset server and the web read
/// them as a label or a query), no control characters, no name made only of spaces.
/// Percent-escapes are not decoded: `a%20b.glb` names the file `a%20b.glb`.
pub fn check_package_path(s: &str) -> Result<PackagePath, &'static str> {
    if s.is_empty() {
        return Err("is empty: name a file inside the package folder.");
    }
    if s.chars().any(char::is_control) {
        return Err(
            "contains a control character (a tab or a line break, perhaps pasted by accident): remove it from the path, and rename the file if its name has one.",
        );
    }
    if s.contains('#') {
        return Err(
            "contains `#`, which the viewer reads as the start of a label inside a file (as in \"house.glb#Scene0\"), so it would load the wrong thing: rename the file without `#` and write its new name here.",
        );
    }
    if s.contains('?') {
        return Err(
            "contains `?`, which the web reads as the start of a query, so the file would not be found: rename the file without `?` and write its new name here.",
        );
    }
    if s.split('/')
        .any(|part| !part.is_empty() && part.trim().is_empty())
    {
        return Err(
            "has a folder or file name made only of spaces: rename it to a name with letters or digits, and write the new name here.",
        );
    }
    if s.contains('\\') {
        return Err("uses `\\`: write paths with `/` so they work on every system and on the web.");
    }
    if s.starts_with('/') || s.contains("://") || (s.len() > 1 && s.as_bytes()[1] == b':') {
        return Err(
            "is absolute or a URL: paths must be relative to the package folder, e.g. \"models/house.glb\".",
        );
    }
    let mut depth = 0i32;
    for part in s.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return Err(
                        "leaves the package folder: every file must be inside the package. Copy the file into the package and name it from there.",
                    );
                }
            }
            _ => depth += 1,
        }
    }
    let normal: Vec<&str> = s
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    Ok(PackagePath(normal.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_paths() {
        assert_eq!(
            check_package_path("models/a.glb").unwrap().as_str(),
            "models/a.glb"
        );
        assert_eq!(
            check_package_path("./models//a.glb").unwrap().as_str(),
            "models/a.glb"
        );
        assert!(check_package_path("models/../a.glb").is_ok());
        assert!(check_package_path("../a.glb").is_err());
        assert!(check_package_path("models/../../a.glb").is_err());
        assert!(check_package_path("/etc/passwd").is_err());
        assert!(check_package_path("C:/x.glb").is_err());
        assert!(check_package_path("https://x.org/a.glb").is_err());
        assert!(check_package_path("models\\a.glb").is_err());
    }

    #[test]
    fn package_paths_the_asset_server_would_misread() {
        assert!(
            check_package_path("models/a#b.glb")
                .unwrap_err()
                .contains("`#`")
        );
        assert!(
            check_package_path("models/a.glb#Scene0")
                .unwrap_err()
                .contains("rename the file")
        );
        assert!(
            check_package_path("audio/why?.ogg")
                .unwrap_err()
                .contains("`?`")
        );
        assert!(
            check_package_path("audio/a\tb.ogg")
                .unwrap_err()
                .contains("control character")
        );
        assert!(
            check_package_path("audio/a.ogg\n")
                .unwrap_err()
                .contains("control character")
        );
        assert!(
            check_package_path("models/ /a.glb")
                .unwrap_err()
                .contains("only of spaces")
        );
        assert!(
            check_package_path("models/\u{3000}")
                .unwrap_err()
                .contains("only of spaces")
        );
        // Spaces inside a name, and percent signs (not decoded), are fine.
        assert_eq!(
            check_package_path("models/đình hàng kênh.glb")
                .unwrap()
                .as_str(),
            "models/đình hàng kênh.glb"
        );
        assert_eq!(
            check_package_path("models/a%20b.glb").unwrap().as_str(),
            "models/a%20b.glb"
        );
    }

    #[test]
    fn dates_must_exist() {
        assert!(check_iso_date("2024-02-29").is_ok(), "2024 is a leap year");
        assert!(check_iso_date("2000-02-29").is_ok(), "2000 is a leap year");
        assert!(
            check_iso_date("1900-02-29")
                .unwrap_err()
                .contains("February 1900 has 28 days")
        );
        assert!(
            check_iso_date("2023-02-29")
                .unwrap_err()
                .contains("February 2023 has 28 days")
        );
        assert!(
            check_iso_date("2023-02-30")
                .unwrap_err()
                .contains("is not a date that exists")
        );
        assert!(
            check_iso_date("2026-04-31")
                .unwrap_err()
                .contains("April 2026 has 30 days")
        );
        assert!(check_iso_date("2026-12-31").is_ok());
        assert!(check_iso_date("2026-01-00").is_err());
        assert!(
            check_iso_date("2026-13")
                .unwrap_err()
                .contains("is not a date:")
        );
        assert!(check_iso_date("2026").is_ok());
        assert!(check_iso_date("2026-11").is_ok());
        assert!(
            check_iso_date("24/05/2024")
                .unwrap_err()
                .contains("is not a date:")
        );
        assert!(check_iso_date("２０２６").is_err(), "only ASCII digits");
    }

    #[test]
    fn huge_normals_normalise_without_overflow() {
        assert_eq!(normalized([3e38, 0.0, 0.0]), [1.0, 0.0, 0.0]);
        let n = normalized([3e38, 3e38, 0.0]);
        assert!(
            (n[0] - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6 && n[2] == 0.0,
            "{n:?}"
        );
        assert_eq!(normalized([0.0; 3]), [0.0, 0.0, 1.0]);
    }

    #[test]
    fn slugs_drop_diacritics() {
        assert_eq!(slug("Đình Hàng Kênh"), "dinh-hang-kenh");
        assert_eq!(slug("Trống đồng_1"), "trong-dong-1");
    }

    #[test]
    fn suggestions_find_typos() {
        assert_eq!(suggestion("titel", &["id", "title", "body"]), Some("title"));
        assert_eq!(suggestion("zzzzzz", &["id", "title"]), None);
    }
}
