//! Recording a family's paper slip: a DPO's or director's staff-signed [`PaperRecord`], logged
//! under the student like a receipt and acknowledged the same way, but never a family signature.

use super::staff::revocation_of;
use super::{begin, commit_entry, stored_acknowledgement, Archive, ArchiveError, Entry};
use rusqlite::OptionalExtension;
use shared::objects::{Acknowledgement, PaperRecord};
use shared::trust::{TrustError, Verified};
use shared::{decode, Timestamp};

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
}
