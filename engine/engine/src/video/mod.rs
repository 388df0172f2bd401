//! Videos (`[[videos]]`): recordings of festivals and performances, packed by `disan pack --as
//! video`. A flat video plays on a screen placed in the exhibit (the courtyard where the
//! performance took place); its sound comes from the screen through the spatial audio engine and
//! ducks the ambience, as narration does. Play, pause, chapters and captions in the visitor's
//! language are in the video bar; a tour stop on a chapter plays that chapter.
//!
//! Natively the rendition is decoded by Debian's ffmpeg (`disan_video`): frames for the frame
//! the [`MediaClock`] says, sound fed to the audio thread against the same clock, so sound and
//! picture keep within `disan_video::clock::SYNC_TOLERANCE`. The rendition is chosen by the
//! window's height. In the browser the screen shows the video's poster (its `<video>` playback
//! is the next step).
//!
//! A video whose description is missing or broken is left out with a notice (or, in an exhibit
//! that has nothing else to show, the error screen names it); one whose rendition cannot be
//! decoded keeps its poster and a notice. Nothing here can stop the viewer.

use std::collections::HashMap;

use bevy::asset::io::Reader as AssetReader;
use bevy::asset::{AssetLoader, LoadContext, RenderAssetUsages};
use bevy::light::NotShadowCaster;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use disan_format::video::VideoSet;
use disan_format::{Captions, StopTarget, Video, VideoProjection};

use crate::camera::ViewerCamera;
use crate::i18n::{Language, OfferedLanguages, UiString};
use crate::library::{ExhibitLibrary, ExhibitReset, TextFile};
use crate::loading::{ExhibitLoad, ExhibitModel, FileRole, ModelSpawned};
use crate::policy::ContentNotice;
use crate::theme::{LocalizedLabel, TextStyle, UiFonts, button, label};
use crate::tour::{ActiveTour, PlayState};
use crate::{ExhibitScoped, ViewerState};

#[cfg(not(target_family = "wasm"))]
mod native;
#[cfg(target_family = "wasm")]
mod web;

pub(super) fn plugin(app: &mut App) {
    app.init_asset::<VideoDescription>()
        .register_asset_loader(VideoDescriptionLoader)
        .init_resource::<Videos>()
        .add_message::<VideoCommand>()
        .add_systems(ExhibitReset, |mut videos: ResMut<Videos>| {
            *videos = Videos::default();
            #[cfg(target_family = "wasm")]
            web::close_all();
        })
        .add_systems(OnEnter(ViewerState::Exhibit), spawn_screens)
        .add_systems(
            Update,
            (
                read_captions,
                follow_tour,
                run_commands,
                play,
                mark_screens_ready,
                show_video_bar,
                follow_playing,
            )
                .chain()
                .run_if(in_state(ViewerState::Exhibit)),
        );
    #[cfg(target_family = "wasm")]
    app.init_asset::<RenditionBytes>()
        .register_asset_loader(RenditionBytesLoader)
        .add_systems(
            Update,
            (
                open_checked_renditions.before(play),
                web_voice_gains.after(follow_playing),
            )
                .run_if(in_state(ViewerState::Exhibit)),
        );
    #[cfg(not(target_family = "wasm"))]
    native::plugin(app);
}

/// A video's `video.json`: its renditions, poster and thumbnails.
#[derive(Asset, TypePath, Debug)]
pub struct VideoDescription(pub VideoSet);

#[derive(Default, TypePath)]
struct VideoDescriptionLoader;

#[derive(Debug, thiserror::Error)]
enum VideoDescriptionError {
    #[error("cannot be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Description(#[from] disan_format::video::VideoSetError),
}

impl AssetLoader for VideoDescriptionLoader {
    type Asset = VideoDescription;
    type Settings = ();
    type Error = VideoDescriptionError;

    async fn load(
        &self,
        reader: &mut dyn AssetReader,
        _: &(),
        _: &mut LoadContext<'_>,
    ) -> Result<VideoDescription, VideoDescriptionError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        Ok(VideoDescription(VideoSet::from_json(&bytes)?))
    }

    // Chosen by type: panoramas' config.json and scans' info.json are JSON too.
    fn extensions(&self) -> &[&str] {
        &["json"]
    }
}

/// Asks the loading plugin for each video's description (`role`: required when the videos are
/// all the exhibit shows) and captions (optional: a video plays without them).
pub(crate) fn request_files(
    assets: &AssetServer,
    library: &ExhibitLibrary,
    package: &disan_format::Package,
    load: &mut ExhibitLoad,
    role: FileRole,
) {
    for video in &package.manifest.videos {
        let handle: Handle<VideoDescription> = assets.load(library.asset_path(package, &video.src));
        load.request(&video.src, &handle, role);
        for (_, file) in video.captions.iter() {
            let handle: Handle<TextFile> = assets.load(library.asset_path(package, file));
            load.request(file, &handle, FileRole::Optional);
        }
    }
}

/// What the visitor, the tour or the host page asks of a video (by its id).
#[derive(Message, Clone, Debug, PartialEq)]
pub enum VideoCommand {
    Play {
        video: String,
    },
    Pause {
        video: String,
    },
    TogglePlay {
        video: String,
    },
    /// Jump to `time` seconds, playing or paused as before.
    Seek {
        video: String,
        time: f64,
    },
    /// Jump to a chapter's start and play.
    Chapter {
        video: String,
        chapter: String,
    },
}

/// The videos of the exhibit on screen, by id.
#[derive(Resource, Default)]
pub struct Videos {
    pub screens: Vec<Screen>,
    /// The tour stop last followed, so a stop's chapter is started once.
    followed: Option<(String, usize, u32)>,
    /// The tour's play state last followed.
    followed_state: Option<PlayState>,
}

impl Videos {
    pub fn get(&self, id: &str) -> Option<&Screen> {
        self.screens.iter().find(|s| s.video.id == id)
    }
    fn get_mut(&mut self, id: &str) -> Option<&mut Screen> {
        self.screens.iter_mut().find(|s| s.video.id == id)
    }
    /// Every video shows the frame its clock says (or has failed): what a shot waits for.
    pub fn settled(&self) -> bool {
        self.screens.iter().all(Screen::settled)
    }
    /// How long a tour stop on `video` (and `chapter`) plays, in seconds, once its description
    /// is in: the chapter's length, or the whole video's.
    pub fn part_seconds(&self, video: &str, chapter: Option<&str>) -> Option<f32> {
        let screen = self.get(video)?;
        let duration = screen.set.as_ref()?.duration;
        let (start, end) = match chapter {
            Some(c) => (
                screen.video.chapter(c)?.start,
                screen.video.chapter_end(c, duration)?,
            ),
            None => (0.0, duration),
        };
        Some((end - start).max(0.0) as f32)
    }
}

