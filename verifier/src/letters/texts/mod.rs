//! Every sentence of a printed letter, in every language a family may read it in.
//!
//! As for the widget's and the console's texts, one catalogue per language (`en.rs`, `pl.rs`, `ro.rs`,
//! `uk.rs`, `de.rs`), a plain list of `(Key, text)` pairs in the order the letter reads, looked up through
//! `shared::texts::Catalogues` with English as the fallback. The tests fail if any language
//! actually falls back, or if its `{placeholders}` differ from the English ones.

use shared::texts::Catalogues;
use shared::Lang;

mod de;
mod en;
mod pl;
mod ro;
mod uk;

shared::catalogue_keys! {
    "One text of a printed letter; each variant's doc says where it is printed.";
    /// The letter's heading.
    Title,
    /// The salutation: `{name}`.
    Greeting,
    /// To a parent or guardian: `{school}` asks about `{student}` of class `{class}`.
    AboutGuardian,
    /// To a student of co-signing age or older: `{school}`, their class `{class}`.
    AboutStudent,
    /// Before the purposes' titles.
    Purposes,
    /// That each purpose is optional, nothing is agreed unless answered "yes", and withdrawal.
    Choice,
    /// The heading of the instructions.
    HowTo,
    /// First way in: the phone's camera.
    Scan,
    /// Second way in: typing the address.
    Type,
    /// How long the code works: `{date}`.
    ValidUntil,
    /// That the code is the reader's alone and works once, on one device.
    Secret,
    /// What to do when the code no longer works.
    NewLetter,
    /// The QR code's text alternative.
    QrAlt,
    /// The heading of the contacts.
    Contacts,
    /// Label of the school office's contact.
    Office,
    /// Label of the data protection officer's contact.
    Dpo,
}

/// The letters' texts.
const CATALOGUES: Catalogues<Key> =
    Catalogues { en: en::CATALOG, pl: pl::CATALOG, ro: ro::CATALOG, uk: uk::CATALOG, de: de::CATALOG };

/// The text of `key` in `lang`, or in English if that catalogue lacks it.
pub fn text(lang: Lang, key: Key) -> &'static str {
    CATALOGUES.text_in(CATALOGUES.of(lang), key).unwrap_or_default()
}

/// The text of `key` in `lang` with its `{placeholders}` filled from `values`.
pub fn fill(lang: Lang, key: Key, values: &[(&str, &str)]) -> String {
    shared::texts::fill(text(lang, key), values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::texts::placeholders;

    #[test]
    fn every_key_exists_in_every_language_once_and_is_not_empty() {
        for lang in Lang::ALL {
            let catalogue = CATALOGUES.of(lang);
            for key in Key::ALL {
                let found: Vec<_> = catalogue.iter().filter(|(k, _)| k == key).collect();
                assert_eq!(found.len(), 1, "{key:?} in {lang:?}");
                assert!(!found[0].1.trim().is_empty(), "{key:?} in {lang:?} is empty");
            }
            assert_eq!(catalogue.len(), Key::ALL.len(), "{lang:?} has keys twice");
        }
    }

    #[test]
    fn every_language_has_the_english_placeholders() {
        for lang in Lang::ALL {
            for &key in Key::ALL {
                assert_eq!(placeholders(text(lang, key)), placeholders(text(Lang::En, key)), "{key:?} in {lang:?}");
            }
        }
    }

    #[test]
    fn every_language_but_english_is_translated() {
        for lang in Lang::ALL.into_iter().filter(|&lang| lang != Lang::En) {
            let same = Key::ALL.iter().filter(|&&key| text(lang, key) == text(Lang::En, key)).count();
            assert!(same * 10 < Key::ALL.len(), "{lang:?}: {same} texts are the English ones");
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill(Lang::En, Key::Greeting, &[("name", "Ewa")]), "Dear Ewa,");
        assert_eq!(
            fill(Lang::Ro, Key::ValidUntil, &[("date", "14 mai 2026")]),
            "Codul funcționează până la 14 mai 2026."
        );
    }
}
