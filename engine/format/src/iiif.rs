//! Document scans as IIIF Image API 3.0 level-0 static tiles: a pyramid of 512-pixel JPEG tiles
//! and its `info.json`, laid out so that any IIIF viewer (OpenSeadragon, Mirador, the Universal
//! Viewer) can show the same files a Disan package carries, from a plain web server with no
//! image server behind it.
//!
//! The file names are the Image API's URL paths, `{region}/{size}/0/default.jpg`, exactly as
//! OpenSeadragon's `IIIFTileSource` asks for them (a viewer that computes another name for the
//! same tile gets a 404 from a static server): `region` is `x,y,w,h` in full-resolution pixels
//! (or `full` when one tile covers the image), `size` is `w,h` of the tile as stored (or `max`
//! when that is the full resolution of the whole image). Level `k` is the image downscaled by the
//! scale factor `2^k`, `ceil(width / 2^k)` pixels wide, as IIIF viewers compute it.
//!
//! Bevy-free: `disan pack` writes the pyramid, `disan validate` and the viewers read it.

use serde_json::{Value, json};

/// The tile side `disan pack` writes: 512 pixels, as most IIIF image servers use (a 256-pixel
/// tile quadruples the requests for the same pixels; 1024 makes a phone fetch pixels it never
/// shows).
pub const TILE_SIZE: u32 = 512;

/// The largest scan the viewer accepts: 65535 pixels a side (a 1.8 m sheet at 900 dpi), and
/// 2 gigapixels in all. A header claiming more is refused before anything is fetched.
pub const MAX_SIDE: u32 = 65_535;
pub const MAX_PIXELS: u64 = 2_000_000_000;

/// A scan's tile pyramid, as its `info.json` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TilePyramid {
    pub width: u32,
    pub height: u32,
    pub tile: u32,
    /// Ascending powers of two, `[1, 2, 4, …]`: level `k` is scale factor `scale_factors[k]`.
    pub scale_factors: Vec<u32>,
}

/// One tile: which level, which column and row of that level's grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    pub level: u8,
    pub x: u32,
    pub y: u32,
}

/// A rectangle in full-resolution scan pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScanRect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// Why an `info.json` cannot be used, in words for staff (the caller names the file).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InfoError {
    #[error("is not JSON ({0}): write it again with `disan pack --as document`")]
    NotJson(String),
    #[error(
        "has no `{0}`, which an IIIF Image API info.json must have: write it again with `disan pack --as document`"
    )]
    Missing(&'static str),
    #[error("`{field}` is {value}, which {why}")]
    Invalid {
        field: &'static str,
        value: String,
        why: &'static str,
    },
}

impl TilePyramid {
    /// The pyramid `disan pack` writes for an image of `width`×`height`: 512-pixel tiles and every
    /// power-of-two level down to the first that fits in one tile.
    pub fn for_image(width: u32, height: u32) -> Self {
        let mut scale_factors = vec![1u32];
        while {
            let sf = *scale_factors.last().expect("one");
            width.div_ceil(sf) > TILE_SIZE || height.div_ceil(sf) > TILE_SIZE
        } {
            let next = scale_factors.last().expect("one") * 2;
            scale_factors.push(next);
        }
        Self {
            width,
            height,
            tile: TILE_SIZE,
            scale_factors,
        }
    }

    pub fn levels(&self) -> usize {
        self.scale_factors.len()
    }

    /// The coarsest level: the whole image in one tile.
    pub fn coarsest(&self) -> u8 {
        (self.levels() - 1) as u8
    }

    pub fn scale_factor(&self, level: u8) -> u32 {
        self.scale_factors[usize::from(level)]
    }

    /// The level's size in pixels, rounded up as IIIF viewers round it.
    pub fn level_size(&self, level: u8) -> (u32, u32) {
        let sf = self.scale_factor(level);
        (self.width.div_ceil(sf), self.height.div_ceil(sf))
    }

    /// The level's grid: columns and rows of tiles.
    pub fn grid(&self, level: u8) -> (u32, u32) {
        let (w, h) = self.level_size(level);
        (w.div_ceil(self.tile), h.div_ceil(self.tile))
    }

    pub fn tile_count(&self) -> usize {
        (0..self.levels() as u8)
            .map(|l| {
                let (c, r) = self.grid(l);
                (c * r) as usize
            })
            .sum()
    }