/// One video of the exhibit: its place, its description once loaded, and its playback.
pub struct Screen {
    pub video: Video,
    pub set: Option<VideoSet>,
    /// The rendition playing (index into the description's renditions).
    pub rendition: Option<usize>,
    pub clock: disan_video_clock::MediaClock,
    /// The picture the screen shows.
    pub image: Handle<Image>,
    /// The screen's material: in the browser its texture is the poster until the first frame.
    #[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
    material: Handle<StandardMaterial>,
    /// The number of the frame showing, once one is.
    pub shown_frame: Option<u64>,
    /// The screen's entity (an [`ExhibitModel`], framed like a model).
    pub entity: Option<Entity>,
    /// Decoding failed or is impossible here: the poster stays, with a notice.
    pub failed: bool,
    /// The decoder has no frame beyond the one showing (a recording shorter than it says).
    pub ended: bool,
    /// Captions by language code, parsed.
    pub captions: HashMap<String, Captions>,
    /// In the browser: the URL of the folder the renditions are in.
    #[cfg(target_family = "wasm")]
    url_folder: Option<String>,
    /// In the browser, where the page requires signatures: the rendition being fetched through
    /// the checking reader; the element gets it once its hash has passed.
    #[cfg(target_family = "wasm")]
    checking: Option<Handle<RenditionBytes>>,
    /// In the browser: the rendition playing was checked against the signed list, so it never
    /// steps down to one that was not.
    #[cfg(target_family = "wasm")]
    signed: bool,
    #[cfg(not(target_family = "wasm"))]
    decoding: Option<bevy::platform::cell::SyncCell<native::Decoding>>,
}

/// Natively the media clock of `disan_video`; in the browser the same idea without the crate.
#[cfg(not(target_family = "wasm"))]
pub use disan_video::clock as disan_video_clock;
#[cfg(target_family = "wasm")]
pub mod disan_video_clock {
    /// The clock of a video in the browser: its `<video>` element's time (see `web.rs`); until
    /// the element exists, or where it failed, a still position.
    #[derive(Clone, Default)]
    pub struct MediaClock {
        id: String,
        still: std::sync::Arc<std::sync::Mutex<f64>>,
    }
    impl MediaClock {
        pub fn for_video(id: &str) -> Self {
            Self {
                id: id.to_owned(),
                ..Self::default()
            }
        }
        pub fn position(&self) -> f64 {
            super::web::position(&self.id).unwrap_or_else(|| self.still.lock().map_or(0.0, |p| *p))
        }
        pub fn playing(&self) -> bool {
            super::web::playing(&self.id).unwrap_or(false)
        }
        pub fn play(&self) {
            super::web::play(&self.id);
        }
        pub fn pause(&self) {
            super::web::pause(&self.id);
        }
        pub fn seek(&self, position: f64) {
            if let Ok(mut p) = self.still.lock() {
                *p = position;
            }
            super::web::seek(&self.id, position);
        }
    }
}

impl Screen {
    fn settled(&self) -> bool {
        match (&self.set, self.failed) {
            (_, true) => true,
            (None, false) => false,
            (Some(set), false) => {
                // A recording has no picture to wait for.
                !set.has_picture()
                    || cfg!(target_family = "wasm")
                    || self.ended
                    || self.shown_frame == Some(frame_to_show(set, self.clock.position()))
            }
        }
    }

    /// Where playback is, seconds from the start.
    pub fn time(&self) -> f64 {
        let duration = self.set.as_ref().map_or(f64::MAX, |s| s.duration);
        self.clock.position().min(duration)
    }

    /// The caption showing now in `lang`, if the video has captions in it.
    pub fn caption(&self, lang: Language) -> Option<String> {
        let captions = self
            .captions
            .get(lang.code())
            .or_else(|| self.captions.get("en"))?;
        Some(captions.text_at(self.time()).unwrap_or_default().to_owned())
    }
}

/// Where the camera watches a video from, `(eye, target)`, in a view `aspect` wide for its
/// height: in front of a flat screen, as close as shows all of its width with a margin (further
/// on a phone held upright) and looking a little below its middle, so the screen sits above the
/// video bar; at the middle of a 360° video's sphere, facing the picture's middle. `None` for a
/// recording without picture: the camera stays where the visitor (or the tour) put it.
pub fn view_of_video(video: &Video, aspect: f32) -> Option<(Vec3, Vec3)> {
    if video.sound_only {
        return None;
    }
    Some(match (&video.projection, &video.screen) {
        (VideoProjection::Flat, Some(screen)) => view_of_panel(screen, aspect),
        _ => (Vec3::ZERO, Vec3::NEG_Z),
    })
}

/// Where the camera watches a flat screen (a video's, a gallery's) from: in front of it, as
/// close as shows all of its width with a margin (further on a phone held upright), looking a
/// little below its middle so the screen sits above the bars.
pub fn view_of_panel(screen: &disan_format::ScanPanel, aspect: f32) -> (Vec3, Vec3) {
    let centre = Vec3::from(screen.centre);
    let normal = Vec3::from(screen.normal).normalize_or(Vec3::Z);
    let tan_h = (crate::camera::FOV_Y_DEG.to_radians() * 0.5).tan() * aspect.max(0.1);
    // The width at 1.15 of the screen's width away in a 16:9 view (60 % of it), or
    // 92 % of a narrower view's width.
    let distance = (screen.width * 1.15).max(screen.width * 0.5 / (0.92 * tan_h));
    let below = Vec3::Y * screen.width * 0.14;
    (centre + normal * distance - below, centre - below)
}

/// The frame to show at `position`: the last one at the very end.
fn frame_to_show(set: &VideoSet, position: f64) -> u64 {
    let last = ((set.duration * set.fps).ceil() as u64).saturating_sub(1);
    set.frame_at(position).min(last)
}

/// The screen's height for its width, from the video's proportions.
fn screen_height(width: f32, set: &VideoSet) -> f32 {
    width * set.height as f32 / set.width.max(1) as f32
}

