//! Writes the scan-like test mesh that disan-pack's integration tests use, at full size, so
//! the pipeline can be tried (and timed) by hand on something shaped like a real scan:
//!
//! ```text
//! cargo run -p disan-pack --release --example make_scan -- --triangles 2000000 --texture 4096 --out target/scan
//! ```

#[path = "../tests/support/scan.rs"]
mod scan;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: make_scan [--triangles N] [--texture PX] [--out DIR]\n\
    defaults: --triangles 2000000 --texture 4096 --out target/scan";

struct Args {
    triangles: usize,
    texture: u32,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        triangles: 2_000_000,
        texture: 4096,
        out: PathBuf::from("target/scan"),
    };
    let mut words = std::env::args().skip(1);
    while let Some(flag) = words.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = words
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?;
        // Underscores allowed, so `--triangles 2_000_000` reads as it does in Rust.
        let number = || value.replace('_', "");
        match flag.as_str() {
            "--triangles" => {
                args.triangles = number()
                    .parse()
                    .map_err(|_| format!("--triangles: not a count: {value}"))?;
            }
            "--texture" => {
                args.texture = number()
                    .parse()
                    .map_err(|_| format!("--texture: not a size in pixels: {value}"))?;
            }
            "--out" => args.out = PathBuf::from(value),
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("make_scan: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };

    let started = Instant::now();
    let files = match scan::write_scan(&args.out, args.triangles, args.texture) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("make_scan: {error}");
            return ExitCode::FAILURE;
        }
    };
    let elapsed = started.elapsed();

    println!(
        "{} triangles, {}² texture, written in {:.2} s",
        files.triangles,
        args.texture,
        elapsed.as_secs_f64()
    );
    // The OBJ's material and texture are separate files; list them too, since they travel
    // with it.
    let (mtl, texture) = (args.out.join("scan.mtl"), args.out.join("scan-texture.jpg"));
    for path in [&files.glb, &files.obj, &mtl, &texture, &files.ply] {
        println!("{:>12}  {}", size(path), path.display());
    }
    ExitCode::SUCCESS
}

fn size(path: &Path) -> String {
    match std::fs::metadata(path) {
        Ok(metadata) => {
            let bytes = metadata.len();
            if bytes >= 1 << 20 {
                format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
            } else {
                format!("{:.1} KiB", bytes as f64 / 1024.0)
            }
        }
        Err(error) => format!("({error})"),
    }
}
