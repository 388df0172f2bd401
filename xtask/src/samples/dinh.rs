//! Đình Hàng Kênh stand-in: a northern Vietnamese communal house (đình).
//!
//! What makes a đình read as one from a 3/4 view, and so what this model spends its triangles
//! on: a huge, low, hipped tile roof (about two thirds of the height) whose surfaces sag
//! slightly, whose eaves rise towards the corners and end in strongly upturned, curled corner
//! horns ("đao cong"); a heavy main ridge with curled ends and a central "two dragons facing the
//! moon" ornament; a forest of round lim-wood columns on a raised stone platform with front
//! steps; and a brick-paved courtyard with a pair of gate pillars. Dimensions: roof about
//! 20 m x 12 m, ridge ornament top about 8.3 m.

use super::glb::{GltfBuilder, Material, Wrap};
use super::meshes::{Mesh, V3, add, catmull_rom, normalize, scale, sub};
use super::textures;

/// Platform top (the floor of the hall) above the courtyard.
const FLOOR: f32 = 0.6;
/// Platform half extents.
const PLAT_X: f32 = 9.0;
const PLAT_Z: f32 = 5.2;

/// The roof as a function: rings from the ridge (t = 0) to the eaves (t = 1), each ring a
/// rectangle in plan, with a sagging slope and corners that lift and reach outwards.
struct Roof {
    /// Ridge height and half length.
    ridge_y: f32,
    ridge_x: f32,
    /// Eave half extents and height at the middle of the eave line.
    eave_x: f32,
    eave_z: f32,
    eave_y: f32,
    /// How far the corners rise and reach out in plan, and over what distance from the
    /// corner the rise fades (metres along the eave).
    lift: f32,
    reach: f32,
    fade: f32,
}

const ROOF: Roof = Roof {
    ridge_y: 7.0,
    ridge_x: 5.0,
    eave_x: 10.0,
    eave_z: 6.0,
    eave_y: 3.0,
    lift: 1.5,
    reach: 0.7,
    fade: 5.0,
};

impl Roof {
    /// Slope profile: steeper near the ridge and flatter near the eaves (the roof sags),
    /// as on real đình whose rafters bend under the tiles.
    fn fall(t: f32) -> f32 {
        t + 0.35 * t * (1.0 - t)
    }

    /// Half extents of ring `t` in plan.
    fn ring(&self, t: f32) -> (f32, f32) {
        (
            self.ridge_x + t * (self.eave_x - self.ridge_x),
            t * self.eave_z,
        )
    }

    /// How much of the corner lift applies at distance `d` (m) from the nearest corner of ring
    /// `t`. Cubic in t so the upturn concentrates at the eaves and the hips curve upwards.
    fn corner(&self, t: f32, d: f32) -> f32 {
        let w = (1.0 - d / self.fade).max(0.0);
        t.powi(3) * w * w
    }

    fn height(&self, t: f32, k: f32) -> f32 {
        self.ridge_y - (self.ridge_y - self.eave_y) * Self::fall(t) + self.lift * k
    }

    /// A point of the front (+Z) face: `s` runs along the eave from -X to +X.
    fn front(&self, s: f32, t: f32) -> V3 {
        let (hx, hz) = self.ring(t);
        let x = (2.0 * s - 1.0) * hx;
        let k = self.corner(t, hx - x.abs());
        [
            x + x.signum() * self.reach * k,
            self.height(t, k),
            hz + self.reach * k,
        ]
    }

    /// A point of the right (+X) face: `s` runs from the front corner to the back corner.
    fn side(&self, s: f32, t: f32) -> V3 {
        let (hx, hz) = self.ring(t);
        let z = (1.0 - 2.0 * s) * hz;
        let k = self.corner(t, hz - z.abs());
        [
            hx + self.reach * k,
            self.height(t, k),
            z + z.signum() * self.reach * k,
        ]
    }

    /// Height of the roof's underside above plan point (x, z), so columns and walls can stop
    /// just under it.
    fn height_at(&self, x: f32, z: f32) -> f32 {
        let tz = z.abs() / self.eave_z;
        let tx = (x.abs() - self.ridge_x) / (self.eave_x - self.ridge_x);
        let t = tz.max(tx).clamp(0.0, 1.0);
        let (hx, hz) = self.ring(t);
        let d = if tz >= tx { hx - x.abs() } else { hz - z.abs() };
        self.height(t, self.corner(t, d.max(0.0)))
    }

