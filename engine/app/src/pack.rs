//! `disan pack`: a scan to an exhibit package, or a folder of scans to a folder of packages.
//! The work is in the disan-pack crate; this prints it for staff (or as JSON for scripts).

use std::path::PathBuf;
use std::process::ExitCode;

use disan_pack::batch::{self, BatchOutcome};
use disan_pack::messages::{self, Lang};
use disan_pack::{PackOptions, PackReport, Progress};

#[derive(Debug)]
pub struct PackArgs {
    pub input: PathBuf,
    pub out: PathBuf,
    pub batch: bool,
    pub json: bool,
    pub jobs: Option<usize>,
    pub options: PackOptions,
}

pub fn run(args: PackArgs) -> ExitCode {
    let lang = args.options.lang;
    // A folder packed `--as panorama` is one exhibit whose scenes are its photos.
    let scenes_folder = args.options.kind == Some(disan_pack::PackKind::Panorama);
    if args.batch || (args.input.is_dir() && !scenes_folder) {
        return run_batch(args);
    }
    let show = !args.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress = Progress::new(show, "");
    match disan_pack::pack_scan(&args.input, &args.out, &args.options, &progress) {
        Ok(report) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).expect("serialises")
                );
            } else {
                print_summary(&report, lang);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({ "input": args.input, "error": e.to_string(), "message": e.localized(lang) })
                );
            } else {
                eprintln!("disan pack: {}", e.localized(lang));
            }
            ExitCode::from(1)
        }
    }
}

