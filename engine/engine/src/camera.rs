//! Navigation: an orbit camera around the exhibit (mouse drag, wheel, touch drag and pinch,
//! arrow keys and +/-) and, for monuments, a walk mode at eye height that never sinks below
//! the ground (WASD and mouse). The rig's state is plain data with pure functions, so the
//! behaviour is tested without a window.

use std::f32::consts::FRAC_PI_2;

use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::input::touch::Touches;
use bevy::prelude::*;

use crate::ViewerState;
use crate::framing::{ExhibitFramed, home_view};
use crate::library::ExhibitLibrary;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<CameraRig>()
        .init_resource::<Fade>()
        .add_message::<CameraCommand>()
        .add_systems(Startup, (spawn_camera, spawn_fade_veil))
        .add_systems(Update, clear_fade)
        .add_systems(
            Update,
            (
                go_home_when_framed,
                apply_commands,
                (orbit_input, walk_input),
                move_camera,
            )
                .chain()
                .run_if(in_state(ViewerState::Exhibit)),
        );
}

/// The camera that shows the exhibit.
#[derive(Component)]
pub struct ViewerCamera;

pub const FOV_Y_DEG: f32 = 45.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NavMode {
    Orbit,
    Walk,
}

/// An orbit pose: the camera looks at `target` from `distance`, turned by `yaw` about +Y
/// (0 = from the front, +Z) and raised by `pitch`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Orbit {
    pub target: Vec3,
    pub yaw: f32,
    pub pitch: f32,
    pub distance: f32,
}

impl Orbit {
    pub const MAX_PITCH: f32 = 1.45;
    pub const MIN_PITCH: f32 = -0.35;

    pub fn from_eye(eye: Vec3, target: Vec3) -> Self {
        let d = eye - target;
        let distance = d.length().max(1e-3);
        Self {
            target,
            yaw: d.x.atan2(d.z),
            pitch: (d.y / distance).clamp(-1.0, 1.0).asin(),
            distance,
        }
    }
    pub fn eye(&self) -> Vec3 {
        let (sy, cy) = self.yaw.sin_cos();
        let (sp, cp) = self.pitch.sin_cos();
        self.target + Vec3::new(cp * sy, sp, cp * cy) * self.distance
    }
    /// Standing at `eye` and looking towards `target`, turning about the eye itself: how a
    /// visitor looks round a 360° panorama (the eye stays at its centre whichever way it turns).
    pub fn looking_from(eye: Vec3, target: Vec3) -> Self {
        let d = (target - eye).normalize_or(Vec3::NEG_Z);
        let mut o = Self::from_eye(eye - d * LOOK_AROUND_DISTANCE, eye);
        o.distance = LOOK_AROUND_DISTANCE;
        o
    }
    /// Turns the look round a panorama: up and down as far as the zenith and the nadir, nearly.
    pub fn turn_looking(&mut self, d_yaw: f32, d_pitch: f32) {
        self.yaw += d_yaw;
        self.pitch = (self.pitch + d_pitch).clamp(-Self::MAX_PITCH, Self::MAX_PITCH);
    }
    pub fn rotate(&mut self, d_yaw: f32, d_pitch: f32) {
        self.yaw += d_yaw;
        self.pitch = (self.pitch + d_pitch).clamp(Self::MIN_PITCH, Self::MAX_PITCH);
    }
    /// Zooms by `factor` (< 1 comes closer), kept between the rig's limits.
    pub fn zoom(&mut self, factor: f32, limits: (f32, f32)) {
        self.distance = (self.distance * factor).clamp(limits.0, limits.1);
    }
}

/// How far the eye stands from the centre it turns about when looking round a panorama: none
/// that a visitor could see, but enough for the orbit to keep its direction.
pub const LOOK_AROUND_DISTANCE: f32 = 0.01;

/// The field of view a visitor can zoom between in a panorama (degrees, vertical): from a
/// detail of a carving to the wide view a 360° camera's viewers open with.
pub const LOOK_AROUND_FOV: (f32, f32) = (20.0, 100.0);

/// A first-person pose for walking through a monument.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Walk {
    pub position: Vec3,
    pub yaw: f32,
    pub pitch: f32,
}

impl Walk {
    pub fn forward(&self) -> Vec3 {
        // yaw 0 looks towards -Z (into the monument from its front).
        Vec3::new(-self.yaw.sin(), 0.0, -self.yaw.cos())
    }
    pub fn look_direction(&self) -> Vec3 {
        let (sp, cp) = self.pitch.sin_cos();
        let f = self.forward();
        Vec3::new(f.x * cp, sp, f.z * cp)
    }
    /// Moves by `local` (x right, z forward) metres, then keeps the eye at `eye_height` above
    /// `ground` and inside `area` (so a visitor cannot walk off into the void).
    pub fn step(&mut self, local: Vec2, ground: f32, eye_height: f32, area: (Vec3, Vec3)) {
        let f = self.forward();
        let right = Vec3::new(-f.z, 0.0, f.x);
        self.position += f * local.y + right * local.x;
        self.position.x = self.position.x.clamp(area.0.x, area.1.x);
        self.position.z = self.position.z.clamp(area.0.z, area.1.z);
        self.position.y = ground + eye_height;
    }
}

