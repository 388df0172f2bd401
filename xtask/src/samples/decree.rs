//! Royal decree (sắc phong) stand-in: the scanned sheet shown on a museum display easel.
//!
//! A sắc phong is a landscape sheet of yellow paper, printed in advance with dragons and clouds,
//! on which the decree is written in vertical columns of Hán characters read right to left,
//! dated on the left and stamped with a large square red seal over the date. Until the real
//! scan arrives, the sheet texture is drawn procedurally: aged paper, a faint printed dragon
//! and clouds inside a cloud-scroll border, abstract brush-stroke glyphs (deliberately not real
//! characters, so nothing reads as a fake text), and the seal. The sheet is 1.0 m x 0.5 m.

use super::glb::{GltfBuilder, Material, Wrap};
use super::meshes::{Mesh, V3, lerp3};
use super::textures::{self, Image, Paint, Rgb, fbm, hash2, mix, mul};
use std::f32::consts::{PI, TAU};

const SHEET_W: f32 = 1.0;
const SHEET_H: f32 = 0.5;
/// Height of the sheet's centre, and the easel's backward lean (about X).
const CENTRE_Y: f32 = 1.2;
const TILT: f32 = 10.0 * PI / 180.0;

/// Deterministic pseudo-random stream (the texture must be identical on every run).
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(1);
        hash2(self.0 as i32, 0x5eed, 99)
    }
    fn range(&mut self, a: f32, b: f32) -> f32 {
        a + (b - a) * self.next()
    }
}

const INK: Rgb = [0.09, 0.07, 0.06];
/// The pre-printed decoration: a slightly darker, golden tone of the paper.
const PRINT: Rgb = [0.80, 0.64, 0.36];
/// Colour argument for strokes into coverage masks (ignored there).
const WHITE: Rgb = [1.0; 3];
const SEAL_RED: Rgb = [0.74, 0.13, 0.10];

/// Aged yellow paper: gentle blotchy tone, faint fibres, darker foxed edges and fold creases.
fn paper(w: usize, h: usize) -> Image {
    let mut img = Image::from_fn(w, h, |u, v| {
        let base = [0.89, 0.74, 0.42];
        // Large-scale tone variation (uneven dye and age), kept smooth so the PNG stays small.
        let tone = fbm(u, v * 0.5, 3, 4, 5);
        let mut c = mul(base, 0.93 + 0.1 * tone);
        // Brown staining creeping in from the edges.
        let edge = u.min(1.0 - u).min((v.min(1.0 - v)) * 0.5);
        let stain = fbm(u, v, 6, 3, 6);
        let age = ((0.05 - edge) / 0.05).clamp(0.0, 1.0) * (0.5 + stain);
        c = mix(c, [0.62, 0.45, 0.24], age * 0.5);
        // Fold creases: decrees were stored folded in panels; the folds stay as faint lines.
        let fold = (u * 8.0).fract();
        let crease = (1.0 - (fold.min(1.0 - fold) * w as f32 / 8.0 / 2.5)).max(0.0);
        mul(c, 1.0 - 0.06 * crease)
    });
    let mut rng = Rng(1);
    // Sparse fibres, mostly running along the sheet as in hand-made dó paper.
    for _ in 0..900 {
        let (x, y) = (rng.range(0.0, w as f32), rng.range(0.0, h as f32));
        let a = rng.range(-0.5, 0.5);
        let len = rng.range(8.0, 36.0);
        let light = rng.next() > 0.5;
        let c = if light {
            [0.95, 0.87, 0.62]
        } else {
            [0.7, 0.56, 0.32]
        };
        img.stroke(
            (x, y),
            (x + len * a.cos(), y + len * a.sin()),
            0.7,
            0.5,
            c,
            0.18,
            Paint::Blend,
        );
    }
    // Foxing: small brown age spots.
    for _ in 0..28 {
        let (x, y, r) = (
            rng.range(0.0, w as f32),
            rng.range(0.0, h as f32),
            rng.range(2.0, 7.0),
        );
        img.stroke(
            (x, y),
            (x + 1.0, y),
            r,
            r,
            [0.7, 0.5, 0.3],
            0.35,
            Paint::Multiply,
        );
    }
    img
}

