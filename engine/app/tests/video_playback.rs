//! Native video playback through the real binary: a recording packed by `disan pack --as video`
//! and played by Debian's ffmpeg shows, after a seek, the frame the clock says; a tour stop on a
//! chapter starts the video at that chapter. The frame is read off the screenshot itself (the
//! test recording prints its frame number as a bar code), not taken from the viewer's word.

mod run;

use std::path::Path;

use disan_video::pattern::{PatternSpec, frame_number, make};
use run::{disan, shot_ok, temp};

/// The frame the log says is shown, and where the screen is in the picture (`[x, y, w, h]`).
fn logged_screen(log: &str, video: &str) -> (u64, [f32; 4]) {
    let line = log
        .lines()
        .find(|l| l.contains(&format!("video \"{video}\": frame ")))
        .unwrap_or_else(|| panic!("no screen line for {video} in: {log}"));
    let frame = line
        .split("frame ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| {
            if n == "none" {
                Some(u64::MAX)
            } else {
                n.parse().ok()
            }
        })
        .unwrap_or_else(|| panic!("no frame number in: {line}"));
    let rect = line
        .split("screen at [")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .unwrap_or_else(|| panic!("no screen box in: {line}"));
    let v: Vec<f32> = rect.split(',').map(|n| n.trim().parse().unwrap()).collect();
    (frame, [v[0], v[1], v[2], v[3]])
}

/// The frame number the screenshot shows inside the screen's box (a pixel in from each edge,
/// clear of the screen's anti-aliased border).
fn frame_in_picture(png: &Path, rect: [f32; 4]) -> u32 {
    let picture = image::open(png).unwrap().to_rgba8();
    let [x, y, w, h] = rect.map(|v| v.round().max(0.0) as u32);
    frame_number(
        picture.as_raw(),
        picture.width(),
        [x + 2, y + 2, w - 4, h - 4],
    )
    .expect("the screen lies inside the picture")
}

#[test]
fn a_seek_shows_the_frame_its_time_says() {
    let dir = temp("video", "seek");
    let film = dir.0.join("pattern.mp4");
    make(&film, PatternSpec::default()).unwrap();
    let package = dir.0.join("package");
    let out = disan()
        .args(["pack", "--as", "video", "--out"])
        .arg(&package)
        .arg(&film)
        .output()
        .unwrap();
    assert!(out.status.success(), "pack: {}", run::text(&out));
    // 25 frames a second: frame n shows from n/25 s to (n+1)/25 s.
    for (seconds, frame) in [(7.3, 182), (2.04, 51), (0.0, 0)] {
        let png = dir.0.join(format!("at-{seconds}.png"));
        let mut cmd = disan();
        cmd.arg("shot")
            .arg(&package)
            .args(["--view", &format!("video:pattern:{seconds}"), "--no-ui"])
            .args(["--size", "960x540", "--out"])
            .arg(&png);
        let (log, _) = shot_ok(cmd, &png, &format!("the shot at {seconds} s"));
        let (shown, rect) = logged_screen(&log, "pattern");
        assert_eq!(shown, frame, "the viewer's frame at {seconds} s");
        assert!(
            rect[2] > 300.0,
            "the screen is large enough to read: {rect:?}"
        );
        assert_eq!(
            frame_in_picture(&png, rect),
            frame as u32,
            "the frame in the picture at {seconds} s"
        );
    }
}

