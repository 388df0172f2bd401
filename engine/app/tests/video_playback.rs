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
        .and_then(|n| n.parse().ok())
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
    frame_number(picture.as_raw(), picture.width(), [x + 2, y + 2, w - 4, h - 4])
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
        assert!(rect[2] > 300.0, "the screen is large enough to read: {rect:?}");
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
    let (shown, rect) = logged_screen(&log, "festival");
    assert_eq!(shown, 12 * 25, "the chapter's first frame");
    // The chapter card is on the screen: not the black of a screen that never got a frame.
    let [x, y, w, h] = rect.map(|v| v as u32);
    let centre = picture.get_pixel(x + w / 2, y + h / 3);
    assert!(
        centre.0.iter().map(|&c| u32::from(c)).sum::<u32>() > 60,
        "the screen shows a picture, not black: {centre:?}"
    );
}