/// A cloud scroll: a spiral with a trailing tail, the stock motif of the printed border.
fn cloud(img: &mut Image, cx: f32, cy: f32, size: f32, dir: f32, opacity: f32, width: f32) {
    let mut prev = (cx, cy);
    let turns = 2.2 * TAU;
    let steps = 40;
    for i in 1..=steps {
        let t = i as f32 / steps as f32 * turns;
        let r = size * t / turns;
        let p = (cx + dir * r * t.cos(), cy + r * t.sin());
        img.stroke(prev, p, width, width, WHITE, opacity, Paint::Mask);
        prev = p;
    }
    // Tail sweeping away from the spiral.
    let tail = (prev.0 + dir * size * 1.6, prev.1 + size * 0.5);
    img.stroke(prev, tail, width, width * 0.3, WHITE, opacity, Paint::Mask);
}

/// The printed decoration: a double frame with a cloud-scroll band, a large dragon chasing a
/// flaming pearl across the middle, and scattered clouds. All faint, under the writing.
fn printed(img: &mut Image) {
    let (w, h) = (img.width as f32, img.height as f32);
    let o = 0.6;
    // Double frame lines.
    for m in [34.0f32, 40.0, 84.0, 90.0] {
        let wd = if m == 34.0 || m == 90.0 { 2.5 } else { 1.2 };
        let pts = [(m, m), (w - m, m), (w - m, h - m), (m, h - m), (m, m)];
        for s in pts.windows(2) {
            img.stroke(s[0], s[1], wd, wd, WHITE, o, Paint::Mask);
        }
    }
    // Cloud band between the frames.
    let mut x = 80.0;
    while x < w - 80.0 {
        cloud(img, x, 62.0, 12.0, 1.0, o * 0.8, 1.4);
        cloud(img, w - x, h - 62.0, 12.0, -1.0, o * 0.8, 1.4);
        x += 64.0;
    }
    let mut y = 120.0;
    while y < h - 100.0 {
        cloud(img, 62.0, y, 12.0, 1.0, o * 0.8, 1.4);
        cloud(img, w - 62.0, h - y, 12.0, -1.0, o * 0.8, 1.4);
        y += 64.0;
    }
    // Scattered clouds in the field.
    let mut rng = Rng(700);
    for _ in 0..16 {
        let (cx, cy) = (rng.range(160.0, w - 160.0), rng.range(160.0, h - 160.0));
        let s = rng.range(18.0, 30.0);
        let d = if rng.next() > 0.5 { 1.0 } else { -1.0 };
        cloud(img, cx, cy, s, d, o * 0.5, 2.0);
        cloud(
            img,
            cx + d * s * 2.2,
            cy + s * 0.6,
            s * 0.7,
            d,
            o * 0.5,
            2.0,
        );
    }
    // The dragon: a serpentine body tapering to the tail at the left, head at the right.
    let body = |t: f32| {
        (
            w * (0.22 + 0.5 * t),
            h * (0.52 + 0.17 * (TAU * 1.25 * t + 0.6).sin()),
        )
    };
    let radius = |t: f32| 6.0 + 30.0 * (t * 1.2).min(1.0).powf(0.7);
    let n = 160;
    for i in 0..n {
        let (t0, t1) = (i as f32 / n as f32, (i + 1) as f32 / n as f32);
        img.stroke(
            body(t0),
            body(t1),
            radius(t0),
            radius(t1),
            WHITE,
            0.18,
            Paint::Mask,
        );
    }
    // Body outline and scales: rows of small arcs along the body.
    for i in 0..n {
        let t = i as f32 / n as f32;
        let (p, q) = (body(t), body(t + 1.0 / n as f32));
        let (dx, dy) = (q.0 - p.0, q.1 - p.1);
        let l = (dx * dx + dy * dy).sqrt().max(1e-3);
        let (nx, ny) = (-dy / l, dx / l);
        let r = radius(t);
        for side in [-1.0f32, 1.0] {
            let a = (p.0 + nx * r * side, p.1 + ny * r * side);
            let b = (
                q.0 + nx * radius(t + 1.0 / n as f32) * side,
                q.1 + ny * radius(t + 1.0 / n as f32) * side,
            );
            img.stroke(a, b, 1.6, 1.6, WHITE, o, Paint::Mask);
        }
        if i % 4 == 0 && t > 0.05 {
            for k in [-0.5f32, 0.0, 0.5] {
                let c = (p.0 + nx * r * k, p.1 + ny * r * k);
                img.stroke(
                    (c.0 - dx * 1.5 - nx * 5.0, c.1 - dy * 1.5 - ny * 5.0),
                    c,
                    1.0,
                    1.0,
                    WHITE,
                    o * 0.8,
                    Paint::Mask,
                );
                img.stroke(
                    (c.0 - dx * 1.5 + nx * 5.0, c.1 - dy * 1.5 + ny * 5.0),
                    c,
                    1.0,
                    1.0,
                    WHITE,
                    o * 0.8,
                    Paint::Mask,
                );
            }
        }
        // Dorsal fin spikes along the upper edge.
        if i % 6 == 0 && t > 0.05 && t < 0.95 {
            let a = (p.0 - nx * r, p.1 - ny * r);
            img.stroke(
                a,
                (a.0 - nx * 14.0 - dx * 2.0, a.1 - ny * 14.0 - dy * 2.0),
                3.0,
                0.5,
                WHITE,
                o,
                Paint::Mask,
            );
        }
    }
    // Four legs with three-clawed feet.
    for t in [0.22f32, 0.42, 0.62, 0.8] {
        let p = body(t);
        let down = if (TAU * 1.25 * t + 0.6).cos() > 0.0 {
            1.0
        } else {
            -1.0
        };
        let knee = (p.0 - 22.0, p.1 + down * 45.0);
        let foot = (knee.0 + 28.0, knee.1 + down * 22.0);
        img.stroke(p, knee, 7.0, 5.0, WHITE, o, Paint::Mask);
        img.stroke(knee, foot, 5.0, 3.5, WHITE, o, Paint::Mask);
        for c in [-0.7f32, 0.0, 0.7] {
            let (s, co) = (c + 0.4 * down).sin_cos();
            img.stroke(
                foot,
                (foot.0 + 14.0 * co, foot.1 + 14.0 * s * down),
                2.5,
                0.6,
                WHITE,
                o,
                Paint::Mask,
            );
        }
    }
    // Head, horns, mane and whiskers, and the flaming pearl it chases.
    let head = body(1.0);
    img.stroke(
        (head.0 - 10.0, head.1),
        (head.0 + 30.0, head.1 - 4.0),
        30.0,
        18.0,
        WHITE,
        o * 0.5,
        Paint::Mask,
    );
    img.stroke(
        (head.0 + 30.0, head.1 - 4.0),
        (head.0 + 62.0, head.1 + 6.0),
        14.0,
        9.0,
        WHITE,
        o * 0.5,
        Paint::Mask,
    );
    for k in 0..5 {
        let a = -2.2 - k as f32 * 0.25;
        let (s, c) = a.sin_cos();
        img.stroke(
            head,
            (head.0 + 70.0 * c, head.1 + 70.0 * s),
            3.0,
            0.8,
            WHITE,
            o,
            Paint::Mask,
        );
    }
    for (dy, len) in [(-10.0f32, 110.0f32), (12.0, 95.0)] {
        let mut prev = (head.0 + 55.0, head.1 + dy);
        for i in 1..=12 {
            let t = i as f32 / 12.0;
            let p = (
                head.0 + 55.0 + len * t,
                head.1 + dy + 18.0 * (t * 5.0).sin() * dy.signum(),
            );
            img.stroke(prev, p, 1.8, 1.8, WHITE, o, Paint::Mask);
            prev = p;
        }
    }
    let pearl = (head.0 + 220.0, head.1 - 40.0);
    img.stroke(
        pearl,
        (pearl.0 + 0.5, pearl.1),
        26.0,
        26.0,
        WHITE,
        o * 0.6,
        Paint::Mask,
    );
    for k in 0..10 {
        let a = k as f32 / 10.0 * TAU;
        let (s, c) = a.sin_cos();
        img.stroke(
            (pearl.0 + 28.0 * c, pearl.1 + 28.0 * s),
            (pearl.0 + 48.0 * c, pearl.1 + 48.0 * s - 10.0),
            3.0,
            0.5,
            WHITE,
            o,
            Paint::Mask,
        );
    }
}

