//! A decision a family gave on a paper slip, recorded by a member of staff: the log's proof of
//! who entered it, from which slip (the SHA-256 of its scan) and what the slip said. It is never
//! a family's signature, and everything that shows it says so.

use super::invitation::Role;
use super::receipt::Decision;
use crate::envelope::SignedObject;
use crate::ids::{PersonId, PurposeId, StudentId};
use crate::primitives::{Digest, PublicKey};
use crate::time::Timestamp;
use crate::validate::{self, ContentError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Someone who signed a paper slip, as the school's roster knows them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PaperSigner {
    /// Their pseudonymous id (the one their invitation names).
    pub person: PersonId,
    /// The capacity in which they signed the slip.
    pub role: Role,
}

/// The most people one slip can be signed by: two guardians and the student.
pub const MAX_PAPER_SIGNERS: usize = 3;

/// A DPO's or director's record of a paper slip, signed by their staff key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperRecord {
    /// The school's root public key.
    pub school: PublicKey,
    /// The hash of the recording staff member's certificate; its key must have signed this.
    pub certificate: Digest,
    /// The student the slip is about.
    pub student: StudentId,
    /// The student's date of birth, as the roster holds it: the age rules decide who had to sign
    /// the slip, and they must be checkable from a proof bundle alone, as for a certificate.
    #[serde(with = "crate::time::date")]
    pub student_birth_date: NaiveDate,
    /// The form version printed on the slip.
    pub form: Digest,
    /// Who signed the slip, sorted by person, each once.
    pub signers: Vec<PaperSigner>,
    /// What the slip says, per purpose; purposes it leaves blank are not named.
    pub decisions: BTreeMap<PurposeId, Decision>,
    /// The date written on the slip: from then on its decisions hold, until a later decision.
    #[serde(with = "crate::time::date")]
    pub signed_on: NaiveDate,
    /// The SHA-256 of the scanned slip, which the school keeps with the paper.
    pub scan: Digest,
    /// The staff member's clock when recording.
    pub client_time: Timestamp,
}

impl PaperRecord {
    /// The instant the slip's decisions take effect: the start of the day written on it (UTC),
    /// so that any decision a family signs on a device that day or later comes after it.
    pub fn effective(&self) -> Timestamp {
        // `validate` admits only dates from 1970 on, which every `PaperRecord` read has passed.
        Timestamp::start_of_day(self.signed_on).unwrap_or(self.client_time)
    }
}

impl SignedObject for PaperRecord {
    const KIND: &'static str = "paper-record/1";

    fn validate(&self) -> Result<(), ContentError> {
        validate::count("decisions", self.decisions.len(), 32)?;
        validate::count("signers", self.signers.len(), MAX_PAPER_SIGNERS)?;
        let persons: Vec<&PersonId> = self.signers.iter().map(|s| &s.person).collect();
        validate::sorted_unique("signers", &persons)?;
        if self.signed_on > self.client_time.date() || Timestamp::start_of_day(self.signed_on).is_none() {
            return Err(ContentError::SlipDate);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(signers: &[(&str, Role)], signed_on: &str) -> PaperRecord {
        PaperRecord {
            school: PublicKey([1; 32]),
            certificate: Digest::of(b"certificate"),
            student: StudentId::try_from("s-1").expect("id"),
            student_birth_date: "2016-01-10".parse().expect("date"),
            form: Digest::of(b"form"),
            signers: signers
                .iter()
                .map(|(p, role)| PaperSigner { person: PersonId::try_from(*p).expect("id"), role: *role })
                .collect(),
            decisions: BTreeMap::from([(PurposeId::try_from("photos").expect("id"), Decision::Grant)]),
            signed_on: signed_on.parse().expect("date"),
            scan: Digest::of(b"scan"),
            client_time: Timestamp::parse("2026-09-10T12:00:00Z").expect("time"),
        }
    }

    #[test]
    fn a_slip_names_its_signers_once_each_and_is_dated_no_later_than_it_is_recorded() {
        use Role::*;
        assert_eq!(record(&[("s-1-g1", Guardian)], "2026-09-10").validate(), Ok(()));
        assert_eq!(record(&[("s-1-g1", Guardian), ("s-1-s", Student)], "2026-09-01").validate(), Ok(()));
        let none = record(&[], "2026-09-01");
        assert_eq!(none.validate(), Err(ContentError::Missing { field: "signers" }));
        let twice = record(&[("s-1-g1", Guardian), ("s-1-g1", Student)], "2026-09-01");
        assert_eq!(twice.validate(), Err(ContentError::NotSortedUnique { field: "signers" }));
        let unsorted = record(&[("s-1-s", Student), ("s-1-g1", Guardian)], "2026-09-01");
        assert_eq!(unsorted.validate(), Err(ContentError::NotSortedUnique { field: "signers" }));
        assert_eq!(record(&[("s-1-g1", Guardian)], "2026-09-11").validate(), Err(ContentError::SlipDate));
        assert_eq!(record(&[("s-1-g1", Guardian)], "1969-12-31").validate(), Err(ContentError::SlipDate));
        let mut blank = record(&[("s-1-g1", Guardian)], "2026-09-01");
        blank.decisions.clear();
        assert_eq!(blank.validate(), Err(ContentError::Missing { field: "decisions" }));
    }

    #[test]
    fn a_slip_takes_effect_from_the_start_of_its_day() {
        let slip = record(&[("s-1-g1", Role::Guardian)], "2026-09-01");
        assert_eq!(slip.effective(), Timestamp::parse("2026-09-01T00:00:00Z").expect("time"));
    }
}
