//! Property tests: the bundled manifests, mutated (lines deleted, duplicated and swapped,
//! characters replaced by any Unicode, values replaced by huge numbers, random strings, arrays
//! and tables, the text cut anywhere), never make the reader or the package check panic; and
//! whatever they accept holds only finite 32-bit numbers, paths that pass
//! `check_package_path`, texts within their limits and places in Vietnam. Captions and sound
//! files are fuzzed with arbitrary bytes too.
//!
//! 256 cases a property by default (a few seconds); `PROPTEST_CASES=10000` runs more.

use std::path::{Path, PathBuf};

use disan_format::parse::{
    MAX_ATTRIBUTION_CHARS, MAX_BODY_CHARS, MAX_STOP_TEXT_CHARS, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS,
    VIETNAM_LAT, VIETNAM_LON, VN2000_TM3_MERIDIANS, VN2000_UTM_MERIDIANS,
};
use disan_format::{
    GeoPosition, LocalizedText, MANIFEST_FILE, Manifest, StopDuration, audio_duration,
    check_package, check_package_path, parse_manifest, parse_vtt,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;

const EXHIBITS: [&str; 3] = ["dinh-hang-kenh", "trong-dong", "sac-phong"];

fn exhibits_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits")
}

fn bundled_manifest(exhibit: &str) -> String {
    std::fs::read_to_string(exhibits_dir().join(exhibit).join(MANIFEST_FILE)).unwrap()
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    // No regression files written into the source tree: a failure prints its minimal input.
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Copies of the bundled packages in a temporary folder, one per test, removed when dropped.
struct PackageCopies(PathBuf);

impl PackageCopies {
    fn new(test: &str) -> Self {
        let root = std::env::temp_dir().join(format!("disan-fuzz-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for exhibit in EXHIBITS {
            copy_dir(&exhibits_dir().join(exhibit), &root.join(exhibit));
        }
        Self(root)
    }
}

impl Drop for PackageCopies {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

// ----- mutations -----

/// Numbers the viewer cannot hold in 32 bits (or at all).
const OVERSIZED: [&str; 10] = [
    "1e39",
    "-1e39",
    "1e400",
    "-1e400",
    "3.4028236e38",
    "-3.5e38",
    "nan",
    "+inf",
    "-inf",
    "99999999999999999999",
];

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c) & 0xFFFF)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(OVERSIZED.to_vec()).prop_map(str::to_owned),
        prop::sample::select(vec![
            "3.4028235e38",
            "1e-400",
            "-0.0",
            "0",
            "0x7fffffffffffffff",
            "1_000",
            "4",
            "105.75",
            "20.8463",
            "6.0",
            "23.6"
        ])
        .prop_map(str::to_owned),
        any::<f64>().prop_map(|f| format!("{f:e}")),
        any::<i64>().prop_map(|i| i.to_string()),
    ]
}

fn value_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        number_text(),
        any::<String>().prop_map(|s| toml_string(&s)),
        "[a-z#?/ .\t%]{0,16}".prop_map(|s| toml_string(&s)),
        prop::sample::select(vec![
            "true",
            "\"2023-02-29\"",
            "\"2024-02-29\"",
            "\"2026-13-01\"",
            "1979-05-27T07:32:00Z",
            "\"\"",
            "\"   \"",
            "{}",
            "[]",
            "\"models/a#b.glb\"",
            "\"audio/x?.ogg\"",
            "\"../x.glb\"",
            "\"narration\"",
            "{ vi = \"\" }",
        ])
        .prop_map(str::to_owned),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(("[a-z]{1,6}", inner), 0..4).prop_map(|kv| format!(
                "{{ {} }}",
                kv.iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        ]
    })
}

#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    ReplaceChar(Index, char),
    InsertText(Index, String),
    ReplaceValue(Index, String),
    ReplaceNumber(Index, String),
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::DeleteLine),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<Index>(), any::<char>()).prop_map(|(i, c)| Mutation::ReplaceChar(i, c)),
        (
            any::<Index>(),
            prop_oneof![any::<String>(), "[\\[\\]{}=,\"#\n ]{1,4}"]
        )
            .prop_map(|(i, s)| Mutation::InsertText(i, s)),
        (any::<Index>(), value_text()).prop_map(|(i, v)| Mutation::ReplaceValue(i, v)),
        (any::<Index>(), number_text()).prop_map(|(i, v)| Mutation::ReplaceNumber(i, v)),
        any::<Index>().prop_map(Mutation::Truncate),
    ]
}