    fn slope_len_front(&self) -> f32 {
        (self.ridge_y - self.eave_y).hypot(self.eave_z)
    }

    fn slope_len_side(&self) -> f32 {
        (self.ridge_y - self.eave_y).hypot(self.eave_x - self.ridge_x)
    }
}

/// The ring at which the roof surface starts; the ridge beam covers the sliver above it (and
/// starting at t = 0 would make degenerate triangles on the hip ends).
const T0: f32 = 0.03;

/// The tiled roof surfaces, the eave edge rolls, the hip ridges and the corner horns.
fn roof(tiles: &mut Mesh, ornament: &mut Mesh) {
    let r = &ROOF;
    let mut quarter = Mesh::default();
    // Front face (mirrored to the back): UV in metres, v down the slope (tile tips point down).
    let front_len = r.slope_len_front();
    quarter.grid(48, 18, true, |s, t| {
        let t = T0 + t * (1.0 - T0);
        let p = r.front(s, t);
        (p, [p[0], t * front_len])
    });
    let side_len = r.slope_len_side();
    quarter.grid(24, 18, true, |s, t| {
        let t = T0 + t * (1.0 - T0);
        let p = r.side(s, t);
        (p, [-p[2], t * side_len])
    });
    tiles.append(&quarter);
    tiles.append(&quarter.mirrored(true, true));

    // Eave rolls: a round edge under the last tile course gives the roof visible thickness.
    let mut eaves = Mesh::default();
    let front_edge: Vec<V3> = (0..=48)
        .map(|i| sub(r.front(i as f32 / 48.0, 1.0), [0.0, 0.08, 0.0]))
        .collect();
    eaves.sweep(&front_edge, &[(0.12, 0.12); 49], 8, [0.0, 1.0, 0.0], 1.0);
    let side_edge: Vec<V3> = (0..=24)
        .map(|i| sub(r.side(i as f32 / 24.0, 1.0), [0.0, 0.08, 0.0]))
        .collect();
    eaves.sweep(&side_edge, &[(0.12, 0.12); 25], 8, [0.0, 1.0, 0.0], 1.0);
    // The eave roll is the edge of the tile layer, so it takes the tile material.
    tiles.append(&eaves);
    tiles.append(&eaves.mirrored(true, true));

    // One hip ridge plus its corner horn, built for the front-right corner and mirrored to the
    // other three corners.
    let mut hip = Mesh::default();
    let n = 24;
    let mut path: Vec<V3> = (0..=n)
        .map(|i| {
            add(
                r.front(1.0, T0 + (1.0 - T0) * i as f32 / n as f32),
                [0.0, 0.16, 0.0],
            )
        })
        .collect();
    let corner = *path.last().expect("hip path has points");
    // The horn ("đao") continues the hip outwards in plan, then sweeps up and curls back over
    // itself: the silhouette that says "Vietnamese temple" from any distance.
    let outward = {
        let before = path[n - 2];
        let d = sub(corner, before);
        normalize([d[0], 0.0, d[2]])
    };
    let horn_ctrl: [(f32, f32); 7] = [
        (0.0, 0.0),
        (0.7, 0.25),
        (1.25, 0.75),
        (1.5, 1.45),
        (1.35, 2.05),
        (1.0, 2.2),
        (0.85, 1.95),
    ];
    let horn_pts: Vec<V3> = horn_ctrl
        .iter()
        .map(|&(a, u)| add(corner, add(scale(outward, a), [0.0, u, 0.0])))
        .collect();
    let horn = catmull_rom(&horn_pts, 6);
    path.extend_from_slice(&horn[1..]);
    let total = path.len();
    let radii: Vec<(f32, f32)> = (0..total)
        .map(|i| {
            if i <= n {
                (0.16, 0.2)
            } else {
                // Taper along the horn to a fine curled tip.
                let f = (i - n) as f32 / (total - 1 - n) as f32;
                let w = 0.16 * (1.0 - f) + 0.04 * f;
                (w, w * 1.25)
            }
        })
        .collect();
    let side_axis = normalize([outward[2], 0.0, -outward[0]]);
    hip.sweep(&path, &radii, 10, side_axis, 1.0);
    // Flame-like secondary curls ("đao lá") sprouting from the back of the horn.
    for (base, len, lean) in [(n + 8, 0.7, 0.55f32), (n + 14, 0.55, 0.35)] {
        let p = path[base.min(total - 1)];
        let ctrl = [
            p,
            add(p, add(scale(outward, -0.15 * lean), [0.0, 0.35 * len, 0.0])),
            add(p, add(scale(outward, -0.45 * lean), [0.0, 0.75 * len, 0.0])),
            add(p, add(scale(outward, -0.35 * lean), [0.0, 1.0 * len, 0.0])),
        ];
        let curl = catmull_rom(&ctrl, 5);
        let m = curl.len();
        let rr: Vec<(f32, f32)> = (0..m)
            .map(|i| {
                let w = 0.07 * (1.0 - i as f32 / m as f32) + 0.015;
                (w, w)
            })
            .collect();
        hip.sweep(&curl, &rr, 8, side_axis, 1.0);
    }
    for (mx, mz) in [(false, false), (true, false), (false, true), (true, true)] {
        ornament.append(&hip.clone().mirrored(mx, mz));
    }
}

