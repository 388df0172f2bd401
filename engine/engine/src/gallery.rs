//! Photo galleries (`[[galleries]]`): photographs shown one at a time on a screen placed in the
//! exhibit, its height following each photo's proportions, with the photo's caption and credit
//! in the visitor's language on the gallery bar (previous, `2 / 5`, next). A tour stop on a
//! photo shows it; the host page can show one by id (`show-photo`). With several galleries in
//! one exhibit the bar is for the one the visitor looks at (the screen nearest the middle of the
//! view), or else the one last paged or shown.
//!
//! Photos are ordinary images of the package, loaded through the checked image loader with the
//! exhibit's other files: one that is missing, damaged or too large is left out with the
//! loading plugin's notice and the gallery shows the others. The screen is a model of the
//! exhibit (framed, drawn by every viewer: native, browser and headset alike).

use bevy::light::NotShadowCaster;
use bevy::prelude::*;
use disan_format::{Gallery, StopTarget};

use crate::i18n::{Language, OfferedLanguages};
use crate::library::{ExhibitLibrary, ExhibitReset};
use crate::loading::{ExhibitLoad, ExhibitModel, FileRole, ModelSpawned};
use crate::theme::{LocalizedLabel, TextStyle, UiFonts, button, label};
use crate::tour::ActiveTour;
use crate::{ExhibitScoped, ViewerState};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Galleries>()
        .add_message::<GalleryCommand>()
        .add_systems(ExhibitReset, |mut galleries: ResMut<Galleries>| {
            *galleries = Galleries::default();
        })
        .add_systems(OnEnter(ViewerState::Exhibit), spawn_screens)
        .add_systems(
            Update,
            (
                follow_tour,
                run_commands,
                show_photos,
                focus_gallery_in_view,
                show_gallery_bar,
            )
                .chain()
                .run_if(in_state(ViewerState::Exhibit)),
        );
}

/// What the visitor, the tour or the host page asks of a gallery (by ids).
#[derive(Message, Clone, Debug, PartialEq)]
pub enum GalleryCommand {
    Show { gallery: String, photo: String },
    Next { gallery: String },
    Previous { gallery: String },
}

/// The exhibit's galleries on screen.
#[derive(Resource, Default)]
pub struct Galleries {
    pub screens: Vec<GalleryScreen>,
    /// The tour stop last followed (tour, stop, start), so a stop shows its photo once and the
    /// visitor may then page on.
    followed: Option<(String, usize, u32)>,
    /// The gallery the bar is for (its id): the one looked at, or the one last paged or shown.
    focused: Option<String>,
}

impl Galleries {
    pub fn get(&self, id: &str) -> Option<&GalleryScreen> {
        self.screens.iter().find(|s| s.gallery.id == id)
    }

    /// The gallery the bar is for: the focused one, or the first.
    pub fn focused(&self) -> Option<&GalleryScreen> {
        self.focused
            .as_deref()
            .and_then(|id| self.get(id))
            .or_else(|| self.screens.first())
    }

    /// The proportions the camera frames `gallery` for (see [`GalleryScreen::tallest`]).
    pub fn tallest(&self, gallery: &str) -> Option<f32> {
        self.get(gallery).map(|s| s.tallest)
    }
}

pub struct GalleryScreen {
    pub gallery: Gallery,
    /// The photos that loaded, in showing order: (photo id, image).
    pub photos: Vec<(String, Handle<Image>)>,
    /// Index into `photos` of the photo to show.
    pub current: usize,
    /// The photo on the screen now (its id), once its texture is set.
    pub shown: Option<String>,
    /// Height over width of the tallest photo that loaded: the camera stands back far enough
    /// for it, so paging never cuts a photo's top or bottom off.
    pub tallest: f32,
    entity: Entity,
    material: Handle<StandardMaterial>,
}

impl GalleryScreen {
    pub fn current_id(&self) -> &str {
        &self.photos[self.current].0
    }

    fn current_photo(&self) -> Option<&disan_format::Photo> {
        self.gallery.photo(self.current_id())
    }
}

