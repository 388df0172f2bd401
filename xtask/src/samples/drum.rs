//! Đông Sơn bronze drum (trống đồng) stand-in, after the Heger I type of the Ngọc Lũ drum:
//! a bulging upper body, a straight narrowing waist, a flared foot, two pairs of handles on the
//! shoulder, and a flat tympanum whose cast decoration is the point of the exhibit: a central
//! 14-ray star inside concentric bands of geometric motifs, a band of feathered figures and
//! stilt houses, and a ring of flying herons. About 0.61 m across and 0.45 m tall.
//!
//! The decoration is drawn procedurally into the textures (base colour and metallic-roughness
//! together, so raised lines read as polished bronze and recesses as rough green patina).

use super::glb::{GltfBuilder, Material, Wrap};
use super::meshes::{Mesh, V3, catmull_rom};
use super::textures::{Image, Rgb, fbm, mix};
use std::f32::consts::{PI, TAU};

const HEIGHT: f32 = 0.45;
/// Tympanum radius (it overhangs the body slightly, as on Heger I drums).
const FACE_R: f32 = 0.306;
/// Lip thickness under the tympanum's overhang.
const LIP: f32 = 0.004;
const SEGMENTS: usize = 96;
/// The body texture spans half the circumference and repeats twice around.
const BODY_REPEAT: f32 = 2.0;

/// Outer body profile (radius, height), bottom to top, as spline control points.
const PROFILE: [(f32, f32); 13] = [
    (0.294, 0.0),
    (0.286, 0.03),
    (0.272, 0.08),
    (0.258, 0.13),
    (0.248, 0.165),
    (0.244, 0.2),
    (0.244, 0.25),
    (0.252, 0.29),
    (0.276, 0.33),
    (0.298, 0.37),
    (0.301, 0.405),
    (0.298, 0.432),
    (0.292, HEIGHT - LIP),
];

/// Body texture row for a height: v = 0 at the top, 1 at the bottom.
fn body_v(y: f32) -> f32 {
    (HEIGHT - y) / HEIGHT
}