/// The main ridge: a heavy roll with curled dragon-tail ends and, at the centre, the "two
/// dragons facing the moon" (lưỡng long chầu nguyệt) motif found on most đình ridges.
fn ridge(ornament: &mut Mesh) {
    let r = &ROOF;
    let y = r.ridge_y + 0.12;
    let end = r.ridge_x + 0.35;
    let mut half = Mesh::default();
    // Ridge roll from the centre outwards, rising slightly towards its ends.
    let body: Vec<V3> = (0..=20)
        .map(|i| {
            let f = i as f32 / 20.0;
            [f * end, y + 0.25 * f.powi(3), 0.0]
        })
        .collect();
    half.sweep(&body, &[(0.24, 0.38); 21], 12, [0.0, 1.0, 0.0], 1.0);
    // Curled end ("kìm"): up and back over the ridge.
    let e = [end, y + 0.25, 0.0];
    let ctrl: Vec<V3> = [
        (0.0, 0.0),
        (0.45, 0.2),
        (0.75, 0.75),
        (0.6, 1.3),
        (0.25, 1.45),
        (0.05, 1.2),
    ]
    .iter()
    .map(|&(dx, dy)| add(e, [dx, dy, 0.0]))
    .collect();
    let curl = catmull_rom(&ctrl, 6);
    let m = curl.len();
    let rr: Vec<(f32, f32)> = (0..m)
        .map(|i| {
            let f = i as f32 / (m - 1) as f32;
            let w = 0.22 * (1.0 - f) + 0.06 * f;
            (w * 0.9, w * 1.1)
        })
        .collect();
    half.sweep(&curl, &rr, 10, [0.0, 0.0, 1.0], 1.0);
    // A dragon: a sinuous body rising from the ridge towards the moon, head raised.
    let dragon_ctrl: Vec<V3> = [
        (3.2, 0.25),
        (2.7, 0.55),
        (2.2, 0.35),
        (1.7, 0.7),
        (1.25, 0.55),
        (0.95, 0.95),
        (0.75, 1.1),
    ]
    .iter()
    .map(|&(x, dy)| [x, y + dy, 0.0])
    .collect();
    let dragon = catmull_rom(&dragon_ctrl, 6);
    let m = dragon.len();
    let rr: Vec<(f32, f32)> = (0..m)
        .map(|i| {
            let f = i as f32 / (m - 1) as f32;
            // Thin tail, thick body, a bulge for the head at the end.
            let w =
                0.04 + 0.1 * (f * std::f32::consts::PI).sin() + if f > 0.9 { 0.06 } else { 0.0 };
            (w * 0.8, w)
        })
        .collect();
    half.sweep(&dragon, &rr, 10, [0.0, 0.0, 1.0], 1.0);
    ornament.append(&half);
    ornament.append(&half.mirrored(true, false));
    // The moon (or flaming pearl): a thick disc facing front and back, with flame spikes.
    let moon_y = y + 1.0;
    let mut moon = Mesh::default();
    moon.disc(0.42, 0.07, 32, |x, z| [x, z]);
    ornament.append(
        &moon
            .clone()
            .rotate_x(std::f32::consts::FRAC_PI_2)
            .translate([0.0, moon_y, 0.0]),
    );
    ornament.append(
        &moon
            .rotate_x(-std::f32::consts::FRAC_PI_2)
            .translate([0.0, moon_y, 0.0]),
    );
    ornament.cylinder([0.0, moon_y, -0.07], [0.0, moon_y, 0.07], 0.42, 32, 1.0);
    for k in 0..9 {
        let a = std::f32::consts::PI * (k as f32 / 8.0);
        let (s, c) = a.sin_cos();
        let from = [0.42 * c, moon_y + 0.42 * s, 0.0];
        let to = [0.68 * c, moon_y + 0.68 * s, 0.0];
        ornament.sweep(
            &[from, to],
            &[(0.06, 0.06), (0.01, 0.01)],
            6,
            [0.0, 0.0, 1.0],
            1.0,
        );
    }
    // A short post carrying the moon above the ridge.
    ornament.cylinder([0.0, y + 0.2, 0.0], [0.0, moon_y - 0.3, 0.0], 0.08, 8, 1.0);
}