/// The camera's state: mode, current pose, and where it is heading (poses are eased).
#[derive(Resource, Debug, Clone)]
pub struct CameraRig {
    pub mode: NavMode,
    pub orbit: Orbit,
    pub orbit_goal: Orbit,
    pub walk: Walk,
    pub home: Orbit,
    pub zoom_limits: (f32, f32),
    /// Ground area for walking (min, max corners).
    pub walk_area: (Vec3, Vec3),
    pub fov_y: f32,
    /// Jump straight to the goal (shots, reduced motion) instead of easing.
    pub snap: bool,
    /// The exhibit's box: a camera flying to a view outside it goes around it, not through.
    pub obstacle: Option<(Vec3, Vec3)>,
    /// A flight to a requested view is under way (the visitor's own zooming may go inside).
    pub in_flight: bool,
    /// Looking round from the centre of a 360° panorama instead of orbiting an object: drags
    /// turn the view, zooming narrows the field of view, and a view elsewhere is cut to.
    pub look_around: bool,
}

impl Default for CameraRig {
    fn default() -> Self {
        let home = Orbit {
            target: Vec3::ZERO,
            yaw: 0.4,
            pitch: 0.35,
            distance: 5.0,
        };
        Self {
            mode: NavMode::Orbit,
            orbit: home,
            orbit_goal: home,
            walk: Walk {
                position: Vec3::new(0.0, 1.6, 5.0),
                yaw: 0.0,
                pitch: 0.0,
            },
            home,
            zoom_limits: (0.2, 100.0),
            walk_area: (Vec3::splat(-50.0), Vec3::splat(50.0)),
            fov_y: FOV_Y_DEG.to_radians(),
            snap: false,
            obstacle: None,
            in_flight: false,
            look_around: false,
        }
    }
}

impl CameraRig {
    pub fn camera_transform(&self) -> Transform {
        match self.mode {
            NavMode::Orbit => {
                Transform::from_translation(self.orbit.eye()).looking_at(self.orbit.target, Vec3::Y)
            }
            NavMode::Walk => Transform::from_translation(self.walk.position)
                .looking_to(self.walk.look_direction(), Vec3::Y),
        }
    }
    /// Eases the current orbit towards its goal; `dt` in seconds.
    pub fn ease(&mut self, dt: f32) {
        if self.snap {
            self.orbit = self.orbit_goal;
            return;
        }
        let k = 1.0 - (-dt * 10.0).exp();
        let g = self.orbit_goal;
        let o = &mut self.orbit;
        o.target = o.target.lerp(g.target, k);
        // Turn the short way round.
        let dy = (g.yaw - o.yaw + std::f32::consts::PI).rem_euclid(std::f32::consts::TAU)
            - std::f32::consts::PI;
        o.yaw += dy * k;
        o.pitch += (g.pitch - o.pitch) * k;
        o.distance += (g.distance - o.distance) * k;
        if self.in_flight
            && let Some((min, max)) = self.obstacle
        {
            let inside = |p: Vec3| p.cmpgt(min).all() && p.cmplt(max).all();
            if inside(self.orbit.eye()) && !inside(g.eye()) {
                // Back out along the line of sight until the eye leaves the box.
                let dir = (self.orbit.eye() - self.orbit.target).normalize_or(Vec3::Z);
                if let Some(exit) = ray_box_exit(self.orbit.target, dir, min, max) {
                    self.orbit.distance = self.orbit.distance.max(exit * 1.02);
                }
            }
            if self.orbit.eye().distance(g.eye()) < 0.01 * g.distance.max(0.1) {
                self.in_flight = false;
            }
        }
    }
}

/// How far along `dir` (unit) a ray from `origin` leaves the box, if it starts inside or enters it.
pub fn ray_box_exit(origin: Vec3, dir: Vec3, min: Vec3, max: Vec3) -> Option<f32> {
    let mut t_exit = f32::INFINITY;
    for axis in 0..3 {
        let (o, d) = (origin[axis], dir[axis]);
        if d.abs() < 1e-9 {
            if o < min[axis] || o > max[axis] {
                return None;
            }
            continue;
        }
        let (t1, t2) = ((min[axis] - o) / d, (max[axis] - o) / d);
        t_exit = t_exit.min(t1.max(t2));
    }
    (t_exit.is_finite() && t_exit > 0.0).then_some(t_exit)
}

