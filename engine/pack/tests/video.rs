//! `disan pack --as video`: a recording (told from its extension) becomes renditions, a poster
//! and thumbnails, and an intangible-heritage exhibit that validates: a flat video on a screen,
//! or, for a 2:1 recording, a 360° video around the visitor. Needs ffmpeg (a test dependency
//! the test command installs).

use std::path::PathBuf;

use disan_format::{ExhibitKind, Severity, VideoProjection};
use disan_pack::{PackKind, PackOptions, Progress, pack_scan};
use disan_video::pattern::{PatternSpec, make};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("disan-video-pack-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn errors(problems: disan_format::Problems) -> Vec<String> {
    problems
        .into_sorted()
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_recording_becomes_an_intangible_heritage_exhibit_that_validates() {
    let dir = temp("flat");
    let film = dir.join("Chọi trâu 2025.mp4");
    make(
        &film,
        PatternSpec {
            width: 320,
            height: 180,
            fps: 25,
            seconds: 3.0,
        },
    )
    .unwrap();
    assert_eq!(PackKind::of(&film), PackKind::Video);
    let out = dir.join("package");
    let report = pack_scan(&film, &out, &PackOptions::default(), &Progress::hidden()).unwrap();
    assert_eq!(report.id, "choi-trau-2025");
    let video = report.video.as_ref().expect("a video report");
    assert!(!video.is_360);
    assert_eq!(video.src, "videos/choi-trau-2025/video.json");
    // Smaller than the ladder's first step: kept at its own size, in VP9 and in H.264.
    let sizes: Vec<(&str, u32)> = video
        .renditions
        .iter()
        .map(|r| (r.codec.as_str(), r.height))
        .collect();
    assert_eq!(sizes, [("vp9", 180), ("h264", 180)]);
    assert!(out.join(disan_pack::REPORT_FILE).is_file());
    // The page's and the catalogue's picture of the package.
    let poster = image::open(out.join("poster.png")).expect("a poster.png");
    assert_eq!((poster.width(), poster.height()), (640, 360));

    let (manifest, problems) = disan_format::validate_package(&out);
    let errors = errors(problems);
    assert!(errors.is_empty(), "{errors:#?}");
    let manifest = manifest.expect("parses");
    assert_eq!(manifest.kind, ExhibitKind::Intangible);
    assert!(manifest.models.is_empty());
    let v = &manifest.videos[0];
    assert_eq!(v.projection, VideoProjection::Flat);
    let screen = v.screen.expect("a screen for a flat video");
    assert_eq!(screen.width, 4.0);
    assert_eq!(
        manifest.provenance.method,
        disan_format::CaptureMethod::Video
    );
    // Every file the package names is there, the renditions, poster and thumbnails included.
    let files =
        disan_format::integrity::package_files(&manifest, |f| std::fs::read(out.join(f)).ok());
    for file in [
        "videos/choi-trau-2025/180.webm",
        "videos/choi-trau-2025/180.mp4",
        "videos/choi-trau-2025/poster.jpg",
    ] {
        assert!(files.iter().any(|f| f == file), "{file} in {files:?}");
    }
    for file in &files {
        assert!(out.join(file).is_file(), "{file}");
    }
}

#[test]
fn a_two_to_one_recording_is_a_360_video() {
    let dir = temp("sphere");
    let film = dir.join("le-hoi.mkv");
    make(
        &film,
        PatternSpec {
            width: 256,
            height: 128,
            fps: 25,
            seconds: 2.0,
        },
    )
    .unwrap();
    let out = dir.join("package");
    let report = pack_scan(&film, &out, &PackOptions::default(), &Progress::hidden()).unwrap();
    assert!(report.video.as_ref().unwrap().is_360);
    let (manifest, problems) = disan_format::validate_package(&out);
    let errors = errors(problems);
    assert!(errors.is_empty(), "{errors:#?}");
    let manifest = manifest.unwrap();
    assert_eq!(manifest.videos[0].projection, VideoProjection::Sphere);
    assert!(manifest.videos[0].screen.is_none());
    assert_eq!(
        manifest.provenance.method,
        disan_format::CaptureMethod::Video360
    );
}

#[test]
fn a_file_that_is_no_video_is_refused_with_its_name() {
    let dir = temp("broken");
    let film = dir.join("hỏng.mp4");
    std::fs::write(&film, b"not a video at all").unwrap();
    let e = pack_scan(
        &film,
        &dir.join("out"),
        &PackOptions::default(),
        &Progress::hidden(),
    )
    .unwrap_err();
    let message = e.to_string();
    assert!(message.contains("hỏng.mp4"), "{message}");
    assert!(
        e.localized(disan_pack::Lang::Vi)
            .contains("không đọc được như một video"),
        "{}",
        e.localized(disan_pack::Lang::Vi)
    );
    // Nothing half-made is left to be taken for a package.
    assert!(!dir.join("out").join(disan_format::MANIFEST_FILE).exists());
}

/// `disan pack` on a sound file: Opus and AAC renditions beside a `recording.json`, an
/// intangible-heritage exhibit with a `[[recordings]]` entry that validates, and renditions
/// that still carry the recording's beeps where they were.
#[test]
fn a_sound_recording_becomes_an_exhibit_that_plays_it() {
    let dir = temp("sound");
    let song = dir.join("Hát đúm Thủy Nguyên.wav");
    // Three seconds of quiet with a 1 kHz beep at 1.0 s and at 2.0 s.
    let made = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("aevalsrc=if(between(mod(t\\,1)\\,0\\,0.04)*gte(t\\,1)\\,0.8*sin(2*PI*1000*t)\\,0):s=44100:d=3")
        .arg(&song)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert_eq!(PackKind::of(&song), PackKind::Audio);
    let out = dir.join("package");
    let report = pack_scan(&song, &out, &PackOptions::default(), &Progress::hidden()).unwrap();
    assert_eq!(report.id, "hat-dum-thuy-nguyen");
    let sound = report.video.as_ref().expect("a recording report");
    assert_eq!(sound.src, "recordings/hat-dum-thuy-nguyen/recording.json");
    let codecs: Vec<&str> = sound.renditions.iter().map(|r| r.codec.as_str()).collect();
    assert_eq!(codecs, ["opus", "aac"]);
    assert!((sound.duration_s - 3.0).abs() < 0.1, "{}", sound.duration_s);

    let (manifest, problems) = disan_format::validate_package(&out);
    let errors = errors(problems);
    assert!(errors.is_empty(), "{errors:#?}");
    let manifest = manifest.unwrap();
    assert_eq!(manifest.kind, ExhibitKind::Intangible);
    let r = &manifest.videos[0];
    assert!(r.sound_only && r.screen.is_none() && r.sound_at.is_none());
    assert_eq!(
        manifest.provenance.method,
        disan_format::CaptureMethod::Audio
    );
    // A poster for the page and the catalogue's card: the waveform, 640×360.
    let poster = image::open(out.join("poster.png")).expect("a poster.png");
    assert_eq!((poster.width(), poster.height()), (640, 360));
    // Both renditions decode, and the beeps are where they were in the source.
    for rendition in &sound.renditions {
        let file = out
            .join("recordings/hat-dum-thuy-nguyen")
            .join(&rendition.file);
        let samples = disan_video::SoundReader::open(&file, 0.0)
            .unwrap()
            .read_all();
        let starts: Vec<f64> =
            disan_video::pattern::beep_starts(&samples, disan_video::SoundReader::RATE)
                .iter()
                .map(|s| *s as f64 / f64::from(disan_video::SoundReader::RATE))
                .collect();
        assert_eq!(starts.len(), 2, "{}: {starts:?}", rendition.file);
        for (found, expected) in starts.iter().zip([1.0, 2.0]) {
            assert!(
                (found - expected).abs() < 0.02,
                "{}: beep at {found} s, not {expected} s",
                rendition.file
            );
        }
    }
    // The skeleton offers staff the place to put it.
    let toml = std::fs::read_to_string(out.join("exhibit.toml")).unwrap();
    assert!(
        toml.contains("[[recordings]]") && toml.contains("# position"),
        "{toml}"
    );
}
