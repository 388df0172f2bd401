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
        Video = "video",
        Video360 = "360-video",
        /// Sound alone: a song, a story, a festival's music (`[[recordings]]`).
        Audio = "audio",
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
            Self::Video => ("Quay phim", "Video recording"),
            Self::Video360 => ("Quay phim 360°", "360° video recording"),
            Self::Audio => ("Ghi âm", "Sound recording"),
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
    /// A GPU's block-compressed texture family, in which `disan pack` writes a copy of a level
    /// (`gpu_textures`): the GPU samples it as stored, at a quarter of the memory of the
    /// decoded JPEG and with no decoding or mipmapping on the device.
    GpuTextureFormat {
        /// BC7 (desktop and laptop GPUs: Direct3D, Vulkan and Metal on PCs, WebGPU and WebGL2
        /// with S3TC/BPTC there).
        Bc7 = "bc7",
        /// ETC2 RGB (phones, tablets and standalone headsets: every OpenGL ES 3 and Vulkan
        /// mobile GPU, WebGL2 and WebGPU there). Opaque textures only.
        Etc2 = "etc2",
    }
);

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
    /// Document scans shown as zoomable tile pyramids (`[[scans]]`).
    pub scans: Vec<Scan>,
    /// 360° panorama scenes (`[[panoramas]]`), linked to one another.
    pub panoramas: Vec<Panorama>,
    /// Laser-scan point clouds (`[[pointclouds]]`), streamed by level of detail.
    pub pointclouds: Vec<PointCloud>,
    /// Recorded performances and festivals (`[[videos]]`): on a screen in the scene or 360°;
    /// then the recordings without picture (`[[recordings]]`), which play the same way. Ids are
    /// unique across both.
    pub videos: Vec<Video>,
    /// Photographs of the heritage (`[[galleries]]`): shown one at a time on a screen in the
    /// scene, with captions and credits.
    pub galleries: Vec<Gallery>,
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
    pub fn scan(&self, id: &str) -> Option<&Scan> {
        self.scans.iter().find(|s| s.id == id)
    }
    pub fn panorama(&self, id: &str) -> Option<&Panorama> {
        self.panoramas.iter().find(|p| p.id == id)
    }
    pub fn gallery(&self, id: &str) -> Option<&Gallery> {
        self.galleries.iter().find(|g| g.id == id)
    }
    pub fn video(&self, id: &str) -> Option<&Video> {
        self.videos.iter().find(|v| v.id == id)
    }
    /// Where the camera stands to look at a hotspot: at its panorama's centre when it is placed
    /// in one (the view that shows it must not leave the scene), else `None` (in front of the
    /// model's surface, as the viewer works out from the model's size).
    pub fn hotspot_eye(&self, hotspot: &Hotspot) -> Option<Vec3> {
        let spot = hotspot.panorama.as_ref()?;
        Some(self.panorama(&spot.scene)?.position)
    }
    /// Every text a visitor may read, for choosing the languages an exhibit can be shown in.
    pub fn texts(&self) -> Vec<&LocalizedText> {
        let mut texts = vec![&self.title, &self.summary, &self.rights.attribution];
        for h in &self.hotspots {
            texts.extend([&h.title, &h.body]);
        }
        texts.extend(self.views.iter().map(|v| &v.title));
        for s in &self.scans {
            texts.push(&s.title);
            for r in &s.regions {
                texts.extend([&r.title, &r.translation]);
            }
        }
        texts.extend(self.pointclouds.iter().map(|c| &c.title));
        for p in &self.panoramas {
            texts.push(&p.title);
            texts.extend(p.links.iter().map(|l| &l.title));
        }
        for v in &self.videos {
            texts.extend([&v.title, &v.transcript]);
            texts.extend(v.chapters.iter().map(|c| &c.title));
        }
        for g in &self.galleries {
            texts.push(&g.title);
            for p in &g.photos {
                texts.extend([&p.caption, &p.credit]);
            }
        }
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
            files.extend(m.model_files());
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
        // The tiles are listed in the scan's info.json (see `integrity::package_files`).
        files.extend(self.scans.iter().map(|s| &s.src));
        // Likewise a panorama's tiles, in its config.json.
        files.extend(self.panoramas.iter().map(|p| &p.src));
        // A cloud's hierarchy.bin and octree.bin lie beside its metadata.json.
        files.extend(self.pointclouds.iter().map(|c| &c.src));
        // A video's renditions, poster and thumbnails are listed in its video.json.
        for v in &self.videos {
            files.push(&v.src);
            files.extend(v.captions.values());
        }
        for g in &self.galleries {
            files.extend(g.photos.iter().map(|p| &p.src));
        }
        files
    }
}

