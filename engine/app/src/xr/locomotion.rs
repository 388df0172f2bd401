//! The geometry of moving in VR, as plain functions of poses so it is tested without a headset:
//! the teleport arc and where it may land, snap turns about the visitor's head, the laser
//! pointer's hit, and where a tour stop puts the visitor.
//!
//! The visitor moves by moving the tracking root (the play space), never the headset pose: the
//! runtime owns that.

use bevy::math::{Quat, Vec2, Vec3};
use bevy::transform::components::Transform;

/// The teleport arc: a thrown point, the way every headset system draws it.
pub const ARC_SPEED: f32 = 7.5;
pub const ARC_GRAVITY: f32 = 9.81;
const ARC_STEP_S: f32 = 0.03;
const ARC_MAX_S: f32 = 2.0;
/// Steeper than this (the normal's angle from straight up) is a wall or a roof, not a floor.
pub const MAX_FLOOR_SLOPE_DEG: f32 = 30.0;

/// The arc's points from the controller's aim pose.
pub fn teleport_arc(origin: Vec3, direction: Vec3) -> Vec<Vec3> {
    let v0 = direction.normalize_or_zero() * ARC_SPEED;
    let steps = (ARC_MAX_S / ARC_STEP_S) as usize;
    (0..=steps)
        .map(|i| {
            let t = i as f32 * ARC_STEP_S;
            origin + v0 * t + Vec3::new(0.0, -0.5 * ARC_GRAVITY * t * t, 0.0)
        })
        .collect()
}

/// What a segment of the arc hit first.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SurfaceHit {
    pub point: Vec3,
    pub normal: Vec3,
}

/// Where the arc ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TeleportTarget {
    /// A floor the visitor may stand on.
    Floor(Vec3),
    /// Something the arc hit that is not walkable (a wall, a roof, outside the site).
    Blocked(Vec3),
    /// The arc hit nothing.
    Nothing,
}

/// Follows the arc until `cast` (a ray cast along one segment, against the exhibit and its
/// ground) reports a hit, and judges it: walkable when it faces up (slope within
/// [`MAX_FLOOR_SLOPE_DEG`]) and lies inside the site area (x/z). Also returns how many of the
/// arc's points to draw: up to the end of the segment that hit, or all of them.
pub fn teleport_target(
    arc: &[Vec3],
    area: (Vec3, Vec3),
    mut cast: impl FnMut(Vec3, Vec3) -> Option<SurfaceHit>,
) -> (TeleportTarget, usize) {
    let min_up = MAX_FLOOR_SLOPE_DEG.to_radians().cos();
    for (i, pair) in arc.windows(2).enumerate() {
        if let Some(hit) = cast(pair[0], pair[1]) {
            let inside = hit.point.x >= area.0.x
                && hit.point.x <= area.1.x
                && hit.point.z >= area.0.z
                && hit.point.z <= area.1.z;
            let floor = hit.normal.normalize_or_zero().y >= min_up;
            let target = if floor && inside {
                TeleportTarget::Floor(hit.point)
            } else {
                TeleportTarget::Blocked(hit.point)
            };
            return (target, i + 1);
        }
    }
    (TeleportTarget::Nothing, arc.len())
}

/// A ray against the plane y = `height`, within one segment.
pub fn segment_hits_plane(a: Vec3, b: Vec3, height: f32) -> Option<SurfaceHit> {
    let (da, db) = (a.y - height, b.y - height);
    if da >= 0.0 && db < 0.0 {
        let t = da / (da - db);
        Some(SurfaceHit {
            point: a.lerp(b, t),
            normal: Vec3::Y,
        })
    } else {
        None
    }
}

/// The tracking root after a teleport: it moves so that the visitor's head (seen from above)
/// lands on `target`, with the floor at the target's height.
pub fn teleport_root(root: Transform, head_world: Vec3, target: Vec3) -> Transform {
    let offset = Vec3::new(
        target.x - head_world.x,
        target.y - root.translation.y,
        target.z - head_world.z,
    );
    Transform {
        translation: root.translation + offset,
        ..root
    }
}

/// Snap turning on a thumbstick: one turn per push past the threshold, re-armed when the stick
/// comes back towards the centre, so holding it does not spin the visitor.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SnapTurn {
    spent: bool,
}

pub const SNAP_ANGLE_DEG: f32 = 30.0;
const SNAP_PUSH: f32 = 0.7;
const SNAP_REARM: f32 = 0.3;

