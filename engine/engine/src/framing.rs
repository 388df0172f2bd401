//! The exhibit's bounds, measured from the meshes once its models have spawned, and the home
//! view derived from them, so any scan (whatever its size or origin) is framed on arrival.

use bevy::camera::primitives::Aabb;
use bevy::prelude::*;

use std::time::Duration;

use crate::ViewerState;
use crate::first_frame::{MainFrame, ModelPresentSince};
use crate::library::{ExhibitLibrary, ExhibitReset};
use crate::loading::{ExhibitModel, ModelSpawned};
use crate::policy::{ContentFailure, FRAMING_LIMIT};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ExhibitBounds>()
        .init_resource::<FramingSince>()
        .add_message::<ExhibitFramed>()
        .add_systems(
            ExhibitReset,
            |mut b: ResMut<ExhibitBounds>, mut since: ResMut<FramingSince>| {
                b.0 = None;
                since.0 = None;
            },
        )
        .add_systems(
            Update,
            measure_bounds.run_if(in_state(ViewerState::Exhibit)),
        );
}

/// When the exhibit's models were handed to the scene, for the framing limit.
#[derive(Resource, Default)]
struct FramingSince(Option<Duration>);

/// An axis-aligned box in the exhibit's frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    pub min: Vec3,
    pub max: Vec3,
}

impl Bounds {
    pub fn center(&self) -> Vec3 {
        (self.min + self.max) * 0.5
    }
    pub fn radius(&self) -> f32 {
        ((self.max - self.min) * 0.5).length().max(0.01)
    }
    pub fn union(self, other: Bounds) -> Bounds {
        Bounds {
            min: self.min.min(other.min),
            max: self.max.max(other.max),
        }
    }
    /// The world-space box around a mesh's local box under `transform`.
    pub fn of_aabb(aabb: &Aabb, transform: &GlobalTransform) -> Bounds {
        let c = Vec3::from(aabb.center);
        let h = Vec3::from(aabb.half_extents);
        let mut out = Bounds {
            min: Vec3::splat(f32::MAX),
            max: Vec3::splat(f32::MIN),
        };
        for i in 0..8 {
            let sign = Vec3::new(
                if i & 1 == 0 { -1.0 } else { 1.0 },
                if i & 2 == 0 { -1.0 } else { 1.0 },
                if i & 4 == 0 { -1.0 } else { 1.0 },
            );
            let p = transform.transform_point(c + h * sign);
            out.min = out.min.min(p);
            out.max = out.max.max(p);
        }
        out
    }
}

/// The bounds of the exhibit on screen; `None` until its models have spawned and been measured.
#[derive(Resource, Default, Debug)]
pub struct ExhibitBounds(pub Option<Bounds>);

/// Sent once per exhibit when its bounds are known: the camera goes home, markers size themselves.
#[derive(Message, Debug, Clone, Copy)]
pub struct ExhibitFramed(pub Bounds);

/// Meshes that are not part of the heritage object (markers, ground) and must not be framed.
#[derive(Component, Default)]
pub struct NotFramed;

