//! Frame cost for `cargo xtask bench`: with `DISAN_FRAME_COST=N` set, the viewer measures, for N
//! frames once the exhibit is framed, the CPU time of the engine's own frame work (from the end
//! of input handling in PreUpdate to the start of transform propagation in PostUpdate: the
//! Update schedule, where Disan's systems run; rendering and the XR runtime's frame wait are
//! outside it), logs the median and 99th percentile, and exits. The same measure runs in the
//! desktop window and in the headset.

use bevy::platform::time::Instant;
use bevy::prelude::*;

use crate::framing::ExhibitBounds;

pub(super) fn plugin(app: &mut App) {
    let Some(frames) = std::env::var("DISAN_FRAME_COST")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return;
    };
    app.insert_resource(FrameCost {
        wanted: frames,
        started: None,
        costs: Vec::with_capacity(frames),
        last_start: None,
        intervals: Vec::with_capacity(frames),
    })
    .add_systems(PreUpdate, start_frame.after(bevy::input::InputSystems))
    .add_systems(PostUpdate, end_frame.before(TransformSystems::Propagate));
}

#[derive(Resource)]
struct FrameCost {
    wanted: usize,
    started: Option<Instant>,
    costs: Vec<f64>,
    /// When the previous measured frame began: the interval between two is the whole frame,
    /// rendering included (1000 / its median is the frame rate).
    last_start: Option<Instant>,
    intervals: Vec<f64>,
}

fn start_frame(mut cost: ResMut<FrameCost>) {
    cost.started = Some(Instant::now());
}

/// The `p`-th percentile (0–1) of sorted samples, nearest rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn end_frame(
    mut cost: ResMut<FrameCost>,
    bounds: Res<ExhibitBounds>,
    clouds: Option<Res<crate::pointcloud::PointClouds>>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(started) = cost.started.take() else {
        return;
    };
    // Measured once framed, and with point clouds once they stopped streaming in.
    let clouds_settled = clouds
        .as_ref()
        .is_none_or(|c| c.clouds.is_empty() || c.settled());
    if bounds.0.is_none() || !clouds_settled || cost.costs.len() >= cost.wanted {
        return;
    }
    cost.costs.push(started.elapsed().as_secs_f64() * 1000.0);
    if let Some(last) = cost.last_start.replace(started) {
        let interval = started.duration_since(last).as_secs_f64() * 1000.0;
        cost.intervals.push(interval);
    }
    if cost.costs.len() == cost.wanted {
        let mut sorted = cost.costs.clone();
        sorted.sort_by(f64::total_cmp);
        let mut intervals = cost.intervals.clone();
        intervals.sort_by(f64::total_cmp);
        // Read by `cargo xtask bench`; keep the wording stable.
        info!(
            "frame-cost-ms frames={} median={:.3} p99={:.3} max={:.3} interval-median={:.3} points-shown={}",
            sorted.len(),
            percentile(&sorted, 0.5),
            percentile(&sorted, 0.99),
            sorted[sorted.len() - 1],
            percentile(&intervals, 0.5),
            clouds.map_or(0, |c| c.points_shown())
        );
        exit.write(AppExit::Success);
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&s, 0.5), 50.0);
        assert_eq!(percentile(&s, 0.99), 99.0);
        assert_eq!(percentile(&s, 1.0), 100.0);
        assert_eq!(percentile(&[3.0], 0.99), 3.0);
        assert!(percentile(&[], 0.5).is_nan());
    }
}
