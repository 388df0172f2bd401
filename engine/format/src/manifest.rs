//! The exhibit package model (format v1): what `exhibit.toml` describes once it has been read
//! and checked. Every path in it is a [`PackagePath`], already proven to stay inside the package.

use crate::text::{Localized, LocalizedText};

/// Coordinates are metres in the exhibit's own frame: +Y up, +Z towards the front of the
/// exhibit (a monument's entrance, an artifact's face), origin on the ground under its centre.
pub type Vec3 = [f32; 3];

/// A relative path inside the package, written with `/`, never leaving it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackagePath(pub(crate) String);

impl PackagePath {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PackagePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub type LocalizedPath = Localized<PackagePath>;

/// Keywords written as lowercase strings in the manifest.
pub trait Keyword: Sized + Copy + 'static {
    const ALL: &'static [(&'static str, Self)];
    fn parse(word: &str) -> Option<Self> {
        Self::ALL.iter().find(|(w, _)| *w == word).map(|(_, v)| *v)
    }
    fn word(self) -> &'static str
    where
        Self: PartialEq,
    {
        Self::ALL
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("?", |(w, _)| w)
    }
    fn expected() -> String {
        Self::ALL
            .iter()
            .map(|(w, _)| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }
        impl Keyword for $name {
            const ALL: &'static [(&'static str, Self)] = &[$(($word, Self::$variant)),+];
        }
    };
}

keyword_enum!(
    /// What kind of heritage the exhibit is; decides defaults such as walk mode.
    ExhibitKind {
        Monument = "monument",
        Artifact = "artifact",
        Intangible = "intangible",
        Document = "document",
    }
);

keyword_enum!(
    /// The protection rank the state (or UNESCO) has given the heritage.
    HeritageRank {
        SpecialNational = "special-national",
        National = "national",
        City = "city",
        Unesco = "unesco",
        NationalTreasure = "national-treasure",
        Inventory = "inventory",
    }
);

impl ExhibitKind {
    /// How the kind is named to visitors (a kiosk's gallery cards).
    pub fn label(self) -> LocalizedText {
        let (vi, en) = match self {
            Self::Monument => ("Di tích", "Monument"),
            Self::Artifact => ("Hiện vật", "Artifact"),
            Self::Intangible => ("Di sản phi vật thể", "Intangible heritage"),
            Self::Document => ("Tư liệu", "Document"),
        };
        LocalizedText::new()
            .with("vi", vi.to_owned())
            .with("en", en.to_owned())
    }
}

impl HeritageRank {
    /// How the rank is named to visitors.
    pub fn label(self) -> LocalizedText {
        let (vi, en) = match self {
            Self::SpecialNational => ("Di tích quốc gia đặc biệt", "Special national relic"),
            Self::National => ("Di tích quốc gia", "National relic"),
            Self::City => ("Di tích cấp thành phố", "City-level relic"),
            Self::Unesco => ("Di sản thế giới UNESCO", "UNESCO World Heritage"),
            Self::NationalTreasure => ("Bảo vật quốc gia", "National treasure"),
            Self::Inventory => ("Hiện vật kiểm kê", "Inventoried object"),
        };
        LocalizedText::new()
            .with("vi", vi.to_owned())
            .with("en", en.to_owned())
    }
}

keyword_enum!(
    /// W3C Web Audio distance models, so an exhibit sounds the same natively and on the web.
    DistanceModel {
        Linear = "linear",
        Inverse = "inverse",
        Exponential = "exponential",
    }
);

keyword_enum!(
    CaptureMethod {
        Photogrammetry = "photogrammetry",
        LaserScan = "laser-scan",
        StructuredLight = "structured-light",
        Scan2d = "2d-scan",
        Photo360 = "360-photo",
        Modelled = "modelled",
        Procedural = "procedural",
    }
);

impl CaptureMethod {
    /// How the capture method is named to visitors.
    pub fn label(self) -> LocalizedText {
        let (vi, en) = match self {
            Self::Photogrammetry => ("Chụp ảnh đo (photogrammetry)", "Photogrammetry"),
            Self::LaserScan => ("Quét laser", "Laser scan"),
            Self::StructuredLight => ("Quét ánh sáng cấu trúc", "Structured-light scan"),
            Self::Scan2d => ("Quét 2D", "2D scan"),
            Self::Photo360 => ("Ảnh 360°", "360° photo"),
            Self::Modelled => ("Dựng mô hình", "Modelled"),
            Self::Procedural => (
                "Mô hình minh họa dựng bằng mã",
                "Procedural stand-in, generated by code",
            ),
        };
        LocalizedText::new()
            .with("vi", vi.to_owned())
            .with("en", en.to_owned())
    }
}

