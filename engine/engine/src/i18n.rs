//! The visitor's language, switchable at run time, and the UI's own strings in Vietnamese and
//! English. An exhibit may be shown in any further language every one of its texts is written
//! in (see [`disan_format::Manifest::languages`]); the UI's own strings are then in English.

use bevy::prelude::*;
use disan_format::LocalizedText;

use crate::library::ExhibitLibrary;

pub(super) fn plugin(app: &mut App) {
    let lang = app
        .world()
        .get_resource::<crate::ViewerConfig>()
        .map_or("vi".to_owned(), |c| c.lang.clone());
    app.insert_resource(Language::from_code(&lang))
        .init_resource::<OfferedLanguages>()
        .add_systems(
            Update,
            (
                offer_the_exhibits_languages.run_if(resource_exists_and_changed::<ExhibitLibrary>),
                switch_language_on_key,
            )
                .chain(),
        );
}

/// The language everything is shown in, by its code (`vi`, `en`, `fr`, `zh-hant`, …). Copyable:
/// the code is held inline (codes are short; a longer one is refused by [`Language::from_code`]).
#[derive(Resource, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Language {
    bytes: [u8; 15],
    len: u8,
}

impl std::fmt::Debug for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Language({})", self.code())
    }
}

impl Language {
    pub const VI: Self = Self::fixed(b"vi");
    pub const EN: Self = Self::fixed(b"en");

    const fn fixed(code: &[u8]) -> Self {
        let mut bytes = [0u8; 15];
        let mut i = 0;
        while i < code.len() {
            bytes[i] = code[i];
            i += 1;
        }
        Self {
            bytes,
            len: code.len() as u8,
        }
    }

    /// The language with this code; Vietnamese for a code that is not a language code.
    pub fn from_code(code: &str) -> Self {
        let code = code.to_ascii_lowercase();
        if code.len() > 15 || !disan_format::Lang::is_valid_code(&code) {
            return Self::VI;
        }
        Self::fixed(code.as_bytes())
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("vi")
    }

    /// Whether the UI's own strings are shown in Vietnamese (else in English).
    fn ui_is_vietnamese(self) -> bool {
        self == Self::VI
    }

    /// The text in this language, falling back as the format crate defines.
    pub fn pick(self, text: &LocalizedText) -> &str {
        text.text(self.code())
    }

    /// The language's name in itself, for the button that switches to it.
    pub fn endonym(self) -> String {
        let name = match self.code() {
            "vi" => "Tiếng Việt",
            "en" => "English",
            "fr" => "Français",
            "de" => "Deutsch",
            "es" => "Español",
            "it" => "Italiano",
            "pt" => "Português",
            "nl" => "Nederlands",
            "ru" => "Русский",
            "pl" => "Polski",
            "cs" => "Čeština",
            other => return other.to_uppercase(),
        };
        name.to_owned()
    }
}

/// The languages the exhibit on screen can be shown in, in the order the language button
/// cycles through them.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct OfferedLanguages(pub Vec<Language>);

impl Default for OfferedLanguages {
    fn default() -> Self {
        Self(vec![Language::VI, Language::EN])
    }
}

impl OfferedLanguages {
    /// The language after `lang` (the first after the last, or when `lang` is not offered).
    pub fn after(&self, lang: Language) -> Language {
        let next = self
            .0
            .iter()
            .position(|l| *l == lang)
            .map_or(0, |i| (i + 1) % self.0.len());
        self.0.get(next).copied().unwrap_or(Language::VI)
    }

    pub fn contains(&self, lang: Language) -> bool {
        self.0.contains(&lang)
    }
}

