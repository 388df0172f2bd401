//! The Web Audio API's spatialisation formulas (W3C Web Audio API 1.0, PannerNode), as pure
//! functions on plain arrays.

pub type V3 = [f32; 3];

fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn dot(a: V3, b: V3) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn cross(a: V3, b: V3) -> V3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
fn len(a: V3) -> f32 {
    dot(a, a).sqrt()
}
fn norm(a: V3) -> V3 {
    let l = len(a);
    if l < 1e-12 {
        [0.0; 3]
    } else {
        [a[0] / l, a[1] / l, a[2] / l]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DistanceModel {
    Linear,
    Inverse,
    Exponential,
}

/// The gain for a source `distance` metres away (spec §"Distance Effects").
pub fn distance_gain(
    model: DistanceModel,
    distance: f32,
    ref_distance: f32,
    max_distance: f32,
    rolloff: f32,
) -> f32 {
    match model {
        DistanceModel::Linear => {
            // The spec clamps the distance to [ref, max] and the rolloff to [0, 1].
            let d = distance.clamp(
                ref_distance.min(max_distance),
                max_distance.max(ref_distance),
            );
            let r = rolloff.clamp(0.0, 1.0);
            if max_distance == ref_distance {
                return 1.0 - r;
            }
            1.0 - r * (d - ref_distance) / (max_distance - ref_distance)
        }
        DistanceModel::Inverse => {
            let d = distance.max(ref_distance);
            if ref_distance == 0.0 && rolloff == 0.0 {
                return 1.0;
            }
            ref_distance / (ref_distance + rolloff * (d - ref_distance))
        }
        DistanceModel::Exponential => {
            let d = distance.max(ref_distance);
            if ref_distance == 0.0 {
                return if rolloff == 0.0 { 1.0 } else { 0.0 };
            }
            (d / ref_distance).powf(-rolloff)
        }
    }
}

/// A directional source's cone (spec §"Sound Cones"); angles in degrees, full cone widths.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cone {
    pub inner_deg: f32,
    pub outer_deg: f32,
    pub outer_gain: f32,
}

impl Cone {
    /// The spec's default: no directivity.
    pub const OMNI: Cone = Cone {
        inner_deg: 360.0,
        outer_deg: 360.0,
        outer_gain: 0.0,
    };
}

/// The cone gain for a source at `source` facing `orientation`, heard from `listener`.
pub fn cone_gain(cone: Cone, source: V3, orientation: V3, listener: V3) -> f32 {
    if len(orientation) < 1e-12 || (cone.inner_deg >= 360.0 && cone.outer_deg >= 360.0) {
        return 1.0;
    }
    let to_listener = norm(sub(listener, source));
    let angle = dot(to_listener, norm(orientation))
        .clamp(-1.0, 1.0)
        .acos()
        .to_degrees()
        .abs();
    let inner = cone.inner_deg * 0.5;
    let outer = cone.outer_deg * 0.5;
    if angle <= inner {
        1.0
    } else if angle >= outer {
        cone.outer_gain
    } else {
        let x = (angle - inner) / (outer - inner);
        (1.0 - x) + cone.outer_gain * x
    }
}

/// Where the listener is and which way it faces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Listener {
    pub position: V3,
    pub forward: V3,
    pub up: V3,
}

impl Default for Listener {
    /// The spec's default listener: at the origin, facing -Z, +Y up.
    fn default() -> Self {
        Self {
            position: [0.0; 3],
            forward: [0.0, 0.0, -1.0],
            up: [0.0, 1.0, 0.0],
        }
    }
}

/// The source's azimuth in degrees as the spec computes it for panning: 0 straight ahead,
/// +90 to the right, -90 to the left (front and back folded together).
pub fn azimuth(listener: &Listener, source: V3) -> f32 {
    let rel = sub(source, listener.position);
    if len(rel) < 1e-12 {
        return 0.0;
    }
    let source_listener = norm(rel);
    let right = norm(cross(listener.forward, listener.up));
    let front = norm(listener.forward);
    let up = cross(right, front);
    let up_projection = dot(source_listener, up);
    let projected = norm(sub(
        source_listener,
        [
            up[0] * up_projection,
            up[1] * up_projection,
            up[2] * up_projection,
        ],
    ));
    if len(projected) < 1e-12 {
        return 0.0; // straight above or below
    }
    let mut az = dot(projected, right).clamp(-1.0, 1.0).acos().to_degrees();
    if dot(projected, front) < 0.0 {
        az = 360.0 - az;
    }
    if (0.0..=90.0).contains(&az) {
        90.0 - az
    } else {
        450.0 - az
    }
}

