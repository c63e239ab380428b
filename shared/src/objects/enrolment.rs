//! Enrolment: a person's new key, proven by its own signature, becomes certified by the archive.

use super::invitation::Role;
use crate::envelope::SignedObject;
use crate::ids::{PersonId, StudentId};
use crate::primitives::{Digest, PublicKey};
use crate::time::Timestamp;
use crate::validate::ContentError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A request to enrol a key that was just generated on a device, signed by that key: one shape
/// for every kind of invitation it answers, each with its own kind tag.
macro_rules! enrolment_request {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $invitation:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            /// The school's root public key.
            pub school: PublicKey,
            #[doc = concat!("The hash of the ", $invitation, " being used.")]
            pub invitation: Digest,
            /// The new key; the request's own signature proves the sender holds its secret half.
            pub key: PublicKey,
            /// The device's clock when it asked.
            pub client_time: Timestamp,
        }

        impl SignedObject for $name {
            const KIND: &'static str = $kind;

            /// The request proves possession of the key it offers, so it must be signed by that key.
            fn named_signer(&self) -> Option<&PublicKey> {
                Some(&self.key)
            }

            fn validate(&self) -> Result<(), ContentError> {
                Ok(())
            }
        }
    };
}

enrolment_request!(
    /// A request to enrol a key that was just generated on the person's device, signed by that key.
    EnrolmentRequest,
    "enrolment-request/1",
    "invitation"
);

enrolment_request!(
    /// A request to certify a key that was just generated in a staff member's browser, signed by
    /// that key; it answers a [`super::StaffInvitation`].
    StaffEnrolmentRequest,
    "staff-enrolment-request/1",
    "staff invitation"
);

/// The archive's certificate binding a person key to (student, role, person).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentCertificate {
    /// The school's root public key.
    pub school: PublicKey,
    /// The invitation it was issued for.
    pub invitation: Digest,
    /// The student the person signs for.
    pub student: StudentId,
    /// The person.
    pub person: PersonId,
    /// Their capacity.
    pub role: Role,
    /// The student's date of birth, so that anyone holding the certificate can apply the age rules.
    #[serde(with = "crate::time::date")]
    pub student_birth_date: NaiveDate,
    /// The person's public key.
    pub key: PublicKey,
    /// When the archive issued it.
    pub issued: Timestamp,
}

impl SignedObject for EnrolmentCertificate {
    const KIND: &'static str = "enrolment/1";

    fn validate(&self) -> Result<(), ContentError> {
        Ok(())
    }
}
