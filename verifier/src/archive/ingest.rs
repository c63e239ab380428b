//! Writing to the archive: publishing form versions, enrolling keys, accepting receipts and
//! rights requests, and recording the school's decisions.
//!
//! Each operation verifies through the chain of trust first (reading only what cannot change:
//! the log is append-only), then re-checks inside its `IMMEDIATE` transaction everything another
//! writer could change meanwhile (chain heads, used invitations, decisions, the current form
//! version), writes, and returns only after the commit.

use super::{append_entry, begin, commit_entry, read, seal, stored_acknowledgement, Archive, ArchiveError, Entry};
use rayon::prelude::*;
use rusqlite::{Connection, OptionalExtension};
use shared::objects::{
    Acknowledgement, ConsentForm, ConsentReceipt, EnrolmentCertificate, Invitation, Outcome, RequestDecision,
    RightsRequest,
};
use shared::primitives::Digest;
use shared::trust::{TrustError, TrustStore, Verified};
use shared::{decode, Envelope, SignedObject, Timestamp};
use std::collections::{HashMap, HashSet};

impl Archive {
    /// Publishes a form version signed by the root key. It must be version 1 (first) or follow the
    /// current version and name it in `supersedes`. Publishing the same version again returns its
    /// acknowledgement.
    pub fn publish_form(&mut self, bytes: &[u8], now: Timestamp) -> Result<Verified<Acknowledgement>, ArchiveError> {
        let form = self.trust.form(bytes)?;
        let tx = begin(&mut self.conn, &self.trust, &self.archive_key, &self.dir, now)?;
        if let Some(ack) = stored_acknowledgement(&tx, &self.trust, form.hash())? {
            drop(tx);
            self.witness()?;
            return Ok(ack);
        }
        let current = read::objects_of_kind(&tx, ConsentForm::KIND)?
            .last()
            .map(|bytes| self.trust.form(bytes).map_err(|e| ArchiveError::Corrupt(format!("stored form: {e}"))))
            .transpose()?;
        let body = form.body();
        let follows = match &current {
            None => body.version == 1 && body.supersedes.is_none(),
            Some(current) => body.version == current.body().version + 1 && body.supersedes == Some(current.hash()),
        };
        if !follows {
            let current = current.map_or(0, |c| c.body().version);
            return Err(ArchiveError::FormOutOfSequence { current, got: body.version });
        }
        let entry = Entry::of(&form, None, None, body.supersedes);
        let ack = commit_entry(&tx, &self.trust, &self.archive_key, &entry, now)?;
        tx.commit()?;
        self.witness()?;
        Ok(ack)
    }

    /// Enrols the key offered in `request` for the holder of `invitation`: checks the invitation
    /// (root-signed, unexpired at `now`, not replaced, unused) and the proof of possession, then
    /// issues and logs the certificate. The same key asking again gets the same certificate, even
    /// once the invitation has expired: a device that lost its copy must not be locked out.
    pub fn enrol(
        &mut self,
        invitation: &[u8],
        request: &[u8],
        now: Timestamp,
    ) -> Result<Verified<EnrolmentCertificate>, ArchiveError> {
        let (invitation, expired) = match self.trust.invitation(invitation, now) {
            Ok(invitation) => (invitation, None),
            Err(TrustError::Expired { expired, .. }) => (self.trust.invitation(invitation, expired)?, Some(expired)),
            Err(error) => return Err(error.into()),
        };
        let request = self.trust.enrolment_request(request, &invitation)?;
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
        let tx = begin(&mut self.conn, &self.trust, &self.archive_key, &self.dir, now)?;
        if let Some(existing) = issued_for(&tx, &self.trust, &invitation)? {
            drop(tx);
            return if existing.body().key == request.body().key {
                // Answered again only once the ledger holds it (a first answer may have failed there).
                self.witness()?;
                Ok(existing)
            } else {
                Err(ArchiveError::InvitationUsed(invitation.hash()))
            };
        }
        if let Some(expired) = expired {
            return Err(TrustError::Expired { expired, now }.into());
        }
        let certificate = self.trust.sign_by_archive(body, &self.archive_key)?;
        let entry =
            Entry::of(&certificate, Some(inv.student.as_str()), Some(inv.person.as_str()), Some(invitation.hash()));
        commit_entry(&tx, &self.trust, &self.archive_key, &entry, now)?;
        tx.execute(
            "INSERT INTO invitations (hash, person, bytes, used_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (hash) DO UPDATE SET used_by = excluded.used_by",
            (invitation.hash().0.as_slice(), inv.person.as_str(), invitation.bytes(), certificate.hash().0.as_slice()),
        )?;
        tx.commit()?;
        self.witness()?;
        Ok(certificate)
    }

