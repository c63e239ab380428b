//! The consent receipt: one person's decisions, signed on their own device.

use super::enrolment::EnrolmentCertificate;
use super::invitation::Role;
use crate::envelope::Signed;
use crate::envelope::SignedObject;
use crate::ids::{PurposeId, StudentId};
use crate::primitives::{Digest, PublicKey};
use crate::time::Timestamp;
use crate::validate::{self, ContentError};
use crate::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A decision on one purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// "I agree."
    Grant,
    /// "I do not agree" — recorded, so that a refusal is as provable as a consent.
    Refuse,
    /// "I no longer agree": ends an earlier grant from now on; the earlier history stays.
    Withdraw,
}

/// A signed receipt: what one person decided, on which form version, for which student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentReceipt {
    /// The school's root public key.
    pub school: PublicKey,
    /// The hash of the exact form version the person was shown.
    pub form: Digest,
    /// The student the decisions are about.
    pub student: StudentId,
    /// The hash of the signer's enrolment certificate.
    pub certificate: Digest,
    /// The capacity in which they sign (must match the certificate).
    pub role: Role,
    /// One decision per purpose; purposes not named keep the signer's earlier decision.
    pub decisions: BTreeMap<PurposeId, Decision>,
    /// The device's clock when signing; the archive's acknowledgement carries the trusted time.
    pub client_time: Timestamp,
    /// The hash of this signer's previous receipt for this student; `None` for their first. The
    /// chain makes an old receipt, replayed, unable to override a later one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Digest>,
    /// The language the form was shown in.
    pub language: Lang,
}

impl ConsentReceipt {
    /// A receipt by the holder of `certificate` (school, student, role and certificate hash come
    /// from it) answering the form version `form`.
    pub fn by(
        certificate: &Signed<EnrolmentCertificate>,
        form: Digest,
        decisions: BTreeMap<PurposeId, Decision>,
        client_time: Timestamp,
        previous: Option<Digest>,
        language: Lang,
    ) -> ConsentReceipt {
        let cert = certificate.body();
        ConsentReceipt {
            school: cert.school,
            form,
            student: cert.student.clone(),
            certificate: certificate.hash(),
            role: cert.role,
            decisions,
            client_time,
            previous,
            language,
        }
    }
}

impl SignedObject for ConsentReceipt {
    const KIND: &'static str = "consent-receipt/1";

    fn validate(&self) -> Result<(), ContentError> {
        validate::count("decisions", self.decisions.len(), 32)?;
        if self.previous.is_none() {
            let withdrawn = self.decisions.iter().find(|(_, d)| **d == Decision::Withdraw);
            if let Some((purpose, _)) = withdrawn {
                return Err(ContentError::WithdrawalWithoutPrevious(purpose.clone()));
            }
        }
        Ok(())
    }
}