/// A photo gallery (`[[galleries]]`): photographs of a festival, a relic's details, an
/// artifact's past, shown one at a time on a screen placed in the scene (its height follows
/// each photo's proportions), with the photo's caption and credit on the gallery bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Gallery {
    pub id: String,
    pub title: LocalizedText,
    pub screen: ScanPanel,
    /// In showing order; at least one.
    pub photos: Vec<Photo>,
}

impl Gallery {
    pub fn photo(&self, id: &str) -> Option<&Photo> {
        self.photos.iter().find(|p| p.id == id)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Photo {
    pub id: String,
    /// A JPEG or PNG in the package, at most 8192 pixels a side.
    pub src: PackagePath,
    /// What the photo shows, per language.
    pub caption: LocalizedText,
    /// Who took it, and when (optional), per language.
    pub credit: LocalizedText,
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
    /// Copies of this level whose textures are in a GPU's own format: a viewer whose device
    /// samples one loads it instead of `src` (same geometry, same look).
    pub gpu_textures: Vec<GpuTextureLevel>,
}

/// One `gpu_textures` copy of a level.
#[derive(Clone, Debug, PartialEq)]
pub struct GpuTextureLevel {
    pub format: GpuTextureFormat,
    pub src: PackagePath,
    pub bytes: Option<u64>,
}

impl Lod {
    /// The level's files: `src` and its `gpu_textures` copies.
    pub fn files(&self) -> impl Iterator<Item = &PackagePath> {
        std::iter::once(&self.src).chain(self.gpu_textures.iter().map(|g| &g.src))
    }

    /// The level as a device that samples `formats` (in order of preference) loads it: the first
    /// copy in one of them, or the level as it is. The copy keeps the level's quality, triangles
    /// and error; its file and size are the copy's.
    pub fn for_device(&self, formats: &[GpuTextureFormat]) -> Lod {
        let copy = formats
            .iter()
            .find_map(|f| self.gpu_textures.iter().find(|g| g.format == *f));
        match copy {
            Some(copy) => Lod {
                src: copy.src.clone(),
                bytes: copy.bytes,
                gpu_textures: Vec::new(),
                ..self.clone()
            },
            None => self.clone(),
        }
    }
}

impl Model {
    /// Every model file: `src`, each level's and each level's `gpu_textures` copies.
    pub fn model_files(&self) -> impl Iterator<Item = &PackagePath> {
        std::iter::once(&self.src).chain(self.lods.iter().flat_map(Lod::files))
    }

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
                gpu_textures: Vec::new(),
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
    /// Placed by yaw and pitch in a panorama (`position` and `normal` are then worked out: on
    /// the line of sight from the scene's centre, facing it).
    pub panorama: Option<PanoramaSpot>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub id: String,
    pub title: LocalizedText,
    pub eye: Vec3,
    pub target: Vec3,
    /// Vertical field of view in degrees.
    pub fov_deg: f32,
    /// Taken in a panorama by yaw and pitch (`eye` is then the scene's centre, `target` a point
    /// in that direction).
    pub panorama: Option<PanoramaSpot>,
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
    /// A video, played from the start of `chapter` (or from where it is) while the stop lasts.
    Video {
        video: String,
        chapter: Option<String>,
    },
    /// A photo gallery, showing `photo` (or its first photo).
    Photo {
        gallery: String,
        photo: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StopDuration {
    Seconds(f32),
    /// Stay until the narration in the visitor's language ends.
    UntilNarrationEnds,
    /// Stay until the video's chapter (or the video, without a chapter) ends.
    UntilVideoEnds,
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

/// A document scan (`[[scans]]`): a large image cut by `disan pack --as document` into an IIIF
/// tile pyramid, shown in the full-screen reader and, with a `panel`, on a surface in the scene.
#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    pub id: String,
    /// The pyramid's `info.json` (IIIF Image API 3.0, level 0); the tiles lie beside it.
    pub src: PackagePath,
    pub title: LocalizedText,
    pub panel: Option<ScanPanel>,
    pub regions: Vec<ScanRegion>,
}

/// Where the scan lies in the scene: a flat rectangle `width` metres wide (its height follows the
/// scan's proportions), centred on `centre`, facing along `normal`, its top edge towards +Y.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScanPanel {
    pub centre: Vec3,
    pub normal: Vec3,
    pub width: f32,
}

/// A part of the scan with its reading: the text as written (Hán-Nôm), its reading in quốc ngữ,
/// and translations. The reader outlines it on the scan and shows its texts when chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanRegion {
    pub id: String,
    /// `[x, y, w, h]` in pixels of the full-resolution scan, from its top-left corner.
    pub rect: [f64; 4],
    pub title: LocalizedText,
    /// The text as written on the document (Hán or Nôm characters), if transcribed.
    pub transcription: Option<String>,
    /// Its reading in the Vietnamese alphabet (phiên âm), if given.
    pub reading: Option<String>,
    pub translation: LocalizedText,
}

/// A 360° panorama scene (`[[panoramas]]`): an equirectangular photograph cut by `disan pack
/// --as panorama` into cube tiles, seen from `position` in the exhibit's space. Scenes at
/// different positions are the stations of a walk through a relic; `links` lead from one to the
/// next. Sound sources, hotspots and tours share the exhibit's space with them, so a source
/// placed at the altar sounds nearer from the scene in front of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Panorama {
    pub id: String,
    /// The tile set's `config.json`; the tiles lie beside it.
    pub src: PackagePath,
    pub title: LocalizedText,
    /// Where the camera stands (the photograph's centre of projection), metres.
    pub position: Vec3,
    /// The yaw, in the exhibit's space, of the photograph's centre (degrees, positive to the
    /// right seen from above; 0 looks towards -Z).
    pub heading_deg: f32,
    pub links: Vec<PanoramaLink>,
}

impl Panorama {
    /// The direction, in the exhibit's space, of `yaw`/`pitch` measured on the photograph.
    pub fn direction(&self, yaw_deg: f32, pitch_deg: f32) -> Vec3 {
        let d = crate::panorama::direction(
            f64::from(yaw_deg) + f64::from(self.heading_deg),
            f64::from(pitch_deg),
        );
        d.map(|c| c as f32)
    }
    /// Where a marker placed at `yaw`/`pitch` on the photograph stands.
    pub fn marker_at(&self, yaw_deg: f32, pitch_deg: f32) -> Vec3 {
        let d = self.direction(yaw_deg, pitch_deg);
        std::array::from_fn(|i| self.position[i] + d[i] * crate::panorama::MARKER_DISTANCE)
    }
}

/// A laser-scan point cloud (`[[pointclouds]]`): an octree in the Potree 2.0 layout that
/// `disan pack` writes (`metadata.json`, with `hierarchy.bin` and `octree.bin` beside it). The
/// viewer reads the nodes the view needs, within a point budget. It shares the exhibit's space
/// with the models, so a scanned site and a photogrammetric statue stand together.
#[derive(Clone, Debug, PartialEq)]
pub struct PointCloud {
    pub id: String,
    /// The cloud's `metadata.json`.
    pub src: PackagePath,
    pub title: LocalizedText,
    /// The point, in the cloud's own coordinates (a survey's easting, northing and height, say),
    /// that stands at the exhibit's origin. Kept in f64: survey coordinates are millions of
    /// metres, where an f32 is a quarter of a metre coarse.
    pub origin: [f64; 3],
    /// The cloud's own up axis is Z (surveys, LAS, E57) rather than Y.
    pub z_up: bool,
    /// How large the points are drawn, times the spacing of their level (1 closes the gaps).
    pub point_size: f32,
}

impl PointCloud {
    /// The files of the cloud: metadata, hierarchy, octree, node hashes.
    pub fn files(&self) -> [String; 4] {
        let dir = self.src.as_str().rsplit_once('/').map_or("", |(d, _)| d);
        let beside = |name: &str| {
            if dir.is_empty() {
                name.to_owned()
            } else {
                format!("{dir}/{name}")
            }
        };
        [
            self.src.as_str().to_owned(),
            beside(crate::pointcloud::HIERARCHY_FILE),
            beside(crate::pointcloud::OCTREE_FILE),
            beside(crate::pointcloud::NODE_HASHES_FILE),
        ]
    }
}

/// A way from one panorama to another, shown as a marker at `yaw`/`pitch` (on the photograph)
/// that takes the visitor to scene `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct PanoramaLink {
    pub to: String,
    pub yaw_deg: f32,
    pub pitch_deg: f32,
    /// What the marker says; the target scene's title when empty.
    pub title: LocalizedText,
}