    /// The invitation in `bytes`, if it can still enrol a key: signed by the root key, unexpired at
    /// `now`, not replaced by a newer one and not used. Its holder may then read the student's
    /// history before enrolling (`GET /v1/history` with `Authorization: Invitation …`), so that a
    /// person sees the other signers' decisions, or learns that the link was used elsewhere,
    /// before they decide anything.
    pub fn unused_invitation(&self, bytes: &[u8], now: Timestamp) -> Result<Verified<Invitation>, ArchiveError> {
        let invitation = self.trust.invitation(bytes, now)?;
        match issued_for(&self.conn, &self.trust, &invitation)? {
            Some(_) => Err(ArchiveError::InvitationUsed(invitation.hash())),
            None => Ok(invitation),
        }
    }

    /// Accepts a consent receipt: its signer's certificate and its form must be in the archive, it
    /// must verify under the certificate's key and extend the signer's chain. The same receipt
    /// again returns its acknowledgement; an older one replayed is refused.
    pub fn submit_receipt(&mut self, bytes: &[u8], now: Timestamp) -> Result<Verified<Acknowledgement>, ArchiveError> {
        self.submit_many(&[Submission::Receipt(bytes.to_vec())], now)
            .pop()
            .unwrap_or(Err(ArchiveError::Corrupt("no result".into())))
    }

    /// Accepts a rights request signed by an enrolled person. The same request again returns its
    /// acknowledgement.
    pub fn submit_request(&mut self, bytes: &[u8], now: Timestamp) -> Result<Verified<Acknowledgement>, ArchiveError> {
        self.submit_many(&[Submission::Request(bytes.to_vec())], now)
            .pop()
            .unwrap_or(Err(ArchiveError::Corrupt("no result".into())))
    }

    /// Group commit: accepts many receipts and requests in one transaction, so that one disk sync
    /// and one signed checkpoint serve them all, and their signatures are verified on every core. Each
    /// is verified and checked on its own and gets its own result, in order; a refused one changes
    /// nothing and does not affect the others. Copies of one object (two tabs, a retrying client)
    /// get the same answer: the acknowledgement of the first copy. If the transaction itself fails
    /// (disk full, read-only), every one of them fails and nothing is acknowledged; a constraint
    /// one item breaks inside its savepoint fails that item alone.
    pub fn submit_many(
        &mut self,
        submissions: &[Submission],
        now: Timestamp,
    ) -> Vec<Result<Verified<Acknowledgement>, ArchiveError>> {
        let prepared = self.prepare_all(submissions);
        let mut tx = match begin(&mut self.conn, &self.trust, &self.archive_key, &self.dir, now) {
            Ok(tx) => tx,
            Err(error) => return fail_all(&error, submissions.len()),
        };
        // Each item's outcome: refused, already acknowledged, or appended at a log index.
        let mut outcomes = Vec::with_capacity(submissions.len());
        // Objects appended by this group so far. A later copy of one must not be appended again:
        // a request would meet the log's unique hash, and a receipt the chain head it just moved.
        let mut appended_here = HashSet::new();
        for item in prepared {
            let prepared = match item {
                Ok(prepared) => prepared,
                Err(error) => {
                    outcomes.push(Err(error));
                    continue;
                }
            };
            if appended_here.contains(&prepared.hash) {
                outcomes.push(Ok(Appending::CopyOf(prepared.hash)));
                continue;
            }
            // Each item in its own savepoint: an item that fails half-way leaves nothing behind.
            let savepoint = match tx.savepoint() {
                Ok(savepoint) => savepoint,
                Err(error) => return fail_all(&ArchiveError::Storage(error), submissions.len()),
            };
            let outcome =
                append_prepared(&savepoint, &self.trust, &prepared, now).map_err(|e| own_failure(e, &prepared));
            match &outcome {
                Ok(appending) => {
                    if let Err(error) = savepoint.commit() {
                        return fail_all(&ArchiveError::Storage(error), submissions.len());
                    }
                    if let Appending::Appended(hash, _) = appending {
                        appended_here.insert(*hash);
                    }
                }
                // The transaction is no longer sound: give up on the whole group (rolled back on drop).
                Err(error) if error.is_storage() => return fail_all(error, submissions.len()),
                Err(_) => drop(savepoint),
            }
            outcomes.push(outcome);
        }
        let appended: Vec<(Digest, u64)> = outcomes
            .iter()
            .filter_map(|outcome| match outcome {
                Ok(Appending::Appended(hash, index)) => Some((*hash, *index)),
                _ => None,
            })
            .collect();
        let acks: HashMap<Digest, Verified<Acknowledgement>> = if appended.is_empty() {
            HashMap::new()
        } else {
            match seal(&tx, &self.trust, &self.archive_key, &appended, now) {
                Ok(acks) => acks.into_iter().map(|ack| (ack.body().object, ack)).collect(),
                Err(error) => return fail_all(&error, submissions.len()),
            }
        };
        if let Err(error) = tx.commit() {
            return fail_all(&ArchiveError::Storage(error), submissions.len());
        }
        // Committed, but acknowledged only once the ledger has it too; a resubmission gets the
        // stored acknowledgement.
        if let Err(error) = self.witness() {
            return fail_all(&error, submissions.len());
        }
        outcomes
            .into_iter()
            .map(|outcome| match outcome? {
                Appending::Stored(ack) => Ok(*ack),
                Appending::Appended(hash, _) | Appending::CopyOf(hash) => {
                    acks.get(&hash).cloned().ok_or_else(|| ArchiveError::Corrupt("no acknowledgement".into()))
                }
            })
            .collect()
    }