/// Requests from the UI, tours or shots.
#[derive(Message, Debug, Clone, Copy, PartialEq)]
pub enum CameraCommand {
    Home,
    LookFrom {
        eye: Vec3,
        target: Vec3,
    },
    /// Jump there at once (reduced motion), behind a short fade.
    CutTo {
        eye: Vec3,
        target: Vec3,
    },
    SetMode(NavMode),
    ToggleWalk,
}

/// The view levels of detail are chosen for: of the active cameras, the one that gives a thing
/// the most pixels. On a screen that is the viewer's camera; in a headset the desktop camera is
/// off and the eyes (with their larger pictures) are chosen, so what is near the visitor's head,
/// not the idle desktop camera, decides how sharp it is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SharpestView {
    pub camera: Entity,
    pub transform: GlobalTransform,
    /// Screen pixels per radian at the middle of the view (height / (2·tan(fov_y / 2)) for a
    /// perspective camera; any projection through its matrix).
    pub px_per_rad: f32,
    /// The view's size in logical pixels.
    pub viewport: Vec2,
}

/// See [`SharpestView`]. A camera whose projection is not computed yet is passed over.
pub fn sharpest_view<'a>(
    cameras: impl IntoIterator<Item = (Entity, &'a Camera, &'a GlobalTransform)>,
) -> Option<SharpestView> {
    let mut best: Option<SharpestView> = None;
    for (entity, camera, transform) in cameras {
        if !camera.is_active {
            continue;
        }
        let viewport = camera
            .logical_viewport_size()
            .unwrap_or(Vec2::new(1280.0, 720.0));
        let Some(px_per_rad) = pixels_per_radian(camera.clip_from_view(), viewport.y) else {
            continue;
        };
        if best.is_none_or(|b| px_per_rad > b.px_per_rad) {
            best = Some(SharpestView {
                camera: entity,
                transform: *transform,
                px_per_rad,
                viewport,
            });
        }
    }
    best
}

/// Pixels per radian at the middle of a perspective view `height` pixels tall; `None` for a
/// projection that is not a perspective one (an orthographic UI or 2D camera: its pixels are
/// not spread over angles, and its y scale says nothing of them) or not computed yet.
fn pixels_per_radian(clip_from_view: Mat4, height: f32) -> Option<f32> {
    // A perspective projection puts the view's depth in clip w (its z column has w = ±1, its w
    // column w = 0); an orthographic one keeps w = 1.
    if clip_from_view.z_axis.w == 0.0 || clip_from_view.w_axis.w != 0.0 {
        return None;
    }
    // clip_from_view's y scale is 1 / tan(fov_y / 2) for a perspective (and an OpenXR eye's
    // asymmetric) projection.
    let px_per_rad = height.max(1.0) * clip_from_view.y_axis.y / 2.0;
    (px_per_rad.is_finite() && px_per_rad > 0.0).then_some(px_per_rad)
}

/// Render layers for what only one eye sees (the halves of a top-bottom stereo 360° video);
/// everything else is on layer 0, which every camera sees.
pub const LEFT_EYE_LAYER: usize = 1;
pub const RIGHT_EYE_LAYER: usize = 2;

/// What a camera sees: everything, plus the left eye's picture (eye 0: OpenXR's first view, and
/// a flat screen's camera) or the right eye's (eye 1).
pub fn eye_layers(eye: u32) -> bevy::camera::visibility::RenderLayers {
    let own = if eye == 1 {
        RIGHT_EYE_LAYER
    } else {
        LEFT_EYE_LAYER
    };
    bevy::camera::visibility::RenderLayers::from_layers(&[0, own])
}

fn spawn_camera(
    mut commands: Commands,
    rig: Res<CameraRig>,
    adapter: Option<Res<bevy::render::renderer::RenderAdapterInfo>>,
) {
    let device = adapter.as_deref().map(|a| a.device_type);
    if device == Some(wgpu_types::DeviceType::Cpu) {
        info!(
            "software renderer ({}): drawing without MSAA",
            adapter.as_deref().map_or("?", |a| a.name.as_str())
        );
    }
    commands.spawn((
        Camera3d::default(),
        Projection::Perspective(PerspectiveProjection {
            fov: rig.fov_y,
            near: 0.05,
            ..default()
        }),
        rig.camera_transform(),
        ViewerCamera,
        MeshPickingCamera,
        msaa_for(device),
        eye_layers(0),
    ));
}

/// 4× MSAA where there is a GPU. A software renderer (a school PC or kiosk without a working GPU
/// driver, where Mesa's lavapipe draws on the CPU) pays for every sample on the CPU: one frame
/// at 1280×720 took about 700 ms with 4× MSAA there, so it draws without.
pub fn msaa_for(device: Option<wgpu_types::DeviceType>) -> Msaa {
    match device {
        Some(wgpu_types::DeviceType::Cpu) => Msaa::Off,
        _ => Msaa::Sample4,
    }
}

