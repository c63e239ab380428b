//! Writing to the archive: publishing form versions, enrolling keys, accepting receipts and
//! rights requests, and recording the school's decisions.
//!
//! Each operation verifies through the chain of trust first (reading only what cannot change:
//! the log is append-only), then re-checks inside its `IMMEDIATE` transaction everything another
//! writer could change meanwhile (chain heads, used invitations, decisions, the current form
//! version), writes, and returns only after the commit.

use super::lookup::{issued_for, stored_acknowledgement, SharedForm, Stored};
use super::savepoint::Savepoint;
use super::{append_entry, begin, commit_entry, read, seal, Archive, ArchiveError, Entry};
use rayon::prelude::*;
use rusqlite::Connection;
use shared::objects::{
    Acknowledgement, ConsentForm, ConsentReceipt, EnrolmentCertificate, Outcome, RequestDecision, RightsRequest,
};
use shared::primitives::{Digest, PublicKey};
use shared::trust::{TrustError, TrustStore, Verified};
use shared::{decode, Envelope, SignedObject, Timestamp};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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
            .map(|bytes| self.trust.form(bytes).stored("form"))
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

    /// Accepts one submission: a consent receipt (its signer's certificate and its form must be in
    /// the archive, it must verify under the certificate's key and extend the signer's chain) or a
    /// rights request signed by an enrolled person. The same object again returns its
    /// acknowledgement; an older receipt replayed is refused.
    pub fn submit(
        &mut self,
        submission: Submission,
        now: Timestamp,
    ) -> Result<Verified<Acknowledgement>, ArchiveError> {
        self.submit_many(&[submission], now).pop().unwrap_or(Err(ArchiveError::Corrupt("no result".into())))
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
        let found = self.find_signers(submissions);
        let trust = self.trust.clone();
        std::thread::scope(|scope| {
            // Signatures are verified on every core while this thread appends those verified
            // before them: the appends are the write path's one serial part.
            let verified = verify_in_order(scope, &trust, found);
            self.append_all(verified.iter().flatten(), submissions.len(), now)
        })
    }

    /// Verifies `submission` through the chain of trust, writing nothing: what the service's
    /// handlers do, on every core and on their own handles, before the one writer appends.
    pub fn verify_submission(&self, submission: &Submission) -> Result<Checked, ArchiveError> {
        let prepared = self.signers(Decoded::of(submission)?)?.verify(&self.trust)?;
        Ok(Checked { school: self.school(), prepared })
    }

    /// [`Archive::submit_many`] for submissions already verified by [`Archive::verify_submission`], by this
    /// archive or another handle of it; one checked for another school is refused.
    pub fn append_checked(
        &mut self,
        checked: Vec<Checked>,
        now: Timestamp,
    ) -> Vec<Result<Verified<Acknowledgement>, ArchiveError>> {
        let count = checked.len();
        let school = self.school();
        let items = checked.into_iter().map(|c| match c.school == school {
            true => Ok(c.prepared),
            false => Err(ArchiveError::Trust(TrustError::WrongSchool { expected: school, got: c.school })),
        });
        self.append_all(items, count, now)
    }

    /// Appends the `count` verified `items` in one transaction: see [`Archive::submit_many`].
    fn append_all(
        &mut self,
        items: impl Iterator<Item = Result<Prepared, ArchiveError>>,
        count: usize,
        now: Timestamp,
    ) -> Vec<Result<Verified<Acknowledgement>, ArchiveError>> {
        let tx = match begin(&mut self.conn, &self.trust, &self.archive_key, &self.dir, now) {
            Ok(tx) => tx,
            Err(error) => return fail_all(&error, count),
        };
        // Each item's outcome: refused, already acknowledged, or appended at a log index.
        let mut outcomes = Vec::with_capacity(count);
        // Objects appended by this group so far. A later copy of one must not be appended again:
        // a request would meet the log's unique hash, and a receipt the chain head it just moved.
        let mut appended_here = HashSet::new();
        for item in items {
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
            let savepoint = match Savepoint::new(&tx) {
                Ok(savepoint) => savepoint,
                Err(error) => return fail_all(&ArchiveError::Storage(error), count),
            };
            let outcome = append_prepared(&tx, &self.trust, &prepared, now).map_err(|e| own_failure(e, &prepared));
            match &outcome {
                Ok(appending) => {
                    if let Err(error) = savepoint.commit() {
                        return fail_all(&ArchiveError::Storage(error), count);
                    }
                    if let Appending::Appended(hash, _) = appending {
                        appended_here.insert(*hash);
                    }
                }
                // The transaction is no longer sound: give up on the whole group (rolled back on drop).
                Err(error) if error.is_storage() => return fail_all(error, count),
                Err(_) => {
                    if let Err(error) = savepoint.rollback() {
                        return fail_all(&ArchiveError::Storage(error), count);
                    }
                }
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
                Err(error) => return fail_all(&error, count),
            }
        };
        if let Err(error) = tx.commit() {
            return fail_all(&ArchiveError::Storage(error), count);
        }
        // Committed, but acknowledged only once the ledger has it too; a resubmission gets the
        // stored acknowledgement.
        if let Err(error) = super::ledger::record(&self.conn, &self.dir) {
            return fail_all(&error, count);
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

    /// Decodes the submissions on every core, then finds on this thread, which holds the
    /// connection, the certificate (and form version) each one names, all already in the archive.
    fn find_signers<'a>(&self, submissions: &'a [Submission]) -> Vec<Result<Signers<'a>, ArchiveError>> {
        let decoded: Vec<Result<Decoded, ArchiveError>> = submissions.par_iter().map(Decoded::of).collect();
        decoded.into_iter().map(|decoded| self.signers(decoded?)).collect()
    }

    /// The certificate (and, for a receipt, the form version) a decoded submission names.
    fn signers<'a>(&self, decoded: Decoded<'a>) -> Result<Signers<'a>, ArchiveError> {
        match decoded {
            Decoded::Receipt(receipt) => {
                let body = receipt.unverified_body();
                let certificate =
                    self.certificate(body.certificate)?.ok_or(ArchiveError::UnknownSigner(body.certificate))?;
                let form = self.form(body.form)?.ok_or(ArchiveError::UnknownForm(body.form))?;
                Ok(Signers::Receipt(receipt, certificate, form))
            }
            Decoded::Request(bytes, certificate) => {
                let found = self.certificate(certificate)?.ok_or(ArchiveError::UnknownSigner(certificate))?;
                Ok(Signers::Request(bytes, found))
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
}

/// A signed object the archive is asked to log and acknowledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    /// A consent receipt.
    Receipt(Vec<u8>),
    /// A rights request.
    Request(Vec<u8>),
}

