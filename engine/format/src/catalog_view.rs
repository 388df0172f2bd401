//! Browsing a catalogue index as the viewers' catalogue screen does: the search box, the four
//! filters and the map's frame, over [`CatalogIndex`] alone (no manifest is opened). Bevy-free,
//! so the rules are tested in milliseconds over thousands of entries.

use std::collections::BTreeSet;

use crate::catalog::{CatalogEntry, CatalogIndex};
use crate::search::{Query, fold};

/// What an entry can be filtered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    Kind,
    Rank,
    Commune,
    FormerDistrict,
}

impl Facet {
    pub const ALL: [Facet; 4] = [
        Facet::Kind,
        Facet::Rank,
        Facet::Commune,
        Facet::FormerDistrict,
    ];

    fn of(self, entry: &CatalogEntry) -> Option<&str> {
        match self {
            Facet::Kind => Some(&entry.kind),
            Facet::Rank => Some(&entry.rank),
            Facet::Commune => entry.commune.as_deref(),
            Facet::FormerDistrict => entry.former_district.as_deref(),
        }
    }
}

/// What the visitor narrowed the catalogue to: typed text and one value per filter (none: all).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CatalogFilter {
    pub text: String,
    pub kind: Option<String>,
    pub rank: Option<String>,
    pub commune: Option<String>,
    pub former_district: Option<String>,
}

impl CatalogFilter {
    pub fn get(&self, facet: Facet) -> Option<&str> {
        match facet {
            Facet::Kind => self.kind.as_deref(),
            Facet::Rank => self.rank.as_deref(),
            Facet::Commune => self.commune.as_deref(),
            Facet::FormerDistrict => self.former_district.as_deref(),
        }
    }

    pub fn set(&mut self, facet: Facet, value: Option<String>) {
        let slot = match facet {
            Facet::Kind => &mut self.kind,
            Facet::Rank => &mut self.rank,
            Facet::Commune => &mut self.commune,
            Facet::FormerDistrict => &mut self.former_district,
        };
        *slot = value;
    }
}

/// An index ready to search: each entry's words folded once, when the index is opened.
#[derive(Clone, Debug)]
pub struct CatalogBrowser {
    index: CatalogIndex,
    folded: Vec<String>,
}

impl CatalogBrowser {
    pub fn new(index: CatalogIndex) -> Self {
        let folded = index.entries.iter().map(searchable).collect();
        Self { index, folded }
    }

    pub fn index(&self) -> &CatalogIndex {
        &self.index
    }

    pub fn entries(&self) -> &[CatalogEntry] {
        &self.index.entries
    }

    pub fn entry(&self, id: &str) -> Option<&CatalogEntry> {
        self.index.entries.iter().find(|e| e.id == id)
    }

    /// The entries the filter lets through, in the index's order, by position.
    pub fn matching(&self, filter: &CatalogFilter) -> Vec<usize> {
        let query = Query::new(&filter.text);
        self.index
            .entries
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                Facet::ALL.iter().all(|&facet| match filter.get(facet) {
                    None => true,
                    Some(wanted) => facet.of(e) == Some(wanted),
                }) && (query.is_empty() || query.matches(&self.folded[*i]))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The values a filter offers: every value of the index, sorted as a Vietnamese reader
    /// expects (by the letters without marks, then as written).
    pub fn values(&self, facet: Facet) -> Vec<String> {
        let distinct: BTreeSet<(String, &str)> = self
            .index
            .entries
            .iter()
            .filter_map(|e| facet.of(e))
            .map(|v| (fold(v), v))
            .collect();
        distinct.into_iter().map(|(_, v)| v.to_owned()).collect()
    }
}

/// Everything a visitor may type to find an entry: its titles in every language, id, commune,
/// former district and address.
fn searchable(entry: &CatalogEntry) -> String {
    let mut text = String::new();
    for t in entry.title.values() {
        text.push_str(t);
        text.push(' ');
    }
    text.push_str(&entry.id.replace('-', " "));
    for part in [&entry.commune, &entry.former_district, &entry.address]
        .into_iter()
        .flatten()
    {
        text.push(' ');
        text.push_str(part);
    }
    fold(&text)
}

/// A point in Web Mercator's unit square (x east, y south, both 0–1): where the XYZ tiles of
/// every web map are cut.
pub fn web_mercator(lat: f64, lon: f64) -> [f64; 2] {
    // Web Mercator stops at ±85.0511° (a square world).
    let lat = lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
    let x = (lon + 180.0) / 360.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
    [x, y]
}

/// The side of one XYZ tile in pixels.
pub const TILE_PIXELS: f64 = 256.0;

/// How a map panel of `size` pixels shows places: the zoom of its tiles and the Web Mercator
/// point at its top-left corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapFrame {
    pub zoom: u8,
    /// Top-left corner, in Web Mercator units.
    pub origin: [f64; 2],
    pub size: [f64; 2],
}

