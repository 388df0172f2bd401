//! Procedural textures: a small RGB image type, tileable noise, PNG encoding, and the generic
//! building-material textures (roof tiles, wood, stone, paving). The artefact-specific images
//! (drum tympanum, decree sheet) live with their models.
//!
//! All noise is periodic over the image so REPEAT-sampled textures tile without seams. Fine
//! per-pixel noise is avoided on purpose: it does not survive PNG compression, and the web build
//! downloads these files.

pub type Rgb = [f32; 3];

/// How a stroke combines with what is already there.
#[derive(Clone, Copy)]
pub enum Paint {
    Blend,
    Multiply,
    /// Coverage into a mask image's red channel (max), to be applied once as a layer.
    Mask,
}

/// A linear-float RGB image (values are sRGB-encoded 0..1; converted to bytes on encode).
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub data: Vec<Rgb>,
}

impl Image {
    pub fn new(width: usize, height: usize, fill: Rgb) -> Self {
        Self {
            width,
            height,
            data: vec![fill; width * height],
        }
    }

    /// Fills every pixel from a function of its centre in normalised (0..1) coordinates.
    pub fn from_fn(width: usize, height: usize, f: impl Fn(f32, f32) -> Rgb) -> Self {
        let mut data = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                data.push(f(
                    (x as f32 + 0.5) / width as f32,
                    (y as f32 + 0.5) / height as f32,
                ));
            }
        }
        Self {
            width,
            height,
            data,
        }
    }

    /// Alpha-blends `color` into pixel (x, y) with coverage `a`; out-of-range pixels are ignored
    /// so shapes may overhang the edge.
    pub fn blend(&mut self, x: i64, y: i64, color: Rgb, a: f32) {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 || a <= 0.0 {
            return;
        }
        let p = &mut self.data[y as usize * self.width + x as usize];
        let a = a.min(1.0);
        for c in 0..3 {
            p[c] += (color[c] - p[c]) * a;
        }
    }

    /// Multiplies pixel (x, y) towards `color` (ink and stain darken, never lighten, paper).
    pub fn multiply(&mut self, x: i64, y: i64, color: Rgb, a: f32) {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 || a <= 0.0 {
            return;
        }
        let p = &mut self.data[y as usize * self.width + x as usize];
        let a = a.min(1.0);
        for c in 0..3 {
            p[c] *= 1.0 - a + a * color[c];
        }
    }

    /// Keeps the larger of the pixel's red channel and `a`: used on coverage masks, so
    /// overlapping strokes of one layer do not darken where they cross.
    pub fn max_cover(&mut self, x: i64, y: i64, a: f32) {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
            return;
        }
        let p = &mut self.data[y as usize * self.width + x as usize];
        p[0] = p[0].max(a.min(1.0));
    }

    /// Draws an anti-aliased brush stroke (a capsule whose radius goes from r0 to r1) in pixel
    /// coordinates, combined as `mode` says.
    #[allow(clippy::too_many_arguments)]
    pub fn stroke(
        &mut self,
        a: (f32, f32),
        b: (f32, f32),
        r0: f32,
        r1: f32,
        color: Rgb,
        opacity: f32,
        mode: Paint,
    ) {
        let rmax = r0.max(r1) + 1.5;
        let (x0, x1) = (
            (a.0.min(b.0) - rmax) as i64,
            (a.0.max(b.0) + rmax) as i64 + 1,
        );
        let (y0, y1) = (
            (a.1.min(b.1) - rmax) as i64,
            (a.1.max(b.1) + rmax) as i64 + 1,
        );
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = (dx * dx + dy * dy).max(1e-6);
        for y in y0..=y1 {
            for x in x0..=x1 {
                let (px, py) = (x as f32 + 0.5 - a.0, y as f32 + 0.5 - a.1);
                let t = ((px * dx + py * dy) / len2).clamp(0.0, 1.0);
                let (ex, ey) = (px - dx * t, py - dy * t);
                let d = (ex * ex + ey * ey).sqrt();
                let r = r0 + (r1 - r0) * t;
                let cover = (r + 0.5 - d).clamp(0.0, 1.0) * opacity;
                match mode {
                    Paint::Blend => self.blend(x, y, color, cover),
                    Paint::Multiply => self.multiply(x, y, color, cover),
                    Paint::Mask => self.max_cover(x, y, cover),
                }
            }
        }
    }

    /// Multiplies this image by `color` wherever `mask` (same size) has coverage.
    pub fn apply_mask(&mut self, mask: &Image, color: Rgb, opacity: f32) {
        for (p, m) in self.data.iter_mut().zip(&mask.data) {
            let a = m[0] * opacity;
            for c in 0..3 {
                p[c] *= 1.0 - a + a * color[c];
            }
        }
    }

    /// Encodes as an 8-bit RGB PNG with the strongest compression the png crate offers.
    pub fn to_png(&self) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            enc.set_compression(png::Compression::High);
            enc.set_filter(png::Filter::Adaptive);
            let mut writer = enc.write_header().map_err(|e| e.to_string())?;
            let bytes: Vec<u8> = self
                .data
                .iter()
                .flat_map(|p| p.map(|c| (c.clamp(0.0, 1.0) * 255.0 + 0.5) as u8))
                .collect();
            writer.write_image_data(&bytes).map_err(|e| e.to_string())?;
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------------------------
// Noise

