//! Hotspots: markers that stand off the surface along its normal, always face the camera and
//! keep a readable size on screen; clicking one (mesh picking) or pressing its number opens it.

use bevy::picking::Pickable;
use bevy::prelude::*;

use bevy::light::NotShadowCaster;
use bevy::mesh::MeshVertexBufferLayoutRef;
use bevy::pbr::{
    ExtendedMaterial, MaterialExtension, MaterialExtensionKey, MaterialExtensionPipeline,
};
use bevy::render::render_resource::{
    AsBindGroup, CompareFunction, RenderPipelineDescriptor, SpecializedMeshPipelineError,
};

use crate::camera::{CameraCommand, CameraRig, ViewerCamera};
use crate::framing::{Bounds, ExhibitBounds, ExhibitFramed, NotFramed};
use crate::library::{ExhibitLibrary, ExhibitReset};
use crate::{ExhibitScoped, ViewerState};

pub(super) fn plugin(app: &mut App) {
    app.add_plugins(MaterialPlugin::<MarkerMaterial>::default())
        // Only markers are ray-cast: a marker drawn over the model must win the click even where
        // the model's surface is nearer, and casting rays into a million-triangle scan on every
        // pointer move would cost the frame rate.
        .insert_resource(MeshPickingSettings {
            require_markers: true,
            ..default()
        })
        .init_resource::<OpenHotspot>()
        .add_systems(ExhibitReset, |mut open: ResMut<OpenHotspot>| open.0 = None)
        .add_systems(OnEnter(ViewerState::Exhibit), spawn_markers)
        .add_systems(
            Update,
            (
                stand_off_when_framed,
                open_on_number_key,
                face_camera_and_keep_size,
                highlight_open,
            )
                .run_if(in_state(ViewerState::Exhibit)),
        );
}

/// The hotspot whose info panel is open, by its id in the manifest. An id, not a position: a
/// host page, a key or the headset's laser can name a hotspot while another exhibit loads, and
/// an id that the exhibit on screen does not have simply finds nothing.
#[derive(Resource, Default, Debug, PartialEq)]
pub struct OpenHotspot(pub Option<String>);

impl OpenHotspot {
    pub fn is(&self, id: &str) -> bool {
        self.0.as_deref() == Some(id)
    }

    /// The open hotspot, if the exhibit on screen has it.
    pub fn in_exhibit<'m>(
        &self,
        manifest: &'m disan_format::Manifest,
    ) -> Option<&'m disan_format::Hotspot> {
        manifest.hotspot(self.0.as_deref()?)
    }

    /// Opens hotspot `id` (whether it exists is for the reader to check), writing only on change.
    pub fn open(&mut self, id: &str) {
        if !self.is(id) {
            self.0 = Some(id.to_owned());
        }
    }
}

#[derive(Component)]
pub struct HotspotMarker {
    pub id: String,
    pub position: Vec3,
    pub normal: Vec3,
    /// Where the marker sits: the hotspot position moved off the surface along its normal.
    pub anchor: Vec3,
}

/// Markers are drawn over the model (a marker must never be buried in a carving) by a material
/// that ignores the depth buffer. Drawing them in the one camera, rather than in a second overlay
/// camera, keeps start-up fast: a second view cost about half a second of pipeline work on
/// lavapipe.
pub type MarkerMaterial = ExtendedMaterial<StandardMaterial, DrawOnTop>;

#[derive(Asset, AsBindGroup, Reflect, Debug, Clone, Default)]
pub struct DrawOnTop {}

impl MaterialExtension for DrawOnTop {
    fn enable_prepass() -> bool {
        false
    }
    fn enable_shadows() -> bool {
        false
    }
    fn specialize(
        _pipeline: &MaterialExtensionPipeline,
        descriptor: &mut RenderPipelineDescriptor,
        _layout: &MeshVertexBufferLayoutRef,
        _key: MaterialExtensionKey<Self>,
    ) -> Result<(), SpecializedMeshPipelineError> {
        if let Some(depth) = descriptor.depth_stencil.as_mut() {
            depth.depth_compare = Some(CompareFunction::Always);
            depth.depth_write_enabled = Some(false);
        }
        Ok(())
    }
}

/// Fraction of the vertical view a marker takes: about 22 px on a 720 px high view.
const MARKER_ANGULAR_SIZE: f32 = 0.03;

#[derive(Resource)]
struct MarkerMaterials {
    normal: Handle<MarkerMaterial>,
    open: Handle<MarkerMaterial>,
}

/// A marker's material: flat colour, drawn over everything (hotspots, and a panorama's links).
pub fn marker_material(color: Color) -> MarkerMaterial {
    MarkerMaterial {
        base: StandardMaterial {
            base_color: color,
            unlit: true,
            alpha_mode: AlphaMode::Blend,
            ..default()
        },
        extension: DrawOnTop {},
    }
}

