//! `disan kiosk` and `disan report`: the command line of the museum kiosk. The kiosk itself is
//! the viewer with `disan_engine::kiosk`; its configuration, log and report are `disan_kiosk`'s.

use std::path::PathBuf;
use std::process::ExitCode;

use disan_kiosk::jiff::civil::{Date, DateTime};
use disan_kiosk::report::Report;
use disan_kiosk::usage::read_usage;

use crate::cli::Command;

#[derive(Debug)]
pub struct KioskArgs {
    pub config: PathBuf,
    pub simulate: Option<Simulate>,
    /// `--size WxH`: a window of this size, whatever the configuration says (tests).
    pub size: Option<(u32, u32)>,
}

#[derive(Debug)]
pub struct Simulate {
    pub hours: f64,
    pub seed: u64,
    pub start: DateTime,
    pub exit_pin: Option<String>,
    pub screenshots: Option<PathBuf>,
}

#[derive(Debug)]
pub struct ReportArgs {
    pub logs: Vec<PathBuf>,
    pub from: Date,
    pub to: Date,
    pub json: bool,
    pub out: Option<PathBuf>,
}

pub fn parse_kiosk(args: Vec<String>) -> Result<Command, String> {
    let mut it = args.into_iter();
    let (mut config, mut hours, mut seed, mut start, mut exit_pin, mut size, mut screenshots) =
        (None, None, 1u64, None, None, None, None);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--hash-pin" => return Ok(Command::HashPin),
            "--config" => config = Some(PathBuf::from(value("--config")?)),
            "--simulate" => {
                let h = value("--simulate")?;
                hours = Some(
                    h.parse::<f64>()
                        .ok()
                        .filter(|h| *h > 0.0 && *h <= 24.0 * 31.0)
                        .ok_or_else(|| {
                            format!(
                                "--simulate needs a number of hours (up to a month), not \"{h}\""
                            )
                        })?,
                );
            }
            "--seed" => {
                let s = value("--seed")?;
                seed = s
                    .parse()
                    .map_err(|_| format!("--seed needs a whole number, not \"{s}\""))?;
            }
            "--start" => {
                let s = value("--start")?;
                start = Some(s.parse::<DateTime>().map_err(|_| {
                    format!(
                        "--start needs a local date and time like 2026-12-01T08:00, not \"{s}\""
                    )
                })?);
            }
            "--exit-pin" => {
                let p = value("--exit-pin")?;
                disan_kiosk::pin::check_pin(&p)?;
                exit_pin = Some(p);
            }
            "--size" => size = Some(crate::cli::parse_size(&value("--size")?)?),
            "--screenshots" => screenshots = Some(PathBuf::from(value("--screenshots")?)),
            s => return Err(format!("unknown argument {s} for kiosk")),
        }
    }
    let config = config
        .ok_or("`kiosk` needs --config KIOSK.toml (see docs/kiosk.md for a complete example)")?;
    let simulate = match hours {
        Some(hours) => Some(Simulate {
            hours,
            seed,
            start: start
                .unwrap_or_else(|| disan_kiosk::jiff::civil::date(2026, 12, 1).at(8, 0, 0, 0)),
            exit_pin,
            screenshots,
        }),
        None if start.is_some() || exit_pin.is_some() || screenshots.is_some() => {
            return Err("--start, --exit-pin and --screenshots belong to --simulate".into());
        }
        None => None,
    };
    Ok(Command::Kiosk(KioskArgs {
        config,
        simulate,
        size,
    }))
}

