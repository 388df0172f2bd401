//! 360° panoramas (`disan pack PANO.jpg --as panorama`, or a folder of them): each
//! equirectangular photo is re-projected onto the six faces of a cube and cut into multiresolution
//! tiles ([`disan_format::panorama`], Pannellum's layout), so the viewer fetches only the tiles in
//! view at the detail the screen needs, instead of a 16384×8192 image (400 MB decoded) that no
//! phone's GPU takes as one texture.
//!
//! A folder of panoramas becomes one exhibit of scenes in file-name order (name them `01-gate`,
//! `02-courtyard`, `03-altar`): each stands 5 m further in than the last, with links forward and
//! back, for staff to turn to where the doors really are.
//!
//! Faces are sampled bilinearly from the photo at about its own resolution (the cube's side is the
//! photo's width over π, so the equator keeps its pixels); lower levels are halved with a 2×2
//! box filter, exactly, as the cube's side is a multiple of every level's scale.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use disan_format::panorama::{CubeFace, CubeTileId, CubeTiles, MAX_EQUIRECT_WIDTH};
use image::RgbImage;

use crate::{PackError, Progress};

/// How far apart scenes made from a folder stand, metres: a few steps, so the sound sources of
/// one place are heard nearer from its own scene than from the next.
pub const SCENE_SPACING_M: f32 = 5.0;

/// One scene as packed.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SceneReport {
    pub id: String,
    /// The photo it was made from (its file name).
    pub source: String,
    pub width_px: u32,
    pub height_px: u32,
    pub cube_px: u32,
    pub levels: u8,
    pub tiles: usize,
    pub tile_bytes: u64,
    /// The scene's `config.json`, relative to the package.
    pub config: String,
}

/// Reads an equirectangular photo: 2:1, at most [`MAX_EQUIRECT_WIDTH`] wide.
pub fn read_equirect(path: &Path) -> Result<RgbImage, PackError> {
    let fail = |message: String| PackError::PanoramaImage {
        path: path.to_owned(),
        message,
    };
    let (w, h) = image::ImageReader::open(path)
        .and_then(image::ImageReader::with_guessed_format)
        .map_err(|e| fail(format!("cannot be read ({e})")))?
        .into_dimensions()
        .map_err(|e| {
            fail(format!(
                "is not an image disan pack reads ({e}); save the panorama as JPEG, PNG or TIFF"
            ))
        })?;
    if w != 2 * h {
        return Err(fail(format!(
            "is {w}×{h} pixels, not 2:1: a full 360° panorama in equirectangular projection is twice as wide as it is high. Export the whole sphere from the stitching software (a partial panorama is not shown yet)"
        )));
    }
    if w > MAX_EQUIRECT_WIDTH {
        return Err(fail(format!(
            "is {w}×{h} pixels, more than the viewer shows (16384×8192): export it at 16384×8192 or less"
        )));
    }
    let img = crate::document::read_image(path).map_err(|e| match e {
        PackError::DocumentImage { message, .. } => fail(message),
        other => other,
    })?;
    Ok(img)
}

