//! Textures in the GPU's own block formats, in KTX2 containers, for the `gpu_textures` copies
//! of a level (docs/exhibit-format.md).
//!
//! Why: a JPEG is small on the wire, but the device must decode it, build its mipmaps (the
//! viewer does both on the CPU) and then hold it as 4 bytes a pixel: 85 MB for a 4K texture
//! with its mips. BC7 and ASTC 4×4 are sampled by the GPU as stored, at 1 byte a pixel, with
//! the mips written here. A viewer loads the copy its device samples and the JPEG level where
//! none fits (docs/pipeline.md weighs the bytes).
//!
//! - BC7 for desktop GPUs: 8 bits a pixel, near the JPEG's look at quality 85, with alpha (BC1
//!   would halve the bytes but bands the stone and lacquer gradients scans are made of).
//! - ETC2 RGB for phones, tablets and standalone headsets (every OpenGL ES 3 / Vulkan mobile
//!   GPU samples it): 4 bits a pixel, written as ETC1 blocks (which ETC2 decoders read as
//!   they are). No alpha: a level with a transparent texture gets no ETC2 copy. ASTC would look
//!   better, but no encoder that builds here without a C++ toolchain's libclang has it working
//!   (`intel_tex_2`'s ASTC entry point is unimplemented).
//! - The encoder is Intel's ISPC texture compressor (`intel_tex_2`, its kernels prebuilt for
//!   Linux, macOS and Windows with MSVC): a 4K texture in seconds. It ships no kernels for the
//!   MinGW build of Windows, where [`available`] is false and pack writes the JPEG levels only
//!   (saying so).
//! - Each mip level is Zstandard-compressed (KTX2 supercompression 2, read by Bevy's loader)
//!   with `ruzstd`, the pure-Rust codec Bevy already decodes with.
//! - Mips are made with a triangle filter from the level above, down to 1×1; block formats
//!   need the base size a multiple of 4, so the base is scaled to the nearest one (the aspect
//!   moves by under 0.2 %, texture coordinates are relative).

use disan_format::GpuTextureFormat;
use image::RgbaImage;
use image::imageops::FilterType;

use crate::glb::GlbTexture;

/// Whether this build of pack can write GPU texture copies.
pub fn available() -> bool {
    cfg!(not(all(target_os = "windows", target_env = "gnu")))
}

/// How a texture's values are read: colour (base colour, emissive) in sRGB, data (normals,
/// metal and roughness, occlusion) as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColourSpace {
    Srgb,
    Linear,
}

/// Vulkan format numbers (the KTX2 header's `vkFormat`).
fn vk_format(format: GpuTextureFormat, space: ColourSpace) -> u32 {
    match (format, space) {
        (GpuTextureFormat::Bc7, ColourSpace::Linear) => 145,
        (GpuTextureFormat::Bc7, ColourSpace::Srgb) => 146,
        (GpuTextureFormat::Etc2, ColourSpace::Linear) => 147,
        (GpuTextureFormat::Etc2, ColourSpace::Srgb) => 148,
    }
}

/// How a format is described in the KTX2 data format descriptor: its colour model
/// (KHR_DF_MODEL_BC7, _ETC2), the channel of its one sample (BC7 colour, ETC2 colour) and the
/// bytes of a 4×4 block.
fn df_layout(format: GpuTextureFormat) -> (u8, u8, u8) {
    match format {
        GpuTextureFormat::Bc7 => (134, 0, 16),
        GpuTextureFormat::Etc2 => (161, 2, 8),
    }
}

/// Whether `format` can hold this texture (ETC2 RGB has no alpha).
pub fn can_hold(format: GpuTextureFormat, img: &RgbaImage) -> bool {
    format != GpuTextureFormat::Etc2 || img.pixels().all(|p| p.0[3] == 255)
}

