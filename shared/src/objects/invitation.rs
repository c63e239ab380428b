//! Invitations: the school's signed permission for one person to enrol for one student.

use crate::envelope::SignedObject;
use crate::ids::{PersonId, StudentId};
use crate::primitives::{Nonce, PublicKey};
use crate::time::Timestamp;
use crate::validate::{self, ContentError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// In which capacity a person signs for a student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A parent or legal guardian.
    Guardian,
    /// The student themselves.
    Student,
}

/// An invitation, carried to the person in a link's URL fragment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// The school's root public key.
    pub school: PublicKey,
    /// The student the invitation is about.
    pub student: StudentId,
    /// The invited person.
    pub person: PersonId,
    /// The capacity in which they will sign.
    pub role: Role,
    /// The name the widget greets them with; it stays out of the proof log.
    pub display_name: String,
    /// The student's date of birth, from which the age rules follow.
    #[serde(with = "crate::time::date")]
    pub student_birth_date: NaiveDate,
    /// After this instant the invitation can no longer be used to enrol.
    pub expires: Timestamp,
    /// Makes the invitation single-use.
    pub nonce: Nonce,
}

impl SignedObject for Invitation {
    const KIND: &'static str = "invitation/1";

    /// Only the school's root key signs these.
    fn named_signer(&self) -> Option<&PublicKey> {
        Some(&self.school)
    }

    fn validate(&self) -> Result<(), ContentError> {
        validate::text("display_name", &self.display_name, 200)
    }
}