/// Spawns a screen for each video whose description loaded; one that did not is left out (the
/// loading plugin has already told of it).
#[allow(clippy::too_many_arguments)]
fn spawn_screens(
    library: Res<ExhibitLibrary>,
    assets: Res<AssetServer>,
    descriptions: Res<Assets<VideoDescription>>,
    mut videos: ResMut<Videos>,
    mut images: ResMut<Assets<Image>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    windows: Query<&Window>,
    mut notices: MessageWriter<crate::policy::ContentNotice>,
    config: Res<crate::ViewerConfig>,
    mut commands: Commands,
) {
    // Natively ffmpeg's rendition is checked by native.rs.
    #[cfg(not(target_family = "wasm"))]
    let _ = &config;
    let Some(package) = library.current_package() else {
        return;
    };
    let window_height = windows.iter().next().map_or(720, Window::physical_height);
    let m = &package.manifest;
    // Recordings alone give the exhibit nothing to see: each then gets a marker to frame.
    let only_sound = m.models.is_empty()
        && m.panoramas.is_empty()
        && m.pointclouds.is_empty()
        && m.videos.iter().all(|v| v.sound_only);
    for video in &package.manifest.videos {
        let handle: Handle<VideoDescription> = assets.load(library.asset_path(package, &video.src));
        let Some(VideoDescription(set)) = descriptions.get(&handle) else {
            continue;
        };
        // A video's description under `[[recordings]]`, or a recording's under `[[videos]]`.
        if set.has_picture() == video.sound_only {
            notices.write(crate::policy::ContentNotice {
                file: video.src.to_string(),
                reason: if video.sound_only {
                    "is a video's description (it has a picture) under [[recordings]]: move it to [[videos]]".into()
                } else {
                    "is a recording without picture under [[videos]]: move it to [[recordings]]".into()
                },
            });
            continue;
        }
        // In the browser, the link's estimate where it gives one (a stalling rendition still
        // gives way to a smaller one while playing).
        #[cfg(target_family = "wasm")]
        let bandwidth = web::link_estimate();
        #[cfg(not(target_family = "wasm"))]
        let bandwidth = None;
        let rendition = set
            .choose(window_height, bandwidth, can_play)
            .and_then(|chosen| set.renditions.iter().position(|r| r == chosen));
        let (w, h) = rendition.map_or((set.width, set.height), |i| {
            (set.renditions[i].width, set.renditions[i].height)
        });
        // Black until the first frame (or the poster) arrives.
        let image = images.add(Image::new_fill(
            Extent3d {
                width: w.max(1),
                height: h.max(1),
                depth_or_array_layers: 1,
            },
            TextureDimension::D2,
            &[0, 0, 0, 255],
            TextureFormat::Rgba8UnormSrgb,
            RenderAssetUsages::default(),
        ));
        // In the browser (until `<video>` playback) the screen shows the video's poster.
        #[cfg(target_family = "wasm")]
        let shown = if video.sound_only {
            image.clone()
        } else {
            let description = library.asset_path(package, &video.src);
            let folder = description.rsplit_once('/').map_or("", |(f, _)| f);
            assets.load::<Image>(format!("{folder}/{}", set.poster))
        };
        #[cfg(not(target_family = "wasm"))]
        let shown = image.clone();
        let material = materials.add(StandardMaterial {
            base_color_texture: Some(shown),
            unlit: true,
            // A screen seen from behind shows the picture mirrored, as a real one would.
            cull_mode: None,
            // A picture keeps its colours however far the visitor stands (a phone held upright
            // watches from further back, where the exhibit's haze would grey it).
            fog_enabled: false,
            ..default()
        });
        let entity = match (&video.projection, &video.screen) {
            // A recording: its sound and its bar, and a glowing marker where it sounds from
            // (or, in an exhibit of recordings alone, in front of the visitor, to frame).
            _ if video.sound_only => match video.sound_at {
                Some(at) => Some(Vec3::from(at)),
                None if only_sound => Some(Vec3::new(0.0, 1.2, 0.0)),
                None => None,
            }
            .map(|at| {
                let mut marker = commands.spawn((
                    Mesh3d(meshes.add(Sphere::new(SOUND_MARKER_RADIUS))),
                    MeshMaterial3d(materials.add(StandardMaterial {
                        base_color: Color::srgb(0.95, 0.72, 0.32),
                        emissive: LinearRgba::rgb(0.9, 0.55, 0.15),
                        ..default()
                    })),
                    Transform::from_translation(at),
                    NotShadowCaster,
                    ExhibitModel,
                    VideoScreen(video.id.clone()),
                    ExhibitScoped,
                ));
                if only_sound {
                    // Nothing else to see: a round stage on the ground under it, like the mat
                    // a singer or storyteller performs on, which also gives the camera a room's
                    // width to frame rather than a ball filling the screen.
                    marker.with_child((
                        Mesh3d(meshes.add(Cylinder::new(SOUND_STAGE_RADIUS, 0.04))),
                        MeshMaterial3d(materials.add(StandardMaterial {
                            base_color: Color::srgb(0.55, 0.16, 0.12),
                            perceptual_roughness: 0.9,
                            ..default()
                        })),
                        Transform::from_xyz(0.0, 0.02 - at[1], 0.0),
                    ));
                }
                marker.id()
            }),
            (VideoProjection::Flat, Some(screen)) => {
                let normal = Vec3::from(screen.normal).normalize_or(Vec3::Z);
                let height = screen_height(screen.width, set);
                let transform = Transform::from_translation(Vec3::from(screen.centre))
                    .looking_to(-normal, Vec3::Y);
                commands
                    .spawn((
                        Mesh3d(meshes.add(Rectangle::new(screen.width, height))),
                        MeshMaterial3d(material.clone()),
                        transform,
                        NotShadowCaster,
                        ExhibitModel,
                        VideoScreen(video.id.clone()),
                        ExhibitScoped,
                    ))
                    .id()
                    .into()
            }
            _ => Some(spawn_video_sphere(
                &mut commands,
                &mut meshes,
                &material,
                &video.id,
                video.projection == VideoProjection::SphereStereo,
            )),
        };
        #[cfg(not(target_family = "wasm"))]
        let clock = disan_video_clock::MediaClock::new();
        #[cfg(target_family = "wasm")]
        let url_folder = {
            let description = library.asset_path(package, &video.src);
            let folder = description
                .split_once("://")
                .map_or("", |(_, rel)| rel)
                .rsplit_once('/')
                .map_or("", |(folder, _)| folder);
            format!("{}/{folder}", library.source_root().display())
        };
        // A page that requires signatures gets the rendition through the checking reader
        // first (package_trust.rs): the `<video>` element fetches by itself, past it.
        #[cfg(target_family = "wasm")]
        let signed = config.trust.required();
        #[cfg(target_family = "wasm")]
        let mut checking = None;
        #[cfg(target_family = "wasm")]
        let clock = {
            let clock = disan_video_clock::MediaClock::for_video(&video.id);
            if let Some(i) = rendition {
                let r = &set.renditions[i];
                if signed {
                    let folder = video.src.as_str().rsplit_once('/').map_or("", |(d, _)| d);
                    let file = if folder.is_empty() {
                        r.file.clone()
                    } else {
                        format!("{folder}/{}", r.file)
                    };
                    // video.json's file names were checked when it was read (plain names,
                    // inside the package), so this path is one too.
                    match disan_format::check_package_path(&file) {
                        Ok(file) => {
                            checking = Some(assets.load(library.asset_path(package, &file)))
                        }
                        Err(why) => warn!("video \"{}\": \"{file}\" {why}", video.id),
                    }
                } else {
                    let url = format!("{url_folder}/{}", r.file);
                    open_in_browser(video, &url, r, &mut commands);
                }
            }
            clock
        };
        videos.screens.push(Screen {
            video: video.clone(),
            set: Some(set.clone()),
            rendition,
            clock,
            image,
            material: material.clone(),
            shown_frame: None,
            entity,
            failed: false,
            ended: false,
            captions: HashMap::new(),
            #[cfg(target_family = "wasm")]
            url_folder: Some(url_folder),
            #[cfg(target_family = "wasm")]
            checking,
            #[cfg(target_family = "wasm")]
            signed,
            #[cfg(not(target_family = "wasm"))]
            decoding: None,
        });
        info!(
            "video \"{}\": {} s, rendition {}",
            video.id,
            set.duration,
            rendition.map_or("none".into(), |i| set.renditions[i].file.clone())
        );
    }
    // Autoplay once the screens exist (muted sound is the browser's rule, not ours).
    for screen in &videos.screens {
        if screen.video.autoplay {
            screen.clock.play();
        }
    }
}