/// The texture for a level, as [`crate::texture::encode_for_level`] sizes it (at most `max_px`
/// on its longer side), in `format` with its full mip chain, in a KTX2 file. `format` must be
/// able to hold it ([`can_hold`]).
pub fn encode_ktx2(
    img: &RgbaImage,
    max_px: u32,
    format: GpuTextureFormat,
    space: ColourSpace,
) -> GlbTexture {
    let (w, h) = img.dimensions();
    let scale = (max_px as f32 / w.max(h) as f32).min(1.0);
    let to_block = |v: u32| (((v as f32 * scale) / 4.0).round() as u32 * 4).max(4);
    let (bw, bh) = (to_block(w), to_block(h));
    let base = if (bw, bh) == (w, h) {
        img.clone()
    } else {
        image::imageops::resize(img, bw, bh, FilterType::Lanczos3)
    };
    let opaque = base.pixels().all(|p| p.0[3] == 255);
    let mut levels = Vec::new();
    let mut mip = base;
    loop {
        levels.push(encode_blocks(&mip, format, opaque));
        let (mw, mh) = mip.dimensions();
        if mw == 1 && mh == 1 {
            break;
        }
        let next = ((mw / 2).max(1), (mh / 2).max(1));
        mip = image::imageops::resize(&mip, next.0, next.1, FilterType::Triangle);
    }
    GlbTexture {
        bytes: ktx2_file(
            vk_format(format, space),
            df_layout(format),
            space,
            bw,
            bh,
            &levels,
        ),
        mime: "image/ktx2",
        width: bw,
        height: bh,
    }
}

/// One mip level in 4×4 blocks (16 bytes for BC7, 8 for ETC2), row by row: the image padded to whole blocks by
/// repeating its last row and column, cut into bands of block rows encoded on every core.
fn encode_blocks(img: &RgbaImage, format: GpuTextureFormat, opaque: bool) -> Vec<u8> {
    let (w, h) = img.dimensions();
    let (pw, ph) = (w.div_ceil(4) * 4, h.div_ceil(4) * 4);
    let padded = if (pw, ph) == (w, h) {
        img.clone()
    } else {
        RgbaImage::from_fn(pw, ph, |x, y| *img.get_pixel(x.min(w - 1), y.min(h - 1)))
    };
    let block_rows = ph / 4;
    let band_rows =
        block_rows.div_ceil(std::thread::available_parallelism().map_or(1, |n| n.get() as u32) * 4);
    let row_bytes = (pw / 4) as usize * df_layout(format).2 as usize;
    let mut out = vec![0u8; row_bytes * block_rows as usize];
    let pixels = padded.as_raw();
    std::thread::scope(|scope| {
        for (band, blocks) in out.chunks_mut(row_bytes * band_rows as usize).enumerate() {
            let rows = (blocks.len() / row_bytes) as u32 * 4;
            let first = band * band_rows as usize * 4 * pw as usize * 4;
            let data = &pixels[first..first + (rows * pw * 4) as usize];
            scope.spawn(move || encode_band(data, pw, rows, format, opaque, blocks));
        }
    });
    out
}

#[cfg(not(all(target_os = "windows", target_env = "gnu")))]
fn encode_band(
    data: &[u8],
    width: u32,
    height: u32,
    format: GpuTextureFormat,
    opaque: bool,
    blocks: &mut [u8],
) {
    use intel_tex_2::{RgbaSurface, bc7, etc1};
    let surface = RgbaSurface {
        data,
        width,
        height,
        stride: width * 4,
    };
    match format {
        GpuTextureFormat::Bc7 => {
            let settings = if opaque {
                bc7::opaque_fast_settings()
            } else {
                bc7::alpha_fast_settings()
            };
            bc7::compress_blocks_into(&settings, &surface, blocks);
        }
        GpuTextureFormat::Etc2 => {
            debug_assert!(opaque, "ETC2 RGB has no alpha: can_hold is checked first");
            etc1::compress_blocks_into(&etc1::slow_settings(), &surface, blocks);
        }
    }
}

#[cfg(all(target_os = "windows", target_env = "gnu"))]
fn encode_band(_: &[u8], _: u32, _: u32, _: GpuTextureFormat, _: bool, _: &mut [u8]) {
    unreachable!("no GPU texture encoder in this build: callers check `available()`")
}

