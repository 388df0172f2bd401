//! Progress for staff watching a long pack: one bar per step on a terminal, nothing when the
//! output is for a script (`--json`) or goes to a file.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    /// Prefixed to every step (the scan's name in a batch).
    label: String,
}

impl Progress {
    /// Bars on stderr when it is a terminal and `show` is set.
    pub fn new(show: bool, label: impl Into<String>) -> Self {
        let bar = show.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} {msg:<28} [{bar:30}] {percent:>3}% {elapsed}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar
        });
        let label = label.into();
        if let Some(bar) = &bar {
            bar.set_prefix(label.clone());
        }
        Self { bar, label }
    }

    pub fn hidden() -> Self {
        Self {
            bar: None,
            label: String::new(),
        }
    }

    /// A new step: the bar restarts at 0 with this name.
    pub fn step(&self, name: String) {
        if let Some(bar) = &self.bar {
            bar.set_length(100);
            bar.set_position(0);
            bar.set_message(name);
        }
    }

    /// How far the current step is, 0–1.
    pub fn fraction(&self, f: f64) {
        if let Some(bar) = &self.bar {
            bar.set_position((f.clamp(0.0, 1.0) * 100.0) as u64);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    pub fn label(&self) -> &str {
        &self.label
    }
}
