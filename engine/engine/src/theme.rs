//! The museum look, in one place: fonts, colours, and the functions that spawn every label,
//! button and panel, so a redesign changes this file only. Labels carry their text in both
//! languages and follow the visitor's language when it changes.

use bevy::prelude::*;

use crate::i18n::{Language, UiString};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<UiFonts>()
        .add_systems(PostUpdate, follow_language)
        .add_systems(Update, scale_ui_to_window);
}

/// The UI is designed for a 1280×720 window; 4K kiosks scale it up. It is never scaled down:
/// on a phone or a small frame a smaller UI would shrink the touch targets below 44 px; the
/// layout wraps instead (see `ui`).
pub fn ui_scale_for(width: f32, height: f32) -> f32 {
    (width / 1280.0).min(height / 720.0).clamp(1.0, 2.0)
}

/// The smallest touch target, in logical pixels (Apple's and WCAG's 44 px).
pub const TOUCH_TARGET: f32 = 44.0;

fn scale_ui_to_window(windows: Query<&Window, Changed<Window>>, mut scale: ResMut<UiScale>) {
    if let Some(w) = windows.iter().next() {
        let s = ui_scale_for(w.width(), w.height());
        if (scale.0 - s).abs() > 0.01 {
            scale.0 = s;
        }
    }
}

/// Noto Sans: Bevy's built-in font covers ASCII only; Vietnamese needs full diacritic coverage.
#[derive(Resource, Clone)]
pub struct UiFonts {
    pub regular: Handle<Font>,
    pub bold: Handle<Font>,
    /// Hán characters for a scan's transcriptions: a subset of Noto Serif CJK TC with what the
    /// bundled exhibits write (exhibits/tools/subset_han_font.py makes it).
    pub han: Handle<Font>,
}

impl FromWorld for UiFonts {
    fn from_world(world: &mut World) -> Self {
        let assets = world.resource::<AssetServer>();
        Self {
            regular: assets.load("fonts/NotoSans-Regular.ttf"),
            bold: assets.load("fonts/NotoSans-Bold.ttf"),
            han: assets.load("fonts/NotoSerifTC-Han-subset.otf"),
        }
    }
}

pub const PANEL: Color = Color::srgba(0.08, 0.07, 0.06, 0.86);
/// The side panels (a hotspot's text, About): nearly opaque, because on a phone they lie over
/// the exhibit's header, whose text must not show through theirs.
pub const SIDE_PANEL: Color = Color::srgba(0.08, 0.07, 0.06, 0.97);
pub const TEXT: Color = Color::srgb(0.96, 0.94, 0.90);
pub const MUTED: Color = Color::srgb(0.78, 0.75, 0.70);
/// Lacquer red and gold, the colours of a đình's carved screens.
pub const ACCENT: Color = Color::srgb(0.72, 0.13, 0.10);
pub const GOLD: Color = Color::srgb(0.98, 0.77, 0.18);
const BUTTON: Color = Color::srgba(0.22, 0.19, 0.16, 0.95);
const BUTTON_HOVER: Color = Color::srgba(0.36, 0.29, 0.22, 0.98);

/// A text shown in the visitor's language: every version travels with the entity. The UI's own
/// strings have Vietnamese and English; an exhibit's texts whatever languages it is written in.
#[derive(Component, Clone, Debug, PartialEq)]
pub struct LocalizedLabel(disan_format::LocalizedText);

impl LocalizedLabel {
    pub fn same(text: impl Into<String>) -> Self {
        Self(disan_format::LocalizedText::new().with("vi", text.into()))
    }
    pub fn both(vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self(
            disan_format::LocalizedText::new()
                .with("vi", vi.into())
                .with("en", en.into()),
        )
    }
    pub fn ui(s: UiString) -> Self {
        Self::both(s.text(Language::VI), s.text(Language::EN))
    }
    pub fn from_text(t: &disan_format::LocalizedText) -> Self {
        Self(t.clone())
    }
    /// A label made for each of `langs` (an exhibit's languages) by `text`.
    pub fn for_languages(langs: &[Language], text: impl Fn(Language) -> String) -> Self {
        let mut all = disan_format::LocalizedText::new();
        for lang in langs {
            all.insert(disan_format::Lang::new(lang.code()), text(*lang));
        }
        Self(all)
    }
    /// The text in `lang`; where it has none, English for visitors of any language but
    /// Vietnamese (the UI's second language), then the format's fallback.
    pub fn get(&self, lang: Language) -> &str {
        let code = lang.code();
        self.0
            .exact(code)
            .or_else(|| {
                if code == "vi" {
                    None
                } else {
                    self.0.exact("en")
                }
            })
            .map_or_else(|| self.0.text(code), String::as_str)
    }
}

