//! The city's catalogue index: one small record per exhibit, read by the catalogue screens
//! (search, filters, map) without opening a single manifest, and published as open data.
//!
//! `disan catalog` builds it from a folder of packages and writes three forms of it:
//! - `catalog.json`: [`CatalogIndex`], what the viewers read (docs/exhibit-format.md, "Catalogue");
//! - `catalog.jsonld` and `records/<id>.jsonld`: schema.org JSON-LD for the portal's open-data
//!   page, the collection and one record per exhibit;
//! - `catalog.csv`: the same fields for staff's spreadsheets.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::geodesy;
use crate::manifest::{GeoPosition, Keyword, Manifest};
use crate::package::Package;

/// The index's file name, in the folder of the packages it lists.
pub const CATALOG_FILE: &str = "catalog.json";

/// The version of `catalog.json`; a viewer refuses an index of a version it does not know.
pub const CATALOG_FORMAT: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogIndex {
    pub format: u32,
    /// The collection's name per language.
    pub title: std::collections::BTreeMap<String, String>,
    pub entries: Vec<CatalogEntry>,
}

/// One exhibit, as the catalogue screens and the portal need it: enough to find, filter, place
/// on the map and show a card, and nothing that needs the package opened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    pub id: String,
    /// The package folder, relative to the index (URL-style `/` separators).
    pub path: String,
    pub title: std::collections::BTreeMap<String, String>,
    pub kind: String,
    pub rank: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub former_district: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// WGS84 `[lat, lon]` in degrees, converted from the survey when it is in VN-2000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wgs84: Option<[f64; 2]>,
    /// The smallest level of the first model (a GLB under 200 KB), relative to the index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    /// A picture of the exhibit for gallery cards (`poster.png` or `poster.jpg` in the package,
    /// relative to the index), when the package has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poster: Option<String>,
    pub license: String,
    pub holder: String,
    pub languages: Vec<String>,
    /// The levels of detail of the first model: quality and size in bytes.
    pub lods: Vec<CatalogLod>,
    /// Every file of the package, in bytes.
    pub bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogLod {
    pub quality: String,
    /// The level's file, relative to the package.
    pub src: String,
    pub bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triangles: Option<u64>,
}

/// A package that could not become an entry: where its position is, what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{id}: [location] position: {error}; the exhibit is listed without a place on the map")]
pub struct EntryWarning {
    pub id: String,
    pub error: geodesy::GeodesyError,
}