fn offer_the_exhibits_languages(
    library: Res<ExhibitLibrary>,
    mut offered: ResMut<OfferedLanguages>,
) {
    let langs = library.current_package().map_or_else(
        || OfferedLanguages::default().0,
        |p| {
            p.manifest
                .languages()
                .iter()
                .map(|c| Language::from_code(c))
                .collect()
        },
    );
    offered.set_if_neq(OfferedLanguages(langs));
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
    /// A video's play button.
    Play,
    /// A video's transcript, in the About panel.
    Transcript,
    ExitTour,
    FilesLeftOut,
    About,
    Licence,
    RightsHolder,
    Location,
    Coordinates,
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
            // The button names the language it switches *to*, in that language (see
            // `ui::language_button_label` for exhibits in more than two languages).
            LanguageButton => ("English", "Tiếng Việt"),
            Walk => ("Đi bộ", "Walk"),
            Orbit => ("Xoay quanh", "Orbit"),
            Home => ("Về toàn cảnh", "Home view"),
            Previous => ("« Trước", "« Previous"),
            Next => ("Tiếp »", "Next »"),
            Close => ("Đóng", "Close"),
            OpenFailed => (
                "Không mở được hiện vật này",
                "This exhibit could not be opened",
            ),
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
            Play => ("Phát", "Play"),
            Transcript => ("Lời thoại", "Transcript"),
            ExitTour => ("Thoát", "Exit"),
            FilesLeftOut => (
                "Một số tệp không dùng được nên đã bỏ qua",
                "Some files could not be used and were left out",
            ),
            About => ("Thông tin", "About"),
            Licence => ("Giấy phép", "Licence"),
            Location => ("Địa điểm", "Location"),
            Coordinates => ("Tọa độ", "Coordinates"),
            RightsHolder => ("Chủ sở hữu quyền", "Rights holder"),
            Source => ("Nguồn", "Source"),
            Captured => ("Số hoá", "Digitized"),
            CaptureMethod => ("Phương pháp", "Method"),
            Menu => ("Công cụ", "Tools"),
        };
        if lang.ui_is_vietnamese() { vi } else { en }
    }
}

impl UiString {
    /// "Stop k of n" of a tour.
    pub fn stop_of(lang: Language, k: usize, n: usize) -> String {
        if lang.ui_is_vietnamese() {
            format!("Điểm dừng {k}/{n}")
        } else {
            format!("Stop {k} of {n}")
        }
    }
}

fn switch_language_on_key(
    keys: Res<ButtonInput<KeyCode>>,
    offered: Res<OfferedLanguages>,
    mut lang: ResMut<Language>,
) {
    if keys.just_pressed(KeyCode::KeyL) {
        *lang = offered.after(*lang);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l_key_switches_language_both_ways() {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .init_resource::<ButtonInput<KeyCode>>()
            .add_plugins(plugin);
        assert_eq!(*app.world().resource::<Language>(), Language::VI);
        app.world_mut()
            .resource_mut::<ButtonInput<KeyCode>>()
            .press(KeyCode::KeyL);
        app.update();
        assert_eq!(*app.world().resource::<Language>(), Language::EN);
        let mut keys = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
        keys.release(KeyCode::KeyL);
        keys.clear();
        keys.press(KeyCode::KeyL);
        app.update();
        assert_eq!(*app.world().resource::<Language>(), Language::VI);
    }

    #[test]
    fn more_languages_cycle_in_order_and_codes_are_checked() {
        let offered = OfferedLanguages(vec![Language::VI, Language::EN, Language::from_code("fr")]);
        assert_eq!(offered.after(Language::VI), Language::EN);
        assert_eq!(offered.after(Language::EN).code(), "fr");
        assert_eq!(offered.after(Language::from_code("FR")), Language::VI);
        assert_eq!(
            offered.after(Language::from_code("de")),
            Language::VI,
            "not offered: back to the first"
        );
        assert_eq!(Language::from_code("zh-Hant").code(), "zh-hant");
        assert_eq!(
            Language::from_code("Vietnamese"),
            Language::VI,
            "not a code"
        );
        assert_eq!(Language::from_code("fr").endonym(), "Français");
    }
}