pub fn parse_report(args: Vec<String>) -> Result<Command, String> {
    let mut it = args.into_iter();
    let (mut logs, mut from, mut to, mut json, mut out) = (Vec::new(), None, None, false, None);
    let date = |name: &str, s: String| {
        s.parse::<Date>()
            .map_err(|_| format!("{name} needs a date like 2026-12-31, not \"{s}\""))
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--from" => from = Some(date("--from", value("--from")?)?),
            "--to" => to = Some(date("--to", value("--to")?)?),
            "--format" => match value("--format")?.as_str() {
                "csv" => json = false,
                "json" => json = true,
                other => return Err(format!("--format must be csv or json, not \"{other}\"")),
            },
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            s if s.starts_with('-') => return Err(format!("unknown option {s} for report")),
            s => logs.push(PathBuf::from(s)),
        }
    }
    if logs.is_empty() {
        return Err(
            "`report` needs at least one usage log (the kiosk's `monitor.usage_log`)".into(),
        );
    }
    let year = disan_kiosk::jiff::Zoned::now().year();
    let from = from.unwrap_or_else(|| disan_kiosk::jiff::civil::date(year, 1, 1));
    let to = to.unwrap_or_else(|| disan_kiosk::jiff::civil::date(year, 12, 31));
    if to < from {
        return Err(format!("--to ({to}) is before --from ({from})"));
    }
    Ok(Command::Report(ReportArgs {
        logs,
        from,
        to,
        json,
        out,
    }))
}

/// `disan kiosk --config FILE`: the configuration checked, then the viewer as a kiosk.
pub fn run(args: KioskArgs) -> ExitCode {
    let config = match disan_kiosk::KioskConfig::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("disan kiosk: {e}");
            return ExitCode::from(78);
        }
    };
    let simulate = args
        .simulate
        .map(|s| disan_engine::kiosk::simulate::Simulation {
            hours: s.hours,
            seed: s.seed,
            start: s.start,
            exit_pin: s.exit_pin,
            screenshots: s.screenshots,
        });
    let trust = match crate::integrity::load_trusted_keys(&config.trusted_keys) {
        Ok(keys) => keys,
        Err(e) => {
            eprintln!(
                "disan kiosk: {}: [integrity] trusted_keys: {e}",
                args.config.display()
            );
            return ExitCode::from(78);
        }
    };
    let view = crate::cli::ViewArgs {
        path: Some(config.catalogue.clone()),
        trust,
        lang: config.language.clone(),
        size: args.size.or(config.display.window),
        ..Default::default()
    };
    crate::run_viewer(
        view,
        Some(disan_engine::kiosk::KioskSetup { config, simulate }),
    )
}

/// `disan kiosk --hash-pin`: the PIN from the terminal (never from the command line, which the
/// shell's history and `ps` would keep), its hash to the screen.
pub fn hash_pin() -> ExitCode {
    eprint!("PIN (4–12 digits): ");
    let mut line = String::new();
    if std::io::stdin().read_line(&mut line).is_err() {
        eprintln!("disan kiosk: no PIN could be read");
        return ExitCode::from(66);
    }
    match disan_kiosk::pin::hash_pin(line.trim()) {
        Ok(hash) => {
            println!("pin_hash = \"{hash}\"");
            eprintln!("Put this line under [exit] in kiosk.toml.");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("disan kiosk: {e}");
            ExitCode::from(65)
        }
    }
}