keyword_enum!(
    /// Quality levels of model derivatives (as Smithsonian Voyager names them).
    LodQuality {
        Thumb = "thumb",
        Low = "low",
        Medium = "medium",
        High = "high",
    }
);

#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// Format version; this crate reads version 1.
    pub format: u32,
    /// Stable id: lowercase letters, digits and `-`; used in URLs and catalogues.
    pub id: String,
    pub kind: ExhibitKind,
    pub rank: HeritageRank,
    pub title: LocalizedText,
    pub summary: LocalizedText,
    pub location: Option<Location>,
    pub navigation: Navigation,
    pub models: Vec<Model>,
    pub audio: Vec<AudioSource>,
    pub hotspots: Vec<Hotspot>,
    pub views: Vec<View>,
    pub tours: Vec<Tour>,
    pub rights: Rights,
    pub provenance: Provenance,
}

impl Manifest {
    pub fn view(&self, id: &str) -> Option<&View> {
        self.views.iter().find(|v| v.id == id)
    }
    pub fn hotspot(&self, id: &str) -> Option<&Hotspot> {
        self.hotspots.iter().find(|h| h.id == id)
    }
    pub fn tour(&self, id: &str) -> Option<&Tour> {
        self.tours.iter().find(|t| t.id == id)
    }
    /// Every text a visitor may read, for choosing the languages an exhibit can be shown in.
    pub fn texts(&self) -> Vec<&LocalizedText> {
        let mut texts = vec![&self.title, &self.summary, &self.rights.attribution];
        for h in &self.hotspots {
            texts.extend([&h.title, &h.body]);
        }
        texts.extend(self.views.iter().map(|v| &v.title));
        for t in &self.tours {
            texts.push(&t.title);
            texts.extend(t.stops.iter().map(|s| &s.text));
        }
        texts.retain(|t| !t.is_empty());
        texts
    }

    /// The languages the exhibit can be shown in: Vietnamese and English always (a missing text
    /// falls back to the other), then every other language that each of its texts is written in,
    /// in code order. A language only some texts have is not offered: a visitor would read a
    /// mixture.
    pub fn languages(&self) -> Vec<String> {
        let texts = self.texts();
        let mut langs: Vec<String> = crate::text::REQUIRED_LANGS
            .iter()
            .map(|l| (*l).to_owned())
            .collect();
        if let Some(first) = texts.first() {
            for (lang, _) in first.iter() {
                let code = lang.code();
                if !langs.iter().any(|l| l == code) && texts.iter().all(|t| t.exact(code).is_some())
                {
                    langs.push(code.to_owned());
                }
            }
        }
        langs
    }

