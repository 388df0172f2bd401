//! `disan pack --as panorama`: equirectangular photos become multiresolution cube tiles (every
//! tile of every level, of the size its level says, holding the part of the sphere its face and
//! place say), and a folder of photos becomes one exhibit of linked scenes that validates.

use std::path::PathBuf;

use disan_format::panorama::{CubeFace, CubeTileId, CubeTiles, yaw_pitch};
use disan_pack::{PackError, PackKind, PackOptions, Progress, pack_scan};
use image::{Rgb, RgbImage};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("disan-pano-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An orientation chart: red grows with yaw (0 at -180°, 240 at +180°), green with pitch (0 at
/// the nadir, 240 at the zenith), so a face turned, mirrored or swapped with another shows it.
fn chart(w: u32) -> RgbImage {
    let h = w / 2;
    RgbImage::from_fn(w, h, |x, y| {
        let yaw01 = (f64::from(x) + 0.5) / f64::from(w);
        let pitch01 = 1.0 - (f64::from(y) + 0.5) / f64::from(h);
        Rgb([(yaw01 * 240.0) as u8, (pitch01 * 240.0) as u8, 90])
    })
}

/// The colour the chart has in a direction.
fn chart_colour(dir: [f64; 3]) -> [f64; 2] {
    let (yaw, pitch) = yaw_pitch(dir);
    [(yaw / 360.0 + 0.5) * 240.0, (pitch / 180.0 + 0.5) * 240.0]
}

#[test]
fn a_folder_of_photos_becomes_linked_scenes_of_cube_tiles() {
    let dir = temp("walk");
    let photos = dir.join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    // 2048 wide: a cube of 650 pixels (a multiple of 2), two levels, edge tiles of 138 pixels.
    chart(2048)
        .save(photos.join("01 Cổng tam quan.png"))
        .unwrap();
    chart(1024).save(photos.join("02 Sân đình.jpg")).unwrap();
    let out = dir.join("package");
    let options = PackOptions {
        kind: Some(PackKind::Panorama),
        id: Some("dinh-360".into()),
        ..PackOptions::default()
    };
    let report = pack_scan(&photos, &out, &options, &Progress::hidden()).unwrap();
    let ids: Vec<&str> = report.panoramas.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["01-cong-tam-quan", "02-san-dinh"]);
    let first = &report.panoramas[0];
    assert_eq!((first.cube_px, first.levels), (650, 2));

    // Every tile is there, of its size, and shows the chart's colour for its directions.
    let folder = out.join("panoramas").join(&first.id);
    let tiles =
        CubeTiles::from_config_json(&std::fs::read_to_string(folder.join("config.json")).unwrap())
            .unwrap();
    assert_eq!(tiles.all_tiles().count(), first.tiles);
    assert_eq!(first.tiles, 6 + 6 * 4);
    // The gallery's card: the middle of the first photo (yaw ±90°, pitch ±50°), 640×360.
    let poster = image::open(out.join("poster.png")).unwrap().to_rgb8();
    assert_eq!(poster.dimensions(), (640, 360));
    let middle = poster.get_pixel(320, 180).0;
    assert!(
        (i32::from(middle[0]) - 120).abs() <= 6 && (i32::from(middle[1]) - 120).abs() <= 6,
        "{middle:?}"
    );
    for id in tiles.all_tiles() {
        let path = folder.join(CubeTiles::tile_path(id));
        let img = image::open(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .to_rgb8();
        let [x, y, w, h] = tiles.tile_rect(id);
        assert_eq!(img.dimensions(), (w, h), "{}", path.display());
        let size = f64::from(tiles.level_size(id.level));
        // Probe a few pixels away from the ±180° seam, where red jumps from 240 to 0.
        for (px, py) in [(w / 4, h / 4), (w / 2, h / 2), (3 * w / 4, 3 * h / 4)] {
            let u = (f64::from(x + px) + 0.5) / size;
            let v = (f64::from(y + py) + 0.5) / size;
            let dir = id.face.direction_at(u, v);
            let (yaw, pitch) = yaw_pitch(dir);
            if yaw.abs() > 170.0 || pitch.abs() > 80.0 {
                continue;
            }
            let want = chart_colour(dir);
            let got = img.get_pixel(px, py).0;
            for c in 0..2 {
                assert!(
                    (f64::from(got[c]) - want[c]).abs() <= 8.0,
                    "{} ({px}, {py}), yaw {yaw:.1} pitch {pitch:.1}: {got:?}, the chart has {want:?}",
                    path.display()
                );
            }
        }
    }

    // The manifest validates with warnings only (texts to fill in), the scenes linked both ways.
    let (manifest, problems) = disan_format::validate_package(&out);
    let errors: Vec<String> = problems
        .into_sorted()
        .iter()
        .filter(|p| p.severity == disan_format::Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let manifest = manifest.unwrap();
    assert!(manifest.models.is_empty());
    assert_eq!(manifest.panoramas.len(), 2);
    assert_eq!(manifest.panoramas[0].links[0].to, "02-san-dinh");
    assert_eq!(manifest.panoramas[1].links[0].to, "01-cong-tam-quan");
    assert_eq!(manifest.panoramas[1].position, [0.0, 1.6, -5.0]);
    // Every tile is a package file, so a signed package signs each one.
    let files =
        disan_format::integrity::package_files(&manifest, |p| std::fs::read(out.join(p)).ok());
    assert!(
        files.contains(&format!("panoramas/{}/2/f0_1.jpg", first.id)),
        "{files:?}"
    );

    // A missing tile is found by validate, named, and leaves the scene out.
    std::fs::remove_file(folder.join("2/u1_1.jpg")).unwrap();
    let (_, problems) = disan_format::validate_package(&out);
    let text: String = problems
        .into_sorted()
        .iter()
        .map(|p| format!("{p}\n"))
        .collect();
    assert!(
        text.contains("2/u1_1.jpg") && text.contains("left out"),
        "{text}"
    );
}

#[test]
fn a_photo_that_is_not_a_whole_sphere_is_refused_in_words() {
    let dir = temp("partial");
    let input = dir.join("half.png");
    RgbImage::new(300, 100).save(&input).unwrap();
    let options = PackOptions {
        kind: Some(PackKind::Panorama),
        ..PackOptions::default()
    };
    let err = pack_scan(&input, &dir.join("out"), &options, &Progress::hidden()).unwrap_err();
    assert!(matches!(err, PackError::PanoramaImage { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("half.png") && text.contains("300×100") && text.contains("2:1"),
        "{text}"
    );
    let vi = err.localized(disan_pack::Lang::Vi);
    assert!(vi.contains("ảnh toàn cảnh 360°"), "{vi}");
}

#[test]
fn level_one_is_the_whole_face_in_one_tile() {
    // The viewer shows level 1 first, one tile a face: check the face letters are where the
    // sphere says, at the smallest level too.
    let dir = temp("faces");
    let input = dir.join("pano.png");
    chart(1024).save(&input).unwrap();
    let options = PackOptions {
        kind: Some(PackKind::Panorama),
        ..PackOptions::default()
    };
    let report = pack_scan(&input, &dir.join("out"), &options, &Progress::hidden()).unwrap();
    let folder = dir.join("out/panoramas").join(&report.panoramas[0].id);
    for (face, yaw) in [
        (CubeFace::Front, 0.0),
        (CubeFace::Right, 90.0),
        (CubeFace::Left, -90.0),
    ] {
        let id = CubeTileId {
            level: 1,
            face,
            row: 0,
            col: 0,
        };
        let img = image::open(folder.join(CubeTiles::tile_path(id)))
            .unwrap()
            .to_rgb8();
        let c = img.get_pixel(img.width() / 2, img.height() / 2).0;
        let want = (yaw / 360.0 + 0.5) * 240.0;
        assert!((f64::from(c[0]) - want).abs() <= 8.0, "{face:?}: {c:?}");
        assert!((f64::from(c[1]) - 120.0).abs() <= 8.0, "{face:?}: {c:?}");
    }
}
