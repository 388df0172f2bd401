//! Textures: each scan texture is decoded once, then scaled for each level with a Lanczos-3
//! filter (sharp without ringing on photographic texture) and written as JPEG (photographs
//! compress ten times better than as PNG) or PNG where the texture has transparency.
//!
//! Mipmaps: a JPEG or PNG cannot carry them; the viewer builds the full chain with a box filter
//! in the frame the texture arrives (engine/engine/src/content_guard.rs), natively and in the
//! browser, so a packed texture never shimmers.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::imageops::FilterType;
use image::{DynamicImage, RgbaImage};

use crate::glb::GlbTexture;
use crate::input::{Scan, TextureSlot, TextureSource};
use crate::progress::Progress;

/// JPEG quality for scan textures: 85 keeps stone grain and inscriptions legible at a third
/// of the bytes of 95.
const JPEG_QUALITY: u8 = 85;

/// The decoded textures of each mesh of the scan (by mesh index), shared where meshes share one.
pub struct DecodedTextures {
    per_mesh: Vec<MeshTextures>,
}

#[derive(Default)]
struct MeshTextures {
    base: Option<Arc<RgbaImage>>,
    maps: Vec<(TextureSlot, Arc<RgbaImage>)>,
}

impl DecodedTextures {
    /// The base colour texture of a mesh.
    pub fn get(&self, mesh: usize) -> Option<&RgbaImage> {
        self.per_mesh.get(mesh)?.base.as_deref()
    }

    /// The other maps of a mesh (normal, metallic-roughness, occlusion, emissive).
    pub fn maps(&self, mesh: usize) -> impl Iterator<Item = (TextureSlot, &RgbaImage)> {
        self.per_mesh
            .get(mesh)
            .into_iter()
            .flat_map(|m| m.maps.iter().map(|(slot, img)| (*slot, img.as_ref())))
    }
}

pub fn decode_all(
    scan: &Scan,
    input: &Path,
    progress: &Progress,
) -> Result<DecodedTextures, (PathBuf, String)> {
    let mut cache: HashMap<String, Arc<RgbaImage>> = HashMap::new();
    let mut per_mesh = Vec::new();
    for (i, mesh) in scan.meshes.iter().enumerate() {
        progress.fraction(i as f64 / scan.meshes.len().max(1) as f64);
        let mut textures = MeshTextures::default();
        if let Some(source) = &mesh.material.texture {
            textures.base = Some(decode_cached(
                source,
                &mesh.material.name,
                input,
                &mut cache,
            )?);
        }
        for (slot, source) in &mesh.material.maps {
            textures.maps.push((
                *slot,
                decode_cached(source, &mesh.material.name, input, &mut cache)?,
            ));
        }
        per_mesh.push(textures);
    }
    Ok(DecodedTextures { per_mesh })
}

fn decode_cached(
    source: &TextureSource,
    material: &str,
    input: &Path,
    cache: &mut HashMap<String, Arc<RgbaImage>>,
) -> Result<Arc<RgbaImage>, (PathBuf, String)> {
    let key = match source {
        TextureSource::File(p) => p.display().to_string(),
        TextureSource::Embedded { name, .. } => name.clone(),
    };
    if let Some(img) = cache.get(&key) {
        return Ok(img.clone());
    }
    let decoded = match source {
        TextureSource::File(path) => {
            let bytes = std::fs::read(path).map_err(|e| {
                (path.clone(), format!("the texture of material \"{material}\" cannot be read ({e}): put it beside the scan under this name, or fix the name in the material file"))
            })?;
            decode(&bytes).map_err(|e| (path.clone(), e))?
        }
        TextureSource::Embedded { bytes, name } => {
            decode(bytes).map_err(|e| (input.to_owned(), format!("{name}: {e}")))?
        }
    };
    let img = Arc::new(decoded.to_rgba8());
    cache.insert(key, img.clone());
    Ok(img)
}

fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    let (w, h) = disan_format::image_size(bytes)
        .map_err(|e| format!("is not an image disan pack reads ({e}); save it as JPEG or PNG"))?;
    // 32768² RGBA is 4 GiB: larger is not a texture any export makes on purpose.
    if u64::from(w) * u64::from(h) > 32768 * 32768 {
        return Err(format!(
            "is {w}×{h} pixels, larger than any scan texture (32768² at most): check the file"
        ));
    }
    image::load_from_memory(bytes)
        .map_err(|e| format!("cannot be decoded ({e}); save it again as JPEG or PNG"))
}

/// The texture for a level: at most `max_px` on its longer side, encoded.
pub fn encode_for_level(img: &RgbaImage, max_px: u32) -> GlbTexture {
    let (w, h) = img.dimensions();
    let scale = (max_px as f32 / w.max(h) as f32).min(1.0);
    let (nw, nh) = (
        ((w as f32 * scale).round() as u32).max(1),
        ((h as f32 * scale).round() as u32).max(1),
    );
    let scaled: std::borrow::Cow<'_, RgbaImage> = if (nw, nh) == (w, h) {
        std::borrow::Cow::Borrowed(img)
    } else {
        std::borrow::Cow::Owned(image::imageops::resize(img, nw, nh, FilterType::Lanczos3))
    };
    let opaque = scaled.pixels().all(|p| p.0[3] == 255);
    let mut out = Vec::new();
    if opaque {
        let rgb = DynamicImage::ImageRgba8(scaled.into_owned()).to_rgb8();
        let encoder =
            image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut out), JPEG_QUALITY);
        rgb.write_with_encoder(encoder)
            .expect("JPEG encoding into memory does not fail");
        GlbTexture {
            bytes: out,
            mime: "image/jpeg",
            width: nw,
            height: nh,
        }
    } else {
        scaled
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .expect("PNG encoding into memory does not fail");
        GlbTexture {
            bytes: out,
            mime: "image/png",
            width: nw,
            height: nh,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_texture_is_scaled_to_the_level_keeping_its_shape() {
        let img = RgbaImage::from_pixel(800, 400, image::Rgba([120, 100, 80, 255]));
        let t = encode_for_level(&img, 256);
        assert_eq!((t.width, t.height, t.mime), (256, 128, "image/jpeg"));
        let back = image::load_from_memory(&t.bytes).unwrap();
        assert_eq!((back.width(), back.height()), (256, 128));
        let small = encode_for_level(&img, 4096);
        assert_eq!((small.width, small.height), (800, 400), "never scaled up");
    }

    #[test]
    fn transparency_is_kept_as_png() {
        let img = RgbaImage::from_pixel(16, 16, image::Rgba([120, 100, 80, 10]));
        assert_eq!(encode_for_level(&img, 256).mime, "image/png");
    }
}
