//! `disan coords`: convert survey points between VN-2000 and WGS84, for staff checking a
//! survey before its numbers go into `[location]`. Systems are named by EPSG code and points
//! printed one per line, as PROJ's cs2cs does, so the two can be compared line by line.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use disan_format::geodesy::{Coord, Crs, convert, known_epsg_codes};
use disan_format::parse::{VIETNAM_LAT, VIETNAM_LON};

use crate::cli::Command;

#[derive(Debug)]
pub struct CoordsArgs {
    pub from: Crs,
    pub to: Crs,
    pub input: CoordsInput,
}

#[derive(Debug)]
pub enum CoordsInput {
    Point(Coord),
    /// A CSV file (`-` for standard input): `[name,]a,b[,h]` per line, a header line allowed.
    Csv(PathBuf),
}

fn crs_arg(flag: &str, value: Option<String>) -> Result<Crs, String> {
    let value = value.ok_or_else(|| {
        format!("{flag} needs an EPSG code, such as 4326 (WGS84) or 9210 (VN-2000 TM-3 Hải Phòng)")
    })?;
    let digits = value
        .trim()
        .trim_start_matches("EPSG:")
        .trim_start_matches("epsg:");
    digits
        .parse::<u32>()
        .ok()
        .and_then(Crs::from_epsg)
        .ok_or_else(|| {
            let known: Vec<String> = known_epsg_codes().iter().map(u32::to_string).collect();
            format!(
                "{flag} {value}: not a system Disan knows; use one of the EPSG codes {}",
                known.join(", ")
            )
        })
}

pub fn parse_coords(args: Vec<String>) -> Result<Command, String> {
    let mut it = args.into_iter();
    let (mut from, mut to, mut csv, mut numbers) = (None, None, None, Vec::new());
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--from" => from = Some(crs_arg("--from", it.next())?),
            "--to" => to = Some(crs_arg("--to", it.next())?),
            "--csv" => {
                csv = Some(PathBuf::from(
                    it.next()
                        .ok_or("--csv needs a file (or - for standard input)")?,
                ))
            }
            // A negative number is a coordinate, not an option.
            s if s.starts_with('-') && s.parse::<f64>().is_err() => {
                return Err(format!("unknown option {s} for coords"));
            }
            s => numbers
                .push(s.parse::<f64>().map_err(|_| {
                    format!("\"{s}\" is not a number: give LAT LON [H] or E N [H]")
                })?),
        }
    }
    let from =
        from.ok_or("`coords` needs --from CODE (an EPSG code: 4326, 4756, 3405, 3406, 9210, …)")?;
    let to =
        to.ok_or("`coords` needs --to CODE (an EPSG code: 4326, 4756, 3405, 3406, 9210, …)")?;
    let input = match (csv, numbers.as_slice()) {
        (Some(path), []) => CoordsInput::Csv(path),
        (Some(_), _) => return Err("give either a point or --csv FILE, not both".into()),
        (None, [a, b]) => CoordsInput::Point(Coord::new(*a, *b, 0.0)),
        (None, [a, b, h]) => CoordsInput::Point(Coord::new(*a, *b, *h)),
        (None, _) => {
            return Err(format!(
                "`coords` needs one point ({}) or --csv FILE",
                if from.is_projected() {
                    "E N [H]"
                } else {
                    "LAT LON [H]"
                }
            ));
        }
    };
    Ok(Command::Coords(CoordsArgs { from, to, input }))
}

/// The line cs2cs prints for a point: `lat<TAB>lon h` or `easting<TAB>northing h`, in decimal
/// degrees to 1e-9° (0.1 mm) and metres to the millimetre.
fn format_point(crs: &Crs, p: Coord) -> String {
    if crs.is_projected() {
        format!("{:.3}\t{:.3} {:.3}", p.a, p.b, p.h)
    } else {
        format!("{:.9}\t{:.9} {:.3}", p.a, p.b, p.h)
    }
}

/// Warnings about input that converts but is probably not what the surveyor meant.
fn plausibility(args: &CoordsArgs, input: Coord) -> Option<String> {
    if args.from.is_projected() && input.a > 900_000.0 && input.b < 900_000.0 {
        return Some(format!(
            "{} looks like a northing and {} like an easting: give the easting first (VN-2000 surveys write x = northing, y = easting; pass y x)",
            input.a, input.b
        ));
    }
    let wgs = convert(&args.from, &Crs::WGS84, input).ok()?;
    (!VIETNAM_LAT.contains(&wgs.a) || !VIETNAM_LON.contains(&wgs.b))
        .then(|| format!("the point lies outside Vietnam ({:.5}° N, {:.5}° E in WGS84): check the order and the system", wgs.a, wgs.b))
}

