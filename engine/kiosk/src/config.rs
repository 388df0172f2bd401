//! `kiosk.toml`: what a museum sets for one kiosk (docs/kiosk.md has the complete example).
//! Every field is checked when the kiosk starts, and a mistake is named by file and field with
//! what to write instead, before anything is shown: a kiosk must not start half-configured.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::hours::{HoursError, OpeningHours};

/// A kiosk's settings, read from `kiosk.toml`. Paths in the file are relative to its folder.
#[derive(Debug, Clone, PartialEq)]
pub struct KioskConfig {
    /// The kiosk's name in the usage log and the status file (several kiosks, one report).
    pub name: String,
    /// The folder of exhibit packages.
    pub catalogue: PathBuf,
    /// The gallery: these packages (folder names) in this order; empty: every package.
    pub exhibits: Vec<String>,
    /// The language every visit starts in, and the kiosk returns to at each reset.
    pub language: String,
    pub idle: IdleTimes,
    pub attract: AttractSettings,
    pub exit: ExitSettings,
    pub hours: OpeningHours,
    /// Where the status file for the museum's monitoring is written.
    pub status_file: PathBuf,
    /// Where the usage counters are appended.
    pub usage_log: PathBuf,
    pub display: DisplaySettings,
    /// Public keys (`disan keygen`'s `.pub` files) of which one must have signed each package;
    /// empty: packages need no signature (docs/integrity.md).
    pub trusted_keys: Vec<PathBuf>,
}

/// How long a kiosk waits, in seconds since the last touch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IdleTimes {
    /// Before the countdown starts.
    pub reset_after: f64,
    /// The countdown's length; then the reset.
    pub countdown: f64,
    /// Before the attract loop starts (at least `reset_after + countdown`).
    pub attract_after: f64,
}

