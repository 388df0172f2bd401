//! The visitor's language, switchable at run time, and the UI's own strings in both languages.

use bevy::prelude::*;
use disan_format::LocalizedText;

pub(super) fn plugin(app: &mut App) {
    let lang = app.world().get_resource::<crate::ViewerConfig>().map_or("vi".to_owned(), |c| c.lang.clone());
    app.insert_resource(Language::from_code(&lang)).add_systems(Update, switch_language_on_key);
}

/// The language everything is shown in. Vietnamese first; English second.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Vi,
    En,
}

impl Language {
    pub fn from_code(code: &str) -> Self {
        if code.eq_ignore_ascii_case("en") { Self::En } else { Self::Vi }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }
    pub fn other(self) -> Self {
        match self {
            Self::Vi => Self::En,
            Self::En => Self::Vi,
        }
    }
    /// The text in this language, falling back as the format crate defines.
    pub fn pick<'a>(self, text: &'a LocalizedText) -> &'a str {
        text.text(self.code())
    }
}

/// The UI's own strings. One place, so a translator finds them all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiString {
    Loading,
    LanguageButton,
    Walk,
    Orbit,
    Home,
    Previous,
    Next,
    Close,
    OpenFailed,
    OpenFailedHint,
    OrbitHelp,
    WalkHelp,
    Hotspots,
    Formerly,
    GuidedTour,
    Pause,
    Resume,
    ExitTour,
    FilesLeftOut,
    About,
    Licence,
    RightsHolder,
    Source,
    Captured,
    CaptureMethod,
    Menu,
}

impl UiString {
    pub fn text(self, lang: Language) -> &'static str {
        use UiString::*;
        let (vi, en) = match self {
            Loading => ("Đang tải hiện vật…", "Loading the exhibit…"),
            // The button names the language it switches *to*, in that language.
            LanguageButton => ("English", "Tiếng Việt"),
            Walk => ("Đi bộ", "Walk"),
            Orbit => ("Xoay quanh", "Orbit"),
            Home => ("Về toàn cảnh", "Home view"),
            Previous => ("« Trước", "« Previous"),
            Next => ("Tiếp »", "Next »"),
            Close => ("Đóng", "Close"),
            OpenFailed => ("Không mở được hiện vật này", "This exhibit could not be opened"),
            OpenFailedHint => (
                "Các hiện vật khác vẫn xem được: bấm Trước hoặc Tiếp. Cán bộ di sản: chạy `disan validate` với gói này.",
                "The other exhibits still work: press Previous or Next. Heritage staff: run `disan validate` on this package.",
            ),
            OrbitHelp => (
                "Kéo để xoay · Cuộn hoặc chụm hai ngón để phóng to · Mũi tên, + và - · Bấm điểm tròn để xem thông tin · L: đổi ngôn ngữ",
                "Drag to turn · Scroll or pinch to zoom · Arrow keys, + and - · Click a marker for details · L: language",
            ),
            WalkHelp => (
                "W A S D để đi · Kéo chuột để nhìn quanh · V: trở lại xoay quanh · L: đổi ngôn ngữ",
                "W A S D to walk · Drag to look around · V: back to orbit · L: language",
            ),
            Hotspots => ("Điểm thông tin", "Points of interest"),
            Formerly => ("trước đây", "formerly"),
            GuidedTour => ("Tham quan có hướng dẫn", "Guided tour"),
            Pause => ("Tạm dừng", "Pause"),
            Resume => ("Tiếp tục", "Resume"),
            ExitTour => ("Thoát", "Exit"),
            FilesLeftOut => ("Một số tệp không dùng được nên đã bỏ qua", "Some files could not be used and were left out"),
            About => ("Thông tin", "About"),
            Licence => ("Giấy phép", "Licence"),
            RightsHolder => ("Chủ sở hữu quyền", "Rights holder"),
            Source => ("Nguồn", "Source"),
            Captured => ("Số hoá", "Digitized"),
            CaptureMethod => ("Phương pháp", "Method"),
            Menu => ("Công cụ", "Tools"),
        };
        match lang {
            Language::Vi => vi,
            Language::En => en,
        }
    }
}

impl UiString {
    /// "Stop k of n" of a tour.
    pub fn stop_of(lang: Language, k: usize, n: usize) -> String {
        match lang {
            Language::Vi => format!("Điểm dừng {k}/{n}"),
            Language::En => format!("Stop {k} of {n}"),
        }
    }
}

fn switch_language_on_key(keys: Res<ButtonInput<KeyCode>>, mut lang: ResMut<Language>) {
    if keys.just_pressed(KeyCode::KeyL) {
        *lang = lang.other();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l_key_switches_language_both_ways() {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins).init_resource::<ButtonInput<KeyCode>>().add_plugins(plugin);
        assert_eq!(*app.world().resource::<Language>(), Language::Vi);
        app.world_mut().resource_mut::<ButtonInput<KeyCode>>().press(KeyCode::KeyL);
        app.update();
        assert_eq!(*app.world().resource::<Language>(), Language::En);
        let mut keys = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
        keys.release(KeyCode::KeyL);
        keys.clear();
        keys.press(KeyCode::KeyL);
        app.update();
        assert_eq!(*app.world().resource::<Language>(), Language::Vi);
    }
}