pub fn run(args: CoordsArgs) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match &args.input {
        CoordsInput::Point(p) => {
            if let Some(warning) = plausibility(&args, *p) {
                eprintln!("disan coords: warning: {warning}");
            }
            match convert(&args.from, &args.to, *p) {
                Ok(q) => {
                    let _ = writeln!(out, "{}", format_point(&args.to, q));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("disan coords: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        CoordsInput::Csv(path) => {
            let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                match std::fs::File::open(path) {
                    Ok(f) => Box::new(std::io::BufReader::new(f)),
                    Err(e) => {
                        eprintln!("disan coords: cannot read {}: {e}", path.display());
                        return ExitCode::from(66);
                    }
                }
            };
            let name = path.display().to_string();
            let mut bad = 0usize;
            for (number, line) in reader.lines().enumerate() {
                let number = number + 1;
                let line = match line {
                    Ok(l) => l,
                    Err(e) => {
                        eprintln!("{name}:{number}: cannot read the line: {e}");
                        bad += 1;
                        break;
                    }
                };
                match csv_point(&line) {
                    CsvLine::Skip => continue,
                    CsvLine::Header if number == 1 => continue,
                    CsvLine::Header | CsvLine::Bad(_) => {
                        let why = match csv_point(&line) {
                            CsvLine::Bad(why) => why,
                            _ => "not numbers".into(),
                        };
                        eprintln!(
                            "{name}:{number}: {why}: write [name,]{} per line",
                            if args.from.is_projected() {
                                "E,N[,H]"
                            } else {
                                "LAT,LON[,H]"
                            }
                        );
                        bad += 1;
                    }
                    CsvLine::Point(label, p) => {
                        if let Some(warning) = plausibility(&args, p) {
                            eprintln!("{name}:{number}: warning: {warning}");
                        }
                        match convert(&args.from, &args.to, p) {
                            Ok(q) => {
                                let prefix = label.map(|l| format!("{l}\t")).unwrap_or_default();
                                let _ = writeln!(out, "{prefix}{}", format_point(&args.to, q));
                            }
                            Err(e) => {
                                eprintln!("{name}:{number}: {e}");
                                bad += 1;
                            }
                        }
                    }
                }
            }
            if bad > 0 {
                eprintln!(
                    "disan coords: {bad} line(s) of {name} could not be converted (above); the others were"
                );
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

enum CsvLine {
    Skip,
    Header,
    Bad(String),
    Point(Option<String>, Coord),
}

/// A line of a survey CSV: `a,b`, `a,b,h`, `name,a,b` or `name,a,b,h` (commas, semicolons or
/// tabs). A first line that is not numbers is a header.
fn csv_point(line: &str) -> CsvLine {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return CsvLine::Skip;
    }
    let fields: Vec<&str> = line.split([',', ';', '\t']).map(str::trim).collect();
    let numbers: Vec<Option<f64>> = fields.iter().map(|f| f.parse::<f64>().ok()).collect();
    let (label, values) = match numbers.first() {
        Some(None) => (Some(fields[0].to_string()), &numbers[1..]),
        _ => (None, &numbers[..]),
    };
    if values.iter().all(Option::is_none) {
        return CsvLine::Header;
    }
    match values {
        [Some(a), Some(b)] => CsvLine::Point(label, Coord::new(*a, *b, 0.0)),
        [Some(a), Some(b), Some(h)] => CsvLine::Point(label, Coord::new(*a, *b, *h)),
        _ => CsvLine::Bad(format!(
            "{} number(s) where 2 or 3 were expected",
            values.iter().filter(|v| v.is_some()).count()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn arguments_name_systems_by_epsg_code() {
        let Ok(Command::Coords(c)) =
            parse_coords(args("--from EPSG:4326 --to 9210 20.8463 106.6844"))
        else {
            panic!()
        };
        assert_eq!((c.from.epsg(), c.to.epsg()), (Some(4326), Some(9210)));
        assert!(
            parse_coords(args("--from 4326 --to 2154 1 2"))
                .unwrap_err()
                .contains("9210")
        );
        assert!(
            parse_coords(args("--from 4326 --to 9210 20.8"))
                .unwrap_err()
                .contains("LAT LON")
        );
        assert!(
            parse_coords(args("--from 9210 --to 4326 --csv a.csv 1 2"))
                .unwrap_err()
                .contains("not both")
        );
        assert!(
            parse_coords(args("--from 4326 --to 4756 -8.5 106")).is_ok(),
            "negative numbers are coordinates"
        );
    }

    #[test]
    fn survey_csv_lines() {
        assert!(matches!(csv_point("id,E,N,H"), CsvLine::Header));
        assert!(matches!(csv_point("  "), CsvLine::Skip));
        let CsvLine::Point(Some(name), p) = csv_point("GPS-01; 597046.458; 2306220.534; 5.2")
        else {
            panic!()
        };
        assert_eq!((name.as_str(), p.a, p.h), ("GPS-01", 597046.458, 5.2));
        assert!(matches!(csv_point("597046.458"), CsvLine::Bad(_)));
    }

    #[test]
    fn swapped_easting_and_northing_are_pointed_out() {
        let Ok(Command::Coords(c)) = parse_coords(args("--from 9210 --to 4326 2306220.5 597046.5"))
        else {
            panic!()
        };
        let CoordsInput::Point(p) = c.input else {
            panic!()
        };
        assert!(plausibility(&c, p).unwrap().contains("easting first"));
        let right = Coord::new(597046.5, 2306220.5, 0.0);
        assert_eq!(plausibility(&c, right), None);
    }
}
