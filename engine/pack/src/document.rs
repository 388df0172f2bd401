//! Document scans (`disan pack SCAN.tif --as document`): a sắc phong, a thần tích, a map, scanned
//! at 300–600 dpi on an A4–A0 scanner, tens of thousands of pixels a side. Two things come out:
//!
//! - the scan as an IIIF Image API level-0 tile pyramid (`scans/ID/info.json` and its tiles, see
//!   [`disan_format::iiif`]), which the viewer's reader zooms into and the city portal's IIIF
//!   viewers can show from the same files;
//! - a sheet model: the document as a flat board of its real size, textured with a level of the
//!   pyramid, so the exhibit stands in the 3D scene (and in VR) like any other; the full scan is
//!   laid over it as a zoomable panel (`[scans.panel]`).
//!
//! Levels are made by halving with a 2×2 box filter, level after level, as IIIF tilers do: each
//! level is an exact average of the finer one, so nothing shimmers when the reader crosses from
//! one level to the next. Tiles are encoded on every core.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use disan_format::iiif::{TileId, TilePyramid};
use image::{ImageReader, RgbImage};

use crate::input::{Material, Mesh, Scan, SourceFormat, TextureSource};
use crate::{PackError, Progress};

/// JPEG quality of document and panorama tiles: 85 keeps brush strokes and paper fibres sharp at
/// 1:1 (90 doubles the bytes for no visible gain; 75 smears the thin strokes of Hán characters).
const TILE_QUALITY: u8 = 85;

/// The longest side of the sheet model's texture: the level that a phone's GPU still takes.
pub const SHEET_TEXTURE_MAX: u32 = 2048;

/// The resolution assumed when staff give neither `--dpi` nor `--width`: what the programme's
/// document scanners are set to for archival masters.
pub const DEFAULT_DPI: f64 = 600.0;

/// A document scan as packed: the pyramid and where it was written.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DocumentReport {
    pub width_px: u32,
    pub height_px: u32,
    pub levels: usize,
    pub tiles: usize,
    pub tile_bytes: u64,
    /// The pyramid's `info.json`, relative to the package.
    pub info: String,
    /// The sheet's size in metres, from `--width` or the resolution.
    pub sheet_m: [f64; 2],
}

/// Reads a scan image of any size the format accepts (the image crate's default limit of
/// 512 MiB would refuse an A0 sheet at 600 dpi, 1.7 GB decoded).
pub fn read_image(path: &Path) -> Result<RgbImage, PackError> {
    let fail = |message: String| PackError::DocumentImage {
        path: path.to_owned(),
        message,
    };
    let mut reader = ImageReader::open(path)
        .map_err(|e| fail(format!("cannot be read ({e})")))?
        .with_guessed_format()
        .map_err(|e| fail(format!("cannot be read ({e})")))?;
    let (w, h) = reader.into_dimensions().map_err(|e| {
        fail(format!(
            "is not an image disan pack reads ({e}); save the scan as TIFF, PNG or JPEG"
        ))
    })?;
    if w > disan_format::iiif::MAX_SIDE
        || h > disan_format::iiif::MAX_SIDE
        || u64::from(w) * u64::from(h) > disan_format::iiif::MAX_PIXELS
    {
        return Err(fail(format!(
            "is {w}×{h} pixels, more than the viewer takes (65535 a side, 2 gigapixels in all): scan at a lower resolution or split the sheet"
        )));
    }
    reader = ImageReader::open(path)
        .and_then(ImageReader::with_guessed_format)
        .map_err(|e| fail(format!("cannot be read ({e})")))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(disan_format::iiif::MAX_SIDE);
    limits.max_image_height = Some(disan_format::iiif::MAX_SIDE);
    limits.max_alloc = Some(disan_format::iiif::MAX_PIXELS * 4);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| {
        fail(format!(
            "cannot be decoded ({e}); save the scan again as TIFF, PNG or JPEG"
        ))
    })?;
    Ok(img.into_rgb8())
}