fn smooth_profile() -> Vec<(f32, f32)> {
    let pts: Vec<V3> = PROFILE.iter().map(|&(r, y)| [r, y, 0.0]).collect();
    catmull_rom(&pts, 4)
        .into_iter()
        .map(|p| (p[0], p[1]))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Pattern primitives, in whatever unit the caller's coordinates use.

/// Is point (x, y) within a capsule from a to b whose radius tapers from r0 to r1?
fn capsule(x: f32, y: f32, a: (f32, f32), b: (f32, f32), r0: f32, r1: f32) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let t = (((x - a.0) * dx + (y - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    let (ex, ey) = (x - a.0 - dx * t, y - a.1 - dy * t);
    (ex * ex + ey * ey).sqrt() < r0 + (r1 - r0) * t
}

fn ellipse(x: f32, y: f32, c: (f32, f32), a: f32, b: f32) -> bool {
    let (u, v) = ((x - c.0) / a, (y - c.1) / b);
    u * u + v * v < 1.0
}

/// Wraps `s` into the slot of a chain of items `spacing` apart: the offset from the nearest
/// item's centre and that item's index.
fn slot(s: f32, spacing: f32) -> (f32, i32) {
    let k = (s / spacing).round();
    (s - k * spacing, k as i32)
}

/// The Đông Sơn "circles with centre dot joined by tangents" motif: `s` along the band (local
/// to one circle), `q` across it from the band's centre line, `w` the band width.
fn circle_chain(s: f32, q: f32, w: f32, line: f32) -> bool {
    let rc = w * 0.32;
    let d = s.hypot(q);
    (d - rc).abs() < line
        || d < line * 1.4
        || (s.abs() > rc * 0.6 && ((q - rc).abs() < line * 0.8 || (q + rc).abs() < line * 0.8))
}

/// Short hatches across a band ("ladder" pattern); `s` is the distance along the band.
fn ladder(s: f32, pitch: f32) -> bool {
    (s / pitch).rem_euclid(1.0) < 0.4
}

/// A heron in flight seen from above, in units of its body length; it flies towards +x.
fn heron(x: f32, y: f32) -> bool {
    let body = ellipse(x, y, (0.0, 0.0), 0.19, 0.055);
    let eye = ellipse(x, y, (0.31, 0.02), 0.012, 0.012);
    let head = capsule(x, y, (0.14, 0.0), (0.3, 0.02), 0.028, 0.025)
        || ellipse(x, y, (0.31, 0.02), 0.037, 0.037);
    let beak = capsule(x, y, (0.33, 0.02), (0.64, -0.005), 0.017, 0.004);
    let crest = capsule(x, y, (0.3, 0.045), (0.1, 0.13), 0.013, 0.003);
    let wings = capsule(x, y, (0.06, 0.03), (-0.12, 0.3), 0.065, 0.02)
        || capsule(x, y, (0.06, -0.03), (-0.12, -0.3), 0.065, 0.02);
    // Engraved feather lines across the wings keep them from reading as blobs.
    let feather_groove = y.abs() > 0.08 && ((x + y.abs() * 0.6) * 40.0).rem_euclid(1.0) < 0.22;
    let tail = [0.07f32, 0.0, -0.07]
        .iter()
        .any(|&e| capsule(x, y, (-0.15, 0.0), (-0.44, e), 0.03, 0.008));
    let legs = capsule(x, y, (-0.1, -0.01), (-0.38, -0.035), 0.009, 0.006);
    ((body || head || beak || crest || tail || legs) && !eye) || (wings && !feather_groove)
}

/// A feathered dancer/warrior, 0.1 units tall, facing +x, feet at y = -0.055.
fn figure(x: f32, y: f32) -> bool {
    capsule(x, y, (0.0, -0.02), (0.012, -0.055), 0.004, 0.004)
        || capsule(x, y, (0.0, -0.02), (-0.012, -0.055), 0.004, 0.004)
        || capsule(x, y, (0.0, -0.02), (0.0, 0.02), 0.008, 0.007)
        || ellipse(x, y, (0.002, 0.031), 0.009, 0.009)
        || capsule(x, y, (0.0, 0.036), (-0.034, 0.062), 0.004, 0.0015)
        || capsule(x, y, (0.0, 0.034), (-0.04, 0.044), 0.004, 0.0015)
        || capsule(x, y, (0.0, 0.038), (-0.022, 0.072), 0.004, 0.0015)
        || capsule(x, y, (0.0, 0.012), (0.022, 0.0), 0.003, 0.003)
        || capsule(x, y, (0.0, 0.012), (0.02, 0.032), 0.003, 0.003)
        || capsule(x, y, (0.0, -0.012), (-0.028, -0.034), 0.004, 0.0015)
}

/// A stilt house with a saddle roof whose ends sweep up, same units as `figure`.
fn house(x: f32, y: f32) -> bool {
    let roof = capsule(x, y, (-0.055, 0.05), (-0.03, 0.022), 0.005, 0.005)
        || capsule(x, y, (-0.03, 0.022), (0.03, 0.022), 0.006, 0.006)
        || capsule(x, y, (0.03, 0.022), (0.055, 0.05), 0.005, 0.005);
    let floor = capsule(x, y, (-0.035, -0.012), (0.035, -0.012), 0.004, 0.004);
    let stilts = capsule(x, y, (-0.025, -0.012), (-0.025, -0.055), 0.003, 0.003)
        || capsule(x, y, (0.025, -0.012), (0.025, -0.055), 0.003, 0.003);
    let wall = x.abs() < 0.026 && y > -0.01 && y < 0.02 && (x * 160.0).rem_euclid(1.0) < 0.45;
    roof || floor || stilts || wall
}

/// Relief height of the tympanum at (x, y) in units of the face radius: 1 for raised cast
/// lines, 0.55 for the plain polished rim, 0 for the recessed background.
fn tympanum_relief(x: f32, y: f32) -> f32 {
    let r = x.hypot(y);
    if r > 1.0 {
        return 0.55;
    }
    // Angle increasing clockwise as seen from above (see the UV mapping in `build`); the
    // figures and birds travel the other way, counter-clockwise, as on the Ngọc Lũ drum.
    let th = y.atan2(x).rem_euclid(TAU);
    let line = 0.0035;
    let raised = |b: bool| if b { 1.0 } else { 0.0 };
    // Thin raised rings separate the bands.
    const RINGS: [f32; 20] = [
        0.205, 0.22, 0.275, 0.29, 0.43, 0.445, 0.49, 0.505, 0.56, 0.575, 0.72, 0.735, 0.78, 0.795,
        0.84, 0.855, 0.895, 0.91, 0.975, 0.99,
    ];
    if RINGS.iter().any(|&b| (r - b).abs() < 0.0022) {
        return 1.0;
    }
    // Band (r0, r1): local arc coordinate `s` and radial offset `q` from the band's middle.
    let band = |r0: f32, r1: f32| {
        let rm = 0.5 * (r0 + r1);
        (th * rm, r - rm, r1 - r0, rm)
    };
    match r {
        // Central star: 14 rays with hatched "peacock feather" fields between them.
        r if r < 0.205 => {
            let sector = TAU / 14.0;
            let d = ((th / sector).round() * sector - th).abs() / (sector * 0.5);
            let star = 0.05 + 0.15 * (1.0 - d).max(0.0).powf(1.6);
            if r < star {
                1.0
            } else {
                raised(r > star + 0.012 && (r * 110.0).rem_euclid(1.0) < 0.3 && d < 0.8)
            }
        }
        r if r < 0.275 => {
            let (s, q, w, rm) = band(0.22, 0.275);
            let n = (TAU * rm / w).round();
            let (ls, _) = slot(s, TAU * rm / n);
            raised(circle_chain(ls, q, w, line))
        }
        r if r < 0.29 => raised(ladder(th * r, 0.011)),
        // Scene band: feathered figures marching counter-clockwise, with four stilt houses.
        r if r < 0.43 => {
            let (s, q, _, rm) = band(0.29, 0.43);
            let n = 28.0;
            let (ls, k) = slot(s, TAU * rm / n);
            // Forward (counter-clockwise) is decreasing angle; q+ is outwards ("up").
            if k.rem_euclid(7) == 0 {
                raised(house(-ls * 1.3, q))
            } else {
                raised(figure(-ls, q))
            }
        }
        r if r < 0.445 => raised(ladder(th * r, 0.011)),
        r if r < 0.49 => {
            let (s, q, w, rm) = band(0.445, 0.49);
            let n = (TAU * rm / w).round();
            let (ls, _) = slot(s, TAU * rm / n);
            raised(circle_chain(ls, q, w, line))
        }
        r if r < 0.505 => raised(ladder(th * r, 0.011)),
        // Hatched saw-tooth band.
        r if r < 0.56 => {
            let (s, q, w, rm) = band(0.505, 0.56);
            let n = (TAU * rm / w).round();
            let (ls, _) = slot(s, TAU * rm / n);
            let tri = 1.0 - (ls / (TAU * rm / n) * 2.0).abs();
            let h = (q / w) + 0.5;
            raised(h < tri && ((ls + q) * 90.0).rem_euclid(1.0) < 0.45)
        }
        r if r < 0.575 => 0.0,
        // The heron ring: 18 great birds in flight, beaks forward, counter-clockwise.
        r if r < 0.72 => {
            let (s, q, _, rm) = band(0.575, 0.72);
            let (ls, _) = slot(s, TAU * rm / 18.0);
            raised(heron(-ls / 0.2, q / 0.2))
        }
        r if r < 0.735 => raised(ladder(th * r, 0.011)),
        r if r < 0.78 => {
            let (s, q, w, rm) = band(0.735, 0.78);
            let n = (TAU * rm / w).round();
            let (ls, _) = slot(s, TAU * rm / n);
            raised(circle_chain(ls, q, w, line))
        }
        r if r < 0.795 => raised(ladder(th * r, 0.011)),
        // Meander of interlocking hooks, simplified as alternating oblique strokes.
        r if r < 0.84 => {
            let (s, q, w, _) = band(0.795, 0.84);
            let p = (s / w).rem_euclid(1.0);
            raised(((p + q / w * 0.8) * 3.0).rem_euclid(1.0) < 0.35)
        }
        r if r < 0.855 => raised(ladder(th * r, 0.011)),
        r if r < 0.895 => {
            let (s, q, w, rm) = band(0.855, 0.895);
            let n = (TAU * rm / w).round();
            let (ls, _) = slot(s, TAU * rm / n);
            raised(circle_chain(ls, q, w, line))
        }
        r if r < 0.91 => raised(ladder(th * r, 0.011)),
        // Plain rim where the drum face was struck and handled: smooth bronze.
        _ => 0.55,
    }
}

/// Relief of the drum's mantle at texture u (0..1 over half the circumference) and height y
/// (m). Bands follow the Ngọc Lũ mantle: geometric bands, a band of boats carrying feathered
/// warriors on the bulge, vertical panels with warriors on the waist, plain flared foot.
fn body_relief(u: f32, y: f32) -> f32 {
    // Work in metres along the surface (half circumference at the bulge is about 0.9 m).
    let s = u * PI * 0.285;
    let raised = |b: bool| if b { 1.0 } else { 0.0 };
    let edges = [
        0.443, 0.414, 0.405, 0.398, 0.335, 0.328, 0.32, 0.296, 0.29, 0.2, 0.194, 0.172, 0.166,
    ];
    if edges.iter().any(|&e| (y - e).abs() < 0.0012) {
        return 1.0;
    }
    let circles = |y0: f32, y1: f32| {
        let w = y1 - y0;
        // An integral number of circles per half turn so the texture tiles.
        let n = (PI * 0.285 / w).round();
        let (ls, _) = slot(s, PI * 0.285 / n);
        raised(circle_chain(ls, y - 0.5 * (y0 + y1), w, 0.0016))
    };
    match y {
        y if y > 0.443 => 0.55,
        y if y > 0.414 => circles(0.414, 0.443),
        y if y > 0.405 => raised(ladder(s, 0.006)),
        y if y > 0.398 => 0.0,
        // Boats: crescent hulls with bird-head prows, warriors standing in them. 3 per half turn.
        y if y > 0.335 => {
            let len = PI * 0.285 / 3.0;
            let (ls, _) = slot(s, len);
            let (bx, by) = (ls / (len * 0.45), (y - 0.3665) / 0.03);
            let hull_bottom = -0.75 + 1.1 * bx.abs().powi(6);
            let hull = bx.abs() < 1.05 && by > hull_bottom && by < hull_bottom + 0.35;
            let prow = capsule(bx, by, (1.0, 0.3), (1.15, 0.75), 0.06, 0.03)
                || capsule(bx, by, (-1.0, 0.3), (-1.12, 0.65), 0.06, 0.03);
            let mut crew = false;
            for k in [-0.5f32, -0.15, 0.2, 0.55] {
                // Warriors about 35 mm tall standing on the hull: boat units to figure units.
                crew |= figure((bx - k) * 0.49, (by - 0.1) * 0.109);
            }
            raised(hull || prow || crew)
        }
        y if y > 0.328 => raised(ladder(s, 0.006)),
        y if y > 0.296 => circles(0.296, 0.328),
        // Waist: vertical dividers (ladder columns) framing warrior panels. 4 per half turn.
        y if y > 0.2 => {
            let len = PI * 0.285 / 4.0;
            let (ls, _) = slot(s, len);
            let divider = ls.abs() < 0.012;
            if divider {
                raised(ls.abs() > 0.0095 || ladder(y, 0.005))
            } else {
                // Two warriors per panel, facing each other, about 70 mm tall.
                let px = ls.rem_euclid(len) - len * 0.5;
                let fx = (px - px.signum() * len * 0.25) * px.signum();
                raised(figure(fx * 1.8, (y - 0.242) * 1.8))
            }
        }
        y if y > 0.194 => raised(ladder(s, 0.006)),
        y if y > 0.172 => circles(0.172, 0.194),
        y if y > 0.166 => raised(ladder(s, 0.006)),
        _ => 0.55,
    }
}

/// Bronze colouring and PBR values for a relief height and a patina amount. Returns (base
/// colour, roughness, metallic). Recesses hold the green corrosion; raised lines are worn
/// bright.
fn bronze(relief: f32, patina: f32) -> (Rgb, f32, f32) {
    let recess = [0.26, 0.18, 0.11];
    let polished = [0.60, 0.44, 0.26];
    let mut c = mix(recess, polished, relief);
    let green = [0.33, 0.47, 0.37];
    let crust = [0.36, 0.29, 0.19];
    let p = (patina * (1.0 - 0.7 * relief)).clamp(0.0, 1.0);
    c = mix(c, mix(crust, green, patina), p);
    let rough = 0.58 - 0.2 * relief + 0.3 * p;
    let metal = 0.85 + 0.1 * relief - 0.7 * p;
    (c, rough.clamp(0.0, 1.0), metal.clamp(0.0, 1.0))
}

/// Renders a relief function into base-colour and metallic-roughness images with 2x2
/// supersampling (the relief is binary, so this is the anti-aliasing).
fn render(
    w: usize,
    h: usize,
    mr_div: usize,
    relief: impl Fn(f32, f32) -> f32,
    patina: impl Fn(f32, f32) -> f32,
) -> (Image, Image) {
    let mut base = Image::new(w, h, [0.0; 3]);
    let mut mr = Image::new(w / mr_div, h / mr_div, [0.0; 3]);
    let mut acc = vec![(0.0f32, 0.0f32); (w / mr_div) * (h / mr_div)];
    for py in 0..h {
        for px in 0..w {
            let mut rel = 0.0;
            for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                rel += relief((px as f32 + ox) / w as f32, (py as f32 + oy) / h as f32) * 0.25;
            }
            let (u, v) = ((px as f32 + 0.5) / w as f32, (py as f32 + 0.5) / h as f32);
            let (c, rough, metal) = bronze(rel, patina(u, v));
            base.data[py * w + px] = c;
            let a = &mut acc[(py / mr_div) * (w / mr_div) + px / mr_div];
            a.0 += rough;
            a.1 += metal;
        }
    }
    let k = (mr_div * mr_div) as f32;
    for (p, (rough, metal)) in mr.data.iter_mut().zip(acc) {
        // glTF metallic-roughness layout: G = roughness, B = metallic (R unused).
        *p = [1.0, rough / k, metal / k];
    }
    (base, mr)
}

/// A handle: a flat strap looping out from the shoulder down to the top of the waist, in the
/// plane of the drum's axis at angle `angle`.
fn handle(mesh: &mut Mesh, angle: f32) {
    // (radius, height) control points hugging the body at both ends.
    let ctrl = [
        (0.29, 0.366),
        (0.322, 0.352),
        (0.334, 0.32),
        (0.317, 0.286),
        (0.27, 0.262),
        (0.246, 0.256),
    ];
    let pts: Vec<V3> = ctrl.iter().map(|&(r, y)| [r, y, 0.0]).collect();
    let path = catmull_rom(&pts, 6);
    let n = path.len();
    let mut strap = Mesh::default();
    // Thin radially, wide tangentially: up hint = the tangential axis (+Z before rotation).
    strap.sweep(&path, &vec![(0.007, 0.02); n], 12, [0.0, 0.0, 1.0], 0.15);
    mesh.append(&strap.rotate_y(angle));
}

pub fn build() -> Result<Vec<u8>, String> {
    let mut g = GltfBuilder::default();

    // --- Textures --------------------------------------------------------------------------
    // Tympanum: the image spans the face's diameter; (u, v) = (x, z) planar projection.
    let (face_base, face_mr) = render(
        1024,
        1024,
        2,
        |u, v| tympanum_relief(u * 2.0 - 1.0, v * 2.0 - 1.0),
        |u, v| {
            let n = fbm(u, v, 5, 5, 71);
            ((n - 0.42) * 2.2).clamp(0.0, 1.0)
        },
    );
    // Mantle: u over half the circumference, v from top (0) to bottom (1); patina gathers
    // towards the foot where the drum sat in the ground.
    let (body_base, body_mr) = render(
        1024,
        512,
        2,
        |u, v| body_relief(u, HEIGHT * (1.0 - v)),
        |u, v| {
            let n = fbm(u, v * 0.5, 6, 5, 72);
            ((n - 0.52 + 0.12 * v) * 2.4).clamp(0.0, 1.0)
        },
    );
    let face_tex = g.add_png_texture("tympanum", &face_base.to_png()?, Wrap::Clamp);
    let face_mr_tex = g.add_png_texture(
        "tympanum metallic-roughness",
        &face_mr.to_png()?,
        Wrap::Clamp,
    );
    let body_tex = g.add_png_texture("mantle", &body_base.to_png()?, Wrap::Repeat);
    let body_mr_tex = g.add_png_texture(
        "mantle metallic-roughness",
        &body_mr.to_png()?,
        Wrap::Repeat,
    );

    // Metallic ~0.9 / roughness ~0.4 come from the textures (factors 1 multiply them).
    let face_mat = g.add_material(&Material {
        base_color: [1.0; 4],
        base_color_texture: Some(face_tex),
        metallic: 1.0,
        roughness: 1.0,
        metallic_roughness_texture: Some(face_mr_tex),
        double_sided: false,
        name: "bronze tympanum",
    });
    let body_mat = g.add_material(&Material {
        base_color: [1.0; 4],
        base_color_texture: Some(body_tex),
        metallic: 1.0,
        roughness: 1.0,
        metallic_roughness_texture: Some(body_mr_tex),
        double_sided: false,
        name: "bronze mantle",
    });

    // --- Geometry --------------------------------------------------------------------------
    let mut body = Mesh::default();
    let profile = smooth_profile();
    let v: Vec<f32> = profile.iter().map(|&(_, y)| body_v(y)).collect();
    body.lathe(&profile, &v, SEGMENTS, BODY_REPEAT);
    // Lip: the flat underside of the tympanum's overhang, then its outer edge (hard creases,
    // so separate strips rather than part of the smooth profile).
    let top_r = profile.last().expect("profile").0;
    body.lathe(
        &[(top_r, HEIGHT - LIP), (FACE_R, HEIGHT - LIP)],
        &[0.0, 0.0],
        SEGMENTS,
        BODY_REPEAT,
    );
    body.lathe(
        &[(FACE_R, HEIGHT - LIP), (FACE_R, HEIGHT)],
        &[0.005, 0.0],
        SEGMENTS,
        BODY_REPEAT,
    );
    // The drum is hollow: a bronze wall about 1 cm thick, open at the bottom.
    let wall = 0.01;
    let inner: Vec<(f32, f32)> = profile
        .iter()
        .rev()
        .map(|&(r, y)| (r - wall, y.min(HEIGHT - LIP - wall)))
        .collect();
    let iv: Vec<f32> = inner.iter().map(|&(_, y)| body_v(y)).collect();
    body.lathe(&inner, &iv, SEGMENTS, BODY_REPEAT);
    let (r_out, r_in) = (profile[0].0, profile[0].0 - wall);
    body.lathe(
        &[(r_in, 0.0), (r_out, 0.0)],
        &[1.0, 1.0],
        SEGMENTS,
        BODY_REPEAT,
    );
    let mut underside = Mesh::default();
    underside.disc(inner[0].0, 0.0, SEGMENTS, |x, z| [0.5 + x, 0.5 + z]);
    body.append(&underside.rotate_x(PI).translate([0.0, inner[0].1, 0.0]));
    // Two pairs of handles on opposite sides, each pair 24 degrees apart.
    for centre in [0.0f32, PI] {
        for off in [-12.0f32, 12.0] {
            handle(&mut body, centre + off.to_radians());
        }
    }

    let mut face = Mesh::default();
    face.disc(FACE_R, HEIGHT, SEGMENTS, |x, z| {
        [0.5 + x / (2.0 * FACE_R), 0.5 + z / (2.0 * FACE_R)]
    });

    g.add_mesh_node("tympanum", &[(&face, face_mat)]);
    g.add_mesh_node("mantle", &[(&body, body_mat)]);
    Ok(g.into_glb("Trống đồng Đông Sơn (sample)"))
}
