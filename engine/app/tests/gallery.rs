//! Photo galleries through the real binary: the photo asked for is the one on the screen (read
//! off the picture by its colour, not taken from the viewer's word), a tour stop on a photo
//! shows it, a damaged photo is left out with a notice while the others show, an upright photo
//! shows whole, and with two galleries the bar is for the one looked at.

mod run;

use std::path::Path;

use run::{disan, temp};

/// A package with a gallery of three solid photos of different proportions and a damaged one,
/// a second gallery of one yellow photo 8 m to its right, and a tour that stops on the third.
fn gallery_package(dir: &Path) {
    std::fs::create_dir_all(dir.join("photos")).unwrap();
    for (name, w, h, rgb) in [
        ("red", 400, 300, [220, 30, 30]),
        ("green", 300, 400, [30, 200, 30]),
        ("blue", 600, 200, [30, 30, 220]),
        ("yellow", 400, 300, [230, 210, 30]),
    ] {
        image::RgbImage::from_pixel(w, h, image::Rgb(rgb))
            .save(dir.join(format!("photos/{name}.png")))
            .unwrap();
    }
    std::fs::write(dir.join("photos/broken.jpg"), b"not a photograph").unwrap();
    let photo = |id: &str, file: &str, vi: &str, en: &str| {
        format!(
            "[[galleries.photos]]\nid = \"{id}\"\nsrc = \"photos/{file}\"\ncaption = {{ vi = \"{vi}\", en = \"{en}\" }}\n\n"
        )
    };
    let manifest = format!(
        "format = 1\nid = \"anh\"\nkind = \"intangible\"\nrank = \"city\"\n\
         title = {{ vi = \"Ảnh lễ hội\", en = \"Festival photographs\" }}\n\n\
         [summary]\nvi = \"Ảnh.\"\nen = \"Photographs.\"\n\n\
         [[galleries]]\nid = \"hoi\"\ntitle = {{ vi = \"Ảnh hội\", en = \"The festival\" }}\n\
         [galleries.screen]\ncentre = [0.0, 1.6, 0.0]\nnormal = [0.0, 0.0, 1.0]\nwidth = 2.0\n\n\
         {}{}{}{}\
         [[galleries]]\nid = \"dinh\"\ntitle = {{ vi = \"Ảnh đình\", en = \"The communal house\" }}\n\
         [galleries.screen]\ncentre = [8.0, 1.6, 0.0]\nnormal = [0.0, 0.0, 1.0]\nwidth = 2.0\n\n\
         [[galleries.photos]]\nid = \"yellow\"\nsrc = \"photos/yellow.png\"\n\
         caption = {{ vi = \"Vàng\", en = \"Yellow\" }}\n\n\
         [[tours]]\nid = \"main\"\ntitle = {{ vi = \"Xem ảnh\", en = \"The photographs\" }}\n\n\
         [[tours.stops]]\ngallery = \"hoi\"\nphoto = \"blue\"\ntext = {{ vi = \"Ảnh xanh.\", en = \"The blue one.\" }}\n\n\
         [rights]\nlicense = \"CC-BY-4.0\"\nholder = \"Disan\"\n\
         attribution = {{ vi = \"Ảnh thử.\", en = \"Test photographs.\" }}\n\n\
         [provenance]\nmethod = \"procedural\"\n",
        photo("red", "red.png", "Đỏ", "Red"),
        photo("broken", "broken.jpg", "Hỏng", "Broken"),
        photo("green", "green.png", "Lục", "Green"),
        photo("blue", "blue.png", "Lam", "Blue"),
    );
    std::fs::write(dir.join("exhibit.toml"), manifest).unwrap();
}

/// The photo line of the shot's log for the gallery `id`.
fn logged_photo(log: &str, id: &str) -> String {
    log.lines()
        .find(|l| l.contains(&format!("gallery \"{id}\": photo ")))
        .unwrap_or_else(|| panic!("no photo line for {id} in: {log}"))
        .split("gallery ")
        .nth(1)
        .unwrap()
        .to_owned()
}

/// The colour at the screen's middle: the middle of the run of non-sky, non-ground colour in
/// the picture's centre column (where the photo is, between the bars, wherever the camera put
/// it).
fn screen_colour(picture: &image::RgbImage) -> [u8; 3] {
    let x = picture.width() / 2;
    let saturated = |p: &image::Rgb<u8>| {
        let (max, min) = (*p.0.iter().max().unwrap(), *p.0.iter().min().unwrap());
        max > 150 && min < 90
    };
    let rows: Vec<u32> = (0..picture.height())
        .filter(|&y| saturated(picture.get_pixel(x, y)))
        .collect();
    assert!(
        rows.len() >= 30,
        "no photo in the centre column ({} rows)",
        rows.len()
    );
    picture.get_pixel(x, rows[rows.len() / 2]).0
}