    /// Every file the manifest names, for integrity checks and packing.
    pub fn referenced_files(&self) -> Vec<&PackagePath> {
        let mut files: Vec<&PackagePath> = Vec::new();
        for m in &self.models {
            files.push(&m.src);
            files.extend(m.lods.iter().map(|l| &l.src));
        }
        files.extend(self.audio.iter().map(|a| &a.src));
        for h in &self.hotspots {
            files.extend(h.image.iter());
            files.extend(h.narration.values());
        }
        for t in &self.tours {
            for s in &t.stops {
                files.extend(s.narration.values());
                files.extend(s.captions.values());
            }
        }
        files
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    /// The commune or ward (xã/phường) since the two-tier reform of 1 July 2025.
    pub commune: String,
    /// The province or centrally-run city (tỉnh / thành phố), e.g. "Hải Phòng".
    pub province: Option<String>,
    /// The district before 1 July 2025, kept as a historical name.
    pub former_district: Option<String>,
    pub address: Option<String>,
    pub position: Option<GeoPosition>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GeoPosition {
    Wgs84 {
        lat: f64,
        lon: f64,
        height: f64,
    },
    /// VN-2000 projected coordinates (x northing, y easting, as surveyors write them) in a
    /// transverse Mercator zone given by its central meridian and width.
    Vn2000 {
        x: f64,
        y: f64,
        h: f64,
        central_meridian: f64,
        zone_width: u8,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Navigation {
    /// Whether visitors may walk (first person) as well as orbit. Defaults to true for monuments.
    pub walk: bool,
    /// Eye height above the ground in walk mode, metres.
    pub eye_height: f32,
    /// The ground's height in the exhibit frame; walkers never go below it.
    pub ground: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub id: String,
    pub src: PackagePath,
    pub position: Vec3,
    /// Euler angles in degrees, applied Y (yaw), then X (pitch), then Z (roll).
    pub rotation_deg: Vec3,
    pub scale: f32,
    pub lods: Vec<Lod>,
    /// The model's box in its own frame (before `position`, `rotation_deg`, `scale`), as
    /// `disan pack` measured it: the viewer frames the exhibit from it before any level has
    /// arrived, so nothing jumps when a better level replaces the thumb.
    pub bounds: Option<ModelBounds>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelBounds {
    pub min: Vec3,
    pub max: Vec3,
}

/// A level of detail of a model. `triangles`, `bytes` and `error` are written by `disan pack`;
/// the viewer uses them to choose the level a device and the screen call for (`triangles`,
/// `error`) and to count loading progress in bytes (`bytes`).
#[derive(Clone, Debug, PartialEq)]
pub struct Lod {
    pub quality: LodQuality,
    pub src: PackagePath,
    pub triangles: Option<u64>,
    pub bytes: Option<u64>,
    /// The simplification's geometric error in metres (in the model's frame): how far the
    /// level's surface may lie from the scan's.
    pub error: Option<f32>,
}

impl Model {
    /// The model's levels from the lightest to the full model. `src` is the last level; a
    /// `[[models.lods]]` entry naming the same file as `src` describes it (its triangles, bytes).
    pub fn levels(&self) -> Vec<Lod> {
        let mut levels: Vec<Lod> = self.lods.clone();
        levels.sort_by_key(|l| l.quality);
        if !levels.iter().any(|l| l.src == self.src) {
            levels.push(Lod {
                quality: LodQuality::High,
                src: self.src.clone(),
                triangles: None,
                bytes: None,
                error: None,
            });
        } else {
            // The full model last, whatever quality it was given.
            let i = levels
                .iter()
                .position(|l| l.src == self.src)
                .expect("checked");
            let full = levels.remove(i);
            levels.push(full);
        }
        levels
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AudioSource {
    pub id: String,
    pub src: PackagePath,
    /// `None`: an ambient bed heard the same everywhere.
    pub position: Option<Vec3>,
    pub looped: bool,
    pub volume: f32,
    pub distance_model: DistanceModel,
    pub ref_distance: f32,
    pub max_distance: f32,
    pub rolloff: f32,
    pub cone: Option<Cone>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cone {
    pub direction: Vec3,
    pub inner_deg: f32,
    pub outer_deg: f32,
    pub outer_gain: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hotspot {
    pub id: String,
    pub position: Vec3,
    /// Outward surface normal: the marker stands off the surface along it and the hotspot's
    /// view looks back along it.
    pub normal: Vec3,
    pub title: LocalizedText,
    pub body: LocalizedText,
    pub image: Option<PackagePath>,
    pub narration: LocalizedPath,
}

#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub id: String,
    pub title: LocalizedText,
    pub eye: Vec3,
    pub target: Vec3,
    /// Vertical field of view in degrees.
    pub fov_deg: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tour {
    pub id: String,
    pub title: LocalizedText,
    pub stops: Vec<TourStop>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StopTarget {
    View(String),
    Hotspot(String),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StopDuration {
    Seconds(f32),
    /// Stay until the narration in the visitor's language ends.
    UntilNarrationEnds,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TourStop {
    pub target: StopTarget,
    pub text: LocalizedText,
    pub narration: LocalizedPath,
    pub captions: LocalizedPath,
    pub duration: StopDuration,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rights {
    /// SPDX identifier (e.g. `CC-BY-4.0`) or `"all-rights-reserved"`.
    pub license: String,
    pub holder: String,
    pub attribution: LocalizedText,
    pub source: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Provenance {
    pub method: CaptureMethod,
    /// ISO date `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`).
    pub captured: Option<String>,
    pub device: Option<String>,
    pub by: Option<String>,
    pub notes: LocalizedText,
}