impl Submission {
    /// A consent receipt's bytes, to submit.
    pub fn receipt(bytes: &[u8]) -> Submission {
        Submission::Receipt(bytes.to_vec())
    }

    /// A rights request's bytes, to submit.
    pub fn request(bytes: &[u8]) -> Submission {
        Submission::Request(bytes.to_vec())
    }
}

/// A submission decoded far enough to name its signer.
enum Decoded<'a> {
    /// The receipt as decoded, so that it is not decoded twice.
    Receipt(Box<Envelope<ConsentReceipt>>),
    /// A request's bytes and the certificate it names.
    Request(&'a [u8], Digest),
}

impl Decoded<'_> {
    fn of(submission: &Submission) -> Result<Decoded<'_>, ArchiveError> {
        match submission {
            Submission::Receipt(bytes) => {
                Ok(Decoded::Receipt(Box::new(decode::<ConsentReceipt>(bytes).map_err(TrustError::from)?)))
            }
            Submission::Request(bytes) => {
                let unverified = decode::<RightsRequest>(bytes).map_err(TrustError::from)?;
                Ok(Decoded::Request(bytes, unverified.unverified_body().certificate))
            }
        }
    }
}

/// Who a submission says signed it: looked up before its signature is verified.
enum Signers<'a> {
    Receipt(Box<Envelope<ConsentReceipt>>, Arc<Verified<EnrolmentCertificate>>, SharedForm),
    Request(&'a [u8], Arc<Verified<EnrolmentCertificate>>),
}

impl Signers<'_> {
    /// Verifies the submission through the chain of trust.
    fn verify(self, trust: &TrustStore) -> Result<Prepared, ArchiveError> {
        match self {
            Signers::Receipt(receipt, certificate, form) => {
                let receipt = trust.decoded_receipt(*receipt, &certificate, &form)?;
                Ok(Prepared::new(receipt.signed(), certificate.body(), Chain::Follows(receipt.body().previous)))
            }
            Signers::Request(bytes, certificate) => {
                let request = trust.request(bytes, &certificate)?;
                Ok(Prepared::new(request.signed(), certificate.body(), Chain::Outside))
            }
        }
    }
}

/// Submissions verified per message, so that appending can start before all are verified.
const VERIFIED_TOGETHER: usize = 8;

/// Verifies `found` in order on every core, from a thread of `scope`, sending each run of
/// [`VERIFIED_TOGETHER`] as it is done. Stops when the receiver is dropped.
fn verify_in_order<'scope, 'env: 'scope, 'a: 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    trust: &'scope TrustStore,
    found: Vec<Result<Signers<'a>, ArchiveError>>,
) -> std::sync::mpsc::Receiver<Vec<Result<Prepared, ArchiveError>>> {
    let (send, receive) = std::sync::mpsc::sync_channel(found.len().div_ceil(VERIFIED_TOGETHER).max(1));
    scope.spawn(move || {
        let mut found = found.into_iter().peekable();
        while found.peek().is_some() {
            let run: Vec<_> = found.by_ref().take(VERIFIED_TOGETHER).collect();
            let verified = run.into_par_iter().map(|signers| signers?.verify(trust)).collect();
            if send.send(verified).is_err() {
                return;
            }
        }
    });
    receive
}

/// A submission verified through the chain of trust by [`Archive::verify_submission`], ready for
/// [`Archive::append_checked`]; only `verify_submission` makes one.
pub struct Checked {
    /// The school whose trust store verified it.
    school: PublicKey,
    prepared: Prepared,
}

/// A verified submission, ready to append.
struct Prepared {
    kind: &'static str,
    hash: Digest,
    bytes: Vec<u8>,
    student: String,
    person: String,
    /// Whether it must extend its signer's chain.
    chain: Chain,
}

impl Prepared {
    fn new<T: SignedObject>(object: &shared::Signed<T>, certificate: &EnrolmentCertificate, chain: Chain) -> Prepared {
        Prepared {
            kind: T::KIND,
            hash: object.hash(),
            bytes: object.bytes().to_vec(),
            student: certificate.student.to_string(),
            person: certificate.person.to_string(),
            chain,
        }
    }
}

/// Where a submission stands to its signer's chain of receipts.
#[derive(Clone, Copy)]
enum Chain {
    /// A receipt: it names the signer's receipt before it (`None`: their first), which must be
    /// the signer's chain head.
    Follows(Option<Digest>),
    /// A rights request: not part of a chain.
    Outside,
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
    if let Chain::Follows(previous) = prepared.chain {
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
