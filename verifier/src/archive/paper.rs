//! Recording a family's paper slip: a DPO's or director's staff-signed [`PaperRecord`], logged
//! under the student like a receipt and acknowledged the same way, but never a family signature.

use super::lookup::stored_acknowledgement;
use super::staff::revocation_of;
use super::{begin, commit_entry, read, Archive, ArchiveError, Entry};
use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use rusqlite::{Connection, OptionalExtension};
use shared::ids::{PersonId, PurposeId, StudentId};
use shared::objects::{Acknowledgement, Decision, PaperRecord, PaperSigner, Role, StaffCertificate};
use shared::primitives::{Digest, PublicKey};
use shared::trust::{TrustError, Verified};
use shared::{decode, sign, Signed, SignedObject, Timestamp};
use std::collections::BTreeMap;

/// A paper slip as a member of staff reads it: the roster and the form in force fill in the rest
/// ([`Archive::sign_paper`]).
#[derive(Debug, Clone)]
pub struct Slip {
    /// The student it is about.
    pub student: StudentId,
    /// Who signed it (their ids from the roster).
    pub signers: Vec<PersonId>,
    /// What it says, per purpose.
    pub decisions: BTreeMap<PurposeId, Decision>,
    /// The date written on it.
    pub signed_on: NaiveDate,
    /// The SHA-256 of its scan.
    pub scan: Digest,
}

impl Archive {
    /// Logs the paper slip `bytes` signed by a staff key: its certificate must be this archive's,
    /// unrevoked and unexpired at `now`, of a role that may record slips; the form version it
    /// answers must be published; the student must be in the roster with the date of birth it
    /// states; and every signer it names must be in the roster as that student's guardian or the
    /// student, in the capacity named. Recording it again returns its
    /// acknowledgement.
    pub fn record_paper(&mut self, bytes: &[u8], now: Timestamp) -> Result<Verified<Acknowledgement>, ArchiveError> {
        let unverified = decode::<PaperRecord>(bytes).map_err(TrustError::from)?;
        let (named, form) = (unverified.unverified_body().certificate, unverified.unverified_body().form);
        let certificate = self.staff_certificate(named)?;
        let form = self.form(form)?.ok_or(ArchiveError::UnknownForm(form))?;
        let record = self.trust.paper_record(bytes, &certificate, &form, now)?;
        let body = record.body();
        let tx = begin(&mut self.conn, &self.trust, &self.archive_key, &self.dir, now)?;
        if let Some(ack) = stored_acknowledgement(&tx, &self.trust, record.hash())? {
            drop(tx);
            self.witness()?;
            return Ok(ack);
        }
        if revocation_of(&tx, named)?.is_some() {
            return Err(ArchiveError::StaffRevoked(named));
        }
        let birth_date: Option<String> = tx
            .prepare_cached("SELECT birth_date FROM students WHERE student = ?1")?
            .query_row([body.student.as_str()], |row| row.get(0))
            .optional()?;
        if birth_date != Some(body.student_birth_date.to_string()) {
            return Err(ArchiveError::NotInRoster {
                student: body.student.to_string(),
                birth_date: body.student_birth_date,
            });
        }
        let mut capacity = tx.prepare_cached("SELECT role FROM people WHERE person = ?1 AND student = ?2")?;
        for signer in &body.signers {
            let role: Option<String> =
                capacity.query_row((signer.person.as_str(), body.student.as_str()), |row| row.get(0)).optional()?;
            if role.as_deref() != Some(signer.role.name()) {
                return Err(ArchiveError::NotOfFamily {
                    person: signer.person.to_string(),
                    role: signer.role.name(),
                    student: body.student.to_string(),
                });
            }
        }
        drop(capacity);
        let entry = Entry::of(&record, Some(body.student.as_str()), None, None);
        let ack = commit_entry(&tx, &self.trust, &self.archive_key, &entry, now)?;
        tx.commit()?;
        self.witness()?;
        Ok(ack)
    }

    /// `slip`, recorded by the holder of `staff_key` at `now` (`verifier paper record`, where a
    /// DPO or director who works at the terminal keeps their staff key in a file): the student's
    /// date of birth and each signer's capacity come from the roster, the form version from the
    /// log, the certificate from the key. [`Archive::record_paper`] then checks and logs it.
    pub fn sign_paper(
        &self,
        slip: Slip,
        staff_key: &SigningKey,
        now: Timestamp,
    ) -> Result<Signed<PaperRecord>, ArchiveError> {
        let certificate = self.staff_certificate_of(PublicKey::of(staff_key))?;
        let form = self.current_form()?.ok_or(ArchiveError::NoForm)?;
        let Slip { student, signers, decisions, signed_on, scan } = slip;
        let student_birth_date =
            read::birth_date(&self.conn, &student)?.ok_or_else(|| ArchiveError::UnknownStudent(student.to_string()))?;
        let mut signed_by = Vec::new();
        for person in signers {
            let role = capacity_of(&self.conn, &person, &student)?.ok_or_else(|| ArchiveError::NotOfFamily {
                person: person.to_string(),
                role: "guardian or the student",
                student: student.to_string(),
            })?;
            signed_by.push(PaperSigner { person, role });
        }
        signed_by.sort();
        let body = PaperRecord {
            school: self.school(),
            certificate: certificate.hash(),
            student,
            student_birth_date,
            form: form.hash(),
            signers: signed_by,
            decisions,
            signed_on,
            scan,
            client_time: now,
        };
        sign(body, staff_key).map_err(|e| ArchiveError::Corrupt(format!("a paper slip that cannot be signed: {e}")))
    }

    /// The latest unrevoked staff certificate of `key`.
    fn staff_certificate_of(&self, key: PublicKey) -> Result<Verified<StaffCertificate>, ArchiveError> {
        let named = read::objects_of_kind(&self.conn, StaffCertificate::KIND)?
            .iter()
            .filter_map(|bytes| decode::<StaffCertificate>(bytes).ok())
            .filter(|certificate| certificate.unverified_body().key == key)
            .map(|certificate| certificate.hash())
            .next_back()
            .ok_or_else(|| {
                ArchiveError::UnknownStaff(format!("with key {key} (enrol it with `verifier staff enrol`)"))
            })?;
        self.staff_certificate(named)
    }
}

/// The capacity in which the roster holds `person` for `student`, if it does.
fn capacity_of(conn: &Connection, person: &PersonId, student: &StudentId) -> Result<Option<Role>, ArchiveError> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT role FROM people WHERE person = ?1 AND student = ?2")?
        .query_row((person.as_str(), student.as_str()), |row| row.get(0))
        .optional()?;
    Ok(stored.and_then(|role| [Role::Guardian, Role::Student].into_iter().find(|r| r.name() == role)))
}