impl Default for IdleTimes {
    /// A minute and a half, as kiosk shells default to (30–120 s); ten seconds to notice the
    /// countdown; the attract loop a minute after the reset.
    fn default() -> Self {
        Self {
            reset_after: 90.0,
            countdown: 10.0,
            attract_after: 160.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttractSettings {
    /// The loudness of the attract loop, 0–1 of a visitor's.
    pub volume: f32,
    /// How fast the camera turns about the exhibit, in degrees per second: slow enough to be
    /// calm, fast enough that no pixel shows the same thing for long (burn-in).
    pub drift_degrees_per_second: f32,
    /// How long an exhibit without a tour is shown before the next.
    pub seconds_per_exhibit: f64,
}

impl Default for AttractSettings {
    fn default() -> Self {
        Self {
            volume: 0.3,
            drift_degrees_per_second: 3.0,
            seconds_per_exhibit: 60.0,
        }
    }
}

/// Which screen corner hides the exit, and its PIN.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitSettings {
    pub corner: Corner,
    /// How long the corner must be held before the PIN pad shows.
    pub hold_seconds: f64,
    /// The PIN's Argon2id hash (`disan kiosk --hash-pin`); without one the kiosk has no exit.
    pub pin_hash: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DisplaySettings {
    /// Full screen on the primary monitor (the default), or a window of this size (for
    /// trying a configuration on a desktop).
    pub window: Option<(u32, u32)>,
    /// Hide the mouse pointer (touch screens).
    pub hide_cursor: bool,
}

/// A mistake in `kiosk.toml`, with the file and the field.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "{file}: cannot be read ({source}). Give the path of the kiosk's configuration file (see docs/kiosk.md)."
    )]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    Syntax { file: PathBuf, message: String },
    #[error("{file}: `{field}` {problem}")]
    Field {
        file: PathBuf,
        field: String,
        problem: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    name: Option<String>,
    catalogue: PathBuf,
    #[serde(default)]
    exhibits: Vec<String>,
    language: Option<String>,
    #[serde(default)]
    idle: RawIdle,
    #[serde(default)]
    attract: RawAttract,
    #[serde(default)]
    exit: RawExit,
    #[serde(default)]
    hours: Vec<crate::hours::RawHours>,
    #[serde(default)]
    closed_dates: Vec<String>,
    #[serde(default)]
    monitor: RawMonitor,
    #[serde(default)]
    display: RawDisplay,
    #[serde(default)]
    integrity: RawIntegrity,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawIntegrity {
    #[serde(default)]
    trusted_keys: Vec<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawIdle {
    reset_after: Option<f64>,
    countdown: Option<f64>,
    attract_after: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAttract {
    volume: Option<f32>,
    drift_degrees_per_second: Option<f32>,
    seconds_per_exhibit: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawExit {
    corner: Option<Corner>,
    hold_seconds: Option<f64>,
    pin_hash: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMonitor {
    status_file: Option<PathBuf>,
    usage_log: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDisplay {
    window: Option<String>,
    hide_cursor: Option<bool>,
}

impl KioskConfig {
    /// Reads and checks `kiosk.toml`.
    pub fn load(file: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Read {
            file: file.to_owned(),
            source,
        })?;
        Self::parse(&text, file)
    }

    /// Checks the text of `kiosk.toml`; `file` names it in errors and anchors relative paths.
    pub fn parse(text: &str, file: &Path) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        let field = |field: &str, problem: String| ConfigError::Field {
            file: file.to_owned(),
            field: field.to_owned(),
            problem,
        };
        let base = file.parent().unwrap_or(Path::new("."));
        let resolve = |p: &Path| {
            if p.is_absolute() {
                p.to_owned()
            } else {
                base.join(p)
            }
        };

        let seconds =
            |name: &str, value: Option<f64>, default: f64, min: f64| -> Result<f64, ConfigError> {
                let v = value.unwrap_or(default);
                if !v.is_finite() || v < min || v > 86_400.0 {
                    return Err(field(
                        name,
                        format!("is {v}: give a number of seconds from {min} to 86400"),
                    ));
                }
                Ok(v)
            };
        let d = IdleTimes::default();
        let idle = IdleTimes {
            reset_after: seconds("idle.reset_after", raw.idle.reset_after, d.reset_after, 5.0)?,
            countdown: seconds("idle.countdown", raw.idle.countdown, d.countdown, 1.0)?,
            attract_after: seconds(
                "idle.attract_after",
                raw.idle.attract_after,
                d.attract_after,
                5.0,
            )?,
        };
        if idle.attract_after < idle.reset_after + idle.countdown {
            return Err(field(
                "idle.attract_after",
                format!(
                    "is {} s, but the reset comes at idle.reset_after + idle.countdown = {} s: the attract loop starts after the reset, so make it at least {}",
                    idle.attract_after,
                    idle.reset_after + idle.countdown,
                    idle.reset_after + idle.countdown
                ),
            ));
        }
        let a = AttractSettings::default();
        let volume = raw.attract.volume.unwrap_or(a.volume);
        if !(0.0..=1.0).contains(&volume) {
            return Err(field(
                "attract.volume",
                format!(
                    "is {volume}: give a loudness from 0 (silent) to 1 (as loud as for a visitor)"
                ),
            ));
        }
        let drift = raw
            .attract
            .drift_degrees_per_second
            .unwrap_or(a.drift_degrees_per_second);
        if !(0.0..=30.0).contains(&drift) {
            return Err(field(
                "attract.drift_degrees_per_second",
                format!("is {drift}: give 0 (still) to 30 degrees per second; 2–5 is calm"),
            ));
        }
        let attract = AttractSettings {
            volume,
            drift_degrees_per_second: drift,
            seconds_per_exhibit: seconds(
                "attract.seconds_per_exhibit",
                raw.attract.seconds_per_exhibit,
                a.seconds_per_exhibit,
                5.0,
            )?,
        };
        let exit = ExitSettings {
            corner: raw.exit.corner.unwrap_or(Corner::TopLeft),
            hold_seconds: seconds("exit.hold_seconds", raw.exit.hold_seconds, 4.0, 1.0)?,
            pin_hash: match raw.exit.pin_hash {
                Some(h) => {
                    crate::pin::check_hash(&h)
                        .map_err(|problem| field("exit.pin_hash", problem))?;
                    Some(h)
                }
                None => None,
            },
        };
        let hours = OpeningHours::from_raw(&raw.hours, &raw.closed_dates).map_err(|e| match e {
            HoursError::Rule { index, problem } => field(&format!("hours[{index}]"), problem),
            HoursError::ClosedDate { index, problem } => {
                field(&format!("closed_dates[{index}]"), problem)
            }
        })?;
        let language = raw.language.unwrap_or_else(|| "vi".into());
        if language.is_empty()
            || !language
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(field(
                "language",
                format!("is \"{language}\": give a language code such as \"vi\" or \"en\""),
            ));
        }
        for (i, id) in raw.exhibits.iter().enumerate() {
            if id.is_empty() || id.contains(['/', '\\']) || id == ".." || id == "." {
                return Err(field(
                    &format!("exhibits[{i}]"),
                    format!("is \"{id}\": name a package by its folder name inside `catalogue`"),
                ));
            }
        }
        let window = match raw.display.window.as_deref() {
            None | Some("fullscreen") => None,
            Some(size) => Some(
                size.split_once('x')
                    .and_then(|(w, h)| Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?)))
                    .filter(|&(w, h)| (200..=16384).contains(&w) && (200..=16384).contains(&h))
                    .ok_or_else(|| field("display.window", format!("is \"{size}\": write \"fullscreen\" or a size such as \"1920x1080\"")))?,
            ),
        };
        let name = raw.name.unwrap_or_else(|| "kiosk".into());
        if name.trim().is_empty() {
            return Err(field("name", "is empty: name the kiosk (for example \"bao-tang-tang-1\") so its counters can be told apart".into()));
        }
        Ok(Self {
            name,
            catalogue: resolve(&raw.catalogue),
            exhibits: raw.exhibits,
            language,
            idle,
            attract,
            exit,
            hours,
            status_file: resolve(
                &raw.monitor
                    .status_file
                    .unwrap_or_else(|| "disan-kiosk-status.json".into()),
            ),
            usage_log: resolve(
                &raw.monitor
                    .usage_log
                    .unwrap_or_else(|| "disan-usage.jsonl".into()),
            ),
            display: DisplaySettings {
                window,
                hide_cursor: raw.display.hide_cursor.unwrap_or(true),
            },
            trusted_keys: raw
                .integrity
                .trusted_keys
                .iter()
                .map(|k| resolve(k))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<KioskConfig, String> {
        KioskConfig::parse(text, Path::new("/srv/kiosk/kiosk.toml")).map_err(|e| e.to_string())
    }

    /// The file the Windows zip carries (packaging/windows/), read as `disan watchdog` reads it
    /// beside `disan.exe`: paths relative to its folder.
    #[test]
    fn the_windows_packages_kiosk_file_is_valid() {
        let text = include_str!("../../../packaging/windows/kiosk.toml");
        let c = KioskConfig::parse(text, Path::new("/disan/kiosk.toml")).unwrap();
        assert_eq!(c.catalogue, Path::new("/disan/exhibits"));
        assert_eq!(c.status_file, Path::new("/disan/data/kiosk-status.json"));
        assert_eq!(c.usage_log, Path::new("/disan/data/usage.jsonl"));
        assert_eq!(c.language, "vi");
    }

    #[test]
    fn the_smallest_file_names_a_catalogue_and_takes_defaults() {
        let c = parse("catalogue = \"exhibits\"").unwrap();
        assert_eq!(c.catalogue, Path::new("/srv/kiosk/exhibits"));
        assert_eq!(c.language, "vi", "Vietnamese first");
        assert_eq!(c.idle, IdleTimes::default());
        assert!(c.hours.always_open());
        assert_eq!(c.exit.pin_hash, None);
        assert_eq!(c.display.window, None, "full screen");
        assert_eq!(c.usage_log, Path::new("/srv/kiosk/disan-usage.jsonl"));
    }

    #[test]
    fn trusted_keys_are_found_beside_the_configuration() {
        assert!(
            parse("catalogue = \"exhibits\"")
                .unwrap()
                .trusted_keys
                .is_empty(),
            "no signatures required by default"
        );
        let c = parse("catalogue = \"exhibits\"\n[integrity]\ntrusted_keys = [\"keys/bao-tang.key.pub\", \"/etc/disan/so-vh.pub\"]").unwrap();
        assert_eq!(
            c.trusted_keys,
            [
                Path::new("/srv/kiosk/keys/bao-tang.key.pub"),
                Path::new("/etc/disan/so-vh.pub")
            ]
        );
        assert!(
            parse("catalogue = \"exhibits\"\n[integrity]\nrequire = true")
                .unwrap_err()
                .contains("require")
        );
    }

    #[test]
    fn mistakes_are_named_by_field() {
        let e = parse(
            "catalogue = \"x\"\n[idle]\nreset_after = 60\ncountdown = 10\nattract_after = 30",
        )
        .unwrap_err();
        assert!(
            e.contains("kiosk.toml")
                && e.contains("`idle.attract_after`")
                && e.contains("at least 70"),
            "{e}"
        );
        let e = parse("catalogue = \"x\"\n[idle]\nreset_after = -1").unwrap_err();
        assert!(e.contains("`idle.reset_after`"), "{e}");
        let e = parse("catalogue = \"x\"\n[attract]\nvolume = 3").unwrap_err();
        assert!(e.contains("`attract.volume`"), "{e}");
        let e = parse("catalogue = \"x\"\nexhibits = [\"../etc\"]").unwrap_err();
        assert!(e.contains("`exhibits[0]`"), "{e}");
        let e = parse("catalogue = \"x\"\n[display]\nwindow = \"big\"").unwrap_err();
        assert!(e.contains("`display.window`"), "{e}");
        let e = parse("catalogue = \"x\"\n[exit]\npin_hash = \"1234\"").unwrap_err();
        assert!(
            e.contains("`exit.pin_hash`") && e.contains("--hash-pin"),
            "{e}"
        );
        // A typo is refused with its line, not silently ignored.
        let e = parse("catalogue = \"x\"\n[idle]\nreset_afte = 60").unwrap_err();
        assert!(e.contains("reset_afte") && e.contains("line 3"), "{e}");
        let e = parse("[idle]").unwrap_err();
        assert!(e.contains("catalogue"), "{e}");
    }

    #[test]
    fn a_window_size_is_read() {
        let c = parse("catalogue = \"x\"\n[display]\nwindow = \"1080x1920\"\nhide_cursor = false")
            .unwrap();
        assert_eq!(
            c.display,
            DisplaySettings {
                window: Some((1080, 1920)),
                hide_cursor: false
            }
        );
    }
}