/// One tile of a map frame and where it goes on the panel (pixels from its top-left).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlacedTile {
    pub z: u8,
    pub x: u32,
    pub y: u32,
    pub left: f64,
    pub top: f64,
}

impl MapFrame {
    /// The frame that shows every point (`[lat, lon]`) with a margin, at the closest tile zoom
    /// (at most `max_zoom`, at which a single place is shown).
    pub fn fit(points: &[[f64; 2]], size: [f64; 2], max_zoom: u8) -> Option<Self> {
        let projected: Vec<[f64; 2]> = points.iter().map(|p| web_mercator(p[0], p[1])).collect();
        let first = projected.first()?;
        let (mut min, mut max) = (*first, *first);
        for p in &projected {
            min = [min[0].min(p[0]), min[1].min(p[1])];
            max = [max[0].max(p[0]), max[1].max(p[1])];
        }
        // A tenth of the panel on each side stays free, so no marker sits on an edge.
        let usable = [size[0] * 0.8, size[1] * 0.8];
        let mut zoom = max_zoom;
        while zoom > 0 {
            let world = TILE_PIXELS * f64::from(1u32 << zoom);
            if (max[0] - min[0]) * world <= usable[0] && (max[1] - min[1]) * world <= usable[1] {
                break;
            }
            zoom -= 1;
        }
        let world = TILE_PIXELS * f64::from(1u32 << zoom);
        let centre = [(min[0] + max[0]) / 2.0, (min[1] + max[1]) / 2.0];
        Some(Self {
            zoom,
            origin: [
                centre[0] - size[0] / 2.0 / world,
                centre[1] - size[1] / 2.0 / world,
            ],
            size,
        })
    }

    fn world_pixels(&self) -> f64 {
        TILE_PIXELS * f64::from(1u32 << self.zoom)
    }

    /// Where a place is on the panel, in pixels from its top-left corner.
    pub fn to_panel(&self, lat: f64, lon: f64) -> [f64; 2] {
        let p = web_mercator(lat, lon);
        let world = self.world_pixels();
        [
            (p[0] - self.origin[0]) * world,
            (p[1] - self.origin[1]) * world,
        ]
    }

    /// The place at a point of the panel (`[lat, lon]`): what a visitor's finger is on.
    pub fn to_place(&self, x: f64, y: f64) -> [f64; 2] {
        let world = self.world_pixels();
        let mx = self.origin[0] + x / world;
        let my = self.origin[1] + y / world;
        let lon = mx * 360.0 - 180.0;
        let lat = (std::f64::consts::PI * (1.0 - 2.0 * my))
            .sinh()
            .atan()
            .to_degrees();
        [lat, lon]
    }

    /// The place at the middle of the panel.
    pub fn centre(&self) -> [f64; 2] {
        self.to_place(self.size[0] / 2.0, self.size[1] / 2.0)
    }

