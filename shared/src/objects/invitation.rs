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

impl Role {
    /// The role's name as signed objects spell it (`guardian`, `student`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Guardian => "guardian",
            Role::Student => "student",
        }
    }
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
    /// The student's full name, which the form shows so that a parent of two children tells
    /// their two forms apart (on a student's own invitation, their own name). Personal data like
    /// `display_name`: the invitation travels only to the family and is stored with the personal
    /// data, never in the proof log, whose objects name the student by `student` alone.
    pub student_name: String,
    /// The student's class (e.g. `7B`), shown beside their name for the same reason, and kept
    /// out of the proof log in the same way.
    pub class: String,
    /// The student's date of birth, from which the age rules follow.
    #[serde(with = "crate::time::date")]
    pub student_birth_date: NaiveDate,
    /// After this instant the invitation can no longer be used to enrol.
    pub expires: Timestamp,
    /// Makes the invitation single-use.
    pub nonce: Nonce,
}

impl Invitation {
    /// The most characters `display_name` and `student_name` may have.
    pub const MAX_NAME: usize = 200;
    /// The most characters `class` may have: a class is a short label, not a sentence.
    pub const MAX_CLASS: usize = 50;
}

impl SignedObject for Invitation {
    const KIND: &'static str = "invitation/1";

    /// Only the school's root key signs these.
    fn named_signer(&self) -> Option<&PublicKey> {
        Some(&self.school)
    }

    fn validate(&self) -> Result<(), ContentError> {
        validate::text("display_name", &self.display_name, Invitation::MAX_NAME)?;
        validate::text("student_name", &self.student_name, Invitation::MAX_NAME)?;
        validate::text("class", &self.class, Invitation::MAX_CLASS)
    }
}
