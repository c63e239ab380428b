//! Writing to the archive: publishing form versions, enrolling keys, accepting receipts and
//! rights requests, and recording the school's decisions. Each operation verifies first, then
//! writes in one transaction, and returns only after the commit.

use super::{commit_entry, read, stored_acknowledgement, Archive, ArchiveError, Entry};
use crate::trust::Verified;
use rusqlite::OptionalExtension;
use shared::objects::{
    Acknowledgement, ConsentForm, ConsentReceipt, EnrolmentCertificate, Outcome, RequestDecision, RightsRequest,
};
use shared::primitives::Digest;
use shared::{decode, sign, SignedObject, Timestamp};

impl Archive {
    /// Publishes a form version signed by the root key. It must be version 1 (first) or follow the
    /// current version and name it in `supersedes`. Publishing the same version again returns its
    /// acknowledgement.
    pub fn publish_form(&mut self, bytes: &[u8], now: Timestamp) -> Result<Verified<Acknowledgement>, ArchiveError> {
        let form = self.trust.form(bytes)?;
        if let Some(ack) = stored_acknowledgement(&self.conn, &self.trust, form.hash())? {
            return Ok(ack);
        }
        let current = self.current_form()?;
        let follows = match &current {
            None => form.body().version == 1 && form.body().supersedes.is_none(),
            Some(current) => {
                form.body().version == current.body().version + 1 && form.body().supersedes == Some(current.hash())
            }
        };
        if !follows {
            let current = current.map_or(0, |c| c.body().version);
            return Err(ArchiveError::FormOutOfSequence { current, got: form.body().version });
        }
        let (key, school) = (self.archive_key.clone(), self.school());
        let tx = self.write()?;
        let ack = commit_entry(&tx, &key, school, &Entry::of(&form, None, None, None), now)?;
        tx.commit()?;
        Ok(ack)
    }

    /// Enrols the key offered in `request` for the holder of `invitation`: checks the invitation
    /// (root-signed, unexpired at `now`, unused) and the proof of possession, then issues and logs
    /// the certificate. The same request again returns the same certificate.
    pub fn enrol(
        &mut self,
        invitation: &[u8],
        request: &[u8],
        now: Timestamp,
    ) -> Result<Verified<EnrolmentCertificate>, ArchiveError> {
        let invitation = self.trust.invitation(invitation, now)?;
        let request = self.trust.enrolment_request(request, &invitation)?;
        let used_by: Option<Option<Vec<u8>>> = self
            .conn
            .query_row("SELECT used_by FROM invitations WHERE hash = ?1", [invitation.hash().0.as_slice()], |row| {
                row.get(0)
            })
            .optional()?;
        if let Some(Some(certificate)) = used_by {
            let existing = self.certificate(read::digest(&certificate)?)?;
            return match existing {
                Some(cert) if cert.body().key == request.body().key => Ok(cert),
                _ => Err(ArchiveError::InvitationUsed(invitation.hash())),
            };
        }
        let inv = invitation.body();
        let body = EnrolmentCertificate {
            school: self.school(),
            invitation: invitation.hash(),
            student: inv.student.clone(),
            person: inv.person.clone(),
            role: inv.role,
            student_birth_date: inv.student_birth_date,
            key: request.body().key,
            issued: now,
        };
        let certificate = Verified::issued(sign(body, &self.archive_key)?);
        let (key, school) = (self.archive_key.clone(), self.school());
        let tx = self.write()?;
        let entry = Entry::of(&certificate, Some(inv.student.as_str()), Some(inv.person.as_str()), None);
        commit_entry(&tx, &key, school, &entry, now)?;
        tx.execute(
            "INSERT INTO invitations (hash, person, bytes, used_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (hash) DO UPDATE SET used_by = excluded.used_by",
            (invitation.hash().0.as_slice(), inv.person.as_str(), invitation.bytes(), certificate.hash().0.as_slice()),
        )?;
        tx.commit()?;
        Ok(certificate)
    }

    /// Accepts a consent receipt: its signer's certificate and its form must be in the archive, it
    /// must verify under the certificate's key and extend the signer's chain. The same receipt
    /// again returns its acknowledgement; an older one replayed is refused.
    pub fn submit_receipt(&mut self, bytes: &[u8], now: Timestamp) -> Result<Verified<Acknowledgement>, ArchiveError> {
        if let Some(ack) = stored_acknowledgement(&self.conn, &self.trust, Digest::of(bytes))? {
            return Ok(ack);
        }
        let unverified = decode::<ConsentReceipt>(bytes).map_err(crate::trust::TrustError::from)?;
        let body = unverified.unverified_body();
        let certificate = self.certificate(body.certificate)?.ok_or(ArchiveError::UnknownSigner(body.certificate))?;
        let form = self.form(body.form)?.ok_or(ArchiveError::UnknownForm(body.form))?;
        let receipt = self.trust.receipt(bytes, &certificate, &form)?;
        let cert = certificate.body();
        let (key, school) = (self.archive_key.clone(), self.school());
        let tx = self.write()?;
        let head = read::chain_head(&tx, cert.student.as_str(), cert.person.as_str())?;
        if receipt.body().previous != head {
            return Err(ArchiveError::Replay { expected: head, got: receipt.body().previous });
        }
        let entry = Entry::of(&receipt, Some(cert.student.as_str()), Some(cert.person.as_str()), None);
        let ack = commit_entry(&tx, &key, school, &entry, now)?;
        tx.commit()?;
        Ok(ack)
    }

