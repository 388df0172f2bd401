//! What `disan pack` says to staff, in Vietnamese or English. Heritage staff read Vietnamese
//! first: the language follows the system locale (`vi_VN…` → Vietnamese) unless `--lang` says.

use crate::input::InputError;
use crate::normalise::{Normalisation, Unit, UpAxis};
use crate::{LevelReport, PackError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "vi" => Some(Self::Vi),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// From `LC_ALL`, `LC_MESSAGES`, `LANG` (in POSIX order), then the system's locale.
    pub fn from_environment() -> Self {
        let env = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
        let locale = env.or_else(sys_locale::get_locale).unwrap_or_default();
        if locale.to_ascii_lowercase().starts_with("vi") {
            Self::Vi
        } else {
            Self::En
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }
}

fn pick(lang: Lang, vi: String, en: String) -> String {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

pub fn step_read(lang: Lang) -> String {
    pick(lang, "Đọc bản quét".into(), "Reading the scan".into())
}
pub fn step_octree(lang: Lang) -> String {
    pick(
        lang,
        "Dựng cây bát phân của đám mây điểm (Potree 2.0)".into(),
        "Building the point cloud's octree (Potree 2.0)".into(),
    )
}
pub fn step_video(lang: Lang, file: &str) -> String {
    match file {
        "poster" | "thumbnails" => pick(
            lang,
            "Lấy ảnh đại diện và ảnh thu nhỏ các đoạn".into(),
            "Taking the poster frame and thumbnails".into(),
        ),
        _ => pick(
            lang,
            format!("Mã hóa lại video: {file}"),
            format!("Encoding the video: {file}"),
        ),
    }
}
pub fn step_sound(lang: Lang, rendition: &str) -> String {
    pick(
        lang,
        format!("Mã hóa lại bản ghi âm: {rendition}"),
        format!("Encoding the recording: {rendition}"),
    )
}
pub fn step_tiles(lang: Lang) -> String {
    pick(
        lang,
        "Cắt bản quét thành ô ảnh (IIIF)".into(),
        "Cutting the scan into tiles (IIIF)".into(),
    )
}
pub fn step_panorama(lang: Lang, scene: &str) -> String {
    pick(
        lang,
        format!("Cắt ảnh 360° \"{scene}\" thành ô ảnh khối lập phương"),
        format!("Cutting the 360° photo \"{scene}\" into cube tiles"),
    )
}
pub fn step_normalise(lang: Lang) -> String {
    pick(lang, "Chuẩn hóa".into(), "Normalising".into())
}
pub fn step_textures(lang: Lang) -> String {
    pick(
        lang,
        "Giải mã ảnh bề mặt".into(),
        "Decoding textures".into(),
    )
}
pub fn step_level(lang: Lang, quality: &str) -> String {
    pick(
        lang,
        format!("Mức chi tiết {}", quality_vi(quality)),
        format!("Level {quality}"),
    )
}
pub fn step_manifest(lang: Lang) -> String {
    pick(
        lang,
        "Ghi exhibit.toml".into(),
        "Writing exhibit.toml".into(),
    )
}

pub fn quality_vi(quality: &str) -> &'static str {
    match quality {
        "thumb" => "xem trước (thumb)",
        "low" => "thấp (low)",
        "medium" => "vừa (medium)",
        _ => "cao (high)",
    }
}

pub fn implausible_size(lang: Lang, largest_m: f64, unit: Unit) -> String {
    pick(
        lang,
        format!(
            "Mô hình rộng {largest_m:.3} m nếu đơn vị là {}: nếu sai, hãy chạy lại với --unit mm, cm hoặc m.",
            unit.word()
        ),
        format!(
            "The model is {largest_m:.3} m across if its unit is {}: if that is wrong, run again with --unit mm, cm or m.",
            unit.word()
        ),
    )
}

pub fn levels_not_needed(lang: Lang, skipped: &[&str], kept: &LevelReport) -> String {
    let vi: Vec<&str> = skipped.iter().map(|q| quality_vi(q)).collect();
    pick(
        lang,
        format!(
            "Không ghi mức {}. Bản quét chỉ có {} tam giác, mức {} đã giữ đủ cả hình lẫn ảnh bề mặt: khách tham quan không phải tải lại cùng một mô hình.",
            vi.join(", "),
            kept.triangles,
            quality_vi(kept.quality)
        ),
        format!(
            "Not written: level {}. The scan has {} triangles, all of them and its whole texture already in level {}: visitors do not download the same model twice.",
            skipped.join(", "),
            kept.triangles,
            kept.quality
        ),
    )
}

pub fn over_bound(lang: Lang, level: &LevelReport) -> String {
    pick(
        lang,
        format!(
            "Mức {}: để giữ trong {} tam giác, sai số là {:.1} mm, lớn hơn mức cho phép {:.1} mm. Bản quét có nhiều chi tiết nhỏ; mức này sẽ thô hơn dự kiến.",
            quality_vi(level.quality),
            level.triangle_budget,
            level.error_m * 1000.0,
            level.error_bound_m * 1000.0
        ),
        format!(
            "Level {}: to stay within {} triangles its error is {:.1} mm, above its bound of {:.1} mm. The scan has much fine detail; this level is coarser than planned.",
            level.quality,
            level.triangle_budget,
            level.error_m * 1000.0,
            level.error_bound_m * 1000.0
        ),
    )
}

pub fn manifest_kept(lang: Lang, kept: &std::path::Path, fresh: &std::path::Path) -> String {
    pick(
        lang,
        format!(
            "Giữ nguyên {} vì đã có người sửa; bản mới do disan pack viết nằm ở {}: hãy chép các mục [[models]] (mức chi tiết, kích thước) sang nếu cần.",
            kept.display(),
            fresh.display()
        ),
        format!(
            "Kept {} because it was edited; the fresh one disan pack wrote is {}: copy its [[models]] part (levels, sizes) across if needed.",
            kept.display(),
            fresh.display()
        ),
    )
}

pub fn pack_error(e: &PackError, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        PackError::Input(InputError::Io { path, source }) => format!(
            "{}: không đọc được tệp ({source}); hãy kiểm tra đường dẫn.",
            path.display()
        ),
        PackError::Input(InputError::UnknownFormat(path)) => format!(
            "{}: không phải bản quét mà disan pack đọc được: hãy dùng tệp lưới .glb, .gltf, .obj hoặc .ply, tệp đám mây điểm .las, .laz, .e57 hoặc .ply, ảnh .tif, .png, .jpg (ảnh quét tư liệu hoặc ảnh toàn cảnh 360°), video .mp4, .mov, .mkv, .webm, .avi, .mts, hoặc bản ghi âm .wav, .flac, .mp3, .ogg, .opus, .m4a.",
            path.display()
        ),
        PackError::Input(InputError::Broken {
            path,
            field,
            message,
        }) => {
            format!(
                "{}: {field}: tệp bị lỗi hoặc xuất sai. Chi tiết (tiếng Anh): {message}",
                path.display()
            )
        }
        PackError::OutputExists(path) => format!(
            "{}: đã có một gói ở đây; thêm --force để ghi đè.",
            path.display()
        ),
        PackError::Write { path, source } => format!(
            "{}: không ghi được ({source}); hãy kiểm tra thư mục có tồn tại và bạn có quyền ghi.",
            path.display()
        ),
        PackError::Texture { path, message } => format!(
            "{}: ảnh bề mặt (texture) không dùng được. Chi tiết (tiếng Anh): {message}",
            path.display()
        ),
        PackError::DocumentImage { path, message } => format!(
            "{}: ảnh quét tư liệu không dùng được. Chi tiết (tiếng Anh): {message}",
            path.display()
        ),
        PackError::PanoramaImage { path, message } => format!(
            "{}: ảnh toàn cảnh 360° không dùng được. Chi tiết (tiếng Anh): {message}",
            path.display()
        ),
        PackError::PointCloud { path, message } => format!(
            "{}: đám mây điểm không dùng được. Chi tiết (tiếng Anh): {message}",
            path.display()
        ),
        PackError::Video(e) => video_error(e),
        PackError::Empty(path) => format!(
            "{path}: bản quét không có tam giác nào sau khi đọc: hãy xuất lại dạng lưới (mesh)."
        ),
        PackError::SamePackage { input, other } => format!(
            "{}: cùng tên gói với {}: hai bản xuất của cùng một bản quét? Hãy để lại một bản, hoặc đổi tên một tệp.",
            input.display(),
            other.display()
        ),
    }
}