#[allow(clippy::too_many_arguments)]
fn measure_bounds(
    mut bounds: ResMut<ExhibitBounds>,
    models: Query<Has<ModelSpawned>, With<ExhibitModel>>,
    meshes: Query<(&Aabb, &GlobalTransform), (With<Mesh3d>, Without<NotFramed>)>,
    mut framed: MessageWriter<ExhibitFramed>,
    // Measured means present: every model loaded with its textures and spawned. The start-up
    // timing (crate::first_frame) counts from here; absent in tests without it.
    present: Option<(Res<MainFrame>, ResMut<ModelPresentSince>)>,
    (time, mut since, library, mut failures): (
        Res<Time<Real>>,
        ResMut<FramingSince>,
        Res<ExhibitLibrary>,
        MessageWriter<ContentFailure>,
    ),
    (levels, preparing): (
        Option<Res<crate::levels::ModelLevels>>,
        Option<Res<crate::content_guard::TexturesInPreparation>>,
    ),
) {
    if bounds.0.is_some() {
        return;
    }
    let started = *since.0.get_or_insert(time.elapsed());
    // Present once its textures have their mipmaps too (the first picture is the finished one).
    let ready = !models.is_empty()
        && models.iter().all(|spawned| spawned)
        && preparing.is_none_or(|p| p.is_empty());
    let measured = meshes
        .iter()
        .map(|(aabb, t)| Bounds::of_aabb(aabb, t))
        .reduce(Bounds::union)
        .filter(|_| ready);
    // Packed models declare their box: frame from it (the same for every level of detail).
    let measured = measured.map(|m| {
        levels
            .as_ref()
            .and_then(|l| l.declared_bounds())
            .unwrap_or(m)
    });
    let Some(measured) = measured.filter(|b| b.min.is_finite() && b.max.is_finite()) else {
        // The model check refuses scenes without meshes; this catches whatever still shows
        // nothing (an exhibit must never wait forever).
        if time.elapsed().saturating_sub(started) > FRAMING_LIMIT {
            let files = library.current_package().map(|p| {
                p.manifest
                    .models
                    .iter()
                    .map(|m| m.src.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            failures.write(ContentFailure {
                file: files.unwrap_or_default(),
                reason: format!("loaded, but after {} s there is still nothing to draw: check that the model holds visible geometry.", FRAMING_LIMIT.as_secs()),
            });
            since.0 = None;
        }
        return;
    };
    info!(
        "exhibit bounds: min {:?} max {:?}",
        measured.min, measured.max
    );
    bounds.0 = Some(measured);
    framed.write(ExhibitFramed(measured));
    if let Some((frame, mut present)) = present {
        present.mark(*frame);
    }
}

/// Where the camera goes to see all of `bounds`: in front, a little to the side and above, as
/// close as it can be while every corner of the box stays inside the view (with a margin).
/// The browser page's first look (web/shell/preview.js, `homeView`) takes the same view before
/// the engine runs: change both together.
pub fn home_view(bounds: Bounds, fov_y: f32, aspect: f32) -> (Vec3, Vec3) {
    let target = bounds.center();
    let back = Vec3::new(0.45, 0.42, 1.0).normalize();
    let forward = -back;
    let right = forward.cross(Vec3::Y).normalize();
    let up = right.cross(forward);
    let tan_v = (fov_y * 0.5).tan() * 0.9;
    let tan_h = tan_v * aspect;
    let mut distance = 0.0f32;
    for i in 0..8 {
        let corner = Vec3::new(
            if i & 1 == 0 {
                bounds.min.x
            } else {
                bounds.max.x
            },
            if i & 2 == 0 {
                bounds.min.y
            } else {
                bounds.max.y
            },
            if i & 4 == 0 {
                bounds.min.z
            } else {
                bounds.max.z
            },
        );
        let rel = corner - target;
        // The corner's depth in front of the camera is distance + rel·forward; it fits when its
        // sideways and vertical offsets are within the view's half-width at that depth.
        let depth_offset = rel.dot(forward);
        distance = distance
            .max(rel.dot(right).abs() / tan_h - depth_offset)
            .max(rel.dot(up).abs() / tan_v - depth_offset);
    }
    let distance = distance.max(bounds.radius() * 0.5);
    (target + back * distance, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_view_fits_the_box_tightly() {
        let b = Bounds {
            min: Vec3::new(-10.0, 0.0, -6.0),
            max: Vec3::new(10.0, 8.0, 6.0),
        };
        let fov = 45f32.to_radians();
        let (eye, target) = home_view(b, fov, 16.0 / 9.0);
        assert_eq!(target, b.center());
        let d = eye.distance(target);
        // Every corner projects inside the view.
        let view = Mat4::look_at_rh(eye, target, Vec3::Y);
        let proj = Mat4::perspective_rh(fov, 16.0 / 9.0, 0.1, 1000.0) * view;
        for i in 0..8 {
            let c = Vec3::new(
                if i & 1 == 0 { b.min.x } else { b.max.x },
                if i & 2 == 0 { b.min.y } else { b.max.y },
                if i & 4 == 0 { b.min.z } else { b.max.z },
            );
            let p = proj.project_point3(c);
            assert!(
                p.x.abs() <= 1.0 && p.y.abs() <= 1.0,
                "corner {c} is outside the view: {p}"
            );
        }
        // ...and the fit is tight: closer than the bounding-sphere distance.
        assert!(d < b.radius() / (fov * 0.5).sin());
        assert!(
            eye.z > target.z && eye.y > target.y,
            "home is in front and above"
        );
        // Portrait: the horizontal fov is narrower, so the camera must stand further back.
        let (eye_portrait, _) = home_view(b, fov, 9.0 / 16.0);
        assert!(eye_portrait.distance(target) > d * 1.5);
    }

    #[test]
    fn rotated_mesh_bounds_cover_the_corners() {
        let aabb = Aabb::from_min_max(Vec3::new(-1.0, 0.0, -1.0), Vec3::new(1.0, 1.0, 1.0));
        let t = GlobalTransform::from(Transform::from_rotation(Quat::from_rotation_y(
            45f32.to_radians(),
        )));
        let b = Bounds::of_aabb(&aabb, &t);
        assert!((b.max.x - 2f32.sqrt()).abs() < 1e-5);
        assert!((b.min.y - 0.0).abs() < 1e-6 && (b.max.y - 1.0).abs() < 1e-6);
    }
}