/// In the browser: gives the rendition at `url` its `<video>` element, its sound placed through
/// Web Audio where the browser has it.
#[cfg(target_family = "wasm")]
fn open_in_browser(
    video: &Video,
    url: &str,
    r: &disan_format::video::Rendition,
    commands: &mut Commands,
) {
    match web::open(
        &video.id,
        url,
        (r.width, r.height),
        video.volume,
        video.looped,
    ) {
        // Its sound goes through Web Audio: placed and ducking as natively.
        Ok(true) => {
            commands.spawn((
                crate::audio::ExternalVoice {
                    position: sound_position(video),
                    volume: video.volume,
                    control: disan_audio::VoiceControl::new(0.0, 0.0),
                    playing: false,
                },
                VideoVoiceOf(video.id.clone()),
                ExhibitScoped,
            ));
        }
        Ok(false) => {}
        Err(e) => warn!("video \"{}\": {e}", video.id),
    }
}

/// A rendition's bytes, read through the checking reader (a signed package in the browser).
#[cfg(target_family = "wasm")]
#[derive(Asset, TypePath)]
pub struct RenditionBytes(Vec<u8>);

#[cfg(target_family = "wasm")]
#[derive(Default, TypePath)]
struct RenditionBytesLoader;

#[cfg(target_family = "wasm")]
impl bevy::asset::AssetLoader for RenditionBytesLoader {
    type Asset = RenditionBytes;
    type Settings = ();
    type Error = std::io::Error;

    async fn load(
        &self,
        reader: &mut dyn bevy::asset::io::Reader,
        _: &(),
        _: &mut bevy::asset::LoadContext<'_>,
    ) -> Result<RenditionBytes, std::io::Error> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        Ok(RenditionBytes(bytes))
    }

    fn extensions(&self) -> &[&str] {
        &["webm", "mp4", "m4a"]
    }
}

/// In the browser: a signed package's rendition whose hash has passed goes to its element, as
/// the page's own copy of the bytes; one that failed (changed after signing, unlisted, not
/// there) leaves the poster, with a notice naming it, and is not played.
#[cfg(target_family = "wasm")]
fn open_checked_renditions(
    mut videos: ResMut<Videos>,
    assets: Res<AssetServer>,
    mut renditions: ResMut<Assets<RenditionBytes>>,
    mut notices: MessageWriter<crate::policy::ContentNotice>,
    mut commands: Commands,
) {
    for screen in &mut videos.screens {
        let Some(handle) = &screen.checking else {
            continue;
        };
        let failure = match assets.get_load_state(handle) {
            Some(bevy::asset::LoadState::Loaded) => {
                let (Some(set), Some(i)) = (&screen.set, screen.rendition) else {
                    continue;
                };
                let r = &set.renditions[i];
                let opened = renditions
                    .remove(handle)
                    .ok_or_else(|| "its bytes were not kept".to_owned())
                    .and_then(|bytes| web::object_url(&bytes.0, &r.mime))
                    .map(|url| open_in_browser(&screen.video, &url, r, &mut commands));
                opened.err()
            }
            Some(bevy::asset::LoadState::Failed(error)) => {
                Some(crate::package_trust::refusal_in(&error).unwrap_or_else(|| error.to_string()))
            }
            _ => continue,
        };
        screen.checking = None;
        if let Some(reason) = failure {
            screen.failed = true;
            notices.write(crate::policy::ContentNotice {
                file: screen.video.src.to_string(),
                reason: format!("{reason}; the video is not played"),
            });
        }
    }
}

/// The marker of a video's sound entity (an [`crate::audio::ExternalVoice`]), by the video's id.
#[derive(Component)]
pub(crate) struct VideoVoiceOf(pub String);

/// Where a video's or recording's sound comes from: a flat screen's centre, a recording's
/// `position`, or `None` (around the visitor: a 360° video, a recording without one).
fn sound_position(video: &Video) -> Option<Vec3> {
    match (&video.projection, &video.screen) {
        _ if video.sound_only => video.sound_at.map(Vec3::from),
        (VideoProjection::Flat, Some(place)) => Some(Vec3::from(place.centre)),
        _ => None,
    }
}

