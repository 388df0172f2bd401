//! The embedding interface: what a host page (or a kiosk shell) can ask the viewer to do, and
//! what the viewer tells it, as plain serde data. The browser build carries these over
//! wasm-bindgen and `postMessage` (see `web/` and docs/embedding.md); here they are Bevy
//! messages, so the same code paths are tested natively.
//!
//! Commands are applied by writing the messages and resources the visitor's own controls use,
//! so an embedded page can do nothing a visitor could not. Events come from comparing a small
//! snapshot of the viewer each frame with the last one: whatever changed the state (a click on a
//! marker, a key, a command, the tour clock) the host hears of it the same way.
//!
//! Stops are numbered from 1 here, as the visitor sees them ("Stop 2 of 4") and as a teacher
//! writes them in a lesson page.

use std::collections::BTreeMap;

use bevy::prelude::*;
use bevy::render::renderer::RenderAdapterInfo;
use serde::{Deserialize, Serialize};

use crate::ViewerState;
use crate::camera::{CameraCommand, NavMode};
use crate::first_frame::FirstModelFrame;
use crate::hotspots::OpenHotspot;
use crate::i18n::{Language, OfferedLanguages};
use crate::library::{ExhibitLibrary, SwitchExhibit};
use crate::loading::{ExhibitLoad, OpenFailure};
use crate::policy::ExhibitNotices;
use crate::tour::{ActiveTour, PlayState, TourCommand};
use crate::video::VideoCommand;

pub(super) fn plugin(app: &mut App) {
    app.add_message::<EmbedCommand>()
        .add_message::<EmbedEvent>()
        .add_systems(PreUpdate, apply_commands)
        .add_systems(PostUpdate, report_changes);
}

/// What a host page asks of the viewer.
#[derive(Message, Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum EmbedCommand {
    /// Show the exhibit with this id (it must be in the open catalogue).
    Load {
        exhibit: String,
    },
    /// One of the exhibit's languages (`vi`, `en`, and any other every text is written in;
    /// see `ExhibitSummary::languages`).
    SetLanguage {
        lang: String,
    },
    /// Start a tour (the first if none is named) at a stop (from 1; default 1).
    StartTour {
        #[serde(default)]
        tour: Option<String>,
        #[serde(default)]
        stop: Option<usize>,
    },
    StopTour,
    PauseTour,
    ResumeTour,
    /// Go to a stop (from 1) of the playing tour, or start the first tour there.
    GoToStop {
        stop: usize,
    },
    /// Open a hotspot's info panel by its id, turning the camera to it.
    OpenHotspot {
        hotspot: String,
    },
    CloseHotspot,
    /// Back to the exhibit's home view.
    Home,
    /// `orbit`, or `walk` (monuments that allow it).
    SetMode {
        mode: String,
    },
    /// In lesson mode, go to the step with this id (a teacher's page driving the projector).
    LessonStep {
        step: String,
    },
    /// In lesson mode, answer a question of the step on screen, as the `lesson-answer` event
    /// names answers: ids from 1 in the lesson's order, or the hotspot's id for "find it"
    /// (a page's own answer buttons: the text alternative, a class's voting handsets).
    LessonAnswer {
        question: String,
        response: Vec<String>,
    },
    /// In lesson mode, show the results summary.
    LessonResults,
    /// In lesson mode, save the results sheet (the results card's "Save the results"): the
    /// page receives it as `lesson-results-file`.
    LessonSaveResults,
    /// Show the catalogue screen (`view`: `gallery` or `map`), with this text in its search box.
    OpenCatalogue {
        #[serde(default)]
        view: Option<crate::catalogue::CatalogueView>,
        #[serde(default)]
        search: Option<String>,
    },
    CloseCatalogue,
    /// The text in the catalogue's search box (filters and page as they are): the browser
    /// page's text field over the box sends it as the visitor types.
    SearchCatalogue {
        text: String,
    },
    /// Open the full-screen reader on a document scan (the first if none is named), zoomed to a
    /// region if one is named.
    OpenScan {
        #[serde(default)]
        scan: Option<String>,
        #[serde(default)]
        region: Option<String>,
    },
    CloseScan,
    /// Step into a 360° panorama scene by its id (`ready.exhibit.panoramas` lists them).
    GoToScene {
        scene: String,
    },
    /// Play a video by its id (`ready.exhibit.videos` lists them), from `time` seconds if given.
    PlayVideo {
        video: String,
        #[serde(default)]
        time: Option<f64>,
    },
    PauseVideo {
        video: String,
    },
    /// Jump to `time` seconds, playing or paused as before.
    SeekVideo {
        video: String,
        time: f64,
    },
    /// Play a video's chapter from its start.
    PlayChapter {
        video: String,
        chapter: String,
    },
    /// Show a gallery's photo by ids (`ready.exhibit.galleries` lists them).
    ShowPhoto {
        gallery: String,
        photo: String,
    },
}