/// One abstract brush-written glyph, drawn into the ink mask. Like a real character it is
/// built from one or two components (left|right or top/bottom, as radicals combine), each
/// filled with strokes from the basic brush vocabulary (horizontal, vertical, left- and
/// right-falling sweeps, dots) snapped to a grid, so columns have the density and rhythm of
/// calligraphy without being real characters.
fn glyph(ink: &mut Image, cx: f32, cy: f32, size: f32, rng: &mut Rng) {
    let half = size * 0.5;
    let w = size * 0.075;
    let layout = rng.next();
    // Component boxes as (x0, y0, x1, y1) in pixels.
    let boxes: Vec<(f32, f32, f32, f32)> = if layout < 0.4 {
        let split = cx - half + size * rng.range(0.3, 0.45);
        vec![
            (cx - half, cy - half, split - w, cy + half),
            (split + w, cy - half, cx + half, cy + half),
        ]
    } else if layout < 0.7 {
        let split = cy - half + size * rng.range(0.35, 0.5);
        vec![
            (cx - half, cy - half, cx + half, split - w),
            (cx - half, split + w, cx + half, cy + half),
        ]
    } else {
        vec![(cx - half, cy - half, cx + half, cy + half)]
    };
    for (x0, y0, x1, y1) in boxes {
        let (bw, bh) = (x1 - x0, y1 - y0);
        let gx = |k: f32| x0 + bw * k / 4.0;
        let gy = |k: f32| y0 + bh * k / 4.0;
        let count = 3 + (rng.next() * 4.0) as usize;
        for _ in 0..count {
            let kind = rng.next();
            let (i, j) = ((rng.next() * 5.0).floor(), (rng.next() * 5.0).floor());
            if kind < 0.38 {
                // Horizontal, rising slightly to the right, pressed at the end.
                let (a, b) = (i.min(2.0), (i + 2.0 + (rng.next() * 3.0).floor()).min(4.0));
                let y = gy(j);
                ink.stroke(
                    (gx(a), y),
                    (gx(b), y - bw * 0.04),
                    w * 0.8,
                    w * 1.05,
                    WHITE,
                    1.0,
                    Paint::Mask,
                );
            } else if kind < 0.68 {
                let (a, b) = (j.min(2.0), (j + 2.0 + (rng.next() * 3.0).floor()).min(4.0));
                let x = gx(i);
                ink.stroke(
                    (x, gy(a)),
                    (x, gy(b)),
                    w * 1.05,
                    w * 0.75,
                    WHITE,
                    1.0,
                    Paint::Mask,
                );
            } else if kind < 0.8 {
                // Left-falling sweep, thinning to a point.
                let (x, y) = (gx(i.max(2.0)), gy(j.min(2.0)));
                ink.stroke(
                    (x, y),
                    (x - bw * 0.45, y + bh * 0.5),
                    w * 1.1,
                    w * 0.25,
                    WHITE,
                    1.0,
                    Paint::Mask,
                );
            } else if kind < 0.9 {
                // Right-falling sweep, swelling before the brush lifts.
                let (x, y) = (gx(i.min(2.0)), gy(j.min(2.0)));
                ink.stroke(
                    (x, y),
                    (x + bw * 0.45, y + bh * 0.5),
                    w * 0.6,
                    w * 1.35,
                    WHITE,
                    1.0,
                    Paint::Mask,
                );
            } else {
                let (x, y) = (gx(i), gy(j));
                ink.stroke(
                    (x, y),
                    (x + w * 1.2, y + w * 1.6),
                    w * 1.3,
                    w * 0.8,
                    WHITE,
                    1.0,
                    Paint::Mask,
                );
            }
        }
    }
}

