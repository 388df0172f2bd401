//! 360° panoramas through the real binary: photos of an orientation chart packed with `disan pack
//! --as panorama`, then looked at from their scenes in every direction. Each shot's colour in the
//! middle of the view must be the chart's colour in that direction, so a face turned, mirrored or
//! swapped, a heading applied the wrong way, or a scene not switched shows at once.

mod run;
use run::{TempDir, disan, text};

fn temp(name: &str) -> TempDir {
    run::temp("panorama", name)
}

/// The orientation chart: red grows with yaw (0 at -180°, 240 at +180°), green with pitch (0 at
/// the nadir, 240 at the zenith); `blue` tells the scenes apart. Dark lines every 30° make it
/// readable to a person looking at the shots.
fn chart(w: u32, blue: u8) -> image::RgbImage {
    let h = w / 2;
    image::RgbImage::from_fn(w, h, |x, y| {
        let yaw01 = (f64::from(x) + 0.5) / f64::from(w);
        let pitch01 = 1.0 - (f64::from(y) + 0.5) / f64::from(h);
        let on_line =
            |t: f64, steps: f64| ((t * steps).fract() < 0.004) || ((t * steps).fract() > 0.996);
        if on_line(yaw01, 12.0) || on_line(pitch01, 6.0) {
            return image::Rgb([20, 20, 20]);
        }
        image::Rgb([(yaw01 * 240.0) as u8, (pitch01 * 240.0) as u8, blue])
    })
}

/// The chart's red and green for a direction on the photograph.
fn chart_at(yaw: f64, pitch: f64) -> [f64; 2] {
    [(yaw / 360.0 + 0.5) * 240.0, (pitch / 180.0 + 0.5) * 240.0]
}

/// The mean colour of a 9×9 square around (x, y).
fn mean(img: &image::RgbImage, x: u32, y: u32) -> [f64; 3] {
    let mut sum = [0f64; 3];
    for yy in y - 4..=y + 4 {
        for xx in x - 4..=x + 4 {
            let p = img.get_pixel(xx, yy).0;
            for c in 0..3 {
                sum[c] += f64::from(p[c]);
            }
        }
    }
    sum.map(|s| s / 81.0)
}

