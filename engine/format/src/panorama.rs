//! 360° panoramas as multiresolution cube tiles: an equirectangular image re-projected onto the
//! six faces of a cube, each face cut into 512-pixel JPEG tiles at every power-of-two level, and a
//! `config.json` that describes them.
//!
//! The layout is Pannellum's `multires` one (the same `config.json` keys, the same file names
//! `{level}/{face}{row}_{col}.jpg`, the faces `f r b l u d`, level 1 the smallest and
//! `maxLevel` the full cube), so the city portal can show a package's panorama with Pannellum from
//! the same static files. The cube's side is a multiple of `2^(maxLevel-1)`, so every level is
//! exactly half the next, whichever way a viewer rounds.
//!
//! Directions: yaw is measured from the panorama's centre (the middle column of the
//! equirectangular image), positive to the right (clockwise seen from above); pitch is positive
//! up. In the exhibit's space a panorama whose `heading` is 0 looks with its centre towards -Z
//! (into the scene, as the home camera does), yaw 90° towards +X, and +Y is up.
//!
//! Bevy-free: `disan pack` writes the tiles, `disan validate` and the viewers read them.

use serde_json::{Value, json};

/// The tile side `disan pack` writes, as Pannellum's generator does by default.
pub const TILE_SIZE: u32 = 512;

/// The largest equirectangular image `disan pack` takes: 16384×8192 (a 134-megapixel pano,
/// what a 360° scanner such as a Matterport Pro3 or an Insta360 Titan stitches), and the largest
/// cube side a `config.json` may claim.
pub const MAX_EQUIRECT_WIDTH: u32 = 16_384;
pub const MAX_CUBE: u32 = 8_192;

/// How far the panorama's cube face lies from its centre, in metres of the exhibit's space. The
/// distance changes nothing on screen (the camera stays at the centre); it only has to be beyond
/// the hotspot markers and small against the camera's far plane.
pub const CUBE_HALF_SIZE: f32 = 10.0;

/// Where hotspots and links placed by yaw and pitch stand: inside the cube, so they are drawn
/// over the picture, and far enough that the marker's size reads as on a model.
pub const MARKER_DISTANCE: f32 = 8.0;

/// A cube face, named as Pannellum names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CubeFace {
    Front,
    Right,
    Back,
    Left,
    Up,
    Down,
}

impl CubeFace {
    pub const ALL: [CubeFace; 6] = [
        Self::Front,
        Self::Right,
        Self::Back,
        Self::Left,
        Self::Up,
        Self::Down,
    ];

    /// The letter in tile file names.
    pub fn letter(self) -> char {
        match self {
            Self::Front => 'f',
            Self::Right => 'r',
            Self::Back => 'b',
            Self::Left => 'l',
            Self::Up => 'u',
            Self::Down => 'd',
        }
    }

    /// The face seen from the cube's centre, with a panorama heading of 0: the direction to its
    /// middle, and the directions of its image's right (+column) and up (-row) edges. A side
    /// face stands upright; looking up from the front, the top of the up face is behind; looking
    /// down, the top of the down face is in front.
    pub fn basis(self) -> ([f32; 3], [f32; 3], [f32; 3]) {
        match self {
            Self::Front => ([0.0, 0.0, -1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]),
            Self::Right => ([1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]),
            Self::Back => ([0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, 1.0, 0.0]),
            Self::Left => ([-1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]),
            Self::Up => ([0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]),
            Self::Down => ([0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]),
        }
    }

    /// The (unnormalised) direction through the face at `(u, v)`, each from 0 at the image's
    /// left/top edge to 1 at its right/bottom edge.
    pub fn direction_at(self, u: f64, v: f64) -> [f64; 3] {
        let (c, r, up) = self.basis();
        let (a, b) = (2.0 * u - 1.0, 1.0 - 2.0 * v);
        std::array::from_fn(|i| f64::from(c[i]) + a * f64::from(r[i]) + b * f64::from(up[i]))
    }
}