    /// The map after a drag of `dx`, `dy` pixels: what was under the finger stays under it.
    /// The middle of the panel never leaves the world (a drag cannot lose the map).
    pub fn panned(&self, dx: f64, dy: f64) -> Self {
        let world = self.world_pixels();
        let half = [self.size[0] / 2.0 / world, self.size[1] / 2.0 / world];
        let centre = [
            (self.origin[0] + half[0] - dx / world).clamp(0.0, 1.0),
            (self.origin[1] + half[1] - dy / world).clamp(0.0, 1.0),
        ];
        Self {
            origin: [centre[0] - half[0], centre[1] - half[1]],
            ..*self
        }
    }

    /// The map `steps` zoom levels closer (negative: farther), within `0..=max_zoom`; the place
    /// at `around` (panel pixels: the cursor, the pinch's middle) stays where it is.
    pub fn zoomed(&self, steps: i32, around: [f64; 2], max_zoom: u8) -> Self {
        let zoom = (i32::from(self.zoom) + steps).clamp(0, i32::from(max_zoom)) as u8;
        let old_world = self.world_pixels();
        let fixed = [
            self.origin[0] + around[0] / old_world,
            self.origin[1] + around[1] / old_world,
        ];
        let world = TILE_PIXELS * f64::from(1u32 << zoom);
        Self {
            zoom,
            origin: [fixed[0] - around[0] / world, fixed[1] - around[1] / world],
            size: self.size,
        }
    }

    /// The tiles that cover the panel, with their places on it.
    pub fn tiles(&self) -> Vec<PlacedTile> {
        let world = self.world_pixels();
        let count = 1i64 << self.zoom;
        let first = [
            (self.origin[0] * f64::from(1u32 << self.zoom)).floor() as i64,
            (self.origin[1] * f64::from(1u32 << self.zoom)).floor() as i64,
        ];
        let last = [
            ((self.origin[0] + self.size[0] / world) * count as f64).ceil() as i64,
            ((self.origin[1] + self.size[1] / world) * count as f64).ceil() as i64,
        ];
        let mut tiles = Vec::new();
        for y in first[1].max(0)..last[1].min(count) {
            for x in first[0].max(0)..last[0].min(count) {
                tiles.push(PlacedTile {
                    z: self.zoom,
                    x: x as u32,
                    y: y as u32,
                    left: x as f64 * TILE_PIXELS - self.origin[0] * world,
                    top: y as f64 * TILE_PIXELS - self.origin[1] * world,
                });
            }
        }
        tiles
    }
}