/// Equal-power panning of a mono input (spec §"Equal-power panning"): (left gain, right gain).
pub fn equal_power(azimuth_deg: f32) -> (f32, f32) {
    let mut a = azimuth_deg;
    if a > 180.0 {
        a -= 360.0;
    }
    let a = if a < -90.0 {
        -180.0 - a
    } else if a > 90.0 {
        180.0 - a
    } else {
        a
    };
    let x = (a + 90.0) / 180.0;
    let t = x * std::f32::consts::FRAC_PI_2;
    (t.cos(), t.sin())
}

/// Everything about one source that decides its two channel gains.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SourceSpec {
    pub position: V3,
    pub orientation: V3,
    pub model: DistanceModel,
    pub ref_distance: f32,
    pub max_distance: f32,
    pub rolloff: f32,
    pub cone: Cone,
    pub volume: f32,
}

/// Left and right gains for a positioned source as the listener hears it.
pub fn stereo_gains(source: &SourceSpec, listener: &Listener) -> (f32, f32) {
    let distance = len(sub(source.position, listener.position));
    let g = source.volume
        * distance_gain(
            source.model,
            distance,
            source.ref_distance,
            source.max_distance,
            source.rolloff,
        )
        * cone_gain(
            source.cone,
            source.position,
            source.orientation,
            listener.position,
        );
    let (l, r) = equal_power(azimuth(listener, source.position));
    (g * l, g * r)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values computed by hand from the spec's formulas.
    #[test]
    fn distance_models_match_the_spec() {
        let close = |a: f32, b: f32| (a - b).abs() < 1e-6;
        assert!(close(
            distance_gain(DistanceModel::Inverse, 5.0, 1.0, 100.0, 1.0),
            0.2
        ));
        assert!(
            close(
                distance_gain(DistanceModel::Inverse, 0.5, 1.0, 100.0, 1.0),
                1.0
            ),
            "clamped at ref"
        );
        assert!(close(
            distance_gain(DistanceModel::Linear, 50.5, 1.0, 100.0, 1.0),
            0.5
        ));
        assert!(
            close(
                distance_gain(DistanceModel::Linear, 500.0, 1.0, 100.0, 1.0),
                0.0
            ),
            "clamped at max"
        );
        assert!(
            close(
                distance_gain(DistanceModel::Linear, 50.5, 1.0, 100.0, 3.0),
                0.5
            ),
            "rolloff clamped to 1"
        );
        assert!(close(
            distance_gain(DistanceModel::Exponential, 4.0, 1.0, 100.0, 2.0),
            1.0 / 16.0
        ));
    }

    #[test]
    fn cones_match_the_spec() {
        let cone = Cone {
            inner_deg: 60.0,
            outer_deg: 180.0,
            outer_gain: 0.2,
        };
        let src = [0.0; 3];
        let facing = [0.0, 0.0, 1.0];
        assert_eq!(cone_gain(cone, src, facing, [0.0, 0.0, 5.0]), 1.0);
        assert!(
            (cone_gain(cone, src, facing, [0.0, 0.0, -5.0]) - 0.2).abs() < 1e-6,
            "behind: outer gain"
        );
        // 60° off axis: halfway between the 30° inner and the 90° outer half-angles.
        let p = [60f32.to_radians().sin(), 0.0, 60f32.to_radians().cos()];
        assert!((cone_gain(cone, src, facing, p) - 0.6).abs() < 1e-5);
    }

    #[test]
    fn panning_is_equal_power_and_sided() {
        let l = Listener::default();
        let (ll, rr) = equal_power(azimuth(&l, [0.0, 0.0, -2.0]));
        assert!(
            (ll - rr).abs() < 1e-6 && (ll * ll + rr * rr - 1.0).abs() < 1e-6,
            "ahead: centred, constant power"
        );
        let (ll, rr) = equal_power(azimuth(&l, [3.0, 0.0, 0.0]));
        assert!(ll.abs() < 1e-6 && (rr - 1.0).abs() < 1e-6, "right");
        let (ll, rr) = equal_power(azimuth(&l, [-3.0, 0.0, 0.0]));
        assert!((ll - 1.0).abs() < 1e-6 && rr.abs() < 1e-6, "left");
    }
}