/// A video's sound ducks the ambience while it plays.
fn follow_playing(
    videos: Res<Videos>,
    mut voices: Query<(&VideoVoiceOf, &mut crate::audio::ExternalVoice)>,
) {
    for (of, mut voice) in &mut voices {
        let playing = videos.get(&of.0).is_some_and(|s| s.clock.playing());
        if voice.playing != playing {
            voice.playing = playing;
        }
    }
}

/// In the browser: the spatial engine's gains for each video's voice (placed at its screen,
/// lowered by the kiosk's master volume) drive the Web Audio gains its element plays through.
#[cfg(target_family = "wasm")]
fn web_voice_gains(voices: Query<(&VideoVoiceOf, &crate::audio::ExternalVoice)>) {
    for (of, voice) in &voices {
        let (left, right) = voice.control.gains();
        web::set_gains(&of.0, left, right);
    }
}

/// Whether this viewer can play a rendition: natively FFmpeg plays them all; a browser says.
fn can_play(r: &disan_format::video::Rendition) -> bool {
    #[cfg(target_family = "wasm")]
    return web::can_play(&r.mime);
    #[cfg(not(target_family = "wasm"))]
    {
        let _ = r;
        true
    }
}

/// The radius of the marker where a recording sounds from: a hand's width, seen across a room.
const SOUND_MARKER_RADIUS: f32 = 0.12;
/// The radius of the stage under a recording in an exhibit of recordings alone.
const SOUND_STAGE_RADIUS: f32 = 1.5;

/// The 360° sphere's radius: far enough that walking a step does not distort it.
const SPHERE_RADIUS: f32 = 50.0;

/// A UV sphere whose triangles face inward, with u running from the back (-Z … +X … ) so the
/// middle of an equirectangular picture (u = 0.5) is straight ahead (-Z) and its left edge
/// behind, as 360° players show them.
/// A 360° video's sphere around the visitor, seen from inside, the picture's middle straight
/// ahead (-Z). Top-bottom stereo takes two: the top half of the picture (the left eye's) on a
/// sphere only left eyes see, the bottom half on a child sphere only right eyes see
/// ([`crate::camera::eye_layers`]); a flat screen's camera sees as a left eye.
fn spawn_video_sphere(
    commands: &mut Commands,
    meshes: &mut Assets<Mesh>,
    material: &Handle<StandardMaterial>,
    video: &str,
    stereo: bool,
) -> Entity {
    use crate::camera::{LEFT_EYE_LAYER, RIGHT_EYE_LAYER};
    use bevy::camera::visibility::RenderLayers;
    let v_range = if stereo { 0.0..0.5 } else { 0.0..1.0 };
    let mut sphere = commands.spawn((
        Mesh3d(meshes.add(sphere_inside(SPHERE_RADIUS, v_range))),
        MeshMaterial3d(material.clone()),
        Transform::default(),
        NotShadowCaster,
        ExhibitModel,
        VideoScreen(video.to_owned()),
        ExhibitScoped,
    ));
    if stereo {
        sphere
            .insert(RenderLayers::layer(LEFT_EYE_LAYER))
            .with_child((
                Mesh3d(meshes.add(sphere_inside(SPHERE_RADIUS, 0.5..1.0))),
                MeshMaterial3d(material.clone()),
                Transform::default(),
                NotShadowCaster,
                RenderLayers::layer(RIGHT_EYE_LAYER),
            ));
    }
    sphere.id()
}

/// A sphere seen from inside whose texture rows `v_range` of the picture cover it from the
/// zenith to the nadir.
fn sphere_inside(radius: f32, v_range: std::ops::Range<f32>) -> Mesh {
    use bevy::mesh::{Indices, PrimitiveTopology};
    const COLUMNS: u32 = 64;
    const ROWS: u32 = 32;
    let mut positions = Vec::new();
    let mut normals = Vec::new();
    let mut uvs = Vec::new();
    for row in 0..=ROWS {
        let v = row as f32 / ROWS as f32;
        let pitch = std::f32::consts::FRAC_PI_2 - v * std::f32::consts::PI;
        for col in 0..=COLUMNS {
            let u = col as f32 / COLUMNS as f32;
            // Yaw 0 at u = 0.5, straight ahead; growing to the right (clockwise from above).
            let yaw = (u - 0.5) * std::f32::consts::TAU;
            let dir = Vec3::new(
                pitch.cos() * yaw.sin(),
                pitch.sin(),
                -pitch.cos() * yaw.cos(),
            );
            positions.push((dir * radius).to_array());
            normals.push((-dir).to_array());
            uvs.push([u, v_range.start + v * (v_range.end - v_range.start)]);
        }
    }
    let mut indices = Vec::new();
    let stride = COLUMNS + 1;
    for row in 0..ROWS {
        for col in 0..COLUMNS {
            let a = row * stride + col;
            let b = a + stride;
            indices.extend_from_slice(&[a, a + 1, b, a + 1, b + 1, b]);
        }
    }
    Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::default(),
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
    .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, normals)
    .with_inserted_attribute(Mesh::ATTRIBUTE_UV_0, uvs)
    .with_inserted_indices(Indices::U32(indices))
}

/// A video's screen (or sphere), by the video's id.
#[derive(Component, Debug)]
pub struct VideoScreen(pub String);

/// Parses each video's captions once they have loaded; captions that do not parse are left out
/// with a notice (the video plays without them).
fn read_captions(
    library: Res<ExhibitLibrary>,
    assets: Res<AssetServer>,
    texts: Res<Assets<TextFile>>,
    mut videos: ResMut<Videos>,
    mut notices: MessageWriter<ContentNotice>,
) {
    let Some(package) = library.current_package() else {
        return;
    };
    for screen in &mut videos.screens {
        for (lang, file) in screen.video.captions.iter() {
            let code = lang.code().to_owned();
            if screen.captions.contains_key(&code) {
                continue;
            }
            let handle: Handle<TextFile> = assets.load(library.asset_path(package, file));
            let Some(text) = texts.get(&handle) else {
                continue;
            };
            match disan_format::parse_vtt(&text.0) {
                Ok(captions) => {
                    screen.captions.insert(code, captions);
                }
                Err(e) => {
                    notices.write(ContentNotice {
                        file: file.to_string(),
                        reason: format!("{e}; the video plays without these captions"),
                    });
                    // An empty set: not read again, and shows nothing.
                    screen.captions.insert(
                        code,
                        disan_format::parse_vtt("WEBVTT\n").expect("an empty file parses"),
                    );
                }
            }
        }
    }
}