/// Asks the loading plugin for each gallery's photos, each optional: one that fails is left
/// out with a notice.
pub(crate) fn request_files(
    assets: &AssetServer,
    library: &ExhibitLibrary,
    package: &disan_format::Package,
    load: &mut ExhibitLoad,
) {
    for gallery in &package.manifest.galleries {
        for photo in &gallery.photos {
            let handle: Handle<Image> = assets.load(library.asset_path(package, &photo.src));
            load.request(&photo.src, &handle, FileRole::Optional);
        }
    }
}

/// Spawns a screen for each gallery with at least one photo that loaded.
fn spawn_screens(
    library: Res<ExhibitLibrary>,
    assets: Res<AssetServer>,
    images: Res<Assets<Image>>,
    mut galleries: ResMut<Galleries>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut failures: MessageWriter<crate::policy::ContentFailure>,
    mut commands: Commands,
) {
    let Some(package) = library.current_package() else {
        return;
    };
    let m = &package.manifest;
    let galleries_alone = m.models.is_empty()
        && m.panoramas.is_empty()
        && m.pointclouds.is_empty()
        && m.videos.is_empty();
    for gallery in &package.manifest.galleries {
        let photos: Vec<(String, Handle<Image>)> = gallery
            .photos
            .iter()
            .map(|p| {
                let handle: Handle<Image> = assets.load(library.asset_path(package, &p.src));
                (p.id.clone(), handle)
            })
            // One that failed has had its notice from the loading plugin.
            .filter(|(_, h)| images.get(h).is_some())
            .collect();
        let Some((_, first)) = photos.first() else {
            warn!(
                "gallery \"{}\": none of its photos could be shown",
                gallery.id
            );
            // Nothing else to show: the error screen names it rather than an empty scene.
            if galleries_alone && m.galleries.len() == 1 {
                failures.write(crate::policy::ContentFailure {
                    file: gallery.photos.first().map(|p| p.src.to_string()).unwrap_or_default(),
                    reason: "none of the gallery's photos could be shown (see the notices above): check that they are JPEG or PNG files of at most 8192 pixels a side".into(),
                });
            }
            continue;
        };
        let material = materials.add(StandardMaterial {
            base_color_texture: Some(first.clone()),
            unlit: true,
            cull_mode: None,
            fog_enabled: false,
            ..default()
        });
        let place = &gallery.screen;
        let normal = Vec3::from(place.normal).normalize_or(Vec3::Z);
        let transform = Transform::from_translation(Vec3::from(place.centre))
            .looking_to(-normal, Vec3::Y)
            .with_scale(screen_scale(place.width, images.get(first)));
        let entity = commands
            .spawn((
                Mesh3d(meshes.add(Rectangle::new(1.0, 1.0))),
                MeshMaterial3d(material.clone()),
                transform,
                NotShadowCaster,
                ExhibitModel,
                ModelSpawned,
                GalleryScreenOf(gallery.id.clone()),
                ExhibitScoped,
            ))
            .id();
        info!(
            "gallery \"{}\": {} of {} photos",
            gallery.id,
            photos.len(),
            gallery.photos.len()
        );
        let tallest = photos
            .iter()
            .filter_map(|(_, h)| images.get(h))
            .map(|i| i.height().max(1) as f32 / i.width().max(1) as f32)
            .fold(0.0f32, f32::max);
        galleries.screens.push(GalleryScreen {
            gallery: gallery.clone(),
            photos,
            current: 0,
            shown: None,
            tallest: if tallest > 0.0 { tallest } else { 1.0 },
            entity,
            material,
        });
    }
}

/// The screen's entity, by its gallery's id.
#[derive(Component)]
pub struct GalleryScreenOf(pub String);

/// A unit rectangle scaled to `width` metres and the photo's proportions.
fn screen_scale(width: f32, image: Option<&Image>) -> Vec3 {
    let (w, h) = image.map_or((4, 3), |i| (i.width().max(1), i.height().max(1)));
    Vec3::new(width, width * h as f32 / w as f32, 1.0)
}