#[test]
fn a_gallery_shows_the_photo_asked_for_and_leaves_out_a_damaged_one() {
    let dir = temp("gallery", "photos");
    let package = dir.0.join("package");
    gallery_package(&package);
    let shoot = |view: &str| {
        let png = dir.0.join(format!("{}.png", view.replace(':', "-")));
        let mut cmd = disan();
        cmd.arg("shot")
            .arg(&package)
            .args(["--view", view, "--size", "960x540", "--out"])
            .arg(&png);
        let out = cmd.output().unwrap();
        let log = run::text(&out);
        assert!(
            out.status.success() && !log.contains("panicked"),
            "{view}: {log}"
        );
        (log, image::open(&png).unwrap().to_rgb8())
    };
    let (log, picture) = shoot("gallery:hoi:green");
    // The damaged photo is named in a notice and left out: three of four show.
    assert!(log.contains("photos/broken.jpg"), "{log}");
    assert_eq!(
        logged_photo(&log, "hoi"),
        "\"hoi\": photo \"green\" (2 of 3) shown"
    );
    let c = screen_colour(&picture);
    assert!(
        c[1] > 150 && c[0] < 90 && c[2] < 90,
        "the green photo on the screen: {c:?}"
    );
    // The upright photo (3:4) shows whole: neither cut by the picture's edge nor hidden behind
    // the gallery bar, so its green is as tall as 4/3 of its width.
    let green = |p: &image::Rgb<u8>| p.0[1] > 150 && p.0[0] < 90 && p.0[2] < 90;
    let x = picture.width() / 2;
    let rows: Vec<u32> = (0..picture.height())
        .filter(|&r| green(picture.get_pixel(x, r)))
        .collect();
    let y = rows[rows.len() / 2];
    let columns = (0..picture.width())
        .filter(|&c| green(picture.get_pixel(c, y)))
        .count() as f32;
    let (top, bottom) = (rows[0], *rows.last().unwrap());
    assert!(top > 0, "the photo's top is cut off");
    let ratio = (bottom - top + 1) as f32 / columns;
    assert!(
        (ratio - 4.0 / 3.0).abs() < 0.05,
        "the photo shows {ratio:.3} as tall as wide, not 4:3 (rows {top}..{bottom}, {columns} wide)"
    );
    assert!(log.contains("gallery bar: \"hoi\""), "{log}");

    // The first photo without one named.
    let (log, picture) = shoot("gallery:hoi");
    assert!(
        logged_photo(&log, "hoi").contains("photo \"red\" (1 of 3)"),
        "{log}"
    );
    let c = screen_colour(&picture);
    assert!(c[0] > 150 && c[1] < 90, "the red photo: {c:?}");

    // Turned to the second gallery, its photo in front and the bar for it.
    let (log, picture) = shoot("gallery:dinh");
    let c = screen_colour(&picture);
    assert!(
        c[0] > 150 && c[1] > 150 && c[2] < 90,
        "the yellow photo: {c:?}"
    );
    assert!(log.contains("gallery bar: \"dinh\""), "{log}");
    assert!(
        logged_photo(&log, "dinh").contains("photo \"yellow\" (1 of 1)"),
        "{log}"
    );

    // The tour's stop on the blue photo shows it.
    let png = dir.0.join("tour.png");
    let mut cmd = disan();
    cmd.arg("shot")
        .arg(&package)
        .args(["--view", "tour:main:1", "--size", "960x540", "--out"])
        .arg(&png);
    let out = cmd.output().unwrap();
    let log = run::text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        logged_photo(&log, "hoi").contains("photo \"blue\" (3 of 3)"),
        "{log}"
    );
    let c = screen_colour(&image::open(&png).unwrap().to_rgb8());
    assert!(c[2] > 150 && c[0] < 90, "the blue photo: {c:?}");
}

/// `disan validate` names a gallery's missing photo and its damaged one, each by its file.
#[test]
fn the_validator_names_a_missing_and_a_damaged_photo() {
    let dir = temp("gallery", "validate");
    let package = dir.0.join("package");
    gallery_package(&package);
    std::fs::remove_file(package.join("photos/green.png")).unwrap();
    let out = disan().arg("validate").arg(&package).output().unwrap();
    let log = run::text(&out);
    assert!(log.contains("photos/green.png"), "{log}");
    assert!(log.contains("photos/broken.jpg"), "{log}");
}