    /// Everything about the submissions that needs no write: decode, find each one's certificate
    /// (and form) on this thread, which holds the connection; then verify through the chain of
    /// trust on every core.
    fn prepare_all(&self, submissions: &[Submission]) -> Vec<Result<Prepared, ArchiveError>> {
        let signers: Vec<Result<Signers, ArchiveError>> = submissions.iter().map(|s| self.signers(s)).collect();
        let trust = &self.trust;
        submissions
            .par_iter()
            .zip(signers)
            .map(|(submission, signers)| match (submission, signers?) {
                (Submission::Receipt(_), Signers::Receipt(found)) => {
                    let (receipt, certificate, form) = *found;
                    let receipt = trust.decoded_receipt(receipt, &certificate, &form)?;
                    Ok(Prepared::new(receipt.signed(), certificate.body(), Some(receipt.body().previous)))
                }
                (Submission::Request(bytes), Signers::Request(certificate)) => {
                    let request = trust.request(bytes, &certificate)?;
                    Ok(Prepared::new(request.signed(), certificate.body(), None))
                }
                _ => Err(ArchiveError::Corrupt("a submission matched to another kind's signer".into())),
            })
            .collect()
    }

    /// The certificate (and, for a receipt, the form version) a submission names, all already in
    /// the archive.
    fn signers(&self, submission: &Submission) -> Result<Signers, ArchiveError> {
        match submission {
            Submission::Receipt(bytes) => {
                let unverified = decode::<ConsentReceipt>(bytes).map_err(TrustError::from)?;
                let body = unverified.unverified_body();
                let certificate =
                    self.certificate(body.certificate)?.ok_or(ArchiveError::UnknownSigner(body.certificate))?;
                let form = self.form(body.form)?.ok_or(ArchiveError::UnknownForm(body.form))?;
                Ok(Signers::Receipt(Box::new((unverified, certificate, form))))
            }
            Submission::Request(bytes) => {
                let unverified = decode::<RightsRequest>(bytes).map_err(TrustError::from)?;
                let hash = unverified.unverified_body().certificate;
                Ok(Signers::Request(Box::new(self.certificate(hash)?.ok_or(ArchiveError::UnknownSigner(hash))?)))
            }
        }
    }

