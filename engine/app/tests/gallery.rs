//! Photo galleries through the real binary: the photo asked for is the one on the screen (read
//! off the picture by its colour, not taken from the viewer's word), a tour stop on a photo
//! shows it, and a damaged photo is left out with a notice while the others show.

mod run;

use std::path::Path;

use run::{disan, temp};

/// A package with a gallery of three solid photos of different proportions and a damaged one,
/// and a tour that stops on the third.
fn gallery_package(dir: &Path) {
    std::fs::create_dir_all(dir.join("photos")).unwrap();
    for (name, w, h, rgb) in [
        ("red", 400, 300, [220, 30, 30]),
        ("green", 300, 400, [30, 200, 30]),
        ("blue", 600, 200, [30, 30, 220]),
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

/// The colour at the screen's middle: the camera looks a little below the screen's centre
/// (0.14 of its width), which puts the centre about 80 px above the picture's middle at 540 px.
fn screen_colour(picture: &image::RgbImage) -> [u8; 3] {
    picture
        .get_pixel(picture.width() / 2, picture.height() / 2 - 80)
        .0
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

    // The first photo without one named.
    let (log, picture) = shoot("gallery:hoi");
    assert!(
        logged_photo(&log, "hoi").contains("photo \"red\" (1 of 3)"),
        "{log}"
    );
    let c = screen_colour(&picture);
    assert!(c[0] > 150 && c[1] < 90, "the red photo: {c:?}");

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