    /// Accepts a rights request signed by an enrolled person. The same request again returns its
    /// acknowledgement.
    pub fn submit_request(&mut self, bytes: &[u8], now: Timestamp) -> Result<Verified<Acknowledgement>, ArchiveError> {
        if let Some(ack) = stored_acknowledgement(&self.conn, &self.trust, Digest::of(bytes))? {
            return Ok(ack);
        }
        let unverified = decode::<RightsRequest>(bytes).map_err(crate::trust::TrustError::from)?;
        let certificate_hash = unverified.unverified_body().certificate;
        let certificate = self.certificate(certificate_hash)?.ok_or(ArchiveError::UnknownSigner(certificate_hash))?;
        let request = self.trust.request(bytes, &certificate)?;
        let cert = certificate.body();
        let (key, school) = (self.archive_key.clone(), self.school());
        let tx = self.write()?;
        let entry = Entry::of(&request, Some(cert.student.as_str()), Some(cert.person.as_str()), None);
        let ack = commit_entry(&tx, &key, school, &entry, now)?;
        tx.commit()?;
        Ok(ack)
    }

    /// Records the school's decision on a rights request, signed by the archive key.
    pub fn decide(
        &mut self,
        request: Digest,
        outcome: Outcome,
        reason: &str,
        now: Timestamp,
    ) -> Result<Verified<RequestDecision>, ArchiveError> {
        let stored = self.object::<RightsRequest>(request)?.ok_or(ArchiveError::UnknownRequest(request))?;
        if read::decision_for(&self.conn, request)?.is_some() {
            return Err(ArchiveError::AlreadyDecided(request));
        }
        let body = RequestDecision { school: self.school(), request, outcome, reason: reason.to_owned(), decided: now };
        let decision = Verified::issued(sign(body, &self.archive_key)?);
        let student = stored.student.as_str();
        let (key, school) = (self.archive_key.clone(), self.school());
        let tx = self.write()?;
        commit_entry(&tx, &key, school, &Entry::of(&decision, Some(student), None, Some(request)), now)?;
        tx.commit()?;
        Ok(decision)
    }

    /// The decoded body of the stored object `hash` of kind `T`, if any (not re-verified: for
    /// looking up links; the objects themselves were verified when they were appended).
    fn object<T: SignedObject>(&self, hash: Digest) -> Result<Option<T>, ArchiveError> {
        let Some(bytes) = read::object_bytes(&self.conn, hash, T::KIND)? else { return Ok(None) };
        let envelope = decode::<T>(&bytes).map_err(|e| ArchiveError::Corrupt(format!("stored {}: {e}", T::KIND)))?;
        Ok(Some(envelope.unverified_body().clone()))
    }

    /// The certificate `hash`, verified through the chain of trust.
    pub fn certificate(&self, hash: Digest) -> Result<Option<Verified<EnrolmentCertificate>>, ArchiveError> {
        read::object_bytes(&self.conn, hash, EnrolmentCertificate::KIND)?
            .map(|bytes| {
                self.trust.certificate(&bytes).map_err(|e| ArchiveError::Corrupt(format!("stored certificate: {e}")))
            })
            .transpose()
    }

    /// The form version `hash`, verified under the root key.
    pub fn form(&self, hash: Digest) -> Result<Option<Verified<ConsentForm>>, ArchiveError> {
        read::object_bytes(&self.conn, hash, ConsentForm::KIND)?
            .map(|bytes| self.trust.form(&bytes).map_err(|e| ArchiveError::Corrupt(format!("stored form: {e}"))))
            .transpose()
    }

    /// Every published form version, oldest first.
    pub fn forms(&self) -> Result<Vec<Verified<ConsentForm>>, ArchiveError> {
        read::objects_of_kind(&self.conn, ConsentForm::KIND)?
            .iter()
            .map(|bytes| self.trust.form(bytes).map_err(|e| ArchiveError::Corrupt(format!("stored form: {e}"))))
            .collect()
    }

    /// The form version in force, if one was published.
    pub fn current_form(&self) -> Result<Option<Verified<ConsentForm>>, ArchiveError> {
        Ok(self.forms()?.pop())
    }
}