#[test]
fn a_tour_stop_on_a_chapter_starts_the_video_there() {
    // The bundled festival exhibit: its tour's second stop is the chapter "choi-trau", at 12 s.
    let dir = temp("video", "tour");
    let png = dir.0.join("stop.png");
    let mut cmd = disan();
    cmd.args(["shot", "exhibits/choi-trau-do-son", "--view", "tour:main:2"])
        .args(["--size", "960x540", "--out"])
        .arg(&png);
    let (log, picture) = shot_ok(cmd, &png, "the tour stop");
    // The video's bar (its chapters wrap to two rows here) stands above the tour's bar.
    assert!(
        log.contains("bottom-bars: bars=2 overlapping-pairs=0"),
        "{log}"
    );
    let (shown, rect) = logged_screen(&log, "festival");
    assert_eq!(shown, 12 * 25, "the chapter's first frame");
    // The chapter card is on the screen: not the black of a screen that never got a frame.
    let [x, y, w, h] = rect.map(|v| v as u32);
    let centre = picture.get_pixel(x + w / 2, y + h / 3);
    assert!(
        centre.0.iter().map(|&c| u32::from(c)).sum::<u32>() > 60,
        "the screen shows a picture, not black: {centre:?}"
    );
    // On a phone held upright the chapters wrap to three rows and the tour's text to four:
    // still stacked, neither covers the other.
    let mut cmd = disan();
    cmd.args(["shot", "exhibits/choi-trau-do-son", "--view", "tour:main:2"])
        .args(["--size", "390x844", "--out"])
        .arg(dir.0.join("phone.png"));
    let (log, _) = shot_ok(cmd, &dir.0.join("phone.png"), "the tour stop on a phone");
    assert!(
        log.contains("bottom-bars: bars=2 overlapping-pairs=0"),
        "{log}"
    );
}

/// A two-second H.264 film drawn by FFmpeg's `lavfi` `filter` (a colour source and boxes), as
/// `NAME.mp4` in `dir`, packed by `disan pack` into `dir/package`, which is returned.
fn pack_drawn_film(dir: &Path, name: &str, filter: &str) -> std::path::PathBuf {
    let film = dir.join(format!("{name}.mp4"));
    let made = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", filter])
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(&film)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", run::text(&made));
    let package = dir.join("package");
    let out = disan()
        .args(["pack", "--out"])
        .arg(&package)
        .arg(&film)
        .output()
        .unwrap();
    assert!(out.status.success(), "pack: {}", run::text(&out));
    package
}

/// A 360° recording surrounds the visitor the right way round: looking straight ahead (yaw 0,
/// the picture's middle), what is left of the middle in the picture is on the visitor's left
/// and its upper half above the horizon. A mirrored or upside-down sphere fails here.
#[test]
fn a_360_video_surrounds_the_visitor_the_right_way_round() {
    let dir = temp("video", "360");
    // 1024×512: just left of the middle (u 0.40–0.50) red, just right (0.50–0.60) blue; bright
    // above the horizon, dark below; grey elsewhere.
    let boxes = [
        (410, 0, "0xff2020"),
        (512, 0, "0x2020ff"),
        (410, 256, "0x500000"),
        (512, 256, "0x000050"),
    ]
    .map(|(x, y, c)| format!("drawbox=x={x}:y={y}:w=102:h=256:color={c}:t=fill"))
    .join(",");
    let package = pack_drawn_film(
        &dir.0,
        "rundown",
        &format!("color=c=gray:s=1024x512:r=25:d=2,{boxes}"),
    );
    let manifest = std::fs::read_to_string(package.join("exhibit.toml")).unwrap();
    assert!(manifest.contains("projection = \"360\""), "{manifest}");

    let png = dir.0.join("ahead.png");
    let mut cmd = disan();
    cmd.arg("shot")
        .arg(&package)
        .args([
            "--view",
            "video:rundown:0.5",
            "--no-ui",
            "--size",
            "960x540",
            "--out",
        ])
        .arg(&png);
    let (log, picture) = shot_ok(cmd, &png, "the 360° shot");
    assert!(log.contains("video \"rundown\": frame 12 shown"), "{log}");
    // About 7° either side of straight ahead, 6° above and below the horizon.
    let at = |x: u32, y: u32| picture.get_pixel(x, y).0.map(i32::from);
    let (upper_left, upper_right) = (at(400, 200), at(560, 200));
    let (lower_left, lower_right) = (at(400, 340), at(560, 340));
    let red = |p: [i32; 3]| p[0] > p[2] + 20;
    let blue = |p: [i32; 3]| p[2] > p[0] + 20;
    let bright = |p: [i32; 3]| p.iter().sum::<i32>();
    assert!(
        red(upper_left) && red(lower_left),
        "left of ahead is red: {upper_left:?} {lower_left:?}"
    );
    assert!(
        blue(upper_right) && blue(lower_right),
        "right of ahead is blue: {upper_right:?} {lower_right:?}"
    );
    assert!(
        bright(upper_left) > bright(lower_left) + 60
            && bright(upper_right) > bright(lower_right) + 60,
        "the upper half is above the horizon: {upper_left:?} {lower_left:?} {upper_right:?} {lower_right:?}"
    );
}