/// What normalising assumed, one line each, for the summary.
pub fn assumptions(lang: Lang, n: &Normalisation) -> Vec<String> {
    let mut lines = Vec::new();
    let unit = n.unit.word();
    let size = format!(
        "{:.3} × {:.3} × {:.3} m",
        n.size_m[0], n.size_m[1], n.size_m[2]
    );
    lines.push(match (lang, n.unit_stated) {
        (Lang::Vi, true) => format!("Đơn vị: {unit}. Kích thước (rộng × cao × sâu): {size}."),
        (Lang::Vi, false) => format!("Đơn vị: giả định là {unit} (tệp không ghi; đổi bằng --unit). Kích thước (rộng × cao × sâu): {size}."),
        (Lang::En, true) => format!("Unit: {unit}. Size (width × height × depth): {size}."),
        (Lang::En, false) => format!("Unit: assumed {unit} (the file does not say; change with --unit). Size (width × height × depth): {size}."),
    });
    let up = n.up.word();
    let front = if n.up == UpAxis::Z { "-Y" } else { "+Z" };
    lines.push(match (lang, n.up_stated) {
        (Lang::Vi, true) => format!("Trục hướng lên: {up}, mặt trước: {front}."),
        (Lang::Vi, false) => format!("Trục hướng lên: giả định {up}, mặt trước {front} (như phần mềm đo đạc và quét; đổi bằng --up y nếu mô hình nằm ngửa)."),
        (Lang::En, true) => format!("Up axis: {up}, front: {front}."),
        (Lang::En, false) => format!("Up axis: assumed {up}, front {front} (as survey and scanning software write; pass --up y if the model lies on its back)."),
    });
    lines.push(if n.kept_position {
        pick(
            lang,
            "Giữ nguyên vị trí của mô hình (--keep-position).".into(),
            "Kept the model where it is (--keep-position).".into(),
        )
    } else {
        pick(
            lang,
            "Đã đặt mô hình đứng trên mặt đất (y = 0), tâm ở giữa theo phương ngang.".into(),
            "Placed standing on the ground (y = 0), centred horizontally.".into(),
        )
    });
    lines
}

