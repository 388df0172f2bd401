//! Text in several languages. Vietnamese is the first language of every exhibit and English
//! the second; both are expected, and a missing one falls back to the other (with a warning
//! from the validator) so that a visitor never sees an empty label.

use std::collections::BTreeMap;
use std::fmt;

/// A BCP-47-style language code as written in the manifest (`vi`, `en`, `fr`, ...).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lang(String);

impl Lang {
    pub fn vi() -> Self {
        Self("vi".into())
    }
    pub fn en() -> Self {
        Self("en".into())
    }
    pub fn new(code: &str) -> Self {
        Self(code.to_ascii_lowercase())
    }
    pub fn code(&self) -> &str {
        &self.0
    }
    /// Is `code` a plausible language tag: 2–3 lowercase letters, optionally `-REGION`.
    pub fn is_valid_code(code: &str) -> bool {
        let mut parts = code.split('-');
        let primary = parts.next().unwrap_or("");
        (2..=3).contains(&primary.len())
            && primary.chars().all(|c| c.is_ascii_lowercase())
            && parts.all(|p| {
                !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric())
            })
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The languages every exhibit is written in, in order of preference for fallback.
pub const REQUIRED_LANGS: [&str; 2] = ["vi", "en"];

/// One value per language (text, or a path to a per-language file).
#[derive(Clone, Debug, PartialEq)]
pub struct Localized<T> {
    by_lang: BTreeMap<Lang, T>,
}

// By hand: an empty map needs no `T: Default`.
impl<T> Default for Localized<T> {
    fn default() -> Self {
        Self {
            by_lang: BTreeMap::new(),
        }
    }
}

pub type LocalizedText = Localized<String>;

impl<T> Localized<T> {
    pub fn new() -> Self {
        Self {
            by_lang: BTreeMap::new(),
        }
    }

    pub fn with(mut self, lang: &str, value: T) -> Self {
        self.insert(Lang::new(lang), value);
        self
    }

    pub fn insert(&mut self, lang: Lang, value: T) {
        self.by_lang.insert(lang, value);
    }

    pub fn is_empty(&self) -> bool {
        self.by_lang.is_empty()
    }

    /// Exactly the value written for `lang`, without fallback.
    pub fn exact(&self, lang: &str) -> Option<&T> {
        self.by_lang.get(&Lang::new(lang))
    }

    /// The value for `lang`, else Vietnamese, else English, else any language written.
    pub fn get(&self, lang: &str) -> Option<&T> {
        self.exact(lang)
            .or_else(|| REQUIRED_LANGS.iter().find_map(|l| self.exact(l)))
            .or_else(|| self.by_lang.values().next())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Lang, &T)> {
        self.by_lang.iter()
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.by_lang.values()
    }
}

impl Localized<String> {
    /// The text for `lang` with fallback, or "" when nothing was written at all.
    pub fn text(&self, lang: &str) -> &str {
        self.get(lang).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_vietnamese_then_english() {
        let t = LocalizedText::new()
            .with("vi", "Đình".to_owned())
            .with("en", "Communal house".to_owned());
        assert_eq!(t.text("en"), "Communal house");
        assert_eq!(t.text("fr"), "Đình");
        let only_en = LocalizedText::new().with("en", "Drum".to_owned());
        assert_eq!(only_en.text("vi"), "Drum");
        assert_eq!(LocalizedText::new().text("vi"), "");
    }

    #[test]
    fn language_codes() {
        assert!(Lang::is_valid_code("vi"));
        assert!(Lang::is_valid_code("zh-Hant"));
        assert!(!Lang::is_valid_code("Vietnamese"));
        assert!(!Lang::is_valid_code("v"));
    }
}