#[derive(Clone, Copy)]
pub enum TextStyle {
    Title,
    Heading,
    Body,
    Small,
}

/// A label in the museum style.
pub fn label(
    fonts: &UiFonts,
    lang: Language,
    text: LocalizedLabel,
    style: TextStyle,
) -> impl Bundle {
    let (font, size, color) = match style {
        TextStyle::Title => (fonts.bold.clone(), 28.0, TEXT),
        TextStyle::Heading => (fonts.bold.clone(), 21.0, TEXT),
        TextStyle::Body => (fonts.regular.clone(), 17.0, TEXT),
        TextStyle::Small => (fonts.regular.clone(), 14.0, MUTED),
    };
    (
        Text::new(text.get(lang).to_owned()),
        TextFont {
            font: font.into(),
            font_size: FontSize::Px(size),
            ..default()
        },
        TextColor(color),
        text,
    )
}

/// A button that performs `action` when pressed.
pub fn button<A: Component>(
    fonts: &UiFonts,
    lang: Language,
    text: LocalizedLabel,
    action: A,
) -> impl Bundle {
    (
        Button,
        action,
        Node {
            padding: UiRect::axes(px(14), px(8)),
            margin: UiRect::all(px(3)),
            border: UiRect::all(px(1)),
            min_width: px(TOUCH_TARGET),
            min_height: px(TOUCH_TARGET),
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            border_radius: BorderRadius::all(px(6)),
            ..default()
        },
        BackgroundColor(BUTTON),
        BorderColor::all(Color::srgba(1.0, 1.0, 1.0, 0.18)),
        children![label(fonts, lang, text, TextStyle::Body)],
    )
}

/// A translucent panel; `Interaction` makes it block camera drags beneath it.
pub fn panel(node: Node) -> impl Bundle {
    (
        node,
        BackgroundColor(PANEL),
        Interaction::default(),
        BorderColor::all(Color::srgba(1.0, 1.0, 1.0, 0.08)),
    )
}

fn follow_language(
    lang: Res<Language>,
    mut labels: Query<(Ref<LocalizedLabel>, &mut Text)>,
    mut buttons: Query<(&Interaction, &mut BackgroundColor), (Changed<Interaction>, With<Button>)>,
) {
    for (label, mut text) in &mut labels {
        if lang.is_changed() || label.is_changed() {
            let wanted = label.get(*lang);
            if text.0 != wanted {
                text.0 = wanted.to_owned();
            }
        }
    }
    for (interaction, mut bg) in &mut buttons {
        bg.0 = if *interaction == Interaction::None {
            BUTTON
        } else {
            BUTTON_HOVER
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_visitors_language() {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .insert_resource(Language::VI)
            .add_systems(PostUpdate, follow_language);
        let label = app
            .world_mut()
            .spawn((
                Text::new("Đình Hàng Kênh"),
                LocalizedLabel::both("Đình Hàng Kênh", "Hàng Kênh Communal House"),
            ))
            .id();
        app.update();
        assert_eq!(app.world().get::<Text>(label).unwrap().0, "Đình Hàng Kênh");
        *app.world_mut().resource_mut::<Language>() = Language::EN;
        app.update();
        assert_eq!(
            app.world().get::<Text>(label).unwrap().0,
            "Hàng Kênh Communal House"
        );
        // A visitor reading French sees the English UI string.
        *app.world_mut().resource_mut::<Language>() = Language::from_code("fr");
        app.update();
        assert_eq!(
            app.world().get::<Text>(label).unwrap().0,
            "Hàng Kênh Communal House"
        );
    }

    #[test]
    fn the_ui_scales_with_the_window() {
        assert_eq!(ui_scale_for(1280.0, 720.0), 1.0);
        assert_eq!(
            ui_scale_for(640.0, 360.0),
            1.0,
            "a small frame keeps 44 px touch targets"
        );
        assert_eq!(ui_scale_for(390.0, 844.0), 1.0, "a phone held upright too");
        assert_eq!(ui_scale_for(3840.0, 2160.0), 2.0, "4K kiosk");
        assert_eq!(
            ui_scale_for(1080.0, 1920.0),
            1.0,
            "portrait kiosks scale to their width"
        );
    }
}
