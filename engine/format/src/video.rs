//! A packed video (`video.json`): the renditions `disan pack --as video` transcoded from one
//! recording, its poster frame and its thumbnails, all static files beside it, served with HTTP
//! range requests like every other file of a package.
//!
//! The manifest's `[[videos]]` table says where and how the video is shown (a screen in the
//! scene, or 360° around the visitor), its chapters and its captions; this file says what the
//! recording is. Both viewers choose a rendition from it (`VideoSet::choose`): the largest the
//! screen can use that the link can carry.

use serde::{Deserialize, Serialize};

/// What `disan pack --as video` names the description beside the renditions.
pub const VIDEO_FILE: &str = "video.json";
/// What `disan pack --as audio` names the description of a recording without picture: the same
/// format, with no picture (`width` and `height` 0, sound-only renditions, no poster).
pub const RECORDING_FILE: &str = "recording.json";
/// The format tag of `video.json`, so a later layout is recognised rather than misread.
pub const VIDEO_FORMAT: &str = "disan-video/1";

/// Limits on what a `video.json` may claim, so a hostile file cannot make a viewer allocate a
/// frame buffer of gigabytes or wait on a clock that never ends.
pub const MAX_SIDE: u32 = 8192;
/// Twelve hours: a full day's festival recording cut into parts is still within it.
pub const MAX_DURATION_S: f64 = 12.0 * 3600.0;
pub const MAX_FPS: f64 = 240.0;
pub const MAX_RENDITIONS: usize = 16;
pub const MAX_THUMBNAILS: usize = 1000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoSet {
    pub format: String,
    /// Seconds.
    pub duration: f64,
    /// Frames per second of every rendition (pack writes constant frame rate, so a frame's time
    /// is its number divided by this).
    pub fps: f64,
    /// The recording's own size, before any rendition was scaled down.
    pub width: u32,
    pub height: u32,
    /// Whether the recording has sound (every rendition then carries it).
    pub audio: bool,
    /// From the smallest to the largest.
    pub renditions: Vec<Rendition>,
    /// A still shown before playing starts (JPEG), relative to this file.
    pub poster: String,
    /// Stills at regular times, for chapter lists and seeking previews, in time order.
    #[serde(default)]
    pub thumbnails: Vec<Thumbnail>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rendition {
    /// Relative to `video.json`.
    pub file: String,
    /// `"vp9"` (WebM with Opus: royalty-free, every current browser) or `"h264"` (MP4 with AAC:
    /// older Safari and phones whose hardware decodes only it).
    pub codec: String,
    /// The MIME type with codecs, as `HTMLMediaElement.canPlayType` takes it.
    pub mime: String,
    pub width: u32,
    pub height: u32,
    /// Average bits per second, sound included: what the link must carry to play without stalls.
    pub bitrate: u64,
    pub bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thumbnail {
    /// Seconds from the start.
    pub time: f64,
    /// Relative to `video.json`.
    pub file: String,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct VideoSetError(pub String);

impl VideoSet {
    /// Reads and checks a `video.json`: every number within the limits above, every file name a
    /// plain relative path that stays beside it.
    pub fn from_json(bytes: &[u8]) -> Result<Self, VideoSetError> {
        let set: VideoSet = serde_json::from_slice(bytes).map_err(|e| {
            VideoSetError(format!(
                "is not a video description `disan pack --as video` wrote ({e})"
            ))
        })?;
        set.check()?;
        Ok(set)
    }

    fn check(&self) -> Result<(), VideoSetError> {
        let bad = |m: String| Err(VideoSetError(m));
        if self.format != VIDEO_FORMAT {
            return bad(format!(
                "says format \"{}\"; this viewer reads \"{VIDEO_FORMAT}\": pack the video again with this Disan",
                self.format
            ));
        }
        if !(self.duration.is_finite() && self.duration > 0.0 && self.duration <= MAX_DURATION_S) {
            return bad(format!(
                "gives a duration of {} s; expected more than 0 and at most {MAX_DURATION_S} s",
                self.duration
            ));
        }
        if self.width == 0 && self.height == 0 {
            return self.check_sound_only();
        }
        if !(self.fps.is_finite() && self.fps > 0.0 && self.fps <= MAX_FPS) {
            return bad(format!(
                "gives {} frames per second; expected more than 0 and at most {MAX_FPS}",
                self.fps
            ));
        }
        let side_ok = |w: u32, h: u32| (1..=MAX_SIDE).contains(&w) && (1..=MAX_SIDE).contains(&h);
        if !side_ok(self.width, self.height) {
            return bad(format!(
                "gives a size of {}×{}; each side must be 1 to {MAX_SIDE} pixels",
                self.width, self.height
            ));
        }
        if self.renditions.is_empty() || self.renditions.len() > MAX_RENDITIONS {
            return bad(format!(
                "lists {} renditions; expected 1 to {MAX_RENDITIONS}",
                self.renditions.len()
            ));
        }
        for r in &self.renditions {
            check_file(&r.file)?;
            if !side_ok(r.width, r.height) {
                return bad(format!(
                    "gives \"{}\" a size of {}×{}; each side must be 1 to {MAX_SIDE} pixels",
                    r.file, r.width, r.height
                ));
            }
            if r.codec != "vp9" && r.codec != "h264" && r.codec != "av1" {
                return bad(format!(
                    "gives \"{}\" the codec \"{}\"; expected \"vp9\", \"av1\" or \"h264\"",
                    r.file, r.codec
                ));
            }
        }
        check_file(&self.poster)?;
        if self.thumbnails.len() > MAX_THUMBNAILS {
            return bad(format!(
                "lists {} thumbnails; at most {MAX_THUMBNAILS}",
                self.thumbnails.len()
            ));
        }
        let mut last = -1.0;
        for t in &self.thumbnails {
            check_file(&t.file)?;
            if !(t.time.is_finite() && t.time >= 0.0 && t.time <= self.duration && t.time > last) {
                return bad(format!(
                    "gives the thumbnail \"{}\" the time {} s: thumbnails must lie within the video, in time order",
                    t.file, t.time
                ));
            }
            last = t.time;
        }
        Ok(())
    }

    /// A recording without picture: sound-only renditions (Opus or AAC, no size), no poster,
    /// no thumbnails.
    fn check_sound_only(&self) -> Result<(), VideoSetError> {
        let bad = |m: String| Err(VideoSetError(m));
        if !self.audio {
            return bad("has neither picture (its size is 0×0) nor sound".to_owned());
        }
        if self.renditions.is_empty() || self.renditions.len() > MAX_RENDITIONS {
            return bad(format!(
                "lists {} renditions; expected 1 to {MAX_RENDITIONS}",
                self.renditions.len()
            ));
        }
        for r in &self.renditions {
            check_file(&r.file)?;
            if r.width != 0 || r.height != 0 || !(r.codec == "opus" || r.codec == "aac") {
                return bad(format!(
                    "gives \"{}\" the codec \"{}\" and the size {}×{}; a recording without picture has sound-only renditions (\"opus\" or \"aac\", 0×0)",
                    r.file, r.codec, r.width, r.height
                ));
            }
        }
        if !self.poster.is_empty() || !self.thumbnails.is_empty() {
            return bad("has no picture, so it takes no poster and no thumbnails".to_owned());
        }
        Ok(())
    }

    /// Whether the recording has a picture: a video, not a recording (`recording.json`).
    pub fn has_picture(&self) -> bool {
        self.width > 0 && self.height > 0
    }

    /// Every file the description names, relative to it.
    pub fn files(&self) -> Vec<&str> {
        let mut files: Vec<&str> = self.renditions.iter().map(|r| r.file.as_str()).collect();
        if !self.poster.is_empty() {
            files.push(&self.poster);
        }
        files.extend(self.thumbnails.iter().map(|t| t.file.as_str()));
        files
    }

    /// The rendition to play on a screen `screen_height` device pixels high, over a link of
    /// `bandwidth` bits per second when it has been measured, among those `playable` says the
    /// device decodes: the tallest that the screen can use (no taller than the screen, or the
    /// smallest when all are) and whose bitrate fits in 80 % of the bandwidth (the rest is
    /// headroom for the link's variations). When even the smallest does not fit, the smallest.
    pub fn choose(
        &self,
        screen_height: u32,
        bandwidth: Option<f64>,
        playable: impl Fn(&Rendition) -> bool,
    ) -> Option<&Rendition> {
        let mut usable: Vec<&Rendition> = self.renditions.iter().filter(|r| playable(r)).collect();
        let smallest = *usable.iter().min_by_key(|r| (r.height, r.bitrate))?;
        // Tallest last; of one height, the fewest bits last (VP9 beside H.264: the same picture
        // for less of the link).
        usable.sort_by_key(|r| (r.height, std::cmp::Reverse(r.bitrate)));
        let fits = |r: &&&Rendition| {
            r.height <= screen_height.max(smallest.height)
                && bandwidth.is_none_or(|b| (r.bitrate as f64) <= 0.8 * b)
        };
        Some(usable.iter().rev().find(fits).copied().unwrap_or(smallest))
    }

    /// The thumbnail nearest to `time` at or before it (a chapter's picture), else the first.
    pub fn thumbnail_at(&self, time: f64) -> Option<&Thumbnail> {
        self.thumbnails
            .iter()
            .rev()
            .find(|t| t.time <= time + 1e-6)
            .or(self.thumbnails.first())
    }

    /// The number of the frame showing at `time` seconds (frames start at 0).
    pub fn frame_at(&self, time: f64) -> u64 {
        (time.clamp(0.0, self.duration) * self.fps + 1e-6).floor() as u64
    }
}

/// A file named in `video.json` must be a plain path below it: the viewer joins it to the
/// folder of `video.json`, and `..` or an absolute path would read outside the package.
fn check_file(file: &str) -> Result<(), VideoSetError> {
    crate::parse::check_package_path(file)
        .map(|_| ())
        .map_err(|why| {
            VideoSetError(format!(
                "names the file \"{file}\", which {why}: pack the video again"
            ))
        })
}

/// Where the chapter that starts at `starts[i]` ends: at the next chapter's start, or the end of
/// the video.
pub fn chapter_end(starts: &[f64], i: usize, duration: f64) -> f64 {
    starts.get(i + 1).copied().unwrap_or(duration).min(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> VideoSet {
        let r = |file: &str, codec: &str, h: u32, bitrate: u64| Rendition {
            file: file.into(),
            codec: codec.into(),
            mime: String::new(),
            width: h * 16 / 9,
            height: h,
            bitrate,
            bytes: 1,
        };
        VideoSet {
            format: VIDEO_FORMAT.into(),
            duration: 24.0,
            fps: 25.0,
            width: 1920,
            height: 1080,
            audio: true,
            renditions: vec![
                r("480.webm", "vp9", 480, 900_000),
                r("720.webm", "vp9", 720, 2_000_000),
                r("1080.webm", "vp9", 1080, 4_000_000),
                r("720.mp4", "h264", 720, 2_500_000),
            ],
            poster: "poster.jpg".into(),
            thumbnails: vec![
                Thumbnail {
                    time: 0.0,
                    file: "t/0.jpg".into(),
                },
                Thumbnail {
                    time: 10.0,
                    file: "t/10.jpg".into(),
                },
                Thumbnail {
                    time: 20.0,
                    file: "t/20.jpg".into(),
                },
            ],
        }
    }

    #[test]
    fn the_rendition_follows_screen_and_link() {
        let s = set();
        let vp9 = |r: &Rendition| r.codec == "vp9";
        let pick = |h, b| s.choose(h, b, vp9).unwrap().file.as_str();
        assert_eq!(pick(2160, None), "1080.webm");
        assert_eq!(pick(844, None), "720.webm", "a phone held upright");
        assert_eq!(pick(300, None), "480.webm", "smaller than every rendition");
        assert_eq!(
            pick(2160, Some(10e6)),
            "1080.webm",
            "10 Mbit/s carries 1080p"
        );
        assert_eq!(
            pick(2160, Some(3e6)),
            "720.webm",
            "3 Mbit/s: 2 fits in 80 %"
        );
        assert_eq!(
            pick(2160, Some(0.5e6)),
            "480.webm",
            "nothing fits: the smallest"
        );
        // Of two renditions of one height, the one that needs less of the link (VP9 at 720p
        // beside H.264 at 720p), whether or not the link is known.
        let both = set();
        let bitrate = |file: &str| {
            both.renditions
                .iter()
                .find(|r| r.file == file)
                .unwrap()
                .bitrate
        };
        let (h264_720, vp9_720) = (bitrate("720.mp4"), bitrate("720.webm"));
        assert!(vp9_720 < h264_720, "{vp9_720} {h264_720}");
        assert_eq!(both.choose(720, None, |_| true).unwrap().file, "720.webm");
        assert_eq!(
            both.choose(720, Some(10e6), |_| true).unwrap().file,
            "720.webm"
        );
        // A browser that decodes only H.264.
        let h264 = s.choose(1080, None, |r| r.codec == "h264").unwrap();
        assert_eq!(h264.file, "720.mp4");
        assert!(s.choose(1080, None, |_| false).is_none());
    }

    #[test]
    fn thumbnails_and_frames_by_time() {
        let s = set();
        assert_eq!(s.thumbnail_at(12.0).unwrap().file, "t/10.jpg");
        assert_eq!(s.thumbnail_at(0.0).unwrap().file, "t/0.jpg");
        assert_eq!(s.frame_at(2.5), 62);
        assert_eq!(s.frame_at(0.04), 1);
        assert_eq!(s.frame_at(99.0), 600, "clamped to the end");
        assert_eq!(chapter_end(&[0.0, 6.0, 12.0], 1, 24.0), 12.0);
        assert_eq!(chapter_end(&[0.0, 6.0, 12.0], 2, 24.0), 24.0);
    }

    #[test]
    fn written_and_read_back() {
        let s = set();
        let json = serde_json::to_vec(&s).unwrap();
        assert_eq!(VideoSet::from_json(&json).unwrap(), s);
    }

    #[test]
    fn hostile_descriptions_are_refused() {
        let cases: Vec<(fn(&mut VideoSet), &str)> = vec![
            (|s| s.format = "disan-video/9".into(), "format"),
            (|s| s.duration = 1e300, "duration"),
            (|s| s.duration = 0.0, "duration"),
            (|s| s.fps = 1e9, "frames per second"),
            (|s| s.width = 100_000, "size"),
            (|s| s.renditions.clear(), "renditions"),
            (
                |s| s.renditions[0].file = "../../etc/passwd".into(),
                "../../etc/passwd",
            ),
            (|s| s.renditions[1].file = "/abs.webm".into(), "/abs.webm"),
            (|s| s.renditions[0].height = 0, "size"),
            (|s| s.renditions[0].codec = "mpeg2".into(), "codec"),
            (|s| s.poster = "a#b.jpg".into(), "a#b.jpg"),
            (|s| s.thumbnails[1].time = 99.0, "thumbnail"),
            (|s| s.thumbnails.swap(0, 1), "thumbnail"),
        ];
        for (spoil, word) in cases {
            let mut s = set();
            spoil(&mut s);
            let json = serde_json::to_vec(&s).unwrap();
            let e = VideoSet::from_json(&json).unwrap_err();
            assert!(e.0.contains(word), "{word}: {e}");
        }
        let e = VideoSet::from_json(b"{\"format\": 1}").unwrap_err();
        assert!(e.0.contains("disan pack --as video"), "{e}");
    }

    fn recording() -> VideoSet {
        VideoSet {
            format: VIDEO_FORMAT.into(),
            duration: 95.0,
            fps: 0.0,
            width: 0,
            height: 0,
            audio: true,
            renditions: vec![
                Rendition {
                    file: "sound.webm".into(),
                    codec: "opus".into(),
                    mime: "audio/webm; codecs=\"opus\"".into(),
                    width: 0,
                    height: 0,
                    bitrate: 96_000,
                    bytes: 1_140_000,
                },
                Rendition {
                    file: "sound.m4a".into(),
                    codec: "aac".into(),
                    mime: "audio/mp4; codecs=\"mp4a.40.2\"".into(),
                    width: 0,
                    height: 0,
                    bitrate: 128_000,
                    bytes: 1_520_000,
                },
            ],
            poster: String::new(),
            thumbnails: vec![],
        }
    }

    #[test]
    fn a_recording_without_picture_is_read_and_played_by_its_link() {
        let s = recording();
        let json = serde_json::to_vec(&s).unwrap();
        let read = VideoSet::from_json(&json).unwrap();
        assert!(!read.has_picture());
        assert_eq!(
            read.files(),
            ["sound.webm", "sound.m4a"],
            "no poster to look for"
        );
        // Whatever the screen: Opus where it plays (the same sound for fewer bits), else AAC.
        assert_eq!(
            read.choose(1080, None, |_| true).unwrap().file,
            "sound.webm"
        );
        assert_eq!(
            read.choose(1080, Some(140_000.0), |_| true).unwrap().file,
            "sound.webm"
        );
        assert_eq!(
            read.choose(1080, None, |r| r.codec == "aac").unwrap().file,
            "sound.m4a"
        );
        let cases: Vec<(fn(&mut VideoSet), &str)> = vec![
            (|s| s.audio = false, "neither picture"),
            (|s| s.renditions[0].codec = "vp9".into(), "sound-only"),
            (|s| s.renditions[1].width = 640, "sound-only"),
            (|s| s.poster = "poster.jpg".into(), "no poster"),
            (|s| s.renditions[0].file = "../x.webm".into(), "../x.webm"),
        ];
        for (spoil, word) in cases {
            let mut s = recording();
            spoil(&mut s);
            let e = VideoSet::from_json(&serde_json::to_vec(&s).unwrap()).unwrap_err();
            assert!(e.0.contains(word), "{word}: {e}");
        }
        // A picture of 0×0 on one side only is a broken video, not a recording.
        let mut s = set();
        s.width = 0;
        assert!(VideoSet::from_json(&serde_json::to_vec(&s).unwrap()).is_err());
    }
}