/// Byte ranges of the numbers written as values: outside strings and comments.
fn number_spans(source: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut line_start = 0;
    for line in source.split_inclusive('\n') {
        let bytes = line.as_bytes();
        let (mut in_string, mut i) = (false, 0);
        while i < bytes.len() {
            let b = bytes[i];
            if in_string {
                if b == b'\\' {
                    i += 1;
                } else if b == b'"' {
                    in_string = false;
                }
                i += 1;
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'#' => break,
                b'0'..=b'9'
                    if i == 0
                        || matches!(bytes[i - 1], b' ' | b'[' | b',' | b'=' | b'-' | b'+') =>
                {
                    let start = i;
                    while i < bytes.len()
                        && (bytes[i].is_ascii_digit()
                            || matches!(bytes[i], b'.' | b'e' | b'E' | b'_'))
                    {
                        i += 1;
                    }
                    spans.push(line_start + start..line_start + i);
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        line_start += line.len();
    }
    spans
}

fn apply(source: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<String> = source.split('\n').map(str::to_owned).collect();
    match mutation {
        Mutation::DeleteLine(i) => {
            lines.remove(i.index(lines.len()));
        }
        Mutation::DuplicateLine(i) => {
            let i = i.index(lines.len());
            lines.insert(i, lines[i].clone());
        }
        Mutation::SwapLines(a, b) => {
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
        }
        Mutation::ReplaceChar(i, c) => {
            let mut chars: Vec<char> = source.chars().collect();
            if !chars.is_empty() {
                let i = i.index(chars.len());
                chars[i] = *c;
            }
            return chars.into_iter().collect();
        }
        Mutation::InsertText(i, text) => {
            let at = source
                .char_indices()
                .map(|(b, _)| b)
                .chain([source.len()])
                .nth(i.index(source.chars().count() + 1))
                .unwrap_or(0);
            return format!("{}{text}{}", &source[..at], &source[at..]);
        }
        Mutation::ReplaceValue(i, value) => {
            let with_values: Vec<usize> = (0..lines.len())
                .filter(|&n| lines[n].contains('='))
                .collect();
            if !with_values.is_empty() {
                let n = with_values[i.index(with_values.len())];
                let key_end = lines[n].find('=').unwrap();
                lines[n] = format!("{}= {value}", &lines[n][..key_end]);
            }
        }
        Mutation::ReplaceNumber(i, number) => {
            let spans = number_spans(source);
            if spans.is_empty() {
                return source.to_owned();
            }
            let span = &spans[i.index(spans.len())];
            return format!("{}{number}{}", &source[..span.start], &source[span.end..]);
        }
        Mutation::Truncate(i) => {
            let at = source
                .char_indices()
                .map(|(b, _)| b)
                .chain([source.len()])
                .nth(i.index(source.chars().count() + 1))
                .unwrap_or(0);
            return source[..at].to_owned();
        }
    }
    lines.join("\n")
}

// ----- what an accepted manifest guarantees -----

fn assert_texts_within(text: &LocalizedText, max: usize, what: &str) {
    for (lang, s) in text.iter() {
        assert!(
            s.chars().count() <= max,
            "{what}.{lang}: {} characters",
            s.chars().count()
        );
        assert!(!s.trim().is_empty(), "{what}.{lang} is empty");
    }
}

fn assert_sound(m: &Manifest) {
    let finite = |x: f32, what: &str| assert!(x.is_finite(), "{what} = {x}");
    let finite3 = |v: [f32; 3], what: &str| v.iter().for_each(|x| finite(*x, what));
    finite(m.navigation.eye_height, "navigation.eye_height");
    finite(m.navigation.ground, "navigation.ground");
    for model in &m.models {
        finite3(model.position, "models.position");
        finite3(model.rotation_deg, "models.rotation_deg");
        finite(model.scale, "models.scale");
    }
    for a in &m.audio {
        if let Some(p) = a.position {
            finite3(p, "audio.position");
        }
        for (x, what) in [
            (a.volume, "volume"),
            (a.ref_distance, "ref_distance"),
            (a.max_distance, "max_distance"),
            (a.rolloff, "rolloff"),
        ] {
            finite(x, what);
        }
        if let Some(c) = &a.cone {
            finite3(c.direction, "cone.direction");
            finite(c.inner_deg, "cone.inner_deg");
            finite(c.outer_deg, "cone.outer_deg");
            finite(c.outer_gain, "cone.outer_gain");
        }
    }
    for h in &m.hotspots {
        finite3(h.position, "hotspots.position");
        finite3(h.normal, "hotspots.normal");
        let length = h.normal.iter().map(|c| c * c).sum::<f32>().sqrt();
        assert!(
            (length - 1.0).abs() < 1e-3,
            "hotspot normal {:?} is not a unit vector",
            h.normal
        );
        assert_texts_within(&h.title, MAX_TITLE_CHARS, "hotspots.title");
        assert_texts_within(&h.body, MAX_BODY_CHARS, "hotspots.body");
    }
    for v in &m.views {
        finite3(v.eye, "views.eye");
        finite3(v.target, "views.target");
        finite(v.fov_deg, "views.fov_deg");
        assert_texts_within(&v.title, MAX_TITLE_CHARS, "views.title");
    }
    for t in &m.tours {
        assert_texts_within(&t.title, MAX_TITLE_CHARS, "tours.title");
        for s in &t.stops {
            if let StopDuration::Seconds(d) = s.duration {
                assert!(d.is_finite() && d > 0.0, "stop duration {d}");
            }
            assert_texts_within(&s.text, MAX_STOP_TEXT_CHARS, "stops.text");
        }
    }
    assert!(!m.title.is_empty(), "an accepted manifest has a title");
    assert_texts_within(&m.title, MAX_TITLE_CHARS, "title");
    assert_texts_within(&m.summary, MAX_SUMMARY_CHARS, "summary");
    assert_texts_within(
        &m.rights.attribution,
        MAX_ATTRIBUTION_CHARS,
        "rights.attribution",
    );
    for path in m.referenced_files() {
        let again = check_package_path(path.as_str());
        assert_eq!(
            again.as_ref().map(|p| p.as_str()),
            Ok(path.as_str()),
            "an accepted path fails check_package_path"
        );
        assert!(!path.as_str().contains(['#', '?']), "{path}");
    }
    match m.location.as_ref().and_then(|l| l.position) {
        Some(GeoPosition::Wgs84 { lat, lon, height }) => {
            assert!(
                VIETNAM_LAT.contains(&lat) && VIETNAM_LON.contains(&lon),
                "{lat}, {lon} is outside Vietnam"
            );
            assert!(height.is_finite());
        }
        Some(GeoPosition::Vn2000 {
            x,
            y,
            h,
            central_meridian,
            zone_width,
        }) => {
            assert!(x.is_finite() && y.is_finite() && h.is_finite());
            let allowed: &[f64] = if zone_width == 3 {
                &VN2000_TM3_MERIDIANS
            } else {
                &VN2000_UTM_MERIDIANS
            };
            assert!(
                matches!(zone_width, 3 | 6) && allowed.contains(&central_meridian),
                "{zone_width}° zone at {central_meridian}"
            );
        }
        None => {}
    }
}

/// Every number in every bundled manifest, replaced in turn by each oversized value: all of them
/// (not a random sample, which once let a scan region's pixel rectangle through for weeks).
#[test]
fn an_oversized_number_anywhere_is_refused() {
    let mut tried = 0;
    for exhibit in EXHIBITS {
        let source = bundled_manifest(exhibit);
        for span in number_spans(&source) {
            for number in OVERSIZED {
                // Every number in the bundled manifests is stored in 32 bits or checked against a range.
                let mutated = format!("{}{number}{}", &source[..span.start], &source[span.end..]);
                let (manifest, problems) = parse_manifest(Path::new(MANIFEST_FILE), &mutated);
                let line = source[..span.start].matches('\n').count() + 1;
                assert!(
                    manifest.is_none() && problems.has_errors(),
                    "{exhibit}: {number} in place of {} on line {line} was accepted",
                    &source[span.clone()]
                );
                tried += 1;
            }
        }
    }
    assert!(
        tried > 1000,
        "only {tried} numbers tried: the bundled manifests lost their numbers?"
    );
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_manifests_never_panic_and_what_is_accepted_is_sound(
        exhibit in prop::sample::select(EXHIBITS.to_vec()),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let mut source = bundled_manifest(exhibit);
        for m in &mutations {
            source = apply(&source, m);
        }
        let (manifest, problems) = parse_manifest(Path::new(MANIFEST_FILE), &source);
        prop_assert_eq!(manifest.is_some(), !problems.has_errors());
        for p in problems.into_sorted() {
            // Every problem is located in the text, or is about the whole file.
            if let Some(at) = p.at {
                prop_assert!(at.line >= 1 && at.column >= 1);
                prop_assert!(at.line <= source.split('\n').count(), "line {} of {}", at.line, source.split('\n').count());
            }
            prop_assert!(!p.message.is_empty());
        }
        if let Some(m) = &manifest {
            assert_sound(m);
        }
    }

    #[test]
    fn infinities_and_nans_are_never_accepted_in_any_position(
        exhibit in prop::sample::select(EXHIBITS.to_vec()),
        at in any::<Index>(),
        value in value_text(),
    ) {
        let source = apply(&bundled_manifest(exhibit), &Mutation::ReplaceValue(at, value));
        if let (Some(m), _) = parse_manifest(Path::new(MANIFEST_FILE), &source) {
            assert_sound(&m);
        }
    }

    #[test]
    fn webvtt_from_arbitrary_text_never_panics(text in any::<String>(), bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_vtt(&text);
        let _ = parse_vtt(&format!("WEBVTT\n\n{text}"));
        let _ = parse_vtt(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn accepted_webvtt_has_lasting_cues_in_time_order(
        blocks in prop::collection::vec(
            prop_oneof![
                (0u32..200_000, 0u32..200_000).prop_map(|(a, b)| format!("{:02}:{:02}.{:03} --> {:02}:{:02}.{:03}\ntext", a / 60_000, a / 1000 % 60, a % 1000, b / 60_000, b / 1000 % 60, b % 1000)),
                Just("NOTE a note".to_owned()),
                Just("1\n00:00.000 --> 00:01.000 line:90%\n<v Narrator>hi</v>".to_owned()),
                "[0-9:.\\-> ]{0,30}",
            ],
            0..8,
        ),
    ) {
        let text = format!("WEBVTT\n\n{}\n", blocks.join("\n\n"));
        if let Ok(captions) = parse_vtt(&text) {
            for pair in captions.cues.windows(2) {
                prop_assert!(pair[0].start <= pair[1].start, "cues out of order: {:?}", captions.cues);
            }
            for cue in &captions.cues {
                prop_assert!(cue.end > cue.start, "{:?}", cue);
                prop_assert!(cue.line >= 3 && cue.line <= text.lines().count());
            }
        }
    }

    #[test]
    fn audio_duration_of_arbitrary_bytes_never_panics(
        prefix in prop::sample::select(vec![&b""[..], &b"OggS"[..], &b"OggS\0\x02"[..], &b"RIFF\0\0\0\0WAVE"[..], &b"RIFF\0\0\0\0WAVEfmt "[..], &b"ID3"[..], &b"\xFF\xFB"[..]]),
        rest in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        let mut bytes = prefix.to_vec();
        bytes.extend(rest);
        if let Ok(seconds) = audio_duration(&bytes) {
            prop_assert!(seconds.is_finite() && seconds >= 0.0);
        }
    }

    #[test]
    fn damaged_bundled_sound_never_panics(
        file in prop::sample::select(vec!["dinh-hang-kenh/audio/bell.ogg", "trong-dong/audio/main-2.vi.ogg", "sac-phong/audio/wind.ogg"]),
        changes in prop::collection::vec((any::<Index>(), any::<u8>()), 0..8),
        cut in any::<Index>(),
    ) {
        let mut bytes = std::fs::read(exhibits_dir().join(file)).unwrap();
        // Most changes land in the headers, where the reader looks.
        for (at, byte) in &changes {
            let len = bytes.len().min(8192);
            bytes[at.index(len)] = *byte;
        }
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep);
        if let Ok(seconds) = audio_duration(&bytes) {
            prop_assert!(seconds.is_finite() && seconds >= 0.0);
        }
    }
}

/// The package check, with the files: slower (it reads every sound and caption), so fewer cases.
#[test]
fn mutated_packages_never_panic_the_package_check() {
    let copies = PackageCopies::new("check-package");
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: config().cases.min(128),
        ..config()
    });
    let strategy = (
        prop::sample::select(EXHIBITS.to_vec()),
        prop::collection::vec(mutation(), 1..4),
    );
    runner
        .run(&strategy, |(exhibit, mutations)| {
            let mut source = bundled_manifest(exhibit);
            for m in &mutations {
                source = apply(&source, m);
            }
            let root = copies.0.join(exhibit);
            std::fs::write(root.join(MANIFEST_FILE), &source).unwrap();
            let (manifest, problems) = check_package(&root);
            if let Some(m) = &manifest {
                assert_sound(m);
            }
            let _ = problems.into_sorted();
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_mutations_do_what_they_say() {
    let source = "a = 1.5\nb = \"x 2.5\" # 3.5\nc = [0.0, -2]\n";
    let spans: Vec<&str> = number_spans(source)
        .into_iter()
        .map(|r| &source[r])
        .collect();
    assert_eq!(spans, ["1.5", "0.0", "2"]);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let i = any::<Index>().new_tree(&mut runner).unwrap().current();
    assert!(apply(source, &Mutation::ReplaceNumber(i, "1e39".into())).contains("1e39"));
    assert!(apply(source, &Mutation::Truncate(i)).len() <= source.len());
}
