//! The pipeline of `disan pack` without the viewer around it, for the benchmark
//! (`cargo xtask bench pack`): a release build of this crate alone takes a minute, of the whole
//! `disan` binary most of an hour. Prints the report as JSON.
//!
//! Usage: pack SCAN OUT

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [scan, out] = &args[..] else {
        eprintln!("usage: pack SCAN OUT");
        std::process::exit(64);
    };
    let options = disan_pack::PackOptions {
        force: true,
        ..Default::default()
    };
    match disan_pack::pack_scan(
        &PathBuf::from(scan),
        &PathBuf::from(out),
        &options,
        &disan_pack::Progress::hidden(),
    ) {
        Ok(report) => println!("{}", serde_json::to_string(&report).expect("serialises")),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