/// The first window's width over its height (16:9 without one).
/// The window's height in the UI's own pixels (logical pixels over the UI scale, which grows on
/// large screens), if there is a window: what bars of a fixed size take a share of.
pub fn window_height_in_ui(windows: &Query<&Window>, ui_scale: &UiScale) -> Option<f32> {
    windows
        .iter()
        .next()
        .map(|w| w.height().max(1.0) / ui_scale.0.max(0.1))
}

pub fn window_aspect(windows: &Query<&Window>) -> f32 {
    windows
        .iter()
        .next()
        .map_or(16.0 / 9.0, |w| w.width() / w.height().max(1.0))
}

fn go_home_when_framed(
    mut framed: MessageReader<ExhibitFramed>,
    mut rig: ResMut<CameraRig>,
    library: Res<ExhibitLibrary>,
    windows: Query<&Window>,
) {
    let Some(ExhibitFramed(bounds)) = framed.read().last().copied() else {
        return;
    };
    let aspect = windows
        .iter()
        .next()
        .map_or(16.0 / 9.0, |w| w.width() / w.height().max(1.0));
    // A panorama exhibit starts in its first scene, looking at the photograph's centre.
    let first_scene = library
        .current_package()
        .and_then(|p| p.manifest.panoramas.first().cloned());
    rig.look_around = first_scene.is_some();
    if let Some(scene) = first_scene {
        let home = Orbit::looking_from(
            Vec3::from(scene.position),
            Vec3::from(scene.marker_at(0.0, 0.0)),
        );
        rig.home = home;
        rig.orbit_goal = home;
        rig.orbit = home;
        rig.obstacle = None;
        rig.mode = NavMode::Orbit;
        rig.fov_y = FOV_Y_DEG.to_radians().max(LOOK_AROUND_FOV.0.to_radians());
        return;
    }
    let (eye, target) = home_view(bounds, rig.fov_y, aspect);
    let home = Orbit::from_eye(eye, target);
    let r = bounds.radius();
    rig.home = home;
    rig.orbit_goal = home;
    rig.orbit = home;
    rig.zoom_limits = (r * 0.15, r * 6.0);
    rig.obstacle = Some((bounds.min, bounds.max));
    rig.mode = NavMode::Orbit;
    let margin = Vec3::splat(r * 0.5);
    rig.walk_area = (bounds.min - margin, bounds.max + margin);
    let nav = library
        .current_package()
        .map(|p| p.manifest.navigation.clone());
    let (ground, eye_height) = nav.map_or((bounds.min.y, 1.6), |n| (n.ground, n.eye_height));
    // Walking starts in front of the monument, looking at it.
    rig.walk = Walk {
        position: Vec3::new(
            bounds.center().x,
            ground + eye_height,
            bounds.max.z + r * 0.35,
        ),
        yaw: 0.0,
        pitch: 0.0,
    };
}

/// Opacity of the black veil over the view (1 = black), fading out after a cut.
#[derive(Resource, Default)]
pub struct Fade(pub f32);

#[derive(Component)]
struct FadeVeil;

/// How long the veil takes to clear after a cut.
const FADE_SECONDS: f32 = 0.35;

fn spawn_fade_veil(mut commands: Commands) {
    commands.spawn((
        Node {
            position_type: PositionType::Absolute,
            width: percent(100),
            height: percent(100),
            ..default()
        },
        BackgroundColor(Color::BLACK.with_alpha(0.0)),
        GlobalZIndex(i32::MAX),
        bevy::picking::Pickable::IGNORE,
        FadeVeil,
    ));
}

fn clear_fade(
    mut fade: ResMut<Fade>,
    time: Res<Time>,
    mut veil: Query<&mut BackgroundColor, With<FadeVeil>>,
) {
    if fade.0 <= 0.0 && !fade.is_changed() {
        return;
    }
    fade.0 = (fade.0 - time.delta_secs() / FADE_SECONDS).max(0.0);
    for mut bg in &mut veil {
        bg.0 = Color::BLACK.with_alpha(fade.0);
    }
}

fn apply_commands(
    mut commands: MessageReader<CameraCommand>,
    mut rig: ResMut<CameraRig>,
    library: Res<ExhibitLibrary>,
    mut fade: ResMut<Fade>,
) {
    let walk_allowed = library
        .current_package()
        .is_some_and(|p| p.manifest.navigation.walk)
        && !rig.look_around;
    for command in commands.read() {
        if rig.look_around {
            look_around_command(&mut rig, &mut fade, command);
            continue;
        }
        match *command {
            CameraCommand::Home => {
                rig.mode = NavMode::Orbit;
                rig.orbit_goal = rig.home;
            }
            CameraCommand::LookFrom { eye, target } => {
                rig.mode = NavMode::Orbit;
                rig.orbit_goal = Orbit::from_eye(eye, target);
                rig.in_flight = true;
            }
            CameraCommand::CutTo { eye, target } => {
                rig.mode = NavMode::Orbit;
                rig.orbit_goal = Orbit::from_eye(eye, target);
                rig.orbit = rig.orbit_goal;
                fade.0 = 1.0;
            }
            CameraCommand::SetMode(NavMode::Walk) | CameraCommand::ToggleWalk
                if rig.mode == NavMode::Orbit && walk_allowed =>
            {
                rig.mode = NavMode::Walk;
            }
            CameraCommand::SetMode(NavMode::Orbit) | CameraCommand::ToggleWalk => {
                rig.mode = NavMode::Orbit
            }
            CameraCommand::SetMode(NavMode::Walk) => {}
        }
    }
}