impl SnapTurn {
    /// The turn to make now, in radians (positive turns left, counter-clockwise from above).
    pub fn update(&mut self, stick: Vec2) -> Option<f32> {
        if self.spent {
            if stick.x.abs() < SNAP_REARM {
                self.spent = false;
            }
            return None;
        }
        if stick.x.abs() > SNAP_PUSH && stick.x.abs() > stick.y.abs() {
            self.spent = true;
            return Some(-stick.x.signum() * SNAP_ANGLE_DEG.to_radians());
        }
        None
    }
}

/// The tracking root turned by `angle` about the vertical through the visitor's head, so the
/// head stays where it is and only the world turns.
pub fn turn_root_about_head(root: Transform, head_world: Vec3, angle: f32) -> Transform {
    let turn = Quat::from_rotation_y(angle);
    let pivot = Vec3::new(head_world.x, root.translation.y, head_world.z);
    Transform {
        translation: pivot + turn * (root.translation - pivot),
        rotation: turn * root.rotation,
        ..root
    }
}

/// Smooth locomotion (optional): the stick moves the visitor along the floor in the direction
/// the head faces, at `speed` m/s.
pub fn smooth_move(
    root: Transform,
    head_forward: Vec3,
    stick: Vec2,
    speed: f32,
    dt: f32,
) -> Transform {
    let forward = Vec3::new(head_forward.x, 0.0, head_forward.z).normalize_or_zero();
    let right = Vec3::new(-forward.z, 0.0, forward.x);
    let stick = if stick.length() < 0.15 {
        Vec2::ZERO
    } else {
        stick.clamp_length_max(1.0)
    };
    Transform {
        translation: root.translation + (forward * stick.y + right * stick.x) * speed * dt,
        ..root
    }
}

/// Something the laser pointer can hit: a hotspot marker (a sphere) or a panel (a rectangle).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PointerTarget {
    Sphere {
        center: Vec3,
        radius: f32,
    },
    /// A rectangle centred at `center`, spanning ±`half_size` along `right` and `up`.
    Panel {
        center: Vec3,
        right: Vec3,
        up: Vec3,
        half_size: Vec2,
    },
}

/// Where the pointer hits a target: the distance along the ray, and for panels the point in
/// the panel's UV (0,0 top-left to 1,1 bottom-right, as UI pixels run).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointerHit {
    pub index: usize,
    pub distance: f32,
    pub uv: Option<Vec2>,
}

/// The nearest target the ray from the aim pose hits.
pub fn pointer_hit(origin: Vec3, direction: Vec3, targets: &[PointerTarget]) -> Option<PointerHit> {
    let dir = direction.normalize_or_zero();
    let mut best: Option<PointerHit> = None;
    for (index, target) in targets.iter().enumerate() {
        let hit = match *target {
            PointerTarget::Sphere { center, radius } => {
                let oc = origin - center;
                let b = oc.dot(dir);
                let c = oc.length_squared() - radius * radius;
                let disc = b * b - c;
                if disc < 0.0 {
                    None
                } else {
                    let t = -b - disc.sqrt();
                    let t = if t >= 0.0 { t } else { -b + disc.sqrt() };
                    (t >= 0.0).then_some(PointerHit {
                        index,
                        distance: t,
                        uv: None,
                    })
                }
            }
            PointerTarget::Panel {
                center,
                right,
                up,
                half_size,
            } => {
                let normal = right.cross(up).normalize_or_zero();
                let denom = dir.dot(normal);
                if denom.abs() < 1e-6 {
                    None
                } else {
                    let t = (center - origin).dot(normal) / denom;
                    let p = origin + dir * t;
                    let local = Vec2::new(
                        (p - center).dot(right.normalize_or_zero()),
                        (p - center).dot(up.normalize_or_zero()),
                    );
                    (t >= 0.0 && local.x.abs() <= half_size.x && local.y.abs() <= half_size.y).then(
                        || PointerHit {
                            index,
                            distance: t,
                            uv: Some(Vec2::new(
                                0.5 + local.x / (2.0 * half_size.x),
                                0.5 - local.y / (2.0 * half_size.y),
                            )),
                        },
                    )
                }
            }
        };
        if let Some(hit) = hit
            && best.is_none_or(|b| hit.distance < b.distance)
        {
            best = Some(hit);
        }
    }
    best
}