/// A top-bottom stereo 360° video gives each eye its own half: straight ahead the left eye's
/// picture (the top half) is red and the right eye's (the bottom half) blue, and a shot of each
/// eye (the render layers a headset's eye cameras get) shows its own colour there.
#[test]
fn each_eye_sees_its_own_half_of_a_stereo_360_video() {
    let dir = temp("video", "stereo");
    // 1024×1024: two 1024×512 equirectangular pictures, the left eye's above. Ahead (u
    // 0.40–0.60) red in the top one, blue in the bottom one; grey elsewhere.
    let package = pack_drawn_film(
        &dir.0,
        "stereo",
        "color=c=gray:s=1024x1024:r=25:d=2,\
         drawbox=x=410:y=0:w=204:h=512:color=0xff2020:t=fill,\
         drawbox=x=410:y=512:w=204:h=512:color=0x2020ff:t=fill",
    );
    // A square video is packed as a flat one; staff say it is stereo 360° (as the manifest's
    // comment tells them) and drop the screen.
    let path = package.join("exhibit.toml");
    let manifest = std::fs::read_to_string(&path).unwrap();
    let screen = manifest
        .find("[videos.screen]")
        .expect("a flat video's screen");
    let after = manifest[screen..]
        .find("\n\n")
        .map_or(manifest.len(), |i| screen + i);
    let manifest = format!("{}{}", &manifest[..screen], &manifest[after..])
        .replace("projection = \"flat\"", "projection = \"360-stereo\"");
    std::fs::write(&path, &manifest).unwrap();

    let shot_of = |eye: &str| {
        let png = dir.0.join(format!("{eye}.png"));
        let mut cmd = disan();
        cmd.arg("shot")
            .arg(&package)
            .args(["--view", "video:stereo:0.5", "--no-ui", "--size", "480x270"])
            .args(["--eye", eye, "--out"])
            .arg(&png);
        let (log, picture) = shot_ok(cmd, &png, eye);
        assert!(log.contains("video \"stereo\": frame 12 shown"), "{log}");
        picture.get_pixel(240, 135).0.map(i32::from)
    };
    let (left, right) = (shot_of("left"), shot_of("right"));
    assert!(
        left[0] > left[2] + 60,
        "the left eye sees the top half (red) ahead: {left:?}"
    );
    assert!(
        right[2] > right[0] + 60,
        "the right eye sees the bottom half (blue) ahead: {right:?}"
    );
}

/// FFmpeg reads a rendition by its path, past the asset reader's signature checks: in a signed
/// package a rendition changed after signing is not played, and the notice names it.
#[test]
fn a_rendition_changed_after_signing_is_not_played() {
    let dir = temp("video", "signed");
    let film = dir.0.join("signed.mp4");
    make(
        &film,
        PatternSpec {
            seconds: 2.0,
            ..PatternSpec::default()
        },
    )
    .unwrap();
    let package = dir.0.join("package");
    let run_ok = |args: &[&std::ffi::OsStr]| {
        let out = disan().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", run::text(&out));
    };
    run_ok(&[
        "pack".as_ref(),
        "--as".as_ref(),
        "video".as_ref(),
        "--out".as_ref(),
        package.as_os_str(),
        film.as_os_str(),
    ]);
    let key = dir.0.join("museum.key");
    run_ok(&["keygen".as_ref(), "--out".as_ref(), key.as_os_str()]);
    run_ok(&[
        "sign".as_ref(),
        package.as_os_str(),
        "--key".as_ref(),
        key.as_os_str(),
    ]);

    let shoot = |name: &str| {
        let png = dir.0.join(name);
        let out = disan()
            .arg("shot")
            .arg(&package)
            .args([
                "--view",
                "video:signed:1",
                "--no-ui",
                "--size",
                "640x360",
                "--out",
            ])
            .arg(&png)
            .output()
            .unwrap();
        let log = run::text(&out);
        assert!(out.status.success() && !log.contains("panicked"), "{log}");
        let (shown, _) = logged_screen(&log, "signed");
        (shown, log)
    };
    // Signed and intact: it plays (frame 25 at 1 s).
    assert_eq!(shoot("intact.png").0, 25);
    // The rendition the viewer plays (the largest: 640×360 in H.264 and VP9; whichever it is,
    // change them all), changed after signing.
    for entry in std::fs::read_dir(package.join("videos/signed")).unwrap() {
        let path = entry.unwrap().path();
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("webm" | "mp4")
        ) {
            let mut bytes = std::fs::read(&path).unwrap();
            let at = bytes.len() / 2;
            bytes[at] ^= 0x55;
            std::fs::write(&path, bytes).unwrap();
        }
    }
    let (shown, log) = shoot("tampered.png");
    assert_eq!(
        shown,
        u64::MAX,
        "nothing of the changed file is shown: {log}"
    );
    assert!(
        log.contains("videos/signed/video.json") && log.contains("the video is not played"),
        "the notice names the video: {log}"
    );
}

