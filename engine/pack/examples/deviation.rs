//! How far each candidate GLB lies from an original GLB, measured the same way for every
//! candidate (engine/pack/src/deviation.rs), for the benchmark against gltfpack. Candidates may be
//! quantized and meshopt-compressed (node transforms are applied); `--offset X,Y,Z` is added to a candidate's positions
//! first (a `disan pack` level is centred: its report's `normalisation.source_origin`).
//!
//! Usage: deviation ORIGINAL.glb [--offset X,Y,Z] CANDIDATE.glb ...
//! Prints one JSON line per candidate: {file, triangles, p99_m, max_m, mean_m}.

use std::path::Path;

fn mesh(path: &Path) -> (Vec<[f32; 3]>, Vec<u32>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    disan_pack::deviation::glb_triangles(&bytes)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(original) = args.first() else {
        eprintln!("usage: deviation ORIGINAL.glb [--offset X,Y,Z] CANDIDATE.glb ...");
        std::process::exit(64);
    };
    let (reference, _) = mesh(Path::new(original));
    let mut offset = [0.0f32; 3];
    let mut it = args[1..].iter();
    while let Some(arg) = it.next() {
        if arg == "--offset" {
            let v: Vec<f32> = it
                .next()
                .expect("--offset X,Y,Z")
                .split(',')
                .map(|c| c.parse().expect("a number"))
                .collect();
            offset = [v[0], v[1], v[2]];
            continue;
        }
        let (mut positions, indices) = mesh(Path::new(arg));
        for p in &mut positions {
            for i in 0..3 {
                p[i] += offset[i];
            }
        }
        let d = disan_pack::deviation::deviation(&reference, &positions, &indices);
        println!(
            "{}",
            serde_json::json!({ "file": arg, "triangles": indices.len() / 3, "p99_m": d.p99, "max_m": d.max, "mean_m": d.mean })
        );
    }
}