/// Markers are spawned with the models (so their pipelines compile together with the model's)
/// and moved off the surface once the exhibit's size is known.
fn spawn_markers(
    library: Res<ExhibitLibrary>,
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<MarkerMaterial>>,
) {
    let Some(package) = library.current_package() else {
        return;
    };
    // The museum palette: gold markers, lacquer red for the one that is open.
    let normal = materials.add(marker_material(crate::theme::GOLD.with_alpha(0.95)));
    let open = materials.add(marker_material(crate::theme::ACCENT.with_alpha(0.95)));
    let rim = materials.add(marker_material(Color::srgba(1.0, 1.0, 1.0, 0.95)));
    let disc = meshes.add(Circle::new(0.5).mesh().resolution(40));
    let ring = meshes.add(Annulus::new(0.5, 0.62).mesh().resolution(40));
    for h in &package.manifest.hotspots {
        let (position, normal_dir) = (Vec3::from(h.position), Vec3::from(h.normal));
        commands
            .spawn((
                Mesh3d(disc.clone()),
                MeshMaterial3d(normal.clone()),
                Transform::from_translation(position),
                HotspotMarker {
                    id: h.id.clone(),
                    position,
                    normal: normal_dir,
                    anchor: position,
                },
                Pickable::default(),
                NotFramed,
                NotShadowCaster,
                ExhibitScoped,
                children![(
                    Mesh3d(ring.clone()),
                    MeshMaterial3d(rim.clone()),
                    // Just behind the disc, so the rim never covers it.
                    Transform::from_xyz(0.0, 0.0, -0.01),
                    NotFramed,
                    NotShadowCaster,
                    Pickable::IGNORE,
                )],
            ))
            .observe(
                |click: On<Pointer<Click>>,
                 markers: Query<&HotspotMarker>,
                 mut open: ResMut<OpenHotspot>| {
                    if let Ok(marker) = markers.get(click.entity) {
                        open.open(&marker.id);
                    }
                },
            );
    }
    commands.insert_resource(MarkerMaterials { normal, open });
}

fn stand_off_when_framed(
    mut framed: MessageReader<ExhibitFramed>,
    mut markers: Query<&mut HotspotMarker>,
) {
    let Some(ExhibitFramed(bounds)) = framed.read().last().copied() else {
        return;
    };
    for mut m in &mut markers {
        m.anchor = marker_anchor(&bounds, m.position, m.normal);
    }
}

/// The marker stands a little off the surface so it does not z-fight with it.
pub fn marker_anchor(bounds: &Bounds, position: Vec3, normal: Vec3) -> Vec3 {
    position + normal.normalize_or_zero() * bounds.radius() * 0.01
}

/// The camera pose that shows a hotspot: in front of it along its normal, a little above.
/// With `beside_panel`, the view slides sideways so the hotspot sits left of centre, clear of
/// the info panel on the right.
pub fn hotspot_view(
    bounds: &Bounds,
    position: Vec3,
    normal: Vec3,
    beside_panel: bool,
) -> (Vec3, Vec3) {
    let distance = (bounds.radius() * 0.6).max(0.35);
    let n = normal.normalize_or(Vec3::Z);
    let up_tilt = if n.y.abs() > 0.9 {
        Vec3::Z * 0.35
    } else {
        Vec3::Y * 0.25
    };
    let eye = position + (n + up_tilt).normalize() * distance;
    if !beside_panel {
        return (eye, position);
    }
    let forward = (position - eye).normalize();
    let right = forward.cross(Vec3::Y).normalize_or(Vec3::X);
    // About a fifth of the distance moves the hotspot a third of the way to the left edge.
    let slide = right * distance * 0.22;
    (eye + slide, position + slide)
}

/// The camera pose that shows hotspot `h`: from the centre of its panorama when it is placed in
/// one (the visitor turns to it, and stays in the scene), else [`hotspot_view`].
pub fn view_of_hotspot(
    manifest: &disan_format::Manifest,
    bounds: &Bounds,
    h: &disan_format::Hotspot,
    beside_panel: bool,
) -> (Vec3, Vec3) {
    let Some(eye) = manifest.hotspot_eye(h).map(Vec3::from) else {
        return hotspot_view(
            bounds,
            Vec3::from(h.position),
            Vec3::from(h.normal),
            beside_panel,
        );
    };
    let target = Vec3::from(h.position);
    if !beside_panel {
        return (eye, target);
    }
    // Turned a little to the right, so the hotspot sits left of centre, clear of the panel.
    let forward = (target - eye).normalize_or(Vec3::NEG_Z);
    let right = forward.cross(Vec3::Y).normalize_or(Vec3::X);
    (eye, target + right * eye.distance(target) * 0.22)
}

