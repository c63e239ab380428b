//! The consent form (what families are asked, by whom, under which policy) and the delegation of
//! the online archive key.

use crate::envelope::SignedObject;
use crate::ids::PurposeId;
use crate::primitives::{Digest, PublicKey};
use crate::time::Timestamp;
use crate::validate::{self, ContentError};
use crate::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A text of the form: always in English, and in each other language the school translated it into.
///
/// English is required, so that every family can read every purpose. A translation the school has
/// not written is absent, never empty: the widget then shows the English text, marked as English
/// ([`Localized::resolve`]), rather than hiding the purpose. Absent translations are left out of
/// the canonical encoding, so a form signed before a language was added keeps its exact bytes and
/// hash, and every receipt that pins it stays valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    /// English, the fallback for every other language.
    pub en: String,
    /// Polish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pl: Option<String>,
    /// Romanian.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ro: Option<String>,
    /// Ukrainian.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uk: Option<String>,
    /// German.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub de: Option<String>,
}

impl Localized {
    /// A text the school wrote in English only.
    pub fn english(en: impl Into<String>) -> Localized {
        Localized { en: en.into(), pl: None, ro: None, uk: None, de: None }
    }

    /// The text in `lang` if the school wrote it in that language (English always is).
    pub fn translated(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::En => Some(&self.en),
            Lang::Pl => self.pl.as_deref(),
            Lang::Ro => self.ro.as_deref(),
            Lang::Uk => self.uk.as_deref(),
            Lang::De => self.de.as_deref(),
        }
    }

    /// The text in `lang`, else in English, with the language it is actually in, so that a page
    /// can mark an English text inside a page in another language.
    pub fn resolve(&self, lang: Lang) -> (Lang, &str) {
        match self.translated(lang) {
            Some(text) => (lang, text),
            None => (Lang::En, &self.en),
        }
    }

    /// The HTML `lang` attribute this text needs inside a page in `lang`: `Some("en")` where it
    /// falls back to English, so that a screen reader pronounces it as English; none otherwise.
    pub fn lang_attribute(&self, lang: Lang) -> Option<&'static str> {
        let (shown, _) = self.resolve(lang);
        (shown != lang).then_some(shown.code())
    }

    /// The text in `lang`, else in English.
    pub fn get(&self, lang: Lang) -> &str {
        self.resolve(lang).1
    }

    /// Every text present must be non-empty and within `max`: a translation is either written or
    /// left out, never blank.
    fn validate(&self, field: &'static str, max: usize) -> Result<(), ContentError> {
        Lang::ALL
            .into_iter()
            .filter_map(|lang| self.translated(lang))
            .try_for_each(|text| validate::text(field, text, max))
    }
}

/// How to reach a person or office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Name of the person or office.
    pub name: String,
    /// Postal address.
    pub address: String,
    /// E-mail address.
    pub email: String,
    /// Telephone number.
    pub phone: String,
}

impl Contact {
    fn validate(&self) -> Result<(), ContentError> {
        validate::text("contact.name", &self.name, 200)?;
        validate::text("contact.address", &self.address, 400)?;
        validate::text("contact.email", &self.email, 200)?;
        validate::text("contact.phone", &self.phone, 50)
    }
}

/// The school as data controller (GDPR art. 13(1)(a)–(b)): who it is and its data protection officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controller {
    /// The school's own contacts.
    pub school: Contact,
    /// The data protection officer.
    pub dpo: Contact,
}

/// The school's policy: age thresholds, the deadline for rights requests and how long proof is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// From this age the student co-signs with a guardian (14 in Romania, policy 2.6).
    pub co_signing_age: u8,
    /// From this age the student decides alone.
    pub adult_age: u8,
    /// Months within which a rights request is answered (GDPR art. 12(3): one month).
    pub rights_deadline_months: u8,
    /// Years proof of consent is kept after it ends: the limitation period (policy 2.5).
    pub proof_retention_years: u8,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy { co_signing_age: 14, adult_age: 18, rights_deadline_months: 1, proof_retention_years: 3 }
    }
}

impl Policy {
    fn validate(&self) -> Result<(), ContentError> {
        let Policy { co_signing_age: co_signing, adult_age: adult, .. } = *self;
        if co_signing == 0 || co_signing >= adult || adult > 21 {
            return Err(ContentError::AgeThresholds { co_signing, adult });
        }
        if self.rights_deadline_months == 0 {
            return Err(ContentError::Zero { field: "policy.rights_deadline_months" });
        }
        if self.proof_retention_years == 0 {
            return Err(ContentError::Zero { field: "policy.proof_retention_years" });
        }
        Ok(())
    }
}