fn video_error(e: &disan_video::VideoError) -> String {
    use disan_video::VideoError as E;
    match e {
        E::ToolMissing { tool, var, .. } => format!(
            "chưa cài {tool} nên không xử lý được video: hãy cài (Debian: `sudo apt-get install ffmpeg`) hoặc đặt biến {var} là đường dẫn tới nó."
        ),
        E::Unreadable { path, message } => format!(
            "{}: không đọc được như một video. Chi tiết (tiếng Anh): {message}",
            path.display()
        ),
        E::Unsuitable { path, message } => format!(
            "{}: video không dùng được. Chi tiết (tiếng Anh): {message}",
            path.display()
        ),
        E::Ffmpeg {
            path,
            doing,
            message,
        } => format!(
            "{}: ffmpeg gặp lỗi khi {doing}. Chi tiết (tiếng Anh): {message}",
            path.display()
        ),
        E::Write { path, source } => format!(
            "{}: không ghi được ({source}); hãy kiểm tra thư mục có tồn tại và bạn có quyền ghi.",
            path.display()
        ),
    }
}

/// This build has no GPU texture encoder (MinGW Windows, see gpu_texture.rs).
pub fn no_gpu_texture_encoder(lang: Lang) -> String {
    pick(
        lang,
        "Bản disan pack này (Windows MinGW) không ghi được bản sao ảnh bề mặt cho GPU (BC7, ETC2): gói chỉ có ảnh JPEG/PNG và vẫn dùng được. Muốn có các bản sao, hãy đóng gói lại trên Linux.".to_owned(),
        "This build of disan pack (Windows, MinGW) cannot write GPU texture copies (BC7, ETC2): the package has JPEG/PNG textures only and works as it is. To have the copies, pack it again on Linux.".to_owned(),
    )
}
