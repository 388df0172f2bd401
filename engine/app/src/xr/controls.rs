//! The controllers: OpenXR actions (aim and grip poses, the trigger to select, the thumbstick to
//! teleport and turn), suggested for the common controller profiles; both controllers drawn in
//! the visitor's hands, each with a laser from its aim pose. Each frame the hands' state is
//! collected into [`XrHands`] in world space, for the pointer and locomotion systems.

use bevy::prelude::*;
use bevy_mod_openxr::action_binding::{OxrSendActionBindings, OxrSuggestActionBinding};
use bevy_mod_openxr::action_set_attaching::OxrAttachActionSet;
use bevy_mod_openxr::action_set_syncing::{OxrActionSetSyncSet, OxrSyncActionSet};
use bevy_mod_openxr::openxr_session_running;
use bevy_mod_openxr::resources::OxrInstance;
use bevy_mod_openxr::session::OxrSession;
use bevy_mod_xr::session::{XrSessionCreated, XrTracker, XrTrackingRoot};
use bevy_mod_xr::spaces::XrSpaceSyncSet;
use openxr::{Path, Posef, Vector2f};

use super::XrOwned;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<XrHands>()
        .add_systems(
            Startup,
            create_actions.run_if(bevy_mod_xr::session::session_available),
        )
        .add_systems(OxrSendActionBindings, suggest_bindings)
        .add_systems(XrSessionCreated, (attach_actions, spawn_controllers))
        .add_systems(
            PreUpdate,
            sync_actions
                .before(OxrActionSetSyncSet)
                .run_if(openxr_session_running),
        )
        .add_systems(
            PreUpdate,
            read_hands
                .after(OxrActionSetSyncSet)
                .after(XrSpaceSyncSet)
                .run_if(openxr_session_running),
        );
}

#[derive(Resource)]
struct Actions {
    set: openxr::ActionSet,
    aim: openxr::Action<Posef>,
    grip: openxr::Action<Posef>,
    select: openxr::Action<bool>,
    stick: openxr::Action<Vector2f>,
    /// `/user/hand/left`, `/user/hand/right`.
    hands: [Path; 2],
}

/// One hand's controller this frame, in world space.
#[derive(Clone, Copy, Debug, Default)]
pub struct HandInput {
    /// The aim pose (the laser's origin; it points along -Z), when tracked.
    pub aim: Option<Transform>,
    pub select: bool,
    pub select_pressed: bool,
    pub select_released: bool,
    pub stick: Vec2,
}

/// Both hands: 0 is left, 1 is right.
#[derive(Resource, Default, Debug)]
pub struct XrHands(pub [HandInput; 2]);

/// A controller's aim pose (the laser), for hand 0 or 1.
#[derive(Component)]
pub struct AimPose(pub usize);

/// The laser beam of a hand, shortened to what it points at.
#[derive(Component)]
pub struct Laser(pub usize);

/// Controller profiles and, for each, the component paths of (aim, grip, select, stick).
/// khr/simple_controller is what every runtime offers (Monado's simulated controllers use it);
/// it has no thumbstick, so there teleport and turning are left out.
const PROFILES: &[(&str, [Option<&str>; 4])] = &[
    (
        "/interaction_profiles/khr/simple_controller",
        [
            Some("input/aim/pose"),
            Some("input/grip/pose"),
            Some("input/select/click"),
            None,
        ],
    ),
    (
        "/interaction_profiles/oculus/touch_controller",
        [
            Some("input/aim/pose"),
            Some("input/grip/pose"),
            Some("input/trigger/value"),
            Some("input/thumbstick"),
        ],
    ),
    (
        "/interaction_profiles/valve/index_controller",
        [
            Some("input/aim/pose"),
            Some("input/grip/pose"),
            Some("input/trigger/click"),
            Some("input/thumbstick"),
        ],
    ),
    (
        "/interaction_profiles/htc/vive_controller",
        [
            Some("input/aim/pose"),
            Some("input/grip/pose"),
            Some("input/trigger/click"),
            Some("input/trackpad"),
        ],
    ),
    (
        "/interaction_profiles/microsoft/motion_controller",
        [
            Some("input/aim/pose"),
            Some("input/grip/pose"),
            Some("input/trigger/value"),
            Some("input/thumbstick"),
        ],
    ),
];

fn create_actions(instance: Res<OxrInstance>, mut commands: Commands) {
    let made = (|| -> openxr::Result<Actions> {
        let hands = [
            instance.string_to_path("/user/hand/left")?,
            instance.string_to_path("/user/hand/right")?,
        ];
        let set = instance.create_action_set("disan", "Disan", 0)?;
        Ok(Actions {
            aim: set.create_action("aim", "Point", &hands)?,
            grip: set.create_action("grip", "Hold", &hands)?,
            select: set.create_action("select", "Select", &hands)?,
            stick: set.create_action("move", "Teleport and turn", &hands)?,
            set,
            hands,
        })
    })();
    match made {
        Ok(actions) => commands.insert_resource(actions),
        Err(e) => error!(
            "xr: the controller actions could not be made ({e}); the headset works without controllers"
        ),
    }
}