    /// Records the school's decision on a rights request, signed by the archive key.
    pub fn decide(
        &mut self,
        request: Digest,
        outcome: Outcome,
        reason: &str,
        now: Timestamp,
    ) -> Result<Verified<RequestDecision>, ArchiveError> {
        let body = RequestDecision {
            school: self.school(),
            request,
            outcome,
            reason: reason.to_owned(),
            decided: now,
            staff_decision: None,
        };
        let decision = self.trust.sign_by_archive(body, &self.archive_key)?;
        let tx = begin(&mut self.conn, &self.trust, &self.archive_key, &self.dir, now)?;
        let student = super::staff::student_of_request(&tx, request)?;
        if read::decision_for(&tx, request)?.is_some() {
            return Err(ArchiveError::AlreadyDecided(request));
        }
        let entry = Entry::of(&decision, Some(&student), None, Some(request));
        commit_entry(&tx, &self.trust, &self.archive_key, &entry, now)?;
        tx.commit()?;
        self.witness()?;
        Ok(decision)
    }

    /// The certificate `hash`, verified through the chain of trust (once per handle).
    pub fn certificate(&self, hash: Digest) -> Result<Option<Verified<EnrolmentCertificate>>, ArchiveError> {
        if let Some(certificate) = self.verified.borrow().certificates.get(&hash) {
            return Ok(Some(certificate.clone()));
        }
        let Some(bytes) = read::object_bytes(&self.conn, hash, EnrolmentCertificate::KIND)? else { return Ok(None) };
        let certificate =
            self.trust.certificate(&bytes).map_err(|e| ArchiveError::Corrupt(format!("stored certificate: {e}")))?;
        let mut cache = self.verified.borrow_mut();
        if cache.certificates.len() >= super::CACHED_CERTIFICATES {
            cache.certificates.clear();
        }
        cache.certificates.insert(hash, certificate.clone());
        Ok(Some(certificate))
    }

    /// The form version `hash`, verified under the root key (once per handle).
    pub fn form(&self, hash: Digest) -> Result<Option<Verified<ConsentForm>>, ArchiveError> {
        if let Some(form) = self.verified.borrow().forms.get(&hash) {
            return Ok(Some(form.clone()));
        }
        let Some(bytes) = read::object_bytes(&self.conn, hash, ConsentForm::KIND)? else { return Ok(None) };
        let form = self.trust.form(&bytes).map_err(|e| ArchiveError::Corrupt(format!("stored form: {e}")))?;
        self.verified.borrow_mut().forms.insert(hash, form.clone());
        Ok(Some(form))
    }

    /// Every published form version with the time it was logged, oldest first.
    pub fn forms(&self) -> Result<Vec<(Verified<ConsentForm>, Timestamp)>, ArchiveError> {
        read::entries_of_kind(&self.conn, ConsentForm::KIND)?
            .into_iter()
            .filter_map(|entry| Some((entry.bytes?, entry.logged_at)))
            .map(|(bytes, at)| {
                let form = self.trust.form(&bytes).map_err(|e| ArchiveError::Corrupt(format!("stored form: {e}")))?;
                Ok((form, at))
            })
            .collect()
    }

    /// The form version in force, if one was published.
    pub fn current_form(&self) -> Result<Option<Verified<ConsentForm>>, ArchiveError> {
        Ok(self.forms()?.pop().map(|(form, _)| form))
    }
}

/// A signed object the archive is asked to log and acknowledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    /// A consent receipt.
    Receipt(Vec<u8>),
    /// A rights request.
    Request(Vec<u8>),
}

/// Who a submission says signed it: looked up before its signature is verified.
enum Signers {
    /// The receipt as decoded to find them, so that it is not decoded twice.
    Receipt(Box<(Envelope<ConsentReceipt>, Verified<EnrolmentCertificate>, Verified<ConsentForm>)>),
    Request(Box<Verified<EnrolmentCertificate>>),
}

/// A verified submission, ready to append.
struct Prepared {
    kind: &'static str,
    hash: Digest,
    bytes: Vec<u8>,
    student: String,
    person: String,
    /// For receipts: the `previous` the receipt names, which must be the signer's chain head.
    previous: Option<Option<Digest>>,
}

impl Prepared {
    fn new<T: SignedObject>(
        object: &shared::Signed<T>,
        certificate: &EnrolmentCertificate,
        previous: Option<Option<Digest>>,
    ) -> Prepared {
        Prepared {
            kind: T::KIND,
            hash: object.hash(),
            bytes: object.bytes().to_vec(),
            student: certificate.student.to_string(),
            person: certificate.person.to_string(),
            previous,
        }
    }
}

