//! Finding exhibits by name as visitors and staff type them: with or without Vietnamese
//! diacritics, and with the leftovers of the Telex input method when it was off ("ddinhf" for
//! "đình"). "dinh hang kenh" finds "Đình Hàng Kênh"; "dd" finds "đ".
//!
//! The folding table is written here rather than taken from a Unicode normalisation crate:
//! Vietnamese needs its 67 lower-case accented letters and đ (which no decomposition turns into
//! d), and combining marks from decomposed text are dropped, which is all a normaliser would add.

/// Vietnamese letters with diacritics, by the base letter they fold to.
const FOLDS: [(char, &str); 6] = [
    ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
    ('e', "èéẻẽẹêềếểễệ"),
    ('i', "ìíỉĩị"),
    ('o', "òóỏõọôồốổỗộơờớởỡợ"),
    ('u', "ùúủũụưừứửữự"),
    ('y', "ỳýỷỹỵ"),
];

fn fold_char(c: char) -> char {
    if c == 'đ' {
        return 'd';
    }
    FOLDS
        .iter()
        .find(|(_, accented)| accented.contains(c))
        .map_or(c, |(base, _)| *base)
}

/// Lower case, diacritics gone, đ as d, everything that is not a letter or digit a space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        // Combining marks (U+0300–U+036F), as in decomposed (NFD) text: dropped.
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        let c = fold_char(c);
        out.push(if c.is_alphanumeric() { c } else { ' ' });
    }
    out
}

/// A word typed with Telex but without the input method: doubled letters and `w` for the
/// vowel marks, `dd` for đ, and a tone key (s f r x j, or z for none) anywhere after the first
/// vowel, where no Vietnamese final consonant is one of those letters. Already folded.
fn untelex(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut seen_vowel = false;
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        match (c, next) {
            ('d', Some('d')) | ('a', Some('a')) | ('e', Some('e')) | ('o', Some('o')) => {
                chars.next();
                out.push(c);
            }
            ('a' | 'o' | 'u', Some('w')) => {
                chars.next();
                out.push(c);
            }
            ('w', _) => out.push('u'),
            ('s' | 'f' | 'r' | 'x' | 'j' | 'z', _) if seen_vowel => {}
            _ => out.push(c),
        }
        if "aeiouy".contains(c) || c == 'w' {
            seen_vowel = true;
        }
    }
    out
}

/// What the visitor typed, ready to match.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Per typed word, the spellings it may stand for (as typed, and read as Telex).
    words: Vec<Vec<String>>,
}

impl Query {
    pub fn new(typed: &str) -> Self {
        let words = fold(typed)
            .split_whitespace()
            .map(|w| {
                let mut forms = vec![w.to_owned()];
                let telex = untelex(w);
                if telex != w && !telex.is_empty() {
                    forms.push(telex);
                }
                forms
            })
            .collect();
        Query { words }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether every typed word starts a word of `folded` (text passed through [`fold`]), so
    /// that results narrow as the visitor types.
    pub fn matches(&self, folded: &str) -> bool {
        self.words.iter().all(|forms| {
            folded
                .split_whitespace()
                .any(|word| forms.iter().any(|f| word.starts_with(f.as_str())))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diacritics_and_d_fold_away() {
        assert_eq!(fold("Đình Hàng Kênh"), "dinh hang kenh");
        assert_eq!(fold("Trống đồng Đông Sơn"), "trong dong dong son");
        assert_eq!(fold("Sắc phong thần"), "sac phong than");
        // Decomposed input (NFD): the combining marks are dropped too.
        assert_eq!(fold("Ho\u{302}\u{300}ng"), "hong");
        assert_eq!(fold("Nhân Thọ đình (1851)"), "nhan tho dinh  1851 ");
    }

    #[test]
    fn typed_without_diacritics_or_with_telex_leftovers() {
        let house = fold("Đình Hàng Kênh · Hàng Kênh Communal House");
        for typed in [
            "dinh hang kenh",
            "Đình",
            "ddinhf",
            "hangf keenh",
            "dd",
            "hang k",
            "communal",
            "DINH HANG",
        ] {
            assert!(
                Query::new(typed).matches(&house),
                "{typed:?} should find the communal house"
            );
        }
        for typed in ["dinh hang trong", "den", "xuan"] {
            assert!(
                !Query::new(typed).matches(&house),
                "{typed:?} should not find the communal house"
            );
        }
        let drum = fold("Trống đồng Đông Sơn");
        assert!(Query::new("troosng ddoongf").matches(&drum));
        assert!(
            Query::new("trong dong").matches(&drum),
            "r after t is a consonant, not a tone key"
        );
        assert!(Query::new("").is_empty());
    }
}
