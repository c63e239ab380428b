//! Rights requests (GDPR art. 15–21) and the school's decisions on them.

use super::invitation::Role;
use crate::envelope::SignedObject;
use crate::ids::{PurposeId, StudentId};
use crate::primitives::{Digest, Nonce, PublicKey};
use crate::time::Timestamp;
use crate::validate::{self, ContentError};
use serde::{Deserialize, Serialize};

/// The right a request exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Right {
    /// Information about, and a copy of, the data held (art. 15).
    Access,
    /// Correction of inaccurate data (art. 16).
    Rectification,
    /// Erasure of data (art. 17).
    Erasure,
    /// Restriction ("blocking") of processing (art. 18).
    Restriction,
    /// Objection to processing (art. 21).
    Objection,
}

impl Right {
    /// Every right, in the order the widget lists them.
    pub const ALL: [Right; 5] =
        [Right::Access, Right::Rectification, Right::Erasure, Right::Restriction, Right::Objection];

    /// The right's name as signed objects spell it (`access`, `rectification`, …).
    pub fn name(self) -> &'static str {
        match self {
            Right::Access => "access",
            Right::Rectification => "rectification",
            Right::Erasure => "erasure",
            Right::Restriction => "restriction",
            Right::Objection => "objection",
        }
    }
}

/// A signed rights request from a guardian or student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightsRequest {
    /// The school's root public key.
    pub school: PublicKey,
    /// The student the request is about.
    pub student: StudentId,
    /// The hash of the requester's enrolment certificate.
    pub certificate: Digest,
    /// The requester's capacity.
    pub role: Role,
    /// The right exercised.
    pub right: Right,
    /// The purposes concerned; empty means all processing of the student's data.
    pub purposes: Vec<PurposeId>,
    /// The request in the requester's own words.
    pub text: String,
    /// The device's clock when signing.
    pub client_time: Timestamp,
    /// Makes two identical requests distinct objects.
    pub nonce: Nonce,
}

impl SignedObject for RightsRequest {
    const KIND: &'static str = "rights-request/1";

    fn validate(&self) -> Result<(), ContentError> {
        validate::text("text", &self.text, 4000)?;
        if self.purposes.len() > 32 {
            return Err(ContentError::TooLong { field: "purposes", max: 32 });
        }
        Ok(())
    }
}

/// The school's answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The request is granted and carried out.
    Granted,
    /// The request is refused, for the reason given.
    Refused,
}

/// The longest reason a decision may give.
pub const MAX_REASON: usize = 4000;

/// The school's signed decision on a rights request, returned to the requester.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDecision {
    /// The school's root public key.
    pub school: PublicKey,
    /// The hash of the request decided.
    pub request: Digest,
    /// Granted or refused.
    pub outcome: Outcome,
    /// Why, in words the requester can understand.
    pub reason: String,
    /// When the school decided.
    pub decided: Timestamp,
    /// The staff member's signed [`super::StaffDecision`] this carries out, when one decided in
    /// the console (absent when the school decided with its admin token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_decision: Option<Digest>,
}

impl SignedObject for RequestDecision {
    const KIND: &'static str = "request-decision/1";

    fn validate(&self) -> Result<(), ContentError> {
        validate::text("reason", &self.reason, MAX_REASON)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_right_is_named_as_signed_objects_spell_it() {
        for right in Right::ALL {
            assert_eq!(serde_json::to_value(right).expect("a right serializes"), right.name(), "{right:?}");
        }
    }
}