/// A KTX2 file (Khronos KTX 2.0 specification): header, level index, data format descriptor,
/// one key/value (the writer) and the levels, each Zstandard-compressed, smallest first.
fn ktx2_file(
    vk_format: u32,
    (model, channel, block_bytes): (u8, u8, u8),
    space: ColourSpace,
    width: u32,
    height: u32,
    levels: &[Vec<u8>],
) -> Vec<u8> {
    const IDENTIFIER: [u8; 12] = [
        0xAB, 0x4B, 0x54, 0x58, 0x20, 0x32, 0x30, 0xBB, 0x0D, 0x0A, 0x1A, 0x0A,
    ];
    const ZSTANDARD: u32 = 2;
    let compressed: Vec<Vec<u8>> = levels
        .iter()
        .map(|l| {
            ruzstd::encoding::compress_to_vec(&l[..], ruzstd::encoding::CompressionLevel::Fastest)
        })
        .collect();

    // The basic descriptor block: one sample covering the whole block.
    let mut dfd = Vec::new();
    let block_size: u32 = 24 + 16;
    dfd.extend((4 + block_size).to_le_bytes());
    dfd.extend(0u32.to_le_bytes()); // vendor Khronos, descriptor type basic
    dfd.extend((2 | (block_size << 16)).to_le_bytes()); // version 2, block size
    let transfer = match space {
        ColourSpace::Srgb => 2,
        ColourSpace::Linear => 1,
    };
    dfd.extend([model, 1, transfer, 0]); // model, BT.709 primaries, transfer, straight alpha
    dfd.extend([3, 3, 0, 0]); // 4×4×1×1 texels a block
    dfd.extend([block_bytes, 0, 0, 0, 0, 0, 0, 0]); // bytes a block in plane 0
    dfd.extend(0u16.to_le_bytes()); // bit offset
    dfd.push(block_bytes * 8 - 1); // bit length − 1
    dfd.push(channel);
    dfd.extend([0, 0, 0, 0]); // sample position
    dfd.extend(0u32.to_le_bytes());
    dfd.extend(u32::MAX.to_le_bytes());

    let mut kvd = Vec::new();
    let entry = b"KTXwriter\0disan pack\0";
    kvd.extend((entry.len() as u32).to_le_bytes());
    kvd.extend(entry);
    while kvd.len() % 4 != 0 {
        kvd.push(0);
    }

    let header_len = 12 + 9 * 4 + 4 * 4 + 2 * 8;
    let index_len = levels.len() * 24;
    let dfd_offset = header_len + index_len;
    let kvd_offset = dfd_offset + dfd.len();
    let data_offset = kvd_offset + kvd.len();

    let mut out = Vec::with_capacity(data_offset + compressed.iter().map(Vec::len).sum::<usize>());
    out.extend(IDENTIFIER);
    for v in [
        vk_format,
        1,
        width,
        height,
        0,
        0,
        1,
        levels.len() as u32,
        ZSTANDARD,
    ] {
        out.extend(v.to_le_bytes());
    }
    for v in [dfd_offset, dfd.len(), kvd_offset, kvd.len()] {
        out.extend((v as u32).to_le_bytes());
    }
    out.extend(0u64.to_le_bytes()); // no supercompression global data (Zstandard needs none)
    out.extend(0u64.to_le_bytes());
    // Levels are stored smallest first; the index lists them largest first.
    let mut offsets = vec![0usize; levels.len()];
    let mut at = data_offset;
    for i in (0..levels.len()).rev() {
        offsets[i] = at;
        at += compressed[i].len();
    }
    for i in 0..levels.len() {
        out.extend((offsets[i] as u64).to_le_bytes());
        out.extend((compressed[i].len() as u64).to_le_bytes());
        out.extend((levels[i].len() as u64).to_le_bytes());
    }
    out.extend(dfd);
    out.extend(kvd);
    for level in compressed.iter().rev() {
        out.extend(level);
    }
    out
}