fn open_on_number_key(
    keys: Res<ButtonInput<KeyCode>>,
    library: Res<ExhibitLibrary>,
    mut open: ResMut<OpenHotspot>,
) {
    const DIGITS: [KeyCode; 9] = [
        KeyCode::Digit1,
        KeyCode::Digit2,
        KeyCode::Digit3,
        KeyCode::Digit4,
        KeyCode::Digit5,
        KeyCode::Digit6,
        KeyCode::Digit7,
        KeyCode::Digit8,
        KeyCode::Digit9,
    ];
    if let Some(i) = DIGITS.iter().position(|k| keys.just_pressed(*k))
        && let Some(h) = library
            .current_package()
            .and_then(|p| p.manifest.hotspots.get(i))
    {
        open.open(&h.id);
    }
    if keys.just_pressed(KeyCode::Escape) {
        open.0 = None;
    }
}

/// When a hotspot opens, the camera turns to it.
pub(crate) fn look_at_opened(
    open: Res<OpenHotspot>,
    library: Res<ExhibitLibrary>,
    bounds: Res<ExhibitBounds>,
    mut camera: MessageWriter<CameraCommand>,
) {
    if !open.is_changed() {
        return;
    }
    let (Some(package), Some(b)) = (library.current_package(), bounds.0) else {
        return;
    };
    let Some(h) = open.in_exhibit(&package.manifest) else {
        return;
    };
    let (eye, target) = view_of_hotspot(&package.manifest, &b, h, true);
    camera.write(CameraCommand::LookFrom { eye, target });
}

fn face_camera_and_keep_size(
    rig: Res<CameraRig>,
    camera: Query<&GlobalTransform, With<ViewerCamera>>,
    mut markers: Query<(&HotspotMarker, &mut Transform)>,
) {
    let Some(cam) = camera.iter().next() else {
        return;
    };
    let eye = cam.translation();
    let up = cam.up();
    for (marker, mut t) in &mut markers {
        let distance = eye.distance(marker.anchor).max(0.01);
        let size = 2.0 * distance * (rig.fov_y * 0.5).tan() * MARKER_ANGULAR_SIZE;
        *t = Transform::from_translation(marker.anchor)
            .looking_at(marker.anchor - (eye - marker.anchor), up)
            .with_scale(Vec3::splat(size));
    }
}

fn highlight_open(
    open: Res<OpenHotspot>,
    materials: Option<Res<MarkerMaterials>>,
    mut markers: Query<(&HotspotMarker, &mut MeshMaterial3d<MarkerMaterial>)>,
) {
    let Some(materials) = materials else { return };
    if !open.is_changed() && !materials.is_added() {
        return;
    }
    for (marker, mut material) in &mut markers {
        material.0 = if open.is(&marker.id) {
            materials.open.clone()
        } else {
            materials.normal.clone()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hotspot_view_looks_at_the_hotspot_from_outside() {
        let b = Bounds {
            min: Vec3::new(-1.0, 0.0, -1.0),
            max: Vec3::new(1.0, 1.0, 1.0),
        };
        let p = Vec3::new(0.0, 0.5, 1.0);
        let (eye, target) = hotspot_view(&b, p, Vec3::Z, false);
        assert_eq!(target, p);
        let (eye_beside, target_beside) = hotspot_view(&b, p, Vec3::Z, true);
        assert!(
            target_beside.x > p.x
                && (eye_beside - target_beside)
                    .normalize()
                    .abs_diff_eq((eye - target).normalize(), 1e-5),
            "slides right, same direction"
        );
        assert!(eye.z > p.z, "the eye is on the outward side of the surface");
        let (eye_top, _) = hotspot_view(&b, Vec3::new(0.0, 1.0, 0.0), Vec3::Y, false);
        assert!(eye_top.y > 1.0, "a hotspot facing up is seen from above");
        let forward = (target - eye).normalize();
        assert!(forward.dot(-Vec3::Z) > 0.8);
    }
}

#[cfg(test)]
mod app_tests {
    use std::path::Path;

    use super::*;
    use crate::framing::Bounds;

    #[test]
    fn opening_a_hotspot_turns_the_camera_to_it() {
        let mut app = App::new();
        let exhibit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exhibits/trong-dong");
        let bounds = Bounds {
            min: Vec3::new(-0.34, 0.0, -0.31),
            max: Vec3::new(0.34, 0.45, 0.31),
        };
        app.add_plugins(MinimalPlugins)
            .insert_resource(ExhibitLibrary::open(&exhibit, None))
            .insert_resource(ExhibitBounds(Some(bounds)))
            .init_resource::<OpenHotspot>()
            .add_message::<CameraCommand>()
            .add_systems(Update, look_at_opened);
        app.update();
        app.world_mut().resource_mut::<OpenHotspot>().open("star"); // the central star, facing up
        app.update();
        let sent: Vec<CameraCommand> = app
            .world_mut()
            .resource_mut::<Messages<CameraCommand>>()
            .drain()
            .collect();
        let Some(CameraCommand::LookFrom { eye, target }) = sent.last().copied() else {
            panic!("no camera move: {sent:?}")
        };
        assert!(
            target.distance(Vec3::new(0.0, 0.45, 0.0)) < 0.2,
            "looks at the star: {target}"
        );
        assert!(eye.y > 0.6, "the star is seen from above: {eye}");
    }
}