/// A tour stop on a photo shows it, once when the stop starts.
fn follow_tour(
    active: Res<ActiveTour>,
    library: Res<ExhibitLibrary>,
    mut galleries: ResMut<Galleries>,
    mut commands: MessageWriter<GalleryCommand>,
) {
    let Some(playing) = active.0.as_ref() else {
        galleries.followed = None;
        return;
    };
    let key = (playing.tour.clone(), playing.clock.stop, playing.starts);
    if galleries.followed.as_ref() == Some(&key) {
        return;
    }
    galleries.followed = Some(key);
    let stop = library
        .current_package()
        .and_then(|p| p.manifest.tour(&playing.tour))
        .and_then(|t| t.stops.get(playing.clock.stop));
    if let Some(StopTarget::Photo { gallery, photo }) = stop.map(|s| &s.target) {
        let photo = photo.clone().or_else(|| {
            galleries
                .get(gallery)
                .and_then(|g| g.photos.first())
                .map(|(id, _)| id.clone())
        });
        if let Some(photo) = photo {
            commands.write(GalleryCommand::Show {
                gallery: gallery.clone(),
                photo,
            });
        }
    }
}

fn run_commands(mut commands: MessageReader<GalleryCommand>, mut galleries: ResMut<Galleries>) {
    for command in commands.read() {
        let id = match command {
            GalleryCommand::Show { gallery, .. }
            | GalleryCommand::Next { gallery }
            | GalleryCommand::Previous { gallery } => gallery,
        };
        let Some(screen) = galleries.screens.iter_mut().find(|s| s.gallery.id == *id) else {
            warn!("no gallery \"{id}\" in this exhibit");
            continue;
        };
        let id = id.clone();
        let n = screen.photos.len();
        match command {
            GalleryCommand::Show { photo, .. } => {
                match screen.photos.iter().position(|(p, _)| p == photo) {
                    Some(i) => screen.current = i,
                    None => warn!("gallery \"{id}\" shows no photo \"{photo}\""),
                }
            }
            GalleryCommand::Next { .. } => screen.current = page(screen.current, n, true),
            GalleryCommand::Previous { .. } => screen.current = page(screen.current, n, false),
        }
        galleries.focused = Some(id);
    }
}

/// How far from the middle of the view a gallery's screen may be and still count as looked at.
const LOOKED_AT_DEGREES: f32 = 30.0;

