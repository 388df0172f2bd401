//! The real path, on a generated recording with a known frame pattern and tone: ffmpeg
//! transcodes it into renditions, and the decoders read frames and sound back from any time,
//! frame-exact and in step.

use std::path::PathBuf;
use std::time::Duration;

use disan_format::video::VideoSet;
use disan_video::decode::{FrameReader, SoundReader, seek_time};
use disan_video::pattern::{self, PatternSpec};
use disan_video::{TranscodeOptions, probe, transcode};

struct TempDir(PathBuf);
impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("disan-video-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_recording_is_packed_into_renditions_a_school_network_can_play() {
    let tmp = TempDir::new("pack");
    let source = tmp.0.join("festival.mp4");
    let spec = PatternSpec {
        width: 1280,
        height: 720,
        fps: 25,
        seconds: 6.0,
    };
    pattern::make(&source, spec).unwrap();
    let out = tmp.0.join("videos/festival");
    let options = TranscodeOptions {
        vp9_speed: 8,
        thumbnail_every: 2.0,
        ..TranscodeOptions::default()
    };
    let packed = transcode(&source, &out, &options, &|_, _| {}).unwrap();
    let set = VideoSet::from_json(&std::fs::read(out.join("video.json")).unwrap()).unwrap();
    assert_eq!(set, packed.set);
    assert!((set.duration - 6.0).abs() < 0.1, "{}", set.duration);
    assert_eq!(set.fps, 25.0);
    assert!(set.audio);
    // 480p and 720p VP9 (no 1080p from a 720p source), and 720p H.264.
    let kinds: Vec<(String, u32)> = set
        .renditions
        .iter()
        .map(|r| (r.codec.clone(), r.height))
        .collect();
    assert_eq!(
        kinds,
        [
            ("vp9".into(), 480),
            ("vp9".into(), 720),
            ("h264".into(), 720)
        ]
    );
    for r in &set.renditions {
        let file = out.join(&r.file);
        let p = probe(&file).unwrap();
        assert_eq!((p.width, p.height), (r.width, r.height));
        assert_eq!(p.fps, 25.0, "{}: constant 25 fps", r.file);
        assert!(p.audio, "{} keeps the sound", r.file);
        assert_eq!(std::fs::metadata(&file).unwrap().len(), r.bytes);
        // 16:9 rounded to an even width (4:2:0 needs one): 480p is 854 wide.
        assert!(
            r.width % 2 == 0 && r.width.abs_diff(16 * r.height / 9) <= 1,
            "{}",
            r.width
        );
    }
    assert!(out.join(&set.poster).is_file());
    assert_eq!(
        set.thumbnails.iter().map(|t| t.time).collect::<Vec<_>>(),
        [0.0, 2.0, 4.0]
    );
    for file in set.files() {
        assert!(out.join(file).is_file(), "{file}");
    }
    // Every frame of the smallest rendition still says its own number.
    let r = &set.renditions[0];
    let reader = FrameReader::open(&out.join(&r.file), 0, set.fps, r.width, r.height).unwrap();
    let rect = [0, 0, r.width, r.height];
    for expected in 0..150 {
        let f = reader
            .next_within(Duration::from_secs(20))
            .expect("a frame");
        let n = pattern::frame_number(&f.rgba, r.width, rect).unwrap();
        assert_eq!((f.number, n), (expected, expected as u32));
    }
}

#[test]
fn a_seek_shows_the_frame_of_that_moment_with_its_sound() {
    let tmp = TempDir::new("seek");
    let source = tmp.0.join("pattern.mp4");
    let spec = PatternSpec {
        width: 320,
        height: 180,
        fps: 25,
        seconds: 8.0,
    };
    pattern::make(&source, spec).unwrap();
    let rect = [0, 0, 320, 180];
    for target in [0u64, 1, 37, 62, 100, 151, 199] {
        let reader = FrameReader::open(&source, target, 25.0, 320, 180).unwrap();
        let f = reader
            .next_within(Duration::from_secs(20))
            .expect("a frame");
        let shown = pattern::frame_number(&f.rgba, 320, rect).unwrap();
        assert_eq!(shown as u64, target, "after a seek to frame {target}");
        assert_eq!(f.number, target);
    }
    // From a seek to 1.7 s: the flash of second 2 and its beep come together.
    let start_frame = 42; // 1.68 s
    let reader = FrameReader::open(&source, start_frame, 25.0, 320, 180).unwrap();
    let flash_time = std::iter::from_fn(|| reader.next_within(Duration::from_secs(20)))
        .find(|f| pattern::flash(&f.rgba, 320, rect).unwrap())
        .map(|f| f.time)
        .expect("a flash");
    let start = seek_time(start_frame, 25.0);
    let sound = SoundReader::open(&source, start).unwrap().read_all();
    let beeps = pattern::beep_starts(&sound, SoundReader::RATE);
    let beep_time = start + beeps[0] as f64 / f64::from(SoundReader::RATE);
    assert!((flash_time - 2.0).abs() < 1e-9, "{flash_time}");
    assert!(
        (beep_time - flash_time).abs() < 0.045,
        "sound {beep_time:.4} s against picture {flash_time:.4} s"
    );
    // Every second after it, still together.
    assert!(beeps.len() >= 5, "{beeps:?}");
    for (k, b) in beeps.iter().enumerate() {
        let t = start + *b as f64 / f64::from(SoundReader::RATE);
        assert!((t - (2.0 + k as f64)).abs() < 0.045, "beep {k} at {t}");
    }
}

#[test]
fn a_file_that_is_not_a_video_is_refused_with_its_name() {
    let tmp = TempDir::new("bad");
    let file = tmp.0.join("not-a-video.mp4");
    std::fs::write(&file, b"this is text, not a recording").unwrap();
    let e = probe(&file).unwrap_err().to_string();
    assert!(
        e.contains("not-a-video.mp4") && e.contains("cannot be read"),
        "{e}"
    );
    let still = tmp.0.join("still.png");
    std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=red:s=64x64:d=1",
            "-frames:v",
            "1",
        ])
        .arg(&still)
        .status()
        .unwrap();
    let e = transcode(
        &still,
        &tmp.0.join("out"),
        &TranscodeOptions::default(),
        &|_, _| {},
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("still.png"), "{e}");
}