/// A tour stop on a video plays its chapter (or the video from the start); leaving it pauses
/// the video; pausing the tour pauses it too.
fn follow_tour(active: Res<ActiveTour>, library: Res<ExhibitLibrary>, mut videos: ResMut<Videos>) {
    let Some(package) = library.current_package() else {
        return;
    };
    let Some(playing) = active.0.as_ref() else {
        videos.followed_state = None;
        if videos.followed.take().is_some() {
            for s in &videos.screens {
                s.clock.pause();
            }
        }
        return;
    };
    let Some(stop) = package
        .manifest
        .tour(&playing.tour)
        .and_then(|t| t.stops.get(playing.clock.stop))
    else {
        return;
    };
    let key = (playing.tour.clone(), playing.clock.stop, playing.starts);
    let on_video = match &stop.target {
        StopTarget::Video { video, chapter } => Some((video.clone(), chapter.clone())),
        _ => None,
    };
    let new_stop = videos.followed.as_ref() != Some(&key);
    if new_stop {
        videos.followed = Some(key);
        for s in &videos.screens {
            if on_video.as_ref().is_none_or(|(v, _)| *v != s.video.id) {
                s.clock.pause();
            }
        }
        // Straight to the chapter's start; playing or paused as the tour is, just below.
        if let Some((video, chapter)) = &on_video
            && let Some(screen) = videos.get(video)
        {
            let start = chapter
                .as_deref()
                .and_then(|c| screen.video.chapter(c))
                .map_or(0.0, |c| c.start);
            screen.clock.seek(start);
        }
    }
    // The tour's play and pause, when they change: the visitor may pause the video alone.
    let state_changed =
        videos.followed_state.replace(playing.clock.state) != Some(playing.clock.state);
    if let Some((video, _)) = on_video
        && (new_stop || state_changed)
        && let Some(screen) = videos.get(&video)
    {
        match playing.clock.state {
            PlayState::Playing => screen.clock.play(),
            PlayState::Paused | PlayState::Finished => screen.clock.pause(),
        }
    }
}

fn run_commands(mut commands: MessageReader<VideoCommand>, mut videos: ResMut<Videos>) {
    for command in commands.read() {
        let id = match command {
            VideoCommand::Play { video }
            | VideoCommand::Pause { video }
            | VideoCommand::TogglePlay { video }
            | VideoCommand::Seek { video, .. }
            | VideoCommand::Chapter { video, .. } => video,
        };
        let Some(screen) = videos.get_mut(id) else {
            warn!("no video \"{id}\" in this exhibit");
            continue;
        };
        let duration = screen.set.as_ref().map_or(0.0, |s| s.duration);
        match command {
            VideoCommand::Play { .. } => {
                // At the end, play starts over.
                if screen.clock.position() >= duration - 1e-3 {
                    screen.clock.seek(0.0);
                }
                screen.clock.play();
            }
            VideoCommand::Pause { .. } => screen.clock.pause(),
            VideoCommand::TogglePlay { .. } => {
                if screen.clock.playing() {
                    screen.clock.pause();
                } else {
                    if screen.clock.position() >= duration - 1e-3 {
                        screen.clock.seek(0.0);
                    }
                    screen.clock.play();
                }
            }
            VideoCommand::Seek { time, .. } => {
                screen.clock.seek(time.clamp(0.0, duration));
            }
            VideoCommand::Chapter { chapter, .. } => match screen.video.chapter(chapter) {
                Some(c) => {
                    screen.clock.seek(c.start.min(duration));
                    screen.clock.play();
                }
                None => warn!("video \"{id}\" has no chapter \"{chapter}\""),
            },
        }
    }
}

/// Keeps each clock within its video (the end pauses, or loops), and, natively, shows the frame
/// the clock says.
fn play(
    mut videos: ResMut<Videos>,
    mut images: ResMut<Assets<Image>>,
    mut notices: MessageWriter<ContentNotice>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    // Natively the screen's material never changes.
    #[cfg(not(target_family = "wasm"))]
    let _ = &mut materials;
    for screen in &mut videos.screens {
        let Some(set) = &screen.set else { continue };
        if screen.clock.position() >= set.duration {
            if screen.video.looped && screen.clock.playing() {
                screen.clock.seek(0.0);
            } else {
                screen.clock.pause();
                screen.clock.seek(set.duration);
            }
        }
        #[cfg(not(target_family = "wasm"))]
        native::show_frame(screen, &mut images, &mut notices);
        #[cfg(target_family = "wasm")]
        show_browser_frame(screen, &mut images, &mut materials, &mut notices);
    }
}

/// In the browser: the element's latest picture into the screen's texture (the poster gives way
/// at the first one); an element that failed leaves the poster, with a notice.
#[cfg(target_family = "wasm")]
fn show_browser_frame(
    screen: &mut Screen,
    images: &mut Assets<Image>,
    materials: &mut Assets<StandardMaterial>,
    notices: &mut MessageWriter<ContentNotice>,
) {
    if screen.failed {
        return;
    }
    if let Some(reason) = web::error(&screen.video.id) {
        screen.failed = true;
        notices.write(ContentNotice {
            file: screen.video.src.to_string(),
            reason: format!("{reason}; the screen keeps its poster"),
        });
        return;
    }
    if web::keeps_stalling(&screen.video.id) {
        step_down_in_browser(screen, images);
    }
    if screen.video.sound_only {
        return;
    }
    let Some((time, rgba)) = web::copy_frame(&screen.video.id) else {
        return;
    };
    let Some(set) = &screen.set else { return };
    if let Some(mut image) = images.get_mut(&screen.image)
        && image.data.as_ref().is_some_and(|d| d.len() == rgba.len())
    {
        image.data = Some(rgba);
        if screen.shown_frame.is_none()
            && let Some(mut material) = materials.get_mut(&screen.material)
        {
            material.base_color_texture = Some(screen.image.clone());
        }
        screen.shown_frame = Some(frame_to_show(set, time));
    }
}