impl CatalogEntry {
    /// The entry of an opened package, `path` being its folder relative to the index.
    /// `file_size` measures a file of the package (a closure so that tests need no disk).
    pub fn from_package(
        package: &Package,
        path: &str,
        file_size: impl Fn(&str) -> u64,
    ) -> (Self, Option<EntryWarning>) {
        let m = &package.manifest;
        let (wgs84, warning) = match wgs84_of(m) {
            Ok(p) => (p, None),
            Err(error) => (
                None,
                Some(EntryWarning {
                    id: m.id.clone(),
                    error,
                }),
            ),
        };
        let location = m.location.as_ref();
        let model = m.models.first();
        let join = |p: &str| {
            if path.is_empty() {
                p.to_owned()
            } else {
                format!("{path}/{p}")
            }
        };
        let lods = model
            .map(|model| {
                model
                    .lods
                    .iter()
                    .map(|l| CatalogLod {
                        quality: l.quality.word().to_owned(),
                        src: l.src.as_str().to_owned(),
                        bytes: l.bytes.unwrap_or_else(|| file_size(l.src.as_str())),
                        triangles: l.triangles,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let thumbnail = model.map(|model| {
            let smallest = model
                .lods
                .iter()
                .min_by_key(|l| l.quality)
                .map_or(&model.src, |l| &l.src);
            join(smallest.as_str())
        });
        let mut files: Vec<&str> = m
            .referenced_files()
            .into_iter()
            .map(|p| p.as_str())
            .collect();
        files.push(crate::MANIFEST_FILE);
        files.sort_unstable();
        files.dedup();
        let entry = CatalogEntry {
            id: m.id.clone(),
            path: path.to_owned(),
            title: m
                .title
                .iter()
                .map(|(l, t)| (l.code().to_owned(), t.clone()))
                .collect(),
            kind: m.kind.word().to_owned(),
            rank: m.rank.word().to_owned(),
            commune: location.map(|l| l.commune.clone()),
            province: location.and_then(|l| l.province.clone()),
            former_district: location.and_then(|l| l.former_district.clone()),
            address: location.and_then(|l| l.address.clone()),
            wgs84,
            thumbnail,
            poster: ["poster.png", "poster.jpg"]
                .into_iter()
                .find(|p| file_size(p) > 0)
                .map(join),
            license: m.rights.license.clone(),
            holder: m.rights.holder.clone(),
            languages: m.languages(),
            lods,
            bytes: files.iter().map(|f| file_size(f)).sum(),
        };
        (entry, warning)
    }
}

/// The exhibit's WGS84 latitude and longitude, whichever system `[location]` gives it in.
pub fn wgs84_of(m: &Manifest) -> Result<Option<[f64; 2]>, geodesy::GeodesyError> {
    let Some(position) = m.location.as_ref().and_then(|l| l.position) else {
        return Ok(None);
    };
    match position {
        GeoPosition::Wgs84 { lat, lon, .. } => Ok(Some([lat, lon])),
        GeoPosition::Vn2000 {
            x,
            y,
            h,
            central_meridian,
            zone_width,
        } => {
            let p = geodesy::vn2000_projected_to_wgs84(x, y, h, central_meridian, zone_width)?;
            // 1e-7° is about a centimetre: more digits would be noise in every index entry.
            let round = |v: f64| (v * 1e7).round() / 1e7;
            Ok(Some([round(p.a), round(p.b)]))
        }
    }
}

impl CatalogIndex {
    /// The index of the city's collection ("Di sản Hải Phòng · Heritage of Hải Phòng").
    pub fn of_the_city(entries: Vec<CatalogEntry>) -> Self {
        CatalogIndex {
            format: CATALOG_FORMAT,
            title: [("vi", "Di sản Hải Phòng"), ("en", "Heritage of Hải Phòng")]
                .into_iter()
                .map(|(l, t)| (l.to_owned(), t.to_owned()))
                .collect(),
            entries,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("plain data")
    }

    /// Reads `catalog.json`, refusing another version or a malformed index with what and where.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let index: CatalogIndex = serde_json::from_str(text)
            .map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))?;
        if index.format != CATALOG_FORMAT {
            return Err(format!(
                "\"format\": {} is not a catalogue version this viewer reads ({CATALOG_FORMAT}); update Disan",
                index.format
            ));
        }
        Ok(index)
    }

    /// The collection as schema.org JSON-LD, each exhibit a part of it (`records()` gives them
    /// one by one). `base` is the URL the catalogue folder is published at, ending in `/`.
    pub fn to_jsonld(&self, base: &str) -> Value {
        let mut collection = json!({
            "@context": context(),
            "@type": "Collection",
            "@id": format!("{base}catalog.jsonld"),
            "name": lang_values(&self.title),
            "collectionSize": self.entries.len(),
            "hasPart": self.entries.iter().map(|e| record(e, base)).collect::<Vec<_>>(),
        });
        collection["url"] = json!(base);
        collection
    }

    /// One JSON-LD document per exhibit: `(id, document)`.
    pub fn records(&self, base: &str) -> Vec<(String, Value)> {
        self.entries
            .iter()
            .map(|e| {
                let mut r = record(e, base);
                r.as_object_mut()
                    .expect("object")
                    .insert("@context".into(), context());
                r["isPartOf"] = json!({"@id": format!("{base}catalog.jsonld")});
                (e.id.clone(), r)
            })
            .collect()
    }

    /// The index as CSV for spreadsheets: one line per exhibit, UTF-8 with a byte-order mark
    /// (so Excel shows Vietnamese right), cells that could be read as formulas quoted away.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "\u{feff}id,title_vi,title_en,kind,rank,commune,province,former_district,address,lat,lon,license,holder,languages,lods,bytes,path\n",
        );
        for e in &self.entries {
            let num = |v: Option<f64>| v.map(|v| format!("{v:.7}")).unwrap_or_default();
            let lods: Vec<String> = e
                .lods
                .iter()
                .map(|l| format!("{}:{}", l.quality, l.bytes))
                .collect();
            let cells = [
                e.id.clone(),
                e.title.get("vi").cloned().unwrap_or_default(),
                e.title.get("en").cloned().unwrap_or_default(),
                e.kind.clone(),
                e.rank.clone(),
                e.commune.clone().unwrap_or_default(),
                e.province.clone().unwrap_or_default(),
                e.former_district.clone().unwrap_or_default(),
                e.address.clone().unwrap_or_default(),
                num(e.wgs84.map(|p| p[0])),
                num(e.wgs84.map(|p| p[1])),
                e.license.clone(),
                e.holder.clone(),
                e.languages.join(" "),
                lods.join(" "),
                e.bytes.to_string(),
                e.path.clone(),
            ];
            out += &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(",");
            out.push('\n');
        }
        out
    }
}

