//! The manifest `disan pack` writes: everything the scan tells (ids, levels, the measured bounds,
//! provenance from the file), and every text staff must write marked with
//! [`disan_format::FILL_IN_VI`] / [`disan_format::FILL_IN_EN`], which `disan validate` warns
//! about until it is replaced. It validates with warnings only, so the viewer opens it at once.

use std::fmt::Write;
use std::path::Path;

use disan_format::{FILL_IN_EN, FILL_IN_VI};

use crate::PackReport;
use crate::input::Scan;

/// An exhibit id from a file name: lowercase ASCII letters, digits and `-` (Vietnamese letters
/// lose their diacritics: "Đình Kênh.obj" → "dinh-kenh").
pub fn id_from_file_name(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("scan");
    let id = disan_format::slug(stem);
    if id.is_empty() { "scan".to_owned() } else { id }
}

fn toml_str(s: &str) -> String {
    toml_string(s)
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn fill(vi: &str, en: &str) -> String {
    format!(
        "{{ vi = {}, en = {} }}",
        toml_str(&format!("{FILL_IN_VI} {vi}")),
        toml_str(&format!("{FILL_IN_EN} {en}"))
    )
}

fn vec3(v: [f32; 3]) -> String {
    format!("[{}, {}, {}]", round(v[0]), round(v[1]), round(v[2]))
}

/// Millimetre precision is what a bounding box needs; it keeps the manifest readable.
fn round(v: f32) -> String {
    let r = (f64::from(v) * 1000.0).round() / 1000.0;
    if r == 0.0 {
        "0.0".to_owned()
    } else {
        format!("{r:?}")
    }
}

/// Which capture the file's own words point at.
fn method(scan: &Scan) -> (&'static str, bool) {
    let g = scan.generator.as_deref().unwrap_or("").to_ascii_lowercase();
    if [
        "faro", "leica", "riegl", "trimble", "z+f", "cyclone", "scene", "laser",
    ]
    .iter()
    .any(|k| g.contains(k))
    {
        ("laser-scan", true)
    } else if ["artec", "einscan", "shining", "structured"]
        .iter()
        .any(|k| g.contains(k))
    {
        ("structured-light", true)
    } else if [
        "metashape",
        "photoscan",
        "realitycapture",
        "reality capture",
        "meshroom",
        "pix4d",
        "context",
    ]
    .iter()
    .any(|k| g.contains(k))
    {
        ("photogrammetry", true)
    } else {
        ("photogrammetry", false)
    }
}

pub fn manifest(report: &PackReport, scan: &Scan) -> String {
    let size = report.normalisation.size_m;
    let largest = size.iter().copied().fold(0.0, f64::max);
    // Walk-through is for buildings and sites; a scan bigger than a room is most likely one.
    let (kind, why) = if report.document.is_some() {
        ("document", String::new())
    } else if largest > 8.0 {
        (
            "monument",
            format!(" (guessed from the size: {largest:.2} m)"),
        )
    } else {
        (
            "artifact",
            format!(" (guessed from the size: {largest:.2} m)"),
        )
    };
    let mut s = String::new();
    write_head(&mut s, report, kind, &why);
    let o = report.normalisation.source_origin;
    if o.iter().any(|c| c.abs() > 10_000.0) {
        let _ = writeln!(
            s,
            "# The scan's origin in its own coordinates was {:.3}, {:.3}, {:.3} (easting, northing, height?).",
            o[0], o[1], o[2]
        );
    }
    write_location(&mut s);
    s.push_str(&models_table(report));
    let _ = writeln!(s);
    if let Some(document) = &report.document {
        s.push_str(&crate::document::scans_table(&report.id, document));
        let _ = writeln!(s);
    }
    write_rights(&mut s, scan.copyright.as_deref());
    let (method, from_file) = if report.document.is_some() {
        ("2d-scan", true)
    } else {
        method(scan)
    };
    write_provenance(&mut s, method, from_file, scan.generator.as_deref());
    s
}

/// The manifest for 360° panoramas: the scenes and their links, no model.
pub fn panorama_manifest(report: &PackReport) -> String {
    let mut s = String::new();
    write_head(&mut s, report, "monument", "");
    write_location(&mut s);
    s.push_str(&crate::panorama::panoramas_tables(&report.panoramas));
    write_rights(&mut s, None);
    write_provenance(&mut s, "360-photo", true, None);
    s
}

pub fn pointcloud_manifest(report: &PackReport, made_by: Option<&str>) -> String {
    let mut s = String::new();
    write_head(&mut s, report, "monument", "");
    write_location(&mut s);
    if let Some(cloud) = &report.pointcloud {
        s.push_str(&crate::pointcloud::pointcloud_table(&report.id, cloud));
    }
    write_rights(&mut s, None);
    write_provenance(&mut s, "laser-scan", true, made_by);
    s
}

/// An intangible-heritage exhibit around one recording: a flat video on a screen 4 m wide at
/// eye height (move it to where the performance took place), or a 360° video around the visitor.
pub fn video_manifest(report: &PackReport) -> String {
    let mut s = String::new();
    write_head(
        &mut s,
        report,
        "intangible",
        " (a recording of a festival or performance is intangible heritage)",
    );
    write_location(&mut s);
    if let Some(video) = &report.video {
        let _ = writeln!(s, "[[videos]]");
        let _ = writeln!(s, "id = {}", toml_str(&report.id));
        let _ = writeln!(s, "src = {}", toml_str(&video.src));
        let _ = writeln!(
            s,
            "title = {}",
            fill("tên buổi diễn hoặc lễ hội", "the performance or festival")
        );
        let _ = writeln!(
            s,
            "# {:.1} s at {} frames a second; {} renditions.",
            video.duration_s,
            round(video.fps as f32),
            video.renditions.len()
        );
        if video.is_360 {
            let _ = writeln!(
                s,
                "# 2:1, so a 360° video around the visitor; \"360-stereo\" if it is top-bottom stereo."
            );
            let _ = writeln!(s, "projection = \"360\"");
        } else {
            let _ = writeln!(s, "projection = \"flat\"");
        }
        let _ = writeln!(
            s,
            "# Captions per language (WebVTT), a transcript, and chapters a tour can stop on:"
        );
        let _ = writeln!(
            s,
            "# captions = {{ vi = \"captions/video.vi.vtt\", en = \"captions/video.en.vtt\" }}"
        );
        let _ = writeln!(s, "# [[videos.chapters]]");
        let _ = writeln!(s, "# id = \"opening\"");
        let _ = writeln!(s, "# start = 0.0");
        let _ = writeln!(s, "# title = {{ vi = \"Mở đầu\", en = \"Opening\" }}");
        if !video.is_360 {
            let _ = writeln!(
                s,
                "# Where the video is shown: 4 m wide, facing the visitor (+Z), at eye height."
            );
            let _ = writeln!(s, "[videos.screen]");
            let _ = writeln!(s, "centre = [0.0, 1.6, 0.0]");
            let _ = writeln!(s, "normal = [0.0, 0.0, 1.0]");
            let _ = writeln!(s, "width = 4.0");
        }
        let _ = writeln!(s);
    }
    write_rights(&mut s, None);
    let method = if report.video.as_ref().is_some_and(|v| v.is_360) {
        "360-video"
    } else {
        "video"
    };
    write_provenance(&mut s, method, true, None);
    s
}

/// The manifest of a sound recording: an intangible-heritage exhibit that plays it around the
/// visitor, with the fields staff fill in (and a `position` to place it, commented out).
pub fn recording_manifest(report: &PackReport) -> String {
    let mut s = String::new();
    write_head(
        &mut s,
        report,
        "intangible",
        " (a recording of a song, a story or a festival's music is intangible heritage)",
    );
    write_location(&mut s);
    if let Some(sound) = &report.video {
        let _ = writeln!(s, "[[recordings]]");
        let _ = writeln!(s, "id = {}", toml_str(&report.id));
        let _ = writeln!(s, "src = {}", toml_str(&sound.src));
        let _ = writeln!(
            s,
            "title = {}",
            fill(
                "tên bài hát, câu chuyện hoặc bản nhạc",
                "the song, story or music"
            )
        );
        let _ = writeln!(
            s,
            "# {:.1} s; {} renditions.",
            sound.duration_s,
            sound.renditions.len()
        );
        let _ = writeln!(
            s,
            "# Where it sounds from, in metres (without it: around the visitor):"
        );
        let _ = writeln!(s, "# position = [0.0, 1.5, 0.0]");
        let _ = writeln!(
            s,
            "# Captions per language (WebVTT), a transcript, and chapters a tour can stop on:"
        );
        let _ = writeln!(
            s,
            "# captions = {{ vi = \"captions/recording.vi.vtt\", en = \"captions/recording.en.vtt\" }}"
        );
        let _ = writeln!(s, "# [[recordings.chapters]]");
        let _ = writeln!(s, "# id = \"opening\"");
        let _ = writeln!(s, "# start = 0.0");
        let _ = writeln!(s, "# title = {{ vi = \"Mở đầu\", en = \"Opening\" }}");
        let _ = writeln!(s);
    }
    write_rights(&mut s, None);
    write_provenance(&mut s, "audio", true, None);
    s
}

/// Where it came from, how to fill it in, and the identity, kind, rank, title and summary.
fn write_head(s: &mut String, report: &PackReport, kind: &str, kind_why: &str) {
    let _ = writeln!(
        s,
        "# Written by `disan pack` from {} ({}).",
        report
            .input
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("the scan"),
        report.source_format
    );
    let _ = writeln!(
        s,
        "# Every text marked \"{FILL_IN_VI}\" / \"{FILL_IN_EN}\" is for you to write: `disan validate` lists the ones left."
    );
    let _ = writeln!(
        s,
        "# The format: docs/exhibit-format.md; the steps from scan to exhibit: docs/pipeline.md."
    );
    let _ = writeln!(s, "format = 1");
    let _ = writeln!(s, "id = {}", toml_str(&report.id));
    let _ = writeln!(s, "# monument, artifact, intangible or document{kind_why}.");
    let _ = writeln!(s, "kind = \"{kind}\"");
    let _ = writeln!(
        s,
        "# special-national, national, city, unesco, national-treasure or inventory."
    );
    let _ = writeln!(s, "rank = \"inventory\"");
    let _ = writeln!(
        s,
        "title = {}",
        fill(
            "tên di tích hoặc hiện vật",
            "the name of the relic or object"
        )
    );
    let _ = writeln!(
        s,
        "summary = {}",
        fill(
            "vài câu giới thiệu cho khách tham quan",
            "a few sentences for visitors"
        )
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "# Where the heritage is; add `[location.wgs84]` or `[location.vn2000]` from the survey."
    );
}

fn write_location(s: &mut String) {
    let _ = writeln!(s, "[location]");
    let _ = writeln!(
        s,
        "commune = {}",
        toml_str(&format!("{FILL_IN_VI} xã/phường"))
    );
    let _ = writeln!(s, "province = \"Hải Phòng\"");
    let _ = writeln!(s);
}

fn write_rights(s: &mut String, copyright: Option<&str>) {
    let _ = writeln!(s, "[rights]");
    let _ = writeln!(
        s,
        "# An SPDX id (CC-BY-4.0, CC0-1.0, ...) or \"all-rights-reserved\" until the holder decides."
    );
    let _ = writeln!(s, "license = \"all-rights-reserved\"");
    let holder = copyright.map_or_else(
        || format!("{FILL_IN_VI} đơn vị giữ bản quyền"),
        str::to_owned,
    );
    let _ = writeln!(s, "holder = {}", toml_str(&holder));
    let _ = writeln!(
        s,
        "attribution = {}",
        fill(
            "ghi công (đơn vị số hóa, năm)",
            "credit line (who digitized it, year)"
        )
    );
    let _ = writeln!(s);
}

fn write_provenance(s: &mut String, method: &str, from_file: bool, generator: Option<&str>) {
    let _ = writeln!(s, "[provenance]");
    if !from_file {
        let _ = writeln!(
            s,
            "# Guessed: photogrammetry, laser-scan or structured-light."
        );
    }
    let _ = writeln!(s, "method = \"{method}\"");
    if let Some(generator) = generator {
        let _ = writeln!(s, "# From the file: {}", generator.replace('\n', " "));
        let _ = writeln!(s, "device = {}", toml_str(generator));
    }
    let _ = writeln!(
        s,
        "by = {}",
        toml_str(&format!("{FILL_IN_VI} người hoặc đơn vị thực hiện"))
    );
    let _ = writeln!(s, "# captured = \"YYYY-MM-DD\"");
}

fn format_error(e: f32) -> String {
    let r = (f64::from(e) * 1e6).round() / 1e6;
    if r == 0.0 {
        "0.0".to_owned()
    } else {
        format!("{r:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_file_names_without_diacritics() {
        assert_eq!(
            id_from_file_name(Path::new("/scans/Đình Hàng Kênh (2024).obj")),
            "dinh-hang-kenh-2024"
        );
        assert_eq!(id_from_file_name(Path::new("___.ply")), "scan");
    }

    #[test]
    fn strings_are_escaped_for_toml() {
        assert_eq!(toml_string("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
    }
}

/// The manifest's `[[models]]` table for what was packed: the full level as `src`, the measured
/// bounds, and every level with its triangles, bytes and error. `cargo xtask samples` copies it
/// from a fresh skeleton into the samples' hand-written manifests.
pub fn models_table(report: &PackReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "[[models]]");
    let _ = writeln!(s, "id = \"main\"");
    let full = report.levels.last().expect("at least one level");
    let _ = writeln!(s, "src = {}", toml_str(&full.src));
    let _ = writeln!(
        s,
        "# The box disan pack measured, in metres: the viewer frames the exhibit from it at once."
    );
    let _ = writeln!(s, "bounds_min = {}", vec3(report.bounds_min));
    let _ = writeln!(s, "bounds_max = {}", vec3(report.bounds_max));
    for level in &report.levels {
        let _ = writeln!(s);
        let _ = writeln!(s, "[[models.lods]]");
        let _ = writeln!(s, "quality = \"{}\"", level.quality);
        let _ = writeln!(s, "src = {}", toml_str(&level.src));
        let _ = writeln!(s, "triangles = {}", level.triangles);
        let _ = writeln!(s, "bytes = {}", level.bytes);
        let _ = writeln!(s, "error = {}", format_error(level.error_m));
        if !level.gpu_textures.is_empty() {
            let _ = writeln!(
                s,
                "# The same level with its textures in a GPU's own format: a device that samples one loads it."
            );
            let _ = writeln!(s, "gpu_textures = [");
            for copy in &level.gpu_textures {
                let _ = writeln!(
                    s,
                    "  {{ format = \"{}\", src = {}, bytes = {} }},",
                    copy.format,
                    toml_str(&copy.src),
                    copy.bytes
                );
            }
            let _ = writeln!(s, "]");
        }
    }
    s
}