/// The direction of `yaw`/`pitch` (degrees) in a panorama of heading 0, as a unit vector.
pub fn direction(yaw_deg: f64, pitch_deg: f64) -> [f64; 3] {
    let (sy, cy) = yaw_deg.to_radians().sin_cos();
    let (sp, cp) = pitch_deg.to_radians().sin_cos();
    [sy * cp, sp, -cy * cp]
}

/// Yaw in (-180, 180] and pitch in [-90, 90], degrees, of a direction (any length but zero).
pub fn yaw_pitch(dir: [f64; 3]) -> (f64, f64) {
    let len = (dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]).sqrt();
    let yaw = dir[0].atan2(-dir[2]).to_degrees();
    let pitch = (dir[1] / len).clamp(-1.0, 1.0).asin().to_degrees();
    (yaw, pitch)
}

/// Where a direction meets the cube: the face and `(u, v)` on it (0–1, from the top-left).
pub fn face_at(dir: [f64; 3]) -> (CubeFace, f64, f64) {
    let [x, y, z] = dir;
    let (ax, ay, az) = (x.abs(), y.abs(), z.abs());
    let face = if ay >= ax && ay >= az {
        if y > 0.0 {
            CubeFace::Up
        } else {
            CubeFace::Down
        }
    } else if ax >= az {
        if x > 0.0 {
            CubeFace::Right
        } else {
            CubeFace::Left
        }
    } else if z < 0.0 {
        CubeFace::Front
    } else {
        CubeFace::Back
    };
    let (c, r, up) = face.basis();
    let dot = |a: [f32; 3]| x * f64::from(a[0]) + y * f64::from(a[1]) + z * f64::from(a[2]);
    let depth = dot(c);
    let (a, b) = (dot(r) / depth, dot(up) / depth);
    (face, (a + 1.0) / 2.0, (1.0 - b) / 2.0)
}

/// One tile of a cube: its level (1 = the smallest), face, row and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CubeTileId {
    pub level: u8,
    pub face: CubeFace,
    pub row: u32,
    pub col: u32,
}

/// A panorama's tile set, as its `config.json` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CubeTiles {
    /// The full-resolution face's side in pixels (Pannellum's `cubeResolution`).
    pub cube: u32,
    pub tile: u32,
    /// The number of levels; level `max_level` is the full face.
    pub max_level: u8,
}

/// Why a panorama's `config.json` cannot be used, in words for staff (the caller names the file).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("is not JSON ({0}): write it again with `disan pack --as panorama`")]
    NotJson(String),
    #[error(
        "has no `multiRes.{0}`, which a multires panorama's config.json must have: write it again with `disan pack --as panorama`"
    )]
    Missing(&'static str),
    #[error("`multiRes.{field}` is {value}, which {why}")]
    Invalid {
        field: &'static str,
        value: String,
        why: &'static str,
    },
}

impl CubeTiles {
    /// The tile set `disan pack` writes for an equirectangular image `width` pixels wide: a cube
    /// face of about `width / π` pixels (the equator's resolution kept), rounded down to a
    /// multiple of `2^(levels-1)`, and levels down to the first that fits in one tile.
    pub fn for_equirect(width: u32) -> Self {
        let ideal = (f64::from(width) / std::f64::consts::PI).floor().max(8.0) as u32;
        let mut levels = 1u8;
        while ideal.div_ceil(1 << (levels - 1)) > TILE_SIZE {
            levels += 1;
        }
        let step = 1u32 << (levels - 1);
        let cube = (ideal / step * step).max(step);
        Self {
            cube,
            tile: TILE_SIZE,
            max_level: levels,
        }
    }

    /// A level's face side in pixels.
    pub fn level_size(&self, level: u8) -> u32 {
        self.cube >> (self.max_level - level.clamp(1, self.max_level))
    }

    /// How many tiles a face of this level has along each side.
    pub fn tiles_per_side(&self, level: u8) -> u32 {
        self.level_size(level).div_ceil(self.tile)
    }