/// The link cannot carry the rendition: the next smaller one the browser plays, from the same
/// moment in the same element (the screen's picture resized to it). At the smallest, it stays.
#[cfg(target_family = "wasm")]
fn step_down_in_browser(screen: &mut Screen, images: &mut Assets<Image>) {
    let (Some(set), Some(current)) = (&screen.set, screen.rendition) else {
        return;
    };
    if screen.signed {
        // Only the rendition checked against the signed list plays.
        return;
    }
    let now = &set.renditions[current];
    let Some(smaller) = set
        .renditions
        .iter()
        .enumerate()
        .filter(|(_, r)| can_play(r) && (r.height, r.bitrate) < (now.height, now.bitrate))
        .max_by_key(|(_, r)| (r.height, r.bitrate))
        .map(|(i, _)| i)
    else {
        return;
    };
    let r = &set.renditions[smaller];
    let Some(url) = &screen.url_folder else {
        return;
    };
    info!(
        "video \"{}\": the link cannot carry {}; playing {}",
        screen.video.id, now.file, r.file
    );
    web::switch_rendition(
        &screen.video.id,
        &format!("{url}/{}", r.file),
        (r.width, r.height),
    );
    screen.rendition = Some(smaller);
    if screen.video.sound_only {
        return;
    }
    if let Some(mut image) = images.get_mut(&screen.image) {
        image.resize(Extent3d {
            width: r.width.max(1),
            height: r.height.max(1),
            depth_or_array_layers: 1,
        });
    }
}

/// A screen counts as the exhibit's model once it shows its first frame (or has failed, with
/// its poster or black): then the exhibit is framed and a shot may be taken.
fn mark_screens_ready(
    videos: Res<Videos>,
    unready: Query<(Entity, &VideoScreen), Without<ModelSpawned>>,
    mut commands: Commands,
) {
    for (entity, screen) in &unready {
        let ready = videos.get(&screen.0).is_none_or(|s| {
            s.failed
                || s.video.sound_only
                || s.shown_frame.is_some()
                || cfg!(target_family = "wasm")
        });
        if ready {
            commands.entity(entity).insert(ModelSpawned);
        }
    }
}

#[derive(Component)]
struct VideoBar;

#[derive(Component)]
pub struct VideoCaption;

#[derive(Component)]
struct VideoTime;

/// A video bar button's action.
#[derive(Component, Clone, Debug, PartialEq)]
enum VideoButton {
    PlayPause(String),
    Chapter(String, String),
    /// Opens the About panel, where the transcripts are.
    Transcript,
}