/// The full-resolution face: each pixel the photo's colour in that pixel's direction, sampled
/// bilinearly (wrapping round at the photo's left and right edges).
pub fn render_face(equirect: &RgbImage, face: CubeFace, size: u32) -> RgbImage {
    let (w, h) = equirect.dimensions();
    let src = equirect.as_raw();
    let at = |x: i64, y: i64, c: usize| -> f64 {
        let x = x.rem_euclid(i64::from(w)) as usize;
        let y = y.clamp(0, i64::from(h) - 1) as usize;
        f64::from(src[(y * w as usize + x) * 3 + c])
    };
    RgbImage::from_fn(size, size, |x, y| {
        let u = (f64::from(x) + 0.5) / f64::from(size);
        let v = (f64::from(y) + 0.5) / f64::from(size);
        let (yaw, pitch) = disan_format::panorama::yaw_pitch(face.direction_at(u, v));
        let fx = (yaw / 360.0 + 0.5) * f64::from(w) - 0.5;
        let fy = (0.5 - pitch / 180.0) * f64::from(h) - 0.5;
        let (x0, y0) = (fx.floor(), fy.floor());
        let (tx, ty) = (fx - x0, fy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        image::Rgb(std::array::from_fn(|c| {
            let top = at(x0, y0, c) * (1.0 - tx) + at(x0 + 1, y0, c) * tx;
            let bottom = at(x0, y0 + 1, c) * (1.0 - tx) + at(x0 + 1, y0 + 1, c) * tx;
            (top * (1.0 - ty) + bottom * ty).round().clamp(0.0, 255.0) as u8
        }))
    })
}

/// Writes the scene's cube tiles and `config.json` into `dir`. The faces are made on every core.
pub fn write_cube_tiles(
    equirect: &RgbImage,
    dir: &Path,
    progress: &Progress,
) -> Result<(CubeTiles, u64), PackError> {
    let tiles = CubeTiles::for_equirect(equirect.width());
    let total = tiles.all_tiles().count();
    let done = AtomicUsize::new(0);
    let bytes = AtomicU64::new(0);
    let next = AtomicUsize::new(0);
    let first_error: std::sync::Mutex<Option<PackError>> = std::sync::Mutex::new(None);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(6);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(&face) = CubeFace::ALL.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let mut img = render_face(equirect, face, tiles.cube);
                    for level in (1..=tiles.max_level).rev() {
                        if level < tiles.max_level {
                            img = crate::document::halve(&img);
                        }
                        debug_assert_eq!(img.width(), tiles.level_size(level));
                        let n = tiles.tiles_per_side(level);
                        for row in 0..n {
                            for col in 0..n {
                                let id = CubeTileId {
                                    level,
                                    face,
                                    row,
                                    col,
                                };
                                match write_tile(&tiles, &img, id, dir) {
                                    Ok(b) => {
                                        bytes.fetch_add(b, Ordering::Relaxed);
                                    }
                                    Err(e) => {
                                        first_error.lock().expect("not poisoned").get_or_insert(e);
                                        return;
                                    }
                                }
                                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                                progress.fraction(d as f64 / total as f64);
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = first_error.into_inner().expect("not poisoned") {
        return Err(e);
    }
    crate::write_file(&dir.join("config.json"), tiles.config_json().as_bytes())?;
    Ok((tiles, bytes.into_inner()))
}

fn write_tile(
    tiles: &CubeTiles,
    level: &RgbImage,
    id: CubeTileId,
    dir: &Path,
) -> Result<u64, PackError> {
    let path = dir.join(CubeTiles::tile_path(id));
    crate::document::write_jpeg_tile(level, tiles.tile_rect(id), &path)
}

/// The photos of a folder, in name order (the order of the walk).
pub fn photos_in(folder: &Path) -> Result<Vec<PathBuf>, PackError> {
    let entries = std::fs::read_dir(folder).map_err(|e| PackError::PanoramaImage {
        path: folder.to_owned(),
        message: format!("cannot be read ({e})"),
    })?;
    let mut photos: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && crate::input::SourceFormat::of(p) == Some(crate::SourceFormat::Image)
        })
        .collect();
    photos.sort();
    if photos.is_empty() {
        return Err(PackError::PanoramaImage {
            path: folder.to_owned(),
            message: "holds no panorama photos (.jpg, .png, .tif)".into(),
        });
    }
    Ok(photos)
}

/// Packs each photo as a scene of one exhibit in `out`; returns the scenes in walk order.
pub fn pack_scenes(
    photos: &[PathBuf],
    out: &Path,
    progress: &Progress,
    lang: crate::Lang,
) -> Result<Vec<SceneReport>, PackError> {
    let mut scenes: Vec<SceneReport> = Vec::new();
    for photo in photos {
        let mut id = crate::skeleton::id_from_file_name(photo);
        // Two photos whose names make the same id ("Cổng.jpg", "cong.png") stay two scenes.
        if scenes.iter().any(|s| s.id == id) {
            id = format!("{id}-{}", scenes.len() + 1);
        }
        progress.step(crate::messages::step_panorama(lang, &id));
        let img = read_equirect(photo)?;
        let dir = out.join("panoramas").join(&id);
        std::fs::create_dir_all(&dir).map_err(|source| PackError::Write {
            path: dir.clone(),
            source,
        })?;
        let (tiles, tile_bytes) = write_cube_tiles(&img, &dir, progress)?;
        if scenes.is_empty() {
            write_poster(&img, out)?;
        }
        scenes.push(SceneReport {
            source: photo
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            width_px: img.width(),
            height_px: img.height(),
            cube_px: tiles.cube,
            levels: tiles.max_level,
            tiles: tiles.all_tiles().count(),
            tile_bytes,
            config: format!("panoramas/{id}/config.json"),
            id,
        });
    }
    Ok(scenes)
}

/// The gallery's card and the page's poster while the viewer loads (`poster.png`, 640×360): the
/// middle of the first scene's photo, 180° wide and 100° high, as the visitor will first face it.
pub fn write_poster(equirect: &RgbImage, out: &Path) -> Result<(), PackError> {
    let half = image::imageops::resize(equirect, 1280, 640, image::imageops::FilterType::Triangle);
    let poster = image::imageops::crop_imm(&half, 320, 140, 640, 360).to_image();
    let mut png = Vec::new();
    poster
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encoding into memory does not fail");
    crate::write_file(&out.join("poster.png"), &png)
}

/// The `[[panoramas]]` tables for the manifest skeleton: the scenes in a line along -Z, each
/// linked to the next (straight ahead) and the one before (behind).
pub fn panoramas_tables(scenes: &[SceneReport]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# The scenes of the walk, in the order of the photos' names, {SCENE_SPACING_M} m apart. Turn each\n\
         # scene with `heading` and move its links to where the doors are (yaw: degrees right of\n\
         # the photo's centre; pitch: up). Hotspots and views can be placed in a scene the same way:\n\
         # `panorama = \"id\"`, `yaw`, `pitch` (docs/exhibit-format.md)."
    );
    for (i, scene) in scenes.iter().enumerate() {
        let _ = writeln!(s, "[[panoramas]]");
        let _ = writeln!(s, "id = \"{}\"", scene.id);
        let _ = writeln!(s, "src = \"{}\"", scene.config);
        let _ = writeln!(
            s,
            "title = {{ vi = \"{} {}\", en = \"{} {}\" }}",
            disan_format::FILL_IN_VI,
            scene.id,
            disan_format::FILL_IN_EN,
            scene.id
        );
        let _ = writeln!(
            s,
            "position = [0.0, 1.6, {:.1}]",
            0.0 - i as f32 * SCENE_SPACING_M
        );
        let _ = writeln!(s, "heading = 0");
        let _ = writeln!(
            s,
            "# From {}, {}×{} px: a cube of {} px a side in {} levels, {} tiles.",
            scene.source, scene.width_px, scene.height_px, scene.cube_px, scene.levels, scene.tiles
        );
        if let Some(next) = scenes.get(i + 1) {
            let _ = writeln!(
                s,
                "[[panoramas.links]]\nto = \"{}\"\nyaw = 0\npitch = -10",
                next.id
            );
        }
        if i > 0 {
            let _ = writeln!(
                s,
                "[[panoramas.links]]\nto = \"{}\"\nyaw = 180\npitch = -10",
                scenes[i - 1].id
            );
        }
        let _ = writeln!(s);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_face_shows_the_part_of_the_photo_it_faces() {
        // Four vertical bands, one per quarter of yaw, and a dark top and a light bottom.
        let photo = RgbImage::from_fn(256, 128, |x, y| {
            if y < 16 {
                image::Rgb([0, 0, 0])
            } else if y >= 112 {
                image::Rgb([255, 255, 255])
            } else {
                [
                    image::Rgb([200, 0, 0]),
                    image::Rgb([0, 200, 0]),
                    image::Rgb([0, 0, 200]),
                    image::Rgb([200, 200, 0]),
                ][(x / 64) as usize]
            }
        });
        // yaw -180..-90 red, -90..0 green, 0..90 blue, 90..180 yellow.
        let middle = |face| render_face(&photo, face, 32).get_pixel(16, 16).0;

        // The front face's middle is yaw 0, the green/blue border: green just left, blue just right.
        let front = render_face(&photo, CubeFace::Front, 32);
        assert_eq!(front.get_pixel(15, 16).0, [0, 200, 0]);
        assert_eq!(front.get_pixel(16, 16).0, [0, 0, 200]);
        assert_eq!(middle(CubeFace::Up), [0, 0, 0]);
        assert_eq!(middle(CubeFace::Down), [255, 255, 255]);
        let right = render_face(&photo, CubeFace::Right, 32);
        assert_eq!(right.get_pixel(8, 16).0, [0, 0, 200], "yaw 60-90°: blue");
        assert_eq!(
            right.get_pixel(24, 16).0,
            [200, 200, 0],
            "yaw 90-120°: yellow"
        );
        let left = render_face(&photo, CubeFace::Left, 32);
        assert_eq!(left.get_pixel(8, 16).0, [200, 0, 0], "yaw -120..-90°: red");
        assert_eq!(
            left.get_pixel(24, 16).0,
            [0, 200, 0],
            "yaw -90..-60°: green"
        );
    }
}