/// What became of a submission inside the write transaction.
enum Appending {
    /// It was already logged: its stored acknowledgement.
    Stored(Box<Verified<Acknowledgement>>),
    /// Appended with this hash at this log index; acknowledged when the group is sealed.
    Appended(Digest, u64),
    /// A copy of an object appended earlier in the same group: answered with its acknowledgement.
    CopyOf(Digest),
}

/// Inside the write transaction: the stored acknowledgement if it is already logged; else the
/// chain check (receipts) and the append.
fn append_prepared(
    tx: &Connection,
    trust: &TrustStore,
    prepared: &Prepared,
    now: Timestamp,
) -> Result<Appending, ArchiveError> {
    if let Some(ack) = stored_acknowledgement(tx, trust, prepared.hash)? {
        // An object lost in a restore and sent again by its family gets its bytes back, at its
        // index, with the acknowledgement it was given the first time.
        super::recovery::give_back(tx, prepared.hash, &prepared.bytes)?;
        return Ok(Appending::Stored(Box::new(ack)));
    }
    if let Some(previous) = prepared.previous {
        let head = read::chain_head(tx, &prepared.student, &prepared.person)?;
        if previous != head {
            return Err(ArchiveError::Replay { expected: head, got: previous });
        }
    }
    let entry = Entry {
        kind: prepared.kind,
        hash: prepared.hash,
        bytes: &prepared.bytes,
        student: Some(&prepared.student),
        person: Some(&prepared.person),
        refers_to: None,
    };
    Ok(Appending::Appended(prepared.hash, append_entry(tx, &entry, now)?))
}

/// An item's own failure as the group sees it. A constraint of the log that the item breaks (a
/// unique index, a trigger) is refused by SQLite before anything is written, and the item's
/// savepoint rolls it back: the transaction is still sound, so the item fails alone instead of
/// being taken for a storage failure that would fail the whole group.
fn own_failure(error: ArchiveError, prepared: &Prepared) -> ArchiveError {
    match error {
        ArchiveError::Storage(rusqlite::Error::SqliteFailure(cause, message))
            if cause.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            let detail = message.unwrap_or_else(|| cause.to_string());
            ArchiveError::Corrupt(format!(
                "{} {} breaks a constraint of the log: {detail}",
                prepared.kind, prepared.hash
            ))
        }
        other => other,
    }
}

/// The same failure for every submission of a batch.
fn fail_all(error: &ArchiveError, count: usize) -> Vec<Result<Verified<Acknowledgement>, ArchiveError>> {
    (0..count).map(|_| Err(error.duplicate())).collect()
}

/// The certificate already issued for `invitation`, if any; refused if a newer invitation
/// replaced it. The log itself says whether an invitation was used: certificates refer to it.
fn issued_for(
    conn: &Connection,
    trust: &TrustStore,
    invitation: &Verified<Invitation>,
) -> Result<Option<Verified<EnrolmentCertificate>>, ArchiveError> {
    let revoked: Option<bool> = conn
        .query_row("SELECT revoked FROM invitations WHERE hash = ?1", [invitation.hash().0.as_slice()], |row| {
            row.get(0)
        })
        .optional()?;
    if revoked == Some(true) {
        return Err(ArchiveError::InvitationRevoked(invitation.hash()));
    }
    let bytes = match certificate_for_invitation(conn, invitation.hash())? {
        None => return Ok(None),
        Some(Some(bytes)) => bytes,
        // Lost in a restore: used, by a key no one can compare until its family gives it back.
        Some(None) => return Err(ArchiveError::InvitationUsed(invitation.hash())),
    };
    let certificate =
        trust.certificate(&bytes).map_err(|e| ArchiveError::Corrupt(format!("stored certificate: {e}")))?;
    Ok(Some(certificate))
}

/// The certificate issued for `invitation`, if any (its bytes `None` if it was lost in a restore).
fn certificate_for_invitation(conn: &Connection, invitation: Digest) -> Result<Option<Option<Vec<u8>>>, ArchiveError> {
    Ok(conn
        .prepare_cached("SELECT bytes FROM log WHERE refers_to = ?1 AND kind = ?2")?
        .query_row((invitation.0.as_slice(), EnrolmentCertificate::KIND), |row| row.get(0))
        .optional()?)
}