fn run_batch(args: PackArgs) -> ExitCode {
    let lang = args.options.lang;
    let scans = match batch::scans_in(&args.input) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("disan pack: {}: {e}", args.input.display());
            return ExitCode::from(1);
        }
    };
    if scans.is_empty() {
        let msg = match lang {
            Lang::Vi => format!(
                "{}: không có bản quét nào (.glb, .gltf, .obj, .ply) trong thư mục.",
                args.input.display()
            ),
            Lang::En => format!(
                "{}: holds no scans (.glb, .gltf, .obj, .ply).",
                args.input.display()
            ),
        };
        eprintln!("disan pack: {msg}");
        return ExitCode::from(1);
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let json = args.json;
    let total = scans.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let on_done = |outcome: &BatchOutcome| {
        let k = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if json {
            let line = match outcome {
                BatchOutcome::Packed(r) => serde_json::json!({ "status": "packed", "report": r }),
                BatchOutcome::Skipped { input, package } => {
                    serde_json::json!({ "status": "skipped", "input": input, "package": package })
                }
                BatchOutcome::Failed { input, error } => {
                    serde_json::json!({ "status": "failed", "input": input, "error": error.to_string(), "message": error.localized(lang) })
                }
            };
            println!("{line}");
            return;
        }
        let line = match (outcome, lang) {
            (BatchOutcome::Packed(r), Lang::Vi) => format!(
                "[{k}/{total}] đã đóng gói {} → {} ({:.0} s){}",
                r.input.display(),
                r.package.display(),
                r.seconds,
                notes(r, lang)
            ),
            (BatchOutcome::Packed(r), Lang::En) => format!(
                "[{k}/{total}] packed {} → {} ({:.0} s){}",
                r.input.display(),
                r.package.display(),
                r.seconds,
                notes(r, lang)
            ),
            (BatchOutcome::Skipped { input, .. }, Lang::Vi) => format!(
                "[{k}/{total}] bỏ qua {} (đã đóng gói từ lần chạy trước)",
                input.display()
            ),
            (BatchOutcome::Skipped { input, .. }, Lang::En) => format!(
                "[{k}/{total}] skipped {} (packed by an earlier run)",
                input.display()
            ),
            (BatchOutcome::Failed { error, .. }, _) => {
                format!("[{k}/{total}] {}", error.localized(lang))
            }
        };
        eprintln!("{line}");
    };
    let outcomes = batch::run(&scans, &args.out, &args.options, jobs, !json, &on_done);
    let failed = outcomes
        .iter()
        .filter(|o| matches!(o, BatchOutcome::Failed { .. }))
        .count();
    if !json {
        let msg = match lang {
            Lang::Vi => format!(
                "Xong: {} bản quét, {failed} lỗi. Chạy lại cùng lệnh để làm tiếp những bản còn thiếu.",
                total
            ),
            Lang::En => format!(
                "Done: {total} scans, {failed} failed. Run the same command again to finish any that are missing."
            ),
        };
        eprintln!("{msg}");
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A batch line's notes, each on its own indented line.
fn notes(r: &PackReport, lang: Lang) -> String {
    let label = if lang == Lang::Vi { "Lưu ý" } else { "Note" };
    r.warnings
        .iter()
        .map(|w| format!("\n    {label}: {w}"))
        .collect()
}

fn print_summary(r: &PackReport, lang: Lang) {
    let vi = lang == Lang::Vi;
    println!(
        "{} {} → {}",
        if vi { "Đã đóng gói" } else { "Packed" },
        r.input.display(),
        r.package.display()
    );
    if let Some(c) = &r.pointcloud {
        println!(
            "  {}: {} ({} {}) → {} {}, {} {}, {} {:.1} mm ({}) → {}",
            if vi { "Nguồn" } else { "Source" },
            r.source_format,
            c.points,
            if vi { "điểm" } else { "points" },
            c.nodes,
            if vi {
                "nút bát phân"
            } else {
                "octree nodes"
            },
            c.depth + 1,
            if vi { "mức" } else { "levels" },
            if vi {
                "khoảng cách điểm ở mức cuối"
            } else {
                "point spacing at the finest level"
            },
            c.spacing_m * 1000.0 / f64::from(1u32 << c.depth.min(31)),
            human_bytes(c.octree_bytes),
            c.metadata
        );
    } else if let Some(v) = r.video.as_ref().filter(|_| r.source_format == "audio") {
        println!(
            "  {}: {:.1} s → {}",
            if vi { "Bản ghi âm" } else { "Recording" },
            v.duration_s,
            v.src
        );
        for rendition in &v.renditions {
            println!(
                "    {} {} {} kbit/s ({})",
                rendition.file,
                rendition.codec,
                rendition.bitrate / 1000,
                human_bytes(rendition.bytes)
            );
        }
    } else if let Some(v) = &r.video {
        println!(
            "  {}: {}×{} px, {:.1} s, {} {}{} → {}",
            if vi { "Video" } else { "Video" },
            v.source_width,
            v.source_height,
            v.duration_s,
            v.fps,
            if vi { "hình/giây" } else { "frames/s" },
            if v.is_360 { ", 360°" } else { "" },
            v.src
        );
        for rendition in &v.renditions {
            println!(
                "    {} {}×{} {} ({})",
                rendition.file,
                rendition.width,
                rendition.height,
                rendition.codec,
                human_bytes(rendition.bytes)
            );
        }
    } else if r.panoramas.is_empty() {
        println!(
            "  {}: {} ({} {}, {} {})",
            if vi { "Nguồn" } else { "Source" },
            r.source_format,
            r.input_triangles,
            if vi { "tam giác" } else { "triangles" },
            r.input_vertices,
            if vi { "đỉnh" } else { "vertices" }
        );
    }
    for p in &r.panoramas {
        println!(
            "  {} \"{}\" ({}): {}×{} px → {} {} px, {} {}, {} {} ({}) → {}",
            if vi { "Cảnh" } else { "Scene" },
            p.id,
            p.source,
            p.width_px,
            p.height_px,
            if vi { "khối lập phương" } else { "cube" },
            p.cube_px,
            p.levels,
            if vi { "mức" } else { "levels" },
            p.tiles,
            if vi { "ô ảnh" } else { "tiles" },
            human_bytes(p.tile_bytes),
            p.config
        );
    }
    if let Some(d) = &r.document {
        println!(
            "  {}: {}×{} px, {} {}, {} {} ({}) → {}",
            if vi { "Bản quét" } else { "Scan" },
            d.width_px,
            d.height_px,
            d.levels,
            if vi { "mức" } else { "levels" },
            d.tiles,
            if vi { "ô ảnh" } else { "tiles" },
            human_bytes(d.tile_bytes),
            d.info
        );
        println!(
            "  {}: {:.3} × {:.3} m",
            if vi { "Tờ giấy" } else { "Sheet" },
            d.sheet_m[0],
            d.sheet_m[1]
        );
    } else if r.panoramas.is_empty() && r.video.is_none() {
        for line in messages::assumptions(lang, &r.normalisation) {
            println!("  {line}");
        }
    }
    if !r.levels.is_empty() {
        println!(
            "  {:<8} {:>10} {:>10} {:>9} {:>10}  {}",
            if vi { "mức" } else { "level" },
            if vi { "tam giác" } else { "triangles" },
            if vi { "dung lượng" } else { "bytes" },
            if vi { "ảnh" } else { "texture" },
            if vi { "sai số" } else { "error" },
            if vi { "tệp" } else { "file" }
        );
        for l in &r.levels {
            println!(
                "  {:<8} {:>10} {:>10} {:>9} {:>8.2}mm  {}",
                l.quality,
                l.triangles,
                human_bytes(l.bytes),
                l.texture_px.map_or("-".to_owned(), |p| format!("{p} px")),
                l.error_m * 1000.0,
                l.src
            );
            // The level's GPU texture copies, under it: same triangles, texture and error.
            for copy in &l.gpu_textures {
                println!(
                    "  {:<8} {:>10} {:>10} {:>9} {:>10}  {}",
                    "",
                    "",
                    human_bytes(copy.bytes),
                    copy.format.to_uppercase(),
                    "",
                    copy.src
                );
            }
        }
    }
    for w in &r.warnings {
        println!("  {}: {w}", if vi { "Lưu ý" } else { "Note" });
    }
    if vi {
        println!(
            "  Tiếp theo: điền các mục \"[CẦN ĐIỀN]\" trong {}/exhibit.toml, rồi chạy `disan validate {}`.",
            r.package.display(),
            r.package.display()
        );
    } else {
        println!(
            "  Next: fill in the \"[TO FILL IN]\" texts in {}/exhibit.toml, then run `disan validate {}`.",
            r.package.display(),
            r.package.display()
        );
    }
}

fn human_bytes(b: u64) -> String {
    if b >= 1_000_000 {
        format!("{:.1} MB", b as f64 / 1e6)
    } else {
        format!("{:.0} KB", b as f64 / 1e3)
    }
}