/// Integer hash to 0..1 (deterministic: the samples must be byte-identical on every run).
pub fn hash2(x: i32, y: i32, seed: u32) -> f32 {
    let mut h = (x as u32).wrapping_mul(0x8da6_b343)
        ^ (y as u32).wrapping_mul(0xd816_3841)
        ^ seed.wrapping_mul(0xcb1a_b31f);
    h ^= h >> 13;
    h = h.wrapping_mul(0x5bd1_e995);
    h ^= h >> 15;
    (h & 0x00ff_ffff) as f32 / 0x0100_0000 as f32
}

fn smooth(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

/// Value noise on a lattice of `period` cells per unit that wraps every unit, so it tiles.
pub fn noise(u: f32, v: f32, period: i32, seed: u32) -> f32 {
    let (x, y) = (u * period as f32, v * period as f32);
    let (xi, yi) = (x.floor() as i32, y.floor() as i32);
    let (fx, fy) = (smooth(x - xi as f32), smooth(y - yi as f32));
    let h = |i: i32, j: i32| hash2(i.rem_euclid(period), j.rem_euclid(period), seed);
    let top = h(xi, yi) + (h(xi + 1, yi) - h(xi, yi)) * fx;
    let bottom = h(xi, yi + 1) + (h(xi + 1, yi + 1) - h(xi, yi + 1)) * fx;
    top + (bottom - top) * fy
}

/// Fractal (fBm) tileable noise, 0..1, starting at `period` cells and doubling per octave.
pub fn fbm(u: f32, v: f32, period: i32, octaves: u32, seed: u32) -> f32 {
    let (mut sum, mut amp, mut norm, mut p) = (0.0, 1.0, 0.0, period);
    for o in 0..octaves {
        sum += noise(u, v, p, seed.wrapping_add(o * 7919)) * amp;
        norm += amp;
        amp *= 0.5;
        p *= 2;
    }
    sum / norm
}

pub fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

pub fn mul(a: Rgb, s: f32) -> Rgb {
    [a[0] * s, a[1] * s, a[2] * s]
}

// ---------------------------------------------------------------------------------------------
// Building materials (all tile seamlessly)

/// "Ngói mũi hài" roof tiles: staggered rows of small terracotta tiles with rounded tips, the
/// scalloped look of northern Vietnamese temple roofs. One image covers 4 tiles across and 8
/// rows down (mapped to 1 m x 1 m). v increases down the slope, so tips point down-image.
pub fn roof_tiles(size: usize) -> Image {
    let (cols, rows) = (4.0, 8.0);
    Image::from_fn(size, size, |u, v| {
        let row = (v * rows).floor();
        let fy = v * rows - row;
        // Alternate rows shift by half a tile, as tiles are laid over the joints below.
        let shift = if row as i32 % 2 == 0 { 0.0 } else { 0.5 };
        let cu = u * cols + shift;
        let col = cu.floor();
        let fx = cu - col;
        let id = hash2(col as i32 % 4, row as i32, 11);
        // Tip outline: a half-ellipse at the bottom of each row's exposed part.
        let dx = (fx - 0.5) * 2.0;
        let tip = 0.55 + 0.45 * (1.0 - dx * dx).max(0.0).sqrt();
        let base_tone = [0.55, 0.28, 0.18];
        let mut c = mix(base_tone, [0.43, 0.22, 0.15], id);
        // Weathering: darker moss/soot patches, tileable.
        let grime = fbm(u, v, 4, 4, 3);
        c = mix(c, [0.30, 0.27, 0.20], (grime - 0.45) * 1.6);
        if fy > tip {
            // Below the tip we see the darker tile of the next row in shadow.
            c = mul(c, 0.45);
        } else {
            // Each tile is slightly curved: lighter in the middle, shaded towards its sides.
            let shade = 1.0 - 0.25 * dx * dx - 0.15 * (fy / tip);
            c = mul(c, shade);
            // A dark line just above the tip edge reads as the tile's thickness.
            if fy > tip - 0.06 {
                c = mul(c, 0.8);
            }
        }
        c
    })
}

/// Lim wood (Erythrophleum): dark red-brown with long grain running along v. `tone` scales it
/// (lacquered stands are darker than weathered columns).
pub fn wood(size: usize, tone: f32) -> Image {
    Image::from_fn(size, size, |u, v| {
        // Grain: bands across u, wobbled by low-frequency noise along v.
        let wobble = fbm(u, v, 2, 3, 21) * 0.6;
        let g = (u * 24.0 + wobble).fract();
        let line = (1.0 - (g - 0.5).abs() * 2.0).powf(8.0);
        let streak = fbm(u, v, 8, 3, 22);
        let base = mix([0.24, 0.12, 0.08], [0.32, 0.16, 0.10], streak);
        mul(mix(base, [0.15, 0.07, 0.05], line * 0.6), tone)
    })
}

/// Dressed stone blocks (the platform and steps): 4 courses of staggered ashlar per image,
/// laterite-grey with thin mortar joints.
pub fn stone(size: usize) -> Image {
    Image::from_fn(size, size, |u, v| {
        let rows = 4.0;
        let row = (v * rows).floor();
        let fy = v * rows - row;
        let shift = if row as i32 % 2 == 0 { 0.0 } else { 0.5 };
        let cu = u * 2.0 + shift;
        let fx = cu.fract();
        let id = hash2((cu.floor() as i32).rem_euclid(2), row as i32, 31);
        let mut c = mix([0.44, 0.43, 0.40], [0.37, 0.36, 0.34], id);
        let mottle = fbm(u, v, 6, 4, 32);
        c = mul(c, 0.85 + 0.3 * mottle);
        let joint = fy.min(1.0 - fy) * 4.0 * 0.25 < 0.012 || fx.min(1.0 - fx) * 0.5 < 0.006;
        if joint { mul(c, 0.55) } else { c }
    })
}

/// Courtyard paving of square terracotta bricks ("gạch bát"), 4 x 4 per image, with grey joints
/// and moss creeping along them.
pub fn paving(size: usize) -> Image {
    Image::from_fn(size, size, |u, v| {
        let n = 4.0;
        let (cx, cy) = ((u * n).floor(), (v * n).floor());
        let (fx, fy) = ((u * n).fract(), (v * n).fract());
        let id = hash2(cx as i32, cy as i32, 41);
        let mut c = mix([0.50, 0.34, 0.27], [0.42, 0.30, 0.25], id);
        let wear = fbm(u, v, 4, 4, 42);
        c = mix(c, [0.52, 0.48, 0.43], 0.25 + (wear - 0.5) * 1.5);
        let edge = fx.min(1.0 - fx).min(fy.min(1.0 - fy));
        if edge < 0.03 {
            let moss = fbm(u, v, 16, 2, 43);
            mix([0.42, 0.40, 0.36], [0.28, 0.33, 0.20], moss * 1.4 - 0.3)
        } else {
            // Slight bevel darkening at brick edges.
            mul(c, 0.85 + 0.15 * (edge / 0.12).min(1.0))
        }
    })
}
