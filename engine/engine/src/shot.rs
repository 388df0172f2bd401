//! `disan shot`: show one named view (a manifest view, a hotspot, or `home`), wait until the
//! exhibit has loaded *and* the renderer has compiled every pipeline it needs, save the frame
//! as PNG and exit.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};

use crate::ViewerState;
use crate::camera::{CameraCommand, CameraRig};
use crate::first_frame::RenderProgress;
use crate::framing::{ExhibitBounds, ExhibitFramed};
use crate::hotspots::OpenHotspot;
use crate::library::ExhibitLibrary;
use crate::tour::TourCommand;
use crate::ui::Hud;

pub(super) fn plugin(app: &mut App) {
    if app.world().resource::<crate::ViewerConfig>().shot.is_some() {
        app.init_resource::<ShotProgress>().add_systems(
            Update,
            (see_with_the_eye_asked, aim_shot, take_shot).chain(),
        );
    }
}

/// `--eye right`: the shot is the right eye's picture (of a top-bottom stereo 360° video, the
/// only thing the eyes see differently), through the same render layers a headset's right eye
/// camera gets; staff check with it that the halves of their stereo video are the right way up.
fn see_with_the_eye_asked(
    config: Res<crate::ViewerConfig>,
    cameras: Query<Entity, Added<crate::camera::ViewerCamera>>,
    mut commands: Commands,
) {
    let Some(request) = &config.shot else { return };
    for camera in &cameras {
        commands
            .entity(camera)
            .insert(crate::camera::eye_layers(request.eye));
    }
}

/// What `disan shot` asked for.
#[derive(Clone, Debug)]
pub struct ShotRequest {
    /// A view id, a hotspot id, or `home`.
    pub view: String,
    pub out: PathBuf,
    /// Hide the HUD (for thumbnails); the info panel of a hotspot view stays hidden too.
    pub hide_ui: bool,
    /// Whose picture: 0 the left eye's (as a flat screen shows), 1 the right eye's.
    pub eye: u32,
}

/// `catalogue` (the gallery) and `catalogue-map`: the catalogue screen, which the binary opens
/// at start for these views.
pub fn is_catalogue_view(view: &str) -> bool {
    matches!(view, "catalogue" | "catalogue-map")
}

/// `scan:ID` → (ID, None), `scan:ID:REGION` → (ID, Some(REGION)).
fn parse_scan_view(view: &str) -> Option<(&str, Option<&str>)> {
    let rest = view.strip_prefix("scan:")?;
    Some(match rest.split_once(':') {
        Some((id, region)) => (id, Some(region)),
        None => (rest, None),
    })
}

/// `panorama:ID[:YAW[:PITCH]]` → (ID, yaw, pitch), degrees on the photograph (0 by default).
fn parse_panorama_view(view: &str) -> Option<(&str, f32, f32)> {
    let mut parts = view.strip_prefix("panorama:")?.split(':');
    let id = parts.next()?;
    let yaw = parts.next().map_or(Some(0.0), |y| y.parse().ok())?;
    let pitch = parts.next().map_or(Some(0.0), |p| p.parse().ok())?;
    Some((id, yaw, pitch))
}

/// `video:ID[:SECONDS]` → (ID, seconds), 0 s by default.
fn parse_video_view(view: &str) -> Option<(&str, f64)> {
    let rest = view.strip_prefix("video:")?;
    Some(match rest.split_once(':') {
        Some((id, t)) => (id, t.parse().ok()?),
        None => (rest, 0.0),
    })
}

/// `gallery:ID:PHOTO` → (ID, PHOTO); `gallery:ID` → (ID, None): its first photo.
fn parse_gallery_view(view: &str) -> Option<(&str, Option<&str>)> {
    let rest = view.strip_prefix("gallery:")?;
    Some(match rest.split_once(':') {
        Some((id, photo)) => (id, Some(photo)),
        None => (rest, None),
    })
}

/// `tour:ID:K` → (ID, K).
fn parse_tour_view(view: &str) -> Option<(&str, usize)> {
    let rest = view.strip_prefix("tour:")?;
    let (id, k) = rest.rsplit_once(':')?;
    Some((id, k.parse().ok()?))
}