#[cfg(all(test, not(all(target_os = "windows", target_env = "gnu"))))]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| {
            image::Rgba([(x * 255 / w) as u8, (y * 255 / h) as u8, 128, 255])
        })
    }

    #[test]
    fn a_ktx2_has_the_format_the_size_and_every_mip_the_gpu_needs() {
        for format in [GpuTextureFormat::Bc7, GpuTextureFormat::Etc2] {
            // 301×150 at most 256: 256×128 (whole blocks), 9 levels down to 1×1.
            let t = encode_ktx2(&gradient(301, 150), 256, format, ColourSpace::Srgb);
            assert_eq!((t.width, t.height, t.mime), (256, 128, "image/ktx2"));
            let reader = ktx2::Reader::new(&t.bytes[..]).expect("a well-formed KTX2");
            let header = reader.header();
            assert_eq!((header.pixel_width, header.pixel_height), (256, 128));
            assert_eq!(header.level_count, 9);
            assert_eq!(
                header.supercompression_scheme,
                Some(ktx2::SupercompressionScheme::Zstandard)
            );
            let expected = match format {
                GpuTextureFormat::Bc7 => ktx2::Format::BC7_SRGB_BLOCK,
                GpuTextureFormat::Etc2 => ktx2::Format::ETC2_R8G8B8_SRGB_BLOCK,
            };
            assert_eq!(header.format, Some(expected));
            for (i, level) in reader.levels().enumerate() {
                let (w, h) = ((256u32 >> i).max(1), (128u32 >> i).max(1));
                let blocks = (w.div_ceil(4) * h.div_ceil(4)) as usize;
                let raw = ruzstd::decoding::StreamingDecoder::new(level.data)
                    .map(|mut d| {
                        let mut v = Vec::new();
                        std::io::Read::read_to_end(&mut d, &mut v).map(|_| v)
                    })
                    .expect("a Zstandard frame")
                    .expect("decodes");
                let block_bytes = df_layout(format).2 as usize;
                assert_eq!(raw.len(), blocks * block_bytes, "level {i}");
                assert_eq!(level.uncompressed_byte_length as usize, raw.len());
            }
        }
    }

    #[test]
    fn data_maps_are_linear() {
        let t = encode_ktx2(
            &gradient(64, 64),
            64,
            GpuTextureFormat::Bc7,
            ColourSpace::Linear,
        );
        let reader = ktx2::Reader::new(&t.bytes[..]).unwrap();
        assert_eq!(reader.header().format, Some(ktx2::Format::BC7_UNORM_BLOCK));
    }

    #[test]
    fn the_blocks_decode_to_the_picture() {
        // Decoded with an independent decoder, the blocks give back the picture within a few
        // levels (a wrong block layout, row order or channel order would not).
        let (w, h) = (32u32, 16u32);
        let picture = gradient(w, h);
        for format in [GpuTextureFormat::Bc7, GpuTextureFormat::Etc2] {
            let blocks = encode_blocks(&picture, format, true);
            assert_eq!(
                blocks.len(),
                (w / 4 * h / 4) as usize * df_layout(format).2 as usize
            );
            let mut decoded = vec![0u32; (w * h) as usize];
            match format {
                GpuTextureFormat::Bc7 => {
                    texture2ddecoder::decode_bc7(&blocks, w as usize, h as usize, &mut decoded)
                }
                GpuTextureFormat::Etc2 => {
                    texture2ddecoder::decode_etc2_rgb(&blocks, w as usize, h as usize, &mut decoded)
                }
            }
            .unwrap();
            let errors: Vec<u8> = decoded
                .iter()
                .zip(picture.pixels())
                .flat_map(|(px, want)| {
                    // texture2ddecoder writes BGRA in a little-endian u32.
                    let [b, g, r, _] = px.to_le_bytes();
                    [
                        r.abs_diff(want.0[0]),
                        g.abs_diff(want.0[1]),
                        b.abs_diff(want.0[2]),
                    ]
                })
                .collect();
            let mean = errors.iter().map(|e| f64::from(*e)).sum::<f64>() / errors.len() as f64;
            let worst = errors.iter().max().copied().unwrap_or(0);
            // ETC1 has 4 shades per half block: a steep gradient costs it more than BC7.
            assert!(
                mean <= 8.0 && worst <= 32,
                "{format:?}: {mean:.1} on average, {worst} at worst"
            );
        }
    }

    #[test]
    fn a_transparent_texture_has_no_etc2_copy() {
        let mut img = gradient(8, 8);
        assert!(can_hold(GpuTextureFormat::Etc2, &img));
        img.put_pixel(3, 3, image::Rgba([0, 0, 0, 10]));
        assert!(!can_hold(GpuTextureFormat::Etc2, &img));
        assert!(can_hold(GpuTextureFormat::Bc7, &img));
    }
}