/// The square seal ("Sắc mệnh chi bảo" style): a red border and four blocky seal-script
/// glyphs of straight strokes, with the uneven ink of a hand-pressed stamp.
fn seal(img: &mut Image, cx: f32, cy: f32, size: f32) {
    let half = size * 0.5;
    let x0 = cx - half;
    let y0 = cy - half;
    let mut rng = Rng(4242);
    let mut rects: Vec<(f32, f32, f32, f32)> = Vec::new();
    let b = size * 0.06;
    // Border.
    rects.extend([
        (x0, y0, size, b),
        (x0, y0 + size - b, size, b),
        (x0, y0, b, size),
        (x0 + size - b, y0, b, size),
    ]);
    // Four glyphs, 2 x 2, each a maze of horizontal and vertical bars on a 5 x 5 grid.
    let inner = size - 2.0 * b - size * 0.06;
    let cell = inner / 2.0;
    let bar = cell * 0.1;
    for gy in 0..2 {
        for gx in 0..2 {
            let ox = x0 + b + size * 0.03 + gx as f32 * cell + cell * 0.08;
            let oy = y0 + b + size * 0.03 + gy as f32 * cell + cell * 0.08;
            let step = cell * 0.84 / 4.0;
            for _ in 0..9 {
                let (i, j) = ((rng.next() * 5.0).floor(), (rng.next() * 5.0).floor());
                let len = (1.0 + (rng.next() * 3.0).floor()).min(4.0 - i.min(j));
                if rng.next() < 0.5 {
                    rects.push((
                        ox + i.min(4.0 - len) * step,
                        oy + j * step,
                        len * step + bar,
                        bar,
                    ));
                } else {
                    rects.push((
                        ox + i * step,
                        oy + j.min(4.0 - len) * step,
                        bar,
                        len * step + bar,
                    ));
                }
            }
        }
    }
    for y in y0 as i64..(y0 + size) as i64 + 1 {
        for x in x0 as i64..(x0 + size) as i64 + 1 {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let hit = rects
                .iter()
                .any(|&(rx, ry, rw, rh)| px >= rx && px < rx + rw && py >= ry && py < ry + rh);
            if hit {
                // Stamp pressure varies across the seal; a little paper shows through.
                let n = fbm(px / 2048.0, py / 1024.0, 64, 2, 9);
                img.blend(x, y, SEAL_RED, 0.72 + 0.25 * n);
            }
        }
    }
}