/// `disan report`: the logs summed, to the screen or a file.
pub fn report(args: ReportArgs) -> ExitCode {
    let mut records = Vec::new();
    for log in &args.logs {
        match read_usage(log) {
            Ok(read) => {
                if !read.damaged_lines.is_empty() {
                    let lines: Vec<String> =
                        read.damaged_lines.iter().map(ToString::to_string).collect();
                    eprintln!(
                        "disan report: {}: {} line(s) could not be read and are left out (line {}); a line cut short by a power cut is expected, more are not",
                        log.display(),
                        lines.len(),
                        lines.join(", ")
                    );
                }
                records.extend(read.records);
            }
            Err(e) => {
                eprintln!("disan report: {}: cannot be read ({e})", log.display());
                return ExitCode::from(66);
            }
        }
    }
    let report = Report::new(&records, args.from, args.to);
    if report.unreadable_times > 0 {
        eprintln!(
            "disan report: {} record(s) have no readable date and are left out",
            report.unreadable_times
        );
    }
    let text = if args.json {
        report.to_json()
    } else {
        report.to_csv()
    };
    match args.out {
        Some(path) => match std::fs::write(&path, text) {
            Ok(()) => {
                eprintln!("disan report: wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("disan report: {} cannot be written ({e})", path.display());
                ExitCode::from(73)
            }
        },
        None => {
            print!("{text}");
            ExitCode::SUCCESS
        }
    }
}

/// `disan watchdog --config KIOSK.toml [--log FILE]`.
#[derive(Debug)]
pub struct WatchdogArgs {
    pub config: PathBuf,
    pub log: Option<PathBuf>,
    /// `--check`: check the configuration, say what would be watched, and exit.
    pub check: bool,
}

pub fn parse_watchdog(args: Vec<String>) -> Result<Command, String> {
    let mut it = args.into_iter();
    let (mut config, mut log, mut check) = (None, None, false);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--check" => check = true,
            "--config" => config = Some(PathBuf::from(value("--config")?)),
            "--log" => log = Some(PathBuf::from(value("--log")?)),
            s => return Err(format!("unknown argument {s} for watchdog")),
        }
    }
    let config = config
        .ok_or("`watchdog` needs --config KIOSK.toml, the kiosk's configuration (docs/kiosk.md)")?;
    Ok(Command::Watchdog(WatchdogArgs { config, log, check }))
}

/// `disan watchdog`: runs `disan kiosk --config FILE` and starts it again when it dies or hangs
/// (`disan_kiosk::watchdog`), for machines without systemd: the Windows scheduled task in
/// packaging/windows/ runs it at logon. Its log goes to stderr and, appended, to `--log` (by
/// default `disan-watchdog.log` beside the status file).
pub fn watchdog(args: WatchdogArgs) -> ExitCode {
    // A configuration the kiosk would refuse is refused here, once, rather than by ten
    // restarts of the kiosk.
    let config = match disan_kiosk::KioskConfig::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("disan watchdog: {e}");
            return ExitCode::from(78);
        }
    };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("disan watchdog: cannot find the disan program to start ({e})");
            return ExitCode::from(71);
        }
    };
    let log_file = args
        .log
        .unwrap_or_else(|| config.status_file.with_file_name("disan-watchdog.log"));
    let config_file = std::path::absolute(&args.config).unwrap_or(args.config);
    let watch =
        disan_kiosk::watchdog::Watch::kiosk(exe, config_file.clone(), config.status_file.clone());
    if args.check {
        println!(
            "{}: the kiosk \"{}\" can be watched: exhibits from {}, status file {}, watchdog log {}",
            config_file.display(),
            config.name,
            config.catalogue.display(),
            watch.status_file.display(),
            log_file.display()
        );
        return ExitCode::SUCCESS;
    }
    if let Some(dir) = log_file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let say = |line: &str| {
        let now = disan_kiosk::jiff::Zoned::now();
        let line = format!(
            "{} disan watchdog: {line}",
            now.timestamp().display_with_offset(now.offset())
        );
        eprintln!("{line}");
        // The log is a help, not a condition: a kiosk is kept running without it.
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_file)
            .and_then(|mut f| std::io::Write::write_all(&mut f, format!("{line}\n").as_bytes()));
    };
    say(&format!(
        "watching the kiosk of {} (status file {}, log {})",
        config_file.display(),
        watch.status_file.display(),
        log_file.display()
    ));
    match watch.run(&mut |event| say(&event.to_string())) {
        Ok(disan_kiosk::watchdog::Ended::ClosedByStaff) => {
            say("the kiosk was closed by staff; the watch ends");
            ExitCode::SUCCESS
        }
        Ok(disan_kiosk::watchdog::Ended::GaveUp { .. }) => ExitCode::FAILURE,
        Err(e) => {
            say(&e.to_string());
            ExitCode::FAILURE
        }
    }
}
