//! The languages the widget speaks, and how a browser's preference maps onto them.

use serde::{Deserialize, Serialize};

/// A language in which a purpose is described and a decision was shown.
///
/// Serialised as its ISO 639-1 code, which is also what `data-lang` and `navigator.language` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English, the fallback for every other language.
    En,
    /// Polish.
    Pl,
    /// Romanian.
    Ro,
    /// Ukrainian, spoken by many families in Polish and Romanian schools.
    Uk,
    /// German.
    De,
}

impl Lang {
    /// Every supported language, English first.
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Pl, Lang::Ro, Lang::Uk, Lang::De];

    /// The ISO 639-1 code, as written in signed objects and HTML `lang` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Pl => "pl",
            Lang::Ro => "ro",
            Lang::Uk => "uk",
            Lang::De => "de",
        }
    }

    /// The language's own name, for a language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Pl => "Polski",
            Lang::Ro => "Română",
            Lang::Uk => "Українська",
            Lang::De => "Deutsch",
        }
    }

    /// An exact ISO 639-1 code, or `None` for a language this product does not speak.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// The language for a BCP 47 tag such as `pl-PL` or `ro`, falling back to English.
    ///
    /// A family whose browser asks for a language we lack still gets a complete page, in English.
    pub fn negotiate(tag: &str) -> Lang {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        Lang::from_code(&primary.to_ascii_lowercase()).unwrap_or(Lang::En)
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    fn check(tag: &str, expected: Lang) {
        assert_eq!(Lang::negotiate(tag), expected, "tag {tag:?}");
    }

    #[test]
    fn negotiation_takes_the_primary_subtag_and_falls_back_to_english() {
        check("pl", Lang::Pl);
        check("pl-PL", Lang::Pl);
        check("RO_ro", Lang::Ro);
        check("en-GB", Lang::En);
        check("de-DE", Lang::De);
        check("de-AT", Lang::De);
        check("uk-UA", Lang::Uk);
        check("uk", Lang::Uk);
        // Russian is not Ukrainian: a language we lack falls back to English, never a neighbour.
        check("ru-UA", Lang::En);
        check("fr-FR", Lang::En);
        check("", Lang::En);
    }

    #[test]
    fn codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
    }
}