/// The next level: half the size (rounded up, as IIIF viewers compute level sizes), each pixel
/// the mean of the 2×2 (at an odd edge 2×1 or 1×1) pixels it covers.
pub fn halve(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    let (hw, hh) = (w.div_ceil(2), h.div_ceil(2));
    let src = img.as_raw();
    let mut out = vec![0u8; (hw as usize) * (hh as usize) * 3];
    for y in 0..hh {
        let y0 = (2 * y) as usize;
        let y1 = ((2 * y + 1).min(h - 1)) as usize;
        for x in 0..hw {
            let x0 = (2 * x) as usize;
            let x1 = ((2 * x + 1).min(w - 1)) as usize;
            let o = ((y as usize) * (hw as usize) + x as usize) * 3;
            for c in 0..3 {
                let at = |xx: usize, yy: usize| u32::from(src[(yy * w as usize + xx) * 3 + c]);
                let sum = at(x0, y0) + at(x1, y0) + at(x0, y1) + at(x1, y1);
                out[o + c] = ((sum + 2) / 4) as u8;
            }
        }
    }
    RgbImage::from_raw(hw, hh, out).expect("sized above")
}

/// Writes the tile pyramid of `img` into `dir` (its `info.json` and tiles). `iiif_id` is the URL
/// the folder will be published at. Returns the pyramid, the bytes written and the level whose
/// longer side first fits [`SHEET_TEXTURE_MAX`] (for the sheet model).
pub fn write_pyramid(
    img: RgbImage,
    dir: &Path,
    iiif_id: &str,
    progress: &Progress,
) -> Result<(TilePyramid, u64, RgbImage), PackError> {
    let pyramid = TilePyramid::for_image(img.width(), img.height());
    let total = pyramid.tile_count();
    let done = AtomicUsize::new(0);
    let bytes = std::sync::atomic::AtomicU64::new(0);
    let mut level_img = img;
    let mut sheet = None;
    for level in 0..pyramid.levels() as u8 {
        if level > 0 {
            level_img = halve(&level_img);
        }
        debug_assert_eq!(level_img.dimensions(), pyramid.level_size(level));
        if sheet.is_none() && level_img.width().max(level_img.height()) <= SHEET_TEXTURE_MAX {
            sheet = Some(level_img.clone());
        }
        let (cols, rows) = pyramid.grid(level);
        let tiles: Vec<TileId> = (0..rows)
            .flat_map(|y| (0..cols).map(move |x| TileId { level, x, y }))
            .collect();
        let next = AtomicUsize::new(0);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let first_error: std::sync::Mutex<Option<PackError>> = std::sync::Mutex::new(None);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(tile) = tiles.get(k) else { break };
                        match write_tile(&pyramid, &level_img, *tile, dir) {
                            Ok(n) => {
                                bytes.fetch_add(n, Ordering::Relaxed);
                            }
                            Err(e) => {
                                first_error.lock().expect("not poisoned").get_or_insert(e);
                                break;
                            }
                        }
                        let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if d % 16 == 0 {
                            progress.fraction(d as f64 / total as f64);
                        }
                    }
                });
            }
        });
        if let Some(e) = first_error.into_inner().expect("not poisoned") {
            return Err(e);
        }
    }
    let info = serde_json::to_vec_pretty(&pyramid.info_json(iiif_id)).expect("serialises");
    crate::write_file(&dir.join("info.json"), &info)?;
    let sheet = sheet.unwrap_or(level_img);
    Ok((pyramid, bytes.into_inner(), sheet))
}

fn write_tile(
    pyramid: &TilePyramid,
    level: &RgbImage,
    t: TileId,
    dir: &Path,
) -> Result<u64, PackError> {
    let (w, h) = pyramid.tile_size(t);
    let rect = [t.x * pyramid.tile, t.y * pyramid.tile, w, h];
    write_jpeg_tile(level, rect, &dir.join(pyramid.tile_path(t)))
}

/// Writes the `[x, y, w, h]` part of `level` as a JPEG tile at `path` (its folders made), at
/// [`TILE_QUALITY`]; returns its size in bytes. Document and panorama tiles are written so.
pub(crate) fn write_jpeg_tile(
    level: &RgbImage,
    rect: [u32; 4],
    path: &Path,
) -> Result<u64, PackError> {
    let [x, y, w, h] = rect;
    let tile = image::imageops::crop_imm(level, x, y, w, h).to_image();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, TILE_QUALITY)
        .encode_image(&tile)
        .expect("encoding into memory does not fail");
    let parent = path.parent().expect("tile paths have folders");
    std::fs::create_dir_all(parent).map_err(|source| PackError::Write {
        path: parent.to_owned(),
        source,
    })?;
    std::fs::write(path, &jpeg).map_err(|source| PackError::Write {
        path: path.to_owned(),
        source,
    })?;
    Ok(jpeg.len() as u64)
}

