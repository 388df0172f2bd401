//! `disan --soak N`: walks through the catalogue N times, one exhibit after another, as fast as
//! each can be shown (or refused), and logs what became of each and how the process's memory
//! grew. The broken-content suite and the 500-switch soak test run the real viewer this way: a
//! kiosk switching exhibits all day must neither die, hang nor grow.
//!
//! Log lines (all start with `soak:`):
//! - `soak: K ID shown [notices: FILE, …]` or `soak: K ID error: PROBLEM | PROBLEM …`;
//! - `soak: pass P RSS R KiB` after each pass through the catalogue, then at the end
//!   `soak: done after N switches: RSS R KiB (baseline B KiB, growth G %, peak K KiB; passes KiB:
//!   R1 R2 …)`.
//!
//! Memory is compared pass against pass, at the same point of the walk (the same exhibit just
//! left): the baseline is the median of passes 2–4 (the first loads pipelines and fills caches),
//! the end the median of the last three passes, so one allocator's breath does not count as
//! growth while a steady leak still does. Each is read after the allocator has handed its free
//! pages back (`malloc_trim`), so it is memory in use, not memory the allocator keeps.

use bevy::prelude::*;

use crate::ViewerState;
use crate::first_frame::peak_rss_kib;
use crate::framing::ExhibitBounds;
use crate::library::{ExhibitLibrary, SwitchExhibit};
use crate::loading::OpenFailure;
use crate::policy::ExhibitNotices;

pub(super) fn plugin(app: &mut App) {
    if let Some(switches) = app.world().resource::<crate::ViewerConfig>().soak {
        app.insert_resource(Soak {
            remaining: switches,
            done: 0,
            passes_kib: Vec::new(),
            settled_frames: 0,
        })
        .add_systems(Update, next_exhibit_when_settled);
    }
}

#[derive(Resource)]
struct Soak {
    remaining: u32,
    done: u32,
    /// The resident memory after each full pass through the catalogue.
    passes_kib: Vec<u64>,
    settled_frames: u32,
}

/// Frames an exhibit stays on screen before the next one: enough to draw it and play its first
/// sounds, so rendering and audio are exercised too.
const FRAMES_ON_SCREEN: u32 = 3;

/// The resident memory now (VmRSS), in KiB; Linux only.
pub(crate) fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The resident memory at a pass's end, after handing the allocator's free pages back to the
/// system, so that it counts memory still in use. Found in a cold test run with builds beside it:
/// the same 500 switches grew 6.9 % under load and 0.3 % alone. Under contention glibc's malloc
/// opens more arenas and keeps freed pages in each, which is not a leak; memory still referenced
/// (a leak) cannot be trimmed and still counts.
fn in_use_rss_kib() -> Option<u64> {
    release_free_heap_pages();
    rss_kib()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn release_free_heap_pages() {
    unsafe extern "C" {
        /// glibc's `malloc_trim(3)`: returns free memory of every arena to the system.
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: malloc_trim takes no pointers, only touches the allocator's own free lists under
    // its locks, and may be called from any thread at any time.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_heap_pages() {}

#[allow(clippy::too_many_arguments)]
fn next_exhibit_when_settled(
    mut soak: ResMut<Soak>,
    state: Res<State<ViewerState>>,
    bounds: Res<ExhibitBounds>,
    library: Res<ExhibitLibrary>,
    failure: Res<OpenFailure>,
    notices: Res<ExhibitNotices>,
    mut switch: MessageWriter<SwitchExhibit>,
    mut exit: MessageWriter<AppExit>,
) {
    let settled = match state.get() {
        ViewerState::Exhibit => bounds.0.is_some(),
        ViewerState::Error => true,
        ViewerState::Loading => false,
    };
    if !settled {
        soak.settled_frames = 0;
        return;
    }
    soak.settled_frames += 1;
    if soak.settled_frames < FRAMES_ON_SCREEN {
        return;
    }
    let id = library.current_package().map_or_else(
        || {
            library
                .current()
                .as_ref()
                .err()
                .map_or(String::new(), |e| e.root.display().to_string())
        },
        |p| p.manifest.id.clone(),
    );
    let k = soak.done + 1;
    match state.get() {
        ViewerState::Error => {
            let problems = if failure.problems.is_empty() {
                library
                    .current()
                    .as_ref()
                    .err()
                    .map(|e| {
                        e.problems
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            } else {
                failure.problems.clone()
            };
            info!("soak: {k} {id} error: {}", problems.join(" | "));
        }
        _ if notices.0.is_empty() => info!("soak: {k} {id} shown"),
        _ => info!(
            "soak: {k} {id} shown [notices: {}]",
            notices
                .0
                .iter()
                .map(|n| format!("{}: {}", n.file, n.reason))
                .collect::<Vec<_>>()
                .join(" | ")
        ),
    }
    soak.done += 1;
    soak.settled_frames = 0;
    if soak.done as usize % library.len().max(1) == 0 {
        let rss = in_use_rss_kib().unwrap_or(0);
        soak.passes_kib.push(rss);
        info!("soak: pass {} RSS {rss} KiB", soak.passes_kib.len());
    }
    if soak.remaining == 0 || soak.done >= soak.remaining {
        let passes = &soak.passes_kib;
        let median = |v: &[u64]| {
            let mut v = v.to_vec();
            v.sort_unstable();
            v.get(v.len() / 2).copied().unwrap_or(0)
        };
        let now = in_use_rss_kib().unwrap_or(0);
        let (base, end) = if passes.len() >= 7 {
            (median(&passes[1..4]), median(&passes[passes.len() - 3..]))
        } else {
            (passes.first().copied().unwrap_or(now), now)
        };
        let base = base.max(1);
        info!(
            "soak: done after {} switches: RSS {end} KiB (baseline {base} KiB, growth {:.1} %, peak {} KiB; passes KiB: {})",
            soak.done,
            (end as f64 - base as f64) * 100.0 / base as f64,
            peak_rss_kib().unwrap_or(0),
            passes
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        );
        exit.write(AppExit::Success);
        return;
    }
    switch.write(SwitchExhibit::Next);
}
