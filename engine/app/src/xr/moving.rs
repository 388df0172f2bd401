//! What the visitor does with the controllers: point the laser at hotspots and at the UI panel
//! and pull the trigger; push the thumbstick forward to aim a teleport arc and release to go;
//! flick it sideways to snap-turn; with `--xr-smooth`, glide with the left stick. Tours move the
//! visitor by fade-and-teleport between stops, never by flying the view.
//!
//! The geometry is in [`super::locomotion`], tested there with simulated poses.

use bevy::picking::mesh_picking::ray_cast::{MeshRayCast, MeshRayCastSettings, RayCastVisibility};
use bevy::picking::pointer::PointerInput;
use bevy::prelude::*;
use bevy_mod_xr::camera::XrCamera;
use bevy_mod_xr::session::XrTrackingRoot;
use disan_engine::camera::CameraRig;
use disan_engine::framing::{ExhibitBounds, ExhibitFramed};
use disan_engine::hotspots::{HotspotMarker, OpenHotspot};
use disan_engine::library::ExhibitLibrary;
use disan_engine::panorama::{LinkMarker, PanoramaCommand};
use disan_engine::tour::{ActiveTour, Framing, stop_view};

use super::comfort::{Comfort, MOVING_STRENGTH};
use super::controls::{Laser, XrHands};
use super::locomotion::{
    PointerTarget, SnapTurn, TeleportTarget, pointer_hit, root_for_stop, segment_hits_plane,
    smooth_move, teleport_arc, teleport_root, teleport_target, turn_root_about_head,
};
use super::panel::{PANEL_METRES, UiPanel, drive_panel_pointer};
use super::{XrFloor, XrHead, XrOptions, XrOwned};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Locomotion>()
        .add_systems(Startup, spawn_arc)
        .add_systems(
            Update,
            (
                track_head,
                point_and_select,
                teleport,
                turn_and_glide,
                tour_by_teleport,
                stand_in_panorama_scene,
            )
                .chain()
                .run_if(bevy_mod_openxr::openxr_session_running),
        );
}

/// Dots of the teleport arc (drawn from a pool; no gizmos in this build).
const ARC_DOTS: usize = 40;

#[derive(Component)]
struct ArcDot(usize);

#[derive(Resource, Default)]
struct Locomotion {
    snap: SnapTurn,
    aiming: bool,
    target: Option<TeleportTarget>,
    /// A move waiting for the view to go dark: (the root to jump to, seconds left).
    pending: Option<(Transform, f32)>,
    /// The tour stop the visitor was last moved to: (tour, stop, restarts).
    tour_at: Option<(String, usize, u32)>,
    panel_last: Option<Vec2>,
}

#[derive(Resource)]
struct ArcMaterials {
    floor: Handle<StandardMaterial>,
    blocked: Handle<StandardMaterial>,
}

fn spawn_arc(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let dot = meshes.add(Sphere::new(0.02));
    let floor = materials.add(StandardMaterial {
        base_color: Color::srgb(0.4, 0.9, 0.5),
        unlit: true,
        ..default()
    });
    let blocked = materials.add(StandardMaterial {
        base_color: Color::srgb(0.9, 0.3, 0.25),
        unlit: true,
        ..default()
    });
    for i in 0..ARC_DOTS {
        commands.spawn((
            ArcDot(i),
            XrOwned,
            Mesh3d(dot.clone()),
            MeshMaterial3d(floor.clone()),
            Transform::default(),
            Visibility::Hidden,
        ));
    }
    commands.insert_resource(ArcMaterials { floor, blocked });
}

/// The head: the eye cameras' mean position (and the first eye's turn), in the play space and,
/// through the tracking root, in the world.
fn track_head(
    eyes: Query<&Transform, With<XrCamera>>,
    roots: Query<&Transform, With<XrTrackingRoot>>,
    mut head: ResMut<XrHead>,
) {
    let (mut sum, mut n, mut rotation) = (Vec3::ZERO, 0.0, None);
    for eye in &eyes {
        sum += eye.translation;
        n += 1.0;
        rotation.get_or_insert(eye.rotation);
    }
    if n > 0.0 {
        head.local =
            Transform::from_translation(sum / n).with_rotation(rotation.unwrap_or_default());
    }
    head.world = roots.single().copied().unwrap_or_default() * head.local;
}

