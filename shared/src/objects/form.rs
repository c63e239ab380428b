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

/// A text in every language the widget speaks; none may be missing, so no family ever sees a
/// purpose described in a language they did not choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    /// English.
    pub en: String,
    /// Polish.
    pub pl: String,
    /// Romanian.
    pub ro: String,
}

impl Localized {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Pl => &self.pl,
            Lang::Ro => &self.ro,
        }
    }

    fn validate(&self, field: &'static str, max: usize) -> Result<(), ContentError> {
        Lang::ALL.into_iter().try_for_each(|lang| validate::text(field, self.get(lang), max))
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