    /// Every tile, finest level first.
    pub fn tiles(&self) -> impl Iterator<Item = TileId> + '_ {
        (0..self.levels() as u8).flat_map(move |level| {
            let (cols, rows) = self.grid(level);
            (0..rows).flat_map(move |y| (0..cols).map(move |x| TileId { level, x, y }))
        })
    }

    /// The part of the full-resolution image a tile covers: `(x, y, w, h)` in pixels.
    pub fn tile_region(&self, t: TileId) -> (u32, u32, u32, u32) {
        let span = self.tile * self.scale_factor(t.level);
        let (x, y) = (t.x * span, t.y * span);
        (x, y, span.min(self.width - x), span.min(self.height - y))
    }

    /// The tile's size in pixels as stored.
    pub fn tile_size(&self, t: TileId) -> (u32, u32) {
        let (w, h) = self.level_size(t.level);
        (
            self.tile.min(w - t.x * self.tile),
            self.tile.min(h - t.y * self.tile),
        )
    }

    /// The tile's file, relative to the folder of `info.json`, as an IIIF viewer asks for it.
    pub fn tile_path(&self, t: TileId) -> String {
        let (x, y, w, h) = self.tile_region(t);
        let region = if x == 0 && y == 0 && w == self.width && h == self.height {
            "full".to_owned()
        } else {
            format!("{x},{y},{w},{h}")
        };
        let (sw, sh) = self.tile_size(t);
        let size = if sw == self.width && sh == self.height {
            "max".to_owned()
        } else {
            format!("{sw},{sh}")
        };
        format!("{region}/{size}/0/default.jpg")
    }

    /// The level to show when one screen pixel covers `scan_pixels_per_screen_pixel` pixels of the
    /// full-resolution scan: the coarsest level still at least as sharp as the screen.
    pub fn level_for(&self, scan_pixels_per_screen_pixel: f64) -> u8 {
        let mut best = 0u8;
        for (k, sf) in self.scale_factors.iter().enumerate() {
            if f64::from(*sf) <= scan_pixels_per_screen_pixel.max(1.0) + 1e-9 {
                best = k as u8;
            }
        }
        best
    }

    /// The tiles of `level` that `rect` (full-resolution pixels) touches, row by row.
    pub fn tiles_in(&self, level: u8, rect: ScanRect) -> Vec<TileId> {
        let span = f64::from(self.tile * self.scale_factor(level));
        let (cols, rows) = self.grid(level);
        let x0 = rect.x.max(0.0);
        let y0 = rect.y.max(0.0);
        let x1 = (rect.x + rect.w).min(f64::from(self.width));
        let y1 = (rect.y + rect.h).min(f64::from(self.height));
        if x1 <= x0 || y1 <= y0 {
            return Vec::new();
        }
        let c0 = (x0 / span).floor() as u32;
        let r0 = (y0 / span).floor() as u32;
        let c1 = (((x1 / span).ceil() as u32).max(c0 + 1)).min(cols);
        let r1 = (((y1 / span).ceil() as u32).max(r0 + 1)).min(rows);
        (r0..r1)
            .flat_map(|y| (c0..c1).map(move |x| TileId { level, x, y }))
            .collect()
    }

    /// The `info.json` for this pyramid (IIIF Image API 3.0, level 0). `id` is the URL the
    /// folder will be published at; IIIF viewers build tile URLs from it.
    pub fn info_json(&self, id: &str) -> Value {
        let sizes: Vec<Value> = (0..self.levels() as u8)
            .rev()
            .map(|l| {
                let (w, h) = self.level_size(l);
                json!({ "width": w, "height": h })
            })
            .collect();
        json!({
            "@context": "http://iiif.io/api/image/3/context.json",
            "id": id,
            "type": "ImageService3",
            "protocol": "http://iiif.io/api/image",
            "profile": "level0",
            "width": self.width,
            "height": self.height,
            "sizes": sizes,
            "tiles": [{ "width": self.tile, "height": self.tile, "scaleFactors": self.scale_factors }],
            "preferredFormats": ["jpg"],
        })
    }

    /// Reads an `info.json` (Image API 3.0, or 2.x whose fields are the same here), refusing
    /// sizes the viewer cannot hold and tilings it cannot follow.
    pub fn from_info_json(bytes: &[u8]) -> Result<Self, InfoError> {
        let v: Value =
            serde_json::from_slice(bytes).map_err(|e| InfoError::NotJson(e.to_string()))?;
        let dimension = |key: &'static str| -> Result<u32, InfoError> {
            let n = v.get(key).ok_or(InfoError::Missing(key))?;
            match n.as_u64() {
                Some(n) if (1..=u64::from(MAX_SIDE)).contains(&n) => Ok(n as u32),
                _ => Err(InfoError::Invalid {
                    field: key,
                    value: n.to_string(),
                    why: "must be a whole number of pixels from 1 to 65535",
                }),
            }
        };
        let width = dimension("width")?;
        let height = dimension("height")?;
        if u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(InfoError::Invalid {
                field: "width",
                value: format!("{width}×{height}"),
                why: "is more than the 2 gigapixels the viewer accepts: scan at a lower resolution or split the sheet",
            });
        }
        let tiles = v
            .get("tiles")
            .and_then(Value::as_array)
            .and_then(|t| t.first())
            .ok_or(InfoError::Missing("tiles"))?;
        let tile = tiles
            .get("width")
            .and_then(Value::as_u64)
            .ok_or(InfoError::Missing("tiles[0].width"))?;
        if !(64..=4096).contains(&tile)
            || tiles
                .get("height")
                .and_then(Value::as_u64)
                .is_some_and(|h| h != tile)
        {
            return Err(InfoError::Invalid {
                field: "tiles[0]",
                value: tiles.to_string(),
                why: "must be square tiles of 64 to 4096 pixels",
            });
        }
        let factors: Vec<u32> = tiles
            .get("scaleFactors")
            .and_then(Value::as_array)
            .ok_or(InfoError::Missing("tiles[0].scaleFactors"))?
            .iter()
            .map(|f| f.as_u64().unwrap_or(0) as u32)
            .collect();
        let consecutive = factors
            .iter()
            .enumerate()
            .all(|(k, f)| k < 31 && *f == 1 << k);
        if factors.is_empty() || !consecutive {
            return Err(InfoError::Invalid {
                field: "tiles[0].scaleFactors",
                value: format!("{factors:?}"),
                why: "must be the powers of two 1, 2, 4, … without gaps",
            });
        }
        let mut pyramid = Self {
            width,
            height,
            tile: tile as u32,
            scale_factors: factors,
        };
        // Levels coarser than the first that fits in one tile (some tilers go down to one
        // pixel) are never drawn: they are dropped, which also keeps a tile's span (tile size
        // times scale factor) well inside u32 whatever factors the file lists.
        if let Some(k) = (0..pyramid.scale_factors.len()).find(|&k| {
            let (w, h) = pyramid.level_size(k as u8);
            w <= pyramid.tile && h <= pyramid.tile
        }) {
            pyramid.scale_factors.truncate(k + 1);
        }
        let (w, h) = pyramid.level_size(pyramid.coarsest());
        if w > pyramid.tile || h > pyramid.tile {
            return Err(InfoError::Invalid {
                field: "tiles[0].scaleFactors",
                value: format!("{:?}", pyramid.scale_factors),
                why: "stops before the whole image fits in one tile, so there is no overview to show first: write it again with `disan pack --as document`",
            });
        }
        Ok(pyramid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_go_down_to_one_tile() {
        let p = TilePyramid::for_image(20_000, 28_000);
        assert_eq!(p.scale_factors, vec![1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(p.level_size(6), (313, 438));
        assert_eq!(p.grid(0), (40, 55));
        assert_eq!(p.grid(6), (1, 1));
        let small = TilePyramid::for_image(300, 200);
        assert_eq!(small.scale_factors, vec![1]);
    }

    /// The names OpenSeadragon 5's `IIIFTileSource.getTileUrl` computes for a v3 level-0 image
    /// (worked out by hand from its code for this 1300×900 image with 512-pixel tiles).
    #[test]
    fn tile_names_are_the_ones_iiif_viewers_ask_for() {
        let p = TilePyramid::for_image(1300, 900);
        assert_eq!(p.scale_factors, vec![1, 2, 4]);
        let name = |level, x, y| p.tile_path(TileId { level, x, y });
        assert_eq!(name(0, 0, 0), "0,0,512,512/512,512/0/default.jpg");
        assert_eq!(name(0, 2, 1), "1024,512,276,388/276,388/0/default.jpg");
        assert_eq!(name(1, 1, 0), "1024,0,276,900/138,450/0/default.jpg");
        // The coarsest level: one tile, the whole image.
        assert_eq!(name(2, 0, 0), "full/325,225/0/default.jpg");
        let tiny = TilePyramid::for_image(400, 300);
        assert_eq!(
            tiny.tile_path(TileId {
                level: 0,
                x: 0,
                y: 0
            }),
            "full/max/0/default.jpg"
        );
    }

    #[test]
    fn level_follows_the_screen() {
        let p = TilePyramid::for_image(20_000, 28_000);
        assert_eq!(p.level_for(0.5), 0, "zoomed past full resolution");
        assert_eq!(p.level_for(1.0), 0);
        assert_eq!(p.level_for(3.9), 1);
        assert_eq!(p.level_for(4.0), 2);
        assert_eq!(p.level_for(1e6), 6);
    }

    #[test]
    fn visible_tiles_are_those_the_rectangle_touches() {
        let p = TilePyramid::for_image(20_000, 28_000);
        let seen = p.tiles_in(
            0,
            ScanRect {
                x: 1000.0,
                y: 500.0,
                w: 1280.0,
                h: 720.0,
            },
        );
        // Columns 1..=4 (512..2560), rows 0..=2 (0..1536).
        assert_eq!(seen.len(), 4 * 3);
        assert_eq!(
            seen[0],
            TileId {
                level: 0,
                x: 1,
                y: 0
            }
        );
        assert_eq!(
            seen[11],
            TileId {
                level: 0,
                x: 4,
                y: 2
            }
        );
        let outside = ScanRect {
            x: 30_000.0,
            y: 0.0,
            w: 10.0,
            h: 10.0,
        };
        assert!(p.tiles_in(0, outside).is_empty());
        let everything = ScanRect {
            x: -5.0,
            y: -5.0,
            w: 1e9,
            h: 1e9,
        };
        assert_eq!(p.tiles_in(6, everything).len(), 1);
        assert_eq!(p.tiles_in(0, everything).len(), 40 * 55);
    }

    #[test]
    fn info_json_round_trips_and_refuses_what_cannot_be_shown() {
        let p = TilePyramid::for_image(4096, 2048);
        let info = p.info_json("https://example.org/iiif/decree");
        assert_eq!(info["profile"], "level0");
        assert_eq!(info["sizes"].as_array().unwrap().len(), p.levels());
        let bytes = serde_json::to_vec(&info).unwrap();
        assert_eq!(TilePyramid::from_info_json(&bytes).unwrap(), p);

        let huge =
            br#"{"width": 100000, "height": 10, "tiles": [{"width": 512, "scaleFactors": [1]}]}"#;
        assert!(matches!(
            TilePyramid::from_info_json(huge),
            Err(InfoError::Invalid { field: "width", .. })
        ));
        let gap = br#"{"width": 4000, "height": 10, "tiles": [{"width": 512, "scaleFactors": [1, 4, 8]}]}"#;
        assert!(matches!(
            TilePyramid::from_info_json(gap),
            Err(InfoError::Invalid {
                field: "tiles[0].scaleFactors",
                ..
            })
        ));
        let no_overview =
            br#"{"width": 4000, "height": 10, "tiles": [{"width": 512, "scaleFactors": [1, 2]}]}"#;
        assert!(TilePyramid::from_info_json(no_overview).is_err());
        // Factors far past the overview (up to 2^30, with 4096 px tiles): the extra levels are
        // dropped, and every tile's region and name are computed without overflow.
        let factors: Vec<u64> = (0..31).map(|k| 1u64 << k).collect();
        let deep = format!(
            r#"{{"width": 65535, "height": 300, "tiles": [{{"width": 4096, "scaleFactors": {factors:?}}}]}}"#
        );
        let p = TilePyramid::from_info_json(deep.as_bytes()).unwrap();
        assert_eq!(p.scale_factors, [1, 2, 4, 8, 16]);
        for t in p.tiles() {
            let (x, _, w, _) = p.tile_region(t);
            assert!(x + w <= 65535);
            assert!(p.tile_path(t).ends_with("default.jpg"));
        }
        assert_eq!(
            TilePyramid::from_info_json(b"{}"),
            Err(InfoError::Missing("width"))
        );
    }
}