/// What the viewer tells a host page.
#[derive(Message, Serialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum EmbedEvent {
    /// An exhibit is on screen.
    Ready { exhibit: ExhibitSummary },
    /// Loading an exhibit's files, 0–1.
    Progress {
        exhibit: Option<String>,
        fraction: f32,
    },
    HotspotOpen {
        exhibit: String,
        hotspot: String,
        title: String,
    },
    /// A tour reached a stop (from 1, of `count`).
    TourStep {
        exhibit: String,
        tour: String,
        stop: usize,
        count: usize,
        text: String,
    },
    /// A tour ended: played to its last stop (`completed`), or left.
    TourEnd {
        exhibit: String,
        tour: String,
        completed: bool,
    },
    /// The exhibit could not be shown; one line per problem, each naming file and field.
    Error {
        exhibit: Option<String>,
        problems: Vec<String>,
    },
    /// An optional file of the exhibit (a hotspot image, captions, a sound, a narration, a
    /// texture) could not be used as it is: left out, or shown reduced. The exhibit still shows.
    Warning {
        exhibit: Option<String>,
        file: String,
        reason: String,
    },
    /// The first complete frame with the exhibit was drawn (every pipeline compiled), `ms`
    /// after the engine started. Once per viewer.
    FirstFrame { exhibit: Option<String>, ms: u64 },
    /// Anything a host may show changed (language, hotspot, tour position); the whole state.
    State { state: ViewerSnapshot },
    /// Lesson mode: the lesson began (once per viewer, and again after "start again"), with
    /// its outline and the teacher's notes, for a teacher's page.
    LessonStart {
        lesson: String,
        title: BTreeMap<String, String>,
        steps: usize,
        questions: usize,
        lang: String,
        teacher_notes: BTreeMap<String, String>,
        outline: Vec<LessonOutlineStep>,
    },
    /// Lesson mode: a step is on screen (from 1, of `steps`).
    LessonStep {
        lesson: String,
        step: String,
        number: usize,
        steps: usize,
        exhibit: String,
        text: BTreeMap<String, String>,
    },
    /// Lesson mode: the class answered a question. `choices` are the answers offered (ids from
    /// 1 in the lesson file's order) or, for "find it", the exhibit's hotspots by id.
    LessonAnswer {
        lesson: String,
        step: String,
        question: String,
        kind: &'static str,
        prompt: BTreeMap<String, String>,
        choices: Vec<LessonChoice>,
        response: Vec<String>,
        correct: Vec<String>,
        success: bool,
    },
    /// Lesson mode: the results sheet to keep (plain UTF-8 text), asked for by "Save the
    /// results" or `lesson-save-results`; the viewer page offers it as a download of `name`.
    LessonResultsFile {
        lesson: String,
        name: String,
        text: String,
    },
    /// Lesson mode: the results summary was reached.
    LessonComplete {
        lesson: String,
        questions: usize,
        answered: usize,
        right: usize,
    },
}

/// One step of a lesson, as a teacher's page lists it.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct LessonOutlineStep {
    pub id: String,
    pub exhibit: String,
    pub text: BTreeMap<String, String>,
    pub teacher_notes: BTreeMap<String, String>,
    pub questions: usize,
}

/// One answer a lesson question offers, for learning records (xAPI `choices`).
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct LessonChoice {
    pub id: String,
    pub text: BTreeMap<String, String>,
}

/// A text in every language it is written in, keyed by language code.
pub fn by_language(text: &disan_format::LocalizedText) -> BTreeMap<String, String> {
    text.iter()
        .map(|(lang, t)| (lang.code().to_string(), t.clone()))
        .collect()
}

