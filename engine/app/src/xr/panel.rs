//! The world-space panel: in the headset the viewer's own UI (title, points list, info panel,
//! tour bar, language switch; the same code as on the desktop) is drawn into a texture shown on
//! a panel beside the visitor. The laser pointer drives it as a picking pointer, so buttons
//! react to it exactly as they do to a mouse.

use bevy::asset::RenderAssetUsages;
use bevy::asset::uuid::Uuid;
use bevy::camera::RenderTarget;
use bevy::picking::pointer::{Location, PointerAction, PointerButton, PointerId, PointerInput};
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat, TextureUsages};
use bevy::ui::IsDefaultUiCamera;
use bevy_mod_xr::session::{XrSessionCreated, XrTracker};

use super::XrOwned;

/// The laser's pointer, as Bevy's picking knows it.
pub const LASER_POINTER: PointerId =
    PointerId::Custom(Uuid::from_u128(0x6469_7361_6e2d_7872_2d70_6f69_6e74_6572));

/// The panel's texture size: the UI lays out at this resolution.
pub const PANEL_PIXELS: UVec2 = UVec2::new(1280, 800);
/// Its size in the world, in metres (a large tablet held at arm's length).
pub const PANEL_METRES: Vec2 = Vec2::new(0.80, 0.50);

/// The panel in the world, and the image the UI is drawn into.
#[derive(Component)]
pub struct UiPanel {
    pub image: Handle<Image>,
}

pub(super) fn plugin(app: &mut App) {
    // Only once a session exists: without a runtime the desktop fallback keeps its UI on screen.
    app.add_systems(XrSessionCreated, spawn_panel);
}

fn spawn_panel(
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let size = Extent3d {
        width: PANEL_PIXELS.x,
        height: PANEL_PIXELS.y,
        ..default()
    };
    let mut image = Image::new_fill(
        size,
        TextureDimension::D2,
        &[0, 0, 0, 0],
        TextureFormat::Bgra8UnormSrgb,
        RenderAssetUsages::default(),
    );
    image.texture_descriptor.usage =
        TextureUsages::TEXTURE_BINDING | TextureUsages::COPY_DST | TextureUsages::RENDER_ATTACHMENT;
    let image = images.add(image);
    // Every UI node without a target of its own goes to the panel.
    commands.spawn((
        Camera2d,
        Camera {
            order: -1,
            clear_color: ClearColorConfig::Custom(Color::NONE),
            ..default()
        },
        RenderTarget::Image(image.clone().into()),
        IsDefaultUiCamera,
        XrOwned,
    ));
    commands.spawn((
        Mesh3d(meshes.add(Rectangle::new(PANEL_METRES.x, PANEL_METRES.y))),
        MeshMaterial3d(materials.add(StandardMaterial {
            base_color_texture: Some(image.clone()),
            unlit: true,
            alpha_mode: AlphaMode::Blend,
            double_sided: true,
            cull_mode: None,
            ..default()
        })),
        // In the play space: to the visitor's left front, at chest height, turned towards them
        // and tilted back a little, clear of the exhibit ahead.
        Transform::from_xyz(-0.55, 1.15, -0.55).with_rotation(
            Quat::from_rotation_y(40f32.to_radians()) * Quat::from_rotation_x(-15f32.to_radians()),
        ),
        UiPanel { image },
        XrTracker,
        XrOwned,
        Name::new("xr ui panel"),
    ));
    commands.spawn(LASER_POINTER);
    info!(
        "xr: the viewer's UI is on a world-space panel ({}x{} px, {} x {} m)",
        PANEL_PIXELS.x, PANEL_PIXELS.y, PANEL_METRES.x, PANEL_METRES.y
    );
}

/// Moves the laser pointer over the panel (UV from the pointer hit) and presses or releases it.
pub fn drive_panel_pointer(
    uv: Option<Vec2>,
    pressed: bool,
    released: bool,
    panel: &UiPanel,
    last: &mut Option<Vec2>,
    inputs: &mut MessageWriter<PointerInput>,
) {
    let Some(uv) = uv else {
        *last = None;
        return;
    };
    let target = RenderTarget::Image(panel.image.clone().into()).normalize(None);
    let Some(target) = target else { return };
    let position = uv * PANEL_PIXELS.as_vec2();
    let location = Location { target, position };
    if *last != Some(position) {
        let delta = last.map_or(Vec2::ZERO, |l| position - l);
        inputs.write(PointerInput::new(
            LASER_POINTER,
            location.clone(),
            PointerAction::Move { delta },
        ));
        *last = Some(position);
    }
    if pressed {
        inputs.write(PointerInput::new(
            LASER_POINTER,
            location.clone(),
            PointerAction::Press(PointerButton::Primary),
        ));
    }
    if released {
        inputs.write(PointerInput::new(
            LASER_POINTER,
            location,
            PointerAction::Release(PointerButton::Primary),
        ));
    }
}