/// The caption line the shot's log says is drawn: its text and its box `[x, y, w, h]`.
fn logged_caption(log: &str) -> (String, [f32; 4]) {
    let line = log
        .lines()
        .find(|l| l.contains("video caption \""))
        .unwrap_or_else(|| panic!("no caption line in: {log}"));
    let rest = line.split("video caption \"").nth(1).unwrap();
    let (text, rest) = rest.rsplit_once("\" ").unwrap();
    assert!(
        rest.starts_with("shown"),
        "the caption line is hidden: {line}"
    );
    let rect = rest
        .split('[')
        .nth(1)
        .and_then(|r| r.split(']').next())
        .unwrap();
    let v: Vec<f32> = rect.split(',').map(|n| n.trim().parse().unwrap()).collect();
    (text.to_owned(), [v[0], v[1], v[2], v[3]])
}

/// Captions are timed to the recording: at a moment inside a cue its text is drawn, in the
/// visitor's language; in the gap between two cues nothing is. Read from the bundled festival
/// exhibit's own WebVTT files, so the test follows their times if they are edited.
#[test]
fn captions_follow_the_recording_in_the_visitors_language() {
    let dir = temp("video", "captions");
    let exhibit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits/choi-trau-do-son");
    let cues = |lang: &str| {
        disan_format::parse_vtt(
            &std::fs::read_to_string(exhibit.join(format!("captions/festival.{lang}.vtt")))
                .unwrap(),
        )
        .unwrap()
    };
    let (vi, en) = (cues("vi"), cues("en"));
    // The second cue, a little after its start; and the gap before it.
    let cue = &vi.cues[1];
    let inside = cue.start + 0.1;
    let gap = vi.cues[0].end + (cue.start - vi.cues[0].end) / 2.0;
    assert!(gap < cue.start && gap > vi.cues[0].end);
    let shoot = |seconds: f64, lang: &str| {
        let png = dir.0.join(format!("at-{seconds}-{lang}.png"));
        let mut cmd = disan();
        cmd.arg("shot")
            .arg(&exhibit)
            .args([
                "--view",
                &format!("video:festival:{seconds}"),
                "--lang",
                lang,
            ])
            .args(["--size", "960x540", "--out"])
            .arg(&png);
        let (log, picture) = shot_ok(cmd, &png, &format!("the shot at {seconds} s in {lang}"));
        let (text, rect) = logged_caption(&log);
        (text, rect, picture)
    };
    let (text, rect, picture) = shoot(inside, "vi");
    assert_eq!(
        text,
        cue.text.replace('\n', " / "),
        "the Vietnamese cue at {inside} s"
    );
    // Drawn, not only set: light letters on the dark panel inside the caption's box.
    let [x, y, w, h] = rect.map(|v| v.round().max(0.0) as u32);
    assert!(w > 100 && h > 10, "a caption of some size: {rect:?}");
    let letters = (x..x + w)
        .flat_map(|px| (y..y + h).map(move |py| (px, py)))
        .filter(|&(px, py)| {
            picture
                .get_pixel(px, py)
                .0
                .iter()
                .map(|&c| u32::from(c))
                .sum::<u32>()
                > 450
        })
        .count();
    assert!(
        letters > 50,
        "letters drawn in the caption's box: {letters} light pixels"
    );

    let (text, _, _) = shoot(inside, "en");
    let en_cue = en
        .cues
        .iter()
        .find(|c| c.start <= inside && inside < c.end)
        .unwrap();
    assert_eq!(
        text,
        en_cue.text.replace('\n', " / "),
        "the English cue at {inside} s"
    );
    assert_ne!(en_cue.text, cue.text);

    let (text, _, _) = shoot(gap, "vi");
    assert_eq!(text, "", "no caption between cues, at {gap} s");
}