/// The whole sheet: paper, then the pre-printed decoration, the seal, and the writing over
/// it (the ink was laid down before stamping, but ink over red reads the same and keeps the
/// date legible under the seal). Each layer is drawn as a coverage mask and applied once, so
/// crossing strokes do not pile up into blotches.
fn sheet_texture() -> Image {
    let (w, h) = (2048, 1024);
    let mut img = paper(w, h);
    let mut print = Image::new(w, h, [0.0; 3]);
    printed(&mut print);
    img.apply_mask(&print, PRINT, 1.0);

    let mut ink = Image::new(w, h, [0.0; 3]);
    let mut rng = Rng(77);
    // Opening character ("敕", "by imperial order"), written large at the top right.
    glyph(&mut ink, 1835.0, 240.0, 130.0, &mut rng);
    // Body of the text: columns right to left. Some start one character higher: the honorific
    // elevation given to the deity's and the emperor's names.
    let (pitch, cell, top, step) = (74.0, 52.0, 200.0, 64.0);
    let mut x = 1725.0;
    for col in 0..13 {
        let raised = col == 2 || col == 6 || col == 9;
        let start = if raised { top - step } else { top };
        let len = if col == 12 {
            4
        } else {
            10 + (rng.next() * 2.0) as usize
        };
        for k in 0..len {
            glyph(&mut ink, x, start + k as f32 * step, cell, &mut rng);
        }
        x -= pitch;
    }
    // Date column on the left, with the seal stamped over it.
    let date_x = 640.0;
    for k in 0..10 {
        glyph(&mut ink, date_x, top + k as f32 * step, cell, &mut rng);
    }
    seal(&mut img, date_x, 440.0, 270.0);
    img.apply_mask(&ink, INK, 0.93);
    img
}

/// Worn gold leaf over red lacquer, for the frame moulding: gold with darker rubbed patches.
fn gold_leaf(size: usize) -> Image {
    Image::from_fn(size, size, |u, v| {
        let n = fbm(u, v, 4, 4, 13);
        mix(
            [0.85, 0.66, 0.32],
            [0.45, 0.2, 0.12],
            ((n - 0.6) * 3.0).clamp(0.0, 1.0),
        )
    })
}

/// Applies the easel's lean and height to a mesh built in panel coordinates (panel face at
/// z = 0, centre at the origin).
fn place(m: Mesh) -> Mesh {
    m.rotate_x(-TILT).translate([0.0, CENTRE_Y, 0.0])
}

fn to_world(p: V3) -> V3 {
    let (s, c) = TILT.sin_cos();
    [p[0], CENTRE_Y + p[1] * c + p[2] * s, -p[1] * s + p[2] * c]
}