#[test]
fn panoramas_are_seen_the_right_way_round_from_every_scene() {
    let dir = temp("walk");
    let photos = dir.0.join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    // 4096 wide: a cube of 1300 px in three levels; a 720-pixel-high view asks for the finest.
    chart(4096, 90).save(photos.join("01 gate.png")).unwrap();
    chart(2048, 200).save(photos.join("02 hall.png")).unwrap();
    let package = dir.0.join("walk");
    let out = disan()
        .args(["pack", "--as", "panorama", "--id", "walk", "--out"])
        .arg(&package)
        .arg(&photos)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // Staff's edits: the hall's photo turned a quarter right, a hotspot in the gate placed by
    // yaw and pitch, and a view in metres looking along -Z from the hall.
    let manifest = package.join("exhibit.toml");
    let written = std::fs::read_to_string(&manifest).unwrap();
    let edited = written.replacen(
        "position = [0.0, 1.6, -5.0]\nheading = 0",
        "position = [0.0, 1.6, -5.0]\nheading = 90",
        1,
    );
    assert_ne!(
        edited, written,
        "the hall's heading line is where pack writes it:\n{written}"
    );
    let edited = edited.replacen(
        "[rights]",
        "[[hotspots]]\nid = \"lintel\"\npanorama = \"01-gate\"\nyaw = 30\npitch = 10\n\
         title = { vi = \"Xà cửa\", en = \"Lintel\" }\nbody = { vi = \"Xà cửa chạm rồng.\", en = \"A lintel carved with dragons.\" }\n\n\
         [[views]]\nid = \"hall-minus-z\"\ntitle = { vi = \"Nhìn về phía bắc\", en = \"Looking north\" }\n\
         eye = [0.0, 1.6, -5.0]\ntarget = [0.5, 1.7, -6.0]\n\n[rights]",
        1,
    );
    std::fs::write(&manifest, edited).unwrap();
    let out = disan().arg("validate").arg(&package).output().unwrap();
    assert!(out.status.code() != Some(1), "{}", text(&out));

    let shot = |view: &str, size: &str| -> (String, image::RgbImage) {
        let png = dir.0.join(format!("{}-{size}.png", view.replace(':', "_")));
        let mut cmd = disan();
        cmd.args(["shot"])
            .arg(&package)
            .args(["--view", view, "--size", size, "--no-ui", "--out"])
            .arg(&png);
        run::shot_ok(cmd, &png, view)
    };
    let check =
        |img: &image::RgbImage, x: u32, y: u32, yaw: f64, pitch: f64, blue: f64, what: &str| {
            let got = mean(img, x, y);
            let want = chart_at(yaw, pitch);
            assert!(
                (got[0] - want[0]).abs() < 10.0
                    && (got[1] - want[1]).abs() < 10.0
                    && (got[2] - blue).abs() < 12.0,
                "{what}: {got:?} where the chart has [{:.0}, {:.0}, {blue}]",
                want[0],
                want[1]
            );
        };

    // (Every probe keeps a few degrees off the chart's lines, drawn every 30°.)
    // Near the photo's centre from the gate, drawn from the finest level's tiles.
    let (log, ahead) = shot("panorama:01-gate:10:5", "1280x720");
    assert!(
        log.contains("panorama: \"01-gate\" at level 3 of 3"),
        "{log}"
    );
    check(&ahead, 640, 360, 10.0, 5.0, 90.0, "ahead");
    // Right of the middle is further right on the photo (not mirrored), above is higher.
    // 45° of vertical view over 720 px: 400 px right of the middle is atan(400/869) = 24.7°,
    // 300 px above it atan(300/869) = 19°.
    check(&ahead, 1040, 360, 34.7, 5.0, 90.0, "right of the middle");
    check(&ahead, 640, 60, 10.0, 24.0, 90.0, "above the middle");
    let (_, right) = shot("panorama:01-gate:100:5", "1280x720");
    check(&right, 640, 360, 100.0, 5.0, 90.0, "turned right");
    let (_, left_up) = shot("panorama:01-gate:-125:40", "1280x720");
    check(&left_up, 640, 360, -125.0, 40.0, 90.0, "turned left and up");
    let (_, down) = shot("panorama:01-gate:45:-70", "1280x720");
    check(&down, 640, 360, 45.0, -70.0, 90.0, "looking down");

    // The hall: another scene (blue 200); its heading turns its photo, not its yaw.
    let (log, hall) = shot("panorama:02-hall:10:5", "1280x720");
    assert!(log.contains("panorama: showing scene \"02-hall\""), "{log}");
    check(&hall, 640, 360, 10.0, 5.0, 200.0, "the hall's centre");
    // Looking 26.6° right of -Z and 5.1° up in the exhibit's space from the hall, whose photo's
    // centre faces +X (heading 90): that is 63.4° left of the photo's centre.
    let (_, north) = shot("hall-minus-z", "1280x720");
    check(
        &north,
        640,
        360,
        -63.43,
        5.11,
        200.0,
        "the hall, heading applied",
    );

    // The gate's hotspot: opening it turns the camera to it, and it stays in the gate.
    let (_, hotspot) = shot("lintel", "1280x720");
    let middle = mean(&hotspot, 640, 360);
    assert!(
        (middle[2] - 90.0).abs() < 12.0,
        "still in the gate: {middle:?}"
    );
    assert!(
        middle[0] > chart_at(30.0, 0.0)[0],
        "turned right to the hotspot and past it (beside the panel): {middle:?}"
    );

    // The link to the hall: a white marker 10° below the middle at the gate's home view.
    let (_, home) = shot("home", "1280x720");
    let below = 360 + (10f64.to_radians().tan() / 22.5f64.to_radians().tan() * 360.0) as u32;
    let marker = mean(&home, 640, below);
    assert!(
        marker.iter().all(|c| *c > 200.0),
        "no link marker at (640, {below}): {marker:?}"
    );

    // A phone held upright sees the same photo, narrower.
    let (_, phone) = shot("panorama:01-gate:10:5", "390x844");
    check(&phone, 195, 422, 10.0, 5.0, 90.0, "the phone's middle");
}
