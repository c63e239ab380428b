//! Every sentence of the e-mails to families, in every language the product speaks: one
//! catalogue per language (`en.rs`, `pl.rs`, `ro.rs`, `uk.rs`, `de.rs`) of `(Key, text)` pairs in the order a
//! message reads, looked up through `shared::texts::Catalogues` as the widget's and the console's
//! texts are. English is the fallback; the tests fail if a language lacks a key or its
//! `{placeholders}` differ from the English ones.

use shared::texts::{Catalogue, Catalogues};
use shared::Lang;

mod de;
mod en;
mod pl;
mod ro;
mod uk;

/// Declares [`Key`] and the list of all its variants from one list.
macro_rules! keys {
    ($($(#[$doc:meta])* $name:ident,)+) => {
        /// One sentence of a message to a family; each variant's doc says where it stands.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key {
            $($(#[$doc])* $name,)+
        }

        impl Key {
            /// Every key, in declaration order (for the tests).
            #[cfg(test)]
            pub const ALL: &'static [Key] = &[$(Key::$name,)+];
        }
    };
}

keys! {
    /// Subject of an invitation: `{school}`, `{student}`, `{class}`.
    SubjectInvitation,
    /// Subject of a reminder to answer: `{school}`, `{student}`, `{class}`.
    SubjectReminder,
    /// Subject of a request to confirm again: `{school}`, `{student}`, `{class}`.
    SubjectReconfirm,
    /// The greeting: `{name}`.
    Greeting,
    /// An invitation's first paragraph: `{school}`, `{student}`, `{class}`.
    BodyInvitation,
    /// A reminder's first paragraph, when answers are missing: `{school}`, `{student}`, `{class}`.
    BodyNotAnswered,
    /// …when a new form version needs consent again: `{school}`, `{student}`, `{class}`.
    BodyNewFormVersion,
    /// …when the student crossed an age threshold: `{school}`, `{student}`, `{class}`.
    BodyAgeThreshold,
    /// Before the list of purposes.
    PurposesLead,
    /// Before the person's own invitation link.
    LinkInvitation,
    /// After it: `{date}`.
    LinkValidUntil,
    /// Before the consent page's address, for someone whose device holds their key.
    LinkConsentPage,
    /// The office's contact: `{email}`, `{phone}`.
    Contact,
    /// The closing line, before the school's name.
    Closing,
}

/// The messages' texts.
const CATALOGUES: Catalogues<Key> =
    Catalogues { en: en::CATALOG, pl: pl::CATALOG, ro: ro::CATALOG, uk: uk::CATALOG, de: de::CATALOG };

fn catalogue(lang: Lang) -> Catalogue<Key> {
    CATALOGUES.of(lang)
}

/// The text of `key` in `lang` (else in English) with its `{placeholders}` filled from `values`.
pub fn fill(lang: Lang, key: Key, values: &[(&str, &str)]) -> String {
    shared::texts::fill(CATALOGUES.text_in(catalogue(lang), key).unwrap_or_default(), values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::texts::placeholders;

    fn text(lang: Lang, key: Key) -> &'static str {
        CATALOGUES.text_in(catalogue(lang), key).unwrap_or_default()
    }

    #[test]
    fn every_key_exists_in_every_language_once_and_is_not_empty() {
        for lang in Lang::ALL {
            for key in Key::ALL {
                let found: Vec<_> = catalogue(lang).iter().filter(|(k, _)| k == key).collect();
                assert_eq!(found.len(), 1, "{key:?} in {lang:?}");
                assert!(!found[0].1.trim().is_empty(), "{key:?} in {lang:?} is empty");
            }
            assert_eq!(catalogue(lang).len(), Key::ALL.len(), "{lang:?} has keys twice");
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
        for lang in Lang::ALL.into_iter().filter(|lang| *lang != Lang::En) {
            for &key in Key::ALL {
                assert_ne!(text(lang, key), text(Lang::En, key), "{key:?} in {lang:?} is the English text");
            }
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill(Lang::Pl, Key::LinkValidUntil, &[("date", "2026-06-30")]), "Link działa do 2026-06-30.");
    }
}