/// One purpose a family decides on, separately from every other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purpose {
    /// Stable across form versions, so that a decision keeps its meaning when wording changes.
    pub id: PurposeId,
    /// Short title, shown next to the checkbox.
    pub title: Localized,
    /// What is done with the data, in plain language.
    pub description: Localized,
    /// Who receives the data (one entry per recipient).
    pub recipients: Vec<Localized>,
    /// How long the data is kept.
    pub retention: Localized,
    /// Always `true`: no consent may be a condition of schooling; stated in the signed form so
    /// that the family's receipt proves they were told.
    pub optional: bool,
}

impl Purpose {
    /// Every text of the purpose, in the order a family reads them: title, description, each
    /// recipient, retention.
    pub fn texts(&self) -> impl Iterator<Item = &Localized> {
        [&self.title, &self.description].into_iter().chain(&self.recipients).chain([&self.retention])
    }

    /// Whether the school wrote every text of this purpose in `lang`; if not, a family reading
    /// in `lang` sees part of it in English.
    pub fn translated_into(&self, lang: Lang) -> bool {
        self.texts().all(|text| text.translated(lang).is_some())
    }

    fn validate(&self) -> Result<(), ContentError> {
        if !self.optional {
            return Err(ContentError::PurposeNotOptional(self.id.clone()));
        }
        self.title.validate("purpose.title", 120)?;
        self.description.validate("purpose.description", 2000)?;
        self.retention.validate("purpose.retention", 400)?;
        validate::count("purpose.recipients", self.recipients.len(), 20)?;
        self.recipients.iter().try_for_each(|r| r.validate("purpose.recipients", 200))
    }
}

/// One version of the school's consent form. Receipts pin the version they answered by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentForm {
    /// The school's root public key.
    pub school: PublicKey,
    /// Version number, counting from 1.
    pub version: u32,
    /// When this version was published.
    pub published: Timestamp,
    /// The hash of the version this one replaces, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<Digest>,
    /// The controller and its data protection officer.
    pub controller: Controller,
    /// The supervisory authority families may complain to.
    pub supervisory_authority: Contact,
    /// Ages, deadlines and retention.
    pub policy: Policy,
    /// The purposes, in the order they are shown.
    pub purposes: Vec<Purpose>,
}

/// The part of a form a school writes by hand (`verifier/examples/form.toml`); the school key,
/// version and dates are added when it is signed ([`ConsentForm::new`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormContent {
    /// The controller and its data protection officer.
    pub controller: Controller,
    /// The supervisory authority.
    pub supervisory_authority: Contact,
    /// Ages, deadlines, retention.
    pub policy: Policy,
    /// The purposes.
    pub purposes: Vec<Purpose>,
}

impl ConsentForm {
    /// Version `version` of `school`'s form with `content`, replacing `supersedes`.
    pub fn new(
        school: PublicKey,
        version: u32,
        published: Timestamp,
        supersedes: Option<Digest>,
        content: FormContent,
    ) -> ConsentForm {
        let FormContent { controller, supervisory_authority, policy, purposes } = content;
        ConsentForm { school, version, published, supersedes, controller, supervisory_authority, policy, purposes }
    }

    /// The purpose with id `id`, if this version has it.
    pub fn purpose(&self, id: &PurposeId) -> Option<&Purpose> {
        self.purposes.iter().find(|p| &p.id == id)
    }
}

impl SignedObject for ConsentForm {
    const KIND: &'static str = "consent-form/1";

    /// Only the school's root key signs these.
    fn named_signer(&self) -> Option<&PublicKey> {
        Some(&self.school)
    }

    fn validate(&self) -> Result<(), ContentError> {
        if self.version == 0 {
            return Err(ContentError::Zero { field: "version" });
        }
        self.controller.school.validate()?;
        self.controller.dpo.validate()?;
        self.supervisory_authority.validate()?;
        self.policy.validate()?;
        validate::count("purposes", self.purposes.len(), 32)?;
        let mut seen = BTreeSet::new();
        for purpose in &self.purposes {
            if !seen.insert(&purpose.id) {
                return Err(ContentError::DuplicatePurpose(purpose.id.clone()));
            }
            purpose.validate()?;
        }
        Ok(())
    }
}

/// The root key's delegation of the online archive key, for a bounded time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveDelegation {
    /// The school's root public key.
    pub school: PublicKey,
    /// The archive key being trusted.
    pub archive_key: PublicKey,
    /// First instant the archive key may sign.
    pub valid_from: Timestamp,
    /// Last instant the archive key may sign.
    pub valid_until: Timestamp,
}

impl SignedObject for ArchiveDelegation {
    const KIND: &'static str = "archive-delegation/1";

    /// Only the school's root key signs these.
    fn named_signer(&self) -> Option<&PublicKey> {
        Some(&self.school)
    }

