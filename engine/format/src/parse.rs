//! Reading `exhibit.toml`: a walk over the spanned TOML tree that records every problem with its
//! location instead of stopping at the first, and refuses unknown fields (they are nearly always
//! typos that would otherwise be silently ignored).

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::manifest::*;
use crate::problem::{LineCol, Problems};
use crate::text::{Lang, Localized, LocalizedText, REQUIRED_LANGS};

/// The only format version this crate reads.
pub const FORMAT_VERSION: u32 = 1;

type Value<'i> = Spanned<DeValue<'i>>;

/// Reads a manifest from its text. `file` is used only to name the file in problems.
/// Returns the manifest when it has no errors (warnings are allowed), and all problems found.
pub fn parse_manifest(file: &Path, source: &str) -> (Option<Manifest>, Problems) {
    let mut r = Reader { file, source, problems: Problems::default() };
    let doc = match DeTable::parse(source) {
        Ok(doc) => doc,
        Err(e) => {
            let at = e.span().map(|s| r.at(&s));
            let message = format!(
                "this is not valid TOML: {}. Check quotes, brackets and `=` on this line.",
                e.message().trim_end_matches('.')
            );
            r.problems.error(file, at, "", message);
            return (None, r.problems);
        }
    };
    let root = Obj::new(doc.get_ref(), doc.span(), String::new());
    let manifest = r.manifest(root);
    if r.problems.has_errors() { (None, r.problems) } else { (manifest, r.problems) }
}

struct Reader<'s> {
    file: &'s Path,
    source: &'s str,
    problems: Problems,
}

/// A table being read: remembers which keys were asked for, so the rest can be reported as unknown.
struct Obj<'t, 'i> {
    table: &'t DeTable<'i>,
    span: Range<usize>,
    path: String,
    known: Vec<&'static str>,
}