/// Where a tour stop puts the visitor: on the floor below the stop's eye point, turned to face
/// its target. Returns the tracking root that makes the head (at `head_local` inside the play
/// space) land there.
pub fn root_for_stop(eye: Vec3, target: Vec3, floor: f32, head_local: Vec3) -> Transform {
    let facing = Vec3::new(target.x - eye.x, 0.0, target.z - eye.z).normalize_or(Vec3::NEG_Z);
    // The play space's forward is -Z; turn it to face the target.
    let yaw = (-facing.x).atan2(-facing.z);
    let rotation = Quat::from_rotation_y(yaw);
    let head_offset = rotation * Vec3::new(head_local.x, 0.0, head_local.z);
    Transform::from_translation(Vec3::new(eye.x, floor, eye.z) - head_offset)
        .with_rotation(rotation)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: (Vec3, Vec3) = (Vec3::new(-20.0, -1.0, -20.0), Vec3::new(20.0, 10.0, 20.0));

    fn floor_and_wall(a: Vec3, b: Vec3) -> Option<SurfaceHit> {
        // A wall facing +Z at z = -3 (1 m thick, 4 m high), in front of a floor at y = 0.
        if a.z > -3.0 && b.z <= -3.0 {
            let t = (a.z + 3.0) / (a.z - b.z);
            let p = a.lerp(b, t);
            if p.y >= 0.0 && p.y <= 4.0 {
                return Some(SurfaceHit {
                    point: p,
                    normal: Vec3::Z,
                });
            }
        }
        segment_hits_plane(a, b, 0.0)
    }

    #[test]
    fn an_arc_aimed_down_the_room_lands_on_the_floor_ahead() {
        let arc = teleport_arc(Vec3::new(0.0, 1.2, 0.0), Vec3::new(0.0, -0.3, -1.0));
        match teleport_target(&arc, SITE, floor_and_wall) {
            (TeleportTarget::Floor(p), drawn) => {
                assert!(
                    drawn > 1 && drawn < arc.len(),
                    "the arc is drawn up to the floor only ({drawn} points)"
                );
                assert!(p.y.abs() < 1e-4, "{p}");
                assert!(
                    p.z < -0.5 && p.z > -3.0,
                    "lands between the visitor and the wall: {p}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_arc_into_a_wall_or_outside_the_site_is_refused() {
        let arc = teleport_arc(Vec3::new(0.0, 1.2, 0.0), Vec3::new(0.0, 0.4, -1.0));
        assert!(
            matches!(teleport_target(&arc, SITE, floor_and_wall).0, TeleportTarget::Blocked(p) if (p.z + 3.0).abs() < 1e-3)
        );
        let small_site = (Vec3::new(-1.0, -1.0, -1.0), Vec3::new(1.0, 5.0, 1.0));
        let arc = teleport_arc(Vec3::new(0.0, 1.2, 0.0), Vec3::new(0.0, -0.3, -1.0));
        assert!(matches!(
            teleport_target(&arc, small_site, |a, b| segment_hits_plane(a, b, 0.0)).0,
            TeleportTarget::Blocked(_)
        ));
        // A roof slope of 45° is not a floor.
        let roof = |a: Vec3, b: Vec3| {
            segment_hits_plane(a, b, 0.0).map(|h| SurfaceHit {
                normal: Vec3::new(0.0, 1.0, 1.0),
                ..h
            })
        };
        assert!(matches!(
            teleport_target(&arc, SITE, roof).0,
            TeleportTarget::Blocked(_)
        ));
        // Aimed at the sky, the arc still comes down; aimed nowhere near anything, nothing.
        assert_eq!(
            teleport_target(&arc, SITE, |_, _| None),
            (TeleportTarget::Nothing, arc.len())
        );
    }

    #[test]
    fn a_teleport_puts_the_head_over_the_target_and_keeps_the_turn() {
        let root = Transform::from_xyz(1.0, 0.0, 2.0).with_rotation(Quat::from_rotation_y(0.5));
        let head = Vec3::new(1.3, 1.6, 1.8);
        let moved = teleport_root(root, head, Vec3::new(-2.0, 0.4, -4.0));
        let head_after = head + (moved.translation - root.translation);
        assert!((head_after.x + 2.0).abs() < 1e-5 && (head_after.z + 4.0).abs() < 1e-5);
        assert!(
            (moved.translation.y - 0.4).abs() < 1e-6,
            "the floor follows the target's height"
        );
        assert_eq!(moved.rotation, root.rotation);
    }

    #[test]
    fn snap_turns_once_per_push_about_the_head() {
        let mut snap = SnapTurn::default();
        assert_eq!(
            snap.update(Vec2::new(0.5, 0.0)),
            None,
            "a nudge is not a turn"
        );
        let right = snap.update(Vec2::new(0.9, 0.1)).unwrap();
        assert!(
            (right + 30f32.to_radians()).abs() < 1e-6,
            "right turns clockwise"
        );
        assert_eq!(
            snap.update(Vec2::new(1.0, 0.0)),
            None,
            "holding the stick does not spin"
        );
        assert_eq!(snap.update(Vec2::new(0.1, 0.0)), None);
        assert!(
            snap.update(Vec2::new(-0.8, 0.0)).unwrap() > 0.0,
            "re-armed, left turns counter-clockwise"
        );
        assert_eq!(
            SnapTurn::default().update(Vec2::new(0.75, 0.9)),
            None,
            "mostly forward is the teleport, not a turn"
        );

        let root = Transform::from_xyz(0.0, 0.0, 0.0);
        let head = Vec3::new(0.5, 1.7, -0.2);
        let turned = turn_root_about_head(root, head, 90f32.to_radians());
        // The head's place in the play space, seen through the turned root, is where it was.
        let head_local = head - root.translation;
        let head_after = turned.translation + turned.rotation * head_local;
        assert!(
            (head_after - head).length() < 1e-5,
            "{head_after} vs {head}"
        );
    }

    #[test]
    fn smooth_locomotion_follows_the_head_and_ignores_drift() {
        let root = Transform::default();
        let moved = smooth_move(
            root,
            Vec3::new(0.0, -0.5, -1.0),
            Vec2::new(0.0, 1.0),
            2.0,
            0.5,
        );
        assert!(
            (moved.translation - Vec3::new(0.0, 0.0, -1.0)).length() < 1e-5,
            "{}",
            moved.translation
        );
        assert_eq!(
            smooth_move(root, Vec3::NEG_Z, Vec2::new(0.1, 0.05), 2.0, 1.0),
            root,
            "stick drift does not move"
        );
    }

    #[test]
    fn the_pointer_takes_the_nearest_target_and_reports_panel_uv() {
        let panel = PointerTarget::Panel {
            center: Vec3::new(0.0, 1.5, -2.0),
            right: Vec3::X,
            up: Vec3::Y,
            half_size: Vec2::new(0.5, 0.3),
        };
        let marker = PointerTarget::Sphere {
            center: Vec3::new(0.0, 1.5, -4.0),
            radius: 0.1,
        };
        let hit = pointer_hit(Vec3::new(0.25, 1.65, 0.0), Vec3::NEG_Z, &[marker, panel]).unwrap();
        assert_eq!(hit.index, 1, "the panel is in front of the marker");
        let uv = hit.uv.unwrap();
        assert!(
            (uv - Vec2::new(0.75, 0.25)).length() < 1e-5,
            "right and up of centre: {uv}"
        );
        assert!((hit.distance - 2.0).abs() < 1e-5);
        // Beside the panel, the marker behind it is hit.
        let hit = pointer_hit(Vec3::new(0.0, 1.5, -3.0), Vec3::NEG_Z, &[marker, panel]).unwrap();
        assert_eq!((hit.index, hit.uv), (0, None));
        assert!((hit.distance - 0.9).abs() < 1e-5);
        assert_eq!(
            pointer_hit(Vec3::ZERO, Vec3::Z, &[marker, panel]),
            None,
            "nothing behind the visitor"
        );
    }

    #[test]
    fn a_tour_stop_stands_the_visitor_at_its_eye_point_facing_its_target() {
        let head_local = Vec3::new(0.3, 1.6, 0.2);
        let root = root_for_stop(
            Vec3::new(5.0, 1.7, 5.0),
            Vec3::new(5.0, 1.0, 0.0),
            0.0,
            head_local,
        );
        let head = root.translation + root.rotation * head_local;
        assert!(
            (head.x - 5.0).abs() < 1e-5 && (head.z - 5.0).abs() < 1e-5,
            "{head}"
        );
        assert!(root.translation.y.abs() < 1e-6, "on the floor");
        let forward = root.rotation * Vec3::NEG_Z;
        assert!(
            (forward - Vec3::NEG_Z).length() < 1e-5,
            "faces the target: {forward}"
        );
        let root = root_for_stop(Vec3::ZERO, Vec3::new(3.0, 0.0, 0.0), 0.0, Vec3::ZERO);
        assert!(((root.rotation * Vec3::NEG_Z) - Vec3::X).length() < 1e-5);
    }
}