/// A request while looking round panoramas: a view from the scene on screen turns there; a view
/// from another scene (another place) is cut to behind the veil, as a step through a doorway,
/// never glided to through the photographs.
fn look_around_command(rig: &mut CameraRig, fade: &mut Fade, command: &CameraCommand) {
    let goal = match *command {
        CameraCommand::Home => rig.home,
        CameraCommand::LookFrom { eye, target } | CameraCommand::CutTo { eye, target } => {
            Orbit::looking_from(eye, target)
        }
        CameraCommand::SetMode(_) | CameraCommand::ToggleWalk => return,
    };
    rig.mode = NavMode::Orbit;
    rig.orbit_goal = goal;
    let elsewhere = goal.target.distance(rig.orbit.target) > 0.5;
    if elsewhere || matches!(command, CameraCommand::CutTo { .. }) {
        rig.orbit = goal;
        // A shot (snap) wants the picture, not the veil.
        if !rig.snap {
            fade.0 = 1.0;
        }
    }
}

/// -1, 0 or 1 from a pair of keys held down (e.g. left/right arrows).
fn key_axis(keys: &ButtonInput<KeyCode>, negative: KeyCode, positive: KeyCode) -> f32 {
    f32::from(u8::from(keys.pressed(positive))) - f32::from(u8::from(keys.pressed(negative)))
}

/// Is the pointer over a UI element (so drags and wheel belong to it, not to the camera)?
pub(crate) fn pointer_over_ui(interactions: &Query<&Interaction>) -> bool {
    interactions.iter().any(|i| *i != Interaction::None)
}

#[allow(clippy::too_many_arguments)]
fn orbit_input(
    mut rig: ResMut<CameraRig>,
    keys: Res<ButtonInput<KeyCode>>,
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    touches: Res<Touches>,
    interactions: Query<&Interaction>,
    time: Res<Time>,
    mut commands: MessageWriter<CameraCommand>,
    reader: Option<Res<crate::scans::Reader>>,
) {
    // The scan reader covers the view and takes the keys, the wheel and the fingers.
    if reader.is_some_and(|r| r.open.is_some()) {
        return;
    }
    if keys.just_pressed(KeyCode::KeyV) {
        commands.write(CameraCommand::ToggleWalk);
    }
    if keys.just_pressed(KeyCode::KeyH) || keys.just_pressed(KeyCode::Home) {
        commands.write(CameraCommand::Home);
    }
    if rig.mode != NavMode::Orbit {
        return;
    }
    let dt = time.delta_secs();
    let limits = rig.zoom_limits;
    // Any input of the visitor's own ends an automatic flight.
    if buttons.get_pressed().next().is_some()
        || scroll.delta.y != 0.0
        || touches.iter().next().is_some()
    {
        rig.in_flight = false;
    }
    if rig.look_around {
        look_around_input(
            &mut rig,
            &keys,
            &buttons,
            &motion,
            &scroll,
            &touches,
            &interactions,
            dt,
        );
        return;
    }
    let goal = &mut rig.orbit_goal;
    let over_ui = pointer_over_ui(&interactions);
    if buttons.pressed(MouseButton::Left) && !over_ui {
        goal.rotate(-motion.delta.x * 0.006, motion.delta.y * 0.006);
    }
    if buttons.pressed(MouseButton::Right) || buttons.pressed(MouseButton::Middle) {
        // Pan in the view plane, scaled so the point under the cursor follows it.
        let right = Vec3::new(goal.yaw.cos(), 0.0, -goal.yaw.sin());
        let s = goal.distance * 0.0015;
        goal.target += (-right * motion.delta.x + Vec3::Y * motion.delta.y) * s;
    }
    if !over_ui && scroll.delta.y != 0.0 {
        let lines = match scroll.unit {
            MouseScrollUnit::Line => scroll.delta.y,
            MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
        };
        goal.zoom(0.88f32.powf(lines), limits);
    }
    // Touch: one finger turns, two fingers pinch to zoom.
    let active: Vec<_> = touches.iter().collect();
    match active.as_slice() {
        [t] => {
            let d = t.delta();
            goal.rotate(-d.x * 0.006, d.y * 0.006);
        }
        [a, b, ..] => {
            let before = a.previous_position().distance(b.previous_position());
            let now = a.position().distance(b.position());
            if before > 1.0 && now > 1.0 {
                goal.zoom(before / now, limits);
            }
        }
        [] => {}
    }
    let turn = 1.6 * dt;
    let axis = |neg, pos| key_axis(&keys, neg, pos);
    goal.rotate(
        -axis(KeyCode::ArrowLeft, KeyCode::ArrowRight) * turn,
        axis(KeyCode::ArrowDown, KeyCode::ArrowUp) * turn,
    );
    let zoom_in = keys.pressed(KeyCode::Equal) || keys.pressed(KeyCode::NumpadAdd);
    let zoom_out = keys.pressed(KeyCode::Minus) || keys.pressed(KeyCode::NumpadSubtract);
    if zoom_in != zoom_out {
        goal.zoom(
            if zoom_in {
                1.0 - 1.5 * dt
            } else {
                1.0 + 1.5 * dt
            },
            limits,
        );
    }
}