/// The exhibit on screen, in the current language: for the host's text alternative.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct ExhibitSummary {
    pub id: String,
    pub lang: String,
    pub title: String,
    pub summary: String,
    /// The languages the exhibit can be shown in (`set-language` takes these codes).
    pub languages: Vec<String>,
    pub hotspots: Vec<Named>,
    pub tours: Vec<TourSummary>,
    /// Document scans (`open-scan` takes these ids), with their regions.
    pub scans: Vec<ScanSummary>,
    /// 360° panorama scenes (`go-to-scene` takes these ids), in the order of the walk.
    pub panoramas: Vec<Named>,
    /// Laser-scan point clouds, streamed within the point budget.
    pub pointclouds: Vec<Named>,
    /// Videos (`play-video` takes these ids), with their chapters and length in seconds once
    /// known.
    pub videos: Vec<VideoSummary>,
    /// Photo galleries (`show-photo` takes these ids), with their photos' ids and captions.
    pub galleries: Vec<GallerySummary>,
    /// Exhibits of the catalogue, for a host's own chooser.
    pub catalogue: Vec<String>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct ScanSummary {
    pub id: String,
    pub title: String,
    pub regions: Vec<Named>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Named {
    pub id: String,
    pub title: String,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct TourSummary {
    pub id: String,
    pub title: String,
    pub stops: usize,
}

/// The state a host can read at any time (`viewer.state` in the JS API).
#[derive(Serialize, Clone, Debug, PartialEq, Default)]
pub struct ViewerSnapshot {
    /// `loading`, `exhibit` or `error`.
    pub phase: &'static str,
    pub exhibit: Option<String>,
    pub lang: String,
    pub hotspot: Option<String>,
    pub tour: Option<String>,
    /// From 1.
    pub stop: Option<usize>,
    pub playing: bool,
    /// The exhibit on screen, in the current language (absent while loading or on error).
    pub summary: Option<ExhibitSummary>,
    /// Who holds the rights to the exhibit on screen and how to credit it (absent while loading
    /// or on error): a host page that shows the exhibit must show the attribution too.
    pub rights: Option<RightsSummary>,
    /// Where the heritage on screen is, from `[location]` (absent while loading, on error, or
    /// when the exhibit has no location).
    pub location: Option<LocationSummary>,
    /// The optional files left out of the exhibit on screen.
    pub notices: Vec<LeftOut>,
    /// What draws it: `webgpu` or `webgl2` in a browser, `vulkan`, `metal`, `dx12` or `gl`
    /// natively; absent until the renderer has started.
    pub renderer: Option<&'static str>,
    /// The level of detail on screen (`thumb`, `low`, `medium`, `high`; for an exhibit of
    /// several models, the lightest of theirs) and whether it is the level the viewer settles
    /// on for this device and view (`false` while a better one is on its way).
    pub level: Option<LevelShown>,
    /// In lesson mode: the lesson, the step on screen and the class's answers so far.
    pub lesson: Option<crate::lesson::LessonState>,
    /// While the catalogue screen is open: its view, the text searched and how many exhibits
    /// it shows of how many.
    pub catalogue: Option<crate::catalogue::CatalogueState>,
    /// While the scan reader is open: the scan, the region shown, the zoom.
    pub scan: Option<crate::scans::ReaderState>,
    /// In a panorama exhibit: the scene on screen, by id.
    pub scene: Option<String>,
    /// The exhibit's videos: playing or not, the second and chapter they are at, whether a
    /// frame of the recording is on the screen (not its poster) and whether it failed.
    pub videos: Vec<VideoState>,
    /// The exhibit's galleries: the photo each shows.
    pub galleries: Vec<GalleryState>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct VideoState {
    pub id: String,
    pub playing: bool,
    /// Whole seconds from the start (so a playing video reports once a second).
    pub second: u64,
    pub chapter: Option<String>,
    /// A frame of the recording is on the screen.
    pub shown: bool,
    pub failed: bool,
    /// The rendition playing (its file name, e.g. `"720.webm"`): the viewer chooses it by the
    /// screen and the link, and steps down to a smaller one when the link cannot carry it.
    pub rendition: Option<String>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct LevelShown {
    pub quality: &'static str,
    /// The level's file in the package (`models/x-medium.glb`, or its GPU texture copy
    /// `models/x-medium.etc2.glb` where the device samples one).
    pub file: String,
    pub settled: bool,
}

/// The exhibit's `[rights]`, the attribution in the visitor's language.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct RightsSummary {
    pub license: String,
    pub holder: String,
    pub attribution: String,
    pub source: Option<String>,
}

impl RightsSummary {
    pub fn of(rights: &disan_format::Rights, lang: Language) -> Self {
        Self {
            license: rights.license.clone(),
            holder: rights.holder.clone(),
            attribution: lang.pick(&rights.attribution).to_owned(),
            source: rights.source.clone(),
        }
    }
}

/// The exhibit's `[location]`, its position in WGS84 whatever system the survey gave it in.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct LocationSummary {
    pub commune: String,
    pub province: Option<String>,
    pub former_district: Option<String>,
    pub address: Option<String>,
    /// `[lat, lon]` in degrees (WGS84), converted from VN-2000 when surveyed in it.
    pub wgs84: Option<[f64; 2]>,
}

impl LocationSummary {
    pub fn of(m: &disan_format::Manifest) -> Option<Self> {
        let l = m.location.as_ref()?;
        Some(Self {
            commune: l.commune.clone(),
            province: l.province.clone(),
            former_district: l.former_district.clone(),
            address: l.address.clone(),
            // A position that cannot be converted was refused by the validator already.
            wgs84: disan_format::catalog::wgs84_of(m).ok().flatten(),
        })
    }
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct VideoSummary {
    pub id: String,
    pub title: String,
    /// `true` for a recording without picture (`[[recordings]]`): played the same way.
    pub sound_only: bool,
    pub chapters: Vec<VideoChapter>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct GallerySummary {
    pub id: String,
    pub title: String,
    /// In showing order: `id` and `caption`.
    pub photos: Vec<Named>,
}

/// A gallery on screen: the photo it shows, by id.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct GalleryState {
    pub id: String,
    pub photo: String,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct VideoChapter {
    pub id: String,
    pub title: String,
    /// Seconds from the video's start.
    pub start: f64,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct LeftOut {
    pub file: String,
    pub reason: String,
}

/// The name a host page sees for the graphics API in use (see [`ViewerSnapshot::renderer`]).
pub fn renderer_name(backend: wgpu_types::Backend) -> &'static str {
    match backend {
        // In a browser, wgpu's GL backend is WebGL2.
        wgpu_types::Backend::Gl if cfg!(target_family = "wasm") => "webgl2",
        other => other.to_str(),
    }
}

#[allow(clippy::too_many_arguments)]
fn apply_commands(
    mut commands: MessageReader<EmbedCommand>,
    library: Res<ExhibitLibrary>,
    active: Res<ActiveTour>,
    (mut lang, offered): (ResMut<Language>, Res<OfferedLanguages>),
    mut open: ResMut<OpenHotspot>,
    mut switch: MessageWriter<SwitchExhibit>,
    mut tour: MessageWriter<TourCommand>,
    mut camera: MessageWriter<CameraCommand>,
    lesson: Option<Res<crate::lesson::LessonRun>>,
    (mut scans, mut scenes, mut videos, mut galleries): (
        MessageWriter<crate::scans::ScanCommand>,
        MessageWriter<crate::panorama::PanoramaCommand>,
        MessageWriter<crate::video::VideoCommand>,
        MessageWriter<crate::gallery::GalleryCommand>,
    ),
) {
    let lesson_mode = lesson.is_some();
    for command in commands.read() {
        let manifest = library.current_package().map(|p| &p.manifest);
        match command {
            EmbedCommand::Load { exhibit } => {
                switch.write(SwitchExhibit::Id(exhibit.clone()));
            }
            EmbedCommand::SetLanguage { lang: code } => {
                let wanted = Language::from_code(code);
                if offered.contains(wanted) && wanted.code() == code.to_ascii_lowercase() {
                    if *lang != wanted {
                        *lang = wanted;
                    }
                } else {
                    let codes: Vec<&str> = offered.0.iter().map(|l| l.code()).collect();
                    warn!(
                        "set-language: the exhibit on screen is not written in \"{code}\"; its languages are {}",
                        codes.join(", ")
                    );
                }
            }
            EmbedCommand::StartTour { tour: id, stop } => {
                tour.write(TourCommand::Start {
                    tour: id.clone(),
                    stop: stop.unwrap_or(1).saturating_sub(1),
                });
            }
            EmbedCommand::StopTour => {
                tour.write(TourCommand::Exit);
            }
            EmbedCommand::PauseTour => {
                tour.write(TourCommand::Pause);
            }
            EmbedCommand::ResumeTour => {
                tour.write(TourCommand::Resume);
            }
            EmbedCommand::GoToStop { stop } => {
                let id = active.0.as_ref().map(|p| p.tour.clone());
                tour.write(TourCommand::Start {
                    tour: id,
                    stop: stop.saturating_sub(1),
                });
            }
            EmbedCommand::OpenHotspot { hotspot } => {
                match manifest.and_then(|m| m.hotspot(hotspot)) {
                    Some(h) => open.open(&h.id),
                    None => {
                        warn!("open-hotspot: the exhibit on screen has no hotspot \"{hotspot}\"")
                    }
                }
            }
            EmbedCommand::CloseHotspot => open.0 = None,
            EmbedCommand::OpenScan { scan, region } => {
                scans.write(crate::scans::ScanCommand::Open {
                    scan: scan.clone(),
                    region: region.clone(),
                });
            }
            EmbedCommand::CloseScan => {
                scans.write(crate::scans::ScanCommand::Close);
            }
            EmbedCommand::GoToScene { scene } => {
                scenes.write(crate::panorama::PanoramaCommand::Go {
                    scene: scene.clone(),
                });
            }
            EmbedCommand::PlayVideo { video, time } => {
                if let Some(time) = time {
                    videos.write(VideoCommand::Seek {
                        video: video.clone(),
                        time: *time,
                    });
                }
                videos.write(VideoCommand::Play {
                    video: video.clone(),
                });
            }
            EmbedCommand::PauseVideo { video } => {
                videos.write(VideoCommand::Pause {
                    video: video.clone(),
                });
            }
            EmbedCommand::SeekVideo { video, time } => {
                videos.write(VideoCommand::Seek {
                    video: video.clone(),
                    time: *time,
                });
            }
            EmbedCommand::PlayChapter { video, chapter } => {
                videos.write(VideoCommand::Chapter {
                    video: video.clone(),
                    chapter: chapter.clone(),
                });
            }
            EmbedCommand::ShowPhoto { gallery, photo } => {
                galleries.write(crate::gallery::GalleryCommand::Show {
                    gallery: gallery.clone(),
                    photo: photo.clone(),
                });
            }
            EmbedCommand::Home => {
                open.0 = None;
                camera.write(CameraCommand::Home);
            }
            EmbedCommand::SetMode { mode } => match mode.as_str() {
                "orbit" => {
                    camera.write(CameraCommand::SetMode(NavMode::Orbit));
                }
                "walk" => {
                    camera.write(CameraCommand::SetMode(NavMode::Walk));
                }
                other => warn!(
                    "set-mode: \"{other}\" is not a navigation mode; use \"orbit\" or \"walk\""
                ),
            },
            // Lesson mode's own (lesson.rs); without a lesson there is nothing to step through.
            EmbedCommand::LessonStep { step } => {
                if !lesson_mode {
                    warn!("lesson-step \"{step}\": no lesson is being taught in this viewer");
                }
            }
            EmbedCommand::LessonAnswer { question, .. } => {
                if !lesson_mode {
                    warn!("lesson-answer \"{question}\": no lesson is being taught in this viewer");
                }
            }
            EmbedCommand::LessonResults => {
                if !lesson_mode {
                    warn!("lesson-results: no lesson is being taught in this viewer");
                }
            }
            EmbedCommand::LessonSaveResults => {
                if !lesson_mode {
                    warn!("lesson-save-results: no lesson is being taught in this viewer");
                }
            }
            // The catalogue screen's own (catalogue.rs).
            EmbedCommand::OpenCatalogue { .. }
            | EmbedCommand::CloseCatalogue
            | EmbedCommand::SearchCatalogue { .. } => {}
        }
    }
}

/// The part of the viewer's state events are made from; compared frame to frame. Everything is
/// named by id, so a change of exhibit can never be mistaken for a change within one.
#[derive(Clone, Debug, PartialEq, Default)]
struct Watched {
    state: Option<ViewerState>,
    /// The exhibit the viewer is on (loading, shown or failed).
    exhibit: Option<String>,
    /// The exhibit whose files are loaded and which is on screen.
    shown: Option<String>,
    lang: Option<Language>,
    hotspot: Option<String>,
    /// (tour, stop) while a tour is open.
    tour: Option<(String, usize)>,
    tour_state: Option<PlayState>,
    progress_percent: u32,
    notices: usize,
    first_frame: bool,
    renderer: Option<&'static str>,
    level: Option<LevelShown>,
    lesson: Option<crate::lesson::LessonState>,
    catalogue: Option<crate::catalogue::CatalogueState>,
    scan: Option<crate::scans::ReaderState>,
    scene: Option<String>,
    videos: Vec<VideoState>,
    galleries: Vec<GalleryState>,
}

/// The lightest level on screen among the exhibit's models.
fn level_shown(levels: &crate::levels::ModelLevels) -> Option<LevelShown> {
    use disan_format::Keyword;
    let (quality, file) = levels
        .models
        .iter()
        .filter_map(|m| m.shown.map(|s| (m.quality(s), &m.levels[s].src)))
        .min_by_key(|(quality, _)| *quality)?;
    Some(LevelShown {
        quality: quality.word(),
        file: file.to_string(),
        settled: levels.settled(),
    })
}

#[allow(clippy::too_many_arguments)]
fn report_changes(
    state: Res<State<ViewerState>>,
    library: Res<ExhibitLibrary>,
    lang: Res<Language>,
    open: Res<OpenHotspot>,
    active: Res<ActiveTour>,
    (load, failure, notices, offered): (
        Res<ExhibitLoad>,
        Res<OpenFailure>,
        Res<ExhibitNotices>,
        Res<OfferedLanguages>,
    ),
    (first_frame, levels): (Res<FirstModelFrame>, Res<crate::levels::ModelLevels>),
    (adapter, lesson, catalogue, reader, panoramas): (
        Option<Res<RenderAdapterInfo>>,
        Option<Res<crate::lesson::LessonRun>>,
        Option<Res<crate::catalogue::CatalogueShown>>,
        Option<Res<crate::scans::Reader>>,
        Option<Res<crate::panorama::Panoramas>>,
    ),
    (videos, galleries): (Res<crate::video::Videos>, Res<crate::gallery::Galleries>),
    mut last: Local<Watched>,
    mut events: MessageWriter<EmbedEvent>,
) {
    let manifest = library.current_package().map(|p| &p.manifest);
    let exhibit_id = manifest.map(|m| m.id.clone());
    // On screen: the state says so and the files loaded are this exhibit's (in the frame of a
    // switch the state still says "exhibit" for the one being left).
    let shown = manifest.filter(|m| load.has_shown(&m.id, *state.get()));
    let now = Watched {
        state: Some(*state.get()),
        exhibit: exhibit_id.clone(),
        shown: shown.map(|m| m.id.clone()),
        lang: Some(*lang),
        hotspot: shown.and_then(|m| open.in_exhibit(m)).map(|h| h.id.clone()),
        tour: active
            .0
            .as_ref()
            .filter(|_| shown.is_some())
            .map(|p| (p.tour.clone(), p.clock.stop)),
        tour_state: active.0.as_ref().map(|p| p.clock.state),
        progress_percent: (load.progress * 100.0).round() as u32,
        notices: notices.0.len(),
        first_frame: first_frame.0.is_some(),
        renderer: adapter.map(|a| renderer_name(a.backend)),
        level: shown.and_then(|_| level_shown(&levels)),
        lesson: lesson.map(|l| l.state()),
        catalogue: catalogue.and_then(|c| c.0.clone()),
        scan: reader.and_then(|r| r.state()),
        scene: panoramas
            .filter(|_| shown.is_some())
            .and_then(|p| p.shown().map(str::to_owned)),
        videos: videos
            .screens
            .iter()
            .filter(|_| shown.is_some())
            .map(|s| {
                let time = s.time();
                VideoState {
                    id: s.video.id.clone(),
                    playing: s.clock.playing(),
                    second: time.max(0.0) as u64,
                    chapter: s.video.chapter_at(time).map(|c| c.id.clone()),
                    shown: s.shown_frame.is_some(),
                    failed: s.failed,
                    rendition: s
                        .set
                        .as_ref()
                        .zip(s.rendition)
                        .map(|(set, i)| set.renditions[i].file.clone()),
                }
            })
            .collect(),
        galleries: galleries
            .screens
            .iter()
            .filter(|_| shown.is_some())
            .map(|g| GalleryState {
                id: g.gallery.id.clone(),
                photo: g.current_id().to_owned(),
            })
            .collect(),
    };
    if now == *last {
        return;
    }

    if now.state == Some(ViewerState::Loading)
        && (last.state != now.state
            || last.progress_percent != now.progress_percent
            || last.exhibit != now.exhibit)
    {
        events.write(EmbedEvent::Progress {
            exhibit: exhibit_id.clone(),
            fraction: load.progress,
        });
    }
    if now.state == Some(ViewerState::Error)
        && (last.state != now.state || last.exhibit != now.exhibit)
    {
        let problems = if failure.problems.is_empty() {
            library
                .current()
                .as_ref()
                .err()
                .map(|e| e.problems.iter().map(ToString::to_string).collect())
                .unwrap_or_default()
        } else {
            failure.problems.clone()
        };
        // In the frame of a switch away from an error screen the state still says "error" while
        // the next exhibit (whose loading cleared the failure) is already current: that exhibit
        // has no problem to tell, and is not in error.
        if !problems.is_empty() {
            events.write(EmbedEvent::Error {
                exhibit: exhibit_id.clone(),
                problems,
            });
        }
    }
    // Each file left out, once, as it is found.
    let already = if last.exhibit == now.exhibit {
        last.notices.min(notices.0.len())
    } else {
        0
    };
    for notice in &notices.0[already..] {
        events.write(EmbedEvent::Warning {
            exhibit: exhibit_id.clone(),
            file: notice.file.clone(),
            reason: notice.reason.clone(),
        });
    }
    if let Some(t) = first_frame.0.filter(|_| !last.first_frame) {
        events.write(EmbedEvent::FirstFrame {
            exhibit: exhibit_id.clone(),
            ms: t.as_millis() as u64,
        });
    }
    let summary = shown.map(|m| ExhibitSummary {
        id: m.id.clone(),
        lang: lang.code().to_owned(),
        title: lang.pick(&m.title).to_owned(),
        summary: lang.pick(&m.summary).to_owned(),
        languages: offered.0.iter().map(|l| l.code().to_owned()).collect(),
        hotspots: m
            .hotspots
            .iter()
            .map(|h| Named {
                id: h.id.clone(),
                title: lang.pick(&h.title).to_owned(),
            })
            .collect(),
        tours: m
            .tours
            .iter()
            .map(|t| TourSummary {
                id: t.id.clone(),
                title: lang.pick(&t.title).to_owned(),
                stops: t.stops.len(),
            })
            .collect(),
        scans: m
            .scans
            .iter()
            .map(|s| ScanSummary {
                id: s.id.clone(),
                title: lang.pick(&s.title).to_owned(),
                regions: s
                    .regions
                    .iter()
                    .map(|r| Named {
                        id: r.id.clone(),
                        title: lang.pick(&r.title).to_owned(),
                    })
                    .collect(),
            })
            .collect(),
        panoramas: m
            .panoramas
            .iter()
            .map(|p| Named {
                id: p.id.clone(),
                title: lang.pick(&p.title).to_owned(),
            })
            .collect(),
        videos: m
            .videos
            .iter()
            .map(|v| VideoSummary {
                id: v.id.clone(),
                title: lang.pick(&v.title).to_owned(),
                sound_only: v.sound_only,
                chapters: v
                    .chapters
                    .iter()
                    .map(|c| VideoChapter {
                        id: c.id.clone(),
                        title: lang.pick(&c.title).to_owned(),
                        start: c.start,
                    })
                    .collect(),
            })
            .collect(),
        galleries: m
            .galleries
            .iter()
            .map(|g| GallerySummary {
                id: g.id.clone(),
                title: lang.pick(&g.title).to_owned(),
                photos: g
                    .photos
                    .iter()
                    .map(|p| Named {
                        id: p.id.clone(),
                        title: lang.pick(&p.caption).to_owned(),
                    })
                    .collect(),
            })
            .collect(),
        pointclouds: m
            .pointclouds
            .iter()
            .map(|c| Named {
                id: c.id.clone(),
                title: lang.pick(&c.title).to_owned(),
            })
            .collect(),
        catalogue: library.known_ids(),
    });
    if let (Some(m), Some(summary)) = (shown, &summary) {
        if last.shown != now.shown {
            events.write(EmbedEvent::Ready {
                exhibit: summary.clone(),
            });
        }
        if let Some(h) = now
            .hotspot
            .as_deref()
            .filter(|_| last.hotspot != now.hotspot)
            .and_then(|id| m.hotspot(id))
        {
            events.write(EmbedEvent::HotspotOpen {
                exhibit: m.id.clone(),
                hotspot: h.id.clone(),
                title: lang.pick(&h.title).to_owned(),
            });
        }
        if let Some((t, s)) = now.tour.as_ref().filter(|_| last.tour != now.tour)
            && let Some(tour) = m.tour(t)
            && let Some(stop) = tour.stops.get(*s)
        {
            events.write(EmbedEvent::TourStep {
                exhibit: m.id.clone(),
                tour: tour.id.clone(),
                stop: s + 1,
                count: tour.stops.len(),
                text: stop.text.text(lang.code()).to_owned(),
            });
        }
        let finished =
            now.tour_state == Some(PlayState::Finished) && last.tour_state != now.tour_state;
        let left = now.tour.is_none() && last.tour.is_some() && last.shown == now.shown;
        if let Some((t, _)) = if finished {
            now.tour.as_ref()
        } else if left {
            last.tour.as_ref()
        } else {
            None
        } && let Some(tour) = m.tour(t)
            && !(left && last.tour_state == Some(PlayState::Finished))
        {
            events.write(EmbedEvent::TourEnd {
                exhibit: m.id.clone(),
                tour: tour.id.clone(),
                completed: finished,
            });
        }
    }
    let snapshot = ViewerSnapshot {
        phase: match now.state {
            Some(ViewerState::Exhibit) if shown.is_some() => "exhibit",
            Some(ViewerState::Error) => "error",
            _ => "loading",
        },
        exhibit: exhibit_id,
        lang: lang.code().to_owned(),
        hotspot: now.hotspot.clone(),
        tour: now.tour.as_ref().map(|(t, _)| t.clone()),
        stop: now.tour.as_ref().map(|(_, s)| s + 1),
        playing: now.tour_state == Some(PlayState::Playing),
        summary,
        rights: shown.map(|m| RightsSummary::of(&m.rights, *lang)),
        location: shown.and_then(LocationSummary::of),
        notices: if shown.is_some() {
            notices
                .0
                .iter()
                .map(|n| LeftOut {
                    file: n.file.clone(),
                    reason: n.reason.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
        renderer: now.renderer,
        level: now.level.clone(),
        lesson: now.lesson.clone(),
        catalogue: now.catalogue.clone(),
        scan: now.scan.clone(),
        scene: now.scene.clone(),
        videos: now.videos.clone(),
        galleries: now.galleries.clone(),
    };
    events.write(EmbedEvent::State { state: snapshot });
    *last = now;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_renderer_is_named_as_a_page_knows_it() {
        assert_eq!(renderer_name(wgpu_types::Backend::BrowserWebGpu), "webgpu");
        assert_eq!(renderer_name(wgpu_types::Backend::Vulkan), "vulkan");
        // Natively the GL backend is OpenGL; only a wasm build calls it WebGL2.
        assert_eq!(
            renderer_name(wgpu_types::Backend::Gl),
            if cfg!(target_family = "wasm") {
                "webgl2"
            } else {
                "gl"
            }
        );
    }

    #[test]
    fn commands_read_from_a_page_are_checked() {
        let start: EmbedCommand =
            serde_json::from_str(r#"{"type":"start-tour","tour":"main","stop":2}"#).unwrap();
        assert_eq!(
            start,
            EmbedCommand::StartTour {
                tour: Some("main".into()),
                stop: Some(2)
            }
        );
        let first: EmbedCommand = serde_json::from_str(r#"{"type":"start-tour"}"#).unwrap();
        assert_eq!(
            first,
            EmbedCommand::StartTour {
                tour: None,
                stop: None
            }
        );
        // A typo in a field is refused, not silently ignored.
        let typo = serde_json::from_str::<EmbedCommand>(r#"{"type":"open-hotspot","hotpsot":"x"}"#)
            .unwrap_err()
            .to_string();
        assert!(typo.contains("hotpsot"), "{typo}");
        assert!(serde_json::from_str::<EmbedCommand>(r#"{"type":"fly"}"#).is_err());
        let scene: EmbedCommand =
            serde_json::from_str(r#"{"type":"go-to-scene","scene":"courtyard"}"#).unwrap();
        assert_eq!(
            scene,
            EmbedCommand::GoToScene {
                scene: "courtyard".into()
            }
        );
        let chapter: EmbedCommand = serde_json::from_str(
            r#"{"type":"play-chapter","video":"festival","chapter":"choi-trau"}"#,
        )
        .unwrap();
        assert_eq!(
            chapter,
            EmbedCommand::PlayChapter {
                video: "festival".into(),
                chapter: "choi-trau".into()
            }
        );
        let photo: EmbedCommand =
            serde_json::from_str(r#"{"type":"show-photo","gallery":"anh-hoi","photo":"ong-trau"}"#)
                .unwrap();
        assert_eq!(
            photo,
            EmbedCommand::ShowPhoto {
                gallery: "anh-hoi".into(),
                photo: "ong-trau".into()
            }
        );
        let play: EmbedCommand =
            serde_json::from_str(r#"{"type":"play-video","video":"festival"}"#).unwrap();
        assert_eq!(
            play,
            EmbedCommand::PlayVideo {
                video: "festival".into(),
                time: None
            }
        );
        assert!(
            serde_json::from_str::<EmbedCommand>(r#"{"type":"seek-video","video":"festival"}"#)
                .is_err(),
            "a seek needs its time"
        );
    }

    /// The viewer with a sample exhibit on screen and the embedding plugin, without a renderer.
    fn app() -> App {
        use bevy::state::app::StatesPlugin;
        let exhibit =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../exhibits/trong-dong");
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, StatesPlugin))
            .insert_resource(ExhibitLibrary::open(&exhibit, None))
            .insert_resource(Language::VI)
            .init_resource::<OfferedLanguages>()
            .init_resource::<OpenHotspot>()
            .init_resource::<ActiveTour>()
            .insert_resource(ExhibitLoad::completed("trong-dong"))
            .init_resource::<OpenFailure>()
            .init_resource::<ExhibitNotices>()
            .init_resource::<FirstModelFrame>()
            .init_resource::<crate::levels::ModelLevels>()
            .add_message::<SwitchExhibit>()
            .add_message::<TourCommand>()
            .add_message::<CameraCommand>()
            .add_message::<crate::scans::ScanCommand>()
            .add_message::<crate::panorama::PanoramaCommand>()
            .add_message::<VideoCommand>()
            .init_resource::<crate::video::Videos>()
            .add_message::<crate::gallery::GalleryCommand>()
            .init_resource::<crate::gallery::Galleries>()
            .insert_state(ViewerState::Exhibit)
            .add_plugins(plugin);
        app
    }

    fn events(app: &mut App) -> Vec<EmbedEvent> {
        app.world_mut()
            .resource_mut::<Messages<EmbedEvent>>()
            .drain()
            .collect()
    }

    #[test]
    fn a_page_opens_a_hotspot_by_id_and_hears_of_it() {
        let mut app = app();
        app.update();
        let first = events(&mut app);
        let Some(EmbedEvent::Ready { exhibit }) = first.first() else {
            panic!("no ready event first: {first:?}")
        };
        assert_eq!(exhibit.id, "trong-dong");
        assert_eq!(exhibit.lang, "vi");
        assert_eq!(exhibit.hotspots.len(), 5);

        let id = exhibit.hotspots[1].id.clone();
        app.world_mut().write_message(EmbedCommand::OpenHotspot {
            hotspot: id.clone(),
        });
        app.update();
        let got = events(&mut app);
        assert!(
            got.iter()
                .any(|e| matches!(e, EmbedEvent::HotspotOpen { hotspot, .. } if *hotspot == id)),
            "{got:?}"
        );
        assert!(app.world().resource::<OpenHotspot>().is(&id));

        // An unknown id changes nothing and says nothing.
        app.world_mut().write_message(EmbedCommand::OpenHotspot {
            hotspot: "no-such-point".into(),
        });
        app.update();
        assert!(app.world().resource::<OpenHotspot>().is(&id));
        assert!(events(&mut app).is_empty());
    }

    #[test]
    fn a_page_opens_and_closes_the_scan_reader() {
        use crate::scans::ScanCommand;
        let mut app = app();
        app.update();
        app.world_mut()
            .resource_mut::<Messages<ScanCommand>>()
            .drain()
            .for_each(drop);
        app.world_mut().write_message(EmbedCommand::OpenScan {
            scan: Some("decree".into()),
            region: Some("date-and-seal".into()),
        });
        app.world_mut().write_message(EmbedCommand::CloseScan);
        app.update();
        let sent: Vec<ScanCommand> = app
            .world_mut()
            .resource_mut::<Messages<ScanCommand>>()
            .drain()
            .collect();
        assert_eq!(
            sent,
            vec![
                ScanCommand::Open {
                    scan: Some("decree".into()),
                    region: Some("date-and-seal".into()),
                },
                ScanCommand::Close,
            ]
        );
    }

    #[test]
    fn the_language_switch_is_reported_with_the_texts_in_that_language() {
        let mut app = app();
        app.update();
        let vi_title = match events(&mut app).remove(0) {
            EmbedEvent::Ready { exhibit } => exhibit.title,
            other => panic!("{other:?}"),
        };
        app.world_mut()
            .write_message(EmbedCommand::SetLanguage { lang: "en".into() });
        app.update();
        let got = events(&mut app);
        let Some(EmbedEvent::State { state }) = got.last() else {
            panic!("{got:?}")
        };
        assert_eq!(state.lang, "en");
        let en_title = &state.summary.as_ref().unwrap().title;
        assert_ne!(en_title, &vi_title, "the summary follows the language");
        // Not a language of Disan: ignored.
        app.world_mut()
            .write_message(EmbedCommand::SetLanguage { lang: "fr".into() });
        app.update();
        assert_eq!(*app.world().resource::<Language>(), Language::EN);
    }

    #[test]
    fn a_lesson_page_starts_a_tour_at_its_second_stop() {
        let mut app = app();
        app.update();
        app.world_mut().write_message(EmbedCommand::StartTour {
            tour: None,
            stop: Some(2),
        });
        app.update();
        let sent: Vec<TourCommand> = app
            .world_mut()
            .resource_mut::<Messages<TourCommand>>()
            .drain()
            .collect();
        assert_eq!(
            sent,
            vec![TourCommand::Start {
                tour: None,
                stop: 1
            }],
            "stops count from 1 on the page, from 0 inside"
        );
    }

    #[test]
    fn events_are_tagged_for_the_page() {
        let json = serde_json::to_string(&EmbedEvent::TourEnd {
            exhibit: "a".into(),
            tour: "t".into(),
            completed: true,
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"type":"tour-end","exhibit":"a","tour":"t","completed":true}"#
        );
    }
}
