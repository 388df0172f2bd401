//! The stand-in recording of the Đồ Sơn buffalo-fighting festival (`exhibits/choi-trau-do-son`):
//! no footage of the festival may be bundled yet, so a generated one holds its place, made and
//! packed exactly as staff's camera files are (`disan pack --as video`). Each of its four
//! chapters is a coloured card with the chapter's title in Vietnamese and English, a line saying
//! it is a stand-in, and a bar that crosses the bottom edge in the recording's 24 s; its sound is
//! a festival drum's beat (a decaying 70 Hz pulse twice a second) under a bell every two seconds.
//! Made with ffmpeg's generators and the viewer's own Noto Sans (SIL OFL), so it is CC0 like the
//! other generated samples.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{root, target_dir};

pub const ID: &str = "choi-trau-do-son";
const SECONDS: u32 = 24;

/// (start s, title vi, title en, card colour): the manifest's chapters.
const CHAPTERS: [(u32, &str, &str, &str); 4] = [
    (
        0,
        "Tế thần Điểm Tước",
        "Honouring the god Điểm Tước",
        "0x5a1a14",
    ),
    (
        6,
        "Rước trâu vào sới",
        "The procession into the ring",
        "0x2a2f5a",
    ),
    (12, "Trận chọi trâu", "The fight", "0x6b4a12"),
    (
        18,
        "Hiến sinh và tống thần",
        "Sacrifice and farewell to the gods",
        "0x1f4a33",
    ),
];

/// A text for a quoted filter option: within '…' ffmpeg takes `:` and `,` as they are; only a
/// quote would end it (and none of the titles has one).
fn escape(text: &str) -> String {
    assert!(!text.contains('\''), "{text}: a quote in a drawn title");
    text.to_owned()
}

/// Writes the stand-in recording (H.264 + AAC, 1280×720 at 25 fps, as a camera's export would
/// be) to `path`.
fn write_source(path: &Path) -> Result<(), String> {
    let fonts = root().join("assets/fonts");
    let bold = fonts.join("NotoSans-Bold.ttf");
    let regular = fonts.join("NotoSans-Regular.ttf");
    let mut filters = vec![];
    for (i, (start, vi, en, colour)) in CHAPTERS.iter().enumerate() {
        let end = CHAPTERS.get(i + 1).map_or(SECONDS, |c| c.0);
        let when = format!("enable='between(t,{start},{end}-0.001)'");
        filters.push(format!("drawbox={when}:c={colour}:t=fill"));
        filters.push(format!(
            "drawtext=fontfile='{}':text='{}':{when}:fontsize=64:fontcolor=white:x=(w-tw)/2:y=250",
            bold.display(),
            escape(vi)
        ));
        filters.push(format!(
            "drawtext=fontfile='{}':text='{}':{when}:fontsize=40:fontcolor=0xf0d080:x=(w-tw)/2:y=340",
            regular.display(),
            escape(en)
        ));
    }
    filters.push(format!(
        "drawtext=fontfile='{}':text='{}':fontsize=24:fontcolor=0xdddddd:x=(w-tw)/2:y=h-80",
        regular.display(),
        escape("Hình tạm do máy tạo, chưa phải cảnh quay lễ hội · Generated stand-in, not festival footage")
    ));
    let graph = format!(
        "[0:v]{}[cards];[cards][1:v]overlay=x='-W+W*t/{SECONDS}':y=H-12:eval=frame[v]",
        filters.join(",")
    );
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"])
        .args(["-f", "lavfi", "-i"])
        .arg(format!("color=c=black:s=1280x720:r=25:d={SECONDS}"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!("color=c=0xf0c040:s=1280x12:r=25:d={SECONDS}"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!(
            "aevalsrc='0.45*sin(2*PI*70*t)*exp(-9*mod(t,0.5))+0.08*sin(2*PI*880*t)*exp(-3*mod(t,2))':s=48000:d={SECONDS}"
        ))
        .args(["-filter_complex", &graph, "-map", "[v]", "-map", "2:a"])
        .args(["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p"])
        .args(["-c:a", "aac", "-b:a", "128k", "-shortest"])
        .arg(path)
        .output()
        .map_err(|e| format!("ffmpeg (install it: sudo apt-get install ffmpeg): {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "ffmpeg made no stand-in recording: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// Makes the stand-in, packs it, and puts its `videos/` folder into the sample exhibit (whose
/// manifest is written by hand and stays). Returns the files written.
pub fn generate(exhibits_root: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = target_dir().join("samples").join(ID);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let source = dir.join("le-hoi-choi-trau-do-son.mp4");
    write_source(&source)?;
    let package = dir.join("package");
    super::pack_to(&source, &package, "festival", &["--as", "video"])?;
    let from = package.join("videos/festival");
    let to = exhibits_root.join(ID).join("videos/festival");
    let _ = std::fs::remove_dir_all(&to);
    let mut written = Vec::new();
    copy_tree(&from, &to, &mut written)?;
    Ok(written)
}

fn copy_tree(from: &Path, to: &Path, written: &mut Vec<PathBuf>) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().expect("a name"));
        if path.is_dir() {
            copy_tree(&path, &target, written)?;
        } else {
            std::fs::copy(&path, &target).map_err(|e| format!("{}: {e}", target.display()))?;
            written.push(target);
        }
    }
    Ok(())
}