/// Looking round a panorama: the picture follows the finger or the mouse (a drag across the
/// view's height turns by the field of view), the wheel, a pinch and + – narrow or widen the
/// field of view, the arrow keys turn.
#[allow(clippy::too_many_arguments)]
fn look_around_input(
    rig: &mut CameraRig,
    keys: &ButtonInput<KeyCode>,
    buttons: &ButtonInput<MouseButton>,
    motion: &AccumulatedMouseMotion,
    scroll: &AccumulatedMouseScroll,
    touches: &Touches,
    interactions: &Query<&Interaction>,
    dt: f32,
) {
    // Radians per pixel of drag, for a view about 720 pixels high: the picture stays under the
    // finger near the middle of the view.
    let per_px = rig.fov_y / 720.0;
    let over_ui = pointer_over_ui(interactions);
    let mut drag = Vec2::ZERO;
    if buttons.pressed(MouseButton::Left) && !over_ui {
        drag += motion.delta;
    }
    let mut zoom = 1.0f32;
    let active: Vec<_> = touches.iter().collect();
    match active.as_slice() {
        [t] => drag += t.delta(),
        [a, b, ..] => {
            let before = a.previous_position().distance(b.previous_position());
            let now = a.position().distance(b.position());
            if before > 1.0 && now > 1.0 {
                zoom *= before / now;
            }
        }
        [] => {}
    }
    if !over_ui && scroll.delta.y != 0.0 {
        let lines = match scroll.unit {
            MouseScrollUnit::Line => scroll.delta.y,
            MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
        };
        zoom *= 0.9f32.powf(lines);
    }
    let axis = |neg, pos| key_axis(keys, neg, pos);
    let turn = 1.2 * dt;
    let zoom_in = keys.pressed(KeyCode::Equal) || keys.pressed(KeyCode::NumpadAdd);
    let zoom_out = keys.pressed(KeyCode::Minus) || keys.pressed(KeyCode::NumpadSubtract);
    if zoom_in != zoom_out {
        zoom *= if zoom_in {
            1.0 - 1.5 * dt
        } else {
            1.0 + 1.5 * dt
        };
    }
    let goal = &mut rig.orbit_goal;
    goal.turn_looking(
        drag.x * per_px - axis(KeyCode::ArrowLeft, KeyCode::ArrowRight) * turn,
        -drag.y * per_px - axis(KeyCode::ArrowDown, KeyCode::ArrowUp) * turn,
    );
    let (min, max) = LOOK_AROUND_FOV;
    rig.fov_y = (rig.fov_y * zoom).clamp(min.to_radians(), max.to_radians());
}

fn walk_input(
    mut rig: ResMut<CameraRig>,
    keys: Res<ButtonInput<KeyCode>>,
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    touches: Res<Touches>,
    interactions: Query<&Interaction>,
    library: Res<ExhibitLibrary>,
    time: Res<Time>,
    reader: Option<Res<crate::scans::Reader>>,
) {
    if rig.mode != NavMode::Walk || reader.is_some_and(|r| r.open.is_some()) {
        return;
    }
    let nav = library
        .current_package()
        .map(|p| p.manifest.navigation.clone());
    let (ground, eye_height) = nav.map_or((0.0, 1.6), |n| (n.ground, n.eye_height));
    let dt = time.delta_secs();
    let over_ui = pointer_over_ui(&interactions);
    let mut look = Vec2::ZERO;
    if buttons.pressed(MouseButton::Left) && !over_ui {
        look += motion.delta * 0.004;
    }
    if let Some(t) = touches.iter().next() {
        look += t.delta() * 0.004;
    }
    let axis = |neg, pos| key_axis(&keys, neg, pos);
    look.x += axis(KeyCode::ArrowLeft, KeyCode::ArrowRight) * 1.5 * dt;
    let area = rig.walk_area;
    let walk = &mut rig.walk;
    walk.yaw -= look.x;
    walk.pitch = (walk.pitch - look.y).clamp(-1.2, 1.2);
    let speed = if keys.pressed(KeyCode::ShiftLeft) {
        3.2
    } else {
        1.4
    };
    let forward = axis(KeyCode::KeyS, KeyCode::KeyW) + axis(KeyCode::ArrowDown, KeyCode::ArrowUp);
    let strafe = axis(KeyCode::KeyA, KeyCode::KeyD);
    let local = Vec2::new(strafe, forward.clamp(-1.0, 1.0)).clamp_length_max(1.0) * speed * dt;
    walk.step(local, ground, eye_height, area);
}