/// Stone platform, front steps and the gate pillars ("cột đồng trụ") in the courtyard.
fn masonry(stone: &mut Mesh) {
    stone.cuboid([-PLAT_X, 0.0, -PLAT_Z], [PLAT_X, FLOOR, PLAT_Z], 2.0);
    // Three steps up to the floor, across the three middle bays.
    for k in 0..3 {
        let top = FLOOR * (3 - k) as f32 / 4.0;
        let depth = 0.38 * (k + 1) as f32;
        stone.cuboid([-4.6, 0.0, PLAT_Z], [4.6, top, PLAT_Z + depth], 2.0);
    }
    // Column bases (chân tảng): low stone drums under every column.
    for (x, z, r) in column_grid() {
        stone.lathe(
            &[
                (r + 0.12, FLOOR),
                (r + 0.14, FLOOR + 0.04),
                (r + 0.08, FLOOR + 0.16),
                (r + 0.02, FLOOR + 0.2),
            ],
            &[0.0, 0.05, 0.15, 0.2],
            16,
            1.0,
        );
        let n = stone.positions.len();
        let added = 4 * 17;
        for p in &mut stone.positions[n - added..] {
            p[0] += x;
            p[2] += z;
        }
    }
    // Gate pillars: square shafts with a lantern box and a lotus-bud finial.
    for x in [-3.4f32, 3.4] {
        let z = 12.0;
        let mut p = Mesh::default();
        p.cuboid([-0.5, 0.0, -0.5], [0.5, 0.5, 0.5], 2.0);
        p.cuboid([-0.32, 0.5, -0.32], [0.32, 4.4, 0.32], 2.0);
        p.cuboid([-0.45, 4.4, -0.45], [0.45, 4.6, 0.45], 2.0);
        p.cuboid([-0.3, 4.6, -0.3], [0.3, 5.2, 0.3], 2.0);
        p.cuboid([-0.48, 5.2, -0.48], [0.48, 5.35, 0.48], 2.0);
        p.lathe(
            &[
                (0.22, 5.35),
                (0.26, 5.5),
                (0.2, 5.75),
                (0.08, 5.95),
                (0.012, 6.04),
            ],
            &[0.0, 0.1, 0.3, 0.5, 0.6],
            16,
            1.0,
        );
        stone.append(&p.translate([x, 0.0, z]));
    }
}

/// Columns as (x, z, radius): six lines across (five bays, "3 gian 2 chái") and four rows
/// deep: the tall inner "cột cái" and the outer "cột quân".
fn column_grid() -> Vec<(f32, f32, f32)> {
    let mut out = Vec::new();
    for x in [-7.5f32, -4.5, -1.5, 1.5, 4.5, 7.5] {
        for z in [-4.4f32, -1.7, 1.7, 4.4] {
            let r = if z.abs() < 2.0 { 0.24 } else { 0.2 };
            out.push((x, z, r));
        }
    }
    out
}