/// A CSV cell: quoted when it holds a separator or quote, and prefixed with `'` when a
/// spreadsheet would run it as a formula (a title starting with `=` must stay a title).
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The JSON-LD context, inline so the documents stand alone (a processor needs no network to
/// read them): schema.org's vocabulary, and the terms that hold URLs marked as such.
fn context() -> Value {
    json!({
        "@vocab": "https://schema.org/",
        "url": {"@type": "@id"},
        "contentUrl": {"@type": "@id"},
        "thumbnailUrl": {"@type": "@id"},
        "license": {"@type": "@id"},
    })
}

fn lang_values(texts: &std::collections::BTreeMap<String, String>) -> Value {
    Value::Array(
        texts
            .iter()
            .map(|(lang, text)| json!({"@value": text, "@language": lang}))
            .collect(),
    )
}

/// An SPDX id as the licence's URL where it has one, so open-data harvesters recognise it.
fn license_url(spdx: &str) -> String {
    match spdx {
        "CC0-1.0" => "https://creativecommons.org/publicdomain/zero/1.0/".into(),
        s if s.starts_with("CC-BY") => {
            let rest = s.trim_start_matches("CC-").to_ascii_lowercase();
            let (kind, version) = rest.rsplit_once('-').unwrap_or((&rest, "4.0"));
            format!("https://creativecommons.org/licenses/{kind}/{version}/")
        }
        "all-rights-reserved" => "https://schema.org/AllRightsReserved".into(),
        other => format!("https://spdx.org/licenses/{other}.html"),
    }
}

/// One exhibit as schema.org: the digital copy (a 3DModel, a CreativeWork) about the heritage
/// it shows, located at a Place (a LandmarksOrHistoricalBuildings for monuments) with its
/// GeoCoordinates.
fn record(e: &CatalogEntry, base: &str) -> Value {
    let place_type = if e.kind == "monument" {
        "LandmarksOrHistoricalBuildings"
    } else {
        "Place"
    };
    let mut place = json!({ "@type": place_type });
    let locality: Vec<&str> = [e.commune.as_deref(), e.province.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !locality.is_empty() {
        place["name"] = json!(locality.join(", "));
        let mut address = json!({"@type": "PostalAddress", "addressCountry": "VN"});
        if let Some(commune) = &e.commune {
            address["addressLocality"] = json!(commune);
        }
        if let Some(province) = &e.province {
            address["addressRegion"] = json!(province);
        }
        if let Some(street) = &e.address {
            address["streetAddress"] = json!(street);
        }
        place["address"] = address;
    }
    if let Some(district) = &e.former_district {
        place["alternateName"] = json!(district);
    }
    if let Some([lat, lon]) = e.wgs84 {
        place["geo"] = json!({"@type": "GeoCoordinates", "latitude": lat, "longitude": lon});
    }
    let r = json!({
        "@type": if e.lods.is_empty() { "CreativeWork" } else { "3DModel" },
        "@id": format!("{base}records/{}.jsonld", e.id),
        "identifier": e.id,
        "name": lang_values(&e.title),
        "url": resolve_url(base, &format!("{}/", e.path)),
        "license": license_url(&e.license),
        "creator": {"@type": "Organization", "name": e.holder},
        "copyrightHolder": {"@type": "Organization", "name": e.holder},
        "inLanguage": e.languages,
        "contentLocation": place,
        "genre": e.kind,
        "keywords": [e.kind.as_str(), e.rank.as_str()],
        "contentSize": e.bytes.to_string(),
        "encoding": e.lods.iter().map(|l| json!({
            "@type": "MediaObject",
            "name": l.quality,
            "encodingFormat": "model/gltf-binary",
            "contentSize": l.bytes.to_string(),
            "contentUrl": resolve_url(base, &format!("{}/{}", e.path, l.src)),
        })).collect::<Vec<_>>(),
    });
    r
}

/// `relative` (with `/`, perhaps `../`) resolved against `base`, a URL ending in `/`, as a
/// browser would: "https://p/cat/" and "../exhibits/x/" give "https://p/exhibits/x/".
pub fn resolve_url(base: &str, relative: &str) -> String {
    if base.is_empty() {
        // No published URL given: relative references, which a processor resolves itself.
        return relative.to_owned();
    }
    let (origin, path) = match base.find("://").map(|i| i + 3) {
        Some(start) => {
            let slash = base[start..].find('/').map_or(base.len(), |i| start + i);
            (&base[..slash], &base[slash..])
        }
        None => ("", base),
    };
    let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    for segment in relative.split('/') {
        match segment {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    let trailing = if relative.ends_with('/') || relative.is_empty() {
        "/"
    } else {
        ""
    };
    let joined = parts.join("/");
    if joined.is_empty() {
        format!("{origin}/")
    } else {
        format!("{origin}/{joined}{trailing}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_urls_resolve_like_a_browser() {
        assert_eq!(
            resolve_url("https://p.vn/cat/", "dinh/"),
            "https://p.vn/cat/dinh/"
        );
        assert_eq!(
            resolve_url("https://p.vn/cat/", "../exhibits/dinh/models/a.glb"),
            "https://p.vn/exhibits/dinh/models/a.glb"
        );
        assert_eq!(resolve_url("", "dinh/"), "dinh/");
    }

    #[test]
    fn licences_become_urls_harvesters_know() {
        assert_eq!(
            license_url("CC-BY-4.0"),
            "https://creativecommons.org/licenses/by/4.0/"
        );
        assert_eq!(
            license_url("CC-BY-NC-SA-4.0"),
            "https://creativecommons.org/licenses/by-nc-sa/4.0/"
        );
        assert_eq!(
            license_url("CC0-1.0"),
            "https://creativecommons.org/publicdomain/zero/1.0/"
        );
        assert_eq!(license_url("MIT"), "https://spdx.org/licenses/MIT.html");
    }

    #[test]
    fn csv_cells_never_run_as_formulas() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-12.5"), "-12.5");
        assert_eq!(
            csv_cell("Đình Hàng Kênh, Lê Chân"),
            "\"Đình Hàng Kênh, Lê Chân\""
        );
    }
}
