//! `cargo xtask bench web-scan`: progressive loading against `<model-viewer>` on a slow link.
//! The 2-million-triangle scan of `bench pack` (engine/pack/tests/support/scan.rs) is packed by
//! the `disan-pack` crate's `pack` example (the code of `disan pack`, built in release) into
//! web/dist/bench/scan/pkg, beside the original GLB; web/bench/scan.mjs then opens both in
//! headless Chromium with the network throttled to 10 Mbit/s and prints the times.

use std::process::Command;

use crate::web::{self, WebBuild};
use crate::{status, target_dir};

pub fn run() -> Result<(), String> {
    let dist = web::dist();
    if !std::fs::read_to_string(dist.join("pkg/build.json"))
        .is_ok_and(|b| b.contains("\"optimised\":true"))
    {
        web::build(&WebBuild { optimise: true }, None)?;
    }
    web::prepare_bench_pages()?;
    let work = target_dir().join("bench-web-scan");
    let scan = work.join("scan/scan.glb");
    let examples = crate::bench_pack::write_bench_scan(&work.join("scan"))?;
    let served = dist.join("bench/scan");
    let _ = std::fs::remove_dir_all(&served);
    std::fs::create_dir_all(&served).map_err(|e| e.to_string())?;
    let mut pack = Command::new(examples.join("pack"));
    pack.arg(&scan).arg(served.join("pkg"));
    status(pack)?;
    std::fs::copy(&scan, served.join("original.glb")).map_err(|e| e.to_string())?;
    // Both sides get what the server sends everything with: gzip and brotli where they help.
    web::compress(&served, web::Copies::GzipAndBrotli)?;
    let listener = web::listen(0)?;
    let url = format!(
        "http://{}/",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    std::thread::spawn(move || web::serve(listener, &web::dist()));
    let mut node = Command::new("node");
    node.arg("bench/scan.mjs")
        .current_dir(crate::root().join("web"))
        .env("DISAN_WEB_URL", &url);
    status(node)
}