#[allow(clippy::too_many_arguments)]
fn point_and_select(
    hands: Res<XrHands>,
    markers: Query<(&HotspotMarker, &GlobalTransform, &InheritedVisibility)>,
    links: Query<(&LinkMarker, &GlobalTransform, &InheritedVisibility)>,
    panels: Query<(&UiPanel, &GlobalTransform)>,
    mut lasers: Query<(&Laser, &mut Transform)>,
    (mut open, mut scenes): (ResMut<OpenHotspot>, MessageWriter<PanoramaCommand>),
    mut locomotion: ResMut<Locomotion>,
    mut inputs: MessageWriter<PointerInput>,
) {
    // Markers are discs half a unit across, scaled to keep their size on screen. Hidden ones (a
    // panorama's other scenes) cannot be chosen. Hotspots first, then a panorama's links.
    let sphere = |t: &GlobalTransform| PointerTarget::Sphere {
        center: t.translation(),
        radius: 0.5 * t.scale().max_element().max(0.02),
    };
    let shown_markers: Vec<(&HotspotMarker, &GlobalTransform)> = markers
        .iter()
        .filter(|(_, _, v)| v.get())
        .map(|(m, t, _)| (m, t))
        .collect();
    let shown_links: Vec<(&LinkMarker, &GlobalTransform)> = links
        .iter()
        .filter(|(_, _, v)| v.get())
        .map(|(l, t, _)| (l, t))
        .collect();
    let mut targets: Vec<PointerTarget> = shown_markers
        .iter()
        .map(|(_, t)| sphere(t))
        .chain(shown_links.iter().map(|(_, t)| sphere(t)))
        .collect();
    let panel = panels.single().ok();
    if let Some((_, t)) = panel {
        targets.push(PointerTarget::Panel {
            center: t.translation(),
            right: t.right().into(),
            up: t.up().into(),
            half_size: PANEL_METRES / 2.0,
        });
    }
    let marker_ids: Vec<&str> = shown_markers.iter().map(|(m, _)| m.id.as_str()).collect();
    let link_scenes: Vec<&str> = shown_links.iter().map(|(l, _)| l.to.as_str()).collect();
    let mut panel_uv = None;
    let (mut pressed, mut released) = (false, false);
    for (hand, input) in hands.0.iter().enumerate() {
        let Some(aim) = input.aim else { continue };
        let hit = pointer_hit(aim.translation, aim.forward().into(), &targets);
        for (laser, mut t) in &mut lasers {
            if laser.0 == hand {
                let length = hit.map_or(3.0, |h| h.distance).clamp(0.05, 3.0);
                t.translation.z = -length / 2.0;
                t.scale.y = length;
            }
        }
        let Some(hit) = hit else { continue };
        if let Some(id) = marker_ids.get(hit.index) {
            if input.select_pressed {
                open.open(id);
            }
        } else if let Some(scene) = link_scenes.get(hit.index - marker_ids.len()) {
            if input.select_pressed {
                scenes.write(PanoramaCommand::Go {
                    scene: (*scene).to_owned(),
                });
            }
        } else if panel_uv.is_none() {
            panel_uv = hit.uv;
            pressed |= input.select_pressed;
            released |= input.select_released;
        }
    }
    if let Some((panel, _)) = panel {
        drive_panel_pointer(
            panel_uv,
            pressed,
            released,
            panel,
            &mut locomotion.panel_last,
            &mut inputs,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn teleport(
    hands: Res<XrHands>,
    rig: Res<CameraRig>,
    floor: Res<XrFloor>,
    mut ray_cast: MeshRayCast,
    ours: Query<(), Or<(With<XrOwned>, With<HotspotMarker>)>>,
    mut dots: Query<(
        &ArcDot,
        &mut Transform,
        &mut Visibility,
        &mut MeshMaterial3d<StandardMaterial>,
    )>,
    materials: Res<ArcMaterials>,
    mut locomotion: ResMut<Locomotion>,
    mut comfort: ResMut<Comfort>,
    head: Res<XrHead>,
    mut roots: Query<&mut Transform, (With<XrTrackingRoot>, Without<ArcDot>)>,
    time: Res<Time>,
) {
    // A move waiting for the fade to close.
    if let Some((to, left)) = locomotion.pending.as_mut() {
        comfort.fade = 1.0;
        *left -= time.delta_secs();
        if *left <= 0.0 {
            for mut root in &mut roots {
                *root = *to;
            }
            locomotion.pending = None;
            comfort.fade = 0.0;
        }
        return;
    }
    let right = hands.0[1];
    let stick = right.stick;
    let mut shown = 0;
    // In a panorama the visitor stays at the photo's centre: links move them, not the arc.
    if stick.y > 0.6 && stick.y > stick.x.abs() && !rig.look_around {
        locomotion.aiming = true;
        if let Some(aim) = right.aim {
            let arc = teleport_arc(aim.translation, aim.forward().into());
            let settings = MeshRayCastSettings {
                visibility: RayCastVisibility::Visible,
                filter: &|e| !ours.contains(e),
                early_exit_test: &|_| true,
            };
            let (target, end) = teleport_target(&arc, rig.walk_area, |a, b| {
                let (dir, len) = Dir3::new_and_length(b - a).ok()?;
                let mesh = ray_cast
                    .cast_ray(Ray3d::new(a, dir), &settings)
                    .iter()
                    .find(|(_, h)| h.distance <= len)
                    .map(|(_, h)| super::locomotion::SurfaceHit {
                        point: h.point,
                        normal: h.normal,
                    });
                let ground = segment_hits_plane(a, b, floor.0);
                match (mesh, ground) {
                    (Some(m), Some(g)) => Some(if m.point.distance(a) <= g.point.distance(a) {
                        m
                    } else {
                        g
                    }),
                    (m, g) => m.or(g),
                }
            });
            let material = if matches!(target, TeleportTarget::Floor(_)) {
                &materials.floor
            } else {
                &materials.blocked
            };
            let step = (end.max(1) as f32 / ARC_DOTS as f32).max(1.0);
            for (dot, mut t, mut visibility, mut m) in &mut dots {
                let i = (dot.0 as f32 * step) as usize;
                if i < end {
                    t.translation = arc[i];
                    *visibility = Visibility::Visible;
                    m.0 = material.clone();
                    shown += 1;
                } else {
                    *visibility = Visibility::Hidden;
                }
            }
            locomotion.target = Some(target);
        }
    } else if locomotion.aiming && stick.length() < 0.3 {
        // Released: go, if the arc ends on a floor.
        locomotion.aiming = false;
        if let (Some(TeleportTarget::Floor(p)), Ok(root)) =
            (locomotion.target.take(), roots.single())
        {
            let to = teleport_root(*root, head.world.translation, p);
            locomotion.pending = Some((to, 0.15));
            info!("xr: teleport to {p}");
        }
    }
    if shown == 0 {
        for (_, _, mut visibility, _) in &mut dots {
            *visibility = Visibility::Hidden;
        }
    }
}

fn turn_and_glide(
    hands: Res<XrHands>,
    options: Res<XrOptions>,
    rig: Res<CameraRig>,
    time: Res<Time>,
    mut locomotion: ResMut<Locomotion>,
    mut comfort: ResMut<Comfort>,
    mut head: ResMut<XrHead>,
    mut roots: Query<&mut Transform, With<XrTrackingRoot>>,
) {
    let Ok(mut root) = roots.single_mut() else {
        return;
    };
    if let Some(angle) = locomotion.snap.update(hands.0[1].stick) {
        *root = turn_root_about_head(*root, head.world.translation, angle);
        head.world = *root * head.local;
    }
    let left = hands.0[0].stick;
    let gliding = options.smooth_locomotion && left.length() > 0.15 && !rig.look_around;
    if gliding {
        *root = smooth_move(
            *root,
            head.world.forward().into(),
            left,
            1.6,
            time.delta_secs(),
        );
        head.world = *root * head.local;
    }
    comfort.moving = if gliding { MOVING_STRENGTH } else { 0.0 };
}

/// A tour in the headset: at each new stop the view fades out, the visitor is stood at the
/// stop's eye point facing what it shows, and the view fades back in.
fn tour_by_teleport(
    active: Res<ActiveTour>,
    library: Res<ExhibitLibrary>,
    bounds: Res<ExhibitBounds>,
    floor: Res<XrFloor>,
    head: Res<XrHead>,
    roots: Query<&Transform, With<XrTrackingRoot>>,
    mut locomotion: ResMut<Locomotion>,
    rig: Res<CameraRig>,
    galleries: Res<disan_engine::gallery::Galleries>,
) {
    let now = active
        .0
        .as_ref()
        .map(|p| (p.tour.clone(), p.clock.stop, p.starts));
    if now == locomotion.tour_at {
        return;
    }
    locomotion.tour_at = now.clone();
    let Some((tour, stop, _)) = now else { return };
    // A headset sees about as wide as it sees high.
    let framing = Framing {
        aspect: 1.0,
        view_height: None,
        galleries: &galleries,
    };
    let Some((eye, target)) = stop_view(&library, &bounds, &tour, stop, framing) else {
        return;
    };
    let scale = roots.single().map_or(Vec3::ONE, |r| r.scale);
    let to = if rig.look_around {
        head_at(eye, target, head.local.translation, scale)
    } else {
        let mut to = root_for_stop(eye, target, floor.0, head.local.translation);
        to.scale = scale;
        to
    };
    locomotion.pending = Some((to, 0.3));
    info!("xr: tour stop {} by fade-and-teleport", stop + 1);
}

/// The play space placed so that the head is at `eye` (height too), facing `target`: how a
/// visitor stands in a 360° panorama, whose photo is right only from its centre.
fn head_at(eye: Vec3, target: Vec3, head_local: Vec3, scale: Vec3) -> Transform {
    let facing = Vec3::new(target.x - eye.x, 0.0, target.z - eye.z).normalize_or(Vec3::NEG_Z);
    let rotation = Quat::from_rotation_y((-facing.x).atan2(-facing.z));
    Transform::from_translation(eye - rotation * (head_local * scale))
        .with_rotation(rotation)
        .with_scale(scale)
}

/// In a panorama exhibit, whenever the scene on screen changes (a link, a tour stop, the host
/// page), the visitor is stood at its centre behind the fade, facing the way the view faces.
fn stand_in_panorama_scene(
    panoramas: Res<disan_engine::panorama::Panoramas>,
    library: Res<ExhibitLibrary>,
    rig: Res<CameraRig>,
    head: Res<XrHead>,
    roots: Query<&Transform, With<XrTrackingRoot>>,
    mut locomotion: ResMut<Locomotion>,
    mut framed: MessageReader<ExhibitFramed>,
    mut last: Local<Option<String>>,
) {
    let shown = panoramas.shown().map(str::to_owned);
    // Also once framed: the first scene shows before the exhibit is framed, when the visitor
    // is placed for a model (mod.rs), which a panorama replaces.
    let framed_now = framed.read().last().is_some();
    if shown == *last && !framed_now {
        return;
    }
    last.clone_from(&shown);
    let Some(scene) =
        shown.and_then(|id| library.current_package()?.manifest.panorama(&id).cloned())
    else {
        return;
    };
    let eye = Vec3::from(scene.position);
    let look = rig.camera_transform().forward();
    let scale = roots.single().map_or(Vec3::ONE, |r| r.scale);
    locomotion.pending = Some((
        head_at(eye, eye + look.as_vec3(), head.local.translation, scale),
        0.3,
    ));
    info!("xr: standing in panorama scene \"{}\"", scene.id);
}

#[cfg(test)]
mod tests {
    use bevy::picking::pointer::{PointerAction, PointerButton};

    use super::*;
    use crate::xr::controls::HandInput;
    use crate::xr::panel::PANEL_PIXELS;

    /// The pointer system alone, with the right hand aimed down -Z from the origin.
    fn app(select_pressed: bool) -> App {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .init_resource::<OpenHotspot>()
            .init_resource::<Locomotion>()
            .add_message::<PointerInput>()
            .add_message::<PanoramaCommand>()
            .add_systems(Update, point_and_select);
        let aim = Some(Transform::from_xyz(0.0, 1.5, 0.0));
        app.insert_resource(XrHands([
            HandInput::default(),
            HandInput {
                aim,
                select: select_pressed,
                select_pressed,
                ..default()
            },
        ]));
        app
    }

    fn marker(id: &str, at: Vec3) -> impl Bundle {
        (
            HotspotMarker {
                id: id.to_owned(),
                position: at,
                normal: Vec3::Z,
                anchor: at,
            },
            GlobalTransform::from(Transform::from_translation(at).with_scale(Vec3::splat(0.2))),
            InheritedVisibility::VISIBLE,
        )
    }

    #[test]
    fn the_trigger_on_a_link_steps_into_its_scene_and_hidden_markers_are_passed_through() {
        let mut app = app(true);
        // A hotspot of another scene (hidden) in front of the link: the laser goes through it.
        app.world_mut().spawn((
            HotspotMarker {
                id: "other-scene".into(),
                position: Vec3::new(0.0, 1.5, -2.0),
                normal: Vec3::Z,
                anchor: Vec3::new(0.0, 1.5, -2.0),
            },
            GlobalTransform::from(Transform::from_xyz(0.0, 1.5, -2.0).with_scale(Vec3::splat(0.2))),
            InheritedVisibility::HIDDEN,
        ));
        app.world_mut().spawn((
            LinkMarker {
                to: "courtyard".into(),
                scene: "gate".into(),
                anchor: Vec3::new(0.0, 1.5, -8.0),
            },
            GlobalTransform::from(Transform::from_xyz(0.0, 1.5, -8.0).with_scale(Vec3::splat(0.5))),
            InheritedVisibility::VISIBLE,
        ));
        app.update();
        assert_eq!(app.world().resource::<OpenHotspot>().0, None);
        let sent: Vec<PanoramaCommand> = app
            .world_mut()
            .resource_mut::<Messages<PanoramaCommand>>()
            .drain()
            .collect();
        assert_eq!(
            sent,
            vec![PanoramaCommand::Go {
                scene: "courtyard".into()
            }]
        );
    }

    #[test]
    fn the_trigger_on_a_marker_opens_its_hotspot() {
        let mut app = app(true);
        app.world_mut()
            .spawn(marker("star", Vec3::new(2.0, 1.5, -2.0)));
        app.world_mut()
            .spawn(marker("handle", Vec3::new(0.0, 1.5, -3.0)));
        app.update();
        assert!(
            app.world().resource::<OpenHotspot>().is("handle"),
            "the marker on the laser's line"
        );

        // Pointing without pulling the trigger opens nothing.
        let mut app = super::tests::app(false);
        app.world_mut()
            .spawn(marker("handle", Vec3::new(0.0, 1.5, -3.0)));
        app.update();
        assert_eq!(app.world().resource::<OpenHotspot>().0, None);
    }

    #[test]
    fn the_trigger_on_the_panel_presses_the_ui_where_the_laser_points() {
        let mut app = app(true);
        // The panel 1 m ahead, facing the visitor; a marker behind it is shadowed by it.
        app.world_mut().spawn((
            UiPanel {
                image: Handle::default(),
            },
            GlobalTransform::from(Transform::from_xyz(0.1, 1.4, -1.0)),
        ));
        app.world_mut()
            .spawn(marker("handle", Vec3::new(0.0, 1.5, -3.0)));
        app.update();
        assert_eq!(
            app.world().resource::<OpenHotspot>().0,
            None,
            "the panel is in front of the marker"
        );
        let inputs: Vec<PointerInput> = app
            .world_mut()
            .resource_mut::<Messages<PointerInput>>()
            .drain()
            .collect();
        let press = inputs
            .iter()
            .find(|i| matches!(i.action, PointerAction::Press(PointerButton::Primary)))
            .expect("a press");
        // 0.1 m left of the panel's centre and 0.1 m above it, in UI pixels from the top left.
        let expected = Vec2::new(0.5 - 0.1 / PANEL_METRES.x, 0.5 - 0.1 / PANEL_METRES.y)
            * PANEL_PIXELS.as_vec2();
        assert!(
            (press.location.position - expected).length() < 0.5,
            "{} vs {expected}",
            press.location.position
        );
        assert!(
            inputs
                .iter()
                .any(|i| matches!(i.action, PointerAction::Move { .. })),
            "the pointer moved there first"
        );
    }
}