fn move_camera(
    mut rig: ResMut<CameraRig>,
    time: Res<Time>,
    mut camera: Query<&mut Transform, With<ViewerCamera>>,
    mut projections: Query<&mut Projection, With<ViewerCamera>>,
) {
    rig.ease(time.delta_secs());
    rig.orbit.pitch = rig.orbit.pitch.clamp(-FRAC_PI_2, FRAC_PI_2);
    let t = rig.camera_transform();
    for mut transform in &mut camera {
        *transform = t;
    }
    for mut projection in &mut projections {
        if let Projection::Perspective(p) = projection.as_mut()
            && p.fov != rig.fov_y
        {
            p.fov = rig.fov_y;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_renderers_draw_without_msaa() {
        use wgpu_types::DeviceType;
        assert_eq!(msaa_for(Some(DeviceType::Cpu)), Msaa::Off);
        assert_eq!(msaa_for(Some(DeviceType::DiscreteGpu)), Msaa::Sample4);
        assert_eq!(msaa_for(Some(DeviceType::IntegratedGpu)), Msaa::Sample4);
        assert_eq!(msaa_for(None), Msaa::Sample4);
    }

    #[test]
    fn pixels_per_radian_come_from_a_perspective_projection_only() {
        // 60° tall on 1080 pixels: 1 / tan(30°) · 540 ≈ 935 px per radian at the middle.
        let perspective =
            Mat4::perspective_infinite_reverse_rh(60f32.to_radians(), 16.0 / 9.0, 0.1);
        let px = pixels_per_radian(perspective, 1080.0).expect("a perspective projection");
        assert!((px - 540.0 / 30f32.to_radians().tan()).abs() < 0.01, "{px}");
        // A narrower view gives a thing more pixels.
        let narrow = Mat4::perspective_infinite_reverse_rh(30f32.to_radians(), 16.0 / 9.0, 0.1);
        assert!(pixels_per_radian(narrow, 1080.0).unwrap() > px);
        // An orthographic UI camera, however its scale comes out, is not a view of angles.
        let ortho = Mat4::orthographic_rh(-960.0, 960.0, -540.0, 540.0, 0.0, 1000.0);
        assert_eq!(pixels_per_radian(ortho, 1080.0), None);
        let ortho_zoomed = Mat4::orthographic_rh(-0.01, 0.01, -0.01, 0.01, 0.0, 1000.0);
        assert_eq!(pixels_per_radian(ortho_zoomed, 1080.0), None);
        assert_eq!(
            pixels_per_radian(Mat4::ZERO, 1080.0),
            None,
            "not computed yet"
        );
    }

    #[test]
    fn orbit_round_trips_through_eye_position() {
        let eye = Vec3::new(3.0, 2.0, 4.0);
        let target = Vec3::new(0.0, 1.0, 0.0);
        let o = Orbit::from_eye(eye, target);
        assert!(o.eye().distance(eye) < 1e-4);
    }

    #[test]
    fn orbit_pitch_and_zoom_stay_in_limits() {
        let mut o = Orbit {
            target: Vec3::ZERO,
            yaw: 0.0,
            pitch: 0.0,
            distance: 5.0,
        };
        o.rotate(0.0, 10.0);
        assert_eq!(o.pitch, Orbit::MAX_PITCH, "cannot flip over the top");
        o.rotate(0.0, -10.0);
        assert_eq!(
            o.pitch,
            Orbit::MIN_PITCH,
            "cannot look far up from under the ground"
        );
        o.zoom(0.0001, (1.0, 20.0));
        assert_eq!(o.distance, 1.0);
        o.zoom(1e6, (1.0, 20.0));
        assert_eq!(o.distance, 20.0);
    }

    #[test]
    fn walking_keeps_eye_height_and_area() {
        let mut w = Walk {
            position: Vec3::new(0.0, 5.0, 0.0),
            yaw: 0.0,
            pitch: 0.3,
        };
        w.step(
            Vec2::new(0.0, 1.0),
            0.2,
            1.6,
            (Vec3::splat(-10.0), Vec3::splat(10.0)),
        );
        assert!(
            (w.position.y - 1.8).abs() < 1e-6,
            "eye at ground + eye height, whatever the pitch"
        );
        assert!((w.position.z + 1.0).abs() < 1e-6, "yaw 0 walks towards -Z");
        w.step(
            Vec2::new(100.0, 0.0),
            0.2,
            1.6,
            (Vec3::splat(-10.0), Vec3::splat(10.0)),
        );
        assert_eq!(w.position.x, 10.0, "stays inside the walkable area");
    }

    #[test]
    fn a_flight_between_outside_views_never_enters_the_exhibit() {
        // The đình's box, and a flight from a close view of the back wall to a close view of
        // the front steps: eased naïvely, the eye cuts through the hall on the way.
        let (min, max) = (Vec3::new(-13.0, 0.0, -8.0), Vec3::new(13.0, 8.9, 15.0));
        let from = Orbit::from_eye(Vec3::new(0.0, 4.0, -12.0), Vec3::new(0.0, 4.0, -7.5));
        let to = Orbit::from_eye(Vec3::new(0.0, 4.0, 19.0), Vec3::new(0.0, 4.0, 14.5));
        let inside = |p: Vec3| p.cmpgt(min).all() && p.cmplt(max).all();
        let fly = |obstacle| {
            let mut rig = CameraRig {
                orbit: from,
                orbit_goal: to,
                obstacle,
                in_flight: true,
                ..CameraRig::default()
            };
            (0..300).any(|_| {
                rig.ease(1.0 / 60.0);
                inside(rig.orbit.eye())
            })
        };
        assert!(
            fly(None),
            "without the box the flight does pass inside (the test can tell)"
        );
        assert!(
            !fly(Some((min, max))),
            "with the box the camera goes around"
        );
    }

    #[test]
    fn looking_round_a_panorama_keeps_the_eye_at_its_centre() {
        let centre = Vec3::new(0.0, 1.6, -5.0);
        let mut rig = CameraRig {
            look_around: true,
            mode: NavMode::Orbit,
            orbit: Orbit::looking_from(centre, centre + Vec3::X),
            ..CameraRig::default()
        };
        rig.orbit_goal = rig.orbit;
        let t = rig.camera_transform();
        assert!(t.translation.distance(centre) < 0.02);
        assert!(t.forward().dot(Vec3::X) > 0.999, "looks where asked");
        // Looking nearly straight up and down is allowed in a panorama.
        rig.orbit.turn_looking(0.0, -10.0);
        assert!(rig.camera_transform().forward().y > 0.99);
        rig.orbit.turn_looking(0.0, 20.0);
        assert!(rig.camera_transform().forward().y < -0.99);
        assert!(rig.camera_transform().translation.distance(centre) < 0.02);

        // A view from the same scene turns there; one from another scene is cut to.
        let mut fade = Fade(0.0);
        rig.orbit = Orbit::looking_from(centre, centre + Vec3::X);
        let turn = CameraCommand::LookFrom {
            eye: centre,
            target: centre - Vec3::Z,
        };
        look_around_command(&mut rig, &mut fade, &turn);
        assert!(rig.orbit != rig.orbit_goal, "eased, not jumped");
        assert_eq!(fade.0, 0.0);
        let elsewhere = CameraCommand::LookFrom {
            eye: Vec3::new(0.0, 1.6, -10.0),
            target: Vec3::new(0.0, 1.6, -11.0),
        };
        look_around_command(&mut rig, &mut fade, &elsewhere);
        assert_eq!(rig.orbit, rig.orbit_goal, "cut to the other scene");
        assert_eq!(fade.0, 1.0, "behind the veil");
        assert!(
            rig.camera_transform()
                .translation
                .distance(Vec3::new(0.0, 1.6, -10.0))
                < 0.02
        );
        // Walking is not for panoramas.
        look_around_command(&mut rig, &mut fade, &CameraCommand::ToggleWalk);
        assert_eq!(rig.mode, NavMode::Orbit);
    }

    #[test]
    fn ray_box_exit_distances() {
        let (min, max) = (Vec3::splat(-1.0), Vec3::splat(1.0));
        assert_eq!(ray_box_exit(Vec3::ZERO, Vec3::X, min, max), Some(1.0));
        assert_eq!(
            ray_box_exit(Vec3::new(0.5, 0.0, 0.0), -Vec3::X, min, max),
            Some(1.5)
        );
        assert_eq!(
            ray_box_exit(Vec3::new(5.0, 0.0, 0.0), Vec3::X, min, max),
            None
        );
    }

    #[test]
    fn easing_converges_the_short_way_round() {
        let mut rig = CameraRig::default();
        rig.orbit.yaw = 3.0;
        rig.orbit_goal.yaw = -3.0; // 0.28 rad away across ±π, not 6 rad
        rig.ease(0.016);
        assert!(
            rig.orbit.yaw > 3.0,
            "turns through π rather than back through 0"
        );
        for _ in 0..200 {
            rig.ease(0.016);
        }
        let diff = (rig.orbit.yaw - rig.orbit_goal.yaw).rem_euclid(std::f32::consts::TAU);
        assert!(diff < 1e-3 || diff > std::f32::consts::TAU - 1e-3);
    }
}