#[derive(Resource, Default)]
struct ShotProgress {
    aimed: bool,
    /// Consecutive frames with everything loaded and compiled.
    settled_frames: u32,
    taken: bool,
}

/// Frames to wait after everything is ready, so eased values and shadows settle.
const SETTLE_FRAMES: u32 = 3;

/// The longest a shot waits for its view to be ready (a 150 MB scan loads in about 35 s on the
/// 2-core build machine); then it gives up with exit status 3 and says what it waited for.
pub const SHOT_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

#[allow(clippy::too_many_arguments)]
fn aim_shot(
    config: Res<crate::ViewerConfig>,
    mut framed: MessageReader<ExhibitFramed>,
    library: Res<ExhibitLibrary>,
    mut rig: ResMut<CameraRig>,
    mut open: ResMut<OpenHotspot>,
    mut camera: MessageWriter<CameraCommand>,
    mut progress: ResMut<ShotProgress>,
    mut exit: MessageWriter<AppExit>,
    mut tours: MessageWriter<TourCommand>,
    mut about: ResMut<crate::ui::AboutOpen>,
    mut scans: MessageWriter<crate::scans::ScanCommand>,
    (mut videos, mut galleries, shown_galleries, ui_scale): (
        MessageWriter<crate::video::VideoCommand>,
        MessageWriter<crate::gallery::GalleryCommand>,
        Res<crate::gallery::Galleries>,
        Res<UiScale>,
    ),
    windows: Query<&Window>,
) {
    let Some(request) = &config.shot else { return };
    if framed.read().last().is_none() || progress.aimed {
        return;
    }
    let Some(package) = library.current_package() else {
        return;
    };
    let m = &package.manifest;
    rig.snap = true;
    if request.view == "home" || is_catalogue_view(&request.view) {
        camera.write(CameraCommand::Home);
    } else if let Some((scan, region)) = parse_scan_view(&request.view)
        && m.scan(scan).is_some()
    {
        // `scan:ID` the reader on the whole sheet; `scan:ID:REGION` zoomed to a region.
        scans.write(crate::scans::ScanCommand::Open {
            scan: Some(scan.to_owned()),
            region: region.map(str::to_owned),
        });
    } else if let Some((id, yaw, pitch)) = parse_panorama_view(&request.view)
        && let Some(scene) = m.panorama(id)
    {
        // `panorama:ID:YAW:PITCH`: standing in scene ID, looking that way.
        camera.write(CameraCommand::LookFrom {
            eye: Vec3::from(scene.position),
            target: Vec3::from(scene.marker_at(yaw, pitch)),
        });
    } else if let Some((id, photo)) = parse_gallery_view(&request.view)
        && let Some(gallery) = m.gallery(id)
    {
        // `gallery:ID[:PHOTO]`: in front of the gallery's screen, showing that photo.
        let (eye, target) = crate::gallery::view_of_gallery(
            gallery,
            crate::camera::window_aspect(&windows),
            crate::camera::window_height_in_ui(&windows, &ui_scale),
            false,
            shown_galleries.tallest(id),
        );
        camera.write(CameraCommand::LookFrom { eye, target });
        if let Some(photo) = photo {
            galleries.write(crate::gallery::GalleryCommand::Show {
                gallery: id.to_owned(),
                photo: photo.to_owned(),
            });
        }
    } else if let Some((id, seconds)) = parse_video_view(&request.view)
        && let Some(video) = m.video(id)
    {
        // `video:ID:SECONDS`: watching the video, paused at that moment.
        // A recording without picture has no screen to face: the home view.
        match crate::video::view_of_video(video, crate::camera::window_aspect(&windows)) {
            Some((eye, target)) => camera.write(CameraCommand::LookFrom { eye, target }),
            None => camera.write(CameraCommand::Home),
        };
        videos.write(crate::video::VideoCommand::Pause {
            video: id.to_owned(),
        });
        videos.write(crate::video::VideoCommand::Seek {
            video: id.to_owned(),
            time: seconds,
        });
    } else if request.view == "about" {
        // The About panel (credits, location) over the home view.
        camera.write(CameraCommand::Home);
        about.0 = true;
    } else if let Some((tour, stop)) = parse_tour_view(&request.view)
        && m.tours
            .iter()
            .any(|t| t.id == tour && stop >= 1 && stop <= t.stops.len())
    {
        // `tour:ID:K`: the tour's stop K (from 1), paused there, with its caption showing.
        tours.write(TourCommand::Start {
            tour: Some(tour.to_owned()),
            stop: stop - 1,
        });
        tours.write(TourCommand::Pause);
    } else if let Some(v) = m.view(&request.view) {
        rig.fov_y = v.fov_deg.to_radians();
        camera.write(CameraCommand::LookFrom {
            eye: Vec3::from(v.eye),
            target: Vec3::from(v.target),
        });
    } else if m.hotspot(&request.view).is_some() {
        open.open(&request.view);
    } else {
        let tour_stops = m
            .tours
            .iter()
            .map(|t| format!("tour:{}:1..{}", t.id, t.stops.len()));
        let views: Vec<String> = m
            .views
            .iter()
            .map(|v| v.id.clone())
            .chain(m.hotspots.iter().map(|h| h.id.clone()))
            .chain(tour_stops)
            .chain(m.scans.iter().map(|s| format!("scan:{}", s.id)))
            .chain(m.videos.iter().map(|v| format!("video:{}[:SECONDS]", v.id)))
            .chain(
                m.panoramas
                    .iter()
                    .map(|p| format!("panorama:{}[:YAW[:PITCH]]", p.id)),
            )
            .collect();
        error!(
            "exhibit \"{}\" has no view or hotspot \"{}\": use `home` or one of: {}",
            m.id,
            request.view,
            views.join(", ")
        );
        exit.write(AppExit::from_code(2));
    }
    progress.aimed = true;
}