    /// The pixels of the level's face a tile covers: `[x, y, w, h]`.
    pub fn tile_rect(&self, id: CubeTileId) -> [u32; 4] {
        let size = self.level_size(id.level);
        let (x, y) = (id.col * self.tile, id.row * self.tile);
        [x, y, self.tile.min(size - x), self.tile.min(size - y)]
    }

    /// The part of its face a tile covers, `[u0, v0, u1, v1]`, each 0–1 from the face's
    /// top-left corner (as [`CubeFace::direction_at`] takes them).
    pub fn tile_uv(&self, id: CubeTileId) -> [f64; 4] {
        let [x, y, w, h] = self.tile_rect(id);
        let s = f64::from(self.level_size(id.level));
        [
            f64::from(x) / s,
            f64::from(y) / s,
            f64::from(x + w) / s,
            f64::from(y + h) / s,
        ]
    }

    /// The tile's file, relative to the folder of `config.json`.
    pub fn tile_path(id: CubeTileId) -> String {
        format!("{}/{}{}_{}.jpg", id.level, id.face.letter(), id.row, id.col)
    }

    /// Every tile of every level, smallest level first.
    pub fn all_tiles(&self) -> impl Iterator<Item = CubeTileId> + '_ {
        (1..=self.max_level).flat_map(move |level| {
            let n = self.tiles_per_side(level);
            CubeFace::ALL.into_iter().flat_map(move |face| {
                (0..n).flat_map(move |row| {
                    (0..n).map(move |col| CubeTileId {
                        level,
                        face,
                        row,
                        col,
                    })
                })
            })
        })
    }

    /// The smallest level that gives at least `px_per_radian` screen pixels per radian at the
    /// middle of a face (where a face of side `s` gives `s / 2`), or the largest there is.
    pub fn level_for(&self, px_per_radian: f64) -> u8 {
        (1..=self.max_level)
            .find(|&l| f64::from(self.level_size(l)) / 2.0 >= px_per_radian)
            .unwrap_or(self.max_level)
    }

    /// The `config.json` `disan pack` writes: Pannellum's multires keys, so Pannellum shows the
    /// same tiles with `basePath` set to this folder's URL.
    pub fn config_json(&self) -> String {
        let v = json!({
            "type": "multires",
            "multiRes": {
                "path": "/%l/%s%y_%x",
                "extension": "jpg",
                "tileResolution": self.tile,
                "maxLevel": self.max_level,
                "cubeResolution": self.cube,
            },
        });
        serde_json::to_string_pretty(&v).expect("a JSON value serialises")
    }

    /// Reads a `config.json`, refusing what the viewer could not show (a tile layout other than
    /// Disan's, or sizes a broken or hostile file claims).
    pub fn from_config_json(text: &str) -> Result<Self, ConfigError> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| ConfigError::NotJson(e.to_string()))?;
        let m = v.get("multiRes").ok_or(ConfigError::Missing("path"))?;
        let uint = |key: &'static str| -> Result<u64, ConfigError> {
            let value = m.get(key).ok_or(ConfigError::Missing(key))?;
            value.as_u64().ok_or_else(|| ConfigError::Invalid {
                field: key,
                value: value.to_string(),
                why: "should be a whole number",
            })
        };
        let text_field = |key: &'static str| -> Result<String, ConfigError> {
            m.get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or(ConfigError::Missing(key))
        };
        let path = text_field("path")?;
        if path != "/%l/%s%y_%x" {
            return Err(ConfigError::Invalid {
                field: "path",
                value: format!("\"{path}\""),
                why: "is not the layout Disan reads (\"/%l/%s%y_%x\", as `disan pack --as panorama` writes it)",
            });
        }
        let extension = text_field("extension")?;
        if extension != "jpg" {
            return Err(ConfigError::Invalid {
                field: "extension",
                value: format!("\"{extension}\""),
                why: "is not \"jpg\", the tiles `disan pack --as panorama` writes",
            });
        }
        let tile = uint("tileResolution")?;
        if !(64..=2048).contains(&tile) {
            return Err(ConfigError::Invalid {
                field: "tileResolution",
                value: tile.to_string(),
                why: "should be between 64 and 2048 pixels",
            });
        }
        let cube = uint("cubeResolution")?;
        if cube == 0 || cube > u64::from(MAX_CUBE) {
            return Err(ConfigError::Invalid {
                field: "cubeResolution",
                value: cube.to_string(),
                why: "should be between 1 and 8192 pixels (a 16384-pixel-wide panorama's cube)",
            });
        }
        let max_level = uint("maxLevel")?;
        let fits = (1..=16).contains(&max_level) && cube % (1 << (max_level - 1)) == 0 && {
            let smallest = cube >> (max_level - 1);
            smallest <= tile && (max_level == 1 || smallest * 2 > tile)
        };
        if !fits {
            return Err(ConfigError::Invalid {
                field: "maxLevel",
                value: max_level.to_string(),
                why: "does not halve the cube down to one tile per face exactly: write the tiles again with `disan pack --as panorama`",
            });
        }
        Ok(Self {
            cube: cube as u32,
            tile: tile as u32,
            max_level: max_level as u8,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [f64; 3], b: [f64; 3]) -> bool {
        let len = |v: [f64; 3]| (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        let (la, lb) = (len(a), len(b));
        (0..3).all(|i| (a[i] / la - b[i] / lb).abs() < 1e-9)
    }

    #[test]
    fn yaw_turns_right_from_minus_z_and_pitch_looks_up() {
        assert!(close(direction(0.0, 0.0), [0.0, 0.0, -1.0]));
        assert!(close(direction(90.0, 0.0), [1.0, 0.0, 0.0]));
        assert!(close(direction(-90.0, 0.0), [-1.0, 0.0, 0.0]));
        assert!(close(direction(180.0, 0.0), [0.0, 0.0, 1.0]));
        assert!(close(direction(0.0, 90.0), [0.0, 1.0, 0.0]));
        for (yaw, pitch) in [(10.0, 20.0), (-135.0, -45.0), (179.0, 80.0)] {
            let (y, p) = yaw_pitch(direction(yaw, pitch));
            assert!(
                (y - yaw).abs() < 1e-9 && (p - pitch).abs() < 1e-9,
                "{yaw} {pitch}"
            );
        }
    }

    #[test]
    fn each_face_faces_the_way_its_name_says() {
        let middle = |f: CubeFace| yaw_pitch(f.direction_at(0.5, 0.5));
        assert_eq!(middle(CubeFace::Front), (0.0, 0.0));
        assert_eq!(middle(CubeFace::Right), (90.0, 0.0));
        assert_eq!(middle(CubeFace::Left), (-90.0, 0.0));
        assert_eq!(middle(CubeFace::Back).1, 0.0);
        assert_eq!(middle(CubeFace::Back).0.abs(), 180.0);
        assert_eq!(middle(CubeFace::Up).1, 90.0);
        assert_eq!(middle(CubeFace::Down).1, -90.0);
        // A side face's right edge is further right (larger yaw), its top edge higher.
        let (yr, _) = yaw_pitch(CubeFace::Front.direction_at(1.0, 0.5));
        let (_, pt) = yaw_pitch(CubeFace::Front.direction_at(0.5, 0.0));
        assert!(
            (yr - 45.0).abs() < 1e-9 && (pt - 45.0).abs() < 1e-9,
            "{yr} {pt}"
        );
        // Looking up from the front, the up face's bottom edge meets the front face's top.
        assert!(close(
            CubeFace::Up.direction_at(0.5, 1.0),
            CubeFace::Front.direction_at(0.5, 0.0)
        ));
        // Looking down from the front, the down face's top edge meets the front's bottom.
        assert!(close(
            CubeFace::Down.direction_at(0.5, 0.0),
            CubeFace::Front.direction_at(0.5, 1.0)
        ));
        // The side faces join edge to edge, going right: front, right, back, left.
        let ring = [
            CubeFace::Front,
            CubeFace::Right,
            CubeFace::Back,
            CubeFace::Left,
        ];
        for i in 0..4 {
            let (a, b) = (ring[i], ring[(i + 1) % 4]);
            assert!(
                close(a.direction_at(1.0, 0.3), b.direction_at(0.0, 0.3)),
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn a_direction_finds_its_face_and_pixel() {
        for face in CubeFace::ALL {
            for (u, v) in [(0.5, 0.5), (0.1, 0.2), (0.93, 0.71)] {
                let (f, fu, fv) = face_at(face.direction_at(u, v));
                assert_eq!(f, face);
                assert!(
                    (fu - u).abs() < 1e-9 && (fv - v).abs() < 1e-9,
                    "{face:?} {u} {v}"
                );
            }
        }
    }

    #[test]
    fn levels_halve_exactly_down_to_one_tile() {
        let t = CubeTiles::for_equirect(16_384);
        assert_eq!(t.max_level, 5);
        assert_eq!(t.cube % 16, 0);
        assert!(t.cube <= 5215 && t.cube > 5215 - 16, "{}", t.cube);
        assert_eq!(t.level_size(1) * 16, t.cube);
        assert_eq!(t.tiles_per_side(1), 1);
        assert_eq!(t.tiles_per_side(5), t.cube.div_ceil(512));
        let small = CubeTiles::for_equirect(1024);
        assert_eq!((small.max_level, small.cube), (1, 325));
        // The last tile of a row is the remainder.
        let id = CubeTileId {
            level: 5,
            face: CubeFace::Up,
            row: 10,
            col: 10,
        };
        assert_eq!(t.tile_rect(id), [5120, 5120, t.cube - 5120, t.cube - 5120]);
        assert_eq!(CubeTiles::tile_path(id), "5/u10_10.jpg");
        let uv = t.tile_uv(id);
        assert!(
            (uv[0] - 5120.0 / 5200.0).abs() < 1e-12 && uv[2] == 1.0 && uv[3] == 1.0,
            "{uv:?}"
        );
        let count: usize = (1..=5)
            .map(|l| 6 * (t.tiles_per_side(l) as usize).pow(2))
            .sum();
        assert_eq!(t.all_tiles().count(), count);
    }

    #[test]
    fn the_level_follows_the_pixels_wanted() {
        let t = CubeTiles::for_equirect(8192); // faces of 325, 650, 1300 and 2600 pixels
        assert_eq!((t.max_level, t.cube), (4, 2600));
        assert_eq!(t.level_for(100.0), 1);
        assert_eq!(t.level_for(200.0), 2);
        assert_eq!(t.level_for(500.0), 3);
        assert_eq!(t.level_for(1000.0), 4);
        assert_eq!(t.level_for(1e6), 4);
    }

    #[test]
    fn config_round_trips_and_bad_ones_are_refused() {
        let t = CubeTiles::for_equirect(8192);
        assert_eq!(CubeTiles::from_config_json(&t.config_json()), Ok(t.clone()));
        let with = |key: &str, value: Value| {
            let mut v: Value = serde_json::from_str(&t.config_json()).unwrap();
            v["multiRes"][key] = value;
            CubeTiles::from_config_json(&v.to_string())
        };
        assert!(matches!(
            with("cubeResolution", json!(1_000_000)),
            Err(ConfigError::Invalid {
                field: "cubeResolution",
                ..
            })
        ));
        assert!(matches!(
            with("maxLevel", json!(2)),
            Err(ConfigError::Invalid {
                field: "maxLevel",
                ..
            })
        ));
        assert!(matches!(
            with("path", json!("/%l/%s/%x_%y")),
            Err(ConfigError::Invalid { field: "path", .. })
        ));
        assert!(matches!(
            CubeTiles::from_config_json("{"),
            Err(ConfigError::NotJson(_))
        ));
        assert_eq!(
            CubeTiles::from_config_json("{\"multiRes\":{}}"),
            Err(ConfigError::Missing("path"))
        );
    }
}