/// The bar follows the gallery the visitor looks at: the screen whose centre is nearest the
/// middle of the view, within [`LOOKED_AT_DEGREES`], and facing the camera. Looking at none
/// leaves the bar on the last one. In a headset the desktop camera is off and says nothing of
/// where the head looks: the bar stays on the gallery last paged or shown.
fn focus_gallery_in_view(
    mut galleries: ResMut<Galleries>,
    camera: Query<(&Camera, &GlobalTransform), With<crate::camera::ViewerCamera>>,
) {
    let Some((view, camera)) = camera.iter().next() else {
        return;
    };
    if !view.is_active {
        return;
    }
    let (eye, forward) = (camera.translation(), camera.forward().as_vec3());
    let min_cos = LOOKED_AT_DEGREES.to_radians().cos();
    let looked_at = galleries
        .screens
        .iter()
        .filter_map(|s| {
            let to = Vec3::from(s.gallery.screen.centre) - eye;
            let direction = to.try_normalize()?;
            let faces_camera = Vec3::from(s.gallery.screen.normal).dot(direction) < 0.0;
            let cos = forward.dot(direction);
            (faces_camera && cos >= min_cos).then_some((cos, s.gallery.id.as_str()))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id.to_owned());
    if let Some(id) = looked_at
        && galleries.focused.as_ref() != Some(&id)
    {
        galleries.focused = Some(id);
    }
}

/// The photo after (or before) `current` of `n`, round the ends: a kiosk visitor paging on
/// comes back to the first.
fn page(current: usize, n: usize, forward: bool) -> usize {
    if n == 0 {
        return 0;
    }
    if forward {
        (current + 1) % n
    } else {
        (current + n - 1) % n
    }
}

/// Puts the current photo on each screen, sized to its proportions, when it changes.
fn show_photos(
    mut galleries: ResMut<Galleries>,
    images: Res<Assets<Image>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut transforms: Query<&mut Transform>,
) {
    for screen in &mut galleries.screens {
        let (id, handle) = &screen.photos[screen.current];
        if screen.shown.as_deref() == Some(id.as_str()) {
            continue;
        }
        if let Some(mut material) = materials.get_mut(&screen.material) {
            material.base_color_texture = Some(handle.clone());
        }
        if let Ok(mut t) = transforms.get_mut(screen.entity) {
            t.scale = screen_scale(screen.gallery.screen.width, images.get(handle));
        }
        screen.shown = Some(id.clone());
    }
}

/// Where the camera watches a gallery from (in front of its screen), in a view `aspect` wide
/// and `view_height` of the UI's pixels high (`None`: no bars over the view, as in a headset),
/// during a tour or not: far enough back for the gallery's tallest photo (`tallest`, height over
/// width; square when its photos are not loaded yet, as the manifest does not give their
/// proportions) to show whole between the buttons along the top and the bars at the bottom, so
/// an upright photo is neither cut to a band nor hidden behind a bar.
pub fn view_of_gallery(
    gallery: &Gallery,
    aspect: f32,
    view_height: Option<f32>,
    touring: bool,
    tallest: Option<f32>,
) -> (Vec3, Vec3) {
    // The part of the view a photo may fill, in the view's own units (-1 bottom, 1 top). The
    // bars are a fixed number of the UI's pixels: along the top, the buttons (64 px), or on a
    // phone held upright the title panel with the tools button under it (210 px); at the bottom,
    // the gallery bar over the help line (135 px), or over the tour's bar (265 px).
    let (top, bottom) = match view_height {
        None => (0.9, -0.9),
        Some(h) => {
            let top_px = if aspect < 1.0 { 210.0 } else { 64.0 };
            let bottom_px = if touring { 265.0 } else { 135.0 };
            // A view too small for both bars still keeps a band for the photo.
            let top = (1.0 - 2.0 * top_px / h).max(0.2);
            (top, (-1.0 + 2.0 * bottom_px / h).min(top - 0.4))
        }
    };
    let place = &gallery.screen;
    let centre = Vec3::from(place.centre);
    let normal = Vec3::from(place.normal).normalize_or(Vec3::Z);
    let tan_v = (crate::camera::FOV_Y_DEG.to_radians() * 0.5).tan();
    let tan_h = tan_v * aspect.max(0.1);
    let width = place.width;
    let height = width * tallest.unwrap_or(1.0).clamp(0.05, 20.0);
    let distance = (width * 1.15)
        .max(width * 0.5 / (0.92 * tan_h))
        .max(height * 0.5 / ((top - bottom) * 0.5 * tan_v));
    // Looking below the screen's centre puts the photo in the middle of the part it may fill.
    let below = Vec3::Y * (top + bottom) * 0.5 * distance * tan_v;
    (centre + normal * distance - below, centre - below)
}

/// The bar, for the gallery whose id it holds.
#[derive(Component)]
struct GalleryBar(String);

#[derive(Component)]
struct GalleryCaption;

#[derive(Component)]
struct GalleryCount;

#[derive(Component, Clone)]
enum GalleryButton {
    Previous(String),
    Next(String),
}

/// The bar of the focused gallery: caption and credit, previous, `k / n`, next; made again when
/// the visitor turns to another gallery. Above the video bar when the exhibit has videos too.
#[allow(clippy::too_many_arguments)]
fn show_gallery_bar(
    galleries: Res<Galleries>,
    (lang, offered, fonts): (Res<Language>, Res<OfferedLanguages>, Res<UiFonts>),
    bars: Query<(Entity, &GalleryBar)>,
    slots: Query<(Entity, &crate::ui::BottomSlot)>,
    mut captions: Query<&mut LocalizedLabel, (With<GalleryCaption>, Without<GalleryCount>)>,
    mut counts: Query<&mut LocalizedLabel, (With<GalleryCount>, Without<GalleryCaption>)>,
    pressed: Query<(&Interaction, &GalleryButton), Changed<Interaction>>,
    mut gallery_commands: MessageWriter<GalleryCommand>,
    mut commands: Commands,
) {
    for (interaction, b) in &pressed {
        if *interaction == Interaction::Pressed {
            gallery_commands.write(match b {
                GalleryButton::Previous(g) => GalleryCommand::Previous { gallery: g.clone() },
                GalleryButton::Next(g) => GalleryCommand::Next { gallery: g.clone() },
            });
        }
    }
    let Some(screen) = galleries.focused() else {
        return;
    };
    let photo = screen.current_photo();
    let caption = LocalizedLabel::for_languages(&offered.0, |l| {
        let Some(p) = photo else { return String::new() };
        let credit = l.pick(&p.credit);
        if credit.is_empty() {
            l.pick(&p.caption).to_owned()
        } else {
            format!("{}\n{credit}", l.pick(&p.caption))
        }
    });
    let count_text = format!("{} / {}", screen.current + 1, screen.photos.len());
    let count = LocalizedLabel::for_languages(&offered.0, |_| count_text.clone());
    let mut kept = false;
    for (bar, for_gallery) in &bars {
        if for_gallery.0 != screen.gallery.id || kept {
            commands.entity(bar).despawn();
        } else {
            kept = true;
            update_bar(&caption, &count, &mut captions, &mut counts);
        }
    }
    if kept {
        return;
    }
    let Some(slot) = crate::ui::bottom_slot(&slots, crate::ui::BottomSlot::Gallery) else {
        return;
    };
    spawn_bar(
        &screen.gallery.id,
        caption,
        count,
        slot,
        &fonts,
        *lang,
        &mut commands,
    );
}

fn update_bar(
    caption: &LocalizedLabel,
    count: &LocalizedLabel,
    captions: &mut Query<&mut LocalizedLabel, (With<GalleryCaption>, Without<GalleryCount>)>,
    counts: &mut Query<&mut LocalizedLabel, (With<GalleryCount>, Without<GalleryCaption>)>,
) {
    for mut c in captions {
        if *c != *caption {
            *c = caption.clone();
        }
    }
    for mut c in counts {
        if *c != *count {
            *c = count.clone();
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn spawn_bar(
    gallery: &str,
    caption: LocalizedLabel,
    count: LocalizedLabel,
    slot: Entity,
    fonts: &UiFonts,
    lang: Language,
    commands: &mut Commands,
) {
    let inner = crate::ui::spawn_bottom_bar(
        commands,
        slot,
        GalleryBar(gallery.to_owned()),
        Node {
            flex_direction: FlexDirection::Row,
            padding: UiRect::all(px(10)),
            column_gap: px(10),
            ..default()
        },
    );
    let id = gallery.to_owned();
    commands.spawn((
        button(
            fonts,
            lang,
            LocalizedLabel::from_text(&arrow("‹")),
            GalleryButton::Previous(id.clone()),
        ),
        ChildOf(inner),
    ));
    let middle = commands
        .spawn((
            Node {
                flex_direction: FlexDirection::Column,
                align_items: AlignItems::Center,
                flex_shrink: 1.0,
                ..default()
            },
            ChildOf(inner),
        ))
        .id();
    commands.spawn((
        label(fonts, lang, caption, TextStyle::Body),
        TextLayout::justify(Justify::Center),
        GalleryCaption,
        ChildOf(middle),
    ));
    commands.spawn((
        label(fonts, lang, count, TextStyle::Small),
        GalleryCount,
        ChildOf(middle),
    ));
    commands.spawn((
        button(
            fonts,
            lang,
            LocalizedLabel::from_text(&arrow("›")),
            GalleryButton::Next(id),
        ),
        ChildOf(inner),
    ));
}

/// A label that is the same in every language (an arrow).
fn arrow(s: &str) -> disan_format::LocalizedText {
    disan_format::LocalizedText::new()
        .with("vi", s.to_owned())
        .with("en", s.to_owned())
}

/// Logs which photo each gallery shows (for `disan shot` and the tests), and its screen.
pub fn log_galleries(galleries: &Galleries) {
    if let Some(focused) = galleries.focused() {
        info!("gallery bar: \"{}\"", focused.gallery.id);
    }
    for screen in &galleries.screens {
        info!(
            "gallery \"{}\": photo \"{}\" ({} of {}) shown",
            screen.gallery.id,
            screen.shown.as_deref().unwrap_or("none"),
            screen.current + 1,
            screen.photos.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::page;

    #[test]
    fn paging_goes_round_the_ends() {
        assert_eq!(page(0, 3, true), 1);
        assert_eq!(page(2, 3, true), 0);
        assert_eq!(page(0, 3, false), 2);
        assert_eq!(page(1, 3, false), 0);
        assert_eq!(page(0, 1, true), 0);
        assert_eq!(page(0, 0, true), 0, "no photos: nothing to page, no panic");
    }
}