/// Logs what a visitor's finger meets in the picture: how many buttons are shown, the smallest
/// (the render tests require 44 px), and how many pairs overlap (they require none); and how
/// many pairs of the bars along the bottom (gallery, video, tour) overlap (none: one would
/// hide the other's buttons or text).
#[allow(clippy::type_complexity)]
fn report_touch_layout(
    nodes: &Query<
        (
            &ComputedNode,
            &bevy::ui::UiGlobalTransform,
            &InheritedVisibility,
            Has<crate::ui::BottomBar>,
        ),
        Or<(With<Button>, With<crate::ui::BottomBar>)>,
    >,
) {
    // Physical pixels: a shot's window has a scale factor of 1, so these are the window's own
    // pixels, whatever the UI's scale.
    let shown = |bars: bool| -> Vec<bevy::math::Rect> {
        nodes
            .iter()
            .filter(|(node, _, visible, bar)| {
                *bar == bars && visible.get() && node.size().min_element() > 0.0
            })
            .map(|(node, transform, _, _)| {
                bevy::math::Rect::from_center_size(transform.translation, node.size())
            })
            .collect()
    };
    let overlapping_pairs = |rects: &[bevy::math::Rect]| {
        let mut overlaps = 0;
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                let common = a.intersect(*b);
                if !common.is_empty() && common.width() * common.height() > 1.0 {
                    overlaps += 1;
                }
            }
        }
        overlaps
    };
    let rects = shown(false);
    let smallest = rects
        .iter()
        .map(|r| r.size())
        .reduce(|a, b| a.min(b))
        .unwrap_or(Vec2::ZERO);
    info!(
        "touch-layout: buttons={} smallest={:.0}x{:.0} overlapping-pairs={}",
        rects.len(),
        smallest.x,
        smallest.y,
        overlapping_pairs(&rects)
    );
    let bars = shown(true);
    info!(
        "bottom-bars: bars={} overlapping-pairs={}",
        bars.len(),
        overlapping_pairs(&bars)
    );
}