/// The sheet alone, as a document scanner would hand it over (PNG), for the exhibit's scan.
pub fn sheet_png() -> Result<Vec<u8>, String> {
    sheet_texture().to_png()
}

pub fn build() -> Result<Vec<u8>, String> {
    let mut g = GltfBuilder::default();
    let sheet_tex = g.add_png_texture("sac phong sheet", &sheet_texture().to_png()?, Wrap::Clamp);
    let wood_tex = g.add_png_texture(
        "lacquered wood",
        &textures::wood(512, 0.85).to_png()?,
        Wrap::Repeat,
    );
    let gold_tex = g.add_png_texture("gold leaf", &gold_leaf(128).to_png()?, Wrap::Repeat);
    let paper_mat = g.add_material(&Material::textured("paper", sheet_tex, 0.92));
    let stand_mat = g.add_material(&Material {
        // Red-brown lacquer (sơn son) over wood: the grain tinted and fairly glossy.
        base_color: [0.95, 0.6, 0.55, 1.0],
        ..Material::textured("lacquered stand", wood_tex, 0.45)
    });
    let gilt_mat = g.add_material(&Material {
        metallic: 0.8,
        ..Material::textured("gilded frame", gold_tex, 0.4)
    });

    // Sheet: a quad 3 mm in front of the panel, texture upright and unmirrored from the front.
    let (hw, hh) = (SHEET_W * 0.5, SHEET_H * 0.5);
    let mut sheet = Mesh::default();
    sheet.quad(
        [
            [-hw, -hh, 0.003],
            [hw, -hh, 0.003],
            [hw, hh, 0.003],
            [-hw, hh, 0.003],
        ],
        [[0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]],
    );
    let sheet = place(sheet);

    let mut panel = Mesh::default();
    panel.cuboid([-0.58, -0.32, -0.022], [0.58, 0.32, 0.0], 0.6);
    // Ledge the panel rests on.
    panel.cuboid([-0.62, -0.365, -0.03], [0.62, -0.32, 0.07], 0.6);
    let mut panel = place(panel);

    let mut frame = Mesh::default();
    frame.cuboid([-0.58, 0.29, 0.0], [0.58, 0.32, 0.014], 0.3);
    frame.cuboid([-0.58, -0.32, 0.0], [0.58, -0.29, 0.014], 0.3);
    frame.cuboid([-0.58, -0.29, 0.0], [-0.55, 0.29, 0.014], 0.3);
    frame.cuboid([0.55, -0.29, 0.0], [0.58, 0.29, 0.014], 0.3);
    let frame = place(frame);

    // Legs: two turned front legs just behind the panel, one back leg to the ground behind.
    let leg_z = -0.047;
    let foot_y = -(CENTRE_Y - leg_z * TILT.sin()) / TILT.cos();
    let mut legs = Mesh::default();
    for x in [-0.45f32, 0.45] {
        let (bottom, top) = (to_world([x, foot_y, leg_z]), to_world([x, 0.44, leg_z]));
        legs.cylinder(bottom, top, 0.022, 12, 0.5);
        let mut finial = Mesh::default();
        finial.lathe(
            &[
                (0.022, 0.0),
                (0.034, 0.02),
                (0.03, 0.045),
                (0.013, 0.07),
                (0.003, 0.085),
            ],
            &[0.0, 0.1, 0.2, 0.3, 0.4],
            16,
            1.0,
        );
        legs.append(&finial.translate(top));
        // Cross rail between the front legs, 0.35 m up.
        if x > 0.0 {
            let f = 0.35 / top[1];
            let right = lerp3(bottom, top, f);
            legs.cylinder([-right[0], right[1], right[2]], right, 0.016, 10, 0.5);
        }
    }
    let joint = to_world([0.0, 0.2, leg_z - 0.03]);
    legs.cylinder([0.0, 0.0, -0.55], joint, 0.022, 12, 0.5);
    panel.append(&legs);
    // Feet stand exactly on the floor: the leg ends' rims would dip a few mm below y = 0.
    for p in &mut panel.positions {
        p[1] = p[1].max(0.0);
    }

    g.add_mesh_node("decree sheet", &[(&sheet, paper_mat)]);
    g.add_mesh_node("display easel", &[(&panel, stand_mat), (&frame, gilt_mat)]);
    Ok(g.into_glb("Sắc phong (sample)"))
}
