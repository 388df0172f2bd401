//! The exhibit's bounds, measured from the meshes once its models have spawned, and the home
//! view derived from them, so any scan (whatever its size or origin) is framed on arrival.

use bevy::camera::primitives::Aabb;
use bevy::prelude::*;

use crate::loading::{ExhibitModel, ModelSpawned};
use crate::ViewerState;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ExhibitBounds>()
        .add_message::<ExhibitFramed>()
        .add_systems(OnExit(ViewerState::Exhibit), |mut b: ResMut<ExhibitBounds>| b.0 = None)
        .add_systems(Update, measure_bounds.run_if(in_state(ViewerState::Exhibit)));
}

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
        Bounds { min: self.min.min(other.min), max: self.max.max(other.max) }
    }
    /// The world-space box around a mesh's local box under `transform`.
    pub fn of_aabb(aabb: &Aabb, transform: &GlobalTransform) -> Bounds {
        let c = Vec3::from(aabb.center);
        let h = Vec3::from(aabb.half_extents);
        let mut out = Bounds { min: Vec3::splat(f32::MAX), max: Vec3::splat(f32::MIN) };
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

fn measure_bounds(
    mut bounds: ResMut<ExhibitBounds>,
    models: Query<Has<ModelSpawned>, With<ExhibitModel>>,
    meshes: Query<(&Aabb, &GlobalTransform), (With<Mesh3d>, Without<NotFramed>)>,
    mut framed: MessageWriter<ExhibitFramed>,
) {
    if bounds.0.is_some() || models.is_empty() || !models.iter().all(|spawned| spawned) {
        return;
    }
    let Some(measured) = meshes.iter().map(|(aabb, t)| Bounds::of_aabb(aabb, t)).reduce(Bounds::union) else {
        return;
    };
    info!("exhibit bounds: min {:?} max {:?}", measured.min, measured.max);
    bounds.0 = Some(measured);
    framed.write(ExhibitFramed(measured));
}

/// Where the camera goes to see all of `bounds`: in front, a little to the side and above,
/// far enough that the bounding sphere fits the vertical field of view.
pub fn home_view(bounds: Bounds, fov_y: f32, aspect: f32) -> (Vec3, Vec3) {
    let target = bounds.center();
    // The narrower of the two fields of view decides (portrait kiosks and phones).
    let half_fov = (fov_y * 0.5).min((aspect * (fov_y * 0.5).tan()).atan());
    let distance = bounds.radius() / half_fov.sin() * 1.05;
    let dir = Vec3::new(0.45, 0.42, 1.0).normalize();
    (target + dir * distance, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_view_fits_the_bounding_sphere() {
        let b = Bounds { min: Vec3::new(-10.0, 0.0, -6.0), max: Vec3::new(10.0, 8.0, 6.0) };
        let fov = 45f32.to_radians();
        let (eye, target) = home_view(b, fov, 16.0 / 9.0);
        assert_eq!(target, b.center());
        let d = eye.distance(target);
        // The sphere's angular radius seen from the eye must fit inside half the fov.
        assert!((b.radius() / d).asin() <= fov * 0.5 + 1e-4);
        assert!(eye.z > target.z && eye.y > target.y, "home is in front and above");
        // Portrait: the horizontal fov is narrower, so the camera must stand further back.
        let (eye_portrait, _) = home_view(b, fov, 9.0 / 16.0);
        assert!(eye_portrait.distance(target) > d * 1.5);
    }

    #[test]
    fn rotated_mesh_bounds_cover_the_corners() {
        let aabb = Aabb::from_min_max(Vec3::new(-1.0, 0.0, -1.0), Vec3::new(1.0, 1.0, 1.0));
        let t = GlobalTransform::from(Transform::from_rotation(Quat::from_rotation_y(45f32.to_radians())));
        let b = Bounds::of_aabb(&aabb, &t);
        assert!((b.max.x - 2f32.sqrt()).abs() < 1e-5);
        assert!((b.min.y - 0.0).abs() < 1e-6 && (b.max.y - 1.0).abs() < 1e-6);
    }
}