#[allow(clippy::too_many_arguments)]
fn take_shot(
    config: Res<crate::ViewerConfig>,
    state: Res<State<ViewerState>>,
    bounds: Res<ExhibitBounds>,
    render: Res<RenderProgress>,
    mut progress: ResMut<ShotProgress>,
    mut hud: Query<&mut Visibility, With<Hud>>,
    (time, mut exit): (Res<Time<Real>>, MessageWriter<AppExit>),
    buttons: Query<
        (
            &ComputedNode,
            &bevy::ui::UiGlobalTransform,
            &InheritedVisibility,
            Has<crate::ui::BottomBar>,
        ),
        Or<(With<Button>, With<crate::ui::BottomBar>)>,
    >,
    mut commands: Commands,
    levels: Res<crate::levels::ModelLevels>,
    catalogue: Option<Res<crate::catalogue::CatalogueReady>>,
    (videos, shot_camera, captions, galleries): (
        Res<crate::video::Videos>,
        crate::video::ShotCamera,
        crate::video::ShotCaption,
        Res<crate::gallery::Galleries>,
    ),
    (scans, tiles, assets, reader, panoramas, clouds): (
        Res<crate::scans::Scans>,
        Res<crate::scans::TileCache>,
        Res<AssetServer>,
        Res<crate::scans::Reader>,
        Res<crate::panorama::Panoramas>,
        (
            Res<crate::pointcloud::PointClouds>,
            Res<crate::pointcloud::PointBudget>,
        ),
    ),
) {
    let Some(request) = &config.shot else { return };
    if progress.taken {
        return;
    }
    if time.elapsed() > SHOT_LIMIT {
        error!(
            "shot: the view \"{}\" was not ready after {} s (viewer {:?}, exhibit framed: {}, pipelines compiled: {}); no picture was saved",
            request.view,
            SHOT_LIMIT.as_secs(),
            state.get(),
            bounds.0.is_some(),
            render.pipelines_ready
        );
        progress.taken = true;
        exit.write(AppExit::from_code(3));
        return;
    }
    // The error screen is a valid picture too: tests use it to see a broken package's message.
    let scene_ready = if is_catalogue_view(&request.view) {
        // The catalogue screen covers the exhibit: it is ready when built with its pictures.
        catalogue.is_some_and(|c| c.0)
    } else {
        match state.get() {
            // A packed model is shot at the level the device would settle on, not its thumb.
            // Scans: their info and every tile the reader or the panel wants this frame.
            ViewerState::Exhibit => {
                bounds.0.is_some()
                    && progress.aimed
                    && levels.settled()
                    && scans.settled()
                    && tiles.all_wanted_settled(&assets)
                    && panoramas.settled(&assets)
                    && clouds.0.settled()
                    && videos.settled()
                    && (parse_scan_view(&request.view).is_none() || reader.open.is_some())
            }
            ViewerState::Error => true,
            ViewerState::Loading => false,
        }
    };
    if request.hide_ui {
        for mut v in &mut hud {
            *v = Visibility::Hidden;
        }
    }
    if !(scene_ready && render.pipelines_ready) {
        progress.settled_frames = 0;
        return;
    }
    progress.settled_frames += 1;
    if progress.settled_frames < SETTLE_FRAMES {
        return;
    }
    progress.taken = true;
    report_touch_layout(&buttons);
    if !clouds.0.clouds.is_empty() {
        // What the tests check the streaming by.
        info!(
            "point clouds: {} points shown in {} nodes, {} held, budget {}, deepest level {}",
            clouds.0.points_shown(),
            clouds.0.nodes_shown(),
            clouds.0.points_held(),
            clouds.1.0,
            clouds.0.deepest_level_shown()
        );
    }
    crate::video::log_screens(&videos, shot_camera.iter().next(), &captions);
    crate::gallery::log_galleries(&galleries);
    let out = request.out.clone();
    info!("saving shot to {}", out.display());
    commands
        .spawn(Screenshot::primary_window())
        .observe(save_to_disk(out))
        .observe(
            |_: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
                exit.write(AppExit::Success);
            },
        );
}