/// A place in a panorama by yaw and pitch, degrees, measured on the photograph.
#[derive(Clone, Debug, PartialEq)]
pub struct PanoramaSpot {
    pub scene: String,
    pub yaw_deg: f32,
    pub pitch_deg: f32,
}

keyword_enum!(
    /// How a video's frames are laid out and shown.
    VideoProjection {
        /// An ordinary picture, shown on a screen placed in the scene.
        Flat = "flat",
        /// Equirectangular 360°, around the visitor.
        Sphere = "360",
        /// Equirectangular 360° in stereo, the left eye's picture above the right eye's.
        SphereStereo = "360-stereo",
    }
);

/// A recorded performance or festival (`[[videos]]`), packed by `disan pack --as video` into
/// renditions described by its `video.json`. A flat video plays on a `screen` in the scene (a
/// performance shown in the courtyard where it takes place) with its sound coming from the
/// screen; a 360° video surrounds the visitor, its sound too.
#[derive(Clone, Debug, PartialEq)]
pub struct Video {
    pub id: String,
    /// The video's `video.json`; its renditions, poster and thumbnails lie beside it.
    pub src: PackagePath,
    pub title: LocalizedText,
    pub projection: VideoProjection,
    /// Where a flat video is shown: `width` metres wide, its height from the video's proportions.
    pub screen: Option<ScanPanel>,
    /// WebVTT captions per language, timed from the video's start.
    pub captions: LocalizedPath,
    /// What is said and sung in the recording, written out, per language.
    pub transcript: LocalizedText,
    /// Parts of the recording, in time order, the first at 0 s.
    pub chapters: Vec<Chapter>,
    /// Loudness of the video's sound, 0 to 1.
    pub volume: f32,
    /// Starts playing when the exhibit opens (muted sound until the visitor's first touch in
    /// a browser, as browsers require).
    pub autoplay: bool,
    pub looped: bool,
    /// A recording without picture (`[[recordings]]`: a song, a storyteller, a festival's
    /// drums): no screen, only its sound, its captions and its bar.
    pub sound_only: bool,
    /// Where a recording sounds from (`position`), or `None` around the visitor. Flat videos
    /// sound from their screen, 360° ones around the visitor.
    pub sound_at: Option<Vec3>,
}

impl Video {
    /// The manifest table it was written in, for messages: `videos` or `recordings`.
    pub fn table(&self) -> &'static str {
        if self.sound_only {
            "recordings"
        } else {
            "videos"
        }
    }
    pub fn chapter(&self, id: &str) -> Option<&Chapter> {
        self.chapters.iter().find(|c| c.id == id)
    }
    /// Where the chapter `id` ends: the next one's start, or `duration`.
    pub fn chapter_end(&self, id: &str, duration: f64) -> Option<f64> {
        let i = self.chapters.iter().position(|c| c.id == id)?;
        let starts: Vec<f64> = self.chapters.iter().map(|c| c.start).collect();
        Some(crate::video::chapter_end(&starts, i, duration))
    }
    /// The chapter playing at `time` seconds.
    pub fn chapter_at(&self, time: f64) -> Option<&Chapter> {
        self.chapters.iter().rev().find(|c| c.start <= time + 1e-6)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Chapter {
    pub id: String,
    /// Seconds from the start of the video.
    pub start: f64,
    pub title: LocalizedText,
}