impl<'t, 'i> Obj<'t, 'i> {
    fn new(table: &'t DeTable<'i>, span: Range<usize>, path: String) -> Self {
        Self { table, span, path, known: Vec::new() }
    }
    fn field(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_owned() } else { format!("{}.{key}", self.path) }
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
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
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
        for (key, _) in obj.table.iter() {
            let name: &str = key.get_ref();
            if obj.known.contains(&name) {
                continue;
            }
            let hint = match suggestion(name, &obj.known) {
                Some(s) => format!(" Did you mean `{s}`?"),
                None => String::new(),
            };
            let place = if obj.path.is_empty() { "at the top level".to_owned() } else { format!("in `{}`", obj.path) };
            let msg = format!(
                "unknown field `{name}` {place}.{hint} Known fields here: {}.",
                obj.known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            );
            self.error(&key.span(), &obj.field(name), msg);
        }
    }

    fn missing(&mut self, obj: &Obj<'_, '_>, key: &str, expected: &str) {
        let place = if obj.path.is_empty() { "the manifest".to_owned() } else { format!("`{}`", obj.path) };
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
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(v, &obj.field(key), "a string in quotes");
                None
            }
        }
    }

    fn req_str(&mut self, obj: &mut Obj<'_, '_>, key: &'static str, expected: &str) -> Option<String> {
        if !obj.table.contains_key(key) {
            obj.known.push(key);
            self.missing(obj, key, expected);
            return None;
        }
        let s = self.opt_str(obj, key)?;
        if s.trim().is_empty() {
            let v = obj.table.get(key).expect("checked above");
            self.error(&v.span(), &obj.field(key), format!("must not be empty: write {expected}."));
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

    fn number(&mut self, v: &Value<'_>, field: &str) -> Option<f64> {
        let n = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|i| i as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            _ => None,
        };
        match n {
            Some(n) if n.is_finite() => Some(n),
            Some(_) => {
                self.error(&v.span(), field, "expected a finite number, found inf or nan.");
                None
            }
            None => {
                self.wrong_type(v, field, "a number");
                None
            }
        }
    }

    fn opt_num(&mut self, obj: &mut Obj<'_, '_>, key: &'static str, range: Range<f64>, unit: &str) -> Option<f64> {
        let v = obj.get(key)?;
        let field = obj.field(key);
        let n = self.number(v, &field)?;
        if !(range.start..=range.end).contains(&n) {
            let msg = format!("{n} is out of range: expected {unit} from {} to {}.", range.start, range.end);
            self.error(&v.span(), &field, msg);
            return None;
        }
        Some(n)
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
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(v, field, "an array of three numbers in metres, like [0.0, 1.5, 2.0]");
            return None;
        };
        if items.len() != 3 {
            let msg = format!("expected three numbers [x, y, z], found {} item(s).", items.len());
            self.error(&v.span(), field, msg);
            return None;
        }
        let mut out = [0.0f32; 3];
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.number(item, &format!("{field}[{i}]")) {
                Some(n) => out[i] = n as f32,
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

    fn keyword<K: Keyword>(&mut self, obj: &mut Obj<'_, '_>, key: &'static str, required: bool) -> Option<K> {
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
                let hint = suggestion(&word, &words).map(|s| format!(" Did you mean \"{s}\"?")).unwrap_or_default();
                let msg = format!("\"{word}\" is not allowed here: expected one of {}.{hint}", K::expected());
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
            self.missing(obj, key, &format!("`{key} = \"folder/file\"` relative to the package"));
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
        let Some(v) = obj.get(key) else { return Vec::new() };
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
    /// English are expected; one missing is a warning (the other is shown instead).
    fn localized_text(&mut self, obj: &mut Obj<'_, '_>, key: &'static str, required: bool) -> LocalizedText {
        self.localized(obj, key, required, |r, v, field| match v.get_ref() {
            DeValue::String(s) if !s.trim().is_empty() => Some(s.to_string()),
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
            let example = format!("a table of languages, like {key} = {{ vi = \"…\", en = \"…\" }}");
            self.wrong_type(v, &field, &example);
            return out;
        };
        for (lang, value) in t.iter() {
            let code: &str = lang.get_ref();
            let lang_field = format!("{field}.{code}");
            if !Lang::is_valid_code(code) {
                let msg = format!("`{code}` is not a language code: use codes such as `vi` (Tiếng Việt) and `en` (English).");
                self.error(&lang.span(), &lang_field, msg);
                continue;
            }
            if let Some(x) = read(self, value, &lang_field) {
                out.insert(Lang::new(code), x);
            }
        }
        if !out.is_empty() || (required && t.is_empty()) {
            for (i, lang) in REQUIRED_LANGS.iter().enumerate() {
                if out.exact(lang).is_none() && !t.contains_key(*lang) {
                    let other = REQUIRED_LANGS[1 - i];
                    let name = if *lang == "vi" { "Vietnamese" } else { "English" };
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
                    let msg = format!("this viewer reads exhibit format {FORMAT_VERSION}, the package says {n}: update Disan or convert the package.");
                    self.error(&v.span(), "format", msg);
                    None
                }
                None => None,
            },
        };
        let id = self.req_id(&mut root, "id");
        let kind = self.keyword::<ExhibitKind>(&mut root, "kind", true);
        let rank = self.keyword::<HeritageRank>(&mut root, "rank", true);
        let title = self.localized_text(&mut root, "title", true);
        let summary = self.localized_text(&mut root, "summary", true);
        let location = self.sub_table(&mut root, "location", |r, o| r.location(o)).flatten();
        let is_monument = kind == Some(ExhibitKind::Monument);
        let navigation = self
            .sub_table(&mut root, "navigation", |r, o| r.navigation(o, is_monument))
            .unwrap_or(Navigation { walk: is_monument, eye_height: 1.6, ground: 0.0 });
        let models = self.table_array(&mut root, "models", |r, o| r.model(o));
        if models.is_empty() && !root.table.contains_key("models") {
            self.missing(&root, "models", "at least one `[[models]]` table with `src = \"models/….glb\"`");
        }
        let audio = self.table_array(&mut root, "audio", |r, o| r.audio(o));
        let hotspots = self.table_array(&mut root, "hotspots", |r, o| r.hotspot(o));
        let views = self.table_array(&mut root, "views", |r, o| r.view(o));
        let tours = self.table_array(&mut root, "tours", |r, o| r.tour(o));
        let rights = self.sub_table(&mut root, "rights", |r, o| r.rights(o)).flatten();
        if !root.table.contains_key("rights") {
            self.missing(&root, "rights", "a `[rights]` table with `license`, `holder` and `attribution`");
        }
        let provenance = self.sub_table(&mut root, "provenance", |r, o| r.provenance(o)).flatten();
        if !root.table.contains_key("provenance") {
            self.missing(&root, "provenance", "a `[provenance]` table with at least `method`");
        }

        self.check_unique_ids(&root, "models", models.iter().map(|m| m.id.as_str()));
        self.check_unique_ids(&root, "audio", audio.iter().map(|a| a.id.as_str()));
        self.check_unique_ids(&root, "hotspots", hotspots.iter().map(|h| h.id.as_str()));
        self.check_unique_ids(&root, "views", views.iter().map(|v| v.id.as_str()));
        self.check_unique_ids(&root, "tours", tours.iter().map(|t| t.id.as_str()));
        self.check_stop_targets(&root, &tours, &views, &hotspots);
        self.finish(root);

        Some(Manifest {
            format: format?,
            id: id?,
            kind: kind?,
            rank: rank?,
            title,
            summary,
            location,
            navigation,
            models,
            audio,
            hotspots,
            views,
            tours,
            rights: rights?,
            provenance: provenance?,
        })
    }

    fn check_unique_ids<'a>(&mut self, root: &Obj<'_, '_>, key: &str, ids: impl Iterator<Item = &'a str>) {
        let mut seen = HashSet::new();
        let Some(DeValue::Array(items)) = root.table.get(key).map(|v| v.get_ref()) else { return };
        for (i, id) in ids.enumerate() {
            if !seen.insert(id) {
                // Point at the table carrying the duplicate id.
                let span = items.get(i).map_or(root.span.clone(), |v| v.span());
                let msg = format!("the id \"{id}\" is used twice in [[{key}]]: ids must be unique so tours and links find the right one.");
                self.error(&span, &format!("{key}[{i}].id"), msg);
            }
        }
    }

    fn check_stop_targets(&mut self, root: &Obj<'_, '_>, tours: &[Tour], views: &[View], hotspots: &[Hotspot]) {
        let Some(DeValue::Array(tour_values)) = root.table.get("tours").map(|v| v.get_ref()) else { return };
        for (ti, tour) in tours.iter().enumerate() {
            for (si, stop) in tour.stops.iter().enumerate() {
                let (key, id, exists, known): (&str, &str, bool, Vec<&str>) = match &stop.target {
                    StopTarget::View(id) => ("view", id, views.iter().any(|v| &v.id == id), views.iter().map(|v| v.id.as_str()).collect()),
                    StopTarget::Hotspot(id) => {
                        ("hotspot", id, hotspots.iter().any(|h| &h.id == id), hotspots.iter().map(|h| h.id.as_str()).collect())
                    }
                };
                if exists {
                    continue;
                }
                let span = stop_span(tour_values, ti, si).unwrap_or(root.span.clone());
                let hint = suggestion(id, &known).map(|s| format!(" Did you mean \"{s}\"?")).unwrap_or_default();
                let msg = format!(
                    "the stop refers to {key} \"{id}\", which this exhibit does not define.{hint} Defined: {}.",
                    if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                );
                self.error(&span, &format!("tours[{ti}].stops[{si}].{key}"), msg);
            }
        }
    }

    fn location(&mut self, o: &mut Obj<'_, '_>) -> Option<Location> {
        let commune = self.req_str(o, "commune", "the commune or ward (xã/phường), e.g. `commune = \"Phường An Biên\"`");
        let former_district = self.opt_str(o, "former_district");
        let address = self.opt_str(o, "address");
        let wgs84 = self.sub_table(o, "wgs84", |r, t| {
            let lat = r.opt_num(t, "lat", -90.0..90.0, "degrees");
            let lon = r.opt_num(t, "lon", -180.0..180.0, "degrees");
            let height = r.opt_num(t, "height", -500.0..9000.0, "metres").unwrap_or(0.0);
            if !t.table.contains_key("lat") || !t.table.contains_key("lon") {
                r.missing(t, if t.table.contains_key("lat") { "lon" } else { "lat" }, "latitude and longitude in decimal degrees");
            }
            Some(GeoPosition::Wgs84 { lat: lat?, lon: lon?, height })
        });
        let vn2000 = self.sub_table(o, "vn2000", |r, t| {
            let x = r.opt_num(t, "x", 0.0..10_000_000.0, "metres northing");
            let y = r.opt_num(t, "y", 0.0..1_000_000.0, "metres easting");
            let h = r.opt_num(t, "h", -500.0..9000.0, "metres").unwrap_or(0.0);
            let central_meridian = r.opt_num(t, "central_meridian", 102.0..110.0, "degrees east");
            let zone_width = r.opt_num(t, "zone_width", 3.0..6.0, "degrees (3 or 6)").unwrap_or(3.0);
            for key in ["x", "y", "central_meridian"] {
                if !t.table.contains_key(key) {
                    r.missing(t, key, "VN-2000 x (northing), y (easting) and the zone's central_meridian (105.75 for Hải Phòng)");
                }
            }
            Some(GeoPosition::Vn2000 { x: x?, y: y?, h, central_meridian: central_meridian?, zone_width: zone_width as u8 })
        });
        let position = match (wgs84.flatten(), vn2000.flatten()) {
            (Some(_), Some(v)) => {
                // VN-2000 is what surveyors deliver; prefer it and say so.
                let span = o.table.get("wgs84").map_or(o.span.clone(), |v| v.span());
                self.warning(&span, &o.field("wgs84"), "both wgs84 and vn2000 are given: the vn2000 position is used.");
                Some(v)
            }
            (a, b) => a.or(b),
        };
        Some(Location { commune: commune?, former_district, address, position })
    }

    fn navigation(&mut self, o: &mut Obj<'_, '_>, is_monument: bool) -> Navigation {
        Navigation {
            walk: self.opt_bool(o, "walk").unwrap_or(is_monument),
            eye_height: self.opt_num(o, "eye_height", 0.5..3.0, "metres").unwrap_or(1.6) as f32,
            ground: self.opt_num(o, "ground", -1000.0..1000.0, "metres").unwrap_or(0.0) as f32,
        }
    }

    fn model(&mut self, o: &mut Obj<'_, '_>) -> Option<Model> {
        let id = self.req_id(o, "id");
        let src = self.req_path(o, "src");
        let position = self.opt_vec3(o, "position").unwrap_or([0.0; 3]);
        let rotation_deg = self.opt_vec3(o, "rotation_deg").unwrap_or([0.0; 3]);
        let scale = self.opt_num(o, "scale", 0.0001..10_000.0, "a scale factor").unwrap_or(1.0) as f32;
        let lods = self.table_array(o, "lods", |r, l| {
            let quality = r.keyword::<LodQuality>(l, "quality", true);
            let src = r.req_path(l, "src");
            Some(Lod { quality: quality?, src: src? })
        });
        if let Some(src) = &src {
            self.expect_extension(o, "src", src, &["glb", "gltf"], "a glTF model (.glb or .gltf)");
        }
        Some(Model { id: id?, src: src?, position, rotation_deg, scale, lods })
    }

    fn expect_extension(&mut self, o: &Obj<'_, '_>, key: &str, path: &PackagePath, exts: &[&str], what: &str) {
        let ext = path.as_str().rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        if !exts.contains(&ext.as_str()) {
            let span = o.table.get(key).map_or(o.span.clone(), |v| v.span());
            self.error(&span, &o.field(key), format!("\"{path}\" should be {what}."));
        }
    }

    fn audio(&mut self, o: &mut Obj<'_, '_>) -> Option<AudioSource> {
        let id = self.req_id(o, "id");
        let src = self.req_path(o, "src");
        if let Some(src) = &src {
            self.expect_extension(o, "src", src, &["ogg", "wav", "mp3"], "a sound file (.ogg, .wav or .mp3)");
        }
        let position = self.opt_vec3(o, "position");
        let looped = self.opt_bool(o, "loop").unwrap_or(false);
        let volume = self.opt_num(o, "volume", 0.0..4.0, "a gain").unwrap_or(1.0) as f32;
        let distance_model = self.keyword::<DistanceModel>(o, "distance_model", false).unwrap_or(DistanceModel::Inverse);
        let ref_distance = self.opt_num(o, "ref_distance", 0.0..100_000.0, "metres").unwrap_or(1.0) as f32;
        let max_distance = self.opt_num(o, "max_distance", 0.001..100_000.0, "metres").unwrap_or(10_000.0) as f32;
        let rolloff = self.opt_num(o, "rolloff", 0.0..100.0, "a rolloff factor").unwrap_or(1.0) as f32;
        let cone = self
            .sub_table(o, "cone", |r, c| {
                let direction = r.req_vec3(c, "direction");
                let inner_deg = r.opt_num(c, "inner_deg", 0.0..360.0, "degrees").unwrap_or(360.0) as f32;
                let outer_deg = r.opt_num(c, "outer_deg", 0.0..360.0, "degrees").unwrap_or(360.0) as f32;
                let outer_gain = r.opt_num(c, "outer_gain", 0.0..1.0, "a gain").unwrap_or(0.0) as f32;
                if outer_deg < inner_deg {
                    r.error(&c.span.clone(), &c.field("outer_deg"), "outer_deg must be at least inner_deg.");
                }
                Some(Cone { direction: direction?, inner_deg, outer_deg, outer_gain })
            })
            .flatten();
        if distance_model == DistanceModel::Linear && max_distance <= ref_distance {
            self.error(&o.span.clone(), &o.field("max_distance"), "with the linear distance model max_distance must be greater than ref_distance.");
        }
        Some(AudioSource { id: id?, src: src?, position, looped, volume, distance_model, ref_distance, max_distance, rolloff, cone })
    }

    fn hotspot(&mut self, o: &mut Obj<'_, '_>) -> Option<Hotspot> {
        let id = self.req_id(o, "id");
        let position = self.req_vec3(o, "position");
        let normal = self.opt_vec3(o, "normal").unwrap_or([0.0, 0.0, 1.0]);
        if normal.iter().map(|c| c * c).sum::<f32>() < 1e-6 {
            let span = o.table.get("normal").map_or(o.span.clone(), |v| v.span());
            self.error(&span, &o.field("normal"), "the normal must point somewhere: it is [0, 0, 0]. Use the outward direction of the surface, e.g. [0, 1, 0] for up.");
        }
        let title = self.localized_text(o, "title", true);
        let body = self.localized_text(o, "body", true);
        let image = self.opt_path(o, "image");
        if let Some(image) = &image {
            self.expect_extension(o, "image", image, &["png", "jpg", "jpeg", "ktx2"], "an image (.png, .jpg or .ktx2)");
        }
        let narration = self.localized_path(o, "narration");
        Some(Hotspot { id: id?, position: position?, normal: normalized(normal), title, body, image, narration })
    }

    fn view(&mut self, o: &mut Obj<'_, '_>) -> Option<View> {
        let id = self.req_id(o, "id");
        let title = self.localized_text(o, "title", true);
        let eye = self.req_vec3(o, "eye");
        let target = self.req_vec3(o, "target");
        let fov_deg = self.opt_num(o, "fov_deg", 5.0..120.0, "degrees").unwrap_or(45.0) as f32;
        if let (Some(e), Some(t)) = (eye, target)
            && e.iter().zip(t).map(|(a, b)| (a - b) * (a - b)).sum::<f32>() < 1e-6
        {
            self.error(&o.span.clone(), &o.field("eye"), "eye and target are the same point: the camera would not know where to look.");
        }
        Some(View { id: id?, title, eye: eye?, target: target?, fov_deg })
    }

    fn tour(&mut self, o: &mut Obj<'_, '_>) -> Option<Tour> {
        let id = self.req_id(o, "id");
        let title = self.localized_text(o, "title", true);
        let stops = self.table_array(o, "stops", |r, s| r.stop(s));
        if !o.table.contains_key("stops") {
            self.missing(o, "stops", "at least one `[[tours.stops]]` table");
        }
        Some(Tour { id: id?, title, stops })
    }

    fn stop(&mut self, s: &mut Obj<'_, '_>) -> Option<TourStop> {
        let view = self.opt_str(s, "view");
        let hotspot = self.opt_str(s, "hotspot");
        let target = match (view, hotspot) {
            (Some(v), None) => Some(StopTarget::View(v)),
            (None, Some(h)) => Some(StopTarget::Hotspot(h)),
            (Some(_), Some(_)) => {
                self.error(&s.span.clone(), &s.field("view"), "a stop has either `view` or `hotspot`, not both.");
                None
            }
            (None, None) => {
                self.missing(s, "view", "`view = \"view-id\"` or `hotspot = \"hotspot-id\"` to say where the camera goes");
                None
            }
        };
        let text = self.localized_text(s, "text", false);
        let narration = self.localized_path(s, "narration");
        let captions = self.localized_path(s, "captions");
        for path in captions.values() {
            if !path.as_str().to_ascii_lowercase().ends_with(".vtt") {
                let span = s.table.get("captions").map_or(s.span.clone(), |v| v.span());
                self.error(&span, &s.field("captions"), format!("\"{path}\" should be a WebVTT file (.vtt)."));
            }
        }
        let duration = match s.get("duration") {
            None if !narration.is_empty() => StopDuration::UntilNarrationEnds,
            None => StopDuration::Seconds(8.0),
            Some(v) => match v.get_ref() {
                DeValue::String(w) if w.as_ref() == "narration" => StopDuration::UntilNarrationEnds,
                DeValue::String(w) => {
                    self.error(&v.span(), &s.field("duration"), format!("\"{w}\" is not a duration: write seconds (e.g. 12) or \"narration\"."));
                    StopDuration::Seconds(8.0)
                }
                _ => match self.number(v, &s.field("duration")) {
                    Some(n) if n > 0.0 && n <= 3600.0 => StopDuration::Seconds(n as f32),
                    Some(n) => {
                        self.error(&v.span(), &s.field("duration"), format!("{n} seconds is out of range: expected more than 0 and at most 3600."));
                        StopDuration::Seconds(8.0)
                    }
                    None => StopDuration::Seconds(8.0),
                },
            },
        };
        Some(TourStop { target: target?, text, narration, captions, duration })
    }

    fn rights(&mut self, o: &mut Obj<'_, '_>) -> Option<Rights> {
        let license = self.req_str(o, "license", "an SPDX licence id such as \"CC-BY-4.0\", or \"all-rights-reserved\"");
        let holder = self.req_str(o, "holder", "who holds the rights");
        let attribution = self.localized_text(o, "attribution", true);
        let source = self.opt_str(o, "source");
        Some(Rights { license: license?, holder: holder?, attribution, source })
    }

    fn provenance(&mut self, o: &mut Obj<'_, '_>) -> Option<Provenance> {
        let method = self.keyword::<CaptureMethod>(o, "method", true);
        let captured = self.opt_str(o, "captured");
        if let Some(date) = &captured
            && !is_iso_date(date)
        {
            let span = o.table.get("captured").map_or(o.span.clone(), |v| v.span());
            self.error(&span, &o.field("captured"), format!("\"{date}\" is not a date: write YYYY-MM-DD, YYYY-MM or YYYY."));
        }
        let device = self.opt_str(o, "device");
        let by = self.opt_str(o, "by");
        let notes = self.localized_text(o, "notes", false);
        Some(Provenance { method: method?, captured, device, by, notes })
    }
}

fn stop_span(tours: &[Value<'_>], ti: usize, si: usize) -> Option<Range<usize>> {
    let DeValue::Table(t) = tours.get(ti)?.get_ref() else { return None };
    let DeValue::Array(stops) = t.get("stops")?.get_ref() else { return None };
    Some(stops.get(si)?.span())
}

fn normalized(v: Vec3) -> Vec3 {
    let len = v.iter().map(|c| c * c).sum::<f32>().sqrt();
    if len < 1e-6 { [0.0, 0.0, 1.0] } else { [v[0] / len, v[1] / len, v[2] / len] }
}

fn is_iso_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && (1..=12).contains(&m.parse::<u32>().unwrap_or(0)),
        [y, m, d] => {
            digits(y, 4)
                && digits(m, 2)
                && digits(d, 2)
                && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
                && (1..=31).contains(&d.parse::<u32>().unwrap_or(0))
        }
        _ => false,
    }
}

fn slug(s: &str) -> String {
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
    GROUPS.iter().find(|(set, _)| set.contains(c)).map_or(c, |(_, base)| *base)
}

/// Checks that a manifest path is relative, uses `/`, and stays inside the package.
pub fn check_package_path(s: &str) -> Result<PackagePath, &'static str> {
    if s.is_empty() {
        return Err("is empty: name a file inside the package folder.");
    }
    if s.contains('\\') {
        return Err("uses `\\`: write paths with `/` so they work on every system and on the web.");
    }
    if s.starts_with('/') || s.contains("://") || (s.len() > 1 && s.as_bytes()[1] == b':') {
        return Err("is absolute or a URL: paths must be relative to the package folder, e.g. \"models/house.glb\".");
    }
    let mut depth = 0i32;
    for part in s.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return Err("leaves the package folder: every file must be inside the package. Copy the file into the package and name it from there.");
                }
            }
            _ => depth += 1,
        }
    }
    let normal: Vec<&str> = s.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    Ok(PackagePath(normal.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_paths() {
        assert_eq!(check_package_path("models/a.glb").unwrap().as_str(), "models/a.glb");
        assert_eq!(check_package_path("./models//a.glb").unwrap().as_str(), "models/a.glb");
        assert!(check_package_path("models/../a.glb").is_ok());
        assert!(check_package_path("../a.glb").is_err());
        assert!(check_package_path("models/../../a.glb").is_err());
        assert!(check_package_path("/etc/passwd").is_err());
        assert!(check_package_path("C:/x.glb").is_err());
        assert!(check_package_path("https://x.org/a.glb").is_err());
        assert!(check_package_path("models\\a.glb").is_err());
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