fn clock_text(seconds: f64) -> String {
    let s = seconds.max(0.0) as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The video bar: the first video's play/pause and time, its chapters, its transcript, and its caption
/// in the visitor's language. Above the tour bar while a tour plays.
#[allow(clippy::too_many_arguments)]
fn show_video_bar(
    videos: Res<Videos>,
    (lang, offered): (Res<Language>, Res<OfferedLanguages>),
    fonts: Res<UiFonts>,
    bars: Query<(), With<VideoBar>>,
    slots: Query<(Entity, &crate::ui::BottomSlot)>,
    mut captions: Query<&mut LocalizedLabel, With<VideoCaption>>,
    // The time is the play button's label, a child of the button.
    times: Query<&Children, With<VideoTime>>,
    mut labels: Query<&mut LocalizedLabel, Without<VideoCaption>>,
    pressed: Query<(&Interaction, &VideoButton), Changed<Interaction>>,
    mut video_commands: MessageWriter<VideoCommand>,
    mut about: ResMut<crate::ui::AboutOpen>,
    mut commands: Commands,
) {
    for (interaction, b) in &pressed {
        if *interaction == Interaction::Pressed {
            if *b == VideoButton::Transcript {
                about.0 = true;
                continue;
            }
            video_commands.write(match b {
                VideoButton::PlayPause(video) => VideoCommand::TogglePlay {
                    video: video.clone(),
                },
                VideoButton::Chapter(video, chapter) => VideoCommand::Chapter {
                    video: video.clone(),
                    chapter: chapter.clone(),
                },
                VideoButton::Transcript => continue,
            });
        }
    }
    let Some(screen) = videos.screens.first() else {
        return;
    };
    let duration = screen.set.as_ref().map_or(0.0, |s| s.duration);
    let time_label = LocalizedLabel::for_languages(&offered.0, |l| {
        let state = if screen.clock.playing() {
            UiString::Pause.text(l)
        } else {
            UiString::Play.text(l)
        };
        // Short enough for a phone held upright: the title is the exhibit's own, above.
        format!(
            "{state} · {} / {}",
            clock_text(screen.time()),
            clock_text(duration)
        )
    });
    let caption =
        LocalizedLabel::for_languages(&offered.0, |l| screen.caption(l).unwrap_or_default());
    if !bars.is_empty() {
        for mut c in &mut captions {
            if *c != caption {
                *c = caption.clone();
            }
        }
        for children in &times {
            for child in children {
                if let Ok(mut t) = labels.get_mut(*child)
                    && *t != time_label
                {
                    *t = time_label.clone();
                }
            }
        }
        return;
    }
    let Some(slot) = crate::ui::bottom_slot(&slots, crate::ui::BottomSlot::Video) else {
        return;
    };
    let inner = crate::ui::spawn_bottom_bar(
        &mut commands,
        slot,
        VideoBar,
        Node {
            flex_direction: FlexDirection::Column,
            // As wide as it may be: a panel sized to its content works out its height for one
            // line of the chapter row, which then wraps over the bar below.
            width: percent(100),
            padding: UiRect::all(px(10)),
            row_gap: px(4),
            ..default()
        },
    );
    commands.spawn((
        label(&fonts, *lang, caption, TextStyle::Body),
        TextLayout::justify(Justify::Center),
        VideoCaption,
        ChildOf(inner),
    ));
    let row = commands
        .spawn((
            Node {
                flex_direction: FlexDirection::Row,
                flex_wrap: FlexWrap::Wrap,
                justify_content: JustifyContent::Center,
                align_items: AlignItems::Center,
                ..default()
            },
            ChildOf(inner),
        ))
        .id();
    commands.spawn((
        button(
            &fonts,
            *lang,
            time_label,
            VideoButton::PlayPause(screen.video.id.clone()),
        ),
        VideoTime,
        ChildOf(row),
    ));
    if !screen.video.transcript.is_empty() {
        commands.spawn((
            button(
                &fonts,
                *lang,
                LocalizedLabel::ui(UiString::Transcript),
                VideoButton::Transcript,
            ),
            ChildOf(row),
        ));
    }
    for chapter in &screen.video.chapters {
        commands.spawn((
            button(
                &fonts,
                *lang,
                LocalizedLabel::from_text(&chapter.title),
                VideoButton::Chapter(screen.video.id.clone(), chapter.id.clone()),
            ),
            ChildOf(row),
        ));
    }
}

/// Where a video screen is in the picture, in logical pixels `[x, y, w, h]` from the top left:
/// for tests that read the frame off a shot.
pub fn screen_rect_in_view(
    screen: &Screen,
    camera: &Camera,
    camera_transform: &GlobalTransform,
) -> Option<[f32; 4]> {
    let place = screen.video.screen.as_ref()?;
    let set = screen.set.as_ref()?;
    let normal = Vec3::from(place.normal).normalize_or(Vec3::Z);
    let t = Transform::from_translation(Vec3::from(place.centre)).looking_to(-normal, Vec3::Y);
    let (hw, hh) = (place.width * 0.5, screen_height(place.width, set) * 0.5);
    let corners = [(-hw, hh), (hw, hh), (hw, -hh), (-hw, -hh)].map(|(x, y)| {
        camera.world_to_viewport(camera_transform, t.transform_point(Vec3::new(x, y, 0.0)))
    });
    let points: Vec<Vec2> = corners.into_iter().collect::<Result<_, _>>().ok()?;
    let min = points.iter().copied().reduce(Vec2::min)?;
    let max = points.iter().copied().reduce(Vec2::max)?;
    Some([min.x, min.y, max.x - min.x, max.y - min.y])
}

/// The caption line as drawn: its text and where it is, for the shot's log.
pub type ShotCaption<'w, 's> = Query<
    'w,
    's,
    (
        &'static Text,
        &'static ComputedNode,
        &'static bevy::ui::UiGlobalTransform,
        &'static InheritedVisibility,
    ),
    With<VideoCaption>,
>;

/// Logs where each flat video is on screen and which frame it shows, and the caption line as the
/// visitor reads it (its text and its box in physical pixels), for `disan shot` and the tests
/// that check both against the picture.
pub fn log_screens(
    videos: &Videos,
    camera: Option<(&Camera, &GlobalTransform)>,
    captions: &ShotCaption,
) {
    for (text, node, transform, visible) in captions {
        let size = node.size();
        let centre = transform.translation;
        let line = text.0.replace('\n', " / ");
        info!(
            "video caption \"{line}\" {} at [{:.0}, {:.0}, {:.0}, {:.0}] px",
            if visible.get() { "shown" } else { "hidden" },
            centre.x - size.x / 2.0,
            centre.y - size.y / 2.0,
            size.x,
            size.y,
        );
    }
    for screen in &videos.screens {
        let rect = camera.and_then(|(c, t)| screen_rect_in_view(screen, c, t));
        info!(
            "video \"{}\": frame {} shown at {:.3} s; screen at {}",
            screen.video.id,
            screen
                .shown_frame
                .map_or_else(|| "none".to_owned(), |n| n.to_string()),
            screen.time(),
            rect.map_or_else(
                || "-".to_owned(),
                |[x, y, w, h]| format!("[{x:.0}, {y:.0}, {w:.0}, {h:.0}] px")
            ),
        );
    }
}

/// Logs the frame each video shows and its time (the XR test reads it at the end of its run).
pub fn log_frames(videos: &Videos) {
    for screen in &videos.screens {
        info!(
            "video \"{}\": frame {} on its screen at {:.3} s{}",
            screen.video.id,
            screen
                .shown_frame
                .map_or_else(|| "none".to_owned(), |n| n.to_string()),
            screen.time(),
            if screen.failed { " (failed)" } else { "" },
        );
    }
}

/// The camera the shot is taken with.
pub type ShotCamera<'w, 's> =
    Query<'w, 's, (&'static Camera, &'static GlobalTransform), With<ViewerCamera>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::eye_layers;
    use bevy::camera::visibility::RenderLayers;

    /// The rows of the picture a sphere's texture coordinates reach.
    fn v_span(world: &World, entity: Entity) -> (f32, f32) {
        let mesh = world.get::<Mesh3d>(entity).unwrap();
        let meshes = world.resource::<Assets<Mesh>>();
        let Some(bevy::mesh::VertexAttributeValues::Float32x2(uvs)) =
            meshes.get(&mesh.0).unwrap().attribute(Mesh::ATTRIBUTE_UV_0)
        else {
            panic!("no UVs");
        };
        uvs.iter().fold((f32::MAX, f32::MIN), |(lo, hi), uv| {
            (lo.min(uv[1]), hi.max(uv[1]))
        })
    }

    fn spawn(world: &mut World, stereo: bool) -> Entity {
        let material = Handle::<StandardMaterial>::default();
        let entity = world.resource_scope(|world, mut meshes: Mut<Assets<Mesh>>| {
            let mut commands = world.commands();
            spawn_video_sphere(&mut commands, &mut meshes, &material, "v", stereo)
        });
        world.flush();
        entity
    }

    #[test]
    fn each_eye_sees_its_own_half_of_a_top_bottom_stereo_video() {
        let mut world = World::new();
        world.init_resource::<Assets<Mesh>>();
        let left = spawn(&mut world, true);
        let right = world.get::<Children>(left).unwrap()[0];
        let layers =
            |world: &World, e: Entity| world.get::<RenderLayers>(e).cloned().unwrap_or_default();
        // The left eye (and a flat screen) sees the top half, the right eye the bottom half,
        // neither sees the other's.
        assert_eq!(v_span(&world, left), (0.0, 0.5));
        assert_eq!(v_span(&world, right), (0.5, 1.0));
        assert!(eye_layers(0).intersects(&layers(&world, left)));
        assert!(!eye_layers(0).intersects(&layers(&world, right)));
        assert!(eye_layers(1).intersects(&layers(&world, right)));
        assert!(!eye_layers(1).intersects(&layers(&world, left)));
        // Only the sphere the visitor is framed in counts as the exhibit's model.
        assert!(world.get::<ExhibitModel>(left).is_some());
        assert!(world.get::<ExhibitModel>(right).is_none());

        // A mono video: one sphere, the whole picture, seen by both eyes.
        let mono = spawn(&mut world, false);
        assert_eq!(v_span(&world, mono), (0.0, 1.0));
        assert!(world.get::<Children>(mono).is_none());
        for eye in 0..2 {
            assert!(eye_layers(eye).intersects(&layers(&world, mono)));
        }
    }
}