/// A tile's address from an XYZ template (`{z}`, `{x}`, `{y}`, as every tile server writes it).
pub fn tile_url(template: &str, tile: &PlacedTile) -> String {
    template
        .replace("{z}", &tile.z.to_string())
        .replace("{x}", &tile.x.to_string())
        .replace("{y}", &tile.y.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_mercator_of_known_tiles() {
        // Central Hải Phòng (20.8587 N, 106.6847 E) lies in tile 13/6523/3610 (the OpenStreetMap
        // wiki's "Slippy map tilenames" formula, computed apart from this code).
        let [x, y] = web_mercator(20.8587, 106.6847);
        assert_eq!(((x * 8192.0) as u32, (y * 8192.0) as u32), (6523, 3610));
        assert_eq!(web_mercator(0.0, 0.0), [0.5, 0.5]);
    }

    #[test]
    fn a_fitted_frame_shows_every_point_inside_its_margin() {
        let points = [[20.80, 106.60], [20.95, 106.80], [20.70, 106.70]];
        let frame = MapFrame::fit(&points, [800.0, 500.0], 17).unwrap();
        for p in points {
            let [x, y] = frame.to_panel(p[0], p[1]);
            assert!(
                (0.0..=800.0).contains(&x) && (0.0..=500.0).contains(&y),
                "{p:?} at {x},{y}"
            );
        }
        // One zoom closer would not fit them.
        let closer = MapFrame {
            zoom: frame.zoom + 1,
            ..frame
        };
        let spread = |f: &MapFrame| {
            let a = f.to_panel(20.95, 106.60);
            let b = f.to_panel(20.70, 106.80);
            [(b[0] - a[0]).abs(), (b[1] - a[1]).abs()]
        };
        let s = spread(&closer);
        assert!(
            s[0] > 640.0 || s[1] > 400.0,
            "zoom {} would have fitted",
            closer.zoom
        );
        // The tiles cover the whole panel, and only it.
        let tiles = frame.tiles();
        assert!(tiles.iter().any(|t| t.left <= 0.0 && t.top <= 0.0));
        assert!(
            tiles
                .iter()
                .any(|t| t.left + TILE_PIXELS >= 800.0 && t.top + TILE_PIXELS >= 500.0)
        );
        assert!(tiles.iter().all(|t| t.left < 800.0
            && t.top < 500.0
            && t.left > -TILE_PIXELS
            && t.top > -TILE_PIXELS));
        assert_eq!(
            tile_url("tiles/{z}/{x}/{y}.png", &tiles[0]),
            format!("tiles/{}/{}/{}.png", tiles[0].z, tiles[0].x, tiles[0].y)
        );
    }

    #[test]
    fn a_drag_moves_the_map_with_the_finger_and_a_zoom_keeps_the_place_under_it() {
        let frame = MapFrame::fit(&[[20.80, 106.60], [20.95, 106.80]], [800.0, 500.0], 17).unwrap();
        let hall = [20.8587, 106.6847];
        let before = frame.to_panel(hall[0], hall[1]);
        // Dragged 120 px right and 40 px up: the place moves with it.
        let dragged = frame.panned(120.0, -40.0);
        let after = dragged.to_panel(hall[0], hall[1]);
        assert!(
            (after[0] - before[0] - 120.0).abs() < 1e-6
                && (after[1] - before[1] + 40.0).abs() < 1e-6
        );
        assert_eq!(dragged.zoom, frame.zoom);
        // Zoomed in twice around the place: it stays under the cursor, the map is 4× closer.
        let closer = frame.zoomed(2, before, 17);
        assert_eq!(closer.zoom, frame.zoom + 2);
        let still = closer.to_panel(hall[0], hall[1]);
        assert!((still[0] - before[0]).abs() < 1e-6 && (still[1] - before[1]).abs() < 1e-6);
        let [lat, lon] = closer.to_place(still[0], still[1]);
        assert!((lat - hall[0]).abs() < 1e-9 && (lon - hall[1]).abs() < 1e-9);
        // Zoom stays within the tile server's levels.
        assert_eq!(frame.zoomed(40, [0.0, 0.0], 17).zoom, 17);
        assert_eq!(frame.zoomed(-40, [0.0, 0.0], 17).zoom, 0);
        // However far it is dragged, the middle of the panel stays on the world.
        let lost = frame.panned(1e9, -1e9);
        let world = TILE_PIXELS * f64::from(1u32 << lost.zoom);
        let middle = [
            lost.origin[0] + 400.0 / world,
            lost.origin[1] + 250.0 / world,
        ];
        assert!(
            (0.0..=1.0).contains(&middle[0]) && (0.0..=1.0).contains(&middle[1]),
            "{middle:?}"
        );
    }

    #[test]
    fn one_place_is_shown_at_the_closest_zoom() {
        let frame = MapFrame::fit(&[[20.8587, 106.6847]], [400.0, 300.0], 16).unwrap();
        assert_eq!(frame.zoom, 16);
        let [x, y] = frame.to_panel(20.8587, 106.6847);
        assert!((x - 200.0).abs() < 1e-6 && (y - 150.0).abs() < 1e-6);
        assert!(MapFrame::fit(&[], [400.0, 300.0], 16).is_none());
    }
}