/// A recording without picture (`disan pack --as audio`) plays as a video does: a tour stop on
/// one of its chapters starts it there, its captions follow it, and an exhibit of recordings
/// alone still opens (a marker and a stage to frame, never "nothing to draw").
#[test]
fn a_recording_without_picture_plays_with_its_chapters_and_captions() {
    let dir = temp("video", "recording");
    let song = dir.0.join("hat-dum.wav");
    let made = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:d=8"])
        .arg(&song)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", run::text(&made));
    let package = dir.0.join("package");
    let out = disan()
        .args(["pack", "--out"])
        .arg(&package)
        .arg(&song)
        .output()
        .unwrap();
    assert!(out.status.success(), "pack: {}", run::text(&out));
    std::fs::create_dir_all(package.join("captions")).unwrap();
    std::fs::write(
        package.join("captions/hat-dum.vi.vtt"),
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nCâu thứ nhất\n\n00:00:05.000 --> 00:00:07.000\nCâu đối đáp\n",
    )
    .unwrap();
    let manifest = std::fs::read_to_string(package.join("exhibit.toml"))
        .unwrap()
        .replace(
            "# captions = { vi = \"captions/recording.vi.vtt\", en = \"captions/recording.en.vtt\" }",
            "captions = { vi = \"captions/hat-dum.vi.vtt\" }\n\n[[recordings.chapters]]\nid = \"mo-dau\"\nstart = 0.0\ntitle = { vi = \"Mở đầu\", en = \"Opening\" }\n\n[[recordings.chapters]]\nid = \"doi-dap\"\nstart = 4.5\ntitle = { vi = \"Đối đáp\", en = \"The exchange\" }",
        );
    let manifest = manifest.replace(
        "[rights]",
        "[[tours]]\nid = \"main\"\ntitle = { vi = \"Nghe hát\", en = \"Listening\" }\n\n[[tours.stops]]\nvideo = \"hat-dum\"\nchapter = \"doi-dap\"\ntext = { vi = \"Phần đối đáp.\", en = \"The exchange.\" }\n\n[rights]",
    );
    assert!(manifest.contains("[[recordings.chapters]]"), "{manifest}");
    std::fs::write(package.join("exhibit.toml"), manifest).unwrap();
    let validated = disan().arg("validate").arg(&package).output().unwrap();
    // Warnings only (exit 2): the texts staff have yet to write.
    assert_eq!(
        validated.status.code(),
        Some(2),
        "validate: {}",
        run::text(&validated)
    );

    let shoot = |view: &str| {
        let png = dir.0.join(format!("{}.png", view.replace(':', "-")));
        let mut cmd = disan();
        cmd.arg("shot")
            .arg(&package)
            .args(["--view", view, "--size", "960x540", "--out"])
            .arg(&png);
        let (log, _) = shot_ok(cmd, &png, view);
        assert!(!log.contains("nothing to draw"), "{log}");
        log
    };
    // Sought to 1.5 s: the first line's caption.
    let log = shoot("video:hat-dum:1.5");
    assert!(
        log.contains("video \"hat-dum\": frame none shown at 1.500 s"),
        "{log}"
    );
    assert_eq!(logged_caption(&log).0, "Câu thứ nhất");
    // The tour stop on the chapter "doi-dap" starts the recording at 4.5 s: no caption yet
    // (the next line is at 5 s), the time the chapter's.
    let log = shoot("tour:main:1");
    assert!(
        log.contains("video \"hat-dum\": frame none shown at 4.500 s"),
        "{log}"
    );
    assert_eq!(logged_caption(&log).0, "");
}