    fn validate(&self) -> Result<(), ContentError> {
        if self.valid_until <= self.valid_from {
            return Err(ContentError::EmptyWindow { from: "valid_from", until: "valid_until" });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::{decode_canonical, to_canonical};

    /// A text translated into Polish and Ukrainian only.
    fn partly_translated() -> Localized {
        Localized {
            pl: Some("Zdjęcia".into()), uk: Some("Фотографії".into()), ..Localized::english("Photos")
        }
    }

    #[test]
    fn a_present_translation_is_used_and_an_absent_one_falls_back_to_english() {
        let text = partly_translated();
        // (reader's language, language shown, text shown)
        let cases = [
            (Lang::En, Lang::En, "Photos"),
            (Lang::Pl, Lang::Pl, "Zdjęcia"),
            (Lang::Uk, Lang::Uk, "Фотографії"),
            (Lang::Ro, Lang::En, "Photos"),
            (Lang::De, Lang::En, "Photos"),
        ];
        for (reader, shown, expected) in cases {
            assert_eq!(text.resolve(reader), (shown, expected), "{reader:?}");
            assert_eq!(text.get(reader), expected, "{reader:?}");
            assert_eq!(text.translated(reader).is_some(), shown == reader, "{reader:?}");
            assert_eq!(text.lang_attribute(reader), (shown != reader).then_some("en"), "{reader:?}");
        }
    }

    #[test]
    fn every_present_text_is_validated_and_absent_ones_are_not() {
        let check = |text: Localized, expected: Result<(), ContentError>| {
            assert_eq!(text.validate("purpose.title", 10), expected, "{text:?}");
        };
        check(Localized::english("Photos"), Ok(()));
        check(partly_translated(), Ok(()));
        check(Localized::english(" "), Err(ContentError::EmptyText { field: "purpose.title" }));
        check(
            Localized { de: Some(String::new()), ..partly_translated() },
            Err(ContentError::EmptyText { field: "purpose.title" }),
        );
        check(
            Localized { uk: Some(" \n".into()), ..partly_translated() },
            Err(ContentError::EmptyText { field: "purpose.title" }),
        );
        check(
            Localized { ro: Some("Fotografii școlare".into()), ..partly_translated() },
            Err(ContentError::TooLong { field: "purpose.title", max: 10 }),
        );
    }

    #[test]
    fn absent_translations_are_left_out_of_the_encoding_and_written_null_is_not_canonical() {
        let bytes = to_canonical(&partly_translated()).expect("encodes");
        assert_eq!(String::from_utf8_lossy(&bytes), r#"{"en":"Photos","pl":"Zdjęcia","uk":"Фотографії"}"#);
        assert_eq!(decode_canonical::<Localized>(&bytes), Ok(partly_translated()));
        assert!(decode_canonical::<Localized>(br#"{"de":null,"en":"Photos"}"#).is_err());
        assert!(decode_canonical::<Localized>(r#"{"pl":"Zdjęcia"}"#.as_bytes()).is_err(), "English is required");
        assert!(decode_canonical::<Localized>(br#"{"en":"Photos","fr":"Photos"}"#).is_err(), "no unknown language");
    }

    #[test]
    fn a_purpose_is_translated_into_a_language_only_if_every_one_of_its_texts_is() {
        let full = |en: &str| Localized { de: Some(format!("{en} (de)")), ..partly_translated() };
        let purpose = Purpose {
            id: PurposeId::try_from("photos").expect("an id"),
            title: full("Photos"),
            description: full("Class photos."),
            recipients: vec![full("Teachers"), partly_translated()],
            retention: full("One year."),
            optional: true,
        };
        assert_eq!(purpose.texts().count(), 5);
        let translated: Vec<Lang> = Lang::ALL.into_iter().filter(|&lang| purpose.translated_into(lang)).collect();
        // The second recipient lacks German; Romanian is missing everywhere.
        assert_eq!(translated, [Lang::En, Lang::Pl, Lang::Uk]);
    }

    /// Regression guard for adding languages: a form signed when the widget spoke English, Polish
    /// and Romanian only re-encodes to its committed bytes, so its hash and signature still hold.
    #[test]
    fn a_form_without_ukrainian_or_german_keeps_its_committed_bytes() {
        let vector = include_str!("../../../tests/vectors/consent-form.v1.vector");
        let (_, envelope) = vector.split_once("\n\n").expect("a vector is a header, a blank line and the bytes");
        let decoded = crate::envelope::decode::<ConsentForm>(envelope.as_bytes()).expect("the committed form decodes");
        let signer = *decoded.signer();
        let form = decoded.verify(&signer).expect("the committed form's signature still verifies");
        let texts = form.body().purposes.iter().flat_map(|p| [&p.title, &p.description, &p.retention]);
        assert!(texts.clone().all(|t| t.pl.is_some() && t.ro.is_some() && t.uk.is_none() && t.de.is_none()));
        let body = to_canonical(form.body()).expect("encodes");
        let expected = format!("{{\"body\":{},", String::from_utf8(body).expect("UTF-8"));
        assert!(envelope.starts_with(&expected), "re-encoding the committed form changed its bytes");
    }
}
