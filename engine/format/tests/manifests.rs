//! Manifest reading against real files: a corpus of broken manifests, each stating the
//! problems it must produce (`# expect: LINE:COL FIELD | MESSAGE PART`), and valid manifests.

use std::path::{Path, PathBuf};

use disan_format::{
    Severity, StopDuration, StopTarget, open_catalogue, open_package, parse_manifest,
};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken")
}

struct Expectation {
    line: usize,
    column: usize,
    field: String,
    message_part: String,
}

fn expectations(source: &str) -> Vec<Expectation> {
    source
        .lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|e| {
            let (place, message_part) = e.split_once(" | ").expect("expect line has ` | `");
            let (at, field) = place.split_once(' ').unwrap_or((place, ""));
            let (line, column) = at.split_once(':').expect("LINE:COL");
            Expectation {
                line: line.parse().unwrap(),
                column: column.parse().unwrap(),
                field: field.to_owned(),
                message_part: message_part.to_owned(),
            }
        })
        .collect()
}

#[test]
fn every_broken_manifest_reports_its_located_problems() {
    let mut files: Vec<_> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 15,
        "the corpus should hold at least 15 broken manifests"
    );
    let mut failures = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        let expected = expectations(&source);
        assert!(
            !expected.is_empty(),
            "{} states no expectation",
            file.display()
        );
        let (manifest, problems) = parse_manifest(file, &source);
        assert!(manifest.is_none(), "{} should not parse", file.display());
        let problems = problems.into_sorted();
        for e in &expected {
            let found = problems.iter().any(|p| {
                p.severity == Severity::Error
                    && p.file == *file
                    && p.at
                        .is_some_and(|at| at.line == e.line && at.column == e.column)
                    && p.field == e.field
                    && p.message.contains(&e.message_part)
            });
            if !found {
                failures.push(format!(
                    "{}: expected {}:{} `{}` containing {:?}; got:\n{}",
                    file.file_name().unwrap().to_string_lossy(),
                    e.line,
                    e.column,
                    e.field,
                    e.message_part,
                    problems
                        .iter()
                        .map(|p| format!("    {p}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn problems_print_file_line_column_field_and_advice() {
    let file = corpus_dir().join("02-unknown-top-field.toml");
    let source = std::fs::read_to_string(&file).unwrap();
    let (_, problems) = parse_manifest(&file, &source);
    let text = problems.into_sorted()[0].to_string();
    assert!(
        text.starts_with(&format!(
            "{}:3:1: error: `titel`: unknown field",
            file.display()
        )),
        "{text}"
    );
}

const VALID: &str = r#"
format = 1
id = "trong-dong"
kind = "artifact"
rank = "national-treasure"
title = { vi = "Trống đồng", en = "Bronze drum" }
summary = { vi = "Tóm tắt.", en = "Summary." }

[[models]]
id = "main"
src = "models/drum.glb"

[[hotspots]]
id = "star"
position = [0, 0.45, 0]
normal = [0, 2, 0]
title = { vi = "Ngôi sao", en = "Star" }
body = { vi = "Mười bốn cánh." }

[[views]]
id = "overview"
title = { vi = "Toàn cảnh", en = "Overview" }
eye = [0.0, 1.0, 2.0]
target = [0.0, 0.3, 0.0]

[[tours]]
id = "main"
title = { vi = "Tham quan", en = "Tour" }
[[tours.stops]]
view = "overview"
duration = 5
[[tours.stops]]
hotspot = "star"
narration = { vi = "audio/star.vi.ogg", en = "audio/star.en.ogg" }

[rights]
license = "CC0-1.0"
holder = "Disan"
attribution = { vi = "Disan", en = "Disan" }

[provenance]
method = "procedural"
captured = "2026-11"
"#;

/// A stop's duration is read as an f32 by the viewer: a number too small to be seen (found by
/// the property test: 6.47e-309 is positive as f64 and 0 as f32) is refused, located.
#[test]
fn a_stop_too_short_to_see_is_refused() {
    for (written, accepted) in [
        ("6.472517296959465e-309", false),
        ("0.05", false),
        ("0.1", true),
    ] {
        let source = VALID.replacen("duration = 5", &format!("duration = {written}"), 1);
        assert_ne!(source, VALID);
        let (manifest, problems) = parse_manifest(Path::new("exhibit.toml"), &source);
        assert_eq!(manifest.is_some(), accepted, "{written}");
        if !accepted {
            let problems = problems.into_sorted();
            let p = problems
                .iter()
                .find(|p| p.field.ends_with("duration"))
                .expect("the duration is named");
            assert!(p.message.contains("expected from 0.1 to 3600"), "{p}");
            assert!(p.at.is_some());
        }
    }
}

/// The format grows by tables within version 1: a package with a table this Disan does not know
/// (as an older Disan meets `[[pointclouds]]`) is refused with the table named and the advice to
/// update, located at the table; a typo of a known table still gets its "did you mean".
#[test]
fn a_table_from_a_newer_format_asks_to_update_disan() {
    let source = format!("{VALID}\n[[holograms]]\nsrc = \"holograms/drum.bin\"\n");
    let (manifest, problems) = parse_manifest(Path::new("exhibit.toml"), &source);
    assert!(manifest.is_none());
    let problems = problems.into_sorted();
    let newer = problems
        .iter()
        .find(|p| p.field == "holograms")
        .expect("the unknown table is reported");
    assert!(
        newer
            .message
            .starts_with("unknown table `holograms` at the top level: this Disan (")
            && newer.message.contains("update this one to open it"),
        "{newer}"
    );
    let at = newer.at.expect("located");
    assert_eq!(source.lines().nth(at.line - 1), Some("[[holograms]]"));
    assert!(newer.to_vietnamese().contains("cập nhật Disan"));

    let typo = format!("{VALID}\n[[toures]]\nid = \"x\"\n");
    let (_, problems) = parse_manifest(Path::new("exhibit.toml"), &typo);
    let problems = problems.into_sorted();
    let typo = problems
        .iter()
        .find(|p| p.field == "toures")
        .expect("reported");
    assert!(typo.message.contains("Did you mean `tours`?"), "{typo}");
}

#[test]
fn a_valid_manifest_reads_with_defaults_and_a_translation_warning() {
    let (manifest, problems) = parse_manifest(Path::new("exhibit.toml"), VALID);
    let problems = problems.into_sorted();
    let m = manifest.expect("valid manifest parses");
    assert_eq!(m.id, "trong-dong");
    assert!(!m.navigation.walk, "artifacts do not walk by default");
    assert_eq!(
        m.hotspots[0].normal,
        [0.0, 1.0, 0.0],
        "normals are normalised"
    );
    // The missing English body falls back to Vietnamese, with one warning naming the field.
    assert_eq!(m.hotspots[0].body.text("en"), "Mười bốn cánh.");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].severity, Severity::Warning);
    assert_eq!(problems[0].field, "hotspots[0].body");
    assert!(
        problems[0].message.contains("No English") || problems[0].message.contains("no English")
    );
    assert_eq!(m.tours[0].stops[0].duration, StopDuration::Seconds(5.0));
    assert_eq!(
        m.tours[0].stops[1].duration,
        StopDuration::UntilNarrationEnds
    );
    assert_eq!(
        m.tours[0].stops[1].target,
        StopTarget::Hotspot("star".into())
    );
}

/// A fresh folder under the system temp dir, removed when dropped.
struct TempPackage(PathBuf);
impl TempPackage {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("disan-format-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("models")).unwrap();
        Self(dir)
    }
}
impl Drop for TempPackage {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn missing_files_are_named_with_the_manifest_line() {
    let pkg = TempPackage::new("missing");
    std::fs::write(pkg.0.join("exhibit.toml"), VALID).unwrap();
    std::fs::write(pkg.0.join("models/drum.glb"), b"glTF").unwrap();
    // The two narration files are missing, the model is there: the exhibit opens (narration is
    // optional: it is left out), with a warning naming each missing file at its manifest line.
    let package = open_package(&pkg.0).expect("missing optional files do not stop the exhibit");
    let missing: Vec<_> = package
        .warnings
        .iter()
        .filter(|p| {
            p.message
                .contains("which is not in the package, so it is left out")
        })
        .collect();
    assert_eq!(missing.len(), 2, "{:?}", package.warnings);
    assert!(
        missing[0].message.contains("\"audio/star.vi.ogg\""),
        "{:?}",
        missing
    );
    let at = missing[0].at.expect("located");
    assert!(
        VALID
            .lines()
            .nth(at.line - 1)
            .unwrap()
            .trim_start()
            .starts_with("narration")
    );
    // A missing model is another matter: nothing could be shown.
    std::fs::remove_file(pkg.0.join("models/drum.glb")).unwrap();
    let err = open_package(&pkg.0).unwrap_err();
    assert!(
        err.problems.iter().any(|p| p.blocks_opening()
            && p.message
                .contains("\"models/drum.glb\", which is not in the package")),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_package_is_refused() {
    let pkg = TempPackage::new("symlink");
    let manifest = VALID.replace(
        "narration = { vi = \"audio/star.vi.ogg\", en = \"audio/star.en.ogg\" }",
        "",
    );
    std::fs::write(pkg.0.join("exhibit.toml"), manifest).unwrap();
    let outside = std::env::temp_dir().join(format!("disan-outside-{}.glb", std::process::id()));
    std::fs::write(&outside, b"glTF").unwrap();
    std::os::unix::fs::symlink(&outside, pkg.0.join("models/drum.glb")).unwrap();
    let err = open_package(&pkg.0).unwrap_err();
    let _ = std::fs::remove_file(&outside);
    assert!(
        err.problems
            .iter()
            .any(|p| p.message.contains("leads outside the package")),
        "{err}"
    );
}

#[test]
fn a_catalogue_keeps_broken_packages_as_entries() {
    let cat = TempPackage::new("catalogue");
    let good = cat.0.join("a-good");
    let bad = cat.0.join("b-bad");
    std::fs::create_dir_all(good.join("models")).unwrap();
    std::fs::create_dir_all(&bad).unwrap();
    let manifest = VALID.replace(
        "narration = { vi = \"audio/star.vi.ogg\", en = \"audio/star.en.ogg\" }",
        "",
    );
    std::fs::write(good.join("exhibit.toml"), manifest).unwrap();
    std::fs::write(good.join("models/drum.glb"), b"glTF").unwrap();
    std::fs::write(bad.join("exhibit.toml"), "format = 1\nid = ").unwrap();
    let catalogue = open_catalogue(&cat.0);
    assert_eq!(catalogue.entries.len(), 2);
    assert!(catalogue.entries[0].is_ok());
    let err = catalogue.entries[1].as_ref().unwrap_err();
    assert!(err.to_string().contains("not valid TOML"), "{err}");
}

#[test]
fn the_bundled_sample_exhibits_open_without_problems() {
    let exhibits = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits");
    let catalogue = open_catalogue(&exhibits);
    assert!(
        catalogue.entries.len() >= 3,
        "expected at least three sample exhibits"
    );
    for entry in &catalogue.entries {
        match entry {
            Ok(p) => assert!(
                p.warnings.is_empty(),
                "{}: {:?}",
                p.root.display(),
                p.warnings
            ),
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn the_documented_example_is_a_valid_manifest() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/exhibit-format.md"),
    )
    .unwrap();
    // The block under "A complete example" (the panorama section has its own example).
    let example = doc
        .split("## A complete example")
        .nth(1)
        .and_then(|s| s.split("```toml\n").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("docs/exhibit-format.md has a toml example under \"A complete example\"");
    let (manifest, problems) = parse_manifest(Path::new("docs/exhibit-format.md"), example);
    let problems = problems.into_sorted();
    assert!(problems.is_empty(), "{problems:?}");
    let m = manifest.unwrap();
    assert_eq!(
        m.location.unwrap().former_district.as_deref(),
        Some("Quận Lê Chân")
    );
    assert_eq!(m.tours[0].stops.len(), 2);
    assert_eq!(m.audio[0].position, Some([0.0, 1.5, 9.0]));
}

/// The text of the complete exhibit of docs/exhibit-format.md whose manifest has `table`.
fn documented_example_text(table: &str) -> String {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/exhibit-format.md"),
    )
    .unwrap();
    doc.split("```toml\n")
        .filter_map(|s| s.split("```").next())
        .find(|s| s.contains(table) && s.starts_with("format = 1"))
        .unwrap_or_else(|| panic!("docs/exhibit-format.md has a complete exhibit with {table}"))
        .to_owned()
}

/// The complete exhibit of docs/exhibit-format.md whose manifest has `table` (`what` names it in
/// the failure), parsed without a single problem.
fn documented_exhibit(table: &str, what: &str) -> disan_format::Manifest {
    let example = documented_example_text(table);
    let (manifest, problems) = parse_manifest(Path::new("docs/exhibit-format.md"), &example);
    let problems = problems.into_sorted();
    assert!(problems.is_empty(), "{what}: {problems:?}");
    manifest.unwrap()
}

#[test]
fn the_documented_video_exhibit_is_a_valid_manifest() {
    let m = documented_exhibit("[[videos]]", "video");
    assert!(m.models.is_empty());
    let video = &m.videos[0];
    assert_eq!(video.projection, disan_format::VideoProjection::Flat);
    assert_eq!(video.screen.as_ref().unwrap().width, 4.0);
    assert_eq!(video.chapter_end("ruoc-trau", 24.0), Some(12.0));
    assert!(!video.sound_only);
    let drums = m
        .video("trong-hoi")
        .expect("the recording, among the videos by its id");
    assert!(drums.sound_only && drums.screen.is_none());
    assert_eq!(drums.sound_at, Some([-3.0, 1.0, 1.0]));
    assert_eq!(drums.table(), "recordings");
    let gallery = m.gallery("anh-hoi").expect("the gallery");
    assert_eq!(gallery.photos.len(), 2);
    assert_eq!(gallery.screen.width, 2.0);
    assert!(gallery.photos[1].credit.is_empty(), "a credit is optional");
    assert!(
        m.referenced_files()
            .iter()
            .any(|f| f.as_str() == "photos/ong-trau.jpg"),
        "photos are the package's files"
    );
    assert_eq!(
        m.tours[0].stops[0].target,
        disan_format::StopTarget::Photo {
            gallery: "anh-hoi".into(),
            photo: Some("ruoc-nuoc".into())
        }
    );
    assert_eq!(m.tours[0].stops.len(), 3);
    assert!(matches!(
        m.tours[0].stops[2].duration,
        disan_format::StopDuration::UntilVideoEnds
    ));
}

#[test]
fn the_documented_panorama_exhibit_is_a_valid_manifest() {
    let m = documented_exhibit("[[panoramas]]", "panorama");
    assert!(m.models.is_empty());
    assert!(
        !m.navigation.walk,
        "a panorama exhibit is walked by its links"
    );
    assert_eq!(m.panoramas.len(), 2);
    assert_eq!(m.panoramas[0].links[0].to, "courtyard");
    // The hotspot stands 8 m out along yaw 28°, pitch 14° from the gate's centre (heading 0),
    // facing back to it; the view looks from the courtyard's centre.
    let h = &m.hotspots[0];
    let d = [h.position[0], h.position[1] - 1.6, h.position[2]];
    let (yaw, pitch) = disan_format::panorama::yaw_pitch(d.map(f64::from));
    assert!(
        (yaw - 28.0).abs() < 1e-3 && (pitch - 14.0).abs() < 1e-3,
        "{yaw} {pitch}"
    );
    assert!((d.iter().map(|c| c * c).sum::<f32>().sqrt() - 8.0).abs() < 1e-4);
    assert!(
        h.normal
            .iter()
            .zip(d)
            .all(|(n, c)| (n + c / 8.0).abs() < 1e-4)
    );
    assert_eq!(m.view("courtyard-hall").unwrap().eye, [0.0, 1.6, -9.0]);
    assert_eq!(m.tours[0].stops.len(), 2);
}

#[test]
fn broken_captions_are_reported_in_their_own_file() {
    let pkg = TempPackage::new("captions");
    let manifest = VALID.replace(
        "narration = { vi = \"audio/star.vi.ogg\", en = \"audio/star.en.ogg\" }",
        "captions = { vi = \"captions/star.vi.vtt\", en = \"captions/star.en.vtt\" }",
    );
    std::fs::write(pkg.0.join("exhibit.toml"), manifest).unwrap();
    std::fs::write(pkg.0.join("models/drum.glb"), b"glTF").unwrap();
    std::fs::create_dir_all(pkg.0.join("captions")).unwrap();
    std::fs::write(
        pkg.0.join("captions/star.vi.vtt"),
        "WEBVTT\n\n00:00.000 --> 00:02.000\nNgôi sao\n",
    )
    .unwrap();
    std::fs::write(
        pkg.0.join("captions/star.en.vtt"),
        "WEBVTT\n\n00:00.000 -> 00:02.000\nThe star\n",
    )
    .unwrap();
    let (_, problems) = disan_format::check_package(&pkg.0);
    let problems = problems.into_sorted();
    let errors: Vec<_> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{problems:?}");
    let p = errors[0];
    assert!(p.file.ends_with("captions/star.en.vtt"));
    assert_eq!(p.at.map(|a| a.line), Some(3));
    assert!(p.message.contains("timing line"), "{problems:?}");
    // Captions are optional: the viewer opens the exhibit and leaves these out.
    assert!(p.left_out);
    let package = open_package(&pkg.0).expect("broken captions are left out, the exhibit opens");
    assert!(
        package
            .warnings
            .iter()
            .any(|w| w.file.ends_with("captions/star.en.vtt"))
    );
}

#[test]
fn places_in_vietnam_leap_days_and_limits_at_their_edge_are_accepted() {
    let title120: String = "Đình Hàng Kênh ".repeat(8); // 120 characters, 150 bytes
    assert_eq!(title120.chars().count(), 120);
    let manifest = VALID
        .replace(
            "title = { vi = \"Trống đồng\", en = \"Bronze drum\" }",
            &format!("title = {{ vi = \"{title120}\", en = \"Bronze drum\" }}"),
        )
        .replace("captured = \"2026-11\"", "captured = \"2024-02-29\"");
    for location in [
        // Hải Phòng, VN-2000 in the city's 3° zone (central meridian 105°45′).
        "[location]\ncommune = \"Phường Lê Chân\"\nvn2000 = { x = 2306512.3, y = 593061.8, central_meridian = 105.75 }\n",
        // The same place in the 6° UTM zone 48.
        "[location]\ncommune = \"Phường Lê Chân\"\nvn2000 = { x = 2305000.0, y = 675000.0, central_meridian = 105, zone_width = 6 }\n",
        // Song Tử Tây, Trường Sa (WGS84).
        "[location]\ncommune = \"Đặc khu Trường Sa\"\nwgs84 = { lat = 11.4306, lon = 114.3319 }\n",
    ] {
        let source = manifest.replace("[rights]", &format!("{location}\n[rights]"));
        let (m, problems) = parse_manifest(Path::new("exhibit.toml"), &source);
        let errors: Vec<_> = problems
            .into_sorted()
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{location}: {errors:?}");
        assert!(m.unwrap().location.is_some());
    }
}

/// A package whose one stop has narration (a copy of a bundled Ogg Vorbis file, 18.872 s long)
/// and the given captions.
fn package_with_captions(name: &str, captions: &str) -> TempPackage {
    let pkg = TempPackage::new(name);
    let manifest = VALID.replace(
        "narration = { vi = \"audio/star.vi.ogg\", en = \"audio/star.en.ogg\" }",
        "narration = { vi = \"audio/star.vi.ogg\" }\ncaptions = { vi = \"captions/star.vi.vtt\" }",
    );
    std::fs::write(pkg.0.join("exhibit.toml"), manifest).unwrap();
    std::fs::write(pkg.0.join("models/drum.glb"), b"glTF").unwrap();
    std::fs::create_dir_all(pkg.0.join("audio")).unwrap();
    std::fs::create_dir_all(pkg.0.join("captions")).unwrap();
    let narration = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../exhibits/dinh-hang-kenh/audio/main-1.vi.ogg");
    std::fs::copy(narration, pkg.0.join("audio/star.vi.ogg")).unwrap();
    std::fs::write(pkg.0.join("captions/star.vi.vtt"), captions).unwrap();
    pkg
}

#[test]
fn captions_that_run_past_their_narration_are_reported_at_the_last_cue() {
    // The narration lasts 18.872 s: a last cue ending at 19.3 s is within the 0.5 s allowed.
    let pkg = package_with_captions(
        "captions-fit",
        "WEBVTT\n\n00:00.200 --> 00:10.000\nMột\n\n00:10.000 --> 00:19.300\nHai\n",
    );
    let (manifest, problems) = disan_format::check_package(&pkg.0);
    assert!(manifest.is_some());
    assert!(!problems.has_errors(), "{:?}", problems.into_sorted());

    let pkg = package_with_captions(
        "captions-overrun",
        "WEBVTT\n\n00:00.200 --> 00:10.000\nMột\n\n00:10.000 --> 00:25.000\nHai\n\n00:11.000 --> 00:12.000\nBa\n",
    );
    // Measuring every narration is `disan validate`'s job (the viewer does not read every sound
    // of a catalogue when it starts).
    let (_, problems) = disan_format::validate_package(&pkg.0);
    let problems = problems.into_sorted();
    // (The stand-in model, four bytes, is reported too: only the captions matter here.)
    let errors: Vec<_> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error && !p.file.ends_with("drum.glb"))
        .collect();
    assert_eq!(errors.len(), 1, "{problems:?}");
    assert!(
        errors[0].file.ends_with("captions/star.vi.vtt"),
        "{problems:?}"
    );
    assert_eq!(
        errors[0].at.map(|a| a.line),
        Some(6),
        "the cue that ends last: {problems:?}"
    );
    assert!(
        errors[0]
            .message
            .contains("the captions run past the narration"),
        "{problems:?}"
    );
    assert!(
        errors[0].message.contains("25.000 s") && errors[0].message.contains("18.872 s"),
        "{problems:?}"
    );
}

#[test]
fn captions_out_of_time_order_are_reported_at_their_line() {
    let pkg = package_with_captions(
        "captions-order",
        "WEBVTT\n\n00:05.000 --> 00:08.000\nHai\n\n00:00.200 --> 00:05.000\nMột\n",
    );
    let (_, problems) = disan_format::check_package(&pkg.0);
    let problems = problems.into_sorted();
    let p = problems
        .iter()
        .find(|p| p.severity == Severity::Error)
        .unwrap();
    assert!(p.file.ends_with("captions/star.vi.vtt"));
    assert_eq!(p.at.map(|a| a.line), Some(6));
    assert!(
        p.message.contains("cues must be in time order"),
        "{problems:?}"
    );
}

#[test]
fn a_language_is_offered_when_every_text_has_it() {
    let with_fr = |src: &str| {
        src.replace(
            "vi = \"Trống đồng\", en = \"Bronze drum\"",
            "vi = \"Trống đồng\", en = \"Bronze drum\", fr = \"Tambour de bronze\"",
        )
    };
    let (m, _) = parse_manifest(Path::new("exhibit.toml"), VALID);
    assert_eq!(
        m.unwrap().languages(),
        ["vi", "en"],
        "Vietnamese and English always"
    );
    // French in the title only: a visitor would read a mixture, so it is not offered.
    let (m, _) = parse_manifest(Path::new("exhibit.toml"), &with_fr(VALID));
    let m = m.unwrap();
    assert!(m.title.exact("fr").is_some());
    assert_eq!(m.languages(), ["vi", "en"]);
    // In every text: offered.
    let mut all = m.clone();
    for text in [&mut all.summary, &mut all.rights.attribution] {
        text.insert(disan_format::Lang::new("fr"), "fr".into());
    }
    for h in &mut all.hotspots {
        h.title.insert(disan_format::Lang::new("fr"), "fr".into());
        h.body.insert(disan_format::Lang::new("fr"), "fr".into());
    }
    for v in &mut all.views {
        v.title.insert(disan_format::Lang::new("fr"), "fr".into());
    }
    for t in &mut all.tours {
        t.title.insert(disan_format::Lang::new("fr"), "fr".into());
        for s in &mut t.stops {
            if !s.text.is_empty() {
                s.text.insert(disan_format::Lang::new("fr"), "fr".into());
            }
        }
    }
    assert_eq!(all.languages(), ["vi", "en", "fr"]);
}

#[test]
fn the_decree_scan_reads_with_its_regions_and_every_tile_is_signed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits/sac-phong");
    let package = open_package(&root).expect("the sắc phong opens");
    let scan = package.manifest.scan("decree").expect("its scan");
    assert_eq!(scan.src.as_str(), "scans/decree/info.json");
    let regions: Vec<&str> = scan.regions.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(regions, ["opening", "body", "date-and-seal"]);
    assert_eq!(scan.regions[2].transcription.as_deref(), Some("敕命之寶"));
    assert!(scan.panel.is_some_and(|p| (p.width - 1.0).abs() < 1e-6));
    // A signed package lists every tile the info.json lays out, so the viewer checks each.
    let files = disan_format::integrity::package_files(&package.manifest, |p| {
        std::fs::read(root.join(p)).ok()
    });
    let tiles: Vec<&String> = files
        .iter()
        .filter(|f| f.ends_with("default.jpg"))
        .collect();
    assert_eq!(tiles.len(), 11, "{files:#?}");
    assert!(files.contains(&"scans/decree/full/512,256/0/default.jpg".to_owned()));
    assert!(files.iter().all(|f| root.join(f).is_file()), "{files:#?}");
}

/// A recording is a video without picture: its own table, `recording.json`, no screen, and ids
/// shared with the videos (a tour stop names either by id alone).
#[test]
fn a_recording_takes_no_screen_and_shares_the_videos_ids() {
    let base = documented_exhibit("[[recordings]]", "recording");
    assert!(base.videos.iter().any(|v| v.sound_only));
    let example = documented_example_text("[[recordings]]");
    let problems_of = |text: &str| {
        let (_, problems) = parse_manifest(Path::new("exhibit.toml"), text);
        problems.into_sorted()
    };
    // A screen or a projection is a video's: not known in a recording.
    let p = problems_of(&example.replace(
        "position = [-3.0, 1.0, 1.0]",
        "position = [-3.0, 1.0, 1.0]\nprojection = \"360\"",
    ));
    assert!(
        p.iter()
            .any(|p| p.field.starts_with("recordings[0].projection")),
        "{p:?}"
    );
    // A video's description in a recording's table.
    let p = problems_of(&example.replace(
        "recordings/trong-hoi/recording.json",
        "recordings/trong-hoi/video.json",
    ));
    assert!(
        p.iter()
            .any(|p| p.field == "recordings[0].src" && p.message.contains("--as audio")),
        "{p:?}"
    );
    // The same id as the video's.
    let p = problems_of(&example.replace("id = \"trong-hoi\"", "id = \"festival\""));
    assert!(
        p.iter()
            .any(|p| p.field == "recordings[0].id" && p.message.contains("also a video's")),
        "{p:?}"
    );
}

/// A gallery names its photos by id; a stop on a photo that is not there, a photo without a
/// caption or a file that is no photograph are each reported where they are.
#[test]
fn a_gallerys_photos_are_checked_where_they_are_written() {
    let example = documented_example_text("[[galleries]]");
    let problems_of = |text: &str| {
        let (_, problems) = parse_manifest(Path::new("exhibit.toml"), text);
        problems.into_sorted()
    };
    let p = problems_of(&example.replace("photo = \"ruoc-nuoc\"", "photo = \"ruoc-nuoc-2\""));
    assert!(
        p.iter()
            .any(|p| p.field.starts_with("tours[0].stops[0]") && p.message.contains("ruoc-nuoc")),
        "{p:?}"
    );
    let p = problems_of(&example.replace(
        "src = \"photos/ong-trau.jpg\"",
        "src = \"photos/ong-trau.tif\"",
    ));
    assert!(
        p.iter().any(|p| p.field == "galleries[0].photos[1].src"),
        "{p:?}"
    );
    let p = problems_of(&example.replace(
        "caption = { vi = \"Ông trâu được che lọng vào sới.\", en = \"A buffalo is led into the ring under a parasol.\" }",
        "",
    ));
    assert!(
        p.iter()
            .any(|p| p.field == "galleries[0].photos[1].caption"),
        "{p:?}"
    );
    let p = problems_of(&example.replace("id = \"ong-trau\"", "id = \"ruoc-nuoc\""));
    assert!(
        p.iter()
            .any(|p| p.message.contains("used twice in this gallery")),
        "{p:?}"
    );
}