/// Where the sheet stands in the exhibit frame: upright, facing +Z, its lower edge at
/// [`SHEET_BOTTOM_M`] (a lectern's height, so a visitor reads it without stooping).
pub const SHEET_BOTTOM_M: f64 = 0.8;

/// How far in front of the sheet model the zoomable panel lies: enough that the depth buffer
/// never lets the model's texture show through (1 mm at 10 m is still resolved), too little to see.
pub const PANEL_OFFSET_M: f64 = 0.001;

/// The sheet model as a one-quad scan for the mesh pipeline: `width_m` wide, its proportions the
/// scan's, textured with `sheet` (a level of the pyramid).
pub fn sheet_scan(sheet: &RgbImage, width_m: f64, name: &str) -> Scan {
    let (w, h) = sheet.dimensions();
    let height_m = width_m * f64::from(h) / f64::from(w);
    let (x0, x1) = (-width_m / 2.0, width_m / 2.0);
    let (y0, y1) = (SHEET_BOTTOM_M, SHEET_BOTTOM_M + height_m);
    let mut png = Vec::new();
    sheet
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encoding into memory does not fail");
    let mesh = Mesh {
        positions: vec![[x0, y0, 0.0], [x1, y0, 0.0], [x1, y1, 0.0], [x0, y1, 0.0]],
        normals: Some(vec![[0.0, 0.0, 1.0]; 4]),
        uvs: Some(vec![[0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]]),
        colors: None,
        indices: vec![0, 1, 2, 0, 2, 3],
        material: Material {
            name: "document sheet".into(),
            texture: Some(TextureSource::Embedded {
                bytes: std::sync::Arc::new(png),
                name: format!("{name} (sheet texture)"),
            }),
            roughness: 0.9,
            double_sided: true,
            ..Material::default()
        },
    };
    Scan {
        format: SourceFormat::Image,
        meshes: vec![mesh],
        generator: None,
        copyright: None,
        warnings: Vec::new(),
    }
}

/// The `[[scans]]` table for the manifest skeleton.
pub fn scans_table(id: &str, report: &DocumentReport) -> String {
    let [w, h] = report.sheet_m;
    let centre_y = SHEET_BOTTOM_M + h / 2.0;
    format!(
        "# The scan, {}×{} pixels in {} levels of {} tiles: visitors zoom into it in the reader\n\
         # and on the sheet. Add [[scans.regions]] for the parts worth reading (docs/exhibit-format.md).\n\
         [[scans]]\n\
         id = \"{id}\"\n\
         src = \"{}\"\n\
         panel = {{ centre = [0.0, {centre_y:.4}, {PANEL_OFFSET_M}], normal = [0.0, 0.0, 1.0], width = {w:.4} }}\n\
         # The sheet is {w:.3} m × {h:.3} m.\n",
        report.width_px, report.height_px, report.levels, report.tiles, report.info
    )
}

/// The physical width of the sheet: `--width` if given, otherwise from the resolution.
pub fn sheet_width_m(width_px: u32, width_m: Option<f64>, dpi: Option<f64>) -> f64 {
    width_m.unwrap_or_else(|| f64::from(width_px) / dpi.unwrap_or(DEFAULT_DPI) * 0.0254)
}

/// Where a package's scan folder goes.
pub fn scan_dir(out: &Path, id: &str) -> PathBuf {
    out.join("scans").join(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_averages_and_rounds_up() {
        let img = RgbImage::from_fn(3, 3, |x, y| {
            image::Rgb([(x * 100) as u8, (y * 100) as u8, 7])
        });
        let half = halve(&img);
        assert_eq!(half.dimensions(), (2, 2));
        // Top-left: mean of x 0,100 → 50; y 0,100 → 50.
        assert_eq!(half.get_pixel(0, 0).0, [50, 50, 7]);
        // The odd column alone: x = 200.
        assert_eq!(half.get_pixel(1, 0).0, [200, 50, 7]);
        assert_eq!(half.get_pixel(1, 1).0, [200, 200, 7]);
    }

    #[test]
    fn sheet_size_follows_the_resolution() {
        // An A4 page, 210 mm wide, at 600 dpi is 4961 pixels wide.
        assert!((sheet_width_m(4961, None, None) - 0.21).abs() < 0.001);
        assert_eq!(sheet_width_m(4961, Some(1.5), Some(300.0)), 1.5);
    }
}