fn suggest_bindings(
    actions: Option<Res<Actions>>,
    mut bindings: MessageWriter<OxrSuggestActionBinding>,
) {
    let Some(actions) = actions else { return };
    let raw = [
        actions.aim.as_raw(),
        actions.grip.as_raw(),
        actions.select.as_raw(),
        actions.stick.as_raw(),
    ];
    for (profile, components) in PROFILES {
        for (action, component) in raw.iter().zip(components) {
            let Some(component) = component else { continue };
            bindings.write(OxrSuggestActionBinding {
                action: *action,
                interaction_profile: (*profile).into(),
                bindings: vec![
                    format!("/user/hand/left/{component}").into(),
                    format!("/user/hand/right/{component}").into(),
                ],
            });
        }
    }
}

fn attach_actions(actions: Option<Res<Actions>>, mut attach: MessageWriter<OxrAttachActionSet>) {
    if let Some(actions) = actions {
        attach.write(OxrAttachActionSet(actions.set.clone()));
    }
}

fn sync_actions(actions: Option<Res<Actions>>, mut sync: MessageWriter<OxrSyncActionSet>) {
    if let Some(actions) = actions {
        sync.write(OxrSyncActionSet(actions.set.clone()));
    }
}

fn spawn_controllers(
    actions: Option<Res<Actions>>,
    session: Res<OxrSession>,
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let Some(actions) = actions else { return };
    let body_mesh = meshes.add(Capsule3d::new(0.022, 0.09));
    let body_material = materials.add(StandardMaterial {
        base_color: Color::srgb(0.16, 0.15, 0.14),
        perceptual_roughness: 0.6,
        ..default()
    });
    let laser_mesh = meshes.add(Cylinder::new(0.002, 1.0));
    let laser_material = materials.add(StandardMaterial {
        base_color: Color::srgba(1.0, 0.85, 0.4, 0.8),
        emissive: LinearRgba::rgb(2.0, 1.5, 0.5),
        unlit: true,
        alpha_mode: AlphaMode::Blend,
        ..default()
    });
    // Counted, so the "ready" line (which the XR test checks) is printed only when every pose
    // the controllers need exists.
    let mut spaces = 0;
    for (hand, path) in actions.hands.iter().enumerate() {
        match session.create_action_space(&actions.grip, *path, Isometry3d::IDENTITY) {
            Ok(space) => {
                commands.spawn((
                    space,
                    XrTracker,
                    XrOwned,
                    Mesh3d(body_mesh.clone()),
                    MeshMaterial3d(body_material.clone()),
                    Transform::default(),
                    Name::new(if hand == 0 {
                        "left controller"
                    } else {
                        "right controller"
                    }),
                ));
                spaces += 1;
            }
            Err(e) => error!("xr: no grip space for hand {hand}: {e}"),
        }
        match session.create_action_space(&actions.aim, *path, Isometry3d::IDENTITY) {
            Ok(space) => {
                commands
                    .spawn((
                        space,
                        XrTracker,
                        XrOwned,
                        AimPose(hand),
                        Transform::default(),
                        Visibility::default(),
                    ))
                    .with_child((
                        Laser(hand),
                        XrOwned,
                        Mesh3d(laser_mesh.clone()),
                        MeshMaterial3d(laser_material.clone()),
                        // The cylinder stands along Y; lay it along the aim's -Z.
                        Transform::from_xyz(0.0, 0.0, -0.5)
                            .with_rotation(Quat::from_rotation_x(-std::f32::consts::FRAC_PI_2)),
                    ));
                spaces += 1;
            }
            Err(e) => error!("xr: no aim space for hand {hand}: {e}"),
        }
    }
    let wanted = 2 * actions.hands.len();
    if spaces == wanted {
        info!(
            "xr: controllers ready (aim and grip poses, select, thumbstick; {} controller profiles suggested)",
            PROFILES.len()
        );
    } else {
        error!(
            "xr: only {spaces} of {wanted} controller poses could be made; pointing and teleport may not work"
        );
    }
}

fn read_hands(
    actions: Option<Res<Actions>>,
    session: Res<OxrSession>,
    aims: Query<(&AimPose, &Transform)>,
    roots: Query<&Transform, With<XrTrackingRoot>>,
    mut hands: ResMut<XrHands>,
) {
    let Some(actions) = actions else { return };
    let root = roots.single().copied().unwrap_or_default();
    let mut next = XrHands::default();
    for (i, path) in actions.hands.iter().enumerate() {
        let select = actions
            .select
            .state(&session, *path)
            .map(|s| s.current_state)
            .unwrap_or(false);
        let was = hands.0[i].select;
        let stick = actions
            .stick
            .state(&session, *path)
            .map(|s| Vec2::new(s.current_state.x, s.current_state.y))
            .unwrap_or_default();
        next.0[i] = HandInput {
            aim: None,
            select,
            select_pressed: select && !was,
            select_released: !select && was,
            stick,
        };
    }
    for (aim, local) in &aims {
        if let Some(hand) = next.0.get_mut(aim.0) {
            hand.aim = Some(root * *local);
        }
    }
    *hands = next;
}