/// Columns, tie beams and the front door panels, all in lim wood.
fn timber(wood: &mut Mesh) {
    let r = &ROOF;
    for (x, z, rad) in column_grid() {
        // Stop well under the tiles: the roof's triangles must hide the open column tops even
        // with a coarse depth buffer.
        let top = r.height_at(x, z) - 0.15;
        wood.cylinder([x, FLOOR + 0.18, z], [x, top, z], rad, 20, 1.5);
    }
    // Longitudinal tie beams at the tops of the outer and inner column rows. The inner ones
    // stop at the end bays, where the hipped roof comes down too low for them.
    for (z, y, half) in [
        (4.4f32, 3.35f32, 7.7f32),
        (-4.4, 3.35, 7.7),
        (1.7, 4.9, 4.7),
        (-1.7, 4.9, 4.7),
    ] {
        wood.cuboid([-half, y - 0.3, z - 0.12], [half, y, z + 0.12], 1.5);
    }
    // Transverse beams tying each column line together front to back.
    for x in [-7.5f32, -4.5, -1.5, 1.5, 4.5, 7.5] {
        wood.cuboid([x - 0.12, 3.05, -4.6], [x + 0.12, 3.35, 4.6], 1.5);
        if x.abs() < 5.0 {
            wood.cuboid([x - 0.12, 4.6, -1.9], [x + 0.12, 4.9, 1.9], 1.5);
        }
    }
    // Front wall of wooden panel doors ("cửa bức bàn") in the outer bays; the middle bay stays
    // open onto the dark hall, as on festival days.
    for (x0, x1) in [(-7.3f32, -4.7f32), (-4.3, -1.7), (1.7, 4.3), (4.7, 7.3)] {
        wood.cuboid([x0, FLOOR, 4.3], [x1, 3.05, 4.38], 0.8);
    }
}

/// Back and side walls of the hall, up to just under the eaves.
fn walls(stone: &mut Mesh) {
    stone.cuboid([-7.5, FLOOR, -4.55], [7.5, 3.05, -4.3], 2.0);
    for x in [-7.5f32, 7.5] {
        stone.cuboid([x - 0.12, FLOOR, -4.4], [x + 0.12, 3.05, 4.4], 2.0);
    }
}

pub fn build() -> Result<Vec<u8>, String> {
    let mut g = GltfBuilder::default();
    let tile_tex = g.add_png_texture(
        "roof tiles",
        &textures::roof_tiles(512).to_png()?,
        Wrap::Repeat,
    );
    let wood_tex = g.add_png_texture(
        "lim wood",
        &textures::wood(512, 1.0).to_png()?,
        Wrap::Repeat,
    );
    let stone_tex = g.add_png_texture("stone", &textures::stone(512).to_png()?, Wrap::Repeat);
    let paving_tex = g.add_png_texture(
        "brick paving",
        &textures::paving(512).to_png()?,
        Wrap::Repeat,
    );

    let tile_mat = g.add_material(&Material {
        // The roof is a single shell, seen from below under the eaves too.
        double_sided: true,
        ..Material::textured("roof tiles", tile_tex, 0.85)
    });
    let wood_mat = g.add_material(&Material::textured("lim wood", wood_tex, 0.6));
    let stone_mat = g.add_material(&Material::textured("stone", stone_tex, 0.9));
    let ridge_mat = g.add_material(&Material {
        // Plastered and glazed ridge work: the stone texture, lighter and warmer.
        base_color: [0.78, 0.74, 0.68, 1.0],
        ..Material::textured("ridge ornament", stone_tex, 0.7)
    });
    let paving_mat = g.add_material(&Material::textured("courtyard paving", paving_tex, 0.9));

    let (mut tiles, mut ornament, mut wood, mut stone, mut ground) = (
        Mesh::default(),
        Mesh::default(),
        Mesh::default(),
        Mesh::default(),
        Mesh::default(),
    );
    roof(&mut tiles, &mut ornament);
    ridge(&mut ornament);
    timber(&mut wood);
    masonry(&mut stone);
    walls(&mut stone);
    // Courtyard: bricks 0.3 m, four per texture repeat; deeper in front where the festival
    // ground (sân đình) is.
    let (x0, x1, z0, z1) = (-13.0, 13.0, -8.0, 15.0);
    let t = 1.0 / 1.2;
    ground.quad(
        [[x0, 0.0, z1], [x1, 0.0, z1], [x1, 0.0, z0], [x0, 0.0, z0]],
        [
            [x0 * t, z1 * t],
            [x1 * t, z1 * t],
            [x1 * t, z0 * t],
            [x0 * t, z0 * t],
        ],
    );

    g.add_mesh_node("roof", &[(&tiles, tile_mat), (&ornament, ridge_mat)]);
    g.add_mesh_node("timber frame", &[(&wood, wood_mat)]);
    g.add_mesh_node("platform and walls", &[(&stone, stone_mat)]);
    g.add_mesh_node("courtyard", &[(&ground, paving_mat)]);
    Ok(g.into_glb("Đình Hàng Kênh (sample)"))
}
